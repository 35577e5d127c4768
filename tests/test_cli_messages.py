"""What the terminal shows from a ledger: a junk ledger does not flood stderr, and cell values
are cut and made safe (control and bidi characters escaped)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backlog_cli.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def junk_ledger(tmp_path: Path, bad_rows: int) -> Path:
    lines = ["案号,立案日期,承办人", "(2025)鲁0902执1号,2025-01-02,张三"]
    lines.append("\x1b[2J\u202e" + "号" * 5000 + ",2025-01-02,李四")  # unreadable, huge, hostile
    lines += [f"(2025)鲁0902执{i}号,不详,王五" for i in range(2, 2 + bad_rows - 1)]
    path = tmp_path / "junk.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_first_20_rejects_then_where_the_rest_are(tmp_path):
    ledger = junk_ledger(tmp_path, 30)
    result = run("classify", ledger, "--as-of", "2026-01-01", "-f", "csv")
    assert result.exit_code == 0, result.output
    rejected = [ln for ln in result.stderr.splitlines() if ln.startswith("rejected:")]
    assert len(rejected) == 20
    assert ("… 10 more rejected rows: `backlog inspect` lists them all; "
            "with --output FILE they go to FILE.errors.csv") in result.stderr
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    first = rejected[0]
    # brackets normalised by the loader; 60 characters shown: 13 of escapes, 46 号 and …
    assert first.startswith("rejected: junk.csv [junk] row 3: \\x1b(2J\\u202e" + "号" * 46 + "…: ")
    assert len(first) < 300
    written = run("classify", ledger, "--as-of", "2026-01-01", "-o", tmp_path / "out.csv")
    assert f"all are in {tmp_path / 'out.errors.csv'} (and in `backlog inspect`)" in written.stderr
    assert len((tmp_path / "out.errors.csv").read_text(encoding="utf-8-sig").splitlines()) == 1 + 30


def test_inspect_lists_every_reject(tmp_path):
    ledger = junk_ledger(tmp_path, 30)
    result = run("inspect", ledger)
    assert result.exit_code == 0, result.output
    assert "(2025)鲁0902执30号" in result.stdout and "\x1b" not in result.stdout
    # titles and headers in Chinese, as the errors file's
    lines = result.stdout.splitlines()
    assert lines[0] == "工作表" and "拒收的行" in lines
    assert re.search(r"┃ 文件 +┃ 工作表 +┃ 表头行 +┃ 行数 +┃ 案件数 +┃ 跳过 +┃ 拒收 +┃ 说明 +┃", result.stdout)


def test_inspect_names_every_sheet_a_column_mapping_applies_to(tmp_path):
    """Sheets of one workbook sharing a header (one a year) show each header once, naming them all;
    a column only one sheet has names that sheet."""
    import openpyxl

    book = openpyxl.Workbook()
    for title, extra in (("2024年", None), ("2025年", None), ("2026年", "合议庭")):
        sheet = book.create_sheet(title)
        sheet.append(["案号", "立案日期", "承办人", *([extra] if extra else [])])
        sheet.append([f"({title[:4]})鲁0902执1号", f"{title[:4]}-01-02", "张三", *(["一组"] if extra else [])])
    book.remove(book.worksheets[0])
    book.save(tmp_path / "l.xlsx")
    result = run("inspect", tmp_path / "l.xlsx")
    assert result.exit_code == 0, result.output
    rows = [re.split(r" *│ *", line)[1:-1] for line in result.stdout.split("列对应")[1].split("└")[0].splitlines()
            if line.startswith("│")]
    assert rows == [["2024年、2025年、2026年", "案号", "case_no", "是"],
                    ["2024年、2025年、2026年", "立案日期", "filed_on", "是"],
                    ["2024年、2025年、2026年", "承办人", "officer", "是"],
                    ["2026年", "合议庭", "合议庭", "否，按原样保留"]]
    (tmp_path / "m.csv").write_text("案号,立案日期,承办人\n(2023)鲁0902执1号,2023-01-02,李四\n", encoding="utf-8")
    two = run("inspect", tmp_path / "l.xlsx", tmp_path / "m.csv")  # of several files, each sheet with its file
    assert two.exit_code == 0, two.output
    assert re.search(r"│ l\.xlsx \[2024年\]、l\.xlsx \[2025年\]、l\.xlsx \[2026年\]、m\.csv \[m\] +│ 案号 +│", two.stdout)
    assert re.search(r"│ l\.xlsx \[2026年\] +│ 合议庭 +│", two.stdout)


def test_sample_never_overwrites_without_force(tmp_path):
    out = tmp_path / "s.csv"
    out.write_text("mine\n", encoding="utf-8")
    result = run("sample", "-o", out, "--rows", "5")
    assert result.exit_code == 2 and f"{out} already exists; use --force to overwrite it" in result.output
    assert out.read_text(encoding="utf-8") == "mine\n"
    assert run("sample", "-o", out, "--rows", "5", "--force").exit_code == 0
    assert "案号" in out.read_text(encoding="utf-8-sig")


def test_deadline_columns_have_display_labels_in_tables_and_xlsx_not_in_csv(tmp_path):
    import openpyxl

    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期,承办人\n(2025)鲁0902执9号,2025-01-02,张三\n", encoding="utf-8")
    run("classify", ledger, "--as-of", "2026-01-01", "-o", tmp_path / "t.xlsx")
    header = [c.value for c in openpyxl.load_workbook(tmp_path / "t.xlsx")["全部案件"][1]]
    assert ["法定执行期限·届满日", "法定执行期限·剩余天数", "法定执行期限·状态"] == \
        header[header.index("法定执行期限·届满日"):header.index("法定执行期限·届满日") + 3]
    assert "legal_limit_due" not in header
    csv_header = run("classify", ledger, "--as-of", "2026-01-01", "-f", "csv").stdout.splitlines()[0]
    assert "legal_limit_due,legal_limit_days_left,legal_limit_state" in csv_header
    table = run("overdue", ledger, "--deadline", "legal_limit", "--as-of", "2026-01-01").stdout
    assert "期限编号" in table and "期限·剩余天数" in table and "days_left" not in table


def test_a_closed_pipe_ends_quietly_with_0(tmp_path):
    import subprocess
    import sys

    ledger = tmp_path / "l.csv"
    rows = "".join(f"(2025)鲁0902执{i}号,2025-01-02,张三\n" for i in range(1, 3000))
    ledger.write_text("案号,立案日期,承办人\n" + rows, encoding="utf-8")
    for fmt in ("table", "csv"):
        proc = subprocess.Popen([sys.executable, "-m", "backlog_cli", "classify", str(ledger), "--as-of", "2026-01-01",
                                 "-f", fmt], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc.stdout.readline()
        proc.stdout.close()  # as `| head -1` does
        err = proc.stderr.read().decode()
        assert proc.wait() == 0, err
        assert "Error" not in err and "Traceback" not in err


def test_help_read_no_further_ends_quietly_with_0():
    """backlog --help | head -1, or a group's help shown for want of a command (backlog rules)."""
    import os
    import subprocess
    import sys

    for args in ([], ["--help"], ["rules"], ["report"], ["classify", "--help"], ["report", "monthly", "--help"],
                 ["run", "--help"]):
        read, write = os.pipe()
        os.close(read)  # the reader is gone before a word is written
        try:
            proc = subprocess.run([sys.executable, "-m", "backlog_cli", *args], stdout=write, stderr=subprocess.PIPE)
        finally:
            os.close(write)
        assert (proc.returncode, proc.stderr.decode()) == (0, ""), args


