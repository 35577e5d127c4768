"""Task lists per officer (任务到人), weekly close targets (每周结案任务数) and the officer ranking.

Task lists: the cases open at --as-of (filed on or before it, no close date on or before it),
grouped by a ledger column (the officer by default; names compared after :func:`normalize_person`),
groups in pinyin order (:func:`group_order`, 未分配 last), each group ordered by urgency: overdue
first (most days over first), then due soonest (by ``next_days_left``), then the cases whose most
pressing deadline is suspended (a 中止 running: urgent on no day), then oldest filing date.
Cases with a blank group value form the explicit group ``未分配``. "Due this week" counts cases with
a deadline coming due from --as-of through the Sunday of --as-of's week (weeks run Monday to
Sunday); overdue cases are counted apart.

Weekly targets come from a targets file (YAML, or a two-column spreadsheet or CSV: officer,
target) and/or a rule: ``share`` of the officer's cases open at the start of the week (its Monday)
rounded up, at least ``minimum``: one number for the whole week, in the task lists made on any day
of it and in the ranking that sets the week's closes against it.
A target named for an officer wins over the rule; ``未分配`` never has a target. Targets are per
officer: task lists by another field have none (:func:`targets_for`).

Ranking: per period (Monday–Sunday weeks or calendar months; the last full period ends on or
before --as-of) and officer: cases open at its start (期初未结, 旧存), cases filed in it (本期新收),
cases closed in it (已结) and the courts' closing rate 结案率 = 已结 ÷ (旧存 + 新收), so a case filed
and closed in one period counts once in each and the rate never passes 100%. Ranked by closed,
then rate; equal results share a rank and name each other in ``tie_with`` (competition ranking:
1, 2, 2, 4). With more than three officers ranked, the bottom three (督导) are those with fewer
than three officers ranked strictly below them: a tie across the line marks everyone in it, but
an officer nobody outdid (rank 1) is never marked, so a period where everyone is tied marks nobody. Three periods in a row in the bottom three is 约谈;
a period where everyone is tied neither ends nor adds to a streak.
Officers sharing a rank, and those in ``tie_with``, are listed in pinyin order.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from backlog_cli.config import at_lines, document_line, key_line, not_a_file, read_yaml
from backlog_cli.errors import ConfigError, LedgerError, OptionError, did_you_mean, shown_value, slip_note, some_of
from backlog_cli.loading import PLAN_FIELDS, SOURCE_COLUMNS, TOTALS_TEXT, Ledger, read_sheets
from backlog_cli.outputs import (FLAG_TEXT, PERCENT_FORMAT, Labels, Output, Sheet, Written, replace_set,
                                 state_styles, table_title, value_labels, write_output)
from backlog_cli.parsing import name_key, normalize_person, normalize_text, parse_numbers, without_spaces
from backlog_cli.rules import open_mask
from backlog_cli.deadlines import COMING_DUE_STATES, age_days, urgency

UNASSIGNED = "未分配"
OFFICER = "officer"  # the field task lists, the ranking and the nightly run group by unless told otherwise
# each case's own, which the task lists and the ranking order cases and groups by: no group (--by)
OWN_FIELDS = ("case_no", "filed_on")
OVERVIEW_SHEET = "总览"
RANKING_SHEET = "排名"
SUPERVISE = "督导"
CALL_IN = "约谈"
BOTTOM = 3
MAX_PERIODS = 520  # ten years of weeks; --periods says so too
CALL_IN_STREAK = 3
RATE_DECIMALS = 4
PERIODS = {"week": "W-SUN", "month": "M"}
RULE_KEYS = ("share", "minimum")
YAML_SUFFIXES = (".yaml", ".yml")
# The columns of a task list, after the group column: what an officer needs to work the case.
TASK_COLUMNS = ["case_no", "filed_on", "age_days", "applicant", "respondent", "cause", "amount", "categories", "status",
                "next_label", "next_due", "next_days_left", "next_state", "next_action"]


def plan_text(cases: pd.DataFrame, name: str) -> pd.Series:
    """A plan field as text (a date as ``YYYY-MM-DD``), stripped; missing when blank or absent."""
    if name not in cases:
        return pd.Series(pd.NA, index=cases.index, dtype="str")
    col = cases[name]
    text = col.dt.strftime("%Y-%m-%d") if pd.api.types.is_datetime64_any_dtype(col.dtype) else col.astype("str")
    return text.str.strip().replace("", pd.NA).astype("str")


def plans_missing(cases: pd.DataFrame) -> np.ndarray:
    """Per case, whether the monthly report would find one of :data:`PLAN_FIELDS` blank (缺项)."""
    return np.column_stack([plan_text(cases, name).isna().to_numpy() for name in PLAN_FIELDS]).any(axis=1)


def plan_warnings(ledger: Ledger, key_open: int, absent: Collection[str] = ()) -> tuple[list[str], list[str]]:
    """Warnings and notes for the commands that show or count the monthly report's plans
    (``report monthly``, ``assign``, the nightly run), when ``key_open`` open key cases are shown:
    one warning naming the :data:`PLAN_FIELDS` the ledger has no column for, each with the headers
    read as it, and the ledger's headers not recognised (every open key case would otherwise be
    reported 未填写 without a word); the fields the settings' ``absent_columns`` name (``absent``)
    in a note instead, as triage says the missing columns the rules read."""
    lacking = [name for name in PLAN_FIELDS if name not in ledger.cases]
    if not key_open or not lacking:
        return [], []
    warned = [name for name in lacking if name not in absent]
    noted = [name for name in lacking if name in absent]
    return ([_plan_gap(ledger, warned)] if warned else [],
            [f"{_plan_gap(ledger, noted)} (absent_columns: not kept in this ledger)"] if noted else [])


def _plan_gap(ledger: Ledger, lacking: Sequence[str]) -> str:
    """The message for plan fields the ledger has no column for."""
    fields = ledger.columns.fields
    named = [f"{fields[name].label} ({name})" for name in lacking]
    them = "it" if len(lacking) == 1 else "them"
    wanted = "; ".join(f"{fields[name].label}: {'、'.join(dict.fromkeys(fields[name].aliases))}" for name in lacking)
    unknown = ledger.unknown_headers()
    hint = (f"Its headers not recognised: {'、'.join(unknown)}; if one of them is such a column, add it"
            if unknown else "If the ledger keeps one under another header, add that header")
    return (f"the ledger has no {', '.join(named[:-1]) + ' or ' if len(named) > 1 else ''}{named[-1]} column, so "
            f"every open key case reads {them} as blank: the monthly report shows {them} as 未填写 (缺项) and the "
            f"task lists count the case as 月报待填. Headers read as {them}: {wanted}. {hint} as an alias in a "
            "columns file (--columns)")


# --------------------------------------------------------------------------- weekly targets


@dataclass(frozen=True)
class TargetRule:
    """``ceil(share × open cases)``, at least ``minimum``."""

    share: float
    minimum: int = 1

    def apply(self, open_cases: pd.Series) -> pd.Series:
        # Rounded before ceil so that 0.1 × 30 (3.0000000000000004 in floats) gives 3, not 4.
        raw = np.ceil((open_cases.astype("float64") * self.share).round(9))
        return raw.clip(lower=self.minimum).astype("Int64")


@dataclass(frozen=True)
class Targets:
    """Targets named per officer (normalised names) and an optional rule for everyone else."""

    officers: Mapping[str, int] = field(default_factory=dict)
    rule: TargetRule | None = None


TARGET_UNITS = ("件",)  # a target typed as cases: 5件, 五件
MAX_TARGET = 10_000  # cases a week: far above any officer's; more is a typing slip (and past it, numbers overflow)
WHOLE = f"a whole number from 0 to {MAX_TARGET}"


def _whole(value: object) -> int | None:
    """A whole number from 0 to :data:`MAX_TARGET` (5, "5件", "五"), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = parse_numbers(pd.Series([value], dtype=object), TARGET_UNITS)[0].iloc[0]
    if isinstance(value, (int, float, np.number)) and not pd.isna(value) and float(value).is_integer() \
            and 0 <= value <= MAX_TARGET:
        return int(value)
    return None


