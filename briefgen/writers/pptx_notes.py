"""The deck's notes pages: the speaker notes of each slide and the notes master they print on.

Owns the notes slide of a slide that has notes (its paragraphs' runs with bold, italic and
links, and the slide's banner in its header and footer), the banner in the notes master's own
header and footer, and listing the notes master in presentation.xml, which python-pptx leaves
out when it creates one. Notes parts are written as XML strings, as the slides are
(`briefgen.writers.pptx`).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree
from pptx.opc.constants import CONTENT_TYPE as CT
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.package import Part
from pptx.opc.packuri import PackURI
from pptx.oxml import parse_xml
from pptx.package import Package
from pptx.parts.presentation import PresentationPart
from pptx.parts.slide import NotesMasterPart

from briefgen.languages import Language
from briefgen.links import package_target
from briefgen.slides import Para
from briefgen.writers.pptx_shapes import NSDECL, A, P, R, serialized


@dataclass
class NotesPages:
    """Writes the notes pages of one deck into its `package`: `master` is the notes master
    part, `size` the notes page (width, height in EMU), `lang` the deck's language tag and
    `language` its direction and scripts."""

    package: Package
    master: NotesMasterPart
    size: tuple[int, int]
    lang: str
    language: Language

    def mark_master(self, banner: str) -> None:
        """The banner in the notes master's header and footer, centred across the page, so that
        printed notes pages (and notes pages PowerPoint makes later) carry it."""
        if not banner:
            return
        master = self.master._element
        width = self.size[0]
        for kind in ("hdr", "ftr"):
            for sp in master.iter(f"{{{P}}}sp"):
                ph = sp.find(f"{{{P}}}nvSpPr/{{{P}}}nvPr/{{{P}}}ph")
                if ph is None or ph.get("type") != kind:
                    continue
                xfrm = sp.find(f"{{{P}}}spPr/{{{A}}}xfrm")
                off = xfrm.find(f"{{{A}}}off") if xfrm is not None else None
                ext = xfrm.find(f"{{{A}}}ext") if xfrm is not None else None
                if off is not None and ext is not None:  # (both are optional in a:xfrm)
                    off.set("x", "0")
                    ext.set("cx", str(width))
                body = sp.find(f"{{{P}}}txBody")
                if body is None:
                    continue
                for para in body.findall(f"{{{A}}}p"):
                    body.remove(para)
                body.append(parse_xml(_banner_para(banner, escape(self.lang or "en-GB"))))

    def add(self, slide_part: Part, notes: tuple[Para, ...], n: int, banner: str = "") -> None:
        """The notes page: each paragraph's runs with their bold, italic and links (the links'
        relationships belong to the notes part, so it is made first and filled last)."""
        lang = escape(self.lang or "en-GB")
        notes_part = Part(
            PackURI(f"/ppt/notesSlides/notesSlide{n}.xml"), CT.PML_NOTES_SLIDE, self.package, b""
        )
        out: list[str] = []
        for para in notes:
            runs: list[str] = []
            for r in para.runs:
                attrs = f' lang="{lang}"' + (' b="1"' if r.bold else "") + (' i="1"' if r.italic else "")
                inner = ""
                if r.url and not r.url.startswith("#"):
                    rid = notes_part.relate_to(package_target(r.url), RT.HYPERLINK, is_external=True)
                    inner = f'<a:hlinkClick r:id="{rid}"/>'
                for i, piece in enumerate(r.text.split("\n")):
                    if i:
                        runs.append(f'<a:br><a:rPr lang="{lang}"/></a:br>')
                    if piece:
                        runs.append(
                            f'<a:r><a:rPr{attrs} dirty="0">{inner}</a:rPr><a:t>{escape(piece)}</a:t></a:r>'
                        )
            out.append(f"<a:p>{''.join(runs)}</a:p>" if runs else "<a:p/>")
        paras = "".join(out)
        xml = (
            f'<p:notes {NSDECL}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/>'
            "<p:nvPr/>"
            "</p:nvGrpSpPr><p:grpSpPr/>"
            '<p:sp><p:nvSpPr><p:cNvPr id="2" name="Slide Image Placeholder 1"/><p:cNvSpPr>'
            '<a:spLocks noGrp="1" '
            'noRot="1" noChangeAspect="1"/></p:cNvSpPr><p:nvPr><p:ph type="sldImg"/></p:nvPr></p:nvSpPr>'
            "<p:spPr/></p:sp>"
            '<p:sp><p:nvSpPr><p:cNvPr id="3" name="Notes Placeholder 2"/><p:cNvSpPr><a:spLocks noGrp="1"/>'
            '</p:cNvSpPr><p:nvPr><p:ph type="body" idx="1"/></p:nvPr></p:nvSpPr><p:spPr/>'
            f"<p:txBody><a:bodyPr/><a:lstStyle/>{paras}</p:txBody></p:sp>"
            f"{_notes_banners(banner, lang, self.size)}"
            "</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:notes>"
        )
        notes_part._blob = serialized(xml, self.language)
        notes_part.relate_to(self.master, RT.NOTES_MASTER)
        notes_part.relate_to(slide_part, RT.SLIDE)
        slide_part.relate_to(notes_part, RT.NOTES_SLIDE)


def list_notes_master(part: PresentationPart) -> None:
    """presentation.xml names its notes master (`p:notesMasterIdLst`, after the slide masters),
    which python-pptx does not add when it creates one."""
    root = part._element
    if root.find(f"{{{P}}}notesMasterIdLst") is not None:
        return
    rid = next(
        (rid for rid, rel in part.rels.items() if rel.reltype == RT.NOTES_MASTER),
        None,
    )
    if rid is None:
        return
    listing = etree.SubElement(root, f"{{{P}}}notesMasterIdLst")
    etree.SubElement(listing, f"{{{P}}}notesMasterId").set(f"{{{R}}}id", rid)
    masters = root.find(f"{{{P}}}sldMasterIdLst")
    if masters is not None:
        masters.addnext(listing)


def _banner_para(banner: str, lang: str) -> str:
    return (
        f'<a:p {NSDECL}><a:pPr algn="ctr"/><a:r><a:rPr lang="{lang}" b="1" dirty="0"/>'
        f"<a:t>{escape(banner)}</a:t></a:r></a:p>"
    )


def _notes_banners(banner: str, lang: str, size: tuple[int, int]) -> str:
    """Header and footer placeholders holding the slide's banner, centred across the notes page."""
    if not banner:
        return ""
    width, height = size
    band = 457200  # 0.5 in, the notes master's own header and footer height
    shapes = []
    for sid, kind, top in ((4, "hdr", 0), (5, "ftr", height - band)):
        name = "Header Placeholder" if kind == "hdr" else "Footer Placeholder"
        shapes.append(
            f'<p:sp><p:nvSpPr><p:cNvPr id="{sid}" name="{name} {sid}"/><p:cNvSpPr><a:spLocks noGrp="1"/>'
            f'</p:cNvSpPr><p:nvPr><p:ph type="{kind}" sz="quarter"/></p:nvPr></p:nvSpPr>'
            f'<p:spPr><a:xfrm><a:off x="0" y="{top}"/><a:ext cx="{width}" cy="{band}"/></a:xfrm></p:spPr>'
            f'<p:txBody><a:bodyPr/><a:lstStyle/>{_banner_para(banner, lang).replace(" " + NSDECL, "")}'
            "</p:txBody></p:sp>"
        )
    return "".join(shapes)
