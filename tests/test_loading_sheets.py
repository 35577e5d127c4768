"""Which sheets of a workbook are read: hidden sheets left out (and said), sheets that hold case
numbers but no usable header warned about, vertically merged cells read in every row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from backlog_cli.cli import app
from backlog_cli.loading import load_ledger

runner = CliRunner()
HEAD = ["案号", "立案日期", "承办人"]


def hidden_first(path: Path, state: str = "hidden") -> Path:
    """A hidden stale copy before the live sheet: 执1号 with an old officer, 执99号 deleted since."""
    wb = openpyxl.Workbook()
    old = wb.active
    old.title = "备份"
    old.append(HEAD)
    old.append(["(2025)鲁0902执1号", dt.datetime(2025, 3, 5), "旧承办人"])
    old.append(["(2025)鲁0902执99号", dt.datetime(2025, 3, 9), "旧承办人"])
    old.sheet_state = state
    live = wb.create_sheet("2025年")
    live.append(HEAD)
    live.append(["(2025)鲁0902执1号", dt.datetime(2025, 3, 5), "张三"])
    live.append(["(2025)鲁0902执2号", dt.datetime(2025, 3, 6), "李四"])
    wb.save(path)
    return path


def test_a_hidden_sheet_is_not_read_and_said_once(tmp_path):
    path = hidden_first(tmp_path / "l.xlsx")
    ledger = load_ledger([path])
    assert ledger.cases["case_no"].tolist() == ["(2025)鲁0902执1号", "(2025)鲁0902执2号"]
    assert ledger.cases["officer"].tolist() == ["张三", "李四"]
    assert len(ledger.rejects) == 0
    assert [(s.sheet, s.rows_read, s.note) for s in ledger.sheets] == [
        ("备份", 0, "隐藏工作表，未读取"), ("2025年", 2, "")]
    assert ledger.notes == [f"{path}: hidden sheet 备份 not read (name a sheet with --sheet to read it)"]
    assert ledger.warnings == []


def test_a_very_hidden_sheet_is_not_read_either(tmp_path):
    ledger = load_ledger([hidden_first(tmp_path / "l.xlsx", "veryHidden")])
    assert ledger.cases["case_no"].tolist() == ["(2025)鲁0902执1号", "(2025)鲁0902执2号"]
    assert [s.note for s in ledger.sheets] == ["隐藏工作表，未读取", ""]


def test_a_hidden_sheet_named_with_sheet_is_read(tmp_path):
    ledger = load_ledger([hidden_first(tmp_path / "l.xlsx")], sheets=["备份"])
    assert ledger.cases["case_no"].tolist() == ["(2025)鲁0902执1号", "(2025)鲁0902执99号"]
    assert ledger.notes == []


def test_the_hidden_sheet_note_is_on_stderr_once(tmp_path):
    path = hidden_first(tmp_path / "l.xlsx")
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    notes = [ln for ln in result.stderr.splitlines() if ln.startswith("note:")]
    assert notes == [f"note: {path}: hidden sheet 备份 not read (name a sheet with --sheet to read it)"]


def test_the_nightly_run_lists_the_hidden_sheet_among_its_notes(tmp_path):
    hidden_first(tmp_path / "l.xlsx")
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: l.xlsx\noutput_dir: out\n", encoding="utf-8")
    runner.invoke(app, ["run", "--config", str(config), "--as-of", "2025-06-30"])
    summary = json.loads((tmp_path / "out" / "2025-06-30" / "summary.json").read_text(encoding="utf-8"))
    assert "l.xlsx: hidden sheet 备份 not read (name a sheet with --sheet to read it)" in summary["notes"]  # as ledger: names it


def test_only_hidden_sheets_with_cases_is_an_error_that_names_them(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "本表按年度填写"
    ws = wb.create_sheet("2025年")
    ws.append(HEAD)
    ws.append(["(2025)鲁0902执1号", dt.datetime(2025, 3, 5), "张三"])
    ws.sheet_state = "hidden"
    wb.save(tmp_path / "l.xlsx")
    result = runner.invoke(app, ["inspect", str(tmp_path / "l.xlsx")])
    assert result.exit_code == 2
    assert "hidden sheets not read: 2025年, name one with --sheet to read it" in result.stderr


def unread_sheets(path: Path) -> Path:
    """A good sheet, then sheets of cases whose header is unknown, too deep, or names only 案号,
    and a notes sheet with no case number."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025年"
    ws.append(HEAD)
    ws.append(["(2025)鲁0902执1号", dt.datetime(2025, 3, 1), "张三"])
    ws = wb.create_sheet("2024年")
    ws.append(["执行案件号", "收案日", "执行人员"])
    for i in range(1, 6):
        ws.append([f"(2024)鲁0902执{i}号", dt.datetime(2024, 3, i), "李四"])
    ws = wb.create_sheet("2023年")
    for i in range(32):
        ws.append([f"说明第{i + 1}行"])
    ws.append(HEAD)  # row 33
    for i in range(1, 4):
        ws.append([f"(2023)鲁0902执{i}号", dt.datetime(2023, 3, i), "王五"])
    ws = wb.create_sheet("2022年")
    ws.append(["序号", "人员", "案号", "日期"])
    ws.append([1, "赵六", "(2022)鲁0902执1号", dt.datetime(2022, 3, 1)])
    ws.append([2, "赵六", "〔2015〕泰执字第00123号", dt.datetime(2022, 3, 2)])
    ws.append([3, "赵六", "待补", dt.datetime(2022, 3, 3)])
    notes = wb.create_sheet("说明")
    notes["A1"] = "执行案号按(2025)鲁0902执1号的格式填写"  # not itself a case number
    wb.save(path)
    return path


