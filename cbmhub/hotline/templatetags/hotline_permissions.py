"""The hotline's permission rules, for templates that show or hide a link.

The rules live in ``cbmhub.hotline.permissions``; these filters only expose them, so a template
never restates a rule."""

from __future__ import annotations

from django import template

from cbmhub.hotline import permissions

register = template.Library()


@register.filter
def can_send(user: object) -> bool:
    """Whether the compose page would let ``user`` in (a channel their state takes part in)."""
    return permissions.may_send(user)
