"""The `backlog` command line: parses options, calls the core, prints what it returns.

Heavy modules (pandas and everything that imports it) are imported inside the commands so that
`backlog --help` stays quick.
"""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import io
from enum import Enum
from contextlib import contextmanager, nullcontext
import os
import signal
import stat
import sys
from pathlib import Path, PurePath
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Optional, get_args

import typer
from typer._click.exceptions import BadParameter, MissingParameter, NoArgsIsHelpError, NoSuchOption, UsageError
from typer._click.globals import get_current_context
from typer.core import TyperArgument, TyperCommand, TyperGroup

from backlog_cli import __version__
from backlog_cli.errors import EXIT_INPUT, BacklogError, OptionError, counted, some_of

if TYPE_CHECKING:
    import pandas as pd

    from backlog_cli.assignment import Targets
    from backlog_cli.loading import Columns, Ledger
    from backlog_cli.triage import Triage

EXIT_INTERNAL = 70


EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
EXIT_TERMINATED = 143  # SIGTERM: kill, a cron or systemd timeout (128 + SIGTERM)


class Terminated(KeyboardInterrupt):
    """SIGTERM: the command ends as on Ctrl-C (outputs left whole, the run's lock and partial
    folder removed), with exit code 143."""


def _on_sigterm(signum, frame) -> None:
    """Stop the command as Ctrl-C does; a second SIGTERM during the clean-up is ignored."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated()


def _say(line: str) -> None:
    """One line on stderr (whatever stream is stderr now: the run's log stamps it), with terminal
    escapes taken out when stderr is not a terminal."""
    typer.echo(line, file=sys.stderr)


def _shows_chinese(stream) -> bool:
    """Whether ``stream``'s encoding can write Chinese text."""
    try:
        "执行".encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _every_character(stream) -> None:
    """A GBK stream becomes GB18030, its superset that has a code for every character. Chinese
    Windows writes stdout and stderr in GBK (code page 936) once they are redirected (a scheduled
    run's log, ``> out.csv``, a pipe); a character GBK lacks (𠮷, and many a rare character in
    a name) then stopped the command. GBK's own characters are written as before."""
    try:
        name = codecs.lookup(getattr(stream, "encoding", None) or "").name
    except LookupError:
        return
    if name in ("gbk", "gb2312") and hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="gb18030", errors=stream.errors)


def _option_name(param) -> str:
    """An option by its long name (--output), an argument by its metavar or name (FILE)."""
    if param.param_type_name == "argument":
        return (param.metavar or param.name or "").upper()
    return max(param.opts, key=len)


def _bad_value(exc: BadParameter) -> str:
    """What is wrong with an option value the parser refused, in plain words and as the command's
    own checks say it (--as-of '23/11/2026' is not a date …): the parser's own wording names the
    validation library ("Input should be greater than or equal to 0")."""
    name = _option_name(exc.param)
    errors = exc.__cause__.errors() if hasattr(exc.__cause__, "errors") else []
    first = errors[0] if errors else {}
    value, limits, kind = first.get("input"), first.get("ctx") or {}, first.get("type", "")
    choices = getattr(getattr(exc.param, "type_descriptor", None), "choices", None)
    if choices and kind == "value_error":
        allowed = [str(getattr(c, "value", c)) for c in choices]
        return f"{name} '{value}': give {', '.join(allowed[:-1])} or {allowed[-1]}"
    if kind in ("int_parsing", "int_from_float"):
        return f"{name} '{value}' is not a whole number"
    bounds = {"greater_than_equal": ("ge", "at least"), "less_than_equal": ("le", "at most"),
              "greater_than": ("gt", "more than"), "less_than": ("lt", "less than")}
    if kind in bounds:
        key, words = bounds[kind]
        return f"{name} {value}: give {words} {limits.get(key)}"
    if kind == "value_error" and limits.get("error") is not None:  # a parser's own ValueError (file_name)
        return f"{name}: {limits['error']}"
    return f"{name}: {exc.message[:1].lower()}{exc.message[1:]}"


def usage_message(exc: UsageError) -> str:
    """A usage error (an unknown option, a bad or missing value) as one plain sentence."""
    if isinstance(exc, NoSuchOption):
        near = f" (did you mean {' or '.join(sorted(exc.possibilities))}?)" if exc.possibilities else ""
        return f"no such option: {exc.option_name}{near}"
    if isinstance(exc, MissingParameter) and exc.param is not None:
        return f"missing {exc.param.param_type_name} {_option_name(exc.param)}"
    if isinstance(exc, BadParameter) and exc.param_hint is None:
        return _bad_value(exc) if exc.param is not None else exc.message
    message = exc.format_message().rstrip(".")
    return message[:1].lower() + message[1:]


@contextmanager
def plain_errors(command_path: Callable[[], str] = lambda: "backlog"):
    """Every error a user can fix as one plain line on stderr and its exit code: usage errors and
    the core's OptionError (exit 2, with where to find the options of the command,
    ``command_path()`` unless the error knows it), BacklogError, OS errors; Ctrl-C and SIGTERM as
    `backlog: interrupted`."""
    try:
        yield
    except NoArgsIsHelpError:  # `backlog rules`: the help, as asked
        raise
    except UsageError as exc:
        where = f"; try '{exc.ctx.command_path if exc.ctx is not None else command_path()} --help'"
        _say(f"backlog: error: {usage_message(exc)}{where}")
        raise typer.Exit(EXIT_INPUT) from None
    except BacklogError as exc:
        where = f"; try '{command_path()} --help'" if isinstance(exc, OptionError) else ""
        _say(f"backlog: error: {exc}{where}")
        raise typer.Exit(exc.exit_code) from None
    except BrokenPipeError:  # the reader went away (backlog … | head): end quietly
        _silence_stdout()
        raise typer.Exit(0) from None
    except OSError as exc:
        where = f" {exc.filename}:" if getattr(exc, "filename", None) else ""
        _say(f"backlog: error:{where} {exc.strerror or exc}")
        raise typer.Exit(EXIT_INPUT) from None
    except KeyboardInterrupt as exc:
        _say("backlog: interrupted")
        raise typer.Exit(EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED) from None
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except UnicodeEncodeError:
        if _shows_chinese(sys.stdout):
            raise
        _say(f"backlog: error: the output's encoding ({sys.stdout.encoding}) cannot show Chinese text: use a "
             "UTF-8 locale (or set PYTHONIOENCODING=utf-8), or write to a file with -o FILE where the command has it")
        raise typer.Exit(EXIT_INPUT) from None