def test_a_month_not_begun_warns(tmp_path):
    import datetime as dt

    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期\n(2025)鲁0902执9号,2025-01-02\n", encoding="utf-8")
    later = (dt.date.today().replace(day=1) + dt.timedelta(days=62)).strftime("%Y-%m")
    result = run("report", "monthly", "--month", later, ledger, "-f", "json")
    assert result.exit_code == 0, result.output
    assert f"warning: --month {later} has not begun" in result.stderr
    too_far = run("report", "monthly", "--month", "2999-01", ledger)
    assert too_far.exit_code == 2 and "--month 2999-01: give a month in the years 1950-2100" in too_far.output
    typo = usage("report", "monthly", "--month", "2026-13", ledger)
    assert typo == (2, "backlog: error: --month '2026-13' is not a month: there is no month 13 (write year, month: "
                       "2026-11, 2026/11, 2026.11 or 2026年11月); try 'backlog report monthly --help'\n")
    assert "has not begun" not in run("report", "monthly", "--month", "2025-01", ledger, "-f", "json").stderr


def usage(*args):
    """A mistake on the command line, invoked as `backlog`: exit code and stderr."""
    result = runner.invoke(app, [str(a) for a in args], prog_name="backlog")
    return result.exit_code, result.stderr


ENCODINGS = "a Chinese ledger's CSV is in utf-8, gb18030, gbk, gb2312 or utf-16"


DAY_FORMS = "(write year, month, day: 2026-11-23, 2026/11/23, 2026.11.23, 2026年11月23日 or 20261123)"


