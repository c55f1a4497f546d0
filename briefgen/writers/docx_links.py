"""The Word memo writer's links: hyperlinks to headings (bookmarks) and to addresses (external
relationships), and bare addresses in notes made into links (a mixin of `docx._MemoWriter`).
"""

from __future__ import annotations

import re
import string

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from lxml import etree

from briefgen import styles as S
from briefgen.errors import Problem, quoted
from briefgen.links import package_target
from briefgen.model import FootnoteRef, Link, Text, plain_text
from briefgen.writers.docx_notes import flatten_note
from briefgen.writers.docx_state import MemoState
from briefgen.writers.docx_xml import el, run

# A bare web address in text, without the punctuation that ends the sentence around it.
URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]']")


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


class LinkWriter(MemoState):
    """Hyperlinks of the memo (a mixin of `_MemoWriter`, whose state it shares)."""

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
                self.warnings.append(
                    Problem(
                        f"link to unknown heading anchor {quoted(node.url)}; written as plain text",
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
            elif isinstance(child, FootnoteRef):
                if in_footnote:
                    run(f" ({self._note_text(child.label)})", p)
                else:
                    self.footnotes.reference(p, child.label)

    def _note_text(self, label: str) -> str:
        """The plain text of footnote `label` (for a note cited inside another note)."""
        paragraphs = flatten_note(self.doc.footnotes.get(label, ()))
        return " ".join(plain_text(para.content).strip() for para in paragraphs) or f"[^{label}]"

    def _autolink(self, p: etree._Element, node: Text, part: Part | None) -> None:
        pos = 0
        for match in URL.finditer(node.text):
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
            # The target is an xs:anyURI: normalised and percent-encoded (briefgen.links).
            part.rels.add_relationship(RT.HYPERLINK, package_target(url), rid, is_external=True)
            self.link_ids[key] = rid
        return rid
