"""The output layer every command uses: terminal tables, CSV, JSON and xlsx, written atomically.

The core returns frames (or an :class:`Output` saying how to show them); every command hands them
to :func:`write_output`, the one place that decides the format and where the result goes.
Every file is written to a temporary file in the target's directory and renamed over the target
only when complete, so an interrupted run never leaves a half-written file (pipes and devices,
which cannot be replaced, are written directly: :func:`atomic_path`). The files of one output (a
workbook and its errors file; a CSV and the tables beside it) are put in place together or not at
all (:func:`file_set`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import re
import secrets
import shutil
import stat
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from copy import copy
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import IO, Any, TextIO
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import xlsxwriter
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from backlog_cli.errors import ConfigError, OptionError, counted
from backlog_cli.parsing import first_rows, object_addresses, row_chunks
from backlog_cli.workbook import OUTPUT_AUTHOR

FORMATS = ("table", "csv", "json", "xlsx")
SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx"}

KEY_COLUMN = "case_no"
CSV_LIST_SEP = ";"
DISPLAY_LIST_SEP = "; "
ISO_DATE = "%Y-%m-%d"

ERROR_COLUMNS = ["file", "sheet", "row", "case_no", "reason"]
# the errors file's header, for the clerks who open it (summary.json keeps ERROR_COLUMNS)
ERROR_HEADERS = {"file": "文件", "sheet": "工作表", "row": "行号", "case_no": "案号", "reason": "原因"}
_ERROR_ALIASES = {"source_file": "file", "source_sheet": "sheet", "source_row": "row"}
# value problems (values unreadable or contradicting others, kept as blank), as
# Ledger.listed_problems gives them: the problems file's header leaves ``field`` out; summary.json
# keeps every column.
PROBLEM_HEADERS = {"file": "文件", "sheet": "工作表", "row": "行号", "case_no": "案号", "column": "列", "value": "原值",
                   "problem": "问题"}

# Row highlight styles: xlsx fill colour and terminal style.
ROW_STYLES = {
    "overdue": {"fill": "#FFC7CE", "rich": "red"},
    "due_soon": {"fill": "#FFEB9C", "rich": "yellow"},
}



class Labels(dict[str, str]):
    """Column → header text for tables and xlsx, and ``value_labels``: column → {value: text} for
    the cells shown there (deadline states, category ids). CSV and JSON keep names and values, and
    row styles are read from the values, not their texts."""

    def __init__(self, headers: Mapping[str, str] | None = None,
                 value_labels: Mapping[str, Mapping[Any, str]] | None = None) -> None:
        super().__init__(headers or {})
        self.value_labels: dict[str, Mapping[Any, str]] = dict(value_labels or {})


def value_labels(labels: Mapping[str, str] | None) -> Mapping[str, Mapping[Any, str]]:
    """The value texts ``labels`` carries (none for a plain mapping)."""
    return labels.value_labels if isinstance(labels, Labels) else {}


PLAIN_WIDTH = 10_000
# How to see every row and column of a terminal table, for the commands that write files; the
# others say theirs (inspect, rules list: a wider terminal, or the output piped).
SEE_ALL = "--format csv, or -o FILE.xlsx / FILE.csv"
PIPE_TO_SEE_ALL = "a wider terminal, or the output piped (| less -S)"
# Terminal tables show at most this many rows; the caption says how to get them all.
TABLE_MAX_ROWS = 500
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CELL_CHARS = 32_767
XLSX_CREATED = dt.datetime(2000, 1, 1)
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
AMOUNT_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00%"
# How tables and xlsx show flags (CSV and JSON keep true/false).
FLAG_TEXT = {True: "是", False: "否"}
MAX_COL_WIDTH = 60
MIN_COL_WIDTH = 6
FILTER_ARROW_WIDTH = 2
# A text column right of a column of numbers or dates (right-aligned) is indented one level (three
# spaces), so that printed or on screen, where no border parts them, a rank 5 and the names beside
# it do not read as 5陈静; its column is this much wider for it.
INDENT_WIDTH = 2
# Column widths (in characters) printed on one landscape A4 page at about 45%, the smallest that
# stays readable: a task list of 13 columns (about 300) prints on one page wide; the 53 columns of
# 全部案件 (about 1,250) on four, where one page wide printed them at 11%.
PRINT_PAGE_WIDTH = 320
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f-\x9f]")  # and control characters: not XML
_SHEET_NAME_MAX = 31
_PAGE_TITLE_MAX = 200  # of a printed page's header (Excel takes 255 characters, its codes included)


# ---------------------------------------------------------------------------------------------
# Atomic writes


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield the path to write ``path``'s new content to; put it in place if the block succeeds.

    - A regular file or a new path: a temporary file beside it, fsynced and renamed over it only
      when the block succeeds; on any error it is removed and an existing file is left untouched.
      Missing parent folders are created.
    - A symbolic link: followed. The file it points to is replaced as above (the temporary file in
      that file's folder); the link stays a link.
    - A FIFO or a character device (a named pipe, a terminal, ``/dev/null``), or any file named
      through a process's open-file link (``/dev/stdout``, ``/dev/fd/N``, ``/proc/self/fd/N``):
      ``path`` itself is yielded and written directly, as ``cp`` or a shell redirection would.
      There is no file to rename over (and a reader may be waiting on it, or hold the file
      open), so this cannot be atomic: a failed run may leave part of the output there.
    - Anything else (a folder, a socket, a block device): refused.

    OS errors and refusals become a :class:`ConfigError` naming the path. A reader leaving a
    pipe raises :class:`BrokenPipeError`, as printing to a closed pipe does.
    """
    target, atomic = _write_target(Path(path))
    if not atomic:
        try:
            yield target
        except BrokenPipeError:
            raise
        except OSError as err:
            raise ConfigError(f"cannot write {target}: {err.strerror or err}") from err
        return
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as err:
        raise ConfigError(f"cannot write {target}: {err.strerror or err}") from err
    try:
        yield tmp
        _fsync(tmp)
        if _SET is not None:
            _SET.moves.append((tmp, target))
        else:
            os.replace(tmp, target)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if isinstance(err, OSError):
            held = _held_open(target, err)
            raise ConfigError(f"cannot write {target}: {err.strerror or err}{held}"
                              f"{'; nothing was changed' if held else ''}") from err
        raise


@dataclass
class _FileSet:
    moves: list[tuple[Path, Path]] = field(default_factory=list)  # (new file, its target)
    removals: list[Path] = field(default_factory=list)  # files the set no longer has (an errors file)


_SET: _FileSet | None = None  # the set being written (file_set), else None: each file put in place at once


@contextmanager
def file_set() -> Iterator[None]:
    """Files written in the block (by :func:`atomic_path`, and removed by :func:`remove_in_set`)
    are put in place together when it ends, or none of them: a workbook replaced while its errors
    file stays as an earlier run left it (open in Excel, read-only) would contradict it. Nested,
    the outer block decides."""
    global _SET
    if _SET is not None:
        yield
        return
    _SET = pending = _FileSet()
    try:
        yield
    except BaseException:
        for tmp, _ in pending.moves:
            tmp.unlink(missing_ok=True)
        raise
    finally:
        _SET = None
    put_in_place(pending.moves, pending.removals)


def remove_in_set(path: Path) -> None:
    """Remove ``path`` (a file an earlier run wrote that this output no longer has), with the set
    when one is being written."""
    if _SET is not None:
        _SET.removals.append(path)
    else:
        path.unlink(missing_ok=True)


def put_in_place(moves: list[tuple[Path, Path]], removals: Iterable[Path] = (),
                 shown: Callable[[Path], Path] = lambda p: p) -> None:
    """Move each new file over its target and remove ``removals``, all or none: every file there
    is first renamed aside (a file Excel holds open on Windows, or a read-only one, refuses here,
    before anything changed); on a failure the files moved in are taken out and those set aside
    put back. ``shown``: the path to name in a message for a target."""
    aside: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    target = None
    try:
        for target in [*(t for _, t in moves), *removals]:
            if os.path.lexists(target):
                held = target.with_name(f".{target.name}.{secrets.token_hex(4)}.old")
                os.replace(target, held)
                aside.append((target, held))
        for tmp, target in moves:
            os.replace(tmp, target)
            placed.append(target)
    except OSError as err:
        stranded = []
        for done in placed:
            done.unlink(missing_ok=True)
        for back, held in reversed(aside):
            try:
                os.replace(held, back)
            except OSError:
                stranded.append(f"{shown(back)} is kept as {held.name} beside it")
        for tmp, _ in moves:
            tmp.unlink(missing_ok=True)
        assert target is not None
        said = f"; {'; '.join(stranded)}" if stranded else "; none of the output's files was changed"
        raise ConfigError(f"cannot write {shown(target)}: {err.strerror or err}{_held_open(target, err)}{said}") from err
    for _, held in aside:
        held.unlink(missing_ok=True)


def _held_open(target: Path, err: OSError) -> str:
    """A hint when the system refused to replace a file that Excel or WPS has open: on Windows
    they hold it locked, with their lock file (``~$`` and the name, or the name's first two
    characters replaced by ``~$``) beside it."""
    if not isinstance(err, PermissionError):
        return ""
    locks = {target.with_name("~$" + target.name), target.with_name("~$" + target.name[2:])}
    if not any(lock.exists() for lock in locks):
        return ""
    return " (it is open in Excel or WPS: close it there and run again)"


def _write_target(path: Path) -> tuple[Path, bool]:
    """Where :func:`atomic_path` writes ``path``, and whether atomically (see there)."""
    try:
        mode: int | None = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None  # a new file, or a link to one
    except OSError as err:
        raise ConfigError(f"cannot write {path}: {err.strerror or err}") from err
    if mode is None or stat.S_ISREG(mode):
        if mode is not None and _via_open_file_link(path):
            return path, False
        return (Path(os.path.realpath(path)) if path.is_symlink() else path), True
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return path, False
    kind = "a folder" if stat.S_ISDIR(mode) else "a socket" if stat.S_ISSOCK(mode) else (
        "a block device" if stat.S_ISBLK(mode) else "not a regular file")
    raise ConfigError(f"cannot write {path}: it is {kind}; give a file name")


def _via_open_file_link(path: Path) -> bool:
    """Whether ``path`` reaches its file through a ``/proc/PID/fd`` link (``/dev/stdout``,
    ``/dev/fd/1``). Such a link names a file a process has open (a log the shell appends to),
    not a place: renaming a new file there would cut that process off from it."""
    hop = Path(os.path.abspath(path))
    for _ in range(_MAX_LINK_HOPS):
        folder = os.path.realpath(hop.parent)
        if folder.startswith("/proc/") or folder == "/dev/fd":
            return True
        if not hop.is_symlink():
            return False
        hop = Path(os.path.abspath(hop.parent / os.readlink(hop)))
    return False


_MAX_LINK_HOPS = 40


