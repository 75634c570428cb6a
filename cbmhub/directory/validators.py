"""Field validators and normalisers for directory records. No database access."""

from __future__ import annotations

import re
import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
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


# --- text that can be stored ---------------------------------------------------------------------


def nul_character_errors(obj: object) -> dict[str, list[ValidationError]]:
    """The text fields of a model instance that hold a NUL character (U+0000): PostgreSQL cannot
    store one, and no form or API accepts one, so the model refuses it for every way in."""
    errors: dict[str, list[ValidationError]] = {}
    # obj is a model instance (StorableText is mixed into models), typed object for the mixin.
    for field in obj._meta.concrete_fields:  # type: ignore[attr-defined]  # see above
        value = getattr(obj, field.attname, None)
        if isinstance(value, str) and "\x00" in value:
            errors[field.name] = [
                ValidationError(
                    _("Contains a NUL character (U+0000) at position %(position)d; remove it."),
                    params={"position": value.index("\x00") + 1},
                    code="null_characters_not_allowed",
                )
            ]
    return errors


# --- organisation acronyms ------------------------------------------------------------------------

# Letters (any script: ОДКБ), digits, and the joiners real acronyms use (US-RU-ICT, OSCE/ODIHR,
# A&B): no spaces, quotes, angle brackets or control characters, which would look like another
# organisation's code in an e-mail subject or a negotiation text.
_ACRONYM_RE = re.compile(r"^[^\W_](?:[\w&./-]*[^\W_])?$")


def validate_acronym(value: str) -> None:
    if value and (not _ACRONYM_RE.match(value) or "_" in value):
        raise ValidationError(
            _(
                "“%(value)s” is not an acronym: use letters and digits, joined by - . / or & "
                "(for example CICA, US-RU-ICT)."
            ),
            params={"value": value},
            code="invalid_acronym",
        )


# --- contact channels -----------------------------------------------------------------------------

# E.164: a "+", a country code that does not start with 0, at most 15 digits in all. People
# write spaces, dots, dashes and brackets between the digits; those are allowed and kept.
_PHONE_SEPARATORS_RE = re.compile(r"[\s().-]")
_E164_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_PHONE_KINDS = frozenset({"phone", "mobile", "fax"})
_EMAIL_KINDS = frozenset({"email", "secure_email"})


def _validate_phone(value: str) -> None:
    if not _E164_RE.match(_PHONE_SEPARATORS_RE.sub("", value)):
        raise ValidationError(
            _(
                "“%(value)s” is not an international phone number: a + and the country code, "
                "then 7 to 15 digits in all (for example +7 7172 000000)."
            ),
            params={"value": value},
            code="invalid_phone",
        )


def validate_channel_value(kind: str, value: str) -> None:
    """A contact channel's value as its kind needs it: an e-mail address for (secure) e-mail,
    an E.164 number for phone, mobile and fax, an https or http URL for a webhook. A secure
    line (an internal extension) and "other" are free text."""
    if kind in _EMAIL_KINDS:
        EmailValidator(
            message=_("“%(value)s” is not an e-mail address.") % {"value": value},
            code="invalid_email",
        )(value)
    elif kind in _PHONE_KINDS:
        _validate_phone(value)
    elif kind == "webhook":
        URLValidator(
            schemes=["https", "http"],
            message=_("“%(value)s” is not a web address (https://…).") % {"value": value},
            code="invalid_url",
        )(value)
