"""The directory's permission rules, for templates that show or hide a link.

The rules themselves live in ``cbmhub.directory.permissions``; these filters only expose them, so
a template never restates a rule."""

from __future__ import annotations

from django import template

from cbmhub.directory import permissions
from cbmhub.directory.models import PointOfContact

register = template.Library()


@register.filter
def can_import(user: object) -> bool:
    return permissions.can_import(user)


@register.filter
def can_edit_point_of_contact(user: object, point_of_contact: PointOfContact) -> bool:
    """``{% if user|can_edit_point_of_contact:poc %}``: the edit links, where the service
    would accept the edit."""
    return permissions.can_manage_points_of_contact(user, point_of_contact.state_id)
