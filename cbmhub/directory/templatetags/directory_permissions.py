"""The directory's permission rules, for templates that show or hide a link.

The rules themselves live in ``cbmhub.directory.permissions``; these filters only expose them, so
a template never restates a rule."""

from __future__ import annotations

from typing import Any

from django import template

from cbmhub.directory import permissions

register = template.Library()


@register.filter
def can_import(user: Any) -> bool:
    return permissions.can_import(user)
