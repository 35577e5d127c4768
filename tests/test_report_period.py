"""The monthly report's period with `report_day: N` in backlog.yaml (统计月): from the day after
day N of the month before to day N of the month, both included. Counts computed by hand."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from backlog_cli.cli import app
from backlog_cli.config import load_config
from backlog_cli.errors import ConfigError
from backlog_cli.report import (closed_in_month, month_warnings, monthly_report, parse_month, period_days, report_day,
                                trend_frame)
from conftest import write_ledger
from test_report import assert_counts_traced

runner = CliRunner()
T = pd.Timestamp

# (case, filed, closed, cause) around the turn of 2016-12 and 2017-01, for report_day: 28.
CASES = [
    ("(2016)鲁0902执1号", "2016-06-01", "2016-12-30", "追索劳动报酬纠纷"),  # closed after December's 28th: January's
    ("(2016)鲁0902执2号", "2016-10-01", "2016-11-29", "买卖合同"),  # December's period's first day
    ("(2016)鲁0902执3号", "2016-10-01", "2016-11-28", "买卖合同"),  # November's last day: in neither report
    ("(2016)鲁0902执4号", "2016-12-29", "", "买卖合同"),  # filed after December's 28th: open in January only
    ("(2016)鲁0902执5号", "2016-09-01", "2017-01-28", "买卖合同"),  # January's period's last day
    ("(2016)鲁0902执6号", "2016-09-01", "2017-01-29", "买卖合同"),  # after it: open at 01-28
    ("(2016)鲁0902执7号", "2016-12-31", "2016-12-31", "买卖合同"),  # filed and closed on December's 31st
    ("(2016)鲁0902执8号", "2016-09-28", "", "买卖合同"),  # open: exactly 3 months old at 12-28
]


def seq(cases: list[dict]) -> list[int]:
    return [int(c["case_no"].split("执")[1][:-1]) for c in cases]


def config_in(tmp_path: Path, settings: str = "report_day: 28\n") -> Path:
    write_ledger(tmp_path / "l.csv", "案号,立案日期,结案日期,案由", CASES)
    config = tmp_path / "backlog.yaml"
    config.write_text(f"ledger: l.csv\noutput_dir: out\nrules: [sanqingli-2016]\n{settings}", encoding="utf-8")
    return config


def report(config: Path, month: str, *extra: str) -> dict:
    result = runner.invoke(app, ["report", "monthly", "--month", month, "--config", str(config),
                                 "-f", "json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def totals(got: dict) -> list[int]:
    return [got["categories"][-1][k] for k in ("closed_in_month", "open_at_end")]


def test_period_days_at_month_lengths_edges():
    assert period_days(parse_month("2016-12"), 28) == (T("2016-11-29"), T("2016-12-28"))
    assert period_days(parse_month("2017-01"), 28) == (T("2016-12-29"), T("2017-01-28"))  # across the year
    assert period_days(parse_month("2017-02"), 28) == (T("2017-01-29"), T("2017-02-28"))
    assert period_days(parse_month("2017-03"), 28) == (T("2017-03-01"), T("2017-03-28"))  # February has no 29th
    assert period_days(parse_month("2024-03"), 28) == (T("2024-02-29"), T("2024-03-28"))  # a leap year's 29th
    assert period_days(parse_month("2026-01"), 25) == (T("2025-12-26"), T("2026-01-25"))  # 司法统计: 26th to 25th
    assert period_days(parse_month("2026-03"), 1) == (T("2026-02-02"), T("2026-03-01"))
    assert period_days(parse_month("2024-02")) == (T("2024-02-01"), T("2024-02-29"))  # no report day: the month


def test_a_close_on_the_30th_of_december_counts_once_in_january(tmp_path):
    """December (11-29 to 12-28): 2号 closed; 1号 5号 6号 8号 open. January (12-29 to 01-28): 1号
    (12-30), 5号 (01-28) and 7号 (12-31) closed; 4号 6号 8号 open. 3号 closed in November's period."""
    config = config_in(tmp_path)
    december, january = report(config, "2016-12"), report(config, "2017-01")
    assert [december[k] for k in ("month", "first_day", "last_day", "end")] == [
        "2016-12", "2016-11-29", "2016-12-28", "2016-12-28"]
    assert [january[k] for k in ("month", "first_day", "last_day", "end")] == [
        "2017-01", "2016-12-29", "2017-01-28", "2017-01-28"]
    assert [seq(december["closed_in_month"]), seq(december["open_at_end"])] == [[2], [1, 5, 6, 8]]
    assert [seq(january["closed_in_month"]), seq(january["open_at_end"])] == [[1, 5, 7], [6, 8, 4]]
    assert totals(december) == [1, 4] and totals(january) == [3, 3]
    minsheng = [next(r for r in got["categories"] if r["category"] == "minsheng") for got in (december, january)]
    assert [[r["closed_in_month"], r["open_at_end"]] for r in minsheng] == [[0, 1], [1, 0]]  # 1号: 追索劳动报酬
    for got in (december, january):
        assert_counts_traced({name: got[name] for name in got if name not in ("month", "first_day", "last_day", "end")})
    # the calendar month counted to the 28th (what the README used to advise) loses 1号 and 7号
    plain = config_in(tmp_path, "")
    closed = [seq(report(plain, m, "--as-of", d)["closed_in_month"]) for m, d in (("2016-12", "2016-12-28"),
                                                                               ("2017-01", "2017-01-28"))]
    assert closed == [[], [5]]


