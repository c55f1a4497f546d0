"""Reading the deck document (docs/markup.md, deck dialect) into slide specs: one per slide
heading, with its paragraphs, columns, graphics, notes and source lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from briefgen import marking, styles
from briefgen.errors import Problem, quoted
from briefgen.languages import tr
from briefgen.metrics import squeeze_spaces
from briefgen.model import (
    Block,
    Cell,
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
    notes: list[Para] = field(default_factory=list)  # with bold, italic and links; Para(()) = blank
    sources: list[str] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)  # footnote labels, numbered per slide
    footnotes: list[Para] = field(default_factory=list)  # "[1] …": their texts, for every part

    def mark(self, label: str) -> str:
        """The mark "[n]" of a footnote cited on this slide: a slide has no footnotes, so the
        mark stays in the text and the footnote's text goes to the speaker notes."""
        if label not in self.cited:
            self.cited.append(label)
        return f"[{self.cited.index(label) + 1}]"


def _runs(inlines: Sequence[Inline], url: str = "", spec: Spec | None = None) -> list[Run]:
    out: list[Run] = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(Run(node.text, node.bold, node.italic, url, _run_rag(node)))
        elif isinstance(node, Link):
            out.extend(_runs(node.children, node.url, spec))
        elif isinstance(node, LineBreak):
            out.append(Run("\n"))
        elif spec is not None:  # a footnote reference: its text goes to the notes
            out.append(Run(spec.mark(node.label)))
    return out


def _flat_cell(inlines: Sequence[Inline], spec: Spec) -> tuple[Inline, ...]:
    """A table cell's content as slide tables carry it (text only): a link's address in brackets
    after its text when the two differ, a footnote as its mark (its text in the notes)."""
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, Link):
            out.extend(_flat_cell(node.children, spec))
            if not node.url.startswith("#") and plain_text(node.children).strip() != node.url:
                out.append(Text(f" ({node.url})"))
        elif isinstance(node, FootnoteRef):
            out.append(Text(spec.mark(node.label)))
        else:
            out.append(node)
    return tuple(out)


def _flat_table(table: Table, spec: Spec) -> Table:
    rows = [tuple(Cell(_flat_cell(c.content, spec)) for c in row) for row in (*table.header, *table.body)]
    header, body = rows[: len(table.header)], rows[len(table.header) :]
    return Table(tuple(header), tuple(body), table.aligns, table.classes)


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
    # A portion mark may stand in front of the source line: "(U) Source: …".
    sources = [n for n in texts if styles.CLASS_PORTION not in n.classes]
    return bool(sources) and all(styles.CLASS_SOURCE in n.classes for n in sources)


def _is_lead(runs: Sequence[Run]) -> bool:
    """A paragraph set wholly in bold ("**Points to make**") introduces what follows it."""
    texts = [r for r in runs if r.text.strip()]
    # A portion mark in front ("(U) **Key facts**") does not make it body text.
    if texts and marking.split_portion(texts[0].text.strip() + " ")[0] == texts[0].text.strip():
        texts = texts[1:]
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
            runs = _runs(block.content, spec=spec)
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
                                tuple(_runs(sub.content, spec=spec)),
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
        elif isinstance(block, Table):
            spec.graphics.append(_flat_table(block, spec))
        elif isinstance(block, RiskMatrix | Timeline):
            spec.graphics.append(block)
        elif isinstance(block, PageBreak):
            continue
        elif isinstance(block, TableOfContents):
            warnings.append(
                Problem(
                    f"slide {quoted(spec.title)}: a table of contents is not drawn on slides",
                    severity="warning",
                )
            )
    return out


