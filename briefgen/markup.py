"""Read the Markdown the templates render into the document model (`briefgen.model`).

The dialect (docs/markup.md) is CommonMark with GFM pipe tables, JSON front matter, footnotes,
pandoc fenced divs (`::: name`), bracketed spans (`[text]{.class}`), pandoc heading attributes
(`## Title {#anchor .class key=value}`) and three fenced blocks with JSON bodies (`toc`,
`risk-matrix`, `timeline`). Raw HTML is plain text: the writers never see markup.

`escape_markdown` is the inverse for plain strings: the templates apply it to every fact text
so that whatever a fact says is printed literally.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.utils import is_code_block

from briefgen.errors import Problem, TemplateProblem
from briefgen.links import package_target
from briefgen.model import (
    Block,
    Cell,
    Div,
    Document,
    FootnoteRef,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    ListItem,
    Meta,
    PageBreak,
    Paragraph,
    RiskMatrix,
    RiskPoint,
    Table,
    TableOfContents,
    Text,
    Timeline,
    TimelineEvent,
    plain_text,
)

__all__ = ["escape_markdown", "markdown_link", "read_markdown"]

# ---------------------------------------------------------------------------------------------
# Escaping

# Characters that are markup anywhere in a line (emphasis, links, spans, code, tables, entities,
# escapes, autolinks, headings' closing #), and pandoc's sub/superscript and math markers.
_ESCAPES: dict[int, str] = {ord(c): "\\" + c for c in "\\`*_[]{}<>|&~^$#"}
# Line endings would end the paragraph, list item or table row the text was placed in; NUL is
# replaced by U+FFFD by every CommonMark parser anyway, so do it here and the round trip holds.
_ESCAPES.update({ord("\n"): " ", ord("\r"): " ", 0: "\ufffd"})
# Characters that are markup only at the start of a block: list markers, block quotes, fenced
# divs, thematic breaks, ordered-list numbers ("12." / "12)").
_LEADING = re.compile(r"^(?:([-+=>:!])|(\d+)([.)]))")


def escape_markdown(text: str) -> str:
    """Escape a plain string so that `read_markdown` reads it back as literal text.

    Only what Markdown could interpret is escaped, so the review Markdown stays readable.
    Newlines become spaces and surrounding whitespace is dropped (Markdown drops it anyway, and
    leading spaces could turn a list item into indented code), so the result stays on one line
    and is safe in a paragraph, heading, list item, span, link text or table cell.
    """
    out = text.replace("\r\n", "\n").translate(_ESCAPES).strip()
    match = _LEADING.match(out)
    if match:
        out = "\\" + out if match.group(1) else f"{match.group(2)}\\{match.group(3)}{out[match.end():]}"
    return out


def markdown_link(url: str) -> str:
    """A Markdown inline link whose text is `url` exactly as written and whose destination is
    its `package_target`: `[https://example.org/?a=<b>](<https://example.org/?a=%3Cb%3E>)`.

    Used by the templates instead of an autolink `<url>`, which ends at the first `<`, `>` or
    space of the address and printed the brackets.
    """
    target = package_target(url).replace("\\", "%5C").replace("<", "%3C").replace(">", "%3E")
    # The text is the address exactly: quotes, apostrophes, hyphens and spaces as character
    # references, which the memo's typography (curly quotes, dashes, no-break spaces) leaves alone.
    text = escape_markdown(url).translate(_LITERAL_IN_LINK_TEXT)
    return f"[{text}](<{target}>)"


_LITERAL_IN_LINK_TEXT = {ord('"'): "&quot;", ord("'"): "&#39;", ord("-"): "&#45;", ord(" "): "&#32;"}


# ---------------------------------------------------------------------------------------------
# The parser (one per process)


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
def _typography_for(
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
def _parser(typographer: bool = False) -> MarkdownIt:
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


# ---------------------------------------------------------------------------------------------
# Inline content

_Format = tuple[bool, bool, bool, tuple[str, ...]]  # bold, italic, code, classes


class _InlineBuilder:
    """Collects inline nodes, merging adjacent text of identical formatting into one `Text`."""

    __slots__ = ("fmt", "nodes", "parts")

    def __init__(self) -> None:
        self.nodes: list[Inline] = []
        self.parts: list[str] = []
        self.fmt: _Format | None = None

    def text(self, text: str, fmt: _Format) -> None:
        if not text:
            return
        if fmt != self.fmt:
            self.flush()
            self.fmt = fmt
        self.parts.append(text)

    def node(self, node: Inline) -> None:
        self.flush()
        self.nodes.append(node)

    def flush(self) -> None:
        if self.parts and self.fmt is not None:
            bold, italic, code, classes = self.fmt
            self.nodes.append(Text("".join(self.parts), bold, italic, code, classes))
        self.parts = []
        self.fmt = None

    def result(self) -> tuple[Inline, ...]:
        self.flush()
        return tuple(self.nodes)


def _classes_of(token: Token) -> list[str]:
    value = token.attrs.get("class")
    return str(value).split() if value else []


def _convert_inline(children: Sequence[Token] | None) -> tuple[Inline, ...]:
    """Flatten markdown-it's inline tokens into runs of `Text`, `Link`, `FootnoteRef`, `LineBreak`."""
    bold = italic = 0
    class_stack: list[list[str]] = []
    classes: tuple[str, ...] = ()
    builders = [_InlineBuilder()]
    link_urls: list[str] = []

    def current_classes() -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for group in class_stack for c in group))

    def push_classes(new: list[str]) -> None:
        nonlocal classes
        class_stack.append(new)
        classes = current_classes()

    def pop_classes() -> None:
        nonlocal classes
        if class_stack:
            class_stack.pop()
        classes = current_classes()

    for token in children or ():
        kind = token.type
        out = builders[-1]
        if kind in ("text", "text_special"):
            out.text(token.content, (bold > 0, italic > 0, False, classes))
        elif kind == "softbreak":
            out.text(" ", (bold > 0, italic > 0, False, classes))
        elif kind == "hardbreak":
            out.node(LineBreak())
        elif kind == "code_inline":
            own = classes + tuple(c for c in _classes_of(token) if c not in classes)
            out.text(token.content, (bold > 0, italic > 0, True, own))
        elif kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "span_open":
            push_classes(_classes_of(token))
        elif kind == "span_close":
            pop_classes()
        elif kind == "link_open":
            link_urls.append(_link_target(str(token.attrs.get("href", ""))))
            builders.append(_InlineBuilder())
            push_classes(_classes_of(token))
        elif kind == "link_close":
            pop_classes()
            if len(builders) > 1:
                inner = builders.pop().result()
                builders[-1].node(Link(link_urls.pop(), inner))
        elif kind == "footnote_ref":
            out.node(FootnoteRef(str(token.meta["label"])))
        elif kind == "image":
            # The model has no images; keep the alt text so nothing silently disappears.
            for node in _convert_inline(token.children):
                if isinstance(node, Text):
                    out.text(
                        node.text, (node.bold or bold > 0, node.italic or italic > 0, node.code, classes)
                    )
                else:
                    out.node(node)
        elif token.content and token.nesting == 0:
            out.text(token.content, (bold > 0, italic > 0, False, classes))
    while len(builders) > 1:  # unbalanced link tokens cannot happen, but never drop text
        inner = builders.pop().result()
        builders[-1].node(Link(link_urls.pop(), inner))
    return builders[0].result()


