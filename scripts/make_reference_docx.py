"""Build the Word reference documents from python-docx's default template, reproducibly.

    .venv/bin/python scripts/make_reference_docx.py          # writes both files below

- `templates/reference.docx`: the bundled default look of the memo (A4, 2.5 cm margins, Calibri
  11 pt, restrained navy headings, compact spacing). Its geometry and sizes are the constants in
  `briefgen.page_layout`, so the page estimate measures what the writer produces.
- `tests/reference-alt.docx`: a visibly different organisation's look (serif fonts, other
  margins, burgundy headings) used by the tests to prove a reference changes the output.

Every style the Word writer names in `briefgen.styles` is defined here.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.shared import Twips

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefgen import page_layout as P  # noqa: E402
from briefgen import styles as S  # noqa: E402
from briefgen.ooxml import repack  # noqa: E402

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STAMP = datetime(2024, 1, 1)


@dataclass(frozen=True)
class Look:
    """What distinguishes one organisation's reference from another."""

    body_font: str
    heading_font: str
    heading_color: str  # hex RGB
    accent_fill: str  # table header and summary box shading
    page: tuple[int, int]  # width, height (twips)
    margins: tuple[int, int, int, int]  # top, right, bottom, left (twips)
    body_size: float
    title: str


DEFAULT = Look(
    body_font=P.FONT,
    heading_font=P.FONT,
    heading_color="1F3864",
    accent_fill="DCE4EF",
    page=(P.PAGE_WIDTH_TW, P.PAGE_HEIGHT_TW),
    margins=(P.MARGIN_TW, P.MARGIN_TW, P.MARGIN_TW, P.MARGIN_TW),
    body_size=P.BODY_SIZE,
    title="briefgen default memo reference",
)

ALT = Look(
    body_font="Liberation Serif",
    heading_font="Caladea",
    heading_color="7B1E1E",
    accent_fill="F2E6D9",
    page=(P.PAGE_WIDTH_TW, P.PAGE_HEIGHT_TW),
    margins=(1134, 1701, 1134, 1701),  # 2 cm top/bottom, 3 cm left/right
    body_size=12.0,
    title="briefgen test reference (alternative look)",
)


def _hp(points: float) -> int:
    """Half-points, Word's unit for type sizes."""
    return round(points * 2)


def _tw(points: float) -> int:
    return round(points * P.TWIPS_PER_PT)


def _fonts(font: str) -> str:
    return f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/>'


