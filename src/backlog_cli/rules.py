"""The rule language: YAML categories checked like a compiler, compiled to vectorised masks.

A rules file (documented in docs/rules.md) lists categories, each with a ``when`` condition built
from field operators (``contains_any``, ``matches``, ``gt`` …), the combinators ``all`` / ``any`` /
``not`` and references to other categories (``category: minsheng``). Loading collects every problem
in every file read, each located as ``file:line:col: yaml.path: message``, and raises them together
as one :class:`RulesError`. Conditions compile once into functions over the whole case frame;
text operators run on the distinct values of a column and are mapped back through its codes; a
regular expression runs only on the values that hold a text every match of it needs.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field as dc_field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import regex
import yaml

from backlog_cli.config import GuardedLoader, key_set_twice, not_text, yaml_problem
from backlog_cli.errors import NotUtf8, RulesError, counted, did_you_mean, read_utf8, shown_value, slip_note, some_of
from backlog_cli.loading import CLOSED_STATUS, KIND_FIXED, SOURCE_COLUMNS, Columns, load_columns, unrecognised_hint
from backlog_cli.outputs import FLAG_TEXT
from backlog_cli.parsing import (case_ids, clean_values, day_parts, factorize_objects, first_rows, normalize_text, normalize_value,
                                  option_day, parse_case_numbers, parse_case_text)

__all__ = [
    "OPERATORS",
    "BundledRuleset",
    "Category",
    "CategoryExplanation",
    "Condition",
    "EvalContext",
    "ExplainNode",
    "Node",
    "Ruleset",
    "Span",
    "add_months",
    "add_months_days",
    "bundled_rules_dir",
    "canonical_fields",
    "compile_condition",
    "deadline_mentions",
    "fields_adding_cases",
    "list_bundled",
    "load_rules",
    "missing_columns",
    "missing_field_warnings",
    "open_mask",
    "read_rules",
    "parse_span",
    "required_texts",
    "slug_problem",
    "with_article",
]

RESULT_COLUMNS = ("categories", "primary_category")
TOTAL_ID = "all"
TOTAL_LABEL = "全部案件"  # the summary's row of every case, and the workbook's sheet of them
SUMMARY_LABEL = "底数"  # the workbook's sheet of the category counts
FILE_KEYS = ("version", "description", "extends", "drop", "categories", "deadlines", "holidays")
CATEGORY_KEYS = ("id", "label", "description", "source", "priority", "when")
COMBINATORS = ("all", "any", "not")
LEAF_TARGETS = ("field", "column")
KNOWN_CASE_TYPES = ("执", "执恢", "执保", "执异", "执复", "执监", "执协", "执他", "财保", "行审", "行审复")
# Text operators run on the distinct values held as Python strings, so ``matches`` uses Python's
# regex syntax (look-arounds, (?x)) whether or not pyarrow backs pandas' default str dtype.
PY_STR = pd.StringDtype("python", na_value=np.nan)
_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


# --------------------------------------------------------------------------- YAML with locations


class Mark(NamedTuple):
    """A 1-based line and column in a rules file."""

    line: int
    col: int


def _mark(yaml_mark: yaml.Mark) -> Mark:
    return Mark(yaml_mark.line + 1, yaml_mark.column + 1)


class LocDict(dict):
    """A mapping that remembers where it, each key and each value start, and any duplicate keys."""

    mark: Mark
    key_marks: dict[Any, Mark]
    value_marks: dict[Any, Mark]
    duplicates: list[tuple[Any, Mark]]


class LocList(list):
    """A sequence that remembers where it and each item start."""

    mark: Mark
    item_marks: list[Mark]


class LocatedLoader(GuardedLoader):
    """A guarded safe loader (no object construction, no alias bombs) whose mappings and lists carry their marks."""

    def _construct_map(self, node: yaml.MappingNode) -> Iterator[LocDict]:
        _expect(node, yaml.MappingNode, "mapping")
        data = LocDict()
        data.mark, data.key_marks, data.value_marks, data.duplicates = _mark(node.start_mark), {}, {}, []
        yield data
        explicit = {id(k) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"}
        self.flatten_mapping(node)  # merged pairs (<<: *anchor) first, then the explicit ones
        merged: set[Any] = set()
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool, dt.date)) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            if id(key_node) not in explicit:
                merged.add(key)  # a later merged mapping's key, or an explicit one, overrides it
            elif key in merged:
                merged.discard(key)
            elif key in data:
                data.duplicates.append((key, _mark(key_node.start_mark)))
                continue
            data[key] = self.construct_object(value_node, deep=True)
            data.key_marks[key] = _mark(key_node.start_mark)
            data.value_marks[key] = _mark(value_node.start_mark)

    def _construct_seq(self, node: yaml.SequenceNode) -> Iterator[LocList]:
        _expect(node, yaml.SequenceNode, "sequence")
        data = LocList()
        data.mark, data.item_marks = _mark(node.start_mark), [_mark(n.start_mark) for n in node.value]
        yield data
        data.extend(self.construct_object(n, deep=True) for n in node.value)


def _expect(node: yaml.Node, kind: type[yaml.Node], what: str) -> None:
    """A YAML error located at ``node`` unless it is of ``kind``, as the safe loader says it: a
    value tagged as what it is not (``label: !!seq 超期``, ``when: !!map [a]``)."""
    if not isinstance(node, kind):
        raise yaml.constructor.ConstructorError(None, None, f"expected a {what} node, but found {node.id}",
                                                node.start_mark)


LocatedLoader.add_constructor("tag:yaml.org,2002:map", LocatedLoader._construct_map)
LocatedLoader.add_constructor("tag:yaml.org,2002:seq", LocatedLoader._construct_seq)
# A number written 1e6 or 2.5E3 is text to YAML 1.1 (its floats need a dot and a signed exponent,
# 1.0e+6): a rules file means the number, as YAML 1.2 reads it.
LocatedLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"), list("-+0123456789."))


@dataclass(frozen=True)
class Node:
    """A value read from a rules file with its file, YAML path and position, for located messages."""

    value: Any
    source: str
    path: str
    mark: Mark

    def at(self, mark: Mark | None = None) -> str:
        """``file:line:col`` of this node (of ``mark`` when given), as its problems begin."""
        line, col = mark or self.mark
        return f"{self.source}:{line}:{col}"

    def problem(self, message: str, mark: Mark | None = None) -> str:
        """``file:line:col: path: message`` (at ``mark`` when given, else at this node)."""
        return f"{self.at(mark)}: {self.path + ': ' if self.path else ''}{message}"

    def child(self, key: Any) -> Node:
        """The value under ``key`` of this mapping."""
        path = f"{self.path}.{key}" if self.path else str(key)
        marks = getattr(self.value, "value_marks", {})
        return Node(self.value[key], self.source, path, marks.get(key, self.mark))

    def items(self) -> list[Node]:
        """The items of this list."""
        marks = getattr(self.value, "item_marks", [self.mark] * len(self.value))
        return [Node(v, self.source, f"{self.path}[{i}]", m) for i, (v, m) in enumerate(zip(self.value, marks))]

    def key_mark(self, key: Any) -> Mark:
        return getattr(self.value, "key_marks", {}).get(key, self.mark)


def slug_problem(node: Node) -> str | None:
    """The problem with an id (of a category or a deadline) that is not an ASCII slug, or None."""
    value = node.value
    if isinstance(value, str) and _ID.match(value):
        return None
    return node.problem(f"id must be an ASCII slug (a lower-case letter, then letters, digits, _ or -), got {shown_value(value)}")


def _duplicate_problems(node: Node) -> list[str]:
    """Every duplicate key anywhere under ``node``."""
    out: list[str] = []
    if isinstance(node.value, LocDict):
        out += [node.problem(key_set_twice(key, node.value.key_marks[key].line), mark)
                for key, mark in node.value.duplicates]
        for key in node.value:
            out += _duplicate_problems(node.child(key))
    elif isinstance(node.value, list):
        for item in node.items():
            out += _duplicate_problems(item)
    return out


def _read_yaml(path: Path, display: str) -> tuple[Node | None, list[str]]:
    """The root node of a YAML file and its duplicate-key problems, or the parse error."""
    try:
        text = read_utf8(path)
    except NotUtf8 as exc:
        return None, [f"{display}:{exc.line}:{exc.column}: {exc.reason}"]
    except OSError as exc:
        return None, [f"{display}: cannot read: {exc}"]
    try:
        value = yaml.load(text, Loader=LocatedLoader)  # noqa: S506 - LocatedLoader is a SafeLoader
    except yaml.reader.ReaderError as exc:
        line, col, problem = not_text(text, exc, "a rules file")
        return None, [f"{display}:{line}:{col}: {problem}"]
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, col = _mark(where) if where else (1, 1)
        return None, [f"{display}:{line}:{col}: invalid YAML: {yaml_problem(exc)}"]
    root = Node(value, display, "", getattr(value, "mark", Mark(1, 1)))
    return root, _duplicate_problems(root)


# --------------------------------------------------------------------------- fields


@dataclass(frozen=True)
class FieldInfo:
    """A canonical field of the case frame and its kind (see columns.yaml)."""

    name: str
    kind: str
    label: str


DERIVED_FIELDS = {
    "case_year": FieldInfo("case_year", "number", "收案年度"),
    "court_code": FieldInfo("court_code", "text", "法院代字"),
    "case_type": FieldInfo("case_type", "text", "案件类型"),
    "case_seq": FieldInfo("case_seq", "number", "案件序号"),
}


@cache
def _bundled_columns() -> Columns:
    return load_columns()


@cache
def canonical_fields() -> dict[str, FieldInfo]:
    """The fields a rule may name: the bundled columns plus the parts parsed from the case number.
    (A field added by a user's aliases file is a ledger column: rules name it with ``column:``.)"""
    fields = {s.name: FieldInfo(s.name, s.kind, s.label) for s in _bundled_columns().fields.values()}
    return {**fields, **DERIVED_FIELDS}


def declared_kinds(columns: Columns | None) -> dict[str, str]:
    """The kinds columns files (--columns) give, as the ledger was read with them: of each field
    they add to the canonical ones, and of a canonical field whose kind they change (预计结案时间
    kept as dates: ``expected_close: {kind: date}``; ``loading.KIND_FIXED`` says which may change).
    A ``field:`` or ``column:`` naming one reads it with that kind."""
    if columns is None:
        return {}
    fields = canonical_fields()
    return {name: spec.kind for name, spec in columns.fields.items()
            if name not in fields or fields[name].kind != spec.kind}


# --------------------------------------------------------------------------- spans of time


@dataclass(frozen=True)
class Span:
    """A length of time: ``n`` days or ``n`` months (weeks are 7 days, years 12 months)."""

    n: int
    unit: str  # "days" | "months"

    def __str__(self) -> str:
        if self.unit == "months" and self.n and self.n % 12 == 0:
            years = self.n // 12
            return f"{years} year{'s' if abs(years) != 1 else ''}"
        return f"{self.n} {self.unit[:-1] if abs(self.n) == 1 else self.unit}"

    def chinese(self, workdays: bool = False) -> str:
        """The span as a clerk reads it (explain): 1 年, 6 个月, 30 日, 15 个工作日."""
        if self.unit == "months":
            return f"{self.n // 12} 年" if self.n and self.n % 12 == 0 else f"{self.n} 个月"
        return f"{self.n} 个工作日" if workdays else f"{self.n} 日"

    def add(self, dates: pd.Series) -> pd.Series:
        """Each date plus this span (months clamp to the month end)."""
        if self.unit == "months":
            return add_months(dates, self.n)
        return pd.to_datetime(dates) + pd.Timedelta(days=self.n)

    def cutoff(self, as_of: pd.Timestamp) -> pd.Timestamp:
        """The first date D for which D + span is not before ``as_of``.

        ``date + span < as_of`` (more than the span has passed) exactly when ``date < cutoff``.
        """
        as_of = pd.Timestamp(as_of).normalize()
        if self.unit == "days":
            return as_of - pd.Timedelta(days=self.n)
        back = add_months(pd.Series([as_of]), -self.n).iloc[0]
        # When going back clamped the day (03-31 - 1 month = 02-28), every day of that short
        # month still lands before as_of going forward, so the cutoff is the next day.
        return back + pd.Timedelta(days=1) if back.day < as_of.day else back


_SPAN = re.compile(
    r"^\s*(?P<n>[-+]?[0-9]+)\s*(?P<unit>days?|d|weeks?|w|months?|m|years?|y|天|日|周|个月|月|年)\s*$",
    re.IGNORECASE,
)
_SPAN_UNITS = {"day": ("days", 1), "d": ("days", 1), "天": ("days", 1), "日": ("days", 1),
               "week": ("days", 7), "w": ("days", 7), "周": ("days", 7),
               "month": ("months", 1), "m": ("months", 1), "个月": ("months", 1), "月": ("months", 1),
               "year": ("months", 12), "y": ("months", 12), "年": ("months", 12)}

MAX_SPAN_YEARS = 100
MAX_SPAN = {"days": MAX_SPAN_YEARS * 36525 // 100, "months": MAX_SPAN_YEARS * 12}  # 36,525 days, 1,200 months


def parse_span(text: object) -> Span:
    """``"6 months"``, ``"180 days"``, ``"1 year"``, ``"2 weeks"``, ``"3个月"`` → Span.

    Raises ValueError with a short message for anything else, or for a length over MAX_SPAN_YEARS.
    """
    m = _SPAN.match(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"expected a length such as '6 months', '180 days' or '1 year', got {shown_value(text)}")
    raw = m["unit"].lower()
    unit, factor = _SPAN_UNITS[raw.rstrip("s") if raw.isascii() else raw]
    span = Span(int(m["n"]) * factor, unit)
    if abs(span.n) > MAX_SPAN[unit]:
        raise ValueError(f"'{text.strip()}' is too long: a length is at most {MAX_SPAN_YEARS} years")
    return span


def by_id_or_label(items: Sequence[Any], name: str) -> Any | None:
    """Of categories or deadlines, the one whose id is ``name``, else the one whose label is (what
    tables and workbooks show: 涉民生, 法定执行期限); None when neither."""
    for attr in ("id", "label"):
        for item in items:
            if getattr(item, attr) == name:
                return item
    return None


def labels_by_id(items: Iterable[Any]) -> dict[str, str]:
    """Of categories or deadlines, each one's label by its id (minsheng → 涉民生): how tables,
    workbooks and explanations show the ids."""
    return {item.id: item.label for item in items}


def add_months(dates: pd.Series, months: int) -> pd.Series:
    """Each date plus ``months`` calendar months, clamped to the month end; NaT stays NaT.

    2024-08-31 + 6 → 2025-02-28; 2023-08-31 + 6 → 2024-02-29; 2024-03-31 - 1 → 2024-02-29.
    """
    days = pd.to_datetime(dates).to_numpy(dtype="datetime64[D]")
    return pd.Series(add_months_days(days, months).astype("datetime64[ns]"), index=dates.index, name=dates.name)


def add_months_days(days: np.ndarray, months: int | np.ndarray) -> np.ndarray:
    """:func:`add_months` on a datetime64[D] array, by one count or one count per row."""
    days = np.asarray(days, dtype="datetime64[D]")
    if days.ndim == 0:
        return add_months_days(days[None], months)[0]
    nat = np.isnat(days)
    if nat.all():
        return days.copy()
    counts = np.broadcast_to(np.asarray(months, dtype="int64"), days.shape)
    z = days.view("int64")
    z = np.where(nat, z[np.argmax(~nat)], z)  # a NaT would stretch the table below to the year -292 million
    month, day0 = _through_table(z, _month_and_day)
    first, length = _through_table(month + counts, _month_bounds)
    return np.where(nat, np.datetime64("NaT", "D"), (first + np.minimum(day0, length - 1)).view("datetime64[D]"))


_TABLE_SPAN = 1 << 20  # about 2,900 years of days


def _through_table(values: np.ndarray, fn: Callable[[np.ndarray], tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    """``fn(values)``, computed once per value of their range and gathered: a ledger's dates span a
    few thousand days, and numpy's calendar conversions cost more per element than the gather (a
    million dates plus six months: 0.12 s converted, 0.03 s through tables)."""
    lo, hi = int(values.min()), int(values.max())
    if hi - lo > _TABLE_SPAN:
        return fn(values)
    at = values - lo
    return tuple(table[at] for table in fn(np.arange(lo, hi + 1, dtype="int64")))


def _month_and_day(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970-01-01 as (months since 1970-01, day of the month counted from 0)."""
    month = days.view("datetime64[D]").astype("datetime64[M]")
    return month.view("int64"), days - month.astype("datetime64[D]").view("int64")


def _month_bounds(months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Months since 1970-01 as (their first day in days since 1970-01-01, their length in days)."""
    first = months.view("datetime64[M]").astype("datetime64[D]").view("int64")
    return first, (months + 1).view("datetime64[M]").astype("datetime64[D]").view("int64") - first


# --------------------------------------------------------------------------- evaluation context


@dataclass
class EvalContext:
    """What conditions are evaluated against besides the frame: --as-of, the categories (``masks``
    as evaluated; ``conditions`` to evaluate a category on first reference) and the deadlines a
    ``deadline:`` condition reads (``deadline_results``: the frame, a deadline id and this context
    to that deadline's ``due`` and ``state`` arrays)."""

    as_of: pd.Timestamp
    masks: dict[str, pd.Series] = dc_field(default_factory=dict)
    conditions: Mapping[str, Condition] = dc_field(default_factory=dict, repr=False)
    deadline_results: Callable[[pd.DataFrame, str, EvalContext], Mapping[str, np.ndarray]] | None = \
        dc_field(default=None, repr=False)
    deadlines_done: dict[tuple[int, str], dict[str, np.ndarray]] = dc_field(default_factory=dict, repr=False)
    _codes: dict[tuple[int, str, bool], tuple[np.ndarray, pd.Series]] = dc_field(default_factory=dict, repr=False)
    _texts: dict[tuple[int, str, bool], Texts] = dc_field(default_factory=dict, repr=False)
    _leaves: dict[tuple, np.ndarray] = dc_field(default_factory=dict, repr=False)
    later: dict[tuple[int, str], np.ndarray | None] = dc_field(default_factory=dict, repr=False)  # ColumnRef.changed_later

    def __post_init__(self) -> None:
        self.as_of = pd.Timestamp(self.as_of).normalize()

    def category(self, frame: pd.DataFrame, category: str) -> np.ndarray:
        """A category's mask, evaluated on first reference when it is not yet."""
        if category not in self.masks:
            self.masks[category] = self.conditions[category].mask(frame, self)
        return self.masks[category].to_numpy(dtype=bool)

    def factorized(self, frame: pd.DataFrame, column: str, normalized: bool = False) -> tuple[np.ndarray, pd.Series]:
        """The column's codes (-1 for missing) and distinct values, computed once per frame;
        ``normalized``: the distinct values as rules compare free text (NFKC, single spaces), so
        that a full-width （集团） in the ledger matches (集团) in a rule."""
        key = (id(frame), column, normalized)
        if key not in self._codes:
            s = frame[column]
            if isinstance(s.dtype, pd.CategoricalDtype):
                codes, values = s.cat.codes.to_numpy(), s.cat.categories.astype(str).to_numpy(dtype=object)
            else:
                # the plain object array, by object first: equal cells are often one object
                codes, values = factorize_objects(s.to_numpy(dtype=object))
            if normalized:
                values = _rule_text(values)
            self._codes[key] = (np.asarray(codes), pd.Series(values, dtype=PY_STR))
        return self._codes[key]

    def texts(self, frame: pd.DataFrame, column: str, normalized: bool = False) -> tuple[np.ndarray, Texts]:
        """Like :meth:`factorized`, with the distinct values joined for literal searches."""
        codes, values = self.factorized(frame, column, normalized)
        key = (id(frame), column, normalized)
        if key not in self._texts:
            self._texts[key] = Texts(values.to_numpy(dtype=object, na_value=None))
        return codes, self._texts[key]


def _rule_text(values: np.ndarray) -> np.ndarray:
    """Distinct cell values as :func:`normalize_text` cleans them, NA as None. Distinct strings (the
    usual case) are cleaned in one pass of :func:`clean_values`, without ``normalize_text``'s
    per-call overhead (three times the cleaning itself)."""
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        return normalize_text(pd.Series(values, dtype=object)).to_numpy(dtype=object, na_value=None)
    return clean_values(values)


_SEP = "\x00"  # between joined values: not whitespace, NFKC-stable, in no literal a search scans for


class Texts:
    """Distinct text values (None for missing) and their join into one string with ``\\x00``
    between them, so that a search for literal texts scans all of them in one C-level pass."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values
        texts = [v or "" for v in values]
        lengths = np.fromiter(map(len, texts), np.int64, len(texts))
        self.joined = _SEP.join(texts)
        self.starts = np.cumsum(lengths + 1) - (lengths + 1)

    def __len__(self) -> int:
        return len(self.values)

    def containing(self, finder: re.Pattern) -> np.ndarray:
        """Per value, whether ``finder`` matches in it; ``finder`` (from :func:`_literal_finder`)
        starts with a literal and cannot match the separator, so each match lies in one value."""
        hits = np.fromiter((m.start() for m in finder.finditer(self.joined)), np.int64)
        out = np.zeros(len(self.values), bool)
        out[np.searchsorted(self.starts, hits, side="right") - 1] = True
        return out


Mask = Callable[[pd.DataFrame, EvalContext], np.ndarray]


def _bools(result: Any) -> np.ndarray:
    """A boolean result as a plain numpy array, missing as False."""
    if isinstance(result, (pd.Series, pd.Index)):
        return result.to_numpy(dtype=bool, na_value=False)
    return np.asarray(result, dtype=bool)


def open_mask(frame: pd.DataFrame, as_of: pd.Timestamp) -> np.ndarray:
    """Open at ``as_of``: filed on or before it and no close date on or before it."""
    as_of = pd.Timestamp(as_of).normalize()
    filed = _bools(frame["filed_on"].le(as_of)) if "filed_on" in frame else np.ones(len(frame), bool)
    closed = _bools(frame["closed_on"].le(as_of)) if "closed_on" in frame else np.zeros(len(frame), bool)
    return filed & ~closed


def closed_mask(frame: pd.DataFrame, as_of: pd.Timestamp) -> np.ndarray:
    """Closed at ``as_of``: filed and closed on or before it. With :func:`open_mask` this splits
    every case filed by ``as_of`` into open or closed; a case filed later is neither."""
    if "closed_on" not in frame:
        return np.zeros(len(frame), bool)
    as_of = pd.Timestamp(as_of).normalize()
    filed = _bools(frame["filed_on"].le(as_of)) if "filed_on" in frame else np.ones(len(frame), bool)
    return filed & _bools(frame["closed_on"].le(as_of))


# --------------------------------------------------------------------------- columns read by rules


# Fields that say how a case stands now, and the dates of the events that set them: once the
# ledger records one of these after --as-of (a 中止 typed in October), the field no longer says how
# the case stood at --as-of and reads as missing then, as the later date itself does.
STANDING_FIELDS = {"status": ("suspended_on", "resumed_on", "closed_on"), "close_method": ("closed_on",)}


@dataclass(frozen=True)
class ColumnRef:
    """The column a leaf condition reads: a canonical field, or a ledger header (``column:``)."""

    name: str
    kind: str
    canonical: bool = True

    def series(self, frame: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.Series:
        """The column's values; with ``as_of``, a date of a canonical field after it is missing: at
        ``as_of`` a close, a suspension or a resumption dated later has not happened yet (as the
        deadlines count it). A date column a columns file adds (a planned 下次查询) keeps its dates."""
        if self.name not in frame:
            dtype = {"date": "datetime64[ns]", "amount": "float64", "number": "Float64", "flag": "boolean"}
            return pd.Series(index=frame.index, dtype=dtype.get(self.kind, "str"))  # all missing
        s = frame[self.name]
        if as_of is not None and self.events and s.gt(as_of).any():
            return s.where(~s.gt(as_of))
        return s

    def not_yet(self, value: Any, as_of: pd.Timestamp) -> bool:
        """Whether :meth:`series` reads ``value`` of this column as missing at ``as_of``."""
        return self.events and isinstance(value, pd.Timestamp) and value > as_of

    @property
    def events(self) -> bool:
        """Whether the column's dates are events, read as not yet happened after --as-of: the
        canonical date fields' (not those of a text field a columns file reads as dates, such as
        预计结案时间: a planned day)."""
        return self.canonical and self.kind == "date" and canonical_fields()[self.name].kind == "date"

    def changed_later(self, frame: pd.DataFrame, ctx: EvalContext) -> np.ndarray | None:
        """For a field that says how a case stands now (:data:`STANDING_FIELDS`), the rows whose
        ledger records one of its events after --as-of: their value was set later, so it reads
        as missing at --as-of; None when no row has one, or for another column. Once per frame
        and field for every condition on it."""
        events = STANDING_FIELDS.get(self.name, ()) if self.canonical else ()
        if not events:
            return None
        key = (id(frame), self.name)
        if key not in ctx.later:
            later = np.zeros(len(frame), bool)
            for name in events:
                if name in frame:
                    later |= _bools(frame[name].gt(ctx.as_of))
            ctx.later[key] = later if later.any() else None
        return ctx.later[key]

    def as_of_note(self, value: Any, row: pd.DataFrame, ctx: EvalContext) -> str | None:
        """What ``backlog explain`` says of the case's ``value`` of this column in its one-case
        ``row`` when the rules read it as missing at --as-of: :data:`LATER_THAN_AS_OF` for a date
        after it, :data:`CHANGED_LATER` for a standing field set by a later event; else None."""
        if self.not_yet(value, ctx.as_of):
            return LATER_THAN_AS_OF
        if _plain(value) is not None and self.changed_later(row, ctx) is not None:
            return CHANGED_LATER
        return None

    def on_values(self, test: Callable[[pd.Series], Any], missing: bool = False) -> Mask:
        """A mask that runs ``test`` on the column's distinct values (text) or on the column."""
        if self.kind not in ("text", "case_no"):
            return lambda frame, ctx: self._direct(frame, ctx, test, missing)

        def mask(frame: pd.DataFrame, ctx: EvalContext) -> np.ndarray:
            if self.name not in frame:
                return np.full(len(frame), missing)
            codes, uniques = ctx.factorized(frame, self.name, normalized=self.kind == "text")
            out = np.append(_bools(test(uniques)), missing)[codes]
            later = self.changed_later(frame, ctx)
            return out if later is None else np.where(later, missing, out)

        return mask

    def on_texts(self, test: Callable[[Texts], np.ndarray]) -> Mask:
        """A mask that runs ``test`` on the distinct values of a text or case-number column, missing
        values and a column the frame lacks being false."""

        def mask(frame: pd.DataFrame, ctx: EvalContext) -> np.ndarray:
            if self.name not in frame:
                return np.zeros(len(frame), bool)
            codes, texts = ctx.texts(frame, self.name, normalized=self.kind == "text")
            out = np.append(test(texts), False)[codes]
            later = self.changed_later(frame, ctx)
            return out if later is None else out & ~later

        return mask

    def _direct(self, frame: pd.DataFrame, ctx: EvalContext, test: Callable[[pd.Series], Any],
                missing: bool) -> np.ndarray:
        s = self.series(frame, ctx.as_of)
        out = _bools(test(s))
        return out | s.isna().to_numpy() if missing else out


# --------------------------------------------------------------------------- operators


class _Bad(Exception):
    """An operator parameter is invalid; the message says why."""


class _NotText(_Bad):
    """A value of another kind (true, a date) where the field's text goes: a ledger column that
    a columns file gives that kind would take it."""


TEXT_KINDS = frozenset({"text", "case_no"})
ORDERED_KINDS = frozenset({"number", "amount", "date"})
ALL_KINDS = frozenset({"text", "case_no", "number", "amount", "date", "flag"})


@dataclass(frozen=True)
class Operator:
    """A registered field operator: its parameter type, the field kinds it applies to, its builder."""

    name: str
    param: str
    kinds: frozenset[str] | None  # None: takes no field
    build: Callable[..., Mask]
    default_field: str | None
    summary: str


OPERATORS: dict[str, Operator] = {}


def operator(name: str, *, param: str, kinds: frozenset[str] | None, summary: str,
             default_field: str | None = None) -> Callable[[Callable[..., Mask]], Callable[..., Mask]]:
    """Register a field operator under its YAML name."""

    def register(build: Callable[..., Mask]) -> Callable[..., Mask]:
        OPERATORS[name] = Operator(name, param, kinds, build, default_field, summary)
        return build

    return register


def _scalar(value: Any, kind: str) -> Any:
    """A parameter value converted to the kind of the field it is compared with."""
    if kind in TEXT_KINDS:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return normalize_value(str(value)) if kind == "text" else str(value)
        raise (_NotText if isinstance(value, (bool, dt.date)) else _Bad)(f"expected text, got {shown_value(value)}")
    if kind in ("number", "amount"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not math.isfinite(value):
                written = ".nan" if math.isnan(value) else f"{'-' if value < 0 else ''}.inf"
                raise _Bad(f"expected a finite number, got {written}")
            return value  # as written: explain shows gt: 3, not 3.0
        raise _Bad(f"expected a number, got {shown_value(value)}")
    if kind == "date":
        return _date(value)
    if isinstance(value, bool):
        return value
    raise _Bad(f"expected true or false, got {shown_value(value)}")


def _compared(value: Any, kind: str) -> Any:
    """A value that ``equals``, ``in`` or ``not_in`` compares the field's values with: as
    :func:`_scalar` converts it, but never an empty text (a blank cell is missing, so none equals
    it: the condition would hold on no case, or on every case with a value) nor, for a case number,
    a text that is no case number as the ledger's are read (none would be that case)."""
    out = _scalar(value, kind)
    if kind in TEXT_KINDS and not out.strip():
        raise _Bad("an empty text never matches: a blank cell is missing (is_blank: true finds it)")
    if kind == "case_no" and pd.isna(parse_case_numbers(pd.Series([out], dtype=object))[0]["case_seq"].iloc[0]):
        raise _Bad(f"{out!r} is not a case number as the ledger's are read: write it whole, as (2025)鲁0902执4号")
    return out


def _date(value: Any) -> pd.Timestamp:
    if isinstance(value, dt.datetime):  # 2020-01-01 10:00 unquoted: its time would be dropped unsaid
        raise _Bad(f"expected a date such as 2008-01-01, got a date and time ({value:%Y-%m-%d %H:%M:%S}): "
                   "the dates of rules are days; leave out the time")
    if isinstance(value, dt.date):
        return pd.Timestamp(value).normalize()
    if isinstance(value, str) and day_parts(value) is not None:  # quoted, or 2008/01/01, 2008年1月1日: as --as-of
        try:
            return pd.Timestamp(option_day(value))
        except ValueError as exc:
            raise _Bad(str(exc)) from None
    raise _Bad(f"expected a date such as 2008-01-01, got {shown_value(value)}")


def parse_date(value: Any) -> pd.Timestamp:
    """A date as a rules file writes it (``2016-12-31``); a ValueError says why not."""
    try:
        return _date(value)
    except _Bad as exc:
        raise ValueError(str(exc)) from None


def _nonempty_list(value: Any, what: str) -> list:
    if not isinstance(value, list) or not value:
        raise _Bad(f"expected a non-empty list of {what}, got {shown_value(value)}")
    return value


def _parse_param(param: str, value: Any, kind: str | None) -> Any:
    """Validate and convert an operator parameter; raise _Bad with the reason."""
    if param == "keywords":
        items = [value] if isinstance(value, str) else _nonempty_list(value, "keywords")
        words = [_scalar(v, "text") for v in items]
        if any(not w for w in words):
            raise _Bad("a keyword is empty")
        return words
    if param == "regex":
        if not isinstance(value, str) or not value:
            raise _Bad(f"expected a regular expression, got {shown_value(value)}")
        try:
            compiled = re.compile(value)
        except (re.error, OverflowError, RecursionError) as exc:  # a{99999999999}, groups nested a thousand deep
            raise _Bad(f"invalid regular expression {value!r}: {_compile_error(exc)}") from None
        if compiled.search("") is not None and not _ASSERTION.search(_ESCAPED.sub(_kept_escape, value)):
            raise _Bad(f"the pattern {value!r} matches an empty text, so it is found in every value that is "
                       "present: make it need at least one character (.+ rather than .*)")
        if can_backtrack(value):  # searched by the regex module (Search), which reads [[:alpha:]] as a POSIX class
            try:
                regex.compile(value, regex.VERSION0)
            except (regex.error, OverflowError, RecursionError) as exc:
                hint = " (a [ in a class is written \\[)" if isinstance(exc, regex.error) else ""
                raise _Bad(f"the pattern {value!r} can backtrack, so it is searched with a time limit, by a module "
                           f"that reads it otherwise: {_compile_error(exc)}{hint}") from None
        return value
    if param == "value":
        return _compared(value, kind or "text")
    if param == "values":
        return [_compared(v, kind or "text") for v in _nonempty_list(value, "values")]
    if param == "bound":
        return _scalar(value, kind or "number")
    if param == "range":
        if not isinstance(value, list) or len(value) != 2:
            got = (shown_value(value) if not isinstance(value, list) or not value
                   else f"a list of {counted(len(value), 'items')}")
            raise _Bad(f"expected a list of two bounds [low, high], got {got}")
        low, high = (_scalar(v, kind or "number") for v in value)
        if low > high:
            raise _Bad(f"the low bound {value[0]} is above the high bound {value[1]}")
        return (low, high)
    if param == "date":
        return _date(value)
    if param == "span":
        try:
            return parse_span(value)
        except ValueError as exc:
            raise _Bad(str(exc)) from None
    if param == "flag":
        if not isinstance(value, bool):
            raise _Bad(f"expected true or false, got {shown_value(value)}")
        return value
    if param == "case_types":
        items = [value] if isinstance(value, str) else _nonempty_list(value, "case types")
        _case_types(items)
        return list(items)
    raise AssertionError(param)


def _compile_error(exc: Exception) -> str:
    """Why ``re`` or ``regex`` refused a pattern: its own words, or, when it ran out of depth,
    how deep the pattern nests."""
    return "its groups are nested too deeply" if isinstance(exc, RecursionError) else str(exc)


# A pattern that matches an empty text is found at the start of every text unless an assertion
# other than ^ decides where (a$, ^\d*$, ^(?!已结)): the escapes but \b, \B and \Z left out, one
# of $, \b, \B, \Z, a lookaround or a conditional group.
_ESCAPED = re.compile(r"\\(.)", re.S)
_ASSERTION = re.compile(r"\$|\\[bBZ]|\(\?<?[=!]|\(\?\(")


def _kept_escape(m: re.Match) -> str:
    return m.group(0) if m.group(1) in "bBZ" else ""


def _case_types(items: list[Any]) -> None:
    """Raise _Bad naming the first of ``items`` that is not a known case type."""
    for v in items:
        if v not in KNOWN_CASE_TYPES:
            raise _Bad(f"unknown case type {shown_value(v)}{did_you_mean(v, KNOWN_CASE_TYPES) if isinstance(v, str) else ''}; "
                       f"known: {', '.join(KNOWN_CASE_TYPES)}")


@operator("contains_any", param="keywords", kinds=TEXT_KINDS,
          summary="the text contains at least one of the keywords")
def contains_any(col: ColumnRef, words: list[str]) -> Mask:
    finder = _literal_finder(words)
    if finder is None:
        return col.on_texts(_searcher("|".join(re.escape(w) for w in words), None))
    return col.on_texts(lambda texts: texts.containing(finder))


@operator("matches", param="regex", kinds=TEXT_KINDS,
          summary="the regular expression is found somewhere in the text")
def matches(col: ColumnRef, pattern: str) -> Mask:
    return col.on_texts(_searcher(pattern, _literal_finder(required_texts(pattern))))


def _searcher(pattern: str, prefilter: re.Pattern | None) -> Callable[[Texts], np.ndarray]:
    """A test that searches each value for ``pattern``; with a ``prefilter``, only the values it
    finds something in (those holding a text that every match contains)."""
    search = Search(pattern)

    def test(texts: Texts) -> np.ndarray:
        out = np.zeros(len(texts), bool)
        maybe = np.flatnonzero(texts.containing(prefilter) if prefilter else pd.notna(texts.values))
        out[maybe] = search.found(texts.values[maybe])
        return out

    return test


# The seconds that the searches of one pattern that can backtrack (:func:`can_backtrack`) may take
# in all in one command (a nightly run's every evaluation included) before it is stopped, and the
# seconds added for each value searched: an honest pattern takes a few millionths of a second a
# value, so a large ledger's many values never spend its time, while one long cell stops a pattern
# that backtracks without end after about MATCH_SECONDS.
MATCH_SECONDS = 5.0
MATCH_SECONDS_PER_VALUE = 20e-6


class SlowPattern(Exception):
    """A pattern's searches took the ``seconds`` they were given (:data:`MATCH_SECONDS`) and were
    stopped, the last on a value of ``length`` characters; :class:`Leaf` says so as a rules problem
    at the pattern's line."""

    def __init__(self, length: int, seconds: float):
        super().__init__(length, seconds)
        self.length, self.seconds = length, seconds


class Search:
    """The search of one ``matches:`` pattern in text values. A pattern that cannot backtrack takes
    at worst time in the square of a value's length, and runs in Python's ``re``; one that can
    would take hours on one long cell (``(.+)+y``, doubling with each character), and runs in the
    ``regex`` module (its default VERSION0 reads patterns as ``re`` does), whose search gives up
    after a timeout on every platform: each search gets what is left of :data:`MATCH_SECONDS`
    (and :data:`MATCH_SECONDS_PER_VALUE` for each value searched), and when nothing is left
    :class:`SlowPattern` is raised."""

    def __init__(self, pattern: str):
        self.guarded = can_backtrack(pattern)
        self.left = self.given = MATCH_SECONDS
        self._search = (regex.compile(pattern, regex.VERSION0) if self.guarded else re.compile(pattern)).search

    def first(self, value: str) -> str | None:
        """The first text found in ``value``, or None."""
        found = self._guarded([value])[0] if self.guarded else self._search(value)
        return found.group(0) if found else None

    def found(self, values: Sequence[str]) -> list[bool]:
        """Per value, whether the pattern is found in it."""
        if self.guarded:
            return [m is not None for m in self._guarded(values)]
        search = self._search
        return [search(v) is not None for v in values]

    def _guarded(self, values: Sequence[str]) -> list:
        """The match, or None, in each value, each search given what is left of the seconds."""
        search, clock = self._search, time.monotonic
        more = MATCH_SECONDS_PER_VALUE * len(values)
        stop, self.given = clock() + self.left + more, self.given + more
        out: list = []
        try:
            for v in values:
                out.append(search(v, timeout=max(stop - clock(), 0.0)))
        except TimeoutError:
            raise SlowPattern(len(values[len(out)]), self.given) from None
        finally:
            self.left = max(stop - clock(), 0.0)
        return out


def can_backtrack(pattern: str) -> bool:
    """Whether a search for ``pattern`` can take more than the square of a text's length: when it
    holds a repetition inside a repetition (``(.+)+y``), a repeated alternation (``(a|aa)+$``), two
    repetitions (``.*a.*b``, cubic) or a back reference; a possessive repetition (``a++``) gives
    nothing back, and counts for none. Read off Python's own parse of the pattern, as
    :func:`required_texts` is."""
    try:
        parsed = re._parser.parse(pattern)  # type: ignore[attr-defined]
    except (AttributeError, re.error):
        return True
    repeats, risky = _backtracking(list(parsed), repeated=False)
    return risky or repeats >= 2


def _backtracking(items: list[tuple[Any, Any]], repeated: bool) -> tuple[int, bool]:
    """The repetitions that give back what they took in ``items``, and whether any part of them
    alone can backtrack (an alternation when ``repeated``, a back reference)."""
    repeats, risky = 0, False
    for op, arg in items:
        subs: list[list] = []
        if op in (_RE.MAX_REPEAT, _RE.MIN_REPEAT):
            low, high, sub = arg
            if low != high:
                repeats += 1
                n, inner = _backtracking(list(sub), repeated=True)
                repeats, risky = repeats + n, risky or inner
                continue
            subs = [sub]
        elif op is _RE.POSSESSIVE_REPEAT:
            subs = [arg[2]]
        elif op is _RE.BRANCH:
            risky = risky or repeated
            subs = arg[1]
        elif op is _RE.SUBPATTERN:
            subs = [arg[3]]
        elif op is _RE.ATOMIC_GROUP:
            subs = [arg]
        elif op in (_RE.ASSERT, _RE.ASSERT_NOT):
            subs = [arg[1]]
        elif op in (_RE.GROUPREF, _RE.GROUPREF_EXISTS):
            risky = True
        for sub in subs:
            n, inner = _backtracking(list(sub), repeated)
            repeats, risky = repeats + n, risky or inner
    return repeats, risky


def _literal_finder(texts: Collection[str] | None) -> re.Pattern | None:
    """A pattern that finds any of ``texts`` and runs on to the end of the value (one match per
    value in :meth:`Texts.containing`); None without texts, or when one holds the separator."""
    if not texts or any(_SEP in t for t in texts):
        return None
    shortest = [t for t in texts if not any(o != t and o in t for o in texts)]  # 委 covers 委员会
    return re.compile(f"(?:{'|'.join(re.escape(t) for t in sorted(shortest))})[^{_SEP}]*")


_RE = re._constants  # type: ignore[attr-defined]  # the opcodes of Python's regex parser


def required_texts(pattern: str) -> frozenset[str] | None:
    """Texts of which every match of ``pattern`` contains at least one, or None when none can be
    told (a case-insensitive pattern, or an alternative that needs no literal text).

    Read off Python's own parse of the pattern: runs of literal characters, a class of literal
    characters, and what a group, an alternation or a repeat of at least once requires;
    look-arounds, back references and anything else require nothing."""
    try:
        parsed = re._parser.parse(pattern)  # type: ignore[attr-defined]
    except (AttributeError, re.error):
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    return _required(list(parsed))


def _required(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """For a sequence: the most selective requirement among its parts (fewest texts, then the
    longest shortest text); runs of adjacent literal characters count as one text."""
    options, run = [], ""
    for op, arg in [*items, (None, None)]:
        if op is _RE.LITERAL:
            run += chr(arg)
            continue
        if run:
            options.append(frozenset([run]))
            run = ""
        if op is not None:
            options.append(_required_item(op, arg))
    found = [o for o in options if o]
    return max(found, key=lambda o: (-len(o), min(map(len, o))), default=None)


def _required_item(op: Any, arg: Any) -> frozenset[str] | None:
    if op is _RE.BRANCH:
        alternatives = [_required(list(a)) for a in arg[1]]
        return None if not all(alternatives) else frozenset().union(*alternatives)
    if op is _RE.SUBPATTERN:
        _group, add_flags, _del_flags, sub = arg
        return None if add_flags & re.IGNORECASE else _required(list(sub))
    if op is _RE.ATOMIC_GROUP:
        return _required(list(arg))
    if op in (_RE.MAX_REPEAT, _RE.MIN_REPEAT, _RE.POSSESSIVE_REPEAT):
        low, _high, sub = arg
        return _required(list(sub)) if low >= 1 else None
    if op is _RE.IN and all(kind is _RE.LITERAL for kind, _ in arg):
        return frozenset(chr(code) for _, code in arg)
    return None


def _one_of(col: ColumnRef, values: list) -> Callable[[pd.Series], Any]:
    """The test that a value is one of ``values``; case numbers as cases are told apart
    (:func:`parsing.case_ids`): ``（2025）鲁0902执4号`` or ``2025鲁0902执4号`` in a rule is the
    ledger's ``(2025)鲁0902执4号``, and ``(2015)泰执字第9号`` its ``(2015)泰执字第00009号``."""
    if col.kind != "case_no":
        return lambda s: s.isin(values)

    def same_cases(s: pd.Series) -> np.ndarray:
        wanted = parse_case_numbers(pd.Series(values, dtype=object))[0]
        ids = case_ids(pd.concat([wanted, parse_case_text(s)[0]], ignore_index=True))
        return np.isin(ids[len(values):], ids[:len(values)])

    return same_cases


@operator("equals", param="value", kinds=ALL_KINDS, summary="the value equals the parameter")
def equals(col: ColumnRef, value: Any) -> Mask:
    return col.on_values(lambda s: s.eq(value) if col.kind != "case_no" else _one_of(col, [value])(s))


@operator("in", param="values", kinds=ALL_KINDS - {"date"}, summary="the value is one of the list")
def in_(col: ColumnRef, values: list) -> Mask:
    return col.on_values(_one_of(col, values))


@operator("not_in", param="values", kinds=ALL_KINDS - {"date"},
          summary="the value is present and none of the list")
def not_in(col: ColumnRef, values: list) -> Mask:
    one_of = _one_of(col, values)
    return col.on_values(lambda s: s.notna() & ~one_of(s))


def _blank(s: pd.Series) -> Any:
    return s.isna() | s.astype(str).str.strip().eq("") if s.dtype == "str" else s.isna()


@operator("is_blank", param="flag", kinds=ALL_KINDS, summary="the value is missing or empty (false: present)")
def is_blank(col: ColumnRef, flag: bool) -> Mask:
    return col.on_values(lambda s: _blank(s) == flag, missing=flag)


@operator("not_blank", param="flag", kinds=ALL_KINDS, summary="the value is present (false: missing)")
def not_blank(col: ColumnRef, flag: bool) -> Mask:
    return col.on_values(lambda s: _blank(s) != flag, missing=not flag)


def _compare(method: str) -> Callable[[ColumnRef, Any], Mask]:
    def build(col: ColumnRef, bound: Any) -> Mask:
        return col.on_values(lambda s: getattr(s, method)(bound))

    return build


for _name, _method, _text in (("gt", "gt", "above"), ("gte", "ge", "at or above"),
                              ("lt", "lt", "below"), ("lte", "le", "at or below")):
    operator(_name, param="bound", kinds=ORDERED_KINDS,
             summary=f"the number or date is {_text} the parameter")(_compare(_method))


@operator("between", param="range", kinds=ORDERED_KINDS,
          summary="the number or date lies within [low, high], both included")
def between(col: ColumnRef, bounds: tuple) -> Mask:
    return col.on_values(lambda s: s.ge(bounds[0]) & s.le(bounds[1]))


@operator("before", param="date", kinds=frozenset({"date"}), summary="the date is before the given day")
def before(col: ColumnRef, day: pd.Timestamp) -> Mask:
    return col.on_values(lambda s: s.lt(day))


@operator("after", param="date", kinds=frozenset({"date"}), summary="the date is after the given day")
def after(col: ColumnRef, day: pd.Timestamp) -> Mask:
    return col.on_values(lambda s: s.gt(day))


@operator("older_than", param="span", kinds=frozenset({"date"}), default_field="filed_on",
          summary="more than the span has passed between the date and --as-of")
def older_than(col: ColumnRef, span: Span) -> Mask:
    return lambda frame, ctx: _bools(col.series(frame, ctx.as_of).lt(span.cutoff(ctx.as_of)))


@operator("newer_than", param="span", kinds=frozenset({"date"}), default_field="filed_on",
          summary="the date is present and not older_than the span")
def newer_than(col: ColumnRef, span: Span) -> Mask:
    return lambda frame, ctx: _bools(col.series(frame, ctx.as_of).ge(span.cutoff(ctx.as_of)))


@operator("open", param="flag", kinds=None, summary="the case is open at --as-of (false: not open)")
def open_(col: None, flag: bool) -> Mask:
    return lambda frame, ctx: open_mask(frame, ctx.as_of) == flag


@operator("closed", param="flag", kinds=None, summary="the case is closed at --as-of (false: not closed)")
def closed(col: None, flag: bool) -> Mask:
    return lambda frame, ctx: closed_mask(frame, ctx.as_of) == flag


@operator("case_type", param="case_types", kinds=None, summary="the case type (执, 执恢 …) is one of the list")
def case_type(col: None, types: list[str]) -> Mask:
    return ColumnRef("case_type", "text").on_values(lambda s: s.isin(types))


# Field-less operators read these columns; explain shows their values.
IMPLIED_FIELDS = {"open": "closed_on", "closed": "closed_on", "case_type": "case_type"}


# --------------------------------------------------------------------------- conditions


# an explained date after --as-of: the rules read it as blank (not happened yet at --as-of)
LATER_THAN_AS_OF = "晚于 --as-of，按尚未发生计"
# an explained status or close method set by an event after --as-of (STANDING_FIELDS): read as blank
CHANGED_LATER = "--as-of 之后有结案、中止或恢复，此项按当时不明计"


@dataclass
class ExplainNode:
    """One node of a condition's explanation tree for one case."""

    kind: str  # "leaf" | "all" | "any" | "not" | "category"
    result: bool
    op: str | None = None
    field: str | None = None
    value: Any = None
    param: Any = None
    hit: str | None = None  # for text operators: the text that matched; for a date: LATER_THAN_AS_OF
    children: list[ExplainNode] = dc_field(default_factory=list)
    where: str | None = None  # the rules file and line of a leaf, for a pattern too long to show

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "result": self.result}
        if self.kind == "leaf":
            out |= {"field": self.field, "value": self.value, "op": self.op, "param": self.param, "hit": self.hit}
        elif self.kind == "category":
            out["category"] = self.param
        else:
            out["children"] = [c.to_dict() for c in self.children]
        return out

    def lines(self, indent: int = 0) -> list[str]:
        """The tree as indented text lines, ✓ for true and ✗ for false."""
        tick = "✓" if self.result else "✗"
        pad = "  " * indent
        if self.kind == "leaf":
            where = f"{self.field} = {_show(self.value, cell=True)}, " if self.field else ""
            hit = ("" if not self.hit else f"（{self.hit}）" if self.hit in (LATER_THAN_AS_OF, CHANGED_LATER)
                   else f"（命中「{self.hit}」）")
            shown = _show(self.param)
            if self.op == "matches" and self.where and len(" ".join(shown.split())) > _SHORT:
                shown = f"模式见 {self.where}"  # a long pattern cut short says nothing to a clerk
            return [f"{pad}{tick} {where}{self.op}: {_short(shown)}{hit}"]
        if self.kind == "category":
            return [f"{pad}{tick} category: {self.param}"]
        return [f"{pad}{tick} {self.kind}", *(ln for c in self.children for ln in c.lines(indent + 1))]


def _show(value: Any, cell: bool = False) -> str:
    """A value in an explanation line: a ledger ``cell``'s flag as the ledger says it (是/否), a
    rule's as its YAML writes it (true/false); a whole number without a decimal point."""
    if value is None:
        return "（空）"
    if isinstance(value, (bool, np.bool_)):
        return FLAG_TEXT[bool(value)] if cell else str(bool(value)).lower()
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))  # 362900 and gt: 1000000 (written 1e6), not 362900.0
    return str(value)


_SHORT = 60  # characters of a rule's parameter shown on an explanation line


def _short(text: str, limit: int = _SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(value: Any) -> Any:
    """A cell value as a plain Python value (None when missing)."""
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


class Condition:
    """A compiled condition: a vectorised mask over a frame and a per-case explanation."""

    def _eval(self, frame: pd.DataFrame, ctx: EvalContext) -> np.ndarray:
        raise NotImplementedError

    def mask(self, frame: pd.DataFrame, ctx: EvalContext) -> pd.Series:
        """True for each case the condition holds for, aligned to ``frame.index``."""
        return pd.Series(self._eval(frame, ctx), index=frame.index, dtype=bool)

    def explain(self, row: pd.DataFrame, ctx: EvalContext) -> ExplainNode:
        """The decision for the single case in ``row`` (a one-row frame), as a tree."""
        raise NotImplementedError

    def leaves(self) -> Iterator[Leaf]:
        yield from ()

    def references(self) -> set[str]:
        return set()

    def deadline_refs(self) -> Iterator[DeadlineRef]:
        yield from ()

    def fields(self) -> set[str]:
        """The canonical fields the condition reads itself (``open``/``closed`` read closed_on),
        not through a category reference."""
        return {leaf.field for leaf in self.leaves() if leaf.field is not None}

    def columns(self) -> Iterator[ColumnRef]:
        """The columns the condition's field and column tests read, with the kind they read them
        with, in the order written; not through a category reference."""
        return (leaf.column for leaf in self.leaves() if leaf.column is not None)


@dataclass(eq=False)
class Leaf(Condition):
    op: str
    column: ColumnRef | None
    param: Any
    fn: Mask
    node: Node

    def _eval(self, frame: pd.DataFrame, ctx: EvalContext) -> np.ndarray:
        """The mask, computed once per frame for every leaf with the same operator, column and
        parameter (rulesets repeat conditions across categories and deadlines)."""
        key = (id(frame), self.op, self.column, repr(self.param))
        if key not in ctx._leaves:
            try:
                ctx._leaves[key] = self.fn(frame, ctx)
            except SlowPattern as slow:
                raise self._slow(slow) from None
        return ctx._leaves[key]

    def _slow(self, slow: SlowPattern) -> RulesError:
        """The problem of a ``matches:`` pattern whose searches were stopped, at its line."""
        target = f"the field {self.column.name}" if self.column.canonical else f"the column '{self.column.name}'"
        return RulesError([self.node.child(self.op).problem(
            f"the pattern {_short(self.param)!r} took more than {round(slow.seconds, 1):g} seconds searching {target} and "
            f"was stopped (on a value of {slow.length:,} characters): a repetition inside another, or beside one that can "
            "match the same text, makes it try every way of splitting a long text; write it without nested "
            "repetition, or make the inner part an atomic group (?>...) or possessive (.++, \\w*+)")])

    def explain(self, row: pd.DataFrame, ctx: EvalContext) -> ExplainNode:
        name = self.column.name if self.column else IMPLIED_FIELDS.get(self.op)
        value = _plain(row[name].iloc[0]) if name in row else None
        param = str(self.param) if isinstance(self.param, Span) else self.param
        # a field-less operator's field is marked as a field's: open: true on a case closed after --as-of
        column = self.column or (ColumnRef(name, canonical_fields()[name].kind) if name else None)
        hit = column.as_of_note(value, row, ctx) if column is not None else None
        if hit is None and self.op in ("contains_any", "matches") and isinstance(value, str):
            pattern = self.param if self.op == "matches" else "|".join(map(re.escape, self.param))
            try:
                hit = Search(pattern).first(normalize_value(value) if self.column.kind == "text" else value)
            except SlowPattern as slow:
                raise self._slow(slow) from None
        return ExplainNode("leaf", bool(self._eval(row, ctx)[0]), self.op, name, value, param, hit,
                           where=f"{self.node.source}:{self.node.mark[0]}")

    def leaves(self) -> Iterator[Leaf]:
        yield self

    @property
    def field(self) -> str | None:
        """The canonical field this leaf reads, None for a ``column:``."""
        if self.column is None:
            return IMPLIED_FIELDS.get(self.op)
        return self.column.name if self.column.canonical else None


@dataclass(eq=False)
class Combined(Condition):
    kind: str  # all | any | not
    children: list[Condition]

    def _eval(self, frame: pd.DataFrame, ctx: EvalContext) -> np.ndarray:
        if self.kind == "not":
            return ~self.children[0]._eval(frame, ctx)
        combine = np.logical_and if self.kind == "all" else np.logical_or
        out = self.children[0]._eval(frame, ctx)
        for child in self.children[1:]:
            out = combine(out, child._eval(frame, ctx))
        return out

    def explain(self, row: pd.DataFrame, ctx: EvalContext) -> ExplainNode:
        kids = [c.explain(row, ctx) for c in self.children]
        return ExplainNode(self.kind, bool(self._eval(row, ctx)[0]), children=kids)

    def leaves(self) -> Iterator[Leaf]:
        for child in self.children:
            yield from child.leaves()

    def references(self) -> set[str]:
        return set().union(*(c.references() for c in self.children))

    def deadline_refs(self) -> Iterator[DeadlineRef]:
        for child in self.children:
            yield from child.deadline_refs()


@dataclass(eq=False)
class CategoryRef(Condition):
    category: str

    def _eval(self, frame: pd.DataFrame, ctx: EvalContext) -> np.ndarray:
        return ctx.category(frame, self.category)

    def explain(self, row: pd.DataFrame, ctx: EvalContext) -> ExplainNode:
        return ExplainNode("category", bool(self._eval(row, ctx)[0]), param=self.category)

    def references(self) -> set[str]:
        return {self.category}


@dataclass(eq=False)
class DeadlineRef(Condition):
    """``{deadline: legal_limit, overdue_for: 1 year}``: the case is overdue on that deadline (as
    the deadlines compute it, extensions and deductions included) by the span or more: 超过期限一年以上
    counts the day a year has passed (以上 includes the number itself), ``due + span <= as_of``."""

    deadline: str
    span: Span
    node: Node

    def _eval(self, frame: pd.DataFrame, ctx: EvalContext) -> np.ndarray:
        if ctx.deadline_results is None:
            raise RulesError([self.node.problem(f"deadline '{self.deadline}' is not available here")])
        key = (id(frame), "overdue_for", self.deadline, self.span)  # once per frame, as a leaf is
        if key not in ctx._leaves:
            r = ctx.deadline_results(frame, self.deadline, ctx)
            # due + span <= as_of exactly when due + span < the next day, that is due < its cutoff
            cutoff = np.datetime64(self.span.cutoff(ctx.as_of + pd.Timedelta(days=1)).date(), "D")
            ctx._leaves[key] = (r["state"] == "overdue") & (r["due"] < cutoff)
        return ctx._leaves[key]

    def explain(self, row: pd.DataFrame, ctx: EvalContext) -> ExplainNode:
        due = ctx.deadline_results(row, self.deadline, ctx)["due"][0] if ctx.deadline_results else None
        shown = None if due is None or np.isnat(due) else pd.Timestamp(due)
        return ExplainNode("leaf", bool(self._eval(row, ctx)[0]), "overdue_for", f"{self.deadline}_due", shown,
                           str(self.span))

    def deadline_refs(self) -> Iterator[DeadlineRef]:
        yield self


def deadline_mentions(node: Node) -> Iterator[Node]:
    """The ``deadline:`` values (ids as written) of a condition not yet compiled, through all:,
    any: and not:."""
    value = node.value
    if not isinstance(value, dict):
        return
    if "deadline" in value:
        if isinstance(value["deadline"], str):
            yield node.child("deadline")
        return
    for key in COMBINATORS:
        if key in value:
            child = node.child(key)
            for item in (child.items() if isinstance(child.value, list) else [child]):
                yield from deadline_mentions(item)


def compile_condition(node: Node | Any, categories: Collection[str] = (),
                      problems: list[str] | None = None, columns: Columns | None = None) -> Condition | None:
    """Compile a condition (a located :class:`Node`, or a plain value) into a :class:`Condition`.

    ``categories`` are the ids a ``category:`` reference may name; ``columns``, the ledger's
    aliases with the columns files (``--columns``), give the kinds of the fields those files
    add, which a ``column:`` naming one reads (without them it is text), and of the canonical
    fields whose kind they change (:func:`declared_kinds`). With a ``problems`` list, every
    problem is appended to it and None is returned when there were any; without one, the problems
    are raised together as a RulesError.
    """
    if not isinstance(node, Node):
        node = Node(node, "<condition>", "", Mark(1, 1))
    found: list[str] = []
    condition = _compile(node, _Scope(set(categories), kinds=declared_kinds(columns)), found)
    if problems is not None:
        problems.extend(found)
        return None if found else condition
    if found:
        raise RulesError(found)
    return condition


@dataclass(frozen=True)
class _Scope:
    """What a condition is compiled against: the category ids it may name; for a category's
    inherited ``when``, the categories a later ``drop:`` left out (id → the drop item) and the
    category's id. An ``any:`` item ``{category: DROPPED}`` is left out of the list; any other
    reference to a dropped category is an error at the drop item (override the category too).
    ``kinds``: the kinds the columns files give (:func:`declared_kinds`)."""

    categories: Collection[str]
    dropped: Mapping[str, Node] = dc_field(default_factory=dict)
    owner: str | None = None
    kinds: Mapping[str, str] = dc_field(default_factory=dict)

    def drops(self, item: Node) -> bool:
        """Whether ``item`` is a ``{category: ID}`` naming a dropped category."""
        value = item.value
        return isinstance(value, dict) and list(value) == ["category"] and _hashable(value["category"]) \
            and value["category"] in self.dropped


def _hashable(value: Any) -> bool:
    return not isinstance(value, (list, dict))


def _compile(node: Node, scope: _Scope, problems: list[str]) -> Condition | None:
    value = node.value
    if not isinstance(value, dict):
        problems.append(node.problem(
            f"expected a condition (a mapping such as {{field: cause, contains_any: [工资]}}), "
            f"got {shown_value(value)}"))
        return None
    if "deadline" in value:
        return _compile_deadline_ref(node, problems)
    structural = [k for k in value if k in (*COMBINATORS, "category")]
    if structural:
        extra = [k for k in value if k != structural[0]]
        if extra:
            problems.append(node.problem(
                f"'{structural[0]}' must be alone in its mapping; found also {_keys(extra)}", node.key_mark(extra[0])))
            return None
        key = structural[0]
        if key == "category":
            return _compile_ref(node.child(key), scope, problems)
        return _compile_combined(key, node.child(key), scope, problems)
    return _compile_leaf(node, scope, problems)


def _keys(keys: Sequence[Any]) -> str:
    return ", ".join(f"'{k}'" for k in keys)


def _compile_ref(node: Node, scope: _Scope, problems: list[str]) -> Condition | None:
    if not isinstance(node.value, str):
        problems.append(node.problem(f"expected a category id, got {shown_value(node.value)}"))
        return None
    if node.value in scope.dropped:
        problems.append(scope.dropped[node.value].problem(
            f"category '{scope.owner}' refers to '{node.value}' at {node.source}:{node.mark.line} other than as an "
            f"item of an any: list (which would leave it out): override '{scope.owner}' too"))
        return None
    if node.value not in scope.categories:
        problems.append(node.problem(f"unknown category '{node.value}'{did_you_mean(node.value, scope.categories)}"))
        return None
    return CategoryRef(node.value)


def _compile_deadline_ref(node: Node, problems: list[str]) -> Condition | None:
    """``{deadline: ID, overdue_for: SPAN}``; whether the deadline exists is checked with the
    deadlines (``deadlines.reference_problems``)."""
    extra = [k for k in node.value if k not in ("deadline", "overdue_for")]
    if extra:
        problems.append(node.problem(f"a deadline condition takes deadline: and overdue_for: only; found also "
                                     f"{_keys(extra)}", node.key_mark(extra[0])))
        return None
    ref = node.child("deadline")
    if not isinstance(ref.value, str):
        problems.append(ref.problem(f"expected a deadline id, got {shown_value(ref.value)}"))
        return None
    if "overdue_for" not in node.value:
        problems.append(node.problem("a deadline condition needs overdue_for: (0 days: overdue at all)"))
        return None
    try:
        span = _parse_param("span", node.value["overdue_for"], None)
    except _Bad as exc:
        problems.append(node.child("overdue_for").problem(str(exc)))
        return None
    if span.n < 0:
        problems.append(node.child("overdue_for").problem(f"overdue_for must not be negative, got {span}"))
        return None
    return DeadlineRef(ref.value, span, node)


def _compile_combined(kind: str, node: Node, scope: _Scope, problems: list[str]) -> Condition | None:
    if kind == "not":
        child = _compile(node, scope, problems)
        return Combined("not", [child]) if child else None
    if not isinstance(node.value, list) or not node.value:
        got = shown_value(node.value)
        problems.append(node.problem(f"'{kind}' takes a list of one or more conditions, got {got}"))
        return None
    items = node.items()
    if kind == "any" and scope.dropped:
        kept = [item for item in items if not scope.drops(item)]
        if not kept:
            drop = scope.dropped[items[0].value["category"]]
            problems.append(drop.problem(
                f"dropping leaves the any: list of category '{scope.owner}' at {node.source}:{node.mark.line} "
                f"empty: override '{scope.owner}' too"))
            return None
        items = kept
    children = [_compile(item, scope, problems) for item in items]
    return Combined(kind, children) if all(children) else None  # type: ignore[arg-type]


def _compile_leaf(node: Node, scope: _Scope, problems: list[str]) -> Condition | None:
    value = node.value
    known = (*OPERATORS, *COMBINATORS, "category", *LEAF_TARGETS)
    unknown = [k for k in value if k not in known]
    for key in unknown:
        message = ("overdue_for goes with deadline: ({deadline: legal_limit, overdue_for: 1 year})"
                   if key == "overdue_for" else f"unknown operator '{key}'{_field_as_operator(key, value[key], known)}")
        problems.append(node.problem(message, node.key_mark(key)))
    ops = [k for k in value if k in OPERATORS]
    targets = [k for k in value if k in LEAF_TARGETS]
    if unknown:
        for target in targets:  # its own mistakes are listed too
            _target(node, target, scope.kinds, problems)
        return None
    if len(ops) != 1:
        message = (f"a condition has exactly one operator; found {_keys(ops)} (combine them with all: or any:)"
                   if ops else f"a condition needs an operator, one of: {', '.join(OPERATORS)}")
        problems.append(node.problem(message))
        return None
    if len(targets) > 1:
        problems.append(node.problem("give either field: or column:, not both", node.key_mark("column")))
        return None
    op = OPERATORS[ops[0]]
    column = _leaf_column(node, op, targets[0] if targets else None, scope.kinds, problems)
    if column is False:
        return None
    param_node = node.child(op.name)
    try:
        param = _parse_param(op.param, param_node.value, column.kind if column else None)
        if column is not None and column.canonical and column.name == "case_type" and op.param in ("value", "values"):
            _case_types([param] if op.param == "value" else param)
        if op.param == "span" and param.n < 0:
            raise _Bad(f"{op.name} must not be negative, got {param}")
    except _Bad as exc:
        untyped = isinstance(exc, _NotText) and targets == ["column"] and not column.canonical \
            and column.name not in scope.kinds
        hint = f" (column '{column.name}' is a text field: {UNTYPED_COLUMN})" if untyped else ""
        problems.append(param_node.problem(f"{exc}{hint}"))
        return None
    return Leaf(op.name, column, param, op.build(column, param), node)


def _field_as_operator(key: Any, value: Any, known: Sequence[str]) -> str:
    """The hint after ``unknown operator 'KEY'``: when KEY is a field, or a ledger header read as
    one, written where an operator goes (``{cause: {contains_any: [借款]}}``), how to write the
    condition, with the operator found under it; else the closest operator, if any."""
    fields = canonical_fields()
    field = key if key in fields else _header_field(key) if isinstance(key, str) and key else None
    if field is None:
        return did_you_mean(key, known)
    ops = [k for k in value if k in OPERATORS] if isinstance(value, dict) else []
    example = f"{ops[0]}: {'[...]' if isinstance(value[ops[0]], list) else '...'}" if ops else "<operator>: ..."
    test = "the field" if key == field else f"the ledger header {key} (read as the field {field})"
    return f": to test {test}, write {{field: {field}, {example}}}"


# Said of a ledger column whose operator or value fits another kind than text.
UNTYPED_COLUMN = "a ledger column is read as text unless a columns file (--columns) gives it a kind"


def _leaf_column(node: Node, op: Operator, target: str | None, kinds: Mapping[str, str],
                 problems: list[str]) -> ColumnRef | None | bool:
    """The column an operator reads, None for field-less operators, False after a problem
    (``kinds``: those the columns files give, as :func:`_target`)."""
    if op.kinds is None:
        if target:
            problems.append(node.problem(f"'{op.name}' takes no {target}", node.key_mark(target)))
            return False
        return None
    if target is None:
        if op.default_field is None:
            problems.append(node.problem(f"'{op.name}' needs a field, e.g. field: cause"))
            return False
        info = canonical_fields()[op.default_field]
        return ColumnRef(info.name, info.kind)
    column = _target(node, target, kinds, problems)
    if column is None:
        return False
    if column.kind not in op.kinds:
        name = node.value[target]
        read_as = f"read as the field {column.name}, " if target == "column" and column.canonical else ""
        problems.append(node.problem(
            f"'{op.name}' does not apply to {target} '{name}' ({read_as}{with_article(column.kind)} field"
            f"{_kind_hint(op, target, column, kinds)}); "
            f"it applies to: {', '.join(sorted(op.kinds))}", node.key_mark(op.name)))
        return False
    return column


def _kind_hint(op: Operator, target: str, column: ColumnRef, kinds: Mapping[str, str]) -> str:
    """What a message refusing ``op`` on ``column`` adds of where its kind comes from: a ledger
    column no columns file types is text; a field a columns file types has the kind it gives; a
    free-text field a columns file may retype is told the kind ``op`` needs, when there is one."""
    if target == "column" and not column.canonical and column.name not in kinds:
        return f": {UNTYPED_COLUMN}"
    if column.canonical and column.name in kinds:
        return ", as a columns file (--columns) gives it"
    wanted = [k for k in ("date", "number", "amount", "flag") if k in op.kinds]
    if column.canonical and column.name not in KIND_FIXED and column.name in _bundled_columns().fields \
            and len(wanted) == 1:
        return f"; a columns file (--columns) may give it another: {column.name}: {{kind: {wanted[0]}}}"
    return ""


def _target(node: Node, target: str, kinds: Mapping[str, str], problems: list[str]) -> ColumnRef | None:
    """The column that ``field:`` or ``column:`` names, or None after a problem. A ``column:``
    naming a header that the ledger reads as a canonical field (备注 → notes) reads that field;
    one naming a field a columns file adds reads it with the kind the file gives it, any other
    as text. A canonical field is read with its kind, or the one a columns file gives it instead
    (``kinds``: name → kind, :func:`declared_kinds`)."""
    name_node = node.child(target)
    name = name_node.value
    if not isinstance(name, str) or not name.strip():
        problems.append(name_node.problem(f"expected a {target} name, got {shown_value(name)}"))
        return None
    fields, header_field = canonical_fields(), _header_field(name)
    if target == "column":
        if header_field:
            return ColumnRef(header_field, kinds.get(header_field, fields[header_field].kind))
        return ColumnRef(name, kinds.get(name, "text"), False)
    if name in fields:
        return ColumnRef(name, kinds.get(name, fields[name].kind))
    hint = (f": {name} is a ledger header, read as the field {header_field}: write field: {header_field}"
            if header_field and not name.isascii()
            else f"{did_you_mean(name, fields)}; for another ledger column write column: <header>")
    problems.append(name_node.problem(f"unknown field '{name}'{hint}"))
    return None


def _header_field(header: str) -> str | None:
    """The canonical field a ledger header is read as (its name, label or an alias in
    columns.yaml, compared as headers are), or None."""
    return _bundled_columns().field_for(header)


def with_article(word: str) -> str:
    """``word`` with its indefinite article: a date, an amount."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


# --------------------------------------------------------------------------- fields a ledger lacks

CLOSE_DATE = "closed_on"


def missing_columns(condition: Condition, owner: str, columns: Collection[str]) -> list[str]:
    """A located problem for each ``column:`` the condition reads that the ledger lacks;
    ``owner`` names what holds the condition (``category 'bank'``); ``columns``: the case frame's.
    The ledger's columns are listed as a ``column:`` may name them: a canonical field by its
    label, another column by its header."""
    headers = ledger_headers(columns)
    return [leaf.node.problem(f"{owner} reads column '{leaf.column.name}', which the ledger lacks"
                              f"{did_you_mean(leaf.column.name, headers)}; the ledger has: {', '.join(headers)}")
            for leaf in condition.leaves()
            if leaf.column is not None and not leaf.column.canonical and leaf.column.name not in columns]


def ledger_headers(columns: Collection[str]) -> list[str]:
    """The case frame's ``columns`` as the ledger's headers: a canonical field's label (案号 for
    case_no), other columns as they are; the parts of the case number and where a row came from
    are left out (no ledger column holds them)."""
    fields = canonical_fields()
    return [fields[c].label if c in fields else str(c) for c in columns
            if c not in DERIVED_FIELDS and c not in SOURCE_COLUMNS]


def fields_adding_cases(condition: Condition, negated: bool = False) -> set[str]:
    """The canonical fields whose absence from the ledger can make ``condition`` hold on a case: a
    leaf that holds on a missing value (``is_blank: true``) outside ``not:``, any other leaf under
    an odd number of ``not:``. A category reference adds none (the category warns itself)."""
    if isinstance(condition, Combined):
        flip = negated != (condition.kind == "not")
        return set().union(*(fields_adding_cases(c, flip) for c in condition.children))
    if isinstance(condition, Leaf) and condition.field is not None:
        holds = bool(condition.fn(_NO_VALUES, EvalContext(pd.Timestamp(0)))[0])
        return {condition.field} if holds != negated else set()
    return set()


_NO_VALUES = pd.DataFrame(index=[0])  # one case without any column: every value missing


def missing_field_warnings(frame: pd.DataFrame, categories: Mapping[str, Collection[str]],
                           deadlines: Mapping[str, Collection[str]], unknown: Sequence[str] = ()) -> dict[str, str]:
    """Per ledger field the frame lacks that a category or deadline reads (the fields each reads
    by id: :meth:`Ruleset.fields_read`, ``deadlines.fields_read``), a warning naming the field's
    label and what it affects, and those of the ledger's headers not recognised (``unknown``:
    :meth:`Ledger.unknown_headers`) that look like it (结案日期（甲）), with how to read one as it.
    The close date is always warned about, as every case then counts as open, with the rows whose
    status or close method say they are closed."""
    out = {}
    columns = _bundled_columns()
    for name, info in canonical_fields().items():
        if name in frame or name in DERIVED_FIELDS:
            continue
        cats = [cid for cid, read in categories.items() if name in read]
        dls = [did for did, read in deadlines.items() if name in read]
        if name != CLOSE_DATE and not cats and not dls:
            continue
        affected = [*(["the open and closed counts"] if name == CLOSE_DATE else []),
                    *([f"categories {', '.join(cats)}"] if cats else []),
                    *([f"deadlines {', '.join(dls)}"] if dls else [])]
        effect = "every case counts as open" if name == CLOSE_DATE else "every case reads it as blank"
        text = (f"the ledger has no {info.label} column ({name}), so {effect}; this affects "
                f"{', '.join(affected[:-1]) + ' and ' if len(affected) > 1 else ''}{affected[-1]}")
        like = columns.resembling(name, unknown)
        out[name] = text + (_closed_evidence(frame, hint=not like) if name == CLOSE_DATE else "") \
            + unrecognised_hint(like, name)
    return out


def _closed_evidence(frame: pd.DataFrame, hint: bool = True) -> str:
    """What says some cases are closed although the close date is missing, as a sentence (with
    ``hint``, how to read close dates kept under another header)."""
    fields, said = canonical_fields(), []
    if "status" in frame:
        counts = frame["status"].value_counts()
        closed = counts[[bool(CLOSED_STATUS.search(normalize_value(v))) for v in counts.index]]
        if len(closed):
            words = some_of([str(v) for v in closed.index[:3]], 3, total=len(closed), sep=" or ")
            said.append(f"{fields['status'].label} says {words} on {counted(int(closed.sum()), 'cases')}")
    if "close_method" in frame and (methods := int(frame["close_method"].notna().sum())):
        said.append(f"{fields['close_method'].label} is filled on {counted(methods, 'cases')}")
    if not said:
        return ""
    return (f". Yet {' and '.join(said)}" + (f": if the close dates are under another header, add that "
                                              f"header to a columns file (--columns) as an alias of {CLOSE_DATE}" if hint else ""))


# --------------------------------------------------------------------------- categories and rulesets


@dataclass
class Category:
    """One category of a ruleset, compiled."""

    id: str
    label: str
    description: str
    source: str
    priority: int
    condition: Condition  # its leaves keep their nodes: a problem found in evaluating one names its line


@dataclass
class CategoryExplanation:
    """Whether one case matched one category, and why."""

    id: str
    label: str
    matched: bool
    condition: ExplainNode

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "matched": self.matched, "condition": self.condition.to_dict()}

    def lines(self) -> list[str]:
        head = f"{'✓' if self.matched else '✗'} {self.label}（{self.id}）"
        return [head, *self.condition.lines(1)]


@dataclass
class Ruleset:
    """Compiled categories (in priority order), the raw ``deadlines:`` sections of the files, and
    the deadline ids the categories' conditions name as written (``deadline_mentions``), kept also
    when a condition did not compile so that a misspelt id is reported with its other problems;
    ``dropped``: the ids of the categories a ``drop:`` left out, which a switched-off deadline may
    still name."""

    name: str
    sources: list[str]
    description: str
    categories: list[Category]
    deadline_nodes: list[Node] = dc_field(default_factory=list)
    deadline_mentions: list[Node] = dc_field(default_factory=list)
    holiday_nodes: list[Node] = dc_field(default_factory=list)
    dropped: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self._order = _evaluation_order(self.categories)
        self._deadlines: Callable[..., Mapping[str, np.ndarray]] | None = None

    def category(self, name: str) -> Category:
        """The category with this id, else with this label (as tables and workbooks show it: 涉民生)."""
        if (found := by_id_or_label(self.categories, name)) is not None:
            return found
        known = [c.id for c in self.categories] + [c.label for c in self.categories]
        raise RulesError([f"no category '{name}' in rules {self.name}{did_you_mean(name, known)}"])

    def column_problems(self, columns: Collection[str]) -> list[str]:
        """A located problem for each ``column:`` a category reads that the ledger lacks."""
        return [p for cat in self.categories
                for p in missing_columns(cat.condition, f"category '{cat.id}'", columns)]

    def fields_read(self, deadline_fields: Mapping[str, set[str]] | None = None) -> dict[str, set[str]]:
        """Per category id the canonical fields it reads, itself or through the categories it
        refers to (directly or not), and through the deadlines it reads (``deadline_fields``: per
        deadline id the fields it reads, ``deadlines.fields_read``)."""
        by_id = {c.id: c for c in self.categories}
        out: dict[str, set[str]] = {}
        for cid in self._order:  # references first
            cond = by_id[cid].condition
            out[cid] = cond.fields().union(*(out[ref] for ref in cond.references()),
                                           *((deadline_fields or {}).get(r.deadline, set()) for r in cond.deadline_refs()))
        return out

    def columns_read(self) -> Iterator[ColumnRef]:
        """The columns the categories' conditions read (:meth:`Condition.columns`), category by
        category."""
        for cat in self.categories:
            yield from cat.condition.columns()

    def context(self, as_of: pd.Timestamp, masks: dict[str, pd.Series] | None = None) -> EvalContext:
        """A context to evaluate this ruleset's conditions in: categories are evaluated on first
        reference (unless in ``masks``), deadlines a ``deadline:`` condition reads on first read."""
        ctx = EvalContext(as_of, masks=dict(masks or {}), conditions={c.id: c.condition for c in self.categories})
        if any(True for c in self.categories for _ in c.condition.deadline_refs()):
            from backlog_cli.deadlines import deadline_results  # deadlines builds on this module

            if self._deadlines is None:
                self._deadlines = deadline_results(self)
            ctx.deadline_results = self._deadlines
        return ctx

    def evaluate(self, frame: pd.DataFrame, as_of: pd.Timestamp) -> EvalContext:
        """Evaluate every category (references first); the masks are in the returned context."""
        ctx = self.context(as_of)
        for cid in self._order:
            ctx.category(frame, cid)
        return ctx

    def classify(self, frame: pd.DataFrame, as_of: pd.Timestamp, ctx: EvalContext | None = None) -> pd.DataFrame:
        """One boolean column per category, then ``categories`` and ``primary_category``.

        ``ctx`` is a context from :meth:`evaluate` on the same frame, when the caller has one."""
        ctx = ctx or self.evaluate(frame, as_of)
        ids = [c.id for c in self.categories]
        flags = np.empty((len(ids), len(frame)), dtype=bool)  # as pandas holds a block: one row per column
        for row, cid in zip(flags, ids):
            row[:] = ctx.masks[cid].to_numpy(dtype=bool)
        masks = list(flags)
        out = pd.DataFrame(flags.T, index=frame.index, columns=ids, copy=False)
        combos, inverse = _combinations(masks, len(frame))
        lists = _lists(ids, combos)
        primary = pd.array([ids[row.argmax()] if row.any() else None for row in combos], dtype="str")
        out["categories"] = pd.Series(lists[inverse], index=frame.index, dtype=object)
        out["primary_category"] = pd.Series(primary.take(inverse), index=frame.index)
        return out

    def summary(self, frame: pd.DataFrame, result: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
        """The 底数: per category its cases, open and closed at --as-of; then a row for all cases."""
        is_open, is_closed = open_mask(frame, as_of), closed_mask(frame, as_of)
        rows = []
        for cat in self.categories:
            m = result[cat.id].to_numpy(dtype=bool)
            rows.append((cat.id, cat.label, int(m.sum()), int((m & is_open).sum()), int((m & is_closed).sum())))
        rows.append((TOTAL_ID, TOTAL_LABEL, len(frame), int(is_open.sum()), int(is_closed.sum())))
        return pd.DataFrame(rows, columns=["category", "label", "cases", "open", "closed"])

    def explain(self, frame_row: pd.DataFrame, as_of: pd.Timestamp,
                ctx: EvalContext | None = None) -> list[CategoryExplanation]:
        """For the single case in ``frame_row``: every category, matched or not, and why.

        ``ctx`` holds the case's category masks when the caller has them (from a triage), so that
        the categories are not evaluated again."""
        if len(frame_row) != 1:
            raise ValueError(f"explain takes exactly one case, got {len(frame_row)}")
        ctx = ctx if ctx is not None else self.evaluate(frame_row, as_of)
        return [CategoryExplanation(c.id, c.label, bool(ctx.masks[c.id].iloc[0]), c.condition.explain(frame_row, ctx))
                for c in self.categories]


def category_lists(flags: pd.DataFrame) -> pd.Series:
    """Per row, the ids (the columns of ``flags``) true in it, in column order: one list per
    distinct combination, shared by its rows (as ``categories`` from :meth:`Ruleset.classify`)."""
    ids = [str(c) for c in flags.columns]
    combos, inverse = _combinations([flags[c].to_numpy(dtype=bool) for c in flags.columns], len(flags))
    return pd.Series(_lists(ids, combos)[inverse], index=flags.index, dtype=object)


def _lists(ids: list[str], combos: np.ndarray) -> np.ndarray:
    """One list of ids per combination (a row of ``combos``)."""
    lists = np.empty(len(combos), dtype=object)
    for i, row in enumerate(combos):  # one by one: lists of one length would make numpy a 2-D array
        lists[i] = [ids[j] for j in np.flatnonzero(row)]
    return lists


def _combinations(masks: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct combinations of true masks among ``n`` rows, as a combinations x masks matrix,
    and each row's combination. Masks are packed 64 to an integer key and the keys factorized:
    eight to a byte (small arrays), the bytes side by side read as the key."""
    inverse = np.zeros(n, np.intp)
    for start in range(0, len(masks), 64):
        keys = np.zeros((n, 8), np.uint8)
        group = masks[start:start + 64]
        for byte in range(0, len(group), 8):
            packed = np.zeros(n, np.uint8)
            for bit, mask in enumerate(group[byte:byte + 8]):
                packed |= np.asarray(mask, bool).view(np.uint8) << np.uint8(bit)
            keys[:, byte // 8] = packed
        codes, uniques = pd.factorize(keys.view(np.uint64).ravel())
        inverse = pd.factorize(inverse * len(uniques) + codes)[0] if start else codes
    first = first_rows(inverse)  # factorize numbers combinations in order of appearance
    combos = np.stack([m[first] for m in masks], axis=1) if masks else np.zeros((len(first), 0), bool)
    return combos, inverse


def _evaluation_order(categories: list[Category]) -> list[str]:
    """Ids with every referenced category before the categories that refer to it (cycle-free)."""
    refs = {c.id: c.condition.references() for c in categories}
    done: list[str] = []

    def visit(cid: str) -> None:
        if cid in done:
            return
        for ref in sorted(refs[cid]):
            visit(ref)
        done.append(cid)

    for cat in categories:
        visit(cat.id)
    return done


def _cycle_problems(categories: dict[str, tuple[Condition, Node]]) -> list[str]:
    """A located problem for each reference cycle among the categories."""
    refs = {cid: cond.references() & categories.keys() for cid, (cond, _) in categories.items()}
    problems, reported, state = [], set(), {}

    def visit(cid: str, stack: list[str]) -> None:
        state[cid] = "active"
        for ref in sorted(refs[cid]):
            if state.get(ref) == "active":
                cycle = stack[stack.index(ref):] + [ref]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    problems.append(categories[ref][1].problem(f"reference cycle: {' → '.join(cycle)}"))
            elif ref not in state:
                visit(ref, [*stack, ref])
        state[cid] = "done"

    for cid in categories:
        if cid not in state:
            visit(cid, [cid])
    return problems


# --------------------------------------------------------------------------- loading


def bundled_rules_dir() -> Path:
    """The bundled rulesets: inside the installed package, else the repository's rules/."""
    inside = Path(__file__).parent / "rules"
    return inside if inside.is_dir() else Path(__file__).parents[2] / "rules"


def _bundled() -> dict[str, Path]:
    return {p.stem: p for p in sorted(bundled_rules_dir().glob("*.yaml"))}


class BundledRuleset(NamedTuple):
    name: str
    path: Path
    description: str
    categories: list[Category]


def list_bundled() -> list[BundledRuleset]:
    """Every bundled ruleset with its description and (resolved) categories."""
    out = []
    for name, path in _bundled().items():
        rules = load_rules([name])
        out.append(BundledRuleset(name, path, rules.description, rules.categories))
    return out


@dataclass
class _RawCategory:
    """A category as read, before compiling: its keys' nodes (a child's keys override a parent's).
    ``id`` is None when the id is missing, unusable or a duplicate (the category is still checked,
    so that every problem shows at once); ``dropped``: the categories a ``drop:`` left out after
    its ``when`` was read, by id, with the drop item naming each."""

    id: str | None
    node: Node
    keys: dict[str, Node]
    dropped: dict[str, Node] = dc_field(default_factory=dict)

    @property
    def name(self) -> str:
        """How messages name the category."""
        written = self.node.value.get("id")
        return f"category '{written}'" if isinstance(written, str) else "the category"


@dataclass
class _Raw:
    """One or more rules files merged, before compiling."""

    categories: dict[str, _RawCategory] = dc_field(default_factory=dict)
    sources: list[str] = dc_field(default_factory=list)
    deadline_nodes: list[Node] = dc_field(default_factory=list)
    holiday_nodes: list[Node] = dc_field(default_factory=list)
    description: str = ""
    unchecked: list[_RawCategory] = dc_field(default_factory=list)  # left out for a bad id
    dropped: list[str] = dc_field(default_factory=list)  # by a drop:, and not declared again since


def _display(path: Path) -> str:
    """How a rules file is named in messages: bundled ones as rules/NAME.yaml."""
    try:
        return f"rules/{path.resolve().relative_to(bundled_rules_dir().resolve()).as_posix()}"
    except ValueError:
        return str(path)


def bundled_path(display: str) -> str:
    """Where a rules file named in messages as ``rules/NAME.yaml`` (a bundled one) is on this
    machine, to be copied and changed (inside the installed package); other names as they are."""
    if display.startswith("rules/") and (bundled_rules_dir() / display.removeprefix("rules/")).is_file():
        return str(bundled_rules_dir().resolve() / display.removeprefix("rules/"))
    return display


def _resolve(spec: str | Path, base: Path | None = None) -> Path | None:
    """A path (relative to ``base`` first) or a bundled ruleset name → a file, or None."""
    text = str(spec)
    looks_like_path = isinstance(spec, Path) or text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text
    if looks_like_path:
        for candidate in ([base / text] if base else []) + [Path(text)]:
            try:
                if candidate.is_file():
                    return candidate
            except OSError:  # a name the file system refuses (too long): no such file
                continue
        return None
    return _bundled().get(text)


def _unknown_spec(spec: Any) -> str:
    names = list(_bundled())
    if not str(spec).strip():
        return f"an empty rules name {str(spec)!r}: give a bundled ruleset ({', '.join(names)}) or a rules file"
    try:
        folder = Path(str(spec)).is_dir()
    except OSError:  # a name the file system refuses (too long)
        folder = False
    if folder:
        found = sorted(p.name for p in Path(str(spec)).glob("*.y*ml"))
        return (f"{spec} is a folder, not a rules file; name the file"
                + (f" ({some_of(found, 5)})" if found else ""))
    return f"no rules file or bundled ruleset '{spec}'{did_you_mean(spec, names)} (bundled: {', '.join(names)})"


def _read_ruleset(path: Path, raw: _Raw, problems: list[str], chain: tuple[Path, ...] = ()) -> None:
    """Read one file (what it ``extends`` first) and merge it into ``raw``; ``chain``: the files
    extending it, outermost first."""
    display = _display(path)
    root, found = _read_yaml(path, display)
    problems.extend(found)
    if root is None:
        return
    if not isinstance(root.value, dict):
        problems.append(root.problem(f"expected a mapping with version: 1 and categories:, got {shown_value(root.value)}"
                                     f"{slip_note(root.value)}"))
        return
    _check_top(root, problems)
    if "extends" in root.value:
        _extend(root.child("extends"), (*chain, path), raw, problems)
    raw.sources.append(display)
    if isinstance(root.value.get("description"), str):
        raw.description = root.value["description"]
    if "drop" in root.value:
        _drop(root.child("drop"), raw, problems)
    if "categories" in root.value:
        _merge_categories(root.child("categories"), raw, problems)
    if "deadlines" in root.value:
        raw.deadline_nodes.append(root.child("deadlines"))
    if "holidays" in root.value:
        raw.holiday_nodes.append(root.child("holidays"))


def _extend(node: Node, chain: tuple[Path, ...], raw: _Raw, problems: list[str]) -> None:
    """Read what ``extends:`` names (one ruleset, or a list read in order) into ``raw``; the last
    of ``chain`` is the file that says it."""
    if isinstance(node.value, list) and node.value:
        specs = node.items()
    elif isinstance(node.value, str):
        specs = [node]
    else:
        got = shown_value(node.value)
        problems.append(node.problem(f"expected a bundled ruleset name or a path, or a list of them, got {got}"))
        return
    for spec in specs:
        target = _resolve(spec.value, chain[-1].parent) if isinstance(spec.value, str) else None
        if not isinstance(spec.value, str):
            problems.append(spec.problem(f"expected a bundled ruleset name or a path, got {shown_value(spec.value)}"))
        elif target is None:
            problems.append(spec.problem(_unknown_spec(spec.value)))
        elif (start := _chain_index(chain, target)) is not None:
            loop = [*chain[start:], target]
            problems.append(spec.problem(f"the files extend one another in a cycle: {' → '.join(_display(p) for p in loop)}"))
        else:
            _read_ruleset(target, raw, problems, chain)


def _chain_index(chain: tuple[Path, ...], path: Path) -> int | None:
    """Where ``path`` is in ``chain`` (the same file, however named), or None."""
    resolved = [p.resolve() for p in chain]
    return resolved.index(path.resolve()) if path.resolve() in resolved else None


def _check_top(root: Node, problems: list[str]) -> None:
    for key in root.value:
        if key not in FILE_KEYS:
            problems.append(root.problem(f"unknown key '{key}'{did_you_mean(key, FILE_KEYS)}", root.key_mark(key)))
    if "version" not in root.value:
        problems.append(root.problem("missing 'version: 1'"))
    elif root.value["version"] != 1 or isinstance(root.value["version"], bool):
        problems.append(root.child("version").problem(f"unsupported version {shown_value(root.value['version'])}; expected 1"))
    if "description" in root.value and not isinstance(root.value["description"], str):
        problems.append(root.child("description").problem(f"expected text, got {shown_value(root.value['description'])}"))


def _drop(node: Node, raw: _Raw, problems: list[str]) -> None:
    """Leave out the listed categories; the categories read so far remember each, so that their
    ``any:`` lists leave it out too (see :class:`_Scope`)."""
    if not isinstance(node.value, list):
        problems.append(node.problem(f"expected a list of category ids, got {shown_value(node.value)}"))
        return
    listed: set[str] = set()
    for item in node.items():
        cid = item.value
        if not isinstance(cid, str):
            problems.append(item.problem(f"expected a category id, got {shown_value(cid)}"))
        elif cid in listed:
            problems.append(item.problem(f"'{cid}' is listed twice"))
        elif cid in raw.categories:
            listed.add(cid)
            del raw.categories[cid]
            raw.dropped.append(cid)
            for cat in raw.categories.values():
                cat.dropped[cid] = item
        else:
            listed.add(cid)
            problems.append(item.problem(f"cannot drop unknown category '{cid}'{did_you_mean(cid, raw.categories)}"))


def _merge_categories(node: Node, raw: _Raw, problems: list[str]) -> None:
    if not isinstance(node.value, list):
        problems.append(node.problem(f"expected a list of categories, got {shown_value(node.value)}"))
        return
    seen: set[str] = set()
    for item in node.items():
        cat = _read_category(item, problems)
        if cat is None:
            continue
        if cat.id in seen:
            problems.append(item.child("id").problem(f"duplicate category id '{cat.id}'"))
            cat.id = None
        if cat.id is None:
            raw.unchecked.append(cat)
            continue
        seen.add(cat.id)
        if cat.id in raw.categories:  # override: the child's keys replace the parent's
            base = raw.categories[cat.id]
            cat = _RawCategory(cat.id, cat.node, {**base.keys, **cat.keys}, {} if "when" in cat.keys else base.dropped)
        raw.categories[cat.id] = cat


def _read_category(node: Node, problems: list[str]) -> _RawCategory | None:
    if not isinstance(node.value, dict):
        problems.append(node.problem(f"expected a category (a mapping with id, label, when), got {shown_value(node.value)}"))
        return None
    for key in node.value:
        if key not in CATEGORY_KEYS:
            problems.append(node.problem(f"unknown key '{key}'{did_you_mean(key, CATEGORY_KEYS)}", node.key_mark(key)))
    return _RawCategory(_category_id(node, problems), node,
                        {k: node.child(k) for k in node.value if k in CATEGORY_KEYS})


def _category_id(node: Node, problems: list[str]) -> str | None:
    """The category's id, or None after a problem."""
    if "id" not in node.value:
        problems.append(node.problem("missing 'id'"))
        return None
    cid = node.value["id"]
    id_node = node.child("id")
    if (bad := slug_problem(id_node)) is not None:
        problems.append(bad)
        return None
    if cid in (*RESULT_COLUMNS, TOTAL_ID, *canonical_fields()):
        problems.append(id_node.problem(f"id '{cid}' is reserved (a column name of the output)"))
        return None
    return cid


# a space YAML's folding (>-) put where a line broke between two Chinese characters
_FOLD_SPACE = re.compile(r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])")


def unfolded(text: str) -> str:
    """A description as written: a folded block's line breaks between Chinese characters joined
    without the space YAML puts there (``非诉、 行审`` → ``非诉、行审``); other spaces kept."""
    return _FOLD_SPACE.sub("", text)


def _category_texts(cat: _RawCategory, position: int, problems: list[str]) -> tuple[dict[str, str], int]:
    """The category's label, description and source, and its priority (10 × ``position`` unless given)."""
    texts = {}
    for key in ("label", "description", "source"):
        value = cat.keys[key].value if key in cat.keys else ""
        if not isinstance(value, str):
            problems.append(cat.keys[key].problem(f"expected text, got {shown_value(value)}"))
        texts[key] = unfolded(str(value)) if key == "description" else str(value)
    if "label" not in cat.keys:
        problems.append(cat.node.problem(f"{cat.name} has no label"))
    elif not texts["label"].strip():
        problems.append(cat.keys["label"].problem(f"{cat.name} has an empty label"))
    priority = position * 10
    if "priority" in cat.keys:
        p = cat.keys["priority"]
        if isinstance(p.value, int) and not isinstance(p.value, bool):
            priority = p.value
        else:
            problems.append(p.problem(f"priority must be a whole number, got {shown_value(p.value)}"))
    if "when" not in cat.keys:
        problems.append(cat.node.problem(f"{cat.name} has no 'when' condition"))
    return texts, priority


def _label_problem(cat: _RawCategory, label: str, seen: dict[str, str]) -> list[str]:
    """A label names the category's sheet and its row in the counts: it must differ from every
    other category's and from the workbook's own sheets (``seen`` is filled as labels are read)."""
    key = label.strip().casefold()
    if not key or "label" not in cat.keys:
        return []
    node = cat.keys["label"]
    if key in (TOTAL_LABEL, SUMMARY_LABEL):
        return [node.problem(f"label '{label.strip()}' is reserved (the workbook's sheet and row of that name)")]
    if key in seen:
        return [node.problem(f"label '{label.strip()}' is also the label of {seen[key]}: each category needs its "
                             "own (it names the category's sheet and row)")]
    seen[key] = cat.name
    return []


def _compile_categories(raw: _Raw, problems: list[str], kinds: Mapping[str, str]) -> list[Category]:
    ids = set(raw.categories)
    compiled: dict[str, tuple[Condition, Node]] = {}
    cats: list[Category] = []
    labels: dict[str, str] = {}  # a label, as sheet names compare, → the category that has it
    for position, cat in enumerate(raw.categories.values(), start=1):
        texts, priority = _category_texts(cat, position, problems)
        problems.extend(_label_problem(cat, texts["label"], labels))
        if "when" not in cat.keys:
            continue
        when = cat.keys["when"]
        condition = _compile(when, _Scope(ids, cat.dropped, cat.id, kinds), problems)
        if condition is None:
            continue
        compiled[cat.id] = (condition, when)
        cats.append(Category(cat.id, texts["label"], texts["description"], texts["source"], priority, condition))
    for cat in raw.unchecked:
        _category_texts(cat, 0, problems)
        if "when" in cat.keys:
            _compile(cat.keys["when"], _Scope(ids, kinds=kinds), problems)
    problems.extend(_cycle_problems(compiled))
    return sorted(cats, key=lambda c: c.priority)  # stable: ties keep file order


def read_rules(specs: Sequence[str | Path] | None = None,
               columns: Columns | None = None) -> tuple[Ruleset, list[str], list[str]]:
    """Like :func:`load_rules` without raising: the ruleset (with no categories when there were
    problems: a reference cycle cannot be ordered), the ids of every category the files declare,
    and every problem found."""
    specs = list(specs or ["default"])
    raw, problems = _Raw(), []
    for spec in specs:
        path = _resolve(spec)
        if path is None:
            problems.append(_unknown_spec(spec))
            continue
        _read_ruleset(path, raw, problems)
    categories = _compile_categories(raw, problems, declared_kinds(columns))
    name = "+".join(Path(str(s)).stem for s in specs)
    whens = [c.keys["when"] for c in (*raw.categories.values(), *raw.unchecked) if "when" in c.keys]
    mentions = [m for when in whens for m in deadline_mentions(when)]
    dropped = tuple(c for c in dict.fromkeys(raw.dropped) if c not in raw.categories)
    ruleset = Ruleset(name, raw.sources, raw.description, [] if problems else categories, raw.deadline_nodes,
                      mentions, raw.holiday_nodes, dropped)
    return ruleset, list(raw.categories), problems


def load_rules(specs: Sequence[str | Path] | None = None, columns: Columns | None = None) -> Ruleset:
    """Load and compile rulesets: bundled names or paths, later ones overriding earlier ones by id.

    None or an empty list loads the bundled ``default``; ``columns`` as for :func:`compile_condition`.
    Raises RulesError with every problem in the categories; ``deadlines.load_ruleset`` checks the
    ``deadlines:`` sections as well.
    """
    ruleset, _, problems = read_rules(specs, columns)
    if problems:
        raise RulesError(problems)
    return ruleset
