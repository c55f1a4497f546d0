"""Shared fixtures: small fact files and helpers to write variants of them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLE = ROOT / "facts" / "lavrov-cavusoglu-ankara-2018.yaml"
# The ECMA-376 schema validator: $BRIEFGEN_OOXML_VALIDATOR, else the shared folder beside the
# repository (../shared, where CI puts it). Only the `ooxml` fixture below uses it.
VALIDATOR_VARIABLE = "BRIEFGEN_OOXML_VALIDATOR"
DEFAULT_VALIDATOR = ROOT.parent / "shared" / "ooxml" / "validate.py"


def find_validator() -> Path | None:
    """The validator script: the environment variable's (which must exist), else the shared one."""
    configured = os.environ.get(VALIDATOR_VARIABLE, "").strip()
    if configured:
        return Path(configured)
    return DEFAULT_VALIDATOR if DEFAULT_VALIDATOR.is_file() else None


@dataclass(frozen=True)
class OoxmlValidator:
    """Runs the schema validator over generated files and asserts 0 errors in every one."""

    script: Path

    def __call__(self, *files: Path) -> None:
        assert files, "nothing to validate"
        result = subprocess.run(
            [sys.executable, str(self.script), *map(str, files)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        report = result.stdout + result.stderr
        assert result.returncode == 0, report[-4000:]
        # One line per file ("<file>: N parts validated, 0 errors"): every file was read.
        clean = [line for line in result.stdout.splitlines() if line.endswith(", 0 errors")]
        for path in files:
            validated = any(line.startswith(f"{path}:") for line in clean)
            assert validated, f"{path} not validated:\n{report[-4000:]}"


@pytest.fixture(scope="session")
def ooxml() -> OoxmlValidator:
    """The OOXML schema check. Skips on a developer machine without the validator; where CI is
    set, a missing validator fails the run instead: CI never passes without validating."""
    script = find_validator()
    if script is None or not script.is_file():
        where = f"{VALIDATOR_VARIABLE}={script}" if script else f"{DEFAULT_VALIDATOR}"
        message = f"OOXML validator not found ({where}); set {VALIDATOR_VARIABLE} to validate.py"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must validate every generated file", pytrace=False)
        pytest.skip(message)
    return OoxmlValidator(script)

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
