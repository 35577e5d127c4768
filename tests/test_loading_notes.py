"""What the load tells a clerk about a ledger read as typed: rows hidden in Excel that are read,
a file that repeats an earlier one, a cell holding case numbers written in part."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from backlog_cli import workbook
from backlog_cli.cli import app
from backlog_cli.loading import inspect_tables, load_ledger

runner = CliRunner()
HEAD = ["案号", "立案日期", "承办人"]


def ledger_book(path: Path, cases: int, hidden: tuple[int, ...] = (), title: bool = False) -> Path:
    """A sheet 2025年 of ``cases`` cases (执1号 …) under the header (below a title row with
    ``title``), the sheet rows in ``hidden`` hidden by hand."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025年"
    if title:
        ws.append(["执行案件台帐"])
    ws.append(HEAD)
    for i in range(1, cases + 1):
        ws.append([f"(2025)鲁0902执{i}号", dt.datetime(2025, 1, i % 28 + 1), "张三"])
    for row in hidden:
        ws.row_dimensions[row].hidden = True
    wb.save(path)
    return path


# --------------------------------------------------------------------------- hidden rows


def test_hidden_rows_are_read_and_said_with_their_rows(tmp_path):
    """Rows 5 and 9 hidden by hand, 12-13 in a collapsed group: four cases the sheet does not show.
    The hidden title row above the header and a hidden blank row below the table are no cases."""
    path = ledger_book(tmp_path / "l.xlsx", 12, hidden=(1, 5, 9, 20), title=True)
    wb = openpyxl.load_workbook(path)
    wb["2025年"].row_dimensions.group(12, 13, hidden=True)
    wb.save(path)
    ledger = load_ledger([path])
    assert len(ledger.cases) == 12
    assert ledger.notes == [f"{path} [2025年]: 4 rows hidden in Excel (by hand, a filter or a collapsed group) are "
                            "read like the others (rows 5, 9, 12, 13): the sheet shows fewer rows than are counted"]
    assert ledger.warnings == []
    assert ledger.sheets[0].note == "含隐藏行 4 行"


def test_many_hidden_rows_name_the_first_five(tmp_path):
    """A filter that leaves two cases shown hides the other rows: the first five are named. A
    hidden row that is rejected is read too; one sheet note joins the header's."""
    path = tmp_path / "l.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025年"
    ws.append(["案号", "立案", "承办人"])
    ws.append([None, "日期", None])
    for i in range(1, 11):
        ws.append([f"(2025)鲁0902执{i}号", dt.datetime(2025, 1, 5) if i != 4 else None, "张三"])
    for row in range(3, 13):
        ws.row_dimensions[row].hidden = row not in (7, 8)
    wb.save(path)
    ledger = load_ledger([path])
    assert ledger.rejects[["row", "reason"]].values.tolist() == [[6, "缺少立案日期"]]
    assert ledger.notes == [f"{path} [2025年]: 8 rows hidden in Excel (by hand, a filter or a collapsed group) are "
                            "read like the others (rows 3, 4, 5, 6, 9, … 3 more): the sheet shows fewer rows than "
                            "are counted"]
    assert ledger.sheets[0].note == "表头在第 1–2 行；含隐藏行 8 行"


def test_one_hidden_row_is_said_in_the_singular_on_stderr(tmp_path):
    path = ledger_book(tmp_path / "l.xlsx", 3, hidden=(3,))
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    notes = [ln for ln in result.stderr.splitlines() if ln.startswith("note:")]
    assert notes == [f"note: {path} [2025年]: 1 row hidden in Excel (by hand, a filter or a collapsed group) is "
                     "read like the others (row 3): the sheet shows fewer rows than are counted"]
    assert "含隐藏行 1 行" in result.stdout


def test_a_sheet_without_hidden_rows_has_no_note(tmp_path):
    ledger = load_ledger([ledger_book(tmp_path / "l.xlsx", 3)])
    assert ledger.notes == [] and ledger.sheets[0].note == ""


