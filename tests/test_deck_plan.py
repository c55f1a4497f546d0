"""Issue 13: the deck a private office keeps, checked on the plan (pure data, no python-pptx):
the worked example within its slide budget, every slide carrying its message, no ids, legible
banners, one RAG band, notes worth reading, nothing colliding, lists keeping their depth, and
reference decks of other shapes adapted with a warning instead of cut."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from briefgen.cli import main
from briefgen.errors import Problem
from briefgen.model import (
    Document,
    Heading,
    ListBlock,
    ListItem,
    Meta,
    Paragraph,
    Text,
    Timeline,
    TimelineEvent,
)
from briefgen.pipeline import BuildOptions, Step, run
from briefgen.problems import format_github, format_json, format_problem
from briefgen.rag import rag_bands
from briefgen.resources import bundled_reference_bytes
from briefgen.slides import DeckPlan, plan_deck
from briefgen.slides.collisions import collisions
from briefgen.slides.reference import read_geometry
from briefgen.templating import TemplateSet

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "facts" / "lavrov-cavusoglu-ankara-2018.yaml"
CASES = ROOT.parent / "shared" / "cases"
TEMPLATES = TemplateSet()
LABEL_TITLES = {"key judgments", "how we got here", "who is who", "press line and next steps", "appendix"}


def planned(facts: Path, reference: Path | None = None) -> tuple[DeckPlan, list[Problem]]:
    """The deck as `check` plans it (the pipeline up to its plan step)."""
    result = run(facts, BuildOptions(reference_pptx=reference), TEMPLATES, until=Step.PLAN)
    assert result.deck is not None
    return result.deck, result.warnings


@pytest.fixture(scope="module")
def example() -> tuple[DeckPlan, list[Problem]]:
    return planned(EXAMPLE)


def _texts(slide) -> list[str]:  # type: ignore[no-untyped-def]
    out = [slide.title]
    for _name, text in slide.text_plans():
        out.append(text.text)
    for table in slide.tables:
        out.extend(c.text for row in (*table.header, *table.rows) for c in row)
    if slide.risk_map is not None:
        out.extend(c.text for row in slide.risk_map.cells for c in row)
        out.append(slide.risk_map.alt)
    if slide.timeline is not None:
        out.extend(e.label for e in slide.timeline.events)
        out.append(slide.timeline.alt)
    return out


def _ids(facts: Path) -> set[str]:
    data = yaml.safe_load(facts.read_text(encoding="utf-8"))
    found = set()
    for section in ("people", "agenda", "facts", "risks", "sources"):
        found |= {item["id"] for item in data.get(section, []) if isinstance(item, dict) and "id" in item}
    return found


def test_deck_plan_worked_example_within_budget_without_divider(example) -> None:
    deck, warnings = example
    assert len(deck.slides) <= 12
    assert not any("slide_budget" in w.message for w in warnings)
    assert [s.kind for s in deck.slides].count("section") == 0  # no divider slide
    assert all(s.parts == 1 for s in deck.slides)


def test_deck_plan_no_content_slide_more_than_half_empty(example) -> None:
    deck, _ = example
    for slide in deck.slides[1:]:
        if slide.part < slide.parts or slide.parts == 1:
            assert slide.fill >= 0.5, (slide.title, slide.fill)


def test_deck_plan_titles_state_the_point_and_headlines_fall_back_to_the_title(example, tmp_path) -> None:
    deck, _ = example
    titles = [s.title for s in deck.slides]
    assert not {t.casefold() for t in titles} & LABEL_TITLES
    assert titles[1] == "Idlib is our red line; we need Russia to restrain Damascus"
    assert titles[-1].startswith("Appendix: 1 source")
    # Without a headline an agenda slide is titled by its item, never "title: position".
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    item = data["agenda"][3]
    del item["headline"]
    item["likelihood"] = "unlikely"
    data["slide_titles"] = {"judgments": "We expect an assault on Idlib within weeks"}
    facts = tmp_path / "brief.yaml"
    facts.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    titles = [s.title for s in planned(facts)[0].slides]
    assert item["title"] in titles
    assert not any(t.startswith(item["title"] + ":") for t in titles)
    assert "We expect an assault on Idlib within weeks" in titles


def test_deck_plan_shows_no_machine_ids_on_slides_or_in_notes(example) -> None:
    deck, _ = example
    words = re.compile(r"[\w.-]+")
    for slide in deck.slides:
        found = set(words.findall(" ".join(_texts(slide)) + " " + slide.notes_text))
        assert not found & {i for i in _ids(EXAMPLE) if "-" in i}, slide.title


def test_deck_plan_agenda_slides_carry_position_points_likelihood_and_risks(example) -> None:
    deck, _ = example
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for item in data["agenda"]:
        [slide] = [s for s in deck.slides if s.title == item["headline"]]
        text = "\n".join(_texts(slide))
        assert "Our position:" in text and item["position"] in text
        assert f"Likely to be raised: {item['likelihood']}" in text
        assert all(p["text"] in text for p in item["points"])
        runs = [r for t in (slide.right,) if t for p in t.paras for r in p.runs]
        assert any(r.rag for r in runs), slide.title  # at least one linked risk with its RAG


def test_deck_plan_counterparts_on_the_slide_with_native_name_bio_and_source(example) -> None:
    deck, _ = example
    [slide] = [s for s in deck.slides if s.title.startswith("Across the table: Sergey Lavrov")]
    text = slide.body.text
    assert "Сергей Лавров" in text and "Russia's foreign minister" in text and "Source:" in text
    assert "Our side:" in text and "Mevlüt Çavuşoğlu" in text


def test_deck_plan_banners_at_least_ten_points_bold(example, tmp_path) -> None:
    deck, _ = example
    for slide in deck.slides:
        for banner in (slide.marking, slide.marking_bottom):
            assert banner is not None and banner.size >= 10 and banner.paras[0].bold
    assert deck.slides[0].marking.size == 12
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["output"]["banner_pt"] = 16
    facts = tmp_path / "brief.yaml"
    facts.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert planned(facts)[0].slides[3].marking.size == 16


def test_deck_plan_one_truth_per_rag_band(example) -> None:
    deck, _ = example
    bands = rag_bands(12, 5)
    assert [b.scores for b in bands] == ["≥ 12", "5–10", "≤ 4"]
    everything = "\n".join(t for s in deck.slides for t in [*_texts(s), s.notes_text])
    ambers = set(re.findall(r"[Aa]mber:? (?:score )?(\d+–\d+)", everything))
    assert ambers == {"5–10"}
    [heat] = [s for s in deck.slides if s.risk_map is not None]
    assert [i.text for i in heat.risk_map.legend] == [
        "Red: score ≥ 12",
        "Amber: score 5–10",
        "Green: score ≤ 4",
    ]
    # The keys are separate tables: the rating scales, and score band -> RAG.
    appendix = deck.slides[-1]
    headers = [tuple(c.text for c in t.header[0]) for t in appendix.tables]
    assert ("Rating", "Likelihood", "Impact") in headers and ("Score (L × I)", "RAG") in headers


def test_deck_plan_notes_worth_reading(example) -> None:
    deck, _ = example
    notes = [s.notes_text for s in deck.slides]
    assert notes[0].startswith("Purpose:") and "How to use this deck" in notes[0]
    assert len(set(notes)) == len(notes)  # no two slides share notes
    for text in notes:
        assert "Sources: Source" not in text and "Source: Source" not in text
        lines = text.split("\n")
        for i, line in enumerate(lines):  # no heading followed by nothing
            if line.endswith(":") and len(line) < 40:
                assert i + 1 < len(lines) and (lines[i + 1].strip() or lines[i + 2].strip()), (line, text)
    assert any(line == "" for line in notes[2].split("\n"))  # paragraphs separated


def _no_collisions(deck: DeckPlan) -> None:
    for slide in deck.slides:
        title = deck.geometry.frame(slide.kind).title
        assert collisions(slide, title) == [], slide.title
        for _name, text in slide.text_plans():
            assert text.height <= text.box.inner_height, (slide.title, _name)


def test_deck_plan_nothing_collides_in_the_worked_example(example) -> None:
    _no_collisions(example[0])


def test_deck_plan_title_slide_never_splits() -> None:
    deck, _ = planned(CASES / "title-slide-split.yaml")
    titles = [s.title for s in deck.slides]
    assert deck.slides[0].kind == "title" and not any("(1/2)" in t for t in titles)
    assert [s.kind for s in deck.slides].count("title") == 1
    subtitle = deck.slides[0].body.text
    assert "Dr. Sadık Ahmet Street No. 8" in subtitle and "Information as of 10 August 2018" in subtitle
    _no_collisions(deck)


def _geometry():  # type: ignore[no-untyped-def]
    return read_geometry(bundled_reference_bytes("pptx"))


def _timeline_deck(events: list[tuple[str, str]]) -> Document:
    timeline = Timeline(
        tuple(TimelineEvent(d, label, highlight=i == len(events) - 1) for i, (d, label) in enumerate(events))
    )
    return Document(
        Meta(title="T", marking="OFFICIAL", kind="deck"),
        (Heading(2, (Text("Chronology"),), classes=("timeline",)), timeline),
    )


@pytest.mark.parametrize("count", [2, 3, 5, 7, 10, 14])
def test_deck_plan_timeline_labels_never_overlap(count) -> None:
    long = "Talks on the ceasefire resume in Geneva after months of delay, with both delegations present"
    events = [(f"{d} Mar 2018", long if d % 2 else "Short") for d in range(1, count + 1)]
    deck = plan_deck(_timeline_deck(events), _geometry(), [])
    assert deck.slides and all(s.timeline is not None or s.table is not None for s in deck.slides)
    placed = [e.label for s in deck.slides if s.timeline for e in s.timeline.events]
    tabled = [r[1].text for s in deck.slides if s.table for r in s.table.rows]
    assert len(placed) + len(tabled) == count  # nothing lost
    _no_collisions(deck)
    for slide in deck.slides:
        if slide.timeline is not None:
            area = deck.geometry.frame("timeline").body
            for e in slide.timeline.events:
                for box in (e.date_box, e.label_box):
                    assert area.left - 0.5 <= box.left and box.right <= area.right + 0.5


def _nested() -> Document:
    def item(text: str, *sub: ListBlock) -> ListItem:
        return ListItem((Paragraph((Text(text),)), *sub))

    three = ListBlock(True, (item("One-a-i"), item("One-a-ii")))
    two = ListBlock(True, (item("One-a", three), item("One-b", ListBlock(True, (item("One-b-i"),)))))
    deep = ListBlock(False, (item("Four deep", ListBlock(False, (item("Five deep"),))),))
    top = ListBlock(True, (item("One", two), item("Two", ListBlock(True, (item("Two-a", deep),)))))
    return Document(Meta(title="T", kind="deck"), (Heading(2, (Text("Nested lists"),)), top))


def test_deck_plan_lists_keep_their_depth_and_restart_numbering() -> None:
    deck = plan_deck(_nested(), _geometry(), [])
    paras = [p for s in deck.slides for p in (s.body.paras if s.body else ())]
    got = [(p.text, p.level, p.number) for p in paras]
    assert got[:8] == [
        ("One", 0, 1),
        ("One-a", 1, 1),
        ("One-a-i", 2, 1),
        ("One-a-ii", 2, 2),
        ("One-b", 1, 2),
        ("One-b-i", 2, 1),
        ("Two", 0, 2),
        ("Two-a", 1, 1),
    ]
    assert [(p.text, p.level, p.bullet) for p in paras[8:]] == [
        ("Four deep", 2, "bullet"),
        ("Five deep", 3, "bullet"),
    ]


def _reference(kind: str, folder: Path) -> Path:
    """The two 4:3 references of case 08, made as its generator makes them, and a 16:9 one
    whose content layout is wider than the slide."""
    from pptx import Presentation  # only to make the test's input, as the case's generator does

    path = folder / f"{kind}.pptx"
    if kind == "default":
        Presentation().save(str(path))
    elif kind == "wide":  # 16:9, but the content layout's body runs 200 pt past the right edge
        prs = Presentation(str(ROOT / "templates" / "reference.pptx"))
        layout = next(lay for lay in prs.slide_layouts if lay.name == "Title and Content")
        body = next(ph for ph in layout.placeholders if ph.placeholder_format.idx == 1)
        body.width = body.width + 200 * 12700
        prs.save(str(path))
    else:
        prs = Presentation(str(ROOT / "templates" / "reference.pptx"))
        prs.slide_width, prs.slide_height = 9144000, 6858000
        prs.save(str(path))
    return path


@pytest.mark.parametrize("kind", ["default", "resized", "wide"])
def test_deck_plan_reference_decks_of_other_shapes_are_adapted_not_cut(kind, tmp_path) -> None:
    reference = _reference(kind, tmp_path)
    deck, warnings = planned(EXAMPLE, reference)
    g = deck.geometry
    assert (g.width, g.height) == ((960, 540) if kind == "wide" else (720, 540))
    for slide in deck.slides:
        boxes = [t.box for _n, t in slide.text_plans()] + [t.box for t in slide.tables]
        boxes.append(g.frame(slide.kind).title)
        for box in boxes:
            assert box.left >= -0.5 and box.right <= g.width + 0.5 and box.bottom <= g.height + 0.5
    _no_collisions(deck)
    assert [s.kind for s in deck.slides].count("title") == 1  # the cover never splits
    named = [w.message for w in warnings if w.file == str(reference)]
    if kind in ("resized", "wide"):
        assert any("past the edge" in m and "'Title and Content'" in m for m in named), named
    else:
        assert any("32 pt" in m for m in named), named


def test_deck_plan_slide_budget_warns_in_check_with_the_planned_count(tmp_path, capsys) -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    base = data["agenda"][0]
    data["agenda"] = [
        dict(copy.deepcopy(base), id=f"item-{n}", headline=f"Point {n} matters") for n in range(12)
    ]
    for risk in data["risks"]:
        risk["agenda"] = ["item-0"]
    facts = tmp_path / "brief.yaml"
    facts.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    deck, warnings = planned(facts)
    [warning] = [w for w in warnings if "output.slide_budget" in w.message]
    assert f"planned at {len(deck.slides)} slides" in warning.message and "budget of 12" in warning.message
    assert main(["check", str(facts)]) == 0
    assert f"the deck is planned at {len(deck.slides)} slides" in capsys.readouterr().err
    data["output"]["slide_budget"] = 30
    facts.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert not any("slide_budget" in w.message for w in planned(facts)[1])


def test_deck_plan_runs_without_python_pptx() -> None:
    """The planning step (and check) never import python-pptx."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from briefgen.pipeline import BuildOptions, Step, run\n"
        f"r = run(Path({str(EXAMPLE)!r}), BuildOptions(), until=Step.PLAN)\n"
        "assert r.deck is not None and len(r.deck.slides) > 5\n"
        "print('pptx' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


