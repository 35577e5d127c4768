"""Deadline arithmetic: expectations computed by hand from the calendar, not from the code."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt

import chinese_calendar as cc
import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from backlog_cli.deadlines import (
    Deadline,
    Deduction,
    column_problems,
    evaluate,
    explain,
    fields_read,
    load_ruleset,
    Holidays,
    workday_calendar,
)
from backlog_cli.errors import ConfigError, RulesError
from backlog_cli.rules import LocatedLoader, Mark, Node, compile_condition, parse_span

T = pd.Timestamp


def ledger(**columns: list) -> pd.DataFrame:
    """A small case frame; date-like columns are parsed, closed_on defaults to open."""
    n = len(next(iter(columns.values())))
    frame = pd.DataFrame({"case_no": [f"(2025)鲁0902执{i + 1}号" for i in range(n)]})
    for name, values in columns.items():
        frame[name] = pd.to_datetime(values) if name.endswith("_on") or name == "new_limit" \
            else values
    if "closed_on" not in frame:
        frame["closed_on"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return frame


def condition(text: str):
    """A compiled condition from YAML text."""
    return compile_condition(Node(yaml.load(text, Loader=LocatedLoader), "<test>", "", Mark(1, 1)))


def six_months(**kw) -> Deadline:
    return Deadline("limit", "法定执行期限", parse_span("6 months"), action="结案", **kw)


def row(frame: pd.DataFrame, deadline: Deadline, as_of: str, i: int = 0) -> tuple:
    out = evaluate(frame, [deadline], as_of)
    d = deadline.id
    return out[f"{d}_due"].iloc[i], out[f"{d}_days_left"].iloc[i], out[f"{d}_state"].iloc[i]


# ---------------------------------------------------------------------------------------------
# the working-day calendar


def test_calendar_agrees_with_chinesecalendar() -> None:
    cal = workday_calendar()
    days = np.arange(np.datetime64("2024-01-01"), np.datetime64("2026-01-01"))
    expected = [cc.is_workday(d.astype(dt.date)) for d in days]
    assert cal.is_workday(days).tolist() == expected
    assert cal.known == frozenset(range(2004, 2027)) and cal.years == (1950, 2100)


def test_workdays_cross_an_in_lieu_saturday_and_national_day() -> None:
    # From Fri 2025-09-26: Sat 27 rest, Sun 28 in-lieu workday (1), 29 (2), 30 (3),
    # 10-01..10-08 holiday, 10-09 (4), 10-10 (5), Sat 10-11 in-lieu workday (6), Mon 10-13 (7).
    frame = ledger(filed_on=["2025-09-26", "2025-09-26"])
    one = Deadline("assign", "分案", parse_span("1 day"), workdays=True)
    seven = Deadline("assign", "分案", parse_span("7 days"), workdays=True)
    assert row(frame, one, "2025-09-26")[0] == T("2025-09-28")
    assert row(frame, seven, "2025-09-26")[0] == T("2025-10-13")


def test_roll_forward_out_of_national_day() -> None:
    # 2025-04-03 + 6 months = 2025-10-03, inside the 10-01..10-08 holiday → 2025-10-09.
    frame = ledger(filed_on=["2025-04-03"])
    assert row(frame, six_months(), "2025-09-01")[0] == T("2025-10-03")
    due, left, state = row(frame, six_months(roll_forward=True), "2025-09-01")
    assert (due, left, state) == (T("2025-10-09"), 38, "ok")


def test_roll_forward_keeps_an_in_lieu_working_saturday() -> None:
    # 2025-04-11 + 6 months = Sat 2025-10-11, an in-lieu working day: stays.
    frame = ledger(filed_on=["2025-04-11"])
    assert row(frame, six_months(roll_forward=True), "2025-09-01")[0] == T("2025-10-11")


@pytest.mark.parametrize(
    ("filed", "deadline", "due", "year"),
    # Dec 2026 (known): 22 working days after Tue 12-01; 2027 (unknown): Fri 01-01 counts, then
    # 01-04..01-08, 01-11, 01-12 → the 30th.
    [("2026-12-01", Deadline("assign", "分案", parse_span("30 days"), workdays=True), "2027-01-12", "2027"),
     # Mon 2003-12-01 + 7 working days, weekends only: 12-02..12-05, 12-08..12-10.
     ("2003-12-01", Deadline("assign", "分案", parse_span("7 days"), workdays=True), "2003-12-10", "2003"),
     # 2026-08-20 + 6 months = Sat 2027-02-20 → Mon 2027-02-22.
     ("2026-08-20", six_months(roll_forward=True), "2027-02-22", "2027")],
)
def test_years_outside_the_holiday_calendar_count_weekends_only(filed: str, deadline: Deadline, due: str,
                                                                year: str) -> None:
    frame = ledger(filed_on=["2025-01-02", filed])
    warnings: list[str] = []
    out = evaluate(frame, [deadline], "2026-12-31", warnings=warnings)
    assert out[f"{deadline.id}_due"].iloc[1] == T(due)
    assert warnings == [f"holiday calendar does not cover {year}: weekends only (no statutory holidays) "
                        f"for deadlines {deadline.id}; update chinesecalendar, or give the year's holidays in the "
                        "rules file (holidays:)"]


# A notice for 2027 as a rules file would give it (made up for the tests: not the official days).
NOTICE_2027 = Holidays(frozenset(dt.date(2027, 2, d) for d in range(5, 12)), frozenset([dt.date(2027, 2, 13)]), "my.yaml")


def test_a_year_the_rules_file_gives_counts_its_holidays_and_in_lieu_days() -> None:
    # 2026-08-05 + 6 months = Fri 2027-02-05, a day off until 02-11 → Fri 02-12 (weekends only: 02-05).
    # 7 working days from Thu 2027-02-04: 02-12 (1), Sat 02-13 worked in lieu (2), 02-15..02-19 (3-7).
    frame = ledger(filed_on=["2026-08-05", "2027-02-04"])
    limit = six_months(roll_forward=True)
    seven = Deadline("assign", "分案", parse_span("7 days"), workdays=True)
    warnings: list[str] = []
    out = evaluate(frame, [dataclasses.replace(limit, holidays=NOTICE_2027),
                           dataclasses.replace(seven, holidays=NOTICE_2027)], "2027-03-01", warnings=warnings)
    assert out["limit_due"].tolist() == [T("2027-02-12"), T("2027-08-04")]
    assert out["assign_due"].iloc[1] == T("2027-02-19")
    assert warnings == []
    assert evaluate(frame, [limit, seven], "2027-03-01")["limit_due"].iloc[0] == T("2027-02-05")  # weekends only
    assert workday_calendar(NOTICE_2027).known == frozenset(range(2004, 2028))


def test_a_year_chinesecalendar_knows_keeps_its_calendar_and_says_so() -> None:
    # Mon 2026-01-05 is a working day in the official calendar: listed as a day off, it is not one.
    added = Holidays(frozenset([dt.date(2026, 1, 5), dt.date(2026, 1, 1)]), frozenset(), "rules/my.yaml")
    frame = ledger(filed_on=["2025-07-05"])  # + 6 months = 2026-01-05
    warnings: list[str] = []
    out = evaluate(frame, [six_months(roll_forward=True, holidays=added)], "2025-12-01", warnings=warnings)
    assert out["limit_due"].iloc[0] == T("2026-01-05")
    assert warnings == ["rules/my.yaml: holidays: 2026-01-05 contradicts the installed chinesecalendar, which knows "
                        "that year; its calendar is used (remove the year from holidays:)"]
    two = Holidays(frozenset([dt.date(2026, 1, 5), dt.date(2026, 1, 6)]), frozenset(), "rules/my.yaml")
    warnings = []
    evaluate(frame, [six_months(roll_forward=True, holidays=two)], "2025-12-01", warnings=warnings)
    assert warnings == ["rules/my.yaml: holidays: 2026-01-05, 2026-01-06 contradict the installed chinesecalendar, "
                        "which knows that year; its calendar is used (remove the year from holidays:)"]
    # of more than five, the first five and how many more: two working weeks of January 2026
    seven = Holidays(frozenset(dt.date(2026, 1, d) for d in (5, 6, 7, 8, 9, 12, 13)), frozenset(), "rules/my.yaml")
    warnings = []
    evaluate(frame, [six_months(roll_forward=True, holidays=seven)], "2025-12-01", warnings=warnings)
    assert warnings[0].startswith("rules/my.yaml: holidays: 2026-01-05, 2026-01-06, 2026-01-07, 2026-01-08, "
                                  "2026-01-09, … 2 more contradict the installed chinesecalendar")


def test_holidays_read_from_the_rules_files_a_later_file_adding(tmp_path) -> None:
    base = write(tmp_path, "base.yaml", """version: 1
deadlines:
  - {id: limit, label: 法定执行期限, duration: 6 months, roll_forward: true}
holidays:
  days_off: [2027-01-01, 2027-02-05 to 2027-02-07]
""")
    mine = write(tmp_path, "mine.yaml", f"""\
version: 1
extends: {base}
holidays:
  days_off:
    - 2027-02-08 至 2027-02-11
  working_days: [2027-02-13]
""")
    _, [limit] = load_ruleset([mine])
    assert limit.holidays == Holidays(
        frozenset([dt.date(2027, 1, 1), *(dt.date(2027, 2, d) for d in range(5, 12))]), frozenset([dt.date(2027, 2, 13)]),
        f"{base}, {mine}")
    assert load_ruleset([base])[1][0].holidays.on == frozenset()
    assert load_ruleset(["default"])[1][0].holidays is None


def test_holidays_mistakes_are_located(tmp_path) -> None:
    path = write(tmp_path, "bad.yaml", """\
version: 1
deadlines:
  - {id: limit, label: 法定执行期限, duration: 6 months, roll_forward: true}
holidays:
  days_off: [2027-02-11 to 2027-02-05, 春节, 2027-01-01 to 2027-03-01, 2027-02-13]
  working_days: 2027-02-13
  day_off: []
""")
    with pytest.raises(RulesError) as err:
        load_ruleset([path])
    assert err.value.problems == [
        f"{path}:5:14: holidays.days_off[0]: '2027-02-11 to 2027-02-05' ends before it begins",
        f"{path}:5:40: holidays.days_off[1]: expected a date such as 2008-01-01, got '春节'",
        f"{path}:5:44: holidays.days_off[2]: '2027-01-01 to 2027-03-01' is a run of more than a month; a typing slip?",
        f"{path}:6:17: holidays.working_days: expected a list of days such as 2027-01-01, or 2027-02-05 to 2027-02-11 "
        "for a run of days, got a date",
        f"{path}:7:3: holidays: unknown key 'day_off' (did you mean 'days_off'?)",
    ]
    path = write(tmp_path, "both.yaml", """\
