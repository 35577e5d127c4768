"""Rules read a case as it stood at --as-of: a date after it (a close, a suspension or a
resumption recorded later) has not happened yet, as the deadlines count it."""

from __future__ import annotations

import pandas as pd
import pytest

from backlog_cli.loading import load_columns
from backlog_cli.rules import CHANGED_LATER, LATER_THAN_AS_OF, EvalContext, compile_condition, load_rules

from test_rules import cases

# suspended 2026-03-01, resumed 2026-10-10 (status no longer says 中止)
SUSPENDED = cases(
    {"case_no": "(2025)鲁0902执800号", "filed_on": "2025-11-20", "closed_on": None, "status": "执行中",
     "suspended_on": "2026-03-01", "resumed_on": "2026-10-10"},
    {"case_no": "(2025)鲁0902执801号", "filed_on": "2025-11-20", "closed_on": "2026-10-20", "status": "已结",
     "suspended_on": "2026-09-01", "resumed_on": None},
)


def mask(condition: dict, as_of: str) -> list[bool]:
    return compile_condition(condition).mask(SUSPENDED, EvalContext(pd.Timestamp(as_of))).tolist()


@pytest.mark.parametrize(("condition", "as_of", "expected"), [
    # the resumption on 10-10 is not known on 10-09
    ({"field": "resumed_on", "is_blank": True}, "2026-10-09", [True, True]),
    ({"field": "resumed_on", "is_blank": True}, "2026-10-10", [False, True]),
    ({"field": "resumed_on", "not_blank": True}, "2026-10-09", [False, False]),
    # the second case's suspension (09-01) and close (10-20) lie ahead on 08-31 and 10-19
    ({"field": "suspended_on", "not_blank": True}, "2026-08-31", [True, False]),
    ({"field": "closed_on", "is_blank": True}, "2026-10-19", [True, True]),
    ({"field": "closed_on", "is_blank": True}, "2026-10-20", [True, False]),
    # a later date is neither newer nor older than a span, nor after a given day
    ({"field": "suspended_on", "newer_than": "3 months"}, "2026-08-31", [False, False]),
    ({"field": "suspended_on", "older_than": "1 month"}, "2026-08-31", [True, False]),
    ({"field": "closed_on", "after": "2026-01-01"}, "2026-10-19", [False, False]),
    ({"field": "closed_on", "after": "2026-01-01"}, "2026-10-20", [False, True]),
])
def test_a_date_after_as_of_reads_as_blank(condition, as_of, expected):
    assert mask(condition, as_of) == expected


def test_resume_due_counts_a_suspension_resumed_after_as_of():
    """Seven months suspended on 09-30 with no resumption yet: 中止、暂缓执行应恢复 then, not after
    the resumption on 10-10 (the monthly report for September is reproduced in October)."""
    ruleset = load_rules(None)
    for as_of, expected in (("2026-09-30", True), ("2026-10-09", True), ("2026-10-10", False)):
        result = ruleset.classify(SUSPENDED.iloc[:1], pd.Timestamp(as_of))
        assert ("resume_due" in result["categories"].iloc[0]) is expected, as_of


def test_explain_says_a_later_date_is_not_yet_counted():
    ruleset = load_rules(None)
    trees = ruleset.explain(SUSPENDED.iloc[:1], pd.Timestamp("2026-10-09"))
    text = "\n".join(line for c in trees for line in c.condition.lines())
    assert f"resumed_on = 2026-10-10, is_blank: true（{LATER_THAN_AS_OF}）" in text


@pytest.mark.parametrize(("condition", "as_of", "line"), [
    ({"open": True}, "2026-10-19", f"✓ closed_on = 2026-10-20, open: true（{LATER_THAN_AS_OF}）"),
    ({"open": False}, "2026-10-19", f"✗ closed_on = 2026-10-20, open: false（{LATER_THAN_AS_OF}）"),
    ({"closed": True}, "2026-10-19", f"✗ closed_on = 2026-10-20, closed: true（{LATER_THAN_AS_OF}）"),
    ({"open": True}, "2026-10-20", "✗ closed_on = 2026-10-20, open: true"),
])
def test_explain_marks_a_close_after_as_of_on_the_open_and_closed_conditions(condition, as_of, line):
    """执801号 closed on 10-20: on 10-19 it was open, as its close had not happened yet; explain
    says so on the line of open: and closed:, as on a condition naming closed_on."""
    node = compile_condition(condition).explain(SUSPENDED.iloc[1:], EvalContext(pd.Timestamp(as_of)))
    assert node.lines() == [line]


