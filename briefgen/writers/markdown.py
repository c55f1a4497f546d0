"""The review Markdown writer: a `briefgen.model.Document` as clean CommonMark.

The review copy (`--format md`) is for reading on a code-hosting site, in a Markdown viewer or
in a diff, and for converting with pandoc: headings, paragraphs, lists, GFM pipe tables and
footnotes, and nothing of the internal markup between templates and writers (no front matter,
no `{.class}` or `{#anchor}` attributes, no `:::` divs, no JSON blocks). The banner (the
marking line) stands alone on the first and the last line, as on every page of the memo.

What the internal markup says with attributes becomes plain CommonMark:

- the memo's bottom-line box (`bluf`) and the deck's speaker notes (`notes`) become block
  quotes, the notes headed *Speaker notes*;
- internal links (`#anchor`) point at the heading's identifier as GitHub and pandoc derive it
  from the heading text (`gfm_auto_identifiers`);
- the risk matrix becomes a likelihood x impact table, the timeline a dated list, the table of
  contents a list of links;
- footnotes are numbered `[^1]`, `[^2]`, ... in the order of their first reference.

Only CommonMark with the GFM table and footnote extensions is written, so markdown-it-py,
GitHub, GitLab and pandoc (`-f gfm` or `-f markdown`) read the same document.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from briefgen.errors import Problem
from briefgen.formats import formats_for
from briefgen.languages import language_of
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
    PageBreak,
    Paragraph,
    RiskMatrix,
    Table,
    TableOfContents,
    Text,
    Timeline,
    plain_text,
)

__all__ = ["MarkdownOptions", "heading_slug", "write_markdown"]

# ASCII punctuation that is markup somewhere in CommonMark, GFM (tables, strikethrough, math on
# GitHub) or pandoc's Markdown (spans, sub/superscript). A backslash before ASCII punctuation is
# always an escape in CommonMark, so escaping more than needed never shows.
_INLINE_ESCAPES = {ord(c): "\\" + c for c in "\\`*_[]{}<>|&~^$"}
# At the start of a block these would open a list, quote, heading, fence, table row or div.
_BLOCK_START = re.compile(r"^(?:[-+=>:!#|]|(\d+)([.)]))")
_LINE_ENDS = re.compile(r"\r\n|[\r\n]")


@dataclass(frozen=True)
class MarkdownOptions:
    """How to write the review Markdown.

    `banner` is the marking line put first and last (default: the document's own marking,
    `Document.meta.marking`; an empty string writes none).
    """

    banner: str | None = None


def write_markdown(
    document: Document, options: MarkdownOptions | None = None, reference: bytes | None = None
) -> tuple[bytes, list[Problem]]:
    """Write `document` as CommonMark (UTF-8, LF line ends, one final newline).

    The writers' common shape (model + options + reference bytes → bytes and warnings); the
    review Markdown has no reference document, so `reference` is ignored.

    Returns the bytes and the warnings: what the review copy cannot show as the document holds
    it (a table with more than one header row keeps the first as its header). Raises nothing
    for any document the markup reader produces.
    """
    options = options or MarkdownOptions()
    writer = _Writer(document)
    body = writer.blocks(document.blocks)
    notes = writer.footnote_definitions()
    banner = document.meta.marking if options.banner is None else options.banner
    chunks: list[str] = []
    if banner.strip():
        chunks.append(_banner(banner))
    chunks.extend(body)
    chunks.extend(notes)
    if banner.strip():
        chunks.append(_banner(banner))
    text = "\n\n".join(c.rstrip("\n") for c in chunks if c.strip()) + "\n"
    return text.encode("utf-8"), writer.warnings


def _banner(banner: str) -> str:
    """The marking as a paragraph of its own, in bold, as it stands on every page."""
    return f"**{_escape_inline(' '.join(banner.split()))}**"


def heading_slug(text: str, used: dict[str, int]) -> str:
    """The identifier GitHub and pandoc's `gfm_auto_identifiers` give a heading: lower case,
    punctuation other than `-` and `_` removed, spaces turned into `-`; a repeated slug gets
    `-1`, `-2`, ... (`used` counts the slugs given so far in the document)."""
    slug = "".join(
        ch for ch in text.lower() if ch in " -_" or unicodedata.category(ch)[0] in ("L", "N", "M")
    ).replace(" ", "-")
    count = used.get(slug)
    used[slug] = 0 if count is None else count + 1
    return slug if count is None else f"{slug}-{count + 1}"


@dataclass
class _Writer:
    document: Document
    warnings: list[Problem] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)  # footnote label -> number
    anchors: dict[str, str] = field(default_factory=dict)  # model anchor -> GitHub slug

    def __post_init__(self) -> None:
        used: dict[str, int] = {}
        for heading in _headings(self.document.blocks):
            slug = heading_slug(plain_text(heading.content), used)
            if heading.anchor:
                self.anchors.setdefault(heading.anchor, slug)

    # ---- blocks

    def blocks(self, blocks: Iterable[Block]) -> list[str]:
        out: list[str] = []
        for block in blocks:
            out.extend(self.block(block))
        return out

    def block(self, block: Block) -> list[str]:
        if isinstance(block, Heading):
            text = self.inlines(block.content, in_table=True).strip(" ")
            if text.endswith("#"):  # a closing sequence of #s would be dropped
                text = text[:-1] + "\\#"
            return [f"{'#' * min(max(block.level, 1), 6)} {text}"] if text else []
        if isinstance(block, Paragraph):
            text = "\\\n".join(_block_safe(line) for line in self.inlines(block.content).split("\\\n"))
            return [text] if text.strip() else []
        if isinstance(block, ListBlock):
            return [self.list_block(block)]
        if isinstance(block, Table):
            return [self.table(block)]
        if isinstance(block, Div):
            return self.div(block)
        if isinstance(block, PageBreak):
            return ["* * *"]
        if isinstance(block, TableOfContents):
            return self.contents(block)
        if isinstance(block, RiskMatrix):
            return self.risk_matrix(block)
        if isinstance(block, Timeline):
            return [self.timeline(block)]
        return []

    def div(self, div: Div) -> list[str]:
        inner = self.blocks(div.blocks)
        if "notes" in div.classes:
            return [_quote(["**Speaker notes**", *inner])] if inner else []
        if "bluf" in div.classes:
            return [_quote(inner)] if inner else []
        return inner  # fields, left/right columns, table kinds: the content reads on its own

    def list_block(self, block: ListBlock) -> str:
        lines: list[str] = []
        loose = any(len(item.blocks) > 1 for item in block.items)
        for number, item in enumerate(block.items, start=block.start):
            marker = f"{number}. " if block.ordered else "- "
            parts = self.blocks(item.blocks) or [""]
            body = ("\n\n" if loose else "\n").join(parts)
            pad = " " * len(marker)
            first, *rest = body.split("\n")
            lines.append(marker + first)
            lines.extend(pad + line if line else "" for line in rest)
            if loose:
                lines.append("")
        return "\n".join(lines).rstrip("\n")

    def table(self, table: Table) -> str:
        width = max((len(row) for row in (*table.header, *table.body)), default=0)
        if width == 0:
            return ""
        header, *extra = table.header or ((),)
        if extra:
            self.warnings.append(
                Problem(
                    f"{self.document.meta.kind}: a table with {len(table.header)} header rows "
                    "keeps only the first as its header in the review Markdown",
                    severity="warning",
                )
            )
        rows = [header, *extra, *table.body]
        aligns = list(table.aligns) + [None] * (width - len(table.aligns))
        rule = {"left": ":---", "center": ":---:", "right": "---:"}
        lines = [
            self._row(rows[0], width),
            "| " + " | ".join(rule.get(a or "", "---") for a in aligns[:width]) + " |",
        ]
        lines.extend(self._row(row, width) for row in rows[1:])
        return "\n".join(lines)

    def _row(self, row: Iterable[Cell], width: int) -> str:
        cells = [self.inlines(cell.content, in_table=True).strip() for cell in row]
        cells += [""] * (width - len(cells))
        return "| " + " | ".join(cells) + " |"

    def contents(self, toc: TableOfContents) -> list[str]:
        """The entries of a table of contents: links to the headings that follow it."""
        entries: list[str] = []
        started = False
        used: dict[str, int] = {}
        for node in _walk(self.document.blocks):
            if node is toc:
                started = True
                continue
            if not isinstance(node, Heading):
                continue
            slug = heading_slug(plain_text(node.content), used)
            if started and node.level in toc.levels:
                indent = "  " * (node.level - min(toc.levels))
                title = _escape_inline(_one_line(plain_text(node.content)))
                entries.append(f"{indent}- [{title}](#{slug})")
        if not entries:
            return []
        return [f"**{_escape_inline(toc.title)}**", "\n".join(entries)] if toc.title else ["\n".join(entries)]

    def risk_matrix(self, matrix: RiskMatrix) -> list[str]:
        """The heat map as a table: likelihood rows (5 at the top), impact columns, each cell the
        risks rated there with their RAG status."""
        header = (
            "| Likelihood | "
            + " | ".join(
                f"Impact {i}: {_escape_inline(label)}"
                for i, label in enumerate(matrix.impact_labels, start=1)
            )
            + " |"
        )
        lines = [header, "| :--- |" + " :---: |" * len(matrix.impact_labels)]
        semicolon = formats_for(language_of(self.document.meta.language)).separators.semicolon
        for likelihood in range(len(matrix.likelihood_labels), 0, -1):
            cells = []
            for impact in range(1, len(matrix.impact_labels) + 1):
                here = [r for r in matrix.risks if r.likelihood == likelihood and r.impact == impact]
                cells.append(semicolon.join(f"{_escape_inline(r.title)} ({r.rag.upper()})" for r in here))
            label = _escape_inline(matrix.likelihood_labels[likelihood - 1])
            lines.append(f"| {likelihood}: {label} | " + " | ".join(cells) + " |")
        return ["\n".join(lines)]  # the template states the thresholds beside it

    def timeline(self, timeline: Timeline) -> str:
        lines = []
        for event in timeline.events:
            text = f"{_escape_inline(event.date)}: {_escape_inline(_one_line(event.label))}"
            lines.append(f"- **{text}**" if event.highlight else f"- {text}")
        return "\n".join(lines)

    # ---- footnotes

    def footnote_definitions(self) -> list[str]:
        out = []
        for label, number in self.numbers.items():
            blocks = self.blocks(self.document.footnotes.get(label, ()))
            body = "\n\n".join(blocks) or _escape_inline(label)
            first, *rest = body.split("\n")
            lines = [f"[^{number}]: {first}", *("    " + line if line else "" for line in rest)]
            out.append("\n".join(lines))
        return out

    # ---- inlines

    def inlines(self, content: Iterable[Inline], *, in_table: bool = False) -> str:
        out: list[str] = []
        nodes = list(_merge(content))
        for index, node in enumerate(nodes):
            if isinstance(node, Text):
                before = out[-1][-1:] if out and out[-1] else ""
                after = _first_char(nodes[index + 1]) if index + 1 < len(nodes) else ""
                out.append(_styled(node, before, after))
            elif isinstance(node, Link):
                out.append(self.link(node, in_table))
            elif isinstance(node, FootnoteRef):
                if node.label in self.document.footnotes:
                    number = self.numbers.setdefault(node.label, len(self.numbers) + 1)
                    out.append(f"[^{number}]")
                else:  # the reader warned already; print it as the text it is
                    out.append(_escape_inline(f"[^{node.label}]"))
            elif isinstance(node, LineBreak):
                out.append(" " if in_table else "\\\n")
        return "".join(out)

    def link(self, link: Link, in_table: bool) -> str:
        text = self.inlines(link.children, in_table=in_table)
        url = link.url
        url = "#" + self.anchors.get(url[1:], url[1:]) if url.startswith("#") else package_target(url)
        is_autolink = re.fullmatch(r"[a-z][a-z0-9+.-]*:[^\s<>]*", url)
        if not url.startswith("#") and plain_text(link.children) == url and is_autolink:
            return f"<{url}>"
        if re.search(r"[\s()<>]", url):
            url = "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
        return f"[{text or _escape_inline(url)}]({url})"


# ---------------------------------------------------------------------------------------------
# Text


def _escape_inline(text: str) -> str:
    return _one_line(text).translate(_INLINE_ESCAPES)


def _one_line(text: str) -> str:
    return _LINE_ENDS.sub(" ", text.replace("\x00", "\ufffd"))


def _styled(node: Text, before: str = "", after: str = "") -> str:
    """A text run with its emphasis or code, between the characters `before` and `after`.

    CommonMark closes `**` only after a non-space, and after punctuation only when a space or
    punctuation follows (its "flanking" rules), so white space (no-break spaces too) stays
    outside the delimiters, and punctuation that would touch a letter outside them moves out:
    `**TO:**x` would not be bold, `**TO**:x` is.
    """
    raw = _one_line(node.text)
    core = raw.strip()
    if not core:
        return raw
    lead = raw[: len(raw) - len(raw.lstrip())]
    trail = raw[len(raw.rstrip()) :]
    if (node.bold or node.italic) and not node.code:
        if not trail and after and not (after.isspace() or _is_punctuation(after)):
            cut = len(core)
            while cut and (_is_punctuation(core[cut - 1]) or core[cut - 1].isspace()):
                cut -= 1
            core, trail = core[:cut], core[cut:]
        if not lead and before and not (before.isspace() or _is_punctuation(before)):
            cut = 0
            while cut < len(core) and (_is_punctuation(core[cut]) or core[cut].isspace()):
                cut += 1
            lead, core = core[:cut], core[cut:]
        lead, trail = lead.translate(_INLINE_ESCAPES), trail.translate(_INLINE_ESCAPES)
        if not core:
            return lead + trail
    if node.code:
        fence = "`" * (max((len(m) for m in re.findall(r"`+", core)), default=0) + 1)
        pad = " " if core.startswith("`") or core.endswith("`") else ""
        body = f"{fence}{pad}{core}{pad}{fence}"
    else:
        body = core.translate(_INLINE_ESCAPES)
    if node.bold and node.italic:
        body = f"***{body}***"
    elif node.bold:
        body = f"**{body}**"
    elif node.italic:
        body = f"*{body}*"
    return lead + body + trail


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in ("P", "S")


def _first_char(node: Inline) -> str:
    if isinstance(node, Text):
        return _one_line(node.text)[:1]
    if isinstance(node, FootnoteRef | Link):
        return "["
    return "\n" if isinstance(node, LineBreak) else ""


def _merge(content: Iterable[Inline]) -> Iterator[Inline]:
    """Adjacent text runs of the same look as one run (spans' classes do not show here), so that
    `**a****b**` is never written."""
    pending: Text | None = None
    for node in content:
        if isinstance(node, Text):
            if pending is not None and (pending.bold, pending.italic, pending.code) == (
                node.bold,
                node.italic,
                node.code,
            ):
                pending = Text(pending.text + node.text, node.bold, node.italic, node.code)
                continue
            if pending is not None:
                yield pending
            pending = node
            continue
        if pending is not None:
            yield pending
            pending = None
        yield node
    if pending is not None:
        yield pending


def _block_safe(text: str) -> str:
    """`text` as the start of a block: no leading spaces (four would make code), and a first
    character that would open a list, quote, heading or table escaped."""
    text = text.lstrip(" ")
    match = _BLOCK_START.match(text)
    if match:
        if match.group(1) is not None:
            return f"{match.group(1)}\\{match.group(2)}{text[match.end() :]}"
        return "\\" + text
    return text


def _quote(chunks: list[str]) -> str:
    lines: list[str] = []
    for index, chunk in enumerate(chunks):
        if index:
            lines.append(">")
        lines.extend(f"> {line}" if line else ">" for line in chunk.split("\n"))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Walking the model


def _walk(blocks: Iterable[Block]) -> Iterator[Block]:
    for block in blocks:
        yield block
        if isinstance(block, Div):
            yield from _walk(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from _walk(item.blocks)


def _headings(blocks: Iterable[Block]) -> Iterator[Heading]:
    return (b for b in _walk(blocks) if isinstance(b, Heading))
