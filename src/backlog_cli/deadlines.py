"""Deadline arithmetic: legal limits and campaign deadlines per case, vectorised.

Counting starts the day after the start date (立案次日): ``N days`` from D is D + N days, ``N months``
is the same day N months later, clamped to the month end (2024-08-31 + 6 months = 2025-02-28).
``workdays`` counts official Chinese working days (in-lieu working days count, statutory holidays
do not) from one precomputed calendar array. The due date of a deadline is, in this order:

    start + duration (or the duration of the first matching ``duration_when`` entry)
    + extension months + extension days (ledger fields; NA counts as none)
    → replaced by an approved new limit date (ledger field) where present
    + deducted days: each period (from/to field pair) in the order given counts when it starts on
      or before the due date computed so far; it counts from max(period start, start date) to its
      end, or up to --as-of (or the close date) while still running
    → rolled forward to the next working day (``roll_forward``)

A deadline ``relative_to`` another is that deadline's due date plus ``offset`` (negative for
"one month before the legal limit"). A recurring deadline (``every`` + ``for``) falls due at
start + k × every for k = 1 … for / every; its due date is the next occurrence on or after --as-of.

States at --as-of: ``n/a`` (does not apply, start missing or after --as-of), ``met`` (closed on or
before the due date), ``met_late`` (closed after the due date), ``suspended`` (open, a deducted
period still running), ``overdue`` (open, due date passed), ``due_soon`` (open, within
``warn_before`` of the due date), ``ok``. A recurring deadline is never overdue (the ledger does
not record the re-queries); it is ``met`` once its last occurrence is before --as-of.
``days_left`` (due - as_of in days) is NA for n/a, met and met_late.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from backlog_cli import parsing
from backlog_cli.errors import ConfigError, OptionError, RulesError, did_you_mean, shown_value, some_of
from backlog_cli.loading import ORDERED_DATES, Columns
from backlog_cli.rules import (
    CLOSE_DATE,
    ColumnRef,
    Condition,
    add_months_days,
    by_id_or_label,
    EvalContext,
    Node,
    Ruleset,
    Span,
    canonical_fields,
    compile_condition,
    declared_kinds,
    fields_adding_cases,
    list_bundled,
    load_rules,
    missing_columns,
    open_mask,
    parse_span,
    read_rules,
    slug_problem,
    with_article,
    unfolded,
    parse_date,
)

__all__ = [
    "COMING_DUE_STATES",
    "STATES",
    "Deadline",
    "Deduction",
    "Holidays",
    "WorkCalendar",
    "age_days",
    "bundled_tables",
    "calendar_warnings",
    "check_overdue_deadline",
    "column_problems",
    "compute",
    "evaluate",
    "explain",
    "fields_read",
    "load_deadlines",
    "load_ruleset",
    "overdue_cases",
    "ruleset_tables",
    "urgency",
    "workday_calendar",
]

STATES = ("overdue", "due_soon", "suspended", "ok", "met", "met_late", "n/a")
OPEN_STATES = ("overdue", "due_soon", "suspended", "ok")
# the states of a deadline still to come and running: not a suspended one, whose due date moves
# with --as-of while its period runs (it falls due on no day until the case resumes)
COMING_DUE_STATES = ("due_soon", "ok")
# added to a suspended deadline's days left where urgency is weighed (:func:`urgency`): more days
# than any due date is away (1950-2100: fewer than 60,000), so it comes after every running deadline
_SUSPENDED_AFTER = 1_000_000

NAT = np.datetime64("NaT", "D")

# ---------------------------------------------------------------------------------------------
# vectorised date arithmetic on numpy datetime64[D] arrays


def _to_days(values: Any) -> np.ndarray:
    """A datetime Series or array as datetime64[D] (NaT kept)."""
    return np.asarray(pd.Series(values).to_numpy(dtype="datetime64[D]"))


def _whole_numbers(values: pd.Series) -> np.ndarray:
    """A numeric Series as int64, NA as 0, fractions rounded to the nearest whole number."""
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return np.rint(np.nan_to_num(x, nan=0.0)).astype("int64")


# ---------------------------------------------------------------------------------------------
# the official working-day calendar


class OutsideCalendar(Exception):
    """A date outside the years the holiday calendar knows; ``position`` is the row position."""

    def __init__(self, year: int, position: int):
        super().__init__(year, position)
        self.year, self.position = year, position


@dataclass(frozen=True)
class Holidays:
    """The official days off (``off``) and in-lieu working days (``on``) of years the installed
    chinesecalendar does not know yet, as a rules file's ``holidays:`` gives them from the State
    Council's notice; ``source`` names the file for messages."""

    off: frozenset[dt.date]
    on: frozenset[dt.date]
    source: str = ""

    @property
    def years(self) -> frozenset[int]:
        return frozenset(d.year for d in self.off | self.on)

    def summary(self, years: Collection[int] | None = None) -> str:
        """Per year (of ``years``, by default all), how many days off and days worked in lieu
        (``backlog rules show``)."""
        def count(days: frozenset[dt.date], year: int) -> int:
            return sum(d.year == year for d in days)

        return "；".join(f"{y}年 放假 {count(self.off, y)} 天，调休上班 {count(self.on, y)} 天"
                        for y in sorted(self.years if years is None else years))


