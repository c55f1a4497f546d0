"""The pure slide-planning step: what goes on which slide, measured so that nothing overflows."""

from __future__ import annotations

from briefgen.errors import Problem
from briefgen.metrics import font_metrics, wrap
from briefgen.model import (
    Cell,
    Div,
    Document,
    Heading,
    ListBlock,
    ListItem,
    Meta,
    Paragraph,
    RiskMatrix,
    RiskPoint,
    Table,
    Text,
    Timeline,
    TimelineEvent,
)
from briefgen.slides import (
    WIDTH_SAFETY,
    DeckGeometry,
    LayoutBox,
    SlideFrame,
    SlidePlan,
    TextPlan,
    line_pitch,
    plan_slides,
)

LONG_POINT = (
    "Point {n}: both sides agreed in principle that a negotiated settlement remains the only route, "
    "and that humanitarian access must be restored before further talks take place."
)


def geometry(min_font_pt: float = 14.0) -> DeckGeometry:
    """A 16:9 geometry like the bundled reference's: 26 pt titles, 20 pt body."""
    title = LayoutBox(36, 28, 888, 64, size=26, bold=True)
    body = LayoutBox(36, 108, 888, 358, size=20)
    half = 432
    frames = {
        "title": SlideFrame(
            "Title Slide",
            LayoutBox(54, 118, 852, 128, size=36, bold=True),
            LayoutBox(54, 262, 852, 156, size=18),
        ),
        "section": SlideFrame(
            "Section Header",
            LayoutBox(54, 176, 852, 88, size=32, bold=True),
            LayoutBox(54, 280, 852, 72, size=18),
        ),
        "content": SlideFrame("Title and Content", title, body),
        "two-column": SlideFrame(
            "Two Content", title, body.moved(width=half), body.moved(left=36 + half + 24, width=half)
        ),
    }
    for kind in ("risk-map", "timeline", "table"):
        frames[kind] = SlideFrame("Title Only", title, body)
    return DeckGeometry(frames=frames, min_font_pt=min_font_pt, indent=26)


def deck(*blocks, marking: str = "UNCLASSIFIED") -> Document:
    return Document(
        Meta(title="Test deck", marking=marking, as_of="12 August 2018", kind="deck"), tuple(blocks)
    )


def h2(text: str, *classes: str) -> Heading:
    return Heading(2, (Text(text),), classes=classes)


def bullets(*texts: str) -> ListBlock:
    return ListBlock(False, tuple(ListItem((Paragraph((Text(t),)),)) for t in texts))


def notes(text: str) -> Div:
    return Div(("notes",), (Paragraph((Text(text),)),))


def measured_height(plan: TextPlan, g: DeckGeometry) -> float:
    """Re-measure a planned box independently of the planner's own bookkeeping."""
    total = 0.0
    for i, para in enumerate(plan.paras):
        indent = (para.level + (1 if para.bullet else 0)) * g.indent
        width = (plan.box.inner_width - indent) * WIDTH_SAFETY
        lines = wrap(para.text, width, font_metrics(plan.box.font, plan.box.bold or para.bold), plan.size)
        total += len(lines) * line_pitch(plan.box.font, plan.size)
        if i:
            total += g.paragraph_space * plan.size
    return total


def assert_fits(plans: list[SlidePlan], g: DeckGeometry) -> None:
    for plan in plans:
        for text in (plan.body, plan.right):
            if text is not None:
                assert measured_height(text, g) <= text.box.inner_height, plan.title
        title_box = g.frame(plan.kind).title
        lines = wrap(
            plan.title,
            title_box.inner_width * WIDTH_SAFETY,
            font_metrics(title_box.font, True),
            plan.title_size,
        )
        assert len(lines) * line_pitch(title_box.font, plan.title_size) <= title_box.inner_height, plan.title


