"""Formatting filters shared by every app's templates."""

from __future__ import annotations

import datetime as dt

from django import template
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
