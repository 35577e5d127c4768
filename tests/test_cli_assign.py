"""`backlog assign` and `backlog rank` end to end, against golden files.

The goldens in tests/golden/ are the reviewed outputs for the small ledger below. After an
intended change of output, regenerate them with ``UPDATE_GOLDEN=1 python -m pytest
tests/test_cli_assign.py`` and review the diff before committing.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from backlog_cli.cli import app
from conftest import PINYIN_OFFICERS, SAMPLE_AS_OF, SAMPLES, check_golden, hold_open, write_ledger

SAMPLE = SAMPLES / "ledger.xlsx"
AS_OF = "2026-03-18"  # a Wednesday: the last full week is 2026-03-09 .. 2026-03-15
runner = CliRunner()

# case number, filed, officer, closed, applicant, cause
ROWS = [
    ("(2025)鲁0902执1号", "2025-06-02", "张三", "", "甲公司", "买卖合同纠纷"),
    ("(2025)鲁0902执2号", "2025-09-15", "张 三", "2026-03-10", "乙", "民间借贷纠纷"),
    ("(2025)鲁0902执3号", "2025-12-20", "张三", "2026-03-02", "丙", "追索劳动报酬纠纷"),
    ("(2026)鲁0902执4号", "2026-01-05", "张三", "", "丁", "买卖合同纠纷"),
    ("(2025)鲁0902执5号", "2025-08-01", "李四", "2026-02-24", "戊", "民间借贷纠纷"),
    ("(2025)鲁0902执6号", "2025-10-10", "李四", "2026-03-03", "己", "机动车交通事故责任纠纷"),
    ("(2025)鲁0902执7号", "2025-11-11", "李四", "2026-03-11", "庚", "民间借贷纠纷"),
    ("(2025)鲁0902执8号", "2025-11-30", "李四", "2026-03-12", "辛", "买卖合同纠纷"),
    ("(2026)鲁0902执9号", "2026-02-02", "李四", "", "壬", "民间借贷纠纷"),
    ("(2025)鲁0902执10号", "2025-07-07", "王五", "", "癸", "建设工程施工合同纠纷"),
    ("(2025)鲁0902执11号", "2025-10-01", "王五", "2026-02-25", "子", "民间借贷纠纷"),
    ("(2026)鲁0902执12号", "2026-01-20", "王五", "", "丑", "买卖合同纠纷"),
    ("(2025)鲁0902执13号", "2025-05-05", "赵六", "", "寅", "民间借贷纠纷"),
    ("(2025)鲁0902执14号", "2025-09-09", "赵六", "", "卯", "赡养费纠纷"),
    ("(2025)鲁0902执15号", "2025-12-01", "赵六", "2026-03-13", "辰", "民间借贷纠纷"),
    ("(2025)鲁0902执16号", "2025-06-16", "钱七", "", "巳", "买卖合同纠纷"),
    ("(2025)鲁0902执17号", "2025-08-18", "钱七", "", "午", "民间借贷纠纷"),
    ("(2026)鲁0902执18号", "2026-03-01", "钱七", "", "未", "民间借贷纠纷"),
    ("(2025)鲁0902执19号", "2025-04-04", "", "", "申", "民间借贷纠纷"),
    ("(2026)鲁0902执20号", "2026-03-16", "王Ａ", "", "酉", "买卖合同纠纷"),
    ("(2025)鲁0902执21号", "2025-09-20", "李四", "", "戌", "民间借贷纠纷"),  # legal limit 2026-03-20
]


@pytest.fixture
def ledger(tmp_path) -> Path:
    return write_ledger(tmp_path / "ledger.csv", "案号,立案日期,承办人,结案日期,申请执行人,案由", ROWS)


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


# --------------------------------------------------------------------------- the bundled sample


def test_rank_on_the_sample():
    result = run("rank", SAMPLE, "--as-of", SAMPLE_AS_OF, "--periods", "4", "--format", "csv")
    assert result.exit_code == 0, result.output
    check_golden("rank_sample.csv", result.stdout)


def test_an_empty_ranking_and_overview_say_so_in_their_titles(tmp_path):
    """As of 2014-01-05, before the sample's first filing, the ranking and the task lists'
    overview have no rows: their titles say （无数据）, where they said nothing, and no row is added."""
    for command, sheet, title in (("rank", "排名", "按承办人排名：4 周，截至2014-01-05（无数据）"),
                                  ("assign", "总览", "任务到人：按承办人（截至2014-01-05）（无数据）")):
        out = tmp_path / f"{command}.xlsx"
        result = run(command, SAMPLE, "--as-of", "2014-01-05", "-o", out)
        assert result.exit_code == 0, result.output
        ws = openpyxl.load_workbook(out)[sheet]
        assert (ws["A1"].value, ws.max_row) == (title, 2)
        assert run(command, SAMPLE, "--as-of", "2014-01-05").stdout.startswith(title + "\n")


def test_a_long_tie_shows_its_first_names_and_count_in_tables_and_xlsx(tmp_path):
    """2026-W47 on the sample: nine officers closed none and share 7th. CSV keeps every name; the
    table and xlsx show three, then how many share the rank."""
    args = ("rank", SAMPLE, "--as-of", SAMPLE_AS_OF, "--periods", "1")
    rows = list(csv.DictReader(io.StringIO(run(*args, "-f", "csv").stdout)))
    gao = next(r for r in rows if r["officer"] == "高峰")
    assert gao["tie_with"] == "胡晓丽、李明远、马骏、孙立新、王磊、张建华、赵国庆、郑春梅"
    assert "│ 胡晓丽、李明远、马骏等 8 人 │" in run(*args).stdout
    out = tmp_path / "rank.xlsx"
    assert run(*args, "-o", out).exit_code == 0
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[2]]
    shown = {r[header.index("承办人")]: r[header.index("并列")] for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert shown["高峰"] == "胡晓丽、李明远、马骏等 8 人" and shown["郭振华"] is None


def test_rank_xlsx_sets_who_shares_a_rank_apart_from_the_rank(tmp_path):
    """Printed, the rank (a number, right-aligned) touched who shares it (text, left-aligned) beside
    it, 5陈静、郭振华…: the text columns right of a number or a date are indented, 并列 among them."""
    out = tmp_path / "rank.xlsx"
    assert run("rank", SAMPLE, "--as-of", SAMPLE_AS_OF, "--periods", "4", "-o", out).exit_code == 0
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[2]]
    indents = {head: {int(row[i].alignment.indent) for row in sheet.iter_rows(min_row=3) if row[i].value is not None}
               for i, head in enumerate(header)}
    assert header.index("并列") == header.index("名次") + 1 and indents["名次"] == {0} and indents["并列"] == {1}
    assert indents["承办人"] == indents["督导/约谈"] == {1}  # right of 截止日期 and of 连续后三名次数
    assert indents["期间"] == {0}  # the first column


def test_rank_ranks_by_default_as_many_periods_as_the_library_and_the_nightly_run():
    """The command line writes the default out (pandas is not imported for --help): it must be the
    library's, which the nightly run's ranking.xlsx ranks."""
    import typer

    from backlog_cli.assignment import RANKED_PERIODS

    command = typer.main.get_command(app).commands["rank"]
    assert next(p.default for p in command.params if p.name == "periods") == RANKED_PERIODS


def test_assign_on_the_sample():
    result = run("assign", SAMPLE, "--as-of", SAMPLE_AS_OF, "--format", "csv")
    assert result.exit_code == 0, result.output
    check_golden("assign_sample.csv", result.stdout)


def test_sample_officers_are_listed_in_pinyin_order(tmp_path):
    """Task lists, the overview and the ranking's ties list officers as Excel's Chinese sort
    does, not by code point (刘晓东, 吴志强, 周海燕 …); 未分配 last."""
    out = tmp_path / "lists.xlsx"
    assert run("assign", SAMPLE, "--as-of", SAMPLE_AS_OF, "--output", out).exit_code == 0
    assert openpyxl.load_workbook(out).sheetnames == ["总览", *PINYIN_OFFICERS, "未分配"]
    rows = run("assign", SAMPLE, "--as-of", SAMPLE_AS_OF, "--format", "json").stdout
    assert list(dict.fromkeys(r["officer"] for r in json.loads(rows))) == [*PINYIN_OFFICERS, "未分配"]
    ranked = json.loads(run("rank", SAMPLE, "--as-of", SAMPLE_AS_OF, "--periods", "4", "--format", "json").stdout)
    place = {name: i for i, name in enumerate(PINYIN_OFFICERS)}
    # 2026-W44: 陈静 and ten others closed none of what they had open: tied 5th, listed in pinyin order
    w44 = [r["officer"] for r in ranked if r["period"] == "2026-W44" and r["rank"] == 5]
    assert w44 == ["陈静", "郭振华", "胡晓丽", "李明远", "马骏", "王磊", "吴志强", "赵国庆", "郑春梅", "周海燕", "朱永平"]
    for r in ranked:
        tied = r["tie_with"].split("、") if r["tie_with"] else []
        assert tied == sorted(tied, key=place.get)


# --------------------------------------------------------------------------- rank


def test_rank_weeks_csv(ledger):
    result = run("rank", ledger, "--as-of", AS_OF, "--periods", "3", "--format", "csv")
    assert result.exit_code == 0, result.output
    check_golden("rank_week.csv", result.stdout)


def test_rank_months_json(ledger):
    result = run("rank", ledger, "--as-of", AS_OF, "--period", "month", "--periods", "2", "--format", "json")
    assert result.exit_code == 0, result.output
    check_golden("rank_month.json", result.stdout)
    said = run("rank", ledger, "--as-of", AS_OF, "--period", "月", "--periods", "2", "--format", "json")  # as clerks say it
    assert said.exit_code == 0 and said.stdout == result.stdout
    weeks = run("rank", ledger, "--as-of", AS_OF, "--period", "周", "--format", "json")
    assert weeks.stdout == run("rank", ledger, "--as-of", AS_OF, "--period", "week", "--format", "json").stdout != result.stdout


def test_rank_sets_weekly_closes_against_the_targets(ledger, tmp_path):
    """W11: 李四 closed 2 (target 2, met), 张三 1 (target 3, missed); the rule gives the others one."""
    goals = tmp_path / "targets.yaml"
    goals.write_text("张三: 3\n李四: 2\nshare: 0.01\n", encoding="utf-8")
    result = run("rank", ledger, "--as-of", AS_OF, "--periods", "1", "--targets", goals, "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = {r["officer"]: (r["closed"], r["weekly_target"], r["target_met"]) for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["李四"] == ("2", "2", "True") and rows["张三"] == ("1", "3", "False") and rows["王五"] == ("0", "1", "False")
    # from backlog.yaml as assign takes them; weekly targets rank weeks only
    settings = tmp_path / "backlog.yaml"
    settings.write_text(f"ledger: {ledger.name}\ntargets: {goals.name}\n", encoding="utf-8")
    assert run("rank", "--config", settings, "--as-of", AS_OF, "--periods", "1", "-f", "csv").stdout == result.stdout
    months = run("rank", "--config", settings, "--as-of", AS_OF, "--period", "month", "-f", "csv")
    assert months.exit_code == 0 and "weekly_target" not in months.stdout
    refused = run("rank", ledger, "--period", "月", "--targets", goals)
    assert refused.exit_code == 2 and "--targets are weekly close targets: give --period week" in refused.output


def test_the_task_lists_made_mid_week_give_the_target_the_ranking_sets_the_week(tmp_path):
    """张三 has 3 cases open on Monday 2026-11-16 and closes one that day: the task lists of
    Wednesday set the week's target on the 3 (share 0.5: 2), as the ranking does, not on the 2
    still open, and say so in the overview, the officer's heading and the split file."""
    ledger = write_ledger(tmp_path / "l.csv", "案号,立案日期,承办人,结案日期", [
        ("(2026)鲁0902执1号", "2026-10-01", "张三", "2026-11-16"), ("(2026)鲁0902执2号", "2026-10-02", "张三", ""),
        ("(2026)鲁0902执3号", "2026-10-03", "张三", "")])
    goals = tmp_path / "T.yaml"
    goals.write_text("share: 0.5\nminimum: 1\n", encoding="utf-8")
    ranked = run("rank", ledger, "--as-of", "2026-11-23", "--periods", "1", "--targets", goals, "-f", "csv")
    assert ranked.exit_code == 0, ranked.output
    [week] = csv.DictReader(io.StringIO(ranked.stdout))
    assert (week["period"], week["open_at_start"], week["closed"], week["weekly_target"]) == ("2026-W47", "3", "1", "2")
    out = tmp_path / "a.xlsx"
    tasks = run("assign", ledger, "--as-of", "2026-11-18", "--targets", goals, "-o", out)
    assert tasks.exit_code == 0, tasks.output
    book = openpyxl.load_workbook(out)
    overview = [[c.value for c in row] for row in book["总览"].iter_rows(min_row=2)]
    assert overview[0][:2] == ["承办人", "未结"] and overview[0][-1] == "每周结案任务数"
    assert [overview[1][1], overview[1][-1]] == [2, 2]
    assert book["张三"]["A1"].value.endswith("，每周结案任务 2")
    split = run("assign", ledger, "--as-of", "2026-11-18", "--targets", goals, "--split", tmp_path / "split")
    assert split.exit_code == 0, split.output
    assert openpyxl.load_workbook(tmp_path / "split" / "张三.xlsx").active["A1"].value.endswith("，每周结案任务 2")


