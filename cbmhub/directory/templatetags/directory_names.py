"""State names in the reader's language, for templates: ``{{ state|state_name }}``.

The translation itself lives in ``cbmhub.directory.names``; machine-readable output (API, CSV,
JSON) and the admin keep the stored English name."""

from __future__ import annotations

from typing import Any

from django import template

from cbmhub.directory import names

register = template.Library()


@register.filter
def state_name(state: Any) -> str:
    if state is None or state == "":
        return ""
    return names.state_name(state)
