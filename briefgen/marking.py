"""Classification and handling markings: parsing them, and making every marking printed.

Every marking string briefgen prints — banner lines, portion marks such as ``(S//NF)``, the
classification authority block — is made here from a parsed `Classification`; no other module
assembles one. The schemes themselves are tables (`briefgen.marking_schemes.SCHEMES`: US, UK,
NATO and free text, with their public references), so a rule is a row, not a branch.

Deriving the overall marking (`derive`): the highest level of any portion, with the union of
the controls that propagate (NOFORN, ORCON, UK EYES ONLY, ATOMAL, …) and, for ``REL TO``,
the countries every classified portion may be released to (32 CFR 2001.21(c); DoDM 5200.01
Vol 2 Encl 3 §2: the banner is "the highest level of classification of information
contained within" with the most restrictive controls).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from briefgen.marking_schemes import REL_TO, SCHEMES, TETRAGRAPHS, Scheme, SchemeName


class MarkingError(ValueError):
    """A marking string that a scheme does not allow; the message says what would be valid."""


# Codes people type for a country that are not its ISO 3166-1 alpha-3 code.
_COUNTRY_SLIPS = {"UK": "GBR", "GB": "GBR", "ENG": "GBR", "US": "USA", "EU": ""}


# ---------------------------------------------------------------------------------------------
# The parsed marking


@dataclass(frozen=True)
class Classification:
    """One parsed marking: a level of a scheme with its controls, in printing order.

    `controls` never holds REL TO; its countries are in `rel_to` (USA first, then trigraphs
    alphabetically, then tetragraphs). For the ``none`` scheme `level` is the free text and
    `controls` the caveats as written."""

    scheme: SchemeName
    level: str
    controls: tuple[str, ...] = ()
    rel_to: tuple[str, ...] = ()

    @property
    def rules(self) -> Scheme:
        return SCHEMES[self.scheme]

    @property
    def rank(self) -> int:
        """Position of the level in its scheme (0 = lowest); -1 for the ``none`` scheme."""
        if self.scheme == "none":
            return -1
        return self.rules.level_index(self.level)

    @property
    def banner(self) -> str:
        """The banner line, e.g. 'SECRET//NOFORN', 'SECRET//REL TO USA, GBR', 'SECRET UK EYES ONLY'."""
        rules = self.rules
        parts = list(self.controls)
        if self.rel_to:
            parts.append(f"{REL_TO} {', '.join(self.rel_to)}")
        if not parts:
            return self.level
        return self.level + rules.banner_join + rules.control_join.join(parts)

    @property
    def portion(self) -> str:
        """The portion mark with its brackets, e.g. '(U)', '(S//NF)', '(S//REL TO USA, GBR)',
        '(S UKEO)', '(NSAT)'. Raises `MarkingError` for the ``none`` scheme, which has none."""
        rules = self.rules
        if self.scheme == "none":
            raise MarkingError("the 'none' scheme has no portion marks; choose us, uk or nato")
        abbreviation = rules.levels[self.rank].portion
        parts: list[str] = []
        for name in self.controls:
            combined = rules.combined_portions.get((abbreviation, name))
            if combined:
                abbreviation = combined
            else:
                parts.append(rules.control(name).portion)
        if self.rel_to:
            parts.append(f"{REL_TO} {', '.join(self.rel_to)}")
        if not parts:
            return f"({abbreviation})"
        return f"({abbreviation}{rules.portion_join}{rules.portion_control_join.join(parts)})"

    @property
    def restricts_foreign_disclosure(self) -> tuple[str, ...]:
        """The controls that forbid saying this to a foreign counterpart (NOFORN, UK EYES ONLY)."""
        if self.scheme == "none":
            return ()
        return tuple(c for c in self.controls if self.rules.control(c).foreign_disclosure)

    def covers(self, other: Classification) -> bool:
        """True when a document marked `self` may hold a portion marked `other`: level at
        least as high, every propagating control of `other` present, and no country in its
        REL TO that `other` may not go to."""
        return not self.shortfalls(other)

    def shortfalls(self, other: Classification) -> list[str]:
        """What `self` lacks to cover `other`, as phrases ('level SECRET', 'NOFORN', …)."""
        if self.scheme != other.scheme or self.scheme == "none":
            return []
        missing: list[str] = []
        if other.rank > self.rank:
            missing.append(f"level {other.level}")
        rank = max(self.rank, other.rank)
        for name in other.controls:
            control = self.rules.control(name)
            if (
                control.propagates
                and name not in self.controls
                and control.min_level <= rank <= control.max_level
            ):
                missing.append(name)
        if self.rel_to and _classified(other):
            # A REL TO banner promises release to its countries: every classified portion must allow it.
            if "NOFORN" in other.controls:
                pass  # reported as missing NOFORN above
            elif not other.rel_to:
                missing.append(f"a portion without {REL_TO} (not releasable to {', '.join(self.rel_to[1:])})")
            else:
                extra = [c for c in self.rel_to if not _released(c, other.rel_to)]
                if extra:
                    missing.append(f"{REL_TO} without {', '.join(extra)}")
        return missing

    def __str__(self) -> str:
        return self.banner


def _released(country: str, to: tuple[str, ...]) -> bool:
    return country in to


def _classified(marking: Classification) -> bool:
    """Classified in the sense of E.O. 13526 (US: CONFIDENTIAL and above; CUI is not)."""
    start = marking.rules.authority_from
    return marking.rank >= (start if start is not None else 1)


# ---------------------------------------------------------------------------------------------
# Parsing


def lowest(scheme_name: SchemeName) -> Classification | None:
    """The lowest level of a scheme ('UNCLASSIFIED', 'OFFICIAL', …); None for ``none``."""
    rules = SCHEMES[scheme_name]
    return Classification(scheme_name, rules.levels[0].name) if rules.levels else None


def requires_authority(marking: Classification) -> bool:
    """True when the scheme asks for a classification authority block at this level (US
    CONFIDENTIAL and above: E.O. 13526 §1.6, 32 CFR 2001.21–22)."""
    start = marking.rules.authority_from
    return start is not None and marking.scheme != "none" and marking.rank >= start


def _canon(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().upper().replace("_", " "))


def parse(scheme_name: SchemeName, text: str) -> Classification:
    """Parse a marking written as a banner or a portion, e.g. 'SECRET//NOFORN', 'S//NF',
    'secret // rel to usa, gbr', '(C)', 'SECRET UK EYES ONLY', 'NATO SECRET ATOMAL', 'NSAT'.

    Returns the canonical `Classification`; raises `MarkingError` naming what is wrong and
    what is valid (with a 'did you mean' suggestion when one is close)."""
    rules = SCHEMES[scheme_name]
    raw = text.strip()
    if raw.startswith("(") and raw.endswith(")"):
        raw = raw[1:-1]
    if not raw.strip():
        raise MarkingError("a marking may not be empty")
    if scheme_name == "none":
        return Classification("none", raw.strip())
    canon = _canon(raw)
    level_part, control_text = _split_level(rules, canon)
    level = _parse_level(rules, level_part, raw)
    words = _split_controls(rules, control_text)
    return with_controls(level, words)


def parse_level(scheme_name: SchemeName, text: str) -> Classification:
    """A bare level of the scheme (no controls), e.g. for `marking.level`."""
    rules = SCHEMES[scheme_name]
    if scheme_name == "none":
        if not text.strip():
            raise MarkingError("a marking may not be empty")
        return Classification("none", text.strip())
    canon = _canon(text)
    level_part, rest = _split_level(rules, canon)
    level = _parse_level(rules, level_part, text.strip())
    if rest:
        try:
            with_controls(level, _split_controls(rules, rest))
        except MarkingError as exc:
            raise MarkingError(f"{text.strip()!r} is not a {rules.title} marking: {exc}") from None
        raise MarkingError(
            f"{text.strip()!r} holds controls ({rest}); give the level alone here ({level.level}) "
            "and the controls under caveats"
        )
    return level


def with_controls(base: Classification, controls: Iterable[str]) -> Classification:
    """`base` with more controls (each as written: 'NOFORN', 'NF', 'REL TO USA, GBR'),
    validated against the scheme and put in printing order."""
    rules = base.rules
    if base.scheme == "none":
        return Classification(
            "none", base.level, (*base.controls, *[c.strip() for c in controls if c.strip()])
        )
    names = set(base.controls)
    rel_to: set[str] = set(base.rel_to)
    has_rel = bool(base.rel_to)
    for written in controls:
        canon = _canon(written)
        if not canon:
            continue
        if rules.rel_to and (canon == "REL" or canon.startswith("REL TO") or canon.startswith("REL ")):
            rel_to.update(
                _parse_countries(canon.removeprefix("REL").strip().removeprefix("TO").strip(), written)
            )
            has_rel = True
            continue
        names.add(_parse_control(rules, canon, written))
    if has_rel:
        names.add(REL_TO)
    ordered = [c.name for c in rules.controls if c.name in names]
    level_index = rules.level_index(base.level)
    for name in ordered:
        control = rules.control(name)
        for other in control.excludes:
            if other in names:
                raise MarkingError(
                    f"{name} and {other} cannot stand together: {_exclusion_reason(name, other)}"
                )
        if level_index < control.min_level or level_index > control.max_level:
            allowed = [
                lv.name for i, lv in enumerate(rules.levels) if control.min_level <= i <= control.max_level
            ]
            raise MarkingError(f"{name} may only accompany " + " or ".join(allowed) + f", not {base.level}")
    countries = _order_countries(rel_to) if has_rel else ()
    return Classification(base.scheme, base.level, tuple(c for c in ordered if c != REL_TO), countries)


def _exclusion_reason(a: str, b: str) -> str:
    if {a, b} == {"NOFORN", REL_TO}:
        return "NOFORN forbids all foreign release, REL TO permits some"
    return "they contradict each other"


def _split_level(rules: Scheme, canon: str) -> tuple[str, str]:
    """(level text, control text) of a canonical marking."""
    if "//" in canon:
        head, _, tail = canon.partition("//")
        return head.strip(), tail.strip()
    # Longest level (or portion abbreviation) that starts the text, followed by a space, '-' or the end.
    candidates = sorted(
        [(lv.name, lv.name) for lv in rules.levels]
        + [(lv.portion, lv.name) for lv in rules.levels]
        + [(combined, level) for level, combined in _combined_starts(rules)],
        key=lambda pair: -len(pair[0]),
    )
    for written, _name in candidates:
        if canon == written or canon.startswith(written + " "):
            return written, canon[len(written) :].strip()
    return canon, ""


def _combined_starts(rules: Scheme) -> list[tuple[str, str]]:
    """('NS', 'NSAT')-style pairs as (level portion, combined abbreviation)."""
    return [(abbr, combined) for (abbr, _control), combined in rules.combined_portions.items()]


def _parse_level(rules: Scheme, written: str, original: str) -> Classification:
    for level in rules.levels:
        if written in (level.name, level.portion):
            return Classification(rules.name, level.name)
    for (abbr, control), combined in rules.combined_portions.items():
        if written == combined:
            level = next(lv for lv in rules.levels if lv.portion == abbr)
            return Classification(rules.name, level.name, (control,))
    names = [lv.name for lv in rules.levels]
    guess = _suggest(written, names + [lv.portion for lv in rules.levels], names)
    message = f"{original!r} is not a {rules.title} level; expected one of " + ", ".join(names)
    if guess:
        message += f" (did you mean {guess!r}?)"
    raise MarkingError(message)


def _split_controls(rules: Scheme, text: str) -> list[str]:
    """Controls of a marking's tail, e.g. 'ORCON/NOFORN' or 'UK EYES ONLY' or 'REL TO USA, GBR'."""
    if not text:
        return []
    if rules.name == "us":
        return [part for part in (p.strip() for p in text.split("/")) if part]
    # UK and NATO: controls are words; match the longest known names greedily.
    names = sorted(
        [(c.name, c.name) for c in rules.controls] + [(a, c.name) for c in rules.controls for a in c.aliases],
        key=lambda pair: -len(pair[0]),
    )
    out: list[str] = []
    rest = text.strip(" -/")
    while rest:
        for written, name in names:
            if rest == written or rest.startswith(written + " ") or rest.startswith(written + "/"):
                out.append(name)
                rest = rest[len(written) :].strip(" -/")
                break
        else:
            out.append(rest)  # unknown: reported by _parse_control with a suggestion
            break
    return out