def test_plan_slides_splits_forty_long_points_into_numbered_continuations() -> None:
    points = [LONG_POINT.format(n=n) for n in range(1, 41)]
    g = geometry()
    warnings: list[Problem] = []
    plans = plan_slides(
        deck(h2("Idlib: press for a ceasefire"), bullets(*points), notes("Talk.")), g, warnings
    )
    n = len(plans)
    assert n > 3
    assert [p.title for p in plans] == [f"Idlib: press for a ceasefire ({i}/{n})" for i in range(1, n + 1)]
    placed = [para.text for p in plans for para in p.body.paras]
    assert placed == points  # every point exactly once, in order
    assert all(p.body.size == 20 for p in plans)  # split, not shrunk
    assert_fits(plans, g)
    assert warnings == []
    assert all(p.notes for p in plans)


def test_plan_slides_keeps_short_content_on_one_slide_and_sets_it_larger() -> None:
    """Two short points would leave the slide three-quarters empty: they grow (at most 1.3x)."""
    plans = plan_slides(deck(h2("Bottom line"), bullets("One.", "Two.")), geometry(), [])
    assert [p.title for p in plans] == ["Bottom line"]
    assert 20 < plans[0].body.size <= 26
    assert [p.text for p in plans[0].body.paras] == ["One.", "Two."]


def test_plan_slides_splits_a_long_table_repeating_the_header() -> None:
    header = ((Cell((Text("ID"),)), Cell((Text("Risk"),)), Cell((Text("Mitigation"),))),)
    body = tuple(
        (
            Cell((Text(f"R{i}"),)),
            Cell((Text(f"Risk {i} could escalate quickly if not handled early"),)),
            Cell((Text(f"Engage partners early; keep channel {i} open"),)),
        )
        for i in range(1, 31)
    )
    g = geometry()
    plans = plan_slides(deck(h2("Risk register", "table"), Table(header, body)), g, [])
    assert len(plans) > 1
    assert all(p.table.header[0][0].text == "ID" and p.table.header[0][0].bold for p in plans)
    ids = [row[0].text for p in plans for row in p.table.rows]
    assert ids == [f"R{i}" for i in range(1, 31)]
    for p in plans:
        assert sum(p.table.heights) <= g.frame("table").body.height
        assert abs(sum(p.table.widths) - g.frame("table").body.width) < 0.01
    assert plans[-1].title.endswith(f"({len(plans)}/{len(plans)})")


def test_plan_slides_handles_an_overlong_title_without_losing_words() -> None:
    title = (
        "The Minister should press for an immediate and verifiable ceasefire in Idlib, keeping the "
        "Astana format alive and preparing an Istanbul summit with France, Germany and Russia later "
        "this year so that the humanitarian situation improves before the winter sets in"
    )
    words = title.split(" ")
    warnings: list[Problem] = []
    g = geometry()
    plans = plan_slides(deck(h2(" ".join(words)), bullets("A point.")), g, warnings)
    assert len(plans) == 1
    plan = plans[0]
    assert plan.title_size >= g.min_title_pt
    spill = plan.body.paras[0]
    assert spill.lead and spill.bold
    assert (plan.title.rstrip(",") + " " + spill.text).split() == [w for w in words]
    assert not plan.title.endswith("…")
    assert any("title is too long" in w.message for w in warnings)
    assert_fits(plans, g)


def test_plan_slides_shrinks_a_title_before_spilling_it() -> None:
    title = "Turkey's purchase of the S-400 system strains its NATO ties and invites US sanctions this year"
    g = geometry()
    plans = plan_slides(deck(h2(title + " and next")), g, [])
    assert plans[0].title == title + " and next"
    assert plans[0].title_size <= 26
    assert_fits(plans, g)


