"""Reading the deck document (docs/markup.md, deck dialect) into slide specs: one per slide
heading, with its paragraphs, columns, graphics, notes and source lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from briefgen import styles
from briefgen.errors import Problem
from briefgen.languages import tr
from briefgen.metrics import squeeze_spaces
from briefgen.model import (
    Block,
    Div,
    Document,
    FootnoteRef,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    PageBreak,
    Paragraph,
    RiskMatrix,
    Table,
    TableOfContents,
    Text,
    Timeline,
    plain_text,
)
from briefgen.slides.geometry import GRAPHIC_KINDS, KINDS
from briefgen.slides.plans import Para, Run


@dataclass
class Spec:
    kind: str
    title: str
    paras: list[Para] = field(default_factory=list)
    left: list[Para] = field(default_factory=list)
    right: list[Para] = field(default_factory=list)
    graphics: list[Table | RiskMatrix | Timeline] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _runs(inlines: Sequence[Inline], url: str = "") -> list[Run]:
    out: list[Run] = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(Run(node.text, node.bold, node.italic, url, _run_rag(node)))
        elif isinstance(node, Link):
            out.extend(_runs(node.children, node.url))
        elif isinstance(node, LineBreak):
            out.append(Run("\n"))
        elif isinstance(node, FootnoteRef):
            continue  # citations travel in the source line and the notes, not in the text
    return out


def _run_rag(node: Text) -> str:
    return next((styles.CLASS_RAG[c] for c in node.classes if c in styles.CLASS_RAG), "")


def rag_class_of(inlines: Sequence[Inline]) -> str:
    for node in inlines:
        if isinstance(node, Text):
            for cls in node.classes:
                if cls in styles.CLASS_RAG:
                    return styles.CLASS_RAG[cls]
    return ""


def _is_source(block: Paragraph) -> bool:
    if styles.CLASS_SOURCE in block.classes:
        return True
    texts = [n for n in block.content if isinstance(n, Text) and n.text.strip()]
    return bool(texts) and all(styles.CLASS_SOURCE in n.classes for n in texts)


def _is_lead(runs: Sequence[Run]) -> bool:
    """A paragraph set wholly in bold ("**Points to make**") introduces what follows it."""
    texts = [r for r in runs if r.text.strip()]
    return bool(texts) and all(r.bold for r in texts)


def _paras(
    blocks: Sequence[Block], spec: Spec, warnings: list[Problem], level: int = 0, optional: bool = False
) -> list[Para]:
    """Flatten blocks into paragraphs; tables and graphics go to `spec.graphics`, source lines to
    `spec.sources`. Paragraphs inside a `::: if-room` div are `optional`: shown where room allows."""
    out: list[Para] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            if _is_source(block):
                spec.sources.append(plain_text(block.content).strip())
                continue
            runs = _runs(block.content)
            if runs:
                out.append(
                    Para(
                        tuple(runs),
                        level=level,
                        rag=rag_class_of(block.content),
                        lead=_is_lead(runs),
                        optional=optional,
                    )
                )
        elif isinstance(block, Heading):
            out.append(
                Para((Run(plain_text(block.content), bold=True),), level=level, lead=True, optional=optional)
            )
        elif isinstance(block, ListBlock):
            for number, item in enumerate(block.items, block.start):
                first = True
                for sub in item.blocks:
                    if first and isinstance(sub, Paragraph):
                        out.append(
                            Para(
                                tuple(_runs(sub.content)),
                                level=level,
                                bullet="number" if block.ordered else "bullet",
                                number=number,
                                rag=rag_class_of(sub.content),
                                optional=optional,
                            )
                        )
                        first = False
                    else:
                        out.extend(_paras((sub,), spec, warnings, level + 1, optional))
                        first = False
        elif isinstance(block, Div):
            inner = optional or styles.CLASS_IF_ROOM in block.classes
            out.extend(_paras(block.blocks, spec, warnings, level, inner))
        elif isinstance(block, Table | RiskMatrix | Timeline):
            spec.graphics.append(block)
        elif isinstance(block, PageBreak):
            continue
        elif isinstance(block, TableOfContents):
            warnings.append(
                Problem(
                    f"slide {spec.title!r}: a table of contents is not drawn on slides", severity="warning"
                )
            )
    return out


def _note_lines(blocks: Sequence[Block], depth: int = 0) -> list[str]:
    """Speaker-note lines: one per paragraph or list item; at the top level an empty line
    separates paragraphs (and a list from what surrounds it), as a reader of notes expects."""
    lines: list[str] = []
    for block in blocks:
        if depth == 0 and lines and lines[-1] and not isinstance(block, Div):
            lines.append("")
        if isinstance(block, Paragraph | Heading):
            lines.append(("  " * depth) + plain_text(block.content).strip())
        elif isinstance(block, ListBlock):
            for number, item in enumerate(block.items, block.start):
                mark = f"{number}." if block.ordered else ("•" if depth == 0 else "–")
                sub = _note_lines(item.blocks, depth + 1)
                if sub:
                    sub[0] = ("  " * depth) + f"{mark} " + sub[0].strip()
                lines.extend(sub)
        elif isinstance(block, Div):
            lines.extend(_note_lines(block.blocks, depth))
        elif isinstance(block, Table):
            for row in (*block.header, *block.body):
                lines.append(("  " * depth) + " | ".join(plain_text(c.content) for c in row))
    if depth:
        return [line for line in lines if line.strip()]
    out: list[str] = []
    for line in lines:  # no leading, trailing or doubled empty lines
        if line.strip() or (out and out[-1]):
            out.append(line.rstrip() if line.strip() else "")
    while out and not out[-1]:
        out.pop()
    return out


def read_specs(document: Document, warnings: list[Problem]) -> list[Spec]:
    specs: list[Spec] = []
    spec: Spec | None = None
    orphans = False
    for block in document.blocks:
        if isinstance(block, Heading) and block.level <= 2:
            title = squeeze_spaces(plain_text(block.content))
            classes = set(block.classes)
            if block.level == 1:
                kind = "title" if "title" in classes else "section"
            else:
                kind = next((k for k in KINDS[2:] if k in classes), "content")
            spec = Spec(kind, title)
            specs.append(spec)
            continue
        if spec is None:
            orphans = True
            spec = Spec("content", document.meta.title or tr("Introduction"))
            specs.append(spec)
        if isinstance(block, Div) and "notes" in block.classes:
            spec.notes.extend(_note_lines(block.blocks))
        elif isinstance(block, Div) and "left" in block.classes:
            spec.left.extend(_paras(block.blocks, spec, warnings))
        elif isinstance(block, Div) and "right" in block.classes:
            spec.right.extend(_paras(block.blocks, spec, warnings))
        else:
            spec.paras.extend(_paras((block,), spec, warnings))
    if orphans:
        warnings.append(
            Problem(
                "deck: content before the first slide heading was put on a slide of its own",
                severity="warning",
            )
        )
    # Infer kinds the template left implicit, and fall back when the content is missing.
    for spec in specs:
        if spec.kind == "content":
            if spec.left or spec.right:
                spec.kind = "two-column"
        elif spec.kind in GRAPHIC_KINDS and not spec.graphics:
            warnings.append(
                Problem(
                    f"slide {spec.title!r}: marked .{spec.kind} but holds no "
                    f"{'risk-matrix block' if spec.kind == 'risk-map' else spec.kind + ' block'}; "
                    "drawn as a content slide",
                    severity="warning",
                )
            )
            spec.kind = "content"
        if spec.kind != "two-column" and (spec.left or spec.right):
            spec.paras.extend(spec.left + spec.right)
            spec.left, spec.right = [], []
        if spec.kind == "title":
            as_of = document.meta.as_of
            if as_of and not any(as_of in p.text for p in spec.paras):
                spec.paras.append(Para((Run(tr("Information as of %(date)s", date=as_of)),)))
    # Every slide gets a unique title (continuations are numbered later).
    seen: dict[str, int] = {}
    for spec in specs:
        if not spec.title:
            spec.title = document.meta.title or tr("Untitled")
            warnings.append(Problem(f"a slide without a title was titled {spec.title!r}", severity="warning"))
        key = spec.title.casefold()
        if key in seen:
            seen[key] += 1
            new = f"{spec.title} – {seen[key]}"
            warnings.append(
                Problem(
                    f"two slides are titled {spec.title!r}; the second is titled {new!r}", severity="warning"
                )
            )
            spec.title = new
        else:
            seen[key] = 1
    return specs
