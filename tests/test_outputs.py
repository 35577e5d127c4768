"""The output layer: CSV, JSON, xlsx, terminal tables, atomic writes, errors files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import socket
import stat
import threading
import zipfile
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import openpyxl
import pandas as pd
import pytest
from rich.cells import cell_len
from rich.console import Console

from backlog_cli import outputs
from backlog_cli.errors import ConfigError

BOM = b"\xef\xbb\xbf"


@pytest.fixture
def cases() -> pd.DataFrame:
    """Three cases with Chinese text, NaT, NA, Int64, boolean and a list column; case_no not first."""
    return pd.DataFrame(
        {
            "officer": pd.array(["张三", "李四", None], dtype="str"),
            "case_no": ["(2016)鲁0902执123号", "(2018)闽0125执恢243号", "(2019)鄂7101执21号"],
            "filed_on": pd.to_datetime(["2016-03-05", "2018-01-02", "2019-12-31"]),
            "closed_on": pd.to_datetime(["2017-01-09", None, None]),
            "amount": [125000.5, None, 12.25],
            "case_seq": pd.array([123, None, 21], dtype="Int64"),
            "petition": pd.array([True, None, False], dtype="boolean"),
            "categories": [["涉民生", "涉信访"], [], None],
            "_rank": [1, 2, 3],
        }
    )


EXPECTED_RECORDS = [
    {
        "case_no": "(2016)鲁0902执123号",
        "officer": "张三",
        "filed_on": "2016-03-05",
        "closed_on": "2017-01-09",
        "amount": 125000.5,
        "case_seq": 123,
        "petition": True,
        "categories": ["涉民生", "涉信访"],
    },
    {
        "case_no": "(2018)闽0125执恢243号",
        "officer": "李四",
        "filed_on": "2018-01-02",
        "closed_on": None,
        "amount": None,
        "case_seq": None,
        "petition": None,
        "categories": [],
    },
    {
        "case_no": "(2019)鄂7101执21号",
        "officer": None,
        "filed_on": "2019-12-31",
        "closed_on": None,
        "amount": 12.25,
        "case_seq": 21,
        "petition": False,
        "categories": None,
    },
]

EXPECTED_CSV = (
    "case_no,officer,filed_on,closed_on,amount,case_seq,petition,categories\n"
    "(2016)鲁0902执123号,张三,2016-03-05,2017-01-09,125000.5,123,True,涉民生;涉信访\n"
    "(2018)闽0125执恢243号,李四,2018-01-02,,,,,\n"
    "(2019)鄂7101执21号,,2019-12-31,,12.25,21,False,\n"
)


# --- export view, CSV, JSON ------------------------------------------------------------------


def test_records_frame_orders_drops_helpers_and_formats_dates(cases):
    view = outputs.records_frame(cases)
    assert list(view.columns) == [
        "case_no", "officer", "filed_on", "closed_on", "amount", "case_seq", "petition", "categories"
    ]
    assert view["filed_on"].tolist() == ["2016-03-05", "2018-01-02", "2019-12-31"]
    assert view["closed_on"].iloc[0] == "2017-01-09" and pd.isna(view["closed_on"].iloc[1])
    assert view["categories"].iloc[0] == ["涉民生", "涉信访"]
    assert cases["filed_on"].dtype.kind == "M"  # the input is not modified


def test_records_frame_selected_columns_keep_their_order(cases):
    view = outputs.records_frame(cases, ["officer", "case_no", "amount"])
    assert list(view.columns) == ["officer", "case_no", "amount"]
    assert list(outputs.records_frame(cases).columns)[0] == "case_no"
    with pytest.raises(ConfigError, match="unknown column nope"):
        outputs.records_frame(cases, ["nope"])


def test_csv_to_stdout_is_plain_utf8_text(cases):
    assert outputs.to_csv(cases) == EXPECTED_CSV


def test_csv_file_has_bom_and_round_trips(cases, tmp_path):
    path = tmp_path / "sub" / "out.csv"
    assert outputs.to_csv(cases, path) is None
    raw = path.read_bytes()
    assert raw.startswith(BOM) and not raw[3:].startswith(BOM)
    assert raw[3:].decode("utf-8") == EXPECTED_CSV
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back.iloc[0].tolist() == [
        "(2016)鲁0902执123号", "张三", "2016-03-05", "2017-01-09", "125000.5", "123", "True", "涉民生;涉信访"
    ]
    assert back.iloc[2].tolist() == ["(2019)鄂7101执21号", "", "2019-12-31", "", "12.25", "21", "False", ""]


def test_csv_file_without_bom(cases, tmp_path):
    path = tmp_path / "out.csv"
    outputs.to_csv(cases, path, bom=False)
    assert path.read_bytes() == EXPECTED_CSV.encode("utf-8")


def test_json_round_trips_exactly(cases, tmp_path):
    assert json.loads(outputs.to_json(cases)) == EXPECTED_RECORDS
    path = tmp_path / "out.json"
    assert outputs.to_json(cases, path) is None
    text = path.read_text(encoding="utf-8")
    assert "鲁0902" in text  # not \u-escaped
    assert json.loads(text) == EXPECTED_RECORDS


def test_json_payload_converts_numpy_nan_and_nested_frames(cases):
    import numpy as np

    payload = {
        "summary": {"open": np.int64(2), "rate": float("nan"), "as_of": dt.date(2020, 1, 31)},
        "cases": cases.iloc[:1],
    }
    assert json.loads(outputs.to_json_payload(payload)) == {
        "summary": {"open": 2, "rate": None, "as_of": "2020-01-31"},
        "cases": EXPECTED_RECORDS[:1],
    }


# --- xlsx ---------------------------------------------------------------------------------------


def _width(ws, letter: str) -> float:
    """Column width, allowing for openpyxl grouping equal adjacent columns under one letter."""
    index = openpyxl.utils.column_index_from_string(letter)
    for dim in ws.column_dimensions.values():
        if dim.min <= index <= dim.max:
            return dim.width
    raise AssertionError(f"no width for column {letter}")


def _fill(cell) -> str | None:
    return cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None


def test_xlsx_layout_types_and_formats(cases, tmp_path):
    path = tmp_path / "out.xlsx"
    outputs.write_xlsx(path, [outputs.Sheet("cases", cases, labels={"officer": "承办人"})])
    ws = openpyxl.load_workbook(path).active
    assert ws.freeze_panes == "B2"  # the header row and the case number stay in view
    assert ws.auto_filter.ref == "A1:H4"  # 8 columns (helper dropped), header + 3 rows
    assert [c.value for c in ws[1]] == [
        "case_no", "承办人", "filed_on", "closed_on", "amount", "case_seq", "petition", "categories"
    ]
    assert ws["C2"].value == dt.datetime(2016, 3, 5) and ws["C2"].is_date
    assert ws["C2"].number_format == "yyyy-mm-dd"
    assert ws["D3"].value is None
    assert ws["E2"].value == 125000.5 and ws["E2"].number_format == "#,##0.00"
    assert ws["E3"].value is None
    assert ws["F2"].value == 123 and ws["G2"].value == "是" and ws["G3"].value is None  # flags in words
    assert ws["H2"].value == "涉民生; 涉信访"
    assert ws["B4"].value is None


def test_xlsx_title_moves_header_down(cases, tmp_path):
    path = tmp_path / "out.xlsx"
    outputs.write_xlsx(path, [outputs.Sheet("cases", cases, title="执行积案清单")])
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "执行积案清单"
    assert ws["A2"].value == "case_no"
    assert ws.freeze_panes == "B3"
    assert ws.auto_filter.ref == "A2:H5"


def test_xlsx_chinese_columns_are_wider_than_ascii(tmp_path):
    # Ten characters each; the headers are short so the data decides the width.
    frame = pd.DataFrame({"a": ["abcdefghij"], "b": ["执行积案执行积案执行"], "c": ["x" * 200]})
    path = tmp_path / "w.xlsx"
    outputs.write_xlsx(path, [outputs.Sheet("w", frame)])
    ws = openpyxl.load_workbook(path).active
    ascii_w, wide_w, long_w = _width(ws, "A"), _width(ws, "B"), _width(ws, "C")
    # Width + 1 for padding; xlsxwriter adds a fraction for the default font's margins.
    assert int(ascii_w) == 11 and int(wide_w) == 21
    assert int(long_w) == 60  # capped


def test_xlsx_serial_numbers_are_numbers_and_codes_stay_text(tmp_path):
    """序号 typed as text is written as numbers (no 'number stored as text'); a column with a
    leading zero, a sign, ten digits or any other text stays text, as typed."""
    frame = pd.DataFrame({"序号": ["1", "2", None, "10"], "code": ["007", "1", "2", "3"],
                          "long": ["1234567890", "1", "2", "3"], "mixed": ["1", "2", "3", "3a"],
                          "signed": ["1", "-2", "3", "4"]}, dtype="str")
    path = tmp_path / "n.xlsx"
    outputs.write_xlsx(path, [outputs.Sheet("n", frame)])
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws["A"]][1:] == [1, 2, None, 10]
    assert [ws[f"{col}2"].value for col in "BCDE"] == ["007", "1234567890", "1", "1"]


@pytest.mark.parametrize("charts", [[], [lambda wb, ws, layout: None]])  # rows as XML, or by xlsxwriter
def test_xlsx_dates_in_a_column_kept_as_typed_are_date_cells_and_words_text(charts, tmp_path):
    """A column kept as typed (预计结案时间: date cells read as ISO text, and words such as 年底前)
    is written cell by cell: its dates as date cells in the date format, so that Excel sorts and
    filters them as dates, its words as text; what only looks like a date (2025-02-30, a date with
    a time, 2025/3/1 as typed) stays text, and so does every cell of a column without a date."""
    frame = pd.DataFrame({
        "expected": ["2027-03-01", "年底前", None, "2027-03-01", "2025-02-30", "2026-12-31"],
        "notes": ["2025/3/1", "2026-12-31 10:00:00", "x", None, "待拍卖后", "y"],
        "cause": ["建设工程施工合同纠纷", "借款合同纠纷", None, "a", "b", "c"],
    }, dtype="str")
    path = tmp_path / "m.xlsx"
    outputs.write_xlsx(path, [outputs.Sheet("m", frame, row_styles=pd.Series(
        ["overdue", None, None, "due_soon", None, None], index=frame.index), charts=charts)])
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws["A"]][1:] == [dt.datetime(2027, 3, 1), "年底前", None, dt.datetime(2027, 3, 1),
                                              "2025-02-30", dt.datetime(2026, 12, 31)]
    assert ws["A2"].is_date and ws["A2"].number_format == "yyyy-mm-dd" and _fill(ws["A2"]) == "FFFFC7CE"
    assert ws["A3"].data_type == "s" and ws["A5"].is_date and _fill(ws["A5"]) == "FFFFEB9C"
    assert [c.value for c in ws["B"]][1:] == ["2025/3/1", "2026-12-31 10:00:00", "x", None, "待拍卖后", "y"]
    assert all(c.data_type == "s" and c.number_format == "General" for c in ws["C"][1:] if c.value is not None)
    strings = zipfile.ZipFile(path).read("xl/sharedStrings.xml").decode()
    assert "2027-03-01" not in strings and "年底前" in strings  # a date is no shared string


def test_xlsx_date_times_show_the_time_and_fit(tmp_path):
    """A column with a time of day is written to the second and wide enough not to show ####;
    a column of midnights stays a date."""
    frame = pd.DataFrame({"at": pd.to_datetime(["2026-11-23 02:30:05", None]),
                          "on": pd.to_datetime(["2026-11-23", "2026-11-24"])})
    path = tmp_path / "t.xlsx"
    outputs.write_xlsx(path, [outputs.Sheet("t", frame)])
    ws = openpyxl.load_workbook(path).active
    assert ws["A2"].value == dt.datetime(2026, 11, 23, 2, 30, 5) and ws["A2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert ws["B2"].number_format == "yyyy-mm-dd"
    assert _width(ws, "A") >= len("2026-11-23 02:30:05") + 1 > _width(ws, "B")


def test_xlsx_row_styles_fill_red_and_amber(cases, tmp_path):
    path = tmp_path / "styled.xlsx"
    styles = pd.Series(["overdue", None, "due_soon"], index=cases.index)
    outputs.write_xlsx(path, [outputs.Sheet("cases", cases, row_styles=styles)])
    ws = openpyxl.load_workbook(path).active
    assert {_fill(c) for c in ws[2]} == {"FFFFC7CE"}  # every cell, blanks and dates included
    assert {_fill(c) for c in ws[3]} == {None}
    assert {_fill(c) for c in ws[4]} == {"FFFFEB9C"}
    assert ws["C2"].number_format == "yyyy-mm-dd" and ws["E4"].number_format == "#,##0.00"
    with pytest.raises(ValueError, match="unknown row styles"):
        outputs.write_xlsx(path, [outputs.Sheet("x", cases, row_styles=styles.replace("overdue", "late"))])


def test_xlsx_sheet_names_sanitised_and_unique(cases, tmp_path):
    long = "张三" * 20
    names = ["2016/2017: [a]?", "Cases", "cases", long, long, "History"]
    path = tmp_path / "many.xlsx"
    outputs.write_xlsx(path, [outputs.Sheet(n, cases.iloc[:1]) for n in names])
    got = openpyxl.load_workbook(path).sheetnames
    assert got == [
        "2016_2017_ _a__",
        "Cases",
        "cases (2)",
        long[:31],
        long[:27] + " (2)",
        "History_",
    ]


def test_xlsx_keeps_formula_like_text_and_is_reproducible(tmp_path):
    frame = pd.DataFrame({"case_no": ["=1+1", "http://x.cn"], "filed_on": pd.to_datetime(["2020-02-29", None])})
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    outputs.write_xlsx(a, [outputs.Sheet("s", frame)])
    outputs.write_xlsx(b, [outputs.Sheet("s", frame)])
    assert a.read_bytes() == b.read_bytes()
    wb = openpyxl.load_workbook(a)
    ws = wb.active
    assert ws["A2"].value == "=1+1" and ws["A2"].data_type == "s"
    assert ws["A3"].value == "http://x.cn" and ws["A3"].hyperlink is None
    assert wb.properties.created == dt.datetime(2000, 1, 1)


def test_xlsx_chart_hook_gets_layout(cases, tmp_path):
    seen = []
    sheet = outputs.Sheet("cases", cases, title="t", charts=[lambda wb, ws, layout: seen.append(layout)])
    outputs.write_xlsx(tmp_path / "c.xlsx", [sheet])
    (layout,) = seen
    assert (layout.header_row, layout.first_row, layout.last_row) == (1, 2, 4)
    assert layout.columns["case_no"] == 0 and layout.columns["amount"] == 4


def _cells(path, sheet: str | None = None) -> list[list[tuple]]:
    """Every cell of a sheet as (value, number format, fill), read back with openpyxl."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet else wb.active
    return [[(c.value, c.number_format, _fill(c)) for c in row] for row in ws.iter_rows()]


