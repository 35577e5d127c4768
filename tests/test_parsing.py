"""Tests for the vectorised cell parsers."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import PINYIN_OFFICERS

from backlog_cli.parsing import (
    _clean_strings,
    case_ids,
    header_key,
    header_unit,
    name_key,
    normalize_name,
    normalize_person,
    normalize_text,
    parse_amounts,
    parse_case_numbers,
    parse_dates,
    parse_flags,
    same_case,
    short_case_number,
    weekday_slips,
)

# and what an export writes for an empty cell, in any case (not 无 or 暂无: words of their own)
BLANKS = [None, np.nan, "", "   ", "\u3000", "-", "—", "/",
          "NULL", "null", "None", "nan", "NaN", "N/A", "n/a", " Null ", "ＮＵＬＬ", "NONE"]


def cells(*values) -> pd.Series:
    return pd.Series(list(values), dtype=object)


# --- text -------------------------------------------------------------------------------------


def test_normalize_text():
    s = cells("（执行）ＡＢＣ", "  a \t b\u3000c ", 123.0, 12.5, 7, "１２３", *BLANKS)
    assert normalize_text(s).tolist()[:6] == ["(执行)ABC", "a b c", "123", "12.5", "7", "123"]
    assert normalize_text(s).iloc[6:].isna().all()
    assert normalize_text(s).dtype == "str"


def test_normalize_text_dates_keep_time_only_when_set():
    s = cells(dt.datetime(2016, 3, 5), dt.datetime(2016, 3, 5, 10, 30), dt.date(2017, 1, 2))
    assert normalize_text(s).tolist() == ["2016-03-05", "2016-03-05 10:30:00", "2017-01-02"]


def test_normalize_name_removes_all_whitespace():
    s = cells("张 三", "张三 ", "张\u3000三", " 李  四 ", None, " ")
    out = normalize_name(s)
    assert out.tolist()[:4] == ["张三", "张三", "张三", "李四"]
    assert out.iloc[4:].isna().all()


def test_normalize_person_joins_chinese_keeps_latin_words_and_splits_lines():
    s = cells("张 三", " 李\u3000四 ", "Wang  Wu", "ＷＡＮＧ　Ｗｕ", "张三\n李四", "张三\r\n\r\n", "王五\u2028赵六",
              "张三、李四", "Zhang 三", 1023, "张三\n张三", "王 小明", "执行 一组", "无", " 待分配 ", "暂无", "未分配", *BLANKS)
    out = normalize_person(s)
    assert out.tolist()[:13] == ["张三", "李四", "Wang Wu", "WANG Wu", "张三、李四", "张三", "王五、赵六",
                                 "张三、李四", "Zhang三", "1023", "张三", "王小明", "执行一组"]
    assert out.iloc[13:].isna().all()
    assert out.dtype == "str"
    # a blank word beside a name, as 无 is: on a line of its own (Alt+Enter) or after 、
    assert normalize_person(cells("NULL\n张三", "张三、None", "张三\n-")).tolist() == ["张三"] * 3
    # the officer column as read: two names of two characters or more, apart, are two names
    people = normalize_person(cells("张三 李四", "张 三", "王 小明", "欧阳 娜娜", "张三 张三", "Wang Wu", "张三 (组长)",
                                    "钱𠮷 冯二"), people=True)
    assert people.tolist() == ["张三、李四", "张三", "王小明", "欧阳、娜娜", "张三", "Wang Wu", "张三(组长)", "钱𠮷、冯二"]
    # control characters dropped; a word for "nobody" beside a name is not a name
    assert normalize_person(cells("张\x07三", "张三\x1b", "无\n张三", "待分配、无")).tolist()[:3] == ["张三", "张三", "张三"]
    assert normalize_person(cells("待分配、无")).isna().all()


@given(st.lists(st.text(alphabet="张三李 \n\u3000aB1、无", max_size=8), max_size=20))
def test_normalize_person_is_idempotent_and_trimmed(values):
    once = normalize_person(cells(*values))
    assert once.equals(normalize_person(cells(*once.tolist())))
    for name in once.dropna():
        assert name == name.strip() and "\n" not in name and "  " not in name and "\u3000" not in name


def test_text_keeps_index():
    s = pd.Series(["a", None], index=[10, 20], dtype=object)
    assert normalize_text(s).index.tolist() == [10, 20]


@pytest.mark.parametrize(
    ("header", "key", "unit"),
    [
        ("执行标的（元）", "执行标的", 1.0),
        ("执行标的额（万元）", "执行标的额", 10000.0),
        ("标的金额(万)", "标的金额", 10000.0),
        ("标的 (人民币元)", "标的", 1.0),
        (" 立案 日期 ", "立案日期", 1.0),
        ("ＣＡＳＥ No", "caseno", 1.0),
        ("未履行金额【万元】", "未履行金额", 10000.0),
        ("执行标的（单位：万元）", "执行标的", 10000.0),
        ("标的(单位:人民币元)", "标的", 1.0),
        ("被执行人单位", "被执行人单位", 1.0),
        ("单元", "单元", 1.0),
        ("*案号", "案号", 1.0),
        ("立案日期※", "立案日期", 1.0),
        ("结案日期（年.月.日）", "结案日期", 1.0),
        ("结案日期(YYYY-MM-DD)", "结案日期", 1.0),
        ("执行标的（万元）*", "执行标的", 10000.0),
        ("执行标的*(万元)", "执行标的", 10000.0),
        ("(年月日)", "", 1.0),
    ],
)
def test_header_key_and_unit(header, key, unit):
    assert header_key(header) == key
    assert header_unit(header) == unit


# --- dates ------------------------------------------------------------------------------------


def test_parse_dates_accepted_forms():
    s = cells(
        dt.datetime(2016, 3, 5, 14, 20),
        dt.date(2016, 3, 5),
        pd.Timestamp("2016-03-05 10:00"),
        42434,  # Excel serial of 2016-03-05
        42434.75,
        "42434",
        20160305,
        "20160305",
        "2016年3月5日",
        "2016 年 3 月 5 日 ",
        "2016.03.05",
        "2016-3-5",
        "2016/3/5",
        "2016-03-05 00:00:00",
        "2016-03-05T10:00",
        "２０１６－０３－０５",
        "2016年3月5号",  # the day as said (3月5号), typed for 日
        "2016年03月05号 ",
        # a trailing dot, and the weekday some systems export after the date (5 March 2016 was a Saturday)
        "2016.3.5.",
        "2016/03/05 星期六",
        "2016-03-05（周六）",
        "2016-03-05 (礼拜六)",
        "2016年3月5日星期六",
        "2016-03-05 周六 10:00:00",
        # the time before the weekday, and a date in Chinese numerals with its weekday
        "2016/03/05 10:30 星期六",
        "2016-03-05 10:30:00（周六）",
        "2016-03-05T10:30 礼拜六",
        "二〇一六年三月五日星期六",
        "二零一六年三月五日 周六",
        "二〇一六年三月五号（星期六）",
        "2016年三月五日礼拜六",
    )
    values, bad = parse_dates(s)
    assert values.dtype == "datetime64[ns]"
    assert (values == pd.Timestamp("2016-03-05")).all()
    assert not bad.any()


def test_parse_dates_rejects_and_blanks():
    s = cells("2016-02-30", "1949-12-31", "2016年2月30号", "2101-01-01", 18263, 19491231, "abc", True, 1,
              "2016年3月", "2016年3月号", dt.datetime(1900, 1, 1), *BLANKS)
    values, bad = parse_dates(s)
    assert values.isna().all()
    assert bad.tolist() == [True] * 12 + [False] * len(BLANKS)


def test_a_date_whose_weekday_contradicts_it_is_unreadable():
    """2016-03-05 was a Saturday: 星期五 after it says one of the two was mistyped, and which cannot
    be told, so the date is not read; nor a weekday half bracketed, a week alone or two dots."""
    s = cells("2016/03/05 星期五", "2016-03-06（周六）", "2016年3月5日(星期日)", "2016-03-05（周六", "2016-03-05 周",
              "2016.3.5..", "2016-02-30 星期二", "2016/03/05 10:30 星期五", "二〇一六年三月五日星期五", "二零一六年三月五日 周日",
              "二〇一六年三月五日（周六", "2016-03-05 周六 10:30 周六", "二〇一六年三月五日 10:30 星期六", "二〇一六年二月三十日星期二",
              "2016-03-06 星期日", "2016-03-06 周天", "2016-03-06 10:30 周日", "二〇一六年三月六日星期日")
    values, bad = parse_dates(s)
    assert bad.tolist() == [True] * 14 + [False] * 4
    assert values.iloc[:14].isna().all() and (values.iloc[14:] == pd.Timestamp("2016-03-06")).all()


def test_weekday_slips_give_the_date_a_contradicted_weekday_follows():
    """Where a weekday the date does not fall on makes it unreadable, the date it writes (to say
    why it was not read); nothing for a date unreadable otherwise, read, or no text."""
    s = cells("2016/03/05 星期五", "二〇一六年三月五日（周日）", "'2016-03-05 10:30 周一", "2016-02-30 星期二",
              "2016/03/05 星期六", "待补", 42434, dt.date(2016, 3, 5), None)
    assert weekday_slips(s).tolist()[:3] == [pd.Timestamp("2016-03-05")] * 3
    assert weekday_slips(s).iloc[3:].isna().all()


WEEKDAY_NAMES = ["一", "二", "三", "四", "五", "六", "日"]


@settings(max_examples=60, deadline=None)
@given(st.dates(dt.date(1950, 1, 1), dt.date(2100, 12, 31)), st.integers(0, 6),
       st.sampled_from(["{d} 星期{w}", "{d}（周{w}）", "{d} 10:30 礼拜{w}", "{n}星期{w}"]))
def test_a_weekday_after_a_date_reads_it_or_says_why_not(day, weekday, form):
    """Any date with any weekday after it: read when it falls on that day, else unreadable, and
    the slip gives the date."""
    text = form.format(d=f"{day:%Y/%m/%d}", n=f"{_year_in_numerals(day.year)}年{_written(day.month)}月{_written(day.day)}日",
                       w=WEEKDAY_NAMES[weekday])
    values, bad = parse_dates(cells(text))
    slips = weekday_slips(cells(text))
    if weekday == day.weekday():
        assert values.iloc[0] == pd.Timestamp(day) and not bad.iloc[0] and slips.isna().all()
    else:
        assert bad.iloc[0] and values.isna().all() and slips.iloc[0] == pd.Timestamp(day)


def test_parse_dates_written_in_chinese_numerals():
    """Dates as clerks copy them from judgments and notices: the year digit by digit (〇 or 零, or
    the circle ○ typed for 〇), month and day as numbers are said; either part may be in digits."""
    s = cells("二〇二六年十一月二十三日", "二零二六年十一月二十三日", "2026年十一月二十三日", "２０２６年十一月二十三日",
              "二〇二六年11月23日", "二○二六年十一月二十三日", "二〇二六年 十一月 二十三日", "二〇二六年十一月二十三",
              "二〇二六年十一月二十三号")
    values, bad = parse_dates(s)
    assert (values == pd.Timestamp("2026-11-23")).all() and not bad.any()
    values, bad = parse_dates(cells("二〇二六年一月一日", "二〇二六年十月十日", "二〇二六年十二月三十一日", "一九五〇年二月二十八日"))
    assert values.tolist() == [pd.Timestamp(d) for d in ("2026-01-01", "2026-10-10", "2026-12-31", "1950-02-28")]
    # no 13th month, 32nd day or 30 February; a year is four digits; numerals as numbers are said
    values, bad = parse_dates(cells("二〇二六年十三月一日", "二〇二六年十月三十二日", "二〇二六年二月三十日", "二〇二年一月一日",
                                    "二〇二六年一一月一日", "二〇二六年零月一日", "二〇二六年十一月", "二千零二十六年一月一日",
                                    "二一〇一年一月一日", "一九四九年十月一日"))
    assert values.isna().all() and bad.all()


def test_parse_dates_range_edges():
    values, bad = parse_dates(cells(18264, 73415, "1950-01-01", "2100-12-31"))
    assert values.tolist() == [pd.Timestamp("1950-01-01"), pd.Timestamp("2100-12-31")] * 2
    assert not bad.any()


def test_parse_dates_typed_columns():
    values, bad = parse_dates(pd.Series([42434.0, np.nan]))
    assert values.iloc[0] == pd.Timestamp("2016-03-05") and pd.isna(values.iloc[1])
    assert bad.tolist() == [False, False]
    values, _ = parse_dates(pd.Series(pd.to_datetime(["2016-03-05 08:00", None])))
    assert values.iloc[0] == pd.Timestamp("2016-03-05")


# --- amounts ----------------------------------------------------------------------------------


def test_parse_amounts_accepted_forms():
    s = cells(125000, 125000.0, "125,000.00", "125000元", "12.5万元", "12.5 万", "￥125,000",
              "¥125000", " 125000 ", "１２５０００", "人民币125000元整", "1.25E+05", "1.25e5元")
    values, bad = parse_amounts(s)
    assert values.tolist() == [125000.0] * len(s)
    assert not bad.any()


def test_parse_amounts_column_unit():
    s = cells(12.5, "12.5", "3000元", "1.5万元", 0)
    values, bad = parse_amounts(s, unit=10000.0)
    assert values.tolist() == [125000.0, 125000.0, 3000.0, 15000.0, 0.0]
    assert not bad.any()


def test_parse_amounts_after_excels_text_mark_or_with_thousands_grouped_by_spaces():
    """'5000 as CSV exports keep Excel's mark for a number kept as text, and 1 000 as other locales
    group thousands (a space, a no-break space or a thin space): they were 金额无法识别."""
    s = cells("'125000", "'125,000.00", "' 125000", "'12.5万元", "'人民币125000元整", "125 000", "125 000.00",
              "125\u00a0000", "125\u2009000.00", "125\u202f000", "125 000 元", "12.5 万", "￥125 000",
              "0 125 000", "'125 000")
    values, bad = parse_amounts(s)
    assert values.tolist() == [125000.0] * len(s)
    assert not bad.any()
    # backlog's own CSV marks text that begins with -, such as a written amount
    values, bad = parse_amounts(cells("'-12.5万", "'-1.5亿", "'壹万元", "1 000 000.5"))
    assert values.tolist() == [-125000.0, -150000000.0, 10000.0, 1000000.5] and not bad.any()


@pytest.mark.parametrize("text", ["1 00", "1 2500", "12 34", "1,000 000", "1 000,000", "''5000", "'", "5000'",
                                  "(1,000)", "1.2千", "1 2万"])
def test_amounts_grouped_wrongly_or_marked_twice_stay_unreadable(text):
    """Groups of three after the first, one separator throughout, one mark: 1 2500 may be two
    amounts. (1,000), an accountant's negative, and 1.2千 (thousands of what?) stay unreadable."""
    values, bad = parse_amounts(cells(text))
    assert np.isnan(values.iloc[0]) and bad.tolist() == [True]