def test_rank_table_and_xlsx(ledger, tmp_path):
    table = run("rank", ledger, "--as-of", AS_OF, "--periods", "1")
    assert table.exit_code == 0, table.output
    assert "按承办人排名：1 周，截至2026-03-15" in table.stdout
    out = tmp_path / "rank.xlsx"
    result = run("rank", ledger, "--as-of", AS_OF, "--periods", "1", "--output", out)
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)["排名"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    header = [c.value for c in ws[2]]
    marks = {r[header.index("承办人")]: r[header.index("督导/约谈")] for r in rows}
    assert marks == {"李四": None, "张三": "督导", "赵六": "约谈", "王五": "督导", "钱七": "约谈"}
    # Periods in words and the rank once, as a number beside who shares it; CSV and JSON keep the codes
    # and both rank and its label; the terminal shows the label (2（并列）)
    assert header[:3] == ["期间", "起始日期", "截止日期"] and "名次（注明并列）" not in header
    assert header[4:8] == ["期初未结", "本期新收", "已结", "结案率"]
    rates = {r[header.index("承办人")]: ws.cell(3 + i, 8).number_format for i, r in enumerate(rows)}
    assert set(rates.values()) == {"0.00%"}
    assert {r[0] for r in rows} == {"2026年第11周"}
    assert [r[header.index("名次")] for r in rows] == [1, 2, 2, 4, 4]
    assert [bool(r[header.index("并列")]) for r in rows] == [False, True, True, True, True]
    assert "2（并列）" in table.stdout
    assert "2026年第11周" in table.stdout and "2026-W11" not in table.stdout
    months = run("rank", ledger, "--as-of", AS_OF, "--period", "month", "--periods", "1")
    assert months.exit_code == 0 and "│ 2026年2月 " in months.stdout and "│ 2026-02 " not in months.stdout


def test_split_onto_an_existing_file_is_refused_before_the_ledger_is_read(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"x")
    result = run("assign", tmp_path / "none.xlsx", "--split", tmp_path / "a.xlsx")
    assert result.exit_code == 2
    assert "is a file; give a folder for the per-officer files" in result.output and "no such file" not in result.output


def test_rank_periods_are_bounded(ledger):
    result = run("rank", ledger, "--periods", "100000")  # would reach before 1677, where dates wrap
    assert result.exit_code == 2
    assert "backlog: error: --periods 100000: give at most 520;" in result.output
    assert run("rank", ledger, "--as-of", AS_OF, "--periods", "520", "-f", "csv").exit_code == 0


def test_rank_bad_period(ledger):
    result = run("rank", ledger, "--period", "day")
    assert result.exit_code == 2
    assert "backlog: error: --period 'day': give week, month, 周 or 月;" in result.output


# --------------------------------------------------------------------------- assign

GROUPS = ["李四", "钱七", "王五", "王A", "张三", "赵六", "未分配"]  # pinyin order (王五: a number before a letter), 未分配 last


def test_assign_csv(ledger):
    result = run("assign", ledger, "--as-of", AS_OF, "--format", "csv")
    assert result.exit_code == 0, result.output
    check_golden("assign.csv", result.stdout)


def test_assign_table(ledger):
    result = run("assign", ledger, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    check_golden("assign_table.txt", result.stdout)


def test_rank_warns_of_a_target_for_an_officer_with_no_case_as_assign_does(ledger, tmp_path):
    targets = tmp_path / "targets.yaml"
    targets.write_text("张 三: 3\n孙八: 1\n", encoding="utf-8")
    result = run("rank", ledger, "--as-of", AS_OF, "--targets", targets, "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("warning: a weekly target for 孙八, who has no case in the ledger (a typing slip in the "
                               "targets, or an officer who has left)") == 1


@pytest.mark.parametrize(("name", "text", "message"), [
    # a sheet of a header, titles or a 合计 row only set no target and said nothing
    ("t.csv", "承办人,每周结案任务数\n", "t.csv [t]: no targets found (expected two columns: officer, weekly target)"),
    ("t.csv", "第47周结案任务\n承办人,每周结案任务数\n合计,0\n",
     "t.csv [t]: no targets found (expected two columns: officer, weekly target)"),
    # a blank officer name, and a share: left blank, named no line (the latter was said as no share at all)
    ("t.yaml", "张三: 3\n'': 4\n", "t.yaml:2: blank officer name ''"),
    ("t.yaml", "张三: 3\nshare:\nminimum: 1\n", "t.yaml:2: 'share' must be a number above 0 and at most 1, got nothing"),
    # YAML's not-a-number was said as Python's nan
    ("t.yaml", "张三: .nan\n", "t.yaml:1: 张三: target must be a whole number from 0 to 10000, got .nan"),
    ("t.yaml", "张三: 1\nshare: -.inf\n", "t.yaml:2: 'share' must be a number above 0 and at most 1, got -.inf"),
])
def test_a_targets_file_with_no_targets_or_a_blank_is_said_with_its_line(ledger, tmp_path, monkeypatch, name, text, message):
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(text, encoding="utf-8")
    for command in ("assign", "rank"):
        result = run(command, ledger, "--as-of", AS_OF, "--targets", name, "-f", "csv")
        assert result.exit_code == 2, result.output
        assert result.stderr == f"backlog: error: {message}\n"


def sheet_rows(ws, header_row: int = 2) -> list[dict]:
    header = [c.value for c in ws[header_row]]
    return [dict(zip(header, row)) for row in ws.iter_rows(min_row=header_row + 1, values_only=True)]


def test_assign_xlsx_with_yaml_targets(ledger, tmp_path):
    targets = tmp_path / "targets.yaml"
    targets.write_text("张 三: 3\n孙八: 1\nshare: 0.5\nminimum: 1\n", encoding="utf-8")
    out = tmp_path / "lists.xlsx"
    result = run("assign", ledger, "--as-of", AS_OF, "--targets", targets, "--output", out)
    assert result.exit_code == 0, result.output
    assert ("warning: a weekly target for 孙八, who has no case in the ledger (a typing slip in the targets, or an "
            "officer who has left)") in result.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["总览", *GROUPS]
    overview = {r["承办人"]: (r["未结"], r["每周结案任务数"]) for r in sheet_rows(book["总览"])}
    # named: 张三 3; by rule ceil(0.5 × open), at least 1; 未分配: none
    assert overview == {"张三": (2, 3), "李四": (2, 1), "王A": (1, 1), "王五": (2, 1), "赵六": (2, 1), "钱七": (3, 2), "未分配": (1, None)}
    ws = book["李四"]
    assert ws["A1"].value == "李四：未结 2 件，已超期 0 件，本周到期 1 件，重点案件 0 件，每周结案任务 1"
    assert [r["案号"] for r in sheet_rows(ws)] == ["(2025)鲁0902执21号", "(2026)鲁0902执9号"]
    assert ws["A3"].fill.fgColor.rgb.endswith("FFEB9C")  # due soon: amber
    assert book["赵六"]["A3"].fill.fgColor.rgb.endswith("FFC7CE")  # overdue: red


def test_assign_targets_sheet_from_config(ledger, tmp_path):
    (tmp_path / "targets.csv").write_text("承办人,每周结案任务数\n钱七,4\n", encoding="utf-8")
    (tmp_path / "backlog.yaml").write_text("targets: targets.csv\n", encoding="utf-8")
    out = tmp_path / "lists.xlsx"
    result = run("assign", ledger, "--as-of", AS_OF, "--config", tmp_path / "backlog.yaml", "--output", out)
    assert result.exit_code == 0, result.output
    targets = {r["承办人"]: r["每周结案任务数"] for r in sheet_rows(openpyxl.load_workbook(out)["总览"])}
    assert targets == {**{g: None for g in GROUPS}, "钱七": 4}


def test_assign_split(ledger, tmp_path):
    folder = tmp_path / "lists"
    result = run("assign", ledger, "--as-of", AS_OF, "--split", folder)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted([".backlog-files.json", *(f"{g}.xlsx" for g in GROUPS)])
    ws = openpyxl.load_workbook(folder / "钱七.xlsx").active
    assert ws["A1"].value == "钱七：未结 3 件，已超期 2 件，本周到期 0 件，重点案件 0 件，每周结案任务 —"
    assert [r["案号"] for r in sheet_rows(ws)] == ["(2025)鲁0902执16号", "(2025)鲁0902执17号", "(2026)鲁0902执18号"]
    csv_folder = tmp_path / "csv"
    result = run("assign", ledger, "--as-of", AS_OF, "--split", csv_folder, "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = (csv_folder / "未分配.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith("(2025)鲁0902执19号,2025-04-04,348,")


def test_split_files_of_long_names_are_short_and_distinct(tmp_path):
    """A 100-character name (300 bytes: a file name may have 255) is cut to 20 characters; a name
    equal to it in those 20 takes a collision mark; the title inside keeps the whole name."""
    long, twin = "张" * 100, "张" * 20 + "李四"  # pinyin: 李 before 张, so the twin comes first
    ledger = write_ledger(tmp_path / "l.csv", "案号,立案日期,承办人", [
        ("(2026)鲁0902执1号", "2026-03-02", long), ("(2026)鲁0902执2号", "2026-03-02", twin)])
    folder = tmp_path / "lists"
    result = run("assign", ledger, "--as-of", AS_OF, "--split", folder)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.glob("*.xlsx")) == ["张" * 20 + " (2).xlsx", "张" * 20 + ".xlsx"]
    for path, name in ((folder / f"{'张' * 20}.xlsx", twin), (folder / f"{'张' * 20} (2).xlsx", long)):
        book = openpyxl.load_workbook(path)
        assert book.active["A1"].value.startswith(f"{name}：未结 1 件")
        assert book.sheetnames == [name[:31]]


def test_an_officer_typed_in_quotes_does_not_take_the_real_officers_sheet(tmp_path):
    ledger = write_ledger(tmp_path / "l.csv", "案号,立案日期,承办人", [
        ("(2026)鲁0902执1号", "2026-03-02", "'张三'"), ("(2026)鲁0902执2号", "2026-03-03", "张三")])
    out = tmp_path / "lists.xlsx"
    result = run("assign", ledger, "--as-of", AS_OF, "--output", out)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert sorted(book.sheetnames) == sorted(["总览", "张三", "张三 (2)"])
    assert book["张三"]["A1"].value.startswith("张三：")
    assert book["张三 (2)"]["A1"].value.startswith("'张三'：")


def test_a_new_split_replaces_the_old_one_and_keeps_other_files(ledger, tmp_path):
    """钱七's cases go to 李四: the second split has no 钱七.xlsx, the folder keeps a note of the
    user's, and the message counts the one old file removed."""
    folder = tmp_path / "lists"
    first = run("assign", ledger, "--as-of", AS_OF, "--split", folder)
    assert first.exit_code == 0 and "removed" not in first.stderr  # nothing of an earlier split to say
    (folder / "note.txt").write_text("mine", encoding="utf-8")
    moved = write_ledger(tmp_path / "moved.csv", "案号,立案日期,承办人,结案日期,申请执行人,案由",
                         [(r[0], r[1], "李四" if r[2] == "钱七" else r[2], *r[3:]) for r in ROWS])
    result = run("assign", moved, "--as-of", AS_OF, "--split", folder)
    assert result.exit_code == 0, result.output
    assert "wrote 6 xlsx files to" in result.stderr and "removed 1 old file of an earlier split" in result.stderr
    groups = [g for g in GROUPS if g != "钱七"]
    assert sorted(p.name for p in folder.iterdir()) == sorted([".backlog-files.json", "note.txt",
                                                               *(f"{g}.xlsx" for g in groups)])
    assert (folder / "note.txt").read_text(encoding="utf-8") == "mine"
    assert json.loads((folder / ".backlog-files.json").read_text(encoding="utf-8")) == {
        "files": sorted(f"{g}.xlsx" for g in groups)}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no partial folder left


def test_a_split_that_cannot_replace_one_file_leaves_the_folder_as_it_was(ledger, tmp_path, monkeypatch):
    """One officer's list open in Excel on Windows (it can be neither renamed nor replaced): no
    list is replaced, so no officer gets a list counted on another day, and the message names the
    file in the folder, not the hidden one written first."""
    folder = tmp_path / "lists"
    assert run("assign", ledger, "--as-of", AS_OF, "--split", folder).exit_code == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    blocked = folder / "李四.xlsx"
    hold_open(monkeypatch, blocked)
    result = run("assign", ledger, "--as-of", "2026-01-02", "--split", folder)
    assert result.exit_code == 2, result.output
    assert f"cannot write {blocked}: Permission denied; none of the output's files was changed" in \
        " ".join(result.output.split())
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no partial folder left


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--split", "x", "--output", "y.xlsx"], "give --split DIR or --output FILE, not both"),
        (["--split", "x", "--format", "table"], "split files are csv, json, xlsx"),
        (["--by", "team"], "no ledger field 'team' to group by; the ledger's fields: case_no (案号), case_year (收案年度), "
                           "court_code (法院代字), case_type (案件类型), case_seq (案件序号), filed_on (立案日期), "
                           "officer (承办人), closed_on (结案日期), applicant (申请执行人), cause (案由)"),
    ],
)
def test_assign_bad_options(ledger, args, message):
    result = run("assign", ledger, "--as-of", AS_OF, *args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "source_file" not in result.output and "legal_limit" not in result.output


def test_a_suspended_limit_is_not_due_this_week(tmp_path):
    """本周到期 counts the deadlines coming due, as `overdue --within` lists them: a legal limit
    due 2026-03-20 and suspended since 2026-03-17, not resumed, is 中止中, its due date moving on
    with every day the 中止 runs (2026-03-21 at 2026-03-18, three days ahead on any day), so it
    falls due on no day of this week; the other case's limit falls due on Saturday 2026-03-21."""
    ledger = write_ledger(tmp_path / "ledger.csv", "案号,立案日期,承办人,中止日期", [
        ("(2025)鲁0902执1号", "2025-09-20", "张三", "2026-03-17"),
        ("(2025)鲁0902执2号", "2025-09-21", "张三", ""),
    ])
    lines = run("assign", ledger, "--as-of", AS_OF).stdout.splitlines()
    assert "张三：未结 2 件，已超期 0 件，本周到期 1 件，重点案件 0 件，每周结案任务 —" in lines
    within = run("overdue", ledger, "--within", "4", "--as-of", AS_OF, "--format", "csv").stdout
    assert [r["case_no"] for r in csv.DictReader(io.StringIO(within))] == ["(2025)鲁0902执2号"]


def test_a_suspended_limit_is_not_urgent_by_its_days_left(tmp_path):
    """A legal limit suspended since 2026-03-17 (filed 2025-09-20, not resumed) has 3 days left on
    any day the 中止 runs, as its due date moves on: it runs on no day, so the case comes after the
    cases whose limits really fall due in 6 and 10 days (and after the overdue one), still shown
    中止中 with its action, on the terminal and in xlsx; before the cases with no open deadline (a
    财保 case, to which the limit does not apply). With the year deadline of the default rules running, that
    is the case's most pressing deadline, its limit's state kept in its own columns."""
    ledger = write_ledger(tmp_path / "ledger.csv", "案号,立案日期,承办人,中止日期,结案日期", [
        ("(2026)鲁0902财保1号", "2026-01-05", "张三", "", ""),
        ("(2025)鲁0902执1号", "2025-09-20", "张三", "2026-03-17", ""),
        ("(2025)鲁0902执2号", "2025-09-28", "张三", "", ""),
        ("(2025)鲁0902执3号", "2025-09-24", "张三", "", ""),
        ("(2025)鲁0902执4号", "2025-08-28", "张三", "", ""),
    ])
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: 1\nextends: default\ndeadlines:\n  - {id: over_one_year, enabled: false}\n",
                     encoding="utf-8")
    order = ["(2025)鲁0902执4号", "(2025)鲁0902执3号", "(2025)鲁0902执2号", "(2025)鲁0902执1号",
             "(2026)鲁0902财保1号"]
    listed = run("assign", ledger, "--rules", rules, "--as-of", AS_OF, "-f", "csv")
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert [r["case_no"] for r in rows] == order
    assert [(r["next_days_left"], r["next_state"]) for r in rows] == [
        ("-18", "overdue"), ("6", "due_soon"), ("10", "due_soon"), ("3", "suspended"), ("", "")]
    assert rows[3]["next_action"] == "定期审查中止事由是否消除，消除后及时恢复执行"
    table = [line for line in run("assign", ledger, "--rules", rules, "--as-of", AS_OF).stdout.splitlines()
             if "鲁0902" in line]
    assert [line.split("│")[1].strip() for line in table] == order
    assert "中止中" in table[3] and "定期审查中止事由是否消除" in table[3]
    out = tmp_path / "lists.xlsx"
    assert run("assign", ledger, "--rules", rules, "--as-of", AS_OF, "-o", out).exit_code == 0
    sheet = [[c.value for c in row] for row in openpyxl.load_workbook(out)["张三"].iter_rows()]
    header = next(i for i, row in enumerate(sheet) if row[0] == "案号")
    cases = sheet[header + 1:]
    assert [row[0] for row in cases] == order
    state, action = sheet[header].index("期限状态"), sheet[header].index("应办事项")
    assert (cases[3][state], cases[3][action]) == ("中止中", "定期审查中止事由是否消除，消除后及时恢复执行")
    classified = run("classify", ledger, "--as-of", AS_OF, "-f", "csv").stdout
    suspended = next(r for r in csv.DictReader(io.StringIO(classified)) if r["case_no"] == "(2025)鲁0902执1号")
    assert (suspended["legal_limit_state"], suspended["legal_limit_days_left"]) == ("suspended", "3")
    assert (suspended["next_deadline"], suspended["next_days_left"], suspended["next_state"]) == \
        ("over_one_year", "186", "ok")


def test_targets_inline_in_config(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "backlog.yaml").write_text(
        f"ledger: {ledger}\ntargets: {{张三: 4, share: 0.5, minimum: 1}}\n", encoding="utf-8")
    result = run("assign", "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    lines = run("assign", "--as-of", AS_OF).stdout.splitlines()
    assert "张三：未结 2 件，已超期 1 件，本周到期 0 件，重点案件 0 件，每周结案任务 4" in lines
    assert "李四：未结 2 件，已超期 0 件，本周到期 1 件，重点案件 0 件，每周结案任务 1" in lines  # ceil(0.5 x 2)


def test_targets_are_per_officer_so_lists_by_team_have_none(tmp_path, monkeypatch):
    rows = [("(2025)鲁0902执1号", "2025-06-02", "张三", "一组"), ("(2025)鲁0902执2号", "2025-09-15", "李四", "二组")]
    teams = write_ledger(tmp_path / "teams.csv", "案号,立案日期,承办人,团队", rows)
    targets = tmp_path / "targets.yaml"
    targets.write_text("张三: 5\n李四: 3\nshare: 0.1\nminimum: 1\n", encoding="utf-8")
    refused = run("assign", teams, "--as-of", AS_OF, "--by", "团队", "--targets", targets)
    assert refused.exit_code == 2
    assert ("--targets: weekly targets are set per officer; lists by 团队 have none (leave out --by 团队 or --targets)"
            in refused.stderr)
    assert "no cases in the ledger" not in refused.stderr and "loaded" not in refused.stderr  # before the load
    # --by is named as typed: --by team, not the label the message names the lists by
    for command in (["assign"], ["rank", "--period", "week"]):
        typed = run(*command, teams, "--as-of", AS_OF, "--by", "team", "--targets", targets)
        assert typed.exit_code == 2
        assert ("--targets: weekly targets are set per officer; lists by 团队 have none (leave out --by team or "
                "--targets)") in typed.stderr, command
    # Targets in backlog.yaml stay for the lists by officer; those by team show none.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "backlog.yaml").write_text("targets: targets.yaml\n", encoding="utf-8")
    by_team = run("assign", teams, "--as-of", AS_OF, "--by", "team")
    assert by_team.exit_code == 0 and "no cases in the ledger" not in by_team.stderr
    assert "一组：未结 1 件，已超期 1 件，本周到期 0 件，重点案件 0 件，每周结案任务 —" in by_team.stdout.splitlines()
    lines = run("assign", teams, "--as-of", AS_OF).stdout.splitlines()
    assert "张三：未结 1 件，已超期 1 件，本周到期 0 件，重点案件 0 件，每周结案任务 5" in lines


@pytest.mark.parametrize("by", ["承办人", "承办法官", "officer"])
def test_by_a_header_name_or_label(ledger, by):
    """--by maps a header (any alias) or label to its field: the same lists as --by officer."""
    result = run("assign", ledger, "--as-of", AS_OF, "--by", by, "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("officer,case_no,")
    assert result.stdout == run("assign", ledger, "--as-of", AS_OF, "-f", "csv").stdout
    ranked = run("rank", ledger, "--as-of", AS_OF, "--by", by, "-f", "csv")
    assert ranked.exit_code == 0 and ranked.stdout.splitlines()[0].split(",")[3] == "officer"



def test_by_a_yes_no_field_names_its_groups_as_tables_show_it():
    """--by 是否涉信访 groups by a yes/no field: its lists are 是 and 否, as every table shows a
    flag, not True and False; blank cells are 未分配. Counted from the sample workbook: each
    group's open cases are those of classify -f csv with that flag."""
    sample = SAMPLES / "ledger.xlsx"
    result = run("assign", sample, "--as-of", SAMPLE_AS_OF, "--by", "是否涉信访", "-f", "csv")
    assert result.exit_code == 0, result.output
    groups = [line.split(",")[0] for line in result.stdout.splitlines()[1:]]
    assert set(groups) == {"是", "否", "未分配"}
    cases = list(csv.DictReader(run("classify", sample, "--as-of", SAMPLE_AS_OF, "-f", "csv").stdout.splitlines()))
    open_cases = [c for c in cases if not c["closed_on"]]
    assert groups.count("是") == sum(c["petition"] == "True" for c in open_cases) > 0
    assert groups.count("否") == sum(c["petition"] == "False" for c in open_cases) > 0
    table = run("assign", sample, "--as-of", SAMPLE_AS_OF, "--by", "petition").stdout
    assert "是：未结 " in table and "True" not in table and "False" not in table


@pytest.mark.parametrize(("by", "field"), [("case_no", "case_no (案号)"), ("案号", "case_no (案号)"),
                                           ("filed_on", "filed_on (立案日期)"), ("立案日期", "filed_on (立案日期)")])
@pytest.mark.parametrize("command", ["assign", "rank"])
def test_by_a_case_number_or_filing_date_is_refused(ledger, command, by, field):
    """Each case has its own case number and filing date, which the lists are ordered by: --by
    either is a usage error naming it (assign stopped on an internal error, exit 70)."""
    result = run(command, ledger, "--as-of", AS_OF, "--by", by)
    assert result.exit_code == 2, result.output
    assert (f"backlog: error: --by {by}: {field} is each case's own, which the lists are ordered by, not a group; "
            "group by a field cases share, such as officer or team") in \
        " ".join(result.stderr.split())
    assert "internal error" not in result.output

def test_rank_refuses_an_unknown_period_before_reading_the_ledger(tmp_path):
    """--period is week or month; anything else is a usage error (exit 2) with no ledger read:
    the ledger named here does not exist."""
    result = run("rank", tmp_path / "none.xlsx", "--period", "year")
    assert result.exit_code == 2
    assert "backlog: error: --period 'year': give week, month, 周 or 月;" in result.output and "no such file" not in result.output


def test_split_into_a_folder_whose_parent_is_missing_is_refused(tmp_path):
    """--split makes its one folder, never a tree of them from a typing slip."""
    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期,承办人\n(2025)鲁0902执1号,2025-01-02,张三\n", encoding="utf-8")
    result = run("assign", ledger, "--split", tmp_path / "typo" / "lists", "--as-of", "2025-06-30")
    assert result.exit_code == 2, result.output
    assert f"the folder {tmp_path / 'typo'} does not exist" in result.stderr
    assert not (tmp_path / "typo").exists()
    result = run("assign", ledger, "--split", tmp_path / "lists", "--as-of", "2025-06-30")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "lists").iterdir()) == [".backlog-files.json", "张三.xlsx"]