def test_xlsx_rows_as_xml_read_back_like_xlsxwriters(cases, tmp_path):
    # A sheet with a chart hook gets its cells from xlsxwriter; others are written as XML.
    styles = pd.Series(["overdue", None, "due_soon"], index=cases.index)
    frame = cases.assign(note=pd.array(["a&b<c>", "", " 前后 "], dtype="str"))
    by_xml, by_xlsxwriter = tmp_path / "xml.xlsx", tmp_path / "xw.xlsx"
    outputs.write_xlsx(by_xml, [outputs.Sheet("s", frame, title="t", row_styles=styles)])
    outputs.write_xlsx(by_xlsxwriter, [outputs.Sheet("s", frame, title="t", row_styles=styles,
                                                      charts=[lambda wb, ws, layout: None])])
    assert _cells(by_xml) == _cells(by_xlsxwriter)
    ws = openpyxl.load_workbook(by_xml).active
    assert ws.dimensions == "A1:I5" and ws.freeze_panes == "B3" and ws.auto_filter.ref == "A2:I5"
    assert ws["I3"].value == "a&b<c>" and ws["I4"].value is None and ws["I5"].value == " 前后 "
    assert ws["D5"].value is None and _fill(ws["D5"]) == "FFFFEB9C"  # blank, filled, date format
    assert ws["D5"].number_format == "yyyy-mm-dd"


