"""backlog.yaml: where the ledger, rules, column aliases and outputs are.

Looked up in this order: ``--config FILE``, the ``BACKLOG_CONFIG`` environment variable,
``backlog.yaml`` in the working directory. Relative paths in it are relative to the file.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from backlog_cli.errors import ConfigError, NotUtf8, did_you_mean, full_width_slip, read_utf8, shown_value, slip_note

CONFIG_NAME = "backlog.yaml"
ENV_VAR = "BACKLOG_CONFIG"
KEYS = {
    "ledger": "ledger file(s): a path or a list of paths",
    "sheets": "sheet names to read (default: every sheet that holds a ledger)",
    "encoding": "CSV encoding (default: detected)",
    "rules": "rules: bundled names or paths, a name/path or a list",
    "columns": "extra column aliases file(s)",
    "output_dir": "folder for `backlog run` outputs",
    "targets": "weekly close targets: a file, or officer: number lines and a share/minimum rule",
    "history": "history database: a path (SQLite) or a database URL",
    "absent_columns": "fields the ledger does not keep (field names or headers): noted, not warned about",
    "report_day": "the day of the month the monthly report counts to: its period runs from the day after that day of "
                  "the month before (default: the calendar month)",
}
REPORT_DAYS = range(1, 29)  # a day every month has

STARTER = """\
# backlog.yaml: settings for the `backlog` commands run in this folder.
# Relative paths are relative to this file. Every key is optional.

# The ledger (台帐): one file or a list of files (.xlsx .xlsm .xls .ods .csv .tsv .txt),
# a folder of them (台帐/) or a wildcard (台帐/*.xlsx).
# No ledger file was found beside this file when it was written: 台帐.xlsx below stands in for one.
ledger: 台帐.xlsx   # change this to your ledger's file (or folder) name

# Sheets to read; by default every sheet that holds a ledger is read and stacked.
# sheets: [2025年, 2026年]

# Encoding of CSV ledgers; by default UTF-8 or UTF-16 (with or without BOM) or GBK/GB18030 is detected.
# encoding: gbk

# Classification and deadline rules: bundled names (see `backlog rules list`) or paths.
# rules: [default]

# Extra column aliases, when your ledger's headers are not recognised (see `backlog inspect`).
# columns: [my-columns.yaml]

# Columns your ledger does not keep: their absence is a note, not a warning (nor exit 1 at night).
# absent_columns: [备注, 是否涉信访]

# Where `backlog run` writes its dated output folders.
output_dir: outputs

# Weekly close targets per officer (assign, and rank by week): a YAML or two-column spreadsheet file, or inline:
# targets: targets.yaml
# targets: {张三: 5, share: 0.1, minimum: 1}   # named officers, then a tenth of the cases open on the week's Monday (at least 1)

# Run history: a SQLite file path or a database URL.
# history: outputs/history.sqlite

