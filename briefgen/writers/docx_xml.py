"""Small WordprocessingML builders for the memo writer: elements in schema order, built with
lxml directly (python-docx's proxies look styles up by walking the style sheet on every call,
which is too slow for long memos and cannot express footnotes, fields or bookmarks anyway).
"""

from __future__ import annotations

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


_CLARK: dict[str, str] = {}
_ATTR: dict[str, str] = {}


def qn(tag: str) -> str:
    """`w:p` → Clark notation (memoised: a long memo asks for the same few dozen names
    hundreds of thousands of times)."""
    try:
        return _CLARK[tag]
    except KeyError:
        prefix, local = tag.split(":")
        clark = _CLARK[tag] = f"{{{R_NS if prefix == 'r' else W_NS}}}{local}"
        return clark


def _attr(key: str) -> str:
    """A keyword argument of `el` → the qualified attribute name (`r_id` → `r:id`)."""
    try:
        return _ATTR[key]
    except KeyError:
        name = _ATTR[key] = qn("r:" + key[2:]) if key.startswith("r_") else qn("w:" + key)
        return name


def el(tag: str, parent: etree._Element | None = None, **attrs: str | int) -> etree._Element:
    """A `w:` element with `w:`-qualified attributes (`r_id` → `r:id`), appended to `parent`."""
    attrib = {_attr(k): str(v) for k, v in attrs.items()} if attrs else None
    if parent is None:
        return etree.Element(qn(tag), attrib)
    return etree.SubElement(parent, qn(tag), attrib)


# Child order of w:pPr, w:rPr, w:tcPr and w:tblPr (ECMA-376 Part 1, §17.3.1.26 etc.): Word rejects
# a file whose property elements are out of order.
PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]
RPR_ORDER = [
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
]
TCPR_ORDER = [
    "cnfStyle",
    "tcW",
    "gridSpan",
    "hMerge",
    "vMerge",
    "tcBorders",
    "shd",
    "noWrap",
    "tcMar",
    "textDirection",
    "tcFitText",
    "vAlign",
    "hideMark",
]
TBLPR_ORDER = [
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
]


def set_prop(props: etree._Element, child: etree._Element, order: list[str]) -> etree._Element:
    """Put `child` into the property element `props` at its schema position, replacing any
    element of the same name."""
    local = etree.QName(child).localname
    rank = order.index(local)
    for existing in props:
        name = etree.QName(existing).localname
        if name == local:
            existing.addprevious(child)
            props.remove(existing)
            return child
        if name in order and order.index(name) > rank:
            existing.addprevious(child)
            return child
    props.append(child)
    return child


def ppr(p: etree._Element) -> etree._Element:
    """The paragraph's w:pPr, created as its first child if missing."""
    first = p[0] if len(p) else None
    if first is not None and first.tag == qn("w:pPr"):
        return first
    node = etree.Element(qn("w:pPr"))
    p.insert(0, node)
    return node


def paragraph(style_id: str | None, parent: etree._Element | None = None) -> etree._Element:
    p = el("w:p", parent)
    if style_id:
        el("w:pStyle", el("w:pPr", p), val=style_id)
    return p


def run(
    text: str,
    parent: etree._Element,
    *,
    bold: bool = False,
    italic: bool = False,
    mono: bool = False,
    style_id: str | None = None,
    color: str | None = None,
) -> etree._Element:
    """A w:r holding `text` (tabs become w:tab) with direct formatting in schema order.

    A non-breaking hyphen (U+2011) becomes Word's own `w:noBreakHyphen` (drawn with the hyphen
    of the run's font: Calibri and Carlito have no U+2011 glyph), in a run of its own with the
    same formatting, so that every run still holds text of one kind. Returns the last run."""
    pieces = text.split("\u2011")
    r = _run_with_text(pieces[0], parent, bold, italic, mono, style_id, color)
    for piece in pieces[1:]:
        hyphen = _run_with_text("", parent, bold, italic, mono, style_id, color)
        el("w:noBreakHyphen", hyphen)
        r = _run_with_text(piece, parent, bold, italic, mono, style_id, color) if piece else hyphen
    return r


def _run_with_text(
    text: str,
    parent: etree._Element,
    bold: bool,
    italic: bool,
    mono: bool,
    style_id: str | None,
    color: str | None,
) -> etree._Element:
    r = el("w:r", parent)
    if bold or italic or mono or style_id or color:
        rpr = el("w:rPr", r)
        if style_id:
            el("w:rStyle", rpr, val=style_id)
        if mono:
            el("w:rFonts", rpr, ascii="Courier New", hAnsi="Courier New", cs="Courier New")
        if bold:
            el("w:b", rpr)
            el("w:bCs", rpr)
        if italic:
            el("w:i", rpr)
            el("w:iCs", rpr)
        if color:
            el("w:color", rpr, val=color)
    for k, piece in enumerate(text.split("\t")):
        if k:
            el("w:tab", r)
        if piece:
            t = el("w:t", r)
            t.text = piece
            if piece != piece.strip():
                t.set(XML_SPACE, "preserve")
    return r


def field(
    parent: etree._Element,
    instruction: str,
    cached: str,
    *,
    bold: bool = False,
    style_id: str | None = None,
    color: str | None = None,
) -> None:
    """A complex field (begin / instruction / separate / cached result / end) in a paragraph:
    Word and LibreOffice compute it, and the cached text shows until they do. Every run has the
    formatting given."""

    def part(text: str = "") -> etree._Element:
        return run(text, parent, bold=bold, style_id=style_id, color=color)

    el("w:fldChar", part(), fldCharType="begin")
    instr = el("w:instrText", part())
    instr.text = f" {instruction} "
    instr.set(XML_SPACE, "preserve")
    el("w:fldChar", part(), fldCharType="separate")
    part(cached)
    el("w:fldChar", part(), fldCharType="end")


def required(node: etree._Element | None, what: str) -> etree._Element:
    """`node`, which the package must have; raises ValueError naming `what` when it is missing
    (the writers report that as a reference file they cannot use)."""
    if node is None:
        raise ValueError(f"{what} is missing")
    return node


def remove(node: etree._Element | None) -> None:
    """Take `node` out of its parent (nothing when it is None or has no parent)."""
    parent = node.getparent() if node is not None else None
    if node is not None and parent is not None:
        parent.remove(node)


def drop_attribute(node: etree._Element, name: str) -> None:
    """Remove the attribute `name` (Clark notation) when present."""
    if name in node.attrib:
        del node.attrib[name]


def shading(fill: str) -> etree._Element:
    return el("w:shd", val="clear", color="auto", fill=fill)
