"""The command line as a user meets it: help, version, config lookup, clear errors, documentation."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from backlog_cli import __version__
from backlog_cli.cli import app
from conftest import SAMPLES, hold_open

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def run(*args: str, env: dict | None = None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def command_names(group=None, prefix="") -> list[str]:
    """Every command path, e.g. 'classify', 'rules check'."""
    group = group or typer.main.get_command(app)
    names = []
    for name, cmd in group.commands.items():
        if getattr(cmd, "commands", None):
            names += command_names(cmd, f"{prefix}{name} ")
        else:
            names.append(prefix + name)
    return names


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"backlog {__version__}"


def test_module_entry_point():
    out = subprocess.run([sys.executable, "-m", "backlog_cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == f"backlog {__version__}"


def test_every_command_is_documented_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#+ `backlog ([a-z -]+?)(?: [A-Z\[\-].*)?`", readme, flags=re.M))
    missing = [name for name in command_names() if name not in documented]
    assert not missing, f"commands missing a README section: {missing}"


def _heading_anchor(heading: str) -> str:
    """The anchor a Markdown heading gets where the docs are read (GitHub's rule): lower case,
    punctuation dropped (letters of any script, digits, spaces, - and _ kept), spaces as -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_in_the_docs_leads_somewhere():
    """A link in the README or docs/ to a file of the repository names one that exists, and a
    link to a section (`#column-names`, `docs/rules.md#states`) names a heading it has."""
    pages = [ROOT / "README.md", ROOT / "samples" / "README.md", ROOT / "benchmarks" / "README.md",
             *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            name, _, section = target.partition("#")
            linked = (page.parent / name).resolve() if name else page
            if not linked.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif section and linked.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", re.sub(r"```.*?```", "", linked.read_text(encoding="utf-8"), flags=re.S),
                                      flags=re.M)
                if section not in {_heading_anchor(h) for h in headings}:
                    broken.append(f"{page.name}: {target} (no such section)")
    assert not broken, broken


def test_every_option_is_documented():
    """Each option of each command (and --version), long and short, is written as code in the
    README or docs/ (`--category ID`, `-c`); code blocks do not count (`pip install -c`)."""
    text = "".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    written = {word for span in re.findall(r"`([^`\n]+)`", text) for word in re.split(r"[\s,=|\[\]()]+", span)}

    def commands(cmd, path=""):
        yield path or "backlog", cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from commands(sub, f"{path} {name}".strip())

    missing = [f"{path} {opt}" for path, cmd in commands(typer.main.get_command(app)) for param in cmd.params
               if param.param_type_name == "option" for opt in (*param.opts, *param.secondary_opts)
               if opt not in written]
    assert not missing, f"options missing from the README and docs: {missing}"


def test_every_bundled_field_is_in_the_readme_column_table():
    from backlog_cli.loading import load_columns

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| field | headers recognised |"):]
    table = table[: table.index("\n\n")]
    missing = [name for name in load_columns([]).fields if f"`{name}`" not in table]
    assert not missing, f"fields missing from the README's column table: {missing}"


def readme_session() -> list[tuple[str, list[str]]]:
    """The README's session: each ``$ command`` with the lines shown below it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("## A session"):]
    block = block[block.index("```text\n") + len("```text\n"):]
    steps: list[tuple[str, list[str]]] = []
    for line in block[: block.index("```\n")].splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif line:
            steps[-1][1].append(line)
    return steps


def shown_as_documented(shown: list[str], documented: list[str]) -> bool:
    """Whether the documented lines are what was shown, where a line ``…`` (or ``… (then …)``)
    stands for lines left out: the runs between them appear whole and in order."""
    runs: list[list[str]] = [[]]
    for line in documented:
        if line.startswith("…"):
            runs.append([])
        else:
            runs[-1].append(line)
    at = 0
    for i, part in enumerate(runs):
        if not part:  # a gap first or last: the lines shown may begin or end anywhere
            continue
        last = i == len(runs) - 1
        found = next((j for j in range(at, len(shown) - len(part) + 1) if shown[j:j + len(part)] == part), None)
        if found is None or (i == 0 and found != 0) or (last and found + len(part) != len(shown)):
            return False
        at = found + len(part)
    return True


def test_the_readme_session_is_what_the_commands_print(tmp_path):
    """Every command of the README's session, run as written (in a shell, in a folder holding the
    committed samples), prints what the README shows."""
    import shutil

    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "backlog").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m backlog_cli "$@"\n', encoding="utf-8")
    (shim / "backlog").chmod(0o755)
    env = {"PATH": f"{shim}:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(tmp_path), "COLUMNS": "80"}
    steps = readme_session()
    assert len(steps) >= 5
    for command, documented in steps:
        out = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True)
        # as in a terminal: what the command says on stderr comes before the output; a CSV's
        # byte order mark (for Excel) is not seen
        shown = [line.rstrip().lstrip("\ufeff") for line in (out.stderr + out.stdout).splitlines()]
        assert shown_as_documented(shown, documented), f"$ {command}\n" + "\n".join(shown[:40])


def test_the_validation_example_in_the_rules_docs_is_what_rules_check_prints(monkeypatch):
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    block = docs[docs.index("## Validation"):]
    block = block[block.index("```text\n$ ") + len("```text\n$ "):]
    command, *shown = block[: block.index("```\n")].splitlines()
    monkeypatch.chdir(ROOT)
    result = run(*command.split()[1:])
    assert result.exit_code == 2
    assert result.output.splitlines() == shown


def test_a_documented_session_must_match_what_is_shown():
    shown = ["a", "b", "c", "d"]
    assert shown_as_documented(shown, ["a", "…", "d"])
    assert shown_as_documented(shown, ["a", "b", "…"])
    assert not shown_as_documented(shown, ["a", "c", "…"])  # a run must be whole
    assert not shown_as_documented(shown, ["b", "…"])  # the first line is the first shown
    assert not shown_as_documented(shown, ["a", "…", "c"])  # the last line is the last shown
    assert not shown_as_documented(shown, ["c", "…", "b"])


def test_every_command_has_help():
    for name in command_names():
        result = run(*name.split(), "--help")
        assert result.exit_code == 0, name
        assert "Usage" in result.output


def test_csv_to_stdout(tmp_path):
    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期,承办人\n(2025)鲁0902执9号,2025/1/2,张 三\n(2025)鲁0902执10号,2025-02-03,李四\n", encoding="utf-8")
    result = run("classify", ledger, "--as-of", "2026-01-01", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("case_no,")
    assert lines[1].startswith("(2025)鲁0902执9号,2025,鲁0902,执,9,")
    assert ",张三," in lines[1] and "2025-01-02" in lines[1]


def test_output_file_gets_bom_and_errors_file(tmp_path):
    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期\n(2025)鲁0902执9号,2025/1/2\n(2025)鲁0902执9号,2025/1/3\n", encoding="utf-8")
    out = tmp_path / "out" / "cases.csv"
    result = run("classify", ledger, "--as-of", "2026-01-01", "-o", out)  # no such folder: refused, none made
    assert result.exit_code == 2 and f"the folder {out.parent} does not exist" in result.stderr.replace("\n", "")
    assert not out.parent.exists()
    out.parent.mkdir()
    result = run("classify", ledger, "--as-of", "2026-01-01", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    errors = out.with_name("cases.errors.csv").read_text(encoding="utf-8-sig")
    assert errors.splitlines() == ["文件,工作表,行号,案号,原因", f"{ledger},l,3,(2025)鲁0902执9号,案号重复：与 第2行 重复"]
    assert "rejected: l.csv [l] row 3" in result.stderr


def test_one_skipped_row_is_counted_in_one_line(tmp_path):
    """The load line counts skipped rows by their Chinese reason: no English plural on it."""
    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期\n(2025)鲁0902执9号,2025/1/2\n合计,\n", encoding="utf-8")
    result = run("classify", ledger, "--as-of", "2026-01-01", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == "loaded 1 case from 2 rows; skipped 1 row (合计行 1)"


def test_json_records(tmp_path):
    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期,结案日期\n(2025)鲁0902执9号,2025/1/2,\n", encoding="utf-8")
    result = run("classify", ledger, "--as-of", "2026-01-01", "-f", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert records[0]["case_no"] == "(2025)鲁0902执9号"
    assert records[0]["filed_on"] == "2025-01-02" and records[0]["closed_on"] is None
    assert records[0]["case_year"] == 2025


@pytest.mark.parametrize(
    "args, message",
    [
        (["classify", "nope.xlsx"], "nope.xlsx: no such file"),
        (["classify", "{bad}"], "the file is empty"),
        (["classify", "{good}", "--as-of", "someday"], "'someday' is not a date"),
        (["classify", "{good}", "--format", "pdf"], "--format: unknown format 'pdf'; choose one of table, csv, json, xlsx"),
        (["classify", "{good}", "--format", "xlsx"], "xlsx output needs a file: give --output FILE.xlsx"),
    ],
)
def test_errors_are_one_clear_line(tmp_path, args, message):
    (tmp_path / "bad.xlsx").write_bytes(b"")
    good = tmp_path / "good.csv"
    good.write_text("案号,立案日期\n(2025)鲁0902执9号,2025/1/2\n", encoding="utf-8")
    args = [a.format(bad=tmp_path / "bad.xlsx", good=good) for a in args]
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_no_ledger_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    result = run("classify")
    assert result.exit_code == 2
    assert "no ledger given" in result.output and "backlog init" in result.output
    # the example names the command that was run, with what goes before the ledger
    for args, example in [(["classify"], "backlog classify LEDGER.xlsx"),
                          (["overdue", "--months", "6"], "backlog overdue LEDGER.xlsx"),
                          (["assign"], "backlog assign LEDGER.xlsx"), (["rank"], "backlog rank LEDGER.xlsx"),
                          (["inspect"], "backlog inspect LEDGER.xlsx"),
                          (["explain", "执12"], "backlog explain CASE LEDGER.xlsx"),
                          (["report", "monthly"], "backlog report monthly LEDGER.xlsx")]:
        result = runner.invoke(app, args, prog_name="backlog")
        assert result.exit_code == 2
        assert result.output == (f"backlog: error: no ledger given: name one ({example}) or set `ledger:` in "
                                 "backlog.yaml (backlog init)\n"), args


def test_init_then_config_names_the_ledger(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    assert run("init").exit_code == 0
    text = (tmp_path / "backlog.yaml").read_text(encoding="utf-8")
    assert "ledger:" in text and text.count("#") > 5
    assert run("init").exit_code == 2  # never overwrites without --force
    missing = run("init", "sub/backlog.yaml")  # into a folder that is not there: said as -o says it
    assert missing.exit_code == 2 and missing.output.startswith(
        f"backlog: error: cannot write sub{os.sep}backlog.yaml: the folder sub does not exist; create it first")
    assert not (tmp_path / "sub").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["backlog.yaml"]
    (tmp_path / "mine.csv").write_text("案号,立案日期\n(2025)鲁0902执9号,2025/1/2\n", encoding="utf-8")
    (tmp_path / "backlog.yaml").write_text("ledger: mine.csv\n", encoding="utf-8")
    result = run("classify", "--as-of", "2026-01-01", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert "(2025)鲁0902执9号" in result.stdout
    # BACKLOG_CONFIG and --config win over the working directory
    other = tmp_path / "sub"
    other.mkdir()
    (other / "cfg.yaml").write_text("ledger: ../missing.csv\n", encoding="utf-8")
    result = run("classify", "--config", other / "cfg.yaml")
    assert result.exit_code == 2 and "missing.csv: no such file" in result.output
    assert f"{tmp_path / 'missing.csv'}: no such file" in result.output.replace("\n", "")  # no sub/../ in it
    result = run("classify", env={"BACKLOG_CONFIG": str(other / "cfg.yaml")})
    assert result.exit_code == 2 and "missing.csv: no such file" in result.output
    # a settings or targets file that is a folder, or not there, is said to be so
    for args, env, said in [(["classify", "--config", other], {}, f"config file {other} is a folder, not a file"),
                            (["classify"], {"BACKLOG_CONFIG": str(other)}, f"BACKLOG_CONFIG names {other}, which is a folder"),
                            (["classify", "--config", "no.yaml"], {}, "config file no.yaml does not exist"),
                            (["assign", "mine.csv", "--targets", other], {}, f"targets file {other} is a folder, not a file")]:
        result = run(*args, env=env)
        assert result.exit_code == 2 and f"backlog: error: {said}" in result.output.replace("\n", ""), args


LEDGER_CSV = "案号,立案日期\n(2025)鲁0902执9号,2025/1/2\n"


def init_in(folder: Path, *args: str):
    """backlog init in ``folder``: the result, and the ledger the settings written name."""
    from backlog_cli.config import load_config

    result = run("init", folder / "backlog.yaml", *args)
    assert result.exit_code == 0, result.output
    return result, load_config(folder / "backlog.yaml").ledger


def test_init_names_the_one_ledger_file_beside_it_without_opening_it(tmp_path, monkeypatch):
    """The starter named samples/ledger.xlsx wherever it was written, so that backlog run then
    stopped on a file the court does not have."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "台帐.csv").write_text(LEDGER_CSV, encoding="utf-8")
    (tmp_path / "说明.txt").write_text("notes", encoding="utf-8")
    result = run("init")
    assert result.exit_code == 0 and result.stdout == "wrote backlog.yaml (ledger: 台帐.csv)\n"
    assert result.stderr == ""
    assert "\nledger: 台帐.csv\n" in (tmp_path / "backlog.yaml").read_text(encoding="utf-8")
    classified = run("classify", "--as-of", "2026-01-01", "-f", "csv")
    assert classified.exit_code == 0 and "(2025)鲁0902执9号" in classified.stdout
    # a settings file written elsewhere looks there; the ledger is listed, not opened
    (tmp_path / "court").mkdir()
    (tmp_path / "court" / "台帐.xlsx").write_bytes(b"not a workbook")
    result, ledger = init_in(tmp_path / "court")
    assert ledger == [tmp_path / "court" / "台帐.xlsx"]
    assert result.stdout == f"wrote {tmp_path / 'court' / 'backlog.yaml'} (ledger: 台帐.xlsx)\n"
    monkeypatch.chdir(tmp_path / "court")  # as the README shows it
    shown = run("init", "--force").stdout
    assert f"\n$ backlog init\n{shown}```\n" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_init_names_several_ledger_files_as_a_list_and_a_folder_of_them_as_a_folder(tmp_path):
    for name in ["一组.xlsx", "[2025] 二组.csv", "三组: 旧.xls"]:
        (tmp_path / name).write_bytes(b"")
    result, ledger = init_in(tmp_path)
    assert ledger == [tmp_path / name for name in ["[2025] 二组.csv", "一组.xlsx", "三组: 旧.xls"]]
    assert result.stdout.endswith("(ledger: 3 files, [2025] 二组.csv, 一组.xlsx, 三组: 旧.xls)\n")
    assert "# The 3 ledger files found beside this file" in (tmp_path / "backlog.yaml").read_text(encoding="utf-8")
    # a folder holding only a folder of team ledgers names that folder, read whole
    court = tmp_path / "court"
    (court / "台帐").mkdir(parents=True)
    for name in ["一组.xlsx", "二组.xlsx"]:
        (court / "台帐" / name).write_bytes(b"")
    result, ledger = init_in(court)
    assert ledger == [court / "台帐"] and result.stdout.endswith("(ledger: 台帐/, the folder of 2 ledger files)\n")
    assert "\nledger: 台帐/\n" in (court / "backlog.yaml").read_text(encoding="utf-8")
    (court / "台帐" / "二组.xlsx").unlink()
    result, ledger = init_in(court, "--force")
    assert result.stdout.endswith("(ledger: 台帐/, the folder of 1 ledger file)\n")
    (court / "台帐" / "二组.xlsx").write_bytes(b"")
    (court / "二队").mkdir()
    (court / "二队" / "台帐.csv").write_bytes(b"")
    result, ledger = init_in(court, "--force")
    assert ledger == [court / "二队", court / "台帐"]
    assert result.stdout.endswith("(ledger: 2 folders, 二队/, 台帐/: 3 ledger files)\n")


