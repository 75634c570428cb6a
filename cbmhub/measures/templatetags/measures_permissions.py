"""The measures permission rules as template filters, to show or hide a link; the rules stay
in ``measures/permissions.py``."""

from __future__ import annotations

from typing import Any

from django import template

from cbmhub.measures import permissions

register = template.Library()


@register.filter
def may_use_measures(user: Any) -> bool:
    return permissions.may_use_measures(user)
