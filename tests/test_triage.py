"""triage(): warnings about ledger fields the rules need and the ledger lacks."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from backlog_cli.cli import app
from backlog_cli.deadlines import load_ruleset
from backlog_cli.errors import OptionError, RulesError
from backlog_cli.loading import load_columns, load_ledger
from backlog_cli.rules import list_bundled
from backlog_cli.triage import (classify_output, display_labels, overdue_list, reject_filed_after_today, triage,
                              triage_labels, triage_ledger)
from conftest import SAMPLE_AS_OF, SAMPLES, write_ledger

AS_OF = pd.Timestamp("2026-11-23")
runner = CliRunner()
HINT = ": if the close dates are under another header, add that header to a columns file (--columns) as an alias of closed_on"


def frame(**columns: list) -> pd.DataFrame:
    """A case frame: dates for *_on columns, text otherwise; case numbers added."""
    n = len(next(iter(columns.values())))
    out = pd.DataFrame({"case_no": [f"(2026)鲁0902执{i + 1}号" for i in range(n)]})
    for name, values in columns.items():
        out[name] = pd.to_datetime(values) if name.endswith("_on") else pd.Series(values, dtype="str")
    return out


# Every field the default rules and deadlines read, except the ones a test leaves out.
FULL = dict(filed_on=["2026-01-05", "2026-11-20"], closed_on=[None, None], officer=["张三", None],
            respondent=["甲", "乙"], cause=["买卖合同纠纷", "民间借贷纠纷"], notes=[None, None],
            petition=[None, None], status=["在办", "在办"], suspended_on=[None, None], resumed_on=[None, None])


def test_the_full_frame_gives_no_warning():
    ruleset, deadlines = load_ruleset(None)
    assert triage(frame(**FULL), ruleset, AS_OF, deadlines).warnings == []


def test_missing_officer_warns_about_the_assign_deadline():
    ruleset, deadlines = load_ruleset(None)
    columns = {k: v for k, v in FULL.items() if k != "officer"}
    result = triage(frame(**columns), ruleset, AS_OF, deadlines)
    assert result.warnings == [
        "the ledger has no 承办人 column (officer), so every case reads it as blank; this affects deadlines "
        "assign_officer"]
    # still computed as before: the case filed 2026-01-05 is 7 days past its officer deadline, the other not
    assert result.cases["assign_officer_state"].tolist() == ["overdue", "ok"]


def test_missing_close_date_warns_with_the_status_that_says_closed():
    ruleset, deadlines = load_ruleset(None)
    columns = {k: v for k, v in FULL.items() if k != "closed_on"}
    columns["status"] = ["已结", "终本"]
    result = triage(frame(**columns), ruleset, AS_OF, deadlines)
    assert result.warnings == [
        "the ledger has no 结案日期 column (closed_on), so every case counts as open; this affects the open and "
        "closed counts, categories over_one_year, resume_due, key and deadlines legal_limit, objection_review, "
        "reconsideration_review, assign_officer, over_one_year, property_requery. Yet 案件状态 says 已结 or 终本 on 2 cases" + HINT]
    assert result.summary.iloc[-1][["open", "closed"]].tolist() == [2, 0]
    # of more than three such statuses, the first three and how many more
    columns = {k: (v * 3)[:5] for k, v in columns.items()}
    columns["status"] = ["已结", "终本", "办结", "执结", "销案"]
    warning, = triage(frame(**columns), ruleset, AS_OF, deadlines).warnings
    assert re.search(r" says \S+ or \S+ or \S+ or … 2 more on 5 cases:", warning), warning


def with_deadlines(folder: Path, deadlines_yaml: str) -> tuple[Path, tuple]:
    """A rules file of one category and the deadlines given (YAML lines), and what it loads to."""
    rules = folder / "r.yaml"
    rules.write_text("version: 1\ncategories:\n  - {id: old, label: 老案, when: {field: filed_on, before: 2026-01-01}}\n"
                     "deadlines:\n" + deadlines_yaml, encoding="utf-8")
    return rules, load_ruleset([rules])


def test_missing_deadline_start_field(tmp_path: Path):
    _, (ruleset, deadlines) = with_deadlines(tmp_path, (
        "  - {id: after_resume, label: 恢复后一个月, start: resumed_on, duration: 1 month}\n"
        "  - {id: report, label: 报告, relative_to: after_resume, offset: -5 days}\n"))
    result = triage(frame(filed_on=["2026-01-05"], closed_on=[None]), ruleset, AS_OF, deadlines)
    assert result.warnings == [
        "the ledger has no 恢复日期 column (resumed_on), so every case reads it as blank; this affects deadlines "
        "after_resume, report"]
    assert result.cases[["after_resume_state", "report_state"]].iloc[0].tolist() == ["n/a", "n/a"]


def test_a_deadline_reading_a_column_the_ledger_lacks_is_an_error(tmp_path: Path):
    rules, (ruleset, deadlines) = with_deadlines(tmp_path, (
        "  - id: bank\n"
        "    label: 银行案件\n"
        "    duration: 3 months\n"
        "    applies: {column: 申请执行人类型, equals: 银行}\n"))
    with pytest.raises(RulesError) as info:
        triage(frame(filed_on=["2026-01-05"], closed_on=[None]), ruleset, AS_OF, deadlines)
    assert info.value.problems == [
        f"{rules}:8:14: deadlines[0].applies: deadline 'bank' reads column '申请执行人类型', which the ledger "
        "lacks; the ledger has: 案号, 立案日期, 结案日期"]


@pytest.mark.parametrize("sample", ["ledger.xlsx", "ledger.csv"])
def test_no_field_warning_on_the_committed_samples(sample: str):
    cases = load_ledger([SAMPLES / sample]).cases
    for bundled in list_bundled():
        ruleset, deadlines = load_ruleset([bundled.name])
        assert triage(cases, ruleset, pd.Timestamp(SAMPLE_AS_OF), deadlines).warnings == [], bundled.name


def test_classify_prints_the_warning_for_a_renamed_close_date_column(tmp_path: Path):
    ledger = write_ledger(tmp_path / "l.csv", "案号,立案日期,承办人,案件状态,办结日期,结案方式", [
        ("(2026)鲁0902执1号", "2026-01-05", "张三", "已结", "2026-03-01", "执行完毕"),
        ("(2026)鲁0902执2号", "2026-01-06", "张三", "已结", "2026-04-01", "执行完毕"),
        ("(2026)鲁0902执3号", "2026-01-07", "李四", "终本", "2026-05-01", "终结本次执行程序"),
        ("(2026)鲁0902执4号", "2026-01-08", "李四", "在办", "", ""),
    ])
    result = runner.invoke(app, ["classify", str(ledger), "--as-of", "2026-11-23", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert ("warning: the ledger has no 结案日期 column (closed_on), so every case counts as open; this affects the "
            "open and closed counts, categories over_one_year, resume_due, key and deadlines legal_limit, "
            "objection_review, reconsideration_review, assign_officer, over_one_year, property_requery. Yet 案件状态 says 已结 or 终本 on 3 cases and 结案方式 "
            "is filled on 3 cases" + HINT + "\n") in result.stderr


def test_the_warning_for_a_missing_column_names_the_headers_that_look_like_it(tmp_path: Path):
    """结案日期（甲） and 结案日期(备用) are no header the columns know: the warning that the ledger
    has no 结案日期 names them (not 工作安排, which looks like no missing field) and says how to read
    one as it, as the warning about one sheet lacking a column does."""
    ledger = write_ledger(tmp_path / "l.csv", "案号,立案日期,承办人,案件状态,结案日期（甲）,结案日期(备用),工作安排", [
        ("(2026)鲁0902执1号", "2026-01-05", "张三", "已结", "2026-03-01", "", "无"),
        ("(2026)鲁0902执2号", "2026-01-06", "李四", "在办", "", "", "无"),
    ])
    result = runner.invoke(app, ["classify", str(ledger), "--as-of", "2026-11-23", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert ("warning: the ledger has no 结案日期 column (closed_on), so every case counts as open; this affects the "
            "open and closed counts, categories over_one_year, resume_due, key and deadlines legal_limit, "
            "objection_review, reconsideration_review, assign_officer, over_one_year, property_requery. Yet 案件状态 "
            "says 已结 on 1 case. Its headers not recognised that look like it: 结案日期（甲）、结案日期(备用); if one "
            "of them is that column, add it as an alias of closed_on in a columns file (--columns)\n") in result.stderr
    assert "工作安排" not in result.stderr


def located(**columns: list) -> pd.DataFrame:
    """frame() with where each case came from (row 2 onwards of l.csv)."""
    out = frame(**columns)
    return out.assign(source_file="l.csv", source_sheet="l", source_row=range(2, len(out) + 2))


def test_today_tells_a_typing_slip_from_a_case_filed_after_a_past_as_of():
    """As of 2025-06-30, run on 2025-07-10: filed 07-05 did not exist yet (a note); filed 08-01
    cannot be in a ledger yet (rejected, with where it is and why); both are left out. Closed 07-20
    is open as of 06-30 and warned about; closed 07-08 only counts as open."""
    ruleset, deadlines = load_ruleset(None)
    columns = {k: v * 2 for k, v in FULL.items()}
    columns["filed_on"] = ["2025-01-05", "2025-07-05", "2025-08-01", "2025-02-01"]
    columns["closed_on"] = ["2025-07-20", None, None, "2025-07-08"]
    result = triage(located(**columns), ruleset, pd.Timestamp("2025-06-30"), deadlines, today=pd.Timestamp("2025-07-10"))
    assert result.notes == ["1 case filed after 2025-06-30 is left out: it did not exist yet; "
                            "(2026)鲁0902执2号 filed 2025-07-05 at l.csv [l] row 3"]
    assert [w for w in result.warnings if "after today" in w] == [
        "1 case has a close date after today (2025-07-10), a typing slip: it is counted as open until that date; "
        "(2026)鲁0902执1号 closed 2025-07-20 at l.csv [l] row 2"]
    assert result.rejects.to_dict("records") == [{"file": "l.csv", "sheet": "l", "row": 4, "case_no": "(2026)鲁0902执3号",
                                                  "reason": "立案日期晚于今天：“2025-08-01”（是否录入有误？）"}]
    assert result.cases["case_no"].tolist() == ["(2026)鲁0902执1号", "(2026)鲁0902执4号"]


def test_a_cell_naming_two_officers_is_warned_about_with_where_it_is():
    ruleset, deadlines = load_ruleset(None)
    columns = {k: v * 2 for k, v in FULL.items()}
    columns["officer"] = ["张三、李四", "张三", None, "王五/赵六"]
    result = triage(located(**columns), ruleset, AS_OF, deadlines)
    assert result.warnings == [
        "2 cases name more than one 承办人 (张三、李四; 王五/赵六): each such cell counts as an officer of its own in "
        "task lists, rankings and reports; put one 承办人 per case; (2026)鲁0902执1号 filed 2026-01-05 at l.csv [l] "
        "row 2; (2026)鲁0902执4号 filed 2026-11-20 at l.csv [l] row 5"]


def test_a_filing_date_after_today_is_left_out_also_on_a_later_as_of():
    """Run on 2025-07-10 as of 2025-12-31: filed 08-01 cannot be in a ledger yet (rejected until
    corrected), so it is left out, though before --as-of."""
    ruleset, deadlines = load_ruleset(None)
    columns = {k: v * 2 for k, v in FULL.items()}
    columns["filed_on"] = ["2025-01-05", "2025-08-01", "2025-07-10", "2025-02-01"]
    result = triage(located(**columns), ruleset, pd.Timestamp("2025-12-31"), deadlines, today=pd.Timestamp("2025-07-10"))
    assert result.cases["case_no"].tolist() == ["(2026)鲁0902执1号", "(2026)鲁0902执3号", "(2026)鲁0902执4号"]
    assert result.notes == [] and [w for w in result.warnings if "after today" in w] == []
    assert result.rejects[["row", "case_no", "reason"]].values.tolist() == [
        [3, "(2026)鲁0902执2号", "立案日期晚于今天：“2025-08-01”（是否录入有误？）"]]


def test_reject_filed_after_today_moves_the_rows_to_the_ledgers_rejects(tmp_path: Path):
    """The rows filed after today leave the cases for the rejects, with where and why, counted in
    their sheet, so that cases, skipped and rejected rows still add up to the rows read; it
    returns them, and a ledger without such rows is left as it is."""
    ledger = load_ledger([write_ledger(tmp_path / "l.csv", "案号,立案日期", [
        ("(2025)鲁0902执1号", "2025-03-01"), ("(2025)鲁0902执2号", "2062-03-01"), ("(2025)鲁0902执3号", "待补")])])
    rows = reject_filed_after_today(ledger, pd.Timestamp("2025-07-10"))
    reason = "立案日期晚于今天：“2062-03-01”（是否录入有误？）"
    assert rows[["row", "case_no", "reason"]].values.tolist() == [[3, "(2025)鲁0902执2号", reason]]
    assert ledger.cases["case_no"].tolist() == ["(2025)鲁0902执1号"]
    assert ledger.rejects["row"].tolist() == [3, 4] and ledger.rejects["reason"].iloc[0] == reason
    assert (ledger.sheets[0].cases, ledger.sheets[0].rejected) == (1, 2)
    assert ledger.rows_read == len(ledger.cases) + len(ledger.skipped) + len(ledger.rejects)
    assert reject_filed_after_today(ledger, pd.Timestamp("2025-07-10")).empty and len(ledger.rejects) == 2


def test_triage_ledger_triages_then_rejects_the_rows_filed_after_today(tmp_path: Path):
    """The ledger's cases triaged as triage() does them, its files named as it names them; then
    its rows filed after today are its rejects (Triage.rejects, the same rows). A triage that fails
    rejects nothing: the load is reported as it was read."""
    path = write_ledger(tmp_path / "l.csv", "案号,立案日期,承办人", [
        ("(2025)鲁0902执1号", "2025-03-01", "张三"), ("(2025)鲁0902执2号", "2062-03-01", "李四、王五")])
    ledger = load_ledger([path])
    ruleset, deadlines = load_ruleset(None)
    today = pd.Timestamp("2025-07-10")
    result = triage_ledger(ledger, ruleset, pd.Timestamp("2025-06-30"), deadlines, today=today)
    assert result.cases["case_no"].tolist() == ["(2025)鲁0902执1号"]
    assert result.rejects.values.tolist() == ledger.rejects.values.tolist() == [
        [str(path), "l", 3, "(2025)鲁0902执2号", "立案日期晚于今天：“2062-03-01”（是否录入有误？）"]]
    assert ledger.cases["case_no"].tolist() == ["(2025)鲁0902执1号"]
    # the triage saw the whole ledger: its warnings name the row rejected after it
    assert any("李四、王五" in w and "l.csv [l] row 3" in w for w in result.warnings)
    rules, (ruleset, deadlines) = with_deadlines(tmp_path, (
        "  - id: bank\n"
        "    label: 银行案件\n"
        "    duration: 3 months\n"
        "    applies: {column: 申请执行人类型, equals: 银行}\n"))
    again = load_ledger([path])
    with pytest.raises(RulesError):
        triage_ledger(again, ruleset, pd.Timestamp("2025-06-30"), deadlines, today=today)
    assert len(again.cases) == 2 and again.rejects.empty


def test_classify_output_lists_a_categorys_cases_under_a_title_counting_them():
    """What classify shows: the cases of the category named by its label (or all of them), titled
    with the label, the date and the count, as the 底数 and the case list; the triage workbook's
    sheets only for xlsx."""
    ledger = load_ledger([SAMPLES / "ledger.csv"])
    ruleset, deadlines = load_ruleset(None)
    result = triage_ledger(ledger, ruleset, AS_OF, deadlines)
    labels = display_labels(ledger.columns.labels(), deadlines, ruleset)
    out = classify_output(result, labels, "涉民生")
    assert out.frame.index.equals(result.cases.index[result.in_category("minsheng")]) and len(out.frame) > 0
    assert out.title == f"涉民生（截至2026-11-23）：{len(out.frame)} 件"
    assert [t.name for t in out.tables] == ["底数", "cases"] and out.tables[0].frame is result.summary
    assert out.sheets is None
    whole = classify_output(result, labels, workbook=True)
    assert whole.title == f"全部案件（截至2026-11-23）：{len(result.cases)} 件"
    assert [s.name for s in whole.sheets][:2] == ["底数", "全部案件"]


def test_a_ledgers_triage_is_shown_with_its_columns_deadlines_and_categories_named(tmp_path):
    """triage_labels: the headers of the ledger's fields (a columns file's too), of each deadline's
    columns by the deadline's label, of the listing's columns; the deadline states in words; the
    category ids by the ruleset's labels."""
    aliases = tmp_path / "columns.yaml"
    aliases.write_text("fields:\n  zone:\n    kind: text\n    label: 片区\n    aliases: [所属片区]\n", encoding="utf-8")
    path = write_ledger(tmp_path / "l.csv", "案号,立案日期,承办人,所属片区", [("(2026)鲁0902执1号", "2026-01-05", "张三", "东")])
    ledger = load_ledger([path], columns=load_columns([aliases]))
    ruleset, deadlines = load_ruleset(None)
    labels = triage_labels(ledger, triage_ledger(ledger, ruleset, AS_OF, deadlines))
    assert labels["officer"] == "承办人" and labels["zone"] == "片区" and labels["deadline_label"] == "期限"
    assert labels["legal_limit_due"] == "法定执行期限·届满日" and labels["legal_limit_days_left"] == "法定执行期限·剩余天数"
    assert labels.value_labels["legal_limit_state"]["overdue"] == "已超期"
    assert labels.value_labels["next_state"]["due_soon"] == "即将到期"
    assert labels.value_labels["categories"]["minsheng"] == "涉民生"
    assert labels.value_labels["primary_category"]["key"] == "重点案件"


