"""One case frame with everything the commands report: categories and deadline states.

classify, overdue, assign, explain, the nightly run and the monthly report all start from
``triage()``, so a number printed by one command is computed the same way as in every other.

The triage workbook (``backlog classify -o FILE.xlsx`` and the nightly ``triage.xlsx``) is built
here once: the 底数 sheet (per category: cases, open and closed at the date), then every case, then
one sheet per category holding all its cases, open and closed, so each sheet's row count is the
底数's ``cases`` and its open rows (no close date on or before the date) are the ``open`` count.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backlog_cli.assignment import check_group, group_name, in_group
from backlog_cli.deadlines import Deadline, Listing, column_problems, evaluate, fields_read, overdue_cases
from backlog_cli.deadlines import columns_read as deadline_columns
from backlog_cli.deadlines import explain as explain_deadlines
from backlog_cli.errors import BacklogError, OptionError, RulesError, some_of
from backlog_cli.loading import FILED_AFTER_TODAY, REJECT_COLUMNS, Ledger, SheetReport, file_names
from backlog_cli.outputs import FLAG_TEXT, Labels, Output, Sheet, case_count_title, state_styles
from backlog_cli.parsing import CASE_PARTS, case_ids, parse_case_numbers, per_distinct, same_case, short_case_number
from backlog_cli.rules import (SUMMARY_LABEL, TOTAL_LABEL, CategoryExplanation, ColumnRef, Ruleset, canonical_fields,
                               labels_by_id, missing_field_warnings, open_mask)

KEY_ID = "key"
OVERDUE_SHEET = "超期案件"  # cases past a deadline
COMING_DUE_SHEET = "即将到期案件"
LONG_OPEN_SHEET = "长期未结案件"  # open cases listed by age (--months, --days)
# A case in short: the classify table and the category sheets of the triage workbook.
CASE_COLUMNS = ["case_no", "filed_on", "officer", "respondent", "cause", "amount", "closed_on", "categories",
                "next_label", "next_due", "next_days_left", "next_state"]
# Headers of the per-deadline columns (after the deadline's own label) and of the overdue listing.
DEADLINE_COLUMN_LABELS = {"due": "届满日", "days_left": "剩余天数", "state": "状态"}
LISTING_LABELS = {"deadline": "期限编号", "deadline_label": "期限", "due": "期限·届满日", "days_left": "期限·剩余天数",
                  "state": "期限·状态", "action": "期限·应办事项"}
# How tables and xlsx show the deadline states (docs/rules.md); CSV and JSON keep the codes.
STATE_LABELS = {"overdue": "已超期", "due_soon": "即将到期", "suspended": "中止中", "ok": "未到期", "met": "按期完成",
                "met_late": "超期完成", "n/a": "不适用"}
# The columns holding a category id, or a list of them.
CATEGORY_COLUMNS = ("categories", "primary_category")
# The overdue list's case columns (then the deadline columns of the listing).
OVERDUE_COLUMNS = ["case_no", "filed_on", "age_days", "officer", "categories", "cause", "respondent"]
# Above the values of the case's row that were kept as blank.
KEPT_AS_BLANK = "以下值有问题，已按空白计，下面的类别、期限和状态均按空白计算："
# Above the other rows of the case that the load rejected (a duplicate, most often), with where and why.
OTHER_ROWS = "同一案件另有 {n} 行被拒收，上面的值均取自本行："
EXPLAIN_FIELDS = ("filed_on", "officer", "applicant", "respondent", "cause", "amount", "closed_on", "close_method",
                  "petition")


@dataclass
class Triage:
    cases: pd.DataFrame  # the ledger's cases + categories, primary_category + deadline columns
    flags: pd.DataFrame  # one boolean column per category id, aligned to cases
    summary: pd.DataFrame  # the 底数: per category cases, open, closed at as_of; then all cases
    as_of: pd.Timestamp
    ruleset: Ruleset
    warnings: list[str] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    # What is worth saying but asks nothing of anyone (the cases filed after --as-of, left out when
    # a past day is reproduced); warnings make the nightly run exit 1, notes do not.
    notes: list[str] = field(default_factory=list)
    # The rows left out as no case yet: filed after today, a typing slip (2062 for 2026), as rejects
    # (REJECT_COLUMNS) for the ledger's (Ledger.reject), listed with the others.
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECT_COLUMNS))
    # The fields the settings' absent_columns name: the ledger does not keep them (said in notes).
    absent: frozenset[str] = frozenset()
    # How messages name each file read (Ledger.file_names: by its folder too when two share a name).
    files: Mapping[str, str] = field(default_factory=dict)

    def is_open(self) -> pd.Series:
        return pd.Series(open_mask(self.cases, self.as_of), index=self.cases.index)

    def key_cases(self) -> pd.Series:
        return key_mask(self.flags)

    def in_category(self, name: str) -> pd.Series:
        """Cases of one category (by id or label); an unknown one is a clear error naming the known ones."""
        return self.flags[check_category(self.ruleset, name)]


def display_labels(labels: Mapping[str, str], deadlines: Sequence[Deadline], ruleset: Ruleset | None = None) -> Labels:
    """Table and xlsx headers: the ledger's ``labels``, the listing columns and each deadline's
    columns named by the deadline's label (``legal_limit_due`` → 法定执行期限·届满日); and their
    cells: deadline states in words (:data:`STATE_LABELS`), category ids by the ``ruleset``'s
    labels (:func:`with_categories`). CSV and JSON keep the field names and codes."""
    per_deadline = {f"{d.id}_{part}": f"{d.label}·{text}" for d in deadlines
                    for part, text in DEADLINE_COLUMN_LABELS.items()}
    states = ["next_state", "state", *(f"{d.id}_state" for d in deadlines)]
    shown = Labels({**LISTING_LABELS, **labels, **per_deadline}, {name: STATE_LABELS for name in states})
    return with_categories(shown, ruleset) if ruleset is not None else shown


def triage_labels(ledger: Ledger, result: Triage) -> Labels:
    """How a ledger's triage is shown (classify, overdue, assign and the nightly run's files): the
    :func:`display_labels` of the ledger's columns (a columns file's headers included), the
    triage's deadlines and its ruleset's categories."""
    return display_labels(ledger.columns.labels(), result.deadlines, result.ruleset)


def with_categories(labels: Mapping[str, str], ruleset: Ruleset) -> Labels:
    """``labels`` with the category columns' ids shown by the ruleset's labels (涉民生 for minsheng)."""
    names = labels_by_id(ruleset.categories)
    values = dict(labels.value_labels) if isinstance(labels, Labels) else {}
    return Labels(labels, {**values, **{name: names for name in CATEGORY_COLUMNS}})


def key_mask(flags: pd.DataFrame) -> pd.Series:
    """Key cases (重点案件): the category ``key`` when the ruleset has one, else any category."""
    flags = flags.fillna(False).astype(bool)
    return flags[KEY_ID] if KEY_ID in flags else flags.any(axis=1)


def check_category(ruleset: Ruleset, name: str) -> str:
    """The id of the category an option names (by id or label); naming none of the ruleset's is a
    OptionError with a suggestion and the categories it has."""
    try:
        return ruleset.category(name).id
    except RulesError as exc:
        known = ", ".join(f"{c.id}（{c.label}）" for c in ruleset.categories)
        raise OptionError(f"--category: {exc.problems[0]}; its categories: {known}") from None


def field_warnings(cases: pd.DataFrame, ruleset: Ruleset, deadlines: Sequence[Deadline] = (),
                   unknown: Sequence[str] = ()) -> dict[str, str]:
    """Per ledger field the rules read that ``cases`` lacks, a warning naming the categories and
    deadlines it affects (the close date always: without it every case counts as open), and the
    ``unknown`` headers (not recognised) that look like it. A ``column:`` the ledger lacks is a
    RulesError listing the ledger's columns."""
    columns = list(cases.columns)
    problems = ruleset.column_problems(columns) + column_problems(deadlines, columns)
    if problems:
        raise RulesError(problems)
    by_deadline = fields_read(deadlines)
    return missing_field_warnings(cases, ruleset.fields_read(by_deadline), by_deadline, unknown)


