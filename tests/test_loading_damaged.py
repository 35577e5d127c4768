"""Damaged or unusual ledger files: UTF-16 text without a byte order mark is read, stray NUL
bytes reject only the rows that hold them, and a binary file is refused in one line."""

from __future__ import annotations

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

