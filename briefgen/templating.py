"""Render a briefing to Markdown with Jinja2 templates, sandboxed.

Templates decide wording and order. A user's template folder shadows the built-in templates by
file name. Templates run in Jinja2's `SandboxedEnvironment` with `StrictUndefined`; fact text is
passed as data and escaped for Markdown by the `md` filter, so it is never template code.

`TemplateSet` owns the Jinja2 environment, the context a template receives and the mapping of
whatever a template raises to a located `TemplateProblem`. Around it: `template_sandbox` (what
a template may do and which files it may read), `template_functions` (the functions and filters
it calls), `template_limits` (time, memory and output limits) and `template_cache` (compiled
templates on disk).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import jinja2
from jinja2.exceptions import SecurityError

from briefgen import template_limits
from briefgen.citations import NoteCitations
from briefgen.errors import BriefgenError, Problem, TemplateProblem
from briefgen.facts.judgments import LEXICON_NAMES, LEXICONS
from briefgen.facts.models import Briefing
from briefgen.facts.risks import RISK_IMPACT, RISK_LIKELIHOOD
from briefgen.formats import formats_for
from briefgen.languages import Messages, language_of
from briefgen.markup import escape_markdown, markdown_link
from briefgen.resources import builtin_template_dir
from briefgen.template_cache import bytecode_cache
from briefgen.template_functions import (
    authority_block,
    citation_style,
    date_filter,
    fact_sources,
    facts_of,
    first_sentence,
    format_when,
    heading_anchor,
    highest_portion,
    keep_whole,
    lexicon_key,
    lexicon_note,
    likelihood_phrase,
    lowest_portion,
    meta_json,
    number_filter,
    portion,
    risk_matrix_json,
    score_filter,
    source_line,
    table_cell,
    term_filter,
    time_filter,
    timeline_json,
)
from briefgen.template_limits import RENDER_TIMEOUT_S, RenderStopped, collect_output, render_limits
from briefgen.template_problems import context_names, runtime_problem, syntax_problem
from briefgen.template_sandbox import Sandbox
from briefgen.vocabulary import term

TEMPLATE_NAMES = {"memo": "memo.md.j2", "deck": "deck.md.j2"}


@dataclass
class TemplateSet:
    """A Jinja2 environment over the user's folder (if any) and the built-in templates."""

    user_dir: Path | None = None
    # Where compiled templates are cached (`briefgen.config.Environment.cache_dir`); None: nowhere.
    cache_dir: Path | None = None
    env: jinja2.Environment = field(init=False)

    def __post_init__(self) -> None:
        searchpath = [str(self.user_dir)] if self.user_dir else []
        searchpath.append(str(builtin_template_dir()))
        self.env = Sandbox(
            loader=jinja2.FileSystemLoader(searchpath),
            undefined=jinja2.StrictUndefined,
            # `{#anchor}` is Markdown (pandoc heading ids), so Jinja comments are `{## … ##}`.
            comment_start_string="{##",
            comment_end_string="##}",
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            bytecode_cache=bytecode_cache(self.cache_dir),
            # Fixed words come from the message catalogs: {{ _("Summary") }}, {% trans %}.
            # The gettext functions travel in each render's context (one set per language).
            extensions=["jinja2.ext.i18n"],
        )
        # The i18n extension declares this attribute on the environment; gettext calls then
        # take %(name)s arguments (new-style gettext).
        object.__setattr__(self.env, "newstyle_gettext", True)
        self.env.filters.update(
            md=lambda v: escape_markdown(str(v)),
            cell=table_cell,
            anchor=heading_anchor,
            keep_whole=keep_whole,
            date=date_filter,
            time=time_filter,
            number=number_filter,
            score=score_filter,
            term=term_filter,
            link=markdown_link,
            first_sentence=first_sentence,
            tojson_text=lambda v: json.dumps(v, ensure_ascii=False),
        )

    def paths(self) -> list[Path]:
        """The template files in use (the user's shadowing the built-ins), for build hashes."""
        chosen: dict[str, Path] = {}
        loader = self.env.loader
        searchpath = loader.searchpath if isinstance(loader, jinja2.FileSystemLoader) else []
        for root in searchpath:
            for path in sorted(Path(root).rglob("*.j2")):
                chosen.setdefault(path.relative_to(root).as_posix(), path)
        return [chosen[name] for name in sorted(chosen)]

    def context(
        self,
        kind: str,
        briefing: Briefing,
        messages: Messages | None = None,
        facts_dir: Path | None = None,
        since: object = None,
    ) -> dict[str, object]:
        """The names a template receives (documented in docs/templates.md, checked by a test).

        `messages` is the catalog of the briefing's language (`output.language`); pass one to
        read back which messages it lacked (`Messages.problems`). `facts_dir` is the fact
        file's folder, where `output.citation_style` is found."""
        if messages is None:
            messages = Messages(language_of(briefing.output.language))
        language = messages.language
        formats = formats_for(language)
        citations = NoteCitations(
            briefing,
            citation_style(briefing, facts_dir),
            grade=lambda g: messages.gettext("grade %(grade)s", grade=g),
            mark=lambda ids: highest_portion(briefing, [briefing.source(i) for i in ids]),
        )
        lexicon = briefing.judgments.lexicon
        context: dict[str, Callable[..., object] | object] = {
            "b": briefing,
            "briefing": briefing,
            "kind": kind,
            "since": since,
            "language": language,
            "sep": formats.separators,  # {{ sep.comma }}, {{ sep.semicolon }}, {{ sep.phrase }}
            "_": messages.gettext,
            "gettext": messages.gettext,
            "pgettext": messages.pgettext,
            "ngettext": messages.ngettext,
            "npgettext": messages.npgettext,
            "meta_json": meta_json(briefing, kind, messages),
            "cite": citations.cite,
            "cite_sources": citations.cite_sources,
            "cite_each": citations.cite_each,
            "footnote_definitions": citations.definitions,
            "source_line": lambda s: source_line(s, messages),
            "source_citation": citations.full,
            "fact_sources": lambda facts: fact_sources(briefing, facts),
            "facts_of": lambda items: facts_of(briefing, items),
            "likelihood": lambda j: likelihood_phrase(briefing, j, messages),
            "portion": lambda of=None: portion(briefing, of),
            "lowest_portion": lambda: lowest_portion(briefing),
            "highest_portion": lambda items: highest_portion(briefing, items),
            "authority_block": lambda inline=False: authority_block(briefing, inline),
            "date_range": formats.date_range,
            "meeting_when": lambda meeting: format_when(meeting.start, meeting.end, language),
            "risk_likelihood_labels": MappingProxyType(
                {n: term(messages, "risk likelihood", label) for n, label in RISK_LIKELIHOOD.items()}
            ),
            "risk_impact_labels": MappingProxyType(
                {n: term(messages, "risk impact", label) for n, label in RISK_IMPACT.items()}
            ),
            "lexicons": MappingProxyType(
                {name: MappingProxyType(lexicon_key(name, messages)) for name in LEXICONS}
            ),
            "lexicon_names": MappingProxyType(
                {name: term(messages, "lexicon name", title) for name, title in LEXICON_NAMES.items()}
            ),
            "lexicon_note": lexicon_note(lexicon, messages),
            "risk_matrix_json": lambda: risk_matrix_json(briefing, messages),
            "timeline_json": lambda: timeline_json(briefing, messages),
            "agenda_ordered": sorted(
                briefing.agenda, key=lambda a: ("certain", "possible", "unlikely").index(a.likelihood)
            ),
            "risks_ranked": sorted(briefing.risks, key=lambda r: -r.score),
            "timeline_sorted": sorted(briefing.timeline, key=lambda e: e.date),
        }
        return context

    def render(
        self,
        kind: str,
        briefing: Briefing,
        messages: Messages | None = None,
        facts_dir: Path | None = None,
        since: object = None,
        timeout: float = RENDER_TIMEOUT_S,
    ) -> str:
        """Render the memo or deck template for a briefing to Markdown (fixed words from
        `messages`, by default the catalog of `output.language`; `output.citation_style`
        resolved against `facts_dir`, the fact file's folder; `since` as in
        `render_templates`), stopped after `timeout` seconds (0: no limit; the build's comes
        from BRIEFGEN_RENDER_TIMEOUT through `briefgen.config`)."""
        name = TEMPLATE_NAMES[kind]
        context = self.context(kind, briefing, messages, facts_dir, since)
        try:
            with render_limits(timeout):
                template = self.env.get_template(name)
                return collect_output(template, context)
        except TemplateProblem as exc:
            # From the loader, naming the template file; one pulled in by `{% include %}` or
            # `{% import %}` is also located at the line that named it.
            file, line = _where_parts(exc, name)
            if not line:
                raise
            raise TemplateProblem(problems=[Problem(str(exc), file=file, line=line)]) from None
        except RenderStopped as exc:
            raise _located(exc.reason, exc, name) from None
        except jinja2.TemplateSyntaxError as exc:
            raise syntax_problem(exc, name, self.env) from None
        except SecurityError as exc:
            raise _located(f"template tried something the sandbox forbids: {exc}", exc, name) from None
        except jinja2.UndefinedError as exc:
            file, line = _where_parts(exc, name)
            names = context_names(context, self.env) + list(_macro_names(self.env, name))
            raise runtime_problem(exc, file, line, names) from None
        except jinja2.TemplateNotFound as exc:
            # Also what `{% include '/etc/passwd' %}` or '../x' gives: the loader only serves
            # files inside the template folders.
            raise _located(
                f"template not found: {exc.name} "
                "(templates may include only files in the template folders, by relative name)",
                exc,
                name,
            ) from None
        except jinja2.TemplateError as exc:
            raise _located(f"template error: {exc}", exc, name) from None
        except UnicodeDecodeError as exc:
            raise _located(
                f"a template file is not valid UTF-8 ({exc.reason} at byte {exc.start}); save it as UTF-8",
                exc,
                name,
            ) from None
        except RecursionError as exc:
            message = "template failed: a macro or include calls itself without end"
            raise _located(message, exc, name) from None
        except MemoryError as exc:
            growth = template_limits.MAX_RENDER_GROWTH
            raise _located(
                f"template stopped at the memory limit ({growth >> 20} MB more than "
                "briefgen had before rendering): one expression or loop builds far more text than a "
                "briefing holds",
                exc,
                name,
            ) from None
        except BriefgenError:
            raise  # a problem of the facts' own files (a CSL style), located by whoever raised it
        except Exception as exc:
            # Whatever a template's expression raises (TypeError, OverflowError from a too-large
            # range, errors of pydantic or our helpers) is the template's problem, located.
            file, line = _where_parts(exc, name)
            raise runtime_problem(exc, file, line, ()) from None


