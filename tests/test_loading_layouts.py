"""Ledgers as courts keep them: Excel's lock file beside the workbook, header variants, footer rows
under the table, two case numbers in one cell, a sheet whose header lacks a column the others have,
the same case twice with different values."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from backlog_cli.cli import app
from backlog_cli.errors import LedgerError
from backlog_cli.loading import load_ledger
from backlog_cli.workbook import ledger_files

HEAD = ["案号", "立案日期", "承办人"]


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def one_case(path: Path) -> Path:
    return workbook(path, {"台帐": [HEAD, ["(2026)鲁0902执1号", dt.datetime(2026, 3, 1), "张三"]]})


def test_excel_lock_file_named_by_a_wildcard_is_skipped_with_a_note(tmp_path):
    ledger_file = one_case(tmp_path / "台帐.xlsx")
    lock = tmp_path / "~$台帐.xlsx"
    lock.write_bytes(b"\x06wangmou" + b"\x00" * 40)  # what Excel writes: who has the workbook open
    ledger = load_ledger([lock, ledger_file])
    assert ledger.cases["case_no"].tolist() == ["(2026)鲁0902执1号"]
    assert ledger.notes == [f"{lock}: skipped: the lock file Excel or WPS keeps beside a workbook while it is open "
                            "(~$ before the name), not a ledger"]
    assert [s.file for s in ledger.sheets] == [str(ledger_file)]


def test_a_lock_file_named_alone_is_an_error_naming_it(tmp_path):
    lock = tmp_path / "~$台帐.xlsx"
    lock.write_bytes(b"\x06wangmou")
    with pytest.raises(LedgerError, match=r"~\$台帐\.xlsx: the lock file Excel or WPS keeps .*name the workbook itself"):
        load_ledger([lock])


def test_a_folder_is_read_as_its_ledger_files_in_name_order(tmp_path):
    """One workbook per officer or per year in a folder: each .xlsx/.xls/.ods/.csv/.tsv in it, in
    name order; notes (.txt), hidden files, backlog's own errors and problems lists, subfolders and
    a lock file (noted) are not read."""
    folder = tmp_path / "台帐"
    (folder / "旧").mkdir(parents=True)
    workbook(folder / "2张三.xlsx", {"台帐": [HEAD, ["(2026)鲁0902执2号", dt.datetime(2026, 3, 2), "张三"]]})
    (folder / "1李四.csv").write_text("案号,立案日期,承办人\n(2026)鲁0902执1号,2026-03-01,李四\n", encoding="utf-8")
    for name in ("说明.txt", ".隐藏.csv", "结果.errors.csv", "结果.problems.csv", "旧/3.csv"):
        (folder / name).write_text("案号,立案日期\n(2026)鲁0902执9号,2026-03-09\n", encoding="utf-8")
    (folder / "~$2张三.xlsx").write_bytes(b"\x06wangmou")
    ledger = load_ledger([folder])
    assert ledger.cases["case_no"].tolist() == ["(2026)鲁0902执1号", "(2026)鲁0902执2号"]
    assert [Path(s.file).name for s in ledger.sheets] == ["1李四.csv", "2张三.xlsx"]
    assert ledger.notes == [f"{folder / '~$2张三.xlsx'}: skipped: the lock file Excel or WPS keeps beside a workbook "
                            "while it is open (~$ before the name), not a ledger"]


def test_a_wildcard_names_the_files_it_matches(tmp_path):
    """A Windows prompt passes 台帐/*.xlsx on as typed: backlog matches it, in name order."""
    for name in ("b.xlsx", "a.xlsx"):
        one_case(tmp_path / name)
    (tmp_path / "c.csv").write_text("案号,立案日期\n(2026)鲁0902执3号,2026-03-03\n", encoding="utf-8")
    one_case(tmp_path / "c.XLSX")  # copied from Windows: matched as Windows matches it
    one_case(tmp_path / ".d.xlsx")  # hidden, and an earlier output's list beside it: left out, as in a folder
    (tmp_path / "结果.errors.csv").write_text("文件,工作表,行号,案号,原因\n", encoding="utf-8")
    assert [p.name for p in ledger_files([tmp_path / "*.csv"])] == ["c.csv"]
    ledger = load_ledger([tmp_path / "*.xlsx"])
    assert [Path(s.file).name for s in ledger.sheets] == ["a.xlsx", "b.xlsx", "c.XLSX"]
    with pytest.raises(LedgerError, match=r"\*\.ods: no file matches"):
        load_ledger([tmp_path / "*.ods"])
    (tmp_path / "空").mkdir()
    with pytest.raises(LedgerError, match=r"空: a folder with no ledger file in it \(\.csv, \.ods"):
        load_ledger([tmp_path / "空"])


def test_a_wildcard_in_a_folder_names_the_files_it_matches(tmp_path):
    """*/台帐.csv names each team folder's ledger, as the wildcard's folders are matched: it was
    refused as no such file, its last part being no pattern."""
    for team, n in (("一组", 1), ("二组", 2)):
        (tmp_path / team).mkdir()
        (tmp_path / team / "台帐.csv").write_text(f"案号,立案日期\n(2026)鲁0902执{n}号,2026-03-0{n}\n", encoding="utf-8")
    assert ledger_files([tmp_path / "*" / "台帐.csv"]) == [tmp_path / "一组" / "台帐.csv", tmp_path / "二组" / "台帐.csv"]
    with pytest.raises(LedgerError, match=r"\*/无\.csv: no file matches"):
        ledger_files([tmp_path / "*" / "无.csv"])


def test_common_header_variants_are_known(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {"台帐": [
        ["案号", "立案日期", "承办人员", "执结日期", "执结方式", "执行标的金额（万元）"],
        ["(2026)鲁0902执1号", dt.datetime(2026, 3, 1), "张三", dt.datetime(2026, 9, 1), "执行完毕", 2.5],
    ]})
    case = load_ledger([path]).cases.iloc[0]
    assert (case["officer"], case["closed_on"], case["close_method"], case["amount"]) == (
        "张三", pd.Timestamp("2026-09-01"), "执行完毕", 25_000.0)



def test_rows_under_the_table_that_count_note_or_sign_are_skipped(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {"台账": [
        ["序号", *HEAD],
        [1, "(2026)鲁0902执101号", dt.datetime(2026, 1, 1), "张三"],
        [None, "共计2件", None, None],
        [None, "本月新收 2 件，结案 0 件", None, None],
        ["注：本表由综合组每月28日前更新。", None, None, None],
        ["填表人：王某", None, "审核人：李某", None],
        [2, None, dt.datetime(2026, 1, 2), "张三"],  # a case without its number: still rejected
        [3, "注：待补", dt.datetime(2026, 1, 3), "张三"],  # its first cell is 3: not a footer row
    ]})
    ledger = load_ledger([path])
    assert ledger.skipped[["row", "reason"]].values.tolist() == [
        [3, "合计行"], [4, "表尾说明行"], [5, "表尾说明行"], [6, "表尾说明行"]]
    assert ledger.rejects[["row", "reason"]].values.tolist() == [[7, "缺少案号"], [8, "案号无法识别"]]
    assert (ledger.sheets[0].rows_read, ledger.sheets[0].cases, ledger.sheets[0].skipped) == (7, 1, 4)


NOTES_BELOW = [["备注"], ["备注：本表数据截至2026年11月20日"], ["说 明"], ["填表说明"], ["注"], ["附注："]]


@pytest.mark.parametrize("serial", [False, True], ids=["in 案号", "in 序号"])
def test_a_lone_heading_over_the_notes_under_the_table_is_skipped_with_them(tmp_path, serial):
    """A row holding only 备注 (说明, 注, 附注, 填表说明) far below the table, heading the note
    below it (备注：本表数据截至…), was rejected as 案号无法识别 (缺少案号 in a 序号 column, where 备注
    and 说明 were even taken for the header repeated, with a warning to make it one table), while the
    note was skipped as 表尾说明行. It is skipped as one too. A row holding such a word beside another
    value, or a case number, stays a case or a reject."""
    lead = [None] if serial else []
    rows = [["序号", *HEAD] if serial else HEAD,
            [*([1] if serial else []), "(2026)鲁0902执1号", dt.datetime(2026, 1, 1), "张三"],
            [*([2] if serial else []), "(2026)鲁0902执2号", dt.datetime(2026, 1, 2), "张三"],
            *[[] for _ in range(30)], *NOTES_BELOW,
            ["备注", *lead, None, "张三"],  # beside an officer: no heading alone
            ["说明", *lead, dt.datetime(2026, 1, 3)] if not serial else ["说明", "说明", dt.datetime(2026, 1, 3)],
            [*lead, "(2026)鲁0902执3号", dt.datetime(2026, 1, 4), "备注"]]
    path = workbook(tmp_path / "l.xlsx", {"台账": rows})
    result = CliRunner().invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    missing = "缺少案号" if serial else "案号无法识别"
    assert "loaded 3 cases from 41 rows; skipped 36 rows (空行 30, 表尾说明行 6); 2 rejected" in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith(("rejected:", "warning:"))] == [
        f"rejected: l.xlsx [台账] row 40: {'-' if serial else '备注'}: {missing}",
        "rejected: l.xlsx [台账] row 41: 说明: 案号无法识别"]
    for row in range(34, 40):
        assert re.search(rf"│ l\.xlsx │ 台账 +│ +{row} │ 表尾说明行 │", result.stdout), result.stdout


def test_two_case_numbers_in_one_cell_are_rejected_saying_so(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text('案号,立案日期\n"(2026)鲁0902执1号\n(2026)鲁0902执2号",2026-01-01\n'
                    "(2026)鲁0902执10号、（2026）鲁0902执11号,2026-01-01\n(2026)鲁0902执3号、备注,2026-01-01\n",
                    encoding="utf-8")
    ledger = load_ledger([path])
    assert ledger.rejects["reason"].tolist() == ["案号无法识别：一个单元格含2个案号，请分成2行，每行一个案号"] * 2 + ["案号无法识别"]


def test_a_two_row_header_with_group_cells_is_joined(tmp_path):
    """立案 over 日期, 结案 over 日期 | 方式 (the group cells merged across, 序号 and 案号 down)."""
    path = tmp_path / "l.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["执行积案台账"])
    ws.append(["序号", "案号", "立案", None, "结案", None])
    ws.append([None, None, "日期", "执行标的（元）", "日期", "方式"])
    ws.append([1, "(2026)鲁0902执13号", dt.datetime(2026, 1, 5), 30000, dt.datetime(2026, 10, 1), "执行完毕"])
    for cells in ("A2:A3", "B2:B3", "E2:F2"):
        ws.merge_cells(cells)
    wb.save(path)
    ledger = load_ledger([path])
    case = ledger.cases.iloc[0]
    assert (case["filed_on"], case["amount"], case["closed_on"], case["close_method"]) == (
        pd.Timestamp("2026-01-05"), 30000.0, pd.Timestamp("2026-10-01"), "执行完毕")
    assert (ledger.sheets[0].header_row, ledger.sheets[0].note) == (2, "表头在第 2–3 行")


def merged_workbook(path: Path, rows: list[list], merges: tuple[str, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台帐"
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    wb.save(path)
    return path


FILED = dt.datetime(2026, 1, 5)


@pytest.mark.parametrize("rows, merges", [
    # the unit in the group cell over both amounts
    ([["案号", "立案日期", "金额（万元）", None], [None, None, "执行标的", "未履行金额"],
      ["(2026)鲁0902执1号", FILED, 12.5, 10]], ("A1:A2", "B1:B2", "C1:D1")),
    # the unit alone, without brackets, in the row below each amount
    ([["案号", "立案日期", "执行标的", "未履行金额"], [None, None, "万元", "单位：万元"],
      ["(2026)鲁0902执1号", FILED, 12.5, 10]], ("A1:A2", "B1:B2")),
    # 单位： inside the brackets
    ([["案号", "立案日期", "执行标的（单位：万元）", "未履行金额(单位:人民币万元)"], ["(2026)鲁0902执1号", FILED, 12.5, 10]], ()),
])
def test_a_unit_of_ten_thousand_is_read_wherever_the_header_says_it(tmp_path, rows, merges):
    case = load_ledger([merged_workbook(tmp_path / "l.xlsx", rows, merges)]).cases.iloc[0]
    assert (case["amount"], case["unperformed"]) == (125_000.0, 100_000.0)


@pytest.mark.parametrize("rows, merges", [
    ([["案号", "立案日期", "执行标的（千元）", "未履行金额(单位:千元)"], ["(2026)鲁0902执1号", FILED, 12.5, "10"]], ()),
    ([["案号", "立案日期", "执行标的", "未履行金额"], [None, None, "（千元）", "千元"],
      ["(2026)鲁0902执1号", FILED, 12.5, "10"]], ("A1:A2", "B1:B2")),
    ([["案号", "立案日期", "金额（千元）", None], [None, None, "执行标的", "未履行金额"],
      ["(2026)鲁0902执1号", FILED, 12.5, "10"]], ("A1:A2", "B1:B2", "C1:D1")),
])
def test_a_unit_of_a_thousand_is_read_wherever_the_header_says_it(tmp_path, rows, merges):
    """千元 as financial statements write it: 12.5 is 12,500 元 (the header was not known, or its
    unit row rejected as 缺少案号 and the amounts read in 元, a thousand times too small)."""
    ledger = load_ledger([merged_workbook(tmp_path / "l.xlsx", rows, merges)])
    assert ledger.rejects.empty
    case = ledger.cases.iloc[0]
    assert (case["amount"], case["unperformed"]) == (12_500.0, 10_000.0)


def test_a_group_cell_s_unit_is_not_given_to_an_amount_with_its_own(tmp_path):
    rows = [["案号", "立案日期", "金额（万元）", None], [None, None, "执行标的（元）", "未履行金额"],
            ["(2026)鲁0902执1号", FILED, 125000, 10]]
    case = load_ledger([merged_workbook(tmp_path / "l.xlsx", rows, ("A1:A2", "B1:B2", "C1:D1"))]).cases.iloc[0]
    assert (case["amount"], case["unperformed"]) == (125_000.0, 100_000.0)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_unit_in_a_third_header_row_is_read(tmp_path, suffix):
    """当事人 over 申请执行人 and 被执行人, 结案 over 日期 and 方式, and （万元） under 执行标的 in a
    third row: that row was skipped as a repeated header and 12.5 read as 12.5 元, with nothing said."""
    rows = [["执行案件台帐"],
            ["案号", "立案日期", "当事人", None, "执行标的", "结案", None],
            [None, None, "申请执行人", "被执行人", None, "日期", "方式"],
            [None, None, None, None, "（万元）", None, None],
            ["(2025)鲁0902执1号", "2025-01-02", "甲", "乙", 12.5, "2025-05-01", "执行完毕"]]
    if suffix == ".xlsx":
        path = merged_workbook(tmp_path / "l.xlsx", rows, ("A2:A4", "B2:B4", "C2:D2", "E2:E3", "F2:G2"))
    else:
        path = tmp_path / "l.csv"
        path.write_text("\n".join(",".join("" if v is None else str(v) for v in row) for row in rows), encoding="utf-8")
    ledger = load_ledger([path])
    assert ledger.cases[["applicant", "respondent", "amount", "closed_on", "close_method"]].values.tolist() == [
        ["甲", "乙", 125_000.0, pd.Timestamp("2025-05-01"), "执行完毕"]]
    assert ledger.skipped.empty and ledger.rejects.empty
    assert (ledger.sheets[0].header_row, ledger.sheets[0].note) == (2, "表头在第 2–4 行")


@pytest.mark.parametrize("title", ["单位：万元", "金额单位：人民币万元", "填报单位：执行局　　单位：万元"])
def test_a_unit_the_rows_above_the_header_state_is_read_for_the_amounts(tmp_path, title):
    """单位：万元 written above the table (at its top right, or under the title) is the unit of its
    amounts, not of one that gives its own: 12.5 under 执行标的 was read as 12.5 元 with nothing
    said. A header repeated below without the unit reads as the first, with no warning."""
    from typer.testing import CliRunner

    from backlog_cli.cli import app

    path = merged_workbook(tmp_path / "l.xlsx", [
        ["执行案件台帐"], [None, None, None, title],
        ["案号", "立案日期", "执行标的", "未履行金额（元）"],
        ["(2026)鲁0902执1号", FILED, 12.5, 3000],
        ["案号", "立案日期", "执行标的", "未履行金额（元）"],
        ["(2026)鲁0902执2号", FILED, "3", 100]])
    result = CliRunner().invoke(app, ["classify", str(path), "--as-of", "2026-11-23", "--format", "csv"])
    assert result.exit_code == 0, result.output
    cases = pd.read_csv(io.StringIO(result.stdout))
    assert cases[["amount", "unperformed"]].values.tolist() == [[125_000.0, 3000.0], [30_000.0, 100.0]]
    assert "the header is repeated with other columns" not in result.stderr


def test_a_title_stating_two_units_or_none_changes_no_amount(tmp_path):
    """A 单位： that names no amount (填报单位：执行局), or two units that disagree: amounts in 元."""
    for title in (["填报单位：执行局"], ["单位：万元", "单位：千元"]):
        path = merged_workbook(tmp_path / "l.xlsx", [title, ["案号", "立案日期", "执行标的"], ["(2026)鲁0902执1号", FILED, 12.5]])
        assert load_ledger([path]).cases["amount"].tolist() == [12.5]


def test_a_form_s_required_marks_and_date_notes_in_the_header_are_read_past(tmp_path):
    """A form's header (*案号, 立案日期（年月日）, 执行标的（万元）*, 结案日期(yyyy-mm-dd)), repeated on each
    printed page: the sheet was not read for want of a case number column, and 结案日期（年月日） alone
    was kept as an unknown column, every case counted open. Its unit is kept, its repeat skipped."""
    head = ["*案号", "*立案日期（年月日）", "执行标的（万元）*", "结案日期(yyyy-mm-dd)", "承办人※"]
    path = merged_workbook(tmp_path / "l.xlsx", [head, ["(2026)鲁0902执1号", FILED, 12.5, "2026-03-01", "张三"],
                                                 head, ["(2026)鲁0902执2号", FILED, 1, None, "李四"]])
    ledger = load_ledger([path])
    assert ledger.cases[["amount", "closed_on", "officer"]].values.tolist() == [
        [125_000.0, pd.Timestamp("2026-03-01"), "张三"], [10_000.0, pd.NaT, "李四"]]
    assert ledger.skipped[["row", "reason"]].values.tolist() == [[3, "重复的表头行"]]
    assert ledger.rejects.empty and not ledger.warnings


@pytest.mark.parametrize("first, second, amount", [("执行标的（元）", "执行标的（万元）", 100.0),
                                                   ("执行标的（万元）", "执行标的（元）", 125_000.0)])
def test_of_two_columns_for_the_amount_the_one_read_gives_its_unit(tmp_path, first, second, amount):
    """The first column is read, in its own unit; the second is kept as typed, and inspect says why."""
    from backlog_cli.loading import inspect_tables

    path = merged_workbook(tmp_path / "l.xlsx", [["案号", "立案日期", first, second],
                                                 ["(2026)鲁0902执1号", FILED, 100 if "（元）" in first else 12.5,
                                                  12.5 if "（元）" in first else 100]])
    ledger = load_ledger([path])
    assert ledger.cases.iloc[0]["amount"] == amount
    mapping = next(t for t in inspect_tables(ledger) if t.name == "列对应").frame
    assert mapping.set_index("header").loc[second, "known"] == f"否，amount 已由「{first}」列读取，此列按原样保留"


def test_two_columns_with_one_header_are_both_shown_by_inspect(tmp_path):
    """执行标的 twice (a column copied beside itself), a header naming no field twice: inspect
    showed one row for each text, the column read under it left out (执行标的: 否，按原样保留 though
    amount was read from it). Each is shown with its letter, and the one not read says which is;
    a value problem of the column read is listed under its header, not the field's label."""
    from typer.testing import CliRunner

    from backlog_cli.cli import app
    from backlog_cli.loading import inspect_tables

    path = workbook(tmp_path / "l.xlsx", {
        "2025年": [["案号", "立案日期", "执行标的", "执行标的", "自定义", "自定义"],
                  ["(2025)鲁0902执1号", dt.datetime(2025, 1, 1), "若干", 6000, "a", "b"]],
        "2026年": [["案号", "立案日期", "执行标的", "承办人"], ["(2026)鲁0902执1号", dt.datetime(2026, 1, 1), 7000, "张三"]],
    })
    ledger = load_ledger([path])
    assert ledger.cases["执行标的"].tolist()[0] == "6000" and ledger.cases["自定义_6"].tolist()[0] == "b"
    mapping = next(t for t in inspect_tables(ledger) if t.name == "列对应").frame
    assert mapping.values.tolist() == [
        ["2025年、2026年", "案号", "case_no", "是"],
        ["2025年、2026年", "立案日期", "filed_on", "是"],
        ["2025年", "执行标的（C 列）", "amount", "是"],
        ["2025年", "执行标的（D 列）", "执行标的", "否，amount 已由同名的 C 列读取，此列按原样保留"],
        ["2025年", "自定义（E 列）", "自定义", "否，按原样保留"],
        ["2025年", "自定义（F 列）", "自定义_6", "否，按原样保留"],
        ["2026年", "执行标的", "amount", "是"],
        ["2026年", "承办人", "officer", "是"],
    ]
    assert ledger.listed_problems()[["sheet", "column", "value", "problem"]].values.tolist() == [
        ["2025年", "执行标的", "若干", "金额无法识别"]]
    shown = CliRunner().invoke(app, ["inspect", str(path)]).stdout
    assert "执行标的（C 列）" in shown and "否，amount 已由同名的 C 列读取，此列按原样保留" in shown


