"""Hooks: how a lower app shows or runs what higher apps add, without importing them.

An app config may define a method named after a hook; the lower app asks every installed app
config for it by name (`app_panels("document_panel", request, document)`), so the layers of
docs/architecture.md hold. The hooks in use:

- `home_panel(request)`: asked by the home page (core); HTML of what waits for the user.
- `document_panel(request, document)`: a negotiation document's page; HTML (meetings: the
  document's path through bodies).
- `revision_panel(request, revision)`: a revision's page; HTML (precedent: agreed language).
- `message_panel(request, message)`: a hotline message's page; HTML (exchange: shared objects).
- `worker_step(now)`: the worker loop (hotline/worker.py); the work done this pass (exchange
  pulls, exercise injects).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from django.apps import apps
from django.utils.safestring import SafeString, mark_safe


class AppHook(NamedTuple):
    label: str  # the app's label ("exercises"), for logs
    call: Callable[..., Any]


def app_hooks(name: str) -> list[AppHook]:
    """Every installed app config's method called `name`, in INSTALLED_APPS order."""
    hooks = []
    for config in apps.get_app_configs():
        hook = getattr(config, name, None)
        if callable(hook):
            hooks.append(AppHook(config.label, hook))
    return hooks


def app_panels(name: str, request: Any, *args: Any) -> list[SafeString]:
    """The HTML every app's `name` hook renders for this request (each rendered by that app's
    own escaping template); empty answers left out."""
    panels = []
    for hook in app_hooks(name):
        html = hook.call(request, *args)
        if html and html.strip():
            panels.append(mark_safe(html))  # noqa: S308 - rendered by the app's own template
    return panels