def test_plan_slides_sets_a_slide_smaller_rather_than_split_it() -> None:
    # One point that needs about 16 lines at 20 pt: with two short ones it fits one slide at
    # 14 pt or more (at most 0.7 of the layout's 20 pt), so the slide is set smaller, not split.
    big = " ".join(f"Sentence {k} explains the state of play in some detail." for k in range(1, 28))
    g = geometry()
    warnings: list[Problem] = []
    plans = plan_slides(
        deck(h2("Background"), bullets("Short first point.", big, "Short last point.")), g, warnings
    )
    assert len(plans) == 1 and 14 <= plans[0].body.size < 20
    assert [para.text for para in plans[0].body.paras] == ["Short first point.", big, "Short last point."]
    assert warnings == []
    assert_fits(plans, g)


def test_plan_slides_shrinks_a_single_point_only_as_last_resort() -> None:
    # Two such points cannot share a slide even at 14 pt: the deck splits, and only the slides
    # holding a point too tall for a slide of its own at 20 pt are set smaller.
    big = " ".join(f"Sentence {k} explains the state of play in some detail." for k in range(1, 28))
    other = big.replace("Sentence", "Further sentence")
    g = geometry()
    warnings: list[Problem] = []
    plans = plan_slides(
        deck(h2("Background"), bullets("Short first point.", big, other, "Short last point.")), g, warnings
    )
    sizes = [p.body.size for p in plans]
    assert len(plans) == 4
    assert sizes[0] == 20 and sizes[3] == 20  # neighbours keep the full size
    assert 14 <= sizes[1] < 20 and 14 <= sizes[2] < 20
    assert [para.text for p in plans for para in p.body.paras] == [
        "Short first point.",
        big,
        other,
        "Short last point.",
    ]
    assert warnings == []
    assert_fits(plans, g)


def test_plan_slides_splits_an_enormous_point_at_the_minimum_and_warns() -> None:
    big = " ".join(f"Sentence {k} explains the state of play in considerable detail." for k in range(1, 200))
    g = geometry(min_font_pt=16)
    warnings: list[Problem] = []
    plans = plan_slides(deck(h2("Background"), bullets(big)), g, warnings)
    assert len(plans) > 1
    assert all(p.body.size == 16 for p in plans)  # never below the configured minimum
    assert " ".join(para.text for p in plans for para in p.body.paras) == big
    assert plans[0].body.paras[0].bullet == "bullet"
    assert all(p.body.paras[0].bullet == "" for p in plans[1:])  # continuations of one point
    assert any("too long for one slide" in w.message for w in warnings)
    assert_fits(plans, g)


def test_plan_slides_gives_every_slide_a_unique_title() -> None:
    warnings: list[Problem] = []
    plans = plan_slides(deck(h2("Syria"), bullets("a"), h2("Syria"), bullets("b")), geometry(), warnings)
    titles = [p.title for p in plans]
    assert len(set(titles)) == len(titles) == 2
    assert any("two slides are titled" in w.message for w in warnings)


def test_plan_slides_title_slide_carries_information_as_of() -> None:
    doc = deck(
        Heading(1, (Text("Meeting"),), classes=("title",)), Paragraph((Text("Ankara, 13 August 2018"),))
    )
    plans = plan_slides(doc, geometry(), [])
    assert plans[0].kind == "title"
    assert [p.text for p in plans[0].body.paras] == [
        "Ankara, 13 August 2018",
        "Information as of 12 August 2018",
    ]


def test_plan_slides_reads_notes_and_source_line() -> None:
    doc = deck(
        h2("Idlib"),
        bullets("A point."),
        Paragraph((Text("Source: Anadolu Agency, 13 August 2018", classes=("source",)),)),
        notes("Open with thanks."),
    )
    [plan] = plan_slides(doc, geometry(), [])
    assert plan.source is not None and plan.source.text == "Source: Anadolu Agency, 13 August 2018"
    assert plan.notes_text.splitlines() == ["Open with thanks.", "", "Source: Anadolu Agency, 13 August 2018"]
    assert [p.text for p in plan.body.paras] == ["A point."]  # the source line is not a point
    assert plan.marking is not None and plan.marking.text == "UNCLASSIFIED"


