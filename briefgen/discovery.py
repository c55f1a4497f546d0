"""Finding fact files: shared by every command, so it imports nothing heavy."""

from __future__ import annotations

from pathlib import Path


def discover(inputs: list[Path]) -> list[Path]:
    """Fact files named on the command line; folders give their *.yaml / *.yml files, sorted."""
    found: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found.extend(sorted(p for p in item.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            found.append(item)
    return list(dict.fromkeys(found))
