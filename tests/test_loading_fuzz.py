"""Property tests of the loader's promise: every row below a ledger's header is a case, or listed as
skipped or rejected with its file, sheet and row; nothing is dropped silently; a bad ledger is one
plain error (a BacklogError), never a traceback. The ledgers are messy as courts keep them: title
rows, merged titles, blank, totals, repeated-header and footer rows, notes sheets, CSV in three
encodings, header names from the bundled aliases in any order, cells in every form a clerk types."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_cli import loading
from backlog_cli.errors import BacklogError, LedgerError
from backlog_cli.loading import load_columns, load_ledger

COLUMNS = load_columns()
ALIASES = {name: spec.aliases for name, spec in COLUMNS.fields.items()}
OPTIONAL = ["officer", "applicant", "respondent", "cause", "amount", "unperformed", "status", "closed_on",
            "close_method", "petition", "notes", "reason_open", "expected_close"]

# --- cells ------------------------------------------------------------------------------------

PROVINCES = "京津冀晋辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔滇陕甘青宁新"
TYPES = ["执", "执恢", "执保", "执异", "执复", "执监", "执协", "执他"]
BRACKETS = [("(", ")"), ("（", "）"), ("〔", "〕")]
SPACE = st.sampled_from(["", "", "", " ", "\u3000"])
VALID_SEQ = st.integers(1, 89_999)  # broken numbers use 90,000 and up: never the same case as a valid one


@dataclass(frozen=True)
class CaseNo:
    """A case number as typed, and what it reads as: canonical text and identity (year, court, type, seq)."""

    raw: str
    canonical: str
    key: tuple


@st.composite
def case_nos(draw, key: tuple | None = None) -> CaseNo:
    """A valid case number (of ``key`` when given: the same case, perhaps written differently)."""
    if key is None:
        old = draw(st.integers(0, 7)) == 0  # the pre-2016 form: (2015)泰执字第00123号
        year = draw(st.integers(2000, 2015) if old else st.integers(2016, 2026))
        court = (draw(st.sampled_from(["泰", "广法", "济南", "青岛市"])) if old else
                 draw(st.sampled_from(PROVINCES)) + draw(st.text("0123456789", min_size=0, max_size=4)))
        key = (year, court, draw(st.sampled_from(TYPES)), draw(VALID_SEQ))
    year, court, kind, seq = key
    old = year < 2016
    digits = str(seq).zfill(draw(st.sampled_from([0, 0, 5])) if old else 0)
    opening, closing = draw(st.sampled_from(BRACKETS))
    parts = [opening, str(year), closing, court, kind, "字第" if old else "", digits]
    raw = "".join(p + draw(SPACE) for p in parts) + draw(st.sampled_from(["号", "号", ""]))
    mark = draw(st.sampled_from(["", "", "", "'"]))  # Excel's text mark, as CSV exports keep it
    return CaseNo(mark + raw.strip(), f"({year}){court}{kind}{'字第' if old else ''}{digits}号", key)


BROKEN_CASE_NOS = st.one_of(
    st.sampled_from(["待补", "无", "?", "(2016)鲁0902", "鲁0902执", "（2101）鲁0902执90001号", "=SUM(A1)", "   ",
                     "#REF!", "执行案件", "2016鲁0902执号"]),
    st.integers(90_000, 99_999).map(lambda n: f"(2024)鲁0902执{n}号、(2024)鲁0902执{n + 1}号"),  # two in a cell
    st.integers(90_000, 99_999).map(lambda n: f"(2024)鲁0902执{n}号\n(2024)鲁0902执{n + 1}号"),  # on two lines
    st.integers(90_000, 99_999).map(lambda n: f"(2024)鲁0902执{n}、{n + 1}号"),  # 执3、4号
    st.integers(90_000, 99_999).map(lambda n: f"(2024)鲁0902执{n}号、{n + 1}号"),
    st.integers(90_000, 99_998).map(lambda n: f"(2024)鲁0902执{n}-{n + 1}号"),
)


def date_forms(d: dt.date, excel: bool) -> list:
    """The filing date ``d`` in every form a ledger holds it (cells an xlsx can hold when ``excel``)."""
    y, m, day = d.year, d.month, d.day
    serial = (d - dt.date(1899, 12, 30)).days
    text = [f"{y}年{m}月{day}日", f"{y}.{m:02d}.{day:02d}", f"{y}-{m}-{day}", f"{y}/{m}/{day}",
            f"{y}{m:02d}{day:02d}", f"{y}-{m:02d}-{day:02d}", str(serial), f" {y}年{m:02d}月{day:02d}日 ",
            f"'{y}-{m:02d}-{day:02d}", f"'{y}年{m}月{day}日"]  # after Excel's text mark, as CSV exports keep it
    cells = [dt.datetime(y, m, day), dt.datetime(y, m, day, 9, 30), serial, serial + 0.5, y * 10000 + m * 100 + day]
    return text + cells if excel else text


FILING_DATES = st.dates(dt.date(2000, 1, 1), dt.date(2026, 12, 31))
BAD_DATES = st.sampled_from(["不详", "2016年13月5日", "2016-02-30", "20161340", "待查", "=TODAY()", "1900/1/1", "-",
                             "2016.3", "三月五日", "#VALUE!", "   "])
AMOUNTS = st.sampled_from(["125,000.00", "12.5万元", "1.5亿", "壹万元", "人民币伍仟元整", "约10万", "junk", "-5", "0",
                           "1,23,4", "12.5万", "２０００", "'5000", "'-1.5亿", "1 000", "1\u00a0000.50", "1\u2009000",
                           "1 2500", "(1,000)", "1.2千", None, ""]) | st.integers(0, 10**9) | st.floats(0, 1e9)
NAMES = st.sampled_from(["张三", "张 三", "李\u3000四", " 王五 ", "张三、李四", "张三\n李四", "欧阳 娜娜", "Wang Wu",
                         "😀", "张三😀", "=SUM(A1)", "#N/A", "待分配", "无", None, "", "合计"])
FREE_TEXT = st.one_of(
    st.none(),
    # no header words (备注, 说明): a row of them alone under the header completes it (当事人 over 申请执行人)
    st.text("张三李四执行完毕终本中止已结未结有无是否,，。\"'() \n合计注：😀=", max_size=12),
    st.sampled_from(["执行完毕", "终结本次执行程序", "在办", "已结", "=SUM(A1)", "是", "否", "有", "无"]),
    st.integers(1, 50).map(lambda n: "长" * (n * 100)),  # very long text
)
PETITION = st.sampled_from(["是", "否", "有", "无", "涉信访", "不详", None, "", 1, 0, True, False])


@st.composite
def other_cell(draw, name: str, excel: bool):
    """A cell of a column that is neither the case number nor the filing date."""
    spec = COLUMNS.fields[name]
    if spec.kind == "date":
        dates = FILING_DATES.flatmap(lambda d: st.sampled_from(date_forms(d, excel)))
        return draw(st.one_of(dates, BAD_DATES, st.none()))
    if spec.kind == "amount":
        return draw(AMOUNTS)
    if spec.kind == "flag":
        return draw(PETITION)
    if name == "officer":
        return draw(NAMES)
    return draw(FREE_TEXT)


# --- ledgers ----------------------------------------------------------------------------------


@dataclass
class Sheet:
    """One sheet as written: its rows (lists of cells, None for blank) from row 1, the header's row,
    and the rows written as valid cases: row number → (case identity, canonical case number, date)."""

    name: str
    rows: list[list]
    header_row: int
    valid: dict[int, tuple] = field(default_factory=dict)
    merged_title: tuple[int, int] | None = None  # (row, columns) of a title merged across the table (xlsx)
    merged_down: list[tuple[int, int, int]] = field(default_factory=list)  # (first row, last row, column) (xlsx)


WEB_PAGE, XML_SPREADSHEET = "web page", "xml spreadsheet"  # exported under an .xls name


@dataclass
class File:
    suffix: str  # .csv, .xlsx, WEB_PAGE or XML_SPREADSHEET
    encoding: str  # of a CSV
    sheets: list[Sheet]  # the ledger sheets
    notes_sheet: int | None = None  # where a 填表说明 sheet is among the sheets (xlsx)


TITLES = ["某某县人民法院执行积案台帐", "执行案件清理台账（截至2025年12月）", '某某法院"执行积案"台帐, 2025']
FOOTERS = ["注：本表由综合组每月28日前更新。", "填表人：王某", "审核人：李某", "本月新收 3 件，结案 1 件", "说明：金额单位为元"]
TOTALS = ["合计", "小计", "共计", "合 计", "总计"]
FORMULAS = {"case_no": ['="(2024)鲁0902执"&"5号"', "=A1"], "filed_on": ["=DATE(2024,1,2)", "=TODAY()"],
            "amount": ["=SUM(D1:D2)"], "officer": ["=VLOOKUP(A1,Sheet2!A:B,2,0)"]}


@st.composite
def header(draw, lacking: str | None = None) -> list[tuple[str, str]]:
    """(field, header text) for each column, in the ledger's order: the case number and filing date
    (but ``lacking``), some other fields, perhaps a 序号 column; each header drawn from the field's aliases."""
    fields = [f for f in ("case_no", "filed_on") if f != lacking]
    fields += draw(st.lists(st.sampled_from(OPTIONAL), unique=True, max_size=6))
    if draw(st.booleans()):
        fields.append("序号")
    fields = draw(st.permutations(fields))
    out = []
    for name in fields:
        if name == "序号":
            out.append((name, "序号"))
            continue
        text = draw(st.sampled_from(ALIASES[name]))
        if COLUMNS.fields[name].kind == "amount":
            text += draw(st.sampled_from(["", "（元）", "（万元）"]))
        out.append((name, text))
    return out


