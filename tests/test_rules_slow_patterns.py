"""A hand-written matches: pattern that backtracks without end on a long cell ((x+x+)+y): stopped
after the rules' time for it, said at its line with exit 2, never hung on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest
from typer.testing import CliRunner

from backlog_cli import history, rules
from backlog_cli.cli import app
from conftest import SAMPLES, SAMPLE_AS_OF

# A rules file whose one category would search the notes for hours: (x+x+)+y tries every way of
# splitting a run of x, and the prefilter lets the value through, as it holds a y.
SLOW_RULES = "version: 1\ncategories:\n  - id: slow\n    label: 慢\n    when: {field: notes, matches: '(x+x+)+y'}\n"
LONG_NOTE = "y" + "x" * 2000

# Run in a child process: a search that hangs holds the interpreter, so only killing the process
# stops it. The budget is cut to half a second to keep the test quick.
SCRIPT = textwrap.dedent("""
    import json, sys, time
    from typer.testing import CliRunner
    from backlog_cli import rules
    from backlog_cli.cli import app
    rules.MATCH_SECONDS = 0.5
    out = []
    for args in json.loads(sys.argv[1]):
        start = time.monotonic()
        result = CliRunner().invoke(app, args)
        out.append({"code": result.exit_code, "stderr": result.stderr, "seconds": time.monotonic() - start})
    print(json.dumps(out))
""")


def run_commands(*commands: list[str], cwd) -> list[dict]:
    try:
        proc = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(commands)], cwd=cwd, capture_output=True,
                              text=True, timeout=120, env={k: v for k, v in os.environ.items() if k != "BACKLOG_CONFIG"})
    except subprocess.TimeoutExpired:
        pytest.fail("backlog hung on a pattern that backtracks without end")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def ledger_with_a_long_note(folder) -> str:
    """The sample CSV ledger with a long note on its first case."""
    lines = (SAMPLES / "ledger.csv").read_bytes().decode("gb18030").splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + "," + LONG_NOTE
    (folder / "ledger.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "ledger.csv"


def test_a_pattern_that_backtracks_without_end_stops_each_command_at_its_line(tmp_path):
    ledger = ledger_with_a_long_note(tmp_path)
    (tmp_path / "slow.yaml").write_text(SLOW_RULES, encoding="utf-8")
    (tmp_path / "backlog.yaml").write_text(f"ledger: {ledger}\nrules: slow.yaml\noutput_dir: out\n", encoding="utf-8")
    case = (tmp_path / ledger).read_text(encoding="utf-8").splitlines()[1].split(",")[1]
    classify, explain, run = run_commands(
        ["classify", ledger, "--rules", "slow.yaml", "--as-of", SAMPLE_AS_OF, "-o", "out.xlsx"],
        ["explain", case, ledger, "--rules", "slow.yaml", "--as-of", SAMPLE_AS_OF],
        ["run", "--config", "backlog.yaml", "--as-of", SAMPLE_AS_OF, "--quiet"], cwd=tmp_path)
    said = ("backlog: error: 1 problem in rules:\n  slow.yaml:5:35: categories[0].when.matches: the pattern "
            "'(x+x+)+y' took more than 0.5 seconds searching the field notes and was stopped (on a value of 2,001 "
            "characters): "
            "a repetition inside another, or beside one that can match the same text, makes it try every way of "
            "splitting a long text; write it without nested repetition, or make the inner part an atomic group "
            "(?>...) or possessive (.++, \\w*+)\n")
    for result in (classify, explain, run):
        assert result["code"] == 2, result
        assert result["stderr"].endswith(said), result["stderr"]
        assert result["seconds"] < 30, result  # the sample's load and the half second, on a busy machine
        assert "Traceback" not in result["stderr"]
    assert not (tmp_path / "out.xlsx").exists()
    # the nightly run wrote no day's folder, recorded no run, and left no lock or partial folder behind
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["history.sqlite"]
    with history.open_history(tmp_path / "out" / "history.sqlite", read_only=True) as store:
        assert store.list_runs().empty


@pytest.mark.parametrize("pattern, guarded", [
    ("(.+)+y", True), (r"(\w+\s?)+$", True), ("(a|aa)+$", True), (".*a.*b", True), (r"(\d)\1", True),
    ("(?x) (?:甲乙|乙)+ 丙", True),
    ("人民政府$", False), ("(村民|居民)委员会$", False), (r"\d{4}年", False), (r"(?:\d{2})+号", False),
    (".*已结", False), ("a++b*", False), ("(?>a+)b", False), ("[省市县]委(?![托员会])", False),
])
def test_which_patterns_can_backtrack(pattern, guarded):
    """A pattern that can take more than the square of a text's length is searched with a time limit."""
    assert rules.can_backtrack(pattern) is guarded
    assert rules.Search(pattern).guarded is guarded


