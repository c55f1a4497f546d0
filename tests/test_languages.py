"""Languages: tags resolved through CLDR, dates and numbers in the document's language, and the
message catalogs complete, compiled and in step with the sources."""

from __future__ import annotations

import gettext
import io
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from briefgen.formats import Formats
from briefgen.languages import SHIPPED_CATALOGS, Language, Messages, language_of
from briefgen.template_functions import likelihood_phrase
from briefgen.templating import TemplateSet, render_templates
from tests.conftest import EXAMPLE, ROOT

LOCALE = ROOT / "briefgen" / "locale"
FIXTURES_LANGUAGES = ROOT / "tests" / "fixtures" / "languages"
POT = LOCALE / "briefgen.pot"
NNBSP = "\u202f"


def formats(tag: str) -> Formats:
    return Formats(language_of(tag))


def read_catalog(path: Path):
    with path.open("rb") as fp:
        return read_po(fp)


# ---------------------------------------------------------------------------------------------
# Tags


@pytest.mark.parametrize(
    ("tag", "script", "rtl", "catalog", "word"),
    [
        ("en-GB", "Latn", False, "en_GB", ("en-GB", None, None)),
        ("en-US", "Latn", False, "en_US", ("en-US", None, None)),
        ("en-AU", "Latn", False, "en_GB", ("en-AU", None, None)),
        ("tr", "Latn", False, "tr", ("tr", None, None)),
        ("ru-RU", "Cyrl", False, "ru", ("ru-RU", None, None)),
        ("zh-CN", "Hans", False, "zh_Hans", ("en-US", "zh-CN", None)),
        ("zh-Hans", "Hans", False, "zh_Hans", ("en-US", "zh-CN", None)),
        ("zh-TW", "Hant", False, None, ("en-US", "zh-TW", None)),
        ("ar", "Arab", True, "ar", ("en-US", None, "ar-SA")),
        ("ar-EG", "Arab", True, "ar", ("en-US", None, "ar-EG")),
        ("he", "Hebr", True, None, ("en-US", None, "he-IL")),
        ("fa", "Arab", True, None, ("en-US", None, "fa-IR")),
        ("ur", "Arab", True, None, ("en-US", None, "ur-PK")),
    ],
)
def test_language_of_resolves_script_direction_catalog_and_word_tags(tag, script, rtl, catalog, word):
    language = language_of(tag)
    assert (language.script, language.rtl, language.catalog) == (script, rtl, catalog)
    assert language.direction == ("rtl" if rtl else "ltr")
    assert language.word_tags() == word


def test_language_of_gives_fonts_for_scripts_the_latin_font_lacks():
    assert language_of("zh-CN").script_font == "Noto Sans CJK SC"
    assert language_of("ar").script_font == "Noto Sans Arabic"
    assert language_of("he").script_font == "Noto Sans Hebrew"
    assert language_of("tr").script_font is None


# ---------------------------------------------------------------------------------------------
# Dates, times, numbers


@pytest.mark.parametrize(
    ("tag", "day", "meeting", "across_months", "month"),
    [
        ("en-GB", "13 June 2025", "13–14 August 2018", "31 July – 1 August 2018", "December 2017"),
        ("en-US", "June 13, 2025", "August 13–14, 2018", "July 31 – August 1, 2018", "December 2017"),
        ("fr", "13 juin 2025", "13–14 août 2018", "31 juillet – 1 août 2018", "décembre 2017"),
        ("de", "13. Juni 2025", "13.–14. August 2018", "31. Juli – 1. August 2018", "Dezember 2017"),
        ("tr", "13 Haziran 2025", "13–14 Ağustos 2018", "31 Temmuz – 1 Ağustos 2018", "Aralık 2017"),
        ("ru", f"13 июня 2025{NNBSP}г.", f"13—14 августа 2018{NNBSP}г.", f"31 июля — 1 августа 2018{NNBSP}г.",
         f"декабрь 2017{NNBSP}г."),
        ("zh-CN", "2025年6月13日", "2018年8月13日–14日", "2018年7月31日 – 8月1日", "2017年12月"),
        ("ar", "13 يونيو 2025", "13–14 أغسطس 2018", "31 يوليو – 1 أغسطس 2018", "ديسمبر 2017"),
    ],
)
def test_formats_dates_follow_cldr_for_the_language(tag, day, meeting, across_months, month):
    f = formats(tag)
    assert f.date(date(2025, 6, 13)) == day
    assert f.date("2025-06-13") == day
    assert f.date_range(date(2018, 8, 13), date(2018, 8, 14)) == meeting
    assert f.date_range(date(2018, 7, 31), date(2018, 8, 1)) == across_months
    assert f.date("2017-12") == month
    assert f.date_range(date(2018, 8, 13), None) == f.date(date(2018, 8, 13))