def test_xlsx_columns_of_distinct_and_of_repeated_values_read_back_alike(tmp_path):
    """Cells of a column of mostly distinct values (case numbers, amounts) are made a block of
    rows at a time, those of repeated values once per value: both read back as xlsxwriter
    writes them, across blocks, with blanks and row styles."""
    n = 12_000  # more than one block of XML rows
    i = np.arange(n)
    blank = i % 7 == 3
    frame = pd.DataFrame({
        "distinct_text": pd.array(np.where(blank, None, [f"（{k}）鲁执{k}号" for k in i]), dtype="str"),
        "repeated_text": pd.array(np.where(blank, None, np.array(["甲", "乙&丙", " 丁 "])[i % 3]), dtype="str"),
        "distinct_amount": np.where(blank, np.nan, i * 1.25),
        "repeated_amount": np.where(blank, np.nan, (i % 4) * 1000.5),
        "distinct_count": i,
        "flag": pd.array(np.where(blank, None, i % 2 == 0), dtype="boolean"),
        "distinct_day": pd.to_datetime("2020-01-01") + pd.to_timedelta(i, unit="D"),
        "repeated_day": pd.Series(pd.to_datetime("2020-01-01") + pd.to_timedelta(i % 5, unit="D")).where(~blank),
    })
    styles = pd.Series(np.array([None, "overdue", "due_soon"], dtype=object)[i % 3], index=frame.index)
    by_xml, by_xlsxwriter = tmp_path / "xml.xlsx", tmp_path / "xw.xlsx"
    outputs.write_xlsx(by_xml, [outputs.Sheet("s", frame, row_styles=styles)])
    outputs.write_xlsx(by_xlsxwriter, [outputs.Sheet("s", frame, row_styles=styles, charts=[lambda wb, ws, layout: None])])
    got = _cells(by_xml)
    assert got == _cells(by_xlsxwriter)
    red = "FFFFC7CE"  # row 4 (1 of 3) overdue; row 10 too, and blank
    assert got[5][:3] == [("（4）鲁执4号", "General", red), ("乙&丙", "General", red), (5.0, "#,##0.00", red)]
    assert got[11][:3] == [(None, "General", red), (None, "General", red), (None, "#,##0.00", red)]
    assert got[n][0][0] == f"（{n - 1}）鲁执{n - 1}号" and got[n][4][0] == n - 1


