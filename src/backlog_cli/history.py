"""The run history: one row per nightly run and a snapshot of every case, through SQLAlchemy Core.

The database is a SQLite file by default (a plain path) or any SQLAlchemy URL
(``postgresql+psycopg://user@host/db``). Its schema version lives in the ``meta`` table and is
upgraded when the nightly run, its one writer, opens it, one step per version (:data:`UPGRADES`);
the commands that only read it (``history``, ``diff``, ``report monthly``) write nothing, and read
a history of an older version as it is (:func:`open_history`).

Tables (schema version 2):

``runs``
    ``id``, ``as_of`` (date, unique: re-running a day replaces it), ``started_at``,
    ``finished_at``, ``ledger_files`` (JSON list), ``counts`` (JSON object), ``rules`` (name),
    ``rejects_recorded`` (true; NULL for the runs recorded at version 1, which kept no rejected
    rows: what they rejected is unknown).
``snapshots``
    one row per case and run: ``run_id``, ``case_no``, ``is_open`` (at the run's as_of),
    ``filed_on``, ``closed_on``, ``officer``, ``categories`` (ids joined by ``;``),
    ``primary_category``, ``next_deadline``, ``next_state``, ``next_due``, ``overdue`` (ids of the
    deadlines overdue at as_of, joined by ``;``) and ``deadline_states`` (JSON object, deadline id →
    state). The overdue ids get their own column so that diffs need no JSON parsing; the full
    states stay in JSON because the deadline set is data (rules files), not schema.
``rejected_rows``
    one row per ledger row the run rejected, as its errors.csv lists them: ``run_id``,
    ``position`` (0, 1, ... in the list's order), ``file`` (its path as read, which errors.csv
    shows from the settings file's folder: a diff names it as the run's messages did,
    :meth:`History.shown_rejected`), ``sheet``,
    ``row``, ``case_no`` (as read, readable or not) and ``reason``.

An upgrade runs in one transaction (on SQLite too, whose driver would otherwise commit each
table change at once): one stopped midway leaves the history at its old version, as it was.
A write (:meth:`History.record`) is one transaction: a run killed midway leaves the history as
it was. Writes are one at a time (each holds the version's row in ``meta`` first), also from two
machines recording into one database server, whose lock files keep apart only the runs of one
output_dir.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from backlog_cli.assignment import UNASSIGNED
from backlog_cli.config import shown_path
from backlog_cli.errors import ConfigError, shown_value
from backlog_cli.loading import REJECT_COLUMNS, file_names, load_columns
from backlog_cli.outputs import (DISPLAY_LIST_SEP, Labels, Output, Sheet, case_count_title, iso_dates, join_lists,
                                 per_distinct_cell)
from backlog_cli.parsing import case_ids, first_rows, parse_case_numbers
from backlog_cli.rules import open_mask

SCHEMA_VERSION = 2
LIST_SEP = ";"
SNAPSHOT_COLUMNS = [
    "case_no", "is_open", "filed_on", "closed_on", "officer", "categories", "primary_category",
    "next_deadline", "next_state", "next_due", "overdue", "deadline_states",
]
DATE_COLUMNS = ("filed_on", "closed_on", "next_due")
SNAPSHOT_BLOCK = 20_000  # snapshot rows inserted at a time
# In the order the open count adds up: open then + new + readmitted + reopened - closed - removed
# - rejected = open now.
CHANGES = ("new", "readmitted", "reopened", "closed", "removed", "rejected", "newly_overdue", "more_overdue",
           "reassigned", "category_changes")
# How tables and xlsx show each kind of change (CSV and JSON keep the names above). A case whose row
# the later run rejected is 被拒收, not 台帐中已删除; one whose row the earlier run rejected is
# 拒收后重新读入, not 新收: it was in the ledger all along.
CHANGE_LABELS = {"new": "新收", "readmitted": "拒收后重新读入", "reopened": "重新未结", "closed": "已结",
                 "removed": "台帐中已删除", "rejected": "被拒收", "newly_overdue": "新超期",
                 "more_overdue": "新增超期项", "reassigned": "改派承办人", "category_changes": "类别变化"}
# The kinds of change that need the runs' rejected rows: known only for runs that recorded them
# (``rejected`` from the later run's, ``readmitted`` from the earlier run's).
FROM_REJECTS = {"readmitted": 0, "rejected": 1}
# A case's state at either run (open, new since the earlier run, its row rejected then, closed), as
# tables and xlsx show it; CSV and JSON keep ``open`` / ``new`` / ``rejected`` and a close date for a
# closed case.
CLOSED_TEXTS = {"open": "未结", "new": "新收", "rejected": "被拒收", "closed": "已结"}
DIFF_COLUMNS = ["case_no", "change", "officer", "before", "after"]
# The open-count balance under the changes: its sheet, and the headers of its one row.
BALANCE_SHEET = "未结核对"
BALANCE_COLUMNS = ["open_before", "new", "readmitted", "reopened", "closed", "removed", "rejected", "open_after"]
# The run list's sheet, and how its start and end times show in xlsx (date-time cells).
RUNS_SHEET = "运行记录"
TIMESTAMPS = ("started_at", "finished_at")
# The counts a nightly run records as numbers (run.py), in its order: the run list's columns after
# ledger_files, there when no run is listed too, so that an empty list has a full one's header.
RUN_COUNTS = ("rows", "cases", "open", "closed", "rejected", "skipped", "unreadable_values", "overdue",
              "open_over_6_months")
# The columns of ``runs`` the run list reads: those of every schema version (a history of an
# older version is read as it is).
RUN_COLUMNS = ("id", "as_of", "started_at", "finished_at", "ledger_files", "counts", "rules")

metadata = sa.MetaData()
meta = sa.Table(
    "meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
runs = sa.Table(
    "runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("as_of", sa.Date, nullable=False, unique=True),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime, nullable=False),
    sa.Column("ledger_files", sa.Text, nullable=False),
    sa.Column("counts", sa.Text, nullable=False),
    sa.Column("rules", sa.Text),
    sa.Column("rejects_recorded", sa.Boolean),  # NULL: recorded at version 1, its rejected rows unknown
)
snapshots = sa.Table(
    "snapshots", metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("case_no", sa.String(100), primary_key=True),
    sa.Column("is_open", sa.Boolean, nullable=False),
    sa.Column("filed_on", sa.Date),
    sa.Column("closed_on", sa.Date),
    sa.Column("officer", sa.Text),
    sa.Column("categories", sa.Text, nullable=False),
    sa.Column("primary_category", sa.Text),
    sa.Column("next_deadline", sa.Text),
    sa.Column("next_state", sa.Text),
    sa.Column("next_due", sa.Date),
    sa.Column("overdue", sa.Text, nullable=False),
    sa.Column("deadline_states", sa.Text, nullable=False),
)
rejected_rows = sa.Table(
    "rejected_rows", metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("sheet", sa.Text),
    sa.Column("row", sa.Integer),
    sa.Column("case_no", sa.Text),
    sa.Column("reason", sa.Text, nullable=False),
)


def _upgrade_to_1(conn: Connection) -> None:
    """Version 1: the runs and snapshots tables."""
    metadata.create_all(conn, tables=[runs, snapshots])


def _upgrade_to_2(conn: Connection) -> None:
    """Version 2: each run's rejected rows, and whether a run recorded them (the runs of version 1
    did not: ``rejects_recorded`` stays NULL for them). A history created at this version has the
    column from version 1's step already."""
    if "rejects_recorded" not in {c["name"] for c in sa.inspect(conn).get_columns("runs")}:
        column = runs.c.rejects_recorded
        conn.execute(sa.text(f"ALTER TABLE runs ADD COLUMN {column.name} {column.type.compile(conn.dialect)}"))
    metadata.create_all(conn, tables=[rejected_rows])