# The monthly report's period (统计月): by default the calendar month; with a report day N (1-28),
# from the day after day N of the month before to day N (a report due by the 28th: 上月29日至本月28日).
# report_day: 28
"""


@dataclass
class Config:
    path: Path | None = None
    ledger: list[Path] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    encoding: str | None = None
    rules: list[str] = field(default_factory=list)
    columns: list[Path] = field(default_factory=list)
    output_dir: Path = Path("outputs")
    targets: Path | dict | None = None
    history: str | None = None
    absent_columns: list[str] = field(default_factory=list)
    report_day: int | None = None
    where: dict[str, str] = field(default_factory=dict)  # setting → file:line, for problems found later

    @property
    def folder(self) -> Path | None:
        """The settings file's folder: its paths are read from it, and the ledger files it names
        shown from it (一组/台帐.xlsx, not the path as read: /srv/backlog/一组/台帐.xlsx)."""
        return self.path.parent if self.path is not None else None


@dataclass(frozen=True)
class LedgerSource:
    """Which ledger is read and how (:func:`loading.load_source` reads it): the files and sheets,
    the CSV encoding, the column aliases files, the settings file where an encoding may be set
    (``encoding_set_in``, see :func:`loading.load_ledger`), whether --encoding may be given
    (``encoding_option``) and the folder the files are shown from (``shown_from``)."""

    paths: list[Path]
    sheets: list[str] | None
    encoding: str | None
    columns: list[Path]
    encoding_set_in: Path | None
    shown_from: Path | None
    encoding_option: bool = True


def ledger_source(config: Config, ledger: list[Path] | None = None, sheet: list[str] | None = None,
                  encoding: str | None = None, columns: list[Path] | None = None, *,
                  encoding_option: bool = True) -> LedgerSource:
    """The ledger a command reads, from its options over the settings: the files and the sheets
    named on the command line, else in the settings (no sheets named: None, every sheet that holds
    a ledger); the encoding given, else the settings' (which the settings file is named for, where
    another may be set); the column aliases files given, then the settings'; the files the
    settings name shown from their folder, as ``ledger:`` names them. The nightly run reads the
    settings' (``encoding_option=False``: it takes no --encoding)."""
    return LedgerSource(
        paths=list(ledger or config.ledger),
        sheets=list(sheet or config.sheets) or None,
        encoding=encoding or config.encoding,
        columns=list(columns or []) + list(config.columns),
        encoding_set_in=config.path if not encoding else None,
        shown_from=config.folder if not ledger else None,
        encoding_option=encoding_option,
    )


def shown_path(path: str | Path, shown_from: Path | None) -> str:
    """A ledger file's path as messages and tables show it: relative to ``shown_from`` (the folder
    of the settings file whose ``ledger:`` named it, which the nightly run records as read, from
    that folder: /srv/backlog/一组/台帐.xlsx) when it is in that folder, as ``ledger:`` names it
    (一组/台帐.xlsx); else as read. The nightly run's own folders and files are shown so too
    (``RunSummary.shown``: outputs/2026-11-23/errors.csv)."""
    if shown_from is not None:
        try:
            return str(Path(os.path.abspath(path)).relative_to(os.path.abspath(shown_from)))
        except ValueError:  # outside it (../二院/台帐.xlsx, another drive)
            pass
    return str(path)


def input_files(config: Config, ledger: list[Path] | None = None, columns: list[Path] | None = None,
                rules: list[str] | None = None, targets: Path | None = None) -> list[Path]:
    """The files a command reads, which nothing it writes may replace: the ledger (``ledger``, else
    the settings' ``ledger:``; a folder or a wildcard as named), the column aliases files
    (``columns``, else the settings'), the rules files (``rules``, else the settings'; a bundled
    ruleset's name names none), the targets file (``targets``, else the settings' when a file) and
    the settings file."""
    named = [Path(r) for r in (rules or config.rules) if Path(r).is_file()]
    goals = targets or config.targets
    return [*(config.ledger if ledger is None else ledger), *(config.columns if columns is None else columns), *named,
            *([goals] if isinstance(goals, Path) else []), *([config.path] if config.path else [])]


def check_ledgers(config: Config) -> None:
    """Every ledger the settings name exists; else a ConfigError naming the setting."""
    from backlog_cli.workbook import is_wildcard, matching_files

    missing = [p for p in config.ledger if not p.exists() and not (is_wildcard(p) and matching_files(p))]
    if missing:
        what = "no file matches" if is_wildcard(missing[0]) else "no such file"
        raise ConfigError(f"{shown_path(missing[0], config.folder)}: {what} (the ledger named by `ledger:` in {config.path}; "
                          "correct that setting)")


def check_named_files(config: Config, *keys: str) -> None:
    """The files the settings name under ``keys`` (``columns``; ``targets`` when a file;
    ``rules`` that name a file, not a bundled ruleset), when used, are files: else a ConfigError at
    that setting's line, naming the file as the setting does (the readers would name it by its
    whole path, and not the line that named it)."""
    for key in keys:
        value = getattr(config, key)
        if key == "rules":
            named = [Path(r) for r in value if r.endswith((".yaml", ".yml")) or Path(r).is_absolute()]
        else:
            named = value if isinstance(value, list) else [value] if isinstance(value, Path) else []
        for path in named:
            if (why := not_a_file(path)) is not None:
                raise ConfigError(f"{config.where.get(key, config.path)}: {key}: {shown_path(path, config.folder)} "
                                  f"{why} (correct that setting)")


