"""Orchestration: facts → templates → model → writers → files, written atomically.

Every output of a briefing is produced in memory first; only when all succeeded are they
written, each through a temporary file in the output folder that is renamed into place. A failed
build therefore never replaces an earlier good output, nor leaves a partial file behind.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path

from briefgen.errors import Problem, UsageProblem
from briefgen.facts import LoadedBriefing, load_facts
from briefgen.outputs import write_atomic
from briefgen.templating import TemplateSet, render_templates

FORMATS = ("docx", "pptx", "md", "pdf")
DEFAULT_FORMATS = ("docx", "pptx")
# Which rendered Markdown each format needs.
FORMAT_KINDS = {"docx": ("memo",), "pptx": ("deck",), "md": ("memo", "deck"), "pdf": ("memo", "deck")}


@dataclass(frozen=True)
class BuildOptions:
    out_dir: Path = Path("out")
    formats: tuple[str, ...] = DEFAULT_FORMATS
    templates: Path | None = None
    reference_docx: Path | None = None
    reference_pptx: Path | None = None
    layouts: dict[str, str] | None = None


@dataclass
class BuildResult:
    facts: Path
    outputs: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


def output_stem(facts_path: Path) -> str:
    """A safe file-name stem from the facts file name: no path parts, no reserved names."""
    stem = re.sub(r"[^\w.-]+", "-", facts_path.stem, flags=re.UNICODE).strip(".-") or "briefing"
    if stem.upper().split(".")[0] in _RESERVED:
        stem = f"briefing-{stem}"
    return stem[:120]


_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def build_stamp(loaded: LoadedBriefing) -> datetime:
    """The timestamp written into outputs: SOURCE_DATE_EPOCH when set, else the date prepared."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC).replace(tzinfo=None)
        except (ValueError, OverflowError, OSError):
            raise UsageProblem(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from None
    return datetime.combine(loaded.briefing.date_prepared, dtime(0, 0))


def _reference(cli_value: Path | None, facts_value: str | None, facts_path: Path) -> Path | None:
    if cli_value is not None:
        return cli_value
    if facts_value:
        return (facts_path.parent / facts_value).resolve()
    return None


def render_outputs(
    loaded: LoadedBriefing, options: BuildOptions, templates: TemplateSet | None = None
) -> tuple[dict[str, bytes], list[Problem]]:
    """Produce every requested output of one briefing in memory: {file name: bytes}."""
    templates = templates or TemplateSet(options.templates)
    briefing = loaded.briefing
    stem = output_stem(loaded.path)
    warnings: list[Problem] = list(loaded.warnings)
    kinds = tuple(dict.fromkeys(k for f in options.formats for k in FORMAT_KINDS[f]))
    markdown = render_templates(briefing, templates, kinds)
    stamp = build_stamp(loaded)
    files: dict[str, bytes] = {}

    from briefgen.markup import read_markdown

    if "md" in options.formats:
        for kind in ("memo", "deck"):
            files[f"{stem}-{kind}.md"] = markdown[kind].encode("utf-8")
    if "docx" in options.formats or "pdf" in options.formats:
        from briefgen.writers.docx import DocxOptions, write_docx

        memo = read_markdown(markdown["memo"], source=f"{stem}-memo.md")
        ref = _reference(options.reference_docx, briefing.output.reference_docx, loaded.path)
        files[f"{stem}-memo.docx"] = write_docx(
            memo, DocxOptions(stamp=stamp, reference=ref, warnings=warnings)
        )
    if "pptx" in options.formats or "pdf" in options.formats:
        from briefgen.writers.pptx import PptxOptions, write_pptx

        deck = read_markdown(markdown["deck"], source=f"{stem}-deck.md")
        ref = _reference(options.reference_pptx, briefing.output.reference_pptx, loaded.path)
        files[f"{stem}-deck.pptx"] = write_pptx(
            deck, PptxOptions(stamp=stamp, reference=ref, layouts=options.layouts, warnings=warnings)
        )
    if "pdf" in options.formats:
        from briefgen.writers.pdf import convert_to_pdf

        for name in (f"{stem}-memo.docx", f"{stem}-deck.pptx"):
            files[name.rsplit(".", 1)[0] + ".pdf"] = convert_to_pdf(files[name], name)
        for fmt, kind in (("docx", "memo"), ("pptx", "deck")):
            if fmt not in options.formats:
                del files[f"{stem}-{kind}.{fmt}"]
    return files, warnings


def build_briefing(
    facts_path: Path, options: BuildOptions, templates: TemplateSet | None = None
) -> BuildResult:
    """Build one briefing's outputs into `options.out_dir`; nothing is written unless all succeed."""
    started = time.perf_counter()
    loaded = load_facts(facts_path)
    files, warnings = render_outputs(loaded, options, templates)
    outputs = [write_atomic(options.out_dir / name, data) for name, data in files.items()]
    return BuildResult(facts_path, outputs, warnings, time.perf_counter() - started)


def discover(inputs: list[Path]) -> list[Path]:
    """Fact files named on the command line; folders give their *.yaml / *.yml files, sorted."""
    found: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found.extend(sorted(p for p in item.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            found.append(item)
    return list(dict.fromkeys(found))