def test_formats_partial_dates_years_and_short_months():
    assert formats("en-GB").date("2017") == "2017"
    assert formats("zh-CN").date("2017") == "2017年"
    assert formats("en-GB").date("2017-12", "short") == "Dec 2017"
    assert formats("en-GB").date(date(2018, 8, 13), "short") == "13 Aug 2018"
    assert formats("tr").date(date(2018, 8, 13), "short") == "13 Ağu 2018"
    new_year = formats("en-GB").date_range(date(2017, 12, 31), date(2018, 1, 1))
    assert new_year == "31 December 2017 – 1 January 2018"


def test_formats_meeting_times_carry_their_zone():
    moment = datetime(2018, 8, 13, 10, 0, tzinfo=timezone(timedelta(hours=3)))
    assert formats("en-GB").time_of_day(moment) == "10:00 (UTC+03:00)"
    assert formats("en-US").time_of_day(moment).replace(NNBSP, " ") == "10:00 AM (UTC+03:00)"
    assert formats("tr").time_of_day(moment) == "10:00 (UTC+03:00)"
    assert formats("en-GB").time_of_day(date(2018, 8, 13)) == ""


@pytest.mark.parametrize(
    ("tag", "span", "expected"),
    [
        ("en-GB", "55–80%", "55–80%"),
        ("fr", "55–80%", "55–80\u00a0%"),
        ("de", "55–80%", "55–80\u00a0%"),
        ("tr", "55–80%", "%55–80"),
        ("en-GB", "≤5%", "≤5%"),
        ("tr", "≥95%", "≥%95"),
        ("zh-CN", "1–5%", "1–5%"),
        ("en-GB", "about half", "about half"),
    ],
)
def test_formats_percent_span_in_the_language(tag, span, expected):
    assert formats(tag).percent_span(span) == expected


def test_formats_numbers_use_the_language_separators():
    assert formats("en-GB").number(2500000) == "2,500,000"
    assert formats("de").number(2.5) == "2,5"


# ---------------------------------------------------------------------------------------------
# Messages


def test_messages_missing_translation_falls_back_to_english_with_a_warning_naming_it():
    messages = Messages(language_of("fr"))
    assert messages.pgettext("confidence", "moderate") == "modérée"
    assert messages.gettext("A sentence no catalog holds") == "A sentence no catalog holds"
    problems = messages.problems()
    assert [p.severity for p in problems] == ["warning"]
    assert "'A sentence no catalog holds'" in problems[0].message
    assert "fr catalog" in problems[0].message


def test_messages_language_without_catalog_warns_once_and_prints_english():
    messages = Messages(language_of("es"))
    assert messages.pgettext("confidence", "moderate") == "moderate"
    assert messages.gettext("grade %(grade)s", grade="B2") == "grade B2"
    problems = messages.problems()
    assert len(problems) == 1
    assert problems[0].path == "output.language"
    assert "no message catalog for language 'es'" in problems[0].message


def test_messages_plural_forms_follow_the_language_rule():
    messages = Messages(Language("x", "en_GB", "en", "Latn", "GB", False, None))
    assert messages.ngettext("%(num)s risk", "%(num)s risks", 1) == "1 risk"
    assert messages.ngettext("%(num)s risk", "%(num)s risks", 3) == "3 risks"


def test_likelihood_phrase_translates_term_and_formats_range(write_facts, minimal_yaml):
    from briefgen.facts import load_facts

    text = minimal_yaml + (
        "judgments:\n  items:\n    - statement: Talks resume.\n      likelihood: likely\n"
        "      confidence: moderate\n      basis: [trade-growth]\n"
    )
    briefing = load_facts(write_facts(text)).briefing
    judgment = briefing.judgments.items[0]
    assert likelihood_phrase(briefing, judgment) == "likely (55–80%)"
    assert likelihood_phrase(briefing, judgment, Messages(language_of("fr"))) == "probable (55–80\u00a0%)"
    assert likelihood_phrase(briefing, judgment, Messages(language_of("tr"))) == "olası (%55–80)"


def test_render_english_example_needs_no_fallback():
    from briefgen.facts import load_facts

    warnings: list = []
    render_templates(load_facts(EXAMPLE).briefing, TemplateSet(), ("memo", "deck"), warnings)
    assert [w.message for w in warnings if "catalog" in w.message] == []


