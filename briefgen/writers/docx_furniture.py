"""Contents, header and footer, settings and document properties of the Word memo."""

from __future__ import annotations

import re
from datetime import UTC, date

from lxml import etree

from briefgen import styles as S
from briefgen.errors import Problem
from briefgen.model import (
    TableOfContents,
    plain_text,
)
from briefgen.writers.docx_state import MemoState
from briefgen.writers.docx_xml import (
    PPR_ORDER,
    XML_SPACE,
    el,
    ppr,
    qn,
    run,
    set_prop,
)
from briefgen.writers.docx_xml import (
    field as add_field,
)

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



class FurnitureWriter(MemoState):
    """The memo writer's contents, page furniture (marking, page numbers, as-of date), settings and
    core properties (a mixin of `_MemoWriter`, whose state it shares)."""

    # -- table of contents ---------------------------------------------------------------------

    def toc(self, block: TableOfContents) -> None:
        """Real entries linked to the bookmarked headings that follow, inside a TOC field so
        that Word can refresh it; the cached entries show at once, with no update prompt."""
        levels = set(block.levels) or {1, 2}
        entries = [
            (h, name)
            for k, (h, name) in enumerate(zip(self.heading_list, self.heading_names, strict=True))
            if k >= self.heading_index and h.level in levels and name
        ]
        if not entries:
            self.warnings.append(
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
            # Title, a dotted tab to the right margin, and the page: a PAGEREF field whose cached
            # value is the layout estimate's page (`briefgen.pagination.paginate`), so the
            # contents are right on opening and Word need not ask to update fields.
            tabs = set_prop(ppr(p), el("w:tabs"), PPR_ORDER)
            el("w:tab", tabs, val="right", leader="dot", pos=self.text_width)
            link = el("w:hyperlink", p, anchor=name, history=1)
            run(plain_text(heading.content), link)
            run("\t", link)
            index = self.heading_list.index(heading)
            page = self.pages.headings[index] if index < len(self.pages.headings) else 1
            add_field(link, f"PAGEREF {name} \\h", str(page))
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
                    as_of = _display_date(self.doc.meta.as_of)
                    run(self.messages.gettext("Information as of %(date)s", date=as_of), p)
                run("\t", p)
                # "Page 3 of 12" in the document's words, the numbers as fields Word computes.
                fields = {"page": "PAGE", "pages": "NUMPAGES"}
                page_of = self.messages.gettext("Page %(page)s of %(pages)s")
                for piece in re.split(r"(%\((?:page|pages)\)s)", page_of):
                    name = piece[2:-2] if piece.startswith("%(") else ""
                    if name in fields:
                        add_field(p, fields[name], "1")
                    elif piece:
                        run(piece, p)
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
        category = self.messages.pgettext("document category", "Meeting brief")
        props.category = category if meta.kind == "memo" else _clip(meta.kind)
        props.content_status = _clip(meta.marking)
        props.revision = 1
        stamp = self.options.stamp.replace(microsecond=0)
        if stamp.tzinfo is not None:  # core properties are written in UTC
            stamp = stamp.astimezone(UTC).replace(tzinfo=None)
        props.created = stamp
        props.modified = stamp
        props.last_printed = stamp
