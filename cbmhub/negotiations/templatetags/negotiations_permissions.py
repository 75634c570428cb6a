"""The negotiations' permission rules, for templates that show or hide a link.

The rules live in ``cbmhub.negotiations.permissions``; these filters only expose them, so a
template never restates a rule."""

from __future__ import annotations

from django import template

from cbmhub.negotiations import permissions

register = template.Library()


@register.filter
def may_use_negotiations(user: object) -> bool:
    """Whether ``user`` may open the negotiations at all (member states and the secretariat)."""
    return permissions.may_use(user)
