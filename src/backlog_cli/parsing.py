"""Vectorised parsers for ledger cell values.

Every parser takes a pandas Series of raw cells as a spreadsheet reader returns them (an object
Series mixing ``str``, ``int``, ``float``, ``datetime``, ``date``, ``bool`` and blanks) and works
column-wise: cells are grouped by python type; strings of a common shape (2016+ case numbers,
plain amounts, ISO dates, text NFKC leaves alone) are read in bulk as rows of code points with
numpy, the others once per distinct value with compiled regexes. Parsers return the parsed values and a ``bad`` mask that is True where a
non-blank cell could not be read. Blank cells (None, NaN, empty or whitespace-only text, ``-``,
``—``, ``/``, and NULL, None, nan, N/A as exports write them: :data:`BLANK_WORDS`) are
missing, never bad. The parsers of dates, amounts, numbers and case numbers read
a text after Excel's text mark ('2025-01-02, as CSV exports keep it) as the text itself: the mark
is dropped in one place, as the text is cleaned (:data:`TEXT_MARK`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

# pandas backs its default str dtype with pyarrow when pyarrow happens to be installed, and with
# Python strings when not: the text code here and in the modules that import it (object identity
# of cleaned cells, string arithmetic, empty columns) is written for Python strings, so a ledger
# gives the same result whatever else the environment holds. Every module that makes frames of
# ledger text imports this one before it makes any.
pd.set_option("mode.string_storage", "python")

__all__ = [
    "BLANK_WORDS",
    "is_blank_text",
    "header_key",
    "header_unit",
    "unit_alone",
    "unit_suffix",
    "stated_unit",
    "without_spaces",
    "normalize_name",
    "normalize_case_number",
    "normalize_person",
    "normalize_text",
    "keep_text",
    "normalize_value",
    "clean_values",
    "factorize_objects",
    "object_addresses",
    "first_rows",
    "row_chunks",
    "parse_amounts",
    "parse_case_numbers",
    "parse_case_text",
    "same_case",
    "case_ids",
    "parse_dates",
    "weekday_slips",
    "parse_flags",
]

# ---------------------------------------------------------------------------------------------
# cell kinds

BLANK, STR, BOOL, INT, FLOAT, DATE, OTHER = range(7)  # one small integer per cell: cheap to compare

# Characters treated as whitespace everywhere; written out so that regex engines agree.
_WS = "\\s\u0085\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
_WS_RUN = re.compile(f"[{_WS}]+")
# What a case system, a database or a program exports for an empty cell: NULL, None, nan, N/A; in
# any case (null, NaN, n/a), each form a member of BLANK_WORDS, so that a value is still one set
# lookup. Not #N/A: a lookup that failed, in a workbook's error cell as in the CSV Excel saves from
# it, is a value problem (loading.FORMULA_FAILED).
NULL_WORDS = ("null", "none", "nan", "n/a")
# Cell texts that mean "nothing here" (after cleaning): read as missing, never as a value.
BLANK_WORDS = frozenset(["", "-", "--", "\u2013", "\u2014", "\u2014\u2014", "/", "//",
                         *("".join(form) for word in NULL_WORDS
                           for form in itertools.product(*map(set, zip(word.lower(), word.upper()))))])


def _kind_of(t: type) -> int:
    """Kind label for one python type."""
    if issubclass(t, str):
        return STR
    if issubclass(t, (bool, np.bool_)):
        return BOOL
    if issubclass(t, (int, np.integer)):
        return INT
    if issubclass(t, (float, np.floating, Decimal)):
        return FLOAT
    if issubclass(t, (dt.date, np.datetime64)):
        return DATE
    return OTHER


# pandas' type inference labels for columns holding one kind of value (blanks skipped).
_INFERRED = {"string": STR, "floating": FLOAT, "decimal": FLOAT, "integer": INT, "boolean": BOOL,
             "datetime": DATE, "datetime64": DATE, "date": DATE, "empty": BLANK}


def _kinds(s: pd.Series, missing: np.ndarray | None = None) -> np.ndarray:
    """One kind per cell (int8): a fast path per dtype, else grouped by python type. ``missing``,
    when given, is ``s.isna()`` already computed by the caller."""
    if missing is None:
        missing = s.isna().to_numpy()
    dtype = s.dtype
    if missing.all():
        kind = BLANK
    elif pd.api.types.is_bool_dtype(dtype):
        kind = BOOL
    elif pd.api.types.is_integer_dtype(dtype):
        kind = INT
    elif pd.api.types.is_float_dtype(dtype):
        kind = FLOAT
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        kind = DATE
    elif isinstance(dtype, pd.StringDtype) or dtype == "str":
        kind = STR
    elif (inferred := _INFERRED.get(pd.api.types.infer_dtype(s, skipna=True))) is not None:
        kind = inferred  # one python type (blanks aside): a single C-level scan
    else:
        codes, types = pd.factorize(s.astype(object).map(type))
        labels = np.array([_kind_of(t) for t in types], dtype=np.int8)
        kind = labels[codes]
    out = np.full(len(s), kind, dtype=np.int8) if np.isscalar(kind) else kind.astype(np.int8)
    out[missing] = BLANK
    return out


_SAMPLE = 2_000


def first_rows(codes: np.ndarray) -> np.ndarray:
    """Where each code of ``codes`` (numbered in order of first appearance, as ``pd.factorize``
    numbers them, no -1) first appears: where their running maximum goes up."""
    return np.flatnonzero(np.diff(np.maximum.accumulate(codes), prepend=-1) > 0)


def object_addresses(values: np.ndarray) -> np.ndarray:
    """Per cell of an object array, its object's address (``id``) as an integer, read from the
    array's buffer of object pointers, no object touched (``map(id, ...)`` calls into Python per
    cell); the view keeps the array alive, and with it every object an address names."""
    values = np.ascontiguousarray(values, dtype=object)
    if not len(values):
        return np.zeros(0, np.intp)
    return np.frombuffer(memoryview(values).cast("B"), dtype=np.intp)


def factorize_objects(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values, use_na_sentinel=True)`` of an object array, the same codes and
    distinct values, worked out by object first: the objects' addresses are factorized as integers
    (read from the array, no object touched), then only the distinct objects by value. The loader
    cleans text once per distinct value of a block, so a column of a few words in a million cells
    holds a few hundred objects, and hashing a million strings (each read from memory) costs three
    to five times the integers; the 1,000,000-row CSV's respondents (0.6 objects a cell) and 执行依据
    (0.4) gain a little in the rules' first call. A column of one object a cell (names as a workbook
    gives them) costs about a third more (the 200,000-row workbook's respondents 0.037 s against
    0.024 s): no sample tells it apart from the CSV's respondents."""
    values = np.ascontiguousarray(values, dtype=object)
    by_object, _ = pd.factorize(object_addresses(values))
    codes, uniques = pd.factorize(values[first_rows(by_object)], use_na_sentinel=True)
    return codes[by_object], uniques


def per_distinct(t: pd.Series, fn: Callable[[pd.Series], pd.Series | pd.DataFrame], dtype: str | type = "str"):
    """Apply a column-wise function of strings (a parser, a test) once per distinct string and
    spread the result back (``dtype=object``: of cells of any type, handed over as they are).

    Columns of mostly distinct values are parsed directly (judged on a sample first, so that a
    column of names or case numbers is not factorized for nothing).
    """
    if len(t) > 2 * _SAMPLE and pd.Series(t.iloc[:_SAMPLE]).nunique() > _SAMPLE // 2:
        return fn(t)
    codes, uniques = pd.factorize(t)
    if len(uniques) > len(t) // 2:
        return fn(t)
    missing = codes < 0
    if missing.any():  # missing cells take the result for a missing value, parsed once at the end
        codes[missing] = len(uniques)
        uniques = [*uniques, None]
    res = fn(pd.Series(uniques, dtype=dtype))
    out = res.take(codes)
    out.index = t.index
    return out


# ---------------------------------------------------------------------------------------------
# code-point matrices: the fast paths read strings of a common shape as rows of code points with
# numpy; every string they cannot vouch for goes through the exact per-value path

_WIDE = 32  # longer strings always take the per-value path
_CHUNK = 1 << 16  # rows per matrix: bounds the memory of the fast paths


def row_chunks(n: int) -> list[slice]:
    """``range(n)`` in slices of _CHUNK rows: bounds the memory of a matrix of rows."""
    return [slice(i, min(i + _CHUNK, n)) for i in range(0, n, _CHUNK)]