def test_init_without_a_ledger_beside_it_writes_a_placeholder_and_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    result = run("init")
    assert result.exit_code == 0 and result.stdout == "wrote backlog.yaml (ledger: 台帐.xlsx, a placeholder)\n"
    assert result.stderr == ("note: no ledger file (.csv .ods .tsv .xls .xlsm .xlsx) found beside backlog.yaml; "
                             "set `ledger:` in it to your ledger's file or folder\n")
    text = (tmp_path / "backlog.yaml").read_text(encoding="utf-8")
    assert "samples/" not in text
    assert "\nledger: 台帐.xlsx   # change this to your ledger's file (or folder) name\n" in text
    refused = run("run", "--as-of", "2026-01-01")
    assert refused.exit_code == 2 and "台帐.xlsx: no such file" in refused.output


def test_init_leaves_out_lock_files_hidden_files_and_backlogs_own_outputs(tmp_path):
    """Excel's lock file, a hidden file, backlog's lists of rejected rows and value problems, the
    nightly run's folder and a folder of them are no ledger."""
    for name in ["~$台帐.xlsx", ".台帐.xlsx", "超六个月.errors.csv", "结果.problems.csv",
                 "说明.txt", "outputs/2026-11-23.xlsx", ".git/x.csv", "锁/~$一组.xlsx"]:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    result = run("init", tmp_path / "backlog.yaml")
    assert result.exit_code == 0 and result.stdout.endswith("(ledger: 台帐.xlsx, a placeholder)\n")
    assert result.stderr.startswith("note: no ledger file")
    (tmp_path / "台帐.xlsx").write_bytes(b"")
    result, ledger = init_in(tmp_path, "--force")
    assert ledger == [tmp_path / "台帐.xlsx"] and result.stdout.endswith("(ledger: 台帐.xlsx)\n")
    assert result.stderr == ""