def _wraps(path, sheet: str | None = None) -> list[list[bool]]:
    """Whether each cell of a sheet wraps its text, read back with openpyxl."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet else wb.active
    return [[bool(c.alignment.wrap_text) for c in row] for row in ws.iter_rows()]


@pytest.mark.parametrize("charts", [[], [lambda wb, ws, layout: None]])  # rows as XML, or by xlsxwriter
def test_xlsx_prints_landscape_one_page_wide_with_the_header_on_every_page(charts, tmp_path):
    path = tmp_path / "p.xlsx"
    frame = pd.DataFrame({"officer": ["张三", "李四"], "n": [1, 2]})
    outputs.write_xlsx(path, [outputs.Sheet("titled", frame, title="任务", charts=charts),
                              outputs.Sheet("plain", frame, charts=charts)])
    wb = openpyxl.load_workbook(path)
    for name, titles in [("titled", "$1:$2"), ("plain", "$1:$1")]:
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) in [(None, 0), (1, 0)]  # 1 is the default
        assert ws.print_title_rows == titles
        assert ws.freeze_panes == ("A3" if name == "titled" else "A2")  # no case number: no frozen column
        assert ws["A3" if name == "titled" else "A2"].value == "张三"
        # each printed page says what it is, once (a titled sheet's title row, repeated, heads
        # each page: a page header would say it a second time), and which page it is
        assert ws.oddHeader.left.text == (None if name == "titled" else "plain")
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_a_page_title_heads_the_printed_pages_of_a_sheet_without_a_title_row(tmp_path):
    """全部案件 keeps its header in row 1 (a table to filter and sort), its printed pages still say
    the day counted; an & in a title is printed as itself."""
    path = tmp_path / "p.xlsx"
    frame = pd.DataFrame({"officer": ["张三"]})
    outputs.write_xlsx(path, [outputs.Sheet("全部案件", frame, page_title="全部案件（截至2026-11-23）"),
                              outputs.Sheet("a", frame, page_title="A & B")])
    wb = openpyxl.load_workbook(path)
    assert wb["全部案件"]["A1"].value == "officer" and wb["全部案件"].oddHeader.left.text == "全部案件（截至2026-11-23）"
    assert wb["a"].oddHeader.left.text == "A && B"


def test_a_sheet_too_wide_for_one_page_prints_on_several_with_the_case_number_on_each(tmp_path):
    """One page wide would print the 53 columns of 全部案件 at a tenth of their size: a sheet wider
    than PRINT_PAGE_WIDTH gets as many pages wide as keep it readable, its case numbers on each."""
    path = tmp_path / "w.xlsx"
    wide = pd.DataFrame({"case_no": ["(2025)鲁0902执1号"], **{f"列{i}": ["类" * 15] for i in range(30)}})
    narrow = wide.iloc[:, :8]
    outputs.write_xlsx(path, [outputs.Sheet("wide", wide), outputs.Sheet("narrow", narrow),
                              outputs.Sheet("no case number", wide.drop(columns="case_no"))])
    wb = openpyxl.load_workbook(path)
    # 30 columns 31 wide (15 Chinese characters and a space) and the case number: 949, three pages of 320
    assert outputs.PRINT_PAGE_WIDTH == 320
    assert wb["wide"].page_setup.fitToWidth == 3 and wb["wide"].print_title_cols == "$A:$A"
    assert wb["narrow"].page_setup.fitToWidth in (None, 1) and wb["narrow"].print_title_cols is None
    assert wb["no case number"].page_setup.fitToWidth == 3 and wb["no case number"].print_title_cols is None
    for ws in wb.worksheets:
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True and ws.page_setup.fitToHeight == 0


@pytest.mark.parametrize("charts", [[], [lambda wb, ws, layout: None]])
def test_xlsx_text_longer_than_the_widest_column_wraps(charts, tmp_path):
    # 59 display columns + 1 fit in the widest column (60); 30 Chinese characters are 60: wrapped
    frame = pd.DataFrame({"case_no": ["a", "b", "c"], "fits": ["x" * 59, None, "y"],
                          "long": ["类" * 30, None, "short"], "n": [1.5, 2.0, 3.0]})
    styles = pd.Series([None, "overdue", None])
    path = tmp_path / "w.xlsx"
    outputs.write_xlsx(path, [outputs.Sheet("w", frame, row_styles=styles, charts=charts)])
    ws = openpyxl.load_workbook(path).active
    assert [int(_width(ws, c)) for c in "BC"] == [60, 60]
    wraps = _wraps(path)
    assert wraps[0] == [False] * 4  # the header
    assert [row[2] for row in wraps[1:]] == [True, True, True] and not any(row[1] or row[3] for row in wraps[1:])
    assert _fill(ws["C3"]) == "FFFFC7CE" and ws["C2"].value == "类" * 30  # the row's colour kept


@pytest.mark.parametrize("charts", [[], [lambda wb, ws, layout: None]])  # rows as XML, or by xlsxwriter
def test_xlsx_text_right_of_numbers_or_dates_is_indented(charts, tmp_path):
    """A right-aligned number or date beside left-aligned text touched it, printed or on screen
    (名次 1 and 并列 read 1陈静、高峰): text right of one is indented a level, and its column
    widened for it; text right of text, the numbers and the header are not."""
    frame = pd.DataFrame({"case_no": ["a", "b"], "filed_on": pd.to_datetime(["2026-01-05", "2026-02-01"]),
                          "officer": ["张三", "李四"], "rank": [1, 2], "tie_with": ["陈静、高峰、胡晓丽", None],
                          "note": ["陈静、高峰、胡晓丽", "x"]})
    path = tmp_path / "i.xlsx"
    outputs.write_xlsx(path, [outputs.Sheet("i", frame, row_styles=pd.Series([None, "overdue"]), charts=charts)])
    ws = openpyxl.load_workbook(path).active
    indents = [[int(c.alignment.indent) for c in row] for row in ws.iter_rows()]
    assert indents == [[0] * 6, [0, 0, 1, 0, 1, 0], [0, 0, 1, 0, 1, 0]]
    assert ws["C2"].alignment.horizontal == "left" and ws["B2"].alignment.horizontal is None
    assert _fill(ws["E3"]) == "FFFFC7CE" and ws["E2"].value == "陈静、高峰、胡晓丽"  # the row's colour kept
    # the same text, 18 wide: 19 beside text, 21 indented beside a number
    assert [int(_width(ws, c)) for c in "EF"] == [19 + outputs.INDENT_WIDTH, 19]


def test_xlsx_text_round_trips_exactly(tmp_path):
    texts = ["a&b<c>\"'", "x\x01y", "_x0041_", "<r>rich</r>", "😀中", "line\nbreak", "cr\rx", "\t lead", "trail "]
    path = tmp_path / "t.xlsx"
    outputs.write_xlsx(path, [outputs.Sheet("s", pd.DataFrame({"t": pd.array(texts, dtype="str")}))])
    import python_calamine

    rows = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_name("s").to_python()
    assert [r[0] for r in rows] == ["t", *texts]
    with zipfile.ZipFile(path) as z:  # every part is well-formed XML
        for name in z.namelist():
            ElementTree.fromstring(z.read(name))


def test_xlsx_numbers_exact_and_non_finite_blank(tmp_path):
    frame = pd.DataFrame({"amount": [0.1 + 0.2, float("inf"), float("nan"), -1e20, 3.0],
                          "n": pd.array([2**40, None, -7, 0, 1], dtype="Int64"),
                          "flag": pd.array([True, False, None, True, None], dtype="boolean")})
    path = tmp_path / "n.xlsx"
    outputs.write_xlsx(path, [outputs.Sheet("s", frame)])
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws["A"]][1:] == [0.30000000000000004, None, None, -1e20, 3]
    assert [c.value for c in ws["B"]][1:] == [1099511627776, None, -7, 0, 1]
    assert [c.value for c in ws["C"]][1:] == ["是", "否", None, "是", None]
    assert ws["A2"].number_format == "#,##0.00" and ws["A3"].number_format == "#,##0.00"


def test_xlsx_text_cut_to_excels_limit_in_utf16_units(tmp_path):
    # 32,767 UTF-16 units: 16,383 emoji (two units each) fit, the next would be cut in half.
    frame = pd.DataFrame({"t": pd.array(["a" * 40_000, "😀" * 20_000, "short"], dtype="str")})
    path = tmp_path / "long.xlsx"
    outputs.write_xlsx(path, [outputs.Sheet("s", frame)])
    ws = openpyxl.load_workbook(path).active
    assert ws["A2"].value == "a" * 32_767
    assert ws["A3"].value == "😀" * 16_383
    assert ws["A4"].value == "short"
    assert int(_width(ws, "A")) == outputs.MAX_COL_WIDTH


def test_xlsx_many_rows_and_sheets_share_strings(tmp_path):
    n = 25_000  # more than one block of XML rows
    frame = pd.DataFrame({"k": pd.array([f"k{i % 3}" for i in range(n)], dtype="str"),
                          "i": range(n),
                          "d": pd.to_datetime("2020-01-01") + pd.to_timedelta(range(n), unit="D") * 0})
    path = tmp_path / "big.xlsx"
    outputs.write_xlsx(path, [outputs.Sheet("a", frame), outputs.Sheet("b", frame.iloc[:2, :1], labels={"k": "x"})])
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb["a"].iter_rows(values_only=True))
    assert len(rows) == n + 1 and rows[-1] == ("k0", n - 1, dt.datetime(2020, 1, 1))
    assert rows[12_345] == ("k2", 12_344, dt.datetime(2020, 1, 1))
    assert list(wb["b"].iter_rows(values_only=True)) == [("x",), ("k0",), ("k1",)]
    with zipfile.ZipFile(path) as z:
        head = z.read("xl/sharedStrings.xml").decode()[:300]
    # strings: headers k, i, d, x, then k0 k1 k2 once; string cells: 4 headers + n + 2
    assert f'count="{4 + n + 2}" uniqueCount="7"' in head


def test_xlsx_same_bytes_with_styles_and_several_sheets(cases, tmp_path):
    styles = pd.Series(["overdue", None, "due_soon"], index=cases.index)
    sheets = [outputs.Sheet("a", cases, row_styles=styles, title="t"), outputs.Sheet("b", cases.iloc[:0]),
              outputs.Sheet("c", cases, charts=[lambda wb, ws, layout: None])]
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    outputs.write_xlsx(a, sheets)
    outputs.write_xlsx(b, sheets)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --- atomic writes ------------------------------------------------------------------------------


def test_atomic_write_leaves_no_temp_file(tmp_path):
    target = tmp_path / "new" / "out.txt"
    outputs.atomic_write(target, lambda tmp: tmp.write_text("done"))
    assert target.read_text() == "done"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_atomic_write_keeps_old_file_when_writer_fails(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def failing(tmp):
        tmp.write_text("half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        outputs.atomic_write(target, failing)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@contextmanager
def _fifo_reader(path):
    """Read the FIFO ``path`` on a thread while the block writes it; yields the list its bytes
    land in. A writer still waiting for a reader after 10 s is let go: it fails, never hangs."""
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(open(path, "rb").read()), daemon=True)
    rescue = threading.Timer(10, lambda: os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK)))
    rescue.daemon = True
    reader.start()
    rescue.start()
    try:
        yield got
    finally:
        rescue.cancel()
        reader.join(timeout=10)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_output_to_a_fifo_is_written_into_it(cases, tmp_path):
    fifo = tmp_path / "p.csv"
    os.mkfifo(fifo)
    rejects = pd.DataFrame({"file": ["l.csv"], "sheet": ["l"], "row": [4], "case_no": ["x"], "reason": ["r"]})
    with _fifo_reader(fifo) as got:
        written = outputs.write_output(cases, None, fifo, rejects=rejects)
    assert got == [BOM + EXPECTED_CSV.encode("utf-8")]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    # nothing beside a pipe: no temporary file, no errors file
    assert written == [outputs.Written(fifo, 3)] and [p.name for p in tmp_path.iterdir()] == ["p.csv"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_xlsx_to_a_fifo_streams_a_whole_workbook(cases, tmp_path):
    fifo = tmp_path / "p.xlsx"
    os.mkfifo(fifo)
    with _fifo_reader(fifo) as got:
        outputs.write_xlsx(fifo, [outputs.Sheet("cases", cases)])
    ws = openpyxl.load_workbook(io.BytesIO(got[0])).active
    assert [c.value for c in ws["A"]] == ["case_no", "(2016)鲁0902执123号", "(2018)闽0125执恢243号", "(2019)鄂7101执21号"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_output_through_a_symlink_replaces_the_file_it_points_to(tmp_path):
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "out.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(Path("real") / "out.csv")
    outputs.to_csv(pd.DataFrame({"a": [1]}), link, bom=False)
    assert link.is_symlink() and os.readlink(link) == str(Path("real") / "out.csv")
    assert real.read_text() == "a\n1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real"]
    assert [p.name for p in real.parent.iterdir()] == ["out.csv"]  # the temporary file was beside it


def test_output_through_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "sub" / "new.txt")
    outputs.atomic_write(link, lambda tmp: tmp.write_text("done"))
    assert link.is_symlink() and (tmp_path / "sub" / "new.txt").read_text() == "done"


def test_symlinked_file_kept_when_writer_fails(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    (tmp_path / "link.txt").symlink_to("real.txt")

    def failing(tmp):
        tmp.write_text("half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        outputs.atomic_write(tmp_path / "link.txt", failing)
    assert real.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "real.txt"]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_output_through_an_open_file_link_writes_into_that_file(tmp_path):
    # /dev/stdout is such a link: the file a process holds open is written, never renamed over.
    log = tmp_path / "log.txt"
    with open(log, "w") as handle:
        inode = os.stat(log).st_ino
        outputs.atomic_write(f"/proc/self/fd/{handle.fileno()}", lambda target: Path(target).write_text("rows"))
        assert os.fstat(handle.fileno()).st_nlink == 1  # the open file is still the one in the folder
    assert log.read_text() == "rows" and os.stat(log).st_ino == inode
    assert [p.name for p in tmp_path.iterdir()] == ["log.txt"]


def test_output_to_a_folder_is_refused(tmp_path):
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(ConfigError, match="cannot write .*out.csv: it is a folder; give a file name"):
        outputs.to_csv(pd.DataFrame({"a": [1]}), tmp_path / "out.csv")
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"] and (tmp_path / "out.csv").is_dir()


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs Unix sockets")
def test_output_to_a_socket_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short socket name
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind("s.csv")
        with pytest.raises(ConfigError, match="cannot write s.csv: it is a socket"):
            outputs.write_output(pd.DataFrame({"a": [1]}), None, Path("s.csv"))
        assert stat.S_ISSOCK(os.lstat("s.csv").st_mode) and [p.name for p in tmp_path.iterdir()] == ["s.csv"]


# --- terminal -----------------------------------------------------------------------------------


def test_piped_console_prints_wide_chinese_table_whole():
    cells = {f"列{i:02d}名称": [f"被执行人某某有限公司{i}号", f"申请执行人张{i}"] for i in range(20)}
    frame = pd.DataFrame(cells)
    stream = io.StringIO()
    console = outputs.console_for(stream)
    console.print(outputs.render_table(frame, title="积案"))
    text = stream.getvalue()
    assert "…" not in text and "\x1b" not in text
    lines = text.splitlines()
    assert len(lines) == 1 + 1 + 1 + 1 + 2 + 1  # title, top, header, rule, two rows, bottom
    for i in range(20):
        assert f"列{i:02d}名称" in lines[2]
        assert f"被执行人某某有限公司{i}号" in lines[4]
        assert f"申请执行人张{i}" in lines[5]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("term", ["dumb", "unknown"])
def test_a_dumb_terminal_is_drawn_as_wide_as_it_is(monkeypatch, term):
    """TERM=dumb (Emacs' shell, some editors' consoles): rich drew every table 80 columns wide
    whatever the terminal's width, leaving out columns there was room for. It is drawn as wide as
    the terminal (COLUMNS here), with no colour or cursor codes."""
    monkeypatch.setenv("TERM", term)
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.delenv("LINES", raising=False)
    frame = pd.DataFrame({f"列{i}": [f"被执行人某某有限公司{i}号"] for i in range(6)})
    stream = _Terminal()
    console = outputs.console_for(stream)
    assert console.width == 160
    console.print(outputs.render_table(frame, title="积案"))
    text = stream.getvalue()
    assert "left out" not in text and "\x1b" not in text
    assert all(f"被执行人某某有限公司{i}号" in text for i in range(6))
    assert max(cell_len(line) for line in text.splitlines()) > 80

def test_render_table_max_rows_and_markup_is_literal():
    frame = pd.DataFrame({"case_no": ["[red]x[/red]", "b", "c"]})
    stream = io.StringIO()
    outputs.console_for(stream).print(outputs.render_table(frame, max_rows=2))
    text = stream.getvalue()
    assert "[red]x[/red]" in text and "│ c" not in text
    assert "showing the first 2 of 3 rows; all of them: --format csv, or -o FILE.xlsx / FILE.csv" in text


def test_terminal_tables_are_capped():
    frame = pd.DataFrame({"case_no": [f"c{i:03d}" for i in range(502)]})
    stream = io.StringIO()
    outputs.write_output(frame, "table", stream=stream)
    text = stream.getvalue()
    assert "c499" in text and "c500" not in text and "showing the first 500 of 502 rows" in text
    stream = io.StringIO()
    outputs.write_output(outputs.Output(frame, max_rows=None), "table", stream=stream)
    assert "c501" in stream.getvalue() and "showing" not in stream.getvalue()


def test_ledger_text_is_safe_on_a_terminal():
    frame = pd.DataFrame({"case_no": ["a\x1b[31mred", "\u202eevil", "x" * 300, None],
                          "n": [1, 2, 3, 4]})
    stream = io.StringIO()
    outputs.write_output(outputs.Output(frame, title="t\x1b]0;x"), "table", stream=stream)
    text = stream.getvalue()
    assert "\x1b" not in text and "\u202e" not in text
    assert "a\\x1b[31mred" in text and "\\u202eevil" in text and "t\\x1b]0;x" in text
    assert "x" * 199 + "…" in text and "x" * 200 not in text
    assert outputs.terminal_text("ab\ncd\u0085", 80) == "ab\\ncd\\x85"
    assert outputs.terminal_text("中" * 10, 5) == "中中中中…"


def _narrow_terminal_lines(frame: pd.DataFrame, width: int) -> list[str]:
    stream = io.StringIO()
    console = Console(file=stream, width=width, force_terminal=True, color_system=None)
    console.print(outputs.render_table(frame, labels={"case_no": "案号", "respondent": "被执行人"}))
    return stream.getvalue().splitlines()


_CASE_NOS = ["(2014)泰执字第00011号", "(2025)鲁0902执恢1234号", "(2019)鄂7101执21号"]


def _wide_frame() -> pd.DataFrame:
    """Seven columns: natural widths case 22, date 10, officer 6, two free texts 84, amount 12, state 8."""
    return pd.DataFrame({
        "case_no": _CASE_NOS,
        "filed_on": pd.to_datetime(["2014-01-22", "2025-12-31", "2019-06-30"]),
        "officer": ["赵国庆", "王磊", None],
        "respondent": ["岱北县交通投资发展集团有限公司及其关联企业" * 2, "潘兴晶", "山东新科餐饮管理有限公司"],
        "cause": ["建设工程分包合同纠纷，另有追加被执行人申请" * 2, "民间借贷纠纷", "租赁合同纠纷"],
        "amount": [63400.0, 1234567.5, None],
        "next_state": ["overdue", "due_soon", "met"],
    })


def test_narrow_terminal_folds_free_text_and_never_cuts_case_numbers_dates_or_states():
    lines = _narrow_terminal_lines(_wide_frame(), 160)
    text = "\n".join(lines)
    assert max(map(len, lines)) <= 160 and "…" not in text and "left out" not in text
    for whole in [*_CASE_NOS, "2014-01-22", "2025-12-31", "2019-06-30", "63,400.00", "1,234,567.50",
                  "overdue", "due_soon", "赵国庆"]:
        assert whole in text
    assert "岱北县交通投资发展集团有限公司及其关联企业" * 2 not in text  # folded onto more lines
    assert "岱北县交" in text


def test_a_table_too_wide_to_read_leaves_out_the_least_useful_columns_and_says_so():
    # at their readable widths the columns take 22+10+6+12+12+12+8 = 82 cells and 7 frames of 3
    # plus an edge: 104 > 100. The case, its officer and state go first, then the columns in order:
    # the amount (the last that does not fit) is left out.
    lines = _narrow_terminal_lines(_wide_frame(), 100)
    text = "\n".join(lines)
    assert max(map(len, lines)) <= 100 and "63,400.00" not in text
    for whole in [*_CASE_NOS, "2014-01-22", "2025-12-31", "2019-06-30", "overdue", "due_soon", "赵国庆", "王磊"]:
        assert whole in text
    assert _caption(lines) == ("1 of 7 columns left out for the terminal's width (amount); "
                       "all of them: --format csv, or -o FILE.xlsx / FILE.csv")
    # 60 cells: case 25, officer 9, state 11 and the date 13 take 58 of the 59 (after the edge)
    lines = _narrow_terminal_lines(_wide_frame(), 60)
    rows = [line for line in lines if line.startswith("│")]
    assert lines[0].count("┳") == 3 and [c.strip() for c in rows[0].split("│")[1:-1]] == ["(2014)泰执字第00011号", "2014-01-22", "赵国庆", "overdue"]
    assert _caption(lines).startswith("3 of 7 columns left out for the terminal's width (被执行人, cause, amount);")


def _caption(lines: list[str]) -> str:
    """The lines under a table's bottom edge, as one line."""
    bottom = next(i for i, line in enumerate(lines) if line.startswith("└"))
    return " ".join(line.strip() for line in lines[bottom + 1:])


