"""The loader on hand-made messy ledgers: exact case sets, skips, rejects and row conservation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLES, write_ledger

from backlog_cli.config import read_yaml
from backlog_cli.errors import ConfigError, LedgerError
from backlog_cli.config import load_yaml
from backlog_cli.loading import load_columns, load_ledger

HEADER = ["序号", "案号", "立案日期", "申请执行人", "被执行人", "案由", "执行标的（万元）", "承办人", "结案日期", "是否涉信访", "自定义列"]


def messy_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2026年"
    ws["A1"] = "某某法院执行积案台帐"
    ws.merge_cells("A1:K1")
    ws.append([])  # row 2 blank
    ws.append(HEADER)  # row 3
    rows = [
        [1, "（2026）鲁0902执1号", dt.datetime(2026, 1, 5), "张三", "某某公司", "买卖合同纠纷", 12.5, "李 四", None, "否", "a"],  # 4
        [2, "(2026)鲁0902执2号", "2026年2月3日", "王五", "某村民委员会", "追索劳动报酬纠纷", "3000元", "李四", "2026.05.06", "是", None],  # 5
        [None] * 11,  # 6 blank
        [3, "〔2015〕泰执字第00123号", "20150305", "赵六", "钱七", "民间借贷纠纷", "1.5万元", "", None, None, None],  # 7
        HEADER,  # 8 repeated header
        [4, "(2026)鲁0902执1号", "2026-3-1", "重复", "重复", "买卖合同纠纷", 1, "李四", None, None, None],  # 9 duplicate of row 4
        [5, "(2026)鲁0902执5号", None, "无日期", "x", "x", 1, "李四", None, None, None],  # 10 no filing date
        [6, "(2026)鲁0902执6号", "待补", "坏日期", "x", "x", 1, "李四", None, None, None],  # 11 unreadable date
        [7, "乱写的案号", "2026-3-1", "坏案号", "x", "x", 1, "李四", None, None, None],  # 12 unreadable case number
        [8, "(2026)鲁0902执8号", 46082, "序列号日期", "x", "x", "abc", "王 五", "明天", None, None],  # 13 serial date, bad amount/close
        ["合计", None, None, None, None, None, 100, None, None, None, None],  # 14 totals
    ]
    for row in rows:
        ws.append(row)
    notes = wb.create_sheet("填表说明")
    notes["A1"] = "本表按年度分sheet填写。"
    notes["A2"] = "日期格式：2016-03-05。"
    wb.save(path)
    return path


@pytest.fixture()
def messy(tmp_path):
    return load_ledger([messy_workbook(tmp_path / "ledger.xlsx")])


def test_exact_case_set(messy):
    cases = messy.cases.set_index("case_no")
    assert list(cases.index) == ["(2026)鲁0902执1号", "(2026)鲁0902执2号", "(2015)泰执字第00123号", "(2026)鲁0902执8号"]
    assert list(cases["source_row"]) == [4, 5, 7, 13]
    assert set(cases["source_sheet"]) == {"2026年"}


def test_values_parsed(messy):
    c = messy.cases.set_index("case_no")
    assert c.loc["(2026)鲁0902执1号", "filed_on"] == pd.Timestamp("2026-01-05")
    assert c.loc["(2026)鲁0902执2号", "filed_on"] == pd.Timestamp("2026-02-03")
    assert c.loc["(2015)泰执字第00123号", "filed_on"] == pd.Timestamp("2015-03-05")
    assert c.loc["(2026)鲁0902执8号", "filed_on"] == pd.Timestamp("2026-03-01")  # serial 46082
    assert c.loc["(2026)鲁0902执2号", "closed_on"] == pd.Timestamp("2026-05-06")
    # the column is in 万元: a plain number is x10000, an explicit 元 or 万元 wins
    assert c.loc["(2026)鲁0902执1号", "amount"] == 125000.0
    assert c.loc["(2026)鲁0902执2号", "amount"] == 3000.0
    assert c.loc["(2015)泰执字第00123号", "amount"] == 15000.0
    assert c.loc["(2026)鲁0902执1号", "officer"] == "李四"
    assert c.loc["(2026)鲁0902执8号", "officer"] == "王五"
    assert c.loc["(2026)鲁0902执2号", "petition"] == True  # noqa: E712
    assert c.loc["(2026)鲁0902执1号", "petition"] == False  # noqa: E712
    assert c.loc["(2015)泰执字第00123号", "case_type"] == "执"
    assert c.loc["(2015)泰执字第00123号", "case_seq"] == 123
    assert c.loc["(2026)鲁0902执1号", "court_code"] == "鲁0902"
    assert c.loc["(2026)鲁0902执1号", "自定义列"] == "a"  # unknown columns are kept


def test_skipped_and_rejected(messy):
    assert sorted(zip(messy.skipped["row"], messy.skipped["reason"])) == [
        (6, "空行"), (8, "重复的表头行"), (14, "合计行")
    ]
    rejects = {row: reason for row, reason in zip(messy.rejects["row"], messy.rejects["reason"])}
    assert rejects[9] == "案号重复：与 2026年 第4行 重复"
    assert rejects[10] == "缺少立案日期"
    assert rejects[11] == "立案日期无法识别：“待补”"
    assert rejects[12] == "案号无法识别"
    assert len(rejects) == 4


def test_row_conservation(messy):
    assert messy.rows_read == 11
    assert messy.rows_read == len(messy.cases) + len(messy.skipped) + len(messy.rejects)
    sheet = next(s for s in messy.sheets if s.sheet == "2026年")
    assert (sheet.header_row, sheet.cases, sheet.skipped, sheet.rejected) == (3, 4, 3, 4)


def test_notes_sheet_skipped_and_mapping(messy):
    notes = next(s for s in messy.sheets if s.sheet == "填表说明")
    assert notes.header_row is None and notes.note == "无台帐表头，未读取"
    sheet = next(s for s in messy.sheets if s.sheet == "2026年")
    mapping = {c.header: c.name for c in sheet.headers}
    assert mapping["执行标的（万元）"] == "amount"
    assert mapping["自定义列"] == "自定义列"


def test_value_problems_listed(messy):
    got = sorted(zip(messy.problems["row"], messy.problems["column"]))
    assert got == [(13, "amount"), (13, "closed_on")]


def test_gbk_csv_and_sheet_select(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes("案号,立案日期,承办人\n(2025)鲁0902执9号,2025/1/2,张三\n合计,,\n".encode("gbk"))
    led = load_ledger([path])
    assert list(led.cases["case_no"]) == ["(2025)鲁0902执9号"]
    assert list(led.cases["source_row"]) == [2]
    assert list(led.skipped["row"]) == [3]


def test_bom_and_tsv(tmp_path):
    path = tmp_path / "ledger.tsv"
    path.write_bytes("\ufeff案号\t收案日期\n(2025)鲁0902执9号\t2025-01-02\n".encode("utf-8"))
    led = load_ledger([path])
    assert led.cases["filed_on"].iloc[0] == pd.Timestamp("2025-01-02")


def test_tsv_of_commas_is_read_as_csv(tmp_path):
    """A .tsv without a tab in its first lines is comma-separated text saved under that name: read
    with commas, not refused as a file without a header. A real .tsv keeps its commas in values."""
    path = tmp_path / "ledger.tsv"
    path.write_bytes("案号,立案日期,执行标的\n(2025)鲁0902执9号,2025-01-02,\"1,000\"\n".encode("utf-8"))
    led = load_ledger([path])
    assert list(led.cases["case_no"]) == ["(2025)鲁0902执9号"]
    assert led.cases["amount"].iloc[0] == 1000
    real = tmp_path / "real.tsv"
    real.write_bytes("案号\t立案日期\t执行标的\n(2025)鲁0902执9号\t2025-01-02\t1,000,000\n".encode("utf-8"))
    led = load_ledger([real])
    assert led.cases["filed_on"].iloc[0] == pd.Timestamp("2025-01-02")
    assert led.cases["amount"].iloc[0] == 1_000_000


def test_user_aliases(tmp_path):
    aliases = tmp_path / "cols.yaml"
    aliases.write_text("fields:\n  case_no:\n    aliases: [执行案件号]\n", encoding="utf-8")
    path = tmp_path / "l.csv"
    path.write_text("执行案件号,立案日期\n(2025)鲁0902执9号,2025-01-02\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="no ledger header"):
        load_ledger([path])
    led = load_ledger([path], columns=load_columns([aliases]))
    assert len(led.cases) == 1


@pytest.mark.parametrize("encoding", ["utf-16", "gbk"])
def test_a_sheet_excel_saved_as_text_is_read(tmp_path, encoding):
    """Excel's 另存为 文本文件（制表符分隔） writes a .txt in GBK on a Chinese Windows, Unicode 文本 a
    .txt in UTF-16 with a byte order mark: both tab-separated, both read as the sheet."""
    text = "某某法院执行案件台帐\n案号\t立案日期\t承办人\n(2025)鲁0902执9号\t2025/1/2\t张三\n(2025)鲁0902执10号\t2025年1月3日\t\n"
    path = tmp_path / "台帐.txt"
    path.write_bytes(text.encode(encoding))
    ledger = load_ledger([path])
    cases = ledger.cases.fillna({"officer": "-"})
    assert cases[["case_no", "filed_on", "officer", "source_sheet", "source_row"]].astype(str).values.tolist() == [
        ["(2025)鲁0902执9号", "2025-01-02", "张三", "台帐", "3"], ["(2025)鲁0902执10号", "2025-01-03", "-", "台帐", "4"]]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.xlsx", b"", "the file is empty"),
        ("notes.pdf", b"%PDF-1.4", "unsupported file type '.pdf'; use .xlsx, .xlsm, .xls, .ods, .csv, .tsv or .txt"),
        ("台帐.xlsb", b"PK\x03\x04", "an Excel binary workbook (.xlsb), which is not read; save it as .xlsx"),
        ("台帐.et", b"\xd0\xcf\x11\xe0", "a WPS 表格 workbook (.et), which is not read; save it as .xlsx (另存为 Excel 工作簿)"),
        ("broken.xlsx", b"PK\x03\x04 this is not really a zip", "cannot read the workbook"),
        ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "EncryptedPackage".encode("utf-16-le"),
         "password-protected"),
        ("notexcel.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "cannot read the workbook"),
        ("locked.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "EncryptedPackage".encode("utf-16-le"),
         "password-protected"),
        ("notexcel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "cannot read the workbook"),
        ("binary.csv", b"\x00\x01\x02\x03", "not a text (CSV) file"),
        ("bom.csv", b"\xef\xbb\xbf", "the file is empty (no text after its byte order mark)"),
        ("gbk.csv", "案号,立案日期\n(2025)鲁0902执9号,2025-01-02\n".encode("gbk"), "encoding utf-8:line 1 is not"),
        ("weird.csv", b"\xff\xff\xfe\xff\x80\x80", "cannot tell the text encoding"),
        ("noheader.csv", "甲,乙\n1,2\n".encode(), "no ledger header found"),
        ("nodate.csv", "案号,承办人\n(2025)鲁0902执9号,张三\n".encode(), "no column for filed_on"),
    ],
)
def test_bad_input(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    encoding, _, message = message.rpartition(":") if message.startswith("encoding ") else ("", "", message)
    with pytest.raises(LedgerError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_ledger([path], encoding=encoding.removeprefix("encoding ") or None)


@pytest.mark.parametrize("source, name", [("tests/fixtures/ledgers/ledger.xls", "saved-as.xlsx"),
                                          ("samples/ledger.xlsx", "renamed.xls"),
                                          ("tests/fixtures/ledgers/ledger.ods", "renamed.xlsx")])
def test_a_workbook_named_for_another_kind_is_read_for_what_it_is(tmp_path, source, name):
    """An .xls saved with an .xlsx name (or any such mix-up) reads as the file it really is."""
    root = Path(__file__).resolve().parents[1]
    (tmp_path / name).write_bytes((root / source).read_bytes())
    misnamed = load_ledger([tmp_path / name])
    proper = load_ledger([root / source])
    cols = ["case_no", "filed_on", "officer", "source_sheet", "source_row"]
    pd.testing.assert_frame_equal(misnamed.cases[cols], proper.cases[cols])
    assert len(misnamed.cases) > 0


def test_forced_encoding_names_the_line_and_the_encoding_that_works(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("案号,立案日期\n(2025)鲁0902执9号,2025-01-02\n".encode("gbk"))
    with pytest.raises(LedgerError) as err:
        load_ledger([path], encoding="utf-8")
    assert str(err.value) == f"{path}: line 1 is not utf-8 text (byte 0); the file reads as GBK: try --encoding gbk"
    path.write_bytes("case_no,filed_on\n(2025)鲁0902执9号,2025-01-02\n".encode("utf-8"))
    with pytest.raises(LedgerError, match="line 2 is not ascii text"):
        load_ledger([path], encoding="ascii")
    # a name GBK lacks (䶮, 㭎), as GB18030 writes it: the hint is not the encoding that failed
    path.write_bytes("案号,立案日期,被执行人\n(2025)鲁0902执9号,2025-01-02,李䶮\n".encode("gb18030"))
    for forced in ("gbk", "GB2312", "cp936"):
        with pytest.raises(LedgerError) as err:
            load_ledger([path], encoding=forced)
        assert str(err.value) == (f"{path}: line 2 is not {forced} text (byte 54); the file reads as GB18030, which "
                                  f"has characters {forced} lacks: try --encoding gb18030")
    assert load_ledger([path], encoding="gb18030").cases["respondent"].tolist() == ["李䶮"]


@pytest.mark.parametrize("saved, forced, hint", [("gbk", "latin-1", "gb18030"), ("utf-8", "latin-1", "utf-8"),
                                                  ("gbk", "koi8-r", "gb18030")])
def test_forced_encoding_that_reads_no_header_names_the_one_that_does(tmp_path, saved, forced, hint):
    """An encoding named that decodes the file (latin-1 decodes any bytes) but garbles its header
    is told from a file without one: the encoding the header reads in is named."""
    path = tmp_path / "ledger.csv"
    path.write_bytes("××法院执行台帐\n案号,立案日期\n(2025)鲁0902执9号,2025-01-02\n".encode(saved))
    with pytest.raises(LedgerError) as err:
        load_ledger([path], encoding=forced)
    assert str(err.value) == (f"{path}: read as {forced} no header is found; read as {hint} it has one: "
                              f"try --encoding {hint}")
    assert len(load_ledger([path], encoding=hint).cases) == 1
    path.write_bytes("甲,乙\n1,2\n".encode(saved))  # no header in any encoding: as before
    with pytest.raises(LedgerError, match="no ledger header found in ledger"):
        load_ledger([path], encoding=forced)


def test_an_encoding_set_in_the_settings_is_told_to_be_set_there(tmp_path):
    """The hints name encoding: in the settings file the encoding came from, not --encoding."""
    path, settings = tmp_path / "ledger.csv", tmp_path / "backlog.yaml"
    path.write_bytes("案号,立案日期\n(2025)鲁0902执9号,2025-01-02\n".encode("gbk"))
    cases = [("utf-8", "line 1 is not utf-8 text (byte 0); the file reads as GBK: set `encoding: gbk`"),
             ("gbk", None), ("latin-1", "read as latin-1 no header is found; read as gb18030 it has one: "
                                        "set `encoding: gb18030`"),
             ("ascii", "line 1 is not ascii text (byte 0); the file reads as GBK: set `encoding: gbk`")]
    for encoding, hint in cases:
        if hint is None:
            assert len(load_ledger([path], encoding=encoding, encoding_set_in=settings).cases) == 1
            continue
        with pytest.raises(LedgerError) as err:
            load_ledger([path], encoding=encoding, encoding_set_in=settings)
        assert str(err.value) == f"{path}: {hint} in {settings}"
    path.write_bytes(bytes([0x61, 0x2C, 0x62, 0x0A, 0xFF, 0xFE, 0xFD, 0x0A]))  # neither UTF-8 nor GB18030
    with pytest.raises(LedgerError) as err:
        load_ledger([path], encoding="ascii", encoding_set_in=settings)
    assert str(err.value) == f"{path}: line 2 is not ascii text (byte 4); set another `encoding:` in {settings}"
    with pytest.raises(LedgerError) as err:
        load_ledger([path], encoding="ascii")
    assert str(err.value) == f"{path}: line 2 is not ascii text (byte 4); try another --encoding"


@pytest.mark.parametrize("encoding, forced", [("utf-16", None), ("utf-16", "utf-16"), ("utf-16-be", None),
                                              ("utf-32", None)])
def test_unicode_text_with_a_byte_order_mark(tmp_path, encoding, forced):
    """Excel's "Unicode text" is tab-separated UTF-16LE with a byte order mark."""
    path = tmp_path / "ledger.txt"
    data = "案号\t立案日期\t备注\n(2025)鲁0902执9号\t2025-01-02\t年底前，结案\n".encode(encoding)
    path.write_bytes((b"\xfe\xff" if encoding == "utf-16-be" else b"") + data)
    led = load_ledger([path], encoding=forced)
    assert list(led.cases["case_no"]) == ["(2025)鲁0902执9号"]
    assert led.cases["filed_on"].iloc[0] == pd.Timestamp("2025-01-02")