version: 1
holidays:
  working_days: [2027-02-13]
""")
    with pytest.raises(RulesError) as err:
        load_ruleset([path])
    assert err.value.problems == [
        f"{path}:3:3: holidays: missing 'days_off:' (the days off the State Council's notice gives)"]


def test_a_long_list_inside_a_holidays_list_names_three_days_then_how_many_more(tmp_path) -> None:
    path = write(tmp_path, "nested.yaml", """\
version: 1
categories:
  - {id: x, label: x, when: {field: filed_on, before: 2026-01-01}}
holidays:
  days_off:
    - [2026-10-01, 2026-10-03, 2026-10-05, 2026-10-07, 2026-10-09]
""")
    with pytest.raises(RulesError) as err:
        load_ruleset([path])
    assert err.value.problems == [
        f"{path}:6:7: holidays.days_off[0]: expected a day or a run of days, got a list of 5 items: take off the inner "
        "brackets, so that each is an item of its own (- 2026-10-01, - 2026-10-03, - 2026-10-05, … 2 more)"]


def test_a_list_inside_a_holidays_list_says_what_to_write(tmp_path) -> None:
    """- [2026-10-01, 2026-10-02] under days_off: is named at its line with the days it holds and
    what to write instead: never Python's repr of them (datetime.date(2026, 10, 1)); nor is a
    boolean or a mapping shown so, there or in an operator's date."""
    path = write(tmp_path, "nested.yaml", """\
version: 1
categories:
  - {id: x, label: x, when: {field: filed_on, before: [2026-01-01]}}
holidays:
  days_off:
    - [2026-10-01, 2026-10-02]
    - [2026-10-03]
    - [2026-10-05, 2026-10-08]
    - {from: 2026-10-01, to: 2026-10-07}
    - true
  working_days: [[2026-09-28, 2026-10-10 to 2026-10-11]]
""")
    with pytest.raises(RulesError) as err:
        load_ruleset([path])
    assert err.value.problems == [
        f"{path}:3:55: categories[0].when.before: expected a date such as 2008-01-01, got a list",
        f"{path}:6:7: holidays.days_off[0]: expected a day or a run of days, got a list of 2 items: take off the inner "
        "brackets, so that each is an item of its own (- 2026-10-01, - 2026-10-02), or write them as a run of days in "
        "one item (- 2026-10-01 to 2026-10-02)",
        f"{path}:7:7: holidays.days_off[1]: expected a day or a run of days, got a list of one item: take off the inner "
        "brackets (- 2026-10-03)",
        f"{path}:8:7: holidays.days_off[2]: expected a day or a run of days, got a list of 2 items: take off the inner "
        "brackets, so that each is an item of its own (- 2026-10-05, - 2026-10-08)",
        f"{path}:9:7: holidays.days_off[3]: expected a day or a run of days, got a mapping: write each day as an item "
        "of its own (- 2026-10-01), or a run of days as one item (- 2026-10-01 to 2026-10-07)",
        f"{path}:10:7: holidays.days_off[4]: expected a date such as 2008-01-01, got true",
        f"{path}:11:18: holidays.working_days[0]: expected a day or a run of days, got a list of 2 items: take off the "
        "inner brackets, so that each is an item of its own (- 2026-09-28, - 2026-10-10 to 2026-10-11)",
    ]
    assert not any("datetime" in p or "True" in p or "{'" in p for p in err.value.problems)


def test_a_key_yaml_would_read_as_true_or_false_is_named_as_typed(tmp_path) -> None:
    """off:, on:, yes:, no: unquoted are YAML 1.1's false and true: the messages said 'False'."""
    path = write(tmp_path, "yes.yaml", """\
version: 1
deadlines:
  - {id: limit, label: 法定执行期限, duration: 6 months, roll_forward: yes}
categories:
  - {id: big, label: 大额, when: {field: amount, between: [1, 9]}, No: 1}
holidays:
  days_off: [2027-02-11]
  off: [2027-02-12]
  on: [2027-02-13]
""")
    with pytest.raises(RulesError) as err:
        load_ruleset([path])
    assert err.value.problems == [
        f"{path}:5:66: categories[0]: unknown key 'No'",
        f"{path}:8:3: holidays: unknown key 'off' (the keys are days_off and working_days)",
        f"{path}:9:3: holidays: unknown key 'on' (the keys are days_off and working_days)",
    ]
    path = write(tmp_path, "twice.yaml", "version: 1\nholidays:\n  days_off: [2027-02-13]\n  working_days: [2027-02-13]\n")
    with pytest.raises(RulesError) as err:
        load_ruleset([path])
    assert err.value.problems == [f"{path}:4:18: holidays.working_days[0]: 2027-02-13 is under both days_off: and "
                                  "working_days:"]
    path = write(tmp_path, "empty.yaml", "version: 1\nholidays:\n  days_off: []\n  working_days: []\n")
    with pytest.raises(RulesError) as err:  # a year may have no working day in lieu, but days off it has
        load_ruleset([path])
    assert err.value.problems == [f"{path}:3:13: holidays.days_off: expected a list of days such as 2027-01-01, or "
                                  "2027-02-05 to 2027-02-11 for a run of days, got an empty list"]