def test_a_sheet_of_cases_without_a_usable_header_is_warned_about(tmp_path):
    path = unread_sheets(tmp_path / "l.xlsx")
    ledger = load_ledger([path])
    assert ledger.cases["case_no"].tolist() == ["(2025)鲁0902执1号"]
    assert ledger.warnings == [
        f"{path} [2024年]: sheet not read, but 5 cells look like case numbers (the first in row 2): no known header "
        "in its first 30 rows; row 1, above the first of them, has: 执行案件号、收案日、执行人员. "
        "Add your headers as aliases in a columns file (--columns)",
        f"{path} [2023年]: sheet not read, but 3 cells look like case numbers (the first in row 34): no known header "
        "in its first 30 rows; row 33, above the first of them, has: 案号、立案日期、承办人. "
        "The header is looked for in the first 30 rows only",
        f"{path} [2022年]: sheet not read, but 2 cells look like case numbers (the first in row 2): its row 1 has "
        "案号 but no column for 立案日期 (立案日期、立案时间、收案日期、收案时间、立案日). "
        "Add your header as an alias in a columns file (--columns)",
    ]
    assert [s.note for s in ledger.sheets] == [""] + ["无台帐表头，未读取，但表中有案号"] * 3 + [
        "无台帐表头，未读取"]


def test_a_sheet_of_unread_cases_makes_the_nightly_run_exit_1(tmp_path):
    unread_sheets(tmp_path / "l.xlsx")
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: l.xlsx\noutput_dir: out\n", encoding="utf-8")
    result = runner.invoke(app, ["run", "--config", str(config), "--as-of", "2025-06-30"])
    assert result.exit_code == 1, result.output
    summary = json.loads((tmp_path / "out" / "2025-06-30" / "summary.json").read_text(encoding="utf-8"))
    assert [w.split(": sheet not read")[0] for w in summary["warnings"][:3]] == [
        f"l.xlsx [{name}]" for name in ("2024年", "2023年", "2022年")]  # as ledger: names it
    assert "warning: " + summary["warnings"][0] in result.stderr


def test_cells_merged_down_read_as_their_top_cell_across_blocks(tmp_path, monkeypatch):
    """承办人 李四 merged over E4:E7 (the table starts at C3, blocks of 3 rows split the range):
    rows 4 to 7 are 李四's; the row below is nobody's; a title merged across the columns is left alone."""
    import openpyxl

    from backlog_cli import loading

    monkeypatch.setattr(loading, "BLOCK_ROWS", 3)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C1"] = "执行积案台帐"
    ws.merge_cells("C1:E1")
    for col, head in zip("CDE", ("案号", "立案日期", "承办人")):
        ws[f"{col}3"] = head
    for row in range(4, 9):
        ws[f"C{row}"], ws[f"D{row}"] = f"(2025)鲁0902执{row}号", f"2025-01-0{row}"
    ws["E4"] = "李四"
    ws.merge_cells("E4:E7")
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    cases = loading.load_ledger([path]).cases
    assert cases["source_row"].tolist() == [4, 5, 6, 7, 8]
    assert cases["officer"].tolist()[:4] == ["李四"] * 4 and cases["officer"].isna().iloc[4]


def test_a_blank_row_under_a_cell_merged_down_is_a_blank_row(tmp_path):
    """承办人 李四 merged over C2:C4 with row 3 left blank between two cases (and row 6, under 王五
    merged over C5:C6, holding only spaces and a dash): those rows are skipped as blank, as the
    same ledger saved as CSV has them, not rejected as a case without a case number."""
    from backlog_cli import loading

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["案号", "立案日期", "承办人"])
    ws.append(["(2025)鲁0902执1号", "2025-01-02", "李四"])
    ws.append([])
    ws.append(["(2025)鲁0902执2号", "2025-01-03"])
    ws.append(["(2025)鲁0902执3号", "2025-01-04", "王五"])
    ws.append(["  ", "—"])
    ws.merge_cells("C2:C4")
    ws.merge_cells("C5:C6")
    wb.save(tmp_path / "l.xlsx")
    ledger = loading.load_ledger([tmp_path / "l.xlsx"])
    assert ledger.cases[["source_row", "officer"]].values.tolist() == [[2, "李四"], [4, "李四"], [5, "王五"]]
    assert ledger.skipped[["row", "reason"]].values.tolist() == [[3, "空行"], [6, "空行"]]
    assert ledger.rejects.empty