def _matrix(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The positions of the strings in ``values`` (object array of str) no longer than _WIDE, their
    code points (uint32, one zero-padded row each) and their lengths."""
    lengths = np.fromiter(map(len, values), np.int64, len(values))
    rows = np.flatnonzero(lengths <= _WIDE)
    width = max(int(lengths[rows].max(initial=1)), 1)
    codes = values[rows].astype(f"U{width}").view(np.uint32).reshape(len(rows), width)
    return rows, codes, lengths[rows]


# Character classes for the fast paths: _KEEP is left as it is by NFKC and is no whitespace (ASCII
# marks, letters and digits; CJK ideographs; 、。【】〔〕; U+0000, which also pads the rows), _FULL
# is a full-width form that NFKC maps to ASCII by subtracting _FULL_SHIFT (all checked against
# unicodedata in the tests).
_KEEP, _FULL = 1, 2
_FULL_SHIFT = 0xFEE0
_CLASS = np.zeros(sys.maxunicode + 1, np.uint8)
_CLASS[[0, *range(0x21, 0x7F), *range(0x4E00, 0xA000), 0x3001, 0x3002, 0x3010, 0x3011, 0x3014, 0x3015]] = _KEEP
_CLASS[0xFF01:0xFF5F] = _FULL


def _texts(codes: np.ndarray) -> np.ndarray:
    """Rows of code points back to an object array of str (trailing U+0000 dropped)."""
    return np.ascontiguousarray(codes).view(f"U{codes.shape[1]}").ravel().astype(object)


def _clean_fast(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_clean_one` (either separator) of the strings made only of _KEEP and _FULL
    characters: which strings those are, their cleaned text (the string itself when it has no
    full-width character), which of them may be a blank word (:data:`BLANK_WORDS`: no longer than
    the longest, beginning as one does) and which begin with Excel's text mark (:data:`TEXT_MARK`,
    or its full-width form)."""
    done = np.zeros(len(values), bool)
    short = np.zeros(len(values), bool)
    marked = np.zeros(len(values), bool)
    out = values.copy()
    for part in row_chunks(len(values)):
        rows, codes, lengths = _matrix(values[part])
        cls = _CLASS[codes]
        ok = cls.min(axis=1, initial=_KEEP) > 0
        full = ok & (cls.max(axis=1, initial=0) == _FULL)
        if full.any():
            wide = np.where(cls[full] == _FULL, codes[full] - _FULL_SHIFT, codes[full])
            rebuilt = _texts(wide)
            kept = np.fromiter(map(len, rebuilt), np.int64, len(rebuilt)) == lengths[full]
            ok[np.flatnonzero(full)[~kept]] = False  # a trailing U+0000 was lost
            out[part][rows[full][kept]] = rebuilt[kept]
        done[part][rows[ok]] = True
        first = np.where(cls[:, 0] == _FULL, codes[:, 0] - _FULL_SHIFT, codes[:, 0])
        short[part][rows[ok & (lengths <= _BLANK_MAX) & np.isin(first, _BLANK_FIRST)]] = True
        marked[part][rows[ok & np.isin(codes[:, 0], _MARKS)]] = True
    return done, out, short, marked


# Excel's mark for a value kept as text ('2025-01-02, '(2025)鲁0902执1号, '5000), which CSV exports keep
# (and backlog's own CSV writes before text such as -12.5万): the parsers read what follows it
TEXT_MARK = "'"
_MARKS = np.array([ord(TEXT_MARK), ord(TEXT_MARK) + _FULL_SHIFT])  # ＇ is ' once cleaned (NFKC)


def _unmarked(text: str) -> str | None:
    """A cleaned text that begins with :data:`TEXT_MARK` without it: what follows the mark (and a
    space), None when that is a blank word; a mark alone stays as it is (not blank, not a value)."""
    rest = text[1:].lstrip(" ")
    if not rest:
        return text
    return None if rest in BLANK_WORDS else rest


# The two characters of _WS that str.split() does not treat as whitespace (checked in the tests).
_NOT_ISSPACE = str.maketrans({"\u200b": " ", "\ufeff": " "})


# Every character _WS treats as whitespace, for str.strip (all of them are below U+3001).
_STRIP = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\u200b\ufeff"


def is_blank_text(text: str) -> bool:
    """Whether a cell's text is blank as the parsers read it: spaces only (any of :data:`_WS`), or
    a blank word (-, /, ——) between them."""
    return _clean_one(text, None) in BLANK_WORDS


def _clean_one(text: str, sep: str | None) -> str:
    """NFKC (skipped when already normal), whitespace runs joined by ``sep``, stripped; with
    ``sep`` None only stripped (free text kept as typed)."""
    if sep is None:
        return text.strip(_STRIP)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if "\u200b" in text or "\ufeff" in text:  # two C-level searches are cheaper than translate
        text = text.translate(_NOT_ISSPACE)
    return sep.join(text.split())


def _clean_strings(t: pd.Series, sep: str | None = " ", mark: bool = False) -> pd.Series:
    """NFKC, strip, whitespace runs replaced by ``sep`` (None: only stripped, see
    :func:`_strip_text`); blank strings become NA; with ``mark`` (a value the parsers read), Excel's
    text mark before a value dropped (:func:`_unmarked`). Text the code-point fast path can vouch
    for is cleaned in numpy, the rest one value at a time with C-level string methods."""
    if sep is None:
        return _strip_text(t)
    values = t.to_numpy(dtype=object, na_value=None)
    present = np.flatnonzero(t.notna().to_numpy())
    cleaned = np.full(len(values), None, dtype=object)
    cleaned[present] = clean_values(values[present], sep, mark)
    return pd.Series(cleaned, index=t.index, dtype="str")


def clean_values(values: np.ndarray, sep: str = " ", mark: bool = False) -> np.ndarray:
    """Strings (an object array of str) cleaned as :func:`_clean_strings` cleans them, blank ones
    None: an object array, the strings cleaning leaves alone kept as the same objects."""
    done, cleaned, short, marked = _clean_fast(values)
    rest = np.flatnonzero(~done)
    cleaned[rest] = [None if (c := _clean_one(v, sep)) in BLANK_WORDS else c for v in values[rest]]
    blank = np.flatnonzero(short)  # may be a blank word
    cleaned[blank] = [None if v in BLANK_WORDS else v for v in cleaned[blank]]
    if mark:
        slow = np.array([v is not None and v.startswith(TEXT_MARK) for v in cleaned[rest]], dtype=bool)
        at = np.concatenate([np.flatnonzero(marked), rest[slow]])
        cleaned[at] = [_unmarked(v) for v in cleaned[at]]
    return cleaned


def _extract(t: pd.Series, pattern: re.Pattern) -> pd.DataFrame:
    """Like ``t.str.extract(pattern)`` (named groups; NA where the pattern or a group did not
    match) but always with Python's ``re`` and without pandas' per-row overhead."""
    found = [None if v is None else pattern.search(v) for v in t.to_numpy(dtype=object, na_value=None)]
    names = list(pattern.groupindex)
    empty = (None,) * len(names)
    rows = [m.groups() if m else empty for m in found]
    columns = zip(*rows) if rows else [()] * len(names)
    return pd.DataFrame({n: pd.Series(list(c), index=t.index, dtype="str") for n, c in zip(names, columns)}, index=t.index)


_BLANK_MAX = max(map(len, BLANK_WORDS))
_BLANK_FIRST = np.array(sorted({ord(w[0]) if w else 0 for w in BLANK_WORDS}))  # 0: the empty string's padding


def _strip_text(t: pd.Series) -> pd.Series:
    """Free text stripped; blank words become NA. One ``str.strip`` and one set lookup per value,
    both in C (``str.strip`` hands back the same object when there is nothing to strip): faster
    than telling the clean values apart from their code points first (measured: 3.4 s against
    4.3 s over the twenty columns of the 1,000,000-row CSV)."""
    values = t.to_numpy(dtype=object, na_value=None)
    stripped = [None if v is None or (c := v.strip(_STRIP)) in BLANK_WORDS else c for v in values]
    return pd.Series(stripped, index=t.index, dtype="str")


def _prepare(s: pd.Series, sep: str | None = " ", missing: np.ndarray | None = None,
             mark: bool = False) -> tuple[np.ndarray, pd.Series]:
    """Kind labels (blank strings relabelled BLANK) and the cleaned text of string cells; with
    ``mark``, without Excel's text mark before them (:func:`_clean_strings`).

    A column of text and blanks (the usual case) is cleaned whole, without masks."""
    kinds = _kinds(s, missing)
    is_str = kinds == STR
    if not is_str.any():
        return kinds, pd.Series(pd.NA, index=s.index, dtype="str")
    only_text = bool(np.all(is_str | (kinds == BLANK)))
    strings = (s if only_text else s[is_str]).astype("str")
    cleaned = per_distinct(strings, lambda u: _clean_strings(u, sep, mark))
    if only_text:
        text = cleaned
    else:
        text = pd.Series(pd.NA, index=s.index, dtype="str")
        text[is_str] = cleaned
    kinds[is_str & text.isna().to_numpy()] = BLANK
    return kinds, text


def _numbers(s: pd.Series, mask: np.ndarray) -> pd.Series:
    """The numeric cells under ``mask`` as float64."""
    return pd.to_numeric(s[mask].astype(object), errors="coerce").astype("float64")


# ---------------------------------------------------------------------------------------------
# text


def _format_floats(x: pd.Series) -> pd.Series:
    """Floats as text; whole numbers without the trailing ``.0``."""
    x = pd.to_numeric(x.astype(object)).astype("float64")
    whole = ((x == np.floor(x)) & (x.abs() < 1e15)).to_numpy()
    if whole.all():  # a column of serial numbers: integers print three times faster than floats
        return pd.Series(list(map(str, x.to_numpy().astype(np.int64).tolist())), index=x.index, dtype="str")
    out = x.astype("str")
    out[whole] = x[whole].astype("int64").astype("str")
    return out


def _format_dates(d: pd.Series) -> pd.Series:
    """Dates as ISO text, with the time only when it is not midnight; formatted once per
    distinct date."""
    codes, uniques = pd.factorize(pd.to_datetime(d, errors="coerce"))
    uniques = pd.DatetimeIndex(uniques)
    text = np.where(uniques == uniques.normalize(), uniques.strftime("%Y-%m-%d"), uniques.strftime("%Y-%m-%d %H:%M:%S"))
    return pd.Series(np.append(text.astype(object), None)[codes], index=d.index, dtype="str")


def _as_str(v: pd.Series) -> pd.Series:
    return v.astype(object).astype("str")


_FORMATS = {INT: _as_str, FLOAT: _format_floats, DATE: _format_dates, BOOL: _as_str, OTHER: _as_str}


def _to_text(s: pd.Series, sep: str | None, missing: np.ndarray | None = None, mark: bool = False) -> pd.Series:
    """Every non-blank cell as cleaned text, whitespace runs replaced by ``sep`` (None: as typed,
    stripped); with ``mark``, without Excel's text mark before it."""
    kinds, text = _prepare(s, sep, missing, mark)
    others = [k for k in np.unique(kinds) if k not in (STR, BLANK)]
    if not others:
        return text
    out = text.to_numpy(dtype=object, na_value=None)  # filled by position, wrapped once
    for kind in others:
        mask = kinds == kind
        formatted = _FORMATS[kind](s[mask])
        # numbers, dates and flags print with no edge spaces and are never blank words: free text
        # takes them as they are; cleaning that joins or drops spaces (a date's time) applies
        out[mask] = (_clean_strings(formatted, sep) if sep is not None or kind == OTHER else formatted).to_numpy(
            dtype=object, na_value=None)
    return pd.Series(out, index=s.index, dtype="str")


def normalize_text(s: pd.Series, missing: np.ndarray | None = None) -> pd.Series:
    """Cells as clean text: NFKC, stripped, single spaces; blank → NA; 123.0 → "123".

    Here and in the parsers below, ``missing`` may give ``s.isna()`` when the caller has it."""
    return _to_text(s, " ", missing)


def normalize_value(text: str) -> str:
    """One text as :func:`normalize_text` cleans a cell: NFKC, stripped, single spaces."""
    return _clean_one(text, " ")


def keep_text(s: pd.Series, missing: np.ndarray | None = None) -> pd.Series:
    """Free text as typed: stripped only (full-width commas and inner spaces stay); blank → NA;
    other cells as text (123.0 → "123", dates as ISO text)."""
    return _to_text(s, None, missing)


def without_spaces(s: pd.Series) -> pd.Series:
    """Each cell as text with every whitespace character removed (no other change); NA stays NA."""
    values = s.to_numpy(dtype=object, na_value=None)
    return pd.Series(
        [None if v is None or v is pd.NA else "".join(str(v).split()) for v in values],
        index=s.index, dtype="str",
    )


def normalize_name(s: pd.Series, missing: np.ndarray | None = None) -> pd.Series:
    """Like :func:`normalize_text` but without any whitespace, so "张 三" is "张三"."""
    return _to_text(s, "", missing)


def normalize_case_number(s: pd.Series, missing: np.ndarray | None = None) -> pd.Series:
    """Case-number cells cleaned for :func:`parse_case_text`: as :func:`normalize_name` cleans
    them, and without Excel's text mark before them ('(2025)鲁0902执1号, as CSV exports keep it)."""
    return _to_text(s, "", missing, mark=True)


# Words a clerk types in a name column for "nobody yet": read as blank (the case is 未分配).
NO_PERSON_WORDS = frozenset(["无", "暂无", "待定", "未定", "待分配", "未分配", "空"])
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x85\u2028\u2029]+")


