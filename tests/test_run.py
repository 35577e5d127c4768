"""`backlog run`: dated outputs, idempotent re-runs, atomic writes, the lock, exit codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from backlog_cli import history, outputs
from backlog_cli import run as run_mod
from backlog_cli.cli import app
from backlog_cli.config import load_config
from backlog_cli.errors import LockedError

runner = CliRunner()
# Every field the default rules and the monthly report read is present, so a clean ledger gives no
# warnings about missing columns.
HEADER = ("案号,立案日期,承办人,申请执行人,被执行人,案由,执行标的,结案日期,案件状态,是否涉信访,备注,中止日期,恢复日期,"
          "未结原因,下一步打算,预计结案时间\n")
EXTRA = ",在办,否,,,,,,"
ROWS = [
    "(2025)鲁0902执1号,2025-01-05,张三,甲,乙公司,买卖合同纠纷,1000," + EXTRA + "\n",
    "(2025)鲁0902执2号,2025-02-06,李四,丙,丁,追索劳动报酬纠纷,2000,2025-05-01" + EXTRA.replace("在办", "已结") + "\n",
    "(2025)鲁0902执3号,2025-03-07,张三,戊,己,民间借贷纠纷,3000," + EXTRA + "\n",
]
BAD_ROW = "(2025)鲁0902执4号,待补,李四,x,y,z,1," + EXTRA + "\n"


def config_in(tmp_path: Path, rows: list[str] = ROWS) -> Path:
    """A folder with a ledger and a backlog.yaml; returns the config path."""
    (tmp_path / "ledger.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: ledger.csv\noutput_dir: out\n", encoding="utf-8")
    return config


def invoke(config: Path, *args: str):
    return runner.invoke(app, ["run", "--config", str(config), *args])


def summary_of(tmp_path: Path, day: str = "2025-06-30") -> dict[str, Any]:
    """The summary.json a run wrote in the day's folder under ``tmp_path``'s out/."""
    return json.loads((tmp_path / "out" / day / "summary.json").read_text(encoding="utf-8"))


def history_rows(tmp_path: Path) -> list[tuple]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'out' / 'history.sqlite'}")
    with engine.connect() as conn:
        got = conn.execute(sa.text(
            "select r.as_of, count(s.case_no) from runs r left join snapshots s on s.run_id = r.id "
            "group by r.as_of order by r.as_of")).all()
    engine.dispose()
    return [tuple(r) for r in got]


def test_clean_run_writes_dated_folder(tmp_path):
    config = config_in(tmp_path)
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "2025-06-30"
    assert sorted(p.name for p in folder.iterdir()) == [
        "errors.csv", "officers", "officers.xlsx", "overdue.xlsx", "problems.csv", "ranking.xlsx", "report.xlsx",
        "summary.json", "triage.xlsx"]
    assert [p.name for p in (folder / "officers").iterdir()] == ["张三.xlsx"]  # 李四's only case is closed
    summary = summary_of(tmp_path)
    assert summary["counts"]["cases"] == 3
    assert summary["counts"]["open"] == 2  # 执2号 closed 2025-05-01
    assert summary["counts"]["closed"] == 1
    assert summary["exit_code"] == 0 and summary["rejects"] == [] and summary["warnings"] == []
    assert set(summary["timings"]) >= {"rules", "load", "classify", "assign", "report", "write", "history"}
    assert summary["counts"]["overdue"] == 0  # 执1号's six months end on 2025-07-05
    assert summary["counts"]["open_over_6_months"] == 0
    assert summary["counts"]["categories"]["minsheng"] == 0  # 执2号 (劳动报酬) is closed
    assert summary["rules"] == "default"
    # not on a terminal: one plain line per step, with its time
    steps = ("rules:", "load:", "classify:", "assign:", "report:", "write:", "history:")
    lines = [l for l in result.output.splitlines() if l.startswith(steps)]
    assert len(lines) == 7 and all(l.endswith(" s)") for l in lines)
    assert "report: 2025-06 as of 2025-06-30 (report.xlsx)" in result.output
    assert "assign: 1 task lists; 4 weeks ranked (ranking.xlsx), the last with 0 督导 and 0 约谈" in result.output
    opened = next(l for l in result.output.splitlines() if l.startswith("history open:"))
    assert opened.startswith("history open: out/history.sqlite (")  # from the settings file's folder, as the log's other paths
    assert "\x1b[" not in result.output


def workbook_values(path: Path) -> dict[str, list[tuple]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    finally:
        book.close()


@pytest.mark.parametrize("settings, day, month", [
    ("", "2025-06-30", []),  # the calendar month, counted as of the run's day
    ("report_day: 25\n", "2025-06-24", []),  # the period 05-26 to 06-25, as of the run's day
    ("report_day: 25\n", "2025-06-27", ["--month", "2025-06"]),  # the period just ended, as of 06-25
])
def test_the_run_writes_the_report_due_as_report_monthly_gives_it(tmp_path, settings, day, month):
    """The month's report, the one due by the 28th, is ready each morning: the same workbook as
    `backlog report monthly` on that day, its trend taking in the run itself."""
    config = config_in(tmp_path)
    config.write_text(config.read_text(encoding="utf-8") + settings, encoding="utf-8")
    assert invoke(config, "--as-of", "2025-06-20", "--quiet").exit_code == 0  # a run before: the trend's first point
    assert invoke(config, "--as-of", day, "--quiet").exit_code == 0
    asked = tmp_path / "asked.xlsx"
    by_hand = runner.invoke(app, ["report", "monthly", "--config", str(config), *(month or ["--as-of", day]),
                                  "-o", str(asked)])
    assert by_hand.exit_code == 0, by_hand.output
    nightly = workbook_values(tmp_path / "out" / day / "report.xlsx")
    assert nightly == workbook_values(asked)
    # the runs counted up to the day the report counts at, this run among them when it is not after
    assert [row[0].date().isoformat() for row in nightly["趋势"][2:]] == ["2025-06-20", *([] if month else [day])]


def test_the_run_writes_the_weekly_ranking_as_rank_gives_it(tmp_path):
    """The last four weeks ranked, each set against the weekly targets of backlog.yaml: the same
    workbook as `backlog rank` on that day."""
    config = config_in(tmp_path)
    config.write_text(config.read_text(encoding="utf-8") + "targets: {张三: 1, share: 0.5}\n", encoding="utf-8")
    assert invoke(config, "--as-of", "2025-05-06", "--quiet").exit_code == 0
    asked = tmp_path / "asked.xlsx"
    by_hand = runner.invoke(app, ["rank", "--config", str(config), "--as-of", "2025-05-06", "-o", str(asked)])
    assert by_hand.exit_code == 0, by_hand.output
    nightly = workbook_values(tmp_path / "out" / "2025-05-06" / "ranking.xlsx")
    assert nightly == workbook_values(asked)
    header, *rows = nightly["排名"][1:]
    columns = [header.index(name) for name in ("承办人", "已结", "每周结案任务数", "完成结案任务")]
    week18 = [tuple(r[i] for i in columns) for r in rows if r[0] == "2025年第18周"]  # 执2号 closed 05-01
    assert week18 == [("李四", 1, 1, "是"), ("张三", 0, 1, "否")]  # 张三's named target; 李四's by the rule


def test_quiet_prints_nothing_on_success(tmp_path):
    result = invoke(config_in(tmp_path), "--as-of", "2025-06-30", "--quiet")
    assert result.exit_code == 0
    assert result.output == ""


def test_rejected_rows_exit_1_and_errors_file(tmp_path):
    config = config_in(tmp_path, ROWS + [BAD_ROW])
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 1, result.output
    errors = pd.read_csv(tmp_path / "out" / "2025-06-30" / "errors.csv", encoding="utf-8-sig")
    assert errors.columns.tolist() == ["文件", "工作表", "行号", "案号", "原因"]
    assert errors["行号"].tolist() == [5]
    assert errors["原因"].tolist() == ["立案日期无法识别：“待补”"]
    summary = summary_of(tmp_path)
    assert summary["exit_code"] == 1 and summary["counts"]["rejected"] == 1
    # summary.json is for scripts: the same row under the English keys
    (reject,) = summary["rejects"]
    assert {k: reject[k] for k in ("sheet", "row", "case_no", "reason")} == {
        "sheet": "ledger", "row": 5, "case_no": "(2025)鲁0902执4号", "reason": "立案日期无法识别：“待补”"}


def test_a_case_filed_after_today_is_a_rejected_row_of_the_run(tmp_path):
    """2062 typed for 2025: the row is in errors.csv and in summary.json's rejects, with its sheet,
    row and reason, and the counts add up: cases + rejected + skipped = rows read."""
    late = "(2025)鲁0902执4号,2062-03-01,李四,x,y,z,1," + EXTRA + "\n"
    result = invoke(config_in(tmp_path, ROWS + [late]), "--as-of", "2025-06-30")
    assert result.exit_code == 1, result.output
    day = tmp_path / "out" / "2025-06-30"
    errors = pd.read_csv(day / "errors.csv", encoding="utf-8-sig")
    assert errors[["工作表", "行号", "案号", "原因"]].values.tolist() == [
        ["ledger", 5, "(2025)鲁0902执4号", "立案日期晚于今天：“2062-03-01”（是否录入有误？）"]]
    summary = summary_of(tmp_path)
    counts = summary["counts"]
    assert (counts["rows"], counts["cases"], counts["rejected"], counts["skipped"]) == (4, 3, 1, 0)
    assert [r["row"] for r in summary["rejects"]] == [5] and not summary["warnings"]
    assert "1 more row rejected: filed after today" in result.stderr


def test_the_rows_below_a_case_filed_after_today_are_counted_among_the_rows_it_rejects(tmp_path):
    """A case filed in 2062 written over two rows under a merged 案号 cell: the row below is
    rejected with it, so the run's note counts two more rows rejected where it counted the case
    alone, and the counts still add up."""
    (tmp_path / "l.xls").write_bytes((Path(__file__).parent / "fixtures" / "ledgers" / "case-over-rows-rejected.xls").read_bytes())
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: l.xls\noutput_dir: out\n", encoding="utf-8")
    result = invoke(config, "--as-of", "2026-11-23")
    assert result.exit_code == 1, result.output
    assert "2 more rows rejected: filed after today" in result.stderr
    counts = summary_of(tmp_path, "2026-11-23")["counts"]
    assert (counts["rows"], counts["cases"], counts["rejected"], counts["skipped"]) == (11, 2, 8, 1)


def test_the_history_records_the_rejected_rows_of_each_run_as_errors_csv_lists_them(tmp_path):
    """The load's rejects and a filing date after today alike, so that diff can tell a case whose
    row was rejected from one taken out of the ledger; a run of the same day again replaces them."""
    late = "(2025)鲁0902执5号,2062-03-01,李四,x,y,z,1," + EXTRA + "\n"
    config = config_in(tmp_path, ROWS + [BAD_ROW, late])
    assert invoke(config, "--as-of", "2025-06-30").exit_code == 1
    errors = pd.read_csv(tmp_path / "out" / "2025-06-30" / "errors.csv", encoding="utf-8-sig")
    with history.open_history(tmp_path / "out" / "history.sqlite") as store:
        rejected = store.rejected(store.run_at())
    # the file as read (errors.csv shows it from the settings file's folder, as ledger: names it)
    assert rejected.values.tolist() == errors.replace({"文件": {"ledger.csv": str(tmp_path / "ledger.csv")}}).values.tolist()
    assert rejected[["row", "case_no"]].values.tolist() == [[5, "(2025)鲁0902执4号"], [6, "(2025)鲁0902执5号"]]
    config_in(tmp_path)
    assert invoke(config, "--as-of", "2025-06-30").exit_code == 0
    with history.open_history(tmp_path / "out" / "history.sqlite") as store:
        assert store.rejected(store.run_at()).empty


def test_columns_the_ledger_does_not_keep_are_noted_not_warned_about(tmp_path):
    """A ledger without 备注 and 是否涉信访 warns (exit 1) every night until the settings say the
    ledger does not keep them (absent_columns, by header or field name): then a note, exit 0."""
    drop = lambda line: ",".join(v for i, v in enumerate(line.rstrip("\n").split(",")) if i not in (9, 10)) + "\n"
    (tmp_path / "ledger.csv").write_text(drop(HEADER) + "".join(map(drop, ROWS)), encoding="utf-8")
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: ledger.csv\noutput_dir: out\n", encoding="utf-8")
    warned = invoke(config, "--as-of", "2025-06-30")
    assert warned.exit_code == 1, warned.output
    config.write_text("ledger: ledger.csv\noutput_dir: out\nabsent_columns: [备注, petition]\n", encoding="utf-8")
    quiet = invoke(config, "--as-of", "2025-06-30")
    assert quiet.exit_code == 0, quiet.output
    summary = summary_of(tmp_path)
    assert summary["warnings"] == []
    assert [n[:40] for n in summary["notes"] if "absent_columns" in n] == [
        "the ledger has no 是否涉信访 column (petition), "[:40], "the ledger has no 备注 column (notes), so ever"[:40]]
    config.write_text("ledger: ledger.csv\noutput_dir: out\nabsent_columns: [备注栏]\n", encoding="utf-8")
    wrong = invoke(config, "--as-of", "2025-06-30")
    assert wrong.exit_code == 2
    assert f"{config}:3: absent_columns: '备注栏' is neither a ledger field nor a header (did you mean '备注'?)" in wrong.output
    assert "load:" not in wrong.output  # refused before the ledger is read


def test_a_ledger_without_the_plan_columns_is_warned_about_once(tmp_path):
    """A ledger with no 未结原因, 下一步打算 or 预计结案时间 column has every open key case 未填写 in
    report.xlsx and 月报待填 in officers.xlsx: one warning says so (exit 1), a note when the
    settings say the ledger does not keep them."""
    drop = lambda line: ",".join(line.rstrip("\n").split(",")[:13]) + "\n"
    (tmp_path / "ledger.csv").write_text(drop(HEADER) + "".join(map(drop, ROWS)), encoding="utf-8")
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: ledger.csv\noutput_dir: out\n", encoding="utf-8")
    warned = invoke(config, "--as-of", "2026-06-30")  # 执1号 and 执3号 open over a year: key cases
    assert warned.exit_code == 1, warned.output
    summary = summary_of(tmp_path, "2026-06-30")
    assert [w[:90] for w in summary["warnings"]] == [
        "the ledger has no 未结原因 (reason_open), 下一步打算 (next_step) or 预计结案时间 (expected_close) column, "
        "so every"[:90]]
    config.write_text("ledger: ledger.csv\noutput_dir: out\nabsent_columns: [未结原因, 下一步打算, 预计结案时间]\n",
                      encoding="utf-8")
    quiet = invoke(config, "--as-of", "2026-06-30")
    assert quiet.exit_code == 0, quiet.output
    summary = summary_of(tmp_path, "2026-06-30")
    assert summary["warnings"] == []
    assert [n.endswith("(absent_columns: not kept in this ledger)") for n in summary["notes"] if "月报待填" in n] == [True]


def test_officers_xlsx_gives_the_weeks_target_set_on_its_start_as_ranking_xlsx_does(tmp_path):
    """Run on Wednesday 2025-07-02, 张三's weekly target by the rule (share 0.5) is set on the 3
    cases open on Monday 2025-06-30, one of them closed that day: 2, the target the ranking sets the
    week's closes against, not 1 from the 2 still open."""
    config = config_in(tmp_path, [*ROWS, "(2025)鲁0902执5号,2025-04-01,张三,甲,乙,买卖合同纠纷,1,2025-06-30" + EXTRA + "\n"])
    config.write_text("ledger: ledger.csv\noutput_dir: out\ntargets: {share: 0.5, minimum: 1}\n", encoding="utf-8")
    assert invoke(config, "--as-of", "2025-07-02").exit_code == 0
    officers = pd.read_excel(tmp_path / "out" / "2025-07-02" / "officers.xlsx", header=1, engine="openpyxl")
    assert officers[["承办人", "未结", "每周结案任务数"]].values.tolist() == [["张三", 2, 2]]
    assert invoke(config, "--as-of", "2025-07-07").exit_code == 0  # the week is ranked from its Sunday on
    ranked = pd.read_excel(tmp_path / "out" / "2025-07-07" / "ranking.xlsx", header=1, engine="openpyxl")
    assert ranked.loc[ranked["期间"].eq("2025年第27周") & ranked["承办人"].eq("张三"), "每周结案任务数"].tolist() == [2]


