"""Workbook files (xlsx, xlsm, xls, ods) opened and their sheets decoded with python-calamine;
what case systems export under a workbook's name told apart (:func:`disguised`), and a web page's
tables and an Excel 2003 XML spreadsheet's worksheets read (:func:`web_page_tables`,
:func:`xml_spreadsheet_sheets`).

python-calamine decodes a whole sheet at once, without holding the GIL: the sheets are decoded
on a second thread, one sheet ahead of the loader that parses them. This module imports neither
pandas nor python-calamine when it is imported, so that the command line can start decoding a
large workbook (:func:`start`) before it imports pandas and reads the rules; the loader then takes
that decoding over (:func:`decoding`) instead of starting its own.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import gc
import itertools
import os
import posixpath
import re
import struct
import sys
import threading
import xml.parsers.expat
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator, Sequence
from array import array
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from backlog_cli.errors import LedgerError, some_of

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}

# A sheet this short (an instructions sheet before the ledger's) does not count as decoded ahead:
# the sheet after it is started at once.
SMALL_SHEET_ROWS = 1_000

_OLE, _ZIP = b"\xd0\xcf\x11\xe0", b"PK\x03\x04"
WORKBOOK_STARTS = (_ZIP, _OLE)  # how a workbook file begins: a zip (xlsx, xlsm, ods) or an OLE file (xls)
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")  # an encrypted workbook's OLE stream name


def is_lock_file(path: Path | str) -> bool:
    """Whether ``path`` is the lock file Excel or WPS keeps beside a workbook while it is open
    (``~$台帐.xlsx``: a few bytes naming who has it open, not a workbook). A wildcard such as
    ``*.xlsx`` names it too."""
    return Path(path).name.startswith("~$")


# What a folder named as a ledger is read as: its workbooks and CSV files (not .txt, which a folder
# may hold as notes), in name order; backlog's own lists of rejected rows and value problems beside
# an output are left out.
FOLDER_SUFFIXES = EXCEL_SUFFIXES | {".csv", ".tsv"}
_SIDE_FILES = (".errors.csv", ".problems.csv")
_PATTERN = re.compile(r"[*?[]")


def ledger_files(paths: Sequence[Path | str], outputs: list[Path] | None = None) -> list[Path]:
    """The files the ledger paths name: a file as it is; a folder as its ledger files
    (:data:`FOLDER_SUFFIXES`, hidden files left out, not its subfolders), in name order; a name
    with a wildcard that is no file (``台帐/*.xlsx``, which a Windows prompt passes on as typed)
    as the files it matches, in name order. A folder without a ledger file, or a wildcard
    matching nothing, is a LedgerError; another path is left for the reader to judge.

    With ``outputs`` (the files to be read: the load), backlog's own outputs (:func:`is_output`)
    that a folder holds or a wildcard matches are left out and added to it, a folder or a wildcard
    naming nothing else being a LedgerError that names them; and a file named that is one is a
    LedgerError: read, each of its cases would be counted twice, or rejected as a duplicate."""
    out: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            found = sorted((p for p in given.iterdir() if p.is_file() and p.suffix.lower() in FOLDER_SUFFIXES
                            and _listed(p.name)), key=lambda p: p.name)
            if not found:
                raise LedgerError(f"{given}: a folder with no ledger file in it "
                                  f"({', '.join(sorted(FOLDER_SUFFIXES))})")
            out += _without_outputs(given, found, outputs, "a folder with no ledger file in it")
        elif is_wildcard(given):
            found = matching_files(given)
            if not found:
                raise LedgerError(f"{given}: no file matches")
            out += _without_outputs(given, found, outputs, "no file matches")
        else:
            if outputs is not None and is_output(given):
                raise LedgerError(f"{given}: {OUTPUT_FILE}; name the ledger it was made from "
                                  "(a folder or a wildcard leaves such files out)")
            out.append(given)
    return out


OUTPUT_FILE = "an output of backlog, not a ledger"
NAMES_SHOWN = 4  # names a line gives whole (:func:`some_names`); of more, the first three and how many others


def some_names(names: Sequence[str]) -> str:
    """Names in one line, as the files a folder holds are listed in messages: all of them up to
    four, else the first three and how many more (底数.csv, 任务.csv, 月报.xlsx, … 14 more): a
    fourth name takes the room "… 1 more" would."""
    return some_of(names, NAMES_SHOWN - 1, whole=NAMES_SHOWN)


def _without_outputs(given: Path, found: list[Path], outputs: list[Path] | None, none_left: str) -> list[Path]:
    """The files a folder or a wildcard (``given``) names, less backlog's own outputs, which are
    added to ``outputs`` (nothing is looked at without it); a LedgerError when nothing else is left."""
    if outputs is None:
        return found
    left_out = [p for p in found if is_output(p)]  # a look at each: a fraction of a millisecond
    if len(left_out) == len(found):
        raise LedgerError(f"{given}: {none_left} but backlog's own outputs ({some_names([p.name for p in left_out])}), "
                          "which are not ledgers")
    outputs += left_out
    left = set(left_out)
    return [p for p in found if p not in left]


def matching_files(pattern: Path) -> list[Path]:
    """The files a wildcard in the last part of a path matches, in name order, whatever the case
    of their names, as Windows matches them (*.xlsx names 台帐.XLSX; a ledger copied from Windows
    onto a server keeps its upper-case suffix); hidden files and backlog's own lists left out, as
    in a folder. Wildcards in the folders before it match as glob matches them."""
    import glob

    folders = [Path(p) for p in glob.glob(str(pattern.parent))] if _PATTERN.search(str(pattern.parent)) \
        else [pattern.parent]
    return sorted((p for folder in folders if folder.is_dir() for p in folder.iterdir()
                   if p.is_file() and _name_matches(p.name, pattern.name)), key=str)


def is_wildcard(path: Path) -> bool:
    """Whether a ledger path is a wildcard (:func:`ledger_files`): no file, a pattern in its name
    or in a folder before it (*/台帐.xlsx, one workbook per team's folder)."""
    return not path.exists() and _PATTERN.search(str(path)) is not None


def matched_by(path: Path, pattern: Path) -> bool:
    """Whether ``path`` (which may not exist yet) is a file the wildcard ``pattern`` would name
    (:func:`matching_files`): in a folder it matches, a name it matches."""
    import fnmatch

    return (fnmatch.fnmatchcase(str(path.parent.resolve()).casefold(), str(pattern.parent.resolve()).casefold())
            and _name_matches(path.name, pattern.name))


def _name_matches(name: str, pattern: str) -> bool:
    """A file name against the last part of a wildcard: whatever the case; hidden files and
    backlog's own lists beside an output as a folder leaves them out (:func:`_listed`)."""
    import fnmatch

    return fnmatch.fnmatchcase(name.casefold(), pattern.casefold()) and _listed(name)


def _listed(name: str) -> bool:
    """Whether a folder or a wildcard names a file: not a hidden one, nor backlog's own list of
    rejected rows or value problems beside an output (an earlier run's ``结果.errors.csv``)."""
    return not name.startswith(".") and not name.lower().endswith(_SIDE_FILES)


# backlog's own outputs, told from ledgers by a look at each file (``backlog init``): its workbooks
# name backlog as their author in their document properties (docProps/core.xml, which Excel and
# WPS keep when the file is saved again), its CSV files have a header row with a column no ledger
# has, or the header of its lists of rejected rows and value problems (errors.csv, problems.csv).
OUTPUT_AUTHOR = "backlog"
_AUTHOR = re.compile(rb"<dc:creator>\s*" + OUTPUT_AUTHOR.encode() + rb"\s*</dc:creator>")
OUTPUT_COLUMNS = frozenset({
    "categories",  # assign and its --split files, the monthly report's case lists
    "age_days",  # assign, the monthly report
    "rank_label",  # rank
    "open_at_end",  # the monthly report's categories and officers
    "band",  # the monthly report's age bands
    "as_of",  # history, the monthly report's trend
    "change",  # diff
})
_HEADER_BYTES = 65_536


def is_output(path: Path) -> bool:
    """Whether ``path`` is a file backlog wrote (:data:`OUTPUT_AUTHOR`, :data:`OUTPUT_COLUMNS`):
    an xlsx workbook's document properties read, or a CSV file's first line; never the sheets.

    A command asks it of a ledger file two or three times (the early decoding of the workbook it
    names, the nightly run's check of its ledger folder, the load): the file is looked at once
    as it is, its answer kept for the file as the system finds it (path, identity, size and time
    of its last change), so a file changed, replaced or written anew is looked at again."""
    kind = path.suffix.lower()
    if kind not in (".xlsx", ".csv"):
        return False
    try:
        st = os.stat(path)
    except OSError:  # missing: left to the load to judge
        return False
    return _looked_at(os.path.abspath(path), (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns))


@functools.lru_cache(maxsize=1024)
def _looked_at(path: str, _as_found: tuple[int, int, int, int]) -> bool:
    """:func:`is_output` for the file at ``path`` as found (``_as_found``, its stat: the key)."""
    kind = Path(path).suffix.lower()
    try:
        if kind == ".xlsx":
            with zipfile.ZipFile(path) as z:
                info = z.getinfo("docProps/core.xml")
                return info.file_size < _HEADER_BYTES and _AUTHOR.search(z.read(info)) is not None
        if kind == ".csv":
            with open(path, "rb") as f:
                first = f.read(_HEADER_BYTES).decode("utf-8-sig", errors="replace").splitlines()[:1]
            return bool(first) and _output_header([c.strip() for c in next(csv.reader(first))])
    except (*ZIP_ERRORS, RuntimeError, csv.Error):  # a damaged or encrypted file: left to the load to judge
        pass
    return False


def _output_header(cells: list[str]) -> bool:
    from backlog_cli.loading import SOURCE_COLUMNS
    from backlog_cli.outputs import ERRORS, PROBLEMS  # pandas: init, which asks, has it already

    # backlog's CSV outputs head their columns with field names, in ASCII but for a ledger's columns
    # kept as typed, which only the lists of cases carry, each with where it was read: a ledger whose
    # Chinese headers hold a column named change or band is not one
    located = set(SOURCE_COLUMNS) <= set(cells)
    named = not OUTPUT_COLUMNS.isdisjoint(cells) and all(c.isascii() for c in cells)
    return located or named or cells in (list(k.headers.values()) for k in (ERRORS, PROBLEMS))


@dataclass
class Found:
    """What ``ledger:`` would name in a settings file written to a folder (:func:`ledgers_in`),
    and backlog's own outputs left out of it, to be said."""

    named: list[Path] = field(default_factory=list)  # files, or folders of them read whole
    outputs: list[Path] = field(default_factory=list)  # files, or folders holding nothing else
    twins: list[tuple[Path, Path]] = field(default_factory=list)  # a file left out, the one of its name taken
    count: int = 0  # the ledger files named, those in the folders too


def ledgers_in(folder: Path, leave_out: Sequence[str] = ()) -> Found:
    """What ``ledger:`` would name in a settings file written to ``folder`` (``backlog init``):
    its ledger files as a folder names them (:func:`ledger_files`), less Excel's lock files and
    backlog's own outputs (:func:`is_output`), and of one name in several formats all but one; when it holds
    none, its subfolders holding some (not hidden, nor one ``leave_out`` names as the file system
    finds it: the nightly run's output folder): a folder whose ledger files are all taken as a
    folder, read whole, files added later too; else the files taken from it. In name order; files
    are listed and looked at, never read."""
    found = Found()
    found.named = _taken(folder, found)
    if found.named or not folder.is_dir():
        found.count = len(found.named)
        return found
    # the folders leave_out names as the run writes them: found by the file system, Outputs/ too
    # where names are told apart whatever their case (Windows, macOS), not where they are not (Linux)
    skip = [folder / name for name in leave_out if (folder / name).is_dir()]
    try:
        subfolders = sorted((p for p in folder.iterdir() if p.is_dir() and _listed(p.name)
                             and not any(os.path.samefile(p, other) for other in skip)), key=lambda p: p.name)
    except OSError:  # a folder that cannot be listed holds none that can be named
        return found
    for sub in subfolders:
        before = len(found.outputs)
        taken = _taken(sub, found)
        if not taken and len(found.outputs) > before:  # nothing but outputs: the folder is said
            found.outputs[before:] = [sub]
        found.named += [sub] if taken and taken == folder_ledgers(sub) else taken
        found.count += len(taken)
    return found


# Of one name in several formats (台帐.xlsx and 台帐.csv: the ledger saved again as CSV, or a workbook
# converted), the one taken: a workbook, which keeps the sheets, before a text file.
PREFERRED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".tsv")


