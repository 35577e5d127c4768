"""Mistakes of a hand-written rules or targets file: each is said in YAML's words (true, nothing,
an empty text, the number as typed) at its line, and none is taken silently."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from backlog_cli.cli import app
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
