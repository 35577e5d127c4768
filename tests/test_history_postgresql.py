"""The run history in a real PostgreSQL server: a throwaway one started for this module when the
server's programs are found (on PATH or under /usr/lib/postgresql/*/bin) and psycopg is
installed; skipped otherwise. The same runs give the same history, diff and monthly report as on
SQLite; a history of version 1 is upgraded by the next run; a user who may only read the tables
reads it; a refused connection is one plain line."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from backlog_cli import history
from backlog_cli.cli import app

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed: pip install 'psycopg[binary]'")

PASSWORD = "s3cret-pw"  # the superuser's and the run user's
READER_PASSWORD = "read-only-pw"
HEADER = "案号,立案日期,承办人,结案日期,案件状态"
ROWS = ["(2026)鲁0902执1号,2026-01-05,张三,,在办", "(2026)鲁0902执2号,2026-02-10,李四,,在办",
        "(2026)鲁0902执3号,2026-03-01,王五,2026-10-28,已结", "(2025)鲁0902执9号,2025-04-01,张三,,在办"]
runner = CliRunner()


def _server_programs() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres: on PATH, else the newest Debian install."""
    found = shutil.which("pg_ctl")
    folders = [Path(found).parent] if found else []
    folders += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True)]
    return next((f for f in folders if all((f / p).is_file() for p in ("initdb", "pg_ctl", "postgres"))), None)