def test_a_mistake_on_the_command_line_is_one_plain_line_naming_the_help(tmp_path):
    ledger = tmp_path / "none.xlsx"  # never read: the options are refused first
    hint = "; try 'backlog {}--help'\n"
    cases = [
        (["classify", ledger, "--as-of", "23/11/2026"], f"--as-of '23/11/2026' is not a date {DAY_FORMS}", "classify "),
        (["classify", ledger, "--as-of", "2026-11-31"], f"--as-of '2026-11-31' is not a date: 2026-11 has 30 days {DAY_FORMS}", "classify "),
        (["diff", "--since", "2026-13-01"], f"--since '2026-13-01' is not a date: there is no month 13 {DAY_FORMS}", "diff "),
        (["run", "--as-of", "24/11/2026"], f"--as-of '24/11/2026' is not a date {DAY_FORMS}", "run "),
        (["overdue", ledger, "--months", "6", "--days", "3"], "give --months or --days, not both", "overdue "),
        (["overdue", ledger], "give --months, --days, --deadline or --within: which cases to list", "overdue "),
        (["overdue", ledger, "--months", "-1"], "--months -1: give at least 0", "overdue "),
        (["rank", ledger, "--period", "year"], "--period 'year': give week, month, 周 or 月", "rank "),
        (["rank", ledger, "--periods", "521"], "--periods 521: give at most 520", "rank "),
        (["rank", ledger, "--periods", "x"], "--periods 'x' is not a whole number", "rank "),
        (["sample", "-o", "s.txt"], "--output s.txt: the sample is written as .xlsx or .csv", "sample "),
        (["sample", "-o", "s.xlsx", "--encoding", "gbk"], "--encoding gbk: an encoding applies to .csv samples only, "
         "not to s.xlsx", "sample "),
        (["sample"], "missing option --output", "sample "),
        (["classify", ledger, "--bogus"], "no such option: --bogus (did you mean --columns?)", "classify "),
        (["classify", ledger, "--as-of"], "option '--as-of' requires an argument", "classify "),
        (["report", "monthly", "--nope"], "no such option: --nope", "report monthly "),
        (["--bogus"], "no such option: --bogus", ""),
        (["nosuch"], "no such command 'nosuch'", ""),
        (["classify", ledger, "--encoding", "gbkk"], f"--encoding: unknown encoding 'gbkk' (did you mean 'gbk'?); "
         f"{ENCODINGS}", "classify "),
        (["inspect", ledger, "--encoding", "GB-18030"], f"--encoding: unknown encoding 'GB-18030' (did you mean "
         f"'gb18030'?); {ENCODINGS}", "inspect "),
        (["inspect", ledger, "--encoding", "hex"], f"--encoding: 'hex' is not a text encoding; {ENCODINGS}", "inspect "),
        (["classify", ledger, "--encoding", "undefined"], f"--encoding: 'undefined' is not a text encoding; {ENCODINGS}",
         "classify "),  # Python's codec that decodes nothing: it was an internal error
        (["sample", "-o", "s.csv", "--encoding", "undefined"], f"--encoding: 'undefined' is not a text encoding; "
         f"{ENCODINGS}", "sample "),
        (["sample", "-o", "s.csv", "--encoding", "klingon"], f"--encoding: unknown encoding 'klingon'; {ENCODINGS}",
         "sample "),
    ]
    for args, message, command in cases:
        code, err = usage(*args)
        assert (code, err) == (2, f"backlog: error: {message}" + hint.format(command)), args


def test_an_option_value_the_rules_or_the_ledger_refuse_names_the_help_too(tmp_path):
    """An unknown --by field, --category, --deadline, --officer or --format is a bad option like
    any other: its one line ends naming the command's help."""
    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期,承办人\n(2025)鲁0902执9号,2025-01-02,张三\n", encoding="utf-8")
    cases = [
        (["assign", ledger, "--by", "nosuch"], "--by: no ledger field 'nosuch' to group by", "assign"),
        (["rank", ledger, "--by", "nosuch"], "--by: no ledger field 'nosuch' to group by", "rank"),
        (["classify", ledger, "--category", "nope"], "--category: no category 'nope' in rules default", "classify"),
        (["overdue", ledger, "--deadline", "nope"], "--deadline: no deadline 'nope' in the rules", "overdue"),
        (["overdue", ledger, "--months", "6", "--officer", "李四"], "--officer: no case has officer '李四'", "overdue"),
        (["classify", ledger, "--format", "pdf"], "--format: unknown format 'pdf'", "classify"),
        (["classify", ledger, "-o", tmp_path / "o.pdf"], "cannot tell the format of", "classify"),
        (["assign", ledger, "--split", tmp_path / "d", "-f", "table"], "--format: split files are", "assign"),
        (["report", "monthly", ledger, "-f", "pdf"], "--format: unknown format 'pdf'", "report monthly"),
    ]
    for args, message, command in cases:
        code, err = usage(*args, "--as-of", "2026-01-01")
        last = err.splitlines()[-1]
        assert code == 2 and last.startswith(f"backlog: error: {message}"), (args, err)
        assert last.endswith(f"; try 'backlog {command} --help'"), (args, err)


def test_an_encoding_named_wrongly_is_refused_whatever_the_ledger_and_one_named_rightly_is_used(tmp_path, monkeypatch):
    """--encoding gbkk said only 'unknown encoding' once a CSV was read, without naming the option
    or its help, and nothing at all for a workbook; encoding: in backlog.yaml is checked as well,
    naming its line. An encoding's name is taken in any case (GBK)."""
    from conftest import SAMPLES

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    said = f"unknown encoding 'gbkk' (did you mean 'gbk'?); {ENCODINGS}"
    assert usage("classify", SAMPLES / "ledger.xlsx", "--encoding", "gbkk") == (
        2, f"backlog: error: --encoding: {said}; try 'backlog classify --help'\n")
    (tmp_path / "l.csv").write_bytes("案号,立案日期,承办人\n(2025)鲁0902执9号,2025-01-02,张三\n".encode("gbk"))
    code, err = usage("inspect", "l.csv", "--encoding", "GBK")
    assert code == 0 and "loaded 1 case from 1 row" in err
    (tmp_path / "backlog.yaml").write_text("ledger: l.csv\nencoding: gbkk\n", encoding="utf-8")
    assert usage("inspect") == (2, f"backlog: error: backlog.yaml:2: 'encoding': {said}\n")
    (tmp_path / "backlog.yaml").write_text("ledger: l.csv\nencoding: gb18030\n", encoding="utf-8")
    assert usage("inspect")[0] == 0