def test_unreadable_ledger_exits_2_and_writes_nothing(tmp_path):
    config = config_in(tmp_path)
    (tmp_path / "ledger.csv").write_bytes(b"\x00\x01binary")
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 2
    assert not (tmp_path / "out" / "2025-06-30").exists()


@pytest.mark.parametrize("settings, message", [
    ("output_dir: out\n", "no ledger to run on: set `ledger:` in {config}"),
    ("ledger: gone.xlsx\noutput_dir: out\n",
     "gone.xlsx: no such file (the ledger named by `ledger:` in {config}; correct that setting)"),
    ("ledger: '台帐/*.xlsx'\noutput_dir: out\n",
     "台帐/*.xlsx: no file matches (the ledger named by `ledger:` in {config}; correct that setting)"),
])
def test_a_run_without_its_ledger_leaves_no_output_folder(tmp_path, settings, message):
    config = tmp_path / "backlog.yaml"
    config.write_text(settings, encoding="utf-8")
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 2
    assert result.output == f"backlog: error: {message.format(config=config, folder=tmp_path)}\n"
    assert not (tmp_path / "out").exists()


def test_an_output_dir_that_is_a_file_is_said_to_be_one_at_its_setting(tmp_path):
    """`output_dir:` naming a file (a slip for the folder beside it) was said as `cannot create the
    output folder out: File exists`, which reads as if the folder were there: it names the setting's
    line and says the path is a file; the file is left as it was and nothing is written."""
    config = config_in(tmp_path)
    (tmp_path / "out").write_text("记录", encoding="utf-8")
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 2
    assert result.output == (f"backlog: error: {config}:2: output_dir: out is a file, not a folder; "
                             "name the folder `backlog run` writes its dated folders in\n")
    assert (tmp_path / "out").read_text(encoding="utf-8") == "记录"


