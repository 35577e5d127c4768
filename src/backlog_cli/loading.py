"""Load ledgers (台帐) from xlsx/xlsm/xls/ods/csv/tsv into one case frame.

Every data row read ends up in exactly one of three places: ``Ledger.cases`` (a case),
``Ledger.skipped`` (not a case: blank, totals, repeated header) or ``Ledger.rejects`` (a case that
cannot be used: no filing date, unreadable case number, duplicate).  Row conservation,
``rows_read == len(cases) + len(skipped) + len(rejects)``, holds by construction and is tested.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import ctypes
import datetime as dt
import functools
import gc
import io
import itertools
import math
import mmap
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from backlog_cli import parsing, workbook
from backlog_cli.config import document_line, encoding_problem, key_line, load_yaml, read_yaml, shown_path
from backlog_cli.errors import ConfigError, LedgerError, counted, did_you_mean, shown_value, slip_note, some_of
from backlog_cli.outputs import (ERROR_HEADERS, FLAG_TEXT, MESSAGE_MAX_VALUE, PROBLEM_HEADERS, Sheet, iso_dates,
                                 terminal_text, whole_numbers)
from backlog_cli.workbook import EXCEL_SUFFIXES

if TYPE_CHECKING:
    from backlog_cli.config import Config, LedgerSource

TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}  # .txt: Excel's 文本文件（制表符分隔） and Unicode 文本
# Spreadsheets of other kinds, not read: said as what they are, with what to save them as.
OTHER_SPREADSHEETS = {".xlsb": "an Excel binary workbook (.xlsb)", ".et": "a WPS 表格 workbook (.et)",
                      ".ett": "a WPS 表格 template (.ett)", ".xlt": "an Excel template (.xlt)",
                      ".xltx": "an Excel template (.xltx)", ".xltm": "an Excel template (.xltm)",
                      ".numbers": "a Numbers spreadsheet (.numbers)"}
HEADER_SCAN_ROWS = 30
TOTAL_WORDS = ("合计", "小计", "总计", "共计", "累计", "汇总", "总数", "总 计", "合 计")
TOTALS_MARKS = "计总"  # every totals word has one of them (checked in the tests)
# a totals row's first cell, spaces removed: a totals word, perhaps after what it totals (本页合计, 以上合计, 总合计),
# or a cell ending in 小计, 合计 or 汇总 after the group it totals (张三小计, 执行一组合计: a subtotal per officer or team)
TOTALS_TEXT = re.compile(r"(?:本页|本表|本月|本年|本期|本季度?|当月|全年|以上|全部|全院|全局|总)?"
                         f"(?:{'|'.join(w for w in TOTAL_WORDS if ' ' not in w)})|.{{1,12}}?(?:小计|合计|汇总)$")
SERIAL_HEADERS = frozenset(["序号", "序", "编号", "行号", "no", "no."])  # a row's number in the ledger, as header_key gives it
SOURCE_COLUMNS = ["source_file", "source_sheet", "source_row"]
REJECT_COLUMNS = ["file", "sheet", "row", "case_no", "reason"]
# ``problem`` its kind (日期无法识别), ``detail`` what the value's own text adds to it, else '' (WEEKDAY_SLIP)
PROBLEM_COLUMNS = ["file", "sheet", "row", "column", "value", "problem", "detail"]
# value problems as listed (Ledger.listed_problems): ``column`` is the header the row's sheet gives
# ``field``, ``value`` the cell as typed, ``problem`` its kind and detail in one text
LISTED_PROBLEM_COLUMNS = ["file", "sheet", "row", "case_no", "field", "column", "value", "problem"]
IDENTIFIER_FIELDS = ("officer",)  # names used as keys: parsing.normalize_person (free text is kept as typed)
# text fields the rules and the open/closed reading depend on, often filled by a lookup formula: a
# failed one (#N/A) is a value problem, read as blank (a few distinct values each: checked once per value)
FORMULA_CHECKED = ("team", "cause", "status", "close_method")

Progress = Callable[[str, float], None]  # what is being done, and the share of the load done (0-1)


# --------------------------------------------------------------------------- column aliases


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    label: str
    aliases: tuple[str, ...]
    units: tuple[str, ...] = ()  # a number field: units allowed after a number in text (3个月)


@dataclass(frozen=True)
class Columns:
    """Canonical fields and the header keys that map to them."""

    fields: dict[str, FieldSpec]
    by_key: dict[str, str]

    def field_for(self, header: str) -> str | None:
        return self.by_key.get(parsing.header_key(header))

    def absent_fields(self, config: Config) -> frozenset[str]:
        """The fields the settings' ``absent_columns`` name (field names or headers). A name that
        is neither is a ConfigError, and so is the close date: without it every case counts as
        open, which is never to be quiet about."""
        where = f"{config.where.get('absent_columns', config.path)}: absent_columns"
        found = {name: self.field_for(name) for name in config.absent_columns}
        unknown = [name for name, field in found.items() if field is None]
        if unknown:
            known = [*self.fields, *(a for spec in self.fields.values() for a in spec.aliases)]
            raise ConfigError(f"{where}: '{unknown[0]}' is neither a ledger field nor a header"
                              f"{did_you_mean(unknown[0], known)}; fields: {', '.join(self.fields)}")
        if "closed_on" in found.values():
            raise ConfigError(f"{where}: the close date (closed_on) cannot be absent: without it every case counts "
                              "as open; add the ledger's close-date column instead")
        return frozenset(f for f in found.values() if f is not None)

    def resembling(self, name: str, headers: Sequence[str]) -> list[str]:
        """Those of ``headers`` (not recognised) that look like field ``name``: whose header holds
        its label or an alias of two characters or more (结案日期（甲）, 结案日期(备用) for 结案日期)."""
        spec = self.fields.get(name)
        if spec is None:
            return []
        keys = {k for k in map(parsing.header_key, (spec.label, *spec.aliases)) if len(k) >= 2}
        return [h for h in headers if any(k in parsing.header_key(h) for k in keys)]

    def labels(self) -> dict[str, str]:
        """Display labels: the ledger fields' and those of the columns backlog adds."""
        return {**_bundled_labels(), **{name: spec.label for name, spec in self.fields.items()}}


def _read_yaml(path: Path | None, text: str | None = None) -> dict:
    """A column aliases file's fields (``text``: the bundled file's)."""
    data = load_yaml(text) if text is not None else read_yaml(path, "column aliases file")
    if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
        # the line of a fields: that is no mapping, else of the document (a list, a text, no fields:)
        line = (key_line(path, "fields") if isinstance(data, dict) and "fields" in data else document_line(path)) \
            if path is not None else None
        where = f"{path}:{line}" if line else f"column aliases file {path}"
        raise LedgerError(f"{where}: expected a mapping with a 'fields:' key{slip_note(data)}")
    return data["fields"]


@cache
def _bundled_text() -> str:
    return resources.files("backlog_cli").joinpath("columns.yaml").read_text(encoding="utf-8")


def _bundled_fields() -> dict:
    return _read_yaml(None, _bundled_text())


@cache
def _bundled_labels() -> dict[str, str]:
    return dict(load_yaml(_bundled_text()).get("labels") or {})


KINDS = ("text", "date", "amount", "flag", "case_no", "number")
# The kinds a columns file may give a field it adds: case_no is the case number's own (_check_kind).
NEW_FIELD_KINDS = ", ".join(k for k in KINDS if k != "case_no")
FIELD_KEYS = ("kind", "label", "aliases", "units")
# The bundled fields whose kind a columns file cannot change, with what reads them by it (checked
# in the tests against what the bundled rules and deadlines read). The others (applicant, court,
# basis_org, next_step, expected_close) are free text that only a court's own rules read: a columns
# file may give one another kind (预计结案时间 kept as dates: expected_close: {kind: date}), and the
# rules then read it with that kind, as they read a field the file adds.
_DEADLINES_DEDUCT = "the deadlines leave out the time from 中止 to 恢复"
_DEADLINES_ADD = "the deadlines add it to the limit"
_AN_AMOUNT = "it is read in 元 (a 万元 header converted) and checked as an amount"
_RULES_TEXT = "the bundled rules read it as text"
KIND_FIXED = {
    "case_no": "the case's year, court, type and number are read from it",
    "filed_on": "the cases counted at a day, their age and the deadlines count from it",
    "closed_on": "it says whether a case is open or closed",
    "suspended_on": _DEADLINES_DEDUCT,
    "resumed_on": _DEADLINES_DEDUCT,
    "new_limit": "the deadlines take it as an approved new limit",
    "extension_months": _DEADLINES_ADD,
    "extension_days": _DEADLINES_ADD,
    "amount": _AN_AMOUNT,
    "unperformed": _AN_AMOUNT,
    "officer": "the task lists and the ranking are per officer",
    "team": "the task lists are grouped by it with --by team",
    "status": "it says whether a case is closed or suspended",
    "close_method": "it says whether a case is closed, and how",
    "petition": "the bundled rules read it as a flag",
    "cause": _RULES_TEXT,
    "respondent": _RULES_TEXT,
    "notes": _RULES_TEXT,
    "reason_open": _RULES_TEXT,
    "basis_doc": _RULES_TEXT,
}


def _check_field(path: Path, name: object, spec: object) -> dict:
    """One field of a user aliases file: a mapping of kind / label / aliases (a list of headers).
    A problem names the line of the key it is in (:func:`_columns_file_at`)."""
    field = f"field '{name}'"

    def at(*key: str) -> str:
        return f"{_columns_file_at(path, 'fields', str(name), *key)}: {field}"

    if not isinstance(spec, dict):
        raise LedgerError(f"{at()} must be a mapping with 'aliases:' (and optionally 'kind:', 'label:')")
    unknown = [k for k in spec if k not in FIELD_KEYS]
    if unknown:
        raise LedgerError(f"{at(str(unknown[0]))}: unknown key '{unknown[0]}' (keys: {', '.join(FIELD_KEYS)})")
    aliases = spec.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, (str, int)) for a in aliases):
        raise LedgerError(f"{at('aliases')}: 'aliases' must be a list of header names, e.g. aliases: [执行案件号]")
    if spec.get("kind", "text") not in KINDS:
        raise LedgerError(f"{at('kind')}: unknown kind '{spec['kind']}' (kinds: {NEW_FIELD_KINDS})")
    label = spec.get("label")
    if "label" in spec and not (isinstance(label, str) and label.strip()):  # a list was shown as ['a'], nothing as None
        raise LedgerError(f"{at('label')}: 'label' must be the header text its column is shown under, e.g. "
                          f"label: 合议庭, got {shown_value(label)}")
    units = spec.get("units", [])
    if not isinstance(units, list) or not all(isinstance(u, str) and u.strip() for u in units):
        raise LedgerError(f"{at('units')}: 'units' must be a list of unit words, e.g. units: [个月, 月]")
    return spec


def _columns_file_at(path: Path, *keys: str) -> str:
    """Where a problem of a columns file is: the file and the line of the key ``keys`` lead to
    (``fields``, ``orig_no``, ``kind``), else the file alone."""
    line = key_line(path, *keys)
    return f"{path}:{line}" if line else f"column aliases file {path}"


def _check_kind(path: Path, name: str, spec: dict) -> None:
    """A LedgerError, at the line of its ``kind:``, for a kind a columns file gives a field that
    cannot take it: a bundled field of :data:`KIND_FIXED`, or the case number's own kind on any
    field but the case number."""
    bundled = _bundled_fields().get(name)
    kind = spec.get("kind")
    if bundled is None and kind == "case_no":  # its year, court, type and number would replace the case's own
        raise LedgerError(f"{_columns_file_at(path, 'fields', name, 'kind')}: field '{name}' cannot be "
                          "kind: case_no, the case number's own kind (its parts would replace the case's); "
                          "another case number (原执行案号) is kept as text: leave kind: text")
    if bundled is None or kind is None or kind == bundled["kind"]:
        return
    label = bundled.get("label", name)
    if name in KIND_FIXED:
        article = "an" if bundled["kind"][0] in "aeiou" else "a"
        problem = (f"field '{name}' ({label}) is {article} {bundled['kind']} field, which kind: {kind} cannot change: "
                   f"{KIND_FIXED[name]}; leave kind: out to add headers to it")
    elif kind == "case_no":
        problem = f"field '{name}' ({label}) cannot be kind: case_no, the case number's own kind"
    else:
        return
    raise LedgerError(f"{_columns_file_at(path, 'fields', name, 'kind')}: {problem}")


def _check_label(path: Path, name: str, label: str, fields: Mapping[str, dict]) -> None:
    """A LedgerError, at the line of its ``label:``, for a label a columns file gives field ``name``
    that another field's, or a column backlog adds, already has: two columns would be shown under
    one header, and ``--by`` names a field by its label."""
    labels = {**_bundled_labels(), **{other: spec.get("label", other) for other, spec in fields.items()}}
    taken = next((other for other, shown in labels.items() if shown == label and other != name), None)
    if taken is not None:
        raise LedgerError(f"{_columns_file_at(path, 'fields', name, 'label')}: field '{name}': label '{label}' is "
                          f"already the label of '{taken}'; a header can show one column only")


def load_columns(extra: Sequence[Path] = ()) -> Columns:
    """The bundled aliases, extended by user files with the same layout (aliases are added).

    A user file may add aliases to a known field, or add a new field, which must then say its
    ``kind`` (so a misspelt field name is caught, with a suggestion). A header name may belong to
    one field only."""
    merged: dict[str, dict] = {k: dict(v) for k, v in _bundled_fields().items()}
    owner = {parsing.header_key(str(a)): name for name, spec in merged.items() for a in (name, *spec.get("aliases", []))}
    for path in extra:
        for name, spec in _read_yaml(Path(path)).items():
            name = str(name)
            spec = _check_field(Path(path), name, spec or {})
            _check_kind(Path(path), name, spec)
            if name not in merged and "kind" not in spec:
                raise LedgerError(
                    f"{_columns_file_at(Path(path), 'fields', name)}: '{name}' is not a known field"
                    f"{did_you_mean(name, merged)}; to add a new field, give it a kind ({NEW_FIELD_KINDS})"
                )
            for alias in spec.get("aliases", []):
                key = parsing.header_key(str(alias))
                if owner.setdefault(key, name) != name:
                    raise LedgerError(
                        f"{_columns_file_at(Path(path), 'fields', name, 'aliases')}: header '{alias}' is given for '{name}' "
                        f"but already belongs to '{owner[key]}'; a header can name one field only"
                    )
            if "label" in spec:
                _check_label(Path(path), name, spec["label"], merged)
            base = merged.setdefault(name, {"kind": "text", "label": name, "aliases": []})
            base["aliases"] = list(base.get("aliases", [])) + list(spec.get("aliases", []))
            for key in ("kind", "label", "units"):
                if key in spec:
                    base[key] = spec[key]
    fields = {
        name: FieldSpec(name, spec.get("kind", "text"), spec.get("label", name), tuple(spec.get("aliases", [])),
                        tuple(spec.get("units", [])))
        for name, spec in merged.items()
    }
    by_key: dict[str, str] = {}
    for spec in fields.values():
        for alias in (spec.name, *spec.aliases):
            by_key.setdefault(parsing.header_key(str(alias)), spec.name)
    return Columns(fields, by_key)


# --------------------------------------------------------------------------- reading files


@dataclass
class RawSheet:
    """A sheet as cells: ``frame`` has one row per spreadsheet row, ``first_row`` is the Excel row
    number of its first row. A large workbook sheet comes in blocks: ``frame`` is the first
    (enough rows to find the header), ``more`` yields the rest once, each block's index going on
    from the one before."""

    name: str
    frame: pd.DataFrame
    first_row: int
    more: Iterator[pd.DataFrame] = field(default_factory=lambda: iter(()))
    rows: int = 0  # all the sheet's rows, for progress
    hidden: bool = False  # a hidden sheet, not read (no cells)
    chart: bool = False  # a sheet without cells that is a chart sheet or shows a chart
    hidden_rows: Sequence[int] = ()  # rows hidden in Excel (xlsx/xlsm), as Excel numbers them: read like the others
    # columns hidden in Excel, as ranges (first, last) of 0-based sheet columns; the frame's first
    # column is the sheet's column ``first_column`` (0-based)
    hidden_columns: Sequence[tuple[int, int]] = ()
    first_column: int = 0
    # rows far below the table whose only cells show an unsaved formula or an error, as Excel numbers
    # them: not read (:func:`_rows_below`), warned about; filled when the last block is read
    far_rows: list[int] = field(default_factory=list)
    # a text ledger read row by row: each row's fields as the file gives them, and up to its last
    # filled one (:func:`_too_wide`); None when no row has more fields than the first
    fields: tuple[np.ndarray, np.ndarray] | None = None
    # a text ledger read by pandas (``fields`` None): the fields of each of its first rows, to tell
    # whether a first line wider than the header hides wider rows below it (:func:`_hides_wider_rows`)
    head_fields: np.ndarray | None = None
    # a text ledger's rows holding a NUL character (a damaged copy), as numbered: rejected (:data:`NUL_ROW`)
    nul_rows: np.ndarray | None = None
    # cells merged down over several rows (:class:`_MergedDown`): (first row, last row, first column,
    # last column), sheet rows 0-based (Excel's row less one), columns those of ``frame``
    merged_down: Sequence[tuple[int, int, int, int]] = ()

    def whole(self) -> pd.DataFrame:
        """Every row at once (for small files such as a targets sheet)."""
        blocks = [self.frame, *self.more]
        return pd.concat(blocks) if len(blocks) > 1 else self.frame


# Rows per block when a sheet or a UTF-8 text ledger is read: one block's python cells alive at a
# time, not a whole sheet's. For a 200,000-row workbook: 50,000 rows peaked at 430 MB, 20,000 at 396 MB, 10,000
# at 379 MB, each smaller block costing a little more time (8.0, 8.0, 8.4 s of CPU). The header
# is looked for in the first block, so a block holds far more than HEADER_SCAN_ROWS rows.
BLOCK_ROWS = 20_000
# Rows per block of a UTF-8 text ledger. Its cells come from pandas' C reader, not as a decoded
# sheet held beside them, and each block costs some 40 ms of pandas calls whatever its size: the
# 1,000,000-row CSV loaded in 15.8-18.0 s of CPU in blocks of 250,000 rows against 19.6-21.6 s in
# blocks of 20,000 (about 50 MB more at the load's peak, below the later deadline evaluation's).
TEXT_BLOCK_ROWS = 100_000
# The next sheet of a workbook starts decoding when this many blocks of this sheet are left to read
# after the one being read. python-calamine holds a decoded sheet (about 1 KB a row, half as much
# again while decoding) until its last block is read: decoding the next sheet from this sheet's
# first block held both at once, the 200,000-row workbook's peak (the command 430-449 MB); from the
# block before the last, 386-390 MB, and a median of 0.3 s more over seven alternating pairs
# (within the machine's noise); from the last block, 383-388 MB and about 1 s more.
NEXT_SHEET_AHEAD = 1


def check_file(path: Path) -> None:
    """A LedgerError unless ``path`` is a non-empty file of a kind that is read."""
    if not path.exists():
        raise LedgerError(f"{path}: no such file")
    if path.is_dir():
        raise LedgerError(f"{path}: is a folder, not a ledger file")
    if path.stat().st_size == 0:
        raise LedgerError(f"{path}: the file is empty")
    suffix = path.suffix.lower()
    if suffix in OTHER_SPREADSHEETS:
        raise LedgerError(f"{path}: {OTHER_SPREADSHEETS[suffix]}, which is not read; save it as .xlsx "
                          "(另存为 Excel 工作簿) and load that")
    if suffix not in EXCEL_SUFFIXES | TEXT_SUFFIXES:
        raise LedgerError(
            f"{path}: unsupported file type '{suffix or '(none)'}'; "
            "use .xlsx, .xlsm, .xls, .ods, .csv, .tsv or .txt"
        )