def _taken(folder: Path, found: Found) -> list[Path]:
    """The ledger files of ``folder`` that ``ledger:`` would name; the outputs among them are
    added to ``found``, and so is each file left out for one of its name in a preferred format
    (:data:`PREFERRED_SUFFIXES`): read both, every case would be read twice."""
    files = folder_ledgers(folder)
    outputs = [p for p in files if is_output(p)]
    found.outputs += outputs
    ledgers = [p for p in files if p not in outputs]
    kept = {}
    for path in sorted(ledgers, key=lambda p: PREFERRED_SUFFIXES.index(p.suffix.lower())):
        if path.stem in kept:
            found.twins.append((path, kept[path.stem]))
        else:
            kept[path.stem] = path
    return [p for p in ledgers if kept[p.stem] == p]


def folder_ledgers(folder: Path) -> list[Path]:
    """A folder's ledger files (:func:`ledger_files`) that are not a lock file."""
    try:
        found = ledger_files([folder]) if folder.is_dir() else []
    except (LedgerError, OSError):
        return []
    return [p for p in found if not is_lock_file(p)]


def short_error(exc: Exception) -> str:
    """The first line of an exception's text (python-calamine's can run to many lines)."""
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__


def _password_protected(path: Path) -> LedgerError:
    return LedgerError(f"{path}: the workbook is password-protected; save an unprotected copy and load that")


def open_book(path: Path):
    """The workbook, opened lazily (sheets are decoded when read). A workbook whose name does not
    match its kind (an .xls saved as .xlsx, an .ods named .xlsx) is read for what it is."""
    import python_calamine as pc

    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE):
        data = path.read_bytes()
        if _ENCRYPTED_STREAM not in data:
            if (unreadable := _unreadable_xls(path, data)) is not None:
                raise unreadable
        elif path.suffix.lower() != ".xls":
            # An OLE container holding this stream is how Excel stores an encrypted (password) workbook.
            raise _password_protected(path)
    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise _password_protected(path) from None
    except BaseException as exc:  # calamine raises several kinds for a damaged or misnamed file
        problem = _failure(exc)
    try:
        with path.open("rb") as fh:
            return pc.CalamineWorkbook.from_filelike(fh)  # the kind told from the content
    except pc.PasswordError:
        raise _password_protected(path) from None
    except BaseException as exc:
        _failure(exc)
    if head.startswith(_OLE) and _ENCRYPTED_STREAM in path.read_bytes():
        raise _password_protected(path) from None  # an encrypted workbook named .xls
    why = damaged_parts(path) if head.startswith(_ZIP) else None
    raise LedgerError(f"{path}: cannot read the workbook ({why or short_error(problem)}); is it a valid {path.suffix} file?")


def _failure(exc: BaseException) -> BaseException:
    """``exc`` when it is python-calamine failing on a damaged file: an Exception, or a panic in
    its Rust code (a cut .xls: pyo3's PanicException, a BaseException not importable by name);
    anything else (Ctrl-C) is raised again."""
    if isinstance(exc, Exception) or type(exc).__name__ == "PanicException":
        return exc
    raise exc


TEXT, WEB_PAGE, XML_SPREADSHEET = "text", "web page", "Excel 2003 XML"


def disguised(path: Path) -> str | None:
    """What a file with a workbook's name holds when it is a table a case system exported under
    that name rather than a workbook (Excel opens both with a warning): :data:`TEXT`, separated by
    tabs or commas, :data:`WEB_PAGE`, an HTML table, or :data:`XML_SPREADSHEET`, the XML a
    template saved as "XML 电子表格 2003" gives; None for anything else (a zip or OLE file is a
    workbook; what is none of these is left for python-calamine to refuse)."""
    try:
        with path.open("rb") as fh:
            start = fh.read(4096)
    except OSError:
        return None
    if start.startswith(WORKBOOK_STARTS):
        return None
    if (bom := bom_encoding(start)) in ("utf-16", "utf-32"):  # NUL bytes are in every character
        start = start.decode(bom, errors="ignore").encode("utf-8")
    elif b"\x00" in start:
        return None
    start = start.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<?xml") and _SPREADSHEET_NS.encode() in start:
        return XML_SPREADSHEET
    lower = start[:1024].lower()
    if lower.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")) and b"<t" in lower:
        return WEB_PAGE
    first = start.split(b"\n", 1)[0]
    return TEXT if not first.startswith(b"<") and (b"\t" in first or b"," in first) else None


