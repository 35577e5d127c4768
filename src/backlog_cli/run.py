"""The nightly run: rules → load → classify → deadlines → assign → write, then the history.

Outputs go to ``output_dir/YYYY-MM-DD/``; every file is written atomically, so a run killed at
any moment leaves whole files only, and the history entry is written last in one transaction.
Re-running a day replaces its files (files of that day no longer produced are removed) and its
history entry. A lock file in ``output_dir`` stops a second run while one is going.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from backlog_cli import assignment, deadlines, history, outputs
from backlog_cli.config import Config
from backlog_cli.errors import EXIT_OK, EXIT_WARNINGS, ConfigError, LockedError
from backlog_cli.loading import Ledger, load_columns, load_ledger
from backlog_cli.rules import TOTAL_ID, load_rules
from backlog_cli.triage import Triage, triage

LOCK_NAME = ".backlog-run.lock"
HISTORY_NAME = "history.sqlite"
TRIAGE_FILE = "triage.xlsx"
OVERDUE_FILE = "overdue.xlsx"
OFFICERS_FILE = "officers.xlsx"
OFFICER_DIR = "officers"
ERRORS_FILE = "errors.csv"
SUMMARY_FILE = "summary.json"
CASE_COLUMNS = ["case_no", "filed_on", "officer", "applicant", "respondent", "cause", "amount",
                "status", "closed_on", "close_method"]

Log = Callable[[str], None]


@dataclass
class RunSummary:
    """What a run did; ``exit_code`` is 0 when clean, 1 when rows were rejected or rules warned."""

    as_of: dt.date
    folder: Path
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    ledger_files: list[str] = field(default_factory=list)
    rules: str | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    rejects: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    history: str | None = None
    run_id: int | None = None

    @property
    def exit_code(self) -> int:
        has_rejects = self.rejects is not None and len(self.rejects) > 0
        return EXIT_WARNINGS if has_rejects or self.warnings else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        """The summary.json payload."""
        return {
            "as_of": self.as_of.isoformat(),
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": self.finished_at.isoformat(timespec="seconds") if self.finished_at else None,
            "exit_code": self.exit_code,
            "ledger": self.ledger_files,
            "rules": self.rules,
            "counts": self.counts,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "rejects": outputs.errors_frame(self.rejects) if self.rejects is not None else [],
            "warnings": self.warnings,
            "files": [Path(p).relative_to(self.folder).as_posix() for p in self.files],
            "history": self.history,
        }


# ----------------------------------------------------------------------------------- the lock


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_lock(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@contextmanager
def run_lock(output_dir: Path) -> Iterator[Path]:
    """Hold ``output_dir/.backlog-run.lock`` (pid, host, start time) for the block.

    A lock left by a process that is gone (same host, pid not running) is stale and taken over;
    a live one raises :class:`LockedError` naming the run that holds it.
    """
    path = Path(output_dir) / LOCK_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigError(f"cannot create the output folder {path.parent}: {err.strerror or err}") from None
    me = {"pid": os.getpid(), "host": socket.gethostname(),
          "started": dt.datetime.now().isoformat(timespec="seconds")}
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            held = _read_lock(path)
            stale = held.get("host") == me["host"] and not _pid_alive(int(held.get("pid", 0) or 0))
            if stale or not held:
                path.unlink(missing_ok=True)
                continue
            raise LockedError(
                f"another run is going: pid {held.get('pid')} on {held.get('host')}, started "
                f"{held.get('started')} (lock file {path}; delete it if that run is gone)"
            ) from None
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(me, handle)
        break
    else:
        raise LockedError(f"cannot take the lock file {path}")
    try:
        yield path
    finally:
        if _read_lock(path).get("pid") == me["pid"]:
            path.unlink(missing_ok=True)


# ----------------------------------------------------------------------------------- steps


class _Steps:
    """Times each step and logs one line per step."""

    def __init__(self, summary: RunSummary, log: Log | None):
        self.summary, self.log = summary, log

    @contextmanager
    def step(self, name: str) -> Iterator[list[str]]:
        notes: list[str] = []
        start = time.perf_counter()
        yield notes
        took = time.perf_counter() - start
        self.summary.timings[name] = took
        if self.log:
            self.log(f"{name}: {'; '.join(notes) + ' ' if notes else ''}({took:.2f} s)")


def history_target(config: Config) -> str:
    """The history database: ``history:`` from the config, else ``output_dir/history.sqlite``."""
    return config.history or str(Path(config.output_dir) / HISTORY_NAME)


def _load(config: Config, progress: Log | None) -> Ledger:
    if not config.ledger:
        raise ConfigError(f"no ledger to run on: set `ledger:` in {config.path or 'backlog.yaml'}")
    columns = load_columns(config.columns)
    return load_ledger(config.ledger, sheets=config.sheets or None, encoding=config.encoding,
                       columns=columns, progress=progress)


def _counts(ledger: Ledger, result: Triage) -> dict[str, Any]:
    """Rows read and what became of them; cases, open and closed from the 底数's total row."""
    total = result.summary.set_index("category").loc[TOTAL_ID]
    return {
        "rows": ledger.rows_read,
        "cases": int(total["cases"]),
        "open": int(total["open"]),
        "closed": int(total["closed"]),
        "rejected": len(ledger.rejects),
        "skipped": len(ledger.skipped),
        "unreadable_values": len(ledger.problems),
    }