def test_ragged_csv_title_notes_and_extra_cells(tmp_path):
    """A title line and notes above the header; a row filled beyond the header's fields is
    rejected (its values may stand under the wrong columns); trailing empty fields are not
    filled, and a header line padded as Excel pads it makes room for the cells under it."""
    path = tmp_path / "ledger.csv"
    path.write_text("××区人民法院执行积案台帐\n填表人：张三,2026年11月\n案号,立案日期,承办人\n"
                    "(2025)鲁0902执1号,2025-01-01,张三,,\n(2025)鲁0902执2号,2025-01-02,李四,多,余\n", encoding="utf-8")
    led = load_ledger([path])
    assert led.sheets[0].header_row == 3
    assert list(led.cases["case_no"]) == ["(2025)鲁0902执1号"]
    assert list(led.cases["source_row"]) == [4]
    assert led.rejects[["row", "reason"]].values.tolist() == [
        [5, "本行有 5 个字段，表头只有 3 个：各值可能错位（含逗号的值如 125,000.00 未加引号？），请修正后重读"]]
    path.write_text("案号,立案日期,承办人,,\n(2025)鲁0902执1号,2025-01-01,张三,,\n(2025)鲁0902执2号,2025-01-02,李四,多,余\n",
                    encoding="utf-8")
    led = load_ledger([path])
    assert list(led.cases["case_no"]) == ["(2025)鲁0902执1号", "(2025)鲁0902执2号"] and led.rejects.empty
    assert led.cases["列4"].tolist()[1] == "多" and led.cases["列5"].tolist()[1] == "余"
    assert pd.isna(led.cases["列4"].iloc[0])


def test_a_column_with_neither_a_header_nor_a_value_is_left_out(tmp_path):
    """An export ending every data line with a comma (the header line without one) gives a fifth
    field with no header and nothing in it: not a column 列5 in every output. A column without a
    header holding a value in one row is kept, named by its place."""
    path = tmp_path / "ledger.csv"
    path.write_text("案号,立案日期,执行标的,承办人\n(2025)鲁0902执1号,2025-01-02,500,王磊,\n"
                    "(2025)鲁0902执2号,2025-01-03,600,王磊,\n(2025)鲁0902执3号,2025-01-04,700,王磊,\n", encoding="utf-8")
    led = load_ledger([path])
    assert len(led.cases) == 3 and led.rejects.empty
    assert not [c for c in led.cases.columns if c.startswith("列")]
    from typer.testing import CliRunner

    from backlog_cli.cli import app

    result = CliRunner().invoke(app, ["classify", str(path), "--as-of", "2026-11-23", "-f", "csv"])
    assert result.exit_code == 0 and "列5" not in result.stdout.splitlines()[0]
    path.write_text("案号,立案日期,执行标的,承办人,\n(2025)鲁0902执1号,2025-01-02,500,王磊,\n"
                    "(2025)鲁0902执2号,2025-01-03,600,王磊,另见卷宗\n", encoding="utf-8")
    assert load_ledger([path]).cases["列5"].tolist()[1] == "另见卷宗"


def test_an_amount_with_an_unquoted_comma_does_not_shift_a_row_into_the_cases(tmp_path):
    """125,000.00 unquoted: six fields under five headers, the officer read as 000.00 and the
    notes as the officer if read. The row is rejected, saying why; the rows around it are read."""
    path = tmp_path / "ledger.csv"
    path.write_text("案号,立案日期,执行标的,承办人,备注\n(2026)鲁0902执1号,2026-01-05,125,000.00,张三,重复信访\n"
                    '(2026)鲁0902执2号,2026-01-05,"125,000.00",张三,\n', encoding="utf-8")
    led = load_ledger([path])
    assert led.cases[["case_no", "amount", "officer"]].values.tolist() == [["(2026)鲁0902执2号", 125000.0, "张三"]]
    assert led.rejects[["row", "case_no"]].values.tolist() == [[2, "(2026)鲁0902执1号"]]
    assert led.rejects["reason"].iloc[0].startswith("本行有 6 个字段，表头只有 5 个")


def test_a_row_one_field_wider_with_its_last_column_blank_is_not_read_shifted(tmp_path):
    """1,000 and (1,000) unquoted in a row whose 备注 is blank: one field more than the header, the
    one beyond it blank. Read, the amount was 1 and the officer 000, without a word. Such a row is
    rejected naming the amount; so is one split in its text (张三,李四), with the general hint. An
    export ending every data line with a comma is read, but for its row with an amount split, and
    so is a file whose rows mostly have the amount split (all rejected, not read as the usual)."""
    path = tmp_path / "ledger.csv"
    head = "序号,案号,立案日期,申请执行人,被执行人,案由,执行标的,承办人,备注\n"
    path.write_text(head + "1,(2025)鲁0902执1号,2025-01-02,张三,李四,买卖合同纠纷,500,王磊,无\n"
                    "2,(2025)鲁0902执2号,2025-01-02,张三,李四,买卖合同纠纷,800,王磊,\n"
                    "3,(2025)鲁0902执3号,2025-01-02,张三,李四,买卖合同纠纷,1,000,王磊,\n"
                    "4,(2025)鲁0902执4号,2025-01-02,张三,李四,买卖合同纠纷,(1,000),王磊,\n"
                    "5,(2025)鲁0902执5号,2025-01-02,张三,赵六,钱七,买卖合同纠纷,900,王磊,\n", encoding="utf-8")
    led = load_ledger([path])
    assert led.cases[["case_no", "amount", "officer"]].values.tolist() == [
        ["(2025)鲁0902执1号", 500.0, "王磊"], ["(2025)鲁0902执2号", 800.0, "王磊"]]
    assert led.rejects[["row", "reason"]].values.tolist() == [
        [4, "本行有 10 个字段，表头只有 9 个：各值可能错位（执行标的 1,000 含逗号未加引号？），请修正后重读"],
        [5, "本行有 10 个字段，表头只有 9 个：各值可能错位（执行标的 (1,000) 含逗号未加引号？），请修正后重读"],
        [6, "本行有 10 个字段，表头只有 9 个：各值可能错位（含逗号的值如 125,000.00 未加引号？），请修正后重读"]]
    # every data line ending with a comma, the header's not
    path.write_text("案号,立案日期,执行标的,承办人,备注\n(2025)鲁0902执1号,2025-01-02,500,王磊,,\n"
                    "(2025)鲁0902执2号,2025-01-02,800,王磊,无,\n(2025)鲁0902执3号,2025-01-02,1,000,000.50,王磊,,\n"
                    "(2025)鲁0902执4号,2025-01-02,600,王磊,,\n", encoding="utf-8")
    led = load_ledger([path])
    assert led.cases[["case_no", "amount", "officer"]].values.tolist() == [
        ["(2025)鲁0902执1号", 500.0, "王磊"], ["(2025)鲁0902执2号", 800.0, "王磊"], ["(2025)鲁0902执4号", 600.0, "王磊"]]
    assert led.rejects[["row", "reason"]].values.tolist() == [
        [4, "本行有 8 个字段，表头只有 5 个：各值可能错位（执行标的 1,000,000.50 含逗号未加引号？），请修正后重读"]]
    # most rows split: they are not the export's usual shape
    path.write_text("案号,立案日期,执行标的,承办人,备注\n(2025)鲁0902执1号,2025-01-02,5,000,王磊,\n"
                    "(2025)鲁0902执2号,2025-01-02,8,000,王磊,\n(2025)鲁0902执3号,2025-01-02,600,王磊,\n", encoding="utf-8")
    led = load_ledger([path])
    assert led.cases["case_no"].tolist() == ["(2025)鲁0902执3号"]
    assert led.rejects["row"].tolist() == [2, 3]


