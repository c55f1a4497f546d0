"""Blocks: one pass over markdown-it's block token stream, building the model's blocks
(headings, paragraphs, lists, tables, divs, code, the fenced JSON blocks) and collecting the
footnotes."""

from __future__ import annotations

import json

from markdown_it.token import Token

from briefgen.errors import Problem, TemplateProblem
from briefgen.markup_inlines import convert_inline, whole_span_classes
from briefgen.markup_json import FENCED_BLOCKS, FieldError
from briefgen.model import (
    Block,
    Cell,
    Div,
    Heading,
    Inline,
    LineBreak,
    ListBlock,
    ListItem,
    PageBreak,
    Paragraph,
    Table,
    Text,
    plain_text,
)


class Reader:
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
                content = convert_inline(inline.children)
                if content:
                    out.append(Paragraph(content, whole_span_classes(inline.children)))
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
            content=convert_inline(inline.children),
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
                row.append(Cell(convert_inline(token.children)))
            index += 1
        return Table(tuple(header), tuple(body), tuple(aligns)), index + 1

    def fence(self, token: Token) -> Block:
        info = token.info.strip()
        name = info.split(maxsplit=1)[0] if info else ""
        builder = FENCED_BLOCKS.get(name)
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
        except FieldError as exc:
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
