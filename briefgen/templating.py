"""Render a briefing to Markdown with Jinja2 templates, sandboxed.

Templates decide wording and order. A user's template folder shadows the built-in templates by
file name. Templates run in Jinja2's `SandboxedEnvironment` with `StrictUndefined`; fact text is
passed as data and escaped for Markdown by the `md` filter, so it is never template code.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import cast

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel

from briefgen import marking
from briefgen.citations import CitationStyle, NoteCitations, load_style
from briefgen.errors import BriefgenError, Problem, TemplateProblem, UsageProblem
from briefgen.facts.agenda import IfRaised, PressLine
from briefgen.facts.judgments import LEXICON_NAMES, LEXICONS, Judgment
from briefgen.facts.markings import MarkedStr
from briefgen.facts.models import Briefing
from briefgen.facts.risks import RISK_IMPACT, RISK_LIKELIHOOD
from briefgen.facts.sources import Fact, Source
from briefgen.formats import formats_for
from briefgen.languages import Language, Messages, language_of
from briefgen.markup import escape_markdown, markdown_link
from briefgen.resources import builtin_template_dir
from briefgen.template_problems import context_names, runtime_problem, syntax_problem
from briefgen.vocabulary import term

TEMPLATE_NAMES = {"memo": "memo.md.j2", "deck": "deck.md.j2"}
SOURCE_LANGUAGE = "en-GB"  # the language the templates' msgids are written in


# ---------------------------------------------------------------------------------------------
# Filters and helpers available to templates


def format_date(
    value: date | datetime | str | None, style: str = "long", language: Language | None = None
) -> str:
    """13 August 2018 (in `language`, CLDR); partial dates as 'August 2018' or '2017'; style
    'short' gives '13 Aug 2018'. See `briefgen.formats.Formats.date`."""
    return formats_for(language or language_of(SOURCE_LANGUAGE)).date(value, style)


def format_range(start: date, end: date | None, language: Language | None = None) -> str:
    """13–14 August 2018; 31 July – 1 August 2018; a single day when end is missing or equal."""
    return formats_for(language or language_of(SOURCE_LANGUAGE)).date_range(start, end)


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
    """One-line plain description for slides: publisher, title, date."""
    messages = messages or _english()
    when = formats_for(messages.language).date(source.date, "short")
    return f"{source.publisher}, {_quoted(source.title, messages)}, {when}"


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


# ---------------------------------------------------------------------------------------------
# Environment


# What a template may compute: enough for any wording, too little to exhaust memory or CPU.
MAX_REPEAT_LENGTH = 100_000  # 'x' * n, [..] * n
MAX_EXPONENT = 64  # a ** b


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's sandbox, further closed.

    Jinja's immutable sandbox: a template cannot change lists, dicts or sets it is given (so it
    cannot alter the briefing for the next template or the next briefing of a batch). Denied
    besides Jinja's own rules: attributes starting with an underscore; everything that
    pydantic's `BaseModel` defines (`model_dump`, and the deprecated `dict`, `json`, `copy`,
    `construct`, `parse_file` — which reads any file —, `parse_raw`, `schema_json`, …), so a
    template sees a briefing's fields, properties and our lookup methods only; and arithmetic
    that would build huge strings or numbers.
    """

    intercepted_binops = frozenset(["*", "**"])

    def __init__(self, *args: object, **kwargs: object) -> None:
        loader = kwargs.get("loader")
        if isinstance(loader, jinja2.FileSystemLoader) and not isinstance(loader, _ConfinedLoader):
            kwargs["loader"] = _ConfinedLoader(loader.searchpath, loader.encoding, loader.followlinks)
        super().__init__(*args, **kwargs)
        self._safe_attributes: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: object, attr: str, value: object) -> bool:
        # Asked on every attribute a template reads (tens of thousands per long briefing); for
        # anything but a class the answer depends only on the type and the name.
        if isinstance(obj, type):
            return self._is_safe_attribute(obj, attr, value)
        key = (type(obj), attr)
        known = self._safe_attributes.get(key)
        if known is None:
            known = self._safe_attributes[key] = self._is_safe_attribute(obj, attr, value)
        return known

    def _is_safe_attribute(self, obj: object, attr: str, value: object) -> bool:
        if attr.startswith("_") or attr.startswith("model_"):
            return False
        is_model = isinstance(obj, BaseModel) or (isinstance(obj, type) and issubclass(obj, BaseModel))
        if is_model and hasattr(BaseModel, attr):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: object, right: object
    ) -> object:
        if (
            operator == "**"
            and isinstance(right, int | float)
            and _is_number(left)
            and _is_number(right)
            and abs(right) > MAX_EXPONENT
        ):
            raise SecurityError(f"exponent {right} is too large (limit {MAX_EXPONENT})")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | list | tuple)
                    and isinstance(times, int)
                    and len(seq) * times > MAX_REPEAT_LENGTH
                ):
                    raise SecurityError(
                        f"repeating a {type(seq).__name__} {times} times is too large "
                        f"(limit {MAX_REPEAT_LENGTH} items)"
                    )
        return super().call_binop(context, operator, left, right)


