"""The fast string paths give exactly what the pandas/regex chains they replace gave."""

import sys
import unicodedata
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backlog_cli import parsing
from backlog_cli.loading import TOTALS_MARKS, _blank_to_na, _first_cells, _may_hold


def test_whitespace_set_is_str_split_plus_two():
    odd = [chr(c) for c in range(sys.maxunicode + 1) if bool(parsing._WS_RUN.fullmatch(chr(c))) != chr(c).isspace()]
    assert odd == ["\u200b", "\ufeff"]


def test_clean_strings_matches_the_regex_chain():
    s = pd.Series([" 张\u3000三 ", "ＡＢ\u200b c", "\ufeff", "x\t\ny", "-", "已 结"], dtype="str")
    spaced = parsing._clean_strings(s)
    assert spaced.iloc[[0, 1, 3, 5]].tolist() == ["张 三", "AB c", "x y", "已 结"]
    assert spaced.iloc[[2, 4]].isna().all()
    joined = parsing._clean_strings(s, "")
    assert joined.iloc[[0, 1, 3, 5]].tolist() == ["张三", "ABc", "xy", "已结"]


def test_extract_like_str_extract():
    s = pd.Series(["2016年3月5日", "bad", None, "2016.03.05"], dtype="str")
    out = parsing._extract(s, parsing._DATE_TEXT)
    assert out["year"].isna().tolist() == [False, True, True, False]
    assert out.loc[0, ["year", "month", "day"]].tolist() == ["2016", "3", "5"]
    assert out.loc[3, ["year", "month", "day"]].tolist() == ["2016", "03", "05"]


def test_first_cells_and_without_spaces():
    frame = pd.DataFrame({"a": [None, "1", None], "b": ["合 计", "x", None], "c": [None, None, None]}, dtype=object)
    first = _first_cells(frame)
    assert first.iloc[0] == "合 计" and first.iloc[1] == "1" and first.isna().iloc[2]
    spaceless = parsing.without_spaces(first)
    assert spaceless.iloc[:2].tolist() == ["合计", "1"] and spaceless.isna().iloc[2]


def test_the_totals_screen_clears_only_text_without_their_marks():
    """A column of text and missing cells (a text ledger's) is cleared of totals words by one
    search of its texts joined; a text holding 计 or 总, or a cell of another kind (a workbook's
    number), sends it to the test per cell."""
    assert not _may_hold(np.array(["(2025)鲁0902执1号", None, float("nan"), "张三"], dtype=object), TOTALS_MARKS)
    assert not _may_hold(np.array([], dtype=object), TOTALS_MARKS)
    assert _may_hold(np.array(["张三", "本页合计"], dtype=object), TOTALS_MARKS)
    assert _may_hold(np.array(["张三", None, "汇总"], dtype=object), TOTALS_MARKS)
    assert _may_hold(np.array(["张三", 5.0], dtype=object), TOTALS_MARKS)


def test_blank_to_na_gives_the_missing_mask_it_leaves():
    frame = pd.DataFrame({"a": ["", None, "x", float("nan")], "b": [1.0, "", " ", "y"]}, dtype=object)
    body, missing = _blank_to_na(frame)
    assert missing["a"].tolist() == [True, True, False, True]
    assert missing["b"].tolist() == [False, True, False, False]
    assert body.isna().equals(missing)
    assert body.loc[2, "b"] == " " and body["a"].dtype == object


def test_parsers_with_a_given_missing_mask_match_without():
    s = pd.Series(["(2016)鲁0902执123号", None, " ", 20160305, "否"], dtype=object)
    miss = s.isna().to_numpy()
    pd.testing.assert_series_equal(parsing.keep_text(s, miss), parsing.keep_text(s))
    dates, bad = parsing.parse_dates(s, miss)
    assert dates.iloc[3] == pd.Timestamp("2016-03-05") and bad.tolist() == [True, False, False, False, True]
    parts, bad = parsing.parse_case_numbers(s, miss)
    assert parts.loc[0, "case_seq"] == 123 and bad.tolist() == [False, False, False, True, True]
    flags, _ = parsing.parse_flags(s, miss)
    assert flags.iloc[4] is not pd.NA and not flags.iloc[4]
    blank = pd.Series([None, float("nan")], dtype=object)
    assert parsing.keep_text(blank, blank.isna().to_numpy()).isna().all()


def test_clean_strings_as_typed_strips_and_blanks_in_one_pass():
    s = pd.Series([" 张 三，\u3000", "\u2014\u2014", " // ", None, "a\u200b"], dtype="str")
    out = parsing._clean_strings(s, None)
    assert out.iloc[[0, 4]].tolist() == ["张 三，", "a"]
    assert out.iloc[[1, 2, 3]].isna().all() and str(out.dtype) == "str"


