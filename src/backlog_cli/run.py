"""The nightly run: rules → load → classify → deadlines → assign and rank → the month's report →
write, then the history.

The day's files are written into ``output_dir/.YYYY-MM-DD.partial/``, the history entry is
recorded (one transaction), then the folder is swapped in as ``output_dir/YYYY-MM-DD/`` (the old
folder renamed away, the new one renamed in, the old one deleted). A run killed at any moment
leaves the previous complete folder of that day or the new complete one, never a mix. Re-running
a day replaces its folder and its history entry. A lock file in ``output_dir`` stops a second run
while one is going.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from backlog_cli import assignment, deadlines, history, outputs, report
from backlog_cli.config import (CONFIG_NAME, ENV_VAR, Config, check_ledgers, check_named_files, input_files, ledger_source,
                                 shown_path)
from backlog_cli.errors import EXIT_OK, EXIT_WARNINGS, BacklogError, ConfigError, LockedError, counted
from backlog_cli.loading import Ledger, Progress, check_file, load_columns, load_source
from backlog_cli.rules import TOTAL_ID, Ruleset
from backlog_cli.triage import Triage, overdue_output, overdue_title, triage_labels, triage_ledger, triage_sheets
from backlog_cli.workbook import ledger_files

LOCK_NAME = ".backlog-run.lock"
HISTORY_NAME = "history.sqlite"
TRIAGE_FILE = "triage.xlsx"
OVERDUE_FILE = "overdue.xlsx"
OFFICERS_FILE = "officers.xlsx"
REPORT_FILE = "report.xlsx"
RANKING_FILE = "ranking.xlsx"
WEEKS = assignment.RANKED_PERIODS  # ranking.xlsx: the last weeks, as many as `backlog rank` ranks by default
OFFICER_DIR = "officers"
ERRORS_FILE = "errors.csv"
PROBLEMS_FILE = "problems.csv"
SUMMARY_FILE = "summary.json"
# overdue.xlsx is the over-6-months list, as `backlog overdue --months 6`.
OVERDUE_MONTHS = 6

Log = Callable[[str], None]


@dataclass
class RunSummary:
    """What a run did; ``exit_code`` is 0 when clean, 1 when rows were rejected, values were kept
    as blank (value problems) or rules warned."""

    as_of: dt.date
    folder: Path
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    ledger_files: list[str] = field(default_factory=list)  # as read, as the history keeps them
    rules: str | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    rejects: pd.DataFrame | None = None  # as errors.csv lists them (Ledger.written_rejects)
    problems: pd.DataFrame | None = None  # the value problems, as problems.csv lists them (Ledger.written_problems)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said, but no reason for exit code 1
    files: list[Path] = field(default_factory=list)
    history: str | None = None  # as summary.json names it: a URL with its password hidden
    run_id: int | None = None
    shown_from: Path | None = None  # the ledger files and the run's own shown from this folder, the settings file's (shown_path)

    @property
    def exit_code(self) -> int:
        listed = [rows for rows in (self.rejects, self.problems) if rows is not None and len(rows)]
        return EXIT_WARNINGS if listed or self.warnings else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        """The summary.json payload."""
        return {
            "as_of": self.as_of.isoformat(),
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": self.finished_at.isoformat(timespec="seconds") if self.finished_at else None,
            "exit_code": self.exit_code,
            "ledger": [shown_path(f, self.shown_from) for f in self.ledger_files],
            "rules": self.rules,
            "counts": self.counts,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "rejects": outputs.errors_frame(self.rejects) if self.rejects is not None else [],
            "value_problems": self.problems if self.problems is not None else [],
            "warnings": self.warnings,
            "notes": self.notes,
            "files": [Path(p).relative_to(self.folder).as_posix() for p in self.files],
            "history": self.history if self.history is None else self.shown(self.history),
        }

    def shown(self, path: str | Path) -> str:
        """A file or folder of the run (the day's folder, a file in it, the history) as the log and
        summary.json show it: from the settings file's folder, as the ledger files are
        (:func:`~backlog_cli.config.shown_path`: outputs/2026-11-23/errors.csv); one outside that
        folder as it is; a database URL with its password hidden."""
        if "://" in str(path):
            return history.shown_target(path)
        return shown_path(path, self.shown_from)


# ----------------------------------------------------------------------------------- the lock

# An empty or unreadable lock file younger than this is a run being started (a lock file is
# created whole, but a run of an older version wrote its pid after creating the file).
LOCK_GRACE_SECONDS = 10.0
_TAKE_ATTEMPTS = 5


@dataclass(frozen=True)
class _LockFile:
    """A lock file as read: what it says (empty when unreadable), which file it is, when written."""

    held: dict[str, Any]
    inode: tuple[int, int]
    mtime: float

    @property
    def pid(self) -> int | None:
        pid = self.held.get("pid")
        return pid if isinstance(pid, int) and pid > 0 else None


def _pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs (one the system cannot have, 2**31 say, does not)."""
    if os.name == "nt":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError, ValueError):
        return False
    except PermissionError:
        return True
    return True


