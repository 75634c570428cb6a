"""The precedent search's permission rule, for templates that show or hide a link (the rule
lives in ``cbmhub.precedent.permissions``)."""

from __future__ import annotations

from typing import Any

from django import template

from cbmhub.precedent import permissions

register = template.Library()


@register.filter
def may_search_precedent(user: Any) -> bool:
    return permissions.may_search(user)
