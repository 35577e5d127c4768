"""Deterministic sample ledgers (台帐) of enforcement cases, for demos and tests.

``generate`` builds the sheets of a workbook as a clerk would have typed them; ``write_sample``
writes them to .xlsx or .csv and is what ``backlog sample`` calls. Every random choice comes from
``random.Random(seed).random()``, whose sequence Python keeps stable across versions, and columns
are built in bulk with numpy, so a million rows take seconds and the same arguments always give
the same bytes. The data are invented; names of places and organisations are fictitious.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import chain, repeat, starmap
from pathlib import Path

import numpy as np
import xlsxwriter

from .errors import ConfigError
from .outputs import atomic_write

DEFAULT_AS_OF = date(2026, 11, 23)
COURT_CODE = "鲁0902"
OLD_COURT_CODE = "泰"
COURT_NAME = "××区人民法院"
HEADER = [
    "序号", "案号", "立案日期", "申请执行人", "被执行人", "案由", "执行标的（元）", "承办人",
    "执行团队", "案件状态", "结案日期", "结案方式", "是否涉信访", "执行依据文号", "中止日期",
    "恢复日期", "未结原因", "下一步打算", "预计结案时间", "备注",
]
NOTES_SHEET = "填表说明"
NOTES_LINES = [
    "填表说明",
    "1. 本台帐按立案年度分表登记，往年旧存未结案件一并登记在最早年度表内。",
    "2. 案号按立案年度、法院代字、类型代字和序号填写，如（2026）鲁0902执123号。",
    "3. 立案日期、结案日期按“年-月-日”填写；执行标的以元为单位。",
    "4. 案件状态填写：在办、执行中、中止、已结、终本。",
    "5. 结案方式填写：执行完毕、终结本次执行程序、终结执行、销案、不予执行、驳回申请。",
    "6. 是否涉信访填写“是”或“否”。未结案件逐案填写未结原因、下一步打算和预计结案时间。",
    "7. 每月28日前报执行局综合组。",
]
BAD_CASE_NO = "暂无案号"
BAD_FILED_ON = "待补"
MIN_ROWS_FOR_BAD = 20
MAX_XLSX_ROWS = 1_000_000
MAX_FIRST_NUMBER = 1_000_000
COMMITTED = {
    "ledger.xlsx": {"rows": 300, "seed": 1, "as_of": DEFAULT_AS_OF},
    "ledger.csv": {"rows": 120, "seed": 2, "as_of": DEFAULT_AS_OF, "encoding": "gbk", "first_number": 1001},
}
"""Arguments that reproduce the committed files in samples/. The CSV's case numbers are counted
from 1001, so that the two read together (``backlog classify samples/``) share no case number."""


@dataclass
class SheetData:
    """One worksheet: a merged title (None for none), the header and the rows below it.

    ``subtitle`` is the line between title and header (blank when None). The notes sheet has
    no title and no header; its rows are single-cell lines.
    """

    name: str
    title: str | None
    header: list[str]
    rows: list[list]
    subtitle: str | None = None


# ---------------------------------------------------------------------------------------------
# vocabularies (fictitious places and organisations)

SURNAMES = list("王张李刘陈杨赵孙周吴徐马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田萧董袁潘于蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史")
GIVEN = list("建国华明军伟芳娜秀英敏静丽强磊洋艳勇杰娟涛超霞平刚桂兰玉红波斌辉宇鹏飞海峰亮文志新春梅林云凤玲庆德顺成福贵荣山东学保来金永树立全长胜兴利萍燕婷雪琳晶慧")
PLACES = ["东岳市", "汶河县", "岱北县", "东岳市泰东区", "山东"]
BRANDS = list("鑫源 华泰 宏达 恒信 金鼎 瑞丰 隆盛 永昌 汇通 中联 天元 顺发 佳和 德润 盛世 博远 鸿运 新科 泰和 安康 富民 兴业 嘉禾 正阳".split())
TRADES = "商贸 机械制造 物流 餐饮管理 建材 农业科技 化工 纺织 汽车销售 物业管理 电子科技 食品".split()
BUILD_TRADES = "建筑工程 建筑劳务 装饰工程 房地产开发 置业 市政工程".split()
COMPANY_FORMS = (["有限公司", "有限责任公司", "股份有限公司"], [0.78, 0.16, 0.06])
TOWNS = "青石镇 龙泉镇 石桥镇 汶南镇 岱西镇 北集镇".split()
VILLAGES = "东王庄 西李家 南关 后河 前屯 大柳 小山口 杨家峪 石门 黄家洼".split()
SOES = [
    "东岳市国有资产经营有限公司", "汶河县国有资产经营有限公司", "东岳市建设投资集团有限公司(国有)",
    "汶河县城市建设投资集团有限公司", "岱北县交通投资发展集团有限公司", "东岳市水务集团有限公司（国有）",
]
ORGANS = [
    "东岳市泰东区南湖街道办事处", "汶河县青石镇人民政府", "汶河县公安局", "中共汶河县龙泉镇委员会",
    "岱北县人民法院", "汶河县住房和城乡建设局", "东岳市泰东区人民政府", "汶河县人民代表大会常务委员会",
]
HOSPITALS = ["东岳市人民医院", "汶河县中医医院", "岱北县第二人民医院", "汶河县青石镇卫生院"]
BANKS = [
    "中国农业银行股份有限公司东岳分行", "东岳农村商业银行股份有限公司", "汶河县农村信用合作联社",
    "中国邮政储蓄银行股份有限公司汶河县支行", "东岳市恒信小额贷款有限公司",
]
AGENCIES = [
    "汶河县自然资源和规划局", "东岳市生态环境局汶河分局", "汶河县人力资源和社会保障局",
    "汶河县市场监督管理局", "汶河县医疗保障局",
]
OFFICERS = "王磊 张建华 李明远 刘晓东 陈静 赵国庆 孙立新 周海燕 吴志强 郑春梅 马骏 朱永平 胡晓丽 郭振华 高峰".split()
CASE_TYPES = ["执", "执恢", "执保", "执异"]
TEAMS = ["执行一组", "执行二组", "执行三组"]
CLOSE_METHODS = ["执行完毕", "终结本次执行程序", "终结执行", "销案", "不予执行", "驳回申请"]
REASONS = [
    "被执行人下落不明", "被执行人暂无财产可供执行", "已查封被执行人房产，正在评估拍卖",
    "被执行人账户已冻结，余额不足", "双方正在协商和解，被执行人分期履行", "案外人异议审查中",
    "被执行人经营困难，已停产", "被执行人正在服刑", "需协调相关部门协助执行",
]
NEXT_STEPS = [
    "继续网络查控，查找财产线索", "对被执行人采取司法拘留措施", "移送公安机关追究拒执罪",
    "组织终本材料，报评查组评查", "督促被执行人按和解协议履行", "启动网络司法拍卖",
    "纳入失信被执行人名单并限制高消费", "提请党委政府协调解决", "悬赏执行，公告查找被执行人",
]
SUSPEND_REASONS = ["中止执行（被执行人进入破产程序）", "中止执行（案外人异议审查中）"]
NOTES = [
    "申请执行人系低保户", "申请执行人生活困难", "重点督办", "院领导包案", "已纳入失信名单",
    "已限制高消费", "受外界干扰", "人大代表关注",
]

# kinds of party
PERSON, GROUP, COMPANY, BANK, AGENCY, VILLAGE, SOE, ORGAN, HOSPITAL, PERSON_CO = range(10)

# cause, weight, amount range (元), applicant kinds, respondent kinds, construction trade
CAUSES = [
    ("民间借贷纠纷", 24, 5e3, 2e6, {PERSON: 9, COMPANY: 1}, {PERSON: 80, COMPANY: 19, VILLAGE: 1}),
    ("买卖合同纠纷", 13, 3e3, 3e6, {COMPANY: 6, PERSON: 4},
     {COMPANY: 60, PERSON: 34, VILLAGE: 2, SOE: 2, ORGAN: 2}),
    ("金融借款合同纠纷", 10, 2e4, 5e6, {BANK: 1}, {PERSON: 6, COMPANY: 4}),
    ("追索劳动报酬纠纷", 7, 2e3, 6e5, {PERSON: 55, GROUP: 45},
     {COMPANY: 75, PERSON: 20, SOE: 3, VILLAGE: 2}),
    ("劳动争议", 4, 3e3, 2e5, {PERSON: 9, GROUP: 1}, {COMPANY: 90, SOE: 5, HOSPITAL: 5}),
    ("建设工程施工合同纠纷", 5, 5e4, 6e6, {COMPANY: 6, PERSON: 4},
     {COMPANY: 55, SOE: 15, VILLAGE: 12, ORGAN: 15, PERSON: 3}),
    ("建设工程分包合同纠纷", 2, 3e4, 2e6, {COMPANY: 5, PERSON: 3, GROUP: 2}, {COMPANY: 9, SOE: 1}),
    ("机动车交通事故责任纠纷", 8, 8e3, 9e5, {PERSON: 1}, {PERSON: 6, PERSON_CO: 3, COMPANY: 1}),
    ("赡养纠纷", 1.5, 1.2e3, 3.6e4, {PERSON: 1}, {PERSON: 1}),
    ("抚养费纠纷", 2, 3e3, 8e4, {PERSON: 1}, {PERSON: 1}),
    ("扶养纠纷", 0.7, 2e3, 3e4, {PERSON: 1}, {PERSON: 1}),
    ("医疗损害责任纠纷", 1, 2e4, 6e5, {PERSON: 1}, {HOSPITAL: 1}),
    ("工伤保险待遇纠纷", 1.5, 2e4, 7e5, {PERSON: 1}, {COMPANY: 90, SOE: 5, VILLAGE: 5}),
    ("租赁合同纠纷", 5, 3e3, 8e5, {PERSON: 5, COMPANY: 3, VILLAGE: 2},
     {PERSON: 40, COMPANY: 45, VILLAGE: 8, ORGAN: 7}),
    ("离婚纠纷", 3, 5e3, 6e5, {PERSON: 1}, {PERSON: 1}),
    ("追索抚恤金纠纷", 0.5, 1e4, 2.5e5, {PERSON: 1}, {COMPANY: 6, PERSON: 4}),
    ("非诉行政执行", 2, 3e2, 2e5, {AGENCY: 1}, {COMPANY: 7, PERSON: 3}),
]
BUILD_CAUSES = {"追索劳动报酬纠纷", "建设工程施工合同纠纷", "建设工程分包合同纠纷", "工伤保险待遇纠纷"}
LABOUR_CAUSES = {"追索劳动报酬纠纷", "劳动争议"}

# value forms (messy only): date cell, serial, 2016年3月5日, 2016.03.05, 2016-3-5, 2016/3/5, 20160305
DATE_FORM_WEIGHTS = [0.79, 0.05, 0.04, 0.03, 0.03, 0.03, 0.03]
# amount: number, 125,000.00, 12.5万元, 3000元
AMOUNT_FORM_WEIGHTS = [0.80, 0.09, 0.06, 0.05]
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")


# ---------------------------------------------------------------------------------------------
# random draws and bulk text


class _Dice:
    """Bulk uniform draws for ``n`` rows from ``random.Random(seed).random``."""

    def __init__(self, seed: int, n: int):
        self._random = random.Random(seed).random
        self.n = n

    def u(self) -> np.ndarray:
        return np.fromiter(starmap(self._random, repeat((), self.n)), dtype=float, count=self.n)

    def index(self, weights) -> np.ndarray:
        return _weighted(self.u(), weights)

    def pick(self, values, weights) -> np.ndarray:
        return np.array(values, dtype=object)[self.index(weights)]


def _weighted(u: np.ndarray, weights) -> np.ndarray:
    """Indexes into ``weights`` chosen by the uniforms ``u``."""
    cum = np.cumsum(np.asarray(weights, dtype=float))
    return np.minimum(np.searchsorted(cum / cum[-1], u, side="right"), len(cum) - 1)


def _sub(u: np.ndarray, k: int) -> np.ndarray:
    """A second, nearly independent uniform from the low digits of ``u``."""
    return (u * k) % 1.0


def _take(values, u: np.ndarray) -> np.ndarray:
    values = np.array(values, dtype=object)
    return values[np.minimum((u * len(values)).astype(np.int64), len(values) - 1)]


def _text(a: np.ndarray, width: int = 0) -> np.ndarray:
    """Integers or days as text (zero-padded to ``width``), through a table of the values' range
    when that range is small."""
    if not len(a):
        return np.empty(0, dtype=object)
    low = a.min()
    offset = (a - low).astype(np.int64)
    if offset.max() > 2 * len(a) + 10_000:
        table, offset = a, slice(None)
    else:
        table = low + np.arange(offset.max() + 1)
    table = table.astype(str)
    if width:
        table = np.char.zfill(table, width)
    return table.astype(object)[offset]


def _general(x: np.ndarray) -> np.ndarray:
    """Numbers as Excel's General format shows them: 125000, 1234.5."""
    out = np.empty(len(x), dtype=object)
    whole = x == np.round(x)
    out[whole] = _text(x[whole].astype(np.int64))
    out[~whole] = [f"{v:.2f}".rstrip("0") for v in x[~whole]]
    return out


