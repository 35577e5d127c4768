"""`backlog assign` and `backlog rank` end to end, against golden files.

The goldens in tests/golden/ are the reviewed outputs for the small ledger below. After an
intended change of output, regenerate them with ``UPDATE_GOLDEN=1 python -m pytest
tests/test_cli_assign.py`` and review the diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from backlog_cli.cli import app

GOLDEN = Path(__file__).parent / "golden"
AS_OF = "2026-03-18"  # a Wednesday: the last full week is 2026-03-09 .. 2026-03-15
runner = CliRunner()

# case number, filed, officer, closed, applicant, cause
ROWS = [
    ("(2025)鲁0902执1号", "2025-06-02", "张三", "", "甲公司", "买卖合同纠纷"),
    ("(2025)鲁0902执2号", "2025-09-15", "张 三", "2026-03-10", "乙", "民间借贷纠纷"),
    ("(2025)鲁0902执3号", "2025-12-20", "张三", "2026-03-02", "丙", "追索劳动报酬纠纷"),
    ("(2026)鲁0902执4号", "2026-01-05", "张三", "", "丁", "买卖合同纠纷"),
    ("(2025)鲁0902执5号", "2025-08-01", "李四", "2026-02-24", "戊", "民间借贷纠纷"),
    ("(2025)鲁0902执6号", "2025-10-10", "李四", "2026-03-03", "己", "机动车交通事故责任纠纷"),
    ("(2025)鲁0902执7号", "2025-11-11", "李四", "2026-03-11", "庚", "民间借贷纠纷"),
    ("(2025)鲁0902执8号", "2025-11-30", "李四", "2026-03-12", "辛", "买卖合同纠纷"),
    ("(2026)鲁0902执9号", "2026-02-02", "李四", "", "壬", "民间借贷纠纷"),
    ("(2025)鲁0902执10号", "2025-07-07", "王五", "", "癸", "建设工程施工合同纠纷"),
    ("(2025)鲁0902执11号", "2025-10-01", "王五", "2026-02-25", "子", "民间借贷纠纷"),
    ("(2026)鲁0902执12号", "2026-01-20", "王五", "", "丑", "买卖合同纠纷"),
    ("(2025)鲁0902执13号", "2025-05-05", "赵六", "", "寅", "民间借贷纠纷"),
    ("(2025)鲁0902执14号", "2025-09-09", "赵六", "", "卯", "赡养费纠纷"),
    ("(2025)鲁0902执15号", "2025-12-01", "赵六", "2026-03-13", "辰", "民间借贷纠纷"),
    ("(2025)鲁0902执16号", "2025-06-16", "钱七", "", "巳", "买卖合同纠纷"),
    ("(2025)鲁0902执17号", "2025-08-18", "钱七", "", "午", "民间借贷纠纷"),
    ("(2026)鲁0902执18号", "2026-03-01", "钱七", "", "未", "民间借贷纠纷"),
    ("(2025)鲁0902执19号", "2025-04-04", "", "", "申", "民间借贷纠纷"),
    ("(2026)鲁0902执20号", "2026-03-16", "王Ａ", "", "酉", "买卖合同纠纷"),
]


@pytest.fixture
def ledger(tmp_path) -> Path:
    path = tmp_path / "ledger.csv"
    lines = ["案号,立案日期,承办人,结案日期,申请执行人,案由"] + [",".join(r) for r in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {name}: run with UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- rank


def test_rank_weeks_csv(ledger):
    result = run("rank", ledger, "--as-of", AS_OF, "--periods", "3", "--format", "csv")
    assert result.exit_code == 0, result.output
    check_golden("rank_week.csv", result.stdout)


def test_rank_months_json(ledger):
    result = run("rank", ledger, "--as-of", AS_OF, "--period", "month", "--periods", "2", "--format", "json")
    assert result.exit_code == 0, result.output
    check_golden("rank_month.json", result.stdout)


def test_rank_table_and_xlsx(ledger, tmp_path):
    table = run("rank", ledger, "--as-of", AS_OF, "--periods", "1")
    assert table.exit_code == 0, table.output
    assert "ranking by officer, 1 week to 2026-03-15" in table.stdout
    out = tmp_path / "rank.xlsx"
    result = run("rank", ledger, "--as-of", AS_OF, "--periods", "1", "--output", out)
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)["ranking"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    header = [c.value for c in ws[2]]
    marks = {r[header.index("承办人")]: r[header.index("mark")] for r in rows}
    assert marks == {"李四": None, "张三": None, "赵六": None, "王五": "督导", "钱七": "约谈"}


def test_rank_bad_period(ledger):
    result = run("rank", ledger, "--period", "day")
    assert result.exit_code == 2
    assert "period must be one of week, month" in result.output