def _version(folder: str) -> int:
    name = Path(folder).parent.name
    return int(name) if name.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A throwaway PostgreSQL server on 127.0.0.1 (password authentication over TCP)."""

    def __init__(self, programs: Path, folder: Path, port: int, as_user: list[str]):
        self.programs, self.folder, self.port, self.as_user = programs, folder, port, as_user

    def url(self, database: str, user: str = "postgres", password: str | None = PASSWORD) -> str:
        secret = f":{password}" if password else ""
        return f"postgresql+psycopg://{user}{secret}@127.0.0.1:{self.port}/{database}"

    def sql(self, *statements: str, database: str = "postgres") -> None:
        """Run statements as the superuser, each committed."""
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", password=PASSWORD,
                             dbname=database, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def database(self, name: str) -> str:
        """A new database ``name`` owned by the run user ``backlog``; its URL for that user."""
        self.sql(f"CREATE DATABASE {name} OWNER backlog")
        return self.url(name, "backlog")

    def ctl(self, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.programs / "pg_ctl"), "-D", str(self.folder / "data"), *args],
                       check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def server():
    programs = _server_programs()
    if programs is None:
        pytest.skip("no PostgreSQL server programs (initdb, pg_ctl, postgres) on PATH or in /usr/lib/postgresql/*/bin")
    # initdb refuses to run as root: the server then runs as nobody, in a folder of its own
    as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
    if as_user and not shutil.which("runuser"):
        pytest.skip("running as root without runuser: cannot start PostgreSQL as another user")
    folder = Path(tempfile.mkdtemp(prefix="backlog-pg-"))
    (folder / "password").write_text(PASSWORD + "\n", encoding="utf-8")
    if as_user:
        shutil.chown(folder, "nobody")
        shutil.chown(folder / "password", "nobody")
    port = _free_port()
    pg = Server(programs, folder, port, as_user)
    try:
        subprocess.run([*as_user, str(programs / "initdb"), "-D", str(folder / "data"), "-U", "postgres",
                        "--pwfile", str(folder / "password"), "--auth-local=trust", "--auth-host=scram-sha-256",
                        "--no-sync", "-E", "UTF8", "--locale=C"], check=True, capture_output=True, timeout=120)
        pg.ctl("-w", "-l", str(folder / "log"), "-o",
               f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"could not start a PostgreSQL server: {getattr(err, 'stderr', b'') or err}")
    try:
        pg.sql(f"CREATE ROLE backlog LOGIN PASSWORD '{PASSWORD}'",
               f"CREATE ROLE reader LOGIN PASSWORD '{READER_PASSWORD}'")
        yield pg
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            pg.ctl("-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def settings(folder: Path, target: str, name: str = "backlog.yaml") -> Path:
    folder.mkdir(exist_ok=True)
    config = folder / name
    config.write_text(f"ledger: ledger.csv\noutput_dir: out\nhistory: {target}\n", encoding="utf-8")
    return config


def ledger(folder: Path, rows: list[str]) -> None:
    (folder / "ledger.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")


def invoke(config: Path, *args: str):
    return runner.invoke(app, [*args, "--config", str(config)])


# The nights of a week, as a clerk keeps the ledger: a case closed, one added, a row rejected
# (立案日期 待补) and put right the next night, a case reassigned.
NIGHTS = [
    ("2026-11-20", ROWS),
    ("2026-11-21", [ROWS[0], "(2026)鲁0902执2号,2026-02-10,李四,2026-11-21,已结", *ROWS[2:],
                    "(2026)鲁0902执7号,2026-11-21,王五,,在办"]),
    ("2026-11-22", ["(2026)鲁0902执1号,待补,张三,,在办", "(2026)鲁0902执2号,2026-02-10,李四,2026-11-21,已结", *ROWS[2:],
                    "(2026)鲁0902执7号,2026-11-21,赵六,,在办"]),
    ("2026-11-23", [ROWS[0], "(2026)鲁0902执2号,2026-02-10,李四,2026-11-21,已结", *ROWS[2:],
                    "(2026)鲁0902执7号,2026-11-21,赵六,,在办"]),
]
READS = {"runs": ["history", "-f", "csv"], "diff": ["diff", "--since", "2026-11-20", "-f", "csv"],
         "table": ["diff", "--since", "2026-11-20"], "night": ["diff", "--as-of", "2026-11-22", "-f", "csv"],
         "report": ["report", "monthly", "--month", "2026-11", "--as-of", "2026-11-23", "-f", "json"]}


def nights(folder: Path, config: Path) -> list[int]:
    codes = []
    for day, rows in NIGHTS:
        ledger(folder, rows)
        codes.append(invoke(config, "run", "-q", "--as-of", day).exit_code)
    return codes


def without_times(text: str) -> str:
    """A command's output with the runs' start and end times and durations left out."""
    if text.startswith("id,as_of,started_at"):
        return "\n".join(",".join(line.split(",")[:2] + line.split(",")[5:]) for line in text.splitlines())
    return text


def test_the_nights_give_the_same_history_diff_and_report_as_on_sqlite(server, tmp_path):
    pg, lite = tmp_path / "pg", tmp_path / "lite"
    config_pg = settings(pg, server.database("nights"))
    config_lite = settings(lite, "out/history.sqlite")
    (lite / "out").mkdir()
    codes = nights(pg, config_pg)
    assert codes == nights(lite, config_lite) and set(codes) == {1}  # rows rejected, plans missing
    read = {}
    for name, args in READS.items():
        on_pg, on_lite = invoke(config_pg, *args), invoke(config_lite, *args)
        assert (on_pg.exit_code, on_lite.exit_code) == (0, 0), on_pg.output + on_lite.output
        assert without_times(on_pg.stdout) == without_times(on_lite.stdout), args
        assert on_pg.stderr == on_lite.stderr
        read[name] = on_pg.stdout
    assert [line.split(",")[1] for line in read["runs"].splitlines()[1:]] == [day for day, _ in NIGHTS]
    assert read["diff"].splitlines()[1:] == ["(2026)鲁0902执7号,new,赵六,,", "(2026)鲁0902执2号,closed,李四,open,2026-11-21"]
    night = read["night"].splitlines()
    assert "(2026)鲁0902执1号,rejected,张三,open,ledger.csv [ledger] 第 2 行：立案日期无法识别：“待补”" in night
    assert "(2026)鲁0902执7号,reassigned,赵六,王五,赵六" in night
    trend = json.loads(read["report"])["trend"]
    assert [(t["as_of"], t["open"]) for t in trend] == [("2026-11-20", 3), ("2026-11-21", 3), ("2026-11-22", 2),
                                                        ("2026-11-23", 3)]
    for day, _ in NIGHTS:  # the files of each night are the same too
        summaries = [json.loads((f / "out" / day / "summary.json").read_text(encoding="utf-8")) for f in (pg, lite)]
        assert summaries[0].pop("history") == server.url("nights", "backlog", "***")  # the password hidden
        assert summaries[1].pop("history") == str(Path("out") / "history.sqlite")  # from the settings file's folder
        for summary in summaries:
            for name in ("started_at", "finished_at", "timings"):
                summary.pop(name)
        assert summaries[0] == summaries[1]


COMMANDS = [["history"], ["diff"], ["report", "monthly", "--month", "2026-11"], ["run", "-q", "--as-of", "2026-11-20"]]


def refused(config: Path) -> list[str]:
    """The one error line of each command: exit 2, no traceback."""
    said = []
    for args in COMMANDS:
        result = invoke(config, *args)
        assert result.exit_code == 2, result.output
        errors = [line for line in result.stderr.splitlines() if "error" in line]
        assert len(errors) == 1 and errors[0] == result.stderr.splitlines()[-1], result.stderr
        assert "Traceback" not in result.stderr
        said.append(errors[0].split("backlog: error: ", 1)[1])
    return said


def test_a_wrong_password_is_one_line_naming_the_database_without_the_password(server, tmp_path):
    server.database("guarded")
    config = settings(tmp_path, server.url("guarded", "backlog", "wrong-pw"))
    ledger(tmp_path, ROWS)
    shown = server.url("guarded", "backlog", "***")
    for said in refused(config):
        assert said.startswith(f"{config}:3: history {shown}: cannot open the database (")  # at its history: line
        assert 'password authentication failed for user "backlog"' in said and "wrong-pw" not in said


def test_a_server_that_is_down_is_one_line(server, tmp_path):
    config = settings(tmp_path, f"postgresql+psycopg://backlog:{PASSWORD}@127.0.0.1:{_free_port()}/backlog")
    ledger(tmp_path, ROWS)
    for said in refused(config):
        assert said.startswith(f"{config}:3: history postgresql+psycopg://backlog:***@127.0.0.1:")
        assert "Connection refused; Is the server running on that host" in said, said


def test_a_user_who_may_only_read_the_tables_reads_the_history_and_cannot_record_a_run(server, tmp_path):
    """history, diff and report monthly as a user granted SELECT only; backlog run as that user is
    one plain line, exit 2, and leaves the history and the output folder as they were."""
    writer = settings(tmp_path, server.database("shared"), "writer.yaml")
    ledger(tmp_path, ROWS)
    for day in ("2026-11-20", "2026-11-21"):
        assert invoke(writer, "run", "-q", "--as-of", day).exit_code == 1
    server.sql("GRANT SELECT ON meta, runs, snapshots, rejected_rows TO reader", database="shared")
    reader = settings(tmp_path, server.url("shared", "reader", READER_PASSWORD), "reader.yaml")
    for args in READS.values():
        read, written = invoke(reader, *args), invoke(writer, *args)
        assert read.exit_code == 0, read.output
        assert read.stdout == written.stdout
    server.sql("REVOKE SELECT ON snapshots FROM reader", database="shared")  # the right to read one table missing
    result = invoke(reader, *READS["diff"])
    assert result.exit_code == 2, result.output
    assert result.stderr == (f"backlog: error: {reader}:3: history {server.url('shared', 'reader', '***')}: "
                             "cannot read the history (permission denied for table snapshots)\n")  # at its history: line
    result = invoke(reader, "run", "-q", "--as-of", "2026-11-22")
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1 and result.stderr.endswith(
        f"backlog: error: {reader}:3: history {server.url('shared', 'reader', '***')}: cannot record the run "
        "(permission denied for table meta)\n")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2026-11-20", "2026-11-21"]
    assert len(invoke(writer, "history", "-f", "csv").stdout.splitlines()) == 3  # the two runs, as they were



def test_a_history_whose_table_or_column_is_gone_is_one_line_naming_it(server, tmp_path):
    """A history on the server with a column renamed or a table dropped (by hand): the commands
    that read it say so in one line after the backlog.yaml line that names it, exit 2, as on SQLite;
    PostgreSQL's undefined table or column was an internal error."""
    config = settings(tmp_path, server.database("damaged"))
    ledger(tmp_path, ROWS)
    for day in ("2026-11-20", "2026-11-21"):
        assert invoke(config, "run", "-q", "--as-of", day).exit_code == 1
    shown = server.url("damaged", "backlog", "***")
    for damage, said in (("ALTER TABLE rejected_rows RENAME COLUMN reason TO why", "column rejected_rows.reason does not exist"),
                         ("DROP TABLE snapshots", 'relation "snapshots" does not exist')):
        server.sql(damage, database="damaged")
        result = invoke(config, *READS["diff"])
        assert result.exit_code == 2, result.output
        assert result.stderr == f"backlog: error: {config}:3: history {shown}: cannot read the history ({said})\n"

