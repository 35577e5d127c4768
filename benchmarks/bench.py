"""Benchmark `backlog classify` against what an analyst would otherwise run.

Usage (from the repository root, in the project's environment):

    python benchmarks/bench.py                       # 10k, 100k, 200k, 1M rows; writes docs/benchmarks.md
    python benchmarks/bench.py --sizes 10000 --no-docs   # a quick run
    python benchmarks/bench.py --skip-openpyxl       # leave out pandas' default xlsx reader (slow)
    python benchmarks/bench.py --skip-xlsx-out       # leave out the xlsx writers (about 3 minutes)
    python benchmarks/bench.py --skip-commands       # leave out overdue, assign, rank, report and run

Every measurement runs in a fresh Python process so that its peak memory (ru_maxrss) is its own.
Generated ledgers are cached in --cache (default: benchmarks/.data, git-ignored).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

AS_OF = "2026-03-31"
XLSX_MAX = 200_000
RULES_30 = ["default", "campaign-2008", "county-seven", "juesheng-2017", "sanqingli-2016"]
ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


# --------------------------------------------------------------------------- child tasks


def _peak_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def task_classify(path: str, out: str) -> dict:
    """`backlog classify PATH --format csv --output OUT` in-process, timed by phase."""
    import pandas as pd

    from backlog_cli import outputs
    from backlog_cli.deadlines import load_deadlines
    from backlog_cli.loading import load_ledger
    from backlog_cli.rules import load_rules
    from backlog_cli.triage import triage

    as_of = pd.Timestamp(AS_OF)
    t0 = time.perf_counter()
    ruleset = load_rules(None)
    deadlines = load_deadlines(ruleset)
    ledger = load_ledger([path])
    t1 = time.perf_counter()
    rows = len(triage(ledger.cases, ruleset, as_of).cases)  # not kept: the command holds one triage result
    t2 = time.perf_counter()
    result = triage(ledger.cases, ruleset, as_of, deadlines)
    t3 = time.perf_counter()
    outputs.to_csv(result.cases, out)
    t4 = time.perf_counter()
    deadline_s = (t3 - t2) - (t2 - t1)
    return {"load": t1 - t0, "classify": t2 - t1, "deadlines": max(deadline_s, 0.0), "output": t4 - t3,
            "total": (t1 - t0) + (t3 - t2) + (t4 - t3), "rows": rows}


def task_cli(path: str, out: str) -> dict:
    """The installed `backlog` command in a subprocess."""
    t0 = time.perf_counter()
    subprocess.run(["backlog", "classify", path, "--as-of", AS_OF, "--format", "csv", "--output", out],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"total": time.perf_counter() - t0, "peak_mb": _peak_mb(children=True)}


def _keyword_rules() -> list[tuple[str, list[str]]]:
    """(field, keywords) of every contains_any condition in the default rules."""
    from backlog_cli.rules import load_rules

    found = []
    for cat in load_rules(None).categories:
        for leaf in cat.condition.leaves():
            if leaf.op == "contains_any":
                found.append((leaf.column.name, leaf.param))
    return found


def task_analyst(path: str, out: str) -> dict:
    """pandas' default reader, one str.contains per keyword rule, then to_excel (to_csv for CSV)."""
    import pandas as pd

    from backlog_cli.loading import load_columns

    columns = load_columns()
    t0 = time.perf_counter()
    if path.endswith(".xlsx"):
        sheets = pd.read_excel(path, sheet_name=None, header=2)
        frame = pd.concat([f for f in sheets.values() if f.shape[1] > 5], ignore_index=True)
    else:
        frame = pd.read_csv(path)
    t1 = time.perf_counter()
    headers = {columns.field_for(str(h)): h for h in frame.columns}
    for i, (fieldname, words) in enumerate(_keyword_rules()):
        if fieldname in headers:
            frame[f"rule{i}"] = frame[headers[fieldname]].astype(str).str.contains("|".join(words))
    t2 = time.perf_counter()
    if path.endswith(".xlsx"):
        frame.to_excel(out.replace(".csv", ".xlsx"), index=False)
    else:
        frame.to_csv(out, index=False)
    t3 = time.perf_counter()
    return {"load": t1 - t0, "classify": t2 - t1, "output": t3 - t2, "total": t3 - t0}