@contextmanager
def internal_errors():
    """Anything plain_errors does not know is a bug: said plainly, details only on request."""
    try:
        yield
    except Exception as exc:
        if os.environ.get("BACKLOG_DEBUG") or isinstance(exc, (typer.Exit, typer.Abort, typer.TyperException)):
            raise
        _say(f"backlog: internal error: {type(exc).__name__}: {exc} (set BACKLOG_DEBUG=1 for details and report it)")
        raise typer.Exit(EXIT_INTERNAL) from None


def _command_path(parent: typer.Context | None, name: str | None) -> str:
    """The command ``name`` under ``parent`` as typed (`backlog rules check`), when its own
    context is not there (its options are being parsed)."""
    return " ".join(part for part in (parent.command_path if parent else "", name or "") if part) or "backlog"


def argument_value(param: TyperArgument) -> str:
    """The word --help shows for an argument's value, as an option's metavar: FILE for a path
    (FILE... for several) unless the argument is named so; nothing for text, whose name (CASE,
    NAME|FILE) says what it is."""
    several = param.nargs != 1
    kind = param.type_descriptor.annotation
    if several and get_args(kind):
        kind = get_args(kind)[0]
    if not (isinstance(kind, type) and issubclass(kind, PurePath)):
        return ""
    word = "FILE..." if several else "FILE"
    return "" if word == param.metavar else word


class ArgumentInWords(TyperArgument):
    """An argument whose --help row names its value in words. Typer's rich help prints what
    ``display_type_rich`` returns: for an option its metavar when set, for an argument always the
    Python type (<list[Path]>), its metavar being its name."""

    def display_type_rich(self, ctx) -> str | None:
        return argument_value(self) or None