_STILL_ACTIVE = 259  # the exit code Windows reports for a process that has not ended
_ACCESS_DENIED = 5
_QUERY_LIMITED_INFORMATION = 0x1000


def _windows_pid_alive(pid: int, kernel32: Any = None, last_error: Callable[[], int] | None = None) -> bool:
    """``_pid_alive`` on Windows, which has no signal 0: ``os.kill(pid, 0)`` sends Ctrl+C there
    (``CTRL_C_EVENT`` is 0) and fails for a process outside this console. The process is opened
    for a query and asked for its exit code; one that cannot be opened for want of rights runs
    (as another user). ``kernel32`` and ``last_error`` stand in for the system's in the tests."""
    import ctypes

    if not 0 < pid <= 0xFFFFFFFF:
        return False
    if kernel32 is None:
        kernel32, last_error = _kernel32(), ctypes.get_last_error  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(_QUERY_LIMITED_INFORMATION, 0, pid)
    if not handle:
        return last_error is not None and last_error() == _ACCESS_DENIED
    try:
        code = ctypes.c_ulong()
        return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == _STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _kernel32() -> Any:
    """Windows' kernel32 with the three calls :func:`_windows_pid_alive` makes declared (a
    process handle is pointer-sized)."""
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.OpenProcess.restype = ctypes.c_void_p
    kernel32.OpenProcess.argtypes = [ctypes.c_ulong, ctypes.c_int, ctypes.c_ulong]
    kernel32.GetExitCodeProcess.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_ulong)]
    kernel32.CloseHandle.argtypes = [ctypes.c_void_p]
    return kernel32


def _boot_time() -> float | None:
    """When the machine booted (seconds since the epoch, Linux ``/proc/stat``); None elsewhere."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            return next((float(line.split()[1]) for line in handle if line.startswith("btime ")), None)
    except (OSError, ValueError, IndexError):
        return None


def _process_start(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since boot (Linux ``/proc/PID/stat``); None
    when it cannot be read (no such process, not Linux)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()  # the command name may hold spaces and ')'
        return int(fields[19])  # field 22, starttime; the split starts at field 3
    except (OSError, ValueError, IndexError):
        return None


def _read_lock(path: Path) -> _LockFile | None:
    """The lock file at ``path``; None when there is none."""
    try:
        with open(path, "rb") as handle:
            st = os.fstat(handle.fileno())
            data = handle.read()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise LockedError(f"cannot read the lock file {path} ({err.strerror or err}); "
                          "delete it if no backlog run is going") from None
    return _LockFile(_lock_content(data), (st.st_dev, st.st_ino), st.st_mtime)


def _lock_content(data: bytes) -> dict[str, Any]:
    """What a lock file says: its JSON object, or ``{"pid": N}`` for the plain pid (``12345\\n``)
    that earlier versions wrote; empty when it is neither."""
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        return {}
    if text.isascii() and text.isdigit():
        return {"pid": int(text)}
    try:
        held = json.loads(text)
    except ValueError:
        return {}
    return held if isinstance(held, dict) else {}


def _is_stale(lock: _LockFile, host: str) -> bool:
    """Whether the run that wrote ``lock`` is gone. One without a pid (empty, unreadable) is stale
    once older than LOCK_GRACE_SECONDS; one from another host never is. On this host the run is
    gone when its pid is not running, when the lock is older than the machine's boot (the pid now
    names another process), or when the process with its pid started at another time than the
    lock records. A lock that names no host (a plain pid, as earlier versions wrote) is this
    host's."""
    pid = lock.pid
    if pid is None:
        return time.time() - lock.mtime > LOCK_GRACE_SECONDS
    if lock.held.get("host", host) != host:
        return False
    if not _pid_alive(pid):
        return True
    boot = _boot_time()
    if boot is not None and lock.mtime < boot:
        return True
    recorded, start = lock.held.get("pid_start"), _process_start(pid)
    return recorded is not None and start is not None and recorded != start