def web_page_tables(path: Path, progress: Callable[[float], None] | None = None) -> list[tuple[str, list[list[str]]]]:
    """The tables of an HTML page, named after the file (``NAME 表2`` when there are several),
    each as rows of cell texts, as Excel opens the page: a cell spanning rows is read in every row
    it spans (as a sheet's cells merged down are), one spanning columns in its first; ``<br>`` is
    a line break, other whitespace runs one space. ``progress``: told the share of the page read."""
    parser = _Tables()
    for piece in _pieces(_page_text(path), progress):
        parser.feed(piece)
    parser.close()
    tables = [t for t in parser.tables if t]
    names = [path.stem] if len(tables) == 1 else [f"{path.stem} 表{i}" for i in range(1, len(tables) + 1)]
    return list(zip(names, tables))


_SPREADSHEET_NS = "urn:schemas-microsoft-com:office:spreadsheet"
_SS, _X = f"{{{_SPREADSHEET_NS}}}", "{urn:schemas-microsoft-com:office:excel}"
# the names looked up in every row and cell, made once
_SS_WORKSHEET, _SS_ROW, _SS_CELL, _SS_DATA = f"{_SS}Worksheet", f"{_SS}Row", f"{_SS}Cell", f"{_SS}Data"
_SS_INDEX, _SS_TYPE, _SS_ACROSS, _SS_DOWN = f"{_SS}Index", f"{_SS}Type", f"{_SS}MergeAcross", f"{_SS}MergeDown"
_MAX_MERGE_ACROSS = 1_000


def xml_spreadsheet_sheets(path: Path, progress: Callable[[float], None] | None = None
                           ) -> list[tuple[str, list[list[Any]], bool]]:
    """The worksheets of an Excel 2003 XML spreadsheet: name, rows of cell values (text, numbers
    as float, DateTime as datetime, Boolean as bool, an error as its text, "" for none) and
    whether it is hidden. A cell merged down (``ss:MergeDown``) is read in every row it spans, as
    a sheet's merged cells are; one merged across in its first column. Read row by row, each row
    let go once read: the whole tree of a 100,000-row export would take a gigabyte. ``progress``:
    told the share of the file read."""
    import xml.etree.ElementTree as ET

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", _page_text(path), count=1)  # its encoding= is read: expat knows no GBK
    parser = ET.XMLPullParser(events=("end",))
    sheets: list[tuple[str, list[list[Any]], bool]] = []
    sheet = _XmlSheet()
    collecting = gc.isenabled()
    gc.disable()  # elements come and go by the million, in no cycles: collecting would double the time
    try:
        for piece in itertools.chain(_pieces(text, progress), [None]):  # None: the end
            if piece is not None:
                parser.feed(piece)
            else:
                parser.close()
            for _, element in parser.read_events():
                if element.tag == _SS_ROW:
                    sheet.row(element)
                    element.clear()  # read: let its cells go
                elif element.tag == _SS_WORKSHEET:
                    visible = element.find(f"{_X}WorksheetOptions/{_X}Visible")
                    hidden = visible is not None and (visible.text or "").strip() in ("SheetHidden", "SheetVeryHidden")
                    sheets.append((element.get(f"{_SS}Name") or f"Sheet{len(sheets) + 1}", sheet.rows_read(), hidden))
                    element.clear()
                    sheet = _XmlSheet()
    except ET.ParseError as exc:
        raise LedgerError(f"{path}: cannot read the Excel 2003 XML spreadsheet ({exc})") from None
    finally:
        if collecting:
            gc.enable()
    return sheets


_PIECE = 1 << 20  # characters of a page or an XML file handed to its parser at a time


def _pieces(text: str, progress: Callable[[float], None] | None) -> Iterator[str]:
    """``text`` in pieces for a parser, telling ``progress`` the share handed over before each."""
    for at in range(0, len(text), _PIECE):
        if progress:
            progress(at / len(text))
        yield text[at: at + _PIECE]


class _XmlSheet:
    """One worksheet of an Excel 2003 XML spreadsheet, its rows taken one at a time. A row's own
    cells come first; a cell merged across, or down from a row above (the upper merge first), fills
    only the places no cell holds yet."""

    def __init__(self) -> None:
        self.rows: list[list[Any]] = []  # None where no cell is
        self.down: list[tuple[int, int, Any, int]] = []  # merged down: column, rows still to fill, value, across

    def row(self, element: Any) -> None:
        at = _index(element, len(self.rows) - 1, _XLS_ROWS)
        while len(self.rows) < at:  # rows left out above it: blank but for cells merged down into them
            self._carry(self._new_row())
        cells, starting = self._new_row(), []
        c = -1
        for cell in element.iter(_SS_CELL):
            c = _index(cell, c, _XLS_COLUMNS)
            across = min(_span(cell.get(_SS_ACROSS), 0), _MAX_MERGE_ACROSS)
            got = _xml_value(cell.find(_SS_DATA))
            _put(cells, c, across, got)
            if down := _span(cell.get(_SS_DOWN), 0):
                starting.append((c, down, got, across))
            c += across
        self._carry(cells)
        self.down += starting  # from the next row on: a merge past the sheet's last row ends there

    def _new_row(self) -> list[Any]:
        self.rows.append([])
        return self.rows[-1]

    def _carry(self, cells: list[Any]) -> None:
        """The cells merged down from rows above into this row; none into a row with no value of
        its own, which stays blank, as a sheet's merged cells leave it."""
        if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in cells):
            for col, _, got, across in self.down:
                _put(cells, col, across, got)
        self.down = [(col, left - 1, got, across) for col, left, got, across in self.down if left > 1]

    def rows_read(self) -> list[list[Any]]:
        width = max((len(r) for r in self.rows), default=0)
        return [["" if v is None else v for v in r] + [""] * (width - len(r)) for r in self.rows]


def _put(cells: list[Any], col: int, across: int, got: Any) -> None:
    """A cell's value at ``col`` and "" in the ``across`` columns right of it, where no cell is yet."""
    if len(cells) <= col + across:
        cells.extend([None] * (col + across + 1 - len(cells)))
    for c in range(col, col + across + 1):
        if cells[c] is None:
            cells[c] = got if c == col else ""


def _xml_value(data: Any) -> Any:
    """A ``Data`` element's value by its ``ss:Type``: numbers as float, DateTime as datetime,
    Boolean as bool, anything else (or unreadable as its type) as its text; "" for no element."""
    if data is None:
        return ""
    text, kind = "".join(data.itertext()), data.get(_SS_TYPE)
    try:
        if kind == "Number":
            return float(text)
        if kind == "DateTime":
            return dt.datetime.fromisoformat(text.strip()[:19])
    except ValueError:
        return text
    return text == "1" if kind == "Boolean" else text


_XLS_ROWS, _XLS_COLUMNS = 1_048_576, 16_384  # a sheet's size in Excel


def _index(element: Any, before: int, most: int) -> int:
    """A row's or cell's position (0-based): its ``ss:Index`` (1-based, never before the one
    after ``before``), else the one after ``before``; never past Excel's last (``most``)."""
    try:
        return min(max(int(element.get(_SS_INDEX) or 0) - 1, before + 1), most - 1)
    except ValueError:
        return min(before + 1, most - 1)


# Byte order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xef\xbb\xbf", "utf-8-sig"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte order mark at the start of ``data`` names (a text ledger's, a web page's)."""
    return next((enc for bom, enc in _BOMS if data.startswith(bom)), None)