def test_dates_and_case_numbers_after_excels_text_mark_are_read():
    """'2025-01-02 and '(2025)鲁0902执1号, as CSV exports keep Excel's mark for a value kept as
    text, were 日期无法识别 and 案号无法识别 (rejected rows for 立案日期 and 案号), though the same
    mark before an amount was read. One mark before a value, as before an amount."""
    dates, bad = parse_dates(cells("'2025-01-02", "' 2025年1月2日", "'20250102", "＇2025-01-02", "'2025.1.2"))
    assert dates.tolist() == [pd.Timestamp("2025-01-02")] * 5 and not bad.any()
    parts, bad = parse_case_numbers(cells("'(2025)鲁0902执1号", "' （2025）鲁0902执1号", "'(2015)泰执字第00009号",
                                          "＇〔2025〕鲁0902执恢2号"))
    assert parts["case_no"].tolist() == ["(2025)鲁0902执1号", "(2025)鲁0902执1号", "(2015)泰执字第00009号",
                                         "(2025)鲁0902执恢2号"]
    assert parts["case_seq"].tolist() == [1, 1, 9, 2] and not bad.any()


@pytest.mark.parametrize("text", ["''2025-01-02", "'", "2025-01-02'", "'2025-13-01", "' '2025-01-02"])
def test_a_date_marked_twice_or_a_mark_alone_stays_unreadable(text):
    dates, bad = parse_dates(cells(text))
    assert pd.isna(dates.iloc[0]) and bad.tolist() == [True]


