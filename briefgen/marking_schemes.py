"""The marking schemes as tables: levels, caveats and controls, REL TO; no parsing, no printing.

A scheme's rules are rows here (`SCHEMES`), so that `briefgen.marking`, which parses markings
and makes every banner and portion mark from them, holds no branch per scheme.

Schemes and their public references (docs/markings.md says more):

- ``us``: levels UNCLASSIFIED < CUI < CONFIDENTIAL < SECRET < TOP SECRET (E.O. 13526 §1.2,
  32 CFR 2002 for CUI); dissemination controls ORCON, IMCON, NOFORN, PROPIN and ``REL TO``
  with ISO 3166-1 alpha-3 trigraphs (USA first, then the others in alphabetical order, then
  tetragraphs such as FVEY), written ``SECRET//ORCON/NOFORN`` in a banner and ``(S//OC/NF)``
  in a portion (CAPCO register syntax; DoDM 5200.01 Volume 2, Enclosures 3 and 4).
- ``uk``: OFFICIAL < OFFICIAL-SENSITIVE < SECRET < TOP SECRET, with the descriptors
  COMMERCIAL, LOCSEN and PERSONAL (OFFICIAL-SENSITIVE only) and the national caveat
  UK EYES ONLY (Government Security Classifications).
- ``nato``: NATO UNCLASSIFIED < NATO RESTRICTED < NATO CONFIDENTIAL < NATO SECRET <
  COSMIC TOP SECRET, with the ATOMAL marking at NATO CONFIDENTIAL and above (C-M(2002)49,
  Security within the North Atlantic Treaty Organization).
- ``none``: a free-text marking printed as written; no levels, so no portion marks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SchemeName = Literal["us", "uk", "nato", "none"]
SCHEME_NAMES: tuple[SchemeName, ...] = ("us", "uk", "nato", "none")
REL_TO = "REL TO"


@dataclass(frozen=True)
class Level:
    name: str  # as printed in a banner, e.g. "TOP SECRET"
    portion: str  # as printed in a portion mark, e.g. "TS"


@dataclass(frozen=True)
class Control:
    """A caveat, descriptor or dissemination control (all called 'controls' here).

    `propagates`: it rides up into the banner when any portion carries it (NOFORN), rather than
    only when every portion does. `min_level` / `max_level`: the levels it may accompany
    (indexes into the scheme's levels). `aliases`: other spellings accepted on input."""

    name: str
    portion: str
    propagates: bool = True
    min_level: int = 0
    max_level: int = 99
    aliases: tuple[str, ...] = ()
    # Controls that may not stand beside this one (NOFORN with REL TO).
    excludes: tuple[str, ...] = ()
    # Said to a foreign counterpart? A point or response carrying it is a disclosure error.
    foreign_disclosure: bool = True


@dataclass(frozen=True)
class Scheme:
    name: SchemeName
    title: str
    levels: tuple[Level, ...]
    controls: tuple[Control, ...]
    # Banner: level and controls joined by `banner_join`; controls among themselves by
    # `control_join` (US: 'SECRET//ORCON/NOFORN'; UK and NATO: spaces).
    banner_join: str
    control_join: str
    portion_join: str
    portion_control_join: str
    rel_to: bool = False  # REL TO with country codes is part of this scheme
    authority_from: int | None = None  # level index from which an authority block is required
    # NATO's ATOMAL changes the portion abbreviation itself ('NS' -> 'NSAT').
    combined_portions: dict[tuple[str, str], str] = field(default_factory=dict)

    def level_index(self, name: str) -> int:
        for i, level in enumerate(self.levels):
            if level.name == name:
                return i
        raise KeyError(name)

    def control(self, name: str) -> Control:
        for control in self.controls:
            if control.name == name:
                return control
        raise KeyError(name)


SCHEMES: dict[SchemeName, Scheme] = {
    "us": Scheme(
        name="us",
        title="US",
        levels=(
            Level("UNCLASSIFIED", "U"),
            Level("CUI", "CUI"),
            Level("CONFIDENTIAL", "C"),
            Level("SECRET", "S"),
            Level("TOP SECRET", "TS"),
        ),
        # In the CAPCO register's order, which is the order they are printed in.
        controls=(
            Control("ORCON", "OC", min_level=2, aliases=("OC", "ORIGINATOR CONTROLLED")),
            Control("IMCON", "IMC", min_level=2, aliases=("IMC",)),
            Control(
                "NOFORN", "NF", aliases=("NF", "NOT RELEASABLE TO FOREIGN NATIONALS"), excludes=(REL_TO,)
            ),
            Control("PROPIN", "PR", aliases=("PR", "CAUTION-PROPRIETARY INFORMATION INVOLVED")),
            Control(REL_TO, REL_TO, propagates=False, excludes=("NOFORN",), foreign_disclosure=False),
        ),
        banner_join="//",
        control_join="/",
        portion_join="//",
        portion_control_join="/",
        rel_to=True,
        authority_from=2,
    ),
    "uk": Scheme(
        name="uk",
        title="UK",
        levels=(
            Level("OFFICIAL", "O"),
            Level("OFFICIAL-SENSITIVE", "OS"),
            Level("SECRET", "S"),
            Level("TOP SECRET", "TS"),
        ),
        controls=(
            Control("COMMERCIAL", "COMMERCIAL", min_level=1, max_level=1, foreign_disclosure=False),
            Control("LOCSEN", "LOCSEN", min_level=1, max_level=1, foreign_disclosure=False),
            Control("PERSONAL", "PERSONAL", min_level=1, max_level=1, foreign_disclosure=False),
            Control("UK EYES ONLY", "UKEO", min_level=1, aliases=("UKEO", "UK EO")),
        ),
        banner_join=" ",
        control_join=" ",
        portion_join=" ",
        portion_control_join=" ",
    ),
    "nato": Scheme(
        name="nato",
        title="NATO",
        levels=(
            Level("NATO UNCLASSIFIED", "NU"),
            Level("NATO RESTRICTED", "NR"),
            Level("NATO CONFIDENTIAL", "NC"),
            Level("NATO SECRET", "NS"),
            Level("COSMIC TOP SECRET", "CTS"),
        ),
        controls=(Control("ATOMAL", "A", min_level=2, aliases=("ATOMIC",), foreign_disclosure=False),),
        banner_join=" ",
        control_join=" ",
        portion_join=" ",
        portion_control_join=" ",
        combined_portions={("NC", "ATOMAL"): "NCA", ("NS", "ATOMAL"): "NSAT", ("CTS", "ATOMAL"): "CTSA"},
    ),
    "none": Scheme(
        name="none",
        title="free text",
        levels=(),
        controls=(),
        banner_join=" ",
        control_join=" ",
        portion_join=" ",
        portion_control_join=" ",
    ),
}

# Tetragraphs CAPCO allows after the trigraphs in REL TO (coalitions and organisations).
TETRAGRAPHS: dict[str, str] = {
    "FVEY": "Five Eyes (AUS, CAN, GBR, NZL, USA)",
    "ACGU": "AUS, CAN, GBR, USA",
    "NATO": "North Atlantic Treaty Organization members",
}


def levels(scheme_name: SchemeName) -> tuple[str, ...]:
    """The level names of a scheme, lowest first."""
    return tuple(level.name for level in SCHEMES[scheme_name].levels)