def _read_excel(path: Path, progress: Progress | None,
                wanted: Collection[str] | None) -> Iterator[tuple[RawSheet, float, float]]:
    """Each sheet as it is decoded, with the share of the file's sheets before it and its own
    share: a caller that parses a sheet block by block holds one block's cells at a time.

    The next sheet is decoded on a second thread while the caller parses the end of this one
    (:class:`workbook.Decoding`, started NEXT_SHEET_AHEAD blocks before this one's last)."""
    with workbook.decoding(path, wanted) as book:
        count = max(1, len(book.names))
        done = 0
        for name in book.listed:
            if name in book.hidden:
                yield RawSheet(name, pd.DataFrame(), 1, hidden=True), done / count, 0.0
                continue
            if progress:
                progress(f"reading {path.name} [{name}]", done / count)
            # the blocks hold the decoded sheet until their last is read
            raw = _sheet_cells(book.sheet(done), path, name, book.shown(done),
                               functools.partial(book.start_after, done), book.merged(done))
            raw.hidden_rows = book.hidden_rows(done)
            raw.hidden_columns = book.hidden_columns(done)
            raw.chart = not len(raw.frame) and book.chart(done)
            yield raw, done / count, 1 / count
            done += 1


def _sheet_cells(sheet, path: Path, name: str, shown: Mapping[tuple[int, int], str] | None = None,
                 near_end: Callable[[], None] | None = None, merged: Sequence = ()) -> RawSheet:
    """One decoded sheet's cells, in blocks of at most BLOCK_ROWS rows (of even size, so that the
    last is not a small rest); the decoded sheet is let go once the last block is read. ``shown``:
    cells read as blank that show an error or an unsaved formula, by sheet row and column, put in
    as the text the sheet shows (see :func:`workbook.shown_cells`). ``near_end`` is called once,
    when the block NEXT_SHEET_AHEAD blocks before the last is read (it starts the next sheet's decode).

    The blocks hold the rows' iterator, never the sheet itself: python-calamine keeps the decoded
    cells while either is alive, and they are let go when the last block is read only if nothing
    else holds them (with the sheet in the closure, 106 MB of the 200,000-row workbook's first
    sheet stayed through its last block's parse, at the load's peak)."""
    source, base = _rows_from_start(sheet)
    rows = [source]
    height, width, top_left = sheet.height, sheet.width, sheet.start
    size = max(1, math.ceil(height / max(1, math.ceil(height / BLOCK_ROWS))))  # even blocks
    merged = _MergedDown(sheet, merged)
    del sheet
    left = top_left[1] if top_left else 0
    marks = sorted(shown.items()) if shown else []
    far: list[int] = []
    ahead = [near_end] if near_end else []  # called once

    def block(offset: int) -> pd.DataFrame:
        try:
            cells = list(itertools.islice(rows[0], size)) if rows else []
        except Exception as exc:
            raise LedgerError(f"{path} [{name}]: cannot read the sheet ({workbook.short_error(exc)})") from None
        first = base + offset
        if ahead and offset + len(cells) + NEXT_SHEET_AHEAD * size >= height:
            ahead.pop()()
        for (r, c), text in marks[bisect.bisect_left(marks, ((first, -1), "")):]:
            if r >= first + len(cells):
                break
            row = cells[r - first]
            if 0 <= c - left < len(row) and row[c - left] == "":
                row[c - left] = text
        if rows and (len(cells) < size or offset + len(cells) >= height):
            rows.clear()  # the last block: the decoded sheet is freed
            return_freed_memory()
            near, far_rows = _rows_below(marks, first + len(cells), left, len(cells[0]) if cells else width)
            cells += near
            far.extend(far_rows)
        merged.fill(cells, first)
        frame = pd.DataFrame(cells, index=pd.RangeIndex(offset, offset + len(cells)), dtype=object)
        return _without_blank_end(frame) if offset == 0 and not rows else frame  # a sheet of one block

    def more(offset: int) -> Iterator[pd.DataFrame]:
        while len(frame := block(offset)):
            yield frame
            offset += len(frame)

    first = block(0)
    start = top_left[0] if len(first) and top_left else 0
    return RawSheet(name, first, start + 1, more(len(first)) if rows else iter(()), height, far_rows=far,
                    first_column=left, merged_down=merged.ranges)


def _without_blank_end(frame: pd.DataFrame) -> pd.DataFrame:
    """A whole sheet's cells (one block) without the columns right of the last one holding a value
    (whitespace alone is none, as the value parsers read it). A space typed in XFD1 made a ledger
    16,384 columns wide, each read as a column of its own: 12 s for a sheet of two rows, 19 s for
    200 (a sheet so wide of more rows is refused before it is decoded, :func:`workbook.oversized_sheets`),
    where without the stray cell they take a fraction of a second; the columns it added, blank and
    without a header, were left out of the cases anyway."""
    values = frame.to_numpy()
    for col in range(values.shape[1] - 1, -1, -1):  # from the right, to the first with a value
        cells = values[:, col]
        if any(not isinstance(v, str) or v.strip() for v in cells[pd.notna(cells) & (cells != "")]):
            return frame.iloc[:, : col + 1] if col + 1 < values.shape[1] else frame
    return frame


SHOWN_BELOW_ROWS = 1_000  # how far below a sheet's last value rows of shown cells alone are read


def _rows_below(marks: list[tuple[tuple[int, int], str]], below: int, left: int,
                width: int) -> tuple[list[list], list[int]]:
    """The rows from sheet row ``below`` (0-based) down to the last of ``marks`` (shown cells by
    sheet row and column, sorted) within :data:`SHOWN_BELOW_ROWS`, blank but for their shown cells:
    python-calamine's sheet ends at its last cell with a value, above a last row of formulas saved
    without their results. And the rows (as Excel numbers them) of the marks farther down: a stray
    cell a million rows below would be a million blank rows read; they are warned about instead."""
    tail = marks[bisect.bisect_left(marks, ((below, -1), "")):]
    if not tail or width <= 0:
        return [], []
    cut = bisect.bisect_left(tail, ((below + SHOWN_BELOW_ROWS, -1), ""))
    near, far = tail[:cut], sorted({r + 1 for (r, _c), _text in tail[cut:]})
    extra = [[""] * width for _ in range(near[-1][0][0] - below + 1)] if near else []
    for (r, c), text in near:
        if 0 <= c - left < width:
            extra[r - below][c - left] = text
    return extra, far


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: its allocator returns memory by itself or not at all
        return None


def return_freed_memory() -> None:
    """Hand memory freed by a decoded sheet back to the system. glibc keeps freed memory for
    reuse by the thread that freed it, and sheets are decoded on a second thread: without this
    the 200,000-row workbook's decoded sheets (about 130 MB) stayed with the process until it
    ended, above every later step's own memory."""
    if trim := _malloc_trim():
        trim(0)


def _rows_from_start(sheet) -> tuple[Iterator[list], int]:
    """The sheet's rows from the first row of its data (``sheet.start``), as ``to_python`` gives
    them, and the sheet row (0-based) of the first: python-calamine's ``iter_rows`` also yields
    the empty rows above it (0.9), which are skipped here, and kept should a version leave them
    out (then they hold data)."""
    rows = sheet.iter_rows()
    top = sheet.start[0] if sheet.start else 0
    above = list(itertools.islice(rows, top))
    if any(cell != "" for row in above for cell in row):
        return itertools.chain(above, rows), 0
    return rows, top


class _MergedDown:
    """A sheet's cells merged over several rows (承办人 merged over a group of cases): every row of
    the range reads the value of its top row, as the sheet shows it. Merges across columns only
    (a title over the table) are left as they are. A row of the range with no value of its own
    (a blank row between two cases of the group) stays blank. Blocks come in order, so a range's
    top row is always read before the rows below it."""

    def __init__(self, sheet, scanned: Sequence = ()) -> None:
        """``scanned``: the ranges found in the file where python-calamine gives none (.ods)."""
        left = sheet.start[1] if sheet.start else 0
        self.ranges = [(r1, r2, c1 - left, c2 - left)
                       for (r1, c1), (r2, c2) in getattr(sheet, "merged_cell_ranges", None) or scanned if r2 > r1]
        self.tops: dict[int, list] = {}

    def fill(self, cells: list[list], first: int) -> None:
        """Fill ``cells`` (rows of the sheet from its row ``first``, 0-based) in place."""
        last = first + len(cells) - 1
        spans = []
        for k, (r1, r2, c1, c2) in enumerate(self.ranges):
            if first <= r1 <= last:
                self.tops[k] = cells[r1 - first][c1 : c2 + 1]
            if k not in self.tops or r2 < first or r1 >= last:
                continue
            spans.append((k, range(max(r1 + 1, first), min(r2, last) + 1), c1, c2))
        # whether each row below a top holds a value of its own, told before any range fills it
        own = {r: any(v != "" and not (isinstance(v, str) and parsing.is_blank_text(v)) for v in cells[r - first])
               for _, rows, _, _ in spans for r in rows}
        for k, rows, c1, c2 in spans:
            for r in rows:
                if not own[r]:
                    continue
                row = cells[r - first]
                for c, value in zip(range(c1, c2 + 1), self.tops[k]):
                    if c < len(row) and row[c] == "":
                        row[c] = value




def decode_text(path: Path, data: bytes, encoding: str | None) -> str:
    """Decode a text ledger: the given encoding, else the one its byte order mark names (UTF-8,
    UTF-16 as Excel's "Unicode text", UTF-32), else UTF-16 told from where its NUL bytes stand
    (:func:`_utf16_without_bom`), else UTF-8, else GB18030. A file with NUL bytes that is none of
    these and looks binary (:func:`_not_text`) is refused; a few NUL bytes in text are kept, and
    reject the rows that hold them (:func:`_text_sheet`)."""
    bom = workbook.bom_encoding(data)
    utf16 = None
    if encoding is None and bom is None and b"\x00" in data:
        head = data[:_SNIFF_BYTES]
        if (utf16 := _utf16_without_bom(head)) is None and _not_text(head):
            raise LedgerError(f"{path}: this is not a text (CSV) file")
    candidates = [encoding] if encoding else [bom] if bom else [utf16] if utf16 else ["utf-8-sig", "gb18030"]
    failed = []  # (where the decoding stopped, the encoding)
    for enc in candidates:
        try:
            text = data.decode(enc)
        except LookupError:
            raise LedgerError(encoding_problem(enc) or f"unknown encoding '{enc}'") from None
        except UnicodeDecodeError as exc:
            if encoding or bom or utf16:
                raise _decode_problem(path, data, enc, exc.start) from None
            failed.append((exc.start, enc))
            continue
        text = text.removeprefix("\ufeff")
        if not text.strip():
            raise LedgerError(f"{path}: the file is empty (no text{' after its byte order mark' if bom else ''})")
        return text
    at, enc = max(failed)  # the encoding that read furthest: most likely the file's, with a bad spot
    line = data[:at].count(b"\n") + 1
    name = "UTF-8" if enc != "gb18030" else "GBK" if _decodes(data[:at], "gbk") else "GB18030"  # GBK lacks 䶮, 𠮷
    raise EncodingUnknown(f"{path}: cannot tell the text encoding (not UTF-8 or GBK); it reads furthest as "
                          f"{name}, up to line {line} (byte {at}): fix that spot, or ")


_SNIFF_BYTES = 4096  # the start of a text file with NUL bytes in it, to tell UTF-16 or binary from text


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when ``head``, the start of a file holding NUL bytes, is UTF-16
    text saved without a byte order mark (as some programs save Unicode text): the NUL bytes of its
    ASCII characters (digits, dates, commas, line ends) stand at odd byte positions (LE) or at even
    ones (BE), hardly ever at the other, and so read it decodes into printable characters. None
    for anything else: a stray NUL in UTF-8 or GBK text, a binary file (NULs at both)."""
    head = head[: len(head) & ~1]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    enc, nuls = ("utf-16-le", odd) if odd > even else ("utf-16-be", even)
    if nuls * 8 < len(head) // 2 or min(even, odd) * 10 > nuls:
        return None
    try:
        text = head.decode(enc)
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not a pair of surrogates cut at the end of the start read
            return None
        text = head[: exc.start].decode(enc)
    shown = sum(c.isprintable() or c.isspace() for c in text)
    return enc if text and shown >= 0.95 * len(text) else None


# control bytes, which text holds hardly any of (tab, line ends and form feeds aside)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r") + b"\x7f"
# how files that are not text begin: a workbook (xlsx, ods and other zips; xls), a PDF, images, archives
_BINARY_STARTS = workbook.WORKBOOK_STARTS + (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b",
                                             b"Rar!", b"7z\xbc\xaf")


def _not_text(head: bytes) -> bool:
    """Whether a file whose start is ``head``, NUL bytes in it and not UTF-16, is no text file: it
    begins as a known binary kind does, or holds more control bytes than lines (a few NUL bytes in
    a text ledger are a damaged copy, read with the rows that hold them rejected)."""
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return head.startswith(_BINARY_STARTS) or controls > head.count(b"\n") + 1


def _holds_nul(path: Path) -> bool:
    """Whether the file holds a NUL byte anywhere (looked for without reading it into memory)."""
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        return mapped.find(b"\x00") != -1


class EncodingUnknown(LedgerError):
    """A text ledger whose encoding is not detected: said with where one may be named (``named_by``:
    --encoding, ``encoding:`` in the settings file read, or both)."""

    def __init__(self, said: str) -> None:
        self.said = said
        super().__init__(self.named_by(True, None))

    def named_by(self, option: bool, settings: str | Path | None) -> str:
        ways = ["--encoding"] if option or settings is None else []
        ways += [f"`encoding:` in {settings}"] if settings is not None else []
        return f"{self.said}name the encoding with {' or '.join(ways)}"


class EncodingHint(LedgerError):
    """A text ledger the encoding named does not read, with the encoding that does (``other``;
    None when neither UTF-8 nor GB18030 does). Said as ``--encoding``; :func:`load_ledger` says it
    with :meth:`set_in` when the encoding came from the settings' ``encoding:``."""

    def __init__(self, said: str, other: str | None) -> None:
        self.said, self.other = said, other
        super().__init__(f"{said}try {f'--encoding {other}' if other else 'another --encoding'}")

    def set_in(self, settings: str | Path) -> str:
        """The message for an encoding named by ``encoding:`` in the settings file ``settings``."""
        return f"{self.said}set {f'`encoding: {self.other}`' if self.other else 'another `encoding:`'} in {settings}"


def _decode_problem(path: Path, data: bytes, enc: str, at: int) -> EncodingHint:
    """Where a forced encoding fails (line number), and the encoding that would work."""
    line = data[:at].count(b"\n") + 1
    said = f"{path}: line {line} is not {enc} text (byte {at}); "
    for other, _ in _other_encodings(data, enc):
        if other in _BOM_ENCODINGS:
            return EncodingHint(f"{said}the file begins with a {other.upper()} byte order mark ({_BOM_ENCODINGS[other]}) "
                                f"and reads as {other.upper()}: ", other)
        if other == "utf-8":
            return EncodingHint(f"{said}the file reads as UTF-8: ", other)
        if codecs.lookup(enc).name in ("gbk", "gb2312"):  # GB18030 has what they lack: 䶮, 㭎 …
            return EncodingHint(f"{said}the file reads as GB18030, which has characters {enc} lacks: ", other)
        if _decodes(data, "gbk"):
            return EncodingHint(f"{said}the file reads as GBK: ", "gbk")
        return EncodingHint(f"{said}the file reads as GB18030 (not as GBK, which lacks some of its characters): ", other)
    return EncodingHint(said, None)


def _decodes(data: bytes, enc: str) -> bool:
    try:
        data.decode(enc)
    except UnicodeDecodeError:
        return False
    return True


# The encodings a byte order mark names beyond UTF-8's, with how a ledger comes to be saved in them
_BOM_ENCODINGS = {"utf-16": "as Excel saves Unicode 文本", "utf-32": "as some programs save Unicode text"}


def _other_encodings(data: bytes, enc: str) -> Iterator[tuple[str, str]]:
    """The encodings other than ``enc`` that a text ledger's bytes decode in, of those it is most
    likely saved in (the UTF-16 or UTF-32 its byte order mark names, UTF-8, then GB18030), each
    with the text: the hints when the encoding named (--encoding, ``encoding:``) fails to decode
    it or reads no header in it."""
    bom = workbook.bom_encoding(data)
    for other in ([bom] if bom in _BOM_ENCODINGS else []) + ["utf-8", "gb18030"]:
        if other != codecs.lookup(enc).name:
            try:
                yield other, data.decode(other).removeprefix("\ufeff")
            except UnicodeDecodeError:
                continue


def _header_read_otherwise(path: Path, encoding: str, columns: Columns) -> EncodingHint | None:
    """For a text ledger read with the encoding named (--encoding, ``encoding:``) in which no
    header is found: the error when its bytes read as UTF-8 or GB18030 give one, else None."""
    for other, text in _other_encodings(path.read_bytes(), encoding):
        try:
            raw = _text_sheet(path, text)
        except LedgerError:
            continue
        if len(raw.frame) and find_header(raw, columns) is not None:
            return EncodingHint(f"{path}: read as {encoding} no header is found; read as {other} it has one: ", other)
    return None


def _separator(path: Path, text: str) -> str:
    """Tab when the first lines hold more tabs than commas, or any tab in a .tsv; else comma (a .tsv
    without a tab in its first lines is comma-separated text saved under that name)."""
    head = "\n".join(text.split("\n", HEADER_SCAN_ROWS)[:HEADER_SCAN_ROWS])
    tabs = head.count("\t")
    return "\t" if tabs > head.count(",") or (tabs and path.suffix.lower() == ".tsv") else ","


_CSV_OPTIONS = dict(header=None, dtype=str, keep_default_na=False, na_values=[""], skip_blank_lines=False,
                    quoting=csv.QUOTE_MINIMAL, engine="c")


def _read_text(path: Path, encoding: str | None, careful: bool = False) -> RawSheet:
    """A text ledger as one sheet named after the file: UTF-8 read by pandas in blocks (see
    :func:`_read_utf8`); other encodings and ragged rows read whole, and everything ``careful``
    read whole row by row (:func:`_read_ragged`)."""
    raw = None if careful else _read_utf8(path, encoding)
    if raw is not None:
        return raw
    data = path.read_bytes()
    text = decode_text(path, data, encoding)
    del data
    return _text_sheet(path, text, ragged=careful)


def _text_sheet(path: Path, text: str, ragged: bool = False) -> RawSheet:
    """A text ledger's decoded ``text`` as one sheet named after the file (``ragged``: read row by
    row, each row's fields counted)."""
    sep = _separator(path, text)
    if ragged:
        frame, fields = _read_ragged(path, text, sep)
        return _nul_rows_rejected(RawSheet(path.stem, frame, 1, rows=len(frame), fields=fields), text)
    fields = None
    try:
        # Bytes, not a StringIO: pandas re-encodes a text buffer in small chunks, which took 70 s
        # for a million rows.
        frame = pd.read_csv(io.BytesIO(text.encode("utf-8")), encoding="utf-8", sep=sep, **_CSV_OPTIONS)
    except pd.errors.ParserError:
        frame, fields = _read_ragged(path, text, sep)
    except pd.errors.EmptyDataError:  # no cells, or a first line without any (pandas counts columns on it)
        if not text.strip(sep + " \t\r\n\ufeff"):
            raise LedgerError(f"{path}: the file is empty (no cells)") from None
        frame, fields = _read_ragged(path, text, sep)
    return _nul_rows_rejected(RawSheet(path.stem, frame, 1, rows=len(frame), fields=fields,
                                       head_fields=None if fields is not None else _head_fields(text[:_HEAD_BYTES], sep)),
                              text)


