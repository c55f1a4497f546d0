"""`briefgen check`: the pipeline up to its plan step, writing nothing (and without loading
python-docx or python-pptx unless a reference presentation is to be checked)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefgen.config import BuildOptions, Environment, References
from briefgen.errors import Problem
from briefgen.facts import LoadedBriefing
from briefgen.pipeline import Run, Step, memo_pages, run
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
    return check_run(path, templates, options, references).warnings


def check_run(
    path: Path,
    templates: TemplateSet,
    options: BuildOptions | None = None,
    references: References | None = None,
    loaded: LoadedBriefing | None = None,
    environment: Environment | None = None,
) -> Run:
    """`check_briefing`, returning the whole run up to the plan step (its documents measure the
    pack for `measure`); `loaded`: the facts already read (from standard input); `environment`:
    the run's (read from os.environ when None)."""
    options = options or BuildOptions(templates=templates.user_dir)
    return run(
        path, options, templates, until=Step.PLAN, references=references, loaded=loaded,
        environment=environment,
    )


@dataclass(frozen=True)
class Measures:
    """What a checked briefing will come to: the memo body in pages (an estimate, on the page of
    the reference in force), its budget, and the deck's slides as planned (continuation slides
    included)."""

    pages: float
    budget: int
    slides: int

    @property
    def shown_pages(self) -> float:
        """The estimate to the tenth, rounded as the over-budget warning rounds it (up)."""
        from briefgen.pagination import shown_pages

        return shown_pages(self.pages)

    def describe(self) -> str:
        return f"memo about {self.shown_pages:.1f} of {self.budget} pages, deck {self.slides} slides"


def measure(checked: Run) -> Measures | None:
    """The measures of a run that reached the plan step; None without its memo and deck."""
    from briefgen.model import Heading

    memo, deck = checked.documents.get("memo"), checked.documents.get("deck")
    if memo is None or deck is None or checked.config is None:
        return None
    # Made once by the plan step (whose over-budget warning it is); measured here otherwise.
    pages = checked.memo_pages
    if pages is None:
        pages = memo_pages(checked.config, checked.documents)
    if pages is None:
        return None
    if checked.deck is not None:  # planned against the reference: continuation slides count
        slides = len(checked.deck.slides)
    else:
        slides = sum(1 for block in deck.blocks if isinstance(block, Heading) and block.level <= 2)
    return Measures(pages, checked.config.page_budget, slides)


def check_reference(kind: str, path: Path, references: References) -> list[Problem]:
    """What the reference file of `kind` ("docx" or "pptx") at `path` lacks: the styles, or the
    layouts and placeholders, briefgen relies on, each marked reported on the cached reference
    (`Reference.reported`) so that the briefings planned on it later in the run do not report
    it again. Raises `ReferenceFileProblem` when it cannot be used at all."""
    reference = references.get(kind, path)
    if kind == "docx":
        from briefgen.writers.docx_styles import check_reference_docx

        problems = check_reference_docx(reference.data, reference.name)
    else:
        from briefgen.slides.reference import check_reference  # zip + lxml: python-pptx stays unloaded

        problems = check_reference(reference.data, reference.name)
    # Said once, here: the briefings checked against this reference (the same cached object)
    # do not repeat what the reference itself lacks when their decks are planned on it.
    reference.reported.update(p.message for p in problems)
    return problems
