"""Template filters of the measures pages: signal labels and dictionary reads."""

from __future__ import annotations

from typing import Any

from django import template

from cbmhub.measures.choices import Signal

register = template.Library()


@register.filter
def signal_label(signal: str) -> str:
    try:
        return str(Signal(signal).label)
    except ValueError:
        return signal


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "")


@register.filter
def attr_rate(check: Any) -> int:
    return int(check.rate)