def _style_xml(look: Look) -> list[str]:
    """The paragraph, character and table styles of the reference, as WordprocessingML."""
    text_w = look.page[0] - look.margins[1] - look.margins[3]
    navy = look.heading_color
    hf = look.heading_font
    out: list[str] = []

    def para(
        sid: str, name: str, ppr: str = "", rpr: str = "", based: str = "Normal", extra: str = ""
    ) -> None:
        out.append(
            f'<w:style w:type="paragraph" w:styleId="{sid}"><w:name w:val="{name}"/>'
            + (f'<w:basedOn w:val="{based}"/>' if based else "")
            + extra
            + (f"<w:pPr>{ppr}</w:pPr>" if ppr else "")
            + (f"<w:rPr>{rpr}</w:rPr>" if rpr else "")
            + "</w:style>"
        )

    para(
        "Normal",
        "Normal",
        f'<w:spacing w:after="{_tw(P.BODY_AFTER)}" w:line="240" w:lineRule="auto"/>',
        based="",
        extra="<w:qFormat/>",
    )
    for level, size in P.HEADING_SIZE.items():
        italic = "<w:i/>" if level >= 3 else ""
        para(
            f"Heading{level}",
            f"heading {level}",
            "<w:keepNext/><w:keepLines/>"
            f'<w:spacing w:before="{_tw(P.HEADING_BEFORE[level])}" w:after="{_tw(P.HEADING_AFTER[level])}"/>'
            f'<w:outlineLvl w:val="{level - 1}"/>',
            f'{_fonts(hf)}<w:b/><w:bCs/>{italic}<w:color w:val="{navy}"/>'
            f'<w:sz w:val="{_hp(size)}"/><w:szCs w:val="{_hp(size)}"/>',
            extra='<w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/>',
        )
    para(
        "Title",
        "Title",
        f'<w:spacing w:before="0" w:after="{_tw(P.TITLE_AFTER)}"/>',
        f'{_fonts(hf)}<w:b/><w:bCs/><w:caps/><w:color w:val="{navy}"/><w:spacing w:val="10"/>'
        f'<w:sz w:val="{_hp(P.TITLE_SIZE)}"/><w:szCs w:val="{_hp(P.TITLE_SIZE)}"/>',
        extra='<w:next w:val="Normal"/><w:uiPriority w:val="10"/><w:qFormat/>',
    )
    para(
        "Subtitle",
        "Subtitle",
        f'<w:spacing w:after="{_tw(P.BODY_AFTER)}"/>',
        f'<w:color w:val="404040"/><w:sz w:val="{_hp(look.body_size)}"/>',
        extra='<w:next w:val="Normal"/><w:uiPriority w:val="11"/><w:qFormat/>',
    )
    para(
        "TOCHeading",
        "TOC Heading",
        '<w:outlineLvl w:val="9"/>',
        based="Heading2",
        extra='<w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/><w:qFormat/>',
    )
    for level in (1, 2, 3):
        indent = (level - 1) * 220
        bold = "<w:b/>" if level == 1 else ""
        para(
            f"TOC{level}",
            f"toc {level}",
            f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{text_w}"/></w:tabs>'
            f'<w:spacing w:before="{40 if level == 1 else 0}" w:after="40"/><w:ind w:left="{indent}"/>',
            bold,
            extra='<w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>',
        )
    for sid, name in (("Header", "header"), ("Footer", "footer")):
        para(
            sid,
            name,
            f'<w:tabs><w:tab w:val="center" w:pos="{text_w // 2}"/><w:tab w:val="right" w:pos="{text_w}"/>'
            '</w:tabs><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>',
            f'<w:color w:val="404040"/><w:sz w:val="{_hp(P.HEADER_FOOTER_SIZE)}"/>'
            f'<w:szCs w:val="{_hp(P.HEADER_FOOTER_SIZE)}"/>',
            extra='<w:uiPriority w:val="99"/><w:unhideWhenUsed/>',
        )
    para(
        "Marking",
        S.DOCX_MARKING,
        '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>',
        '<w:b/><w:bCs/><w:caps/><w:color w:val="000000"/><w:spacing w:val="10"/>'
        '<w:sz w:val="20"/><w:szCs w:val="20"/>',
        based="Header",
        extra="<w:qFormat/>",
    )
    para(
        "FootnoteText",
        "footnote text",
        '<w:spacing w:after="20" w:line="240" w:lineRule="auto"/>',
        f'<w:sz w:val="{_hp(P.FOOTNOTE_SIZE)}"/><w:szCs w:val="{_hp(P.FOOTNOTE_SIZE)}"/>',
        extra='<w:link w:val="FootnoteTextChar"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>',
    )
    out.append(
        '<w:style w:type="character" w:customStyle="1" w:styleId="FootnoteTextChar">'
        '<w:name w:val="Footnote Text Char"/><w:basedOn w:val="DefaultParagraphFont"/>'
        '<w:link w:val="FootnoteText"/><w:uiPriority w:val="99"/>'
        f'<w:rPr><w:sz w:val="{_hp(P.FOOTNOTE_SIZE)}"/><w:szCs w:val="{_hp(P.FOOTNOTE_SIZE)}"/></w:rPr>'
        "</w:style>"
    )
    out.append(
        '<w:style w:type="character" w:styleId="FootnoteReference"><w:name w:val="footnote reference"/>'
        '<w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
        '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>'
    )
    out.append(
        '<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/>'
        '<w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
        '<w:rPr><w:color w:val="1F4E79"/><w:u w:val="single"/></w:rPr></w:style>'
    )
    for sid, name, num, level in (
        ("ListBullet", "List Bullet", 1, 1),
        ("ListBullet2", "List Bullet 2", 2, 2),
        ("ListBullet3", "List Bullet 3", 3, 3),
        ("ListNumber", "List Number", 5, 1),
        ("ListNumber2", "List Number 2", 6, 2),
        ("ListNumber3", "List Number 3", 7, 3),
    ):
        para(
            sid,
            name,
            f'<w:numPr><w:numId w:val="{num}"/></w:numPr>'
            f'<w:spacing w:after="{_tw(P.LIST_AFTER)}"/>'
            f'<w:ind w:left="{level * P.LIST_INDENT_TW}" w:hanging="{P.LIST_INDENT_TW}"/>',
            extra='<w:uiPriority w:val="99"/><w:unhideWhenUsed/>',
        )
    for level in (1, 2, 3):
        sid = "ListContinue" + ("" if level == 1 else str(level))
        name = "List Continue" + ("" if level == 1 else f" {level}")
        para(
            sid,
            name,
            f'<w:spacing w:after="{_tw(P.LIST_AFTER)}"/><w:ind w:left="{level * P.LIST_INDENT_TW}"/>',
            extra='<w:uiPriority w:val="99"/><w:unhideWhenUsed/>',
        )
    para(
        "TableText",
        S.DOCX_TABLE_TEXT,
        '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>',
        f'<w:sz w:val="{_hp(P.TABLE_SIZE)}"/><w:szCs w:val="{_hp(P.TABLE_SIZE)}"/>',
        extra="<w:qFormat/>",
    )
    para(
        "MemoField",
        S.DOCX_FIELD,
        '<w:spacing w:before="0" w:after="40" w:line="240" w:lineRule="auto"/>',
        f'<w:sz w:val="{_hp(P.FIELD_SIZE)}"/><w:szCs w:val="{_hp(P.FIELD_SIZE)}"/>',
        extra="<w:qFormat/>",
    )
    box = (
        f'<w:pBdr><w:top w:val="single" w:sz="4" w:space="{round(P.BOX_PADDING)}" w:color="{navy}"/>'
        f'<w:left w:val="single" w:sz="24" w:space="6" w:color="{navy}"/>'
        f'<w:bottom w:val="single" w:sz="4" w:space="{round(P.BOX_PADDING)}" w:color="{navy}"/>'
        f'<w:right w:val="single" w:sz="4" w:space="6" w:color="{navy}"/></w:pBdr>'
        f'<w:shd w:val="clear" w:color="auto" w:fill="{look.accent_fill}"/>'
    )
    para(
        "BottomLine",
        S.DOCX_BLUF,
        f'<w:keepLines/>{box}<w:spacing w:before="{_tw(P.BOX_PADDING)}" w:after="{_tw(P.BOX_PADDING + 6)}"/>'
        '<w:ind w:left="170" w:right="170"/>',
        extra="<w:qFormat/>",
    )
    para(
        "Caption",
        "caption",
        '<w:keepNext/><w:spacing w:before="60" w:after="60"/>',
        f'<w:b/><w:bCs/><w:color w:val="{navy}"/><w:sz w:val="18"/><w:szCs w:val="18"/>',
        extra='<w:next w:val="Normal"/><w:uiPriority w:val="35"/><w:unhideWhenUsed/><w:qFormat/>',
    )
    rule = f'w:val="single" w:sz="8" w:space="0" w:color="{navy}"'
    thin = 'w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"'
    pad = P.CELL_PADDING_TW
    out.append(
        '<w:style w:type="table" w:customStyle="1" w:styleId="BriefingTable">'
        f'<w:name w:val="{S.DOCX_TABLE}"/>'
        '<w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/><w:qFormat/>'
        '<w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        f'<w:rPr><w:sz w:val="{_hp(P.TABLE_SIZE)}"/><w:szCs w:val="{_hp(P.TABLE_SIZE)}"/></w:rPr>'
        '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        f"<w:tblBorders><w:top {rule}/><w:bottom {rule}/><w:insideH {thin}/></w:tblBorders>"
        f'<w:tblCellMar><w:top w:w="{pad}" w:type="dxa"/><w:left w:w="{P.CELL_MARGIN_TW}" w:type="dxa"/>'
        f'<w:bottom w:w="{pad}" w:type="dxa"/><w:right w:w="{P.CELL_MARGIN_TW}" w:type="dxa"/></w:tblCellMar>'
        "</w:tblPr>"
        '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/>'
        f'<w:color w:val="{navy}"/></w:rPr><w:tblPr/><w:trPr><w:tblHeader/></w:trPr>'
        f"<w:tcPr><w:tcBorders><w:bottom {rule}/></w:tcBorders>"
        f'<w:shd w:val="clear" w:color="auto" w:fill="{look.accent_fill}"/></w:tcPr></w:tblStylePr>'
        "</w:style>"
    )
    return out


