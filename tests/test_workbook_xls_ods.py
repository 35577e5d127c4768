"""Error cells and hidden rows of .xls and .ods workbooks, which python-calamine reads as blank.

The fixtures were made once with LibreOffice from one workbook: a hidden sheet 旧表 (two error
cells) first; 台账 with its table at C5 (header row 5), errors in rows 6, 7 and 14, five blank rows
(9-13) between, rows 7 and 15 hidden; 二队 at A1 with B4:C4 merged before an error in F4, row 3
hidden. LibreOffice shows a bad VLOOKUP or SQRT(-1) as Err:502 in .ods and writes it as #VALUE!
to .xls. errors-mini.xls is small enough that its Workbook stream is in the compound file's mini
stream.
"""

import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backlog_cli import workbook
from backlog_cli.cli import app

LEDGERS = Path(__file__).parent / "fixtures" / "ledgers"
ODS, XLS, MINI = LEDGERS / "errors-hidden.ods", LEDGERS / "errors-hidden.xls", LEDGERS / "errors-mini.xls"
ALL = ["旧表", "台账", "二队"]

# by sheet row and column, 0-based: C5 is (4, 2), so 承办人 (E) is column 4, 执行标的 (G) 6
OLD = {(0, 1): "#DIV/0!", (1, 1): "#N/A"}
LEDGER_ODS = {(5, 4): "#N/A", (6, 6): "#DIV/0!", (13, 4): "#REF!", (13, 5): "Err:502"}
TEAM_ODS = {(1, 4): "Err:502", (2, 2): "#DIV/0!", (3, 5): "#N/A"}


def test_ods_error_cells_and_hidden_rows_by_sheet():
    assert workbook.ods_shown_cells(ODS, ALL) == {
        "旧表": (OLD, [], [], []), "台账": (LEDGER_ODS, [7, 15], [], []), "二队": (TEAM_ODS, [3], [], [])}


def test_xls_error_cells_and_hidden_rows_by_sheet():
    assert workbook.xls_shown_cells(XLS, ALL) == {
        "旧表": (OLD, [], [], []),
        "台账": ({**LEDGER_ODS, (13, 5): "#VALUE!"}, [7, 15], [], []),
        "二队": ({**TEAM_ODS, (1, 4): "#VALUE!"}, [3], [], []),
    }


def test_only_the_sheets_wanted_are_scanned():
    assert set(workbook.ods_shown_cells(ODS, ["二队"])) == {"二队"}
    assert set(workbook.xls_shown_cells(XLS, ["二队"])) == {"二队"}


def test_small_workbook_stream_read_from_the_mini_stream():
    assert len(workbook.cfb_stream(MINI.read_bytes(), "Workbook")) < 4096
    assert workbook.xls_shown_cells(MINI, ["台账"]) == {"台账": ({(1, 2): "#N/A"}, [2], [], [])}


def test_files_without_errors_or_hidden_rows_give_none():
    assert workbook.ods_shown_cells(LEDGERS / "offset_c4.ods", ["Sheet1", "Sheet 1"]) == {}
    assert workbook.xls_shown_cells(LEDGERS / "offset_c4.xls", ["Sheet1", "Sheet 1"]) == {}


@pytest.mark.parametrize("path", [ODS, XLS])
def test_decoding_gives_them_by_position_as_calamine_numbers_them(path):
    with workbook.Decoding(path, None) as book:
        assert book.names == ["台账", "二队"]  # the hidden sheet before them is not read
        sheet = book.sheet(0)
        rows, (top, left) = sheet.to_python(), sheet.start
        for (r, c) in book.shown(0):
            assert rows[r - top][c - left] == ""
        assert rows[0][4 - left] == "承办人" and rows[5 - top][0] == "(2026)鲁0902执1号"
        assert rows[13 - top][0] == "(2026)鲁0902执4号"
        assert book.hidden_rows(0) == [7, 15] and book.hidden_rows(1) == [3]
        assert book.shown(1)[(3, 5)] == "#N/A" and book.sheet(1).to_python()[0][5] == "备注"