def test_rejects_and_value_problems_are_listed_sheet_by_sheet_as_read_then_by_row(tmp_path):
    """Sheets 2025年 then 2024年 (not in name order): each sheet's rejected rows, duplicates of the
    other sheet's cases among them, come in the order the sheets were read, each by row."""
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "2025年"
    head = [*HEAD, "执行标的"]
    for row in [head, ["(2025)鲁0902执1号", "不详", "张三", 1],          # row 2: no filing date
                ["(2025)鲁0902执2号", dt.datetime(2025, 3, 6), "李四", "若干"],  # row 3: amount unreadable
                ["(2025)鲁0902执3号", dt.datetime(2025, 3, 7), "李四", -5]]:    # row 4: negative amount
        first.append(row)
    second = wb.create_sheet("2024年")
    for row in [head, ["(2025)鲁0902执2号", dt.datetime(2025, 3, 6), "李四", 1],  # row 2: duplicate of 2025年 row 3
                ["(2024)鲁0902执9号", dt.datetime(2024, 3, 6), "王五", "很多"],  # row 3: amount unreadable
                ["(2024)鲁0902执8号", "", "王五", 1]]:                           # row 4: no filing date
        second.append(row)
    wb.save(tmp_path / "l.xlsx")
    ledger = load_ledger([tmp_path / "l.xlsx"])
    assert ledger.rejects[["sheet", "row"]].values.tolist() == [["2025年", 2], ["2024年", 2], ["2024年", 4]]
    assert ledger.problems[["sheet", "row", "value"]].values.tolist() == [
        ["2025年", 3, "若干"], ["2025年", 4, "-5"], ["2024年", 3, "很多"]]



