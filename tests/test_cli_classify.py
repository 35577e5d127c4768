"""`backlog classify` on the committed samples against golden files."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from backlog_cli.cli import app
from conftest import SAMPLES, write_ledger

AS_OF = "2026-11-23"
runner = CliRunner()


def classify(*args):
    return runner.invoke(app, ["classify", *map(str, args), "--as-of", AS_OF])


def test_xlsx_sample_csv_golden(in_repo, golden):
    result = classify("samples/ledger.xlsx", "-f", "csv")
    assert result.exit_code == 0, result.output
    golden("classify_xlsx.csv", result.stdout)
    # every data row of the workbook is a case, skipped or rejected (304 = 296 + 4 + 4)
    assert "loaded 296 cases from 304 rows; skipped 4 rows (合计行 2, 空行 1, 重复的表头行 1); 4 rejected" in result.stderr
    assert len(result.stdout.splitlines()) == 1 + 296


def test_gbk_csv_sample_json_golden(in_repo, golden):
    result = classify("samples/ledger.csv", "-f", "json")
    assert result.exit_code == 0, result.output
    golden("classify_csv.json", result.stdout)
    records = json.loads(result.stdout)
    assert len(records) == 116
    assert "loaded 116 cases from 123 rows" in result.stderr


def documented_samples() -> dict[str, tuple[int, int, list[tuple[str, int]]]]:
    """Per sample file, as samples/README.md gives it: its data rows and its cases ("So: 304 data
    rows = 296 cases + …") and the sheet and row of each row of its table of deliberately bad rows."""
    text = (SAMPLES / "README.md").read_text(encoding="utf-8")
    found = {}
    for name, section in re.findall(r"^## (ledger\.\w+) .*?\n(.*?)(?=^## )", text, flags=re.M | re.S):
        rows, cases = map(int, re.search(r"So: (\d+) data rows = (\d+) cases", section).groups())
        bad = section.split("Deliberately bad case rows")[1]
        found[name] = (rows, cases, [(sheet, int(row)) for sheet, row in re.findall(r"^\| (\S+) \| (\d+) \|", bad, flags=re.M)])
    return found


def test_the_samples_folder_read_whole_rejects_only_the_deliberate_rows(in_repo, tmp_path):
    """samples/ read whole, as a new user may name it, reads both samples as one ledger. The CSV's
    case numbers were counted from 1 as the workbook's are, and 23 of the workbook's cases were
    rejected as duplicates of the CSV's (389 cases, 31 rejected). Counted from 1001 they share none:
    the rows rejected are the deliberately bad ones samples/README.md lists for each file, and the
    cases are the two files' documented cases together."""
    documented = documented_samples()
    assert sorted(documented) == ["ledger.csv", "ledger.xlsx"]
    assert [len(bad) for _, _, bad in documented.values()] == [4, 4]
    rows = sum(n for n, _, _ in documented.values())
    cases = sum(n for _, n, _ in documented.values())
    assert cases == 296 + 116
    out = tmp_path / "x.csv"
    result = classify("samples/", "-o", out)
    assert result.exit_code == 0, result.output
    assert f"loaded {cases} cases from {rows} rows; skipped 7 rows (合计行 3, 空行 2, 重复的表头行 2); 8 rejected\n" \
        in result.stderr
    with open(tmp_path / "x.errors.csv", encoding="utf-8-sig", newline="") as f:
        rejected = [(Path(r["文件"]).name, r["工作表"], int(r["行号"]), r["原因"]) for r in csv.DictReader(f)]
    assert sorted(row[:3] for row in rejected) == sorted(
        (name, sheet, row) for name, (_, _, bad) in documented.items() for sheet, row in bad)
    assert not [row for row in rejected if "ledger.csv" in row[3] or "ledger.xlsx" in row[3]]  # no other file's row
    with open(out, encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.DictReader(f))) == cases


def test_summary_counts_trace_to_rows(in_repo):
    """The 底数 table's numbers equal counts over the CSV records."""
    table = classify("samples/ledger.xlsx")
    records = json.loads(classify("samples/ledger.xlsx", "-f", "json").stdout)
    assert table.exit_code == 0
    open_cases = [r for r in records if r["closed_on"] is None or r["closed_on"] > AS_OF]
    minsheng = [r for r in records if "minsheng" in r["categories"]]
    line = next(ln for ln in table.stdout.splitlines() if "全部案件" in ln)
    assert f"{len(records)} " in line and f" {len(open_cases)} " in line
    line = next(ln for ln in table.stdout.splitlines() if " minsheng " in ln)
    assert f" {len(minsheng)} " in line


def test_category_filter(in_repo):
    result = classify("samples/ledger.xlsx", "--category", "dangzheng", "-f", "json")
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert records and all("dangzheng" in r["categories"] for r in records)
    bad = classify("samples/ledger.xlsx", "--category", "dangzhen")
    assert bad.exit_code == 2 and "did you mean 'dangzheng'" in bad.output


def test_xlsx_workbook_of_one_category_names_its_cases_sheet_by_the_category(in_repo, tmp_path):
    """`classify -c 涉民生 -o x.xlsx`: the 底数, then the category's cases with every column on a
    sheet named 涉民生, not a sheet called 全部案件 holding only them (its count 98, where the 底数
    says 全部案件 296)."""
    out = tmp_path / "minsheng.xlsx"
    result = classify("samples/ledger.xlsx", "-c", "涉民生", "-o", out)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["底数", "涉民生"]
    cases = book["涉民生"]
    assert cases.max_row == 1 + 98 and cases.max_column > 40
    assert cases.oddHeader.left.text == "涉民生（截至2026-11-23）：98 件"
    assert "wrote" in result.output and "(98 rows)" in result.output


