"""briefgen.marking: the schemes as tables, parsing, banner and portion text, derivation."""

from __future__ import annotations

import pytest

from briefgen import marking, marking_schemes
from briefgen.marking import Classification, MarkingError


@pytest.mark.parametrize(
    ("scheme", "written", "banner", "portion"),
    [
        ("us", "UNCLASSIFIED", "UNCLASSIFIED", "(U)"),
        ("us", "U", "UNCLASSIFIED", "(U)"),
        ("us", "(C)", "CONFIDENTIAL", "(C)"),
        ("us", "secret", "SECRET", "(S)"),
        ("us", "SECRET//NOFORN", "SECRET//NOFORN", "(S//NF)"),
        ("us", "s // nf", "SECRET//NOFORN", "(S//NF)"),
        ("us", "TOP SECRET//NOFORN/ORCON", "TOP SECRET//ORCON/NOFORN", "(TS//OC/NF)"),
        ("us", "SECRET//REL TO USA, GBR", "SECRET//REL TO USA, GBR", "(S//REL TO USA, GBR)"),
        (
            "us",
            "SECRET//REL TO GBR, FVEY, AUS",
            "SECRET//REL TO USA, AUS, GBR, FVEY",
            "(S//REL TO USA, AUS, GBR, FVEY)",
        ),
        ("us", "CUI//NOFORN", "CUI//NOFORN", "(CUI//NF)"),
        ("us", "C//PR", "CONFIDENTIAL//PROPIN", "(C//PR)"),
        ("uk", "OFFICIAL", "OFFICIAL", "(O)"),
        ("uk", "official-sensitive", "OFFICIAL-SENSITIVE", "(OS)"),
        ("uk", "OFFICIAL-SENSITIVE COMMERCIAL", "OFFICIAL-SENSITIVE COMMERCIAL", "(OS COMMERCIAL)"),
        ("uk", "SECRET UK EYES ONLY", "SECRET UK EYES ONLY", "(S UKEO)"),
        ("uk", "(S UKEO)", "SECRET UK EYES ONLY", "(S UKEO)"),
        ("uk", "TOP SECRET", "TOP SECRET", "(TS)"),
        ("nato", "NATO RESTRICTED", "NATO RESTRICTED", "(NR)"),
        ("nato", "NS", "NATO SECRET", "(NS)"),
        ("nato", "NATO SECRET ATOMAL", "NATO SECRET ATOMAL", "(NSAT)"),
        ("nato", "CTSA", "COSMIC TOP SECRET ATOMAL", "(CTSA)"),
        ("nato", "NATO CONFIDENTIAL ATOMAL", "NATO CONFIDENTIAL ATOMAL", "(NCA)"),
    ],
)
def test_marking_parse_gives_banner_and_portion(scheme, written, banner, portion):
    parsed = marking.parse(scheme, written)
    assert parsed.banner == banner
    assert parsed.portion == portion
    # The banner reads back as the same marking (a round trip through the printed form).
    assert marking.parse(scheme, parsed.banner) == parsed
    assert marking.parse(scheme, parsed.portion) == parsed


@pytest.mark.parametrize(
    ("scheme", "written", "message"),
    [
        (
            "us",
            "BANANA",
            "'BANANA' is not a US level; expected one of UNCLASSIFIED, CUI, CONFIDENTIAL, SECRET, TOP SECRET",
        ),
        ("us", "TOP SECERT", "(did you mean 'TOP SECRET'?)"),
        (
            "us",
            "SECRET//NOFRON",
            "'NOFRON' is not a US caveat or control; expected ORCON, IMCON, NOFORN, PROPIN, "
            "REL TO <countries> (did you mean 'NOFORN'?)",
        ),
        ("us", "SECRET//NOFORN/REL TO GBR", "NOFORN and REL TO cannot stand together"),
        (
            "us",
            "SECRET//REL TO UK",
            "'UK' is not an ISO 3166-1 alpha-3 country code (or FVEY, ACGU, NATO) (did you mean 'GBR'?)",
        ),
        ("us", "SECRET//REL TO USA, FR", "(did you mean 'FRA'?)"),
        ("us", "SECRET//REL TO", "REL TO needs country codes"),
        (
            "us",
            "UNCLASSIFIED//ORCON",
            "ORCON may only accompany CONFIDENTIAL or SECRET or TOP SECRET, not UNCLASSIFIED",
        ),
        ("us", "OFFICIAL", "'OFFICIAL' is not a US level"),
        ("us", "", "may not be empty"),
        ("uk", "OFFICAL", "(did you mean 'OFFICIAL'?)"),
        ("uk", "SECRET COMMERCIAL", "COMMERCIAL may only accompany OFFICIAL-SENSITIVE, not SECRET"),
        ("uk", "OFFICIAL UK EYES ONLY", "UK EYES ONLY may only accompany"),
        ("uk", "SECRET//NOFORN", "'NOFORN' is not a UK caveat or control"),
        ("nato", "NATO SECRT", "(did you mean 'NATO SECRET'?)"),
        ("nato", "NATO RESTRICTED ATOMAL", "ATOMAL may only accompany NATO CONFIDENTIAL"),
        ("nato", "SECRET", "'SECRET' is not a NATO level"),
    ],
)
def test_marking_parse_refuses_with_what_is_valid(scheme, written, message):
    with pytest.raises(MarkingError) as caught:
        marking.parse(scheme, written)
    assert message in str(caught.value)


def test_marking_parse_level_refuses_controls_in_the_level():
    with pytest.raises(
        MarkingError, match=r"holds controls \(NOFORN\); give the level alone here \(SECRET\)"
    ):
        marking.parse_level("us", "SECRET//NOFORN")
    assert marking.parse_level("us", "top secret") == Classification("us", "TOP SECRET")


