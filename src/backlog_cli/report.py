"""The monthly report sent upward by the 28th (三清理 practice, seed 002).

For a month M, with the ledger classified as of a day D of M's period (``--as-of``; default the
period's last day, or today while that day is ahead, so that a report sent on the 28th is
reproduced later with ``--as-of`` that day). The period is the calendar month, or with a report
day N (backlog.yaml ``report_day``, 1-28) the statistical month (统计月) from the day after day N of
the month before to day N of M, both included (上月29日至本月28日 for a report due by the 28th), so
that a case closed on the 29th-31st counts in the next month's report, not in none. Below, "closed
in M" is closed in the period:

* per category of the ruleset: cases closed in M up to D and cases open at D (then all cases).
  A case open at D counts under the categories it has at D; a case closed in M counts under
  the categories it had when it was closed: the rules evaluated as of its close date, with the
  close not yet recorded and with it (:func:`flags_when_closed`), so a case open for over a year
  that was closed in M by 终本 counts as an over-a-year case closed and as a 终本 case closed. Every case filed by D and not closed before the period
  counts once in the 全部案件 row, as closed in M or open at D, and a category's two counts add up
  to its cases worked on in M: those closed while in it, and those in it at D;
* every key case open at D (category ``key`` when the ruleset has it, else any category),
  officer by officer in the order below, oldest filing first: the reason it is not closed, the
  next step and the time limit, from the ledger's ``reason_open`` / ``next_step`` /
  ``expected_close`` fields (未结原因 / 下一步打算 / 预计结案时间), ``plan_passed`` (a time limit
  typed as a day before D: :func:`_plan_passed`), and ``missing``, the ids of those
  blank or absent from the ledger. The frames keep codes for CSV and JSON (a blank is missing,
  ``missing`` a list of field ids); the workbook and terminal show a blank as 未填写 and ``missing``
  as the fields' labels joined with 、;
* per officer (names compared and ordered as in the task lists: pinyin, 未分配 last): open at D,
  closed in M, key cases open;
* open cases by age band at D, and the trend of open cases over the runs in the history up to D;
* the cases behind the counts: every case closed in M up to D (本月执结) and every case open at D
  (月末未结), officer by officer as above, each with the categories it counts under and, when open,
  its age band, so that each count of the tables above is the number of rows of a list.

The xlsx has native Excel charts: open cases by age band, by category, and the trend (its sheet is
left out when the history holds no run up to D).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from backlog_cli import outputs
from backlog_cli.assignment import PLAN_FIELDS, UNASSIGNED, group_keys, group_order, plan_text
from backlog_cli.errors import ConfigError
from backlog_cli.history import open_history
from backlog_cli.loading import load_columns
from backlog_cli.parsing import option_month, parse_dates
from backlog_cli.rules import TOTAL_ID, TOTAL_LABEL, Ruleset, Span, category_lists, closed_mask, open_mask
from backlog_cli.deadlines import age_days
from backlog_cli.triage import Triage, key_mask

MISSING = "未填写"
# Age bands of open cases (days since filing, at the month's end): label and upper bound (inclusive).
# Open time since filing, in calendar months as `older_than: 6 months` and `overdue --months 6`
# count them: a band holds the cases older than the one before's months and not older than its own.
AGE_BANDS = (("3个月以内", 3), ("3至6个月", 6), ("6个月至1年", 12), ("1至2年", 24), ("2年以上", None))
KEY_CASE_COLUMNS = ["case_no", "officer", "categories", "filed_on", "age_days", "reason_open", "next_step",
                    "expected_close", "plan_passed", "missing"]
# The case lists behind the counts: a case in short, as the key cases begin, then its cause and respondent.
CLOSED_CASE_COLUMNS = ["case_no", "officer", "categories", "filed_on", "closed_on", "cause", "respondent"]
OPEN_CASE_COLUMNS = ["case_no", "officer", "categories", "filed_on", "age_days", "band", "cause", "respondent"]
# Headers: the ledger's and backlog's own columns as everywhere (the columns config), and the
# report's own columns.
REPORT_LABELS = {"closed_in_month": "本月执结", "open_at_end": "月末未结", "key_open": "重点案件未结", "missing": "缺项",
                 "plan_passed": "已过预计结案时间",
                 "band": "未结时长", "open": "未结案件", "as_of": "日期"}


# The tables that list cases, one row per case: their titles say how many (the others are said empty
# when they are).
CASE_LISTS = ("key_cases", "closed_in_month", "open_at_end")
# Each table's sheet name in the workbook and title on the terminal (CSV files and JSON keys keep
# the names on the left).
SHEET_NAMES = {"categories": "分类统计", "key_cases": "重点案件", "officers": "承办人", "age_bands": "未结时长",
               "trend": "趋势", "closed_in_month": REPORT_LABELS["closed_in_month"],
               "open_at_end": REPORT_LABELS["open_at_end"]}
# The tables on the terminal: the counts and the key cases (the case lists behind the counts are
# in the written outputs).
TERMINAL_TABLES = ("categories", "key_cases", "officers", "age_bands", "trend")
# 本期执结: the closed cases' header and sheet with a report day (the period is not the calendar month).
PERIOD_CLOSED = "本期执结"


@cache
def _default_field_labels() -> dict[str, str]:
    """The labels of the bundled columns file's fields and of the columns backlog adds, for a
    report made without the ledger's own (``loading._bundled_labels`` is the added columns' only)."""
    return load_columns().labels()


@dataclass
class MonthlyReport:
    """The report's tables, each a frame ready for the output layer."""

    month: pd.Period
    end: pd.Timestamp  # the day counted at, in the period
    categories: pd.DataFrame  # category, label, closed_in_month, open_at_end
    key_cases: pd.DataFrame  # KEY_CASE_COLUMNS
    officers: pd.DataFrame  # officer, open_at_end, closed_in_month, key_open
    age_bands: pd.DataFrame  # band, open
    trend: pd.DataFrame  # as_of, open
    closed_cases: pd.DataFrame  # CLOSED_CASE_COLUMNS: the cases closed in the month up to ``end``
    open_cases: pd.DataFrame  # OPEN_CASE_COLUMNS: the cases open at ``end``
    category_labels: dict[str, str] = field(default_factory=dict)  # id → label, for the sheets
    field_labels: dict[str, str] = field(default_factory=_default_field_labels)  # the ledger's columns' labels
    day: int | None = None  # the report day (backlog.yaml report_day); None: the calendar month

    @property
    def first(self) -> pd.Timestamp:
        """The period's first day."""
        return period_days(self.month, self.day)[0]

    @property
    def last(self) -> pd.Timestamp:
        """The period's last day."""
        return period_days(self.month, self.day)[1]

    @property
    def title(self) -> str:
        """The month and the day counted at; with a report day, the period too."""
        span = "" if self.day is None else f"统计期间{self.first.date()}至{self.last.date()}，"
        return f"{self.month.year}年{self.month.month}月执行案件清理进展（{span}截至{self.end.date().isoformat()}）"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"categories": self.categories, "key_cases": self.key_cases, "officers": self.officers,
                "age_bands": self.age_bands, "trend": self.trend, "closed_in_month": self.closed_cases,
                "open_at_end": self.open_cases}

    def sheet_name(self, name: str) -> str:
        """A table's sheet name and terminal title; the open cases' says the day when counted before
        the month's end, as their count's header does; with a report day the closed cases' is 本期执结."""
        if name == "closed_in_month" and self.day is not None:
            return PERIOD_CLOSED
        return self.labels()[name] if name == "open_at_end" else SHEET_NAMES[name]

    def table_title(self, name: str, frame: pd.DataFrame, title: str | None = None) -> str:
        """A table's title (``title``, else its sheet name): a case list's says how many cases it
        lists, another table's that it is empty when it is."""
        title = self.sheet_name(name) if title is None else title
        if name in CASE_LISTS:
            return outputs.case_count_title(title, len(frame))
        return outputs.table_title(title, len(frame))

    def labels(self) -> outputs.Labels:
        """Headers (月末未结 when the report counts at the end of the calendar month, else
        截至M月D日未结; with a report day, 本期执结 and the days its closes were counted in), and the
        key cases' category ids by their labels (CSV and JSON keep the ids)."""
        heads = {**self.field_labels, **REPORT_LABELS}
        if self.day is not None:
            heads["closed_in_month"] = f"{PERIOD_CLOSED}（{self.first.date()}至{self.end.date()}）"
        if self.day is not None or self.end != self.month.end_time.normalize():
            heads["open_at_end"] = f"截至{self.end.month}月{self.end.day}日未结"
        return outputs.Labels(heads, {"categories": self.category_labels})

    def _shown(self) -> dict[str, pd.DataFrame]:
        """The tables as the workbook and terminal show them: no category ids beside their labels,
        blank plans as 未填写, the missing fields by their labels."""
        return {**self.tables(), "categories": self.categories.drop(columns="category"),
                "key_cases": _shown_key_cases(self.key_cases, self.field_labels)}

    def output(self) -> outputs.Output:
        """For the output layer: the key cases as the CSV records (the other tables beside them),
        every table in JSON, one workbook with charts, every non-empty table of
        :data:`TERMINAL_TABLES` on the terminal, and the key cases even when none is open, their
        title saying so (重点案件：0 件)."""
        tables = self.tables()
        return outputs.Output(
            self.key_cases, name="key_cases", sheets=self.sheets(), heading=self.title,
            tables=[outputs.Sheet(name, frame, labels=self.labels(), title=self.table_title(name, frame))
                    for name, frame in self._shown().items() if name in TERMINAL_TABLES and (len(frame) or name in CASE_LISTS)],
            payload={"month": str(self.month), **self._period(), "end": self.end, **tables},
            beside={name: frame for name, frame in tables.items() if name != "key_cases"},
        )

    def _period(self) -> dict[str, pd.Timestamp]:
        """With a report day, the period's first and last day (JSON keys ``first_day``, ``last_day``)."""
        return {} if self.day is None else {"first_day": self.first, "last_day": self.last}

    def sheets(self) -> list[outputs.Sheet]:
        """The xlsx workbook: one sheet per table, each titled with the report's month and day (a
        case list's title with how many cases it lists, another table's said empty when it is),
        charts beside the data; no trend sheet without a run recorded up to the day counted at (a
        sheet of headers alone says nothing, and a text row would break its date column and chart)."""
        shown, heads = self._shown(), self.labels()
        per_category = shown["categories"][self.categories["category"] != TOTAL_ID]
        charts = {"categories": [_bar_chart("label", "open_at_end", "未结案件（按类别）", len(per_category))],
                  "age_bands": [_bar_chart("band", "open", "未结案件（按立案时长）", len(self.age_bands), "column")],
                  "trend": [_line_chart("as_of", "open", "未结案件趋势")]}
        return [outputs.Sheet(self.sheet_name(name), frame, labels=heads, charts=charts.get(name, []),
                              title=self.table_title(name, frame, self.title if name == "categories"
                                                     else f"{self.title}：{self.sheet_name(name)}"),
                              total_rows=int(name == "categories"))
                for name, frame in shown.items() if name != "trend" or len(frame)]