def test_every_totals_word_has_the_mark_the_skip_check_looks_for():
    from backlog_cli.loading import TOTAL_WORDS, TOTALS_MARKS

    assert len(TOTALS_MARKS) == 2 and all(any(mark in word for mark in TOTALS_MARKS) for word in TOTAL_WORDS)


# --- code-point fast paths: each agrees with the per-value path it shortcuts -------------------

# ASCII, full-width forms, CJK, brackets, whitespace of several kinds, a combining mark, NUL,
# Arabic-Indic and full-width digits, compatibility ideographs and letters NFKC changes
AWKWARD = "09aZ.,-/+e()（）１２３０〔〕【】[]鲁执号字第万元年月日 \u3000\t\u200b\ufeff\u0301\x00٣٤\uf900ﬁ½—–NnUuLl#Ａ"


def _objects(values) -> np.ndarray:
    return np.array(list(values), dtype=object)


def test_character_classes_agree_with_unicodedata():
    keep = np.flatnonzero(parsing._CLASS == parsing._KEEP)
    full = np.flatnonzero(parsing._CLASS == parsing._FULL)
    assert len(keep) > 20000 and len(full) == 94
    for cp in keep[1:]:  # U+0000 aside
        c = chr(cp)
        assert unicodedata.normalize("NFKC", c) == c and not c.isspace() and unicodedata.combining(c) == 0
    for cp in full:
        assert unicodedata.normalize("NFKC", chr(cp)) == chr(cp - parsing._FULL_SHIFT)
        assert parsing._CLASS[cp - parsing._FULL_SHIFT] == parsing._KEEP
    # no character composes with a preceding one when it is kept: strings of them stay normal
    seconds = {d[1] for c in map(chr, range(sys.maxunicode + 1))
               if len(d := unicodedata.decomposition(c).split()) == 2 and not d[0].startswith("<")}
    assert not [s for s in seconds if parsing._CLASS[int(s, 16)]]


BLANK_FIRSTS = {w[:1] or "\x00" for w in parsing.BLANK_WORDS}


def _check_clean_fast(texts: list[str]) -> np.ndarray:
    values = _objects(texts)
    done, out, short, marked = parsing._clean_fast(values)
    for v, d, o, s, m in zip(values, done, out, short, marked):
        if d:
            assert o == parsing._clean_one(v, " ") == parsing._clean_one(v, ""), v
            # every blank word is looked up; of the others, only a few short texts that begin as one does
            assert s == (len(o) <= max(map(len, parsing.BLANK_WORDS)) and (o[:1] or "\x00") in BLANK_FIRSTS), v
            assert m == o.startswith(parsing.TEXT_MARK)
        else:
            assert not m
    return done


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(AWKWARD, max_size=10), max_size=6))
def test_clean_fast_matches_clean_one(texts):
    _check_clean_fast(texts)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=6))
def test_clean_fast_matches_clean_one_on_any_text(texts):
    _check_clean_fast(texts)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(AWKWARD, max_size=10), st.text(max_size=40),
                          st.sampled_from(["-", "－", "—", "//", "／", " ", "a\x00", "（甲）", "甲（乙）" * 9])), max_size=8))
def test_clean_values_cleans_each_value_as_normalize_value(texts):
    """The rules clean their distinct values with this: each as normalize_value, a blank word None."""
    values = _objects(texts)
    want = [None if (c := parsing.normalize_value(v)) in parsing.BLANK_WORDS else c for v in values]
    assert parsing.clean_values(values).tolist() == want


def _unmarked_one_by_one(v: str | None, sep: str) -> str | None:
    """What :func:`parsing._clean_strings` with ``mark`` gives for one value, worked out alone."""
    c = None if v is None else parsing._clean_one(v, sep)
    if c is None or c in parsing.BLANK_WORDS:
        return None
    if not c.startswith("'"):
        return c
    rest = c[1:].strip()
    return c if not rest else None if rest in parsing.BLANK_WORDS else rest


MARKED = st.one_of(st.text(AWKWARD, max_size=10), st.text(max_size=12),
                   st.tuples(st.sampled_from(["'", "＇", " '", "''", "' ", "'\u3000", "\u3000＇"]),
                             st.sampled_from(["", "-", "—", "/", " ", "2025-01-02", "(2025)鲁0902执1号", "5000", "'5",
                                              "张 三", "ａ"])).map("".join))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(MARKED, st.none()), max_size=8), st.sampled_from([" ", ""]))
