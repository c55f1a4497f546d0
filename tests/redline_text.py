"""Read a .docx back as text the way a reader would after Word's Accept All or Reject All.

Written independently of briefgen's redline code so that the redline tests check it against
the plain builds rather than against itself: a paragraph whose mark is removed joins the next
paragraph of its container; a removed row disappears; a footnote reference reads as the text of
its note, so renumbered notes compare equal and a changed note does not.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
REMOVED = {"accept": ("del", "moveFrom"), "reject": ("ins", "moveTo"), "plain": ()}


def _local(node: etree._Element) -> str:
    return node.tag.rsplit("}", 1)[-1] if isinstance(node.tag, str) else ""


def document_text(data: bytes, mode: str = "plain") -> list[str]:
    """The body's paragraphs and table rows as text after accepting (`accept`) or rejecting
    (`reject`) every revision, or as written (`plain`)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        body = etree.fromstring(zf.read("word/document.xml")).find(f"{W}body")
        names = zf.namelist()
        has_notes = "word/footnotes.xml" in names
        notes_root = etree.fromstring(zf.read("word/footnotes.xml")) if has_notes else None
    notes = {} if notes_root is None else {n.get(f"{W}id"): n for n in notes_root.findall(f"{W}footnote")}
    return _container(body, mode, notes)


def _removed_mark(p: etree._Element, mode: str) -> bool:
    rpr = p.find(f"{W}pPr/{W}rPr")
    return rpr is not None and any(_local(c) in REMOVED[mode] for c in rpr)


def _removed_row(tr: etree._Element, mode: str) -> bool:
    trpr = tr.find(f"{W}trPr")
    return trpr is not None and any(_local(c) in REMOVED[mode] for c in trpr)


def _container(container: etree._Element, mode: str, notes: dict) -> list[str]:
    out: list[str] = []
    carry = ""
    for child in container:
        name = _local(child)
        if name == "p":
            text = _inline(child, mode, notes)
            if _removed_mark(child, mode):
                carry += text
                continue
            out.append(carry + text)
            carry = ""
        elif name == "tbl":
            if carry:
                out.append(carry)
                carry = ""
            for tr in child.findall(f"{W}tr"):
                if _removed_row(tr, mode):
                    continue
                cells = [" / ".join(_container(tc, mode, notes)) for tc in tr.findall(f"{W}tc")]
                out.append(" | ".join(cells))
    if carry:
        out.append(carry)
    return out


def _inline(node: etree._Element, mode: str, notes: dict) -> str:
    parts: list[str] = []
    for child in node:
        name = _local(child)
        if name in ("pPr", "rPr"):
            continue
        if name in REMOVED[mode]:
            continue
        if name in ("t", "delText"):
            parts.append(child.text or "")
        elif name == "tab":
            parts.append("\t")
        elif name in ("br", "cr"):
            parts.append("\n")
        elif name == "footnoteReference":
            note = notes.get(child.get(f"{W}id"))
            text = " / ".join(_container(note, mode, notes)) if note is not None else "?"
            parts.append(f"[^{text}]")
        else:
            parts.append(_inline(child, mode, notes))
    return "".join(parts)
