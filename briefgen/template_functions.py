"""The functions and filters templates call: dates, times and numbers in the document's
language (CLDR), portion marks and authority blocks (`briefgen.marking`), likelihood phrases and
keys, the JSON bodies of the `risk-matrix` and `timeline` blocks and of the front matter, and
fact text made safe in a table cell, kept whole on a line or used as a heading anchor.

`briefgen.templating` puts them into each template's context and filters
(docs/templates.md lists them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

import jinja2

from briefgen import marking
from briefgen.citations import CitationStyle, load_style
from briefgen.facts.agenda import IfRaised, PressLine
from briefgen.facts.judgments import LEXICON_NAMES, LEXICONS, Judgment
from briefgen.facts.markings import MarkedStr
from briefgen.facts.models import Briefing
from briefgen.facts.risks import RISK_IMPACT, RISK_LIKELIHOOD, Risk
from briefgen.facts.sources import Fact, Source
from briefgen.formats import formats_for
from briefgen.languages import Language, Messages, language_of
from briefgen.markup import escape_markdown
from briefgen.rag import score_expression
from briefgen.vocabulary import term

SOURCE_LANGUAGE = "en-GB"  # the language the templates' msgids are written in


def format_date(
    value: date | datetime | str | None, style: str = "long", language: Language | None = None
) -> str:
    """13 August 2018 (in `language`, CLDR); partial dates as 'August 2018' or '2017'; style
    'short' gives '13 Aug 2018'. See `briefgen.formats.Formats.date`."""
    return formats_for(language or language_of(SOURCE_LANGUAGE)).date(value, style)


def format_time(value: date | datetime, language: Language | None = None) -> str:
    """'10:00 (UTC+03:00)' for a moment; empty for a day."""
    return formats_for(language or language_of(SOURCE_LANGUAGE)).time_of_day(value)


_SENTENCE = re.compile(r"(.+?(?:[.!?؟۔]|[。！？]))(?:\s|$)|(.+?[。！？])")


def first_sentence(text: str) -> str:
    """The text up to and including its first full stop, question or exclamation mark (Latin,
    Arabic `؟`, Urdu `۔`, or the ideographic `。！？`, which need no space after them)."""
    match = _SENTENCE.match(text.strip())
    return (match.group(1) or match.group(2)) if match else text.strip()


# What a quoted attribute value cannot hold: its own quote, the backslash (not unescaped by the
# attribute parser), braces (they end the list) and line breaks or other white space.
_ATTRIBUTE_UNSAFE = re.compile(r'["\\{}%\s]')


def heading_anchor(value: object, prefix: str = "") -> str:
    """A heading's attribute list naming its anchor, `{id="agenda-river.treaty"}`, for an id
    taken from the facts.

    Quoted, because pandoc's `{#id}` shorthand ends at characters the id rules allow (`.`: the
    shorthand `{#agenda-river.treaty}` is not an attribute list at all, so it printed in the
    heading). Characters a quoted value cannot hold are percent-encoded (UTF-8), so whatever
    the id, the result is one attribute list whose id reads back unchanged or encoded.
    """
    ident = f"{prefix}-{value}" if prefix else str(value)
    encoded = _ATTRIBUTE_UNSAFE.sub(
        lambda m: "".join(f"%{byte:02X}" for byte in m.group().encode("utf-8")), ident
    )
    return f'{{id="{encoded}"}}'


def table_cell(text: object) -> str:
    """Markdown-escaped text that is safe inside a pipe-table cell (one line)."""
    return escape_markdown(" ".join(str(text).split()))


def keep_whole(text: object) -> str:
    """Markdown-escaped text that a line never breaks inside (a name, a short term): spaces
    become no-break spaces and hyphens non-breaking hyphens (U+2011, which the Word writer
    writes as Word's own non-breaking hyphen)."""
    return escape_markdown("\u00a0".join(str(text).split()).replace("-", "\u2011"))


def format_when(
    start: date | datetime, end: date | datetime | None, language: Language | None = None
) -> str:
    """When a meeting happens, in the time zone of its start: "13–14 August 2018" for days;
    "13 August 2018, 10:30–11:30 (UTC+03:00)" for a same-day meeting with times; "13 August
    2018, 10:30 – 14 August 2018, 12:00 (UTC+03:00)" across days; the start time alone when
    the end is a day or missing. Dates and times in `language` (CLDR)."""
    formats = formats_for(language or language_of(SOURCE_LANGUAGE))
    if not isinstance(start, datetime):
        last = end.date() if isinstance(end, datetime) else end
        return formats.date_range(start, last)
    moment = formats.time_of_day(start)  # "10:30 (UTC+03:00)"
    clock, _, zone = moment.partition(" (")
    zone = f" ({zone}" if zone else ""
    if isinstance(end, datetime):
        if start.tzinfo is not None:
            end = end.astimezone(start.tzinfo)
        until = formats.time_of_day(end).partition(" (")[0]
        if end.date() == start.date():
            span = clock if end == start else f"{clock}–{until}"
            return formats.date_and_time(formats.date(start), span) + zone
        first = formats.date_and_time(formats.date(start), clock)
        return f"{first} – {formats.date_and_time(formats.date(end), until)}{zone}"
    days = formats.date_range(start.date(), end)
    return formats.date_and_time(days, moment)


def _english() -> Messages:
    return Messages(language_of(SOURCE_LANGUAGE))


def source_line(source: Source, messages: Messages | None = None) -> str:
    """One-line plain description for slides: publisher, title, date (joined by the language's
    comma: `، ` in Arabic, `，` in Chinese)."""
    messages = messages or _english()
    formats = formats_for(messages.language)
    when = formats.date(source.date, "short")
    return formats.separators.phrase.join((source.publisher, _quoted(source.title, messages), when))


def _quoted(title: str, messages: Messages) -> str:
    """The title in the language's quotation marks (“…” in English, « … » in French); a title
    in square brackets is the drafter's description and stays unquoted."""
    if title.startswith("["):
        return title
    return messages.pgettext("quotation marks", "“%(title)s”", title=title)


def likelihood_phrase(briefing: Briefing, judgment: Judgment, messages: Messages | None = None) -> str:
    """'likely (55–80%)': the lexicon term with its range in brackets, in the document
    language ('probable (55–80 %)' in French)."""
    messages = messages or _english()
    span = briefing.judgments.range_of(judgment)
    word = term(messages, briefing.judgments.lexicon, judgment.likelihood_term)
    if not span:
        return word
    return f"{word} ({formats_for(messages.language).percent_span(span)})"


def lexicon_key(lexicon: str, messages: Messages | None = None) -> dict[str, str]:
    """The lexicon's terms with their ranges, translated and formatted for the document."""
    messages = messages or _english()
    formats = formats_for(messages.language)
    return {
        term(messages, lexicon, word): formats.percent_span(span) for word, span in LEXICONS[lexicon].items()
    }


def lexicon_note(lexicon: str, messages: Messages) -> str:
    """Whose translation the likelihood key's terms are: empty in English (the scales' own
    language), else the authoritative source, else the desk's (see `briefgen.vocabulary`)."""
    from briefgen.vocabulary import LEXICON_AUTHORITIES

    language = messages.language
    if language.language == "en":
        return ""
    name = term(messages, "lexicon name", LEXICON_NAMES[lexicon])
    authority = LEXICON_AUTHORITIES.get((lexicon, language.catalog or ""))
    if authority:
        return messages.gettext(
            "The %(name)s terms are translated as in %(source)s.", name=name, source=authority
        )
    return messages.gettext(
        "The %(name)s terms are the drafting desk's translation: no authoritative translation is "
        "published; the scale's own wording is English.",
        name=name,
    )


def portion(briefing: Briefing, of: object = None) -> str:
    """The portion mark in front of a portion, e.g. '[(S//NF)]{.portion} ', when the marking asks
    for portion marks ('' otherwise).

    `of`: what is marked — a fact, point, risk, person, source, … (its `classification`), a text
    field (a `MarkedStr`: summary, position, a response, …), a classification as written
    ('CONFIDENTIAL'), or None for the default portion. The mark itself comes from
    `briefgen.marking` via `Marking.portion`."""
    return _portion_span(briefing.marking.portion(classification_of(of)))


def lowest_portion(briefing: Briefing) -> str:
    """The portion mark of the scheme's lowest level ('(U)', '(O)'): for the template's own
    words (section headings, keys, boilerplate), which hold nothing classified."""
    lowest = marking.lowest(briefing.marking.scheme)
    return _portion_span(briefing.marking.portion(lowest.banner) if lowest else "")


def highest_portion(briefing: Briefing, items: Iterable[object]) -> str:
    """The portion mark of a group (a table's caption, a chart's caption, a slide title over
    portions): the marking derived from every portion in it. `items` may nest lists; a
    question/response pair counts as both, a press line with its if-asked lines; None is an
    unmarked portion (the default)."""
    written = list(_portions_in(items))
    marks = [briefing.marking.classification(w) for w in written]
    derived = marking.derive(marks) if marks else None
    if derived is None:
        return lowest_portion(briefing)
    return _portion_span(briefing.marking.portion(derived.banner))


def _portions_in(items: Iterable[object]) -> Iterator[str | None]:
    for item in items:
        if isinstance(item, list | tuple):
            yield from _portions_in(item)
        elif isinstance(item, IfRaised):
            yield from (item.question.classification, item.response.classification)
        elif isinstance(item, PressLine):
            yield item.classification
            yield from _portions_in(item.if_asked)
        else:
            yield classification_of(item)


def authority_block(briefing: Briefing, inline: bool = False) -> str:
    """The classification authority block and handling instructions as Markdown lines joined
    by hard breaks ('' when the marking has neither): 'Classified By: …', 'Derived From: …',
    'Declassify On: …' (32 CFR 2001.21-22; lines made by `briefgen.marking.authority_lines`),
    then 'Handling: …'. `inline`: one line, parts separated by semicolons (a title slide)."""
    mark = briefing.marking
    lines: list[tuple[str, str]] = []
    if mark.authority is not None:
        a = mark.authority
        lines += marking.authority_lines(a.classified_by, a.derived_from, a.declassify_on, a.reason)
    if mark.handling:
        lines.append(("Handling", mark.handling))
    separator = "; " if inline else "\\\n"
    return separator.join(f"**{label}:** {escape_markdown(value)}" for label, value in lines)


def classification_of(item: object) -> str | None:
    """The classification written on a portion (None: unmarked, so the default portion)."""
    if item is None:
        return None
    if isinstance(item, MarkedStr):
        return item.classification
    if isinstance(item, str):
        return item
    written = getattr(item, "classification", None)
    return written if isinstance(written, str) else None


def _portion_span(mark: str) -> str:
    return f"[{escape_markdown(mark)}]{{.portion}} " if mark else ""


def fact_sources(briefing: Briefing, facts: Iterable[object]) -> list[Source]:
    """Distinct sources of the given facts (or timeline events, or people: anything with
    `sources`), in first-cited order."""
    seen: dict[str, Source] = {}
    for fact in facts:
        for sid in getattr(fact, "sources", ()):
            seen.setdefault(sid, briefing.source(sid))
    return list(seen.values())


def risk_matrix_json(briefing: Briefing, messages: Messages | None = None) -> str:
    """The body of a ```risk-matrix``` block (docs/markup.md), with the axis labels in the
    document language when it is not English."""
    messages = messages or _english()
    labels: dict[str, list[str]] = {}
    if messages.language.language != "en":
        labels = {
            "likelihood_labels": [term(messages, "risk likelihood", RISK_LIKELIHOOD[n]) for n in range(1, 6)],
            "impact_labels": [term(messages, "risk impact", RISK_IMPACT[n]) for n in range(1, 6)],
        }
    return json.dumps(
        {
            "risks": [
                {
                    "id": r.id,
                    "title": r.title,
                    "likelihood": r.likelihood,
                    "impact": r.impact,
                    "score": r.score,
                    "rag": r.rag,
                }
                for r in sorted(briefing.risks, key=lambda r: -r.score)
            ],
            "red_from": briefing.output.rag.red_from,
            "amber_from": briefing.output.rag.amber_from,
            **labels,
        },
        ensure_ascii=False,
    )


def timeline_json(briefing: Briefing, messages: Messages | None = None) -> str:
    """The body of a ```timeline``` block, in date order (stable for equal dates)."""
    formats = formats_for((messages or _english()).language)
    events = sorted(briefing.timeline, key=lambda e: e.date)
    return json.dumps(
        {
            "events": [
                {"date": formats.date(e.date, "short"), "label": e.event, "highlight": e.highlight}
                for e in events
            ]
        },
        ensure_ascii=False,
    )


def facts_of(briefing: Briefing, items: Iterable[object]) -> list[Fact]:
    """The distinct facts that points, if-raised lines or judgments cite (their `facts` or
    `basis`), in first-cited order."""
    seen: dict[str, Fact] = {}
    for item in items:
        for fact_id in getattr(item, "facts", None) or getattr(item, "basis", None) or ():
            seen.setdefault(fact_id, briefing.fact(fact_id))
    return list(seen.values())


def meta_json(briefing: Briefing, kind: str, messages: Messages | None = None) -> str:
    messages = messages or _english()
    meta = {
        "title": briefing.title,
        "subject": messages.gettext("Meeting brief: %(meeting)s", meeting=briefing.meeting.title),
        "author": briefing.prepared_by,
        "keywords": [messages.gettext("meeting brief"), briefing.meeting.city]
        + [p.name for p in briefing.people if p.principal],
        "description": briefing.summary,
        "language": briefing.output.language,
        "marking": briefing.marking.banner,
        "marking_scheme": briefing.marking.scheme,
        "slide_banner": briefing.marking.slide_banner,
        "as_of": formats_for(messages.language).date(briefing.information_as_of),
        "date": briefing.date_prepared.isoformat(),
        "kind": kind,
    }
    return json.dumps(meta, ensure_ascii=False, indent=1)


def _language(context: jinja2.runtime.Context) -> Language:
    language = context.get("language")
    return language if isinstance(language, Language) else language_of(SOURCE_LANGUAGE)


@jinja2.pass_context
def date_filter(
    context: jinja2.runtime.Context, value: date | datetime | str | None, style: str = "long"
) -> str:
    return formats_for(_language(context)).date(value, style)


@jinja2.pass_context
def time_filter(context: jinja2.runtime.Context, value: date | datetime) -> str:
    return formats_for(_language(context)).time_of_day(value)


@jinja2.pass_context
def number_filter(context: jinja2.runtime.Context, value: float | int) -> str:
    return formats_for(_language(context)).number(value)


@jinja2.pass_context
def score_filter(context: jinja2.runtime.Context, risk: Risk) -> str:
    """`{{ r | score }}`: a risk's 'likelihood × impact = score' ('4 × 5 = 20'), never broken
    across lines, in the language's digits: the same text as the deck's heat-map key
    (`briefgen.rag.score_expression`)."""
    number = formats_for(_language(context)).number
    return escape_markdown(score_expression(number(risk.likelihood), number(risk.impact), number(risk.score)))


@jinja2.pass_context
def term_filter(context: jinja2.runtime.Context, value: object, vocabulary: str) -> str:
    """`{{ r.rag | term("rag") }}`: a vocabulary value (`briefgen.vocabulary`) translated."""
    pgettext = context.get("pgettext")
    if pgettext is None:
        return str(value)
    return str(pgettext(vocabulary, str(value)))


def citation_style(briefing: Briefing, facts_dir: Path | None) -> CitationStyle:
    """The CSL style of a briefing's notes: `output.citation_style` (relative to the fact file's
    folder) or the bundled Chicago notes style, in the briefing's language."""
    name = briefing.output.citation_style
    path = None if not name else (facts_dir or Path.cwd()) / name
    return load_style(path, briefing.output.language)