def test_init_names_a_ledger_whose_output_and_its_rejected_rows_share_its_name(tmp_path):
    """classify 台帐.csv -o 台帐.xlsx writes 台帐.errors.csv beside the output: the ledger shares the
    output's name, and was left out with it for the list beside them, so init named no ledger."""
    (tmp_path / "台帐.csv").write_text("案号,立案日期,承办人\n(2025)鲁0902执1号,2025-01-02,张三\n暂无,2025-01-03,李四\n",
                                      encoding="utf-8")
    result = run("classify", tmp_path / "台帐.csv", "-o", tmp_path / "台帐.xlsx", "--as-of", "2026-03-01")
    assert result.exit_code == 0 and (tmp_path / "台帐.errors.csv").exists()
    result, ledger = init_in(tmp_path)
    assert ledger == [tmp_path / "台帐.csv"]
    assert result.stderr == "note: left out as backlog's own outputs, not ledgers: 台帐.xlsx\n"


OFFICERS_CSV = ("案号,立案日期,承办人,结案日期\n(2025)鲁0902执9号,2025/1/2,张三,\n(2025)鲁0902执10号,2025/3/2,李四,2026/2/3\n"
                "(2026)鲁0902执1号,2026/1/5,张三,\n")


def test_init_tells_backlogs_own_outputs_from_ledgers_by_a_look_at_them(tmp_path):
    """An output written without a list of rejected rows beside it (a ledger without problems) was
    named as a ledger: its name says nothing. Each file backlog writes is told by its document
    properties (xlsx) or its header row (CSV), in a folder of them or the nightly run's."""
    court = tmp_path / "court"
    court.mkdir()
    (court / "台帐.csv").write_text(OFFICERS_CSV, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    as_of = ["--as-of", "2026-03-01"]
    for command, options in ((["classify"], ["-o", out / "底数.xlsx"]), (["classify"], ["-o", out / "底数.csv"]),
                             (["overdue"], ["--months", "6", "-o", out / "超期.csv"]),
                             (["overdue"], ["--within", "30", "-o", out / "将到期.csv"]),
                             (["assign"], ["-o", out / "任务.csv"]), (["assign"], ["--split", out / "任务", "-f", "csv"]),
                             (["rank"], ["-o", out / "排名.csv"]), (["report", "monthly"], ["-o", out / "月报.csv"]),
                             (["report", "monthly"], ["-o", out / "月报.xlsx"])):
        result = run(*command, court / "台帐.csv", *options, *as_of)
        assert result.exit_code == 0, (command, options, result.output)
    (court / "backlog.yaml").write_text("ledger: 台帐.csv\noutput_dir: 结果\n", encoding="utf-8")
    for day in ("2026-02-20", "2026-03-01"):
        assert run("run", "--config", court / "backlog.yaml", "--as-of", day, "--quiet").exit_code == 1  # warnings
    for args, name in ((["history"], "历史.csv"), (["diff"], "变化.csv")):
        assert run(*args, "--config", court / "backlog.yaml", "-o", out / name).exit_code == 0
    written = sorted(p for p in out.rglob("*") if p.suffix in (".xlsx", ".csv"))
    assert len(written) > 15 and not any(p.name.endswith((".errors.csv", ".problems.csv")) for p in written)
    result = run("init", out / "backlog.yaml")
    assert result.stdout.endswith("(ledger: 台帐.xlsx, a placeholder)\n")
    assert result.stderr.startswith("note: left out as backlog's own outputs, not ledgers: 任务.csv, 历史.csv, 变化.csv, … 14 more\n")
    result = run("init", court / "结果" / "backlog.yaml")
    assert result.stdout.endswith("(ledger: 台帐.xlsx, a placeholder)\n")
    assert result.stderr.startswith("note: left out as backlog's own outputs, not ledgers: 2026-02-20/, 2026-03-01/\n")
    from backlog_cli.workbook import is_output

    day = [p for p in (court / "结果" / "2026-03-01").rglob("*") if p.suffix in (".xlsx", ".csv")]
    assert [p for p in written + day if not is_output(p)] == [] and not is_output(court / "台帐.csv")
    # beside the ledger: the ledger alone; in a subfolder beside the ledger's, the ledger's folder alone
    for name in ("底数.xlsx", "月报.csv"):
        (court / name).write_bytes((out / name).read_bytes())
    (court / "backlog.yaml").unlink()
    result, ledger = init_in(court)
    assert ledger == [court / "台帐.csv"] and result.stderr == (
        "note: left out as backlog's own outputs, not ledgers: 底数.xlsx, 月报.csv\n")
    result, ledger = init_in(tmp_path)  # court/ read whole would read them too: its ledger is named
    assert ledger == [court / "台帐.csv"] and result.stdout.endswith("(ledger: court/台帐.csv)\n")
    assert result.stderr == "note: left out as backlog's own outputs, not ledgers: court/底数.xlsx, court/月报.csv, out/\n"


def test_init_leaves_out_the_folder_the_nightly_run_writes_as_the_file_system_finds_it(tmp_path):
    """outputs/ was left out whatever the case of its name, where the run's output_dir: outputs
    writes outputs/ alone: on a file system that tells names apart by case, Outputs/ is another
    folder, and a folder of ledgers there was left out."""
    (tmp_path / "Outputs").mkdir()
    (tmp_path / "Outputs" / "台帐.xlsx").write_bytes(b"")
    result = run("init", tmp_path / "backlog.yaml")
    assert result.exit_code == 0
    if (tmp_path / "outputs").is_dir():  # Windows, macOS: the folder the run writes
        assert result.stdout.endswith("(ledger: 台帐.xlsx, a placeholder)\n")
    else:
        assert result.stdout.endswith("(ledger: Outputs/, the folder of 1 ledger file)\n")
    (tmp_path / "Outputs").rename(tmp_path / "outputs")
    result, ledger = init_in(tmp_path, "--force")
    assert result.stdout.endswith("(ledger: 台帐.xlsx, a placeholder)\n")


def test_init_takes_the_workbook_of_a_ledger_saved_in_two_formats(tmp_path, monkeypatch):
    """In a checkout of backlog, init named samples/, whose ledger.xlsx and ledger.csv (two sample
    ledgers whose case numbers then overlapped) were then read as one: 389 cases, 23 of the
    workbook's rejected as duplicates of the CSV's. Of one name in two formats (most often one
    ledger saved twice, which would read every case twice) the workbook is named, and the other
    said to be left out."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "samples").mkdir()
    for name in ("ledger.xlsx", "ledger.csv", "README.md"):
        (tmp_path / "samples" / name).write_bytes((ROOT / "samples" / name).read_bytes())
    result = run("init")
    assert result.exit_code == 0 and result.stdout == "wrote backlog.yaml (ledger: samples/ledger.xlsx)\n"
    assert result.stderr == ("note: left out samples/ledger.csv, which has the name of samples/ledger.xlsx in another "
                             "format: the same ledger saved twice would read every case twice; add it to `ledger:` if "
                             "it is another ledger\n")
    classified = run("classify", "--as-of", "2026-11-23", "-f", "csv")
    assert classified.exit_code == 0 and classified.stderr.startswith("loaded 296 cases from 304 rows")
    # beside it, and in a folder that then is named file by file
    (tmp_path / "台帐").mkdir()
    for name in ["一组.csv", "一组.xlsx", "二组.csv", "三组.tsv", "三组.xls"]:
        (tmp_path / "台帐" / name).write_bytes(b"")
    result, ledger = init_in(tmp_path / "台帐")
    assert ledger == [tmp_path / "台帐" / name for name in ["一组.xlsx", "三组.xls", "二组.csv"]]
    assert result.stderr.count("note: left out") == 2 and "left out 一组.csv, which has the name of 一组.xlsx" in result.stderr
    (tmp_path / "samples" / "ledger.csv").unlink()
    (tmp_path / "samples" / "ledger.xlsx").rename(tmp_path / "samples" / "ledger.XLSX")
    result, ledger = init_in(tmp_path, "--force")
    assert ledger == [tmp_path / "samples", tmp_path / "台帐" / "一组.xlsx", tmp_path / "台帐" / "三组.xls",
                      tmp_path / "台帐" / "二组.csv"]
    assert result.stdout.endswith("(ledger: samples/, 台帐/一组.xlsx, 台帐/三组.xls, 台帐/二组.csv: 4 ledger files)\n")
    assert "# The ledger files and folders of them found beside this file (4 files)" in (
        tmp_path / "backlog.yaml").read_text(encoding="utf-8")


def test_config_unknown_key_suggests(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "backlog.yaml").write_text("ledgr: x.csv\n", encoding="utf-8")
    result = run("classify")
    assert result.exit_code == 2
    assert "backlog.yaml:1: unknown setting 'ledgr' (did you mean 'ledger'?)" in result.output
    (tmp_path / "backlog.yaml").write_text("ledger: x.csv\nno: 3\n", encoding="utf-8")  # YAML 1.1's false
    result = run("classify")
    assert result.exit_code == 2 and "backlog.yaml:2: unknown setting 'no'; settings: ledger," in result.output


def test_several_unknown_settings_each_name_their_own_line(tmp_path, monkeypatch):
    """Two unknown keys, on lines 2 and 3, were said as `backlog.yaml:2: unknown setting 'as_of',
    'bogus_key'`, line 2 for both: each is named with its own line, as several targets problems are."""
    from backlog_cli.config import KEYS

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "backlog.yaml").write_text("ledger: x.csv\nas_of: 2026-01-01\nbogus_key: 1\n", encoding="utf-8")
    said = (f"backlog: error: backlog.yaml:2: unknown setting 'as_of'; line 3: unknown setting 'bogus_key'; "
            f"settings: {', '.join(KEYS)}\n")
    for args in (["classify"], ["classify", "--config", "backlog.yaml"], ["run"]):
        result = run(*args)
        assert (result.exit_code, result.output) == (2, said), args


@pytest.mark.parametrize(("command", "settings", "said"), [
    ("classify", "ledger: x.csv\nsheets: [a\n", "backlog.yaml:3:1: not valid YAML"),
    ("assign", "ledger: x.csv\ntargets: {张三: -1}\n",
     "backlog.yaml:2: targets: 张三: target must be a whole number from 0 to 10000, got -1"),
    ("run", "output_dir: out\n", "no ledger to run on: set `ledger:` in backlog.yaml"),
    ("run", "ledger: x.csv\nabsent_columns: [xyz]\n",
     "backlog.yaml:2: absent_columns: 'xyz' is neither a ledger field nor a header"),
])
def test_the_settings_file_found_here_is_named_as_typed(tmp_path, monkeypatch, command, settings, said):
    """backlog.yaml found in the working directory was named by its full path in every message
    (/srv/backlog/backlog.yaml:2: …), where `--config backlog.yaml` and the README say
    backlog.yaml:2: it is named backlog.yaml (as the tests of each kind of settings problem say)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "x.csv").write_text(LEDGER_CSV, encoding="utf-8")
    (tmp_path / "backlog.yaml").write_text(settings, encoding="utf-8")
    result = run(command, "--as-of", "2026-01-01")
    assert result.exit_code == 2
    assert result.output.startswith(f"backlog: error: {said}"), result.output
    assert f"{tmp_path / 'backlog.yaml'}" not in result.output


