"""Amounts as judgments and 执行依据 write them: Chinese numerals (capital or not), 亿 and 万 with
digits, 元 角 分, 整."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import write_ledger

from backlog_cli.loading import load_ledger
from backlog_cli.parsing import parse_amounts


def amounts(*values, unit: float = 1.0) -> tuple[list[float], list[bool]]:
    got, bad = parse_amounts(pd.Series(list(values), dtype=object), unit)
    return got.tolist(), bad.tolist()


# (text, yuan) worked out by hand
WRITTEN = [
    ("1.5亿", 150_000_000.0),
    ("1.5亿元", 150_000_000.0),
    ("2亿3000万", 230_000_000.0),
    ("1亿零500万", 105_000_000.0),
    ("1亿2,000万", 120_000_000.0),
    ("0.35亿", 35_000_000.0),
    ("1.23456789亿", 123_456_789.0),
    ("-1.5亿", -150_000_000.0),
    ("3万5千", 35_000.0),
    ("1万5000", 15_000.0),
    ("1万零500", 10_500.0),
    ("12.5万元", 125_000.0),
    ("壹万元", 10_000.0),
    ("人民币壹拾贰万叁仟肆佰伍拾陆元柒角捌分", 123_456.78),
    ("伍仟元整", 5_000.0),
    ("叁万元整", 30_000.0),
    ("壹仟陆佰捌拾元零叁角贰分", 1_680.32),
    ("壹仟陆佰捌拾元叁角贰分", 1_680.32),
    ("壹拾万柒仟元零伍角叁分", 107_000.53),
    ("壹拾万零柒仟元", 107_000.0),
    ("壹佰元零伍分", 100.05),
    ("贰亿零壹拾万元", 200_100_000.0),
    ("壹拾亿元", 1_000_000_000.0),
    ("玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分", 999_999_999_999.99),
    ("9999亿9999万9999元9角9分", 999_999_999_999.99),
    ("伍角", 0.5),
    ("零元伍角叁分", 0.53),
    ("零元整", 0.0),
    ("拾元", 10.0),
    ("陆圆整", 6.0),
    ("一万二千元", 12_000.0),
    ("十五万元", 150_000.0),
    ("一十五万元", 150_000.0),
    ("两千元", 2_000.0),
    ("一千〇五元", 1_005.0),
    ("一亿零五千", 100_005_000.0),
    ("3000元正", 3_000.0),
    ("¥壹万元整", 10_000.0),
    ("￥1.5亿", 150_000_000.0),
    ("RMB 1.5亿元", 150_000_000.0),
    ("人民币 壹万元", 10_000.0),
    ("１.５亿元", 150_000_000.0),
    ("壹万元人民币整", 10_000.0),
    # a 零 after digits ending in zeros stands for the places those zeros leave empty
    ("100万零5千", 1_005_000.0),
    ("10万零5千", 105_000.0),
    ("20万零5千元", 205_000.0),
    ("300万零8千", 3_008_000.0),
    ("10,000万零5千", 100_005_000.0),
    ("1000万零5000", 10_005_000.0),
    ("100元零5角", 100.5),
    ("一百万零五千", 1_005_000.0),
    # said short, the last unit left out: the digit fills the place below the unit before it
    ("一万五", 15_000.0),
    ("两万三", 23_000.0),
    ("3万5", 35_000.0),
    ("15万5", 155_000.0),
    ("十五万五", 155_000.0),
    ("一百五", 150.0),
    ("一千五百五", 1_550.0),
    ("一万五千五", 15_500.0),
    ("一亿五", 150_000_000.0),
    ("人民币一万五整", 15_000.0),
    ("一万零五", 10_005.0),  # written out, not said short
    # thousands grouped by spaces, as plain amounts may have them (1 000): they were unreadable here
    ("1 000万5千", 10_005_000.0),
    ("1 000万零5千", 10_005_000.0),
    ("2亿3 000万", 230_000_000.0),
    ("12 345.5万元", 123_455_000.0),
]


def test_written_amounts_read_to_the_fen():
    texts, want = zip(*WRITTEN)
    got, bad = amounts(*texts)
    assert got == list(want)  # exact floats
    assert not any(bad)


def test_explicit_units_win_over_the_column_unit():
    # a 万元 column: a number without 亿 万 元 角 分 is in 万元, as a plain number is
    got, bad = amounts("一千二百", "一千二百元", "1.5亿", "伍角", "3万5千", unit=10_000.0)
    assert got == [12_000_000.0, 1_200.0, 150_000_000.0, 0.5, 35_000.0]
    assert not any(bad)


@pytest.mark.parametrize("unit", [1.0, 10_000.0])
def test_thousands_of_yuan_with_a_decimal_are_read(unit):
    """1.2千元 is 1,200 元 (it was unreadable, though 5千元 was read), whatever the column's unit;
    3千 and 三千 stay thousands of the column's unit (1.5千 stays unreadable: MALFORMED)."""
    got, bad = amounts("1.2千元", "5千元", "1,200.5千元", "1.2千元整", "3千", "三千", unit=unit)
    assert got == [1_200.0, 5_000.0, 1_200_500.0, 1_200.0, 3_000.0 * unit, 3_000.0 * unit]
    assert not any(bad)