def test_a_sheet_without_a_required_column_is_not_read_and_the_others_are(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {
        "张三": [["案号", "日期", "承办人"], ["(2026)鲁0902执1号", dt.datetime(2026, 3, 1), "张三"]],
        "李四": [HEAD, ["(2026)鲁0902执2号", dt.datetime(2026, 3, 2), "李四"]],
    })
    ledger = load_ledger([path])
    assert ledger.cases["case_no"].tolist() == ["(2026)鲁0902执2号"]
    assert [(s.sheet, s.rows_read, s.note) for s in ledger.sheets] == [
        ("张三", 0, "缺少立案日期列，未读取"), ("李四", 1, "")]
    assert ledger.warnings == [f"sheet not read: {path} [张三]: no column for filed_on. Headers found: 案号、日期、承办人. "
                               "Headers that would match: filed_on: 立案日期、立案时间、收案日期、收案时间、立案日. "
                               "Add your header as an alias in a columns file (--columns)."]
    with pytest.raises(LedgerError, match=r"\[张三\]: no column for filed_on"):
        load_ledger([path], sheets=["张三"])


def test_a_sheet_without_a_column_the_other_sheets_fill_is_warned_about(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {
        "2025年": [[*HEAD, "结案日期"], ["(2025)鲁0902执1号", dt.datetime(2025, 1, 1), "张三", dt.datetime(2025, 5, 1)]],
        "2026年": [["案号", "立案日期", "结结案日期"], ["(2026)鲁0902执1号", dt.datetime(2026, 1, 1), dt.datetime(2026, 5, 1)],
                  ["(2026)鲁0902执2号", dt.datetime(2026, 1, 2), None]],
        "未结": [["案号", "立案日期", "承办人"], ["(2026)鲁0902执3号", dt.datetime(2026, 1, 3), "李四"]],
    })
    ledger = load_ledger([path])
    assert ledger.cases["closed_on"].isna().tolist() == [False, True, True, True]
    assert ledger.warnings == [
        "l.xlsx [2026年]: the sheet has no column for 结案日期 (closed_on; sheet 2025年 has one) or 承办人 (officer; "
        "sheets 2025年、未结 have one): its 2 cases are read as open, with the others blank. Its headers not "
        "recognised: 结结案日期; if one of them is that column, add it as an alias in a columns file (--columns)"]