@st.composite
def sheet(draw, name: str, excel: bool, seen: list[tuple], lacking: str | None = None,
          merges: bool | None = None) -> Sheet:
    """A ledger sheet: title rows, the header, then data and the other rows clerks leave in a sheet.
    ``seen``: the case identities written so far in the whole load (a later row may repeat one);
    ``merges``: whether it may have merged cells (by default when ``excel``, typed cells)."""
    merges = excel if merges is None else merges
    cols = draw(header(lacking))
    rows: list[list] = [[None] * len(cols)] if draw(st.integers(0, 4)) == 0 else []  # a blank row at the top
    n_titles = draw(st.integers(0, 2))
    for _ in range(n_titles):
        rows.append([draw(st.sampled_from(TITLES))] + [None] * (len(cols) - 1))
    if n_titles and draw(st.booleans()):
        rows.append([None] * len(cols))  # a blank row between title and header
    rows.append([text for _, text in cols])
    out = Sheet(name, rows, len(rows))
    if merges and n_titles and draw(st.booleans()):
        out.merged_title = (2 if rows[0][0] is None else 1, len(cols))
    seq, written = 0, []  # the rows written as cases
    kinds = ["case"] * 6 + ["copy", "blank", "totals", "header", "footer", "formulas"]
    for kind in draw(st.lists(st.sampled_from(kinds), max_size=12)):
        if kind == "copy" and written:  # a case row entered twice
            row = draw(st.sampled_from(written))
            rows.append(list(rows[row - 1]))
            if row in out.valid:
                out.valid[len(rows)] = out.valid[row]
        elif kind == "blank":
            rows.append([None] * len(cols))
        elif kind == "totals":
            word = draw(st.sampled_from(TOTALS))
            rows.append([word if i == 0 else (draw(AMOUNTS) if f in ("amount", "unperformed") else None)
                         for i, (f, _) in enumerate(cols)])
        elif kind == "header":
            rows.append([text for _, text in cols])
        elif kind == "formulas":  # a row of formulas saved without their results (a workbook a script wrote)
            rows.append([draw(st.sampled_from(FORMULAS[f])) if f in FORMULAS and draw(st.booleans()) else None
                         for f, _ in cols])
        elif kind == "footer":
            rows.append([draw(st.sampled_from(FOOTERS))] + [None] * (len(cols) - 1))
        elif kind in ("case", "copy"):
            seq += 1
            rows.append(draw(case_row(cols, excel, seq, seen, out, len(rows) + 1)))
            written.append(len(rows))
        if draw(st.integers(0, 9)) == 0:
            rows[-1] = rows[-1] + [draw(st.sampled_from(["已核对", "？", "见卷宗"]))]  # a note right of the table
    if not merges and draw(st.booleans()):  # a CSV not saved by Excel: empty cells at a row's end left out
        for i, row in enumerate(rows):
            while row and row[-1] is None:
                row = row[:-1]
            rows[i] = row
    last = max((i for i, row in enumerate(rows) if any(v is not None for v in row)), default=0) + 1
    texts = [c for c, (f, _) in enumerate(cols, start=1) if f not in ("case_no", "filed_on")]
    if merges and texts and last > out.header_row + 1 and draw(st.booleans()):  # 承办人 merged over a group of rows
        first, col = draw(st.integers(out.header_row + 1, last - 1)), draw(st.sampled_from(texts))
        # ending on a row with a cell of its own: the rows of a range at a sheet's end hold no cells in the file
        ends = [r for r in range(first + 1, last + 1)
                if any(v is not None for c, v in enumerate(rows[r - 1], start=1) if c != col)]
        if not ends:
            return out
        merge = (first, draw(st.sampled_from(ends)), col)
        out.merged_down.append(merge)
        for r in range(merge[0] + 1, merge[1] + 1):  # each row of the range shows the top row's value,
            if any(v is not None for v in rows[r - 1]):  # but for a blank row, which stays blank
                rows[r - 1][merge[2] - 1] = rows[merge[0] - 1][merge[2] - 1]
    return out