def test_xlsx_case_sheets_say_how_many_cases_they_list(in_repo, tmp_path):
    """Each sheet of cases says in its title (全部案件, which has no title row: its page header) the
    count the 底数 gives it and it has rows for; as of 2014-01-05, before the sample's first filing,
    each says ：0 件 where it said nothing of being empty; the terminal's title says it too."""
    for as_of in ("2026-11-23", "2014-01-05"):
        out = tmp_path / f"{as_of}.xlsx"
        result = runner.invoke(app, ["classify", "samples/ledger.xlsx", "--as-of", as_of, "-o", str(out)])
        assert result.exit_code == 0, result.output
        book = openpyxl.load_workbook(out)
        counts = {row[1]: row[2] for row in book["底数"].iter_rows(min_row=3, values_only=True)}
        for ws in book.worksheets[1:]:
            untitled = ws.title == "全部案件"
            title = ws.oddHeader.left.text if untitled else ws["A1"].value
            assert title == f"{ws.title}（截至{as_of}）：{counts[ws.title]} 件"
            assert ws.max_row - (1 if untitled else 2) == counts[ws.title]
    assert counts["全部案件"] == 0
    terminal = runner.invoke(app, ["classify", "samples/ledger.xlsx", "--as-of", "2014-01-05", "-c", "涉民生"])
    assert "\n涉民生（截至2014-01-05）：0 件\n" in terminal.stdout


def test_xlsx_workbook(in_repo, tmp_path):
    out = tmp_path / "triage.xlsx"
    result = classify("samples/ledger.xlsx", "-o", out)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    # 底数, every case, then a sheet per category with all its cases (rows = the 底数's count)
    assert book.sheetnames[:2] == ["底数", "全部案件"]
    assert book["涉民生"].max_row == 2 + 98
    # category sheets: the case in short (every column once, on 全部案件)
    header = [c.value for c in book["涉民生"][2]]
    assert header == ["案号", "立案日期", "承办人", "被执行人", "案由", "执行标的（元）", "结案日期", "类别", "最近期限",
                      "期限届满日", "剩余天数", "期限状态"]
    assert book["全部案件"].max_column > 40
    cases = book["全部案件"]
    assert cases.freeze_panes == "B2" and cases.auto_filter.ref  # 案号 stays in view
    assert cases.max_row == 1 + 296
    # the 全部案件 row of the 底数 stays last when the categories are sorted or filtered in Excel
    summary = book["底数"]
    last = summary.max_row
    assert summary.cell(last, 2).value == "全部案件" and summary.auto_filter.ref == f"A2:E{last - 1}"
    # a printed page says what it is once: the title row, repeated on each page, or for 全部案件,
    # which has none, a page header with the day
    for ws in book.worksheets:
        titled = ws.print_title_rows == "$1:$2"
        assert titled == (ws.title != "全部案件")
        assert ws.oddHeader.left.text == (None if titled else "全部案件（截至2026-11-23）：296 件")
    # the errors file, for the clerks: Chinese header and reasons (2025年 row 53 repeats row 48's
    # （2024）鲁0902执105号; row 111 has no 立案日期; 2026年 row 8 has 待补 for it, row 68 暂无案号)
    assert (tmp_path / "triage.errors.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "文件,工作表,行号,案号,原因",
        "samples/ledger.xlsx,2025年,53,(2024)鲁0902执105号,案号重复：与 2025年 第48行 重复",
        "samples/ledger.xlsx,2025年,111,(2025)鲁0902执81号,缺少立案日期",
        "samples/ledger.xlsx,2026年,8,(2026)鲁0902执异1号,立案日期无法识别：“待补”",
        "samples/ledger.xlsx,2026年,68,暂无案号,案号无法识别",
    ]


