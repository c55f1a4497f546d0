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
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dtime
from enum import IntEnum
from pathlib import Path

from briefgen.errors import Problem, ReferenceFileProblem, UsageProblem
from briefgen.facts import LoadedBriefing, load_facts
from briefgen.intake import locate_reference, named_reference, vet_named_references
from briefgen.model import Document
from briefgen.templating import TemplateSet, render_templates

FORMATS = ("docx", "pptx", "md", "pdf")
DEFAULT_FORMATS = ("docx", "pptx")
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

    LOAD = 1  # read and validate the facts (briefgen.facts)
    RENDER = 2  # render the Markdown templates (briefgen.templating)
    READ = 3  # read the Markdown into the document model (briefgen.markup)
    PLAN = 4  # measure what needs no writer: the memo's length against its page budget
    WRITE = 5  # every requested format as bytes, in memory (briefgen.writers)
    STORE = 6  # put the bytes in the output folder


@dataclass(frozen=True)
class BuildOptions:
    out_dir: Path = Path("out")
    formats: tuple[str, ...] = DEFAULT_FORMATS
    templates: Path | None = None
    reference_docx: Path | None = None
    reference_pptx: Path | None = None
    layouts: dict[str, str] | None = None


# Where a run's outputs go: (output folder, {file name: bytes}) → the paths written.
Store = Callable[[Path, dict[str, bytes]], list[Path]]


@dataclass
class Run:
    """What one pass of the pipeline over one fact file produced, up to the step it stopped at."""

    facts: Path
    loaded: LoadedBriefing | None = None
    markdown: dict[str, str] = field(default_factory=dict)  # kind ("memo", "deck") → Markdown
    documents: dict[str, Document] = field(default_factory=dict)  # kind → document model
    files: dict[str, bytes] = field(default_factory=dict)  # output file name → bytes
    outputs: list[Path] = field(default_factory=list)  # as stored
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # step → seconds


def run(
    path: Path,
    options: BuildOptions,
    templates: TemplateSet | None = None,
    *,
    until: Step = Step.STORE,
    store: Store | None = None,
    loaded: LoadedBriefing | None = None,
    timings: dict[str, float] | None = None,
) -> Run:
    """Run the pipeline over the fact file `path` up to and including the step `until`.

    Before `Step.WRITE` every kind (memo and deck) is rendered and read, whatever the formats;
    from it on, only what `options.formats` needs. `store` defaults to the atomic
    `briefgen.outputs.write_all`. Raises the briefgen error of the first step that fails; every
    warning found on the way is in the result.
    """
    result = Run(path, timings=timings if timings is not None else {})
    clock = Clock(result.timings)
    if loaded is None:
        with clock("load"):
            loaded = load_facts(path)
    result.loaded = loaded
    result.warnings.extend(loaded.warnings)
    if until < Step.RENDER:
        return result
    stem = output_stem(path)
    kinds = KINDS if until < Step.WRITE else needed_kinds(options.formats)
    templates = templates or TemplateSet(options.templates)
    with clock("render"):
        result.markdown = render_templates(
            loaded.briefing, templates, kinds, result.warnings, path.parent
        )
    if until < Step.READ:
        return result
    with clock("read"):
        from briefgen.markup import read_markdown

        for kind in kinds:
            result.documents[kind] = read_markdown(
                result.markdown[kind], source=f"{stem}-{kind}.md", warnings=result.warnings
            )
    if until < Step.PLAN:
        return result
    with clock("plan"):
        # The reference documents the facts name are vetted here, as `build` reads them, so that
        # `check` (which stops after this step) fails on the same bad output.reference_*.
        overridden = [k for k, v in (("docx", options.reference_docx), ("pptx", options.reference_pptx)) if v]
        vet_named_references(loaded, overridden)
        result.warnings.extend(plan(loaded, result.documents))
    if until < Step.WRITE:
        return result
    result.files = write(loaded, options, result.markdown, result.documents, result.warnings, clock)
    if until < Step.STORE:
        return result
    with clock("write"):  # the report's name for storing, kept from before the steps had names
        if store is None:
            from briefgen.outputs import write_all

            store = write_all
        result.outputs = store(options.out_dir, result.files)
    return result


def needed_kinds(formats: tuple[str, ...]) -> tuple[str, ...]:
    """The rendered kinds ("memo", "deck") that these formats need, in KINDS order."""
    wanted = {k for f in formats for k in FORMAT_KINDS[f]}
    return tuple(k for k in KINDS if k in wanted)