def atomic_write(path: str | os.PathLike[str], write_fn: Callable[[Path], object]) -> Path:
    """Call ``write_fn(tmp_path)`` and move the result to ``path`` atomically; return ``path``."""
    with atomic_path(path) as tmp:
        write_fn(tmp)
    return Path(path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------
# The export view


def _ordered_columns(frame: pd.DataFrame, columns: list[str] | None = None) -> list[str]:
    """``columns`` in the order given; without them ``case_no`` first, then all others. Helper
    columns (``_x``) are dropped."""
    if columns is None:
        wanted = [c for c in frame.columns if not str(c).startswith("_")]
    else:
        unknown = [c for c in columns if c not in frame.columns]
        if unknown:
            raise ConfigError(
                f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(map(str, unknown))}; "
                f"available: {', '.join(str(c) for c in frame.columns if not str(c).startswith('_'))}"
            )
        return list(dict.fromkeys(columns))
    if KEY_COLUMN in frame.columns:
        wanted = [KEY_COLUMN, *(c for c in wanted if c != KEY_COLUMN)]
    return wanted


def _is_list_column(s: pd.Series) -> bool:
    if s.dtype != object:
        return False
    first = s.first_valid_index()
    return first is not None and isinstance(s.loc[first], (list, tuple))


def per_distinct_cell(s: pd.Series, fn: Callable[[Any], Any], by_object: bool) -> pd.Series:
    """``fn`` of each cell of ``s``, called once per distinct cell: told apart by object when
    ``by_object`` (the rules engine shares one list among the cases with the same categories, and
    lists cannot be hashed), else by value; missing cells are one distinct cell."""
    values = s.to_numpy(dtype=object)
    codes, _ = pd.factorize(object_addresses(values) if by_object else values, use_na_sentinel=False)
    first = first_rows(codes)
    table = np.empty(len(first), dtype=object)
    for i, v in enumerate(values[first]):  # one by one: a list result must stay one cell
        table[i] = fn(v)
    return pd.Series(table[codes], index=s.index, name=s.name, dtype=object)


def join_lists(s: pd.Series, sep: str = CSV_LIST_SEP) -> pd.Series:
    """Join list cells (such as ``categories``) with ``sep``; other cells pass through."""
    return per_distinct_cell(s, lambda v: sep.join(map(str, v)) if isinstance(v, (list, tuple)) else v, by_object=True)


def _iso_codes(s: pd.Series, missing: object) -> tuple[np.ndarray, np.ndarray]:
    """Dates as ``YYYY-MM-DD`` text, formatted once per distinct date: each cell's code (-1 for
    missing) and the texts of the codes, ``missing`` last (what code -1 takes)."""
    codes, uniques = pd.factorize(s)
    return codes, np.append(uniques.strftime(ISO_DATE).to_numpy(dtype=object), missing)


