"""`backlog report monthly`: counts computed by hand on a small ledger, charts, the sample golden.

Regenerate the golden after an intended change with ``UPDATE_GOLDEN=1 python -m pytest
tests/test_report.py`` and review the diff before committing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from backlog_cli import outputs
from backlog_cli.cli import app
from backlog_cli.errors import ConfigError
from backlog_cli.loading import load_ledger
from backlog_cli.report import (AGE_BANDS, MISSING, closed_in_month, due_month, flags_when_closed, monthly_report, parse_month,
                                report_dates, report_day, trend_frame)
from backlog_cli.rules import load_rules
from backlog_cli.triage import triage
from conftest import ROOT, check_golden
from conftest import write_ledger as write_csv

SAMPLE = ROOT / "samples" / "ledger.xlsx"
runner = CliRunner()
T = pd.Timestamp


def frame():
    cases = pd.DataFrame({
        "case_no": ["A", "B", "C", "D", "E"],
        "filed_on": pd.to_datetime(["2026-09-20", "2025-01-15", "2026-03-01", "2026-10-05", "2026-11-02"]),
        "closed_on": pd.to_datetime([None, "2026-10-12", None, "2026-11-03", None]),
        "officer": pd.Series(["张三", "李四", None, "张三", "李四"], dtype="str"),
        "reason_open": pd.Series(["财产待拍卖", None, "  ", None, None], dtype="str"),
        "next_step": pd.Series(["拍卖", None, "终本", None, None], dtype="str"),
        "expected_close": pd.to_datetime(["2026-12-31", None, None, None, None]),
    })
    flags = pd.DataFrame({"minsheng": [True, True, False, True, True], "xinfang": [False, False, True, False, False]})
    flags["key"] = flags["minsheng"] | flags["xinfang"]
    cases["categories"] = [["minsheng", "key"], ["minsheng", "key"], ["xinfang", "key"], ["minsheng", "key"], ["minsheng", "key"]]
    return cases, flags


CATS = [("minsheng", "涉民生"), ("xinfang", "涉信访"), ("key", "三类案件")]


def test_parse_month():
    """YYYY-MM, and the other ways --as-of takes a day's year and month: 2026/10, 2026.10, 2026年10月."""
    for text in ("2026-10", "2026/10", "2026.10", "2026年10月", " 2026 年 10 月 ", "2026年10"):
        assert str(parse_month(text)) == "2026-10", text
    assert str(parse_month("2026-1")) == "2026-01"
    for text in ("二〇二六年十月", "２０２６年１０月", "２０２６-１０"):  # as ledger dates are read: numerals, full-width digits
        assert str(parse_month(text)) == "2026-10", text
    forms = re.escape("(write year, month: 2026-11, 2026/11, 2026.11 or 2026年11月)")
    for bad in ("2026-13", "2026年13月", "二〇二六年十三月"):
        with pytest.raises(ConfigError, match=f"^--month '{bad}' is not a month: there is no month 13 {forms}$"):
            parse_month(bad)  # said as typed
    for bad in ("10-2026", "10/2026", "2026", "202610", "十月", "2026年10月5日", "2026-10-01"):
        with pytest.raises(ConfigError, match=f"^--month '{bad}' is not a month {forms}$"):
            parse_month(bad)


def test_counts_key_cases_and_officers_by_hand():
    cases, flags = frame()
    report = monthly_report(cases, flags, CATS, parse_month("2026-10"))
    # October 2026: B closed 10-12 (in the month); D closed 11-03 (open at the end); E filed later.
    assert report.categories.values.tolist() == [
        ["minsheng", "涉民生", 1, 2],
        ["xinfang", "涉信访", 0, 1],
        ["key", "三类案件", 1, 3],
        ["all", "全部案件", 1, 3],
    ]
    k = report.key_cases
    assert k["case_no"].tolist() == ["A", "D", "C"]  # by officer, 未分配 last
    assert k["officer"].tolist() == ["张三", "张三", "未分配"]
    assert k["age_days"].tolist() == [41, 26, 244]  # 2026-10-31 minus the filing date
    assert k["reason_open"].isna().tolist() == [False, True, True]  # blank text counts as missing
    assert k["reason_open"][0] == "财产待拍卖" and k["next_step"][2] == "终本"
    assert k["expected_close"].fillna("").tolist() == ["2026-12-31", "", ""]
    assert k["missing"].tolist() == [[], ["reason_open", "next_step", "expected_close"], ["reason_open", "expected_close"]]
    shown = next(s for s in report.sheets() if s.name == "重点案件").frame  # the workbook and terminal say it in words
    assert shown["reason_open"].tolist() == ["财产待拍卖", MISSING, MISSING]
    assert shown["expected_close"].tolist() == ["2026-12-31", MISSING, MISSING]
    assert shown["missing"].tolist() == ["", "未结原因、下一步打算、预计结案时间", "未结原因、预计结案时间"]
    # pinyin order (li before zhang), 未分配 last
    assert report.officers.values.tolist() == [["李四", 0, 1, 0], ["张三", 2, 0, 2], ["未分配", 1, 0, 1]]
    assert dict(zip(report.age_bands["band"], report.age_bands["open"])) == {
        "3个月以内": 2, "3至6个月": 0, "6个月至1年": 1, "1至2年": 0, "2年以上": 0}
    assert len(report.age_bands) == len(AGE_BANDS)
    # the cases behind the counts: B closed in October; A, D (张三) and C (未分配) open at its end
    closed = report.closed_cases
    assert closed.columns.tolist() == ["case_no", "officer", "categories", "filed_on", "closed_on", "cause", "respondent"]
    assert closed[["case_no", "officer", "categories"]].values.tolist() == [["B", "李四", ["minsheng", "key"]]]
    assert closed["closed_on"].tolist() == [T("2026-10-12")] and closed["cause"].isna().all()  # no cause column
    opened = report.open_cases
    assert opened[["case_no", "officer", "categories", "age_days", "band"]].values.tolist() == [
        ["A", "张三", ["minsheng", "key"], 41, "3个月以内"], ["D", "张三", ["minsheng", "key"], 26, "3个月以内"],
        ["C", "未分配", ["xinfang", "key"], 244, "6个月至1年"]]
    assert_counts_traced(report.tables())