@pytest.mark.parametrize("size", [48, 64, 101, 1 << 20])
def test_hidden_rows_are_found_in_the_scan_however_the_xml_is_cut(tmp_path, monkeypatch, size):
    """The scan reads the XML in pieces: a row tag, hidden="1" or the cell with an error split
    between two pieces is found all the same; a hidden column (hidden="1" in a <col> tag) is no row."""
    path = ledger_book(tmp_path / "l.xlsx", 30, hidden=(4, 17, 31))
    wb = openpyxl.load_workbook(path)
    ws = wb["2025年"]
    ws.column_dimensions["C"].hidden = True
    ws["D17"] = "=A17&A18"  # openpyxl saves no result: a cell shown as its formula
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        [part] = workbook._sheet_parts(z).values()
        files = {name: z.read(name) for name in z.namelist()}
    # row 10 dragged to no height (Excel shows it no more than a hidden row), row 12 to half a point
    files[part] = files[part].replace(b'<row r="10"', b'<row r="10" ht="0.0" customHeight="1"').replace(
        b'<row r="12"', b'<row r="12" ht="0.5" customHeight="1"')
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    monkeypatch.setattr(workbook, "_SCAN_BYTES", size)
    hidden: list[int] = []
    columns: list[tuple[int, int]] = []
    assert workbook.shown_cells(path, part, hidden, columns) == {(16, 3): "=A17&A18（公式，未保存计算结果）"}
    assert hidden == [4, 10, 17, 31]
    assert columns == [(2, 2)]  # column C, found in the <cols> before the rows however they are cut


# --------------------------------------------------------------------------- hidden columns


def test_a_hidden_old_column_yields_its_field_to_the_column_shown(tmp_path):
    """An old 结案日期 hidden left of the current one: the one shown is read as closed_on, the hidden
    one kept as typed; a hidden column alone for its field (执行标的) is read as it, one that names
    no field kept as typed, all said in a note. Columns hidden beyond the table are not named."""
    path = tmp_path / "l.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025年"
    ws.append([None, "案号", "立案日期", "结案日期", "承办人", "结案日期", "执行标的", "旧备注"])
    ws.append([None, "(2025)鲁0902执1号", dt.datetime(2025, 1, 5), dt.datetime(2025, 2, 1), "张三",
               dt.datetime(2025, 6, 1), 5000, "x"])
    ws.append([None, "(2025)鲁0902执2号", dt.datetime(2025, 1, 6), dt.datetime(2025, 3, 1), "张三", None, 7000, None])
    for letter in "DGH":
        ws.column_dimensions[letter].hidden = True
    ws.column_dimensions.group("J", "Z", hidden=True)
    wb.save(path)
    ledger = load_ledger([path])
    assert ledger.cases["closed_on"].tolist() == [pd.Timestamp("2025-06-01"), pd.NaT]
    assert ledger.cases["amount"].tolist() == [5000, 7000]
    assert ledger.cases["结案日期"].tolist() == ["2025-02-01", "2025-03-01"]
    assert ledger.notes == [f"{path} [2025年]: 3 columns hidden in Excel are read (结案日期 in column D, kept as "
                            "typed: closed_on is read from column F, which is shown; 执行标的 in column G; 旧备注 in "
                            "column H): the sheet shows fewer columns than are read"]
    assert ledger.sheets[0].note == "含隐藏列 3 列"
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert "note: " + ledger.notes[0] in result.stderr and "含隐藏列 3 列" in result.stdout


def test_of_two_hidden_columns_for_one_field_the_first_is_read(tmp_path):
    path = tmp_path / "l.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["案号", "立案日期", "结案日期", "结案日期"])
    ws.append(["(2025)鲁0902执1号", dt.datetime(2025, 1, 5), dt.datetime(2025, 2, 1), dt.datetime(2025, 6, 1)])
    ws.column_dimensions["C"].hidden = ws.column_dimensions["D"].hidden = True
    wb.save(path)
    ledger = load_ledger([path])
    assert ledger.cases["closed_on"].tolist() == [pd.Timestamp("2025-02-01")]
    assert ledger.notes == [f"{path} [Sheet]: 2 columns hidden in Excel are read (结案日期 in column C; 结案日期 in "
                            "column D, kept as typed: closed_on is read from column C): the sheet shows fewer "
                            "columns than are read"]


