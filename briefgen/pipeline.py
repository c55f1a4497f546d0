"""The one pipeline every command runs: load → render templates → read markup → plan → write → store.

`build`, `check` and `watch` differ only in the step they stop at and where outputs go:
`check` stops after planning (nothing is written, python-docx and python-pptx stay unloaded),
`build` (through `briefgen.batch`) and `watch` run every step, each with its own `store`.

Every output of a briefing is produced in memory first; only when all succeeded are they
stored, by default each through a temporary file in the output folder that is renamed into
place (`briefgen.outputs.write_all`). A failed build therefore never replaces an earlier good
output, nor leaves a partial file behind.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.changes import ChangeSummary
from briefgen.config import (
    DEFAULT_FORMATS,
    FORMATS,
    BriefingConfig,
    BuildOptions,
    Environment,
    References,
    configure,
    locate_reference,
    read_environment,
)
from briefgen.errors import (
    BriefgenError,
    InvalidFacts,
    PartialBuild,
    Problem,
    ReferenceFileProblem,
    StrictProblem,
    ToolProblem,
)
from briefgen.facts import LoadedBriefing, load_facts
from briefgen.model import Document
from briefgen.templating import TemplateSet, render_templates

if TYPE_CHECKING:  # imported when a deck is planned or written, not at start-up
    from briefgen.slides import DeckPlan
    from briefgen.writers.docx_state import DocxOptions
    from briefgen.writers.pptx import PptxOptions

__all__ = [
    "DEFAULT_FORMATS", "FORMATS", "BuildOptions", "Run", "Step", "Store",
    "output_names", "output_stem", "run",
]

KINDS = ("memo", "deck")
# Which rendered Markdown each format needs.
FORMAT_KINDS = {"docx": ("memo",), "pptx": ("deck",), "md": ("memo", "deck"), "pdf": ("memo", "deck")}
# The files each format writes, after `<stem>-`.
FORMAT_FILES = {
    "docx": ("memo.docx",),
    "pptx": ("deck.pptx",),
    "md": ("memo.md", "deck.md"),
    "pdf": ("memo.pdf", "deck.pdf"),
}


class Step(IntEnum):
    """The steps of the pipeline, in order; a run stops after the one it is given."""

    LOAD = 1  # read and validate the facts (briefgen.facts), merge the configuration (briefgen.config)
    RENDER = 2  # render the Markdown templates (briefgen.templating)
    READ = 3  # read the Markdown into the document model (briefgen.markup)
    PLAN = 4  # measure what needs no writer: the memo's length, the deck's slides (briefgen.slides)
    WRITE = 5  # every requested format as bytes, in memory (briefgen.writers)
    STORE = 6  # put the bytes in the output folder


# Where a run's outputs go: (output folder, {file name: bytes}) → the paths written.
Store = Callable[[Path, dict[str, bytes]], list[Path]]


@dataclass
class Run:
    """What one pass of the pipeline over one fact file produced, up to the step it stopped at."""

    facts: Path
    loaded: LoadedBriefing | None = None
    config: BriefingConfig | None = None
    markdown: dict[str, str] = field(default_factory=dict)  # kind ("memo", "deck") → Markdown
    documents: dict[str, Document] = field(default_factory=dict)  # kind → document model
    deck: DeckPlan | None = None  # the deck planned against its reference (Step.PLAN)
    files: dict[str, bytes] = field(default_factory=dict)  # output file name → bytes
    outputs: list[Path] = field(default_factory=list)  # as stored
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # step → seconds
    earlier: LoadedBriefing | None = None  # with --since: the version compared with
    changes: ChangeSummary | None = None  # with --since: what changed since `earlier`
    memo_pages: float | None = None  # the memo body's estimated length in pages (Step.PLAN)


def run(
    path: Path,
    options: BuildOptions,
    templates: TemplateSet | None = None,
    *,
    until: Step = Step.STORE,
    store: Store | None = None,
    loaded: LoadedBriefing | None = None,
    timings: dict[str, float] | None = None,
    environment: Environment | None = None,
    references: References | None = None,
) -> Run:
    """Run the pipeline over the fact file `path` up to and including the step `until`.

    The load step reads the facts (unless `loaded` is given) and merges them with `options` and
    `environment` (`read_environment()` when None) into the briefing's configuration, reading
    reference files through `references` (one run's cache). Before `Step.WRITE` every kind
    (memo and deck) is rendered and read, whatever the formats; from it on, only what the
    formats need. With `options.strict`, warnings fail the briefing before anything is stored.
    `store` defaults to the atomic `briefgen.outputs.write_all`. Raises the briefgen error of the
    first step that fails; every warning found on the way is in the result.
    """
    result = Run(path, timings=timings if timings is not None else {})
    try:
        return _run_steps(
            result, path, options, templates, until, store, loaded, environment, references
        )
    except BriefgenError as exc:
        # A briefing that fails keeps the warnings found before it failed (printed, counted).
        carried = {id(p) for p in exc.problems}
        found = [w for w in result.warnings if id(w) not in carried]
        if found and not exc.problems:  # the error itself first, as its message says it
            exc.problems = [Problem(str(exc), file=str(path))]
        exc.problems = located(exc.problems + found, path)
        raise
    finally:
        result.warnings[:] = located(result.warnings, path)


def located(problems: list[Problem], path: Path) -> list[Problem]:
    """`problems` with every warning that names no file given the fact file `path`: a warning
    found while reading, planning or writing a briefing is about that briefing, and its file is
    what a reader (and a GitHub annotation) needs to find it."""
    return [
        replace(p, file=str(path)) if p.severity == "warning" and not p.file else p for p in problems
    ]


def _run_steps(
    result: Run,
    path: Path,
    options: BuildOptions,
    templates: TemplateSet | None,
    until: Step,
    store: Store | None,
    loaded: LoadedBriefing | None,
    environment: Environment | None,
    references: References | None,
) -> Run:
    clock = Clock(result.timings)
    with clock("load"):
        if loaded is None:
            loaded = load_facts(path)
        environment = environment or read_environment()
        config = configure(loaded, options, environment, references)
    result.loaded, result.config = loaded, config
    result.warnings.extend(loaded.warnings)
    if config.since and until >= Step.RENDER:
        with clock("load"):
            result.earlier, result.changes = load_earlier(config.since, path, loaded, result.warnings)
        if result.earlier is not None and "docx" not in config.formats and until >= Step.WRITE:
            result.warnings.append(
                Problem(
                    f"--since {config.since}: no redline memo without the docx format "
                    "(the deck's changes slide and the report still show what changed)",
                    file=str(path),
                    severity="warning",
                )
            )
    if until < Step.RENDER:
        return result
    stem = output_stem(path)
    kinds = KINDS if until < Step.WRITE else needed_kinds(config.formats)
    templates = templates or TemplateSet(options.templates, environment.cache_dir)
    with clock("render"):
        result.markdown = render_templates(
            loaded.briefing, templates, kinds, result.warnings, path.parent, since=result.changes,
            timeout=config.render_timeout,
        )
    if until < Step.READ:
        return result
    with clock("read"):
        result.documents = read(loaded, result.markdown, stem, result.warnings)
    if until < Step.PLAN:
        return result
    with clock("plan"):
        result.memo_pages = memo_pages(config, result.documents)
        result.warnings.extend(plan(loaded, config, result.documents, result.memo_pages))
        if "deck" in result.documents and "pptx" in config.references:
            result.deck = plan_deck_of(loaded, config, result.documents["deck"], result.warnings)
    if until < Step.WRITE:
        return result
    tool_problems: list[BriefgenError] = []
    result.files = write(
        loaded, config, result.documents, result.warnings, clock,
        deck=result.deck, tool_problems=tool_problems,
    )
    if result.earlier is not None and f"{stem}-memo.docx" in result.files:
        with clock("redline"):
            result.files[f"{stem}-memo-redline.docx"] = write_redline(
                loaded, result.earlier, result.files[f"{stem}-memo.docx"], config, templates
            )
    if until < Step.STORE:
        return result
    if config.strict and result.warnings:
        raise StrictProblem(problems=result.warnings)
    with clock("write"):  # the report's name for storing, kept from before the steps had names
        if store is None:
            from briefgen.outputs import write_all

            store = write_all
        result.outputs = store(config.out_dir, result.files)
    if tool_problems:
        # `--format docx,pdf` without LibreOffice: the .docx is written, the PDF fails (exit 4).
        problems = [p for exc in tool_problems for p in exc.problems or [Problem(str(exc), file=str(path))]]
        raise PartialBuild(problems=problems, outputs=result.outputs)
    return result


def read(
    loaded: LoadedBriefing, markdown: dict[str, str], stem: str, warnings: list[Problem]
) -> dict[str, Document]:
    """The rendered Markdown of each kind read into the document model. The memo is typeset:
    curly quotes, dashes, no-break spaces (the deck plans its slides on the text as written)."""
    from briefgen.markup import read_markdown

    documents: dict[str, Document] = {}
    for kind, text in markdown.items():
        typography = loaded.briefing.output.language if kind == "memo" else None
        documents[kind] = read_markdown(
            text, source=f"{stem}-{kind}.md", warnings=warnings, typography=typography
        )
    return documents


def load_earlier(
    spec: str, path: Path, loaded: LoadedBriefing, warnings: list[Problem]
) -> tuple[LoadedBriefing | None, ChangeSummary | None]:
    """The earlier version `spec` names (briefgen.history), validated like any fact file, and
    what changed since it. A briefing that did not exist at that revision is new: a warning,
    and no redline. Raises `InvalidFacts` located in the earlier version
    (`HEAD~1:facts/x.yaml:3:1`) and the errors of `find_earlier`."""
    from briefgen.changes import summarise
    from briefgen.history import NotInRevision, find_earlier

    try:
        found = find_earlier(spec, path)
    except NotInRevision as exc:
        warnings.append(Problem(f"{exc}: a new briefing, so no redline", file=str(path), severity="warning"))
        return None, None
    try:
        if found.path is not None:
            earlier = load_facts(found.path, display=found.name)
        else:
            earlier = load_facts(path, display=found.name, raw=found.text)
    except InvalidFacts as exc:
        if found.path is not None and not found.path.is_file():
            raise  # a device, pipe or socket named as the earlier version: refused, not history
        # The version being compared with is history: its faults must not stop this build (a
        # pull request that repairs a broken brief still builds). Each is shown, located in
        # the earlier version, as a warning.
        errors = [p for p in exc.problems if p.severity == "error"]
        warnings.extend(replace(p, severity="warning") for p in errors)
        warnings.append(
            Problem(
                f"--since {spec}: the earlier version {found.name} is not a valid fact file "
                f"({len(errors)} problem{'s' if len(errors) != 1 else ''} above): no redline",
                file=str(path),
                severity="warning",
            )
        )
        return None, None
    return earlier, summarise(earlier.briefing, loaded.briefing, found.name)


def write_redline(
    loaded: LoadedBriefing,
    earlier: LoadedBriefing,
    memo: bytes,
    config: BriefingConfig,
    templates: TemplateSet,
) -> bytes:
    """The memo `memo` (built from `loaded`) with every difference from the memo of `earlier`
    as Word tracked changes. The earlier memo is written with this build's templates,
    configuration and reference document, so only the facts make a difference; the revisions
    are dated with this build's stamp and attributed to `config.redline_author` or the brief's
    prepared_by. Warnings about the earlier version are not this build's and are dropped."""
    from briefgen.writers.docx_redline import RedlineOptions, redline

    ignored: list[Problem] = []
    markdown = render_templates(
        earlier.briefing, templates, ("memo",), ignored, loaded.path.parent, timeout=config.render_timeout
    )
    documents = read(earlier, markdown, "earlier", ignored)
    files = write(earlier, replace(config, formats=("docx",)), documents, ignored)
    old = next(data for name, data in files.items() if name.endswith("-memo.docx"))
    author = config.redline_author or loaded.briefing.prepared_by
    marked, _ = redline(old, memo, RedlineOptions(author, config.stamp))
    return marked


def needed_kinds(formats: tuple[str, ...]) -> tuple[str, ...]:
    """The rendered kinds ("memo", "deck") that these formats need, in KINDS order."""
    wanted = {k for f in formats for k in FORMAT_KINDS[f]}
    return tuple(k for k in KINDS if k in wanted)


def memo_pages(config: BriefingConfig, documents: dict[str, Document]) -> float | None:
    """The memo body's length in pages (`briefgen.pagination.estimate_body_pages`), laid out on
    the reference's own page size, margins and styles (an A5 or landscape reference changes
    everything), the bundled reference's without one; None without a memo."""
    memo = documents.get("memo")
    if memo is None:
        return None
    from briefgen.page_layout import layout_of_reference
    from briefgen.pagination import estimate_body_pages

    reference = config.references.get("docx")
    return estimate_body_pages(memo, layout_of_reference(reference.data if reference else None))


def plan(
    loaded: LoadedBriefing,
    config: BriefingConfig,
    documents: dict[str, Document],
    pages: float | None = None,
) -> list[Problem]:
    """What can be measured before writing: a memo body over `output.page_budget` (a warning).
    `pages`: the memo's estimate when already made (`memo_pages`)."""
    if pages is None:
        pages = memo_pages(config, documents)
    if pages is None:
        return []
    from briefgen.pagination import shown_pages

    budget = config.page_budget
    reference = config.references.get("docx")
    if pages <= budget:
        return []
    where = f" on the page of {reference.name}" if reference and reference.path else ""
    line, col = budget_position(loaded, "page_budget")
    return [
        Problem(
            f"the memo body is about {shown_pages(pages):.1f} pages{where}, over its budget of {budget} "
            f"(output.page_budget); move detail to the annexes",
            file=str(loaded.path),
            line=line,
            col=col,
            severity="warning",
        )
    ]


def budget_position(loaded: LoadedBriefing, key: str) -> tuple[int, int]:
    """Where an over-budget warning points (1-based line, column): at the value of
    `output.<key>` when the fact file sets it, else at its `output:` key, else at the top of
    the file (the budget is then the default, and `output:` is where to set one)."""
    positions = loaded.positions
    if ("output", key) in positions.values:
        return positions.values[("output", key)]
    if ("output",) in positions.keys:
        return positions.keys[("output",)]
    return (1, 1)


def plan_deck_of(
    loaded: LoadedBriefing, config: BriefingConfig, document: Document, warnings: list[Problem]
) -> DeckPlan:
    """The deck's first two steps: read the reference presentation's geometry (zip + lxml, no
    python-pptx), then plan the slides against it as pure data, warning with the planned count
    when the deck runs over `output.slide_budget`. The pptx writer then only draws the plan."""
    from briefgen.slides import plan_deck
    from briefgen.slides.reference import read_geometry

    output = loaded.briefing.output
    reference = config.references["pptx"]
    adapted: list[Problem] = []
    with _located_reference(loaded, config, "pptx"):
        geometry = read_geometry(
            reference.data,
            name=reference.name,
            layouts=config.layouts,
            banner_pt=output.banner_pt,
            warnings=adapted,
        )
    # What the reference's own check (`check --reference-pptx`) already said is not said twice.
    warnings.extend(w for w in adapted if w.message not in reference.reported)
    # With --since the deck gains a changes slide that the brief's own budget does not plan for.
    budget = output.slide_budget + (1 if config.since else 0)
    return plan_deck(
        document, geometry, warnings, budget=budget, where=str(loaded.path),
        budget_at=budget_position(loaded, "slide_budget"),
    )


def write(
    loaded: LoadedBriefing,
    config: BriefingConfig,
    documents: dict[str, Document],
    warnings: list[Problem],
    clock: Clock | None = None,
    *,
    deck: DeckPlan | None = None,
    tool_problems: list[BriefgenError] | None = None,
) -> dict[str, bytes]:
    """Every output the configuration asks for, in memory: {file name: bytes}. Each writer has
    the same shape (model + options + reference bytes → bytes and warnings); their warnings
    are added to `warnings`. The deck's model is its plan (`deck`; planned here when the
    caller has none)."""
    clock = clock or Clock({})
    stem = output_stem(loaded.path)
    files: dict[str, bytes] = {}
    formats = config.formats
    refs = config.references
    if "md" in formats:
        with clock("md"):
            from briefgen.writers.markdown import MarkdownOptions, write_markdown

            for kind in KINDS:
                written = write_markdown(documents[kind], MarkdownOptions())
                files[f"{stem}-{kind}.md"] = _collect(written, warnings)
    if "docx" in formats:
        with clock("docx"):
            from briefgen.writers.docx import write_docx

            with _located_reference(loaded, config, "docx"):
                written = write_docx(documents["memo"], _docx_options(config), refs["docx"].data)
            files[f"{stem}-memo.docx"] = _collect(written, warnings)
    if "pptx" in formats:
        with clock("pptx"):
            from briefgen.writers.pptx import write_pptx

            if deck is None:
                deck = plan_deck_of(loaded, config, documents["deck"], warnings)
            with _located_reference(loaded, config, "pptx"):
                written = write_pptx(deck, _pptx_options(config), refs["pptx"].data)
            files[f"{stem}-deck.pptx"] = _collect(written, warnings)
    if "pdf" in formats:
        with clock("pdf"):
            from briefgen.writers.pdf import PdfOptions, write_pdf

            # The PDF writers go through the Office writers again: their warnings are those
            # already reported when the .docx/.pptx is written too.
            office: dict[str, DocxOptions | PptxOptions] = {
                "memo": _docx_options(config),
                "deck": _pptx_options(config),
            }
            if deck is None:
                deck = plan_deck_of(loaded, config, documents["deck"], [])  # its warnings: above
            models: dict[str, Document | DeckPlan] = {"memo": documents["memo"], "deck": deck}
            pdfs: dict[str, bytes] = {}
            try:
                for kind, fmt in (("memo", "docx"), ("deck", "pptx")):
                    options = PdfOptions(office[kind], name=f"{stem}-{kind}.{fmt}", soffice=config.soffice)
                    with _located_reference(loaded, config, fmt):
                        data, found = write_pdf(models[kind], options, refs[fmt].data)
                    warnings.extend(w for w in found if fmt not in formats)
                    pdfs[f"{stem}-{kind}.pdf"] = data
            except ToolProblem as exc:
                # Without LibreOffice only the PDFs fail: the other formats are still written
                # (the caller raises PartialBuild after storing them).
                if tool_problems is None or not files:
                    raise
                tool_problems.append(exc)
                pdfs = {}
            files.update(pdfs)
    return files


@contextlib.contextmanager
def _located_reference(loaded: LoadedBriefing, config: BriefingConfig, kind: str) -> Iterator[None]:
    """A reference document the fact file names that a writer cannot use is reported at the
    line of `output.reference_<kind>` (as `check` reports it); one given on the command line
    is not."""
    try:
        yield
    except ReferenceFileProblem as exc:
        if kind not in config.named_in_facts:
            raise
        raise locate_reference(exc, loaded, kind) from None


def _docx_options(config: BriefingConfig) -> DocxOptions:
    from briefgen.writers.docx_state import DocxOptions

    return DocxOptions(stamp=config.stamp, reference_name=config.references["docx"].name)


def _pptx_options(config: BriefingConfig) -> PptxOptions:
    from briefgen.writers.pptx import PptxOptions

    return PptxOptions(stamp=config.stamp, reference_name=config.references["pptx"].name)


def _collect(written: tuple[bytes, list[Problem]], warnings: list[Problem]) -> bytes:
    data, found = written
    warnings.extend(found)
    return data


# ---------------------------------------------------------------------------------------------
# Names, stamps and references


def output_stem(facts_path: Path) -> str:
    """A safe file-name stem from the facts file name: no path parts, no reserved names."""
    stem = re.sub(r"[^\w.-]+", "-", facts_path.stem, flags=re.UNICODE).strip(".-") or "briefing"
    if stem.upper().split(".")[0] in _RESERVED:
        stem = f"briefing-{stem}"
    # At most 120 characters and _STEM_BYTES bytes (UTF-8), so that "<stem>-memo.docx" passes
    # briefgen.outputs.check_output_name on every file system.
    stem = stem[:120]
    while len(stem.encode("utf-8")) > _STEM_BYTES:
        stem = stem[:-1]
    return stem.rstrip(".-") or "briefing"


_STEM_BYTES = 180  # outputs.MAX_NAME_BYTES (200) less the longest suffix, with room


_RESERVED = {
    "CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))
}


def output_names(stem: str, formats: tuple[str, ...]) -> list[str]:
    """The file names a briefing's build writes for these formats."""
    return list(dict.fromkeys(f"{stem}-{suffix}" for fmt in formats for suffix in FORMAT_FILES[fmt]))


class Clock:
    """Adds the seconds spent in each named step to a timings dict."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.stage = ""
        self.started = 0.0

    def __call__(self, stage: str) -> Clock:
        self.stage = stage
        return self

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        spent = time.perf_counter() - self.started
        self.timings[self.stage] = round(self.timings.get(self.stage, 0.0) + spent, 4)