# ---------------------------------------------------------------------------------------------
# parties


def _person(u1, u2, u3) -> np.ndarray:
    surname = np.array(SURNAMES, dtype=object)[_weighted(u1, 1.0 / (np.arange(len(SURNAMES)) + 4.0))]
    second = np.where(u3 < 0.7, _take(GIVEN, u3 / 0.7), "")
    return surname + _take(GIVEN, u2) + second


def _company(u1, u2, u3, build: np.ndarray) -> np.ndarray:
    trade = np.where(build, _take(BUILD_TRADES, u3), _take(TRADES, u3))
    form = np.array(COMPANY_FORMS[0], dtype=object)[_weighted(_sub(u1, 89), COMPANY_FORMS[1])]
    return _take(PLACES, u1) + _take(BRANDS, u2) + trade + form


def _party(kind, u1, u2, u3, u4, build) -> np.ndarray:
    """Party names of the given kinds, all from the same four uniforms per row."""
    out = np.full(len(kind), None, dtype=object)
    lists = {BANK: BANKS, AGENCY: AGENCIES, SOE: SOES, ORGAN: ORGANS, HOSPITAL: HOSPITALS}
    for k in np.unique(kind):
        m = kind == k
        a, b, c, d = u1[m], u2[m], u3[m], u4[m]
        if k == PERSON:
            v = _person(a, b, c)
        elif k == GROUP:
            workers = np.where(_sub(d, 97) < 0.6, "名农民工", "人")
            v = _person(a, b, c) + "等" + _text(3 + (d * 38).astype(np.int64)) + workers
        elif k == COMPANY:
            v = _company(a, b, c, build[m])
        elif k == PERSON_CO:
            v = _person(a, b, c) + "、" + _company(d, _sub(d, 97), _sub(d, 89), np.zeros(len(d), bool))
        elif k == VILLAGE:
            v = _take(["汶河县", "岱北县"], d) + _take(TOWNS, a) + _take(VILLAGES, b) + "村民委员会"
        else:
            v = _take(lists[k], a)
        out[m] = v
    return out


