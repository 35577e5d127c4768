"""One case frame with everything the commands report: categories and deadline states.

classify, overdue, assign, the nightly run and the monthly report all start from ``triage()``, so a
number printed by one command is computed the same way as in every other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from backlog_cli.deadlines import Deadline, evaluate
from backlog_cli.rules import Ruleset, open_mask


@dataclass
class Triage:
    cases: pd.DataFrame  # the ledger's cases + categories, primary_category + deadline columns
    flags: pd.DataFrame  # one boolean column per category id, aligned to cases
    summary: pd.DataFrame  # the 底数: per category cases, open, closed at as_of; then all cases
    as_of: pd.Timestamp
    ruleset: Ruleset
    warnings: list[str] = field(default_factory=list)

    def is_open(self) -> pd.Series:
        return pd.Series(open_mask(self.cases, self.as_of), index=self.cases.index)

    def key_cases(self) -> pd.Series:
        return key_mask(self.flags)

    def in_category(self, category_id: str) -> pd.Series:
        """Cases of one category; an unknown id is a clear error naming the known ones."""
        self.ruleset.category(category_id)
        return self.flags[category_id]


KEY_ID = "key"


def key_mask(flags: pd.DataFrame) -> pd.Series:
    """Key cases (重点案件): the category ``key`` when the ruleset has one, else any category."""
    flags = flags.fillna(False).astype(bool)
    return flags[KEY_ID] if KEY_ID in flags else flags.any(axis=1)


def triage(cases: pd.DataFrame, ruleset: Ruleset, as_of: pd.Timestamp, deadlines: Sequence[Deadline] = ()) -> Triage:
    """Categories, then each deadline's due date and state, evaluated once over the whole frame.

    ``deadlines`` come from :func:`deadlines.load_deadlines`, called before the (slow) ledger load
    so that a bad rules file fails first."""
    warnings = ruleset.check_fields(list(cases.columns))
    later = cases["filed_on"].gt(as_of)
    if later.any():
        warnings.append(f"{int(later.sum())} cases filed after {as_of.date()} are left out: they did not exist yet")
        cases = cases[~later]
    ctx = ruleset.evaluate(cases, as_of)
    result = ruleset.classify(cases, as_of, ctx)
    flags = result[[c.id for c in ruleset.categories]]
    annotated = cases.assign(categories=result["categories"], primary_category=result["primary_category"])
    if deadlines:
        annotated = annotated.join(evaluate(cases, list(deadlines), as_of, ctx))
    summary = ruleset.summary(cases, result, as_of)
    return Triage(annotated, flags, summary, as_of, ruleset, warnings)
