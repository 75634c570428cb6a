"""Opening and changing channels, and registering a state's webhooks."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.directory.choices import Level
from cbmhub.directory.models import Organisation, State

from ..choices import Priority
from ..models import Channel, Webhook
from ..permissions import may_add_webhook, may_manage_channel
from .common import HotlineError


@transaction.atomic
def channel_create(
    *,
    actor: Any,
    name: str,
    scope: str,
    level: str = Level.TECHNICAL,
    organisation: Organisation | None = None,
    state_a: State | None = None,
    state_b: State | None = None,
    arrangement: str = "",
    is_exercise: bool = False,
    **settings_: Any,
) -> Channel:
    """Open a channel. Bilateral: two states (a focal point of either, the secretariat of the
    framework organisation, or an operator). Multilateral: an organisation (its secretariat or
    an operator). ``settings_`` may set any deadline (``ack_flash`` ... ``reply_routine``) and
    the escalation policy (``escalate_every``, ``escalation_max_level``,
    ``escalation_max_count``)."""
    allowed = {f"{p}_{prio}" for p in ("ack", "reply") for prio in Priority.values}
    allowed |= {"escalate_every", "escalation_max_level", "escalation_max_count", "is_active"}
    unknown = set(settings_) - allowed
    if unknown:
        raise HotlineError(_("Unknown channel settings: %s.") % ", ".join(sorted(unknown)))
    # SYSTEM only for an exercise run opening its exercise channels (is_exercise).
    allowed_actor = (is_exercise and roles.is_system(actor)) or may_manage_channel(
        actor, organisation=organisation, states=(state_a, state_b)
    )
    if not allowed_actor:
        raise PermissionDenied(_("You may not open this channel."))
    channel = Channel(
        name=name,
        scope=scope,
        level=level,
        organisation=organisation,
        state_a=state_a,
        state_b=state_b,
        arrangement=arrangement,
        **settings_,
    )
    channel.full_clean()
    channel.save()
    return channel


@transaction.atomic
def channel_update(*, actor: Any, channel: Channel, **fields: Any) -> Channel:
    """Change a channel's name, arrangement, deadlines, escalation policy or ``is_active``."""
    allowed = {f"{p}_{prio}" for p in ("ack", "reply") for prio in Priority.values}
    allowed |= {
        "name",
        "arrangement",
        "escalate_every",
        "escalation_max_level",
        "escalation_max_count",
        "is_active",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise HotlineError(
            _("These channel fields cannot be changed: %s.") % ", ".join(sorted(unknown))
        )
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if not may_manage_channel(
        actor, organisation=channel.organisation, states=(channel.state_a, channel.state_b)
    ):
        raise PermissionDenied(_("You may not change this channel."))
    for key, value in fields.items():
        setattr(channel, key, value)
    channel.full_clean()
    channel.save(update_fields=[*fields, "updated_at"])
    return channel


@transaction.atomic
def webhook_create(*, actor: Any, state: State, url: str, secret: str = "") -> Webhook:
    """Register a state's webhook (its focal point or an operator). Without a secret one is
    generated; the receiver checks ``X-CBMHub-Signature`` with it (docs/hotline.md)."""
    if not may_add_webhook(actor, state):
        raise PermissionDenied(_("Only a focal point of this state may add its webhooks."))
    webhook = Webhook(state=state, url=url, secret=secret or secrets.token_urlsafe(32))
    webhook.full_clean()
    webhook.save()
    return webhook