def _category_counts(result: Triage) -> dict[str, int]:
    """Open cases per category id at as_of."""
    rows = result.summary[result.summary["category"] != "all"]
    return {str(c): int(n) for c, n in zip(rows["category"], rows["open"])}


@dataclass
class _Results:
    """What the steps computed: the triage, the case frame with deadline columns, task lists."""

    triage: Triage
    cases: pd.DataFrame
    tasks: assignment.TaskLists


def _styles(states: pd.Series) -> pd.Series:
    return states.where(states.isin(["overdue", "due_soon"]), None).astype(object)


def _write_officers(folder: Path, tasks: assignment.TaskLists, labels: dict[str, str]) -> list[Path]:
    """The overview workbook and one workbook per officer, ready to hand out."""
    written = [outputs.write_xlsx(folder / OFFICERS_FILE, [outputs.Sheet("overview", tasks.overview, labels=labels)])]
    groups = tasks.groups()
    for (name, part), stem in zip(groups, assignment.file_stems([g for g, _ in groups])):
        written.append(outputs.write_xlsx(folder / OFFICER_DIR / f"{stem}.xlsx", [
            outputs.Sheet(name, part, labels=labels, row_styles=_styles(part["next_state"]), title=name)]))
    return written


def _write_outputs(folder: Path, ledger: Ledger, done: _Results, summary: RunSummary) -> list[Path]:
    """The triage workbook (底数, all cases, open cases per category), the overdue list, the
    per-officer files and the errors file."""
    labels = ledger.columns.labels()
    result, cases = done.triage, done.cases
    view = cases[[c for c in CASE_COLUMNS if c in cases.columns]
                 + [c for c in cases.columns if c not in CASE_COLUMNS and not str(c).startswith("source_")]]
    is_open = result.is_open()
    per_category = [
        outputs.Sheet(cat.id, view[is_open & result.flags[cat.id]], labels=labels, title=cat.label)
        for cat in result.ruleset.categories
    ]
    workbook = outputs.write_xlsx(folder / TRIAGE_FILE, [
        outputs.Sheet("summary", result.summary, title=f"底数 as of {summary.as_of.isoformat()}"),
        outputs.Sheet("cases", view, labels=labels),
        *per_category,
    ])
    overdue = view[is_open & cases["next_state"].eq("overdue").fillna(False)]
    overdue = overdue.sort_values("next_days_left", kind="stable")
    overdue_file = outputs.write_xlsx(folder / OVERDUE_FILE, [
        outputs.Sheet("overdue", overdue, labels=labels, row_styles=_styles(overdue["next_state"]),
                      title=f"超期案件 as of {summary.as_of.isoformat()}")])
    errors = outputs.write_errors(ledger.rejects, folder / ERRORS_FILE)
    return [workbook, overdue_file, *_write_officers(folder, done.tasks, labels), errors]


