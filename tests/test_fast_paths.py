"""The fast string paths give exactly what the pandas/regex chains they replace gave."""

import sys

import pandas as pd

from backlog_cli import parsing
from backlog_cli.loading import _blank_to_na, _first_cells


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
    from backlog_cli.loading import TOTAL_WORDS, TOTALS_MARK

    assert all(TOTALS_MARK in word for word in TOTAL_WORDS)
