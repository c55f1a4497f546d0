"""Scripts and writing direction in the memo: the pass that makes right-to-left and East Asian
text right in WordprocessingML, run over the finished parts.

Word decides little from the characters themselves: a paragraph is right-to-left only with
`w:bidi`, a run only with `w:rtl`; complex-script text takes its bold, italic and size from
`w:bCs`, `w:iCs` and `w:szCs` and its font from `w:rFonts/@w:cs`; East Asian text its font from
`@w:eastAsia`; and the three language tags of `w:lang` (Latin, East Asian, complex script) are
separate (ECMA-376 Part 1, §17.3.1.6 bidi, §17.3.2.30 rtl, §17.3.2.7 cs, §17.3.2.20 lang).
Where these are missing LibreOffice and Word draw Arabic left to right, bullet on the left, full
stop at the wrong end, and bold lost (pandoc's tracker has carried these bugs for years).

What this pass does:

- In a right-to-left document (Arabic, Hebrew, Persian, Urdu) every paragraph gets `w:bidi`,
  every table `w:bidiVisual` (first column on the right), the section `w:bidi` (page numbering
  and columns right to left). Alignment needs nothing: a bidi paragraph starts at the right.
- In a left-to-right document a paragraph whose first strong character is right-to-left gets
  `w:bidi` (Unicode's rule P2: a Hebrew point in an English brief reads right to left).
- Each run is split where its text changes direction; the right-to-left pieces get `w:rtl`, so
  mixed text keeps its order (an Arabic name in brackets inside an English sentence: the
  brackets stay with the English, as the Unicode bidi algorithm resolves neutrals, rules N1/N2).
- Runs in a script the document's own font lacks get that script's font (`briefgen.languages.
  SCRIPT_FONTS`) and, for East Asian text, its language tag.
- Styles: complex-script bold, italic and size follow the Latin ones (`w:bCs`, `w:iCs`,
  `w:szCs`) wherever the document holds right-to-left text.
"""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Iterable

from lxml import etree

from briefgen.languages import (
    SCRIPT_FONTS,
    Language,
    direction_classes,
    has_rtl,
    language_of,
    scripts_in,
)
from briefgen.writers.docx_xml import (
    PPR_ORDER,
    RPR_ORDER,
    TBLPR_ORDER,
    XML_SPACE,
    drop_attribute,
    el,
    qn,
    remove,
    required,
    set_prop,
)

# sectPr children after w:bidi (ECMA-376 Part 1, §17.6.17, CT_SectPr sequence).
_SECT_AFTER_BIDI = {qn("w:rtlGutter"), qn("w:docGrid"), qn("w:printerSettings"), qn("w:sectPrChange")}
_EAST_ASIAN = {"Hani", "Jpan", "Kore"}
_EAST_ASIAN_FONT = {"Hani": "Hans", "Jpan": "Jpan", "Kore": "Kore"}
_EAST_ASIAN_TAG = {"Jpan": "ja-JP", "Kore": "ko-KR"}


def apply_scripts(
    language: Language,
    *,
    bodies: Iterable[etree._Element],
    styles: etree._Element | None,
    settings: etree._Element | None,
    section: etree._Element | None,
    numbering: etree._Element | None = None,
) -> None:
    """Direction, complex-script formatting, fonts and language tags for a finished memo.

    `bodies` are the roots holding paragraphs (document body, headers, footers, footnotes);
    `section` is the body's final w:sectPr. In a right-to-left document the paragraph styles
    and the list levels of `numbering` become right-to-left too: LibreOffice places a list's
    bullet by its level's direction, not the paragraph's.
    """
    roots = list(bodies)
    any_rtl = language.rtl or any(_holds_rtl(root) for root in roots)
    lists = _RightToLeftLists(styles, numbering) if not language.rtl and any_rtl else None
    for root in roots:
        for p in list(root.iter(qn("w:p"))):
            if _paragraph(p, language) and lists is not None:
                lists.mirror(p)
        if language.rtl:
            for tbl in root.iter(qn("w:tbl")):
                found = tbl.find(qn("w:tblPr"))
                pr = found if found is not None else el("w:tblPr")
                if found is None:
                    tbl.insert(0, pr)
                set_prop(pr, el("w:bidiVisual"), TBLPR_ORDER)
    if language.rtl and section is not None:
        _section_bidi(section)
    if language.rtl:
        for sheet in (styles, numbering):
            if sheet is None:
                continue
            for pr in sheet.iter(qn("w:pPr")):
                set_prop(pr, el("w:bidi"), PPR_ORDER)
        if styles is not None:
            _default_paragraph_bidi(styles)
    if styles is not None:
        set_style_languages(styles, language, complex_script=any_rtl)
    if settings is not None:
        _theme_font_lang(settings, language)