@pytest.mark.parametrize("text", ["'", "'-", "' —", "＇/"])
def test_a_mark_before_a_blank_word_is_blank_and_a_mark_alone_is_not(text):
    """'- is a dash kept as text: blank, as - is; ' alone is neither blank nor a value."""
    for parse in (parse_dates, parse_amounts, parse_case_numbers):
        bad = parse(cells(text))[1]
        assert bad.tolist() == [text == "'"]


def test_parse_amounts_read_a_plus_sign_as_excel_does():
    """+5000 was 金额无法识别, while +3 was read in a number column: Excel reads the sign."""
    s = cells("+5000", "+5,000", "+5 000", "+5000元", "+0.5万", "+5E+03", "'+5000", "¥+5000", "+伍仟元整",
              "人民币+5000元整", "++5000", "+-5000", "-+5000", "+", "5000+")
    values, bad = parse_amounts(s)
    assert values.iloc[:10].tolist() == [5000.0] * 10
    assert values.iloc[10:].isna().all() and bad.tolist() == [False] * 10 + [True] * 5


def test_parse_amounts_read_a_sign_before_the_currency_sign_as_excel_does():
    """-¥5,000 and +¥5000 (the sign before ¥, as Excel reads them) were 金额无法识别, while ¥-5000
    was read: a negative is then the loader's 金额为负数, not an unreadable amount. One sign only."""
    s = cells("-¥5,000", "+¥5000", "-￥5000", "-$5000", "人民币-¥5000", "-¥伍仟元", "+¥1万5千", "¥-5000",
              "-¥-5000", "+¥+5000", "-¥", "- ¥5000", "¥5000-")
    values, bad = parse_amounts(s)
    assert values.iloc[:8].tolist() == [-5000.0, 5000.0, -5000.0, -5000.0, -5000.0, -5000.0, 15000.0, -5000.0]
    assert values.iloc[8:].isna().all() and bad.tolist() == [False] * 8 + [True] * 5


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 10**12).map(lambda n: f"{n:,}"),
                          st.decimals(min_value=0, max_value=Decimal("1e9"), places=2).map(str),
                          st.sampled_from(["12.5万元", "3万5千", "伍仟元整", "1.25E+05", "1 000", "'5000", "1,000元"])),
                min_size=1, max_size=8), st.sampled_from([1.0, 10000.0]))
def test_an_amount_with_a_plus_sign_reads_as_without(texts, unit):
    signed = [f"'+{t[1:]}" if t.startswith("'") else f"+{t}" for t in texts]
    plain, _ = parse_amounts(pd.Series(texts, dtype=object), unit)
    values, bad = parse_amounts(pd.Series(signed, dtype=object), unit)
    assert values.tolist() == plain.tolist() and not bad.any()