def task_calamine(path: str, out: str) -> dict:
    import pandas as pd

    t0 = time.perf_counter()
    pd.read_excel(path, sheet_name=None, header=None, engine="calamine")
    return {"total": time.perf_counter() - t0}


def task_calamine_script(path: str, out: str) -> dict:
    """`read_excel(engine="calamine")` as a script of its own (Python's start and the pandas
    import included): what the command, end to end, compares with."""
    code = f"import pandas; pandas.read_excel({path!r}, sheet_name=None, header=None, engine='calamine')"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return {"total": time.perf_counter() - t0, "peak_mb": _peak_mb(children=True)}


def task_fastexcel(path: str, out: str) -> dict:
    try:
        import fastexcel
    except ImportError:
        return {"skipped": "fastexcel not installed"}
    t0 = time.perf_counter()
    reader = fastexcel.read_excel(path)
    for name in reader.sheet_names:
        reader.load_sheet(name, header_row=None)  # bare decode to Arrow, types guessed
    return {"total": time.perf_counter() - t0}


def task_rows(path: str, out: str) -> dict:
    """The default rules row by row in Python vs vectorised, on the loaded cases."""
    import pandas as pd

    from backlog_cli.loading import load_ledger
    from backlog_cli.rules import load_rules

    cases = load_ledger([path]).cases
    ruleset = load_rules(None)
    as_of = pd.Timestamp(AS_OF)
    t0 = time.perf_counter()
    ctx = ruleset.evaluate(cases, as_of)
    t1 = time.perf_counter()
    rows = _row_by_row(cases, ruleset, as_of)
    t2 = time.perf_counter()
    # the two must agree case by case, or the comparison is of different work
    differ = sum(int((ctx.masks[c].to_numpy() != [r[c] for r in rows]).sum()) for c in ctx.masks)
    if differ:
        raise AssertionError(f"row by row and vectorised disagree on {differ} case-category pairs")
    return {"vectorised": t1 - t0, "total": t2 - t1}


def _row_by_row(cases, ruleset, as_of) -> list[dict[str, bool]]:
    import re

    import pandas as pd

    from backlog_cli.rules import STANDING_FIELDS, CategoryRef, Combined, Leaf, normalize_value

    cutoffs: dict = {}

    def cutoff(span):
        if span not in cutoffs:
            cutoffs[span] = span.cutoff(as_of)
        return cutoffs[span]

    def value(v):
        return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v

    def leaf(node: Leaf, row: dict, done: dict) -> bool:
        op, p = node.op, node.param
        if op in ("open", "closed"):  # filed by --as-of, and closed by then or not
            f, c = value(row.get("filed_on")), value(row.get("closed_on"))
            filed, closed = f is not None and f <= as_of, c is not None and c <= as_of
            return (filed and (closed if op == "closed" else not closed)) == p
        if op == "case_type":
            return row.get("case_type") in p
        v = value(row.get(node.column.name))
        if node.column.not_yet(v, as_of):  # an event dated after --as-of has not happened yet
            v = None
        events = STANDING_FIELDS.get(node.column.name, ()) if node.column.canonical else ()
        if any((d := value(row.get(e))) is not None and d > as_of for e in events):
            v = None  # a status or close method set by an event after --as-of
        if node.column.kind == "text" and isinstance(v, str):  # compared as the rules compare text
            v = normalize_value(v)
        if op == "contains_any":
            return v is not None and any(w in v for w in p)
        if op == "matches":
            return v is not None and re.search(p, v) is not None
        if op in ("is_blank", "not_blank"):
            blank = v is None or (isinstance(v, str) and not v.strip())
            return blank == p if op == "is_blank" else (not blank) == p
        if v is None:
            return False
        if op == "equals":
            return v == p
        if op == "in":
            return v in p
        if op == "not_in":
            return v not in p
        if op in ("older_than", "newer_than"):
            return v < cutoff(p) if op == "older_than" else v >= cutoff(p)
        bound = {"gt": v.__gt__, "gte": v.__ge__, "lt": v.__lt__, "lte": v.__le__, "before": v.__lt__, "after": v.__gt__}
        if op in bound:
            return bool(bound[op](p))
        if op == "between":
            return p[0] <= v <= p[1]
        raise ValueError(op)

    def holds(cond, row, done) -> bool:
        if isinstance(cond, Leaf):
            return leaf(cond, row, done)
        if isinstance(cond, CategoryRef):
            return done[cond.category]
        assert isinstance(cond, Combined)
        if cond.kind == "not":
            return not holds(cond.children[0], row, done)
        test = all if cond.kind == "all" else any
        return test(holds(c, row, done) for c in cond.children)

    by_id = {c.id: c for c in ruleset.categories}
    results = []
    for row in cases.to_dict("records"):
        done: dict[str, bool] = {}
        for cid in ruleset._order:
            done[cid] = holds(by_id[cid].condition, row, done)
        results.append(done)
    return results


