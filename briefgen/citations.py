"""Source notes for the memo, formatted by a Citation Style Language (CSL) style.

A *note* is one footnote for one cited passage (a point, a paragraph, a table row): it names all
the sources behind the passage, in the order first cited. Notes are numbered in document order,
so the style can tell a source's first citation (full note) from a later one (shortened note)
and, where the style calls for it, from an immediately repeated one ("Ibid.").

Formatting is done by citeproc-py, the Python implementation of CSL, with the bundled
`briefgen/csl/chicago-notes.csl` (Chicago Manual of Style, 18th edition, notes: full note first,
shortened note after, no "ibid.") unless `output.citation_style` names another CSL file. The
result is Markdown (fact text escaped, italics as `*…*`), tidied so that punctuation is right
whatever the sources' own fields end with (`tidy_punctuation`).
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.errors import ReferenceFileProblem
from briefgen.facts.models import Briefing
from briefgen.facts.sources import Source
from briefgen.markup import escape_markdown, markdown_link
from briefgen.resources import csl_resource

__all__ = [
    "DEFAULT_STYLE",
    "CitationStyle",
    "NoteCitations",
    "csl_item",
    "load_style",
    "tidy_punctuation",
]

DEFAULT_STYLE = "chicago-notes.csl"

# CSL item types for the fact format's source types (CSL 1.0.2 appendix III).
_CSL_TYPES = {
    "news": "article-newspaper",
    "official": "report",
    "academic": "article-journal",
    "think-tank": "report",
    "intelligence": "report",
    "diplomatic": "report",
    "other": "document",
}

# Markers for italic, bold, small caps and superscript runs in formatted citations: control
# characters that never occur in fact text (the loader refuses them), turned into Markdown after
# the text between them has been escaped.
_ITALIC = ("\x01", "\x02")
_BOLD = ("\x03", "\x04")


class _MarkdownFormatter:
    """A citeproc-py output formatter that keeps emphasis as markers (see `_to_markdown`)."""

    @staticmethod
    def preformat(text: str) -> str:
        return str(text)

    @staticmethod
    def Italic(text: str) -> str:
        return f"{_ITALIC[0]}{text}{_ITALIC[1]}"

    Oblique = Italic

    @staticmethod
    def Bold(text: str) -> str:
        return f"{_BOLD[0]}{text}{_BOLD[1]}"

    @staticmethod
    def Light(text: str) -> str:
        return str(text)

    Underline = Superscript = Subscript = SmallCaps = Light


def _to_markdown(text: str) -> str:
    """Formatted citation text (with emphasis markers) as escaped Markdown."""
    out: list[str] = []
    for piece in re.split(r"([\x01-\x04])", text):
        if piece in _ITALIC:
            out.append("*")
        elif piece in _BOLD:
            out.append("**")
        elif piece.strip():
            # escape_markdown trims the ends: keep the spaces next to emphasis.
            lead = piece[: len(piece) - len(piece.lstrip())]
            trail = piece[len(piece.rstrip()) :]
            out.append(lead + escape_markdown(piece) + trail)
        else:
            out.append(piece)
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Punctuation

_CLOSE_QUOTES = "”’\"'»"
# A word that ends in a full stop because it is an abbreviation ("Inc.", "U.S.", "No."): its
# stop stays before a comma or semicolon.
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\b(?:[A-Za-z]\.)+[A-Za-z]|\b(?:Inc|Co|Ltd|Corp|Bros|No|Nos|Dr|Mr|Mrs|Ms|St|Jr|Sr"
    r"|etc|al|vol|ed|eds|pp|cf|approx|Dept|Gov|Min))$"
)


def tidy_punctuation(text: str, *, punctuation_in_quote: bool = False) -> str:
    """Punctuation of a formatted note made right whatever the fields end with.

    A field that ends in its own full stop, question or exclamation mark ("…25-0117.",
    "Is Idlib next?") meets the separator the style adds: the doubled stop goes ("..", ".;",
    ".," and the stop before a closing quote followed by one), a question or exclamation mark
    replaces a following comma or full stop (Chicago 6.119), spaces before punctuation go, and
    separators do not double. With `punctuation_in_quote` (American usage, CSL's locale option)
    a comma or full stop after a closing double quotation mark moves inside it.
    """

    def drop_stop(match: re.Match[str]) -> str:
        before, stop, quote, after = match.group(1), match.group(2), match.group(3), match.group(4)
        if after == "." or not _ABBREVIATION.search(before):
            return before + quote + after
        return before + stop + quote + after

    # "word." + optional closing quote + , ; . (but never an ellipsis "..."), until none is left
    # ("0.." before a comma takes two rounds).
    for _ in range(4):
        tidier = re.sub(rf"(\S*?[^.\s])(\.)([{_CLOSE_QUOTES}]?)([,;.])(?!\.\.)", drop_stop, text)
        tidier = re.sub(rf"([?!])([{_CLOSE_QUOTES}]?)[,.](?!\.\.)", r"\1\2", tidier)
        if tidier == text:
            break
        text = tidier
    text = re.sub(r"\s+([,;.:?!])", r"\1", text)
    text = re.sub(r"[,;](?:\s*[,;])*\s*([,;])", r"\1", text)  # a field's own "," gives way
    text = re.sub(r"[,;:]+(?=\.(?!\.))", "", text)  # nor does a note end ";."
    text = re.sub(r"[ \t]{2,}", " ", text)
    if punctuation_in_quote:
        text = re.sub(r"([”\"])([,.])", r"\2\1", text)
    return text.strip()


# Languages written with the Arabic comma and semicolon.
_ARABIC_COMMA = frozenset({"ar", "fa", "ur", "ps", "ckb"})


# ---------------------------------------------------------------------------------------------
# Styles


@dataclass(frozen=True)
class CitationStyle:
    """A parsed CSL style with the locale it formats in."""

    name: str  # the file, for messages
    data: bytes
    language: str
    punctuation_in_quote: bool


def _bundled_style_bytes() -> bytes:
    return csl_resource(DEFAULT_STYLE).read_bytes()


def load_style(path: Path | None, language: str) -> CitationStyle:
    """The CSL style at `path` (None: the bundled Chicago notes style) for `language` (a BCP 47
    tag such as en-GB). Raises `ReferenceFileProblem` when the file cannot be read or is not a CSL
    style; a DOCTYPE is refused (entities could pull in other files)."""
    if path is None:
        data, name = _bundled_style_bytes(), f"briefgen/csl/{DEFAULT_STYLE}"
    else:
        name = str(path)
        # Read as every input is (briefgen.intake): a regular file (a pipe or device is refused,
        # never read), size checked before reading, bounded read.
        from briefgen.intake import TEMPLATE_LIMIT, InputRefused, read_bytes

        try:
            data = read_bytes(path, TEMPLATE_LIMIT, "CSL style")
        except InputRefused as exc:
            raise ReferenceFileProblem(f"{name}: output.citation_style: {exc.reason}") from None
        head = data[:4096].lower()
        if b"<!doctype" in head or b"<!entity" in head:
            raise ReferenceFileProblem(
                f"{name}: output.citation_style: a CSL style may not declare a DOCTYPE"
            )
        if b"purl.org/net/xbiblio/csl" not in data or b"<citation" not in data:
            raise ReferenceFileProblem(
                f"{name}: output.citation_style: not a CSL style with a <citation> element "
                "(a .csl file from the Citation Style Language project, e.g. chicago-notes-bibliography.csl)"
            )
    locale = _csl_locale(language)
    return CitationStyle(name, data, locale, punctuation_in_quote=locale == "en-US")


@functools.cache
def _locales() -> frozenset[str]:
    import citeproc

    folder = Path(citeproc.__file__).parent / "data" / "locales"
    return frozenset(p.stem.removeprefix("locales-") for p in folder.glob("locales-*.xml"))


def _csl_locale(language: str) -> str:
    """The CSL locale for a language tag: the exact one, else the language's main dialect."""
    known = _locales()
    if language in known:
        return language
    primary = language.split("-")[0].lower()
    preferred = {"en": "en-GB", "pt": "pt-PT", "zh": "zh-CN", "sr": "sr-Latn-RS"}.get(primary)
    if preferred in known:
        return preferred
    for candidate in sorted(known):
        if candidate.split("-")[0] == primary:
            return candidate
    return "en-GB"


@functools.lru_cache(maxsize=8)
def _parsed(data: bytes, locale: str) -> Any:
    from citeproc import CitationStylesStyle

    return CitationStylesStyle(io.BytesIO(data), locale=locale, validate=False)


def csl_item(source: Source, grade: Callable[[str], str] = lambda g: f"grade {g}") -> dict[str, Any]:
    """A source as a CSL-JSON item. The publisher is the issuer (`container-title` for news,
    `publisher` otherwise); a title in square brackets is a description, marked by `genre` so
    that the bundled style prints it without quotation marks; `short_title` is `title-short`;
    the Admiralty grade goes to `note`, a reference without URL to `number`."""
    date_parts = [int(p) for p in str(source.date).split("-")]
    kind = str(source.type.value if hasattr(source.type, "value") else source.type)
    item: dict[str, Any] = {
        "id": source.id,
        "type": _CSL_TYPES.get(kind, "document"),
        "title": source.title,
        "issued": {"date-parts": [date_parts]},
    }
    if kind == "news":
        item["container-title"] = source.publisher
    else:
        item["publisher"] = source.publisher
    if source.title.startswith("[") and source.title.endswith("]"):
        item["genre"] = source.title
    short = getattr(source, "short_title", None)
    if short:
        item["title-short"] = short
    if source.grade:
        item["note"] = grade(source.grade)
    if source.url:
        item["URL"] = source.url
    elif source.reference:
        item["number"] = source.reference
    return item


# ---------------------------------------------------------------------------------------------
# Notes of one document


@dataclass
class NoteCitations:
    """Numbers and formats the notes of one document, in the order the template cites them.

    `cite` and `cite_sources` return the Markdown footnote reference of a new note (`[^3]`);
    `cite_each` gives one per passage of a list or table, where consecutive passages resting on
    the same sources share one note after the last of them; `definitions` returns every note's
    Markdown definition.
    """

    briefing: Briefing
    style: CitationStyle
    grade: Callable[[str], str] = lambda grade: f"grade {grade}"  # "grade B2" in the language
    # The portion mark put in front of a note citing these sources ('' without portion marks).
    mark: Callable[[Sequence[str]], str] = lambda source_ids: ""
    notes: list[str] = field(default_factory=list)
    _bibliography: Any = None
    # Notes already formatted, by everything citeproc-py's rendering of them depends on
    # (`_state`), with the keys the rendering added to citeproc's cited list, in order.
    _formatted: dict[tuple[object, ...], tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    _cited_keys: set[str] = field(default_factory=set)  # the keys in citeproc-py's cited list

    def _sources_of_facts(self, fact_ids: Iterable[str]) -> list[str]:
        seen: dict[str, None] = {}
        for fact_id in fact_ids:
            for source_id in self.briefing.fact(fact_id).sources:
                seen.setdefault(source_id, None)
        return list(seen)

    def _engine(self) -> Any:
        if self._bibliography is None:
            from citeproc import CitationStylesBibliography
            from citeproc.source.json import CiteProcJSON

            items = [csl_item(s, self.grade) for s in self.briefing.sources]
            try:
                style = _parsed(self.style.data, self.style.language)
            except Exception as exc:  # lxml or citeproc-py on a malformed style
                message = f"{self.style.name}: the CSL style cannot be used: {exc}"
                raise ReferenceFileProblem(message) from None
            self._bibliography = CitationStylesBibliography(style, CiteProcJSON(items), _MarkdownFormatter)
        return self._bibliography

    def format(self, source_ids: Sequence[str]) -> str:
        """The Markdown text of the next note, citing `source_ids` (in that order)."""
        from citeproc import Citation, CitationItem

        bibliography = self._engine()
        citation = Citation([CitationItem(sid) for sid in dict.fromkeys(source_ids)])
        cited: list[Any] = bibliography._cites  # citeproc-py's notes so far, item by item
        state = self._state(bibliography, citation, tuple(dict.fromkeys(source_ids)))
        if state is not None and state in self._formatted:
            # The same sources in the same position as an earlier note: the same text. Replay
            # what rendering would have recorded, so later notes see this one as cited.
            markdown, keys = self._formatted[state]
            bibliography.register(citation)
            by_key = {item.key: item for item in citation.cites}
            cited.extend(by_key[key] for key in keys)
            self._cited_keys.update(keys)
            return markdown
        bibliography.register(citation)
        before = len(cited)
        try:
            text = str(bibliography.cite(citation, lambda item: None))
        except Exception as exc:  # citeproc-py raises assorted errors on styles it cannot run
            message = f"{self.style.name}: the CSL style failed on a citation: {exc}"
            raise ReferenceFileProblem(message) from None
        markdown = self._to_note(text, source_ids)
        keys = tuple(item.key for item in cited[before:])
        self._cited_keys.update(keys)
        if state is not None:
            self._formatted[state] = (markdown, keys)
        return markdown

    def _state(
        self, bibliography: Any, citation: Any, source_ids: tuple[str, ...]
    ) -> tuple[object, ...] | None:
        """What citeproc-py 0.11's rendering of `citation` reads besides the sources' data: each
        item's number (its place in the registered keys), whether it is cited already, and the
        last cited item with the size of its citation (for "ibid"); None when that is not all
        (a first citation, which registers new keys; a style with "near-note", which looks
        further back)."""
        if self._near_note:
            return None
        keys = bibliography.keys
        items = tuple(item.key for item in citation.cites)
        if any(key not in keys for key in items):
            return None
        cited = bibliography._cites
        done = self._cited_keys
        last = cited[-1] if cited else None
        last_key = last.key if last is not None and last.key in items else None
        last_alone = last is not None and len(last.citation.cites) == 1
        numbers = tuple(keys.index(key) for key in items)
        return (source_ids, numbers, tuple(key in done for key in items), last_key, last_alone)

    @functools.cached_property
    def _near_note(self) -> bool:
        return b"near-note" in self.style.data

    def _to_note(self, text: str, source_ids: Sequence[str]) -> str:
        """citeproc-py's `text` of a note as Markdown: punctuation tidied, a sentence, links."""
        text = tidy_punctuation(text, punctuation_in_quote=self.style.punctuation_in_quote)
        if self.style.language.split("-")[0] in _ARABIC_COMMA:
            # The style's separators in the script's own punctuation (، ؛), as the text around.
            text = text.replace(", ", "\u060c ").replace("; ", "\u061b ")
        if text and text[0].islower():
            text = text[0].upper() + text[1:]  # a note is a sentence ("Ibid.", not "ibid.")
        markdown = _to_markdown(text)
        # A source's address becomes a link whose text is the address as written and whose
        # target is percent-encoded (a bare address ending at "<" or a second "#" would not).
        for sid in dict.fromkeys(source_ids):
            url = self.briefing.source(sid).url
            if url:
                markdown = markdown.replace(escape_markdown(url), markdown_link(url))
        return markdown

    def _note(self, source_ids: Sequence[str]) -> str:
        if not source_ids:
            return ""
        self.notes.append(self.mark(source_ids) + self.format(source_ids))
        return f"[^{len(self.notes)}]"

    def cite(self, fact_ids: Sequence[str] | str) -> str:
        """One note naming every source of the given facts (a passage's citation)."""
        ids = [fact_ids] if isinstance(fact_ids, str) else list(fact_ids)
        return self._note(self._sources_of_facts(ids))

    def cite_sources(self, source_ids: Sequence[str]) -> str:
        """One note naming the given sources (people's biographies, chronology events)."""
        return self._note(list(source_ids))

    def cite_each(self, passages: Sequence[object]) -> list[str]:
        """Note references for a run of passages (points, if-raised lines, judgments: anything
        with `facts` or `basis`; timeline events or people: anything with `sources`; fact ids
        for a list of facts), one per
        passage; consecutive passages that rest on the same sources share one note, placed
        after the last of them, so that a list built on one report is not a column of
        identical notes."""
        groups = [self._passage_sources(p) for p in passages]
        refs = [""] * len(groups)
        for k, sources in enumerate(groups):
            if sources and (k + 1 == len(groups) or groups[k + 1] != sources):
                refs[k] = self._note(sources)
        return refs

    def _passage_sources(self, passage: object) -> list[str]:
        if isinstance(passage, str):  # a fact id
            return self._sources_of_facts([passage])
        facts = getattr(passage, "facts", None) or getattr(passage, "basis", None)
        if facts:
            return self._sources_of_facts(facts)
        return list(dict.fromkeys(getattr(passage, "sources", None) or ()))

    def definitions(self) -> str:
        """Markdown footnote definitions of every note so far."""
        return "\n\n".join(f"[^{k}]: {text}" for k, text in enumerate(self.notes, start=1))

    def full(self, source: Source) -> str:
        """The full note form of one source, outside the numbered sequence (sources annex)."""
        other = NoteCitations(self.briefing, self.style, self.grade)
        return other.format([source.id])