def _rule(data: Mapping, problems: list[tuple[str, str]]) -> TargetRule | None:
    """The share/minimum rule, or None; its problems are added to ``problems`` (key, what)."""
    if not any(k in data for k in RULE_KEYS):
        return None
    share = data.get("share")
    if "share" not in data:
        problems.append(("minimum", "'minimum' needs 'share' (the share of open cases, e.g. share: 0.1)"))
    elif isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        problems.append(("share", f"'share' must be a number above 0 and at most 1, got {shown_value(share)}"))
    minimum = _whole(data.get("minimum", 1))
    if minimum is None:
        problems.append(("minimum", f"'minimum' must be {WHOLE}, got {shown_value(data.get('minimum'))}"))
    return None if problems else TargetRule(float(share), minimum)


def targets_from_mapping(data: Mapping, source: str | Path, within: str | None = None) -> Targets:
    """Targets from ``{officer: n, ..., share: s, minimum: m}`` (rule keys optional), read from the
    YAML file ``source`` (under its key ``within``: ``targets:`` in the settings). A problem names
    the line of its key, as a setting's does: ``backlog.yaml:3: targets: 陈静: …``; several, each
    on a line of its own, name each line."""
    label = f": {within}" if within else ""
    if not isinstance(data, Mapping):  # a targets file's list or text: the line it starts on
        line = None if within else document_line(Path(source))
        where = f":{line}" if line is not None else ""
        raise ConfigError(f"{source}{where}{label}: expected officer: target lines (张三: 5) and optionally share/minimum"
                          f"{slip_note(data)}")
    names = [str(k) for k in data if k not in RULE_KEYS]
    keys = normalize_person(pd.Series(names, dtype=object))
    officers: dict[str, int] = {}
    problems: list[tuple[str, str]] = []  # (the key, what is wrong)
    for name, key in zip(names, keys):
        value = _whole(data[name])
        if pd.isna(key):
            problems.append((name, f"blank officer name {name!r}"))
        elif value is None:
            # 陈静： 3, one key to YAML
            problems.append((name, f"{name}: target must be {WHOLE}, got {shown_value(data[name])}{slip_note(name)}"))
        elif key in officers:
            problems.append((name, f"{name}: {key} is listed twice"))
        else:
            officers[key] = value
    rule = _rule(data, problems)
    if problems:
        raise ConfigError(at_lines(source, [(key_line(Path(source), *([within] if within else []), key), what)
                                            for key, what in problems], label))
    return Targets(officers, rule)


def _targets_from_yaml(path: Path) -> Targets:
    """A targets file's officer: target lines; an empty one (or all comments) says so, as a
    spreadsheet without targets does, and a list or text (even [] or 0) is not taken for none."""
    data = read_yaml(path, "targets file")
    if data is None:
        raise ConfigError(f"{path}: no targets found (expected officer: target lines, 张三: 5)")
    return targets_from_mapping(data, path)


def _targets_from_sheet(path: Path) -> Targets:
    try:
        sheets = read_sheets(path)
    except LedgerError as exc:
        raise ConfigError(f"targets file: {exc}") from None
    for raw in sheets:
        cells = raw.whole().apply(normalize_text)
        filled = cells.notna().any(axis=1)
        if filled.any():
            return _sheet_targets(cells[filled], raw.first_row, f"{path} [{raw.name}]")
    raise ConfigError(f"{path}: no targets found (expected two columns: officer, weekly target)")