def test_the_warning_names_three_sheets_that_fill_the_column_then_how_many_more(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {
        **{f"{year}年": [[*HEAD, "结案日期"], [f"({year})鲁0902执1号", dt.datetime(year, 1, 1), "张三", dt.datetime(year, 5, 1)]]
           for year in range(2020, 2025)},
        "2025年": [HEAD, ["(2025)鲁0902执1号", dt.datetime(2025, 1, 1), "张三"]],
    })
    assert load_ledger([path]).warnings[0].startswith(
        "l.xlsx [2025年]: the sheet has no column for 结案日期 (closed_on; sheets 2020年、2021年、2022年、… 2 more have one)")


def test_the_warning_names_files_of_one_name_by_their_folders(tmp_path):
    """一组/台帐.csv fills 结案日期, 二组/台帐.csv lacks it: 台帐.csv alone would name either."""
    for team, text in (("一组", "案号,立案日期,结案日期\n(2025)鲁0902执1号,2025-01-01,2025-05-01\n"),
                       ("二组", "案号,立案日期\n(2025)鲁0902执2号,2025-01-02\n")):
        (tmp_path / team).mkdir()
        (tmp_path / team / "台帐.csv").write_text(text, encoding="utf-8")
    one, two = (str(tmp_path / team / "台帐.csv") for team in ("一组", "二组"))
    ledger = load_ledger([one, two])
    assert ledger.warnings == [f"{two} [台帐]: the sheet has no column for 结案日期 (closed_on; sheet {one} [台帐] "
                               "has one): its 1 case is read as open"]


