"""Per-briefing output settings (the facts' `output:` section) and the deck's action-title
overrides (`slide_titles:`)."""

# No `from __future__ import annotations` here: pydantic would have to evaluate every annotation
# string again when the models are built (about 150 `compile` calls at each start-up).

from pydantic import Field

from briefgen.facts.fields import Model, Text
from briefgen.facts.risks import RagThresholds


class SlideTitles(Model):
    """Action titles for deck slides whose derived title does not state the point you want."""

    risks: Text | None = Field(
        None,
        description="Title of the risk heat-map slide.",
        examples=["An assault on Idlib is the gravest risk"],
    )
    judgments: Text | None = Field(
        None,
        description="Title of the key-judgments slide.",
        examples=["We expect an assault within weeks"],
    )
    chronology: Text | None = Field(
        None,
        description="Title of the chronology slide.",
        examples=["Eighteen months of Astana led here"],
    )
    people: Text | None = Field(
        None,
        description="Title of the counterpart-profiles slide.",
        examples=["Lavrov will test our red line"],
    )
    press_line: Text | None = Field(
        None,
        description="Title of the press-line slide.",
        examples=["We say: prevent a catastrophe in Idlib"],
    )


class Output(Model):
    """Per-briefing output settings (command-line options override them)."""

    reference_docx: str | None = Field(
        None, description="Reference .docx/.dotx, relative to this file.", examples=["house-style.docx"]
    )
    reference_pptx: str | None = Field(
        None, description="Reference .pptx/.potx, relative to this file.", examples=["house-style.pptx"]
    )
    language: str = Field(
        "en-GB",
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        description="Language tag of the documents (spelling and hyphenation in Word).",
        examples=["en-GB", "en-US"],
    )
    page_budget: int = Field(2, ge=1, le=20, description="Pages allowed for the memo body.", examples=[2])
    slide_budget: int = Field(
        12,
        ge=1,
        le=200,
        description="Slides allowed for the deck; check and build warn with the planned count above it.",
        examples=[12],
    )
    banner_pt: float = Field(
        12.0,
        ge=10.0,
        le=24.0,
        description="Size in points of the marking banners on slides (bold; at least 10 pt).",
        examples=[12],
    )
    citation_style: str | None = Field(
        None,
        description="CSL style file for the memo's source notes, relative to this file; the "
        "default is the bundled Chicago notes style (full note first, short form after).",
        examples=["styles/chicago-notes-bibliography-17th-edition.csl"],
    )
    rag: RagThresholds = Field(
        default_factory=RagThresholds,
        description="Risk score thresholds for red and amber.",
        examples=[{"red_from": 12, "amber_from": 5}],
    )