class _ConfinedLoader(jinja2.FileSystemLoader):
    """A file-system loader that serves only files really inside its folders: a symbolic link
    in a template folder received from elsewhere cannot pull in ~/.ssh/id_rsa or /etc/passwd.
    Template files are read as every input is (`briefgen.intake`): a regular file (a named pipe
    or device is refused, never read), at most `intake.TEMPLATE_LIMIT` bytes, UTF-8; anything
    else is a located `TemplateProblem`."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        from briefgen.intake import TEMPLATE_LIMIT, InputRefused, read_text

        pieces = jinja2.loaders.split_template_path(template)
        # `exists`, not `isfile`: a pipe or device named like a template is refused below rather
        # than silently passed over for the built-in template of that name.
        found = (os.path.join(root, *pieces) for root in self.searchpath)
        filename = next((f for f in found if os.path.exists(f)), None)
        if filename is None:
            raise jinja2.TemplateNotFound(template)
        real = Path(filename).resolve()
        roots = [Path(p).resolve() for p in self.searchpath]
        if not any(real.is_relative_to(root) for root in roots):
            refused = f"refused: the template file links to {real}, outside the template folders"
            raise TemplateProblem(problems=[Problem(refused, file=filename)])
        try:
            source = read_text(Path(filename), TEMPLATE_LIMIT, "template")
        except InputRefused as exc:
            raise TemplateProblem(problems=[Problem(f"template file {exc.reason}", file=filename)]) from None
        mtime = os.path.getmtime(filename)

        def uptodate() -> bool:
            try:
                return os.path.getmtime(filename) == mtime
            except OSError:
                return False

        return source, os.path.normpath(filename), uptodate


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates cached on disk, so that a cold process skips Jinja2's parse and
    compile (about 70 ms for memo + deck). Jinja2 checks each entry against the template
    source's checksum; the file names carry what else the compiled code depends on. The cache
    lives in $XDG_CACHE_HOME/briefgen (~/.cache/briefgen); BRIEFGEN_NO_CACHE=1 turns it off,
    and an unwritable cache folder just means no cache."""
    import os

    if os.environ.get("BRIEFGEN_NO_CACHE"):
        return None
    from briefgen import __version__

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "briefgen" / "templates"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK | os.X_OK):
        return None
    return _BytecodeCache(str(folder), pattern=f"{__version__}-jinja{jinja2.__version__}-i18n-%s.cache")


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's file cache, reading and writing as briefgen reads and writes every file: a cache
    entry is read only if it is a regular file (`briefgen.intake`), and written through
    `briefgen.outputs` (atomically). A cache that cannot be used is no cache, never an error."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        import io

        from briefgen.intake import TEMPLATE_LIMIT, InputRefused, read_bytes

        try:
            data = read_bytes(Path(self._get_cache_filename(bucket)), 8 * TEMPLATE_LIMIT, "cache entry")
        except InputRefused:
            return
        bucket.load_bytecode(io.BytesIO(data))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        import io

        from briefgen.errors import OutputProblem
        from briefgen.outputs import write_atomic

        out = io.BytesIO()
        bucket.write_bytecode(out)
        with contextlib.suppress(OutputProblem):
            write_atomic(Path(self._get_cache_filename(bucket)), out.getvalue())


