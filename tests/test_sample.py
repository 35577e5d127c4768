"""The sample-ledger generator: determinism, layout, committed samples and value invariants."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from typer.testing import CliRunner

from backlog_cli.cli import app
from backlog_cli.errors import ConfigError
from backlog_cli.sample import (
    BAD_CASE_NO,
    BAD_FILED_ON,
    COMMITTED,
    HEADER,
    NOTES_SHEET,
    OFFICERS,
    _amount_cells,
    _date_cells,
    generate,
    write_sample,
)

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
AS_OF = date(2026, 11, 23)
COL = {name: i for i, name in enumerate(HEADER)}
CLOSE_METHODS = {"执行完毕", "终结本次执行程序", "终结执行", "销案", "不予执行", "驳回申请"}
CASE_NO = re.compile(r"\((\d{4})\)(?:鲁0902(执恢|执保|执异|执)(\d+)|泰执字第(\d{5}))号")


def as_date(value) -> date | None:
    """Read a date the way the clerk wrote it (test-side parser, independent of the package)."""
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, int):
        return date(1899, 12, 30) + timedelta(days=value)
    m = re.fullmatch(r"(\d{4})[年.\-/](\d{1,2})[月.\-/](\d{1,2})日?", value)
    m = m or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", value)
    return date(*map(int, m.groups())) if m else None


def as_amount(value) -> float | None:
    if value is None or isinstance(value, float):
        return value
    if value.endswith("万元"):
        return round(float(value[:-2]) * 10000, 2)
    return float(value.removesuffix("元").replace(",", ""))


def normal_case_no(value: str) -> str:
    return value.translate(str.maketrans("（）〔〕", "()()")).replace(" ", "")


def case_rows(sheets):
    """(sheet, Excel row, row) for every case row (序号 is a number) of the ledger sheets."""
    return [
        (s.name, i + 4, r)
        for s in sheets
        if s.header
        for i, r in enumerate(s.rows)
        if isinstance(r[0], int)
    ]


@pytest.fixture(scope="module")
def big():
    return generate(600, seed=7, as_of=AS_OF)


def test_same_arguments_give_the_same_bytes(tmp_path):
    for name in ("a.csv", "b.csv", "a.xlsx", "b.xlsx"):
        write_sample(tmp_path / name, 80, 5, as_of=AS_OF)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_another_seed_gives_other_data(tmp_path):
    write_sample(tmp_path / "a.csv", 80, 5)
    write_sample(tmp_path / "b.csv", 80, 6)
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "b.csv").read_bytes()
    assert [r[1:] for r in generate(50, 5)[1].rows] != [r[1:] for r in generate(50, 6)[1].rows]


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_committed_samples_can_be_regenerated(tmp_path, name):
    write_sample(tmp_path / name, **COMMITTED[name])
    assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes()


def test_workbook_has_title_notes_and_year_sheets():
    wb = openpyxl.load_workbook(SAMPLES / "ledger.xlsx")
    assert wb.sheetnames == [NOTES_SHEET, "2025年", "2026年"]
    notes = wb[NOTES_SHEET]
    assert notes["A1"].value == "填表说明"
    assert all(c.value not in HEADER for row in notes.iter_rows() for c in row)
    for name, title in (("2025年", "××区人民法院执行积案台帐（2025年及以前）"), ("2026年", "××区人民法院执行积案台帐（2026年）")):
        ws = wb[name]
        assert ws["A1"].value == title
        assert [str(r) for r in ws.merged_cells.ranges] == ["A1:T1"]
        assert [c.value for c in ws[3]] == HEADER
    assert wb["2025年"]["A2"].value is None
    assert wb["2026年"]["A2"].value == "填报单位：执行局综合组　　统计截止：2026年11月23日"
    assert wb.properties.created.isoformat() == "2026-11-23T09:00:00"


def test_workbook_dates_are_date_cells():
    ws = openpyxl.load_workbook(SAMPLES / "ledger.xlsx")["2026年"]
    # row 4 is the first case; its filing date was drawn as a date cell
    cell = ws.cell(4, COL["立案日期"] + 1)
    assert cell.is_date and cell.number_format == "yyyy-mm-dd"


def test_committed_workbook_mistakes_where_the_readme_says():
    wb = openpyxl.load_workbook(SAMPLES / "ledger.xlsx")
    old, new = wb["2025年"], wb["2026年"]
    assert old["C111"].value is None and old["B111"].value == "(2025)鲁0902执81号"
    assert new["C8"].value == BAD_FILED_ON
    assert new["B68"].value == BAD_CASE_NO
    assert old["B48"].value == old["B53"].value == "（2024）鲁0902执105号"
    assert all(c.value is None for c in old[57])
    assert [c.value for c in old[85]] == HEADER
    assert (old["A167"].value, old["B167"].value) == ("合计", "共161件")
    assert (new["A143"].value, new["B143"].value) == ("合计", "共139件")
    assert (old.max_row, new.max_row) == (167, 143)


def test_committed_csv_is_one_gbk_table():
    with open(SAMPLES / "ledger.csv", encoding="gbk", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == HEADER
    assert len(rows) == 1 + 120 + 3  # header, cases, blank + repeated header + 合计
    assert rows[41] == [""] * 20 and rows[62] == HEADER
    assert rows[-1][:2] == ["合计", "共120件"]
    assert rows[18][1] == rows[23][1] == "（2024）鲁0902执1025号"
    assert (rows[44][2], rows[69][2], rows[93][1]) == ("", BAD_FILED_ON, BAD_CASE_NO)
    numbers = [int(r[0]) for r in rows[1:] if r[0].isdigit()]
    assert numbers == list(range(1, 121))
    assert (SAMPLES / "ledger.csv").read_bytes()[:2] != b"\xef\xbb"  # no BOM in the GBK sample


def test_rows_counts_case_rows_and_mistakes_occur_once(big):
    rows = case_rows(big)
    assert len(rows) == 600
    assert sum(r[COL["立案日期"]] is None for _, _, r in rows) == 1
    assert sum(r[COL["立案日期"]] == BAD_FILED_ON for _, _, r in rows) == 1
    assert sum(r[COL["案号"]] == BAD_CASE_NO for _, _, r in rows) == 1
    numbers = Counter(normal_case_no(r[COL["案号"]]) for _, _, r in rows)
    assert [n for n, k in numbers.items() if k > 1] == [normal_case_no(next(
        r[1] for _, _, r in rows if numbers[normal_case_no(r[1])] == 2))]
    all_rows = [r for s in big[1:] for r in s.rows]
    assert sum(all(v is None for v in r) for r in all_rows) == 1
    assert sum(r == HEADER for r in all_rows) == 1
    assert [s.rows[-1][0] for s in big[1:]] == ["合计", "合计"]


def test_duplicate_is_a_later_copy_in_the_same_sheet(big):
    rows = case_rows(big)
    seen = {}
    for sheet, excel, r in rows:
        key = normal_case_no(r[1])
        if key in seen:
            first_sheet, first_excel, first = seen[key]
            assert sheet == first_sheet and excel == first_excel + 5
            assert r[1:] == first[1:]
        seen[key] = (sheet, excel, r)


def test_dates_are_in_range_and_consistent(big):
    for _, _, r in case_rows(big):
        filed = as_date(r[COL["立案日期"]])
        closed = as_date(r[COL["结案日期"]])
        if filed is None:
            continue
        assert date(2014, 1, 1) <= filed <= AS_OF
        assert filed.weekday() < 5
        status, method = r[COL["案件状态"]], r[COL["结案方式"]]
        if closed is None:
            assert method is None and status in {"在办", "执行中", "中止"}
        else:
            assert filed < closed <= AS_OF
            assert method in CLOSE_METHODS and status in {"已结", "终本"}
            if method == "终结本次执行程序":
                assert (closed - filed).days > 90
        suspended, resumed = as_date(r[COL["中止日期"]]), as_date(r[COL["恢复日期"]])
        assert (status == "中止") == (suspended is not None and resumed is None)
        if resumed is not None:
            assert filed < suspended < resumed <= AS_OF
        expected = r[COL["预计结案时间"]]
        if expected is not None and expected != "年底前":
            assert as_date(expected) > AS_OF and closed is None


def test_the_ledger_spreads_over_ages_and_kinds(big):
    rows = [r for _, _, r in case_rows(big)]
    ages = [(AS_OF - d).days for d in (as_date(r[2]) for r in rows) if d]
    open_ages = [(AS_OF - as_date(r[2])).days for r in rows if as_date(r[2]) and r[COL["结案日期"]] is None]
    assert min(open_ages) < 90 and any(a > 365 for a in open_ages)
    assert any(90 < a < 180 for a in open_ages) and any(180 < a < 365 for a in open_ages)
    assert sum(a < 365 for a in ages) > sum(365 <= a < 730 for a in ages)
    closed = sum(r[COL["结案日期"]] is not None for r in rows) / len(rows)
    assert 0.35 < closed < 0.55
    statuses = Counter(r[COL["案件状态"]] for r in rows)
    assert set(statuses) == {"在办", "执行中", "中止", "已结", "终本"}
    respondents = " ".join(r[COL["被执行人"]] for r in rows)
    for word in ("有限公司", "村民委员会", "医院"):
        assert word in respondents
    assert any("农民工" in r[COL["申请执行人"]] for r in rows)
    assert any(r[COL["案由"]] == "非诉行政执行" and "行审" in (r[COL["执行依据文号"]] or "") for r in rows)
    assert {None} < set(r[COL["承办人"]] for r in rows) and "王　磊" in {r[COL["承办人"]] for r in rows}


def test_case_numbers_parse_and_grow_within_year_and_type(big):
    last: dict[tuple[str, str], int] = {}
    years = Counter()
    for _, _, r in case_rows(big):
        if r[1] == BAD_CASE_NO:
            continue
        m = CASE_NO.fullmatch(normal_case_no(r[1]))
        assert m, r[1]
        year, kind, seq, old_seq = m.groups()
        filed = as_date(r[2])
        if filed:
            assert int(year) == filed.year
        assert (old_seq is not None) == (int(year) < 2016)
        key, number = (year, kind or "执"), int(seq or old_seq)
        if last.get(key) == number:  # the duplicate row
            continue
        assert number > last.get(key, 0)
        last[key] = number
        years[int(year) < 2016] += 1
    assert years[True] >= 5  # some pre-2016 cases in the old form


def test_first_number_counts_the_case_numbers_from_it(tmp_path):
    """`backlog sample --first-number 1001` writes the same ledger with every sequence number 1000
    higher (the old form's zero-padded as before), so that it and the ledger counted from 1 share
    no case number; no other cell changes."""
    runner = CliRunner()
    for name, extra in (("a.csv", []), ("b.csv", ["--first-number", "1001"])):
        result = runner.invoke(app, ["sample", "-o", str(tmp_path / name), "--rows", "200", "--seed", "3", *extra])
        assert result.exit_code == 0, result.output
    a, b = ([r for r in csv.reader((tmp_path / name).read_text(encoding="utf-8-sig").splitlines())] for name in ("a.csv", "b.csv"))
    assert len(a) == len(b) and [r[:1] + r[2:] for r in a] == [r[:1] + r[2:] for r in b]
    numbers = [(CASE_NO.fullmatch(normal_case_no(x[1])), CASE_NO.fullmatch(normal_case_no(y[1]))) for x, y in zip(a, b)]
    numbers = [(x.groups(), y.groups()) for x, y in numbers if x]
    assert len(numbers) == 199 and sum(x[3] is not None for x, _ in numbers) >= 3  # the old form too
    for x, y in numbers:
        assert y[:2] == x[:2] and int(y[2] or y[3]) == int(x[2] or x[3]) + 1000
        assert (y[3] is None) == (x[3] is None) and len(y[3] or "00000") == 5
    assert not {x for x, _ in numbers} & {y for _, y in numbers}


def test_totals_add_up_the_amounts(big):
    for sheet in big[1:]:
        amounts = [as_amount(r[COL["执行标的（元）"]]) for r in sheet.rows if isinstance(r[0], int)]
        assert sheet.rows[-1][6] == pytest.approx(sum(a for a in amounts if a is not None), abs=0.01)
        assert sheet.rows[-1][1] == f"共{len(amounts)}件"


def test_clean_ledger_has_no_mess():
    sheets = generate(200, seed=3, messy=False)
    rows = [r for s in sheets[1:] for r in s.rows]
    assert all(isinstance(r[0], int) for r in rows) and len(rows) == 200
    assert all(isinstance(r[2], date) for r in rows)
    assert all(r[6] is None or isinstance(r[6], float) for r in rows)
    assert all(CASE_NO.fullmatch(r[1]) for r in rows)
    assert {r[COL["承办人"]] for r in rows} <= {None, *OFFICERS}


def test_messy_and_clean_describe_the_same_cases():
    messy = [r for _, _, r in case_rows(generate(10, seed=4))]
    clean = [r for _, _, r in case_rows(generate(10, seed=4, messy=False))]
    assert [as_date(r[2]) for r in messy] == [r[2] for r in clean]
    assert [normal_case_no(r[1]) for r in messy] == [r[1] for r in clean]


def test_date_forms_written_by_hand():
    day = np.array(["2016-03-05"] * 7, dtype="datetime64[D]")
    cells = _date_cells(day, np.arange(7), text=False)
    assert list(cells) == [date(2016, 3, 5), 42434, "2016年3月5日", "2016.03.05", "2016-3-5", "2016/3/5", "20160305"]
    assert _date_cells(day[:2], np.arange(2), text=True).tolist() == ["2016-03-05", "42434"]
    assert _date_cells(np.array(["NaT"], dtype="datetime64[D]"), np.zeros(1, int), text=False).tolist() == [None]


def test_amount_forms_written_by_hand():
    amount = np.array([125000.0, 125000.0, 125000.0, 3000.0, 1234.5, np.nan])
    form = np.array([0, 1, 2, 3, 0, 0])
    assert _amount_cells(amount, form, text=False).tolist() == [125000.0, "125,000.00", "12.5万元", "3000元", 1234.5, None]
    assert _amount_cells(amount, form, text=True).tolist() == ["125000", "125,000.00", "12.5万元", "3000元", "1234.5", None]


def test_small_ledgers_skip_the_deliberate_mistakes():
    rows = [r for _, _, r in case_rows(generate(5, seed=1))]
    assert len(rows) == 5
    assert all(r[1] != BAD_CASE_NO and as_date(r[2]) for r in rows)


@pytest.mark.parametrize(
    ("name", "rows", "kwargs", "message"),
    [
        ("x.csv", 0, {}, "--rows must be at least 1"),
        ("x.txt", 10, {}, "must end in .xlsx or .csv"),
        ("x.csv", 10, {"encoding": "klingon"}, "unknown encoding"),
        ("x.xlsx", 10, {"encoding": "gbk"}, ".csv samples only"),
        ("x.csv", 10, {"encoding": "ascii"}, "cannot hold"),
        ("x.csv", 10, {"first_number": 0}, "--first-number must be from 1 to 1,000,000: got 0"),
    ],
)
def test_bad_arguments_raise_one_message_and_write_nothing(tmp_path, name, rows, kwargs, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        write_sample(tmp_path / name, rows, 1, **kwargs)
    assert list(tmp_path.iterdir()) == []
