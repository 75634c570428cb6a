"""Formatting filters shared by every app's templates."""

from __future__ import annotations

import datetime as dt
import re

from django import template
from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration(value: dt.timedelta | None) -> str:
    """A deadline span as people say it: "15 minutes", "1 hour 30 minutes", "7 days"."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes or not parts:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts)


_BREAK_POINTS = re.compile(r"(?<=/)(?=[^/])|(?<=[^@.])(?=[@.])")


@register.filter
def breakable(value: object) -> SafeString:
    """Text with a line-break opportunity (``<wbr>``) after each "/" and before each "@" and
    ".", so an e-mail address, a URL or a time zone wraps where a reader expects in a narrow
    table column instead of widening it ("duty@cert.example.org", "America/Argentina/Salta")."""
    # Safe: the text is escaped first, and "<wbr>" goes only between escaped pieces.
    return mark_safe("<wbr>".join(_BREAK_POINTS.split(escape(value))))


@register.simple_tag
def content_lang(language: str | None) -> SafeString:
    """``lang`` and ``dir`` attributes for content written in `language` (a document, a
    message), whatever the interface's language: English text in the Arabic UI runs left to
    right, with its punctuation and position chips where they belong. An unknown or empty
    language leaves the direction to the text itself (``dir="auto"``)."""
    code = (language or "").strip()
    if not re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", code):
        return mark_safe(' dir="auto"')
    base = code.replace("_", "-").split("-", 1)[0].lower()
    direction = "rtl" if base in settings.LANGUAGES_BIDI else "ltr"
    return format_html(' lang="{}" dir="{}"', code, direction)