def test_the_holidays_example_in_the_docs_is_2026s_notice(tmp_path) -> None:
    from pathlib import Path

    docs = (Path(__file__).parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    start = docs.index("holidays:\n  days_off:")
    example = write(tmp_path, "example.yaml", "version: 1\n" + docs[start:docs.index("```", start)])
    _, [] = load_ruleset([example])
    [limit] = load_ruleset(["default", example])[1][:1]
    assert limit.holidays.off == {d for d in cc.holidays if d.year == 2026}
    assert limit.holidays.on == {d for d in cc.workdays if d.year == 2026}
    assert workday_calendar(limit.holidays).ignored == ()  # it agrees with chinesecalendar


def test_no_calendar_warning_inside_the_known_years() -> None:
    warnings: list[str] = []
    evaluate(ledger(filed_on=["2025-04-03"]), [six_months(roll_forward=True)], "2025-09-01", warnings=warnings)
    assert warnings == []


def test_outside_the_calendar_without_roll_forward_is_fine() -> None:
    frame = ledger(filed_on=["2026-08-20"])
    assert row(frame, six_months(), "2026-09-01")[0] == T("2027-02-20")


# ---------------------------------------------------------------------------------------------
# boundaries and states


def test_exactly_n_and_n_plus_one_days() -> None:
    # 180 days from 2025-01-01, counting from 01-02: 2025-06-30.
    frame = ledger(filed_on=["2025-01-01"])
    d = Deadline("d180", "180天", parse_span("180 days"))
    assert row(frame, d, "2025-06-30") == (T("2025-06-30"), 0, "due_soon")
    assert row(frame, d, "2025-07-01") == (T("2025-06-30"), -1, "overdue")
    assert row(frame, d, "2025-06-29") == (T("2025-06-30"), 1, "ok")


def test_warn_before_window() -> None:
    frame = ledger(filed_on=["2025-01-01"])
    d = Deadline("d180", "180天", parse_span("180 days"), warn_before=parse_span("15 days"))
    assert row(frame, d, "2025-06-15")[1:] == (15, "due_soon")
    assert row(frame, d, "2025-06-14")[1:] == (16, "ok")


def test_month_end_limits() -> None:
    frame = ledger(filed_on=["2024-08-31", "2023-08-31", "2024-02-29"])
    out = evaluate(frame, [six_months(),
                           Deadline("year", "超一年", parse_span("1 year"))], "2024-09-01")
    assert out["limit_due"].tolist() == [T("2025-02-28"), T("2024-02-29"), T("2024-08-29")]
    assert out["year_due"].iloc[2] == T("2025-02-28")


def test_closed_cases_met_and_met_late() -> None:
    frame = ledger(filed_on=["2025-01-10"] * 3,
                   closed_on=["2025-07-10", "2025-07-11", "2025-08-20"])
    out = evaluate(frame, [six_months()], "2025-08-01")
    # The third closed after --as-of: still open then, and past 2025-07-10 by 22 days.
    assert out["limit_state"].tolist() == ["met", "met_late", "overdue"]
    assert out["limit_days_left"].tolist()[:2] == [pd.NA, pd.NA]
    assert out["limit_days_left"].iloc[2] == -22


def test_not_applicable() -> None:
    frame = ledger(filed_on=["2025-01-10", None, "2025-09-01"], officer=["张三", None, None])
    d = six_months(applies=condition("{field: officer, is_blank: true}"))
    out = evaluate(frame, [d], "2025-08-01")
    # 1: condition false; 2: no start date; 3: filed after --as-of.
    assert out["limit_state"].tolist() == ["n/a", "n/a", "n/a"]
    assert out["limit_due"].isna().all() and out["next_deadline"].isna().all()
    steps = explain(frame.iloc[[0]], [d], "2025-08-01")[0]["steps"]
    assert steps[0] == "适用条件不成立："
    assert steps[1].startswith("  ✗ officer = 张三, is_blank")
    assert explain(frame.iloc[[1]], [d], "2025-08-01")[0]["steps"] == [
        "filed_on 为空或晚于 --as-of"]


# ---------------------------------------------------------------------------------------------
# extensions and deducted periods


def test_extension_months_and_days() -> None:
    frame = ledger(filed_on=["2025-01-10", "2025-01-10", "2025-01-10"],
                   extension_months=pd.array([3, None, None], dtype="Int64"),
                   extension_days=[0, 20, None])
    d = six_months(extension_months="extension_months", extension_days="extension_days")
    out = evaluate(frame, [d], "2025-08-01")
    # 2025-07-10 + 3 months = 2025-10-10; + 20 days = 2025-07-30; nothing = 2025-07-10.
    assert out["limit_due"].tolist() == [T("2025-10-10"), T("2025-07-30"), T("2025-07-10")]
    assert out["limit_state"].tolist() == ["ok", "overdue", "overdue"]


def test_approved_new_limit_replaces_the_computed_date() -> None:
    frame = ledger(filed_on=["2025-01-10", "2025-01-10"], new_limit=["2025-12-31", None],
                   extension_months=[3, 3])
    d = six_months(extension_months="extension_months", new_limit="new_limit")
    out = evaluate(frame, [d], "2025-08-01")
    assert out["limit_due"].tolist() == [T("2025-12-31"), T("2025-10-10")]


def test_deduction_still_running_at_as_of() -> None:
    # 2025-01-10 + 6 months = 2025-07-10; suspended 2025-03-01, not resumed at 2025-08-01:
    # 153 days deducted (Mar 31 + Apr 30 + May 31 + Jun 30 + Jul 31) → 2025-12-10, 131 days left.
    frame = ledger(filed_on=["2025-01-10"], suspended_on=["2025-03-01"], resumed_on=[None])
    d = six_months(deduct=(Deduction("suspended_on", "resumed_on"),))
    assert row(frame, d, "2025-08-01") == (T("2025-12-10"), 131, "suspended")
    # A week later the due date moves a week too; days left stay the same.
    assert row(frame, d, "2025-08-08") == (T("2025-12-17"), 131, "suspended")


def test_finished_and_late_deductions() -> None:
    frame = ledger(filed_on=["2025-01-10"] * 4,
                   suspended_on=["2025-03-01", "2025-08-01", "2024-12-01", "2025-03-01"],
                   resumed_on=["2025-03-21", None, "2025-01-20", "2025-09-01"])
    d = six_months(deduct=(Deduction("suspended_on", "resumed_on"),))
    out = evaluate(frame, [d], "2025-08-01")
    # 20 days; starts after the due date so does not count; counts from the filing date only
    # (01-10 → 01-20 = 10 days); resumed after --as-of: still running (153 days so far).
    assert out["limit_due"].tolist() == [T("2025-07-30"), T("2025-07-10"), T("2025-07-20"),
                                         T("2025-12-10")]
    assert out["limit_state"].tolist() == ["overdue", "overdue", "overdue", "suspended"]


def test_two_deducted_periods_add_up() -> None:
    frame = ledger(filed_on=["2025-01-10"], suspended_on=["2025-02-01"],
                   resumed_on=["2025-02-11"], auction_from_on=["2025-04-01"],
                   auction_to_on=["2025-04-06"])
    d = six_months(deduct=(Deduction("suspended_on", "resumed_on"),
                           Deduction("auction_from_on", "auction_to_on")))
    assert row(frame, d, "2025-05-01")[0] == T("2025-07-25")


def test_text_in_a_date_field_is_a_config_error() -> None:
    frame = ledger(filed_on=["2025-01-10"], 暂缓=["yes"])
    d = six_months(deduct=(Deduction("暂缓", "resumed_on"),))
    with pytest.raises(ConfigError, match="field 暂缓 holds text, not dates"):
        evaluate(frame, [d], "2025-05-01")


# ---------------------------------------------------------------------------------------------
# relative and recurring deadlines


def test_relative_deadline_one_month_before_the_limit() -> None:
    frame = ledger(filed_on=["2024-08-31", "2025-01-10"], suspended_on=[None, "2025-03-01"])
    limit = six_months(deduct=(Deduction("suspended_on", "resumed_on"),))
    review = Deadline("review", "提交评查", relative_to="limit", offset=parse_span("-1 month"))
    out = evaluate(frame, [limit, review], "2025-01-20")
    assert out["review_due"].iloc[0] == T("2025-01-28")
    assert out["review_days_left"].iloc[0] == 8
    out = evaluate(frame, [limit, review], "2025-08-01")
    assert out["review_due"].iloc[1] == T("2025-11-10")
    assert out["review_state"].iloc[1] == "suspended"
    # 2024-08-31 + 6 months = 2025-02-28; one month before: 2025-01-28
    assert explain(frame.iloc[[0]], [limit, review], "2025-01-20")[1]["steps"] == [
        "limit 届满 2025-02-28", "− 1 个月 → 2025-01-28", "= 届满 2025-01-28"]


def test_a_relative_deadline_missed_before_a_suspension_stays_missed() -> None:
    """The limit (2025-01-10 + 6 months = 07-10) moves with a 中止 whenever it begins before it;
    the review a month before it (06-10) deducts only the periods that began by its own date.
    Suspended on 06-20, after the review was missed: the review stays overdue from 06-10 (it
    trailed --as-of as suspended); on 06-01, before it: suspended with the limit; 06-01 to 06-11,
    over: both moved by the 10 days."""
    frame = ledger(filed_on=["2025-01-10"] * 3, suspended_on=["2025-06-20", "2025-06-01", "2025-06-01"],
                   resumed_on=[None, None, "2025-06-11"])
    limit = six_months(deduct=(Deduction("suspended_on", "resumed_on"),))
    review = Deadline("review", "提交评查", relative_to="limit", offset=parse_span("-1 month"))
    for as_of in ("2025-06-25", "2025-09-01"):
        out = evaluate(frame, [limit, review], as_of)
        assert out["limit_state"].tolist()[:2] == ["suspended", "suspended"]
        assert out["review_state"].tolist() == ["overdue", "suspended", "overdue"]
        assert out["review_due"].tolist()[::2] == [T("2025-06-10"), T("2025-06-20")]
        [_, steps] = explain(frame.iloc[[0]], [limit, review], as_of)
        assert steps["state"] == "overdue" and steps["steps"][1] == "− 1 个月 → 2025-06-10"
    assert evaluate(frame, [limit, review], "2025-06-19")["review_state"].tolist() == ["overdue", "suspended",
                                                                                     "ok"]


def test_recurring_property_requery() -> None:
    frame = ledger(filed_on=["2023-01-05"], closed_on=["2024-02-29"])
    d = Deadline("requery", "财产复查", start="closed_on", every=parse_span("6 months"),
                 for_=parse_span("5 years"))
    # Occurrences 2024-08-29, 2025-02-28, 2025-08-29, ... 2029-02-28 (tenth).
    assert row(frame, d, "2024-03-01") == (T("2024-08-29"), 181, "ok")
    assert row(frame, d, "2024-08-29") == (T("2024-08-29"), 0, "due_soon")
    assert row(frame, d, "2024-08-30") == (T("2025-02-28"), 182, "ok")
    assert row(frame, d, "2029-02-28")[0] == T("2029-02-28")
    due, left, state = row(frame, d, "2029-03-01")
    assert (due, state) == (T("2029-02-28"), "met") and pd.isna(left)
    assert row(frame, d, "2024-02-01")[2] == "n/a"
    assert explain(frame, [d], "2024-08-30")[0]["steps"] == [
        "起算 closed_on 2024-02-29", "+ 2 × 6 个月（第 2 次，5 年内共 10 次）→ 2025-02-28", "= 届满 2025-02-28"]


@pytest.mark.parametrize("every, lasts, closed, count, last", [
    ("10 days", "1 year", "2025-03-01", 36, "2026-02-24"),  # 365 days: 36 × 10
    ("10 days", "1 year", "2024-01-01", 36, "2024-12-26"),  # a leap year's 366 days: still 36
    ("1 week", "1 year", "2025-03-01", 52, "2026-02-28"),
    ("1 month", "365 days", "2025-01-31", 12, "2026-01-31"),  # 2026-01-31 is day 365
    ("1 month", "364 days", "2025-01-31", 11, "2025-12-31"),
    ("1 month", "30 days", "2025-04-01", 1, "2025-05-01"),  # none within: one all the same
])
def test_a_recurring_deadline_across_units_counts_its_occurrences_on_the_calendar(every, lasts, closed, count, last):
    """every: in days with for: in months or years (and the other way) falls due as often as fits,
    counted from each case's start: every 10 days for a year is 36 times, not 12 // 10 = 1."""
    frame = ledger(filed_on=["2023-01-05"], closed_on=[closed])
    d = Deadline("q", "查询", start="closed_on", every=parse_span(every), for_=parse_span(lasts))
    assert f"内共 {count} 次）→ " in explain(frame, [d], closed)[0]["steps"][1]
    assert row(frame, d, last)[0] == T(last)  # the last occurrence is still due on its day
    due, left, state = row(frame, d, str((T(last) + pd.Timedelta(days=1)).date()))
    assert (due, state) == (T(last), "met") and pd.isna(left)


# ---------------------------------------------------------------------------------------------
# next deadline and explain


def test_next_deadline_is_the_most_pressing() -> None:
    frame = ledger(filed_on=["2025-01-01", "2025-01-01", "2024-01-01"],
                   closed_on=[None, None, "2024-03-01"])
    a = Deadline("a", "A", parse_span("10 days"), action="do a")
    b = Deadline("b", "B", parse_span("15 days"), action="do b")
    out = evaluate(frame, [b, a], "2025-01-16")
    # a is 5 days over, b is due today → a first.
    assert out[["next_deadline", "next_label", "next_action", "next_state"]].iloc[0].tolist() == \
        ["a", "A", "do a", "overdue"]
    assert out["next_days_left"].iloc[0] == -5 and out["next_due"].iloc[0] == T("2025-01-11")
    out = evaluate(frame, [b, a], "2025-01-05")
    assert out["next_deadline"].iloc[0] == "a" and out["next_days_left"].iloc[0] == 6
    # All met: nothing pressing.
    assert pd.isna(out["next_deadline"].iloc[2]) and pd.isna(out["next_due"].iloc[2])


def test_a_running_deadline_is_more_pressing_than_a_suspended_one() -> None:
    """Filed 2025-09-20, suspended 2026-03-17 and not resumed: at 2026-03-18 the limit (6 months,
    2026-03-20, + 1 day of 中止) is 中止中 with 3 days left, and 3 days left on any later day, as its
    due date moves on; it runs on no day, so a running deadline due in 186 days (a year from filing)
    is the case's most pressing one. A suspended limit is the next deadline only when no other
    runs (the second case has no year deadline), with its action; an overdue one (the third case,
    suspended after its limit passed) is more pressing than either."""
    frame = ledger(filed_on=["2025-09-20", "2025-09-20", "2025-02-20"],
                   suspended_on=["2026-03-17", "2026-03-17", "2026-03-17"],
                   resumed_on=[None, None, None], officer=["张三", None, "李四"])
    limit = six_months(deduct=(Deduction("suspended_on", "resumed_on"),), suspended_action="审查中止事由")
    year = Deadline("year", "一年", parse_span("1 year"), action="列入台帐", applies=condition("{field: officer, not_blank: true}"))
    out = evaluate(frame, [limit, year], "2026-03-18")
    assert out["limit_state"].tolist() == ["suspended", "suspended", "overdue"]  # the third: 2025-08-20
    assert out["limit_days_left"].tolist()[:2] == [3, 3] and out["year_days_left"].iloc[0] == 186
    assert out["next_deadline"].tolist() == ["year", "limit", "limit"]
    assert out["next_state"].tolist() == ["ok", "suspended", "overdue"]
    assert out["next_days_left"].tolist() == [186, 3, -210]
    assert out["next_due"].tolist() == [T("2026-09-20"), T("2026-03-21"), T("2025-08-20")]
    assert out["next_action"].tolist()[:2] == ["列入台帐", "审查中止事由"]
    assert evaluate(frame, [limit, year], "2026-06-18")["next_days_left"].tolist()[:2] == [94, 3]


def test_an_overdue_case_gets_the_overdue_action() -> None:
    from backlog_cli.deadlines import overdue_cases

    frame = ledger(filed_on=["2025-01-01", "2025-01-10"], age_days=[15, 6])
    a = Deadline("a", "A", parse_span("10 days"), action="结案或报请延长", overdue_action="说明超期原因")
    b = Deadline("b", "B", parse_span("10 days"), action="分案")  # no overdue_action: action throughout
    out = evaluate(frame, [a], "2025-01-16")
    assert out["next_action"].tolist() == ["说明超期原因", "结案或报请延长"]  # 5 days over; 4 left
    assert evaluate(frame, [b], "2025-01-16")["next_action"].tolist() == ["分案", "分案"]
    assert overdue_cases(frame.join(out), [a], "2025-01-16", deadline="a").cases["action"].tolist() == \
        ["说明超期原因"]
    assert overdue_cases(frame.join(out), [a], "2025-01-16", within=5).cases["action"].tolist() == \
        ["结案或报请延长"]
    [e] = explain(frame.iloc[[0]], [a], "2025-01-16")
    assert e["action"] == "说明超期原因"


def test_a_suspended_case_gets_the_suspended_action(tmp_path) -> None:
    """While a deducted period runs the limit does not: the action is the suspended one; before
    and after it, the usual one. suspended_action without deduct: is refused where it is written."""
    from backlog_cli.deadlines import load_ruleset
    from backlog_cli.errors import RulesError

    frame = ledger(filed_on=["2025-01-01"] * 3, suspended_on=["2025-03-01", "2025-03-01", None],
                   resumed_on=[None, "2025-04-01", None])
    d = Deadline("limit", "期限", parse_span("6 months"), deduct=(Deduction("suspended_on", "resumed_on"),),
                 action="结案或报请延长", overdue_action="说明超期原因", suspended_action="审查能否恢复执行")
    out = evaluate(frame, [d], "2025-05-01")
    assert out["limit_state"].tolist() == ["suspended", "ok", "ok"]
    assert out["next_action"].tolist() == ["审查能否恢复执行", "结案或报请延长", "结案或报请延长"]
    assert evaluate(frame, [d], "2025-08-01")["next_action"].tolist() == [
        "审查能否恢复执行", "结案或报请延长", "说明超期原因"]  # due 2025-08-01 + 31 days for the second
    [e] = explain(frame.iloc[[0]], [d], "2025-05-01")
    assert e["action"] == "审查能否恢复执行"
    path = write(tmp_path, "bad.yaml", """\
version: 1
deadlines:
  - id: limit
    label: 期限
    duration: 6 months
    suspended_action: 审查能否恢复执行
""")
    with pytest.raises(RulesError) as err:
        load_ruleset([path])
    assert err.value.problems == [f"{path}:6:23: deadlines[0].suspended_action: suspended_action: needs deduct: "
                                  "or relative_to: (a case is suspended only while a deducted period runs)"]
    path = write(tmp_path, "recurring.yaml", """\
version: 1
deadlines:
  - {id: requery, label: 复查, start: closed_on, every: 6 months, for: 5 years, overdue_action: 尽快查询}
  - {id: review, label: 评查, relative_to: requery, offset: -1 month, suspended_action: 暂不评查}
""")
    with pytest.raises(RulesError) as err:
        load_ruleset([path])
    assert err.value.problems == [f"{path}:3:95: deadlines[0].overdue_action: overdue_action does not go with every: "
                                  "(a recurring deadline is never overdue)"]


def test_evaluate_columns_and_dtypes() -> None:
    frame = ledger(filed_on=["2025-01-01"]).set_index(pd.Index([7]))
    out = evaluate(frame, [six_months()], "2025-02-01")
    assert list(out.columns) == ["limit_due", "limit_days_left", "limit_state", "next_deadline",
                                 "next_label", "next_due", "next_days_left", "next_state",
                                 "next_action"]
    assert out.index.tolist() == [7]
    assert str(out["limit_days_left"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(out["limit_due"])
    assert pd.api.types.is_string_dtype(out["limit_state"])


def test_explain_shows_the_arithmetic() -> None:
    frame = ledger(filed_on=["2025-01-03"], extension_months=[3], suspended_on=["2025-03-01"],
                   resumed_on=["2025-03-11"])
    d = six_months(extension_months="extension_months", roll_forward=True,
                   deduct=(Deduction("suspended_on", "resumed_on"),))
    # 2025-07-03 + 3 months = 2025-10-03 + 10 days = 2025-10-13 (a Monday working day).
    # Starting on 01-01 instead: 10-01 + 10 = 10-11, an in-lieu working Saturday.
    [e] = explain(frame, [d], "2025-08-01")
    assert e["due"] == T("2025-10-13") and e["state"] == "ok" and e["days_left"] == 73
    assert e["steps"] == [
        "起算 filed_on 2025-01-03（自次日起算）",
        "+ 6 个月 → 2025-07-03",
        "+ 延长 3 个月 → 2025-10-03",
        "+ 扣除 10 日（suspended_on 2025-03-01 → resumed_on 2025-03-11）→ 2025-10-13",
        "= 届满 2025-10-13",
    ]
    # not resumed: the period runs to --as-of while open, to the close date once closed
    frame = ledger(filed_on=["2025-01-03", "2025-01-03"], suspended_on=["2025-03-01", "2025-03-01"],
                   resumed_on=[None, "2025-12-01"], closed_on=[None, "2025-05-01"])
    d = six_months(deduct=(Deduction("suspended_on", "resumed_on"),))
    assert explain(frame.iloc[[0]], [d], "2025-08-01")[0]["steps"][2] == (
        "+ 扣除 153 日（suspended_on 2025-03-01 起，resumed_on 为空，计至 --as-of 2025-08-01）→ 2025-12-03")
    assert explain(frame.iloc[[1]], [d], "2025-08-01")[0]["steps"][2] == (
        "+ 扣除 61 日（suspended_on 2025-03-01 起，resumed_on 在其后，计至 结案日期 2025-05-01）→ 2025-09-02")
    # a 中止 before filing counts from the filing date; one after the due date or after --as-of
    # is not deducted, and explain says so
    frame = ledger(filed_on=["2025-01-03", "2025-01-03", "2025-06-01"], suspended_on=["2024-12-20", "2025-07-10", "2025-09-01"],
                   resumed_on=["2025-01-13", None, None])
    steps = [explain(frame.iloc[[i]], [d], "2025-08-01")[0]["steps"] for i in range(3)]
    assert steps[0][2] == ("+ 扣除 10 日（suspended_on 2024-12-20 早于起算日，自 2025-01-03 → resumed_on 2025-01-13）"
                           "→ 2025-07-13")
    assert steps[1][2:] == ["  suspended_on 2025-07-10 在届满日 2025-07-03 之后：不扣除", "= 届满 2025-07-03"]
    assert steps[2][2:] == ["  suspended_on 2025-09-01 在 --as-of 2025-08-01 之后：不扣除", "= 届满 2025-12-01"]
    frame = ledger(filed_on=["2025-05-01"], suspended_on=["2025-01-01"], resumed_on=["2025-03-01"])
    assert explain(frame, [d], "2025-08-01")[0]["steps"][2:] == [
        "  suspended_on 2025-01-01 → resumed_on 2025-03-01 在起算日 2025-05-01 之前：不扣除", "= 届满 2025-11-01"]
    frame = ledger(filed_on=["2025-04-03"])
    [e] = explain(frame, [six_months(roll_forward=True)], "2025-08-01")
    assert e["steps"][-2:] == ["2025-10-03 为节假日或休息日，顺延 → 2025-10-09",
                               "= 届满 2025-10-09"]


# ---------------------------------------------------------------------------------------------
# deadlines in rules files

RULES = """\
version: 1
categories:
  - id: minsheng
    label: 涉民生
    when: {field: cause, contains_any: [工资]}
deadlines:
  - id: legal_limit
    label: 法定执行期限
    duration: 6 months
    duration_when:
      - when: {any: [{field: cause, contains_any: [非诉]}, {field: basis_doc, contains_any: [行审]}]}
        duration: 3 months
    extension_months: extension_months
    deduct:
      - {from: suspended_on, to: resumed_on}
    roll_forward: true
    action: 结案或报请延长
    warn_before: 15 days
  - id: review
    label: 提交评查
    relative_to: legal_limit
    offset: -1 month
    action: 提交评查
  - id: assign
    label: 分案
    applies: {field: officer, is_blank: true}
    duration: 7天
    workdays: true
  - id: wages
    label: 涉民生快执
    applies: {category: minsheng}
    duration: 1 month
  - id: requery
    label: 终本后财产复查
    applies: {field: close_method, contains_any: [终本]}
    start: closed_on
    every: 6 months
    for: 5 years
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_and_evaluate_deadlines_from_a_rules_file(tmp_path) -> None:
    from backlog_cli.deadlines import load_deadlines
    from backlog_cli.rules import load_rules

    ruleset = load_rules([write(tmp_path, "r.yaml", RULES)])
    deadlines = load_deadlines(ruleset)
    assert [d.id for d in deadlines] == ["legal_limit", "review", "assign", "wages", "requery"]
    limit = deadlines[0]
    assert (limit.duration, limit.roll_forward, limit.warn_before) == (
        parse_span("6 months"), True, parse_span("15 days"))
    assert limit.deduct == (Deduction("suspended_on", "resumed_on"),)
    assert deadlines[2].workdays and deadlines[2].duration == parse_span("7 days")
    assert deadlines[4].for_ == parse_span("5 years")

    frame = ledger(filed_on=["2025-01-10", "2025-01-10", "2025-03-03"],
                   cause=["非诉执行", "买卖合同", "追索劳动报酬（工资）"],
                   basis_doc=[None, "（2024）鲁0902行审12号", None],
                   officer=["张三", "李四", None], close_method=[None, None, None],
                   extension_months=[None, None, None])
    ctx = ruleset.evaluate(frame, T("2025-03-05"))
    out = evaluate(frame, deadlines, "2025-03-05", ctx)
    # 非诉 and 行审: 3 months → 2025-04-10 (Thu); otherwise 6 months → 2025-09-03 (Wed).
    assert out["legal_limit_due"].tolist() == [T("2025-04-10"), T("2025-04-10"), T("2025-09-03")]
    assert out["review_due"].tolist() == [T("2025-03-10"), T("2025-03-10"), T("2025-08-03")]
    assert out["assign_state"].tolist() == ["n/a", "n/a", "ok"]
    # 2025-03-03 (Mon) + 7 working days = 2025-03-12 (Wed).
    assert out["assign_due"].iloc[2] == T("2025-03-12")
    assert out["wages_due"].tolist()[2] == T("2025-04-03")
    assert out["wages_state"].tolist()[:2] == ["n/a", "n/a"]
    assert out["next_deadline"].tolist() == ["review", "review", "assign"]
    assert out["next_action"].tolist()[:2] == ["提交评查", "提交评查"]


def test_rules_file_problems_are_located_and_reported_together(tmp_path) -> None:
    from backlog_cli.deadlines import load_deadlines
    from backlog_cli.errors import RulesError
    from backlog_cli.rules import load_rules

    bad = """\
version: 1
deadlines:
  - id: limit
    label: 期限
    duraton: 6 months
  - id: two
    label: 二
    duration: six months
    start: filed_onn
  - id: three
    label: 三
    duration: 2 months
    workdays: true
    extension_months: suspended_on
  - id: four
    label: 四
    relative_to: limt
    offset: -1 month
  - id: five
    duration: 3 days
    roll_forward: yes please
"""
    ruleset = load_rules([write(tmp_path, "bad.yaml", bad)])
    with pytest.raises(RulesError) as err:
        load_deadlines(ruleset)
    problems = err.value.problems
    src = str(tmp_path / "bad.yaml")
    expected = [
        f"{src}:5:5: deadlines[0]: unknown key 'duraton' (did you mean 'duration'?)",
        f"{src}:3:9: deadlines[0].id: deadline 'limit' needs exactly one of duration:, "
        "relative_to:, every: (with for:) or due_on:",
        f"{src}:8:15: deadlines[1].duration: expected a length such as '6 months', '180 days' or "
        "'1 year', got 'six months'",
        f"{src}:9:12: deadlines[1].start: unknown field 'filed_onn' (did you mean 'filed_on'?)",
        f"{src}:14:23: deadlines[2].extension_months: field 'suspended_on' is a date field; "
        "expected a number field",
        f"{src}:13:15: deadlines[2].workdays: workdays: true counts working days; give the "
        "duration in days",
        f"{src}:17:18: deadlines[3].relative_to: 'limt' is not a deadline defined before this "
        "one (did you mean 'limit'?)",
        f"{src}:21:19: deadlines[4].roll_forward: expected true or false, got 'yes please'",
        f"{src}:19:9: deadlines[4].id: deadline 'five' has no label",
    ]
    assert sorted(problems) == sorted(expected)


def test_a_later_file_overrides_and_disables_deadlines(tmp_path) -> None:
    from backlog_cli.deadlines import load_deadlines
    from backlog_cli.rules import load_rules

    write(tmp_path, "base.yaml", RULES)
    child = write(tmp_path, "child.yaml", """\
version: 1
extends: base.yaml
deadlines:
  - id: legal_limit
    duration: 4 months
  - id: wages
    enabled: false
""")
    deadlines = load_deadlines(load_rules([child]))
    assert [d.id for d in deadlines] == ["legal_limit", "review", "assign", "requery"]
    limit = deadlines[0]
    assert limit.duration == parse_span("4 months") and limit.label == "法定执行期限"
    assert limit.roll_forward


def test_bundled_deadlines() -> None:
    from backlog_cli.deadlines import load_deadlines
    from backlog_cli.rules import load_rules

    assert [d.id for d in load_deadlines(load_rules(["default"]))] == [
        "legal_limit", "objection_review", "reconsideration_review", "assign_officer", "over_one_year",
        "property_requery"]
    ruleset = load_rules(["juesheng-2017"])
    deadlines = load_deadlines(ruleset)
    assert [d.id for d in deadlines][6:] == [
        "zhongben_materials", "review_submission", "over_six_months_report"]
    frame = ledger(filed_on=["2024-08-31", "2024-08-31", "2023-03-15"],
                   cause=["买卖合同纠纷", "非诉行政执行", "借款合同纠纷"],
                   officer=[None, "张三", "李四"], close_method=[None, None, "终结本次执行程序"],
                   closed_on=[None, None, "2023-09-20"], extension_months=[3, None, None],
                   case_type=["执", "执", "执"])
    as_of = T("2024-12-01")
    out = evaluate(frame, deadlines, as_of, ruleset.evaluate(frame, as_of))
    # 2024-08-31 + 6 months = 2025-02-28, + 3 months extension = 2025-05-28; 非诉: 2024-11-30.
    assert out["legal_limit_due"].tolist()[:2] == [T("2025-05-28"), T("2024-11-30")]
    assert out["review_submission_due"].tolist()[:2] == [T("2025-04-28"), T("2024-10-30")]
    assert out["zhongben_materials_due"].iloc[0] == T("2024-11-30")
    assert out["assign_officer_state"].tolist() == ["overdue", "n/a", "n/a"]
    # Closed by 终本 on 2023-09-20: queries due 2024-03-20, 2024-09-20, 2025-03-20 …
    assert out["property_requery_due"].iloc[2] == T("2025-03-20")
    # Most days overdue first: officer assignment (2024-09-07) and review (2024-10-30).
    assert out["next_deadline"].tolist()[:2] == ["assign_officer", "review_submission"]


def test_review_cases_have_their_own_periods_not_the_enforcement_limit() -> None:
    from backlog_cli.deadlines import load_deadlines
    from backlog_cli.rules import load_rules

    ruleset = load_rules(["juesheng-2017"])
    frame = ledger(filed_on=["2026-10-20", "2026-10-10", "2026-07-01", "2026-06-01", "2026-06-01",
                             "2026-06-01"],
                   case_type=["执异", "执复", "行审", "执保", "执", "执"],
                   cause=["执行异议", "执行复议", "行政处罚", "财产保全", "借款合同纠纷", "借款合同纠纷"],
                   close_method=[None, None, None, None, "执行完毕", "终结本次执行程序"],
                   closed_on=[None, None, None, None, "2026-11-22", "2026-11-22"])
    as_of = T("2026-11-23")
    out = evaluate(frame, load_deadlines(ruleset), as_of, ruleset.evaluate(frame, as_of))
    # 执异: 15 days from the day after filing; 执复: 30 days; neither has the 6-month limit
    assert out["objection_review_due"].iloc[0] == T("2026-11-04")
    assert out["objection_review_state"].tolist()[:2] == ["overdue", "n/a"]
    assert out["reconsideration_review_due"].iloc[1] == T("2026-11-09")
    assert out["legal_limit_state"].tolist()[:2] == ["n/a", "n/a"]
    # 行审 is a non-litigation case: 3 months; 执保 keeps the enforcement limit
    assert out["legal_limit_due"].tolist()[2:4] == [T("2026-10-01"), T("2026-12-01")]
    # 终本 duties: implementation cases only, and not for a case paid in full
    assert out["zhongben_materials_state"].tolist() == ["n/a", "n/a", "n/a", "n/a", "n/a", "met_late"]
    assert out["review_submission_state"].tolist()[4:] == ["n/a", "met_late"]
    # the day before it was paid in full the case was open: its 终本 duties applied then
    before = evaluate(frame, load_deadlines(ruleset), T("2026-11-21"), ruleset.evaluate(frame, T("2026-11-21")))
    assert before["zhongben_materials_days_left"].iloc[4] == -81  # due 2026-09-01
    assert before["review_submission_days_left"].iloc[4] == -20  # 2026-12-01 less a month


def test_add_months_per_row_counts_clamp_to_month_end() -> None:
    from backlog_cli.rules import add_months_days

    days = np.array(["2024-08-31", "2023-08-31", "2024-03-31", "NaT", "2024-01-15"], dtype="datetime64[D]")
    assert add_months_days(np.datetime64("2024-08-31"), 6) == np.datetime64("2025-02-28")  # one date alone
    out = add_months_days(days, np.array([6, 6, -1, 3, 0]))
    assert out.tolist()[:3] == [dt.date(2025, 2, 28), dt.date(2024, 2, 29), dt.date(2024, 2, 29)]
    assert np.isnat(out[3]) and out[4] == np.datetime64("2024-01-15")


def _plus_months(day: dt.date, months: int) -> dt.date:
    """The calendar rule by hand: same day of the month, or the month's last day when it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.dates(dt.date(100, 1, 1), dt.date(9000, 12, 31)), st.integers(-120, 120)), min_size=1,
                max_size=30),
       st.integers(0, 3))
def test_add_months_matches_the_calendar_rule(pairs, blanks) -> None:
    """Dates near together (looked up in tables over their range) and far apart (computed directly),
    with NaT among them, agree with the rule computed by hand."""
    from backlog_cli.rules import add_months_days

    days = np.array([d for d, _ in pairs] + [None] * blanks, dtype="datetime64[D]")
    months = np.array([m for _, m in pairs] + [1] * blanks)
    out = add_months_days(days, months)
    assert out[: len(pairs)].tolist() == [_plus_months(d, m) for d, m in pairs]
    assert np.isnat(out[len(pairs):]).all()
    offsets = (np.array([d for d, _ in pairs], dtype="datetime64[D]") - days[0]).astype("int64") % 40_000
    nearby = np.datetime64("2024-02-29") + offsets
    assert add_months_days(nearby, 12).tolist() == [_plus_months(d, 12) for d in nearby.tolist()]


def test_a_misspelt_deadline_is_listed_beside_other_mistakes(tmp_path) -> None:
    """The deadline ids a category names are checked as written, also in a condition that did not
    compile (a bad overdue_for beside it) and when another category has problems of its own."""
    from backlog_cli.errors import RulesError

    bad = write(tmp_path, "bad.yaml", """\
version: 1
categories:
  - {id: a, label: 甲, when: {field: cause, containz: [工资]}}
  - {id: b, label: 乙, when: {deadline: limt, overdue_for: 0 days}}
  - id: c
    label: 丙
    when:
      any:
        - {deadline: limt, overdue_for: soon}
        - not: {deadline: limit, overdue_for: 1 month}
        - {deadline: lim, overdue_for: 1 day}
deadlines:
  - {id: limit, label: 期限, duration: 3 months}
""")
    with pytest.raises(RulesError) as err:
        load_ruleset([bad])
    unknown = "the rules define: limit"
    assert err.value.problems == [
        f"{bad}:3:44: categories[0].when: unknown operator 'containz' (did you mean 'contains_any'?)",
        f"{bad}:4:40: categories[1].when.deadline: unknown deadline 'limt' (did you mean 'limit'?); {unknown}",
        f"{bad}:9:22: categories[2].when.any[0].deadline: unknown deadline 'limt' (did you mean 'limit'?); {unknown}",
        f"{bad}:9:41: categories[2].when.any[0].overdue_for: expected a length such as '6 months', '180 days' or "
        "'1 year', got 'soon'",
        f"{bad}:11:22: categories[2].when.any[2].deadline: unknown deadline 'lim' (did you mean 'limit'?); {unknown}",
    ]


def test_a_category_may_read_a_deadline(tmp_path) -> None:
    from backlog_cli.errors import RulesError

    head = "version: 1\ncategories:\n  - id: late\n    label: 超期半年\n"
    good = write(tmp_path, "good.yaml", head + """\
    when: {deadline: limit, overdue_for: 6 months}
deadlines:
  - {id: limit, label: 期限, duration: 3 months, extension_months: extension_months}
""")
    ruleset, deadlines = load_ruleset([good])
    # a ledger without the close date is warned about for the category too
    assert ruleset.fields_read(fields_read(deadlines)) == {"late": {"filed_on", "closed_on"}}
    assert ruleset.fields_read() == {"late": set()}
    frame = ledger(filed_on=["2025-01-01", "2025-01-01", "2025-03-01"], extension_months=[None, 1, None])
    # due 2025-04-01, 2025-05-01 (extended), 2025-06-01; a half-year before --as-of is 2025-04-30
    assert ruleset.classify(frame, T("2025-10-30"))["late"].tolist() == [True, False, False]
    [late] = ruleset.explain(frame.iloc[[0]], T("2025-10-30"))
    assert late.lines() == ["✓ 超期半年（late）", "  ✓ limit_due = 2025-04-01, overdue_for: 6 months"]
    # 以上 includes the day itself: due 2025-04-30 is half a year overdue on 2025-10-30, not the day before;
    # 2025-08-31 + 6 months is 2026-02-28, and so is 2025-08-28 + 6 months
    frame = ledger(filed_on=["2025-01-30", "2025-05-31", "2025-05-28", "2025-05-27"])
    assert ruleset.classify(frame.iloc[:1], T("2025-10-30"))["late"].tolist() == [True]
    assert ruleset.classify(frame.iloc[:1], T("2025-10-29"))["late"].tolist() == [False]
    assert ruleset.classify(frame.iloc[1:], T("2026-02-28"))["late"].tolist() == [True, True, True]
    assert ruleset.classify(frame.iloc[1:], T("2026-02-27"))["late"].tolist() == [False, False, True]

    src = str(tmp_path / "bad.yaml")
    with pytest.raises(RulesError) as err:
        load_ruleset([write(tmp_path, "bad.yaml", head + """\
    when: {deadline: limt, overdue_for: 1 year}
  - id: loop
    label: 循环
    when: {deadline: limit, overdue_for: 0 days}
deadlines:
  - {id: limit, label: 期限, duration: 3 months, applies: {not: {category: loop}}}
""")])
    assert err.value.problems == [
        f"{src}:5:22: categories[0].when.deadline: unknown deadline 'limt' (did you mean 'limit'?); "
        "the rules define: limit",
        f"{src}:8:11: categories[1].when: reference cycle: category 'loop' reads deadline 'limit', which "
        "depends on category 'loop'",
    ]
    with pytest.raises(RulesError) as err:
        load_ruleset([write(tmp_path, "bad.yaml", head + """\
    when: {deadline: again, overdue_for: 1 day}
deadlines:
  - {id: limit, label: 期限, duration: 3 months}
  - {id: again, label: 复查, start: closed_on, every: 6 months, for: 5 years}
  - {id: late, label: 迟, duration: 1 month, applies: {deadline: limit, overdue_for: 0 days}}
""")])
    assert err.value.problems == [  # in line order
        f"{src}:5:22: categories[0].when.deadline: deadline 'again' recurs and is never overdue; name a one-off "
        "deadline",
        f"{src}:9:54: deadlines[2].applies: deadline 'late': a deadline's conditions cannot read a deadline; "
        "deadline: conditions go in categories"]
    off = write(tmp_path, "off.yaml", "version: 1\ndeadlines:\n  - {id: limit, enabled: false}\n")
    with pytest.raises(RulesError) as err:
        load_ruleset([good, off])
    assert err.value.problems == [f"{good}:5:22: categories[0].when.deadline: deadline 'limit' is switched off "
                                  f"(enabled: false at {off}:3)"]
    defined = "deadlines:\n  - {id: limit, label: 期限, duration: 3 months}\n"
    with pytest.raises(RulesError) as err:
        load_ruleset([write(tmp_path, "bad.yaml", head + "    when: {deadline: limit, overdue_for: -1 day}\n" + defined)])
    assert err.value.problems == [f"{src}:5:42: categories[0].when.overdue_for: overdue_for must not be negative, "
                                  "got -1 day"]
    with pytest.raises(RulesError) as err:
        load_ruleset([write(tmp_path, "bad.yaml", head + "    when: {deadline: limit, overdue_by: 1 year}\n" + defined)])
    assert err.value.problems == [
        f"{src}:5:29: categories[0].when: a deadline condition takes deadline: and overdue_for: only; "
        "found also 'overdue_by'"]


def test_load_ruleset_reports_category_and_deadline_problems_together(tmp_path) -> None:
    from backlog_cli.deadlines import load_ruleset
    from backlog_cli.errors import RulesError

    path = write(tmp_path, "both.yaml", """\
version: 1
categories:
  - id: wages
    label: 工资
    when: {field: cause, contains_anyy: [工资]}
deadlines:
  - id: limit
    label: 期限
    duration: six months
    applies: {category: wages}
""")
    with pytest.raises(RulesError) as err:
        load_ruleset([path])
    src = str(tmp_path / "both.yaml")
    # the deadline may name the category whose condition is broken: no "unknown category" problem
    assert err.value.problems == [
        f"{src}:5:26: categories[0].when: unknown operator 'contains_anyy' (did you mean 'contains_any'?)",
        f"{src}:9:15: deadlines[0].duration: expected a length such as '6 months', '180 days' or "
        "'1 year', got 'six months'",
    ]


def test_load_ruleset_returns_the_ruleset_and_its_deadlines() -> None:
    from backlog_cli.deadlines import load_ruleset

    ruleset, deadlines = load_ruleset(["default"])
    assert ruleset.name == "default" and "key" in [c.id for c in ruleset.categories]
    assert [d.id for d in deadlines] == [
        "legal_limit", "objection_review", "reconsideration_review", "assign_officer", "over_one_year",
        "property_requery"]


# ---------------------------------------------------------------------------------------------
# the ledger fields each deadline depends on


def test_fields_read_by_the_bundled_deadlines() -> None:
    _, deadlines = load_ruleset(["juesheng-2017"])
    # not basis_doc nor extension_months; case_type: without it, no case is a review case
    limit = {"filed_on", "closed_on", "suspended_on", "resumed_on", "case_type"}
    review = {"filed_on", "closed_on"}  # the case type absent, the deadline applies to none
    assert fields_read(deadlines) == {
        "legal_limit": limit,
        "objection_review": review,
        "reconsideration_review": review,
        "assign_officer": {"filed_on", "closed_on", "officer"},  # is_blank: true on every case without it
        "over_one_year": {"filed_on", "closed_on"},
        "property_requery": {"closed_on"},  # its start; no 结案方式 makes it apply to none
        # no 结案方式 column: every case counts as not closed by other means
        "zhongben_materials": {"filed_on", "closed_on", "close_method"},
        "review_submission": limit | {"close_method"},
        "over_six_months_report": {"filed_on", "closed_on"},
    }


def test_fields_read_by_a_recurring_deadline_from_filing_and_one_with_a_condition() -> None:
    yearly = Deadline("yearly", "年度", every=parse_span("1 year"), for_=parse_span("5 years"))
    unsigned = Deadline("unsigned", "未签收", parse_span("3 days"), start="resumed_on",
                        applies=condition("not: {field: notes, contains_any: [已签收]}"),
                        extension_days="extension_months", new_limit="suspended_on")
    assert fields_read([yearly, unsigned]) == {"yearly": {"filed_on"},
                                               "unsigned": {"resumed_on", "closed_on", "notes"}}


def test_column_problems_of_deadline_conditions() -> None:
    d = six_months(applies=condition("{column: 申请执行人类型, equals: 银行}"))
    assert column_problems([d], ["case_no", "申请执行人类型"]) == []
    assert column_problems([d], ["case_no", "filed_on"]) == [
        "<test>:1:1: deadline 'limit' reads column '申请执行人类型', which the ledger lacks; the ledger has: "
        "案号, 立案日期"]


def test_a_deadline_dropped_for_its_own_problem_is_not_said_to_be_switched_off(tmp_path) -> None:
    """A category and a relative deadline reading a deadline that has a mistake of its own: the
    mistake is reported, once, where it is; neither reader is told the deadline is switched off."""
    from backlog_cli.deadlines import load_ruleset
    from backlog_cli.errors import RulesError

    path = write(tmp_path, "bad.yaml", """\
version: 1
categories:
  - {id: late, label: 迟, when: {deadline: limit, overdue_for: 1 day}}
deadlines:
  - {id: limit, label: 期限, duration: 6 monthz}
  - {id: review, label: 评查, relative_to: limit, offset: -1 month}
""")
    with pytest.raises(RulesError) as err:
        load_ruleset([path])
    assert len(err.value.problems) == 1 and "deadlines[0].duration" in err.value.problems[0]
    assert "switched off" not in str(err.value) and "disabled" not in str(err.value)


FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures" / "rules"


def test_a_deadline_set_aside_for_its_id_is_still_checked_key_by_key() -> None:
    """A duplicate, misspelt or missing id is one mistake; the entry's other keys are checked as
    written (not for what is missing: it might be meant to override), one message per mistake."""
    from backlog_cli.errors import RulesError

    p = FIXTURES / "dl_mistakes.yaml"
    with pytest.raises(RulesError) as err:
        load_ruleset([p])
    length = "expected a length such as '6 months', '180 days' or '1 year', got '1 monthz'"
    assert err.value.problems == [
        f"{p}:6:9: deadlines[1].id: duplicate deadline id 'limit'",
        f"{p}:8:15: deadlines[1].duration: {length}",
        f"{p}:9:12: deadlines[1].start: field 'cause' is a text field; expected a date field",
        f"{p}:10:23: deadlines[1].suspended_action: suspended_action: needs deduct: or relative_to: (a case is "
        "suspended only while a deducted period runs)",
        f"{p}:11:9: deadlines[2].id: id must be an ASCII slug (a lower-case letter, then letters, digits, _ or -), "
        "got '期限'",
        f"{p}:12:12: deadlines[2].label: deadline '期限' has an empty label",
        f"{p}:14:5: deadlines[3]: missing 'id'",
        f"{p}:15:15: deadlines[3].duration: {length}",
        f"{p}:16:9: deadlines[4].id: id 'next' is reserved (next_due, next_days_left and next_state are the most "
        "pressing deadline's columns); choose another",
        f"{p}:20:15: deadlines[4].workdays: 'workdays' does not go with relative_to:",
        f"{p}:24:21: deadlines[5].extension_days: field 'amount' is an amount field; expected a number field",
        f"{p}:26:9: deadlines[5].deduct[0]: a period from and to the same field 'suspended_on' deducts nothing; "
        "end it with another date field, e.g. {from: suspended_on, to: resumed_on}",
        f"{p}:28:9: deadlines[5].deduct[2]: the same period as deduct[1]; it would be deducted twice",
        f"{p}:32:13: deadlines[6].deduct: an empty deduct: deducts nothing; remove it",
    ]


def test_an_override_naming_another_shape_replaces_the_inherited_shape(tmp_path) -> None:
    """A later file giving relative_to:, every: or duration: for a deadline of another shape
    inherits none of the earlier counting keys; label, action, warn_before and the like stay, and
    the state actions where they go with the new shape. deduct: [] clears inherited periods."""
    write(tmp_path, "base.yaml", """\
version: 1
deadlines:
  - id: limit
    label: 期限
    start: filed_on
    duration: 6 months
    workdays: false
    deduct:
      - {from: suspended_on, to: resumed_on}
    action: 结案
    overdue_action: 说明超期原因
    suspended_action: 审查中止事由
    warn_before: 15 days
  - id: review
    label: 评查
    duration: 5 months
    extension_months: extension_months
    action: 评查
    overdue_action: 尽快评查
""")
    relative = write(tmp_path, "relative.yaml", "version: 1\nextends: base.yaml\ndeadlines:\n"
                                                "  - {id: review, relative_to: limit, offset: -1 month}\n")
    _, deadlines = load_ruleset([relative])
    assert deadlines[1] == Deadline("review", "评查", relative_to="limit", offset=parse_span("-1 month"),
                                    action="评查", overdue_action="尽快评查")
    back = write(tmp_path, "back.yaml", "version: 1\nextends: relative.yaml\ndeadlines:\n"
                                        "  - {id: review, duration: 2 months}\n")
    _, deadlines = load_ruleset([back])
    assert deadlines[1] == Deadline("review", "评查", parse_span("2 months"), action="评查", overdue_action="尽快评查")
    recurring = write(tmp_path, "recurring.yaml", "version: 1\nextends: base.yaml\ndeadlines:\n"
                                                  "  - {id: limit, every: 1 month, for: 1 year}\n")
    _, deadlines = load_ruleset([recurring])
    assert deadlines[0] == Deadline("limit", "期限", action="结案", warn_before=parse_span("15 days"),
                                    every=parse_span("1 month"), for_=parse_span("1 year"))
    # deduct: [] clears the inherited periods, and with them the suspended_action
    clear = write(tmp_path, "clear.yaml", "version: 1\nextends: base.yaml\ndeadlines:\n  - {id: limit, deduct: []}\n")
    _, deadlines = load_ruleset([clear])
    assert deadlines[0] == Deadline("limit", "期限", parse_span("6 months"), action="结案", overdue_action="说明超期原因",
                                    warn_before=parse_span("15 days"))
    # the bundled over_one_year counted from the legal limit instead of the filing date
    later = write(tmp_path, "later.yaml", "version: 1\nextends: default\ndeadlines:\n"
                                          "  - {id: over_one_year, relative_to: legal_limit, offset: 6 months}\n")
    _, deadlines = load_ruleset([later])
    over = next(d for d in deadlines if d.id == "over_one_year")
    assert (over.duration, over.relative_to, over.offset, over.label) == (
        None, "legal_limit", parse_span("6 months"), "未结超过一年")
    # two shapes in the same entry are still a mistake
    both = write(tmp_path, "both.yaml", "version: 1\nextends: base.yaml\ndeadlines:\n"
                                        "  - {id: review, duration: 1 month, every: 1 month}\n")
    with pytest.raises(RulesError) as err:
        load_ruleset([both])
    assert err.value.problems == [f"{both}:4:10: deadlines[0].id: deadline 'review' needs exactly one of duration:, "
                                  "relative_to:, every: (with for:) or due_on:; found duration, every"]


def test_a_deadline_switched_off_is_said_where(tmp_path) -> None:
    base = write(tmp_path, "base.yaml", """\
version: 1
deadlines:
  - {id: limit, label: 期限, duration: 6 months}
  - {id: review, label: 评查, relative_to: limit, offset: -1 month}
""")
    off = write(tmp_path, "off.yaml", "version: 1\nextends: base.yaml\ndeadlines:\n  - id: limit\n"
                                      "    enabled: false\n")
    with pytest.raises(RulesError) as err:
        load_ruleset([off])
    assert err.value.problems == [f"{base}:4:42: deadlines[1].relative_to: deadline 'review' is relative to 'limit', "
                                  f"which is switched off (enabled: false at {off}:5)"]


def test_an_unknown_deadline_lists_those_declared_also_when_invalid_or_off(tmp_path) -> None:
    path = write(tmp_path, "bad.yaml", """\
version: 1
categories:
  - {id: late, label: 迟, when: {deadline: limt, overdue_for: 1 day}}
deadlines:
  - {id: limit, label: 期限, duration: 6 monthz}
  - {id: idle, label: 关, duration: 1 month, enabled: false}
  - {id: good, label: 好, duration: 1 month}
""")
    with pytest.raises(RulesError) as err:
        load_ruleset([path])
    assert err.value.problems == [
        f"{path}:3:43: categories[0].when.deadline: unknown deadline 'limt' (did you mean 'limit'?); the rules "
        "define: limit (invalid), idle (switched off), good",
        f"{path}:5:38: deadlines[0].duration: expected a length such as '6 months', '180 days' or '1 year', "
        "got '6 monthz'",
    ]


def test_backlog_overdue_refuses_a_recurring_deadline_without_within() -> None:
    from backlog_cli.deadlines import check_overdue_deadline, overdue_cases

    _, deadlines = load_ruleset(["default"])
    frame = ledger(case_no=["甲"], filed_on=["2025-01-01"])
    frame = pd.concat([frame, evaluate(frame, deadlines, "2025-07-01")], axis=1)
    refused = ("--deadline: deadline 'property_requery' recurs and is never overdue: name a one-off deadline, "
               "or add --within D for the cases coming due on it")
    with pytest.raises(ConfigError, match=f"^{refused}$"):
        check_overdue_deadline(deadlines, "property_requery")
    with pytest.raises(ConfigError, match=f"^{refused}$"):
        overdue_cases(frame, deadlines, "2025-07-01", deadline="property_requery")
    check_overdue_deadline(deadlines, "property_requery", within=30)
    check_overdue_deadline(deadlines, "legal_limit")
    with pytest.raises(ConfigError, match="^--deadline: no deadline 'legal_limt' \\(did you mean 'legal_limit'\\?\\) in the rules"):
        check_overdue_deadline(deadlines, "legal_limt")


# ---------------------------------------------------------------------------------------------
# a deadline on a fixed day (a campaign's 12月31日前清结)


FIXED = """\
version: 1
categories:
  - {id: old, label: 旧存, when: {field: filed_on, before: 2016-10-01}}
  - {id: late, label: 年底未清, when: {deadline: year_end, overdue_for: 0 days}}
deadlines:
  - id: year_end
    label: 旧存案件年底前清理完毕
    applies: {category: old}
    due_on: 2016-12-31
    warn_before: 10 days
    action: 年底前清理完毕
  - {id: review, label: 年底前一个月评查, relative_to: year_end, offset: -1 month}
"""


def test_a_deadline_on_a_fixed_day_is_the_same_day_for_every_case_it_applies_to(tmp_path) -> None:
    """Open cases filed before 2016-10-01 are due 2016-12-31 whatever their filing date; a close on
    or before it meets it, a later one meets it late; a case filed later, or after --as-of, is n/a;
    a category and a relative deadline read it as any other."""
    ruleset, deadlines = load_ruleset([write(tmp_path, "fixed.yaml", FIXED)])
    frame = ledger(filed_on=["2014-03-01", "2016-09-30", "2016-05-01", "2016-06-01", "2016-10-01"],
                   closed_on=[None, None, "2016-12-31", "2017-01-03", None])
    out = evaluate(frame, deadlines, T("2017-01-05"), ruleset.evaluate(frame, T("2017-01-05")))
    assert out["year_end_due"].tolist()[:4] == [T("2016-12-31")] * 4 and pd.isna(out["year_end_due"].iloc[4])
    assert out["year_end_state"].tolist() == ["overdue", "overdue", "met", "met_late", "n/a"]
    assert out["year_end_days_left"].tolist()[:2] == [-5, -5]
    assert out["review_due"].tolist()[:2] == [T("2016-11-30")] * 2
    assert ruleset.classify(frame, T("2017-01-05"))["late"].tolist() == [True, True, False, False, False]
    # before the day: due soon within warn_before (from 12-21), else ok; not overdue on the day itself
    states = {day: evaluate(frame, deadlines, T(day), ruleset.evaluate(frame, T(day)))["year_end_state"].iloc[0]
              for day in ("2016-12-20", "2016-12-21", "2016-12-31", "2017-01-01")}
    assert states == {"2016-12-20": "ok", "2016-12-21": "due_soon", "2016-12-31": "due_soon", "2017-01-01": "overdue"}
    # a case filed after --as-of is not yet a case
    early = evaluate(frame, deadlines, T("2014-02-28"), ruleset.evaluate(frame, T("2014-02-28")))
    assert early["year_end_state"].iloc[0] == "n/a"


def test_a_fixed_day_does_not_apply_to_a_case_filed_after_it(tmp_path) -> None:
    """A campaign's day is for the cases there to clear: one filed on the day counts, one filed the
    day after (and open long after) does not, and explain says why; roll_forward moves the day off
    a rest day, and rules show says so."""
    from backlog_cli.deadlines import due_rule

    text = FIXED.replace("    applies: {category: old}\n", "").replace("due_on: 2016-12-31", "due_on: 2016-10-01\n    roll_forward: true")
    ruleset, deadlines = load_ruleset([write(tmp_path, "fixed.yaml", text)])
    frame = ledger(filed_on=["2016-10-01", "2016-10-02"])
    out = evaluate(frame, deadlines, T("2017-06-01"), ruleset.evaluate(frame, T("2017-06-01")))
    assert out["year_end_state"].tolist() == ["overdue", "n/a"]
    assert out["year_end_due"].iloc[0] == T("2016-10-08")  # National Day week: the next working day
    assert due_rule(deadlines[0]) == "固定日期 2016-10-01 届满（filed_on 不晚于该日和 --as-of 的案件），遇节假日顺延"
    steps = [e["steps"] for e in explain(frame.iloc[[1]], deadlines, "2017-06-01",
                                         ruleset.evaluate(frame.iloc[[1]], T("2017-06-01")))]
    assert steps[0] == ["filed_on 2016-10-02 晚于固定日期 2016-10-01：不适用"]


def test_campaign_2008_dates_its_steps() -> None:
    """The plan's three dated steps on a 2008 ledger at 2009-01-20: a case filed before 2008 and open
    is past step one (2008-12-15); one of the six kinds closed 2009-01-10 met the Spring Festival
    step and missed step one; a 2008 case of the six kinds or 挂牌督办 is due at the campaign's end."""
    ruleset, deadlines = load_ruleset(["campaign-2008"])
    frame = ledger(filed_on=["2007-03-01", "2007-05-01", "2008-06-01", "2008-07-01", "2009-06-01"],
                   closed_on=[None, "2009-01-10", None, None, None],
                   cause=["买卖合同纠纷", "追索劳动报酬纠纷", "追索劳动报酬纠纷", "借款合同纠纷", "追索劳动报酬纠纷"],
                   notes=[None, None, None, "政法委挂牌督办", None])
    as_of = T("2009-01-20")
    out = evaluate(frame, deadlines, as_of, ruleset.evaluate(frame, as_of))
    assert out["step_one_state"].tolist() == ["overdue", "met_late", "n/a", "n/a", "n/a"]
    assert out["key_before_spring_festival_state"].tolist() == ["n/a", "met", "n/a", "n/a", "n/a"]
    assert out["campaign_end_state"].tolist() == ["ok", "met", "ok", "ok", "n/a"]
    later = evaluate(frame, deadlines, T("2011-01-01"), ruleset.evaluate(frame, T("2011-01-01")))
    assert later["campaign_end_state"].tolist() == ["overdue", "met", "overdue", "overdue", "n/a"]


def test_sanqingli_2016_dates_its_three_targets_and_default_leaves_them_out() -> None:
    """Seed 002: 旧存 (filed before the campaign began, 2016-12) 涉党政机关 cleared by 2016-12-31,
    旧存 涉民生 by 2017-01-31, 涉信访 resolved by 2016-12-31. default extends sanqingli-2016 for its
    categories and switches the 2016 days off."""
    ruleset, deadlines = load_ruleset(["sanqingli-2016"])
    assert [d.id for d in deadlines] == ["old_dangzheng_cleared", "old_minsheng_cleared", "xinfang_resolved"]
    frame = ledger(filed_on=["2016-05-01", "2016-12-05", "2016-03-01", "2016-06-01", "2016-12-10"],
                   closed_on=[None, None, "2017-01-20", None, None],
                   respondent=["某县人民政府", "某镇人民政府", "张三", "李四", "王五"],
                   cause=["买卖合同纠纷", "买卖合同纠纷", "追索劳动报酬纠纷", "民间借贷纠纷", "民间借贷纠纷"],
                   notes=[None, None, None, "当事人多次上访", "进京信访"])
    as_of = T("2017-01-10")
    out = evaluate(frame, deadlines, as_of, ruleset.evaluate(frame, as_of))
    assert out["old_dangzheng_cleared_state"].tolist() == ["overdue", "n/a", "n/a", "n/a", "n/a"]  # 12-05: not 旧存
    assert out["old_minsheng_cleared_state"].tolist() == ["n/a", "n/a", "due_soon", "n/a", "n/a"]
    assert out["xinfang_resolved_state"].tolist() == ["n/a", "n/a", "n/a", "overdue", "overdue"]
    later = evaluate(frame, deadlines, T("2017-02-01"), ruleset.evaluate(frame, T("2017-02-01")))
    assert later["old_minsheng_cleared_state"].iloc[2] == "met"  # closed 2017-01-20
    for name in ("default", "county-seven", "juesheng-2017"):  # which drop some of the categories they read
        assert not {d.id for d in load_ruleset([name])[1]} & {d.id for d in deadlines}, name


def test_a_switched_off_deadline_may_name_a_dropped_category(tmp_path) -> None:
    """Dropping a category and switching off the inherited deadline that reads it is how a ruleset
    leaves both out; left on, the deadline names an unknown category."""
    base = write(tmp_path, "base.yaml", """\
version: 1
categories:
  - {id: old, label: 旧案, when: {field: filed_on, before: 2016-01-01}}
  - {id: other, label: 其他, when: {open: true}}
deadlines:
  - {id: year_end, label: 年底前, applies: {category: old}, due_on: 2016-12-31}
""")
    off = write(tmp_path, "off.yaml", "version: 1\nextends: base.yaml\ndrop: [old]\n"
                                      "deadlines:\n  - {id: year_end, enabled: false}\n")
    ruleset, deadlines = load_ruleset([off])
    assert ([c.id for c in ruleset.categories], deadlines) == (["other"], [])
    on = write(tmp_path, "on.yaml", "version: 1\nextends: base.yaml\ndrop: [old]\n")
    with pytest.raises(RulesError) as err:
        load_ruleset([on])
    assert err.value.problems == [f"{base}:6:52: deadlines[0].applies.category: unknown category 'old'"]
    typo = write(tmp_path, "typo.yaml", "version: 1\nextends: off.yaml\ndeadlines:\n"
                                        "  - {id: year_end, applies: {category: olf}}\n")
    with pytest.raises(RulesError, match="unknown category 'olf'"):  # switched off, still checked
        load_ruleset([typo])


def test_an_override_changes_a_deadline_to_and_from_a_fixed_day(tmp_path) -> None:
    """A later file naming due_on over a one-off deadline inherits none of its counting keys (its
    duration, deduct and suspended_action go); one naming duration over a fixed day drops due_on."""
    base = write(tmp_path, "base.yaml", """\
version: 1
deadlines:
  - id: limit
    label: 期限
    duration: 6 months
    deduct: [{from: suspended_on, to: resumed_on}]
    suspended_action: 审查中止事由
    action: 结案
""")
    fixed = write(tmp_path, "fixed.yaml", "version: 1\ndeadlines:\n  - {id: limit, due_on: 2026-12-31}\n")
    _, [d] = load_ruleset([base, fixed])
    assert (d.due_on, d.duration, d.deduct, d.suspended_action, d.action) == (T("2026-12-31"), None, (), None, "结案")
    back = write(tmp_path, "back.yaml", "version: 1\ndeadlines:\n  - {id: limit, duration: 3 months}\n")
    _, [d] = load_ruleset([base, fixed, back])
    assert (d.due_on, d.duration) == (None, parse_span("3 months"))


def test_a_fixed_day_is_explained_and_shown(tmp_path) -> None:
    from backlog_cli.deadlines import due_rule

    ruleset, deadlines = load_ruleset([write(tmp_path, "fixed.yaml", FIXED)])
    assert due_rule(deadlines[0]) == "固定日期 2016-12-31 届满（filed_on 不晚于该日和 --as-of 的案件）；有适用条件"
    frame = ledger(filed_on=["2014-03-01"])
    year_end, review = explain(frame, deadlines, "2017-01-05", ruleset.evaluate(frame, T("2017-01-05")))
    assert (year_end["state"], year_end["days_left"], year_end["action"]) == ("overdue", -5, "年底前清理完毕")
    assert year_end["steps"] == ["固定日期 due_on 2016-12-31（filed_on 2014-03-01）", "= 届满 2016-12-31"]
    assert review["steps"] == ["year_end 届满 2016-12-31", "− 1 个月 → 2016-11-30", "= 届满 2016-11-30"]


@pytest.mark.parametrize(("keys", "problem"), [
    ("due_on: 2016-12-31\n    duration: 6 months",
     "deadlines[0].id: deadline 'x' needs exactly one of duration:, relative_to:, every: (with for:) or due_on:; "
     "found duration, due_on"),
    ("due_on: soon", "deadlines[0].due_on: expected a date such as 2008-01-01, got 'soon'"),
    ("due_on: 2016-12-31\n    offset: 1 day", "deadlines[0].offset: 'offset' does not go with due_on:"),
    ("due_on: 2016-12-31\n    workdays: true", "deadlines[0].workdays: 'workdays' does not go with due_on:"),
    ("due_on: 2916-12-31", "deadlines[0].due_on: 2916-12-31 is outside the years 1950-2100; a typing slip?"),
])
def test_a_fixed_day_with_a_mistake_is_located(tmp_path, keys, problem) -> None:
    path = write(tmp_path, "bad.yaml", f"version: 1\ndeadlines:\n  - id: x\n    label: X\n    {keys}\n")
    with pytest.raises(RulesError) as err:
        load_ruleset([path])
    assert [p.split(": ", 1)[1] for p in err.value.problems] == [problem]


@pytest.mark.parametrize("every, lasts, refused", [
    ("90 days", "1 year", False), ("2 weeks", "2 months", False), ("1 month", "365 days", False),
    ("1 month", "28 days", False), ("1 month", "27 days", True), ("32 days", "1 month", True),
    ("31 days", "1 month", False), ("6 months", "5 years", False), ("2 years", "1 year", True),
])
def test_for_is_checked_against_every_across_units(tmp_path, every, lasts, refused) -> None:
    """for: shorter than every: is refused, units compared on the calendar (a month is 28 to 31
    days): every 90 days for 1 year was refused as 1 < 90."""
    path = write(tmp_path, "r.yaml", f"version: 1\ndeadlines:\n  - {{id: q, label: 查询, start: closed_on, "
                                     f"every: {every}, for: {lasts}}}\n")
    if not refused:
        load_ruleset([path])
        return
    with pytest.raises(RulesError) as err:
        load_ruleset([path])
    assert [p.split(": ", 1)[1] for p in err.value.problems] == [
        f"deadlines[0].for: for: must be at least as long as every: ({parse_span(every)})"]
