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

import copy
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from difflib import SequenceMatcher

from lxml import etree

from briefgen.ooxml import repack
from briefgen.writers.docx_xml import remove

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

DOCUMENT = "word/document.xml"
FOOTNOTES = "word/footnotes.xml"
NUMBERING = "word/numbering.xml"
STYLES = "word/styles.xml"
DOCUMENT_RELS = "word/_rels/document.xml.rels"

# Two blocks are "the same passage, changed" when at least this share of their words match
# (difflib's ratio); below it, the old block is deleted and the new one inserted.
PAIR_RATIO = 0.5
# A paragraph that disappears in one place and reappears unchanged elsewhere is shown as a move
# when it has at least this many characters: shorter ones (an empty line, "Ibid.") are
# coincidences, not moves.
MOVE_MIN_CHARS = 20
# Beyond this many candidate pairs a region of differing blocks is not searched for the best
# pairing (quadratic); its blocks are paired in order instead.
PAIR_SEARCH_LIMIT = 4096

_FN_TOKEN = "\x00fn\x00"
_WORD = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def w(tag: str) -> str:
    """`p` → `{w-namespace}p`."""
    return f"{{{W_NS}}}{tag}"


def _local(node: etree._Element) -> str:
    tag = node.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


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


# --- the package ----------------------------------------------------------------------------