@st.composite
def case_row(draw, cols, excel: bool, seq: int, seen: list[tuple], out: Sheet, row: int) -> list:
    """A row meant as a case: its case number valid (new, or repeating one ``seen``) or broken, its
    filing date valid or not; a valid one is noted in ``out.valid``."""
    if seen and draw(st.integers(0, 4)) == 0:
        number = draw(case_nos(draw(st.sampled_from(seen))))  # the same case again, as written or not
    elif draw(st.integers(0, 5)) == 0:
        number = None
    else:
        number = draw(case_nos())
    filed = draw(FILING_DATES) if draw(st.integers(0, 5)) else None
    cells = []
    for name, _ in cols:
        if name == "case_no":
            cells.append(number.raw if number else draw(st.one_of(BROKEN_CASE_NOS, st.none())))
        elif name == "filed_on":
            cells.append(draw(st.sampled_from(date_forms(filed, excel)) if filed else st.one_of(BAD_DATES, st.none())))
        elif name == "序号":
            cells.append(draw(st.sampled_from([seq, str(seq), None])))
        else:
            cells.append(draw(other_cell(name, excel)))
    if number:
        seen.append(number.key)
        if filed:
            out.valid[row] = (number.key, number.canonical, pd.Timestamp(filed))
    return cells


@st.composite
def ledger_file(draw, seen: list[tuple], lacking: str | None = None) -> File:
    """A CSV (UTF-8, UTF-8 with a byte order mark, GBK) or a workbook of one or two ledger sheets and
    perhaps a 填表说明 sheet; every ledger sheet without the column ``lacking`` when given."""
    suffix = draw(st.sampled_from([".csv", ".xlsx", WEB_PAGE, XML_SPREADSHEET]))
    if suffix == ".csv":
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk"]))
        return File(suffix, encoding, [draw(sheet("", False, seen, lacking))])
    if suffix == WEB_PAGE:  # one table of text cells, as a case system's page
        encoding = draw(st.sampled_from(["utf-8", "gbk"]))
        return File(suffix, encoding, [draw(sheet("", False, seen, lacking, merges=True))])
    names = draw(st.lists(st.sampled_from(["台帐", "2024年", "2025年", "张三", "未结", "Sheet1"]), min_size=1,
                          max_size=2, unique=True))
    return File(suffix, "", [draw(sheet(n, True, seen, lacking)) for n in names],
                notes_sheet=draw(st.none() | st.integers(0, len(names))))


