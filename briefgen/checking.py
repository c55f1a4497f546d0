"""`briefgen check`: the pipeline up to its plan step, writing nothing (and without loading
python-docx or python-pptx unless a reference presentation is to be checked)."""

from __future__ import annotations

from pathlib import Path

from briefgen.errors import Problem
from briefgen.pipeline import BuildOptions, Step, run
from briefgen.templating import TemplateSet


def check_briefing(path: Path, templates: TemplateSet) -> list[Problem]:
    """Validate one fact file, render its templates, read and plan them; return the warnings,
    raise the briefgen error of the first step that fails."""
    return run(path, BuildOptions(templates=templates.user_dir), templates, until=Step.PLAN).warnings
