"""The run history: schema versioning, idempotent writes, one transaction, diffs between runs."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from backlog_cli import history
from backlog_cli.errors import ConfigError

T = pd.Timestamp


def cases(rows: list[dict]) -> pd.DataFrame:
    """A case frame as the pipeline makes it: dates, officer, category lists, deadline states."""
    frame = pd.DataFrame(rows)
    for name in ("filed_on", "closed_on"):
        frame[name] = pd.to_datetime(frame[name])
    for name in ("case_no", "officer", "legal_state", "report_state"):
        frame[name] = frame[name].astype("str")
    return frame


def case(no, filed, officer, cats=(), closed=None, legal="ok", report=None):
    return {"case_no": no, "filed_on": filed, "closed_on": closed, "officer": officer,
            "categories": list(cats), "legal_state": legal, "report_state": report}


def info(day: str, **counts) -> history.RunInfo:
    d = dt.date.fromisoformat(day)
    start = dt.datetime.combine(d, dt.time(2, 0))
    return history.RunInfo(d, start, start + dt.timedelta(seconds=3), ["ledger.xlsx"], counts, "default")


DAY1 = cases([
    case("A1", "2025-01-02", "张三", ["minsheng"]),
    case("B2", "2025-01-03", "李四"),
    case("C3", "2024-01-03", "王五", ["xinfang"], legal="overdue"),
])
DAY2 = cases([
    case("A1", "2025-01-02", "张三", ["minsheng"], closed="2025-07-01", legal="met"),
    case("B2", "2025-01-03", "李四", legal="overdue", report="overdue"),
    case("C3", "2024-01-03", "赵六", ["xinfang", "dangzheng"], legal="overdue"),
    case("D4", "2025-07-01", None, legal="ok"),
])
IDS = ["legal", "report"]


@pytest.fixture
def db(tmp_path):
    (tmp_path / "h").mkdir()
    with history.open_history(tmp_path / "h" / "history.sqlite") as h:
        yield h


def test_snapshot_frame_columns():
    snap = history.snapshot_frame(DAY2, T("2025-07-02"), IDS)
    assert snap["is_open"].tolist() == [False, True, True, True]
    assert snap["categories"].tolist() == ["minsheng", "", "xinfang;dangzheng", ""]
    assert snap["overdue"].tolist() == ["", "legal;report", "legal", ""]
    assert json.loads(snap["deadline_states"][1]) == {"legal": "overdue", "report": "overdue"}
    assert json.loads(snap["deadline_states"][0]) == {"legal": "met"}


def test_snapshot_deadline_states_are_written_once_per_combination(monkeypatch):
    # a ledger's cases share a few combinations of deadline states: each is written as JSON once,
    # not once per case (a 200,000-row ledger took a second of the history step for it)
    frame = cases([case(f"A{i}", "2025-01-02", "张三", legal=("ok", "overdue", None)[i % 3],
                        report=("overdue", None)[i % 2]) for i in range(600)])
    dumps, calls = json.dumps, []
    monkeypatch.setattr(history.json, "dumps", lambda v, *a, **k: calls.append(v) or dumps(v, *a, **k))
    snap = history.snapshot_frame(frame, T("2025-07-02"), IDS)
    assert len(calls) <= 6 * 3  # six combinations, each at most three values
    assert snap["deadline_states"][:6].tolist() == [
        '{"legal":"ok","report":"overdue"}', '{"legal":"overdue"}', '{"report":"overdue"}',
        '{"legal":"ok"}', '{"legal":"overdue","report":"overdue"}', "{}"]
    assert snap["overdue"][:6].tolist() == ["report", "legal", "report", "", "legal;report", ""]
    assert snap["deadline_states"][6:12].tolist() == snap["deadline_states"][:6].tolist()


def test_case_closed_after_as_of_is_open_then():
    snap = history.snapshot_frame(DAY2, T("2025-06-30"), IDS)
    assert snap["is_open"].tolist() == [True, True, True, False]  # D4 not filed yet


def test_snapshot_rows_are_made_and_inserted_a_block_at_a_time(db, monkeypatch):
    # a 200,000-row ledger's rows made whole as Python values took 90 MB, the nightly run's peak
    monkeypatch.setattr(history, "SNAPSHOT_BLOCK", 3, raising=False)
    made, rows = [], history._snapshot_rows
    monkeypatch.setattr(history, "_snapshot_rows", lambda frame: made.append(len(frame)) or rows(frame))
    frame = cases([case(f"A{i}", "2025-01-02", "张三", ["minsheng"]) for i in range(7)])
    run = db.record(info("2025-07-01"), history.snapshot_frame(frame, T("2025-07-01"), IDS))
    assert made == [3, 3, 1]
    assert db.snapshot(run)["case_no"].tolist() == [f"A{i}" for i in range(7)]


def test_schema_version_stored_and_newer_refused(tmp_path):
    path = tmp_path / "h.sqlite"
    history.open_history(path).close()
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        assert conn.execute(sa.text("select value from meta where key='schema_version'")).scalar() == "2"
        conn.execute(sa.text("update meta set value='99' where key='schema_version'"))
    engine.dispose()
    with pytest.raises(ConfigError, match="schema version 99"):
        history.open_history(path)


def test_upgrade_runs_each_missing_step(tmp_path, monkeypatch):
    path = tmp_path / "h.sqlite"
    history.open_history(path).close()
    seen = []
    monkeypatch.setattr(history, "SCHEMA_VERSION", 4)
    monkeypatch.setattr(history, "UPGRADES", {**history.UPGRADES, 3: lambda c: seen.append(3), 4: lambda c: seen.append(4)})
    history.open_history(path).close()
    assert seen == [3, 4]
    history.open_history(path).close()
    assert seen == [3, 4]  # already at 4: nothing runs


# A history as backlog wrote it at schema version 1 (before the runs' rejected rows were kept):
# its tables as SQLAlchemy created them on SQLite, and two runs of a ledger whose 执2号 was
# rejected (立案日期 待补) at the second.
V1_TABLES = [
    """CREATE TABLE meta ("key" VARCHAR(64) NOT NULL, value TEXT NOT NULL, PRIMARY KEY ("key"))""",
    """CREATE TABLE runs (id INTEGER NOT NULL, as_of DATE NOT NULL, started_at DATETIME NOT NULL,
       finished_at DATETIME NOT NULL, ledger_files TEXT NOT NULL, counts TEXT NOT NULL, rules TEXT,
       PRIMARY KEY (id), UNIQUE (as_of))""",
    """CREATE TABLE snapshots (run_id INTEGER NOT NULL, case_no VARCHAR(100) NOT NULL, is_open BOOLEAN NOT NULL,
       filed_on DATE, closed_on DATE, officer TEXT, categories TEXT NOT NULL, primary_category TEXT,
       next_deadline TEXT, next_state TEXT, next_due DATE, overdue TEXT NOT NULL, deadline_states TEXT NOT NULL,
       PRIMARY KEY (run_id, case_no), FOREIGN KEY(run_id) REFERENCES runs (id) ON DELETE CASCADE)""",
]
V1_ROWS = [
    "INSERT INTO meta VALUES ('schema_version', '1')",
    """INSERT INTO runs VALUES (1, '2026-11-04', '2026-11-04 02:30:00.000000', '2026-11-04 02:30:01.000000',
       '["ledger.csv"]', '{"rows": 3, "cases": 3, "open": 2, "closed": 1, "rejected": 0}', 'default')""",
    """INSERT INTO runs VALUES (2, '2026-11-11', '2026-11-11 02:30:00.000000', '2026-11-11 02:30:01.000000',
       '["ledger.csv"]', '{"rows": 3, "cases": 2, "open": 1, "closed": 1, "rejected": 1}', 'default')""",
    *(f"""INSERT INTO snapshots VALUES ({run}, '(2026)鲁0902执{n}号', {int(closed is None)}, '2026-01-0{n}',
          {f"'{closed}'" if closed else 'NULL'}, '{officer}', '', NULL, NULL, NULL, NULL, '', '{{}}')"""
      for run, n, officer, closed in [(1, 1, "张三", None), (1, 2, "李四", None), (1, 3, "王五", "2026-10-28"),
                                      (2, 1, "张三", None), (2, 3, "王五", "2026-10-28")]),
]


def version_1_history(path) -> None:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        for statement in [*V1_TABLES, *V1_ROWS]:
            conn.execute(sa.text(statement))
    engine.dispose()


def schema_of(path) -> tuple[str, dict[str, list[str]]]:
    """The recorded version and every table's columns."""
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        version = conn.execute(sa.text("select value from meta where key='schema_version'")).scalar()
    inspector = sa.inspect(engine)
    tables = {t: [c["name"] for c in inspector.get_columns(t)] for t in inspector.get_table_names()}
    engine.dispose()
    return version, tables