def _nul_rows_rejected(raw: RawSheet, text: str) -> RawSheet:
    """``raw``, a text ledger read whole from ``text``, with its rows that hold a NUL character (a
    damaged copy) in :attr:`RawSheet.nul_rows`, each NUL shown as the replacement character �."""
    if "\x00" not in text:
        return raw
    frame = raw.frame
    held = np.zeros(len(frame), dtype=bool)
    for at in range(frame.shape[1]):
        held |= frame.iloc[:, at].str.contains("\x00", regex=False, na=False).to_numpy(dtype=bool)
    raw.nul_rows = np.flatnonzero(held) + raw.first_row
    raw.frame = frame.apply(lambda cells: cells.str.replace("\x00", "\ufffd", regex=False))
    return raw


def _head_fields(head: str, sep: str) -> np.ndarray:
    """The fields of each of the first HEADER_SCAN_ROWS rows of a text ledger, from the ``head`` of
    its text (the csv module's rows, as pandas reads them: a blank line is a row without fields)."""
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=sep, strict=False)
    try:
        return np.array([len(row) for row in itertools.islice(reader, HEADER_SCAN_ROWS)], dtype=np.int64)
    except csv.Error:  # a cell the csv module refuses (pandas read it): nothing told
        return np.zeros(0, dtype=np.int64)


def _hides_wider_rows(raw: RawSheet, pos: int, height: int) -> bool:
    """Whether a text ledger read by pandas, its header at ``pos`` (``height`` rows), may hold rows
    with more fields than the header that pandas read as no wider: pandas pads every row to its
    first line's fields, so with a title line wider than the header (东岳市…台帐,,,,,, above a
    header of fewer fields) a row shifted by an unquoted comma goes unseen. Such a file is read
    again row by row (:class:`_ReadAgain`), each row's fields counted, as one with a title line
    narrower than its header is."""
    if raw.fields is not None or raw.head_fields is None or len(raw.head_fields) < pos + height:
        return False
    return bool(raw.head_fields[pos : pos + height].max() < raw.frame.shape[1])


class _ReadAgain(Exception):
    """A text ledger read in blocks met, after its first block, what only the careful reader
    handles (a row with more cells than the first, bytes that are not UTF-8), or one read by pandas
    has a title line wider than its header (:func:`_hides_wider_rows`): the file is read again
    from its start, row by row, its first reading forgotten."""


_HEAD_BYTES = 1 << 16  # the start of a text file, to tell its encoding, separator, line length and first rows' fields


def _read_utf8(path: Path, encoding: str | None) -> RawSheet | None:
    """The usual case: UTF-8 (with or without a byte order mark, which pandas skips), rows of
    one length, read by pandas straight from the file, TEXT_BLOCK_ROWS rows at a time: no decoded
    copy of the file, and only one block's cells alive (a million rows read whole held every
    cell as a Python string at once). str columns, empty fields missing. None when the first
    block shows the file is anything else (:func:`decode_text` and the ragged reader handle it,
    with their own messages); a later block raises :class:`_ReadAgain`."""
    try:
        named = codecs.lookup(encoding).name if encoding else None
    except LookupError:
        return None
    with open(path, "rb") as handle:
        head = handle.read(_HEAD_BYTES)
    bom = workbook.bom_encoding(head)
    if named not in (None, "utf-8", "utf-8-sig") or bom not in (None, "utf-8-sig"):
        return None
    start = 3 if bom else 0
    if b"\x00" in head or not head[start:start + 4096].strip() or _holds_nul(path):
        return None  # NUL bytes (not text, or rows to reject), or nothing but spaces at its start: the careful path
    end = start
    for _ in range(HEADER_SCAN_ROWS):
        end = head.find(b"\n", end) + 1
        if end == 0:
            end = len(head)
            break
    sep = _separator(path, head[start:end].decode("utf-8", errors="ignore"))
    reader = None
    try:  # pandas reads the first lines when the reader is made: an empty or unclosed first line fails here
        reader = pd.read_csv(path, encoding="utf-8", sep=sep, chunksize=TEXT_BLOCK_ROWS, **_CSV_OPTIONS)
        first = reader.get_chunk()
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, StopIteration):
        if reader is not None:
            reader.close()
        return None
    # rows for progress, estimated from the lines in the file's start
    rows = max(len(first), round(head.count(b"\n") * path.stat().st_size / max(len(head), 1)))
    return RawSheet(path.stem, first, 1, _later_blocks(reader), rows,
                    head_fields=_head_fields(head[start:].decode("utf-8", errors="ignore"), sep))


def _later_blocks(reader) -> Iterator[pd.DataFrame]:
    """The blocks after the first of a text ledger read in blocks; the file is closed after the
    last, or when the reading stops early."""
    with reader:
        while True:
            try:
                yield reader.get_chunk()
            except StopIteration:
                return
            except (UnicodeDecodeError, pd.errors.ParserError):
                raise _ReadAgain from None


def _read_ragged(path: Path, text: str, sep: str) -> tuple[pd.DataFrame, tuple[np.ndarray, np.ndarray]]:
    """Rows of different lengths (a title line above the header, a row with extra cells): read
    with the csv module and padded to the longest row, with each row's fields (all, and up to
    its last filled one). Only when the fast reader refuses."""
    rows = _csv_rows(path, text, sep, strict=True)
    if rows is None:  # a stray quote after a quoted cell ("a"b): read as the lenient reader does
        rows = _csv_rows(path, text, sep, strict=False)
    fields = np.array([len(row) for row in rows], dtype=np.int64)
    filled = np.array([next((i + 1 for i in range(len(row) - 1, -1, -1) if row[i].strip()), 0) for row in rows],
                      dtype=np.int64)
    columns = [pd.Series(cells, dtype="str") for cells in itertools.zip_longest(*rows)]  # short rows padded
    frame = pd.concat(columns, axis=1, ignore_index=True) if columns else pd.DataFrame()
    return frame.mask(frame.eq("")), (fields, filled)


def _too_wide(raw: RawSheet, pos: int, height: int, headers: Sequence[str], mapped: Sequence[str],
              columns: Columns) -> pd.Series | None:
    """For a text ledger, the reject reason of each row below the header whose values may stand
    under the wrong columns, by its row number. A program writing CSV gives every row as many
    fields (Excel pads the header's line too), so a row with more fields than the header's line
    has a separator inside an unquoted value (1,000 or 125,000.00), every value after it one
    column to the right: rejected when it fills a field beyond the header's or shows an amount
    split at a comma (1 under 执行标的, 000 in the column after it), and when only blank fields
    are beyond (its last column was blank) too, unless more than half the other rows below the
    header have as many fields (an export that ends every data line with a separator). None for
    none."""
    if raw.fields is None:
        return None
    fields, filled = (part[pos + height :] for part in raw.fields)
    width = int(raw.fields[0][pos : pos + height].max())
    wider = fields > width
    if not wider.any():
        return None
    split = _split_amounts(raw.frame.iloc[pos + height :][wider], headers, mapped, columns)
    bad = (filled[wider] > width) | split.notna().to_numpy()
    # the fields more than half the other rows holding values have: an export's shape, not a slip
    shaped = filled > 0
    shaped[np.flatnonzero(wider)[bad]] = False
    counts = np.bincount(fields[shaped])
    usual = int(counts.argmax()) if counts.size and counts.max() * 2 > counts.sum() else width
    bad |= fields[wider] > max(width, usual)
    if not bad.any():
        return None
    at = np.flatnonzero(wider)[bad]
    hints = (split[bad] + " 含逗号").fillna(TOO_WIDE_HINT)
    return pd.Series([TOO_WIDE.format(n=n, width=width, hint=hint) for n, hint in zip(fields[at], hints)],
                     index=at + pos + height + raw.first_row, dtype=object)


# An amount typed with thousands commas and written to CSV unquoted: its first group (with a sign,
# a bracket for a negative, a currency sign) in the amount's column, the next groups of three
# digits in the columns after it, the last with its decimals, unit and closing bracket.
_SPLIT_HEAD = re.compile(r"\s*[(（]?[-+－＋−]?[¥￥]?[0-9]{1,3}\s*")
_SPLIT_GROUP = re.compile(r"[0-9]{3}")
_SPLIT_LAST = re.compile(r"[0-9]{3}(?:\.[0-9]*)?(?:万?元)?[)）]?")


def _split_last(cells: pd.Series) -> pd.Series:
    """Whether each cell may be the last group of an amount split at a comma (:data:`_SPLIT_LAST`)."""
    return cells.fillna("").str.strip().str.fullmatch(_SPLIT_LAST)


def _never_a_value(groups: pd.Series, kind: str | None) -> pd.Series | bool:
    """Whether each of ``groups``, cells that may be groups of an amount split at a comma (000,
    500.00元), is no value of a column of ``kind``: under a known column not of numbers (a name, a
    date, a flag) none is; under one of numbers, where 300 may be a value of its own, one typed
    with a leading zero (000, 050.00), as no number is; under a column not recognised, none is
    told."""
    if kind in ("amount", "number"):
        return groups.str.startswith("0")
    return kind is not None


def _split_amounts(rows: pd.DataFrame, headers: Sequence[str], mapped: Sequence[str],
                   columns: Columns, text_after: bool = False) -> pd.Series:
    """For rows of a text ledger, the first amount each shows split at an unquoted comma, as its
    header and the amount typed (执行标的 1,000), else NA. ``text_after``: only where a group of the
    amount stands under a column that never holds it (:func:`_never_a_value`: 000 under 承办人, under
    结案日期 or under 未履行金额): for a row no wider than the header (its trailing blank fields left
    out), where a value that is a number, 300 under 未履行金额, may be one."""
    found = pd.Series(pd.NA, index=rows.index, dtype=object)
    kinds = [columns.fields[name].kind if name in columns.fields else None for name in mapped]
    for at, kind in enumerate(kinds):
        if kind != "amount" or at + 1 >= rows.shape[1]:
            continue
        # the rows whose next cell may be a last group (000 under 承办人: told once per distinct cell,
        # a column of a few names costing a few), then of those whose amount may be a first group
        may = parsing.per_distinct(rows.iloc[:, at + 1], _split_last, dtype=object).to_numpy(dtype=bool) \
            & found.isna().to_numpy()
        at_may = np.flatnonzero(may)
        may[at_may] = rows.iloc[at_may, at].str.fullmatch(_SPLIT_HEAD, na=False).to_numpy(dtype=bool)
        if not may.any():
            continue
        part = rows[may]
        value = part.iloc[:, at].str.strip()
        here = pd.Series(pd.NA, index=part.index, dtype=object)
        told = pd.Series(not text_after, index=part.index)  # a group so far under a column never holding it
        for after in range(at + 1, rows.shape[1]):  # the longest reading: 1,000,000 rather than 1,000
            cell = part.iloc[:, after].fillna("").str.strip()
            told = told | _never_a_value(cell, kinds[after] if after < len(kinds) else None)
            here = here.mask(value.notna() & told & cell.str.fullmatch(_SPLIT_LAST),
                             headers[at] + " " + value + "," + cell)
            value = (value + "," + cell).where(value.notna() & cell.str.fullmatch(_SPLIT_GROUP))
            if not value.notna().any():
                break
        found[here.dropna().index] = here.dropna()
    return found


def _shifted_rows(block: pd.DataFrame, headers: Sequence[str], mapped: Sequence[str], columns: Columns,
                  first_row: int, too_wide: pd.Series | None) -> pd.Series | None:
    """``too_wide`` (:func:`_too_wide`) with the rows of a block of a text ledger that show an
    amount split at an unquoted comma though no wider than the header (an export that leaves out
    a row's trailing blank fields: 1,000 then puts 000 under 承办人), each with its reason, by row
    number; None for none."""
    split = _split_amounts(block, headers, mapped, columns, text_after=True).dropna()
    if split.empty:
        return too_wide
    reasons = pd.Series([SPLIT_AMOUNT.format(hint=f"{hint} 含逗号") for hint in split],
                        index=split.index + first_row, dtype=object)
    return reasons if too_wide is None else too_wide.combine_first(reasons)


def _csv_rows(path: Path, text: str, sep: str, strict: bool) -> list[list[str]] | None:
    """Every row of a text ledger by the csv module. A quoted cell never closed is an error
    naming the line it opens on: read on, it would swallow every line after it into one cell
    (an export that does not double the quotes inside a cell). ``strict``: None for any other
    problem the lenient reading accepts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=strict)
    rows: list[list[str]] = []
    start = 1  # the line the next row starts on
    try:
        for row in reader:
            rows.append(row)
            start = reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise LedgerError(f"{path}: line {start}: a quoted cell (\") is never closed, so every line after it "
                              "would be read into that one cell; close or remove the quote") from None
        if strict:
            return None
        raise LedgerError(f"{path}: line {reader.line_num}: cannot read as CSV ({exc})") from None
    return rows


def read_sheets(path: Path, encoding: str | None = None, progress: Progress | None = None,
                wanted: Collection[str] | None = None) -> list[RawSheet]:
    """The sheets of a file (only those named in ``wanted`` when given; else hidden ones left out)."""
    return [raw for raw, _, _ in _sheets(Path(path), encoding, progress, wanted) if not raw.hidden]


def _sheets(path: Path, encoding: str | None, progress: Progress | None, wanted: Collection[str] | None,
            careful: bool = False) -> Iterator[tuple[RawSheet, float, float]]:
    """The sheets of a file one at a time, each with the share of the file's sheets before it and
    its own share (``careful``: a text file read whole, see :class:`_ReadAgain`)."""
    check_file(path)
    kind = _kind(path)
    if kind == WORKBOOK:
        yield from _read_excel(path, progress, wanted)
    elif kind in (workbook.WEB_PAGE, workbook.XML_SPREADSHEET):
        yield from _table_sheets(_tables(path, kind, progress), wanted)
    elif wanted is None or workbook.sheets_named([path.stem], wanted):
        yield _read_text(path, encoding, careful), 0.0, 1.0


def sheet_names(path: Path) -> list[str]:
    """The sheet names of a file without reading its cells (a text file has one, its stem)."""
    path = Path(path)
    check_file(path)
    kind = _kind(path)
    if kind == WORKBOOK:
        return list(workbook.open_book(path).sheet_names)
    return [path.stem] if kind == workbook.TEXT else [name for name, _, _ in _tables(path, kind)]


def _tables(path: Path, kind: str, progress: Progress | None = None) -> list[tuple[str, list[list[Any]], bool]]:
    """A web page's tables or an Excel 2003 XML spreadsheet's worksheets: name, rows, hidden."""
    read = (lambda share: progress(f"reading {path.name}", share)) if progress else None
    if kind == workbook.WEB_PAGE:
        return [(name, rows, False) for name, rows in workbook.web_page_tables(path, read)]
    return workbook.xml_spreadsheet_sheets(path, read)


def _table_sheets(tables: list[tuple[str, list[list[Any]], bool]],
                  wanted: Collection[str] | None) -> Iterator[tuple[RawSheet, float, float]]:
    """Sheets read whole by :func:`_tables`, as :func:`_read_excel` yields a workbook's (a hidden
    one is not read unless named)."""
    chosen = None if wanted is None else workbook.sheets_named([t[0] for t in tables], wanted)
    listed = [t for t in tables if chosen is None or t[0] in chosen]
    for i, (name, rows, hidden) in enumerate(listed):
        share = i / max(len(listed), 1)
        if hidden and wanted is None:
            yield RawSheet(name, pd.DataFrame(), 1, hidden=True), share, 0.0
        else:
            yield RawSheet(name, pd.DataFrame(rows, dtype=object), 1, rows=len(rows)), share, 1 / len(listed)


WORKBOOK = "workbook"


def _kind(path: Path) -> str:
    """How a file is read: as a workbook (by its name), as text (a .csv or .tsv, or a text table
    under a workbook's name), or as a web page's tables (see :func:`workbook.disguised`)."""
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        return workbook.TEXT
    return workbook.disguised(path) or WORKBOOK


def _check_sheets(paths: list[Path], sheets: Sequence[str], shown_from: Path | None = None) -> list[str]:
    """Every requested sheet must be in at least one of the files (named as typed, or as headers
    are matched: :func:`workbook.sheets_named`); else one error listing them. Returns a warning for
    each file that holds none of them, as nothing is read from it."""
    found = {path: sheet_names(path) for path in paths}
    unknown = [s for s in sheets if not any(workbook.sheets_named(names, [s]) for names in found.values())]
    if not unknown:
        asked = _sheets_asked(sheets)
        return [f"{shown_path(path, shown_from)}: no sheet named {asked}, nothing read from it; sheets: {'、'.join(names)}"
                for path, names in found.items() if not workbook.sheets_named(names, sheets)]
    asked = _sheets_asked(unknown)
    if len(paths) == 1:
        raise LedgerError(f"{paths[0]}: no sheet named {asked}; sheets: {'、'.join(found[paths[0]])}")
    listing = "; ".join(f"{path}: {'、'.join(names)}" for path, names in found.items())
    raise LedgerError(f"no sheet named {asked} in any of the {len(paths)} files; sheets: {listing}")


def _sheets_asked(sheets: Sequence[str]) -> str:
    """Sheet names as asked for, a blank one seen as ''."""
    return "、".join(s if s and s.strip() == s else repr(s) for s in sheets)


# --------------------------------------------------------------------------- header and mapping


class HeaderColumn(NamedTuple):
    """One column of a sheet's header as read."""

    letter: str  # its column in the sheet, as Excel names it (A, B … AA)
    header: str  # its header text
    name: str  # the field it is read as, else the name it is kept under


@dataclass
class SheetReport:
    file: str
    sheet: str
    header_row: int | None = None
    # the columns of the header, in the sheet's order (blank headers aside): two may have one text
    headers: list[HeaderColumn] = field(default_factory=list)
    rows_read: int = 0
    cases: int = 0
    skipped: int = 0
    rejected: int = 0
    note: str = ""

    def read_as(self, column: HeaderColumn, columns: Columns) -> HeaderColumn | None:
        """The column of this sheet read as the field ``column``'s header names: ``column`` itself
        when it is read as a field; the column that was, when ``column`` names the same field and
        is kept as typed (执行标的 a second time, 申请执行标的 beside 执行标的, a hidden 结案日期 beside
        one shown); None when its header names no field of ``columns``."""
        if column.name in columns.fields:
            return column
        field = columns.field_for(column.header)
        return next((c for c in self.headers if c.name == field), None) if field else None

    def unknown_headers(self, columns: Columns) -> list[str]:
        """The headers of this sheet that name no field of ``columns`` (kept as typed), in order,
        each once: not the second of two 执行标的, a header recognised though not read."""
        return list(dict.fromkeys(c.header for c in self.headers if self.read_as(c, columns) is None))


def _cell_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip())


def find_header(raw: RawSheet, columns: Columns) -> tuple[int, list[str], int] | None:
    """The position of the header among the first rows, its cell texts and how many rows it
    takes (1 to 3), or None.

    The header is the row (of the first HEADER_SCAN_ROWS) with the most cells that are known
    aliases, provided it has at least two and names the case number or the filing date; but not a
    row below cases under a header naming both (the header of a table pasted under the first,
    naming more columns: its rows and the rows above it are read under the first header). A row
    right below it that names other fields and holds no data (当事人 above 申请执行人 and
    被执行人, 执行标的 above （万元）) completes it: see :func:`_with_sub_header`; so does a third,
    below a header of two rows (（万元） under 执行标的, below 当事人 over 申请执行人 and 被执行人).
    """
    found = _header_rows(raw, columns)
    if found is None or found[2] != 2 or found[0] + 2 >= min(len(raw.frame), HEADER_SCAN_ROWS):
        return found
    pos, headers, _ = found
    below = pos + 2
    third = _with_sub_header(headers, list(_cell_text(raw.frame.iloc[[below]]).iloc[0]), raw.frame.iloc[below], columns)
    return (pos, third, 3) if third is not None else found


