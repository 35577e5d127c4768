"""Ledgers as courts keep them: Excel's lock file beside the workbook, header variants, footer rows
under the table, two case numbers in one cell, a sheet whose header lacks a column the others have,
the same case twice with different values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from backlog_cli.errors import LedgerError
from backlog_cli.loading import load_ledger

HEAD = ["案号", "立案日期", "承办人"]


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def one_case(path: Path) -> Path:
    return workbook(path, {"台帐": [HEAD, ["(2026)鲁0902执1号", dt.datetime(2026, 3, 1), "张三"]]})


def test_excel_lock_file_named_by_a_wildcard_is_skipped_with_a_note(tmp_path):
    ledger_file = one_case(tmp_path / "台帐.xlsx")
    lock = tmp_path / "~$台帐.xlsx"
    lock.write_bytes(b"\x06wangmou" + b"\x00" * 40)  # what Excel writes: who has the workbook open
    ledger = load_ledger([lock, ledger_file])
    assert ledger.cases["case_no"].tolist() == ["(2026)鲁0902执1号"]
    assert ledger.notes == [f"{lock}: skipped: the lock file Excel or WPS keeps beside a workbook while it is open "
                            "(~$ before the name), not a ledger"]
    assert [s.file for s in ledger.sheets] == [str(ledger_file)]


def test_a_lock_file_named_alone_is_an_error_naming_it(tmp_path):
    lock = tmp_path / "~$台帐.xlsx"
    lock.write_bytes(b"\x06wangmou")
    with pytest.raises(LedgerError, match=r"~\$台帐\.xlsx: the lock file Excel or WPS keeps .*name the workbook itself"):
        load_ledger([lock])


def test_common_header_variants_are_known(tmp_path):
    path = workbook(tmp_path / "l.xlsx", {"台帐": [
        ["案号", "立案日期", "承办人员", "执结日期", "执结方式", "执行标的金额（万元）"],
        ["(2026)鲁0902执1号", dt.datetime(2026, 3, 1), "张三", dt.datetime(2026, 9, 1), "执行完毕", 2.5],
    ]})
    case = load_ledger([path]).cases.iloc[0]
    assert (case["officer"], case["closed_on"], case["close_method"], case["amount"]) == (
        "张三", pd.Timestamp("2026-09-01"), "执行完毕", 25_000.0)

