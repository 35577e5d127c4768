"""The bundled rulesets count the cases their documents mean: 特殊主体 are organisations, a note that
denies a petition is no 信访 case, 党政机关 include the organs a county has today, and 未结超过一年
says it counts from filing."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest

from backlog_cli import rules
from backlog_cli.deadlines import bundled_tables, load_ruleset, ruleset_tables
from backlog_cli.rules import load_rules

AS_OF = pd.Timestamp("2026-10-31")
TEXT = ("respondent", "notes", "cause", "status")


@cache
def bundled(name: str) -> rules.Ruleset:
    return load_rules([name])


def categories(ruleset: str, **row) -> set[str]:
    """The categories of one case under a bundled ruleset, as of 2026-10-31."""
    frame = pd.DataFrame([row])
    for col in frame.columns:
        if col in TEXT:
            frame[col] = frame[col].astype("str")
        elif col == "petition":
            frame[col] = frame[col].astype("boolean")
        else:
            frame[col] = pd.to_datetime(frame[col])
    return set(bundled(ruleset).classify(frame, AS_OF)["categories"].iloc[0])


def each(ruleset: str, field: str, values: list[str]) -> dict[str, set[str]]:
    """The categories of one case per value of a text field, classified together."""
    frame = pd.DataFrame({field: pd.Series(values, dtype="str")})
    return dict(zip(values, map(set, bundled(ruleset).classify(frame, AS_OF)["categories"])))


# --------------------------------------------------------------------------- every file checks clean


@pytest.mark.parametrize("path", sorted(rules.bundled_rules_dir().glob("*.yaml")), ids=lambda p: p.name)
def test_every_bundled_file_checks_clean(path):
    load_ruleset([path])  # raises RulesError with every problem, as `backlog rules check` reports them


# --------------------------------------------------------------------------- 特殊主体: organisations only

PERSONS = ["张国有", "王国有", "刘国营", "李中交", "王电网", "赵国资", "孙中冶", "王国有（某公司法定代表人）"]
STATE_OWNED = ["某国有资产经营有限公司", "东岳市国有资产经营有限公司", "某市水务集团有限公司（国有）",
               "东岳市建设投资集团有限公司(国有)", "某市城市建设投资集团有限公司(国有独资)", "国营红旗机械厂", "某县国营农场",
               "中交第二公路工程局有限公司", "中国南方电网有限责任公司", "中冶建工集团有限公司", "某市国资运营集团有限公司",
               "王国有、某县国有资产经营有限公司", "国家电网有限公司", "某村民委员会"]


@pytest.mark.parametrize("ruleset", ["default", "campaign-2008", "juesheng-2017"])
def test_a_personal_name_is_not_a_special_subject(ruleset):
    assert each(ruleset, "respondent", PERSONS) == {name: set() for name in PERSONS}


@pytest.mark.parametrize("ruleset", ["default", "campaign-2008", "juesheng-2017"])
def test_a_state_owned_or_village_body_is_a_special_subject(ruleset):
    assert each(ruleset, "respondent", STATE_OWNED) == {name: {"special_subject", "key"} for name in STATE_OWNED}


def test_the_state_assets_commission_is_an_organ_not_a_special_subject():
    assert categories("default", respondent="泰安市国有资产监督管理委员会") == {"dangzheng", "key"}


# --------------------------------------------------------------------------- 信访: a denial is no petition

PETITION = {"sanqingli-2016": "xinfang", "default": "xinfang", "county-seven": "repeated_petition",
            "campaign-2008": "repeat_petition"}
DENIALS = ["不存在信访问题", "未发现上访", "无信访", "当事人未上访", "没有上访", "否认信访", "暂无信访", "无进京赴省信访",
           "未再上访", "当事人否认曾经上访", "未发现当事人上访", "无重复信访记录", "不属于涉信访案件", "无信访、上访情况",
           "已纳入失信名单；无信访"]
PETITIONS = ["多次上访", "重复信访", "赴省", "申请人多次进京上访", "因未能执行引发重复信访", "因案件未执结多次上访",
             "被执行人无财产，申请人多次上访", "无信访，但今年赴省上访", "无信访但多次上访", "信访件"]


@pytest.mark.parametrize("ruleset", PETITION)
def test_a_note_that_denies_a_petition_is_not_a_petition_case(ruleset):
    assert each(ruleset, "notes", DENIALS) == {note: set() for note in DENIALS}


@pytest.mark.parametrize("ruleset", PETITION)
def test_a_note_that_names_a_petition_is_a_petition_case(ruleset):
    assert each(ruleset, "notes", PETITIONS) == {note: {PETITION[ruleset], "key"} for note in PETITIONS}


@pytest.mark.parametrize("ruleset", PETITION)
def test_the_petition_flag_counts_whatever_the_note_says(ruleset):
    assert categories(ruleset, petition=True, notes="无信访") == {PETITION[ruleset], "key"}
    assert categories(ruleset, petition=False, notes="多次上访") == {PETITION[ruleset], "key"}
    assert categories(ruleset, petition=False, notes="未发现上访") == set()


# --------------------------------------------------------------------------- 涉党政机关

ORGANS = ["某县水务局", "某某市水务局", "某县行政审批服务局", "某县行政审批局", "某县大数据局", "某市大数据管理局",
          "某县人民防空办公室", "某县人防办", "某县监察委员会", "某市监察委", "某县纪委监委", "某镇财政所", "某镇司法所",
          "某县发展和改革局", "某县工业和信息化局", "某县林业和草原局", "某县建设局", "某县城市管理局"]
NOT_ORGANS = ["某某水务有限公司", "东岳市水务集团有限公司", "某县水务局供水有限公司", "某市大数据发展有限公司",
              "某县行政审批服务中心", "某镇财政所招待所", "某县人民防空办公室印刷厂", "张三"]


@pytest.mark.parametrize("ruleset", ["sanqingli-2016", "default", "juesheng-2017"])
def test_government_organs(ruleset):
    assert each(ruleset, "respondent", ORGANS) == {name: {"dangzheng", "key"} for name in ORGANS}


def test_units_that_merely_contain_an_organs_name():
    assert each("default", "respondent", NOT_ORGANS) == {name: set() for name in NOT_ORGANS}


# --------------------------------------------------------------------------- 未结超过一年 counts from filing


def test_over_one_year_says_it_counts_from_filing():
    ruleset, deadlines = load_ruleset(["default"])
    category = ruleset.category("over_one_year")
    deadline = next(d for d in deadlines if d.id == "over_one_year")
    for text in (category.source, deadline.source):
        assert "超期限一年以上" not in text and "立案超过一年未结" in text
    assert category.description.startswith("立案超过一年未结")
    assert category.label == deadline.label == "未结超过一年"


def test_over_one_year_counts_a_year_from_filing():
    # 2025-10-30 + 1 year = 2026-10-30 < 2026-10-31; 2025-10-31 + 1 year is the day itself
    assert categories("default", filed_on="2025-10-30", closed_on=None) == {"over_one_year", "key"}
    assert categories("default", filed_on="2025-10-31", closed_on=None) == set()
    assert categories("default", filed_on="2024-01-01", closed_on="2026-10-31") == set()


def test_the_tables_rules_list_and_rules_show_print():
    """rules list: each bundled ruleset with its counts, then the categories of each; rules show:
    a ruleset's categories in priority order, then its deadlines (none: no table)."""
    rulesets, categories = bundled_tables()
    names = [b.name for b in rules.list_bundled()]
    assert rulesets.columns.tolist() == ["规则集", "说明", "类别数", "期限数"] and rulesets["规则集"].tolist() == names
    assert categories.groupby("规则集", sort=False).size().reindex(names).tolist() == rulesets["类别数"].tolist()
    ruleset, deadlines = load_ruleset(None)
    assert rulesets.set_index("规则集").loc["default", "期限数"] == len(deadlines) > 0
    shown, listed = ruleset_tables(ruleset, deadlines)
    assert shown.columns.tolist() == ["优先级", "类别编号", "类别", "说明", "依据"]
    assert shown["类别编号"].tolist() == [c.id for c in ruleset.categories]
    assert listed.columns.tolist() == ["期限编号", "期限", "届满日计算", "应办事项", "超期后应办", "中止期间应办", "说明", "依据"]
    assert listed["期限编号"].tolist() == [d.id for d in deadlines]
    assert ruleset_tables(ruleset, [])[1] is None
