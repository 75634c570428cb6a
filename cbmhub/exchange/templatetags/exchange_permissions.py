"""The exchange's permission rules, for templates that show or hide a link (the rules stay in
``cbmhub.exchange.permissions``)."""

from __future__ import annotations

from typing import Any

from django import template

from cbmhub.exchange import permissions

register = template.Library()


@register.filter
def may_use_exchange(user: Any) -> bool:
    return permissions.may_use(user)


@register.filter
def may_share_exchange(user: Any) -> bool:
    return permissions.may_share(user)