def plan(loaded: LoadedBriefing, documents: dict[str, Document]) -> list[Problem]:
    """What can be measured before writing: a memo body over `output.page_budget` (a warning)."""
    memo = documents.get("memo")
    if memo is None:
        return []
    from briefgen.pagination import estimate_body_pages

    budget = loaded.briefing.output.page_budget
    pages = estimate_body_pages(memo)
    if pages <= budget:
        return []
    return [
        Problem(
            f"the memo body is about {pages:.1f} pages, over its budget of {budget} "
            f"(output.page_budget); move detail to the annexes",
            file=str(loaded.path),
            severity="warning",
        )
    ]


def write(
    loaded: LoadedBriefing,
    options: BuildOptions,
    markdown: dict[str, str],
    documents: dict[str, Document],
    warnings: list[Problem],
    clock: Clock | None = None,
) -> dict[str, bytes]:
    """Every requested output of one briefing in memory: {file name: bytes}."""
    clock = clock or Clock({})
    briefing = loaded.briefing
    stem = output_stem(loaded.path)
    stamp = build_stamp(loaded)
    files: dict[str, bytes] = {}
    formats = options.formats
    if "md" in formats:
        with clock("md"):
            from briefgen.writers.markdown import MarkdownOptions, write_markdown

            for kind in KINDS:
                data, found = write_markdown(documents[kind], MarkdownOptions())
                files[f"{stem}-{kind}.md"] = data
                warnings.extend(found)
    if "docx" in formats or "pdf" in formats:
        with clock("docx"):
            from briefgen.writers.docx import DocxOptions, write_docx

            ref = reference_path(options.reference_docx, briefing.output.reference_docx, loaded.path)
            with _located_reference(loaded, "docx", options.reference_docx):
                files[f"{stem}-memo.docx"] = write_docx(
                    documents["memo"], DocxOptions(stamp=stamp, reference=ref, warnings=warnings)
                )
    if "pptx" in formats or "pdf" in formats:
        with clock("pptx"):
            from briefgen.writers.pptx import PptxOptions, write_pptx

            ref = reference_path(options.reference_pptx, briefing.output.reference_pptx, loaded.path)
            with _located_reference(loaded, "pptx", options.reference_pptx):
                files[f"{stem}-deck.pptx"] = write_pptx(
                    documents["deck"],
                    PptxOptions(stamp=stamp, reference=ref, layouts=options.layouts, warnings=warnings),
                )
    if "pdf" in formats:
        with clock("pdf"):
            from briefgen.writers.pdf import convert_to_pdf

            for name in (f"{stem}-memo.docx", f"{stem}-deck.pptx"):
                files[name.rsplit(".", 1)[0] + ".pdf"] = convert_to_pdf(files[name], name, stamp=stamp)
            for fmt, kind in (("docx", "memo"), ("pptx", "deck")):
                if fmt not in formats:
                    del files[f"{stem}-{kind}.{fmt}"]
    return files


@contextlib.contextmanager
def _located_reference(loaded: LoadedBriefing, kind: str, cli_value: Path | None) -> Iterator[None]:
    """A problem with a reference document the fact file names is reported at the line of
    `output.reference_<kind>` (as `check` reports it); one given on the command line is not."""
    try:
        yield
    except ReferenceFileProblem as exc:
        if cli_value is not None or named_reference(loaded, kind) is None:
            raise
        raise locate_reference(exc, loaded, kind) from None


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


def source_date_epoch() -> datetime | None:
    """SOURCE_DATE_EPOCH as a naive UTC datetime, or None when unset."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        return datetime.fromtimestamp(int(epoch), UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        raise UsageProblem(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from None


def build_stamp(loaded: LoadedBriefing) -> datetime:
    """The timestamp written into outputs: SOURCE_DATE_EPOCH when set, else the date prepared."""
    return source_date_epoch() or datetime.combine(loaded.briefing.date_prepared, dtime(0, 0))


def reference_path(cli_value: Path | None, facts_value: str | None, facts_path: Path) -> Path | None:
    """The reference file in force: the command line's, else the facts' (relative to the fact
    file), else None for the bundled one."""
    if cli_value is not None:
        return cli_value
    if facts_value:
        return (facts_path.parent / facts_value).resolve()
    return None


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