MALFORMED = [
    "壹万万", "万元", "1.5.3亿", "5千3万", "亿", "元", "角", "整",
    "一千五万", "1万500", "1000万5", "二十万五", "一千万五", "1.5万5",  # ambiguous: 1500万? 10,500?
    "一万五元", "一万五角", "一万零五千五",  # not said short: 元 or 角 after the digit; a 零 that skips no place
    "一亿五千", "壹亿伍仟元",  # a whole group of four skipped without 零: 1.5亿 as people say it
    "1万亿", "三千三千", "五十五十", "一二三", "1.5千", "12.5千",
    "伍角壹元", "壹元伍", "壹万零伍角", "壹万伍角", "壹元零伍角", "一十零五",
    "壹万元零", "一万零", "零一", "零万", "一千零万", "1.5亿3000万", "3 5万", "0元5角",
    "1,20,000万", "壹万元整整", "若干", "人民币", "1 000 5千", "1000 500万", "1 00万", "1 0000万", "1 000万 5千", "1 000,000万", "1,000 000万",
    "5万零5千", "15万零5千", "5元零5角", "10万零50千",  # the 零 stands for no skipped place
    "9" * 21 + "亿", "9" * 4301 + "亿",  # digit runs beyond 20 digits
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_or_ambiguous_amounts_stay_unreadable(text):
    got, bad = amounts(text)
    assert np.isnan(got[0]) and bad == [True]


def test_a_written_amount_in_a_ledger_and_a_malformed_one_listed_as_before(tmp_path):
    path = write_ledger(tmp_path / "ledger.csv", "案号,立案日期,执行标的（元）", [
        ("(2025)鲁0902执1号", "2025-03-01", "人民币壹拾贰万叁仟肆佰伍拾陆元柒角捌分"),
        ("(2025)鲁0902执2号", "2025-03-01", "壹万万"),
        ("(2025)鲁0902执3号", "2025-03-01", "1.5亿元"),
    ])
    led = load_ledger([path])
    assert led.cases["amount"].tolist()[::2] == [123_456.78, 150_000_000.0]
    assert np.isnan(led.cases["amount"].iloc[1])
    assert led.problems[["row", "column", "value", "problem"]].values.tolist() == [
        [3, "amount", "壹万万", "金额无法识别"]]


def test_a_digit_run_of_20_digits_is_read_and_a_longer_one_in_a_ledger_is_a_value_problem(tmp_path):
    assert amounts("1" + "0" * 19 + "亿") == ([1e27], [False])
    path = write_ledger(tmp_path / "ledger.csv", "案号,立案日期,执行标的（元）", [
        ("(2025)鲁0902执1号", "2025-03-01", "9" * 4301 + "亿"),
        ("(2025)鲁0902执2号", "2025-03-01", "100万零5千"),
    ])
    led = load_ledger([path])
    assert np.isnan(led.cases["amount"].iloc[0]) and led.cases["amount"].iloc[1] == 1_005_000.0
    assert led.problems[["row", "column", "problem"]].values.tolist() == [[2, "amount", "金额无法识别"]]


def test_only_values_of_the_written_alphabet_reach_the_per_value_reader(monkeypatch):
    import backlog_cli.parsing as parsing

    seen = []
    read = parsing._written_amount
    monkeypatch.setattr(parsing, "_written_amount", lambda text, unit: seen.append(text) or read(text, unit))
    got, bad = amounts("123元（已执行）", "见判决书", "壹万元", "12.5 亿", "人民币3万5千元整", "3万5千元（已执行）")
    assert got[2:5] == [10_000.0, 1_250_000_000.0, 35_000.0] and bad == [True, True, False, False, False, True]
    assert sorted(seen) == sorted(["壹万元", "12.5 亿", "人民币3万5千元整"])


# --- properties -------------------------------------------------------------------------------

CAPITALS = "零壹贰叁肆伍陆柒捌玖", ("", "拾", "佰", "仟")
LOWER = "零一二三四五六七八九", ("", "十", "百", "千")


def written(fen: int, numerals: tuple[str, tuple[str, ...]] = CAPITALS) -> str:
    """``fen`` as a cheque writes it: every digit with its place, 万 and 亿 after their groups,
    one 零 for each run of zeros between two digits, 整 when there are no fen."""
    digits, places = numerals
    yuan, jiao, fen_digit = fen // 100, fen // 10 % 10, fen % 10
    out: list[str] = []
    zero = False
    for place in range(len(str(yuan)) - 1, -1, -1) if yuan else ():
        d = yuan // 10 ** place % 10
        if d:
            out += ["零"] * zero + [digits[d], places[place % 4]]
            zero = False
        else:
            zero = True
        if place in (4, 8) and yuan // 10 ** place % 10_000:
            out.append("万" if place == 4 else "亿")
    if yuan:
        out.append("元")
    for d, unit in ((jiao, "角"), (fen_digit, "分")):
        if d:
            out += ["零"] * zero + [digits[d], unit]
            zero = False
        elif out:
            zero = True
    if not out:
        out.append("零元")
    return "".join(out) + ("整" if fen_digit == 0 else "")


def test_the_test_formatter():
    assert written(12_345_678) == "壹拾贰万叁仟肆佰伍拾陆元柒角捌分"
    assert written(168_032) == "壹仟陆佰捌拾元零叁角贰分"
    assert written(10_500_000_000) == "壹亿零伍佰万元整"
    assert written(10_005) == "壹佰元零伍分"
    assert written(5) == "伍分"
    assert written(0) == "零元整"
    assert written(1_500_000, LOWER) == "一万五千元整"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10 ** 12), st.booleans(), st.sampled_from(["", "人民币", "¥", "￥ "])),
                min_size=1, max_size=20))
