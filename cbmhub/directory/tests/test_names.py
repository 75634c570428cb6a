"""State names in the reader's language (pycountry's ISO 3166-1 catalogues)."""

from __future__ import annotations

import gettext
from unittest import mock

import pytest
from django.template import Context, Template
from django.utils import translation

from cbmhub.directory import names
from cbmhub.directory.models import State
from cbmhub.directory.names import state_name

KAZ = State(name="Kazakhstan", iso2="KZ", iso3="KAZ")
MNG = State(name="Mongolia", iso2="MN", iso3="MNG")
RUS = State(name="Russian Federation", iso2="RU", iso3="RUS")

EXPECTED = {
    "ru": ("Казахстан", "Монголия", "Российская Федерация"),
    "fr": ("Kazakhstan", "Mongolie", "Russie, Fédération de"),  # no better form: kept
    "ar": ("كازاخستان", "منغوليا", "الاتّحاد الرّوسي"),
    "kk": ("Қазақстан", "Монғолия", "Ресей"),
    "zh-hans": ("哈萨克斯坦", "蒙古", "俄罗斯"),
    "es": ("Kazajistán", "Mongolia", "Federación Rusa"),
}


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_names_in_each_interface_language(language):
    assert tuple(state_name(s, language) for s in (KAZ, MNG, RUS)) == EXPECTED[language]


def test_active_language_by_default():
    with translation.override("ru"):
        assert state_name(KAZ) == "Казахстан"
    with translation.override("zh-hans"):
        assert state_name(MNG) == "蒙古"


@pytest.mark.parametrize("language", ["en", "en-gb", "EN"])
def test_english_is_the_stored_name(language):
    custom = State(name="Republic of Kazakhstan (stored)", iso2="KZ", iso3="KAZ")
    assert state_name(custom, language) == "Republic of Kazakhstan (stored)"
    with translation.override(language.lower()):
        assert state_name(custom) == "Republic of Kazakhstan (stored)"


def test_no_active_language_is_the_stored_name():
    with translation.override(None):
        assert translation.get_language() is None
        assert state_name(KAZ) == "Kazakhstan"


def test_unknown_code_is_the_stored_name():
    assert state_name(State(name="Atlantis", iso2="QA", iso3="QQA"), "ru") == "Atlantis"


def test_language_without_catalogue_is_the_stored_name():
    assert state_name(KAZ, "tlh") == "Kazakhstan"  # Klingon: pycountry has no catalogue


@pytest.mark.parametrize(
    ("language", "iso3", "stored", "expected"),
    [
        # "Tanzanie, République unie de": the common name reads in running order.
        ("fr", "TZA", "United Republic of Tanzania", "Tanzanie"),
        # "Micronésie, États fédérés de": no common name; the official name is used.
        ("fr", "FSM", "Micronesia", "États fédérés de Micronésie"),
        # "Corea, República de"
        ("es", "KOR", "Republic of Korea", "Corea del Sur"),
        # "Åland, Îles": neither a common nor an official name, so the inverted form stays.
        ("fr", "ALA", "Åland Islands", "Åland, Îles"),
    ],
)
def test_inverted_catalogue_form_prefers_running_order(language, iso3, stored, expected):
    assert state_name(State(name=stored, iso2="XX", iso3=iso3), language) == expected


def test_catalogue_is_read_once_per_language():
    names._catalogue.cache_clear()
    with mock.patch.object(names.gettext, "translation", wraps=gettext.translation) as loaded:
        for _ in range(3):
            state_name(KAZ, "ru")
            state_name(MNG, "ru")
            state_name(KAZ, "fr")
            state_name(KAZ, "tlh")
    assert sorted(call.kwargs["languages"][0] for call in loaded.call_args_list) == [
        "fr",
        "ru",
        "tlh",
    ]


def test_zh_hans_reads_the_simplified_chinese_catalogue():
    assert names._locale_dir("zh-hans") == "zh_CN"
    assert names._locale_dir("pt-br") == "pt_BR"


def test_template_filter():
    template = Template("{% load directory_names %}[{{ s|state_name }}]")
    with translation.override("ru"):
        assert template.render(Context({"s": KAZ})) == "[Казахстан]"
        assert template.render(Context({"s": None})) == "[]"
    # English explicitly: a page test before this one (same worker) leaves its language active.
    with translation.override("en"):
        assert template.render(Context({"s": KAZ})) == "[Kazakhstan]"


def test_iso3_matching_looks_in_every_language_of_the_interface():
    from cbmhub.directory.names import iso3_matching

    with translation.override("en"):
        assert "KAZ" in iso3_matching("Казах")
        assert iso3_matching("Mongolie") == {"MNG"}
        assert "MNG" in iso3_matching("蒙古")


def test_iso3_matching_finds_a_country_by_its_name_in_the_language():
    from cbmhub.directory.names import iso3_matching

    assert "KAZ" in iso3_matching("казах", "ru")
    assert iso3_matching("Mongolie", "fr") == {"MNG"}
    assert "RUS" in iso3_matching("russie", "fr")  # case-folded, in the inverted form too
    assert "MNG" in iso3_matching("蒙古", "zh-hans")


@pytest.mark.parametrize("query", ["", "к", "Mongolia"])
def test_iso3_matching_leaves_short_queries_and_english_to_the_database(query):
    from cbmhub.directory.names import iso3_matching

    assert iso3_matching(query, "en") == set()
    if len(query.strip()) < 2:
        assert iso3_matching(query, "ru") == set()


def test_state_list_matches_the_name_in_the_active_language(alice, bob):
    from django.utils import translation

    from cbmhub.directory.selectors import state_list

    with translation.override("fr"):
        assert [s.iso3 for s in state_list(query="Mongolie")] == ["MNG"]
    with translation.override("en"):  # a name in another language finds it too
        assert [s.iso3 for s in state_list(query="Mongolie")] == ["MNG"]