def _sheet_targets(cells: pd.DataFrame, first_row: int, source: str) -> Targets:
    """Rows of (officer, target); title rows (the first cell alone: 第47周结案任务) and a header row
    (a target that is not a number) may come first, and a 合计 row is left out."""
    extra = cells.iloc[:, 2:].notna().any(axis=1)
    if cells.shape[1] < 2 or extra.any():
        where = f" row {extra.idxmax() + first_row}" if extra.any() else ""
        raise ConfigError(f"{source}{where}: expected two columns: officer, weekly target")
    cells = cells.iloc[:, :2].set_axis(["officer", "target"], axis=1)
    first = int(cells["target"].notna().to_numpy().argmax())  # the first row with a target cell
    if parse_numbers(cells["target"].iloc[first:first + 1], TARGET_UNITS)[0].isna().all():
        cells = cells.iloc[first + 1:]  # a header row such as 承办人 | 每周结案任务数, titles above it
    cells = cells[~without_spaces(cells["officer"]).str.fullmatch(TOTALS_TEXT).fillna(False).to_numpy(dtype=bool)]
    officer = normalize_person(cells["officer"])
    if cells["officer"].isna().all() and cells["target"].isna().all():  # a header, titles or a 合计 row only
        raise ConfigError(f"{source}: no targets found (expected two columns: officer, weekly target)")
    target = parse_numbers(cells["target"], TARGET_UNITS)[0]
    row = cells.index.to_series() + first_row
    bad = target.isna() | (target < 0) | (target % 1 != 0) | (target > MAX_TARGET)
    dup = officer.duplicated(keep=False) & officer.notna()
    first_seen = row.groupby(officer).transform("min")
    problems = [f"row {r}: no officer name" for r in row[officer.isna()]]
    problems += [f"row {r}: no target for {o}" if pd.isna(t) else f"row {r}: target {t!r} is not {WHOLE}"
                 for r, o, t in zip(row[bad & officer.notna()], officer[bad & officer.notna()],
                                    cells["target"][bad & officer.notna()])]
    problems += [f"row {r}: {o} already has a target in row {f}" for r, o, f in zip(row[dup], officer[dup], first_seen[dup]) if r != f]
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))
    return Targets(dict(zip(officer, target.astype(int))))


def read_targets(path: str | Path | Mapping, settings: Path | None = None) -> Targets:
    """Read a targets file: YAML (``张三: 5`` lines, optional ``share``/``minimum`` rule) or a
    two-column spreadsheet / CSV (officer, target; a header row is optional). A mapping is the
    same content given inline (``targets:`` in the ``settings`` file, named in messages)."""
    if isinstance(path, Mapping):
        return targets_from_mapping(path, settings or "backlog.yaml", "targets")
    path = Path(path)
    if (why := not_a_file(path)) is not None:
        raise ConfigError(f"targets file {path} {why}")
    if path.suffix.lower() in YAML_SUFFIXES:
        return _targets_from_yaml(path)
    return _targets_from_sheet(path)


def weekly_targets(open_cases: pd.Series, targets: Targets | None) -> pd.Series:
    """Target per group, the groups being ``open_cases``' index (Int64, NA when none): the named
    target, else the rule on ``open_cases``, the group's cases open at the start of the week
    (期初未结, :func:`_counts`: one number the whole week, 每周定出结案任务数, however many close in
    it); none for 未分配. A name may repeat (the ranking has a row per week)."""
    names = open_cases.index
    named = pd.Series(names.map(dict(targets.officers) if targets else {}), index=names, dtype="Int64")
    if targets is not None and targets.rule is not None:
        named = named.where(named.notna().to_numpy(), targets.rule.apply(open_cases).array)
    return named.mask(names == UNASSIGNED).rename("weekly_target")


def targets_for(targets: Targets | None, by: str, given: bool, labels: Mapping[str, str] | None = None,
                typed: str | None = None) -> Targets | None:
    """The weekly targets of task lists grouped by ``by``. Targets are set per officer, so lists
    by another field (a team) have none: targets ``given`` on the command line for them are an
    OptionError, naming the field by its label and ``--by`` as the user ``typed`` it (team, 团队,
    执行团队; by default the label), those of the settings file are left out."""
    if targets is None or by == OFFICER:
        return targets
    if given:
        shown = (labels or {}).get(by, by)
        raise OptionError(f"--targets: weekly targets are set per officer; lists by {shown} have none "
                          f"(leave out --by {typed or shown} or --targets)")
    return None


def unknown_targets(targets: Targets | None, officers: Collection[str]) -> list[str]:
    """The officers ``targets`` names who are not among ``officers`` (those with a case), in
    pinyin order."""
    return sorted(set(targets.officers) - set(officers), key=name_key) if targets else []


def ranking_warnings(frame: pd.DataFrame, by: str, targets: Targets | None) -> list[str]:
    """What rank says of the ledger's cases as assign does: targets for officers with no case."""
    return unknown_target_warnings(unknown_targets(targets, group_keys(frame, by)))


def unknown_target_warnings(names: Sequence[str]) -> list[str]:
    """One warning naming the officers given a target who have no case (:func:`unknown_targets`),
    as assign and rank say it."""
    if not names:
        return []
    one = len(names) == 1
    return [f"{'a weekly target' if one else 'weekly targets'} for {'、'.join(names)}, who "
            f"{'has' if one else 'have'} no case in the ledger (a typing slip in the targets, or an officer who has left)"]


# --------------------------------------------------------------------------- task lists