def _link_target(href: str) -> str:
    """The link's URL; internal `#anchor` targets are decoded so they match heading anchors.

    markdown-it percent-encodes URLs (`#çav` → `#%C3%A7av`) while `{#çav}` keeps its letters.
    """
    return _parser().normalizeLinkText(href) if href.startswith("#") else href


def _whole_span_classes(children: Sequence[Token] | None) -> tuple[str, ...]:
    """The classes of a paragraph made of exactly one bracketed span, e.g. `[Source: …]{.source}`."""
    if not children or children[0].type != "span_open" or children[-1].type != "span_close":
        return ()
    depth = 0
    for index, token in enumerate(children):
        if token.type == "span_open":
            depth += 1
        elif token.type == "span_close":
            depth -= 1
            if depth == 0 and index != len(children) - 1:
                return ()  # the first span closes before the end: two spans side by side
    return tuple(_classes_of(children[0]))


# ---------------------------------------------------------------------------------------------
# Blocks


class _Reader:
    """One pass over the block token stream, building blocks and collecting footnotes."""

    def __init__(self, tokens: list[Token], source: str, line_offset: int = 0) -> None:
        self.tokens = tokens
        self.source = source
        self.line_offset = line_offset  # blank lines stripped before parsing
        self.footnotes: dict[str, tuple[Block, ...]] = {}
        self.warnings: list[Problem] = []

    def fail(self, line: int, message: str, col: int = 0) -> TemplateProblem:
        line += self.line_offset
        problem = Problem(message=message, file=self.source, line=line, col=col)
        return TemplateProblem(f"{self.source}:{line}: {message}", problems=[problem])

    def blocks(self, index: int, close: str | None) -> tuple[list[Block], int]:
        """Read blocks from `index` up to the token of type `close`; return them and the index after it."""
        tokens = self.tokens
        out: list[Block] = []
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if kind == close:
                return out, index + 1
            if kind == "heading_open":
                out.append(self.heading(token, tokens[index + 1]))
                index += 3
            elif kind == "paragraph_open":
                inline = tokens[index + 1]
                content = _convert_inline(inline.children)
                if content:
                    out.append(Paragraph(content, _whole_span_classes(inline.children)))
                index += 3
            elif kind in ("bullet_list_open", "ordered_list_open"):
                block, index = self.list_block(token, index + 1)
                out.append(block)
            elif kind == "table_open":
                table, index = self.table(index + 1)
                if table.body:
                    out.append(table)
                else:
                    # A header with no rows is an empty section: left out, not printed empty.
                    head = " | ".join(plain_text(c.content) for c in (table.header or ((),))[0])
                    line = token.map[0] + 1 + self.line_offset if token.map else 0
                    self.warnings.append(
                        Problem(
                            f"a table ({head}) has a header but no rows; it is left out",
                            file=self.source,
                            line=line,
                            severity="warning",
                        )
                    )
            elif kind == "div_open":
                inner, index = self.blocks(index + 1, "div_close")
                classes = tuple(token.meta.get("classes", ()))
                if len(inner) == 1 and isinstance(inner[0], Table):
                    only = inner[0]
                    merged = tuple(dict.fromkeys(classes + only.classes))
                    out.append(Table(only.header, only.body, only.aligns, merged))
                else:
                    out.append(Div(classes, tuple(inner)))
            elif kind == "blockquote_open":
                # Not in the dialect; keep the content, marked so a writer can indent it.
                inner, index = self.blocks(index + 1, "blockquote_close")
                out.append(Div(("blockquote",), tuple(inner)))
            elif kind == "footnote_reference_open":
                inner, index = self.blocks(index + 1, "footnote_reference_close")
                self.footnotes[str(token.meta["label"])] = tuple(inner)
            elif kind == "hr":
                out.append(PageBreak())
                index += 1
            elif kind == "fence":
                out.append(self.fence(token))
                index += 1
            elif kind == "code_block":
                out.append(_code_paragraph(token.content))
                index += 1
            elif kind == "front_matter":
                index += 1  # read by read_markdown; only valid as the very first token
            elif token.nesting == 1:
                # Unknown container (from a future plugin): keep its content rather than drop it.
                inner, index = self.blocks(index + 1, kind.removesuffix("_open") + "_close")
                out.extend(inner)
            else:
                index += 1
        return out, index

    def heading(self, token: Token, inline: Token) -> Heading:
        attrs: dict[str, str] = dict(token.meta.get("attrs", {}))
        anchor = attrs.pop("id", None)
        classes = tuple(attrs.pop("class", "").split())
        return Heading(
            level=int(token.tag[1:]),
            content=_convert_inline(inline.children),
            anchor=anchor or None,
            classes=classes,
            attrs=tuple((k, str(v)) for k, v in attrs.items()),
        )

    def list_block(self, opening: Token, index: int) -> tuple[ListBlock, int]:
        ordered = opening.type == "ordered_list_open"
        close = "ordered_list_close" if ordered else "bullet_list_close"
        items: list[ListItem] = []
        tokens = self.tokens
        while index < len(tokens) and tokens[index].type != close:
            if tokens[index].type == "list_item_open":
                blocks, index = self.blocks(index + 1, "list_item_close")
                items.append(ListItem(tuple(blocks)))
            else:
                index += 1
        start = 1
        if ordered:
            try:
                start = int(opening.attrs.get("start", 1))
            except (TypeError, ValueError):
                start = 1
        return ListBlock(ordered, tuple(items), start), index + 1

    def table(self, index: int) -> tuple[Table, int]:
        header: list[tuple[Cell, ...]] = []
        body: list[tuple[Cell, ...]] = []
        aligns: list[str | None] = []
        row: list[Cell] = []
        in_head = False
        tokens = self.tokens
        while index < len(tokens) and tokens[index].type != "table_close":
            token = tokens[index]
            kind = token.type
            if kind == "thead_open":
                in_head = True
            elif kind == "thead_close":
                in_head = False
            elif kind == "tr_open":
                row = []
            elif kind == "tr_close":
                (header if in_head else body).append(tuple(row))
            elif kind == "th_open" and not header:
                aligns.append(_alignment(token))
            elif kind == "inline":
                row.append(Cell(_convert_inline(token.children)))
            index += 1
        return Table(tuple(header), tuple(body), tuple(aligns)), index + 1

    def fence(self, token: Token) -> Block:
        info = token.info.strip()
        name = info.split(maxsplit=1)[0] if info else ""
        builder = _FENCED_BLOCKS.get(name)
        if builder is None:
            return _code_paragraph(token.content)
        line = (token.map[0] + 1) if token.map else 0
        body = token.content
        if body.strip():
            try:
                data = json.loads(body)
            except json.JSONDecodeError as exc:
                raise self.fail(
                    line + exc.lineno,
                    f"{name} block: invalid JSON: {exc.msg} (column {exc.colno})",
                    exc.colno,
                ) from None
        else:
            data = {}
        try:
            return builder(data)
        except _FieldError as exc:
            raise self.fail(line, f"{name} block: {exc}") from None