@st.composite
def ledgers(draw) -> list[File]:
    seen: list[tuple] = []
    return [draw(ledger_file(seen)) for _ in range(draw(st.integers(1, 2)))]


# --- writing ----------------------------------------------------------------------------------


def csv_lines(file: File) -> list[list]:
    """The rows of a CSV file as written: as Excel saves a sheet, every row padded to the width of
    the widest (the header's line too); a sheet drawn with its rows' empty ends left out is written
    so (a CSV not saved by Excel), and a note right of the table makes its row longer than the header."""
    rows = file.sheets[0].rows
    if any(row and row[-1] is None for row in rows):
        width = max(map(len, rows), default=0)
        return [row + [None] * (width - len(row)) for row in rows]
    return rows


def write_csv(path: Path, file: File) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in csv_lines(file):
        writer.writerow(["" if v is None else v for v in row])
    path.write_bytes(buf.getvalue().encode(file.encoding, errors="replace"))


def write_xlsx(path: Path, file: File) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sh in file.sheets:
        ws = wb.create_sheet(sh.name)
        for r, row in enumerate(sh.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        if sh.merged_title and sh.merged_title[1] > 1:
            row, width = sh.merged_title
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        for first, last, col in sh.merged_down:
            ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)
    if file.notes_sheet is not None:
        ws = wb.create_sheet("填表说明", file.notes_sheet)
        for line in NOTES:
            ws.append([line])
    wb.save(path)