def _kinds(cause: np.ndarray, u: np.ndarray, column: int) -> np.ndarray:
    """Applicant (column 4) or respondent (column 5) kinds, drawn per cause."""
    kind = np.zeros(len(cause), dtype=np.int64)
    for i, spec in enumerate(CAUSES):
        m = cause == i
        table = spec[column]
        kind[m] = np.array(list(table))[_weighted(u[m], list(table.values()))]
    return kind


# ---------------------------------------------------------------------------------------------
# the cases (canonical values, sorted by filing date)


def _days(d: date) -> np.datetime64:
    return np.datetime64(d, "D")


def _weekday(days: np.ndarray) -> np.ndarray:
    return (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0


def _filing(d: _Dice, as_of: date) -> np.ndarray:
    """Sorted filing dates on workdays: the three years before ``as_of``, recent ones commoner;
    3% in 2014-2015."""
    end = _days(as_of)
    age = 1 + (d.u() ** 1.6 * 1094).astype(np.int64)
    u = d.u()
    old = np.minimum(_days(date(2014, 1, 2)) + (u / 0.03 * 727).astype("timedelta64[D]"), end - np.timedelta64(1, "D"))
    filed = np.where(u < 0.03, old, end - age.astype("timedelta64[D]")).astype("datetime64[D]")
    weekday = _weekday(filed)
    filed = filed - np.where(weekday == 5, 1, np.where(weekday == 6, 2, 0)).astype("timedelta64[D]")
    return np.sort(filed)


def _case_numbers(d: _Dice, filed, first_number: int) -> dict[str, np.ndarray]:
    """Type, year and a per-year, per-type sequence that grows with the filing date, counted
    from ``first_number`` on (1 for the court's own ledger; higher for a second ledger whose
    numbers must not meet the first's).

    Cases filed before 2016 carry the old form, type 执 only.
    """
    year = filed.astype("datetime64[Y]").astype(np.int64) + 1970
    old = year < 2016
    code = np.where(old, 0, d.index([0.80, 0.09, 0.07, 0.04]))
    gap = 1 + (d.u() ** 2 * 12).astype(np.int64)
    order = np.lexsort((np.arange(len(year)), code, year))
    key = year[order] * 10 + code[order]
    cum = np.cumsum(gap[order])
    starts = np.r_[True, key[1:] != key[:-1]]
    before = np.maximum.accumulate(np.where(starts, cum - gap[order], 0))
    seq = np.empty(len(gap), dtype=np.int64)
    seq[order] = cum - before + (first_number - 1)
    return {"type": np.array(CASE_TYPES, dtype=object)[code], "year": year, "seq": seq, "old": old}


def _closing(d: _Dice, filed, as_of: date, ctype) -> dict[str, np.ndarray]:
    """Close date and method for about 45% of cases: after filing, never after ``as_of``.

    终本 comes at least 91 days after filing; 执保 cases end 执行完毕 or 销案, 执异 驳回申请 or 销案.
    """
    end = _days(as_of)
    age = (end - filed).astype(np.int64)
    closed = d.u() < 0.10 + 0.56 * np.minimum(age / 540, 1)
    method = d.index([0.36, 0.44, 0.08, 0.04, 0.04, 0.04])
    w = d.u() ** 1.8
    method = np.where((method == 1) & (age < 92), 0, method)
    method = np.where(ctype == "执保", np.where(method == 3, 3, 0), method)
    method = np.where(ctype == "执异", np.where(method == 3, 3, 5), method)
    offset = np.where(method == 1, 91 + ((age - 91) * w).astype(np.int64), 1 + ((age - 1) * w).astype(np.int64))
    day = filed + offset.astype("timedelta64[D]")
    weekday = _weekday(day)
    day = np.minimum(day + np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0)).astype("timedelta64[D]"), end)
    return {
        "closed_on": np.where(closed, day, np.datetime64("NaT", "D")).astype("datetime64[D]"),
        "method": np.where(closed, np.array(CLOSE_METHODS, dtype=object)[method], None),
    }