def task_rules30(path: str, out: str) -> dict:
    """30 categories (every bundled ruleset, topped up with renamed copies) on the loaded cases."""
    import dataclasses

    import pandas as pd

    from backlog_cli.loading import load_ledger
    from backlog_cli.rules import load_rules

    cases = load_ledger([path]).cases
    base = load_rules(RULES_30)
    cats = list(base.categories)
    cats += [dataclasses.replace(c, id=f"{c.id}-copy") for c in base.categories[: 30 - len(cats)]]
    ruleset = dataclasses.replace(base, name="thirty", categories=cats)  # with the deadlines some categories read
    t0 = time.perf_counter()
    ruleset.classify(cases, pd.Timestamp(AS_OF))
    return {"total": time.perf_counter() - t0, "categories": len(ruleset.categories), "rows": len(cases)}


def _main_sheet(path: str):
    """The 全部案件 sheet that `backlog classify PATH -o out.xlsx` writes."""
    import pandas as pd

    from backlog_cli.deadlines import load_deadlines
    from backlog_cli.loading import load_ledger
    from backlog_cli.rules import load_rules
    from backlog_cli.rules import TOTAL_LABEL as ALL_SHEET
    from backlog_cli.triage import display_labels, triage, triage_sheets

    ruleset = load_rules(None)
    ledger = load_ledger([path])
    result = triage(ledger.cases, ruleset, pd.Timestamp(AS_OF), load_deadlines(ruleset))
    sheets = triage_sheets(result, display_labels(ledger.columns.labels(), result.deadlines))
    return next(s for s in sheets if s.name == ALL_SHEET)


def _plain_frame(sheet):
    """The sheet as an analyst would hand it to pandas: the same columns, lists joined, labels as headers."""
    from backlog_cli.outputs import DISPLAY_LIST_SEP, join_lists

    frame = sheet.frame[[c for c in sheet.frame.columns if not str(c).startswith("_")]].copy()
    frame["categories"] = join_lists(frame["categories"], DISPLAY_LIST_SEP)
    return frame.rename(columns=lambda c: sheet.labels.get(c, c))


def task_xlsx_ours(path: str, out: str) -> dict:
    """`outputs.write_xlsx` of the main sheet alone (formats, widths, frozen header, filter)."""
    from backlog_cli import outputs

    sheet = _main_sheet(path)
    t0 = time.perf_counter()
    outputs.write_xlsx(out.replace(".csv", ".xlsx"), [sheet])
    return {"total": time.perf_counter() - t0, "rows": len(sheet.frame), "columns": sheet.frame.shape[1]}