NOTES = ["填表说明", "1. 案号按“(2024)鲁0902执123号”的格式填写，一行一个案号。", "2. 立案日期填 2024-03-05 或 2024年3月5日。",
         "3. 金额以元为单位。"]


def _merges(sh: Sheet) -> tuple[dict[tuple[int, int], tuple[int, int]], set[tuple[int, int]]]:
    """The sheet's merged cells as (row, column) of the first cell → (rows down, columns across)
    below and right of it, and the cells they cover (1-based)."""
    spans, covered = {}, set()
    if sh.merged_title and sh.merged_title[1] > 1:
        row, width = sh.merged_title
        spans[(row, 1)] = (0, width - 1)
        covered |= {(row, c) for c in range(2, width + 1)}
    for first, last, col in sh.merged_down:
        spans[(first, col)] = (last - first, 0)
        covered |= {(r, col) for r in range(first + 1, last + 1)}
    return spans, covered


def write_web_page(path: Path, file: File) -> None:
    """The sheet as the HTML table a case system exports under an .xls name: a cell's line breaks
    as <br>, a cell merged down as rowspan, a merged title as colspan."""
    import html

    spans, covered = _merges(file.sheets[0])
    lines = [f'<html><head><meta charset="{file.encoding}"></head><body><table border="1">']
    for r, row in enumerate(file.sheets[0].rows, start=1):
        cells = []
        for c, value in enumerate(row, start=1):
            if (r, c) in covered:
                continue
            down, across = spans.get((r, c), (0, 0))
            attrs = (f' rowspan="{down + 1}"' if down else "") + (f' colspan="{across + 1}"' if across else "")
            text = "" if value is None else html.escape(str(value)).replace("\n", "<br>")
            cells.append(f"<td{attrs}>{text}</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</table></body></html>")
    path.write_bytes("\n".join(lines).encode(file.encoding, errors="replace"))


def _xml_cell(value) -> tuple[str, str]:
    """(ss:Type, text) of a cell value in an Excel 2003 XML spreadsheet."""
    from xml.sax.saxutils import escape

    if isinstance(value, bool):
        return "Boolean", "1" if value else "0"
    if isinstance(value, (int, float)):
        return "Number", repr(value)
    if isinstance(value, dt.datetime):
        return "DateTime", value.strftime("%Y-%m-%dT%H:%M:%S.000")
    return "String", escape(str(value)).replace("\n", "&#10;")


def write_xml_spreadsheet(path: Path, file: File) -> None:
    """The sheets as an Excel 2003 XML spreadsheet ("XML 电子表格 2003") under an .xls name: rows and
    cells placed by ss:Index, blank ones left out, merges as ss:MergeDown and ss:MergeAcross."""
    sheets = [(sh.name, sh.rows, _merges(sh)) for sh in file.sheets]
    if file.notes_sheet is not None:
        sheets.insert(file.notes_sheet, ("填表说明", [[line] for line in NOTES], ({}, set())))
    out = ['<?xml version="1.0"?>', '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
           'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">']
    for name, rows, (spans, covered) in sheets:
        out.append(f'<Worksheet ss:Name="{name}"><Table>')
        for r, row in enumerate(rows, start=1):
            cells = []
            for c, value in enumerate(row, start=1):
                if value is None or (r, c) in covered:
                    continue
                down, across = spans.get((r, c), (0, 0))
                attrs = (f' ss:MergeDown="{down}"' if down else "") + (f' ss:MergeAcross="{across}"' if across else "")
                kind, text = _xml_cell(value)
                cells.append(f'<Cell ss:Index="{c}"{attrs}><Data ss:Type="{kind}">{text}</Data></Cell>')
            if cells:
                out.append(f'<Row ss:Index="{r}">' + "".join(cells) + "</Row>")
        out.append("</Table></Worksheet>")
    out.append("</Workbook>")
    path.write_text("\n".join(out), encoding="utf-8")


def write(folder: Path, files: list[File]) -> list[Path]:
    paths = []
    for i, file in enumerate(files):
        path = folder / f"台帐{i}{file.suffix if file.suffix.startswith('.') else '.xls'}"
        if file.suffix == ".csv":
            file.sheets[0].name = path.stem
            write_csv(path, file)
        elif file.suffix == WEB_PAGE:
            file.sheets[0].name = path.stem
            write_web_page(path, file)
        elif file.suffix == XML_SPREADSHEET:
            write_xml_spreadsheet(path, file)
        else:
            write_xlsx(path, file)
        paths.append(path)
    return paths