def not_a_file(path: str | os.PathLike[str]) -> str | None:
    """Why a settings or targets file named by the user cannot be read as one, or None."""
    path = Path(path)
    if path.is_file():
        return None
    if path.is_dir():
        return "is a folder, not a file"
    return "is not a regular file" if path.exists() else "does not exist"


# The encodings Chinese ledgers' text (CSV) files are saved in: named when a name given is no encoding
LEDGER_ENCODINGS = ("utf-8", "gb18030", "gbk", "gb2312", "utf-16")


def encoding_problem(name: str) -> str | None:
    """What is wrong with an encoding named by the user (``--encoding``, ``encoding:``), or None when
    Python decodes text with it: a name no codec has, or one of a codec that is not a text encoding
    (hex, base64), with the encodings Chinese ledgers are saved in."""
    if not name.strip():
        return "an empty name (in a script, is a variable unset?)"
    try:
        b"A".decode(name)  # not empty: b"".decode never looks the name up
    except UnicodeDecodeError:  # a text encoding that cannot decode the probe (utf-16: one byte)
        pass
    except (LookupError, ValueError):  # a UnicodeError: 'undefined', which decodes nothing; a NUL in the name
        try:
            codecs.lookup(name)
            what = f"'{name}' is not a text encoding"
        except (LookupError, ValueError):
            what = f"unknown encoding '{name}'{did_you_mean(name.strip().lower(), LEDGER_ENCODINGS)}"
        return f"{what}; a Chinese ledger's CSV is in {', '.join(LEDGER_ENCODINGS[:-1])} or {LEDGER_ENCODINGS[-1]}"
    return None


def find_config(explicit: Path | None = None) -> tuple[Path, Path] | None:
    """The settings file as messages name it, and the folder its relative paths are read from:
    ``--config FILE``, else ``$BACKLOG_CONFIG``, as given, read from the file's folder as given;
    else ./backlog.yaml when there is one, named ``backlog.yaml`` (as ``--config backlog.yaml``
    names it, not by the working directory's full path) and read from the directory's full path
    (the ledger files it names are read, and recorded in the history, by their full paths)."""
    if explicit is not None:
        if (why := not_a_file(explicit)) is not None:
            raise ConfigError(f"config file {explicit} {why}")
        return Path(explicit), Path(explicit).parent
    env = os.environ.get(ENV_VAR)
    if env:
        if (why := not_a_file(env)) is not None:
            raise ConfigError(f"{ENV_VAR} names {env}, which {why}")
        return Path(env), Path(env).parent
    here = Path.cwd()
    return (Path(CONFIG_NAME), here) if (here / CONFIG_NAME).is_file() else None


# YAML, read safely (here, with no pandas: the settings are read before the commands import it)

MAX_YAML_VALUES = 100_000
MAX_YAML_DEPTH = 100