def two_row_header(path: Path, below: list) -> Path:
    """当事人 over two columns and 执行标的 with its unit in the row below (no merged cells)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025年"
    ws.append(["序号", "案号", "立案日期", "当事人", None, "执行标的"])
    ws.append(below)
    ws.append([1, "(2025)鲁0902执1号", dt.datetime(2025, 1, 5), "张三", "某县人民政府", 2.5])
    wb.save(path)
    return path


def test_a_header_over_two_rows_without_merged_cells_is_read_as_one(tmp_path):
    """申请执行人 and 被执行人 below 当事人 (the second under a blank cell) are both mapped, the unit
    below 执行标的 joins it; the row of sub-headers is part of the header, not a case missing its
    number, and inspect says so."""
    path = two_row_header(tmp_path / "l.xlsx", [None, None, None, "申请执行人", "被执行人", "（万元）"])
    ledger = load_ledger([path])
    case = ledger.cases.iloc[0]
    assert (case["applicant"], case["respondent"], case["amount"], case["source_row"]) == (
        "张三", "某县人民政府", 25000.0, 3)
    assert ledger.rejects.empty and ledger.skipped.empty
    sheet = ledger.sheets[0]
    assert (sheet.header_row, sheet.rows_read, sheet.cases, sheet.note) == (1, 1, 1, "表头在第 1–2 行")
    assert {c.header: c.name for c in sheet.headers} == {"序号": "序号", "案号": "case_no", "立案日期": "filed_on", "申请执行人": "applicant",
                             "被执行人": "respondent", "执行标的（万元）": "amount"}


def test_a_row_below_the_header_that_holds_data_or_names_no_new_field_is_not_header(tmp_path):
    """A first case right below the header, with 被执行人 written in its 当事人 column, stays a case;
    a row of notes under the header naming no field is a row (rejected: its case number unreadable)."""
    path = two_row_header(tmp_path / "l.xlsx", [1, "(2025)鲁0902执9号", dt.datetime(2025, 1, 9), "申请执行人", "被执行人", 1])
    ledger = load_ledger([path])
    assert ledger.cases["case_no"].tolist() == ["(2025)鲁0902执9号", "(2025)鲁0902执1号"]
    assert ledger.sheets[0].note == "" and "当事人" in ledger.cases.columns
    path = two_row_header(tmp_path / "m.xlsx", [None, "填写说明：按立案先后", None, None, None, None])
    ledger = load_ledger([path])
    assert ledger.rejects[["row", "reason"]].values.tolist() == [[2, "案号无法识别"]]
    assert ledger.cases["case_no"].tolist() == ["(2025)鲁0902执1号"]


def test_units_alone_below_the_header_join_it(tmp_path):
    """A row holding only a unit below 执行标的 completes the header: （万元） multiplies, （元） does not."""
    path = two_row_header(tmp_path / "l.xlsx", [None, None, None, None, None, "（万元）"])
    ledger = load_ledger([path])
    assert ledger.cases["amount"].tolist() == [25000.0] and ledger.rejects.empty
    assert ledger.sheets[0].note == "表头在第 1–2 行"
    path = two_row_header(tmp_path / "m.xlsx", [None, None, None, None, None, "（元）"])
    assert load_ledger([path]).cases["amount"].tolist() == [2.5]


def test_a_two_row_header_repeated_down_the_sheet_is_skipped_whole(tmp_path):
    """A printed ledger repeats its header on every page: both rows of it are repeated headers."""
    path = two_row_header(tmp_path / "l.xlsx", [None, None, None, "申请执行人", "被执行人", "（万元）"])
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.append(["序号", "案号", "立案日期", "当事人", None, "执行标的"])
    ws.append([None, None, None, "申请执行人", "被执行人", "（万元）"])
    ws.append([2, "(2025)鲁0902执2号", dt.datetime(2025, 1, 6), "王五", "赵六", 1])
    ws.append([3, None, dt.datetime(2025, 1, 7), "钱七", "孙八", 1])  # a case without its number: rejected
    wb.save(path)
    ledger = load_ledger([path])
    assert ledger.cases["case_no"].tolist() == ["(2025)鲁0902执1号", "(2025)鲁0902执2号"]
    assert ledger.skipped[["row", "reason"]].values.tolist() == [[4, "重复的表头行"], [5, "重复的表头行"]]
    assert ledger.rejects[["row", "reason"]].values.tolist() == [[7, "缺少案号"]]


# --------------------------------------------------------------------------- --sheet


def full_width_names(path: Path) -> Path:
    """Sheets ２０２６年 台帐（一） (full-width digits and brackets, as some templates name them),
    2026年 台帐（二） and 其他, one case each."""
    wb = openpyxl.Workbook()
    for i, name in enumerate(["２０２６年 台帐（一）", "2026年 台帐（二）", "其他"], start=1):
        ws = wb.active if i == 1 else wb.create_sheet()
        ws.title = name
        ws.append(HEAD)
        ws.append([f"(2026)鲁0902执{i}号", dt.datetime(2026, 3, i), "张三"])
    wb.save(path)
    return path


def test_a_sheet_is_named_with_sheet_as_headers_are_matched(tmp_path):
    """--sheet matches a sheet name as headers are matched: full-width forms, brackets and spaces."""
    path = full_width_names(tmp_path / "l.xlsx")
    for asked in ["2026年 台帐(一)", "2026年台帐（一）", " ２０２６年  台帐(一)", "２０２６年 台帐（一）"]:
        ledger = load_ledger([path], sheets=[asked])
        assert ledger.cases["source_sheet"].tolist() == ["２０２６年 台帐（一）"], asked
    ledger = load_ledger([path], sheets=["2026年台帐(二)", "其他"])
    assert ledger.cases["source_sheet"].tolist() == ["2026年 台帐（二）", "其他"]
    result = runner.invoke(app, ["inspect", str(path), "--sheet", "2026年 台帐(一)"])
    assert result.exit_code == 0, result.output
    assert "loaded 1 case from 1 row" in result.stderr


def test_a_sheet_name_that_matches_no_sheet_still_lists_the_real_names(tmp_path):
    path = full_width_names(tmp_path / "l.xlsx")
    result = runner.invoke(app, ["inspect", str(path), "--sheet", "2026年 台帐(三)"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"backlog: error: {path}: no sheet named 2026年 台帐(三); sheets: ２０２６年 台帐（一）、2026年 台帐（二）、其他")


# --------------------------------------------------------------------------- chart sheets


def test_a_chart_sheet_is_said_to_be_one_not_an_empty_sheet(tmp_path):
    """A chart sheet (Excel's 移动图表 to a new sheet) and a worksheet holding only a chart are
    图表工作表，未读取; a blank worksheet stays 空工作表."""
    from openpyxl.chart import BarChart, Reference

    path = tmp_path / "l.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2026年"
    ws.append([*HEAD, "执行标的"])
    for i in range(1, 4):
        ws.append([f"(2026)鲁0902执{i}号", dt.datetime(2026, 1, i), "张三", 100 * i])

    def chart() -> BarChart:
        made = BarChart()
        made.add_data(Reference(ws, min_col=4, min_row=1, max_row=4), titles_from_data=True)
        return made

    wb.create_chartsheet("图表").add_chart(chart())
    wb.create_sheet("统计图").add_chart(chart(), "B2")
    wb.create_sheet("空白")
    wb.save(path)
    ledger = load_ledger([path])
    assert [(s.sheet, s.note) for s in ledger.sheets] == [
        ("2026年", ""), ("图表", "图表工作表，未读取"), ("统计图", "图表工作表，未读取"), ("空白", "空工作表")]
    assert len(ledger.cases) == 3 and ledger.warnings == []
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("图表工作表，未读取") == 2


CASE_OVER_ROWS = ["案号", "立案日期", "申请执行人", "被执行人", "案由", "执行标的", "承办人", "结案日期", "结案方式"]
LEDGERS = Path(__file__).parent / "fixtures" / "ledgers"


def case_over_rows(path: Path) -> Path:
    """Cases written over several rows, their 案号 cell merged down: 执1号 over rows 2-3, every cell
    but 被执行人 merged (a 村委会 its second respondent); 执2号 typed again on row 5, not merged; 执3号
    over rows 6-7 with a different 执行标的 on row 7; 执4号 over rows 8-10, two applicants, a
    respondent named twice and its 结案日期 on row 8 alone. fixtures/ledgers/case-over-rows.xls and
    .ods were saved from this workbook with LibreOffice."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025年"
    ws.append(CASE_OVER_ROWS)
    ws.append(["(2025)鲁0902执1号", dt.datetime(2025, 1, 5), "张三", "李四", "建设工程施工合同纠纷", 100000, "王磊"])
    ws.append([None, None, None, "岱北县北集镇大柳村民委员会"])
    for col in "ABCEFGHI":
        ws.merge_cells(f"{col}2:{col}3")
    ws.append(["(2025)鲁0902执2号", dt.datetime(2025, 2, 5), "赵六", "钱七", "借款合同纠纷", 5000, "王磊"])
    ws.append(["(2025)鲁0902执2号", dt.datetime(2025, 2, 5), "赵六", "孙八", "借款合同纠纷", 5000, "王磊"])
    ws.append(["(2025)鲁0902执3号", dt.datetime(2025, 3, 5), "周九", "吴十", "借款合同纠纷", 5000, "李娜"])
    ws.append([None, None, None, "郑十一", None, 8000])
    ws.append(["(2025)鲁0902执4号", dt.datetime(2025, 4, 5), "丙", "甲", "买卖合同纠纷", 3000, "李娜",
               dt.datetime(2026, 10, 9), "执行完毕"])
    ws.append([None, None, None, "乙"])
    ws.append([None, None, "丁", "甲"])
    for cells in ("A6:A7", "B6:B7", "A8:A10", "B8:B10", "E8:E10", "F8:F10", "G8:G10"):
        ws.merge_cells(cells)
    wb.save(path)
    return path


def test_a_row_below_a_merged_case_number_with_another_yes_or_no_is_rejected_naming_it(tmp_path):
    """A yes/no the row below does not share (是否涉信访 是 on the case's first row, 否 below) is not
    guessed at: the row is rejected, the reason naming the field and both values as tables show
    them (是 与 否, not True 与 False); its respondent is not joined to the case's."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台帐"
    ws.append(["案号", "立案日期", "被执行人", "承办人", "是否涉信访"])
    ws.append(["(2025)鲁0902执1号", dt.datetime(2025, 1, 5), "李四", "王磊", "是"])
    ws.append([None, None, "赵五", None, "否"])
    for col in "ABD":
        ws.merge_cells(f"{col}2:{col}3")
    wb.save(tmp_path / "l.xlsx")
    result = runner.invoke(app, ["classify", str(tmp_path / "l.xlsx"), "--as-of", "2026-11-23", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert ("rejected: l.xlsx [台帐] row 3: (2025)鲁0902执1号: 案号重复：与 台帐 第2行 重复（案号单元格合并），"
            "但两行不同（是否涉信访：是 与 否），请核对后只留一行") in result.stderr
    cases = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(c["respondent"], c["petition"]) for c in cases] == [("李四", "True")]


def case_over_rows_undated(path: Path) -> Path:
    """Cases written over rows with only the 案号 cell merged down, the rows below leaving 立案日期
    blank: 执1号 over rows 2-3, its second respondent (a 村委会) alone on row 3; 执2号 over rows 4-5,
    row 5 with a 立案日期 of its own; 执3号 typed again on row 7, not merged, without a date; 执4号
    over rows 8-9 whose first row has no date either. fixtures/ledgers/case-over-rows-undated.xls
    and .ods were saved from this workbook with LibreOffice."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025年"
    ws.append(CASE_OVER_ROWS)
    ws.append(["(2025)鲁0902执1号", dt.datetime(2025, 1, 5), "张三", "李四", "建设工程施工合同纠纷", 100000, "王磊"])
    ws.append([None, None, None, "岱北县北集镇大柳村民委员会"])
    ws.append(["(2025)鲁0902执2号", dt.datetime(2025, 2, 5), "赵六", "钱七", "借款合同纠纷", 5000, "王磊"])
    ws.append([None, dt.datetime(2025, 2, 6), None, "孙八"])
    ws.append(["(2025)鲁0902执3号", dt.datetime(2025, 3, 5), "周九", "吴十", "借款合同纠纷", 5000, "李娜"])
    ws.append(["(2025)鲁0902执3号", None, None, "郑十一"])
    ws.append(["(2025)鲁0902执4号", None, "丙", "甲", "买卖合同纠纷", 3000, "李娜"])
    ws.append([None, None, None, "乙"])
    for cells in ("A2:A3", "A4:A5", "A8:A9"):
        ws.merge_cells(cells)
    wb.save(path)
    return path


@pytest.mark.parametrize("made", ["xlsx", "xls", "ods"])
def test_a_row_below_a_merged_case_number_may_leave_its_filing_date_blank(tmp_path, made):
    """A clerk who merged only the 案号 cell and typed the case's second 被执行人 on the row below
    left its 立案日期 blank: the row was rejected as 缺少立案日期 and the case lost that respondent,
    and with it the 村委会's category. A blank 立案日期 agrees, as every other blank does: the row is
    the case's continuation. A row below with a date of its own is rejected naming both, a number
    typed again on a row of its own without a date is rejected for that, and a case whose first row
    has none is rejected with its rows below, naming it. The same in .xls and .ods."""
    path = case_over_rows_undated(tmp_path / "l.xlsx") if made == "xlsx" else LEDGERS / f"case-over-rows-undated.{made}"
    result = runner.invoke(app, ["classify", str(path), "--as-of", "2026-11-23", "-f", "csv"])
    assert result.exit_code == 0, result.output
    cases = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(c["case_no"][-3:], c["source_row"], c["respondent"]) for c in cases] == [
        ("执1号", "2", "李四、岱北县北集镇大柳村民委员会"), ("执2号", "4", "钱七"), ("执3号", "6", "吴十")]
    assert "special_subject" in cases[0]["categories"].split(";")
    name = path.name
    assert "loaded 3 cases from 8 rows; skipped 1 row (同一案件的续行（案号单元格合并） 1); 4 rejected" in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("rejected:")] == [
        f"rejected: {name} [2025年] row 5: (2025)鲁0902执2号: 案号重复：与 2025年 第4行 重复（案号单元格合并），"
        "但两行不同（立案日期：2025-02-05 与 2025-02-06），请核对后只留一行",
        f"rejected: {name} [2025年] row 7: (2025)鲁0902执3号: 缺少立案日期",
        f"rejected: {name} [2025年] row 8: (2025)鲁0902执4号: 缺少立案日期",
        f"rejected: {name} [2025年] row 9: (2025)鲁0902执4号: 所属案件（第8行）被拒：缺少立案日期"]
    shown = runner.invoke(app, ["inspect", str(path)])
    assert shown.exit_code == 0, shown.output
    assert re.search(rf"│ {re.escape(name)} +│ 2025年 │ +3 │ 同一案件的续行（案号单元格合并） │", shown.stdout), shown.stdout