def _file_name(files: Mapping[str, str], path: str) -> str:
    """How messages name the ledger file ``path``: as ``files`` (:meth:`Ledger.file_names`) names
    it, else by its name."""
    return files.get(path) or Path(path).name


def _some_cases(rows: pd.DataFrame, files: Mapping[str, str], shown: int = 5, date: str = "filed_on") -> str:
    """The first ``shown`` of ``rows`` with their filing (or close) dates and where they are (each
    file named as ``files`` names it), and how many more."""
    verb = {"closed_on": "closed", "suspended_on": "suspended"}.get(date, "filed")
    named = [f"{r.case_no} {verb} {getattr(r, date).date()} at {_file_name(files, r.source_file)} "
             f"[{r.source_sheet}] row {r.source_row}" for r in rows.head(shown).itertuples()]
    return some_of(named, shown, total=len(rows), sep="; ")


def _latest(rows: pd.DataFrame, files: Mapping[str, str], date: str = "filed_on") -> str:
    """Up to five of ``rows``, the latest first; of more, the latest alone (a date typed wrong,
    2062 for 2026, comes first)."""
    latest = rows.sort_values(date, ascending=False, kind="stable")
    return f"{'the latest: ' if len(rows) > 5 else ''}{_some_cases(latest, files, 1 if len(rows) > 5 else 5, date)}"


