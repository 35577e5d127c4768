"""Mistakes of a hand-written rules, targets or settings file: each is said in YAML's words (true, nothing,
an empty text, the number as typed) at its line, and none is taken silently."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from backlog_cli.cli import app
from backlog_cli.rules import bundled_rules_dir
from conftest import SAMPLE_AS_OF, SAMPLES

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def check(tmp_path, text: str):
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    return path, run("rules", "check", path)


def test_a_target_that_is_not_a_number_is_said_in_yaml_words(tmp_path):
    targets = tmp_path / "t.yaml"
    targets.write_text("张三: true\n李四: ~\n王五: 1.5\nshare: yes\n", encoding="utf-8")
    result = run("assign", SAMPLES / "ledger.xlsx", "--targets", targets, "--as-of", SAMPLE_AS_OF)
    assert result.exit_code == 2
    whole = "target must be a whole number from 0 to 10000"
    assert result.output == (f"backlog: error: {targets}:1: 张三: {whole}, got true; line 2: 李四: {whole}, got nothing; "
                             f"line 3: 王五: {whole}, got 1.5; line 4: 'share' must be a number above 0 and at most 1, "
                             "got true\n")


CATEGORY = "version: 1\ncategories:\n  - id: a\n    label: A\n"


@pytest.mark.parametrize(("lines", "message"), [
    ("    priority: 1.5\n    when: {open: true}\n", "5:15: categories[0].priority: priority must be a whole number, got 1.5"),
    ("    when: {field: notes, matches: ''}\n",
     "5:35: categories[0].when.matches: expected a regular expression, got an empty text"),
    ("    when: {field: '', contains_any: [x]}\n", "5:19: categories[0].when.field: expected a field name, got an empty text"),
    ("    when: {field: notes, equals: true}\n", "5:34: categories[0].when.equals: expected text, got true"),
])
def test_a_wrong_value_is_said_as_it_was_typed(tmp_path, lines, message):
    path, result = check(tmp_path, CATEGORY + lines)
    assert result.exit_code == 2
    assert result.output == f"backlog: error: 1 problem in rules:\n  {path}:{message}\n"


def test_a_number_written_with_an_exponent_is_that_number(tmp_path):
    def classify(bound):
        rules = tmp_path / f"{bound}.yaml"
        rules.write_text(f"version: 1\ncategories:\n  - {{id: big, label: 大额, when: {{field: amount, gt: {bound}}}}}\n",
                         encoding="utf-8")
        result = run("classify", SAMPLES / "ledger.csv", "--rules", rules, "--as-of", SAMPLE_AS_OF, "-f", "csv")
        assert result.exit_code == 0, result.output
        return result.stdout

    written = classify("1e6")
    assert written == classify("1000000") == classify("1.0e+6")
    assert ",big," in written and written != classify("1e9")


def test_explain_says_whole_amounts_and_bounds_without_a_decimal_point(tmp_path):
    """A bound written 1e6 and an amount of 362900 are said as such, not as 1000000.0 and 362900.0;
    an amount with cents keeps them."""
    rules = tmp_path / "big.yaml"
    rules.write_text("version: 1\ncategories:\n  - {id: big, label: 大额, when: {field: amount, gt: 1e6}}\n"
                     "  - {id: small, label: 小额, when: {field: amount, lt: 2.5e3}}\n", encoding="utf-8")
    result = run("explain", "(2023)鲁0902执1006号", SAMPLES / "ledger.csv", "--rules", rules, "--as-of", SAMPLE_AS_OF)
    assert result.exit_code == 0, result.output
    assert "✗ amount = 362900, gt: 1000000\n" in result.output
    assert "✗ amount = 362900, lt: 2500\n" in result.output
    cents = run("explain", "(2015)泰执字第01001号", SAMPLES / "ledger.csv", "--rules", rules, "--as-of", SAMPLE_AS_OF)
    assert "amount = 1316797.73, gt: 1000000\n" in cents.output


@pytest.mark.parametrize(("when", "column", "shown"), [
    ("{field: filed_on, gt: 2020-01-01T10:00:00}", 33, "2020-01-01 10:00:00"),
    ("{field: filed_on, before: 2020-01-01 10:00:00}", 37, "2020-01-01 10:00:00"),
    ("{field: filed_on, between: [2020-01-01, 2021-01-01 08:30:00]}", 38, "2021-01-01 08:30:00"),
])
def test_a_date_with_a_time_is_refused_at_its_line(tmp_path, when, column, shown):
    path, result = check(tmp_path, CATEGORY + f"    when: {when}\n")
    assert result.exit_code == 2
    assert result.output == (
        f"backlog: error: 1 problem in rules:\n  {path}:5:{column}: categories[0].when.{when[18:when.index(':', 18)]}: "
        f"expected a date such as 2008-01-01, got a date and time ({shown}): the dates of rules are days; "
        "leave out the time\n")


def test_a_fixed_due_date_with_a_time_is_refused(tmp_path):
    path, result = check(tmp_path, "version: 1\nextends: default\ndeadlines:\n"
                                   "  - {id: audit, label: 评查, due_on: 2026-12-01 09:00:00}\n")
    assert result.exit_code == 2
    assert f"{path}:4:36: deadlines[0].due_on: expected a date such as 2008-01-01, got a date and time" in result.output


def test_a_deducted_period_written_backwards_is_refused(tmp_path):
    path, result = check(tmp_path, "version: 1\nextends: default\ndeadlines:\n"
                                   "  - id: review\n    label: 审查\n    duration: 6 months\n    deduct:\n"
                                   "      - {from: resumed_on, to: suspended_on}\n"
                                   "      - {from: closed_on, to: filed_on}\n")
    assert result.exit_code == 2
    assert result.output == (
        "backlog: error: 2 problems in rules:\n"
        f"  {path}:8:9: deadlines[0].deduct[0]: the period runs backwards: a case's suspended_on comes before its "
        "resumed_on, so it would deduct nothing; write {from: suspended_on, to: resumed_on}\n"
        f"  {path}:9:9: deadlines[0].deduct[1]: the period runs backwards: a case's filed_on comes before its "
        "closed_on, so it would deduct nothing; write {from: filed_on, to: closed_on}\n")


@pytest.mark.parametrize("pattern", ["(?i)", ".*", "a*", "|", "(?:执行)?"])
def test_a_pattern_found_in_every_value_is_refused_at_its_line(tmp_path, pattern):
    path, result = check(tmp_path, CATEGORY + f"    when: {{field: notes, matches: '{pattern}'}}\n")
    assert result.exit_code == 2
    assert result.output == (
        f"backlog: error: 1 problem in rules:\n  {path}:5:35: categories[0].when.matches: the pattern {pattern!r} "
        "matches an empty text, so it is found in every value that is present: make it need at least one "
        "character (.+ rather than .*)\n")


@pytest.mark.parametrize("pattern", [r"^\d*$", "^(?!.*已结)", "a*\\b", "(?i)执行"])
def test_a_pattern_an_assertion_confines_is_taken(tmp_path, pattern):
    _, result = check(tmp_path, CATEGORY + f"    when: {{field: notes, matches: '{pattern}'}}\n")
    assert result.exit_code == 0, result.output



NAMED = "version: 1\ncategories:\n  - id: a\n"


@pytest.mark.parametrize(("lines", "message"), [
    ("    label: !!seq 超期\n", "4:12: invalid YAML: expected a sequence node, but found scalar"),
    ("    label: A\n    when: !!map [open]\n", "5:11: invalid YAML: expected a mapping node, but found sequence"),
    ("    label: A\n    priority: !!int high\n", "5:15: invalid YAML: 'high' is not a whole number"),
    ("    label: A\n    priority: 0x_\n", "5:15: invalid YAML: '0x_' is not a whole number"),
    ("    label: A\n    when: {field: amount, gt: ._e5}\n", "5:31: invalid YAML: '._e5' is not a number"),
    ("    label: A\n    when: {open: !!bool maybe}\n", "5:18: invalid YAML: 'maybe' is not true or false"),
    ('    label: "\\ud800"\n', "4:12: invalid YAML: '\\ud800' is half of a character (a UTF-16 surrogate) and no "
                                "character alone: write the character itself"),
])
def test_a_value_yaml_cannot_make_is_invalid_yaml_at_its_line(tmp_path, lines, message):
    """A value tagged as what it is not, a number PyYAML takes for one and Python does not, or half
    of a character escaped alone stopped the command with an internal error (exit 70)."""
    path, result = check(tmp_path, NAMED + lines)
    assert result.exit_code == 2
    assert result.output == f"backlog: error: 1 problem in rules:\n  {path}:{message}\n"


def test_a_character_escaped_as_two_halves_is_that_character(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(NAMED + '    label: "\\ud83d\\ude00 超期"\n    when: {open: true}\n', encoding="utf-8")
    result = run("rules", "show", path)
    assert result.exit_code == 0, result.output
    assert "😀 超期" in result.output


@pytest.mark.parametrize(("lines", "message"), [
    ("version: 1\ncategories:\n  - id: a\n    label: A\n    when: {field: notes, matches: 'a{99999999999}'}\n",
     "5:35: categories[0].when.matches: invalid regular expression 'a{99999999999}': the repetition number is too large"),
    ("version: 1\ncategories:\n  - id: a\n    label: A\n    when: {field: notes, matches: '" + "(" * 1000 + "a"
     + ")" * 1000 + "'}\n", "5:35: categories[0].when.matches: invalid regular expression '" + "(" * 1000 + "a"
     + ")" * 1000 + "': its groups are nested too deeply"),
    ("version: 1\ncategories:\n  - id: a\n    label: A\n    when: {older_than: 2026-01-01}\n",
     "5:24: categories[0].when.older_than: expected a length such as '6 months', '180 days' or '1 year', got a date"),
    ("version: 2026-01-01\ncategories: []\n", "1:10: version: unsupported version a date; expected 1"),
    ("version: 1\ncategories:\n  - id: a\n    label: A\n    when: {case_type: [{x: 1}]}\n",
     "5:23: categories[0].when.case_type: unknown case type a mapping; known: 执, 执恢, 执保, 执异, 执复, 执监, 执协, 执他, "
     "财保, 行审, 行审复"),
    ("version: 1\nextends: " + "x" * 300 + ".yaml\n", "2:10: extends: no rules file or bundled ruleset '" + "x" * 300
     + ".yaml' (bundled: campaign-2008, county-seven, default, juesheng-2017, sanqingli-2016)"),
])
def test_a_value_a_check_could_not_take_is_said_at_its_line(tmp_path, lines, message):
    """A pattern Python's re refuses with another error than re.error, a date where a length goes, a
    mapping for a case type and a file name too long for the file system stopped the command with an
    internal error or said the value as Python writes it (datetime.date(2026, 1, 1), {'x': 1})."""
    path, result = check(tmp_path, lines)
    assert result.exit_code == 2
    assert result.output == f"backlog: error: 1 problem in rules:\n  {path}:{message}\n"


@pytest.mark.parametrize(("text", "message"), [
    ("ledger: ledger.csv\nreport_day: 0x_\n", "backlog.yaml:2:13: not valid YAML ('0x_' is not a whole number)"),
    ("ledger: ledger.csv\nhistory: !!float h.sqlite\n", "backlog.yaml:2:10: not valid YAML ('h.sqlite' is not a number)"),
    ('ledger: "\\udcff.csv"\n', "backlog.yaml:1:9: not valid YAML ('\\udcff' is half of a character (a UTF-16 "
                                "surrogate) and no character alone: write the character itself)"),
    ("ledger: ledger.csv\nhistory: a\0b\n", "backlog.yaml:2: not a text file: it holds the character #x0000, which "
                                             "YAML text may not (a settings file is UTF-8 text, not a binary file)"),
    ('ledger: ledger.csv\nencoding: "utf-8\\0"\n', "backlog.yaml:2: 'encoding': unknown encoding 'utf-8\0' (did you "
                                                   "mean 'utf-8'?); a Chinese ledger's CSV is in utf-8, gb18030, gbk, "
                                                   "gb2312 or utf-16"),
    ("ledger: ledger.csv\nencoding: undefined\n", "backlog.yaml:2: 'encoding': 'undefined' is not a text encoding; a "
                                                 "Chinese ledger's CSV is in utf-8, gb18030, gbk, gb2312 or utf-16"),
])
def test_a_settings_value_yaml_or_python_cannot_take_is_said_at_its_line(tmp_path, monkeypatch, text, message):
    """The settings file's like mistakes stopped the command with an internal error (exit 70), and a
    character YAML text may not hold was said without its line."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    (tmp_path / "ledger.csv").write_bytes((SAMPLES / "ledger.csv").read_bytes())
    (tmp_path / "backlog.yaml").write_text(text, encoding="utf-8")
    result = run("run", "--as-of", SAMPLE_AS_OF)
    assert result.exit_code == 2
    assert result.output == f"backlog: error: {message}\n"