def test_a_sheet_without_hidden_columns_has_no_note(tmp_path):
    path = ledger_book(tmp_path / "l.xlsx", 3)
    wb = openpyxl.load_workbook(path)
    wb.active.column_dimensions["B"].width = 30
    wb.save(path)
    ledger = load_ledger([path])
    assert ledger.notes == [] and ledger.sheets[0].note == ""


# --------------------------------------------------------------------------- a file read twice


def test_a_ledger_read_twice_under_two_names_is_warned_about_once(tmp_path):
    first = ledger_book(tmp_path / "台帐.xlsx", 10)
    second = shutil.copy(first, tmp_path / "台帐(1).xlsx")
    ledger = load_ledger([first, second])
    assert len(ledger.cases) == 10 and len(ledger.rejects) == 10  # each repeated row is still listed
    assert ledger.rejects["reason"].iloc[0] == "案号重复：与 台帐.xlsx [2025年] 第2行 重复"
    assert ledger.warnings == [f"{second}: 10 of its 10 cases are in {first} too (each rejected as 案号重复): "
                               "is it the same ledger read twice?"]


def test_last_months_copy_with_nine_in_ten_cases_repeated_is_warned_about(tmp_path):
    """10 cases last month; this month 9 of them and 1 new one. A file with 8 of 10 repeated is
    not said to repeat (two ledgers that share cases)."""
    last = ledger_book(tmp_path / "十月.xlsx", 10)
    now = ledger_book(tmp_path / "十一月.xlsx", 9)
    wb = openpyxl.load_workbook(now)
    wb["2025年"].append(["(2025)鲁0902执50号", dt.datetime(2025, 11, 3), "李四"])
    wb.save(now)
    ledger = load_ledger([last, now])
    assert len(ledger.rejects) == 9
    assert ledger.warnings == [f"{now}: 9 of its 10 cases are in {last} too (each rejected as 案号重复): "
                               "is it the same ledger read twice?"]

    other = ledger_book(tmp_path / "八个.xlsx", 8)
    wb = openpyxl.load_workbook(other)
    for i in (60, 61):
        wb["2025年"].append([f"(2025)鲁0902执{i}号", dt.datetime(2025, 11, 3), "李四"])
    wb.save(other)
    ledger = load_ledger([last, other])
    assert len(ledger.rejects) == 8 and ledger.warnings == []


def test_duplicates_within_one_file_or_spread_over_two_are_not_a_repeated_file(tmp_path):
    """A file whose repeats are of its own rows, or half of one earlier file and half of another,
    repeats no one file."""
    a = ledger_book(tmp_path / "a.xlsx", 2)  # 执1-2号

    def csv(name: str, numbers: tuple[int, ...]) -> Path:
        path = tmp_path / name
        path.write_text("案号,立案日期,承办人\n" + "".join(f"(2025)鲁0902执{i}号,2025-01-05,张三\n" for i in numbers),
                        encoding="utf-8")
        return path

    b = csv("b.csv", (3, 4))
    c = csv("c.csv", (1, 2, 3, 4))  # two from each
    d = csv("d.csv", (7, 7, 7))  # two rejected, both of its own first row
    ledger = load_ledger([a, b, c, d])
    assert len(ledger.rejects) == 6 and ledger.warnings == []


def test_a_small_file_that_repeats_is_said_by_its_rejects_alone(tmp_path):
    """4 cases, all in the main ledger: four 案号重复 lines, no question about a second copy."""
    main = ledger_book(tmp_path / "台帐.xlsx", 10)
    extra = ledger_book(tmp_path / "补录.xlsx", 4)
    ledger = load_ledger([main, extra])
    assert len(ledger.rejects) == 4 and ledger.warnings == []


def test_the_repeated_file_warning_makes_the_nightly_run_exit_1(tmp_path):
    ledger_book(tmp_path / "台帐.xlsx", 5)
    shutil.copy(tmp_path / "台帐.xlsx", tmp_path / "台帐(1).xlsx")
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: ['台帐.xlsx', '台帐(1).xlsx']\noutput_dir: out\n", encoding="utf-8")
    result = runner.invoke(app, ["run", "--config", str(config), "--as-of", "2025-06-30"])
    assert result.exit_code == 1, result.output
    assert ("warning: 台帐(1).xlsx: 5 of its 5 cases are in 台帐.xlsx too (each rejected as 案号重复): is it the "
            "same ledger read twice?") in result.stderr.splitlines()  # as ledger: names them