def _held_message(lock: _LockFile, path: Path) -> str:
    held = lock.held
    if lock.pid is None:
        return (f"a run is starting: the lock file {path} has no pid in it yet; try again, "
                "or delete the lock file if no backlog run is going")
    where = f" on {held['host']}" if "host" in held else ""
    when = f", started {held['started']}" if "started" in held else ""
    return f"another run is going: pid {lock.pid}{where}{when} (lock file {path}; delete it if that run is gone)"


def _create_lock(path: Path, content: str) -> tuple[int, int] | None:
    """Put a lock file holding ``content`` at ``path`` unless one is there (then None); return
    which file it is. It is written aside and linked into place, so it is never seen empty; on a
    file system without hard links it is created exclusively and written at once."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise ConfigError(f"cannot write the lock file in {path.parent}: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.chmod(tmp, 0o644)  # readable by the other users' runs, which judge it (mkstemp makes it private)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return None
        except OSError:
            return _create_exclusive(path, content)
        st = os.stat(tmp)
        return st.st_dev, st.st_ino
    finally:
        os.unlink(tmp)


def _create_exclusive(path: Path, content: str) -> tuple[int, int] | None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
        st = os.fstat(handle.fileno())
    return st.st_dev, st.st_ino


def _remove_stale(path: Path, lock: _LockFile) -> None:
    """Remove the stale ``lock`` from ``path``: moved aside first, and put back when it turns out
    another run had replaced it since it was read (so two runs taking over together do not
    remove each other's new lock). It is put back only where no file is (a hard link, which
    fails over a lock a third run created meanwhile: that lock stands, and the caller finds it).

    The window that remains: when a third run creates its lock between the two renames, the run
    whose lock was moved aside has lost it, and both runs go on. On a file system without hard
    links the lock is put back as a copy, which its run does not remove when it ends (it is taken
    over as stale once that run is gone)."""
    aside = path.with_name(f"{path.name}.{os.getpid()}.stale")
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return  # another run removed it first
    try:
        st = os.stat(aside)
        if (st.st_dev, st.st_ino) != lock.inode:
            _put_back(aside, path)
    finally:
        os.unlink(aside)


def _put_back(aside: Path, path: Path) -> None:
    """Link ``aside`` to ``path`` unless a file is there."""
    try:
        os.link(aside, path)
    except FileExistsError:
        pass
    except OSError:
        _create_exclusive(path, aside.read_text(encoding="utf-8"))


@contextmanager
def run_lock(output_dir: Path) -> Iterator[Path]:
    """Hold ``output_dir/.backlog-run.lock`` (pid, host, start time) for the block.

    The lock file is created with its content in it. A lock whose run is gone (:func:`_is_stale`)
    is taken over; one whose run is going raises :class:`LockedError` naming the run and the file.
    The folders created for it are removed after it when they are left empty (a run stopped before
    it wrote anything: a history that cannot be opened).
    """
    path = Path(output_dir) / LOCK_NAME
    created = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigError(f"cannot create the output folder {path.parent}: {err.strerror or err}") from None
    try:
        with _lock_file(path):
            yield path
    finally:
        for folder in created:  # the deepest first; one that holds anything stays, and those above it
            try:
                folder.rmdir()
            except OSError:
                break


@contextmanager
def _lock_file(path: Path) -> Iterator[None]:
    """:func:`run_lock` once its folder is there: the lock file itself."""
    host = socket.gethostname()
    content = json.dumps({"pid": os.getpid(), "host": host, "started": dt.datetime.now().isoformat(timespec="seconds"),
                          "pid_start": _process_start(os.getpid())})
    for _ in range(_TAKE_ATTEMPTS):
        mine = _create_lock(path, content)
        if mine is not None:
            break
        lock = _read_lock(path)
        if lock is None:
            continue  # removed since: try again
        if not _is_stale(lock, host):
            raise LockedError(_held_message(lock, path))
        _remove_stale(path, lock)
    else:
        raise LockedError(f"cannot take the lock file {path}: other runs keep taking it; "
                          "delete it if no backlog run is going")
    try:
        yield
    finally:
        with suppress(FileNotFoundError):
            st = os.stat(path)
            if (st.st_dev, st.st_ino) == mine:
                path.unlink()


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


def history_named_at(config: Config) -> str | None:
    """Where the settings name the history (``backlog.yaml:3``, their ``history:``), which a
    problem opening it begins with; None for the one in ``output_dir`` that no line names."""
    return config.where.get("history") if config.history else None


def history_inputs(config: Config) -> list[Path]:
    """The settings file and a SQLite history (a path, not a URL): the files ``history``,
    ``diff`` and ``report monthly`` read besides a ledger, never to be written over."""
    target = history_target(config)
    return [*([config.path] if config.path else []), *([Path(target)] if "://" not in target else [])]


def refuse_inputs_in(config: Config, folder: Path) -> None:
    """A ConfigError when the day's folder (which a run replaces whole) or its partial folder holds
    an input, or the lock file is one."""
    places = [folder.resolve(), outputs.partial_folder(folder).resolve()]
    lock = (Path(config.output_dir) / LOCK_NAME).resolve()
    for source in input_files(config):
        where = source.resolve()
        if where == lock or any(where.is_relative_to(place) for place in places):
            raise ConfigError(f"{source} is an input, but the run would replace it (output_dir {config.output_dir} "
                              f"writes {folder}); move the file or set another `output_dir`")


def _check_ledger_files(config: Config) -> None:
    """A ledger is set, and each ledger file exists (the setting named when not) and is of a kind
    that is read."""
    if not config.ledger and config.path is None:
        raise ConfigError(f"no ledger to run on: no {CONFIG_NAME} here (nor --config FILE or ${ENV_VAR}); "
                          "write one with `backlog init` and set `ledger:` in it")
    if not config.ledger:
        raise ConfigError(f"no ledger to run on: set `ledger:` in {config.path}")
    check_ledgers(config)
    for path in ledger_files(config.ledger, []):  # a folder or a wildcard: the files it names, not outputs
        check_file(path)


def _refuse_future(day: dt.date) -> None:
    """A BacklogError when ``day`` is after today: the history orders runs by their day, so a
    run recorded ahead would be what every later diff compares with."""
    today = dt.date.today()
    if day > today:
        raise BacklogError(f"backlog run records the history: --as-of {day} is after today ({today}); "
                           "run it on or after that day")


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
    rows = result.summary[result.summary["category"] != TOTAL_ID]
    return {str(c): int(n) for c, n in zip(rows["category"], rows["open"])}


@dataclass
class _Results:
    """What the steps computed: the triage (with its deadlines), the over-6-months list, the
    task lists, the ranking of the last weeks and the month's report."""

    triage: Triage
    over_six_months: deadlines.Listing
    tasks: assignment.TaskLists
    ranking: pd.DataFrame
    monthly: report.MonthlyReport


