"""The intermediate document model: pure, immutable data shared by every writer.

`markup.read_markdown` builds a `Document` from the Markdown the templates render; each writer
turns a `Document` (plus its options) into bytes. Nothing here does I/O or imports an office
library, so the model can be built and inspected in tests without Word or PowerPoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------
# Inline content


@dataclass(frozen=True, slots=True)
class Text:
    """A run of text with uniform formatting.

    `classes` come from bracketed spans such as `[RED]{.rag-red}`; writers use them for
    semantic styling (RAG shading, source lines, portion marks) named in `briefgen.styles`.
    """

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    classes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink; a `url` starting with `#` points at a heading's anchor inside the document."""

    url: str
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class FootnoteRef:
    """A citation: a reference to `Document.footnotes[label]` (one per occurrence in Word)."""

    label: str


@dataclass(frozen=True, slots=True)
class LineBreak:
    """A hard line break inside a paragraph."""


Inline = Text | Link | FootnoteRef | LineBreak


# ---------------------------------------------------------------------------------------------
# Blocks


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading; `anchor` (from `{#id}`) is the bookmark target of internal links."""

    level: int
    content: tuple[Inline, ...]
    anchor: str | None = None
    classes: tuple[str, ...] = ()
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Paragraph:
    content: tuple[Inline, ...]
    classes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ListItem:
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class ListBlock:
    ordered: bool
    items: tuple[ListItem, ...]
    start: int = 1


@dataclass(frozen=True, slots=True)
class Cell:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table; `header` rows repeat on every page or continuation slide.

    `aligns` holds one of "left", "center", "right" or None per column. `classes` (from a
    `::: {.table-class}` wrapper) name the kind of table, e.g. `fields` for the memo's heading
    block, `risks`, `chronology`, `participants`, `sources`.
    """

    header: tuple[tuple[Cell, ...], ...]
    body: tuple[tuple[Cell, ...], ...]
    aligns: tuple[str | None, ...] = ()
    classes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Div:
    """A fenced container (`::: name`); `notes` holds speaker notes in the deck."""

    classes: tuple[str, ...]
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class PageBreak:
    """A thematic break (`***`): a new page in the memo (the annexes start on one)."""


@dataclass(frozen=True, slots=True)
class TableOfContents:
    """Placeholder for a table of contents (fenced ```toc```): writers build real entries
    from the headings that follow at the given levels."""

    levels: tuple[int, ...] = (1, 2)
    title: str = "Contents"


@dataclass(frozen=True, slots=True)
class RiskPoint:
    id: str
    title: str
    likelihood: int
    impact: int
    score: int
    rag: str  # "red" | "amber" | "green"


@dataclass(frozen=True, slots=True)
class RiskMatrix:
    """A 5x5 likelihood x impact heat map (fenced ```risk-matrix``` with a JSON body)."""

    risks: tuple[RiskPoint, ...]
    red_from: int = 12
    amber_from: int = 5
    likelihood_labels: tuple[str, ...] = ("Rare", "Unlikely", "Possible", "Likely", "Almost certain")
    impact_labels: tuple[str, ...] = ("Insignificant", "Minor", "Significant", "Major", "Severe")


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    date: str
    label: str
    highlight: bool = False


@dataclass(frozen=True, slots=True)
class Timeline:
    """A chronology (fenced ```timeline``` with a JSON body), in date order."""

    events: tuple[TimelineEvent, ...]


Block = (
    Heading
    | Paragraph
    | ListBlock
    | Table
    | Div
    | PageBreak
    | TableOfContents
    | RiskMatrix
    | Timeline
)


# ---------------------------------------------------------------------------------------------
# Document


@dataclass(frozen=True, slots=True)
class Meta:
    """Document-level properties, from the JSON front matter the templates write."""

    title: str
    subject: str = ""
    author: str = ""
    keywords: tuple[str, ...] = ()
    description: str = ""
    language: str = "en-GB"
    marking: str = ""
    as_of: str = ""
    date: str = ""  # ISO date the document was prepared (core properties, reproducible stamps)
    kind: str = "memo"  # "memo" | "deck"
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    meta: Meta
    blocks: tuple[Block, ...]
    footnotes: dict[str, tuple[Block, ...]] = field(default_factory=dict)


def plain_text(inlines: tuple[Inline, ...] | list[Inline]) -> str:
    """The text of inline content, without footnote references."""
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            parts.append(node.text)
        elif isinstance(node, Link):
            parts.append(plain_text(node.children))
        elif isinstance(node, LineBreak):
            parts.append("\n")
    return "".join(parts)