def _header_rows(raw: RawSheet, columns: Columns) -> tuple[int, list[str], int] | None:
    """The header's position, its cell texts and its rows (1 or 2): see :func:`find_header`."""
    top = _cell_text(raw.frame.head(HEADER_SCAN_ROWS))
    best, best_hits, usable = None, 1, False
    for pos, cells in enumerate(top.itertuples(index=False)):  # at most 30 short rows: not a hot path
        fields = {columns.field_for(c) for c in cells if c}
        fields.discard(None)
        if len(fields) > best_hits and fields & {"case_no", "filed_on"}:
            if usable and _case_shaped(pd.Series(top.iloc[best + 1 : pos].to_numpy().ravel(), dtype=object)).any():
                break  # cases below a usable header: a header further down repeats it (a table pasted under it)
            best, best_hits, usable = pos, len(fields), {"case_no", "filed_on"} <= fields
    if best is None:
        return None
    headers = list(top.iloc[best])
    if best > 0:  # group cells above (立案 over 日期): the row found, with cells merged down filled, is the lower
        upper = list(top.iloc[best - 1])
        combined = _with_sub_header(upper, headers, raw.frame.iloc[best], columns)
        if combined is not None and any(c not in (u, h) for c, u, h in zip(combined, upper, headers)):
            return best - 1, combined, 2
    if best + 1 < len(top):
        combined = _with_sub_header(headers, list(top.iloc[best + 1]), raw.frame.iloc[best + 1], columns)
        if combined is not None:
            return best, combined, 2
    return best, headers, 1


def _with_sub_header(headers: list[str], below: list[str], cells: pd.Series, columns: Columns) -> list[str] | None:
    """The header completed by the row below it (``below``: its texts, ``cells``: as read), or
    None when that row is not part of it. Each of its texts must name a field, be a unit that
    joins the known header above it (执行标的 + （万元）) or name one joined to the group cell above
    it; at least one must add a field or a unit;
    it holds no data (no number, date or case number). A column takes the text below when it names
    a field, the joined text for a unit or when it names a field (a group cell over 日期 and 方式:
    结案 + 日期 → 结案日期, 结案 + 方式 → 结案方式), else the text above."""
    field = columns.field_for
    known = {field(h) for h in headers if h}
    out, adds, group = [], False, ""
    for upper, lower in zip(headers, below):
        group = upper or group  # a group cell merged across the columns below it: only its first holds the text
        if not lower or lower == upper:  # nothing below, or a cell merged down over both rows
            out.append(upper)
        elif field(group + lower) and not field(lower):  # 立案 over 日期, 结案 over 日期 | 方式
            out.append(group + lower)
            adds = True
        elif field(lower):  # an amount under a group cell with a unit (金额（万元） over 执行标的 | 未履行金额) has it
            inherits = columns.fields[field(lower)].kind == "amount" and not parsing.unit_suffix(lower) \
                and not field(group)
            out.append(lower + parsing.unit_suffix(group) if inherits else lower)
            adds |= field(lower) not in known
        elif upper and field(upper) and (unit := parsing.unit_alone(lower)) is not None:  # （万元）, 万元 alone
            out.append(upper + unit)
            adds = True
        else:
            return None
    if not adds:
        return None
    filled = [v for v, t in zip(cells, below) if t]
    if any(isinstance(v, (int, float, dt.date, dt.time)) and not isinstance(v, bool) for v in filled):
        return None
    if _case_shaped(pd.Series([t for t in below if t], dtype=object)).any():
        return None
    return out


def _title_unit(raw: RawSheet, pos: int) -> str:
    """The unit the rows above the header state for the table's amounts (单位：万元 at its top
    right, 金额单位：万元 under the title), as a suffix for an amount header: '' when they state
    none, or more than one."""
    units = {unit for cells in _cell_text(raw.frame.head(pos)).itertuples(index=False)  # at most 30 rows
             for c in cells if c and (unit := parsing.stated_unit(c))}
    return units.pop() if len(units) == 1 else ""


def _with_unit(header: str, unit: str, columns: Columns) -> str:
    """``header`` with ``unit`` (a title row's 单位：万元) joined when it names an amount field and
    gives no unit of its own."""
    field = columns.field_for(header) if unit and header else None
    own = field is not None and columns.fields[field].kind == "amount" and not parsing.unit_suffix(header)
    return header + unit if own else header


CASE_SAMPLE_ROWS = 200  # rows of a sheet without a header looked at for columns of case numbers


def _case_shaped(cells: pd.Series) -> np.ndarray:
    """Which cells read as case numbers."""
    missing = (cells.isna() | cells.eq("")).to_numpy(dtype=bool)
    return parsing.parse_case_numbers(cells, missing)[0]["case_year"].notna().to_numpy()


def _unread_cases(named: str, raw: RawSheet, columns: Columns) -> str | None:
    """A warning for a sheet skipped for want of a header that holds cells shaped like case numbers
    (counted in its first block, in the columns that have one in its first rows): how many, and
    what its header lacks."""
    frame = raw.frame
    shaped = [_case_shaped(frame.iloc[:, pos]) for pos in range(frame.shape[1])
              if _case_shaped(frame.iloc[:CASE_SAMPLE_ROWS, pos]).any()]
    if not shaped:
        return None
    found = np.logical_or.reduce(shaped)
    count = int(sum(m.sum() for m in shaped))
    first = int(np.flatnonzero(found)[0])
    where = f" in its first {len(frame):,} rows" if raw.rows > len(frame) else ""
    said = (f"{named} [{raw.name}]: sheet not read, but {counted(count, 'cells')}{where} "
            f"{'looks' if count == 1 else 'look'} like case numbers (the first in row {raw.first_row + first}): ")
    top = _cell_text(frame.head(HEADER_SCAN_ROWS))
    known = [[c for c in cells if c and columns.field_for(c)] for cells in top.itertuples(index=False)]
    best = max(range(len(known)), key=lambda pos: len(known[pos]))
    if known[best]:
        fields = {columns.field_for(c) for c in known[best]}
        lacking = "; ".join(f"{columns.fields[f].label} ({'、'.join(columns.fields[f].aliases)})"
                            for f in ("case_no", "filed_on") if f not in fields)
        return (said + f"its row {raw.first_row + best} has {'、'.join(known[best])} but no column for {lacking}. "
                "Add your header as an alias in a columns file (--columns)")
    said += f"no known header in its first {HEADER_SCAN_ROWS} rows"
    above = [c for c in _cell_text(frame.iloc[first - 1 : first]).iloc[0] if c] if first else []
    if above:
        said += f"; row {raw.first_row + first - 1}, above the first of them, has: {'、'.join(above[:12])}"
    if first > HEADER_SCAN_ROWS:
        return said + f". The header is looked for in the first {HEADER_SCAN_ROWS} rows only"
    return said + ". Add your headers as aliases in a columns file (--columns)"


def _cases_above(named: str, raw: RawSheet, pos: int) -> str | None:
    """A warning for cells shaped like case numbers above the header (at ``pos``), in rows read as
    its title, not as cases (cases under a first header the columns do not know, a table pasted
    under them with a header they do): how many, and in which rows."""
    above = raw.frame.iloc[:pos]
    if above.empty:
        return None
    shaped = _case_shaped(pd.Series(above.to_numpy().ravel(), dtype=object)).reshape(above.shape)
    if not shaped.any():
        return None
    count = int(shaped.sum())
    return (f"{named} [{raw.name}] {_rows_named((raw.first_row + np.flatnonzero(shaped.any(axis=1))).tolist())}: "
            f"{counted(count, 'cells')} above the header (row {raw.first_row + pos}) {'looks' if count == 1 else 'look'} "
            "like case numbers, not read: the rows above a sheet's header are its title; if its header is above "
            "them, add the headers it has as aliases in a columns file (--columns)")


# The columns backlog adds to every case (where it came from, case-number parts, categories, each
# deadline's due date, days left and state, the most pressing one, age): a ledger column named so
# (backlog's own CSV read back) is kept under its name with （台帐） added, not mixed with them.
_COMPUTED = re.compile(r"source_(?:file|sheet|row)|case_(?:year|type|seq)|court_code|categories|primary_category"
                       r"|age_days|next_\w+|\w+_(?:due|days_left|state)")


def _map_headers(headers: list[str], columns: Columns, report: SheetReport, hidden: Collection[int] = (),
                 first_column: int = 0) -> list[str]:
    """Column names for the frame: canonical field names, else the header text kept as is (see
    :data:`_COMPUTED` for the names backlog keeps for itself). Of two columns for one field the
    first is read as it, the other kept as typed; a column hidden in Excel (``hidden``: its
    position) only when no column shown has that field (an old 结案日期 hidden left of the new).
    Each column with a header goes into ``report.headers`` (the frame's first column is the
    sheet's column ``first_column``, 0-based)."""
    fields = [columns.field_for(header) if header else None for header in headers]
    owner: dict[str, int] = {}
    for i in sorted(range(len(headers)), key=lambda i: i in hidden):  # stable: the columns shown first
        if fields[i] is not None:
            owner.setdefault(fields[i], i)
    names, used = [], set(owner)
    for i, header in enumerate(headers):
        name = fields[i]
        if name is None or owner[name] != i:
            name = header or f"列{i + 1}"
            if _COMPUTED.fullmatch(name):
                name = f"{name}（台帐）"
            while name in used:
                name = f"{name}_{i + 1}"
        used.add(name)
        names.append(name)
        if header:
            report.headers.append(HeaderColumn(xl_col_to_name(first_column + i), header, name))
    return names


def _missing_required(named: str, sheet: str, headers: list[str], names: list[str],
                      columns: Columns) -> tuple[list[str], str] | None:
    """The required fields (case number, filing date) a sheet's header lacks, and the message
    saying so; None when it has both."""
    missing = [f for f in ("case_no", "filed_on") if f not in names]
    if not missing:
        return None
    found = "、".join(h for h in headers if h) or "(none)"
    wanted = "; ".join(f"{f}: " + "、".join(columns.fields[f].aliases) for f in missing)
    return missing, (f"{named} [{sheet}]: no column for {' and '.join(missing)}. "
                     f"Headers found: {found}. Headers that would match: {wanted}. "
                     "Add your header as an alias in a columns file (--columns).")


# --------------------------------------------------------------------------- rows to cases


@dataclass
class Ledger:
    cases: pd.DataFrame
    skipped: pd.DataFrame  # file, sheet, row, reason
    rejects: pd.DataFrame  # file, sheet, row, case_no, reason
    problems: pd.DataFrame  # file, sheet, row, column, value, problem, detail (value kept as missing)
    sheets: list[SheetReport]
    columns: Columns
    warnings: list[str] = field(default_factory=list)  # sheets that may hold cases but were not read
    notes: list[str] = field(default_factory=list)  # said to the user, not a problem (hidden sheets left out)
    shown_from: Path | None = None  # the files' paths shown from this folder (:func:`shown_path`)
    files: list[Path] = field(default_factory=list)  # the files read, as named (not the lock files, nor outputs, left out)
    # the rows under a case-number cell merged down (:func:`_continued_rows`): file, sheet, row, top
    continued: pd.DataFrame | None = None

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sheets)

    def reject(self, rows: pd.DataFrame) -> None:
        """Rows found not to be cases once the ledger is read (:data:`REJECT_COLUMNS`: a filing
        date after today, which ``triage.filed_after_today`` tells) moved from the cases to the
        rejects, in the ledger's order, their value problems no longer listed and their sheets'
        counts changed, so that cases, skipped and rejected rows still add up to the rows read."""
        if not len(rows):
            return
        where = ["file", "sheet", "row"]
        gone = pd.MultiIndex.from_frame(rows[where])
        at = pd.MultiIndex.from_frame(self.cases[["source_file", "source_sheet", "source_row"]].set_axis(where, axis=1))
        self.cases = self.cases[~at.isin(gone)]
        self.rejects = _in_sheet_order(_concat([self.rejects, rows[REJECT_COLUMNS]], REJECT_COLUMNS), self.sheets)
        self.problems = _not_rejected(self.problems, rows)
        for report in self.sheets:
            n = int(((rows["file"] == report.file) & (rows["sheet"] == report.sheet)).sum())
            report.rejected += n
            report.cases -= n
        self._reject_below(rows)

    def _reject_below(self, rows: pd.DataFrame) -> None:
        """The rows of a case written over several rows under a merged 案号 cell (:attr:`continued`)
        whose first row is among the rejected ``rows`` rejected with it, naming it
        (:func:`_below_rejected`): those skipped as its continuation, one read as a case, and one
        rejected for a reason of its own (a value the first row does not share), which is said no
        more; their sheets' counts changed, so that they still add up. A row below reading another
        case number, or skipped as blank, is left as it is. (The rows below a first row the load
        rejected are rejected so before duplicates are looked for, :func:`_fold_continued`.)"""
        if self.continued is None or not len(self.continued) or not len(rows):
            return
        below = _below_rejected(self.continued, rows)
        if not len(below):
            return
        where = ["file", "sheet", "row"]
        cases = _below_at(self.cases, SOURCE_COLUMNS, below)
        skipped = _below_at(self.skipped, where, below, same_number=False)
        skipped[~self.skipped["reason"].eq(CONTINUED_ROW).to_numpy(dtype=bool)] = -1
        rejected = _below_at(self.rejects, where, below)
        moved = [at[at >= 0] for at in (cases, skipped, rejected)]
        if not sum(len(at) for at in moved):
            return
        listed = below.iloc[np.concatenate(moved)].reset_index(drop=True)
        counts = listed.assign(was=np.repeat(["cases", "skipped", "rejected"], [len(at) for at in moved])).groupby(
            ["file", "sheet", "was"]).size()
        for report in self.sheets:
            from_cases, from_skipped = (int(counts.get((report.file, report.sheet, was), 0)) for was in ("cases", "skipped"))
            report.cases -= from_cases
            report.skipped -= from_skipped
            report.rejected += from_cases + from_skipped
        self.cases = self.cases[cases < 0]
        self.skipped = self.skipped[skipped < 0].reset_index(drop=True)
        self.rejects = _in_sheet_order(_concat([self.rejects[rejected < 0], listed], REJECT_COLUMNS), self.sheets)
        self.problems = _not_rejected(self.problems, listed)

    def file_names(self) -> dict[str, str]:
        """How messages and tables name each file read (:func:`file_names`)."""
        return file_names(pd.Series([s.file for s in self.sheets], dtype=object), self.shown_from)

    def listed(self, rows: pd.DataFrame) -> pd.DataFrame:
        """``rows`` of the ledger (its rejects, its listed problems) with each ``file`` as the lists
        written name it (errors.csv, problems.csv, summary.json): by :func:`shown_path`, from the
        settings file's folder when ``ledger:`` named it (一组/台帐.xlsx, not the path read:
        /srv/backlog/一组/台帐.xlsx), else as typed. Once per file."""
        if self.shown_from is None or not len(rows):
            return rows
        shown = {f: shown_path(f, self.shown_from) for f in pd.unique(rows["file"])}
        return rows.assign(file=rows["file"].map(shown).astype(rows["file"].dtype))

    def written_rejects(self) -> pd.DataFrame:
        """The rejected rows as the errors file and summary.json list them: :meth:`listed`."""
        return self.listed(self.rejects)

    def written_problems(self) -> pd.DataFrame:
        """The value problems as the problems file and summary.json list them: :meth:`listed` of
        :meth:`listed_problems`."""
        return self.listed(self.listed_problems())

    def load_line(self) -> str:
        """The load in one line: the cases from the rows read, the rows skipped by reason, how
        many rejected."""
        skipped = self.skipped["reason"].value_counts()
        parts = [f"{counted(len(self.cases), 'cases')} from {counted(self.rows_read, 'rows')}"]
        if len(skipped):
            per_reason = ", ".join(f"{reason} {n}" for reason, n in skipped.items())
            parts.append(f"skipped {counted(len(self.skipped), 'rows')} ({per_reason})")
        if len(self.rejects):
            parts.append(f"{len(self.rejects)} rejected")
        return "loaded " + "; ".join(parts)

    def rejected_lines(self, shown: int) -> list[str]:
        """The first ``shown`` rejected rows, a line each: where (the file as messages name it,
        :meth:`file_names`; sheet; row), the case number and why, values cut and made
        terminal-safe (:func:`outputs.terminal_text`)."""
        shown_as = self.file_names()
        lines = []
        for r in self.rejects.head(shown).itertuples(index=False):
            case_no = terminal_text(r.case_no) if isinstance(r.case_no, str) else "-"
            where = f"{terminal_text(shown_as.get(r.file, Path(r.file).name))} [{terminal_text(r.sheet)}] row {r.row}"
            lines.append(f"rejected: {where}: {case_no}: {terminal_text(r.reason, 2 * MESSAGE_MAX_VALUE)}")
        return lines

    def unknown_headers(self) -> list[str]:
        """The headers that name no field, kept as typed (``inspect``: 否，按原样保留): each once,
        sheet by sheet as read."""
        return list(dict.fromkeys(h for s in self.sheets for h in s.unknown_headers(self.columns)))

    def listed_problems(self, *, details: bool = True) -> pd.DataFrame:
        """The value problems as they are listed (:data:`LISTED_PROBLEM_COLUMNS`), in the ledger's
        order (sheet by sheet as read, then by row; only rows that are cases: a rejected row is
        listed for that alone): each with its case number, its canonical ``field`` and, as
        ``column``, the header its sheet gives that field (else the field's label); its problem
        with its detail (日期无法识别（2016-03-08 是星期二）), or, ``details=False``, its kind alone
        (日期无法识别), as the kinds of problem are counted."""
        where = ["file", "sheet", "row"]
        found = self.problems.rename(columns={"column": "field"})
        known = self.cases.loc[self.cases["source_row"].isin(found["row"]),
                               ["source_file", "source_sheet", "source_row", "case_no"]].set_axis([*where, "case_no"], axis=1)
        headers = pd.DataFrame([(s.file, s.sheet, c.name, c.header) for s in self.sheets for c in s.headers],
                               columns=["file", "sheet", "field", "column"]).drop_duplicates(["file", "sheet", "field"])
        out = found.merge(known, on=where, how="left").merge(headers, on=["file", "sheet", "field"], how="left")
        out["column"] = out["column"].fillna(out["field"].map(self.columns.labels())).fillna(out["field"])
        if details:
            out["problem"] = out["problem"] + out["detail"]
        return out[LISTED_PROBLEM_COLUMNS]