def test_a_sheet_without_the_monthly_reports_plan_columns_the_other_sheets_fill_is_warned_about(tmp_path):
    """下一步打算 and 预计结案时间, which report monthly shows for every open key case, as 未结原因 was:
    a sheet without them was read with them blank, without a word, as the ledger has them."""
    plans = ["未结原因", "下一步打算", "预计结案时间"]
    path = workbook(tmp_path / "l.xlsx", {
        "2025年": [[*HEAD, *plans], ["(2025)鲁0902执1号", dt.datetime(2025, 1, 1), "张三", "无财产", "继续查控", "2026年底前"]],
        "2026年": [[*HEAD, "未结原因", "下步工作"], ["(2026)鲁0902执1号", dt.datetime(2026, 1, 1), "李四", "无财产", "拍卖"]],
    })
    ledger = load_ledger([path])
    assert ledger.warnings == [
        "l.xlsx [2026年]: the sheet has no column for 下一步打算 (next_step; sheet 2025年 has one) or 预计结案时间 "
        "(expected_close; sheet 2025年 has one): its 1 case has them blank. Its headers not recognised: 下步工作; if "
        "one of them is that column, add it as an alias in a columns file (--columns)"]


def test_a_header_recognised_but_not_read_is_not_listed_as_not_recognised(tmp_path):
    """A second 执行标的 (a column copied beside itself), or 申请执行标的 beside 执行标的, is kept as
    typed: the hint of the warning for a missing column listed it among the headers not recognised
    (Its headers not recognised: 执行标的), asking for an alias it has. Only headers that name no
    field are listed, in the warning for a sheet and in the one for the ledger as a whole."""
    from backlog_cli.assignment import plan_warnings

    plans = ["未结原因", "下一步打算", "预计结案时间"]
    path = workbook(tmp_path / "l.xlsx", {
        "2025年": [[*HEAD, *plans], ["(2025)鲁0902执1号", dt.datetime(2025, 1, 1), "张三", "无财产", "继续查控", "2026年底前"]],
        "2026年": [[*HEAD, "执行标的", "执行标的", "申请执行标的", "下步工作", *plans[:1]],
                  ["(2026)鲁0902执1号", dt.datetime(2026, 1, 1), "李四", 5000, 5000, 6000, "拍卖", "无财产"]],
        "2024年": [[*HEAD, "执行标的", "执行标的", *plans[:2]],
                  ["(2024)鲁0902执1号", dt.datetime(2024, 1, 1), "王五", 5000, 5000, "无财产", "拍卖"]],
    })
    ledger = load_ledger([path])
    assert ledger.warnings == [
        "l.xlsx [2026年]: the sheet has no column for 下一步打算 (next_step; sheets 2025年、2024年 have one) or "
        "预计结案时间 (expected_close; sheet 2025年 has one): its 1 case has them blank. Its headers not recognised: "
        "下步工作; if one of them is that column, add it as an alias in a columns file (--columns)",
        "l.xlsx [2024年]: the sheet has no column for 预计结案时间 (expected_close; sheet 2025年 has one): its 1 case "
        "has it blank"]
    assert ledger.unknown_headers() == ["下步工作"]
    ledger = load_ledger([path], sheets=["2026年"])
    [warning], _ = plan_warnings(ledger, key_open=1)
    assert "Its headers not recognised: 下步工作; if one of them is such a column" in warning


