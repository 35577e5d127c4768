"""Workbook files (xlsx, xlsm, xls, ods) opened and their sheets decoded with python-calamine.

python-calamine decodes a whole sheet at once, without holding the GIL: the sheets are decoded
on a second thread, one sheet ahead of the loader that parses them. This module imports neither
pandas nor python-calamine when it is imported, so that the command line can start decoding a
large workbook (:func:`start`) before it imports pandas and reads the rules; the loader then takes
that decoding over (:func:`decoding`) instead of starting its own.
"""

from __future__ import annotations

import re
import threading
import zipfile
import zlib
from collections.abc import Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from backlog_cli.errors import LedgerError

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}

# A sheet this short (an instructions sheet before the ledger's) does not count as decoded ahead:
# the sheet after it is started at once.
SMALL_SHEET_ROWS = 1_000

_OLE = b"\xd0\xcf\x11\xe0"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")  # an encrypted workbook's OLE stream name


def is_lock_file(path: Path | str) -> bool:
    """Whether ``path`` is the lock file Excel or WPS keeps beside a workbook while it is open
    (``~$台帐.xlsx``: a few bytes naming who has it open, not a workbook). A wildcard such as
    ``*.xlsx`` names it too."""
    return Path(path).name.startswith("~$")


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
    if head.startswith(_OLE) and path.suffix.lower() != ".xls" and _ENCRYPTED_STREAM in path.read_bytes():
        # An OLE container holding this stream is how Excel stores an encrypted (password) workbook.
        raise _password_protected(path)
    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise _password_protected(path) from None
    except Exception as exc:  # calamine raises several kinds for a damaged or misnamed file
        problem = exc
    try:
        with path.open("rb") as fh:
            return pc.CalamineWorkbook.from_filelike(fh)  # the kind told from the content
    except pc.PasswordError:
        raise _password_protected(path) from None
    except Exception:
        pass
    if head.startswith(_OLE) and _ENCRYPTED_STREAM in path.read_bytes():
        raise _password_protected(path) from None  # an encrypted workbook named .xls
    if _is_web_page(path):
        raise LedgerError(f"{path}: this is a web page (HTML) with a {path.suffix} name, as some case systems export "
                          "their tables; open it in Excel or WPS and save it as .xlsx (or export CSV)")
    raise LedgerError(f"{path}: cannot read the workbook ({short_error(problem)}); is it a valid {path.suffix} file?")


def _is_web_page(path: Path) -> bool:
    """An HTML table saved with a workbook's name: its start is markup, not a zip or OLE file."""
    with path.open("rb") as fh:
        start = fh.read(1024).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")) and b"<t" in start


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


# What reading a damaged workbook's zip members raises (a cut file, bytes overwritten in a
# member's compressed data): the workbook's parts are then read as absent, and python-calamine
# says what is wrong with the file.
ZIP_ERRORS = (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, zlib.error)


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
                if rows * cols > MAX_SHEET_CELLS or (cols > WIDE_SHEET_COLUMNS and rows * cols > MAX_WIDE_SHEET_CELLS):
                    ref = f"{dim[1].decode()}{dim[2].decode()}:{dim[3].decode()}{dim[4].decode()}"
                    found[name] = (f"it spans {ref}, {rows:,} rows by {cols:,} columns, too many cells to read: a stray "
                                   "cell far beyond the table? delete the rows and columns after the table and save")
            return found
    except ZIP_ERRORS:
        return {}


# Cells python-calamine reads as blank although the sheet shows something: an error (#REF!,
# #DIV/0!: t="e") and a formula saved without its result (written by a program, not by Excel).
_CELL = re.compile(rb'<c\b([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_FORMULA = re.compile(rb'<f\b[^>]*?(?:/>|>(.*?)</f>)', re.S)
_VALUE = re.compile(rb'<v>(.*?)</v>|<v/>', re.S)
# A row hidden in Excel (by hand, by a filter, in a collapsed outline): hidden="1" in its <row> tag.
_HIDDEN = b'hidden="'
_ROW_TAG = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]{1,7})"[^>]*>')  # with the row's number
NO_RESULT = "（公式，未保存计算结果）"
_SCAN_BYTES = 1 << 20


def shown_cells(path: Path, part: str, hidden_rows: list[int] | None = None) -> dict[tuple[int, int], str]:
    """Cells of one sheet (zip member ``part`` of an xlsx/xlsm) that python-calamine reads as blank
    but that show something, by (row, column), 0-based: an error cell as Excel shows it
    (``#REF!``), a formula without its saved result as ``=FORMULA（公式，未保存计算结果）``. The XML
    is read in pieces (a large sheet is never held whole); most sheets have none. In the same
    pass, the numbers of the rows hidden in Excel (1-based, as Excel shows them; read like any
    other row) are added to ``hidden_rows`` when it is given."""
    found: dict[tuple[int, int], str] = {}
    hidden = [] if hidden_rows is None else hidden_rows
    with zipfile.ZipFile(path) as z, z.open(part) as fh:
        carry = b""  # the start of a row the last piece ended in
        while data := fh.read(_SCAN_BYTES):
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
    return found


