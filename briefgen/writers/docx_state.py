"""What the parts of the Word memo writer share: the options it is given (`DocxOptions`), the
state `docx._MemoWriter` sets up and the methods its mixins (`docx_tables.TableWriter`,
`docx_furniture.FurnitureWriter`, `docx_links.LinkWriter`) and its footnotes
(`docx_notes.Footnotes`) call on it.

Declared once here so that each mixin is type-checked against the same contract instead of
reaching into attributes nobody declared.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from lxml import etree

from briefgen.errors import Problem
from briefgen.languages import Messages
from briefgen.model import Document, Heading, Inline
from briefgen.pagination import Pages
from briefgen.writers.docx_styles import StyleSheet

if TYPE_CHECKING:
    import docx.document
    from docx.opc.part import Part


@dataclass(frozen=True)
class DocxOptions:
    """How to write the memo: the reproducible stamp, and how messages name the reference."""

    stamp: datetime  # all dates written (core properties) and zip entries
    reference_name: str = "templates/reference.docx"


class NoteReferences(Protocol):
    """What the mixins call on the memo's footnotes (`docx_notes.Footnotes`, which takes the
    writer as a `MemoState`: declared here so neither module needs the other's)."""

    count: int  # footnotes referenced so far

    def reference(self, p: etree._Element, label: str) -> None: ...


class MemoState:
    """The memo writer's shared state (set in `_MemoWriter.__init__`) and shared methods."""

    word: docx.document.Document
    doc: Document
    messages: Messages  # fixed words in the document's language
    options: DocxOptions
    warnings: list[Problem]  # returned by write_docx
    body: etree._Element
    parent: etree._Element  # the container new paragraphs go into
    styles: StyleSheet
    text_width: int  # twips between the margins
    heading_list: list[Heading]
    heading_names: list[str | None]  # bookmark per heading (None: the title)
    heading_index: int
    pending_break: bool
    last_paragraph: etree._Element | None
    footnotes: NoteReferences
    pages: Pages  # where each heading falls (the contents' page numbers)
    part: Part  # the main document part
    anchor_names: dict[str, str]  # heading anchor -> bookmark name
    link_ids: dict[tuple[int, str], str]  # (id of the part, address) -> relationship id

    def _p(self, style: str | None, *, body: bool = True) -> etree._Element:
        raise NotImplementedError

    def _into(self, parent: etree._Element) -> AbstractContextManager[None]:
        raise NotImplementedError

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
        raise NotImplementedError
