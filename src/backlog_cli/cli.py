"""The `backlog` command line: parses options, calls the core, prints what it returns.

Heavy modules (pandas and everything that imports it) are imported inside the commands so that
`backlog --help` stays quick.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from typer.core import TyperGroup

from backlog_cli import __version__
from backlog_cli.errors import EXIT_INPUT, BacklogError

if TYPE_CHECKING:
    import pandas as pd

    from backlog_cli.loading import Ledger
    from backlog_cli.triage import Triage

EXIT_INTERNAL = 70


class BacklogGroup(TyperGroup):
    """Turns every user-fixable error into one plain line on stderr and its exit code."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except BacklogError as exc:
            typer.echo(f"backlog: error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
            typer.echo(f"backlog: error:{where} {exc.strerror or exc}", err=True)
            raise typer.Exit(EXIT_INPUT) from None
        except (typer.Exit, typer.Abort, typer.TyperException, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: say so plainly, details only on request
            if os.environ.get("BACKLOG_DEBUG"):
                raise
            typer.echo(
                f"backlog: internal error: {type(exc).__name__}: {exc} "
                "(set BACKLOG_DEBUG=1 for details and report it)",
                err=True,
            )
            raise typer.Exit(EXIT_INTERNAL) from None


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
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = None,
) -> None:
    """Triage, deadlines and task lists for court enforcement case backlogs (执行积案)."""


# --------------------------------------------------------------------------- shared options

LedgerArg = Annotated[
    Optional[list[Path]],
    typer.Argument(help="Ledger file(s): .xlsx .xlsm .xls .ods .csv .tsv (default: `ledger` in backlog.yaml).", show_default=False),
]
ConfigOpt = Annotated[Optional[Path], typer.Option("--config", help="Settings file (default: $BACKLOG_CONFIG or ./backlog.yaml).")]
SheetOpt = Annotated[Optional[list[str]], typer.Option("--sheet", help="Read only this sheet (repeatable).")]
EncodingOpt = Annotated[Optional[str], typer.Option("--encoding", help="CSV encoding (default: UTF-8 or GBK, detected).")]
ColumnsOpt = Annotated[Optional[list[Path]], typer.Option("--columns", help="Extra column aliases file (repeatable).")]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="Evaluate as of this date, YYYY-MM-DD (default: today).")]
FormatOpt = Annotated[
    Optional[str],
    typer.Option("--format", "-f", help="table, csv, json or xlsx (default: from --output's suffix, else table)."),
]
OutputOpt = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of the terminal.")]
RulesOpt = Annotated[
    Optional[list[str]],
    typer.Option("--rules", "-r", help="Ruleset: a bundled name (backlog rules list) or a YAML path; repeatable (default: `rules` in backlog.yaml, else default)."),
]
CategoryOpt = Annotated[Optional[str], typer.Option("--category", "-c", help="Only cases of this category id.")]


class LoadOptions:
    """The options every ledger-reading command shares, resolved against backlog.yaml."""

    def __init__(self, ledger, config, sheet, encoding, columns):
        from backlog_cli.config import load_config

        self.config = load_config(config)
        self.paths = list(ledger or self.config.ledger)
        if not self.paths:
            raise BacklogError(
                "no ledger given: name one (backlog classify LEDGER.xlsx) or set `ledger:` in backlog.yaml (backlog init)"
            )
        self.sheets = list(sheet or self.config.sheets) or None
        self.encoding = encoding or self.config.encoding
        self.columns = list(columns or []) + list(self.config.columns)

    def ruleset(self, rules: list[str] | None):
        """The rules named on the command line, else in backlog.yaml, else the bundled default."""
        from backlog_cli.rules import load_rules

        return load_rules(list(rules or self.config.rules) or None)


def _stderr():
    from backlog_cli.outputs import console_for

    return console_for(sys.stderr)


def load(opts: LoadOptions) -> Ledger:
    """Load the ledger with a spinner on a terminal, then report rejects on stderr."""
    from backlog_cli.loading import load_columns, load_ledger

    err = _stderr()
    columns = load_columns(opts.columns)
    if err.is_terminal:
        with err.status("loading ledger…") as status:
            ledger = load_ledger(opts.paths, sheets=opts.sheets, encoding=opts.encoding, columns=columns,
                                 progress=lambda msg: status.update(msg))
    else:
        ledger = load_ledger(opts.paths, sheets=opts.sheets, encoding=opts.encoding, columns=columns)
    report_load(ledger, err)
    return ledger