# Version N's upgrade takes a database at version N - 1 to N; all run in one transaction.
UPGRADES: dict[int, Callable[[Connection], None]] = {1: _upgrade_to_1, 2: _upgrade_to_2}


@dataclass
class RunInfo:
    """What :meth:`History.record` stores about a run besides the snapshot."""

    as_of: dt.date
    started_at: dt.datetime
    finished_at: dt.datetime
    ledger_files: list[str] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    rules: str | None = None


def database_url(target: str | Path) -> str:
    """A SQLAlchemy URL for a path (SQLite) or a URL given as is."""
    text = str(target)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def shown_target(target: str | Path) -> str:
    """A history as messages and summary.json name it: a path as given, a URL with its password
    hidden (``postgresql+psycopg://backlog:***@dbhost/backlog``)."""
    text = str(target)
    if "://" not in text:
        return text
    try:
        return sa.engine.make_url(text).render_as_string(hide_password=True)
    except (sa.exc.ArgumentError, ValueError):  # not a URL SQLAlchemy reads (a port that is no number):
        # what stands between user: and @ is the password
        return re.sub(r"(://[^/@:]*):[^/@]*@", r"\1:***@", text)


# What a database server refuses for reasons of its own, not for a bug of ours, by SQLSTATE (or its
# class): no right to write a table, a read-only transaction (a standby server), the connection
# lost or refused, out of disk or memory, the server shutting down, a table or column of the
# history missing (a history damaged, or edited by hand).
REFUSALS = ("42501", "25006", "08", "28", "53", "57", "42P01", "42703")
# What reading a value that backlog does not write raises (text in a date column, a count that is
# no JSON, a date pandas cannot hold): a history damaged, or edited by hand (:func:`_reads`).
STORED_VALUE_ERRORS = (ValueError, TypeError, OverflowError)


def _refused(exc: sa.exc.DBAPIError) -> bool:
    """Whether the database refused a read or a write for reasons of its own: SQLite's errors of
    the kind (read-only, locked, the disk full, a table or column missing, and the file damaged:
    ``database disk image is malformed``, a plain DatabaseError) and those of :data:`REFUSALS`."""
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or ""
    return (isinstance(exc, sa.exc.OperationalError) or type(exc) is sa.exc.DatabaseError
            or str(code).startswith(REFUSALS))


def _located(named_at: str | None, message: str) -> str:
    """A problem with the history, after where the settings name it (``backlog.yaml:3``, their
    ``history:``) when they do."""
    return message if named_at is None else f"{named_at}: {message}"


