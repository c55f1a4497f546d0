"""`briefgen check`: everything a build verifies, without writing (and without loading
python-docx or python-pptx unless a reference presentation is to be checked)."""

from __future__ import annotations

from pathlib import Path

from briefgen.errors import Problem
from briefgen.facts import load_facts
from briefgen.templating import TemplateSet, render_templates


def check_briefing(path: Path, templates: TemplateSet) -> list[Problem]:
    """Validate one fact file and render its templates; return warnings, raise on errors."""
    from briefgen.markup import read_markdown
    from briefgen.pagination import estimate_body_pages

    loaded = load_facts(path)
    warnings = list(loaded.warnings)
    markdown = render_templates(loaded.briefing, templates, ("memo", "deck"))
    memo = read_markdown(markdown["memo"], source=f"{path.stem}-memo.md", warnings=warnings)
    read_markdown(markdown["deck"], source=f"{path.stem}-deck.md", warnings=warnings)
    budget = loaded.briefing.output.page_budget
    pages = estimate_body_pages(memo)
    if pages > budget:
        warnings.append(
            Problem(
                f"the memo body is about {pages:.1f} pages, over its budget of {budget} "
                f"(output.page_budget); move detail to the annexes",
                file=str(path),
                severity="warning",
            )
        )
    return warnings