def task_xlsx_pandas(path: str, out: str) -> dict:
    """`DataFrame.to_excel(engine="xlsxwriter")` of the same sheet."""
    frame = _plain_frame(_main_sheet(path))
    t0 = time.perf_counter()
    frame.to_excel(out.replace(".csv", ".xlsx"), engine="xlsxwriter", index=False)
    return {"total": time.perf_counter() - t0}


def task_xlsx_rows(path: str, out: str) -> dict:
    """The same sheet's rows written one `write_row` at a time through xlsxwriter (dates formatted)."""
    import xlsxwriter

    frame = _plain_frame(_main_sheet(path))
    t0 = time.perf_counter()
    workbook = xlsxwriter.Workbook(out.replace(".csv", ".xlsx"),
                                   {"default_date_format": "yyyy-mm-dd", "nan_inf_to_errors": True})
    ws = workbook.add_worksheet()
    ws.write_row(0, 0, list(frame.columns))
    cells = frame.astype(object)
    for row, values in enumerate(cells.where(cells.notna(), None).itertuples(index=False, name=None), 1):
        ws.write_row(row, 0, values)
    workbook.close()
    return {"total": time.perf_counter() - t0}


def task_help(path: str, out: str) -> dict:
    t0 = time.perf_counter()
    subprocess.run(["backlog", "--help"], check=True, stdout=subprocess.DEVNULL)
    return {"total": time.perf_counter() - t0}


# The commands a clerk runs on a ledger, each as the installed command in a fresh process: {ledger},
# and {folder}, a new folder for what it writes. `run` reads a settings file naming the ledger.
COMMANDS = {
    "classify -o x.csv": ["classify", "{ledger}", "--as-of", AS_OF, "-o", "{folder}/classify.csv"],
    "classify -o x.xlsx": ["classify", "{ledger}", "--as-of", AS_OF, "-o", "{folder}/classify.xlsx"],
    "overdue --days 180 -o x.csv": ["overdue", "{ledger}", "--days", "180", "--as-of", AS_OF, "-o", "{folder}/overdue.csv"],
    "assign -o x.csv": ["assign", "{ledger}", "--as-of", AS_OF, "-o", "{folder}/assign.csv"],
    "assign --split DIR": ["assign", "{ledger}", "--as-of", AS_OF, "--split", "{folder}/任务"],
    "rank -o x.csv": ["rank", "{ledger}", "--as-of", AS_OF, "-o", "{folder}/rank.csv"],
    "report monthly -o x.xlsx": ["report", "monthly", "{ledger}", "--month", AS_OF[:7], "--as-of", AS_OF,
                                 "-o", "{folder}/report.xlsx"],
    "run": ["run", "--config", "{folder}/backlog.yaml", "--as-of", AS_OF, "--quiet"],
}