def test_a_later_date_in_another_column_is_read_and_explained_as_it_is():
    """Only the canonical date fields, all events, are read as of --as-of: a ledger column a
    --columns file adds (a planned 下次查询 date) keeps its later date, and explain says nothing of it."""
    frame = SUSPENDED.iloc[:1].assign(next_query=pd.Timestamp("2026-12-01"))
    condition = compile_condition({"column": "next_query", "is_blank": True})
    ctx = EvalContext(pd.Timestamp("2026-10-09"))
    assert condition.mask(frame, ctx).tolist() == [False]
    node = condition.explain(frame, ctx)
    assert node.hit is None and node.lines() == ["✗ next_query = 2026-12-01, is_blank: true"]


def test_a_date_column_a_columns_file_adds_is_compared_as_dates_and_keeps_its_later_date(tmp_path):
    """Declared a date (kind: date), such a column is compared as dates: a planned 下次查询 after
    --as-of is still that date, not a blank, and explain marks nothing."""
    aliases = tmp_path / "cols.yaml"
    aliases.write_text("fields:\n  next_query:\n    kind: date\n    aliases: [下次查询]\n", encoding="utf-8")
    frame = SUSPENDED.iloc[:1].assign(next_query=pd.Timestamp("2026-12-01"))
    ctx = EvalContext(pd.Timestamp("2026-10-09"))
    condition = compile_condition({"column": "next_query", "after": "2026-11-01"}, columns=load_columns([aliases]))
    assert condition.mask(frame, ctx).tolist() == [True]
    node = condition.explain(frame, ctx)
    assert node.hit is None and node.lines() == ["✓ next_query = 2026-12-01, after: 2026-11-01"]


# status and close method say how a case stands now; an event after --as-of set them later
STANDING = cases(
    {"case_no": "(2025)鲁0902执802号", "filed_on": "2025-11-20", "closed_on": None, "status": "中止",
     "suspended_on": "2026-10-15", "resumed_on": None, "close_method": None},  # suspended after 09-30
    {"case_no": "(2025)鲁0902执803号", "filed_on": "2025-11-20", "closed_on": None, "status": "中止",
     "suspended_on": None, "resumed_on": None, "close_method": None},  # suspended, date never written
    {"case_no": "(2025)鲁0902执804号", "filed_on": "2025-11-20", "closed_on": "2026-10-20", "status": "已结",
     "suspended_on": None, "resumed_on": None, "close_method": "终结本次执行程序"},
)


@pytest.mark.parametrize(("condition", "as_of", "expected"), [
    ({"field": "status", "contains_any": ["中止"]}, "2026-09-30", [False, True, False]),
    ({"field": "status", "contains_any": ["中止"]}, "2026-10-15", [True, True, False]),
    ({"field": "status", "is_blank": True}, "2026-09-30", [True, False, True]),
    ({"field": "status", "equals": "已结"}, "2026-10-20", [False, False, True]),
    ({"field": "close_method", "contains_any": ["终结本次"]}, "2026-10-19", [False, False, False]),
    ({"field": "close_method", "contains_any": ["终结本次"]}, "2026-10-20", [False, False, True]),
])
def test_status_and_close_method_set_after_as_of_read_as_blank(condition, as_of, expected):
    got = compile_condition(condition).mask(STANDING, EvalContext(pd.Timestamp(as_of))).tolist()
    assert got == expected


def test_resume_due_does_not_count_a_suspension_made_after_as_of():
    """On 09-30 执802号 was not suspended yet (its 中止 is from 10-15): not 中止、暂缓执行应恢复; 执803号,
    suspended on a day never written, is, as before; once 执802号 has been suspended three months it is."""
    ruleset = load_rules(None)
    got = {as_of: ["resume_due" in c for c in ruleset.classify(STANDING.iloc[:2], pd.Timestamp(as_of))["categories"]]
           for as_of in ("2026-09-30", "2026-12-31", "2027-01-16")}
    assert got == {"2026-09-30": [False, True], "2026-12-31": [False, True], "2027-01-16": [True, True]}
    trees = ruleset.explain(STANDING.iloc[:1], pd.Timestamp("2026-09-30"))
    text = "\n".join(line for c in trees for line in c.condition.lines())
    assert f"✗ status = 中止, contains_any: [中止, 暂缓]（{CHANGED_LATER}）" in text
