"""Shared fixtures: small fact files and helpers to write variants of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLE = ROOT / "facts" / "lavrov-cavusoglu-ankara-2018.yaml"
VALIDATOR = ROOT.parent / "shared" / "ooxml" / "validate.py"

# The memo's level-1 sections for the worked example, in the order of the trade.
MEMO_SECTIONS = [
    "Summary",
    "Purpose and context",
    "Objectives",
    "Points to make",
    "Risks and key judgments",
    "Press line",
    "Annexes",
    "Annex A: Background by issue",
    "Annex B: Programme and logistics",
    "Annex C: Participants and biographies",
    "Annex D: Chronology",
    "Annex E: Risks, risk matrix and likelihood key",
    "Annex F: Sources",
]


@pytest.fixture
def minimal_yaml() -> str:
    return (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


@pytest.fixture
def write_facts(tmp_path: Path):
    """Write YAML text to tmp_path/<name>.yaml and return its path."""

    def write(text: str, name: str = "brief") -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A copy of the worked example in a temporary folder."""
    target = tmp_path / EXAMPLE.name
    shutil.copy(EXAMPLE, target)
    return target