class GuardedLoader(yaml.SafeLoader):
    """A safe loader (tags that construct objects are rejected) that also refuses a document whose
    aliases expand to more than MAX_YAML_VALUES values (an alias bomb) or refer to themselves, and
    values nested more than MAX_YAML_DEPTH deep (the reader is recursive). All are raised as YAML
    errors located at the offending value."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested too deep: more than {MAX_YAML_DEPTH} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def compose_document(self) -> yaml.Node:
        node = super().compose_document()
        _expanded_size(node, {}, set())
        return node

    def construct_scalar(self, node: yaml.Node) -> Any:
        """A scalar's text. An escaped pair of UTF-16 halves (``"\\ud83d\\ude00"``, as JSON writes a
        character past U+FFFF) is that character; a half alone (``"\\ud800"``) is no character, one
        no file or terminal can be written, so it is a YAML error located at it."""
        value = super().construct_scalar(node)
        if isinstance(value, str) and _SURROGATE.search(value):
            try:
                value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
            except UnicodeDecodeError as exc:
                half = exc.object[exc.start:exc.start + 2].decode("utf-16-le", "surrogatepass")
                raise yaml.constructor.ConstructorError(
                    None, None, f"'\\u{ord(half):04x}' is half of a character (a UTF-16 surrogate) and no character "
                    "alone: write the character itself", node.start_mark) from None
        return value

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        """Merge keys (``<<: *base``, ``<<: [*a, *b]``) as the YAML merge type says, whatever the
        installed PyYAML does: the merged pairs first, each key once, from the earliest mapping of
        a list that has it, then the mapping's own pairs, which override them. (PyYAML 6.0.4 lets a
        later mapping of the list win for keys of two characters or more: yaml/pyyaml#953.) A
        merged mapping is flattened once, in place, as PyYAML does.

        A key is the text written: an unquoted ``off:``, ``on:``, ``yes:`` or ``no:`` (which YAML
        1.1 reads as false or true) is the key ``off``, and ``1023:``, ``1.5:``, ``2026-01-01:``
        or ``~:`` are text too, so that a message names a key as typed (unknown key 'off', not
        'False') and a name such as an officer's or a staff number is kept; values are read as YAML
        reads them (``roll_forward: yes`` is true)."""
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        own: list[tuple[yaml.Node, yaml.Node]] = []
        taken: set[Any] = set()  # keys merged already: the earliest mapping's win
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE:
                if key_node.tag == "tag:yaml.org,2002:value" or (
                        key_node.tag in _TYPED and isinstance(key_node, yaml.ScalarNode) and key_node.style is None):
                    key_node.tag = "tag:yaml.org,2002:str"
                own.append((key_node, value_node))
                continue
            listed = isinstance(value_node, yaml.SequenceNode)
            for source in value_node.value if listed else [value_node]:
                if not isinstance(source, yaml.MappingNode):
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        f"expected a mapping{'' if listed else ' or list of mappings'} for merging, but found {source.id}",
                        source.start_mark)
                self.flatten_mapping(source)
                pairs = {_merge_key(pair[0]): pair for pair in source.value}  # its own keys over those it merges
                merged += [pair for key, pair in pairs.items() if key not in taken]
                taken.update(pairs)
        node.value = merged + own


_MERGE = "tag:yaml.org,2002:merge"
_SURROGATE = re.compile("[\ud800-\udfff]")
# What YAML reads a plain scalar as besides text: a key so written is read as its text.
_TYPED = frozenset(f"tag:yaml.org,2002:{kind}" for kind in ("bool", "int", "float", "null", "timestamp"))


def _merge_key(node: yaml.Node) -> Any:
    """A mapping key as merging compares keys: a scalar by its tag and text, anything else by itself."""
    return (node.tag, node.value) if isinstance(node, yaml.ScalarNode) else id(node)


def _refusing(construct: Any, kind: str) -> Any:
    """A constructor of YAML's numbers, true/false or dates whose refusal of a text is a YAML error
    located at it: an impossible date (2016-02-30), a value tagged as what it is not (``!!int x``,
    ``!!bool maybe``, ``!!timestamp soon``) or a number YAML takes for one and Python does not
    (``0x_``, PyYAML's int pattern allowing only underscores after 0x)."""

    def checked(loader: GuardedLoader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, KeyError, AttributeError):
            raise yaml.constructor.ConstructorError(
                None, None, f"'{node.value}' is not {kind}", node.start_mark) from None

    return checked


for _tag, _construct, _kind in (("int", yaml.SafeLoader.construct_yaml_int, "a whole number"),
                                ("float", yaml.SafeLoader.construct_yaml_float, "a number"),
                                ("bool", yaml.SafeLoader.construct_yaml_bool, "true or false"),
                                ("timestamp", yaml.SafeLoader.construct_yaml_timestamp, "a date")):
    GuardedLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refusing(_construct, _kind))