def test_a_sheet_of_closed_cases_needs_no_plan_columns(tmp_path):
    """A 已结 sheet without 未结原因, 下一步打算, 预计结案时间: its cases are closed, the monthly report asks
    nothing of them, and a warning would make every nightly run exit 1."""
    plans = ["未结原因", "下一步打算", "预计结案时间"]
    path = workbook(tmp_path / "l.xlsx", {
        "未结": [[*HEAD, *plans, "结案日期"], ["(2025)鲁0902执1号", dt.datetime(2025, 1, 1), "张三", "无财产", "继续查控",
                                            "2026年底前", None]],
        "已结": [[*HEAD, "结案日期"], ["(2025)鲁0902执2号", dt.datetime(2025, 1, 2), "李四", dt.datetime(2025, 6, 1)]],
        "在办": [[*HEAD, "结案日期"], ["(2025)鲁0902执3号", dt.datetime(2025, 1, 3), "李四", None]],
    })
    warnings = load_ledger([path]).warnings
    assert len(warnings) == 1 and warnings[0].startswith(
        "l.xlsx [在办]: the sheet has no column for 未结原因 (reason_open; sheet 未结 has one) or 下一步打算")


def test_a_column_no_sheet_fills_is_not_warned_about_per_sheet(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {
        "一": [[*HEAD, "案由"], ["(2025)鲁0902执1号", dt.datetime(2025, 1, 1), "张三", None]],
        "二": [HEAD, ["(2026)鲁0902执1号", dt.datetime(2026, 1, 1), "张三"]],
    })
    assert load_ledger([path]).warnings == []