def _parse_control(rules: Scheme, canon: str, written: str) -> str:
    for control in rules.controls:
        if canon == control.name or canon in control.aliases:
            if control.name == REL_TO:
                break
            return control.name
    valid = [c.name if c.name != REL_TO else "REL TO <countries>" for c in rules.controls]
    candidates = [c.name for c in rules.controls if c.name != REL_TO]
    aliases = candidates + [a for c in rules.controls for a in c.aliases]
    guess = _suggest(canon, aliases, candidates)
    message = f"{written.strip()!r} is not a {rules.title} caveat or control; expected " + ", ".join(valid)
    if guess:
        message += f" (did you mean {guess!r}?)"
    raise MarkingError(message)


def _parse_countries(text: str, written: str) -> set[str]:
    codes = [c for c in re.split(r"[,\s]+", text) if c]
    if not codes:
        raise MarkingError(f"{written.strip()!r}: REL TO needs country codes, e.g. 'REL TO USA, GBR'")
    found: set[str] = set()
    for code in codes:
        found.add(country(code))
    return found


def country(code: str) -> str:
    """An ISO 3166-1 alpha-3 trigraph or a CAPCO tetragraph, upper-cased; `MarkingError`
    with the right code suggested for 'UK', 'GB', 'FR', 'Germany', …"""
    canon = code.strip().upper()
    if canon in TETRAGRAPHS or _trigraphs().get(canon):
        return canon
    hint = _COUNTRY_SLIPS.get(canon)
    if hint is None:
        hint = _alpha2().get(canon) or _by_name(canon)
    message = f"{code.strip()!r} is not an ISO 3166-1 alpha-3 country code (or FVEY, ACGU, NATO)"
    if hint:
        message += f" (did you mean {hint!r}?)"
    raise MarkingError(message)