_ALIGNMENTS = {"text-align:left": "left", "text-align:center": "center", "text-align:right": "right"}


def _alignment(token: Token) -> str | None:
    return _ALIGNMENTS.get(str(token.attrs.get("style", "")).replace(" ", ""))


def _code_paragraph(content: str) -> Paragraph:
    """A code block as one paragraph: a code `Text` per line, separated by `LineBreak`s."""
    nodes: list[Inline] = []
    for number, line in enumerate(content.removesuffix("\n").split("\n")):
        if number:
            nodes.append(LineBreak())
        if line:
            nodes.append(Text(line, code=True))
    return Paragraph(tuple(nodes))


# ---------------------------------------------------------------------------------------------
# JSON bodies: front matter and the special fenced blocks


class _FieldError(Exception):
    """A JSON body with a missing, unknown or wrongly typed field."""


def _expect(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    # bool is an int subclass in Python, but `true` is never a valid number here.
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise _FieldError(f"{where}: expected {_type_name(kinds)}, got {_json_type(value)}")
    return value


def _type_name(kinds: tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", bool: "true or false", list: "a list", dict: "an object"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _json_type(value: Any) -> str:
    return {
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
        list: "a list",
        dict: "an object",
    }.get(type(value), "null")


def _object(data: Any, where: str, allowed: set[str], required: Iterable[str] = ()) -> dict[str, Any]:
    _expect(data, dict, where)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _FieldError(f"{where}: unknown field {unknown[0]!r} (expected {', '.join(sorted(allowed))})")
    missing = sorted(set(required) - set(data))
    if missing:
        raise _FieldError(f"{where}: missing field {missing[0]!r}")
    checked: dict[str, Any] = data
    return checked


def _int_in(value: Any, where: str, low: int, high: int) -> int:
    _expect(value, int, where)
    if not low <= value <= high:
        raise _FieldError(f"{where}: {value} is not between {low} and {high}")
    return int(value)


def _strings(value: Any, where: str, count: int | None = None) -> tuple[str, ...]:
    _expect(value, list, where)
    for position, item in enumerate(value):
        _expect(item, str, f"{where}[{position}]")
    if count is not None and len(value) != count:
        raise _FieldError(f"{where}: expected {count} entries, got {len(value)}")
    return tuple(value)


def _toc(data: Any) -> TableOfContents:
    data = _object(data, "toc", {"levels", "title"})
    default = TableOfContents()
    levels = default.levels
    if "levels" in data:
        _expect(data["levels"], list, "levels")
        levels = tuple(_int_in(v, f"levels[{i}]", 1, 6) for i, v in enumerate(data["levels"]))
        if not levels:
            raise _FieldError("levels: expected at least one heading level")
    title = _expect(data.get("title", default.title), str, "title")
    return TableOfContents(levels, title)


_RAGS = ("red", "amber", "green")


def _risk_matrix(data: Any) -> RiskMatrix:
    fields = {"risks", "red_from", "amber_from", "likelihood_labels", "impact_labels"}
    data = _object(data, "risk-matrix", fields, {"risks"})
    _expect(data["risks"], list, "risks")
    risks: list[RiskPoint] = []
    for number, item in enumerate(data["risks"]):
        where = f"risks[{number}]"
        names = {"id", "title", "likelihood", "impact", "score", "rag"}
        item = _object(item, where, names, names)
        rag = _expect(item["rag"], str, f"{where}.rag")
        if rag not in _RAGS:
            raise _FieldError(f"{where}.rag: {rag!r} is not one of {', '.join(_RAGS)}")
        risks.append(
            RiskPoint(
                id=_expect(item["id"], str, f"{where}.id"),
                title=_expect(item["title"], str, f"{where}.title"),
                likelihood=_int_in(item["likelihood"], f"{where}.likelihood", 1, 5),
                impact=_int_in(item["impact"], f"{where}.impact", 1, 5),
                score=_int_in(item["score"], f"{where}.score", 1, 25),
                rag=rag,
            )
        )
    default = RiskMatrix(())
    return RiskMatrix(
        risks=tuple(risks),
        red_from=_int_in(data.get("red_from", default.red_from), "red_from", 1, 25),
        amber_from=_int_in(data.get("amber_from", default.amber_from), "amber_from", 1, 25),
        likelihood_labels=_strings(
            data.get("likelihood_labels", list(default.likelihood_labels)), "likelihood_labels", 5
        ),
        impact_labels=_strings(data.get("impact_labels", list(default.impact_labels)), "impact_labels", 5),
    )


def _timeline(data: Any) -> Timeline:
    data = _object(data, "timeline", {"events"}, {"events"})
    _expect(data["events"], list, "events")
    events: list[TimelineEvent] = []
    for number, item in enumerate(data["events"]):
        where = f"events[{number}]"
        item = _object(item, where, {"date", "label", "highlight"}, {"date", "label"})
        events.append(
            TimelineEvent(
                date=_expect(item["date"], str, f"{where}.date"),
                label=_expect(item["label"], str, f"{where}.label"),
                highlight=_expect(item.get("highlight", False), bool, f"{where}.highlight"),
            )
        )
    return Timeline(tuple(events))


_FENCED_BLOCKS: dict[str, Callable[[Any], Block]] = {
    "toc": _toc,
    "risk-matrix": _risk_matrix,
    "timeline": _timeline,
}

_META_STRINGS = ("title", "subject", "author", "description", "language", "marking", "as_of", "date", "kind")
_KINDS = ("memo", "deck")


def _meta(reader: _Reader, token: Token) -> Meta:
    """Front matter (a JSON object) → `Meta`; unknown keys go to `Meta.extra`."""
    first = (token.map[0] + 1) if token.map else 1  # the line of the opening `---`
    body = token.content
    if not body.strip():
        return Meta(title="")
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        message = f"front matter: invalid JSON: {exc.msg} (column {exc.colno})"
        raise reader.fail(first + exc.lineno, message, exc.colno) from None

    def key_line(key: str) -> int:
        # The first line naming the key, so the error points at it rather than at `---`.
        for offset, text in enumerate(body.split("\n"), start=1):
            if json.dumps(key) in text:
                return first + offset
        return first

    if not isinstance(data, dict):
        raise reader.fail(first + 1, f"front matter: expected a JSON object, got {_json_type(data)}")
    values: dict[str, Any] = {}
    extra: list[tuple[str, str]] = []
    for key, value in data.items():
        try:
            if key in _META_STRINGS:
                if value is not None:
                    values[key] = _expect(value, str, key)
            elif key == "keywords":
                if value is not None:
                    values[key] = _strings(value, key)
            else:
                # Strings and numbers as written; anything else in its JSON spelling.
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                extra.append((key, text))
        except _FieldError as exc:
            raise reader.fail(key_line(key), f"front matter: {exc}") from None
    if values.get("kind", "memo") not in _KINDS:
        raise reader.fail(
            key_line("kind"), f"front matter: kind: {values['kind']!r} is not one of memo, deck"
        )
    values.setdefault("title", "")
    return Meta(**values, extra=tuple(extra))


# ---------------------------------------------------------------------------------------------
# Entry point

_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\r?\n)+")


def read_markdown(
    text: str,
    *,
    source: str = "<markdown>",
    warnings: list[Problem] | None = None,
    typography: str | None = None,
) -> Document:
    """Parse rendered template Markdown into a `Document`.

    With `typography` (a language tag such as en-GB), straight quotes and apostrophes become the
    language's curly quotation marks (markdown-it's smartquotes), spaced hyphens dashes, and a
    number and its unit are joined by a no-break space; without it text reads back literally.

    `source` names the text in error messages (`memo.md:42: risk-matrix block: …`). Raises
    `TemplateProblem` for malformed JSON in the front matter or a `toc`, `risk-matrix` or
    `timeline` block, or for fields of the wrong type. Mistakes that still leave a document
    (a footnote reference without a definition) are appended to `warnings`.
    """
    # Jinja2 block tags often leave blank lines above the front matter, which must open the text.
    offset = 0
    leading = _LEADING_BLANK_LINES.match(text)
    if leading:
        offset = leading.group().count("\n")
        text = text[leading.end() :]
    env: dict[str, Any] = {}
    parser = _parser(typography is not None)
    if typography is not None:
        quotes, env["no_break_pattern"] = _typography_for(typography)
        parser.options["quotes"] = list(quotes)
    tokens = parser.parse(text, env)
    for line, fence in env.get("unclosed_divs", ()):
        # A div that runs to the end would swallow everything after it (in a deck, into the
        # speaker notes): a template mistake, usually a `:::` glued to the line above.
        message = (
            f"fenced div {fence.strip()!r} is never closed: a line holding only ':::' is missing "
            "(or a template tag removed the line break before it)"
        )
        raise TemplateProblem(problems=[Problem(message, file=source, line=line + 1 + offset)])
    reader = _Reader(tokens, source, offset)
    meta = Meta(title="")
    start = 0
    if tokens and tokens[0].type == "front_matter":
        meta = _meta(reader, tokens[0])
        start = 1
    blocks, _ = reader.blocks(start, None)
    if warnings is not None:
        warnings.extend(reader.warnings)
        warnings.extend(_undefined_footnote_warnings(env, text, source, offset))
    return Document(meta=meta, blocks=tuple(blocks), footnotes=reader.footnotes)


def _undefined_footnote_warnings(
    env: dict[str, Any], text: str, source: str, offset: int
) -> list[Problem]:
    found = []
    for label in env.get("undefined_footnotes", ()):
        # The inline parser keeps no line numbers: point at the first unescaped occurrence.
        match = re.search(r"(?<!\\)\[\^" + re.escape(label) + r"\]", text)
        line = text.count("\n", 0, match.start()) + 1 + offset if match else 0
        found.append(
            Problem(
                f"footnote reference [^{label}] has no definition, so it prints as text; "
                f"add a line '[^{label}]: …' or cite through cite()",
                file=source,
                line=line,
                severity="warning",
            )
        )
    return found
