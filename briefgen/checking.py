"""`briefgen check`: the pipeline up to its plan step, writing nothing (and without loading
python-docx or python-pptx unless a reference presentation is to be checked)."""

from __future__ import annotations

from pathlib import Path

from briefgen.errors import Problem
from briefgen.pipeline import BuildOptions, Step, run
from briefgen.templating import TemplateSet


def check_briefing(
    path: Path,
    templates: TemplateSet,
    *,
    reference_docx: Path | None = None,
    reference_pptx: Path | None = None,
) -> list[Problem]:
    """Validate one fact file, vet the reference documents it names (as `build` does; those
    given here, from the command line, take their place as in `build`), render its templates,
    read and plan them; return the warnings, raise the briefgen error of the first step that
    fails."""
    options = BuildOptions(
        templates=templates.user_dir, reference_docx=reference_docx, reference_pptx=reference_pptx
    )
    return run(path, options, templates, until=Step.PLAN).warnings
