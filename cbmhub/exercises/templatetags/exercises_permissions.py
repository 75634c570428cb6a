"""The exercises' permission rules, for templates that show or hide a link (the rules live in
``cbmhub.exercises.permissions``)."""

from __future__ import annotations

from typing import Any

from django import template

from cbmhub.exercises import permissions

register = template.Library()


@register.filter
def may_use_exercises(user: Any) -> bool:
    return permissions.may_use(user)