# The heat map's axis labels (issue 13's leftover: "Insignificant" broken mid-word in 4:3 cells)

# The longest impact word of each catalog tried: German, Russian and Turkish words are long.
LONGEST_IMPACT = {"en-GB": "Insignificant", "de": "Schwerwiegend", "ru": "Незначительное", "tr": "Önemsiz"}


def in_language(language: str, folder: Path) -> Path:
    """The worked example with `output.language` set to `language` (its labels translated)."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["output"]["language"] = language
    facts = folder / f"example-{language}.yaml"
    facts.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return facts


@pytest.mark.parametrize(
    ("kind", "language"),
    [
        (None, "en-GB"),
        (None, "de"),
        (None, "ru"),
        ("default", "en-GB"),
        ("default", "ru"),
        ("default", "tr"),
        ("resized", "en-GB"),
        ("resized", "de"),
    ],
)
def test_deck_plan_heat_map_labels_never_break_inside_a_word(kind, language, tmp_path) -> None:
    from briefgen.metrics import font_metrics, split_words
    from briefgen.slides.geometry import CELL_MARGINS, WIDTH_SAFETY

    reference = _reference(kind, tmp_path) if kind else None
    deck, _warnings = planned(in_language(language, tmp_path), reference)
    maps = [s.risk_map for s in deck.slides if s.risk_map is not None]
    assert maps
    for rm in maps:
        metrics = font_metrics(rm.box.font)
        labels = [(row[0], rm.widths[0]) for row in rm.cells[:5]]
        labels += list(zip(rm.cells[5][1:], rm.widths[1:], strict=True))
        for cell, width in labels:
            inner = (width - CELL_MARGINS[0] - CELL_MARGINS[2]) * WIDTH_SAFETY
            for word in split_words(cell.text):
                assert metrics.width(word, rm.label_size) <= inner, (word, width)
        # Every impact label is on the slide: in its column's cell, or keyed under the axis.
        impact = [c.text for c in rm.cells[5][1:]]
        if rm.scale:
            assert impact == ["1", "2", "3", "4", "5"]
            assert [s.split("\u00a0")[0] for s in rm.scale] == impact
            assert any(s.endswith(LONGEST_IMPACT[language]) for s in rm.scale)
        else:
            assert any(t.endswith(LONGEST_IMPACT[language]) for t in impact)
        assert rm.box.right <= deck.geometry.width and rm.impact_title.bottom <= deck.geometry.height
    _no_collisions(deck)


@pytest.mark.parametrize("kind", ["bundled", "default"])
def test_deck_plan_heat_map_template_labels_keyed_when_too_long(kind, tmp_path) -> None:
    """Labels a template passes in its risk-matrix block follow the same rules as the catalogs'."""
    from briefgen.model import RiskMatrix, RiskPoint
    from briefgen.slides.graphics import plan_risk_map

    data = bundled_reference_bytes("pptx") if kind == "bundled" else _reference(kind, tmp_path).read_bytes()
    geometry = read_geometry(data)
    long = ("Catastrophic-escalation", "Humanitarian", "Internationalisation", "Major", "Severe")
    matrix = RiskMatrix((RiskPoint("a", "Assault", 4, 5, 20, "red"),), impact_labels=long)
    [plan] = plan_risk_map(matrix, geometry.frame("content").body, geometry, [], "slide")
    assert [c.text for c in plan.cells[5][1:]] == ["1", "2", "3", "4", "5"]
    assert plan.scale == tuple(f"{n}\u00a0{t}" for n, t in enumerate(long, 1))
    assert plan.impact_title.bottom <= geometry.frame("content").body.bottom + 0.5