def test_an_encoding_from_the_settings_that_does_not_read_the_ledger_says_to_set_another(tmp_path, monkeypatch):
    """encoding: in backlog.yaml that garbles or fails a CSV ledger: the hint names the setting,
    not --encoding, which was not typed; --encoding typed is still told --encoding."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    monkeypatch.setenv("COLUMNS", "400")
    settings = tmp_path / "backlog.yaml"
    (tmp_path / "l.csv").write_bytes("××法院执行台帐\n案号,立案日期\n(2025)鲁0902执9号,2025-01-02\n".encode("gbk"))
    settings.write_text("ledger: l.csv\nencoding: latin-1\n", encoding="utf-8")
    no_header = "l.csv: read as latin-1 no header is found; read as gb18030 it has one: "
    for command in ("inspect", "classify", "run"):
        code, err = usage(command)
        assert code == 2 and err.endswith(f"{no_header}set `encoding: gb18030` in backlog.yaml\n"), (command, err)
    assert usage("inspect", "--encoding", "latin-1") == (
        2, f"backlog: error: {tmp_path / no_header}try --encoding gb18030\n")
    settings.write_text("ledger: l.csv\nencoding: utf-8\n", encoding="utf-8")
    failed = "l.csv: line 1 is not utf-8 text (byte 0); the file reads as GBK: "
    assert usage("inspect") == (2, f"backlog: error: {tmp_path / failed}set `encoding: gbk` in backlog.yaml\n")
    assert usage("inspect", "--encoding", "utf-8") == (2, f"backlog: error: {tmp_path / failed}try --encoding gbk\n")
    assert usage("inspect", "l.csv", "--encoding", "utf-8") == (2, f"backlog: error: {failed}try --encoding gbk\n")


def test_a_unicode_text_ledger_read_with_another_encoding_is_told_its_byte_order_mark(tmp_path, monkeypatch):
    """Excel's Unicode 文本 (UTF-16 with a byte order mark) read with --encoding gbk or utf-8, or
    encoding: gbk: the mark says what the file is, and the hint names it; what it names reads."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    monkeypatch.setenv("COLUMNS", "400")
    (tmp_path / "l.txt").write_bytes("案号\t立案日期\n(2025)鲁0902执9号\t2025-01-02\n".encode("utf-16"))
    said = ("the file begins with a UTF-16 byte order mark (as Excel saves Unicode 文本) and reads as UTF-16: "
            "try --encoding utf-16")
    for wrong in ("gbk", "utf-8"):
        assert usage("inspect", "l.txt", "--encoding", wrong) == (
            2, f"backlog: error: l.txt: line 1 is not {wrong} text (byte 0); {said}\n")
    assert usage("inspect", "l.txt", "--encoding", "latin-1") == (
        2, "backlog: error: l.txt: read as latin-1 no header is found; read as utf-16 it has one: try --encoding utf-16\n")
    (tmp_path / "backlog.yaml").write_text("ledger: l.txt\nencoding: gbk\n", encoding="utf-8")
    assert usage("inspect")[1].endswith("reads as UTF-16: set `encoding: utf-16` in backlog.yaml\n")
    code, err = usage("inspect", "l.txt", "--encoding", "utf-16")
    assert code == 0 and "loaded 1 case from 1 row" in err


@pytest.mark.parametrize("name", ["李䶮", "王𠮷", "张龦"])
def test_a_gb18030_ledger_gbk_cannot_read_is_not_told_to_try_gbk(tmp_path, monkeypatch, name):
    """A GB18030 CSV holding a name GBK lacks, read with --encoding utf-8 (or big5): the hint names
    gb18030, which reads it, not gbk, which would stop at that name."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "400")
    (tmp_path / "l.csv").write_bytes(f"案号,立案日期,被执行人\n(2025)鲁0902执9号,2025-01-02,{name}\n".encode("gb18030"))
    for wrong in ("utf-8", "big5"):
        code, err = usage("inspect", "l.csv", "--encoding", wrong)
        assert code == 2 and err.endswith("the file reads as GB18030 (not as GBK, which lacks some of its characters): "
                                          "try --encoding gb18030\n"), err
    assert usage("inspect", "l.csv", "--encoding", "gbk")[0] == 2
    code, err = usage("inspect", "l.csv", "--encoding", "gb18030")
    assert code == 0 and "loaded 1 case from 1 row" in err


def test_a_ledger_whose_encoding_is_not_detected_is_told_where_to_name_one(tmp_path, monkeypatch):
    """Neither UTF-8 nor GBK: --encoding where the command takes it, encoding: in backlog.yaml where
    one is read (backlog run, which takes no --encoding, only there)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    monkeypatch.setenv("COLUMNS", "400")
    (tmp_path / "l.csv").write_bytes("案号,立案日期\n(2025)鲁0902执9号,2025-01-02\n".encode("gbk") + b"\xff\xff\n")
    said = "cannot tell the text encoding (not UTF-8 or GBK); it reads furthest as GBK, up to line 3 (byte 43): fix that spot, "
    assert usage("classify", "l.csv") == (2, f"backlog: error: l.csv: {said}or name the encoding with --encoding\n")
    settings = tmp_path / "backlog.yaml"
    settings.write_text("ledger: l.csv\n", encoding="utf-8")
    for command in ("classify", "inspect"):
        assert usage(command) == (2, f"backlog: error: {tmp_path / 'l.csv'}: {said}or name the encoding with --encoding "
                                     "or `encoding:` in backlog.yaml\n")
    code, err = usage("run")
    assert code == 2 and err.endswith(f"{tmp_path / 'l.csv'}: {said}or name the encoding with `encoding:` in backlog.yaml\n")


