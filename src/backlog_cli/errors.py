"""Errors the core raises; the CLI turns each into one plain message and an exit code.

Exit codes (documented in the README):
    0  done (also when the reader of the output stops early: ``backlog … | head``)
    1  done, but rows were rejected, values were kept as blank or rules warned (``backlog run`` only)
    2  nothing produced: bad input, bad rules, bad config, bad option
    3  another run holds the lock

It also holds what every message says alike: how many (:func:`counted`), a few of many
(:func:`some_of`), a value as read (:func:`shown_value`), a likely slip (:func:`did_you_mean`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any
from pathlib import Path

EXIT_OK = 0
EXIT_WARNINGS = 1
EXIT_INPUT = 2
EXIT_LOCKED = 3


def shown_value(value: Any) -> str:
    """A value read from YAML as a message names it after "got": a text quoted (``'soon'``, or an
    empty text), a number as written, true or false, nothing (an empty item), and a list, a mapping
    or a date by its kind: never Python's words for them (True, None, a float)."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:39] + "…") if value.strip() else "an empty text"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ".inf" if value > 0 else "-.inf"  # as YAML writes them
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dt.datetime):
        return "a date and time"
    return "a date" if isinstance(value, dt.date) else "a value of another kind"


class BacklogError(Exception):
    """A problem the user can fix. ``str(err)`` is the whole message shown to them."""

    exit_code = EXIT_INPUT


class LedgerError(BacklogError):
    """The ledger cannot be read: format, encoding, header, missing columns."""


class ConfigError(BacklogError):
    """backlog.yaml, a targets file or an option value is wrong."""


class OptionError(ConfigError):
    """The value given to an option on the command line is wrong (an unknown --category, --by
    field or --format): said, as every bad option is, with where the command's options are
    described (``try 'backlog CMD --help'``)."""


_LOCATED = re.compile(r"(.+?):(\d+):(\d+): ")


def _in_file_order(problems: list[str]) -> list[str]:
    """Problems ``file:line:col: ...`` by file (in order of first mention), then line and column;
    unlocated ones first, as given."""
    files: dict[str, int] = {}

    def key(problem: str) -> tuple[int, int, int]:
        found = _LOCATED.match(problem)
        if not found:
            return (-1, 0, 0)
        rank = files.setdefault(found[1], len(files))
        return (rank, int(found[2]), int(found[3]))

    return sorted(problems, key=key)


class RulesError(BacklogError):
    """A rules file is invalid. ``problems`` lists every problem found, each already located,
    in file and line order."""

    def __init__(self, problems: list[str]):
        self.problems = _in_file_order(list(problems))
        n = len(self.problems)
        head = f"{counted(n, 'problems')} in rules:"
        super().__init__("\n".join([head, *("  " + p for p in self.problems)]))


class LockedError(BacklogError):
    exit_code = EXIT_LOCKED


# What a Chinese input method types for YAML's colon and indentation, and what to tell its typist.
FULL_WIDTH_SLIPS = (("：", "a full-width ： typed for the colon: type : with the input method in 英文/半角"),
                    ("\u3000", "full-width spaces (　) typed: indent with ordinary spaces"))


def full_width_slip(text: str) -> str | None:
    """What a full-width colon or space in a key typed by hand means (``label：超期``, ``　　label``),
    or None."""
    return next((hint for char, hint in FULL_WIDTH_SLIPS if char in text), None)


def slip_note(value: object) -> str:
    """`` (…)`` saying what a full-width colon or space typed in ``value`` means, when it is text
    (a key, or a whole file YAML read as one text for want of an ASCII colon: 陈静：3), else ''."""
    slip = full_width_slip(value) if isinstance(value, str) else None
    return f" ({slip})" if slip else ""


def did_you_mean(word: object, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` naming the closest of ``known`` to a mistyped ``word``, or '';
    for a word holding a full-width colon or space, what that slip means instead."""
    if slip := slip_note(str(word)):
        return slip
    close = difflib.get_close_matches(str(word), list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def counted(n: int, noun: str) -> str:
    """``n`` and a plural ``noun``, its last word singular for one: 1 rejected row, 2 categories."""
    if n == 1:
        noun = noun[:-3] + "y" if noun.endswith("ies") else noun.removesuffix("s")
    return f"{n} {noun}"


def some_of(items: Sequence[str], shown: int, *, total: int | None = None, whole: int | None = None,
            sep: str = ", ", more: str = "more") -> str:
    """A few of many in one line, as every message lists them: all of them up to ``whole`` (default
    ``shown``), else the first ``shown`` and how many more (底数.csv, 任务.csv, 月报.xlsx, … 14 more).
    ``total`` counts them where ``items`` holds only the first few (the rows of a frame, each made
    text: no more than are shown); ``more`` says what the others are (more rejected rows: …)."""
    total = len(items) if total is None else total
    if total <= (shown if whole is None else whole):
        return sep.join(items[:total])
    return sep.join([*items[:shown], f"… {total - shown} {more}"])


class NotUtf8(ValueError):
    """A rules, settings or columns file that is not UTF-8 text; the message says where (its
    ``line``, as ``LINE: …``) and what to do; ``column`` is where on the line, ``reason`` the
    message without the line."""

    def __init__(self, line: int, column: int, reason: str):
        super().__init__(f"{line}: {reason}")
        self.line, self.column, self.reason = line, column, reason


def read_utf8(path: Path) -> str:
    """The text of a YAML file the user writes: UTF-8, a byte order mark allowed. Saved as GBK (as
    Notepad on a Chinese Windows may do) it raises :class:`NotUtf8` naming the line and column."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = exc.object[: exc.start]  # the text after a byte order mark, valid up to the slip
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8")) + 1
        try:
            data.decode("gb18030")
            kind = "it is GBK text"
        except UnicodeDecodeError:
            kind = "it is not UTF-8 text"
        raise NotUtf8(before.count(b"\n") + 1, column, f"{kind}; save the file as UTF-8 (另存为, 编码 UTF-8)") from None