def _reads(method: Callable[..., Any]) -> Callable[..., Any]:
    """A reader of :class:`History` that finds a value backlog does not write
    (:data:`STORED_VALUE_ERRORS`) says so in one line naming the history, as every other problem
    with it is said."""
    @functools.wraps(method)
    def reader(self: History, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except STORED_VALUE_ERRORS as exc:
            raise ConfigError(self.said(f"cannot read the history: it holds a value backlog does not write "
                                        f"({driver_said(exc)}); it is damaged or was edited")) from None

    return reader


def driver_said(error: BaseException) -> str:
    """What the database or its driver said, on one line: its lines joined with '; ', without the
    SQL it quotes (PostgreSQL's ``LINE 1: …`` and the caret under it)."""
    lines = (line.strip() for line in str(error).splitlines())
    return "; ".join(line for line in lines if line and not line.startswith("LINE ") and set(line) != {"^"})


class History:
    """An open history database. Use :func:`open_history`."""

    def __init__(self, engine: Engine, version: int = SCHEMA_VERSION, read_only: bool = False,
                 shown_from: Path | None = None, where: str | None = None, named_at: str | None = None):
        self.engine = engine
        # the database as open_history was given it (shown_target), and where the settings name it
        self._where, self.named_at = where, named_at
        # the ledger files are stored as the runs read them (from backlog.yaml: absolute paths) and
        # shown from the settings file's folder (config.shown_path)
        self.shown_from = shown_from
        # the schema version read: older than SCHEMA_VERSION only when opened to be read (0: no
        # history tables yet, a database no run has written to)
        self.version = version
        self.read_only = read_only

    @property
    def where(self) -> str:
        """The database as messages name it, its password hidden (:func:`shown_target`): a path as
        given to :func:`open_history`."""
        return self._where or shown_target(str(self.engine.url))

    def said(self, problem: str) -> str:
        """A problem with this history as every message says it: ``history WHERE: problem``, after
        the settings file's line that names it when one does (:func:`_located`)."""
        return _located(self.named_at, f"history {self.where}: {problem}")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------------------- writing

    def record(self, info: RunInfo, snapshot: pd.DataFrame, rejects: pd.DataFrame | None = None) -> int:
        """Store a run, its snapshot and the ledger rows it rejected (``rejects``, in the
        :data:`~backlog_cli.loading.REJECT_COLUMNS` the errors file lists; none when not given) in
        one transaction; an earlier run of the same as_of is replaced. Returns the new run id."""
        with self.recording(info, snapshot, rejects) as run_id:
            return run_id

    @contextmanager
    def recording(self, info: RunInfo, snapshot: pd.DataFrame, rejects: pd.DataFrame | None = None) -> Iterator[int]:
        """:meth:`record`, committed only when the block ends without an error (the nightly run
        puts its day's folder in place inside it: a run whose folder cannot be put in place leaves
        the history as it was). A database that refuses the write (read-only) is a ConfigError."""
        if self.read_only:
            raise RuntimeError("the history was opened to be read only: open_history(read_only=False) records runs")
        try:
            with self.engine.begin() as conn:
                yield self._store(conn, info, snapshot, rejects)
        except sa.exc.DBAPIError as exc:
            if not _refused(exc):
                raise
            raise ConfigError(self.said(f"cannot record the run ({driver_said(exc.orig)})")) from None

    def _store(self, conn: Connection, info: RunInfo, snapshot: pd.DataFrame, rejects: pd.DataFrame | None) -> int:
        """Write a run, its snapshot and its rejected rows in ``conn``'s transaction; returns the run id."""
        rejected = _rejected_rows(rejects)
        # one run records at a time: the version's row is held to the end of the transaction, so
        # that a run of the same day writing to the same database (from another machine, whose lock
        # file is in its own output_dir) waits for this one and then replaces it, as a re-run does
        _stored_version(conn, self.where, lock=True)
        old = sa.select(runs.c.id).where(runs.c.as_of == info.as_of)
        for table in (snapshots, rejected_rows):
            conn.execute(table.delete().where(table.c.run_id.in_(old)))
        conn.execute(runs.delete().where(runs.c.as_of == info.as_of))
        run_id = conn.execute(
            runs.insert().values(
                as_of=info.as_of, started_at=info.started_at, finished_at=info.finished_at,
                ledger_files=json.dumps(info.ledger_files, ensure_ascii=False),
                counts=json.dumps(info.counts, ensure_ascii=False, default=_json_default),
                rules=info.rules, rejects_recorded=True,
            )
        ).inserted_primary_key[0]
        # the snapshot's rows a block at a time: a block's Python rows are alive at a time, not the
        # whole ledger's (125,882 rows took 90 MB, the run's peak)
        blocks = (_snapshot_rows(snapshot.iloc[at:at + SNAPSHOT_BLOCK]) for at in range(0, len(snapshot), SNAPSHOT_BLOCK))
        for table, listed in *((snapshots, rows) for rows in blocks), (rejected_rows, rejected):
            if listed:
                for row in listed:
                    row["run_id"] = run_id
                conn.execute(table.insert(), listed)
        return int(run_id)

    # ----------------------------------------------------------------------------- reading

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection to read with; a database that refuses the read (no right to read a table,
        the server gone) is a ConfigError naming it."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except sa.exc.DBAPIError as exc:
            if not _refused(exc):
                raise
            raise ConfigError(self.said(f"cannot read the history ({driver_said(exc.orig)})")) from None

    @_reads
    def list_runs(self, until: dt.date | None = None) -> pd.DataFrame:
        """One row per run, oldest first (up to the run of ``until`` when given): id, as_of,
        started_at, finished_at (to the second), seconds, rules, ledger_files, then the run's
        top-level counts as columns (:data:`RUN_COUNTS`, then any other a run recorded), the same
        columns when no run is listed."""
        query = sa.select(*(runs.c[c] for c in RUN_COLUMNS)).order_by(runs.c.as_of)
        if until is not None:
            query = query.where(runs.c.as_of <= until)
        with self.reading() as conn:
            got = conn.execute(query).mappings().all() if self.version else []
        base = pd.DataFrame(
            {
                "id": pd.Series([r["id"] for r in got], dtype="int64"),
                "as_of": pd.to_datetime(pd.Series([r["as_of"] for r in got], dtype=object)),
                "started_at": pd.to_datetime(pd.Series([r["started_at"] for r in got], dtype=object)),
                "finished_at": pd.to_datetime(pd.Series([r["finished_at"] for r in got], dtype=object)),
                "rules": pd.Series([r["rules"] for r in got], dtype="str"),
                "ledger_files": pd.Series(
                    [LIST_SEP.join(shown_path(f, self.shown_from) for f in json.loads(r["ledger_files"])) for r in got],
                    dtype="str"
                ),
            }
        )
        base.insert(4, "seconds", (base["finished_at"] - base["started_at"]).dt.total_seconds().round(1))
        for name in TIMESTAMPS:
            base[name] = base[name].dt.floor("s")
        counts = [_counts(r["counts"]) for r in got]
        flat = pd.DataFrame(
            [{k: v for k, v in c.items() if isinstance(v, (int, float))} for c in counts],
            index=base.index,
        )
        flat = flat.reindex(columns=[*RUN_COUNTS, *(c for c in flat.columns if c not in RUN_COUNTS)])
        return pd.concat([base, flat], axis=1)

    @_reads
    def run_counts(self) -> list[tuple[dt.date, dict[str, Any]]]:
        """(as_of, counts) of every run, oldest first, with nested counts kept."""
        if not self.version:
            return []
        with self.reading() as conn:
            got = conn.execute(sa.select(runs.c.as_of, runs.c.counts).order_by(runs.c.as_of)).all()
        return [(_as_date(a), _counts(c)) for a, c in got]

    @_reads
    def run_at(self, when: dt.date | None = None, *, before: int | None = None) -> int | None:
        """Id of the latest run with as_of on or before ``when`` (any date when None), and earlier
        than run ``before`` when given; None when there is none."""
        if not self.version:
            return None
        query = sa.select(runs.c.id).order_by(runs.c.as_of.desc()).limit(1)
        if when is not None:
            query = query.where(runs.c.as_of <= when)
        if before is not None:
            limit = sa.select(runs.c.as_of).where(runs.c.id == before).scalar_subquery()
            query = query.where(runs.c.as_of < limit)
        with self.reading() as conn:
            return conn.execute(query).scalar()

    @_reads
    def run_date(self, run_id: int) -> dt.date:
        with self.reading() as conn:
            value = conn.execute(sa.select(runs.c.as_of).where(runs.c.id == run_id)).scalar()
        if value is None:
            raise ConfigError(f"no run {run_id} in the history")
        return _as_date(value)

    @_reads
    def snapshot(self, run_id: int) -> pd.DataFrame:
        """The cases stored for a run, in the :data:`SNAPSHOT_COLUMNS` layout: every case filed by
        the run's as_of, open or closed then. (Runs recorded before cases filed after as_of were
        left out stored them too, neither open nor closed; they are left out here.)"""
        query = sa.select(*(snapshots.c[c] for c in SNAPSHOT_COLUMNS)).where(snapshots.c.run_id == run_id)
        with self.reading() as conn:
            got = conn.execute(query).all()
        frame = pd.DataFrame(got, columns=SNAPSHOT_COLUMNS)
        for name in DATE_COLUMNS:
            frame[name] = pd.to_datetime(frame[name].astype(object))
        frame["is_open"] = frame["is_open"].astype(bool)
        for name in SNAPSHOT_COLUMNS:
            if name not in DATE_COLUMNS and name != "is_open":
                frame[name] = frame[name].astype("str")
        later = frame["filed_on"].gt(pd.Timestamp(self.run_date(run_id)))
        return frame[~later].reset_index(drop=True) if later.any() else frame

    @_reads
    def rejected(self, run_id: int) -> pd.DataFrame | None:
        """The ledger rows a run rejected (:data:`~backlog_cli.loading.REJECT_COLUMNS`, as its
        errors file lists them), or None for a run recorded by an older backlog, which kept no
        list of them: what it rejected is unknown (every run of a history of version 1, read as
        it is)."""
        if self.version < 2:
            return None
        with self.reading() as conn:
            recorded = conn.execute(sa.select(runs.c.rejects_recorded).where(runs.c.id == run_id)).scalar()
            if not recorded:
                return None
            got = conn.execute(sa.select(*(rejected_rows.c[c] for c in REJECT_COLUMNS))
                               .where(rejected_rows.c.run_id == run_id).order_by(rejected_rows.c.position)).all()
        frame = pd.DataFrame(got, columns=REJECT_COLUMNS)
        return frame.astype({c: "str" for c in REJECT_COLUMNS if c != "row"} | {"row": "Int64"})

    @_reads
    def shown_rejected(self, run_id: int) -> pd.DataFrame | None:
        """:meth:`rejected`, each row's file named as the run's messages named it: by its name, or
        by its path as read when another file the run read has that name (一组/台帐.xlsx,
        二组/台帐.xlsx; :func:`~backlog_cli.loading.file_names` over the run's ledger files)."""
        rows = self.rejected(run_id)
        if rows is None or not len(rows):
            return rows
        with self.reading() as conn:
            read = json.loads(conn.execute(sa.select(runs.c.ledger_files).where(runs.c.id == run_id)).scalar() or "[]")
        names = file_names(pd.Series([*read, *rows["file"]], dtype=object), self.shown_from)
        return rows.assign(file=rows["file"].map(names).astype("str"))

    def diff(self, run_a: int, run_b: int) -> Changes:
        """What changed from run ``run_a`` (earlier) to ``run_b``; see :func:`diff_snapshots`
        (the rejected rows' files named as each run named them: :meth:`shown_rejected`). A run
        recorded by an older backlog, whose rejected rows are unknown, is said in the notes."""
        day_a, day_b = self.run_date(run_a), self.run_date(run_b)
        changes = diff_snapshots(self.snapshot(run_a), self.snapshot(run_b), pd.Timestamp(day_a),
                                 self.shown_rejected(run_a), self.shown_rejected(run_b))
        unknown = "was recorded by an older backlog, which kept no list of the ledger rows a run rejected"
        if not changes.recorded[0]:
            changes.notes.append(f"the run of {day_a} {unknown}: a case first seen after it is listed as 新收 "
                                 f"even if its row was rejected then ({CHANGE_LABELS['readmitted']} not known)")
        if not changes.recorded[1]:
            changes.notes.append(f"the run of {day_b} {unknown}: a case missing from it is listed as 台帐中已删除 "
                                 f"even if its row was rejected ({CHANGE_LABELS['rejected']} not known)")
        return changes


def open_history(target: str | Path, *, read_only: bool = False, shown_from: Path | None = None,
                 named_at: str | None = None) -> History:
    """Open the history at a path or URL. To record runs (the nightly run), its schema is
    upgraded and a missing SQLite file is created (in a folder that must exist: none is created).
    To be read only (``history``, ``diff``, ``report monthly``), nothing is written, on SQLite or
    any other database: a missing SQLite file is an error, a history of an older version is read
    as it is (:attr:`History.version`; the runs of version 1 kept no rejected rows) and a database
    without the history's tables yet reads as one with no runs. A newer version than this
    backlog's is refused either way. A file that is not a history database is a ConfigError
    naming it, and so is every other problem opening it; each begins with ``named_at`` when
    given: where the settings name the history (``backlog.yaml:3``, their ``history:``)."""
    try:
        return _opened(target, read_only, shown_from, named_at)
    except ConfigError as exc:
        if named_at is None:
            raise
        raise ConfigError(_located(named_at, str(exc))) from None


def _opened(target: str | Path, read_only: bool, shown_from: Path | None, named_at: str | None) -> History:
    """:func:`open_history`, its problems said without where the settings name the history."""
    url = database_url(target)
    where = shown_target(target)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.is_dir():
            raise ConfigError(f"history {target}: is a folder; name the history file in it, such as "
                              f"{Path(target) / 'history.sqlite'}")
        if read_only and not path.exists():
            raise ConfigError(f"no run history at {target} yet: `backlog run` records one")
        if not path.parent.is_dir():
            raise ConfigError(f"history {target}: the folder {path.parent} does not exist; create it or "
                              "change `history:` in backlog.yaml")
    try:
        try:
            engine = sa.create_engine(url)
        except ValueError:  # dbhost:54x
            raise sa.exc.ArgumentError("its port is not a number") from None
        if read_only:
            with engine.connect() as conn:  # ended by a rollback: only read
                version = _read_version(conn, where)
        else:
            _upgraded(engine, where)
            version = SCHEMA_VERSION
    except ModuleNotFoundError as exc:
        raise ConfigError(f"history {where}: the database driver is not installed ({exc.name})") from None
    except sa.exc.ArgumentError as exc:
        raise ConfigError(f"history {where}: not a database URL or path ({exc})") from None
    except sa.exc.DBAPIError as exc:
        raise ConfigError(f"history {where}: cannot open the database ({driver_said(exc.orig)})") from None
    except sa.exc.SQLAlchemyError as exc:
        raise ConfigError(f"history {where}: cannot open the database ({driver_said(exc)})") from None
    return History(engine, version, read_only, shown_from, where, named_at)


def _read_version(conn: Connection, where: str) -> int:
    """The schema version of a history opened to be read, read without a write: 0 when the
    database has no ``meta`` table (no run has written to it yet); a newer version than this
    backlog's is a ConfigError."""
    if not sa.inspect(conn).has_table(meta.name):
        return 0
    return int(_stored_version(conn, where) or 0)


def _upgraded(engine: Engine, where: str) -> None:
    """:func:`_upgrade` in a transaction of its own, tried once more when it fails on a table
    another backlog created meanwhile: two first runs creating the tables of a new history in
    PostgreSQL at once, where the second waits for the first's transaction and then finds each
    table it was creating there (the second try finds the history the first created)."""
    try:
        with engine.begin() as conn:
            _upgrade(conn, where)
    except (sa.exc.IntegrityError, sa.exc.ProgrammingError):
        with engine.begin() as conn:
            _upgrade(conn, where)


def _upgrade(conn: Connection, where: str) -> None:
    """Bring the history to :data:`SCHEMA_VERSION` in ``conn``'s transaction, one step per version;
    a newer one is refused. The version is read again once the transaction holds the database
    (SQLite: a write lock; others: the version's row), so that two backlogs opening an old history
    at once upgrade it once."""
    metadata.create_all(conn, tables=[meta])
    stored = _stored_version(conn, where)
    if int(stored or 0) == SCHEMA_VERSION:
        return
    if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        # the driver begins a transaction only before a row is written, so a table created or
        # altered before would be committed at once: an upgrade stopped midway would leave half
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    stored = _stored_version(conn, where, lock=True)
    version = int(stored or 0)
    for step in range(version + 1, SCHEMA_VERSION + 1):
        UPGRADES[step](conn)
    if stored is None:
        conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
    elif version != SCHEMA_VERSION:
        conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION)))