_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?([A-Za-z0-9_-]+)""")


def _page_text(path: Path) -> str:
    """An HTML page's or an XML file's text: by its byte order mark, else the charset (encoding)
    its head declares (GB2312 and GBK read as GB18030, their superset), else UTF-8, else GB18030."""
    data = path.read_bytes()
    if codec := bom_encoding(data):
        return data.decode(codec, errors="replace")
    declared = _CHARSET.search(data[:4096])
    tried = [declared[1].decode("ascii").lower()] if declared else []
    tried = ["gb18030" if c in ("gb2312", "gbk", "cp936", "x-gbk") else c for c in tried] + ["utf-8", "gb18030"]
    for codec in tried:
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("gb18030", errors="replace")


_MAX_COLSPAN = 1_000  # HTML's own limit


class _Grid:
    """One HTML table's rows of cells, spans taken into account. A cell spanning rows is carried
    into each row begun below it (a span past the table's last row ends there, as in a browser),
    but for a row with no text of its own, which stays blank, as a sheet's merged cells leave it."""

    def __init__(self) -> None:
        self.rows: list[dict[int, str]] = []
        self.carried_into: list[set[int]] = []  # each row's columns that cells spanning down fill
        self.col = 0
        self.carried: dict[int, tuple[int, str, int]] = {}  # column: rows still to fill, value, colspan
        self.open: tuple[int, int] | None = None  # the cell being read: its rowspan and colspan
        self.parts: list[str] = []

    def new_row(self) -> None:
        self.end_cell()
        row: dict[int, str] = {}
        for col, (left, value, colspan) in list(self.carried.items()):
            self._place(row, col, value, colspan)
            if left > 1:
                self.carried[col] = (left - 1, value, colspan)
            else:
                del self.carried[col]
        self.rows.append(row)
        self.carried_into.append(set(row))
        self.col = 0

    def start_cell(self, rowspan: int, colspan: int) -> None:
        self.end_cell()
        if not self.rows:
            self.new_row()
        while self.col in self.rows[-1]:  # taken by a cell spanning down from a row above
            self.col += 1
        self.open, self.parts = (rowspan, colspan), []

    def text(self, data: str) -> None:
        if self.open is not None:
            self.parts.append(data)

    def end_cell(self) -> None:
        if self.open is None:
            return
        (rowspan, colspan), self.open = self.open, None
        value = "\n".join(" ".join(line.split()) for line in "".join(self.parts).split("\n")).strip()
        self._place(self.rows[-1], self.col, value, colspan)
        if rowspan > 1:
            self.carried[self.col] = (rowspan - 1, value, colspan)
        self.col += colspan

    @staticmethod
    def _place(row: dict[int, str], col: int, value: str, colspan: int) -> None:
        for c in range(col, col + colspan):
            row.setdefault(c, value if c == col else "")

    def table(self) -> list[list[str]]:
        self.end_cell()
        width = max((max(row) + 1 for row in self.rows if row), default=0)
        return [[row.get(c, "") for c in range(width)] if any(v.strip() for k, v in row.items() if k not in carried)
                else [""] * width for row, carried in zip(self.rows, self.carried_into)] if width else []


class _Tables(HTMLParser):
    """Every ``<table>`` of a page as rows of cell texts (a table inside a cell is a table of its
    own); cells and rows need not be closed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._open: list[_Grid] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._open.append(_Grid())
        elif not self._open:
            return
        elif tag == "tr":
            self._open[-1].new_row()
        elif tag in ("td", "th"):
            spans = dict(attrs)
            self._open[-1].start_cell(_span(spans.get("rowspan")), min(_span(spans.get("colspan")), _MAX_COLSPAN))
        elif tag == "br":
            self._open[-1].text("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "table":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self._open:
            return
        if tag in ("td", "th", "tr"):
            self._open[-1].end_cell()
        elif tag == "table":
            self.tables.append(self._open.pop().table())

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].text(re.sub(r"\s+", " ", data))

    def close(self) -> None:
        super().close()
        while self._open:  # tables left open at the end of the page
            self.tables.append(self._open.pop().table())


def _span(value: str | None, default: int = 1) -> int:
    """A rowspan or colspan attribute as a number of cells (``default`` when missing or not a
    number); also how many cells a SpreadsheetML cell is merged over (default 0)."""
    if value is None:
        return default
    try:
        return max(int(str(value).strip()), default)
    except ValueError:
        return default


# python-calamine holds a decoded sheet as one cell per row and column of its extent, a few dozen
# bytes each: a stray cell in column XFD of a 20,000-row sheet asked for 10 GB. A sheet is refused
# before it is decoded when its extent is wider than any ledger and large, or simply too large.
MAX_SHEET_CELLS = 60_000_000
WIDE_SHEET_COLUMNS, MAX_WIDE_SHEET_CELLS = 1_000, 4_000_000
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')
_SHEET = re.compile(rb'<(?:\w+:)?sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_TARGET = re.compile(rb'<Relationship [^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|<Relationship [^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name and the zip member holding its XML, in an xlsx/xlsm workbook."""
    book, rels = z.read("xl/workbook.xml"), z.read("xl/_rels/workbook.xml.rels")
    targets = {}
    for m in _TARGET.finditer(rels):
        rid, target = (m[1], m[2]) if m[1] else (m[4], m[3])
        targets[rid] = target.decode("utf-8").lstrip("/")
    parts = {}
    for m in _SHEET.finditer(book):
        target = targets.get(m[2])
        if target is not None:
            parts[_xml_text(m[1])] = target if target.startswith("xl/") else f"xl/{target}"
    return parts


_RELATIONSHIP = re.compile(rb"<Relationship\b([^>]*)>")
_REL_TYPE, _REL_TARGET = re.compile(rb'\bType="([^"]*)"'), re.compile(rb'\bTarget="([^"]*)"')


def _related(z: zipfile.ZipFile, part: str, kind: bytes) -> list[str]:
    """The zip members that ``part`` relates with a relationship of type ``kind`` (its last word:
    drawing, chart), from its .rels member."""
    folder, name = posixpath.split(part)
    try:
        rels = z.read(f"{folder}/_rels/{name}.rels")
    except KeyError:
        return []
    found = []
    for rel in _RELATIONSHIP.finditer(rels):
        kind_of, target = _REL_TYPE.search(rel[1]), _REL_TARGET.search(rel[1])
        if kind_of is not None and target is not None and kind_of[1].endswith(b"/" + kind):
            to = _xml_text(target[1])
            found.append(to.lstrip("/") if to.startswith("/") else posixpath.normpath(posixpath.join(folder, to)))
    return found


def holds_chart(path: Path, part: str) -> bool:
    """Whether the worksheet in zip member ``part`` of an xlsx/xlsm workbook shows a chart (a
    drawing of its own relates one); False when that cannot be read."""
    try:
        with zipfile.ZipFile(path) as z:
            return any(_related(z, drawing, b"chart") for drawing in _related(z, part, b"drawing"))
    except ZIP_ERRORS:
        return False


# What reading a damaged workbook's zip members raises (a cut file, bytes overwritten in a
# member's compressed data, a header bit that asks for a zip feature zipfile lacks: encryption,
# a later version): the workbook's parts are then read as absent, and python-calamine says what
# is wrong with the file.
ZIP_ERRORS = (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, zlib.error, NotImplementedError)


def damaged_part(path: Path, part: str) -> str | None:
    """What is wrong with zip member ``part`` of the workbook at ``path`` (a sheet's XML, its shared
    strings, an .ods's content.xml), said for a message: missing, not to be unzipped, not XML, or
    XML cut short or broken at a place, named by its cell (or row) where a sheet's XML says it
    (the last one begun before the break). None when it reads as XML: python-calamine's own words
    then stand."""
    try:
        with zipfile.ZipFile(path) as z:
            data = z.read(part)
    except KeyError:
        return f"damaged: {part} is missing from the file"
    except ZIP_ERRORS as exc:
        return f"damaged: {part} cannot be unzipped: {short_error(exc)}"
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(data, False)
    except xml.parsers.expat.ExpatError as exc:  # broken where it stands
        at = parser.ErrorByteIndex
        if not data[:at].strip():
            return f"damaged: {part} is not XML"
        return f"damaged: {part} is not well-formed XML{_place_before(data, at)} " \
               f"({xml.parsers.expat.errors.messages[exc.code]})"
    try:
        parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError:  # good as far as it goes
        return f"damaged: {part} is {'cut short' if data.strip() else 'empty'}{_place_before(data, len(data))}"
    return None


_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3}[0-9]+)"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]+)"')


def _place_before(xml_data: bytes, at: int) -> str:
    """Where in a sheet byte ``at`` of its XML falls: ' in cell B12' (the last cell begun before
    it), else ' in row 12', else nothing (not a sheet's XML, or before its first row)."""
    start = max(0, at - 65536)  # a cell's or a row's start is not farther back than that
    window = xml_data[start:at]
    row = next(reversed(list(_ROW_REF.finditer(window))), None)
    cell = next(reversed(list(_CELL_REF.finditer(window))), None)
    if cell is not None and (row is None or cell.start() > row.start()):
        return f" in cell {cell[1].decode()}"
    return f" in row {row[1].decode()}" if row is not None else ""


def damaged_parts(path: Path) -> str | None:
    """What is wrong with the first damaged XML member of the zip workbook at ``path``
    (:func:`damaged_part`), the parts read on opening it before the sheets; None for none."""
    try:
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.endswith((".xml", ".rels"))]
    except ZIP_ERRORS:
        return None
    names.sort(key=lambda n: n.startswith("xl/worksheets/"))
    return next((why for n in names if (why := damaged_part(path, n)) is not None), None)


def _parts(path: Path) -> dict[str, str]:
    """Each sheet's name and its XML member in an xlsx/xlsm workbook; none when they cannot be read
    (python-calamine then says what is wrong with the file)."""
    try:
        with zipfile.ZipFile(path) as z:
            return _sheet_parts(z)
    except ZIP_ERRORS:
        return {}