def _expanded_size(node: yaml.Node, sizes: dict[int, int], active: set[int]) -> int:
    """How many values ``node`` stands for with every alias expanded (each shared node counted
    once per use, computed once)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in active:
        raise yaml.composer.ComposerError(None, None, "a YAML alias refers to itself", node.start_mark)
    active.add(key)
    if isinstance(node, yaml.SequenceNode):
        children = node.value
    elif isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    else:
        children = []
    total = 1 + sum(_expanded_size(child, sizes, active) for child in children)
    if total > MAX_YAML_VALUES:
        raise yaml.composer.ComposerError(
            None, None, f"too many YAML aliases: the document expands to more than {MAX_YAML_VALUES:,} values",
            node.start_mark)
    active.discard(key)
    sizes[key] = total
    return total


def load_yaml(text: str, path: Path | None = None) -> Any:
    """A YAML text loaded with :class:`GuardedLoader`; raises yaml.YAMLError. With ``path`` (the
    file it was read from), a key given twice in any mapping is a ConfigError naming both lines
    (YAML would keep the later value without a word)."""
    loader = GuardedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if path is not None:
            _no_key_twice(node, path)
        return loader.construct_document(node)
    finally:
        loader.dispose()


# What the YAML parser's words for the usual slips in a hand-edited file mean, said after them.
_YAML_HINTS = (
    ("'\\t'", "a tab: indent with spaces only"),
    ("expected <block end>", "check this line's indentation against the lines above it"),
    ("mapping values are not allowed", "a second colon on the line? put text with a colon in quotes"),
    ("could not find expected ':'", "a key without its colon, or a line indented too far"),
    ("expected ',' or ']'", "a [list] not closed where it begins"),
    ("expected ',' or '}'", "a {mapping} not closed where it begins"),
)


# a line YAML reads as text where a key was meant: typed with a full-width colon (label：超期) or
# indented with full-width spaces (　　label: …)
_FULL_WIDTH_LINE = re.compile(r"^[ \t]*(?:-[ \t]+)?(?:\u3000|[^\s:'\"#{}\[\],]+[ \t\u3000]*：)")


def yaml_problem(exc: yaml.YAMLError) -> str:
    """The parser's reason for refusing a YAML text, with what it usually means in a file edited by
    hand (a tab, an indentation slip, an unclosed list; a full-width colon or indent on the line or
    the line above, where the parser stops on the next)."""
    reason = getattr(exc, "problem", None) or str(exc)
    hints = [hint for words, hint in _YAML_HINTS if words in reason]
    mark = getattr(exc, "problem_mark", None)
    if isinstance(getattr(mark, "buffer", None), str):
        lines = mark.buffer.split("\n")
        for n in (mark.line - 1, mark.line):
            if 0 <= n < len(lines) and (slip := _FULL_WIDTH_LINE.match(lines[n])):
                hints.insert(0, f"line {n + 1}: {full_width_slip(slip.group())}")
                break
    return f"{reason} ({hints[0]})" if hints else reason


def not_text(text: str, exc: yaml.reader.ReaderError, what: str) -> tuple[int, int, str]:
    """The line and column of a character YAML text may not hold (a NUL or another control
    character: a binary file, most likely) in ``text`` (``what`` it is read as: a rules file), and
    what to say of it."""
    before = text[:exc.position]
    return (before.count("\n") + 1, len(before) - before.rfind("\n"),
            f"not a text file: it holds the character #x{exc.character:04x}, which YAML text may not "
            f"({what} is UTF-8 text, not a binary file)")


def read_yaml(path: Path, what: str) -> Any:
    """A YAML file's content, loaded safely (no object tags, no alias bombs); unreadable or invalid
    YAML is a ConfigError naming ``what`` (e.g. "settings file"), the file and the line, and so is a
    key given twice (:func:`key_set_twice`). Every YAML file backlog reads but rules files comes
    through here (settings, targets, column aliases)."""
    text = ""
    try:
        text = read_utf8(path)
        return load_yaml(text, path)
    except NotUtf8 as exc:
        raise ConfigError(f"{path}:{exc}") from None
    except yaml.reader.ReaderError as exc:
        line, _, problem = not_text(text, exc, f"a {what}")
        raise ConfigError(f"{path}:{line}: {problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: not valid YAML ({yaml_problem(exc)})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {what} {path}: {getattr(exc, 'strerror', None) or exc}") from None


def _as_list(value: Any, key: str, at: str, numbers: bool = False) -> list[str]:
    """A setting of one or more texts; with ``numbers``, numbers too (a sheet may be named 2024)."""
    kinds = (str, int, float) if numbers else (str,)

    def ok(v: Any) -> bool:  # an empty text would name the settings' folder
        return isinstance(v, kinds) and not isinstance(v, bool) and not (isinstance(v, str) and not v.strip())

    if value is None:
        return []
    if ok(value):
        return [str(value)]
    if isinstance(value, list) and all(ok(v) for v in value):
        return [str(v) for v in value]
    bad = next(v for v in value if not ok(v)) if isinstance(value, list) else value
    got = f"a list holding {_shown(bad)}" if isinstance(value, list) else _shown(value)
    raise ConfigError(f"{at}: '{key}' must be {'a text' if not numbers else 'a name'} or a list of them "
                      f"({KEYS[key]}), got {got}")


def _text(value: Any, key: str, at: str) -> str | None:
    """A setting that must be one piece of text (a path, a URL, an encoding name)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{at}: '{key}' must be a text value ({KEYS[key]}), got {_shown(value)}")
    return value.strip()