def test_parse_amounts_rejects_and_blanks():
    s = cells(-5, "-5", "-1.2万", "abc", "1,20,000", "12.5千", True, float("inf"),
              dt.date(2016, 1, 1), *BLANKS)
    values, bad = parse_amounts(s)
    # negative and infinite amounts are numbers: the loader reports them as value problems
    assert values.iloc[[0, 1, 2, 7]].tolist() == [-5.0, -5.0, -12000.0, float("inf")]
    assert values.drop(index=[0, 1, 2, 7]).isna().all()
    assert values.dtype == "float64"
    assert bad.tolist() == [False] * 3 + [True] * 4 + [False] + [True] + [False] * len(BLANKS)


# --- flags ------------------------------------------------------------------------------------


def test_parse_flags():
    true = ["是", "有", "Y", "yes", "√", "✓", 1, 1.0, "TRUE", "涉信访", True, "多次到省上访",
            "曾 信访", "'是", "'1"]  # after Excel's text mark, as CSV exports keep it
    false = ["否", "无", "n", "No", "×", 0, "false", "未信访", "无信访", False, " 否 ", "'否"]
    unknown = ["申请人上访，无果", "不清楚", 2, dt.date(2016, 1, 1)]
    values, bad = parse_flags(cells(*true, *false, *unknown, *BLANKS))
    assert values.dtype == "boolean"
    assert values.iloc[: len(true)].tolist() == [True] * len(true)
    assert values.iloc[len(true) : len(true) + len(false)].tolist() == [False] * len(false)
    assert values.iloc[len(true) + len(false) :].isna().all()
    assert bad.tolist() == [False] * (len(true) + len(false)) + [True] * len(unknown) + [
        False
    ] * len(BLANKS)


# --- case numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "case_no", "year", "court", "kind", "seq"),
    [
        ("(2016)鲁0902执123号", "(2016)鲁0902执123号", 2016, "鲁0902", "执", 123),
        ("（2018）闽0125执恢243号", "(2018)闽0125执恢243号", 2018, "闽0125", "执恢", 243),
        ("〔2019〕鄂7101执21号", "(2019)鄂7101执21号", 2019, "鄂7101", "执", 21),
        ("(2020)最高法执监12号", "(2020)最高法执监12号", 2020, "最高法", "执监", 12),
        ("(2017)京执保7号", "(2017)京执保7号", 2017, "京", "执保", 7),
        ("( 2016 ) 鲁 0902 执 123", "(2016)鲁0902执123号", 2016, "鲁0902", "执", 123),
        ("(2015)泰执字第00123号", "(2015)泰执字第00123号", 2015, "泰", "执", 123),
        ("(2014)广法执字第00232号", "(2014)广法执字第00232号", 2014, "广法", "执", 232),
        ("【2013】泰执恢字第5号", "(2013)泰执恢字第5号", 2013, "泰", "执恢", 5),
        ("(2010)最高法执字第3", "(2010)最高法执字第3号", 2010, "最高法", "执", 3),
        ("(2016)鲁0902执123号之一", "(2016)鲁0902执123号之一", 2016, "鲁0902", "执", 123),
        ("（2015）泰执字第00011号之十二", "(2015)泰执字第00011号之十二", 2015, "泰", "执", 11),
        ("(2016)鲁0902执恢5号之2", "(2016)鲁0902执恢5号之2", 2016, "鲁0902", "执恢", 5),
        # the year typed without its brackets: four digits, then the court code
        ("2025鲁0902执4号", "(2025)鲁0902执4号", 2025, "鲁0902", "执", 4),
        ("2025 鲁0902 执恢 4", "(2025)鲁0902执恢4号", 2025, "鲁0902", "执恢", 4),
        ("2020最高法执监12号", "(2020)最高法执监12号", 2020, "最高法", "执监", 12),
        ("2015泰执字第00123号", "(2015)泰执字第00123号", 2015, "泰", "执", 123),
        ("'2025鲁0902执4号之一", "(2025)鲁0902执4号之一", 2025, "鲁0902", "执", 4),
        # one of the year's brackets left out, a typing slip
        ("2025)鲁0902执4号", "(2025)鲁0902执4号", 2025, "鲁0902", "执", 4),
        ("(2025鲁0902执4号", "(2025)鲁0902执4号", 2025, "鲁0902", "执", 4),
        ("（2025鲁0902执4号", "(2025)鲁0902执4号", 2025, "鲁0902", "执", 4),
        ("2025）鲁0902执4号", "(2025)鲁0902执4号", 2025, "鲁0902", "执", 4),
        ("〔2025 鲁执恢4", "(2025)鲁执恢4号", 2025, "鲁", "执恢", 4),
        ("2015】泰执字第00123号之一", "(2015)泰执字第00123号之一", 2015, "泰", "执", 123),
    ],
)
def test_parse_case_numbers(raw, case_no, year, court, kind, seq):
    parts, bad = parse_case_numbers(cells(raw))
    assert parts.iloc[0].tolist() == [case_no, year, court, kind, seq]
    assert not bad.iloc[0]


def test_parse_case_numbers_rejects_and_blanks():
    s = cells("〔2016〕abc", "(2016)鲁0902执123之一", "(2016)张三执5号", "(2016)鲁0902执字第5号",
              "(2016)鲁0902执123号)", "2016鲁0902(执123号", "((2016)鲁执1号", "2016))鲁执1号", "(2016鲁执字第5号)",
              "(2016abc", "(1900)鲁执1号", "1900鲁执1号", "(1900鲁执1号", "20160鲁0902执123号", "(20160鲁执1号",
              "16鲁0902执123号", 123, *BLANKS)
    # a bracket anywhere but round the year, two of them on one side, a year of five or two digits or
    # out of range, with both brackets, one or none: no case number
    parts, bad = parse_case_numbers(s)
    assert bad.tolist() == [True] * 17 + [False] * len(BLANKS)
    assert parts["case_no"].iloc[:17].tolist() == [
        "(2016)abc", "(2016)鲁0902执123之一", "(2016)张三执5号", "(2016)鲁0902执字第5号",
        "(2016)鲁0902执123号)", "2016鲁0902(执123号", "((2016)鲁执1号", "2016))鲁执1号", "(2016鲁执字第5号)",
        "(2016abc", "(1900)鲁执1号", "1900鲁执1号", "(1900鲁执1号", "20160鲁0902执123号", "(20160鲁执1号",
        "16鲁0902执123号", "123",
    ]
    assert parts["case_no"].iloc[17:].isna().all()
    assert parts[["case_year", "court_code", "case_type", "case_seq"]].isna().all().all()


def test_parse_case_numbers_dtypes_and_index():
    parts, bad = parse_case_numbers(pd.Series(["(2016)鲁0902执1号", None], index=[5, 9]))
    assert parts.columns.tolist() == ["case_no", "case_year", "court_code", "case_type", "case_seq"]
    assert parts.dtypes.astype(str).tolist() == ["str", "Int64", "str", "str", "Int64"]
    assert parts.index.tolist() == [5, 9] and bad.index.tolist() == [5, 9]