@dataclass
class TaskLists:
    """Open cases with the group column first, group after group, each in urgency order; the
    overview has one row per group in the same order. ``unknown_targets`` names targets given for
    officers not in the ledger (likely typos)."""

    by: str
    as_of: pd.Timestamp
    cases: pd.DataFrame
    overview: pd.DataFrame
    unknown_targets: list[str]

    def warnings(self) -> list[str]:
        """One warning naming the targets given for officers with no case (likely typos)."""
        return unknown_target_warnings(self.unknown_targets)

    def groups(self) -> list[tuple[str, pd.DataFrame]]:
        """(group, its cases) in overview order."""
        return [(str(name), part) for name, part in self.cases.groupby(self.by, sort=False)]

    def columns(self) -> list[str]:
        """The group column, then :data:`TASK_COLUMNS` the frame has."""
        return [self.by, *(c for c in TASK_COLUMNS if c in self.cases.columns and c != self.by)]

    def titles(self) -> list[str]:
        """One heading per group, in overview order: its counts and weekly target."""
        o = self.overview
        target = o["weekly_target"].astype("str").fillna("—")
        unplanned = ("（月报待填 " + o["plans_missing"].astype("str") + " 件）").where(o["plans_missing"].gt(0), "")
        text = (o[self.by] + "：未结 " + o["open"].astype("str") + " 件，已超期 " + o["overdue"].astype("str")
                + " 件，本周到期 " + o["due_this_week"].astype("str") + " 件，重点案件 "
                + o["key_cases"].astype("str") + " 件" + unplanned + "，每周结案任务 " + target)
        return text.tolist()

    def key_open(self) -> int:
        """The open key cases the task lists hold: their 重点案件 counts added up."""
        return int(self.overview["key_cases"].sum())

    def output(self, labels: Mapping[str, str] | None = None) -> Output:
        """The task lists as ``backlog assign`` shows and writes them: the overview, then one
        sheet per group (:meth:`sheets`)."""
        sheets = [self.overview_sheet(labels), *self.sheets(labels)]
        return Output(self.cases, labels=labels, columns=self.columns(), sheets=sheets, tables=sheets)

    def overview_sheet(self, labels: Mapping[str, str] | None = None) -> Sheet:
        by = (labels or {}).get(self.by, self.by)
        return Sheet(OVERVIEW_SHEET, self.overview, labels=labels,
                     title=table_title(f"任务到人：按{by}（截至{self.as_of.date()}）", len(self.overview)))

    def sheets(self, labels: Mapping[str, str] | None = None) -> list[Sheet]:
        """One task-list sheet per group: its heading, its cases by urgency, overdue rows red and
        rows coming due amber."""
        shown = self.columns()[1:]
        return [Sheet(name, part[shown], labels=labels, row_styles=state_styles(part["next_state"]), title=title)
                for (name, part), title in zip(self.groups(), self.titles())]


SPLIT_FORMATS = ("csv", "json", "xlsx")


def split_format(fmt: str | None) -> str:
    """The format of split files: ``fmt`` (csv, json or xlsx), xlsx by default."""
    fmt = (fmt or "xlsx").lower()
    if fmt not in SPLIT_FORMATS:
        raise OptionError(f"--format: split files are {', '.join(SPLIT_FORMATS)}, not '{fmt}'")
    return fmt


def check_split_folder(folder: Path) -> None:
    """--split names a folder (made when missing, in a folder that exists: a typing slip makes no
    tree of folders), not an existing file: said before the load."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--split {folder}: is a file; give a folder for the per-officer files")
    if not folder.exists() and not folder.absolute().parent.is_dir():
        raise ConfigError(f"--split {folder}: the folder {folder.parent} does not exist; create it first, "
                          "or check the name")


def write_split(tasks: TaskLists, folder: str | Path, fmt: str | None = None,
                labels: Mapping[str, str] | None = None) -> list[Written]:
    """One file per group in ``folder`` (named after the group), ready to hand out."""
    fmt = split_format(fmt)
    sheets = tasks.sheets(labels)
    paths = [Path(folder) / f"{stem}.{fmt}" for stem in file_stems([s.name for s in sheets])]
    written: list[Written] = []
    for sheet, path in zip(sheets, paths):
        result = Output(sheet.frame, name=sheet.name, title=sheet.title, labels=labels, row_styles=sheet.row_styles)
        written += write_output(result, fmt, path)
    return written


def replace_split(tasks: TaskLists, folder: str | Path, fmt: str | None = None,
                  labels: Mapping[str, str] | None = None, inputs: Sequence[Path] = ()) -> tuple[list[Written], int]:
    """:func:`write_split` into ``folder`` as one set (:func:`~backlog_cli.outputs.replace_set`):
    the files of a previous split that this one lacks are removed, other files are kept. Returns
    the files written and how many old files were removed."""
    return replace_set(folder, lambda into: write_split(tasks, into, fmt, labels), inputs)


def group_field(ledger: Ledger, by: str) -> str:
    """The ledger field ``--by`` names: a field (``officer``), one of its header names
    (``承办人``, ``承办法官``) or its display label. A ledger without an officer column has every
    case under 未分配 (the load warns about the missing column); any other field the ledger lacks,
    or one of :data:`OWN_FIELDS`, is an OptionError (the first listing the ledger's own fields,
    each with its label)."""
    fields = [str(c) for c in ledger.cases.columns]
    labels = ledger.columns.labels()
    named = by if by in fields else ledger.columns.field_for(by) or {v: k for k, v in labels.items()}.get(by)
    if named in OWN_FIELDS:
        raise OptionError(f"--by {by}: {named} ({labels.get(named, named)}) is each case's own, which the lists are "
                          "ordered by, not a group; group by a field cases share, such as officer or team")
    if named in fields or named == OFFICER:
        return named
    shown = [f"{f} ({labels[f]})" if f in labels and labels[f] != f else f
             for f in fields if not f.startswith("_") and f not in SOURCE_COLUMNS]
    raise OptionError(f"--by: no ledger field '{by}' to group by; the ledger's fields: {', '.join(shown)}")


def grouped_targets(ledger: Ledger, by: str, targets: Targets | None, given: bool) -> tuple[str, Targets | None]:
    """The ledger field ``--by`` names (:func:`group_field`) and the weekly targets of its groups
    (:func:`targets_for`: an officer's; ``given`` on the command line for another field, an
    OptionError naming ``--by`` as typed), for `assign` and `rank`."""
    field = group_field(ledger, by)
    return field, targets_for(targets, field, given, ledger.columns.labels(), by)


def group_keys(frame: pd.DataFrame, by: str) -> pd.Series:
    """The grouping value per case: normalised as names are (:func:`normalize_person`: NFKC, no
    whitespace between Chinese characters), blank or 无 → 未分配 (every case,
    in a ledger without an officer column); a yes/no field's values 是 and 否."""
    if by not in frame.columns and by == OFFICER:
        return pd.Series(UNASSIGNED, index=frame.index, dtype="str")
    if by not in frame.columns:
        fields = ", ".join(str(c) for c in frame.columns if not str(c).startswith("_"))
        raise ConfigError(f"no ledger field '{by}' to group by; fields: {fields}")
    values = frame[by]
    if pd.api.types.is_bool_dtype(values.dtype):  # a yes/no field (是否涉信访): its groups 是 and 否, as tables show it
        values = values.astype(object).map(FLAG_TEXT)
    return normalize_person(values).fillna(UNASSIGNED).astype("str")