def _stored_version(conn: Connection, where: str, lock: bool = False) -> str | None:
    """The schema version the history records (None for a new one); a version newer than this
    backlog's is a ConfigError."""
    query = sa.select(meta.c.value).where(meta.c.key == "schema_version")
    stored = conn.execute(query.with_for_update() if lock else query).scalar()
    if stored is not None and not (isinstance(stored, str) and stored.isascii() and stored.isdigit()):
        raise ConfigError(f"history {where} has schema version {shown_value(stored)}, which no backlog writes; "
                          "it is damaged or was edited")
    if int(stored or 0) > SCHEMA_VERSION:
        raise ConfigError(
            f"history {where} has schema version {int(stored)}, newer than this backlog "
            f"understands ({SCHEMA_VERSION}); upgrade backlog"
        )
    return stored


def changes_since(store: History, since: dt.date | None = None,
                  until: dt.date | None = None) -> tuple[dt.date, dt.date, Changes]:
    """(base date, later date, changes) from the run at or before ``since`` (default: the run
    before the later one) to the latest run, or the latest at or before ``until`` (--as-of: the
    same two runs whenever it is asked, however many runs came after)."""
    latest = store.run_at(until)
    if latest is None:
        if until is None:
            raise ConfigError("the history has no runs yet: `backlog run` records one")
        raise ConfigError(f"the history has no run on or before --as-of {until.isoformat()}; runs: see `backlog history`")
    day = store.run_date(latest)
    which = (f"the latest run ({day})" if until is None
             else f"the run of {day} (the latest on or before --as-of {until.isoformat()})")
    if since is not None and since >= day:
        raise ConfigError(f"--since {since.isoformat()} is on or after {which}: "
                          "nothing to compare it with; name an earlier day (runs: see `backlog history`)")
    base = store.run_at(since) if since is not None else store.run_at(before=latest)
    if base is None:
        when = f"on or before {since.isoformat()}" if since is not None else f"before {which}"
        raise ConfigError(f"no run {when} in the history to compare with; runs: see `backlog history`")
    return store.run_date(base), store.run_date(latest), store.diff(base, latest)