# --- properties -------------------------------------------------------------------------------

DATES = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31))


def _date_forms(d: dt.date) -> list:
    y, m, day = d.year, d.month, d.day
    serial = (d - dt.date(1899, 12, 30)).days
    return [
        d,
        dt.datetime(y, m, day, 23, 59),
        serial,
        serial + 0.5,
        str(serial),
        y * 10000 + m * 100 + day,
        f"{y}{m:02d}{day:02d}",
        f"{y}年{m}月{day}日",
        f"{y}.{m:02d}.{day:02d}",
        f"{y}-{m}-{day}",
        f"{y}/{m}/{day}",
        f" {y}-{m:02d}-{day:02d} 00:00:00",
        f"{y}-{m:02d}-{day:02d}T10:00",
        f"{y}.{m}.{day}.",
        # the weekday after it, as some systems export it
        f"{y}/{m:02d}/{day:02d} 星期{'一二三四五六日'[d.weekday()]}",
        f"{y}-{m:02d}-{day:02d}（周{'一二三四五六天'[d.weekday()]}）",
        f"{y}/{m:02d}/{day:02d} 10:30 星期{'一二三四五六日'[d.weekday()]}",
        f"{_year_in_numerals(y)}年{_written(m)}月{_written(day)}日星期{'一二三四五六日'[d.weekday()]}",
        f"{_year_in_numerals(y, zero='零')}年{_written(m)}月{_written(day)}日 周{'一二三四五六天'[d.weekday()]}",
        # as judgments and notices write them
        f"{_year_in_numerals(y)}年{_written(m)}月{_written(day)}日",
        f"{_year_in_numerals(y, zero='零')}年{_written(m)}月{_written(day)}日",
        f"{y}年{_written(m)}月{_written(day)}日",
        f"{_year_in_numerals(y)}年{m}月{day}日",
        f"{str(y).translate(_FULL_WIDTH)}年 {_written(m)}月 {_written(day)}日",
        # after Excel's text mark, as CSV exports keep it
        f"'{y}-{m:02d}-{day:02d}",
        f"' {y}年{m}月{day}日",
        f"＇{y}{m:02d}{day:02d}",
    ]


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _year_in_numerals(year: int, zero: str = "〇") -> str:
    """2026 as judgments write it, digit by digit: 二〇二六 (or 二零二六)."""
    return "".join((zero + "一二三四五六七八九")[int(c)] for c in str(year))


@settings(max_examples=30, deadline=None)
@given(st.lists(DATES, min_size=1, max_size=5))
def test_dates_round_trip(dates):
    raw = [form for d in dates for form in _date_forms(d)]
    expected = [pd.Timestamp(d) for d in dates for _ in _date_forms(d)]
    values, bad = parse_dates(cells(*raw))
    assert values.tolist() == expected
    assert not bad.any()


AMOUNTS = st.decimals(min_value=0, max_value=Decimal("1e10"), places=2)


@settings(max_examples=40, deadline=None)
@given(st.lists(AMOUNTS, min_size=1, max_size=5), st.sampled_from([" ", "\u00a0", "\u2009", "\u202f", "\u3000"]))
def test_amounts_round_trip(amounts, space):
    raw, expected = [], []
    for a in amounts:
        forms = [f"{a:,.2f}", f"{a}元", f"{a:,}元", f"￥{a:,.2f}", f"{a / 10000:f}万元",
                 f"{a / 10000:f} 万", float(a),
                 f"'{a}", f"'{a:,.2f}", f"{a:,.2f}".replace(",", space), f"'{a:,}元".replace(",", space)]
        raw += forms
        expected += [float(a)] * len(forms)
    values, bad = parse_amounts(cells(*raw))
    assert not bad.any()
    for got, want in zip(values, expected):
        assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-6)


PROVINCES = "京津冀晋内辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔滇藏陕甘青宁新军兵"
TYPES = ["执", "执恢", "执保", "执异", "执复", "执监", "执协", "执他", "财保", "行审", "行审复"]
# or none: 2016鲁0902执1号; or one of them, a typing slip: (2016鲁0902执1号, 2016）鲁0902执1号
BRACKETS = [("(", ")"), ("（", "）"), ("〔", "〕"), ("[", "]"), ("【", "】"), ("", ""), ("(", ""), ("（", ""), ("", ")"),
            ("", "）"), ("〔", "")]
SPACE = st.sampled_from(["", "", " ", "\u3000"])
NEW_COURTS = st.one_of(
    st.just("最高法"),
    st.tuples(st.sampled_from(PROVINCES), st.text("0123456789", max_size=4)).map("".join),
)
OLD_COURTS = st.text("泰广法安济南青岛市县区中宁", min_size=1, max_size=6)


@st.composite
def case_numbers(draw):
    old = draw(st.booleans())
    year = draw(st.integers(1990, 2015) if old else st.integers(2016, 2100))
    court = draw(OLD_COURTS if old else NEW_COURTS)
    kind = draw(st.sampled_from(TYPES))
    seq = draw(st.integers(1, 99999))
    digits = str(seq).zfill(draw(st.integers(0, 6)))
    opening, closing = draw(st.sampled_from(BRACKETS))
    body = [opening, str(year), closing, court, kind, "字第" if old else "", digits]
    raw = "".join(part + draw(SPACE) for part in body) + draw(st.sampled_from(["号", ""]))
    raw = draw(st.sampled_from(["", "", "'", "' ", "＇"])) + raw  # Excel's text mark, as CSV exports keep it
    canonical = f"({year}){court}{kind}{'字第' if old else ''}{digits}号"
    return raw, [canonical, year, court, kind, seq]


@settings(max_examples=40, deadline=None)
@given(st.lists(case_numbers(), min_size=1, max_size=5))
def test_case_numbers_round_trip(cases):
    parts, bad = parse_case_numbers(cells(*(raw for raw, _ in cases)))
    assert not bad.any()
    assert [row.tolist() for _, row in parts.iterrows()] == [want for _, want in cases]


@settings(max_examples=200, deadline=None)
@given(st.integers(2000, 2099), NEW_COURTS, st.sampled_from(TYPES), st.integers(1, 99999),
       st.sets(st.sampled_from(["year", "short year", "brackets", "court", "号"])), SPACE)