def _blank_to_na(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Empty cells ('' from spreadsheets and CSV) become missing, and where cells are missing (one
    ``isna`` per column, passed on to the checks and parsers that need it). Whitespace-only text is
    left to the value parsers, which treat it as blank; an exact comparison keeps this step cheap.
    Typed columns (CSV text is read as str with empty fields missing) are left as they are; a sheet
    of spreadsheet cells (one object block) is done in two numpy operations over all its cells."""
    if len(frame.columns) and (frame.dtypes == object).all():
        cells = frame.to_numpy(dtype=object, copy=True)
        empty = cells == ""
        cells[empty] = np.nan
        missing = pd.isna(cells)
        return (pd.DataFrame(cells, index=frame.index, columns=frame.columns, dtype=object),
                pd.DataFrame(missing, index=frame.index, columns=frame.columns))
    cols, missing = {}, {}
    for name, col in frame.items():
        miss = col.isna().to_numpy()
        if col.dtype == object:
            empty = (col == "").to_numpy()
            if empty.any():
                values = col.to_numpy(copy=True)
                values[empty] = np.nan
                col = pd.Series(values, index=frame.index, dtype=object, name=name)
                miss = miss | empty
        cols[name], missing[name] = col, miss
    return pd.DataFrame(cols, index=frame.index, copy=False), pd.DataFrame(missing, index=frame.index, copy=False)


def _sheet_rows(block: pd.DataFrame, names: list[str], first_row: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A block of rows below the header under their column names (``first_row``: the Excel row
    of index 0), and where their cells are missing."""
    body = block.iloc[:, : len(names)]  # copy-on-write: renaming and adding columns leave block as it is
    body.columns = names[: body.shape[1]]
    for name in names[body.shape[1] :]:
        body[name] = None
    body, missing = _blank_to_na(body)
    body.insert(0, "source_row", (body.index + first_row).astype("int64"))
    return body.reset_index(drop=True), missing.reset_index(drop=True)


def _may_hold(cells: np.ndarray, marks: str) -> bool:
    """Whether a cell of ``cells`` (an object array) may hold one of the characters ``marks``:
    False only when every cell is text or missing (as a text ledger's are) and none holds one,
    told by one search of the texts joined (0.04 s per 200,000 case numbers, where a test per
    cell took 0.06 s)."""
    try:
        joined = "\0".join(cells[pd.notna(cells)].tolist())
    except TypeError:  # cells of other kinds (a workbook's numbers): each cell is looked at
        return True
    return any(mark in joined for mark in marks)


def _first_cells(data: pd.DataFrame, missing: pd.DataFrame | None = None) -> pd.Series:
    """Each row's first non-missing cell (NA for a blank row), gathered column by column;
    ``missing`` is ``data.isna()`` when the caller has it."""
    filled = ~(data.isna() if missing is None else missing).to_numpy()
    first = filled.argmax(axis=1)
    out = pd.Series(None, index=data.index, dtype=object)
    for pos, name in enumerate(data.columns):
        at = filled[:, pos] & (first == pos)
        if at.any():
            out[at] = data[name][at]
    return out


# Why a row is not a case, or not used, and what is wrong with a value: the clerks read these in
# the errors file and `backlog inspect`, so they are Chinese. Code compares with these constants.
BLANK_ROW = "空行"
TOTALS_ROW = "合计行"
REPEATED_HEADER = "重复的表头行"
FOOTER_ROW = "表尾说明行"
# a row under the first of a case written over several rows, its 案号 cell merged down over them
# (two 被执行人 on two rows): part of that case (:func:`_fold_continued`)
CONTINUED_ROW = "同一案件的续行（案号单元格合并）"
# such a row when its first row, the case, is rejected: rejected with it (:meth:`Ledger._reject_below`)
FIRST_ROW_REJECTED = "所属案件（第{row}行）被拒：{reason}"
NO_CASE_NO = "缺少案号"
BAD_CASE_NO = "案号无法识别"
NO_FILING_DATE = "缺少立案日期"
BAD_FILING_DATE = "立案日期无法识别"
# told once the ledger is read (triage.filed_after_today), not by the load: a date after the day
# the ledger is read on (2062 typed for 2026)
FILED_AFTER_TODAY = "立案日期晚于今天"
DUPLICATE = "案号重复"
SPLIT_AMOUNT = "各值可能错位（{hint}未加引号？），请修正后重读"
TOO_WIDE = "本行有 {n} 个字段，表头只有 {width} 个：" + SPLIT_AMOUNT
TOO_WIDE_HINT = "含逗号的值如 125,000.00 "  # when no amount is seen split at a comma
NUL_ROW = "本行含空字符 NUL（文件是否损坏？）"  # a text ledger's row holding a NUL byte
UNREADABLE = {"case_no": BAD_CASE_NO, "date": "日期无法识别", "amount": "金额无法识别",
              "number": "数字无法识别", "flag": "是/否无法识别"}  # per field kind
# why a date typed with a weekday it does not fall on was not read, after the reason or the problem that
# says so (立案日期无法识别：“2016/03/05 星期五”（2016-03-05 是星期六）): the day it does fall on; a value
# problem keeps it apart, as its ``detail``, so that the summary of a column's problems counts them with
# the others
WEEKDAY_SLIP = "（{day} 是星期{weekday}）"
NEGATIVE_AMOUNT = "金额为负数"
# what a cell shows when its formula failed (#N/A, #REF! …; LibreOffice's Err:502 in an .ods) or was saved
# without its result
FORMULA_FAILED = re.compile(r"^#(?:N/A|REF!|VALUE!|DIV/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA)$|^Err:[0-9]{3}$|"
                            + re.escape(workbook.NO_RESULT.translate(str.maketrans("（，）", "(,)"))) + "$")
NOT_A_NAME = "公式出错或未保存计算结果，不是姓名，按未分配计"
FORMULA_TEXT = "公式出错或未保存计算结果，按空白计"
CLOSED_BEFORE_FILED = "结案日期早于立案日期"
CLOSED_WITHOUT_DATE = "案件状态或结案方式表明已结，但缺少结案日期，按未结计"
RESUMED_BEFORE_SUSPENDED = "恢复日期早于中止日期，该中止期间不扣除"
# Date fields a row keeps in order, the first on or before the second (a row is checked for
# each pair: CLOSED_BEFORE_FILED, RESUMED_BEFORE_SUSPENDED).
ORDERED_DATES = (("filed_on", "closed_on"), ("suspended_on", "resumed_on"))
RESUMED_WITHOUT_SUSPENDED = "有恢复日期而无中止日期，按未中止计"
PART_MONTHS = "延长期限应为整月数"
NEGATIVE_MONTHS = "延长期限为负数"
# a status or close method that says the case is closed: not 未结, 待结案, 拟终本, 终本审查中
CLOSED_STATUS = re.compile(r"(?<![未待拟])(?:已结|办结|结案|执结|终本|终结|执行完毕|销案|不予执行|驳回)(?!审查|中)")
# the first cell of a row under the table that notes, signs or counts (注：…, 填表人：…, 本月新收2件…),
# read with spaces removed; only a row with no readable case number is skipped for it
FOOTER_TEXT = re.compile(r"(?:注|说明|备注|附注)[:：]|(?:填表|制表|填报|审核|审批|复核|统计|负责)(?:人|日期|单位)"
                         r"|(?:本月|本年|本期|本季度?|当月|全年|累计|截至|截止)\S*?\d+件")
# a heading over such notes, alone on its row (备注 above 备注：本表数据截至…), read whole with spaces removed:
# skipped with them only when it is the row's one cell, so that a row with any other value stays a case or a reject
FOOTER_HEADING = re.compile(r"(?:注|说明|备注|附注|注释|填表说明|填报说明|制表说明)[:：]?")
# what two case numbers in one cell are split at: before each year that a bracket opens, and a separator
# there; before a year typed without an opening bracket (2024鲁0902执1号, 2024)鲁0902执1号) after a separator
# or the 号 that ends the one before it
TWO_CASE_NUMBERS = re.compile(r"[、，,;；/／]*(?=[(〔\[【][0-9]{4})|(?:[、，,;；/／]+|(?<=号))(?=[0-9]{4}[)〕\]】]?[\u4e00-\u9fff])")
# one case number with more sequence numbers after it (执3、4号, 执3号、4号) or a range (执3-5号):
# the head up to the first number, read as a case number with it
SEQ_SEPARATOR = "[、,;/]"  # as normalize_name leaves them (NFKC: ， ； ／ are , ; /)
PARTIAL_CASE_NUMBERS = re.compile(rf"^(?P<head>.*?\D)(?P<first>[0-9]{{1,9}})号?"
                                  rf"(?:(?P<more>(?:{SEQ_SEPARATOR}[0-9]{{1,9}}号?)+)|[-~–—至到](?P<last>[0-9]{{1,9}})号?)$")
# the number of a case of another kind (民初, 民终, 刑初, 行初, 破 …): the 执行依据's number typed in 案号
OTHER_CASE_NUMBER = re.compile(rf"^{parsing.CASE_YEAR}(?:最高法|[\u4e00-\u9fff][0-9]{{1,4}}|[\u4e00-\u9fff]{{1,6}}?)"
                               r"(?P<type>[民刑行商知破赔海][\u4e00-\u9fff]{0,2}?)(?:字第)?[0-9]{1,9}号$")
MAX_EXTENSION = 120  # months: ten years, far above any approved extension; more is a typing slip


def _skip_reasons(body: pd.DataFrame, missing: pd.DataFrame, names: list[str], columns: Columns,
                  case_text: pd.Series, header_words: frozenset[str] = frozenset()) -> pd.Series:
    """Why a row is not a case (NA when it is one): blank, totals row, repeated header.
    ``case_text`` is the case-number column as :func:`parsing.normalize_case_number` cleans it;
    ``header_words`` the texts of the sheet's own header rows (日期 and 方式 under 结案)."""
    data, missing = body[names], missing[names]
    reason = pd.Series(None, index=body.index, dtype=object)  # None, not pd.NA: isin on pd.NA is 15 times slower
    blank = missing.all(axis=1).to_numpy(copy=True)
    rows = ~blank & case_text.isna().to_numpy()
    if rows.any():  # cells of spaces only (a full-width 　 typed to clear one) or dashes, and a number alone
        filled = ~missing[rows].to_numpy()  # under 序号 (a template numbered ahead): a blank row too
        codes, distinct = pd.factorize(data[rows].to_numpy(dtype=object)[filled])
        empty = np.array([isinstance(v, str) and parsing.is_blank_text(v) for v in distinct], dtype=bool)
        clear = np.ones(filled.shape, dtype=bool)
        clear[filled] = empty[codes]
        if serial := [pos for pos, name in enumerate(names) if parsing.header_key(name) in SERIAL_HEADERS]:
            number = np.array([isinstance(v, (int, float)) and not isinstance(v, bool)
                               or isinstance(v, str) and v.strip().isdigit() for v in distinct], dtype=bool)
            numbered = np.zeros(filled.shape, dtype=bool)
            numbered[filled] = number[codes]
            clear[:, serial] |= numbered[:, serial]
        blank[np.flatnonzero(rows)[clear.all(axis=1)]] = True
    reason[blank] = BLANK_ROW
    # every totals word has 计 or 总: only cells with one are looked at closely
    first = _first_cells(data, missing).to_numpy()
    mark, other = TOTALS_MARKS
    totals = np.zeros(len(first), dtype=bool)
    if _may_hold(first, TOTALS_MARKS):
        totals = np.array([isinstance(v, str) and (mark in v or other in v) for v in first], dtype=bool)
    if totals.any():
        totals[totals] = parsing.without_spaces(pd.Series(first[totals])).str.match(TOTALS_TEXT).to_numpy(dtype=bool)
    if totals.any():  # by its first cell: not a row with a readable case number or a filing date, a case or
        text = case_text[totals]  # a reject (合计商行, 汇总商贸有限公司 in a first 被执行人 column are companies)
        totals[totals] = (text.isna() | parsing.parse_case_text(text)[1].astype(bool)).to_numpy()
        if "filed_on" in missing:
            totals &= missing["filed_on"].to_numpy(dtype=bool)
    marked = np.zeros(len(case_text), dtype=bool)
    if _may_hold(case_text.to_numpy(dtype=object), TOTALS_MARKS):
        marked = (case_text.str.contains(mark, regex=False) | case_text.str.contains(other, regex=False)
                  ).fillna(False).to_numpy()
    if marked.any():  # the case number cell itself says 合计, 汇总
        said = np.flatnonzero(marked)[case_text[marked].str.contains(
            "|".join(w for w in TOTAL_WORDS if " " not in w), regex=True).to_numpy(dtype=bool)]
        # a cell that holds more than a totals text (汇总商贸有限公司, 合计商行) beside a filing date is a
        # case whose number is mistyped, not totals
        more = ~case_text.iloc[said].str.fullmatch(TOTALS_TEXT).to_numpy(dtype=bool)
        if more.any() and "filed_on" in body:
            more[more] = parsing.parse_dates(body["filed_on"].iloc[said[more]])[0].notna().to_numpy()
            said = said[~more]
        totals[said] = True
    reason[reason.isna() & totals] = TOTALS_ROW
    header_texts = parsing.normalize_name(pd.Series(["case_no", *columns.fields["case_no"].aliases], dtype="str"))
    if own := [w for w in header_words if columns.field_for(w) == "case_no"]:  # as the sheet writes it: *案号
        header_texts = pd.concat([header_texts, parsing.normalize_case_number(pd.Series(own, dtype=object))])
    reason[reason.isna() & case_text.isin(header_texts).to_numpy()] = REPEATED_HEADER
    # the second row of a two-row header repeated (申请执行人, 被执行人 under 当事人; a page's header in
    # a printed ledger): no case number, and every cell a header the columns know, a unit alone or a
    # text of the sheet's own header rows (日期 and 方式 under a group cell 结案)
    rows = reason.isna().to_numpy() & missing["case_no"].to_numpy()
    if rows.any():
        filled = ~missing[rows].to_numpy()
        codes, distinct = pd.factorize(data[rows].to_numpy(dtype=object)[filled])  # each text judged once
        named = np.array([isinstance(v, str) and (v.strip() in header_words or columns.field_for(v) is not None
                                                  or parsing.unit_alone(v) is not None) for v in distinct], dtype=bool)
        header = np.ones(filled.shape, dtype=bool)
        header[filled] = np.where(codes < 0, True, named[codes])
        # a heading over the notes under the table alone on its row (备注, 说明 in a 序号 column) is no
        # header: it is left to :func:`_footer_rows`
        heading = np.array([isinstance(v, str) and FOOTER_HEADING.fullmatch("".join(v.split())) is not None
                            for v in distinct], dtype=bool)
        alone = np.zeros(filled.shape, dtype=bool)
        alone[filled] = np.where(codes < 0, False, heading[codes])
        alone = alone.any(axis=1) & (filled.sum(axis=1) == 1)
        reason.iloc[np.flatnonzero(rows)[header.all(axis=1) & filled.any(axis=1) & ~alone]] = REPEATED_HEADER
    return reason


MAX_AMOUNT = 1e12  # 元: 一万亿, far above any enforcement case; more is a typing slip


class ValueProblem(NamedTuple):
    """Cells of one column with one problem; their values are kept as blank. ``unreadable``: the
    cells could not be read at all (rather than read as an impossible value)."""

    column: str
    mask: pd.Series
    problem: str
    unreadable: bool = False


def _parse_fields(body: pd.DataFrame, missing: pd.DataFrame, case_text: pd.Series, columns: Columns,
                  units: dict[str, float]) -> tuple[pd.DataFrame, list[ValueProblem]]:
    """Parse every canonical field by its kind (``missing``: where the body's ledger columns are
    missing; ``case_text``: the case numbers cleaned); return the parsed frame and its value
    problems."""
    out = body.copy(deep=False)  # its columns are replaced as they are parsed; copy-on-write keeps body as it is
    bad: list[ValueProblem] = []
    for name, spec in columns.fields.items():
        if name not in body.columns:
            continue
        col, miss = body[name], missing[name].to_numpy()
        if spec.kind == "case_no":
            parts, mask = parsing.parse_case_text(case_text) if name == "case_no" else parsing.parse_case_numbers(col, miss)
            for part in parts.columns:
                out[part] = parts[part]
        elif spec.kind == "date":
            out[name], mask = parsing.parse_dates(col, miss)
        elif spec.kind == "amount":
            out[name], mask = parsing.parse_amounts(col, units.get(name, 1.0), miss)
        elif spec.kind == "flag":
            out[name], mask = parsing.parse_flags(col, miss)
        elif spec.kind == "number":
            out[name], mask = parsing.parse_numbers(col, spec.units, miss)
        elif name in IDENTIFIER_FIELDS or name in FORMULA_CHECKED:
            text = parsing.normalize_person(col, miss, people=True) if name in IDENTIFIER_FIELDS else \
                parsing.keep_text(col, miss)
            failed = parsing.per_distinct(text, _formula_failed).astype(bool)
            out[name] = text.mask(failed)
            bad.append(ValueProblem(name, failed, NOT_A_NAME if name in IDENTIFIER_FIELDS else FORMULA_TEXT,
                                    unreadable=True))
            continue
        else:
            out[name], mask = parsing.keep_text(col, miss), None
        if mask is not None:
            bad.append(ValueProblem(name, mask.fillna(False).astype(bool), UNREADABLE[spec.kind], unreadable=True))
    for name in body.columns:  # other ledger columns: free text (where a row came from is ours, not text)
        if name not in columns.fields and name not in SOURCE_COLUMNS:
            out[name] = parsing.keep_text(body[name], missing[name].to_numpy() if name in missing else None)
    return out, bad + _implausible(out, columns, {p.column: p.mask for p in bad})


def _formula_failed(text: pd.Series) -> pd.Series:
    """Whether each text is what a cell shows for a failed formula or one saved without its result."""
    return text.str.normalize("NFKC").str.contains(FORMULA_FAILED).fillna(False)


def _implausible(parsed: pd.DataFrame, columns: Columns, unreadable: Mapping[str, pd.Series]) -> list[ValueProblem]:
    """Values read but impossible or contradicting each other: negative or huge amounts, a close
    date before the filing date, a resumption before the suspension, an extension that is not a
    whole number of months, a case said to be closed without a close date (not when the close date
    is there but ``unreadable``: one problem per cell). They are blanked in ``parsed`` (like
    unreadable values) and returned as problems."""
    found: list[ValueProblem] = []
    for name, spec in columns.fields.items():
        if spec.kind == "amount" and name in parsed:
            amount = parsed[name]
            found.append(ValueProblem(name, amount.lt(0), NEGATIVE_AMOUNT))
            found.append(ValueProblem(name, amount.gt(MAX_AMOUNT), f"金额超过 {MAX_AMOUNT:,.0f} 元，疑为录入错误"))
    if "closed_on" in parsed:
        if "filed_on" in parsed:
            found.append(ValueProblem("closed_on", parsed["closed_on"].lt(parsed["filed_on"]), CLOSED_BEFORE_FILED))
        said = pd.Series(False, index=parsed.index)
        for name in ("close_method", "status"):  # a few distinct values: the regex runs once on each
            if name in parsed:
                said |= parsing.per_distinct(parsed[name], lambda u: u.str.contains(CLOSED_STATUS).fillna(False)
                                             ).astype(bool)
        if "closed_on" in unreadable:
            said &= ~unreadable["closed_on"].fillna(False).astype(bool)
        found.append(ValueProblem("closed_on", parsed["closed_on"].isna() & said, CLOSED_WITHOUT_DATE))
    if "suspended_on" in parsed and "resumed_on" in parsed:
        found.append(ValueProblem("suspended_on", parsed["resumed_on"].lt(parsed["suspended_on"]),
                                  RESUMED_BEFORE_SUSPENDED))
        given = ~unreadable["suspended_on"].fillna(False).astype(bool) if "suspended_on" in unreadable else True
        found.append(ValueProblem("resumed_on", parsed["resumed_on"].notna() & parsed["suspended_on"].isna() & given,
                                  RESUMED_WITHOUT_SUSPENDED))
    if "extension_months" in parsed:  # a president approves whole months; 0.5 is not read as 0 or 1
        months = parsed["extension_months"]
        found.append(ValueProblem("extension_months", months.lt(0), NEGATIVE_MONTHS))
        found.append(ValueProblem("extension_months", months.mod(1).gt(0), PART_MONTHS))
        found.append(ValueProblem("extension_months", months.gt(MAX_EXTENSION),
                                  f"延长期限超过 {MAX_EXTENSION} 个月，疑为录入错误"))
    if "extension_days" in parsed:
        days = parsed["extension_days"]
        found.append(ValueProblem("extension_days", days.lt(0), "延长天数为负数"))
        found.append(ValueProblem("extension_days", days.mod(1).gt(0), "延长天数应为整日数"))
        found.append(ValueProblem("extension_days", days.gt(MAX_EXTENSION * 31),
                                  f"延长天数超过 {MAX_EXTENSION * 31} 日，疑为录入错误"))
    if "new_limit" in parsed and "filed_on" in parsed:
        found.append(ValueProblem("new_limit", parsed["new_limit"].lt(parsed["filed_on"]), "延长至的日期早于立案日期"))
    found = [p for p in found if p.mask.any()]
    for p in found:
        parsed.loc[p.mask, p.column] = np.nan if parsed[p.column].dtype == "float64" else pd.NaT
    return found


def load_ledger(
    paths: Sequence[Path | str],
    *,
    sheets: Sequence[str] | None = None,
    encoding: str | None = None,
    columns: Columns | None = None,
    progress: Progress | None = None,
    encoding_set_in: str | Path | None = None,
    encoding_option: bool = True,
    shown_from: Path | None = None,
) -> Ledger:
    """Read every ledger sheet of every file and stack the cases into one frame; a folder or a
    wildcard names the files it holds or matches (:func:`workbook.ledger_files`). Excel's lock
    files (``~$台帐.xlsx``, named by a wildcard while the ledger is open) are skipped with a note,
    and so are backlog's own outputs a folder holds or a wildcard matches (a file named that is
    one is a LedgerError).
    ``encoding_set_in``: the settings file when ``encoding`` is its ``encoding:``, where the hint
    for a text ledger it does not read says to set another (:class:`EncodingHint`), or, with no
    encoding named, the settings file read, where one may be set for a text ledger whose encoding
    is not detected (:class:`EncodingUnknown`); ``encoding_option``: whether the command takes
    --encoding (`backlog run` does not). ``shown_from``:
    the folder of the settings file whose ``ledger:`` named the files, from which their paths are
    shown (:func:`shown_path`)."""
    outputs: list[Path] = []
    paths, locks = _without_lock_files(workbook.ledger_files(paths, outputs))
    _check_named_once(paths)
    missing = _check_sheets(paths, sheets, shown_from) if sheets else []
    progress = _never_back(progress) if progress else None
    gc_was_on = gc.isenabled()
    gc.disable()  # millions of short-lived objects, no cycles: the cyclic collector only costs time
    try:
        ledger = _load(paths, sheets or None, encoding, columns or load_columns(), progress, shown_from)
    except EncodingHint as hint:
        if encoding is None or encoding_set_in is None:
            raise
        raise LedgerError(hint.set_in(encoding_set_in)) from None
    except EncodingUnknown as unknown:
        raise LedgerError(unknown.named_by(encoding_option, encoding_set_in)) from None
    finally:
        if gc_was_on:
            gc.enable()
    ledger.files = paths
    ledger.warnings[:0] = missing
    ledger.notes[:0] = [f"{shown_path(path, shown_from)}: skipped: {LOCK_FILE}" for path in locks] + [
        f"{shown_path(path, shown_from)}: skipped: {workbook.OUTPUT_FILE}" for path in outputs]
    return ledger


def load_source(source: LedgerSource, columns: Columns, progress: Progress | None = None) -> Ledger:
    """The ledger ``source`` names, read as it says (:func:`load_ledger`) with the column aliases
    ``columns`` (read from ``source.columns``): for every command and the nightly run."""
    return load_ledger(source.paths, sheets=source.sheets, encoding=source.encoding, columns=columns,
                       progress=progress, encoding_set_in=source.encoding_set_in,
                       encoding_option=source.encoding_option, shown_from=source.shown_from)


LOCK_FILE = "the lock file Excel or WPS keeps beside a workbook while it is open (~$ before the name), not a ledger"


def _without_lock_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """The ledger files named, and Excel's lock files among them (see :func:`workbook.is_lock_file`);
    a LedgerError when only lock files are named."""
    locks = [p for p in paths if workbook.is_lock_file(p)]
    if locks and len(locks) == len(paths):
        raise LedgerError(f"{locks[0]}: {LOCK_FILE}; name the workbook itself")
    return [p for p in paths if not workbook.is_lock_file(p)], locks


def _check_named_once(paths: list[Path]) -> None:
    """The same file named twice would reject every case as a duplicate of itself."""
    seen: dict[Path, Path] = {}
    for path in paths:
        key = path.resolve()
        if key in seen:
            same = f"{path}" if str(seen[key]) == str(path) else f"{path} (the same file as {seen[key]})"
            raise LedgerError(f"{same} is named twice: name each ledger once")
        seen[key] = path


def _never_back(progress: Progress) -> Progress:
    """``progress`` with each share raised to the largest reported so far."""
    shown = 0.0

    def report(msg: str, share: float) -> None:
        nonlocal shown
        shown = max(shown, share)
        progress(msg, shown)

    return report


@dataclass
class _Found:
    """What the sheets read so far gave. A file read again (see :class:`_ReadAgain`) first has its
    part forgotten: ``rewind`` to the ``mark`` taken before it."""

    reports: list[SheetReport] = field(default_factory=list)
    cases: list[pd.DataFrame] = field(default_factory=list)
    skipped: list[pd.DataFrame] = field(default_factory=list)
    rejects: list[pd.DataFrame] = field(default_factory=list)
    problems: list[pd.DataFrame] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unnamed: set[str] = field(default_factory=set)  # the names given to columns without a header (列5)
    # rows under a case-number cell merged down (:func:`_continued_rows`): file, sheet, row, top
    continued: list[pd.DataFrame] = field(default_factory=list)

    def _lists(self) -> tuple[list, ...]:
        return (self.reports, self.cases, self.skipped, self.rejects, self.problems, self.warnings, self.notes,
                self.continued)

    def mark(self) -> tuple[int, ...]:
        return tuple(map(len, self._lists()))

    def rewind(self, mark: tuple[int, ...]) -> None:
        for found, n in zip(self._lists(), mark):
            del found[n:]


def _load(paths: list[Path], sheets: Sequence[str] | None, encoding: str | None, columns: Columns,
          progress: Progress | None, shown_from: Path | None = None) -> Ledger:
    found = _Found()
    for i, path in enumerate(paths):
        # decoding is the first half of a file's share, checking values the second; as the two
        # alternate sheet by sheet, the share shown never moves back
        file_progress = (lambda msg, share, i=i: progress(msg, (i + share) / len(paths))) if progress else None
        mark = found.mark()
        try:
            _load_file(path, sheets, encoding, columns, file_progress, found, shown_from=shown_from)
        except _ReadAgain:
            found.rewind(mark)
            _load_file(path, sheets, encoding, columns, file_progress, found, careful=True, shown_from=shown_from)
    folded_skips, folded_rejects = _fold_continued(found.cases, found.continued, columns, found.rejects)
    frame, dup_rejects, repeated = _reject_duplicates(found.cases, columns, shown_from)
    frame = _whole_number_fields(frame, columns)
    # a column with neither a header nor a value (列5: the field after the comma an export ends every
    # line with) holds nothing of the ledger: not carried into every output
    frame = frame.drop(columns=[name for name in found.unnamed if name in frame and frame[name].isna().all()])
    found.warnings.extend(repeated)
    found.cases.clear()
    return_freed_memory()  # the blocks, now one frame
    found.rejects += [folded_rejects, dup_rejects]
    found.skipped.append(folded_skips)
    for report in found.reports:
        n_dup = int(((dup_rejects["file"] == report.file) & (dup_rejects["sheet"] == report.sheet)).sum())
        report.rejected += n_dup
        if len(found.continued):
            report.rejected += int(((folded_rejects["file"] == report.file) & (folded_rejects["sheet"] == report.sheet)).sum())
            report.skipped += int(((folded_skips["file"] == report.file) & (folded_skips["sheet"] == report.sheet)).sum())
        report.cases = report.rows_read - report.skipped - report.rejected
    found.warnings.extend(_sheet_gaps(frame, found.reports, columns, shown_from))
    found.notes.extend(_status_left_open(frame, shown_from))
    ledger = Ledger(
        cases=frame,
        skipped=_in_sheet_order(_concat(found.skipped, ["file", "sheet", "row", "reason"]), found.reports),
        rejects=_in_sheet_order(_concat(found.rejects, REJECT_COLUMNS), found.reports),
        problems=_in_sheet_order(_not_rejected(_concat(found.problems, PROBLEM_COLUMNS),
                                               _concat([dup_rejects, folded_rejects, folded_skips], ["file", "sheet", "row"])),
                                 found.reports),
        sheets=found.reports,
        columns=columns,
        warnings=found.warnings,
        notes=found.notes,
        shown_from=shown_from,
        continued=_concat(found.continued, ["file", "sheet", "row", "top"]),
    )
    ledger._reject_below(ledger.rejects)
    return ledger


def _whole_number_fields(frame: pd.DataFrame, columns: Columns) -> pd.DataFrame:
    """``frame`` with each number field (延长期限, a columns file's 合议庭人数) whose values are all
    whole numbers as Int64, as case_year and case_seq are, so that every output shows 5 as the
    ledger does, not 5.0 (the xlsx a number cell); a field holding a fraction (2.5) stays float.
    Over the whole ledger, so that every sheet and block of one column is read alike."""
    for name, spec in columns.fields.items():
        if spec.kind == "number" and name in frame and pd.api.types.is_float_dtype(frame[name].dtype):
            values = frame[name].to_numpy(dtype="float64", na_value=np.nan)
            if whole_numbers(values[~np.isnan(values)]).all():
                frame[name] = frame[name].astype("Int64")
    return frame


# a status that says, all of it, that the case is still open (中止 is a state of its own)
OPEN_STATUS = re.compile(r"执行中|未结|未结案|未执结|未办结|在办|在执|办理中|待结|待结案")
SHOWN_ROWS = 3  # rows named in a note about many


def _status_left_open(cases: pd.DataFrame, shown_from: Path | None = None) -> list[str]:
    """A note when cases with a 结案日期 keep a 案件状态 that says open (执行中, 在办: the status not
    brought up to date when the case closed). They count as closed by their date. A note, not a
    value problem: ledgers often leave the status so, and the date says what happened."""
    if "status" not in cases or "closed_on" not in cases:
        return []
    stale = cases["closed_on"].notna() & parsing.per_distinct(
        cases["status"], lambda u: u.str.fullmatch(OPEN_STATUS).fillna(False)).astype(bool)
    if not stale.any():
        return []
    n = int(stale.sum())
    rows = cases.loc[stale, ["source_file", "source_sheet", "source_row"]].head(SHOWN_ROWS)
    names = file_names(cases["source_file"], shown_from)
    several = len(names) > 1  # with several files, each row's own file
    named = [f"{names[file] + ' ' if several else ''}{sheet} 第{row}行" for file, sheet, row in rows.itertuples(index=False)]
    where = some_of(named, SHOWN_ROWS, total=n, sep="、")
    return [f"{counted(n, 'cases')} with a 结案日期 still {'shows' if n == 1 else 'show'} an open 案件状态 (执行中, 在办 …: "
            f"{where}); counted closed by the date: bring the status up to date"]


def _load_file(path: Path, sheets: Sequence[str] | None, encoding: str | None, columns: Columns,
               file_progress: Progress | None, found: _Found, careful: bool = False,
               shown_from: Path | None = None) -> None:
    """Every ledger sheet of one file, block by block, into ``found``; its warnings and notes name
    the file by :func:`shown_path`."""
    named = shown_path(path, shown_from)
    reading = (lambda msg, share: file_progress(msg, 0.5 * share)) if file_progress else None
    names: list[str] = []
    hidden: list[str] = []
    found_any = False
    refused: list[str] = []  # sheets whose header lacks a required column: why
    first_headers: list[str] = []
    if path.suffix.lower() in EXCEL_SUFFIXES and (kind := _kind(path)) != WORKBOOK:
        what, how = {workbook.TEXT: ("a text table", "read as CSV text"),
                     workbook.WEB_PAGE: ("a web page (HTML)", "its tables read as sheets"),
                     workbook.XML_SPREADSHEET: ("an Excel 2003 XML spreadsheet", "its worksheets read")}[kind]
        found.notes.append(f"{named}: {what} under a {path.suffix} name, as case systems export them: {how}")
    # Each sheet is parsed block by block, each block's cells dropped before the next is read:
    # the raw cells of every sheet at once were the largest part of the peak memory.
    for raw, share, width in _sheets(path, encoding, reading, sheets, careful):
        names.append(raw.name)
        report = SheetReport(str(path), raw.name)
        found.reports.append(report)
        if raw.hidden:
            report.note = "隐藏工作表，未读取"
            hidden.append(raw.name)
            continue
        header = find_header(raw, columns) if len(raw.frame) else None
        if header is None:
            report.note = "无台帐表头，未读取" if len(raw.frame) else "图表工作表，未读取" if raw.chart else "空工作表"
            if len(raw.frame) and (warning := _unread_cases(named, raw, columns)):
                report.note = "无台帐表头，未读取，但表中有案号"
                found.warnings.append(warning)
            if not first_headers and len(raw.frame):
                first_headers = [c for c in _cell_text(raw.frame.head(1)).iloc[0] if c]
            continue
        pos, headers, height = header
        if _hides_wider_rows(raw, pos, height):
            raise _ReadAgain
        title_unit = _title_unit(raw, pos)
        headers = [_with_unit(h, title_unit, columns) for h in headers]
        report.header_row = raw.first_row + pos
        if height > 1:
            report.note = f"表头在第 {report.header_row}–{report.header_row + height - 1} 行"
        hidden_columns = [i for i, h in enumerate(headers) if h and any(
            first <= raw.first_column + i <= last for first, last in raw.hidden_columns)]
        mapped = _map_headers(headers, columns, report, hidden_columns, raw.first_column)
        if lacking := _missing_required(named, raw.name, headers, mapped, columns):
            report.note = f"缺少{'、'.join(columns.labels()[f] for f in lacking[0])}列，未读取"
            refused.append(lacking[1])
            continue
        found_any = True
        if above := _cases_above(named, raw, pos):
            report.note = "；".join(filter(None, [report.note, "表头以上有案号，未读取"]))
            found.warnings.append(above)
        found.unnamed.update(name for header, name in zip(headers, mapped) if not header)
        if len(continued := _continued_rows(raw.merged_down, mapped)):
            found.continued.append(continued.assign(file=str(path), sheet=report.sheet))
        if hidden_columns:
            report.note = "；".join(filter(None, [report.note, f"含隐藏列 {len(hidden_columns)} 列"]))
            found.notes.append(_hidden_columns_note(named, report.sheet, headers, mapped, hidden_columns,
                                                    raw.first_column, columns))
        if file_progress:
            file_progress(f"checking values [{raw.name}]", 0.5 + 0.5 * share)
        units = {name: parsing.header_unit(h) for h, name in zip(headers, mapped) if h and name in columns.fields}
        too_wide = _too_wide(raw, pos, height, headers, mapped, columns)
        if raw.nul_rows is not None:  # rejected before any other reason of a row too wide
            nul = pd.Series(NUL_ROW, index=raw.nul_rows, dtype=object)
            too_wide = nul if too_wide is None else nul.combine_first(too_wide)
        is_text = _kind(path) == workbook.TEXT
        header_words = frozenset(_cell_text(raw.frame.iloc[pos : pos + height]).to_numpy().ravel()) - {""}
        first_row, blocks, total = raw.first_row, itertools.chain([raw.frame.iloc[pos + height :]], raw.more), raw.rows
        hidden_rows, hidden_read = np.asarray(raw.hidden_rows, dtype="int64"), []
        far_rows = raw.far_rows  # filled once the last block is read
        del raw
        for block in blocks:
            shifted = _shifted_rows(block, headers, mapped, columns, first_row, too_wide) if is_text else too_wide
            body, missing = _sheet_rows(block, mapped, first_row)
            del block
            body.insert(0, "source_sheet", report.sheet)
            body.insert(0, "source_file", str(path))
            report.rows_read += len(body)
            # the case numbers are cleaned once, for the skip checks and the parser
            case_text = parsing.normalize_case_number(body["case_no"], missing["case_no"].to_numpy())
            reason = _skip_reasons(body, missing, mapped, columns, case_text, header_words)
            is_skip = reason.notna()
            report.skipped += int(is_skip.sum())
            found.skipped.append(_located(body[is_skip]).assign(reason=reason[is_skip].to_numpy()))
            if (repeated := reason.eq(REPEATED_HEADER).to_numpy()).any():
                found.warnings += _headers_that_differ(named, report.sheet, body[repeated], headers, mapped, units,
                                                       columns, title_unit)
            kept = ~is_skip.to_numpy()
            if len(hidden_rows):
                rows = body["source_row"].to_numpy()[kept]
                hidden_read.append(rows[np.isin(rows, hidden_rows)])
            found.cases.append(_check_values(report, body[kept].reset_index(drop=True),
                                             missing[kept].reset_index(drop=True),
                                             case_text[kept].reset_index(drop=True),
                                             columns, units, mapped, found, shifted, continued["row"].to_numpy()))
            if file_progress and total:
                done = min(1.0, (pos + 1 + report.rows_read) / total)
                file_progress(f"checking values [{report.sheet}] {report.rows_read:,} rows",
                              0.5 + 0.5 * (share + width * done))
            del body, missing, case_text
        if hidden_read and len(read := np.concatenate(hidden_read)):
            report.note = "；".join(filter(None, [report.note, f"含隐藏行 {len(read)} 行"]))
            found.notes.append(_hidden_rows_note(named, report.sheet, read))
        if far_rows:
            found.warnings.append(
                f"{named} [{report.sheet}]: {counted(len(far_rows), 'rows')} far below the table ({_rows_named(far_rows)}) "
                f"{'holds' if len(far_rows) == 1 else 'hold'} only formulas without saved results or error cells: "
                "not read; delete them, or open the file in Excel and save it so their results are stored")
    if hidden:
        found.notes.append(f"{named}: hidden sheet{'s' if len(hidden) > 1 else ''} {'、'.join(hidden)} not read "
                           "(name a sheet with --sheet to read it)")
    if sheets and not names:
        return  # the sheets asked for are in other files
    if refused and not found_any:
        raise LedgerError(refused[0])
    found.warnings.extend(f"sheet not read: {why}" for why in refused)
    if not found_any:
        if encoding and _kind(path) == workbook.TEXT and (problem := _header_read_otherwise(path, encoding, columns)):
            raise problem
        raise LedgerError(
            f"{path}: no ledger header found in {'、'.join(names) or 'any sheet'} "
            f"(looked for headers such as 案号 and 立案日期 in the first {HEADER_SCAN_ROWS} rows"
            + (f"; first row has: {'、'.join(first_headers[:12])}" if first_headers else "")
            + (f"; hidden sheets not read: {'、'.join(hidden)}, name one with --sheet to read it" if hidden else "")
            + ")"
            + _separator_hint(path)
        )


HIDDEN_ROWS_SHOWN = 5  # rows a note names (hidden, far below the table); the others counted


def _hidden_rows_note(named: str, sheet: str, rows: np.ndarray) -> str:
    """The note for the rows of a sheet hidden in Excel (by hand, by a filter or in a collapsed
    outline) that were read as cases or rejected: the sheet shows fewer rows than are counted."""
    return (f"{named} [{sheet}]: {counted(len(rows), 'rows')} hidden in Excel (by hand, a filter or a collapsed "
            f"group) {'is' if len(rows) == 1 else 'are'} read like the others ({_rows_named(rows)}): the sheet "
            "shows fewer rows than are counted")


def _hidden_columns_note(named: str, sheet: str, headers: list[str], names: list[str], hidden: list[int],
                         first_column: int, columns: Columns) -> str:
    """The note for the columns of a sheet hidden in Excel (``hidden``: their positions among the
    ``headers``), read like the others; one that a column shown takes the field from is said so."""
    said = []
    for i in hidden:
        where = f"{headers[i]} in column {xl_col_to_name(first_column + i)}"
        field = columns.field_for(headers[i])
        if field is not None and names[i] != field:
            owner = names.index(field)
            where += (f", kept as typed: {field} is read from column {xl_col_to_name(first_column + owner)}"
                      + ("" if owner in hidden else ", which is shown"))
        said.append(where)
    return (f"{named} [{sheet}]: {counted(len(hidden), 'columns')} hidden in Excel {'is' if len(hidden) == 1 else 'are'} "
            f"read ({'; '.join(said)}): the sheet shows fewer columns than are read")


def _rows_named(rows: Sequence[int]) -> str:
    """Sheet rows as a note names them: the first :data:`HIDDEN_ROWS_SHOWN`, then how many more."""
    named = some_of([str(r) for r in rows[:HIDDEN_ROWS_SHOWN]], HIDDEN_ROWS_SHOWN, total=len(rows))
    return f"row{'s' if len(rows) > 1 else ''} {named}"


# The fields the open/closed reading, the task lists, the bundled rules and deadlines and the monthly
# report's plans (PLAN_FIELDS) read (checked in the tests): a sheet without a column the
# other sheets fill is warned about.
# What the monthly report asks of every open key case: 未结原因, 下一步打算, 预计结案时间; a sheet
# whose cases are all closed (a 已结 sheet) needs no column for them.
PLAN_FIELDS = ("reason_open", "next_step", "expected_close")
RULE_FIELDS = ("closed_on", "status", "close_method", "officer", "cause", "respondent", "petition", "notes",
               "reason_open", "next_step", "expected_close", "suspended_on", "resumed_on")
OPEN_SHEET = "未结"  # a sheet so named (not 已结未结汇总) holds open cases: no close-date column is right


def _sheet_gaps(frame: pd.DataFrame, reports: list[SheetReport], columns: Columns,
                shown_from: Path | None = None) -> list[str]:
    """Per sheet with cases whose header lacks a column of :data:`RULE_FIELDS` that another sheet
    has and fills, a warning: which sheet, which field, what its cases are read as (the ledger
    as a whole has the column, so the warning about a missing column is not given)."""
    read = [r for r in reports if r.cases]
    mapped = {id(r): {c.name for c in r.headers} for r in read}
    names = file_names(pd.Series([r.file for r in reports], dtype=object), shown_from)
    out = []
    for report in read:
        gaps = {}
        for name in RULE_FIELDS:
            if name in mapped[id(report)] or (name == "closed_on" and OPEN_SHEET in report.sheet
                                                 and "已结" not in report.sheet):
                continue
            if name in PLAN_FIELDS and not _has_open(frame, report):
                continue
            have = [r for r in read if name in mapped[id(r)]]
            if have and (filled := _filled_in(frame, name, have, report, names)):
                gaps[name] = filled
        if gaps:
            out.append(_gap_warning(report, gaps, columns, names))
    return out


def _has_open(frame: pd.DataFrame, report: SheetReport) -> bool:
    """Whether the sheet of ``report`` has a case without a close date."""
    if "closed_on" not in frame:
        return True
    rows = (frame["source_sheet"] == report.sheet) & (frame["source_file"] == report.file)
    return bool(frame.loc[rows, "closed_on"].isna().any())


def _filled_in(frame: pd.DataFrame, name: str, reports: list[SheetReport], report: SheetReport,
               names: Mapping[str, str]) -> list[str]:
    """Which of ``reports``' sheets have a value in column ``name``, named from ``report``'s (a
    sheet of another file with its file's name as :func:`file_names` gives it in ``names``)."""
    where = frame.loc[frame[name].notna(), ["source_file", "source_sheet"]].drop_duplicates()
    filled = set(zip(where["source_file"], where["source_sheet"]))
    return [r.sheet if r.file == report.file else f"{names[r.file]} [{r.sheet}]"
            for r in reports if (r.file, r.sheet) in filled]


def _gap_warning(report: SheetReport, gaps: Mapping[str, list[str]], columns: Columns, names: Mapping[str, str]) -> str:
    """The warning for one sheet lacking columns other sheets fill (``gaps``: field → those sheets)."""
    lacking = " or ".join(
        f"{columns.fields[name].label} ({name}; sheet{'s' if len(sheets) > 1 else ''} "
        f"{some_of(sheets, 3, sep='、')} {'has' if len(sheets) == 1 else 'have'} one)"
        for name, sheets in gaps.items())
    cases = f"its {counted(report.cases, 'cases')}"
    others = len(gaps) - ("closed_on" in gaps)
    blank = f"{'them' if others > 1 else 'it'} blank"
    effect = (f"{cases} {'is' if report.cases == 1 else 'are'} read as open" + (", with the others blank" if others else "")
              if "closed_on" in gaps else f"{cases} {'has' if report.cases == 1 else 'have'} {blank}")
    return (f"{names[report.file]} [{report.sheet}]: the sheet has no column for {lacking}: {effect}"
            + unrecognised_hint(report.unknown_headers(columns)))


def unrecognised_hint(unknown: Sequence[str], field: str | None = None) -> str:
    """The end of a warning about a column a sheet or the ledger lacks: the ``unknown`` headers (not
    recognised) and how to read one as the column (as an alias of ``field``, when one is named);
    '' for none."""
    if not unknown:
        return ""
    return (f". Its headers not recognised{' that look like it' if field else ''}: {'、'.join(unknown)}; if one of them "
            f"is that column, add it as an alias{f' of {field}' if field else ''} in a columns file (--columns)")


def _separator_hint(path: Path) -> str:
    """For a text ledger whose lines are split by ';' or '|' rather than commas or tabs: say so."""
    if path.suffix.lower() not in TEXT_SUFFIXES:
        return ""
    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    counts = {sep: head.count(sep.encode()) for sep in (",", "\t", ";", "|")}
    other = max((";", "|"), key=counts.__getitem__)
    if counts[other] <= max(counts[","], counts["\t"]):
        return ""
    return f"; its cells are separated by '{other}', not commas: save it as CSV with commas, or as .xlsx"


CHANGES_SHOWN = 5  # the cells of a repeated header that differ named in its warning, then how many more


def _headers_that_differ(named: str, sheet: str, rows: pd.DataFrame, headers: list[str], names: list[str],
                         units: dict[str, float], columns: Columns, title_unit: str = "") -> list[str]:
    """A warning for each header row repeated further down (``rows``, under the sheet's column
    ``names``) whose cells name other fields than the header's, or give another unit (a table pasted
    under another, its 被执行人 and 承办人 the other way round; its amounts in 万元): the rows
    below it are read under the first header's columns. An amount cell with no unit of its own
    takes the one the title rows state (``title_unit``), as the header did."""
    found: dict[tuple[str, ...], list[int]] = {}  # what differs: the rows that repeat the header so (a printed page's each)
    for _, row in rows.iterrows():
        changed = []
        for header, name in zip(headers, names):
            cell = row.get(name)
            if not isinstance(cell, str) or not cell.strip():
                continue
            field = columns.field_for(cell)  # text naming no field (当事人 over 申请执行人 and 被执行人) is passed over
            if field is not None and (field != name or parsing.header_unit(_with_unit(cell, title_unit, columns))
                                      != units.get(field, 1.0)):
                changed.append(f"{cell.strip()} under {header or '(no header)'}")
        if changed:
            found.setdefault(tuple(changed), []).append(int(row["source_row"]))
    return [f"{named} [{sheet}] {_rows_named(at)}: the header is repeated with other columns "
            f"({some_of(changed, CHANGES_SHOWN, sep='; ')}); the rows below it are read under the first header's "
            "columns: make it one table, or put it on a sheet of its own"
            for changed, at in found.items()]


def _check_values(report: SheetReport, body: pd.DataFrame, missing: pd.DataFrame, case_text: pd.Series,
                  columns: Columns, units: dict[str, float], names: list[str], found: _Found,
                  too_wide: pd.Series | None = None, continued: np.ndarray | None = None) -> pd.DataFrame:
    """A block of a sheet's rows parsed (``missing``: where their ledger cells are missing;
    ``case_text``: their case numbers cleaned; ``names``: the sheet's columns; ``too_wide``: the
    reject reason of rows with more fields than the header, by row number; ``continued``: the rows
    under a case-number cell merged down, :func:`_continued_rows`): rejected rows, footer rows and
    value problems go to ``found``, the cases kept are returned. A row under a merged case number
    with its 立案日期 left blank is kept, for :func:`_fold_continued` to make part of its case."""
    parsed, bad = _parse_fields(body, missing, case_text, columns, units)
    reject_reason = _reject_reasons(parsed, {p.column: p.mask for p in bad if p.unreadable}, case_text)
    if continued is not None and len(continued):
        reject_reason[reject_reason.eq(NO_FILING_DATE).to_numpy() & np.isin(body["source_row"].to_numpy(), continued)] = None
    if too_wide is not None:
        wide = body["source_row"].map(too_wide)
        reject_reason = reject_reason.mask(wide.notna(), wide)
    footer = _footer_rows(body, missing, names, reject_reason)
    found.skipped.append(_located(body[footer]).assign(reason=FOOTER_ROW))
    report.skipped += int(footer.sum())
    is_reject = reject_reason.notna() & ~footer
    found.rejects.append(_reject_frame(parsed[is_reject], body[is_reject], reject_reason[is_reject]))
    kept = reject_reason.isna()
    for name, mask, problem, _ in bad:
        if name in ("case_no", "filed_on"):
            continue
        hit = mask & kept
        if hit.any():
            cells = body.loc[hit, name]
            detail = _weekday_slips(cells) if problem == UNREADABLE["date"] else ""
            found.problems.append(
                _located(body[hit]).assign(column=name, value=shown_cells(cells).to_numpy(), problem=problem, detail=detail)
            )
    report.rejected += int(is_reject.sum())
    return _order_columns(parsed[kept])


def _footer_rows(body: pd.DataFrame, missing: pd.DataFrame, names: list[str], reason: pd.Series) -> pd.Series:
    """Rows under the table that note, sign or count (:data:`FOOTER_TEXT`), or head such notes, the
    heading the row's one cell (:data:`FOOTER_HEADING`): rejected for want of a readable case number,
    with such a first cell. Only the rejected rows are looked at."""
    out = pd.Series(False, index=body.index)
    rows = reason.isin([NO_CASE_NO, BAD_CASE_NO]).to_numpy()
    if rows.any():
        first = _first_cells(body.loc[rows, names], missing.loc[rows, names])
        text = parsing.without_spaces(first.where(first.map(lambda v: isinstance(v, str))).astype("str"))
        alone = (~missing.loc[rows, names].to_numpy(dtype=bool)).sum(axis=1) == 1
        out[rows] = (text.str.match(FOOTER_TEXT).fillna(False).to_numpy(dtype=bool)
                     | alone & text.str.fullmatch(FOOTER_HEADING).fillna(False).to_numpy(dtype=bool))
    return out


# --------------------------------------------------------------------------- the load report


# inspect's headers on the terminal, as the errors and problems files name theirs
INSPECT_HEADERS = {**ERROR_HEADERS, **PROBLEM_HEADERS, "header row": "表头行", "rows": "行数", "cases": "案件数",
                   "skipped": "跳过", "rejected": "拒收", "note": "说明", "header": "表头", "field": "字段",
                   "known": "已知字段"}


def inspect_tables(ledger: Ledger) -> list[Sheet]:
    """How a ledger was read (``backlog inspect``): sheets, column mapping, skipped and rejected
    rows, value problems (unreadable or contradicting values) per column and one by one; empty
    tables are left out. Titles and headers in Chinese (:data:`INSPECT_HEADERS`); fields by their
    ids, as the rules name them."""
    shown_as = ledger.file_names()

    def named(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(file=frame["file"].map(lambda f: shown_as.get(f) or Path(f).name))

    def table(title: str, frame: pd.DataFrame) -> Sheet:
        return Sheet(title, frame, labels=INSPECT_HEADERS)

    sheets = pd.DataFrame([
        {"file": shown_as[s.file], "sheet": s.sheet, "header row": s.header_row or "-", "rows": s.rows_read,
         "cases": s.cases, "skipped": s.skipped, "rejected": s.rejected, "note": s.note}
        for s in ledger.sheets
    ])

    def known(sheet: SheetReport, column: HeaderColumn) -> str:
        read = sheet.read_as(column, ledger.columns)
        if read is None:
            return "否，按原样保留"
        if read == column:
            return "是"
        by = f"同名的 {read.letter} 列" if read.header == column.header else f"「{read.header}」列"
        return f"否，{read.name} 已由{by}读取，此列按原样保留"

    def shown(sheet: SheetReport) -> list[str]:
        """Each column's header, with its letter when another column of the sheet has its text."""
        count = Counter(c.header for c in sheet.headers)
        return [f"{c.header}（{c.letter} 列）" if count[c.header] > 1 else c.header for c in sheet.headers]

    several_files = len({s.file for s in ledger.sheets}) > 1
    mapping = pd.DataFrame([
        {"sheet": f"{shown_as[s.file]} [{s.sheet}]" if several_files else s.sheet, "header": header, "field": c.name,
         "known": known(s, c)}
        for s in ledger.sheets for c, header in zip(s.headers, shown(s))
    ])
    tables = [table("工作表", sheets)]
    if len(mapping):  # a header read the same way in several sheets is one row naming them all
        shared = mapping.groupby(["header", "field", "known"], sort=False, dropna=False)["sheet"].agg(
            lambda names: "、".join(dict.fromkeys(names)))
        tables.append(table("列对应", shared.reset_index()[["sheet", "header", "field", "known"]]))
    if len(ledger.skipped):
        tables.append(table("跳过的行", named(ledger.skipped)))
    if len(ledger.rejects):
        tables.append(table("拒收的行", named(ledger.rejects)))
    if len(ledger.problems):
        listed = ledger.listed_problems()
        kinds = ledger.listed_problems(details=False)  # a column's unreadable dates one problem, whatever day each is
        per_column = kinds.groupby(["column", "field", "problem"], sort=False).size().rename("rows").reset_index()
        tables.append(table("各列的值问题", per_column))
        tables.append(table("值问题（按空白计）", named(listed.drop(columns="field"))))
    return tables


def _not_rejected(problems: pd.DataFrame, rejects: pd.DataFrame) -> pd.DataFrame:
    """The value problems of rows that are cases: a row rejected as a duplicate (found once every
    block is read) is listed for that alone, as other rejected rows are."""
    if not len(rejects) or not len(problems):
        return problems
    where = ["file", "sheet", "row"]
    rejected = pd.MultiIndex.from_frame(rejects[where])
    return problems[~pd.MultiIndex.from_frame(problems[where]).isin(rejected)].reset_index(drop=True)


def _in_sheet_order(rows: pd.DataFrame, reports: list[SheetReport]) -> pd.DataFrame:
    """Listed rows (rejects, value problems) sheet by sheet in the order the sheets were read,
    then by row: duplicates, found once every sheet is read, and a row's several problems land
    where the row is."""
    order = {(r.file, r.sheet): i for i, r in enumerate(reports)}
    at = pd.Series([order.get(key, len(order)) for key in zip(rows["file"], rows["sheet"])], dtype="int64")
    return rows.assign(_at=at.to_numpy()).sort_values(["_at", "row"], kind="stable", ignore_index=True).drop(columns="_at")


def _located(body: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {"file": body["source_file"].to_numpy(), "sheet": body["source_sheet"].to_numpy(), "row": body["source_row"].to_numpy()}
    )


def _concat(frames: list[pd.DataFrame], cols: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "str") for c in cols})
    return pd.concat(frames, ignore_index=True)[cols]