# --- the properties ---------------------------------------------------------------------------


def where(frame: pd.DataFrame, names: tuple[str, str, str]) -> list[tuple]:
    return list(zip(frame[names[0]], frame[names[1]], frame[names[2]].astype(int)))


def check_no_row_lost(files: list[File], paths: list[Path]) -> None:
    try:
        ledger = load_ledger(paths)
    except BacklogError as err:  # every sheet written has both required columns: no error is right
        raise AssertionError(f"a readable ledger refused: {err}") from None
    cases = where(ledger.cases, ("source_file", "source_sheet", "source_row")) if len(ledger.cases) else []
    skipped = where(ledger.skipped, ("file", "sheet", "row"))
    rejects = where(ledger.rejects, ("file", "sheet", "row"))
    listed = cases + skipped + rejects
    assert ledger.rows_read == len(ledger.cases) + len(ledger.skipped) + len(ledger.rejects)
    for report in ledger.sheets:  # per sheet, and so per file
        mine = [w for w in listed if w[:2] == (report.file, report.sheet)]
        assert report.rows_read == len(mine), (report, mine)
        assert (report.cases, report.skipped, report.rejected) == (
            sum(w[:2] == (report.file, report.sheet) for w in cases),
            sum(w[:2] == (report.file, report.sheet) for w in skipped),
            sum(w[:2] == (report.file, report.sheet) for w in rejects))
    for path, file in zip(paths, files):
        in_file = [w for w in listed if w[0] == str(path)]
        assert sum(r.rows_read for r in ledger.sheets if r.file == str(path)) == len(in_file)
    # each data row written below the header exactly once
    assert len(listed) == len(set(listed)), "a row listed twice"
    expected = set()
    for path, file in zip(paths, files):
        for sh in file.sheets:
            data = sh.rows[sh.header_row:]
            while data and all(v is None for v in data[-1]):  # blank rows at a sheet's end may be left unread
                data = data[:-1]
            expected |= {(str(path), sh.name, sh.header_row + 1 + i) for i in range(len(data))}
    extra = set(listed) - expected
    assert expected <= set(listed), f"rows lost: {sorted(expected - set(listed))}"
    assert set(skipped) >= extra, f"rows that were never written: {sorted(extra)}"
    blank = {w for w, reason in zip(skipped, ledger.skipped["reason"]) if reason == "空行"}
    assert extra <= blank, f"rows past the data not blank: {sorted(extra - blank)}"
    # a valid case, its case number written once, is a case with that number and date
    keys = [key for path, file in zip(paths, files) for sh in file.sheets for key, _, _ in sh.valid.values()]
    by_place = ledger.cases.set_index(["source_file", "source_sheet", "source_row"]) if len(ledger.cases) else None
    wide = {(str(path), file.sheets[0].name, i + 1) for path, file in zip(paths, files) if path.suffix == ".csv"
            for lines in [csv_lines(file)] for i, row in enumerate(lines)
            if i >= file.sheets[0].header_row and len(row) > len(lines[file.sheets[0].header_row - 1])}
    rejected = dict(zip(rejects, ledger.rejects["reason"]))
    for place in set(wide) - set(skipped):  # a CSV row longer than its header's line: rejected, its values may have moved
        assert place in rejected and rejected[place].startswith("本行有 "), (place, rejected.get(place))
    for path, file in zip(paths, files):
        for sh in file.sheets:
            for row, (key, canonical, filed) in sh.valid.items():
                if keys.count(key) != 1 or (str(path), sh.name, row) in wide:
                    continue
                assert by_place is not None and (str(path), sh.name, row) in by_place.index, (
                    f"{path.name} [{sh.name}] row {row}: a valid case not read as one; "
                    f"rejects: {ledger.rejects.values.tolist()}, skipped: {ledger.skipped.values.tolist()}")
                case = by_place.loc[(str(path), sh.name, row)]
                assert (case["case_no"], case["filed_on"]) == (canonical, filed)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ledgers())
def test_no_ledger_row_is_lost(files):
    with tempfile.TemporaryDirectory() as folder:
        check_no_row_lost(files, write(Path(folder), files))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ledgers(), st.integers(10, 12))
