"""Reading two Word documents for the redline: blocks, words and their alignment.

The comparison half of `briefgen.writers.docx_redline` (which see for what the redline is and
why it compares this way): a block (paragraph or table) is read as its style and text, with
footnote references as one token whatever their number and a table as its rows of cell texts;
blocks are aligned with difflib's SequenceMatcher and differing runs of blocks paired by
similarity; a paragraph is cut into atoms (words, spaces, punctuation, run items, markers)
that carry their run properties and hyperlink, and compared again. Pure functions over lxml
elements; nothing here writes a revision.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

DOCUMENT = "word/document.xml"
FOOTNOTES = "word/footnotes.xml"
NUMBERING = "word/numbering.xml"
STYLES = "word/styles.xml"
DOCUMENT_RELS = "word/read_rels/document.xml.rels"

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

FN_TOKEN = "\x00fn\x00"
WORD = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def w(tag: str) -> str:
    """`p` → `{w-namespace}p`."""
    return f"{{{W_NS}}}{tag}"


def local(node: etree._Element) -> str:
    tag = node.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def attrs(node: etree._Element) -> dict[str, str]:
    """A copy of an element's attributes, in their order."""
    return {str(k): str(v) for k, v in node.attrib.items()}


# --- the package ----------------------------------------------------------------------------