def test_an_officer_named_as_yaml_would_read_true_keeps_the_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "l.csv").write_text("案号,立案日期,承办人\n(2025)鲁0902执9号,2025-01-02,On\n", encoding="utf-8")
    (tmp_path / "backlog.yaml").write_text("ledger: l.csv\ntargets: {On: 3}\n", encoding="utf-8")
    result = run("assign", "--as-of", "2026-01-01", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["officer"] == "On" and "weekly target" not in result.stderr


def test_an_officer_named_by_a_number_or_a_date_in_a_targets_file_keeps_the_name(tmp_path, monkeypatch):
    """A staff number (1023:), a decimal, a date or ~ written as a name in a targets file is the
    text written: the case of officer 1023 gets its target (it was an internal error)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "l.csv").write_text("案号,立案日期,承办人\n(2025)鲁0902执9号,2025-01-02,1023\n", encoding="utf-8")
    (tmp_path / "t.yaml").write_text("1023: 4\n1.5: 1\n2026-01-01: 3\n~: 2\n", encoding="utf-8")
    result = run("assign", "l.csv", "--targets", "t.yaml", "--as-of", "2026-01-01")
    assert result.exit_code == 0, result.output
    assert "1023：未结 1 件，已超期 1 件，本周到期 1 件，重点案件 0 件，每周结案任务 4" in result.stdout
    assert "weekly targets for 1.5、2026-01-01、~, who have no case" in result.stderr.replace("\n", "")


def test_help_does_not_import_pandas():
    code = "import sys; from backlog_cli import cli; sys.exit(1 if 'pandas' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_reading_the_settings_does_not_import_pandas(tmp_path):
    """The settings are read before a workbook's decode starts (the commands start it before they
    import pandas): reading them must not import pandas and cost that head start."""
    (tmp_path / "backlog.yaml").write_text("ledger: l.xlsx\nsheets: [2025年]\n", encoding="utf-8")
    code = ("import sys; from pathlib import Path; from backlog_cli.config import load_config; "
            f"c = load_config(Path({str(tmp_path / 'backlog.yaml')!r})); "
            "sys.exit(2 if c.sheets != ['2025年'] else 1 if 'pandas' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_as_of_in_a_year_out_of_range_says_the_range(tmp_path):
    """Year 0 is no date at all to Python; the clerk is told the years allowed, not the month's days."""
    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期\n(2025)鲁0902执9号,2025/1/2\n", encoding="utf-8")
    for text in ("0000-01-01", "2101-02-30"):
        result = run("classify", ledger, "--as-of", text)
        assert result.exit_code == 2
        assert f"--as-of {text}: give a day in the years 1950-2100;" in result.output