def test_a_case_number_said_short_gives_the_parts_it_says(year, court, kind, seq, said, space):
    """执69, 2024执69号, 24执69, (2024)执恢12, 鲁0902执69: each part said is read, the rest left open."""
    text = str(year)[2:] if "short year" in said else str(year) if "year" in said else ""
    if text and "brackets" in said:
        text = f"（{text}）"
    text += space + (court if "court" in said else "") + kind + space + str(seq) + ("号" if "号" in said else "")
    want = {"case_type": kind, "case_seq": seq}
    if said & {"year", "short year"}:
        want["case_year"] = year
    if "court" in said:
        want["court_code"] = court
    assert short_case_number(text) == want
    assert short_case_number(text.replace(str(seq), "")) is None  # no number: no case


CELLS = st.one_of(
    st.text(max_size=12),
    st.text("0123456789年月日.-/万元,()执号字第鲁泰 ", max_size=16),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(),
    st.datetimes(),
    st.decimals(allow_nan=False),
)


@settings(max_examples=30, deadline=None)
@given(st.lists(CELLS, max_size=8))
def test_arbitrary_cells_never_raise(raw):
    s = cells(*raw)
    text = normalize_text(s)
    for parse in (parse_dates, parse_amounts, parse_flags):
        values, bad = parse(s)
        assert values.index.equals(s.index) and bad.dtype == bool
        assert not (bad & values.notna()).any()
        assert (values.notna() | bad | text.isna()).all()
    parts, bad = parse_case_numbers(s)
    assert (parts["case_year"].notna() | bad | text.isna()).all()
    assert not (bad & parts["case_year"].notna()).any()


def test_same_case_finds_a_case_however_written():
    parts, _ = parse_case_numbers(cells("(2015)泰执字第00009号", "（2015）泰执字第9号", "(2024)鲁0902执69号",
                                        "(2024)鲁0902执069号", "(2024)鲁0902执恢69号", "暂无案号", " 暂无 案号", None))
    assert same_case(parts.iloc[[0]], parts).tolist() == [True, True, False, False, False, False, False, False]
    assert same_case(parts.iloc[[3]], parts).tolist() == [False, False, True, True, False, False, False, False]
    # unreadable numbers: by their normalised text
    assert same_case(parts.iloc[[6]], parts).tolist() == [False] * 5 + [True, True, False]


# The case-number grammar as one regex with look-ahead alternatives: slower, and the reference the
# two-pattern parser must agree with on any text.
_TYPES = "执恢|执保|执异|执复|执监|执协|执他|执|财保|行审复|行审"
_ONE_REGEX = __import__("re").compile(
    r"^[(〔\[【]?(?P<year>[0-9]{4})[)〕\]】]?"
    r"(?P<court>(?:最高法|[京鲁冀][0-9]{0,4})(?=(?:" + _TYPES + r")[0-9])"
    r"|[\u4e00-\u9fff]{1,6}?(?=(?:" + _TYPES + r")字第))"
    r"(?P<type>" + _TYPES + r")(?:字第)?(?P<seq>[0-9]{1,9})(?:号(?:之(?:[一二三四五六七八九十]+|[0-9]+))?)?$"
)
_CASE_ALPHABET = "()〔〕【】[]0123456789执恢保他字第号之一二十鲁京冀泰高法最财行审复"


def _agrees_with_one_regex(text: str) -> bool:
    from backlog_cli.parsing import _case_fields

    m = _ONE_REGEX.search(text)
    year = m and int(m["year"])
    want = (None,) * 4 if m is None or not 1950 <= year <= 2100 else (year, m["court"], m["type"], int(m["seq"]))
    return _case_fields(text)[1:] == want


def test_case_number_patterns_agree_with_one_regex_on_every_combination():
    import itertools

    pieces = [["(", "〔", ""], ["2016", "1949", ""], [")", "】", ""], ["鲁0902", "最高法", "泰山区", "执", ""],
              ["执", "执恢", "执保", "执异", "执复", "执监", "执协", "执他", "执执", "财保", "行审", "行审复", "行", ""],
              ["字第", "", "字"],
              ["00123", "", "1234567890"], ["号", "", "号之一", "号之十二", "号之3", "号之", "之一", "号之一号"]]
    texts = ["".join(parts) for parts in itertools.product(*pieces)]
    assert [t for t in texts if not _agrees_with_one_regex(t)] == []


@settings(max_examples=300, deadline=None)
@given(st.text(_CASE_ALPHABET, max_size=24))
def test_case_number_patterns_agree_with_one_regex(text):
    assert _agrees_with_one_regex(text)


def test_case_ids_number_each_case_however_written():
    parts, _ = parse_case_numbers(cells("(2015)泰执字第00009号", "(2024)鲁0902执69号", "（2015）泰执字第9号", "暂无案号",
                                        "(2024)鲁0902执恢69号", " 暂无 案号", "(2024)鲁0902执069号", "(2025)鲁0902执69号",
                                        "(2024)鲁0902执69号之一", "2024鲁0902执69号", "2015泰执字第9号",
                                        "2024)鲁0902执69号", "(2015泰执字第9号"))
    assert case_ids(parts).tolist() == [0, 1, 0, 2, 3, 2, 1, 4, 1, 1, 0, 1, 0]  # 之一: a later ruling of the case


# --------------------------------------------------------------------------- name order

def test_officers_sort_in_pinyin_order():
    by_code_point = sorted(PINYIN_OFFICERS)
    assert by_code_point[:3] == ["刘晓东", "吴志强", "周海燕"]  # what plain sorting gives
    assert sorted(by_code_point, key=name_key) == PINYIN_OFFICERS
    names = pd.Series(by_code_point * 2, dtype="str")
    assert names.sort_values(key=name_key, kind="stable").drop_duplicates().tolist() == PINYIN_OFFICERS


@pytest.mark.parametrize("names, expected", [
    # ASCII before Chinese, by code point; 阿 is GB2312's second level-1 character
    (["王磊", "阿明", "Tom", "Alice", "王A"], ["Alice", "Tom", "阿明", "王A", "王磊"]),
    # outside level 1 after every level-1 name, by code point: 亓 (U+4E93, level 2), 堃 (U+5803, GBK:
    # bytes 88D2, before 阿 in GB18030), 禤 (U+79A4, GBK: B650, amid level 1 in GB18030)
    (["禤雪", "堃", "朱永平", "亓官", "阿明"], ["阿明", "朱永平", "亓官", "堃", "禤雪"]),
    (["李堃", "张三", "李明远", "李"], ["李", "李明远", "李堃", "张三"]),
    # shorter first; a repeated surname is ordered by the given name
    (["王伟", "王", "王磊"], ["王", "王磊", "王伟"]),
    # Latin letters in either case alike, as Excel sorts them
    (["WangWu", "history", "Wang Wu", "alice"], ["alice", "history", "Wang Wu", "WangWu"]),
])
def test_name_order_by_hand(names, expected):
    assert sorted(names, key=name_key) == expected
    assert pd.Series(names, dtype="str").sort_values(key=name_key).tolist() == expected