def _filed_later(later: pd.DataFrame, as_of: pd.Timestamp, files: Mapping[str, str]) -> str:
    """The note for cases filed after --as-of (and not after today): left out of a past day."""
    many = len(later) != 1
    return (f"{len(later)} case{'s' if many else ''} filed after {as_of.date()} {'are' if many else 'is'} left out: "
            f"{'they' if many else 'it'} did not exist yet; {_latest(later, files)}")


def filed_after_today(cases: pd.DataFrame, today: pd.Timestamp | None = None) -> pd.DataFrame:
    """The rejects (:data:`REJECT_COLUMNS`) of the ``cases`` filed after ``today`` (default: the
    day it runs), a typing slip (2062 typed for 2026): left out on any --as-of until corrected, and
    listed with the rows the load rejected (:func:`reject_filed_after_today`). :func:`triage` tells
    them (``Triage.rejects``)."""
    today = pd.Timestamp(dt.date.today()) if today is None else today
    cases = cases[cases["filed_on"].gt(today)]
    if cases.empty:
        return pd.DataFrame(columns=REJECT_COLUMNS)
    where = cases.reindex(columns=["source_file", "source_sheet", "source_row"])
    return pd.DataFrame({
        "file": where["source_file"].to_numpy(), "sheet": where["source_sheet"].to_numpy(),
        "row": where["source_row"].to_numpy(), "case_no": cases["case_no"].to_numpy(),
        "reason": (f"{FILED_AFTER_TODAY}：“" + cases["filed_on"].dt.strftime("%Y-%m-%d") + "”（是否录入有误？）").to_numpy(),
    }, columns=REJECT_COLUMNS)