def test_no_cell_with_a_value_prints_blank_however_narrow():
    frame = pd.DataFrame({"case_no": _CASE_NOS, "officer": ["赵国庆", "王磊", "周海燕"], "n": [1, 22, 333]})
    for width in (20, 30, 40):
        lines = _narrow_terminal_lines(frame, width)
        text = "\n".join(lines)
        for whole in _CASE_NOS if width >= 26 else ["(2014)泰执字第00", "011号"]:  # 16 cells a line
            assert whole in text
        if width == 40:  # case 25 and officer 9 of 39: the numbers (3 and a frame of 3) do not fit
            assert "赵国庆" in text and "周海燕" in text and "333" not in text
            assert _caption(lines).startswith("1 of 3 columns left out for the terminal's width (n);")


def test_readable_widths_and_the_columns_shown():
    case, short, free = outputs.CASE_NUMBER, outputs.SHORT, outputs.FREE_TEXT
    # a case number and a date whole, free text at 12, a header at 4 at most, never under 2
    assert outputs.readable_widths([case, short, free, free, short, short], [21, 10, 40, 8, 1, 3],
                                   [4, 8, 6, 20, 6, 0]) == [21, 10, 12, 8, 4, 3]
    assert outputs.readable_widths([case, short], [200, 0], [0, 0]) == [60, 2]
    # in priority order each that still fits in width - 1 cells, 3 of them a column's frame
    assert outputs.shown_columns([21, 10, 4], [0, 2, 1], 38) == [0, 2]  # 24 + 7 of 37; 13 more do not fit
    assert outputs.shown_columns([21, 10, 4], [0, 1, 2], 38) == [0, 1]  # 24 + 13 of 37
    assert outputs.shown_columns([21, 10, 4], [2, 0, 1], 30) == [1, 2]  # 7, then 24 > 22 but 13 fits
    assert outputs.shown_columns([40], [0], 10) == [0]
    # what a row is (the first column), then by what a column says, clock times and repeats last
    assert outputs.table_priority(["x", "filed_on", "next_due", "case_no", "officer", "next_state"]) == [0, 3, 4, 5, 2, 1]
    assert outputs.table_priority(["period", "period_start", "period_end", "officer", "closed", "rank_label", "y"]) == [
        0, 3, 5, 4, 6, 1, 2]