def version_1_history(url: str) -> None:
    """A history as backlog wrote it at schema version 1 on PostgreSQL (its tables as SQLAlchemy
    created them: runs without rejects_recorded, no rejected_rows; ids from runs' sequence): two
    runs of a ledger whose 执2号 was rejected (立案日期 待补) at the second."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        history.metadata.create_all(conn, tables=[history.meta, history.runs, history.snapshots])
        conn.execute(sa.text("ALTER TABLE runs DROP COLUMN rejects_recorded"))
        conn.execute(sa.text("INSERT INTO meta VALUES ('schema_version', '1')"))
        for day, counts, held in [("2026-11-04", '{"rows": 3, "cases": 3, "open": 2, "closed": 1}', (1, 2, 3)),
                                  ("2026-11-11", '{"rows": 3, "cases": 2, "open": 1, "closed": 1}', (1, 3))]:
            run = conn.execute(sa.text(
                "INSERT INTO runs (as_of, started_at, finished_at, ledger_files, counts, rules) VALUES "
                f"('{day}', '{day} 02:30:00', '{day} 02:30:01', '[\"ledger.csv\"]', '{counts}', 'default') RETURNING id"
            )).scalar()
            for n in held:
                closed = "'2026-10-28'" if n == 3 else "NULL"
                conn.execute(sa.text(
                    f"INSERT INTO snapshots VALUES ({run}, '(2026)鲁0902执{n}号', {n != 3}, '2026-01-0{n}', {closed}, "
                    f"'{'张李王'[n - 1]}{'三四五'[n - 1]}', '', NULL, NULL, NULL, NULL, '', '{{}}')"))
    engine.dispose()


def schema_of(url: str) -> tuple[str, list[str], list[str]]:
    """The recorded version, the tables and the columns of runs."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        version = conn.execute(sa.text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar()
        inspector = sa.inspect(conn)
        found = version, sorted(inspector.get_table_names()), [c["name"] for c in inspector.get_columns("runs")]
    engine.dispose()
    return found