# ------------------------------------------------------------------------------- snapshots


def snapshot_frame(cases: pd.DataFrame, as_of: pd.Timestamp, deadline_ids: Sequence[str] = ()) -> pd.DataFrame:
    """The history snapshot of a case frame at ``as_of`` (vectorised).

    Reads ``case_no``, ``filed_on``, ``closed_on``, ``officer``, ``categories`` (lists),
    ``primary_category``, ``next_deadline``, ``next_state``, ``next_due`` and ``<id>_state`` per
    deadline id when present; absent columns give blanks.
    """
    n = len(cases)
    idx = cases.index

    def text(name: str) -> pd.Series:
        return cases[name].astype("str") if name in cases else pd.Series(pd.NA, index=idx, dtype="str")

    def date(name: str) -> pd.Series:
        return cases[name] if name in cases else pd.Series(pd.NaT, index=idx, dtype="datetime64[ns]")

    closed = date("closed_on")
    out = pd.DataFrame(
        {
            "case_no": cases["case_no"].astype("str"),
            "is_open": open_mask(cases, as_of),
            "filed_on": date("filed_on"),
            "closed_on": closed,
            "officer": text("officer"),
            "categories": join_lists(cases["categories"], LIST_SEP).astype("str").fillna("") if "categories" in cases else pd.Series([""] * n, index=idx, dtype="str"),
            "primary_category": text("primary_category"),
            "next_deadline": text("next_deadline"),
            "next_state": text("next_state"),
            "next_due": date("next_due"),
        },
        index=idx,
    )
    states = {d: cases[f"{d}_state"].astype("str") for d in deadline_ids if f"{d}_state" in cases}
    out["overdue"] = _join_where(states, "overdue", idx)
    out["deadline_states"] = _states_json(states, idx)
    return out.reset_index(drop=True)


def _per_states(states: dict[str, pd.Series], idx: pd.Index, fn: Callable[[dict[str, str]], str]) -> pd.Series:
    """Per row, ``fn`` of its deadline states (deadline id → state, missing states left out),
    called once per distinct combination of states: a ledger's cases share a few hundred."""
    combination = np.zeros(len(idx), dtype=np.int64)
    for s in states.values():
        codes, uniques = pd.factorize(s)  # missing: -1
        combination, _ = pd.factorize(combination * (len(uniques) + 1) + codes + 1)
    first = first_rows(combination)
    table = np.array([fn({d: s.iat[i] for d, s in states.items() if not pd.isna(s.iat[i])}) for i in first]
                     + [""], dtype=object)  # the empty entry: an array of text, never of nothing
    return pd.Series(table[combination], index=idx, dtype="str")


def _join_where(states: dict[str, pd.Series], state: str, idx: pd.Index) -> pd.Series:
    """Per row, the deadline ids whose state is ``state``, joined with ``;``."""
    return _per_states(states, idx, lambda row: LIST_SEP.join(d for d, s in row.items() if s == state))


def _states_json(states: dict[str, pd.Series], idx: pd.Index) -> pd.Series:
    """Per row, a JSON object of deadline id → state (missing states left out)."""
    return _per_states(states, idx, lambda row: "{" + ",".join(f"{json.dumps(d)}:{json.dumps(s)}" for d, s in row.items()) + "}")