def reject_filed_after_today(ledger: Ledger, today: pd.Timestamp | None = None,
                             rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """The one place a ledger's cases filed after ``today`` (default: the day it runs) become
    rejected rows: moved to its rejects (:meth:`Ledger.reject`), so that they are listed with the
    rows the load rejected and cases, skipped and rejected rows still add up to the rows read.
    Every command that reads a ledger calls it once the ledger is read, those that evaluate no
    cases (``inspect``, ``rank``) too, so every command counts the same cases; returns the rows
    rejected (:data:`REJECT_COLUMNS`); ``rows``: those rows when the triage has told them already
    (``Triage.rejects``)."""
    rows = filed_after_today(ledger.cases, today) if rows is None else rows
    ledger.reject(rows)
    return rows


def triage_ledger(ledger: Ledger, ruleset: Ruleset, as_of: pd.Timestamp, deadlines: Sequence[Deadline] = (),
                  *, today: pd.Timestamp | None = None, absent: Collection[str] = ()) -> Triage:
    """:func:`triage` of a ledger's cases, its files named as the ledger names them and its
    headers not recognised looked at for a missing field, then its cases filed after ``today``
    rejected (:func:`reject_filed_after_today`). When the triage fails (a rules file reading a
    column the ledger lacks), nothing is rejected."""
    today = pd.Timestamp(dt.date.today()) if today is None else today
    result = triage(ledger.cases, ruleset, as_of, deadlines, today=today, absent=absent, files=ledger.file_names(),
                    unknown=ledger.unknown_headers())
    reject_filed_after_today(ledger, today, result.rejects)
    return result


def _after_today(cases: pd.DataFrame, today: pd.Timestamp, files: Mapping[str, str]) -> list[str]:
    """Warnings for dates no ledger can hold yet: closed or suspended after today (2062 typed for
    2026; a case filed after today is rejected, :func:`filed_after_today`). One closed after today
    counts as open on every day before that date; a 中止 after today deducts nothing before it."""
    found = []
    for date, what, effect in (("closed_on", "close date", "counted as open until that date"),
                               ("suspended_on", "中止 date", "not suspended, nothing deducted, until that date")):
        if date not in cases:
            continue
        late = cases[date].gt(today).to_numpy()
        if late.any():
            n = int(late.sum())
            found.append(f"{n} case{'s have' if n != 1 else ' has'} a {what} after today ({today.date()}), "
                         f"a typing slip: {'they are' if n != 1 else 'it is'} {effect}; {_latest(cases[late], files, date)}")
    return found


def _off_year(cases: pd.DataFrame, files: Mapping[str, str]) -> list[str]:
    """A warning for cases whose filing date is more than a year away from their case number's
    year (案号 carries the year the case was filed): 1990 typed for 2026 would put a case in every
    over-a-year list and past every deadline."""
    if "case_year" not in cases:
        return []
    off = (cases["filed_on"].dt.year - cases["case_year"]).abs().gt(1).fillna(False).to_numpy()
    if not off.any():
        return []
    n = int(off.sum())
    return [f"{n} case{'s have' if n != 1 else ' has'} a filing date more than a year away from the case number's "
            f"year: check {'them' if n != 1 else 'it'} (counted with the date as typed); {_some_cases(cases[off], files)}"]


PERSON_SEPARATORS = "、，,;；/／"


def _shared_officers(cases: pd.DataFrame, files: Mapping[str, str]) -> list[str]:
    """A warning for cases whose 承办人 cell names more than one person (张三、李四, or names on two
    lines): the cell counts as one officer of its own in task lists, rankings and reports."""
    if "officer" not in cases:
        return []
    several = per_distinct(cases["officer"], lambda u: u.str.contains(
        f"[{re.escape(PERSON_SEPARATORS)}]", regex=True).fillna(False)).astype(bool).to_numpy()
    if not several.any():
        return []
    rows = cases[several]
    n = len(rows)
    distinct = rows["officer"].drop_duplicates()
    names = some_of(distinct.head(3).tolist(), 3, total=len(distinct), sep="; ")
    return [f"{n} case{'s name' if n != 1 else ' names'} more than one 承办人 ({names}): each such cell counts as "
            f"an officer of its own in task lists, rankings and reports; put one 承办人 per case; {_some_cases(rows, files)}"]


def triage(cases: pd.DataFrame, ruleset: Ruleset, as_of: pd.Timestamp, deadlines: Sequence[Deadline] = (),
           today: pd.Timestamp | None = None, absent: Collection[str] = (),
           files: Mapping[str, str] | None = None, unknown: Sequence[str] = ()) -> Triage:
    """Categories, then each deadline's due date and state, evaluated once over the whole frame.

    ``deadlines`` come with the ruleset from :func:`deadlines.load_ruleset`, called before the
    (slow) ledger load so that a bad rules file fails first. ``today`` (default: the day it runs)
    tells the dates no ledger can hold yet from those after a past --as-of: a case filed after
    today is left out as a reject (``Triage.rejects``; :func:`triage_ledger` rejects it from the ledger), one filed after
    a past --as-of with a note. A missing field in ``absent`` (the settings' ``absent_columns``:
    the ledger does not keep it) is a note, not a warning. ``files`` names each file read in
    messages (:meth:`Ledger.file_names`; default: the cases' files, each by its name unless two
    share one). ``unknown``: the ledger's headers not recognised (:meth:`Ledger.unknown_headers`),
    those that look like a missing field named in its warning."""
    today = pd.Timestamp(dt.date.today()) if today is None else today
    if files is None:
        files = file_names(cases["source_file"]) if "source_file" in cases else {}
    typed_later = cases["filed_on"].gt(today)  # warned about once, not also as far from the case number's year
    missing = field_warnings(cases, ruleset, deadlines, unknown)
    warnings = ([text for name, text in missing.items() if name not in absent] + _after_today(cases, today, files)
                + _off_year(cases[~typed_later], files) + _shared_officers(cases, files))
    notes = [f"{text} (absent_columns: not kept in this ledger)" for name, text in missing.items() if name in absent]
    notes += [f"absent_columns names {name}, but the ledger has that column: the setting can go"
              for name in sorted(absent) if name in cases.columns]
    if cases.empty:
        warnings.append("the ledger has no cases: is it the right file, and complete?")
    if not deadlines:
        notes.append(f"the rules ({ruleset.name}) define no deadlines: no due dates and no case past one (lists "
                     "by age, --months or --days, still hold); the legal limits are in the default rules (add `extends: default` to a rules file of your own)")
    rejects = filed_after_today(cases, today)
    later = cases["filed_on"].gt(as_of) | typed_later  # typed after today: left out also on a later --as-of
    if later.any():
        between = later & ~typed_later
        if between.any():
            notes.append(_filed_later(cases[between], as_of, files))
        cases = cases[~later]
    ctx = ruleset.evaluate(cases, as_of)
    result = ruleset.classify(cases, as_of, ctx)
    flags = result[[c.id for c in ruleset.categories]]
    annotated = cases.assign(categories=result["categories"], primary_category=result["primary_category"])
    # with no deadlines (a ruleset of categories only) the next_* columns are there, blank: every
    # consumer (overdue, task lists, the run) reads them
    annotated = annotated.join(evaluate(cases, list(deadlines), as_of, ctx, warnings))
    summary = ruleset.summary(cases, result, as_of)
    return Triage(annotated, flags, summary, as_of, ruleset, warnings, list(deadlines), notes, rejects,
                  frozenset(absent), dict(files))


def triage_sheets(result: Triage, labels: Mapping[str, str], category: str | None = None) -> list[Sheet]:
    """The triage workbook: 底数, every case with every column, then per category all its cases,
    open and closed, in :data:`CASE_COLUMNS` (a case's other columns are on the 全部案件 sheet once,
    not repeated in every category it belongs to). With ``category`` (an id or label): 底数, then
    that category's cases with every column, on a sheet named by its label."""
    labels = with_categories(labels, result.ruleset)
    day = result.as_of.date()
    summary = Sheet(SUMMARY_LABEL, result.summary, labels=labels, title=f"{SUMMARY_LABEL}（截至{day}）", total_rows=1)
    if category is not None:
        chosen = result.ruleset.category(check_category(result.ruleset, category))
        cases = result.cases[result.flags[chosen.id]]
        return [summary, Sheet(chosen.label, cases, labels=labels,
                               page_title=case_count_title(f"{chosen.label}（截至{day}）", len(cases)))]
    cases = result.cases
    short = cases[[c for c in CASE_COLUMNS if c in cases.columns]]
    return [
        summary,
        Sheet(TOTAL_LABEL, cases, labels=labels,
              page_title=case_count_title(f"{TOTAL_LABEL}（截至{day}）", len(cases))),
        *(Sheet(c.label, short[result.flags[c.id]], labels=labels,
                title=case_count_title(f"{c.label}（截至{day}）", int(result.flags[c.id].sum())))
          for c in result.ruleset.categories),
    ]


def classify_output(result: Triage, labels: Labels, category: str | None = None, *, workbook: bool = False) -> Output:
    """What ``backlog classify`` shows: the cases (of ``category`` only, an id or label, when
    given) under a title counting them at the triage's date, as two tables, the 底数 and the case
    list in :data:`CASE_COLUMNS`; ``workbook`` (xlsx): the triage workbook's sheets
    (:func:`triage_sheets`)."""
    cases = result.cases[result.in_category(category)] if category else result.cases
    what = result.ruleset.category(category).label if category else TOTAL_LABEL
    main = Output(cases, title=case_count_title(f"{what}（截至{result.as_of.date()}）", len(cases)), labels=labels)
    main.tables = [Sheet(SUMMARY_LABEL, result.summary, labels=labels, title=SUMMARY_LABEL), main.main_sheet(CASE_COLUMNS)]
    if workbook:
        main.sheets = triage_sheets(result, labels, category)
    return main


def overdue_list(result: Triage, *, days: int | None = None, months: int | None = None, deadline: str | None = None,
                 within: int | None = None, category: str | None = None, officer: str | None = None) -> tuple[Listing, str]:
    """The cases an overdue list holds (:func:`deadlines.overdue_cases`) among the triage's
    cases, of ``category`` (an id or label) and of ``officer`` only when given, and its title
    (:func:`overdue_title`) naming them as the list says them: ``deadline`` and ``category`` by
    their labels, ``officer`` as :func:`assignment.group_name` writes it. An ``officer`` no case
    has is an OptionError (:func:`assignment.check_group`): a mistyped name would list nothing."""
    cases = result.cases
    if officer:
        check_group(cases, "officer", officer, "--officer")
    if category:
        cases = cases[result.in_category(category)]
    if officer:
        cases = cases[in_group(cases, "officer", officer)]
    listed = overdue_cases(cases, result.deadlines, result.as_of, days=days, months=months, deadline=deadline,
                           within=within)
    title = overdue_title(result.as_of, listed, months=months, days=days, within=within,
                          deadline=labels_by_id(result.deadlines).get(deadline, deadline),
                          category=result.ruleset.category(category).label if category else None,
                          officer=group_name(officer) if officer else None)
    return listed, title


def overdue_title(as_of: pd.Timestamp, listed: Listing, *, months: int | None = None,
                  days: int | None = None, deadline: str | None = None, within: int | None = None,
                  category: str | None = None, officer: str | None = None) -> str:
    """What an overdue list holds, in words: its category and officer, then its filters, the day
    counted at and how many cases it lists (and deadlines, where a case is listed once for each of
    its deadlines overdue or coming due). ``deadline`` and ``category`` are labels."""
    what = [f"未结超过{months}个月"] if months is not None else []
    what += [f"立案超过{days}天未结"] if days is not None else []
    what += [f"{within}天内到期" + (f"（{deadline}）" if deadline else "")] if within is not None else \
        [f"「{deadline}」期限已过"] if deadline else []
    who = [category] if category else []
    who += [f"承办人{officer}"] if officer else []
    cases, rows = listed.cases["case_no"].nunique(), len(listed.cases)
    return case_count_title(f"{'，'.join(who + what)}（截至{as_of.date()}）", cases, rows, "项期限")


def overdue_output(listed: Listing, labels: Mapping[str, str], title: str, *, coming_due: bool = False) -> Output:
    """``backlog overdue`` and the nightly overdue.xlsx: every column in CSV and JSON; on the
    terminal and in xlsx the case in short (:data:`OVERDUE_COLUMNS`) and its deadline columns,
    overdue rows red and rows coming due amber; the sheet named for what is listed."""
    name = COMING_DUE_SHEET if coming_due else OVERDUE_SHEET if listed.state == "state" else LONG_OPEN_SHEET
    result = Output(listed.cases, name=name, title=title, labels=labels,
                    row_styles=state_styles(listed.cases[listed.state]),
                    table_columns=[*OVERDUE_COLUMNS, *listed.columns])
    result.sheets = [result.main_sheet(result.table_columns)]
    return result


# ------------------------------------------------------------------------------- explain


@dataclass
class CaseExplanation:
    """Why one case is (or is not) in each category, and each deadline's arithmetic; the values of
    its row that were kept as blank (value problems), which all of it is computed without."""

    case: pd.Series
    as_of: pd.Timestamp
    # (field, its ledger label, value, what it is at --as-of); then the other columns the rules read
    # through a columns file or with column: (one read by its header has that as field and label)
    fields: list[tuple[str, str, Any, str | None]]
    categories: list[CategoryExplanation]
    deadlines: list[dict[str, Any]]
    problems: list[tuple[str, str, Any, str]] = field(default_factory=list)  # (field, column, value as typed, problem)
    rejected: list[tuple[str, str, int, str]] = field(default_factory=list)  # other rows of the case: (file, sheet, row, reason)
    files: Mapping[str, str] = field(default_factory=dict)  # how each file read is named (Triage.files)

    def lines(self) -> list[str]:
        c = self.case
        out = [f"{c['case_no']}（{_file_name(self.files, c['source_file'])} [{c['source_sheet']}] 第 {c['source_row']} 行），"
               f"截至 {self.as_of.date()}"]
        out += [f"  {label}{'' if name == label else f'（{name}）'}：{_show(value)}" + (f"（{note}）" if note else "")
                for name, label, value, note in self.fields]
        if self.problems:
            out.append(KEPT_AS_BLANK)
            out += [f"  {column}（{name}）：{_typed(value)}：{problem}" for name, column, value, problem in self.problems]
        if self.rejected:
            out.append(OTHER_ROWS.format(n=len(self.rejected)))
            out += [f"  {_file_name(self.files, file)} [{sheet}] 第 {row} 行：{reason}"
                    for file, sheet, row, reason in self.rejected]
        labels = labels_by_id(self.categories)
        out.append(f"类别：{'; '.join(labels.get(cid, cid) for cid in c['categories']) or '（无）'}")
        for item in self.categories:
            out += item.lines()
        for d in self.deadlines:
            days = d["days_left"]
            left = "" if days is None else f"，剩余 {days} 日" if days >= 0 else f"，已超过 {-days} 日"
            action = f" → {d['action']}" if d["action"] and days is not None else ""
            out.append(f"期限 {d['label']}（{d['id']}）：{STATE_LABELS.get(d['state'], d['state'])}{left}{action}")
            out += [f"  {step}" for step in d["steps"]]
        return out


def _typed(value: Any) -> str:
    """A cell as typed, quoted as the rejects' reasons quote it; a blank one said to be blank."""
    return "原值为空" if value is None or (not isinstance(value, str) and pd.isna(value)) else f"原值“{value}”"


def _show(value: Any) -> str:
    if value is None or (not isinstance(value, (list, str)) and pd.isna(value)):
        return "-"
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    if isinstance(value, (bool, np.bool_)):
        return FLAG_TEXT[bool(value)]
    if isinstance(value, (float, np.floating)):
        return f"{value:,.2f}"  # as the tables show a number column
    return str(value)


def explain_case(result: Triage, case_no: str, labels: Mapping[str, str],
                 rejects: pd.DataFrame | None = None, loaded: pd.DataFrame | None = None,
                 problems: pd.DataFrame | None = None, sheets: Sequence[SheetReport] = ()) -> CaseExplanation:
    """Find ``case_no`` (brackets and spaces normalised) and explain it from the triage's own
    category masks: nothing is evaluated again over the ledger. A case among the load's
    ``rejects`` is said to be rejected, with where and why, and so are the rows of a case found that
    were rejected (a duplicate: the reason names where it differs); one of the ``loaded`` cases that the
    triage left out was filed after --as-of, and is said to be. The load's value ``problems``
    (``Ledger.listed_problems``) on the case's row are listed. Its values are :data:`EXPLAIN_FIELDS`,
    then the other columns the rules read as the bundled columns do not give them
    (:func:`_read_otherwise`), a field a columns file adds named by the header the case's sheet
    (of ``sheets``, ``Ledger.sheets``) gives it unless the file gives it a label."""
    parts = parse_case_numbers(pd.Series([case_no], dtype=object))[0]
    rejected = parse_case_numbers(rejects["case_no"])[0] if rejects is not None and len(rejects) else None
    short = short_case_number(case_no) if pd.isna(parts["case_seq"].iloc[0]) else None
    if short is not None:  # said short: the one number of the ledger it names, read as if typed whole
        if (named := _said_short([result.cases, loaded, rejected], short, case_no)) is not None:
            parts = named
    wanted = parts["case_no"].iloc[0]
    row = result.cases[same_case(parts, result.cases)]
    if row.empty and loaded is not None and len(loaded):
        later = loaded[same_case(parts, loaded)]
        if len(later):
            r = later.iloc[0]
            raise BacklogError(f"{r['case_no']} was filed on {r['filed_on'].date()}, after --as-of {result.as_of.date()}: "
                               f"it is not counted on that day ({_file_name(result.files, r['source_file'])} [{r['source_sheet']}] "
                               f"row {r['source_row']})")
    if row.empty and rejected is not None:
        hit = rejects[same_case(parts, rejected)]
        if len(hit):
            r = hit.iloc[0]
            raise BacklogError(f"{wanted} is not a case of the ledger: rejected at {_file_name(result.files, r['file'])} "
                               f"[{r['sheet']}] row {r['row']}: {r['reason']}")
    if row.empty:
        hint = "" if pd.notna(parts["case_year"].iloc[0]) or short is not None else (
            "; a case number is written with its year in brackets, such as (2025)鲁0902执13号, or short, such as 2025执13")
        raise BacklogError(f"no case {wanted if isinstance(wanted, str) else case_no} in the ledger at "
                           f"{result.as_of.date()} ({len(result.cases)} cases; rejected rows and cases filed "
                           f"later are left out){hint}")
    row = row.iloc[[0]]
    case = row.iloc[0]
    ctx = result.ruleset.context(result.as_of, {cid: result.flags.loc[row.index, cid] for cid in result.flags.columns})
    canonical = canonical_fields()
    shown = [ColumnRef(name, canonical[name].kind) for name in EXPLAIN_FIELDS if name in row]
    shown += [ref for ref in _read_otherwise(result) if ref.name in row]
    headers: dict[str, str] = {}
    for sheet in sheets:
        if (sheet.file, sheet.sheet) == (case["source_file"], case["source_sheet"]):
            for column in sheet.headers:
                headers.setdefault(column.name, column.header)
    return CaseExplanation(
        case=case,
        as_of=result.as_of,
        fields=[(ref.name, _value_label(ref, labels, headers), case[ref.name], ref.as_of_note(case[ref.name], row, ctx))
                for ref in shown],
        categories=result.ruleset.explain(row, result.as_of, ctx),
        deadlines=explain_deadlines(row, result.deadlines, result.as_of, ctx),
        problems=_row_problems(problems, case) if problems is not None else [],
        rejected=list(rejects.loc[same_case(parts, rejected), ["file", "sheet", "row", "reason"]].itertuples(
            index=False, name=None)) if rejected is not None else [],
        files=result.files,
    )


def _read_otherwise(result: Triage) -> list[ColumnRef]:
    """The columns the categories and deadlines read, other than :data:`EXPLAIN_FIELDS`, that the
    bundled columns do not give as read: a ``column:`` (a ledger header, or a field a columns file
    adds) and a canonical field a columns file gives another kind (预计结案时间 read as dates:
    ``expected_close: {kind: date}``); each once, as the rules first read it."""
    canonical = canonical_fields()
    found: dict[str, ColumnRef] = {}
    for ref in chain(result.ruleset.columns_read(), deadline_columns(result.deadlines)):
        if ref.name not in EXPLAIN_FIELDS and (not ref.canonical or ref.kind != canonical[ref.name].kind):
            found.setdefault(ref.name, ref)
    return list(found.values())


def _value_label(ref: ColumnRef, labels: Mapping[str, str], headers: Mapping[str, str]) -> str:
    """How explain names a value: a field by its label (a field a columns file adds without one,
    by the header the case's sheet gives it), a ``column:`` by its header."""
    label = labels.get(ref.name, ref.name)
    return headers.get(ref.name, label) if label == ref.name else label


def _said_short(frames: list[pd.DataFrame | None], short: Mapping[str, Any], said: str) -> pd.DataFrame | None:
    """The parts of the one case number of ``frames`` (cases, those filed later, rejected rows)
    that a number said short (执69, 2024执69) names: every part it gives matches; None when it
    names none, an error naming them when it names several."""
    found = []
    for frame in frames:
        if frame is None or not len(frame):
            continue
        match = np.ones(len(frame), dtype=bool)
        for name, value in short.items():
            match &= frame[name].eq(value).fillna(False).to_numpy(dtype=bool)
        found.append(frame.loc[match, list(CASE_PARTS)])
    found = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=list(CASE_PARTS))
    found = found.iloc[np.unique(case_ids(found), return_index=True)[1]] if len(found) else found  # each case once
    if len(found) > 1:
        listed = some_of(found["case_no"].astype(str).head(5).tolist(), 5, total=len(found), sep="、")
        raise BacklogError(f"{said} is {len(found)} cases of the ledger: {listed}; give the whole case number")
    return found.reset_index(drop=True) if len(found) else None


def _row_problems(problems: pd.DataFrame, case: pd.Series) -> list[tuple[str, str, Any, str]]:
    """The value problems of the case's row: (field, column, value as typed, problem)."""
    mine = problems[problems["file"].eq(case["source_file"]) & problems["sheet"].eq(case["source_sheet"])
                    & problems["row"].eq(case["source_row"])]
    return list(mine[["field", "column", "value", "problem"]].itertuples(index=False, name=None))
