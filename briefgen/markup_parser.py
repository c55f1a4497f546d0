"""The markdown-it parser of the template Markdown dialect (docs/markup.md), one per process:
CommonMark with pipe tables, front matter and footnotes (mdit-py-plugins), bracketed spans and
heading attributes, and briefgen's own rules: nestable pandoc fenced divs, undefined footnote
references noted for a warning, and the memo's typography (quotation marks by language, dashes,
no-break spaces between a number and its unit)."""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.utils import is_code_block


def _fenced_div_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Pandoc fenced divs: `::: name` or `::: {.a .b}` … `:::`, nestable with equal fences.

    mdit-py-plugins' container plugin ends a container at the first bare `:::` even when an
    inner div opened in between, so nested divs need their own depth-counting rule.
    """
    if is_code_block(state, start_line):
        return False
    start = state.bMarks[start_line] + state.tShift[start_line]
    line = state.src[start : state.eMarks[start_line]]
    if not line.startswith(":::"):
        return False
    classes = _div_classes(line)
    if classes is None:
        return False
    if silent:
        return True

    depth = 0
    next_line = start_line
    closed = False
    while True:
        next_line += 1
        if next_line >= end_line:
            break  # unclosed: the div runs to the end of its parent
        pos = state.bMarks[next_line] + state.tShift[next_line]
        maximum = state.eMarks[next_line]
        if pos < maximum and state.sCount[next_line] < state.blkIndent:
            break  # a less indented line ends the parent (e.g. a list item)
        if pos >= maximum or state.src[pos] != ":" or is_code_block(state, next_line):
            continue
        text = state.src[pos:maximum]
        if not text.startswith(":::"):
            continue
        if not text.strip(": \t"):
            if depth == 0:
                closed = True
                break
            depth -= 1
        elif _div_classes(text) is not None:
            depth += 1

    old_parent, old_line_max = state.parentType, state.lineMax
    state.parentType = "container"
    state.lineMax = next_line  # lazy continuation lines must not run past the closing fence

    token = state.push("div_open", "div", 1)
    token.block = True
    token.markup = ":::"
    token.info = line
    token.meta = {"classes": classes}
    token.map = [start_line, next_line]
    state.md.block.tokenize(state, start_line + 1, next_line)
    token = state.push("div_close", "div", -1)
    token.block = True

    state.parentType, state.lineMax = old_parent, old_line_max
    state.line = next_line + (1 if closed else 0)
    if not closed:
        state.env.setdefault("unclosed_divs", []).append((start_line, line))
    return True


_WORD = re.compile(r"[^\s{}]+")


def _div_classes(fence_line: str) -> tuple[str, ...] | None:
    """The classes of a div opening fence, or None when the line is not one."""
    params = fence_line.strip().lstrip(":").rstrip(":").strip()
    if not params:
        return None
    if params.startswith("{"):
        attrs = _attribute_list(params)
        return None if attrs is None else tuple(attrs.get("class", "").split())
    return (params,) if _WORD.fullmatch(params) else None


def _attribute_list(text: str) -> dict[str, str] | None:
    """Parse a whole `{#id .class key=value}` string; None unless it is exactly one such list.

    Pandoc's `-` shorthand for `.unnumbered` is accepted.
    """
    text = re.sub(r"(?<=[{\s])-(?=[\s}])", ".unnumbered", text)
    try:
        end, attrs = parse_attrs(text)
    except ParseError:
        return None
    if end != len(text) - 1 or not attrs:
        return None
    return attrs


def _heading_attributes_rule(state: StateCore) -> None:
    """Strip a trailing pandoc attribute list from each heading's inline source.

    Runs between block and inline parsing. Only a final `{…}` that follows whitespace (so `\\{`
    and `[span]{.x}` do not count) and parses as a non-empty attribute list counts; `{{ x }}`
    or a brace in the middle of the title stays text.
    """
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        inline = tokens[index + 1]
        content = inline.content.rstrip()
        if not content.endswith("}"):
            continue
        brace = content.rfind("{")  # attribute lists cannot contain "{", so only the last counts
        if brace < 0 or (brace > 0 and not content[brace - 1].isspace()):
            continue
        attrs = _attribute_list(content[brace:])
        if attrs is None:
            continue
        inline.content = content[:brace].rstrip()
        token.meta["attrs"] = attrs


def _undefined_footnote_rule(state: StateInline, silent: bool) -> bool:
    """Note a `[^label]` that reached this rule: the footnote rule just before it takes every
    reference whose label is defined, so this one has no definition and stays literal text.
    Matches nothing itself; `read_markdown` turns the notes into warnings."""
    src, pos = state.src, state.pos
    if silent or not src.startswith("[^", pos):
        return False
    end = src.find("]", pos + 2)
    label = src[pos + 2 : end] if end > pos + 2 else ""
    if label and not any(ch.isspace() for ch in label):
        state.env.setdefault("undefined_footnotes", {}).setdefault(label, None)
    return False


# Quotation marks by language: primary open, close, secondary open, close (CLDR's delimiters;
# French sets a narrow no-break space inside its guillemets).
_QUOTES: dict[str, tuple[str, str, str, str]] = {
    "en": ("“", "”", "‘", "’"),
    "fr": ("«\u202f", "\u202f»", "“", "”"),
    "de": ("„", "“", "‚", "‘"),
    "tr": ("“", "”", "‘", "’"),
    "ru": ("«", "»", "„", "“"),
    "uk": ("«", "»", "„", "“"),
    "ar": ("”", "“", "’", "‘"),
    "fa": ("«", "»", "”", "“"),
    "he": ("”", "”", "’", "’"),
    "zh": ("“", "”", "‘", "’"),
    "ja": ("「", "」", "『", "』"),
    "es": ("«", "»", "“", "”"),
    "it": ("«", "»", "“", "”"),
    "pt": ("“", "”", "‘", "’"),
    "nl": ("‘", "’", "“", "”"),
    "pl": ("„", "”", "«", "»"),
    "cs": ("„", "“", "‚", "‘"),
    "sv": ("”", "”", "’", "’"),
    "fi": ("”", "”", "’", "’"),
    "da": ("“", "”", "‘", "’"),
}

# Where a number meets its unit, or a day its month, a line must not break (Chicago 6.116; the
# Guardian, GOV.UK and the EU Interinstitutional Style Guide say the same).
_UNITS = (
    "km|m|cm|mm|kg|g|t|ha|km²|m²|°C|°F|per cent|percent|million|billion|trillion|bn|mn|"
    "hours?|minutes?|days?|weeks?|months?|years?|kilometres?|kilometers?|miles?|tonnes?|tons?|"
    "people|troops|soldiers|civilians|refugees"
)


def _no_break_pattern(months: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(a space between a number and its unit or month, a hyphen in a number range before one)."""
    words = "|".join([_UNITS, *map(re.escape, months)])
    space = re.compile(rf"(?<=\d) (?=(?:{words})(?!\w))")
    # "15-20 km", "13-14 August": a range, set with an en dash (Chicago 6.78).
    range_hyphen = re.compile(rf"(?<=\d)-(?=\d[\d.,]* (?:{words})(?!\w))")
    return space, range_hyphen


_ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@cache
def typography_for(
    language: str,
) -> tuple[tuple[str, str, str, str], tuple[re.Pattern[str], re.Pattern[str]]]:
    """The quotation marks and the no-break-space pattern for a language tag."""
    primary = language.split("-")[0].lower()
    quotes = _QUOTES.get(primary, _QUOTES["en"])
    months: tuple[str, ...] = _ENGLISH_MONTHS
    if primary != "en":
        try:
            from babel import Locale

            wide = Locale.parse(language.replace("-", "_")).months["format"]["wide"]
            months = tuple(wide[k] for k in sorted(wide))
        except Exception:  # an unknown tag: English months (never wrong for an English text)
            months = _ENGLISH_MONTHS
    return quotes, _no_break_pattern(months)


def _typography_rule(state: StateCore) -> None:
    """Dashes and no-break spaces in text (after markdown-it's smartquotes): a spaced hyphen
    becomes a spaced en dash, `--` an en dash and `---` an em dash; a number and its unit, or a
    day and its month, are joined by a no-break space ("15–20\u00a0km", "2.5\u00a0million",
    "10\u00a0October"). Code is left alone."""
    patterns = state.env.get("no_break_pattern")
    if patterns is None:
        return
    space, range_hyphen = patterns
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type != "text":
                continue
            text = child.content
            if "-" in text:
                text = text.replace("---", "—").replace("--", "–").replace(" - ", " – ")
                text = range_hyphen.sub("–", text)
            child.content = space.sub("\u00a0", text)


@cache
def shared_parser(typographer: bool = False) -> MarkdownIt:
    """The shared, configured MarkdownIt instance (building one costs more than a parse); with
    `typographer`, markdown-it's smart quotes and `_typography_rule` run too."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": typographer}).enable("table")
    if typographer:
        md.enable("smartquotes")
        md.core.ruler.after("smartquotes", "typography", _typography_rule)
    md.use(front_matter_plugin)
    # Definitions stay where they are in the stream (move_to_end=False) so every definition is
    # kept with its original label, referenced or not; inline `^[…]` notes are not in the dialect.
    md.use(footnote_plugin, inline=False, move_to_end=False)
    md.use(attrs_plugin, spans=True, after=("code_inline", "link_close"))
    md.inline.ruler.after("footnote_ref", "undefined_footnote_ref", _undefined_footnote_rule)
    md.block.ruler.before(
        "fence", "fenced_div", _fenced_div_rule, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.core.ruler.after("block", "heading_attributes", _heading_attributes_rule)
    return md