def group_order(keys: pd.Series) -> pd.Series:
    """Sort keys for group names from :func:`group_keys`: pinyin order
    (:func:`~backlog_cli.parsing.name_key`), 未分配 last."""
    return name_key(keys.mask(keys.eq(UNASSIGNED)))


def group_name(name: str) -> str:
    """A group name as typed (``--officer 张 三``) as :func:`group_keys` names it: 张三; blank or
    无 → 未分配."""
    key = normalize_person(pd.Series([name], dtype=object)).iloc[0]
    return UNASSIGNED if pd.isna(key) else key


def in_group(frame: pd.DataFrame, by: str, name: str) -> pd.Series:
    """Cases whose ``by`` value is ``name``, both normalised as :func:`group_keys` does, so
    ``张 三`` finds 张三 (and a blank name the 未分配 cases)."""
    return group_keys(frame, by).eq(group_name(name))


def check_group(frame: pd.DataFrame, by: str, name: str, option: str) -> None:
    """``name`` (given with ``option``, such as --officer) must be a ``by`` value of some case in
    ``frame``: a mistyped name would otherwise list nothing, silently."""
    if in_group(frame, by, name).any():
        return
    keys = pd.Series(group_keys(frame, by).unique(), dtype="str")
    known = keys.iloc[np.argsort(group_order(keys).to_numpy(), kind="stable")].tolist()  # 未分配 last
    shown = some_of(known, 30, sep="; ")
    raise OptionError(f"{option}: no case has {by} '{name}'{did_you_mean(name, known)}; "
                      f"the ledger has: {shown or '(none)'}")


def _week_end(day: pd.Timestamp) -> pd.Timestamp:
    """The Sunday of day's Monday–Sunday week."""
    return day.normalize() + pd.Timedelta(days=6 - day.weekday())


def _urgency_order(cases: pd.DataFrame, by: str) -> np.ndarray:
    """The positions of ``cases`` in task-list order. Groups in pinyin order, 未分配 last; in each:
    by :func:`deadlines.urgency` of the most pressing deadline (overdue first, most days over
    first, then fewest days left, the cases whose deadline is suspended after those whose deadline
    runs, none last), then oldest filing, then case number."""
    suspended = cases["next_state"].eq("suspended").fillna(False).to_numpy(dtype=bool)
    days = pd.Series(urgency(cases["next_days_left"].astype("float64"), suspended), index=cases.index)
    key = pd.DataFrame(
        {"group": group_order(cases[by]), "days": days, "filed": cases["filed_on"], "case": cases["case_no"]}
    ).reset_index(drop=True)
    return key.sort_values(list(key.columns), na_position="last", kind="stable").index.to_numpy()


def _open_at_week_start(cases: pd.DataFrame, names: pd.Series, as_of: pd.Timestamp, groups: pd.Index) -> pd.Series:
    """Per group of ``groups`` (``names``: each case's), its cases open at the start of the
    Monday–Sunday week holding ``as_of``, counted as the ranking counts a week's 期初未结 (filed
    before its Monday, not closed before it), so that the task lists set the week the target the
    ranking sets its closes against, whatever day of it they are made."""
    week = periods_before(_week_end(as_of), "week", 1)
    at_start = _counts(cases, names, week).set_index("officer")["open_at_start"]
    return at_start.reindex(groups, fill_value=0).astype("int64")