def _monthly_report(ledger: Ledger, result: Triage, rules: tuple[Ruleset, list[deadlines.Deadline]], absent: Any,
                    day: int | None, counts: dict[str, Any], store: history.History) -> report.MonthlyReport:
    """The report due this month, as `backlog report monthly` gives it on the run's day: the
    calendar month of --as-of (with ``day``, the report day, its period: after day N, the period
    just ended, counted as of day N), its trend taking in this run's counts."""
    as_of = result.as_of
    month, end = report.report_dates(None, None, as_of.date(), day)
    ruleset, dls = rules
    counted = result if end == as_of else triage_ledger(ledger, ruleset, end, dls, absent=absent)
    runs = sorted([*((d, c) for d, c in store.run_counts() if d != as_of.date()), (as_of.date(), counts)],
                  key=lambda run: run[0])  # this run replaces one recorded before for its day
    return report.report_from(counted, month, day, report.trend_frame(runs, end), ledger.columns.labels())


def _write_outputs(folder: Path, ledger: Ledger, lists: tuple[pd.DataFrame, pd.DataFrame],
                   done: _Results) -> list[outputs.Written]:
    """The triage workbook, the over-6-months list, the per-officer files, the errors file and the
    value-problems file (``lists``, the rejects and the value problems as listed: both written
    even when empty), each through the output layer."""
    rejects, problems = lists
    labels = triage_labels(ledger, done.triage)
    result, listed = done.triage, done.over_six_months
    overdue = overdue_output(listed, labels, overdue_title(result.as_of, listed, months=OVERDUE_MONTHS))
    return [
        *outputs.write_output(outputs.Output(result.cases, sheets=triage_sheets(result, labels)), "xlsx",
                              folder / TRIAGE_FILE),
        *outputs.write_output(overdue, "xlsx", folder / OVERDUE_FILE),
        *outputs.write_output(outputs.Output(done.tasks.overview, sheets=[done.tasks.overview_sheet(labels)]),
                              "xlsx", folder / OFFICERS_FILE),
        *outputs.write_output(assignment.ranking_output(done.ranking, assignment.OFFICER, ledger.columns.labels(),
                                                        "week", WEEKS, result.as_of), "xlsx", folder / RANKING_FILE),
        *outputs.write_output(done.monthly.output(), "xlsx", folder / REPORT_FILE),
        *assignment.write_split(done.tasks, folder / OFFICER_DIR, "xlsx", labels),
        outputs.Written(outputs.write_errors(rejects, folder / ERRORS_FILE), len(rejects),
                        outputs.ERRORS.what),
        outputs.Written(outputs.write_problems(problems, folder / PROBLEMS_FILE), len(problems),
                        outputs.PROBLEMS.what),
    ]