def test_a_ledger_whose_encoding_is_not_detected_is_not_said_to_read_as_gbk_past_what_gbk_reads(tmp_path):
    """A GB18030 ledger with a name GBK lacks (䶮) above a broken byte: it reads furthest as GB18030,
    and GBK would stop at the name, a line before the spot named."""
    path = tmp_path / "l.csv"
    path.write_bytes("案号,立案日期,被执行人\n(2025)鲁0902执9号,2025-01-02,李䶮\n".encode("gb18030") + b"(2025)\xff\xff\n")
    assert usage("classify", path) == (
        2, f"backlog: error: {path}: cannot tell the text encoding (not UTF-8 or GBK); it reads furthest as GB18030, "
           "up to line 3 (byte 63): fix that spot, or name the encoding with --encoding\n")
    path.write_bytes("案号,立案日期,被执行人\n(2025)鲁0902执9号,2025-01-02,李雁\n".encode("gbk") + b"(2025)\xff\xff\n")
    assert "it reads furthest as GBK, up to line 3" in usage("classify", path)[1]


def test_an_empty_file_name_is_refused_before_it_names_the_current_folder(tmp_path):
    """backlog classify "$LEDGER" with LEDGER unset: an empty word would be the folder '.'."""
    ledger = tmp_path / "none.xlsx"
    hint = "backlog: error: {}: an empty name (in a script, is a variable unset?); try 'backlog {}--help'\n"
    cases = [
        (["classify", ""], "LEDGER", "classify "),
        (["classify", ledger, ""], "LEDGER", "classify "),
        (["classify", "--", ""], "LEDGER", "classify "),
        (["explain", "执12", ""], "LEDGER", "explain "),
        (["classify", ledger, "-o", ""], "--output", "classify "),
        (["classify", ledger, "--output="], "--output", "classify "),
        (["classify", ledger, "--config", ""], "--config", "classify "),
        (["classify", ledger, "--columns", ""], "--columns", "classify "),
        (["assign", ledger, "--targets", ""], "--targets", "assign "),
        (["assign", ledger, "--split", ""], "--split", "assign "),
        (["rules", "check", ""], "FILE", "rules check "),
        (["init", ""], "FILE", "init "),
        (["sample", "-o", ""], "--output", "sample "),
        (["classify", ledger, "--encoding", ""], "--encoding", "classify "),
    ]
    for args, name, command in cases:
        assert usage(*args) == (2, hint.format(name, command)), args
    # an empty value that is not a file name is said as before; a blank sheet or ruleset is quoted
    assert usage("classify", ledger, "--as-of", "")[1].startswith("backlog: error: --as-of '' is not a date")
    sample = Path(__file__).parents[1] / "samples" / "ledger.xlsx"
    assert "no sheet named ''; sheets: 填表说明、2025年、2026年" in usage("classify", sample, "--sheet", "")[1]
    assert "an empty rules name ' ': give a bundled ruleset (" in usage("classify", sample, "-r", " ")[1]


