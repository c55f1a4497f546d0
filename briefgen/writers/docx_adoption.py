"""The old memo's content made to fit the new package, for the redline's deleted and moved text.

The redline (`briefgen.writers.docx_redline`) writes into the new memo's package, so old
content it keeps (deleted paragraphs, table rows, run properties, a paragraph's former
properties) may name what only the old package has. `Adoption.adopt` copies it so that it
names only what exists: its lists' definitions copied into the new numbering under new ids
(without their `w:nsid`, which would join them to the new lists), styles the new memo lacks
dropped, hyperlink targets added to the new relationships, bookmarks removed. lxml only.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from lxml import etree

from briefgen.writers.docx_compare import HYPERLINK_TYPE, PKG_REL_NS, R_NS, local, w
from briefgen.writers.docx_xml import remove


@dataclass
class Sources:
    """What the old memo's content needs in the new package: its footnotes, numbering and
    hyperlink targets."""

    footnotes: dict[str, etree._Element]
    numbering: etree._Element | None
    rels: dict[str, tuple[str, str]]  # rId → (type, target)


@dataclass
class Adoption:
    """Adopts old content into the new package: `old` is what the old memo's content needs,
    `numbering_root` and `rels_root` the new package's numbering and document relationships
    (None when it has none: lists and links then keep their ids), `styles` the new memo's style
    ids. Each old list and relationship is copied once; later uses get the same new id."""

    old: Sources
    numbering_root: etree._Element | None
    rels_root: etree._Element | None
    styles: set[str]
    _num_map: dict[str, str] = field(default_factory=dict)
    _rel_map: dict[str, str] = field(default_factory=dict)

    def adopt(self, node: etree._Element) -> etree._Element:
        """A copy of old content that refers only to what exists in the new package: its
        numbering copied in under new ids, its styles dropped where the new memo lacks them,
        its hyperlink targets added, its bookmarks removed (their names belong to the new memo)."""
        node = copy.deepcopy(node)
        for marker in [e for e in node.iter() if local(e) in ("bookmarkStart", "bookmarkEnd")]:
            remove(marker)
        for num in node.iter(w("numId")):
            num.set(w("val"), self.numbering(num.get(w("val"), "0")))
        for tag in ("pStyle", "rStyle", "tblStyle"):
            for style in list(node.iter(w(tag))):
                if style.get(w("val")) not in self.styles:
                    remove(style)
        for link in node.iter(w("hyperlink")):
            rid = link.get(f"{{{R_NS}}}id")
            if rid:
                link.set(f"{{{R_NS}}}id", self.rel(rid))
        return node

    def numbering(self, num_id: str) -> str:
        """The new id of the old memo's list `num_id`, its definition copied in on first use."""
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
        new_ref = new_num.find(w("abstractNumId"))
        if old_abstract is not None and new_ref is not None:
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
            new_ref.set(w("val"), new_abstract_id)
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

    def rel(self, rid: str) -> str:
        """The new id of the old memo's relationship `rid`, its target added on first use."""
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