def _swap_in(partial: Path, folder: Path) -> list[str]:
    """Replace ``folder`` by ``partial``: the old folder is renamed away (under a name of its own,
    so that one left by an earlier run never blocks this one), the new one renamed in (the old one
    put back if it cannot be), then the old one deleted. A warning when it cannot be deleted."""
    old = folder.with_name(f".{folder.name}.old-{secrets.token_hex(4)}")
    if folder.exists():
        os.replace(folder, old)
    try:
        os.replace(partial, folder)
    except OSError:
        if old.exists():
            os.replace(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)
    if old.exists():
        return [f"the previous {folder.name} folder could not be deleted; it is kept as {old} (delete it by hand)"]
    return []


def _leftovers(output_dir: Path) -> None:
    """Folders left by a run that was killed (under the lock, no other run is going): a partial
    folder is deleted; a day's previous folder set aside is put back when the day has none (the
    run was killed between the two renames of :func:`_swap_in`), else deleted."""
    for partial in output_dir.glob(".????-??-??.partial"):
        shutil.rmtree(partial, ignore_errors=True)
    for old in output_dir.glob(".????-??-??.old*"):
        day = output_dir / old.name[1:11]
        if day.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:  # the day's only folder: never deleted, though it cannot be put back
            with suppress(OSError):
                os.replace(old, day)


