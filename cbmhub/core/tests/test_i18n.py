"""The translation catalogues: every language complete and compiled; pages in every language.

The compiled ``.mo`` files are committed (CI has no GNU gettext), so these tests also catch a
catalogue that was translated but not compiled, or code whose new strings were never extracted.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import to_locale

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
PACKAGE_DIR = Path(settings.BASE_DIR)


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (header and obsolete ``#~`` entries left out).

    A small parser of our own so that the test suite needs no extra package: enough of the
    format for what makemessages writes (flags, msgctxt, plurals, continuation lines)."""
    reader = _PoReader(path)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#~"):
            continue
        if line.startswith("#"):
            reader.comment(line)
        elif line.startswith('"'):
            reader.continuation(ast.literal_eval(line))
        else:
            reader.keyword(line, number)
    reader.finish()
    return reader.entries


_PO_KEYWORDS = {"msgctxt", "msgid", "msgid_plural", "msgstr"}


class _PoReader:
    """The state of read_po: the entries read, the one being read, and the field that a
    continuation line extends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: list[Entry] = []
        self.current = Entry()
        self.target: tuple[str, int] | None = None
        self.started = False

    def finish(self) -> None:
        if not self.started:
            return  # keep the flags read so far for the entry that follows
        if self.current.msgid:
            self.entries.append(self.current)
        self.current, self.started = Entry(), False

    def in_msgstr(self) -> bool:
        return self.target is not None and self.target[0] == "msgstr"

    def comment(self, line: str) -> None:
        if line.startswith("#,"):
            if self.started:
                self.finish()
            self.current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif self.started and self.in_msgstr():
            self.finish()

    def keyword(self, line: str, number: int) -> None:
        keyword, _, rest = line.partition(" ")
        value = ast.literal_eval(rest) if rest else ""
        if keyword == "msgctxt" or (keyword == "msgid" and self.in_msgstr()):
            self.finish()
        if not keyword:  # a line that starts with a blank: read as a continuation
            self.continuation(value)
            return
        self.started = True
        index = 0
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            keyword, index = "msgstr", int(match.group(1))
        if keyword not in _PO_KEYWORDS:
            raise ValueError(f"{self.path}:{number}: unexpected {keyword!r}")
        self.target = (keyword, index)
        if keyword == "msgstr":
            self.current.msgstr[index] = value
        elif keyword == "msgctxt":
            self.current.msgctxt = value
        else:
            setattr(self.current, keyword, value)

    def continuation(self, value: str) -> None:
        if not self.target:
            return
        name, index = self.target
        if name == "msgstr":
            self.current.msgstr[index] += value
        elif name == "msgctxt":
            self.current.msgctxt = (self.current.msgctxt or "") + value
        else:
            setattr(self.current, name, getattr(self.current, name) + value)


def catalogue(language: str) -> Path:
    return LOCALE_DIR / to_locale(language) / "LC_MESSAGES" / "django.po"


TRANSLATED_LANGUAGES = [
    code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
]


def test_the_parser_reads_plurals_contexts_and_continuations(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: ru\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid "%(n)s file"\nmsgid_plural "%(n)s files"\n'
        'msgstr[0] "%(n)s файл"\nmsgstr[1] ""\nmsgstr[2] "%(n)s файлов"\n\n'
        '#, fuzzy\nmsgctxt "verb"\nmsgid "Open"\nmsgstr "Откр"\n"ыть"\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Нет"\n',
        encoding="utf-8",
    )
    plural, opened = read_po(po)
    assert (plural.msgid, plural.msgid_plural) == ("%(n)s file", "%(n)s files")
    assert not plural.translated  # msgstr[1] is empty
    assert plural.flags == {"python-format"}
    assert (opened.msgctxt, opened.msgstr, opened.flags) == ("verb", {0: "Открыть"}, {"fuzzy"})


def nplurals(language: str) -> int:
    header = catalogue(language).read_text(encoding="utf-8").split("\n\n", 1)[0]
    match = re.search(r"nplurals=(\d+)", header)
    assert match, f"{catalogue(language)}: no Plural-Forms in the header"
    return int(match.group(1))


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_catalogue_is_complete(language):
    entries = read_po(catalogue(language))
    assert len(entries) > 500, "the catalogue looks truncated"
    untranslated = [e.msgid for e in entries if not e.translated]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == [], (
        f"{len(untranslated)} untranslated in {language}: {untranslated[:10]}"
    )
    assert fuzzy == [], f"{len(fuzzy)} fuzzy in {language}: {fuzzy[:10]}"
    forms = list(range(nplurals(language)))
    for entry in entries:
        if entry.msgid_plural:
            assert sorted(entry.msgstr) == forms, f"{language} needs {len(forms)}: {entry.msgid}"


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_catalogue_holds_the_same_strings_as_russian(language):
    """makemessages is checked against Russian below; the other catalogues must hold the same
    entries, so that none misses a string Russian has."""
    russian = {(e.msgctxt, e.msgid) for e in read_po(catalogue("ru"))}
    other = {(e.msgctxt, e.msgid) for e in read_po(catalogue(language))}
    assert sorted(russian - other, key=str) == [], f"missing in {language}"
    assert sorted(other - russian, key=str) == [], f"only in {language}"


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_translations_keep_every_placeholder(language):
    placeholder = re.compile(
        r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdrfx]|%%"
    )  # with width and flags
    for entry in read_po(catalogue(language)):
        wanted = sorted(set(placeholder.findall(entry.msgid_plural or entry.msgid)))
        for form in entry.msgstr.values():
            assert sorted(set(placeholder.findall(form))) == wanted, (language, entry.msgid)


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_language_has_a_catalogue_with_the_right_headers(language):
    po = catalogue(language)
    assert po.exists(), f"no catalogue for {language}: {po}"
    header = po.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert f'"Language: {to_locale(language)}\\n"' in header
    assert '"Plural-Forms: nplurals=' in header
    assert "#, fuzzy" not in header, f"{po}: the header is still marked fuzzy"


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_language_has_a_compiled_catalogue_matching_its_po(language):
    mo = catalogue(language).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run compilemessages and commit the .mo"
    # The .mo holds the header and every translated entry; fewer means it was not recompiled.
    translated = [
        e for e in read_po(catalogue(language)) if e.translated and "fuzzy" not in e.flags
    ]
    assert _mo_entry_count(mo) - 1 >= len(translated), f"{mo} is stale: run compilemessages"


def _mo_entry_count(mo: Path) -> int:
    """The number of strings in a compiled catalogue (GNU .mo header: magic, revision, count)."""
    header = mo.read_bytes()[:12]
    byte_order = "<" if header[:4] == struct.pack("<I", 0x950412DE) else ">"
    return int(struct.unpack(f"{byte_order}I", header[8:12])[0])


def test_the_russian_plural_rule_picks_the_right_form():
    with catalogue("ru").with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    forms = {
        n: compiled.ngettext("%(counter)s objection", "%(counter)s objections", n)
        for n in (1, 3, 5, 11, 21, 22)
    }
    assert forms[1] == forms[21] == "%(counter)s возражение"
    assert forms[3] == forms[22] == "%(counter)s возражения"
    assert forms[5] == forms[11] == "%(counter)s возражений"


NAV_EN_RU = {
    "Directory": "Справочник",
    "Hotline": "Горячая линия",
    "Negotiations": "Переговоры",
    "Log out": "Выйти",
}


def english_left_over(html: str) -> list[str]:
    """Text nodes of the page that are, word for word, an English source string that has a
    different Russian translation: a string the template forgot to translate."""
    english = {
        e.msgid
        for e in read_po(catalogue("ru"))
        if not e.msgid_plural and e.msgstr.get(0) not in ("", e.msgid) and len(e.msgid) > 2
    }
    body = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    # The language switcher names each language in that language ("English"), on purpose.
    body = re.sub(r'<select id="language-select".*?</select>', "", body, flags=re.S)
    texts = {text.strip() for text in re.findall(r">([^<>]+)<", body)}
    texts |= set(re.findall(r'(?:placeholder|title|aria-label)="([^"]+)"', body))
    return sorted(text for text in texts if text in english)


@pytest.mark.parametrize(
    "url_name", ["directory:search", "hotline:inbox", "negotiations:list", "accounts:profile"]
)
def test_pages_are_in_russian_for_a_russian_browser(client_for, alice, url_name):
    client = client_for(alice)
    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru"' in html
    for english, russian in NAV_EN_RU.items():
        assert f">{russian}<" in html
        assert f">{english}<" not in html
    assert english_left_over(html) == []


def test_login_page_is_in_russian(client, db):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="ru")
    html = response.content.decode()
    assert ">Войти<" in html or "Войти" in html
    assert ">Sign in<" not in html
    assert english_left_over(html) == []


def test_the_language_switcher_keeps_russian_for_the_session(client_for, bob):
    client = client_for(bob)
    response = client.post(
        reverse("set_language"), {"language": "ru", "next": reverse("hotline:inbox")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("hotline:inbox")
    html = client.get(reverse("hotline:inbox")).content.decode()  # no Accept-Language now
    assert ">Горячая линия<" in html
    assert ">Hotline<" not in html
    # And back: English is still the default for everyone else.
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert ">Hotline<" in client.get(reverse("hotline:inbox")).content.decode()


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_pages_are_in_each_language_for_its_browser(client_for, alice, language):
    """The navigation comes out as the catalogue says, and Arabic is laid out right to left."""
    translations = {e.msgid: e.msgstr[0] for e in read_po(catalogue(language)) if e.msgctxt is None}
    response = client_for(alice).get(reverse("hotline:inbox"), HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html
    for english in ("Directory", "Hotline", "Inbox", "Log out"):
        assert f">{translations[english]}<" in html, (language, english)
        assert translations[english] != english, (language, english)


def test_english_stays_the_default(client_for, alice):
    html = client_for(alice).get(reverse("directory:search")).content.decode()
    assert ">Directory<" in html
    assert ">Справочник<" not in html


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed")
def test_catalogues_are_up_to_date(tmp_path, monkeypatch, settings):
    """Running makemessages again would add or drop no msgid. It runs on a copy of the package
    so that the committed catalogues are never touched."""
    copy = tmp_path / "cbmhub"
    shutil.copytree(
        PACKAGE_DIR,
        copy,
        ignore=shutil.ignore_patterns("locale", "tests", "__pycache__", "static", "*.pyc"),
    )
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["ru"], ignore_patterns=["*/tests/*"], verbosity=0)
    fresh = {(e.msgctxt, e.msgid) for e in read_po(copy / "locale/ru/LC_MESSAGES/django.po")}
    committed = {(e.msgctxt, e.msgid) for e in read_po(catalogue("ru"))}
    assert sorted(fresh - committed, key=str) == [], (
        "new strings: run makemessages (docs/translating.md)"
    )
    assert sorted(committed - fresh, key=str) == [], "gone strings: run makemessages --no-obsolete"
