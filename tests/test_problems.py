"""Value problems (values unreadable or contradicting others, kept as blank) reach the outputs:
the nightly run's problems.csv and summary.json, FILE.problems.csv beside -o FILE, and explain."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from backlog_cli import outputs
from backlog_cli.cli import app
from backlog_cli.loading import LISTED_PROBLEM_COLUMNS

BOM = "\ufeff"
AS_OF = "2025-09-30"
# Every field the default rules and the monthly report read is present (no warnings about missing
# columns; the rows leave the report's last three blank); 结案时间, 标的金额 and 延长期限 are aliases:
# the problems name the columns so, not by the labels 结案日期, 执行标的（元）, 延长期限（月）.
HEADER = ("案号,立案日期,承办人,申请执行人,被执行人,案由,标的金额,结案时间,案件状态,是否涉信访,备注,中止日期,恢复日期,延长期限,"
          "未结原因,下一步打算,预计结案时间\n")
ROWS = [
    "(2025)鲁0902执3号,2025-03-07,张三,戊,己,民间借贷纠纷,-3000,,在办,否,,,,\n",  # row 2: negative amount
    "(2025)鲁0902执1号,2025-01-05,张三,甲,乙公司,买卖合同纠纷,1000,,已结,否,,,,\n",  # row 3: 已结 without a date
    # row 4: resumed before suspended, and an extension that is not whole months
    "(2025)鲁0902执2号,2025-02-06,李四,丙,丁,追索劳动报酬纠纷,2000,,在办,否,,2025-03-01,2025-02-01,1.5\n",
    "(2025)鲁0902执4号,2025-03-08,王五,a,b,买卖合同纠纷,5000,,在办,否,,,,\n",  # row 5: clean
]
CLEAN = [ROWS[0].replace("-3000", "3000"), ROWS[1].replace("已结", "在办"), ROWS[2].replace("2025-02-01,1.5", ","), ROWS[3]]
HEADERS = "文件,工作表,行号,案号,列,原值,问题\n"


def problem_lines(ledger: str) -> str:
    """The problems file's rows for ROWS, by row: the loader finds the negative amount first."""
    return (f"{ledger},ledger,2,(2025)鲁0902执3号,标的金额,-3000,金额为负数\n"
            f"{ledger},ledger,3,(2025)鲁0902执1号,结案时间,,案件状态或结案方式表明已结，但缺少结案日期，按未结计\n"
            f"{ledger},ledger,4,(2025)鲁0902执2号,中止日期,2025-03-01,恢复日期早于中止日期，该中止期间不扣除\n"
            f"{ledger},ledger,4,(2025)鲁0902执2号,延长期限,1.5,延长期限应为整月数\n")


def write(tmp_path: Path, rows: list[str]) -> Path:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(HEADER + "".join(rows), encoding="utf-8")
    return ledger


def run_config(tmp_path: Path, rows: list[str]) -> Path:
    write(tmp_path, rows)
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: ledger.csv\noutput_dir: out\n", encoding="utf-8")
    return config


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


# --------------------------------------------------------------------------- backlog run


def test_run_writes_problems_csv_lists_them_in_summary_and_exits_1(tmp_path):
    config = run_config(tmp_path, ROWS)
    result = invoke("run", "--config", config, "--as-of", AS_OF)
    assert result.exit_code == 1, result.output
    folder = tmp_path / "out" / AS_OF
    ledger = "ledger.csv"  # as ledger: names it, from the settings file's folder: not the path the run read
    assert (folder / "problems.csv").read_bytes() == (BOM + HEADERS + problem_lines(ledger)).encode("utf-8")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["exit_code"] == 1 and summary["rejects"] == [] and summary["warnings"] == []
    assert summary["counts"]["unreadable_values"] == 4
    assert "problems.csv" in summary["files"] and "errors.csv" in summary["files"]
    where = {"file": ledger, "sheet": "ledger"}
    assert summary["value_problems"] == [
        {"case_no": "(2025)鲁0902执3号", **where, "row": 2, "field": "amount", "column": "标的金额", "value": "-3000",
         "problem": "金额为负数"},
        {"case_no": "(2025)鲁0902执1号", **where, "row": 3, "field": "closed_on", "column": "结案时间", "value": None,
         "problem": "案件状态或结案方式表明已结，但缺少结案日期，按未结计"},
        {"case_no": "(2025)鲁0902执2号", **where, "row": 4, "field": "suspended_on", "column": "中止日期",
         "value": "2025-03-01", "problem": "恢复日期早于中止日期，该中止期间不扣除"},
        {"case_no": "(2025)鲁0902执2号", **where, "row": 4, "field": "extension_months", "column": "延长期限",
         "value": "1.5", "problem": "延长期限应为整月数"},
    ]
    assert "load: 4 cases from 4 rows, 0 rejected, 4 values kept as blank (" in result.output
    shown = Path("out") / AS_OF  # from the settings file's folder, as ledger: names the ledger
    assert (f"4 values unreadable or contradicting others, kept as blank: see {shown / 'problems.csv'}\n"
            in result.output)
    assert f"done: {shown} (exit 1)" in result.output