def test_an_amount_split_at_a_comma_in_a_row_without_its_trailing_blanks_is_rejected(tmp_path):
    """An export that leaves out a row's trailing blank fields: 1,000 unquoted gives a row no wider
    than the header, read as the amount 1, the officer 000 and the notes 王磊 without a word. It is
    rejected naming the amount, in a file read in blocks as in one read whole (a title line above
    the header); a 300 under 未履行金额 beside an amount of 5 is two amounts, read."""
    path = tmp_path / "ledger.csv"
    lines = ["案号,立案日期,执行标的,承办人,备注,结案日期", "(2025)鲁0902执1号,2025-01-02,500,王磊",
             "(2025)鲁0902执2号,2025-01-02,1,000,王磊", "(2025)鲁0902执3号,2025-01-02,\" 12\",345.50元,王磊,无"]
    for text in ("\n".join(lines) + "\n", "执行台帐\n" + "\n".join(lines) + "\n"):
        path.write_text(text, encoding="utf-8")
        led = load_ledger([path])
        assert led.cases[["case_no", "amount", "officer"]].values.tolist() == [["(2025)鲁0902执1号", 500.0, "王磊"]]
        assert led.rejects[["case_no", "reason"]].values.tolist() == [
            ["(2025)鲁0902执2号", "各值可能错位（执行标的 1,000 含逗号未加引号？），请修正后重读"],
            ["(2025)鲁0902执3号", "各值可能错位（执行标的 12,345.50元 含逗号未加引号？），请修正后重读"]]
    path.write_text("案号,立案日期,执行标的（万元）,未履行金额,承办人\n(2025)鲁0902执1号,2025-01-02,5,300,王磊\n",
                    encoding="utf-8")
    led = load_ledger([path])
    assert led.cases["amount"].tolist() == [50000.0] and led.rejects.empty


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8"])
def test_a_title_line_wider_than_the_header_hides_no_row_shifted_by_a_comma(tmp_path, monkeypatch, encoding):
    """The sample under a title line with more commas than its header has fields, as a GBK file
    (read whole) and a UTF-8 one (read in blocks). Its rows were read padded to the title's width,
    so a row one field wider than the header went unseen: 丁雪,张三 unquoted in 被执行人 put every
    value after it under the next column, its 备注 blank or not, and 398,941 was told without its
    fields. Each is rejected as under a title no wider; the sample's other rows are read."""
    from typer.testing import CliRunner

    from backlog_cli.cli import app

    lines = (SAMPLES / "ledger.csv").read_text(encoding="gb18030").splitlines()
    lines[1] = lines[1].replace(",398941,", ",398,941,")
    lines[3] = lines[3].replace(",丁雪,", ",丁雪,张三,")
    lines[4] = lines[4].replace(",王雪,", ",王雪,张三,") + "见卷宗"
    monkeypatch.chdir(tmp_path)
    for title in ("东岳市泰东区人民法院执行案件台帐", "东岳市泰东区人民法院执行案件台帐" + "," * 23):
        Path("ledger.csv").write_text("\n".join([title, *lines]) + "\n", encoding=encoding)
        result = CliRunner().invoke(app, ["classify", "ledger.csv", "--as-of", "2026-11-23", "-f", "csv"])
        assert result.exit_code == 0, result.output
        said = result.stderr.splitlines()
        assert said[0].startswith("loaded 113 cases from 123 rows;") and said[0].endswith("; 7 rejected")
        shifted = "本行有 21 个字段，表头只有 20 个：各值可能错位（{}未加引号？），请修正后重读"
        assert said[1:4] == [
            "rejected: ledger.csv [ledger] row 3: (2014)泰执字第01007号: " + shifted.format("执行标的（元） 398,941 含逗号"),
            "rejected: ledger.csv [ledger] row 5: (2015)泰执字第01008号: " + shifted.format("含逗号的值如 125,000.00 "),
            "rejected: ledger.csv [ledger] row 6: (2015)泰执字第01016号: " + shifted.format("含逗号的值如 125,000.00 ")]
        assert len(result.stdout.splitlines()) == 1 + 113


def test_an_amount_split_before_a_column_of_numbers_in_a_row_without_its_trailing_blanks_is_rejected(tmp_path,
                                                                                                     monkeypatch):
    """The sample with a 未履行金额 column after 执行标的, saved by an export that leaves out a row's
    trailing blank fields. 6,000 unquoted put 000 under 未履行金额 and 1,316,797.73 put 316 there and
    797.73 under 承办人: both were read shifted without a word, as was 1,000 putting 000 under
    结案日期. Each is rejected naming the amount; the sample's other rows are read."""
    import csv
    import io

    from typer.testing import CliRunner

    from backlog_cli.cli import app

    rows = list(csv.reader(io.StringIO((SAMPLES / "ledger.csv").read_text(encoding="gb18030"))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:  # 未履行金额 the whole amount; the header is repeated once further down
        row = row[:7] + ["未履行金额" if row == rows[0] else row[6]] + row[7:]
        while row and not row[-1]:
            row.pop()
        writer.writerow(row)
    lines = out.getvalue().splitlines()
    lines[3] = lines[3].replace(",121500,121500,", ",1,316,797.73,121500,")
    lines[5] = lines[5].replace(",6317,6317,", ",6,000,6317,")
    monkeypatch.chdir(tmp_path)
    Path("ledger.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["classify", "ledger.csv", "--as-of", "2026-11-23", "-f", "csv"])
    assert result.exit_code == 0, result.output
    said = result.stderr.splitlines()
    assert said[0].startswith("loaded 114 cases from 123 rows;") and said[0].endswith("; 6 rejected")
    shifted = "各值可能错位（执行标的（元） {} 含逗号未加引号？），请修正后重读"
    assert said[1:3] == ["rejected: ledger.csv [ledger] row 4: (2015)泰执字第01008号: " + shifted.format("1,316,797.73"),
                         "rejected: ledger.csv [ledger] row 6: (2015)泰执字第01018号: " + shifted.format("6,000")]
    assert len(result.stdout.splitlines()) == 1 + 114
    Path("ledger.csv").write_text("案号,立案日期,执行标的（万元）,结案日期,承办人,备注\n"
                                  "(2025)鲁0902执1号,2025-01-02,1,000,2025-03-01,王磊\n"
                                  "(2025)鲁0902执2号,2025-01-02,1,2025-03-01,王磊\n", encoding="utf-8")
    led = load_ledger([Path("ledger.csv")])
    assert led.rejects[["case_no", "reason"]].values.tolist() == [
        ["(2025)鲁0902执1号", "各值可能错位（执行标的（万元） 1,000 含逗号未加引号？），请修正后重读"]]
    assert led.cases[["case_no", "amount", "closed_on", "officer"]].values.tolist() == [
        ["(2025)鲁0902执2号", 10000.0, pd.Timestamp("2025-03-01"), "王磊"]]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 10 ** 7), st.booleans(), st.sampled_from(["王磊", "李娜", "张伟"]),
                          st.sampled_from(["", "", "重点督办"])), min_size=1, max_size=12),
       st.sampled_from(["padded", "every data line", "every line", "trailing blanks left out"]))
def test_no_csv_row_with_an_unquoted_amount_is_read_shifted(tmp_path, rows, ending):
    """Amounts typed with thousands commas, some written unquoted, in CSV files ended as exports
    end them: every row is a case read with its own amount and officer, or rejected; none is
    read under the wrong columns."""
    path = tmp_path / "ledger.csv"
    lines = ["案号,立案日期,执行标的,承办人,备注" + ("," if ending == "every line" else "")]
    for seq, (amount, quoted, officer, notes) in enumerate(rows, 1):
        typed = f'"{amount:,}"' if quoted else f"{amount:,}"
        line = f"(2025)鲁0902执{seq}号,2025-01-02,{typed},{officer},{notes}"
        if ending == "trailing blanks left out":
            line = line.rstrip(",")
        lines.append(line + ("," if ending in ("every data line", "every line") else ""))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    led = load_ledger([path])
    assert len(led.cases) + len(led.rejects) == len(rows)
    for case in led.cases.itertuples():
        amount, _, officer, notes = rows[case.case_seq - 1]
        assert (case.amount, case.officer) == (amount, officer), case
        assert (case.notes if isinstance(case.notes, str) else "") == notes
    for seq in led.rejects["case_no"].str.extract(r"执(\d+)号")[0].astype(int):
        amount, quoted, _, _ = rows[seq - 1]
        assert amount >= 1000 and not quoted  # only a row with an amount split at a comma


