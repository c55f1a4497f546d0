"""The Word memo writer: `Document` + `DocxOptions` → .docx bytes.

The look comes from a reference document (the organisation's own .docx/.dotx, or the bundled
`templates/reference.docx`): its styles, fonts, page set-up and header/footer geometry are kept,
its body is dropped, and the memo is written into it. Everything python-docx cannot express —
footnotes, fields, bookmarks, a cached table of contents — is written as WordprocessingML with
lxml. Only this module (and its `docx_*` helpers) imports python-docx.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

import docx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.opc.pkgwriter import PackageWriter
from lxml import etree

from briefgen import page_layout as geometry
from briefgen import styles as S
from briefgen.errors import Problem, ReferenceFileProblem, quoted
from briefgen.languages import messages_for
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
from briefgen.ooxml import repack
from briefgen.pagination import memo_headings, paginate
from briefgen.writers.docx_furniture import FurnitureWriter
from briefgen.writers.docx_links import URL, LinkWriter, bookmark_name
from briefgen.writers.docx_notes import Footnotes
from briefgen.writers.docx_scripts import apply_scripts, language_for
from briefgen.writers.docx_state import DocxOptions
from briefgen.writers.docx_styles import StyleSheet
from briefgen.writers.docx_tables import TableWriter
from briefgen.writers.docx_xml import (
    PPR_ORDER,
    el,
    paragraph,
    ppr,
    qn,
    run,
    set_prop,
)

__all__ = ["write_docx"]


def write_docx(document: Document, options: DocxOptions, reference: bytes) -> tuple[bytes, list[Problem]]:
    """The memo as .docx bytes, identical for identical input, and the warnings of what had to
    be worked around (missing styles, unknown anchors, footnotes without a definition).

    `reference` is the organisation's .docx/.dotx (or the bundled one) as read and vetted by
    `briefgen.config`; raises `ReferenceFileProblem` when the memo cannot be written into it."""
    source = options.reference_name
    warnings: list[Problem] = []
    try:
        word = docx.Document(io.BytesIO(reference))
    except Exception as exc:  # python-docx raises assorted errors on malformed packages
        raise ReferenceFileProblem(f"{source}: cannot be read as a Word document: {exc}") from None
    try:
        layout = geometry.layout_of_reference(reference)
        _MemoWriter(word, document, options, source, warnings, layout).write()
        stored = _stored_package(word)
    except (ValueError, KeyError, etree.LxmlError) as exc:
        raise ReferenceFileProblem(
            f"{source}: the memo could not be written into this reference: {exc}"
        ) from None
    return repack(stored, options.stamp), warnings


def _stored_package(word: docx.document.Document) -> bytes:
    """What `Document.save` writes, but uncompressed: `repack` compresses every part anyway, so
    deflating here too (and inflating again there) would only double the packaging cost."""
    package = word.part.package
    for part in package.parts:
        part.before_marshal()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:

        class _Stored:  # the physical writer python-docx's PackageWriter expects
            @staticmethod
            def write(pack_uri: PackURI, blob: bytes) -> None:
                zf.writestr(pack_uri.membername, blob)

        # python-docx's PackageWriter (private, partly untyped) with our stored-zip writer.
        parts = list(package.parts)
        PackageWriter._write_content_types_stream(_Stored, parts)  # type: ignore[no-untyped-call]
        PackageWriter._write_pkg_rels(_Stored, package.rels)  # type: ignore[no-untyped-call]
        PackageWriter._write_parts(_Stored, parts)  # type: ignore[arg-type]
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------

def _is_title(block: Heading | Paragraph) -> bool:
    return "title" in block.classes


class _MemoWriter(TableWriter, FurnitureWriter, LinkWriter):
    """Writes one `Document` into the loaded reference `word`."""

    footnotes: Footnotes  # what the mixins see as `MemoState.footnotes`, with its whole part

    def __init__(
        self,
        word: docx.document.Document,
        document: Document,
        options: DocxOptions,
        source: str,
        warnings: list[Problem],
        layout: geometry.PageLayout = geometry.DEFAULT_LAYOUT,
    ) -> None:
        self.word = word
        self.doc = document
        # Fixed words (page furniture, captions, Ibid.) in the document's language.
        self.messages = messages_for(document.meta.language or "en-GB")
        self.options = options
        self.source = source
        self.warnings = warnings  # what had to be worked around, returned by write_docx
        self._flattened = False  # a list deeper than the list styles was reported
        self.part = word.part
        self.body = word.element.body
        self.parent: etree._Element = self.body
        self.numbering = self._numbering_root()
        self.styles = StyleSheet(word.styles.element, self.numbering, warnings, source)
        section = word.sections[0]
        sect = section._sectPr
        pg_sz = sect.find(qn("w:pgSz"))
        pg_mar = sect.find(qn("w:pgMar"))
        width = (
            int(pg_sz.get(qn("w:w"), geometry.PAGE_WIDTH_TW)) if pg_sz is not None else geometry.PAGE_WIDTH_TW
        )
        left = right = geometry.MARGIN_TW
        if pg_mar is not None:
            left = int(pg_mar.get(qn("w:left"), left))
            right = int(pg_mar.get(qn("w:right"), right))
        self.text_width = width - left - right
        # Bookmarks: one per heading, in order; explicit anchors keep their (sanitised) names.
        used: set[str] = set()
        self.anchor_names: dict[str, str] = {}
        self.heading_names: list[str | None] = []
        for k, heading in enumerate(memo_headings(document.blocks)):
            if _is_title(heading):
                self.heading_names.append(None)
                continue
            if heading.anchor:
                name = bookmark_name(heading.anchor, used)
                self.anchor_names.setdefault(heading.anchor, name)
            else:
                name = bookmark_name(f"h{k + 1}_{plain_text(heading.content)}", used)
            self.heading_names.append(name)
        self.heading_list = list(memo_headings(document.blocks))
        # Where each heading falls, for the contents' page numbers.
        self.pages = paginate(document, layout)
        self.heading_index = 0
        self.bookmark_id = 0
        self.pending_break = False
        self.after_table = False
        self.last_paragraph: etree._Element | None = None
        self.link_ids: dict[tuple[int, str], str] = {}
        self.footnotes = Footnotes(self)
        self.list_nums: dict[str, str] = {}

    # -- entry point ---------------------------------------------------------------------------

    def write(self) -> None:
        self._write()
        self.warnings.extend(self.messages.problems(catalog_missing=False))

    def _write(self) -> None:
        sect_pr = self._clear_body()
        with self._into(self.body):
            for block in self.doc.blocks:
                self.block(block)
        self.body.append(sect_pr)
        self.footnotes.finish()
        self._page_furniture()
        self._settings()
        # Direction, complex-script formatting, fonts and language tags (docx_scripts), over
        # every part that holds text, once it is complete.
        furniture = [
            rel.target_part.element
            for rel in self.part.rels.values()
            if not rel.is_external and rel.reltype in (RT.HEADER, RT.FOOTER)
        ]
        apply_scripts(
            language_for(self.doc.meta.language),
            bodies=[self.body, *furniture, self.footnotes.root],
            styles=self.word.styles.element,
            settings=self.word.settings.element,
            section=sect_pr,
            numbering=self.numbering,
        )
        self._core_properties()

    # -- set-up ----------------------------------------------------------------------------------

    def _clear_body(self) -> etree._Element:
        """Drop the reference's body (and what hangs off it) but keep its final section."""
        sect_pr = self.body.find(qn("w:sectPr"))
        if sect_pr is None:
            sect_pr = el("w:sectPr")
            el("w:pgSz", sect_pr, w=geometry.PAGE_WIDTH_TW, h=geometry.PAGE_HEIGHT_TW)
            el(
                "w:pgMar",
                sect_pr,
                top=geometry.MARGIN_TW,
                right=geometry.MARGIN_TW,
                bottom=geometry.MARGIN_TW,
                left=geometry.MARGIN_TW,
                header=geometry.HEADER_DISTANCE_TW,
                footer=geometry.FOOTER_DISTANCE_TW,
                gutter=0,
            )
        for child in list(self.body):
            self.body.remove(child)
        rels = self.part.rels
        for rid, rel in list(rels.items()):
            if rel.reltype in (RT.FOOTNOTES, RT.COMMENTS) or rel.reltype.endswith(
                ("/commentsExtended", "/commentsIds", "/commentsExtensible", "/people")
            ):
                rels.pop(rid)
        package_rels = self.part.package.rels
        for rid, rel in list(package_rels.items()):
            if rel.reltype == RT.THUMBNAIL:  # a picture of the reference's own first page
                package_rels.pop(rid)
        return sect_pr

    def _numbering_root(self) -> etree._Element | None:
        try:
            related = self.part.part_related_by(RT.NUMBERING)
        except KeyError:
            related = None
        if isinstance(related, XmlPart):
            existing: etree._Element = related.element
            return existing
        root = etree.fromstring(f'<w:numbering xmlns:w="{qn("w:x")[1:].split("}")[0]}"/>'.encode())
        # python-docx types a part's element as its own BaseOxmlElement; a plain lxml one serves.
        part = XmlPart(PackURI("/word/numbering.xml"), CT.WML_NUMBERING, root, self.part.package)  # type: ignore[arg-type]
        self.part.relate_to(part, RT.NUMBERING)
        return root

    # -- containers ----------------------------------------------------------------------------

    class _Into:
        def __init__(self, writer: _MemoWriter, parent: etree._Element) -> None:
            self.writer, self.parent = writer, parent

        def __enter__(self) -> None:
            self.saved = self.writer.parent
            self.writer.parent = self.parent

        def __exit__(self, *exc: object) -> None:
            self.writer.parent = self.saved

    def _into(self, parent: etree._Element) -> _MemoWriter._Into:
        return self._Into(self, parent)

    def _p(self, style: str | None, *, body: bool = True) -> etree._Element:
        """A new paragraph in the current container, with pending page break / spacing applied."""
        p = paragraph(self.styles.id(style) if style else None, self.parent)
        if body and self.parent is self.body:
            if self.pending_break:
                set_prop(ppr(p), el("w:pageBreakBefore"), PPR_ORDER)
                self.pending_break = False
            elif self.after_table and style in (
                S.DOCX_BODY,
                S.DOCX_BLUF,
                S.DOCX_CAPTION,
                *S.DOCX_BULLETS.values(),
                *S.DOCX_NUMBERS.values(),
            ):
                # Air between a table and the text after it, without an empty paragraph.
                set_prop(ppr(p), el("w:spacing", before=round(geometry.TABLE_AFTER * 20)), PPR_ORDER)
            self.after_table = False
            self.last_paragraph = p
        return p

    # -- blocks --------------------------------------------------------------------------------

    def block(self, block: Block, depth: int = 0) -> None:
        if isinstance(block, Heading):
            self.heading(block)
        elif isinstance(block, Paragraph):
            self.paragraph(block)
        elif isinstance(block, ListBlock):
            self.list(block, 1)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Div):
            self.div(block)
        elif isinstance(block, PageBreak):
            self.pending_break = True
        elif isinstance(block, TableOfContents):
            self.toc(block)
        elif isinstance(block, RiskMatrix):
            self.risk_matrix(block)
        elif isinstance(block, Timeline):
            self.timeline(block)

    def heading(self, block: Heading) -> None:
        name = (
            self.heading_names[self.heading_index] if self.heading_index < len(self.heading_names) else None
        )
        self.heading_index += 1
        if _is_title(block):
            p = self._p(S.DOCX_TITLE)
            self.inlines(p, block.content)
            return
        level = max(1, block.level)
        style = S.DOCX_HEADINGS.get(level, f"Heading {level}")
        p = self._p(style)
        if name:
            self.bookmark_id += 1
            el("w:bookmarkStart", p, id=self.bookmark_id, name=name)
            self.inlines(p, block.content)
            el("w:bookmarkEnd", p, id=self.bookmark_id)
        else:
            self.inlines(p, block.content)

    def paragraph(self, block: Paragraph, style: str | None = None) -> None:
        if not block.content or (
            not plain_text(block.content).strip()
            and not any(isinstance(n, FootnoteRef) for n in block.content)
        ):
            return  # never an empty paragraph: spacing lives in the styles
        if style is None:
            style = S.DOCX_BODY
            if _is_title(block):
                style = S.DOCX_TITLE
            elif "subtitle" in block.classes:
                style = "Subtitle"
            elif "caption" in block.classes:
                style = S.DOCX_CAPTION
        p = self._p(style)
        if style == S.DOCX_CAPTION:
            # A caption stands above its table or figure and goes to the next page with it.
            set_prop(ppr(p), el("w:keepNext"), PPR_ORDER)
        self.inlines(p, block.content)

    def list(self, block: ListBlock, level: int) -> None:
        if level > len(S.DOCX_BULLETS) and not self._flattened:
            # The reference's list styles go three levels deep: say so rather than silently
            # setting a deeper item at level 3 (issue 13: lists keep their depth, or warn).
            self._flattened = True
            opening = next((c for item in block.items for c in item.blocks if isinstance(c, Paragraph)), None)
            text = plain_text(opening.content)[:40] if opening is not None else ""
            self.warnings.append(
                Problem(
                    f"memo: a list nested {level} levels deep is set at level {len(S.DOCX_BULLETS)} "
                    f"(the list styles go {len(S.DOCX_BULLETS)} levels deep): {quoted(text)}",
                    severity="warning",
                )
            )
        level = min(level, len(S.DOCX_BULLETS))
        style = (S.DOCX_NUMBERS if block.ordered else S.DOCX_BULLETS)[level]
        num_id = self._restart(style, block.start) if block.ordered else None
        for item in block.items:
            first = True
            for child in item.blocks:
                if isinstance(child, ListBlock):
                    self.list(child, level + 1)
                elif isinstance(child, Paragraph):
                    if first:
                        p = self._p(style)
                        if num_id is not None:
                            num_pr = set_prop(ppr(p), el("w:numPr"), PPR_ORDER)
                            el("w:ilvl", num_pr, val=0)
                            el("w:numId", num_pr, val=num_id)
                        self.inlines(p, child.content)
                    else:
                        self.paragraph(child, S.DOCX_LIST_CONTINUE[level])
                else:
                    self.block(child)
                first = False

    def _restart(self, style: str, start: int) -> str | None:
        """A fresh w:num for one numbered list, so that each list counts from its own start."""
        element = self.styles.element(style)
        if element is None or self.numbering is None:
            return None
        num_id = element.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
        if num_id is None:
            return None
        base = num_id.get(qn("w:val"), "")
        abstract = self.list_nums.get("abs:" + base)
        if abstract is None:
            num = self.numbering.find(f"{qn('w:num')}[@{qn('w:numId')}='{base}']")
            abstract_id = num.find(qn("w:abstractNumId")) if num is not None else None
            if abstract_id is None:
                return None
            abstract = abstract_id.get(qn("w:val"), "")
            self.list_nums["abs:" + base] = abstract
        if "next" not in self.list_nums:
            used = [int(n.get(qn("w:numId"), "0")) for n in self.numbering.iter(qn("w:num"))]
            self.list_nums["next"] = str(max(used, default=0) + 1)
        new_id = self.list_nums["next"]
        self.list_nums["next"] = str(int(new_id) + 1)
        num = el("w:num", numId=new_id)
        el("w:abstractNumId", num, val=abstract)
        override = el("w:lvlOverride", num, ilvl=0)
        el("w:startOverride", override, val=start)
        if "cleanup" not in self.list_nums:
            # Looked up once: searching the numbering part per list would be quadratic.
            found = self.numbering.find(qn("w:numIdMacAtCleanup"))
            self.list_nums["cleanup"] = "1" if found is not None else ""
            self._cleanup = found
        if self._cleanup is not None:
            self._cleanup.addprevious(num)
        else:
            self.numbering.append(num)
        return new_id

    def div(self, block: Div) -> None:
        if "notes" in block.classes:
            return  # speaker notes belong to the deck
        if "fields" in block.classes:
            self.fields(block)
            return
        if "bluf" in block.classes:
            for child in block.blocks:
                if isinstance(child, Paragraph):
                    self.paragraph(child, S.DOCX_BLUF)
                else:
                    self.block(child)
            return
        for child in block.blocks:
            self.block(child)

    # -- inline content ------------------------------------------------------------------------

    def inlines(
        self,
        p: etree._Element,
        content: Sequence[Inline],
        *,
        color: str | None = None,
        bold: bool = False,
        in_footnote: bool = False,
        part: Part | None = None,
    ) -> None:
        prev_ref = False
        for node in content:
            if isinstance(node, Text):
                if in_footnote and URL.search(node.text):
                    self._autolink(p, node, part)
                    continue
                run(
                    node.text.replace("\n", " "),
                    p,
                    bold=node.bold or bold,
                    italic=node.italic,
                    mono=node.code,
                    color=color,
                )
            elif isinstance(node, LineBreak):
                el("w:br", el("w:r", p))
            elif isinstance(node, Link):
                self.link(p, node, color=color, bold=bold, in_footnote=in_footnote, part=part)
            elif isinstance(node, FootnoteRef):
                if in_footnote:
                    # Word has no footnotes inside footnotes: the inner note's text goes in
                    # brackets where it is cited, rather than disappearing.
                    run(f" ({self._note_text(node.label)})", p, color=color)
                    continue
                if prev_ref:
                    # "⁶,⁷" rather than "⁶⁷", which reads as footnote 67.
                    run(",", p, style_id=self.styles.id(S.DOCX_FOOTNOTE_REFERENCE))
                self.footnotes.reference(p, node.label)
            prev_ref = isinstance(node, FootnoteRef)
