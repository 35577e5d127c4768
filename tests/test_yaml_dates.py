"""Impossible dates in settings and targets files are located YAML problems, not crashes."""

from __future__ import annotations

import pytest

from backlog_cli.assignment import read_targets
from backlog_cli.config import read_yaml
from backlog_cli.errors import ConfigError


def test_settings_file_with_an_impossible_date(tmp_path):
    p = tmp_path / "backlog.yaml"
    p.write_text("ledger: a.xlsx\nas_of: 2026-02-30\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_yaml(p, "settings file")
    assert str(err.value) == f"{p}:2:8: not valid YAML ('2026-02-30' is not a date)"


def test_targets_file_with_an_impossible_date(tmp_path):
    p = tmp_path / "targets.yaml"
    p.write_text("张三: 5\n李四: 2026-02-30\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_targets(p)
    assert str(err.value) == f"{p}:2:5: not valid YAML ('2026-02-30' is not a date)"


def test_a_real_date_still_reads_as_a_date(tmp_path):
    p = tmp_path / "backlog.yaml"
    p.write_text("as_of: 2024-02-29\n", encoding="utf-8")
    assert str(read_yaml(p, "settings file")["as_of"]) == "2024-02-29"
