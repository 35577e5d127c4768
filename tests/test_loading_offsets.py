"""Old-format Excel (.xls) and OpenDocument (.ods) ledgers whose data does not start at A1: rows
are numbered as the spreadsheet shows them, in one block or in several.

The fixtures tests/fixtures/ledgers/offset_c4.{xls,ods} were written once with xlwt 1.3 and
odfpy 1.4 (neither is a project dependency). One sheet, 2025年, columns A-B empty:

- .xls: rows 1-2 blank, title 某县人民法院执行案件台帐 merged over C3:G3;
  .ods: row 1 blank, the same title merged over C2:G2, row 3 blank;
- row 4, C-G: 序号, 案号, 立案日期, 承办人, 执行标的（元）;
- case i (1-13) on row 4 + i, or 5 + i from case 5 on, row 9 being blank: 序号 i, 案号
  (2025)鲁0902执i号, 立案日期 2025-01-i as a date cell, 承办人 张三/李四/王五 for i % 3 = 0/1/2,
  执行标的 1000 × i as a number (case 2: 2000.5); except case 5, filed on the text 不详 (row 10),
  case 6, amount the text 若干 (row 11), and case 10, filed on the text 2025年1月10日;
- row 19: 合计 in C and the total amount in G.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from backlog_cli import loading
from backlog_cli.cli import app
from backlog_cli.loading import load_ledger

LEDGERS = Path(__file__).parent / "fixtures" / "ledgers"
FILES = ["offset_c4.xls", "offset_c4.ods"]
KEPT = [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13]  # case 5 is rejected
ROWS = [5, 6, 7, 8, 11, 12, 13, 14, 15, 16, 17, 18]  # their Excel rows (row 9 blank, case 5 on row 10)


@pytest.mark.parametrize("block_rows", [3, 1000])
@pytest.mark.parametrize("name", FILES)
def test_cases_keep_their_spreadsheet_rows(name, block_rows, monkeypatch):
    """Cases, skipped and rejected rows and value problems name the rows the spreadsheet shows."""
    monkeypatch.setattr(loading, "BLOCK_ROWS", block_rows)
    led = load_ledger([LEDGERS / name])
    cases = led.cases
    assert len(cases) == 12
    assert cases["case_no"].tolist() == [f"(2025)鲁0902执{i}号" for i in KEPT]
    assert cases["source_row"].tolist() == ROWS
    assert cases["source_sheet"].tolist() == ["2025年"] * 12
    assert cases["filed_on"].tolist() == [pd.Timestamp(2025, 1, i) for i in KEPT]
    assert cases["officer"].tolist() == [["张三", "李四", "王五"][i % 3] for i in KEPT]
    assert cases["序号"].tolist() == [str(i) for i in KEPT]
    amounts = cases["amount"].tolist()
    assert pd.isna(amounts[4]) and amounts[:4] + amounts[5:] == [1000.0, 2000.5, 3000.0, 4000.0] + [
        1000.0 * i for i in KEPT[5:]]
    assert led.rejects[["row", "case_no", "reason"]].values.tolist() == [
        [10, "(2025)鲁0902执5号", "立案日期无法识别：“不详”"]]
    assert led.problems[["row", "column", "value", "problem"]].values.tolist() == [
        [11, "amount", "若干", "金额无法识别"]]
    assert led.skipped[["row", "reason"]].values.tolist() == [[9, "空行"], [19, "合计行"]]
    sheet = led.sheets[0]
    assert (sheet.sheet, sheet.header_row, sheet.rows_read, sheet.cases, sheet.skipped, sheet.rejected) == (
        "2025年", 4, 15, 12, 2, 1)


@pytest.mark.parametrize("name, block_rows, counts", [
    # blocks of 3 rows from the first used row: .xls rows 3-5 (title, header, case 1), 6-8, ...;
    # .ods rows 2-4 (title, blank, header), 5-7, ...
    ("offset_c4.xls", 3, [1, 4, 7, 10, 13, 15]),
    ("offset_c4.ods", 3, [0, 3, 6, 9, 12, 15]),
    ("offset_c4.xls", 1000, [15]),
    ("offset_c4.ods", 1000, [15]),
])
def test_the_sheet_is_read_in_the_blocks_asked_for(name, block_rows, counts, monkeypatch):
    """The test above reads each fixture in several blocks when BLOCK_ROWS is 3 and in one when it
    is 1000: the rows checked so far, as progress reports them after each block."""
    monkeypatch.setattr(loading, "BLOCK_ROWS", block_rows)
    calls = []
    load_ledger([LEDGERS / name], progress=lambda msg, share: calls.append(msg))
    prefix = "checking values [2025年] "
    assert [msg for msg in calls if msg.startswith(prefix)] == [f"{prefix}{n} rows" for n in counts]


@pytest.mark.parametrize("name", FILES)
def test_the_cli_names_the_rejected_row(name):
    result = CliRunner().invoke(app, ["classify", str(LEDGERS / name), "--as-of", "2026-01-01", "-f", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert "loaded 12 cases from 15 rows; skipped 2 rows (空行 1, 合计行 1); 1 rejected" in lines
    assert f"rejected: {name} [2025年] row 10: (2025)鲁0902执5号: 立案日期无法识别：“不详”" in lines