def _note_paras(blocks: Sequence[Block], spec: Spec, depth: int = 0) -> list[Para]:
    """Speaker-note paragraphs, keeping bold, italic and links (notes can carry them): one per
    paragraph or list item; at the top level an empty paragraph separates paragraphs (and a
    list from what surrounds it), as a reader of notes expects."""
    indent = "  " * depth
    paras: list[Para] = []
    for block in blocks:
        if depth == 0 and paras and paras[-1].runs and not isinstance(block, Div):
            paras.append(Para(()))
        if isinstance(block, Paragraph | Heading):
            runs = _runs(block.content, spec=spec)
            if isinstance(block, Heading):
                runs = [Run(r.text, True, r.italic, r.url) for r in runs]
            paras.append(_indented(indent, runs))
        elif isinstance(block, ListBlock):
            for number, item in enumerate(block.items, block.start):
                mark = f"{number}." if block.ordered else ("•" if depth == 0 else "–")
                sub = _note_paras(item.blocks, spec, depth + 1)
                if sub:
                    sub[0] = _indented(f"{indent}{mark} ", list(sub[0].runs))
                paras.extend(sub)
        elif isinstance(block, Div):
            paras.extend(_note_paras(block.blocks, spec, depth))
        elif isinstance(block, Table):
            flat = _flat_table(block, spec)
            for row in (*flat.header, *flat.body):
                paras.append(Para((Run(indent + " | ".join(plain_text(c.content) for c in row)),)))
    if depth:
        return [p for p in paras if p.text.strip()]
    out: list[Para] = []
    for para in paras:  # no leading, trailing or doubled empty paragraphs
        if para.text.strip():
            out.append(para)
        elif out and out[-1].runs:
            out.append(Para(()))
    while out and not out[-1].runs:
        out.pop()
    return out


def _indented(prefix: str, runs: list[Run]) -> Para:
    """`runs` as one notes paragraph starting with `prefix` (leading and trailing space trimmed)."""
    while runs and not runs[0].text.strip():
        runs = runs[1:]
    while runs and not runs[-1].text.strip():
        runs = runs[:-1]
    if runs:
        first, last = runs[0], runs[-1]
        runs[0] = Run(first.text.lstrip(), first.bold, first.italic, first.url, first.rag)
        last = runs[-1]
        runs[-1] = Run(last.text.rstrip(), last.bold, last.italic, last.url, last.rag)
    return Para((Run(prefix), *runs) if prefix and runs else tuple(runs))


def _footnote_notes(spec: Spec, document: Document) -> list[Para]:
    """One notes paragraph per footnote cited on the slide: "[1] Reuters, …" (with its links)."""
    out: list[Para] = []
    for number, label in enumerate(spec.cited, 1):  # a footnote citing another extends the list
        runs: list[Run] = []
        for para in _note_paras(document.footnotes.get(label, ()), spec, 1):
            runs.extend([Run(" ")] if runs else [])
            runs.extend(r for r in para.runs if r.text.strip() or r.text == "\n")
        out.append(Para((Run(f"[{number}] "), *runs)))
    return out


def read_specs(document: Document, warnings: list[Problem]) -> list[Spec]:
    specs: list[Spec] = []
    spec: Spec | None = None
    orphans = False
    for block in document.blocks:
        if isinstance(block, Heading) and block.level <= 2:
            classes = set(block.classes)
            if block.level == 1:
                kind = "title" if "title" in classes else "section"
            else:
                kind = next((k for k in KINDS[2:] if k in classes), "content")
            spec = Spec(kind, "")
            # A title is plain text: a footnote in it becomes its mark, a link its address.
            spec.title = squeeze_spaces(plain_text(_flat_cell(block.content, spec)))
            specs.append(spec)
            continue
        if spec is None:
            orphans = True
            spec = Spec("content", document.meta.title or tr("Introduction"))
            specs.append(spec)
        if isinstance(block, Div) and "notes" in block.classes:
            spec.notes.extend(_note_paras(block.blocks, spec))
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
                    f"slide {quoted(spec.title)}: marked .{spec.kind} but holds no "
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
    for spec in specs:
        spec.footnotes = _footnote_notes(spec, document)
    # Every slide gets a unique title (continuations are numbered later).
    seen: dict[str, int] = {}
    for spec in specs:
        if not spec.title:
            spec.title = document.meta.title or tr("Untitled")
            warnings.append(
                Problem(f"a slide without a title was titled {quoted(spec.title)}", severity="warning")
            )
        key = spec.title.casefold()
        if key in seen:
            seen[key] += 1
            new = f"{spec.title} – {seen[key]}"
            warnings.append(
                Problem(
                    f"two slides are titled {quoted(spec.title)}; the second is titled {quoted(new)}",
                    severity="warning",
                )
            )
            spec.title = new
        else:
            seen[key] = 1
    return specs