def _suspension(d: _Dice, filed, closed_on, as_of: date) -> dict[str, np.ndarray]:
    """About 8% of open cases older than two months were suspended; 40% of those resumed."""
    end = _days(as_of)
    age = (end - filed).astype(np.int64)
    u, v = d.u(), d.u()
    suspended = np.isnat(closed_on) & (age > 60) & (u < 0.08)
    s_day = filed + (30 + (age - 30) * _sub(u, 211) * 0.8).astype(np.int64).astype("timedelta64[D]")
    r_day = s_day + (1 + (end - s_day).astype(np.int64) * _sub(v, 223) * 0.9).astype(np.int64).astype("timedelta64[D]")
    nat = np.datetime64("NaT", "D")
    return {
        "suspended_on": np.where(suspended, s_day, nat).astype("datetime64[D]"),
        "resumed_on": np.where(suspended & (v < 0.4), np.minimum(r_day, end), nat).astype("datetime64[D]"),
    }


def _amounts(d: _Dice, cause) -> tuple[np.ndarray, np.ndarray]:
    """Amounts log-uniform per cause, rounded as clerks round them, 2% blank; and their form.

    Forms: 0 number, 1 ``125,000.00``, 2 ``12.5万元`` (whole hundreds, from 10,000), 3 ``3000元``
    (whole yuan).
    """
    lo = np.array([c[2] for c in CAUSES])[cause]
    hi = np.array([c[3] for c in CAUSES])[cause]
    amount = np.exp(np.log(lo) + d.u() * (np.log(hi) - np.log(lo)))
    u = d.u()
    form = d.index(AMOUNT_FORM_WEIGHTS)
    form = np.where((form == 2) & (amount < 10_000), 0, form)
    hundreds = (u < 0.5) | (form == 2)
    whole = (u < 0.8) | (form == 3)
    amount = np.where(hundreds, np.round(amount, -2), np.where(whole, np.round(amount), np.round(amount, 2)))
    return np.where(d.u() < 0.02, np.nan, amount), form


