"""Workbooks decoded a sheet ahead, and decoding started early by the command line."""

from __future__ import annotations

import os
import time

import openpyxl
import pytest
from typer.testing import CliRunner

from backlog_cli import workbook
from backlog_cli.cli import app
from backlog_cli.errors import LedgerError
from backlog_cli.loading import load_ledger


@pytest.fixture(autouse=True)
def _no_early_decoding():
    yield
    for key in list(workbook._early):
        workbook._early.pop(key).close()


def _book(path, sheets: dict[str, int]):
    """A workbook with sheets of that many case rows (0: an instructions sheet of one line)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        if not rows:
            ws.append(["填表说明：每案一行"])
            continue
        ws.append(["案号", "立案日期", "承办人"])
        for i in range(1, rows + 1):
            ws.append([f"({name[:4]})鲁0902执{i}号", f"{name[:4]}-01-{i % 28 + 1:02d}", "张三"])
    book.save(path)
    return path


@pytest.fixture()
def opened(monkeypatch):
    """The paths workbook.open_book opens, in order."""
    seen = []
    real = workbook.open_book
    monkeypatch.setattr(workbook, "open_book", lambda path: seen.append(path.name) or real(path))
    return seen


def test_the_load_takes_over_the_decoding_started_early(tmp_path, opened):
    path = _book(tmp_path / "l.xlsx", {"说明": 0, "2025年": 5, "2026年": 4})
    expected = load_ledger([path])
    opened.clear()
    workbook.start([path])
    assert list(workbook._early) == [(path.resolve(), None)]
    ledger = load_ledger([path])
    assert opened == ["l.xlsx"] and not workbook._early
    assert ledger.cases["case_no"].tolist() == expected.cases["case_no"].tolist()
    assert len(ledger.cases) == 9


def test_an_early_decoding_of_other_sheets_is_stopped_and_not_used(tmp_path, opened):
    path = _book(tmp_path / "l.xlsx", {"2025年": 5, "2026年": 4})
    workbook.start([path], ["2025年"])
    early = workbook._early[(path.resolve(), ("2025年",))]
    ledger = load_ledger([path], sheets=["2026年"])
    assert opened == ["l.xlsx"] * 3 and early._closed and not workbook._early  # early, the sheet check, the load
    assert ledger.cases["case_no"].str.startswith("(2026)").all() and len(ledger.cases) == 4


def test_a_short_sheet_does_not_hold_back_the_next(tmp_path):
    """An instructions sheet decodes at once; the ledger sheet after it starts without a reader."""
    path = _book(tmp_path / "l.xlsx", {"说明": 0, "2025年": 1500, "2026年": 1500})
    with workbook.Decoding(path, None) as book:
        deadline = time.monotonic() + 10
        while len(book._started) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(book._started) == 2  # the 2025 sheet, not yet the 2026 one: it is 1,500 rows
        time.sleep(0.2)
        assert len(book._started) == 2
        assert book.sheet(0).height == 1 and book.sheet(1).height == 1501
        assert len(book._started) == 2  # the reader starts the next as it nears this one's end
        book.start_after(1)
        book.start_after(1)
        assert len(book._started) == 3


def test_nothing_is_started_for_a_text_ledger_or_a_missing_file(tmp_path):
    (tmp_path / "l.csv").write_text("案号,立案日期\n", encoding="utf-8")
    workbook.start([tmp_path / "l.csv", _book(tmp_path / "l.xlsx", {"2025年": 2})])
    workbook.start([tmp_path / "gone.xlsx"])
    assert not workbook._early


def test_a_damaged_workbook_started_early_is_reported_by_the_load(tmp_path):
    path = tmp_path / "l.xlsx"
    path.write_bytes(b"this is no workbook")
    workbook.start([path])
    assert not workbook._early
    with pytest.raises(LedgerError, match="cannot read the workbook"):
        load_ledger([path])


@pytest.mark.parametrize(("offset", "value"), [(6, 64), (8, 1 << 6)])  # version needed 6.4; strong encryption
def test_a_workbook_whose_zip_asks_for_what_zipfile_lacks_is_read_or_refused_plainly(tmp_path, offset, value):
    """A zip entry whose header a bad copy changed to a version or a feature Python's zipfile does
    not read (it raises NotImplementedError): the scans beside the decode read nothing, and
    python-calamine's read stands, as for any other damage: never a traceback."""
    import struct

    path = _book(tmp_path / "l.xlsx", {"2025年": 3})
    data = bytearray(path.read_bytes())
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) != -1:  # each entry of the central directory
        data[at + offset:at + offset + 2] = struct.pack("<H", value)
        at += 4
    path.write_bytes(bytes(data))
    try:
        ledger = load_ledger([path])
    except LedgerError as err:
        assert str(err).startswith(str(path)) and "\n" not in str(err)
    else:
        assert len(ledger.cases) == 3