@pytest.mark.parametrize("names, expected", [
    # teams numbered in Chinese numerals or digits: by number, not pinyin (二 er, 三 san, 十 shi, 一 yi)
    (["执行三组", "执行十组", "执行一组", "执行二组", "执行十二组"], ["执行一组", "执行二组", "执行三组", "执行十组", "执行十二组"]),
    (["10号庭", "2号庭", "1号庭"], ["1号庭", "2号庭", "10号庭"]),
    (["第二十团队", "第一百零五团队", "第九团队"], ["第九团队", "第二十团队", "第一百零五团队"]),
    # a number comes before any character in the same place
    (["执行组", "执行一组"], ["执行一组", "执行组"]),
])
def test_numbers_in_names_sort_by_value(names, expected):
    assert sorted(names, key=name_key) == expected


def test_missing_names_sort_last():
    names = pd.Series([None, "朱永平", np.nan, "Tom", "陈静"], dtype=object)
    assert names.sort_values(key=name_key, kind="stable").index.tolist() == [3, 4, 1, 0, 2]
    assert names.sort_values(key=name_key, na_position="first", kind="stable").index.tolist()[-2:] == [0, 2]
    assert sorted(["朱永平", None, "陈静"], key=name_key) == ["陈静", "朱永平", None]
    keys = name_key(pd.Series(["陈静", None], index=[7, 9], name="officer", dtype="str"))
    assert keys.index.tolist() == [7, 9] and keys.name == "officer" and keys.notna().all()


# GB2312 level 1: rows B0–D7, cells A1–FE, the last row ending at D7F9 (座).
_LEVEL1 = [bytes((lead, trail)).decode("gb2312") for lead in range(0xB0, 0xD8) for trail in range(0xA1, 0xFF)
           if (lead, trail) <= (0xD7, 0xF9)]


_NUMERAL_CHARS = set("〇零一二两三四五六七八九十百")


@settings(max_examples=200)
@given(st.lists(st.one_of(st.none(), st.text(st.sampled_from(["A", "z", *(c for c in _LEVEL1 if c not in _NUMERAL_CHARS)]),
                                             max_size=4)), max_size=12))
def test_level1_names_sort_as_their_gb18030_bytes(names):
    assert len(_LEVEL1) == 3755
    present = [n for n in names if n is not None]
    expected = sorted(present, key=lambda n: n.encode("gb18030")) + [None] * (len(names) - len(present))
    assert sorted(names, key=name_key) == expected
    keys = name_key(pd.Series(names, dtype=object))
    assert keys.tolist() == [name_key(n) for n in names]  # once per distinct value, same keys


_CN = "零一二三四五六七八九"