DEFAULT = yaml.safe_load((bundled_rules_dir() / "default.yaml").read_text(encoding="utf-8"))
DROP = object()  # the key left out
ODD = [DROP, None, [], {}, [None], 0, -1, 10**30, 1.5, float("nan"), float("-inf"), "", "x" * 300, "字段", True,
       dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.datetime(2020, 1, 1, 10), "2026-02-30", "-1 month", "1000 years",
       "legal_limit", "filed_on", {"all": []}, {"not": None}, [1, "a"], {"field": "cause", "contains_anyy": ["x"]}]


def _places(node, path=()):
    """The path of every value in a parsed YAML document under a key, and of every list item that
    is a mapping (not the keywords of a list: the structure, not the words)."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        if isinstance(node, dict) or isinstance(value, dict):
            yield (*path, key)
        yield from _places(value, (*path, key))


def _mangled(changes) -> dict:
    doc = yaml.safe_load(yaml.safe_dump(DEFAULT, allow_unicode=True))
    for path, value in changes:
        parent = doc
        for key in path[:-1]:
            parent = parent[key] if isinstance(parent, (dict, list)) and _has(parent, key) else None
        if parent is None or not _has(parent, path[-1]):
            continue  # a value replaced already
        if value is DROP:
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
    return doc


def _has(node, key) -> bool:
    return key in node if isinstance(node, dict) else isinstance(key, int) and key < len(node)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(list(_places(DEFAULT))), st.sampled_from(ODD)), min_size=1, max_size=3))
def test_a_mangled_ruleset_is_refused_in_located_lines_never_with_a_traceback(changes):
    """Values of the bundled default ruleset replaced by values of other kinds, or left out: the
    rules are taken (exit 0), or every problem is said at its file, line and column (exit 2)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.yaml"
        path.write_text(yaml.safe_dump(_mangled(changes), allow_unicode=True, sort_keys=False), encoding="utf-8")
        result = run("rules", "check", path)
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for leak in ("internal error", "Traceback", "NoneType", "datetime.", "object at 0x", "<class"):
        assert leak not in result.output
    if result.exit_code == 2:
        head, *problems = result.output.splitlines()
        assert re.fullmatch(r"backlog: error: \d+ problems? in rules:", head), result.output
        assert problems and all(re.match(r"  \S.*?:\d+:\d+: ", line) for line in problems), result.output