@contextmanager
def _uninterrupted() -> Iterator[None]:
    """Hold off Ctrl-C and SIGTERM while the day's folder is put in place and the history entry
    committed; one that came meanwhile is let go once both are done: the run is complete, and
    exit 130 or 143 would say nothing was written. When the block fails, a signal that came is
    delivered after it. Their handlers are replaced for the block (blocking them would hold them
    for this thread only: the kernel hands a signal to any thread that does not block it, such as
    a numerical library's workers); outside the main thread the block runs as it is."""
    held = (signal.SIGINT, signal.SIGTERM)
    came: list[int] = []
    try:
        before = {s: signal.signal(s, lambda signum, _frame: came.append(signum)) for s in held}
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
        came.clear()  # the run is complete: dropped
    finally:
        for s, handler in before.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)
        for s in dict.fromkeys(came):
            signal.raise_signal(s)


def nightly_run(
    config: Config,
    as_of: pd.Timestamp,
    *,
    log: Log | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """One unattended pass over the configured ledger; returns what it did.

    ``log`` receives one line per step with its time; ``progress`` receives loading messages.
    User-fixable problems raise :class:`~backlog_cli.errors.BacklogError` before anything is
    written (exit code 2), among them an ``as_of`` after today, a run already going raises
    :class:`LockedError` (exit code 3).
    """
    as_of = pd.Timestamp(as_of).normalize()
    _refuse_future(as_of.date())
    _check_ledger_files(config)  # before the lock creates output_dir: a mistake leaves no folder behind
    output_dir = Path(config.output_dir)
    if output_dir.exists() and not output_dir.is_dir():
        raise ConfigError(f"{config.where.get('output_dir', config.path)}: output_dir: "
                          f"{shown_path(output_dir, config.folder)} is a file, not a folder; "
                          "name the folder `backlog run` writes its dated folders in")
    folder = output_dir / as_of.strftime("%Y-%m-%d")
    partial = outputs.partial_folder(folder)
    target = history_target(config)
    summary = RunSummary(as_of.date(), folder, dt.datetime.now(), history=history.shown_target(target),
                         shown_from=config.folder)
    steps = _Steps(summary, log)
    refuse_inputs_in(config, folder)
    with run_lock(output_dir), ExitStack() as opened:
        with steps.step("rules") as notes:
            check_named_files(config, "columns", "rules", "targets")
            source = ledger_source(config, encoding_option=False)  # the settings' ledger: no --encoding
            columns = load_columns(source.columns)
            ruleset, dls = deadlines.load_ruleset(config.rules or None, columns)
            targets = assignment.read_targets(config.targets, config.path) if config.targets else None
            absent = columns.absent_fields(config)
            summary.rules = ruleset.name
            notes.append(f"{ruleset.name}: {len(ruleset.categories)} categories, {len(dls)} deadlines")
        # before the ledger is read: a history that cannot be opened (a server down, a user refused)
        # stops the run at once, not after the load's minutes
        with steps.step("history open") as notes:
            store = opened.enter_context(history.open_history(target, named_at=history_named_at(config)))
            notes.append(summary.shown(target))
        with steps.step("load") as notes:
            ledger = load_source(source, columns, progress)
            summary.ledger_files = [str(p) for p in ledger.files]
            summary.warnings.extend(ledger.warnings)
            summary.notes.extend(ledger.notes)
            n = len(ledger.problems)
            kept_blank = f", {counted(n, 'values')} kept as blank" if n else ""
            notes.append(f"{counted(len(ledger.cases), 'cases')} from {counted(ledger.rows_read, 'rows')}, "
                         f"{len(ledger.rejects)} rejected" + kept_blank)
        with steps.step("classify") as notes:
            loaded = len(ledger.rejects)
            result = triage_ledger(ledger, ruleset, as_of, dls, absent=absent)
            # the rejects once those filed after today (result.rejects, and the rows below a merged 案号
            # cell of their cases) are among them, and the value problems
            summary.rejects, summary.problems = ledger.written_rejects(), ledger.written_problems()
            if more := len(ledger.rejects) - loaded:
                notes.append(f"{counted(more, 'more rows')} rejected: filed after today")
            frame = result.cases
            summary.warnings.extend(result.warnings)
            summary.notes.extend(result.notes)
            summary.counts = _counts(ledger, result)
            summary.counts["categories"] = _category_counts(result)
            summary.counts["overdue"] = int((result.is_open() & frame["next_state"].eq("overdue").fillna(False)).sum())
            over_six_months = deadlines.overdue_cases(frame, result.deadlines, as_of, months=OVERDUE_MONTHS)
            summary.counts[f"open_over_{OVERDUE_MONTHS}_months"] = len(over_six_months.cases)
            notes.append(", ".join(f"{k} {v}" for k, v in summary.counts["categories"].items()) + " open")
            notes.append(f"{summary.counts['overdue']} open cases past a deadline, "
                         f"{len(over_six_months.cases)} open more than {OVERDUE_MONTHS} months ({OVERDUE_FILE})")
        with steps.step("assign") as notes:
            tasks = assignment.task_lists(frame, as_of, "officer", targets, key=result.key_cases())
            summary.warnings.extend(tasks.warnings())
            ranked = assignment.ranking(ledger.cases, as_of, "week", WEEKS, assignment.OFFICER, targets)
            last = ranked[ranked["period_end"] == ranked["period_end"].max()]["mark"].value_counts()
            notes.append(f"{len(tasks.overview)} task lists; {WEEKS} weeks ranked ({RANKING_FILE}), the last with "
                         f"{int(last.get(assignment.SUPERVISE, 0))} 督导 and {int(last.get(assignment.CALL_IN, 0))} 约谈")
        _leftovers(output_dir)  # left by a run that was killed
        try:
            with steps.step("report") as notes:
                monthly = _monthly_report(ledger, result, (ruleset, dls), absent, config.report_day, summary.counts, store)
                # once for the task lists' 月报待填 and the report's 未填写
                plans, plan_notes = assignment.plan_warnings(
                    ledger, len(monthly.key_cases) + tasks.key_open(), absent)
                summary.warnings.extend(plans)
                summary.notes.extend(plan_notes)
                notes.append(f"{monthly.month} as of {monthly.end.date()} ({REPORT_FILE})")
            with steps.step("write") as notes:
                written = _write_outputs(partial, ledger, (summary.rejects, summary.problems),
                                         _Results(result, over_six_months, tasks, ranked, monthly))
                summary.files = [folder / w.path.relative_to(partial) for w in written] + [folder / SUMMARY_FILE]
                summary.warnings.extend(f"{summary.shown(folder / w.path.relative_to(partial))}: {message}"
                                        for w in written for message in w.warnings)
                notes.append(f"{len(summary.files)} files, put in {summary.shown(folder)} once the history is recorded")
            # the day's folder is put in place before the history entry is committed, and the entry
            # rolled back when it cannot be: exit 2 leaves both as they were
            with ExitStack() as commit:
                with steps.step("history") as notes:
                    snapshot = history.snapshot_frame(frame, as_of, [d.id for d in dls])
                    summary.finished_at = dt.datetime.now()
                    info = history.RunInfo(as_of.date(), summary.started_at, summary.finished_at,
                                           summary.ledger_files, summary.counts, summary.rules)
                    commit.enter_context(_uninterrupted())
                    summary.run_id = commit.enter_context(store.recording(info, snapshot, ledger.rejects))
                    notes.append(f"run {summary.run_id} recorded")
                summary.finished_at = dt.datetime.now()
                outputs.to_json_payload(summary.to_dict(), partial / SUMMARY_FILE)
                if kept := _swap_in(partial, folder):  # the summary says it too, and its exit code
                    summary.warnings.extend(kept)
                    outputs.to_json_payload(summary.to_dict(), folder / SUMMARY_FILE)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    return summary
