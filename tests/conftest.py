"""Shared test helpers: the committed samples and golden-file comparison.

Golden files live in tests/golden/. After an intended change of output, regenerate them with
``UPDATE_GOLDEN=1 python -m pytest`` and review the diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"
SAMPLE_AS_OF = "2026-11-23"
# The sample ledger's officers in pinyin order (chen, gao, guo, hu, li, liu, ma, sun, wang, wu,
# zhang, zhao, zheng, zhou, zhu), as Excel's Chinese sort lists them.
PINYIN_OFFICERS = ["陈静", "高峰", "郭振华", "胡晓丽", "李明远", "刘晓东", "马骏", "孙立新", "王磊", "吴志强",
                   "张建华", "赵国庆", "郑春梅", "周海燕", "朱永平"]


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with tests/golden/NAME (rewrite it when UPDATE_GOLDEN is set)."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {name}: run with UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8")


def write_ledger(path: Path, header: str, rows) -> Path:
    """A small CSV ledger: the header line, then one line per tuple of cell texts."""
    path.write_text("\n".join([header, *(",".join(r) for r in rows)]) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def golden():
    return check_golden


@pytest.fixture()
def in_repo(monkeypatch):
    """Run from the repository root, so outputs name the samples by their relative path."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("BACKLOG_CONFIG", raising=False)
    return ROOT


def hold_open(monkeypatch, *paths: Path) -> None:
    """Make ``paths`` behave as files Excel holds open on Windows (or read-only ones): they can
    be neither renamed nor replaced."""
    real_replace = os.replace

    def held(src, dst):
        if any(p in (Path(src), Path(dst)) for p in paths):
            raise PermissionError(13, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", held)