def test_the_fields_checked_per_sheet_are_those_the_bundled_rules_read():
    from backlog_cli.assignment import PLAN_FIELDS
    from backlog_cli.deadlines import fields_read, load_ruleset
    from backlog_cli.loading import RULE_FIELDS

    read = set()
    for path in sorted((Path(__file__).parent.parent / "rules").glob("*.yaml")):
        ruleset, deadlines = load_ruleset([path])
        by_deadline = fields_read(deadlines)
        read |= set().union(*by_deadline.values(), *ruleset.fields_read(by_deadline).values())
    assert read - {"filed_on", "case_type"} <= set(RULE_FIELDS)
    assert set(PLAN_FIELDS) <= set(RULE_FIELDS)  # what report monthly shows of every open key case


def test_a_case_in_two_rows_that_differ_is_rejected_saying_where(tmp_path):
    head = [*HEAD, "结案日期", "结案方式"]
    path = workbook(tmp_path / "l.xlsx", {
        "未结": [head, ["(2026)鲁0902执51号", dt.datetime(2026, 1, 5), "张三", "未结", None],
                ["(2026)鲁0902执52号", dt.datetime(2026, 1, 6), "张三", None, None]],
        "已结": [head, ["(2026)鲁0902执51号", dt.datetime(2026, 1, 5), "张三", dt.datetime(2026, 11, 10), "执行完毕"],
                ["(2026)鲁0902执52号", dt.datetime(2026, 1, 6), "张三", None, None]],
    })
    ledger = load_ledger([path])
    assert ledger.rejects["reason"].tolist() == [
        "案号重复：与 未结 第2行 重复，但两行不同（结案日期：空 与 2026-11-10；结案方式：空 与 执行完毕），请核对后只留一行",
        "案号重复：与 未结 第3行 重复"]


def test_a_row_with_a_readable_case_number_is_never_a_totals_row(tmp_path):
    """合计商行, 共计贸易有限公司 and 汇总商贸有限公司 are companies: a first cell that begins with a
    totals word skips the row only when its case number cannot be read (the real 合计 row below)."""
    from backlog_cli.loading import load_ledger

    path = tmp_path / "l.csv"
    path.write_text("被执行人,案号,立案日期\n合计商行,(2025)鲁0902执1号,2025-01-02\n"
                    "共计贸易有限公司,(2025)鲁0902执2号,2025-01-03\n总计,(2025)鲁0902执3号,2025-01-04\n"
                    "合计,2件,\n共计商行,,2025-01-05\n合计商行,(2025)鲁0902执1O号,2025-01-06\n"
                    "汇总商贸有限公司,(2025)鲁0902执4号,2025-01-07\n总数据科技有限公司,2025鲁0902执5号,2025-01-08\n"
                    "汇总商贸有限公司,,2025-01-09\n汇总,5件,\n", encoding="utf-8")
    ledger = load_ledger([path])
    assert ledger.cases["case_no"].tolist() == ["(2025)鲁0902执1号", "(2025)鲁0902执2号", "(2025)鲁0902执3号",
                                                "(2025)鲁0902执4号", "(2025)鲁0902执5号"]
    assert ledger.skipped[["row", "reason"]].values.tolist() == [[5, "合计行"], [11, "合计行"]]
    # with a filing date but no readable case number: rejected, so listed, not skipped as totals
    assert ledger.rejects[["row", "reason"]].values.tolist() == [[6, "缺少案号"], [7, "案号无法识别"], [10, "缺少案号"]]