def test_a_history_of_version_1_is_read_as_it_is_and_upgraded_by_the_next_run(server, tmp_path):
    url = server.database("older")
    version_1_history(url)
    config = settings(tmp_path, url)
    (tmp_path / "ledger.csv").write_text(
        "案号,立案日期,承办人,结案日期\n(2026)鲁0902执1号,2026-01-01,张三,\n(2026)鲁0902执2号,2026-01-02,李四,\n"
        "(2026)鲁0902执3号,2026-01-03,王五,2026-10-28\n", encoding="utf-8")
    older = invoke(config, "diff", "-f", "csv")  # read as it is: not upgraded
    assert older.exit_code == 0, older.output
    assert older.stdout.splitlines() == ["case_no,change,officer,before,after", "(2026)鲁0902执2号,removed,李四,open,"]
    assert "the run of 2026-11-11 was recorded by an older backlog" in older.stderr
    assert schema_of(url) == ("1", ["meta", "runs", "snapshots"],
                              ["id", "as_of", "started_at", "finished_at", "ledger_files", "counts", "rules"])
    assert invoke(config, "run", "-q", "--as-of", "2026-11-18").exit_code in (0, 1)  # 1: no 未结原因 column
    version, tables, columns = schema_of(url)
    assert (version, tables, columns[-1]) == ("2", ["meta", "rejected_rows", "runs", "snapshots"], "rejects_recorded")
    runs = invoke(config, "history", "-f", "csv").stdout.splitlines()
    assert [line.split(",")[:2] for line in runs[1:]] == [["1", "2026-11-04"], ["2", "2026-11-11"], ["3", "2026-11-18"]]
    result = invoke(config, "diff", "-f", "csv")
    assert result.stdout.splitlines()[:2] == ["case_no,change,officer,before,after", "(2026)鲁0902执2号,new,李四,,"]
    assert result.stderr == (
        "note: the run of 2026-11-11 was recorded by an older backlog, which kept no list of the ledger rows a run "
        "rejected: a case first seen after it is listed as 新收 even if its row was rejected then (拒收后重新读入 not "
        "known)\n")
    assert invoke(config, "run", "-q", "--as-of", "2026-11-18").exit_code in (0, 1)  # re-run: replaced, nothing to upgrade
    assert schema_of(url)[0] == "2"