def assert_counts_traced(tables):
    """Every count of the report is the number of rows of a case list: a category's closed and
    open counts the rows of 本月执结 and 月末未结 listing it (全部案件: all rows), an officer's
    counts and the age bands the rows naming them, key cases open the officer's 重点案件 rows."""
    tables = {name: pd.DataFrame(rows) if isinstance(rows, list) else rows for name, rows in tables.items()}
    closed, opened = tables["closed_in_month"], tables["open_at_end"]
    for row in tables["categories"].itertuples():
        listed = [len(frame) if row.category == "all" else sum(row.category in cats for cats in frame["categories"])
                  for frame in (closed, opened)]
        assert listed == [row.closed_in_month, row.open_at_end], row.category
    officers = tables["officers"].set_index("officer")
    assert opened["officer"].value_counts().reindex(officers.index, fill_value=0).tolist() == officers["open_at_end"].tolist()
    assert closed["officer"].value_counts().reindex(officers.index, fill_value=0).tolist() == officers["closed_in_month"].tolist()
    assert set(opened["officer"]) | set(closed["officer"]) == set(officers.index)
    key_open = tables["key_cases"]["officer"].value_counts() if len(tables["key_cases"]) else pd.Series(dtype="int64")
    assert key_open.reindex(officers.index, fill_value=0).tolist() == officers["key_open"].tolist()
    bands = tables["age_bands"]
    assert opened["band"].value_counts().reindex(bands["band"], fill_value=0).tolist() == bands["open"].tolist()


def test_as_of_in_the_month_reproduces_an_early_report():
    """Sent on 2026-10-11: B's close on 10-12 is not in it yet, so B is still open."""
    cases, flags = frame()
    report = monthly_report(cases, flags, CATS, parse_month("2026-10"), end=T("2026-10-11"))
    assert report.end == T("2026-10-11") and report.title.endswith("（截至2026-10-11）")
    assert report.categories.values.tolist() == [
        ["minsheng", "涉民生", 0, 3],
        ["xinfang", "涉信访", 0, 1],
        ["key", "三类案件", 0, 4],
        ["all", "全部案件", 0, 4],
    ]
    assert report_day(parse_month("2026-10")) == T("2026-10-31")
    with pytest.raises(ConfigError, match=r"--as-of 2026-11-01 is not in --month 2026-10: give a day from 2026-10-01 to 2026-10-31"):
        report_day(parse_month("2026-10"), T("2026-11-01"))


def test_ledger_without_plan_columns_lists_them_missing():
    cases, flags = frame()
    report = monthly_report(cases.drop(columns=["reason_open", "next_step", "expected_close"]), flags, CATS,
                            parse_month("2026-10"))
    assert report.key_cases["next_step"].isna().all()
    assert report.key_cases["missing"].tolist() == [["reason_open", "next_step", "expected_close"]] * 3


def test_the_ledgers_own_labels_head_the_report(tmp_path):
    """A --columns file's label (未结原因说明 for reason_open) heads the key cases' column and names
    the field where it is missing, as every other command shows it; by default the bundled label."""
    cases, flags = frame()
    from backlog_cli.loading import load_columns

    own = {**load_columns().labels(), "reason_open": "未结原因说明", "next_step": "下步措施"}
    report = monthly_report(cases.drop(columns=["reason_open"]), flags, CATS, parse_month("2026-10"), labels=own)
    [sheet] = [s for s in report.output().tables if s.name == "key_cases"]
    headers = [sheet.labels.get(c, c) for c in sheet.frame.columns]
    assert "未结原因说明" in headers and "下步措施" in headers and "未结原因" not in headers
    # key cases A, D, C: D has no next step nor expected close, C no expected close
    assert sheet.frame["missing"].tolist() == ["未结原因说明", "未结原因说明、下步措施、预计结案时间", "未结原因说明、预计结案时间"]
    default = monthly_report(cases.drop(columns=["reason_open"]), flags, CATS, parse_month("2026-10"))
    assert default.labels()["reason_open"] == "未结原因"


def test_trend_from_runs_up_to_month_end():
    runs = [(T("2026-10-30").date(), {"open": 5}), (T("2026-10-31").date(), {"open": 4}),
            (T("2026-11-01").date(), {"open": 9})]
    trend = trend_frame(runs, T("2026-10-31"))
    assert trend["as_of"].dt.strftime("%Y-%m-%d").tolist() == ["2026-10-30", "2026-10-31"]
    assert trend["open"].tolist() == [5, 4]


def charts_in(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))


def write_ledger(tmp_path: Path) -> Path:
    cases, _ = frame()
    path = tmp_path / "ledger.csv"
    pd.DataFrame({
        "案号": [f"(2026)鲁0902执{i}号" for i in range(1, 6)],
        "立案日期": cases["filed_on"].dt.strftime("%Y-%m-%d"),
        "承办人": cases["officer"], "案由": ["追索劳动报酬纠纷"] * 5,
        "结案日期": cases["closed_on"].dt.strftime("%Y-%m-%d"),
    }).to_csv(path, index=False)
    return path