def test_a_totals_word_in_the_case_number_cell_of_a_row_with_a_filing_date_is_rejected(tmp_path):
    """汇总商贸有限公司 or 合计商行 typed in 案号 on a row with a filing date is a case whose number is
    mistyped: rejected, so that it is in the errors file, not skipped as a totals row; such a cell
    without a date (15件 under 立案日期 is none), or 合计 and 汇总 alone, is a totals row."""
    from backlog_cli.loading import load_ledger

    path = tmp_path / "l.csv"
    path.write_text("案号,立案日期,被执行人\n汇总商贸有限公司,2025-01-03,甲\n合计商行,2025-01-04,乙\n"
                    "(2025)鲁0902执1号,2025-01-05,汇总商贸有限公司\n合计商行,15件,\n汇总,,\n合计,2025-01-31,\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert "loaded 1 case from 6 rows; skipped 3 rows (合计行 3); 2 rejected" in result.stderr
    ledger = load_ledger([path])
    assert ledger.rejects[["row", "reason"]].values.tolist() == [[2, "案号无法识别"], [3, "案号无法识别"]]
    assert ledger.skipped[["row", "reason"]].values.tolist() == [[5, "合计行"], [6, "合计行"], [7, "合计行"]]


def test_a_subtotal_named_for_the_officer_or_team_it_totals_is_skipped(tmp_path):
    """张三小计 and 执行一组合计 under each group of a ledger kept by officer or team: skipped as
    totals rows, as 小计 alone is; they were rejected for want of a case number. A text that only
    holds 合计 inside (某某合计商行) is still rejected."""
    path = workbook(tmp_path / "l.xlsx", {"台帐": [
        ["序号", "承办人", "案号", "立案日期", "执行标的"], [1, "张三", "(2026)鲁0902执1号", FILED, 5],
        ["张三小计", None, None, None, 5], [2, "李四", "(2026)鲁0902执2号", FILED, 6],
        [None, "执行一组 合计", None, None, 11], ["某某合计商行", None, None, None, 1]]})
    ledger = load_ledger([path])
    assert ledger.cases["source_row"].tolist() == [2, 4]
    assert ledger.skipped[["row", "reason"]].values.tolist() == [[3, "合计行"], [5, "合计行"]]
    assert ledger.rejects[["row", "reason"]].values.tolist() == [[6, "缺少案号"]]


def test_totals_rows_named_for_what_they_total_are_skipped(tmp_path):
    """本页合计, 以上合计, 总合计, 累计, 汇总, 总数 in a 序号 column, as 合计 is: skipped, not rejected
    for want of a case number; 合计, 汇总 or 总数 alone in the case-number column too."""
    path = workbook(tmp_path / "l.xlsx", {"台帐": [
        ["序号", "案号", "立案日期"], [1, "(2026)鲁0902执1号", FILED],
        *[[word, None, None] for word in ("本页合计", "以上 合计", "总合计", "累计", "本月小计", "合计", "汇总",
                                          "汇 总", "总数", "本页汇总", "执行一组汇总")],
        [None, "本页合计", None], [None, "汇总", None], [None, "总数", None], [2, "(2026)鲁0902执2号", FILED]]})
    ledger = load_ledger([path])
    assert ledger.cases["case_no"].tolist() == ["(2026)鲁0902执1号", "(2026)鲁0902执2号"]
    assert ledger.skipped[["row", "reason"]].values.tolist() == [[row, "合计行"] for row in range(3, 17)]
    assert ledger.rejects.empty


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_row_of_spaces_or_dashes_is_a_blank_row(tmp_path, suffix):
    """Cells holding only spaces (ASCII, or a full-width 　 typed to clear a cell) or a dash are
    blank: the row is skipped as 空行, not rejected for want of a case number."""
    rows = [["案号", "立案日期", "承办人"], ["(2026)鲁0902执1号", "2026-01-05", "张三"], ["  ", " ", "\u3000"],
            ["-", "/", "——"], [None, None, "\u3000"], ["(2026)鲁0902执2号", "2026-01-05", "李四"], [None, "-", "王五"]]
    if suffix == ".csv":
        path = tmp_path / "l.csv"
        path.write_text("".join(",".join(c or "" for c in row) + "\n" for row in rows), encoding="utf-8")
    else:
        path = workbook(tmp_path / "l.xlsx", {"台帐": rows})
    ledger = load_ledger([path])
    assert ledger.cases["case_no"].tolist() == ["(2026)鲁0902执1号", "(2026)鲁0902执2号"]
    assert ledger.skipped[["row", "reason"]].values.tolist() == [[3, "空行"], [4, "空行"], [5, "空行"]]
    assert ledger.rejects[["row", "reason"]].values.tolist() == [[7, "缺少案号"]]  # a name is not blank


def test_a_header_repeated_with_other_columns_is_warned_about(tmp_path):
    """A table pasted under another, its 被执行人 and 承办人 the other way round and its amounts in
    万元: its header row is skipped, and a warning says the rows below are read under the first
    header. The same header repeated (a printed ledger's page header), a two-row one included, is
    not warned about."""
    rows = [["案号", "立案日期", "承办人", "被执行人", "执行标的（元）"], ["(2026)鲁0902执1号", FILED, "张三", "甲公司", 1000],
            ["案号", "立案日期", "承办人", "被执行人", "执行标的(元)"], ["(2026)鲁0902执2号", FILED, "张三", "甲公司", 1000],
            ["案号", "立案日期", "被执行人", "承办人", "执行标的（万元）"], ["(2026)鲁0902执3号", FILED, "乙公司", "李四", 12.5]]
    ledger = load_ledger([workbook(tmp_path / "l.xlsx", {"台帐": rows})])
    assert ledger.skipped[["row", "reason"]].values.tolist() == [[3, "重复的表头行"], [5, "重复的表头行"]]
    assert ledger.warnings == [
        f"{tmp_path / 'l.xlsx'} [台帐] row 5: the header is repeated with other columns (被执行人 under 承办人; 承办人 under "
        "被执行人; 执行标的（万元） under 执行标的（元）); the rows below it are read under the first header's columns: "
        "make it one table, or put it on a sheet of its own"]
    path = merged_workbook(tmp_path / "two.xlsx", [
        ["案号", "立案日期", "当事人", None], [None, None, "申请执行人", "被执行人"], ["(2026)鲁0902执1号", FILED, "甲", "乙"],
        ["案号", "立案日期", "当事人", None], [None, None, "申请执行人", "被执行人"], ["(2026)鲁0902执2号", FILED, "丙", "丁"]],
        ("A1:A2", "B1:B2", "C1:D1", "A4:A5", "B4:B5", "C4:D4"))
    ledger = load_ledger([path])
    assert ledger.cases["respondent"].tolist() == ["乙", "丁"] and ledger.warnings == []
    assert ledger.skipped["reason"].tolist() == ["重复的表头行", "重复的表头行"]


def test_a_header_repeated_with_many_other_columns_names_five_then_how_many_more(tmp_path):
    """A header repeated with more than five of its cells naming other fields names the first five,
    then how many more, as every message lists a few of many; the rows that repeat it so (each page
    of a printed table pasted under another) are one warning."""
    head = ["案号", "立案日期", "承办人", "被执行人", "申请执行人", "案由", "结案方式", "执行依据"]
    moved = [*head[:2], *head[3:], head[2]]
    case = ["甲", "乙", "借款", None, "判决", "张三"]
    rows = [head, ["(2026)鲁0902执1号", FILED, "张三", "甲", "乙", "借款", None, "判决"],
            moved, ["(2026)鲁0902执2号", FILED, *case], moved, ["(2026)鲁0902执3号", FILED, *case]]
    ledger = load_ledger([workbook(tmp_path / "l.xlsx", {"台帐": rows})])
    assert ledger.skipped[["row", "reason"]].values.tolist() == [[3, "重复的表头行"], [5, "重复的表头行"]]
    assert ledger.warnings == [
        f"{tmp_path / 'l.xlsx'} [台帐] rows 3, 5: the header is repeated with other columns (被执行人 under 承办人; "
        "申请执行人 under 被执行人; 案由 under 申请执行人; 结案方式 under 案由; 执行依据 under 结案方式; … 1 more); the rows "
        "below it are read under the first header's columns: make it one table, or put it on a sheet of its own"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_header_naming_more_columns_under_cases_does_not_hide_the_cases_above_it(tmp_path, suffix):
    """A table pasted under another whose header names one column more (案由 where the first has
    a column of its own, 类别): the first header is the sheet's, and the cases above the second are
    read, as the rows below it; the rows counted are all of them. The header the most known
    columns name was taken, and the cases above it were dropped without a word."""
    rows = [["案号", "立案日期", "承办人", "类别"], ["(2025)鲁0902执1号", "2025-01-02", "张三", "甲"],
            ["(2025)鲁0902执2号", "2025-01-03", "李四", "乙"], ["案号", "立案日期", "承办人", "案由"],
            ["(2025)鲁0902执3号", "2025-01-04", "王五", "借款纠纷"]]
    if suffix == ".csv":
        path = tmp_path / "l.csv"
        path.write_text("".join(",".join(row) + "\n" for row in rows), encoding="utf-8")
    else:
        path = workbook(tmp_path / "l.xlsx", {"台帐": rows})
    result = CliRunner().invoke(app, ["classify", str(path), "--as-of", "2026-11-23", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert "loaded 3 cases from 4 rows; skipped 1 row (重复的表头行 1)" in result.stderr
    sheet = "l" if suffix == ".csv" else "台帐"
    assert f"[{sheet}] row 4: the header is repeated with other columns (案由 under 类别)" in result.stderr
    cases = pd.read_csv(io.StringIO(result.stdout))
    assert cases["case_no"].tolist() == ["(2025)鲁0902执1号", "(2025)鲁0902执2号", "(2025)鲁0902执3号"]
    assert cases["类别"].tolist() == ["甲", "乙", "借款纠纷"]


def test_case_numbers_above_the_header_are_warned_about(tmp_path):
    """Cases under a first header whose 立案日期 is mistyped (立按日期), over a table pasted with a
    header that is known: the second header is the sheet's, and the rows above it its title; the
    case numbers there are said, with their rows, not dropped without a word. Titles are not."""
    rows = [["执行案件台帐（2025年）"], ["案号", "立按日期", "承办人"], ["(2025)鲁0902执1号", "2025-01-02", "张三"],
            ["(2025)鲁0902执2号", "2025-01-03", "李四"], ["案号", "立案日期", "承办人"], ["(2025)鲁0902执3号", "2025-01-04", "王五"]]
    path = workbook(tmp_path / "l.xlsx", {"台帐": rows})
    ledger = load_ledger([path])
    assert ledger.cases["case_no"].tolist() == ["(2025)鲁0902执3号"]
    assert ledger.warnings == [
        f"{path} [台帐] rows 3, 4: 2 cells above the header (row 5) look like case numbers, not read: the rows above "
        "a sheet's header are its title; if its header is above them, add the headers it has as aliases in a columns "
        "file (--columns)"]
    assert [s.note for s in ledger.sheets] == ["表头以上有案号，未读取"]
    assert load_ledger([workbook(tmp_path / "t.xlsx", {"台帐": [rows[0], *rows[4:]]})]).warnings == []


def test_a_two_row_header_with_a_group_cell_repeated_on_each_page_is_skipped(tmp_path):
    """A printed ledger repeats its two-row header on each page: the lower row under the group
    cell 结案 (日期, 方式) names no field alone, but it is the sheet's own header, so it is
    skipped as 重复的表头行, not rejected as a case without a case number (the page's copy typed
    without merging its cells, so that 案号 is in its upper row only)."""
    head = [["案号", "立案日期", "结案", None], [None, None, "日期", "方式"]]
    merges = ("A1:A2", "B1:B2", "C1:D1")
    path = merged_workbook(tmp_path / "pages.xlsx", [
        *head, ["(2026)鲁0902执1号", FILED, dt.datetime(2026, 3, 1), "执行完毕"],
        *head, ["(2026)鲁0902执2号", FILED, None, None]], merges)
    ledger = load_ledger([path])
    assert ledger.cases["case_no"].tolist() == ["(2026)鲁0902执1号", "(2026)鲁0902执2号"]
    assert ledger.cases["close_method"].tolist()[0] == "执行完毕"
    assert ledger.skipped[["row", "reason"]].values.tolist() == [[4, "重复的表头行"], [5, "重复的表头行"]]
    assert ledger.rejects.empty


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rows_numbered_ahead_with_nothing_else_are_blank(tmp_path, suffix):
    """A template numbered down its 序号 column ahead of the cases: rows holding only that number
    are 空行, not rejected for want of a case number (every night); a row with more is not."""
    rows = [["序号", "案号", "立案日期", "承办人"], [1, "(2026)鲁0902执1号", "2026-01-05", "张三"], [2, None, None, None],
            [3, None, None, "\u3000"], ["4", None, None, None], [5, None, None, "李四"], ["合计", None, None, None]]
    if suffix == ".csv":
        path = tmp_path / "l.csv"
        path.write_text("".join(",".join("" if c is None else str(c) for c in row) + "\n" for row in rows), encoding="utf-8")
    else:
        path = workbook(tmp_path / "l.xlsx", {"台帐": rows})
    ledger = load_ledger([path])
    assert ledger.skipped[["row", "reason"]].values.tolist() == [[3, "空行"], [4, "空行"], [5, "空行"], [7, "合计行"]]
    assert ledger.rejects[["row", "reason"]].values.tolist() == [[6, "缺少案号"]]
