"""The fact base: models, located errors, cross-checks."""

from __future__ import annotations

import re

import pytest

from briefgen.errors import InvalidFacts
from briefgen.facts import load_facts
from briefgen.facts.markings import Marking
from tests.conftest import EXAMPLE


def _problems(path) -> list:
    with pytest.raises(InvalidFacts) as caught:
        load_facts(path)
    return caught.value.problems


def problems_of(path) -> list[str]:
    with pytest.raises(InvalidFacts) as caught:
        load_facts(path)
    return [p.format() for p in caught.value.problems]


def test_load_facts_example_is_valid_with_derived_ratings():
    loaded = load_facts(EXAMPLE)
    b = loaded.briefing
    assert loaded.warnings == []
    assert [a.id for a in b.agenda] == ["syria-astana-idlib", "istanbul-quartet", "s400", "humanitarian"]
    assert {p.name for p in b.people} >= {"Mevlüt Çavuşoğlu", "Sergey Lavrov", "Recep Tayyip Erdoğan"}
    assert b.person("lavrov").native_name == "Сергей Лавров"
    assert b.marking.banner == "UNCLASSIFIED"
    offensive = b.risk("idlib-offensive")
    assert (offensive.score, offensive.rag) == (20, "red")
    assert b.risk("readout").rag == "green"
    assert b.risk("s400-allies").rag == "amber"
    # Every fact names a source, and every source is the seed report.
    assert all(f.sources == ["seed-report"] for f in b.facts)


def test_load_facts_minimal_fixture_is_valid(write_facts, minimal_yaml):
    b = load_facts(write_facts(minimal_yaml)).briefing
    assert b.meeting.start.utcoffset().total_seconds() == 7200
    assert b.facts[0].date == "2023"
    assert b.risks[0].rag == "red"  # 3 x 4 = 12, red from 12


def test_load_facts_unknown_risk_id_suggests_the_near_miss(write_facts, minimal_yaml):
    text = minimal_yaml.replace("risks: [talks-fail]", "risks: [talks-fial]")
    [message] = problems_of(write_facts(text))
    assert re.fullmatch(
        r".*brief\.yaml:40:13: agenda\[0\]\.risks\[0\]: unknown risk id 'talks-fial' "
        r"\(did you mean 'talks-fail'\?\)",
        message,
    ), message


def test_load_facts_unknown_key_is_located_with_suggestion(write_facts, minimal_yaml):
    text = minimal_yaml.replace("    statement: Trade grew", "    statment: Trade grew")
    messages = problems_of(write_facts(text))
    assert any(
        re.search(
            r"brief\.yaml:43:5: facts\[0\]\.statment: unknown key 'statment' \(did you mean 'statement'\?\)",
            m,
        )
        for m in messages
    ), messages
    # One mistake, one problem: the missing field the typo left behind is not reported again at
    # the top of the item; the suggestion says it is required.
    assert not any("missing required field" in m for m in messages), messages
    problem = next(p for p in _problems(write_facts(text)) if p.path == "facts[0].statment")
    assert problem.hint.startswith("'statement' is a required field.")


def test_load_facts_reports_every_problem_together(write_facts, minimal_yaml):
    text = (
        minimal_yaml.replace("likelihood: 3", "likelihood: seven")
        .replace("sources: [stats]", "sources: [statz]")
        .replace("likelihood: certain", "likelihood: certian")
    )
    messages = problems_of(write_facts(text))
    joined = "\n".join(messages)
    assert "risks[0].likelihood" in joined and "'seven'" in joined
    assert "facts[0].sources[0]: unknown source id 'statz' (did you mean 'stats'?)" in joined
    assert (
        "agenda[0].likelihood: 'certian' is not allowed; expected one of certain, possible, unlikely "
        "(did you mean 'certain'?)" in joined
    )
    assert all(re.match(r".*brief\.yaml:\d+:\d+: ", m) for m in messages)


def test_load_facts_duplicate_ids_are_errors(write_facts, minimal_yaml):
    text = minimal_yaml.replace("  - id: counterpart\n", "  - id: minister\n")
    messages = problems_of(write_facts(text))
    assert any("people[1].id: duplicate id 'minister' (also used by people[0])" in m for m in messages)


def test_load_facts_dates_out_of_order_are_errors(write_facts, minimal_yaml):
    text = minimal_yaml.replace("information_as_of: 2024-05-01", "information_as_of: 2024-05-09")
    text = text.replace("date_prepared: 2024-05-02", "date_prepared: 2024-05-04")
    messages = problems_of(write_facts(text))
    assert any(
        "information_as_of: information as of 2024-05-09 is after the date prepared 2024-05-04" in m
        for m in messages
    )
    assert any(
        "date_prepared: date prepared 2024-05-04 is after the meeting starts (2024-05-03)" in m
        for m in messages
    )


def test_load_facts_meeting_end_before_start_is_an_error(write_facts, minimal_yaml):
    text = minimal_yaml.replace("end: 2024-05-03T11:00:00+02:00", "end: 2024-05-02T11:00:00+02:00")
    assert any("the meeting ends before it starts" in m for m in problems_of(write_facts(text)))


def test_load_facts_red_risk_without_rationale_is_an_error(write_facts, minimal_yaml):
    text = minimal_yaml.replace("    rationale: Positions are far apart.\n", "")
    [message] = problems_of(write_facts(text))
    assert "risks[0]: risk rated red (score 12) needs a rationale" in message


