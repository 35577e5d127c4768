"""What the output layer guards against: CSV text that Excel would run as a formula (and only that:
what Excel reads as a number is left as it is), and text longer than an xlsx cell holds (cut, and
said)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from backlog_cli import outputs
from backlog_cli.cli import app

# Excel reads these as numbers when it opens a CSV: written as they are (quoted where they hold a comma).
NUMBERS = {
    "-5000": "-5000",
    "-0.5": "-0.5",
    "-.5": "-.5",
    "+7": "+7",
    "-5%": "-5%",
    "-1,000": '"-1,000"',
    "-1,000.50": '"-1,000.50"',
    "-12,345,678.9%": '"-12,345,678.9%"',
    "+1.5E3": "+1.5E3",
    "-2e-3": "-2e-3",
}
# Not numbers to Excel, or not numbers alone: marked with a leading '.
TEXTS = {
    "+86 010 1234": "'+86 010 1234",
    "-12.5万": "'-12.5万",
    "-1,00": "\"'-1,00\"",
    "-1234,567": "\"'-1234,567\"",
    "-1,000,00": "\"'-1,000,00\"",
    "-5 ": "'-5 ",
    "- 5": "'- 5",
    "-": "'-",
    "+": "'+",
    "-%": "'-%",
    "-5%%": "'-5%%",
    "-e5": "'-e5",
    "-５": "'-５",  # a full-width digit: text to Excel
    "-1+1": "'-1+1",
    "=1": "'=1",
    "@1": "'@1",
    "\t5": "'\t5",
}


@pytest.mark.parametrize(("value", "field"), [*NUMBERS.items(), *TEXTS.items()])
def test_csv_marks_text_that_is_no_number_to_excel(value, field):
    frame = pd.DataFrame({"party": pd.Series([value, "x"], dtype="str")})
    assert outputs.to_csv(frame) == f"party\n{field}\nx\n"


def test_csv_guard_in_a_column_of_many_fields_and_a_mixed_column():
    frame = pd.DataFrame({
        "a": pd.Series(["-1,000", "张三", "+86 010 1234", "-5%", "", None], dtype="str"),
        "o": pd.Series(["-12.5万", -1, "-0.5", "@x", 2.5, None], dtype=object),
    })
    assert outputs.to_csv(frame).splitlines() == [
        "a,o", '"-1,000",\'-12.5万', "张三,-1", "'+86 010 1234,-0.5", "-5%,'@x", ",2.5", ","]


def test_xlsx_cell_over_excels_limit_is_cut_and_said(tmp_path):
    limit = outputs.XLSX_MAX_CELL_CHARS
    frame = pd.DataFrame({
        "case_no": pd.Series(["(2020)鲁0902执1号", "(2020)鲁0902执2号", "(2020)鲁0902执3号"], dtype="str"),
        "notes": pd.Series(["甲" * (limit + 5), "乙" * limit, "丙" * 40_000], dtype="str"),
        "cause": pd.Series(["x" * (limit + 1), "y", None], dtype="str"),
    })
    path = tmp_path / "long.xlsx"
    written = outputs.write_output(
        outputs.Output(frame, sheets=[outputs.Sheet("案件", frame, labels={"notes": "备注"})]), "xlsx", path)
    ws = openpyxl.load_workbook(path)["案件"]
    assert [ws["B2"].value, ws["B3"].value, ws["B4"].value] == ["甲" * limit, "乙" * limit, "丙" * limit]
    assert ws["C2"].value == "x" * limit and ws["C3"].value == "y"
    cut = ("sheet 案件, column 备注: 2 cells longer than Excel's 32,767 characters cut to fit",
           "sheet 案件, column cause: 1 cell longer than Excel's 32,767 characters cut to fit")
    assert written == [outputs.Written(path, 3, warnings=cut)]
    assert str(written[0]).splitlines() == [f"wrote {path} (3 rows)", f"warning: {path}: {cut[0]}", f"warning: {path}: {cut[1]}"]


def test_xlsx_cells_within_the_limit_say_nothing(tmp_path):
    frame = pd.DataFrame({"notes": pd.Series(["乙" * outputs.XLSX_MAX_CELL_CHARS, "short"], dtype="str")})
    written = outputs.write_output(frame, "xlsx", tmp_path / "ok.xlsx")
    assert written == [outputs.Written(tmp_path / "ok.xlsx", 2)] and str(written[0]) == f"wrote {tmp_path / 'ok.xlsx'} (2 rows)"


def test_a_command_says_the_cut_under_the_file_it_wrote(tmp_path):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("案号,立案日期,承办人,案由,备注\n"
                      f"(2025)鲁0902执3号,2025-03-07,张三,民间借贷纠纷,{'备' * 40_000}\n"
                      "(2025)鲁0902执4号,2025-03-08,李四,民间借贷纠纷,短\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(app, ["classify", str(ledger), "--as-of", "2025-09-30", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(f"wrote {out} (2 rows)\nwarning: {out}: sheet 全部案件, column 备注: 1 cell longer "
                                  "than Excel's 32,767 characters cut to fit\n")
    ws = openpyxl.load_workbook(out)["全部案件"]
    notes = [c.value for c in ws[1]].index("备注")
    assert [row[notes].value for row in ws.iter_rows(min_row=2)] == ["备" * outputs.XLSX_MAX_CELL_CHARS, "短"]


LONG_LEDGER = ("案号,立案日期,承办人,申请执行人,被执行人,案由,执行标的,结案日期,案件状态,是否涉信访,备注,中止日期,恢复日期\n"
               f"(2025)鲁0902执3号,2025-03-07,张三,甲,{'乙' * 40_000},民间借贷纠纷,1000,,在办,否,,,\n"
               "(2025)鲁0902执4号,2025-03-08,李四,丙,丁,民间借贷纠纷,2000,,在办,否,,,\n")


def test_split_says_the_cut_per_officer_file(tmp_path):
    (tmp_path / "ledger.csv").write_text(LONG_LEDGER, encoding="utf-8")
    result = CliRunner().invoke(app, ["assign", str(tmp_path / "ledger.csv"), "--as-of", "2025-09-30",
                                      "--split", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    cut = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert cut == [f"warning: {tmp_path / 'out' / '张三.xlsx'}: sheet 张三, column 被执行人: 1 cell longer than "
                   "Excel's 32,767 characters cut to fit"]


def test_nightly_run_keeps_the_cut_in_its_warnings(tmp_path):
    (tmp_path / "ledger.csv").write_text(LONG_LEDGER, encoding="utf-8")
    (tmp_path / "backlog.yaml").write_text("ledger: ledger.csv\noutput_dir: out\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--config", str(tmp_path / "backlog.yaml"), "--as-of", "2025-09-30"])
    assert result.exit_code == 1, result.output  # warnings: exit 1, as documented for the run
    summary = json.loads((tmp_path / "out" / "2025-09-30" / "summary.json").read_text(encoding="utf-8"))
    cut = [w for w in summary["warnings"] if "32,767" in w]
    folder = Path("out") / "2025-09-30"  # from the settings file's folder, as the run's log names it
    # the triage workbook's 全部案件 and the officer's own file; named where they are, not where they were written
    assert any(w.startswith(f"{folder / 'triage.xlsx'}: sheet 全部案件, column 被执行人: 1 cell") for w in cut), cut
    assert all(str(folder) in w and ".partial" not in w for w in cut) and len(cut) >= 2


def test_csv_guard_tells_a_formula_start_from_the_same_characters_inside_fields():
    """Dates, a=b and a@b hold the characters but start no formula: left as they are; a field after
    them that starts with one is marked, also the last one."""
    inside = ["2026-11-23", "a=b", "x@y", "甲+乙", "丙\t丁"]
    frame = pd.DataFrame({"a": pd.Series(inside, dtype="str")})
    assert outputs.to_csv(frame).splitlines()[1:] == inside
    frame = pd.DataFrame({"a": pd.Series([*inside, "=1"], dtype="str")})
    assert outputs.to_csv(frame).splitlines()[1:] == [*inside, "'=1"]