def test_a_ledger_folder_holding_an_output_of_backlog_is_run_without_it(tmp_path):
    """`ledger: 台帐/` with a clerk's 底数.xlsx in it: the run leaves it out with a note, its cases
    read once (each was rejected as a duplicate), and summary.json names the ledger files read;
    `ledger:` naming the output itself is refused before anything is written."""
    (tmp_path / "台帐").mkdir()
    (tmp_path / "台帐" / "ledger.csv").write_text(HEADER + "".join(ROWS), encoding="utf-8")
    out = tmp_path / "底数.xlsx"
    assert runner.invoke(app, ["classify", str(tmp_path / "台帐"), "--as-of", "2025-06-30", "-o", str(out)]).exit_code == 0
    out.replace(tmp_path / "台帐" / "底数.xlsx")
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: 台帐/\noutput_dir: out\n", encoding="utf-8")
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 0, result.output
    summary = summary_of(tmp_path)
    assert (summary["counts"]["cases"], summary["counts"]["rejected"]) == (3, 0)
    assert [Path(f).name for f in summary["ledger"]] == ["ledger.csv"]
    assert [n.split(": ", 1)[1] for n in summary["notes"] if "底数.xlsx" in n] == [
        "skipped: an output of backlog, not a ledger"]
    config.write_text("ledger: 台帐/底数.xlsx\noutput_dir: out2\n", encoding="utf-8")
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 2 and "底数.xlsx: an output of backlog, not a ledger; name the ledger" in result.output
    assert not (tmp_path / "out2").exists()