def test_every_case_counts_once_over_consecutive_periods():
    """300 cases filed and closed at random over 2023-2024, report days 1, 15, 25, 28, months
    2023-11 to 2024-04 (a leap February): each report counts every case filed by its last day and
    not closed before its first, once; each close of the span is in exactly one report."""
    rng = np.random.default_rng(7)
    filed = T("2023-06-01") + pd.to_timedelta(rng.integers(0, 330, 300), unit="D")
    closes = filed + pd.to_timedelta(rng.integers(0, 200, 300), unit="D")
    cases = pd.DataFrame({"case_no": [f"c{i}" for i in range(300)], "filed_on": filed,
                          "closed_on": closes.where(rng.random(300) < 0.7)})
    flags = pd.DataFrame(index=cases.index)
    for day in (1, 15, 25, 28):
        months = pd.period_range("2023-11", "2024-04", freq="M")
        counted: list[str] = []
        for month in months:
            r = monthly_report(cases, flags, [], month, day=day)
            first, last = r.first, r.last
            assert r.end == last
            expected = {c for c, f, e in zip(cases["case_no"], cases["filed_on"], cases["closed_on"])
                        if f <= last and not e < first}
            closed, opened = set(r.closed_cases["case_no"]), set(r.open_cases["case_no"])
            assert closed | opened == expected and not closed & opened, (day, month)
            assert r.categories.values.tolist()[-1][2:] == [len(closed), len(opened)]
            counted += r.closed_cases["case_no"].tolist()
        first, last = period_days(months[0], day)[0], period_days(months[-1], day)[1]
        in_span = cases.loc[(cases["closed_on"] >= first) & (cases["closed_on"] <= last), "case_no"]
        assert sorted(counted) == sorted(in_span), day  # each once: none lost between periods, none twice


def test_february_and_the_29th_with_report_day_28():
    cases = pd.DataFrame({"case_no": ["a", "b", "c", "d"],
                          "filed_on": pd.to_datetime(["2024-01-10"] * 4),
                          "closed_on": pd.to_datetime(["2024-01-29", "2024-02-28", "2024-02-29", "2024-03-01"])})
    flags = pd.DataFrame(index=cases.index)
    closed = {m: monthly_report(cases, flags, [], parse_month(m), day=28).closed_cases["case_no"].tolist()
              for m in ("2024-02", "2024-03")}
    assert closed == {"2024-02": ["a", "b"], "2024-03": ["c", "d"]}
    common = cases.assign(closed_on=pd.to_datetime(["2017-01-29", "2017-02-28", "2017-03-01", "2017-03-28"]),
                          filed_on=pd.to_datetime(["2017-01-10"] * 4))
    closed = {m: monthly_report(common, flags, [], parse_month(m), day=28).closed_cases["case_no"].tolist()
              for m in ("2017-02", "2017-03")}
    assert closed == {"2017-02": ["a", "b"], "2017-03": ["c", "d"]}