def load_triage(opts: LoadOptions, rules: list[str] | None, as_of: pd.Timestamp) -> tuple[Ledger, Triage]:
    """Rules first (a bad rules file fails before a long load), then the ledger, then triage."""
    from backlog_cli.deadlines import load_deadlines
    from backlog_cli.triage import triage

    ruleset = opts.ruleset(rules)
    deadlines = load_deadlines(ruleset)
    ledger = load(opts)
    result = triage(ledger.cases, ruleset, as_of, deadlines)
    for warning in result.warnings:
        _stderr().print(f"warning: {warning}", highlight=False, markup=False)
    return ledger, result


def report_load(ledger: Ledger, err) -> None:
    skipped = ledger.skipped["reason"].value_counts()
    parts = [f"{len(ledger.cases)} cases from {ledger.rows_read} rows"]
    if len(skipped):
        parts.append("skipped " + ", ".join(f"{n} {reason}" for reason, n in skipped.items()))
    if len(ledger.rejects):
        parts.append(f"{len(ledger.rejects)} rejected")
    err.print("loaded " + "; ".join(parts), highlight=False, markup=False)
    for r in ledger.rejects.itertuples(index=False):
        err.print(f"rejected: {Path(r.file).name} [{r.sheet}] row {r.row}: {r.case_no if isinstance(r.case_no, str) else '-'}: {r.reason}",
                  highlight=False, markup=False)
    if len(ledger.problems):
        err.print(f"{len(ledger.problems)} unreadable values kept as blank (see `backlog inspect`)", highlight=False, markup=False)


def as_of_date(text: str | None, option: str = "--as-of") -> pd.Timestamp:
    """A date given on the command line: strictly YYYY-MM-DD (default today). Ledger cells are
    read leniently; an option is not, so a typo never silently becomes another day."""
    import pandas as pd

    if not text:
        return pd.Timestamp(dt.date.today())
    try:
        return pd.Timestamp(dt.date.fromisoformat(text.strip()))
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a date (use YYYY-MM-DD)", param_hint=option) from None


def resolve_format(fmt: str | None, output: Path | None) -> str:
    from backlog_cli.outputs import FORMATS

    if fmt is None:
        if output is None:
            return "table"
        fmt = output.suffix.lower().lstrip(".")
        if fmt not in FORMATS or fmt == "table":
            raise typer.BadParameter(f"cannot tell the format from '{output.name}'; give --format", param_hint="--output")
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise typer.BadParameter(f"'{fmt}' is not one of {', '.join(FORMATS)}", param_hint="--format")
    if fmt == "xlsx" and output is None:
        raise typer.BadParameter("xlsx needs --output FILE", param_hint="--format")
    if fmt == "table" and output is not None:
        raise typer.BadParameter("table output goes to the terminal; use csv, json or xlsx with --output", param_hint="--format")
    return fmt


def emit(frame: pd.DataFrame, fmt: str, output: Path | None, ledger: Ledger, *, title: str | None = None,
         sheets=None, summary: pd.DataFrame | None = None, table_columns: list[str] | None = None,
         row_styles=None, sections=None, columns: list[str] | None = None) -> None:
    """Print or write a result in the chosen format; beside a written file, its errors file.

    ``columns`` fixes the CSV/JSON column order (default: ``case_no`` first, then the rest).

    ``sections`` (outputs.Sheet) are printed instead of the frame on the terminal, one table each."""
    from backlog_cli import outputs

    labels = ledger.columns.labels()
    if fmt == "table":
        out = outputs.console_for(sys.stdout)
        if summary is not None:
            out.print(outputs.render_table(summary, title="底数 summary"))
        if sections is None:
            view = frame[[c for c in (table_columns or frame.columns) if c in frame.columns]]
            out.print(outputs.render_table(view, title=title, labels=labels, row_styles=row_styles))
        for part in sections or []:
            out.print(outputs.render_table(part.frame, title=part.title or part.name, labels=part.labels, row_styles=part.row_styles))
        return
    if fmt == "xlsx":
        outputs.write_xlsx(output, sheets or [outputs.Sheet(name=title or "cases", frame=frame, labels=labels, row_styles=row_styles)])
    elif fmt == "csv":
        text = outputs.to_csv(frame, output, bom=output is not None, columns=columns)
        if text is not None:
            sys.stdout.write(text)
    elif fmt == "json":
        text = outputs.to_json(frame, output, columns=columns)
        if text is not None:
            sys.stdout.write(text + "\n")
    if output is not None:
        _stderr().print(f"wrote {output} ({len(frame)} rows)", highlight=False, markup=False)
        if len(ledger.rejects):
            path = outputs.errors_path_for(output)
            outputs.write_errors(ledger.rejects, path)
            _stderr().print(f"wrote {path} ({len(ledger.rejects)} rejected rows)", highlight=False, markup=False)