def oversized_sheets(path: Path, parts: dict[str, str]) -> dict[str, str]:
    """The sheets of an xlsx/xlsm workbook (``parts``: :func:`_parts`) whose recorded extent
    (``<dimension>``) is too large to decode (:data:`MAX_SHEET_CELLS`), each with why; empty when
    the workbook does not record its extents."""
    try:
        with zipfile.ZipFile(path) as z:
            found = {}
            for name, part in parts.items():
                with z.open(part) as fh:
                    dim = _DIMENSION.search(fh.read(4096))
                if dim is None or dim[3] is None:
                    continue
                rows = int(dim[4]) - int(dim[2]) + 1
                cols = _column_number(dim[3]) - _column_number(dim[1]) + 1
                ref = f"{dim[1].decode()}{dim[2].decode()}:{dim[3].decode()}{dim[4].decode()}"
                if (why := _too_many_cells(ref, rows, cols)) is not None:
                    found[name] = why
            return found
    except ZIP_ERRORS:
        return {}


def _too_many_cells(ref: str, rows: int, cols: int) -> str | None:
    """Why a sheet whose recorded extent is ``ref``, ``rows`` by ``cols``, is not decoded, or None."""
    if rows * cols > MAX_SHEET_CELLS or (cols > WIDE_SHEET_COLUMNS and rows * cols > MAX_WIDE_SHEET_CELLS):
        return (f"it spans {ref}, {rows:,} rows by {cols:,} columns, too many cells to read: a stray "
                "cell far beyond the table? delete the rows and columns after the table and save")
    return None


def _xls_extents(stream: bytes) -> dict[str, str]:
    """The sheets of an .xls (BIFF8) workbook stream whose recorded extent (DIMENSIONS) is too large
    to decode, or ends above where it starts, as in a damaged file (python-calamine, which decodes
    every sheet as it opens the workbook, counts the rows between as billions and asks for memory
    for them all), each with why."""
    found = {}
    for start, name in _xls_sheets(stream):
        at = start + 4 + struct.unpack_from("<H", stream, start + 2)[0]  # past the sheet's BOF
        while at + 4 <= len(stream):
            kind, length = struct.unpack_from("<HH", stream, at)
            if kind in (_BOF, _EOF):  # none recorded (a chart's BOF, or the sheet's end)
                break
            if kind == _DIMENSIONS:
                first_row, end_row, first_col, end_col = struct.unpack_from("<IIHH", stream, at + 4)
                if end_row < first_row:
                    found[name] = (f"its recorded extent is damaged (rows {first_row + 1:,} to {end_row:,}): is it a "
                                   "valid .xls file? save it again in Excel or WPS")
                elif end_row > first_row and end_col > first_col:
                    from xlsxwriter.utility import xl_rowcol_to_cell as cell  # the cells as Excel names them

                    ref = f"{cell(first_row, first_col)}:{cell(end_row - 1, end_col - 1)}"
                    if (why := _too_many_cells(ref, end_row - first_row, end_col - first_col)) is not None:
                        found[name] = why
                break
            at += 4 + length
    return found


# Cells python-calamine reads as blank although the sheet shows something: an error (#REF!,
# #DIV/0!: t="e") and a formula saved without its result (written by a program, not by Excel).
_CELL = re.compile(rb'<c\b([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_FORMULA = re.compile(rb'<f\b[^>]*?(?:/>|>(.*?)</f>)', re.S)
_VALUE = re.compile(rb'<v>(.*?)</v>|<v/>', re.S)
# A row hidden in Excel (by hand, by a filter, in a collapsed outline): hidden="1" in its <row> tag;
# or dragged to no height, ht="0" (Excel shows neither). One search for both (a column says
# hidden="1" too, in its <col> tag: only a row tag around the match counts).
_HIDING = re.compile(rb'h(?:idden="[1t]|t="0(?:\.0*)?")')
_ROW_TAG = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]{1,7})"[^>]*>')  # with the row's number
# A column hidden in Excel: hidden="1" in a <col> tag of the <cols> before <sheetData>, or dragged
# to no width (width="0"); a tag covers the columns min to max (1-based).
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b")
_COL_TAG = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")
_COL_HIDING = re.compile(rb'\b(?:hidden="[1t]|width="0(?:\.0*)?")')
_COL_SPAN = (re.compile(rb'\bmin="([0-9]{1,5})"'), re.compile(rb'\bmax="([0-9]{1,5})"'))
NO_RESULT = "（公式，未保存计算结果）"
_SCAN_BYTES = 1 << 20


def shown_cells(path: Path, part: str, hidden_rows: list[int] | None = None,
                hidden_columns: list[tuple[int, int]] | None = None) -> dict[tuple[int, int], str]:
    """Cells of one sheet (zip member ``part`` of an xlsx/xlsm) that python-calamine reads as blank
    but that show something, by (row, column), 0-based: an error cell as Excel shows it
    (``#REF!``), a formula without its saved result as ``=FORMULA（公式，未保存计算结果）``. The XML
    is read in pieces (a large sheet is never held whole); most sheets have none. In the same
    pass, the numbers of the rows hidden in Excel (1-based, as Excel shows them; read like any
    other row) are added to ``hidden_rows`` when it is given, and the columns hidden in Excel to
    ``hidden_columns``, as (first, last) ranges of 0-based sheet columns."""
    found: dict[tuple[int, int], str] = {}
    hidden = [] if hidden_rows is None else hidden_rows
    head: bytes | None = b""  # the XML before <sheetData, its <cols> included, until it is whole
    with zipfile.ZipFile(path) as z, z.open(part) as fh:
        carry = b""  # the start of a row the last piece ended in
        while data := fh.read(_SCAN_BYTES):
            if head is not None and (data_at := _SHEET_DATA.search(head := head + data)) is not None:
                _hidden_columns(head[: data_at.start()], hidden_columns)
                head = None
            first, last = data.find(b"</row>") + 6, data.rfind(b"</row>") + 6
            if first < 6:
                carry += data
                continue
            # a piece's whole rows are scanned where they are: joining it to the row before
            # (about 1 MB copied each time) cost as much as a search of the piece
            _scan(carry + data[:first], 0, None, found, hidden)
            _scan(data, first, last, found, hidden)
            carry = data[last:]
        _scan(carry, 0, None, found, hidden)
    if head:  # no <sheetData> at all
        _hidden_columns(head, hidden_columns)
    return found


def _hidden_columns(xml: bytes, out: list[tuple[int, int]] | None) -> None:
    """Add the ranges of the columns the <col> tags of ``xml`` hide to ``out`` (0-based)."""
    if out is None:
        return
    for tag in _COL_TAG.finditer(xml):
        first, last = (span.search(tag[1]) for span in _COL_SPAN)
        if first is not None and _COL_HIDING.search(tag[1]):
            out.append((int(first[1]) - 1, int((last or first)[1]) - 1))


def _scan(xml: bytes, start: int, end: int | None, found: dict[tuple[int, int], str], hidden: list[int]) -> None:
    """Add the error and unsaved-formula cells of the whole rows of ``xml[start:end]`` to
    ``found``, the numbers of its hidden rows to ``hidden``: only the tag around each hidden="1"
    or ht="0" is looked at (hidden columns say it too, in <col> tags)."""
    end = len(xml) if end is None else end
    rows: set[int] = set()

    def row_at(at: int) -> None:
        tag = _ROW_TAG.match(xml, max(start, xml.rfind(b"<", start, at)), end)
        if tag is not None and tag.end() > at:
            rows.add(int(tag[1]))

    for hiding in _HIDING.finditer(xml, start, end):
        if xml[hiding.start() - 1 : hiding.start()] == b" ":
            row_at(hiding.start())
    hidden.extend(sorted(rows))
    for find in (_error_type, _formula_tag):
        at = find(xml, start, end)
        while at >= 0:
            begin = xml.rfind(b"<c ", start, at)
            cell = _CELL.match(xml, begin, end) if begin >= 0 else None
            if cell is not None and cell.end() > at:
                _one_cell(cell, found)
            at = find(xml, at + 1 if cell is None else max(at + 1, cell.end()), end)


def _error_type(xml: bytes, start: int, end: int) -> int:
    """Where the next error cell's type (t="e") is in ``xml[start:end]``, -1 if none."""
    return xml.find(b't="e"', start, end)


def _formula_tag(xml: bytes, start: int, end: int) -> int:
    """Where the next <f tag is in ``xml[start:end]``, -1 if none (<f also starts <filterColumn:
    no cell encloses that). The rare f is looked for, then the < before it: a search for <f
    stopped at every tag's <, and took a quarter of the scan."""
    at = xml.find(b"f", start, end)
    while at >= 0 and (at == start or xml[at - 1] != 0x3C):  # <
        at = xml.find(b"f", at + 1, end)
    return at - 1 if at >= 0 else -1