def test_a_command_leaves_no_decoding_behind(tmp_path, opened):
    path = _book(tmp_path / "l.xlsx", {"2025年": 3})
    result = CliRunner().invoke(app, ["classify", str(path), "--as-of", "2026-11-23", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert opened == ["l.xlsx"] and not workbook._early
    assert result.stdout.count("鲁0902执") == 3


def test_a_mistake_found_before_the_load_does_not_wait_for_the_decode(tmp_path, monkeypatch, capsys):
    """`backlog classify BIG.xlsx --category nope`: the message, then the process ends at once with
    its exit code (os._exit) instead of waiting for the workbook's decode it started."""
    from backlog_cli import cli

    class Ended(Exception):
        pass

    def end(code):
        raise Ended(code)

    path = _book(tmp_path / "l.xlsx", {"2025年": 3})
    monkeypatch.setattr(cli.os, "_exit", end)
    monkeypatch.setattr(cli.sys, "argv", ["backlog", "classify", str(path), "--category", "nope"])
    with pytest.raises(Ended) as ended:
        cli.main()
    assert ended.value.args == (2,) and workbook.untaken()
    assert "no category 'nope'" in capsys.readouterr().err
    monkeypatch.setattr(cli.sys, "argv", ["backlog", "classify", str(path), "--as-of", "2026-11-23", "-f", "csv"])
    with pytest.raises(SystemExit) as done:  # a load took the decoding over: an ordinary exit
        cli.main()
    assert done.value.code == 0 and not workbook.untaken()


def test_a_sheet_too_large_to_decode_is_refused_before_decoding(tmp_path):
    """A note typed in XFD1 of a 300-row ledger: 300 x 16,384 cells, more than a sheet wider than
    any ledger may hold (4,000,000); refused from the workbook's recorded extent, in a moment,
    naming it. The sheet without the stray cell is read."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台帐"
    ws.append(["案号", "立案日期"])
    for i in range(1, 300):
        ws.append([f"(2025)鲁0902执{i}号", "2025-01-02"])
    fine = tmp_path / "fine.xlsx"
    wb.save(fine)
    ws["XFD1"] = "备注"
    wide = tmp_path / "wide.xlsx"
    wb.save(wide)
    assert len(load_ledger([fine]).cases) == 299
    with pytest.raises(LedgerError) as err:
        load_ledger([wide])
    assert str(err.value) == (f"{wide} [台帐]: it spans A1:XFD300, 300 rows by 16,384 columns, too many cells to read: "
                              "a stray cell far beyond the table? delete the rows and columns after the table and save")


def test_a_stray_space_far_right_of_a_small_ledger_is_read_in_a_moment(tmp_path):
    """A space typed in XFD1 of a 200-row ledger (200 x 16,384 cells, fewer than are refused):
    each of the 16,384 columns was read as a column of the sheet, some 20 s for classify; the
    blank columns right of the table are left out as the sheet is read (they were left out of the
    cases anyway), and the ledger reads as it does without the stray space."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台帐"
    ws.append(["案号", "立案日期", "承办人"])
    for i in range(1, 200):
        ws.append([f"(2025)鲁0902执{i}号", "2025-01-02", "张三"])
    fine = tmp_path / "fine.xlsx"
    wb.save(fine)
    ws["XFD1"] = " "
    wide = tmp_path / "wide.xlsx"
    wb.save(wide)
    runner = CliRunner()
    started = time.perf_counter()
    result = runner.invoke(app, ["classify", str(wide), "--as-of", "2026-11-23", "-f", "csv"])
    took = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("loaded 199 cases from 199 rows\n")
    expected = runner.invoke(app, ["classify", str(fine), "--as-of", "2026-11-23", "-f", "csv"]).stdout
    assert result.stdout == expected.replace("fine.xlsx", "wide.xlsx")
    assert took < 8, f"{took:.1f} s"


def test_error_cells_and_formulas_without_results_are_read_as_the_sheet_shows_them(tmp_path):
    """python-calamine reads an error cell (#REF!) and a formula saved without its result as
    blank: a 结案日期 of #REF! would make a closed case open without a word. They are read as the
    sheet shows them, so the checks name them: errors as Excel shows them, unsaved formulas with
    their formula. A formula with its result saved reads as the result."""
    import xlsxwriter

    path = tmp_path / "errors.xlsx"
    book = xlsxwriter.Workbook(path)
    ws = book.add_worksheet("2025年")
    ws.write_row(0, 0, ["案号", "立案日期", "执行标的", "结案日期", "承办人"])
    ws.write_row(1, 0, ["(2025)鲁0902执1号", "2025-01-05"])
    ws.write_formula(1, 2, "=1/0", None, "#DIV/0!")  # saved with its (error) result
    ws.write_formula(1, 3, "=Sheet9!A1", None, "#REF!")
    ws.write_row(2, 0, ["(2025)鲁0902执2号"])
    ws.write_formula(2, 1, "=Sheet9!B2", None, "#REF!")
    ws.write_row(3, 0, ["(2025)鲁0902执3号", "2025-01-07", 1000])
    ws.write_formula(3, 4, '="张"&"三"', None, "张三")  # a result saved: read as it
    book.close()
    ledger = load_ledger([path])
    assert ledger.rejects[["row", "reason"]].values.tolist() == [[3, "立案日期无法识别：“#REF!”"]]
    assert ledger.problems[["row", "column", "value", "problem"]].values.tolist() == [
        [2, "amount", "#DIV/0!", "金额无法识别"], [2, "closed_on", "#REF!", "日期无法识别"]]
    officers = ledger.cases["officer"]
    assert officers.isna().tolist() == [True, False] and officers.iloc[1] == "张三"

    path = tmp_path / "unsaved.xlsx"  # openpyxl writes formulas without results
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025年"
    ws.append(["案号", "立案日期", "结案方式", "结案日期", "备注"])
    ws.append(["(2025)鲁0902执1号", "2025-01-05", "执行完毕", "=DATE(2025,3,1)", '="备"&"注"'])
    wb.save(path)
    ledger = load_ledger([path])
    assert ledger.problems[["row", "column", "value", "problem"]].values.tolist() == [
        [2, "closed_on", "=DATE(2025,3,1)（公式，未保存计算结果）", "日期无法识别"]]
    assert ledger.cases["notes"].tolist() == ['="备"&"注"（公式，未保存计算结果）']


def test_shown_cells_reads_the_sheet_xml_in_pieces(tmp_path, monkeypatch):
    """Pieces of 64 bytes split rows and cells anywhere: the cells found are the same."""
    import zipfile

    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(1, 40):
        ws.append([f"(2025)鲁0902执{i}号", "2025-01-05", f"=A{i}" if i % 7 == 0 else i])
    wb.save(tmp_path / "f.xlsx")
    with zipfile.ZipFile(tmp_path / "f.xlsx") as z:
        [part] = workbook._sheet_parts(z).values()
    whole = workbook.shown_cells(tmp_path / "f.xlsx", part)
    assert whole == {(i - 1, 2): f"=A{i}（公式，未保存计算结果）" for i in range(7, 40, 7)}
    monkeypatch.setattr(workbook, "_SCAN_BYTES", 64)
    assert workbook.shown_cells(tmp_path / "f.xlsx", part) == whole


def test_every_suffix_a_folder_names_has_its_place_among_the_formats_preferred():
    """backlog init takes one of a ledger saved in two formats by this order: a suffix a folder
    names and the order leaves out would end init with an internal error."""
    from backlog_cli.workbook import FOLDER_SUFFIXES, PREFERRED_SUFFIXES

    assert sorted(PREFERRED_SUFFIXES) == sorted(FOLDER_SUFFIXES)


def test_each_ledger_file_is_looked_at_once_to_tell_an_output_of_backlog(tmp_path, monkeypatch):
    """Whether a ledger file is one of backlog's own outputs is told by one look at it per command:
    the nightly run's check of its ledger folder and its load, a command's early decoding of the
    workbook it names and its load, ask it of the same file (a CSV file's header, an xlsx file's
    author)."""
    runner = CliRunner()
    (tmp_path / "台帐").mkdir()
    for name, n in (("c.csv", 3), ("台帐/a.csv", 1), ("台帐/b.csv", 2)):
        (tmp_path / name).write_text(f"案号,立案日期,承办人\n(2025)鲁0902执{n}号,2025-01-02,张三\n", encoding="utf-8")
    written = tmp_path / "底数.csv"
    assert runner.invoke(app, ["classify", str(tmp_path / "c.csv"), "--as-of", "2025-06-30",
                               "-o", str(written)]).exit_code == 0
    written.rename(tmp_path / "台帐" / "底数.csv")
    (tmp_path / "backlog.yaml").write_text("ledger: 台帐\noutput_dir: out\n", encoding="utf-8")
    headers = []
    real_header = workbook._output_header
    monkeypatch.setattr(workbook, "_output_header", lambda cells: headers.append(cells[0]) or real_header(cells))
    result = runner.invoke(app, ["run", "--config", str(tmp_path / "backlog.yaml"), "--as-of", "2025-06-30"])
    assert result.exit_code == 1, result.output  # warned: no 案由 or 被执行人 column
    assert "note: 台帐/底数.csv: skipped: an output of backlog, not a ledger" in result.output
    assert sorted(headers) == sorted(["案号", "案号", "case_no"])  # a.csv, b.csv, 底数.csv: once each

    class Author:  # the look at an xlsx file's document properties
        searched = 0

        def search(self, data):
            Author.searched += 1
            return real_author.search(data)

    real_author = workbook._AUTHOR
    monkeypatch.setattr(workbook, "_AUTHOR", Author())
    ledger = _book(tmp_path / "l.xlsx", {"2025年": 3})
    result = runner.invoke(app, ["classify", str(ledger), "--as-of", "2025-06-30"])
    assert result.exit_code == 0, result.output
    assert Author.searched == 1  # workbook.start, then the load


def test_a_file_changed_since_it_was_looked_at_is_looked_at_again(tmp_path):
    """What a look at a file found is kept for the file as it was: rewritten in place to the same
    size, or replaced by another, it is looked at again."""
    path = tmp_path / "a.csv"
    path.write_bytes("案号,立案日期\n".encode())
    assert not workbook.is_output(path)
    path.write_bytes(b"as_of,123456789abcd\n")  # the same size, in the same file: a header of backlog's
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert workbook.is_output(path)
    other = tmp_path / "b.csv"
    other.write_bytes("案号,立案日期\n".encode())
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # the same size and time: another file
    other.replace(path)
    assert not workbook.is_output(path)