def _scan(xml: bytes, start: int, end: int | None, found: dict[tuple[int, int], str], hidden: list[int]) -> None:
    """Add the error and unsaved-formula cells of the whole rows of ``xml[start:end]`` to
    ``found``, the numbers of its hidden rows to ``hidden``: only the tag around each hidden="1"
    is looked at (hidden columns say it too, in <col> tags)."""
    end = len(xml) if end is None else end
    at = xml.find(_HIDDEN, start, end)
    while at >= 0:
        if xml[at + len(_HIDDEN) : at + len(_HIDDEN) + 1] in (b"1", b"t"):  # "1" or "true"
            tag = _ROW_TAG.match(xml, max(start, xml.rfind(b"<", start, at)), end)
            if tag is not None and tag.end() > at:
                hidden.append(int(tag[1]))
        at = xml.find(_HIDDEN, at + 1, end)
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


def _scan_sheet(path: Path, part: str) -> tuple[dict[tuple[int, int], str], list[int]]:
    """A sheet's cells shown but read as blank, and its hidden rows (:func:`shown_cells`)."""
    hidden: list[int] = []
    return shown_cells(path, part, hidden), hidden


def _xml_text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text


def _refuse(reason: str) -> Any:
    """In place of decoding an oversized sheet (:meth:`Decoding.sheet` says why)."""
    raise ValueError(reason)


def _visible(meta) -> bool:
    import python_calamine as pc

    return meta.visible == pc.SheetVisibleEnum.Visible


class Decoding:
    """The sheets of a workbook (those in ``wanted``, in workbook order) decoded on a second
    thread, one ahead of the reader: :meth:`sheet` waits for a sheet and starts the next.
    With no ``wanted``, hidden and very hidden sheets are left out (listed in :attr:`hidden`):
    a hidden sheet is often an abandoned copy; a sheet named in ``wanted`` is read hidden or not.

    A thread that is not a daemon: the process waits for a decode under way when it ends, rather
    than stopping the thread inside python-calamine's own code."""

    def __init__(self, path: Path, wanted: Collection[str] | None):
        self.path = path
        self.book = open_book(path)
        listed = [m for m in self.book.sheets_metadata if wanted is None or m.name in wanted]
        self.listed = [m.name for m in listed]  # every sheet asked for, hidden or not, in workbook order
        self.hidden = {m.name for m in listed if wanted is None and not _visible(m)}
        self.names = [n for n in self.listed if n not in self.hidden]  # the sheets decoded
        parts = _parts(path) if path.suffix.lower() in (".xlsx", ".xlsm") else {}
        self.oversized = oversized_sheets(path, parts)
        self._scans = ThreadPoolExecutor(max_workers=1)  # beside the decoding: the sheets' XML, for shown()
        self._shown = [self._scans.submit(_scan_sheet, path, parts[n]) if n in parts and n not in self.oversized
                       else None for n in self.names]
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
        """Sheet ``at`` (a position in :attr:`names`), decoded; the next one is started."""
        while len(self._started) <= at + 1 and self._start_next():
            pass
        future, self._started[at] = self._started[at], None  # the blocks alone keep the decoded sheet
        if (reason := self.oversized.get(self.names[at])) is not None:
            raise LedgerError(f"{self.path} [{self.names[at]}]: {reason}")
        try:
            return future.result()
        except Exception as exc:
            raise LedgerError(f"{self.path} [{self.names[at]}]: cannot read the sheet ({short_error(exc)})") from None

    def shown(self, at: int) -> dict[tuple[int, int], str]:
        """The cells of sheet ``at`` that python-calamine reads as blank but that show an error or
        an unsaved formula (:func:`shown_cells`); none for other kinds of workbook, or when the
        sheet's XML cannot be scanned (python-calamine read it: its cells stand)."""
        return self._scanned(at)[0]

    def hidden_rows(self, at: int) -> list[int]:
        """The rows of sheet ``at`` hidden in Excel, as Excel numbers them (see :func:`shown_cells`);
        none for other kinds of workbook (xls, ods), or when the sheet's XML cannot be scanned."""
        return self._scanned(at)[1]

    def _scanned(self, at: int) -> tuple[dict[tuple[int, int], str], list[int]]:
        future = self._shown[at]
        try:
            return future.result() if future is not None else ({}, [])
        except ZIP_ERRORS:
            return {}, []

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
    passed over: the load skips them)."""
    paths = [p for p in paths if not is_lock_file(p)]
    if not paths or Path(paths[0]).suffix.lower() not in EXCEL_SUFFIXES:
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
