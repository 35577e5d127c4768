"""Task lists, weekly targets and the ranking on hand-made frames; expectations worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from backlog_cli.assignment import (
    PLAN_FIELDS,
    UNASSIGNED,
    TargetRule,
    file_stems,
    grouped_targets,
    Targets,
    period_texts,
    periods_before,
    ranking,
    read_targets,
    targets_for,
    targets_from_mapping,
    task_lists,
)
from backlog_cli.config import load_config
from backlog_cli.errors import ConfigError
from backlog_cli.loading import load_ledger
from conftest import write_ledger
from backlog_cli.outputs import sheet_names

T = pd.Timestamp
NA = pd.NA


def frame(rows: list[dict]) -> pd.DataFrame:
    """A case frame with the loader's and the deadline module's dtypes."""
    out = pd.DataFrame(rows)
    out["case_no"] = out["case_no"].astype("str")
    for col in ("filed_on", "closed_on", "next_due"):
        out[col] = pd.to_datetime(out.get(col, pd.Series([None] * len(out))))
    out["officer"] = out["officer"].astype("str")
    if "next_days_left" in out:
        out["next_days_left"] = out["next_days_left"].astype("Int64")
    return out


# --------------------------------------------------------------------------- task lists

AS_OF = T("2026-03-11")  # a Wednesday: its week runs 2026-03-09 .. 2026-03-15


def case(no, officer, filed, state=None, days=None, due=None, closed=None, key=False):
    return {"case_no": no, "officer": officer, "filed_on": filed, "closed_on": closed, "next_state": state,
            "next_days_left": days, "next_due": due, "is_key": key}


@pytest.fixture
def cases() -> pd.DataFrame:
    return frame([
        case("A", "张三", "2025-08-01", "overdue", -10, "2026-03-01", key=True),
        case("B", "张 三", "2025-06-01", "overdue", -30, "2026-02-09"),
        case("D", "张三", "2026-01-01", "due_soon", 3, "2026-03-14", key=True),
        case("E", " 张三 ", "2025-12-01", "due_soon", 3, "2026-03-14"),
        case("F", "张三", "2025-01-01"),
        case("G", "张三", "2025-01-01", "met", closed="2026-03-10"),
        case("H", "张三", "2025-10-01", "ok", 20, "2026-03-31", closed="2026-03-12"),
        case("I", None, "2025-09-01", "ok", 40, "2026-04-20"),
        case("J", "  ", "2025-09-02"),
        case("K", "李四", "2026-03-12", "ok", 100, "2026-06-19"),
        case("L", "王Ａ", "2026-02-01", "ok", 5, "2026-03-16", key=True),
        case("M", "王A", "2026-02-02", "due_soon", 0, "2026-03-11"),
    ])


def test_each_list_is_in_urgency_order(cases):
    lists = task_lists(cases, AS_OF)
    assert lists.cases.columns[0] == "officer"
    groups = {name: part["case_no"].tolist() for name, part in lists.groups()}
    # overdue most days first, then due soonest (older filing first on equal days), no deadline last;
    # G closed before as_of, K filed after it.
    assert groups == {"张三": ["B", "A", "E", "D", "H", "F"], "王A": ["M", "L"], UNASSIGNED: ["I", "J"]}
    assert list(groups) == ["王A", "张三", UNASSIGNED]  # pinyin order: wang before zhang; 未分配 last
    assert lists.cases["age_days"].iloc[2:4].tolist() == [283, 222]  # after 王A's two: B filed 2025-06-01, A 2025-08-01


def test_overview_counts(cases):
    """月报待填: the open key cases the monthly report would find a plan field blank in (A lacks its
    预计结案时间, L has all three; D's is blank, B is no key case)."""
    plans = {"A": ("财产不足", "继续查控", " "), "B": (None, None, None), "D": (None, None, None), "L": ("x", "y", "年底前")}
    cases = cases.assign(**{f: cases["case_no"].map(lambda n, i=i: plans.get(n, ("a", "b", "c"))[i]).astype("str")
                            for i, f in enumerate(PLAN_FIELDS)})
    lists = task_lists(cases, AS_OF, key=cases["is_key"])
    assert lists.overview.to_dict("records") == [
        {"officer": "王A", "open": 2, "overdue": 0, "due_this_week": 1, "key_cases": 1, "plans_missing": 0,
         "weekly_target": None},
        {"officer": "张三", "open": 6, "overdue": 2, "due_this_week": 2, "key_cases": 2, "plans_missing": 2,
         "weekly_target": None},
        {"officer": UNASSIGNED, "open": 2, "overdue": 0, "due_this_week": 0, "key_cases": 0, "plans_missing": 0,
         "weekly_target": None},
    ]
    assert lists.titles()[1] == "张三：未结 6 件，已超期 2 件，本周到期 2 件，重点案件 2 件（月报待填 2 件），每周结案任务 —"
    assert lists.titles()[0] == "王A：未结 2 件，已超期 0 件，本周到期 1 件，重点案件 1 件，每周结案任务 —"


def test_a_case_overdue_on_one_deadline_and_due_on_another_this_week_counts_in_both():
    """本周到期 counts every deadline of a case, not only its most pressing one: A is overdue on the
    legal limit and due Sunday on a campaign's target; B's target is past (overdue) and next week's
    does not count; C's is met (closed)."""
    rows = frame([case("A", "张三", "2025-01-01", "overdue", -40, "2026-01-30"),
                  case("B", "张三", "2025-02-01", "overdue", -5, "2026-03-06"),
                  case("C", "张三", "2025-03-01", "overdue", -5, "2026-03-06")])
    rows["target_due"] = pd.to_datetime(["2026-03-15", "2026-03-16", "2026-03-13"])
    rows["target_days_left"] = pd.array([4, 5, None], dtype="Int64")
    rows["target_state"] = ["due_soon", "ok", "met"]
    lists = task_lists(rows, AS_OF)
    assert lists.overview[["overdue", "due_this_week"]].to_dict("records") == [{"overdue": 3, "due_this_week": 1}]


def test_unassigned_cases_are_never_dropped(cases):
    lists = task_lists(cases, AS_OF)
    assert len(lists.cases) == 10  # 12 minus G (closed) and K (not yet filed)
    assert lists.cases.loc[lists.cases["case_no"].isin(["I", "J"]), "officer"].tolist() == [UNASSIGNED] * 2


def test_group_by_any_column_and_unknown_column(cases):
    cases["court"] = ["一庭", "一 庭", None, "二庭", "一庭", "一庭", "二庭", "二庭", "一庭", "一庭", "二庭", "二庭"]
    lists = task_lists(cases, AS_OF, by="court")
    assert lists.overview[["court", "open"]].values.tolist() == [["一庭", 4], ["二庭", 5], [UNASSIGNED, 1]]  # by number
    with pytest.raises(ConfigError, match="no ledger field 'team'.*case_no, officer"):
        task_lists(cases, AS_OF, by="team")


def test_targets_named_and_by_rule(cases):
    targets = Targets({"张三": 5, "赵六": 2}, TargetRule(share=0.5, minimum=1))
    lists = task_lists(cases, AS_OF, targets=targets)
    assert lists.overview["key_cases"].tolist() == [0, 0, 0]  # no key mask given
    assert lists.overview["weekly_target"].tolist() == [1, 5, NA]  # 王A: ceil(0.5 × 2); 张三: named; 未分配: none
    assert lists.unknown_targets == ["赵六"]


def test_a_weeks_target_by_rule_is_one_number_all_week_as_the_ranking_sets_it():
    """每周定出结案任务数: the rule's target is set on the cases open at the start of the week (its
    Monday: 张三's P, Q, R and S, though R closes that day and S on Wednesday; not T, filed on
    Friday), so the task lists made on any day of the week give the target the ranking sets that
    week's closes against (on Thursday, with P and Q open, still 2, not 1); the next week's is set
    on its own start (P, Q and T)."""
    rows = frame([case("P", "张三", "2026-01-05"), case("Q", "张三", "2026-02-02"),
                  case("R", "张三", "2026-02-03", closed="2026-03-09"), case("S", "张三", "2026-02-04", closed="2026-03-11"),
                  case("T", "张三", "2026-03-13"), case("U", "李四", "2026-03-12")])
    targets = Targets(rule=TargetRule(share=0.5, minimum=1))
    ranked = ranking(rows, T("2026-03-15"), periods=1, targets=targets)
    assert ranked[["officer", "open_at_start", "weekly_target"]].values.tolist() == [["张三", 4, 2], ["李四", 0, 1]]
    for day in pd.date_range("2026-03-09", "2026-03-15"):
        lists = task_lists(rows[rows["filed_on"] <= day], day, targets=targets)
        week = dict(zip(lists.overview["officer"], lists.overview["weekly_target"]))
        assert week == ({"张三": 2, "李四": 1} if day >= T("2026-03-12") else {"张三": 2}), day
    next_week = task_lists(rows, T("2026-03-16"), targets=targets).overview
    assert next_week["weekly_target"].tolist() == [1, 2]  # 李四: ceil(0.5 × 1); 张三: ceil(0.5 × 3)
    assert next_week["weekly_target"].tolist() == ranking(rows, T("2026-03-22"), periods=1, targets=targets)[
        "weekly_target"].tolist()


def test_targets_are_per_officer():
    targets = Targets({"张三": 5}, TargetRule(0.1, 1))
    assert targets_for(targets, "officer", given=True) is targets
    assert targets_for(None, "team", given=True) is None
    assert targets_for(targets, "team", given=False) is None  # the settings file's: left out
    with pytest.raises(ConfigError) as err:
        targets_for(targets, "team", given=True, labels={"team": "团队"})
    assert str(err.value) == ("--targets: weekly targets are set per officer; lists by 团队 have none "
                              "(leave out --by 团队 or --targets)")
    with pytest.raises(ConfigError) as err:
        targets_for(targets, "team", given=True, labels={"team": "团队"}, typed="team")
    assert str(err.value) == ("--targets: weekly targets are set per officer; lists by 团队 have none "
                              "(leave out --by team or --targets)")


def test_the_field_to_group_by_and_its_targets(tmp_path):
    """grouped_targets: the field --by names (by its field, header or label) and the targets of its
    groups: an officer's as given; for another field none, or an option error naming --by as typed
    when they were given on the command line."""
    ledger = load_ledger([write_ledger(tmp_path / "l.csv", "案号,立案日期,承办人,执行团队",
                                       [("(2026)鲁0902执1号", "2026-01-05", "张三", "一组")])])
    targets = Targets({"张三": 5}, TargetRule(0.1, 1))
    assert grouped_targets(ledger, "承办人", targets, True) == ("officer", targets)
    assert grouped_targets(ledger, "officer", None, False) == ("officer", None)
    assert grouped_targets(ledger, "执行团队", targets, False) == ("team", None)
    with pytest.raises(ConfigError, match=r"lists by 团队 have none \(leave out --by 执行团队 or --targets\)"):
        grouped_targets(ledger, "执行团队", targets, True)
    with pytest.raises(ConfigError, match="--by: no ledger field '法院'"):
        grouped_targets(ledger, "法院", targets, False)


def test_rule_rounds_up_without_float_noise():
    open_cases = pd.Series([30, 0, 31, 5, 1])
    assert TargetRule(0.1, 1).apply(open_cases).tolist() == [3, 1, 4, 1, 1]
    assert TargetRule(0.1, 0).apply(open_cases).tolist() == [3, 0, 4, 1, 1]


def test_file_stems_are_safe_and_unique():
    assert file_stems(["张三", "a/b", "a:b", "A_B", " .x. ", "con", "", UNASSIGNED]) == [
        "张三", "a_b", "a_b (2)", "A_B (3)", "x", "con_", "_", UNASSIGNED
    ]
    # a name a shell would take for an option, or Excel for a formula
    assert file_stems(["-孙八", "=1+1", "@x", "王-五"]) == ["_-孙八", "_=1+1", "_@x", "王-五"]


def test_file_stems_are_cut_to_60_bytes_on_a_character_boundary():
    zhang = "张" * 100  # 300 bytes in UTF-8: over the 255 a file name may have
    twins = ["某" * 20 + "甲", "某" * 20 + "乙"]  # equal in their first 20 characters (60 bytes)
    assert file_stems([zhang, *twins, "a" * 100, "ab" + "张" * 30]) == [
        "张" * 20, "某" * 20, "某" * 20 + " (2)", "a" * 60, "ab" + "张" * 19,  # 2 + 57 bytes: the 20th would make 62
    ]
    assert file_stems(["x" * 59 + ". y"]) == ["x" * 59]  # no dot or space left at the end by the cut



def test_sheet_names_valid_as_they_are_are_kept():
    # Changed names (quotes stripped, cut to 31, a character replaced, Excel's reserved History)
    # take the suffixed variants when their plain name belongs to a name valid as it is, even a later one.
    names = ["'张三'", "张三", "张*三", "张_三", "a" * 40, "a" * 31, "History", "History_", "x", "X", "'x'"]
    assert sheet_names(names) == [
        "张三 (2)", "张三", "张_三 (2)", "张_三", "a" * 27 + " (2)", "a" * 31, "History_ (2)", "History_",
        "x", "X (2)", "x (3)",
    ]



def test_sheet_names_drop_control_characters_and_count_as_excel_does():
    """A control character is no XML (the workbook would not open); Excel's 31 are UTF-16 units,
    so a character outside the BMP (𠮷, an emoji) counts two."""
    rare = "钱𠮷" * 20  # 60 UTF-16 units in 40 characters
    names = sheet_names(["张\x07三", rare, "😀" * 40, "😀" * 40])
    assert names[0] == "张_三"
    assert names[1] == "钱𠮷" * 10 + "钱"  # 3 units a pair: 10 pairs and 钱 make 31
    assert names[2:] == ["😀" * 15, "😀" * 13 + " (2)"]
    assert all(len(n.encode("utf-16-le")) // 2 <= 31 for n in names)


# --------------------------------------------------------------------------- targets files


def test_targets_from_yaml(tmp_path):
    path = tmp_path / "targets.yaml"
    path.write_text("张 三: 5\n李四: '3'\n王Ａ: 0\n赵六: 2件\n钱七: 十件\nshare: 0.2\nminimum: 2\n", encoding="utf-8")
    assert read_targets(path) == Targets({"张三": 5, "李四": 3, "王A": 0, "赵六": 2, "钱七": 10}, TargetRule(0.2, 2))


def test_every_targets_problem_is_reported_with_its_file(tmp_path):
    path = tmp_path / "tg.yaml"
    path.write_text("张三: x\n李四: -1\nshare: 2\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_targets(path)
    assert str(err.value) == (f"{path}:1: 张三: target must be a whole number from 0 to 10000, got 'x'; line 2: 李四: "
                              "target must be a whole number from 0 to 10000, got -1; line 3: 'share' must be a number "
                              "above 0 and at most 1, got 2")
    with pytest.raises(ConfigError, match=r"^settings/c\.yaml: targets: 'share' must be .*; 'minimum' must be"):
        read_targets({"share": 0, "minimum": "x"}, Path("settings/c.yaml"))  # no such file: no line to name


@pytest.mark.parametrize(("text", "message"), [
    ("targets: {陈静: -1}\n", ":2: targets: 陈静: target must be a whole number from 0 to 10000, got -1"),
    ("targets: {share: 2}\n", ":2: targets: 'share' must be a number above 0 and at most 1, got 2"),
    ("targets:\n  share: 2\n", ":3: targets: 'share' must be a number above 0 and at most 1, got 2"),
    ("targets:\n  minimum: x\n  张三: 1\n  李四: -1\n",  # the file's order, each line named once
     ":3: targets: 'minimum' needs 'share' (the share of open cases, e.g. share: 0.1); 'minimum' must be a whole "
     "number from 0 to 10000, got 'x'; line 5: 李四: target must be a whole number from 0 to 10000, got -1"),
])
def test_targets_inline_in_settings_name_the_line(tmp_path, text, message):
    """Targets written in backlog.yaml name the line of the one that is wrong, as other settings do."""
    settings = tmp_path / "backlog.yaml"
    settings.write_text("ledger: 台帐.xlsx\n" + text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_targets(load_config(settings).targets, settings)
    assert str(err.value) == f"{settings}{message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("张三: -1\n", "张三: target must be a whole number from 0 to 10000, got -1"),
        ("张三: 2.5\n", "张三: target must be a whole number from 0 to 10000"),
        ("张三: 99999999999999999999\n", "张三: target must be a whole number from 0 to 10000, got 99999999999999999999"),
        ("share: 0.1\nminimum: 99999999999999999999\n", "'minimum' must be a whole number from 0 to 10000"),
        ("张三: 1\n张 三: 2\n", "张 三: 张三 is listed twice"),
        ("share: 2\n", "'share' must be a number above 0 and at most 1"),
        ("minimum: 2\n", "'minimum' needs 'share'"),
        ("- 张三\n", "expected officer: target lines"),
        ("张三: [1\n", r"targets.yaml:\d+:\d+: not valid YAML"),
        # read as no targets before: an empty file, one of comments only, [] or 0
        ("", r"targets.yaml: no targets found \(expected officer: target lines, 张三: 5\)"),
        ("# 第47周\n# 张三: 5\n", "no targets found"),
        ("[]\n", "targets.yaml:1: expected officer: target lines"),
        ("0\n", "targets.yaml:1: expected officer: target lines"),
    ],
)
def test_bad_yaml_targets(tmp_path, text, message):
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        read_targets(path)


@pytest.mark.parametrize(
    ("text", "line"),
    [("- 张三\n", 1), ("# 第47周\n\n- 张三: 5\n- 李四: 3\n", 3), ("张三 5\n", 1), ("[张三, 5]\n", 1)],
)
def test_a_targets_file_that_is_not_a_mapping_names_its_line(tmp_path, text, line):
    """A list or a text where officer: target lines are expected names the line it starts on."""
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_targets(path)
    assert str(err.value) == f"{path}:{line}: expected officer: target lines (张三: 5) and optionally share/minimum"


def test_targets_from_spreadsheet(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务"
    for row in (["承办人", "每周结案任务数"], ["张 三", 5], ["李四", 3.0], [None, None], ["王Ａ", "2"], ["赵六", "2件"],
                ["钱七", "三件"]):
        ws.append(row)
    wb.save(tmp_path / "targets.xlsx")
    assert read_targets(tmp_path / "targets.xlsx") == Targets({"张三": 5, "李四": 3, "王A": 2, "赵六": 2, "钱七": 3})


def test_targets_sheet_with_a_title_above_its_header_and_a_totals_row(tmp_path):
    """A sheet as a clerk lays it out: a title over the table, the header, the officers and a 合计
    row under them (the title was read as the header, and the header refused as a target)."""
    import openpyxl

    wb = openpyxl.Workbook()
    for row in (["执行局每周结案任务数（2026年第47周）", None], [None, None], ["承办人", "每周结案任务数"], ["张 三", 2],
                ["李四", "3件"], ["合 计", 5]):
        wb.active.append(row)
    wb.save(tmp_path / "targets.xlsx")
    assert read_targets(tmp_path / "targets.xlsx") == Targets({"张三": 2, "李四": 3})


def test_targets_from_csv_without_header(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("张三,4\n李四,1\n", encoding="utf-8")
    assert read_targets(path) == Targets({"张三": 4, "李四": 1})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("承办人,任务数\n张三,5\n李四,abc\n", r"\[targets\]: row 3: target 'abc' is not a whole number"),
        ("承办人,任务数\n张三,5\n李四,2.5件\n", r"\[targets\]: row 3: target '2.5件' is not a whole number"),
        ("承办人,任务数\n陈静,99999999999999999999\n",  # it wrapped round to -9223372036854775808
         r"row 2: target '99999999999999999999' is not a whole number from 0 to 10000"),
        ("承办人,任务数\n张三,5\n李四,1\n张 三,2\n", r"row 4: 张三 already has a target in row 2"),
        ("承办人,任务数\n,5\n", r"row 2: no officer name"),
        ("承办人,任务数\n张三,2\n李四,\n", r"row 3: no target for 李四$"),  # was: target nan is not …
        ("张三,\n李四,3\n", r"row 1: no target for 张三$"),  # no header: a blank first target is no title
        ("张三,5,x\n", r"row 1: expected two columns"),
    ],
)
def test_bad_spreadsheet_targets(tmp_path, text, message):
    path = tmp_path / "targets.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        read_targets(path)


def test_missing_targets_file(tmp_path):
    with pytest.raises(ConfigError, match="targets file .*nope.yaml does not exist"):
        read_targets(tmp_path / "nope.yaml")


def test_targets_mapping_as_in_config():
    assert targets_from_mapping({"share": 0.1}, "backlog.yaml") == Targets({}, TargetRule(0.1, 1))


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("as_of", "start", "end", "label"),
    [
        ("2026-03-15", "2026-03-09", "2026-03-15", "2026-W11"),  # a Sunday closes its own week
        ("2026-03-16", "2026-03-09", "2026-03-15", "2026-W11"),  # a Monday: last week
        ("2026-03-14", "2026-03-02", "2026-03-08", "2026-W10"),  # a Saturday: the week is not over
        ("2026-01-04", "2025-12-29", "2026-01-04", "2026-W01"),  # ISO week 1 starts in December
    ],
)
def test_last_full_week(as_of, start, end, label):
    weeks = periods_before(T(as_of), "week", 2)
    assert weeks.iloc[-1].tolist() == [label, T(start), T(end)]
    assert weeks.iloc[0]["end"] == T(start) - pd.Timedelta(days=1)


def test_last_full_month():
    assert periods_before(T("2026-03-31"), "month", 1).iloc[0].tolist() == ["2026-03", T("2026-03-01"), T("2026-03-31")]
    months = periods_before(T("2026-03-30"), "month", 2)
    assert months.values.tolist() == [["2026-01", T("2026-01-01"), T("2026-01-31")], ["2026-02", T("2026-02-01"), T("2026-02-28")]]


def test_period_texts():
    codes = pd.Series(["2026-W44", "2026-W01", "2026-W44", "2026-03", "2025-12", NA], dtype="str")
    assert period_texts(codes) == {"2026-W44": "2026年第44周", "2026-W01": "2026年第1周", "2026-03": "2026年3月",
                                   "2025-12": "2025年12月"}


def test_bad_period():
    with pytest.raises(ConfigError, match="period must be one of week, month"):
        periods_before(T("2026-03-31"), "day", 1)


# --------------------------------------------------------------------------- ranking


def closings(officer: str, closed: list[str | None], filed: str = "2026-01-01") -> list[dict]:
    return [{"case_no": f"{officer}{i}", "officer": officer, "filed_on": filed, "closed_on": c} for i, c in enumerate(closed)]


def test_ranking_counts_ties_and_week_boundaries():
    # Ranked week 2026-03-09 (Mon) .. 2026-03-15 (Sun).
    rows = (
        closings("甲", ["2026-03-10", "2026-03-11", None, None, "2026-03-01"])  # 4 open at start, 2 closed
        + closings("乙", ["2026-03-09", "2026-03-15"])  # both ends of the week count
        + closings("丙", ["2026-03-12", "2026-03-13", None, None])
        + closings("丁", ["2026-03-14", None, None, "2026-03-08"])  # closed the Sunday before
        + closings("戊", ["2026-03-16", None, None, None, None])  # closed the Monday after: still open
        + closings("戊x", [None], filed="2026-03-09")  # filed on the first day: not open at start
        + closings("己", [None], filed="2026-03-16")  # filed the Monday after: not ranked
        + [{"case_no": "X", "officer": None, "filed_on": "2026-01-01", "closed_on": "2026-03-10"}]
    )
    cases = frame(rows)
    cases.loc[cases["officer"] == "戊x", "officer"] = "戊 "
    table = ranking(cases, T("2026-03-16"), "week", 1)
    assert table[["period", "officer", "open_at_start", "closed", "rank", "rank_label", "tie_with", "mark"]].astype(object).where(
        table.notna(), None
    ).values.tolist() == [
        ["2026-W11", "乙", 2, 2, 1, "1", None, None],
        # equal results, ordered by name (pinyin: bing, jia); a tie across the bottom-three line marks both
        ["2026-W11", "丙", 4, 2, 2, "2（并列）", "甲", "约谈"],
        ["2026-W11", "甲", 4, 2, 2, "2（并列）", "丙", "督导"],
        ["2026-W11", "丁", 3, 1, 4, "4", None, "督导"],
        ["2026-W11", "戊", 5, 0, 5, "5", None, "约谈"],
    ]
    assert table["filed"].tolist() == [0, 0, 0, 0, 1]  # 戊x is 戊
    assert table["closing_rate"].tolist() == [1.0, 0.5, 0.5, 0.3333, 0.0]  # 戊: 0 / (5 + 1)
    # Bottom three in W09 (甲 1, the rest tied 2): 乙丙丁戊; in W10 (丁 1, the rest tied 2): 甲乙丙戊.
    assert table["bottom_streak"].tolist() == [0, 3, 2, 1, 3]
    assert table["period_start"].iloc[0] == T("2026-03-09") and table["period_end"].iloc[0] == T("2026-03-15")


def test_everyone_tied_is_nobody_at_the_bottom():
    cases = frame(sum((closings(name, [None]) for name in "甲乙丙丁"), []))
    table = ranking(cases, T("2026-03-15"), "week", 1)
    assert table["officer"].tolist() == ["丙", "丁", "甲", "乙"]  # pinyin order: bing, ding, jia, yi
    assert table["rank_label"].tolist() == ["1（并列）"] * 4
    assert table["tie_with"].tolist() == ["丁、甲、乙", "丙、甲、乙", "丙、丁、乙", "丙、丁、甲"]
    assert table["mark"].isna().all()
    assert table["closing_rate"].tolist() == [0.0] * 4


def test_ranking_sets_each_weeks_closes_against_the_weekly_target():
    """甲's target is named (2); the rule (half the cases open at the week's start, rounded up, at
    least 1) gives the others theirs; closed at least the target is met."""
    rows = closings("甲", ["2026-03-10", None, None, None]) + closings("乙", ["2026-03-10", "2026-03-11", None]) \
        + closings("丙", [None])
    goals = Targets({"甲": 2}, TargetRule(0.5, 1))
    table = ranking(frame(rows), T("2026-03-16"), "week", 1, targets=goals)
    assert table[["officer", "open_at_start", "closed", "weekly_target", "target_met"]].values.tolist() == [
        ["乙", 3, 2, 2, True], ["甲", 4, 1, 2, False], ["丙", 1, 0, 1, False]]
    # no rule: an officer without a named target has none, and neither met nor missed it
    table = ranking(frame(rows), T("2026-03-16"), "week", 2, targets=Targets({"甲": 2}))
    week10 = table[table["period"] == "2026-W10"]
    assert week10[["officer", "weekly_target", "target_met"]].astype(object).where(week10.notna(), None).values.tolist() == [
        ["丙", None, None], ["甲", 2, False], ["乙", None, None]]
    assert "weekly_target" not in ranking(frame(rows), T("2026-03-16"), "week", 1).columns
    with pytest.raises(ConfigError, match="weekly targets are set per week"):
        ranking(frame(rows), T("2026-03-16"), "month", 1, targets=goals)


def test_ranking_refuses_more_than_520_periods():
    cases = frame(closings("甲", [None]))
    assert ranking(cases, T("2026-03-15"), "week", 520)["period"].tolist()[0] == "2026-W01"  # nothing before the first filing
    with pytest.raises(ConfigError, match="at most 520, not 521"):
        ranking(cases, T("2026-03-15"), "week", 521)


def test_a_case_filed_and_closed_in_the_week_counts_once_as_filed_and_once_as_closed():
    cases = frame(closings("甲", ["2026-03-10"], filed="2026-03-09"))
    table = ranking(cases, T("2026-03-15"), "week", 1)
    assert table[["open_at_start", "filed", "closed"]].values.tolist() == [[0, 1, 1]]
    assert table["closing_rate"].tolist() == [1.0]


def test_closing_rate_is_closed_over_open_at_start_plus_filed():
    # Week 2026-03-09 (Mon) .. 2026-03-15 (Sun).
    rows = (
        closings("乙", ["2026-03-12"])  # 1 open at start, closed in the week
        + closings("乙", ["2026-03-10", "2026-03-15"], filed="2026-03-09")  # 2 filed and closed in it
        + closings("丙", [None], filed="2026-03-15")  # filed on the Sunday: new, not closed
        + closings("丙", [None], filed="2026-03-16")  # filed the Monday after: not in the week
        + closings("丁", ["2026-03-06"])  # closed the week before: not ranked
        + closings("甲", ["2026-03-11", None], filed="2026-03-02")  # 2 open at start, 1 closed
        + closings("甲", [None, None], filed="2026-03-13")  # 2 new, open
    )
    cases = frame(rows)
    cases["case_no"] = [f"c{i}" for i in range(len(cases))]
    table = ranking(cases, T("2026-03-15"), "week", 1)
    got = table[["officer", "open_at_start", "filed", "closed", "closing_rate", "rank"]].values.tolist()
    assert got == [
        ["乙", 1, 2, 3, 1.0, 1],  # 3 / (1 + 2), not 3 / 1
        ["甲", 2, 2, 1, 0.25, 2],
        ["丙", 0, 1, 0, 0.0, 3],  # nothing closed of one new case: 0 / (0 + 1)
    ]


# Week starts (Mondays) W08 .. W13 and each week's order, best first; closes = 5, 4, 3, 2, 1.
WEEKS = ["2026-02-16", "2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"]
ORDERS = ["甲乙丙丁戊", "甲乙丁丙戊", "甲丙丁乙戊", "甲乙戊丙丁", "甲乙戊丙丁", "甲丁乙丙戊"]


def six_weeks_of_closings() -> pd.DataFrame:
    """Each officer's closes per week by ORDERS (each also holds three cases never closed)."""
    closed: dict[str, list[str | None]] = {name: [None] * 3 for name in "甲乙丙丁戊"}
    for start, order in zip(WEEKS, ORDERS):
        day = str((T(start) + pd.Timedelta(days=2)).date())
        for place, name in enumerate(order):
            closed[name] += [day] * (5 - place)
    return frame(sum((closings(name, dates) for name, dates in closed.items()), []))


def test_three_weeks_in_a_row_is_call_in():
    cases = six_weeks_of_closings()
    table = ranking(cases, T("2026-03-29"), "week", 4)
    assert table["period"].unique().tolist() == ["2026-W10", "2026-W11", "2026-W12", "2026-W13"]
    got = {(p, o): (s, m if isinstance(m, str) else "") for p, o, s, m in table[["period", "officer", "bottom_streak", "mark"]].values}
    # Bottom three per week: W08 丙丁戊, W09 丁丙戊, W10 丁乙戊, W11 戊丙丁, W12 戊丙丁, W13 乙丙戊.
    assert got == {
        ("2026-W10", "甲"): (0, ""), ("2026-W10", "丙"): (0, ""), ("2026-W10", "丁"): (3, "约谈"),
        ("2026-W10", "乙"): (1, "督导"), ("2026-W10", "戊"): (3, "约谈"),
        ("2026-W11", "甲"): (0, ""), ("2026-W11", "乙"): (0, ""), ("2026-W11", "戊"): (4, "约谈"),
        ("2026-W11", "丙"): (1, "督导"), ("2026-W11", "丁"): (4, "约谈"),
        ("2026-W12", "甲"): (0, ""), ("2026-W12", "乙"): (0, ""), ("2026-W12", "戊"): (5, "约谈"),
        ("2026-W12", "丙"): (2, "督导"), ("2026-W12", "丁"): (5, "约谈"),
        ("2026-W13", "甲"): (0, ""), ("2026-W13", "丁"): (0, ""), ("2026-W13", "乙"): (1, "督导"),
        ("2026-W13", "丙"): (3, "约谈"), ("2026-W13", "戊"): (6, "约谈"),
    }
    assert table.loc[table["period"] == "2026-W13", "officer"].tolist() == list("甲丁乙丙戊")


def weekly_closings(order: str, weeks: list[str]) -> pd.DataFrame:
    """The officers of ``order``: the first closes two cases each week, the others one each (all
    filed on the first week's Monday), so that all but the first are in the bottom three each week."""
    rows = []
    for place, name in enumerate(order):
        per_week = 2 if place == 0 else 1
        days = [str((T(w) + pd.Timedelta(days=2)).date()) for w in weeks for _ in range(per_week)]
        rows += closings(name, days, filed=weeks[0])
    return frame(rows)


def test_a_streak_is_the_same_whatever_the_periods_shown():
    # From the data of the test above: 戊 in the bottom three every week W08 .. W13, 丙 W11 .. W13.
    cases = six_weeks_of_closings()
    # W01 .. W07: everyone open, nobody closing: all tied first, nobody at the bottom.
    for shown in (1, 2, 6, 12):
        last = ranking(cases, T("2026-03-29"), "week", shown)
        last = last[last["period"] == "2026-W13"]
        assert dict(zip(last["officer"], last["bottom_streak"])) == {"甲": 0, "丁": 0, "乙": 1, "丙": 3, "戊": 6}


def test_a_streak_reaches_back_to_the_ledgers_first_period_and_no_further():
    weeks = ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30"]  # W10 .. W14
    cases = weekly_closings("甲乙丙丁戊", weeks)
    last = ranking(cases, T("2026-04-05"), "week", 1)
    assert last["period"].unique().tolist() == ["2026-W14"]
    assert dict(zip(last["officer"], last["bottom_streak"])) == {"甲": 0, "乙": 5, "丙": 5, "丁": 5, "戊": 5}
    every = ranking(cases, T("2026-04-05"), "week", 7)  # W08, W09: nothing filed yet, nobody ranked
    assert every["period"].unique().tolist() == ["2026-W10", "2026-W11", "2026-W12", "2026-W13", "2026-W14"]
    assert every.loc[every["officer"] == "乙", "bottom_streak"].tolist() == [1, 2, 3, 4, 5]
    assert every.loc[every["officer"] == "乙", "open_at_start"].tolist() == [0, 4, 3, 2, 1]
    assert every.loc[every["officer"] == "甲", "closed"].tolist() == [2] * 5


def test_a_week_where_all_are_tied_neither_ends_nor_adds_to_a_streak():
    """Seed 003: 连续三周排名后三位的进行约谈. Four officers close nothing for four weeks while 甲
    closes in three of them; in the week nobody closes (a holiday week), all are tied first and
    nobody is marked, but the four are not let off: their streak stands, and the next week is
    their third in the bottom three (it began again at 1)."""
    weeks = ["2026-10-19", "2026-10-26", "2026-11-02", "2026-11-09"]  # W43 .. W46; W45 nobody closes
    rows = closings("甲", [str((T(w) + pd.Timedelta(days=2)).date()) for w in (weeks[0], weeks[1], weeks[3])]
                    + [None] * 3, filed="2026-10-01")
    for name in "乙丙丁戊":
        rows += closings(name, [None] * 3, filed="2026-10-01")
    table = ranking(frame(rows), T("2026-11-15"), "week", 4)
    got = {p: dict(zip(t["officer"], zip(t["bottom_streak"], t["mark"].fillna("")))) for p, t in table.groupby("period")}
    four = "乙丙丁戊"
    assert got["2026-W43"] == {"甲": (0, ""), **{n: (1, "督导") for n in four}}
    assert got["2026-W44"] == {"甲": (0, ""), **{n: (2, "督导") for n in four}}
    assert got["2026-W45"] == {"甲": (0, ""), **{n: (2, "") for n in four}}  # all tied: nobody marked
    assert got["2026-W46"] == {"甲": (0, ""), **{n: (3, "约谈") for n in four}}
    assert table.loc[table["period"] == "2026-W45", "rank"].eq(1).all()


def test_an_officer_no_case_has_lists_the_officers_in_pinyin_order_with_unassigned_last():
    from backlog_cli.assignment import check_group
    from backlog_cli.errors import ConfigError

    frame = pd.DataFrame({"officer": pd.Series(["赵六", None, "李四", "张三、李四"], dtype="str")})
    with pytest.raises(ConfigError) as err:
        check_group(frame, "officer", "张四", "--officer")
    assert str(err.value) == ("--officer: no case has officer '张四'; the ledger has: 李四; 张三、李四; 赵六; 未分配")
    many = pd.DataFrame({"officer": pd.Series([f"官{i}" for i in range(1, 33)], dtype="str")})
    with pytest.raises(ConfigError) as err:  # of more than thirty, the first thirty and how many more
        check_group(many, "officer", "张四", "--officer")
    assert str(err.value).endswith("the ledger has: " + "; ".join(f"官{i}" for i in range(1, 31)) + "; … 2 more")


def test_the_task_lists_output_is_the_overview_then_a_sheet_per_group_and_counts_their_key_cases(cases):
    """TaskLists.output, as assign shows and writes it: the overview, then one sheet per group
    titled as the group's heading, as tables too; key_open adds up the overview's 重点案件."""
    lists = task_lists(cases, AS_OF, key=cases["is_key"])
    out = lists.output({"officer": "承办人"})
    assert out.frame is lists.cases and out.columns == lists.columns()
    assert [s.title for s in out.sheets][1:] == lists.titles() and out.tables == out.sheets
    assert out.sheets[0].title.startswith("任务到人：按承办人（截至") and out.sheets[0].frame is lists.overview
    assert lists.key_open() == 3 and isinstance(lists.key_open(), int)