def _reject_reasons(parsed: pd.DataFrame, bad: dict[str, pd.Series], case_text: pd.Series) -> pd.Series:
    """Why each row cannot be a case (NA when it can); ``case_text``: the case numbers cleaned."""
    reason = pd.Series(None, index=parsed.index, dtype=object)  # None, not pd.NA (see _skip_reasons)
    no_case = parsed["case_no"].isna()
    reason[no_case] = NO_CASE_NO
    unread = bad["case_no"].to_numpy(dtype=bool)
    if unread.any():
        text = case_text[unread]
        reason[unread] = (_several_case_numbers(text).fillna(_partial_case_numbers(text)).fillna(_other_case_numbers(text))
                          .fillna(BAD_CASE_NO).to_numpy())
    date_bad = bad["filed_on"]
    reason[reason.isna() & date_bad] = BAD_FILING_DATE
    reason[reason.isna() & parsed["filed_on"].isna()] = NO_FILING_DATE
    return reason


def _several_case_numbers(text: pd.Series) -> pd.Series:
    """For unreadable case-number cells that hold two or more case numbers (joined by 、 or on two
    lines), the reject reason naming them; NA for the others. The cells are split one by one (they
    are rejected rows), their parts parsed in one call."""
    owners: list[int] = []
    parts: list[str] = []
    for i, cell in enumerate(text.to_numpy(dtype=object)):
        if isinstance(cell, str):
            found = [p for p in TWO_CASE_NUMBERS.split(cell) if p]
            if len(found) >= 2:
                owners += [i] * len(found)
                parts += found
    out = pd.Series(pd.NA, index=text.index, dtype=object)
    if not parts:
        return out
    at = np.array(owners)
    unreadable = np.bincount(at, weights=parsing.parse_case_text(pd.Series(parts, dtype="str"))[1].to_numpy(dtype=float),
                             minlength=len(text))
    counts = np.bincount(at, minlength=len(text))
    several = (counts >= 2) & (unreadable == 0)
    out[several] = [_split_reason(n) for n in counts[several]]
    return out


