"""The Word memo writer: `Document` + `DocxOptions` → .docx bytes.

The look comes from a reference document (the organisation's own .docx/.dotx, or the bundled
`templates/reference.docx`): its styles, fonts, page set-up and header/footer geometry are kept,
its body is dropped, and the memo is written into it. Everything python-docx cannot express —
footnotes, fields, bookmarks, a cached table of contents — is written as WordprocessingML with
lxml. Only this module (and its `docx_*` helpers) imports python-docx.
"""

from __future__ import annotations

import io
import re
import string
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import docx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.opc.pkgwriter import PackageWriter
from lxml import etree

from briefgen import pagination as geometry
from briefgen import styles as S
from briefgen.errors import Problem, ReferenceFileProblem
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
from briefgen.ooxml import read_reference, repack
from briefgen.writers.docx_scripts import apply_scripts, language_for
from briefgen.writers.docx_styles import StyleSheet, bundled_reference_bytes
from briefgen.writers.docx_xml import (
    PPR_ORDER,
    TBLPR_ORDER,
    TCPR_ORDER,
    XML_SPACE,
    el,
    paragraph,
    ppr,
    qn,
    run,
    set_prop,
    shading,
)
from briefgen.writers.docx_xml import (
    field as add_field,
)

__all__ = ["DocxOptions", "write_docx"]


@dataclass(frozen=True)
class DocxOptions:
    """How to write the memo: the reproducible stamp, the reference, and a warnings sink."""

    stamp: datetime  # all dates written (core properties) and zip entries
    reference: Path | None = None  # organisation's .docx/.dotx; None → bundled templates/reference.docx
    warnings: list[Problem] = field(default_factory=list)


def write_docx(document: Document, options: DocxOptions) -> bytes:
    """The memo as .docx bytes, identical for identical input."""
    if options.reference is None:
        data, source = bundled_reference_bytes(), "templates/reference.docx"
    else:
        data, source = read_reference(options.reference, "docx"), str(options.reference)
    try:
        word = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises assorted errors on malformed packages
        raise ReferenceFileProblem(f"{source}: cannot be read as a Word document: {exc}") from None
    try:
        _MemoWriter(word, document, options, source).write()
        stored = _stored_package(word)
    except (ValueError, KeyError, etree.LxmlError) as exc:
        raise ReferenceFileProblem(
            f"{source}: the memo could not be written into this reference: {exc}"
        ) from None
    return repack(stored, options.stamp)


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

        parts = list(package.parts)
        PackageWriter._write_content_types_stream(_Stored, parts)
        PackageWriter._write_pkg_rels(_Stored, package.rels)
        PackageWriter._write_parts(_Stored, parts)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]']")
# The tail of CT_Settings' child sequence (ECMA-376 §17.15.1.78), in schema order: a setting we
# add goes before the first of these already present.
_MATH = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_SCHEMA_LIBRARY = "{http://schemas.openxmlformats.org/schemaLibrary/2006/main}"
_SETTINGS_TAIL = [
    qn(f"w:{t}") if ":" not in t and "}" not in t else t
    for t in (
        "endnotePr", "compat", "docVars", "rsids", f"{_MATH}mathPr", "attachedSchema",
        "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
        "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
        "smartTagType", f"{_SCHEMA_LIBRARY}schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags",
        "decimalSymbol", "listSeparator",
    )
]  # fmt: skip
_SETTINGS_AFTER_FOOTNOTEPR = set(_SETTINGS_TAIL)
_SETTINGS_AFTER_THEMEFONTLANG = set(_SETTINGS_TAIL[_SETTINGS_TAIL.index(qn("w:themeFontLang")) + 1 :])