def test_a_history_of_version_1_is_upgraded_in_place_and_its_runs_rejected_rows_are_unknown(tmp_path):
    path = tmp_path / "history.sqlite"
    version_1_history(path)
    with history.open_history(path) as h:
        runs = h.list_runs()
        assert runs["as_of"].dt.strftime("%Y-%m-%d").tolist() == ["2026-11-04", "2026-11-11"]
        assert runs[["cases", "open", "rejected"]].values.tolist() == [[3, 2, 0], [2, 1, 1]]
        assert h.snapshot(1)["case_no"].tolist() == ["(2026)鲁0902执1号", "(2026)鲁0902执2号", "(2026)鲁0902执3号"]
        # the old runs kept no list of their rejected rows: unknown, not none
        assert h.rejected(1) is None and h.rejected(2) is None
        rejected = pd.DataFrame([["ledger.csv", "ledger", 3, "(2026)鲁0902执2号", "立案日期无法识别：“待补”"]],
                                columns=["file", "sheet", "row", "case_no", "reason"])
        run = h.record(info("2026-11-18"), history.snapshot_frame(DAY1, T("2026-11-18"), IDS), rejected)
        assert h.rejected(run).values.tolist() == rejected.values.tolist()
        assert h.rejected(run)["row"].tolist() == [3]
        assert h.rejected(h.record(info("2026-11-11"), history.snapshot_frame(DAY1, T("2026-11-11"), IDS))).empty
    version, tables = schema_of(path)
    assert version == "2"
    assert tables["runs"][-1] == "rejects_recorded"
    assert tables["rejected_rows"] == ["run_id", "position", "file", "sheet", "row", "case_no", "reason"]
    with history.open_history(path) as h:  # opened again: nothing left to upgrade
        assert h.rejected(1) is None and len(h.list_runs()) == 3


def sqlite_read_only(monkeypatch) -> None:
    """Every SQLite history opened from here on opened read-only (``mode=ro``), so that a write is
    refused whoever runs the tests (root writes to a file chmod makes read-only)."""
    create_engine = sa.create_engine

    def read_only(url, **kwargs):
        url = sa.engine.make_url(url)
        if url.get_backend_name() == "sqlite" and url.database:
            url = sa.engine.URL.create("sqlite", database=Path(url.database).as_uri(),
                                       query={"mode": "ro", "uri": "true"})
        return create_engine(url, **kwargs)

    monkeypatch.setattr(sa, "create_engine", read_only)