def _split_reason(n: int, shown: str = "") -> str:
    """The reject reason of a cell holding ``n`` case numbers (``shown``: the numbers after the
    court code, for numbers written in part)."""
    return f"{BAD_CASE_NO}：一个单元格含{n}个案号{f'（{shown}）' if shown else ''}，请分成{n}行，每行一个案号"


def _partial_case_numbers(text: pd.Series) -> pd.Series:
    """For unreadable case-number cells that hold one case number followed by more sequence numbers
    (``(2025)鲁0902执3、4号``, ``执3号、4号``) or a range of them (``执3-5号``), the reject reason
    naming how many and which; NA for the others. Column-wise: one match over the cells, the first
    number of each parsed in one call."""
    out = pd.Series(pd.NA, index=text.index, dtype=object)
    parts = text.str.extract(PARTIAL_CASE_NUMBERS)
    matched = parts["head"].notna().to_numpy()
    if not matched.any():
        return out
    parts, cells = parts[matched], text[matched]
    first, unreadable = parsing.parse_case_text(parts["head"] + parts["first"] + "号")
    n = np.where(parts["more"].notna(), parts["more"].str.count(SEQ_SEPARATOR).fillna(0) + 1,
                 parts["last"].astype("float64").fillna(0) - parts["first"].astype("int64") + 1).astype("int64")
    ok = ~unreadable.to_numpy(dtype=bool) & (n >= 2)
    if ok.any():
        # what follows the year (in brackets, in one or in none) and the court code: 执3、4号
        after = (first["court_code"][ok].str.len().to_numpy(dtype="int64")
                 + cells[ok].str.extract(f"^({parsing.CASE_YEAR})")[0].str.len().to_numpy(dtype="int64"))
        out.iloc[np.flatnonzero(matched)[ok]] = [_split_reason(int(k), cell[at:]) for k, cell, at in
                                                 zip(n[ok], cells[ok], after)]
    return out


def _other_case_numbers(text: pd.Series) -> pd.Series:
    """For unreadable case-number cells holding the number of a case of another kind (a trial's
    ``(2024)鲁0902民初123号``, the 执行依据 typed in 案号), the reject reason naming its type; NA
    for the others."""
    kind = text.str.extract(OTHER_CASE_NUMBER)["type"]
    kind = kind.where(~kind.str.contains("执", na=False))
    return (f"{BAD_CASE_NO}：类型代字“" + kind + "”不是执行案件的（是否填成了执行依据的案号？）").astype(object)