@dataclass(frozen=True)
class WorkCalendar:
    """Working days from ``first`` on: ``work[i]`` for day first + i, ``cum[i]`` = workdays ≤ i.
    ``known`` are the years whose holidays are known (chinesecalendar's, and a rules file's
    ``holidays:``); in the others only Saturdays and Sundays are rest days. ``ignored``: the days
    of ``holidays:`` that contradict chinesecalendar in a year it knows (it is followed)."""

    first: np.datetime64
    work: np.ndarray
    cum: np.ndarray
    known: frozenset[int]
    ignored: tuple[dt.date, ...] = ()

    def unknown_years(self, days: np.ndarray) -> set[int]:
        """The years of ``days`` (NaT skipped) whose holidays the calendar does not know."""
        years = days[~np.isnat(days)].astype("datetime64[Y]").astype("int64") + 1970
        return {int(y) for y in np.unique(years) if int(y) not in self.known}

    @property
    def years(self) -> tuple[int, int]:
        last = self.first + np.timedelta64(len(self.work) - 1, "D")
        return int(str(self.first)[:4]), int(str(last)[:4])

    def _index(self, days: np.ndarray) -> np.ndarray:
        """Positions of non-NaT days in the calendar; raises OutsideCalendar for the first miss."""
        idx = (days - self.first).astype("int64")
        bad = ~np.isnat(days) & ((idx < 0) | (idx >= len(self.work)))
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise OutsideCalendar(int(str(days[pos])[:4]), pos)
        return np.where(np.isnat(days), 0, idx)

    def _at(self, idx: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Calendar positions back to dates; past the calendar's end raises OutsideCalendar."""
        beyond = ~np.isnat(days) & (idx >= len(self.work))
        if beyond.any():
            pos = int(np.flatnonzero(beyond)[0])
            raise OutsideCalendar(self.years[1] + 1, pos)
        return np.where(np.isnat(days), NAT, self.first + np.minimum(idx, len(self.work) - 1).astype("timedelta64[D]"))

    def is_workday(self, days: np.ndarray) -> np.ndarray:
        """True where the day is an official working day."""
        return self.work[self._index(days)] & ~np.isnat(days)

    def add_workdays(self, days: np.ndarray, n: int | np.ndarray) -> np.ndarray:
        """The n-th working day after each day (n = 0 keeps the day)."""
        n = np.broadcast_to(np.asarray(n, dtype="int64"), days.shape)
        idx = self._index(days)
        found = np.searchsorted(self.cum, self.cum[idx] + n, side="left")
        return np.where(n > 0, self._at(found, days), days)

    def roll_forward(self, days: np.ndarray) -> np.ndarray:
        """Each day, or the next working day when it is a holiday or rest day."""
        idx = self._index(days)
        found = np.searchsorted(self.cum, self.cum[idx] - self.work[idx] + 1, side="left")
        return self._at(found, days)


CALENDAR_YEARS = (parsing.FIRST_YEAR, parsing.LAST_YEAR)  # the dates the parsers accept


@functools.cache
def workday_calendar(added: Holidays | None = None) -> WorkCalendar:
    """Working days for 1950–2100 (built once per ``added``): the official calendar for every
    year chinesecalendar knows, then the years ``added`` gives that it does not know, weekends
    only for the others."""
    import chinese_calendar as cc

    holidays = np.array(sorted(cc.holidays), dtype="datetime64[D]")
    in_lieu_workdays = np.array(sorted(cc.workdays), dtype="datetime64[D]")
    first_year, last_year = holidays[0].astype(object).year, holidays[-1].astype(object).year
    first = np.datetime64(f"{CALENDAR_YEARS[0]}-01-01", "D")
    days = np.arange(first, np.datetime64(f"{CALENDAR_YEARS[1] + 1}-01-01", "D"))
    weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    work = ((weekday < 5) & ~np.isin(days, holidays)) | np.isin(days, in_lieu_workdays)
    known = frozenset(range(first_year, last_year + 1))
    ignored: list[dt.date] = []
    if added is not None:
        for day, working in sorted([*((d, False) for d in added.off), *((d, True) for d in added.on)]):
            at = (np.datetime64(day, "D") - first).astype("int64")
            if day.year not in known:
                work[at] = working
            elif work[at] != working:
                ignored.append(day)
        known |= added.years
    return WorkCalendar(first, work, np.cumsum(work), known, tuple(ignored))


# ---------------------------------------------------------------------------------------------
# deadline definitions

@dataclass(frozen=True)
class Deduction:
    """A period not counted: from the date in field ``start`` to the date in field ``end``."""

    start: str
    end: str


@dataclass(frozen=True)
class Deadline:
    """One named deadline, as defined in a rules file's ``deadlines:`` list."""

    id: str
    label: str
    duration: Span | None = None
    start: str = "filed_on"
    applies: Condition | None = None
    duration_when: tuple[tuple[Condition, Span], ...] = ()
    workdays: bool = False
    roll_forward: bool = False
    extension_months: str | None = None
    extension_days: str | None = None
    new_limit: str | None = None
    deduct: tuple[Deduction, ...] = ()
    action: str | None = None
    overdue_action: str | None = None
    suspended_action: str | None = None
    source: str | None = None
    description: str | None = None
    warn_before: Span = Span(0, "days")
    every: Span | None = None
    for_: Span | None = None
    relative_to: str | None = None
    offset: Span | None = None
    due_on: pd.Timestamp | None = None  # a fixed day (a campaign's 12月31日前清结), for every case it applies to
    holidays: Holidays | None = None  # the rules files' holidays: (years chinesecalendar does not know)
    # file:line:col of its entry in the rules (the last file's that defines it), which a problem
    # found in counting it names; not what the deadline is, so two alike compare equal
    origin: str | None = dataclasses.field(default=None, compare=False)


def due_rule(d: Deadline) -> str:
    """How the due date is counted, in a clerk's words (``backlog rules show``)."""
    if d.relative_to is not None:
        sign = "+" if d.offset.n >= 0 else "−"
        return f"{d.relative_to} 届满日 {sign} {Span(abs(d.offset.n), d.offset.unit).chinese(d.workdays)}"
    if d.every is not None:
        return f"{d.start} 起每 {d.every.chinese()}，共 {d.for_.chinese()}"
    if d.due_on is not None:
        return (f"固定日期 {d.due_on:%Y-%m-%d} 届满（{d.start} 不晚于该日和 --as-of 的案件）"
                + ("，遇节假日顺延" if d.roll_forward else "") + ("；有适用条件" if d.applies else ""))
    text = f"{d.start} 次日起 {d.duration.chinese(d.workdays)}"
    if d.duration_when:
        text += "（" + "；".join(f"条件 {i + 1}：{span.chinese(d.workdays)}"
                                for i, (_, span) in enumerate(d.duration_when)) + "）"
    extras = [f"加 {f}" for f in (d.extension_months, d.extension_days) if f]
    extras += [f"扣除 {p.start}→{p.end}" for p in d.deduct]
    extras += [f"有 {d.new_limit} 时以其为准"] if d.new_limit else []
    extras += ["遇节假日顺延"] if d.roll_forward else []
    return text + ("，" + "，".join(extras) if extras else "") + ("；有适用条件" if d.applies else "")


STATES_WITH_ACTIONS = ("overdue", "suspended")  # states a deadline may give an action of their own


def action_for(d: Deadline, state: str | None) -> str | None:
    """What to do about a case in this state of the deadline: ``overdue_action`` once overdue,
    ``suspended_action`` while a deducted period runs (when the rules give them), else ``action``."""
    if state == "overdue":
        return d.overdue_action or d.action
    if state == "suspended":
        return d.suspended_action or d.action
    return d.action


def _conditions(d: Deadline) -> list[Condition]:
    return [c for c in (d.applies, *(cond for cond, _ in d.duration_when)) if c is not None]


def fields_read(deadlines: Sequence[Deadline]) -> dict[str, set[str]]:
    """Per deadline id the ledger fields whose absence makes its due date or state wrong: its
    start, the deducted periods, the close date (what meets a one-off deadline), the fields whose
    absence makes a condition hold on every case (``is_blank: true``: the deadline would apply to
    cases it should not) and whatever the deadline it is relative to reads.

    Left out: extension and new-limit fields (a ledger without them has recorded none, as most
    are kept) and fields whose absence only makes a condition false (a deadline for 终本 cases
    without a 结案方式 column applies to none; a category that reads the field warns itself)."""
    out: dict[str, set[str]] = {}
    for d in deadlines:
        read = set().union(*(fields_adding_cases(c) for c in _conditions(d)))
        if d.relative_to is not None:
            read |= {*out.get(d.relative_to, ()), CLOSE_DATE}
        elif d.every is not None:
            read.add(d.start)
        elif d.due_on is not None:
            read |= {d.start, CLOSE_DATE}
        else:
            read |= {d.start, CLOSE_DATE, *(f for p in d.deduct for f in (p.start, p.end))}
        out[d.id] = read
    return out


def columns_read(deadlines: Sequence[Deadline]) -> Iterator[ColumnRef]:
    """The columns the deadlines read, deadline by deadline, with the kind they read them with:
    their conditions' (``Condition.columns``), then the fields they count from, add and deduct."""
    for d in deadlines:
        for condition in _conditions(d):
            yield from condition.columns()
        dates = [d.start, d.new_limit, *(f for p in d.deduct for f in (p.start, p.end))]
        yield from (ColumnRef(name, "date") for name in dates if name)
        yield from (ColumnRef(name, "number") for name in (d.extension_months, d.extension_days) if name)


def column_problems(deadlines: Sequence[Deadline], columns: Collection[str]) -> list[str]:
    """A located problem for each ``column:`` a deadline's conditions read that the ledger lacks."""
    return [p for d in deadlines for c in _conditions(d)
            for p in missing_columns(c, f"deadline '{d.id}'", columns)]


# ---------------------------------------------------------------------------------------------
# computing one deadline


@dataclass
class _Ctx:
    """What every step needs: the frame, the deadline, --as-of and the calendar."""

    frame: pd.DataFrame
    d: Deadline
    as_of: np.datetime64
    masks_ctx: EvalContext

    @property
    def calendar(self) -> WorkCalendar:
        return workday_calendar(self.d.holidays)

    def fail(self, message: str, position: int | None = None) -> ConfigError:
        where = ""
        if position is not None and "case_no" in self.frame:
            where = f" (case {self.frame['case_no'].iloc[position]})"
        origin = f"{self.d.origin}: " if self.d.origin else ""
        return ConfigError(f"{origin}deadline {self.d.id} ({self.d.label}): {message}{where}")

    def dates(self, field: str) -> np.ndarray:
        """A date field as datetime64[D]; a field the ledger lacks is all NaT."""
        if field not in self.frame:
            return np.full(len(self.frame), NAT)
        col = self.frame[field]
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            return _to_days(col)
        if col.isna().all():
            return np.full(len(self.frame), NAT)
        raise self.fail(f"field {field} holds text, not dates; map it to a date column")

    def numbers(self, field: str | None) -> np.ndarray:
        """A number field as whole int64 (NA as 0, never negative); absent field → zeros."""
        if field is None or field not in self.frame:
            return np.zeros(len(self.frame), dtype="int64")
        col = self.frame[field]
        if not (pd.api.types.is_numeric_dtype(col.dtype) or col.isna().all()):
            raise self.fail(f"field {field} holds text, not numbers")
        return np.maximum(_whole_numbers(col), 0)

    def mask(self, cond: Condition | None) -> np.ndarray:
        if cond is None:
            return np.ones(len(self.frame), dtype=bool)
        return cond.mask(self.frame, self.masks_ctx).to_numpy(dtype=bool)

    def on_calendar(self, fn: Callable[[], np.ndarray], why: str) -> np.ndarray:
        """Run a calendar step; a date outside the known years becomes one plain ConfigError."""
        try:
            return fn()
        except OutsideCalendar as err:
            y0, y1 = self.calendar.years
            raise self.fail(f"{why} reaches {err.year}; working days are known for {y0}–{y1} only",
                            err.position) from None


def _add_span(c: _Ctx, days: np.ndarray, span: Span, sign: int = 1) -> np.ndarray:
    """days + span: calendar days, working days (``workdays``) or clamped months."""
    if span.unit == "months":
        return add_months_days(days, sign * span.n)
    if c.d.workdays and sign > 0:
        return c.on_calendar(lambda: c.calendar.add_workdays(days, span.n), "workdays")
    return days + np.timedelta64(sign * span.n, "D")


def _base_due(c: _Ctx, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """start + the duration chosen per row; also the duration text per row."""
    chosen = np.full(len(start), len(c.d.duration_when))  # index into the spans, last = duration
    todo = np.ones(len(start), dtype=bool)
    for i, (cond, _) in enumerate(c.d.duration_when):
        sel = c.mask(cond) & todo
        chosen[sel] = i
        todo &= ~sel
    assert c.d.duration is not None
    spans = [*(span for _, span in c.d.duration_when), c.d.duration]
    if not c.d.duration_when:
        due = _add_span(c, start, c.d.duration)
    else:  # each span added to the rows that take it only
        due = np.full(len(start), NAT)
        for i, span in enumerate(spans):
            rows = np.flatnonzero(chosen == i)
            if len(rows):
                due[rows] = _add_span(c, start[rows], span)
    texts = np.array([span.chinese(c.d.workdays) for span in spans], dtype=object)
    return due, texts[chosen]


def _extend(c: _Ctx, due: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Extension months and days from ledger fields; returns (due, months, days)."""
    months, days = c.numbers(c.d.extension_months), c.numbers(c.d.extension_days)
    if months.any():
        due = add_months_days(due, months)
    if days.any():
        due = c.on_calendar(lambda: c.calendar.add_workdays(due, days), "workdays") if c.d.workdays else due + days
    return due, months, days


def _deduct(
    c: _Ctx, start: np.ndarray, due: np.ndarray, cap: np.ndarray, is_open: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Add the deducted periods; returns (due, deducted days, still running at as_of, the
    periods: per case and pair the start field as given, the days, first and last day counted and
    what ended the period: 0 its end field, 1 ``cap`` (--as-of or the close date) as the end field
    is blank, 2 ``cap`` as the end field is later)."""
    total = np.zeros(len(due), dtype="int64")
    running = np.zeros(len(due), dtype=bool)
    given, days, begins, ends, capped = [], [], [], [], []
    for pair in c.d.deduct:
        s, e = c.dates(pair.start), c.dates(pair.end)
        counts = ~np.isnat(s) & ~np.isnat(due) & (s <= due) & (s <= cap)
        begin = np.maximum(s, start)
        to_cap = np.isnat(e) | (e > cap)
        end = np.where(to_cap, cap, e)
        ended = np.where(np.isnat(e), 1, np.where(to_cap, 2, 0))
        n = np.where(counts, np.maximum((end - begin).astype("int64"), 0), 0)
        total += n
        due = due + n
        running |= counts & is_open & (s <= c.as_of) & (np.isnat(e) | (e > c.as_of))
        given.append(s), days.append(n), begins.append(begin), ends.append(end), capped.append(ended)

    def columns(arrays: list[np.ndarray], dtype: Any) -> np.ndarray:
        # pairs x cases in memory (each pair's array copied whole), read as cases x pairs; one
        # pair's array as it is (no copy of a million dates for the usual single pair)
        if len(arrays) < 2:
            return arrays[0][None].T if arrays else np.zeros((len(due), 0), dtype)
        return np.stack(arrays).T

    periods = {"period_start": columns(given, start.dtype), "period_days": columns(days, "int64"),
               "period_from": columns(begins, start.dtype),
               "period_to": columns(ends, start.dtype), "period_ended_by": columns(capped, "int64")}
    return due, total, running, periods


_STATE_TABLE = np.array(STATES, dtype=object)


def _state_labels(conditions: list[np.ndarray], states: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The first state whose condition holds, else "ok": an object array taken from a table of
    the state strings (np.select on the strings would build a million new str objects), and
    whether that state is an open one."""
    codes = np.select(conditions, [STATES.index(s) for s in states], STATES.index("ok"))
    return _STATE_TABLE[codes], codes < len(OPEN_STATES)


def _states(
    c: _Ctx, due: np.ndarray, applies: np.ndarray, closed: np.ndarray, running: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(days_left as float with NaN, state) for a one-off deadline."""
    is_closed = ~np.isnat(closed) & (closed <= c.as_of)
    left = (due - c.as_of).astype("int64")
    warn_from = _add_span(c, due, c.d.warn_before, sign=-1)
    state, is_open = _state_labels(
        [~applies, is_closed & (closed <= due), is_closed, running, c.as_of > due,
         c.as_of >= warn_from],
        ["n/a", "met", "met_late", "suspended", "overdue", "due_soon"],
    )
    return np.where(is_open, left, np.nan), state


def _rolled(c: _Ctx, due: np.ndarray) -> np.ndarray:
    """due rolled forward to the next working day when the deadline says so."""
    if not c.d.roll_forward:
        return due
    return c.on_calendar(lambda: c.calendar.roll_forward(due), "roll_forward")


def _occurrence(c: _Ctx, start: np.ndarray, k: np.ndarray) -> np.ndarray:
    """start + k × every, before any roll-forward."""
    every = c.d.every
    assert every is not None
    return add_months_days(start, k * every.n) if every.unit == "months" else start + k * every.n


def _occurrences(c: _Ctx, s: np.ndarray) -> np.ndarray:
    """How many occurrences fall within ``for`` of each start (at least one): start + k × every
    on or before start + for. In one unit that is for / every; across units (every 10 days for
    1 year, every month for 365 days) it is counted on the calendar from each start."""
    every, lasts = c.d.every, c.d.for_
    assert every is not None and lasts is not None
    if every.unit == lasts.unit:
        return np.full(len(s), max(lasts.n // every.n, 1), dtype=np.int64)
    valid = ~np.isnat(s)
    end = add_months_days(s, lasts.n) if lasts.unit == "months" else s + lasts.n
    if every.unit == "days":
        count = (end - s).astype("int64") // every.n
    else:  # whole months between the two, one fewer when the last lands after the end
        count = (end.astype("datetime64[M]") - s.astype("datetime64[M]")).astype("int64") // every.n
        count = np.where(valid, count, 1)
        count = np.where(valid & (_occurrence(c, s, count) > end), count - 1, count)
    return np.maximum(np.where(valid, count, 1), 1)


def _recurring(c: _Ctx, start: np.ndarray, applies: np.ndarray) -> dict[str, np.ndarray]:
    """The next occurrence on or after as_of of start + k × every, k = 1 … the occurrences within
    ``for`` (:func:`_occurrences`)."""
    every = c.d.every
    assert every is not None
    valid = applies & ~np.isnat(start) & (start <= c.as_of)
    s = np.where(valid, start, NAT)
    count = _occurrences(c, s)
    as_of = np.where(valid, c.as_of, NAT)
    if every.unit == "months":
        gap = (as_of.astype("datetime64[M]") - s.astype("datetime64[M]")).astype("int64")
    else:
        gap = (as_of - s).astype("int64")
    k = np.where(valid, np.maximum(-(-gap // every.n), 1), 1)
    k = np.minimum(np.where(_occurrence(c, s, k) < c.as_of, k + 1, k), count)
    earlier_due = _rolled(c, _occurrence(c, np.where(k > 1, s, NAT), k - 1))
    k = np.where(~np.isnat(earlier_due) & (earlier_due >= c.as_of), k - 1, k)
    due = _rolled(c, _occurrence(c, s, k))
    warn_from = _add_span(c, due, c.d.warn_before, sign=-1)
    state, is_open = _state_labels([~valid, due < c.as_of, c.as_of >= warn_from], ["n/a", "met", "due_soon"])
    left = (due - c.as_of).astype("int64")
    return {
        "start": s,
        "occurrence": np.where(valid, k, 0),
        "occurrences": np.where(valid, count, 0),
        "before_roll": _occurrence(c, s, k),
        "due": due,
        "days_left": np.where(is_open, left, np.nan),
        "state": state,
    }


def _relative(c: _Ctx, base: dict[str, np.ndarray], applies: np.ndarray) -> dict[str, np.ndarray]:
    """Another deadline's due date plus ``offset``. Of the other deadline's deducted periods, one
    that began after this deadline's own date (the other's limit, with the periods before it,
    plus the offset) is not deducted here, as a limit suspended after it passed stays overdue:
    a review due a month before the limit and missed stays missed when the case is suspended
    after it, though the limit moves."""
    assert c.d.offset is not None
    applies = applies & (base["state"] != "n/a")
    moved, running = base["due"], base["state"] == "suspended"
    if "period_days" in base and base["period_days"].shape[1]:  # the other deadline deducts periods
        kept = np.zeros(len(moved), dtype="int64")
        running = np.zeros(len(moved), dtype=bool)
        for i in range(base["period_days"].shape[1]):
            days = base["period_days"][:, i]
            counts = (days > 0) & (base["period_start"][:, i] <= _add_span(c, base["limit"] + kept, c.d.offset))
            kept += np.where(counts, days, 0)
            running |= counts & base["is_open"] & (base["period_ended_by"][:, i] != 0)
        moved = np.where(kept == base["deducted_days"], base["due"], base["limit"] + kept)
    before_roll = np.where(applies, _add_span(c, moved, c.d.offset), NAT)
    due = _rolled(c, before_roll)
    closed = c.dates("closed_on")
    days_left, state = _states(c, due, applies, closed, running)
    return {"start": np.where(applies, base["due"], NAT), "before_roll": before_roll,
            "due": due, "days_left": days_left, "state": state}


def _fixed(c: _Ctx, applies: np.ndarray) -> dict[str, np.ndarray]:
    """The same day (rolled forward when the deadline says so) for every case it applies to that
    has its start (filed) by --as-of and by that day (a case filed later was not there to clear);
    met by a close on or before that day."""
    assert c.d.due_on is not None
    day = np.datetime64(c.d.due_on.date(), "D")
    start = c.dates(c.d.start)
    applies = applies & ~np.isnat(start) & (start <= c.as_of) & (start <= day)
    before_roll = np.where(applies, day, NAT)
    due = _rolled(c, before_roll)
    closed = c.dates("closed_on")
    days_left, state = _states(c, due, applies, closed, np.zeros(len(due), dtype=bool))
    return {"start": np.where(applies, start, NAT), "before_roll": before_roll, "due": due, "days_left": days_left,
            "state": state}


def _one_off(c: _Ctx, applies: np.ndarray) -> dict[str, np.ndarray]:
    """start + duration + extensions (or new limit) + deducted days, rolled forward."""
    start = c.dates(c.d.start)
    applies = applies & ~np.isnat(start) & (start <= c.as_of)
    start = np.where(applies, start, NAT)
    closed = c.dates("closed_on")
    is_open = np.isnat(closed) | (closed > c.as_of)
    cap = np.where(is_open, c.as_of, closed)
    base, duration = _base_due(c, start)
    extended, months, days = _extend(c, base)
    new_limit = c.dates(c.d.new_limit) if c.d.new_limit else np.full(len(start), NAT)
    limit = np.where(np.isnat(new_limit) | ~applies, extended, new_limit)
    before_roll, deducted, running, periods = _deduct(c, start, limit, cap, is_open)
    due = _rolled(c, before_roll)
    days_left, state = _states(c, due, applies, closed, running)
    return {"start": start, "duration": duration, "base": base, "extension_months": months,
            "extension_days": days, "extended": extended, "new_limit": new_limit,
            "limit": limit, "deducted_days": deducted, "before_roll": before_roll, "due": due,
            "days_left": days_left, "state": state, "is_open": is_open, **periods}


def compute(
    frame: pd.DataFrame,
    deadline: Deadline,
    as_of: Any,
    masks_ctx: EvalContext | None = None,
    done: dict[str, dict[str, np.ndarray]] | None = None,
) -> dict[str, np.ndarray]:
    """One deadline for every row: the arithmetic's intermediate arrays, ``due``, ``days_left``
    (float, NaN where not open), ``state`` and ``condition`` (the applies mask alone);
    ``done`` holds the results of earlier deadlines by id."""
    day = np.datetime64(pd.Timestamp(as_of).date(), "D")
    c = _Ctx(frame, deadline, day, masks_ctx if masks_ctx is not None else EvalContext(as_of))
    applies = c.mask(deadline.applies)
    if deadline.relative_to is not None:
        result = _relative(c, (done or {})[deadline.relative_to], applies)
    elif deadline.every is not None:
        result = _recurring(c, c.dates(deadline.start), applies)
    elif deadline.due_on is not None:
        result = _fixed(c, applies)
    else:
        result = _one_off(c, applies)
    return {**result, "condition": applies}


# ---------------------------------------------------------------------------------------------
# all deadlines: columns per deadline and the most pressing one per case


# What the columns, the most pressing deadline, relative deadlines and the calendar warning read of
# each deadline's arrays; explain reads them all.
_KEPT = ("start", "before_roll", "due", "days_left", "state")
# and what a relative deadline reads of the deadline it is counted from (:func:`_relative`)
_BASE_KEPT = ("limit", "deducted_days", "is_open", "period_start", "period_days", "period_ended_by")


def _kept(result: dict[str, np.ndarray], is_base: bool) -> dict[str, np.ndarray]:
    return {k: result[k] for k in (*_KEPT, *_BASE_KEPT) if k in result} if is_base else \
        {k: result[k] for k in _KEPT}


def _compute_all(
    frame: pd.DataFrame, deadlines: list[Deadline], as_of: Any, masks_ctx: EvalContext, *, every_step: bool = False
) -> dict[str, dict[str, np.ndarray]]:
    """compute() for each deadline in order (a relative deadline follows its base). Only _KEPT
    arrays are kept unless ``every_step`` (for explain): the arithmetic's other steps of every
    deadline were about 30 MB for 125,000 cases."""
    done: dict[str, dict[str, np.ndarray]] = {}
    bases = {d.relative_to for d in deadlines}
    for d in deadlines:
        cached = None if every_step else masks_ctx.deadlines_done.get((id(frame), d.id))
        if cached is not None:  # computed already for a deadline: condition
            done[d.id] = cached
            continue
        result = compute(frame, d, as_of, masks_ctx, done)
        done[d.id] = result if every_step else _kept(result, d.id in bases)
    return done


def deadline_results(ruleset: Ruleset) -> Callable[[pd.DataFrame, str, EvalContext], dict[str, np.ndarray]]:
    """What a ``deadline:`` condition of the ruleset's categories reads: per frame and deadline id
    the deadline's arrays, computed once per context (and its base deadline first)."""
    by_id = {d.id: d for d in load_deadlines(ruleset)}
    bases = {d.relative_to for d in by_id.values()}

    def results(frame: pd.DataFrame, did: str, ctx: EvalContext) -> dict[str, np.ndarray]:
        key = (id(frame), did)
        if key not in ctx.deadlines_done:
            d = by_id[did]
            base = {d.relative_to: results(frame, d.relative_to, ctx)} if d.relative_to else None
            result = compute(frame, d, ctx.as_of, ctx, base)
            ctx.deadlines_done[key] = _kept(result, did in bases)
        return ctx.deadlines_done[key]

    return results


def _dates_series(days: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(days.astype("datetime64[ns]"), index=index)


def _int_series(values: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(pd.array(values, dtype="Int64"), index=index)


def urgency(days_left: Any, suspended: Any) -> np.ndarray:
    """How pressing open deadlines are, smaller first: their days left (most days overdue first),
    a ``suspended`` one after every running one (overdue, due_soon, ok), by its days left among
    them: while its 中止 runs its limit does not, its due date moving on with --as-of, so it is
    urgent on no day; NaN where none is open. The most pressing deadline (the next_* columns)
    and the task lists' order both weigh by it."""
    left = np.asarray(days_left, dtype="float64")
    return np.where(np.asarray(suspended, dtype=bool), left + _SUSPENDED_AFTER, left)


def _may_be_suspended(d: Deadline) -> bool:
    """Whether a deadline's state can be ``suspended``: one that deducts periods, or is counted
    from one (the others never are, and their states need not be read)."""
    return bool(d.deduct) or d.relative_to is not None


def _next(deadlines: list[Deadline], done: dict[str, dict[str, np.ndarray]], index: pd.Index
          ) -> dict[str, pd.Series]:
    """The next_* columns: the most pressing open deadline per row by :func:`urgency`, most days
    overdue first, then due soonest, a suspended deadline only when none runs (on a tie the
    deadline defined first).

    A running minimum over the deadlines, one row array each: no n x k tables. Labels come from
    small per-deadline arrays indexed by the pick."""
    n, k = len(index), len(deadlines)
    pick = np.full(n, k, dtype=np.intp)  # k: no open deadline
    least = np.full(n, np.inf)
    left, due, state = np.full(n, np.nan), np.full(n, NAT), np.full(n, None, dtype=object)
    for j, d in enumerate(deadlines):
        r = done[d.id]
        weight = urgency(r["days_left"], r["state"] == "suspended") if _may_be_suspended(d) else r["days_left"]
        better = weight < least  # NaN (not open) is never better
        pick[better], least[better] = j, weight[better]
        left[better], due[better], state[better] = r["days_left"][better], r["due"][better], r["state"][better]
    has = pick < k

    def labels(attr: str) -> pd.Series:
        table = np.array([*(getattr(d, attr) for d in deadlines), None], dtype=object)
        return pd.Series(table[pick], index=index, dtype="str")

    action = labels("action")
    for own in STATES_WITH_ACTIONS:
        table = np.array([*(action_for(d, own) for d in deadlines), None], dtype=object)
        action = action.mask(state == own, table[pick])

    return {
        "next_deadline": labels("id"),
        "next_label": labels("label"),
        "next_due": _dates_series(due, index),
        "next_days_left": _int_series(np.where(has, left, np.nan), index),
        "next_state": pd.Series(state, index=index, dtype="str"),
        "next_action": action,
    }


def calendar_warnings(deadlines: list[Deadline], done: dict[str, dict[str, np.ndarray]]) -> list[str]:
    """One warning naming the years without known holidays that a ``workdays`` or
    ``roll_forward`` deadline counted in (with weekends as the only rest days), and one naming the
    days of ``holidays:`` that chinesecalendar contradicts (it is followed)."""
    years: set[int] = set()
    names = []
    for d in deadlines:
        if d.workdays or d.roll_forward:
            r = done[d.id]
            found = workday_calendar(d.holidays).unknown_years(np.concatenate([r["start"], r["before_roll"], r["due"]]))
            if found:
                years |= found
                names.append(d.id)
    out = []
    if years:
        out.append(f"holiday calendar does not cover {', '.join(map(str, sorted(years)))}: weekends only "
                   f"(no statutory holidays) for deadlines {', '.join(names)}; update chinesecalendar, or give "
                   "the year's holidays in the rules file (holidays:)")
    return out + holiday_conflicts(deadlines)


def holiday_conflicts(deadlines: list[Deadline]) -> list[str]:
    """A warning naming the days of the rules files' ``holidays:`` that chinesecalendar
    contradicts in a year it knows (its calendar is followed), for every command that reads the
    rules (``rules check`` and ``rules show`` too)."""
    added = next((d.holidays for d in deadlines if d.holidays is not None), None)
    if added is None or not (ignored := workday_calendar(added).ignored):
        return []
    shown = some_of([f"{day:%Y-%m-%d}" for day in ignored[:5]], 5, total=len(ignored))
    verb = "contradicts" if len(ignored) == 1 else "contradict"
    return [f"{added.source}: holidays: {shown} {verb} the installed chinesecalendar, which knows "
            f"{'that year' if len({d.year for d in ignored}) == 1 else 'those years'}; its calendar is used "
            "(remove the year from holidays:)"]


def added_years(deadlines: list[Deadline]) -> tuple[str, str]:
    """The rules files' ``holidays:`` as ``rules show`` says them: the years chinesecalendar does
    not know (used), and those it knows (its calendar is followed); each '' when none."""
    added = next((d.holidays for d in deadlines if d.holidays is not None), None)
    if added is None:
        return "", ""
    known = workday_calendar(None).known
    used = [y for y in added.years if y not in known]
    return added.summary(used) if used else "", "、".join(f"{y}年" for y in sorted(added.years & known))


def evaluate(
    frame: pd.DataFrame,
    deadlines: list[Deadline],
    as_of: Any,
    masks_ctx: EvalContext | None = None,
    warnings: list[str] | None = None,
) -> pd.DataFrame:
    """Per deadline id X: ``X_due``, ``X_days_left`` (Int64), ``X_state`` (str); then
    ``next_deadline``, ``next_label``, ``next_due``, ``next_days_left``, ``next_state``,
    ``next_action`` for the most pressing open deadline (NA when none is open).

    ``masks_ctx`` is ``ruleset.evaluate(frame, as_of)`` when conditions name categories; the
    :func:`calendar_warnings` are appended to ``warnings`` when given."""
    done = _compute_all(frame, deadlines, as_of, masks_ctx or EvalContext(as_of))
    if warnings is not None:
        warnings.extend(calendar_warnings(deadlines, done))
    following = _next(deadlines, done, frame.index)
    columns: dict[str, pd.Series] = {}
    for d in deadlines:
        r = done.pop(d.id)  # each deadline's arrays let go as its columns are made
        columns[f"{d.id}_due"] = _dates_series(r["due"], frame.index)
        columns[f"{d.id}_days_left"] = _int_series(r["days_left"], frame.index)
        columns[f"{d.id}_state"] = pd.Series(r["state"], index=frame.index, dtype="str")
    # copy=False: the columns are new; copying them into one block per dtype held both at once
    # (with every deadline's arrays kept to the end, 52 MB above the result for 125,000 cases: the
    # peak of the command's triage)
    return pd.DataFrame(columns | following, index=frame.index, copy=False)


def age_days(filed_on: pd.Series, as_of: Any) -> pd.Series:
    """Days from filing to ``as_of`` (``as_of`` minus the filing date), Int64."""
    return (pd.Timestamp(as_of).normalize() - filed_on).dt.days.astype("Int64")


NEXT_COLUMNS = ["next_label", "next_due", "next_days_left", "next_state", "next_action"]
LISTED_COLUMNS = ["deadline", "deadline_label", "due", "days_left", "state", "action"]


class Listing(NamedTuple):
    """Cases listed by ``backlog overdue``: the rows, the deadline columns to show, the state
    column that colours each row."""

    cases: pd.DataFrame
    columns: list[str]
    state: str


def check_overdue_deadline(deadlines: Sequence[Deadline], name: str, within: int | None = None) -> str:
    """``backlog overdue --deadline ID``: the id of the deadline ID names (its id, else its label:
    法定执行期限); an OptionError unless it names one of the rules and, without ``within`` (cases
    coming due), a one-off one: a recurring deadline is never overdue, so the list would always be
    empty."""
    if (found := by_id_or_label(deadlines, name)) is None:
        known = [d.id for d in deadlines] + [d.label for d in deadlines]
        raise OptionError(f"--deadline: no deadline '{name}'{did_you_mean(name, known)} in the rules; "
                          f"they define: {', '.join(f'{d.id}（{d.label}）' for d in deadlines) or '(none)'}")
    if within is None and found.every is not None:
        raise OptionError(f"--deadline: deadline '{found.id}' recurs and is never overdue: name a one-off "
                          "deadline, or add --within D for the cases coming due on it")
    return found.id


def overdue_cases(
    cases: pd.DataFrame,
    deadlines: list[Deadline],
    as_of: Any,
    *,
    days: int | None = None,
    months: int | None = None,
    deadline: str | None = None,
    within: int | None = None,
) -> Listing:
    """Cases (with the columns of :func:`evaluate`) for ``backlog overdue``, with ``age_days``.

    ``days``: open at as_of and filed more than ``days`` days before it, oldest first; ``months``:
    more than ``months`` calendar months before it, as the rules' ``older_than`` counts (filed
    before as_of less the months, month ends clamped). ``deadline``
    and ``within``: one row per case and deadline (every deadline, or only ``deadline``) that is
    overdue, or, with ``within``, open and coming due in 0 … ``within`` days; most overdue or
    soonest first. The filters combine."""
    as_of = pd.Timestamp(as_of).normalize()
    age = age_days(cases["filed_on"], as_of)
    frame = cases.assign(age_days=age)
    if days is not None:
        frame = frame[open_mask(frame, as_of) & age.gt(days).fillna(False).to_numpy()]
    if months is not None:
        older = frame["filed_on"].lt(Span(months, "months").cutoff(as_of)).fillna(False).to_numpy()
        frame = frame[open_mask(frame, as_of) & older]
    if deadline is None and within is None:
        return Listing(frame.sort_values("age_days", ascending=False, kind="stable"),
                       NEXT_COLUMNS if deadlines else [], "next_state")
    if deadline is not None:
        deadline = check_overdue_deadline(deadlines, deadline, within)
    chosen = [d for d in deadlines if deadline in (None, d.id)]
    parts = []
    for d in chosen:
        state, left = frame[f"{d.id}_state"], frame[f"{d.id}_days_left"]
        keep = state.eq("overdue") if within is None else \
            state.isin(COMING_DUE_STATES) & left.between(0, within)
        part = frame[keep.fillna(False).to_numpy()]
        parts.append(part.assign(deadline=d.id, deadline_label=d.label, due=part[f"{d.id}_due"],
                                 days_left=part[f"{d.id}_days_left"],
                                 state=part[f"{d.id}_state"],
                                 action=action_for(d, "overdue" if within is None else "ok")))
    if not parts:  # no deadlines defined
        empty = pd.Series(dtype="str")
        parts = [frame.iloc[:0].assign(**dict.fromkeys(LISTED_COLUMNS, empty))]
    listed = pd.concat(parts, ignore_index=True)
    listed = listed.sort_values(["days_left", "age_days"], ascending=[True, False], kind="stable")
    return Listing(listed.reset_index(drop=True), LISTED_COLUMNS, "state")


# ---------------------------------------------------------------------------------------------
# explain: the arithmetic for one case


def _day(value: Any) -> str:
    return str(value) if not np.isnat(value) else "—"


def _steps(d: Deadline, r: dict[str, Any]) -> list[str]:
    """The arithmetic of one deadline for one case, one step per line (in Chinese, naming the
    rules' fields and deadlines by their ids)."""
    if d.relative_to is not None:
        offset = Span(abs(d.offset.n), d.offset.unit).chinese(d.workdays)
        steps = [f"{d.relative_to} 届满 {_day(r['start'])}",
                 f"{'+' if d.offset.n >= 0 else '−'} {offset} → {_day(r['before_roll'])}"]
    elif d.due_on is not None:
        steps = [f"固定日期 due_on {d.due_on:%Y-%m-%d}（{d.start} {_day(r['start'])}）"]
    elif d.every is not None:
        steps = [f"起算 {d.start} {_day(r['start'])}",
                 f"+ {r['occurrence']} × {d.every.chinese(d.workdays)}（第 {r['occurrence']} 次，{d.for_.chinese()}内共 "
                 f"{r['occurrences']} 次）→ {_day(r['before_roll'])}"]
    else:
        steps = [f"起算 {d.start} {_day(r['start'])}（自次日起算）",
                 f"+ {r['duration']} → {_day(r['base'])}"]
        if r["extension_months"] or r["extension_days"]:
            parts = [f"{r['extension_months']} 个月"] if r["extension_months"] else []
            parts += [f"{r['extension_days']} {'个工作日' if d.workdays else '日'}"] if r["extension_days"] else []
            steps.append(f"+ 延长 {' + '.join(parts)} → {_day(r['extended'])}")
        if not np.isnat(r["new_limit"]):
            steps.append(f"批准的新期限（{d.new_limit}）→ {_day(r['limit'])}")
        steps.extend(_deducted(d, r))
    if d.roll_forward and r["due"] != r["before_roll"]:
        steps.append(f"{_day(r['before_roll'])} 为节假日或休息日，顺延 → {_day(r['due'])}")
    steps.append(f"= 届满 {_day(r['due'])}")
    return steps


def _deducted(d: Deadline, r: dict[str, Any]) -> list[str]:
    """One step per period of one case: the days deducted, from which day to which, and what
    ended it (the end field, or --as-of or the close date when the end field is blank or later);
    a period begun before the start is counted from the start, and one begun after the due date
    (as it stood) or after --as-of or the close date is said not to be deducted."""
    steps, due = [], r["limit"]
    for i, pair in enumerate(d.deduct):
        given, n = r["period_start"][i], int(r["period_days"][i])
        cap = f"--as-of {_day(r['period_to'][i])}" if r["is_open"] else f"结案日期 {_day(r['period_to'][i])}"
        if np.isnat(given):
            continue
        if not n:
            if given > due:
                steps.append(f"  {pair.start} {_day(given)} 在届满日 {_day(due)} 之后：不扣除")
            elif r["period_ended_by"][i] and given > r["period_to"][i]:
                steps.append(f"  {pair.start} {_day(given)} 在 {cap} 之后：不扣除")
            elif not r["period_ended_by"][i] and r["period_to"][i] <= r["period_from"][i] and given < r["period_from"][i]:
                steps.append(f"  {pair.start} {_day(given)} → {pair.end} {_day(r['period_to'][i])} 在起算日"
                             f" {_day(r['period_from'][i])} 之前：不扣除")
            continue
        due = due + np.timedelta64(n, "D")
        begin, end = _day(r["period_from"][i]), _day(r["period_to"][i])
        ended_by = r["period_ended_by"][i]
        first = (f"{pair.start} {_day(given)} 早于起算日，自 {begin}" if given < r["period_from"][i]
                 else f"{pair.start} {begin}")
        if not ended_by:
            span = f"{first} → {pair.end} {end}"
        else:
            span = f"{first} 起，{pair.end} {'为空' if ended_by == 1 else '在其后'}，计至 {cap}"
        steps.append(f"+ 扣除 {n} 日（{span}）→ {_day(due)}")
    return steps


def _not_applying(d: Deadline, r: dict[str, Any], row: pd.DataFrame, ctx: EvalContext
                  ) -> list[str]:
    """Why a deadline shows n/a for a case."""
    if not r["condition"] and d.applies is not None:
        return ["适用条件不成立：", *d.applies.explain(row, ctx).lines(1)]
    if d.relative_to is not None:
        return [f"所依据的期限 {d.relative_to} 不适用"]
    start = row[d.start].iloc[0] if d.start in row else pd.NaT
    if d.due_on is not None and pd.notna(start) and start > d.due_on:
        return [f"{d.start} {start:%Y-%m-%d} 晚于固定日期 {d.due_on:%Y-%m-%d}：不适用"]
    return [f"{d.start} 为空或晚于 --as-of"]


def explain(
    row_frame: pd.DataFrame,
    deadlines: list[Deadline],
    as_of: Any,
    masks_ctx: EvalContext | None = None,
) -> list[dict[str, Any]]:
    """For the single case in ``row_frame``, one dict per deadline: id, label, action, source,
    state, due (Timestamp or None), days_left (int or None) and ``steps``, the arithmetic line by
    line (start, + duration, + extension, + deducted days, roll-forward, = due date).

    ``masks_ctx`` is ``ruleset.evaluate(row_frame, as_of)`` when conditions name categories."""
    if len(row_frame) != 1:
        raise ValueError(f"explain takes exactly one case, got {len(row_frame)}")
    ctx = masks_ctx if masks_ctx is not None else EvalContext(as_of)
    done = _compute_all(row_frame, deadlines, as_of, ctx, every_step=True)
    out = []
    for d in deadlines:
        r = {k: v[0] for k, v in done[d.id].items()}
        out.append({
            "id": d.id, "label": d.label, "action": action_for(d, r["state"]), "source": d.source,
            "state": r["state"],
            "due": pd.Timestamp(r["due"]) if not np.isnat(r["due"]) else None,
            "days_left": None if np.isnan(r["days_left"]) else int(r["days_left"]),
            "steps": _steps(d, r) if r["state"] != "n/a" else _not_applying(d, r, row_frame, ctx),
        })
    return out


# ---------------------------------------------------------------------------------------------
# loading the deadlines: sections of the rules files

DEADLINE_KEYS = (
    "id", "label", "description", "source", "enabled", "applies", "start", "duration",
    "duration_when", "workdays", "roll_forward", "extension_months", "extension_days",
    "new_limit", "deduct", "action", "overdue_action", "suspended_action", "warn_before", "every", "for",
    "relative_to", "offset", "due_on",
)
_ONE_OFF_ONLY = ("start", "duration", "duration_when", "workdays", "extension_months",
                 "extension_days", "new_limit", "deduct")
_SHAPES = ("duration", "relative_to", "every", "due_on")  # exactly one: one-off, relative, recurring, fixed day
# the keys that say how a deadline is counted: an override naming another shape inherits none of them
_COUNTING_KEYS = (*_ONE_OFF_ONLY, "relative_to", "offset", "every", "for", "due_on")
_RESERVED_IDS = ("next",)


@dataclass
class _Reader:
    """Reads one merged deadline (its keys' nodes), collecting located problems. ``whole`` is
    False for an entry set aside for its id: its keys are checked as written, not for what is
    missing (it may be meant to override another file's deadline); ``id`` is None when it has
    no usable one. ``columns``: the ledger's aliases, which give the kinds of the fields a columns
    file adds (see :func:`rules.compile_condition`)."""

    id: str | None
    node: Node
    keys: dict[str, Node]
    problems: list[str]
    whole: bool = True
    columns: Columns | None = None

    @property
    def name(self) -> str:
        return f"deadline '{self.id}'" if self.id else "this deadline"

    def has(self, key: str) -> bool:
        return key in self.keys

    def fail(self, key: str, message: str) -> None:
        self.problems.append(self.keys[key].problem(message) if key in self.keys
                             else self.node.problem(message))

    def text(self, key: str, default: str | None = None) -> str | None:
        if key not in self.keys:
            return default
        value = self.keys[key].value
        if not isinstance(value, str):
            self.fail(key, f"expected text, got {shown_value(value)}")
            return default
        if not value.strip():
            self.fail(key, f"{self.name} has an empty {key}")
            return default
        return value.strip()

    def date(self, key: str) -> pd.Timestamp | None:
        """A date in the years a ledger's dates may have (:data:`CALENDAR_YEARS`)."""
        if key not in self.keys:
            return None
        try:
            day = parse_date(self.keys[key].value)
        except ValueError as exc:
            self.fail(key, str(exc))
            return None
        if not CALENDAR_YEARS[0] <= day.year <= CALENDAR_YEARS[1]:
            self.fail(key, f"{day:%Y-%m-%d} is outside the years {CALENDAR_YEARS[0]}-{CALENDAR_YEARS[1]}; a typing slip?")
            return None
        return day

    def flag(self, key: str) -> bool:
        value = self.keys[key].value if key in self.keys else False
        if not isinstance(value, bool):
            self.fail(key, f"expected true or false, got {shown_value(value)}")
            return False
        return value

    def span(self, key: str, node: Node | None = None, *, least: int = 1) -> Span | None:
        node = node if node is not None else self.keys.get(key)
        if node is None:
            return None
        try:
            span = parse_span(node.value)
        except ValueError as exc:
            self.problems.append(node.problem(str(exc)))
            return None
        if span.n < least:
            self.problems.append(node.problem(
                f"must be {'positive' if least > 0 else 'zero or more'}, got '{node.value}'"))
            return None
        return span

    def field(self, node: Node, kind: str) -> str | None:
        """A canonical field name of the given kind (date or number), as the ledger is read: with
        the kind a columns file gives it, if any (:func:`rules.declared_kinds`)."""
        name, fields = node.value, canonical_fields()
        if not isinstance(name, str) or name not in fields:
            self.problems.append(node.problem(
                f"unknown field {name!r}{did_you_mean(name, fields)}" if isinstance(name, str) and name.strip()
                else f"expected a field name, got {shown_value(name)}"))
            return None
        declared = declared_kinds(self.columns)
        found = declared.get(name, fields[name].kind)
        if found != kind:
            given = ", as a columns file (--columns) gives it" if name in declared else ""
            self.problems.append(node.problem(
                f"field '{name}' is {with_article(found)} field{given}; expected {with_article(kind)} field"))
            return None
        return name

    def field_key(self, key: str, kind: str) -> str | None:
        return self.field(self.keys[key], kind) if key in self.keys else None


def _read_deductions(r: _Reader) -> tuple[Deduction, ...]:
    """The periods of ``deduct:``; one from and to the same field, one given twice and an empty
    list are mistakes (an override's empty list, which clears the inherited periods, never gets
    here)."""
    if not r.has("deduct"):
        return ()
    node = r.keys["deduct"]
    if not isinstance(node.value, list):
        r.fail("deduct", f"expected a list of periods such as {{from: suspended_on, to: "
                         f"resumed_on}}, got {shown_value(node.value)}")
        return ()
    if not node.value:
        r.fail("deduct", "an empty deduct: deducts nothing; remove it")
        return ()
    out: dict[Deduction, int] = {}
    for i, item in enumerate(node.items()):
        if not isinstance(item.value, dict) or set(item.value) != {"from", "to"}:
            extra = [k for k in item.value if k not in ("from", "to")] \
                if isinstance(item.value, dict) else []
            hint = "".join(f"; unknown key '{k}'{did_you_mean(k, ('from', 'to'))}" for k in extra)
            r.problems.append(item.problem(
                f"expected a period {{from: <date field>, to: <date field>}}{hint}"))
            continue
        start, end = r.field(item.child("from"), "date"), r.field(item.child("to"), "date")
        if not (start and end):
            continue
        period = Deduction(start, end)
        if start == end:
            r.problems.append(item.problem(
                f"a period from and to the same field '{start}' deducts nothing; end it with another date "
                f"field, e.g. {{from: suspended_on, to: resumed_on}}"))
        elif (end, start) in ORDERED_DATES:
            r.problems.append(item.problem(
                f"the period runs backwards: a case's {end} comes before its {start}, so it would deduct "
                f"nothing; write {{from: {end}, to: {start}}}"))
        elif period in out:
            r.problems.append(item.problem(f"the same period as deduct[{out[period]}]; it would be deducted twice"))
        else:
            out[period] = i
    return tuple(out)


def _read_duration_when(r: _Reader, categories: Collection[str]
                        ) -> tuple[tuple[Condition, Span], ...]:
    if not r.has("duration_when"):
        return ()
    node = r.keys["duration_when"]
    if not isinstance(node.value, list) or not node.value:
        r.fail("duration_when", "expected a list of {when: <condition>, duration: <length>}")
        return ()
    out = []
    for item in node.items():
        if not isinstance(item.value, dict) or set(item.value) != {"when", "duration"}:
            r.problems.append(item.problem(
                "expected {when: <condition>, duration: <length>}, e.g. {when: {field: cause, "
                "contains_any: [非诉]}, duration: 3 months}"))
            continue
        cond = compile_condition(item.child("when"), categories, r.problems, r.columns)
        span = r.span("duration", item.child("duration"))
        if cond is not None and span is not None:
            out.append((cond, span))
    return tuple(out)


def _check_shape(r: _Reader) -> str | None:
    """Which kind of deadline this is (one-off, relative, recurring, fixed day); None after a problem, or
    when an entry set aside names none."""
    kinds = [k for k in _SHAPES if r.has(k)]
    if len(kinds) != 1:
        if kinds or r.whole:
            r.fail("id", f"{r.name} needs exactly one of duration:, relative_to:, every: (with for:) or due_on:"
                         + (f"; found {', '.join(kinds)}" if kinds else ""))
        return None
    kind = kinds[0]
    allowed = {"duration": _ONE_OFF_ONLY, "relative_to": ("offset",),
               "every": ("start", "for"), "due_on": ("start",)}[kind]
    specific = {*_ONE_OFF_ONLY, "offset", "for"}
    for key in r.keys:
        if key in specific and key not in allowed:
            r.fail(key, f"'{key}' does not go with {kind}:")
    for needed in {"relative_to": ("offset",), "every": ("for",)}.get(kind, ()):
        if not r.has(needed) and r.whole:
            r.fail(kind, f"{kind}: needs {needed}:")
    return kind


def _build(r: _Reader, categories: Collection[str], earlier: Collection[str]) -> Deadline | None:
    """One Deadline from its merged keys, or None when it has problems."""
    before = len(r.problems)
    kind = _check_shape(r)
    applies = compile_condition(r.keys["applies"], categories, r.problems, r.columns) \
        if r.has("applies") else None
    relative_to = r.text("relative_to")
    if relative_to is not None and relative_to not in earlier:
        r.fail("relative_to", f"'{relative_to}' is not a deadline defined before this one"
                              f"{did_you_mean(relative_to, earlier)}")
    d = Deadline(
        id=r.id or "",
        label=r.text("label") or r.id or "",
        duration=r.span("duration"),
        start=r.field_key("start", "date") or "filed_on",
        applies=applies,
        duration_when=_read_duration_when(r, categories),
        workdays=r.flag("workdays"),
        roll_forward=r.flag("roll_forward"),
        extension_months=r.field_key("extension_months", "number"),
        extension_days=r.field_key("extension_days", "number"),
        new_limit=r.field_key("new_limit", "date"),
        deduct=_read_deductions(r),
        action=r.text("action"),
        overdue_action=r.text("overdue_action"),
        suspended_action=r.text("suspended_action"),
        source=r.text("source"),
        description=unfolded(r.text("description") or "") or None,
        warn_before=r.span("warn_before", least=0) or Span(0, "days"),
        every=r.span("every"),
        for_=r.span("for"),
        relative_to=relative_to,
        offset=r.span("offset", least=-10**6),
        due_on=r.date("due_on"),
        origin=r.node.at(),
    )
    if not r.has("label") and r.whole:
        r.fail("id", f"{r.name} has no label")
    if d.suspended_action and not d.deduct and not r.has("deduct") and not d.relative_to:
        r.fail("suspended_action", "suspended_action: needs deduct: or relative_to: (a case is suspended only "
                                   "while a deducted period runs)")
    if d.overdue_action and d.every:
        r.fail("overdue_action", "overdue_action does not go with every: (a recurring deadline is never overdue)")
    spans = [d.duration, *(s for _, s in d.duration_when)]
    if d.workdays and any(s is not None and s.unit != "days" for s in spans):
        r.fail("workdays", "workdays: true counts working days; give the duration in days")
    if d.every and d.for_ and _shorter(d.for_, d.every):
        r.fail("for", f"for: must be at least as long as every: ({d.every})")
    return d if kind and len(r.problems) == before else None


def _shorter(a: Span, b: Span) -> bool:
    """Whether span ``a`` is shorter than ``b`` from any start: across units a month is 28 to
    31 days (every 1 month for 30 days holds one occurrence from 31 January, none from 1 April)."""
    if a.unit == b.unit:
        return a.n < b.n
    return a.n < 28 * b.n if a.unit == "days" else 31 * a.n < b.n


def _override(base: dict[str, Node], keys: dict[str, Node]) -> dict[str, Node]:
    """A deadline's keys from earlier files (``base``) overridden by a later file's ``keys``.

    Key by key, except: naming another shape (:data:`_SHAPES`: duration:, relative_to:, every:, due_on:) than the one
    inherited inherits none of the counting keys (:data:`_COUNTING_KEYS`); ``deduct: []`` clears
    the inherited periods; after either, an inherited overdue_action or suspended_action that no
    longer goes with the deadline (every:; no deduct: nor relative_to:) is dropped."""
    given = {k for k in _SHAPES if k in keys}
    reshaped = bool(given) and given != {k for k in _SHAPES if k in base}
    if reshaped:
        base = {k: v for k, v in base.items() if k not in _COUNTING_KEYS}
    cleared = "deduct" in base and "deduct" in keys and keys["deduct"].value == []
    out = {**base, **keys}
    if cleared:
        del out["deduct"]
    if not (reshaped or cleared):
        return out
    unfit = {"overdue_action", "suspended_action"} if "every" in out else set()
    if "relative_to" not in out and "deduct" not in out:
        unfit.add("suspended_action")
    return {k: v for k, v in out.items() if k in keys or k not in unfit}


class _SetAside(NamedTuple):
    """A deadline entry with a bad, missing or duplicate id: still checked, key by key."""

    id: str | None
    node: Node
    keys: dict[str, Node]
    earlier: list[str]  # the ids declared before it


def _id_problem(item: Node, seen: Collection[str]) -> str | None:
    """What is wrong with a deadline entry's id, located, or None."""
    if "id" not in item.value:
        return item.problem("missing 'id'")
    did, node = item.value["id"], item.child("id")
    if did in _RESERVED_IDS:
        return node.problem(f"id '{did}' is reserved ({did}_due, {did}_days_left and {did}_state are the most "
                            "pressing deadline's columns); choose another")
    if (bad := slug_problem(node)) is not None:
        return bad
    return node.problem(f"duplicate deadline id '{did}'") if did in seen else None


def _merged(nodes: list[Node], problems: list[str], aside: list[_SetAside] | None = None
            ) -> dict[str, tuple[Node, dict[str, Node]]]:
    """Deadlines by id across files in order; a later file's keys override an earlier one's
    (:func:`_override`). Entries with a bad, missing or duplicate id go to ``aside``."""
    merged: dict[str, tuple[Node, dict[str, Node]]] = {}
    for section in nodes:
        if not isinstance(section.value, list):
            problems.append(section.problem(
                f"expected a list of deadlines, got {shown_value(section.value)}"))
            continue
        seen: set[str] = set()
        for item in section.items():
            if not isinstance(item.value, dict):
                problems.append(item.problem(
                    f"expected a deadline (a mapping with id, label, duration), got "
                    f"{shown_value(item.value)}"))
                continue
            for key in item.value:
                if key not in DEADLINE_KEYS:
                    problems.append(item.problem(
                        f"unknown key '{key}'{did_you_mean(key, DEADLINE_KEYS)}", item.key_mark(key)))
            keys = {k: item.child(k) for k in item.value if k in DEADLINE_KEYS}
            did = item.value.get("id")
            problem = _id_problem(item, seen)
            if problem is not None:
                problems.append(problem)
                if aside is not None:
                    name = did if isinstance(did, str) and did.strip() else None
                    aside.append(_SetAside(name, item, keys, list(merged)))
                continue
            seen.add(did)
            merged[did] = (item, _override(merged[did][1] if did in merged else {}, keys))
    return merged


def _read_deadlines(nodes: list[Node], categories: Collection[str], problems: list[str],
                    dropped: Collection[str] = (), columns: Columns | None = None) -> list[Deadline]:
    """The enabled deadlines of the ``deadlines:`` sections; problems are appended to ``problems``.
    A switched-off one is checked too, but may name a category a ``drop:`` left out (``dropped``):
    it is never evaluated, and switching it off is how a ruleset that drops a category leaves out
    a deadline it inherits that reads it. ``columns`` as for :func:`rules.compile_condition`."""
    out: list[Deadline] = []
    defined: list[str] = []
    aside: list[_SetAside] = []
    merged = _merged(nodes, problems, aside)
    for did, (node, keys) in merged.items():
        r = _Reader(did, node, keys, problems, columns=columns)
        enabled = not r.has("enabled") or r.flag("enabled")
        d = _build(r, categories if enabled else [*categories, *dropped], defined)
        defined.append(did)
        if d is not None and enabled:
            out.append(d)
    for entry in aside:
        _build(_Reader(entry.id, entry.node, entry.keys, problems, whole=False, columns=columns), categories,
               entry.earlier)
    labels: dict[str, str] = {}  # a label, as labels compare, → the deadline that has it
    for d in out:
        key = d.label.strip().casefold()
        if key in labels and "label" in merged[d.id][1]:
            problems.append(merged[d.id][1]["label"].problem(
                f"label '{d.label.strip()}' is also the label of deadline '{labels[key]}': each deadline needs its own "
                f"(it names the deadline's columns, {d.label.strip()}·届满日, and --deadline finds it by it)"))
        labels.setdefault(key, d.id)
    off = _switched_off(merged)
    for d in out:
        if d.relative_to in off:  # one dropped for problems of its own is reported where they are
            problems.append(merged[d.id][1]["relative_to"].problem(
                f"deadline '{d.id}' is relative to '{d.relative_to}', which is {_off_at(off[d.relative_to])}"))
    return out


def _switched_off(merged: dict[str, tuple[Node, dict[str, Node]]]) -> dict[str, Node]:
    """The ids of the deadlines switched off (``enabled: false``, as the last file to say so has
    it), with the node saying so."""
    return {did: keys["enabled"] for did, (_, keys) in merged.items()
            if "enabled" in keys and keys["enabled"].value is False}


def _off_at(enabled: Node) -> str:
    return f"switched off (enabled: false at {enabled.source}:{enabled.mark.line})"


def reference_problems(ruleset: Ruleset, deadlines: Sequence[Deadline]) -> list[str]:
    """A located problem for each ``deadline:`` condition of a category that names no enabled
    deadline (one switched off in the ruleset's ``deadlines:`` sections is said to be, and where) or a
    recurring one, and for each whose deadline depends on that category (through conditions or its
    base). The ids are checked as written, also in conditions that did not compile."""
    by_id = {d.id: d for d in deadlines}
    declared = _merged(list(ruleset.deadline_nodes), [])
    off = _switched_off(declared)
    edges: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for kind, owner, conds, base in [*(("category", c.id, [c.condition], None) for c in ruleset.categories),
                                     *(("deadline", d.id, _conditions(d), d.relative_to) for d in deadlines)]:
        out = edges.setdefault((kind, owner), set())
        for cond in conds:
            out |= {("category", cid) for cid in cond.references()}
            out |= {("deadline", ref.deadline) for ref in cond.deadline_refs() if ref.deadline in by_id}
        if base is not None:
            out.add(("deadline", base))

    def reaches(start: tuple[str, str], goal: tuple[str, str]) -> bool:
        seen, todo = {start}, [start]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    problems = [ref.node.problem(f"deadline '{d.id}': a deadline's conditions cannot read a deadline; "
                                 "deadline: conditions go in categories")
                for d in deadlines for cond in _conditions(d) for ref in cond.deadline_refs()]
    for mention in ruleset.deadline_mentions:
        named = mention.value
        if named in by_id and by_id[named].every is not None:
            problems.append(mention.problem(f"deadline '{named}' recurs and is never overdue; name a one-off deadline"))
        elif named in off:
            problems.append(mention.problem(f"deadline '{named}' is {_off_at(off[named])}"))
        elif named in declared.keys() - by_id.keys():
            pass  # dropped for problems of its own, reported where they are
        elif named not in by_id:
            listed = [did + (" (switched off)" if did in off else "" if did in by_id else " (invalid)")
                      for did in declared]
            problems.append(mention.problem(
                f"unknown deadline '{named}'{did_you_mean(named, declared)}; the rules define: "
                f"{', '.join(listed) or '(none)'}"))
    for cat in ruleset.categories:
        for ref in cat.condition.deadline_refs():
            if ref.deadline in by_id and reaches(("deadline", ref.deadline), ("category", cat.id)):
                problems.append(ref.node.problem(
                    f"reference cycle: category '{cat.id}' reads deadline '{ref.deadline}', which depends on "
                    f"category '{cat.id}'"))
    return problems


HOLIDAY_KEYS = ("days_off", "working_days")  # 放假, 调休上班 (off: and on: are unknown keys, named as typed)
_RUN_OF_DAYS = re.compile(r"^\s*(\S+)\s*(?:to|至|~|～)\s*(\S+)\s*$")


def _read_holidays(nodes: list[Node], problems: list[str]) -> Holidays | None:
    """The ``holidays:`` sections of the files, a later file adding to an earlier one:
    ``days_off:`` (放假) and ``working_days:`` (the weekend days worked in lieu, 调休上班), each a
    day or a run of days (``2027-02-05 to 2027-02-11``); problems are appended to ``problems``."""
    if not nodes:
        return None
    off: dict[dt.date, Node] = {}
    on: dict[dt.date, Node] = {}
    for node in nodes:
        if not isinstance(node.value, dict):
            problems.append(node.problem(f"expected days_off: and working_days: lists, got {shown_value(node.value)}"))
            continue
        for key in node.value:
            if key not in HOLIDAY_KEYS:
                hint = did_you_mean(str(key), HOLIDAY_KEYS) or " (the keys are days_off and working_days)"
                problems.append(node.problem(f"unknown key '{key}'{hint}", node.key_mark(key)))
        if "days_off" not in node.value:
            problems.append(node.problem("missing 'days_off:' (the days off the State Council's notice gives)"))
        for key, into in zip(HOLIDAY_KEYS, (off, on)):
            if key in node.value:
                _read_days(node.child(key), into, problems, may_be_empty=key == "working_days")
    for day in sorted(off.keys() & on.keys()):
        problems.append(on[day].problem(f"{day:%Y-%m-%d} is under both days_off: and working_days:"))
    return Holidays(frozenset(off), frozenset(on), ", ".join(dict.fromkeys(n.source for n in nodes)))


def _read_days(node: Node, into: dict[dt.date, Node], problems: list[str], may_be_empty: bool) -> None:
    """The days of one ``days_off:`` or ``working_days:`` list into ``into`` (with the item naming
    each); a year may have no working days in lieu."""
    if not isinstance(node.value, list) or not (node.value or may_be_empty):
        got = shown_value(node.value)
        problems.append(node.problem("expected a list of days such as 2027-01-01, or 2027-02-05 to 2027-02-11 for a "
                                     f"run of days, got {got}"))
        return
    for item in node.items():
        try:
            days = _days(item.value)
        except ValueError as exc:
            problems.append(item.problem(str(exc)))
            continue
        for day in days:
            into.setdefault(day, item)


def _days(value: Any) -> list[dt.date]:
    """One item of a holidays list: a day, or a run of days ``FIRST to LAST`` (至 or ~ also)."""
    if isinstance(value, (list, dict)):
        raise ValueError(_not_one_item(value))
    if isinstance(value, str) and (m := _RUN_OF_DAYS.match(value)):
        first, last = parse_date(m[1]).date(), parse_date(m[2]).date()
        if last < first:
            raise ValueError(f"'{value}' ends before it begins")
        if (last - first).days > 31:
            raise ValueError(f"'{value}' is a run of more than a month; a typing slip?")
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    else:
        days = [parse_date(value).date()]
    if not CALENDAR_YEARS[0] <= days[0].year <= days[-1].year <= CALENDAR_YEARS[1]:
        raise ValueError(f"{days[0]:%Y-%m-%d} is outside the years {CALENDAR_YEARS[0]}-{CALENDAR_YEARS[1]}")
    return days


def _not_one_item(value: list | dict) -> str:
    """What is wrong with a list or a mapping as an item of a holidays list (``- [2026-10-01,
    2026-10-02]``) and what to write instead, with the days it holds when it holds days."""
    shown = [_day_text(v) for v in value] if isinstance(value, list) else []
    if not shown or None in shown:
        got = shown_value(value)
        return (f"expected a day or a run of days, got {got}: write each day as an item of its own "
                "(- 2026-10-01), or a run of days as one item (- 2026-10-01 to 2026-10-07)")
    if len(shown) == 1:
        return f"expected a day or a run of days, got a list of one item: take off the inner brackets (- {shown[0]})"
    items = some_of([f"- {d}" for d in shown], 3)
    advice = f"take off the inner brackets, so that each is an item of its own ({items})"
    if all(isinstance(v, dt.date) for v in value) and all((b - a).days == 1 for a, b in zip(value, value[1:])):
        advice += f", or write them as a run of days in one item (- {shown[0]} to {shown[-1]})"
    return f"expected a day or a run of days, got a list of {len(shown)} items: {advice}"


def _day_text(value: Any) -> str | None:
    """An item of a list inside a holidays list as the outer list takes it, or None when it is no
    day or run of days."""
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, str):
        try:
            _days(value)
        except ValueError:
            return None
        return value.strip()
    return None


def _with_holidays(deadlines: list[Deadline], holidays: Holidays | None) -> list[Deadline]:
    return deadlines if holidays is None else [dataclasses.replace(d, holidays=holidays) for d in deadlines]


def load_deadlines(ruleset: Ruleset) -> list[Deadline]:
    """The deadlines of a ruleset's files, validated; raises RulesError listing every problem."""
    problems: list[str] = []
    out = _read_deadlines(ruleset.deadline_nodes, [c.id for c in ruleset.categories], problems, ruleset.dropped)
    holidays = _read_holidays(ruleset.holiday_nodes, problems)
    problems += reference_problems(ruleset, out)
    if problems:
        raise RulesError(problems)
    return _with_holidays(out, holidays)


def load_ruleset(specs: Sequence[str | Path] | None = None,
                 columns: Columns | None = None) -> tuple[Ruleset, list[Deadline]]:
    """Rules files checked whole: categories and deadlines, with every problem in either raised
    together as one RulesError (what ``backlog rules check`` reports). ``specs`` and ``columns``
    (the ledger's aliases with its columns files) as for :func:`rules.load_rules`."""
    ruleset, declared, problems = read_rules(specs, columns)
    deadlines = _read_deadlines(ruleset.deadline_nodes, declared, problems, ruleset.dropped, columns)
    holidays = _read_holidays(ruleset.holiday_nodes, problems)
    problems += reference_problems(ruleset, deadlines)
    if problems:
        raise RulesError(problems)
    return ruleset, _with_holidays(deadlines, holidays)


def bundled_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """What ``backlog rules list`` shows: the bundled rulesets, each with its description and its
    counts of categories and deadlines (规则集, 说明, 类别数, 期限数), then their categories
    (规则集, 类别编号, 类别)."""
    bundled = list_bundled()
    rulesets = pd.DataFrame([{"规则集": b.name, "说明": b.description, "类别数": len(b.categories),
                              "期限数": len(load_deadlines(load_rules([b.name])))} for b in bundled])
    categories = pd.DataFrame([{"规则集": b.name, "类别编号": c.id, "类别": c.label}
                               for b in bundled for c in b.categories])
    return rulesets, categories


def ruleset_tables(ruleset: Ruleset, deadlines: Sequence[Deadline]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """What ``backlog rules show`` shows of a ruleset: its categories in priority order (优先级,
    类别编号, 类别, 说明, 依据), then its deadlines (期限编号, 期限, 届满日计算 as :func:`due_rule`
    says it, 应办事项, 超期后应办, 中止期间应办, 说明, 依据), None when it has none."""
    categories = pd.DataFrame([
        {"优先级": c.priority, "类别编号": c.id, "类别": c.label, "说明": c.description, "依据": c.source}
        for c in ruleset.categories
    ])
    if not deadlines:
        return categories, None
    return categories, pd.DataFrame([
        {"期限编号": d.id, "期限": d.label, "届满日计算": due_rule(d), "应办事项": d.action,
         "超期后应办": d.overdue_action or "", "中止期间应办": d.suspended_action or "",
         "说明": d.description, "依据": d.source}
        for d in deadlines])