def read_package(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def parse_xml(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(data, parser)


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- reading blocks -------------------------------------------------------------------------


def block_text(node: etree._Element) -> str:
    """The text of a block as the comparison sees it: footnote references as one token each
    (whatever their number), tabs and breaks as whitespace."""
    parts: list[str] = []
    for child in node.iter():
        name = local(child)
        if name in ("t", "delText", "instrText"):
            parts.append(child.text or "")
        elif name == "tab":
            parts.append("\t")
        elif name in ("br", "cr"):
            parts.append("\n")
        elif name == "footnoteReference":
            parts.append(FN_TOKEN)
    return "".join(parts)


def _row_text(tr: etree._Element) -> tuple[str, ...]:
    """A table row as the comparison sees it: one text per cell, so that a value moving from
    one cell to another (a heat-map entry) is a change even though the row reads the same."""
    return tuple(
        "\n".join(block_text(part) for part in tc if local(part) in ("p", "tbl"))
        for tc in tr.findall(w("tc"))
    )


def _paragraph_style(p: etree._Element) -> str:
    style = p.find(f"{w('pPr')}/{w('pStyle')}")
    return style.get(w("val"), "") if style is not None else ""


def _grid_width(tbl: etree._Element) -> int:
    return len(tbl.findall(f"{w('tblGrid')}/{w('gridCol')}"))


@dataclass(frozen=True)
class Block:
    node: etree._Element
    kind: str  # "p" | "tbl" | "other"
    key: tuple[object, ...]
    words: tuple[str, ...]


def read_block(node: etree._Element) -> Block:
    name = local(node)
    if name == "p":
        text = block_text(node)
        return Block(node, "p", ("p", _paragraph_style(node), text), tuple(WORD.findall(text)))
    if name == "tbl":
        rows = tuple(_row_text(tr) for tr in node.findall(w("tr")))
        words = tuple(word for row in rows for cell in row for word in WORD.findall(cell))
        return Block(node, "tbl", ("tbl", _grid_width(node), rows), words)
    return Block(node, "other", ("other", etree.tostring(node)), ())


def similarity(a: Block, b: Block) -> float:
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
Step = tuple[str, int | None, int | None]


def align(old: Sequence[Block], new: Sequence[Block]) -> list[Step]:
    """Align two block sequences: equal blocks by key, then differing regions paired by
    similarity. Deletions come before insertions within a region, as Word shows them."""
    steps: list[Step] = []
    matcher = SequenceMatcher(None, [b.key for b in old], [b.key for b in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            steps.extend(("equal", i1 + k, j1 + k) for k in range(i2 - i1))
        else:
            steps.extend(_pair_region(old, new, i1, i2, j1, j2))
    return steps


def _pair_region(
    old: Sequence[Block], new: Sequence[Block], i1: int, i2: int, j1: int, j2: int
) -> list[Step]:
    """Pair the blocks of a differing region, best pair first, recursing left and right of it
    (difflib.Differ's fancy replace, with blocks for lines)."""
    if i1 >= i2 or j1 >= j2:
        return [("delete", i, None) for i in range(i1, i2)] + [("insert", None, j) for j in range(j1, j2)]
    if (i2 - i1) * (j2 - j1) > PAIR_SEARCH_LIMIT:
        return _pair_in_order(old, new, i1, i2, j1, j2)
    best, best_i, best_j = PAIR_RATIO - 1e-9, -1, -1
    for j in range(j1, j2):
        for i in range(i1, i2):
            ratio = similarity(old[i], new[j])
            if ratio > best:
                best, best_i, best_j = ratio, i, j
    if best_i < 0:
        return [("delete", i, None) for i in range(i1, i2)] + [("insert", None, j) for j in range(j1, j2)]
    return [
        *_pair_region(old, new, i1, best_i, j1, best_j),
        ("change", best_i, best_j),
        *_pair_region(old, new, best_i + 1, i2, best_j + 1, j2),
    ]


def _pair_in_order(
    old: Sequence[Block], new: Sequence[Block], i1: int, i2: int, j1: int, j2: int
) -> list[Step]:
    steps: list[Step] = []
    i, j = i1, j1
    while i < i2 and j < j2:
        if similarity(old[i], new[j]) >= PAIR_RATIO:
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
class Atom:
    """One comparable piece of a paragraph: a word or space (`text`), another run item such as
    a tab, break, field character or footnote reference (`item`), or a zero-width marker such
    as a bookmark (`marker`). `rpr` and `link` are the run properties and hyperlink it sits in."""

    kind: str  # "text" | "item" | "marker"
    text: str = ""
    item: etree._Element | None = None
    rpr: etree._Element | None = None
    link: etree._Element | None = None
    signature: tuple[object, ...] = ()


ITEM_SIGNATURES = {"footnoteReference": ("fn",), "footnoteRef": ("fnref",)}


def rpr_key(rpr: etree._Element | None) -> bytes:
    return etree.tostring(rpr) if rpr is not None else b""


def _link_key(link: etree._Element | None, targets: dict[str, str]) -> tuple[object, ...]:
    if link is None:
        return ()
    rid = link.get(f"{{{R_NS}}}id")
    return ("link", link.get(w("anchor")), targets.get(rid or "", ""))


def read_atoms(p: etree._Element, targets: dict[str, str]) -> list[Atom]:
    atoms: list[Atom] = []

    def run(r: etree._Element, link: etree._Element | None) -> None:
        rpr = r.find(w("rPr"))
        base = (_link_key(link, targets), rpr_key(rpr))
        for child in r:
            name = local(child)
            if name == "rPr":
                continue
            if name in ("t", "delText"):
                for word in WORD.findall(child.text or ""):
                    atoms.append(Atom("text", word, None, rpr, link, (*base, "t", word)))
            else:
                signature = ITEM_SIGNATURES.get(name) or (
                    name, child.text or "", tuple(sorted(child.attrib.items()))
                )
                atoms.append(Atom("item", "", child, rpr, link, (*base, "item", *signature)))

    def walk(parent: etree._Element, link: etree._Element | None) -> None:
        for child in parent:
            name = local(child)
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
                atoms.append(Atom("marker", "", child, None, link, ("marker", name)))

    walk(p, None)
    return atoms


# Opcodes as difflib gives them: (tag, i1, i2, j1, j2).
Opcode = tuple[str, int, int, int, int]


def word_opcodes(old: Sequence[Atom], new: Sequence[Atom]) -> list[Opcode]:
    """Word-level opcodes with short unchanged stretches between two changes folded into them."""
    old_sig = [a.signature for a in old if a.kind != "marker"]
    new_sig = [a.signature for a in new if a.kind != "marker"]
    ops = SequenceMatcher(None, old_sig, new_sig, autojunk=False).get_opcodes()
    old_text = [a for a in old if a.kind != "marker"]
    merged: list[Opcode] = []
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


def _is_filler(atoms: Sequence[Atom]) -> bool:
    """A stretch too short to stand alone between two changes: spaces and punctuation, or one
    word of up to three letters with its spaces."""
    words = [a.text for a in atoms if a.kind == "text" and a.text.strip()]
    if any(a.kind == "item" for a in atoms):
        return False
    return not words or (len(words) == 1 and len(words[0]) <= 3)


def read_row(tr: etree._Element) -> Block:
    cells = _row_text(tr)
    return Block(tr, "row", ("row", cells), tuple(word for cell in cells for word in WORD.findall(cell)))


def align_rows(old: Sequence[Block], new: Sequence[Block]) -> list[Step]:
    """Rows align like blocks: a row pairs with one of as many cells that has the same label
    (first cell) or shares half its words."""
    return align(old, new)


def blocks_of(nodes: list[etree._Element]) -> list[Block]:
    return [read_block(n) for n in nodes]


def movable(block: Block) -> bool:
    text = str(block.key[2]).replace(FN_TOKEN, "")
    return len(text.strip()) >= MOVE_MIN_CHARS


def ref_id(atom: Atom) -> str:
    return atom.item.get(w("id"), "") if atom.item is not None else ""


def ppr_key(ppr: etree._Element | None) -> bytes:
    if ppr is None:
        return b""
    clone = copy.deepcopy(ppr)
    for child in list(clone):
        if local(child) in ("rPr", "pPrChange", "sectPr"):
            clone.remove(child)
    return etree.tostring(clone)


def read_rels(data: bytes | None) -> dict[str, tuple[str, str]]:
    if not data:
        return {}
    root = parse_xml(data)
    return {r.get("Id", ""): (r.get("Type", ""), r.get("Target", "")) for r in root}


def footnote_map(root: etree._Element | None) -> dict[str, etree._Element]:
    if root is None:
        return {}
    return {n.get(w("id"), ""): n for n in root.findall(w("footnote")) if n.get(w("type")) is None}


def style_ids(data: bytes | None) -> set[str]:
    if not data:
        return set()
    return {s.get(w("styleId"), "") for s in parse_xml(data).iter(w("style"))}


def max_id(*roots: etree._Element | None) -> int:
    highest = 0
    for root in roots:
        if root is None:
            continue
        for node in root.iter():
            value = node.get(w("id")) if isinstance(node.tag, str) else None
            if value and value.lstrip("-").isdigit():
                highest = max(highest, int(value))
    return highest