def parse_month(text: str) -> pd.Period:
    """``YYYY-MM`` (1950-2100, the years ledger dates are read in; also 2026-1, 2026/10, 2026.10
    and 2026年10月, as ``--as-of`` takes a day: ``parsing.option_month``) as a monthly period;
    anything else is a ConfigError."""
    try:
        year, month = option_month(text)
    except ValueError as exc:
        raise ConfigError(f"--month {exc}") from None
    return pd.Period(dt.date(year, month, 1), freq="M")


def due_month(as_of: dt.date | None, today: dt.date, day: int | None = None) -> pd.Period:
    """The month reported on when none is given: the one whose period (``day``: the report day)
    holds ``as_of``; without it, the calendar month of ``today``, which with a report day is the
    period just ended from the day after day ``day`` to the month's end (on the 26th with
    ``report_day: 25``, the month whose report is due by the 28th, counted at its last day)."""
    if as_of is None:
        return pd.Period(today, freq="M")
    as_of = pd.Timestamp(as_of)
    month = pd.Period(as_of, freq="M")
    return month + 1 if day is not None and as_of.day > day else month


def period_days(month: pd.Period, day: int | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last day of ``month``'s report period: the calendar month; with a report day
    ``day`` (1-28), the day after day ``day`` of the month before to day ``day`` of ``month``
    (2017-02 with 28: 2017-01-29 to 2017-02-28; 2024-03 with 28: 2024-02-29 to 2024-03-28)."""
    if day is None:
        return month.start_time.normalize(), month.end_time.normalize()
    before = month - 1
    return (pd.Timestamp(before.year, before.month, day) + pd.Timedelta(days=1),
            pd.Timestamp(month.year, month.month, day))


def month_warnings(month: pd.Period, today: dt.date, end: pd.Timestamp | None = None,
                   day: int | None = None) -> list[str]:
    """A report for a month whose period (``day``: the report day) has not begun counts nothing that
    happened in it, and one counted at a day still to come (``end``, an --as-of after today) counts
    that day as if it had passed: say so."""
    first, last = period_days(month, day)
    if first.date() > today:
        counted = str((last if end is None else end).date())
        if day is None and counted == str(last.date()):
            counted = "the month's last day"
        if day is None:
            return [f"--month {month} has not begun (today is {today.isoformat()}): nothing closed in it yet, "
                    f"and the ledger is counted as of {counted} as if nothing more happens until then"]
        return [f"--month {month}'s period ({first.date()} to {last.date()}, report_day: {day}) has not begun "
                f"(today is {today.isoformat()}): nothing closed in it yet, and the ledger is counted as of "
                f"{counted} as if nothing more happens until then"]
    if end is not None and end.date() > today:
        return [f"--as-of {end.date()} is after today ({today.isoformat()}): the ledger cannot hold what happens "
                "until then, so the report counts as if nothing more will"]
    return []


def report_day(month: pd.Period, as_of: dt.date | None = None, today: dt.date | None = None,
               day: int | None = None) -> pd.Timestamp:
    """The day the report counts at: ``as_of`` (which must fall in the month's period, ``day`` the
    report day); else ``today`` while the period runs (what has happened so far, not a day still
    to come); else the period's last day."""
    start, end = period_days(month, day)
    if as_of is None:
        now = pd.Timestamp(today) if today is not None else None
        return now if now is not None and start <= now <= end else end
    as_of = pd.Timestamp(as_of).normalize()
    if not start <= as_of <= end:
        if day is None:
            raise ConfigError(f"--as-of {as_of.date()} is not in --month {month}: give a day from "
                              f"{start.date()} to {end.date()} (default: the month's last day, "
                              "or today in the current month)")
        raise ConfigError(f"--as-of {as_of.date()} is not in the period of --month {month} (report_day: {day}): "
                          f"give a day from {start.date()} to {end.date()} (default: {end.date()}, or today "
                          "while that day is ahead)")
    return as_of


def report_dates(month: pd.Period | None, as_of: dt.date | None, today: dt.date,
                 day: int | None = None) -> tuple[pd.Period, pd.Timestamp]:
    """The month a report is for and the day it is counted at, for `report monthly` (``as_of``: the
    day --as-of gives, ``cli.given_day``) and the nightly run: ``month``, else the one due
    (:func:`due_month`), and :func:`report_day` in its period (``day``: the report day)."""
    month = due_month(as_of, today, day) if month is None else month
    return month, report_day(month, as_of, today, day)


def closed_in_month(cases: pd.DataFrame, month: pd.Period, end: pd.Timestamp, day: int | None = None) -> pd.Series:
    """Cases closed in ``month``'s period (``day``: the report day) up to ``end``: closed at ``end``
    and not before the period began."""
    before = period_days(month, day)[0] - pd.Timedelta(days=1)
    return pd.Series(closed_mask(cases, end) & ~closed_mask(cases, before), index=cases.index)


def flags_when_closed(cases: pd.DataFrame, flags: pd.DataFrame, ruleset: Ruleset, closed: pd.Series) -> pd.DataFrame:
    """``flags`` with the rows of the ``closed`` cases replaced by the categories each had on the
    day it was closed: those it had just before the close (the rules evaluated as of its close
    date with its close date removed: ``open: true`` holds, ``filed_on older_than: 1 year``
    compares the close date) and those the close gave it (evaluated as of the close date with it:
    ``closed: true`` and the close method, 终本). A case over a year old closed by 终本 counts as
    both.

    Two evaluations per distinct close date (a month has at most 31), each over that day's cases.
    Status and close method are read as the ledger holds them now, unless it records a 中止 or 恢复
    after the close date (then unknown, as at any --as-of: rules.STANDING_FIELDS)."""
    rows = cases[closed.to_numpy(dtype=bool)]
    if rows.empty:
        return flags
    ids = [c.id for c in ruleset.categories]
    before_close = rows.assign(closed_on=pd.Series(pd.NaT, index=rows.index, dtype=rows["closed_on"].dtype))
    parts = []
    for day, group in rows.groupby("closed_on", sort=True):
        before, at = ruleset.evaluate(before_close.loc[group.index], day), ruleset.evaluate(group, day)
        parts.append(pd.DataFrame({cid: before.masks[cid].to_numpy(dtype=bool) | at.masks[cid].to_numpy(dtype=bool)
                                   for cid in ids}, index=group.index))
    out = flags.copy()
    at_close = pd.concat(parts)
    out.loc[at_close.index, ids] = at_close
    return out


def history_trend(target: str, end: pd.Timestamp, named_at: str | None = None) -> pd.DataFrame:
    """Open cases over the runs recorded up to ``end``; empty when there is no history yet. The
    history is only read (one of an older version as it is: only `backlog run` upgrades it);
    ``named_at`` as for :func:`history.open_history`."""
    if "://" not in target and not Path(target).exists():
        return trend_frame([], end)
    with open_history(target, read_only=True, named_at=named_at) as store:
        return trend_frame(store.run_counts(), end)


def _missing_fields(plans: pd.DataFrame) -> pd.Series:
    """Per row, the list of PLAN_FIELDS missing in ``plans``: one shared list per combination."""
    absent = plans[list(PLAN_FIELDS)].isna().to_numpy(dtype=bool)
    codes = absent @ (1 << np.arange(len(PLAN_FIELDS)))
    lists = np.empty(1 << len(PLAN_FIELDS), dtype=object)
    lists[:] = [[f for i, f in enumerate(PLAN_FIELDS) if code >> i & 1] for code in range(len(lists))]
    return pd.Series(lists[codes], index=plans.index, dtype=object)


def _shown_key_cases(key_cases: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """The key cases as shown: a blank plan field as 未填写, the missing fields' labels joined with 、."""
    shown = key_cases.assign(**{f: key_cases[f].fillna(MISSING) for f in PLAN_FIELDS})
    texts = outputs.per_distinct_cell(key_cases["missing"], lambda ids: "、".join(names[f] for f in ids), by_object=True)
    shown["missing"] = texts.astype("str")
    return shown


def _key_cases(cases: pd.DataFrame, officer: pd.Series, open_end: pd.Series, key: pd.Series,
               end: pd.Timestamp) -> pd.DataFrame:
    rows = cases[open_end & key]
    out = pd.DataFrame({
        "case_no": rows["case_no"].astype("str"),
        "officer": officer[rows.index],
        "categories": rows["categories"] if "categories" in rows else [[] for _ in range(len(rows))],
        "filed_on": rows["filed_on"],
        "age_days": age_days(rows["filed_on"], end),
    })
    for name in PLAN_FIELDS:
        out[name] = plan_text(rows, name)
    out["plan_passed"] = _plan_passed(out["expected_close"], end)
    out["missing"] = _missing_fields(out)
    by_officer = out.assign(officer=group_order(out["officer"]))
    order = by_officer.sort_values(["officer", "filed_on", "case_no"], kind="stable").index
    return out.loc[order].reset_index(drop=True)[KEY_CASE_COLUMNS]


def _plan_passed(expected: pd.Series, end: pd.Timestamp) -> pd.Series:
    """Whether a time limit (预计结案时间) is a day before ``end``, the case still open then: the
    date its officer set has passed. Only a date counts: words (年底前, 拍卖后) and a bare number
    (a count of days or months, not an Excel day number) never pass."""
    dated = expected.str.contains(r"\D", na=False).to_numpy(dtype=bool)
    days = parse_dates(expected.where(dated))[0]
    return days.lt(end).fillna(False).astype(bool)


def _band_index(filed_on: pd.Series, end: pd.Timestamp) -> np.ndarray:
    """Per case, the position of its band of AGE_BANDS at ``end``."""
    older = [filed_on.lt(Span(months, "months").cutoff(end)).to_numpy() for _, months in AGE_BANDS[:-1]]
    return np.sum(older, axis=0, dtype="int64") if older else np.zeros(len(filed_on), "int64")


def _age_bands(filed_on: pd.Series, end: pd.Timestamp) -> pd.DataFrame:
    """Open cases per band of AGE_BANDS at ``end``."""
    counts = np.bincount(_band_index(filed_on, end), minlength=len(AGE_BANDS))
    return pd.DataFrame({"band": pd.Series([label for label, _ in AGE_BANDS], dtype="str"), "open": counts.astype("int64")})


def _text(rows: pd.DataFrame, name: str) -> pd.Series:
    """A text field of ``rows``; missing throughout when the ledger has no such column."""
    return rows[name].astype("str") if name in rows else pd.Series(pd.NA, index=rows.index, dtype="str")


def _case_list(cases: pd.DataFrame, flags: pd.DataFrame, officer: pd.Series, rows: pd.Series,
               end: pd.Timestamp, closed: bool) -> pd.DataFrame:
    """The ``rows`` of ``cases`` in short, officer by officer (pinyin, 未分配 last), oldest filing
    first: with the categories they count under (``flags``) and the close date, or (open) the age
    and age band at ``end``."""
    picked = cases[rows.to_numpy(dtype=bool)]
    if closed and "closed_on" not in picked:  # no close dates: no case closed in the month
        picked = picked.assign(closed_on=pd.Series(pd.NaT, index=picked.index, dtype=picked["filed_on"].dtype))
    out = pd.DataFrame({"case_no": picked["case_no"].astype("str"), "officer": officer[picked.index],
                        "categories": category_lists(flags.loc[picked.index].fillna(False).astype(bool)),
                        "filed_on": picked["filed_on"]})
    if closed:
        out["closed_on"] = picked["closed_on"]
    else:
        out["age_days"] = age_days(picked["filed_on"], end)
        labels = np.array([label for label, _ in AGE_BANDS], dtype=object)
        out["band"] = pd.Series(labels[_band_index(picked["filed_on"], end)], index=picked.index, dtype="str")
    out["cause"], out["respondent"] = _text(picked, "cause"), _text(picked, "respondent")
    order = out.assign(officer=group_order(out["officer"])).sort_values(["officer", "filed_on", "case_no"],
                                                                        kind="stable").index
    return out.loc[order].reset_index(drop=True)[CLOSED_CASE_COLUMNS if closed else OPEN_CASE_COLUMNS]


def trend_frame(run_counts: Sequence[tuple[dt.date, dict[str, Any]]], end: pd.Timestamp) -> pd.DataFrame:
    """Open cases per recorded run up to ``end`` (from :meth:`History.run_counts`)."""
    rows = [(pd.Timestamp(d), int(c["open"])) for d, c in run_counts if pd.Timestamp(d) <= end and "open" in c]
    return pd.DataFrame({"as_of": pd.Series([r[0] for r in rows], dtype="datetime64[ns]"),
                         "open": pd.Series([r[1] for r in rows], dtype="int64")})


def report_from(result: Triage, month: pd.Period, day: int | None, trend: pd.DataFrame | None,
                labels: Mapping[str, str] | None = None) -> MonthlyReport:
    """The report for ``month`` (``day``: the report day) from a triage counted at the day the
    report counts at (``result.as_of``): the cases closed in the period count under the
    categories they had when closed (:func:`flags_when_closed`), the ruleset's categories in its
    order."""
    end = result.as_of
    closed = closed_in_month(result.cases, month, end, day)
    flags = flags_when_closed(result.cases, result.flags, result.ruleset, closed)
    categories = [(c.id, c.label) for c in result.ruleset.categories]
    return monthly_report(result.cases, flags, categories, month, trend, end, labels, day)


def monthly_report(
    cases: pd.DataFrame,
    flags: pd.DataFrame,
    categories: Sequence[tuple[str, str]],
    month: pd.Period,
    trend: pd.DataFrame | None = None,
    end: pd.Timestamp | None = None,
    labels: Mapping[str, str] | None = None,
    day: int | None = None,
) -> MonthlyReport:
    """The report for ``month`` counted at ``end`` (a day of the month's period, default its last
    day; ``day``, the report day, makes the period the day after day ``day`` of the month before
    to day ``day`` of ``month``: :func:`period_days`).

    ``flags`` holds one boolean column per category id, aligned with ``cases`` (as the rules
    engine gives them): for a case open at ``end`` its categories at ``end``, for a case closed in
    the month those it had when closed (:func:`flags_when_closed`). ``categories`` are the
    (id, label) pairs in report order; ``labels`` the ledger columns' (with a --columns file's:
    ``Columns.labels()``; default the bundled ones).
    """
    end = report_day(month, end, day=day)
    open_end = pd.Series(open_mask(cases, end), index=cases.index)
    closed_in = closed_in_month(cases, month, end, day)
    rows = []
    ids = [cid for cid, _ in categories]
    counted = flags.reindex(columns=ids, fill_value=False).fillna(False).astype(bool)
    for cid, label in categories:
        m = counted[cid]
        rows.append((cid, label, int((m & closed_in).sum()), int((m & open_end).sum())))
    rows.append((TOTAL_ID, TOTAL_LABEL, int(closed_in.sum()), int(open_end.sum())))
    per_category = pd.DataFrame(rows, columns=["category", "label", "closed_in_month", "open_at_end"])
    key = key_mask(flags) if len(flags.columns) else pd.Series(False, index=cases.index)
    officer = (group_keys(cases, "officer") if "officer" in cases
               else pd.Series(UNASSIGNED, index=cases.index, dtype="str"))
    officers = (
        pd.DataFrame({"officer": officer, "open_at_end": open_end.astype(int), "closed_in_month": closed_in.astype(int),
                      "key_open": (open_end & key).astype(int)})
        .groupby("officer", sort=False).sum().reset_index()
        .sort_values("officer", key=group_order, kind="stable")
    )
    officers = officers[officers[["open_at_end", "closed_in_month"]].sum(axis=1) > 0].reset_index(drop=True)
    return MonthlyReport(
        month=month, end=end, categories=per_category,
        key_cases=_key_cases(cases, officer, open_end, key, end),
        officers=officers.astype({"officer": "str"}),
        age_bands=_age_bands(cases.loc[open_end, "filed_on"], end),
        trend=trend if trend is not None else trend_frame([], end),
        closed_cases=_case_list(cases, counted, officer, closed_in, end, closed=True),
        open_cases=_case_list(cases, counted, officer, open_end, end, closed=False),
        category_labels=dict(categories),
        field_labels=dict(labels) if labels is not None else _default_field_labels(),
        day=day,
    )


# ------------------------------------------------------------------------------- charts


def _bar_chart(category_col: str, value_col: str, title: str, rows: int, kind: str = "bar") -> outputs.ChartHook:
    """A hook adding a bar (or column) chart of the first ``rows`` data rows beside the table."""
    def hook(workbook: Workbook, ws: Worksheet, layout: outputs.SheetLayout) -> None:
        if rows == 0:
            return
        chart = workbook.add_chart({"type": kind})
        first, last = layout.first_row, layout.first_row + rows - 1
        chart.add_series({
            "name": title,
            "categories": [layout.name, first, layout.columns[category_col], last, layout.columns[category_col]],
            "values": [layout.name, first, layout.columns[value_col], last, layout.columns[value_col]],
            "data_labels": {"value": True},
        })
        chart.set_title({"name": title})
        chart.set_legend({"none": True})
        if kind == "bar":  # bars read top down in the table's order (Excel draws the first at the bottom)
            chart.set_y_axis({"reverse": True, "crossing": "max"})
        ws.insert_chart(layout.header_row, len(layout.columns) + 1, chart)
    return hook


def _line_chart(x_col: str, y_col: str, title: str) -> outputs.ChartHook:
    """A hook adding a line chart of the table's rows beside it, ``x_col`` its days on a date
    axis; a single day on a text axis, which shows the day as its cell does (a date axis of one
    point has no unit of days to count in: LibreOffice labels it the year's first day)."""
    def hook(workbook: Workbook, ws: Worksheet, layout: outputs.SheetLayout) -> None:
        if layout.last_row < layout.first_row:
            return
        chart = workbook.add_chart({"type": "line"})
        chart.add_series({
            "name": title,
            "categories": [layout.name, layout.first_row, layout.columns[x_col], layout.last_row, layout.columns[x_col]],
            "values": [layout.name, layout.first_row, layout.columns[y_col], layout.last_row, layout.columns[y_col]],
            "marker": {"type": "circle"},
        })
        chart.set_title({"name": title})
        chart.set_legend({"none": True})
        axis = "date_axis" if layout.last_row > layout.first_row else "text_axis"
        chart.set_x_axis({axis: True, "num_format": outputs.DATE_FORMAT})
        ws.insert_chart(layout.header_row, len(layout.columns) + 1, chart)
    return hook
