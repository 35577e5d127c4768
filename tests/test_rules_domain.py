"""The bundled rulesets against the gaps a review of the seeds found: what 涉民生 takes from a divorce, a
labour provider's injury and a traffic case, whose hardship counts, which respondents and notes make a
construction-wages case, and the 群体性 and 挂牌督办 cases the seeds ask for. Each test classifies a
few cases and names, by hand, the case numbers a category must hold."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest

from backlog_cli import rules
from backlog_cli.rules import load_rules

AS_OF = pd.Timestamp("2026-10-31")


@cache
def bundled(name: str) -> rules.Ruleset:
    return load_rules([name])


def holding(ruleset: str, category: str, cases: dict[str, dict[str, str | None]]) -> set[str]:
    """The case numbers of ``cases`` (case number: text fields) that the category holds."""
    fields = sorted({field for row in cases.values() for field in row})
    frame = pd.DataFrame({"case_no": pd.Series(list(cases), dtype="str")}
                         | {f: pd.Series([row.get(f) for row in cases.values()], dtype="str") for f in fields})
    found = bundled(ruleset).classify(frame, AS_OF)["categories"]
    return {case for case, cats in zip(cases, found) if category in cats}


# --------------------------------------------------------------------------- 涉民生: what the seed names

DIVORCE = "离婚纠纷"
TRAFFIC = "机动车交通事故责任纠纷"
LIVELIHOOD_CASES = {
    "执1号": {"cause": DIVORCE, "notes": "追索子女抚养费"},  # 追索抚养费 in a divorce
    "执2号": {"cause": "同居关系纠纷", "notes": "抚养费未付"},
    "执3号": {"cause": DIVORCE, "notes": "赡养费、扶养费"},
    "执4号": {"cause": DIVORCE, "notes": "分割夫妻共同财产"},  # no support: property only
    "执5号": {"cause": DIVORCE, "notes": None},
    "执6号": {"cause": DIVORCE, "notes": "不含抚养费"},  # the support is denied
    "执7号": {"cause": "民间借贷纠纷", "notes": "被执行人另需支付抚养费"},  # a loan, not a support claim
    "执8号": {"cause": "变更抚养关系纠纷", "notes": None},  # 抚养 in the cause, as before
    "执9号": {"cause": "提供劳务者受害责任纠纷", "notes": None},  # a labour provider's injury
    "执10号": {"cause": "提供劳务者致害责任纠纷", "notes": None},  # the provider injured someone else
    "执11号": {"cause": TRAFFIC, "notes": None},  # nothing said: a traffic case counts as before
    "执12号": {"cause": TRAFFIC, "notes": "仅车损"},  # property damage only
    "执13号": {"cause": TRAFFIC, "notes": "财产损失"},
    "执14号": {"cause": TRAFFIC, "notes": "无人员伤亡，车辆损失"},  # the injury is denied
    "执15号": {"cause": TRAFFIC, "notes": "车损及医疗费"},  # an injury is named beside the damage
    "执16号": {"cause": TRAFFIC, "notes": "财产损失，一人受伤"},
    "执17号": {"cause": TRAFFIC, "notes": "无财产损失"},  # no damage named: as before
    "执18号": {"cause": TRAFFIC, "notes": "车损，申请执行人系低保户"},  # the applicant's hardship still counts
}


LIVELIHOOD_HELD = {"执1号", "执2号", "执3号", "执8号", "执9号", "执11号", "执15号", "执16号", "执17号"}


def test_campaign_2008_livelihood_takes_support_in_a_divorce_and_injuries_not_car_damage():
    assert holding("campaign-2008", "livelihood", LIVELIHOOD_CASES) == LIVELIHOOD_HELD


@pytest.mark.parametrize("ruleset", ["sanqingli-2016", "default", "juesheng-2017"])
def test_minsheng_takes_support_in_a_divorce_and_injuries_not_car_damage(ruleset):
    # 执18号 also by its note: the applicant's hardship
    assert holding(ruleset, "minsheng", LIVELIHOOD_CASES) == LIVELIHOOD_HELD | {"执18号"}


INJURY_CASES = {
    "执1号": {"cause": TRAFFIC, "notes": "车辆损失，医药费"},  # an injury named beside the damage
    "执2号": {"cause": TRAFFIC, "notes": "车损，轻伤"},
    "执3号": {"cause": TRAFFIC, "notes": "车损，骨折"},
    "执4号": {"cause": TRAFFIC, "notes": "车损 3000 元，死者家属申请"},
    "执5号": {"cause": TRAFFIC, "notes": "车损、精神损害抚慰金"},
    "执6号": {"cause": TRAFFIC, "notes": "车损，一人重伤"},
    "执7号": {"cause": TRAFFIC, "notes": "车损，未受伤"},  # the injury is denied
    "执8号": {"cause": TRAFFIC, "notes": "车损，无骨折"},
    "执9号": {"cause": TRAFFIC, "notes": "车损，无精神损害"},
}


@pytest.mark.parametrize(("ruleset", "category"), [("campaign-2008", "livelihood"), ("sanqingli-2016", "minsheng"),
                                                  ("default", "minsheng"), ("juesheng-2017", "minsheng")])
def test_a_traffic_case_naming_an_injury_beside_car_damage_counts(ruleset, category):
    assert holding(ruleset, category, INJURY_CASES) == {"执1号", "执2号", "执3号", "执4号", "执5号", "执6号"}


@pytest.mark.parametrize("ruleset", ["default", "county-seven"])
def test_the_traffic_kind_of_seed_001_keeps_property_damage(ruleset):
    """Seed 001 names 道路交通事故造成的损害赔偿案件, property damage included."""
    assert holding(ruleset, "traffic", LIVELIHOOD_CASES) == {
        "执11号", "执12号", "执13号", "执14号", "执15号", "执16号", "执17号", "执18号"}


# --------------------------------------------------------------------------- 特困: both parties, and a denial

HARDSHIP = {"campaign-2008": "hardship", "county-seven": "hardship", "sanqingli-2016": "minsheng",
            "default": "minsheng", "juesheng-2017": "minsheng"}
HARDSHIP_CASES = {
    "执1号": {"notes": "申请执行人与被执行人均系低保户"},  # both: the applicant is one
    "执2号": {"notes": "申请人和被执行人都是残疾人"},
    "执3号": {"notes": "申请执行人与被执行人双方均生活困难"},
    "执4号": {"notes": "申请人非低保户"},  # denied just before the word
    "执5号": {"notes": "申请执行人不是低保户"},
    "执6号": {"notes": "申请执行人不属于特困户"},
    "执7号": {"notes": "申请人未享受低保"},
    "执8号": {"notes": "申请执行人未获司法救助"},
    "执9号": {"notes": "申请执行人与被执行人系邻居，被执行人残疾"},  # no 均: the respondent's hardship
    "执10号": {"notes": "申请执行人与被执行人均非低保户"},  # both, denied
    "执11号": {"notes": "申请人非低保户，但系残疾人"},  # the next clause names one
    "执12号": {"notes": "申请执行人系低保户"},  # as before
    "执13号": {"notes": "被执行人系低保户"},
}


@pytest.mark.parametrize("ruleset", HARDSHIP)
def test_a_hardship_of_both_parties_counts_and_a_denied_one_does_not(ruleset):
    assert holding(ruleset, HARDSHIP[ruleset], HARDSHIP_CASES) == {"执1号", "执2号", "执3号", "执11号", "执12号"}


DENIED_HARDSHIP_CASES = {
    "执1号": {"notes": "申请执行人是否低保：否"},  # denied after a colon, as a ledger form writes it
    "执2号": {"notes": "低保户：否"},
    "执3号": {"notes": "申请执行人不享有低保"},  # denied, not right before the word
    "执4号": {"notes": "不再享受低保"},
    "执5号": {"notes": "不符合低保条件"},
    "执6号": {"notes": "未能获得司法救助"},
    "执7号": {"notes": "申请执行人是否低保：是"},
    "执8号": {"notes": "是否低保：否，申请人残疾"},  # the next clause names one
    "执9号": {"notes": "申请人非低保户但系残疾人"},  # named after the denied word
    "执10号": {"notes": "申请人未能获得赔偿，生活困难"},  # 未 denies the damages, not the hardship
    "执11号": {"notes": "有无低保：有"},
    "执12号": {"notes": "有无低保：无"},
}


@pytest.mark.parametrize("ruleset", ["campaign-2008", "county-seven", "sanqingli-2016", "default", "juesheng-2017"])
def test_a_hardship_denied_after_a_colon_or_through_a_verb_is_none(ruleset):
    assert holding(ruleset, HARDSHIP[ruleset], DENIED_HARDSHIP_CASES) == {"执7号", "执8号", "执9号", "执10号", "执11号"}


# --------------------------------------------------------------------------- county-seven: 建设领域 wages

WAGE = "追索劳动报酬纠纷"
CONSTRUCTION_CASES = {
    "执1号": {"cause": "劳动争议", "respondent": "某市人力资源劳务派遣有限公司"},  # hires out to any trade
    "执2号": {"cause": WAGE, "respondent": "某县劳务派遣服务有限公司"},
    "执3号": {"cause": "劳动合同纠纷", "respondent": "中国建设银行股份有限公司某支行"},  # a bank
    "执4号": {"cause": WAGE, "respondent": "山东宏达建筑劳务有限责任公司"},  # as before
    "执5号": {"cause": WAGE, "respondent": "某县建设劳务派遣有限公司"},  # 建设 in its name
    "执6号": {"cause": WAGE, "respondent": "某劳务有限公司"},  # a labour subcontractor, as before
    "执7号": {"cause": WAGE, "respondent": "张三", "notes": "被执行人系包工头"},  # a foreman owing wages
    "执8号": {"cause": "劳务合同纠纷", "respondent": "李四", "notes": "包工头拖欠劳务费"},
    "执9号": {"cause": "民间借贷纠纷", "respondent": "王五", "notes": "被执行人系包工头"},  # a loan
    "执10号": {"cause": "民间借贷纠纷", "respondent": "赵六", "notes": "包工头欠工钱"},  # the pay is named
    "执11号": {"cause": WAGE, "respondent": "钱七", "notes": "农民工工资"},  # as before
    "执12号": {"cause": WAGE, "respondent": "孙八"},
}


def test_construction_wages_leave_out_agencies_and_banks_and_take_a_foreman():
    assert holding("county-seven", "construction_wages", CONSTRUCTION_CASES) == {
        "执4号", "执5号", "执6号", "执7号", "执8号", "执10号", "执11号"}


# --------------------------------------------------------------------------- the seeds' own extra kinds

MASS_CASES = {
    "执1号": {"notes": "群体性案件"},
    "执2号": {"notes": "执行不力引发群体事件"},
    "执3号": {"notes": "被执行人未到庭，职工集体上访"},  # the next clause names one
    "执4号": {"notes": "涉众型案件"},
    "执5号": {"notes": "社会影响较大"},
    "执6号": {"notes": "敏感案件"},
    "执7号": {"notes": "非群体性案件"},  # denied before the word
    "执8号": {"notes": "无重大影响"},
    "执9号": {"notes": "不属于敏感案件"},
    "执10号": {"notes": "是否群体性案件：否"},  # denied after it
    "执11号": {"notes": "申请执行人系特困群体"},  # a hardship group, not a mass case
    "执12号": {"reason_open": "涉及群体纠纷，需维稳"},
    "执13号": {"notes": "申请人情绪敏感"},  # 敏感 of a person or a time, not of the case
    "执14号": {"notes": "被执行人对拍卖价格敏感"},
    "执15号": {"reason_open": "敏感时期暂缓执行"},
    "执16号": {"notes": "对被执行人信用有重大影响"},  # 重大影响 on something else
    "执17号": {"notes": "有重大影响的案件"},
    "执18号": {"notes": "社会影响重大"},
    "执19号": {"notes": "本案影响重大"},
    "执20号": {"notes": "涉及敏感因素"},
    "执21号": {"notes": "农民工集体讨薪"},  # mass wage claims
    "执22号": {"reason_open": "业主集体维权"},
    "执23号": {"notes": "未发生集体讨薪"},
}


def test_juesheng_2017_takes_mass_and_sensitive_cases_into_key():
    """Seed 003, 第 15 条: 有重大影响以及群体性、敏感性的执行案件 lead the cases key gathers."""
    held = {"执1号", "执2号", "执3号", "执4号", "执5号", "执6号", "执12号",
            "执17号", "执18号", "执19号", "执20号", "执21号", "执22号"}
    assert holding("juesheng-2017", "mass_sensitive", MASS_CASES) == held
    assert holding("juesheng-2017", "key", MASS_CASES) == held


SUPERVISED_CASES = {
    "执1号": {"notes": "政法委挂牌督办"},
    "执2号": {"notes": "挂牌督办案件"},
    "执3号": {"notes": "区政法委督办"},
    "执4号": {"notes": "被执行人下落不明，已被政法委挂牌"},
    "执5号": {"notes": "未挂牌督办"},  # denied before the word
    "执6号": {"notes": "是否挂牌督办：否"},  # denied after it
    "执7号": {"notes": "重点督办"},  # who supervises is not said
    "执8号": {"notes": "政法委协调"},  # no supervision
    "执9号": {"reason_open": "挂牌督办，正在评估拍卖"},
    "执10号": {"notes": "查封房产挂牌拍卖"},  # a bare 挂牌: a property put up for sale
    "执11号": {"notes": "房产已挂牌出售"},
    "执12号": {"reason_open": "土地挂牌交易"},
    "执13号": {"notes": "挂牌公告已发布"},
    "执14号": {"notes": "列为挂牌案件"},
    "执15号": {"notes": "非挂牌案件"},
    "执16号": {"notes": "是否政法委挂牌：否"},
}


def test_campaign_2008_lists_the_cases_its_politics_committee_supervises_beside_the_six_kinds():
    assert holding("campaign-2008", "supervised", SUPERVISED_CASES) == {
        "执1号", "执2号", "执3号", "执4号", "执9号", "执14号"}
    assert holding("campaign-2008", "key", SUPERVISED_CASES) == set()  # beside the six kinds, not among them