# A template that loops without end (or nests loops far beyond any briefing) is stopped after
# this many seconds; the worked example renders in 10 ms and 500 agenda items in 0.3 s.
RENDER_TIMEOUT_S = 60.0
_TIMEOUT_VARIABLE = "BRIEFGEN_RENDER_TIMEOUT"


def render_timeout() -> float:
    """Seconds a template may run: $BRIEFGEN_RENDER_TIMEOUT, else `RENDER_TIMEOUT_S`; 0 = no limit."""
    value = os.environ.get(_TIMEOUT_VARIABLE, "").strip()
    if not value:
        return RENDER_TIMEOUT_S
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 1e6:  # also refuses nan and inf
        raise UsageProblem(
            f"{_TIMEOUT_VARIABLE}={value!r}: expected a number of seconds, e.g. 60 (0 turns the limit off)"
        )
    return seconds


# What rendering may add to the process's address space, enforced by the kernel (RLIMIT_AS):
# rendering both templates for 500 agenda items grows briefgen by about 2 MB, so 1 GB is far
# beyond any briefing and far below what a runaway template would take.
MAX_RENDER_GROWTH = 1 << 30


class _RenderStopped(Exception):
    """Raised inside a rendering template when it passes the time limit (`_render_limits`)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


@contextlib.contextmanager
def _render_limits(seconds: float) -> Iterator[int]:
    """Run the block under the render limits; yields the memory limit in bytes (0: none).

    Memory: the process's address-space limit (RLIMIT_AS) is lowered to its present size plus
    `MAX_RENDER_GROWTH` for the block and restored after, so the kernel refuses any allocation
    past it — one call building a 3 GB string fails at once with `MemoryError` instead of
    taking the memory. (Linux; where the platform does not enforce it, no memory limit.)
    Time: after `seconds` (0: no limit) a timer signal (SIGALRM: Unix, main thread only) raises
    `_RenderStopped` in the template's code. Jinja2 compiles templates to Python, so either
    exception lands in template code and its traceback names the line."""
    with _memory_limit(MAX_RENDER_GROWTH) as limit, _time_limit(seconds):
        yield limit


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    in_main = threading.current_thread() is threading.main_thread()
    if not seconds or not hasattr(signal, "setitimer") or not in_main:
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise _RenderStopped(
            f"template stopped after {seconds:g} s: a loop that does not end, or far more "
            f"work than a briefing needs ({_TIMEOUT_VARIABLE} sets the limit)"
        )

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _memory_limit(growth: int) -> Iterator[int]:
    """Lower RLIMIT_AS to the address space in use now plus `growth` bytes for the block (never
    above the hard limit, never raising a lower limit already set); yield it, 0 when none."""
    try:
        import resource
    except ImportError:  # Windows
        yield 0
        return
    in_use = _address_space_bytes()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if not in_use:
        yield 0
        return
    limit = in_use + growth
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft != resource.RLIM_INFINITY and soft <= limit:
        yield soft  # already bounded at least as tightly
        return
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # not enforced on this platform (macOS)
        yield 0
        return
    try:
        yield limit
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space_bytes() -> int:
    """The process's virtual memory size now (Linux: /proc/self/statm); 0 when unknown."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@dataclass
