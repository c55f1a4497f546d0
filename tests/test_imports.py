"""Lazy imports: `--help` and `check` never load python-docx or python-pptx, and a build loads
only the Office library of the formats it writes (each costs 50–150 ms of start-up).

Each case runs the CLI in a fresh interpreter and reports which top-level packages ended up in
`sys.modules`; structure only, no timings.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "facts" / "lavrov-cavusoglu-ankara-2018.yaml"
OFFICE = ("docx", "pptx")  # python-docx and python-pptx (not briefgen.writers.docx)

_PROBE = """
import json, sys
from briefgen.cli import main
code = main(sys.argv[1:])
loaded = sorted({name.split(".")[0] for name in sys.modules})
print("\\n" + json.dumps({"exit": code, "modules": loaded}))
"""


def loaded_after(*args: str | Path) -> set[str]:
    """Top-level packages imported by `briefgen ARGS` run in a fresh interpreter."""
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    try:
        report = json.loads(last)
    except ValueError:
        pytest.fail(f"briefgen {' '.join(map(str, args))} printed no report:\n{proc.stdout}\n{proc.stderr}")
    assert report["exit"] == 0, proc.stderr
    return set(report["modules"])


def test_imports_help_skips_office_libraries() -> None:
    loaded = loaded_after("--help")
    assert not loaded & set(OFFICE)


def test_imports_check_skips_office_libraries() -> None:
    loaded = loaded_after("check", EXAMPLE)
    assert "briefgen" in loaded
    assert not loaded & set(OFFICE)


def test_imports_markdown_build_skips_office_libraries(tmp_path: Path) -> None:
    loaded = loaded_after("build", EXAMPLE, "-o", tmp_path, "--format", "md", "--jobs", "1")
    assert (tmp_path / f"{EXAMPLE.stem}-memo.md").is_file()
    assert not loaded & set(OFFICE)


def test_imports_docx_build_skips_pptx(tmp_path: Path) -> None:
    loaded = loaded_after("build", EXAMPLE, "-o", tmp_path, "--format", "docx", "--jobs", "1")
    assert (tmp_path / f"{EXAMPLE.stem}-memo.docx").is_file()
    assert "pptx" not in loaded


def test_imports_full_build_loads_both_writers(tmp_path: Path) -> None:
    """The probe sees imports at all: a memo + deck build does load the pptx library."""
    loaded = loaded_after("build", EXAMPLE, "-o", tmp_path, "--jobs", "1")
    assert (tmp_path / f"{EXAMPLE.stem}-deck.pptx").is_file()
    assert "pptx" in loaded
