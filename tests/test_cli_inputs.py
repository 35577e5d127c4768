"""Inputs are never written over: -o, its errors file, CSV tables beside it, --split files and
the nightly run's day folder are refused (exit 2) when they would replace an input file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backlog_cli.cli import app
from backlog_cli.config import Config, input_files
from conftest import SAMPLES

runner = CliRunner()
LEDGER = "案号,立案日期,承办人\n(2025)鲁0902执9号,2025/1/2,张三\n(2025)鲁0902执9号,2025/1/3,李四\n"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def ledger(tmp_path) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(LEDGER, encoding="utf-8")
    return path


def refused(result, path: Path, before: bytes) -> None:
    assert result.exit_code == 2, result.output
    assert "never writes over its inputs" in result.output and "Traceback" not in result.output
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", [["classify"], ["overdue", "--days", "1"], ["assign"], ["rank"],
                                     ["report", "monthly", "--month", "2025-12"]])
def test_output_over_the_ledger_is_refused(ledger, command):
    before = ledger.read_bytes()
    refused(run(*command, ledger, "--as-of", "2025-12-31" if command[0] != "report" else "2025-12-30", "-o", ledger),
            ledger, before)


def test_xlsx_ledger_and_its_errors_file(tmp_path):
    xlsx = tmp_path / "台帐.xlsx"
    shutil.copy(SAMPLES / "ledger.xlsx", xlsx)
    before = xlsx.read_bytes()
    refused(run("classify", xlsx, "-o", xlsx), xlsx, before)
    # a ledger named as out.xlsx's errors file
    errors_named = tmp_path / "out.errors.csv"
    errors_named.write_text(LEDGER, encoding="utf-8")
    before = errors_named.read_bytes()
    refused(run("classify", errors_named, "-o", tmp_path / "out.xlsx"), errors_named, before)
    assert not (tmp_path / "out.xlsx").exists()


def test_rules_targets_and_settings_files_are_inputs(tmp_path, ledger):
    rules = tmp_path / "my.yaml"
    rules.write_text("name: mine\n", encoding="utf-8")  # refused before the rules are read
    before = rules.read_bytes()
    refused(run("classify", ledger, "--rules", rules, "-o", rules, "-f", "json"), rules, before)
    targets = tmp_path / "t.csv"
    targets.write_text("张三,5\n", encoding="utf-8")
    before = targets.read_bytes()
    refused(run("assign", ledger, "--targets", targets, "-o", targets), targets, before)
    config = tmp_path / "settings.json"
    config.write_text(f"ledger: {ledger.name}\n", encoding="utf-8")
    before = config.read_bytes()
    refused(run("classify", "--config", config, "-o", config), config, before)


def test_the_input_files_of_a_command_are_those_given_else_the_settings(tmp_path):
    """input_files: the ledger, column aliases, rules and targets files given, else those the
    settings name, then the settings file; a bundled ruleset's name is no file, nor are targets
    written in the settings."""
    for name in ("my.yaml", "cols.yaml", "t.csv", "other.yaml"):
        (tmp_path / name).write_text("x: 1\n", encoding="utf-8")
    settings = Config(path=tmp_path / "backlog.yaml", ledger=[tmp_path / "台帐"], columns=[tmp_path / "cols.yaml"],
                      rules=[str(tmp_path / "my.yaml"), "juesheng-2017"], targets=tmp_path / "t.csv")
    assert input_files(settings) == [tmp_path / "台帐", tmp_path / "cols.yaml", tmp_path / "my.yaml", tmp_path / "t.csv",
                                     tmp_path / "backlog.yaml"]
    given = input_files(settings, [Path("l.csv")], [], [str(tmp_path / "other.yaml"), "default"], Path("g.yaml"))
    assert given == [Path("l.csv"), tmp_path / "other.yaml", Path("g.yaml"), tmp_path / "backlog.yaml"]
    assert input_files(Config(targets={"张三": 2})) == []


def test_split_file_over_an_input(tmp_path, ledger):
    (tmp_path / "split").mkdir()
    inside = tmp_path / "split" / "张三.csv"
    inside.write_text(LEDGER, encoding="utf-8")
    before = inside.read_bytes()
    refused(run("assign", inside, "--as-of", "2025-12-31", "--split", tmp_path / "split", "-f", "csv"), inside, before)
    assert sorted(p.name for p in (tmp_path / "split").iterdir()) == ["张三.csv"]


def test_run_refuses_a_ledger_inside_the_day_folder(tmp_path):
    day = tmp_path / "out" / "2025-12-31"
    day.mkdir(parents=True)
    (day / "ledger.csv").write_text(LEDGER, encoding="utf-8")
    config = tmp_path / "backlog.yaml"
    config.write_text("ledger: out/2025-12-31/ledger.csv\noutput_dir: out\n", encoding="utf-8")
    result = run("run", "--config", config, "--as-of", "2025-12-31")
    assert result.exit_code == 2, result.output
    assert "the run would replace it" in result.output
    assert (day / "ledger.csv").read_text(encoding="utf-8") == LEDGER


def test_a_new_output_beside_the_ledger_is_fine(ledger, tmp_path):
    result = run("classify", ledger, "--as-of", "2025-12-31", "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output


PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>
<table border=1><tr><td colspan="3">某某法院执行案件台帐</td></tr>
<tr><th>案号</th><th>立案日期</th><th>承办人</th></tr>
<tr><td>(2025)鲁0902执9号</td><td>2025-01-02</td><td rowspan="2">张三</td></tr>
<tr><td>(2025)鲁0902执10号<td>2025/1/3</tr>
<tr><td>(2025)鲁0902执11号</td><td>2025年1月4日</td><td>李&nbsp;四<br>王五</td></tr>
</table></body></html>"""