@pytest.mark.parametrize("text", ["2026/11/23", "2026.11.23", "2026年11月23日", "2026年11月23", " 2026-11-23 ", "20261123",
                                  "２０２６-１１-２３", "２０２６年１１月２３日", "二〇二六年十一月二十三日", "2026年十一月二十三日"])
def test_as_of_takes_the_day_written_year_first(tmp_path, text):
    """Year, month and day in that order, as a clerk writes them: the same day as 2026-11-23."""
    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期\n(2025)鲁0902执9号,2025/1/2\n", encoding="utf-8")
    result = run("classify", ledger, "--as-of", text, "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("(2025)鲁0902执9号,")
    assert run("classify", ledger, "--as-of", "2026-11-23", "-f", "csv").stdout == result.stdout
    assert run("classify", ledger, "--as-of", "2026-11-24", "-f", "csv").stdout != result.stdout  # the day counts


DAY_FORMS = "(write year, month, day: 2026-11-23, 2026/11/23, 2026.11.23, 2026年11月23日 or 20261123)"


@pytest.mark.parametrize(("text", "why"), [
    ("20261", ""), ("45000", ""), ("2026/13/01", ": there is no month 13"),
    ("11/23/2026", ""), ("26-11-23", ""), ("2026年2月30日", ": 2026-02 has 28 days"),
    ("tomorrow", ""), ("", ""), (" ", ""), ("2026-11-23 10:00", ""), ("2026-11-23T00:00", ""),
    ("2026-11-23 星期一", ""), ("二〇二六年十一月二十三日星期一", ""),  # a ledger's cell may say its weekday, an option not
    # the form is right, the day does not exist: say which part is wrong
    ("2026-02-30", ": 2026-02 has 28 days"), ("2026-02-29", ": 2026-02 has 28 days"),
    ("2028-02-30", ": 2028-02 has 29 days"), ("2026-04-31", ": 2026-04 has 30 days"),
    ("2026-00-10", ": there is no month 00"), ("20261340", ": there is no month 13"), ("202611231", ""),
    ("２０２６-０２-３０", ": 2026-02 has 28 days"), ("二〇二六年二月三十日", ": 2026-02 has 28 days"),
    ("2026-11-32", ": 2026-11 has 30 days"), ("2026-12-32", ": 2026-12 has 31 days"),
])
def test_as_of_is_strict(tmp_path, text, why):
    """An option date is never guessed: '45000' is not an Excel serial here, '20261' not a year;
    the message names the forms a date may take."""
    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期\n(2025)鲁0902执9号,2025/1/2\n", encoding="utf-8")
    result = run("classify", ledger, "--as-of", text)
    assert result.exit_code == 2
    assert f"--as-of '{text}' is not a date{why} {DAY_FORMS}" in result.output


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("encoding: 5", "'encoding' must be a text value (CSV encoding (default: detected)), got 5"),
        ("output_dir: {a: 1}", "'output_dir' must be a text value (folder for `backlog run` outputs), "
         "got a mapping (key: value lines)"),
        ("history: 5", "'history' must be a text value (history database: a path (SQLite) or a database URL), "
         "got 5"),
        ("ledger: {a: 1}", "'ledger' must be a text or a list of them (ledger file(s): a path or a list of paths), "
         "got a mapping (key: value lines)"),
        ("ledger: [a.xlsx, 2]", "'ledger' must be a text or a list of them (ledger file(s): a path or a list of "
         "paths), got a list holding 2"),
        ("rules: 7", "'rules' must be a text or a list of them (rules: bundled names or paths, a name/path or a "
         "list), got 7"),
        ("sheets: [yes]", "'sheets' must be a name or a list of them (sheet names to read (default: every sheet "
         "that holds a ledger)), got a list holding true (YAML reads yes, no, on, off as true or false: put such "
         "a name in quotes)"),
        ("history: 2026-01-01", "'history' must be a text value (history database: a path (SQLite) or a database "
         "URL), got a date (2026-01-01)"),
        ("targets: [1]", "'targets' must be a file path or a mapping (张三: 5, share: 0.1, minimum: 1), got a list"),
        # an empty text (a template's placeholder left blank) named the settings' folder, or was passed over
        ('ledger: ""', "'ledger' must be a text or a list of them (ledger file(s): a path or a list of paths), "
         "got an empty text"),
        ("columns: [a.yaml, ' ']", "'columns' must be a text or a list of them (extra column aliases file(s)), "
         "got a list holding an empty text"),
        ('targets: ""', "'targets' must be a file path or a mapping (张三: 5, share: 0.1, minimum: 1), got an empty text"),
    ],
)
def test_config_value_types_are_checked(tmp_path, monkeypatch, setting, message):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "backlog.yaml").write_text("# settings\n\n" + setting + "\n", encoding="utf-8")
    result = run("run")
    assert result.exit_code == 2, result.output
    assert result.output == f"backlog: error: backlog.yaml:3: {message}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backlog.yaml"]


