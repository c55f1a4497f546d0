"""Scripts and writing direction on slides: the pass that makes right-to-left and East Asian text
right in DrawingML, run over each slide's (and notes page's) finished XML. lxml only.

DrawingML sets direction per paragraph (`a:pPr/@rtl`, ECMA-376 Part 1, §21.1.2.2.7), per table
(`a:tblPr/@rtl`, §21.1.3.13), and picks a run's font by character class from `a:latin`, `a:ea`
(East Asian) and `a:cs` (complex script) (§21.1.2.3.1, .3, .9). What this pass does:

- In a right-to-left deck every paragraph is `rtl="1"` and aligned right (left and right
  alignment swap; centred stays centred), every table `rtl="1"` (first column on the right),
  and the slide is mirrored: each shape's horizontal position is reflected about the slide's
  centre, so two-column slides read right column first, the timeline runs from the right, the
  slide number sits on the left.
- In a left-to-right deck a paragraph whose first strong character is right-to-left is
  `rtl="1"` and aligned right.
- In a left-to-right paragraph, a run is split where its text changes direction and the
  right-to-left pieces are marked `a:rtl` (§21.1.2.3.12), so an Arabic name in brackets inside
  an English sentence keeps its brackets on the English side (Unicode bidi rules N1/N2).
- A run holding Arabic or Hebrew gets that script's font as `a:cs`, one holding Han, kana or
  hangul an East Asian font as `a:ea`, each with the run's language tag (`lang`) when the
  deck's language is another.
"""

from __future__ import annotations

import copy

from lxml import etree

from briefgen.languages import (
    SCRIPT_FONTS,
    Language,
    direction_classes,
    first_strong_rtl,
    has_rtl,
    scripts_in,
)

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
_A = f"{{{A}}}"
_P = f"{{{P}}}"
# a:rPr children after the font elements (CT_TextCharacterProperties sequence).
_RPR_AFTER_CS = {f"{_A}sym", f"{_A}hlinkClick", f"{_A}hlinkMouseOver", f"{_A}rtl", f"{_A}extLst"}
_RPR_AFTER_EA = {f"{_A}cs"} | _RPR_AFTER_CS
_SWAP_ALIGN = {"l": "r", "r": "l"}
_SCRIPT_TAGS = {"Arab": "ar-SA", "Hebr": "he-IL", "Hani": "zh-CN", "Jpan": "ja-JP", "Kore": "ko-KR"}
_EAST_ASIAN_FONT = {"Hani": "Hans", "Jpan": "Jpan", "Kore": "Kore"}


def apply_slide_scripts(root: etree._Element, language: Language, slide_width: int = 0) -> None:
    """Direction, fonts and language tags for one slide or notes page; with `slide_width` (EMU)
    and a right-to-left `language`, the slide's shapes are mirrored too."""
    for p in root.iter(f"{_A}p"):
        if not _paragraph(p, language):
            for r in p.findall(f"{_A}r"):
                _split(r)
    for r in root.iter(f"{_A}r"):
        _run(r, language)
    if not language.rtl:
        return
    for pr in root.iter(f"{_A}tblPr"):
        pr.set("rtl", "1")
    if slide_width:
        _mirror(root, slide_width)


def _paragraph(p: etree._Element, language: Language) -> bool:
    """Direction of one paragraph; True when it is right to left."""
    text = "".join(t.text or "" for t in p.iter(f"{_A}t"))
    rtl = language.rtl
    if not rtl:
        rtl = has_rtl(text) and bool(first_strong_rtl(text))
    if not rtl:
        return False
    pr = p.find(f"{_A}pPr")
    if pr is None:
        pr = etree.Element(f"{_A}pPr")
        p.insert(0, pr)
    pr.set("rtl", "1")
    align = pr.get("algn", "l")
    pr.set("algn", _SWAP_ALIGN.get(align, align) if language.rtl else ("r" if align == "l" else align))
    return True


def _split(r: etree._Element) -> None:
    """Split a run of a left-to-right paragraph where its direction changes; mark the
    right-to-left pieces `a:rtl`."""
    t = r.find(f"{_A}t")
    parent = r.getparent()
    text = t.text if t is not None else None
    if not text or not has_rtl(text) or parent is None:
        return
    classes = direction_classes(text, "L")
    pieces: list[tuple[str, str]] = []
    for ch, cls in zip(text, classes, strict=True):
        if pieces and pieces[-1][1] == cls:
            pieces[-1] = (pieces[-1][0] + ch, cls)
        else:
            pieces.append((ch, cls))
    for piece, cls in pieces:
        new = copy.deepcopy(r)
        new_t = new.find(f"{_A}t")
        assert new_t is not None  # a copy of r, which has one
        new_t.text = piece
        if cls == "R":
            rpr = new.find(f"{_A}rPr")
            if rpr is None:
                rpr = etree.Element(f"{_A}rPr")
                new.insert(0, rpr)
            node = etree.Element(f"{_A}rtl")
            node.set("val", "1")
            for child in rpr:
                if child.tag == f"{_A}extLst":
                    child.addprevious(node)
                    break
            else:
                rpr.append(node)
        r.addprevious(new)
    parent.remove(r)


def _run(r: etree._Element, language: Language) -> None:
    text = "".join(t.text or "" for t in r.iter(f"{_A}t"))
    scripts = scripts_in(text)
    complex_ = next((s for s in ("Arab", "Hebr") if s in scripts), None)
    east = next((s for s in ("Jpan", "Kore", "Hani") if s in scripts), None)
    if not complex_ and not east:
        return
    rpr = r.find(f"{_A}rPr")
    if rpr is None:
        rpr = etree.Element(f"{_A}rPr")
        r.insert(0, rpr)
    if east:
        script = _EAST_ASIAN_FONT[east]
        if east == "Hani" and language.east_asian:
            script = language.script
        _font(rpr, "ea", SCRIPT_FONTS[script], _RPR_AFTER_EA)
        if not language.east_asian:
            rpr.set("lang", _SCRIPT_TAGS[east])
    if complex_:
        _font(rpr, "cs", SCRIPT_FONTS[complex_], _RPR_AFTER_CS)
        if language.script != complex_ and not east:
            rpr.set("lang", _SCRIPT_TAGS[complex_])


def _font(rpr: etree._Element, slot: str, typeface: str, after: set[str]) -> None:
    node = rpr.find(f"{_A}{slot}")
    if node is None:
        node = etree.Element(f"{_A}{slot}")
        for child in rpr:
            if child.tag in after:
                child.addprevious(node)
                break
        else:
            rpr.append(node)
    node.set("typeface", typeface)


def _mirror(root: etree._Element, width: int) -> None:
    """Reflect every shape's horizontal position about the slide's centre (x → W − x − cx).
    Group shapes keep their child space equal to their own (as the writer builds them), so
    their children are reflected in slide coordinates too."""
    tree = root.find(f"{_P}cSld/{_P}spTree")
    if tree is None:
        return
    for xfrm in tree.iter(f"{_A}xfrm", f"{_P}xfrm"):
        owner = xfrm.getparent()
        if owner is None or (owner.getparent() is tree and owner.tag == f"{_P}grpSpPr"):
            continue  # the shape tree's own transform
        off, ext = xfrm.find(f"{_A}off"), xfrm.find(f"{_A}ext")
        if off is None or ext is None:
            continue
        x, cx = int(off.get("x", "0")), int(ext.get("cx", "0"))
        new_x = width - x - cx
        off.set("x", str(new_x))
        ch_off = xfrm.find(f"{_A}chOff")
        if ch_off is not None and ch_off.get("x") == str(x):
            ch_off.set("x", str(new_x))