def _due_this_week(cases: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Cases with a deadline coming due from --as-of to Sunday: any of their deadlines (``ID_due``
    and ``ID_state`` columns), so that a case overdue on one deadline and due on another this week
    (a campaign's 春节前 target) is in both counts. A suspended deadline falls due on no day (its
    due date moves with --as-of while the 中止 runs), as ``overdue --within`` leaves it out."""
    end = _week_end(as_of)
    out = pd.Series(False, index=cases.index)
    for state in [c for c in cases.columns if c.endswith("_state")]:
        due = state.removesuffix("_state") + "_due"
        if due in cases:
            coming = cases[state].isin(COMING_DUE_STATES).to_numpy(dtype=bool)
            out |= coming & (cases[due].ge(as_of) & cases[due].le(end)).fillna(False).to_numpy(dtype=bool)
    return out


def task_lists(
    frame: pd.DataFrame,
    as_of: pd.Timestamp,
    by: str = "officer",
    targets: Targets | None = None,
    key: pd.Series | None = None,
) -> TaskLists:
    """Group the cases open at ``as_of`` by ``by`` and order each group by urgency.

    ``frame`` carries the deadline columns (``next_state``, ``next_days_left``, ``next_due``, …);
    ``key`` marks the key-category cases (a boolean mask aligned to ``frame``) for the counts.
    """
    as_of = pd.Timestamp(as_of).normalize()
    group = group_keys(frame, by)
    is_key = key.fillna(False).astype(bool) if key is not None else False
    cases = frame.assign(**{by: group, "_key": is_key})
    cases = cases[[by, *(c for c in cases.columns if c != by)]]  # no copy: columns only reordered
    # the open cases in urgency order taken at once (filtering, then ordering, copied them twice:
    # the assign command's peak for the 200,000-row workbook)
    rows = np.flatnonzero(open_mask(frame, as_of))
    order = _urgency_order(cases[[by, "next_state", "next_days_left", "filed_on", "case_no"]].iloc[rows], by)
    cases = cases.iloc[rows[order]].reset_index(drop=True)
    cases.insert(cases.columns.get_loc("filed_on") + 1, "age_days", age_days(cases["filed_on"], as_of))
    key_open = cases.pop("_key").to_numpy(dtype=bool)
    unplanned = np.zeros(len(cases), dtype=bool)
    unplanned[key_open] = plans_missing(cases[key_open])  # the report's 缺项, for the key cases only
    counts = pd.DataFrame(
        {by: cases[by], "open": 1, "overdue": cases["next_state"].eq("overdue").astype(int),
         "due_this_week": _due_this_week(cases, as_of).astype(int), "key_cases": key_open.astype(int),
         "plans_missing": unplanned.astype(int)}
    )
    overview = counts.groupby(by, sort=False).sum()
    overview["weekly_target"] = weekly_targets(_open_at_week_start(frame, group, as_of, overview.index), targets)
    unknown = unknown_targets(targets, group)
    return TaskLists(by, as_of, cases, overview.reset_index(), unknown)


_FILE_BAD = re.compile(r'[\x00-\x1f<>:"/\\|?*]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.IGNORECASE)
# File systems cap a name at 255 bytes (a Chinese character is 3 in UTF-8) and Windows a whole
# path at 260 characters: a stem is cut to 60 bytes (20 Chinese characters), which leaves room
# for a collision mark (" (2)") and the suffix. The full name stays in the file's title.
FILE_STEM_MAX_BYTES = 60


def _cut_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, on a character boundary."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def file_stems(names: Sequence[str]) -> list[str]:
    """File-system-safe, unique (ignoring case) file stems for group names, in order, each at
    most :data:`FILE_STEM_MAX_BYTES` bytes before a collision mark; none begins with - (an option
    to a shell command) or = + @."""
    seen: set[str] = set()
    stems = []
    for name in names:
        base = _cut_bytes(_FILE_BAD.sub("_", str(name)).strip(" ."), FILE_STEM_MAX_BYTES).rstrip(" .") or "_"
        if _WINDOWS_RESERVED.match(base):
            base += "_"
        if base.startswith(("-", "=", "+", "@")):  # read as an option by a shell command, a formula by Excel
            base = "_" + base
        stem, n = base, 1
        while stem.casefold() in seen:
            n += 1
            stem = f"{base} ({n})"
        seen.add(stem.casefold())
        stems.append(stem)
    return stems


# --------------------------------------------------------------------------- ranking


def periods_before(as_of: pd.Timestamp, period: str = "week", count: int = 4) -> pd.DataFrame:
    """The last ``count`` full periods ending on or before ``as_of``, oldest first:
    ``period`` (label: ISO week ``2026-W10`` or month ``2026-03``), ``start``, ``end``."""
    if period not in PERIODS:
        raise ConfigError(f"period must be one of {', '.join(PERIODS)}, not '{period}'")
    if count < 1:
        raise ConfigError(f"the number of periods must be at least 1, not {count}")
    as_of = pd.Timestamp(as_of).normalize()
    current = pd.Period(as_of, freq=PERIODS[period])
    last = current if current.end_time.normalize() == as_of else current - 1
    spans = pd.period_range(end=last, periods=count, freq=PERIODS[period])
    starts = spans.start_time.normalize()
    if period == "week":
        iso = starts.isocalendar()
        labels = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    else:
        labels = pd.Series(spans.strftime("%Y-%m"), index=starts)
    return pd.DataFrame({"period": labels.to_numpy(), "start": starts, "end": spans.end_time.normalize()})


def _counts(cases: pd.DataFrame, names: pd.Series, spans: pd.DataFrame) -> pd.DataFrame:
    """Per group and period of ``spans`` (``_at``: its position there): the cases open at the
    period's start (filed before it, not closed before it), those filed in it and those closed in
    it (the later of filing and close date within it, as ``rules.closed_mask`` counts). Only
    groups with any."""
    starts = spans["start"].to_numpy()
    n = len(starts)
    codes, groups = pd.factorize(names, sort=True)
    filed = cases["filed_on"].to_numpy()
    closed = cases["closed_on"].to_numpy() if "closed_on" in cases else np.full(len(cases), "NaT", filed.dtype)
    starts = starts.astype(filed.dtype)
    open_from = np.searchsorted(starts, filed, side="right")  # the first period starting after the filing
    open_to = np.where(np.isnat(closed), n, np.searchsorted(starts, closed, side="right"))  # those starting by the close
    done = np.maximum(filed, closed)
    closed_at = np.searchsorted(starts, done, side="right") - 1
    last = spans["end"].iloc[-1].to_datetime64()
    in_span = ~np.isnat(done) & (closed_at >= 0) & (done <= last)
    filed_at = open_from - 1
    filed_in_span = (filed_at >= 0) & (filed <= last)
    width = n + 1
    cells = len(groups) * width
    change = (np.bincount(codes * width + open_from, minlength=cells)
              - np.bincount(codes * width + np.maximum(open_to, open_from), minlength=cells))
    open_at = change.reshape(len(groups), width).cumsum(axis=1)[:, :n]
    closed_in = _per_period(codes, closed_at, in_span, len(groups), n)
    filed_in = _per_period(codes, filed_at, filed_in_span, len(groups), n)
    g, at = np.nonzero((open_at > 0) | (filed_in > 0) | (closed_in > 0))
    return pd.DataFrame({"_group": g, "_at": at, "officer": pd.Series(groups[g], dtype="str"),
                         "open_at_start": open_at[g, at], "filed": filed_in[g, at], "closed": closed_in[g, at]})


def _per_period(codes: np.ndarray, at: np.ndarray, mask: np.ndarray, groups: int, periods: int) -> np.ndarray:
    """A groups × periods count of the cases of ``mask``, case i in period ``at[i]``."""
    return np.bincount(codes[mask] * periods + at[mask], minlength=groups * periods).reshape(groups, periods)


def _ties(ranked: pd.DataFrame, by: str) -> pd.Series:
    """For each row, the others sharing its rank in its period, joined with 、 (NA when none)."""
    pairs = ranked[["period", "rank", by]].merge(ranked[["period", "rank", by]], on=["period", "rank"], suffixes=("", "_other"))
    pairs = pairs[pairs[by] != pairs[f"{by}_other"]]
    joined = pairs.groupby(["period", by])[f"{by}_other"].agg("、".join).rename("tie_with")
    return ranked[["period", by]].merge(joined, how="left", left_on=["period", by], right_index=True)["tie_with"]


def _streaks(table: pd.DataFrame, periods: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the periods in a row up to and including its own that its group was in the bottom
    three, and whether that run goes back to the first period. A period the group is not ranked in
    ends a streak; a period where every officer ranked is tied (all first: nobody closed a case,
    say, in a holiday week) neither ends nor adds to one, as no officer was outdone in it: its rows
    carry the streak as it stood."""
    grid = np.zeros((table["_group"].max() + 1 if len(table) else 0, periods), dtype=bool)
    grid[table["_group"], table["_at"]] = table["bottom"]
    counted = np.ones(periods, dtype=bool)
    counted[table.loc[table.groupby("_at")["rank"].transform("max").eq(1).to_numpy(), "_at"].unique()] = False
    kept = grid[:, counted]
    total = kept.cumsum(axis=1)
    streak = total - np.maximum.accumulate(np.where(kept, 0, total), axis=1)
    through = np.cumsum(counted)  # counted periods up to each period: the last one's column is through - 1
    streak = np.concatenate([np.zeros((len(grid), 1), streak.dtype), streak], axis=1)  # column 0: none counted yet
    carried = streak[:, through][table["_group"], table["_at"]]
    return carried, (carried > 0) & (carried == through[table["_at"]])


def _ranked(cases: pd.DataFrame, names: pd.Series, spans: pd.DataFrame) -> pd.DataFrame:
    """Every period of ``spans`` ranked: counts, rate, rank, bottom three and streaks."""
    table = _counts(cases, names, spans)
    table["closing_rate"] = (table["closed"] / (table["open_at_start"] + table["filed"])).astype("Float64")  # 已结 ÷ (旧存 + 新收)
    table["_rate"] = table["closing_rate"].astype("float64")
    table["_name"] = name_key(table["officer"])
    table = table.sort_values(["_at", "closed", "_rate", "_name"], ascending=[True, False, False, True], kind="stable", ignore_index=True)
    table["_pos"] = table.groupby("_at").cumcount() + 1
    tied = table.groupby(["_at", "closed", "_rate"])["_pos"]
    table["rank"] = tied.transform("min").astype("Int64")
    ranked = table.groupby("_at")["_pos"].transform("size")
    below = ranked - tied.transform("max")
    table["bottom"] = (ranked > BOTTOM) & (below < BOTTOM) & (table["rank"] > 1)
    table["bottom_streak"], table["_from_first"] = _streaks(table, len(spans))
    return table


def _periods_to(first: pd.Timestamp, until: pd.Timestamp, period: str) -> int:
    """How many periods before the one starting ``until`` reach back to the one holding ``first``
    (0 when ``first`` is missing or not earlier)."""
    if pd.isna(first):
        return 0
    return max((pd.Period(until, freq=PERIODS[period]) - pd.Period(first, freq=PERIODS[period])).n, 0)


MARK_STYLES = {CALL_IN: "overdue", SUPERVISE: "due_soon"}


RANKED_PERIODS = 4  # periods ranked unless told (rank --periods, the nightly run's ranking.xlsx)
TIED = "（并列）"  # after a shared rank: 3（并列）
# Headers of the ranking's own columns that the bundled labels lack.
RANKING_LABELS = {"filed": "本期新收", "target_met": "完成结案任务"}


def mark_styles(marks: pd.Series) -> pd.Series:
    """Row styles for the ranking: 约谈 red, 督导 amber."""
    return marks.map(MARK_STYLES)


def ranking(
    frame: pd.DataFrame,
    as_of: pd.Timestamp,
    period: str = "week",
    periods: int = RANKED_PERIODS,
    by: str = "officer",
    targets: Targets | None = None,
) -> pd.DataFrame:
    """Officers ranked per period, oldest period first, best rank first.

    Columns: ``period``, ``period_start``, ``period_end``, ``by``, ``open_at_start`` (期初未结, 旧存),
    ``filed`` (本期新收), ``closed`` (已结), ``closing_rate`` (结案率 = closed / (open_at_start +
    filed), 4 decimals), ``rank``, ``rank_label`` (``3（并列）``), ``tie_with``, ``bottom_streak``
    (periods in a row in the bottom three) and ``mark`` (督导, 约谈 or NA). An officer is ranked in
    a period with a case open at its start or filed in it (every case closed in it is one or the
    other), so the rate's divisor is never 0. Cases with no officer are left out. At most
    :data:`MAX_PERIODS` periods. The periods before the first shown are ranked as far back as the
    streaks reach (at most to the period of the ledger's first filing), so a period's streak is
    complete and the same whatever ``periods``.

    With weekly ``targets`` (weeks only, officers only: :func:`targets_for`), ``weekly_target``
    (每周结案任务数, the named target, else the rule on the cases open at the week's start) and
    ``target_met`` (closed at least that many; NA without a target) follow ``closing_rate``.
    """
    if targets is not None and period != "week":
        raise ConfigError("weekly targets are set per week: rank by week (--period week) to set closes against them")
    if periods > MAX_PERIODS:
        raise ConfigError(f"the number of periods must be at most {MAX_PERIODS}, not {periods}")
    shown = periods_before(as_of, period, periods)
    keys = group_keys(frame, by)
    cases, names = frame[keys.ne(UNASSIGNED).to_numpy()], keys[keys.ne(UNASSIGNED)]
    reach = _periods_to(cases["filed_on"].min(), shown["start"].iloc[0], period)
    lookback = CALL_IN_STREAK - 1
    while True:
        table = _ranked(cases, names, periods_before(as_of, period, periods + lookback))
        table = table[table["_at"] >= lookback].reset_index(drop=True)
        if lookback >= reach or not table["_from_first"].any():
            break  # no streak runs back to the first period looked at, or that period is the ledger's first
        lookback = min(2 * lookback, reach)
    table = table.assign(_at=table["_at"] - lookback).join(shown, on="_at").rename(columns={"officer": by})
    table["tie_with"] = _ties(table, by).astype("str").set_axis(table.index)
    table["rank_label"] = table["rank"].astype(str) + np.where(table["tie_with"].notna(), TIED, "")
    table["mark"] = pd.Series(
        np.where(table["bottom"], np.where(table["bottom_streak"] >= CALL_IN_STREAK, CALL_IN, SUPERVISE), None), dtype="str"
    )
    table["closing_rate"] = table["closing_rate"].round(RATE_DECIMALS)
    goals = []
    if targets is not None:
        table["weekly_target"] = weekly_targets(table.set_index(by)["open_at_start"], targets).array
        table["target_met"] = (table["closed"] >= table["weekly_target"]).astype("boolean")
        goals = ["weekly_target", "target_met"]
    return table.rename(columns={"start": "period_start", "end": "period_end"})[
        ["period", "period_start", "period_end", by, "open_at_start", "filed", "closed", "closing_rate", *goals, "rank",
         "rank_label", "tie_with", "bottom_streak", "mark"]
    ]


def period_texts(codes: pd.Series) -> dict[str, str]:
    """How tables and xlsx show period codes: ``2026-W44`` as 2026年第44周, ``2026-03`` as 2026年3月."""
    distinct = pd.Series(codes.dropna().unique(), dtype="str")
    weeks = distinct.str.replace(r"^(\d{4})-W0?(\d+)$", r"\1年第\2周", regex=True)
    return dict(zip(distinct, weeks.str.replace(r"^(\d{4})-0?(\d+)$", r"\1年\2月", regex=True)))


TIES_NAMED = 3  # how many names of a tie tables and xlsx show before its count


def tie_texts(ties: pd.Series) -> dict[str, str]:
    """How tables and xlsx show a ``tie_with`` of more than :data:`TIES_NAMED` names: the first
    ones and how many share the rank with the officer (高峰、郭振华、胡晓丽等 12 人)."""
    out = {}
    for text in ties.dropna().unique():
        names = str(text).split("、")
        if len(names) > TIES_NAMED:
            out[text] = f"{'、'.join(names[:TIES_NAMED])}等 {len(names)} 人"
    return out


def ranking_output(table: pd.DataFrame, by: str, labels: Mapping[str, str], period: str, periods: int,
                   as_of: pd.Timestamp) -> Output:
    """The ranking for the output layer. CSV and JSON: every column, periods as codes
    (``2026-W44``), every tied name. Table and xlsx: periods in words (2026年第44周), a long tie
    as its first names and count (:func:`tie_texts`), 约谈 rows red and 督导 rows amber; the table
    shows the rank with its tie mark (``rank_label``: 2（并列）), the xlsx the rank as a number
    (Excel sorts and filters it as one) beside 并列, who shares it."""
    shown = Labels({**labels, **RANKING_LABELS}, {**value_labels(labels), "period": period_texts(table["period"]),
                                                   "tie_with": tie_texts(table["tie_with"])})
    to = table["period_end"].max().date() if len(table) else pd.Timestamp(as_of).date()
    title = table_title(f"按{labels.get(by, by)}排名：{periods} {'周' if period == 'week' else '个月'}，截至{to}",
                        len(table))
    def sheet(drop: str) -> Sheet:
        return Sheet(RANKING_SHEET, table.drop(columns=drop), labels=shown, row_styles=mark_styles(table["mark"]),
                     title=title, number_formats={"closing_rate": PERCENT_FORMAT})

    return Output(table, name=RANKING_SHEET, title=title, labels=shown, sheets=[sheet("rank_label")],
                  tables=[sheet("rank")])