CASE_TABLE = ["case_no", "filed_on", "officer", "respondent", "cause", "amount", "closed_on", "categories"]
NEXT_TABLE = ["next_label", "next_due", "next_days_left", "next_state"]


# --------------------------------------------------------------------------- commands


@app.command()
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
    from backlog_cli import outputs

    fmt = resolve_format(fmt, output)
    when = as_of_date(as_of)
    data, result = load_triage(LoadOptions(ledger, config, sheet, encoding, columns), rules, when)
    cases = result.cases
    title = f"cases as of {when.date()}"
    if category:
        cases = cases[result.in_category(category)]
        title = f"{result.ruleset.category(category).label} ({category}) as of {when.date()}"
    sheets = None
    if fmt == "xlsx":
        labels = data.columns.labels()
        sheets = [outputs.Sheet(name="底数", frame=result.summary)]
        sheets += [
            outputs.Sheet(name=cat.label, frame=cases[result.flags.loc[cases.index, cat.id]], labels=labels, title=f"{cat.label} ({cat.id})")
            for cat in result.ruleset.categories
            if not category or cat.id == category
        ]
        sheets.append(outputs.Sheet(name="全部案件", frame=cases, labels=labels))
    emit(cases, fmt, output, data, title=title, summary=result.summary, table_columns=[*CASE_TABLE, *NEXT_TABLE],
         sheets=sheets)