class HelpInWords:
    """--help in words, as the options' metavars are: an argument's value as FILE or FILE..., and
    nothing after the --help flag (typer makes that option itself, without a metavar, so it showed
    <bool>). Typer builds the parameters itself (no class can be asked for), so the arguments are
    given their class here; typer is pinned below 0.30, whose rich help this follows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for param in self.params:
            if type(param) is TyperArgument:
                param.__class__ = ArgumentInWords

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option

    def format_help(self, ctx, formatter) -> None:
        """The help, printed by typer's own rich console, which ends a closed pipe (``backlog
        --help | head -1``) with exit status 1 (its ``on_broken_pipe``, the only way out of
        printing the help): said as the closed pipe it is, so the help ends as any output read
        no further (plain_errors: quietly, exit 0)."""
        _import_help_without_markdown()
        try:
            super().format_help(ctx, formatter)
        except SystemExit:
            raise BrokenPipeError from None


def _import_help_without_markdown() -> None:
    """Imports typer's help renderer without rich.markdown, which it imports for its markdown markup
    mode only: backlog's help is in rich markup, and rich.markdown brings markdown-it, a tenth of
    ``backlog --help``'s time. A stand-in is seen by that one import and removed after it, so
    anything importing rich.markdown later gets the real module; the stand-in refuses to be used."""
    if "typer.rich_utils" in sys.modules or "rich.markdown" in sys.modules:
        return
    import importlib
    import types

    class Markdown:
        def __init__(self, *args, **kwargs):
            raise RuntimeError("backlog's help is not in markdown")

    stand_in = types.ModuleType("rich.markdown")
    stand_in.Markdown = Markdown  # type: ignore[attr-defined]
    sys.modules["rich.markdown"] = stand_in
    try:
        importlib.import_module("typer.rich_utils")
    finally:
        del sys.modules["rich.markdown"]


class BacklogCommand(HelpInWords, TyperCommand):
    """A command whose --help names values in words."""


def given_name(text: str) -> str:
    """A name given on the command line (--category): an empty one (a variable left unset) would
    be passed over as if not given, so it is refused."""
    if not text.strip():
        raise ValueError("an empty name (in a script, is a variable unset?)")
    return text


def encoding_name(text: str) -> str:
    """An encoding named on the command line (--encoding): one Python has for text, else refused
    naming the encodings Chinese ledgers are saved in (a typo such as gbkk was said only once a CSV
    was read, and not at all for a workbook)."""
    from backlog_cli.config import encoding_problem

    if (problem := encoding_problem(text)) is not None:
        raise ValueError(problem)
    return text


def file_name(text: str) -> Path:
    """A file or folder named on the command line. An empty name (in a script, a variable left
    unset: backlog classify "$LEDGER") would be the current folder: it is refused."""
    if text == "":
        raise ValueError("an empty name (in a script, is a variable unset?)")
    return Path(text)


class BacklogGroup(HelpInWords, TyperGroup):
    """Turns every user-fixable error into one plain line on stderr and its exit code."""

    def make_context(self, info_name, args, parent=None, **extra):
        with plain_errors(lambda: _command_path(parent, info_name)):
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: typer.Context):
        with internal_errors(), plain_errors(lambda: _command_path(ctx, ctx.invoked_subcommand)):
            return super().invoke(ctx)


class LogFile(io.TextIOBase):
    """A text stream that starts each line written to ``stream`` with the local time (ISO, to the
    second), so that a log appended to night after night says when each line was written."""

    def __init__(self, stream, clock=dt.datetime.now):
        self._stream, self._clock, self._line_start = stream, clock, True

    def write(self, text: str) -> int:
        stamp = self._clock().isoformat(timespec="seconds")
        out = []
        for i, line in enumerate(text.split("\n")):
            if i:
                out.append("\n")
                self._line_start = True
            if line:
                out.append(f"{stamp} {line}" if self._line_start else line)
                self._line_start = False
        self._stream.write("".join(out))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return self._stream.encoding


class _Messages(io.TextIOBase):
    """stderr, and once its reader has gone (``backlog run 2>&1 | head -2``), nothing: messages
    are not worth stopping the work for. The files are still written and the exit code still says
    how it went (the work used to stop at the first message, exiting 0 with nothing written)."""

    def __init__(self, stream):
        self._stream, self._gone = stream, False

    def write(self, text: str) -> int:
        if not self._gone:
            try:
                self._stream.write(text)
            except BrokenPipeError:
                self._lost()
        return len(text)

    def flush(self) -> None:
        if not self._gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._lost()

    def _lost(self) -> None:
        self._gone = True
        try:  # what is left in the buffer goes nowhere at exit, not into a closed pipe
            os.dup2(os.open(os.devnull, os.O_WRONLY), self._stream.fileno())
        except (OSError, ValueError, AttributeError):
            pass

    def fileno(self) -> int:
        return self._stream.fileno()

    def isatty(self) -> bool:
        return self._stream.isatty()

    @property
    def encoding(self) -> str:
        return self._stream.encoding


def _is_file(stream) -> bool:
    """Whether ``stream`` is a regular file (the cron line's ``>> run.log 2>&1``), not a terminal
    or a pipe."""
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False


@contextmanager
def stamped_stderr():
    """While stderr is a file (a log), each line written to it starts with the time."""
    if not _is_file(sys.stderr):
        yield
        return
    plain, sys.stderr = sys.stderr, LogFile(sys.stderr)
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr = plain


class LoggedCommand(BacklogCommand):
    """A command run unattended (`backlog run`): written to a log file, each line on stderr,
    its errors included, starts with the time."""

    def make_context(self, info_name, args, parent=None, **extra):
        with stamped_stderr(), plain_errors(lambda: _command_path(parent, info_name)):
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: typer.Context):
        with stamped_stderr(), internal_errors(), plain_errors(lambda: ctx.command_path):
            return super().invoke(ctx)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that nothing more is written to a closed pipe at exit."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests)
        pass


app = typer.Typer(
    cls=BacklogGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Triage, deadlines and task lists for court enforcement case backlogs (执行积案).",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"backlog {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, metavar="", help="Show the version and exit.")
    ] = None,
) -> None:
    """Triage, deadlines and task lists for court enforcement case backlogs (执行积案)."""


# --------------------------------------------------------------------------- shared options

LedgerArg = Annotated[
    Optional[list[Path]],
    typer.Argument(metavar="LEDGER", parser=file_name, help="Ledger file(s): .xlsx .xlsm .xls .ods .csv .tsv .txt (default: `ledger` in backlog.yaml).", show_default=False),
]
ConfigOpt = Annotated[Optional[Path], typer.Option("--config", metavar="FILE", parser=file_name, help="Settings file (default: $BACKLOG_CONFIG or ./backlog.yaml).")]
SheetOpt = Annotated[Optional[list[str]], typer.Option("--sheet", metavar="NAME", help="Read only this sheet (repeatable).")]
EncodingOpt = Annotated[Optional[str], typer.Option("--encoding", metavar="ENC", parser=encoding_name, help="CSV encoding (default: detected: UTF-8 or UTF-16, with or without BOM, or GBK/GB18030).")]
ColumnsOpt = Annotated[Optional[list[Path]], typer.Option("--columns", metavar="FILE", parser=file_name, help="Extra column aliases file (repeatable).")]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help="Evaluate as of this date, YYYY-MM-DD (or 2026/11/23, 2026年11月23日, 20261123), 1950-2100 (default: today).")]
FormatOpt = Annotated[
    Optional[str],
    typer.Option("--format", "-f", metavar="FORMAT", help="table, csv, json or xlsx (default: from --output's suffix, else table)."),
]
OutputOpt = Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", parser=file_name, help="Write to this file instead of the terminal.")]
RulesOpt = Annotated[
    Optional[list[str]],
    typer.Option("--rules", "-r", metavar="NAME|FILE", help="Ruleset: a bundled name (backlog rules list) or a YAML path; repeatable (default: `rules` in backlog.yaml, else default)."),
]
CategoryOpt = Annotated[Optional[str], typer.Option("--category", "-c", metavar="ID", parser=given_name, help="Only cases of this category: its id or its label (minsheng or 涉民生).")]


class Period(str, Enum):
    """Ranking periods (checked when the options are read, before the ledger); 周 and 月 as clerks
    say them."""

    week = "week"
    month = "month"
    周 = "周"
    月 = "月"

    def ranked_by(self) -> str:
        return {"周": "week", "月": "month"}.get(self.value, self.value)


class LoadOptions:
    """The options every ledger-reading command shares, resolved against backlog.yaml
    (:func:`config.ledger_source`)."""

    def __init__(self, ledger, config, sheet, encoding, columns):
        from backlog_cli.config import check_ledgers, check_named_files, ledger_source, load_config

        self.config = load_config(config)
        self.source = ledger_source(self.config, ledger, sheet, encoding, columns)
        if not self.source.paths:
            raise BacklogError(
                f"no ledger given: name one ({_naming_a_ledger()}) or set `ledger:` in backlog.yaml (backlog init)"
            )
        if not ledger:
            check_ledgers(self.config)
        check_named_files(self.config, "columns")  # read with any given (--columns adds to them)
        self.inputs: list[Path] = []
        self.output: Path | None = None

    def protect(self, output: Path | None, rules: list[str] | None = None, targets: Path | None = None) -> None:
        """Remember the input files (ledger, rules, targets, column aliases, settings) so that no
        output is written over one, and refuse ``output`` (and its errors and problems files) at once,
        as one in a folder that does not exist."""
        from backlog_cli.config import input_files
        from backlog_cli.outputs import errors_path_for, problems_path_for, refuse_inputs, refuse_missing_folder

        self.output = output
        self.inputs = input_files(self.config, self.source.paths, self.source.columns, rules, targets)
        if output is not None:
            refuse_missing_folder(output)
            refuse_inputs([output, errors_path_for(output), problems_path_for(output)], self.inputs)

    def ruleset(self, rules: list[str] | None, columns: Columns):
        """The rules named on the command line, else in backlog.yaml, else the bundled default,
        with their deadlines, checked together; ``columns`` (the aliases read from
        ``self.source.columns``) give the kinds of the fields the columns files add."""
        from backlog_cli.config import check_named_files
        from backlog_cli.deadlines import load_ruleset

        if not rules:
            check_named_files(self.config, "rules")
        return load_ruleset(list(rules or self.config.rules) or None, columns)


def _naming_a_ledger() -> str:
    """The command being run as typed with a ledger named: backlog overdue LEDGER.xlsx, backlog
    explain CASE LEDGER.xlsx (the arguments before the ledger by their names)."""
    ctx = get_current_context(silent=True)
    if ctx is None:
        return "backlog classify LEDGER.xlsx"
    before = []
    for param in ctx.command.params:
        if param.name == "ledger":
            break
        if param.param_type_name == "argument":
            before.append(_option_name(param))
    return " ".join([ctx.command_path, *before, "LEDGER.xlsx"])


def reads_ledger(command):
    """For a command that reads a ledger: a workbook it names (on the command line or in
    backlog.yaml) starts decoding before the command imports pandas and reads its rules, about
    0.6 s that a large workbook's first sheet is no longer waited for; the load takes the
    decoding over. Problems with the settings or the file are reported later, in their turn."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        from backlog_cli import workbook
        from backlog_cli.config import ledger_source, load_config

        try:
            settings = load_config(kwargs.get("config"))
        except BacklogError:
            return command(*args, **kwargs)
        source = ledger_source(settings, kwargs.get("ledger"), kwargs.get("sheet"))
        workbook.start(source.paths, source.sheets)
        return command(*args, **kwargs)

    return run


MESSAGE_MAX_CHARS = 2000  # a warning or note longer than this is cut (…)


def tell(warnings: Sequence[str] = (), notes: Sequence[str] = (), err=None) -> None:
    """Warnings, then notes, one line each on stderr, made terminal-safe: they quote ledger cells,
    file and sheet names."""
    from backlog_cli.outputs import terminal_text

    err = err or _stderr()
    for kind, messages in (("warning", warnings), ("note", notes)):
        for message in messages:
            err.plain_line(f"{kind}: {terminal_text(message, MESSAGE_MAX_CHARS)}")


def _stderr():
    from backlog_cli.outputs import console_for

    return console_for(sys.stderr)


@contextmanager
def progress_bar(err):
    """On a terminal, a progress bar fed by the loader's (message, share done) calls; otherwise
    (piped, cron) nothing, so logs stay plain."""
    if not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("loading ledger", total=1.0)
        yield lambda message, share: bar.update(task, description=message, completed=share)


def load(opts: LoadOptions, *, listed_below: bool = False, columns: Columns | None = None,
         triaged: bool = False) -> Ledger:
    """Load the ledger with a spinner on a terminal (``columns``: the aliases, when already read
    from ``opts.source.columns``), reject its rows filed after today
    (:func:`triage.reject_filed_after_today`), then report rejects on stderr (see
    :func:`report_load`). ``triaged``: the caller evaluates the cases
    (:func:`triage.triage_ledger`, which rejects those rows) and reports the load once it has
    (:func:`load_triage`)."""
    from backlog_cli.loading import load_columns, load_source

    err = _stderr()
    columns = columns or load_columns(opts.source.columns)
    with progress_bar(err) as progress:
        ledger = load_source(opts.source, columns, progress)
    if not triaged:
        from backlog_cli.triage import reject_filed_after_today

        reject_filed_after_today(ledger, as_of_date(None))
        report_load(ledger, err, opts.output, listed_below=listed_below)
    return ledger


def load_triage(opts: LoadOptions, rules: list[str] | None, as_of: pd.Timestamp, *, category: str | None = None,
                deadline: str | None = None, within: int | None = None, by: str | None = None) -> tuple[Ledger, Triage]:
    """The column aliases, rules (a ``column:`` reads a field the aliases add with its kind) and the
    options that name their categories or deadlines first (a mistake there fails before a long
    load), then the ledger, the field to group by, then triage."""
    from backlog_cli.assignment import group_field
    from backlog_cli.deadlines import check_overdue_deadline
    from backlog_cli.loading import load_columns
    from backlog_cli.triage import check_category, triage_ledger

    columns = load_columns(opts.source.columns)
    ruleset, deadlines = opts.ruleset(rules, columns)
    if category:
        check_category(ruleset, category)
    if deadline:
        check_overdue_deadline(deadlines, deadline, within)
    absent = columns.absent_fields(opts.config)
    ledger = load(opts, columns=columns, triaged=True)
    try:
        if by:
            group_field(ledger, by)
        result = triage_ledger(ledger, ruleset, as_of, deadlines, today=as_of_date(None), absent=absent)
    except BacklogError:
        report_load(ledger, _stderr(), opts.output)
        raise
    report_load(ledger, _stderr(), opts.output)
    tell(result.warnings, result.notes)
    return ledger, result


REJECTS_SHOWN = 20


def report_load(ledger: Ledger, err, output: Path | None = None, *, listed_below: bool = False) -> None:
    """The load in one line, then the first :data:`REJECTS_SHOWN` rejected rows (values cut and
    made terminal-safe) and where all of them are (``listed_below``: by the command itself, inspect)."""
    from backlog_cli.outputs import ERRORS, PROBLEMS, list_file_beside

    err.plain_line(ledger.load_line())
    tell(ledger.warnings, ledger.notes, err)
    listed = ledger.rejected_lines(REJECTS_SHOWN)
    if listed:
        more = "more rejected rows"
        if len(ledger.rejects) > REJECTS_SHOWN:
            errors = list_file_beside(output, ERRORS) if output is not None else None
            more += (": all are listed below" if listed_below else
                     f": all are in {errors} (and in `backlog inspect`)" if errors is not None else
                     ": `backlog inspect` lists them all; with --output FILE they go to FILE.errors.csv")
        err.plain_line(some_of(listed, REJECTS_SHOWN, total=len(ledger.rejects), sep="\n", more=more))
    if len(ledger.problems):
        n = len(ledger.problems)
        listed = list_file_beside(output, PROBLEMS) if output is not None else None
        where = ("listed below" if listed_below else f"listed in {listed} and by `backlog inspect`"
                 if listed is not None else "see `backlog inspect`")
        err.plain_line(f"{kept_blank(n)} ({where})")


def kept_blank(n: int) -> str:
    """How many values of the ledger were kept as blank, as the load and the nightly run say it."""
    return f"{counted(n, 'values')} unreadable or contradicting others, kept as blank"


def as_of_date(text: str | None, option: str = "--as-of", *, warn_future: bool = True) -> pd.Timestamp:
    """A date given on the command line: year, month and day in that order, as a ledger cell
    writes them (``parsing.option_day``: 2026-11-23, 2026/11/23, 2026.11.23, 2026年11月23日,
    20261123; default today). Ledger cells are read leniently; an option is not, so a typo never
    silently becomes another day (no two-digit year, no 11/23/2026, no Excel serial). A day after
    today is warned about (``warn_future``): the ledger is counted as it stands today."""
    import pandas as pd

    from backlog_cli.parsing import option_day

    today = dt.date.today()
    if text is None:
        return pd.Timestamp(today)
    try:
        day = option_day(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{option} {exc}") from None
    if warn_future and day > today:
        tell([f"{option} {day} is after today ({today}): the ledger holds what is known today, so a case filed "
              "or closed from today until then is not counted (dates typed after today are typing slips, rejected "
              "or warned about apart)"])
    return pd.Timestamp(day)


def given_day(text: str | None, option: str = "--as-of") -> dt.date | None:
    """A day an option gives (:func:`as_of_date`), not warned about when after today (the command
    takes it as the bound of what it lists, or refuses it or says what it counts then itself);
    None when not given."""
    return as_of_date(text, option, warn_future=False).date() if text is not None else None


def output_format(fmt: str | None, output: Path | None) -> str:
    """The output format, checked before any slow work, once the output is known to be a file
    name in a folder that exists (``-o 报表/`` is said to be a folder, not to lack a suffix)."""
    from backlog_cli.outputs import output_format as decide, refuse_missing_folder, refuse_unwritable

    if output is not None:
        refuse_missing_folder(output)
        refuse_unwritable(output)
    return decide(fmt, output)


def show(result, fmt: str, output: Path | None, ledger: Ledger | None = None, inputs: list[Path] = ()) -> None:
    """Hand a result to the output layer (never over one of ``inputs``, never into a folder that
    does not exist); name each file written on stderr."""
    from backlog_cli.outputs import refuse_missing_folder, write_output

    if output is not None:
        refuse_missing_folder(output)

    rejects = ledger.written_rejects() if ledger is not None else None
    problems = ledger.written_problems() if ledger is not None and output is not None else None
    for item in write_output(result, fmt, output, rejects=rejects, problems=problems, inputs=inputs):
        _stderr().plain_line(str(item))


# --------------------------------------------------------------------------- commands


@app.command(cls=BacklogCommand)
@reads_ledger
def classify(
    ledger: LedgerArg = None,
    rules: RulesOpt = None,
    category: CategoryOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """Count the backlog (底数) per category, then list every case with its categories."""
    from backlog_cli.triage import classify_output, triage_labels

    fmt = output_format(fmt, output)
    when = as_of_date(as_of)
    opts = LoadOptions(ledger, config, sheet, encoding, columns)
    opts.protect(output, rules)
    data, result = load_triage(opts, rules, when, category=category)
    labels = triage_labels(data, result)
    show(classify_output(result, labels, category, workbook=fmt == "xlsx"), fmt, output, data, opts.inputs)


@app.command(cls=BacklogCommand)
@reads_ledger
def explain(
    case_no: Annotated[str, typer.Argument(metavar="CASE", help="The case number, e.g. '(2025)鲁0902执12号' (brackets and spaces are normalised), or said short: 2025执12, 执12.")],
    ledger: LedgerArg = None,
    rules: RulesOpt = None,
    as_of: AsOfOpt = None,
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """Why one case is (or is not) in each category: the values and conditions that decided it."""
    from backlog_cli.outputs import PLAIN_WIDTH, terminal_text
    from backlog_cli.triage import explain_case

    if not case_no.strip():
        raise typer.BadParameter("CASE is empty: give a case number, e.g. '(2025)鲁0902执12号'")
    if _is_ledger_name(case_no):  # backlog explain ledger.xlsx 执12: the case comes first
        raise typer.BadParameter(f"{case_no} is a ledger file, not a case number: the case comes first, "
                                 f"as in backlog explain 执12 {case_no}")
    when = as_of_date(as_of)
    data, result = load_triage(LoadOptions(ledger, config, sheet, encoding, columns), rules, when)
    out = _stdout()
    explained = explain_case(result, case_no, data.columns.labels(), data.rejects, data.cases, data.listed_problems(),
                             data.sheets)
    for line in explained.lines():
        out.plain_line(terminal_text(line, PLAIN_WIDTH))


def _is_ledger_name(text: str) -> bool:
    """Whether a command-line word names a ledger file: one that exists, or a ledger's suffix."""
    from backlog_cli.loading import TEXT_SUFFIXES
    from backlog_cli.workbook import EXCEL_SUFFIXES

    path = Path(text)
    return path.suffix.lower() in EXCEL_SUFFIXES | TEXT_SUFFIXES or path.is_file()


@app.command(cls=BacklogCommand)
@reads_ledger
def overdue(
    ledger: LedgerArg = None,
    days: Annotated[Optional[int], typer.Option("--days", min=0, metavar="N", help="Cases open at --as-of for more than N days since filing.")] = None,
    months: Annotated[Optional[int], typer.Option("--months", min=0, max=1800, metavar="N", help="Cases open at --as-of for more than N calendar months since filing (--months 6: the over-6-months report).")] = None,
    deadline: Annotated[Optional[str], typer.Option("--deadline", metavar="ID", help="Cases past this deadline of the rules (its id or label: legal_limit or 法定执行期限); with --within, coming due on it.")] = None,
    within: Annotated[Optional[int], typer.Option("--within", min=0, metavar="D", help="Cases coming due in the next D days, one row per case and deadline.")] = None,
    category: CategoryOpt = None,
    officer: Annotated[Optional[str], typer.Option("--officer", metavar="NAME", help="Only this officer's cases.")] = None,
    rules: RulesOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """Cases open too long (--months N or --days N, oldest first), past a deadline (--deadline ID) or coming due (--within D)."""
    from backlog_cli.triage import overdue_list, overdue_output, triage_labels

    if days is None and months is None and deadline is None and within is None:
        raise typer.BadParameter("give --months, --days, --deadline or --within: which cases to list")
    if days is not None and months is not None:
        raise typer.BadParameter("give --months or --days, not both")
    if officer is not None and not officer.strip():
        raise typer.BadParameter("--officer is empty: give a name (无: cases without one)")
    fmt = output_format(fmt, output)
    when = as_of_date(as_of)
    opts = LoadOptions(ledger, config, sheet, encoding, columns)
    opts.protect(output, rules)
    data, result = load_triage(opts, rules, when, category=category, deadline=deadline, within=within,
                               by="officer" if officer else None)
    listed, title = overdue_list(result, days=days, months=months, deadline=deadline, within=within, category=category,
                                 officer=officer)
    show(overdue_output(listed, triage_labels(data, result), title, coming_due=within is not None), fmt, output,
         data, opts.inputs)


def _stdout():
    from backlog_cli.outputs import console_for

    return console_for(sys.stdout)


rules_app = typer.Typer(cls=BacklogGroup, no_args_is_help=True, help="List, show and check rulesets.")
app.add_typer(rules_app, name="rules")


@rules_app.command("list", cls=BacklogCommand)
def rules_list() -> None:
    """The bundled rulesets with their counts of categories and deadlines, then their categories."""
    from backlog_cli import outputs
    from backlog_cli.deadlines import bundled_tables

    rulesets, categories = bundled_tables()
    out = _stdout()
    out.print(outputs.render_table(rulesets, title="内置规则集（以 --rules 名称 选用）",
                                   see_all=outputs.PIPE_TO_SEE_ALL))
    out.print(outputs.render_table(categories, title="各规则集的类别（backlog rules show 名称 查看详情）",
                                   see_all=outputs.PIPE_TO_SEE_ALL))


def _rules_columns(files: list[Path] | None) -> Columns | None:
    """The column aliases that ``rules show`` and ``rules check`` read the rules with: a
    ``column:`` naming a field a columns file adds has the kind it gives it (else text)."""
    from backlog_cli.loading import load_columns

    return load_columns(files) if files else None


@rules_app.command("show", cls=BacklogCommand)
def rules_show(name: Annotated[str, typer.Argument(metavar="NAME|FILE", help="A bundled ruleset name or a rules file.")],
               columns: ColumnsOpt = None) -> None:
    """A ruleset's categories in priority order (id, label, description, source), its deadlines
    (id, label, how the due date is counted, action, source), then its files; `backlog explain`
    shows a category's conditions and a deadline's arithmetic on a case."""
    from backlog_cli import outputs
    from backlog_cli.deadlines import added_years, holiday_conflicts, load_ruleset, ruleset_tables
    from backlog_cli.rules import bundled_path

    ruleset, deadlines = load_ruleset([name], _rules_columns(columns))
    out = _stdout()
    out.plain_line(f"{ruleset.name}: {ruleset.description}" if ruleset.description else ruleset.name)
    categories, listed = ruleset_tables(ruleset, deadlines)
    out.print(outputs.render_table(categories, title="类别", see_all=outputs.PIPE_TO_SEE_ALL))
    if listed is not None:
        out.print(outputs.render_table(listed, title="期限", see_all=outputs.PIPE_TO_SEE_ALL))
    used, followed = added_years(deadlines)
    if used:
        out.plain_line(f"节假日（holidays:，chinesecalendar 未收的年份）：{used}")
    if followed:
        out.plain_line(f"节假日（holidays:）中 {followed} 已由 chinesecalendar 收录，以其为准")
    tell(holiday_conflicts(deadlines))
    for path in ruleset.sources:
        out.plain_line(f"from {bundled_path(path)}")


@rules_app.command("check", cls=BacklogCommand)
def rules_check(paths: Annotated[list[Path], typer.Argument(
        help="The rules file to check; several are checked merged, later ones overriding earlier ones, as "
             "repeated --rules are.", show_default=False, metavar="FILE", parser=file_name)],
                columns: ColumnsOpt = None) -> None:
    """Check a rules file (or several, merged as repeated --rules are): categories and deadlines; every problem is listed with file:line:column. Exit 2 when invalid."""
    from backlog_cli.deadlines import holiday_conflicts, load_ruleset

    ruleset, deadlines = load_ruleset([str(p) for p in paths], _rules_columns(columns))
    names = " + ".join(str(p) for p in paths)
    typer.echo(f"ok: {names}: {counted(len(ruleset.categories), 'categories')}, {counted(len(deadlines), 'deadlines')}")
    tell(holiday_conflicts(deadlines))


@app.command(cls=BacklogCommand)
@reads_ledger
def inspect(
    ledger: LedgerArg = None,
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """Show how a ledger is read: sheets, header row, column mapping, counts, rejects, bad values."""
    from backlog_cli.outputs import PIPE_TO_SEE_ALL, Output
    from backlog_cli.loading import inspect_tables

    data = load(LoadOptions(ledger, config, sheet, encoding, columns), listed_below=True)
    tables = inspect_tables(data)
    show(Output(tables[0].frame, tables=tables, max_rows=None, see_all=PIPE_TO_SEE_ALL), "table", None)


@app.command(cls=BacklogCommand)
def init(
    path: Annotated[Path, typer.Argument(metavar="FILE", parser=file_name, help="Where to write the starter settings file.")] = Path("backlog.yaml"),
    force: Annotated[bool, typer.Option("--force", metavar="", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter backlog.yaml, its ledger: the ledger files found beside it."""
    from backlog_cli.config import PLACEHOLDER, write_starter
    from backlog_cli.outputs import refuse_missing_folder
    from backlog_cli.workbook import FOLDER_SUFFIXES, some_names

    refuse_missing_folder(path)
    starter = write_starter(path, force)
    names = starter.ledger
    if starter.outputs:
        _say(f"note: left out as backlog's own outputs, not ledgers: {some_names(starter.outputs)}")
    for left, kept in starter.twins:
        _say(f"note: left out {left}, which has the name of {kept} in another format: the same ledger saved "
             f"twice would read every case twice; add it to `ledger:` if it is another ledger")
    if not names:
        typer.echo(f"wrote {starter.path} (ledger: {PLACEHOLDER}, a placeholder)")
        _say(f"note: no ledger file ({' '.join(sorted(FOLDER_SUFFIXES))}) found beside {starter.path}; "
             f"set `ledger:` in it to your ledger's file or folder")
        return
    shown = some_names(names)
    if starter.folders:
        what = (f"{shown}, the folder of {counted(starter.count, 'ledger files')}" if len(names) == 1 else
                f"{len(names)} folders, {shown}: {counted(starter.count, 'ledger files')}")
    elif any(name.endswith("/") for name in names):
        what = f"{shown}: {counted(starter.count, 'ledger files')}"
    else:
        what = shown if len(names) == 1 else f"{len(names)} files, {shown}"
    typer.echo(f"wrote {starter.path} (ledger: {what})")


@app.command(cls=BacklogCommand)
def sample(
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", parser=file_name, help="File to write: .xlsx or .csv.")],
    rows: Annotated[int, typer.Option("--rows", min=1, max=5_000_000, metavar="N", help="Number of case rows (at most 5,000,000).")] = 300,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Random seed: the same seed gives the same file.")] = 1,
    as_of: Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help="The day the ledger is drawn up to, YYYY-MM-DD (or 2026/11/23, 2026年11月23日, 20261123; default 2026-11-23, the committed samples' day).")] = None,
    encoding: Annotated[Optional[str], typer.Option("--encoding", metavar="ENC", parser=encoding_name, help="CSV encoding (default utf-8-sig; gbk as Excel saves).")] = None,
    clean: Annotated[bool, typer.Option("--clean", metavar="", help="No deliberately messy values or bad rows.")] = False,
    first_number: Annotated[int, typer.Option("--first-number", min=1, max=1_000_000, metavar="N", help="Count case sequence numbers from N in each year and type (at most 1,000,000): a second ledger of the same court counted from above the first's numbers shares none of its case numbers.")] = 1,
    force: Annotated[bool, typer.Option("--force", metavar="", help="Overwrite an existing file.")] = False,
) -> None:
    """Generate a realistic sample ledger (deterministic for a seed)."""
    from backlog_cli.config import refuse_existing
    from backlog_cli.outputs import refuse_missing_folder
    from backlog_cli.sample import DEFAULT_AS_OF, write_sample

    if output.suffix.lower() not in (".xlsx", ".csv"):
        raise typer.BadParameter(f"--output {output}: the sample is written as .xlsx or .csv")
    if encoding is not None and output.suffix.lower() != ".csv":
        raise typer.BadParameter(f"--encoding {encoding}: an encoding applies to .csv samples only, not to {output.name}")
    refuse_existing(output, force, f"ledger{output.suffix.lower()}")
    refuse_missing_folder(output)
    when = given_day(as_of) or DEFAULT_AS_OF
    write_sample(output, rows, seed, as_of=when, encoding=encoding, messy=not clean, first_number=first_number)
    typer.echo(f"wrote {output} ({rows} rows, seed {seed})")


# --------------------------------------------------------------------------- nightly run, history


def _step_log(quiet: bool):
    """One plain line per step on stderr (none with --quiet)."""
    if quiet:
        return None
    err = _stderr()
    return err.plain_line


@app.command(cls=LoggedCommand)
def run(
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", metavar="", help="Print only warnings and errors.")] = False,
) -> None:
    """The nightly pass: load, classify, deadlines, assign, rank, the month's report, write dated outputs, record the history.

    Exit codes:
    0 clean
    1 done, but rows were rejected, values kept as blank, or warnings
    2 nothing produced (a day after today is refused: the history records it)
    3 another run is going
    130 interrupted (Ctrl-C), 143 stopped (SIGTERM); nothing written
    """
    from backlog_cli.config import load_config
    from backlog_cli.run import ERRORS_FILE, PROBLEMS_FILE, nightly_run

    when = as_of_date(as_of, warn_future=False)  # a day after today is refused by the run
    settings = load_config(config)
    err = _stderr()
    log = _step_log(quiet)
    with (nullcontext() if quiet else progress_bar(err)) as progress:
        summary = nightly_run(settings, when, log=log, progress=progress)
    tell(summary.warnings, summary.notes if not quiet else (), err)
    if summary.rejects is not None and len(summary.rejects):
        err.plain_line(f"{counted(len(summary.rejects), 'rejected rows')}: see {summary.shown(summary.folder / ERRORS_FILE)}")
    if summary.problems is not None and len(summary.problems):
        err.plain_line(f"{kept_blank(len(summary.problems))}: see {summary.shown(summary.folder / PROBLEMS_FILE)}")
    if not quiet:
        err.plain_line(f"done: {summary.shown(summary.folder)} (exit {summary.exit_code})")
    raise typer.Exit(summary.exit_code)


def _open_history(settings):
    """The history, to be read only: history and diff write nothing (only `backlog run` upgrades it)."""
    from backlog_cli.history import open_history
    from backlog_cli.run import history_named_at, history_target

    return open_history(history_target(settings), read_only=True, shown_from=settings.folder,
                        named_at=history_named_at(settings))


@app.command(cls=BacklogCommand)
def history(
    as_of: Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help="Only the runs on or before this date, YYYY-MM-DD (or 2026/11/23, 2026年11月23日, 20261123; default: every run).")] = None,
    config: ConfigOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """List the recorded runs, oldest first, with their counts."""
    from backlog_cli.config import load_config
    from backlog_cli.history import runs_output
    from backlog_cli.run import history_inputs

    fmt = output_format(fmt, output)
    until = given_day(as_of)
    settings = load_config(config)
    with _open_history(settings) as store:
        runs = store.list_runs(until)
    show(runs_output(runs), fmt, output, inputs=history_inputs(settings))


@app.command(cls=BacklogCommand)
def diff(
    since: Annotated[Optional[str], typer.Option("--since", metavar="DATE", help="Compare with the run on or before this date, YYYY-MM-DD (or 2026/11/23, 2026年11月23日, 20261123; default: the previous run).")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help="The later run: the one on or before this date, YYYY-MM-DD (or 2026/11/23, 2026年11月23日, 20261123; default: the latest), so that a past diff can be asked again.")] = None,
    config: ConfigOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """What changed between the latest run (or the one of --as-of) and an earlier one: new, back after a rejected row, reopened, closed, removed from the ledger, rejected, newly overdue, past a deadline more, reassigned, category changes; and how the open count adds up."""
    from backlog_cli.deadlines import load_ruleset
    from backlog_cli.config import check_named_files, load_config
    from backlog_cli.history import changes_since, diff_output
    from backlog_cli.loading import load_columns
    from backlog_cli.rules import labels_by_id
    from backlog_cli.run import history_inputs

    fmt = output_format(fmt, output)
    when = given_day(since, "--since")
    until = given_day(as_of)
    settings = load_config(config)
    check_named_files(settings, "columns", "rules")
    # the labels of the ids the runs stored
    ruleset, deadlines = load_ruleset(settings.rules or None, load_columns(settings.columns))
    with _open_history(settings) as store:
        base, latest, changes = changes_since(store, when, until)
    tell(notes=changes.notes)  # a run recorded by an older backlog: what it rejected is unknown
    result = diff_output(base, latest, changes, labels_by_id(ruleset.categories), labels_by_id(deadlines))
    show(result, fmt, output, inputs=history_inputs(settings))


report_app = typer.Typer(cls=BacklogGroup, no_args_is_help=True, help="Reports sent upward.")
app.add_typer(report_app, name="report")


@report_app.command("monthly", cls=BacklogCommand)
@reads_ledger
def report_monthly(
    ledger: LedgerArg = None,
    month: Annotated[Optional[str], typer.Option("--month", metavar="YYYY-MM", help="The month, YYYY-MM (or 2026/10, 2026.10, 2026年10月; 1950-2100): cases closed in it and open at its end; with report_day: N in backlog.yaml, in its period, from the day after day N of the month before to day N (default: the month of --as-of, else the current month).")] = None,
    rules: RulesOpt = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help="Count and classify as of this day of the month (of its period with report_day), YYYY-MM-DD (or 2026/11/23, 2026年11月23日, 20261123; default: its last day; today while that day is ahead); without --month, the month holding it.")] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """The monthly report (by the 28th): per category closed and open, every open key case's reason, next step and time limit, per officer; xlsx with charts."""
    from backlog_cli.assignment import plan_warnings
    from backlog_cli.report import history_trend, month_warnings, parse_month, report_dates, report_from
    from backlog_cli.run import history_inputs, history_named_at, history_target

    fmt = output_format(fmt, output)
    try:
        period = parse_month(month) if month is not None else None
    except BacklogError as exc:  # an option's value: said as every other bad option value is
        raise typer.BadParameter(str(exc)) from None
    today = dt.date.today()
    asked = given_day(as_of)  # a day after today: month_warnings says what the report counts then
    opts = LoadOptions(ledger, config, sheet, encoding, columns)
    day = opts.config.report_day  # the period: the calendar month, or to day N (统计月)
    period, end = report_dates(period, asked, today, day)
    tell(month_warnings(period, today, end, day))
    opts.protect(output, rules)
    data, result = load_triage(opts, rules, end)
    trend = history_trend(history_target(opts.config), end, history_named_at(opts.config))
    report = report_from(result, period, day, trend, data.columns.labels())
    tell(*plan_warnings(data, len(report.key_cases), result.absent))
    show(report.output(), fmt, output, data, [*opts.inputs, *history_inputs(opts.config)])


# --------------------------------------------------------------------------- task lists and ranking

ByOpt = Annotated[str, typer.Option("--by", metavar="FIELD", help="Group by this ledger field: a field (officer, team, …) or its header (承办人).")]


@app.command(cls=BacklogCommand)
@reads_ledger
def rank(
    ledger: LedgerArg = None,
    period: Annotated[Period, typer.Option("--period", metavar="week|month", help="week (Monday to Sunday) or month (周 or 月 alike).")] = Period.week,
    periods: Annotated[int, typer.Option("--periods", min=1, max=520, metavar="N", help="Number of periods, the last full one last (at most 520, ten years of weeks).")] = 4,  # assignment.RANKED_PERIODS: pandas is not imported for --help
    by: ByOpt = "officer",
    targets: Annotated[Optional[Path], typer.Option("--targets", metavar="FILE", parser=file_name, help="Weekly close targets, set against each week's closes: YAML or a two-column sheet (default: `targets` in backlog.yaml).")] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """Rank officers per week or month by cases closed and closing rate; bottom three 督导, three in a row 约谈."""
    from backlog_cli.assignment import grouped_targets, ranking, ranking_output, ranking_warnings

    fmt = output_format(fmt, output)
    when = as_of_date(as_of)
    period = period.ranked_by()
    if targets is not None and period != "week":
        raise typer.BadParameter("--targets are weekly close targets: give --period week, or leave out --targets")
    opts = LoadOptions(ledger, config, sheet, encoding, columns)
    opts.protect(output, targets=targets)
    goals = _weekly_targets(opts, targets, by) if period == "week" else None
    data = load(opts)
    by, goals = grouped_targets(data, by, goals, targets is not None)
    tell(ranking_warnings(data.cases, by, goals))
    table = ranking(data.cases, when, period, periods, by, goals)
    show(ranking_output(table, by, data.columns.labels(), period, periods, when), fmt, output, data, opts.inputs)


@app.command(cls=BacklogCommand)
@reads_ledger
def assign(
    ledger: LedgerArg = None,
    by: ByOpt = "officer",
    targets: Annotated[Optional[Path], typer.Option("--targets", metavar="FILE", parser=file_name, help="Weekly close targets: YAML or a two-column sheet (default: `targets` in backlog.yaml).")] = None,
    split: Annotated[Optional[Path], typer.Option("--split", metavar="DIR", parser=file_name, help="Write one file per officer into this folder (format from --format, default xlsx).")] = None,
    rules: RulesOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """Task lists per officer (任务到人): open cases by urgency, with counts and weekly targets."""
    from backlog_cli.assignment import (check_split_folder, grouped_targets, plan_warnings, replace_split, split_format,
                                        task_lists)
    from backlog_cli.triage import triage_labels

    if split is not None and output is not None:
        raise typer.BadParameter("give --split DIR or --output FILE, not both")
    fmt = split_format(fmt) if split is not None else output_format(fmt, output)
    if split is not None:
        check_split_folder(split)
    when = as_of_date(as_of)
    opts = LoadOptions(ledger, config, sheet, encoding, columns)
    opts.protect(output, rules, targets)
    goals = _weekly_targets(opts, targets, by)
    data, result = load_triage(opts, rules, when, by=by)
    by, goals = grouped_targets(data, by, goals, targets is not None)
    lists = task_lists(result.cases, when, by, goals, result.key_cases())
    plans, plan_notes = plan_warnings(data, lists.key_open(), result.absent)
    tell([*lists.warnings(), *plans], plan_notes)
    labels = triage_labels(data, result)
    if split is not None:
        written, removed = replace_split(lists, split, fmt, labels, inputs=opts.inputs)
        gone = f", removed {counted(removed, 'old files')} of an earlier split" if removed else ""
        _stderr().plain_line(f"wrote {counted(len(written), fmt + ' files')} to {split}{gone}")
        tell([f"{w.path}: {message}" for w in written for message in w.warnings])
        return
    show(lists.output(labels), fmt, output, data, opts.inputs)


def _weekly_targets(opts: LoadOptions, given: Path | None, by: str) -> "Targets | None":
    """The weekly close targets: --targets, else `targets` in backlog.yaml; --targets with a grouping
    other than officers (targets are set per officer) is refused before the long load."""
    from backlog_cli.assignment import read_targets, targets_for
    from backlog_cli.config import check_named_files

    if given is None:
        check_named_files(opts.config, "targets")
    target_file = given or opts.config.targets
    goals = read_targets(target_file, opts.config.path) if target_file else None
    if given is not None:
        from backlog_cli.loading import load_columns

        known = load_columns(opts.source.columns)
        targets_for(goals, known.field_for(by) or by, True, known.labels(), by)
    return goals


def _closed_streams_to_null() -> None:
    """A standard stream closed when backlog starts (``backlog run 2>&-``, a service's closed
    descriptors) is opened on the null device: what is said there goes nowhere, as with
    ``2>/dev/null``, where the first message stopped the command (the nightly run wrote nothing and
    exited 120); and no file backlog opens takes the closed stream's number, to get what is written
    there."""
    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        if getattr(sys, name) is not None:
            continue
        try:
            os.fstat(fd)  # taken already: leave it to what holds it
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            setattr(sys, name, open(fd, mode, encoding="utf-8", closefd=False))
        else:
            setattr(sys, name, open(os.devnull, mode, encoding="utf-8"))


def main() -> None:
    _closed_streams_to_null()
    signal.signal(signal.SIGTERM, _on_sigterm)
    _every_character(sys.stdout)
    _every_character(sys.stderr)
    sys.stderr = _Messages(sys.stderr)
    try:
        app()
    except SystemExit as done:
        # (the decoding module is imported by the commands that read a ledger, not by --help)
        if (workbook := sys.modules.get("backlog_cli.workbook")) is not None and workbook.untaken():
            # A mistake found before the load (an unknown --category, a bad rules file): the message
            # is out, and the decode started for that load is not waited for.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(done.code if isinstance(done.code, int) else 1)
        raise