def _holds_rtl(root: etree._Element) -> bool:
    return any(t.text and has_rtl(t.text) for t in root.iter(qn("w:t")))


# -- paragraphs and runs -----------------------------------------------------------------------


def _paragraph(p: etree._Element, language: Language) -> bool:
    """Direction of one paragraph and its runs; True when the paragraph is right to left."""
    text = "".join(t.text or "" for t in p.iter(qn("w:t")))
    rtl = language.rtl
    if not rtl and has_rtl(text):
        rtl = _first_strong(text) == "R"
    if rtl:
        pr = p.find(qn("w:pPr"))
        if pr is None:
            pr = el("w:pPr")
            p.insert(0, pr)
        set_prop(pr, el("w:bidi"), PPR_ORDER)
    if text:
        for r in list(p.iter(qn("w:r"))):
            _run(r, "R" if rtl else "L", language)
    return rtl


class _RightToLeftLists:
    """Right-to-left twins of list definitions, for right-to-left list items in a left-to-right
    document: LibreOffice puts a list's bullet where its level's direction says, so a Hebrew
    point in an English brief needs a level that is itself right to left (`w:bidi` in the
    level's paragraph properties), or its bullet stays on the left."""

    def __init__(self, styles: etree._Element | None, numbering: etree._Element | None) -> None:
        self.numbering = numbering
        self.style_nums: dict[str, str] = {}
        if styles is not None:
            for style in styles.iter(qn("w:style")):
                num = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
                if num is not None:
                    self.style_nums[style.get(qn("w:styleId"), "")] = num.get(qn("w:val"), "")
        self.twins: dict[str, str] = {}

    def mirror(self, p: etree._Element) -> None:
        if self.numbering is None:
            return
        pr = p.find(qn("w:pPr"))
        if pr is None:
            return
        num_pr = pr.find(qn("w:numPr"))
        num_id = None if num_pr is None else num_pr.find(qn("w:numId"))
        ilvl = None if num_pr is None else num_pr.find(qn("w:ilvl"))
        if num_id is not None:
            original = num_id.get(qn("w:val"), "")
        else:
            style = pr.find(qn("w:pStyle"))
            original = self.style_nums.get("" if style is None else style.get(qn("w:val"), ""), "")
        if not original or original == "0":
            return
        twin = self._twin(original)
        if twin is None:
            return
        level = "0" if ilvl is None else ilvl.get(qn("w:val"), "0")
        fresh = el("w:numPr")
        el("w:ilvl", fresh, val=level)
        el("w:numId", fresh, val=twin)
        set_prop(pr, fresh, PPR_ORDER)

    def _twin(self, num_id: str) -> str | None:
        if num_id in self.twins:
            return self.twins[num_id]
        root = self.numbering
        assert root is not None
        num = root.find(f"{qn('w:num')}[@{qn('w:numId')}='{num_id}']")
        abstract_ref = None if num is None else num.find(qn("w:abstractNumId"))
        abstract = None
        if abstract_ref is not None:
            abstract_id = abstract_ref.get(qn("w:val"), "")
            abstract = root.find(f"{qn('w:abstractNum')}[@{qn('w:abstractNumId')}='{abstract_id}']")
        if abstract is None:
            return None
        used_abs = [int(a.get(qn("w:abstractNumId"), "0")) for a in root.iter(qn("w:abstractNum"))]
        used_num = [int(n.get(qn("w:numId"), "0")) for n in root.iter(qn("w:num"))]
        copy_ = copy.deepcopy(abstract)
        new_abs = str(max(used_abs, default=-1) + 1)
        copy_.set(qn("w:abstractNumId"), new_abs)
        for tag in ("w:nsid", "w:numStyleLink", "w:styleLink"):
            node = copy_.find(qn(tag))
            if node is not None:
                copy_.remove(node)
        for lvl in copy_.findall(qn("w:lvl")):
            link = lvl.find(qn("w:pStyle"))
            if link is not None:
                # A level linked to the list style would hand the paragraph back to the
                # left-to-right original.
                lvl.remove(link)
            lvl_pr = lvl.find(qn("w:pPr"))
            if lvl_pr is None:
                lvl_pr = el("w:pPr")
                rpr = lvl.find(qn("w:rPr"))
                if rpr is not None:
                    rpr.addprevious(lvl_pr)
                else:
                    lvl.append(lvl_pr)
            set_prop(lvl_pr, el("w:bidi"), PPR_ORDER)
        last_abstract = root.findall(qn("w:abstractNum"))[-1]
        last_abstract.addnext(copy_)
        new_num = str(max(used_num, default=0) + 1)
        fresh = el("w:num", numId=new_num)
        el("w:abstractNumId", fresh, val=new_abs)
        cleanup = root.find(qn("w:numIdMacAtCleanup"))
        if cleanup is not None:
            cleanup.addprevious(fresh)
        else:
            root.append(fresh)
        self.twins[num_id] = new_num
        return new_num