def test_share_widths_gives_way_headers_then_free_text_never_short_columns():
    case, short, free = outputs.CASE_NUMBER, outputs.SHORT, outputs.FREE_TEXT
    kinds, longest, headers = [case, short, free], [21, 10, 40], [4, 8, 6]
    assert outputs.share_widths(kinds, longest, headers, 71) is None
    assert outputs.share_widths(kinds, longest, headers, 50) == [21, 10, 19]
    assert outputs.share_widths(kinds, longest, headers, 43) == [21, 10, 12]  # the date stays whole
    assert outputs.share_widths([short, free], [9, 30], [14, 6], 40) == [10, 30]  # a header folds first
    assert outputs.share_widths([short, free], [2, 30], [14, 6], 16) == [4, 12]  # to two Chinese characters
    assert outputs.share_widths([free, free], [20, 20], [0, 0], 30) == [15, 15]
    assert outputs.share_widths([case, short], [200, 10], [4, 6], 70) == [60, 10]  # no case number is that long
    assert outputs.share_widths([case], [21], [4], 10) == [10]  # a lone column wider than the terminal folds


def test_join_lists_once_per_list_object_and_passes_others():
    shared = ["minsheng", "key"]
    s = pd.Series([shared, None, shared, ("a", 1), "x", []], dtype=object)
    assert outputs.join_lists(s).tolist() == ["minsheng;key", None, "minsheng;key", "a;1", "x", ""]
    assert outputs.join_lists(pd.Series([], dtype=object)).tolist() == []


def test_max_display_width_counts_wide_characters_and_caps():
    s = pd.Series(["abcdef", "中文字", None, "ab"], dtype="str")  # 6 and 3 chars (width 6)
    assert outputs.max_display_width(s, s.str.len()) == 6
    s = pd.Series(["abcd", "中文字"], dtype="str")  # 4 chars vs 3 wide chars: width 6
    assert outputs.max_display_width(s, s.str.len()) == 6
    s = pd.Series(["x" * 70, None], dtype="str")
    assert outputs.max_display_width(s, s.str.len()) == outputs.MAX_COL_WIDTH
    s = pd.Series([None], dtype="str")
    assert outputs.max_display_width(s, s.str.len()) == 0


def test_csv_quotes_and_missing_values():
    frame = pd.DataFrame({
        "case_no": pd.Series(['a,"b"', "line\nbreak", None], dtype="str"),
        "n": pd.Series([1, None, 3], dtype="Int64"),
        "amount": [1.5, float("nan"), 2.0],
        "filed_on": pd.to_datetime(["2025-01-02", None, "2025-01-02"]),
        "categories": pd.Series([["a", "b"], [], ["a", "b"]], dtype=object),
    })
    assert outputs.to_csv(frame) == ('case_no,n,amount,filed_on,categories\n"a,""b""",1,1.5,2025-01-02,a;b\n'
                                     '"line\nbreak",,,,\n,3,2.0,2025-01-02,a;b\n')


def test_csv_numbers_written_as_str_makes_them():
    frame = pd.DataFrame({
        "x": [0.0, -0.0, 0.1 + 0.2, 1e16, float("inf"), 3.0],
        "b": pd.array([True, None, False, True, None, False], dtype="boolean"),
        "u": pd.array([2**40, 7, 7, None, 0, -1], dtype="Int64"),
        "o": pd.Series([1, "t", None, 2.5, ("p", "q"), "t"], dtype=object),
    })
    assert outputs.to_csv(frame) == (
        "x,b,u,o\n0.0,True,1099511627776,1\n-0.0,,7,t\n0.30000000000000004,False,7,\n"
        "1e+16,True,,2.5\ninf,,0,\"('p', 'q')\"\n3.0,False,-1,t\n"
    )