def _apply_look(document: docx.document.Document, look: Look) -> None:
    styles = document.styles.element
    W = f"{{{W_NS}}}"
    # Document defaults: explicit fonts (no theme fonts, so a reader without the theme sees the
    # same), body size, British English.
    defaults = styles.find(f"{W}docDefaults")
    defaults.getparent().remove(defaults)
    styles.insert(
        0,
        parse_xml(
            f'<w:docDefaults xmlns:w="{W_NS}"><w:rPrDefault><w:rPr>{_fonts(look.body_font)}'
            f'<w:sz w:val="{_hp(look.body_size)}"/><w:szCs w:val="{_hp(look.body_size)}"/>'
            '<w:lang w:val="en-GB" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
            f'<w:pPrDefault><w:pPr><w:spacing w:after="{_tw(P.BODY_AFTER)}" w:line="240" '
            'w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'
        ),
    )
    by_id = {s.get(f"{W}styleId"): s for s in styles.findall(f"{W}style")}
    # Keep the style sheet small: of the many table styles only the plain ones stay.
    for sid, style in list(by_id.items()):
        if style.get(f"{W}type") == "table" and sid not in ("TableNormal", "TableGrid"):
            styles.remove(style)
            del by_id[sid]
    for xml in _style_xml(look):
        new = parse_xml(xml.replace("<w:style ", f'<w:style xmlns:w="{W_NS}" ', 1))
        sid = new.get(f"{W}styleId")
        if sid == "Normal":
            new.set(f"{W}default", "1")
        old = by_id.get(sid)
        if old is not None:
            old.addprevious(new)
            styles.remove(old)
        else:
            styles.append(new)
    # Linked character styles still carry the old heading looks; Word shows them in the gallery.
    for sid in ("Heading1Char", "Heading2Char", "Heading3Char", "Heading4Char", "TitleChar"):
        style = by_id.get(sid)
        if style is not None:
            styles.remove(style)
    for style in styles.findall(f"{W}style"):
        link = style.find(f"{W}link")
        if link is not None and link.get(f"{W}val") in (
            "Heading1Char",
            "Heading2Char",
            "Heading3Char",
            "Heading4Char",
            "TitleChar",
        ):
            style.remove(link)

    section = document.sections[0]
    section.page_width, section.page_height = (Twips(v) for v in look.page)
    top, right, bottom, left = (Twips(v) for v in look.margins)
    section.top_margin, section.right_margin, section.bottom_margin, section.left_margin = (
        top,
        right,
        bottom,
        left,
    )
    section.header_distance = Twips(P.HEADER_DISTANCE_TW)
    section.footer_distance = Twips(P.FOOTER_DISTANCE_TW)

    settings = document.settings.element
    lang = settings.find(f"{W}themeFontLang")
    if lang is not None:
        lang.set(f"{W}val", "en-GB")


def build(look: Look) -> bytes:
    """The reference document for `look`, byte-identical on every run."""
    document = docx.Document()
    _apply_look(document, look)
    props = document.core_properties
    props.title = look.title
    props.author = "briefgen"
    props.last_modified_by = "briefgen"
    props.comments = "Reference document: styles, fonts, page set-up; the body is ignored."
    props.language = "en-GB"
    props.revision = 1
    props.created = props.modified = STAMP
    # The thumbnail shows python-docx's own sample page; a reference must not carry it.
    package_rels = document.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package_rels.pop(rid)
    buffer = io.BytesIO()
    document.save(buffer)
    return repack(buffer.getvalue(), STAMP)


def main() -> None:
    targets = {ROOT / "templates" / "reference.docx": DEFAULT, ROOT / "tests" / "reference-alt.docx": ALT}
    for path, look in targets.items():
        path.write_bytes(build(look))
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