def _remove_stale(folder: Path, keep: list[Path]) -> None:
    """Files of an earlier run of the same day that this run did not produce."""
    kept = {Path(p).resolve() for p in keep}
    for path in folder.rglob("*"):
        if path.is_file() and path.resolve() not in kept and not path.name.startswith("."):
            path.unlink()


def nightly_run(
    config: Config,
    as_of: pd.Timestamp,
    *,
    log: Log | None = None,
    progress: Log | None = None,
) -> RunSummary:
    """One unattended pass over the configured ledger; returns what it did.

    ``log`` receives one line per step with its time; ``progress`` receives loading messages.
    User-fixable problems raise :class:`~backlog_cli.errors.BacklogError` before anything is
    written (exit code 2), a run already going raises :class:`LockedError` (exit code 3).
    """
    as_of = pd.Timestamp(as_of).normalize()
    output_dir = Path(config.output_dir)
    folder = output_dir / as_of.strftime("%Y-%m-%d")
    target = history_target(config)
    summary = RunSummary(as_of.date(), folder, dt.datetime.now(), history=target)
    steps = _Steps(summary, log)
    with run_lock(output_dir):
        with steps.step("rules") as notes:
            ruleset = load_rules(config.rules or None)
            dls = deadlines.load_deadlines(ruleset)
            targets = assignment.read_targets(config.targets) if config.targets else None
            summary.rules = ruleset.name
            notes.append(f"{ruleset.name}: {len(ruleset.categories)} categories, {len(dls)} deadlines")
        with steps.step("load") as notes:
            ledger = _load(config, progress)
            cases = ledger.cases
            summary.ledger_files = [str(p) for p in config.ledger]
            summary.rejects = ledger.rejects
            notes.append(f"{len(cases)} cases from {ledger.rows_read} rows, {len(ledger.rejects)} rejected")
        with steps.step("classify") as notes:
            result = triage(cases, ruleset, as_of, dls)
            frame = result.cases
            summary.warnings.extend(result.warnings)
            summary.counts = _counts(ledger, result)
            summary.counts["categories"] = _category_counts(result)
            summary.counts["overdue"] = int((result.is_open() & frame["next_state"].eq("overdue").fillna(False)).sum())
            notes.append(", ".join(f"{k} {v}" for k, v in summary.counts["categories"].items()) + " open")
            notes.append(f"{summary.counts['overdue']} open cases overdue")
        with steps.step("assign") as notes:
            tasks = assignment.task_lists(frame, as_of, "officer", targets, key=result.key_cases())
            summary.warnings.extend(f"weekly target for {name}, who has no case in the ledger"
                                    for name in tasks.unknown_targets)
            notes.append(f"{len(tasks.overview)} task lists")
        done = _Results(result, frame, tasks)
        with steps.step("history open"):
            store = history.open_history(target)
        try:
            with steps.step("write") as notes:
                files = _write_outputs(folder, ledger, done, summary)
                notes.append(f"{len(files) + 1} files in {folder}")
            summary.files = [*files, folder / SUMMARY_FILE]
            with steps.step("history") as notes:
                snapshot = history.snapshot_frame(frame, as_of, [d.id for d in dls])
                summary.finished_at = dt.datetime.now()
                summary.run_id = store.record(history.RunInfo(
                    as_of.date(), summary.started_at, summary.finished_at, summary.ledger_files,
                    summary.counts, summary.rules), snapshot)
                notes.append(f"run {summary.run_id} recorded")
        finally:
            store.close()
        summary.finished_at = dt.datetime.now()
        outputs.to_json_payload(summary.to_dict(), folder / SUMMARY_FILE)
        _remove_stale(folder, summary.files)
    return summary