def test_excels_text_mark_is_dropped_from_any_text_as_one_by_one(texts, sep):
    """The mark before a value the parsers read is dropped in one place, as the text is cleaned:
    found from the code points where the fast path cleans, one by one elsewhere, with the same
    result: what follows it, blank when that is blank, a mark alone left as it is."""
    got = parsing._clean_strings(pd.Series(texts, dtype="str"), sep, mark=True)
    assert [None if pd.isna(v) else v for v in got] == [_unmarked_one_by_one(v, sep) for v in texts]


def test_clean_fast_takes_the_common_forms():
    texts = ["（2016）鲁0902执123号", "ABC", "１２３", "张三", "〔2015〕泰执字第9号", "-", "a\x00", "ｂ\x00"]
    assert _check_clean_fast(texts).tolist() == [True] * 7 + [False]  # a lost trailing NUL: slow path
    raw = [*texts, "张 三", " ", "－", None, "１２\u3000", "NULL", "ｎｕｌｌ", "#N/A", "None", "nan", "n/a", "NA", "Nullah"]
    for sep in (" ", ""):
        want = [None if v is None or (c := parsing._clean_one(v, sep)) in parsing.BLANK_WORDS else c for v in raw]
        got = parsing._clean_strings(pd.Series(raw, dtype="str"), sep)
        assert got.tolist() == [np.nan if w is None else w for w in want]
        assert got.isna().tolist()[-8:] == [True, True, False, True, True, True, False, False]  # not #N/A


def _check_case_fast(texts: list[str]) -> np.ndarray:
    values = _objects(texts)
    rows, fields = parsing._case_fields_fast(values)
    for i, row in enumerate(rows):
        got = tuple(f[i] for f in fields)
        assert got == parsing._case_fields(values[row]), values[row]
    assert all(parsing._case_fields(v)[1] is None or "字第" in v or "最高法" in v or len(v) > parsing._WIDE
               for v in np.delete(values, rows))  # every readable new-form number is taken
    return rows


CASE_PIECES = st.lists(st.sampled_from(
    ["(", "〔", "[", "【", "（", ")", "〕", "]", "】", "2016", "1949", "2101", "2100", "1950", "鲁", "京", "泰",
     "0902", "09", "12345", "执", "恢", "保", "他", "字第", "号", "0", "1", "123456789", "1234567890", "１",
     "٣", " ", "\x00", "最高法"]), max_size=10).map("".join)


# near-canonical case numbers, every part drawn with awkward variants
NEAR_CASE_NUMBERS = st.tuples(
    st.sampled_from(["(", "〔", "[", "【", "（", "", "("]),
    st.sampled_from(["2016", "1949", "1950", "2100", "2101", "201", "20166", "２０１６", "20٣6"]),
    st.sampled_from([")", "〕", "]", "】", "）", ""]),
    st.sampled_from(["鲁", "京", "兵", "泰", "最高法", "", "鲁鲁"]),
    st.text("0123456789", max_size=6),
    st.sampled_from(["执", "执恢", "执他", "执执", "恢", "", "执字第", "执 "]),
    st.text("0123456789", max_size=11),
    st.sampled_from(["号", "", "号号", "x"]),
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(NEAR_CASE_NUMBERS, max_size=8))
def test_case_fields_fast_matches_the_regex_path(texts):
    _check_case_fast(texts)


@settings(max_examples=200, deadline=None)
@given(st.lists(CASE_PIECES, max_size=6))
def test_case_fields_fast_matches_the_regex_path_on_pieces(texts):
    _check_case_fast(texts)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text("()〔〕0123456789鲁执恢字第号", max_size=20), max_size=6))
def test_case_fields_fast_matches_the_regex_path_on_any_text(texts):
    _check_case_fast(texts)


def test_case_fields_fast_takes_the_common_forms():
    texts = ["(2016)鲁0902执123号", "〔2020〕鲁执恢0001", "(2100)京09执保999999999号", "(1950)鲁1234执1",
             "(2015)泰执字第9号", "(2016)最高法执1号", "(1949)鲁执1号", "(2016)鲁12345执1号", "(2016)鲁执", "(2101)鲁执1号",
             "(2016)鲁执1234567890号", "2016鲁0902执123号", "2016鲁执1", "2100京09执保999999999号", "(2016鲁执1号",
             "2016)鲁执1号", "2016泰执字第9号", "20166鲁执1号", "1949鲁执1号", "〔2016鲁0902执恢1", "2016】鲁执1号",
             "(2016)鲁执1号)", "2016鲁(执1号", "((2016)鲁执1号", "2016))鲁执1号", "(20166鲁执1号", "(2016)(鲁执1号"]
    assert _check_case_fast(texts).tolist() == [0, 1, 2, 3, 11, 12, 13, 14, 15, 19, 20]