def test_as_of_in_the_period_and_the_default_day():
    month = parse_month("2016-12")
    assert report_day(month, day=28) == T("2016-12-28")
    assert report_day(month, T("2016-12-20"), day=28) == T("2016-12-20")
    assert report_day(month, T("2016-11-29"), day=28) == T("2016-11-29")  # the first day, in November
    assert report_day(month, today=dt.date(2016, 11, 30), day=28) == T("2016-11-30")  # today while the 28th is ahead
    assert report_day(month, today=dt.date(2016, 12, 28), day=28) == T("2016-12-28")
    assert report_day(month, today=dt.date(2016, 12, 29), day=28) == T("2016-12-28")  # the period is over
    assert report_day(month, today=dt.date(2016, 11, 28), day=28) == T("2016-12-28")  # not begun: warned about
    assert month_warnings(month, dt.date(2016, 11, 28), day=28) == [
        "--month 2016-12's period (2016-11-29 to 2016-12-28, report_day: 28) has not begun (today is 2016-11-28): "
        "nothing closed in it yet, and the ledger is counted as of 2016-12-28 as if nothing more happens until then"]
    assert month_warnings(month, dt.date(2016, 11, 29), day=28) == []
    # counted at an --as-of of the period, not at its last day: said so
    assert month_warnings(month, dt.date(2016, 11, 27), T("2016-11-30"), day=28)[0].endswith(
        "the ledger is counted as of 2016-11-30 as if nothing more happens until then")
    assert month_warnings(parse_month("2016-12"), dt.date(2016, 11, 27), T("2016-12-05"))[0].endswith(
        "the ledger is counted as of 2016-12-05 as if nothing more happens until then")
    for outside in ("2016-11-28", "2016-12-29"):
        with pytest.raises(ConfigError) as exc:
            report_day(month, T(outside), day=28)
        assert str(exc.value) == (f"--as-of {outside} is not in the period of --month 2016-12 (report_day: 28): give a "
                                  "day from 2016-11-29 to 2016-12-28 (default: 2016-12-28, or today while that day is ahead)")


