"""`backlog overdue`, deadline columns in `classify` and deadline arithmetic in `explain`.

Expectations are computed by hand for the small ledger below at --as-of 2025-07-01 with the
bundled default rules (legal limit 6 months, 3 for 非诉; officer within 7 days; 终本 re-query).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from backlog_cli.cli import app
from backlog_cli.sample import write_sample
from conftest import SAMPLE_AS_OF, check_golden, write_ledger

AS_OF = "2025-07-01"
runner = CliRunner()

# case number, filed, officer, closed, close method, cause
ROWS = [
    # legal limit 2025-06-30: overdue by 1 day; age 182
    ("(2025)鲁0902执1号", "2024-12-31", "张三", "", "", "买卖合同纠纷"),
    # legal limit 2025-07-02: 1 day left, due soon; age 180
    ("(2025)鲁0902执2号", "2025-01-02", "张三", "", "", "买卖合同纠纷"),
    # 非诉: 3 months → 2025-04-01, overdue by 91 days; age 181
    ("(2025)鲁0902执3号", "2025-01-01", "李四", "", "", "非诉执行"),
    # no officer: assign by 2025-07-05, 4 days left; age 3
    ("(2025)鲁0902执4号", "2025-06-28", "", "", "", "追索劳动报酬纠纷"),
    # closed by 终本 2024-05-06: re-queries 2024-11-06, 2025-05-06, next 2025-11-06 (128 days)
    ("(2024)鲁0902执5号", "2024-01-10", "李四", "2024-05-06", "终结本次执行程序", "民间借贷纠纷"),
]


@pytest.fixture
def ledger(tmp_path) -> Path:
    return write_ledger(tmp_path / "ledger.csv", "案号,立案日期,承办人,结案日期,结案方式,案由", ROWS)


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def rows(result) -> list[dict[str, str]]:
    assert result.exit_code == 0, result.output
    text = result.stdout
    return list(csv.DictReader(io.StringIO(text[text.index("case_no"):])))


def test_overdue_days_is_strict_and_oldest_first(ledger) -> None:
    out = rows(run("overdue", ledger, "--days", 180, "--as-of", AS_OF, "-f", "csv"))
    assert [(r["case_no"], r["age_days"]) for r in out] == [
        ("(2025)鲁0902执1号", "182"), ("(2025)鲁0902执3号", "181")]
    assert [r["officer"] for r in out] == ["张三", "李四"]
    assert [(r["next_deadline"], r["next_days_left"]) for r in out] == [
        ("legal_limit", "-1"), ("legal_limit", "-91")]
    out = rows(run("overdue", ledger, "--days", 179, "--as-of", AS_OF, "-f", "csv"))
    assert [r["case_no"] for r in out][-1] == "(2025)鲁0902执2号"


def test_overdue_past_a_deadline(ledger) -> None:
    out = rows(run("overdue", ledger, "--deadline", "legal_limit", "--as-of", AS_OF, "-f", "csv"))
    assert [(r["case_no"], r["due"], r["days_left"], r["state"]) for r in out] == [
        ("(2025)鲁0902执3号", "2025-04-01", "-91", "overdue"),
        ("(2025)鲁0902执1号", "2025-06-30", "-1", "overdue"),
    ]


def test_overdue_months_counts_calendar_months_not_days(ledger) -> None:
    """On 2025-07-01: 执3号 (filed 2025-01-01) is 181 days old but exactly six months, so it is on
    the --days 180 list and not on --months 6; 执1号 (2024-12-31) is on both."""
    out = rows(run("overdue", ledger, "--months", 6, "--as-of", AS_OF, "-f", "csv"))
    assert [(r["case_no"], r["age_days"]) for r in out] == [("(2025)鲁0902执1号", "182")]
    out = rows(run("overdue", ledger, "--days", 180, "--as-of", AS_OF, "-f", "csv"))
    assert [r["case_no"] for r in out] == ["(2025)鲁0902执1号", "(2025)鲁0902执3号"]
    table = run("overdue", ledger, "--months", 6, "--as-of", AS_OF).stdout
    assert table.startswith("未结超过6个月（截至2025-07-01）：1 件\n")
    table = run("overdue", ledger, "--months", 6, "--officer", "张三", "--category", "minsheng", "--as-of", AS_OF).stdout
    assert table.startswith("涉民生，承办人张三，未结超过6个月（截至2025-07-01）：0 件\n")
    table = run("overdue", ledger, "--deadline", "legal_limit", "--as-of", AS_OF).stdout
    assert table.startswith("「法定执行期限」期限已过（截至2025-07-01）：2 件\n")
    both = run("overdue", ledger, "--months", 6, "--days", 180)
    assert both.exit_code == 2 and "give --months or --days, not both" in both.output


def test_overdue_within_and_filters(ledger) -> None:
    out = rows(run("overdue", ledger, "--within", 10, "--as-of", AS_OF, "-f", "csv"))
    assert [(r["case_no"], r["deadline"], r["due"], r["days_left"], r["state"]) for r in out] == [
        ("(2025)鲁0902执2号", "legal_limit", "2025-07-02", "1", "due_soon"),
        ("(2025)鲁0902执4号", "assign_officer", "2025-07-05", "4", "ok"),
    ]
    out = rows(run("overdue", ledger, "--within", 10, "--officer", "张三", "--as-of", AS_OF,
                   "-f", "csv"))
    assert [r["case_no"] for r in out] == ["(2025)鲁0902执2号"]
    # the option is compared as the ledger's names are: spaces and full-width forms do not matter
    out = rows(run("overdue", ledger, "--days", 0, "--officer", " 张 三", "--as-of", AS_OF, "-f", "csv"))
    assert [r["case_no"] for r in out] == ["(2025)鲁0902执1号", "(2025)鲁0902执2号"]
    # and titled as the ledger names them: 张三, and 未分配 for 无 (the case with no officer)
    assert run("overdue", ledger, "--days", 0, "--officer", " 张 三", "--as-of", AS_OF).stdout.startswith(
        "承办人张三，立案超过0天未结（截至2025-07-01）：2 件")
    assert run("overdue", ledger, "--days", 0, "--officer", "无", "--as-of", AS_OF).stdout.startswith(
        "承办人未分配，立案超过0天未结（截至2025-07-01）：1 件")
    out = rows(run("overdue", ledger, "--days", 0, "--category", "minsheng", "--as-of", AS_OF,
                   "-f", "csv"))
    assert [(r["case_no"], r["age_days"]) for r in out] == [("(2025)鲁0902执4号", "3")]


def test_overdue_for_an_officer_no_case_has_is_a_mistake_not_an_empty_list(ledger) -> None:
    """A mistyped --officer lists the ledger's officers (exit 2); an officer whose cases are all
    outside the filter gets an empty list (exit 0)."""
    result = run("overdue", ledger, "--days", 0, "--officer", "张四", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "--officer: no case has officer '张四'" in result.stderr and "张三" in result.stderr
    out = rows(run("overdue", ledger, "--days", 0, "--officer", "张三", "--category", "minsheng",
                   "--as-of", AS_OF, "-f", "csv"))
    assert out == []


def test_overdue_xlsx_colours_rows(ledger, tmp_path) -> None:
    path = tmp_path / "overdue.xlsx"
    result = run("overdue", ledger, "--days", 179, "--as-of", AS_OF, "-o", path)
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(path).sheetnames == ["长期未结案件"]  # by age: not a list of cases past a deadline
    sheet = openpyxl.load_workbook(path)["长期未结案件"]
    cases = {row[0].value: row[0].fill.fgColor.rgb for row in sheet.iter_rows()
             if str(row[0].value).startswith("(2025)")}
    assert cases == {"(2025)鲁0902执1号": "FFFFC7CE", "(2025)鲁0902执3号": "FFFFC7CE",
                     "(2025)鲁0902执2号": "FFFFEB9C"}
    # the case in short, then its most pressing deadline (every column is in CSV and JSON)
    assert [c.value for c in sheet[2]] == ["案号", "立案日期", "立案天数", "承办人", "类别", "案由", "最近期限",  # no 被执行人 here
                                           "期限届满日", "剩余天数", "期限状态", "应办事项"]


def test_overdue_needs_a_mode_and_a_known_deadline(ledger) -> None:
    result = run("overdue", ledger, "--as-of", AS_OF)
    assert result.exit_code == 2 and "give --months, --days, --deadline or --within" in result.output
    result = run("overdue", ledger, "--deadline", "legal_limt", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "no deadline 'legal_limt' (did you mean 'legal_limit'?)" in result.output
    assert "loaded" not in result.output  # checked before the ledger is read


def test_unknown_category_is_an_option_error_before_loading(ledger) -> None:
    result = run("overdue", ledger, "--days", 0, "--category", "nope", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "backlog: error: --category: no category 'nope' in rules default; its categories: " in result.output
    assert "problem in rules" not in result.output and "loaded" not in result.output


def test_a_category_or_deadline_is_named_by_its_id_or_by_the_label_the_outputs_show(in_repo) -> None:
    """Clerks see 涉民生 and 法定执行期限 in every table: --category and --deadline take them as they
    take minsheng and legal_limit."""
    for by_id, by_label in [(["classify", "--category", "minsheng"], ["classify", "--category", "涉民生"]),
                            (["overdue", "--deadline", "legal_limit"], ["overdue", "--deadline", "法定执行期限"]),
                            (["overdue", "--months", 6, "-c", "dangzheng"], ["overdue", "--months", 6, "-c", "涉党政机关"])]:
        a = run(*by_id, "samples/ledger.xlsx", "--as-of", SAMPLE_AS_OF, "-f", "csv")
        b = run(*by_label, "samples/ledger.xlsx", "--as-of", SAMPLE_AS_OF, "-f", "csv")
        assert a.exit_code == b.exit_code == 0 and a.stdout == b.stdout and len(a.stdout.splitlines()) > 2
    result = run("overdue", "samples/ledger.xlsx", "--deadline", "法定期限", "--as-of", SAMPLE_AS_OF)
    assert result.exit_code == 2 and "no deadline '法定期限' (did you mean '法定执行期限'?)" in result.output
    assert "they define: legal_limit（法定执行期限）, objection_review（执行异议 15 日内审查）" in result.output


def test_classify_to_xlsx_by_a_category_label_writes_that_category_s_sheets(in_repo, tmp_path) -> None:
    books = []
    for name in ("minsheng", "涉民生"):
        out = tmp_path / f"{name}.xlsx"
        assert run("classify", "samples/ledger.xlsx", "-c", name, "--as-of", SAMPLE_AS_OF, "-o", out).exit_code == 0
        book = openpyxl.load_workbook(out, read_only=True)
        books.append([(ws.title, ws.max_row) for ws in book.worksheets])
    assert books[0] == books[1] and [title for title, _ in books[0]] == ["底数", "涉民生"]


# --------------------------------------------------------------------------- the bundled sample


def test_overdue_over_six_months_on_the_sample(in_repo) -> None:
    result = run("overdue", "samples/ledger.xlsx", "--days", 180, "--as-of", SAMPLE_AS_OF, "-f", "csv")
    assert result.exit_code == 0, result.output
    check_golden("overdue_days180.csv", result.stdout)
    assert len(result.stdout.splitlines()) == 1 + 88


def test_overdue_within_30_days_on_the_sample(in_repo) -> None:
    result = run("overdue", "samples/ledger.xlsx", "--within", 30, "--as-of", SAMPLE_AS_OF, "-f", "csv")
    assert result.exit_code == 0, result.output
    check_golden("overdue_within30.csv", result.stdout)


def test_explain_on_the_sample(in_repo) -> None:
    result = run("explain", "（2024）鲁0902执69号", "samples/ledger.xlsx", "--as-of", SAMPLE_AS_OF)
    assert result.exit_code == 0, result.output
    check_golden("explain_sample.txt", result.stdout)
    assert result.stdout.startswith("(2024)鲁0902执69号（ledger.xlsx [2025年] 第 35 行），截至 2026-11-23\n")


def test_explain_marks_the_values_the_ledger_records_after_as_of(in_repo) -> None:
    """(2026)鲁0902执234号 was closed by 终本 on 2026-11-23: on 11-20 its close date lay ahead and
    its close method said nothing of that day, in the values listed as in the conditions below."""
    result = run("explain", "(2026)鲁0902执234号", "samples/ledger.xlsx", "--as-of", "2026-11-20")
    assert result.exit_code == 0, result.output
    values = result.stdout.split("类别：")[0]
    assert "  结案日期（closed_on）：2026-11-23（晚于 --as-of，按尚未发生计）\n" in values
    assert "  结案方式（close_method）：终结本次执行程序（--as-of 之后有结案、中止或恢复，此项按当时不明计）\n" in values
    assert "  立案日期（filed_on）：2026-08-14\n" in values
    # open: true holds because the close lies ahead, and says so as the other conditions do
    assert result.stdout.count("    ✓ closed_on = 2026-11-23, open: true（晚于 --as-of，按尚未发生计）\n") == 2
    result = run("explain", "(2026)鲁0902执234号", "samples/ledger.xlsx", "--as-of", "2026-11-23")
    assert "  结案日期（closed_on）：2026-11-23\n" in result.stdout
    assert "  结案方式（close_method）：终结本次执行程序\n" in result.stdout
    assert result.stdout.count("    ✗ closed_on = 2026-11-23, open: true\n") == 2


def test_explain_names_the_rows_of_the_case_rejected_as_duplicates(in_repo, tmp_path) -> None:
    """A ledger of the same court numbered from 1 as the sample workbook is (the sample CSV's
    seed, without its --first-number 1001) holds (2024)鲁0902执69号 too, closed and under another
    officer: its row is rejected as a duplicate of ledger.xlsx's, and explain says so under the
    values it shows."""
    other = tmp_path / "ledger.csv"
    write_sample(other, 120, 2, encoding="gbk")
    result = run("explain", "（2024）鲁0902执69号", "samples/ledger.xlsx", other, "--as-of", SAMPLE_AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("(2024)鲁0902执69号（ledger.xlsx [2025年] 第 35 行），截至 2026-11-23\n")
    assert ("  是否涉信访（petition）：否\n"
            "同一案件另有 1 行被拒收，上面的值均取自本行：\n"
            "  ledger.csv [ledger] 第 33 行：案号重复：与 ledger.xlsx [2025年] 第35行 重复，但两行不同（结案日期：空 与 "
            "2025-07-14；承办人：郑春梅 与 王磊；结案方式：空 与 执行完毕），请核对后只留一行\n"
            "类别：") in result.stdout
    result = run("explain", "(2024)鲁0902执105号", "samples/ledger.xlsx", "--as-of", SAMPLE_AS_OF)
    assert "同一案件另有 1 行被拒收，上面的值均取自本行：\n  ledger.xlsx [2025年] 第 53 行：案号重复：与 2025年 第48行 重复\n" \
        in result.stdout
    result = run("explain", "（2024）鲁0902执69号", "samples/ledger.xlsx", "--as-of", SAMPLE_AS_OF)
    assert "被拒收" not in result.stdout


def test_explain_a_rejected_case_says_where_and_why(in_repo) -> None:
    """(2025)鲁0902执81号 has no filing date on row 111 of 2025年 (written here with full-width
    brackets); a number no row has is still 'no case'."""
    result = run("explain", "（2025）鲁0902执81号", "samples/ledger.xlsx", "--as-of", SAMPLE_AS_OF)
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("backlog: error: (2025)鲁0902执81号 is not a case of the ledger: "
                                          "rejected at ledger.xlsx [2025年] row 111: 缺少立案日期")
    result = run("explain", "(2025)鲁0902执9999号", "samples/ledger.xlsx", "--as-of", SAMPLE_AS_OF)
    assert result.exit_code == 2 and "no case (2025)鲁0902执9999号 in the ledger" in result.stderr
    assert "brackets" not in result.stderr
    # neither a case number nor one said short: said how a case number is written
    result = run("explain", "二〇二五执13", "samples/ledger.xlsx", "--as-of", SAMPLE_AS_OF)
    assert result.exit_code == 2 and result.stderr.strip().endswith(
        "left out); a case number is written with its year in brackets, such as (2025)鲁0902执13号, or short, "
        "such as 2025执13")


def test_explain_with_the_ledger_first_says_the_case_comes_first(in_repo) -> None:
    for args in (["samples/ledger.xlsx"], ["samples/ledger.xlsx", "执13"], ["台帐.CSV", "执13"]):
        result = run("explain", *args, "--as-of", SAMPLE_AS_OF)
        assert result.exit_code == 2 and (f"backlog: error: {args[0]} is a ledger file, not a case number: the case "
                                          f"comes first, as in backlog explain 执12 {args[0]}") in result.stderr


@pytest.mark.parametrize("said", ["2025鲁0902执13号", "2025执13", "25执13号", "（2025）执13", "执13"])
def test_explain_a_case_said_short_finds_the_one_case_it_names(in_repo, said) -> None:
    """Clerks say a case short: the year without brackets, no court code, two digits of the year,
    or the type and number alone when only one case has them."""
    result = run("explain", said, "samples/ledger.xlsx", "--as-of", SAMPLE_AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("(2025)鲁0902执13号（ledger.xlsx [2025年] 第 95 行），截至 2026-11-23\n")


def test_explain_a_case_said_short_that_names_several_lists_them(in_repo) -> None:
    result = run("explain", "执恢13", "samples/ledger.xlsx", "--as-of", SAMPLE_AS_OF)
    assert result.exit_code == 2 and result.stderr.strip().endswith(
        "backlog: error: 执恢13 is 2 cases of the ledger: (2025)鲁0902执恢13号、(2026)鲁0902执恢13号; give the whole "
        "case number")
    result = run("explain", "2027执13", "samples/ledger.xlsx", "--as-of", SAMPLE_AS_OF)  # said short, no such case
    assert result.exit_code == 2 and result.stderr.strip().endswith("left out)")


def test_explain_a_case_said_short_that_names_many_lists_five_then_how_many_more(tmp_path) -> None:
    ledger = write_ledger(tmp_path / "l.csv", "案号,立案日期",
                          [(f"({year})鲁0902执13号", f"{year}-03-01") for year in range(2019, 2026)])
    result = run("explain", "执13", ledger, "--as-of", "2026-01-01")
    assert result.exit_code == 2 and result.stderr.strip().endswith(
        "backlog: error: 执13 is 7 cases of the ledger: (2019)鲁0902执13号、(2020)鲁0902执13号、(2021)鲁0902执13号、"
        "(2022)鲁0902执13号、(2023)鲁0902执13号、… 2 more; give the whole case number")


def test_a_case_said_short_is_found_among_rejected_rows_and_later_cases_too(in_repo) -> None:
    """执81 is the rejected (2025)鲁0902执81号 and 执423 the (2026)鲁0902执423号 filed after an early
    --as-of: each said as the whole number says it."""
    result = run("explain", "执81", "samples/ledger.xlsx", "--as-of", SAMPLE_AS_OF)
    assert result.exit_code == 2 and result.stderr.strip().endswith(
        "backlog: error: (2025)鲁0902执81号 is not a case of the ledger: rejected at ledger.xlsx [2025年] row 111: 缺少立案日期")
    result = run("explain", "26执423号", "samples/ledger.xlsx", "--as-of", "2026-10-31")
    assert result.exit_code == 2 and result.stderr.strip().endswith(
        "backlog: error: (2026)鲁0902执423号 was filed on 2026-11-20, after --as-of 2026-10-31: it is not counted "
        "on that day (ledger.xlsx [2026年] row 131)")


def test_explain_a_case_filed_after_as_of_says_so(in_repo) -> None:
    """(2026)鲁0902执423号 was filed on 2026-11-20 (row 131 of 2026年): as of 2026-10-31 it is in
    the ledger but not yet a case, which is not the same as a mistyped number."""
    result = run("explain", "(2026)鲁0902执423号", "samples/ledger.xlsx", "--as-of", "2026-10-31")
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "backlog: error: (2026)鲁0902执423号 was filed on 2026-11-20, after --as-of 2026-10-31: it is not counted "
        "on that day (ledger.xlsx [2026年] row 131)")


def test_classify_has_deadline_columns(ledger) -> None:
    out = rows(run("classify", ledger, "--as-of", AS_OF, "-f", "csv"))
    by_case = {r["case_no"]: r for r in out}
    assert by_case["(2025)鲁0902执1号"]["legal_limit_due"] == "2025-06-30"
    assert by_case["(2025)鲁0902执1号"]["legal_limit_state"] == "overdue"
    assert by_case["(2024)鲁0902执5号"]["legal_limit_state"] == "met"
    assert by_case["(2024)鲁0902执5号"]["property_requery_due"] == "2025-11-06"
    assert by_case["(2024)鲁0902执5号"]["next_days_left"] == "128"


def test_explain_shows_deadline_arithmetic(ledger) -> None:
    result = run("explain", "(2025)鲁0902执3号", ledger, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "期限 法定执行期限（legal_limit）：已超期，已超过 91 日" in text
    assert "  起算 filed_on 2025-01-01（自次日起算）\n  + 3 个月 → 2025-04-01\n" \
           "  = 届满 2025-04-01" in text
    assert "期限 立案后 7 日内确定承办人（assign_officer）：不适用" in text


def test_the_coming_due_list_is_named_so_in_xlsx(ledger, tmp_path) -> None:
    path = tmp_path / "soon.xlsx"
    result = run("overdue", ledger, "--within", 10, "--as-of", AS_OF, "-o", path)
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(path).sheetnames == ["即将到期案件"]


def test_overdue_on_a_recurring_deadline_is_refused_but_coming_due_on_it_is_listed(ledger) -> None:
    result = runner.invoke(app, ["overdue", str(ledger), "--deadline", "property_requery", "--as-of", AS_OF],
                           prog_name="backlog")
    assert result.exit_code == 2
    assert result.output == ("backlog: error: --deadline: deadline 'property_requery' recurs and is never overdue: "
                             "name a one-off deadline, or add --within D for the cases coming due on it; "
                             "try 'backlog overdue --help'\n")
    out = rows(run("overdue", ledger, "--deadline", "property_requery", "--within", 200, "--as-of", AS_OF, "-f", "csv"))
    assert [(r["case_no"], r["due"], r["days_left"]) for r in out] == [("(2024)鲁0902执5号", "2025-11-06", "128")]


def test_rules_check_lists_every_mistake_of_a_deadline_set_aside_for_its_id(in_repo) -> None:
    result = run("rules", "check", "tests/fixtures/rules/dl_mistakes.yaml")
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == "backlog: error: 14 problems in rules:"
    assert lines[2:4] == [
        "  tests/fixtures/rules/dl_mistakes.yaml:8:15: deadlines[1].duration: expected a length such as '6 months', "
        "'180 days' or '1 year', got '1 monthz'",
        "  tests/fixtures/rules/dl_mistakes.yaml:9:12: deadlines[1].start: field 'cause' is a text field; expected a "
        "date field"]


def test_an_empty_officer_is_refused_not_ignored(ledger) -> None:
    result = run("overdue", ledger, "--days", 0, "--officer", " ", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "give a name (无: cases without one)" in result.output


def test_rules_without_deadlines_list_by_age_and_assign(ledger, tmp_path):
    """Categories-only rulesets (no deadlines) still list open cases by age and make task lists:
    no deadline columns, and a note saying why nothing is overdue (was an internal error). Here,
    sanqingli-2016 with its three dated targets switched off."""
    rules = "categories-only"
    (tmp_path / f"{rules}.yaml").write_text(
        "version: 1\nextends: sanqingli-2016\ndeadlines:\n" + "".join(
            f"  - {{id: {d}, enabled: false}}\n" for d in ("old_dangzheng_cleared", "old_minsheng_cleared",
                                                         "xinfang_resolved")), encoding="utf-8")
    rules_file = str(tmp_path / f"{rules}.yaml")
    result = runner.invoke(app, ["overdue", str(ledger), "--rules", rules_file, "--as-of", AS_OF, "--days", "180",
                                 "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["case_no"], r["age_days"], r["next_state"]) for r in rows] == [
        ("(2025)鲁0902执1号", "182", ""), ("(2025)鲁0902执3号", "181", "")]
    assert (f"note: the rules ({rules}) define no deadlines: no due dates and no case past one (lists by "
            "age, --months or --days, still hold)") in result.stderr
    result = runner.invoke(app, ["assign", str(ledger), "--rules", rules_file, "--as-of", AS_OF, "-o", str(tmp_path / "a.xlsx")])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "a.xlsx", read_only=True)
    listed = {s.title: [r[0] for r in s.iter_rows(min_row=3, max_col=1, values_only=True)] for s in book.worksheets[1:]}
    assert listed == {"李四": ["(2025)鲁0902执3号"], "张三": ["(2025)鲁0902执1号", "(2025)鲁0902执2号"],
                      "未分配": ["(2025)鲁0902执4号"]}  # open cases only, oldest filing first


def test_a_list_by_deadline_counts_cases_and_deadlines_apart(ledger):
    """Within 200 days of 2025-07-01: 执1号 over a year 2025-12-31; 执2号 legal limit 07-02 and over a
    year 2026-01-02; 执3号 over a year 2026-01-01; 执4号 officer 07-05 and legal limit 12-28; 执5号
    re-query 11-06: 7 deadlines of 5 cases, and the title says both (it said 7 件)."""
    result = run("overdue", ledger, "--within", 200, "--as-of", AS_OF)
    assert result.stdout.splitlines()[0] == "200天内到期（截至2025-07-01）：5 件，7 项期限"
    result = run("overdue", ledger, "--within", 10, "--as-of", AS_OF)
    assert result.stdout.splitlines()[0] == "10天内到期（截至2025-07-01）：2 件"


def test_holidays_in_a_rules_file_count_in_overdue_and_rules_show(tmp_path):
    """A year chinesecalendar does not know yet, given in the rules file: a roll_forward limit
    skips its days off without the weekends-only warning; `rules show` counts the days."""
    rules = tmp_path / "mine.yaml"
    rules.write_text("version: 1\nextends: default\ndeadlines:\n  - {id: legal_limit, roll_forward: true}\n"
                     "holidays:\n  days_off: [2027-02-05 to 2027-02-11]\n  working_days: [2027-02-13]\n",
                     encoding="utf-8")
    ledger = write_ledger(tmp_path / "l.csv", "案号,立案日期", [("(2026)鲁0902执1号", "2026-08-05")])

    def due(*extra: str) -> tuple[str, str]:
        result = runner.invoke(app, ["overdue", str(ledger), "--deadline", "legal_limit", "--within", "400",
                                     "--as-of", "2026-11-23", "-f", "csv", *extra])
        assert result.exit_code == 0, result.output
        return next(csv.DictReader(io.StringIO(result.stdout)))["legal_limit_due"], result.stderr

    day, err = due("--rules", str(rules))
    assert day == "2027-02-12" and "does not cover" not in err
    weekends_only = tmp_path / "weekends.yaml"
    weekends_only.write_text("version: 1\nextends: default\ndeadlines:\n  - {id: legal_limit, roll_forward: true}\n",
                             encoding="utf-8")
    day, err = due("--rules", str(weekends_only))
    assert day == "2027-02-05" and "holiday calendar does not cover 2027" in err
    shown = runner.invoke(app, ["rules", "show", str(rules)])
    assert "节假日（holidays:，chinesecalendar 未收的年份）：2027年 放假 7 天，调休上班 1 天" in shown.stdout
    assert "已由 chinesecalendar 收录" not in shown.stdout and "warning" not in shown.stderr


def test_rules_check_and_show_say_which_holidays_chinesecalendar_overrules(tmp_path):
    """A day of holidays: in a year chinesecalendar knows (2026-01-05, a working Monday) is not
    used: rules check and rules show warn as the commands that evaluate cases do, and rules show
    no longer counts 2026 among the years chinesecalendar lacks."""
    rules = tmp_path / "mine.yaml"
    rules.write_text("version: 1\nextends: default\nholidays:\n  days_off: [2027-02-05 to 2027-02-11, 2026-01-05]\n",
                     encoding="utf-8")
    warning = (f"warning: {rules}: holidays: 2026-01-05 contradicts the installed chinesecalendar, which knows that "
               "year; its calendar is used (remove the year from holidays:)")
    checked = runner.invoke(app, ["rules", "check", str(rules)])
    assert checked.exit_code == 0 and checked.stdout.startswith("ok: ")
    assert warning in " ".join(checked.stderr.split())
    shown = runner.invoke(app, ["rules", "show", str(rules)])
    assert "节假日（holidays:，chinesecalendar 未收的年份）：2027年 放假 7 天，调休上班 0 天" in shown.stdout
    assert "节假日（holidays:）中 2026年 已由 chinesecalendar 收录，以其为准" in shown.stdout
    assert warning in " ".join(shown.stderr.split())


def test_the_legal_limit_takes_extension_days_and_an_approved_new_limit_from_the_ledger(tmp_path):
    """延长天数 (15天) adds days, 延长至 replaces the limit, 延长期限 adds months; a negative number of
    days or a new limit before filing is a value problem, kept as blank."""
    import pandas as pd

    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期,延长期限,延长天数,延长至\n(2025)鲁0902执1号,2025-01-10,,,\n"
                      "(2025)鲁0902执2号,2025-01-10,,15天,\n(2025)鲁0902执3号,2025-01-10,,,2025-09-30\n"
                      "(2025)鲁0902执4号,2025-01-10,3个月,,\n(2025)鲁0902执5号,2025-01-10,,-5,2024-12-01\n",
                      encoding="utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["classify", str(ledger), "--as-of", "2025-07-01", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["legal_limit_due"].tolist() == [
        "2025-07-10", "2025-07-25", "2025-09-30", "2025-10-10", "2025-07-10"]
    problems = pd.read_csv(tmp_path / "out.problems.csv", encoding="utf-8-sig")
    assert problems[["行号", "列", "问题"]].values.tolist() == [
        [6, "延长天数", "延长天数为负数"], [6, "延长至", "延长至的日期早于立案日期"]]


def test_a_rules_file_takes_its_dates_as_the_ledger_writes_them(tmp_path, ledger) -> None:
    """2025/1/1, 2025年6月30日 and 2025年7月1日 至 2025年7月3日 in a rules file read as 2025-01-01 and the
    rest do, as --as-of takes them (they were refused: expected a date such as 2008-01-01); a day
    that does not exist is located and said as --as-of says it."""
    rules = ("version: 1\ncategories:\n  - {id: old, label: 旧案, when: {field: filed_on, before: %s}}\n"
             "deadlines:\n  - {id: x, label: 年中清结, due_on: %s}\nholidays: {days_off: [%s]}\n")
    iso = tmp_path / "iso.yaml"
    iso.write_text(rules % ("2025-01-01", "2025-06-30", "2025-07-01 to 2025-07-03"), encoding="utf-8")
    typed = tmp_path / "typed.yaml"
    typed.write_text(rules % ("2025/1/1", "2025年6月30日", "2025年7月1日 至 2025年7月3日"), encoding="utf-8")
    outputs = []
    for path in (iso, typed):
        for command in ("classify", "overdue"):
            options = ["--deadline", "x"] if command == "overdue" else []
            result = runner.invoke(app, [command, str(ledger), "--rules", str(path), "--as-of", AS_OF, "-f", "csv",
                                         *options])
            assert result.exit_code == 0, result.output
            outputs.append(result.stdout)
    assert outputs[:2] == outputs[2:]
    assert ",old,old," in outputs[0] and "(2025)鲁0902执1号" in outputs[1]
    typed.write_text(rules % ("2025/1/1", "2025/02/30", "2025-07-01"), encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", str(typed)])
    assert result.exit_code == 2
    assert (f"{typed}:5:34: deadlines[0].due_on: '2025/02/30' is not a date: 2025-02 has 28 days (write year, "
            "month, day: 2026-11-23, 2026/11/23, 2026.11.23, 2026年11月23日 or 20261123)") in result.output


def test_two_deadlines_labelled_alike_are_refused_at_the_later_label(in_repo, tmp_path) -> None:
    """A deadline's label names its columns (法定执行期限·届满日) and --deadline finds it by it: a
    second deadline labelled as an inherited one gave a workbook with two 法定执行期限·届满日 columns
    and left --deadline 法定执行期限 to pick one of them without a word. It is refused at its
    label's line (case and edge spaces aside, as category labels compare), in every command."""
    path = tmp_path / "mine.yaml"
    path.write_text("version: 1\nextends: default\ndeadlines:\n"
                    "  - {id: court_limit, label: ' 法定执行期限', duration: 4 months}\n"
                    "  - {id: old_limit, label: 旧期限, duration: 5 months, enabled: false}\n"
                    "  - {id: old_limit_too, label: 旧期限, duration: 5 months, enabled: false}\n", encoding="utf-8")
    expected = [f"  {path}:4:30: deadlines[0].label: label '法定执行期限' is also the label of deadline 'legal_limit': "
                "each deadline needs its own (it names the deadline's columns, 法定执行期限·届满日, and --deadline "
                "finds it by it)"]
    for args in (["rules", "check", path],
                 ["overdue", "samples/ledger.xlsx", "--rules", path, "--deadline", "法定执行期限", "--as-of", SAMPLE_AS_OF],
                 ["classify", "samples/ledger.xlsx", "--rules", path, "--as-of", SAMPLE_AS_OF, "-o", tmp_path / "t.xlsx"]):
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert result.stderr.splitlines()[-2:] == ["backlog: error: 1 problem in rules:", *expected]
    assert not (tmp_path / "t.xlsx").exists()