def test_a_hidden_sheet_named_is_scanned():
    with workbook.Decoding(XLS, ["旧表"]) as book:
        assert book.shown(0) == OLD


@pytest.mark.parametrize("cut", [0, 100, 512, 700, 1536, 4000, 6000, 7800, 8000, 8600])
def test_a_cut_xls_scans_as_nothing(tmp_path, cut):
    damaged = tmp_path / "cut.xls"
    damaged.write_bytes(XLS.read_bytes()[:cut])
    assert workbook.xls_shown_cells(damaged, ALL) == {}


def test_overwritten_bytes_scan_as_nothing_or_the_same(tmp_path):
    data = XLS.read_bytes()
    for at in range(0, len(data), 97):
        damaged = tmp_path / "bad.xls"
        damaged.write_bytes(data[:at] + b"\xff" * 16 + data[at + 16:])
        assert isinstance(workbook.xls_shown_cells(damaged, ALL), dict)
    ods = tmp_path / "cut.ods"
    ods.write_bytes(ODS.read_bytes()[:3000])
    assert workbook.ods_shown_cells(ods, ALL) == {}


def test_a_cut_xls_fails_with_a_message_not_a_traceback(tmp_path):
    damaged = tmp_path / "cut.xls"
    damaged.write_bytes(XLS.read_bytes()[:8000])  # python-calamine panics on this one
    result = CliRunner().invoke(app, ["classify", str(damaged), "--as-of", "2026-11-23"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "cannot read the workbook" in result.output


def _with_extent(data: bytes, first_row: int, end_row: int) -> bytes:
    """ledger.xls with its sheet's DIMENSIONS record saying rows ``first_row`` to ``end_row`` (0-based, end
    excluded) of its five columns."""
    at = data.index(struct.pack("<HHIIHH", 0x0200, 14, 0, 4, 0, 5))
    return data[:at + 4] + struct.pack("<IIHH", first_row, end_row, 0, 5) + data[at + 16:]


DAMAGED_XLS = [
    # cut inside its sectors: python-calamine panicked, printing its Rust backtrace on stderr
    (lambda d: d[:4352], ": cannot read the workbook (damaged: a sector beyond the end of the file); is it a valid .xls file?"),
    # 500 bytes spliced in: python-calamine followed the FAT chain that loops until the memory ran out
    (lambda d: d[:3574] + b"\0" * 500 + d[3574:],
     ": cannot read the workbook (damaged: a sector chain loops); is it a valid .xls file?"),
    # an extent whose rows end above where they start, and one of four billion rows: python-calamine,
    # which decodes every sheet as it opens the workbook, asked for hundreds of gigabytes and aborted
    (lambda d: _with_extent(d, 5, 4),
     " [台帐]: its recorded extent is damaged (rows 6 to 4): is it a valid .xls file? save it again in Excel or WPS"),
    (lambda d: _with_extent(d, 0, 0xFFFFFFF0),
     " [台帐]: it spans A1:E4294967280, 4,294,967,280 rows by 5 columns, too many cells to read: a stray cell far "
     "beyond the table? delete the rows and columns after the table and save"),
]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the memory limit is Linux's")
@pytest.mark.parametrize("damage, said", DAMAGED_XLS)
def test_a_damaged_xls_is_one_plain_line_before_python_calamine_reads_it(tmp_path, damage, said):
    """An .xls cut or spliced is refused in one line, read before python-calamine is given it: the
    command runs as typed, under a memory limit of 3 GB, so that what went wrong before (a panic
    printed, all the memory taken, an abort) cannot take the machine's memory."""
    damaged = tmp_path / "bad.xls"
    damaged.write_bytes(damage((LEDGERS / "ledger.xls").read_bytes()))
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))"
    code = f"{limit}; import sys; from backlog_cli.cli import main; sys.argv[0] = 'backlog'; main()"
    result = subprocess.run([sys.executable, "-c", code, "classify", str(damaged), "--as-of", "2026-11-23"],
                            capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (2, f"backlog: error: {damaged}{said}\n")


@pytest.mark.parametrize("path, unreadable", [
    (XLS, 6),  # 承办人 three times, 执行标的 twice, 案由 #VALUE!
    (ODS, 6),  # the same; 案由 shows LibreOffice's Err:502 for the failed formula
])
def test_classify_reports_the_error_cells_and_hidden_rows(path, unreadable):
    result = CliRunner().invoke(app, ["classify", str(path), "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    assert f"{unreadable} values unreadable or contradicting others, kept as blank" in result.output
    assert "[台账]: 2 rows hidden in Excel" in result.output and "(rows 7, 15)" in result.output
    assert "[二队]: 1 row hidden in Excel" in result.output and "(row 3)" in result.output


def _with_column_e_hidden(path: Path, tmp_path: Path) -> Path:
    """A copy of ``path`` with column E (承办人) of 台账 hidden: in .xls its COLINFO record (one per
    sheet, in sheet order, each over columns A to IV) made to hide E alone, in .ods its
    <table:table-column> split around a collapsed E."""
    out = tmp_path / path.name
    if path.suffix == ".xls":
        data = bytearray(path.read_bytes())
        at = [m.start() for m in re.finditer(rb"\x7d\x00\x0c\x00", data)][1] + 4
        data[at : at + 4] = struct.pack("<HH", 4, 4)
        data[at + 8] |= 1
        out.write_bytes(bytes(data))
        return out
    with zipfile.ZipFile(path) as z:
        files = {name: z.read(name) for name in z.namelist()}
    tags = re.findall(rb"<table:table-column [^>]*/>", files["content.xml"])
    files["content.xml"] = files["content.xml"].replace(tags[2], b'<table:table-column table:number-columns-repeated="4"/>'
                                                        b'<table:table-column table:visibility="collapse"/>'
                                                        b'<table:table-column table:number-columns-repeated="16379"/>', 1)
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out


@pytest.mark.parametrize("path", [ODS, XLS])
def test_hidden_columns_are_found_and_said(tmp_path, path):
    hidden = _with_column_e_hidden(path, tmp_path)
    with workbook.Decoding(hidden, None) as book:
        assert book.hidden_columns(0) == [(4, 4)] and book.hidden_columns(1) == []
    with workbook.Decoding(path, None) as book:
        assert book.hidden_columns(0) == []
    result = CliRunner().invoke(app, ["classify", str(hidden), "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    assert (f"note: {hidden} [台账]: 1 column hidden in Excel is read (承办人 in column E): the sheet shows fewer "
            "columns than are read") in result.output


MERGED_ODS = LEDGERS / "merged-down.ods"  # made with LibreOffice from an xlsx: the table at B3, a title
# merged across B1:F1, 立案日期 merged over C4:C5, 承办人 over D4:D6 and 备注 over F4:F6


def test_ods_cells_merged_down_are_found_and_read_in_each_row():
    """python-calamine gives no merged ranges for .ods: the scan finds those spanning rows (not the
    title spanning columns only), and every case under a merged cell reads its value, as in xlsx."""
    from backlog_cli.loading import load_ledger

    assert workbook.ods_shown_cells(MERGED_ODS, ["台帐"]) == {
        "台帐": ({}, [], [((3, 2), (4, 2)), ((3, 3), (5, 3)), ((3, 5), (5, 5))], [])}
    cases = load_ledger([MERGED_ODS]).cases
    assert cases[["source_row", "officer", "notes"]].values.tolist() == [
        [4, "张三", "同一被执行人"], [5, "张三", "同一被执行人"], [6, "张三", "同一被执行人"], [7, "李四", "单独"]]
    assert cases["filed_on"].dt.strftime("%m-%d").tolist() == ["01-05", "01-05", "02-01", "03-01"]
