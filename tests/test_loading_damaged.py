"""Damaged or unusual ledger files: UTF-16 text without a byte order mark is read, stray NUL
bytes reject only the rows that hold them, a binary file is refused in one line, and a workbook
whose sheet is damaged is refused naming the file, the sheet and what is wrong."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backlog_cli.cli import app
from conftest import SAMPLE_AS_OF, SAMPLES

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def classify(path: Path):
    return run("classify", path, "--as-of", SAMPLE_AS_OF, "-f", "csv")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_reads_as_with_one(tmp_path, encoding):
    """Some programs save Unicode text without the byte order mark Excel writes: the sample
    ledger so saved gives the same cases, rejects and messages as the sample itself."""
    text = (SAMPLES / "ledger.csv").read_bytes().decode("gb18030")
    path = tmp_path / "ledger.csv"
    path.write_bytes(text.encode(encoding))
    (tmp_path / "bom").mkdir()
    with_bom = tmp_path / "bom" / "ledger.csv"
    with_bom.write_bytes(text.encode("utf-16"))
    result, expected = classify(path), classify(with_bom)
    assert result.exit_code == 0, result.output
    assert expected.exit_code == 0 and "(2025)鲁0902执" in expected.stdout
    assert result.stdout == expected.stdout.replace(str(with_bom), str(path))
    assert result.stderr == expected.stderr.replace(str(with_bom), str(path))


LEDGER = ("案号,立案日期,承办人\n(2025)鲁0902执1号,2025-01-02,张三\n(2025)鲁0902执2号,2025-01-03,李\x00四\n"
          "(2025)鲁0902执3号,2025-01-04,王五\n")


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "utf-8-sig"])
@pytest.mark.parametrize("padding", [0, 600])
def test_a_stray_nul_byte_rejects_its_row_only(tmp_path, encoding, padding):
    """A NUL byte in otherwise good text (a damaged copy) rejects the row that holds it, saying so;
    the other rows are read. Near the start of the file or far into it (past the first blocks
    looked at), the same."""
    rows = "".join(f"(2024)鲁0902执{n}号,2024-02-01,赵六\n" for n in range(10, 10 + padding))
    header, rest = LEDGER.split("\n", 1)
    path = tmp_path / "台帐.csv"
    path.write_bytes(f"{header}\n{rows}{rest}".encode(encoding))
    result = classify(path)
    assert result.exit_code == 0, result.output
    row = padding + 3
    assert (f"rejected: 台帐.csv [台帐] row {row}: (2025)鲁0902执2号: 本行含空字符 NUL（文件是否损坏？）"
            in result.stderr)
    assert "(2025)鲁0902执1号" in result.stdout and "(2025)鲁0902执3号" in result.stdout
    assert "(2025)鲁0902执2号" not in result.stdout
    assert f"loaded {padding + 2} cases from {padding + 3} rows; 1 rejected" in result.stderr


@pytest.mark.parametrize("data", [
    (SAMPLES / "ledger.xlsx").read_bytes(),  # a workbook renamed .csv
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 5 /Filter /FlateDecode >>\nstream\nx\x9c\x03\x00\x00\x00\x00\x01",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00\x90\x91h6",
    b"\x00\x01\x02\x03",
])
def test_a_binary_file_named_csv_is_still_refused(tmp_path, data):
    path = tmp_path / "台帐.csv"
    path.write_bytes(data)
    result = classify(path)
    assert result.exit_code == 2
    assert result.stderr == f"backlog: error: {path}: this is not a text (CSV) file\n"


def damaged_copy(tmp_path: Path, change) -> Path:
    """The sample workbook written again by zipfile, each member passed through ``change(name,
    data)``: its new bytes, or None to leave it out."""
    path = tmp_path / "台帐.xlsx"
    with zipfile.ZipFile(SAMPLES / "ledger.xlsx") as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            if (data := change(name, source.read(name))) is not None:
                out.writestr(name, data)
    return path


def cut_in(cell: str):
    """A change that cuts the 2026年 sheet's XML short inside ``cell``."""
    def change(name, data):
        return data[: data.index(f'<c r="{cell}"'.encode()) + 12] if name == "xl/worksheets/sheet3.xml" else data
    return change


@pytest.mark.parametrize("change, what", [
    (cut_in("C10"), " [2026年]: cannot read the sheet (damaged: xl/worksheets/sheet3.xml is cut short in cell C10)"),
    (lambda name, data: b"not XML at all" if name == "xl/worksheets/sheet1.xml" else data,
     " [填表说明]: cannot read the sheet (damaged: xl/worksheets/sheet1.xml is not XML)"),
    (lambda name, data: data.replace(b'<c r="B20" t="s"><v>147</v></c>', b'<c r="B20" t="s"><v>147</v></d>')
     if name == "xl/worksheets/sheet2.xml" else data,
     " [2025年]: cannot read the sheet (damaged: xl/worksheets/sheet2.xml is not well-formed XML in cell B20 "
     "(mismatched tag))"),
    (lambda name, data: None if name == "xl/worksheets/sheet1.xml" else data,
     " [填表说明]: cannot read the sheet (damaged: xl/worksheets/sheet1.xml is missing from the file)"),
    (lambda name, data: data[: len(data) // 2] if name == "xl/sharedStrings.xml" else data,
     ": cannot read the workbook (damaged: xl/sharedStrings.xml is cut short)"),
])
@pytest.mark.parametrize("command", [["classify"], ["inspect"], ["explain", "(2025)鲁0902执1号"]])
def test_a_damaged_sheet_is_refused_saying_where_and_what(tmp_path, change, what, command):
    """A workbook whose sheet's XML is cut short, is not XML, breaks off in a cell or is left out
    of the file (a copy cut off, a disk error) is refused in one line naming the file, the sheet,
    the part of the file that is damaged and, where its XML says, the cell it breaks off in: not
    python-calamine's word alone (the sheet's name, or "worksheet")."""
    path = damaged_copy(tmp_path, change)
    result = run(*command, path)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"backlog: error: {path}{what}; is it a valid .xlsx file?\n"