def shown_cells(cells: pd.Series) -> pd.Series:
    """Cells as a person would recognise them in a message: dates without a midnight time, and a
    time of day alone (what a date cell of 0, shown as 1899-12-31 or 1900-01-00, is read as) said
    to have no date; whole numbers without ``.0``. For the few cells a message names, not for
    whole columns."""
    def one(value: Any) -> str:
        if isinstance(value, dt.datetime) and value == dt.datetime.combine(value.date(), dt.time()):
            return value.date().isoformat()
        if isinstance(value, dt.time):
            return f"{value}（只有时刻，没有日期）"
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))  # a number cell as Excel shows it: -5, not -5.0
        return str(value)

    return cells.map(one, na_action="ignore").astype("str")


def _reject_frame(parsed: pd.DataFrame, body: pd.DataFrame, reason: pd.Series) -> pd.DataFrame:
    out = _located(body)
    out["case_no"] = parsed["case_no"].to_numpy()
    detail = shown_cells(body["filed_on"]).to_numpy()
    unread = (reason == BAD_FILING_DATE).to_numpy(dtype=bool)
    slips = np.full(len(body), "", dtype=object)
    if unread.any():
        slips[unread] = _weekday_slips(body["filed_on"][unread])
    out["reason"] = [r if r != BAD_FILING_DATE else f"{r}：“{d}”{w}" for r, d, w in zip(reason, detail, slips)]
    return out


def _weekday_slips(cells: pd.Series) -> list[str]:
    """Per date cell not read, why when the weekday typed after it is one it does not fall on
    (:data:`WEEKDAY_SLIP`: （2016-03-05 是星期六）), else ''."""
    return ["" if pd.isna(day) else WEEKDAY_SLIP.format(day=f"{day:%Y-%m-%d}", weekday="一二三四五六日"[day.weekday()])
            for day in parsing.weekday_slips(cells)]


def _continued_rows(ranges: Sequence[tuple[int, int, int, int]], names: list[str]) -> pd.DataFrame:
    """The rows under the top of each range (:attr:`RawSheet.merged_down`) merged down in the
    case-number column of a sheet whose columns are ``names``: ``row`` and the ``top`` row of its
    range, as Excel numbers them. Empty for a sheet with none (most)."""
    at = names.index("case_no")
    down = np.array([(r1, r2) for r1, r2, c1, c2 in ranges if c1 <= at <= c2], dtype="int64").reshape(-1, 2)
    spans = down[:, 1] - down[:, 0]
    tops = np.repeat(down[:, 0] + 1, spans)  # Excel's row numbers
    return pd.DataFrame({"row": tops + np.arange(spans.sum()) - np.repeat(np.cumsum(spans) - spans, spans) + 1,
                         "top": tops})


def _below_rejected(continued: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows under a case-number cell merged down (``continued``: :func:`_continued_rows` with
    their file and sheet) whose first row is among the rejected ``rows``, as they are rejected with
    it (:data:`REJECT_COLUMNS`): the first row's case number, and a reason naming it and why
    (:data:`FIRST_ROW_REJECTED`)."""
    firsts = rows[["file", "sheet", "row", "case_no", "reason"]].set_axis(["file", "sheet", "top", "case_no", "why"], axis=1)
    below = continued.merge(firsts, on=["file", "sheet", "top"])
    below["reason"] = [FIRST_ROW_REJECTED.format(row=row, reason=why) for row, why in zip(below["top"], below["why"])]
    return below[REJECT_COLUMNS]


def _below_at(frame: pd.DataFrame, cols: list[str], below: pd.DataFrame, same_number: bool = True) -> np.ndarray:
    """For each row of ``frame`` (``cols``: the columns of its file, sheet and row) its position in
    ``below`` (:func:`_below_rejected`), or -1: a row under no rejected first row, and, when
    ``same_number``, one reading another case number than its first row (a case of its own)."""
    at = np.full(len(frame), -1, dtype=np.int64)
    maybe = frame[cols[2]].isin(below["row"]).to_numpy(dtype=bool)
    if maybe.any():
        where = ["file", "sheet", "row"]
        found = pd.MultiIndex.from_frame(below[where]).get_indexer(
            pd.MultiIndex.from_frame(frame.loc[maybe, cols].set_axis(where, axis=1)))
        if same_number:
            hit = found >= 0
            hit[hit] = pd.Series(frame["case_no"].to_numpy(dtype=object)[maybe][hit], dtype=object).eq(
                pd.Series(below["case_no"].to_numpy(dtype=object)[found[hit]], dtype=object)).to_numpy(dtype=bool)
            found[~hit] = -1
        at[maybe] = found
    return at


def _fold_continued(blocks: list[pd.DataFrame], continued: list[pd.DataFrame], columns: Columns,
                    rejected: list[pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A case written over several rows, its 案号 cell merged down over them (a second 被执行人 on the
    row below, only the party cells differing), made one case in ``blocks`` (in place): the first
    row is the case, each text field holding the distinct values of its rows joined with 、 in row
    order; the rows below are skipped (:data:`CONTINUED_ROW`). A row below that holds a date, an
    amount, a number or a flag the first row does not share is not guessed at: it is rejected as a
    duplicate of the first, naming where the two differ; a blank one agrees, its 立案日期 too. Only
    rows that are cases, or lack only their 立案日期 (:func:`_check_values` keeps them), are folded,
    into a first row that is a case, when they read the same case number. Those of a first row
    the load ``rejected`` (no 立案日期, one that cannot be read) are rejected with it, naming it
    (:func:`_below_rejected`), a 立案日期 of their own or not: they are no case, so no other row is
    told a duplicate of them, as none is of their first row. Any other such row left unfolded is
    rejected for its 立案日期 (:data:`NO_FILING_DATE`), as any other, until its first row is found
    rejected (:meth:`Ledger._reject_below` names it then). Returns the rows skipped and the rows
    rejected; only the blocks of sheets with such merges (``continued``: :func:`_continued_rows`
    of each) are looked at."""
    if not continued:
        return _concat([], ["file", "sheet", "row", "reason"]), _concat([], REJECT_COLUMNS)
    below = pd.concat(continued, ignore_index=True)
    sheets = set(zip(below["file"], below["sheet"]))
    picked = [i for i, b in enumerate(blocks) if len(b) and (b["source_file"].iat[0], b["source_sheet"].iat[0]) in sheets]
    skipped, folded = _fold_rows(blocks, below, picked, columns)
    orphaned = _below_rejected(below, _concat(rejected, REJECT_COLUMNS))
    left = []  # rows under a merged case number not folded into a case: their first row rejected, or no 立案日期
    for i in picked:
        with_first = _below_at(blocks[i], SOURCE_COLUMNS, orphaned)
        no_date = blocks[i]["filed_on"].isna().to_numpy() & (with_first < 0)
        left.append(orphaned.iloc[with_first[with_first >= 0]])
        if no_date.any():
            left.append(_located(blocks[i][no_date]).assign(case_no=blocks[i]["case_no"][no_date].to_numpy(),
                                                          reason=NO_FILING_DATE))
        if not (keep := (with_first < 0) & ~no_date).all():
            blocks[i] = blocks[i][keep]
    return skipped, _concat([folded, *left], REJECT_COLUMNS)


def _fold_rows(blocks: list[pd.DataFrame], below: pd.DataFrame, picked: list[int],
               columns: Columns) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`_fold_continued` of the blocks ``picked``, the rows under a merged case number being
    ``below``: the rows skipped and those rejected for differing from their first row."""
    skipped, rejected = _concat([], ["file", "sheet", "row", "reason"]), _concat([], REJECT_COLUMNS)
    if not picked:
        return skipped, rejected
    where = pd.concat([blocks[i][SOURCE_COLUMNS].set_axis(["file", "sheet", "row"], axis=1)
                       .assign(block=i, pos=np.arange(len(blocks[i]))) for i in picked], ignore_index=True)
    pairs = below.merge(where, on=["file", "sheet", "row"]).merge(
        where.rename(columns={"row": "top"}), on=["file", "sheet", "top"], suffixes=("", "_top"))
    if not len(pairs):
        return skipped, rejected
    pairs = pairs.sort_values(["block_top", "pos_top", "block", "pos"], ignore_index=True)
    # the rows concerned, each first row followed by its rows below, in one small frame
    rows = pd.concat([blocks[b].iloc[pos] for b, pos in pairs.groupby("block")["pos"]] +
                     [blocks[b].iloc[pos] for b, pos in pairs.drop_duplicates(["block_top", "pos_top"])
                      .groupby("block_top")["pos_top"]], ignore_index=True)
    key = pd.MultiIndex.from_frame(rows[SOURCE_COLUMNS])
    at = key.get_indexer(pd.MultiIndex.from_frame(pairs[["file", "sheet", "row"]]))
    first = key.get_indexer(pd.MultiIndex.from_frame(pairs[["file", "sheet", "top"]]))
    numbers = rows["case_no"].to_numpy(dtype=object)
    if not (same := numbers[at] == numbers[first]).all():  # a row below with a case number of its own in the file
        pairs, at, first = pairs[same].reset_index(drop=True), at[same], first[same]
    exact = [name for name, spec in columns.fields.items() if spec.kind != "text" and name != "case_no" and name in rows]
    differ = _differences([rows], first, at, columns, exact, blank_later_agrees=True)
    bad = differ != ""
    seen = pairs["sheet"].astype(str).to_numpy(dtype=object) + " 第" + pairs["top"].astype(str).to_numpy(dtype=object) + "行"
    rejected = pd.DataFrame({"file": pairs["file"][bad], "sheet": pairs["sheet"][bad], "row": pairs["row"][bad],
                             "case_no": rows["case_no"].to_numpy()[at[bad]],
                             "reason": f"{DUPLICATE}：与 " + seen[bad] + " 重复（案号单元格合并）" + differ[bad]})
    good = pairs[~bad]
    skipped = good[["file", "sheet", "row"]].assign(reason=CONTINUED_ROW)
    # each text field: the first row's value, then those of the rows below, distinct, in row order;
    # set column by column in each block, all its first rows that change at once
    top_block, top_pos = np.full(len(rows), -1), np.full(len(rows), -1)
    top_block[first], top_pos[first] = pairs["block_top"].to_numpy(), pairs["pos_top"].to_numpy()
    group, taken = np.concatenate([first[~bad], first[~bad]]), np.concatenate([first[~bad], at[~bad]])
    order = np.concatenate([np.full(len(good), -1), good["row"].to_numpy()])
    for name in [c for c in rows.columns if c not in SOURCE_COLUMNS and c not in parsing.CASE_PARTS
                 and (c not in columns.fields or columns.fields[c].kind == "text")]:
        values = pd.DataFrame({"group": group, "order": order, "value": rows[name].to_numpy(dtype=object)[taken]})
        values = values[values["value"].notna()].sort_values(["group", "order"], kind="stable")
        joined = values.drop_duplicates(["group", "value"]).groupby("group")["value"].agg("、".join)
        now = rows[name].to_numpy(dtype=object)[joined.index.to_numpy()]
        change = pd.isna(now) | (now != joined.to_numpy())
        changed, texts = joined.index.to_numpy()[change], joined.to_numpy()[change]
        for b in np.unique(top_block[changed]):
            cells = blocks[b][name].to_numpy(dtype=object, copy=True)
            cells[top_pos[changed[top_block[changed] == b]]] = texts[top_block[changed] == b]
            blocks[b][name] = pd.Series(cells, index=blocks[b].index, dtype=blocks[b][name].dtype)
    for b, pos in pairs.groupby("block")["pos"]:
        keep = np.ones(len(blocks[b]), dtype=bool)
        keep[pos.to_numpy()] = False
        blocks[b] = blocks[b][keep]
    return skipped, rejected


def _reject_duplicates(blocks: list[pd.DataFrame], columns: Columns, shown_from: Path | None = None,
                       today: pd.Timestamp | None = None) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The cases of every block in one frame, less those seen before (the same year, court, type
    and sequence, however written): the first row stays, later ones are rejected naming the first,
    and saying where the two differ in :data:`COMPARED` (one closed, the other not, is no copy);
    and the warnings about files that repeat an earlier one (:func:`_repeated_files`). A row filed
    after ``today`` (default: the day it runs) is left for the triage to reject and is no first row.

    Duplicates are found on the few columns that identify and name a case, and dropped from their
    blocks before the one concatenation: concatenating first, then filtering and reordering the
    columns, copied every cell three times (130 MB at the peak for 200,000 cases)."""
    if not blocks:
        return pd.DataFrame(), pd.DataFrame(columns=REJECT_COLUMNS), []
    named = ["case_no", "source_sheet", "source_row"]
    keys = pd.concat([b[[*parsing.CASE_PARTS, "filed_on", "source_file", "source_sheet", "source_row"]] for b in blocks],
                     ignore_index=True)
    ids = parsing.case_ids(keys)
    # a row filed after today (2062 typed for 2026), rejected for that once the ledger is read
    # (triage.filed_after_today), stands for no case, as a row whose filing date cannot be read: it
    # is no first row that a later row of its case would be rejected as a duplicate of, nor one itself
    today = pd.Timestamp(dt.date.today()) if today is None else today
    counted_rows = np.flatnonzero(~keys["filed_on"].gt(today).to_numpy())
    first_of = np.zeros(len(ids), dtype=np.int64)  # ids are 0..n-1: the first counted row of each
    found, at = np.unique(ids[counted_rows], return_index=True)
    first_of[found] = counted_rows[at]
    first_seen = np.arange(len(ids))
    first_seen[counted_rows] = first_of[ids[counted_rows]]
    dup = first_seen != np.arange(len(ids))
    if not dup.any():
        return pd.concat(blocks, ignore_index=True), pd.DataFrame(columns=REJECT_COLUMNS), []
    later = keys.loc[dup, ["source_file", *named]]
    where = keys[["source_file", *named]].iloc[first_seen[dup]]
    same_text = where["case_no"].to_numpy() == later["case_no"].to_numpy()
    # the first row's file is named when it is another file; its sheet when it is a workbook's
    other_file = where["source_file"].to_numpy() != later["source_file"].to_numpy()
    text_file = where["source_file"].map(lambda f: Path(f).suffix.lower() in TEXT_SUFFIXES).to_numpy(dtype=bool)
    files = np.where(other_file, where["source_file"].map(file_names(keys["source_file"], shown_from)).to_numpy(dtype=object) + " ", "")
    sheet = where["source_sheet"].astype(str).to_numpy(dtype=object)
    sheets = np.where(other_file, "[" + sheet + "] ", np.where(text_file, "", sheet + " "))
    seen = files + sheets + "第" + where["source_row"].astype(str).to_numpy(dtype=object) + "行"
    reason = np.where(same_text, f"{DUPLICATE}：与 " + seen + " 重复",
                      f"{DUPLICATE}：与 " + where["case_no"].astype(str).to_numpy() + " 为同一案件（写法不同），见 " + seen)
    sizes = np.array([len(b) for b in blocks])
    reason = reason.astype(object) + _differences(blocks, first_seen[dup], np.flatnonzero(dup), columns)
    rejects = _located(later).assign(case_no=later["case_no"].to_numpy(), reason=reason)
    for i, (start, end) in enumerate(zip(np.cumsum(sizes) - sizes, np.cumsum(sizes))):
        if dup[start:end].any():
            blocks[i] = blocks[i][~dup[start:end]]  # the block with duplicates replaced, the old one freed
    return pd.concat(blocks, ignore_index=True), rejects, _repeated_files(keys["source_file"].to_numpy(), first_seen, dup,
                                                                          shown_from)


def file_names(files: pd.Series, shown_from: Path | None = None) -> dict[str, str]:
    """How messages and tables name each of the ledger ``files``: by its name (台帐.xlsx), or by
    its path when another file read has the same name (一组/台帐.xlsx, 二组/台帐.xlsx): as read,
    or from ``shown_from`` (:func:`shown_path`)."""
    paths = pd.unique(files)
    names = [Path(f).name for f in paths]
    shared = {n for n in names if names.count(n) > 1}
    return {f: shown_path(f, shown_from) if n in shared else n for f, n in zip(paths, names)}


REPEATED_FILE_SHARE = 0.9  # of a file's cases found in one earlier file: the same ledger read twice
REPEATED_FILE_MIN = 5  # cases: a file of one or two that repeat is a slip its rejects say, not a second copy


def _repeated_files(files: np.ndarray, first_seen: np.ndarray, dup: np.ndarray,
                    shown_from: Path | None = None) -> list[str]:
    """A warning for each file whose cases (``files``: each case's file; ``first_seen``: the
    position of the first row of its case; ``dup``: a later row) are all, or nearly all
    (:data:`REPEATED_FILE_SHARE`), rejected as duplicates of the cases of one earlier file: the
    same ledger under two names (台帐.xlsx and 台帐(1).xlsx, or last month's copy) reads as one
    duplicate per row, with no word that a file repeats another. The two files are named by
    :func:`shown_path`."""
    firsts = files[first_seen]
    other = dup & (files != firsts)
    if not other.any():
        return []
    sizes = pd.Series(files).value_counts()
    pairs = pd.DataFrame({"file": files[other], "first": firsts[other]}).value_counts()  # the most first
    out = []
    for file in pd.unique(files[other]):  # a few files, in the order they were read
        first, repeated = pairs[file].index[0], int(pairs[file].iloc[0])
        if repeated >= max(REPEATED_FILE_MIN, REPEATED_FILE_SHARE * (n := int(sizes[file]))):
            out.append(f"{shown_path(file, shown_from)}: {repeated} of its {counted(n, 'cases')} "
                       f"{'is' if repeated == 1 else 'are'} in {shown_path(first, shown_from)} "
                       f"too (each rejected as {DUPLICATE}): is it the same ledger read twice?")
    return out


COMPARED = ("closed_on", "officer", "close_method")  # what two rows of one case differing in matters


def _differences(blocks: list[pd.DataFrame], first: np.ndarray, later: np.ndarray, columns: Columns,
                 compared: Sequence[str] = COMPARED, blank_later_agrees: bool = False) -> np.ndarray:
    """For each pair of rows of one case (positions ``first`` and ``later`` in the blocks, taken in
    turn), where they differ in ``compared``, as text to follow the duplicate reason ("" when
    they agree; ``blank_later_agrees``: also where the later row's cell is blank): each column
    compared over all the pairs at once, the text made for those that differ."""
    shown = []
    for name in compared:
        if not any(name in b for b in blocks):
            continue
        values = np.concatenate([_compared_texts(b[name]) if name in b else np.full(len(b), None, dtype=object)
                                 for b in blocks])
        a, b = values[first], values[later]
        differ = a != b  # None == None: both blank agree
        if blank_later_agrees:
            differ &= b != None  # noqa: E711 - elementwise
        if differ.any():
            a, b = np.where(a == None, "空", a), np.where(b == None, "空", b)  # noqa: E711 - elementwise
            shown.append(np.where(differ, f"{columns.fields[name].label}：" + a.astype(object) + " 与 " + b.astype(object), ""))
    out = np.full(len(first), "", dtype=object)
    if shown:
        rows = np.flatnonzero(np.any(np.stack(shown) != "", axis=0))
        out[rows] = [f"，但两行不同（{'；'.join(p for p in parts if p)}），请核对后只留一行"
                     for parts in zip(*(col[rows] for col in shown))]
    return out


def _compared_texts(s: pd.Series) -> np.ndarray:
    """A column's cells as the duplicate reason names them: dates as ISO text, None for blank."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        s = iso_dates(s)
    elif pd.api.types.is_bool_dtype(s.dtype):
        s = s.map(FLAG_TEXT)
    elif pd.api.types.is_numeric_dtype(s.dtype):  # a few rows' amounts and numbers: 100000, not 100000.0
        s = shown_cells(s.astype(object).where(s.notna(), None))
    return s.astype(object).where(s.notna(), None).to_numpy(dtype=object)


def _order_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The case-number parts first, then the ledger's columns, then where each row came from (a
    ledger with no cases has its columns in the same order)."""
    first = [c for c in parsing.CASE_PARTS if c in frame.columns]
    last = [c for c in SOURCE_COLUMNS if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first and c not in last] + last]