def _basis(d: _Dice, cause_name, year) -> np.ndarray:
    """执行依据文号: judgments; arbitral awards for half the labour cases; 行审 for 非诉 cases."""
    u, v = d.u(), d.u()
    full = _sub(v, 97) < 0.6
    left, right = np.where(full, "（", "("), np.where(full, "）", ")")
    court = np.where(u < 0.15, "鲁09民终", np.where(u < 0.22, COURT_CODE + "民特", COURT_CODE + "民初"))
    by = _text(np.where(_sub(u, 101) < 0.45, year, year - 1))
    doc = left + by + right + court + _text(1 + (v * 3000).astype(np.int64)) + "号"
    award = np.isin(cause_name, list(LABOUR_CAUSES)) & (_sub(u, 89) < 0.5)
    doc[award] = "东劳人仲案〔" + by[award] + "〕" + _text(1 + (v[award] * 400).astype(np.int64)) + "号"
    review = cause_name == "非诉行政执行"
    number = _text(1 + (v[review] * 200).astype(np.int64))
    doc[review] = left[review] + _text(year[review]) + right[review] + COURT_CODE + "行审" + number + "号"
    return np.where(_sub(u, 113) < 0.08, None, doc)


def _status(d: _Dice, c) -> np.ndarray:
    """在办/执行中 for open cases, 中止 while suspended, 终本 or 已结 for closed ones."""
    u = d.u()
    status = np.where(u < 0.55, "在办", "执行中").astype(object)
    status[~np.isnat(c["suspended_on"]) & np.isnat(c["resumed_on"])] = "中止"
    closed_status = np.where((c["method"] == "终结本次执行程序") & (u < 0.7), "终本", "已结")
    return np.where(np.isnat(c["closed_on"]), status, closed_status).astype(object)


def _open_notes(d: _Dice, c, as_of: date) -> dict[str, np.ndarray]:
    """Reason, next step and expected close date for 60% of open cases older than 3 months."""
    end = _days(as_of)
    u, v = d.u(), d.u()
    age = (end - c["filed_on"]).astype(np.int64)
    filled = np.isnat(c["closed_on"]) & (age > 90) & (u < 0.6)
    halted = c["status"] == "中止"
    reason = np.where(halted, _take(SUSPEND_REASONS, v), _take(REASONS, v))
    step = np.where(halted, "待中止事由消除后恢复执行", _take(NEXT_STEPS, _sub(v, 97)))
    expected = end + (10 + _sub(u, 101) * 110).astype(np.int64).astype("timedelta64[D]")
    return {
        "reason": np.where(filled, reason, None),
        "next_step": np.where(filled, step, None),
        "expected": np.where(filled, expected, np.datetime64("NaT", "D")).astype("datetime64[D]"),
    }


def _notes(d: _Dice, c) -> np.ndarray:
    """备注: 农民工工资 for worker groups, 多次上访 for petitions, otherwise 8% a common remark."""
    u = d.u()
    notes = np.where(u < 0.08, _take(NOTES, u / 0.08), None)
    notes = np.where(c["petition"] == "是", np.where(u < 0.5, "多次上访", "重复信访"), notes)
    return np.where(c["applicant_kind"] == GROUP, "农民工工资", notes)