def _located(message: str, exc: BaseException, name: str) -> TemplateProblem:
    """A template problem located at the template file and line `exc` was raised from."""
    file, line = _where_parts(exc, name)
    return TemplateProblem(problems=[Problem(message, file=file, line=line)])


def _macro_names(env: jinja2.Environment, name: str) -> Iterable[str]:
    """Names a template defines itself (`{% macro %}`, `{% set %}`, `{% import … as m %}`)."""
    try:
        source = env.loader.get_source(env, name)[0] if env.loader else ""
    except (jinja2.TemplateError, OSError):
        return ()
    return re.findall(r"\{%-?\s*(?:macro|set|import\s+\S+\s+as|for)\s+(\w+)", source)


def _where_parts(exc: BaseException, name: str) -> tuple[str, int]:
    """The template file and line (0 when unknown) an exception was raised from (walks the
    traceback; `name` when no template frame is in it)."""
    tb = exc.__traceback__
    found = (name, 0)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            lineno = tb.tb_lineno
            # Jinja2 maps compiled lines back to template lines in its debug info.
            template = tb.tb_frame.f_globals.get("__jinja_template__")
            if template is not None:
                lineno = template.get_corresponding_lineno(tb.tb_lineno)
            found = (filename, lineno)
        tb = tb.tb_next
    return found


def render_templates(
    briefing: Briefing,
    templates: TemplateSet,
    kinds: tuple[str, ...],
    warnings: list[Problem] | None = None,
    facts_dir: Path | None = None,
    since: object = None,
    timeout: float = RENDER_TIMEOUT_S,
) -> dict[str, str]:
    """Markdown of each requested kind ('memo', 'deck'). Fixed words the language's catalog
    lacks (printed in English) are added to `warnings`, one per message. `facts_dir`: the
    fact file's folder (for `output.citation_style`). `since` is what changed since an earlier
    version (`briefgen.changes.ChangeSummary`, with `build --since`), else None. `timeout`:
    seconds each template may run (0: no limit)."""
    messages = Messages(language_of(briefing.output.language))
    rendered = {kind: templates.render(kind, briefing, messages, facts_dir, since, timeout) for kind in kinds}
    if warnings is not None:
        warnings.extend(messages.problems())
    return rendered