def iso_dates(s: pd.Series) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` text (missing stays missing), formatted once per distinct date."""
    codes, text = _iso_codes(s, np.nan)
    return pd.Series(text[codes], index=s.index, name=s.name, dtype="str")


def records_frame(frame: pd.DataFrame, columns: list[str] | None = None, dates: bool = True) -> pd.DataFrame:
    """The export view: ``case_no`` first, dates as ISO ``YYYY-MM-DD`` strings (``dates=False``:
    left as dates, for a writer that formats them itself), lists kept."""
    out = frame.loc[:, _ordered_columns(frame, columns)]  # a new frame: its columns are replaced, never written into
    for name in out.columns:
        s = out[name]
        if dates and pd.api.types.is_datetime64_any_dtype(s.dtype):
            out[name] = iso_dates(s)
    return out


def shown_values(frame: pd.DataFrame, labels: Mapping[str, str] | None) -> pd.DataFrame:
    """The cells as tables and xlsx show them: values with a text in ``labels`` (states,
    category ids, in lists too) replaced by it, flags as 是/否; other columns as they are."""
    texts = value_labels(labels)
    out = frame.copy(deep=False)
    for name in out.columns:
        s = out[name]
        if pd.api.types.is_bool_dtype(s.dtype):
            out[name] = _relabel(s, FLAG_TEXT).astype("str")
        elif name in texts:
            out[name] = _relabel(s, texts[name])
    return out


def _relabel(s: pd.Series, texts: Mapping[Any, str]) -> pd.Series:
    """``s`` with each value (or list item) that ``texts`` names replaced; missing stays missing."""
    def relabel(v: Any) -> Any:
        return [texts.get(x, x) for x in v] if isinstance(v, (list, tuple)) else None if pd.isna(v) else texts.get(v, v)

    return per_distinct_cell(s, relabel, by_object=_is_list_column(s))


# ---------------------------------------------------------------------------------------------
# CSV and JSON


def to_csv(
    frame: pd.DataFrame,
    path: str | os.PathLike[str] | None = None,
    *,
    bom: bool = True,
    columns: list[str] | None = None,
) -> str | None:
    """CSV of the export view, list cells joined with ``;``.

    With ``path``: written atomically, UTF-8 with a BOM (unless ``bom=False``) so Excel shows
    Chinese intact; returns None. Without: returns plain UTF-8 text (never a BOM) for stdout.
    """
    out = records_frame(frame, columns, dates=False)  # _write_csv formats the dates
    if path is None:
        text = io.StringIO()
        _write_csv(out, text)
        return text.getvalue()

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write("\ufeff" if bom else "")  # the BOM once (the utf-8-sig codec encodes line by line in Python)
            _write_csv(out, handle)

    atomic_write(path, write)
    return None


def _write_csv(out: pd.DataFrame, handle: TextIO) -> None:
    """Write the export view as the csv module's writer would (minimal quoting, ``\\n`` line
    ends), faster: each column becomes its field texts once, then each block of lines is one
    ``str.join`` of the fields zipped row by row (all in C; the csv writer copies every
    character through its own loop). A block of rows at a time, so that only one block's field
    texts are alive. Dates, and numbers and flags of few distinct values, are formatted once for
    the whole column before the blocks (:func:`_column_table`); each block takes their fields by
    code."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow([str(c) for c in out.columns])
    tables = {name: table for name in out.columns if (table := _column_table(out[name])) is not None}
    for start in range(0, len(out), _CSV_BLOCK_ROWS):
        block = slice(start, start + _CSV_BLOCK_ROWS)
        rows = out.iloc[block]
        fields = [tables[name][1][tables[name][0][block]] if name in tables else _csv_fields(rows[name])
                  for name in out.columns]
        if len(fields) == 1:  # the csv writer quotes a lone empty field, or the line would be blank
            fields[0][fields[0] == ""] = '""'
        handle.write("\n".join(map(",".join, zip(*(f.tolist() for f in fields)))) + "\n")


# A spreadsheet opening a CSV runs a cell that begins with one of these as a formula (=HYPERLINK(…),
# =cmd|…): such text is written with a leading ', which Excel takes as "text" and does not show.
# Text Excel reads as a number is left as it is (:data:`_EXCEL_NUMBER`).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_AT = re.compile("\0[" + re.escape("".join(FORMULA_STARTS)) + "]")
# What Excel reads as a number when it opens a CSV, and nothing else: a sign, digits (thousands
# commas in groups of three), a decimal part, an exponent, a trailing %: -5000, -1,000.50, -5%,
# -0.5, +1.5E3. +86 010 1234 and -12.5万 are not numbers.
_EXCEL_NUMBER = re.compile(r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?%?")
_CSV_BLOCK_ROWS = 10_000  # lines and their encoded bytes for 10,000 rows: about 15 MB at a time
_CSV_SPECIAL = re.compile('[,"\r\n]')


def _csv_fields(s: pd.Series) -> np.ndarray:
    """A column's CSV fields: text as is (with a leading ' where it would start a formula:
    :data:`FORMULA_STARTS`), lists joined with ``;``, other values as ``str()`` makes them, ''
    for missing; quoted by the csv module where they hold a comma, quote or line break."""
    if _is_list_column(s):
        s = join_lists(s, CSV_LIST_SEP)
    if s.dtype == "str":
        # a copy: without a blank cell pandas hands over the column's own array, which the formula
        # mark and the quotes below would be written into
        fields = s.to_numpy(dtype=object, na_value="", copy=True)
    elif s.dtype == object:
        fields = np.array(list(map(str, s.to_numpy())), dtype=object)
        fields[s.isna().to_numpy(dtype=bool)] = ""
    else:
        return _str_per_value(s)  # numbers and flags print with no comma, quote or line break
    joined = "\0".join(fields.tolist())
    if _formula_start(joined):
        # the fields that begin so, found in the joined text (a field starts after each \0): only
        # they are looked at one by one, however many fields the column has
        lengths = np.fromiter(map(len, fields), dtype=np.int64, count=len(fields))
        starts = np.concatenate(([0], np.cumsum(lengths[:-1] + 1)))
        at = np.searchsorted(starts, [m.start() for m in _FORMULA_AT.finditer("\0" + joined)])
        live = ~pd.Series(fields[at], dtype=object).str.fullmatch(_EXCEL_NUMBER).to_numpy(dtype=bool)
        if s.dtype == object:  # a number in a mixed column (-1) is no text
            live &= np.fromiter((isinstance(v, str) for v in s.to_numpy()[at]), dtype=bool, count=len(at))
        fields[at[live]] = ["'" + v for v in fields[at[live]]]
    if any(c in joined for c in ',"\r\n'):  # str.find is much faster than a regex here
        special = pd.Series(fields, dtype=object).str.contains(_CSV_SPECIAL).to_numpy(dtype=bool)
        fields[special] = [_csv_quoted(v) for v in fields[special]]
    return fields


def _formula_start(joined: str) -> bool:
    """Whether a field of a column's joined text (``\\0`` before each field but the first)
    begins with one of :data:`FORMULA_STARTS`. Six one-character searches (memchr) clear most
    columns; a regex on the ``\\0`` before each field settles the rest (six two-character
    searches, as before, took a fifth of the CSV's time)."""
    if not any(c in joined for c in FORMULA_STARTS):
        return False
    return joined[:1] in FORMULA_STARTS or _FORMULA_AT.search(joined) is not None


def _str_per_value(s: pd.Series) -> np.ndarray:
    """``str()`` of each cell of a typed column, '' for missing, computed once per distinct
    value."""
    codes, uniques = _distinct_values(s)
    return _str_table(uniques)[codes]


def _distinct_values(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A typed column factorized (-1 for missing). Floats are told apart by their bits (factorize
    takes -0.0 for 0.0)."""
    if pd.api.types.is_float_dtype(s.dtype):
        values = s.to_numpy(dtype=float, na_value=np.nan)
        codes, bits = pd.factorize(values.view(np.int64))
        codes[np.isnan(values)] = -1
        return codes, bits.view(np.float64)
    return pd.factorize(s)


def _str_table(uniques: np.ndarray | pd.Index | pd.api.extensions.ExtensionArray) -> np.ndarray:
    """``str()`` of each distinct value, then '' (what code -1, missing, takes)."""
    return np.append(np.array(list(map(str, uniques.tolist())), dtype=object), "")


# A typed column is formatted whole when it has at most one distinct value in _TABLE_SHARE cells,
# in its first _TABLE_SAMPLE cells and then in all of them
_TABLE_SHARE = 16
_TABLE_SAMPLE = 10_000


def _column_table(s: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """The CSV fields of a whole column as codes (-1 for missing) into a table of its distinct
    fields ('' last), for dates (as :func:`iso_dates` writes them) and for numbers and flags of
    few distinct values: each is formatted once for the whole column, where block by block each
    block would factorize and format its own (a date column would first be made a column of
    text, then read back as text block by block). Their texts need no quotes and start no
    formula (a negative number is a number). None for text, lists and numbers of mostly distinct
    values, whose fields are made block by block: a table of them would hold their texts for the
    whole write. The codes are narrow integers, smaller than the fields they stand for."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        codes, table = _iso_codes(s, "")
    elif s.dtype == "str" or s.dtype == object:
        return None
    else:
        sample = s.iloc[:_TABLE_SAMPLE]
        if len(_distinct_values(sample)[1]) > len(sample) // _TABLE_SHARE:
            return None
        codes, uniques = _distinct_values(s)
        if len(uniques) > len(s) // _TABLE_SHARE:
            return None
        table = _str_table(uniques)
    return codes.astype(np.int16 if len(table) <= np.iinfo(np.int16).max else np.int32), table


def _csv_quoted(value: str) -> str:
    """One field as the csv module writes it (it decides which characters need quotes)."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow([value, ""])
    return text.getvalue()[: -len(",\n")]


def json_records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """The export view as plain-Python dicts: ISO dates, lists kept, None for NaN/NA/inf."""
    out = records_frame(frame, columns)
    for name in out.columns:
        if pd.api.types.is_float_dtype(out[name].dtype):
            out[name] = out[name].where(np.isfinite(out[name]))
    out = out.astype(object)
    return out.where(out.notna(), None).to_dict(orient="records")


def _plain(value: Any) -> Any:
    """Make a payload JSON-ready: frames become record arrays, numpy scalars Python values,
    NA and non-finite floats None, dates ISO strings. Unknown objects are returned unchanged."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.DataFrame):
        return json_records(value)
    if isinstance(value, pd.Series):
        return _plain(value.to_dict())
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [_plain(v) for v in items]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.datetime):
        return value.strftime(ISO_DATE) if _is_midnight(value) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


def _json_default(value: Any) -> Any:
    """``json.dumps`` fallback for objects left inside records (numpy scalars, timestamps)."""
    plain = _plain(value)
    if plain is value:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")
    return plain


def _is_midnight(value: dt.datetime) -> bool:
    return (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _json_text(data: Any, indent: str = "") -> str:
    """Readable and fast JSON: mappings one key per line, record arrays one record per line,
    everything deeper compact (the standard indenting encoder is pure Python and slow)."""
    inner = indent + "  "
    if isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        return "[\n" + ",\n".join(inner + _dumps(v) for v in data) + "\n" + indent + "]"
    if isinstance(data, dict) and data:
        items = (f"{inner}{_dumps(str(k))}: {_json_text(v, inner)}" for k, v in data.items())
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    return _dumps(data)


def _dump_json(data: Any, path: str | os.PathLike[str] | None) -> str | None:
    text = _json_text(data) + "\n"
    if path is None:
        return text
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return None


def to_json_payload(obj: Any, path: str | os.PathLike[str] | None = None) -> str | None:
    """JSON of a payload such as ``{"summary": {...}, "cases": frame}``; text when no path."""
    return _dump_json(_plain(obj), path)


def to_json(
    frame: pd.DataFrame,
    path: str | os.PathLike[str] | None = None,
    *,
    columns: list[str] | None = None,
) -> str | None:
    """A JSON array of records (one per row of the export view); returns text when no path."""
    return _dump_json(json_records(frame, columns), path)


# ---------------------------------------------------------------------------------------------
# xlsx


@dataclass(frozen=True)
class SheetLayout:
    """Where a sheet's data landed, for chart hooks (0-based rows and columns, xlsxwriter style)."""

    name: str
    header_row: int
    first_row: int
    last_row: int
    columns: dict[str, int]


# A chart hook receives the workbook, the written worksheet and its layout, and may add charts.
ChartHook = Callable[[Workbook, Worksheet, SheetLayout], None]


@dataclass
class Sheet:
    """One worksheet: a frame plus how to present it.

    ``labels`` maps column → header text; ``row_styles`` is a Series aligned with ``frame``
    holding a key of :data:`ROW_STYLES` (or None) per row; ``number_formats`` overrides the Excel
    number format per column; ``charts`` are hooks called after the data is written;
    ``total_rows`` last rows total the rows above (全部案件) and are left out of the xlsx filter,
    so that sorting or filtering the sheet in Excel keeps them last.
    """

    name: str
    frame: pd.DataFrame
    labels: Mapping[str, str] | None = None
    row_styles: pd.Series | None = None
    title: str | None = None
    number_formats: Mapping[str, str] = field(default_factory=dict)
    charts: list[ChartHook] = field(default_factory=list)
    total_rows: int = 0
    page_title: str | None = None  # heads each printed page of a sheet without a title row (default: its name)


def _sheet_name_base(raw: object) -> str:
    """``raw`` made a valid sheet name: no []:*?/\\ or control characters, no edge spaces or
    quotes, 31 UTF-16 units (as Excel counts), not Excel's reserved History."""
    base = utf16_cut(_SHEET_NAME_BAD.sub("_", str(raw)).strip().strip("'"), _SHEET_NAME_MAX) or "Sheet"
    return base + "_" if base.casefold() == "history" else base


def sheet_names(names: list[str]) -> list[str]:
    """Sanitise names to Excel's rules (:func:`_sheet_name_base`) and make them unique (ignoring
    case), in order. A name valid as it is keeps it; one that had to be changed (``'张三'``, cut
    or with a character replaced) takes ``张三 (2)`` when that plain name is another's."""
    bases = [_sheet_name_base(raw) for raw in names]
    kept = [base == str(raw) for base, raw in zip(bases, names)]
    result: list[str | None] = [None] * len(bases)
    seen: set[str] = set()
    for i, base in enumerate(bases):  # valid names first: the first of each keeps it
        if kept[i] and base.casefold() not in seen:
            seen.add(base.casefold())
            result[i] = base
    for i, base in enumerate(bases):
        if result[i] is not None:
            continue
        name, n = base, 1
        while name.casefold() in seen:
            n += 1
            suffix = f" ({n})"
            name = utf16_cut(base, _SHEET_NAME_MAX - len(suffix)) + suffix
        seen.add(name.casefold())
        result[i] = name
    return result


def display_widths(s: pd.Series) -> pd.Series:
    """Display width of each string, NA counting 0.

    Characters of three or more UTF-8 bytes (CJK, full-width forms and punctuation, which CJK
    fonts draw wide) count 2: width = chars + (bytes - chars) // 2, three times faster than
    counting wide characters with a regex.
    """
    s = s.astype("str")
    if not s.notna().any():  # all missing: .str.encode would give floats
        return pd.Series(0, index=s.index, dtype=int)
    chars = s.str.len()
    extra = (s.str.encode("utf-8").str.len() - chars) // 2
    return (chars + extra).fillna(0).astype(int)


def max_display_width(s: pd.Series, lengths: pd.Series, cap: int = MAX_COL_WIDTH) -> int:
    """The largest :func:`display_widths` of the strings ``s`` (their ``lengths`` given), at most
    ``cap``. A width lies between the length and twice it, so only the strings at least half as
    long as the longest are measured: as rows of code points (each shorter than ``cap``), the
    UTF-8 bytes past the first of a character counted from its code point."""
    longest = int(lengths.max()) if lengths.notna().any() else 0
    if longest >= cap or longest == 0:
        return min(longest, cap)
    chosen = lengths.mul(2).ge(longest).fillna(False).to_numpy(dtype=bool)
    candidates = s.to_numpy(dtype=object)[chosen]
    chars = lengths.to_numpy(dtype=np.int64, na_value=0)[chosen]
    widest = 0
    for part in row_chunks(len(candidates)):
        points = candidates[part].astype(f"U{longest}").view(np.uint32).reshape(-1, longest)
        extra = (points >= 0x80).sum(axis=1) + (points >= 0x800).sum(axis=1) + (points >= 0x10000).sum(axis=1)
        widest = max(widest, int((chars[part] + extra // 2).max()))
    return min(widest, cap)


class _Formats:
    """Cached xlsxwriter cell formats per (number format, row style, text wrapped, indented)."""

    def __init__(self, workbook: Workbook):
        self.workbook = workbook
        self.cache: dict[tuple[str | None, str | None, bool, bool], Format | None] = {}
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#D9D9D9", "border": 1, "valign": "vcenter"}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})

    def get(self, num_format: str | None, style: str | None, wrap: bool = False,
            indent: bool = False) -> Format | None:
        key = (num_format, style, wrap, indent)
        if key not in self.cache:
            props: dict[str, Any] = {}
            if num_format:
                props["num_format"] = num_format
            if style:
                props.update(bg_color=ROW_STYLES[style]["fill"], pattern=1)
            if wrap:
                props["text_wrap"] = True
            if indent:
                props["indent"] = 1  # left-aligned, one level in
            self.cache[key] = self.workbook.add_format(props) if props else None
        return self.cache[key]


@dataclass(frozen=True)
class _Column:
    """One column's cells: ``kind`` is ``n`` (numbers, date serials), ``s`` (text), ``b``
    (booleans) or ``m`` (text some of whose cells are dates: a column kept as typed, such as
    预计结案时间 holding date cells and 年底前; written cell by cell as a date or as text, in the
    date format, which text cells do not show); ``present`` marks the cells with a value (missing,
    empty and non-finite ones have none); the default number format, the display width of the data
    and how many text cells were cut to Excel's limit."""

    kind: str
    values: np.ndarray
    present: np.ndarray
    num_format: str | None
    width: int
    cut: int = 0

    def python(self) -> list[Any]:
        """The values as Python objects, None where there is none (for xlsxwriter's writer); the
        dates of a mixed column as their serial days."""
        out = self.values.astype(object)
        if self.kind == "m":
            codes, _ = self.distinct
            dated = codes >= 0
            dated[dated] = ~np.isnan(self.serials[codes[dated]])
            out[dated] = self.serials[codes[dated]]
        out[~self.present] = None
        return out.tolist()

    @cached_property
    def distinct(self) -> tuple[np.ndarray, np.ndarray]:
        """Codes per cell into the distinct present values (-1 where none), and those values."""
        codes = np.full(len(self.values), -1, dtype=np.intp)
        codes[self.present], uniques = pd.factorize(self.values[self.present])
        return codes, np.asarray(uniques)

    @cached_property
    def serials(self) -> np.ndarray:
        """Of a mixed column, per distinct value: its Excel serial day when it is a date, NaN
        when it is text."""
        return _date_serials(self.distinct[1])


def _column(s: pd.Series) -> _Column:
    """The cells of one column: dates as Excel serial days, lists joined, text cut to Excel's limit."""
    present = s.notna().to_numpy(dtype=bool, copy=True)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        naive = s.dt.tz_localize(None) if s.dt.tz else s
        days = ((naive - _EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float, na_value=np.nan)
        if (naive.ne(naive.dt.normalize()) & naive.notna()).any():  # times of day too: shown to the second
            return _Column("n", days, present, DATETIME_FORMAT, len(DATETIME_FORMAT))
        return _Column("n", days, present, DATE_FORMAT, len(DATE_FORMAT))
    if pd.api.types.is_bool_dtype(s.dtype):
        return _Column("b", s.to_numpy(dtype=bool, na_value=False), present, None, 5)
    if pd.api.types.is_numeric_dtype(s.dtype):
        is_float = pd.api.types.is_float_dtype(s.dtype)
        if is_float:
            values = s.to_numpy(dtype=float, na_value=np.nan)
            present &= np.isfinite(values)
        else:
            values = s.to_numpy(dtype=np.int64, na_value=0)
        top = s.abs().max() if s.notna().any() else 0
        sample = f"{top:,.2f}" if is_float else str(int(top))
        return _Column("n", values, present, AMOUNT_FORMAT if is_float else None,
                       len(sample) + int((s < 0).any()))
    text = (join_lists(s, DISPLAY_LIST_SEP) if _is_list_column(s) else s).astype("str")
    lengths = text.str.len()
    long = lengths.gt(XLSX_MAX_CELL_CHARS // 2).to_numpy()
    cut = 0
    if long.any():
        values = text.to_numpy(dtype=object, na_value=None)
        values[long] = [_excel_text(v) for v in values[long]]
        text = pd.Series(values, index=text.index, dtype="str")
        cut = int(lengths[long].gt(text.str.len()[long]).sum())
        lengths = text.str.len()
    present &= lengths.gt(0).to_numpy()  # Excel has no empty text: '' is left blank
    if (serials := _serial_numbers(text, present)) is not None:
        return _Column("n", serials, present, None, int(lengths.max()))
    values = text.to_numpy(dtype=object, na_value=None)
    width = max_display_width(text, lengths)
    if _holds_dates(values, lengths.to_numpy(dtype=np.int64, na_value=0), present):
        return _Column("m", values, present, DATE_FORMAT, max(width, len(DATE_FORMAT)), cut)
    return _Column("s", values, present, None, width, cut)


_ISO_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # a date cell read into a text column
_ISO_DATE_LEN = len("2026-11-23")


def _date_serials(values: np.ndarray) -> np.ndarray:
    """Per text, its Excel serial day when it is a date as a column kept as typed holds a date
    cell (ISO ``YYYY-MM-DD``, a real day from 1900 on), else NaN."""
    out = np.full(len(values), np.nan)
    shaped = np.fromiter((len(v) == _ISO_DATE_LEN and _ISO_DATE_TEXT.fullmatch(v) is not None for v in values),
                         bool, len(values))
    if shaped.any():
        days = pd.to_datetime(pd.Series(values[shaped], dtype=object), format=ISO_DATE, errors="coerce")
        days = days.where(days.dt.year >= 1900)
        out[shaped] = ((days - _EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float, na_value=np.nan)
    return out


def _holds_dates(values: np.ndarray, lengths: np.ndarray, present: np.ndarray) -> bool:
    """Whether some cell of a text column is a date (:func:`_date_serials`): told from the cells of
    a date's length first, so that columns of names, case numbers and other text cost one
    comparison per cell."""
    shaped = present & (lengths == _ISO_DATE_LEN)
    if not shaped.any():
        return False
    candidates = pd.unique(values[shaped])
    return bool((~np.isnan(_date_serials(candidates))).any())


_SERIAL_NUMBER = r"[1-9][0-9]{0,8}"


def _serial_numbers(text: pd.Series, present: np.ndarray) -> np.ndarray | None:
    """A text column of whole numbers as a ledger's 序号 holds them (1 to 9 digits, no leading
    zero: codes such as 007 stay text) as int64, so that Excel shows numbers rather than text
    marked 'number stored as text'; None for any other column (told by its first cell first)."""
    values = text[present]
    if not len(values) or not values.iloc[0].isdigit() or not values.str.fullmatch(_SERIAL_NUMBER).all():
        return None
    out = np.zeros(len(text), dtype=np.int64)
    out[present] = values.astype("int64").to_numpy()
    return out


def utf16_cut(text: str, units: int) -> str:
    """``text`` cut to ``units`` UTF-16 code units, as Excel counts lengths (a character outside
    the BMP, 𠮷 or an emoji, is two), never inside a character."""
    if len(text) * 2 <= units:
        return text
    encoded = text.encode("utf-16-le", "surrogatepass")
    return text if len(encoded) <= 2 * units else encoded[: 2 * units].decode("utf-16-le", "ignore")


def _excel_text(text: str) -> str:
    """``text`` cut to the 32,767 UTF-16 units an Excel cell holds (never inside a character)."""
    return utf16_cut(text, XLSX_MAX_CELL_CHARS)


def _cut_warnings(sheet: str, headers: list[str], cuts: list[int]) -> list[str]:
    """What a sheet's text cut to Excel's limit is said as: one line per column with cells cut."""
    return [f"sheet {sheet}, column {header}: {counted(n, 'cells')} longer than Excel's "
            f"{XLSX_MAX_CELL_CHARS:,} characters cut to fit" for header, n in zip(headers, cuts) if n]


def _aligned_styles(row_styles: pd.Series | None, index: pd.Index) -> list[str | None] | None:
    """Row style keys aligned with ``index`` (None for unstyled rows); unknown keys are a bug."""
    if row_styles is None:
        return None
    if not row_styles.index.equals(index):
        row_styles = row_styles.reindex(index)
    styles = row_styles.astype(object)
    styles = styles.where(styles.notna(), None)
    unknown = set(styles.dropna()) - ROW_STYLES.keys()
    if unknown:
        raise ValueError(f"unknown row styles {sorted(unknown)}; known: {sorted(ROW_STYLES)}")
    return styles.tolist()


def _write_sheet(workbook: Workbook, formats: _Formats, sheet: Sheet, name: str,
                 warnings: list[str]) -> _SheetXml | None:
    """Header, widths, frozen panes, filter and print setup through xlsxwriter. A sheet with
    charts gets its cells from xlsxwriter too (charts keep the values they show); any other sheet
    is returned as a :class:`_SheetXml` whose rows are written into the package after the
    workbook is closed. Text cut to Excel's limit is said in ``warnings``."""
    frame = sheet.frame.loc[:, _ordered_columns(sheet.frame)]
    labels = sheet.labels or {}
    cells = shown_values(frame, labels)
    ws = workbook.add_worksheet(name)
    header_row = 1 if sheet.title else 0
    first_row = header_row + 1
    if first_row + len(frame) > XLSX_MAX_ROWS:
        raise ConfigError(
            f"sheet {name!r} has {len(frame):,} rows, more than an xlsx sheet holds "
            f"({XLSX_MAX_ROWS - first_row:,}); use --format csv"
        )
    if sheet.title:
        ws.write_string(0, 0, sheet.title, formats.title)
    styles = _aligned_styles(sheet.row_styles, frame.index)
    headers = [str(labels.get(c, c)) for c in frame.columns]
    ws.write_row(header_row, 0, headers, formats.header)
    header_widths = display_widths(pd.Series(headers, dtype="str"))
    columns = [_column(cells[c]) for c in frame.columns]
    warnings.extend(_cut_warnings(name, headers, [col.cut for col in columns]))
    num_formats = [sheet.number_formats.get(c, col.num_format) for c, col in zip(frame.columns, columns)]
    looks, widths = [], []  # per column: (text wrapped, indented)
    for i, col in enumerate(columns):
        indent = col.kind in "sm" and i > 0 and columns[i - 1].kind in "nm"  # text right of numbers
        width = max(int(header_widths.iloc[i]) + FILTER_ARROW_WIDTH, col.width + INDENT_WIDTH * indent) + 1
        looks.append((col.kind in "sm" and width > MAX_COL_WIDTH, indent))  # longer text wraps in the column
        widths.append(min(max(width, MIN_COL_WIDTH), MAX_COL_WIDTH))
        ws.set_column(i, i, widths[-1], formats.get(None, None, *looks[-1]))
    keyed = len(frame.columns) > 1 and frame.columns[0] == KEY_COLUMN
    ws.freeze_panes(first_row, 1 if keyed else 0)
    if len(frame.columns):
        ws.autofilter(header_row, 0, header_row + len(frame) - sheet.total_rows, len(frame.columns) - 1)
    _print_setup(ws, header_row, sum(widths), keyed, None if sheet.title else sheet.page_title or name)
    if not sheet.charts and len(frame) and any(headers):
        return _SheetXml.start(ws, formats, first_row, columns, num_formats, looks, styles)
    for i, (col, num_format, look) in enumerate(zip(columns, num_formats, looks)):
        _write_cells(ws, first_row, i, col.python(), formats.get(num_format, None, *look),
                     None if styles is None else [formats.get(num_format, style, *look) for style in styles])
    layout = SheetLayout(
        name=name,
        header_row=header_row,
        first_row=first_row,
        last_row=header_row + len(frame),
        columns={str(c): i for i, c in enumerate(frame.columns)},
    )
    for hook in sheet.charts:
        hook(workbook, ws, layout)
    return None


def _print_setup(ws: Worksheet, header_row: int, width: int, keyed: bool, title: str | None) -> None:
    """Printed landscape, as many pages tall as it takes, the title and header rows repeated on
    every page; one page wide, or for a sheet wider than :data:`PRINT_PAGE_WIDTH` as many pages
    wide as keep it readable, the case number (``keyed``: the first column) repeated on each. Each
    page is numbered 第 N 页，共 M 页; a sheet without a title row is headed by ``title`` (on a
    sheet with one, the title row repeated heads each page: a page header would say it twice)."""
    ws.set_landscape()
    if title:
        ws.set_header("&L" + title.replace("&", "&&")[:_PAGE_TITLE_MAX])
    ws.set_footer("&C第 &P 页，共 &N 页")
    pages = max(1, -(-width // PRINT_PAGE_WIDTH))
    ws.fit_to_pages(pages, 0)
    ws.repeat_rows(0, header_row)
    if pages > 1 and keyed:
        ws.repeat_columns(0)


def _write_cells(
    ws: Worksheet,
    first_row: int,
    col: int,
    values: list[Any],
    cell_format: Format | None,
    row_formats: list[Format | None] | None,
) -> None:
    """One column's cells in ``cell_format``, or row by row in ``row_formats`` when given."""
    if row_formats is None:
        error = ws.write_column(first_row, col, values, cell_format)
    else:
        error = 0
        for row, (value, fmt) in enumerate(zip(values, row_formats), first_row):
            error = ws.write(row, col, value, fmt) or error
    if error:
        raise RuntimeError(f"xlsxwriter refused a cell in column {col} (code {error})")


def write_xlsx(
    path: str | os.PathLike[str],
    sheets: list[Sheet],
    *,
    created: dt.datetime = XLSX_CREATED,
    warnings: list[str] | None = None,
) -> Path:
    """Write ``sheets`` to an xlsx workbook atomically; same input gives the same bytes. Text
    longer than a cell holds is cut; with ``warnings``, the sheet, column and number of cells cut
    are appended to it, a line per column (:func:`_cut_warnings`).

    xlsxwriter builds the workbook (styles, headers, widths, panes, filters, charts) in memory;
    the data rows of sheets without charts are then written straight into the package as
    worksheet XML, many times faster than xlsxwriter's per-cell path (see :class:`_SheetXml`)."""
    if not sheets:
        raise ValueError("write_xlsx needs at least one sheet")
    names = sheet_names([s.name for s in sheets])
    cut: list[str] = []

    def write(tmp: Path) -> None:
        built = io.BytesIO()
        workbook = xlsxwriter.Workbook(
            built,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": True,
            },
        )
        workbook.set_properties({"created": created, "author": OUTPUT_AUTHOR})  # how init tells an output
        formats = _Formats(workbook)
        try:
            pending = {name: _write_sheet(workbook, formats, sheet, name, cut) for sheet, name in zip(sheets, names)}
        finally:
            workbook.close()
        _package(built, tmp, {name: xml for name, xml in pending.items() if xml is not None})

    written = atomic_write(path, write)
    if warnings is not None:
        warnings.extend(cut)
    return written


# The data rows of large sheets, written as worksheet XML.
#
# xlsxwriter spends about 4 µs per cell: a Python call per cell to store it, then a Python call
# per cell to write its XML when the workbook closes. Here the XML of a sheet's rows is built a
# column at a time with numpy (object-array string concatenation, one ``str.join`` per block of
# rows), and the text goes to the shared strings table once per distinct value. Only public
# xlsxwriter API is used: its package is read back with ``zipfile`` and the XML it wrote for the
# sheet (header rows, columns, panes, filter) is kept around the rows written here.

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SST_PART = "xl/sharedStrings.xml"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_XML_BLOCK_ROWS = 10_000
_XML_MAX_CELL_BYTES = 100  # an upper bound for one cell's XML, to decide on zip64 up front
# Shared strings needing a look in Python: markup characters, the control characters XML cannot
# hold (written as _xHHHH_, as Excel does), literal _xHHHH_ (its leading _ escaped), and white
# space at either end (kept with xml:space).
_XML_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CELL_XF = re.compile(r'<c r="([A-Z]+[0-9]+)" s="([0-9]+)"')
_ROW_START = re.compile(r'<row r="([0-9]+)"')


@dataclass
class _SheetXml:
    """A sheet whose data rows are written as XML into the package.

    ``start`` writes one blank cell per (column, row style) that needs a cell format, in a row of
    that style: xlsxwriter then gives each format its style index, read back from its XML, and
    those placeholder rows are replaced by the real ones."""

    first_row: int
    columns: list[_Column]
    style_codes: np.ndarray  # per row: 0 unstyled, else 1 + position in ROW_STYLES
    marks: dict[str, tuple[int, int]]  # placeholder cell -> (column, style code)
    xf: list[list[int | None]] = field(default_factory=list)  # per column, per style code
    strings: dict[int, np.ndarray] = field(default_factory=dict)  # column -> shared string index per value

    @classmethod
    def start(cls, ws: Worksheet, formats: _Formats, first_row: int, columns: list[_Column],
              num_formats: list[str | None], looks: list[tuple[bool, bool]],
              styles: list[str | None] | None) -> _SheetXml:
        keys = [None, *ROW_STYLES]
        codes = (np.zeros(len(columns[0].values), dtype=np.intp) if styles is None
                 else pd.Categorical(styles, categories=list(ROW_STYLES)).codes.astype(np.intp) + 1)
        marks = {}
        for code in np.unique(codes):
            row = first_row + int(np.argmax(codes == code))
            for col, (num_format, look) in enumerate(zip(num_formats, looks)):
                fmt = formats.get(num_format, keys[code], *look)
                if fmt is not None:
                    ws.write_blank(row, col, None, fmt)
                    marks[xl_rowcol_to_cell(row, col)] = (col, int(code))
        return cls(first_row, columns, codes, marks)

    def splice(self, xml: str) -> tuple[str, str]:
        """The sheet's XML before and after the data rows, with the dimension covering them;
        learns the style indices from the placeholders."""
        end = xml.index("</sheetData>")
        cut = next((m.start() for m in _ROW_START.finditer(xml) if int(m.group(1)) > self.first_row), end)
        self.xf = [[None] * (len(ROW_STYLES) + 1) for _ in self.columns]
        for ref, xf in _CELL_XF.findall(xml, cut, end):
            col, code = self.marks[ref]
            self.xf[col][code] = int(xf)
        has_cell = np.zeros(len(self.style_codes), dtype=bool)
        for col, col_xf in zip(self.columns, self.xf):
            has_cell |= col.present | np.array([x is not None for x in col_xf])[self.style_codes]
        rows = np.flatnonzero(has_cell)
        last = self.first_row + int(rows[-1]) + 1 if len(rows) else self.first_row
        head = re.sub(r'<dimension ref="[^"]*"/>',
                      f'<dimension ref="A1:{xl_rowcol_to_cell(last - 1, len(self.columns) - 1)}"/>',
                      xml[:cut], count=1)
        return head, xml[end:]

    def size_bound(self) -> int:
        return len(self.style_codes) * (len(self.columns) + 1) * _XML_MAX_CELL_BYTES

    def _cell_tables(self, col: int) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray], np.ndarray, np.ndarray]:
        """For one column: its codes per cell (-1: no value), the end of each cell's XML from
        its code, the style-attribute text per style code and which style codes put a cell in
        empty rows. The cell ends are made once per distinct value and gathered, or, for a column
        of mostly distinct values (case numbers, names), a block of rows at a time, so that they
        are never all held at once."""
        column = self.columns[col]
        codes, uniques = column.distinct
        values, kind = (self.strings[col], ' t="s"') if column.kind in "sm" else \
            (uniques, ' t="b"') if column.kind == "b" else (uniques, "")

        def ends(at: np.ndarray) -> np.ndarray:
            chosen = values[at]
            text = (np.where(chosen, "1", "0") if column.kind == "b" else chosen.astype(str) if column.kind in "sm"
                    else _number_texts(chosen)).astype(object)
            if column.kind == "m":  # a date a number in the column's date format, text a shared string
                serials = column.serials[at]
                dated = ~np.isnan(serials)
                text[dated] = _number_texts(serials[dated])
                return np.where(at < 0, "/>", np.where(dated, "", kind) + "><v>" + text + "</v></c>")
            return np.where(at < 0, "/>", kind + "><v>" + text + "</v></c>")

        attrs = np.array([f'" s="{x}"' if x is not None else '"' for x in self.xf[col]], dtype=object)
        blank_cell = np.array([x is not None for x in self.xf[col]])
        if 2 * len(uniques) > len(codes):
            return codes, ends, attrs, blank_cell
        table = np.append(ends(np.arange(len(uniques))), "/>")  # -1, no value, takes the last entry
        return codes, table.__getitem__, attrs, blank_cell

    def rows(self) -> Iterator[bytes]:
        """The data rows as UTF-8 XML, a block of rows at a time."""
        tables = [self._cell_tables(col) for col in range(len(self.columns))]
        refs = [f'<c r="{xl_col_to_name(col)}' for col in range(len(self.columns))]
        n = len(self.style_codes)
        for start in range(0, n, _XML_BLOCK_ROWS):
            stop = min(start + _XML_BLOCK_ROWS, n)
            numbers = np.arange(self.first_row + 1 + start, self.first_row + 1 + stop).astype(str).astype(object)
            styles = self.style_codes[start:stop]
            parts = np.empty((stop - start, len(self.columns) + 2), dtype=object)
            any_cell = np.zeros(stop - start, dtype=bool)
            for col, ((codes, ends, attrs, blank_cell), ref) in enumerate(zip(tables, refs), 1):
                cells = (ref + numbers) + attrs[styles] + ends(codes[start:stop])
                keep = self.columns[col - 1].present[start:stop] | blank_cell[styles]
                parts[:, col] = np.where(keep, cells, "")
                any_cell |= keep
            parts[:, 0] = np.where(any_cell, '<row r="' + numbers + '">', "")
            parts[:, -1] = np.where(any_cell, "</row>", "")
            yield "".join(parts.ravel().tolist()).encode("utf-8")


def whole_numbers(values: np.ndarray) -> np.ndarray:
    """Per float, whether it is a whole number that int64 holds exactly (5.0, not 2.5, NaN or 1e300)."""
    return (np.abs(values) < 2**53) & (values == np.round(values))


def _number_texts(values: np.ndarray) -> np.ndarray:
    """Finite numbers as XML text: whole ones without a decimal point, others in the shortest
    form that reads back exactly (xlsxwriter writes 16 significant digits, not always enough)."""
    if values.dtype.kind in "iu":
        return values.astype(str).astype(object)
    whole = whole_numbers(values)
    return np.where(whole, np.where(whole, values, 0).astype(np.int64).astype(str), values.astype(str)).astype(object)


def _shared_strings(sheets: list[_SheetXml], base: int) -> tuple[np.ndarray, int]:
    """Give every text cell of ``sheets`` its shared string index (after the ``base`` strings
    xlsxwriter stored), once per distinct text across the sheets; the new strings and how many
    text cells refer to them."""
    found = []
    for sheet in sheets:
        for col, column in enumerate(sheet.columns):
            if column.kind in "sm":
                cell_codes, uniques = column.distinct
                text = np.ones(len(uniques), dtype=bool) if column.kind == "s" else np.isnan(column.serials)
                found.append((sheet, col, cell_codes, uniques, text))  # a mixed column's dates are no strings
    if not found:
        return np.array([], dtype=object), 0
    codes, strings = pd.factorize(np.concatenate([uniques[text] for *_, uniques, text in found]))
    offset, cells = 0, 0
    for sheet, col, cell_codes, uniques, text in found:
        indices = np.full(len(uniques), -1, dtype=np.intp)
        indices[text] = base + codes[offset: offset + int(text.sum())]
        sheet.strings[col] = indices
        offset += int(text.sum())
        present = cell_codes >= 0
        cells += int(text[cell_codes[present]].sum())
    return np.asarray(strings, dtype=object), cells


def _escape_text(text: str) -> str:
    """One string as shared-string XML text, as xlsxwriter and Excel escape it."""
    text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _si_xml(strings: np.ndarray) -> str:
    """``<si>`` elements for ``strings``; leading or trailing white space kept."""
    items = "<si><t>" + strings + "</t></si>"
    special = pd.Series(strings, dtype=object).str.contains(_XML_SPECIAL).to_numpy(dtype=bool)
    items[special] = [_si_special(text) for text in strings[special]]
    return "".join(items.tolist())


def _si_special(text: str) -> str:
    space = ' xml:space="preserve"' if re.search(r"^\s|\s$", text) else ""
    return f"<si><t{space}>{_escape_text(text)}</t></si>"


def _with_strings(sst: str, strings: np.ndarray, cells: int) -> str:
    """xlsxwriter's shared strings part with ``strings`` appended and its counts updated."""
    head_end = sst.index(">", sst.index("<sst")) + 1
    head = sst[:head_end]
    count = int(re.search(r' count="([0-9]+)"', head).group(1)) + cells
    unique = int(re.search(r' uniqueCount="([0-9]+)"', head).group(1)) + len(strings)
    head = re.sub(r' count="[0-9]+"', f' count="{count}"', head, count=1)
    head = re.sub(r' uniqueCount="[0-9]+"', f' uniqueCount="{unique}"', head, count=1)
    close = sst.rindex("</sst>")
    return head + sst[head_end:close] + _si_xml(strings) + sst[close:]


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> its part in the package, from the workbook and its relationships."""
    book = ElementTree.fromstring(parts["xl/workbook.xml"])
    rels = ElementTree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship")}
    return {sheet.get("name"): "xl/" + targets[sheet.get(f"{{{_REL_NS}}}id")].lstrip("/").removeprefix("xl/")
            for sheet in book.iter(f"{{{_MAIN_NS}}}sheet")}


def _package(built: io.BytesIO, target: Path, sheets: dict[str, _SheetXml]) -> None:
    """Copy xlsxwriter's package ``built`` to ``target``, the rows of ``sheets`` written into
    their worksheet parts and their text into the shared strings (fixed dates: same bytes)."""
    with zipfile.ZipFile(built) as source:
        names = source.namelist()
        parts = {name: source.read(name) for name in names}
    where = _sheet_parts(parts)
    by_part = {where[name]: sheet for name, sheet in sheets.items()}
    spliced = {part: sheet.splice(parts[part].decode("utf-8")) for part, sheet in by_part.items()}
    if sheets:
        sst = parts[_SST_PART].decode("utf-8")
        base = int(re.search(r' uniqueCount="([0-9]+)"', sst).group(1))
        strings, cells = _shared_strings(list(by_part.values()), base)
        parts[_SST_PART] = _with_strings(sst, strings, cells).encode("utf-8")
    # Opened here: given a path, zipfile opens it read-write first, and a FIFO's reader would
    # take that brief open for the whole output and see an empty file.
    with open(target, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as out:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name not in by_part:
                out.writestr(info, parts[name])
                continue
            head, tail = spliced[name]
            sheet = by_part[name]
            with out.open(info, "w", force_zip64=sheet.size_bound() > zipfile.ZIP64_LIMIT) as part:
                part.write(head.encode("utf-8"))
                for block in sheet.rows():
                    part.write(block)
                part.write(tail.encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# Terminal


class _Console(Console):
    """A rich console that reports a closed pipe (``backlog … | head``) as :class:`BrokenPipeError`
    for the command line to end quietly, instead of exiting with status 1 itself."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError

    def plain_line(self, text: str) -> None:
        """``text`` as it is: no rich markup read in it ([已结] is text), nothing highlighted."""
        self.print(text, highlight=False, markup=False)


def _terminal_size(stream: IO[str]) -> tuple[int, int]:
    """The columns and lines of the terminal ``stream`` writes to: ``COLUMNS`` and ``LINES`` when
    set, else the terminal's own (``stream``'s, else that of stdin, stdout or stderr), else 80 × 25."""
    size = (0, 0)
    for fd in (getattr(stream, "fileno", None), 0, 1, 2):
        try:
            size = tuple(os.get_terminal_size(fd() if callable(fd) else fd))
            break
        except (OSError, ValueError, TypeError, io.UnsupportedOperation):
            continue
    given = [os.environ.get(name, "") for name in ("COLUMNS", "LINES")]
    width, height = (int(text) if text.isdigit() else found for text, found in zip(given, size))
    return width or 80, height or 25


def console_for(stream: IO[str] | None = None, *, force_plain: bool | None = None) -> _Console:
    """A console for ``stream`` (stdout by default); its ``plain_line`` prints a line of text as it
    is, on a terminal too.

    On a terminal: normal rich, as wide as the terminal, also where ``TERM=dumb`` (Emacs' shell,
    some editors' consoles: no colours or cursor moves there), which rich draws 80 columns wide
    whatever the terminal's width, so a wide table lost columns it had room for. Otherwise
    (piped, cron, files) or with ``force_plain``: no colour, no markup highlighting and a very
    wide width, so tables are never cut or wrapped.
    """
    stream = stream if stream is not None else sys.stdout
    if force_plain is None:
        isatty = getattr(stream, "isatty", None)
        force_plain = not (callable(isatty) and isatty())
    if not force_plain:
        console = _Console(file=stream)
        if console.is_dumb_terminal:  # rich draws one 80 columns wide, whatever its width
            console.size = _terminal_size(stream)
        return console
    return _Console(
        file=stream,
        width=PLAIN_WIDTH,
        force_terminal=False,
        force_jupyter=False,
        color_system=None,
        no_color=True,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )


# Characters that would act on a terminal instead of showing: C0 and C1 controls (ESC starts
# colour and cursor sequences) and the bidirectional marks and overrides (U+202E turns text
# around). Cells from a ledger are shown with these escaped.
_UNSAFE = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}
_UNSAFE |= {c: f"\\u{c:04x}" for c in [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
_UNSAFE |= {ord("\n"): "\\n", ord("\t"): "\\t", ord("\r"): "\\r"}
TABLE_MAX_CELL = 200
MESSAGE_MAX_VALUE = 60
ELLIPSIS = "…"


def terminal_text(value: object, limit: int = MESSAGE_MAX_VALUE) -> str:
    """One value as safe terminal text: control and bidi characters escaped, cut to ``limit``
    characters (ending in …)."""
    text = str(value).translate(_UNSAFE)
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def terminal_column(s: pd.Series, limit: int = TABLE_MAX_CELL) -> pd.Series:
    """:func:`terminal_text` for a column of text (missing stays missing), in C string methods."""
    text = s.astype("str").str.translate(_UNSAFE)
    long = text.str.len().gt(limit).fillna(False)
    return text.where(~long, text.str.slice(0, limit - 1) + ELLIPSIS) if long.any() else text


def display_frame(frame: pd.DataFrame, number_formats: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Every cell as safe display text: ISO dates, ``1,234.50`` amounts (``25.00%`` in columns
    whose number format is :data:`PERCENT_FORMAT`), joined lists, '' for missing, control
    characters escaped and long values cut (:func:`terminal_column`)."""
    out = records_frame(frame)
    percent = {c for c, f in (number_formats or {}).items() if f == PERCENT_FORMAT}
    for name in out.columns:
        s = out[name]
        if name in percent and pd.api.types.is_numeric_dtype(s.dtype):
            text = s.map(lambda v: f"{v:.2%}", na_action="ignore")
        elif pd.api.types.is_float_dtype(s.dtype):
            text = s.map(lambda v: f"{v:,.2f}", na_action="ignore")
        elif _is_list_column(s):
            text = join_lists(s, DISPLAY_LIST_SEP)
        else:
            text = s
        out[name] = terminal_column(text).fillna("")
    return out


def _annotation(text: str | None) -> Text | None:
    """A title or caption that is never wrapped to a narrow table's width."""
    return Text(terminal_text(text, PLAIN_WIDTH), no_wrap=True, overflow="ignore") if text else None


# How a terminal table gives way on a narrow terminal. Case numbers, dates, numbers and short
# codes (states, names) are never cut; free text (parties, causes, category lists) folds down to
# FREE_TEXT_MIN_WIDTH; headers fold down to HEADER_MIN_WIDTH. When the columns do not all fit so,
# the most useful ones that do are shown (the table's first column, then TABLE_FIRST, then the
# others in order, TABLE_LAST last) and the caption says how many are left out.
FREE_TEXT, SHORT, CASE_NUMBER = 0, 1, 2
TABLE_CODE_WIDTH = 12  # text no wider than this (states, names, codes) is never cut
FREE_TEXT_MIN_WIDTH = 12  # six Chinese characters a line
HEADER_MIN_WIDTH = 4  # two Chinese characters a line
CELL_MIN_WIDTH = 2  # one Chinese character: a narrower column would print it blank
# One order for every table, by what a column says (a rank, a change, a count), not by command.
TABLE_FIRST = ["case_no", "officer", "rank_label", "closing_rate", "closed", "mark", "change", "before", "after",
               "open_before", "open_after", "as_of", "open", "cases", "overdue", "age_days", "next_state", "state",
               "next_due", "due", "next_label", "deadline_label", "next_days_left", "days_left", "categories",
               "filed_on"]
# Columns that repeat another (a period's days beside its name, a run's clock times) go last.
TABLE_LAST = ["period_start", "period_end", "started_at", "finished_at", "seconds", "id", "ledger_files"]
_TABLE_FRAME = 3  # a border and a space either side of each column


class FittedTable(Table):
    """A rich table that shares out a narrow terminal's width itself (rich alone cuts every
    column alike, case numbers and dates included, down to blank cells): columns keep at least
    their :func:`readable_widths`, those that cannot are left out (:func:`shown_columns`) with a
    caption saying so, and the width left is shared by :func:`share_widths`. A table that fits is
    laid out as rich does (piped output, always wide, is unchanged)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fit: list[tuple[int, int]] = []  # per column: its kind and its longest cell's width
        self.priority: list[int] = []  # the columns, most useful first
        self.see_all = SEE_ALL

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        kinds, longest = [k for k, _ in self.fit], [w for _, w in self.fit]
        headers = [cell_len(str(c.header)) for c in self.columns]
        floors = readable_widths(kinds, longest, headers)
        shown = shown_columns(floors, self.priority, options.max_width)
        budget = options.max_width - _TABLE_FRAME * len(shown) - 1
        widths = share_widths([kinds[i] for i in shown], [longest[i] for i in shown], [headers[i] for i in shown],
                              budget)
        table = copy(self)
        table.columns = [replace(self.columns[i], width=w)
                         for i, w in zip(shown, widths or [None] * len(shown))]
        if len(shown) < len(self.columns):
            left_out = [terminal_text(self.columns[i].header) for i in range(len(self.columns)) if i not in shown]
            note = (f"{len(left_out)} of {len(self.columns)} columns left out for the terminal's width "
                    f"({', '.join(left_out)}); all of them: {self.see_all}")
            text = "\n".join(filter(None, [str(self.caption or ""), terminal_text(note, PLAIN_WIDTH)]))
            table.caption = Text(text)  # wrapped to the table's width, which is the terminal's
        yield from Table.__rich_console__(table, console, options)


def readable_widths(kinds: list[int], longest: list[int], headers: list[int]) -> list[int]:
    """The narrowest each column is readable at: its longest cell for a case number (up to
    :data:`MAX_COL_WIDTH`: no case number is longer) and for short columns (dates, numbers,
    codes), :data:`FREE_TEXT_MIN_WIDTH` for free text; the header's width up to
    :data:`HEADER_MIN_WIDTH`; never under :data:`CELL_MIN_WIDTH`."""
    floors = [min(w, MAX_COL_WIDTH) if k == CASE_NUMBER else min(w, FREE_TEXT_MIN_WIDTH) if k == FREE_TEXT else w
              for k, w in zip(kinds, longest)]
    return [max(f, min(h, HEADER_MIN_WIDTH), CELL_MIN_WIDTH) for f, h in zip(floors, headers)]


def shown_columns(floors: list[int], priority: list[int], width: int) -> list[int]:
    """The columns (in table order) a terminal ``width`` cells wide shows at their ``floors``:
    in ``priority`` order each one that still fits; the first of ``priority`` always."""
    room = width - 1
    chosen: list[int] = []
    for i in priority:
        if floors[i] + _TABLE_FRAME <= room or not chosen:
            chosen.append(i)
            room -= floors[i] + _TABLE_FRAME
    return sorted(chosen)


def share_widths(kinds: list[int], longest: list[int], headers: list[int], budget: int) -> list[int] | None:
    """Column widths (cells) that fit ``budget``, or None when the columns fit at their natural
    width (the widest of the header and the cells). Each step takes one cell at a time from the
    widest column that may still give: headers fold down to the longest cell (or
    :data:`HEADER_MIN_WIDTH`), then free text folds down to :data:`FREE_TEXT_MIN_WIDTH`; then,
    only when a lone column is wider than the terminal, down to :data:`CELL_MIN_WIDTH`."""
    widths = [max(w, h) for w, h in zip(longest, headers)]
    excess = sum(widths) - budget
    if excess <= 0:
        return None
    floors = readable_widths(kinds, longest, headers)
    steps = [[max(w, f) for w, f in zip(longest, floors)], floors, [CELL_MIN_WIDTH] * len(widths)]
    for step in steps:
        while excess > 0:
            room = [(w, -i) for i, (w, f) in enumerate(zip(widths, step)) if w > f]
            if not room:
                break
            widths[-max(room)[1]] -= 1
            excess -= 1
    return widths


def _column_kind(name: str, values: pd.Series, longest: int) -> int:
    """A column's kind for :class:`FittedTable`: the case number, short (dates, numbers, flags,
    text no wider than :data:`TABLE_CODE_WIDTH`) or free text."""
    if name == KEY_COLUMN:
        return CASE_NUMBER
    text = pd.api.types.is_string_dtype(values.dtype) or values.dtype == object
    return SHORT if not text or longest <= TABLE_CODE_WIDTH else FREE_TEXT


def table_priority(names: list[str]) -> list[int]:
    """The columns of a table, most useful first: the first column (what a row is), then those of
    :data:`TABLE_FIRST` it has (the case, its officer, a rank or a change, its next deadline's
    state and date), then the others in order, :data:`TABLE_LAST` last."""
    first = [names.index(n) for n in TABLE_FIRST if n in names]
    last = [names.index(n) for n in TABLE_LAST if n in names]
    rest = [i for i in range(len(names)) if i not in last]
    return list(dict.fromkeys([*range(min(1, len(names))), *first, *rest, *last]))


def render_table(
    frame: pd.DataFrame,
    *,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    max_rows: int | None = None,
    row_styles: pd.Series | None = None,
    number_formats: Mapping[str, str] | None = None,
    see_all: str = SEE_ALL,
) -> Table:
    """A rich table of the frame (first ``max_rows`` rows), cells as :func:`shown_values` and
    :func:`display_frame` make them, styled rows coloured, fitted to a narrow terminal
    (:class:`FittedTable`); ``see_all`` says how to see the rows or columns left out."""
    labels = labels or {}
    shown = frame if max_rows is None else frame.iloc[:max_rows]
    caption = None
    if len(shown) < len(frame):
        caption = f"showing the first {len(shown):,} of {len(frame):,} rows; all of them: {see_all}"
    cells = display_frame(shown_values(shown, labels), number_formats)
    table = FittedTable(title=_annotation(title), caption=_annotation(caption))
    table.see_all = see_all
    for name in cells.columns:
        numeric = pd.api.types.is_numeric_dtype(shown[name].dtype) and not pd.api.types.is_bool_dtype(
            shown[name].dtype
        )
        header = Text(terminal_text(labels.get(name, name), TABLE_MAX_CELL))
        table.add_column(header, justify="right" if numeric else "left", overflow="fold")
        longest = max(map(cell_len, cells[name].unique().tolist()), default=0)
        table.fit.append((_column_kind(name, shown[name], longest), longest))
    table.priority = table_priority([str(c) for c in cells.columns])
    keys = _aligned_styles(row_styles, shown.index) or [None] * len(cells)
    styles = [ROW_STYLES[k]["rich"] if k else None for k in keys]
    for row, style in zip(cells.itertuples(index=False, name=None), styles):
        table.add_row(*(Text(v) for v in row), style=style)
    return table


# ---------------------------------------------------------------------------------------------
# Dispatch and errors files


def output_format(fmt: str | None, path: str | os.PathLike[str] | None) -> str:
    """The format to write, decided once: ``fmt`` when given (checked against the path's suffix),
    else the path's suffix, else ``table``. Raises :class:`OptionError` for impossible pairs."""
    suffix_fmt = SUFFIX_FORMATS.get(Path(path).suffix.lower()) if path is not None else None
    if fmt is not None:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise OptionError(f"--format: unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        if path is not None and fmt == "table":
            raise OptionError(f"--format table prints to the terminal; it cannot be written to {path}")
        if suffix_fmt is not None and suffix_fmt != fmt:
            raise OptionError(f"--format {fmt} does not match the output file {path}")
        if path is None and fmt == "xlsx":
            raise OptionError("xlsx output needs a file: give --output FILE.xlsx")
        return fmt
    if path is None:
        return "table"
    if suffix_fmt is None:
        raise OptionError(
            f"cannot tell the format of {path} from its suffix; use .csv, .json or .xlsx, "
            "or give --format"
        )
    return suffix_fmt


def state_styles(states: pd.Series) -> pd.Series:
    """Row styles from deadline states: ``overdue`` red, ``due_soon`` amber, others plain."""
    known = states.isin(list(ROW_STYLES)).to_numpy(dtype=bool)
    return pd.Series(np.where(known, states.astype(object), None), index=states.index, dtype=object)


@dataclass
class Output:
    """A command's result, ready for every format.

    ``frame`` is the CSV/JSON records (columns in ``columns`` order when given) and, unless
    ``sheets`` / ``tables`` say otherwise, the one xlsx sheet and terminal table (shown with
    ``table_columns`` when given). ``heading`` is a line printed above the terminal tables;
    ``payload`` replaces the JSON records by a document; ``beside`` are more CSV tables,
    written next to an output file as ``NAME.<key>.csv``; ``number_formats`` (such as
    :data:`PERCENT_FORMAT`) are the main sheet's, on the terminal too.
    """

    frame: pd.DataFrame
    name: str = "cases"
    title: str | None = None
    labels: Mapping[str, str] | None = None
    row_styles: pd.Series | None = None
    columns: list[str] | None = None
    table_columns: list[str] | None = None
    sheets: list[Sheet] | None = None
    tables: list[Sheet] | None = None
    heading: str | None = None
    payload: Any = None
    beside: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    max_rows: int | None = TABLE_MAX_ROWS
    number_formats: Mapping[str, str] = field(default_factory=dict)
    see_all: str = SEE_ALL  # how to see what a terminal table leaves out, with this command's options

    def main_sheet(self, columns: list[str] | None = None) -> Sheet:
        view = self.frame.loc[:, [c for c in columns if c in self.frame.columns]] if columns else self.frame
        return Sheet(self.name, view, labels=self.labels, row_styles=self.row_styles, title=self.title,
                     number_formats=self.number_formats)


@dataclass(frozen=True)
class Written:
    """A file written: its path, how many rows it holds and what writing it had to change
    (``warnings``, the file's own: text cut to an xlsx cell's limit). ``str()`` is what a command
    says of it: a line naming the file, then a ``warning:`` line per warning, naming the file."""

    path: Path
    rows: int
    what: str = "rows"
    warnings: tuple[str, ...] = ()

    def __str__(self) -> str:
        return "\n".join([f"wrote {self.path} ({counted(self.rows, self.what)})",
                          *(f"warning: {self.path}: {terminal_text(w, PLAIN_WIDTH)}" for w in self.warnings)])


def case_count_title(title: str, cases: int, rows: int | None = None, items: str = "") -> str:
    """A case list's title with how many cases it lists, as every case list says it
    (涉民生（截至2026-11-23）：98 件; an empty one ：0 件); where a case may take several rows (one per
    deadline, per change), the rows too when they are more: ：3 件，4 项期限 (``items`` names them)."""
    return f"{title}：{cases} 件" + (f"，{rows} {items}" if rows is not None and rows != cases else "")


NO_DATA = "（无数据）"


def table_title(title: str, rows: int) -> str:
    """The title of a table that is not a case list (a row per officer, per period), said empty
    when it has no rows (按承办人排名：4 周，截至2014-01-05（无数据）): a row saying so would be
    met by Excel's filter and sort as data."""
    return title if rows else title + NO_DATA


def _print_tables(result: Output, out: TextIO) -> None:
    console = console_for(out)
    if result.heading:
        console.plain_line(terminal_text(result.heading, PLAIN_WIDTH))
    for sheet in result.tables if result.tables is not None else [result.main_sheet(result.table_columns)]:
        console.print(render_table(sheet.frame, title=sheet.title or sheet.name, labels=sheet.labels,
                                   row_styles=sheet.row_styles, max_rows=result.max_rows,
                                   number_formats=sheet.number_formats, see_all=result.see_all))


def _write_file(result: Output, fmt: str, path: Path) -> list[Written]:
    if fmt == "xlsx":
        cut: list[str] = []
        write_xlsx(path, result.sheets or [result.main_sheet()], warnings=cut)
        return [Written(path, len(result.frame), warnings=tuple(cut))]
    if fmt == "csv":
        to_csv(result.frame, path, columns=result.columns)
        beside = [Written(p, len(frame)) for p, frame in zip(output_paths(result, fmt, path, None)[1:], result.beside.values())]
        for item, frame in zip(beside, result.beside.values()):
            to_csv(frame, item.path)
        return [Written(path, len(result.frame)), *beside]
    if result.payload is not None:
        to_json_payload(result.payload, path)
    else:
        to_json(result.frame, path, columns=result.columns)
    return [Written(path, len(result.frame))]


def refuse_missing_folder(path: str | os.PathLike[str]) -> None:
    """Raise a :class:`ConfigError` when the folder of an output file named on the command line
    (``-o``) does not exist: a typing slip would otherwise leave stray folders. The nightly run
    makes its own folders; ``--split`` its one folder (:func:`assignment.check_split_folder`)."""
    folder = Path(path).parent
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"cannot write {path}: {folder} is a file, not a folder; check the name")
    if not folder.is_dir():
        raise ConfigError(f"cannot write {path}: the folder {folder} does not exist; create it first, or check the name")


def refuse_unwritable(path: str | os.PathLike[str]) -> None:
    """Raise a :class:`ConfigError` when ``path`` (``-o``) names what cannot be written as a file
    (a folder: ``-o 报表/``; a socket), as :func:`atomic_path` would refuse it, but before the
    ledger is read."""
    if os.path.lexists(path):
        _write_target(Path(path))


def refuse_inputs(paths: Iterable[str | os.PathLike[str]], inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Raise a :class:`ConfigError` when a file about to be written is one of ``inputs`` (the
    ledger, rules, targets, settings files): inputs are never written over; nor is a file
    written into a ledger folder, or where a ledger wildcard matches it: the files there are the
    ledgers (the next run would leave it out with a note, or refuse it when a shell names it)."""
    from backlog_cli.workbook import is_wildcard, matched_by

    existing = [Path(p) for p in inputs if Path(p).is_file()]
    folders = [Path(p) for p in inputs if Path(p).is_dir()]  # a ledger folder: its files are read
    wildcards = [Path(p) for p in inputs if is_wildcard(Path(p))]  # 台帐/*.csv: the files it matches are
    for out in map(Path, paths):
        for folder in folders:
            if out.parent.resolve() == folder.resolve():
                raise ConfigError(f"{out} is in the ledger folder {folder}, whose files are read as ledgers: "
                                  "write it elsewhere")
        for wildcard in wildcards:
            if matched_by(out, wildcard):
                raise ConfigError(f"{out} is matched by the ledger wildcard {wildcard}, whose files are read as "
                                  "ledgers: write it elsewhere")
        if not out.is_file():
            continue
        for source in existing:
            if os.path.samefile(out, source):
                raise ConfigError(f"{out} is an input ({source}); backlog never writes over its inputs: "
                                  "choose another output name")


SET_MANIFEST = ".backlog-files.json"  # the files of the last set written into a folder (replace_set)


def partial_folder(folder: Path) -> Path:
    """The hidden folder beside ``folder`` where its new content is written before it is swapped in."""
    return folder.with_name(f".{folder.name}.partial")


def set_written_before(folder: Path) -> list[str]:
    """The names of the files the last set written into ``folder`` recorded in its manifest:
    plain file names only, none without a readable manifest."""
    try:
        names = json.loads((folder / SET_MANIFEST).read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return []
    if not isinstance(names, list):
        return []
    return [n for n in names if isinstance(n, str) and n not in ("", ".", "..") and Path(n).name == n]


def _write_manifest(folder: Path, names: Iterable[str]) -> None:
    to_json_payload({"files": sorted(set(names))}, folder / SET_MANIFEST)


def replace_set(folder: str | os.PathLike[str], write: Callable[[Path], list[Written]],
                inputs: Iterable[str | os.PathLike[str]] = ()) -> tuple[list[Written], int]:
    """Write a set of files into ``folder`` as one, keeping what the tool did not write there.

    ``write`` fills a fresh partial folder beside ``folder`` (interrupted, ``folder`` is left as it
    was); then the new files are moved in, the files of the previous set (named in the folder's
    manifest) that the new set lacks are removed, and the manifest is updated. Until the move is
    done the manifest names both sets, so an interrupted move leaves nothing unrecorded. No file
    is moved when one would replace a file of ``inputs``, and inputs are never removed. Returns
    the files written (at their place in ``folder``) and how many old files were removed."""
    folder, inputs = Path(folder), list(inputs)
    partial = partial_folder(folder.resolve())  # resolved: --split . has a name
    shutil.rmtree(partial, ignore_errors=True)  # left by a write that was interrupted
    try:
        try:
            written = write(partial)
        except ConfigError as err:  # say the folder asked for, not the hidden one written first
            raise ConfigError(str(err).replace(str(partial), str(folder))) from None
        except OSError as err:
            raise ConfigError(f"cannot write into {folder}: {err.strerror or err}") from None
        names = [w.path.relative_to(partial).as_posix() for w in written]
        refuse_inputs([folder / n for n in names], inputs)
        new = {n.casefold() for n in names}
        old = set_written_before(folder)
        stale = [n for n in old if n.casefold() not in new and not _is_input(folder / n, inputs)]
        folder.mkdir(parents=True, exist_ok=True)
        _write_manifest(folder, [*old, *names])
        removed = [n for n in stale if (folder / n).is_file()]
        put_in_place([(partial / n, folder / n) for n in names], [folder / n for n in removed])
        _write_manifest(folder, names)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return [replace(w, path=folder / n) for n, w in zip(names, written)], len(removed)


def _is_input(path: Path, inputs: Iterable[str | os.PathLike[str]]) -> bool:
    return path.is_file() and any(Path(p).is_file() and os.path.samefile(path, p) for p in inputs)


@dataclass(frozen=True)
class LedgerList:
    """A list of ledger rows for the clerks: CSV, UTF-8 with BOM (Excel shows the Chinese), with
    Chinese headers; beside an output ``NAME.<key>.csv``, in the nightly run's folder ``<key>.csv``."""

    key: str
    headers: Mapping[str, str]  # the columns written, in order, and their headers
    what: str  # what its rows are, as :class:`Written` says


ERRORS = LedgerList("errors", ERROR_HEADERS, "rejected rows")
PROBLEMS = LedgerList("problems", PROBLEM_HEADERS, "value problems")


def list_path_for(output_path: str | os.PathLike[str], kind: LedgerList) -> Path:
    """The list of ``kind`` written beside an output: ``out.xlsx`` → ``out.errors.csv``,
    ``out.problems.csv``; in a folder, ``errors.csv``, ``problems.csv``."""
    path = Path(output_path)
    if path.is_dir():
        return path / f"{kind.key}.csv"
    return path.with_name(f"{path.stem}.{kind.key}.csv")


def errors_path_for(output_path: str | os.PathLike[str]) -> Path:
    """The errors file written beside an output: ``out.xlsx`` → ``out.errors.csv``."""
    return list_path_for(output_path, ERRORS)


def problems_path_for(output_path: str | os.PathLike[str]) -> Path:
    """The value-problems file written beside an output: ``out.xlsx`` → ``out.problems.csv``."""
    return list_path_for(output_path, PROBLEMS)


def list_file_beside(path: str | os.PathLike[str], kind: LedgerList) -> Path | None:
    """The list of ``kind`` (errors, problems) written beside an output ``path``; None for a pipe
    or device."""
    return list_path_for(Path(path), kind) if _write_target(Path(path))[1] else None


def _ledger_lists(rejects: pd.DataFrame | None, problems: pd.DataFrame | None) -> list[tuple[LedgerList, pd.DataFrame]]:
    """The lists given, each in its columns: the rejected rows, the value problems."""
    given = [(ERRORS, None if rejects is None else errors_frame(rejects)), (PROBLEMS, problems)]
    return [(kind, rows) for kind, rows in given if rows is not None]


def output_paths(result: Output, fmt: str, path: str | os.PathLike[str], rejects: pd.DataFrame | None,
                 problems: pd.DataFrame | None = None) -> list[Path]:
    """Every file :func:`write_output` may write for ``path``: the file, CSV tables beside it, the
    errors file and the value-problems file. A pipe or device (``/dev/stdout``) is not a file in a
    folder: nothing is written beside it (the command lists rejected rows on stderr)."""
    path = Path(path)
    if not _write_target(path)[1]:
        return [path]
    beside = [path.with_name(f"{path.stem}.{key}.csv") for key in result.beside] if fmt == "csv" else []
    return [path, *beside, *(list_path_for(path, kind) for kind, _ in _ledger_lists(rejects, problems))]


def write_output(
    result: Output | pd.DataFrame,
    fmt: str | None,
    path: str | os.PathLike[str] | None = None,
    *,
    rejects: pd.DataFrame | None = None,
    problems: pd.DataFrame | None = None,
    stream: TextIO | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> list[Written]:
    """The one output path: print ``result`` to ``stream`` (stdout by default) as a table, CSV or
    JSON, or write it atomically to ``path`` in ``fmt`` (decided by :func:`output_format`).

    Beside a written file, ``rejects`` (the ledger's rejected rows) go to ``NAME.errors.csv`` and
    ``problems`` (its value problems, ``Ledger.listed_problems``) to ``NAME.problems.csv``; when one
    of them is given but empty, that file left there by an earlier run is removed (nothing is
    written beside a pipe or device: :func:`output_paths`). No file is written when one of them is
    among ``inputs``. Returns the files written, the errors and problems files last."""
    result = result if isinstance(result, Output) else Output(result)
    fmt = output_format(fmt, path)
    paths = output_paths(result, fmt, path, rejects, problems) if path is not None else []
    refuse_inputs(paths, inputs)
    out = stream if stream is not None else sys.stdout
    if path is None:
        if fmt == "table":
            _print_tables(result, out)
        elif fmt == "csv":
            out.write(to_csv(result.frame, columns=result.columns))
        else:
            out.write(to_json_payload(result.payload) if result.payload is not None
                      else to_json(result.frame, columns=result.columns))
        return []
    with file_set():
        written = _write_file(result, fmt, Path(path))
        for kind, rows in _ledger_lists(rejects, problems):
            target = list_path_for(path, kind)
            if target not in paths:
                continue
            if len(rows):
                written.append(Written(write_list(rows, kind, target), len(rows), kind.what))
            else:
                remove_in_set(target)
    return written


def errors_frame(rejects: pd.DataFrame) -> pd.DataFrame:
    """Rejects reduced to the errors-file columns (file, sheet, row, case_no, reason)."""
    out = rejects.rename(columns=_ERROR_ALIASES).reindex(columns=ERROR_COLUMNS)
    out["row"] = pd.to_numeric(out["row"], errors="coerce").astype("Int64")
    return out


def write_list(rows: pd.DataFrame, kind: LedgerList, path: str | os.PathLike[str]) -> Path:
    """Write ``rows`` (holding ``kind``'s columns) as ``kind``'s CSV: UTF-8 with BOM, Chinese headers."""
    to_csv(rows.reindex(columns=list(kind.headers)).rename(columns=kind.headers), path)
    return Path(path)


def write_errors(rejects: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write the rejects as CSV (UTF-8 with BOM) with the columns 文件, 工作表, 行号, 案号, 原因
    (file, sheet, row, case_no, reason)."""
    return write_list(errors_frame(rejects), ERRORS, path)


def write_problems(problems: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write the value problems (``Ledger.listed_problems``) as CSV (UTF-8 with BOM) with the columns
    文件, 工作表, 行号, 案号, 列, 原值, 问题 (file, sheet, row, case_no, column, value, problem)."""
    return write_list(problems, PROBLEMS, path)
