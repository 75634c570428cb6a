"""The page frame's warning that the hotline worker is down (for the secretariat and operators).

A tag of the hotline app, so that the frame (cbmhub/templates/base.html) needs no knowledge of
the hotline: the rule is ``selectors.worker_alert``."""

from __future__ import annotations

from typing import Any

from django import template

from cbmhub.hotline import selectors

register = template.Library()


@register.inclusion_tag("hotline/_worker_alert.html", takes_context=True)
def hotline_worker_alert(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {"alert": selectors.worker_alert(user) if user is not None else None}