# ---------------------------------------------------------------------------------------------
# The catalogs themselves


def _keys(catalog) -> set[tuple[str | None, str]]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


def test_catalogs_template_is_in_step_with_the_sources():
    """Every message in the templates and Python sources is in briefgen.pot and nothing else is
    (run `make catalogs` after changing a fixed word)."""
    method_map, options_map = parse_mapping_cfg(io.StringIO((ROOT / "babel.cfg").read_text()))
    keywords = {
        "_": None,
        "gettext": None,
        "pgettext": ((1, "c"), 2),
        "ngettext": (1, 2),
        "npgettext": ((1, "c"), 2, 3),
        "_term": ((1, "c"), 2),
        "tr": None,
        "ptr": ((1, "c"), 2),
        "ntr": (1, 2),
    }
    found = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add((context, message if isinstance(message, str) else message[0]))
    assert found == _keys(read_catalog(POT))


@pytest.mark.parametrize("catalog", SHIPPED_CATALOGS)
def test_catalogs_shipped_are_complete(catalog):
    """A shipped catalog translates every message of briefgen.pot, none fuzzy, none obsolete,
    and keeps every %(name)s placeholder."""
    po = read_catalog(LOCALE / catalog / "LC_MESSAGES" / "briefgen.po")
    expected = _keys(read_catalog(POT))
    assert _keys(po) == expected
    untranslated = [
        m.id for m in po if m.id and (not m.string or (not isinstance(m.string, str) and not all(m.string)))
    ]
    assert untranslated == [], f"{catalog}: untranslated messages"
    assert [m.id for m in po if m.id and m.fuzzy] == [], f"{catalog}: fuzzy messages"
    errors = [(m.id, [str(e) for e in errs]) for m, errs in po.check()]
    assert errors == [], f"{catalog}: placeholder errors"


@pytest.mark.parametrize("catalog", SHIPPED_CATALOGS)
def test_catalogs_compiled_mo_matches_its_po(catalog):
    """The committed .mo (what briefgen reads) holds exactly what the .po says (`make catalogs`)."""
    folder = LOCALE / catalog / "LC_MESSAGES"
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(folder / "briefgen.po"))
    buffer.seek(0)
    expected = gettext.GNUTranslations(buffer)._catalog
    with (folder / "briefgen.mo").open("rb") as fp:
        actual = gettext.GNUTranslations(fp)._catalog
    assert actual == expected


def test_catalogs_english_source_catalog_is_identity():
    po = read_catalog(LOCALE / "en_GB" / "LC_MESSAGES" / "briefgen.po")
    assert [m.id for m in po if m.id and m.string != m.id] == []


# ---------------------------------------------------------------------------------------------
# check: the facts' script against the document language


def _script_warnings(path):
    from briefgen.facts import load_facts

    return [w for w in load_facts(path).warnings if "script" in w.message]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ar", None), ("en-GB", "set output.language: ar"), ("he", "set output.language: ar"), ("zh-CN", "ar")],
)
def test_check_warns_when_facts_script_differs_from_language(tmp_path, language, expected):
    text = (FIXTURES_LANGUAGES / "arabic.yaml").read_text(encoding="utf-8")
    path = tmp_path / "brief.yaml"
    path.write_text(text.replace("  language: ar\n", f"  language: {language}\n"), encoding="utf-8")
    found = _script_warnings(path)
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1
        assert found[0].severity == "warning"
        assert found[0].path == "output.language"
        assert expected in found[0].message
        assert f"'{language}'" in found[0].message


def test_check_script_warning_points_at_summary_without_output_language(tmp_path):
    lines = (FIXTURES_LANGUAGES / "arabic.yaml").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "brief.yaml"
    kept = [line for line in lines if line not in ("output:", "  language: ar")]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    (found,) = _script_warnings(path)
    assert found.path == "summary"
    assert "Arabic script" in found.message and "'en-GB'" in found.message


def test_check_script_warning_tells_chinese_from_japanese_and_keeps_names_out():
    # Chinese and Japanese sentences in a zh-CN brief: neither dominates as Japanese.
    assert _script_warnings(FIXTURES_LANGUAGES / "cjk-zh-cn.yaml") == []
    # The English example names people in Cyrillic and Arabic: names are not the facts' prose.
    assert _script_warnings(EXAMPLE) == []