def test_a_guarded_search_finds_what_re_finds():
    search = rules.Search(r"(\w+\s?)+$")
    assert search.found(["ab cd", "ab cd!", "!"]) == [True, False, False]
    assert search.first("x ab cd") == "x ab cd"
    assert rules.Search("(甲乙|乙)+丙").first("x甲乙乙丙y") == "甲乙乙丙"


def test_the_time_is_one_budget_for_every_search_of_the_pattern(monkeypatch):
    monkeypatch.setattr(rules, "MATCH_SECONDS", 1.5)
    search = rules.Search("(x+x+)+y")
    assert search.found(["xxy", "y"]) == [True, False]
    with pytest.raises(rules.SlowPattern) as slow:
        search.found(["xxy", "y" + "x" * 3000, "xxy"])
    assert slow.value.length == 3001
    assert search.left == 0
    start = time.monotonic()
    with pytest.raises(rules.SlowPattern):  # spent: the next long value has only its own share
        search.found(["y" + "x" * 3000])
    assert time.monotonic() - start < 1.0  # not the 1.5 seconds again


def test_a_pattern_that_can_backtrack_is_not_stopped_for_the_number_of_values(monkeypatch):
    """Each value searched adds to the time: a large ledger's many values of an honest pattern
    that can backtrack (.*a.*b) never spend it, though none was given to start with."""
    monkeypatch.setattr(rules, "MATCH_SECONDS", 0.0)
    search = rules.Search(".*a.*b")
    assert search.found(["xaxb", "xbxa"] * 25_000) == [True, False] * 25_000
    assert search.given == pytest.approx(50_000 * rules.MATCH_SECONDS_PER_VALUE)
    with pytest.raises(rules.SlowPattern) as slow:  # but one long value still stops it
        search.found(["a" * 200_000])  # searched whole it takes well over 8 s
    assert slow.value.length == 200_000 and slow.value.seconds == pytest.approx(50_001 * rules.MATCH_SECONDS_PER_VALUE)


@pytest.mark.filterwarnings("ignore::FutureWarning")  # re's own warning of a possible nested set
def test_a_pattern_the_timed_search_would_read_otherwise_is_refused_at_its_line(tmp_path):
    """[[:foo:]] is a class of [, :, f, o to re, but an unknown POSIX class to the regex module
    that searches a pattern that can backtrack: refused, rather than read two ways."""
    (tmp_path / "posix.yaml").write_text(SLOW_RULES.replace("(x+x+)+y", "([[:foo:]]+)+x"), encoding="utf-8")
    result = CliRunner().invoke(app, ["rules", "check", str(tmp_path / "posix.yaml")])
    assert result.exit_code == 2, result.output
    assert result.stderr.endswith(
        "posix.yaml:5:35: categories[0].when.matches: the pattern '([[:foo:]]+)+x' can backtrack, so it is searched "
        "with a time limit, by a module that reads it otherwise: unknown property at position 9 "
        "(a [ in a class is written \\[)\n"), result.stderr