def _first_strong(text: str) -> str | None:
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "R"
        if kind == "L":
            return "L"
    return None


def _run(r: etree._Element, base: str, language: Language) -> None:
    """Split `r` where its text changes direction and format each piece. Non-text content
    (tabs, breaks, Word's non-breaking hyphen) is neutral and travels with its neighbours."""
    content = [c for c in r if c.tag != qn("w:rPr")]
    if not any(c.tag == qn("w:t") for c in content):
        return
    if base == "L":
        text = "".join(t.text or "" for t in content if t.tag == qn("w:t"))
        if not has_rtl(text):
            # All of it left to right (`direction_classes`): one piece, the run kept whole.
            _format(r, text, "L", language)
            return
    if any(c.tag not in _SPLITTABLE for c in content):
        # Fields, footnote references, drawings: keep the run whole.
        text = "".join(t.text or "" for t in content if t.tag == qn("w:t"))
        classes = direction_classes(text, base)
        cls = "R" if "R" in classes and (base == "R" or classes.count("R") * 2 >= len(classes)) else "L"
        _format(r, text, cls, language)
        return
    atoms: list[tuple[str, etree._Element | None]] = []  # (character, element for non-text)
    for child in content:
        if child.tag == qn("w:t"):
            atoms.extend((ch, None) for ch in child.text or "")
        else:
            atoms.append(("\u2011" if child.tag == qn("w:noBreakHyphen") else " ", child))
    if not atoms:
        return
    classes = direction_classes("".join(ch for ch, _ in atoms), base)
    groups: list[tuple[str, list[tuple[str, etree._Element | None]]]] = []
    for atom, cls in zip(atoms, classes, strict=True):
        if groups and groups[-1][0] == cls:
            groups[-1][1].append(atom)
        else:
            groups.append((cls, [atom]))
    if len(groups) == 1:
        text = "".join(ch for ch, node in atoms if node is None)
        _format(r, text, groups[0][0], language)
        return
    rpr = r.find(qn("w:rPr"))
    for cls, group in groups:
        new = el("w:r")
        if rpr is not None:
            new.append(copy.deepcopy(rpr))
        pending = ""
        for ch, node in group:
            if node is None:
                pending += ch
                continue
            _text(new, pending)
            pending = ""
            new.append(copy.deepcopy(node))
        _text(new, pending)
        r.addprevious(new)
        _format(new, "".join(ch for ch, node in group if node is None), cls, language)
    remove(r)