def test_xlsx_has_native_charts_including_trend(tmp_path):
    write_ledger(tmp_path)
    (tmp_path / "backlog.yaml").write_text("ledger: ledger.csv\noutput_dir: out\n", encoding="utf-8")
    for day in ("2026-10-30", "2026-10-31"):
        assert runner.invoke(app, ["run", "--config", str(tmp_path / "backlog.yaml"), "--as-of", day, "-q"]).exit_code == 1  # rules warn: fields missing
    out = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["report", "monthly", "--month", "2026-10", "--config", str(tmp_path / "backlog.yaml"),
                                 "--rules", "sanqingli-2016", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert charts_in(out) == ["xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/charts/chart3.xml"]
    with zipfile.ZipFile(out) as z:
        kinds = [re.search(r"<c:(bar|line)Chart>", z.read(n).decode()).group(1) for n in charts_in(out)]
        across = [z.read(n).decode() for n in charts_in(out) if '<c:barDir val="bar"/>' in z.read(n).decode()]
    assert kinds == ["bar", "bar", "line"]
    # the categories' bars top down in the table's order, the value axis still below them
    assert len(across) == 1 and re.search(r'<c:catAx>.*<c:orientation val="maxMin"/>.*</c:catAx>', across[0])
    assert re.search(r'<c:valAx>.*<c:crosses val="max"/>.*</c:valAx>', across[0])
    trend = pd.read_excel(out, sheet_name="趋势", engine="openpyxl", header=1)  # row 1: the title
    assert trend["未结案件"].tolist() == [3, 3]


def test_trend_chart_of_one_run_shows_its_day(tmp_path):
    """A date axis of one point has no unit of days: LibreOffice labelled the first night's trend
    2026-01-01. One run's chart has a text axis showing its day as the cell does; with two or
    more, a date axis, the runs spaced by their days."""
    write_ledger(tmp_path)
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: ledger.csv\noutput_dir: out\n", encoding="utf-8")
    axes = []
    for day in ("2026-10-30", "2026-10-31"):
        result = runner.invoke(app, ["run", "--config", str(config), "--as-of", day, "-q"])
        assert result.exit_code == 1, result.output  # rules warn: fields missing
        charts = openpyxl.load_workbook(tmp_path / "out" / day / "report.xlsx")["趋势"]._charts
        assert len(charts) == 1
        axes.append((type(charts[0].x_axis).__name__, charts[0].x_axis.number_format.formatCode))
    assert axes == [("TextAxis", "yyyy-mm-dd"), ("DateAxis", "yyyy-mm-dd")]


def test_a_time_limit_already_passed_is_marked():
    """预计结案时间 typed as a day before the day counted at, the case still open: 已过预计结案时间.
    The day itself, a later day, words (年底前) and a bare number (30, a count of days, not Excel's
    day 30) are not passed; nor is a blank."""
    cases, flags = frame()
    n = 7
    cases = pd.DataFrame({
        "case_no": [f"K{i}" for i in range(n)], "filed_on": T("2026-01-05"), "closed_on": pd.NaT,
        "officer": pd.Series(["张三"] * n, dtype="str"),
        "expected_close": pd.Series(["2026-10-30", "2026年10月15日", "2026-10-31", "2026-12-31", "年底前", "30", None],
                                    dtype="str"),
    })
    flags = pd.DataFrame({"key": [True] * n})
    cases["categories"] = [["key"]] * n
    report = monthly_report(cases, flags, [("key", "重点案件")], parse_month("2026-10"))
    passed = dict(zip(report.key_cases["case_no"], report.key_cases["plan_passed"]))
    assert passed == {"K0": True, "K1": True, "K2": False, "K3": False, "K4": False, "K5": False, "K6": False}
    shown = next(s for s in report.sheets() if s.name == "重点案件")
    assert shown.labels["plan_passed"] == "已过预计结案时间"


def test_csv_writes_key_cases_and_tables_beside(tmp_path):
    ledger = write_ledger(tmp_path)
    out = tmp_path / "r.csv"
    result = runner.invoke(app, ["report", "monthly", str(ledger), "--month", "2026-10", "--rules", "sanqingli-2016", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("r*.csv")) == [
        "r.age_bands.csv", "r.categories.csv", "r.closed_in_month.csv", "r.csv", "r.officers.csv", "r.open_at_end.csv",
        "r.trend.csv"]
    cats = pd.read_csv(tmp_path / "r.categories.csv", encoding="utf-8-sig")
    assert cats.loc[cats["category"] == "minsheng", ["closed_in_month", "open_at_end"]].values.tolist() == [[1, 3]]  # every cause here is 劳动报酬
    closed = (tmp_path / "r.closed_in_month.csv").read_text(encoding="utf-8-sig").splitlines()
    assert closed == ["case_no,officer,categories,filed_on,closed_on,cause,respondent",
                      "(2026)鲁0902执2号,李四,minsheng;key,2025-01-15,2026-10-12,追索劳动报酬纠纷,"]
    opened = pd.read_csv(tmp_path / "r.open_at_end.csv", encoding="utf-8-sig")
    assert opened[["case_no", "officer", "age_days", "band"]].values.tolist() == [
        ["(2026)鲁0902执1号", "张三", 41, "3个月以内"], ["(2026)鲁0902执4号", "张三", 26, "3个月以内"],
        ["(2026)鲁0902执3号", "未分配", 244, "6个月至1年"]]


def test_csv_and_json_keep_blank_plans_blank_and_missing_as_field_ids(tmp_path):
    """(2026)鲁0902执2号 has a next step only: in JSON its reason and time limit are null and
    ``missing`` lists their ids; in CSV they are empty and ``missing`` is the ids joined with ; as
    categories are. The workbook says 未填写 and names the fields."""
    ledger = write_csv(tmp_path / "l.csv", "案号,立案日期,案由,未结原因,下一步打算,预计结案时间", [
        ("(2026)鲁0902执1号", "2026-05-01", "追索劳动报酬纠纷", "财产待拍卖", "拍卖", "2026-12-31"),
        ("(2026)鲁0902执2号", "2026-06-01", "追索劳动报酬纠纷", "", "终本", ""),
    ])
    args = ["report", "monthly", str(ledger), "--month", "2026-10", "--rules", "sanqingli-2016"]
    result = runner.invoke(app, [*args, "-f", "json"])
    assert result.exit_code == 0, result.output
    cases = {r["case_no"]: r for r in json.loads(result.stdout)["key_cases"]}
    blank = cases["(2026)鲁0902执2号"]
    assert [blank[k] for k in ("reason_open", "next_step", "expected_close", "missing")] == [
        None, "终本", None, ["reason_open", "expected_close"]]
    assert [blank["categories"], cases["(2026)鲁0902执1号"]["missing"]] == [["minsheng", "key"], []]
    result = runner.invoke(app, [*args, "-f", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "case_no,officer,categories,filed_on,age_days,reason_open,next_step,expected_close,plan_passed,missing"
    assert lines[2] == "(2026)鲁0902执2号,未分配,minsheng;key,2026-06-01,152,,终本,,False,reason_open;expected_close"
    assert lines[1].endswith(",财产待拍卖,拍卖,2026-12-31,False,")
    out = tmp_path / "r.xlsx"
    assert runner.invoke(app, [*args, "-o", str(out)]).exit_code == 0
    ws = openpyxl.load_workbook(out)["重点案件"]
    assert [c.value for c in ws[4]][-5:] == [MISSING, "终本", MISSING, "否", "未结原因、预计结案时间"]


def test_sample_report_against_golden(tmp_path):
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["report", "monthly", str(SAMPLE), "--month", "2026-10", "--rules", "sanqingli-2016", "-o", str(out)])
    assert result.exit_code == 0, result.output
    got = json.loads(out.read_text(encoding="utf-8"))
    check_golden("report_monthly.json", json.dumps(got, ensure_ascii=False, indent=2) + "\n")
    assert [len(got["closed_in_month"]), len(got["open_at_end"])] == [7, 153]
    assert_counts_traced({name: got[name] for name in got if name not in ("month", "end")})
    xlsx = tmp_path / "report.xlsx"
    assert runner.invoke(app, ["report", "monthly", str(SAMPLE), "--month", "2026-10", "-o", str(xlsx)]).exit_code == 0
    assert len(charts_in(xlsx)) == 2  # age bands and categories; no history here, so no trend chart
    book = openpyxl.load_workbook(xlsx, read_only=True)
    assert book.sheetnames == ["分类统计", "重点案件", "承办人", "未结时长", "本月执结", "月末未结"]  # no 趋势 without runs
    total = [c.value for c in list(book["分类统计"].iter_rows())[-1]]
    assert total == ["全部案件", 7, 153]
    assert [book[name].max_row - 2 for name in ("本月执结", "月末未结")] == [7, 153]  # below the title and header


def test_xlsx_case_lists_say_how_many_cases_and_an_empty_table_says_so(tmp_path):
    """A case list's title says how many cases it lists, so an empty one (本月执结 counted on the
    1st) says ：0 件 and each says what its rows are; a table of counts without rows (承办人, in a
    month before the ledger's first case) says （无数据） in its title, never in a row."""
    def titles(month: str, *args: str) -> dict[str, tuple[str, int]]:
        out = tmp_path / f"{month}.xlsx"
        result = runner.invoke(app, ["report", "monthly", str(SAMPLE), "--month", month, *args, "-o", str(out)])
        assert result.exit_code == 0, result.output
        book = openpyxl.load_workbook(out)
        return {ws.title: (ws["A1"].value, ws.max_row - 2) for ws in book.worksheets}

    first = titles("2026-11", "--as-of", "2026-11-01")
    head = "2026年11月执行案件清理进展（截至2026-11-01）："
    assert first["本月执结"] == (head + "本月执结：0 件", 0)
    assert first["截至11月1日未结"] == (head + "截至11月1日未结：153 件", 153)
    assert first["重点案件"] == (head + "重点案件：101 件", 101)
    assert first["承办人"][0] == head + "承办人"  # not a case list, and not empty: as it was
    before = titles("2013-12")
    head = "2013年12月执行案件清理进展（截至2013-12-31）："
    assert before["承办人"] == (head + "承办人（无数据）", 0)
    assert before["月末未结"] == (head + "月末未结：0 件", 0)
    terminal = runner.invoke(app, ["report", "monthly", str(SAMPLE), "--month", "2026-11", "--as-of", "2026-11-01"])
    assert "\n重点案件：101 件\n" in terminal.stdout


AGE_RULES = """\
version: 1
categories:
  - id: over_one_year
    label: 未结超过一年
    when:
      all:
        - open: true
        - {field: filed_on, older_than: 1 year}
  - id: wages
    label: 农民工工资
    when: {field: cause, contains_any: [工资]}
  - id: key
    label: 重点案件
    when:
      any:
        - category: over_one_year
        - category: wages
"""
# (case, filed, closed, cause) for --month 2026-10.
AGE_CASES = [
    ("(2024)鲁0902执1号", "2024-10-22", "2026-10-09", "拖欠工资"),  # A: closed after about two years
    ("(2025)鲁0902执2号", "2025-10-15", "2026-10-15", "买卖合同"),  # B: closed on the day the year ends: not over it
    ("(2025)鲁0902执3号", "2025-10-15", "2026-10-16", "买卖合同"),  # C: closed the day after: over a year
    ("(2025)鲁0902执4号", "2025-10-20", "2026-10-15", "买卖合同"),  # D: under a year at its close (over it at 10-31)
    ("(2026)鲁0902执5号", "2026-10-31", "2026-10-31", "拖欠工资"),  # E: filed and closed on the last day
    ("(2025)鲁0902执6号", "2025-03-01", "", "买卖合同"),  # F: open, over a year
    ("(2025)鲁0902执7号", "2025-10-31", "", "买卖合同"),  # G: open, exactly a year at 10-31: not over it
    ("(2024)鲁0902执8号", "2024-01-01", "2026-09-30", "拖欠工资"),  # H: closed before the month: in no count
    ("(2024)鲁0902执9号", "2024-05-05", "2026-11-02", "买卖合同"),  # I: closed after the month: open, over a year
    ("(2025)鲁0902执10号", "2025-01-01", "2026-10-01", "买卖合同"),  # J: closed on the month's first day, over a year
]


def age_ledger(tmp_path: Path) -> tuple[Path, Path]:
    ledger = write_csv(tmp_path / "ages.csv", "案号,立案日期,结案日期,案由", AGE_CASES)
    rules = tmp_path / "ages.yaml"
    rules.write_text(AGE_RULES, encoding="utf-8")
    return ledger, rules


def test_cases_closed_in_the_month_count_under_the_categories_they_had_when_closed(tmp_path):
    """Over a year at the close: A, C, J (not B, a year to the day; not D). Wages: A, E. Key: their
    union. Closed in October: A B C D E J; open at 10-31: F G I. Each category's two counts are
    its cases worked on in the month, and the 全部案件 row holds every case once."""
    ledger, rules = age_ledger(tmp_path)
    out = tmp_path / "r.json"
    result = runner.invoke(app, ["report", "monthly", str(ledger), "--month", "2026-10", "--rules", str(rules),
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    got = json.loads(out.read_text(encoding="utf-8"))
    assert [[r["category"], r["closed_in_month"], r["open_at_end"]] for r in got["categories"]] == [
        ["over_one_year", 3, 2], ["wages", 2, 0], ["key", 4, 2], ["all", 6, 3]]
    assert [r["case_no"] for r in got["key_cases"]] == ["(2024)鲁0902执9号", "(2025)鲁0902执6号"]  # by filing date
    # the lists behind them, by filing date (B before C: filed the same day, by case number)
    assert [[r["case_no"].split("执")[1], r["categories"], r["closed_on"]] for r in got["closed_in_month"]] == [
        ["1号", ["over_one_year", "wages", "key"], "2026-10-09"], ["10号", ["over_one_year", "key"], "2026-10-01"],
        ["2号", [], "2026-10-15"], ["3号", ["over_one_year", "key"], "2026-10-16"], ["4号", [], "2026-10-15"],
        ["5号", ["wages", "key"], "2026-10-31"]]
    assert [[r["case_no"].split("执")[1], r["categories"], r["age_days"], r["band"]] for r in got["open_at_end"]] == [
        ["9号", ["over_one_year", "key"], 909, "2年以上"], ["6号", ["over_one_year", "key"], 609, "1至2年"],
        ["7号", [], 365, "6个月至1年"]]
    assert_counts_traced({name: got[name] for name in got if name not in ("month", "end")})


def test_as_of_mid_month_evaluates_each_close_at_its_own_date(tmp_path):
    """At 2026-10-15: closed A (10-09), B and D (10-15), J (10-01), of which A and J over a year.
    Open: C (a year to the day), F, G, I; E is not filed yet."""
    ledger, rules = age_ledger(tmp_path)
    cases = load_ledger([ledger]).cases
    ruleset = load_rules([rules])
    month, end = parse_month("2026-10"), T("2026-10-15")
    result = triage(cases, ruleset, end)
    closed = closed_in_month(result.cases, month, end)
    assert result.cases.loc[closed, "case_no"].str[-3:].tolist() == ["执1号", "执2号", "执4号", "10号"]
    flags = flags_when_closed(result.cases, result.flags, ruleset, closed)
    report = monthly_report(result.cases, flags, [(c.id, c.label) for c in ruleset.categories], month, end=end)
    assert report.categories[["closed_in_month", "open_at_end"]].values.tolist() == [[2, 2], [1, 0], [2, 2], [4, 4]]
    assert flags.loc[~closed].equals(result.flags.loc[~closed])  # open cases keep their categories at --as-of


def test_sample_cases_open_over_a_year_closed_in_october():
    """Filed 2024-10-22, closed 2026-10-09; filed 2024-12-13, closed 2026-10-27; filed 2025-06-17,
    closed 2026-10-23. (2025)鲁0902执220号 (filed 2025-11-27, closed 10-26) was open under a year."""
    month, end = parse_month("2026-10"), T("2026-10-31")
    ruleset = load_rules(["default"])
    result = triage(load_ledger([SAMPLE]).cases, ruleset, end)
    closed = closed_in_month(result.cases, month, end)
    flags = flags_when_closed(result.cases, result.flags, ruleset, closed)
    over = result.cases.loc[closed & flags["over_one_year"], "case_no"]
    assert sorted(over) == ["(2024)鲁0902执203号", "(2024)鲁0902执恢42号", "(2025)鲁0902执116号"]
    assert flags.loc[over.index, "key"].all()
    assert "(2025)鲁0902执220号" in set(result.cases.loc[closed, "case_no"])


def test_current_month_is_counted_as_of_today():
    today = dt.date(2026, 11, 23)
    assert report_day(parse_month("2026-11"), today=today) == T("2026-11-23")
    assert report_day(parse_month("2026-11"), today=dt.date(2026, 11, 1)) == T("2026-11-01")
    assert report_day(parse_month("2026-11"), T("2026-11-30"), today) == T("2026-11-30")  # --as-of is taken as given
    assert report_day(parse_month("2026-10"), today=today) == T("2026-10-31")  # a past month: its last day
    assert report_day(parse_month("2026-12"), today=today) == T("2026-12-31")  # not begun: warned about instead


def test_the_month_reported_on_by_default_is_the_one_due():
    """Without --month: the month whose period holds --as-of, else the calendar month of today."""
    today = dt.date(2026, 11, 26)
    assert due_month(None, today) == parse_month("2026-11")
    assert due_month(T("2026-10-31"), today) == parse_month("2026-10")
    assert due_month(T("2026-10-25"), today, 25) == parse_month("2026-10")  # day N ends October's period
    assert due_month(T("2026-10-26"), today, 25) == parse_month("2026-11")  # and the next day begins November's
    assert due_month(T("2026-12-29"), today, 28) == parse_month("2027-01")
    # today, the 26th, with report_day 25: November's period has just ended, and its report is due
    assert due_month(None, today, 25) == parse_month("2026-11")
    assert report_day(due_month(None, today, 25), None, today, 25) == T("2026-11-25")


def test_the_month_reported_on_and_the_day_it_is_counted_at():
    """report_dates: the month named, else the one due, and the day it is counted at: --as-of,
    else today while its period runs, else the period's last day; --as-of outside the month named
    is refused."""
    today = dt.date(2026, 11, 26)
    assert report_dates(None, None, today) == (parse_month("2026-11"), T("2026-11-26"))
    assert report_dates(None, None, today, 25) == (parse_month("2026-11"), T("2026-11-25"))  # the period just ended
    assert report_dates(None, T("2026-10-20"), today) == (parse_month("2026-10"), T("2026-10-20"))
    assert report_dates(None, T("2026-10-26"), today, 25) == (parse_month("2026-11"), T("2026-10-26"))
    assert report_dates(parse_month("2026-10"), None, today) == (parse_month("2026-10"), T("2026-10-31"))
    assert report_dates(parse_month("2026-10"), T("2026-10-05"), today) == (parse_month("2026-10"), T("2026-10-05"))
    with pytest.raises(ConfigError, match="is not in --month 2026-10"):
        report_dates(parse_month("2026-10"), T("2026-11-05"), today)


class Nov23(dt.date):
    @classmethod
    def today(cls) -> "Nov23":
        return cls(2026, 11, 23)


def test_report_run_in_the_current_month_says_today(tmp_path, monkeypatch):
    """On 2026-11-23: the close on 11-20 is in November's report, the one dated 11-25 is not yet."""
    monkeypatch.setattr("backlog_cli.cli.dt", SimpleNamespace(date=Nov23))
    ledger = write_csv(tmp_path / "l.csv", "案号,立案日期,结案日期", [
        ("(2026)鲁0902执1号", "2026-11-02", "2026-11-20"),
        ("(2026)鲁0902执2号", "2026-11-03", "2026-11-25"),
        ("(2026)鲁0902执3号", "2026-11-04", ""),
    ])
    out = tmp_path / "r.json"
    result = runner.invoke(app, ["report", "monthly", str(ledger), "--month", "2026-11", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "has not begun" not in result.output
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["end"] == "2026-11-23"
    assert [got["categories"][-1][k] for k in ("closed_in_month", "open_at_end")] == [1, 2]
    terminal = runner.invoke(app, ["report", "monthly", str(ledger), "--month", "2026-11"])
    assert "2026年11月执行案件清理进展（截至2026-11-23）" in terminal.output
    assert runner.invoke(app, ["report", "monthly", str(ledger)]).output == terminal.output  # the month due: today's
    october = runner.invoke(app, ["report", "monthly", str(ledger), "--as-of", "2026-10-31"])
    assert october.exit_code == 0 and "2026年10月执行案件清理进展" in october.output


def test_age_bands_count_calendar_months_as_older_than_does():
    """At 2026-10-31: filed 07-31 is exactly 3 months old (3个月以内), 07-30 more (3至6个月); 04-30
    is more than 6 months (04-30 + 6 months = 10-30), as 04-29; 2025-10-31 is exactly a year
    (6个月至1年), 2025-10-30 more; 2024-10-31 exactly two years (1至2年), 2024-10-30 more."""
    from backlog_cli.report import _age_bands

    filed = pd.Series(pd.to_datetime(["2026-10-31", "2026-07-31", "2026-07-30", "2026-04-30", "2026-04-29",
                                      "2025-10-31", "2025-10-30", "2024-10-31", "2024-10-30"]))
    bands = _age_bands(filed, pd.Timestamp("2026-10-31"))
    assert dict(zip(bands["band"], bands["open"])) == {
        "3个月以内": 2, "3至6个月": 1, "6个月至1年": 3, "1至2年": 2, "2年以上": 1}


def test_the_workbook_and_terminal_name_categories_by_label_csv_keeps_ids(tmp_path):
    cases, flags = frame()
    report = monthly_report(cases, flags, CATS, parse_month("2026-10"))
    assert report.key_cases["categories"].tolist() == [["minsheng", "key"], ["minsheng", "key"], ["xinfang", "key"]]
    sheet = next(s for s in report.sheets() if s.name == "重点案件")
    labelled = [["涉民生", "三类案件"], ["涉民生", "三类案件"], ["涉信访", "三类案件"]]
    assert outputs.shown_values(sheet.frame, sheet.labels)["categories"].tolist() == labelled
    shown = {t.title: t for t in report.output().tables}
    assert list(shown) == ["分类统计", "重点案件：3 件", "承办人", "未结时长"]  # a case list says its count
    key = shown["重点案件：3 件"]
    assert outputs.shown_values(key.frame, key.labels)["categories"].tolist() == labelled
    path = tmp_path / "r.xlsx"
    outputs.write_xlsx(path, report.sheets())
    ws = openpyxl.load_workbook(path)["重点案件"]
    column = [c.value for c in ws[2]].index("类别") + 1
    assert [ws.cell(r, column).value for r in (3, 4, 5)] == ["涉民生; 三类案件", "涉民生; 三类案件", "涉信访; 三类案件"]


def test_an_as_of_after_today_is_warned_about(tmp_path, monkeypatch):
    """On 2026-11-23, --as-of 2026-11-30 counts the close dated 11-25 as done: a warning says
    the day is still to come; --as-of 2026-11-20 gets none."""
    monkeypatch.setattr("backlog_cli.cli.dt", SimpleNamespace(date=Nov23))
    ledger = write_csv(tmp_path / "l.csv", "案号,立案日期,结案日期", [
        ("(2026)鲁0902执1号", "2026-11-02", "2026-11-25")])
    later = runner.invoke(app, ["report", "monthly", str(ledger), "--month", "2026-11", "--as-of", "2026-11-30",
                                "-f", "json"])
    assert later.exit_code == 0, later.output
    assert "warning: --as-of 2026-11-30 is after today (2026-11-23)" in later.stderr
    earlier = runner.invoke(app, ["report", "monthly", str(ledger), "--month", "2026-11", "--as-of", "2026-11-20",
                                  "-f", "json"])
    assert earlier.exit_code == 0 and "--as-of 2026-11-20 is after today" not in earlier.stderr
    # the close date itself cannot be in a ledger on 2026-11-23: said in both runs
    assert all("a close date after today (2026-11-23)" in r.stderr for r in (later, earlier))


def test_workbook_counted_before_month_end_says_the_day_and_shows_no_ids(tmp_path):
    """Counted on 2026-11-20, 未结 is 截至11月20日未结, not 月末未结; every sheet says the month and
    day in its title row; the sheet sent upward shows category labels, not ids (the CSV keeps them)."""
    out = tmp_path / "m.xlsx"
    result = runner.invoke(app, ["report", "monthly", str(SAMPLE), "--month", "2026-11", "--as-of", "2026-11-20", "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    names = ("重点案件", "承办人", "未结时长", "本月执结", "截至11月20日未结")  # no runs recorded: no 趋势
    assert book.sheetnames == ["分类统计", *names]
    counts = ("：109 件", "", "", "：9 件", "：174 件")  # the case lists say how many cases they list
    assert [ws["A1"].value for ws in book] == ["2026年11月执行案件清理进展（截至2026-11-20）"] + [
        f"2026年11月执行案件清理进展（截至2026-11-20）：{name}{count}" for name, count in zip(names, counts)]
    assert [c.value for c in book["分类统计"][2]] == ["类别", "本月执结", "截至11月20日未结"]
    categories = book["分类统计"]  # the 全部案件 row is kept out of the filter: it stays last when sorted
    assert categories.cell(categories.max_row, 1).value == "全部案件"
    assert categories.auto_filter.ref == f"A2:C{categories.max_row - 1}"
    month_end = runner.invoke(app, ["report", "monthly", str(SAMPLE), "--month", "2026-10", "-f", "csv"])
    assert month_end.stdout.splitlines()[0].startswith("case_no,")
    table = runner.invoke(app, ["report", "monthly", str(SAMPLE), "--month", "2026-10"]).stdout
    assert "月末未结" in table and "类别编号" not in table and "minsheng" not in table


def test_a_case_closed_by_zhongben_in_the_month_counts_as_a_zhongben_case_closed(tmp_path):
    """juesheng-2017's 终本 category needs the close (closed: true and 终本): a case closed in the
    month by 终本 counts there, as closed, and under 超6个月未执结 it had just before the close."""
    ledger = write_csv(tmp_path / "l.csv", "案号,立案日期,结案日期,结案方式,承办人", [
        ("(2016)豫1521执7号", "2016-10-20", "2017-06-10", "终结本次执行程序", "张三"),  # 7 months open, then 终本
        ("(2017)豫1521执8号", "2017-04-20", "2017-06-12", "执行完毕", "张三"),
        ("(2017)豫1521执9号", "2017-03-01", "", "", "李四"),
    ])
    ruleset = load_rules(["juesheng-2017"])
    month, end = parse_month("2017-06"), T("2017-06-30")
    result = triage(load_ledger([ledger]).cases, ruleset, end)
    closed = closed_in_month(result.cases, month, end)
    flags = flags_when_closed(result.cases, result.flags, ruleset, closed)
    report = monthly_report(result.cases, flags, [(c.id, c.label) for c in ruleset.categories], month, end=end)
    counts = report.categories.set_index("category")[["closed_in_month", "open_at_end"]]
    assert counts.loc["zhongben"].tolist() == [1, 0]
    assert counts.loc["over_6_months"].tolist() == [1, 0]  # 执7号, filed 2016-10-20: over 6 months when closed
    assert counts.loc["over_3_months"].tolist() == [1, 1]  # 执7号 when closed; 执9号 open since 03-01


def test_the_task_lists_count_the_key_cases_whose_plan_the_report_finds_missing():
    """Each officer's 月报待填 is the number of that officer's key cases the report lists with a
    缺项, so an officer's task list says what the report of the 28th will show blank."""
    from backlog_cli.assignment import task_lists
    from backlog_cli.deadlines import load_ruleset
    from backlog_cli.report import report_from

    ruleset, deadlines = load_ruleset(["default"])
    result = triage(load_ledger([SAMPLE]).cases, ruleset, T("2026-11-23"), deadlines)
    lists = task_lists(result.cases, result.as_of, key=result.key_cases())
    key_cases = report_from(result, parse_month("2026-11"), None, None).key_cases
    missing = key_cases.loc[key_cases["missing"].map(len).gt(0), "officer"].value_counts()
    counted = dict(zip(lists.overview["officer"], lists.overview["plans_missing"]))
    assert counted == {officer: int(missing.get(officer, 0)) for officer in counted}
    assert sum(counted.values()) == 55 and len(key_cases) == lists.overview["key_cases"].sum() == 107


def test_a_ledger_without_a_plan_column_is_warned_about_once_by_the_report_and_the_task_lists(tmp_path, monkeypatch):
    """A ledger with no 下一步打算 or 预计结案时间 column under any header backlog knows has every open
    key case 未填写 in the report and 月报待填 in the task lists: said once, naming the fields, the
    headers read as them and the ledger's headers not recognised (here 工作安排, the next step under
    a header of the court's own). absent_columns makes it a note; with no open key case shown, nothing
    is said."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    write_csv(tmp_path / "l.csv", "案号,立案日期,承办人,案由,结案日期,未结案原因,工作安排", [
        ("(2026)鲁0902执1号", "2026-05-01", "张三", "追索劳动报酬纠纷", "", "财产待拍卖", "拍卖"),
        ("(2026)鲁0902执2号", "2026-06-01", "李四", "买卖合同纠纷", "", "", ""),
    ])
    warning = ("warning: the ledger has no 下一步打算 (next_step) or 预计结案时间 (expected_close) column, so every open "
               "key case reads them as blank: the monthly report shows them as 未填写 (缺项) and the task lists count "
               "the case as 月报待填. Headers read as them: 下一步打算: 下一步打算、下一步措施、下步打算、下步措施、"
               "下一步工作措施、下一步工作计划、下一步工作打算、工作打算; 预计结案时间: 预计结案时间、预计结案日期、"
               "计划结案时间、预计执结时间、预计执结日期、结案时限、化解时限. Its headers not recognised: 工作安排; "
               "if one of them is such a column, add it as an alias in a columns file (--columns)")
    report = runner.invoke(app, ["report", "monthly", "l.csv", "--month", "2026-10", "--rules", "sanqingli-2016",
                                 "-f", "json"])
    assert report.exit_code == 0, report.output
    assert [line for line in report.stderr.splitlines() if "下一步打算" in line] == [warning]
    [case] = json.loads(report.stdout)["key_cases"]
    assert (case["reason_open"], case["missing"]) == ("财产待拍卖", ["next_step", "expected_close"])  # 未结案原因 is read
    tasks = runner.invoke(app, ["assign", "l.csv", "--as-of", "2026-10-31", "--rules", "sanqingli-2016", "-f", "csv"])
    assert tasks.exit_code == 0, tasks.output
    assert [line for line in tasks.stderr.splitlines() if "下一步打算" in line] == [warning]
    (tmp_path / "backlog.yaml").write_text("absent_columns: [下一步打算, expected_close]\n", encoding="utf-8")
    noted = runner.invoke(app, ["report", "monthly", "l.csv", "--month", "2026-10", "--rules", "sanqingli-2016"])
    assert [line for line in noted.stderr.splitlines() if "下一步打算" in line] == [
        "note: " + warning.removeprefix("warning: ") + " (absent_columns: not kept in this ledger)"]
    (tmp_path / "backlog.yaml").unlink()
    # 执2号 (买卖合同) is no key case and 执1号 was filed after April: no key case, nothing to say
    april = runner.invoke(app, ["report", "monthly", "l.csv", "--month", "2026-04", "--rules", "sanqingli-2016"])
    assert april.exit_code == 0, april.output
    assert "下一步打算" not in april.stderr


def test_the_terminal_report_shows_the_key_cases_title_when_none_is_open():
    """A month before the first filing: the terminal report still says 重点案件：0 件 (the xlsx
    sheet says it too), where it left the key cases out and the reader could not tell none from
    a table forgotten; an empty officers' table is still left out."""
    result = CliRunner().invoke(app, ["report", "monthly", str(ROOT / "samples" / "ledger.xlsx"), "--month", "2013-12"])
    assert result.exit_code == 0, result.output
    titles = [line for line in result.stdout.splitlines() if line[:1] not in "┏┃┡│└"]
    assert "重点案件：0 件" in titles
    assert not any(line.startswith("承办人") for line in titles)