def _snapshot_rows(snapshot: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain Python values for executemany: dates as ``date``, NA as None."""
    frame = snapshot[SNAPSHOT_COLUMNS].copy()
    for name in DATE_COLUMNS:
        s = pd.to_datetime(frame[name])
        frame[name] = pd.Series(s.dt.date.astype(object), index=frame.index).where(s.notna(), None)
    frame["is_open"] = frame["is_open"].astype(bool)
    plain = frame.astype(object)
    return plain.where(plain.notna(), None).to_dict(orient="records")


def _rejected_rows(rejects: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The rejected rows (:data:`~backlog_cli.loading.REJECT_COLUMNS`) as plain Python values
    for executemany, numbered in their order; NA as None."""
    if rejects is None or not len(rejects):
        return []
    frame = rejects[REJECT_COLUMNS].astype(object)
    frame = frame.where(frame.notna(), None)
    frame["row"] = [None if r is None else int(r) for r in frame["row"]]
    return [{"position": i, **row} for i, row in enumerate(frame.to_dict(orient="records"))]


def _counts(text: Any) -> dict[str, Any]:
    """A run's counts as stored (JSON): an object, its ``open`` a whole number; a ValueError when
    they are not (:func:`_reads`)."""
    counts = json.loads(text)
    opened = counts.get("open", 0) if isinstance(counts, dict) else None
    if not isinstance(opened, int) or isinstance(opened, bool):
        raise ValueError(f"a run's counts are {shown_value(text)}")
    return counts


def _as_date(value: Any) -> dt.date:
    """A run's day as stored; a ValueError for one that is no date, or one pandas cannot hold (the
    year 1: :func:`_reads`)."""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    pd.Timestamp(day).as_unit("ns")
    return day


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in run counts")


# ------------------------------------------------------------------------------- diffs


def _pairs(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """(case_no, item) for each ``;``-joined item of ``column``."""
    items = frame[["case_no", column]].assign(item=frame[column].str.split(LIST_SEP)).explode("item")
    items = items[items["item"].notna() & items["item"].ne("")]
    return items[["case_no", "item"]]


def _anti(left: pd.DataFrame, right: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    """Rows of ``left`` with no match in ``right`` on ``on``."""
    merged = left.merge(right[on].drop_duplicates(), on=on, how="left", indicator=True)
    return merged[merged["_merge"] == "left_only"].drop(columns="_merge")


def _grouped(pairs: pd.DataFrame, name: str) -> pd.DataFrame:
    return pairs.groupby("case_no", sort=False)["item"].agg(LIST_SEP.join).rename(name).reset_index()


class Changes(dict[str, pd.DataFrame]):
    """The changes between two runs, a frame per kind (:data:`CHANGES`), the number of cases
    open at each run (``open_before``, ``open_after``), whether each run's rejected rows are known
    (``recorded``: an older backlog kept none; the kinds of :data:`FROM_REJECTS` are then not
    known), and what to say of the runs (``notes``)."""

    def __init__(self, frames: Mapping[str, pd.DataFrame], open_before: int, open_after: int,
                 recorded: tuple[bool, bool] = (True, True)) -> None:
        super().__init__(frames)
        self.open_before = open_before
        self.open_after = open_after
        self.recorded = recorded
        self.notes: list[str] = []

    def known(self, kind: str) -> bool:
        """Whether the runs tell this kind of change (see :data:`FROM_REJECTS`)."""
        return kind not in FROM_REJECTS or self.recorded[FROM_REJECTS[kind]]


def diff_snapshots(a: pd.DataFrame, b: pd.DataFrame, since: pd.Timestamp,
                   rejected_a: pd.DataFrame | None = None, rejected_b: pd.DataFrame | None = None) -> Changes:
    """Changes from snapshot ``a`` (earlier, taken as of ``since``) to ``b``, each a frame ordered
    by case number, given the ledger rows each run rejected (``rejected_a``, ``rejected_b``:
    :data:`~backlog_cli.loading.REJECT_COLUMNS`, each ``file`` as the run's messages name it; None
    when the run did not record them):

    ``new`` (in b, not in a, nor rejected at a), ``readmitted`` (in b, not in a, but a row of it
    rejected at a: it was in the ledger; ``reason`` where and why), ``reopened`` (closed in a, open
    in b; ``closed_on`` the close date it had), ``closed`` (closed in b and either open in a,
    ``before`` ``open``, or new or readmitted and closed after ``since``, ``before`` ``new`` or
    ``rejected``: closed between the runs, so that ``closed`` counts every case closed since the
    earlier run), ``removed`` (in a, not in b, nor rejected at b; its officer, ``is_open`` and
    ``closed_on`` in a), ``rejected`` (in a, not in b, a row of it rejected at b: its officer,
    ``is_open`` and ``closed_on`` in a, and the ``reason``), ``newly_overdue`` (a case overdue in b
    on a deadline and in a on none: the count of overdue cases grows by these; not a readmitted case
    whose first overdue deadline fell due by ``since``: overdue while its row was rejected), ``more_overdue`` (a
    case overdue in a that is overdue in b on a deadline more; ``overdue_before``: the deadlines it
    was overdue on in a), ``reassigned`` (officer changed), ``category_changes`` (of cases open in b:
    a case closed since is listed as closed, and the categories that need an open case leave with
    the close). A case is one case however its number is written at either run, and in a rejected
    row (:func:`parsing.case_ids`: ``(2015)泰执字第00009号`` and ``(2015)泰执字第9号``), named as
    ``b`` writes it; a rejected row whose number is unreadable is no case's.
    """
    a = _spelt_as_in(a, b)
    both = a.merge(b, on="case_no", how="inner", suffixes=("_a", "_b"))
    new, readmitted = _rejected_at(_anti(b, a, ["case_no"]), rejected_a)
    carried = both[both["is_open_a"] & ~both["is_open_b"]].rename(columns={"closed_on_b": "closed_on", "officer_b": "officer"})
    reopened = both[~both["is_open_a"] & both["is_open_b"]].rename(columns={"closed_on_a": "closed_on", "officer_b": "officer"})
    gone, rejected = _rejected_at(_anti(a, b, ["case_no"]), rejected_b)
    received = new[~new["is_open"] & new["closed_on"].gt(since)]
    back = readmitted[~readmitted["is_open"] & readmitted["closed_on"].gt(since)]
    closed = pd.concat([carried[["case_no", "closed_on", "officer"]].assign(before="open"),
                        received[["case_no", "closed_on", "officer"]].assign(before="new"),
                        back[["case_no", "closed_on", "officer"]].assign(before="rejected")], ignore_index=True)
    overdue = _grouped(_anti(_pairs(b, "overdue"), _pairs(a, "overdue"), ["case_no", "item"]), "deadlines")
    overdue = overdue.merge(b[["case_no", "officer", "next_due"]], on="case_no", how="left").merge(
        a[["case_no", "overdue"]].rename(columns={"overdue": "overdue_before"}), on="case_no", how="left")
    # a case back from a rejected row that was past its deadline on the earlier run's day already
    # (it is most days overdue on the one it is due first) was overdue while its row was rejected
    overdue = overdue[~overdue["case_no"].isin(readmitted.loc[readmitted["next_due"].le(since), "case_no"])]
    already = overdue["overdue_before"].fillna("").ne("")
    off_a, off_b = both["officer_a"].fillna(""), both["officer_b"].fillna("")
    moved = both[off_a.ne(off_b)]
    # a case closed since is listed as 已结: the categories that need an open case (未结超过一年) leave with the close
    changed = both[both["is_open_b"] & both["categories_a"].ne(both["categories_b"])]
    added = _grouped(_anti(_pairs(changed.rename(columns={"categories_b": "c"}), "c"),
                           _pairs(changed.rename(columns={"categories_a": "c"}), "c"), ["case_no", "item"]), "added")
    removed = _grouped(_anti(_pairs(changed.rename(columns={"categories_a": "c"}), "c"),
                             _pairs(changed.rename(columns={"categories_b": "c"}), "c"), ["case_no", "item"]), "removed")
    changed = changed.merge(added, on="case_no", how="left").merge(removed, on="case_no", how="left")
    result = {
        "new": new[["case_no", "filed_on", "officer", "categories", "is_open", "closed_on"]],
        "readmitted": readmitted[["case_no", "filed_on", "officer", "categories", "is_open", "closed_on", "reason"]],
        "reopened": reopened[["case_no", "closed_on", "officer"]],
        "closed": closed,
        "removed": gone[["case_no", "officer", "is_open", "closed_on"]],
        "rejected": rejected[["case_no", "officer", "is_open", "closed_on", "reason"]],
        "newly_overdue": overdue.loc[~already, ["case_no", "officer", "deadlines", "next_due"]],
        "more_overdue": overdue.loc[already, ["case_no", "officer", "deadlines", "overdue_before", "next_due"]],
        "reassigned": moved.rename(columns={"officer_a": "officer_before", "officer_b": "officer_after"})[
            ["case_no", "officer_before", "officer_after"]],
        "category_changes": changed.rename(
            columns={"officer_b": "officer", "categories_a": "categories_before", "categories_b": "categories_after"})[
            ["case_no", "officer", "categories_before", "categories_after", "added", "removed"]],
    }
    return Changes({k: v.sort_values("case_no", kind="stable", ignore_index=True) for k, v in result.items()},
                   int(a["is_open"].sum()), int(b["is_open"].sum()), (rejected_a is not None, rejected_b is not None))


def _spelt_as_in(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Snapshot ``a`` (or rejected rows) with the number of each case ``b`` holds too written as
    ``b`` writes it (one case however its number is written, as the load's duplicate check tells
    cases apart)."""
    ids = case_ids(parse_case_numbers(pd.concat([a["case_no"], b["case_no"]], ignore_index=True))[0])
    spelling = pd.Series(b["case_no"].to_numpy(), index=ids[len(a):])
    spelling = spelling[~spelling.index.duplicated()]
    written = pd.Series(ids[:len(a)], index=a.index).map(spelling)
    return a.assign(case_no=written.where(written.notna(), a["case_no"]).astype("str"))


def _rejected_at(cases: pd.DataFrame, rejected: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``cases`` split into those no row of ``rejected`` names and those one does, the latter with
    a ``reason``: where and why each of its rows was rejected (file as given, sheet, row: reason),
    joined with '；'. A row whose case number is unreadable names no case; no rows known (None) name
    none."""
    if rejected is None or not len(rejected) or not len(cases):
        return cases, cases.iloc[:0].assign(reason=pd.Series(dtype="str"))
    parts = parse_case_numbers(rejected["case_no"])[0]
    rows = rejected[parts["case_seq"].notna().to_numpy()]
    rows = _spelt_as_in(rows.assign(case_no=parts.loc[rows.index, "case_no"]), cases)
    where = rows["file"] + " [" + rows["sheet"] + "] 第 " + rows["row"].astype("str") + " 行："
    reasons = (where + rows["reason"]).groupby(rows["case_no"], sort=False).agg("；".join).rename("reason")
    named = cases["case_no"].isin(reasons.index)
    return cases[~named], cases[named].merge(reasons, left_on="case_no", right_index=True, how="left")


def diff_frame(changes: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """All changes in one frame: the :data:`DIFF_COLUMNS` (CSV and JSON: ids and names; a close
    date where a case was closed: a closed case's ``after``, a reopened case's ``before``, a
    removed or rejected case's ``before`` unless it was ``open``; where and why a row was
    rejected: a readmitted case's ``before``, a rejected case's ``after``; a case with no officer
    under 未分配, as the task lists name it), then ``closed_on``, the close date of closed,
    reopened, removed and rejected rows and of new and readmitted cases closed already (for tables
    and xlsx: :func:`diff_shown`)."""
    new, readmitted, reopened, closed = (changes[k] for k in ("new", "readmitted", "reopened", "closed"))
    removed, rejected = changes["removed"], changes["rejected"]
    parts = {
        "new": new.assign(before=pd.NA, after=new["categories"], closed_on=new["closed_on"].where(~new["is_open"])),
        "readmitted": readmitted.assign(before=readmitted["reason"], after=readmitted["categories"],
                                        closed_on=readmitted["closed_on"].where(~readmitted["is_open"])),
        "reopened": reopened.assign(before=iso_dates(reopened["closed_on"]), after="open"),
        "closed": closed.assign(after=iso_dates(closed["closed_on"])),
        "removed": removed.assign(before=iso_dates(removed["closed_on"]).where(~removed["is_open"], "open"), after=pd.NA,
                                  closed_on=removed["closed_on"].where(~removed["is_open"])),
        "rejected": rejected.assign(before=iso_dates(rejected["closed_on"]).where(~rejected["is_open"], "open"),
                                    after=rejected["reason"], closed_on=rejected["closed_on"].where(~rejected["is_open"])),
        "newly_overdue": changes["newly_overdue"].assign(before=pd.NA, after=changes["newly_overdue"]["deadlines"]),
        "more_overdue": changes["more_overdue"].assign(before=changes["more_overdue"]["overdue_before"],
                                                       after=changes["more_overdue"]["deadlines"]),
        "reassigned": changes["reassigned"].assign(officer=changes["reassigned"]["officer_after"],
                                                   before=changes["reassigned"]["officer_before"].fillna(UNASSIGNED),
                                                   after=changes["reassigned"]["officer_after"].fillna(UNASSIGNED)),
        "category_changes": changes["category_changes"].assign(before=changes["category_changes"]["categories_before"],
                                                               after=changes["category_changes"]["categories_after"]),
    }
    columns = [*DIFF_COLUMNS, "closed_on"]
    out = pd.concat([parts[name].assign(change=name).reindex(columns=columns) for name in CHANGES], ignore_index=True)
    out = out.astype({c: "str" for c in DIFF_COLUMNS} | {"closed_on": "datetime64[ns]"})
    out["officer"] = out["officer"].fillna(UNASSIGNED)  # as the task lists and reports name them
    return out


def diff_shown(frame: pd.DataFrame, categories: Mapping[str, str], deadlines: Mapping[str, str]) -> pd.DataFrame:
    """:func:`diff_frame` as tables and xlsx show it: category and deadline ids by their labels
    (``categories``, ``deadlines``: id → label) joined with '; ', a closed case 未结 (or 新收, or
    被拒收) → 已结 and a reopened one 已结 → 未结, with the close date in ``closed_on``, a removed
    or rejected case as it was (未结 or 已结), and a blank officer as 未分配; where and why a row
    was rejected stays as it is."""
    out = frame.copy()
    change = out["change"]
    for kinds, names, sides in ((["new", "category_changes"], categories, ("before", "after")),
                                (["readmitted"], categories, ("after",)),
                                (["newly_overdue", "more_overdue"], deadlines, ("before", "after"))):
        rows = change.isin(kinds)
        for name in sides:
            out.loc[rows, name] = _labelled(out.loc[rows, name], names)
    closed = change.eq("closed")
    out.loc[closed, "before"] = out.loc[closed, "before"].map(CLOSED_TEXTS)
    out.loc[closed, "after"] = CLOSED_TEXTS["closed"]
    reopened = change.eq("reopened")
    out.loc[reopened, ["before", "after"]] = [CLOSED_TEXTS["closed"], CLOSED_TEXTS["open"]]
    gone = change.isin(["removed", "rejected"])
    out.loc[gone, "before"] = out.loc[gone, "before"].where(out.loc[gone, "before"].eq("open"), "closed").map(CLOSED_TEXTS)
    return out


def _labelled(ids: pd.Series, names: Mapping[str, str]) -> pd.Series:
    """``;``-joined ids by their labels (an unknown id as itself), joined with '; '."""
    def label(v: Any) -> Any:
        return DISPLAY_LIST_SEP.join(names.get(x, x) for x in v.split(LIST_SEP)) if isinstance(v, str) else v

    return per_distinct_cell(ids, label, by_object=False)


def open_balance(changes: Changes) -> pd.DataFrame:
    """How the open count went from one run to the next, one row of :data:`BALANCE_COLUMNS`:
    open_before + new + readmitted + reopened - closed - removed - rejected = open_after, where
    ``new`` and ``readmitted`` count those cases open now or closed since the earlier run (not one
    closed on or before it), and ``removed`` and ``rejected`` those that were open. A kind the
    runs do not tell (:meth:`Changes.known`) is blank: its cases are under ``new`` or ``removed``."""
    closed = changes["closed"]
    values = [changes.open_before,
              int(changes["new"]["is_open"].sum() + closed["before"].eq("new").sum()),
              int(changes["readmitted"]["is_open"].sum() + closed["before"].eq("rejected").sum()),
              len(changes["reopened"]), len(closed), int(changes["removed"]["is_open"].sum()),
              int(changes["rejected"]["is_open"].sum()), changes.open_after]
    row = pd.DataFrame([values], columns=BALANCE_COLUMNS).astype("Int64")
    for kind in FROM_REJECTS:
        if not changes.known(kind):
            row[kind] = pd.NA
    return row


def _balance_labels(base: dt.date, latest: dt.date, left_out: Mapping[str, int]) -> dict[str, str]:
    """The balance's headers, read left to right as the sum; ``left_out``: per kind (new,
    readmitted), the cases closed on or before ``base``, listed but not counted."""
    def plus(kind: str) -> str:
        n = left_out.get(kind, 0)
        return f"＋ {CHANGE_LABELS[kind]}" + (f"（不计截至 {base} 已结的 {n} 件）" if n else "")

    return {"open_before": f"{base} 未结", "new": plus("new"), "readmitted": plus("readmitted"),
            "reopened": "＋ 重新未结", "closed": "－ 已结", "removed": "－ 台帐中已删除（原未结）",
            "rejected": "－ 被拒收（原未结）", "open_after": f"＝ {latest} 未结"}


def diff_output(base: dt.date, latest: dt.date, changes: Changes,
                categories: Mapping[str, str], deadlines: Mapping[str, str]) -> Output:
    """The changes for the output layer: counts per kind of change (汇总), every change
    (变化明细, titled with how many cases and changes it lists), then how the open count adds up
    (未结核对, :func:`open_balance`); tables and xlsx show the three (:func:`diff_shown`), CSV and
    JSON the changes."""
    counts = pd.DataFrame({"change": list(CHANGES),
                           "cases": pd.array([len(changes[c]) if changes.known(c) else pd.NA for c in CHANGES],
                                             dtype="Int64")})
    labels = Labels(load_columns().labels(), {"change": CHANGE_LABELS})
    frame = diff_frame(changes)
    balance = open_balance(changes)
    left_out = {kind: len(changes[kind]) - int(balance[kind].fillna(0).iloc[0]) for kind in ("new", "readmitted")}
    # a case changed in two ways (新收 and 已结) is two rows: the title counts both
    title = case_count_title(f"变化（{base} → {latest}）", frame["case_no"].nunique(), len(frame), "项变化")
    sheets = [Sheet("汇总", counts, labels=labels, title=f"汇总（{base} → {latest}）"),
              Sheet("变化明细", diff_shown(frame, categories, deadlines), labels=labels, title=title),
              Sheet(BALANCE_SHEET, balance, title=f"{BALANCE_SHEET}（{base} → {latest}）",
                    labels=_balance_labels(base, latest, left_out))]
    return Output(frame, name="变化明细", title=title, labels=labels, columns=DIFF_COLUMNS, sheets=sheets,
                  tables=sheets)


def runs_output(runs: pd.DataFrame) -> Output:
    """The run list (:meth:`History.list_runs`) for the output layer: headers from the columns
    config; start and end times as text to the second in CSV, JSON and tables, date-time cells
    in xlsx."""
    labels = load_columns().labels()
    title = f"运行记录（{len(runs)} 次）"
    text = runs.assign(**{name: runs[name].dt.strftime("%Y-%m-%d %H:%M:%S").astype("str") for name in TIMESTAMPS})
    sheet = Sheet(RUNS_SHEET, runs, labels=labels, title=title)
    return Output(text, name=RUNS_SHEET, title=title, labels=labels, sheets=[sheet])