def test_an_output_named_as_a_folder_is_said_so_before_the_ledger_is_read(tmp_path, monkeypatch):
    """-o naming a folder that exists (报表/, -o out -f xlsx) was said to lack a suffix, or, with
    --format, refused only once the whole ledger was read; it is said to be a folder at once (the
    ledger named here does not exist: nothing is read). A folder named for a sample is told a
    sample's name to give, not backlog.yaml's; a --split folder whose parent is missing names that
    parent as typed."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "报表").mkdir()
    (tmp_path / "out.xlsx").mkdir()
    folder = "backlog: error: cannot write {}: it is a folder; give a file name\n"
    for command in (["classify"], ["overdue", "--months", "6"], ["assign"], ["rank"], ["report", "monthly"]):
        for args, named in ((["-o", "报表/"], "报表"), (["-o", "报表", "-f", "xlsx"], "报表"), (["-o", "out.xlsx"], "out.xlsx")):
            assert usage(*command, "none.xlsx", *args) == (2, folder.format(named)), (command, args)
    (tmp_path / "backlog.yaml").write_text("ledger: none.xlsx\n", encoding="utf-8")
    assert usage("history", "-o", "报表", "-f", "csv") == (2, folder.format("报表"))
    assert usage("sample", "-o", "out.xlsx") == (
        2, "backlog: error: out.xlsx is a folder: give a file name (such as out.xlsx/ledger.xlsx)\n")
    assert usage("assign", "none.xlsx", "--split", "nodir/lists") == (
        2, "backlog: error: --split nodir/lists: the folder nodir does not exist; create it first, or check the name\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backlog.yaml", "out.xlsx", "报表"]

def test_a_stdout_that_cannot_hold_chinese_is_said_plainly(tmp_path):
    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期\n(2025)鲁0902执9号,2025-01-02\n", encoding="utf-8")
    latin = CliRunner(charset="latin-1")
    for fmt in ("table", "csv"):
        result = latin.invoke(app, ["classify", str(ledger), "--as-of", "2026-01-01", "-f", fmt])
        assert result.exit_code == 2
        assert result.stderr.splitlines()[-1] == (
            "backlog: error: the output's encoding (latin-1) cannot show Chinese text: use a UTF-8 locale (or set "
            "PYTHONIOENCODING=utf-8), or write to a file with -o FILE where the command has it")
    assert latin.invoke(app, ["classify", str(ledger), "--as-of", "2026-01-01", "-o", tmp_path / "o.csv"]).exit_code == 0


def test_a_gbk_stdout_and_stderr_write_every_character(tmp_path):
    """Redirected on Chinese Windows, stdout and stderr are GBK; a character GBK lacks (𠮷) is
    written in GB18030, GBK's superset, instead of stopping the command, and the text is the same
    as on a UTF-8 stream."""
    import os
    import subprocess
    import sys

    ledger = tmp_path / "王𠮷承办.csv"
    ledger.write_text("案号,立案日期,被执行人\n(2025)鲁0902执9号,2025-01-02,𠮷野家有限公司\n(2025)鲁0902执10号,待补,王五\n",
                      encoding="utf-8")

    def classify(fmt: str, encoding: str, read_as: str) -> tuple[int, str, str]:
        proc = subprocess.run([sys.executable, "-m", "backlog_cli", "classify", str(ledger), "--as-of", "2026-01-01",
                               "-f", fmt], capture_output=True, env={**os.environ, "PYTHONIOENCODING": encoding})
        return proc.returncode, proc.stdout.decode(read_as), proc.stderr.decode(read_as)

    code, out, err = classify("csv", "gbk", "gb18030")
    assert (code, out, err) == classify("csv", "utf-8", "utf-8")
    assert code == 0 and "𠮷野家有限公司" in out and "rejected: 王𠮷承办.csv" in err
    code, out, err = classify("table", "gbk", "gb18030")  # rich draws the table in ASCII on a non-UTF stream
    assert code == 0 and "底数" in out and err == classify("table", "utf-8", "utf-8")[2]


def test_run_help_lists_the_exit_codes_one_a_line():
    result = runner.invoke(app, ["run", "--help"], prog_name="backlog", env={"COLUMNS": "80"})
    lines = [line.strip() for line in result.stdout.splitlines()]
    start = lines.index("Exit codes:")
    assert lines[start + 1:start + 7] == [
        "0 clean",
        "1 done, but rows were rejected, values kept as blank, or warnings",
        "2 nothing produced (a day after today is refused: the history records it)",
        "3 another run is going",
        "130 interrupted (Ctrl-C), 143 stopped (SIGTERM); nothing written",
        "",
    ]


def test_help_names_option_values_in_words_not_python_types():
    import re

    result = runner.invoke(app, ["overdue", "--help"], prog_name="backlog", env={"COLUMNS": "120"})
    # │ --output    -o      FILE   Write to …: the first word after the option's names
    shown = {line.split()[1]: next(w for w in line.split()[2:] if not w.startswith("-"))
             for line in result.stdout.splitlines() if line.startswith("│ --")}
    assert {k: shown[k] for k in ("--days", "--within", "--as-of", "--output", "--sheet")} == \
        {"--days": "N", "--within": "D", "--as-of": "DATE", "--output": "FILE", "--sheet": "NAME"}
    assert "Usage: backlog overdue [OPTIONS] [LEDGER]..." in result.stdout
    # no option of ours shows a Python type; typer itself still may for the LEDGER argument and its own
    # --help flag (no clean way to name those)
    assert set(re.findall(r"<[A-Za-z][^<>=\s]*>", result.stdout)) <= {"<list[Path]>", "<bool>"}  # not 0<=x<=1800


def test_reviewed_mistakes_are_plain_messages(tmp_path):
    """An --as-of pandas cannot hold (after 2262) or no ledger could (year 1), an empty case number,
    a sample into a folder that does not exist: one plain line and exit 2, nothing written."""
    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期,承办人\n(2025)鲁0902执1号,2025-01-02,张三\n", encoding="utf-8")
    for day in ("2300-01-01", "0001-01-01"):
        result = run("overdue", ledger, "--days", "30", "--as-of", day)
        assert result.exit_code == 2, result.output
        assert f"--as-of {day}: give a day in the years 1950-2100" in result.stderr
        assert "internal error" not in result.output
    result = run("explain", " ", ledger)
    assert result.exit_code == 2 and "CASE is empty: give a case number" in result.stderr
    result = run("sample", "-o", tmp_path / "typo" / "s.csv")
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "typo").exists()


def test_any_command_line_ends_in_a_result_or_one_plain_error(tmp_path, monkeypatch):
    """Drawn command lines (commands, options and values right and wrong, in any order) over a
    small ledger end with exit 0, 1 or 2 and never with an internal error or a traceback."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期,承办人,案由,结案日期,备注\n(2025)鲁0902执1号,2025-01-02,张三,追索劳动报酬纠纷,,\n"
                      "(2025)鲁0902执2号,2025-03-04,李四,买卖合同纠纷,2025-06-01,信访\n(2025)鲁0902执3号,待补,王五,,,\n",
                      encoding="utf-8")
    (tmp_path / "t.yaml").write_text("张三: 2\nshare: 0.5\n", encoding="utf-8")
    (tmp_path / "backlog.yaml").write_text("ledger: l.csv\noutput_dir: out\n", encoding="utf-8")
    commands = [["classify"], ["overdue"], ["explain"], ["inspect"], ["assign"], ["rank"], ["report", "monthly"],
                ["rules", "show"], ["rules", "check"], ["history"], ["diff"], ["run"], ["sample"], ["init"]]
    dates = ["2025-07-01", "2025/2/30", "20250701", "", "1949-01-01", "2999-01-01"]
    files = ["o.xlsx", "o.csv", "o.json", "o.txt", "sub/o.csv", ".", "", "l.csv", "t.yaml"]
    options = {  # each with values right and wrong for it
        "--as-of": dates, "--since": dates, "--month": ["2025-06", "2025年6月", "2025-13", ""],
        "--days": ["0", "180", "-1", "x"], "--months": ["6", "0", "-1"], "--within": ["30", "-3"],
        "--periods": ["1", "4", "521", "x"], "--rows": ["5", "0"], "--deadline": ["legal_limit", "法定执行期限", "nope"],
        "-c": ["minsheng", "涉民生", "nope"], "--officer": ["张三", "无", " "], "-r": ["default", "juesheng-2017", "nope", ""],
        "-f": ["csv", "json", "xlsx", "table", "pdf"], "-o": files, "--split": ["split", "", "l.csv"],
        "--config": ["backlog.yaml", "nope.yaml", "", "."], "--targets": ["t.yaml", "l.csv", "nope.yaml", ""],
        "--columns": ["t.yaml", ""], "--sheet": ["l", "", "2025年"], "--encoding": ["gbk", "utf-8", "nope"],
        "--by": ["officer", "承办人", "team", "nope"], "--period": ["week", "周", "month", "year"],
    }
    flags = ["--force", "--quiet", "--clean", "--bogus", "--help"]
    arguments = [str(ledger), "l.csv", "执1", "(2025)鲁0902执2号", "nope.xlsx", "", "t.yaml", "x.yaml"]
    word = st.one_of(st.sampled_from(arguments).map(lambda a: [a]), st.sampled_from(flags).map(lambda f: [f]),
                     st.sampled_from(sorted(options)).flatmap(lambda o: st.sampled_from(options[o]).map(lambda v: [o, v])))

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.sampled_from(commands), st.lists(word, max_size=6))
    def check(command, words):
        args = [*command, *(w for item in words for w in item)]
        result = runner.invoke(app, args, prog_name="backlog")
        said = result.output + (result.stderr if result.stderr_bytes is not None else "")
        assert result.exit_code in (0, 1, 2), (args, said[-500:])
        assert "internal error" not in said and "Traceback" not in said, (args, said[-500:])

    check()