@app.command()
def explain(
    case_no: Annotated[str, typer.Argument(help="The case number, e.g. '(2025)鲁0902执12号' (brackets and spaces are normalised).")],
    ledger: LedgerArg = None,
    rules: RulesOpt = None,
    as_of: AsOfOpt = None,
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """Why one case is (or is not) in each category: the values and conditions that decided it."""
    import pandas as pd

    from backlog_cli.parsing import parse_case_numbers

    when = as_of_date(as_of)
    data, result = load_triage(LoadOptions(ledger, config, sheet, encoding, columns), rules, when)
    wanted = parse_case_numbers(pd.Series([case_no], dtype=object))[0]["case_no"].iloc[0]
    row = data.cases[data.cases["case_no"] == wanted]
    if row.empty:
        raise BacklogError(f"no case {wanted} in the ledger ({len(data.cases)} cases loaded; rejected rows are listed above)")
    case = row.iloc[0]
    out = _stdout()
    out.print(f"{wanted}  ({Path(case['source_file']).name} [{case['source_sheet']}] row {case['source_row']}), as of {when.date()}")
    for name in ("filed_on", "officer", "applicant", "respondent", "cause", "amount", "closed_on", "close_method", "petition"):
        if name in row:
            out.print(f"  {name} ({data.columns.fields[name].label}): {_show(case[name])}")
    out.print(f"categories: {'; '.join(result.cases.loc[row.index[0], 'categories']) or '(none)'}")
    for item in result.ruleset.explain(row, when):
        for line in item.lines():
            out.print(line)
    _explain_deadlines(row.iloc[[0]], result.ruleset, when, out)


def _explain_deadlines(row: pd.DataFrame, ruleset, when: pd.Timestamp, out) -> None:
    """Each deadline's arithmetic for one case: start, + duration, + extension, + deducted days, = due."""
    from backlog_cli.deadlines import explain as explain_deadlines, load_deadlines

    for item in explain_deadlines(row, load_deadlines(ruleset), when, ruleset.evaluate(row, when)):
        left = "" if item["days_left"] is None else f", {item['days_left']} days left"
        action = f" → {item['action']}" if item["action"] and item["days_left"] is not None else ""
        out.print(f"deadline {item['id']} {item['label']}: {item['state']}{left}{action}", highlight=False, markup=False)
        for line in item["steps"]:
            out.print(f"  {line}", highlight=False, markup=False)


OVERDUE_TABLE = ["case_no", "filed_on", "age_days", "officer", "categories", "cause", "respondent"]


@app.command()
def overdue(
    ledger: LedgerArg = None,
    days: Annotated[Optional[int], typer.Option("--days", min=0, help="Cases open at --as-of for more than N days since filing.")] = None,
    deadline: Annotated[Optional[str], typer.Option("--deadline", help="Cases past this deadline (an id from the rules); with --within, coming due on it.")] = None,
    within: Annotated[Optional[int], typer.Option("--within", min=0, help="Cases coming due in the next D days, one row per case and deadline.")] = None,
    category: CategoryOpt = None,
    officer: Annotated[Optional[str], typer.Option("--officer", help="Only this officer's cases.")] = None,
    rules: RulesOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """Cases open too long (--days N, oldest first), past a deadline (--deadline ID) or coming due (--within D)."""
    from backlog_cli import outputs
    from backlog_cli.deadlines import load_deadlines, overdue_cases

    if days is None and deadline is None and within is None:
        raise typer.BadParameter("give --days N, --deadline ID or --within D", param_hint="--days")
    fmt = resolve_format(fmt, output)
    when = as_of_date(as_of)
    data, result = load_triage(LoadOptions(ledger, config, sheet, encoding, columns), rules, when)
    cases = result.cases
    if category:
        cases = cases[result.in_category(category)]
    if officer:
        cases = cases[cases["officer"].eq(officer.strip()).fillna(False)] if "officer" in cases else cases.iloc[:0]
    listed = overdue_cases(cases, load_deadlines(result.ruleset), when, days=days, deadline=deadline, within=within)
    styles = listed.cases[listed.state].map(STATE_STYLES)
    what = [f"open more than {days} days"] if days is not None else []
    what += [f"due within {within} days"] if within is not None else [f"past {deadline}"] if deadline else []
    title = f"{', '.join(what)} as of {when.date()}: {len(listed.cases)} rows"
    sheets = [outputs.Sheet("overdue", listed.cases, labels=data.columns.labels(), row_styles=styles, title=title)]
    emit(listed.cases, fmt, output, data, title=title, row_styles=styles, sheets=sheets,
         table_columns=[*OVERDUE_TABLE, *listed.columns])


def _stdout():
    from backlog_cli.outputs import console_for

    return console_for(sys.stdout)


def _show(value) -> str:
    import pandas as pd

    if value is None or (not isinstance(value, (list, str)) and pd.isna(value)):
        return "-"
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    return str(value)


rules_app = typer.Typer(cls=BacklogGroup, no_args_is_help=True, help="List, show and check rulesets.")
app.add_typer(rules_app, name="rules")


@rules_app.command("list")
def rules_list() -> None:
    """The bundled rulesets and their categories."""
    import pandas as pd

    from backlog_cli import outputs
    from backlog_cli.rules import list_bundled

    rows = [
        {"ruleset": b.name, "description": b.description, "categories": "; ".join(f"{c.id} {c.label}" for c in b.categories)}
        for b in list_bundled()
    ]
    _stdout().print(outputs.render_table(pd.DataFrame(rows), title="bundled rulesets (use with --rules NAME)"))


@rules_app.command("show")
def rules_show(name: Annotated[str, typer.Argument(help="A bundled ruleset name or a rules file.")]) -> None:
    """A ruleset's categories, in priority order, with their conditions and sources."""
    import pandas as pd

    from backlog_cli import outputs
    from backlog_cli.rules import load_rules

    ruleset = load_rules([name])
    out = _stdout()
    out.print(f"{ruleset.name}: {ruleset.description}", highlight=False, markup=False)
    rows = [
        {"priority": c.priority, "id": c.id, "label": c.label, "description": c.description, "source": c.source}
        for c in ruleset.categories
    ]
    out.print(outputs.render_table(pd.DataFrame(rows), title="categories"))
    for path in ruleset.sources:
        out.print(f"from {path}", highlight=False, markup=False)


@rules_app.command("check")
def rules_check(path: Annotated[Path, typer.Argument(help="The rules file to check.")]) -> None:
    """Check a rules file; every problem is listed with file:line:column. Exit 2 when invalid."""
    from backlog_cli.rules import load_rules

    ruleset = load_rules([str(path)])
    typer.echo(f"ok: {path}: {len(ruleset.categories)} categories")


@app.command()
def inspect(
    ledger: LedgerArg = None,
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """Show how a ledger is read: sheets, header row, column mapping, counts, rejects, bad values."""
    import pandas as pd

    from backlog_cli import outputs

    data = load(LoadOptions(ledger, config, sheet, encoding, columns))
    out = outputs.console_for(sys.stdout)
    sheets = pd.DataFrame(
        [
            {"file": Path(s.file).name, "sheet": s.sheet, "header row": s.header_row or "-", "rows": s.rows_read,
             "cases": s.cases, "skipped": s.skipped, "rejected": s.rejected, "note": s.note}
            for s in data.sheets
        ]
    )
    out.print(outputs.render_table(sheets, title="sheets"))
    mapping = pd.DataFrame(
        [
            {"sheet": s.sheet, "header": h, "field": f, "known": "yes" if f in data.columns.fields else "kept as is"}
            for s in data.sheets for h, f in s.mapping.items()
        ]
    )
    if len(mapping):
        out.print(outputs.render_table(mapping.drop_duplicates(["header", "field"]), title="column mapping"))
    if len(data.skipped):
        out.print(outputs.render_table(data.skipped.assign(file=data.skipped["file"].map(lambda f: Path(f).name)), title="skipped rows"))
    if len(data.rejects):
        out.print(outputs.render_table(data.rejects.assign(file=data.rejects["file"].map(lambda f: Path(f).name)), title="rejected rows"))
    if len(data.problems):
        per_column = data.problems.groupby(["column", "problem"]).size().rename("rows").reset_index()
        out.print(outputs.render_table(per_column, title="value problems per column"))
        out.print(outputs.render_table(data.problems.assign(file=data.problems["file"].map(lambda f: Path(f).name)), title="unreadable values (kept as blank)"))


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the starter settings file.")] = Path("backlog.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter backlog.yaml."""
    from backlog_cli.config import write_starter

    typer.echo(f"wrote {write_starter(path, force)}")


@app.command()
def sample(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write: .xlsx or .csv.")],
    rows: Annotated[int, typer.Option("--rows", min=1, help="Number of case rows.")] = 300,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same file.")] = 1,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="The day the ledger is drawn up to (default 2026-11-23, the committed samples' day).")] = None,
    encoding: Annotated[Optional[str], typer.Option("--encoding", help="CSV encoding (default utf-8-sig; gbk as Excel saves).")] = None,
    clean: Annotated[bool, typer.Option("--clean", help="No deliberately messy values or bad rows.")] = False,
) -> None:
    """Generate a realistic sample ledger (deterministic for a seed)."""
    from backlog_cli.sample import DEFAULT_AS_OF, write_sample

    if output.suffix.lower() not in (".xlsx", ".csv"):
        raise typer.BadParameter("the sample is written as .xlsx or .csv", param_hint="--output")
    when = as_of_date(as_of).date() if as_of else DEFAULT_AS_OF
    write_sample(output, rows, seed, as_of=when, encoding=encoding, messy=not clean)
    typer.echo(f"wrote {output} ({rows} rows, seed {seed})")


# --------------------------------------------------------------------------- nightly run, history


def _step_log(quiet: bool):
    """One plain line per step on stderr (none with --quiet)."""
    if quiet:
        return None
    err = _stderr()
    return lambda line: err.print(line, highlight=False, markup=False)


@app.command()
def run(
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only warnings and errors.")] = False,
) -> None:
    """The nightly pass: load, classify, deadlines, assign, write dated outputs, record the history.

    Exit codes: 0 clean; 1 done, but rows were rejected or rules warned; 2 nothing produced;
    3 another run is going.
    """
    from backlog_cli.config import load_config
    from backlog_cli.run import nightly_run

    settings = load_config(config)
    when = as_of_date(as_of)
    err = _stderr()
    log = _step_log(quiet)
    if err.is_terminal and not quiet:
        with err.status("loading ledger…") as status:
            summary = nightly_run(settings, when, log=log, progress=lambda msg: status.update(msg))
    else:
        summary = nightly_run(settings, when, log=log)
    for warning in summary.warnings:
        err.print(f"warning: {warning}", highlight=False, markup=False)
    if summary.rejects is not None and len(summary.rejects):
        err.print(f"{len(summary.rejects)} rejected rows: see {summary.folder / 'errors.csv'}", highlight=False, markup=False)
    if not quiet:
        err.print(f"done: {summary.folder} (exit {summary.exit_code})", highlight=False, markup=False)
    raise typer.Exit(summary.exit_code)


def _open_history(config: Path | None):
    from backlog_cli.config import load_config
    from backlog_cli.history import open_history
    from backlog_cli.run import history_target

    return open_history(history_target(load_config(config)), create=False)


def _write(frame: pd.DataFrame, fmt: str, output: Path | None, title: str, summary: pd.DataFrame | None = None) -> None:
    """A ledger-less result in the chosen format (a counts table first on the terminal)."""
    from backlog_cli import outputs

    if fmt == "table" and summary is not None:
        outputs.console_for(sys.stdout).print(outputs.render_table(summary))
    outputs.write_output(frame, fmt, output, title=title, sheet_name=title.split(" ")[0])
    if output is not None:
        _stderr().print(f"wrote {output}", highlight=False, markup=False)


@app.command()
def history(config: ConfigOpt = None, fmt: FormatOpt = None, output: OutputOpt = None) -> None:
    """List the recorded runs, oldest first, with their counts."""
    fmt = resolve_format(fmt, output)
    with _open_history(config) as store:
        runs = store.list_runs()
    _write(runs, fmt, output, f"runs ({len(runs)})")


@app.command()
def diff(
    since: Annotated[Optional[str], typer.Option("--since", help="Compare with the run on or before this date (default: the previous run).")] = None,
    config: ConfigOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """What changed between the latest run and an earlier one: new, closed, newly overdue, reassigned, category changes."""
    import pandas as pd

    from backlog_cli.history import CHANGES, changes_since, diff_frame

    fmt = resolve_format(fmt, output)
    when = as_of_date(since, "--since").date() if since else None
    with _open_history(config) as store:
        base, latest, changes = changes_since(store, when)
    counts = pd.DataFrame({"change": list(CHANGES), "cases": [len(changes[c]) for c in CHANGES]})
    _write(diff_frame(changes), fmt, output, f"changes {base} → {latest}", summary=counts)


report_app = typer.Typer(cls=BacklogGroup, no_args_is_help=True, help="Reports sent upward.")
app.add_typer(report_app, name="report")


@report_app.command("monthly")
def report_monthly(
    month: Annotated[str, typer.Option("--month", help="The month, YYYY-MM: cases closed in it and open at its end.")],
    ledger: LedgerArg = None,
    rules: RulesOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """The monthly report (by the 28th): per category closed and open, every open key case's reason, next step and time limit, per officer; xlsx with charts."""
    from backlog_cli import outputs
    from backlog_cli.history import open_history
    from backlog_cli.report import monthly_report, parse_month, trend_frame, write_report
    from backlog_cli.run import history_target

    fmt = resolve_format(fmt, output)
    period = parse_month(month)
    end = period.end_time.normalize()
    opts = LoadOptions(ledger, config, sheet, encoding, columns)
    _, result = load_triage(opts, rules, end)
    trend = None
    target = history_target(opts.config)
    if "://" in target or Path(target).exists():
        with open_history(target) as store:
            trend = trend_frame(store.run_counts(), end)
    categories = [(c.id, c.label) for c in result.ruleset.categories]
    report = monthly_report(result.cases, result.flags, categories, period, trend)
    if fmt == "table":
        out = outputs.console_for(sys.stdout)
        from backlog_cli.report import LABELS

        out.print(report.title, highlight=False, markup=False)
        for name, frame in report.tables().items():
            if len(frame):
                out.print(outputs.render_table(frame, title=name, labels=LABELS))
        return
    if output is None:
        frame = report.key_cases
        text = outputs.to_csv(frame) if fmt == "csv" else outputs.to_json_payload(
            {"month": str(report.month), "end": report.end, **report.tables()})
        sys.stdout.write(text)
        return
    for path in write_report(report, fmt, output):
        _stderr().print(f"wrote {path}", highlight=False, markup=False)


# --------------------------------------------------------------------------- task lists and ranking

ByOpt = Annotated[str, typer.Option("--by", help="Group by this ledger field (officer, team, court, …).")]
MARK_STYLES = {"约谈": "overdue", "督导": "due_soon"}


@app.command()
def rank(
    ledger: LedgerArg = None,
    period: Annotated[str, typer.Option("--period", help="week (Monday to Sunday) or month.")] = "week",
    periods: Annotated[int, typer.Option("--periods", min=1, help="Number of periods, the last full one last.")] = 4,
    by: ByOpt = "officer",
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """Rank officers per week or month by cases closed and closing rate; bottom three 督导, three in a row 约谈."""
    from backlog_cli import outputs
    from backlog_cli.assignment import ranking

    fmt = resolve_format(fmt, output)
    when = as_of_date(as_of)
    data = load(LoadOptions(ledger, config, sheet, encoding, columns))
    table = ranking(data.cases, when, period, periods, by)
    styles = table["mark"].map(MARK_STYLES)
    title = f"ranking by {by}, {periods} {period}{'s' if periods > 1 else ''} to {table['period_end'].max().date() if len(table) else when.date()}"
    sheets = [outputs.Sheet("ranking", table, labels=data.columns.labels(), row_styles=styles, title=title)]
    shown = [c for c in table.columns if c != "rank"]  # rank_label says it, ties included
    emit(table, fmt, output, data, title=title, sheets=sheets, row_styles=styles, table_columns=shown)


ASSIGN_COLUMNS = ["case_no", "filed_on", "age_days", "applicant", "respondent", "cause", "amount", "categories",
                  "next_label", "next_due", "next_days_left", "next_state", "next_action"]
STATE_STYLES = {"overdue": "overdue", "due_soon": "due_soon"}
SPLIT_FORMATS = ("csv", "json", "xlsx")


def _section_titles(overview: pd.DataFrame, by: str) -> list[str]:
    """One heading per group: its counts and weekly target."""
    target = overview["weekly_target"].astype("str").fillna("—")
    text = (overview[by] + ": " + overview["open"].astype("str") + " open, " + overview["overdue"].astype("str")
            + " overdue, " + overview["due_this_week"].astype("str") + " due this week, "
            + overview["key_cases"].astype("str") + " key cases, weekly target " + target)
    return text.tolist()


@app.command()
def assign(
    ledger: LedgerArg = None,
    by: ByOpt = "officer",
    targets: Annotated[Optional[Path], typer.Option("--targets", help="Weekly close targets: YAML or a two-column sheet (default: `targets` in backlog.yaml).")] = None,
    split: Annotated[Optional[Path], typer.Option("--split", help="Write one file per officer into this folder (format from --format, default xlsx).")] = None,
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
    from backlog_cli import outputs
    from backlog_cli.assignment import file_stems, read_targets, task_lists

    if split is not None and output is not None:
        raise typer.BadParameter("give --split DIR or --output FILE, not both", param_hint="--split")
    fmt = (fmt or "xlsx").lower() if split is not None else resolve_format(fmt, output)
    if split is not None and fmt not in SPLIT_FORMATS:
        raise typer.BadParameter(f"split files are {', '.join(SPLIT_FORMATS)}, not '{fmt}'", param_hint="--format")
    when = as_of_date(as_of)
    opts = LoadOptions(ledger, config, sheet, encoding, columns)
    target_file = targets or opts.config.targets
    goals = read_targets(target_file) if target_file else None
    data, result = load_triage(opts, rules, when)
    lists = task_lists(result.cases, when, by, goals, result.key_cases())
    if lists.unknown_targets:
        _stderr().print(f"warning: targets for {'、'.join(lists.unknown_targets)}, who have no cases in the ledger",
                        highlight=False, markup=False)
    labels = data.columns.labels()
    wanted = [by, *(c for c in ASSIGN_COLUMNS if c in lists.cases.columns and c != by)]
    titles = _section_titles(lists.overview, by)
    sections = [
        outputs.Sheet(name, part[wanted[1:]], labels=labels, row_styles=part["next_state"].map(STATE_STYLES), title=title)
        for (name, part), title in zip(lists.groups(), titles)
    ]
    if split is not None:
        for sec, stem in zip(sections, file_stems([s.name for s in sections])):
            outputs.write_output(sec.frame, fmt, split / f"{stem}.{fmt}", sheets=[sec])
        _stderr().print(f"wrote {len(sections)} {fmt} files to {split}", highlight=False, markup=False)
        return
    title = f"task lists by {by} as of {when.date()}"
    overview = outputs.Sheet("overview", lists.overview, labels=labels, title=title)
    emit(lists.cases, fmt, output, data, title=title, sheets=[overview, *sections], sections=[overview, *sections], columns=wanted)


def main() -> None:
    app()
