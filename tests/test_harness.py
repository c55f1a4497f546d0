"""The test harness itself: the schema check cannot be skipped silently in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, VALIDATOR_VARIABLE, OoxmlValidator, find_validator


def test_harness_validator_comes_from_the_environment_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VALIDATOR_VARIABLE, "/elsewhere/validate.py")
    assert find_validator() == Path("/elsewhere/validate.py")


def test_harness_validator_passes_a_bundled_reference(ooxml: OoxmlValidator, tmp_path: Path) -> None:
    ooxml(ROOT / "templates" / "reference.docx", ROOT / "templates" / "reference.pptx")


def test_harness_validator_fails_a_broken_package(ooxml: OoxmlValidator, tmp_path: Path) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK not a zip")
    with pytest.raises(AssertionError):
        ooxml(broken)


@pytest.mark.parametrize(("ci", "expected"), [("true", 1), ("", 0)])
def test_harness_missing_validator_fails_in_ci_and_skips_elsewhere(ci: str, expected: int) -> None:
    env = dict(os.environ, **{VALIDATOR_VARIABLE: "/nonexistent/validate.py", "CI": ci})
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
         "tests/test_harness.py::test_harness_validator_passes_a_bundled_reference"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert run.returncode == expected, run.stdout + run.stderr
    said = "CI must validate" if ci else "SKIPPED"
    assert said in run.stdout, run.stdout