def _written(n: int) -> str:
    """n (1-999) as a clerk writes it: 三, 十二, 二十四, 一百零五, 一百二十."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    out = f"{_CN[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _CN[tens]) + "十"
    elif hundreds and units:
        out += "零"
    return out + (_CN[units] if units else "")


@given(st.integers(min_value=1, max_value=999))
def test_chinese_numbers_read_back(n):
    from backlog_cli.parsing import chinese_number

    assert chinese_number(_written(n)) == n
    assert chinese_number(_written(n) + "个") is None


def test_chinese_numbers_in_capitals_as_judgments_write_them():
    from backlog_cli.parsing import chinese_number, parse_numbers

    assert [chinese_number(t) for t in ["叁", "拾贰", "贰拾肆", "壹佰零伍", "玖佰玖拾玖", "陆个"]] == [3, 12, 24, 105, 999, None]
    values, bad = parse_numbers(pd.Series(["叁个月", "拾贰个月", "陆"], dtype=object), ["个月"])
    assert values.tolist() == [3.0, 12.0, 6.0] and not bad.any()
    # in names a capital is a character (the surname 陆), not a number: 陆明 sorts by pinyin, after 李明
    assert sorted(["陆明", "李明", "二组"], key=name_key) == ["二组", "李明", "陆明"]


def test_numbers_with_the_units_of_their_column():
    from backlog_cli.parsing import parse_numbers

    cells = pd.Series(["3个月", "三个月", " 12 ", "1.5", "两月", "-3个月", "15天", None, "个月", 6.0, "十二个月"], dtype=object)
    values, bad = parse_numbers(cells, ["月", "个月"])
    got = [None if pd.isna(v) else v for v in values]
    assert got == [3.0, 3.0, 12.0, 1.5, 2.0, -3.0, None, None, None, 6.0, 12.0]
    assert bad.tolist() == [False] * 6 + [True, False, True, False, False]
    plain, bad = parse_numbers(cells, [])  # a column without units: only plain numbers and numerals
    assert [None if pd.isna(v) else v for v in plain] == [None, None, 12.0, 1.5, None, None, None, None, None, 6.0, None]


def test_numbers_after_excels_text_mark_or_with_thousands_grouped():
    from backlog_cli.parsing import parse_numbers

    cells = pd.Series(["'3", "'3个月", "' 三个月", "1 000", "1\u00a0000", "1,000", "-1 000.5", "''3", "1 00", "1,0000", "'"],
                      dtype=object)
    values, bad = parse_numbers(cells, ["个月"])
    assert [None if pd.isna(v) else v for v in values] == [3.0, 3.0, 3.0, 1000.0, 1000.0, 1000.0, -1000.5] + [None] * 4
    assert bad.tolist() == [False] * 7 + [True] * 4


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-10 ** 9, 10 ** 9), min_size=1, max_size=6), st.sampled_from(["", "'"]),
       st.sampled_from([",", " ", "\u00a0", "\u2009"]))
def test_numbers_grouped_read_back(numbers, mark, separator):
    from backlog_cli.parsing import parse_numbers

    values, bad = parse_numbers(pd.Series([mark + f"{n:,}".replace(",", separator) for n in numbers], dtype=object))
    assert values.tolist() == [float(n) for n in numbers] and not bad.any()


@pytest.mark.parametrize("text", ["1_000", "1_000个月", "inf", "-inf", "+Infinity", "infinity", "INF", "nan1", "NaN个月",
                                  "1e999", "1e1000", "1e", "1e+", "e5", "1,000e3", "1e5.5", "9" * 400, "٣", "١٢", "३",
                                  "0x10", "1__0", "_1"])
def test_numbers_are_what_a_ledger_holds_not_what_float_reads(text):
    """1_000, inf and nan are no ledger numbers: float() read them (inf as infinity, which only a
    range check might then catch). Digits of another script, and a number too long to be finite,
    are not either."""
    from backlog_cli.parsing import parse_numbers

    values, bad = parse_numbers(cells(text), ["个月"])
    assert np.isnan(values.iloc[0]) and bad.tolist() == [True]


def test_numbers_in_scientific_notation_are_read_as_excel_reads_them():
    """1.25E+05 typed as text (as Excel shows a number too wide for its column) was 数字无法识别 in a
    number column, while the amount reader read it."""
    from backlog_cli.parsing import parse_numbers

    values, bad = parse_numbers(cells("1.25E+05", "1e5", "1E5", "+1e+05", "-2.5e-1", ".5e1", "'1.25E+05", "3e0个月",
                                      "1.25E+05 个月"), ["个月"])
    assert values.tolist() == [125000.0, 100000.0, 100000.0, 100000.0, -0.25, 5.0, 125000.0, 3.0, 125000.0]
    assert not bad.any()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=-1e300, max_value=1e300, allow_nan=False), min_size=1, max_size=8),
       st.sampled_from(["{:e}", "{:E}", "{:.3e}", "{!r}"]))
def test_a_number_in_scientific_notation_reads_as_float_reads_it(xs, form):
    from backlog_cli.parsing import parse_numbers

    texts = [form.format(x) for x in xs]
    values, bad = parse_numbers(pd.Series(texts, dtype=object))
    assert values.tolist() == [float(t) for t in texts] and not bad.any()


def test_number_cells_are_read_as_they_are_and_infinity_is_no_number():
    from backlog_cli.parsing import parse_numbers

    values, bad = parse_numbers(cells(3, 2.5, 1e20, -1, float("inf"), float("-inf"), True, dt.date(2025, 1, 1), "+3"))
    assert [None if pd.isna(v) else v for v in values] == [3.0, 2.5, 1e20, -1.0, None, None, None, None, 3.0]
    assert bad.tolist() == [False] * 4 + [True] * 4 + [False]


# number-like text (digits, signs, points, separators, Excel's text mark) with a letter or an
# underscore somewhere in it: what float() or a loose pattern might read
LETTERS = st.one_of(st.characters(min_codepoint=ord("A"), max_codepoint=ord("Z")),
                    st.characters(min_codepoint=ord("a"), max_codepoint=ord("z")),
                    st.characters(min_codepoint=0xFF21, max_codepoint=0xFF3A),  # full-width Ａ-Ｚ: A-Z once cleaned
                    st.sampled_from(["_", "＿", "inf", "Infinity", "nan", "NaN", "e", "E", "e+", "E-"])
                    ).filter(lambda c: not set(unicodedata.normalize("NFKC", c)) <= set("eE+-"))  # an exponent's e
# (1.25E+05, as Excel reads it), full-width Ｅ too: E once cleaned
NUMBER_LIKE = st.text("0123456789,. '+-", max_size=8)


@st.composite
def with_letters(draw, letters=LETTERS) -> str:
    head, tail = draw(NUMBER_LIKE), draw(NUMBER_LIKE)
    text = head + "".join(draw(st.lists(letters, min_size=1, max_size=3))) + tail
    assume(not _clean_strings(pd.Series([text], dtype="str"), " ", mark=True).isna().iat[0])  # nan, 'NaN: blank
    return text


def test_a_full_width_exponent_is_read_as_the_exponent_it_is_once_cleaned():
    from backlog_cli.parsing import parse_numbers

    values, bad = parse_numbers(pd.Series(["0Ｅ0", "１Ｅ２", "1.5Ｅ+3"], dtype=object), ())
    assert values.tolist() == [0.0, 100.0, 1500.0] and not bad.any()
    amounts, bad = parse_amounts(pd.Series(["１．２５Ｅ＋０５"], dtype=object))
    assert amounts.tolist() == [125000.0] and not bad.any()


@settings(max_examples=300, deadline=None)
@given(st.lists(with_letters(), min_size=1, max_size=8), st.sampled_from([(), ("个月", "月"), ("次",)]))
def test_no_text_with_a_letter_or_an_underscore_is_read_as_a_number(texts, units):
    from backlog_cli.parsing import parse_numbers

    values, bad = parse_numbers(pd.Series(texts, dtype=object), units)
    assert values.isna().all(), [t for t, v in zip(texts, values) if not pd.isna(v)]
    assert bad.all()


# the letters an amount may hold are an exponent's e (1.25E+05, as Excel shows a number too wide
# for its column) and RMB before it: no other letter, and no underscore
AMOUNT_LETTERS = st.one_of(st.characters(min_codepoint=ord("A"), max_codepoint=ord("Z")),
                           st.characters(min_codepoint=ord("a"), max_codepoint=ord("z")),
                           st.sampled_from(["_", "＿", "inf", "Infinity", "nan", "NaN"])
                           ).filter(lambda c: not set(c) <= set("eErRmMbB"))


@settings(max_examples=300, deadline=None)
@given(st.lists(with_letters(AMOUNT_LETTERS), min_size=1, max_size=8),
       st.sampled_from(["", "元", "万元", "万"]))
def test_no_text_with_a_letter_or_an_underscore_is_read_as_an_amount(texts, unit):
    texts = [t + unit for t in texts]
    values, bad = parse_amounts(pd.Series(texts, dtype=object))
    assert values.isna().all(), [t for t, v in zip(texts, values) if not pd.isna(v)]
    assert bad.all()


def test_ledger_text_is_held_as_python_strings_whatever_else_is_installed():
    """With pyarrow installed pandas would back text with Arrow (an empty ledger then crashed
    `rank`, and string arithmetic in the amount parser failed): the parsers pin the storage."""
    from backlog_cli import parsing

    assert pd.get_option("mode.string_storage") == "python"
    got = parsing.keep_text(pd.Series(["张三", None], dtype=object))
    assert got.dtype == pd.StringDtype("python", na_value=np.nan)


@pytest.mark.parametrize("text, suffix", [
    ("（万元）", "(万元)"), ("万元", "(万元)"), ("单位：万元", "(单位:万元)"), ("元", "(元)"), ("人民币万元", "(人民币万元)"),
    ("万", "(万)"), ("单位", None), ("执行标的", None), ("单元", None), ("万元整", None),
])
def test_a_unit_alone(text, suffix):
    """What a header cell below another may hold to give it a unit; 单位 alone is a workplace."""
    from backlog_cli.parsing import unit_alone

    assert unit_alone(text) == suffix