def _check_amounts_fast(texts: list[str], unit: float) -> np.ndarray:
    values = _objects(texts)
    rows, amounts = parsing._amounts_fast(values, unit)
    want = parsing._amounts_by_regex(pd.Series(values[rows], dtype="str"), unit).to_numpy()
    assert amounts.tolist() == want.tolist()  # exact floats, not close ones
    return rows


AMOUNT_TEXT = st.one_of(
    st.tuples(st.sampled_from(["", "", "-", "+", " ", "１", "٣", "人民币", "¥", "'", "''", "'-", "' "]),
              st.text("0123456789,. ", min_size=1, max_size=19),
              st.sampled_from(["", "", "元", "万元", "万", "万万", "元万", " 元", "e5", "整", "１"])).map("".join),
    st.decimals(min_value=0, max_value=Decimal("1e16"), places=4).map(str),
    st.floats(min_value=0, max_value=1e15).map(lambda x: f"{x:,.3f}"),
    st.sampled_from(["0", "00", "0.0", "12.", ".5", "1e5", "inf", "nan", "１２３", " 12 ", "1,234", "1234,567",
                     "1,23", "1,234,567.891万元", "999999999999999", "9999999999999999", "0.000000000000001",
                     "1.2.3", "1..2", ",123", ",123.4", "1,234.5,6"]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(AMOUNT_TEXT, max_size=8), st.sampled_from([1.0, 10000.0]))
def test_amounts_fast_matches_the_regex_path(texts, unit):
    _check_amounts_fast(texts, unit)


def test_amounts_fast_takes_the_common_forms():
    texts = ["292600", "8,541.69", "26.4万元", "39877元", "1.96万", "0", "12.", "1,234,567.5",
             "1e5", "-5", "+5", ".5", "１２３", "1,23", "12 元", "¥5", "1234567890123456", "'292600", "'-5", "''5",
             "'", "',5", "1 000", "'1234,567"]  # Excel's text mark is dropped before: the regex path refuses it too
    assert _check_amounts_fast(texts, 1.0).tolist() == list(range(8))


def _check_numbers_fast(texts: list[str]) -> np.ndarray:
    values = _objects(texts)
    rows, numbers = parsing._amounts_fast(values, 1.0, units=False)
    want = [parsing._number_from_text(v, ("个月", "元")) for v in values[rows]]
    assert numbers.tolist() == want  # exact floats, not close ones
    return rows


@settings(max_examples=400, deadline=None)
@given(st.lists(AMOUNT_TEXT, max_size=8))
def test_numbers_fast_matches_the_per_value_reader(texts):
    """The plain numbers of a number column are read from their code points, as the amount reader
    reads them; what it takes, the per-value reader reads the same (no unit after it: 3元 is no
    number of a number column)."""
    _check_numbers_fast(texts)


def test_numbers_fast_takes_the_plain_numbers_only():
    texts = ["3", "1,000", "2.5", "12.", "1,234,567.5",
             "3元", "3万", "-3", "+3", "1e5", "inf", "nan", "1_000", "1 000", "３", "三", "3个月", "'", ".5", "'3"]
    assert _check_numbers_fast(texts).tolist() == list(range(5))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.integers(1940, 2110), st.just(float("nan"))), st.integers(-1, 14),
                          st.integers(-1, 33)), min_size=1, max_size=30))
def test_assembled_dates_match_pandas(parts):
    """Dates built from year, month and day in numpy are what pd.to_datetime of the parts gives
    (years outside 1950-2100 and impossible days NaT)."""
    y, m, d = (pd.Series([p[i] for p in parts], dtype="float64") for i in range(3))
    frame = pd.DataFrame({"year": y, "month": m, "day": d}).where((y >= 1950) & (y <= 2100), axis=0)
    want = pd.to_datetime(frame, errors="coerce").to_numpy("datetime64[ns]")
    assert pd.Series(parsing._assemble(y, m, d)).equals(pd.Series(want))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(AWKWARD + "-/—", max_size=40), st.sampled_from(sorted(parsing.BLANK_WORDS)), st.none()),
                max_size=12))