def test_plan_slides_places_risks_in_heat_map_cells() -> None:
    matrix = RiskMatrix(
        (
            RiskPoint("R1", "Offensive on Idlib", 4, 5, 20, "red"),
            RiskPoint("R2", "Sanctions", 3, 3, 9, "amber"),
            RiskPoint("R3", "Delay", 3, 3, 9, "amber"),
        ),
        red_from=12,
        amber_from=5,
    )
    [plan] = plan_slides(deck(h2("Risks", "risk-map"), matrix), geometry(), [])
    cells = plan.risk_map.cells
    assert len(cells) == 6 and all(len(r) == 6 for r in cells)
    for r in range(5):
        likelihood = 5 - r
        for c in range(1, 6):
            score = likelihood * c
            assert cells[r][c].rag == ("red" if score >= 12 else "amber" if score >= 5 else "green")
    # Numbers, not ids, in the cells; the key gives each number its title.
    assert cells[5 - 4][5].text == "1"
    assert cells[5 - 3][3].text == "2, 3"
    assert [i.text for i in plan.risk_map.legend] == [
        "Red: score ≥ 12",
        "Amber: score 5–10",
        "Green: score ≤ 4",
    ]
    assert [p.text for p in plan.risk_map.key.paras] == [
        "1  Offensive on Idlib (red, 4×5\u00a0=\u00a020)",
        "2  Sanctions (amber, 3×3\u00a0=\u00a09)",
        "3  Delay (amber, 3×3\u00a0=\u00a09)",
    ]
    assert "R1" not in plan.risk_map.alt and "1, Offensive on Idlib" in plan.risk_map.alt


def test_plan_slides_draws_a_timeline_up_to_ten_events_and_a_table_beyond() -> None:
    events = tuple(TimelineEvent(f"{d} January 2018", f"Event {d}", highlight=d == 3) for d in range(1, 6))
    [plan] = plan_slides(deck(h2("Chronology", "timeline"), Timeline(events)), geometry(), [])
    assert plan.timeline is not None
    xs = [e.x for e in plan.timeline.events]
    assert xs == sorted(xs)
    assert [e.above for e in plan.timeline.events] == [True, False, True, False, True]
    assert [e.highlight for e in plan.timeline.events] == [False, False, True, False, False]
    many = tuple(TimelineEvent(f"{d} March 2018", f"Event {d}") for d in range(1, 31))
    plans = plan_slides(deck(h2("Chronology", "timeline"), Timeline(many)), geometry(), [])
    assert all(p.timeline is None and p.table is not None for p in plans)
    assert [row[1].text for p in plans for row in p.table.rows] == [f"Event {d}" for d in range(1, 31)]


def test_plan_slides_two_columns_split_in_parallel() -> None:
    left = Div(("left",), (bullets(*[LONG_POINT.format(n=n) for n in range(12)]),))
    right = Div(("right",), (bullets("Short."),))
    g = geometry()
    plans = plan_slides(deck(h2("Ours and theirs", "two-column"), left, right), g, [])
    assert len(plans) > 1 and all(p.kind == "two-column" for p in plans)
    assert [p.text for p in plans[0].right.paras] == ["Short."]
    assert all(p.right is None for p in plans[1:])
    assert_fits(plans, g)


def test_plan_slides_keeps_no_break_spaces_in_titles_and_cells() -> None:
    """`Sergey Lavrov` and `10 000` with no-break spaces must reach PowerPoint as written, or the
    slide could break a line where the planner measured none."""
    name, number = "Sergey\u00a0Lavrov", "10\u202f000"
    header = ((Cell((Text("Who"),)), Cell((Text("Troops"),))),)
    body = ((Cell((Text(f"  {name}\n"),)), Cell((Text(number),))),)
    plans = plan_slides(deck(h2(f"Talks  with {name}", "table"), Table(header, body)), geometry(), [])
    [plan] = plans
    assert plan.title == f"Talks with {name}"
    assert [cell.text for cell in plan.table.rows[0]] == [name, number]