def _order_countries(codes: Iterable[str]) -> tuple[str, ...]:
    """USA first, then trigraphs alphabetically, then tetragraphs alphabetically (CAPCO)."""
    codes = set(codes) | {"USA"}
    trigraphs = sorted(c for c in codes if len(c) == 3 and c != "USA")
    tetragraphs = sorted(c for c in codes if len(c) != 3)
    return ("USA", *trigraphs, *tetragraphs)


@cache
def _trigraphs() -> dict[str, str]:
    import pycountry

    return {c.alpha_3: c.name for c in pycountry.countries}


@cache
def _alpha2() -> dict[str, str]:
    import pycountry

    return {c.alpha_2: c.alpha_3 for c in pycountry.countries}


def _by_name(text: str) -> str | None:
    names = {name.upper(): code for code, name in _trigraphs().items()}
    hit = difflib.get_close_matches(text, list(names), n=1, cutoff=0.75)
    if hit:
        return names[hit[0]]
    hit = difflib.get_close_matches(text, list(_trigraphs()), n=1, cutoff=0.6)
    return hit[0] if hit else None


def _suggest(word: str, candidates: list[str], canonical: list[str]) -> str | None:
    hits = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if not hits:
        return None
    hit = hits[0]
    if hit in canonical:
        return hit
    # An abbreviation matched: suggest what it stands for (so the fix reads in full words).
    return next((c for c in canonical if c.startswith(hit[:1])), hit)


