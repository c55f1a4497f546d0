"""Tables of the Word memo: column widths from measured content, rows that never split across
pages, header rows repeated, captions kept with their table."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from briefgen import page_layout as geometry
from briefgen import styles as S
from briefgen.formats import formats_for
from briefgen.model import (
    Cell,
    Div,
    Inline,
    LineBreak,
    Paragraph,
    RiskMatrix,
    Table,
    Text,
    Timeline,
    plain_text,
)
from briefgen.page_layout import TABLE_SIZE
from briefgen.table_layout import column_widths, heat_map_layout
from briefgen.writers.docx_state import MemoState
from briefgen.writers.docx_xml import (
    PPR_ORDER,
    RPR_ORDER,
    TBLPR_ORDER,
    TCPR_ORDER,
    el,
    paragraph,
    ppr,
    qn,
    required,
    set_prop,
    shading,
)


class TableWriter(MemoState):
    """The memo writer's tables: pipe tables, the heading block, the chronology and the risk heat
    map (a mixin of `_MemoWriter`, whose state it shares)."""

    # -- tables --------------------------------------------------------------------------------

    def table(self, block: Table) -> None:
        rows = [*block.header, *block.body]
        ncols = max((len(r) for r in rows), default=0)
        if ncols == 0:
            return
        texts = [[plain_text(c.content) for c in r] for r in rows]
        widths = column_widths(texts, self.text_width)
        kind = next((c for c in block.classes if c in ("risks", "chronology", "participants", "sources")), "")
        captions = {
            "risks": self.messages.pgettext("table caption", "Risks"),
            "chronology": self.messages.pgettext("table caption", "Chronology"),
            "participants": self.messages.pgettext("table caption", "Participants"),
            "sources": self.messages.pgettext("table caption", "Sources"),
        }
        tbl = self._tbl(S.DOCX_TABLE, widths, caption=captions.get(kind, ""))
        aligns = list(block.aligns) + [None] * ncols
        for r, row in enumerate(rows):
            header = r < len(block.header)
            tr = self._tr(tbl, header=header)
            for c in range(ncols):
                cell = row[c] if c < len(row) else Cell(())
                self._cell(tr, widths[c], cell.content, align=aligns[c], header=header)
        self._end_table()

    def _tbl(
        self, style: str, widths: list[int], *, caption: str = "", borderless: bool = False
    ) -> etree._Element:
        if self._last_child_is_table():
            # Word joins adjacent tables into one: keep them apart with a hairline paragraph.
            sep = paragraph(self.styles.id(S.DOCX_BODY), self.parent)
            pr = ppr(sep)
            set_prop(pr, el("w:spacing", before=0, after=0, line=120, lineRule="exact"), PPR_ORDER)
            rpr = set_prop(pr, el("w:rPr"), PPR_ORDER)
            el("w:sz", rpr, val=4)
            el("w:szCs", rpr, val=4)
        if self.pending_break and self.parent is self.body and self.last_paragraph is not None:
            # A table cannot carry "page break before": end the previous paragraph with a break.
            el("w:br", el("w:r", self.last_paragraph), type="page")
            self.pending_break = False
        tbl = el("w:tbl", self.parent)
        pr = el("w:tblPr", tbl)
        sid = self.styles.id(style)
        if sid:
            set_prop(pr, el("w:tblStyle", val=sid), TBLPR_ORDER)
        set_prop(pr, el("w:tblW", w=sum(widths), type="dxa"), TBLPR_ORDER)
        if borderless:
            borders = el("w:tblBorders")
            for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
                el(f"w:{side}", borders, val="nil")
            set_prop(pr, borders, TBLPR_ORDER)
            mar = el("w:tblCellMar")
            el("w:left", mar, w=0, type="dxa")
            el("w:right", mar, w=geometry.CELL_MARGIN_TW, type="dxa")
            set_prop(pr, mar, TBLPR_ORDER)
        set_prop(pr, el("w:tblLayout", type="fixed"), TBLPR_ORDER)
        set_prop(
            pr,
            el(
                "w:tblLook",
                val="04A0",
                firstRow=0 if borderless else 1,
                lastRow=0,
                firstColumn=0,
                lastColumn=0,
                noHBand=1,
                noVBand=1,
            ),
            TBLPR_ORDER,
        )
        if caption:
            set_prop(pr, el("w:tblCaption", val=caption), TBLPR_ORDER)
        grid = el("w:tblGrid", tbl)
        for w in widths:
            el("w:gridCol", grid, w=w)
        return tbl

    def _last_child_is_table(self) -> bool:
        try:
            return self.parent[-1].tag == qn("w:tbl")  # lxml's len() would count every child
        except IndexError:
            return False

    def _tr(self, tbl: etree._Element, *, header: bool = False, height: int = 0) -> etree._Element:
        tr = el("w:tr", tbl)
        trpr = el("w:trPr", tr)
        # No row breaks across a page: a response cut after "once the zone is in" reads wrong.
        el("w:cantSplit", trpr)
        if height:
            el("w:trHeight", trpr, val=height, hRule="atLeast")
        if header:
            el("w:tblHeader", trpr)  # repeats on every page; screen readers read it as header
        return tr

    def _cell(
        self,
        tr: etree._Element,
        width: int,
        content: Sequence[Inline],
        *,
        align: str | None = None,
        header: bool = False,
        style: str = S.DOCX_TABLE_TEXT,
        fill: str | None = None,
        color: str | None = None,
        bold: bool = False,
        span: int = 1,
        middle: bool = False,
    ) -> etree._Element:
        tc = el("w:tc", tr)
        tcpr = el("w:tcPr", tc)
        set_prop(tcpr, el("w:tcW", w=width, type="dxa"), TCPR_ORDER)
        if span > 1:
            set_prop(tcpr, el("w:gridSpan", val=span), TCPR_ORDER)
        rag = next(
            (S.CLASS_RAG[c] for n in content if isinstance(n, Text) for c in n.classes if c in S.CLASS_RAG),
            None,
        )
        if rag:
            fill, color, bold = S.RAG_FILL[rag], S.RAG_TEXT[rag], True
            align = align or "center"
        if header and fill is None:
            fill = self._header_fill()
        if fill:
            set_prop(tcpr, shading(fill), TCPR_ORDER)
        if header or rag or middle or fill:
            set_prop(tcpr, el("w:vAlign", val="bottom" if header and not rag else "center"), TCPR_ORDER)
        with self._into(tc):
            p = self._p(style, body=False)
            if align in ("center", "right"):
                set_prop(ppr(p), el("w:jc", val=align), PPR_ORDER)
            if header:
                color = color or self._header_color()
            self.inlines(p, content, color=color, bold=bold or header)
        return tc

    def _header_fill(self) -> str | None:
        """The table style's header shading, repeated as direct formatting for LibreOffice."""
        if not hasattr(self, "_hdr_fill"):
            self._hdr_fill, self._hdr_color = None, None
            style = self.styles.element(S.DOCX_TABLE)
            if style is not None:
                for cond in style.findall(qn("w:tblStylePr")):
                    if cond.get(qn("w:type")) == "firstRow":
                        shd = cond.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
                        color = cond.find(f"{qn('w:rPr')}/{qn('w:color')}")
                        self._hdr_fill = None if shd is None else shd.get(qn("w:fill"))
                        self._hdr_color = None if color is None else color.get(qn("w:val"))
        return self._hdr_fill

    def _header_color(self) -> str | None:
        self._header_fill()
        return self._hdr_color

    def _end_table(self) -> None:
        if self.parent is self.body:
            self.after_table = True

    def fields(self, block: Div) -> None:
        """The heading block: TO / FROM / DATE / SUBJECT as a borderless two-column table."""
        label_w = geometry.FIELD_LABEL_TW
        widths = [label_w, self.text_width - label_w]
        caption = self.messages.pgettext("table caption", "Memo details")
        tbl = self._tbl(S.DOCX_LAYOUT_TABLE, widths, caption=caption, borderless=True)
        for child in block.blocks:
            if not isinstance(child, Paragraph) or not child.content:
                continue
            first = child.content[0]
            tr = self._tr(tbl)
            if isinstance(first, Text) and first.bold and first.text.rstrip().endswith(":"):
                rest = list(child.content[1:])
                if rest and isinstance(rest[0], Text):
                    rest[0] = Text(
                        rest[0].text.lstrip(), rest[0].bold, rest[0].italic, rest[0].code, rest[0].classes
                    )
                self._cell(tr, widths[0], (first,), style=S.DOCX_FIELD, bold=True)
                self._cell(tr, widths[1], tuple(rest), style=S.DOCX_FIELD)
            else:
                self._cell(tr, sum(widths), child.content, style=S.DOCX_FIELD, span=2)
        self._end_table()

    def timeline(self, block: Timeline) -> None:
        header = [self.messages.gettext("Date"), self.messages.gettext("Event")]
        rows = [header, *([e.date, e.label] for e in block.events)]
        widths = column_widths(rows, self.text_width)
        tbl = self._tbl(S.DOCX_TABLE, widths, caption=self.messages.pgettext("table caption", "Chronology"))
        tr = self._tr(tbl, header=True)
        for c, title in enumerate(rows[0]):
            self._cell(tr, widths[c], (Text(title),), header=True)
        for event in block.events:
            tr = self._tr(tbl)
            self._cell(tr, widths[0], (Text(event.date),), bold=event.highlight)
            self._cell(tr, widths[1], (Text(event.label),), bold=event.highlight)
        self._end_table()

    def risk_matrix(self, block: RiskMatrix) -> None:
        """A compact 5×5 heat map: likelihood rows (high at the top), impact columns; the axis
        labels set by `table_layout.heat_map_layout` so that none breaks inside a word."""
        layout = heat_map_layout(
            block.likelihood_labels,
            block.impact_labels,
            self.messages.gettext("Likelihood / impact"),
            self.messages.gettext("Impact"),
            self.text_width,
        )
        widths = list(layout.widths)
        label_w, cell_w = widths[0], widths[1]
        caption = self.messages.pgettext("table caption", "Risk matrix: likelihood by impact")
        tbl = self._tbl(S.DOCX_TABLE, widths, caption=caption)
        borders = el("w:tblBorders")
        for side in ("insideH", "insideV"):
            el(f"w:{side}", borders, val="single", sz=12, space=0, color=S.DOCX_HEAT_GAP)
        set_prop(required(tbl.find(qn("w:tblPr")), "w:tblPr"), borders, TBLPR_ORDER)
        if layout.scale:
            # The impact columns are too narrow for their words: the labels are keyed above.
            tr = self._tr(tbl, header=True)
            self._cell(tr, label_w, (), header=True)
            self._cell(tr, cell_w * 5, (Text(layout.scale),), header=True, align="center", span=5)
        tr = self._tr(tbl, header=True)
        self._cell(tr, label_w, (Text(layout.corner),), header=True)
        for label in layout.impact:
            digits, _, words = label.partition("\n")  # a number stacked above its label
            content = (Text(digits), LineBreak(), Text(words)) if words else (Text(label),)
            tc = self._cell(tr, cell_w, content, header=True, align="center")
            if layout.impact_size != TABLE_SIZE:
                _set_size(tc, layout.impact_size)
        # Each risk by its number in the risk tables (the order of the block: highest score
        # first), never by its id.
        cells: dict[tuple[int, int], list[str]] = {}
        for number, risk in enumerate(block.risks, start=1):
            cells.setdefault((risk.likelihood, risk.impact), []).append(str(number))
        separators = formats_for(self.messages.language).separators
        for likelihood in range(5, 0, -1):
            tr = self._tr(tbl, height=520)
            self._cell(tr, label_w, (Text(layout.likelihood[5 - likelihood]),), bold=True, middle=True)
            for impact in range(1, 6):
                score = likelihood * impact
                rag = "red" if score >= block.red_from else "amber" if score >= block.amber_from else "green"
                ids = cells.get((likelihood, impact), [])
                if ids:
                    self._cell(
                        tr,
                        cell_w,
                        (Text(separators.comma.join(ids)),),
                        align="center",
                        fill=S.RAG_FILL[rag],
                        color=S.RAG_TEXT[rag],
                        bold=True,
                    )
                else:
                    self._cell(tr, cell_w, (), fill=S.DOCX_RAG_TINT[rag])
        _keep_rows_together(tbl)
        self._end_table()


def _set_size(tc: etree._Element, size_pt: float) -> None:
    """Set every run of a cell at `size_pt` points (Word sizes are half points)."""
    for run in tc.iter(qn("w:r")):
        rpr = run.find(qn("w:rPr"))
        if rpr is None:
            rpr = etree.Element(qn("w:rPr"))
            run.insert(0, rpr)
        set_prop(rpr, el("w:sz", val=round(size_pt * 2)), RPR_ORDER)
        set_prop(rpr, el("w:szCs", val=round(size_pt * 2)), RPR_ORDER)


def _keep_rows_together(tbl: etree._Element) -> None:
    """Keep a small table (the heat map) on one page: every row but the last keeps with the next."""
    rows = tbl.findall(qn("w:tr"))
    for tr in rows[:-1]:
        for p in tr.iter(qn("w:p")):
            ppr = p.find(qn("w:pPr"))
            if ppr is None:
                ppr = etree.Element(qn("w:pPr"))
                p.insert(0, ppr)
            set_prop(ppr, etree.Element(qn("w:keepNext")), PPR_ORDER)