def _cases(n: int, seed: int, as_of: date, first_number: int = 1) -> dict[str, np.ndarray]:
    """``n`` distinct cases sorted by filing date. The draw order is part of the output: keep it."""
    d = _Dice(seed, n)
    filed = _filing(d, as_of)
    c: dict[str, np.ndarray] = {"filed_on": filed} | _case_numbers(d, filed, first_number)
    cause = d.index([x[1] for x in CAUSES])
    c["cause"] = np.array([x[0] for x in CAUSES], dtype=object)[cause]
    build = np.isin(c["cause"], list(BUILD_CAUSES))
    for role, column in (("applicant", 4), ("respondent", 5)):
        c[role + "_kind"] = _kinds(cause, d.u(), column)
        c[role] = _party(c[role + "_kind"], d.u(), d.u(), d.u(), d.u(), build)
    c["amount"], c["amount_form"] = _amounts(d, cause)
    officer = d.index(1.0 / (np.arange(len(OFFICERS)) + 6.0))
    c["officer"] = np.where(d.u() < 0.02, None, np.array(OFFICERS, dtype=object)[officer])
    c["team"] = np.array(TEAMS, dtype=object)[officer // 5]
    c |= _closing(d, filed, as_of, c["type"])
    c |= _suspension(d, filed, c["closed_on"], as_of)
    c["status"] = _status(d, c)
    c["petition"] = d.pick(["是", "否", None], [0.03, 0.60, 0.37])
    c["basis"] = _basis(d, c["cause"], c["year"])
    c |= _open_notes(d, c, as_of)
    c["notes"] = _notes(d, c)
    for name in ("case_no", "filed_on", "closed_on", "officer", "petition", "expected"):
        c[name + "_form"] = d.u()
    return c


# ---------------------------------------------------------------------------------------------
# how the clerk wrote the values


def _date_forms(days: np.ndarray) -> list[np.ndarray]:
    """Five typed text forms of each date: 2016年3月5日, 2016.03.05, 2016-3-5, 2016/3/5, 20160305."""
    y = _text(days.astype("datetime64[Y]").astype(np.int64) + 1970)
    month = days.astype("datetime64[M]")
    m_num = month.astype(np.int64) % 12 + 1
    d_num = (days - month.astype("datetime64[D]")).astype(np.int64) + 1
    m, dd, m2, d2 = _text(m_num), _text(d_num), _text(m_num, 2), _text(d_num, 2)
    return [
        y + "年" + m + "月" + dd + "日",
        y + "." + m2 + "." + d2,
        y + "-" + m + "-" + dd,
        y + "/" + m + "/" + dd,
        y + m2 + d2,
    ]


def _date_cells(days: np.ndarray, form: np.ndarray, text: bool) -> np.ndarray:
    """Form 0 date cells (ISO text in CSV), 1 Excel serial numbers, 2-6 typed text (_date_forms)."""
    out = np.full(len(days), None, dtype=object)
    ok = ~np.isnat(days)
    if not ok.any():
        return out
    low = days[ok].min()
    span = low + np.arange((days[ok].max() - low).astype(np.int64) + 1)
    offset = (days - low).astype(np.int64)
    cell = ok & (form == 0)
    out[cell] = _text(days[cell]) if text else days[cell].astype(object)
    serial = ok & (form == 1)
    out[serial] = (_text if text else lambda a: a.astype(object))((days[serial] - EXCEL_EPOCH).astype(np.int64))
    for f, table in enumerate(_date_forms(span), start=2):
        m = ok & (form == f)
        out[m] = table[offset[m]]
    return out


def _amount_cells(amount: np.ndarray, form: np.ndarray, text: bool) -> np.ndarray:
    """Form 0 numbers, 1 ``125,000.00``, 2 ``12.5万元``, 3 ``3000元``."""
    out = np.full(len(amount), None, dtype=object)
    ok = ~np.isnan(amount)
    number = ok & (form == 0)
    out[number] = _general(amount[number]) if text else amount[number].astype(object)
    comma = ok & (form == 1)
    out[comma] = [f"{v:,.2f}" for v in amount[comma]]
    wan = ok & (form == 2)
    out[wan] = _general(amount[wan] / 10000) + "万元"
    yuan = ok & (form == 3)
    out[yuan] = _text(amount[yuan].astype(np.int64)) + "元"
    return out


def _case_no_cells(c, u: np.ndarray, messy: bool) -> np.ndarray:
    """（）, () or 〔〕 brackets, 4% with a stray space when messy; the old form before 2016."""
    bracket = _weighted(u, [0.55, 0.30, 0.15]) if messy else np.ones(len(u), dtype=np.int64)
    space = (_sub(u, 97) < 0.04) & messy
    where = (_sub(u, 89) * 4).astype(np.int64)
    left = np.array(["（", "(", "〔"], dtype=object)[bracket]
    right = np.array(["）", ")", "〕"], dtype=object)[bracket]
    right[space & (where == 0)] += " "
    court = np.where(c["old"], OLD_COURT_CODE + "执字第", COURT_CODE + c["type"])
    seq = np.where(c["old"], _text(c["seq"], 5), _text(c["seq"]))
    seq[space & (where == 1)] = " " + seq[space & (where == 1)]
    number = left + _text(c["year"]) + right + court + seq + "号"
    number[space & (where == 2)] += " "
    number[space & (where == 3)] = " " + number[space & (where == 3)]
    return number


def _officer_cells(c, messy: bool) -> np.ndarray:
    """One officer is sometimes typed 王　磊 (full-width space) or with a trailing space."""
    officer = c["officer"].copy()
    if messy:
        wang, u = officer == OFFICERS[0], c["officer_form"]
        officer[wang & (u < 0.3)] = "王　磊"
        officer[wang & (u >= 0.3) & (u < 0.4)] = "王磊 "
    return officer


def _petition_cells(c, messy: bool) -> np.ndarray:
    """是/否/blank, and when messy also 有/无."""
    petition = c["petition"].copy()
    if messy:
        u = c["petition_form"]
        petition[(petition == "否") & (u < 0.08)] = "无"
        petition[(petition == "是") & (u < 0.3)] = "有"
    return petition


def _display(c, messy: bool, text: bool) -> list[np.ndarray]:
    """The ledger columns after 序号 as a clerk typed them; None for a blank cell."""

    def form(name, weights):
        f = _weighted(c[name + "_form"], weights)
        return f if messy else np.zeros_like(f)

    zero = np.zeros(len(c["filed_on"]), dtype=np.int64)
    expected = _date_cells(c["expected"], form("expected", [0.85, 0, 0.15]), text)
    expected[(c["expected_form"] > 0.95) & ~np.isnat(c["expected"]) & messy] = "年底前"
    return [
        _case_no_cells(c, c["case_no_form"], messy),
        _date_cells(c["filed_on"], form("filed_on", DATE_FORM_WEIGHTS), text),
        c["applicant"], c["respondent"], c["cause"],
        _amount_cells(c["amount"], c["amount_form"] if messy else zero, text),
        _officer_cells(c, messy), c["team"], c["status"],
        _date_cells(c["closed_on"], form("closed_on", DATE_FORM_WEIGHTS), text),
        c["method"], _petition_cells(c, messy), c["basis"],
        _date_cells(c["suspended_on"], zero, text), _date_cells(c["resumed_on"], zero, text),
        c["reason"], c["next_step"], expected, c["notes"],
    ]


# ---------------------------------------------------------------------------------------------
# layout: sheets, deliberate mistakes, blank, repeated header and 合计 rows


def _plant_mistakes(columns: list[np.ndarray], amount, year) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """No filing date, an unreadable one, an unreadable case number, and a duplicate row.

    They sit at 15%, 35%, 55% and 75% of the cases in filing order; the duplicate is a copy of
    the 15% row placed five rows after it.
    """
    n = len(amount)
    dup, no_date, bad_date, bad_no = (int(n * f) for f in (0.15, 0.35, 0.55, 0.75))
    case_no, filed = columns[0].copy(), columns[1].copy()
    filed[no_date], filed[bad_date], case_no[bad_no] = None, BAD_FILED_ON, BAD_CASE_NO
    columns = [case_no, filed, *columns[2:]]
    at = dup + 5
    return [np.insert(col, at, col[dup]) for col in columns], np.insert(amount, at, amount[dup]), np.insert(year, at, year[dup])


def _segments(columns: list[np.ndarray], amount, messy: bool, special: bool, text: bool) -> list:
    """The rows of one sheet as segments (zipped column slices and single rows).

    When messy: in the ``special`` sheet a blank row a third of the way down and the header
    again halfway; a 合计 row at the end of every sheet.
    """
    n = len(amount)
    columns = [np.arange(1, n + 1).astype(object), *columns]

    def cases(start, stop):
        return zip(*(col[start:stop].tolist() for col in columns))

    if not messy:
        return [cases(0, n)]
    segments = [cases(0, n)]
    if special and n >= 3:
        third, half = n // 3, n // 2
        segments = [cases(0, third), [[None] * len(HEADER)], cases(third, half), [list(HEADER)], cases(half, n)]
    total = [None] * len(HEADER)
    total[0], total[1] = "合计", f"共{n}件"
    total[6] = round(float(np.nansum(amount)), 2)
    if text:
        total[6] = _general(np.array([total[6]]))[0]
    return [*segments, [total]]


def _title(year: int, earliest: bool) -> str:
    return f"{COURT_NAME}执行积案台帐（{year}年{'及以前' if earliest else ''}）"


def _sheets(
    rows: int, seed: int, as_of: date, messy: bool, single: bool, text: bool, first_number: int = 1
) -> list[tuple[str, str | None, str | None, list]]:
    """(name, title, subtitle, segments) per ledger sheet: one per filing year for the last two
    years, older cases in the first; or, ``single``, one sheet with every case (the CSV)."""
    if rows < 1:
        raise ConfigError(f"--rows must be at least 1: got {rows}")
    if not 1 <= first_number <= MAX_FIRST_NUMBER:
        raise ConfigError(f"--first-number must be from 1 to {MAX_FIRST_NUMBER:,}: got {first_number}")
    bad = messy and rows >= MIN_ROWS_FOR_BAD
    c = _cases(rows - 1 if bad else rows, seed, as_of, first_number)
    columns, amount, year = _display(c, messy, text), c["amount"], c["year"]
    if bad:
        columns, amount, year = _plant_mistakes(columns, amount, year)
    if single:
        return [("台帐", None, None, _segments(columns, amount, messy, True, text))]
    current = year == as_of.year
    masks = [~current, current]
    biggest = 0 if masks[0].sum() >= masks[1].sum() else 1
    stamp = f"填报单位：执行局综合组　　统计截止：{as_of.year}年{as_of.month}月{as_of.day}日"
    return [
        (
            f"{sheet_year}年",
            _title(sheet_year, i == 0),
            None if i == 0 else stamp,
            _segments([col[m] for col in columns], amount[m], messy, i == biggest, text),
        )
        for i, (sheet_year, m) in enumerate(zip((as_of.year - 1, as_of.year), masks))
    ]


def generate(
    rows: int, seed: int = 1, as_of: date = DEFAULT_AS_OF, *, messy: bool = True, first_number: int = 1
) -> list[SheetData]:
    """The sheets of a sample workbook: the notes sheet, then one ledger sheet per filing year.

    ``rows`` counts case rows, the deliberately bad ones included (from MIN_ROWS_FOR_BAD rows,
    when messy); blank, repeated-header and 合计 rows come on top. Dates are ``datetime.date``
    (date cells), ``int`` (Excel serial numbers) or text. Case sequence numbers are counted from
    ``first_number`` in each year and type: a second ledger of the same court counted from above
    the first's highest number shares none of its case numbers.
    """
    notes = SheetData(NOTES_SHEET, None, [], [[line] for line in NOTES_LINES])
    ledgers = [
        SheetData(name, title, list(HEADER), [list(r) for r in chain.from_iterable(segments)], subtitle)
        for name, title, subtitle, segments in _sheets(rows, seed, as_of, messy, single=False, text=False,
                                                       first_number=first_number)
    ]
    return [notes, *ledgers]


# ---------------------------------------------------------------------------------------------
# writing


def write_sample(
    path: str | Path,
    rows: int,
    seed: int = 1,
    *,
    as_of: date = DEFAULT_AS_OF,
    encoding: str | None = None,
    messy: bool = True,
    first_number: int = 1,
) -> Path:
    """Write a sample ledger to ``path`` (.xlsx or .csv); this is what ``backlog sample`` calls.

    The bytes depend only on the arguments. A CSV holds every case row in one table, as Excel
    saves it (dates as 2026-03-05), in ``encoding`` (default utf-8-sig).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ConfigError(f"the sample file must end in .xlsx or .csv: got {path.name}")
    if suffix == ".xlsx" and encoding is not None:
        raise ConfigError("an encoding applies to .csv samples only")
    if suffix == ".xlsx" and rows > MAX_XLSX_ROWS:
        raise ConfigError(f"{rows} rows are too many for one workbook (at most {MAX_XLSX_ROWS}); write a .csv")
    encoding = encoding or "utf-8-sig"
    try:
        "".encode(encoding)
    except LookupError:
        raise ConfigError(f"unknown encoding for the sample: {encoding}") from None
    if suffix == ".csv":
        _name, _title, _subtitle, segments = _sheets(rows, seed, as_of, messy, single=True, text=True,
                                                     first_number=first_number)[0]
        atomic_write(path, lambda tmp: _write_csv(tmp, segments, encoding))
    else:
        sheets = generate(rows, seed, as_of, messy=messy, first_number=first_number)
        atomic_write(path, lambda tmp: _write_xlsx(tmp, sheets, as_of, big=rows > 20_000))
    return path


def _write_csv(path: Path, segments: list, encoding: str) -> None:
    """Header, then the rows; Excel's CRLF line ends."""
    try:
        with open(path, "w", encoding=encoding, newline="") as f:
            writer = csv.writer(f, lineterminator="\r\n")
            writer.writerow(HEADER)
            for segment in segments:
                writer.writerows(segment)
    except UnicodeEncodeError as err:
        bad = err.object[err.start:err.end]
        raise ConfigError(f"the encoding {encoding} cannot hold the sample's character {bad!r}; use utf-8-sig or gbk") from None


COLUMN_WIDTHS = [6, 24, 12, 26, 30, 22, 14, 9, 10, 9, 12, 18, 10, 26, 12, 12, 30, 30, 14, 16]


def _write_xlsx(path: Path, sheets: list[SheetData], as_of: date, big: bool) -> None:
    """Merged title, then subtitle (or a blank row), then the header; dates as date cells.

    Written strictly row by row, so ``big`` workbooks use xlsxwriter's constant_memory mode.
    """
    options = {
        "default_date_format": "yyyy-mm-dd",
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        ("constant_memory" if big else "in_memory"): True,
    }
    wb = xlsxwriter.Workbook(str(path), options)
    created = datetime.combine(as_of, time(9))
    wb.set_properties({"title": "执行积案台帐", "author": "执行局综合组", "created": created})
    title_fmt = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    header_fmt = wb.add_format(
        {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True, "bg_color": "#D9E1F2"}
    )
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        row = 0
        if sheet.title is None:
            ws.set_column(0, 0, 90)
        else:
            for col, width in enumerate(COLUMN_WIDTHS):
                ws.set_column(col, col, width)
            ws.set_row(0, 30)
            ws.merge_range(0, 0, 0, len(sheet.header) - 1, sheet.title, title_fmt)
            if sheet.subtitle:
                ws.write_string(1, 0, sheet.subtitle)
            ws.write_row(2, 0, sheet.header, header_fmt)
            ws.freeze_panes(3, 2)
            row = 3
        for values in sheet.rows:
            ws.write_row(row, 0, values)
            row += 1
    wb.close()