def test_marking_none_scheme_prints_as_written_and_has_no_portions():
    base = marking.parse_level("none", "Draft")
    assert marking.with_controls(base, ["not for circulation"]).banner == "Draft not for circulation"
    with pytest.raises(MarkingError, match="no portion marks"):
        _ = base.portion
    assert marking.lowest("none") is None


def us(text: str) -> Classification:
    return marking.parse("us", text)


@pytest.mark.parametrize(
    ("portions", "banner"),
    [
        (["U"], "UNCLASSIFIED"),
        (["U", "C", "S"], "SECRET"),
        (["U", "C", "S//NF"], "SECRET//NOFORN"),
        (["U//NF", "C"], "CONFIDENTIAL//NOFORN"),  # NOFORN anywhere makes the banner NOFORN
        (["C//OC", "S//NF"], "SECRET//ORCON/NOFORN"),
        (["S//REL TO USA, GBR, AUS", "C//REL TO USA, GBR"], "SECRET//REL TO USA, GBR"),
        (["S//REL TO USA, GBR", "C//REL TO USA, AUS"], "SECRET//NOFORN"),  # nothing in common
        (["S//REL TO USA, GBR", "C//NF"], "SECRET//NOFORN"),
        (["S//REL TO USA, GBR", "C"], "SECRET"),  # one classified portion not releasable
        (["S//REL TO USA, GBR", "U"], "SECRET//REL TO USA, GBR"),  # unclassified ones do not count
        (["TS", "U"], "TOP SECRET"),
    ],
)
def test_marking_derive_takes_highest_level_and_propagating_controls(portions, banner):
    derived = marking.derive(us(p) for p in portions)
    assert derived is not None
    assert derived.banner == banner
    # The derived marking covers every portion it came from.
    assert all(derived.covers(us(p)) for p in portions)


@pytest.mark.parametrize(
    ("scheme", "portions", "banner"),
    [
        ("uk", ["OFFICIAL", "OFFICIAL-SENSITIVE COMMERCIAL"], "OFFICIAL-SENSITIVE COMMERCIAL"),
        ("uk", ["OFFICIAL-SENSITIVE COMMERCIAL", "SECRET"], "SECRET"),  # descriptor of a lower level
        ("uk", ["OFFICIAL", "SECRET UK EYES ONLY"], "SECRET UK EYES ONLY"),
        ("nato", ["NR", "NATO SECRET ATOMAL"], "NATO SECRET ATOMAL"),
        ("nato", ["NU", "NC"], "NATO CONFIDENTIAL"),
    ],
)
def test_marking_derive_in_uk_and_nato(scheme, portions, banner):
    derived = marking.derive(marking.parse(scheme, p) for p in portions)
    assert derived is not None and derived.banner == banner


def test_marking_derive_of_nothing_is_none():
    assert marking.derive([]) is None


@pytest.mark.parametrize(
    ("declared", "portion", "missing"),
    [
        ("SECRET", "TS", ["level TOP SECRET"]),
        ("SECRET", "S//NF", ["NOFORN"]),
        ("SECRET", "TS//NF", ["level TOP SECRET", "NOFORN"]),
        ("SECRET//NOFORN", "C", []),
        ("SECRET//NOFORN", "S//REL TO USA, GBR", []),  # NOFORN is more restrictive: fine
        ("SECRET//REL TO USA, GBR, AUS", "C//REL TO USA, GBR", ["REL TO without AUS"]),
        ("SECRET//REL TO USA, GBR", "C", ["a portion without REL TO (not releasable to GBR)"]),
        ("SECRET//REL TO USA, GBR", "U", []),
    ],
)
def test_marking_shortfalls_name_what_the_declared_marking_lacks(declared, portion, missing):
    assert us(declared).shortfalls(us(portion)) == missing
    assert us(declared).covers(us(portion)) is (not missing)


@pytest.mark.parametrize(
    ("scheme", "written", "restricted"),
    [
        ("us", "S//NF", ("NOFORN",)),
        ("us", "S//REL TO USA, TUR", ()),
        ("us", "TS//OC", ("ORCON",)),
        ("uk", "SECRET UK EYES ONLY", ("UK EYES ONLY",)),
        ("uk", "OFFICIAL-SENSITIVE PERSONAL", ()),
        ("nato", "NATO SECRET", ()),
    ],
)
def test_marking_restricts_foreign_disclosure(scheme, written, restricted):
    assert marking.parse(scheme, written).restricts_foreign_disclosure == restricted


@pytest.mark.parametrize(
    ("scheme", "level", "required"),
    [
        ("us", "UNCLASSIFIED", False),
        ("us", "CUI", False),
        ("us", "CONFIDENTIAL", True),
        ("us", "TOP SECRET", True),
        ("uk", "SECRET", False),
        ("nato", "NATO SECRET", False),
    ],
)
def test_marking_authority_required_for_us_classified(scheme, level, required):
    assert marking.requires_authority(marking.parse_level(scheme, level)) is required


def test_marking_authority_lines_follow_the_cfr_order():
    assert marking.authority_lines("J. Smith", "Multiple Sources", "20431231", reason="1.4(d)") == [
        ("Classified By", "J. Smith"),
        ("Reason", "1.4(d)"),
        ("Derived From", "Multiple Sources"),
        ("Declassify On", "20431231"),
    ]


def test_marking_levels_are_ordered_lowest_first():
    assert marking_schemes.levels("us") == ("UNCLASSIFIED", "CUI", "CONFIDENTIAL", "SECRET", "TOP SECRET")
    for scheme in ("us", "uk", "nato"):
        ranks = [marking.parse_level(scheme, name).rank for name in marking_schemes.levels(scheme)]
        assert ranks == sorted(ranks) == list(range(len(ranks)))