def test_overdue_list_keeps_a_category_and_an_officer_and_names_them_in_its_title():
    """The overdue list among the triage's cases: an officer typed with a space finds the cases
    of that officer only, named as the list names them; a deadline named by its id is titled by
    its label; an officer no case has is an option error, not an empty list."""
    ledger = load_ledger([SAMPLES / "ledger.csv"])
    ruleset, deadlines = load_ruleset(None)
    result = triage_ledger(ledger, ruleset, AS_OF, deadlines)
    every, title = overdue_list(result, months=6)
    assert title == f"未结超过6个月（截至2026-11-23）：{len(every.cases)} 件" and len(every.cases) > 0
    officer = every.cases["officer"].dropna().iloc[0]
    mine, title = overdue_list(result, months=6, officer=f"{officer[0]} {officer[1:]}")
    assert mine.cases["officer"].eq(officer).all() and len(mine.cases) == every.cases["officer"].eq(officer).sum()
    assert title == f"承办人{officer}，未结超过6个月（截至2026-11-23）：{len(mine.cases)} 件"
    wages, title = overdue_list(result, months=6, category="wages")
    assert title.startswith("农民工工资、建筑工程款，未结超过6个月") and len(wages.cases) < len(every.cases)
    assert overdue_list(result, deadline="legal_limit")[1].startswith("「法定执行期限」期限已过（截至2026-11-23）")
    with pytest.raises(OptionError, match="--officer"):
        overdue_list(result, months=6, officer="无此人")