def _encoding(value: Any, at: str) -> str | None:
    """The CSV encoding setting: text that names an encoding."""
    name = _text(value, "encoding", at)
    if name is not None and (problem := encoding_problem(name)) is not None:
        raise ConfigError(f"{at}: 'encoding': {problem}")
    return name


def _shown(value: Any) -> str:
    """A YAML value as a settings message names it after "got": as :func:`errors.shown_value` does,
    with what a settings file's writer most needs told (a mapping is key: value lines; yes and no
    unquoted are true and false; the date an unquoted 2026-01-01 became; an empty item of a list)."""
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    if isinstance(value, bool):
        return f"{shown_value(value)} (YAML reads yes, no, on, off as true or false: put such a name in quotes)"
    if isinstance(value, dt.date):
        return f"{shown_value(value)} ({value})"
    return "an empty item" if value is None else shown_value(value)


def _composed(path: Path) -> yaml.Node | None:
    """The node tree of a YAML file read already, for the lines of its parts; None when it cannot
    be read again (its values were, so only a file changed since could fail)."""
    try:
        return yaml.compose(read_utf8(path), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, OSError, UnicodeDecodeError, NotUtf8):
        return None


def _key_lines(path: Path) -> dict[Any, int]:
    """The line of each top-level key of a settings file (its values were loaded already, a key
    given twice refused)."""
    node = _composed(path)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def key_line(path: Path, *keys: str) -> int | None:
    """The line of the key that ``keys`` lead to (``fields``, ``filed_on``, ``kind``) in a YAML file
    read already, for a problem found in its values; the line of the deepest of them written in the
    file (a key a merge key brings is not), or None."""
    node = _composed(path)
    line = None
    for wanted in keys:
        if not isinstance(node, yaml.MappingNode):
            break
        found = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == wanted]
        if not found:
            break
        line, node = found[-1][0].start_mark.line + 1, found[-1][1]
    return line


def document_line(path: Path) -> int | None:
    """The line a YAML file read already has its content on (the first line of its list, or of
    its text), for a file whose content is not of the kind wanted; or None."""
    node = _composed(path)
    return None if node is None else node.start_mark.line + 1


def at_lines(source: str | Path, problems: list[tuple[int | None, str]], label: str = "") -> str:
    """Problems found in the values of a YAML file read already, each with the line of its key (or
    None), as one message naming each one's line, in the file's order (those of no line last):
    ``backlog.yaml:2: unknown setting 'as_of'; line 3: unknown setting 'bogus_key'``; ``label``
    (``: targets``) follows the first line."""
    located = sorted(problems, key=lambda p: (p[0] is None, p[0] or 0))
    said, shown = [], located[0][0]
    for line, what in located:
        if said and line is not None and line != shown:
            what, shown = f"line {line}: {what}", line
        said.append(what)
    where = f":{located[0][0]}" if located[0][0] is not None else ""
    return f"{source}{where}{label}: " + "; ".join(said)