def _one_cell(cell: re.Match, found: dict[tuple[int, int], str]) -> None:
    ref, kind = _REF.search(cell[1]), _TYPE.search(cell[1])
    if ref is None:
        return
    inner = cell[2] or b""
    value, formula = _VALUE.search(inner), _FORMULA.search(inner)
    at = (int(ref[2]) - 1, _column_number(ref[1]) - 1)
    if kind is not None and kind[1] == b"e":
        if value is not None and value[1]:
            found[at] = _xml_text(value[1])
    elif formula is not None and (value is None or (not value[1] and (kind is None or kind[1] != b"str"))):
        found[at] = f"={_xml_text(formula[1])}{NO_RESULT}" if formula[1] else NO_RESULT


def _scan_sheet(path: Path, part: str) -> Scanned:
    """A sheet's cells shown but read as blank, its hidden rows and its hidden columns (:func:`shown_cells`)."""
    hidden: list[int] = []
    columns: list[tuple[int, int]] = []
    return shown_cells(path, part, hidden, columns), hidden, [], columns


# a sheet's shown cells, hidden rows, (where python-calamine gives none: .ods) merged ranges and
# hidden columns (ranges of 0-based sheet columns, first and last)
Scanned = tuple[dict[tuple[int, int], str], list[int], list[tuple[tuple[int, int], tuple[int, int]]],
                list[tuple[int, int]]]
NOTHING_SCANNED: Scanned = ({}, [], [], [])


def _never_raising(scan):
    """``scan`` of a whole workbook file, returning nothing when the file is damaged or not what it
    is named: python-calamine's own read of it then stands, or says what is wrong."""
    @functools.wraps(scan)
    def scanned(path: Path, wanted: Collection[str]) -> dict[str, Scanned]:
        try:
            return scan(path, wanted)
        except (*ZIP_ERRORS, struct.error, IndexError, MemoryError):
            return {}
    return scanned


# An OpenDocument spreadsheet (.ods): content.xml holds every sheet. An error cell says so in its
# calcext:value-type (its text:p is what the sheet shows: #N/A, Err:502); a hidden row says
# table:visibility="collapse" (hidden by hand, or a collapsed group) or "filter"; a merged cell
# spans rows with table:number-rows-spanned (python-calamine gives no merged ranges for .ods).
_ODS_MARKS = (b'calcext:value-type="error"', b'table:visibility="', b'table:number-rows-spanned="')
_ODS_ROWS_SPANNED = re.compile(rb'\btable:number-rows-spanned="([0-9]{1,7})"')
_ODS_COLS_SPANNED = re.compile(rb'\btable:number-columns-spanned="([0-9]{1,7})"')
_ODS_TABLE, _ODS_ROW, _ODS_ROW_END = b"<table:table ", b"<table:table-row", b"</table:table-row>"
_ODS_NAME = re.compile(rb'\btable:name="([^"]*)"')
_ODS_ROWS = re.compile(rb'\btable:number-rows-repeated="([0-9]{1,7})"')
_ODS_COLS = re.compile(rb'\btable:number-columns-repeated="([0-9]{1,7})"')
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)(/?)>")
_ODS_CELL_END = b"</table:table-cell>"
_ODS_COLUMN = re.compile(rb"<table:table-column(?=[\s/>])([^>]*?)/?>")
_ODS_VISIBILITY = re.compile(rb'\btable:visibility="([^"]*)"')
_ODS_NOTE = re.compile(rb"<office:annotation\b.*?</office:annotation>", re.S)
_ODS_PARAGRAPH = re.compile(rb"<text:p\b[^>]*>(.*?)</text:p>", re.S)
_TAGS = re.compile(rb"<[^>]*>")
_ODS_HAS_VALUE = (b"office:value-type", b"<text:p")
MAX_REPEATED_ERRORS = 1_000  # an error cell repeated down or across: this many each way at most


def _has_marks(z: zipfile.ZipFile) -> bool:
    """Whether content.xml says error or visibility anywhere (read in pieces, held once)."""
    keep = max(len(m) for m in _ODS_MARKS) - 1
    with z.open("content.xml") as fh:
        tail = b""
        while data := fh.read(_SCAN_BYTES):
            piece = tail + data
            if any(m in piece for m in _ODS_MARKS):
                return True
            tail = piece[-keep:]
    return False


@_never_raising
def ods_shown_cells(path: Path, wanted: Collection[str]) -> dict[str, Scanned]:
    """The error cells and hidden rows of the sheets ``wanted`` in an .ods workbook, by sheet name
    (as for xlsx, :func:`shown_cells`: error cells by 0-based (row, column) of the sheet, as the
    sheet shows them; hidden rows 1-based, those holding a value). Most files have neither: a
    byte search says so and nothing is parsed; else content.xml is read in pieces, whole rows at a
    time, and only the rows holding an error are looked into cell by cell."""
    with zipfile.ZipFile(path) as z:
        if not _has_marks(z):
            return {}
        state = _OdsSheets(set(wanted))
        with z.open("content.xml") as fh:
            carry = b""
            while data := fh.read(_SCAN_BYTES):
                carry = state.scan(carry + data)
            state.scan(carry)
    return {name: found for name, found in state.sheets.items() if any(found)}


class _OdsSheets:
    """The scan of content.xml: the sheet and row it is at, and what it found in each sheet."""

    def __init__(self, wanted: set[str]):
        self.wanted, self.sheets = wanted, {}
        self.row, self.found = 0, None  # found: the current sheet's, when it is wanted

    def scan(self, xml: bytes) -> bytes:
        """Scan the whole rows of ``xml``; return its rest (a row not ended, to come again)."""
        at, table = 0, xml.find(_ODS_TABLE)
        while (row := xml.find(_ODS_ROW, at)) >= 0:
            while 0 <= table < row:
                self._sheet(xml, table)
                table = xml.find(_ODS_TABLE, table + 1)
            tag_end = xml.find(b">", row)
            if tag_end < 0:
                return xml[row:]
            if xml[row + len(_ODS_ROW)] not in b" />":  # <table:table-rows>, <table:table-row-group>
                at = tag_end + 1
                continue
            closed = xml[tag_end - 1] == 0x2F  # <table:table-row .../>
            end = tag_end + 1 if closed else xml.find(_ODS_ROW_END, tag_end)
            if end < 0:
                return xml[row:]
            repeated = _ODS_ROWS.search(xml, row, tag_end)
            count = int(repeated[1]) if repeated else 1
            if self.found is not None:
                self._row(xml, row, tag_end, end, count)
            self.row += count
            at = end if closed else end + len(_ODS_ROW_END)
        while 0 <= table:
            self._sheet(xml, table)
            table = xml.find(_ODS_TABLE, table + 1)
        return xml[at:] if at else xml

    def _sheet(self, xml: bytes, at: int) -> None:
        name = _ODS_NAME.search(xml, at, xml.find(b">", at))
        self.row, self.found = 0, None
        if name is not None and (text := _xml_text(name[1])) in self.wanted:
            self.found = self.sheets.setdefault(text, ({}, [], [], []))
            self._columns(xml, at)

    def _columns(self, xml: bytes, at: int) -> None:
        """The sheet's hidden columns, from its <table:table-column> tags (before its first row;
        found again whole when the piece cut them: a table not followed by a row is scanned again)."""
        end = xml.find(_ODS_ROW, at)
        column, hidden = 0, self.found[3]
        hidden.clear()
        for tag in _ODS_COLUMN.finditer(xml, at, len(xml) if end < 0 else end):
            repeated = _ODS_COLS.search(tag[1])
            across = int(repeated[1]) if repeated else 1
            visibility = _ODS_VISIBILITY.search(tag[1])
            if visibility is not None and visibility[1] != b"visible":
                hidden.append((column, column + across - 1))
            column += across

    def _row(self, xml: bytes, row: int, tag_end: int, end: int, count: int) -> None:
        cells, hidden, merged, _ = self.found
        visibility = xml.find(_ODS_MARKS[1], row, tag_end)
        if visibility >= 0 and not xml.startswith(b'visible"', visibility + len(_ODS_MARKS[1])) and any(
                xml.find(mark, tag_end, end) >= 0 for mark in _ODS_HAS_VALUE):
            hidden.extend(range(self.row + 1, self.row + 1 + count))
        errors, spans = (xml.find(mark, tag_end, end) >= 0 for mark in (_ODS_MARKS[0], _ODS_MARKS[2]))
        if not (errors or spans):
            return
        column = 0
        for cell in _ODS_CELL.finditer(xml, tag_end, end):
            repeated = _ODS_COLS.search(cell[1])
            across = int(repeated[1]) if repeated else 1
            if spans and (down := _ODS_ROWS_SPANNED.search(cell[1])) and int(down[1]) > 1:
                wide = _ODS_COLS_SPANNED.search(cell[1])
                merged.append(((self.row, column), (self.row + int(down[1]) - 1, column + (int(wide[1]) if wide else 1) - 1)))
            if errors and _ODS_MARKS[0] in cell[1] and not cell[2]:
                shown = _ods_text(xml[cell.end() : xml.find(_ODS_CELL_END, cell.end(), end)])
                for r in range(self.row, self.row + min(count, MAX_REPEATED_ERRORS)):
                    for c in range(column, column + min(across, MAX_REPEATED_ERRORS)):
                        cells[(r, c)] = shown
            column += across


