"""`--help` names every value in words (FILE, FILE..., N, DATE), never a Python type (<bool>, <list[Path]>)."""

import re

import pytest
import typer
from typer.testing import CliRunner

from backlog_cli.cli import app

runner = CliRunner()


def every_command(group=None, path=()) -> list[tuple[str, ...]]:
    """Every command and group of the app as the words typed after `backlog` (the app itself: ())."""
    group = group or typer.main.get_command(app)
    paths = [path]
    for name, command in group.commands.items():
        paths += every_command(command, (*path, name)) if getattr(command, "commands", None) else [(*path, name)]
    return paths


def help_of(path: tuple[str, ...]) -> str:
    result = runner.invoke(app, [*path, "--help"], prog_name="backlog", env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    return result.stdout


def row(help_text: str, first: str) -> list[str]:
    """The words of the --help row that starts with ``first`` (an option or an argument's name),
    the row's required mark (*) left out."""
    for line in help_text.splitlines():
        words = [w for w in line.strip("│ ").split() if w != "*"]
        if words[:1] == [first]:
            return words
    raise AssertionError(f"no row {first!r} in:\n{help_text}")


def test_the_commands_are_found_from_the_app():
    assert {" ".join(p) for p in every_command()} == {
        "", "classify", "explain", "overdue", "inspect", "init", "sample", "run", "history", "diff", "rank", "assign",
        "rules", "rules list", "rules show", "rules check", "report", "report monthly"}


@pytest.mark.parametrize("path", every_command(), ids=lambda p: " ".join(p) or "backlog")
def test_no_help_shows_a_python_type(path):
    text = help_of(path)
    assert re.findall(r"<[^<>\s]+>", text) == []
    assert row(text, "--help")[1:4] == ["Show", "this", "message"]  # the flag takes no value: no word after it


def test_the_ledger_argument_says_it_takes_files():
    readers = [p for p in every_command() if "LEDGER]..." in help_of(p)]
    assert {" ".join(p) for p in readers} == {
        "classify", "explain", "overdue", "inspect", "rank", "assign", "report monthly"}
    for path in readers:
        assert row(help_of(path), "LEDGER")[1:3] == ["FILE...", "Ledger"], path


def test_an_argument_named_for_its_value_says_it_once():
    assert row(help_of(("init",)), "FILE")[1:3] == ["Where", "to"]  # one FILE, no <path>
    assert row(help_of(("rules", "check")), "FILE")[1:3] == ["FILE...", "The"]  # several files
    assert row(help_of(("explain",)), "CASE")[1:3] == ["The", "case"]  # text: its name says what it is
    assert row(help_of(("rules", "show")), "NAME|FILE")[1:3] == ["A", "bundled"]


def test_options_keep_their_metavars_and_flags_show_none():
    text = help_of(("sample",))
    assert row(text, "--seed")[1:3] == ["N", "Random"]
    assert row(text, "--as-of")[1:3] == ["DATE", "The"]
    assert row(text, "--clean")[1:3] == ["No", "deliberately"]
    assert row(help_of(()), "--version")[1:3] == ["Show", "the"]