def bookmark_name(anchor: str, used: set[str]) -> str:
    """`anchor` as a Word bookmark name: ≤40 characters, a letter first, [A-Za-z0-9_], unique."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", anchor)
    if not name or name[0] not in string.ascii_letters:
        name = "h_" + name
    name = name[:40]
    candidate, n = name, 1
    while candidate in used:
        n += 1
        suffix = f"_{n}"
        candidate = name[: 40 - len(suffix)] + suffix
    used.add(candidate)
    return candidate


def _headings(blocks: Sequence[Block]) -> Iterator[Heading]:
    """Headings in document order, as the writer meets them."""
    for block in blocks:
        if isinstance(block, Heading):
            yield block
        elif isinstance(block, Div) and "notes" not in block.classes:
            yield from _headings(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from _headings(item.blocks)


def _is_title(block: Heading | Paragraph) -> bool:
    return "title" in block.classes


def _clip(text: str, limit: int = 255) -> str:
    """Core properties hold at most 255 characters (Word's limit, which python-docx enforces)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _display_date(text: str) -> str:
    """An ISO date as "10 August 2018"; anything else unchanged."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return text
    return f"{day.day} {day:%B %Y}"


class _MemoWriter:
    """Writes one `Document` into the loaded reference `word`."""

    def __init__(self, word: docx.document.Document, document: Document, options: DocxOptions, source: str):
        self.word = word
        self.doc = document
        self.options = options
        self.source = source
        self.part = word.part
        self.body = word.element.body
        self.parent: etree._Element = self.body
        self.numbering = self._numbering_root()
        self.styles = StyleSheet(word.styles.element, self.numbering, options.warnings, source)
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
        for k, heading in enumerate(_headings(document.blocks)):
            if _is_title(heading):
                self.heading_names.append(None)
                continue
            if heading.anchor:
                name = bookmark_name(heading.anchor, used)
                self.anchor_names.setdefault(heading.anchor, name)
            else:
                name = bookmark_name(f"h{k + 1}_{plain_text(heading.content)}", used)
            self.heading_names.append(name)
        self.heading_list = list(_headings(document.blocks))
        self.heading_index = 0
        self.bookmark_id = 0
        self.pending_break = False
        self.after_table = False
        self.last_paragraph: etree._Element | None = None
        self.link_ids: dict[tuple[int, str], str] = {}
        self.footnotes = _Footnotes(self)
        self.list_nums: dict[str, str] = {}

    # -- entry point ---------------------------------------------------------------------------

    def write(self) -> None:
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
            return self.part.part_related_by(RT.NUMBERING).element
        except KeyError:
            pass
        root = etree.fromstring(f'<w:numbering xmlns:w="{qn("w:x")[1:].split("}")[0]}"/>'.encode())
        part = XmlPart(PackURI("/word/numbering.xml"), CT.WML_NUMBERING, root, self.part.package)
        self.part.relate_to(part, RT.NUMBERING)
        return part.element

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
        p = self._p(style)
        self.inlines(p, block.content)

    def list(self, block: ListBlock, level: int) -> None:
        level = min(level, 3)
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
            if num is None or num.find(qn("w:abstractNumId")) is None:
                return None
            abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"), "")
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
                if in_footnote and _URL.search(node.text):
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
                    continue  # Word has no footnotes inside footnotes
                if prev_ref:
                    # "⁶,⁷" rather than "⁶⁷", which reads as footnote 67.
                    run(",", p, style_id=self.styles.id(S.DOCX_FOOTNOTE_REFERENCE))
                self.footnotes.reference(p, node.label)
            prev_ref = isinstance(node, FootnoteRef)

    def link(
        self,
        p: etree._Element,
        node: Link,
        *,
        color: str | None,
        bold: bool,
        in_footnote: bool,
        part: Part | None,
    ) -> None:
        if node.url.startswith("#"):
            target = self.anchor_names.get(node.url[1:])
            if target is None:
                self.options.warnings.append(
                    Problem(
                        f"link to unknown heading anchor {node.url!r}; written as plain text",
                        severity="warning",
                    )
                )
                self.inlines(p, node.children, color=color, bold=bold)
                return
            hyperlink = el("w:hyperlink", p, anchor=target, history=1)
        else:
            hyperlink = el("w:hyperlink", p, r_id=self._rel(part or self.part, node.url), history=1)
        style = self.styles.id(S.DOCX_HYPERLINK)
        for child in node.children:
            if isinstance(child, Text):
                run(child.text, hyperlink, bold=child.bold or bold, italic=child.italic, style_id=style)
            elif isinstance(child, FootnoteRef) and not in_footnote:
                self.footnotes.reference(p, child.label)

    def _autolink(self, p: etree._Element, node: Text, part: Part | None) -> None:
        pos = 0
        for match in _URL.finditer(node.text):
            if match.start() > pos:
                run(node.text[pos : match.start()], p, bold=node.bold, italic=node.italic)
            self.link(
                p,
                Link(match.group(), (Text(match.group()),)),
                color=None,
                bold=False,
                in_footnote=True,
                part=part,
            )
            pos = match.end()
        if pos < len(node.text):
            run(node.text[pos:], p, bold=node.bold, italic=node.italic)

    def _rel(self, part: Part, url: str) -> str:
        """The id of an external hyperlink relationship from `part` (one per distinct URL)."""
        key = (id(part), url)
        rid = self.link_ids.get(key)
        if rid is None:
            n = len(self.link_ids) + 1
            rid = f"rIdLink{n}"
            while rid in part.rels:
                n += 1000
                rid = f"rIdLink{n}"
            part.rels.add_relationship(RT.HYPERLINK, url, rid, is_external=True)
            self.link_ids[key] = rid
        return rid

    # -- tables --------------------------------------------------------------------------------

    def table(self, block: Table) -> None:
        rows = [*block.header, *block.body]
        ncols = max((len(r) for r in rows), default=0)
        if ncols == 0:
            return
        texts = [[plain_text(c.content) for c in r] for r in rows]
        widths = geometry.column_widths(texts, self.text_width)
        kind = next((c for c in block.classes if c in ("risks", "chronology", "participants", "sources")), "")
        tbl = self._tbl(S.DOCX_TABLE, widths, caption=kind.capitalize() if kind else "")
        aligns = list(block.aligns) + [None] * ncols
        for r, row in enumerate(rows):
            header = r < len(block.header)
            tr = self._tr(tbl, header=header)
            for c in range(ncols):
                cell = row[c] if c < len(row) else Cell(())
                self._cell(tr, widths[c], cell.content, align=aligns[c], header=header)
        self._end_table()

    def _tbl(
        self, style: str, widths: list[int], *, caption: str = "", borderless: bool = False
    ) -> etree._Element:
        if self._last_child_is_table():
            # Word joins adjacent tables into one: keep them apart with a hairline paragraph.
            sep = paragraph(self.styles.id(S.DOCX_BODY), self.parent)
            pr = ppr(sep)
            set_prop(pr, el("w:spacing", before=0, after=0, line=120, lineRule="exact"), PPR_ORDER)
            rpr = set_prop(pr, el("w:rPr"), PPR_ORDER)
            el("w:sz", rpr, val=4)
            el("w:szCs", rpr, val=4)
        if self.pending_break and self.parent is self.body and self.last_paragraph is not None:
            # A table cannot carry "page break before": end the previous paragraph with a break.
            el("w:br", el("w:r", self.last_paragraph), type="page")
            self.pending_break = False
        tbl = el("w:tbl", self.parent)
        pr = el("w:tblPr", tbl)
        sid = self.styles.id(style)
        if sid:
            set_prop(pr, el("w:tblStyle", val=sid), TBLPR_ORDER)
        set_prop(pr, el("w:tblW", w=sum(widths), type="dxa"), TBLPR_ORDER)
        if borderless:
            borders = el("w:tblBorders")
            for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
                el(f"w:{side}", borders, val="nil")
            set_prop(pr, borders, TBLPR_ORDER)
            mar = el("w:tblCellMar")
            el("w:left", mar, w=0, type="dxa")
            el("w:right", mar, w=geometry.CELL_MARGIN_TW, type="dxa")
            set_prop(pr, mar, TBLPR_ORDER)
        set_prop(pr, el("w:tblLayout", type="fixed"), TBLPR_ORDER)
        set_prop(
            pr,
            el(
                "w:tblLook",
                val="04A0",
                firstRow=0 if borderless else 1,
                lastRow=0,
                firstColumn=0,
                lastColumn=0,
                noHBand=1,
                noVBand=1,
            ),
            TBLPR_ORDER,
        )
        if caption:
            set_prop(pr, el("w:tblCaption", val=caption), TBLPR_ORDER)
        grid = el("w:tblGrid", tbl)
        for w in widths:
            el("w:gridCol", grid, w=w)
        return tbl

    def _last_child_is_table(self) -> bool:
        try:
            return self.parent[-1].tag == qn("w:tbl")  # lxml's len() would count every child
        except IndexError:
            return False

    def _tr(self, tbl: etree._Element, *, header: bool = False, height: int = 0) -> etree._Element:
        tr = el("w:tr", tbl)
        if header or height:
            trpr = el("w:trPr", tr)
            el("w:cantSplit", trpr)
            if height:
                el("w:trHeight", trpr, val=height, hRule="atLeast")
            if header:
                el("w:tblHeader", trpr)  # repeats on every page; screen readers read it as header
        return tr

    def _cell(
        self,
        tr: etree._Element,
        width: int,
        content: Sequence[Inline],
        *,
        align: str | None = None,
        header: bool = False,
        style: str = S.DOCX_TABLE_TEXT,
        fill: str | None = None,
        color: str | None = None,
        bold: bool = False,
        span: int = 1,
        middle: bool = False,
    ) -> etree._Element:
        tc = el("w:tc", tr)
        tcpr = el("w:tcPr", tc)
        set_prop(tcpr, el("w:tcW", w=width, type="dxa"), TCPR_ORDER)
        if span > 1:
            set_prop(tcpr, el("w:gridSpan", val=span), TCPR_ORDER)
        rag = next(
            (S.CLASS_RAG[c] for n in content if isinstance(n, Text) for c in n.classes if c in S.CLASS_RAG),
            None,
        )
        if rag:
            fill, color, bold = S.RAG_FILL[rag], S.RAG_TEXT[rag], True
            align = align or "center"
        if header and fill is None:
            fill = self._header_fill()
        if fill:
            set_prop(tcpr, shading(fill), TCPR_ORDER)
        if header or rag or middle or fill:
            set_prop(tcpr, el("w:vAlign", val="bottom" if header and not rag else "center"), TCPR_ORDER)
        with self._into(tc):
            p = self._p(style, body=False)
            if align in ("center", "right"):
                set_prop(ppr(p), el("w:jc", val=align), PPR_ORDER)
            if header:
                color = color or self._header_color()
            self.inlines(p, content, color=color, bold=bold or header)
        return tc

    def _header_fill(self) -> str | None:
        """The table style's header shading, repeated as direct formatting for LibreOffice."""
        if not hasattr(self, "_hdr_fill"):
            self._hdr_fill, self._hdr_color = None, None
            style = self.styles.element(S.DOCX_TABLE)
            if style is not None:
                for cond in style.findall(qn("w:tblStylePr")):
                    if cond.get(qn("w:type")) == "firstRow":
                        shd = cond.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
                        color = cond.find(f"{qn('w:rPr')}/{qn('w:color')}")
                        self._hdr_fill = None if shd is None else shd.get(qn("w:fill"))
                        self._hdr_color = None if color is None else color.get(qn("w:val"))
        return self._hdr_fill

    def _header_color(self) -> str | None:
        self._header_fill()
        return self._hdr_color

    def _end_table(self) -> None:
        if self.parent is self.body:
            self.after_table = True

    def fields(self, block: Div) -> None:
        """The heading block: TO / FROM / DATE / SUBJECT as a borderless two-column table."""
        label_w = geometry.FIELD_LABEL_TW
        widths = [label_w, self.text_width - label_w]
        tbl = self._tbl(S.DOCX_LAYOUT_TABLE, widths, caption="Memo details", borderless=True)
        for child in block.blocks:
            if not isinstance(child, Paragraph) or not child.content:
                continue
            first = child.content[0]
            tr = self._tr(tbl)
            if isinstance(first, Text) and first.bold and first.text.rstrip().endswith(":"):
                rest = list(child.content[1:])
                if rest and isinstance(rest[0], Text):
                    rest[0] = Text(
                        rest[0].text.lstrip(), rest[0].bold, rest[0].italic, rest[0].code, rest[0].classes
                    )
                self._cell(tr, widths[0], (first,), style=S.DOCX_FIELD, bold=True)
                self._cell(tr, widths[1], tuple(rest), style=S.DOCX_FIELD)
            else:
                self._cell(tr, sum(widths), child.content, style=S.DOCX_FIELD, span=2)
        self._end_table()

    def timeline(self, block: Timeline) -> None:
        rows = [["Date", "Event"], *([e.date, e.label] for e in block.events)]
        widths = geometry.column_widths(rows, self.text_width)
        tbl = self._tbl(S.DOCX_TABLE, widths, caption="Chronology")
        tr = self._tr(tbl, header=True)
        for c, title in enumerate(rows[0]):
            self._cell(tr, widths[c], (Text(title),), header=True)
        for event in block.events:
            tr = self._tr(tbl)
            self._cell(tr, widths[0], (Text(event.date),), bold=event.highlight)
            self._cell(tr, widths[1], (Text(event.label),), bold=event.highlight)
        self._end_table()

    def risk_matrix(self, block: RiskMatrix) -> None:
        """A compact 5×5 heat map: likelihood rows (high at the top), impact columns."""
        label_w = 2200
        cell_w = (self.text_width - label_w) // 5
        widths = [label_w] + [cell_w] * 5
        tbl = self._tbl(S.DOCX_TABLE, widths, caption="Risk matrix: likelihood by impact")
        borders = el("w:tblBorders")
        for side in ("insideH", "insideV"):
            el(f"w:{side}", borders, val="single", sz=12, space=0, color=S.DOCX_HEAT_GAP)
        set_prop(tbl.find(qn("w:tblPr")), borders, TBLPR_ORDER)
        tr = self._tr(tbl, header=True)
        self._cell(tr, label_w, (Text("Likelihood / impact"),), header=True)
        for i, label in enumerate(block.impact_labels[:5], start=1):
            self._cell(tr, cell_w, (Text(f"{i} {label}"),), header=True, align="center")
        cells: dict[tuple[int, int], list[str]] = {}
        for risk in block.risks:
            cells.setdefault((risk.likelihood, risk.impact), []).append(risk.id)
        for likelihood in range(5, 0, -1):
            tr = self._tr(tbl, height=520)
            label = (
                block.likelihood_labels[likelihood - 1] if likelihood <= len(block.likelihood_labels) else ""
            )
            self._cell(tr, label_w, (Text(f"{likelihood} {label}"),), bold=True, middle=True)
            for impact in range(1, 6):
                score = likelihood * impact
                rag = "red" if score >= block.red_from else "amber" if score >= block.amber_from else "green"
                ids = cells.get((likelihood, impact), [])
                if ids:
                    self._cell(
                        tr,
                        cell_w,
                        (Text(", ".join(ids)),),
                        align="center",
                        fill=S.RAG_FILL[rag],
                        color=S.RAG_TEXT[rag],
                        bold=True,
                    )
                else:
                    self._cell(tr, cell_w, (), fill=S.DOCX_RAG_TINT[rag])
        _keep_rows_together(tbl)
        self._end_table()

    # -- table of contents ---------------------------------------------------------------------

    def toc(self, block: TableOfContents) -> None:
        """Real entries linked to the bookmarked headings that follow, inside a TOC field so
        that Word can refresh it; the cached entries show at once, with no update prompt."""
        levels = set(block.levels) or {1, 2}
        entries = [
            (h, self.heading_names[k])
            for k, h in enumerate(self.heading_list)
            if k >= self.heading_index and h.level in levels and self.heading_names[k]
        ]
        if not entries:
            self.options.warnings.append(
                Problem("table of contents has no headings after it; left out", severity="warning")
            )
            return
        if block.title:
            p = self._p(S.DOCX_TOC_HEADING)
            run(block.title, p)
        instruction = f'TOC \\o "{min(levels)}-{max(levels)}" \\h \\z \\u'
        last = len(entries) - 1
        for k, (heading, name) in enumerate(entries):
            p = self._p(S.DOCX_TOC.get(heading.level, S.DOCX_TOC[1]))
            if k == 0:
                el("w:fldChar", el("w:r", p), fldCharType="begin")
                instr = el("w:instrText", el("w:r", p))
                instr.text = f" {instruction} "
                instr.set(XML_SPACE, "preserve")
                el("w:fldChar", el("w:r", p), fldCharType="separate")
            link = el("w:hyperlink", p, anchor=name, history=1)
            run(plain_text(heading.content), link)
            if k == last:
                el("w:fldChar", el("w:r", p), fldCharType="end")

    # -- header, footer, settings, properties --------------------------------------------------

    def _page_furniture(self) -> None:
        """Marking centred top and bottom of every page; "Page X of Y" and the as-of date."""
        section = self.word.sections[0]
        headers = [section.header]
        footers = [section.footer]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
            footers.append(section.first_page_footer)
        if self.word.settings.odd_and_even_pages_header_footer:
            headers.append(section.even_page_header)
            footers.append(section.even_page_footer)
        marking = self.doc.meta.marking.strip()
        for header in headers:
            header.is_linked_to_previous = False
            root = header._element
            for child in list(root):
                root.remove(child)
            with self._into(root):
                if marking:
                    run(marking, self._p(S.DOCX_MARKING, body=False))
                else:
                    self._p(S.DOCX_HEADER, body=False)  # a header part needs one paragraph
        for footer in footers:
            footer.is_linked_to_previous = False
            root = footer._element
            for child in list(root):
                root.remove(child)
            with self._into(root):
                p = self._p(S.DOCX_FOOTER, body=False)
                pr = ppr(p)
                tabs = set_prop(pr, el("w:tabs"), PPR_ORDER)
                for pos in self._style_tabs(S.DOCX_FOOTER):
                    if pos != self.text_width:
                        el("w:tab", tabs, val="clear", pos=pos)
                el("w:tab", tabs, val="right", pos=self.text_width)
                if self.doc.meta.as_of:
                    run(f"Information as of {_display_date(self.doc.meta.as_of)}", p)
                run("\tPage ", p)
                add_field(p, "PAGE", "1")
                run(" of ", p)
                add_field(p, "NUMPAGES", "1")
                if marking:
                    run(marking, self._p(S.DOCX_MARKING, body=False))

    def _style_tabs(self, name: str) -> list[int]:
        """Tab stop positions a paragraph style defines (to clear them where they are in the way)."""
        style = self.styles.element(name)
        if style is None:
            return []
        return sorted(
            {
                int(tab.get(qn("w:pos"), "0"))
                for tab in style.iterfind(f"{qn('w:pPr')}/{qn('w:tabs')}/{qn('w:tab')}")
                if tab.get(qn("w:val")) != "clear"
            }
        )

    def _settings(self) -> None:
        settings = self.word.settings.element
        update = settings.find(qn("w:updateFields"))
        if update is not None:
            settings.remove(update)  # would ask the reader to update fields on opening
        language = self.doc.meta.language or "en-GB"
        lang = settings.find(qn("w:themeFontLang"))
        if lang is None:
            lang = el("w:themeFontLang")
            self._insert_setting(settings, lang, _SETTINGS_AFTER_THEMEFONTLANG)
        lang.set(qn("w:val"), language)
        if self.footnotes.count:
            old = settings.find(qn("w:footnotePr"))
            if old is not None:
                settings.remove(old)
            pr = el("w:footnotePr")
            el("w:footnote", pr, id=-1)
            el("w:footnote", pr, id=0)
            self._insert_setting(settings, pr, _SETTINGS_AFTER_FOOTNOTEPR)

    @staticmethod
    def _insert_setting(settings: etree._Element, node: etree._Element, successors: set[str]) -> None:
        for child in settings:
            if child.tag in successors:
                child.addprevious(node)
                return
        settings.append(node)

    def _core_properties(self) -> None:
        meta = self.doc.meta
        props = self.word.core_properties
        props.title = _clip(meta.title)
        props.subject = _clip(meta.subject)
        props.author = _clip(meta.author)
        props.last_modified_by = _clip(meta.author)
        props.keywords = _clip(", ".join(meta.keywords))
        props.comments = _clip(meta.description)
        props.language = _clip(meta.language or "en-GB")
        props.category = "Meeting brief" if meta.kind == "memo" else _clip(meta.kind)
        props.content_status = _clip(meta.marking)
        props.revision = 1
        stamp = self.options.stamp.replace(microsecond=0)
        if stamp.tzinfo is not None:  # core properties are written in UTC
            stamp = stamp.astimezone(UTC).replace(tzinfo=None)
        props.created = stamp
        props.modified = stamp
        props.last_printed = stamp


def _keep_rows_together(tbl: etree._Element) -> None:
    """Keep a small table (the heat map) on one page: every row but the last keeps with the next."""
    rows = tbl.findall(qn("w:tr"))
    for tr in rows[:-1]:
        for p in tr.iter(qn("w:p")):
            ppr = p.find(qn("w:pPr"))
            if ppr is None:
                ppr = etree.Element(qn("w:pPr"))
                p.insert(0, ppr)
            set_prop(ppr, etree.Element(qn("w:keepNext")), PPR_ORDER)


class _Footnotes:
    """The memo's footnotes part: one real footnote per reference, holding its definition."""

    def __init__(self, writer: _MemoWriter) -> None:
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
        self.part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, self.root, writer.part.package)
        self.count = 0
        self.missing: set[str] = set()

    def reference(self, p: etree._Element, label: str) -> None:
        definition = self.writer.doc.footnotes.get(label)
        if definition is None:
            if label not in self.missing:
                self.missing.add(label)
                self.writer.options.warnings.append(
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
        paragraphs = [b for b in _flatten(blocks)] or [Paragraph(())]
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


def _flatten(blocks: Sequence[Block]) -> Iterator[Paragraph]:
    """Footnotes hold paragraphs only: lists and divs are read as their paragraphs."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block
        elif isinstance(block, Heading):
            yield Paragraph(block.content)
        elif isinstance(block, Div):
            yield from _flatten(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from _flatten(item.blocks)