def test_a_clean_run_writes_an_empty_problems_csv_and_exits_0(tmp_path):
    config = run_config(tmp_path, CLEAN)
    result = invoke("run", "--config", config, "--as-of", AS_OF, "--quiet")
    assert result.exit_code == 0, result.output
    assert result.output == ""
    folder = tmp_path / "out" / AS_OF
    assert (folder / "problems.csv").read_bytes() == (BOM + HEADERS).encode("utf-8")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["value_problems"] == [] and summary["counts"]["unreadable_values"] == 0
    assert summary["exit_code"] == 0


def test_one_value_problem_alone_makes_the_run_exit_1(tmp_path):
    config = run_config(tmp_path, [CLEAN[0], ROWS[1], *CLEAN[2:]])
    result = invoke("run", "--config", config, "--as-of", AS_OF, "--quiet")
    assert result.exit_code == 1
    assert result.output == ("1 value unreadable or contradicting others, kept as blank: see "
                             f"{Path('out') / AS_OF / 'problems.csv'}\n")


# --------------------------------------------------------------------------- -o FILE


@pytest.mark.parametrize("name", ["out.xlsx", "out.csv"])
def test_output_file_gets_problems_beside_it_and_a_stale_one_goes(tmp_path, name):
    ledger = write(tmp_path, ROWS)
    out = tmp_path / name
    result = invoke("classify", ledger, "--as-of", AS_OF, "-o", out)
    assert result.exit_code == 0, result.output
    beside = tmp_path / "out.problems.csv"
    assert beside.read_bytes() == (BOM + HEADERS + problem_lines(str(ledger))).encode("utf-8")
    assert (f"4 values unreadable or contradicting others, kept as blank (listed in {beside} and by "
            "`backlog inspect`)\n") in result.stderr
    assert result.stderr.endswith(f"wrote {out} (4 rows)\nwrote {beside} (4 value problems)\n")
    assert not (tmp_path / "out.errors.csv").exists()  # no rejected rows
    # the ledger corrected: the problems file of the earlier output goes
    write(tmp_path, CLEAN)
    result = invoke("classify", ledger, "--as-of", AS_OF, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(f"wrote {out} (4 rows)\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.csv", name]


def test_a_problems_file_that_is_an_input_is_refused(tmp_path):
    ledger = tmp_path / "out.problems.csv"
    ledger.write_text(HEADER + "".join(ROWS), encoding="utf-8")
    result = invoke("classify", ledger, "--as-of", AS_OF, "-o", tmp_path / "out.xlsx")
    assert result.exit_code == 2
    assert f"{ledger} is an input" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.problems.csv"]


def test_without_output_file_the_load_line_points_to_inspect(tmp_path):
    result = invoke("classify", write(tmp_path, ROWS), "--as-of", AS_OF, "-f", "csv")
    assert result.exit_code == 0, result.output
    assert "4 values unreadable or contradicting others, kept as blank (see `backlog inspect`)\n" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.csv"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_nothing_is_written_beside_a_pipe(tmp_path):
    fifo = tmp_path / "p.csv"
    os.mkfifo(fifo)
    problems = pd.DataFrame([["l.csv", "l", 3, "x", "closed_on", "结案日期", None, "p"]], columns=LISTED_PROBLEM_COLUMNS)
    assert outputs.output_paths(outputs.Output(pd.DataFrame()), "csv", fifo, None, problems) == [fifo]
    assert outputs.output_paths(outputs.Output(pd.DataFrame()), "csv", tmp_path / "o.csv", None, problems) == [
        tmp_path / "o.csv", tmp_path / "o.problems.csv"]


# --------------------------------------------------------------------------- explain


def test_explain_lists_the_values_kept_as_blank(tmp_path):
    """执2号's suspension (2025-03-01, resumed 2025-02-01) and its 1.5-month extension are kept as
    blank: its six months from 2025-02-06 end on 2025-08-06, nothing deducted or added, 55 days
    before 2025-09-30 (25 days of August, 30 of September)."""
    ledger = write(tmp_path, ROWS)
    result = invoke("explain", "（2025）鲁0902执2号", ledger, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = lines.index("以下值有问题，已按空白计，下面的类别、期限和状态均按空白计算：")
    assert lines[at - 1] == "  是否涉信访（petition）：否"
    assert lines[at + 1:at + 4] == [
        "  中止日期（suspended_on）：原值“2025-03-01”：恢复日期早于中止日期，该中止期间不扣除",
        "  延长期限（extension_months）：原值“1.5”：延长期限应为整月数",
        "类别：涉民生; 农民工工资、建筑工程款; 重点案件",  # 劳动报酬 is in both
    ]
    assert "期限 法定执行期限（legal_limit）：已超期，已超过 55 日 → 尽快结案，逐案说明超期原因和下一步措施" in lines


def test_explain_a_close_without_its_date_says_the_blank_value(tmp_path):
    result = invoke("explain", "(2025)鲁0902执1号", write(tmp_path, ROWS), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert ("以下值有问题，已按空白计，下面的类别、期限和状态均按空白计算：\n"
            "  结案时间（closed_on）：原值为空：案件状态或结案方式表明已结，但缺少结案日期，按未结计\n") in result.stdout


def test_explain_a_case_without_problems_has_no_such_lines(tmp_path):
    result = invoke("explain", "(2025)鲁0902执4号", write(tmp_path, ROWS), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "按空白计" not in result.stdout


def test_a_duplicate_row_is_listed_as_rejected_not_for_its_values(tmp_path):
    """The second 执1号 is rejected as a duplicate: like any rejected row it is listed for that,
    not also for its unreadable 延长期限 (found before the duplicates are, once every block is read)."""
    from backlog_cli.loading import load_ledger

    path = write(tmp_path, [CLEAN[1], CLEAN[1].replace(",,在办,否,,,,", ",,在办,否,,,,三个月")])
    ledger = load_ledger([path])
    assert ledger.rejects[["row", "reason"]].values.tolist() == [[3, "案号重复：与 第2行 重复"]]
    assert ledger.problems.empty and ledger.listed_problems().empty


def test_an_officer_cell_showing_a_failed_formula_is_no_officer(tmp_path):
    """#N/A in 承办人 (a lookup that failed) is listed as a value problem and the case is 未分配,
    not an officer named #N/A in the task lists and the ranking."""
    from backlog_cli.loading import load_ledger

    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期,承办人\n(2025)鲁0902执1号,2025-01-02,#N/A\n(2025)鲁0902执2号,2025-01-03,张三\n"
                      "(2025)鲁0902执3号,2025-01-04,#REF!\n(2025)鲁0902执4号,2025-01-05,#NA\n", encoding="utf-8")
    loaded = load_ledger([ledger])
    assert loaded.cases["officer"].isna().tolist() == [True, False, True, False]
    assert loaded.cases["officer"].tolist()[1::2] == ["张三", "#NA"]  # #NA is no spreadsheet error: kept as typed
    listed = loaded.listed_problems()
    assert listed[["row", "value", "problem"]].values.tolist() == [
        [2, "#N/A", "公式出错或未保存计算结果，不是姓名，按未分配计"],
        [4, "#REF!", "公式出错或未保存计算结果，不是姓名，按未分配计"]]


def test_a_status_or_close_method_showing_a_failed_formula_is_blank_not_text(tmp_path):
    """A lookup that failed in 案件状态, 结案方式, 案由 or 执行团队 is a value problem read as blank: the
    case is open (no close date), and no rule matches the text #N/A; an error word inside text is text."""
    from backlog_cli.loading import load_ledger

    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期,案由,案件状态,结案方式,执行团队\n"
                      "(2025)鲁0902执1号,2025-01-02,#N/A,#VALUE!,#REF!,一组\n"
                      "(2025)鲁0902执2号,2025-01-03,借款合同纠纷,在办,,#N/A\n"
                      "(2025)鲁0902执3号,2025-01-04,见#N/A栏,在办,,＃N/A\n", encoding="utf-8")
    loaded = load_ledger([ledger])
    cases = loaded.cases
    assert cases["cause"].tolist()[1:] == ["借款合同纠纷", "见#N/A栏"]
    assert cases[["cause", "status", "close_method"]].iloc[0].isna().all()
    assert cases["team"].isna().tolist() == [False, True, True]  # ＃N/A is #N/A typed full width
    assert loaded.listed_problems()[["row", "field", "value", "problem"]].values.tolist() == [
        [2, "cause", "#N/A", "公式出错或未保存计算结果，按空白计"],
        [2, "status", "#VALUE!", "公式出错或未保存计算结果，按空白计"],
        [2, "close_method", "#REF!", "公式出错或未保存计算结果，按空白计"],
        [3, "team", "#N/A", "公式出错或未保存计算结果，按空白计"],
        [4, "team", "＃N/A", "公式出错或未保存计算结果，按空白计"]]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_what_an_export_writes_for_an_empty_cell_is_blank(tmp_path, suffix):
    """NULL, None, nan and N/A as text, in any case, are what a case system, a database or a pandas
    script writes for an empty cell: blank in every column, no value problem each (结案日期 NULL was
    日期无法识别) and no officer named NULL with a task list of his own. 无 and 暂无 are words of
    their own: 未结原因 keeps them. #N/A, a lookup that failed, is still a value problem, whether
    an error cell or the text Excel saves for one in a CSV file."""
    import io

    import openpyxl

    from backlog_cli.loading import load_ledger

    rows = [["案号", "立案日期", "承办人", "结案日期", "中止日期", "执行标的", "未结原因", "备注"],
            ["(2025)鲁0902执1号", "2025-01-02", "NULL", "NULL", "null", "None", "无", "nan"],
            ["(2025)鲁0902执2号", "2025-01-03", "张三", "N/A", "n/a", "NaN", "暂无", "NAN"],
            ["(2025)鲁0902执3号", "2025-01-04", "None", "Null", "NONE", "NULL", "NULL", "N/a"],
            ["(2025)鲁0902执4号", "2025-01-05", "张三", "2025-06-01", "", "5000", "", ""]]
    ledger = tmp_path / f"台帐{suffix}"
    if suffix == ".csv":
        ledger.write_text("".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    else:
        book = openpyxl.Workbook()
        for r in rows:
            book.active.append([v or None for v in r])
        book.active.append(["(2025)鲁0902执5号", "2025-01-06", "李四", "#N/A"])  # an error cell: a failed formula
        book.save(ledger)
    out = tmp_path / "全部.csv"
    result = CliRunner().invoke(app, ["classify", str(ledger), "--as-of", "2026-11-23", "-o", str(out)])
    assert result.exit_code == 0, result.output
    cases = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert cases["closed_on"].tolist()[:4] == ["", "", "", "2025-06-01"]
    assert cases["officer"].tolist()[:4] == ["", "张三", "", "张三"]
    problems = tmp_path / "全部.problems.csv"
    if suffix == ".csv":
        assert "unreadable" not in result.stderr and not problems.exists()
    else:  # the error cell alone
        assert "1 value unreadable" in result.stderr
        listed = pd.read_csv(problems, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert listed[["行号", "列", "原值"]].values.tolist() == [["6", "结案日期", "#N/A"]]
    export = tmp_path / "export.csv"  # the text Excel saves for an error cell in a CSV file
    export.write_text("案号,立案日期,结案日期\n(2025)鲁0902执1号,2025-01-02,#N/A\n", encoding="utf-8")
    assert load_ledger([export]).listed_problems()[["row", "field", "value"]].values.tolist() == [
        [2, "closed_on", "#N/A"]]
    result = CliRunner().invoke(app, ["assign", str(ledger), "--as-of", "2026-11-23", "-f", "csv"])
    assert result.exit_code == 0, result.output
    officers = set(pd.read_csv(io.StringIO(result.stdout), dtype=str)["officer"])
    assert {"张三", "未分配"} <= officers and not {"NULL", "None"} & officers
    loaded = load_ledger([ledger])
    assert loaded.cases["reason_open"].fillna("").tolist()[:3] == ["无", "暂无", ""]
    assert loaded.cases[["notes", "amount", "suspended_on"]].iloc[:3].isna().all().all()