def test_strip_text_matches_strip_one_by_one(texts):
    """Free text stripped of the whitespace _WS knows (U+200B and U+FEFF among it), blank words
    dropped, whatever the characters around it."""
    want = [None if v is None or v.strip(parsing._STRIP) in parsing.BLANK_WORDS else v.strip(parsing._STRIP)
            for v in texts]
    got = parsing._strip_text(pd.Series(texts, dtype="str"))
    assert [None if pd.isna(v) else v for v in got] == want


def test_strip_text_keeps_clean_text_as_the_same_objects():
    texts = pd.Series(["张三", " 李四", "被执行人王五有限公司", "-", "长" * 40], dtype="str")
    got = parsing._strip_text(texts)
    assert got.tolist()[:3] == ["张三", "李四", "被执行人王五有限公司"] and pd.isna(got[3]) and got[4] == "长" * 40
    assert got.iloc[2] is texts.iloc[2]


ISO_LIKE = st.one_of(
    st.text("0123456789-/.年月日 T:", max_size=14),
    st.tuples(st.integers(1940, 2110), st.sampled_from("--/.年月x"), st.integers(0, 13), st.sampled_from("--/.月日x"),
              st.integers(0, 32)).map(lambda t: f"{t[0]:04d}{t[1]}{t[2]:02d}{t[3]}{t[4]:02d}"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(ISO_LIKE, st.none()), max_size=10))
def test_iso_dates_fast_path_matches_the_regex(texts):
    """Dates read from the code points of YYYY-MM-DD text are what the regex path reads (impossible
    dates and years outside 1950-2100 NaT), and other text is left to it."""
    s = pd.Series(texts, dtype="str")
    got = parsing._dates_from_text(s)
    slow = pytest.MonkeyPatch()
    slow.setattr(parsing, "_iso_dates_fast", lambda values: (np.empty(0, np.intp), np.empty(0, "datetime64[ns]")))
    try:
        want = parsing._dates_from_text(s)
    finally:
        slow.undo()
    assert got.equals(want)


def test_iso_dates_take_the_fast_path():
    rows, dates = parsing._iso_dates_fast(np.array(["2016-03-05", "2016-3-5", "2016-02-30", "2016/03/05"], dtype=object))
    assert rows.tolist() == [0, 2] and str(dates[0])[:10] == "2016-03-05" and np.isnat(dates[1])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)),
                min_size=1, max_size=30))
def test_max_display_width_matches_measuring_each_string(texts):
    """The widest column text measured as rows of code points is what measuring each string's
    UTF-8 bytes gives (display_widths), capped."""
    from backlog_cli import outputs

    s = pd.Series(texts, dtype="str")
    expected = min(int(outputs.display_widths(s).max()), outputs.MAX_COL_WIDTH)
    assert outputs.max_display_width(s, s.str.len()) == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.just(float("nan")), st.integers(0, 3), st.floats(0, 3),
                          st.sampled_from(["甲", "乙", "（丙）", "", "a b"]), st.text(AWKWARD, max_size=4)),
                min_size=1, max_size=12),
       st.integers(0, 2**32 - 1), st.sampled_from([10, 2_000, 6_000]), st.booleans())
def test_factorize_objects_gives_what_pd_factorize_gives(pool, seed, n, shared):
    """The codes and distinct values of pd.factorize, whether a column's equal cells are one object
    each (as the loader leaves a block) or copies (as a workbook gives them), short or long."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(pool), n)
    cells = [pool[i] if shared or not isinstance(pool[i], str) else "".join(list(pool[i])) for i in picks]
    values = np.empty(n, dtype=object)
    values[:] = cells
    codes, uniques = parsing.factorize_objects(values)
    want_codes, want_uniques = pd.factorize(values, use_na_sentinel=True)
    assert codes.tolist() == want_codes.tolist()
    assert [(type(u), u) for u in uniques] == [(type(u), u) for u in want_uniques]


def test_factorize_objects_goes_by_object_when_equal_cells_share_one(monkeypatch):
    """A column of a few objects repeated is factorized by value only over its distinct objects."""
    values = np.empty(10_000, dtype=object)
    values[:] = [["执行中", "已结", None][i % 3] for i in range(10_000)]
    seen = []
    factorize = pd.factorize
    monkeypatch.setattr(pd, "factorize", lambda v, **kw: (seen.append((v.dtype, len(v))), factorize(v, **kw))[1])
    codes, uniques = parsing.factorize_objects(values)
    assert codes.tolist() == [[0, 1, -1][i % 3] for i in range(10_000)] and uniques.tolist() == ["执行中", "已结"]
    assert (np.dtype(object), 3) in seen and (np.dtype(object), 10_000) not in seen
