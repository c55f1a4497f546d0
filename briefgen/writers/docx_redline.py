"""The redline: a new memo with every difference from an old memo as Word tracked changes.

`redline(old, new, options)` takes two memos written by the docx writer (package bytes) and
returns the new memo in which everything that differs from the old one is a tracked revision
(ECMA-376 Part 1, §17.13.5): inserted and deleted text (`w:ins`, `w:del`, `w:delText`),
inserted and deleted paragraph marks (`w:rPr/w:ins`, `w:rPr/w:del` in `w:pPr`), inserted and
deleted table rows (`w:trPr/w:ins`, `w:trPr/w:del`), paragraph property changes
(`w:pPrChange`), moved paragraphs (`w:moveFrom`/`w:moveTo` inside named move ranges) and
changes inside footnotes. Accepting every revision gives the new memo's text, rejecting every
revision the old memo's.

How the comparison reads a memo, and why:
- Blocks (paragraphs and tables) are aligned first, by style and text, with difflib's
  SequenceMatcher; a run of differing blocks is paired by similarity (at least half the words
  shared) the way difflib's Differ pairs lines, so a reworded point is one changed paragraph,
  not a deletion and an insertion. An unchanged paragraph deleted in one place and inserted in
  another is a move.
- Inside a changed paragraph the unit is the word: runs are cut into words, spaces and
  punctuation carrying their run properties and hyperlink, and compared again; a short
  unchanged stretch between two changes (a space, a short word) joins them, so a reader sees
  "~~old phrase~~ new phrase" rather than alternating fragments.
- A footnote reference compares equal to any footnote reference: footnote numbers shift when
  a note is added earlier in the memo, and that alone is no change. The notes of paired
  references are compared as text of their own, so a changed citation is a revision inside
  the note; a note whose reference is deleted comes back as a deleted copy of the old note.
- Tables are compared row by row (a row is the unit a reader scans): unchanged rows are left
  alone, changed rows are compared cell by cell, other rows are inserted or deleted whole.
  A table whose columns changed is replaced whole.
- Revisions carry `options.author` and `options.date` (the build stamp), so the same two
  memos always give the same bytes.

Only lxml is used: the redline works on the package the docx writer produced and does not
need python-docx's object model.
"""


from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from briefgen.ooxml import repack
from briefgen.writers.docx_adoption import Adoption, Sources
from briefgen.writers.docx_compare import (
    DOCUMENT,
    DOCUMENT_RELS,
    FOOTNOTES,
    NUMBERING,
    STYLES,
    block_text,
    footnote_map,
    local,
    max_id,
    parse_xml,
    read_block,
    read_package,
    read_rels,
    serialise,
    style_ids,
    w,
)
from briefgen.writers.docx_revisions import RedlineOptions, Redliner, RedlineSummary

__all__ = ["RedlineOptions", "RedlineSummary", "redline", "revisions"]

def redline(old: bytes, new: bytes, options: RedlineOptions) -> tuple[bytes, RedlineSummary]:
    """Compare two memos written by the docx writer and return the new one with every
    difference as a tracked revision, and a summary of what was marked.

    `old`, `new`: .docx package bytes. The result keeps everything of `new` (styles, headers,
    settings, numbering) and adds only what the old content needs (its deleted notes, list
    definitions and hyperlink targets). Raises `ValueError` when either package has no
    `word/document.xml`."""
    old_parts = read_package(old)
    new_parts = read_package(new)
    if DOCUMENT not in old_parts or DOCUMENT not in new_parts:
        raise ValueError("not a Word document: word/document.xml is missing")
    old_doc = parse_xml(old_parts[DOCUMENT])
    new_doc = parse_xml(new_parts[DOCUMENT])
    old_notes = parse_xml(old_parts[FOOTNOTES]) if FOOTNOTES in old_parts else None
    new_notes = parse_xml(new_parts[FOOTNOTES]) if FOOTNOTES in new_parts else None
    old_numbering = parse_xml(old_parts[NUMBERING]) if NUMBERING in old_parts else None
    new_numbering = parse_xml(new_parts[NUMBERING]) if NUMBERING in new_parts else None
    rels_root = parse_xml(new_parts[DOCUMENT_RELS]) if DOCUMENT_RELS in new_parts else None
    old_rels = read_rels(old_parts.get(DOCUMENT_RELS))
    new_rels = read_rels(new_parts.get(DOCUMENT_RELS))

    old_sources = Sources(footnote_map(old_notes), old_numbering, old_rels)
    redliner = Redliner(
        options=options,
        old=old_sources,
        adoption=Adoption(old_sources, new_numbering, rels_root, style_ids(new_parts.get(STYLES))),
        new_footnotes=footnote_map(new_notes),
        footnotes_root=new_notes,
        next_id=max_id(new_doc, new_notes) + 1000,
        old_targets={rid: target for rid, (_, target) in old_rels.items()},
        new_targets={rid: target for rid, (_, target) in new_rels.items()},
    )
    old_body = old_doc.find(w("body"))
    new_body = new_doc.find(w("body"))
    if old_body is None or new_body is None:
        raise ValueError("not a Word document: w:body is missing")
    old_blocks = [c for c in old_body if local(c) in ("p", "tbl")]
    new_blocks = [c for c in new_body if local(c) in ("p", "tbl")]
    section = new_body.find(w("sectPr"))
    merged = redliner.blocks(old_blocks, new_blocks)
    for child in list(new_body):
        new_body.remove(child)
    for block in merged:
        new_body.append(block)
    if section is not None:
        new_body.append(section)

    # Headers and footers: a changed banner (a new marking) is the change a reader most needs
    # to see, so the page furniture is compared like the body, part by part.
    for name in sorted(new_parts):
        if re.fullmatch(r"word/(header|footer)\d+\.xml", name) and name in old_parts:
            old_part, new_part = parse_xml(old_parts[name]), parse_xml(new_parts[name])
            old_furniture = [c for c in old_part if local(c) in ("p", "tbl")]
            new_furniture = [c for c in new_part if local(c) in ("p", "tbl")]
            if [read_block(c).key for c in old_furniture] == [read_block(c).key for c in new_furniture]:
                continue
            others = [c for c in new_part if local(c) not in ("p", "tbl")]
            merged_part = redliner.blocks(old_furniture, new_furniture)
            for child in list(new_part):
                new_part.remove(child)
            for child in [*others, *merged_part]:
                new_part.append(child)
            new_parts[name] = serialise(new_part)

    new_parts[DOCUMENT] = serialise(new_doc)
    if new_notes is not None:
        new_parts[FOOTNOTES] = serialise(new_notes)
    if new_numbering is not None:
        new_parts[NUMBERING] = serialise(new_numbering)
    if rels_root is not None:
        new_parts[DOCUMENT_RELS] = serialise(rels_root)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in new_parts.items():
            zf.writestr(name, payload)
    return repack(out.getvalue(), options.date), redliner.summary


def revisions(data: bytes) -> Iterator[tuple[str, str]]:
    """(kind, text) of every revision in a .docx package's body and notes, in document order:
    kind is ins, del, moveFrom or moveTo. For messages and tests."""
    parts = read_package(data)
    for name in (DOCUMENT, FOOTNOTES):
        if name not in parts:
            continue
        for node in parse_xml(parts[name]).iter(w("ins"), w("del"), w("moveFrom"), w("moveTo")):
            parent = node.getparent()
            if parent is not None and local(parent) == "rPr":
                continue
            yield local(node), block_text(node)
