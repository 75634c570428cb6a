"""Communication checks: start, answer, close."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.directory.choices import Level
from cbmhub.directory.models import Organisation, State

from ..chain import iso_utc
from ..choices import DeliveryPurpose, EventKind, Scope
from ..models import Channel, CheckTarget, CommunicationCheck, Delivery
from ..permissions import may_start_check, member_state_ids, require_system
from ..selectors import check_scope
from .common import HotlineError, _invalid, _now
from .events import event_append
from .outbox import _email_deliveries


def _check_channel(organisation: Organisation, channel: Channel | None) -> Channel:
    if channel is not None:
        if channel.scope != Scope.MULTILATERAL or channel.organisation_id != organisation.pk:
            raise _invalid(
                "channel", _("A check runs on a multilateral channel of %s.") % organisation.acronym
            )
        return channel
    found = (
        Channel.objects.filter(organisation=organisation, scope=Scope.MULTILATERAL, is_active=True)
        .order_by("id")
        .first()
    )
    if found:
        return found
    channel = Channel(
        name=f"{organisation.acronym} communication checks",
        scope=Scope.MULTILATERAL,
        level=Level.TECHNICAL,
        organisation=organisation,
    )
    channel.full_clean()
    channel.save()
    return channel


def _check_state_ids(organisation: Organisation, states: Iterable[State] | None) -> set[int] | None:
    """The chosen states, refused by name when one does not take part in the organisation (an
    observer, a dialogue partner): dropping it silently asked fewer than the user chose."""
    if states is None:
        return None
    chosen = list(states)
    members = member_state_ids(organisation)
    outside = sorted(s.iso3 for s in chosen if s.pk not in members)
    if outside:
        raise _invalid(
            "states",
            _("A check cannot ask states that do not take part in %(organisation)s: %(states)s.")
            % {"states": ", ".join(outside), "organisation": organisation.acronym},
        )
    return {s.pk for s in chosen}


@transaction.atomic
def check_start(
    *,
    actor: Any,
    organisation: Organisation,
    states: Iterable[State] | None = None,
    levels: Iterable[str] | None = None,
    deadline: timedelta = timedelta(hours=1),
    note: str = "",
    channel: Channel | None = None,
    now: datetime | None = None,
    is_exercise: bool = False,
) -> CommunicationCheck:
    """Start a communication check: every active point of contact of the organisation's member
    states (or of `states`, at `levels`) is asked to confirm within `deadline`. Only the
    organisation's secretariat (or an operator) may start one. Each target gets an e-mail with a
    confirmation link (token) and sees the check in the app. An exercise run starts its checks
    as ``SYSTEM`` with ``is_exercise``: marked EXERCISE, never in the real figures."""
    exercise_run = is_exercise and roles.is_system(actor)
    if not (may_start_check(actor, organisation) or exercise_run):
        raise PermissionDenied(_("Only the organisation's secretariat may start a check."))
    if deadline <= timedelta(0):
        raise _invalid("deadline", _("The deadline must be in the future."))
    now = _now(now)
    channel = _check_channel(organisation, channel)
    state_ids = _check_state_ids(organisation, states)
    level_list = list(levels) if levels is not None else Level.escalation_order()
    bad = set(level_list) - set(Level.values)
    if bad:
        raise _invalid("levels", _("Unknown level(s): %s.") % ", ".join(sorted(bad)))
    pocs = check_scope(organisation=organisation, state_ids=state_ids, levels=level_list)
    if not pocs:
        raise HotlineError(_("No point of contact matches this check."), code="no_targets")
    check = CommunicationCheck(
        organisation=organisation,
        channel=channel,
        started_by=roles.user_or_none(actor),
        note=f"EXERCISE: {note}"[:200] if is_exercise else note,
        started_at=now,
        deadline=now + deadline,
        is_exercise=is_exercise,
    )
    check.full_clean()
    check.save()
    targets = CheckTarget.objects.bulk_create(
        [
            CheckTarget(
                communication_check=check,
                point_of_contact=poc,
                state_id=poc.state_id,
                level=poc.level,
                token=secrets.token_urlsafe(32),
            )
            for poc in pocs
        ]
    )
    deliveries: list[Delivery] = []
    for target, poc in zip(targets, pocs, strict=True):
        deliveries += _email_deliveries(
            [poc], purpose=DeliveryPurpose.CHECK, now=now, check_target=target
        )
    Delivery.objects.bulk_create(deliveries)
    event_append(
        channel=channel,
        kind=EventKind.CHECK_STARTED,
        at=now,
        communication_check=check,
        data={
            "check": check.pk,
            "organisation": organisation.acronym,
            "by": getattr(actor, "username", None),
            "deadline": iso_utc(check.deadline),
            "targets": [{"poc": p.pk, "state": p.state.iso3, "level": p.level} for p in pocs],
        },
    )
    return check


@transaction.atomic
def check_answer(
    *,
    actor: Any,
    communication_check: CommunicationCheck | None = None,
    token: str = "",
    now: datetime | None = None,
) -> list[CheckTarget]:
    """Confirm a check: by `token` (the e-mailed link, no login needed) or as `user` for every
    target of `communication_check` whose point of contact is that user. Answers after the
    deadline are recorded and count as late. Answering twice keeps the first time."""
    now = _now(now)
    targets = CheckTarget.objects.select_for_update(of=("self",)).select_related(
        "communication_check__channel", "state", "point_of_contact"
    )
    if token:
        targets = targets.filter(token=token)
    elif communication_check is not None and roles.is_signed_in(actor):
        targets = targets.filter(
            communication_check=communication_check, point_of_contact__user=actor
        )
    else:
        raise HotlineError(_("Give a token, or a check and a user."), code="invalid")
    found = list(targets.order_by("id"))
    if not found:
        if token:
            raise HotlineError(_("This confirmation link is not valid."), code="not_found")
        raise PermissionDenied(_("This check did not ask you to confirm."))
    for target in found:
        if target.answered_at is not None:
            continue
        target.answered_at = now
        # The token is the secret and anyone holding it may confirm; the answer is attributed
        # to a signed-in user only when the target is that user's own point of contact, so the
        # record never says a user of another state answered for this one.
        own = roles.is_signed_in(actor) and target.point_of_contact.user_id == actor.pk
        target.answered_by = actor if own else None
        target.save(update_fields=["answered_at", "answered_by"])
        check = target.communication_check
        event_append(
            channel=check.channel,
            kind=EventKind.CHECK_ANSWERED,
            at=now,
            communication_check=check,
            data={
                "check": check.pk,
                "poc": target.point_of_contact_id,
                "state": target.state.iso3,
                "level": target.level,
                "in_time": now <= check.deadline,
                "by": getattr(target.answered_by, "username", None),
            },
        )
    return found


def checks_close_due(*, actor: Any, now: datetime | None = None) -> int:
    """Close the checks whose deadline has passed, recording their figures; returns how many."""
    require_system(actor)
    now = _now(now)
    ids = list(
        CommunicationCheck.objects.filter(closed_at__isnull=True, deadline__lte=now).values_list(
            "pk", flat=True
        )
    )
    return sum(1 for pk in ids if _close_check(pk, now))


@transaction.atomic
def _close_check(check_id: int, now: datetime) -> bool:
    check = (
        CommunicationCheck.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("channel", "organisation")
        .filter(pk=check_id, closed_at__isnull=True)
        .first()
    )
    if check is None:
        return False
    check.closed_at = now
    check.save(update_fields=["closed_at", "updated_at"])
    targets = list(check.targets.all())
    # The reverse manager hands each target this check, so in_time costs no query.
    in_time = sum(1 for t in targets if t.in_time)
    event_append(
        channel=check.channel,
        kind=EventKind.CHECK_CLOSED,
        at=now,
        communication_check=check,
        data={
            "check": check.pk,
            "organisation": check.organisation.acronym,
            "targets": len(targets),
            "answered_in_time": in_time,
        },
    )
    return True
