"""The run history: schema versioning, idempotent writes, one transaction, diffs between runs."""

from __future__ import annotations

import datetime as dt
import json
import re

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


def test_case_closed_after_as_of_is_open_then():
    snap = history.snapshot_frame(DAY2, T("2025-06-30"), IDS)
    assert snap["is_open"].tolist() == [True, True, True, False]  # D4 not filed yet


def test_schema_version_stored_and_newer_refused(tmp_path):
    path = tmp_path / "h.sqlite"
    history.open_history(path).close()
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        assert conn.execute(sa.text("select value from meta where key='schema_version'")).scalar() == "1"
        conn.execute(sa.text("update meta set value='99' where key='schema_version'"))
    engine.dispose()
    with pytest.raises(ConfigError, match="schema version 99"):
        history.open_history(path)


def test_upgrade_runs_each_missing_step(tmp_path, monkeypatch):
    path = tmp_path / "h.sqlite"
    history.open_history(path).close()
    seen = []
    monkeypatch.setattr(history, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(history, "UPGRADES", {**history.UPGRADES, 2: lambda c: seen.append(2), 3: lambda c: seen.append(3)})
    history.open_history(path).close()
    assert seen == [2, 3]
    history.open_history(path).close()
    assert seen == [2, 3]  # already at 3: nothing runs


def test_rerun_same_day_replaces_entry(db):
    db.record(info("2025-07-01", open=3), history.snapshot_frame(DAY1, T("2025-07-01"), IDS))
    db.record(info("2025-07-02", open=3), history.snapshot_frame(DAY2, T("2025-07-02"), IDS))
    db.record(info("2025-07-02", open=3), history.snapshot_frame(DAY2, T("2025-07-02"), IDS))
    runs = db.list_runs()
    assert runs["as_of"].dt.strftime("%Y-%m-%d").tolist() == ["2025-07-01", "2025-07-02"]
    assert runs["open"].tolist() == [3, 3]
    assert runs["seconds"].tolist() == [3.0, 3.0]
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from snapshots")).scalar() == 3 + 4


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


def test_bad_url_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="history"):
        history.open_history("nosuchdialect://x/y")


def test_corrupted_history_file_is_a_located_error(tmp_path):
    path = tmp_path / "history.sqlite"
    path.write_bytes(b"not a database, " * 200)
    with pytest.raises(ConfigError, match=rf"^history {re.escape(str(path))}: cannot open the database \(file is not a database\)$"):
        history.open_history(path)


def test_history_in_a_missing_folder_is_not_created(tmp_path):
    path = tmp_path / "nowhere" / "history.sqlite"
    with pytest.raises(ConfigError, match="the folder .*nowhere does not exist"):
        history.open_history(path)
    assert list(tmp_path.iterdir()) == []