def test_csv_text_that_would_start_a_formula_in_excel_is_written_as_text():
    """=, +, -, @, tab or CR first: a leading ' (Excel's text mark) so that opening the CSV runs no
    formula; numbers (a negative one too, also as text) and text with such a character later are as
    they are."""
    frame = pd.DataFrame({
        "party": pd.Series(["=HYPERLINK(\"http://x\",\"y\")", "+SUM(A1)", "-2+3", "@cmd", "\t=1+1", "a=b", "-5000.5", "-"],
                           dtype="str"),
        "o": pd.Series(["=1+1", 2, None, "x", "y", "z", "@", -1], dtype=object),
        "n": [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
    })
    assert outputs.to_csv(frame).splitlines() == [
        "party,o,n", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'=1+1,-1.5", "'+SUM(A1),2,2.0", "'-2+3,,3.0",
        "'@cmd,x,4.0", "'\t=1+1,y,5.0", "a=b,z,6.0", "-5000.5,'@,7.0", "'-,-1,8.0"]


def test_writing_a_csv_leaves_its_frame_as_it_was():
    """The fields of a text column with no blank cell were the column's own array: the formula
    mark and the quotes were written into the frame, so a second file written from it quoted its
    quotes again (a,b came out with its quotes tripled) and the caller's cases held '=1+1."""
    frame = pd.DataFrame({"party": pd.Series(["=1+1", "a,b", "张三"], dtype="str"), "n": [1, 2, 3]})
    first = outputs.to_csv(frame)
    assert frame["party"].tolist() == ["=1+1", "a,b", "张三"]
    assert outputs.to_csv(frame) == first == "party,n\n'=1+1,1\n\"a,b\",2\n张三,3\n"


def test_csv_one_column_quotes_an_empty_field():
    frame = pd.DataFrame({"a": pd.array(["x", None, "", 'say "hi"'], dtype="str")})
    assert outputs.to_csv(frame) == 'a\nx\n""\n""\n"say ""hi"""\n'


def test_csv_many_rows_in_blocks(tmp_path):
    n = 120_001  # more than two blocks of lines
    frame = pd.DataFrame({"k": pd.array([f"k{i % 7}" for i in range(n)], dtype="str"), "i": range(n)})
    frame.loc[n - 1, "k"] = "a,b"
    outputs.to_csv(frame, tmp_path / "big.csv", bom=False)
    lines = (tmp_path / "big.csv").read_text(encoding="utf-8").split("\n")
    assert len(lines) == n + 2 and lines[-1] == ""
    assert lines[:3] == ["k,i", "k0,0", "k1,1"]
    assert lines[50_001] == "k6,50000" and lines[-2] == f'"a,b",{n - 1}'


def test_csv_dates_numbers_and_flags_formatted_whole_are_written_as_block_by_block(monkeypatch):
    """Dates, and numbers and flags of few distinct values, are formatted once for the whole
    column and taken by code in each block; every field is what str() (ISO text for a date) of
    the cell makes, '' for missing, whatever block it falls in."""
    monkeypatch.setattr(outputs, "_CSV_BLOCK_ROWS", 7)
    n = 64
    frame = pd.DataFrame({
        "filed_on": pd.to_datetime(["2025-01-02", None, "1999-12-31", "2025-01-02 10:30"] * (n // 4), format="ISO8601"),
        "zoned": pd.to_datetime(["2025-03-01 23:00"] * n).tz_localize("Asia/Shanghai"),
        "days": pd.array([3, None, -2, 40000] * (n // 4), dtype="Int64"),
        "x": [0.0, -0.0, float("nan"), float("inf")] * (n // 4),
        "flag": pd.array([True, None, False, True] * (n // 4), dtype="boolean"),
        "row": np.arange(n, dtype="int64"),  # one distinct value a cell: block by block
        "t": pd.Series(["a", "b,c", None, "-d"] * (n // 4), dtype="str"),
    })
    assert outputs._column_table(frame["filed_on"]) is not None and outputs._column_table(frame["days"]) is not None
    assert outputs._column_table(frame["x"]) is not None and outputs._column_table(frame["flag"]) is not None
    assert outputs._column_table(frame["row"]) is None and outputs._column_table(frame["t"]) is None

    def field(v) -> str:
        return "" if v is None or v is pd.NA or v is pd.NaT or v != v else v.strftime("%Y-%m-%d") if isinstance(
            v, pd.Timestamp) else str(v)

    text = io.StringIO()
    rows = [[field(v) for v in frame[name].tolist()] for name in frame.columns]
    rows[-1] = ["'" + v if v.startswith("-") else v for v in rows[-1]]
    csv.writer(text, lineterminator="\n").writerows([list(frame.columns), *zip(*rows)])
    assert outputs.to_csv(frame) == text.getvalue()


# --- dispatch and errors files -----------------------------------------------------------------


def test_write_output_picks_format_from_suffix(cases, tmp_path):
    assert outputs.write_output(cases, None, tmp_path / "o.JSON") == [outputs.Written(tmp_path / "o.JSON", 3)]
    assert json.loads((tmp_path / "o.JSON").read_text(encoding="utf-8")) == EXPECTED_RECORDS
    outputs.write_output(cases, None, tmp_path / "o.xlsx")
    assert openpyxl.load_workbook(tmp_path / "o.xlsx").sheetnames == ["cases"]
    outputs.write_output(cases, "csv", tmp_path / "o.txt")
    assert (tmp_path / "o.txt").read_bytes() == BOM + EXPECTED_CSV.encode("utf-8")


def test_write_output_to_stream(cases):
    stream = io.StringIO()
    assert outputs.write_output(cases, "csv", stream=stream) == []
    assert stream.getvalue() == EXPECTED_CSV
    stream = io.StringIO()
    outputs.write_output(cases, None, stream=stream)
    assert "(2018)闽0125执恢243号" in stream.getvalue() and "_rank" not in stream.getvalue()


@pytest.mark.parametrize(
    ("fmt", "name", "message"),
    [
        ("table", "o.csv", "cannot be written"),
        (None, "o.txt", "cannot tell the format"),
        ("csv", "o.xlsx", "does not match"),
        ("yaml", "o.csv", "unknown format"),
        ("xlsx", None, "needs a file"),
    ],
)
def test_write_output_rejects_bad_combinations(cases, tmp_path, fmt, name, message):
    path = tmp_path / name if name else None
    with pytest.raises(ConfigError, match=message):
        outputs.write_output(cases, fmt, path, stream=io.StringIO())
    assert list(tmp_path.iterdir()) == []


def test_output_tables_heading_payload_and_beside(cases, tmp_path):
    counts = pd.DataFrame({"change": ["new", "closed"], "cases": [2, 0]})
    result = outputs.Output(cases, name="key", heading="2026年10月", payload={"month": "2026-10", "counts": counts},
                            tables=[outputs.Sheet("counts", counts)], beside={"counts": counts})
    stream = io.StringIO()
    outputs.write_output(result, None, stream=stream)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "2026年10月" and lines[1].strip() == "counts" and "(2016)鲁0902执123号" not in stream.getvalue()
    stream = io.StringIO()
    outputs.write_output(result, "json", stream=stream)
    assert json.loads(stream.getvalue()) == {"month": "2026-10", "counts": [{"change": "new", "cases": 2},
                                                                             {"change": "closed", "cases": 0}]}
    written = outputs.write_output(result, "csv", tmp_path / "r.csv")
    assert written == [outputs.Written(tmp_path / "r.csv", 3), outputs.Written(tmp_path / "r.counts.csv", 2)]
    assert (tmp_path / "r.counts.csv").read_bytes() == BOM + b"change,cases\nnew,2\nclosed,0\n"


def test_errors_file_written_beside_and_stale_one_removed(cases, tmp_path):
    rejects = pd.DataFrame({"file": ["l.csv"], "sheet": ["l"], "row": [4], "case_no": ["x"], "reason": ["缺少立案日期"]})
    written = outputs.write_output(cases, None, tmp_path / "out.csv", rejects=rejects)
    assert written[-1] == outputs.Written(tmp_path / "out.errors.csv", 1, "rejected rows")
    assert str(written[-1]) == f"wrote {tmp_path / 'out.errors.csv'} (1 rejected row)"
    assert (tmp_path / "out.errors.csv").read_text(encoding="utf-8-sig").splitlines() == ["文件,工作表,行号,案号,原因", "l.csv,l,4,x,缺少立案日期"]
    # the next run has no rejects: the errors file of the earlier one goes
    assert outputs.write_output(cases, None, tmp_path / "out.csv", rejects=rejects.iloc[:0]) == [
        outputs.Written(tmp_path / "out.csv", 3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_state_styles():
    states = pd.Series(["overdue", "due_soon", "ok", None, "met"], dtype="str")
    assert outputs.state_styles(states).tolist() == ["overdue", "due_soon", None, None, None]


def test_errors_file_beside_output(tmp_path):
    assert outputs.errors_path_for(tmp_path / "out.xlsx") == tmp_path / "out.errors.csv"
    rejects = pd.DataFrame(
        {
            "reason": ["案号重复：与 2016年 第5行 重复"],
            "case_no": ["(2016)鲁0902执123号"],
            "source_file": ["台帐.xlsx"],
            "source_sheet": ["2016年"],
            "source_row": [9],
        }
    )
    path = outputs.write_errors(rejects, outputs.errors_path_for(tmp_path / "out.xlsx"))
    assert path.read_bytes() == BOM + (
        "文件,工作表,行号,案号,原因\n"
        "台帐.xlsx,2016年,9,(2016)鲁0902执123号,案号重复：与 2016年 第5行 重复\n"
    ).encode("utf-8")


def test_no_errors_file_is_named_beside_a_pipe(tmp_path):
    """The load's message names the errors file beside -o FILE; beside a pipe none is written."""
    from backlog_cli.outputs import ERRORS, PROBLEMS, list_file_beside

    os.mkfifo(tmp_path / "p.csv")
    assert list_file_beside(tmp_path / "p.csv", ERRORS) is None
    assert list_file_beside(tmp_path / "p.csv", PROBLEMS) is None
    assert list_file_beside(tmp_path / "out.csv", ERRORS) == tmp_path / "out.errors.csv"
    assert list_file_beside(tmp_path / "out.csv", PROBLEMS) == tmp_path / "out.problems.csv"


def _labelled() -> tuple[pd.DataFrame, outputs.Labels]:
    frame = pd.DataFrame({
        "case_no": ["(2025)鲁0902执1号", "(2025)鲁0902执2号", "(2025)鲁0902执3号"],
        "state": pd.Series(["overdue", "due_soon", None], dtype="str"),
        "categories": pd.Series([["wages", "key"], [], ["other"]], dtype=object),
        "petition": pd.array([True, None, False], dtype="boolean"),
        "rate": [0.25, None, 1 / 3],
    })
    labels = outputs.Labels({"state": "期限状态", "categories": "类别", "petition": "是否涉信访", "rate": "结案率"},
                            {"state": {"overdue": "已超期", "due_soon": "即将到期"},
                             "categories": {"wages": "农民工工资", "key": "重点案件"}})
    return frame, labels


def test_labels_show_words_in_xlsx_and_keep_codes_in_csv(tmp_path):
    frame, labels = _labelled()
    path = tmp_path / "out.xlsx"
    styles = outputs.state_styles(frame["state"])
    outputs.write_xlsx(path, [outputs.Sheet("案件", frame, labels=labels, row_styles=styles,
                                            number_formats={"rate": outputs.PERCENT_FORMAT})])
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[1]] == ["case_no", "期限状态", "类别", "是否涉信访", "结案率"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=2)] == [
        ["(2025)鲁0902执1号", "已超期", "农民工工资; 重点案件", "是", 0.25],
        ["(2025)鲁0902执2号", "即将到期", None, None, None],
        ["(2025)鲁0902执3号", None, "other", "否", 1 / 3],  # no text for it: the code as it is
    ]
    assert ws["E2"].number_format == "0.00%"
    assert [_fill(ws[f"A{r}"]) for r in (2, 3, 4)] == ["FFFFC7CE", "FFFFEB9C", None]  # red, amber, plain
    assert outputs.to_csv(frame).splitlines()[1:] == [
        "(2025)鲁0902执1号,overdue,wages;key,True,0.25",
        "(2025)鲁0902执2号,due_soon,,,",
        "(2025)鲁0902执3号,,other,False,0.3333333333333333",
    ]
    assert frame["state"].tolist()[:2] == ["overdue", "due_soon"]  # the frame itself is left alone


def test_labels_show_words_and_percentages_in_a_table():
    frame, labels = _labelled()
    stream = io.StringIO()
    outputs.console_for(stream).print(outputs.render_table(
        frame, labels=labels, number_formats={"rate": outputs.PERCENT_FORMAT}))
    lines = [[cell.strip() for cell in line.split("│")[1:-1]] for line in stream.getvalue().splitlines()
             if line.startswith("│")]
    assert lines == [["(2025)鲁0902执1号", "已超期", "农民工工资; 重点案件", "是", "25.00%"],
                     ["(2025)鲁0902执2号", "即将到期", "", "", ""],
                     ["(2025)鲁0902执3号", "", "other", "否", "33.33%"]]
    assert "期限状态" in stream.getvalue() and "结案率" in stream.getvalue()


# --------------------------------------------------------------------------- a set of files replaced as one


def _set_writer(names, fail_after=None):
    """Writes ``names`` (each holding its own name) into the folder it is given; raises
    KeyboardInterrupt after ``fail_after`` files, as Ctrl-C midway would."""
    def write(into: Path) -> list[outputs.Written]:
        into.mkdir(parents=True, exist_ok=True)
        for i, name in enumerate(names):
            if i == fail_after:
                raise KeyboardInterrupt
            (into / name).write_text(name, encoding="utf-8")
        return [outputs.Written(into / n, 1) for n in names]
    return write


def test_replace_set_removes_only_the_old_set_files_the_new_one_lacks(tmp_path):
    folder = tmp_path / "out"
    written, removed = outputs.replace_set(folder, _set_writer(["a.xlsx", "b.xlsx"]))
    assert (written, removed) == ([outputs.Written(folder / "a.xlsx", 1), outputs.Written(folder / "b.xlsx", 1)], 0)
    (folder / "mine.xlsx").write_text("user", encoding="utf-8")
    (folder / "a.xlsx").write_text("old a", encoding="utf-8")
    written, removed = outputs.replace_set(folder, _set_writer(["A.xlsx", "c.xlsx"]))
    # a.xlsx only changes case (A.xlsx): on a case-blind disk removing it would remove the new file
    assert removed == 1
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [".backlog-files.json", "A.xlsx", "a.xlsx", "c.xlsx", "mine.xlsx"])
    assert (folder / "mine.xlsx").read_text(encoding="utf-8") == "user"
    assert outputs.set_written_before(folder) == ["A.xlsx", "c.xlsx"]


def test_replace_set_interrupted_while_writing_leaves_the_folder_as_it_was(tmp_path):
    folder = tmp_path / "out"
    outputs.replace_set(folder, _set_writer(["a.xlsx", "b.xlsx"]))
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(KeyboardInterrupt):
        outputs.replace_set(folder, _set_writer(["c.xlsx", "d.xlsx"], fail_after=1))
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_set_that_cannot_be_written_names_the_folder_asked_for_not_the_hidden_one(tmp_path):
    """The files are written into a hidden partial folder first: a failure there names the folder
    and file the user asked for (任务/陈静.xlsx), never .任务.partial."""
    folder = tmp_path / "任务"

    def refused(into: Path) -> list[outputs.Written]:
        raise ConfigError(f"cannot write {into / '陈静.xlsx'}: Operation not permitted")

    def no_room(into: Path) -> list[outputs.Written]:
        raise OSError(28, "No space left on device")

    with pytest.raises(ConfigError) as err:
        outputs.replace_set(folder, refused)
    assert str(err.value) == f"cannot write {folder / '陈静.xlsx'}: Operation not permitted"
    with pytest.raises(ConfigError) as err:
        outputs.replace_set(folder, no_room)
    assert str(err.value) == f"cannot write into {folder}: No space left on device"


def test_an_output_under_a_file_says_it_is_a_file(tmp_path):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        outputs.refuse_missing_folder(tmp_path / "afile" / "x.xlsx")
    assert str(err.value) == f"cannot write {tmp_path / 'afile' / 'x.xlsx'}: {tmp_path / 'afile'} is a file, not a folder; check the name"


def test_replace_set_never_removes_an_input_nor_a_file_outside_the_folder(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (tmp_path / "outside.xlsx").write_text("x", encoding="utf-8")
    (folder / "ledger.xlsx").write_text("ledger", encoding="utf-8")
    (folder / ".backlog-files.json").write_text(
        json.dumps({"files": ["../outside.xlsx", "ledger.xlsx", "gone.xlsx", 3]}), encoding="utf-8")
    _, removed = outputs.replace_set(folder, _set_writer(["a.xlsx"]), inputs=[folder / "ledger.xlsx"])
    assert removed == 0
    assert (tmp_path / "outside.xlsx").exists() and (folder / "ledger.xlsx").exists()
    with pytest.raises(ConfigError, match="is an input"):
        outputs.replace_set(folder, _set_writer(["ledger.xlsx"]), inputs=[folder / "ledger.xlsx"])
    assert (folder / "ledger.xlsx").read_text(encoding="utf-8") == "ledger"


def test_counted_makes_the_last_word_singular_for_one():
    from backlog_cli.errors import counted

    assert [counted(1, "rejected rows"), counted(1, "categories"), counted(0, "categories"), counted(2, "values")] == [
        "1 rejected row", "1 category", "0 categories", "2 values"]


def test_a_command_without_files_says_how_else_to_see_every_column():
    """inspect and rules list write no files: their captions do not point to -o or --format."""
    frame = pd.DataFrame({"case_no": ["(2025)鲁0902执1号"], "note": ["x" * 30], "other": ["y" * 30]})
    console = Console(width=40, file=io.StringIO(), force_terminal=False, color_system=None)
    console.print(outputs.render_table(frame, see_all=outputs.PIPE_TO_SEE_ALL))
    text = " ".join(console.file.getvalue().split())
    assert "all of them: a wider terminal, or the output piped (| less -S)" in text
    assert "-o FILE" not in text