def unchanged(path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def test_a_history_of_version_1_opened_to_be_read_is_read_as_it_is(tmp_path, monkeypatch):
    """history, diff and report monthly read an older history without upgrading it: its runs'
    rejected rows are unknown, and the file is left as it was (on a read-only file or folder, or
    a copy sent by another court, an upgrade would fail)."""
    path = tmp_path / "history.sqlite"
    version_1_history(path)
    before = schema_of(path), unchanged(path)
    sqlite_read_only(monkeypatch)
    for target in (path, f"sqlite:///{path}"):  # a path, or a URL as PostgreSQL's is given
        with history.open_history(target, read_only=True) as h:
            assert h.version == 1
            runs = h.list_runs()
            assert runs[["cases", "open", "rejected"]].values.tolist() == [[3, 2, 0], [2, 1, 1]]
            assert [d for d, _ in h.run_counts()] == [dt.date(2026, 11, 4), dt.date(2026, 11, 11)]
            assert h.rejected(1) is None and h.rejected(2) is None
            changes = h.diff(1, 2)
            assert changes["removed"]["case_no"].tolist() == ["(2026)鲁0902执2号"]
            assert not changes.known("rejected") and len(changes.notes) == 2
            with pytest.raises(RuntimeError, match="read only"):
                h.record(info("2026-11-18"), history.snapshot_frame(DAY1, T("2026-11-18"), IDS))
    assert (schema_of(path), unchanged(path)) == before
    monkeypatch.undo()
    with history.open_history(path) as h:  # the nightly run, which records, upgrades it
        assert h.version == 2 and h.rejected(1) is None
    assert schema_of(path)[0] == "2"


def test_a_database_no_run_has_written_to_reads_as_a_history_without_runs(tmp_path, monkeypatch):
    """Read before the first run (an empty SQLite file, or a PostgreSQL database whose tables the
    first run creates): no runs, and no table is created."""
    path = tmp_path / "history.sqlite"
    path.touch()
    sqlite_read_only(monkeypatch)
    with history.open_history(path, read_only=True) as h:
        assert h.version == 0
        assert h.list_runs().columns.tolist()[:7] == ["id", "as_of", "started_at", "finished_at", "seconds", "rules",
                                                       "ledger_files"]
        assert h.list_runs().empty and h.run_counts() == [] and h.run_at() is None
        with pytest.raises(ConfigError, match="the history has no runs yet"):
            history.changes_since(h)
    assert path.read_bytes() == b""
    with pytest.raises(ConfigError, match=r"^no run history at .* yet: `backlog run` records one$"):
        history.open_history(tmp_path / "missing.sqlite", read_only=True)
    path.write_bytes(b"not a database, " * 200)
    with pytest.raises(ConfigError, match=r"cannot open the database \(file is not a database\)$"):
        history.open_history(path, read_only=True)


def test_a_history_of_a_newer_version_is_refused_when_read_too(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite"
    history.open_history(path).close()
    monkeypatch.setattr(history, "SCHEMA_VERSION", 1)
    with pytest.raises(ConfigError, match="has schema version 2, newer than this backlog understands"):
        history.open_history(path, read_only=True)


def test_commands_that_only_read_an_older_history_leave_it_as_it_was(tmp_path, monkeypatch):
    """A history of version 1 on a read-only file in a read-only folder: history, diff and report
    monthly read it as it is (they said "attempt to write a readonly database", upgrading it), and
    only the next `backlog run` upgrades it."""
    from typer.testing import CliRunner

    from backlog_cli.cli import app

    runner = CliRunner()
    out = tmp_path / "out"
    out.mkdir()
    path = out / "history.sqlite"
    version_1_history(path)
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: ledger.csv\noutput_dir: out\n", encoding="utf-8")
    (tmp_path / "ledger.csv").write_text(
        "案号,立案日期,承办人,结案日期\n(2026)鲁0902执1号,2026-01-01,张三,\n(2026)鲁0902执2号,2026-01-02,李四,\n"
        "(2026)鲁0902执3号,2026-01-03,王五,2026-10-28\n", encoding="utf-8")
    past = 1_700_000_000_000_000_000
    import os

    os.utime(path, ns=(past, past))  # a write within the same clock tick would show too
    before = schema_of(path), unchanged(path)
    sqlite_read_only(monkeypatch)
    path.chmod(0o444)
    out.chmod(0o555)
    try:
        listed = runner.invoke(app, ["history", "--config", str(config), "-f", "csv"])
        assert listed.exit_code == 0, listed.output
        assert [line.split(",")[:2] for line in listed.stdout.splitlines()[1:]] == [["1", "2026-11-04"], ["2", "2026-11-11"]]
        changed = runner.invoke(app, ["diff", "--config", str(config), "-f", "csv"])
        assert changed.exit_code == 0, changed.output
        assert changed.stdout.splitlines() == ["case_no,change,officer,before,after", "(2026)鲁0902执2号,removed,李四,open,"]
        assert "the run of 2026-11-11 was recorded by an older backlog" in changed.stderr
        report = runner.invoke(app, ["report", "monthly", "--config", str(config), "--month", "2026-11",
                                     "--as-of", "2026-11-11", "-f", "json"])
        assert report.exit_code == 0, report.output
        assert json.loads(report.stdout)["trend"] == [{"as_of": "2026-11-04", "open": 2}, {"as_of": "2026-11-11", "open": 1}]
    finally:
        out.chmod(0o755)
        path.chmod(0o644)
    assert (schema_of(path), unchanged(path)) == before
    monkeypatch.undo()
    assert runner.invoke(app, ["run", "-q", "--config", str(config), "--as-of", "2026-11-18"]).exit_code in (0, 1)
    assert schema_of(path)[0] == "2"


def test_an_upgrade_stopped_midway_leaves_the_history_as_it_was(tmp_path, monkeypatch):
    """The upgrade's table changes and its version are one transaction, on SQLite too (whose
    driver commits a table change at once unless told otherwise)."""
    path = tmp_path / "history.sqlite"
    version_1_history(path)
    before = schema_of(path)

    def stopped(conn):
        history._upgrade_to_2(conn)
        raise sa.exc.OperationalError("ALTER TABLE", {}, Exception("disk I/O error"))

    monkeypatch.setattr(history, "UPGRADES", {**history.UPGRADES, 2: stopped})
    with pytest.raises(ConfigError, match=r"cannot open the database \(disk I/O error\)"):
        history.open_history(path)
    assert schema_of(path) == before
    monkeypatch.undo()
    with history.open_history(path) as h:
        assert h.rejected(2) is None and h.snapshot(2)["case_no"].tolist() == ["(2026)鲁0902执1号", "(2026)鲁0902执3号"]
    assert schema_of(path)[0] == "2"


def test_two_backlogs_opening_a_history_of_version_1_at_once_upgrade_it_once(tmp_path, monkeypatch):
    """Two nightly runs recording into one history (two offices' backlog.yaml naming one
    `history:`) starting together after backlog is upgraded: the second waits for the first's
    upgrade and finds nothing left to do, rather than run it again over the first's."""
    import threading

    path = tmp_path / "history.sqlite"
    version_1_history(path)
    entered, go, steps, failed = threading.Event(), threading.Event(), [], []

    def held(conn):
        steps.append(threading.current_thread().name)
        entered.set()
        go.wait(5)
        history._upgrade_to_2(conn)

    def open_it():
        try:
            history.open_history(path).close()
        except ConfigError as exc:
            failed.append(str(exc))

    monkeypatch.setattr(history, "UPGRADES", {**history.UPGRADES, 2: held})
    first, second = threading.Thread(target=open_it, name="first"), threading.Thread(target=open_it, name="second")
    first.start()
    assert entered.wait(5)
    second.start()
    time.sleep(0.3)  # the second reads version 1 and waits for the first's transaction
    go.set()
    first.join(10)
    second.join(10)
    assert (steps, failed) == (["first"], [])
    assert schema_of(path)[0] == "2"


def test_a_history_of_this_version_is_refused_by_an_older_backlog(tmp_path, monkeypatch):
    """An older backlog (schema version 1) refuses the history this one writes, with the message it
    has for any newer history, rather than misread it."""
    path = tmp_path / "history.sqlite"
    with history.open_history(path) as h:
        h.record(info("2026-11-04"), history.snapshot_frame(DAY1, T("2026-11-04"), IDS))
    monkeypatch.setattr(history, "SCHEMA_VERSION", 1)
    monkeypatch.setattr(history, "UPGRADES", {1: history._upgrade_to_1})
    with pytest.raises(ConfigError) as err:
        history.open_history(path)
    assert str(err.value) == (f"history {path} has schema version 2, newer than this backlog understands (1); "
                              "upgrade backlog")


def test_rerun_same_day_replaces_entry(db):
    rejected = pd.DataFrame({"file": ["a.csv", "a.csv"], "sheet": ["a", "a"], "row": [7, 9],
                             "case_no": ["E5", "暂无案号"], "reason": ["缺少立案日期", "案号无法识别"]})
    db.record(info("2025-07-01", open=3), history.snapshot_frame(DAY1, T("2025-07-01"), IDS))
    db.record(info("2025-07-02", open=3), history.snapshot_frame(DAY2, T("2025-07-02"), IDS), rejected)
    run = db.record(info("2025-07-02", open=3), history.snapshot_frame(DAY2, T("2025-07-02"), IDS), rejected[1:])
    runs = db.list_runs()
    assert runs["as_of"].dt.strftime("%Y-%m-%d").tolist() == ["2025-07-01", "2025-07-02"]
    assert runs["open"].tolist() == [3, 3]
    assert runs["seconds"].tolist() == [3.0, 3.0]
    assert db.rejected(run)["case_no"].tolist() == ["暂无案号"]
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from snapshots")).scalar() == 3 + 4
        assert conn.execute(sa.text("select count(*) from rejected_rows")).scalar() == 1


def test_failed_write_leaves_history_as_it_was(db):
    db.record(info("2025-07-01", open=3), history.snapshot_frame(DAY1, T("2025-07-01"), IDS))
    bad = history.snapshot_frame(DAY2, T("2025-07-01"), IDS)
    bad.loc[1, "case_no"] = "A1"  # duplicate primary key: the insert fails midway
    with pytest.raises(sa.exc.IntegrityError):
        db.record(info("2025-07-01", open=99), bad)
    runs = db.list_runs()
    assert runs["open"].tolist() == [3]
    assert db.snapshot(int(runs["id"][0]))["case_no"].tolist() == ["A1", "B2", "C3"]


def test_snapshot_round_trip(db):
    run = db.record(info("2025-07-02"), history.snapshot_frame(DAY2, T("2025-07-02"), IDS))
    snap = db.snapshot(run)
    assert snap["closed_on"].dt.strftime("%Y-%m-%d").tolist()[0] == "2025-07-01"
    assert snap["closed_on"].isna().tolist() == [False, True, True, True]
    assert snap["officer"].isna().tolist() == [False, False, False, True]


def test_run_at(db):
    r1 = db.record(info("2025-07-01"), history.snapshot_frame(DAY1, T("2025-07-01"), IDS))
    r2 = db.record(info("2025-07-05"), history.snapshot_frame(DAY2, T("2025-07-05"), IDS))
    assert db.run_at() == r2
    assert db.run_at(dt.date(2025, 7, 4)) == r1
    assert db.run_at(dt.date(2025, 6, 30)) is None
    assert db.run_at(before=r2) == r1
    assert db.run_at(before=r1) is None


def test_diff_exact_rows(db):
    r1 = db.record(info("2025-07-01"), history.snapshot_frame(DAY1, T("2025-06-30"), IDS))
    r2 = db.record(info("2025-07-02"), history.snapshot_frame(DAY2, T("2025-07-02"), IDS))
    d = db.diff(r1, r2)
    assert d["new"]["case_no"].tolist() == ["D4"]
    assert d["closed"]["case_no"].tolist() == ["A1"]
    assert d["closed"]["closed_on"].dt.strftime("%Y-%m-%d").tolist() == ["2025-07-01"]
    # B2 became overdue on two deadlines; C3 was overdue already.
    assert d["newly_overdue"][["case_no", "officer", "deadlines"]].values.tolist() == [["B2", "李四", "legal;report"]]
    assert d["reassigned"].values.tolist() == [["C3", "王五", "赵六"]]
    cat = d["category_changes"]
    assert cat[["case_no", "categories_before", "categories_after", "added"]].values.tolist() == [
        ["C3", "xinfang", "xinfang;dangzheng", "dangzheng"]]
    assert cat["removed"].isna().tolist() == [True]
    flat = history.diff_frame(d)
    assert flat[["change", "case_no", "before", "after"]].fillna("").values.tolist() == [
        ["new", "D4", "", ""],
        ["closed", "A1", "open", "2025-07-01"],
        ["newly_overdue", "B2", "", "legal;report"],
        ["reassigned", "C3", "王五", "赵六"],
        ["category_changes", "C3", "xinfang", "xinfang;dangzheng"],
    ]


def test_an_overdue_case_past_a_deadline_more_is_not_newly_overdue_and_closed_cases_leave_no_category_change():
    """C3, overdue on legal already, passes report too: 新增超期项, with legal as before, not 新超期
    (the number of overdue cases did not grow); B2, overdue on nothing before, is 新超期. A1 closes
    and loses over_one_year, which needs an open case: it is 已结, not a 类别变化; B2, open at both,
    gains over_one_year: a 类别变化."""
    a = history.snapshot_frame(cases([
        case("A1", "2024-01-02", "张三", ["minsheng", "over_one_year"], legal="overdue"),
        case("B2", "2024-07-03", "李四", ["minsheng"], legal="ok"),
        case("C3", "2024-01-03", "王五", legal="overdue"),
    ]), T("2025-07-01"), IDS)
    b = history.snapshot_frame(cases([
        case("A1", "2024-01-02", "张三", ["minsheng"], closed="2025-07-02", legal="met"),
        case("B2", "2024-07-03", "李四", ["minsheng", "over_one_year"], legal="overdue"),
        case("C3", "2024-01-03", "王五", legal="overdue", report="overdue"),
    ]), T("2025-07-05"), IDS)
    d = history.diff_snapshots(a, b, T("2025-07-01"))
    assert d["newly_overdue"][["case_no", "deadlines"]].values.tolist() == [["B2", "legal"]]
    assert d["more_overdue"][["case_no", "deadlines", "overdue_before"]].values.tolist() == [["C3", "report", "legal"]]
    assert d["category_changes"][["case_no", "added"]].values.tolist() == [["B2", "over_one_year"]]
    flat = history.diff_frame(d)
    assert flat[["change", "case_no", "before", "after"]].fillna("").values.tolist() == [
        ["closed", "A1", "open", "2025-07-02"],
        ["newly_overdue", "B2", "", "legal"],
        ["more_overdue", "C3", "legal", "report"],
        ["category_changes", "B2", "minsheng", "minsheng;over_one_year"],
    ]
    shown = history.diff_shown(flat, CATEGORY_NAMES, DEADLINE_NAMES)
    assert shown.loc[shown["change"].str.endswith("overdue"), ["before", "after"]].fillna("").values.tolist() == [
        ["", "法定执行期限"], ["法定执行期限", "报告期限"]]
    counts = history.diff_output(dt.date(2025, 7, 1), dt.date(2025, 7, 5), d, CATEGORY_NAMES, DEADLINE_NAMES).sheets[0].frame
    assert dict(zip(counts["change"], counts["cases"]))["more_overdue"] == 1


def test_bad_url_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="history"):
        history.open_history("nosuchdialect://x/y")


def test_corrupted_history_file_is_a_located_error(tmp_path):
    path = tmp_path / "history.sqlite"
    path.write_bytes(b"not a database, " * 200)
    with pytest.raises(ConfigError, match=rf"^history {re.escape(str(path))}: cannot open the database \(file is not a database\)$"):
        history.open_history(path)


def test_history_named_as_a_folder_says_so(tmp_path):
    with pytest.raises(ConfigError) as err:
        history.open_history(tmp_path)
    assert str(err.value) == (f"history {tmp_path}: is a folder; name the history file in it, such as "
                              f"{tmp_path / 'history.sqlite'}")


def test_history_in_a_missing_folder_is_not_created(tmp_path):
    path = tmp_path / "nowhere" / "history.sqlite"
    with pytest.raises(ConfigError, match="the folder .*nowhere does not exist"):
        history.open_history(path)
    assert list(tmp_path.iterdir()) == []


def test_a_database_urls_password_is_never_shown(tmp_path, monkeypatch):
    """A history URL with a password in it (postgresql+pg8000://backlog:PASSWORD@dbhost/backlog)
    is named with the password hidden, as the run's log names it; also when it is no URL SQLAlchemy
    reads (a port that is no number)."""
    monkeypatch.setitem(sys.modules, "pg8000", None)  # the driver is not installed
    with pytest.raises(ConfigError) as err:
        history.open_history("postgresql+pg8000://backlog:topsecret@dbhost/backlog")
    assert str(err.value) == ("history postgresql+pg8000://backlog:***@dbhost/backlog: the database driver is not "
                              "installed (pg8000)")
    assert history.shown_target("postgresql+psycopg://backlog:topsecret@dbhost:port/backlog") == (
        "postgresql+psycopg://backlog:***@dbhost:port/backlog")
    assert history.shown_target(tmp_path / "history.sqlite") == str(tmp_path / "history.sqlite")


def test_a_database_url_whose_port_is_no_number_is_refused_in_one_line(tmp_path):
    from typer.testing import CliRunner

    from backlog_cli.cli import app

    config = tmp_path / "backlog.yaml"
    config.write_text("history: postgresql+psycopg://backlog:topsecret@dbhost:54x/backlog\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["history", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert result.stderr == (f"backlog: error: {config}:1: history postgresql+psycopg://backlog:***@dbhost:54x/backlog: "
                             "not a database URL or path (its port is not a number)\n")



def corrupt_a_page(path: Path) -> None:
    """Overwrite the page of the index of the runs' days with bytes SQLite cannot read."""
    with sqlite3.connect(path) as conn:
        root = conn.execute("select rootpage from sqlite_master where name = 'sqlite_autoindex_runs_1'").fetchone()[0]
        size = conn.execute("pragma page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    data[(root - 1) * size + 8:root * size] = b"U" * (size - 8)
    path.write_bytes(bytes(data))


# What a damaged history holds (SQL run on a copy, or a function of its path), the commands that read
# what is damaged, and what they say.
HISTORY, DIFF, REPORT = ["history"], ["diff"], ["report", "monthly", "--as-of", "2025-07-31"]
READ = "cannot read the history: it holds a value backlog does not write"
DAMAGES = {
    "a table dropped": ("drop table snapshots", [DIFF], "cannot read the history (no such table: snapshots)"),
    "a column renamed": ("alter table runs rename column as_of to day", [HISTORY, DIFF, REPORT],
                         "cannot read the history (no such column: runs.as_of)"),
    "a page overwritten": (corrupt_a_page, [HISTORY, DIFF, REPORT],
                           "cannot read the history (database disk image is malformed)"),
    "text in a date": ("update runs set as_of = 'yesterday' where id = 1", [HISTORY, DIFF, REPORT],
                       f"{READ} (Invalid isoformat string: 'yesterday'); it is damaged or was edited"),
    "a number for a date": ("update snapshots set filed_on = 20250102 where run_id = 2", [DIFF], READ),
    "a date pandas cannot hold": ("update runs set as_of = '0001-01-01' where id = 1", [DIFF, REPORT], READ),
    "counts that are no JSON": ("update runs set counts = '{broken' where id = 1", [HISTORY, REPORT],
                                f"{READ} (Expecting property name"),
    "counts that are a list": ("update runs set counts = '[1, 2]' where id = 1", [HISTORY, REPORT],
                               f"{READ} (a run's counts are '[1, 2]'); it is damaged or was edited"),
    "a row number in words": ("update rejected_rows set \"row\" = 'x'", [DIFF], READ),
    "a version in words": ("update meta set value = 'two'", [HISTORY, DIFF, REPORT],
                           "has schema version 'two', which no backlog writes; it is damaged or was edited"),
    "a negative version": ("update meta set value = '-1'", [HISTORY, DIFF, REPORT],
                           "has schema version '-1', which no backlog writes; it is damaged or was edited"),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_history_is_one_line_naming_it_and_the_setting(tmp_path, monkeypatch, damage):
    """A history damaged, or edited by hand, stops the commands that read what is damaged with one
    line naming the file after the backlog.yaml line that names it (exit 2); the others read it.
    They said a table or column missing by the database's URL, without the line; a page SQLite
    cannot read, a value it never writes or a version in words was an internal error (exit 70)."""
    from typer.testing import CliRunner

    from backlog_cli.cli import app

    monkeypatch.chdir(tmp_path)
    path = tmp_path / "h.db"
    rejected = pd.DataFrame({"file": ["a.csv"], "sheet": ["a"], "row": [7], "case_no": ["E5"], "reason": ["缺少立案日期"]})
    with history.open_history(path) as h:
        h.record(info("2025-07-01", open=3), history.snapshot_frame(DAY1, T("2025-07-01"), IDS))
        h.record(info("2025-07-02", open=3), history.snapshot_frame(DAY2, T("2025-07-02"), IDS), rejected)
    how, readers, said = DAMAGES[damage]
    if callable(how):
        how(path)
    else:
        with sqlite3.connect(path) as conn:
            conn.executescript(how)
    (tmp_path / "ledger.csv").write_text("案号,立案日期\n(2025)鲁0902执1号,2025-01-02\n", encoding="utf-8")
    (tmp_path / "backlog.yaml").write_text("ledger: ledger.csv\nhistory: h.db\n", encoding="utf-8")
    for command in (HISTORY, DIFF, REPORT):
        result = CliRunner().invoke(app, command)
        if command not in readers:
            assert result.exit_code == 0, (command, result.output)
            continue
        assert result.exit_code == 2, (command, result.output)
        message = result.stderr.splitlines()[-1]
        assert message.startswith(f"backlog: error: backlog.yaml:2: history {path}"), (command, message)
        assert said in message, (command, message)

# A case filed and closed between the runs (E5, closed the day after the earlier run), and one
# typed into the ledger late (F6, closed on the earlier run's day: closed before it, not since).
RECEIVED = pd.concat([DAY2, cases([
    case("E5", "2025-07-01", "李四", ["minsheng", "key"], closed="2025-07-02", legal="met"),
    case("F6", "2025-01-02", "张三", closed="2025-07-01", legal="met"),
])], ignore_index=True)
CATEGORY_NAMES = {"minsheng": "涉民生", "xinfang": "涉信访", "dangzheng": "涉党政机关", "key": "重点案件"}
DEADLINE_NAMES = {"legal": "法定执行期限", "report": "报告期限"}


def received_diff(db) -> dict[str, pd.DataFrame]:
    r1 = db.record(info("2025-07-01"), history.snapshot_frame(DAY1, T("2025-07-01"), IDS))
    r2 = db.record(info("2025-07-02"), history.snapshot_frame(RECEIVED, T("2025-07-02"), IDS))
    return db.diff(r1, r2)


def test_case_received_and_closed_between_runs_counts_as_closed(db):
    d = received_diff(db)
    assert d["new"]["case_no"].tolist() == ["D4", "E5", "F6"]
    assert d["closed"][["case_no", "before"]].values.tolist() == [["A1", "open"], ["E5", "new"]]
    flat = history.diff_frame(d)
    assert flat.columns.tolist() == ["case_no", "change", "officer", "before", "after", "closed_on"]
    rows = flat[flat["case_no"].isin(["E5", "F6"])]
    assert rows[["change", "case_no", "before", "after"]].fillna("").values.tolist() == [
        ["new", "E5", "", "minsheng;key"],
        ["new", "F6", "", ""],
        ["closed", "E5", "new", "2025-07-02"],
    ]
    # the new rows carry the close date too (F6 closed before the earlier run, still closed)
    assert rows["closed_on"].dt.strftime("%Y-%m-%d").tolist() == ["2025-07-02", "2025-07-01", "2025-07-02"]
    assert flat.loc[flat["case_no"].eq("D4"), "closed_on"].isna().all()


def test_diff_shown_in_words():
    a = history.snapshot_frame(DAY1, T("2025-07-01"), IDS)
    b = history.snapshot_frame(RECEIVED, T("2025-07-02"), IDS)
    b.loc[b["case_no"].eq("C3"), "officer"] = pd.NA  # C3 left without an officer
    flat = history.diff_frame(history.diff_snapshots(a, b, T("2025-07-01")))
    # CSV and JSON name a case without an officer 未分配, as the task lists and reports do
    assert flat.loc[flat["case_no"].isin(["C3", "D4"]), ["change", "officer", "before", "after"]].fillna("").values.tolist() == [
        ["new", "未分配", "", ""], ["reassigned", "未分配", "王五", "未分配"], ["category_changes", "未分配", "xinfang",
                                                                             "xinfang;dangzheng"]]
    shown = history.diff_shown(flat, CATEGORY_NAMES, DEADLINE_NAMES)
    assert shown[["change", "case_no", "officer", "before", "after"]].fillna("").values.tolist() == [
        ["new", "D4", "未分配", "", ""],
        ["new", "E5", "李四", "", "涉民生; 重点案件"],
        ["new", "F6", "张三", "", ""],
        ["closed", "A1", "张三", "未结", "已结"],
        ["closed", "E5", "李四", "新收", "已结"],
        ["newly_overdue", "B2", "李四", "", "法定执行期限; 报告期限"],
        ["reassigned", "C3", "未分配", "王五", "未分配"],
        ["category_changes", "C3", "未分配", "涉信访", "涉信访; 涉党政机关"],
    ]
    assert shown["closed_on"].dt.strftime("%Y-%m-%d").fillna("").tolist() == [
        "", "2025-07-02", "2025-07-01", "2025-07-01", "2025-07-02", "", "", ""]


def test_diff_output_sheets_and_files(db, tmp_path):
    from backlog_cli.outputs import write_output

    result = history.diff_output(dt.date(2025, 7, 1), dt.date(2025, 7, 2), received_diff(db),
                                 CATEGORY_NAMES, DEADLINE_NAMES)
    write_output(result, None, tmp_path / "d.xlsx")
    sheets = pd.read_excel(tmp_path / "d.xlsx", sheet_name=None, header=1, engine="openpyxl")
    assert list(sheets) == ["汇总", "变化明细", "未结核对"]
    assert sheets["汇总"].values.tolist() == [["新收", 3], ["拒收后重新读入", 0], ["重新未结", 0], ["已结", 2],
                                            ["台帐中已删除", 0], ["被拒收", 0], ["新超期", 1], ["新增超期项", 0],
                                            ["改派承办人", 1], ["类别变化", 1]]
    detail = sheets["变化明细"]
    assert detail.columns.tolist() == ["案号", "变化", "承办人", "变化前", "变化后", "结案日期"]
    # its title counts the cases and, as E5 is 新收 and 已结 and C3 改派承办人 and 类别变化, its rows: the 汇总's 8
    title = pd.read_excel(tmp_path / "d.xlsx", sheet_name="变化明细", header=None, nrows=1, engine="openpyxl").iat[0, 0]
    assert title == "变化（2025-07-01 → 2025-07-02）：6 件，8 项变化" and len(detail) == 8
    closed = detail[detail["变化"].eq("已结")]
    assert closed["结案日期"].tolist() == [T("2025-07-01"), T("2025-07-02")]  # date cells, not text
    # open on 07-01: A1 B2 C3; on 07-02: B2 C3 D4. New D4 (open) and E5 (closed 07-02) count; F6,
    # closed on 07-01 already, does not. 3 + 2 + 0 - 2 (A1, E5) - 0 = 3.
    balance = sheets["未结核对"]
    assert balance.columns.tolist() == ["2025-07-01 未结", "＋ 新收（不计截至 2025-07-01 已结的 1 件）", "＋ 拒收后重新读入",
                                        "＋ 重新未结", "－ 已结", "－ 台帐中已删除（原未结）", "－ 被拒收（原未结）",
                                        "＝ 2025-07-02 未结"]
    assert balance.values.tolist() == [[3, 2, 0, 0, 2, 0, 0, 3]]
    write_output(result, None, tmp_path / "d.csv")
    lines = (tmp_path / "d.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "case_no,change,officer,before,after"
    assert lines[4:6] == ["A1,closed,张三,open,2025-07-01", "E5,closed,李四,new,2025-07-02"]


# Run a (as of 2025-07-01) and run b (as of 2025-07-08). G7 was closed at a and is open at b (its
# close date taken out of the ledger); H8 (open) and J9 (closed) are gone from the ledger at b.
# K10 is filed after a's day, yet stored in a's snapshot, as runs did before such cases were left
# out: it is new at b, not reopened. L11 is received and closed between the runs; M12 is typed
# into the ledger late, closed before a.
BEFORE = cases([
    case("A1", "2025-01-02", "张三"),
    case("B2", "2025-01-03", "李四"),
    case("G7", "2025-01-04", "王五", closed="2025-06-20", legal="met"),
    case("H8", "2025-02-01", "赵六"),
    case("J9", "2025-02-02", "张三", closed="2025-06-01", legal="met"),
    case("K10", "2025-07-05", "钱七"),
])
AFTER = cases([
    case("A1", "2025-01-02", "张三", closed="2025-07-03", legal="met"),
    case("B2", "2025-01-03", "李四"),
    case("G7", "2025-01-04", "王五"),
    case("K10", "2025-07-05", "钱七"),
    case("L11", "2025-07-02", "孙八", closed="2025-07-06", legal="met"),
    case("M12", "2025-03-01", "周九", closed="2025-06-15", legal="met"),
])


def reopened_diff(db) -> history.Changes:
    r1 = db.record(info("2025-07-01"), history.snapshot_frame(BEFORE, T("2025-07-01"), IDS))
    r2 = db.record(info("2025-07-08"), history.snapshot_frame(AFTER, T("2025-07-08"), IDS))
    return db.diff(r1, r2)


def test_snapshot_leaves_out_cases_filed_after_the_run(db):
    run = db.record(info("2025-07-01"), history.snapshot_frame(BEFORE, T("2025-07-01"), IDS))
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from snapshots")).scalar() == 6  # K10 stored
    assert db.snapshot(run)["case_no"].tolist() == ["A1", "B2", "G7", "H8", "J9"]


def test_reopened_and_removed_cases(db):
    d = reopened_diff(db)
    assert d["new"]["case_no"].tolist() == ["K10", "L11", "M12"]
    assert d["reopened"][["case_no", "officer"]].values.tolist() == [["G7", "王五"]]
    assert d["reopened"]["closed_on"].tolist() == [T("2025-06-20")]
    assert d["closed"][["case_no", "before"]].values.tolist() == [["A1", "open"], ["L11", "new"]]
    assert d["removed"][["case_no", "officer", "is_open"]].values.tolist() == [["H8", "赵六", True], ["J9", "张三", False]]
    assert (d.open_before, d.open_after) == (3, 3)  # A1 B2 H8, then B2 G7 K10
    flat = history.diff_frame(d)
    assert flat[["change", "case_no", "officer", "before", "after"]].fillna("").values.tolist() == [
        ["new", "K10", "钱七", "", ""],
        ["new", "L11", "孙八", "", ""],
        ["new", "M12", "周九", "", ""],
        ["reopened", "G7", "王五", "2025-06-20", "open"],
        ["closed", "A1", "张三", "open", "2025-07-03"],
        ["closed", "L11", "孙八", "new", "2025-07-06"],
        ["removed", "H8", "赵六", "open", ""],
        ["removed", "J9", "张三", "2025-06-01", ""],
    ]
    shown = history.diff_shown(flat, CATEGORY_NAMES, DEADLINE_NAMES)
    rows = shown[shown["change"].isin(["reopened", "removed"])]
    assert rows[["case_no", "before", "after"]].fillna("").values.tolist() == [
        ["G7", "已结", "未结"], ["H8", "未结", ""], ["J9", "已结", ""]]
    assert rows["closed_on"].dt.strftime("%Y-%m-%d").fillna("").tolist() == ["2025-06-20", "", "2025-06-01"]


def test_open_count_balance(db):
    # 3 open at a + 2 new counted (K10 open, L11 closed since; not M12, closed before a) + 1
    # reopened (G7) - 2 closed (A1, L11) - 1 removed while open (H8; not J9) = 3 open at b
    assert history.open_balance(reopened_diff(db)).values.tolist() == [[3, 2, 0, 1, 2, 1, 0, 3]]


def test_diff_command_shows_reopened_removed_and_the_balance(tmp_path):
    from typer.testing import CliRunner

    from backlog_cli.cli import app

    runner = CliRunner()
    header = "案号,立案日期,承办人,结案日期,案件状态\n"
    rows = {1: "(2026)鲁0902执1号,2026-01-05,张三,,在办\n", 2: "(2026)鲁0902执2号,2026-01-10,张三,,在办\n",
            3: "(2026)鲁0902执3号,2026-02-01,李四,2026-10-28,已结\n", 17: "(2026)鲁0902执17号,2026-01-06,赵六,,在办\n"}
    ledger, config = tmp_path / "ledger.csv", tmp_path / "backlog.yaml"
    config.write_text("ledger: ledger.csv\noutput_dir: out\n", encoding="utf-8")
    ledger.write_text(header + "".join(rows.values()), encoding="utf-8")
    assert runner.invoke(app, ["run", "-q", "--config", str(config), "--as-of", "2026-11-04"]).exit_code in (0, 1)
    rows[2] = rows[2].replace(",,在办", ",2026-11-06,已结")
    rows[3] = rows[3].replace(",2026-10-28,已结", ",,在办")
    del rows[17]
    rows[20] = "(2026)鲁0902执20号,2026-11-09,钱七,,在办\n"
    ledger.write_text(header + "".join(rows.values()), encoding="utf-8")
    assert runner.invoke(app, ["run", "-q", "--config", str(config), "--as-of", "2026-11-11"]).exit_code in (0, 1)
    csv = runner.invoke(app, ["diff", "--config", str(config), "-f", "csv"]).output.splitlines()
    assert csv[:5] == [
        "case_no,change,officer,before,after",
        "(2026)鲁0902执20号,new,钱七,,",
        "(2026)鲁0902执3号,reopened,李四,2026-10-28,open",
        "(2026)鲁0902执2号,closed,张三,open,2026-11-06",
        "(2026)鲁0902执17号,removed,赵六,open,",
    ]
    table = runner.invoke(app, ["diff", "--config", str(config)]).output
    assert re.search(r"│ \(2026\)鲁0902执3号 +│ 重新未结 +│ 李四 +│ 已结 +│ 未结 +│ +2026-10-28 │", table)
    assert re.search(r"│ \(2026\)鲁0902执17号 +│ 台帐中已删除 +│ 赵六 +│ 未结 +│ +│ +│", table)
    # open on 11-04: 执1号 执2号 执17号; on 11-11: 执1号 执3号 执20号, as the history counts them
    assert "未结核对（2026-11-04 → 2026-11-11）" in table
    assert re.search(r"│ +3 │ +1 │ +0 │ +1 │ +1 │ +1 │ +0 │ +3 │", table)
    runs = json.loads(runner.invoke(app, ["history", "--config", str(config), "-f", "json"]).output)
    assert [r["open"] for r in runs] == [3, 3]


def test_runs_output(db, tmp_path):
    import openpyxl

    from backlog_cli.outputs import write_output

    db.record(info("2025-07-01", cases=3, open=2, rejected=1), history.snapshot_frame(DAY1, T("2025-07-01"), IDS))
    result = history.runs_output(db.list_runs())
    write_output(result, None, tmp_path / "h.csv")
    assert (tmp_path / "h.csv").read_text(encoding="utf-8-sig").splitlines() == [  # counts not recorded are blank
        "id,as_of,started_at,finished_at,seconds,rules,ledger_files,rows,cases,open,closed,rejected,skipped,"
        "unreadable_values,overdue,open_over_6_months",
        "1,2025-07-01,2025-07-01 02:00:00,2025-07-01 02:00:03,3.0,default,ledger.xlsx,,3,2,,1,,,,",
    ]
    write_output(result, None, tmp_path / "h.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "h.xlsx")["运行记录"]
    assert ws["A1"].value == "运行记录（1 次）"
    assert [c.value for c in ws[2]][:10] == ["运行编号", "截至日期", "开始时间", "结束时间", "用时（秒）", "规则", "台帐文件",
                                             "读取行数", "案件数", "未结"]
    assert ws["C3"].value == dt.datetime(2025, 7, 1, 2, 0) and ws["C3"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert ws["D3"].value == dt.datetime(2025, 7, 1, 2, 0, 3)
    assert ws.column_dimensions["C"].width > 19  # wide enough to show the time, not ####


def test_history_with_no_runs_listed_has_the_header_of_a_full_list(tmp_path):
    from typer.testing import CliRunner

    from backlog_cli.cli import app

    runner = CliRunner()
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: ledger.csv\noutput_dir: out\n", encoding="utf-8")
    (tmp_path / "ledger.csv").write_text("案号,立案日期,承办人\n(2026)鲁0902执1号,2026-01-05,张三\n", encoding="utf-8")
    assert runner.invoke(app, ["run", "-q", "--config", str(config), "--as-of", "2026-11-04"]).exit_code in (0, 1)
    for name, as_of in (("full.csv", "2026-11-04"), ("empty.csv", "2026-11-03")):
        result = runner.invoke(app, ["history", "--config", str(config), "--as-of", as_of, "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    full, empty = ((tmp_path / name).read_text(encoding="utf-8-sig").splitlines() for name in ("full.csv", "empty.csv"))
    assert len(full) == 2 and empty == full[:1]
    assert full[0] == "id,as_of,started_at,finished_at,seconds,rules,ledger_files," + ",".join(history.RUN_COUNTS)
    on_screen = runner.invoke(app, ["history", "--config", str(config), "--as-of", "2026-11-03", "-f", "csv"]).output
    assert on_screen.splitlines() == full[:1]


def test_diff_takes_a_case_number_written_another_way_for_the_same_case(tmp_path):
    """(2015)泰执字第00009号 retyped as (2015)泰执字第9号 (and 执024号 as 执24号) between two runs is
    the same case, as the ledger's duplicate check counts it: not 台帐中已删除 and 新收, but its real
    changes (李四 took it over), shown as the later run writes it."""
    from typer.testing import CliRunner

    from backlog_cli.cli import app

    runner = CliRunner()
    header = "案号,立案日期,承办人,结案日期\n"
    ledger, config = tmp_path / "ledger.csv", tmp_path / "backlog.yaml"
    config.write_text("ledger: ledger.csv\noutput_dir: out\n", encoding="utf-8")
    ledger.write_text(header + "(2015)泰执字第00009号,2015-03-02,张三,\n(2026)鲁0902执024号,2026-01-05,王五,\n",
                      encoding="utf-8")
    assert runner.invoke(app, ["run", "-q", "--config", str(config), "--as-of", "2026-11-04"]).exit_code in (0, 1)
    ledger.write_text(header + "(2015)泰执字第9号,2015-03-02,李四,\n(2026)鲁0902执24号,2026-01-05,王五,\n",
                      encoding="utf-8")
    assert runner.invoke(app, ["run", "-q", "--config", str(config), "--as-of", "2026-11-11"]).exit_code in (0, 1)
    csv = runner.invoke(app, ["diff", "--config", str(config), "-f", "csv"]).output.splitlines()
    assert csv == ["case_no,change,officer,before,after", "(2015)泰执字第9号,reassigned,李四,张三,李四"]
    table = runner.invoke(app, ["diff", "--config", str(config)]).output
    assert re.search(r"│ +2 │ +0 │ +0 │ +0 │ +0 │ +0 │ +0 │ +2 │", table)


def no(i: int) -> str:
    return f"(2025)鲁0902执{i}号"


def rejected_rows(*rows: tuple) -> pd.DataFrame:
    """Rejected rows as the load lists them: (case number as read, row, reason) in ledger.csv."""
    return pd.DataFrame([("ledger.csv", "ledger", row, case_no, reason) for case_no, row, reason in rows],
                        columns=["file", "sheet", "row", "case_no", "reason"])


# Run a (2025-07-01) and run b (2025-07-08), with the rows each rejected. 执2号 (open) and 执3号
# (closed) are in a and rejected at b (执3号 twice: a copy of a row filed in 2062); 执4号 is in a
# and gone from b with no row rejected: removed. 执5号 stays, a copy of its row rejected at b; a
# row of no readable number (暂无案号) names no case. 执7号-执10号 were rejected at a and are back
# at b: 执7号 overdue since before a, 执10号 overdue since after it, 执8号 closed between the runs,
# 执9号 closed before a. 执11号 is new.
REJECT_A = cases([
    case(no(1), "2024-01-02", "张三", legal="overdue"),
    case(no(2), "2025-01-03", "李四"),
    case(no(3), "2025-01-04", "王五", closed="2025-06-01", legal="met"),
    case(no(4), "2025-01-05", "赵六"),
    case(no(5), "2025-01-06", "钱七"),
    case(no(6), "2025-01-07", "孙八"),
])
REJECT_B = cases([
    case(no(1), "2024-01-02", "张三", legal="overdue"),
    case(no(5), "2025-01-06", "钱七"),
    case(no(6), "2025-01-07", "孙八"),
    case(no(7), "2024-01-08", "周九", ["minsheng"], legal="overdue"),
    case(no(8), "2025-01-09", "吴十", closed="2025-07-05", legal="met"),
    case(no(9), "2025-01-10", "郑一", closed="2025-06-20", legal="met"),
    case(no(10), "2025-01-01", "王二", legal="overdue"),
    case(no(11), "2025-07-02", "冯三"),
]).assign(next_due=pd.to_datetime([None, None, None, "2024-07-08", None, None, "2025-07-02", None]))
ROWS_A = rejected_rows((no(7), 9, "缺少立案日期"), (no(8), 10, "立案日期无法识别：“待补”"),
                       ("(2025)鲁0902执009号", 11, "立案日期无法识别：“待补”"), (no(10), 12, "缺少立案日期"))
ROWS_B = rejected_rows(("(2025)鲁0902执02号", 3, "立案日期无法识别：“待补”"),
                       (no(3), 4, "立案日期晚于今天：“2062-06-01”（是否录入有误？）"),
                       (no(3), 5, "案号重复：与 第4行 重复"), (no(5), 7, "案号重复：与 第6行 重复"),
                       ("暂无案号", 8, "案号无法识别"))


def rejects_diff(recorded: bool = True) -> history.Changes:
    a = history.snapshot_frame(REJECT_A, T("2025-07-01"), IDS)
    b = history.snapshot_frame(REJECT_B, T("2025-07-08"), IDS)
    return history.diff_snapshots(a, b, T("2025-07-01"), ROWS_A if recorded else None, ROWS_B if recorded else None)


def test_a_case_whose_row_is_rejected_is_not_removed_nor_new_when_it_is_back():
    """A case of the earlier run whose row the later run rejected is 被拒收, with where and why,
    not 台帐中已删除; a case whose row the earlier run rejected is 拒收后重新读入, not 新收: it never
    left the ledger. The reason names the row as the errors file does; a case is found however its
    number is written in the rejected row (执02号, 执009号)."""
    d = rejects_diff()
    assert d["removed"]["case_no"].tolist() == [no(4)]
    assert d["rejected"][["case_no", "officer", "is_open", "reason"]].values.tolist() == [
        [no(2), "李四", True, "ledger.csv [ledger] 第 3 行：立案日期无法识别：“待补”"],
        [no(3), "王五", False, "ledger.csv [ledger] 第 4 行：立案日期晚于今天：“2062-06-01”（是否录入有误？）；"
                                "ledger.csv [ledger] 第 5 行：案号重复：与 第4行 重复"]]
    assert d["new"]["case_no"].tolist() == [no(11)]
    assert d["readmitted"][["case_no", "officer", "reason"]].values.tolist() == [
        [no(10), "王二", "ledger.csv [ledger] 第 12 行：缺少立案日期"],
        [no(7), "周九", "ledger.csv [ledger] 第 9 行：缺少立案日期"],
        [no(8), "吴十", "ledger.csv [ledger] 第 10 行：立案日期无法识别：“待补”"],
        [no(9), "郑一", "ledger.csv [ledger] 第 11 行：立案日期无法识别：“待补”"]]
    # closed between the runs, back from a rejected row: counted as closed since, as a new case is
    assert d["closed"][["case_no", "before"]].values.tolist() == [[no(8), "rejected"]]
    # 执7号 was overdue on a's day already (due 2024-07-08), while its row was rejected; 执10号 not yet
    assert d["newly_overdue"]["case_no"].tolist() == [no(10)]
    flat = history.diff_frame(d)
    assert flat[["change", "case_no", "before", "after"]].fillna("").values.tolist() == [
        ["new", no(11), "", ""],
        ["readmitted", no(10), "ledger.csv [ledger] 第 12 行：缺少立案日期", ""],
        ["readmitted", no(7), "ledger.csv [ledger] 第 9 行：缺少立案日期", "minsheng"],
        ["readmitted", no(8), "ledger.csv [ledger] 第 10 行：立案日期无法识别：“待补”", ""],
        ["readmitted", no(9), "ledger.csv [ledger] 第 11 行：立案日期无法识别：“待补”", ""],
        ["closed", no(8), "rejected", "2025-07-05"],
        ["removed", no(4), "open", ""],
        ["rejected", no(2), "open", "ledger.csv [ledger] 第 3 行：立案日期无法识别：“待补”"],
        ["rejected", no(3), "2025-06-01", d["rejected"]["reason"][1]],
        ["newly_overdue", no(10), "", "legal"],
    ]
    shown = history.diff_shown(flat, CATEGORY_NAMES, DEADLINE_NAMES)
    assert shown.loc[shown["change"].isin(["readmitted", "closed", "rejected"]), ["case_no", "before", "after"]
                     ].fillna("").values.tolist()[1:] == [
        [no(7), "ledger.csv [ledger] 第 9 行：缺少立案日期", "涉民生"],
        [no(8), "ledger.csv [ledger] 第 10 行：立案日期无法识别：“待补”", ""],
        [no(9), "ledger.csv [ledger] 第 11 行：立案日期无法识别：“待补”", ""],
        [no(8), "被拒收", "已结"],
        [no(2), "未结", "ledger.csv [ledger] 第 3 行：立案日期无法识别：“待补”"],
        [no(3), "已结", d["rejected"]["reason"][1]],
    ]
    # open at a: 1 2 4 5 6; at b: 1 5 6 7 10 11. 5 + 1 new (11) + 3 back (7, 10 open; 8 closed since;
    # not 9, closed before a) - 1 closed (8) - 1 removed (4) - 1 rejected while open (2; not 3) = 6
    assert history.open_balance(d).values.tolist() == [[5, 1, 3, 0, 1, 1, 1, 6]]
    out = history.diff_output(dt.date(2025, 7, 1), dt.date(2025, 7, 8), d, CATEGORY_NAMES, DEADLINE_NAMES)
    summary, _, balance = out.sheets
    assert dict(zip(summary.frame["change"], summary.frame["cases"])) == {
        "new": 1, "readmitted": 4, "reopened": 0, "closed": 1, "removed": 1, "rejected": 2, "newly_overdue": 1,
        "more_overdue": 0, "reassigned": 0, "category_changes": 0}
    assert list(balance.labels.values()) == [
        "2025-07-01 未结", "＋ 新收", "＋ 拒收后重新读入（不计截至 2025-07-01 已结的 1 件）", "＋ 重新未结", "－ 已结",
        "－ 台帐中已删除（原未结）", "－ 被拒收（原未结）", "＝ 2025-07-08 未结"]
    assert d.notes == []


def test_runs_that_kept_no_rejected_rows_are_not_said_to_have_rejected_none():
    """Against a run recorded by an older backlog (its rejected rows unknown), diff says what it
    said before, 台帐中已删除 and 新收, and leaves 被拒收 and 拒收后重新读入 blank rather than 0."""
    d = rejects_diff(recorded=False)
    assert d["removed"]["case_no"].tolist() == [no(2), no(3), no(4)]
    assert d["new"]["case_no"].tolist() == [no(10), no(11), no(7), no(8), no(9)]
    assert d["rejected"].empty and d["readmitted"].empty
    assert d["newly_overdue"]["case_no"].tolist() == [no(10), no(7)]
    balance = history.open_balance(d)
    assert balance.columns.tolist() == history.BALANCE_COLUMNS
    assert balance.iloc[0].tolist() == [5, 4, pd.NA, 0, 1, 2, pd.NA, 6]
    out = history.diff_output(dt.date(2025, 7, 1), dt.date(2025, 7, 8), d, CATEGORY_NAMES, DEADLINE_NAMES)
    counts = dict(zip(out.sheets[0].frame["change"], out.sheets[0].frame["cases"]))
    assert (counts["readmitted"], counts["rejected"], counts["removed"]) == (pd.NA, pd.NA, 3)
    assert out.sheets[2].labels["new"] == "＋ 新收（不计截至 2025-07-01 已结的 1 件）"
    a_only = history.diff_snapshots(history.snapshot_frame(REJECT_A, T("2025-07-01"), IDS),
                                    history.snapshot_frame(REJECT_B, T("2025-07-08"), IDS), T("2025-07-01"), None, ROWS_B)
    assert a_only.recorded == (False, True) and a_only["rejected"]["case_no"].tolist() == [no(2), no(3)]
    assert history.open_balance(a_only).iloc[0].tolist() == [5, 4, pd.NA, 0, 1, 1, 1, 6]


def test_diff_of_nightly_runs_tells_a_rejected_row_from_a_case_taken_out(tmp_path):
    """One night 执2号's 立案日期 is typed 待补, 执5号's row is entered twice, with 2062 for 2026
    (filed after today) and with 2026-02-30 (no such day), and 执17号 is deleted; the next night
    both cases' rows are put right. Only 执17号 left the ledger; 执2号 and 执5号 are 被拒收, then
    拒收后重新读入, and over the three nights nothing happened to them."""
    from typer.testing import CliRunner

    from backlog_cli.cli import app

    runner = CliRunner()
    header = "案号,立案日期,承办人,结案日期,案件状态\n"
    rows = {1: "(2026)鲁0902执1号,2026-01-05,张三,,在办\n", 2: "(2026)鲁0902执2号,2026-01-10,李四,,在办\n",
            5: "(2026)鲁0902执5号,2026-02-01,王五,,在办\n", 17: "(2026)鲁0902执17号,2026-01-06,赵六,,在办\n"}
    ledger, config = tmp_path / "ledger.csv", tmp_path / "backlog.yaml"
    config.write_text("ledger: ledger.csv\noutput_dir: out\n", encoding="utf-8")

    def run(day: str, text: str) -> None:
        ledger.write_text(header + text, encoding="utf-8")
        assert runner.invoke(app, ["run", "-q", "--config", str(config), "--as-of", day]).exit_code in (0, 1)

    def diff(*args: str) -> list[str]:
        result = runner.invoke(app, ["diff", "--config", str(config), "-f", "csv", *args])
        assert result.exit_code == 0 and result.stderr == "", result.output
        return result.stdout.splitlines()

    run("2026-11-04", "".join(rows.values()))
    run("2026-11-11", rows[1] + rows[2].replace("2026-01-10", "待补") + rows[5].replace("2026-02-01", "2062-02-01")
        + rows[5].replace("2026-02-01", "2026-02-30"))
    assert diff() == [
        "case_no,change,officer,before,after",
        "(2026)鲁0902执17号,removed,赵六,open,",
        "(2026)鲁0902执2号,rejected,李四,open,ledger.csv [ledger] 第 3 行：立案日期无法识别：“待补”",
        "(2026)鲁0902执5号,rejected,王五,open,ledger.csv [ledger] 第 4 行：立案日期晚于今天：“2062-02-01”（是否录入有误？）；"
        "ledger.csv [ledger] 第 5 行：立案日期无法识别：“2026-02-30”",
    ]
    table = runner.invoke(app, ["diff", "--config", str(config)]).output
    assert re.search(r"│ \(2026\)鲁0902执2号 +│ 被拒收 +│ 李四 +│ 未结 +│ ledger.csv \[ledger\] 第 3 行：立案日期无法识别：“待补” +│", table)
    assert re.search(r"│ 被拒收 +│ +2 │", table) and re.search(r"│ 台帐中已删除 +│ +1 │", table)
    # 4 open on 11-04, 1 on 11-11: 执17号 taken out, 执2号 and 执5号 rejected
    assert re.search(r"│ +4 │ +0 │ +0 │ +0 │ +0 │ +1 │ +2 │ +1 │", table)
    run("2026-11-18", rows[1] + rows[2] + rows[5])
    assert diff() == [
        "case_no,change,officer,before,after",
        "(2026)鲁0902执2号,readmitted,李四,ledger.csv [ledger] 第 3 行：立案日期无法识别：“待补”,",
        "(2026)鲁0902执5号,readmitted,王五,ledger.csv [ledger] 第 4 行：立案日期晚于今天：“2062-02-01”（是否录入有误？）；"
        "ledger.csv [ledger] 第 5 行：立案日期无法识别：“2026-02-30”,",
    ]  # overdue since July, as before the night their rows were rejected: not 新超期
    table = runner.invoke(app, ["diff", "--config", str(config)]).output
    assert re.search(r"│ \(2026\)鲁0902执2号 +│ 拒收后重新读入 +│ 李四 +│ ledger.csv \[ledger\] 第 3 行：", table)
    assert re.search(r"│ +1 │ +0 │ +2 │ +0 │ +0 │ +0 │ +0 │ +3 │", table)
    assert diff("--since", "2026-11-04") == ["case_no,change,officer,before,after", "(2026)鲁0902执17号,removed,赵六,open,"]


def test_a_file_sharing_its_name_is_shown_by_its_path_from_the_settings_files_folder(tmp_path, monkeypatch):
    """一组/台帐.csv and 二组/台帐.csv read each night: the row 一组 rejects is named by that file's
    path (台帐.csv alone named either), though no row of 二组's is rejected; a file whose name no
    other shares is named by its name. The run records the paths as read from backlog.yaml's
    folder (absolute, as older runs did); diff, history and the monthly report showed them so
    (/srv/backlog/一组/台帐.csv) and show them as ledger: names them, from that folder."""
    from typer.testing import CliRunner

    from backlog_cli.cli import app

    runner = CliRunner()
    monkeypatch.chdir(tmp_path)  # backlog.yaml found in the working folder, as under cron
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    for group in ("一组", "二组", "其他"):
        (tmp_path / group).mkdir()
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: [一组/台帐.csv, 二组/台帐.csv, 三组.csv]\noutput_dir: out\n", encoding="utf-8")
    header = "案号,立案日期,承办人\n"
    (tmp_path / "二组" / "台帐.csv").write_text(header + "(2026)鲁0902执3号,2026-01-05,王五\n", encoding="utf-8")

    def run(day: str, filed: str) -> None:
        (tmp_path / "一组" / "台帐.csv").write_text(
            header + "(2026)鲁0902执1号,2026-01-05,张三\n" + f"(2026)鲁0902执2号,{filed},李四\n", encoding="utf-8")
        (tmp_path / "三组.csv").write_text(header + f"(2026)鲁0902执4号,{filed},赵六\n", encoding="utf-8")
        assert runner.invoke(app, ["run", "-q", "--as-of", day]).exit_code in (0, 1)

    def shown(*args: str) -> list[str]:
        result = runner.invoke(app, [*args, "-f", "csv"])
        assert result.exit_code == 0 and str(tmp_path) not in result.output, result.output
        return result.stdout.splitlines()

    run("2026-11-04", "2026-01-10")
    run("2026-11-11", "待补")
    errors = (tmp_path / "out" / "2026-11-11" / "errors.csv").read_text(encoding="utf-8-sig").splitlines()
    read = str(tmp_path / "一组" / "台帐.csv")  # the path as read, as the history keeps it
    assert errors[1].split(",")[0] == str(Path("一组") / "台帐.csv") and errors[2].split(",")[0] == "三组.csv"
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'out' / 'history.sqlite'}")
    with engine.connect() as conn:
        stored = conn.execute(sa.text("select ledger_files from runs order by as_of")).scalars().all()
        rejected = conn.execute(sa.text("select file from rejected_rows")).scalars().all()
    engine.dispose()
    assert json.loads(stored[-1]) == [read, str(tmp_path / "二组" / "台帐.csv"), str(tmp_path / "三组.csv")]
    assert rejected == [read, str(tmp_path / "三组.csv")]
    first = str(Path("一组") / "台帐.csv")
    why = "第 3 行：立案日期无法识别：“待补”"
    assert shown("diff") == ["case_no,change,officer,before,after",
                             f"(2026)鲁0902执2号,rejected,李四,open,{first} [台帐] {why}",
                             f"(2026)鲁0902执4号,rejected,赵六,open,三组.csv [三组] {why.replace('3', '2', 1)}"]
    listed = f"{first};{Path('二组') / '台帐.csv'};三组.csv"
    assert [line.split(",")[6] for line in shown("history")] == ["ledger_files", listed, listed]
    report = runner.invoke(app, ["report", "monthly", "--as-of", "2026-11-11", "-f", "csv"])
    assert f"rejected: {first} [台帐] row 3: (2026)鲁0902执2号" in report.stderr and str(tmp_path) not in report.stderr
    run("2026-11-18", "2026-01-10")
    assert shown("diff") == ["case_no,change,officer,before,after",
                             f"(2026)鲁0902执2号,readmitted,李四,{first} [台帐] {why},",
                             f"(2026)鲁0902执4号,readmitted,赵六,三组.csv [三组] {why.replace('3', '2', 1)},"]
    # from another folder, the settings named: shown from their folder, as ledger: names them
    monkeypatch.chdir(tmp_path / "其他")
    assert shown("history", "--config", "../backlog.yaml")[1].split(",")[6] == listed
    # a file outside that folder is shown as read
    from backlog_cli.config import shown_path

    assert shown_path(tmp_path / "x" / "台帐.csv", tmp_path / "一组") == str(tmp_path / "x" / "台帐.csv")


def test_diff_against_a_run_of_an_older_backlog_says_its_rejected_rows_are_unknown(tmp_path):
    """The history of version 1 (执2号 rejected on 11-11, unknown to it) upgraded by the next night's
    run: 执2号 back on 11-18 is 新收, as before, with a note, and 拒收后重新读入 is blank, not 0."""
    from typer.testing import CliRunner

    from backlog_cli.cli import app

    runner = CliRunner()
    (tmp_path / "out").mkdir()
    version_1_history(tmp_path / "out" / "history.sqlite")
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: ledger.csv\noutput_dir: out\n", encoding="utf-8")
    (tmp_path / "ledger.csv").write_text(
        "案号,立案日期,承办人,结案日期\n(2026)鲁0902执1号,2026-01-01,张三,\n(2026)鲁0902执2号,2026-01-02,李四,\n"
        "(2026)鲁0902执3号,2026-01-03,王五,2026-10-28\n", encoding="utf-8")
    assert runner.invoke(app, ["run", "-q", "--config", str(config), "--as-of", "2026-11-18"]).exit_code in (0, 1)
    result = runner.invoke(app, ["diff", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "note: the run of 2026-11-11 was recorded by an older backlog, which kept no list of the ledger rows a run "
        "rejected: a case first seen after it is listed as 新收 even if its row was rejected then (拒收后重新读入 not "
        "known)\n")
    assert re.search(r"│ \(2026\)鲁0902执2号 +│ 新收 +│ 李四 +│", result.stdout)
    assert re.search(r"│ 新收 +│ +1 │", result.stdout) and re.search(r"│ 拒收后重新读入 +│ +│", result.stdout)
    assert re.search(r"│ 被拒收 +│ +0 │", result.stdout)  # the new run kept its own
    assert re.search(r"│ +1 │ +1 │ +│ +0 │ +0 │ +0 │ +0 │ +2 │", result.stdout)
    older = runner.invoke(app, ["diff", "--config", str(config), "--as-of", "2026-11-11", "-f", "csv"])
    assert older.stdout.splitlines() == ["case_no,change,officer,before,after", "(2026)鲁0902执2号,removed,李四,open,"]
    assert "the run of 2026-11-11 was recorded by an older backlog" in older.stderr
    assert "a case missing from it is listed as 台帐中已删除 even if its row was rejected (被拒收 not known)" in older.stderr