def test_a_due_date_past_the_calendar_names_the_deadline_s_entry_in_the_rules(ledger, tmp_path, monkeypatch) -> None:
    """A roll_forward that reaches a year the working-day calendar does not hold stops naming the
    deadline's entry in the rules file (file:line:col, as every rules problem), the later file's
    when it overrides a bundled deadline; it named the deadline and the case only."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "far.yaml").write_text(
        "version: 1\nextends: default\ndeadlines:\n"
        "  - id: archive\n    label: 档案保管期限\n    duration: 90 years\n    roll_forward: true\n", encoding="utf-8")
    result = runner.invoke(app, ["classify", str(ledger), "--rules", "far.yaml", "--as-of", AS_OF], prog_name="backlog")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "backlog: error: far.yaml:4:5: deadline archive (档案保管期限): roll_forward reaches 2114; working days are "
        "known for 1950–2100 only (case (2025)鲁0902执1号)")
    (tmp_path / "far.yaml").write_text(
        "version: 1\nextends: default\ndeadlines:\n  - id: legal_limit\n    duration: 90 years\n    roll_forward: true\n",
        encoding="utf-8")
    result = runner.invoke(app, ["overdue", str(ledger), "--days", "10", "--rules", "far.yaml", "--as-of", AS_OF],
                           prog_name="backlog")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "backlog: error: far.yaml:4:5: deadline legal_limit (法定执行期限): roll_forward reaches 2114; working days are "
        "known for 1950–2100 only (case (2025)鲁0902执1号)")