class TemplateSet:
    """A Jinja2 environment over the user's folder (if any) and the built-in templates."""

    user_dir: Path | None = None
    env: jinja2.Environment = field(init=False)

    def __post_init__(self) -> None:
        render_timeout()  # a bad setting is a usage error before anything is rendered
        searchpath = [str(self.user_dir)] if self.user_dir else []
        searchpath.append(str(builtin_template_dir()))
        self.env = _Sandbox(
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
            bytecode_cache=_bytecode_cache(),
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
            date=_date_filter,
            time=_time_filter,
            number=_number_filter,
            term=_term_filter,
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
    ) -> str:
        """Render the memo or deck template for a briefing to Markdown (fixed words from
        `messages`, by default the catalog of `output.language`; `output.citation_style`
        resolved against `facts_dir`, the fact file's folder; `since` as in
        `render_templates`)."""
        name = TEMPLATE_NAMES[kind]
        context = self.context(kind, briefing, messages, facts_dir, since)
        timeout = render_timeout()  # read per render: a build worker adopts the caller's environment
        try:
            with _render_limits(timeout):
                template = self.env.get_template(name)
                return _collect_output(template, context)
        except TemplateProblem as exc:
            # From the loader, naming the template file; one pulled in by `{% include %}` or
            # `{% import %}` is also located at the line that named it.
            file, line = _where_parts(exc, name)
            if not line:
                raise
            raise TemplateProblem(problems=[Problem(str(exc), file=file, line=line)]) from None
        except _RenderStopped as exc:
            raise _located(exc.reason, exc, name) from None
        except jinja2.TemplateSyntaxError as exc:
            raise syntax_problem(exc, name) from None
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
            raise _located(
                f"template stopped at the memory limit ({MAX_RENDER_GROWTH >> 20} MB more than "
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


# A template's output is gathered piece by piece; past this many characters it is stopped at
# the line producing it. (Joining a loop's pieces at the end would otherwise ask for all of it at
# once, outside any template line; a briefing renders to well under a megabyte.)
MAX_OUTPUT_CHARS = MAX_RENDER_GROWTH // 4


def _collect_output(template: jinja2.Template, context: dict[str, object]) -> str:
    """The template's output, gathered as it is produced; a template producing more than
    `MAX_OUTPUT_CHARS` is stopped inside its own code (so the error names its line)."""
    pieces: list[str] = []
    total = 0
    stream = cast(Generator[str, None, None], template.generate(context))  # a generator, typed as Iterator
    for piece in stream:
        total += len(piece)
        if total > MAX_OUTPUT_CHARS:
            stream.throw(
                _RenderStopped(
                    f"template stopped at the memory limit: its output passed "
                    f"{MAX_OUTPUT_CHARS // 1_000_000} million characters (a briefing needs well "
                    "under one): a loop that writes far more than the briefing holds"
                )
            )
        pieces.append(piece)
    return "".join(pieces)


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
) -> dict[str, str]:
    """Markdown of each requested kind ('memo', 'deck'). Fixed words the language's catalog
    lacks (printed in English) are added to `warnings`, one per message. `facts_dir`: the
    fact file's folder (for `output.citation_style`). `since` is what changed since an earlier
    version (`briefgen.changes.ChangeSummary`, with `build --since`), else None."""
    messages = Messages(language_of(briefing.output.language))
    rendered = {kind: templates.render(kind, briefing, messages, facts_dir, since) for kind in kinds}
    if warnings is not None:
        warnings.extend(messages.problems())
    return rendered


def _language(context: jinja2.runtime.Context) -> Language:
    language = context.get("language")
    return language if isinstance(language, Language) else language_of(SOURCE_LANGUAGE)


@jinja2.pass_context
def _date_filter(
    context: jinja2.runtime.Context, value: date | datetime | str | None, style: str = "long"
) -> str:
    return formats_for(_language(context)).date(value, style)


@jinja2.pass_context
def _time_filter(context: jinja2.runtime.Context, value: date | datetime) -> str:
    return formats_for(_language(context)).time_of_day(value)


@jinja2.pass_context
def _number_filter(context: jinja2.runtime.Context, value: float | int) -> str:
    return formats_for(_language(context)).number(value)


@jinja2.pass_context
def _term_filter(context: jinja2.runtime.Context, value: object, vocabulary: str) -> str:
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
