"""The PowerPoint writer: draws a planned deck (`briefgen.slides.DeckPlan`) as .pptx bytes.

The third of the deck's three steps, after reading the reference presentation's geometry
(`briefgen.slides.reference`) and planning the slides (`briefgen.slides.plan_deck`), as
pandoc's `Output.hs` follows `Presentation.hs`: every box, size and split is in the plan; this
module only turns it into slide XML on the reference's layouts. It measures nothing itself.

Slides are written as XML strings and attached to the package directly: python-pptx's
`slides.add_slide` and `notes_slide` scan every existing relationship and part name on each
call, which makes a 1000-slide deck quadratic; here every slide costs the same.

This module owns opening the reference, the order of each slide's shapes, relating slides to
their layouts and the package's properties; the slide XML is `pptx_shapes`', the tables, heat
map and timeline are `pptx_graphics`', the notes pages `pptx_notes`'.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from pptx import Presentation
from pptx.opc.constants import CONTENT_TYPE as CT
from pptx.opc.constants import RELATIONSHIP_TARGET_MODE as RTM
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.package import Part, _Relationship
from pptx.opc.packuri import PackURI
from pptx.presentation import Presentation as PresentationFile

from briefgen import styles
from briefgen.errors import BriefgenError, Problem, ReferenceFileProblem
from briefgen.languages import language_of, messages_for, speaking
from briefgen.links import package_target
from briefgen.model import Meta
from briefgen.ooxml import repack
from briefgen.slides import DeckGeometry, DeckPlan, Para, Run, SlideFrame, SlidePlan
from briefgen.writers.pptx_graphics import draw_risk_map, draw_table, draw_timeline
from briefgen.writers.pptx_notes import NotesPages, list_notes_master
from briefgen.writers.pptx_shapes import NSDECL, A, P, R, Shapes, SlideText, serialized

SLIDENUM_FIELD = "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}"  # fixed: output must be reproducible


@dataclass(frozen=True)
class PptxOptions:
    """How to write a deck: `stamp`, the package's dates; `reference_name`, how messages name
    the reference presentation."""

    stamp: datetime
    reference_name: str = "bundled reference.pptx"  # how messages name the reference


# ---------------------------------------------------------------------------------------------
# Reading the reference


def _open(data: bytes, name: str) -> PresentationFile:
    """The reference presentation (bytes as vetted by `briefgen.config`) with its slides removed."""
    try:
        prs = Presentation(io.BytesIO(data))
    except Exception as exc:  # python-pptx raises many kinds on a damaged package
        raise ReferenceFileProblem(f"{name}: cannot open as a presentation: {exc}") from None
    if not list(prs.slide_layouts):
        raise ReferenceFileProblem(f"{name}: the presentation has no slide layouts")
    _repair_bullet_sizes(prs)
    part = prs.part
    sld_list = part._element.find(f"{{{P}}}sldIdLst")
    if sld_list is not None:
        for sld in list(sld_list):
            rid = sld.get(f"{{{R}}}id")
            if rid:
                part.rels.pop(rid)
            sld_list.remove(sld)
    return prs


def _repair_bullet_sizes(prs: PresentationFile) -> None:
    """Write bullet sizes the schema accepts: LibreOffice Impress saves `a:buSzPct val="45000"`
    (thousandths of a percent, as in ECMA-376's first edition) where the Transitional schema
    wants "45%"; left alone, every deck built on such a reference fails validation."""
    parts = [*prs.slide_masters, *(layout for m in prs.slide_masters for layout in m.slide_layouts)]
    for part in parts:
        for size in part._element.iter(f"{{{A}}}buSzPct"):
            value = size.get("val", "")
            if value.isdigit():
                size.set("val", f"{min(max(round(int(value) / 1000), 25), 400)}%")


# ---------------------------------------------------------------------------------------------
# Slides


def _run(value: str, bold: bool) -> Run:
    return Run(value, bold=bold)


@dataclass
class _Deck:
    prs: PresentationFile
    geometry: DeckGeometry
    lang: str

    def __post_init__(self) -> None:
        prs = self.prs
        part = prs.part
        self.package = part.package
        self.part = part
        # First: a reference without a notes master gets one here, related under the next free
        # rId, which the slides' ids must then not reuse (it would lose the notes master).
        self.notes_master = part.notes_master_part
        list_notes_master(part)
        rids = [int(r[3:]) for r in part.rels if r.startswith("rId") and r[3:].isdigit()]
        self.next_rid = max(rids, default=0) + 1
        # python-pptx generates the child accessors of CT_Presentation at run time, untyped.
        self.sld_list = part._element.get_or_add_sldIdLst()  # type: ignore[attr-defined]
        size = part._element.find(f"{{{P}}}notesSz")
        cx, cy = (size.get("cx"), size.get("cy")) if size is not None else (None, None)
        self.notes_size = (int(cx), int(cy)) if cx is not None and cy is not None else (6858000, 9144000)
        self.count = 0
        self.language = language_of(self.lang or "en-GB")
        self.slide_width = int(prs.slide_width)
        self.primary = self.geometry.accent
        self.layout_parts = {
            str(layout.part.partname): layout.part
            for master in prs.slide_masters
            for layout in master.slide_layouts
        }
        self.notes = NotesPages(self.package, self.notes_master, self.notes_size, self.lang, self.language)

    def add(self, plan: SlidePlan) -> None:
        self.count += 1
        n = self.count
        frame = self.geometry.frame(plan.kind)
        layout_part = self.layout_parts[frame.layout_part]
        slide_part = Part(PackURI(f"/ppt/slides/slide{n}.xml"), CT.PML_SLIDE, self.package)
        slide_part.relate_to(layout_part, RT.SLIDE_LAYOUT)

        def link(url: str) -> str:
            # The target is an xs:anyURI: normalised and percent-encoded (briefgen.links).
            return slide_part.relate_to(package_target(url), RT.HYPERLINK, is_external=True)

        text = SlideText(self.lang, self.geometry, link)
        shapes = Shapes()
        self._content(shapes, text, plan, frame, n)
        slide_part._blob = serialized(
            f'<p:sld {NSDECL}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/>'
            "<p:nvPr/>"
            '</p:nvGrpSpPr><p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
            '<a:chOff x="0" y="0"/>'
            f'<a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>{"".join(shapes.parts)}</p:spTree></p:cSld>'
            "<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>",
            self.language,
            self.slide_width,
        )
        if plan.notes:
            self.notes.add(slide_part, plan.notes, n, plan.marking.text if plan.marking else "")
        rid = f"rId{self.next_rid}"
        self.next_rid += 1
        rels = self.part.rels
        rels._rels[rid] = _Relationship(rels._base_uri, rid, RT.SLIDE, RTM.INTERNAL, slide_part)
        self.sld_list._add_sldId(id=255 + n, rId=rid)

    def _content(self, shapes: Shapes, text: SlideText, plan: SlidePlan, frame: SlideFrame, n: int) -> None:
        """The slide's shapes in reading order: title, text, graphics, source line, banners,
        slide number (screen readers follow the order of the shape tree)."""
        title_para = Para((_run(plan.title, False),))
        title_xml = text.para(title_para, plan.title_size, True, frame.title.font)
        if frame.title_ph is not None:
            shapes.placeholder("Title", frame.title_ph, frame.title, title_xml)
        else:
            shapes.parts.append(
                shapes.textbox(
                    "Title",
                    frame.title,
                    text.para(Para((_run(plan.title, True),)), plan.title_size, True, frame.title.font),
                )
            )
        graphic = plan.tables or plan.risk_map or plan.timeline
        if plan.lead is not None:
            shapes.parts.append(shapes.textbox("Text (across)", plan.lead.box, text.paras(plan.lead)))
        for i, body in enumerate((plan.body, plan.right)):
            if body is None:
                continue
            name = "Text" if i == 0 else "Text (right)"
            ph = None
            if not graphic and plan.kind in ("title", "section", "content", "two-column"):
                ph = frame.body_ph if i == 0 else frame.right_ph
            if ph is not None:
                shapes.placeholder(name, ph, body.box, text.paras(body))
            else:
                shapes.parts.append(shapes.textbox(name, body.box, text.paras(body)))
        for table in plan.tables:
            shapes.parts.append(draw_table(shapes, text, table, self.primary))
        if plan.risk_map is not None:
            shapes.parts.extend(draw_risk_map(shapes, text, plan.risk_map))
        if plan.timeline is not None:
            shapes.parts.append(draw_timeline(shapes, text, plan.timeline))
        if plan.source is not None:
            shapes.parts.append(
                shapes.textbox(
                    "Source",
                    plan.source.box,
                    text.paras(plan.source, color=styles.PPTX_MUTED_TEXT),
                    anchor="b",
                )
            )
        if plan.marking is not None:
            shapes.parts.append(
                shapes.textbox(
                    "Marking (top)", plan.marking.box, text.paras(plan.marking, align="ctr"), anchor="ctr"
                )
            )
        if plan.marking_bottom is not None:
            shapes.parts.append(
                shapes.textbox(
                    "Marking (bottom)",
                    plan.marking_bottom.box,
                    text.paras(plan.marking_bottom, align="ctr"),
                    anchor="ctr",
                )
            )
        number = self.geometry.number
        field_xml = (
            f'<a:p><a:pPr algn="r"/><a:fld id="{SLIDENUM_FIELD}" type="slidenum"><a:rPr lang="{text.lang}" '
            f'sz="{round(number.size * 100)}"/><a:t>{n}</a:t></a:fld></a:p>'
        )
        if frame.number_ph is not None:
            shapes.placeholder("Slide Number", frame.number_ph, number, field_xml)
        else:
            shapes.parts.append(shapes.textbox("Slide Number", number, field_xml, anchor="ctr"))


def _prop(value: str) -> str:
    """python-pptx refuses core properties over 255 characters; shorten at a word boundary."""
    value = " ".join(value.split())
    if len(value) <= 255:
        return value
    return value[:254].rsplit(" ", 1)[0] + "…"


def _core_properties(prs: PresentationFile, meta: Meta, stamp: datetime) -> None:
    props = prs.core_properties
    props.title = _prop(meta.title)
    props.subject = _prop(meta.subject)
    props.author = _prop(meta.author)
    props.last_modified_by = _prop(meta.author)
    props.keywords = _prop(", ".join(meta.keywords))
    props.comments = _prop(meta.description)
    props.category = "Briefing deck"
    props.language = meta.language or "en-GB"
    props.content_status = _prop(meta.marking)
    props.revision = 1
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp


def write_pptx(deck: DeckPlan, options: PptxOptions, reference: bytes) -> tuple[bytes, list[Problem]]:
    """Draw a planned deck (`briefgen.slides.plan_deck`) on the reference presentation it was
    planned against (its bytes as vetted by `briefgen.config`): the third of the deck's steps.
    Returns the .pptx bytes, identical for identical input, and the warnings of drawing (a
    word missing from the language's catalog; the planner's are the plan step's); measures
    nothing. Raises `ReferenceFileProblem` when the
    reference cannot carry the slides."""
    warnings: list[Problem] = []
    prs = _open(reference, options.reference_name)
    try:
        # Fixed words of the slides (axis titles, legends) in the deck's language.
        messages = messages_for(deck.meta.language or "en-GB")
        with speaking(messages):
            drawer = _Deck(prs, deck.geometry, deck.meta.language)
            drawer.notes.mark_master(deck.meta.marking.strip())
            for plan in deck.slides:
                drawer.add(plan)
        warnings.extend(messages.problems(catalog_missing=False))
        _core_properties(prs, deck.meta, options.stamp)
        stored = _stored_package(prs)
    except BriefgenError:
        raise
    except (KeyError, ValueError, AttributeError, etree.LxmlError) as exc:
        where = options.reference_name
        raise ReferenceFileProblem(f"{where}: cannot build the deck from this reference: {exc}") from None
    return repack(stored, options.stamp), warnings


def _stored_package(prs: PresentationFile) -> bytes:
    """What `Presentation.save` writes, but uncompressed: `repack` compresses every part anyway,
    so deflating here too (and inflating again there) would only double the packaging cost."""
    import zipfile

    from pptx.opc.serialized import PackageWriter, _PhysPkgWriter

    package = prs.part.package
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:

        class _Stored(_PhysPkgWriter):  # the physical writer python-pptx's PackageWriter expects
            def write(self, pack_uri: PackURI, blob: bytes) -> None:
                zf.writestr(pack_uri.membername, blob)

        # python-pptx's PackageWriter (private) with our stored-zip writer in place of its own.
        writer = PackageWriter(buffer, package._rels, tuple(package.iter_parts()))
        stored = _Stored()
        writer._write_content_types_stream(stored)
        writer._write_pkg_rels(stored)
        writer._write_parts(stored)
    return buffer.getvalue()
