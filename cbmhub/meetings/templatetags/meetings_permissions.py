"""The meetings' permission rules, for templates that show or hide a link (the rules live in
``cbmhub.meetings.permissions``)."""

from __future__ import annotations

from typing import Any

from django import template

from cbmhub.meetings import permissions

register = template.Library()


@register.filter
def may_use_meetings(user: Any) -> bool:
    return permissions.may_use(user)


@register.filter
def may_manage_meetings(user: Any) -> bool:
    """The secretariat (and operators): convene meetings, write and issue notes."""
    return permissions.can_manage(user, None)