def test_no_ledger_row_is_lost_across_blocks(files, block):
    """The same with sheets and UTF-8 CSV files read a few rows a block, as a large ledger is read
    (20,000 and 100,000 rows a block): duplicates, merged cells and ragged rows across blocks. A
    sheet's blocks are of even size, at least half of ``block``: the header (row 4 at the latest)
    and the row below it are in the first, as the first 30 rows are in a real first block."""
    with (tempfile.TemporaryDirectory() as folder, mock.patch.object(loading, "BLOCK_ROWS", block),
          mock.patch.object(loading, "TEXT_BLOCK_ROWS", block)):
        check_no_row_lost(files, write(Path(folder), files))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.sampled_from(["case_no", "filed_on"]).flatmap(lambda lacking: ledger_file([], lacking)))
def test_a_ledger_without_a_required_column_is_one_plain_error(file):
    with tempfile.TemporaryDirectory() as folder:
        path, = write(Path(folder), [file])
        try:
            load_ledger([path])
        except LedgerError as err:
            message = str(err)
        else:
            raise AssertionError("a ledger without a case number or filing date column was read")
    assert message.startswith(str(path)) and "\n" not in message, message


def test_a_last_row_of_unsaved_formulas_is_listed(tmp_path):
    """A row at a sheet's end holding only formulas saved without their results (as openpyxl and
    scripts write them) is rejected like the same row with a row below it: python-calamine's sheet
    ends above it."""
    path = tmp_path / "l.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["案号", "立案日期"])
    wb.active.append(["(2024)鲁0902执1号", dt.datetime(2024, 1, 1)])
    wb.active.append(['="(2024)鲁0902执"&"2号"', "=DATE(2024,1,2)"])
    wb.save(path)
    ledger = load_ledger([path])
    assert ledger.rejects[["row", "reason"]].values.tolist() == [[3, "案号无法识别"]]
    assert ledger.sheets[0].rows_read == 2


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                 HealthCheck.filter_too_much])
@given(ledgers().map(lambda files: files[0]), st.floats(0, 1), st.sampled_from(["cut", "over", "into", "before"]),
       st.binary(min_size=1, max_size=64))
def test_a_damaged_ledger_is_read_or_one_plain_error(file, at, how, junk):
    """A ledger cut short or with bytes overwritten or put in (a copy broken off, a bad disk) is
    read, or refused with one plain error: never a traceback."""
    with tempfile.TemporaryDirectory() as folder:
        path, = write(Path(folder), [file])
        data = path.read_bytes()
        cut = int(len(data) * at)
        path.write_bytes({"cut": data[:cut], "over": data[:cut] + junk + data[cut + len(junk):],
                          "into": data[:cut] + junk + data[cut:], "before": junk + data}[how])
        try:
            load_ledger([path])
        except BacklogError as err:
            assert str(err).strip()


def test_a_csv_starting_with_an_empty_line_is_read(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("\n案号,立案日期\n(2024)鲁0902执1号,2024-01-01\n", encoding="utf-8")
    ledger = load_ledger([path])
    assert ledger.cases[["case_no", "source_row"]].values.tolist() == [["(2024)鲁0902执1号", 3]]
    # the blank line is above the header, as a title row is: not a row of the table
    assert ledger.skipped.empty and (ledger.sheets[0].header_row, ledger.sheets[0].rows_read) == (2, 1)


def test_a_csv_whose_first_line_opens_a_quote_never_closed_is_one_plain_error(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text('"某某法院执行积案台帐\n案号,立案日期\n(2024)鲁0902执1号,2024-01-01\n', encoding="utf-8")
    with pytest.raises(LedgerError, match=r'l\.csv: line 1: a quoted cell \(\"\) is never closed'):
        load_ledger([path])


def test_a_workbook_with_a_damaged_sheet_part_is_one_plain_error(tmp_path):
    path = tmp_path / "l.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["案号", "立案日期"])
    wb.active.append(["(2024)鲁0902执1号", dt.datetime(2024, 1, 1)])
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        part = z.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = part.header_offset + 30 + len(part.filename.encode()) + len(part.extra)  # the local header's size
    data[start:start + 2] = b"\xff\xff"  # a deflate block of a type that does not exist
    path.write_bytes(bytes(data))
    with pytest.raises(LedgerError, match=r"l\.xlsx"):
        load_ledger([path])