def test_two_ledgers_of_one_name_are_told_apart_by_their_folders(tmp_path, monkeypatch):
    """一组/台帐.csv and 二组/台帐.csv: the rejected rows on stderr and inspect's tables name each
    by its path as read (台帐.csv alone named either); a file whose name is its own keeps its name."""
    monkeypatch.chdir(tmp_path)
    for team, first, rows in (("一组", 1, ",2025-01-03,李四\n"), ("二组", 2, "(2025)鲁0902执3号,待补,李四\n")):
        (tmp_path / team).mkdir()
        (tmp_path / team / "台帐.csv").write_text(f"案号,立案日期,承办人\n(2025)鲁0902执{first}号,2025-01-02,张三\n{rows}",
                                                 encoding="utf-8")
    (tmp_path / "其他.csv").write_text("案号,立案日期,承办人\n(2025)鲁0902执9号,2025-01-02,王五\n", encoding="utf-8")
    paths = [str(Path("一组") / "台帐.csv"), str(Path("二组") / "台帐.csv"), "其他.csv"]
    result = run("classify", *paths, "--as-of", "2026-01-01", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert "loaded 3 cases from 5 rows; 2 rejected" in result.stderr
    assert f"rejected: {paths[0]} [台帐] row 3: -: 缺少案号" in result.stderr
    assert f"rejected: {paths[1]} [台帐] row 3: (2025)鲁0902执3号: 立案日期无法识别" in result.stderr
    shown = run("inspect", *paths).stdout
    assert f"{paths[0]}" in shown and f"{paths[1]}" in shown and "其他.csv" in shown and "/其他.csv" not in shown


def test_explain_and_the_notes_on_cases_tell_two_ledgers_of_one_name_apart(tmp_path, monkeypatch):
    """With 一组/台帐.csv and 二组/台帐.csv read, explain's list of the case's rejected rows, the note
    of cases filed after --as-of and the warnings naming cases name each file by its path as read,
    as the rejected rows on stderr do (台帐.csv alone named either)."""
    monkeypatch.chdir(tmp_path)
    for team, rows in (("一组", "(2025)鲁0902执1号,2025-01-02,张三\n(2025)鲁0902执4号,2025-09-01,张三\n"),
                       ("二组", "(2025)鲁0902执1号,2025-01-02,李四\n(2025)鲁0902执3号,2025-01-03,李四、王五\n")):
        (tmp_path / team).mkdir()
        (tmp_path / team / "台帐.csv").write_text(f"案号,立案日期,承办人\n{rows}", encoding="utf-8")
    first, second = str(Path("一组") / "台帐.csv"), str(Path("二组") / "台帐.csv")
    result = run("explain", "执1", first, second, "--as-of", "2025-06-30")
    assert result.exit_code == 0, result.output
    assert (f"同一案件另有 1 行被拒收，上面的值均取自本行：\n  {second} [台帐] 第 2 行：案号重复：与 {first} [台帐] 第2行 "
            "重复，但两行不同（承办人：张三 与 李四），请核对后只留一行\n") in result.stdout
    assert (f"note: 1 case filed after 2025-06-30 is left out: it did not exist yet; (2025)鲁0902执4号 filed 2025-09-01 "
            f"at {first} [台帐] row 3\n") in result.stderr
    assert f"put one 承办人 per case; (2025)鲁0902执3号 filed 2025-01-03 at {second} [台帐] row 3\n" in result.stderr


def test_explain_names_the_case_s_file_by_its_folder_when_two_share_its_name(tmp_path, monkeypatch):
    """With 一组/台帐.csv and 二组/台帐.csv read, explain's heading names the case's row by its file's
    path as read, and so do its errors for a case rejected or filed after --as-of."""
    monkeypatch.chdir(tmp_path)
    for team, rows in (("一组", "(2025)鲁0902执1号,2025-01-02\n(2025)鲁0902执2号,待补\n"),
                       ("二组", "(2025)鲁0902执3号,2025-01-03\n(2025)鲁0902执4号,2025-09-01\n")):
        (tmp_path / team).mkdir()
        (tmp_path / team / "台帐.csv").write_text(f"案号,立案日期\n{rows}", encoding="utf-8")
    first, second = str(Path("一组") / "台帐.csv"), str(Path("二组") / "台帐.csv")

    def explain(case):
        return run("explain", case, first, second, "--as-of", "2025-06-30")

    assert explain("执3").stdout.startswith(f"(2025)鲁0902执3号（{second} [台帐] 第 2 行），截至 2025-06-30\n")
    rejected = explain("执2")
    assert rejected.exit_code == 2 and rejected.stderr.endswith(
        f"backlog: error: (2025)鲁0902执2号 is not a case of the ledger: rejected at {first} [台帐] row 3: "
        "立案日期无法识别：“待补”\n")
    later = explain("执4")
    assert later.exit_code == 2 and later.stderr.endswith(
        "backlog: error: (2025)鲁0902执4号 was filed on 2025-09-01, after --as-of 2025-06-30: it is not counted on "
        f"that day ({second} [台帐] row 3)\n")


@pytest.mark.parametrize(("settings", "message"), [
    # YAML reads 'report_day：25' as text: it stops at the next line, the slip is on this one
    ("ledger: a.csv\nreport_day：25\nrules: default\n", "backlog.yaml:3:1: not valid YAML (could not find expected ':' "
     "(line 2: a full-width ： typed for the colon: type : with the input method in 英文/半角))"),
    ("ledger: a.csv\ntargets: {陈静： 3}\n", "backlog.yaml:2: targets: 陈静： 3: target must be a whole number from 0 to "
     "10000, got nothing (a full-width ： typed for the colon: type : with the input method in 英文/半角)"),
])
def test_a_full_width_colon_in_the_settings_is_named(tmp_path, monkeypatch, settings, message):
    """A colon typed with a Chinese input method (：) is told as such, at the line it is on."""
    (tmp_path / "a.csv").write_text("案号,立案日期,承办人\n(2025)鲁0902执1号,2025-01-02,陈静\n", encoding="utf-8")
    (tmp_path / "backlog.yaml").write_text(settings, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("assign", "--as-of", "2026-11-23")
    assert result.exit_code == 2, result.output
    assert message in result.output


SLIP = "(a full-width ： typed for the colon: type : with the input method in 英文/半角)"


@pytest.mark.parametrize(("name", "text", "args", "message"), [
    ("backlog.yaml", "ledger：a.csv\nreport_day：25\n", (), "backlog.yaml:1: expected key: value settings " + SLIP),
    ("t.yaml", "陈静：3\n张三：4\n", ("a.csv", "--targets", "t.yaml"),
     "t.yaml:1: expected officer: target lines (张三: 5) and optionally share/minimum " + SLIP),
    ("c.yaml", "fields：\n", ("a.csv", "--columns", "c.yaml"), "c.yaml:1: expected a mapping with a 'fields:' key " + SLIP),
    ("r.yaml", "version：1\ncategories：\n", ("a.csv", "--rules", "r.yaml"),
     "r.yaml:1:1: expected a mapping with version: 1 and categories:, got 'version：1 categories：' " + SLIP),
])
def test_a_file_typed_with_full_width_colons_only_is_named_as_that_slip(tmp_path, monkeypatch, name, text, args, message):
    """Every key of a file typed with a full-width colon: YAML reads the whole file as one text, so
    it is no mapping, and the message says why, as it does for one such key among others."""
    (tmp_path / "a.csv").write_text("案号,立案日期,承办人\n(2025)鲁0902执1号,2025-01-02,陈静\n", encoding="utf-8")
    (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("assign", *args, "--as-of", "2026-11-23")
    assert result.exit_code == 2, result.output
    assert message in result.output