@pytest.mark.parametrize("made", ["xlsx", "xls", "ods"])
def test_a_case_written_over_rows_under_one_merged_case_number_is_one_case(tmp_path, made):
    """Rows under one 案号 cell merged down are one case: its text fields join the rows' values with
    、 (so 执1号's 村委会 respondent puts it in special_subject), the rows below are skipped as
    its continuation; a row below with another amount is rejected naming it, and a case number
    typed again, not merged, is rejected as a duplicate as before. The same in .xls and .ods, whose
    merged ranges are found otherwise."""
    path = case_over_rows(tmp_path / "l.xlsx") if made == "xlsx" else LEDGERS / f"case-over-rows.{made}"
    result = runner.invoke(app, ["classify", str(path), "--as-of", "2026-11-23", "-f", "csv"])
    assert result.exit_code == 0, result.output
    cases = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(c["case_no"][-3:], c["source_row"], c["applicant"], c["respondent"], c["closed_on"]) for c in cases] == [
        ("执1号", "2", "张三", "李四、岱北县北集镇大柳村民委员会", ""), ("执2号", "4", "赵六", "钱七", ""),
        ("执3号", "6", "周九", "吴十", ""), ("执4号", "8", "丙、丁", "甲、乙", "2026-10-09")]
    assert "special_subject" in cases[0]["categories"].split(";")
    assert "loaded 4 cases from 9 rows; skipped 3 rows (同一案件的续行（案号单元格合并） 3); 2 rejected" in result.stderr
    name = path.name
    assert (f"rejected: {name} [2025年] row 5: (2025)鲁0902执2号: 案号重复：与 2025年 第4行 重复\n") in result.stderr
    assert (f"rejected: {name} [2025年] row 7: (2025)鲁0902执3号: 案号重复：与 2025年 第6行 重复（案号单元格合并），"
            "但两行不同（执行标的（元）：5000 与 8000），请核对后只留一行") in result.stderr
    shown = runner.invoke(app, ["inspect", str(path)])
    assert shown.exit_code == 0, shown.output
    for row in (3, 9, 10):
        assert re.search(rf"│ {re.escape(name)} +│ 2025年 │ +{row} │ 同一案件的续行（案号单元格合并） │", shown.stdout), shown.stdout