def normalize_person(s: pd.Series, missing: np.ndarray | None = None, *, people: bool = False) -> pd.Series:
    """Names used as keys (officers, teams): NFKC, no whitespace inside a Chinese name ("张 三",
    "王 小明", "执行 一组") but one space between Latin words ("Wang Wu"); names on separate lines of
    one cell (Alt+Enter) joined by "、" (two names, not one), a name repeated in the cell once,
    control characters dropped; :data:`NO_PERSON_WORDS` and blank words (alone → NA, or beside a
    name: 无、张三 and NULL、张三 are 张三). With ``people`` (the officer column as read), two words of two Chinese
    characters or more ("张三 李四") are two names as well. Worked out once per distinct value."""
    def names(cells: pd.Series) -> pd.Series:
        typed = keep_text(cells).to_numpy(dtype=object, na_value=None)
        return pd.Series([None if v is None else _person_one(v, people) for v in typed], index=cells.index, dtype="str")

    return per_distinct(s.astype(object) if missing is None else s.astype(object).mask(missing), names, dtype=object)


_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")  # not whitespace: typed by accident


def _person_one(text: str, people: bool) -> str | None:
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = _CONTROLS.sub("", text.translate(_NOT_ISSPACE))
    lines = [_person_words(line.split(), people) for line in _LINE_BREAKS.split(text)]
    names = [n for line in lines for n in line.split("、") if n not in NO_PERSON_WORDS and n not in BLANK_WORDS]
    return "、".join(dict.fromkeys(names)) or None  # a name repeated in the cell is one name


def _han(word: str) -> bool:
    """Whether every character of ``word`` is a Chinese character (CJK unified ideographs)."""
    return all("\u3400" <= c <= "\u9fff" or "\U00020000" <= c <= "\U0003134f" for c in word)


def _person_words(words: list[str], people: bool) -> str:
    """Words of one line joined: with a space between two Latin letters or digits; for
    ``people``, with 、 between two words of two or more Chinese characters (张三 李四: two names);
    else without (张 三, 王 小明: one name typed with a space; 张三 (组长))."""
    out = words[0] if words else ""
    for before, word in zip(words, words[1:]):
        latin = out[-1].isascii() and out[-1].isalnum() and word[0].isascii() and word[0].isalnum()
        two = people and len(before) > 1 and len(word) > 1 and _han(before) and _han(word)
        out += (" " if latin else "、" if two else "") + word
    return out


_UNIT = r"(?:单位:?)?(?:人民币)?(?P<scale>[万千])?元?(?:人民币)?"  # as NFKC writes 单位：人民币万元
_UNIT_SUFFIX = re.compile(rf"\({_UNIT}\)$")
_UNIT_ALONE = re.compile(rf"\(?{_UNIT}\)?")
_BRACKETS = str.maketrans("〔〕[]【】", "()()()")


def _header_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).translate(_BRACKETS)
    return _WS_RUN.sub("", text)


def sheet_key(text: str) -> str:
    """Key for matching sheet names (``--sheet``) as headers are matched: NFKC, no whitespace,
    brackets as ( ), lower case."""
    return _header_text(text).lower()


# what a form adds to a header for the clerk filling it in: a required mark (*案号, 立案日期※) and the
# form a date is written in (立案日期（年月日）, 结案日期(yyyy-mm-dd))
_HEADER_MARK = re.compile(r"^[*※]+|[*※]+$")
_DATE_FORM_NOTE = re.compile(r"\((?:[年月日./-]|y+|m+|d+)+\)$", re.IGNORECASE)


def _header_bare(text: str) -> str:
    """A header's text (:func:`_header_text`) without a required mark at either end."""
    return _HEADER_MARK.sub("", _header_text(text))


def header_key(text: str) -> str:
    """Key for matching header names: NFKC, no whitespace, no required mark (*, ※), no unit
    suffix, no note of a date's form (（年月日）, (yyyy-mm-dd)), lower case."""
    text = _DATE_FORM_NOTE.sub("", _UNIT_SUFFIX.sub("", _header_bare(text)))
    return _HEADER_MARK.sub("", text).lower()  # 执行标的* with a unit joined after it (a unit row below)


_HEADER_SCALES = {"万": 10000.0, "千": 1000.0}


def header_unit(text: str) -> float:
    """10000.0 when the header carries a 万元 / 万 unit in brackets (执行标的（万元）, 标的（单位：万元）)
    or is that unit alone, 1000.0 for 千元 / 千, else 1.0."""
    text = _header_bare(text)
    match = _UNIT_SUFFIX.search(text) or _UNIT_ALONE.fullmatch(text)
    return _HEADER_SCALES.get(match["scale"], 1.0) if match else 1.0


def unit_suffix(text: str) -> str:
    """A header's unit in brackets, as NFKC writes it (金额（万元） → (万元)), else ''."""
    match = _UNIT_SUFFIX.search(_header_bare(text))
    return match.group() if match else ""


def unit_alone(text: str) -> str | None:
    """A header cell that is a unit alone, as a suffix to join to the header it belongs to:
    （万元）, 万元, 单位：万元 → (万元); 元 → (元); 千元 → (千元); None for any other text. Bare, a unit
    must say 万, 千 or 元 (单位 alone is a workplace)."""
    text = _header_text(text)
    if _UNIT_SUFFIX.fullmatch(text):
        return text
    if (match := _UNIT_ALONE.fullmatch(text)) and ("元" in text or match["scale"]):
        return f"({text.strip('()')})"
    return None


_STATED_UNIT = re.compile(r"单位:?(?:人民币)?(?P<scale>[万千])元")


def stated_unit(text: str) -> str | None:
    """The unit a cell above a table states for its amounts (单位：万元, 金额单位：人民币万元,
    填报单位：执行局　单位：万元), as a suffix to join to an amount header: （万元） or （千元）; None
    when it states none (单位：元 is what an amount without a unit is read in anyway)."""
    match = _STATED_UNIT.search(_header_text(text))
    return f"（{match['scale']}元）" if match else None


# ---------------------------------------------------------------------------------------------
# dates

FIRST_YEAR, LAST_YEAR = 1950, 2100  # the years a ledger date (and a date option, a --month) may have
_EXCEL_ORIGIN = pd.Timestamp("1899-12-30")
_FIRST_DAY = pd.Timestamp(f"{FIRST_YEAR}-01-01")
_LAST_DAY = pd.Timestamp(f"{LAST_YEAR}-12-31")
_SERIAL_MIN = (_FIRST_DAY - _EXCEL_ORIGIN).days
_SERIAL_MAX = (_LAST_DAY - _EXCEL_ORIGIN).days
_YMD_MIN, _YMD_MAX = FIRST_YEAR * 10_000 + 101, LAST_YEAR * 10_000 + 1231

_DAY_TEXT = r"(?P<year>[0-9]{4}) ?[年./-] ?(?P<month>[0-9]{1,2}) ?[月./-] ?(?P<day>[0-9]{1,2}) ?[日号]?"


def _weekday(name: str) -> str:
    """The weekday written after a date (星期六, 周六, 礼拜天, or in brackets: （周六）), the group
    ``name`` its day; a bracket on one side only is no weekday."""
    return rf" ?(?P<{name}_open>\()?(?:星期|周|礼拜)(?P<{name}>[一二三四五六日天])(?({name}_open)\))"


# A ledger's date may end with a dot (2016.3.5.) or with its weekday as some systems export it
# (2016/03/05 星期六, 2016-03-05（周六）, 礼拜六), before its time or after it (2016/03/05 10:30 星期六): a
# weekday the date does not fall on makes it unreadable (which of the two was mistyped cannot be told),
# see _weekday_wrong
_DATE_TEXT = re.compile(rf"^{_DAY_TEXT}(?:\.|{_weekday('weekday')})?"
                        rf"(?:(?: ?T ?| )[0-9]{{1,2}}(?::[0-9]{{1,2}}){{1,2}}(?:\.[0-9]+)?)?"
                        rf"(?(weekday)|(?:{_weekday('weekday_after')})?)$")
_WEEKDAYS = {c: n for n, c in enumerate("一二三四五六日")} | {"天": 6}  # Monday 0 … Sunday 6
_NUMBER_TEXT = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")
# Dates as judgments and notices write them, copied into ledgers: the year digit by digit in
# Chinese numerals (二〇二六年, 二零二六年; ○, the circle typed for 〇), the month and the day as
# numbers are said (十一月二十三日); either part may be in digits (2026年十一月二十三日).
_CN_DAY_TEXT = (r"(?P<year>[0-9]{4}|[〇○零一二三四五六七八九]{4}) ?年 ?(?P<month>[0-9]{1,2}|[一二三四五六七八九十]{1,3}) ?月"
                r" ?(?P<day>[0-9]{1,2}|[一二三四五六七八九十]{1,3}) ?[日号]?")
_CN_DATE_TEXT = re.compile(rf"^{_CN_DAY_TEXT}$")
# in a ledger's cell, with its weekday after it as a date in digits may have it (二〇一六年三月五日星期六)
_CN_DATE_CELL = re.compile(rf"^{_CN_DAY_TEXT}(?:{_weekday('weekday')})?$")


_NAT = np.datetime64("NaT", "ns")


def _assemble(year, month, day) -> np.ndarray:
    """Dates (datetime64[ns]) from numeric parts, in numpy; years outside 1950-2100 and impossible
    dates (a 13th month, 30 February) are NaT, as ``pd.to_datetime`` of the parts would give."""
    y, m, d = (np.asarray(part, dtype=np.float64) for part in (year, month, day))
    out = np.full(len(y), _NAT)
    with np.errstate(invalid="ignore"):
        ok = (y >= FIRST_YEAR) & (y <= LAST_YEAR) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31)
    if ok.any():
        months = ((y[ok] - 1970) * 12 + m[ok] - 1).astype(np.int64).astype("datetime64[M]")
        days = months.astype("datetime64[D]") + (d[ok] - 1).astype(np.int64)
        real = days.astype("datetime64[M]") == months  # the day did not run into the next month
        out[np.flatnonzero(ok)[real]] = days[real]
    return out