def test_cells_naming_several_officers_name_the_first_three_then_how_many_more(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("案号,立案日期,承办人\n" + "".join(
        f"(2025)鲁0902执{i}号,2025-03-01,{names}\n" for i, names in enumerate(
            ["张三、李四", "王五、赵六", "孙七、周八", "吴九、郑十", "陈一、林二"], 1)), encoding="utf-8")
    result = run("classify", path, "--as-of", "2025-12-31", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert "5 cases name more than one 承办人 (张三、李四; 王五、赵六; 孙七、周八; … 2 more)" in result.stderr


def test_a_web_page_named_xls_is_read_as_its_tables(tmp_path):
    """Case systems export HTML tables named .xls: read as Excel opens them (a title row above the
    header, a cell spanning two rows read in both, <br> a line break: two officers), with a note."""
    page = tmp_path / "导出.xls"
    page.write_bytes(PAGE.encode("gbk"))
    result = run("classify", page, "--as-of", "2025-12-31", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert f"note: {page}: a web page (HTML) under a .xls name, as case systems export them: its tables read as sheets" \
        in result.stderr
    assert "1 case names more than one 承办人 (李四、王五)" in result.stderr
    rows = [line.split(",")[:10] for line in result.stdout.splitlines()[1:]]
    assert [r[:1] + r[5:7] + r[8:10] for r in rows] == [
        ["(2025)鲁0902执9号", "2025-01-02", "张三", "导出", "3"],
        ["(2025)鲁0902执10号", "2025-01-03", "张三", "导出", "4"],
        ["(2025)鲁0902执11号", "2025-01-04", "李四、王五", "导出", "5"],
    ]
    assert run("classify", page, "--sheet", "导出", "--as-of", "2025-12-31", "-f", "csv").stdout == result.stdout


def test_web_page_tables_as_excel_opens_them(tmp_path):
    from backlog_cli.workbook import web_page_tables

    page = tmp_path / "p.xls"
    page.write_text("\ufeff<table><tr><td rowspan=2 colspan=2>a</td><td>b &amp; c</td></tr><tr><td>d\n  e</td>"
                    "<tr><td>f<td colspan=x>g<td rowspan=99999>h</table><p>between</p>"
                    "<table><tr><th>x<table><tr><td>inner</td></tr></table></th><td>y</td></tr></table>",
                    encoding="utf-8")
    assert web_page_tables(page) == [
        ("p 表1", [["a", "", "b & c"], ["a", "", "d e"], ["f", "g", "h"]]),  # a span past the last row ends there
        ("p 表2", [["inner"]]),
        ("p 表3", [["x", "y"]]),
    ]


XML_SPREADSHEET = """<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:x="urn:schemas-microsoft-com:office:excel"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="台帐"><Table>
  <Row><Cell ss:MergeAcross="3"><Data ss:Type="String">某某法院执行案件台帐</Data></Cell></Row>
  <Row ss:Index="3"><Cell><Data ss:Type="String">案号</Data></Cell><Cell><Data ss:Type="String">立案日期</Data></Cell>
   <Cell><Data ss:Type="String">承办人</Data></Cell><Cell><Data ss:Type="String">执行标的</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">(2025)鲁0902执9号</Data></Cell><Cell><Data ss:Type="DateTime">2025-01-02T00:00:00.000</Data>
   </Cell><Cell ss:MergeDown="1"><Data ss:Type="String">张三</Data></Cell><Cell><Data ss:Type="Number">125000</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">(2025)鲁0902执10号</Data></Cell><Cell><Data ss:Type="String">2025/1/3</Data></Cell>
   <Cell ss:Index="4"><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><B>12.5</B>万元</ss:Data></Cell></Row>
 </Table></Worksheet>
 <Worksheet ss:Name="旧表"><Table><Row><Cell><Data ss:Type="String">案号</Data></Cell></Row></Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions>
 </Worksheet>
</Workbook>"""


def test_an_excel_2003_xml_spreadsheet_named_xls_is_read_as_its_worksheets(tmp_path):
    """The XML a template saved as "XML 电子表格 2003" gives (case systems fill one in): rows and
    cells where ss:Index puts them, a cell merged down read in each row, rich text as its text,
    a hidden worksheet left out as a workbook's is."""
    book = tmp_path / "导出.xls"
    book.write_text(XML_SPREADSHEET, encoding="utf-8")
    result = run("classify", book, "--as-of", "2025-12-31", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert (f"note: {book}: an Excel 2003 XML spreadsheet under a .xls name, as case systems export them: its "
            "worksheets read") in result.stderr
    assert f"note: {book}: hidden sheet 旧表 not read" in result.stderr
    rows = [line.split(",")[:11] for line in result.stdout.splitlines()[1:]]
    assert [r[:1] + r[5:11] for r in rows] == [
        ["(2025)鲁0902执9号", "2025-01-02", "张三", "125000.0", str(book), "台帐", "4"],
        ["(2025)鲁0902执10号", "2025-01-03", "张三", "125000.0", str(book), "台帐", "5"],
    ]
    gbk = tmp_path / "gbk.xls"  # a template that declares GBK (expat itself reads no GBK)
    gbk.write_bytes(XML_SPREADSHEET.replace('encoding="UTF-8"', 'encoding="GBK"').encode("gbk"))
    as_gbk = run("classify", gbk, "--as-of", "2025-12-31", "-f", "csv")
    assert as_gbk.exit_code == 0 and as_gbk.stdout == result.stdout.replace(str(book), str(gbk))
    broken = tmp_path / "断.xls"
    broken.write_text(XML_SPREADSHEET[:400], encoding="utf-8")
    result = run("classify", broken)
    assert result.exit_code == 2 and result.stderr.startswith(
        f"backlog: error: {broken}: cannot read the Excel 2003 XML spreadsheet (")


@pytest.mark.parametrize("text, encoding", [
    ("案号\t立案日期\t承办人\n(2025)鲁0902执9号\t2025/1/2\t张三\n", "utf-8"),
    ("案号,立案日期,承办人\n(2025)鲁0902执9号,2025/1/2,张三\n", "gbk"),
    ("案号\t立案日期\t承办人\n(2025)鲁0902执9号\t2025/1/2\t张三\n", "utf-16"),
])
def test_a_text_table_named_xls_is_read_as_text_and_says_so(tmp_path, text, encoding):
    """Case systems also export tab- or comma-separated text under an .xls name (Excel opens it
    with a warning): it is read as the CSV it is, with a note, the same as when named .csv."""
    export = tmp_path / "导出.xls"
    export.write_bytes(text.encode(encoding))
    result = run("classify", export, "--as-of", "2025-12-31", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert f"note: {export}: a text table under a .xls name, as case systems export them: read as CSV text" in result.stderr
    named_csv = tmp_path / "导出.csv"
    named_csv.write_bytes(text.encode(encoding))
    as_csv = run("classify", named_csv, "--as-of", "2025-12-31", "-f", "csv")
    assert result.stdout == as_csv.stdout.replace("导出.csv", "导出.xls")
    assert "(2025)鲁0902执9号,2025,鲁0902,执,9,2025-01-02,张三" in result.stdout


def test_xml_spreadsheet_cells_as_excel_opens_them(tmp_path):
    import datetime as dt

    from backlog_cli.workbook import xml_spreadsheet_sheets

    book = tmp_path / "x.xls"
    book.write_text('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss='
                    '"urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table>'
                    '<Row><Cell ss:MergeAcross="1" ss:MergeDown="99999"><Data ss:Type="Boolean">1</Data></Cell>'
                    '<Cell><Data ss:Type="Error">#N/A</Data></Cell></Row>'
                    '<Row ss:Index="x"><Cell ss:Index="3"><Data ss:Type="DateTime">2025-01-02T08:30:00.000</Data>'
                    '</Cell><Cell><Data ss:Type="Number">1.5e3</Data></Cell><Cell><Data ss:Type="Number">壹</Data></Cell>'
                    '</Row></Table></Worksheet></Workbook>', encoding="utf-8")
    assert xml_spreadsheet_sheets(book) == [("Sheet1", [  # a merge down past the last row ends there
        [True, "", "#N/A", "", ""],
        [True, "", dt.datetime(2025, 1, 2, 8, 30), 1500.0, "壹"],
    ], False)]


@pytest.mark.parametrize("export", [
    "<table><tr><td>案号</td><td>立案日期</td><td>承办人</td></tr>"
    "<tr><td>(2025)鲁0902执1号</td><td>2025-01-02</td><td rowspan=3>李四</td></tr><tr><td></td><td> </td></tr>"
    "<tr><td>(2025)鲁0902执2号</td><td>2025-01-03</td></tr></table>",
    '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss='
    '"urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="台帐"><Table>'
    '<Row><Cell><Data ss:Type="String">案号</Data></Cell><Cell><Data ss:Type="String">立案日期</Data></Cell>'
    '<Cell><Data ss:Type="String">承办人</Data></Cell></Row>'
    '<Row><Cell><Data ss:Type="String">(2025)鲁0902执1号</Data></Cell><Cell><Data ss:Type="String">2025-01-02</Data>'
    '</Cell><Cell ss:MergeDown="2"><Data ss:Type="String">李四</Data></Cell></Row><Row/>'
    '<Row><Cell><Data ss:Type="String">(2025)鲁0902执2号</Data></Cell><Cell><Data ss:Type="String">2025-01-03</Data>'
    '</Cell></Row></Table></Worksheet></Workbook>',
], ids=["web page", "xml"])
def test_a_blank_row_under_a_cell_spanning_rows_of_an_export_is_a_blank_row(tmp_path, export):
    """A blank row between two cases of a cell spanning rows (rowspan, ss:MergeDown) is skipped as
    blank, as under a sheet's merged cells: it read the spanning value and was rejected as 缺少案号."""
    from backlog_cli.loading import load_ledger

    book = tmp_path / "导出.xls"
    book.write_text(export, encoding="utf-8")
    ledger = load_ledger([book])
    assert ledger.cases[["source_row", "officer"]].values.tolist() == [[2, "李四"], [4, "李四"]]
    assert ledger.skipped[["row", "reason"]].values.tolist() == [[3, "空行"]]
    assert ledger.rejects.empty


@pytest.mark.parametrize("kind", ["web page", "xml"])
def test_an_export_reports_how_much_of_it_is_read(tmp_path, monkeypatch, kind):
    """A large export is parsed a piece at a time (a few here, a megabyte of text each in use), the
    share read told to the progress bar as a workbook's sheets are; the rows are the same as read
    in one piece."""
    from backlog_cli import workbook
    from backlog_cli.loading import load_ledger

    book = tmp_path / "导出.xls"
    if kind == "xml":
        book.write_text(XML_SPREADSHEET, encoding="utf-8")
    else:
        rows = "".join(f"<tr><td>(2025)鲁0902执{i}号</td><td>2025/1/{i}</td><td>张三<br>李四</td></tr>" for i in range(1, 29))
        book.write_text(f"<table><tr><th>案号</th><th>立案日期</th><th>承办人</th></tr>{rows}</table>", encoding="utf-8")
    whole = load_ledger([book])
    monkeypatch.setattr(workbook, "_PIECE", 300)
    calls = []
    pieces = load_ledger([book], progress=lambda msg, share: calls.append((msg, share)))
    reading = [share for msg, share in calls if msg == "reading 导出.xls"]
    checking = [msg for msg, _ in calls[len(reading):]]  # after all the reading
    assert checking and all(msg.startswith("checking values") for msg in checking)
    size = len(book.read_text(encoding="utf-8"))  # characters: the XML's declaration is not handed over
    assert len(reading) == -(-size // 300) or len(reading) == size // 300 > 3
    step = reading[1]  # the reading is half the load: the checking of values the other half
    assert reading == [i * step for i in range(len(reading))] and reading[-1] < 0.5 <= reading[-1] + step
    assert pieces.cases.equals(whole.cases) and len(whole.cases) == (2 if kind == "xml" else 28)


def test_workbooks_are_not_taken_for_text_tables():
    from backlog_cli.workbook import disguised

    fixtures = Path(__file__).parent / "fixtures" / "ledgers"
    books = [SAMPLES / "ledger.xlsx", fixtures / "ledger.xls", fixtures / "ledger.ods", fixtures / "errors-mini.xls"]
    assert [disguised(p) for p in (*books, SAMPLES / "ledger.csv")] == [None] * len(books) + ["text"]


def test_rules_and_settings_saved_as_gbk_say_so_with_the_line(tmp_path, monkeypatch):
    rules = tmp_path / "r.yaml"
    rules.write_bytes("version: 1\ncategories:\n  - id: x\n    label: 涉民生\n".encode("gbk"))
    result = run("rules", "check", rules)
    assert result.exit_code == 2
    assert f"{rules}:4:12: it is GBK text; save the file as UTF-8 (另存为, 编码 UTF-8)" in result.stderr
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "backlog.yaml").write_bytes("# 设置\nledger: 台帐.xlsx\n".encode("gbk"))
    result = run("run")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("backlog: error: backlog.yaml:1: it is GBK text; save the file as "
                                     "UTF-8 (另存为, 编码 UTF-8)")


def test_a_csv_split_by_semicolons_says_so(tmp_path):
    """European-style exports separate cells by ';': no header is found, and the message says why;
    a comma CSV with unknown headers gets no such hint."""
    semi = tmp_path / "l.csv"
    semi.write_text("案号;立案日期;承办人\n(2025)鲁0902执1号;2025-01-02;张三\n", encoding="utf-8")
    result = run("classify", semi)
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "; its cells are separated by ';', not commas: save it as CSV with commas, or as .xlsx")
    commas = tmp_path / "c.csv"
    commas.write_text("编号,日期;时间\n1,2025-01-02\n", encoding="utf-8")
    result = run("classify", commas)
    assert result.exit_code == 2 and "no ledger header found" in result.stderr and "separated" not in result.stderr


def test_the_load_line_counts_value_problems(tmp_path):
    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期,案件状态,结案日期,延长期限\n"
                      "(2025)鲁0902执1号,2025-03-01,已结,,\n"
                      "(2025)鲁0902执2号,2025-03-01,在办,,0.5\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["classify", str(ledger), "--as-of", "2026-11-23", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert "2 values unreadable or contradicting others, kept as blank (see `backlog inspect`)\n" in result.stderr
    inspected = CliRunner().invoke(app, ["inspect", str(ledger)])
    assert "延长期限应为整月数" in inspected.output and "按未结计" in inspected.output
    assert "2 values unreadable or contradicting others, kept as blank (listed below)\n" in inspected.stderr


def test_a_ledger_folder_or_wildcard_in_the_settings_and_no_output_into_it(tmp_path, monkeypatch):
    """`ledger: 台帐` or `ledger: 台帐/*.csv` reads the files there; an output written into the
    ledger folder is refused, as the next run would read it as a ledger."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "台帐").mkdir()
    (tmp_path / "台帐" / "a.csv").write_text("案号,立案日期,承办人\n(2025)鲁0902执9号,2025/1/2,张三\n", encoding="utf-8")
    for setting in ("台帐", "台帐/*.csv"):
        (tmp_path / "backlog.yaml").write_text(f"ledger: {setting}\n", encoding="utf-8")
        result = run("classify", "--as-of", "2026-01-01", "-f", "csv")
        assert result.exit_code == 0 and "(2025)鲁0902执9号" in result.stdout, result.output
    (tmp_path / "backlog.yaml").write_text("ledger: 台帐/A.CSV\n", encoding="utf-8")  # a name, not a wildcard: as typed
    result = run("classify", "--as-of", "2026-01-01")
    assert result.exit_code == 2 and "A.CSV: no such file (the ledger named by `ledger:`" in result.output
    (tmp_path / "backlog.yaml").write_text("ledger: 台帐/*.xlsx\n", encoding="utf-8")
    result = run("classify", "--as-of", "2026-01-01")
    assert result.exit_code == 2 and "台帐/*.xlsx: no file matches (the ledger named by `ledger:`" in result.output
    result = run("classify", "台帐", "--as-of", "2026-01-01", "-o", "台帐/结果.xlsx")
    assert result.exit_code == 2, result.output
    assert "台帐/结果.xlsx is in the ledger folder 台帐, whose files are read as ledgers: write it elsewhere" in \
        result.output.replace("\n", "")
    assert sorted(p.name for p in (tmp_path / "台帐").iterdir()) == ["a.csv"]
    before = (tmp_path / "台帐" / "a.csv").read_bytes()
    for out in ("a.csv", "B.CSV"):  # a ledger the wildcard names (it was written over), or would name next time
        result = run("classify", "台帐/*.csv", "--as-of", "2026-01-01", "-o", f"台帐/{out}")
        assert result.exit_code == 2, result.output
        assert f"台帐/{out} is matched by the ledger wildcard 台帐/*.csv, whose files are read as ledgers" in \
            result.output.replace("\n", "")
    assert (tmp_path / "台帐" / "a.csv").read_bytes() == before
    result = run("classify", "台帐/*.csv", "--as-of", "2026-01-01", "-o", "台帐/结果.xlsx")  # *.csv does not name it
    assert result.exit_code == 0, result.output


def test_backlogs_own_outputs_in_a_ledger_folder_or_wildcard_are_left_out_with_a_note(tmp_path, monkeypatch):
    """A clerk writes 底数.xlsx (and a CSV list) beside the ledgers, then classifies the folder again:
    each output, told by a look at it (its author, its header), is left out with a note naming it;
    every case was read twice, its second row rejected as a duplicate. One named on the command
    line is refused, not read; a folder or a wildcard of nothing else names them."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "台帐").mkdir()
    (tmp_path / "台帐" / "a.csv").write_text("案号,立案日期,承办人\n(2025)鲁0902执9号,2025/1/2,张三\n"
                                             "(2025)鲁0902执10号,2025/1/3,李四\n", encoding="utf-8")
    for out in ("底数.xlsx", "底数.csv"):
        assert run("classify", "台帐/a.csv", "--as-of", "2026-01-01", "-o", out).exit_code == 0
        shutil.copy(out, tmp_path / "台帐" / out)
    for ledger in ("台帐", "台帐/*"):
        result = run("classify", ledger, "--as-of", "2026-01-01", "-f", "csv")
        assert result.exit_code == 0, result.output
        assert result.stderr.startswith("loaded 2 cases from 2 rows\n"), result.stderr
        assert "rejected" not in result.stderr
        for out in ("底数.csv", "底数.xlsx"):
            assert f"note: {Path('台帐') / out}: skipped: an output of backlog, not a ledger\n" in result.stderr
    for out in ("底数.xlsx", "底数.csv"):
        result = run("classify", "台帐/a.csv", f"台帐/{out}", "--as-of", "2026-01-01")
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert result.stderr == (f"backlog: error: {Path('台帐') / out}: an output of backlog, not a ledger; name the "
                                 "ledger it was made from (a folder or a wildcard leaves such files out)\n")
    (tmp_path / "台帐" / "a.csv").unlink()
    result = run("classify", "台帐", "--as-of", "2026-01-01")
    assert result.exit_code == 2 and result.stderr == (
        "backlog: error: 台帐: a folder with no ledger file in it but backlog's own outputs (底数.csv, 底数.xlsx), "
        "which are not ledgers\n")
    result = run("classify", "台帐/*.xlsx", "--as-of", "2026-01-01")
    assert result.exit_code == 2 and result.stderr == (
        "backlog: error: 台帐/*.xlsx: no file matches but backlog's own outputs (底数.xlsx), which are not ledgers\n")
    # four are named, as `backlog init` names four: "… 1 more" would take the room of the name; of five, three
    for n, named in ((4, "底数.csv, 底数.xlsx, 底数2.csv, 底数3.csv"), (5, "底数.csv, 底数.xlsx, 底数2.csv, … 2 more")):
        for k in range(len(list((tmp_path / "台帐").iterdir())), n):
            shutil.copy(tmp_path / "台帐" / "底数.csv", tmp_path / "台帐" / f"底数{k}.csv")
        result = run("classify", "台帐", "--as-of", "2026-01-01")
        assert result.exit_code == 2 and result.stderr == (
            f"backlog: error: 台帐: a folder with no ledger file in it but backlog's own outputs ({named}), "
            "which are not ledgers\n")