def case_over_rows_rejected(path: Path) -> Path:
    """Cases written over rows under a merged 案号 cell whose first row is rejected: 执1号 over rows
    2-3 filed in 2062 (a typing slip for 2026), its second respondent on row 3; 执2号 over rows 4-5
    whose 立案日期 待补 cannot be read, row 5 leaving it blank; 执3号 over rows 6-7, 待补 on row 6 and a
    立案日期 of its own on row 7; 执4号 typed on row 8, then again over rows 9-10 (a duplicate); 执5号
    over rows 11-12, a case. fixtures/ledgers/case-over-rows-rejected.xls and .ods were saved from
    this workbook with LibreOffice."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025年"
    ws.append(CASE_OVER_ROWS)
    ws.append(["(2025)鲁0902执1号", dt.datetime(2062, 1, 5), "张三", "李四", "借款合同纠纷", 1000, "王磊"])
    ws.append([None, None, None, "岱北县北集镇大柳村民委员会"])
    ws.append(["(2025)鲁0902执2号", "待补", "赵六", "钱七", "借款合同纠纷", 2000, "王磊"])
    ws.append([None, None, None, "孙八"])
    ws.append(["(2025)鲁0902执3号", "待补", "周九", "吴十", "借款合同纠纷", 3000, "李娜"])
    ws.append([None, dt.datetime(2025, 3, 5), None, "郑十一"])
    ws.append(["(2025)鲁0902执4号", dt.datetime(2025, 4, 5), "丙", "甲", "买卖合同纠纷", 4000, "李娜"])
    ws.append(["(2025)鲁0902执4号", dt.datetime(2025, 4, 5), "丙", "甲", "买卖合同纠纷", 4000, "李娜"])
    ws.append([None, None, None, "乙"])
    ws.append(["(2025)鲁0902执5号", dt.datetime(2025, 5, 5), "丁", "戊", "买卖合同纠纷", 5000, "李娜"])
    ws.append([None, None, None, "己"])
    for cells in ("A2:A3", "A4:A5", "A6:A7", "A9:A10", "A11:A12"):
        ws.merge_cells(cells)
    wb.save(path)
    return path


@pytest.mark.parametrize("made", ["xlsx", "xls", "ods"])
def test_the_rows_below_a_rejected_first_row_are_rejected_with_it(tmp_path, made):
    """When the first row of a case written over rows under a merged 案号 cell was rejected (filed
    after today, a 立案日期 that cannot be read, a duplicate), the rows below were skipped as its
    continuation, rejected for a blank 立案日期 of their own, or even read as the case: the clerk saw
    rows said to belong to a case that is in no output. They follow their first row, rejected
    naming it and why; the counts still add up, and classify, inspect and the errors file agree.
    The same in .xls and .ods."""
    path = case_over_rows_rejected(tmp_path / "l.xlsx") if made == "xlsx" else LEDGERS / f"case-over-rows-rejected.{made}"
    name = path.name
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["classify", str(path), "--as-of", "2026-11-23", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8-sig", newline="") as f:
        cases = list(csv.DictReader(f))
    assert [(c["case_no"][-3:], c["source_row"], c["respondent"]) for c in cases] == [
        ("执4号", "8", "甲"), ("执5号", "11", "戊、己")]
    rejected = [
        ("2", "(2025)鲁0902执1号", "立案日期晚于今天：“2062-01-05”（是否录入有误？）"),
        ("3", "(2025)鲁0902执1号", "所属案件（第2行）被拒：立案日期晚于今天：“2062-01-05”（是否录入有误？）"),
        ("4", "(2025)鲁0902执2号", "立案日期无法识别：“待补”"),
        ("5", "(2025)鲁0902执2号", "所属案件（第4行）被拒：立案日期无法识别：“待补”"),
        ("6", "(2025)鲁0902执3号", "立案日期无法识别：“待补”"),
        ("7", "(2025)鲁0902执3号", "所属案件（第6行）被拒：立案日期无法识别：“待补”"),
        ("9", "(2025)鲁0902执4号", "案号重复：与 2025年 第8行 重复"),
        ("10", "(2025)鲁0902执4号", "所属案件（第9行）被拒：案号重复：与 2025年 第8行 重复")]
    assert "loaded 2 cases from 11 rows; skipped 1 row (同一案件的续行（案号单元格合并） 1); 8 rejected" in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("rejected:")] == [
        f"rejected: {name} [2025年] row {row}: {case_no}: {reason}" for row, case_no, reason in rejected]
    with open(tmp_path / "out.errors.csv", encoding="utf-8-sig", newline="") as f:
        assert [tuple(r) for r in csv.reader(f)] == [
            ("文件", "工作表", "行号", "案号", "原因"), *((str(path), "2025年", *r) for r in rejected)]
    shown = runner.invoke(app, ["inspect", str(path)])
    assert shown.exit_code == 0, shown.output
    assert re.search(r"│ 2025年 +│ +1 +│ +11 +│ +2 +│ +1 +│ +8 +│", shown.stdout), shown.stdout
    assert re.search(rf"│ {re.escape(name)} +│ 2025年 │ +12 │ 同一案件的续行（案号单元格合并） │", shown.stdout), shown.stdout
    for row, _, reason in rejected:
        assert re.search(rf"│ {re.escape(name)} +│ 2025年 │ +{row} │ {re.escape(reason[:12])}", shown.stdout), shown.stdout


def case_over_rows_typed_again(path: Path) -> Path:
    """Cases written over rows under a merged 案号 cell whose first row is rejected, each row below
    with a 立案日期 of its own, and each number typed again further down and on another sheet: 执1号
    over rows 2-3 filed in 2062 (a typing slip for 2026); 执3号 over rows 4-5 whose 立案日期 待补
    cannot be read; 执6号 over rows 6-7 whose first row has none; rows 8-10 of 2025年 and 2-4 of
    2026年 type the three numbers again, in full. fixtures/ledgers/case-over-rows-typed-again.xls
    and .ods were saved from this workbook with LibreOffice."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025年"
    ws.append(CASE_OVER_ROWS)
    ws.append(["(2025)鲁0902执1号", dt.datetime(2062, 1, 5), "张三", "李四", "借款合同纠纷", 1000, "王磊"])
    ws.append([None, dt.datetime(2025, 1, 5), None, "王五"])
    ws.append(["(2025)鲁0902执3号", "待补", "周九", "吴十", "借款合同纠纷", 3000, "李娜"])
    ws.append([None, dt.datetime(2025, 3, 5), None, "郑十一"])
    ws.append(["(2025)鲁0902执6号", None, "丙", "甲", "买卖合同纠纷", 6000, "李娜"])
    ws.append([None, dt.datetime(2025, 6, 5), None, "乙"])
    typed_again = [["(2025)鲁0902执1号", dt.datetime(2025, 1, 5), "张三", "李四", "借款合同纠纷", 1000, "王磊"],
                   ["(2025)鲁0902执3号", dt.datetime(2025, 3, 5), "周九", "吴十", "借款合同纠纷", 3000, "李娜"],
                   ["(2025)鲁0902执6号", dt.datetime(2025, 6, 5), "丙", "甲", "买卖合同纠纷", 6000, "李娜"]]
    for row in typed_again:
        ws.append(row)
    for cells in ("A2:A3", "A4:A5", "A6:A7"):
        ws.merge_cells(cells)
    other = wb.create_sheet("2026年")
    other.append(CASE_OVER_ROWS)
    for row in typed_again:
        other.append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize("made", ["xlsx", "xls", "ods"])