def _ods_text(inner: bytes) -> str:
    """What a cell shows: its first paragraph, a comment on it left out."""
    paragraph = _ODS_PARAGRAPH.search(_ODS_NOTE.sub(b"", inner))
    return _xml_text(_TAGS.sub(b"", paragraph[1])) if paragraph else ""


# An Excel 97-2003 workbook (.xls): BIFF8 records in the Workbook stream of an OLE2 (compound
# file) container. BOUNDSHEET names each sheet and where its records start; there, BOOLERR and
# FORMULA records hold error cells, ROW records say a row is hidden, COLINFO records that columns are.
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CFB_LAST = 0xFFFFFFFA  # sector ids from here on end a chain or mark free and special sectors
_BOF, _EOF, _BOUNDSHEET, _FILEPASS = 0x0809, 0x000A, 0x0085, 0x002F
_DIMENSIONS = 0x0200
_XLS_FORMULA, _BOOLERR, _XLS_ROW, _COLINFO = 0x0006, 0x0205, 0x0208, 0x007D
_XLS_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
               0x2A: "#N/A"}
# Records that may be error cells, hidden rows or hidden columns, found by their bytes: a sheet
# without any is not walked record by record (a match inside other data only costs that walk).
_XLS_MAY_FIND = re.compile(rb"\x06\x00.{8}\x02.[\x00\x07\x0f\x17\x1d\x24\x2a].{3}\xff\xff|\x05\x02\x08\x00.{7}\x01|"
                           rb"\x08\x02\x10\x00.{12}[\x20-\x3f\x60-\x7f\xa0-\xbf\xe0-\xff]|"
                           rb"\x7d\x00\x0c\x00.{8}[" + b"".join(re.escape(bytes([b])) for b in range(1, 256, 2)) + rb"]",
                           re.S)