def _read_package(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(data, parser)


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- reading blocks -------------------------------------------------------------------------


def _text(node: etree._Element) -> str:
    """The text of a block as the comparison sees it: footnote references as one token each
    (whatever their number), tabs and breaks as whitespace."""
    parts: list[str] = []
    for child in node.iter():
        name = _local(child)
        if name in ("t", "delText", "instrText"):
            parts.append(child.text or "")
        elif name == "tab":
            parts.append("\t")
        elif name in ("br", "cr"):
            parts.append("\n")
        elif name == "footnoteReference":
            parts.append(_FN_TOKEN)
    return "".join(parts)


def _row_text(tr: etree._Element) -> tuple[str, ...]:
    """A table row as the comparison sees it: one text per cell, so that a value moving from
    one cell to another (a heat-map entry) is a change even though the row reads the same."""
    return tuple(
        "\n".join(_text(block) for block in tc if _local(block) in ("p", "tbl")) for tc in tr.findall(w("tc"))
    )


def _style(p: etree._Element) -> str:
    style = p.find(f"{w('pPr')}/{w('pStyle')}")
    return style.get(w("val"), "") if style is not None else ""


def _grid_width(tbl: etree._Element) -> int:
    return len(tbl.findall(f"{w('tblGrid')}/{w('gridCol')}"))


@dataclass(frozen=True)
class _Block:
    node: etree._Element
    kind: str  # "p" | "tbl" | "other"
    key: tuple[object, ...]
    words: tuple[str, ...]


def _block(node: etree._Element) -> _Block:
    name = _local(node)
    if name == "p":
        text = _text(node)
        return _Block(node, "p", ("p", _style(node), text), tuple(_WORD.findall(text)))
    if name == "tbl":
        rows = tuple(_row_text(tr) for tr in node.findall(w("tr")))
        words = tuple(word for row in rows for cell in row for word in _WORD.findall(cell))
        return _Block(node, "tbl", ("tbl", _grid_width(node), rows), words)
    return _Block(node, "other", ("other", etree.tostring(node)), ())


def _blocks(container: etree._Element) -> list[_Block]:
    return [_block(child) for child in container if _local(child) in ("p", "tbl", "sdt")]


def _similarity(a: _Block, b: _Block) -> float:
    if a.kind != b.kind or a.kind == "other":
        return 0.0
    if a.kind == "row":
        old_cells, new_cells = a.key[1], b.key[1]
        assert isinstance(old_cells, tuple) and isinstance(new_cells, tuple)
        if len(old_cells) != len(new_cells):
            return 0.0
        if old_cells[0].strip() and old_cells[0] == new_cells[0]:
            return 1.0 - 1e-6  # the same row label (a risk, a source): the same row, changed
    if a.kind == "tbl" and _grid_width(a.node) != _grid_width(b.node):
        return 0.0
    if not a.words and not b.words:
        return 1.0 if a.key[:2] == b.key[:2] else 0.0
    matcher = SequenceMatcher(None, a.words, b.words, autojunk=False)
    if matcher.real_quick_ratio() < PAIR_RATIO or matcher.quick_ratio() < PAIR_RATIO:
        return 0.0
    return matcher.ratio()


# An alignment step: ("equal" | "change" | "delete" | "insert", old index, new index).
_Step = tuple[str, int | None, int | None]


def _align(old: Sequence[_Block], new: Sequence[_Block]) -> list[_Step]:
    """Align two block sequences: equal blocks by key, then differing regions paired by
    similarity. Deletions come before insertions within a region, as Word shows them."""
    steps: list[_Step] = []
    matcher = SequenceMatcher(None, [b.key for b in old], [b.key for b in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            steps.extend(("equal", i1 + k, j1 + k) for k in range(i2 - i1))
        else:
            steps.extend(_pair(old, new, i1, i2, j1, j2))
    return steps


def _pair(
    old: Sequence[_Block], new: Sequence[_Block], i1: int, i2: int, j1: int, j2: int
) -> list[_Step]:
    """Pair the blocks of a differing region, best pair first, recursing left and right of it
    (difflib.Differ's fancy replace, with blocks for lines)."""
    if i1 >= i2 or j1 >= j2:
        return [("delete", i, None) for i in range(i1, i2)] + [("insert", None, j) for j in range(j1, j2)]
    if (i2 - i1) * (j2 - j1) > PAIR_SEARCH_LIMIT:
        return _pair_in_order(old, new, i1, i2, j1, j2)
    best, best_i, best_j = PAIR_RATIO - 1e-9, -1, -1
    for j in range(j1, j2):
        for i in range(i1, i2):
            ratio = _similarity(old[i], new[j])
            if ratio > best:
                best, best_i, best_j = ratio, i, j
    if best_i < 0:
        return [("delete", i, None) for i in range(i1, i2)] + [("insert", None, j) for j in range(j1, j2)]
    return [
        *_pair(old, new, i1, best_i, j1, best_j),
        ("change", best_i, best_j),
        *_pair(old, new, best_i + 1, i2, best_j + 1, j2),
    ]


def _pair_in_order(
    old: Sequence[_Block], new: Sequence[_Block], i1: int, i2: int, j1: int, j2: int
) -> list[_Step]:
    steps: list[_Step] = []
    i, j = i1, j1
    while i < i2 and j < j2:
        if _similarity(old[i], new[j]) >= PAIR_RATIO:
            steps.append(("change", i, j))
            i, j = i + 1, j + 1
        else:
            steps.append(("delete", i, None))
            i += 1
    steps.extend(("delete", k, None) for k in range(i, i2))
    steps.extend(("insert", None, k) for k in range(j, j2))
    return steps


# --- atoms: what a paragraph is made of, word by word ----------------------------------------


@dataclass
class _Atom:
    """One comparable piece of a paragraph: a word or space (`text`), another run item such as
    a tab, break, field character or footnote reference (`item`), or a zero-width marker such
    as a bookmark (`marker`). `rpr` and `link` are the run properties and hyperlink it sits in."""

    kind: str  # "text" | "item" | "marker"
    text: str = ""
    item: etree._Element | None = None
    rpr: etree._Element | None = None
    link: etree._Element | None = None
    signature: tuple[object, ...] = ()


_ITEM_SIGNATURES = {"footnoteReference": ("fn",), "footnoteRef": ("fnref",)}


def _rpr_key(rpr: etree._Element | None) -> bytes:
    return etree.tostring(rpr) if rpr is not None else b""


def _link_key(link: etree._Element | None, targets: dict[str, str]) -> tuple[object, ...]:
    if link is None:
        return ()
    rid = link.get(f"{{{R_NS}}}id")
    return ("link", link.get(w("anchor")), targets.get(rid or "", ""))


def _atoms(p: etree._Element, targets: dict[str, str]) -> list[_Atom]:
    atoms: list[_Atom] = []

    def run(r: etree._Element, link: etree._Element | None) -> None:
        rpr = r.find(w("rPr"))
        base = (_link_key(link, targets), _rpr_key(rpr))
        for child in r:
            name = _local(child)
            if name == "rPr":
                continue
            if name in ("t", "delText"):
                for word in _WORD.findall(child.text or ""):
                    atoms.append(_Atom("text", word, None, rpr, link, (*base, "t", word)))
            else:
                signature = _ITEM_SIGNATURES.get(name) or (
                    name, child.text or "", tuple(sorted(child.attrib.items()))
                )
                atoms.append(_Atom("item", "", child, rpr, link, (*base, "item", *signature)))

    def walk(parent: etree._Element, link: etree._Element | None) -> None:
        for child in parent:
            name = _local(child)
            if name == "pPr":
                continue
            if name == "r":
                run(child, link)
            elif name == "hyperlink":
                walk(child, child)
            elif name in ("ins", "moveTo", "smartTag", "customXml", "fldSimple"):
                walk(child, link)  # content of an accepted revision or a wrapper: its runs count
            elif name in ("del", "moveFrom"):
                continue  # already deleted in the input: not part of its text
            else:
                atoms.append(_Atom("marker", "", child, None, link, ("marker", name)))

    walk(p, None)
    return atoms


# Opcodes as difflib gives them: (tag, i1, i2, j1, j2).
_Opcode = tuple[str, int, int, int, int]


def _word_opcodes(old: Sequence[_Atom], new: Sequence[_Atom]) -> list[_Opcode]:
    """Word-level opcodes with short unchanged stretches between two changes folded into them."""
    old_sig = [a.signature for a in old if a.kind != "marker"]
    new_sig = [a.signature for a in new if a.kind != "marker"]
    ops = SequenceMatcher(None, old_sig, new_sig, autojunk=False).get_opcodes()
    old_text = [a for a in old if a.kind != "marker"]
    merged: list[_Opcode] = []
    for index, op in enumerate(ops):
        tag, i1, i2, j1, j2 = op
        if (
            tag == "equal"
            and 0 < index < len(ops) - 1
            and _is_filler(old_text[i1:i2])
        ):
            tag = "replace"
        if merged and tag != "equal" and merged[-1][0] != "equal":
            _, a1, _, b1, _ = merged[-1]
            merged[-1] = ("replace", a1, i2, b1, j2)
        else:
            merged.append((tag, i1, i2, j1, j2))
    return merged


def _is_filler(atoms: Sequence[_Atom]) -> bool:
    """A stretch too short to stand alone between two changes: spaces and punctuation, or one
    word of up to three letters with its spaces."""
    words = [a.text for a in atoms if a.kind == "text" and a.text.strip()]
    if any(a.kind == "item" for a in atoms):
        return False
    return not words or (len(words) == 1 and len(words[0]) <= 3)


# --- the writer of revisions -----------------------------------------------------------------


@dataclass
class _Sources:
    """What the old memo's content needs in the new package: its footnotes, numbering, styles
    and hyperlink targets."""

    footnotes: dict[str, etree._Element]
    numbering: etree._Element | None
    rels: dict[str, tuple[str, str]]  # rId → (type, target)


@dataclass
class _Redliner:
    options: RedlineOptions
    old: _Sources
    new_footnotes: dict[str, etree._Element]
    footnotes_root: etree._Element | None
    numbering_root: etree._Element | None
    rels_root: etree._Element | None
    styles: set[str]
    next_id: int
    summary: RedlineSummary = field(default_factory=RedlineSummary)
    old_targets: dict[str, str] = field(default_factory=dict)
    new_targets: dict[str, str] = field(default_factory=dict)
    _num_map: dict[str, str] = field(default_factory=dict)
    _rel_map: dict[str, str] = field(default_factory=dict)
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
            tail = [c for c in ppr if _local(c) in ("sectPr", "pPrChange")]
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

    # the old memo's content, made to fit the new package

    def adopt_old(self, node: etree._Element) -> etree._Element:
        """A copy of old content that refers only to what exists in the new package: its
        numbering copied in under new ids, its styles dropped where the new memo lacks them,
        its hyperlink targets added, its bookmarks removed (their names belong to the new memo)."""
        node = copy.deepcopy(node)
        for marker in [e for e in node.iter() if _local(e) in ("bookmarkStart", "bookmarkEnd")]:
            remove(marker)
        for num in node.iter(w("numId")):
            num.set(w("val"), self._adopt_numbering(num.get(w("val"), "0")))
        for tag in ("pStyle", "rStyle", "tblStyle"):
            for style in list(node.iter(w(tag))):
                if style.get(w("val")) not in self.styles:
                    remove(style)
        for link in node.iter(w("hyperlink")):
            rid = link.get(f"{{{R_NS}}}id")
            if rid:
                link.set(f"{{{R_NS}}}id", self._adopt_rel(rid))
        return node

    def _adopt_numbering(self, num_id: str) -> str:
        if num_id == "0" or self.old.numbering is None or self.numbering_root is None:
            return num_id
        if num_id in self._num_map:
            return self._num_map[num_id]
        old_num = next((n for n in self.old.numbering.iter(w("num")) if n.get(w("numId")) == num_id), None)
        if old_num is None:
            return num_id
        abstract_ref = old_num.find(w("abstractNumId"))
        abstract_id = abstract_ref.get(w("val")) if abstract_ref is not None else None
        old_abstract = next(
            (
                a
                for a in self.old.numbering.iter(w("abstractNum"))
                if a.get(w("abstractNumId")) == abstract_id
            ),
            None,
        )
        root = self.numbering_root
        new_num_id = str(1 + max((int(n.get(w("numId"), "0")) for n in root.iter(w("num"))), default=0))
        new_num = copy.deepcopy(old_num)
        new_num.set(w("numId"), new_num_id)
        if old_abstract is not None:
            used = [int(a.get(w("abstractNumId"), "0")) for a in root.iter(w("abstractNum"))]
            new_abstract_id = str(1 + max(used, default=-1))
            abstract = copy.deepcopy(old_abstract)
            abstract.set(w("abstractNumId"), new_abstract_id)
            for nsid in abstract.findall(w("nsid")):
                abstract.remove(nsid)  # two lists with one nsid would be joined by Word
            abstracts = root.findall(w("abstractNum"))
            if abstracts:
                abstracts[-1].addnext(abstract)
            else:
                root.insert(0, abstract)
            new_num.find(w("abstractNumId")).set(w("val"), new_abstract_id)  # type: ignore[union-attr]
        nums = root.findall(w("num"))
        if nums:
            nums[-1].addnext(new_num)
        else:
            cleanup = root.find(w("numIdMacAtCleanup"))
            if cleanup is not None:
                cleanup.addprevious(new_num)
            else:
                root.append(new_num)
        self._num_map[num_id] = new_num_id
        return new_num_id

    def _adopt_rel(self, rid: str) -> str:
        if rid in self._rel_map:
            return self._rel_map[rid]
        rel = self.old.rels.get(rid)
        if rel is None or self.rels_root is None:
            return rid
        used = {r.get("Id") for r in self.rels_root}
        n = 1
        while f"rIdRedline{n}" in used:
            n += 1
        new_rid = f"rIdRedline{n}"
        element = etree.SubElement(self.rels_root, f"{{{PKG_REL_NS}}}Relationship")
        element.set("Id", new_rid)
        element.set("Type", rel[0])
        element.set("Target", rel[1])
        if rel[0] == HYPERLINK_TYPE:
            element.set("TargetMode", "External")
        self._rel_map[rid] = new_rid
        return new_rid

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
            note.append(self.whole_block(self.adopt_old(child), "del"))
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
        if [_text(c) for c in old] == [_text(c) for c in new]:
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
        old = _blocks_of(old_nodes)
        new = _blocks_of(new_nodes)
        steps = _align(old, new)
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
                    out.append(self.moved_paragraph(self.adopt_old(old[i].node), "moveFrom", name))
                else:
                    out.append(self.whole_block(self.adopt_old(old[i].node), "del"))
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
        self, steps: list[_Step], old: Sequence[_Block], new: Sequence[_Block]
    ) -> dict[tuple[str, int], str]:
        deleted: dict[tuple[object, ...], list[int]] = {}
        for tag, i, _ in steps:
            if tag == "delete" and i is not None and old[i].kind == "p" and _movable(old[i]):
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
        name = _local(node)
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
                if _local(child) in ("p", "tbl"):
                    self.whole_block(child, tag)
        if tag == "ins":
            self.summary.rows_inserted += 1
        else:
            self.summary.rows_deleted += 1

    def _wrap_content(self, p: etree._Element, tag: str) -> None:
        """Wrap every run of a paragraph (inside hyperlinks too) in `w:ins` or `w:del`."""
        for parent in [p, *p.iter(w("hyperlink"))]:
            children = [c for c in parent if _local(c) not in ("pPr",)]
            group: list[etree._Element] = []
            for child in [*children, None]:
                if child is not None and _local(child) == "r":
                    group.append(child)
                    continue
                if group:
                    wrapper = self.revision(tag)
                    group[0].addprevious(wrapper)
                    for r in group:
                        wrapper.append(self._runs_for(r, tag))
                    group = []
                if child is not None and _local(child) == "fldSimple":
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
        runs = [c for c in p if _local(c) in ("r", "hyperlink", "fldSimple")]
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
        if _local(new) == "tbl":
            return self.changed_table(old, new)
        return self.changed_paragraph(old, new)

    def changed_paragraph(self, old: etree._Element, new: etree._Element) -> etree._Element:
        """The new paragraph with its words compared to the old one's."""
        old_atoms = _atoms(old, self.old_targets)
        new_atoms = _atoms(new, self.new_targets)
        old_text = [a for a in old_atoms if a.kind != "marker"]
        new_text = [a for a in new_atoms if a.kind != "marker"]
        ops = _word_opcodes(old_atoms, new_atoms)
        # Where each new atom (markers included) falls: markers go with the following atom.
        sequence: list[tuple[str, _Atom]] = []
        markers_before: dict[int, list[_Atom]] = {}
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
                        self._footnote_pair(_ref_id(old_text[i1 + offset]), _ref_id(new_text[j]))
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

        out = etree.Element(w("p"), _attrs(new))
        new_ppr = new.find(w("pPr"))
        if new_ppr is not None:
            ppr = copy.deepcopy(new_ppr)
            out.append(ppr)
            old_ppr = old.find(w("pPr"))
            if _ppr_key(old_ppr) != _ppr_key(new_ppr):
                self._ppr_change(ppr, old_ppr)
        self._emit(out, sequence)
        return out

    def _ppr_change(self, ppr: etree._Element, old_ppr: etree._Element | None) -> None:
        change = self.revision("pPrChange")
        before = etree.SubElement(change, w("pPr"))
        if old_ppr is not None:
            adopted = self.adopt_old(old_ppr)
            for child in adopted:
                if _local(child) not in ("rPr", "sectPr", "pPrChange"):
                    before.append(child)
        ppr.append(change)

    def _emit(self, p: etree._Element, sequence: list[tuple[str, _Atom]]) -> None:
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
            key = (state, _rpr_key(atom.rpr))
            if run is None or key != run_key:
                run = etree.SubElement(target, w("r"))
                run_key = key
                text_el = None
                if atom.rpr is not None:
                    run.append(self.adopt_old(atom.rpr) if state == "del" else copy.deepcopy(atom.rpr))
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
                    if _local(item) == "instrText":
                        item.tag = w("delInstrText")
                    elif _local(item) == "footnoteReference":
                        item.set(w("id"), self._footnote_copy(item.get(w("id"), "")))
                elif state == "ins" and _local(item) == "footnoteReference":
                    self._footnote_inserted(item.get(w("id"), ""))
                run.append(item)
                text_el = None

    def changed_table(self, old: etree._Element, new: etree._Element) -> etree._Element:
        """The new table with its rows compared to the old one's."""
        out = etree.Element(w("tbl"), _attrs(new))
        for child in new:
            if _local(child) != "tr":
                out.append(copy.deepcopy(child))
        old_rows = old.findall(w("tr"))
        new_rows = new.findall(w("tr"))
        old_blocks = [_row_block(r) for r in old_rows]
        new_blocks = [_row_block(r) for r in new_rows]
        for tag, i, j in _align_rows(old_blocks, new_blocks):
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
                row = self.adopt_old(old_rows[i])
                self._whole_row(row, "del")
                out.append(row)
            else:
                assert j is not None
                row = copy.deepcopy(new_rows[j])
                self._whole_row(row, "ins")
                out.append(row)
        return out

    def _changed_row(self, old: etree._Element, new: etree._Element) -> etree._Element:
        row = etree.Element(w("tr"), _attrs(new))
        old_cells = old.findall(w("tc"))
        for child in new:
            if _local(child) != "tc":
                row.append(copy.deepcopy(child))
                continue
            index = len(row.findall(w("tc")))
            cell = etree.SubElement(row, w("tc"), _attrs(child))
            content = [c for c in child if _local(c) in ("p", "tbl")]
            for c in child:
                if _local(c) not in ("p", "tbl"):
                    cell.append(copy.deepcopy(c))
            old_content = [c for c in old_cells[index] if _local(c) in ("p", "tbl")]
            for block in self.blocks(old_content, content):
                cell.append(block)
        return row


def _row_block(tr: etree._Element) -> _Block:
    cells = _row_text(tr)
    return _Block(tr, "row", ("row", cells), tuple(word for cell in cells for word in _WORD.findall(cell)))


def _align_rows(old: Sequence[_Block], new: Sequence[_Block]) -> list[_Step]:
    """Rows align like blocks: a row pairs with one of as many cells that has the same label
    (first cell) or shares half its words."""
    return _align(old, new)


def _blocks_of(nodes: list[etree._Element]) -> list[_Block]:
    return [_block(n) for n in nodes]


def _movable(block: _Block) -> bool:
    text = str(block.key[2]).replace(_FN_TOKEN, "")
    return len(text.strip()) >= MOVE_MIN_CHARS


def _ref_id(atom: _Atom) -> str:
    return atom.item.get(w("id"), "") if atom.item is not None else ""


def _ppr_key(ppr: etree._Element | None) -> bytes:
    if ppr is None:
        return b""
    clone = copy.deepcopy(ppr)
    for child in list(clone):
        if _local(child) in ("rPr", "pPrChange", "sectPr"):
            clone.remove(child)
    return etree.tostring(clone)


def _link_attrib(redliner: _Redliner, link: etree._Element, state: str) -> dict[str, str]:
    attrib = _attrs(link)
    rid_key = f"{{{R_NS}}}id"
    if state == "del" and rid_key in attrib:
        attrib[rid_key] = redliner._adopt_rel(attrib[rid_key])
    return attrib


def _rels(data: bytes | None) -> dict[str, tuple[str, str]]:
    if not data:
        return {}
    root = _parse(data)
    return {r.get("Id", ""): (r.get("Type", ""), r.get("Target", "")) for r in root}


def _footnote_map(root: etree._Element | None) -> dict[str, etree._Element]:
    if root is None:
        return {}
    return {n.get(w("id"), ""): n for n in root.findall(w("footnote")) if n.get(w("type")) is None}


def _style_ids(data: bytes | None) -> set[str]:
    if not data:
        return set()
    return {s.get(w("styleId"), "") for s in _parse(data).iter(w("style"))}


def _max_id(*roots: etree._Element | None) -> int:
    highest = 0
    for root in roots:
        if root is None:
            continue
        for node in root.iter():
            value = node.get(w("id")) if isinstance(node.tag, str) else None
            if value and value.lstrip("-").isdigit():
                highest = max(highest, int(value))
    return highest


def redline(old: bytes, new: bytes, options: RedlineOptions) -> tuple[bytes, RedlineSummary]:
    """Compare two memos written by the docx writer and return the new one with every
    difference as a tracked revision, and a summary of what was marked.

    `old`, `new`: .docx package bytes. The result keeps everything of `new` (styles, headers,
    settings, numbering) and adds only what the old content needs (its deleted notes, list
    definitions and hyperlink targets). Raises `ValueError` when either package has no
    `word/document.xml`."""
    old_parts = _read_package(old)
    new_parts = _read_package(new)
    if DOCUMENT not in old_parts or DOCUMENT not in new_parts:
        raise ValueError("not a Word document: word/document.xml is missing")
    old_doc = _parse(old_parts[DOCUMENT])
    new_doc = _parse(new_parts[DOCUMENT])
    old_notes = _parse(old_parts[FOOTNOTES]) if FOOTNOTES in old_parts else None
    new_notes = _parse(new_parts[FOOTNOTES]) if FOOTNOTES in new_parts else None
    old_numbering = _parse(old_parts[NUMBERING]) if NUMBERING in old_parts else None
    new_numbering = _parse(new_parts[NUMBERING]) if NUMBERING in new_parts else None
    rels_root = _parse(new_parts[DOCUMENT_RELS]) if DOCUMENT_RELS in new_parts else None
    old_rels = _rels(old_parts.get(DOCUMENT_RELS))
    new_rels = _rels(new_parts.get(DOCUMENT_RELS))

    redliner = _Redliner(
        options=options,
        old=_Sources(_footnote_map(old_notes), old_numbering, old_rels),
        new_footnotes=_footnote_map(new_notes),
        footnotes_root=new_notes,
        numbering_root=new_numbering,
        rels_root=rels_root,
        styles=_style_ids(new_parts.get(STYLES)),
        next_id=_max_id(new_doc, new_notes) + 1000,
        old_targets={rid: target for rid, (_, target) in old_rels.items()},
        new_targets={rid: target for rid, (_, target) in new_rels.items()},
    )
    old_body = old_doc.find(w("body"))
    new_body = new_doc.find(w("body"))
    if old_body is None or new_body is None:
        raise ValueError("not a Word document: w:body is missing")
    old_blocks = [c for c in old_body if _local(c) in ("p", "tbl")]
    new_blocks = [c for c in new_body if _local(c) in ("p", "tbl")]
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
            old_part, new_part = _parse(old_parts[name]), _parse(new_parts[name])
            old_furniture = [c for c in old_part if _local(c) in ("p", "tbl")]
            new_furniture = [c for c in new_part if _local(c) in ("p", "tbl")]
            if [_block(c).key for c in old_furniture] == [_block(c).key for c in new_furniture]:
                continue
            others = [c for c in new_part if _local(c) not in ("p", "tbl")]
            merged_part = redliner.blocks(old_furniture, new_furniture)
            for child in list(new_part):
                new_part.remove(child)
            for child in [*others, *merged_part]:
                new_part.append(child)
            new_parts[name] = _serialise(new_part)

    new_parts[DOCUMENT] = _serialise(new_doc)
    if new_notes is not None:
        new_parts[FOOTNOTES] = _serialise(new_notes)
    if new_numbering is not None:
        new_parts[NUMBERING] = _serialise(new_numbering)
    if rels_root is not None:
        new_parts[DOCUMENT_RELS] = _serialise(rels_root)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in new_parts.items():
            zf.writestr(name, payload)
    return repack(out.getvalue(), options.date), redliner.summary


def _attrs(node: etree._Element) -> dict[str, str]:
    """A copy of an element's attributes, in their order."""
    return {str(k): str(v) for k, v in node.attrib.items()}


def revisions(data: bytes) -> Iterator[tuple[str, str]]:
    """(kind, text) of every revision in a .docx package's body and notes, in document order:
    kind is ins, del, moveFrom or moveTo. For messages and tests."""
    parts = _read_package(data)
    for name in (DOCUMENT, FOOTNOTES):
        if name not in parts:
            continue
        for node in _parse(parts[name]).iter(w("ins"), w("del"), w("moveFrom"), w("moveTo")):
            parent = node.getparent()
            if parent is not None and _local(parent) == "rPr":
                continue
            yield _local(node), _text(node)