def test_a_quote_never_closed_is_an_error_naming_its_line(tmp_path):
    """An export that does not double quotes: the quote opened on line 4 would take every later
    line into one cell (3 cases instead of 5). A quoted cell over two lines is fine, and so is a
    stray quote after a closed one ("a"b), read as the lenient reader reads it."""
    path = tmp_path / "ledger.csv"
    rows = ["案号,立案日期,被执行人", '(2025)鲁0902执1号,2025-01-01,"甲\n乙"', "(2025)鲁0902执2号,2025-01-02,丙",
            '(2025)鲁0902执3号,2025-01-03,"老赖张某', "(2025)鲁0902执4号,2025-01-04,丁", "(2025)鲁0902执5号,2025-01-05,戊"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(LedgerError, match=r"ledger.csv: line 5: a quoted cell \(\"\) is never closed"):
        load_ledger([path])
    rows[3] = '(2025)鲁0902执3号,2025-01-03,"老赖"张某'
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    led = load_ledger([path])
    assert led.cases["respondent"].tolist() == ["甲\n乙", "丙", "老赖张某", "丁", "戊"]


def test_tsv_with_a_title_line(tmp_path):
    path = tmp_path / "ledger.txt"
    path.write_text("台帐\n案号\t立案日期\n(2025)鲁0902执1号\t2025-01-01\n", encoding="utf-8")
    assert list(load_ledger([path]).cases["case_no"]) == ["(2025)鲁0902执1号"]


def test_missing_file_and_unknown_sheet(tmp_path):
    with pytest.raises(LedgerError, match="no such file"):
        load_ledger([tmp_path / "nope.xlsx"])
    path = messy_workbook(tmp_path / "l.xlsx")
    with pytest.raises(LedgerError, match="no sheet named 2024年"):
        load_ledger([path], sheets=["2024年"])


def test_sheet_names_checked_across_files(tmp_path):
    book = messy_workbook(tmp_path / "l.xlsx")
    other = tmp_path / "other.csv"
    other.write_text("案号,立案日期\n(2025)鲁0902执9号,2025-01-02\n", encoding="utf-8")
    # 2026年 is only in the workbook, other only in the CSV: both are read, each from its file
    led = load_ledger([book, other], sheets=["2026年", "other"])
    assert set(led.cases["source_sheet"]) == {"2026年", "other"}
    assert "(2025)鲁0902执9号" in set(led.cases.loc[led.cases["source_sheet"] == "other", "case_no"])
    with pytest.raises(LedgerError) as err:
        load_ledger([book, other], sheets=["2026年", "2024年"])
    assert str(err.value) == (
        f"no sheet named 2024年 in any of the 2 files; sheets: {book}: 2026年、填表说明; {other}: other"
    )


def test_a_file_holding_none_of_the_sheets_asked_for_is_warned_about(tmp_path):
    """With several files, a sheet name found in one is read from it; a file holding none of the
    sheets asked for gives nothing, and says so, naming its sheets (it used to be passed over
    without a word). A file holding one of them is not named."""
    book = messy_workbook(tmp_path / "l.xlsx")
    other = tmp_path / "other.csv"
    other.write_text("案号,立案日期\n(2025)鲁0902执9号,2025-01-02\n", encoding="utf-8")
    led = load_ledger([book, other], sheets=["2026年"])
    assert set(led.cases["source_sheet"]) == {"2026年"}
    assert led.warnings[0] == f"{other}: no sheet named 2026年, nothing read from it; sheets: other"
    assert not any(str(book) in w for w in led.warnings)
    both = load_ledger([book, other], sheets=["2026年", "other"])
    assert not any("no sheet named" in w for w in both.warnings)


def test_missing_column_message_lists_headers_and_aliases(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("案号,承办人\n(2025)鲁0902执9号,张三\n", encoding="utf-8")
    with pytest.raises(LedgerError) as err:
        load_ledger([path])
    text = str(err.value)
    assert "Headers found: 案号、承办人" in text and "立案日期、立案时间" in text


@pytest.mark.parametrize("name", ["ledger.xls", "ledger.ods"])
def test_xls_and_ods(name):
    """Old-format Excel and OpenDocument ledgers: title row above the header, typed and text values."""
    led = load_ledger([Path(__file__).parent / "fixtures" / "ledgers" / name])
    assert list(led.cases["case_no"]) == ["(2025)鲁0902执1号", "(2025)鲁0902执2号"]
    assert list(led.cases["filed_on"]) == [pd.Timestamp("2025-01-06"), pd.Timestamp("2025-02-03")]
    assert list(led.cases["amount"]) == [12000.0, 15000.0]
    assert list(led.cases["source_row"]) == [3, 4]
    assert led.sheets[0].header_row == 2


@pytest.mark.parametrize(
    "content, message",
    [
        ("fields:\n  case_no:\n    aliases: 执行案件号\n", "'aliases' must be a list of header names"),
        ("fields:\n  case_no:\n    alias: [执行案件号]\n", "unknown key 'alias'"),
        ("fields:\n  x:\n    kind: money\n", "unknown kind 'money'"),
        ("fields:\n  case_no: [执行案件号]\n", "must be a mapping"),
        ("fields: [a\n", r"cols.yaml:2:1: not valid YAML \(expected ',' or '\]'"),
    ],
)
def test_bad_aliases_file(tmp_path, content, message):
    path = tmp_path / "cols.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises((LedgerError, ConfigError), match=message):
        load_columns([path])


@pytest.mark.parametrize(
    "content, message",
    [
        ("# 本院\nfields:\n  case_no:\n    aliases: 执行案件号\n",
         "4: field 'case_no': 'aliases' must be a list of header names, e.g. aliases: [执行案件号]"),
        ("fields:\n  case_no:\n    label: 案号\n    alias: [执行案件号]\n",
         "4: field 'case_no': unknown key 'alias' (keys: kind, label, aliases, units)"),
        ("fields:\n  judge_team:\n    aliases: [合议庭]\n    kind: money\n",
         "4: field 'judge_team': unknown kind 'money' (kinds: text, date, amount, flag, number)"),
        ("fields:\n  extension_days:\n    kind: number\n    units: 天\n",
         "4: field 'extension_days': 'units' must be a list of unit words, e.g. units: [个月, 月]"),
        ("fields:\n  officer:\n    label: 承办人\n    aliases:\n      - 案号\n",
         "4: header '案号' is given for 'officer' but already belongs to 'case_no'; a header can name one field only"),
        ("fields:\n  case_no: {}\n  officer: {aliases: [案号]}\n",
         "3: header '案号' is given for 'officer' but already belongs to 'case_no'; a header can name one field only"),
        ("fields:\n  case_no: [执行案件号]\n",
         "2: field 'case_no' must be a mapping with 'aliases:' (and optionally 'kind:', 'label:')"),
        # a label that is no text was shown as a header ['a'] or None, one already another's as two columns of one header
        ("fields:\n  case_no:\n    label: [案件编号]\n",
         "3: field 'case_no': 'label' must be the header text its column is shown under, e.g. label: 合议庭, got a list"),
        ("fields:\n  judge_team:\n    kind: text\n    label:\n",
         "4: field 'judge_team': 'label' must be the header text its column is shown under, e.g. label: 合议庭, got nothing"),
        ("fields:\n  case_no:\n    label: 承办人\n",
         "3: field 'case_no': label '承办人' is already the label of 'officer'; a header can show one column only"),
        ("fields:\n  judge_team:\n    kind: text\n    label: 类别\n",
         "4: field 'judge_team': label '类别' is already the label of 'categories'; a header can show one column only"),
    ],
)
def test_bad_aliases_file_names_the_line(tmp_path, content, message):
    """Each refusal of a columns file names the line of the key it is in, as a kind refused does."""
    path = tmp_path / "cols.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LedgerError) as err:
        load_columns([path])
    assert str(err.value) == f"{path}:{message}"


def test_yaml_aliases_are_expanded_within_bounds(tmp_path):
    assert load_yaml("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}
    bomb = "a: &a [" + ", ".join(["x"] * 10) + "]\n" + "".join(
        f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcde", "bcdef"))
    path = tmp_path / "backlog.yaml"
    path.write_text(bomb, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"backlog.yaml:5:4: not valid YAML \(too many YAML aliases"):
        read_yaml(path, "settings file")
    path.write_text("a: &a [*a]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="alias refers to itself"):
        read_yaml(path, "settings file")


def test_the_same_case_written_two_ways_is_one_case(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("案号,立案日期\n(2015)泰执字第00009号,2015-01-01\n(2024)鲁0902执69号,2024-01-01\n"
                    "(2015)泰执字第9号,2015-01-02\n(2024)鲁0902执069号,2024-01-01\n(2024)鲁0902执69号,2024-01-01\n"
                    "(2024)鲁0902执69号之一,2024-01-01\n(2024)鲁0902执70号之二,2024-01-02\n",
                    encoding="utf-8")
    led = load_ledger([path])
    # 之一, 之二 number a second or third ruling of the case (法〔2016〕37号): a row so numbered is that case
    assert list(led.cases["case_no"]) == ["(2015)泰执字第00009号", "(2024)鲁0902执69号", "(2024)鲁0902执70号之二"]
    assert led.cases["case_seq"].tolist()[2] == 70
    assert led.rejects[["row", "reason"]].values.tolist() == [
        [4, "案号重复：与 (2015)泰执字第00009号 为同一案件（写法不同），见 第2行"],
        [5, "案号重复：与 (2024)鲁0902执69号 为同一案件（写法不同），见 第3行"],
        [6, "案号重复：与 第3行 重复"],
        [7, "案号重复：与 (2024)鲁0902执69号 为同一案件（写法不同），见 第3行"],
    ]


def test_explain_finds_a_case_written_another_way(tmp_path):
    from backlog_cli.rules import load_rules
    from backlog_cli.triage import explain_case, triage

    path = tmp_path / "ledger.csv"
    path.write_text("案号,立案日期\n(2015)泰执字第00009号,2015-01-01\n", encoding="utf-8")
    led = load_ledger([path])
    result = triage(led.cases, load_rules(["sanqingli-2016"]), pd.Timestamp("2016-01-01"))
    assert explain_case(result, "（2015）泰执字第9号", {}).case["case_no"] == "(2015)泰执字第00009号"


def test_impossible_values_are_value_problems_kept_as_blank(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text(
        "案号,立案日期,结案日期,执行标的（元）\n"
        "(2025)鲁0902执1号,2025-03-01,2025-02-01,100\n"
        "(2025)鲁0902执2号,2025-03-01,2025-03-01,1e300\n"
        "(2025)鲁0902执3号,2025-03-01,,99999999999999999999999999999元\n"
        "(2025)鲁0902执4号,2025-03-01,,-5000\n"
        "(2025)鲁0902执5号,2025-03-01,,1000000000000\n"
        "(2025)鲁0902执6号,2025-03-01,,1000000000001\n", encoding="utf-8")
    led = load_ledger([path])
    assert len(led.cases) == 6  # every case kept
    assert led.problems[["row", "column", "value", "problem"]].values.tolist() == [
        [2, "closed_on", "2025-02-01", "结案日期早于立案日期"],
        [3, "amount", "1e300", "金额超过 1,000,000,000,000 元，疑为录入错误"],
        [4, "amount", "99999999999999999999999999999元", "金额超过 1,000,000,000,000 元，疑为录入错误"],
        [5, "amount", "-5000", "金额为负数"],
        [7, "amount", "1000000000001", "金额超过 1,000,000,000,000 元，疑为录入错误"],
    ]
    assert pd.isna(led.cases["closed_on"].iloc[0])  # the case counts as open until the date is fixed
    assert led.cases["closed_on"].iloc[1] == pd.Timestamp("2025-03-01")  # closed the day it was filed
    assert led.cases["amount"].tolist()[:1] + led.cases["amount"].tolist()[4:5] == [100.0, 1e12]
    assert led.cases["amount"].iloc[[1, 2, 3, 5]].isna().all()


def test_contradicting_dates_and_part_months_are_value_problems(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text(
        "案号,立案日期,案件状态,结案日期,结案方式,中止日期,恢复日期,延长期限\n"
        "(2025)鲁0902执1号,2025-03-01,已结,,执行完毕,,,\n"
        "(2025)鲁0902执2号,2025-03-01,终本,,,,,\n"
        "(2025)鲁0902执3号,2025-03-01,未结,,,2025-05-01,2025-04-01,\n"
        "(2025)鲁0902执4号,2025-03-01,在办,,,2025-04-01,2025-05-01,1.5\n"
        "(2025)鲁0902执5号,2025-03-01,在办,,,,,-3\n"
        "(2025)鲁0902执6号,2025-03-01,已结,2025-06-01,执行完毕,,,2\n", encoding="utf-8")
    led = load_ledger([path])
    assert len(led.cases) == 6  # every case kept
    assert led.problems[["row", "column", "value", "problem"]].fillna("").values.tolist() == [
        [2, "closed_on", "", "案件状态或结案方式表明已结，但缺少结案日期，按未结计"],
        [3, "closed_on", "", "案件状态或结案方式表明已结，但缺少结案日期，按未结计"],
        [4, "suspended_on", "2025-05-01", "恢复日期早于中止日期，该中止期间不扣除"],
        [5, "extension_months", "1.5", "延长期限应为整月数"],
        [6, "extension_months", "-3", "延长期限为负数"],
    ]
    cases = led.cases
    assert cases["closed_on"].iloc[:2].isna().all()  # counted open until the date is entered
    assert pd.isna(cases["suspended_on"].iloc[2]) and cases["resumed_on"].iloc[2] == pd.Timestamp("2025-04-01")
    assert cases["suspended_on"].iloc[3] == pd.Timestamp("2025-04-01")  # a period in order is kept
    assert cases["extension_months"].isna().tolist() == [True, True, True, True, True, False]


def test_a_status_left_open_beside_a_close_date_is_noted(tmp_path):
    """执行中 with a 结案日期 (the status not brought up to date): closed by its date, and one note
    counting such cases with the first rows; 中止 or 已结 beside a date, or 在办 without one, are not."""
    path = tmp_path / "ledger.csv"
    rows = [("执行中", "2025-06-01"), ("在办", ""), ("中止", "2025-06-01"), ("已结", "2025-06-01"), (" 未结 ", "2025-07-01"),
            ("在办", "2025-07-02"), ("执行中", "2025-07-03")]
    path.write_text("案号,立案日期,案件状态,结案日期\n" + "".join(
        f"(2025)鲁0902执{i}号,2025-03-01,{status},{closed}\n" for i, (status, closed) in enumerate(rows, 1)),
        encoding="utf-8")
    led = load_ledger([path])
    assert led.cases["closed_on"].notna().tolist() == [True, False, True, True, True, True, True]  # by the date
    assert led.problems.empty
    assert led.notes == ["4 cases with a 结案日期 still show an open 案件状态 (执行中, 在办 …: ledger 第2行、ledger 第6行、"
                         "ledger 第7行、… 1 more); counted closed by the date: bring the status up to date"]
    path.write_text("案号,立案日期,案件状态,结案日期\n(2025)鲁0902执1号,2025-03-01,在办,2025-06-01\n", encoding="utf-8")
    assert load_ledger([path]).notes == ["1 case with a 结案日期 still shows an open 案件状态 (执行中, 在办 …: ledger 第2行); "
                                         "counted closed by the date: bring the status up to date"]
    other = tmp_path / "二组.csv"  # with several files, each row names its own
    other.write_text("案号,立案日期,案件状态,结案日期\n(2025)鲁0902执2号,2025-03-01,执行中,2025-06-01\n", encoding="utf-8")
    assert load_ledger([path, other]).notes == [
        "2 cases with a 结案日期 still show an open 案件状态 (执行中, 在办 …: ledger.csv ledger 第2行、二组.csv 二组 第2行); "
        "counted closed by the date: bring the status up to date"]


def test_only_a_close_that_happened_is_said_to_lack_its_date(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("案号,立案日期,案件状态,结案日期,结案方式,延长期限\n" + "".join(
        f"(2025)鲁0902执{i}号,2025-03-01,{status},,{method},{ext}\n" for i, (status, method, ext) in enumerate([
            ("在办", "未结", ""), ("待结案", "无", ""), ("终本审查中", "拟终本", ""), ("在办", "未执结", "1" + "0" * 20),
            ("已执结", "", "inf"), ("在办", "驳回申请", "121"), ("在办", "终结本次执行程序", "120")], 1)),
        encoding="utf-8")
    led = load_ledger([path])
    assert led.problems[["row", "problem"]].values.tolist() == [
        [5, "延长期限超过 120 个月，疑为录入错误"],
        [6, "数字无法识别"],  # inf is no number a ledger holds: it was read as infinity, then too many months
        [6, "案件状态或结案方式表明已结，但缺少结案日期，按未结计"],
        [7, "案件状态或结案方式表明已结，但缺少结案日期，按未结计"],
        [7, "延长期限超过 120 个月，疑为录入错误"],
        [8, "案件状态或结案方式表明已结，但缺少结案日期，按未结计"],
    ]


def test_unreadable_values_say_what_was_expected_in_chinese(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("案号,立案日期,结案日期,执行标的（元）,是否涉信访,延长月数\n"
                    "(2025)鲁0902执1号,2025-03-01,坏,若干,也许,三个半\n", encoding="utf-8")
    led = load_ledger([path])
    assert led.problems[["row", "column", "value", "problem"]].values.tolist() == [
        [2, "amount", "若干", "金额无法识别"],  # in the order of columns.yaml's fields
        [2, "closed_on", "坏", "日期无法识别"],
        [2, "petition", "也许", "是/否无法识别"],
        [2, "extension_months", "三个半", "数字无法识别"],
    ]


def test_amounts_after_excels_text_mark_or_grouped_by_spaces_are_read(tmp_path):
    """'5000 and 1 000 (a space, no-break or thin space between the thousands), as CSV exports
    write them, in every amount and number column: they were 金额无法识别 / 数字无法识别. (1,000) and
    1.2千 stay unreadable, said as before."""
    path = tmp_path / "ledger.csv"
    path.write_text("案号,立案日期,执行标的（元）,未履行金额,延长期限\n"
                    "(2025)鲁0902执1号,2025-03-01,'5000,1 000,'3\n"
                    "(2025)鲁0902执2号,2025-03-01,\"1\u00a0000.50\",'1\u2009234\u2009567,'3个月\n"
                    "(2025)鲁0902执3号,2025-03-01,\"(1,000)\",1.2千,\n", encoding="utf-8")
    led = load_ledger([path])
    assert led.cases["amount"].tolist()[:2] == [5000.0, 1000.5]
    assert led.cases["unperformed"].tolist()[:2] == [1000.0, 1234567.0]
    assert led.cases["extension_months"].tolist()[:2] == [3.0, 3.0]
    assert led.problems[["row", "column", "value", "problem"]].values.tolist() == [
        [4, "amount", "(1,000)", "金额无法识别"], [4, "unperformed", "1.2千", "金额无法识别"]]


def test_dates_and_case_numbers_after_excels_text_mark_are_read(tmp_path):
    """A CSV export keeps Excel's text mark ('2025-01-02, '(2025)鲁0902执1号): the rows were rejected
    (立案日期无法识别, 案号无法识别) and a marked 结案日期 was a value problem, though '5000 was read as
    an amount. They are read as the text after the mark; a case marked once and typed plain once is
    one case entered twice."""
    path = write_ledger(tmp_path / "l.csv", "案号,立案日期,结案日期,执行标的", [
        ("'(2025)鲁0902执1号", "'2025-01-02", "'2025-06-30", "'5000"),
        ("(2025)鲁0902执2号", "' 2025年1月3日", "", ""),
        ("'（2015）泰执字第00009号", "'20150105", "'-", ""),
        ("(2025)鲁0902执1号", "2025-01-02", "", ""),
        ("''(2025)鲁0902执3号", "'2025-01-04", "", ""),
    ])
    led = load_ledger([path])
    cases = led.cases
    assert cases["case_no"].tolist() == ["(2025)鲁0902执1号", "(2025)鲁0902执2号", "(2015)泰执字第00009号"]
    assert cases["filed_on"].tolist() == [pd.Timestamp("2025-01-02"), pd.Timestamp("2025-01-03"), pd.Timestamp("2015-01-05")]
    assert cases["closed_on"].iloc[0] == pd.Timestamp("2025-06-30") and cases["closed_on"].iloc[1:].isna().all()
    assert cases["amount"].iloc[0] == 5000.0
    assert led.problems.empty
    assert [(r, reason.split("：")[0]) for r, reason in led.rejects[["row", "reason"]].values.tolist()] == [
        (5, "案号重复"), (6, "案号无法识别")]  # a mark typed twice is not read


def test_a_number_column_reads_no_text_float_would_and_an_amount_neither(tmp_path):
    """1_000 was read as 1000 and inf as infinity (nan as float() reads it) in 延长期限 and in a
    number field of a columns file: each is 数字无法识别 now, listed with its row, but nan, which an
    export writes for an empty cell, is blank, as in every column. The amount reader
    never read them. 1e5 and 1.25E+05, as Excel shows a number too wide and reads one typed, are
    read by both (1.25E+05 was 数字无法识别 in a number column)."""
    aliases = tmp_path / "cols.yaml"
    aliases.write_text("fields:\n  petitions:\n    kind: number\n    aliases: [信访次数]\n    units: [次]\n",
                       encoding="utf-8")
    path = write_ledger(tmp_path / "l.csv", "案号,立案日期,延长期限,信访次数,执行标的", [
        ("(2025)鲁0902执1号", "2025-03-01", "1_000", "inf次", "1_000"),
        ("(2025)鲁0902执2号", "2025-03-01", "inf", "1e5", "inf"),
        ("(2025)鲁0902执3号", "2025-03-01", "nan", "1_2次", "1.25E+05"),
        ("(2025)鲁0902执4号", "2025-03-01", "'3", "\"1,000次\"", "\"1,000\""),
        ("(2025)鲁0902执5号", "2025-03-01", "1.2E+01", "1.25E+05次", "1e5"),
    ])
    led = load_ledger([path], columns=load_columns([aliases]))
    assert led.cases["extension_months"].isna().tolist() == [True, True, True, False, False]
    assert led.cases["extension_months"].tolist()[3:] == [3, 12]
    assert led.cases["petitions"].fillna(-1).tolist() == [-1, 100000, -1, 1000, 125000]
    assert led.cases["amount"].tolist()[2:] == [125000.0, 1000.0, 100000.0]
    assert led.problems[["row", "column", "value", "problem"]].values.tolist() == [
        [2, "amount", "1_000", "金额无法识别"], [2, "extension_months", "1_000", "数字无法识别"],
        [2, "petitions", "inf次", "数字无法识别"],
        [3, "amount", "inf", "金额无法识别"], [3, "extension_months", "inf", "数字无法识别"],
        [4, "petitions", "1_2次", "数字无法识别"],
    ]


def test_a_date_cell_of_zero_is_shown_as_a_time_without_a_date(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["案号", "立案日期", "结案日期"])
    ws.append(["(2025)鲁0902执1号", dt.datetime(1899, 12, 31), None])
    ws.append(["(2025)鲁0902执2号", dt.datetime(2025, 1, 2), dt.datetime(1899, 12, 31)])
    wb.save(tmp_path / "l.xlsx")
    led = load_ledger([tmp_path / "l.xlsx"])
    assert led.rejects["reason"].tolist() == ["立案日期无法识别：“00:00:00（只有时刻，没有日期）”"]
    assert led.problems[["value", "problem"]].values.tolist() == [["00:00:00（只有时刻，没有日期）", "日期无法识别"]]


def test_free_text_is_kept_as_typed(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("案号,立案日期,承办人,被执行人,未结原因,预计结案时间,备注,自定义\n"
                    "(2025)鲁0902执1号,2025-03-01, 张\u3000三 ,某公司（国有）,账户冻结，余额不足 ,年底前,ＡＢ  c,x，y\n"
                    "(2025)鲁0902执2号,2025-03-01,李四,某公司,-,2026-12-31,,\n", encoding="utf-8")
    cases = load_ledger([path]).cases
    assert cases["officer"].tolist() == ["张三", "李四"]  # a name used as a key: normalised
    assert cases["respondent"].tolist() == ["某公司（国有）", "某公司"]
    assert cases["reason_open"].iloc[0] == "账户冻结，余额不足" and pd.isna(cases["reason_open"].iloc[1])
    assert cases["expected_close"].tolist() == ["年底前", "2026-12-31"]
    assert cases["notes"].iloc[0] == "ＡＢ  c" and cases["自定义"].iloc[0] == "x，y"


LEDGER_COMMANDS = [["classify"], ["overdue", "--days", "180"], ["overdue", "--within", "30"],
                   ["overdue", "--deadline", "legal_limit"], ["assign"], ["rank"], ["report", "monthly", "--month", "2026-11"]]


@pytest.mark.parametrize("content", ["案号,立案日期,承办人\n",  # only a header
                                     "案号,立案日期,承办人\n暂无,2025-01-01,张三\n(2025)鲁0902执1号,,李四\n"])  # all rejected
@pytest.mark.parametrize("command", LEDGER_COMMANDS, ids=lambda c: " ".join(c))
def test_every_ledger_command_on_a_ledger_without_cases(tmp_path, monkeypatch, command, content):
    from typer.testing import CliRunner

    from backlog_cli.cli import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "ledger.csv").write_text(content, encoding="utf-8")
    result = CliRunner().invoke(app, [*command, "ledger.csv", "--as-of", "2026-11-23", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    inspected = CliRunner().invoke(app, ["inspect", "ledger.csv"])
    assert inspected.exit_code == 0, inspected.output


def test_explain_on_a_ledger_without_cases_says_so(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from backlog_cli.cli import app

    monkeypatch.chdir(tmp_path)
    (tmp_path / "ledger.csv").write_text("案号,立案日期\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["explain", "(2025)鲁0902执1号", "ledger.csv", "--as-of", "2026-11-23"])
    assert result.exit_code == 2
    assert "no case (2025)鲁0902执1号 in the ledger at 2026-11-23 (0 cases" in result.output


def test_aliases_file_catches_misspelt_fields_and_clashes(tmp_path):
    path = tmp_path / "cols.yaml"
    path.write_text("fields:\n  case_noo:\n    aliases: [执行案件号]\n", encoding="utf-8")
    with pytest.raises(LedgerError) as err:
        load_columns([path])
    assert str(err.value).startswith(f"{path}:2: 'case_noo' is not a known field (did you mean 'case_no'?); to add a new field")
    path.write_text("fields:\n  officer:\n    aliases: [案号]\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="header '案号' is given for 'officer' but already belongs to 'case_no'"):
        load_columns([path])
    path.write_text("fields:\n  judge_team:\n    kind: text\n    aliases: [合议庭]\n", encoding="utf-8")
    assert load_columns([path]).field_for("合议庭") == "judge_team"


def test_aliases_file_offers_the_kinds_a_new_field_may_take(tmp_path):
    """A new field without a kind, or with an unknown one, is told the kinds it may take: not
    case_no, which such a field is refused (its parts would replace the case's own)."""
    path = tmp_path / "cols.yaml"
    path.write_text("fields:\n  orig_no:\n    aliases: [原执行案号]\n", encoding="utf-8")
    with pytest.raises(LedgerError) as err:
        load_columns([path])
    assert str(err.value).endswith("to add a new field, give it a kind (text, date, amount, flag, number)")
    # the field's line, as a kind refused names the line of its kind:, written inline or not
    for text, line in [("fields: {orig_no: {aliases: [原执行案号]}}\n", 1),
                       ("# 本院\nfields:\n  case_no:\n    aliases: [执行案件号]\n  orig_no:\n    aliases: [原执行案号]\n", 5)]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(LedgerError) as err:
            load_columns([path])
        assert str(err.value) == (f"{path}:{line}: 'orig_no' is not a known field; to add a new field, give it a kind "
                                  "(text, date, amount, flag, number)")
    path.write_text("fields:\n  orig_no:\n    kind: money\n", encoding="utf-8")
    with pytest.raises(LedgerError) as err:
        load_columns([path])
    assert str(err.value).endswith("unknown kind 'money' (kinds: text, date, amount, flag, number)")


def test_each_bundled_header_names_one_field():
    """A header a user's aliases file gives two fields is refused; the bundled file keeps the same
    rule, so an alias added to it never takes another field's column (the first field would win)."""
    from backlog_cli.loading import _bundled_fields
    from backlog_cli.parsing import header_key

    owners: dict[str, set[str]] = {}
    for name, spec in _bundled_fields().items():
        for alias in (name, *spec.get("aliases", [])):
            owners.setdefault(header_key(str(alias)), set()).add(name)
    assert {key: names for key, names in owners.items() if len(names) > 1} == {}


@pytest.mark.parametrize("headers", [("未结案原因", "下一步工作措施", "结案时限"), ("未结原因说明", "下一步工作计划", "预计执结时间"),
                                     ("未执结原因", "下步措施", "化解时限"), ("未结原因", "工作打算", "预计结案日期")])
def test_the_headers_clerks_give_the_plan_fields_are_read_as_them(tmp_path, headers):
    """The monthly report's 未结原因, 下一步打算 and 预计结案时间 under the headers ledgers give them."""
    path = write_ledger(tmp_path / "l.csv", f"案号,立案日期,{','.join(headers)}",
                        [("(2024)鲁0902执9号", "2024-01-02", "下落不明", "继续查控", "2026-12-31")])
    led = load_ledger([path])
    assert led.cases[["reason_open", "next_step", "expected_close"]].values.tolist() == [["下落不明", "继续查控", "2026-12-31"]]
    assert led.unknown_headers() == []


def test_progress_reports_share_done(tmp_path):
    """The loader says what it is doing and how far it is, for the terminal's progress bar."""
    calls = []
    load_ledger([messy_workbook(tmp_path / "l.xlsx")], progress=lambda msg, share: calls.append((msg, share)))
    shares = [share for _, share in calls]
    assert shares == sorted(shares) and 0 <= shares[0] and shares[-1] <= 1
    assert calls[0][0] == "reading l.xlsx [2026年]"
    assert any(msg.startswith("checking values") and share >= 0.5 for msg, share in calls)


@pytest.mark.parametrize("encoding, prefix, forced", [
    ("utf-8", b"", None), ("utf-8", b"\xef\xbb\xbf", None), ("utf-8", b"", "UTF8"), ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
    ("gbk", b"", None), ("utf-16", b"", None),
])
def test_text_ledgers_read_the_same_whatever_the_encoding(tmp_path, encoding, prefix, forced):
    """UTF-8 is read straight from the file's bytes; other encodings are decoded first."""
    text = "序号,案号,立案日期,承办人\n1,(2025)鲁0902执9号,2025/1/2, 张三\n2,（2025）鲁0902执10号,2025-01-03,\n"
    path = tmp_path / "ledger.csv"
    path.write_bytes(prefix + text.encode(encoding))
    cases = load_ledger([path], encoding=forced).cases
    assert cases["case_no"].tolist() == ["(2025)鲁0902执9号", "(2025)鲁0902执10号"]
    assert cases["officer"].tolist()[0] == "张三" and pd.isna(cases["officer"].iloc[1])
    assert cases["filed_on"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-02", "2025-01-03"]
    assert cases["序号"].tolist() == ["1", "2"] and cases["source_row"].tolist() == [2, 3]


def test_sheets_read_in_blocks_give_the_same_ledger(tmp_path, monkeypatch):
    """Blocks of a few rows (even sizes, the next sheet decoded once a sheet's last block is read)
    give what one block per sheet gives: the same cases, skipped rows, rejects and row numbers."""
    from backlog_cli import loading

    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["填表说明"])
    for s, sheet_name in enumerate(["2025年", "2026年"]):
        ws = book.create_sheet(sheet_name)
        ws.append(["执行案件台帐"])
        ws.append(["序号", "案号", "立案日期", "承办人"])
        for i in range(1, 11):
            number = f"(202{5 + s})鲁0902执{i}号" if i != 7 else "合计"
            ws.append([i, number if i != 4 else f"(2025)鲁0902执{i - 1}号", dt.date(2025, 1, i), f"官{i % 3}"])
    path = tmp_path / "blocks.xlsx"
    book.save(path)
    whole = load_ledger([path])
    monkeypatch.setattr(loading, "BLOCK_ROWS", 3)
    blocked = load_ledger([path])
    for part in ("cases", "skipped", "rejects", "problems"):
        pd.testing.assert_frame_equal(getattr(blocked, part), getattr(whole, part))
    assert [vars(s) for s in blocked.sheets] == [vars(s) for s in whole.sheets]
    assert len(whole.cases) == 16 and whole.skipped["row"].tolist() == [9, 9]
    # 执3号 (row 5, 官0) again as 执4号's row with 官1, in each sheet (another block when blocks hold 3 rows)
    assert whole.rejects["reason"].tolist() == ["案号重复：与 2025年 第5行 重复，但两行不同（承办人：官0 与 官1），请核对后只留一行"] * 2


@pytest.mark.parametrize("block_rows", [2, 1000])
def test_memory_goes_back_as_each_sheet_is_done_and_after_the_blocks_are_joined(tmp_path, monkeypatch, block_rows):
    """The allocator is asked to return freed memory when a sheet's last block has been read
    (its decoded cells are gone) and once the blocks are one frame: per sheet, then once more."""
    import platform

    from backlog_cli import loading

    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["填表说明"])
    for sheet_name in ("2025年", "2026年"):
        ws = book.create_sheet(sheet_name)
        ws.append(["案号", "立案日期"])
        for i in range(1, 6):
            ws.append([f"({sheet_name[:4]})鲁0902执{i}号", dt.date(2025, 1, i)])
    book.save(tmp_path / "three.xlsx")
    calls = []
    monkeypatch.setattr(loading, "BLOCK_ROWS", block_rows)
    monkeypatch.setattr(loading, "return_freed_memory", lambda: calls.append(len(calls)))
    ledger = load_ledger([tmp_path / "three.xlsx"])
    assert len(ledger.cases) == 10 and calls == [0, 1, 2, 3]
    if platform.libc_ver()[0] == "glibc":
        assert callable(loading._malloc_trim())


class _Cells(list):
    """A decoded sheet's cells, held by the sheet and by its rows' iterator (as python-calamine's are)."""


class _Sheet:
    """What the loader reads of a python-calamine sheet: ``rows`` case rows under a header."""

    start, width, merged_cell_ranges = (0, 0), 2, []

    def __init__(self, rows: int):
        self.height = rows + 1
        self.cells = _Cells([["案号", "立案日期"]] + [[f"(2025)鲁0902执{i}号", "2025-01-02"] for i in range(1, rows + 1)])

    def iter_rows(self):
        return (row for row in self.cells)


def test_a_decoded_sheet_is_let_go_when_its_last_block_is_read(monkeypatch):
    """python-calamine's decoded cells live while the sheet or its rows' iterator does: the blocks
    hold only the iterator, so the cells are let go once the last block is read, before it is
    parsed, although the sheet's blocks are still being handed out."""
    import gc
    import weakref

    from backlog_cli import loading

    monkeypatch.setattr(loading, "BLOCK_ROWS", 4)  # two blocks: 4 rows and 3
    sheet = _Sheet(6)
    alive = weakref.ref(sheet.cells)
    raw = loading._sheet_cells(sheet, Path("l.xlsx"), "2025年")
    del sheet
    gc.collect()
    assert alive() is not None  # the rows still to read hold them
    blocks = [raw.frame, next(raw.more)]
    gc.collect()
    assert alive() is None  # the last block is read; raw and its generator are still alive
    assert sum(map(len, blocks)) == 7 and next(raw.more, None) is None


@pytest.mark.parametrize("ahead", [0, 1, 2])
def test_the_next_sheet_starts_decoding_near_this_ones_end(monkeypatch, ahead):
    """The next sheet's decode is started once, as the block NEXT_SHEET_AHEAD blocks before the
    last is read: not from the first block, so that two decoded sheets are not held through the
    whole of this one."""
    import itertools

    from backlog_cli import loading

    monkeypatch.setattr(loading, "BLOCK_ROWS", 4)
    monkeypatch.setattr(loading, "NEXT_SHEET_AHEAD", ahead)
    taken: list[int] = []
    calls: list[int] = []
    raw = loading._sheet_cells(_Sheet(15), Path("l.xlsx"), "2025年", near_end=lambda: calls.append(len(taken)))
    for block in itertools.chain([raw.frame], raw.more):  # four blocks of 4 rows, the header in the first
        taken.append(len(block))
    assert taken == [4, 4, 4, 4]
    assert calls == [3 - ahead]  # blocks handed out before the one whose reading started it


@pytest.mark.parametrize("block_rows", [3, 1000])
def test_a_sheet_whose_data_starts_below_and_right_of_a1(tmp_path, monkeypatch, block_rows):
    """Rows are numbered as Excel shows them when the first used cell is C4, read in one block or
    in several."""
    from backlog_cli import loading

    book = openpyxl.Workbook()
    ws = book.active
    ws["C4"], ws["D4"], ws["E4"] = "案号", "立案日期", "承办人"
    for i in range(1, 8):
        ws.cell(4 + i, 3, f"(2025)鲁0902执{i}号")
        ws.cell(4 + i, 4, dt.date(2025, 1, i))
        ws.cell(4 + i, 5, "张三" if i % 2 else None)
    path = tmp_path / "offset.xlsx"
    book.save(path)
    monkeypatch.setattr(loading, "BLOCK_ROWS", block_rows)
    ledger = load_ledger([path])
    assert ledger.sheets[0].header_row == 4
    assert ledger.cases["source_row"].tolist() == list(range(5, 12))
    assert ledger.cases["case_no"].tolist() == [f"(2025)鲁0902执{i}号" for i in range(1, 8)]
    assert ledger.cases["officer"].notna().tolist() == [True, False] * 3 + [True]


def test_progress_moves_block_by_block(tmp_path, monkeypatch):
    """A sheet read in blocks reports its rows as each block is checked, up to the whole file."""
    from backlog_cli import loading

    path = write_ledger(tmp_path / "l.csv", "案号,立案日期",
                        [(f"(2025)鲁0902执{i}号", "2025-01-02") for i in range(1, 11)])
    calls = []
    load_ledger([path], progress=lambda msg, share: calls.append((msg, share)))
    assert calls[-1] == ("checking values [l] 10 rows", 1.0)
    book = openpyxl.Workbook()
    book.active.append(["案号", "立案日期"])
    for i in range(1, 10):
        book.active.append([f"(2025)鲁0902执{i}号", dt.date(2025, 1, i)])
    book.save(tmp_path / "b.xlsx")
    monkeypatch.setattr(loading, "BLOCK_ROWS", 5)
    calls = []
    load_ledger([tmp_path / "b.xlsx"], progress=lambda msg, share: calls.append((msg, share)))
    checked = [(msg, share) for msg, share in calls if msg.startswith("checking values")]
    assert [msg for msg, _ in checked] == ["checking values [Sheet]", "checking values [Sheet] 4 rows",
                                            "checking values [Sheet] 9 rows"]
    assert [share for _, share in checked] == [0.5, 0.75, 1.0]


def _same_ledger(a, b) -> None:
    for part in ("cases", "skipped", "rejects", "problems"):
        pd.testing.assert_frame_equal(getattr(a, part), getattr(b, part), check_exact=True)
    assert [vars(s) for s in a.sheets] == [vars(s) for s in b.sheets]


def test_a_utf8_csv_read_in_blocks_gives_what_it_gives_read_whole(tmp_path, monkeypatch):
    """Blocks of 3 rows: a blank line, a totals row, a duplicate, an unreadable date and an
    amount problem each land where they do when the file is one block, on the same line numbers."""
    from backlog_cli import loading

    rows = [(f"(2025)鲁0902执{i}号", f"2025-01-{i:02d}", "张三", f"{i}00") for i in range(1, 12)]
    rows[3] = ("(2025)鲁0902执2号", "2025-01-04", "李四", "1")  # a duplicate of line 3
    rows[5] = ("(2025)鲁0902执6号", "不详", "李四", "2")
    rows[6] = ("(2025)鲁0902执7号", "2025-01-07", "李四", "若干")
    rows[8] = ("合计", "", "", "999")
    path = write_ledger(tmp_path / "l.csv", "案号,立案日期,承办人,执行标的", rows[:7] + [("", "", "", "")] + rows[7:])
    whole = load_ledger([path])
    monkeypatch.setattr(loading, "TEXT_BLOCK_ROWS", 3)
    calls = []
    blocked = load_ledger([path], progress=lambda msg, share: calls.append(msg))
    _same_ledger(blocked, whole)
    assert len(whole.cases) == 8 and whole.rejects["row"].tolist() == [5, 7]
    assert whole.skipped["row"].tolist() == [9, 11] and whole.problems["row"].tolist() == [8]
    assert [m for m in calls if m.startswith("checking values [l] ")][-1] == "checking values [l] 12 rows"


def test_a_csv_with_a_row_longer_than_the_header_after_its_first_block_is_read_again_whole(tmp_path, monkeypatch):
    """A row with a cell more than the header, met after the first block: the file is read again
    by the careful reader (which rejects that row, saying why) and nothing of the first reading is
    kept twice."""
    from backlog_cli import loading

    lines = ["案号,立案日期"] + [f"(2025)鲁0902执{i}号,2025-01-{i:02d}" for i in range(1, 9)]
    lines[7] += ",补记"
    path = tmp_path / "l.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = load_ledger([path])
    monkeypatch.setattr(loading, "TEXT_BLOCK_ROWS", 3)
    blocked = load_ledger([path])
    _same_ledger(blocked, whole)
    assert blocked.cases["case_no"].tolist() == [f"(2025)鲁0902执{i}号" for i in range(1, 9) if i != 7]
    assert blocked.cases["source_row"].tolist() == [2, 3, 4, 5, 6, 7, 9]
    assert len(blocked.sheets) == 1 and blocked.sheets[0].rows_read == 8 and blocked.sheets[0].cases == 7
    assert blocked.rejects["row"].tolist() == [8] and blocked.skipped.empty


def test_a_csv_with_bytes_that_are_not_utf8_after_its_first_block_gets_the_careful_message(tmp_path, monkeypatch):
    """Read in blocks or whole, a UTF-8 file with a broken byte late in it gets the careful
    reader's message."""
    from backlog_cli import loading

    lines = ["案号,立案日期"] + [f"(2025)鲁0902执{i}号,2025-01-{i:02d}" for i in range(1, 9)]
    path = tmp_path / "l.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8").replace("执8".encode(), b"\xff8"))
    with pytest.raises(LedgerError) as whole:
        load_ledger([path])
    monkeypatch.setattr(loading, "TEXT_BLOCK_ROWS", 3)
    with pytest.raises(LedgerError) as blocked:
        load_ledger([path])
    assert str(blocked.value) == str(whole.value) and "cannot tell the text encoding" in str(blocked.value)


def test_a_duplicate_from_another_file_names_that_file(tmp_path):
    a = write_ledger(tmp_path / "a.csv", "案号,立案日期", [("(2025)鲁0902执1号", "2025-01-02"), ("(2025)鲁0902执2号", "2025-01-03")])
    b = write_ledger(tmp_path / "b.csv", "案号,立案日期", [("(2025)鲁0902执2号", "2025-01-03"), ("(2025)鲁0902执1号", "2025-01-02"),
                                                        ("（2025）鲁0902执1号", "2025-01-02")])
    ledger = load_ledger([a, b])
    assert ledger.rejects["reason"].tolist() == [
        "案号重复：与 a.csv [a] 第3行 重复",
        "案号重复：与 a.csv [a] 第2行 重复",
        "案号重复：与 a.csv [a] 第2行 重复",
    ]
    assert ledger.rejects["row"].tolist() == [2, 3, 4] and len(ledger.cases) == 2


def test_a_duplicate_from_another_file_of_the_same_name_names_it_by_its_path(tmp_path):
    """一组/台帐.csv and 二组/台帐.csv: 台帐.csv alone would name either; a row of the same file stays 第N行."""
    (tmp_path / "一组").mkdir(), (tmp_path / "二组").mkdir()
    a = write_ledger(tmp_path / "一组" / "台帐.csv", "案号,立案日期", [("(2025)鲁0902执1号", "2025-01-02")])
    b = write_ledger(tmp_path / "二组" / "台帐.csv", "案号,立案日期", [("(2025)鲁0902执3号", "2025-01-02"),
                                                                  ("(2025)鲁0902执1号", "2025-01-02"),
                                                                  ("(2025)鲁0902执3号", "2025-01-02")])
    c = write_ledger(tmp_path / "c.csv", "案号,立案日期", [("(2025)鲁0902执1号", "2025-01-02")])
    ledger = load_ledger([a, b, c])
    assert ledger.rejects["reason"].tolist() == [
        f"案号重复：与 {a} [台帐] 第2行 重复",
        "案号重复：与 第2行 重复",
        f"案号重复：与 {a} [台帐] 第2行 重复",
    ]


def test_the_same_file_named_twice_is_refused(tmp_path, monkeypatch):
    a = write_ledger(tmp_path / "a.csv", "案号,立案日期", [("(2025)鲁0902执1号", "2025-01-02")])
    monkeypatch.chdir(tmp_path)
    with pytest.raises(LedgerError, match=r"^a.csv \(the same file as .*a.csv\) is named twice"):
        load_ledger([a, Path("a.csv")])


def test_a_csv_header_over_two_rows(tmp_path):
    """A CSV cannot merge cells: 当事人 over 申请执行人,被执行人 comes as two lines."""
    path = write_ledger(tmp_path / "l.csv", "案号,立案日期,当事人,,承办人",
                        [("", "", "申请执行人", "被执行人", ""), ("(2025)鲁0902执1号", "2025-01-05", "张三", "李四", "王五")])
    ledger = load_ledger([path])
    assert ledger.cases[["applicant", "respondent", "officer", "source_row"]].values.tolist() == [
        ["张三", "李四", "王五", 3]]
    assert ledger.sheets[0].note == "表头在第 1–2 行" and ledger.rejects.empty


def test_a_resumption_without_a_suspension_is_a_value_problem(tmp_path):
    """恢复日期 with no 中止日期 is listed (an unreadable 中止日期 is listed for that alone)."""
    path = write_ledger(tmp_path / "l.csv", "案号,立案日期,中止日期,恢复日期", [
        ("(2025)鲁0902执1号", "2025-03-01", "", "2025-05-01"),
        ("(2025)鲁0902执2号", "2025-03-01", "不详", "2025-05-01"),
        ("(2025)鲁0902执3号", "2025-03-01", "2025-04-01", "2025-05-01")])
    ledger = load_ledger([path])
    assert ledger.problems[["row", "column", "problem"]].values.tolist() == [
        [2, "resumed_on", "有恢复日期而无中止日期，按未中止计"], [3, "suspended_on", "日期无法识别"]]


def test_an_undecodable_text_file_says_where_it_breaks(tmp_path):
    """GBK with one broken byte pair on line 3: neither UTF-8 nor GBK reads it; GBK reads up to
    that spot, which the message names."""
    good = "案号,立案日期\n(2025)鲁0902执1号,2025-01-02\n".encode("gbk")
    path = tmp_path / "l.csv"
    path.write_bytes(good + b"(2025)\xc2\xb30902\xff\xfe1,2025-01-03\n")
    with pytest.raises(LedgerError) as err:
        load_ledger([path])
    at = len(good) + 12  # (2025) 6 bytes, 鲁 in GBK 2, 0902 4: then the bad pair
    assert str(err.value) == (f"{path}: cannot tell the text encoding (not UTF-8 or GBK); it reads furthest as GBK, "
                              f"up to line 3 (byte {at}): fix that spot, or name the encoding with --encoding")


def test_a_ledger_with_no_cases_has_its_columns_in_the_usual_order(tmp_path):
    header = "案号,立案日期,承办人,备注"
    empty = load_ledger([write_ledger(tmp_path / "e.csv", header, [])]).cases
    one = load_ledger([write_ledger(tmp_path / "o.csv", header, [("(2025)鲁0902执1号", "2025-01-02", "张三", "")])]).cases
    assert list(empty.columns) == list(one.columns) and empty.empty
    assert list(one.columns)[-3:] == ["source_file", "source_sheet", "source_row"]


def test_extension_months_typed_with_their_unit_or_in_chinese(tmp_path):
    """3个月 and 三个月 are 3 months; 15天 in a column of months is not a number of months."""
    path = write_ledger(tmp_path / "l.csv", "案号,立案日期,延长期限", [
        ("(2025)鲁0902执1号", "2025-03-01", "3个月"), ("(2025)鲁0902执2号", "2025-03-01", "三个月"),
        ("(2025)鲁0902执3号", "2025-03-01", "15天")])
    ledger = load_ledger([path])
    assert ledger.cases["extension_months"].tolist()[:2] == [3.0, 3.0]
    assert ledger.problems[["row", "column", "value", "problem"]].values.tolist() == [
        [4, "extension_months", "15天", "数字无法识别"]]


def test_a_columns_file_may_give_a_number_field_its_units(tmp_path):
    aliases = tmp_path / "cols.yaml"
    aliases.write_text("fields:\n  extension_days:\n    kind: number\n    aliases: [延长天数]\n    units: [天, 日]\n",
                       encoding="utf-8")
    columns = load_columns([aliases])
    assert columns.fields["extension_days"].units == ("天", "日")
    aliases.write_text("fields:\n  extension_days:\n    kind: number\n    units: 天\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="'units' must be a list of unit words"):
        load_columns([aliases])


@pytest.mark.parametrize(("field", "kind", "problem"), [
    ("filed_on", "text", "field 'filed_on' (立案日期) is a date field, which kind: text cannot change: the cases "
                         "counted at a day, their age and the deadlines count from it; leave kind: out to add headers to it"),
    ("closed_on", "text", "field 'closed_on' (结案日期) is a date field, which kind: text cannot change: it says "
                          "whether a case is open or closed; leave kind: out to add headers to it"),
    ("amount", "number", "field 'amount' (执行标的（元）) is an amount field, which kind: number cannot change: it is "
                         "read in 元 (a 万元 header converted) and checked as an amount; leave kind: out to add headers to it"),
    ("notes", "date", "field 'notes' (备注) is a text field, which kind: date cannot change: the bundled rules read "
                      "it as text; leave kind: out to add headers to it"),
    ("expected_close", "case_no", "field 'expected_close' (预计结案时间) cannot be kind: case_no, the case number's own kind"),
])
def test_a_columns_file_may_not_change_a_kind_backlog_reads_a_field_by(tmp_path, field, kind, problem):
    """The kind of a field the counts, the deadlines, the task lists or the bundled rules read by
    it is refused at the line of its kind:; the same kind, or another for a free-text field only
    the rules read (预计结案时间 kept as dates), is taken."""
    aliases = tmp_path / "cols.yaml"
    aliases.write_text(f"fields:\n  judge_team:\n    kind: text\n  {field}:\n    aliases: [某列]\n    kind: {kind}\n",
                       encoding="utf-8")
    with pytest.raises(LedgerError) as refused:
        load_columns([aliases])
    assert str(refused.value) == f"{aliases}:6: {problem}"
    aliases.write_text("fields:\n  filed_on:\n    kind: date\n  expected_close:\n    kind: date\n", encoding="utf-8")
    columns = load_columns([aliases])
    assert (columns.fields["filed_on"].kind, columns.fields["expected_close"].kind) == ("date", "date")


@pytest.mark.parametrize(("text", "line"), [("- 案号\n", 1), ("# 别名\nfields: [案号]\n", 2), ("# 别名\n\naliases:\n  x: 1\n", 3)])
def test_a_columns_file_without_a_mapping_of_fields_names_its_line(tmp_path, text, line):
    """A list, a fields: that is no mapping, or no fields: at all, names its line: the file alone was named."""
    aliases = tmp_path / "cols.yaml"
    aliases.write_text(text, encoding="utf-8")
    with pytest.raises(LedgerError) as refused:
        load_columns([aliases])
    assert str(refused.value) == f"{aliases}:{line}: expected a mapping with a 'fields:' key"


def test_a_field_a_columns_file_adds_cannot_be_a_case_number(tmp_path):
    """原执行案号 as kind: case_no: its year, court, type and number replaced the case's own, and
    the rows were rejected as 缺少案号 or the command stopped with an internal error."""
    aliases = tmp_path / "cols.yaml"
    aliases.write_text("fields:\n  old_case_no:\n    aliases: [原执行案号]\n    kind: case_no\n", encoding="utf-8")
    with pytest.raises(LedgerError) as refused:
        load_columns([aliases])
    assert str(refused.value) == (f"{aliases}:4: field 'old_case_no' cannot be kind: case_no, the case number's own "
                                  "kind (its parts would replace the case's); another case number (原执行案号) is kept "
                                  "as text: leave kind: text")
    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期,原执行案号\n(2026)鲁0902执恢1号,2026-01-05,(2024)鲁0902执7号\n", encoding="utf-8")
    aliases.write_text("fields:\n  old_case_no:\n    aliases: [原执行案号]\n    kind: text\n", encoding="utf-8")
    cases = load_ledger([ledger], columns=load_columns([aliases])).cases
    assert cases[["case_no", "case_year", "case_type", "old_case_no"]].values.tolist() == [
        ["(2026)鲁0902执恢1号", 2026, "执恢", "(2024)鲁0902执7号"]]


def test_the_kinds_a_columns_file_may_change_are_read_by_the_rules_alone():
    """Every bundled field is either of KIND_FIXED or free text that neither backlog itself nor
    any bundled ruleset reads: a columns file changing its kind changes what a court's own rules
    read, and nothing else."""
    from backlog_cli.deadlines import _conditions, load_ruleset
    from backlog_cli.loading import KIND_FIXED, _bundled_fields

    read = set()
    for path in sorted((Path(__file__).parent.parent / "rules").glob("*.yaml")):
        ruleset, deadlines = load_ruleset([path])
        read |= set().union(*(c.condition.fields() for c in ruleset.categories))
        for d in deadlines:
            read |= set().union(*(c.fields() for c in _conditions(d)))
            read |= {d.start, d.extension_months, d.extension_days, d.new_limit,
                     *(f for p in d.deduct for f in (p.start, p.end))} - {None}
    bundled = _bundled_fields()
    free = {name for name in bundled if name not in KIND_FIXED}
    assert read & set(bundled) <= set(KIND_FIXED)
    assert {bundled[name]["kind"] for name in free} == {"text"}
    assert free == {"applicant", "court", "basis_org", "next_step", "expected_close"}


def test_a_last_row_of_formulas_saved_without_results_is_read(tmp_path):
    """python-calamine's sheet ends at its last cell with a value: a last row holding only formulas
    a script saved without their results (openpyxl writes them so) lay below it and was lost, neither
    a case nor skipped nor rejected. It is read as the sheet shows it, the formula text, and listed;
    so are the blank rows above it."""
    path = tmp_path / "l.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["案号", "立案日期"])
    wb.active.append(["(2024)鲁0902执1号", dt.datetime(2024, 1, 1)])
    wb.active["A5"] = '="(2024)鲁0902执"&"2号"'
    wb.active["B5"] = "=DATE(2024,1,2)"
    wb.save(path)
    ledger = load_ledger([path])
    assert ledger.rejects[["row", "reason"]].values.tolist() == [[5, "案号无法识别"]]
    assert ledger.skipped[["row", "reason"]].values.tolist() == [[3, "空行"], [4, "空行"]]
    assert ledger.sheets[0].rows_read == 4 and len(ledger.cases) == 1


def test_a_stray_unsaved_formula_far_below_the_table_is_warned_about_not_read(tmp_path):
    """Reading down to a formula a million rows below would be a million blank rows (minutes,
    gigabytes): rows of shown cells alone are read within 1,000 rows of the sheet's last value, the
    ones farther down named in a warning."""
    path = tmp_path / "far.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["案号", "立案日期"])
    wb.active.append(["(2024)鲁0902执1号", dt.datetime(2024, 1, 1)])
    wb.active["A1002"] = '="(2024)鲁0902执"&"2号"'  # 1,000 rows below the last value (row 2): read
    wb.active["C1003"] = "=A2"  # farther: not read
    wb.active["C900000"] = "=A2"
    wb.save(path)
    ledger = load_ledger([path])
    assert ledger.rejects[["row", "reason"]].values.tolist() == [[1002, "案号无法识别"]]
    assert ledger.sheets[0].rows_read == 1001 and len(ledger.skipped) == 999
    assert ledger.warnings == [f"{path} [Sheet]: 2 rows far below the table (rows 1003, 900000) hold only formulas "
                               "without saved results or error cells: not read; delete them, or open the file in "
                               "Excel and save it so their results are stored"]


def test_the_load_line_and_the_rejected_rows_as_said_on_stderr(tmp_path):
    """The load in one line (cases from rows, skipped by reason, rejected), and the first rejected
    rows a line each, the file by its name, the values made terminal-safe."""
    led = load_ledger([write_ledger(tmp_path / "l.csv", "案号,立案日期", [
        ("(2025)鲁0902执1号", "2025-03-01"), ("", ""), ("(2025)鲁0902执2号", "待补"), ("(2025)鲁0902执3号\x1b", "")])])
    assert led.load_line() == "loaded 1 case from 4 rows; skipped 1 row (空行 1); 2 rejected"
    assert led.rejected_lines(20) == ["rejected: l.csv [l] row 4: (2025)鲁0902执2号: 立案日期无法识别：“待补”",
                                      r"rejected: l.csv [l] row 5: (2025)鲁0902执3号\x1b: 案号无法识别"]
    assert led.rejected_lines(1) == led.rejected_lines(20)[:1]


@pytest.mark.parametrize("shown_from", [None, "settings"])
def test_the_rejects_and_value_problems_as_the_files_written_list_them(tmp_path, shown_from):
    """written_rejects and written_problems: the rejected rows and the value problems as the errors
    and problems files list them, each file named from the settings' folder when ``ledger:`` named
    it, else as read; the rest as the ledger holds them."""
    (tmp_path / "一组").mkdir()
    path = write_ledger(tmp_path / "一组" / "台帐.csv", "案号,立案日期,执行标的", [
        ("(2025)鲁0902执1号", "2025-03-01", "若干"), ("(2025)鲁0902执2号", "", "100")])
    led = load_ledger([path], shown_from=tmp_path if shown_from else None)
    named = "一组/台帐.csv" if shown_from else str(path)
    rejects, problems = led.written_rejects(), led.written_problems()
    assert rejects["file"].tolist() == [named] and problems["file"].tolist() == [named]
    assert rejects[["row", "case_no", "reason"]].values.tolist() == [[3, "(2025)鲁0902执2号", "缺少立案日期"]]
    assert rejects.drop(columns="file").equals(led.rejects.drop(columns="file"))
    assert problems.drop(columns="file").equals(led.listed_problems().drop(columns="file"))
    assert problems[["row", "case_no", "value"]].values.tolist() == [[2, "(2025)鲁0902执1号", "若干"]]