def _dates_from_numbers(x: pd.Series) -> pd.Series:
    """YYYYMMDD integers and Excel serials (1900 system) to dates."""
    v = x.to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        ymd = np.where((v >= _YMD_MIN) & (v <= _YMD_MAX) & (v == np.floor(v)), v, np.nan)
        out = _assemble(ymd // 10000, ymd // 100 % 100, ymd % 100)
        serial = (v >= _SERIAL_MIN) & (v < _SERIAL_MAX + 1) & np.isnat(out)
    out[serial] = np.datetime64(_EXCEL_ORIGIN, "ns") + np.floor(v[serial]).astype(np.int64).astype("timedelta64[D]")
    return pd.Series(out, index=x.index)


def _iso_dates_fast(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the strings of the form ``YYYY-MM-DD`` (ASCII digits) in ``values``, and
    their dates (NaT where impossible), read from their code points as _DATE_TEXT would read them."""
    found, dates = [], []
    for part in row_chunks(len(values)):
        rows, codes, lengths = _matrix(values[part])
        if codes.shape[1] < 10:
            continue
        c = codes[lengths == 10][:, :10].astype(np.int64)
        at = rows[lengths == 10]
        digit = (c >= 0x30) & (c <= 0x39)
        shape = digit[:, [0, 1, 2, 3, 5, 6, 8, 9]].all(axis=1) & (c[:, 4] == 0x2D) & (c[:, 7] == 0x2D)
        d = c[shape] - 0x30
        found.append(at[shape] + part.start)
        dates.append(_assemble(d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3], d[:, 5] * 10 + d[:, 6],
                               d[:, 8] * 10 + d[:, 9]))
    if not found:
        return np.empty(0, np.intp), np.empty(0, "datetime64[ns]")
    return np.concatenate(found), np.concatenate(dates)


def _dates_from_text(t: pd.Series) -> pd.Series:
    """Dates from cleaned strings: year-month-day text (in digits or Chinese numerals), YYYYMMDD
    or an Excel serial; NaT where a weekday written after one is not the day it falls on
    (:func:`_weekday_wrong`)."""
    dates, said = _dates_and_weekdays(t)
    return pd.Series(np.where(_weekday_wrong(dates, said), _NAT, dates), index=t.index)


def _dates_and_weekdays(t: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The dates cleaned strings write, whatever weekday follows them, and that weekday (Monday 0 …
    Sunday 6, NaN for none). ISO dates are read from their code points; the other forms by regexes."""
    out = np.full(len(t), _NAT)
    said = np.full(len(t), np.nan)
    present = np.flatnonzero(t.notna().to_numpy())
    rows, dates = _iso_dates_fast(t.to_numpy(dtype=object, na_value=None)[present])
    out[present[rows]] = dates
    if len(rows):
        rest = np.setdiff1d(np.arange(len(t)), present[rows], assume_unique=True)
        if len(rest):
            out[rest], said[rest] = _dates_and_weekdays(t.iloc[rest])
        return out, said
    ymd = _extract(t, _DATE_TEXT)
    by_parts = ymd["year"].notna().to_numpy()
    if by_parts.any():
        parts = ymd[by_parts][["year", "month", "day"]].astype("int64")
        out[by_parts] = _assemble(parts["year"], parts["month"], parts["day"])
        said[by_parts] = _weekday_numbers(ymd["weekday"][by_parts].fillna(ymd["weekday_after"][by_parts]))
    numeric = t.str.fullmatch(_NUMBER_TEXT).fillna(False).to_numpy(dtype=bool)
    if numeric.any():
        out[numeric] = _dates_from_numbers(t[numeric].astype("float64")).to_numpy()
    written = ~by_parts & ~numeric & t.str.contains("年", regex=False).fillna(False).to_numpy(dtype=bool)
    if written.any():
        out[written], said[written] = _written_dates(t[written])
    return out, said


def _weekday_numbers(weekdays: pd.Series) -> np.ndarray:
    """The weekdays written after dates (一 … 六, 日 or 天; NA for none) as numbers, Monday 0 …
    Sunday 6, NaN for none."""
    return weekdays.map(_WEEKDAYS).to_numpy(dtype=np.float64, na_value=np.nan)


def _weekday_wrong(dates: np.ndarray, said: np.ndarray) -> np.ndarray:
    """Where a date read is not on the weekday ``said`` after it (:func:`_weekday_numbers`)."""
    if np.isnan(said).all():
        return np.zeros(len(dates), bool)
    days = dates.astype("datetime64[D]").astype(np.int64)
    return ~np.isnan(said) & ~np.isnat(dates) & ((days + 3) % 7 != said)  # 1970-01-01 was a Thursday


def weekday_slips(s: pd.Series) -> pd.Series:
    """Per cell of a date column, the date its text writes where the weekday typed after it is one
    the date does not fall on (``2016/03/05 星期五``: 2016-03-05, a Saturday), which makes it
    unreadable to :func:`parse_dates`; NaT for every other cell. For the few cells a message names,
    to say why they were not read."""
    kinds, text = _prepare(s, mark=True)
    out = np.full(len(s), _NAT)
    is_str = kinds == STR
    if is_str.any():
        dates, said = _dates_and_weekdays(text[is_str])
        out[is_str] = np.where(_weekday_wrong(dates, said), dates, _NAT)
    return pd.Series(out, index=s.index)


def _written_dates(t: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Dates written in Chinese numerals (_CN_DATE_CELL), NaT for any other text: the year's
    digits read in place, the month and the day by :func:`chinese_number`; and the weekday written
    after one, as :func:`_dates_and_weekdays` gives it."""
    ymd = _extract(t, _CN_DATE_CELL)
    found = ymd["year"].notna().to_numpy()
    out = np.full(len(t), _NAT)
    said = np.full(len(t), np.nan)
    if found.any():
        parts = [_written_parts(*texts) for texts in zip(ymd["year"][found], ymd["month"][found], ymd["day"][found])]
        out[found] = _assemble(*(np.array(part, dtype=np.float64) for part in zip(*parts)))
        said[found] = _weekday_numbers(ymd["weekday"][found])
    return out, said


def _written_parts(*texts: str) -> tuple[float, ...]:
    """A year, a month and a day as _CN_DATE_TEXT finds them (a year or a month alone too), each
    in digits or Chinese numerals, as numbers (NaN for a numeral that is no number)."""
    def value(text: str, read: Callable[[str], int | None]) -> float:
        n = int(text) if text.isascii() else read(text)
        return np.nan if n is None else n

    return (value(texts[0], lambda v: _numeral_value(v.replace("○", "〇"))),
            *(value(text, chinese_number) for text in texts[1:]))


# The forms a date option (--as-of, --since) and a month option (--month) take, as their messages name them
DAY_FORMS = "write year, month, day: 2026-11-23, 2026/11/23, 2026.11.23, 2026年11月23日 or 20261123"
MONTH_FORMS = "write year, month: 2026-11, 2026/11, 2026.11 or 2026年11月"
_DAY_OPTION = re.compile(rf"^{_DAY_TEXT}$")
_MONTH_OPTION = re.compile(r"^(?P<year>[0-9]{4}) ?[年./-] ?(?P<month>[0-9]{1,2}) ?月?$")
_CN_MONTH_TEXT = re.compile(
    r"^(?P<year>[0-9]{4}|[〇○零一二三四五六七八九]{4}) ?年 ?(?P<month>[0-9]{1,2}|[一二三四五六七八九十]{1,3}) ?月?$"
)


def option_day(text: str) -> dt.date:
    """The day a date option or setting names (:func:`day_parts`); a ValueError saying why not, to
    follow the option's name: "'2026-02-30' is not a date: 2026-02 has 28 days (write year, month,
    day: …)", "2201-01-01: give a day in the years 1950-2100". An option is read strictly, so that
    a typo never silently becomes another day."""
    parts = day_parts(text)
    if parts is None:
        raise ValueError(f"'{text}' is not a date ({DAY_FORMS})")
    year, month, day = parts
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{text.strip()}: give a day in the years {FIRST_YEAR}-{LAST_YEAR}")
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}' is not a date: there is no month {month:02d} ({DAY_FORMS})")
    try:
        return dt.date(year, month, day)
    except ValueError:
        days = calendar.monthrange(year, month)[1]
        raise ValueError(f"'{text}' is not a date: {year}-{month:02d} has {days} days ({DAY_FORMS})") from None


def option_month(text: str) -> tuple[int, int]:
    """The year and month a month option names (:func:`month_parts`); a ValueError saying why not,
    to follow the option's name, as :func:`option_day` does."""
    parts = month_parts(text)
    if parts is None:
        raise ValueError(f"'{text}' is not a month ({MONTH_FORMS})")
    year, month = parts
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{text.strip()}: give a month in the years {FIRST_YEAR}-{LAST_YEAR}")
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}' is not a month: there is no month {month:02d} ({MONTH_FORMS})")
    return year, month


def day_parts(text: str) -> tuple[int, int, int] | None:
    """The year, month and day a date typed in an option or a setting names, read as a ledger
    cell's text is (cleaned as a cell: full-width digits, spaces; 2026-11-23, 2026/11/23,
    2026.11.23, 2026年11月23日, 二〇二六年十一月二十三日, 20261123), unchecked (2026-02-30 gives
    (2026, 2, 30): the caller says which part is wrong); None for what is no day written year first,
    or not only a day: an Excel serial (45000), a time, 11/23/2026, 26-11-23."""
    t = normalize_value(text)
    if m := _DAY_OPTION.match(t):
        return int(m["year"]), int(m["month"]), int(m["day"])
    if re.fullmatch(r"[0-9]{8}", t):
        return int(t[:4]), int(t[4:6]), int(t[6:])
    if (m := _CN_DATE_TEXT.match(t)) and not any(np.isnan(parts := _written_parts(m["year"], m["month"], m["day"]))):
        return tuple(int(n) for n in parts)
    return None


def month_parts(text: str) -> tuple[int, int] | None:
    """The year and month a month typed in an option names (2026-11, 2026/11, 2026.11, 2026年11月,
    二〇二六年十一月; cleaned as :func:`day_parts`), unchecked; None for anything else."""
    t = normalize_value(text)
    if m := _MONTH_OPTION.match(t):
        return int(m["year"]), int(m["month"])
    if (m := _CN_MONTH_TEXT.match(t)) and not any(np.isnan(parts := _written_parts(m["year"], m["month"]))):
        return int(parts[0]), int(parts[1])
    return None


def parse_dates(s: pd.Series, missing: np.ndarray | None = None) -> tuple[pd.Series, pd.Series]:
    """Dates (datetime64[ns], midnight) and a bad mask; years outside 1950–2100 are bad. A text
    may begin with Excel's text mark ('2025-01-02, as CSV exports keep it)."""
    kinds, text = _prepare(s, missing=missing, mark=True)
    out = np.full(len(s), "NaT", dtype="datetime64[ns]")  # filled by position, wrapped once
    is_date = kinds == DATE
    if is_date.any():
        d = pd.to_datetime(s[is_date], errors="coerce")
        out[is_date] = d.where((d >= _FIRST_DAY) & (d < _LAST_DAY + pd.Timedelta(days=1))).to_numpy("datetime64[ns]")
    is_num = (kinds == INT) | (kinds == FLOAT)
    if is_num.any():
        out[is_num] = _dates_from_numbers(_numbers(s, is_num)).to_numpy("datetime64[ns]")
    is_str = kinds == STR
    if is_str.any():
        out[is_str] = per_distinct(text[is_str], _dates_from_text).to_numpy("datetime64[ns]")
    dates = pd.Series(out, index=s.index).dt.normalize()
    return dates, pd.Series((kinds != BLANK) & np.isnat(out), index=s.index)


# ---------------------------------------------------------------------------------------------
# amounts

# Thousands are grouped by commas, or by spaces as other locales' exports group them (1 000,
# 1 000.50: a no-break or thin space is a space once cleaned); Excel's text mark before an amount
# ('5000) is dropped as it is cleaned (TEXT_MARK)
_GROUPED = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?|[0-9]{1,3}(?: [0-9]{3})+(?:\.[0-9]*)?"  # 1,000.5  1 000.5
# A number as Excel reads one typed: a sign, digits and a decimal point, its thousands grouped
# (_GROUPED) or an exponent after it (1.25E+05, as Excel shows a number too wide for its column);
# the amounts and the numbers of a ledger alike. Nothing else float() reads (1_000, inf, nan,
# digits of other scripts).
_UNSIGNED_NUMBER = rf"(?:{_GROUPED}|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{{1,3}})?)"
_SIGNED_NUMBER = rf"[+-]?{_UNSIGNED_NUMBER}"
# the sign of an amount before its currency sign (-¥5,000, +¥5000), as Excel reads it, or after it
_CURRENCY = r"(?:人民币|[Rr][Mm][Bb])? ?(?:(?P<lead>[+-])(?=[¥$]))?[¥$]? ?"
_AMOUNT_TEXT = re.compile(
    rf"^{_CURRENCY}"
    rf"(?P<num>(?(lead){_UNSIGNED_NUMBER}|{_SIGNED_NUMBER}))"
    r" ?(?P<unit>万元|万|千元|元)?(?:人民币)?整?$"
)
_WAN = 10000.0


def _amounts_from_text(t: pd.Series, unit: float) -> pd.Series:
    """Amounts in 元 from cleaned strings; NaN when unreadable."""
    values = t.to_numpy(dtype=object, na_value=None)
    present = np.flatnonzero(t.notna().to_numpy())
    out = np.full(len(t), np.nan)
    for part in row_chunks(len(present)):
        at = present[part]
        rows, amounts = _amounts_fast(values[at], unit)
        out[at[rows]] = amounts
        rest = np.delete(at, rows)
        if len(rest):
            out[rest] = _amounts_by_regex(pd.Series(values[rest], dtype="str"), unit).to_numpy()
            refused = rest[np.isnan(out[rest])]
            if len(refused):
                out[refused] = _written_amounts(values[refused], unit)
    return pd.Series(out, index=t.index).round(6)


def _amounts_by_regex(t: pd.Series, unit: float) -> pd.Series:
    """Amounts in 元 (not rounded) from cleaned strings; NaN when unreadable."""
    parts = _extract(t, _AMOUNT_TEXT)
    value = (parts["lead"].fillna("") + parts["num"]).str.replace(",", "", regex=False).str.replace(" ", "", regex=False).astype("float64")
    scale = parts["unit"].map({"万元": _WAN, "万": _WAN, "千元": 1000.0, "元": 1.0}).fillna(unit)
    return value * scale


# The value of each Chinese digit, capitals (壹 … 玖, written in amounts) too: read by the amount
# reader, chinese_number and name_key
_CN_DIGITS = {c: v for v, chars in enumerate(["零〇", "一壹", "二贰两", "三叁", "四肆", "五伍", "六陆", "七柒", "八捌", "九玖"])
              for c in chars}

# Amounts as judgments and 执行依据 write them, which the regex refuses: Chinese numerals, capital
# (壹拾贰万叁仟肆佰伍拾陆元柒角捌分) or not (一万二千元, 十五万元), and digits with units (1.5亿,
# 2亿3000万, 3万5千). Read once per distinct value, exactly: integers, one rounding to float.
_WRITTEN_HEAD = re.compile(rf"{_CURRENCY}(?P<sign>(?(lead)|[+-]?))")  # the regex's prefixes
_WRITTEN_RUN = re.compile(r"([0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)")  # split keeps the runs
_WRITTEN_MAX_DIGITS = 20  # in a run: an amount is implausible beyond 10^12 yuan; int() refuses 4,300 digits
# the power of ten each unit stands for: 十 百 千 within a group of four places, 万 亿 after a group,
# 元 角 分 for the places of the yuan, the jiao and the fen
_WRITTEN_PLACES = {"十": 1, "拾": 1, "百": 2, "佰": 2, "千": 3, "仟": 3, "万": 4, "亿": 8, "元": 0, "圆": 0, "角": -1,
                   "分": -2}
_WRITTEN_CHARS = {  # the token of each character (see _written_tokens)
    **{c: ("num", v, 1, 0) if v else ("zero", 0, 0, 0) for c, v in _CN_DIGITS.items()},
    **{c: ("unit", place, 0, 0) for c, place in _WRITTEN_PLACES.items()},
}
_WRITTEN_BAD_SPACE = re.compile(f"^ | (?![{''.join(_WRITTEN_PLACES)}]|$)")  # first, or before a non-unit
_WRITTEN_SPACED = re.compile(r"(?<![0-9.,])[0-9]{1,3}(?: [0-9]{3})+(?![0-9,])")  # 1 000万: thousands as _GROUPED has them
_WRITTEN_EXPLICIT = re.compile("[万亿元圆角分]")  # the units that make the column's unit irrelevant
# every value the reader can read matches this (the head, digits, numerals, units, spaces, the
# tail), so one vectorised match spares the per-value reader the free text of a column
_WRITTEN_SCREEN = (r"(?:人民币|[Rr][Mm][Bb])? ?[+-]?[¥$]? ?[+-]?"
                   f"[0-9,. {''.join(_WRITTEN_CHARS)}]+"
                   r"(?:人民币)?[整正]?")


class _Term(NamedTuple):
    """One number of a written amount and the places it fills (``top`` down to ``low``)."""

    value: int  # its digits, without the point
    decimals: int
    top: int
    low: int
    bare: bool  # no unit of its own within its group (五 in 一万五, 500 in 1亿500万)
    zero: bool  # written after a 零
    group: int  # which 万/亿 group (or the 元) closed it, counted from the left
    last: bool  # in the last group, closed by 元 or by the end of the text


def _written_amounts(values: np.ndarray, unit: float) -> np.ndarray:
    """:func:`_written_amount` of each value (once per distinct value that passes the screen)."""
    out = np.full(len(values), np.nan)
    screened = pd.Series(values, dtype="str").str.fullmatch(_WRITTEN_SCREEN).to_numpy(dtype=bool)
    if screened.any():
        plausible = values[screened]
        read = {v: _written_amount(v, unit) for v in set(plausible)}
        out[screened] = [read[v] for v in plausible]
    return out


def _written_amount(text: str, unit: float) -> float:
    """An amount in 元 written in Chinese numerals and units (see :func:`parse_amounts`); NaN
    when malformed or ambiguous. Without 亿, 万, 元, 角 or 分 the number is in the column ``unit``."""
    head = _WRITTEN_HEAD.match(text)
    body = text[head.end():]
    body = body.removesuffix("整") if body.endswith("整") else body.removesuffix("正")
    body = body.removesuffix("人民币")
    tokens = _written_tokens(body)
    terms = None if tokens is None else _written_terms(_said_short(tokens))
    if terms is None or not _well_written(terms):
        return np.nan
    shift = max([0, *(-t.low for t in terms)])  # ten to this power makes every place an integer
    whole = sum(t.value * 10 ** (t.low + shift) for t in terms)
    scale, per = (1, 1) if _WRITTEN_EXPLICIT.search(body) else unit.as_integer_ratio()
    return (-whole if "-" in (head["lead"], head["sign"]) else whole) * scale / (10 ** shift * per)  # int / int: rounded once


def _written_tokens(body: str) -> list[tuple[str, int, int, int]] | None:
    """The body of a written amount as tokens ``(kind, value, digits, decimals)``: ``num`` a number
    (a run of digits: its value without the point, how many digits before and after the point; a
    Chinese digit 1-9), ``zero`` a 零, ``unit`` (value: its place, :data:`_WRITTEN_PLACES`).
    A space may come before a unit only (12.5 万), or group a number's thousands (1 000万5千);
    None for any other character."""
    body = _WRITTEN_SPACED.sub(lambda m: m[0].replace(" ", ","), body)
    if _WRITTEN_BAD_SPACE.search(body):
        return None
    out = []
    for i, piece in enumerate(_WRITTEN_RUN.split(body.replace(" ", ""))):
        if i % 2:  # a run of digits
            whole, _, part = piece.replace(",", "").partition(".")
            if len(whole) + len(part) > _WRITTEN_MAX_DIGITS:
                return None
            out.append(("num", int(whole + part), len(whole), len(part)))
        else:
            chars = [_WRITTEN_CHARS.get(c) for c in piece]
            if None in chars:
                return None
            out += chars
    return out or None


def _said_short(tokens: list[tuple[str, int, int, int]]) -> list[tuple[str, int, int, int]]:
    """An amount as people say it, its last unit left out: a lone digit 1-9 that ends the amount
    right after 百, 千, 万 or 亿, itself right after a number ending in a digit 1-9, fills the place
    below that unit's (一万五 15,000; 两万三 23,000; 一百五 150; 3万5 35,000; 十五万五 155,000;
    一亿五 1.5亿). Written out, the same digit would be 一万零五. Anything else is left as it is
    (1000万5, 二十万五, 一万五元 stay ambiguous)."""
    if len(tokens) < 3:
        return tokens
    (kind, number, _, decimals), (unit, place, _, _), last = tokens[-3:]
    if (kind != "num" or decimals or number % 10 == 0 or unit != "unit" or place not in (2, 3, 4, 8)
            or last[0] != "num" or last[2:] != (1, 0) or not 1 <= last[1] <= 9):
        return tokens
    below = [("unit", 3, 0, 0), ("unit", 4, 0, 0)] if place == 8 else [("unit", place - 1, 0, 0)]  # 千万 below 亿
    return [*tokens, *below]


def _written_terms(tokens: list[tuple[str, int, int, int]]) -> list[_Term] | None:
    """The numbers of a written amount with their places, left to right; None when the units do
    not follow one another as an amount's do (万万, 万元 alone, 5千3万, 元 after 角, a 零 before a
    unit or at the end)."""
    terms: list[_Term] = []
    group: list[tuple[int, int, int, int, bool, bool]] = []  # the current group's terms: _Term's first six fields
    number: tuple[int, int, int] | None = None  # a number waiting for its unit
    zero = False  # a 零 before the next term
    big, money = 12, 1  # the last 万/亿 and 元/角/分 place: each comes after larger ones only

    def close(shift: int, last: bool) -> None:
        nonlocal number, zero
        if number is not None:
            value, digits, decimals = number
            group.append((value, decimals, digits - 1, -decimals, True, zero))
            number, zero = None, False
        index = terms[-1].group + 1 if terms else 0
        terms.extend([_Term(value, decimals, top + shift, low + shift, bare, after_zero, index, last)
                      for value, decimals, top, low, bare, after_zero in group])
        group.clear()

    for kind, value, digits, decimals in tokens:
        if kind == "num":
            if number is not None:
                return None
            number = (value, digits, decimals)
        elif kind == "zero":
            if zero or number is not None:
                return None
            zero = True
        elif value in (1, 2, 3):  # 十 百 千: after one digit 1-9, or 十 alone first or after 零 (十五, 零十)
            if number is None and value == 1 and (zero or not (terms or group)):
                number = (1, 1, 0)
            if number is None or number[1:] != (1, 0) or number[0] == 0:
                return None
            group.append((number[0], 0, value, value, False, zero))
            number, zero = None, False
        elif value in (4, 8):  # 万 亿 close a group
            if number is None and (zero or not group) or value >= big or money < 1:
                return None
            close(value, False)
            big = value
        elif value == 0:  # 元 closes the last group; 零元 is nothing
            if money < 1 or not (number is not None or group or terms or zero):
                return None
            if zero and number is None:
                if group or terms:
                    return None
                zero = False
            close(0, True)
            money = 0
        else:  # 角 分: after one digit 1-9, after 元 or alone
            if (number is None or number[1:] != (1, 0) or number[0] == 0 or value >= money
                    or group or (terms and money == 1)):
                return None
            terms.append(_Term(number[0], 0, value, value, False, zero, -1, False))
            number, zero, money = None, False, value
    if zero and number is None:  # 零 alone is nothing; a 零 at the end is malformed
        return None if terms or group else [_Term(0, 0, 0, 0, True, False, 0, True)]
    if money < 1 and (number is not None or group):  # after 元 only 角 and 分
        return None
    close(0, True)
    return terms


def _well_written(terms: list[_Term]) -> bool:
    """Whether the terms fill places from left to right without overlap, a 零 stands for places
    skipped, and no skip leaves the number ambiguous: a number without its unit after a gap (1万500;
    一万五 as people say it is read by :func:`_said_short` first), a whole group of four skipped (一亿五千),
    a 0 beside other numbers, a decimal before other numbers."""
    for before, term in zip([None, *terms], terms):
        if before is None:
            if term.zero:
                return False
            continue
        gap = term.top < before.low - 1
        if (term.top >= before.low or before.decimals or term.value == 0 or before.value == 0
                or (term.zero and term.top >= _lowest_digit(before) - 1)):
            return False
        if gap and not term.zero and (
                (term.bare and (term.last or term.group == before.group))
                or (term.top >= 0 and before.low // 4 - term.top // 4 >= 2)):
            return False
    return True


def _lowest_digit(term: _Term) -> int:
    """The place of a term's last non-zero digit: the trailing zeros of 100 in 100万 are places a 零
    after it may stand for (100万零5千)."""
    value, low = term.value, term.low
    while value and value % 10 == 0:
        value, low = value // 10, low + 1
    return low


_POW10_INT = 10 ** np.arange(16, dtype=np.int64)
_POW10 = _POW10_INT.astype(np.float64)  # exact


def _amounts_fast(values: np.ndarray, unit: float, units: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_amounts_by_regex` of the plain amounts (``292600``, ``8,541.69``, ``26.4万元``: at
    most 15 digits, no sign or exponent), as code points: which values those are and their amounts. A value of 15 digits or fewer and its power
    of ten are exact floats, so one division gives the float nearest the decimal, which is what
    ``float()`` gives. Without ``units``, only the numbers with nothing after them (a number
    column's plain numbers, as :func:`parse_numbers` reads them)."""
    rows, codes, lengths = _matrix(values)
    n, width = codes.shape
    r = np.arange(n)
    last = codes[r, lengths - 1]
    wan = (last == ord("万")) | ((last == ord("元")) & (codes[r, np.maximum(lengths - 2, 0)] == ord("万")) & (lengths >= 2))
    wan &= units
    suffix = ((last == ord("元")) & units).astype(np.int64) + wan
    end = lengths - suffix  # one past the number
    pos = np.arange(width)
    inside = pos < end[:, None]
    digit = (codes >= 0x30) & (codes <= 0x39) & inside
    comma = (codes == ord(",")) & inside
    dot = (codes == ord(".")) & inside
    dots = dot.sum(axis=1)
    point = np.where(dots > 0, np.argmax(dot, axis=1), end)
    grouped = ((point[:, None] - pos) % 4 == 0) & (pos < point[:, None])  # where , must be in 1,234,567
    ok = ((end >= 1) & ((digit | comma | dot) == inside).all(axis=1) & (dots <= 1) & digit[:, 0]
          & (digit.sum(axis=1) <= 15)
          & (~comma.any(axis=1) | (comma == grouped).all(axis=1)))
    sel = np.flatnonzero(ok)
    digit, codes = digit[sel], codes[sel]
    later = digit.sum(axis=1)[:, None] - np.cumsum(digit, axis=1)  # digits after each one
    mantissa = (np.where(digit, codes.astype(np.int64) - 0x30, 0) * _POW10_INT[np.minimum(later, 15)]).sum(axis=1)
    decimals = np.where(dots[sel] > 0, end[sel] - point[sel] - 1, 0)
    scale = np.where(wan[sel], _WAN, np.where(suffix[sel] > 0, 1.0, unit))
    return rows[sel], mantissa / _POW10[decimals] * scale


def parse_amounts(s: pd.Series, unit: float = 1.0, missing: np.ndarray | None = None) -> tuple[pd.Series, pd.Series]:
    """Amounts in 元 (float64) and a bad mask (True where a cell is not a number).

    Numbers and plain number strings are in the column ``unit`` (10000 for a 万元 column); an
    explicit 万, 千元 or 元 in the text wins (1.2千元 is 1,200 元; 1.2千 without 元 stays unreadable: 1,200
    of the column's unit, or 1,200 元?). Thousands may be grouped by commas or by spaces (125,000.00,
    125 000.00, a no-break or thin space too), a sign is read as Excel reads it, a plus too and
    before the currency sign too (+5000, +¥5000, -¥5,000), and a text may begin with Excel's mark
    for a number kept as text ('5000, as CSV exports keep it). An accountant's negative, (1,000),
    stays unreadable. Negative and huge amounts (even infinite ones) are read as they are: judging them
    is the loader's job.

    Amounts as judgments write them are read to the fen: Chinese numerals, capital or not
    (壹拾贰万叁仟肆佰伍拾陆元柒角捌分, 伍仟元整, 一万二千元, 十五万元; 〇 and 两 too), digits with
    亿 and 万 (1.5亿, 2亿3000万, 1亿零500万, 3万5千; thousands grouped, 1 000万5千), 元 or 圆, 角, 分, 整 or 正 at the end.
    A lone last digit said without its unit fills the place below the unit before it, as people
    say amounts (一万五 15,000, 3万5 35,000, 一百五 150). Malformed or ambiguous ones are bad:
    壹万万, 5千3万, and any other number whose unit is left out after a gap without 零 (1万500,
    一千五万, 一亿五千).
    """
    kinds, text = _prepare(s, missing=missing, mark=True)
    out = np.full(len(s), np.nan)  # filled by position, wrapped once
    with np.errstate(over="ignore", invalid="ignore"):
        is_num = (kinds == INT) | (kinds == FLOAT)
        if is_num.any():
            out[is_num] = (_numbers(s, is_num) * unit).round(6).to_numpy()
        is_str = kinds == STR
        if is_str.any():
            out[is_str] = per_distinct(text[is_str], lambda t: _amounts_from_text(t, unit)).to_numpy()
    out += 0.0  # -0 (-0.00, as some exports write nothing owed) is 0, not shown as -0.00
    return pd.Series(out, index=s.index), pd.Series((kinds != BLANK) & np.isnan(out), index=s.index)


# ---------------------------------------------------------------------------------------------
# numbers

_ONE_TO_NINE = "".join(c for c, v in _CN_DIGITS.items() if v)
_CN_NUMBER = re.compile(f"(?:(?P<h>[{_ONE_TO_NINE}])[百佰]零?)?(?:(?P<t>[{_ONE_TO_NINE}])?(?P<ten>[十拾]))?"
                        f"(?P<u>[{_ONE_TO_NINE}])?")


def chinese_number(text: str) -> int | None:
    """A whole number below 1,000 written in Chinese numerals (三, 十二, 二十四, 一百二十, 两; capitals
    as in judgments: 叁, 拾贰, 壹佰零伍), else None."""
    m = _CN_NUMBER.fullmatch(text)
    if not text or m is None:  # every part is optional: the empty text matches
        return None
    hundreds = _CN_DIGITS[m["h"]] if m["h"] else 0
    tens = (_CN_DIGITS[m["t"]] if m["t"] else 1) if m["ten"] else 0
    return hundreds * 100 + tens * 10 + (_CN_DIGITS[m["u"]] if m["u"] else 0)


_LEDGER_NUMBER = re.compile(_SIGNED_NUMBER)  # as amounts are read


def _number_from_text(text: str, units: tuple[str, ...]) -> float:
    """One cleaned string (without Excel's text mark) as :func:`parse_numbers` reads it; NaN when
    it is no number."""
    for unit in units:  # longest first
        if text.endswith(unit) and len(text) > len(unit):
            text = text[: -len(unit)].strip()
            break
    n = chinese_number(text)
    if n is not None:
        return float(n)
    if not _LEDGER_NUMBER.fullmatch(text):
        return np.nan
    return float(text.replace(",", "").replace(" ", ""))


def _numbers_from_text(t: pd.Series, units: tuple[str, ...]) -> pd.Series:
    """Numbers from cleaned strings: the plain ones (3, 1,000, 2.5) from their code points as the
    amount reader reads them, the others one at a time (:func:`_number_from_text`): a unit the
    column allows after them (3个月 in a column of months), a sign, thousands grouped by spaces
    (1 000) and Chinese numerals (三个月); NaN for anything else."""
    values = t.to_numpy(dtype=object, na_value=None)
    present = np.flatnonzero(t.notna().to_numpy())
    out = np.full(len(t), np.nan)
    for part in row_chunks(len(present)):
        at = present[part]
        rows, numbers = _amounts_fast(values[at], 1.0, units=False)
        out[at[rows]] = numbers
        rest = np.delete(at, rows)
        out[rest] = [_number_from_text(v, units) for v in values[rest]]
    return pd.Series(out, index=t.index)


def parse_numbers(s: pd.Series, units: Sequence[str] = (), missing: np.ndarray | None = None
                  ) -> tuple[pd.Series, pd.Series]:
    """Numbers (float64) and a bad mask. Number cells as they are; text is digits with a sign and
    a decimal point, its thousands grouped by commas or spaces (1,000, 1 000) as amounts are, or a
    whole number in Chinese numerals (三, 十二, 叁); it may carry one of the column's ``units``
    after it (``units: [个月, 月]``: 3个月, 三个月) and Excel's text mark before it ('30); scientific
    notation as Excel reads it (1.25E+05, 1e5). Anything else float() would read (1_000, inf, nan)
    is bad, and so is a number too large to be finite;
    text read once per distinct value."""
    kinds, text = _prepare(s, missing=missing, mark=True)
    out = np.full(len(s), np.nan)  # filled by position, wrapped once
    is_num = (kinds == INT) | (kinds == FLOAT)
    if is_num.any():
        out[is_num] = _numbers(s, is_num).to_numpy()
    is_str = kinds == STR
    if is_str.any():
        order = tuple(sorted(units, key=len, reverse=True))
        out[is_str] = per_distinct(text[is_str], lambda t: _numbers_from_text(t, order)).to_numpy()
    out[~np.isfinite(out)] = np.nan  # no ledger number is infinite
    return pd.Series(out, index=s.index), pd.Series((kinds != BLANK) & np.isnan(out), index=s.index)


# ---------------------------------------------------------------------------------------------
# flags

_TRUE_WORDS = {"是", "有", "y", "yes", "√", "✓", "✔", "1", "true", "涉信访"}
_FALSE_WORDS = {"否", "无", "n", "no", "×", "✗", "✘", "0", "false"}
_NEGATION = re.compile(r"无|否|未|没有|不|非")
_NO_PETITION = re.compile(r"(?:无|未|没有|不|非)(?:涉及?|曾)?(?:信访|上访|访)(?:情况|记录)?")


def _flags_from_text(t: pd.Series) -> pd.Series:
    """True/False/NA from cleaned strings without whitespace."""
    key = t.str.lower()
    out = pd.Series(pd.NA, index=t.index, dtype="boolean")
    petition = key.str.contains("访") & ~key.str.contains(_NEGATION)
    out[key.isin(_TRUE_WORDS) | petition] = True
    out[key.isin(_FALSE_WORDS) | key.str.fullmatch(_NO_PETITION)] = False
    return out


def parse_flags(s: pd.Series, missing: np.ndarray | None = None) -> tuple[pd.Series, pd.Series]:
    """Petition-style yes/no flags (nullable boolean) and a bad mask."""
    kinds, text = _prepare(s, sep="", missing=missing, mark=True)
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    is_bool = kinds == BOOL
    if is_bool.any():
        out[is_bool] = s[is_bool].astype(bool)
    is_num = (kinds == INT) | (kinds == FLOAT)
    if is_num.any():
        x = _numbers(s, is_num)
        out[is_num] = x.map({1.0: True, 0.0: False}).astype("boolean")
    is_str = kinds == STR
    if is_str.any():
        out[is_str] = per_distinct(text[is_str], _flags_from_text)
    return out, pd.Series((kinds != BLANK) & out.isna().to_numpy(), index=s.index)


# ---------------------------------------------------------------------------------------------
# case numbers

_PROVINCES = "京津冀晋内辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔滇藏陕甘青宁新军兵"
_CASE_TYPE = "(?:执[恢保异复监协他]?|财保|行审复?)"  # 执 执恢 执保 执异 执复 执监 执协 执他; 财保 行审 行审复
# The year in brackets, in none (2025鲁0902执4号, as some clerks type it: four digits, then the court
# code, are read as nothing else) or with one of its brackets left out ((2025鲁0902执4号, 2025)鲁0902执4号,
# a typing slip): the year typed first, one bracket before it and one after it at most. CASE_YEAR is
# that year as the loader finds case numbers in a cell (two in one, another kind's number).
_OPEN, _CLOSE = "(〔[【", ")〕]】"  # as NFKC leaves them: （ is (
CASE_YEAR = rf"[{re.escape(_OPEN)}]?[0-9]{{4}}[{re.escape(_CLOSE)}]?"
_CASE_HEAD = rf"^[{re.escape(_OPEN)}]?(?P<year>[0-9]{{4}})[{re.escape(_CLOSE)}]?"
# 号, or 号之一, 号之二 …: the number of a second or later ruling of one kind in the same case (法〔2016〕37号):
# a row so numbered is that case
_CASE_TAIL = "(?:号(?:之(?:[一二三四五六七八九十]+|[0-9]+))?)?$"
# Two forms, told apart by 字第 (which only the older one has): a 2016+ court code followed by type
# and sequence, an older court abbreviation followed by type, 字第 and sequence. One regex with
# both as look-ahead alternatives gave the same matches at twice the cost.
_CASE_NO = re.compile(
    rf"{_CASE_HEAD}(?P<court>最高法|[{_PROVINCES}][0-9]{{0,4}})(?P<type>{_CASE_TYPE})(?P<seq>[0-9]{{1,9}}){_CASE_TAIL}"
)
_OLD_CASE_NO = re.compile(
    rf"{_CASE_HEAD}(?P<court>[\u4e00-\u9fff]{{1,6}}?)(?P<type>{_CASE_TYPE})字第(?P<seq>[0-9]{{1,9}}){_CASE_TAIL}"
)


# A case number said short, as clerks say it: 执69, 2024执69号, 24执69, (2024)执恢12, 鲁0902执69. Each
# part but the type and sequence may be left out; a two-digit year is of this century.
_SHORT_CASE_NO = re.compile(
    rf"^(?:\(?(?P<year>[0-9]{{4}}|[0-9]{{2}})\)?)?(?P<court>最高法|[{_PROVINCES}][0-9]{{0,4}})?"
    rf"(?P<type>{_CASE_TYPE})(?:字第)?(?P<seq>[0-9]{{1,9}})号?$"
)


def short_case_number(text: str) -> dict[str, Any] | None:
    """The parts of a case number said short (:data:`_SHORT_CASE_NO`): ``case_type`` and
    ``case_seq``, and ``case_year`` and ``court_code`` when given; None when it is not one."""
    m = _SHORT_CASE_NO.match(normalize_value(text).replace(" ", "").translate(_BRACKETS))
    if m is None:
        return None
    year = None if m["year"] is None else int(m["year"]) + (2000 if len(m["year"]) == 2 else 0)
    parts = {"case_type": m["type"], "case_seq": int(m["seq"]), "case_year": year, "court_code": m["court"]}
    return {k: v for k, v in parts.items() if v is not None}


_UNREAD = (None, None, None, None)
# The columns of :func:`parse_case_numbers`: the number as read, then its parts.
CASE_PARTS = ("case_no", "case_year", "court_code", "case_type", "case_seq")


def _case_fields(text: str) -> tuple:
    """One cleaned case number: its canonical form (round brackets, a trailing 号), year, court
    code, type and sequence; unreadable ones keep their text with round brackets and no parts.

    A readable number has its year first, in brackets, in one or in none, and the court code right
    after it, so rebuilding it as ``(year)`` + the rest from the court code is right whatever
    brackets it had."""
    m = (_OLD_CASE_NO if "字第" in text else _CASE_NO).match(text)
    if m is None or not FIRST_YEAR <= (year := int(m["year"])) <= LAST_YEAR:
        return (text.translate(_BRACKETS), *_UNREAD)
    rest = text[m.start("court"):]
    # court codes and types repeat: one shared string each (30 MB less for 200,000 cases)
    return (f"({m['year']}){rest}{'号' if m.end('seq') == len(text) else ''}", year, sys.intern(m["court"]),
            sys.intern(m["type"]), int(m["seq"]))


def parse_case_numbers(s: pd.Series, missing: np.ndarray | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """Normalised case numbers split into year, court code, type and sequence, and a bad mask.

    Accepts ``(2016)鲁0902执123号`` and the older ``(2015)泰执字第00123号``, their year in brackets,
    in none or in one of them (``2016鲁0902执123号`` and ``(2016鲁0902执123号`` are ``(2016)鲁0902执123号``); a missing trailing 号 is added. ``(2016)鲁0902执123号之一`` keeps its text and is the case ``(2016)鲁0902执123号`` (the
    suffix numbers a second ruling in it); one after Excel's text mark ('(2016)鲁0902执123号) is
    read without it. Unreadable case numbers keep their normalised text in ``case_no``.
    """
    return parse_case_text(normalize_case_number(s, missing))


def parse_case_text(text: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """:func:`parse_case_numbers` of cells already cleaned by :func:`normalize_case_number`."""
    values = text.to_numpy(dtype=object, na_value=None)
    present = np.flatnonzero(text.notna().to_numpy())
    n = len(text)
    case_no, court, kind = (np.full(n, None, dtype=object) for _ in range(3))
    year, seq = np.zeros(n, np.int64), np.zeros(n, np.int64)
    readable = np.zeros(n, bool)
    for part in row_chunks(len(present)):
        at = present[part]
        rows, fields = _case_fields_fast(values[at])
        if len(rows):
            done = at[rows]
            case_no[done], year[done], court[done], kind[done], seq[done] = fields
            readable[done] = True
        rest = np.delete(at, rows)
        if len(rest):  # one pass per value, parts spread back by position
            parts = list(zip(*map(_case_fields, values[rest])))
            ok = np.array([y is not None for y in parts[1]])
            case_no[rest] = parts[0]
            court[rest], kind[rest] = parts[2], parts[3]
            year[rest[ok]] = np.array(parts[1], dtype=object)[ok].astype(np.int64)
            seq[rest[ok]] = np.array(parts[4], dtype=object)[ok].astype(np.int64)
            readable[rest[ok]] = True
    out = pd.DataFrame({
        "case_no": pd.array(case_no, dtype="str"),
        "case_year": pd.arrays.IntegerArray(year, ~readable),
        "court_code": pd.array(court, dtype="str"),
        "case_type": pd.array(kind, dtype="str"),
        "case_seq": pd.arrays.IntegerArray(seq, ~readable),
    }, index=text.index)
    return out, pd.Series(text.notna().to_numpy() & ~readable, index=text.index)


def _case_fields_fast(values: np.ndarray) -> tuple[np.ndarray, tuple]:
    """:func:`_case_fields` of the cleaned case numbers of the 2016+ form with a provincial court,
    their year in brackets, in one or in none, as code points: which values those are and their
    fields as arrays (case number, year, court code, type, sequence)."""
    rows, codes, lengths = _matrix(values)
    n, width = codes.shape
    if width < 7:  # the shortest case number is 2016鲁执1
        return rows[:0], ()
    run, number = _digit_runs(codes)
    r = np.arange(n)
    opened, h = _case_head(codes)  # whether a bracket opens the year, where the court code starts
    last = codes[r, lengths - 1]
    end = lengths - (last == ord("号"))  # one past the sequence number
    t = np.argmax(codes == ord("执"), axis=1)  # the first 执 ends the court code
    digits = t - h - 1
    second = codes[r, np.minimum(t + 1, width - 1)]
    two = np.isin(second, _TYPE_CODES)
    s = t + 1 + two  # where the sequence number starts
    ok = ((lengths >= h + 3) & (run[r, opened + 3] == 4) & np.isin(codes[r, np.minimum(h, width - 1)], _PROVINCE_CODES)
          & (digits >= 0) & (digits <= 4) & (run[r, t - 1] == digits)
          & (end - s >= 1) & (end - s <= 9) & (run[r, end - 1] == end - s))
    year = number[r, opened + 3].astype(np.int64)  # four digits after the opening bracket, if any
    ok &= (year >= FIRST_YEAR) & (year <= LAST_YEAR)
    sel = np.flatnonzero(ok)
    r = r[sel]
    court = (codes[sel, h[sel]].astype(np.int64) << 20) | (digits[sel] << 16) | np.where(digits[sel] > 0, number[r, t[sel] - 1], 0).astype(np.int64)
    return rows[sel], (
        _canonical_case_no(values[rows[sel]], codes[sel], lengths[sel], opened[sel], h[sel]),
        year[sel],
        _decode(court, lambda k: chr(k >> 20) + (str(k & 0xFFFF).zfill(k >> 16 & 0xF) if k >> 16 & 0xF else "")),
        _decode(np.where(two[sel], second[sel], 0), lambda k: "执" + (chr(k) if k else "")),
        number[r, end[sel] - 1].astype(np.int64),
    )


def _digit_runs(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each position: how many ASCII digits end there, and the number the last nine or fewer
    of them make (int32; longer runs wrap around)."""
    columns = np.ascontiguousarray(codes.T)  # one column at a time: contiguous rows of the transpose
    digit = ((columns >= 0x30) & (columns <= 0x39)).astype(np.int32)
    value = columns.astype(np.int32) - 0x30
    run, number = np.empty_like(digit), np.empty_like(digit)
    run[0], number[0] = digit[0], digit[0] * value[0]
    with np.errstate(over="ignore"):
        for i in range(1, len(columns)):
            np.multiply(run[i - 1] + 1, digit[i], out=run[i])
            np.multiply(number[i - 1] * 10 + value[i], digit[i], out=number[i])
    return run.T, number.T


_OPENING = np.array([ord(c) for c in _OPEN])
_CLOSING = np.array([ord(c) for c in _CLOSE])
_PROVINCE_CODES = np.array([ord(c) for c in _PROVINCES])
_TYPE_CODES = np.array([ord(c) for c in "恢保异复监协他"])


def _case_head(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of code points, as :data:`_CASE_HEAD` reads a case number's year: whether a bracket
    opens it (0 or 1: where the year starts) and where what follows the year and its brackets starts
    (4 without brackets, 5 with one, 6 with both)."""
    opened = np.isin(codes[:, 0], _OPENING).astype(np.intp)
    closed = np.isin(codes[np.arange(len(codes)), np.minimum(opened + 4, codes.shape[1] - 1)], _CLOSING)
    return opened, opened + 4 + closed


def _canonical_case_no(values: np.ndarray, codes: np.ndarray, lengths: np.ndarray, opened: np.ndarray,
                       h: np.ndarray) -> np.ndarray:
    """Readable case numbers with their year in round brackets and a trailing 号 (the value itself
    when it has both); ``opened`` and ``h`` as :func:`_case_head` gives them."""
    r = np.arange(len(codes))
    width = codes.shape[1]
    closed = codes[r, lengths - 1] == ord("号")
    redo = np.flatnonzero((h != 6) | (codes[:, 0] != ord("(")) | (codes[:, 5 % width] != ord(")")) | ~closed)
    out = values.copy()
    if len(redo):
        fixed = np.zeros((len(redo), width + 3), np.uint32)
        head = opened[redo] * 8 + h[redo]
        for key in np.unique(head):  # (2016鲁0902执1号, 2016)鲁0902执1号, 2016鲁0902执1号: the brackets put in
            at = np.flatnonzero(head == key)
            start, court = divmod(int(key), 8)
            fixed[at, 1:5] = codes[redo[at], start:start + 4]
            fixed[at, 6:6 + width - court] = codes[redo[at], court:]  # what follows the year from position 6
        fixed[:, 0], fixed[:, 5] = ord("("), ord(")")
        fixed[np.arange(len(redo)), lengths[redo] + 6 - h[redo] - closed[redo]] = ord("号")
        out[redo] = _texts(fixed)
    return out


def _decode(key: np.ndarray, make: Callable[[int], str]) -> np.ndarray:
    """Strings made once per distinct integer key and spread back."""
    codes, uniques = pd.factorize(key)
    return np.array([sys.intern(make(int(k))) for k in uniques], dtype=object)[codes]


def case_ids(parts: pd.DataFrame) -> np.ndarray:
    """The identity of each case as an integer (0, 1, ... in order of first appearance), from the
    columns of :func:`parse_case_numbers`: its year, court code, type and sequence number when the
    number is readable (so ``(2015)泰执字第00009号`` and ``(2015)泰执字第9号`` are one case), else
    its normalised text."""
    ok = parts["case_seq"].notna().to_numpy()
    identity = parts[["case_year", "court_code", "case_type", "case_seq"]].assign(
        unreadable=parts["case_no"].where(~ok))  # parts are missing where the number is unreadable
    return identity.groupby(list(identity.columns), sort=False, dropna=False).ngroup().to_numpy()


def same_case(parts: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """Per row of ``frame`` (with the columns of :func:`parse_case_numbers`), whether it is the case
    of ``parts``' one row, as :func:`case_ids` tells cases apart."""
    ids = case_ids(pd.concat([parts[list(CASE_PARTS)], frame[list(CASE_PARTS)]], ignore_index=True))
    return ids[1:] == ids[0]


# ---------------------------------------------------------------------------------------------
# name order

_LEVEL1_KEYS = 0x80  # the key of the first level-1 character (啊); ASCII keeps its own code below it
_AFTER_LEVEL1 = chr(_LEVEL1_KEYS + 3755)  # before every other character, after every level-1 key
_MISSING_KEY = "\U0010ffff"  # after every name


def _char_key(c: str) -> str:
    """One character's key: ASCII itself; a GB2312 level-1 character (bytes B0A1–D7F9 in
    GB18030) its place in that block; any other character after them all, by its code point."""
    if c < "\x80":
        return c
    code = c.encode("gb18030")
    if len(code) == 2 and b"\xb0\xa1" <= code <= b"\xd7\xf9" and code[1] >= 0xA1:
        return chr(_LEVEL1_KEYS + (code[0] - 0xB0) * 94 + code[1] - 0xA1)
    return _AFTER_LEVEL1 + c


class _CharKeys(dict):
    """Code point → :func:`_char_key`, worked out the first time a character is met."""

    def __missing__(self, point: int) -> str:
        self[point] = key = _char_key(chr(point))
        return key


_CHAR_KEYS = _CharKeys()


def name_key(values: pd.Series | object) -> pd.Series | str:
    """Sort key putting names (officers, teams) in pinyin order, as a Chinese clerk expects and
    Excel's Chinese sort gives: 陈静, 高峰, 李明远, 刘晓东, 王磊, 周海燕 … rather than the code-point
    order of plain sorting (刘晓东, 周海燕, 李明远, 王磊, 陈静 …).

    GB2312 lays its 3,755 level-1 characters (the common ones, holding virtually every surname
    and given name) out in pinyin order, so their GB18030 codes order names by pinyin with no
    dictionary to ship. A name's key is text whose code points follow that order: ASCII first
    (letters in either case alike, as Excel sorts them),
    then level-1 characters by their GB18030 code, then every other character (level 2, rare
    and extension characters, other scripts) by its code point. Characters with two readings sort
    by the one GB2312 files them under. Numbers, in digits or Chinese numerals, sort by their value
    before any character (执行一组, 执行二组, 执行十组; so does a numeral in a person's name: 王五
    before 王磊). A missing value's key comes after every name.

    Given a Series, returns the keys as a ``str`` Series, worked out once per distinct value: a
    ``key=`` for ``sort_values`` on a column of names (sort other columns by a key column). Given
    one value, returns its key: a ``key=`` for :func:`sorted`."""
    if isinstance(values, pd.Series):
        codes, distinct = pd.factorize(values)
        keys = np.array([name_key(v) for v in distinct] + [_MISSING_KEY], dtype=object)[codes]
        return pd.Series(keys, index=values.index, name=values.name, dtype="str")
    if pd.isna(values):
        return _MISSING_KEY
    return _NUMERALS.sub(_numeral_key, str(values).lower()).translate(_CHAR_KEYS)


# Numbers in names (执行一组, 第二团队, 3号庭) sort by their value, before any character: 一组, 二组,
# 三组, 十组 rather than 二组, 三组, 十组, 一组 (pinyin). Chinese numerals up to 百, or digits.
_NUMERALS = re.compile(r"[0-9]+|[〇零一二两三四五六七八九十百]+")
_NUMBER_MARK = "\x01"  # below every other key


def _numeral_value(run: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105; digits alone read in place: 二〇二五 → 2025."""
    if run.isascii():
        return int(run)
    if "十" not in run and "百" not in run:
        return int("".join(str(_CN_DIGITS[c]) for c in run))
    total = digit = 0
    for c in run:
        if c in "十百":
            total += (digit or 1) * (10 if c == "十" else 100)
            digit = 0
        else:
            digit = _CN_DIGITS[c]
    return total + digit


def _numeral_key(match: re.Match) -> str:
    return f"{_NUMBER_MARK}{_numeral_value(match.group()):020d}"