# --------------------------------------------------------------------------- case numbers in part


def test_case_numbers_written_in_part_are_rejected_saying_how_many(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("案号,立案日期\n"
                    "(2025)鲁0902执3、4号,2025-01-05\n"
                    "(2025)鲁0902执3号、4号,2025-01-05\n"
                    "（2025）鲁0902执3-5号,2025-01-05\n"
                    "(2025)鲁0902执7，8，9号,2025-01-05\n"
                    "(2015)泰执字第00123、00124号,2015-01-05\n"
                    "(2025)鲁0902执5-3号,2025-01-05\n"  # a range backwards: not read as one
                    "(2025)鲁0902执3、备注,2025-01-05\n"
                    "(2025)鲁0902执10号、（2025）鲁0902执11号,2025-01-05\n"
                    "暂无、3号,2025-01-05\n", encoding="utf-8")
    ledger = load_ledger([path])
    assert ledger.rejects["reason"].tolist() == [
        "案号无法识别：一个单元格含2个案号（执3、4号），请分成2行，每行一个案号",
        "案号无法识别：一个单元格含2个案号（执3号、4号），请分成2行，每行一个案号",
        "案号无法识别：一个单元格含3个案号（执3-5号），请分成3行，每行一个案号",
        "案号无法识别：一个单元格含3个案号（执7,8,9号），请分成3行，每行一个案号",
        "案号无法识别：一个单元格含2个案号（执字第00123、00124号），请分成2行，每行一个案号",
        "案号无法识别",
        "案号无法识别",
        "案号无法识别：一个单元格含2个案号，请分成2行，每行一个案号",
        "案号无法识别",
    ]
    assert len(ledger.cases) == 0


def test_a_case_number_typed_without_its_brackets_is_read_as_that_case(tmp_path):
    """2025鲁0902执4号 (four digits, then the court code) is (2025)鲁0902执4号: read, the same case
    as the number in brackets, so a second row of it is a duplicate; the reasons of a cell of several
    or another kind's number still say so."""
    path = tmp_path / "l.csv"
    path.write_text("案号,立案日期,承办人\n"
                    "2025鲁0902执4号,2025-01-05,张三\n"
                    "2015泰执字第00123号,2015-01-05,张三\n"
                    "2020 最高法执监12,2020-01-05,张三\n"
                    "(2025)鲁0902执4号,2025-01-06,张三\n"
                    "2015泰执字第123号,2015-01-06,张三\n"
                    "2025鲁0902执7、8号,2025-01-05,张三\n"
                    "2025鲁0902执9号、2025鲁0902执10号,2025-01-05,张三\n"
                    "2024鲁0902民初123号,2025-01-05,张三\n", encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert "loaded 3 cases from 8 rows" in result.stderr
    ledger = load_ledger([path])
    assert ledger.cases["case_no"].tolist() == ["(2025)鲁0902执4号", "(2015)泰执字第00123号", "(2020)最高法执监12号"]
    assert ledger.cases[["case_year", "court_code", "case_type", "case_seq"]].astype(object).values.tolist() == [
        [2025, "鲁0902", "执", 4], [2015, "泰", "执", 123], [2020, "最高法", "执监", 12]]
    assert ledger.rejects["reason"].tolist() == [
        "案号重复：与 第2行 重复", "案号重复：与 (2015)泰执字第00123号 为同一案件（写法不同），见 第3行",
        "案号无法识别：一个单元格含2个案号（执7、8号），请分成2行，每行一个案号",
        "案号无法识别：一个单元格含2个案号，请分成2行，每行一个案号",
        "案号无法识别：类型代字“民初”不是执行案件的（是否填成了执行依据的案号？）",
    ]


def test_a_case_number_with_one_bracket_round_its_year_is_read_as_that_case(tmp_path):
    """(2025鲁0902执4号, 2025)鲁0902执4号 (a bracket left out, in either width) are (2025)鲁0902执4号,
    the same case as the number in brackets; a bracket elsewhere (鲁0902(执8号, 执9号)) still makes
    no case number, and a cell of several, one written in part or another kind's number says so."""
    path = tmp_path / "l.csv"
    path.write_text("案号,立案日期,承办人\n"
                    "2025)鲁0902执4号,2025-01-05,张三\n"
                    "(2025鲁0902执5号,2025-01-05,张三\n"
                    "（2025鲁0902执恢6号,2025-01-05,张三\n"
                    "2025）鲁0902执7号,2025-01-05,张三\n"
                    "(2015泰执字第00123号,2015-01-05,张三\n"
                    "(2025)鲁0902执4号,2025-01-06,张三\n"
                    "2025鲁0902(执8号,2025-01-05,张三\n"
                    "(2025)鲁0902执9号),2025-01-05,张三\n"
                    "(2025鲁0902执10、11号,2025-01-05,张三\n"
                    "(2025鲁0902执12号、2025)鲁0902执13号,2025-01-05,张三\n"
                    "(2024鲁0902民初123号,2025-01-05,张三\n", encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert "loaded 5 cases from 11 rows" in result.stderr
    ledger = load_ledger([path])
    assert ledger.cases["case_no"].tolist() == ["(2025)鲁0902执4号", "(2025)鲁0902执5号", "(2025)鲁0902执恢6号",
                                                "(2025)鲁0902执7号", "(2015)泰执字第00123号"]
    assert ledger.cases[["case_year", "court_code", "case_type", "case_seq"]].astype(object).values.tolist() == [
        [2025, "鲁0902", "执", 4], [2025, "鲁0902", "执", 5], [2025, "鲁0902", "执恢", 6], [2025, "鲁0902", "执", 7],
        [2015, "泰", "执", 123]]
    assert ledger.rejects[["row", "reason"]].values.tolist() == [
        [7, "案号重复：与 第2行 重复"], [8, "案号无法识别"], [9, "案号无法识别"],
        [10, "案号无法识别：一个单元格含2个案号（执10、11号），请分成2行，每行一个案号"],
        [11, "案号无法识别：一个单元格含2个案号，请分成2行，每行一个案号"],
        [12, "案号无法识别：类型代字“民初”不是执行案件的（是否填成了执行依据的案号？）"],
    ]


@pytest.mark.parametrize("rows, unread", [
    # as systems export them, and with a trailing dot
    (["2016/03/05 星期六,2016-03-06（周日）", "2016-03-05（周六）,2016.3.7.", "2016.3.5.,2016/03/08 星期五",
      "2016/03/05 星期五,"], ["2016/03/05 星期五", "2016/03/08 星期五"]),
    # in Chinese numerals as judgments write them, and with a time before the weekday
    (["二〇一六年三月五日星期六,二〇一六年三月六日（周日）", "二零一六年三月五日 周六,2016/03/07 10:30 星期一",
      "2016/03/05 10:30 星期六,二〇一六年三月八日星期五", "二〇一六年三月五日星期五,"],
     ["二〇一六年三月五日星期五", "二〇一六年三月八日星期五"]),
])
def test_a_date_with_its_weekday_is_read_and_one_that_contradicts_it_is_not(tmp_path, rows, unread):
    """A date with the weekday it falls on after it (2016-03-05 was a Saturday) is read as that day,
    in 立案日期 and in another date column; with a weekday it does not fall on (星期五), a filing date
    is rejected and a close date is a value problem, never read as either day."""
    path = tmp_path / "l.csv"
    path.write_text("案号,立案日期,结案日期\n" + "".join(f"(2016)鲁0902执{i}号,{row}\n" for i, row in enumerate(rows, 1)),
                    encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert "loaded 3 cases from 4 rows; 1 rejected" in result.stderr
    assert f"row 5: (2016)鲁0902执4号: 立案日期无法识别：“{unread[0]}”（2016-03-05 是星期六）" in result.stderr
    ledger = load_ledger([path])
    assert ledger.cases["filed_on"].tolist() == [pd.Timestamp("2016-03-05")] * 3
    assert ledger.cases["closed_on"].iloc[:2].tolist() == [pd.Timestamp("2016-03-06"), pd.Timestamp("2016-03-07")]
    assert ledger.cases["closed_on"].isna().iloc[2]
    assert ledger.listed_problems()[["row", "value", "problem"]].values.tolist() == [
        [4, unread[1], "日期无法识别（2016-03-08 是星期二）"]]


def test_a_date_whose_weekday_contradicts_it_says_the_day_it_falls_on(tmp_path):
    """2016-03-05 was a Saturday: 2016/03/05 星期五 is rejected saying so, in the errors file as on
    the terminal, and in another date column the value problem says it too, in the problems file
    and in explain; a date unreadable for another reason says only that, and inspect counts a
    column's unreadable dates as one problem whatever day each falls on."""
    path = tmp_path / "l.csv"
    path.write_text("案号,立案日期,结案日期\n"
                    "(2016)鲁0902执1号,2016/03/05 星期五,\n"
                    "(2016)鲁0902执2号,二〇一六年三月五日（周日）,\n"
                    "(2016)鲁0902执3号,2016-02-30 星期二,\n"
                    "(2016)鲁0902执4号,待补,\n"
                    "(2016)鲁0902执5号,2016-03-05,2016/03/08 10:30 星期五\n"
                    "(2016)鲁0902执6号,2016-03-05,2016-03-09（周一）\n"
                    "(2016)鲁0902执7号,2016-03-05,待定\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["classify", str(path), "--as-of", "2026-01-01", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "row 2: (2016)鲁0902执1号: 立案日期无法识别：“2016/03/05 星期五”（2016-03-05 是星期六）" in result.stderr
    errors = pd.read_csv(tmp_path / "out.errors.csv", encoding="utf-8-sig")
    assert errors["原因"].tolist() == [
        "立案日期无法识别：“2016/03/05 星期五”（2016-03-05 是星期六）",
        "立案日期无法识别：“二〇一六年三月五日（周日）”（2016-03-05 是星期六）",
        "立案日期无法识别：“2016-02-30 星期二”", "立案日期无法识别：“待补”"]
    problems = pd.read_csv(tmp_path / "out.problems.csv", encoding="utf-8-sig")
    assert problems[["原值", "问题"]].values.tolist() == [
        ["2016/03/08 10:30 星期五", "日期无法识别（2016-03-08 是星期二）"],
        ["2016-03-09（周一）", "日期无法识别（2016-03-09 是星期三）"], ["待定", "日期无法识别"]]
    explained = runner.invoke(app, ["explain", "(2016)鲁0902执5号", str(path), "--as-of", "2026-01-01"])
    assert "结案日期（closed_on）：原值“2016/03/08 10:30 星期五”：日期无法识别（2016-03-08 是星期二）" in explained.stdout
    per_column = next(t for t in inspect_tables(load_ledger([path])) if t.name == "各列的值问题").frame
    assert per_column.values.tolist() == [["结案日期", "closed_on", "日期无法识别", 3]]
    # the kind of each problem is kept apart from the day it names, not cut off its text again
    assert load_ledger([path]).listed_problems(details=False)["problem"].tolist() == ["日期无法识别"] * 3


def test_the_number_of_a_case_of_another_kind_is_rejected_saying_its_type(tmp_path):
    """A trial's number in 案号 (the 执行依据's, typed in the wrong column) says which type it has;
    an unreadable number with 执 in it (a court code misspelt) and one with no type stay plain."""
    path = tmp_path / "l.csv"
    path.write_text("案号,立案日期\n(2023)鲁0902民初123号,2024-01-01\n（2015）泰民初字第12号,2015-01-01\n"
                    "(2022)最高法民申7号,2022-01-01\n(2024)鲁09刑终3号,2024-01-01\n(2024)鲁0902破1号,2024-01-01\n"
                    "(2016)张三执5号,2016-01-01\n(2024)鲁0902123号,2024-01-01\n(2024)鲁0902执1号,2024-01-01\n",
                    encoding="utf-8")
    ledger = load_ledger([path])
    assert ledger.rejects["reason"].tolist() == [
        f"案号无法识别：类型代字“{kind}”不是执行案件的（是否填成了执行依据的案号？）"
        for kind in ["民初", "民初", "民申", "刑终", "破"]] + ["案号无法识别"] * 2
    assert ledger.cases["case_no"].tolist() == ["(2024)鲁0902执1号"]