def test_corrupted_history_exits_2_naming_it(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "history.sqlite").write_bytes(b"garbage " * 100)
    (tmp_path / "backlog.yaml").write_text("output_dir: out\n", encoding="utf-8")
    result = run("history", "--config", tmp_path / "backlog.yaml")
    assert result.exit_code == 2
    assert f"history {tmp_path / 'out' / 'history.sqlite'}: cannot open the database (file is not a database)" in result.output


def test_a_history_setting_that_names_no_database_is_said_at_its_line(tmp_path, monkeypatch):
    """`history:` naming a file that is no database (a text file, a workbook) stops every command
    that opens the history with the settings file and line that name it, before the file; the
    history in output_dir, which no line names, is said by the file alone. It was said by the file
    alone in either case."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "ledger.csv").write_text("案号,立案日期\n(2025)鲁0902执1号,2025-01-02\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a database\n", encoding="utf-8")
    shutil.copy(SAMPLES / "ledger.xlsx", tmp_path / "book.xlsx")
    (tmp_path / "out").mkdir()
    shutil.copy(tmp_path / "notes.txt", tmp_path / "out" / "history.sqlite")
    said = [(f"history: {name}\n", f"backlog.yaml:2: history {tmp_path / name}") for name in ("notes.txt", "book.xlsx")]
    said += [(settings, f"history {tmp_path / 'out' / 'history.sqlite'}")
             for settings in ("output_dir: out\n", "output_dir: out\nhistory:\n")]
    commands = [["history"], ["diff"], ["report", "monthly", "--as-of", "2025-06-30"], ["run", "-q", "--as-of", "2025-06-30"]]
    for settings, named in said:
        (tmp_path / "backlog.yaml").write_text(f"ledger: ledger.csv\n{settings}", encoding="utf-8")
        for command in commands:
            result = run(*command)
            assert result.exit_code == 2, (command, result.output)
            assert result.stderr.splitlines()[-1].endswith(
                f"backlog: error: {named}: cannot open the database (file is not a database)"), (command, result.stderr)


def test_rules_check_reports_deadline_problems_too(tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text("version: 1\ncategories:\n  - id: x\n    label: x\n    when: {field: cause, equals: a}\n"
                     "deadlines:\n  - id: d\n    label: d\n    duration: 6 monthz\n", encoding="utf-8")
    result = run("rules", "check", rules)
    assert result.exit_code == 2
    assert f"{rules}:9:15: deadlines[0].duration: expected a length" in result.output
    assert run("rules", "check", ROOT / "rules" / "default.yaml").output.endswith(": 9 categories, 6 deadlines\n")


def test_rules_check_says_how_to_test_a_field_written_as_an_operator(tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text("version: 1\ncategories:\n  - id: loans\n    label: 借款\n"
                     "    when: {cause: {contains_any: [借款]}}\n", encoding="utf-8")
    result = run("rules", "check", rules)
    assert result.exit_code == 2
    assert (f"{rules}:5:12: categories[0].when: unknown operator 'cause': to test the field, "
            "write {field: cause, contains_any: [...]}") in result.output


HEAVY_MODULES = ("pandas", "numpy", "yaml", "xlsxwriter", "python_calamine", "sqlalchemy", "markdown_it")


def test_help_of_every_command_imports_none_of_the_heavy_modules():
    """`backlog --help` and each `backlog COMMAND --help` stay quick: the core's libraries load
    only when a command runs."""
    code = (
        "import contextlib, io, sys\n"
        "import typer\n"
        "from backlog_cli.cli import app\n"
        "group = typer.main.get_command(app)\n"
        f"for args in [[], *({[name.split() for name in command_names()]!r})]:\n"
        "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "        group.main(args=[*args, '--help'], prog_name='backlog', standalone_mode=False)\n"
        "    assert 'Usage: backlog' in out.getvalue(), args\n"
        f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"


def test_help_is_the_same_without_typers_markdown_import():
    """--help imports typer's help renderer with a stand-in for rich.markdown (markdown-it is a
    tenth of its time): every command's help must read as it does with the real module."""
    code = (
        "import contextlib, io, sys\n"
        "if sys.argv[1] == 'real':\n"
        "    import rich.markdown\n"
        "import typer\n"
        "from backlog_cli.cli import app\n"
        "group = typer.main.get_command(app)\n"
        f"for args in [[], *({[name.split() for name in command_names()]!r})]:\n"
        "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "        group.main(args=[*args, '--help'], prog_name='backlog', standalone_mode=False)\n"
        "    print(out.getvalue())\n"
        "print('markdown_it' in sys.modules)\n"
    )
    env = {**os.environ, "COLUMNS": "100"}
    helps = {how: subprocess.run([sys.executable, "-c", code, how], capture_output=True, text=True, env=env)
             for how in ("real", "stand-in")}
    assert helps["real"].returncode == helps["stand-in"].returncode == 0, helps["stand-in"].stderr
    assert helps["real"].stdout.endswith("True\n") and helps["stand-in"].stdout.endswith("False\n")
    assert "Usage: backlog classify" in helps["stand-in"].stdout
    assert helps["real"].stdout[:-5] == helps["stand-in"].stdout[:-6]


def test_rules_list_shows_every_category_whole_when_piped():
    """One row per category: no label is cut, however many categories a ruleset has."""
    from backlog_cli.rules import list_bundled

    result = run("rules", "list")
    assert result.exit_code == 0 and "…" not in result.stdout
    for b in list_bundled():
        for c in b.categories:
            assert re.search(rf"│ {re.escape(b.name)} +│ {re.escape(c.id)} +│ {re.escape(c.label)} +│", result.stdout), c.id


def test_rules_show_lists_the_deadlines_and_how_each_is_counted():
    result = run("rules", "show", "juesheng-2017")
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in result.stdout.splitlines() if line.startswith("│ ") and ("次日起" in line or "届满日" in line)}
    assert rows["legal_limit"][:3] == [
        "法定执行期限", "filed_on 次日起 6 个月（条件 1：3 个月），加 extension_months，加 extension_days，扣除 "
        "suspended_on→resumed_on，有 new_limit 时以其为准；有适用条件",
        "结案，或在届满 5 日前报院长批准延长"]
    assert rows["review_submission"][1] == "legal_limit 届满日 − 1 个月"
    assert rows["over_six_months_report"][1] == "filed_on 次日起 6 个月"
    assert "│ property_requery " in result.stdout and "closed_on 起每 6 个月，共 5 年" in result.stdout
    # the files it was read from, where they are (a clerk copies one to start a file of their own)
    sources = [line.removeprefix("from ") for line in result.stdout.splitlines() if line.startswith("from ")]
    assert [Path(p).name for p in sources] == ["sanqingli-2016.yaml", "default.yaml", "juesheng-2017.yaml"]
    assert all(Path(p).is_absolute() and Path(p).is_file() for p in sources)
    listed = run("rules", "list")
    assert "类别数" in listed.stdout and "期限数" in listed.stdout
    assert re.search(r"│ county-seven +│ [^│]+│ +8 │ +6 │", listed.stdout)
    assert re.search(r"│ sanqingli-2016 +│ [^│]+│ +4 │ +3 │", listed.stdout)