def test_deck_plan_warnings_quote_titles_as_written() -> None:
    # A Russian date holds a narrow no-break space (U+202F) that repr would show as \u202f.
    title = "Встреча (9 авг. 2018\u202fг.)"
    heading = (Heading(2, (Text(title),)), Paragraph((Text("Пункт."),)))
    document = Document(Meta(title="T", marking="OFFICIAL", kind="deck", language="ru"), heading + heading)
    warnings: list[Problem] = []
    plan_deck(document, _geometry(), warnings)
    duplicate = next(p for p in warnings if "two slides are titled" in p.message)
    assert f"'{title}'" in duplicate.message and "\\u202f" not in duplicate.message
    shown = [format_problem(duplicate), format_json([duplicate]), format_github([duplicate])]
    assert all("\\u202f" not in text and "\u202f" in text for text in shown)


@pytest.mark.parametrize("language", ["en-GB", "ru"])
def test_deck_plan_heat_map_impact_numbers_stacked_alike(language, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The impact axis never shows '1' / 'Insignificant' beside '2 Minor': the numbers stay
    beside their labels, or all five stand above them (or a scale row keys them)."""
    deck, _ = planned(in_language(language, tmp_path))
    plan = next(s.risk_map for s in deck.slides if s.risk_map is not None)
    labels = [c.text for c in plan.cells[-1][1:]]
    assert len(labels) == 5 and len({"\n" in t for t in labels}) == 1, labels
    if language == "en-GB":  # "Insignificant" does not fit beside its number on 16:9
        assert labels[0] == "1\nInsignificant" and labels[1] == "2\nMinor"
    _no_collisions(deck)


@pytest.mark.parametrize("kind", ["default", "resized"])
def test_deck_plan_heat_map_key_set_smaller_before_a_second_map(kind, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """On 4:3 the worked example's six risks fit one heat map with the key a point or two
    smaller (never under the deck's minimum), instead of a second map for the sixth risk."""
    deck, _ = planned(EXAMPLE, _reference(kind, tmp_path))
    maps = [s.risk_map for s in deck.slides if s.risk_map is not None]
    assert [m.numbers for m in maps] == [(1, 2, 3, 4, 5, 6)]
    key = maps[0].key
    assert deck.geometry.min_font_pt <= key.size < 16.0 and key.height <= key.box.inner_height
    _no_collisions(deck)