def key_set_twice(key: Any, first_line: int) -> str:
    """What is said of a key given twice in one mapping of a YAML file, at its second line: YAML
    would keep the later value without a word (settings, targets, column aliases, rules)."""
    return f"'{key}' is set twice (also on line {first_line}): keep one"


def _no_key_twice(node: yaml.Node, path: Path) -> None:
    """A ConfigError for a key given twice in any mapping of the file (a setting, an officer's
    target, a column field or its aliases), naming the file and both lines."""
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _no_key_twice(item, path)
    if not isinstance(node, yaml.MappingNode):
        return
    seen: dict[Any, int] = {}
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode):
            if key.value in seen:
                raise ConfigError(f"{path}:{key.start_mark.line + 1}: {key_set_twice(key.value, seen[key.value])}")
            seen[key.value] = key.start_mark.line + 1
        _no_key_twice(value, path)


def load_config(explicit: Path | None = None) -> Config:
    found = find_config(explicit)
    if found is None:
        return Config()
    path, base = found
    data = read_yaml(path, "settings file") or {}
    if not isinstance(data, dict):  # a list or a line of text: the line it starts on
        line = document_line(path)
        raise ConfigError(f"{path}{f':{line}' if line else ''}: expected key: value settings{slip_note(data)}")
    lines = _key_lines(path)

    def at(key: str) -> str:  # where a setting is: file:line
        return f"{path}:{lines[key]}" if key in lines else str(path)

    unknown = [(lines.get(k), f"unknown setting '{k}'{did_you_mean(k, KEYS)}") for k in data if k not in KEYS]
    if unknown:
        raise ConfigError(f"{at_lines(path, unknown)}; settings: {', '.join(KEYS)}")

    def rel(p: str) -> Path:  # ../ledger.xlsx beside the settings reads as the folder above's ledger.xlsx
        return Path(os.path.normpath(Path(p) if Path(p).is_absolute() else base / p))

    rules = [r if ("/" not in r and not r.endswith((".yaml", ".yml"))) else str(rel(r)) for r in _as_list(data.get("rules"), "rules", at("rules"))]
    history = _text(data.get("history"), "history", at("history"))
    if history is not None and "://" not in history:
        history = str(rel(history))
    return Config(
        path=path,
        ledger=[rel(p) for p in _as_list(data.get("ledger"), "ledger", at("ledger"))],
        sheets=_as_list(data.get("sheets"), "sheets", at("sheets"), numbers=True),
        encoding=_encoding(data.get("encoding"), at("encoding")),
        rules=rules,
        columns=[rel(p) for p in _as_list(data.get("columns"), "columns", at("columns"))],
        output_dir=rel(_text(data.get("output_dir"), "output_dir", at("output_dir")) or "outputs"),
        targets=_targets(data.get("targets"), rel, at("targets")),
        history=history,
        absent_columns=_as_list(data.get("absent_columns"), "absent_columns", at("absent_columns")),
        report_day=_report_day(data.get("report_day"), at("report_day")),
        where={key: at(key) for key in data},
    )