def test_a_number_typed_again_is_no_duplicate_of_a_row_below_a_rejected_first_row(tmp_path, made):
    """A row below a merged 案号 cell with a 立案日期 of its own, its first row rejected (a 立案日期
    that cannot be read, or none), was still a case when duplicates were looked for: the same number
    typed again further down was rejected as a duplicate of that row (案号重复：与 2025年 第5行 重复),
    itself rejected with its first row, so the case was in no output. The rows below are out of it
    as their first row is, as those of a case filed after today already were: the number typed
    again is the case, and a third copy on another sheet its duplicate; the counts still add up.
    The same in .xls and .ods."""
    path = case_over_rows_typed_again(tmp_path / "l.xlsx") if made == "xlsx" else LEDGERS / f"case-over-rows-typed-again.{made}"
    name = path.name
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["classify", str(path), "--as-of", "2026-11-23", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8-sig", newline="") as f:
        cases = list(csv.DictReader(f))
    assert [(c["case_no"][-3:], c["source_sheet"], c["source_row"], c["respondent"]) for c in cases] == [
        ("执1号", "2025年", "8", "李四"), ("执3号", "2025年", "9", "吴十"), ("执6号", "2025年", "10", "甲")]
    rejected = [
        ("2025年", "2", "(2025)鲁0902执1号", "立案日期晚于今天：“2062-01-05”（是否录入有误？）"),
        ("2025年", "3", "(2025)鲁0902执1号", "所属案件（第2行）被拒：立案日期晚于今天：“2062-01-05”（是否录入有误？）"),
        ("2025年", "4", "(2025)鲁0902执3号", "立案日期无法识别：“待补”"),
        ("2025年", "5", "(2025)鲁0902执3号", "所属案件（第4行）被拒：立案日期无法识别：“待补”"),
        ("2025年", "6", "(2025)鲁0902执6号", "缺少立案日期"),
        ("2025年", "7", "(2025)鲁0902执6号", "所属案件（第6行）被拒：缺少立案日期"),
        ("2026年", "2", "(2025)鲁0902执1号", "案号重复：与 2025年 第8行 重复"),
        ("2026年", "3", "(2025)鲁0902执3号", "案号重复：与 2025年 第9行 重复"),
        ("2026年", "4", "(2025)鲁0902执6号", "案号重复：与 2025年 第10行 重复")]
    assert "loaded 3 cases from 12 rows; 9 rejected" in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("rejected:")] == [
        f"rejected: {name} [{sheet}] row {row}: {case_no}: {reason}" for sheet, row, case_no, reason in rejected]
    with open(tmp_path / "out.errors.csv", encoding="utf-8-sig", newline="") as f:
        assert [tuple(r) for r in csv.reader(f)] == [("文件", "工作表", "行号", "案号", "原因"), *((str(path), *r) for r in rejected)]
    shown = runner.invoke(app, ["inspect", str(path)])
    assert shown.exit_code == 0, shown.output
    assert re.search(r"│ 2025年 +│ +1 +│ +9 +│ +3 +│ +0 +│ +6 +│", shown.stdout), shown.stdout
    assert re.search(r"│ 2026年 +│ +1 +│ +3 +│ +0 +│ +0 +│ +3 +│", shown.stdout), shown.stdout
    ledger = load_ledger([path])
    assert [(s.sheet, s.rows_read, s.cases + s.skipped + s.rejected) for s in ledger.sheets] == [("2025年", 9, 9), ("2026年", 3, 3)]
