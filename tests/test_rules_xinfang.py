"""涉信访 in every bundled ruleset that has it (and the copies of its notes pattern): a denial written
after the word, as a ledger's 项目：值 says it (信访情况：无), is no petition; a value that names one is."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest

from backlog_cli import rules
from backlog_cli.loading import load_ledger
from backlog_cli.rules import load_rules

AS_OF = pd.Timestamp("2026-10-31")
PETITION = {"sanqingli-2016": "xinfang", "default": "xinfang", "county-seven": "repeated_petition",
            "campaign-2008": "repeat_petition"}
# Each note with whether it is a petition case (the ledger's petition flag unknown).
NOTES = [
    ("信访情况：无", False),
    ("是否涉信访：否", False),
    ("信访：没有", False),
    ("信访情况: 无。", False),
    ("涉访：无", False),
    ("信访情况：暂无", False),
    ("是否进京赴省信访：否", False),  # every word of the run is denied, not only the last
    ("信访、上访情况：无", False),
    ("信访情况：无信访", False),
    ("已纳入失信名单；信访情况：无", False),
    ("信访情况：无；已终本", False),
    ("信访情况：多次到市里上访", True),
    ("有信访", True),
    ("信访情况：有", True),
    ("重复信访", True),
    ("信访件", True),
    ("是否涉信访：是", True),
    ("信访情况：无果", True),  # 无 not at the clause's end: no denial
    ("上访无果", True),  # no colon: the petition came to nothing, it was made
    ("信访情况：无，但今年多次上访", True),  # the next clause names one
    ("信访情况：未息诉", True),
    ("有无信访：有", True),  # 有无 asks the question: its 无 denies nothing
    ("有无上访情况：有", True),
    ("有无信访：无", False),
    ("有无信访:否", False),
    ("该案不涉信访", False),  # 不涉, as 不涉及
    ("信访情况 无", False),  # a space for the colon
    ("信访情况为无", False),
    ("信访情况：无（已核实）", False),  # a bracket ends the clause
    ("信访情况：有（已化解）", True),
    ("信访无果", True),
    ("重复信访没有解决", True),
]


@cache
def bundled(name: str) -> rules.Ruleset:
    return load_rules([name])


def mask(ruleset: str, frame: pd.DataFrame) -> list[bool]:
    """Per row, whether the ruleset's petition category holds the case."""
    category = PETITION[ruleset]
    return [category in found for found in bundled(ruleset).classify(frame, AS_OF)["categories"]]


@pytest.mark.parametrize("ruleset", PETITION)
def test_a_denial_after_the_word_is_no_petition_and_a_named_one_is(ruleset):
    frame = pd.DataFrame({"notes": pd.Series([note for note, _ in NOTES], dtype="str")})
    assert dict(zip(frame["notes"], mask(ruleset, frame))) == dict(NOTES)


@pytest.mark.parametrize("ruleset", PETITION)
def test_the_flag_still_counts_whatever_the_note_says(ruleset):
    frame = pd.DataFrame({
        "notes": pd.Series(["信访情况：无", "信访情况：无", "信访情况：有", None], dtype="str"),
        "petition": pd.array([True, False, False, True], dtype="boolean"),
    })
    assert mask(ruleset, frame) == [True, False, True, True]


@pytest.mark.parametrize("ruleset", PETITION)
def test_a_small_csv_classified_as_read(ruleset, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("案号,立案日期,承办人,是否涉信访,备注\n"
                    "(2026)鲁0902执1号,2026-03-01,张三,,信访情况：无\n"
                    "(2026)鲁0902执2号,2026-03-02,张三,,是否涉信访：否\n"
                    "(2026)鲁0902执3号,2026-03-03,李四,,信访情况：多次到市里上访\n"
                    "(2026)鲁0902执4号,2026-03-04,李四,是,信访：没有\n"
                    "(2026)鲁0902执5号,2026-03-05,王五,否,信访情况：有\n", encoding="utf-8")
    cases = load_ledger([path]).cases
    assert mask(ruleset, cases) == [False, False, True, True, True]