def _report_day(value: Any, at: str) -> int | None:
    """The monthly report's day: a whole number from 1 to 28, or not set."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value not in REPORT_DAYS:
        raise ConfigError(f"{at}: 'report_day' must be a whole number from 1 to 28 ({KEYS['report_day']}), "
                          f"got {_shown(value)}")
    return value


def _targets(value, rel, at: str) -> Path | dict | None:
    """A targets file, or the targets inline: ``{张三: 5, share: 0.1, minimum: 1}``."""
    if value is None:
        return None
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip():
        return rel(value)
    raise ConfigError(f"{at}: 'targets' must be a file path or a mapping (张三: 5, share: 0.1, minimum: 1), "
                      f"got {_shown(value)}")


def refuse_existing(path: Path, force: bool, example: str = "backlog.yaml") -> None:
    """A file backlog creates (settings, a sample ledger) never replaces one without ``--force``;
    a folder named for it is told a file name to give (``example`` in it)."""
    if path.is_dir():
        raise ConfigError(f"{path} is a folder: give a file name (such as {path / example})")
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; use --force to overwrite it")


# The starter's ledger when none is found beside it: a name to change, said so on its line.
PLACEHOLDER = "台帐.xlsx"
_PLACEHOLDER_LINES = """\
# No ledger file was found beside this file when it was written: 台帐.xlsx below stands in for one.
ledger: 台帐.xlsx   # change this to your ledger's file (or folder) name
"""
STARTER_OUTPUT_DIR = "outputs"


@dataclass
class Starter:
    """What ``backlog init`` wrote: the settings file and the ledger it set, as written under
    ``ledger:`` (relative to the file; folders end in /). No ledger is the placeholder."""
    path: Path
    ledger: list[str]
    count: int = 0  # the ledger files named, those in the folders too
    outputs: list[str] = field(default_factory=list)  # backlog's own outputs left out, named as ledger: is
    twins: list[tuple[str, str]] = field(default_factory=list)  # a file left out, the one of its name named

    @property
    def folders(self) -> bool:
        """Whether each name is a folder of ledger files, read whole."""
        return bool(self.ledger) and all(name.endswith("/") for name in self.ledger)


def starter_text(names: list[str], count: int = 0) -> str:
    """The starter settings with ``ledger:`` naming what was found beside it (files, or folders
    read whole, ending in /: ``count`` ledger files, of :func:`workbook.ledgers_in`), or the
    placeholder."""
    if not names:
        return STARTER
    folders = [name for name in names if name.endswith("/")]
    if len(folders) == len(names):
        lines = ([f"# The folder of ledger files found beside this file ({count} files): every ledger file in it is",
                  "# read, files added to it later too."] if len(names) == 1 else
                 [f"# The {len(names)} folders of ledger files found beside this file ({count} files): every ledger",
                  "# file in them is read, files added to them later too."])
    elif folders:
        lines = [f"# The ledger files and folders of them found beside this file ({count} files), read as one ledger:",
                 "# every ledger file in a folder is read, files added to it later too."]
    else:
        lines = (["# The ledger file found beside this file."] if len(names) == 1 else
                 [f"# The {len(names)} ledger files found beside this file, read as one ledger."])
    if len(names) == 1:
        lines.append(f"ledger: {_yaml_text(names[0])}")
    else:
        lines += ["ledger:", *(f"  - {_yaml_text(name)}" for name in names)]
    return STARTER.replace(_PLACEHOLDER_LINES, "\n".join(lines) + "\n")


def _yaml_text(text: str) -> str:
    """``text`` as a YAML scalar that reads back as that text (quoted when YAML would read it
    otherwise: a name starting with [ or holding ': ')."""
    return yaml.safe_dump(text, allow_unicode=True, width=1 << 20).removesuffix("\n...\n").rstrip("\n")


def write_starter(path: Path, force: bool = False) -> Starter:
    """Write the commented starter settings file (never over an existing one unless ``force``),
    its ``ledger:`` naming the ledger files, or folders of them, in the folder it is written to
    (:func:`workbook.ledgers_in`: listed and looked at, never read)."""
    from backlog_cli.outputs import atomic_write
    from backlog_cli.workbook import ledgers_in

    refuse_existing(path, force)
    found = ledgers_in(path.parent, leave_out=[STARTER_OUTPUT_DIR])

    def named(p: Path) -> str:  # as ledger: names it, relative to the file: 台帐.xlsx, 台帐/, 二组/台帐.xlsx
        return p.relative_to(path.parent).as_posix() + ("/" if p.is_dir() else "")

    names = [named(p) for p in found.named]
    text = starter_text(names, found.count)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return Starter(path, names, found.count, [named(p) for p in found.outputs],
                   [(named(left), named(kept)) for left, kept in found.twins])
