"""Inline content: markdown-it's inline tokens flattened into the model's runs of `Text`,
`Link`, `FootnoteRef` and `LineBreak`."""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it.token import Token

from briefgen.markup_parser import shared_parser
from briefgen.model import (
    FootnoteRef,
    Inline,
    LineBreak,
    Link,
    Text,
)

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


def convert_inline(children: Sequence[Token] | None) -> tuple[Inline, ...]:
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
            for node in convert_inline(token.children):
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
    return shared_parser().normalizeLinkText(href) if href.startswith("#") else href


def whole_span_classes(children: Sequence[Token] | None) -> tuple[str, ...]:
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
