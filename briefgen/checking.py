"""`briefgen check`: the pipeline up to its plan step, writing nothing (and without loading
python-docx or python-pptx unless a reference presentation is to be checked)."""

from __future__ import annotations

from pathlib import Path

from briefgen.config import BuildOptions, References
from briefgen.errors import Problem
from briefgen.pipeline import Step, run
from briefgen.templating import TemplateSet


def check_briefing(
    path: Path,
    templates: TemplateSet,
    options: BuildOptions | None = None,
    references: References | None = None,
) -> list[Problem]:
    """Validate one fact file and its configuration (reference files included), render its
    templates, read and plan them; return the warnings, raise the briefgen error of the first
    step that fails."""
    options = options or BuildOptions(templates=templates.user_dir)
    return run(path, options, templates, until=Step.PLAN, references=references).warnings


def check_reference(kind: str, path: Path, references: References) -> list[Problem]:
    """What the reference file of `kind` ("docx" or "pptx") at `path` lacks: the styles, or the
    layouts and placeholders, briefgen relies on. Raises `ReferenceFileProblem` when it cannot
    be used at all."""
    reference = references.get(kind, path)
    if kind == "docx":
        from briefgen.writers.docx_styles import check_reference_docx

        return check_reference_docx(reference.data, reference.name)
    from briefgen.slides.reference import check_reference  # zip + lxml: python-pptx stays unloaded

    return check_reference(reference.data, reference.name)
