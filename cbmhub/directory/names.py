"""State names in the reader's language.

``State.name`` is stored in English and stays so in the database, the API, CSV/JSON export and
the admin (machine-readable data and sorting use it). Pages show the name through
``state_name``, which looks the country up in pycountry's ISO 3166-1 catalogues (maintained by
the Debian iso-codes translators) by its alpha-3 code. Anything it cannot translate (English, no
active language, a code ISO does not know, a language without a catalogue) keeps the stored
name, so a page never shows less than it did before.
"""

from __future__ import annotations

import functools
import gettext
from typing import Any

import pycountry
from django.conf import settings
from django.utils import translation

# Django language codes whose pycountry locale directory is not what ``to_locale`` gives.
_LOCALE_DIRS = {"zh-hans": "zh_CN", "zh-hant": "zh_TW"}


def _locale_dir(language: str) -> str:
    language = language.lower()
    return _LOCALE_DIRS.get(language) or translation.to_locale(language)


@functools.lru_cache(maxsize=32)  # a few languages; bounded whatever callers pass
def _catalogue(locale: str) -> gettext.NullTranslations | None:
    """pycountry's ISO 3166-1 translations for ``locale``, read once per process; None when
    pycountry has no catalogue for it."""
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
    except FileNotFoundError:
        return None


def _translated(catalogue: gettext.NullTranslations, country: Any) -> str:
    name = catalogue.gettext(country.name)
    if ", " not in name:
        return name
    # Catalogues list some names inverted for sorting ("Russie, Fédération de"); a reader is
    # better served by the common or official name where the catalogue has one in running order.
    for attribute in ("common_name", "official_name"):
        other = getattr(country, attribute, None)
        if other:
            candidate = catalogue.gettext(other)
            if ", " not in candidate:
                return candidate
    return name


def state_name(state: Any, language: str | None = None) -> str:
    """The name of ``state`` (a ``directory.State``) in ``language``, by default the active one."""
    if language is None:
        language = translation.get_language()
    if not language or language.lower().split("-")[0] == "en":
        return str(state.name)
    country = pycountry.countries.get(alpha_3=state.iso3)
    if country is None:
        return str(state.name)
    catalogue = _catalogue(_locale_dir(language))
    if catalogue is None:
        return str(state.name)
    return _translated(catalogue, country)


@functools.lru_cache(maxsize=32)
def _search_index(locale: str) -> tuple[tuple[str, str], ...]:
    """(alpha-3, every name of the country in ``locale``, case-folded) for all of ISO 3166-1."""
    catalogue = _catalogue(locale)
    if catalogue is None:
        return ()
    index = []
    for country in pycountry.countries:
        names = {
            catalogue.gettext(name)
            for name in (
                country.name,
                getattr(country, "common_name", None),
                getattr(country, "official_name", None),
            )
            if name
        }
        index.append((country.alpha_3, " | ".join(names).casefold()))
    return tuple(index)


def _interface_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code.split("-")[0] != "en"]


def iso3_matching(query: str, language: str | None = None) -> set[str]:
    """Alpha-3 codes of the countries whose name contains ``query`` in ``language``, or, by
    default, in any language of the interface: "Казах" finds KAZ whatever language the page is
    in (people type the name they know, and a delegation's staff read several). English names
    are left to the database (the stored names), as are queries under two characters."""
    needle = query.strip().casefold()
    if len(needle) < 2:
        return set()
    languages = _interface_languages() if language is None else [language]
    return {
        code
        for language in languages
        if language and language.lower().split("-")[0] != "en"
        for code, names in _search_index(_locale_dir(language))
        if needle in names
    }


@functools.lru_cache(maxsize=32)
def _language_catalogue(locale: str) -> gettext.NullTranslations | None:
    try:
        return gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[locale])
    except FileNotFoundError:
        return None


@functools.lru_cache(maxsize=32)
def language_choices(language: str) -> tuple[tuple[str, str], ...]:
    """Every ISO 639-1 language as (code, "code — name"), the name in ``language`` (pycountry's
    ISO 639-3 catalogues) where there is one, sorted by name: the point-of-contact form's
    language picker."""
    catalogue = _language_catalogue(_locale_dir(language)) if language != "en" else None
    choices = []
    for entry in pycountry.languages:
        code = getattr(entry, "alpha_2", None)
        if not code:
            continue
        name = catalogue.gettext(entry.name) if catalogue else entry.name
        choices.append((code, f"{code} — {name}"))
    return tuple(sorted(choices, key=lambda c: c[1].split(" — ", 1)[1].casefold()))