def test_load_facts_green_risk_needs_no_rationale(write_facts, minimal_yaml):
    text = minimal_yaml.replace("    rationale: Positions are far apart.\n", "").replace(
        "impact: 4", "impact: 1"
    )
    assert load_facts(write_facts(text)).briefing.risks[0].rag == "green"


def test_load_facts_likelihood_term_outside_lexicon(write_facts, minimal_yaml):
    text = minimal_yaml + (
        "judgments:\n  lexicon: phia\n  items:\n"
        "    - statement: Talks will stall.\n      likelihood: very likely\n      confidence: low\n"
    )
    [message] = problems_of(write_facts(text))
    assert (
        "judgments.items[0].likelihood: likelihood term 'very likely' is not in the PHIA yardstick lexicon"
        in message
    )
    assert "(did you mean 'highly likely'?)" in message


def test_load_facts_non_disclosable_fact_in_points_is_an_error(write_facts, minimal_yaml):
    text = minimal_yaml.replace(
        "    sources: [stats]\n", "    sources: [stats]\n    usable_in_conversation: false\n"
    )
    [message] = problems_of(write_facts(text))
    assert (
        "agenda[0].points[0].facts[0]: fact 'trade-growth' is marked usable_in_conversation: false" in message
    )


def test_load_facts_non_disclosable_fact_in_press_line_is_an_error(write_facts, minimal_yaml):
    text = minimal_yaml.replace(
        "    sources: [stats]\n", "    sources: [stats]\n    usable_in_conversation: false\n"
    )
    text = text.replace("        facts: [trade-growth]\n", "")
    text += "press_line:\n  line: Trade is up.\n  facts: [trade-growth]\n"
    [message] = problems_of(write_facts(text))
    assert "press_line.facts[0]: fact 'trade-growth'" in message


def test_load_facts_unused_source_is_a_warning(write_facts, minimal_yaml):
    text = minimal_yaml + (
        "  - id: spare\n    title: Unused\n    publisher: Nobody\n    date: 2024\n    reference: file 1\n"
    )
    loaded = load_facts(write_facts(text))
    [warning] = loaded.warnings
    assert warning.severity == "warning"
    assert "sources[1].id: source 'spare' is not cited" in warning.format()


def test_load_facts_marking_level_must_belong_to_scheme(write_facts, minimal_yaml):
    text = minimal_yaml.replace("level: OFFICIAL", "level: SECRET//NOFORN")
    [message] = problems_of(write_facts(text))
    assert (
        ":4:10: marking.level: 'SECRET//NOFORN' is not a UK marking: 'NOFORN' is not a UK caveat" in message
    )


def test_load_facts_portion_above_banner_is_an_error(write_facts, minimal_yaml):
    text = minimal_yaml.replace(
        "    sources: [stats]\n", "    sources: [stats]\n    classification: SECRET\n", 1
    )
    error, warning = problems_of(write_facts(text))
    assert (
        "brief.yaml:46:21: facts[0].classification: portion marked SECRET raises the pack above its "
        "marking OFFICIAL (which lacks level SECRET)" in error
    )
    assert (
        "brief.yaml:39:17: warning: agenda[0].points[0].facts[0]: agenda[0].points[0] (marked OFFICIAL) "
        "cites fact 'trade-growth' marked SECRET (facts[0])" in warning
    )


def test_load_facts_yaml_syntax_error_is_located(write_facts, minimal_yaml):
    text = minimal_yaml.replace("  level: OFFICIAL", "\tlevel: OFFICIAL")
    [message] = problems_of(write_facts(text))
    assert re.match(r".*brief\.yaml:4:1: YAML syntax error: .*tabs", message), message


def test_load_facts_duplicate_key_is_an_error(write_facts, minimal_yaml):
    text = minimal_yaml.replace("summary: Bottom line", "title: Again\nsummary: Bottom line")
    [message] = problems_of(write_facts(text))
    assert "brief.yaml:9:1: title: duplicate key 'title' (first given at line 1)" in message


def test_load_facts_yaml_one_one_surprises_do_not_happen(write_facts, minimal_yaml):
    # `NO` stays the country code, not False; `1:20` stays text, not 80.
    text = minimal_yaml.replace("city: Brussels", "city: NO").replace(
        "prepared_by: Desk", "prepared_by: 1:20"
    )
    b = load_facts(write_facts(text)).briefing
    assert (b.meeting.city, b.prepared_by) == ("NO", "1:20")


def test_load_facts_top_level_list_is_refused(write_facts):
    [message] = problems_of(write_facts("- a\n- b\n"))
    assert "a fact file must be a mapping of fields" in message and "found a list" in message


def test_load_facts_empty_file_is_refused(write_facts):
    [message] = problems_of(write_facts("# only a comment\n"))
    assert "file is empty" in message


def test_models_list_defaults_are_not_shared_between_instances():
    """Lists default to `[]` (not a factory): pydantic must still give each instance its own."""
    first, second = Marking(level="UNCLASSIFIED"), Marking(level="UNCLASSIFIED")
    first.caveats.append("NOFORN")
    assert second.caveats == [] and Marking(level="UNCLASSIFIED").caveats == []