def task_command(name: str, path: str, out: str) -> dict:
    """One of COMMANDS in a subprocess, writing into a new folder beside ``out``; its peak memory."""
    import shutil

    folder = Path(out).with_suffix("")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "backlog.yaml").write_text(f"ledger: {path}\noutput_dir: {folder / 'outputs'}\n", encoding="utf-8")
    args = ["backlog", *(a.format(ledger=path, folder=folder) for a in COMMANDS[name])]
    t0 = time.perf_counter()
    proc = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):  # 1: done, with rejected rows or warnings (the sample ledgers have both)
        raise RuntimeError(f"{' '.join(args)}: exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    shutil.rmtree(folder, ignore_errors=True)
    return {"total": elapsed, "peak_mb": _peak_mb(children=True)}


TASKS = {name[5:]: fn for name, fn in globals().items() if name.startswith("task_") and name != "task_command"}
TASKS.update({f"command:{name}": functools.partial(task_command, name) for name in COMMANDS})


# --------------------------------------------------------------------------- driver


def measure(task: str, path: Path, cache: Path) -> dict:
    """Run one task in a fresh interpreter; its result plus the process's peak memory."""
    out = cache / f"out-{task}-{path.stem}.csv"
    proc = subprocess.run([sys.executable, __file__, "--child", task, str(path), str(out)],
                          capture_output=True, text=True)
    if proc.returncode:
        error = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        print(f"  {task} on {path.name} failed: {error}", flush=True)  # the table says only "error"
        return {"error": error}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def ledger(cache: Path, rows: int, suffix: str) -> Path:
    """The generated ledger, made in a child process: this process stays small, because a child
    starts with its parent's peak memory as its own (ru_maxrss is kept across fork and exec), which
    had hidden every peak below the generator's 122 MB."""
    path = cache / f"ledger-{rows}{suffix}"
    if not path.exists():
        print(f"  generating {path.name} …", flush=True)
        subprocess.run([sys.executable, __file__, "--generate", str(path), str(rows)], check=True)
    return path


def machine() -> str:
    from importlib import metadata

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        arrow = f"pyarrow {metadata.version('pyarrow')}"
    except metadata.PackageNotFoundError:
        arrow = "no pyarrow"
    return (f"{cpu}, {os.cpu_count()} cores, {ram:.0f} GB RAM; Python {platform.python_version()}, "
            f"pandas {metadata.version('pandas')}, {arrow}")


def fmt(result: dict, key: str = "total") -> str:
    if "skipped" in result:
        return "skipped"
    if "error" in result:
        return "error"
    return f"{result[key]:.2f}" if key in result else ""


def run(args: argparse.Namespace) -> list[str]:
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    lines = ["| ledger | what | total s | load s | classify s | deadlines s | output s | peak MB | vs classify |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    help_s = measure("help", Path(__file__), cache)
    notes = [f"`backlog --help`: {fmt(help_s)} s"]
    for rows in args.sizes:
        for suffix in (".xlsx", ".csv"):
            if suffix == ".xlsx" and rows > XLSX_MAX:
                continue
            path = ledger(cache, rows, suffix)
            name = f"{rows:,} {suffix[1:]}"
            print(f"{name}:", flush=True)
            tasks = ["classify", "cli", "calamine", "calamine_script", "fastexcel", "analyst", "rows"] if suffix == ".xlsx" \
                else ["classify", "cli", "analyst", "rows"]
            if args.skip_openpyxl and suffix == ".xlsx" and rows > 10_000:
                tasks.remove("analyst")
            if rows > args.row_loop_max:
                tasks.remove("rows")
            results = {t: measure(t, path, cache) for t in tasks}
            base = results["classify"].get("total")
            for task, res in results.items():
                ratio = f"{res['total'] / base:.2f}x" if base and "total" in res else ""
                label = {"classify": "backlog classify (in-process)", "cli": "backlog classify (CLI)",
                         "calamine": "pandas read_excel calamine (read only)",
                         "calamine_script": "the same as a script (python -c, read only)",
                         "fastexcel": "fastexcel decode (read only)", "analyst": "analyst script",
                         "rows": "rules row by row (rules only)"}[task]
                peak = f"{res['peak_mb']:.0f}" if "peak_mb" in res else ""
                line = (f"| {name} | {label} | {fmt(res)} | {fmt(res, 'load')} | {fmt(res, 'classify')} | "
                        f"{fmt(res, 'deadlines')} | {fmt(res, 'output')} | {peak} | {ratio} |")
                if task == "rows" and "vectorised" in res:
                    notes.append(f"{name}: default rules vectorised {res['vectorised']:.3f} s, row by row "
                                 f"{res['total']:.2f} s ({res['total'] / res['vectorised']:.0f}x)")
                print("  " + line, flush=True)
                lines.append(line)
        if rows == max(args.sizes):
            r30 = measure("rules30", ledger(cache, rows, ".csv"), cache)
            notes.append(f"{r30['rows']:,} cases x {r30['categories']} categories (all bundled rulesets): "
                         f"{r30['total']:.2f} s" if "total" in r30 else f"30 categories: failed ({r30['error']})")
    xlsx_sizes = [rows for rows in args.sizes if rows <= XLSX_MAX]
    writing = xlsx_writers(ledger(cache, max(xlsx_sizes), ".xlsx"), cache) if xlsx_sizes and not args.skip_xlsx_out else []
    commands = commands_table(ledger(cache, max(xlsx_sizes), ".xlsx"), cache) if xlsx_sizes and not args.skip_commands else []
    return [f"Machine: {machine()}", "", *lines, "", *writing, *commands, *(f"- {n}" for n in notes)]


def commands_table(path: Path, cache: Path) -> list[str]:
    """Every command a clerk runs on the largest xlsx ledger, against classify's own time."""
    print(f"commands, {path.name}:", flush=True)
    results = {name: measure(f"command:{name}", path, cache) for name in COMMANDS}
    base = results["classify -o x.csv"].get("total")
    lines = [f"The commands on `{path.name}` (`--as-of {AS_OF}`), each the installed command in a fresh process; "
             "the load is most of each:", "",
             "| command | s | peak MB | vs classify |", "| --- | ---: | ---: | ---: |"]
    for name, res in results.items():
        ratio = f"{res['total'] / base:.2f}x" if base and "total" in res else ""
        peak = f"{res['peak_mb']:.0f}" if "peak_mb" in res else ""
        line = f"| `backlog {name}` | {fmt(res)} | {peak} | {ratio} |"
        print("  " + line, flush=True)
        lines.append(line)
    return [*lines, ""]


def xlsx_writers(path: Path, cache: Path) -> list[str]:
    """The main sheet of `backlog classify -o out.xlsx` written by our writer, by pandas and row by row."""
    print(f"xlsx writing, {path.name}:", flush=True)
    results = {t: measure(t, path, cache) for t in ("xlsx_ours", "xlsx_pandas", "xlsx_rows")}
    ours = results["xlsx_ours"]
    shape = f"{ours['rows']:,} rows x {ours['columns']} columns" if "rows" in ours else "failed"
    lines = [f"Writing the 全部案件 sheet of `backlog classify {path.name} -o out.xlsx` ({shape}), write only:", "",
             "| writer | s | peak MB (with the load) | vs backlog |", "| --- | ---: | ---: | ---: |"]
    labels = {"xlsx_ours": "backlog (`outputs.write_xlsx`)",
              "xlsx_pandas": "pandas `to_excel(engine=\"xlsxwriter\")`",
              "xlsx_rows": "xlsxwriter `write_row` per row"}
    for task, res in results.items():
        ratio = f"{res['total'] / ours['total']:.2f}x" if "total" in res and "total" in ours else ""
        peak = f"{res['peak_mb']:.0f}" if "peak_mb" in res else ""
        line = f"| {labels[task]} | {fmt(res)} | {peak} | {ratio} |"
        print("  " + line, flush=True)
        lines.append(line)
    return [*lines, ""]


def write_doc(block: list[str]) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    DOC.write_text(head + BEGIN + "\n" + "\n".join(block) + "\n" + END + tail, encoding="utf-8")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--generate":
        from backlog_cli.sample import write_sample

        write_sample(Path(sys.argv[2]), int(sys.argv[3]), messy=True)
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        task, path, out = sys.argv[2:5]
        result = TASKS[task](path, out)
        result.setdefault("peak_mb", _peak_mb())
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")],
                        default=[10_000, 100_000, 200_000, 1_000_000], help="comma-separated row counts")
    parser.add_argument("--cache", default=str(Path(__file__).parent / ".data"), help="where ledgers are kept")
    parser.add_argument("--skip-openpyxl", action="store_true", help="no analyst script on xlsx above 10k rows")
    parser.add_argument("--row-loop-max", type=int, default=200_000, help="largest ledger for the row-by-row rules")
    parser.add_argument("--skip-xlsx-out", action="store_true",
                        help="leave out the xlsx writers (the largest xlsx ledger's main sheet, three ways)")
    parser.add_argument("--skip-commands", action="store_true",
                        help="leave out the other commands (overdue, assign, rank, report, run) on the largest xlsx ledger")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    block = run(args)
    print("\n".join(block))
    if not args.no_docs:
        write_doc(block)
        print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
