"""The rules engine: operators, validation messages, bundled categories, explain."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from backlog_cli import rules
from backlog_cli.errors import RulesError
from backlog_cli.deadlines import load_ruleset
from backlog_cli.rules import EvalContext, Span, add_months, compile_condition, load_rules, parse_span

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
DOCS = Path(__file__).parents[1] / "docs" / "rules.md"
AS_OF = pd.Timestamp("2017-03-31")

TEXT = ["officer", "applicant", "respondent", "cause", "status", "close_method", "notes", "reason_open", "case_type"]
DATES = ["filed_on", "closed_on", "suspended_on", "resumed_on"]


def cases(*rows: dict) -> pd.DataFrame:
    """A case frame with the canonical dtypes; columns not given in any row are left out."""
    frame = pd.DataFrame(list(rows))
    for col in frame.columns:
        if col in DATES:
            frame[col] = pd.to_datetime(frame[col])
        elif col in ("amount", "extension_months"):
            frame[col] = frame[col].astype("float64")
        elif col == "petition":
            frame[col] = frame[col].astype("boolean")
        else:
            frame[col] = frame[col].astype("str")
    return frame


SAMPLE = cases(
    {"case_no": "(2016)鲁0902执1号", "case_type": "执", "filed_on": "2016-01-05", "closed_on": None,
     "cause": "追索劳动报酬纠纷", "respondent": "泰安市泰山区人民政府", "amount": 50000.0, "petition": True, "notes": None},
    {"case_no": "(2016)鲁0902执恢2号", "case_type": "执恢", "filed_on": "2016-08-31", "closed_on": "2017-02-28",
     "cause": "劳务合同纠纷", "respondent": "张三", "amount": 1000.0, "petition": False, "notes": "农民工"},
    {"case_no": "(2017)鲁0902执保3号", "case_type": "执保", "filed_on": "2017-03-01", "closed_on": "2017-03-31",
     "cause": None, "respondent": "", "amount": None, "petition": None, "notes": None},
)


def mask(condition: dict, frame: pd.DataFrame = SAMPLE, as_of: str | pd.Timestamp = AS_OF) -> list[bool]:
    return compile_condition(condition).mask(frame, EvalContext(pd.Timestamp(as_of))).tolist()


# --------------------------------------------------------------------------- operators

OPERATOR_CASES = [
    ({"field": "cause", "contains_any": ["劳动报酬", "工资"]}, [True, False, False]),
    ({"field": "cause", "contains_any": "劳务"}, [False, True, False]),
    ({"field": "respondent", "matches": "人民政府$"}, [True, False, False]),
    ({"field": "respondent", "matches": "^李"}, [False, False, False]),
    ({"field": "cause", "equals": "劳务合同纠纷"}, [False, True, False]),
    ({"field": "amount", "equals": 1000}, [False, True, False]),
    ({"field": "petition", "equals": True}, [True, False, False]),
    ({"field": "petition", "equals": False}, [False, True, False]),
    ({"field": "filed_on", "equals": "2016-08-31"}, [False, True, False]),
    ({"field": "case_type", "in": ["执", "执保"]}, [True, False, True]),
    ({"field": "amount", "in": [7, 8]}, [False, False, False]),
    ({"field": "cause", "not_in": ["劳务合同纠纷"]}, [True, False, False]),
    ({"field": "case_type", "not_in": ["执", "执恢", "执保"]}, [False, False, False]),
    ({"field": "respondent", "is_blank": True}, [False, False, True]),
    ({"field": "cause", "is_blank": True}, [False, False, True]),
    ({"field": "amount", "is_blank": True}, [False, False, True]),
    ({"field": "amount", "is_blank": False}, [True, True, False]),
    ({"field": "notes", "not_blank": True}, [False, True, False]),
    ({"field": "closed_on", "not_blank": False}, [True, False, False]),
    ({"field": "amount", "gt": 1000}, [True, False, False]),
    ({"field": "amount", "gte": 1000}, [True, True, False]),
    ({"field": "amount", "lt": 50000}, [False, True, False]),
    ({"field": "amount", "lte": 50000}, [True, True, False]),
    ({"field": "filed_on", "gt": "2016-08-31"}, [False, False, True]),
    ({"field": "filed_on", "lte": "2016-08-31"}, [True, True, False]),
    ({"field": "amount", "between": [1000, 2000]}, [False, True, False]),
    ({"field": "amount", "between": [1001, 49999]}, [False, False, False]),
    ({"field": "filed_on", "between": ["2016-01-01", "2016-12-31"]}, [True, True, False]),
    ({"field": "filed_on", "before": "2016-08-31"}, [True, False, False]),
    ({"field": "filed_on", "after": "2016-08-31"}, [False, False, True]),
    ({"field": "closed_on", "after": "2017-12-31"}, [False, False, False]),
    # 2016-01-05 + 1 year = 2017-01-05 < as_of; 2016-08-31 + 1 year = 2017-08-31 is not
    ({"older_than": "1 year"}, [True, False, False]),
    ({"newer_than": "1 year"}, [False, True, True]),
    # 2016-08-31 + 6 months = 2017-02-28 (clamped) < 2017-03-31
    ({"field": "filed_on", "older_than": "6 months"}, [True, True, False]),
    ({"field": "closed_on", "older_than": "30 days"}, [False, True, False]),
    ({"field": "closed_on", "newer_than": "30 days"}, [False, False, True]),
    ({"open": True}, [True, False, False]),
    ({"open": False}, [False, True, True]),
    ({"closed": True}, [False, True, True]),
    ({"case_type": ["执恢"]}, [False, True, False]),
    ({"case_type": "执异"}, [False, False, False]),
]


@pytest.mark.parametrize(("condition", "expected"), OPERATOR_CASES, ids=lambda v: str(v)[:40])
def test_operator(condition, expected):
    assert mask(condition) == expected


def test_every_operator_has_a_match_and_a_non_match():
    seen: dict[str, set[bool]] = {}
    for condition, expected in OPERATOR_CASES:
        op = next(k for k in condition if k in rules.OPERATORS)
        seen.setdefault(op, set()).update(expected)
    assert {op for op, results in seen.items() if results == {True, False}} == set(rules.OPERATORS)


def test_combinators_nest():
    cond = {"all": [{"open": False}, {"not": {"any": [{"field": "cause", "is_blank": True},
                                                     {"field": "amount", "gt": 5000}]}}]}
    assert mask(cond) == [False, True, False]
    assert mask({"any": [{"case_type": ["执"]}, {"field": "notes", "contains_any": ["农民工"]}]}) == [True, True, False]
    assert mask({"not": {"field": "cause", "contains_any": ["纠纷"]}}) == [False, False, True]


def test_missing_canonical_column_counts_as_missing():
    frame = SAMPLE.drop(columns=["notes"])
    assert mask({"field": "notes", "contains_any": ["农民工"]}, frame) == [False, False, False]
    assert mask({"field": "notes", "is_blank": True}, frame) == [True, True, True]


def test_text_operators_work_on_categorical_columns():
    frame = SAMPLE.assign(cause=SAMPLE["cause"].astype("category"))
    assert mask({"field": "cause", "contains_any": ["劳务"]}, frame) == [False, True, False]
    assert mask({"field": "cause", "is_blank": True}, frame) == [False, False, True]


# --------------------------------------------------------------------------- open / closed boundaries


@pytest.mark.parametrize(("as_of", "is_open", "is_closed"), [
    ("2017-03-31", [True, False, False], [False, True, True]),   # row 3 closed on the day itself
    ("2017-03-30", [True, False, True], [False, True, False]),   # row 3 closed the day after: still open
    ("2017-02-28", [True, False, False], [False, True, False]),  # row 2 closed that day; row 3 not yet filed
    ("2017-02-27", [True, True, False], [False, False, False]),
])
def test_open_and_closed_at_as_of(as_of, is_open, is_closed):
    assert mask({"open": True}, as_of=as_of) == is_open
    assert mask({"closed": True}, as_of=as_of) == is_closed


# --------------------------------------------------------------------------- spans and months


@pytest.mark.parametrize(("start", "months", "expected"), [
    ("2016-08-31", 6, "2017-02-28"),
    ("2015-08-31", 6, "2016-02-29"),
    ("2016-02-29", 12, "2017-02-28"),
    ("2024-03-31", -1, "2024-02-29"),
    ("2016-01-15", 1, "2016-02-15"),
])
def test_add_months_clamps_to_month_end(start, months, expected):
    out = add_months(pd.Series(pd.to_datetime([start, None])), months)
    assert out.iloc[0] == pd.Timestamp(expected)
    assert pd.isna(out.iloc[1])


@pytest.mark.parametrize(("text", "span"), [
    ("6 months", Span(6, "months")), ("180 days", Span(180, "days")), ("1 year", Span(12, "months")),
    ("2 weeks", Span(14, "days")), ("3个月", Span(3, "months")), ("18 months", Span(18, "months")),
])
def test_parse_span(text, span):
    assert parse_span(text) == span


@pytest.mark.parametrize(("text", "span"), [
    ("100 years", Span(1200, "months")), ("-100 years", Span(-1200, "months")), ("36525 days", Span(36525, "days")),
])
def test_a_span_of_a_hundred_years_is_the_longest(text, span):
    assert parse_span(text) == span


@pytest.mark.parametrize("text", ["101 years", "1201 months", "36526 days", "5219 weeks", "-9000 years"])
def test_a_span_over_a_hundred_years_is_refused(text):
    with pytest.raises(ValueError, match=f"^'{text}' is too long: a length is at most 100 years$"):
        parse_span(text)


def test_older_than_month_boundaries():
    frame = cases({"filed_on": "2016-08-31"}, {"filed_on": "2016-09-01"}, {"filed_on": "2024-02-29"})
    # 2016-08-31 + 6 months = 2017-02-28: not older on 02-28, older from 03-01
    assert mask({"older_than": "6 months"}, frame, "2017-02-28") == [False, False, False]
    assert mask({"older_than": "6 months"}, frame, "2017-03-01") == [True, False, False]
    # 2024-02-29 + 1 month = 2024-03-29 < 2024-03-31, although 2024-03-31 - 1 month = 2024-02-29
    assert mask({"older_than": "1 month"}, frame, "2024-03-31") == [True, True, True]
    assert mask({"older_than": "1 month"}, frame, "2024-03-29") == [True, True, False]
    assert Span(1, "months").cutoff(pd.Timestamp("2024-03-31")) == pd.Timestamp("2024-03-01")
    assert Span(1, "months").cutoff(pd.Timestamp("2024-03-29")) == pd.Timestamp("2024-02-29")


def test_older_than_days_is_strict():
    frame = cases({"filed_on": "2017-01-01"})
    # 2017-01-01 + 89 days = 2017-03-31
    assert mask({"older_than": "89 days"}, frame) == [False]
    assert mask({"older_than": "88 days"}, frame) == [True]


# --------------------------------------------------------------------------- validation messages


def problems_of(*specs) -> list[str]:
    with pytest.raises(RulesError) as info:
        load_rules(list(specs))
    return info.value.problems


def test_misspelt_operator_message():
    path = FIXTURES / "misspelt_operator.yaml"
    assert problems_of(path) == [
        f"{path}:8:11: categories[0].when.all[0]: unknown operator 'contains_anyy' (did you mean 'contains_any'?)"
    ]


def test_a_field_or_header_written_as_an_operator_is_told_how_to_write_it():
    def problem(condition):
        problems: list[str] = []
        compile_condition(condition, problems=problems)
        return problems

    assert problem({"amount": {"gt": 100000}}) == [
        "<condition>:1:1: unknown operator 'amount': to test the field, write {field: amount, gt: ...}"]
    assert problem({"案由": {"contains_any": ["借款"]}}) == [
        "<condition>:1:1: unknown operator '案由': to test the ledger header 案由 (read as the field cause), "
        "write {field: cause, contains_any: [...]}"]
    assert problem({"cause": "借款"}) == [
        "<condition>:1:1: unknown operator 'cause': to test the field, write {field: cause, <operator>: ...}"]
    assert problem({"contains_anyy": ["x"]}) == [
        "<condition>:1:1: unknown operator 'contains_anyy' (did you mean 'contains_any'?)"]


def test_all_problems_in_a_file_are_reported_together():
    p = FIXTURES / "many_problems.yaml"
    assert sorted(problems_of(p)) == sorted([
        f"{p}:2:1: unknown key 'extra'",
        f"{p}:4:9: categories[0].id: id must be an ASCII slug (a lower-case letter, then letters, digits, _ or -), "
        "got '民生'",
        f"{p}:9:35: categories[1].when.matches: invalid regular expression '(unclosed': "
        "missing ), unterminated subpattern at position 0",
        f"{p}:12:19: categories[2].when.field: unknown field 'casue' (did you mean 'cause'?); "
        "for another ledger column write column: <header>",
        f"{p}:15:29: categories[3].when: 'contains_any' does not apply to field 'filed_on' (a date field); "
        "it applies to: case_no, text",
        f"{p}:18:15: categories[4].priority: priority must be a whole number, got 'high'",
        f"{p}:19:31: categories[4].when.gt: expected a number, got 'lots'",
        f"{p}:22:22: categories[5].when.category: unknown category 'minshen'",
        f"{p}:23:9: categories[6].id: duplicate category id 'bad_ref'",
        f"{p}:26:5: categories[6]: 'label' is set twice (also on line 24): keep one",
    ])


def test_structure_problems():
    p = FIXTURES / "structure.yaml"
    found = problems_of(p)
    expected = [
        f"{p}:1:10: version: unsupported version 2; expected 1",
        f"{p}:5:11: categories[0].when: a condition has exactly one operator; found 'gt', 'lt' "
        "(combine them with all: or any:)",
        f"{p}:11:12: categories[2].when: 'open' takes no field",
        f"{p}:14:33: categories[3].when: 'all' must be alone in its mapping; found also 'field'",
        f"{p}:17:17: categories[4].when.any: 'any' takes a list of one or more conditions, got an empty list",
        f"{p}:20:24: categories[5].when.older_than: expected a length such as '6 months', '180 days' or '1 year', "
        "got '6 monts'",
        f"{p}:23:23: categories[6].when.case_type: unknown case type '执行' (did you mean '执'?); "
        "known: 执, 执恢, 执保, 执异, 执复, 执监, 执协, 执他, 财保, 行审, 行审复",
        f"{p}:26:5: categories[7]: unknown key 'lable' (did you mean 'label'?)",
        f"{p}:24:5: categories[7]: category 'no_when' has no 'when' condition",
    ]
    assert [x for x in found if x not in expected] == [f"{p}:8:11: categories[1].when: a condition needs an "
                                                       f"operator, one of: {', '.join(rules.OPERATORS)}"]
    assert all(x in found for x in expected)


def test_reference_cycles():
    p = FIXTURES / "cycle.yaml"
    assert sorted(problems_of(p)) == [
        f"{p}:11:11: categories[2].when: reference cycle: c → c",
        f"{p}:5:11: categories[0].when: reference cycle: a → b → a",
    ]


def test_invalid_yaml_and_unknown_ruleset():
    p = FIXTURES / "broken_yaml.yaml"
    [problem] = problems_of(p)
    assert problem.startswith(f"{p}:") and "invalid YAML" in problem
    assert problems_of("defualt") == [
        "no rules file or bundled ruleset 'defualt' (did you mean 'default'?) "
        "(bundled: campaign-2008, county-seven, default, juesheng-2017, sanqingli-2016)"
    ]


def test_a_folder_is_named_as_a_folder_with_the_rules_files_in_it(tmp_path):
    (tmp_path / "b.yaml").write_text("version: 1\n", encoding="utf-8")
    (tmp_path / "a.yml").write_text("version: 1\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert problems_of(tmp_path) == [f"{tmp_path} is a folder, not a rules file; name the file (a.yml, b.yaml)"]
    for name in ("a.yml", "b.yaml"):
        (tmp_path / name).unlink()
    assert problems_of(tmp_path) == [f"{tmp_path} is a folder, not a rules file; name the file"]
    for name in "abcdefg":  # of more than five, the first five and how many more
        (tmp_path / f"{name}.yaml").write_text("version: 1\n", encoding="utf-8")
    assert problems_of(tmp_path) == [f"{tmp_path} is a folder, not a rules file; name the file "
                                     "(a.yaml, b.yaml, c.yaml, d.yaml, e.yaml, … 2 more)"]


def test_text_is_compared_in_one_width_whatever_was_typed():
    """Ledger text is kept as typed; rules compare it NFKC-normalised, keywords too."""
    frame = cases({"respondent": "某市水务集团有限公司（国有）", "notes": "ＡＢＣ  公司"},
                  {"respondent": "某公司(国有)", "notes": "abc"})
    assert mask({"field": "respondent", "contains_any": ["(国有)"]}, frame) == [True, True]
    assert mask({"field": "respondent", "contains_any": ["（国有）"]}, frame) == [True, True]
    assert mask({"field": "notes", "equals": "ABC 公司"}, frame) == [True, False]
    assert mask({"field": "respondent", "matches": r"\(国有\)$"}, frame) == [True, True]
    leaf = compile_condition({"field": "respondent", "contains_any": ["(国有)"]})
    assert leaf.explain(frame.iloc[[0]], EvalContext(AS_OF)).hit == "(国有)"


def test_a_condition_must_be_a_mapping():
    with pytest.raises(RulesError, match="expected a condition"):
        compile_condition("open")


@pytest.mark.parametrize(("text", "where", "hint"), [
    ("version: 1\ncategories:\n  - id: a\n    label: A\n   when: {open: true}\n", "5:4",
     "(check this line's indentation against the lines above it)"),
    ("version: 1\ncategories:\n\t- id: a\n", "3:1", "(a tab: indent with spaces only)"),
    ("version: 1\ncategories: [a, b\nx: 1\n", "3:2", "(a [list] not closed where it begins)"),
    ("version: 1\ndescription: 说明: 有冒号\n", "2:16", "(a second colon on the line? put text with a colon in quotes)"),
    # a key typed with a Chinese input method's colon is text to YAML: the parser stops on the next line
    ("version: 1\ncategories:\n  - id: a\n    label：超期\n    priority: 1\n", "5:5",
     "(line 4: a full-width ： typed for the colon: type : with the input method in 英文/半角)"),
    ("version: 1\ncategories:\n  - id：a\n    label: A\n", "4:10",
     "(line 3: a full-width ： typed for the colon: type : with the input method in 英文/半角)"),
    ("version: 1\ncategories:\n  - id: a\n\u3000\u3000label: A\n    when: {open: true}\n", "5:9",
     "(line 4: full-width spaces (　) typed: indent with ordinary spaces)"),
])
def test_a_yaml_slip_says_what_it_usually_means(tmp_path, text, where, hint):
    """A hand-edited file's usual slips: the parser's words, then what they mean to its editor."""
    p = tmp_path / "slip.yaml"
    p.write_text(text, encoding="utf-8")
    [problem] = problems_of(p)
    assert problem.startswith(f"{p}:{where}: invalid YAML: ") and problem.endswith(hint)


@pytest.mark.parametrize(("text", "problem"), [
    ("  - id: a\n    when: {open: true}\n\u3000\u3000label: A\n",
     "5:1: unknown key '\u3000\u3000label' (full-width spaces (　) typed: indent with ordinary spaces)"),
    ("  - id: a\n    label: A\n    when: {field：cause, contains_any: [借款]}\n",
     "5:12: categories[0].when: unknown operator 'field：cause' (a full-width ： typed for the colon: type : "
     "with the input method in 英文/半角)"),
])
def test_a_full_width_colon_or_space_in_a_key_is_named(tmp_path, text, problem):
    """A key that YAML reads with a full-width character in it is refused saying which one was typed,
    not with a guess at the closest key (label, field)."""
    p = tmp_path / "fw.yaml"
    p.write_text("version: 1\ncategories:\n" + text, encoding="utf-8")
    assert f"{p}:{problem}" in problems_of(p)


def test_unsafe_tag_is_rejected(tmp_path):
    p = tmp_path / "evil.yaml"
    p.write_text("version: 1\ncategories: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    [problem] = problems_of(p)
    assert problem.startswith(f"{p}:2:13: invalid YAML")


def test_alias_bomb_is_refused_quickly(tmp_path):
    """Nine levels of nine aliases would expand to 9**9 values and take half an hour to walk."""
    lines = ["version: 1", 'l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
    p = tmp_path / "bomb.yaml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [problem] = problems_of(p)
    # l0 stands for 10 values, l1 for 1 + 9 * 10 = 91, then 820, 7381, 66430 and l5 (line 7) for 597871
    assert problem == f"{p}:7:5: invalid YAML: too many YAML aliases: the document expands to more than 100,000 values"


@pytest.mark.parametrize("when, line_col, value", [
    ("{field: filed_on, before: 2016-02-30}", "5:37", "2016-02-30"),
    ("{field: filed_on, between: [2016-13-01, 2016-12-31]}", "5:39", "2016-13-01"),
])
def test_an_impossible_date_is_located(tmp_path, when, line_col, value):
    p = tmp_path / "dates.yaml"
    p.write_text(f"version: 1\ncategories:\n  - id: d\n    label: d\n    when: {when}\n", encoding="utf-8")
    assert problems_of(p) == [f"{p}:{line_col}: invalid YAML: '{value}' is not a date"]


def test_conditions_nested_too_deep_are_refused_not_a_crash(tmp_path):
    """500 nested not: would overflow the recursive YAML reader. The root mapping, categories, the
    category and the first {not: are levels 1-4, so the 97th {not: is level 100 and its key, the
    word not, is level 101."""
    p = tmp_path / "deep.yaml"
    when = "{not: " * 500 + "{closed: true}" + "}" * 500
    p.write_text(f"version: 1\ncategories:\n  - id: d\n    label: d\n    when: {when}\n", encoding="utf-8")
    column = len("    when: ") + 96 * len("{not: ") + 2
    assert problems_of(p) == [f"{p}:5:{column}: invalid YAML: nested too deep: more than 100 levels"]


def test_a_long_span_and_an_empty_label_are_located(tmp_path):
    p = tmp_path / "long.yaml"
    p.write_text("version: 1\ncategories:\n"
                 "  - id: old\n    label: 老\n    when: {older_than: 9000 years}\n"
                 "  - id: blank\n    label: \"  \"\n    when: {closed: true}\n"
                 "deadlines:\n  - id: long\n    label: 长\n    duration: 999999999 days\n    action: 办\n",
                 encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_ruleset([p])
    assert err.value.problems == [
        f"{p}:5:24: categories[0].when.older_than: '9000 years' is too long: a length is at most 100 years",
        f"{p}:7:12: categories[1].label: category 'blank' has an empty label",
        f"{p}:12:15: deadlines[0].duration: '999999999 days' is too long: a length is at most 100 years",
    ]


def test_conditions_are_checked_even_when_the_id_is_bad(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("version: 1\ncategories:\n"
                 "  - id: 民生\n    label: a\n    when: {field: amount, gt: lots}\n"
                 "  - id: b\n    label: b\n    when: {closed: true}\n"
                 "  - id: b\n    label: c\n    when: {field: cause, contains_any: [x], equals: y}\n"
                 "  - label: d\n    when: {closed: \"yes\"}\n", encoding="utf-8")
    assert problems_of(p) == [
        f"{p}:3:9: categories[0].id: id must be an ASCII slug (a lower-case letter, then letters, digits, _ or -), "
        "got '民生'",
        f"{p}:5:31: categories[0].when.gt: expected a number, got 'lots'",
        f"{p}:9:9: categories[2].id: duplicate category id 'b'",
        f"{p}:11:11: categories[2].when: a condition has exactly one operator; found 'contains_any', 'equals' "
        "(combine them with all: or any:)",
        f"{p}:12:5: categories[3]: missing 'id'",
        f"{p}:13:20: categories[3].when.closed: expected true or false, got 'yes'",
    ]


def test_compile_condition_collects_problems():
    problems: list[str] = []
    assert compile_condition({"field": "amount", "between": [5, 1]}, problems=problems) is None
    assert problems == ["<condition>:1:1: between: the low bound 5 is above the high bound 1"]


# --------------------------------------------------------------------------- extends, override, drop, merge


def test_extends_override_and_drop():
    r = load_rules([FIXTURES / "child.yaml"])
    assert [(c.id, c.priority) for c in r.categories] == [("dangzheng", 1), ("big", 5), ("minsheng", 30), ("key", 90)]
    assert r.category("dangzheng").label == "涉党政机关"  # kept from the parent
    assert r.category("key").label == "重点"
    assert r.sources == ["rules/sanqingli-2016.yaml", str(FIXTURES / "child.yaml")]
    frame = cases({"respondent": "张三", "amount": 2_000_000.0}, {"respondent": "东平县人民政府", "amount": 1.0})
    out = r.classify(frame, AS_OF)
    assert out["key"].tolist() == [True, True]
    assert out["primary_category"].tolist() == ["big", "dangzheng"]


def test_extends_by_relative_path_and_bad_drop():
    p = FIXTURES / "grandchild.yaml"
    assert problems_of(p) == [f"{p}:3:8: drop[0]: cannot drop unknown category 'minshen' (did you mean 'minsheng'?)"]


def test_several_specs_merge_in_order():
    r = load_rules(["sanqingli-2016", FIXTURES / "child.yaml"])
    assert [c.id for c in r.categories] == ["dangzheng", "big", "minsheng", "key"]
    assert r.name == "sanqingli-2016+child"


def test_default_is_loaded_without_specs():
    assert [c.id for c in load_rules(None).categories] == [c.id for c in load_rules(["default"]).categories]


def test_custom_column_and_deadline_nodes():
    r = load_rules([FIXTURES / "custom_column.yaml"])
    [node] = r.deadline_nodes
    assert node.path == "deadlines" and node.value[0]["id"] == "limit" and node.mark == rules.Mark(3, 3)
    assert r.column_problems(["case_no", "申请执行人类型"]) == []
    assert r.column_problems(["case_no", "filed_on"]) == [
        f"{FIXTURES / 'custom_column.yaml'}:8:11: categories[0].when: category 'bank' reads column '申请执行人类型', "
        "which the ledger lacks; the ledger has: 案号, 立案日期"
    ]
    frame = pd.DataFrame({"申请执行人类型": pd.Series(["银行", "个人", None], dtype="str")})
    assert r.classify(frame, AS_OF)["bank"].tolist() == [True, False, False]


def test_a_field_the_ledger_lacks_reads_as_missing_whatever_its_kind():
    frame = cases({"filed_on": "2016-01-05"}, {"filed_on": "2016-02-05"})
    assert mask({"field": "amount", "gt": 100}, frame) == [False, False]
    assert mask({"not": {"field": "amount", "gt": 100}}, frame) == [True, True]
    assert mask({"field": "extension_months", "is_blank": True}, frame) == [True, True]
    assert mask({"field": "petition", "equals": True}, frame) == [False, False]


def test_fields_read_through_category_references():
    r = load_rules(["sanqingli-2016"])
    assert r.fields_read() == {
        "dangzheng": {"respondent"},
        "xinfang": {"petition", "notes"},
        "minsheng": {"cause", "notes"},
        "key": {"respondent", "petition", "notes", "cause"},
    }


def test_missing_field_warnings_name_the_label_and_what_it_affects():
    r = load_rules(["sanqingli-2016"])
    frame = cases({"case_no": "(2016)鲁0902执1号", "filed_on": "2016-01-05", "closed_on": None, "respondent": "张三",
                   "cause": "民间借贷纠纷", "petition": None})
    assert rules.missing_field_warnings(frame, r.fields_read(), {"legal_limit": {"filed_on", "notes"}}) == {
        "notes": "the ledger has no 备注 column (notes), so every case reads it as blank; this affects categories "
                 "xinfang, minsheng, key and deadlines legal_limit"
    }
    assert rules.missing_field_warnings(frame, {"dangzheng": {"respondent"}}, {}) == {}


def test_a_missing_close_date_is_always_a_warning():
    frame = cases({"filed_on": "2016-01-05"}, {"filed_on": "2016-02-05"})
    assert rules.missing_field_warnings(frame, {}, {}) == {
        "closed_on": "the ledger has no 结案日期 column (closed_on), so every case counts as open; this affects the "
                     "open and closed counts"
    }


def test_a_missing_close_date_names_the_rows_that_say_they_are_closed():
    frame = cases(
        {"filed_on": "2016-01-05", "status": "已结", "close_method": "执行完毕"},
        {"filed_on": "2016-01-06", "status": "终本", "close_method": "终结本次执行程序"},
        {"filed_on": "2016-01-07", "status": "已结", "close_method": None},
        {"filed_on": "2016-01-08", "status": "未结案", "close_method": None},
        {"filed_on": "2016-01-09", "status": "在办", "close_method": None},
    )
    assert list(rules.missing_field_warnings(frame, {"old": {"closed_on", "filed_on"}}, {"limit": {"closed_on"}}
                                             ).values()) == [
        "the ledger has no 结案日期 column (closed_on), so every case counts as open; this affects the open and "
        "closed counts, categories old and deadlines limit. Yet 案件状态 says 已结 or 终本 on 3 cases and 结案方式 "
        "is filled on 2 cases: if the close dates are under another header, add that header to a columns file "
        "(--columns) as an alias of closed_on"
    ]
    only_method = frame.drop(columns="status")
    assert rules.missing_field_warnings(only_method, {}, {})["closed_on"].endswith(
        "the open and closed counts. Yet 结案方式 is filled on 2 cases: if the close dates are under another "
        "header, add that header to a columns file (--columns) as an alias of closed_on")


@pytest.mark.parametrize(("condition", "fields"), [
    ({"field": "officer", "is_blank": True}, {"officer"}),
    ({"field": "officer", "not_blank": False}, {"officer"}),
    ({"field": "officer", "not_blank": True}, set()),
    ({"field": "close_method", "contains_any": ["终本"]}, set()),
    ({"not": {"field": "cause", "contains_any": ["非诉"]}}, {"cause"}),
    ({"not": {"field": "officer", "is_blank": True}}, set()),
    ({"not": {"not": {"field": "amount", "gt": 100}}}, set()),
    ({"any": [{"field": "cause", "contains_any": ["非诉"]}, {"field": "basis_doc", "is_blank": True}]}, {"basis_doc"}),
    ({"all": [{"open": True}, {"field": "filed_on", "older_than": "1 year"}]}, {"closed_on"}),
    ({"column": "申请执行人类型", "is_blank": True}, set()),
])
def test_fields_whose_absence_makes_a_condition_hold(condition, fields):
    assert rules.fields_adding_cases(compile_condition(condition)) == fields


# --------------------------------------------------------------------------- classify, summary, explain


def test_classify_lists_and_primary_category():
    r = load_rules(["sanqingli-2016"])
    frame = cases(
        {"filed_on": "2016-01-05", "closed_on": None, "respondent": "东平县人民政府", "cause": "追索劳动报酬纠纷",
         "petition": True, "notes": None},
        {"filed_on": "2016-02-05", "closed_on": "2016-06-01", "respondent": "张三", "cause": "民间借贷纠纷",
         "petition": False, "notes": None},
        {"filed_on": "2016-03-05", "closed_on": None, "respondent": "李四", "cause": "抚养费纠纷",
         "petition": None, "notes": None},
    )
    out = r.classify(frame, AS_OF)
    assert list(out.columns) == ["dangzheng", "xinfang", "minsheng", "key", "categories", "primary_category"]
    assert out["categories"].tolist() == [["dangzheng", "xinfang", "minsheng", "key"], [], ["minsheng", "key"]]
    assert out["primary_category"].iloc[0] == "dangzheng" and pd.isna(out["primary_category"].iloc[1])
    summary = r.summary(frame, out, AS_OF)
    assert summary.to_dict("records") == [
        {"category": "dangzheng", "label": "涉党政机关", "cases": 1, "open": 1, "closed": 0},
        {"category": "xinfang", "label": "涉信访", "cases": 1, "open": 1, "closed": 0},
        {"category": "minsheng", "label": "涉民生", "cases": 2, "open": 2, "closed": 0},
        {"category": "key", "label": "三类案件", "cases": 2, "open": 2, "closed": 0},
        {"category": "all", "label": "全部案件", "cases": 3, "open": 2, "closed": 1},
    ]


def test_classify_keeps_the_frame_index():
    r = load_rules(["sanqingli-2016"])
    frame = cases({"cause": "抚养费纠纷"}, {"cause": "买卖合同纠纷"}).set_axis([10, 20])
    out = r.classify(frame, AS_OF)
    assert out.index.tolist() == [10, 20] and out["minsheng"].tolist() == [True, False]


def test_explain_shape():
    r = load_rules(["sanqingli-2016"])
    row = cases({"filed_on": "2016-01-05", "respondent": "东平县老湖镇前埠子村村民委员会", "cause": "追索劳动报酬纠纷",
                 "petition": None, "notes": None})
    explained = {e.id: e for e in r.explain(row, AS_OF)}
    assert list(explained) == ["dangzheng", "xinfang", "minsheng", "key"]
    assert explained["dangzheng"].matched is False
    minsheng = explained["minsheng"].to_dict()
    assert minsheng["matched"] is True
    tree = minsheng["condition"]
    assert tree["kind"] == "any" and tree["result"] is True
    cause, *_, notes = tree["children"]
    assert cause["field"] == "cause" and cause["value"] == "追索劳动报酬纠纷" and cause["op"] == "contains_any"
    assert cause["result"] is True and cause["hit"] == "劳动报酬"
    # the notes' hardship words said of the applicant, not of 被执行人: a pattern (tests/test_rules_seeds.py)
    assert {k: v for k, v in notes.items() if k != "param"} == {"kind": "leaf", "result": False, "field": "notes",
                                                                "value": None, "op": "matches", "hit": None}
    assert "(?:特困|低保|五保|残疾|孤寡|生活困难|困难群众|困难家庭|司法救助)" in notes["param"]
    key = explained["key"].to_dict()["condition"]
    assert [c["result"] for c in key["children"]] == [False, False, True]
    assert key["children"][2] == {"kind": "category", "result": True, "category": "minsheng"}
    assert explained["key"].lines()[0] == "✓ 三类案件（key）"
    assert explained["key"].lines()[3] == "    ✗ category: xinfang"


def test_explain_uses_the_masks_it_is_given():
    """With the triage's masks, explain reports them: categories are not evaluated again."""
    r = load_rules(["sanqingli-2016"])
    row = cases({"filed_on": "2016-01-05", "respondent": "张三", "cause": "民间借贷纠纷", "petition": None, "notes": None})
    given = {"dangzheng": True, "xinfang": False, "minsheng": False, "key": True}
    ctx = EvalContext(AS_OF, masks={cid: pd.Series([flag], index=row.index) for cid, flag in given.items()})
    assert {e.id: e.matched for e in r.explain(row, AS_OF, ctx)} == given
    assert {e.id: e.matched for e in r.explain(row, AS_OF)} == dict.fromkeys(given, False)


def test_explain_needs_one_row():
    with pytest.raises(ValueError):
        load_rules(["sanqingli-2016"]).explain(SAMPLE, AS_OF)


# --------------------------------------------------------------------------- bundled categories


def categories_of(ruleset: str, as_of: str = "2017-03-31", **row) -> set[str]:
    out = load_rules([ruleset]).classify(cases(row), pd.Timestamp(as_of))
    return set(out["categories"].iloc[0])


ORGANS = ["泰安市泰山区人民政府", "泰安市泰山区人民政府财源街道办事处", "肥城市公安局", "新泰市公安局交通警察大队",
          "泰安市中级人民法院", "宁阳县人民检察院", "中共东平县委员会", "中国共产党泰安市岱岳区委员会",
          "泰安市人民代表大会常务委员会", "东平县人大常委会", "中国人民政治协商会议泰安市委员会", "中国人民解放军73021部队",
          "泰安市岱岳区人民武装部", "泰安高新技术产业开发区管理委员会", "宁阳县住房和城乡建设局", "肥城市财政局",
          "东平县州城镇人民政府", "岱岳区粥店街道办", "张三、东平县老湖镇人民政府", "泰安市国有资产监督管理委员会"]
NOT_ORGANS = ["泰安市泰山区上高街道东湖社区居民委员会", "东平县老湖镇前埠子村村民委员会", "肥城市仪阳镇北孙村村委会",
              "泰安市法院路商贸有限公司", "泰安市政府采购服务中心", "泰安市公安局印刷厂", "泰安市城市建设投资有限公司",
              "国网山东省电力公司泰安供电公司", "泰安市人民医院", "泰安市检察院家属院物业管理有限公司", "泰安人大酒店",
              "泰安市社区委员会", "张三"]


@pytest.mark.parametrize("name", ORGANS)
def test_party_and_government_organs(name):
    assert "dangzheng" in categories_of("default", respondent=name)


@pytest.mark.parametrize("name", NOT_ORGANS)
def test_not_party_and_government_organs(name):
    assert "dangzheng" not in categories_of("default", respondent=name)


@pytest.mark.parametrize(("name", "special"), [
    ("东平县老湖镇前埠子村村民委员会", True), ("泰安市泰山区上高街道东湖社区居民委员会", True),
    ("泰安市城市建设投资有限公司", True), ("国网山东省电力公司泰安供电公司", True), ("中国石油天然气股份有限公司泰安销售分公司", True),
    ("泰安市泰山区人民政府", False), ("泰安市法院路商贸有限公司", False), ("张三", False),
])
def test_special_subjects(name, special):
    assert ("special_subject" in categories_of("default", respondent=name)) is special
    # campaign-2008's 特殊主体 include 党政机关 (tests/test_rules_seeds.py); default keeps them apart
    in_2008 = special or name == "泰安市泰山区人民政府"
    assert ("special_subject" in categories_of("campaign-2008", respondent=name)) is in_2008


@pytest.mark.parametrize(("cause", "minsheng", "wages", "traffic"), [
    ("追索劳动报酬纠纷", True, True, False),
    ("劳务合同纠纷", False, False, False),
    ("劳动争议", True, True, False),
    ("建设工程施工合同纠纷", False, True, False),
    ("机动车交通事故责任纠纷", True, False, True),
    ("抚养费纠纷", True, False, False),
    ("赡养费纠纷", True, False, False),
    ("扶养纠纷", True, False, False),
    ("工伤保险待遇纠纷", True, False, False),
    ("医疗损害责任纠纷", True, False, False),
    ("民间借贷纠纷", False, False, False),
    ("买卖合同纠纷", False, False, False),
])
def test_causes(cause, minsheng, wages, traffic):
    got = categories_of("default", cause=cause)
    assert ("minsheng" in got, "wages" in got, "traffic" in got) == (minsheng, wages, traffic)
    assert ("key" in got) is (minsheng or wages or traffic)


def test_default_other_categories():
    assert "minsheng" in categories_of("default", cause="民间借贷纠纷", notes="申请人系低保户")
    assert "wages" in categories_of("default", cause="劳务合同纠纷", notes="涉农民工")
    assert "xinfang" in categories_of("default", petition=True)
    assert "xinfang" in categories_of("default", petition=False, notes="申请人多次赴省上访")
    assert "xinfang" not in categories_of("default", petition=False, notes=None)
    # over one year: open and filed more than a year before --as-of
    assert "over_one_year" in categories_of("default", filed_on="2016-03-30", closed_on=None)
    assert "over_one_year" not in categories_of("default", filed_on="2016-03-31", closed_on=None)
    assert "over_one_year" not in categories_of("default", filed_on="2015-03-30", closed_on="2017-03-31")


@pytest.mark.parametrize(("row", "due"), [
    ({"status": "中止", "suspended_on": "2016-12-30", "resumed_on": None}, True),   # more than 3 months
    ({"status": "中止", "suspended_on": "2016-12-31", "resumed_on": None}, False),  # exactly 3 months
    ({"status": "暂缓执行", "suspended_on": None, "resumed_on": None}, True),       # date unknown
    ({"status": "在办", "suspended_on": "2016-06-01", "resumed_on": None}, True),
    ({"status": "在办", "suspended_on": "2016-06-01", "resumed_on": "2016-09-01"}, False),
    ({"status": "终结本次执行程序", "suspended_on": None, "resumed_on": None}, False),
])
def test_resume_due(row, due):
    base = {"filed_on": "2016-01-01", "closed_on": None}
    assert ("resume_due" in categories_of("default", **base, **row)) is due
    assert ("resume_due" in categories_of("county-seven", **base, **row)) is due


def test_campaign_2008():
    assert categories_of("campaign-2008", notes="受当地政府干预") == {"interference", "key"}
    assert categories_of("campaign-2008", reason_open="部门保护主义") == {"interference", "key"}
    assert categories_of("campaign-2008", notes="申请人为五保户") == {"hardship", "key"}
    assert categories_of("campaign-2008", cause="追索劳动报酬纠纷") == {"wages", "key"}
    assert categories_of("campaign-2008", petition=True) == {"repeat_petition", "key"}
    assert categories_of("campaign-2008", cause="生命权、身体权、健康权纠纷") == {"livelihood", "key"}
    assert categories_of("campaign-2008", cause="劳务合同纠纷") == set()
    assert categories_of("campaign-2008", filed_on="2007-12-31") == {"filed_before_2008"}
    assert categories_of("campaign-2008", filed_on="2008-01-01") == set()


def test_county_seven():
    # 超期限一年以上: open and filed more than 18 months (6-month limit + 1 year) before --as-of
    # 2015-09-30 + 18 months = 2017-03-30 < 2017-03-31; 2015-10-01 + 18 months = 2017-04-01
    assert categories_of("county-seven", filed_on="2015-09-30", closed_on=None) == {"over_limit_year", "key"}
    assert categories_of("county-seven", filed_on="2015-10-01", closed_on=None) == set()
    assert "construction_wages" in categories_of("county-seven", cause="追索劳动报酬纠纷", respondent="泰安市某建筑工程有限公司")
    assert "construction_wages" not in categories_of("county-seven", cause="追索劳动报酬纠纷", respondent="张三")
    assert "construction_wages" in categories_of("county-seven", cause="建设工程分包合同纠纷", respondent="张三")
    assert categories_of("county-seven", cause="机动车交通事故责任纠纷") == {"traffic", "key"}
    assert categories_of("county-seven", notes="当事人多次上访") == {"repeated_petition", "key"}
    assert categories_of("county-seven", notes="特困户") == {"hardship", "key"}
    assert categories_of("county-seven", notes="有关部门干预") == {"interference", "key"}


def test_county_seven_counts_a_year_past_the_legal_limit_not_from_filing():
    as_of = "2026-11-23"  # a year before: 2025-11-23; a case due on or before it is in
    on = lambda **row: "over_limit_year" in categories_of("county-seven", as_of, case_type="执", **row)
    # 非诉: 3 months, due 2025-10-01, over a year past although filed only 16 months ago
    assert on(filed_on="2025-07-01", cause="非诉行政执行")
    assert not on(filed_on="2025-07-01", cause="买卖合同纠纷")  # due 2026-01-01
    # filed 20 months ago, 3 months' extension: due 2026-01-01, not a year past
    assert not on(filed_on="2025-04-01", extension_months=3.0)
    assert on(filed_on="2025-04-01")  # due 2025-10-01
    # suspended 2025-05-01 to 2026-03-01 (304 days): due 2025-09-01 + 304 days = 2026-07-02
    assert not on(filed_on="2025-03-01", suspended_on="2025-05-01", resumed_on="2026-03-01")
    assert not on(filed_on="2024-01-01", closed_on="2026-01-01")  # closed
    # due 2025-11-23: a year past it to the day (以上 includes the day itself); due 2025-11-24: not yet
    assert on(filed_on="2025-05-23") and not on(filed_on="2025-05-24")


def test_juesheng_2017():
    r = load_rules(["juesheng-2017"])
    assert "xinfang" not in [c.id for c in r.categories] and "wages" not in [c.id for c in r.categories]
    assert categories_of("juesheng-2017", filed_on="2016-12-30", closed_on=None, case_type="执") == {"over_3_months"}
    assert categories_of("juesheng-2017", filed_on="2016-12-30", closed_on=None, case_type="执恢") == {"over_3_months"}
    assert categories_of("juesheng-2017", filed_on="2016-09-30", closed_on=None, case_type="执") == {
        "over_3_months", "over_6_months"}
    # 终本 materials are for 执行实施 cases: an objection review over 6 months is only reported
    assert categories_of("juesheng-2017", filed_on="2016-09-30", closed_on=None, case_type="执异") == {"over_6_months"}
    assert categories_of("juesheng-2017", filed_on="2016-12-30", closed_on=None, case_type="执保") == set()
    assert categories_of("juesheng-2017", filed_on="2016-12-31", closed_on=None) == set()
    assert categories_of("juesheng-2017", close_method="终结本次执行程序", closed_on="2017-03-01") == {"zhongben"}
    assert categories_of("juesheng-2017", close_method="执行完毕", closed_on="2017-03-01") == set()
    assert categories_of("juesheng-2017", notes="被执行人暴力抗法") == {"resisting", "key"}
    assert categories_of("juesheng-2017", cause="金融借款合同纠纷") == {"finance"}
    assert categories_of("juesheng-2017", notes="被执行人系公职人员") == {"public_servant"}
    assert categories_of("juesheng-2017", respondent="宁阳县人民政府") == {"dangzheng", "key"}
    assert categories_of("juesheng-2017", respondent="某村民委员会") == {"special_subject", "key"}


def test_zhongben_counts_cases_closed_by_zhongben_on_or_before_the_date():
    r = load_rules(["juesheng-2017"])
    frame = cases(
        {"filed_on": "2024-01-10", "closed_on": "2025-03-01", "close_method": "终结本次执行程序"},
        {"filed_on": "2024-02-10", "closed_on": "2025-06-30", "close_method": "终本"},
        {"filed_on": "2024-03-10", "closed_on": "2025-07-01", "close_method": "终结本次执行程序"},
        {"filed_on": "2024-04-10", "closed_on": "2025-03-01", "close_method": "执行完毕"},
        {"filed_on": "2024-05-10", "closed_on": None, "close_method": "终结本次执行程序"},  # no close date: open
        {"filed_on": "2024-06-10", "closed_on": None, "close_method": None},
    )
    for as_of, expected in [("2025-06-30", [True, True, False, False, False, False]),
                            ("2025-12-31", [True, True, True, False, False, False])]:
        out = r.classify(frame, pd.Timestamp(as_of))
        assert out["zhongben"].tolist() == expected, as_of
        row = r.summary(frame, out, pd.Timestamp(as_of)).set_index("category").loc["zhongben"]
        assert (row["cases"], row["open"], row["closed"]) == (sum(expected), 0, sum(expected)), as_of


@pytest.mark.parametrize("bundled", [b.name for b in rules.list_bundled()])
def test_a_close_after_the_date_does_not_change_a_category(bundled):
    """At --as-of a case closed later was open: its close date, method and status (已结, 终本)
    written later must not put it in or out of any category then."""
    open_then = {"filed_on": "2015-01-05", "cause": "追索劳动报酬纠纷", "respondent": "某村民委员会", "notes": "多次上访",
                 "petition": True, "reason_open": "受干预", "suspended_on": "2016-01-05", "resumed_on": None}
    closed_later = [{"closed_on": "2017-04-01", "close_method": method, "status": status}
                    for method, status in [("终结本次执行程序", "终本"), ("执行完毕", "已结"), ("终结执行", "已结")]]
    frame = cases({**open_then, "closed_on": None, "close_method": None, "status": "中止"},
                  *({**open_then, **later} for later in closed_later))
    got = load_rules([bundled]).classify(frame, AS_OF)["categories"].tolist()
    assert got[0] and all(later == got[0] for later in got[1:]), got


def test_sanqingli_ids():
    assert [c.id for c in load_rules(["sanqingli-2016"]).categories][:3] == ["dangzheng", "xinfang", "minsheng"]


def test_every_bundled_category_names_its_source():
    for bundled in rules.list_bundled():
        assert bundled.description, bundled.name
        for cat in bundled.categories:
            assert cat.source and cat.label and re.fullmatch(r"[a-z][a-z0-9_]*", cat.id), (bundled.name, cat.id)


def test_bundled_rules_dir_is_found():
    assert (rules.bundled_rules_dir() / "default.yaml").is_file()


# --------------------------------------------------------------------------- docs


def test_docs_document_every_operator():
    text = DOCS.read_text(encoding="utf-8")
    headings = set(re.findall(r"^### `([a-z_]+)`", text, flags=re.M))
    assert set(rules.OPERATORS) <= headings
    for bundled in rules.list_bundled():
        assert f"`{bundled.name}`" in text
        for cat in bundled.categories:
            assert f"`{cat.id}`" in text


def test_large_frame_smoke():
    """Vectorised evaluation over many rows gives the same answer as over each distinct row."""
    n = 5000
    rng = np.random.default_rng(1)
    frame = SAMPLE.iloc[rng.integers(0, 3, n)].reset_index(drop=True)
    out = load_rules(None).classify(frame, AS_OF)
    single = load_rules(None).classify(SAMPLE, AS_OF)
    for i in range(3):
        rows = out[frame["case_no"] == SAMPLE["case_no"].iloc[i]]
        assert all(lst == single["categories"].iloc[i] for lst in rows["categories"])


# --------------------------------------------------------------------------- fast paths keep the answers


@pytest.mark.parametrize("pattern, required", [
    ("(?:中国共产党|中共)[^、]*?委员会|党委", {"委员会", "党委"}),
    ("(?<![社小])[省市]委(?![托员会])", {"委"}),
    ("(?:财政|教育)局|人民法院", {"局", "人民法院"}),
    ("[ab]c", {"c"}),
    ("[ab]", {"a", "b"}),
    ("a+b?", {"a"}),
    ("a{0,2}b{1}", {"b"}),
    (r"\d+年", {"年"}),
    ("x(?i:abc)", {"x"}),
    ("abc(?=d)", {"abc"}),
    ("(?x) 村民 委员会 | 居委会", {"村民委员会", "居委会"}),
    ("村民委员会|村委会", {"村"}),  # the parser takes out the common 村
])
def test_required_texts(pattern, required):
    assert rules.required_texts(pattern) == required


@pytest.mark.parametrize("pattern", ["a*", "(a|)", "(?i)abc", "[^a]", r"\w+", ".", "(?=a)", "(a)?b*", "[a-c]"])
def test_no_required_texts(pattern):
    assert rules.required_texts(pattern) is None


TRICKY_TEXTS = ["东平县人民政府", "东平县 人民 政府", "东平县人民政府办公室", "某某（国有）公司", "某某(国有)公司",
                "村民委员会", "村民\u200b委员会", "\uff0d", "-", "—", "//", "县委", "社区县委", "市委员会", "x\x00委",
                "\x00", "ab", "AB", "xaby", "局", " 局 ", "公安局印刷厂", "中共泰安市委员会", "ＡＢ", "a\u3000b"]


def _reference(frame: pd.DataFrame, pattern: str) -> list[bool]:
    """Each row's text as rules compare it, searched one by one."""
    texts = rules.normalize_text(frame["respondent"].astype(object))
    return [isinstance(t, str) and re.search(pattern, t) is not None for t in texts]


@pytest.mark.parametrize("pattern", [
    "人民政府$", "委员会|党委", "(?<![社小])[省市县]委(?![托员会])", "(国有)", "村民委员会", "局(?!印刷)", "^-$", "ab",
    "(?i)ab", "a?$", "\x00", "x\x00委", r"\s", "^$", "(?:中共|中国共产党)[^、，]*?委员会",
])
def test_matches_equals_a_search_of_each_normalized_value(pattern):
    frame = cases(*({"respondent": t} for t in [*TRICKY_TEXTS, None, "村民委员会"]))
    assert mask({"field": "respondent", "matches": pattern}, frame) == _reference(frame, pattern)


@pytest.mark.parametrize("words", [["人民政府"], ["(国有)", "局"], ["委员会", "委"], ["-"], ["x\x00委"], ["ab", "AB"]])
def test_contains_any_equals_a_search_of_each_normalized_value(words):
    frame = cases(*({"respondent": t} for t in [*TRICKY_TEXTS, None]))
    pattern = "|".join(map(re.escape, (rules.normalize_value(w) for w in words)))
    assert mask({"field": "respondent", "contains_any": words}, frame) == _reference(frame, pattern)


def test_rule_text_cleans_like_normalize_text():
    from backlog_cli.parsing import BLANK_WORDS

    values = np.array([*TRICKY_TEXTS, *sorted(BLANK_WORDS), " - ", "\uff0f\uff0f", "a  b", "a\tb", "\ufeffa"], dtype=object)
    expected = rules.normalize_text(pd.Series(values, dtype=object)).to_numpy(dtype=object, na_value=None)
    assert rules._rule_text(values).tolist() == expected.tolist()
    assert rules._rule_text(np.array(["ab", 12, 1.5], dtype=object)).tolist() == ["ab", "12", "1.5"]


def test_classify_lists_follow_a_filtered_frame():
    """A frame whose index is not 0..n-1 (cases filed after --as-of left out) gets each row's own lists."""
    r = load_rules(["sanqingli-2016"])
    frame = cases({"cause": "抚养费纠纷", "respondent": "东平县人民政府"}, {"cause": "买卖合同纠纷", "respondent": "张三"},
                  {"cause": "买卖合同纠纷", "respondent": "东平县人民政府"}).set_axis([7, 3, 5])
    out = r.classify(frame, AS_OF)
    assert out["categories"].to_dict() == {7: ["dangzheng", "minsheng", "key"], 3: [], 5: ["dangzheng", "key"]}
    assert out["primary_category"].fillna("").to_dict() == {7: "dangzheng", 3: "", 5: "dangzheng"}


def test_classify_more_than_64_categories():
    """Combinations are packed 64 categories to a key; category i holds for case_seq > i."""
    cats = [rules.Category(f"c{i}", f"c{i}", "", "", i, compile_condition({"field": "case_seq", "gt": i}))
            for i in range(70)]
    frame = pd.DataFrame({"case_seq": pd.array([0, 1, 65, 70, 1], dtype="Float64")})
    out = rules.Ruleset("many", [], "", cats).classify(frame, AS_OF)
    assert out["categories"].tolist() == [[], ["c0"], [f"c{i}" for i in range(65)], [f"c{i}" for i in range(70)], ["c0"]]
    assert out["primary_category"].fillna("").tolist() == ["", "c0", "c0", "c0", "c0"]
    assert out["categories"].iloc[1] is out["categories"].iloc[4]  # one list per combination


def _patterns():
    atom = st.sampled_from(["a", "b", "委", "局", "ab", "[ab]", "[^a]", ".", "\\s", "(?=a)", "(?<!b)", "^", "$"])
    repeat = st.sampled_from(["", "", "*", "+", "?", "{1,2}", "*?"])
    piece = st.tuples(atom, repeat).map("".join)
    seq = st.lists(piece, min_size=1, max_size=4).map("".join)
    group = st.lists(seq, min_size=1, max_size=3).map(lambda alts: f"(?:{'|'.join(alts)})")
    patterns = st.lists(st.one_of(seq, group, st.tuples(group, repeat).map("".join)), min_size=1, max_size=3)
    return patterns.map("".join).filter(_compiles)


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def test_matches_prefilter_never_changes_an_answer():
    texts = st.lists(st.text(alphabet="ab委局 \x00（-", max_size=6), min_size=1, max_size=8)

    @settings(max_examples=300, deadline=None)
    @given(_patterns(), texts)
    def check(pattern, values):
        frame = cases(*({"respondent": v} for v in values))
        try:
            got = mask({"field": "respondent", "matches": pattern}, frame)
        except RulesError as err:  # refused: a pattern found in every text, as it matches an empty one
            assert "matches an empty text" in str(err) and re.search(pattern, "") is not None
            assert all(re.search(pattern, t) is not None for t in ("", "a", "委局 b", "\x00"))
            return
        assert got == _reference(frame, pattern)

    check()


def test_a_folded_description_joins_chinese_lines_without_a_space():
    from backlog_cli.rules import unfolded

    assert unfolded("非诉、 行审，或 行审案号") == "非诉、行审，或行审案号"
    # spaces beside Latin letters, digits and options are the author's
    assert unfolded("在 --as-of 未结，6 个月 (a b)") == "在 --as-of 未结，6 个月 (a b)"
    [legal] = [d for d in load_ruleset(["default"])[1] if d.id == "legal_limit"]
    assert "写明非诉、行审，或行审案号" in legal.description
    assert "按被执行人名称识别机关全称或通行简称（人民政府" in load_rules(["default"]).category("dangzheng").description


# --------------------------------------------------------------------------- drop, extends, reading mistakes

PARENT = """version: 1
categories:
  - id: a
    label: A
    when: {open: true}
  - id: b
    label: B
    when: {closed: true}
  - id: either
    label: E
    when: {any: [{category: a}, {category: b}]}
  - id: both
    label: AB
    when: {all: [{category: a}, {category: b}]}
  - id: only_a
    label: OA
    when: {any: [{category: a}]}
  - id: not_a
    label: NA
    when: {not: {category: a}}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_dropped_category_is_left_out_of_the_inherited_any_lists(tmp_path):
    parent = write(tmp_path, "parent.yaml", PARENT)
    child = write(tmp_path, "child.yaml", "version: 1\nextends: parent.yaml\ndrop: [a]\ncategories:\n"
                                          "  - {id: both, when: {category: b}}\n"
                                          "  - {id: only_a, when: {open: false}}\n"
                                          "  - {id: not_a, when: {open: false}}\n")
    r = load_rules([child])
    assert [c.id for c in r.categories] == ["b", "either", "both", "only_a", "not_a"]
    assert r.category("either").condition.references() == {"b"}
    frame = cases({"filed_on": "2016-01-05", "closed_on": None}, {"filed_on": "2016-01-05", "closed_on": "2017-01-05"})
    assert r.classify(frame, AS_OF)["either"].tolist() == [False, True]
    assert load_rules([parent]).classify(frame, AS_OF)["either"].tolist() == [True, True]


def test_a_dropped_category_named_other_than_in_an_any_list_is_an_error_at_the_drop(tmp_path):
    parent = write(tmp_path, "parent.yaml", PARENT)
    # overriding a category's priority keeps its inherited when, which still names a
    child = write(tmp_path, "child.yaml", "version: 1\nextends: parent.yaml\ndrop: [b, a]\n"
                                          "categories:\n  - {id: both, priority: 1}\n")
    assert problems_of(child) == [
        f"{child}:3:8: drop[0]: category 'both' refers to 'b' at {parent}:14 other than as an item of an any: "
        "list (which would leave it out): override 'both' too",
        f"{child}:3:11: drop[1]: dropping leaves the any: list of category 'either' at {parent}:11 empty: "
        "override 'either' too",
        f"{child}:3:11: drop[1]: category 'both' refers to 'a' at {parent}:14 other than as an item of an any: "
        "list (which would leave it out): override 'both' too",
        f"{child}:3:11: drop[1]: dropping leaves the any: list of category 'only_a' at {parent}:17 empty: "
        "override 'only_a' too",
        f"{child}:3:11: drop[1]: category 'not_a' refers to 'a' at {parent}:20 other than as an item of an any: "
        "list (which would leave it out): override 'not_a' too",
    ]


def test_a_reference_the_author_writes_to_a_dropped_category_is_an_unknown_category(tmp_path):
    write(tmp_path, "parent.yaml", PARENT)
    child = write(tmp_path, "child.yaml", "version: 1\nextends: parent.yaml\ndrop: [a, both, only_a, not_a]\n"
                                          "categories:\n  - {id: c, label: C, when: {category: a}}\n")
    assert problems_of(child) == [f"{child}:5:40: categories[0].when.category: unknown category 'a'"]


def test_drop_of_a_bundled_category_named_by_key(tmp_path):
    """default's key is any of its categories: dropping one leaves it out of key, and key then
    counts the cases of the others only: a 赡养费 case (涉民生 alone) is no longer key, a 劳动报酬 case
    (also 农民工工资) still is."""
    assert "minsheng" in load_rules(["default"]).category("key").condition.references()
    dropped = write(tmp_path, "no_minsheng.yaml", "version: 1\nextends: default\ndrop: [minsheng]\n")
    ruleset = load_rules([dropped])
    assert "minsheng" not in [c.id for c in ruleset.categories]
    assert "minsheng" not in ruleset.category("key").condition.references()
    frame = cases({"case_no": "(2017)鲁0902执1号", "filed_on": "2017-01-05", "closed_on": None,
                   "cause": "赡养费纠纷", "respondent": "张三"},
                  {"case_no": "(2017)鲁0902执2号", "filed_on": "2017-01-05", "closed_on": None,
                   "cause": "追索劳动报酬纠纷", "respondent": "李四"})
    assert load_rules(["default"]).classify(frame, AS_OF)["key"].tolist() == [True, True]
    assert ruleset.classify(frame, AS_OF)["key"].tolist() == [False, True]
    assert problems_of(FIXTURES / "drop_listed_twice.yaml") == [
        f"{FIXTURES / 'drop_listed_twice.yaml'}:3:17: drop[1]: 'traffic' is listed twice"]


def yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)


def test_every_whole_rules_file_in_the_docs_passes_rules_check(tmp_path):
    """The docs' YAML examples that are whole files (those that start with version:) load with
    their deadlines, as `backlog rules check` loads them; the conditions (when:) compile and the
    categories (- id:) load in a file extending default. The deadline reference block holds
    placeholders (...) and is not checked."""
    blocks = yaml_blocks(DOCS.read_text(encoding="utf-8"))
    files = [b for b in blocks if b.startswith("version:")]
    assert len(files) == 2 and all("extends: default" in f and "drop: [traffic]" in f for f in files)
    for i, text in enumerate(files):
        ruleset, _ = load_ruleset([write(tmp_path, f"example{i}.yaml", text)])
        assert "traffic" not in [c.id for c in ruleset.categories]
        assert "traffic" not in ruleset.category("key").condition.references()
    whens = [b for b in blocks if b.startswith("when:")]
    assert len(whens) == 2
    for text in whens:
        compile_condition(yaml.safe_load(text)["when"], [])
    categories = [b for b in blocks if b.startswith("  - id:")]
    assert len(categories) == 2
    for i, text in enumerate(categories):
        load_ruleset([write(tmp_path, f"category{i}.yaml", f"version: 1\nextends: default\ncategories:\n{text}")])
    deadlines = [b for b in blocks if b.startswith("deadlines:")]  # the reference block holds placeholders
    examples = [b for b in deadlines if "..." not in b]
    assert len(deadlines) == 2 and len(examples) == 1
    _, loaded = load_ruleset([write(tmp_path, "deadline.yaml", f"version: 1\nextends: default\n{examples[0]}")])
    assert "old_dangzheng" in [d.id for d in loaded]
    holidays = [b for b in blocks if b.startswith("holidays:")]  # checked against chinesecalendar in test_deadlines
    assert len(holidays) == 1
    assert len(blocks) == len(files) + len(whens) + len(categories) + len(deadlines) + len(holidays)


def test_a_category_with_a_bad_id_still_has_its_label_and_priority_checked(tmp_path):
    p = write(tmp_path, "bad.yaml", "version: 1\ncategories:\n"
                                    "  - id: 民生\n    label: ''\n    priority: x\n    when: {open: true}\n"
                                    "  - id: all\n    when: {open: true}\n"
                                    "  - id: b\n    label: B\n    when: {open: true}\n"
                                    "  - id: b\n    description: 5\n    when: {open: true}\n")
    assert problems_of(p) == [
        f"{p}:3:9: categories[0].id: id must be an ASCII slug (a lower-case letter, then letters, digits, _ or -), "
        "got '民生'",
        f"{p}:4:12: categories[0].label: category '民生' has an empty label",
        f"{p}:5:15: categories[0].priority: priority must be a whole number, got 'x'",
        f"{p}:7:5: categories[1]: category 'all' has no label",
        f"{p}:7:9: categories[1].id: id 'all' is reserved (a column name of the output)",
        f"{p}:12:5: categories[3]: category 'b' has no label",
        f"{p}:12:9: categories[3].id: duplicate category id 'b'",
        f"{p}:13:18: categories[3].description: expected text, got 5",
    ]


def test_an_unknown_operator_and_an_unknown_field_are_both_listed():
    problems: list[str] = []
    compile_condition({"field": "casue", "contains_anyy": ["x"]}, problems=problems)
    assert problems == [
        "<condition>:1:1: unknown operator 'contains_anyy' (did you mean 'contains_any'?)",
        "<condition>:1:1: field: unknown field 'casue' (did you mean 'cause'?); for another ledger column write "
        "column: <header>",
    ]


def test_a_column_naming_a_header_the_ledger_reads_as_a_field_reads_that_field():
    frame = cases({"notes": "农民工工资", "filed_on": "2016-01-05"}, {"notes": "其他", "filed_on": "2017-01-05"})
    for header in ("备注", "notes", "执行标的（元）"):
        leaf = compile_condition({"column": header, "is_blank": False})
        assert leaf.column.canonical
    assert compile_condition({"column": "备注", "contains_any": ["农民工"]}).mask(frame, EvalContext(AS_OF)).tolist() \
        == [True, False]
    assert compile_condition({"column": "立案日期", "before": "2016-06-01"}).fields() == {"filed_on"}
    problems: list[str] = []
    compile_condition({"column": "立案日期", "contains_any": ["x"]}, problems=problems)
    compile_condition({"field": "案由", "contains_any": ["x"]}, problems=problems)
    compile_condition({"field": "amount", "contains_any": ["x"]}, problems=problems)
    compile_condition({"field": "cause", "before": "2026-01-01"}, problems=problems)  # the bundled rules read it as text
    compile_condition({"field": "court", "before": "2026-01-01"}, problems=problems)
    assert problems == [
        "<condition>:1:1: 'contains_any' does not apply to column '立案日期' (read as the field filed_on, a date "
        "field); it applies to: case_no, text",
        "<condition>:1:1: field: unknown field '案由': 案由 is a ledger header, read as the field cause: write "
        "field: cause",
        "<condition>:1:1: 'contains_any' does not apply to field 'amount' (an amount field); it applies to: case_no, text",
        "<condition>:1:1: 'before' does not apply to field 'cause' (a text field); it applies to: date",
        "<condition>:1:1: 'before' does not apply to field 'court' (a text field; a columns file (--columns) may give "
        "it another: court: {kind: date}); it applies to: date",
    ]


def test_a_missing_column_lists_the_ledgers_headers():
    condition = compile_condition({"column": "附加説明", "contains_any": ["x"]})
    columns = ["case_no", "case_year", "case_type", "filed_on", "amount", "附加说明", "source_file", "source_row"]
    assert rules.missing_columns(condition, "category 'x'", columns) == [
        "<condition>:1:1: category 'x' reads column '附加説明', which the ledger lacks (did you mean '附加说明'?); "
        "the ledger has: 案号, 立案日期, 执行标的（元）, 附加说明"]


def test_an_extends_cycle_is_located_and_names_the_files_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "one.yaml", "version: 1\nextends: two.yaml\ncategories: []\n")
    write(tmp_path, "two.yaml", "version: 1\ncategories: []\nextends: one.yaml\n")
    write(tmp_path, "self.yaml", "version: 1\nextends: [default, self.yaml]\n")
    assert problems_of("one.yaml") == ["two.yaml:3:10: extends: the files extend one another in a cycle: "
                                       "one.yaml → two.yaml → one.yaml"]
    assert problems_of("self.yaml") == ["self.yaml:2:20: extends[1]: the files extend one another in a cycle: "
                                        "self.yaml → self.yaml"]


def test_extends_takes_a_list_read_in_order(tmp_path):
    write(tmp_path, "big.yaml", "version: 1\ncategories:\n  - {id: big, label: 大额, when: {field: amount, gte: 1000000}}\n")
    both = write(tmp_path, "both.yaml", "version: 1\nextends: [sanqingli-2016, big.yaml]\ndrop: [xinfang]\n")
    r = load_rules([both])
    # big is the fourth category read: priority 40, before key's 90
    assert [c.id for c in r.categories] == ["dangzheng", "minsheng", "big", "key"]
    assert r.sources == ["rules/sanqingli-2016.yaml", str(tmp_path / "big.yaml"), str(both)]
    empty = write(tmp_path, "empty.yaml", "version: 1\nextends: []\n")
    assert problems_of(empty) == [f"{empty}:2:10: extends: expected a bundled ruleset name or a path, or a list of "
                                  "them, got an empty list"]


def test_an_explicit_key_overrides_a_merged_one(tmp_path):
    p = write(tmp_path, "merge.yaml", "version: 1\ncategories:\n"
                                      "  - &base {id: a, label: A, when: {open: true}}\n"
                                      "  - <<: *base\n    id: b\n    label: B\n"
                                      "  - <<: [{label: C1, when: {closed: true}}, *base]\n    id: c\n"
                                      "  - <<: *base\n    label: D\n    id: d\n    id: e\n")
    assert problems_of(p) == [f"{p}:12:5: categories[3]: 'id' is set twice (also on line 11): keep one"]
    p.write_text(p.read_text(encoding="utf-8").replace("    id: e\n", ""), encoding="utf-8")
    r = load_rules([p])
    assert [(c.id, c.label) for c in r.categories] == [("a", "A"), ("b", "B"), ("c", "C1"), ("d", "D")]
    assert r.category("b").condition.leaves().__next__().op == "open"  # merged from *base
    assert r.category("c").condition.leaves().__next__().op == "closed"  # the first merged mapping wins


def test_merge_keys_follow_the_yaml_merge_type_whatever_pyyaml_is_installed():
    """The earliest mapping of a <<: list wins, for keys of any length (PyYAML 6.0.4 let the last
    win for keys of two characters or more), a merged mapping's own merges first, own keys last;
    a merge of something else than mappings is a YAML error located at it."""
    from backlog_cli.config import load_yaml

    got = load_yaml("a: &a {label: A, kk: 1, x: 1}\nb: &b {label: B, kk: 2, yy: 2}\nc: &c {<<: *b, label: C, zz: 3}\n"
                    "r: {<<: [*a, *b, *c], x: 9}\ns: {<<: [*c, *a]}\n")
    assert got["r"] == {"label": "A", "kk": 1, "x": 9, "yy": 2, "zz": 3}
    assert got["s"] == {"label": "C", "kk": 2, "yy": 2, "zz": 3, "x": 1}  # c's own label over the b it merges
    with pytest.raises(yaml.YAMLError, match="expected a mapping for merging, but found scalar"):
        load_yaml("a: &a {k: 1}\nr: {<<: [*a, 5]}\n")
    with pytest.raises(yaml.YAMLError, match="expected a mapping or list of mappings for merging"):
        load_yaml("r: {<<: 5}\n")


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_drawn_merges_give_what_the_merge_type_says(data):
    """Anchored mappings, each merging some earlier ones (one alias or a list, before or after its
    own keys): the earliest merged mapping wins a key, the mapping's own keys win over all."""
    from backlog_cli.config import load_yaml

    keys = st.lists(st.sampled_from(["a", "bb", "ccc", "label", "when", "1"]), unique=True, max_size=4)
    lines, want = [], {}
    for i in range(data.draw(st.integers(1, 5))):
        own = {k: f"v{i}{k}" for k in data.draw(keys)}
        merges = data.draw(st.lists(st.sampled_from(sorted(want)), unique=True, max_size=3)) if want else []
        expected: dict = {}
        for name in reversed(merges):  # the later ones first: an earlier one overrides them
            expected.update(want[name])
        want[f"m{i}"] = {**expected, **own}
        parts = [f"'{k}': {v}" for k, v in own.items()]
        if merges:
            merge = f"<<: *{merges[0]}" if len(merges) == 1 and data.draw(st.booleans()) else \
                f"<<: [{', '.join('*' + m for m in merges)}]"
            parts.insert(data.draw(st.integers(0, len(parts))), merge)
        lines.append(f"m{i}: &m{i} {{{', '.join(parts)}}}")
    assert load_yaml("\n".join(lines)) == want


@pytest.mark.parametrize(("when", "col", "message"), [
    ("{older_than: -1 month}", 24, "older_than: older_than must not be negative, got -1 month"),
    ("{field: suspended_on, newer_than: -3 days}", 45, "newer_than: newer_than must not be negative, got -3 days"),
    ("{field: amount, gt: .nan}", 31, "gt: expected a finite number, got .nan"),
    ("{field: amount, between: [0, .inf]}", 36, "between: expected a finite number, got .inf"),
    ("{field: amount, equals: -.inf}", 35, "equals: expected a finite number, got -.inf"),
    ("{field: case_type, in: [执, 执X]}", 34, "in: unknown case type '执X' (did you mean '执'?); known: 执, 执恢, 执保, "
                                           "执异, 执复, 执监, 执协, 执他, 财保, 行审, 行审复"),
    ("{field: case_type, not_in: [执恢]}", 0, ""),
    ("{overdue_for: 1 year}", 12, "overdue_for goes with deadline: ({deadline: legal_limit, overdue_for: 1 year})"),
])
def test_values_that_cannot_be_meant_are_refused(tmp_path, when, col, message):
    p = write(tmp_path, "v.yaml", f"version: 1\ncategories:\n  - id: a\n    label: A\n    when: {when}\n")
    if not message:
        assert load_rules([p]).categories[0].id == "a"
        return
    path = "" if message.startswith("overdue_for") else "." + message.split(":")[0]
    text = message if not path else message.split(": ", 1)[1]
    assert problems_of(p) == [f"{p}:5:{col}: categories[0].when{path}: {text}"]


def test_a_binary_rules_file_gets_a_plain_message(tmp_path):
    p = tmp_path / "x.yaml"
    p.write_bytes(b"version: 1\ncat\x00egories: []\n")
    assert problems_of(p) == [f"{p}:2:4: not a text file: it holds the character #x0000, which YAML text may not "
                              "(a rules file is UTF-8 text, not a binary file)"]


def test_an_id_that_is_not_text_says_what_it_is(tmp_path):
    path = write(tmp_path, "ids.yaml", "version: 1\ncategories:\n  - id: [x]\n    label: a\n    when: {closed: true}\n"
                                       "  - id:\n    label: b\n    when: {closed: true}\n"
                                       "deadlines:\n  - {id: 7, label: c, duration: 1 month}\n")
    slug = "id must be an ASCII slug (a lower-case letter, then letters, digits, _ or -)"
    with pytest.raises(RulesError) as err:
        load_ruleset([path])
    assert err.value.problems == [f"{path}:3:9: categories[0].id: {slug}, got a list",
                                  f"{path}:6:8: categories[1].id: {slug}, got nothing",
                                  f"{path}:10:10: deadlines[0].id: {slug}, got 7"]


def test_a_range_of_the_wrong_length_says_how_many_bounds_it_has(tmp_path):
    path = write(tmp_path, "between.yaml", "version: 1\ncategories:\n"
                                           "  - {id: a, label: a, when: {field: amount, between: [1, 5, 9]}}\n"
                                           "  - {id: b, label: b, when: {field: amount, between: [100000]}}\n"
                                           "  - {id: c, label: c, when: {field: amount, between: []}}\n")
    expected = "between: expected a list of two bounds [low, high], got"
    assert problems_of(path) == [f"{path}:3:54: categories[0].when.{expected} a list of 3 items",
                                 f"{path}:4:54: categories[1].when.{expected} a list of 1 item",
                                 f"{path}:5:54: categories[2].when.{expected} an empty list"]


def test_labels_are_unique_and_not_the_workbooks_own_sheets(tmp_path):
    """A label names a category's sheet and its row in 底数: two categories labelled alike, or one
    labelled 全部案件 or 底数, would make two rows of one name and a sheet '全部案件 (2)'."""
    path = tmp_path / "r.yaml"
    path.write_text("version: 1\ncategories:\n"
                    "  - {id: a, label: 涉民生, when: {field: cause, equals: x}}\n"
                    "  - {id: b, label: ' 涉民生 ', when: {field: cause, equals: y}}\n"
                    "  - {id: c, label: 全部案件, when: {field: cause, equals: z}}\n"
                    "  - {id: d, label: 底数, when: {field: cause, equals: w}}\n"
                    "  - {id: e, label: 涉党政, when: {field: cause, equals: v}}\n", encoding="utf-8")
    assert problems_of(path) == [
        f"{path}:4:20: categories[1].label: label '涉民生' is also the label of category 'a': each category needs "
        "its own (it names the category's sheet and row)",
        f"{path}:5:20: categories[2].label: label '全部案件' is reserved (the workbook's sheet and row of that name)",
        f"{path}:6:20: categories[3].label: label '底数' is reserved (the workbook's sheet and row of that name)",
    ]


def test_category_lists_share_one_list_per_combination():
    """Lists of one length (each case in one category) stay lists, not a 2-D array; rows without
    any flag get an empty list; rows of one combination share its list."""
    from backlog_cli.rules import category_lists

    flags = pd.DataFrame({"a": [True, False, True, False], "b": [False, True, False, False]}, index=[5, 6, 7, 8])
    lists = category_lists(flags)
    assert lists.tolist() == [["a"], ["b"], ["a"], []] and lists.index.tolist() == [5, 6, 7, 8]
    assert lists[5] is lists[7]
    assert category_lists(pd.DataFrame(index=range(2))).tolist() == [[], []]


@pytest.mark.parametrize("count", [1, 9, 64, 70])
def test_category_lists_tell_every_combination_apart(count):
    """Rows share a list exactly when they hold the same flags, however many categories (keys of
    64 flags, eight to a byte, the last byte or key part filled)."""
    from backlog_cli.rules import category_lists

    rng = np.random.default_rng(count)
    rows = rng.random((400, count)) < 0.3
    rows[200:] = rows[rng.integers(0, 200, 200)]  # repeated combinations
    flags = pd.DataFrame(rows, columns=[f"c{i}" for i in range(count)])
    lists = category_lists(flags)
    assert lists.tolist() == [[f"c{i}" for i in np.flatnonzero(r)] for r in rows]
    firsts = {}
    for i, r in enumerate(map(bytes, rows)):
        assert lists[i] is lists[firsts.setdefault(r, i)]
