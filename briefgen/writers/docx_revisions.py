"""Writing the redline's revisions: the merged block sequence of two Word documents, every
difference marked as a tracked change (ECMA-376 Part 1, §17.13.5).

The writing half of `briefgen.writers.docx_redline` (which see): `Redliner.blocks` walks an
alignment from `briefgen.writers.docx_compare` and emits equal blocks from the new document,
changed paragraphs word by word, changed tables row by row, and inserted, deleted and moved
blocks whole; the old document's content is adopted into the new package (its numbering and
hyperlink targets through `briefgen.writers.docx_adoption`, its deleted footnotes as deleted
copies here).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from briefgen.writers.docx_adoption import Adoption, Sources
from briefgen.writers.docx_compare import (
    R_NS,
    XML_SPACE,
    Atom,
    Block,
    Step,
    align,
    align_rows,
    attrs,
    block_text,
    blocks_of,
    local,
    movable,
    ppr_key,
    read_atoms,
    read_row,
    ref_id,
    rpr_key,
    w,
    word_opcodes,
)
from briefgen.writers.docx_xml import remove


@dataclass(frozen=True)
class RedlineOptions:
    """Who the revisions are attributed to and when: `author` (shown in Word's review pane) and
    `date` (the build stamp; naive datetimes are taken as UTC)."""

    author: str
    date: datetime


@dataclass
class RedlineSummary:
    """Counts of what the redline marks, for the build's report and messages."""

    insertions: int = 0
    deletions: int = 0
    moves: int = 0
    rows_inserted: int = 0
    rows_deleted: int = 0
    footnotes_changed: int = 0

    @property
    def total(self) -> int:
        return (
            self.insertions + self.deletions + self.moves + self.rows_inserted + self.rows_deleted
            + self.footnotes_changed
        )


# --- the writer of revisions -----------------------------------------------------------------


@dataclass
class Redliner:
    options: RedlineOptions
    old: Sources
    adoption: Adoption  # the old content's lists, styles and links made to fit the new package
    new_footnotes: dict[str, etree._Element]
    footnotes_root: etree._Element | None
    next_id: int
    summary: RedlineSummary = field(default_factory=RedlineSummary)
    old_targets: dict[str, str] = field(default_factory=dict)
    new_targets: dict[str, str] = field(default_factory=dict)
    _next_footnote: int = 0
    _moves: int = 0
    _changed_notes: set[str] = field(default_factory=set)

    # ids, stamps and revision elements

    def _id(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    def _stamp(self) -> dict[str, str]:
        date = self.options.date
        if date.tzinfo is not None:
            date = date.astimezone(UTC).replace(tzinfo=None)
        return {w("author"): self.options.author, w("date"): date.strftime("%Y-%m-%dT%H:%M:%SZ")}

    def revision(self, tag: str) -> etree._Element:
        element = etree.Element(w(tag))
        element.set(w("id"), self._id())
        for key, value in self._stamp().items():
            element.set(key, value)
        return element

    def mark_paragraph(self, p: etree._Element, tag: str) -> None:
        """Mark a paragraph's mark inserted, deleted, moved from or moved to (`w:pPr/w:rPr`)."""
        ppr = p.find(w("pPr"))
        if ppr is None:
            ppr = etree.Element(w("pPr"))
            p.insert(0, ppr)
        rpr = ppr.find(w("rPr"))
        if rpr is None:
            rpr = etree.Element(w("rPr"))
            tail = [c for c in ppr if local(c) in ("sectPr", "pPrChange")]
            if tail:
                tail[0].addprevious(rpr)
            else:
                ppr.append(rpr)
        rpr.insert(0, self.revision(tag))

    def mark_row(self, tr: etree._Element, tag: str) -> None:
        trpr = tr.find(w("trPr"))
        if trpr is None:
            trpr = etree.Element(w("trPr"))
            first = tr.find(w("tblPrEx"))
            if first is not None:
                first.addnext(trpr)
            else:
                tr.insert(0, trpr)
        change = trpr.find(w("trPrChange"))
        if change is not None:
            change.addprevious(self.revision(tag))
        else:
            trpr.append(self.revision(tag))


    # footnotes

    def _footnote_copy(self, old_id: str) -> str:
        """Copy an old footnote into the new memo's notes, every part of it deleted; the new id."""
        old = self.old.footnotes.get(old_id)
        if old is None or self.footnotes_root is None:
            return old_id
        if not self._next_footnote:
            self._next_footnote = 1 + max((int(f.get(w("id"), "0")) for f in self.footnotes_root), default=0)
        new_id = str(self._next_footnote)
        self._next_footnote += 1
        note = etree.SubElement(self.footnotes_root, w("footnote"))
        note.set(w("id"), new_id)
        for child in old:
            note.append(self.whole_block(self.adoption.adopt(child), "del"))
        return new_id

    def _footnote_inserted(self, new_id: str) -> None:
        note = self.new_footnotes.get(new_id)
        if note is None:
            return
        for child in list(note):
            note.replace(child, self.whole_block(child, "ins"))

    def _footnote_pair(self, old_id: str, new_id: str) -> None:
        old = self.old.footnotes.get(old_id)
        new = self.new_footnotes.get(new_id)
        if old is None or new is None or new_id in self._changed_notes:
            return
        if [block_text(c) for c in old] == [block_text(c) for c in new]:
            return
        self._changed_notes.add(new_id)
        self.summary.footnotes_changed += 1
        merged = self.blocks(list(old), list(new))
        for child in list(new):
            new.remove(child)
        for child in merged:
            new.append(child)

    def pair_footnotes(self, old: etree._Element, new: etree._Element) -> None:
        """Pair the footnote references of two equal blocks in order and compare their notes."""
        old_refs = [r.get(w("id"), "") for r in old.iter(w("footnoteReference"))]
        new_refs = [r.get(w("id"), "") for r in new.iter(w("footnoteReference"))]
        for o, n in zip(old_refs, new_refs, strict=False):
            self._footnote_pair(o, n)

    # blocks

    def blocks(
        self, old_nodes: list[etree._Element], new_nodes: list[etree._Element]
    ) -> list[etree._Element]:
        """The merged block sequence of a container (body, cell, footnote)."""
        old = blocks_of(old_nodes)
        new = blocks_of(new_nodes)
        steps = align(old, new)
        moves = self._find_moves(steps, old, new)
        out: list[etree._Element] = []
        for tag, i, j in steps:
            if tag == "equal":
                assert i is not None and j is not None
                node = copy.deepcopy(new[j].node)
                self.pair_footnotes(old[i].node, node)
                out.append(node)
            elif tag == "change":
                assert i is not None and j is not None
                out.append(self.changed_block(old[i].node, new[j].node))
            elif tag == "delete":
                assert i is not None
                name = moves.get(("old", i))
                if name:
                    out.append(self.moved_paragraph(self.adoption.adopt(old[i].node), "moveFrom", name))
                else:
                    out.append(self.whole_block(self.adoption.adopt(old[i].node), "del"))
            else:
                assert j is not None
                name = moves.get(("new", j))
                if name:
                    moved = self.moved_paragraph(copy.deepcopy(new[j].node), "moveTo", name)
                    partner = next(k for (side, k), v in moves.items() if side == "old" and v == name)
                    self.pair_footnotes(old[partner].node, moved)
                    out.append(moved)
                else:
                    out.append(self.whole_block(copy.deepcopy(new[j].node), "ins"))
        return out

    def _find_moves(
        self, steps: list[Step], old: Sequence[Block], new: Sequence[Block]
    ) -> dict[tuple[str, int], str]:
        deleted: dict[tuple[object, ...], list[int]] = {}
        for tag, i, _ in steps:
            if tag == "delete" and i is not None and old[i].kind == "p" and movable(old[i]):
                deleted.setdefault(old[i].key, []).append(i)
        moves: dict[tuple[str, int], str] = {}
        for tag, _, j in steps:
            if tag != "insert" or j is None or new[j].kind != "p":
                continue
            candidates = deleted.get(new[j].key)
            if candidates:
                i = candidates.pop(0)
                self._moves += 1
                name = f"briefgenMove{self._moves}"
                moves[("old", i)] = moves[("new", j)] = name
                self.summary.moves += 1
        return moves

    def whole_block(self, node: etree._Element, tag: str) -> etree._Element:
        """A block inserted or deleted whole: every run and paragraph mark, every table row."""
        name = local(node)
        if name == "p":
            self._wrap_content(node, tag)
            self.mark_paragraph(node, tag)
            if tag == "ins":
                self.summary.insertions += 1
            else:
                self.summary.deletions += 1
        elif name == "tbl":
            for tr in node.findall(w("tr")):
                self._whole_row(tr, tag)
        return node

    def _whole_row(self, tr: etree._Element, tag: str) -> None:
        self.mark_row(tr, tag)
        for tc in tr.findall(w("tc")):
            for child in list(tc):
                if local(child) in ("p", "tbl"):
                    self.whole_block(child, tag)
        if tag == "ins":
            self.summary.rows_inserted += 1
        else:
            self.summary.rows_deleted += 1

    def _wrap_content(self, p: etree._Element, tag: str) -> None:
        """Wrap every run of a paragraph (inside hyperlinks too) in `w:ins` or `w:del`."""
        for parent in [p, *p.iter(w("hyperlink"))]:
            children = [c for c in parent if local(c) not in ("pPr",)]
            group: list[etree._Element] = []
            for child in [*children, None]:
                if child is not None and local(child) == "r":
                    group.append(child)
                    continue
                if group:
                    wrapper = self.revision(tag)
                    group[0].addprevious(wrapper)
                    for r in group:
                        wrapper.append(self._runs_for(r, tag))
                    group = []
                if child is not None and local(child) == "fldSimple":
                    runs = child.findall(w("r"))
                    wrapper = self.revision(tag)
                    child.addprevious(wrapper)
                    for r in runs:
                        wrapper.append(self._runs_for(r, tag))
                    remove(child)

    def _runs_for(self, r: etree._Element, tag: str) -> etree._Element:
        """A run as it stands inside `w:del` (text as `w:delText`, notes as deleted copies) or
        `w:ins` (notes marked inserted)."""
        if tag == "del":
            for t in r.findall(w("t")):
                t.tag = w("delText")
            for t in r.findall(w("instrText")):
                t.tag = w("delInstrText")
            for ref in r.findall(w("footnoteReference")):
                ref.set(w("id"), self._footnote_copy(ref.get(w("id"), "")))
        elif tag == "ins":
            for ref in r.findall(w("footnoteReference")):
                self._footnote_inserted(ref.get(w("id"), ""))
        return r

    def moved_paragraph(self, p: etree._Element, tag: str, name: str) -> etree._Element:
        """A paragraph moved as a whole, inside a named move range (§17.13.5.22–17.13.5.28)."""
        start = self.revision(f"{tag}RangeStart")
        start.set(w("name"), name)
        end = etree.Element(w(f"{tag}RangeEnd"))
        end.set(w("id"), start.get(w("id"), ""))
        runs = [c for c in p if local(c) in ("r", "hyperlink", "fldSimple")]
        wrapper = self.revision(tag)
        if runs:
            runs[0].addprevious(start)
            runs[0].addprevious(wrapper)
            for r in runs:
                wrapper.append(r)
            wrapper.addnext(end)
        else:
            p.append(start)
            p.append(end)
        if tag == "moveFrom":
            for ref in wrapper.iter(w("footnoteReference")):
                ref.set(w("id"), self._footnote_copy(ref.get(w("id"), "")))
        self.mark_paragraph(p, tag)
        return p

    def changed_block(self, old: etree._Element, new: etree._Element) -> etree._Element:
        if local(new) == "tbl":
            return self.changed_table(old, new)
        return self.changed_paragraph(old, new)

    def changed_paragraph(self, old: etree._Element, new: etree._Element) -> etree._Element:
        """The new paragraph with its words compared to the old one's."""
        old_atoms = read_atoms(old, self.old_targets)
        new_atoms = read_atoms(new, self.new_targets)
        old_text = [a for a in old_atoms if a.kind != "marker"]
        new_text = [a for a in new_atoms if a.kind != "marker"]
        ops = word_opcodes(old_atoms, new_atoms)
        # Where each new atom (markers included) falls: markers go with the following atom.
        sequence: list[tuple[str, Atom]] = []
        markers_before: dict[int, list[Atom]] = {}
        position = 0
        for atom in new_atoms:
            if atom.kind == "marker":
                markers_before.setdefault(position, []).append(atom)
            else:
                position += 1
        for tag, i1, i2, j1, j2 in ops:
            if tag == "equal":
                for offset in range(i2 - i1):
                    j = j1 + offset
                    sequence.extend(("marker", m) for m in markers_before.pop(j, []))
                    sequence.append(("equal", new_text[j]))
                    if new_text[j].signature[-1:] == ("fn",):
                        self._footnote_pair(ref_id(old_text[i1 + offset]), ref_id(new_text[j]))
                continue
            sequence.extend(("del", old_text[i]) for i in range(i1, i2))
            for j in range(j1, j2):
                sequence.extend(("marker", m) for m in markers_before.pop(j, []))
                sequence.append(("ins", new_text[j]))
            if i2 > i1:
                self.summary.deletions += 1
            if j2 > j1:
                self.summary.insertions += 1
        for rest in markers_before.values():
            sequence.extend(("marker", m) for m in rest)

        out = etree.Element(w("p"), attrs(new))
        new_ppr = new.find(w("pPr"))
        if new_ppr is not None:
            ppr = copy.deepcopy(new_ppr)
            out.append(ppr)
            old_ppr = old.find(w("pPr"))
            if ppr_key(old_ppr) != ppr_key(new_ppr):
                self._ppr_change(ppr, old_ppr)
        self._emit(out, sequence)
        return out

    def _ppr_change(self, ppr: etree._Element, old_ppr: etree._Element | None) -> None:
        change = self.revision("pPrChange")
        before = etree.SubElement(change, w("pPr"))
        if old_ppr is not None:
            adopted = self.adoption.adopt(old_ppr)
            for child in adopted:
                if local(child) not in ("rPr", "sectPr", "pPrChange"):
                    before.append(child)
        ppr.append(change)

    def _emit(self, p: etree._Element, sequence: list[tuple[str, Atom]]) -> None:
        """Write atoms back as runs: consecutive atoms with the same hyperlink, revision state
        and run properties share one element."""
        link_el: etree._Element | None = None
        link_src: etree._Element | None = None
        wrapper: etree._Element | None = None
        wrapper_state = ""
        run: etree._Element | None = None
        run_key: tuple[object, ...] = ()
        text_el: etree._Element | None = None

        for state, atom in sequence:
            source_link = atom.link
            if source_link is not link_src:
                link_src = source_link
                link_el = None
                wrapper, wrapper_state, run, text_el = None, "", None, None
                if source_link is not None:
                    link_el = etree.SubElement(p, w("hyperlink"), _link_attrib(self, source_link, state))
            parent = link_el if link_el is not None else p
            if state == "marker":
                assert atom.item is not None
                parent.append(copy.deepcopy(atom.item))
                wrapper, wrapper_state, run, text_el = None, "", None, None
                continue
            if state != wrapper_state or (state == "equal") != (wrapper is None):
                wrapper_state = state
                if state == "equal":
                    wrapper = None
                else:
                    wrapper = self.revision("ins" if state == "ins" else "del")
                    parent.append(wrapper)
                run, text_el = None, None
            target = wrapper if wrapper is not None else parent
            key = (state, rpr_key(atom.rpr))
            if run is None or key != run_key:
                run = etree.SubElement(target, w("r"))
                run_key = key
                text_el = None
                if atom.rpr is not None:
                    run.append(self.adoption.adopt(atom.rpr) if state == "del" else copy.deepcopy(atom.rpr))
            if atom.kind == "text":
                if text_el is None:
                    text_el = etree.SubElement(run, w("delText" if state == "del" else "t"))
                    text_el.text = ""
                text_el.text = (text_el.text or "") + atom.text
                if text_el.text != text_el.text.strip():
                    text_el.set(XML_SPACE, "preserve")
            else:
                assert atom.item is not None
                item = copy.deepcopy(atom.item)
                if state == "del":
                    if local(item) == "instrText":
                        item.tag = w("delInstrText")
                    elif local(item) == "footnoteReference":
                        item.set(w("id"), self._footnote_copy(item.get(w("id"), "")))
                elif state == "ins" and local(item) == "footnoteReference":
                    self._footnote_inserted(item.get(w("id"), ""))
                run.append(item)
                text_el = None

    def changed_table(self, old: etree._Element, new: etree._Element) -> etree._Element:
        """The new table with its rows compared to the old one's."""
        out = etree.Element(w("tbl"), attrs(new))
        for child in new:
            if local(child) != "tr":
                out.append(copy.deepcopy(child))
        old_rows = old.findall(w("tr"))
        new_rows = new.findall(w("tr"))
        old_blocks = [read_row(r) for r in old_rows]
        new_blocks = [read_row(r) for r in new_rows]
        for tag, i, j in align_rows(old_blocks, new_blocks):
            if tag == "equal":
                assert i is not None and j is not None
                row = copy.deepcopy(new_rows[j])
                self.pair_footnotes(old_rows[i], row)
                out.append(row)
            elif tag == "change":
                assert i is not None and j is not None
                out.append(self._changed_row(old_rows[i], new_rows[j]))
            elif tag == "delete":
                assert i is not None
                row = self.adoption.adopt(old_rows[i])
                self._whole_row(row, "del")
                out.append(row)
            else:
                assert j is not None
                row = copy.deepcopy(new_rows[j])
                self._whole_row(row, "ins")
                out.append(row)
        return out

    def _changed_row(self, old: etree._Element, new: etree._Element) -> etree._Element:
        row = etree.Element(w("tr"), attrs(new))
        old_cells = old.findall(w("tc"))
        for child in new:
            if local(child) != "tc":
                row.append(copy.deepcopy(child))
                continue
            index = len(row.findall(w("tc")))
            cell = etree.SubElement(row, w("tc"), attrs(child))
            content = [c for c in child if local(c) in ("p", "tbl")]
            for c in child:
                if local(c) not in ("p", "tbl"):
                    cell.append(copy.deepcopy(c))
            old_content = [c for c in old_cells[index] if local(c) in ("p", "tbl")]
            for block in self.blocks(old_content, content):
                cell.append(block)
        return row


def _link_attrib(redliner: Redliner, link: etree._Element, state: str) -> dict[str, str]:
    attrib = attrs(link)
    rid_key = f"{{{R_NS}}}id"
    if state == "del" and rid_key in attrib:
        attrib[rid_key] = redliner.adoption.rel(attrib[rid_key])
    return attrib