_LEADING_PORTION = re.compile(r"^(\([A-Z][A-Z0-9 ,/-]*\)) ")


def split_portion(text: str) -> tuple[str, str]:
    """('(S//NF)', 'rest') for a text that starts with a portion mark, else ('', text): for
    text built around an already marked text (a source line copied into the notes)."""
    found = _LEADING_PORTION.match(text)
    if not found:
        return "", text
    return found.group(1), text[found.end() :]


# ---------------------------------------------------------------------------------------------
# Deriving the overall marking


def derive(portions: Iterable[Classification]) -> Classification | None:
    """The overall marking of a document holding `portions` (all of one scheme): the highest
    level; every propagating control any portion carries; REL TO only when every classified
    portion carries it, with the countries common to all (32 CFR 2001.21(c); DoDM 5200.01
    Vol 2 Encl 3 §2; the CAPCO register's roll-up rules). NOFORN wins over REL TO; REL TO
    that leaves only USA is NOFORN. None when there are no portions or the scheme is ``none``."""
    items = [p for p in portions if p.scheme != "none"]
    if not items:
        return None
    rules = items[0].rules
    top = max(items, key=lambda p: p.rank)
    names: set[str] = set()
    for p in items:
        names.update(c for c in p.controls if rules.control(c).propagates)
    rel: set[str] | None = None
    if rules.rel_to:
        classified = [p for p in items if _classified(p)]
        if classified and all(p.rel_to for p in classified) and "NOFORN" not in names:
            rel = set(classified[0].rel_to)
            for p in classified[1:]:
                rel &= set(p.rel_to)
            if rel <= {"USA"}:
                names.add("NOFORN")
                rel = None
    level_index = top.rank
    allowed = {
        c.name for c in rules.controls if c.min_level <= level_index <= c.max_level or not c.propagates
    }
    # A descriptor valid only below the top level (UK COMMERCIAL on an OFFICIAL-SENSITIVE portion
    # of a SECRET pack) does not ride up: the higher level's handling subsumes it.
    ordered = tuple(
        c.name for c in rules.controls if c.name in names and c.name in allowed and c.name != REL_TO
    )
    return Classification(top.scheme, top.level, ordered, _order_countries(rel) if rel else ())


def highest(a: Classification, b: Classification) -> Classification:
    """The marking of a document holding both (`derive` of the two)."""
    result = derive([a, b])
    assert result is not None  # two portions of a scheme always derive
    return result


# ---------------------------------------------------------------------------------------------
# The classification authority block


def authority_lines(
    classified_by: str, derived_from: str | None, declassify_on: str, reason: str | None = None
) -> list[tuple[str, str]]:
    """The classification authority block as (label, value) lines, in the order of 32 CFR
    2001.21(a)–2001.22 and DoDM 5200.01 Vol 2 Encl 3 §11: Classified By, Reason (original
    classification), Derived From (derivative classification), Declassify On."""
    out = [("Classified By", classified_by)]
    if reason:
        out.append(("Reason", reason))
    if derived_from:
        out.append(("Derived From", derived_from))
    out.append(("Declassify On", declassify_on))
    return out