def test_a_run_without_settings_points_to_backlog_init(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    result = runner.invoke(app, ["run", "--as-of", "2025-06-30"])
    assert result.exit_code == 2
    assert result.output == ("backlog: error: no ledger to run on: no backlog.yaml here (nor --config FILE or "
                             "$BACKLOG_CONFIG); write one with `backlog init` and set `ledger:` in it\n")
    assert list(tmp_path.iterdir()) == []


def test_a_day_after_today_is_refused_before_anything_is_written(tmp_path):
    """The history orders runs by their day: a run recorded ahead would be what every later diff
    compares with."""
    config = config_in(tmp_path)
    assert invoke(config, "--as-of", "2025-06-30").exit_code == 0
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    result = invoke(config, "--as-of", tomorrow.isoformat())
    assert result.exit_code == 2
    assert result.output == (f"backlog: error: backlog run records the history: --as-of {tomorrow} is after today "
                             f"({today}); run it on or after that day\n")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2025-06-30", "history.sqlite"]
    assert history_rows(tmp_path) == [("2025-06-30", 3)]


def test_same_day_twice_one_history_entry_and_ledger_untouched(tmp_path):
    config = config_in(tmp_path)
    before = hashlib.sha256((tmp_path / "ledger.csv").read_bytes()).hexdigest()
    assert invoke(config, "--as-of", "2025-06-30").exit_code == 0
    (tmp_path / "out" / "2025-06-30" / "officer-old.csv").write_text("left from an earlier run")
    assert invoke(config, "--as-of", "2025-06-30").exit_code == 0
    assert invoke(config, "--as-of", "2025-07-01").exit_code == 0
    assert history_rows(tmp_path) == [("2025-06-30", 3), ("2025-07-01", 3)]
    assert not (tmp_path / "out" / "2025-06-30" / "officer-old.csv").exists()
    assert hashlib.sha256((tmp_path / "ledger.csv").read_bytes()).hexdigest() == before


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_run_killed_while_writing_leaves_the_previous_day_folder_whole(tmp_path, monkeypatch):
    config = config_in(tmp_path)
    assert invoke(config, "--as-of", "2025-06-30").exit_code == 0
    folder = tmp_path / "out" / "2025-06-30"
    before = folder_bytes(folder)

    def dies_midway(rejects, path):
        def half(tmp):
            Path(tmp).write_text("file,sheet\nhalf")
            raise KeyboardInterrupt  # the process is stopped while this file is being written
        return outputs.atomic_write(path, half)

    monkeypatch.setattr(outputs, "write_errors", dies_midway)
    (tmp_path / "ledger.csv").write_text(HEADER + "".join(ROWS[:2]), encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        run_mod.nightly_run(load_config(config), pd.Timestamp("2025-07-01"))
    with pytest.raises(KeyboardInterrupt):
        run_mod.nightly_run(load_config(config), pd.Timestamp("2025-06-30"))
    # the killed re-run of 2025-06-30 had written new triage.xlsx etc. (two cases now) before it
    # died: the folder on disk is still the first run's, byte for byte, and no partial one is left
    assert folder_bytes(folder) == before
    assert sorted(before) == ["errors.csv", "officers.xlsx", "officers/张三.xlsx", "overdue.xlsx", "problems.csv",
                              "ranking.xlsx", "report.xlsx", "summary.json", "triage.xlsx"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2025-06-30", "history.sqlite"]
    assert history_rows(tmp_path) == [("2025-06-30", 3)]  # the history is as it was
    assert not (tmp_path / "out" / run_mod.LOCK_NAME).exists()  # the lock is released


def test_a_day_folder_that_cannot_be_replaced_leaves_the_history_as_it_was(tmp_path, monkeypatch):
    """The day's folder is put in place before its history entry is committed: when it cannot be
    (a file in it open in Excel on Windows, a read-only folder), the run exits 2 and the history
    keeps the earlier run of the day, as the folder does."""
    config = config_in(tmp_path)
    assert invoke(config, "--as-of", "2025-06-30").exit_code == 0
    folder = tmp_path / "out" / "2025-06-30"
    before = folder_bytes(folder)
    real_replace = os.replace

    def held(src, dst):
        if Path(src) == folder:
            raise PermissionError(13, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(run_mod.os, "replace", held)
    (tmp_path / "ledger.csv").write_text(HEADER + "".join(ROWS[:2]), encoding="utf-8")
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 2 and "Permission denied" in result.output
    assert history_rows(tmp_path) == [("2025-06-30", 3)] and folder_bytes(folder) == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2025-06-30", "history.sqlite"]


def test_a_previous_day_folder_that_cannot_be_deleted_is_warned_about_and_blocks_nothing(tmp_path, monkeypatch):
    """Set aside under a name of its own, the previous folder left undeleted is said (exit 1) and
    a later run of the day goes through; the next run deletes it."""
    config = config_in(tmp_path)
    assert invoke(config, "--as-of", "2025-06-30").exit_code == 0
    real_rmtree = run_mod.shutil.rmtree
    monkeypatch.setattr(run_mod.shutil, "rmtree", lambda path, ignore_errors=False: None
                        if ".old-" in Path(path).name else real_rmtree(path, ignore_errors=ignore_errors))
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 1 and "the previous 2025-06-30 folder could not be deleted; it is kept as" in \
        " ".join(result.output.split())
    summary = summary_of(tmp_path)
    assert summary["exit_code"] == 1 and any("could not be deleted" in w for w in summary["warnings"])
    assert invoke(config, "--as-of", "2025-06-30").exit_code == 1
    assert len(list((tmp_path / "out").glob(".2025-06-30.old-*"))) == 2
    monkeypatch.setattr(run_mod.shutil, "rmtree", real_rmtree)
    assert invoke(config, "--as-of", "2025-07-01").exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2025-06-30", "2025-07-01", "history.sqlite"]


def test_folders_left_by_a_killed_run_of_another_day_are_cleared(tmp_path, monkeypatch):
    """A partial folder of any day is deleted by the next run; a day's folder set aside when the
    run was killed between the two renames is put back when that day has none."""
    config = config_in(tmp_path)
    assert invoke(config, "--as-of", "2025-06-30").exit_code == 0
    out = tmp_path / "out"
    (out / ".2025-06-29.partial").mkdir()
    (out / ".2025-06-29.partial" / "triage.xlsx").write_bytes(b"half")
    before = folder_bytes(out / "2025-06-30")
    os.replace(out / "2025-06-30", out / ".2025-06-30.old-1a2b3c4d")
    assert invoke(config, "--as-of", "2025-07-01").exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["2025-06-30", "2025-07-01", "history.sqlite"]
    assert folder_bytes(out / "2025-06-30") == before
    os.replace(out / "2025-06-30", out / ".2025-06-30.old-1a2b3c4d")
    real_replace = os.replace
    monkeypatch.setattr(run_mod.os, "replace", lambda src, dst: (_ for _ in ()).throw(PermissionError(13, "no"))
                        if Path(dst) == out / "2025-06-30" else real_replace(src, dst))
    assert invoke(config, "--as-of", "2025-07-01").exit_code == 0  # it cannot be put back: it is kept
    assert folder_bytes(out / ".2025-06-30.old-1a2b3c4d") == before


def test_a_read_only_history_is_a_plain_error(tmp_path, monkeypatch):
    """A history the database refuses to write (a read-only file): exit 2 naming it, not an
    internal error; the day's folder is not put in place."""
    config = config_in(tmp_path)
    assert invoke(config, "--as-of", "2025-06-30").exit_code == 0

    def refuses(self, conn, info, snapshot, rejects):
        raise sa.exc.OperationalError("DELETE FROM snapshots", {}, Exception("attempt to write a readonly database"))

    monkeypatch.setattr(history.History, "_store", refuses)
    result = invoke(config, "--as-of", "2025-07-01")
    assert result.exit_code == 2, result.output
    assert "cannot record the run (attempt to write a readonly database)" in " ".join(result.output.split())
    assert not (tmp_path / "out" / "2025-07-01").exists()



def test_a_run_stopped_by_a_history_it_cannot_open_leaves_no_output_folder_it_made(tmp_path):
    """A run that stops because the history cannot be opened (a text file named by history:)
    writes nothing: the output folders it created for its lock are gone again (they were left
    empty); one that was there before stays."""
    config = config_in(tmp_path)
    (tmp_path / "notes.txt").write_text("not a database\n", encoding="utf-8")
    config.write_text("ledger: ledger.csv\noutput_dir: out/nightly\nhistory: notes.txt\n", encoding="utf-8")
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 2, result.output
    assert "backlog.yaml:3: history" in result.output and "cannot open the database" in result.output
    assert not (tmp_path / "out").exists()
    (tmp_path / "out" / "nightly").mkdir(parents=True)
    assert invoke(config, "--as-of", "2025-06-30").exit_code == 2
    assert list((tmp_path / "out" / "nightly").iterdir()) == []


def test_a_damaged_history_the_run_cannot_record_into_is_said_at_its_setting(tmp_path):
    """A history whose snapshots table is gone: the run stops with one line naming the history
    after the backlog.yaml line that names it (it named the database's URL alone), and puts no
    day's folder in place."""
    config = config_in(tmp_path)
    config.write_text("ledger: ledger.csv\noutput_dir: out\nhistory: h.db\n", encoding="utf-8")
    assert invoke(config, "--as-of", "2025-06-30", "-q").exit_code == 0
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'h.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("drop table snapshots"))
    engine.dispose()
    result = invoke(config, "--as-of", "2025-07-01", "-q")
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1].endswith(
        f"backlog: error: {config}:3: history {tmp_path / 'h.db'}: cannot record the run (no such table: snapshots)")
    assert not (tmp_path / "out" / "2025-07-01").exists()

def test_second_run_while_one_is_going_exits_3(tmp_path):
    config = config_in(tmp_path)
    with run_mod.run_lock(tmp_path / "out"):
        result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 3
    assert f"pid {os.getpid()}" in result.output and "another run is going" in result.output
    assert not (tmp_path / "out" / "2025-06-30").exists()


def test_lock_held_by_another_live_process(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lock = tmp_path / run_mod.LOCK_NAME
        lock.write_text(json.dumps({"pid": sleeper.pid, "host": run_mod.socket.gethostname(), "started": "2025-06-30T02:00:00"}))
        with pytest.raises(LockedError, match=f"pid {sleeper.pid} on .* started 2025-06-30T02:00:00"):
            with run_mod.run_lock(tmp_path):
                pass
    finally:
        sleeper.kill()
        sleeper.wait()
    with run_mod.run_lock(tmp_path):  # its process is gone: the lock is stale and taken over
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    assert not lock.exists()


@pytest.fixture
def sleeper():
    """A live process of this host that is not a backlog run."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    yield proc
    proc.kill()
    proc.wait()


def write_lock(folder: Path, held: dict | None, age: float = 0.0) -> Path:
    """A lock file holding ``held`` (an empty file for None), written ``age`` seconds ago."""
    lock = folder / run_mod.LOCK_NAME
    lock.write_text(json.dumps(held) if held is not None else "", encoding="utf-8")
    when = time.time() - age
    os.utime(lock, (when, when))
    return lock


def test_an_empty_lock_file_is_a_run_starting_until_it_is_old(tmp_path):
    """A run of an older version creates the file, then writes its pid: while the file is a second
    old it is held; a minute old (LOCK_GRACE_SECONDS is 10) it is left over and taken over."""
    lock = write_lock(tmp_path, None, age=1)
    with pytest.raises(LockedError, match=f"a run is starting: the lock file {re.escape(str(lock))} has no pid"):
        with run_mod.run_lock(tmp_path):
            pass
    assert lock.read_text() == ""  # left to the run that is starting
    write_lock(tmp_path, None, age=60)
    with run_mod.run_lock(tmp_path):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    assert not lock.exists()


def test_a_lock_file_is_written_whole_and_holds_the_process_start(tmp_path):
    with run_mod.run_lock(tmp_path) as lock:
        held = json.loads(lock.read_text())
        assert sorted(p.name for p in tmp_path.iterdir()) == [run_mod.LOCK_NAME]  # nothing left aside
    assert held["pid"] == os.getpid() and held["host"] == run_mod.socket.gethostname()
    if Path("/proc/self/stat").exists():
        # field 22 of /proc/PID/stat, after the command name in parentheses
        assert held["pid_start"] == int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])


def test_a_lock_on_a_file_system_without_hard_links(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(run_mod.os, "link", no_links)
    with run_mod.run_lock(tmp_path) as lock:
        assert json.loads(lock.read_text())["pid"] == os.getpid()
        with pytest.raises(LockedError, match=f"pid {os.getpid()} on "):
            with run_mod.run_lock(tmp_path):
                pass
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(run_mod._boot_time() is None, reason="no boot time here (Linux /proc/stat)")
def test_a_plain_pid_lock_of_an_earlier_version_holds_while_its_pid_runs(tmp_path, sleeper):
    """Earlier versions wrote the pid alone ("12345\\n"): read as a pid of this host, it holds the
    lock while that process runs, however old the file, and is taken over once it is gone."""
    lock = tmp_path / run_mod.LOCK_NAME
    lock.write_text(f"{sleeper.pid}\n", encoding="ascii")
    os.utime(lock, (time.time() - 60, time.time() - 60))
    with pytest.raises(LockedError) as held:
        with run_mod.run_lock(tmp_path):
            pass
    assert str(held.value) == (f"another run is going: pid {sleeper.pid} (lock file {lock}; "
                               "delete it if that run is gone)")
    assert lock.read_text(encoding="ascii") == f"{sleeper.pid}\n"
    sleeper.kill()
    sleeper.wait()
    with run_mod.run_lock(tmp_path):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    assert not lock.exists()


class _Kernel32:
    """Windows' kernel32 as _windows_pid_alive calls it: processes by pid with their exit codes
    (259 while running); ``denied`` pids cannot be opened for want of rights."""

    def __init__(self, codes: dict[int, int], denied: tuple[int, ...] = ()):
        self.codes, self.denied, self.error, self.open = codes, denied, 0, set()

    def OpenProcess(self, access, inherit, pid):  # noqa: N802 (the Windows names)
        assert access == 0x1000 and not inherit  # PROCESS_QUERY_LIMITED_INFORMATION, not inherited
        if pid in self.codes:
            self.open.add(pid)
            return pid
        self.error = 5 if pid in self.denied else 87  # access denied / invalid parameter
        return 0

    def GetExitCodeProcess(self, handle, code):  # noqa: N802
        code._obj.value = self.codes[handle]
        return 1

    def CloseHandle(self, handle):  # noqa: N802
        self.open.remove(handle)
        return 1


@pytest.mark.parametrize("pid, alive", [(4242, True), (4243, False), (4244, True), (4245, False), (2**32, False)])
def test_windows_asks_a_process_for_its_exit_code_instead_of_sending_signal_0(pid, alive):
    """Signal 0 is Ctrl+C on Windows: there the pid is opened for a query and its exit code read,
    STILL_ACTIVE (259) while it runs; a process of another user (access denied) runs too, a pid
    with no process (invalid parameter) does not; every handle opened is closed."""
    kernel32 = _Kernel32({4242: 259, 4243: 0}, denied=(4244,))
    assert run_mod._windows_pid_alive(pid, kernel32, lambda: kernel32.error) is alive
    assert kernel32.open == set()


def test_pid_alive_on_windows_never_sends_a_signal(monkeypatch):
    asked = []
    monkeypatch.setattr(run_mod.os, "name", "nt")
    monkeypatch.setattr(run_mod, "_windows_pid_alive", lambda pid: asked.append(pid) or True)
    monkeypatch.setattr(run_mod.os, "kill", lambda *a: pytest.fail("os.kill on Windows sends Ctrl+C"))
    assert run_mod._pid_alive(4242) and asked == [4242]


@pytest.mark.parametrize("pid", ["2147483648", "9223372036854775808", "99999999999999999999999"])
def test_a_lock_with_a_pid_no_system_has_is_stale(tmp_path, pid):
    lock = tmp_path / run_mod.LOCK_NAME
    lock.write_text(pid + "\n", encoding="ascii")
    os.utime(lock, (time.time() - 60, time.time() - 60))
    with run_mod.run_lock(tmp_path):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    assert not lock.exists()


def test_a_lock_from_before_the_boot_is_stale_though_its_pid_is_running(tmp_path, sleeper):
    """After a reboot the pid in a lock left behind may be another process's: the lock file is
    older than the boot, so it is taken over; the same lock written after the boot is held."""
    held = {"pid": sleeper.pid, "host": run_mod.socket.gethostname(), "started": "2025-06-30T02:00:00"}
    lock = write_lock(tmp_path, held, age=time.time() - run_mod._boot_time() + 60)
    with run_mod.run_lock(tmp_path):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    write_lock(tmp_path, held)
    with pytest.raises(LockedError, match=f"pid {sleeper.pid} on "):
        with run_mod.run_lock(tmp_path):
            pass


@pytest.mark.skipif(run_mod._process_start(os.getpid()) is None, reason="no process start times here (Linux /proc)")
def test_a_lock_whose_pid_started_at_another_time_is_stale(tmp_path, sleeper):
    start = run_mod._process_start(sleeper.pid)
    held = {"pid": sleeper.pid, "host": run_mod.socket.gethostname(), "started": "2025-06-30T02:00:00"}
    write_lock(tmp_path, {**held, "pid_start": start})
    with pytest.raises(LockedError, match=f"pid {sleeper.pid} on "):
        with run_mod.run_lock(tmp_path):
            pass
    lock = write_lock(tmp_path, {**held, "pid_start": start - 1})  # the pid was another process's
    with run_mod.run_lock(tmp_path):
        assert json.loads(lock.read_text())["pid"] == os.getpid()


def test_a_lock_of_another_host_is_never_taken_over(tmp_path):
    write_lock(tmp_path, {"pid": 2**22 + 1, "host": "another-host", "started": "2025-06-30T02:00:00"}, age=10**8)
    with pytest.raises(LockedError, match=r"pid 4194305 on another-host, started 2025-06-30T02:00:00 "
                                          r"\(lock file .*; delete it if that run is gone\)"):
        with run_mod.run_lock(tmp_path):
            pass


def test_a_stale_lock_replaced_meanwhile_by_another_run_is_put_back(tmp_path):
    """Two runs find the same stale lock; the first removes it and takes the lock; the second,
    removing what it read, finds the first's new lock in its place and leaves it there."""
    lock = write_lock(tmp_path, {}, age=60)
    stale = run_mod._read_lock(lock)
    new = tmp_path / "new"
    new.write_text('{"pid": 1}', encoding="utf-8")
    os.replace(new, lock)  # the first run's lock: another file
    run_mod._remove_stale(lock, stale)
    assert lock.read_text() == '{"pid": 1}' and sorted(p.name for p in tmp_path.iterdir()) == [run_mod.LOCK_NAME]
    run_mod._remove_stale(lock, run_mod._read_lock(lock))
    assert list(tmp_path.iterdir()) == []


def test_a_lock_put_back_never_replaces_a_third_runs_lock(tmp_path, monkeypatch, sleeper):
    """We read a stale lock; run B replaces it with its own before we move it aside; run C creates
    its lock between our two renames. B's lock is not put back over C's: C's stands, and we do not
    take the lock."""
    host = run_mod.socket.gethostname()
    lock = write_lock(tmp_path, {}, age=60)
    b_lock = {"pid": sleeper.pid, "host": host, "started": "2025-06-30T02:00:00"}
    c_lock = {"pid": os.getpid(), "host": host, "started": "2025-06-30T02:00:01"}
    real_replace, moves = os.replace, []

    def racing_replace(src, dst):
        if not moves:  # our first rename, the lock aside
            new = tmp_path / "b.new"
            new.write_text(json.dumps(b_lock), encoding="utf-8")
            real_replace(new, lock)
            real_replace(src, dst)
            lock.write_text(json.dumps(c_lock), encoding="utf-8")
        else:
            real_replace(src, dst)
        moves.append((src, dst))

    monkeypatch.setattr(run_mod.os, "replace", racing_replace)
    with pytest.raises(LockedError, match=f"pid {os.getpid()} on .* started 2025-06-30T02:00:01 "):
        with run_mod.run_lock(tmp_path):
            pass
    assert json.loads(lock.read_text(encoding="utf-8")) == c_lock
    assert sorted(p.name for p in tmp_path.iterdir()) == [run_mod.LOCK_NAME]  # nothing left aside


def test_history_at_a_configured_path(tmp_path):
    config = config_in(tmp_path)
    config.write_text("ledger: ledger.csv\noutput_dir: out\nhistory: db/h.sqlite\n", encoding="utf-8")
    # no folder is created outside output_dir: a history in a missing folder is an error
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 2
    assert f"history {tmp_path / 'db' / 'h.sqlite'}: the folder {tmp_path / 'db'} does not exist" in result.output
    assert not (tmp_path / "db").exists() and not (tmp_path / "out" / "2025-06-30").exists()
    (tmp_path / "db").mkdir()
    summary = run_mod.nightly_run(load_config(config), pd.Timestamp("2025-06-30"))
    assert summary.history == str(tmp_path / "db" / "h.sqlite")
    with history.open_history(tmp_path / "db" / "h.sqlite") as h:
        assert h.list_runs()["cases"].tolist() == [3]


def test_history_and_diff_commands(tmp_path):
    config = config_in(tmp_path)
    assert invoke(config, "--as-of", "2025-06-30").exit_code == 0
    changed = [ROWS[0].replace("1000,", "1000,2025-07-01"), ROWS[1], ROWS[2].replace("张三", "王五"),
               "(2025)鲁0902执9号,2025-07-01,李四,a,b,赡养费纠纷,1," + EXTRA + "\n"]
    (tmp_path / "ledger.csv").write_text(HEADER + "".join(changed), encoding="utf-8")
    assert invoke(config, "--as-of", "2025-07-02").exit_code == 0
    runs = json.loads(runner.invoke(app, ["history", "--config", str(config), "-f", "json"]).output)
    assert [(r["as_of"], r["cases"], r["open"]) for r in runs] == [("2025-06-30", 3, 2), ("2025-07-02", 4, 2)]
    result = runner.invoke(app, ["diff", "--config", str(config), "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "case_no,change,officer,before,after",
        "(2025)鲁0902执9号,new,李四,,minsheng;key",
        "(2025)鲁0902执1号,closed,张三,open,2025-07-01",
        "(2025)鲁0902执3号,reassigned,王五,张三,王五",
    ]
    early = runner.invoke(app, ["diff", "--config", str(config), "--since", "2025-06-01"])
    assert early.exit_code == 2 and "no run on or before 2025-06-01" in early.output
    for day in ("2025-07-02", "2030-01-01"):  # the latest run itself: nothing to compare it with
        late = runner.invoke(app, ["diff", "--config", str(config), "--since", day])
        assert late.exit_code == 2 and (f"--since {day} is on or after the latest run (2025-07-02): nothing to "
                                        "compare it with") in late.output


def test_the_settings_columns_give_the_kind_of_a_field_the_rules_read_with_column(tmp_path):
    """A column a columns file of the settings adds as a number is compared as a number by the
    rules of the settings, in the nightly run and in diff, which reads those rules for labels."""
    config = config_in(tmp_path, [row.replace("\n", f",{n}\n") for row, n in zip(ROWS, (12, 30, 2))])
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("预计结案时间\n", "预计结案时间,合议庭人数\n", 1),
                      encoding="utf-8")
    (tmp_path / "cols.yaml").write_text("fields:\n  judge_count:\n    kind: number\n    aliases: [合议庭人数]\n",
                                        encoding="utf-8")
    (tmp_path / "big.yaml").write_text("version: 1\nextends: default\ncategories:\n  - id: big_panel\n"
                                       "    label: 合议庭人数多\n    when: {column: judge_count, gt: 3}\n", encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8") + "columns: cols.yaml\nrules: big.yaml\n", encoding="utf-8")
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 0, result.output
    summary = summary_of(tmp_path)
    assert summary["counts"]["categories"]["big_panel"] == 1  # 12, not 2 ("12" < "3" as text)
    assert invoke(config, "--as-of", "2025-07-02").exit_code == 0
    diff = runner.invoke(app, ["diff", "--config", str(config), "-f", "csv"])
    assert diff.exit_code == 0, diff.output


def test_history_and_diff_as_of_a_past_day_give_what_they_gave_then(tmp_path):
    """--as-of picks the runs on or before the day: a diff asked again after later runs is the same
    diff, and history lists what it listed then."""
    config = config_in(tmp_path)
    assert invoke(config, "--as-of", "2025-06-30").exit_code == 0
    closed = [ROWS[0].replace("1000,", "1000,2025-07-01"), ROWS[1], ROWS[2]]
    (tmp_path / "ledger.csv").write_text(HEADER + "".join(closed), encoding="utf-8")
    assert invoke(config, "--as-of", "2025-07-02").exit_code == 0

    def diff(*args: str) -> list[str]:
        result = runner.invoke(app, ["diff", "--config", str(config), "-f", "csv", *args])
        assert result.exit_code == 0, result.output
        return result.output.splitlines()

    then = diff()
    assert then == ["case_no,change,officer,before,after", "(2025)鲁0902执1号,closed,张三,open,2025-07-01"]
    reassigned = [closed[0], closed[1], ROWS[2].replace("张三", "王五")]
    (tmp_path / "ledger.csv").write_text(HEADER + "".join(reassigned), encoding="utf-8")
    assert invoke(config, "--as-of", "2025-07-09").exit_code == 0
    assert diff() == ["case_no,change,officer,before,after", "(2025)鲁0902执3号,reassigned,王五,张三,王五"]
    for day in ("2025-07-02", "2025-07-08"):  # the run of 07-02 is the latest on or before either day
        assert diff("--as-of", day) == then
        assert diff("--as-of", day, "--since", "2025-06-30") == then
    runs = runner.invoke(app, ["history", "--config", str(config), "-f", "json", "--as-of", "2025-07-08"])
    assert [r["as_of"] for r in json.loads(runs.output)] == ["2025-06-30", "2025-07-02"]
    for args, message in [
        (["--as-of", "2025-06-29"], "the history has no run on or before --as-of 2025-06-29"),
        (["--as-of", "2025-07-01"], "no run before the run of 2025-06-30 (the latest on or before --as-of 2025-07-01) "
         "in the history"),
        (["--as-of", "2025-06-30"], "no run before the run of 2025-06-30 (the latest on or before --as-of 2025-06-30) "
         "in the history"),
        (["--as-of", "2025-07-08", "--since", "2025-07-05"],
         "--since 2025-07-05 is on or after the run of 2025-07-02 (the latest on or before --as-of 2025-07-08): "
         "nothing to compare"),
    ]:
        result = runner.invoke(app, ["diff", "--config", str(config), *args])
        assert result.exit_code == 2 and message in result.output, result.output


def test_history_command_without_history(tmp_path):
    result = runner.invoke(app, ["history", "--config", str(config_in(tmp_path))])
    assert result.exit_code == 2 and "no run history" in result.output
    assert not (tmp_path / "out" / "history.sqlite").exists()


def test_diff_after_a_case_closes_and_another_becomes_overdue(tmp_path):
    config = config_in(tmp_path)
    assert invoke(config, "--as-of", "2025-07-04").exit_code == 0
    closed = [ROWS[0], ROWS[1], ROWS[2].replace("3000,", "3000,2025-07-06")]
    (tmp_path / "ledger.csv").write_text(HEADER + "".join(closed), encoding="utf-8")
    assert invoke(config, "--as-of", "2025-07-07").exit_code == 0
    result = runner.invoke(app, ["diff", "--config", str(config), "-f", "csv"])
    assert result.output.splitlines() == [
        "case_no,change,officer,before,after",
        "(2025)鲁0902执3号,closed,张三,open,2025-07-06",
        # filed 2025-01-05: the six-month legal limit fell due on 2025-07-05
        "(2025)鲁0902执1号,newly_overdue,张三,,legal_limit",
    ]
    table = runner.invoke(app, ["diff", "--config", str(config)]).output
    assert "汇总（2025-07-04 → 2025-07-07）" in table and "变化（2025-07-04 → 2025-07-07）" in table
    assert re.search(r"│ \(2025\)鲁0902执3号 +│ 已结 +│ 张三 +│ 未结 +│ 已结 +│ 2025-07-06 │", table)
    assert re.search(r"│ \(2025\)鲁0902执1号 +│ 新超期 +│ 张三 +│ +│ 法定执行期限 │ +│", table)
    assert re.search(r"│ 新超期 +│ +1 │", table) and "newly_overdue" not in table
    overdue = pd.read_excel(tmp_path / "out" / "2025-07-07" / "overdue.xlsx", header=1, engine="openpyxl")
    assert overdue.iloc[:, 0].tolist() == ["(2025)鲁0902执1号"]


def test_summary_counts_the_rows_of_the_over_six_months_list(tmp_path):
    """counts.open_over_6_months is overdue.xlsx's row count: 执1号 (filed 01-05) and 执3号
    (03-07) are open more than 6 months on 2025-12-31 (执2号 closed in May)."""
    import openpyxl

    config = config_in(tmp_path)
    assert invoke(config, "--as-of", "2025-12-31").exit_code == 0
    folder = tmp_path / "out" / "2025-12-31"
    summary = summary_of(tmp_path, "2025-12-31")
    sheet = openpyxl.load_workbook(folder / "overdue.xlsx", read_only=True).worksheets[0]
    listed = [r[0] for r in sheet.iter_rows(values_only=True) if r[0] and str(r[0]).startswith("(2025)")]
    assert sorted(listed) == ["(2025)鲁0902执1号", "(2025)鲁0902执3号"]
    assert summary["counts"]["open_over_6_months"] == 2


def test_a_ledger_without_an_officer_column_still_runs_everything_under_unassigned(tmp_path):
    """No 承办人 column: the load warns that every case reads it as blank, and the run writes its
    files with every open case under 未分配 (exit 1 for the warning), instead of stopping."""
    (tmp_path / "ledger.csv").write_text(HEADER.replace("承办人,", "") + "".join(
        ",".join(r.split(",")[:2] + r.split(",")[3:]) for r in ROWS), encoding="utf-8")
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: ledger.csv\noutput_dir: out\n", encoding="utf-8")
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 1, result.output
    assert "no 承办人 column (officer)" in result.output
    folder = tmp_path / "out" / "2025-06-30"
    assert [p.name for p in (folder / "officers").iterdir()] == ["未分配.xlsx"]


def test_a_past_day_is_reproduced_with_a_note_not_a_warning(tmp_path):
    """On 2025-02-01 two of the three cases were not filed yet: they are left out with a note, and
    the run exits 0 (nothing to look at: the ledger has only grown since)."""
    config = config_in(tmp_path)
    result = invoke(config, "--as-of", "2025-02-01")
    assert result.exit_code == 0, result.output
    summary = summary_of(tmp_path, "2025-02-01")
    assert summary["warnings"] == [] and summary["counts"]["cases"] == 1
    assert summary["notes"] == ["2 cases filed after 2025-02-01 are left out: they did not exist yet; "
                                "(2025)鲁0902执3号 filed 2025-03-07 at ledger.csv [ledger] row 4; "
                                "(2025)鲁0902执2号 filed 2025-02-06 at ledger.csv [ledger] row 3"]
    assert "note: 2 cases filed after 2025-02-01" in result.output


def test_ctrl_c_and_sigterm_say_interrupted(tmp_path, monkeypatch):
    from backlog_cli import cli

    config = config_in(tmp_path)
    for stop, code in ((KeyboardInterrupt, 130), (cli.Terminated, 143)):
        def stopped(*args, stop=stop, **kwargs):
            raise stop()

        monkeypatch.setattr(run_mod, "nightly_run", stopped)
        result = invoke(config, "--as-of", "2025-06-30", "--quiet")
        assert (result.exit_code, result.stderr) == (code, "backlog: interrupted\n")


def test_sigterm_handler_stops_once(monkeypatch):
    import signal

    from backlog_cli import cli

    monkeypatch.setattr(signal, "signal", lambda *args: calls.append(args))
    calls = []
    with pytest.raises(cli.Terminated):
        cli._on_sigterm(signal.SIGTERM, None)
    assert calls == [(signal.SIGTERM, signal.SIG_IGN)]  # a second SIGTERM does not cut the clean-up short


def test_log_file_lines_start_with_the_time():
    import io

    from backlog_cli.cli import LogFile

    out = io.StringIO()
    log = LogFile(out, clock=lambda: dt.datetime(2026, 11, 24, 2, 30, 5))
    log.write("load: 3 cases")
    log.write(" (0.1 s)\nclassify: ok\n\ndone\n")
    assert out.getvalue() == ("2026-11-24T02:30:05 load: 3 cases (0.1 s)\n2026-11-24T02:30:05 classify: ok\n\n"
                              "2026-11-24T02:30:05 done\n")


STOPPED_RUN = """
import sys, time
from backlog_cli import cli, run

def write_slowly(partial, *args):
    partial.mkdir()
    (partial / "triage.xlsx").write_text("half")
    time.sleep(30)

run._write_outputs = write_slowly
sys.argv = ["backlog", "run", "--config", sys.argv[1], "--as-of", "2025-06-30"]
cli.main()
"""


def test_sigterm_during_a_run_cleans_up_and_is_logged_with_the_time(tmp_path):
    """A cron or systemd timeout sends SIGTERM: the partial folder and the lock go, run.log says so."""
    import signal

    config = config_in(tmp_path)
    partial, lock = tmp_path / "out" / ".2025-06-30.partial", tmp_path / "out" / ".backlog-run.lock"
    with open(tmp_path / "run.log", "w", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, "-c", STOPPED_RUN, str(config)], stdout=log, stderr=log)
        deadline = time.monotonic() + 20
        while not (partial / "triage.xlsx").exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 143
    assert not partial.exists() and not lock.exists() and not (tmp_path / "out" / "2025-06-30").exists()
    lines = (tmp_path / "run.log").read_text(encoding="utf-8").splitlines()
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d "
    assert [re.sub(stamp, "", line, count=1).split(":")[0] for line in lines] == [
        "rules", "history open", "load", "classify", "assign", "report", "backlog"]
    assert all(re.match(stamp, line) for line in lines)
    assert lines[-1].endswith(" backlog: interrupted")


@pytest.mark.skipif(os.name != "posix", reason="closes a descriptor the POSIX way")
@pytest.mark.parametrize("closed", [(2,), (1, 2), (0, 1, 2)])
def test_a_run_with_its_messages_closed_off_still_runs(tmp_path, closed):
    """`backlog run 2>&-` (stderr closed, not sent to /dev/null): the first message stopped the run,
    which wrote nothing, recorded nothing and exited 120; it runs as with 2>/dev/null."""
    config = config_in(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "backlog_cli", "run", "--config", str(config), "--as-of", "2025-06-30"],
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          preexec_fn=lambda: [os.close(fd) for fd in closed], timeout=120)
    assert proc.returncode in (0, 1)
    assert summary_of(tmp_path)["exit_code"] == proc.returncode
    assert [day for day, _ in history_rows(tmp_path)] == ["2025-06-30"]
    assert (tmp_path / "out" / "history.sqlite").read_bytes().startswith(b"SQLite format 3")

def test_a_target_for_an_officer_with_no_case_is_warned_about_as_assign_warns(tmp_path):
    """The nightly run says what `backlog assign` says of a target for nobody in the ledger (exit 1)."""
    config = config_in(tmp_path)
    config.write_text("ledger: ledger.csv\noutput_dir: out\ntargets: {张三: 2, 孙八: 1}\n", encoding="utf-8")
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 1, result.output
    summary = summary_of(tmp_path)
    assert summary["warnings"] == ["a weekly target for 孙八, who has no case in the ledger (a typing slip in the "
                                   "targets, or an officer who has left)"]


def test_a_signal_while_the_run_is_put_in_place_is_let_go_once_it_is(monkeypatch):
    """SIGTERM (a cron timeout) while the day's folder is swapped in and the history committed:
    held off, then dropped, as the run is complete (exit 143 would say nothing was written); when
    the block fails, the signal is delivered after it."""
    import signal
    import threading

    got = []
    previous = signal.signal(signal.SIGTERM, lambda *_: got.append("TERM"))
    # another thread that takes signals, as a numerical library's workers do: the kernel hands a
    # signal the main thread blocks to it
    done = threading.Event()
    other = threading.Thread(target=done.wait, daemon=True)
    other.start()
    try:
        with run_mod._uninterrupted():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.1)  # time for the other thread to take it
            assert got == []
        assert got == []
        with pytest.raises(OSError), run_mod._uninterrupted():
            os.kill(os.getpid(), signal.SIGTERM)
            raise OSError("the folder could not be put in place")
        assert got == ["TERM"]
    finally:
        done.set()
        signal.signal(signal.SIGTERM, previous)


def test_a_run_whose_log_reader_goes_away_still_writes_its_day(tmp_path):
    """`backlog run 2>&1 | head -2`: the reader of the log lines goes after two; the run goes on,
    writes the day's folder and records it, and exits as it would have (it used to stop at the
    third line, exit 0, nothing written). So does an -o output."""
    config = config_in(tmp_path)
    env = {**os.environ, "LANG": "C.UTF-8"}
    command = f'"{sys.executable}" -m backlog_cli run --config "{config}" --as-of 2025-06-30 2>&1 | head -2; ' \
              'exit "${PIPESTATUS[0]}"'
    done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 2, done.stdout + done.stderr
    assert history_rows(tmp_path) == [("2025-06-30", 3)] and (tmp_path / "out" / "2025-06-30" / "summary.json").is_file()
    command = f'"{sys.executable}" -m backlog_cli overdue ledger.csv --months 1 --as-of 2025-06-30 -o o.xlsx 2>&1 ' \
              '| head -0; exit "${PIPESTATUS[0]}"'
    done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0 and (tmp_path / "o.xlsx").is_file(), done.stderr


def test_a_ledger_folder_runs_on_its_files_and_the_summary_names_them(tmp_path):
    """`ledger: 台帐`: the run reads the files in the folder (it refused a folder) and its summary
    and history name the files read (the summary from the settings file's folder, as `ledger:`
    names them; the history as read)."""
    config = config_in(tmp_path)
    (tmp_path / "台帐").mkdir()
    (tmp_path / "ledger.csv").rename(tmp_path / "台帐" / "ledger.csv")
    config.write_text("ledger: 台帐\noutput_dir: out\n", encoding="utf-8")
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 0, result.output
    summary = summary_of(tmp_path)
    assert summary["ledger"] == [str(Path("台帐") / "ledger.csv")]
    assert summary["counts"]["cases"] == 3
    with history.open_history(tmp_path / "out" / "history.sqlite") as store:
        assert store.list_runs()["ledger_files"].tolist() == [str(tmp_path / "台帐" / "ledger.csv")]


def test_a_run_names_the_settings_file_found_here_as_typed_and_records_the_ledger_by_its_full_path(
        tmp_path, monkeypatch):
    """Under cron (cd /srv/backlog && backlog run), the run's errors named the backlog.yaml it found
    by its full path (`encoding:` … in /srv/backlog/backlog.yaml): it is named backlog.yaml, as
    `--config backlog.yaml` names it, while the history keeps the ledger by the path read, as before."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    config = config_in(tmp_path)
    config.write_text("ledger: ledger.csv\noutput_dir: out\nencoding: ascii\n", encoding="utf-8")
    result = runner.invoke(app, ["run", "--as-of", "2025-06-30", "--quiet"])
    assert result.exit_code == 2
    assert result.output.endswith("set `encoding: utf-8` in backlog.yaml\n"), result.output
    (tmp_path / "out" / "2025-06-30").mkdir(parents=True)
    config.replace(tmp_path / "out" / "2025-06-30" / "backlog.yaml")
    monkeypatch.chdir(tmp_path / "out" / "2025-06-30")
    config = Path("backlog.yaml")
    config.write_text("ledger: ../../ledger.csv\noutput_dir: ..\n", encoding="utf-8")
    result = runner.invoke(app, ["run", "--as-of", "2025-06-30", "--quiet"])
    assert result.exit_code == 2
    assert result.output.startswith("backlog: error: backlog.yaml is an input, but the run would replace it"), result.output
    monkeypatch.chdir(tmp_path)
    config = config_in(tmp_path)
    result = runner.invoke(app, ["run", "--as-of", "2025-06-30", "--quiet"])
    assert result.exit_code == 0, result.output
    assert summary_of(tmp_path)["ledger"] == ["ledger.csv"]
    with history.open_history(tmp_path / "out" / "history.sqlite") as store:
        assert store.list_runs()["ledger_files"].tolist() == [str(tmp_path / "ledger.csv")]


def test_the_days_lists_and_summary_show_the_ledger_files_as_ledger_names_them(tmp_path):
    """A run reads the files backlog.yaml names by their paths from its folder made absolute (under
    cron, /srv/backlog/一组/台帐.csv): errors.csv and problems.csv (文件), summary.json (ledger,
    rejects, value_problems, warnings) and the warning that a file repeats another name them as
    ledger: does, from the settings file's folder (一组/台帐.csv); the history keeps the paths read."""
    rows = [f"(2025)鲁0902执{n}号,2025-01-0{n},张三,甲,乙,买卖合同纠纷,1000," + EXTRA + "\n" for n in range(1, 6)]
    rows[1] = rows[1].replace(",1000,", ",-1000,")  # a value problem
    for team in ("一组", "二组"):
        (tmp_path / team).mkdir()
        (tmp_path / team / "台帐.csv").write_text(HEADER + "".join(rows) + BAD_ROW, encoding="utf-8")
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: [一组/台帐.csv, 二组/]\noutput_dir: out\n", encoding="utf-8")
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 1, result.output
    day = tmp_path / "out" / "2025-06-30"
    first, second = str(Path("一组") / "台帐.csv"), str(Path("二组") / "台帐.csv")
    errors = pd.read_csv(day / "errors.csv", encoding="utf-8-sig")
    assert errors["文件"].tolist() == [first] + [second] * 6
    problems = pd.read_csv(day / "problems.csv", encoding="utf-8-sig")
    assert problems["文件"].tolist() == [first]
    summary = summary_of(tmp_path)
    assert summary["ledger"] == [first, second]
    assert [r["file"] for r in summary["rejects"]] == errors["文件"].tolist()
    assert [r["file"] for r in summary["value_problems"]] == [first]
    assert f"{second}: 5 of its 5 cases are in {first} too (each rejected as 案号重复): is it the same ledger read " \
           "twice?" in summary["warnings"]
    assert str(tmp_path) not in json.dumps(summary, ensure_ascii=False)
    with history.open_history(tmp_path / "out" / "history.sqlite") as store:
        assert store.list_runs()["ledger_files"].tolist() == [f"{tmp_path / first};{tmp_path / second}"]
        assert store.rejected(store.run_at())["file"].tolist() == [str(tmp_path / f) for f in errors["文件"]]
    # a command reading the ledger backlog.yaml names writes its lists beside an output so too
    out = tmp_path / "底数.xlsx"
    assert runner.invoke(app, ["classify", "--config", str(config), "--as-of", "2025-06-30", "-o", str(out)]).exit_code == 0
    assert pd.read_csv(tmp_path / "底数.errors.csv", encoding="utf-8-sig")["文件"].tolist() == errors["文件"].tolist()
    assert pd.read_csv(tmp_path / "底数.problems.csv", encoding="utf-8-sig")["文件"].tolist() == [first]


def test_the_runs_own_folder_files_and_history_are_shown_from_the_settings_folder(tmp_path):
    """The log's see …/errors.csv, see …/problems.csv, write: … put in … and done: … lines and
    summary.json's history name the run's own files as the ledger files are named, from the settings
    file's folder (out/2025-06-30/errors.csv), not by the long path the run wrote them to; one
    outside that folder is shown as it is."""
    rows = [ROWS[0].replace(",1000,", ",-1000,"), *ROWS[1:], BAD_ROW]  # a value problem, a rejected row
    config = config_in(tmp_path, rows)
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 1, result.output
    day = Path("out") / "2025-06-30"
    lines = result.output.splitlines()
    assert f"1 rejected row: see {day / 'errors.csv'}" in lines
    assert f"1 value unreadable or contradicting others, kept as blank: see {day / 'problems.csv'}" in lines
    assert f"done: {day} (exit 1)" in lines
    assert [l for l in lines if l.startswith("write: ") and f" files, put in {day} once the history is recorded (" in l]
    summary = summary_of(tmp_path)
    assert summary["history"] == str(Path("out") / "history.sqlite")
    assert str(tmp_path) not in json.dumps(summary, ensure_ascii=False)
    # outside the settings file's folder: as it is, the path the run wrote to
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "site").mkdir()
    config = config_in(tmp_path / "site", rows)
    config.write_text("ledger: ledger.csv\noutput_dir: ../elsewhere/out\nhistory: ../elsewhere/h.sqlite\n",
                      encoding="utf-8")
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 1, result.output
    day = tmp_path / "elsewhere" / "out" / "2025-06-30"
    assert f"done: {day} (exit 1)" in result.output.splitlines()
    assert f"1 rejected row: see {day / 'errors.csv'}" in result.output.splitlines()
    summary = summary_of(tmp_path / "elsewhere")
    assert summary["history"] == str(tmp_path / "elsewhere" / "h.sqlite")


def test_the_notes_and_warnings_of_the_load_name_a_file_as_ledger_names_it(tmp_path):
    """A hidden sheet, rows and a column hidden in Excel, a sheet holding case numbers under no
    header: summary.json's notes and warnings name 一组/台帐.xlsx, as ledger: does, not the long path
    the run read it by."""
    import openpyxl

    (tmp_path / "一组").mkdir()
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "台帐"
    for line in (HEADER, *ROWS):
        ws.append(line.rstrip("\n").split(","))
    ws.row_dimensions[3].hidden = True
    ws.column_dimensions["K"].hidden = True
    book.create_sheet("旧").sheet_state = "hidden"
    book.create_sheet("草稿").append(["(2025)鲁0902执8号", "张三"])
    book.save(tmp_path / "一组" / "台帐.xlsx")
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: 一组/台帐.xlsx\noutput_dir: out\n", encoding="utf-8")
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 1, result.output
    summary = summary_of(tmp_path)
    said = summary["notes"] + summary["warnings"]
    named = str(Path("一组") / "台帐.xlsx")
    for start in (f"{named}: hidden sheet 旧 not read", f"{named} [台帐]: 1 row hidden in Excel",
                  f"{named} [台帐]: 1 column hidden in Excel", f"{named} [草稿]: sheet not read, but 1 cell"):
        assert [m for m in said if m.startswith(start)], (start, said)
    assert str(tmp_path) not in json.dumps(said, ensure_ascii=False)


@pytest.mark.parametrize(("text", "line"), [("- ledger: a.xlsx\n", 1), ("# 设置\n\nledger a.xlsx\n", 3)])
def test_settings_that_are_no_mapping_name_the_line_they_start_on(tmp_path, text, line):
    """A list, or a line of text where key: value settings belong, names its line, as other
    settings problems do."""
    from backlog_cli.errors import ConfigError

    settings = tmp_path / "backlog.yaml"
    settings.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(settings)
    assert str(refused.value) == f"{settings}:{line}: expected key: value settings"


def test_summary_json_hides_the_history_databases_password():
    """summary.json names a history database by its URL with the password hidden, as the run's
    log does: the file is read by whoever reads the day's outputs, not only by the database's owner."""
    summary = run_mod.RunSummary(dt.date(2026, 11, 23), Path("/srv/b/outputs/2026-11-23"), dt.datetime(2026, 11, 23, 2, 30),
                                 history="postgresql+psycopg://clerk:s3cret@db/backlog", shown_from=Path("/srv/b"))
    shown = summary.to_dict()["history"]
    assert "s3cret" not in shown
    assert shown == "postgresql+psycopg://clerk:***@db/backlog"
    assert history.shown_target("postgresql://db/backlog") == "postgresql://db/backlog"  # nothing to hide
    assert history.shown_target("not a url") == "not a url"


def test_a_history_that_cannot_be_opened_stops_the_run_before_the_ledger_is_read(tmp_path, monkeypatch):
    """A history the run cannot open (a server down; here a file that is no database) is said at
    once, exit 2, before the ledger's load: a nightly run does not spend the load's minutes first."""
    config = config_in(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "history.sqlite").write_bytes(b"not a database, " * 100)
    loads = []
    monkeypatch.setattr(run_mod, "load_source", lambda *a, **k: loads.append(a) or pytest.fail("the ledger was read"))
    result = invoke(config, "--as-of", "2025-06-30")
    assert result.exit_code == 2, result.output
    assert "cannot open the database" in result.output
    assert loads == [] and "load:" not in result.output
    assert not (tmp_path / "out" / "2025-06-30").exists()


def test_history_inputs_are_the_settings_file_and_a_sqlite_history_not_a_url(tmp_path):
    """The files history, diff and report monthly read besides a ledger (never written over): the
    settings file and the SQLite history it names or the run keeps in output_dir; a database
    named by URL is no file."""
    config = load_config(config_in(tmp_path))
    assert run_mod.history_inputs(config) == [config.path, Path(run_mod.history_target(config))]
    assert run_mod.history_inputs(config)[1].name == "history.sqlite"
    (tmp_path / "backlog.yaml").write_text("ledger: ledger.csv\nhistory: postgresql+psycopg://u@dbhost/backlog\n",
                                           encoding="utf-8")
    assert run_mod.history_inputs(load_config(tmp_path / "backlog.yaml")) == [tmp_path / "backlog.yaml"]