def test_rules_show_of_a_file_without_a_description_heads_it_by_its_name(tmp_path):
    """A file that neither describes itself nor extends one that does is headed by its name alone:
    it was headed 本院: with nothing after the colon."""
    rules = tmp_path / "本院.yaml"
    rules.write_text("version: 1\ncategories:\n  - id: big\n    label: 大额\n    when: {field: amount, gte: 1000000}\n",
                     encoding="utf-8")
    result = run("rules", "show", str(rules))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "本院"
    assert run("rules", "show", "default").stdout.splitlines()[0].startswith("default: 默认：")


def test_settings_read_a_numeric_sheet_name_as_a_name(tmp_path):
    from backlog_cli.config import load_config

    path = tmp_path / "backlog.yaml"
    path.write_text("ledger: 台帐.xlsx\nsheets: [2024, 汇总]\n", encoding="utf-8")
    config = load_config(path)
    assert config.sheets == ["2024", "汇总"]
    assert config.ledger == [tmp_path / "台帐.xlsx"]


def test_an_as_of_after_today_is_warned_about(tmp_path):
    import datetime as dt

    ledger = tmp_path / "l.csv"
    ledger.write_text("案号,立案日期\n(2025)鲁0902执9号,2025/1/2\n", encoding="utf-8")
    today = dt.date.today()
    later = today + dt.timedelta(days=40)
    result = run("classify", ledger, "--as-of", later.isoformat(), "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        f"warning: --as-of {later} is after today ({today}): the ledger holds what is known today, so a case filed "
        "or closed from today until then is not counted (dates typed after today are typing slips, rejected or "
        "warned about apart)")
    result = run("classify", ledger, "--as-of", today.isoformat(), "-f", "csv")
    assert "after today" not in result.stderr


def test_a_ledger_named_in_the_settings_that_is_missing_names_the_setting(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "backlog.yaml").write_text("ledger: samples/ledger.xlsx\n", encoding="utf-8")
    result = run("classify", "--as-of", "2026-01-01")
    assert result.exit_code == 2
    assert result.output == ("backlog: error: samples/ledger.xlsx: no such file (the ledger named by `ledger:` in "
                             "backlog.yaml; correct that setting)\n")  # both as typed, from the settings' folder