def test_as_of_before_the_periods_last_day(tmp_path):
    """As of 12-20: 2号 (11-29) closed; 1号 5号 6号 8号 open; the closes are headed with the days counted."""
    config = config_in(tmp_path)
    got = report(config, "2016-12", "--as-of", "2016-12-20")
    assert [got["first_day"], got["last_day"], got["end"]] == ["2016-11-29", "2016-12-28", "2016-12-20"]
    assert [seq(got["closed_in_month"]), seq(got["open_at_end"])] == [[2], [1, 5, 6, 8]]
    early = report(config, "2016-12", "--as-of", "2016-11-29")  # the period's first day, in November
    assert [seq(early["closed_in_month"]), seq(early["open_at_end"])] == [[2], [1, 5, 6, 8]]
    refused = runner.invoke(app, ["report", "monthly", "--month", "2016-12", "--config", str(config),
                                  "--as-of", "2016-12-30"])
    assert refused.exit_code == 2
    assert "--as-of 2016-12-30 is not in the period of --month 2016-12 (report_day: 28)" in refused.output
    out = tmp_path / "r.xlsx"
    result = runner.invoke(app, ["report", "monthly", "--month", "2016-12", "--config", str(config),
                                 "--as-of", "2016-12-20", "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    title = "2016年12月执行案件清理进展（统计期间2016-11-29至2016-12-28，截至2016-12-20）"
    assert book.sheetnames == ["分类统计", "重点案件", "承办人", "未结时长", "本期执结", "截至12月20日未结"]
    assert book["分类统计"]["A1"].value == title and book["本期执结"]["A1"].value == f"{title}：本期执结：1 件"
    assert [c.value for c in book["分类统计"][2]] == ["类别", "本期执结（2016-11-29至2016-12-20）", "截至12月20日未结"]


def test_titles_say_the_period_and_csv_keeps_its_keys(tmp_path):
    config = config_in(tmp_path)
    terminal = runner.invoke(app, ["report", "monthly", "--month", "2017-01", "--config", str(config)])
    assert terminal.exit_code == 0, terminal.output
    assert "2017年1月执行案件清理进展（统计期间2016-12-29至2017-01-28，截至2017-01-28）" in terminal.stdout
    assert "本期执结（2016-12-29至2017-01-28）" in terminal.stdout and "截至1月28日未结" in terminal.stdout
    out = tmp_path / "r.csv"
    assert runner.invoke(app, ["report", "monthly", "--month", "2017-01", "--config", str(config),
                               "-o", str(out)]).exit_code == 0
    lines = (tmp_path / "r.categories.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "category,label,closed_in_month,open_at_end" and lines[-1] == "all,全部案件,3,3"
    assert (tmp_path / "r.closed_in_month.csv").read_text(encoding="utf-8-sig").splitlines()[1:] == [
        "(2016)鲁0902执1号,未分配,minsheng;key,2016-06-01,2016-12-30,追索劳动报酬纠纷,",
        "(2016)鲁0902执5号,未分配,,2016-09-01,2017-01-28,买卖合同,",
        "(2016)鲁0902执7号,未分配,,2016-12-31,2016-12-31,买卖合同,"]
    assert "first_day" not in report(config_in(tmp_path, ""), "2016-12")  # no report day: the JSON as before


def test_age_bands_and_trend_are_counted_at_the_report_day(tmp_path):
    """Runs on 12-28 (open 1号 5号 6号 8号), 12-30 (4号 5号 6号 8号) and 01-28 (4号 6号 8号).
    December's trend stops at its 28th; 8号, filed 09-28, is 3 months old then, not over 3 months
    (as on 12-31). Ages at 12-28: 1号 210 days, 5号 6号 118, 8号 91."""
    config = config_in(tmp_path)
    for day in ("2016-12-28", "2016-12-30", "2017-01-28"):
        assert runner.invoke(app, ["run", "--config", str(config), "--as-of", day, "-q"]).exit_code in (0, 1)
    december, january = report(config, "2016-12"), report(config, "2017-01")
    assert [[r["as_of"], r["open"]] for r in december["trend"]] == [["2016-12-28", 4]]
    assert [[r["as_of"], r["open"]] for r in january["trend"]] == [["2016-12-28", 4], ["2016-12-30", 4],
                                                                   ["2017-01-28", 3]]
    assert [[r["band"], r["open"]] for r in december["age_bands"]][:3] == [["3个月以内", 1], ["3至6个月", 2],
                                                                           ["6个月至1年", 1]]
    assert {r["case_no"][-3:]: [r["age_days"], r["band"]] for r in december["open_at_end"]} == {
        "执1号": [210, "6个月至1年"], "执5号": [118, "3至6个月"], "执6号": [118, "3至6个月"], "执8号": [91, "3个月以内"]}
    assert trend_frame([(dt.date(2016, 12, 28), {"open": 4}), (dt.date(2016, 12, 29), {"open": 5})],
                       T("2016-12-28"))["open"].tolist() == [4]


@pytest.mark.parametrize(("value", "shown"), [
    ("31", "31"), ("0", "0"), ("'28'", "'28'"), ("28.5", "28.5"),
    ("[28]", "a list"), ("true", "true (YAML reads yes, no, on, off as true or false: put such a name in quotes)"),
])
def test_report_day_is_a_whole_number_from_1_to_28_located_by_line(tmp_path, value, shown):
    path = tmp_path / "backlog.yaml"
    path.write_text(f"# settings\nledger: l.csv\nreport_day: {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert str(exc.value) == (f"{path}:3: 'report_day' must be a whole number from 1 to 28 (the day of the month the "
                              "monthly report counts to: its period runs from the day after that day of the month "
                              f"before (default: the calendar month)), got {shown}")


def test_report_day_setting_read(tmp_path):
    path = tmp_path / "backlog.yaml"
    for text, day in (("report_day: 28\n", 28), ("report_day: 1\n", 1), ("report_day:\n", None), ("", None)):
        path.write_text(f"ledger: l.csv\n{text}", encoding="utf-8")
        assert load_config(path).report_day == day


def test_closed_in_month_with_a_report_day():
    cases = pd.DataFrame({"filed_on": pd.to_datetime(["2016-01-01"] * 3),
                          "closed_on": pd.to_datetime(["2016-11-28", "2016-11-29", "2016-12-29"])})
    assert closed_in_month(cases, parse_month("2016-12"), T("2016-12-28"), 28).tolist() == [False, True, False]
    assert closed_in_month(cases, parse_month("2016-12"), T("2016-12-31")).tolist() == [False, False, True]
