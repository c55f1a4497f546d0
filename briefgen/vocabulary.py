"""The trade's closed vocabularies that the facts hold as values (agenda likelihood, confidence,
side, trend, RAG, source type, the risk scales and the two likelihood lexicons), listed once so
that Babel extracts them into the catalogs and `term` translates them in the document language.

Each entry is (context, English word); the context is the gettext message context (msgctxt), so
the same English word in two roles ("unlikely" as agenda likelihood, as an ICD 203 term and as
a risk likelihood) can be translated differently. The lexicon terms have no authoritative
translation we know of (ICD 203 is published in English by the US ODNI, the PHIA yardstick in
English by the UK Professional Head of Intelligence Analysis): translations are the desk's and
the likelihood key says so (`LEXICON_AUTHORITIES` lists any that are not).
"""

from __future__ import annotations

from typing import Protocol


def _term(context: str, message: str) -> tuple[str, str]:
    """Marks a term for extraction (`pybabel extract -k _term:1c,2`); translated by `term`."""
    return context, message


VOCABULARY: tuple[tuple[str, str], ...] = (
    _term("agenda likelihood", "certain"),
    _term("agenda likelihood", "possible"),
    _term("agenda likelihood", "unlikely"),
    _term("confidence", "low"),
    _term("confidence", "moderate"),
    _term("confidence", "high"),
    _term("side", "ours"),
    _term("side", "theirs"),
    _term("side", "third-party"),
    # What the memo prints for a person's side (the value itself is a code, not a label).
    _term("side label", "Our side"),
    _term("side label", "Their side"),
    _term("side label", "Third party"),
    _term("trend", "rising"),
    _term("trend", "steady"),
    _term("trend", "falling"),
    _term("rag", "red"),
    _term("rag", "amber"),
    _term("rag", "green"),
    _term("rag label", "RED"),
    _term("rag label", "AMBER"),
    _term("rag label", "GREEN"),
    _term("source type", "news"),
    _term("source type", "official"),
    _term("source type", "academic"),
    _term("source type", "think-tank"),
    _term("source type", "intelligence"),
    _term("source type", "diplomatic"),
    _term("source type", "other"),
    _term("risk likelihood", "Rare"),
    _term("risk likelihood", "Unlikely"),
    _term("risk likelihood", "Possible"),
    _term("risk likelihood", "Likely"),
    _term("risk likelihood", "Almost certain"),
    _term("risk impact", "Insignificant"),
    _term("risk impact", "Minor"),
    _term("risk impact", "Significant"),
    _term("risk impact", "Major"),
    _term("risk impact", "Severe"),
    _term("lexicon name", "ICD 203"),
    _term("lexicon name", "PHIA yardstick"),
    _term("icd203", "almost no chance"),
    _term("icd203", "very unlikely"),
    _term("icd203", "unlikely"),
    _term("icd203", "roughly even chance"),
    _term("icd203", "likely"),
    _term("icd203", "very likely"),
    _term("icd203", "almost certain"),
    _term("phia", "remote chance"),
    _term("phia", "highly unlikely"),
    _term("phia", "unlikely"),
    _term("phia", "realistic possibility"),
    _term("phia", "likely"),
    _term("phia", "highly likely"),
    _term("phia", "almost certain"),
)
CONTEXTS = frozenset(context for context, _ in VOCABULARY)

# Authoritative translations of a likelihood lexicon, by (lexicon, catalog): the publication the
# catalog's terms are taken from. Empty: none is known, every translation is the desk's.
LEXICON_AUTHORITIES: dict[tuple[str, str], str] = {}


class _Translator(Protocol):
    def pgettext(self, context: str, message: str, /) -> str: ...


def term(messages: _Translator, context: str, value: object) -> str:
    """The translation of a vocabulary value (`term(m, "confidence", "moderate")`); a value
    outside the vocabulary (a template's own word) goes through the catalog all the same."""
    return messages.pgettext(context, str(value))
