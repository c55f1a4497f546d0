"""Read the Markdown the templates render into the document model (`briefgen.model`).

The dialect (docs/markup.md) is CommonMark with GFM pipe tables, JSON front matter, footnotes,
pandoc fenced divs (`::: name`), bracketed spans (`[text]{.class}`), pandoc heading attributes
(`## Title {#anchor .class key=value}`) and three fenced blocks with JSON bodies (`toc`,
`risk-matrix`, `timeline`). Raw HTML is plain text: the writers never see markup.

`escape_markdown` is the inverse for plain strings: the templates apply it to every fact text
so that whatever a fact says is printed literally.

The reading is split by what it turns into the model: `markup_parser` (the markdown-it parser
of the dialect and its rules), `markup_blocks` (block tokens into blocks and footnotes),
`markup_inlines` (inline tokens into text runs, links and note references) and `markup_json`
(the fenced JSON blocks); the front matter and the entry point are here.
"""

from __future__ import annotations

import json
import re
from typing import Any

from markdown_it.token import Token

from briefgen.errors import Problem, TemplateProblem
from briefgen.links import package_target
from briefgen.markup_blocks import Reader
from briefgen.markup_json import FieldError, expect, json_type, strings
from briefgen.markup_parser import shared_parser, typography_for
from briefgen.model import Document, Meta

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
# Front matter

_META_STRINGS = ("title", "subject", "author", "description", "language", "marking", "as_of", "date", "kind")
_KINDS = ("memo", "deck")


def _meta(reader: Reader, token: Token) -> Meta:
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
        raise reader.fail(first + 1, f"front matter: expected a JSON object, got {json_type(data)}")
    values: dict[str, Any] = {}
    extra: list[tuple[str, str]] = []
    for key, value in data.items():
        try:
            if key in _META_STRINGS:
                if value is not None:
                    values[key] = expect(value, str, key)
            elif key == "keywords":
                if value is not None:
                    values[key] = strings(value, key)
            else:
                # Strings and numbers as written; anything else in its JSON spelling.
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                extra.append((key, text))
        except FieldError as exc:
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
    parser = shared_parser(typography is not None)
    if typography is not None:
        quotes, env["no_break_pattern"] = typography_for(typography)
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
    reader = Reader(tokens, source, offset)
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