def _uint32s(data: bytes) -> array:
    values = array("I", data[: len(data) // 4 * 4])
    if sys.byteorder == "big":
        values.byteswap()
    return values


def cfb_stream(data: bytes, name: str) -> bytes | None:
    """The stream called ``name`` in an OLE2 compound file (header, FAT from the DIFAT, directory,
    the mini stream for small streams); None when there is none. A damaged file raises ValueError,
    IndexError or struct.error."""
    if not data.startswith(_CFB):
        return None
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if not 7 <= shift <= 16 or not 2 <= mini_shift < shift:
        raise ValueError("bad sector size")
    size = 1 << shift
    fats, first_dir, _, cutoff, first_mini, _, first_difat, difats = struct.unpack_from("<8I", data, 0x2C)

    def sector(at: int) -> bytes:  # the last one perhaps cut short, as python-calamine reads it
        start = (at + 1) * size
        if start >= len(data):
            raise ValueError("a sector beyond the end of the file")
        return data[start : start + size]

    ids = list(_uint32s(data[0x4C:0x200]))
    for _ in range(min(difats, len(data) // size)):  # more than the file holds: the chain loops
        if first_difat >= _CFB_LAST:
            break
        more = _uint32s(sector(first_difat))
        ids.extend(more[:-1])
        first_difat = more[-1]
    fat = _uint32s(b"".join(sector(i) for i in ids[:fats] if i < _CFB_LAST))

    def chain(at: int, table: array) -> list[int]:
        found = []
        while at < _CFB_LAST:
            if len(found) > len(table):
                raise ValueError("a sector chain loops")
            found.append(at)
            at = table[at]
        return found

    directory = b"".join(sector(i) for i in chain(first_dir, fat))
    if len(directory) % 128:
        raise ValueError("a directory entry cut short")
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    for entry in entries:
        length = min(struct.unpack_from("<H", entry, 0x40)[0], 64)
        if entry[0x42] == 2 and entry[: max(0, length - 2)].decode("utf-16-le").lower() == name.lower():
            start, stream_size = struct.unpack_from("<II", entry, 0x74)
            if stream_size >= cutoff:
                return b"".join(sector(i) for i in chain(start, fat))[:stream_size]
            root_start, root_size = struct.unpack_from("<II", entries[0], 0x74)
            mini_stream = b"".join(sector(i) for i in chain(root_start, fat))[:root_size]
            mini_fat = _uint32s(b"".join(sector(i) for i in chain(first_mini, fat)))
            mini = 1 << mini_shift
            return b"".join(mini_stream[i * mini : (i + 1) * mini] for i in chain(start, mini_fat))[:stream_size]
    return None


def _unreadable_xls(path: Path, data: bytes) -> LedgerError | None:
    """Why python-calamine cannot be given an OLE2 compound file (an .xls: its ``data``), or None. Reading the
    sectors on the way to its workbook stream, it follows a chain that loops until it has taken all
    the memory there is, and panics at a sector beyond the file, its Rust backtrace on stderr (an
    .xls cut, or spliced); a sheet's extent it asks memory for, too (:func:`_xls_extents`)."""
    try:
        stream = cfb_stream(data, "Workbook") or cfb_stream(data, "Book")  # Excel 97 and later's, Excel 5's
        extents = _xls_extents(stream) if stream is not None else {}
    except ValueError as exc:
        why = str(exc)
    except (IndexError, struct.error):
        why = "a sector table beyond the file"
    else:
        for name, why in extents.items():
            return LedgerError(f"{path} [{name}]: {why}")
        return None
    return LedgerError(f"{path}: cannot read the workbook (damaged: {why}); is it a valid {path.suffix} file?")


@_never_raising
def xls_shown_cells(path: Path, wanted: Collection[str]) -> dict[str, Scanned]:
    """The error cells and hidden rows of the sheets ``wanted`` in an .xls (BIFF8) workbook, by
    sheet name, as :func:`ods_shown_cells` gives them (an error as Excel shows it: #N/A). None
    for an encrypted or older (BIFF5) workbook. Only the sheets whose bytes may hold one are read
    record by record."""
    stream = cfb_stream(path.read_bytes(), "Workbook")
    if stream is None:
        return {}
    sheets = _xls_sheets(stream)
    starts = sorted(start for start, _name in sheets) + [len(stream)]
    found = {}
    for start, name in sheets:
        end = starts[starts.index(start) + 1]
        if name in wanted and _XLS_MAY_FIND.search(stream, start, end):
            result = _xls_sheet(stream, start)
            if any(result):
                found[name] = result
    return found


def _xls_sheets(stream: bytes) -> list[tuple[int, str]]:
    """Where each sheet's records start and its name, from the workbook globals' BOUNDSHEET
    records; none when the globals are not BIFF8's or the workbook is encrypted."""
    kind, length = struct.unpack_from("<HH", stream, 0)
    if kind != _BOF or struct.unpack_from("<H", stream, 4)[0] != 0x0600:
        return []
    sheets, at = [], 4 + length
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        data = at + 4
        if kind == _EOF:
            break
        if kind == _FILEPASS:
            return []
        if kind == _BOUNDSHEET:
            chars, flags = stream[data + 6], stream[data + 7]
            name = (stream[data + 8 : data + 8 + 2 * chars].decode("utf-16-le") if flags & 1
                    else stream[data + 8 : data + 8 + chars].decode("latin-1"))
            sheets.append((struct.unpack_from("<I", stream, data)[0], name))
        at = data + length
    return sheets


def _xls_sheet(stream: bytes, at: int) -> Scanned:
    """One sheet's error cells, hidden rows and hidden columns, its records walked from its BOF to
    its EOF (a chart's records inside it, between their own BOF and EOF, passed over)."""
    cells: dict[tuple[int, int], str] = {}
    hidden: list[int] = []
    columns: list[tuple[int, int]] = []
    depth, unpack = 0, struct.unpack_from
    while at + 4 <= len(stream):
        kind, length = unpack("<HH", stream, at)
        data = at + 4
        at = data + length
        if kind == _BOF:
            depth += 1
        elif kind == _EOF:
            depth -= 1
            if depth <= 0:
                break
        elif depth != 1:
            continue
        elif kind == _XLS_FORMULA and stream[data + 6] == 2 and stream[data + 12 : data + 14] == b"\xff\xff":
            if (text := _XLS_ERRORS.get(stream[data + 8])) is not None:
                cells[unpack("<HH", stream, data)] = text
        elif kind == _BOOLERR and stream[data + 7] == 1:
            if (text := _XLS_ERRORS.get(stream[data + 6])) is not None:
                cells[unpack("<HH", stream, data)] = text
        elif kind == _XLS_ROW and stream[data + 12] & 0x20:
            hidden.append(unpack("<H", stream, data)[0] + 1)
        elif kind == _COLINFO and stream[data + 8] & 0x01:
            columns.append(unpack("<HH", stream, data))
    return cells, sorted(hidden), [], columns


_BOOK_SCANS = {".ods": ods_shown_cells, ".xls": xls_shown_cells}


def _xml_text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text


def _refuse(reason: str) -> Any:
    """In place of decoding an oversized sheet (:meth:`Decoding.sheet` says why)."""
    raise ValueError(reason)


def sheets_named(names: Sequence[str], wanted: Collection[str]) -> list[str]:
    """The sheets of ``names`` that ``wanted`` names, in order: a sheet named as typed, and for a
    name typed otherwise, each sheet whose name matches it as headers match (full-width forms,
    brackets and spaces: 2026年 台帐(一) names ２０２６年 台帐（一）)."""
    rest = [w for w in wanted if w not in names]
    if not rest:
        return [n for n in names if n in wanted]
    from backlog_cli.parsing import sheet_key  # pandas, which the load is about to import anyway

    keys = {sheet_key(w) for w in rest}
    return [n for n in names if n in wanted or sheet_key(n) in keys]


def _visible(meta) -> bool:
    import python_calamine as pc

    return meta.visible == pc.SheetVisibleEnum.Visible


def _chart_sheet(meta) -> bool:
    import python_calamine as pc

    return meta.typ == pc.SheetTypeEnum.ChartSheet


class Decoding:
    """The sheets of a workbook (those in ``wanted``, in workbook order) decoded on a second
    thread, one ahead of the reader: :meth:`sheet` waits for a sheet, :meth:`start_after` starts
    the next.
    With no ``wanted``, hidden and very hidden sheets are left out (listed in :attr:`hidden`):
    a hidden sheet is often an abandoned copy; a sheet named in ``wanted`` (:func:`sheets_named`)
    is read hidden or not.

    A thread that is not a daemon: the process waits for a decode under way when it ends, rather
    than stopping the thread inside python-calamine's own code."""

    def __init__(self, path: Path, wanted: Collection[str] | None):
        self.path = path
        self.book = open_book(path)
        chosen = None if wanted is None else sheets_named([m.name for m in self.book.sheets_metadata], wanted)
        listed = [m for m in self.book.sheets_metadata if chosen is None or m.name in chosen]
        self.listed = [m.name for m in listed]  # every sheet asked for, hidden or not, in workbook order
        self.hidden = {m.name for m in listed if wanted is None and not _visible(m)}
        self._chart_sheets = {m.name for m in listed if _chart_sheet(m)}
        self.names = [n for n in self.listed if n not in self.hidden]  # the sheets decoded
        kind = path.suffix.lower()
        parts = _parts(path) if kind in (".xlsx", ".xlsm") else {}
        self._parts = parts
        self.oversized = oversized_sheets(path, parts)
        self._scans = ThreadPoolExecutor(max_workers=1)  # beside the decoding: the sheets' XML, for shown()
        self._shown = [self._scans.submit(_scan_sheet, path, parts[n]) if n in parts and n not in self.oversized
                       else None for n in self.names]
        scan_book = _BOOK_SCANS.get(kind)  # an .xls or .ods file is scanned whole, once
        self._book = (self._scans.submit(scan_book, path, [n for n in self.names if n not in self.oversized])
                      if scan_book is not None else None)
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._lock = threading.Lock()
        self._started: list[Future | None] = []
        self._closed = False
        self._start_next()

    def _start_next(self) -> bool:
        """Start decoding the next sheet; False when there is none (or the decoding is closed)."""
        with self._lock:
            at = len(self._started)
            if self._closed or at >= len(self.names):
                return False
            name = self.names[at]
            future = (self._pool.submit(_refuse, self.oversized[name]) if name in self.oversized
                      else self._pool.submit(self.book.get_sheet_by_name, name))
            self._started.append(future)
        future.add_done_callback(self._after_decode)
        return True

    def _after_decode(self, future: Future) -> None:
        if not future.cancelled() and future.exception() is None and future.result().height < SMALL_SHEET_ROWS:
            self._start_next()

    def sheet(self, at: int) -> Any:
        """Sheet ``at`` (a position in :attr:`names`), decoded. The next one is started by
        :meth:`start_after` as the reader nears this one's end (at once when this one is short)."""
        while len(self._started) <= at and self._start_next():
            pass
        future, self._started[at] = self._started[at], None  # the blocks alone keep the decoded sheet
        if (reason := self.oversized.get(self.names[at])) is not None:
            raise LedgerError(f"{self.path} [{self.names[at]}]: {reason}")
        try:
            return future.result()
        except BaseException as exc:
            problem = short_error(_failure(exc))
        part = self._parts.get(self.names[at])
        if part is not None and (why := damaged_part(self.path, part)) is not None:
            raise LedgerError(f"{self.path} [{self.names[at]}]: cannot read the sheet ({why}); "
                              f"is it a valid {self.path.suffix} file?")
        raise LedgerError(f"{self.path} [{self.names[at]}]: cannot read the sheet ({problem})")

    def start_after(self, at: int) -> None:
        """Start decoding the sheet after sheet ``at``, unless it is under way."""
        while len(self._started) <= at + 1 and self._start_next():
            pass

    def shown(self, at: int) -> dict[tuple[int, int], str]:
        """The cells of sheet ``at`` that python-calamine reads as blank but that show an error or
        an unsaved formula (:func:`shown_cells`; for .xls and .ods :func:`xls_shown_cells`,
        :func:`ods_shown_cells`); none when the file cannot be scanned (python-calamine read it:
        its cells stand)."""
        return self._scanned(at)[0]

    def hidden_rows(self, at: int) -> list[int]:
        """The rows of sheet ``at`` hidden in Excel, as Excel numbers them (see :func:`shown_cells`);
        none when the file cannot be scanned."""
        return self._scanned(at)[1]

    def chart(self, at: int) -> bool:
        """Whether sheet ``at`` is a chart sheet, or (xlsx/xlsm) a worksheet that shows a chart:
        asked of a sheet without cells, which then holds nothing but its chart."""
        name = self.names[at]
        return name in self._chart_sheets or (name in self._parts and holds_chart(self.path, self._parts[name]))

    def hidden_columns(self, at: int) -> list[tuple[int, int]]:
        """The columns of sheet ``at`` hidden in Excel, as ranges (first, last) of 0-based sheet
        columns; none when the file cannot be scanned."""
        return self._scanned(at)[3]

    def merged(self, at: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """The merged ranges of sheet ``at`` that python-calamine does not give (.ods), as it gives
        them for the other kinds: ((first row, first column), (last row, last column)), 0-based."""
        return self._scanned(at)[2]

    def _scanned(self, at: int) -> Scanned:
        if self._book is not None:
            return self._book.result().get(self.names[at], NOTHING_SCANNED)
        future = self._shown[at]
        try:
            return future.result() if future is not None else NOTHING_SCANNED
        except ZIP_ERRORS:
            return NOTHING_SCANNED

    def close(self) -> None:
        """Stop: sheets not started are dropped, a decode under way is waited for."""
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._scans.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Decoding:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_early: dict[tuple[Path, tuple[str, ...] | None], Decoding] = {}


def _key(path: Path, wanted: Collection[str] | None) -> tuple[Path, tuple[str, ...] | None]:
    return path.resolve(), tuple(wanted) if wanted else None


def start(paths: Sequence[Path | str], wanted: Collection[str] | None = None) -> None:
    """Start decoding the first of ``paths`` if it is a workbook, for the loader to take over.
    A problem with the file is left for the load to report, in its turn (Excel's lock files are
    passed over: the load skips them; so is backlog's own output, which it refuses)."""
    paths = [p for p in paths if not is_lock_file(p)]
    if not paths or Path(paths[0]).suffix.lower() not in EXCEL_SUFFIXES or disguised(Path(paths[0])) \
            or is_output(Path(paths[0])):
        return
    path = Path(paths[0])
    try:
        if path.is_file():
            _early.setdefault(_key(path, wanted), Decoding(path, wanted))
    except (LedgerError, OSError):
        pass


def untaken() -> bool:
    """Whether a decoding :func:`start` began was never taken over by a load."""
    return bool(_early)


def decoding(path: Path, wanted: Collection[str] | None) -> Decoding:
    """The decoding :func:`start` began for this file and these sheets, else a new one. An early
    decoding of anything else is stopped."""
    found = _early.pop(_key(path, wanted), None)
    for other in list(_early):
        _early.pop(other).close()
    return found or Decoding(path, wanted)
