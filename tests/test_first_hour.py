"""A new user's first hour: the README's quick start, `make demo`'s last words, and the commands
a desk officer types first, checked as that user would meet them."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess

import pytest

from briefgen.cli import main
from tests.conftest import ROOT


def _demo_echoes() -> list[str]:
    """What `make demo` prints after the build (its echo lines), without running it."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", "demo"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    lines = []
    for line in done.stdout.splitlines():
        if line.startswith("echo "):
            lines.append(shlex.split(line)[1] if len(shlex.split(line)) > 1 else "")
    return lines


def test_first_hour_make_demo_ends_with_the_exact_next_command(tmp_path, monkeypatch):
    lines = _demo_echoes()
    assert lines[-1].startswith("Next: .venv/bin/briefgen ")
    # The environment is named, with both ways to run briefgen.
    text = "\n".join(lines)
    assert ".venv/bin/briefgen" in text and ". .venv/bin/activate" in text
    # The command printed works as printed (here in a scratch folder).
    command = shlex.split(lines[-1].removeprefix("Next: "))
    assert command[0] == ".venv/bin/briefgen"
    monkeypatch.chdir(tmp_path)
    assert main(command[1:]) == 0
    assert (tmp_path / "facts" / f"{command[-1]}.yaml").is_file()


def test_first_hour_readme_quick_start_shows_venv_path_and_activation():
    readme = (ROOT / "README.md").read_text("utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert ".venv/bin/briefgen" in quick
    assert re.search(r"^\. \.venv/bin/activate", quick, re.M)
    assert "not on your `PATH`" in quick
