"""The bundled rulesets against the campaign documents they come from: a denied 干预 or 抗拒执行 is none,
党政机关 include the bureaux whose names run on before 局, 2008's 特殊主体 include 党政机关, a hardship
said of 被执行人 is no hardship applicant, and 涉信访 categories say what they count."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest
import yaml

from backlog_cli import rules
from backlog_cli.rules import load_rules

AS_OF = pd.Timestamp("2026-10-31")


@cache
def bundled(name: str) -> rules.Ruleset:
    return load_rules([name])


def mask(ruleset: str, category: str, field: str, values: list[str]) -> dict[str, bool]:
    """Per value of a text field (one case each, classified together), whether the category holds it."""
    frame = pd.DataFrame({field: pd.Series(values, dtype="str")})
    found = bundled(ruleset).classify(frame, AS_OF)["categories"]
    return dict(zip(values, (category in cats for cats in found)))


def expect(cases: list[tuple[str, bool]]) -> dict[str, bool]:
    return dict(cases)


# --------------------------------------------------------------------------- 干预: a denial is none

INTERFERENCE = ["campaign-2008", "county-seven", "juesheng-2017"]
INTERFERE_NOTES = [
    ("无外界干预，被执行人下落不明", False),
    ("未发现干预，被执行人无财产", False),
    ("不存在外界干预", False),
    ("有无干预：无", False),
    ("排除干扰后查控到位", False),
    ("无干预", False),
    ("干预情况：无", False),
    ("外界干预情况：未发现", False),
    ("是否存在干预：否", False),
    ("未受到任何干预", False),
    ("无地方保护主义干预", False),  # 主义 belongs to the denied run, it starts no new word
    ("地方保护主义干预情况：无", False),
    ("未发现有关部门干预", False),
    ("无人说情", False),
    ("受到地方保护主义干预", True),
    ("有关部门干预执行", True),
    ("因外界干扰无法执行", True),
    ("有无干预：有", True),  # 有无 asks the question
    ("无外界干预但受地方保护", True),  # the denial ends, a protection is named after it
    ("无干预，但有领导说情", True),  # the next clause names one
    ("干预情况：有关部门多次说情", True),
    ("被执行人未履行，受当地政府干预", True),  # 未 denies 履行, not 干预
    ("部门保护主义", True),
]


@pytest.mark.parametrize("ruleset", INTERFERENCE)
@pytest.mark.parametrize("field", ["notes", "reason_open"])
def test_a_denied_interference_is_none_and_a_named_one_counts(ruleset, field):
    values = [note for note, _ in INTERFERE_NOTES]
    assert mask(ruleset, "interference", field, values) == expect(INTERFERE_NOTES)


RESIST_NOTES = [
    ("被执行人未抗拒执行，配合执行", False),
    ("未发现被执行人有抗拒执行行为", False),
    ("无暴力抗法、拒执行为", False),
    ("有无抗拒执行：无", False),  # 拒执 inside 抗拒执行 is no second word the colon's 无 leaves alone
    ("是否拒执：否", False),
    ("没有妨害公务", False),
    ("被执行人抗拒执行", True),
    ("被执行人拒不执行，已移送公安", True),
    ("被执行人未到庭，拒不执行", True),
    ("涉嫌拒执罪", True),
    ("暴力抗法", True),
    ("阻碍执行人员查封", True),
]


@pytest.mark.parametrize("field", ["notes", "reason_open"])
def test_a_denied_resistance_is_none_and_a_named_one_counts(field):
    values = [note for note, _ in RESIST_NOTES]
    assert mask("juesheng-2017", "resisting", field, values) == expect(RESIST_NOTES)


# --------------------------------------------------------------------------- 涉党政机关: the bureaux named in full

DANGZHENG = ["sanqingli-2016", "default", "juesheng-2017"]
BUREAUX = ["某县卫生和计划生育局", "某市食品药品监督管理局", "某县经济和信息化局", "某县新闻出版广电局",
           "某县人口和计划生育局", "某县卫生计生局", "某县畜牧兽医局", "某市卫生健康局", "某县乡村振兴局",
           "某市地方金融监督管理局", "某县数据局", "某市民族宗教事务局", "某县物价局", "某县投资促进局", "某市老干部局",
           "某县机构编制委员会办公室", "某县编办", "张三、某县物价局"]
NOT_BUREAUX = ["某县供电局", "某市电业局", "中铁十局集团有限公司", "中铁十局", "某县烟草专卖局", "某县广电网络有限公司",
               "某县物价局培训中心", "张三", "王卫生", "赵广电", "刘物价", "李兽医"]


@pytest.mark.parametrize("ruleset", DANGZHENG)
def test_bureaux_whose_names_run_on_before_ju_are_organs(ruleset):
    assert mask(ruleset, "dangzheng", "respondent", BUREAUX) == {name: True for name in BUREAUX}


@pytest.mark.parametrize("ruleset", DANGZHENG)
def test_enterprises_named_ju_and_people_are_not_organs(ruleset):
    assert mask(ruleset, "dangzheng", "respondent", NOT_BUREAUX) == {name: False for name in NOT_BUREAUX}


# --------------------------------------------------------------------------- 特困: the applicant's hardship only

HARDSHIP = {"campaign-2008": "hardship", "county-seven": "hardship", "sanqingli-2016": "minsheng",
            "default": "minsheng", "juesheng-2017": "minsheng"}
HARDSHIP_NOTES = [
    ("被执行人残疾，无履行能力", False),
    ("被执行人生活困难", False),
    ("被执行人系低保户", False),
    ("因被执行人残疾暂无履行能力", False),
    ("被申请执行人系五保户", False),
    ("申请人称被执行人残疾", False),  # the respondent is the last party named before the word
    ("申请执行人系低保户", True),
    ("申请人残疾", True),
    ("特困户", True),  # no subject: as before
    ("已获司法救助", True),
    ("被执行人下落不明，申请人生活困难", True),  # the next clause speaks of the applicant
    ("被执行人无财产致申请执行人生活困难", True),  # the applicant is named after the respondent
    ("被执行人为残疾人；申请人为低保户", True),
]


@pytest.mark.parametrize("ruleset", HARDSHIP)
def test_a_hardship_said_of_the_respondent_is_no_hardship_applicant(ruleset):
    values = [note for note, _ in HARDSHIP_NOTES]
    assert mask(ruleset, HARDSHIP[ruleset], "notes", values) == expect(HARDSHIP_NOTES)


# --------------------------------------------------------------------------- 2008: 特殊主体 include 党政机关

ORGANS_2008 = ["常州市武进区人民政府", "武进区政法委", "某县公安局", "中国人民解放军73021部队", "某县人民武装部",
               "某县卫生和计划生育局", "某县编办", "某县人民法院"]
NOT_SPECIAL = ["张三", "王国有", "常州市武进区人民政府采购服务中心", "某县公安局印刷厂", "某某商贸有限公司"]


def test_campaign_2008_counts_organs_as_special_subjects():
    assert mask("campaign-2008", "special_subject", "respondent", ORGANS_2008) == {n: True for n in ORGANS_2008}
    assert mask("campaign-2008", "key", "respondent", ORGANS_2008) == {n: True for n in ORGANS_2008}
    assert mask("campaign-2008", "special_subject", "respondent", NOT_SPECIAL) == {n: False for n in NOT_SPECIAL}
    # the village body and the state-owned company are special subjects as before
    assert mask("campaign-2008", "special_subject", "respondent", ["某村民委员会", "某县国有资产经营有限公司"]) == {
        "某村民委员会": True, "某县国有资产经营有限公司": True}


@pytest.mark.parametrize("ruleset", ["default", "juesheng-2017"])
def test_default_and_its_heirs_keep_organs_apart_from_special_subjects(ruleset):
    assert mask(ruleset, "special_subject", "respondent", ORGANS_2008) == {n: False for n in ORGANS_2008}
    assert mask(ruleset, "dangzheng", "respondent", ORGANS_2008) == {n: True for n in ORGANS_2008}


def test_campaign_2008_reads_organs_as_sanqingli_2016_does():
    """The 党政机关 pattern is copied, not shared: the copy must stay the same as the original."""
    def patterns(name: str, category: str) -> list[str]:
        data = yaml.safe_load((rules.bundled_rules_dir() / f"{name}.yaml").read_text(encoding="utf-8"))
        when = next(c for c in data["categories"] if c["id"] == category)["when"]
        return [leaf["matches"] for leaf in when.get("any", [when]) if "matches" in leaf]

    assert patterns("sanqingli-2016", "dangzheng")[0] == patterns("campaign-2008", "special_subject")[1]


# --------------------------------------------------------------------------- 重复信访 / 多次上访: what is counted

REPEAT = {"county-seven": ("repeated_petition", "涉诉信访（含当事人多次上访）", "当事人多次上访的案件"),
          "campaign-2008": ("repeat_petition", "涉执行信访（含重复信访）", "因未能执行或执行不当引发的重复信访案件")}


@pytest.mark.parametrize("ruleset", REPEAT)
def test_the_petition_kind_says_it_counts_every_petition_case(ruleset):
    category_id, label, seed_words = REPEAT[ruleset]
    category = bundled(ruleset).category(category_id)
    assert category.label == label
    assert f'"{seed_words}"' in category.source
    assert category.description.startswith("全部涉")
    # one petition, flagged or written, counts as the label says; so does a repeated one
    frame = pd.DataFrame({"notes": pd.Series([None, "信访件", "多次上访", None, "无信访"], dtype="str"),
                          "petition": pd.array([True, pd.NA, pd.NA, False, pd.NA], dtype="boolean")})
    found = bundled(ruleset).classify(frame, AS_OF)["categories"]
    assert [category_id in cats for cats in found] == [True, True, True, False, False]