@pytest.mark.parametrize("setting, commands", [
    ("columns: [别名/cols.yaml]", ["classify", "assign", "diff", "run"]),
    ("rules: [default, 规则.yaml]", ["classify", "overdue --days 180", "diff", "run"]),
    ("targets: 任务.yaml", ["assign", "rank", "run"]),
])
def test_a_file_named_in_the_settings_that_is_missing_names_the_setting_and_its_line(tmp_path, monkeypatch, setting,
                                                                                      commands):
    """A column aliases, rules or targets file the settings name and that does not exist is said at
    the setting's line, as written there (the readers named it by its whole path, without the line)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "l.csv").write_text("案号,立案日期\n(2025)鲁0902执9号,2025/1/2\n", encoding="utf-8")
    (tmp_path / "backlog.yaml").write_text(f"ledger: l.csv\n{setting}\n", encoding="utf-8")
    key, named = setting.split(": ")
    shown = named.strip("[]").split(", ")[-1]
    for command in commands:
        result = run(*command.split(), "--as-of", "2026-01-01")
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr == (f"backlog: error: backlog.yaml:2: {key}: {shown} does not exist (correct that "
                                 "setting)\n"), command


def test_rules_check_merges_several_files_as_repeated_rules_do(tmp_path):
    layer = tmp_path / "layer.yaml"
    layer.write_text("version: 1\ncategories:\n  - {id: big, label: 大额民生, when: {all: [{category: minsheng}, "
                     "{field: amount, gt: 1000000}]}}\n", encoding="utf-8")
    alone = run("rules", "check", layer)
    assert alone.exit_code == 2
    assert "unknown category 'minsheng'" in alone.output
    merged = run("rules", "check", "default", layer)
    assert merged.exit_code == 0, merged.output
    assert merged.output == f"ok: default + {layer}: 10 categories, 6 deadlines\n"


def test_absent_columns_turn_the_missing_column_warning_into_a_note(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "l.csv").write_text("案号,立案日期,结案日期,承办人\n(2025)鲁0902执9号,2025/1/2,,张三\n", encoding="utf-8")
    (tmp_path / "backlog.yaml").write_text("ledger: l.csv\nabsent_columns: [备注]\n", encoding="utf-8")
    result = run("classify", "--as-of", "2026-01-01", "-f", "csv")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if "备注" in line]
    assert notes == ["note: the ledger has no 备注 column (notes), so every case reads it as blank; this affects "
                     "categories xinfang, minsheng, wages, key (absent_columns: not kept in this ledger)"]
    assert any(line.startswith("warning: the ledger has no 是否涉信访 column") for line in result.stderr.splitlines())


def test_the_starter_settings_mention_every_setting():
    from backlog_cli.config import KEYS, STARTER

    assert [key for key in KEYS if f"# {key}:" not in STARTER and f"\n{key}:" not in STARTER] == []


def test_absent_columns_cannot_silence_the_close_date_and_a_stale_name_is_noted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "l.csv").write_text("案号,立案日期,备注\n(2025)鲁0902执9号,2025/1/2,\n", encoding="utf-8")
    (tmp_path / "backlog.yaml").write_text("ledger: l.csv\nabsent_columns: [结案日期]\n", encoding="utf-8")
    refused = run("classify", "--as-of", "2026-01-01", "-f", "csv")
    assert refused.exit_code == 2
    assert refused.output == ("backlog: error: backlog.yaml:2: absent_columns: the close date "
                              "(closed_on) cannot be absent: without it every case counts as open; add the ledger's "
                              "close-date column instead\n")
    (tmp_path / "backlog.yaml").write_text("ledger: l.csv\nabsent_columns: [备注]\n", encoding="utf-8")
    result = run("classify", "--as-of", "2026-01-01", "-f", "csv")
    assert result.exit_code == 0
    assert "note: absent_columns names notes, but the ledger has that column: the setting can go" in result.stderr


@pytest.mark.parametrize(("text", "where"), [
    ("rules: default\noutput_dir: out\nrules: county-seven\n", "3: 'rules' is set twice (also on line 1)"),
    ("output_dir: out\ntargets:\n  张三: 3\n  张三: 5\n", "4: '张三' is set twice (also on line 3)"),
])
def test_a_key_given_twice_is_named_with_both_lines(tmp_path, monkeypatch, text, where):
    """YAML keeps the later of two equal keys without a word (a setting, an officer's target); the
    settings say so instead."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "backlog.yaml").write_text(text, encoding="utf-8")
    result = run("run")
    assert result.exit_code == 2, result.output
    assert result.output == f"backlog: error: backlog.yaml:{where}: keep one\n"


@pytest.mark.parametrize(("option", "text", "where"), [
    ("--targets", "张三: 3\n李四: 2\n张三: 5\n", "3: '张三' is set twice (also on line 1)"),
    ("--columns", "fields:\n  case_no:\n    aliases: [执行案件号]\n  judge_team:\n    kind: text\n"
                  "    aliases: [合议庭]\n  case_no:\n    aliases: [案件号码]\n", "7: 'case_no' is set twice (also on line 2)"),
    ("--columns", "fields:\n  petitions:\n    kind: text\n    aliases: [信访次数]\n    kind: number\n",
     "5: 'kind' is set twice (also on line 3)"),
])
def test_a_key_given_twice_in_a_targets_or_columns_file_is_named_with_both_lines(tmp_path, option, text, where):
    """Targets and column aliases files are read as the settings are: the later of two equal keys
    is not kept without a word."""
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("案号,立案日期,承办人\n(2025)鲁0902执1号,2025-01-02,张三\n", encoding="utf-8")
    named = tmp_path / "named.yaml"
    named.write_text(text, encoding="utf-8")
    result = run("assign", ledger, option, named, "--as-of", "2026-01-01", "-f", "csv")
    assert result.exit_code == 2, result.output
    assert result.output == f"backlog: error: {named}:{where}: keep one\n"


def test_an_output_open_in_excel_on_windows_is_named_as_such_and_left_whole(tmp_path, monkeypatch):
    """Windows refuses to replace a workbook Excel or WPS holds open (PermissionError), with
    their lock file beside it: the message says so, the old file stays and no temp file is left."""
    out = tmp_path / "底数.xlsx"
    out.write_bytes(b"yesterday's workbook")
    (tmp_path / "~$底数.xlsx").write_bytes(b"\x05clerk")
    hold_open(monkeypatch, out)
    result = run("classify", ROOT / "samples" / "ledger.xlsx", "--as-of", "2026-11-23", "-o", out)
    assert result.exit_code == 2, result.output
    assert (f"cannot write {out}: Permission denied (it is open in Excel or WPS: close it there and run "
            "again); none of the output's files was changed") in " ".join(result.output.split())
    assert out.read_bytes() == b"yesterday's workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["~$底数.xlsx", "底数.xlsx"]
    (tmp_path / "~$底数.xlsx").unlink()  # no lock file: a plain refusal, no guess
    result = run("classify", ROOT / "samples" / "ledger.xlsx", "--as-of", "2026-11-23", "-o", out)
    assert result.exit_code == 2 and "Permission denied" in result.output and "Excel" not in result.output


@pytest.mark.parametrize("side", ["errors", "categories"])
def test_an_output_s_files_are_replaced_together_or_not_at_all(tmp_path, monkeypatch, side):
    """A workbook and its errors file, a CSV report and the tables beside it: when one of them
    cannot be replaced (open in Excel on Windows, read-only), none is, and the message names it;
    they used to be replaced one by one, the command failing with the earlier ones new."""
    ledger = ROOT / "samples" / "ledger.xlsx"
    if side == "errors":
        args, out = ["classify", ledger, "-o", tmp_path / "t.xlsx"], tmp_path / "t.xlsx"
    else:
        args, out = ["report", "monthly", ledger, "-o", tmp_path / "m.csv"], tmp_path / "m.csv"
    assert run(*args, "--as-of", "2026-11-23").exit_code == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    blocked = tmp_path / f"{out.stem}.{side}.csv"
    assert blocked.name in before and len(before) >= 2
    hold_open(monkeypatch, blocked)
    result = run(*args, "--as-of", "2026-11-20")
    assert result.exit_code == 2, result.output
    assert (f"cannot write {blocked}: Permission denied; none of the output's files was changed"
            in " ".join(result.output.split()))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no temporary file left either


def test_an_empty_category_and_init_into_a_folder_are_refused_plainly(tmp_path):
    """--category '' (a variable left unset) was passed over, listing every case; init
    naming a folder advised --force, which then failed (sample -o DIR says what it writes)."""
    result = run("classify", ROOT / "samples" / "ledger.xlsx", "--as-of", "2026-11-23", "--category", "")
    assert result.exit_code == 2 and "--category: an empty name (in a script, is a variable unset?)" in result.output
    (tmp_path / "dd").mkdir()
    for args in (["init", tmp_path / "dd"], ["init", "--force", tmp_path / "dd"]):
        result = run(*args)
        assert result.exit_code == 2 and f"{tmp_path / 'dd'} is a folder: give a file name" in result.output, args


def test_outputs_of_a_ledger_with_columns_kept_as_typed_are_told_apart_and_a_ledger_is_not(tmp_path):
    """A ledger's own column (执行助理) goes into the lists of cases under its Chinese header, and a
    ledger may have a column named as an output's (change): each file is judged by its whole header."""
    from backlog_cli.workbook import is_output

    ledger = tmp_path / "台帐.csv"
    ledger.write_text("案号,立案日期,承办人,结案日期,执行助理,change\n(2025)鲁0902执9号,2025/1/2,张三,,李红,\n"
                      "(2025)鲁0902执10号,2025/3/2,李四,2026/2/3,王刚,\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    for command, options in ((["classify"], ["-o", out / "底数.csv"]), (["overdue"], ["--months", "6", "-o", out / "超期.csv"]),
                             (["assign"], ["-o", out / "任务.csv"]), (["report", "monthly"], ["-o", out / "月报.csv"])):
        result = run(*command, ledger, *options, "--as-of", "2026-03-01")
        assert result.exit_code == 0, (command, result.output)
    written = sorted(out.glob("*.csv"))
    assert len(written) >= 4 and "执行助理" in (out / "底数.csv").read_text(encoding="utf-8").splitlines()[0]
    assert [p.name for p in written if not is_output(p)] == [] and not is_output(ledger)
    assert run("classify", ledger, "--as-of", "2026-03-01").exit_code == 0


def test_the_ledger_and_sheets_named_and_a_day_given_as_the_commands_read_them(capsys):
    """ledger_source: the ledger files and sheets named on the command line, else the settings'
    (no sheets: None, every sheet), the encoding given, else the settings' (said to be set in the
    settings file), the columns files given before the settings', the settings' files shown from
    their folder; the nightly run reads the settings' as a command given no options does, but
    takes no --encoding. given_day: a day in any of its forms, none when not given, one after
    today not warned about (the command bounds or refuses it itself)."""
    import datetime as dt

    from backlog_cli.cli import given_day
    from backlog_cli.config import Config, ledger_source

    settings = Config(path=Path("s/backlog.yaml"), ledger=[Path("台帐.xlsx")], sheets=["2026年"], encoding="gbk",
                      columns=[Path("c.yaml")])
    own = ledger_source(settings)
    assert (own.paths, own.sheets, own.encoding, own.columns) == ([Path("台帐.xlsx")], ["2026年"], "gbk", [Path("c.yaml")])
    assert (own.encoding_set_in, own.shown_from, own.encoding_option) == (Path("s/backlog.yaml"), Path("s"), True)
    given = ledger_source(settings, [Path("a.csv")], ["未结"], "utf-8", [Path("d.yaml")])
    assert (given.paths, given.sheets, given.encoding) == ([Path("a.csv")], ["未结"], "utf-8")
    assert (given.columns, given.encoding_set_in, given.shown_from) == ([Path("d.yaml"), Path("c.yaml")], None, None)
    plain = ledger_source(Config(), [Path("a.csv")])
    assert (plain.paths, plain.sheets, plain.encoding, plain.columns) == ([Path("a.csv")], None, None, [])
    nightly = ledger_source(settings, encoding_option=False)
    assert nightly.encoding_option is False and (nightly.paths, nightly.encoding_set_in) == (own.paths, own.encoding_set_in)
    assert given_day(None) is None
    assert given_day("2026年11月23日") == given_day("20261123") == dt.date(2026, 11, 23)
    assert given_day("2099-01-01", "--since") == dt.date(2099, 1, 1) and capsys.readouterr().err == ""
    with pytest.raises(typer.BadParameter, match="--since"):
        given_day("23/11/2026", "--since")
