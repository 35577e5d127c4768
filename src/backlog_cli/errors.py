"""Errors the core raises; the CLI turns each into one plain message and an exit code.

Exit codes (documented in the README):
    0  done
    1  done, but rows were rejected or rules warned (``backlog run`` only)
    2  nothing produced: bad input, bad rules, bad config, bad option
    3  another run holds the lock
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

EXIT_OK = 0
EXIT_WARNINGS = 1
EXIT_INPUT = 2
EXIT_LOCKED = 3


class BacklogError(Exception):
    """A problem the user can fix. ``str(err)`` is the whole message shown to them."""

    exit_code = EXIT_INPUT


class LedgerError(BacklogError):
    """The ledger cannot be read: format, encoding, header, missing columns."""


class ConfigError(BacklogError):
    """backlog.yaml, a targets file or an option value is wrong."""


class RulesError(BacklogError):
    """A rules file is invalid. ``problems`` lists every problem found, each already located."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in rules:"
        super().__init__("\n".join([head, *("  " + p for p in self.problems)]))


class LockedError(BacklogError):
    exit_code = EXIT_LOCKED


def did_you_mean(word: object, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` naming the closest of ``known`` to a mistyped ``word``, or ''."""
    close = difflib.get_close_matches(str(word), list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
