"""The Word memo's footnotes part: one real footnote per note reference."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from lxml import etree

from briefgen import styles as S
from briefgen.errors import Problem
from briefgen.model import (
    Block,
    Div,
    Heading,
    ListBlock,
    Paragraph,
)
from briefgen.writers.docx_state import MemoState
from briefgen.writers.docx_xml import (
    el,
    paragraph,
    qn,
    run,
)


class Footnotes:
    """The memo's footnotes part: one real footnote per reference, holding its definition."""

    def __init__(self, writer: MemoState) -> None:
        self.writer = writer
        self.root = etree.fromstring(
            f'<w:footnotes xmlns:w="{qn("w:x")[1:].split("}")[0]}" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>'.encode()
        )
        for fid, kind, mark in (
            (-1, "separator", "w:separator"),
            (0, "continuationSeparator", "w:continuationSeparator"),
        ):
            note = el("w:footnote", self.root, type=kind, id=fid)
            p = el("w:p", note)
            el("w:spacing", el("w:pPr", p), after=0, line=240, lineRule="auto")
            el(mark, el("w:r", p))
        # python-docx types a part's element as its own BaseOxmlElement; a plain lxml one serves.
        self.part = XmlPart(
            PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, self.root, writer.part.package  # type: ignore[arg-type]
        )
        self.count = 0
        self.missing: set[str] = set()

    def reference(self, p: etree._Element, label: str) -> None:
        definition = self.writer.doc.footnotes.get(label)
        if definition is None:
            if label not in self.missing:
                self.missing.add(label)
                self.writer.warnings.append(
                    Problem(f"footnote [^{label}] has no definition; reference left out", severity="warning")
                )
            return
        self.count += 1
        fid = self.count
        ref_style = self.writer.styles.id(S.DOCX_FOOTNOTE_REFERENCE)
        r = el("w:r", p)
        if ref_style:
            el("w:rStyle", el("w:rPr", r), val=ref_style)
        el("w:footnoteReference", r, id=fid)
        note = el("w:footnote", self.root, id=fid)
        # The note's text is final: the citation style chose full, short or "Ibid." forms.
        blocks = definition
        self._content(note, blocks, ref_style)

    def _content(self, note: etree._Element, blocks: Sequence[Block], ref_style: str | None) -> None:
        text_style = self.writer.styles.id(S.DOCX_FOOTNOTE_TEXT)
        paragraphs = [b for b in flatten_note(blocks)] or [Paragraph(())]
        for k, block in enumerate(paragraphs):
            p = paragraph(text_style, note)
            if k == 0:
                r = el("w:r", p)
                if ref_style:
                    el("w:rStyle", el("w:rPr", r), val=ref_style)
                el("w:footnoteRef", r)
                run(" ", p)
            self.writer.inlines(p, block.content, in_footnote=True, part=self.part)

    def finish(self) -> None:
        if self.count:
            self.writer.part.relate_to(self.part, RT.FOOTNOTES)


def flatten_note(blocks: Sequence[Block]) -> Iterator[Paragraph]:
    """Footnotes hold paragraphs only: lists and divs are read as their paragraphs."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block
        elif isinstance(block, Heading):
            yield Paragraph(block.content)
        elif isinstance(block, Div):
            yield from flatten_note(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from flatten_note(item.blocks)
