"""The documentation says what the code does: generated parts are current, documented names exist."""

from __future__ import annotations

import re

import jinja2.defaults
import pytest

from briefgen.facts import load_facts
from briefgen.facts.schema import DOCS_COMMAND, facts_markdown
from briefgen.templating import TemplateSet
from tests.conftest import EXAMPLE, ROOT

DOCS = ROOT / "docs"


def documented_names(section: str) -> list[str]:
    """The first-column names of the table between `<!-- names: section -->` and `<!-- end names -->`."""
    text = (DOCS / "templates.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- names: {section} -->(.*?)<!-- end names -->", text, re.DOTALL)
    assert match, f"docs/templates.md has no '{section}' table"
    return re.findall(r"^\| `([^`]+)` \|", match.group(1), re.MULTILINE)


def test_docs_facts_reference_is_current():
    current = (DOCS / "facts.md").read_text(encoding="utf-8")
    assert current == facts_markdown(), f"docs/facts.md is out of date: run `{DOCS_COMMAND}`"


def test_docs_facts_reference_covers_every_model_and_field():
    from briefgen.facts.models import Briefing
    from briefgen.facts.schema import _models

    text = (DOCS / "facts.md").read_text(encoding="utf-8")
    for model in _models(Briefing):
        assert f"\n## {model.__name__}\n" in text
        for name in model.model_fields:
            assert f"| `{name}` |" in text


@pytest.mark.parametrize("kind", ["memo", "deck"])
def test_docs_templates_context_matches_the_code(kind):
    briefing = load_facts(EXAMPLE).briefing
    passed = list(TemplateSet().context(kind, briefing))
    documented = documented_names("context")
    assert sorted(documented) == sorted(passed)
    assert len(documented) == len(set(documented))


def test_docs_templates_filters_match_the_code():
    env = TemplateSet().env
    ours = set(env.filters) - set(jinja2.defaults.DEFAULT_FILTERS)
    assert sorted(documented_names("filters")) == sorted(ours)


def test_docs_templates_comment_syntax_is_the_one_configured():
    env = TemplateSet().env
    text = (DOCS / "templates.md").read_text(encoding="utf-8")
    assert f"`{env.comment_start_string} … {env.comment_end_string}`" in text


def test_docs_authoring_commands_exist():
    from briefgen.cli import cli

    text = (DOCS / "authoring.md").read_text(encoding="utf-8")
    used = set(re.findall(r"`briefgen ([a-z]+)", text))
    assert used <= set(cli.commands), used - set(cli.commands)


def test_docs_links_between_docs_resolve():
    for page in ("facts.md", "templates.md", "authoring.md"):
        text = (DOCS / page).read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([a-z-]+\.md)\)", text):
            assert (DOCS / target).exists(), f"{page} links to missing {target}"
