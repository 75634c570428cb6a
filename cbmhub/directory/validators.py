"""Field validators and normalisers for directory records. No database access."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_FINGERPRINT_RE = re.compile(r"^(?:[0-9A-F]{40}|[0-9A-F]{64})$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zones() -> frozenset[str]:
    """Every IANA time zone this system knows: what a point of contact's time zone may be."""
    return _time_zones()


def validate_time_zone(value: str) -> None:
    if value and value not in _time_zones():
        raise ValidationError(
            _("“%(value)s” is not an IANA time zone (for example Asia/Almaty)."),
            params={"value": value},
            code="invalid_time_zone",
        )


def normalise_fingerprint(value: str) -> str:
    return re.sub(r"[\s:]", "", value or "").upper()


def validate_fingerprint(value: str) -> None:
    if value and not _FINGERPRINT_RE.match(value):
        raise ValidationError(
            _("An OpenPGP fingerprint is 40 (v4) or 64 (v6) hexadecimal characters."),
            code="invalid_fingerprint",
        )


def normalise_languages(value: str | list[str] | None) -> str:
    """'en, RU ;kk' -> 'en,ru,kk' (order kept, duplicates dropped)."""
    if not value:
        return ""
    items = value if isinstance(value, list) else re.split(r"[\s,;]+", value)
    seen: list[str] = []
    for item in items:
        code = item.strip()
        code = code.lower() if "-" not in code else code
        if code and code not in seen:
            seen.append(code)
    return ",".join(seen)


def validate_languages(value: str) -> None:
    bad = [code for code in value.split(",") if code and not _LANGUAGE_RE.match(code)]
    if bad:
        raise ValidationError(
            _("Not a language code (use ISO 639, e.g. en, ru, kk): %(codes)s"),
            params={"codes": ", ".join(bad)},
            code="invalid_language",
        )


def normalise_code(code: str) -> str:
    """A delegation code as it is compared: NFKC, no surrounding space or dots, upper case.

    'Iran' -> 'IRAN', ' pal ' -> 'PAL', 'РФ' -> 'РФ'.
    """
    return unicodedata.normalize("NFKC", code or "").strip().strip(".").upper()