def test_bad_rules_fail_before_loading(in_repo, tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text("version: 1\ncategories:\n  - id: x\n    label: x\n    when: {field: cuase, equals: a}\n", encoding="utf-8")
    result = classify("samples/ledger.xlsx", "--rules", rules)
    assert result.exit_code == 2
    assert "r.yaml:5" in result.output and "did you mean 'cause'" in result.output
    assert "loaded" not in result.output


def test_past_as_of_counts_only_cases_that_existed(in_repo):
    """Every case filed by --as-of is open or closed then; later ones are left out, and said so."""
    result = runner.invoke(app, ["classify", "samples/ledger.xlsx", "--as-of", "2025-06-30", "-f", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert records and all(r["filed_on"] <= "2025-06-30" for r in records)
    later = 296 - len(records)
    assert (f"note: {later} cases filed after 2025-06-30 are left out: they did not exist yet; the latest: "
            "(2026)鲁0902执423号 filed 2026-11-20 at ledger.xlsx [2026年] row 131; … 181 more\n") in result.stderr
    table = runner.invoke(app, ["classify", "samples/ledger.xlsx", "--as-of", "2025-06-30"]).stdout
    total = next(ln for ln in table.splitlines() if "全部案件" in ln).split("│")
    cases, open_, closed = (int(total[i]) for i in (3, 4, 5))
    assert cases == len(records) == open_ + closed
    assert open_ == sum(r["closed_on"] is None or r["closed_on"] > "2025-06-30" for r in records)


def test_ledger_without_close_dates(tmp_path):
    """No 结案日期 column: every case is open; assign and rank still work."""
    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期,承办人\n(2025)鲁0902执9号,2025/1/2,张三\n(2025)鲁0902执10号,2025-09-03,李四\n",
                      encoding="utf-8")
    for command in (["classify"], ["assign"], ["rank"], ["overdue", "--days", "180"]):
        result = runner.invoke(app, [*command, str(ledger), "--as-of", AS_OF, "-f", "csv"])
        assert result.exit_code == 0, (command, result.output)
    assign = runner.invoke(app, ["assign", str(ledger), "--as-of", AS_OF, "-f", "csv"]).stdout.splitlines()
    assert len(assign) == 3 and assign[1].startswith("李四,(2025)鲁0902执10号")  # pinyin order: li before zhang


def test_a_ledger_without_cases_is_flagged(tmp_path, monkeypatch):
    """An empty export must not pass for an empty backlog: a warning, and `run` exits 1."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "ledger.csv").write_text("案号,立案日期,承办人\n", encoding="utf-8")
    result = runner.invoke(app, ["classify", "ledger.csv", "--as-of", AS_OF, "-f", "csv"])
    assert result.exit_code == 0
    assert "warning: the ledger has no cases" in result.stderr
    (tmp_path / "backlog.yaml").write_text("ledger: ledger.csv\n", encoding="utf-8")
    run = runner.invoke(app, ["run", "--as-of", AS_OF, "--quiet"])
    assert run.exit_code == 1, run.output
    assert "warning: the ledger has no cases" in run.stderr


def classify_cases(folder, rows, as_of="2026-11-23", header="案号,立案日期"):
    """`classify` (CSV out) of a ledger l.csv of case numbers and filing dates (and more by ``header``)."""
    result = runner.invoke(app, ["classify", str(write_ledger(folder / "l.csv", header, rows)),
                                 "--as-of", as_of, "-f", "csv"])
    assert result.exit_code == 0, result.output
    return result


def test_one_case_filed_after_as_of_is_said_in_the_singular(tmp_path):
    result = classify_cases(tmp_path, [("(2026)鲁0902执9号", "2026-01-01"), ("(2025)鲁0902执8号", "2025-01-01")],
                            as_of="2025-06-30")
    assert ("note: 1 case filed after 2025-06-30 is left out: it did not exist yet; (2026)鲁0902执9号 filed "
            "2026-01-01 at l.csv [l] row 2\n") in result.stderr
    assert "skipped" not in result.stderr and "typing slip" not in result.stderr


def test_a_few_cases_filed_after_as_of_are_named(tmp_path):
    """Cases filed after a past --as-of are left out: when there are five or fewer, each is named
    with where it is, the latest filed first."""
    result = classify_cases(tmp_path, [("(2025)鲁0902执9号", "2025-08-01"), ("(2025)鲁0902执8号", "2025-01-01"),
                                       ("(2025)鲁0902执7号", "2025-12-01")], as_of="2025-06-30")
    assert ("note: 2 cases filed after 2025-06-30 are left out: they did not exist yet; (2025)鲁0902执7号 "
            "filed 2025-12-01 at l.csv [l] row 4; (2025)鲁0902执9号 filed 2025-08-01 at l.csv [l] row 2\n") in result.stderr


def test_dates_after_today_are_typing_slips(tmp_path):
    """2062 typed for 2026: a filing date after today is a rejected row (not noted as a case filed
    after --as-of, nor warned about as far from its case number's year) and left out; a close date
    after today is warned about and the case counts as open."""
    today = dt.date.today().isoformat()
    result = classify_cases(tmp_path, [("(2026)鲁0902执9号", "2062-01-01", ""), ("(2026)鲁0902执8号", "2026-01-01", "2062-03-01"),
                                       ("(2026)鲁0902执7号", "2026-01-02", "")], header="案号,立案日期,结案日期")
    assert result.stderr.count("typing slip") == 1 and "note:" not in result.stderr
    assert "year away" not in result.stderr
    assert result.stderr.startswith("loaded 2 cases from 3 rows; 1 rejected\n"
                                    "rejected: l.csv [l] row 2: (2026)鲁0902执9号: 立案日期晚于今天：“2062-01-01”（是否录入有误？）\n")
    assert (f"warning: 1 case has a close date after today ({today}), a typing slip: it is counted as open until "
            "that date; (2026)鲁0902执8号 closed 2062-03-01 at l.csv [l] row 3\n") in result.stderr
    rows = result.stdout.splitlines()
    assert [r.split(",")[0] for r in rows[1:]] == ["(2026)鲁0902执8号", "(2026)鲁0902执7号"]
    result = classify_cases(tmp_path, [("(2026)鲁0902执6号", "2026-01-02", "2062-02-01")], header="案号,立案日期,中止日期")
    assert (f"warning: 1 case has a 中止 date after today ({today}), a typing slip: it is not suspended, nothing "
            "deducted, until that date; (2026)鲁0902执6号 suspended 2062-02-01 at l.csv [l] row 2\n") in result.stderr


def test_a_case_filed_after_today_is_listed_in_the_errors_file(tmp_path):
    """A row left out for a filing date after today is in FILE.errors.csv with its sheet, row and
    reason, as the rows the load rejects are, and counted with them (cases + rejected = rows read);
    explain says it is rejected and why."""
    ledger = write_ledger(tmp_path / "l.csv", "案号,立案日期", [("(2026)鲁0902执1号", "2062-05-01"),
                                                                ("(2026)鲁0902执2号", "待补"), ("(2026)鲁0902执3号", "2026-01-02")])
    out = tmp_path / "x.xlsx"
    result = classify(ledger, "-o", out)
    assert result.exit_code == 0, result.output
    assert "loaded 1 case from 3 rows; 2 rejected\n" in result.stderr
    assert (tmp_path / "x.errors.csv").read_text(encoding="utf-8-sig").splitlines()[1:] == [
        f"{ledger},l,2,(2026)鲁0902执1号,立案日期晚于今天：“2062-05-01”（是否录入有误？）",
        f"{ledger},l,3,(2026)鲁0902执2号,立案日期无法识别：“待补”"]
    explained = runner.invoke(app, ["explain", "(2026)鲁0902执1号", str(ledger), "--as-of", AS_OF])
    assert explained.exit_code == 2
    assert explained.stderr.endswith("backlog: error: (2026)鲁0902执1号 is not a case of the ledger: rejected at l.csv [l] "
                                     "row 2: 立案日期晚于今天：“2062-05-01”（是否录入有误？）\n")


def test_every_command_rejects_a_case_filed_after_today(tmp_path):
    """inspect and rank, which evaluate no cases, reject a row filed after today as the commands
    that do: the same count, the same line on stderr, the same row in FILE.errors.csv; inspect
    counts it as rejected in its sheet and lists it, and rank leaves it out of the weeks ranked."""
    ledger = write_ledger(tmp_path / "l.csv", "案号,立案日期,承办人", [
        ("(2026)鲁0902执1号", "2062-03-01", "张三"), ("(2026)鲁0902执2号", "2026-01-05", "李四")])
    said = ("loaded 1 case from 2 rows; 1 rejected\n"
            "rejected: l.csv [l] row 2: (2026)鲁0902执1号: 立案日期晚于今天：“2062-03-01”（是否录入有误？）\n")
    listed = [f"{ledger},l,2,(2026)鲁0902执1号,立案日期晚于今天：“2062-03-01”（是否录入有误？）"]
    for command in (["classify"], ["overdue", "--months", "0"], ["assign"], ["rank"], ["report", "monthly"]):
        out = tmp_path / f"{command[0]}.csv"
        result = runner.invoke(app, [*command, str(ledger), "--as-of", AS_OF, "-o", str(out)])
        assert result.exit_code == 0, (command, result.output)
        assert result.stderr.startswith(said), command
        assert (tmp_path / f"{command[0]}.errors.csv").read_text(encoding="utf-8-sig").splitlines()[1:] == listed, command
    inspected = runner.invoke(app, ["inspect", str(ledger)])
    assert inspected.exit_code == 0 and inspected.stderr == said
    sheets = inspected.stdout.splitlines()
    assert [c.strip() for c in sheets[4].strip("│").split("│")] == ["l.csv", "l", "1", "2", "1", "0", "1", ""]
    assert "│ (2026)鲁0902执1号 │ l.csv │ l      │    2 │ 立案日期晚于今天：“2062-03-01”（是否录入有误？） │" in inspected.stdout
    ranked = runner.invoke(app, ["rank", str(ledger), "--as-of", "2062-03-08", "--periods", "1", "-f", "csv"])
    assert ranked.exit_code == 0 and said in ranked.stderr
    assert [r.split(",")[3:7] for r in ranked.stdout.splitlines()[1:]] == [["李四", "1", "0", "0"]]


def test_a_row_filed_after_today_leaves_a_later_row_of_its_case_to_be_the_case(tmp_path):
    """A row filed after today stands for no case, as a row without a readable filing date: the
    next row of its case is the case, not a duplicate of a rejected row (which left the case
    counted nowhere), in every command; the row filed after today is rejected for its date."""
    ledger = write_ledger(tmp_path / "l.csv", "案号,立案日期,承办人", [
        ("(2026)鲁0902执1号", "2062-03-01", "张三"), ("(2026)鲁0902执1号", "2026-01-05", "李四"),
        ("(2026)鲁0902执2号", "待补", "张三"), ("(2026)鲁0902执2号", "2026-01-06", "李四")])
    said = ("loaded 2 cases from 4 rows; 2 rejected\n"
            "rejected: l.csv [l] row 2: (2026)鲁0902执1号: 立案日期晚于今天：“2062-03-01”（是否录入有误？）\n"
            "rejected: l.csv [l] row 4: (2026)鲁0902执2号: 立案日期无法识别：“待补”\n")
    result = classify(ledger, "-f", "csv")
    assert result.exit_code == 0 and result.stderr.startswith(said), result.output
    cases = list(csv.DictReader(result.stdout.splitlines()))
    assert [(c["case_no"], c["officer"], c["source_row"]) for c in cases] == [
        ("(2026)鲁0902执1号", "李四", "3"), ("(2026)鲁0902执2号", "李四", "5")]
    for command in (["overdue", "--days", "180"], ["assign", "--by", "officer"]):
        result = runner.invoke(app, [*command, str(ledger), "--as-of", AS_OF, "-f", "csv"])
        assert result.exit_code == 0 and result.stderr.startswith(said), (command, result.output)
    assert runner.invoke(app, ["inspect", str(ledger)]).stderr.startswith(said)


def test_an_amount_of_minus_zero_is_zero(tmp_path):
    """-0.00 (as some exports write nothing owed) was read as -0 and shown as -0.00 (-0.0 in CSV):
    it is 0, in every output."""
    ledger = write_ledger(tmp_path / "l.csv", "案号,立案日期,执行标的（元）,未履行金额（万元）", [
        ("(2026)鲁0902执1号", "2026-01-05", "-0.00", "-0"), ("(2026)鲁0902执2号", "2026-01-06", "-0", "0")])
    result = classify(ledger, "-f", "csv")
    assert result.exit_code == 0, result.output
    assert [(c["amount"], c["unperformed"]) for c in csv.DictReader(result.stdout.splitlines())] == [("0.0", "0.0")] * 2
    table = runner.invoke(app, ["classify", str(ledger), "--as-of", AS_OF], env={"COLUMNS": "200"})
    assert "0.00" in table.stdout and "-0.00" not in table.stdout
    explained = runner.invoke(app, ["explain", "(2026)鲁0902执1号", str(ledger), "--as-of", AS_OF])
    assert "执行标的（元）（amount）：0.00\n" in explained.stdout


def test_xlsx_is_in_chinese_and_csv_keeps_codes(in_repo, tmp_path):
    out = tmp_path / "x.xlsx"
    result = classify("samples/ledger.xlsx", "-o", out)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    summary = book["底数"]
    assert summary["A1"].value == "底数（截至2026-11-23）"
    assert [c.value for c in summary[2]] == ["类别编号", "类别", "案件数", "未结", "已结"]
    cases = book["全部案件"]
    header = [c.value for c in cases[header_row(cases)]]
    first = {h: c.value for h, c in zip(header, cases[header_row(cases) + 1])}
    # (2014)泰执字第00011号: wages, special subject, over a year, key; not a petition case; overdue
    assert first["案号"] == "(2014)泰执字第00011号"
    assert first["类别"] == "农民工工资、建筑工程款; 被执行人为特殊主体（村委会、国有企业）; 未结超过一年; 重点案件"
    assert first["主要类别"] == "农民工工资、建筑工程款"
    assert (first["是否涉信访"], first["期限状态"], first["法定执行期限·状态"]) == ("否", "已超期", "已超期")
    csv = classify("samples/ledger.xlsx", "-f", "csv").stdout.splitlines()
    assert csv[1].startswith("(2014)泰执字第00011号,") and ",wages;special_subject;over_one_year;key,wages," in csv[1]
    assert ",overdue," in csv[1] and ",False," in csv[1]


def test_dates_typed_in_a_column_kept_as_typed_are_date_cells_in_xlsx(tmp_path):
    """预计结案时间 holds date cells and words (年底前): the workbooks written from it (classify -o,
    report monthly -o) have its dates as date cells, its words as text; CSV keeps ISO text."""
    ledger = tmp_path / "l.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["案号", "立案日期", "承办人", "预计结案时间"])
    wb.active.append(["(2025)鲁0902执1号", dt.datetime(2025, 3, 1), "张三", dt.datetime(2027, 3, 1)])
    wb.active.append(["(2025)鲁0902执2号", dt.datetime(2025, 4, 1), "李四", "年底前"])
    wb.save(ledger)
    out = tmp_path / "x.xlsx"
    assert classify(ledger, "-o", out).exit_code == 0
    cases = openpyxl.load_workbook(out)["全部案件"]
    header = [c.value for c in cases[header_row(cases)]]
    cells = [row[header.index("预计结案时间")] for row in cases.iter_rows(min_row=header_row(cases) + 1)]
    assert [c.value for c in cells] == [dt.datetime(2027, 3, 1), "年底前"]
    assert cells[0].is_date and cells[0].number_format == "yyyy-mm-dd" and cells[1].data_type == "s"
    report = tmp_path / "r.xlsx"
    result = runner.invoke(app, ["report", "monthly", str(ledger), "--as-of", AS_OF, "-o", str(report)])
    assert result.exit_code == 0, result.output
    key = openpyxl.load_workbook(report)["重点案件"]
    header = [c.value for c in key[2]]
    assert [r[header.index("预计结案时间")].value for r in key.iter_rows(min_row=3)] == ["年底前", dt.datetime(2027, 3, 1)]
    csv = classify(ledger, "-f", "csv").stdout.splitlines()
    assert csv[1].endswith(",2027-03-01") or ",2027-03-01," in csv[1]
    assert ",年底前" in csv[2]


def header_row(ws) -> int:
    return 1 if ws["A1"].value == "案号" else 2


def test_a_filing_date_far_from_the_case_numbers_year_is_warned_about(tmp_path):
    """案号 carries the year of filing: 1990 typed for a (2026) case, or 2026 for a (2015) one, is
    named; a case filed on 2025-12-30 with a 2026 number (a year's turn) is not."""
    result = classify_cases(tmp_path, [("(2026)鲁0902执9号", "1990-01-01"), ("(2026)鲁0902执8号", "2026-01-01"),
                                       ("(2026)鲁0902执7号", "2025-12-30"), ("(2015)泰执字第00009号", "2026-02-01")])
    assert ("warning: 2 cases have a filing date more than a year away from the case number's year: check them "
            "(counted with the date as typed); (2026)鲁0902执9号 filed 1990-01-01 at l.csv [l] row 2; "
            "(2015)泰执字第00009号 filed 2026-02-01 at l.csv [l] row 5\n") in result.stderr
    assert result.stdout.count("鲁0902执") == 3


def test_backlogs_own_csv_read_back_as_a_ledger(in_repo, tmp_path):
    """classify's CSV holds the columns backlog computes (source_row, categories, legal_limit_due,
    next_due, …): named as a ledger it is refused as backlog's output; saved by a clerk as a
    workbook of their own and read as a ledger, those columns are kept as the ledger's (（台帐）
    added) and computed anew, to the same values, instead of clashing with them."""
    first = tmp_path / "c.csv"
    assert classify("samples/ledger.csv", "-o", first).exit_code == 0
    refused = classify(first, "-f", "csv")
    assert refused.exit_code == 2 and "c.csv: an output of backlog, not a ledger" in refused.stderr
    book = openpyxl.Workbook()  # as Excel saves it: the clerk its author
    for row in csv.reader(first.read_text(encoding="utf-8-sig").splitlines()):
        book.active.append(row)
    book.save(tmp_path / "c.xlsx")
    again = classify(tmp_path / "c.xlsx", "-f", "csv")
    assert again.exit_code == 0, again.output
    before, after = first.read_text(encoding="utf-8-sig").splitlines(), again.stdout.splitlines()
    header = after[0].split(",")
    assert {"source_row（台帐）", "categories（台帐）", "legal_limit_due（台帐）", "next_due（台帐）"} <= set(header)
    old_header = before[0].split(",")
    for name in ("categories", "legal_limit_due", "next_state"):
        old = [r.split(",")[old_header.index(name)] for r in before[1:]]
        assert [r.split(",")[header.index(name)] for r in after[1:]] == old
        assert [r.split(",")[header.index(f"{name}（台帐）")] for r in after[1:]] == old


def test_warnings_quoting_a_file_name_are_terminal_safe(tmp_path):
    """A warning names the file its cases came from: an escape sequence in the name is shown, not
    sent to the terminal (as for rejected rows)."""
    result = classify_cases(tmp_path, [("(2026)鲁0902执9号", "2026-01-01", "2062-01-01")], header="案号,立案日期,结案日期")
    assert "closed 2062-01-01 at l.csv [l] row 2" in result.stderr
    odd = tmp_path / "l\x1b[31m.csv"
    (tmp_path / "l.csv").rename(odd)
    result = runner.invoke(app, ["classify", str(odd), "--as-of", "2026-11-23", "-f", "csv"])
    assert "\x1b" not in result.stderr and "at l\\x1b[31m.csv [l\\x1b[31m] row 2" in result.stderr


# a columns file adding fields of each kind but text, and rules reading them with column:
TYPED_COLUMNS = """fields:
  judge_count:
    kind: number
    aliases: [合议庭人数]
  hearing_on:
    kind: date
    aliases: [听证日期]
  deposit:
    kind: amount
    aliases: [保证金]
  urgent:
    kind: flag
    aliases: [是否紧急]
"""
TYPED_RULES = """version: 1
categories:
  - id: big_panel
    label: 合议庭人数多
    when: {column: judge_count, gt: 3}
  - id: early_hearing
    label: 听证在四月前
    when: {column: hearing_on, before: 2026-04-01}
  - id: big_deposit
    label: 保证金过万
    when: {column: deposit, gte: 10000}
  - id: urgent
    label: 紧急
    when: {column: urgent, equals: true}
deadlines:
  - id: panel_review
    label: 合议庭评议
    applies: {column: judge_count, gte: 5}
    duration_when:
      - {when: {column: deposit, gt: 20000}, duration: 1 month}
    duration: 2 years
"""


def test_a_column_a_columns_file_adds_is_read_with_its_kind(tmp_path):
    """{column: judge_count, gt: 3} compares numbers (12 > 3, though "12" < "3" as text),
    before: compares dates (2026年1月5日 too), gte: amounts as read (3万元), equals: true flags;
    a text operator on such a column is refused as on a canonical field of its kind, at its line,
    and so are the others when no columns file gives the column a kind (rules check names the
    way out)."""
    columns = tmp_path / "cols.yaml"
    columns.write_text(TYPED_COLUMNS, encoding="utf-8")
    rules = tmp_path / "r.yaml"
    rules.write_text(TYPED_RULES, encoding="utf-8")
    ledger = write_ledger(tmp_path / "l.csv", "案号,立案日期,合议庭人数,听证日期,保证金,是否紧急", [
        ("(2025)鲁0902执1号", "2025-01-02", "5", "2026-03-01", "12000", "是"),
        ("(2025)鲁0902执2号", "2025-01-03", "12", "2026-05-01", "3万元", "否"),
        ("(2025)鲁0902执3号", "2025-01-04", "2", "2026年1月5日", "500", "否"),
    ])
    result = classify(ledger, "--columns", columns, "--rules", rules, "-f", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert [r["categories"] for r in records] == [
        ["big_panel", "early_hearing", "big_deposit", "urgent"], ["big_panel", "big_deposit"], ["early_hearing"]]
    assert [r["panel_review_due"] for r in records] == ["2027-01-02", "2025-02-03", None]
    assert runner.invoke(app, ["rules", "check", str(rules), "--columns", str(columns)]).exit_code == 0
    assert runner.invoke(app, ["rules", "show", str(rules), "--columns", str(columns)]).exit_code == 0

    rules.write_text(TYPED_RULES.replace("{column: hearing_on, before: 2026-04-01}",
                                         "{column: hearing_on, contains_any: [2026]}"), encoding="utf-8")
    refused = classify(ledger, "--columns", columns, "--rules", rules, "-f", "json")
    assert refused.exit_code == 2
    assert refused.output == (
        "backlog: error: 1 problem in rules:\n"
        f"  {rules}:8:32: categories[1].when: 'contains_any' does not apply to column 'hearing_on' (a date field); "
        "it applies to: case_no, text\n")

    rules.write_text(TYPED_RULES, encoding="utf-8")
    unknown = runner.invoke(app, ["rules", "check", str(rules)])
    assert unknown.exit_code == 2
    assert (f"  {rules}:5:33: categories[0].when: 'gt' does not apply to column 'judge_count' (a text field: a ledger "
            "column is read as text unless a columns file (--columns) gives it a kind); it applies to: amount, date, "
            "number\n") in unknown.output


@pytest.mark.parametrize(("label", "message"), [
    ("[案件编号]", "'label' must be the header text its column is shown under, e.g. label: 合议庭, got a list"),
    ("承办人", "label '承办人' is already the label of 'officer'; a header can show one column only"),
])
def test_a_label_no_text_or_another_columns_is_refused_at_its_line(tmp_path, label, message):
    """A columns file's label: was taken as it came: a list shown as the header ['案件编号'], nothing
    as None, another field's as a second column of that header."""
    columns = tmp_path / "cols.yaml"
    columns.write_text(f"fields:\n  case_no:\n    label: {label}\n", encoding="utf-8")
    ledger = write_ledger(tmp_path / "l.csv", "案号,立案日期,承办人", [("(2025)鲁0902执1号", "2025-01-02", "张三")])
    for command in (["classify", "-f", "csv"], ["overdue", "--months", "6", "-f", "table"]):
        result = runner.invoke(app, [*command, str(ledger), "--columns", str(columns), "--as-of", AS_OF])
        assert result.exit_code == 2, result.output
        assert result.stderr == f"backlog: error: {columns}:3: field 'case_no': {message}\n"


PLAN_DATES = "fields:\n  expected_close:\n    kind: date\n"
PLAN_RULES = """version: 1
categories:
  - id: plan_after
    label: 预计年底后结案
    when: {field: expected_close, after: 2026-12-01}
  - id: plan_before
    label: 预计年底前结案
    when: {column: 预计结案时间, before: 2026-12-01}
deadlines:
  - id: plan_review
    label: 预计结案后复核
    start: expected_close
    duration: 1 month
"""


def test_a_field_whose_kind_a_columns_file_changes_is_read_by_the_rules_with_that_kind(tmp_path):
    """预计结案时间 kept as dates (expected_close: {kind: date}) is compared as dates by field: and
    column:, a planned day after --as-of is still that day (not an event yet to happen, as a close
    is), a deadline may count from it, and a text operator on it is refused saying where the kind
    comes from; without the columns file it is text, as before."""
    columns = tmp_path / "cols.yaml"
    columns.write_text(PLAN_DATES, encoding="utf-8")
    rules = tmp_path / "r.yaml"
    rules.write_text(PLAN_RULES, encoding="utf-8")
    ledger = write_ledger(tmp_path / "l.csv", "案号,立案日期,预计结案时间", [
        ("(2025)鲁0902执1号", "2025-01-02", "2026年12月31日"),
        ("(2025)鲁0902执2号", "2025-01-03", "2026-10-05"),
        ("(2025)鲁0902执3号", "2025-01-04", ""),
    ])
    result = classify(ledger, "--columns", columns, "--rules", rules, "-f", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert [r["expected_close"] for r in records] == ["2026-12-31", "2026-10-05", None]
    assert [r["categories"] for r in records] == [["plan_after"], ["plan_before"], []]
    assert [r["plan_review_due"] for r in records] == [None, "2026-11-05", None]
    assert runner.invoke(app, ["rules", "check", str(rules), "--columns", str(columns)]).exit_code == 0

    rules.write_text(PLAN_RULES.replace("{field: expected_close, after: 2026-12-01}",
                                        "{field: expected_close, contains_any: [年底]}"), encoding="utf-8")
    refused = runner.invoke(app, ["rules", "check", str(rules), "--columns", str(columns)])
    assert refused.exit_code == 2
    assert refused.output == (
        "backlog: error: 1 problem in rules:\n"
        f"  {rules}:5:35: categories[0].when: 'contains_any' does not apply to field 'expected_close' (a date field, "
        "as a columns file (--columns) gives it); it applies to: case_no, text\n")

    rules.write_text(PLAN_RULES, encoding="utf-8")
    text = runner.invoke(app, ["rules", "check", str(rules)])
    assert text.exit_code == 2
    assert ("'after' does not apply to field 'expected_close' (a text field; a columns file (--columns) may give it "
            "another: expected_close: {kind: date}); it applies to: date") in text.output
    assert "deadlines[0].start: field 'expected_close' is a text field; expected a date field" in text.output


def test_explain_lists_the_values_the_rules_read_through_a_columns_file_or_by_header(tmp_path):
    """explain lists, after the case's usual values, those the rules read that the bundled columns
    do not give: a field a columns file adds (by the header its sheet gives it, or the label the
    file gives it), a free-text field the file gives another kind (as read: a date), one only a
    deadline counts from, and a column: read by its header; each once, as the rules first read it.
    A field the rules read as the bundled columns give it (备注 by column:) stays in the conditions."""
    columns = tmp_path / "cols.yaml"
    columns.write_text(TYPED_COLUMNS.replace("    kind: date\n    aliases: [听证日期]",
                                             "    kind: date\n    label: 听证\n    aliases: [听证日期]")
                       + "  expected_close:\n    kind: date\n", encoding="utf-8")
    rules = tmp_path / "r.yaml"
    rules.write_text(TYPED_RULES.replace("deadlines:\n", """  - id: big_panel_again
    label: 合议庭人数多（再）
    when: {column: judge_count, gt: 4}
  - id: extra
    label: 附加说明有急
    when: {any: [{column: 附加说明, contains_any: [急]}, {column: 备注, contains_any: [急]}]}
deadlines:
  - id: plan_review
    label: 预计结案后复核
    start: expected_close
    duration: 1 month
"""), encoding="utf-8")
    ledger = write_ledger(tmp_path / "l.csv", "案号,立案日期,承办人,合议庭人数,听证日期,保证金,是否紧急,预计结案时间,附加说明,备注", [
        ("(2025)鲁0902执1号", "2025-01-02", "张三", "5", "2026-03-01", "3万元", "是", "2026年10月31日", "很急", "无"),
    ])
    result = runner.invoke(app, ["explain", "执1", str(ledger), "--columns", str(columns), "--rules", str(rules),
                                 "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    values = result.stdout.split("类别：")[0].splitlines()[1:]
    assert values == [
        "  立案日期（filed_on）：2025-01-02",
        "  承办人（officer）：张三",
        "  合议庭人数（judge_count）：5",
        "  听证（hearing_on）：2026-03-01",
        "  保证金（deposit）：30,000.00",
        "  是否紧急（urgent）：是",
        "  附加说明：很急",
        "  预计结案时间（expected_close）：2026-10-31",
    ]
    assert "  起算 expected_close 2026-10-31（自次日起算）\n" in result.stdout


def test_a_number_field_shows_its_whole_numbers_as_the_ledger_does(tmp_path):
    """合议庭人数 declared a number is 5 in CSV, JSON, the terminal, explain (its rule's 3 too) and
    xlsx (a number cell, not one formatted as an amount, 5.00), as the bundled 延长期限 is; a column
    holding a fraction keeps it."""
    columns = tmp_path / "cols.yaml"
    columns.write_text(TYPED_COLUMNS + "  rate:\n    kind: number\n    aliases: [利率]\n", encoding="utf-8")
    rules = tmp_path / "r.yaml"
    rules.write_text(TYPED_RULES.split("  - id: early_hearing")[0], encoding="utf-8")
    ledger = write_ledger(tmp_path / "l.csv", "案号,立案日期,合议庭人数,延长期限,利率", [
        ("(2025)鲁0902执1号", "2025-01-02", "5", "3个月", "4.35"),
        ("(2025)鲁0902执2号", "2025-01-03", "十二", "", "4"),
        ("(2025)鲁0902执3号", "2025-01-04", "", "", ""),
    ])
    csv_out = classify(ledger, "--columns", columns, "--rules", rules, "-f", "csv")
    assert csv_out.exit_code == 0, csv_out.output
    head, *rows = csv_out.stdout.splitlines()
    at = head.split(",").index
    assert [(r.split(",")[at("judge_count")], r.split(",")[at("extension_months")]) for r in rows] == [
        ("5", "3"), ("12", ""), ("", "")]
    records = json.loads(classify(ledger, "--columns", columns, "--rules", rules, "-f", "json").stdout)
    assert [(r["judge_count"], r["extension_months"], r["rate"]) for r in records] == [
        (5, 3, 4.35), (12, None, 4.0), (None, None, None)]
    assert isinstance(records[0]["judge_count"], int)
    explained = runner.invoke(app, ["explain", "(2025)鲁0902执1号", str(ledger), "--columns", str(columns),
                                    "--rules", str(rules), "--as-of", AS_OF])
    assert explained.exit_code == 0, explained.output
    assert "  ✓ judge_count = 5, gt: 3\n" in explained.stdout
    out = tmp_path / "out.xlsx"
    assert classify(ledger, "--columns", columns, "--rules", rules, "-o", out).exit_code == 0
    sheet = openpyxl.load_workbook(out)["全部案件"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(2, header.index("judge_count") + 1)
    assert (cell.value, cell.number_format) == (5, "General")


def test_a_flag_or_a_date_compared_with_an_undeclared_column_says_it_is_read_as_text(tmp_path):
    """equals: true (and in:, not_in: with a date) on a column no columns file gives a kind says, as
    gt: on one does, that a ledger column is text unless a columns file says otherwise; a column a
    columns file declares text, and a canonical text field, are not said to be undeclared."""
    rules = tmp_path / "r.yaml"
    rules.write_text("version: 1\ncategories:\n"
                     "  - {id: urgent, label: 紧急, when: {column: urgent, equals: true}}\n"
                     "  - {id: heard, label: 已听证, when: {column: hearing_on, not_in: [2026-01-05]}}\n"
                     "  - {id: noted, label: 备注, when: {field: notes, equals: true}}\n", encoding="utf-8")
    hint = "is a text field: a ledger column is read as text unless a columns file (--columns) gives it a kind)"
    result = runner.invoke(app, ["rules", "check", str(rules)])
    assert result.exit_code == 2
    assert result.output == (
        "backlog: error: 3 problems in rules:\n"
        f"  {rules}:3:60: categories[0].when.equals: expected text, got true (column 'urgent' {hint}\n"
        f"  {rules}:4:64: categories[1].when.not_in: expected text, got a date (column 'hearing_on' {hint}\n"
        f"  {rules}:5:57: categories[2].when.equals: expected text, got true\n")
    columns = tmp_path / "cols.yaml"
    columns.write_text("fields:\n  urgent:\n    kind: text\n    aliases: [是否紧急]\n", encoding="utf-8")
    declared = runner.invoke(app, ["rules", "check", str(rules), "--columns", str(columns)])
    assert f"  {rules}:3:60: categories[0].when.equals: expected text, got true\n" in declared.output


def test_a_rule_naming_cases_by_number_finds_them_as_the_ledger_reads_case_numbers(in_repo, tmp_path):
    """A clerk copies a case number into a rule as the ledger shows it, with full-width brackets,
    without the year's brackets or the older form's zeros: each names the case the ledger holds
    ((2025)鲁0902执4号, (2015)泰执字第00009号), as `explain` finds it; before, such a rule held on no
    case and the count was silently 0."""
    path = tmp_path / "r.yaml"
    path.write_text("version: 1\ncategories:\n"
                    "  - {id: named, label: 督办案件, when: {field: case_no, in: ['（2025）鲁0902执4号', '(2015)泰执字第9号']}}\n"
                    "  - {id: one, label: 单件, when: {field: case_no, equals: '2024鲁0902执69号'}}\n"
                    "  - {id: others, label: 其余, when: {field: case_no, not_in: ['（2025）鲁0902执4号']}}\n",
                    encoding="utf-8")
    result = classify("samples/ledger.xlsx", "--rules", path, "-f", "csv")
    assert result.exit_code == 0, result.output
    records = list(csv.DictReader(result.stdout.splitlines()))
    assert len(records) == 296

    def named(category):
        return sorted(r["case_no"] for r in records if category in r["categories"].split(";"))

    assert named("named") == ["(2015)泰执字第00009号", "(2025)鲁0902执4号"]
    assert named("one") == ["(2024)鲁0902执69号"]
    assert len(named("others")) == 295 and "(2025)鲁0902执4号" not in named("others")


def test_a_value_no_case_can_have_is_refused_at_its_line(in_repo, tmp_path):
    """An empty text in equals/in/not_in (a blank cell is missing, so none equals it) or a case
    number said short (执4: none is written so in the case_no column) would hold on no case, or
    on every case with a value, without a word: each is refused at its line (exit 2)."""
    path = tmp_path / "r.yaml"
    path.write_text("version: 1\ncategories:\n"
                    "  - {id: a, label: 甲, when: {field: cause, equals: ''}}\n"
                    "  - {id: b, label: 乙, when: {field: notes, in: [农民工, ' ']}}\n"
                    "  - {id: c, label: 丙, when: {field: status, not_in: ['']}}\n"
                    "  - {id: d, label: 丁, when: {field: case_no, equals: 执4}}\n", encoding="utf-8")
    result = classify("samples/ledger.xlsx", "--rules", path)
    assert result.exit_code == 2
    empty = "an empty text never matches: a blank cell is missing (is_blank: true finds it)"
    assert result.stderr.splitlines() == [
        "backlog: error: 4 problems in rules:",
        f"  {path}:3:52: categories[0].when.equals: {empty}",
        f"  {path}:4:48: categories[1].when.in: {empty}",
        f"  {path}:5:53: categories[2].when.not_in: {empty}",
        f"  {path}:6:54: categories[3].when.equals: '执4' is not a case number as the ledger's are read: "
        "write it whole, as (2025)鲁0902执4号",
    ]