def test_capital_and_lower_numerals_read_back_exactly(draws):
    texts, want = [], []
    for fen, lower, prefix in draws:
        text = written(fen, LOWER if lower else CAPITALS)
        if lower and text.startswith("一十"):
            text = text[1:]  # 十五万: 一 left out before a leading 十
        texts.append(prefix + text)
        want.append(fen / 100)  # the float nearest the exact amount
    got, bad = amounts(*texts)
    assert got == want
    assert not any(bad)


# The amount regex as it was before written amounts were read: what it accepted must read the same.
OLD_AMOUNT_TEXT = re.compile(
    r"^(?:人民币|[Rr][Mm][Bb])? ?[¥$]? ?"
    r"(?P<num>-?(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]{1,3})?|\.[0-9]+))"
    r" ?(?P<unit>万元|万|元)?(?:人民币)?整?$"
)


def old_amount(text: str, unit: float) -> float:
    """The amount the parser read from a cleaned text before; NaN where it refused it."""
    m = OLD_AMOUNT_TEXT.search(text)
    if m is None:
        return np.nan
    scale = {"万元": 10_000.0, "万": 10_000.0, "元": 1.0}.get(m["unit"], unit)
    return float(np.round(float(m["num"].replace(",", "")) * scale, 6))


PLAIN = st.tuples(
    st.sampled_from(["", "", "-", "人民币", "¥", "RMB ", "$"]),
    st.one_of(st.text("0123456789,.", min_size=1, max_size=16),
              st.decimals(min_value=0, max_value=10 ** 12, places=2).map(str),
              st.integers(0, 10 ** 12).map("{:,}".format),
              st.text("0123456789.零一二十百千万亿壹拾佰仟元角分", min_size=1, max_size=8)),
    st.sampled_from(["", "", "元", "万", "万元", " 万", "亿", "整", "元整", "人民币", "e5", "角"]),
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(PLAIN, min_size=1, max_size=12), st.sampled_from([1.0, 10_000.0]))
def test_what_the_old_parser_read_reads_the_same(texts, unit):
    got, bad = amounts(*texts, unit=unit)
    for text, value, unreadable in zip(texts, got, bad):
        before = old_amount(text.strip(), unit)
        if not np.isnan(before):
            assert value == before, text
        assert unreadable == np.isnan(value)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 9), st.integers(1, 9), st.sampled_from([(2, "百佰"), (3, "千仟"), (4, "万万"), (8, "亿亿")]),
       st.sampled_from(["digits", "lower", "capitals"]))
def test_an_amount_said_short_is_the_one_said_in_full(first, second, unit, numerals):
    """一万五 is 一万五千: the lone last digit takes the place below its unit's, in every numeral."""
    place, (lower, capital) = unit
    digit = {"digits": str, "lower": LOWER[0].__getitem__, "capitals": CAPITALS[0].__getitem__}[numerals]
    short = f"{digit(first)}{capital if numerals == 'capitals' else lower}{digit(second)}"
    got, bad = amounts(short)
    assert got == [float((first * 10 + second) * 10 ** (place - 1))] and bad == [False], short


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10 ** 7), st.integers(1, 9), st.integers(1_000, 9_999), st.sampled_from([1.0, 10_000.0]))
def test_thousands_grouped_in_a_written_amount_read_as_without(wan, thousands, tail, unit):
    """1 000万5千 and 1,000万5千 are 1000万5千, as 1 000 and 1,000 are 1000."""
    forms = [f"{wan}万{thousands}千", f"{wan}亿{tail}万", f"{wan}万零{thousands}元"]
    grouped = [f.replace(str(wan), f"{wan:,}") for f in forms]
    got, bad = amounts(*forms, *grouped, *(g.replace(",", " ") for g in grouped), unit=unit)
    assert got == got[:3] * 3 and not any(bad)