_SPLITTABLE = {qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:noBreakHyphen"), qn("w:softHyphen")}


def _text(r: etree._Element, text: str) -> None:
    if not text:
        return
    t = el("w:t", r)
    t.text = text
    if text != text.strip():
        t.set(XML_SPACE, "preserve")


def _format(r: etree._Element, text: str, cls: str, language: Language) -> None:
    scripts = scripts_in(text)
    needs_rtl = cls == "R" and (language.rtl or bool(scripts & {"Arab", "Hebr"}))
    east = scripts & _EAST_ASIAN
    foreign_cs = next((s for s in ("Arab", "Hebr") if s in scripts and s != language.script), None)
    if not (needs_rtl or east or foreign_cs):
        return
    rpr = r.find(qn("w:rPr"))
    if rpr is None:
        rpr = el("w:rPr")
        r.insert(0, rpr)
    if needs_rtl:
        set_prop(rpr, el("w:rtl"), RPR_ORDER)
        if language.rtl:
            set_prop(rpr, el("w:cs"), RPR_ORDER)  # digits and marks take the complex-script font
    if foreign_cs:
        _font(rpr, cs=SCRIPT_FONTS[foreign_cs])
    if east:
        script = "Jpan" if "Jpan" in east else "Kore" if "Kore" in east else "Hani"
        font_script = _EAST_ASIAN_FONT[script]
        if script == "Hani" and language.east_asian:
            font_script = language.script
        if not language.east_asian or font_script != language.script:
            _font(rpr, east_asia=SCRIPT_FONTS[font_script])
            tag = _EAST_ASIAN_TAG.get(script, "zh-CN" if font_script == "Hans" else "zh-TW")
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = set_prop(rpr, el("w:lang"), RPR_ORDER)
            lang.set(qn("w:eastAsia"), tag)


def _font(rpr: etree._Element, *, cs: str | None = None, east_asia: str | None = None) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = set_prop(rpr, el("w:rFonts"), RPR_ORDER)
    if cs:
        drop_attribute(fonts, qn("w:cstheme"))
        fonts.set(qn("w:cs"), cs)
    if east_asia:
        drop_attribute(fonts, qn("w:eastAsiaTheme"))
        fonts.set(qn("w:eastAsia"), east_asia)


def _default_paragraph_bidi(styles: etree._Element) -> None:
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = el("w:docDefaults")
        styles.insert(0, defaults)
    ppr_default = defaults.find(qn("w:pPrDefault"))
    if ppr_default is None:
        ppr_default = el("w:pPrDefault", defaults)
    pr = ppr_default.find(qn("w:pPr"))
    if pr is None:
        pr = el("w:pPr", ppr_default)
    set_prop(pr, el("w:bidi"), PPR_ORDER)


def _section_bidi(section: etree._Element) -> None:
    if section.find(qn("w:bidi")) is not None:
        return
    node = el("w:bidi")
    for child in section:
        if child.tag in _SECT_AFTER_BIDI:
            child.addprevious(node)
            return
    section.append(node)


# -- styles and settings -----------------------------------------------------------------------


def set_style_languages(styles: etree._Element, language: Language, *, complex_script: bool = False) -> None:
    """The document defaults and styles in `language`: Word's three language tags, the fonts of
    its script (East Asian or complex), and with `complex_script` the complex-script twins of
    bold, italic and size wherever a style sets the Latin ones."""
    val, east_asia, bidi = language.word_tags()
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = el("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = el("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = el("w:rPr", rpr_default)
    if rpr.find(qn("w:lang")) is None:
        set_prop(rpr, el("w:lang"), RPR_ORDER)
    for lang in styles.iter(qn("w:lang")):
        if lang.get(qn("w:val")) is not None or lang.getparent() is rpr:
            lang.set(qn("w:val"), val)
        if east_asia:
            lang.set(qn("w:eastAsia"), east_asia)
        if bidi:
            lang.set(qn("w:bidi"), bidi)
    font = language.script_font
    if font:
        if rpr.find(qn("w:rFonts")) is None:
            set_prop(rpr, el("w:rFonts"), RPR_ORDER)
        for fonts in styles.iter(qn("w:rFonts")):
            if language.east_asian and (fonts.get(qn("w:eastAsia")) or fonts.get(qn("w:eastAsiaTheme"))
                                        or fonts.getparent() is rpr):
                _font(required(fonts.getparent(), "w:rPr"), east_asia=font)
            if language.rtl and (fonts.get(qn("w:cs")) or fonts.get(qn("w:cstheme"))
                                 or fonts.getparent() is rpr):
                _font(required(fonts.getparent(), "w:rPr"), cs=font)
    if complex_script or language.rtl:
        for props in styles.iter(qn("w:rPr")):
            for latin, twin in (("w:b", "w:bCs"), ("w:i", "w:iCs"), ("w:sz", "w:szCs")):
                node = props.find(qn(latin))
                if node is not None and props.find(qn(twin)) is None:
                    copy_ = el(twin)
                    for key, value in node.attrib.items():
                        copy_.set(key, value)
                    set_prop(props, copy_, RPR_ORDER)


def _theme_font_lang(settings: etree._Element, language: Language) -> None:
    node = settings.find(qn("w:themeFontLang"))
    if node is None:
        return
    val, east_asia, bidi = language.word_tags()
    node.set(qn("w:val"), val)
    if east_asia:
        node.set(qn("w:eastAsia"), east_asia)
    if bidi:
        node.set(qn("w:bidi"), bidi)


def language_for(tag: str) -> Language:
    """The `Language` of a document's language tag (the memo's `meta.language`)."""
    return language_of(tag or "en-GB")