def test_two_runs_recording_the_same_day_at_once_wait_for_each_other(server):
    """Two machines whose runs share one history (each holding the lock file in its own
    output_dir) record the same day at once: the second waits for the first's transaction, then
    replaces its run, as a re-run of the day does; it failed on the day's unique key."""
    import threading
    import time

    import pandas as pd

    url = server.database("together")
    day = pd.Timestamp("2026-11-20")
    frame = pd.DataFrame({"case_no": ["(2026)鲁0902执1号"], "filed_on": [pd.Timestamp("2026-01-05")],
                          "closed_on": [pd.NaT], "officer": ["张三"], "categories": [["minsheng"]]})
    snapshot = history.snapshot_frame(frame, day)

    def info(host: str) -> history.RunInfo:
        return history.RunInfo(day.date(), day.to_pydatetime(), day.to_pydatetime(), [f"{host}/ledger.csv"])

    first, second = history.open_history(url), history.open_history(url)
    done: dict[str, object] = {}

    def record_second() -> None:
        try:
            done["run"] = second.record(info("b"), snapshot)
        except Exception as exc:  # said by the assertion below
            done["error"] = exc

    with first, second:
        with first.recording(info("a"), snapshot):
            other = threading.Thread(target=record_second)
            other.start()
            time.sleep(0.3)
            assert other.is_alive()  # waiting for the first run's transaction
        other.join(10)
        assert "error" not in done, done.get("error")
        runs = first.list_runs()
        assert runs[["id", "ledger_files"]].values.tolist() == [[done["run"], "b/ledger.csv"]]
        assert first.snapshot(done["run"])["case_no"].tolist() == ["(2026)鲁0902执1号"]


def test_two_first_runs_creating_a_new_history_at_once_both_open_it(server):
    """The first runs of two machines open a new history at once: the second waits for the
    first's tables and finds them; it stopped, the tables existing once the first committed."""
    import threading
    import time

    url = server.database("newborn")
    engine = sa.create_engine(url)
    done: dict[str, object] = {}

    def open_second() -> None:
        try:
            history.open_history(url).close()
            done["opened"] = True
        except Exception as exc:  # said by the assertion below
            done["error"] = exc

    with engine.begin() as conn:  # the first run, creating the tables
        history._upgrade(conn, url)
        other = threading.Thread(target=open_second)
        other.start()
        time.sleep(0.3)
        assert other.is_alive()  # waiting for the first run's tables
    other.join(10)
    engine.dispose()
    assert "error" not in done, done.get("error")
    with history.open_history(url, read_only=True) as store:
        assert store.version == history.SCHEMA_VERSION