def test_render_user_template_word_missing_from_catalog_warns_and_prints_english(tmp_path):
    """A template's own fixed word that the French catalog lacks: English, and a warning naming it."""
    from briefgen.facts import load_facts

    folder = tmp_path / "templates"
    folder.mkdir()
    memo = (ROOT / "templates" / "memo.md.j2").read_text(encoding="utf-8")
    memo = memo.replace('{{ _("Summary") }}', '{{ _("Bottom line for the minister") }}')
    (folder / "memo.md.j2").write_text(memo, encoding="utf-8")
    text = (FIXTURES_LANGUAGES / "arabic.yaml").read_text(encoding="utf-8")
    path = tmp_path / "brief.yaml"
    path.write_text(text.replace("  language: ar\n", "  language: fr\n"), encoding="utf-8")
    warnings: list = []
    markdown = render_templates(load_facts(path).briefing, TemplateSet(folder), ("memo",), warnings)["memo"]
    assert "Bottom line for the minister {#summary}" in markdown
    assert "Objectifs {#objectives}" in markdown  # the rest still comes from the catalog
    named = [w.message for w in warnings if "Bottom line for the minister" in w.message]
    expected = "the fr catalog has no translation for 'Bottom line for the minister'; printed in English"
    assert named == [expected]


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en-GB", "13 August 2018, 10:30–11:30 (UTC+03:00)"),
        ("tr", "13 Ağustos 2018 10:30–11:30 (UTC+03:00)"),
        ("ar", "13 أغسطس 2018، 10:30 ص–11:30 ص (UTC+03:00)"),
        ("zh-CN", "2018年8月13日 10:30–11:30 (UTC+03:00)"),
    ],
)
def test_formats_meeting_time_joins_date_and_time_as_the_language_does(tag, expected):
    from briefgen.template_functions import format_when

    zone = timezone(timedelta(hours=3))
    start, end = datetime(2018, 8, 13, 10, 30, tzinfo=zone), datetime(2018, 8, 13, 11, 30, tzinfo=zone)
    assert format_when(start, end, language_of(tag)).replace(NNBSP, " ") == expected


@pytest.mark.parametrize(
    ("tag", "comma", "semicolon", "phrase"),
    [
        ("en-GB", ", ", "; ", ", "),
        ("en-US", ", ", "; ", ", "),
        ("tr", ", ", "; ", ", "),
        ("fr", ", ", "; ", ", "),
        ("ru", ", ", "; ", ", "),
        ("he", ", ", "; ", ", "),
        # CLDR joins Arabic items with و ("{0}، و{1}"): its punctuation is the Arabic comma.
        ("ar", "\u060c ", "\u061b ", "\u060c "),
        ("ur", "\u060c ", "\u061b ", "\u060c "),
        # Persian: CLDR writes a right-to-left mark after the comma.
        ("fa", "\u060c\u200f ", "\u061b\u200f ", "\u060c\u200f "),
        # The ideographic enumeration comma between items; Chinese phrases take "，".
        ("zh-CN", "\u3001", "\uff1b", "\uff0c"),
        ("zh-Hant", "\u3001", "\uff1b", "\uff0c"),
        ("ja", "\u3001", "\uff1b", "\u3001"),
    ],
)
def test_formats_list_separators_come_from_cldr(tag, comma, semicolon, phrase):
    separators = formats(tag).separators
    assert (separators.comma, separators.semicolon, separators.phrase) == (comma, semicolon, phrase)


def test_render_joins_lists_with_the_language_separators():
    """Every join the templates make takes the language's separators: names, participants,
    sources, dates and places in Arabic read "، " and "؛ ", in Chinese "、", "；" and "，"; the
    English render keeps ", " and "; "."""
    from briefgen.facts import load_facts

    arabic = load_facts(ROOT / "facts" / "ankara-2018-arabic-exercise.yaml").briefing
    memo = TemplateSet().render("memo", arabic)
    deck = TemplateSet().render("deck", arabic)
    assert "13–14 أغسطس 2018\u060c أنقرة\u060c تركيا" in memo.replace("\u00a0", " ")
    assert "\u061b " in memo and "\u060c " in deck and "\u061b " in deck
    english = load_facts(EXAMPLE).briefing
    text = TemplateSet().render("memo", english).replace("\u00a0", " ")
    assert "13–14 August 2018, Ankara, Turkey" in text and "\u060c" not in text
    chinese = load_facts(FIXTURES_LANGUAGES / "cjk-zh-cn.yaml").briefing
    text = TemplateSet().render("memo", chinese).replace("\u00a0", " ")
    assert "\uff0cCapital City" in text and ", Capital City" not in text
