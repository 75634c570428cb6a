"""Reads of the hotline, each filtered by the need-to-know rules of permissions.py.

- Participants see a channel's messages in full; the secretariat of the channel's organisation
  sees them as metadata (and the content of its own multilateral channels); an operator sees
  every channel's metadata and no content; anyone else sees nothing (permissions.py says who).
- Access helpers raise Http404 for objects outside a user's view, so that the existence of a
  bilateral exchange is not revealed to a third state.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.core.selectors import int_or_404
from cbmhub.directory.choices import Level
from cbmhub.directory.models import Membership, Organisation, PointOfContact, State
from cbmhub.directory.selectors import participating_memberships, point_of_contact_list

from . import permissions
from .choices import Scope
from .models import (
    Channel,
    CheckTarget,
    CommunicationCheck,
    Message,
    Receipt,
    WorkerHeartbeat,
)

# The record's reads live in record.py; re-exported so that callers use selectors.* alone.
from .record import RecordCheck as RecordCheck
from .record import channel_current_head as channel_current_head
from .record import channel_head as channel_head
from .record import channel_record_bundle as channel_record_bundle
from .record import event_list as event_list
from .record import public_key_fingerprint as public_key_fingerprint
from .record import record_check as record_check
from .record import record_verify as record_verify

# --- channels -----------------------------------------------------------------------------


def channel_list(user: object) -> QuerySet[Channel]:
    return (
        Channel.objects.filter(permissions.visible_channel_filter(user))
        .select_related("organisation", "state_a", "state_b")
        .order_by("name", "id")
    )


def access_channel(user: object, channel_id: int | str) -> Channel:
    channel = channel_list(user).filter(pk=int_or_404(channel_id)).first()
    if channel is None:
        raise Http404("No such channel.")
    return channel


# --- messages -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageAccess:
    """A message as one user may see it: ``can_read_content`` false means show metadata only;
    ``receipt`` is the receipt of the user's own state when it is a recipient."""

    message: Message
    can_read_content: bool
    receipt: Receipt | None
    is_sender_state: bool

    @property
    def can_acknowledge(self) -> bool:
        return self.receipt is not None and self.receipt.awaits_acknowledgement

    @property
    def can_reply(self) -> bool:
        return self.receipt is not None


def visible_messages(user: object) -> QuerySet[Message]:
    """Messages whose existence and metadata `user` may see (``access_message`` says whether
    the content may be read too)."""
    return Message.objects.filter(permissions.visible_channel_filter(user, prefix="channel__"))


def message_list(
    user: object, *, channel: Channel | None = None, box: str = "all"
) -> QuerySet[Message]:
    """Messages `user` may see, newest first, with channel, states and receipts prefetched.
    ``box``: "all", "in" (to the user's state) or "out" (from the user's state)."""
    messages = visible_messages(user)
    if channel is not None:
        messages = messages.filter(channel=channel)
    state_id = getattr(user, "state_id", None)
    if box == "in":
        messages = messages.filter(receipts__state_id=state_id) if state_id else messages.none()
    elif box == "out":
        messages = messages.filter(sender_state_id=state_id) if state_id else messages.none()
    return messages.select_related(
        "channel",
        "channel__organisation",
        "sender_state",
        "sender_organisation",
        "sender",
        "in_reply_to",
    ).prefetch_related(
        Prefetch("receipts", queryset=Receipt.objects.select_related("state", "acknowledged_by"))
    )


def visible_message(user: object, message_id: int | str) -> Message:
    """The message, with its channel, if `user` may see it (else 404): what an action on it
    (acknowledge, reply) needs, without the receipts and attachments a page shows. The action's
    service decides who may act (a recipient state's user)."""
    message = (
        visible_messages(user)
        .select_related("channel", "channel__organisation")
        .filter(pk=int_or_404(message_id))
        .first()
    )
    if message is None:
        raise Http404("No such message.")
    return message


def access_message(user: object, message_id: int | str) -> MessageAccess:
    message = (
        message_list(user).prefetch_related("attachments").filter(pk=int_or_404(message_id)).first()
    )
    if message is None:
        raise Http404("No such message.")
    state_id = roles.state_id_of(user)
    receipt = next((r for r in message.receipts.all() if state_id and r.state_id == state_id), None)
    return MessageAccess(
        message=message,
        can_read_content=permissions.can_read_content(user, message.channel),
        receipt=receipt,
        is_sender_state=bool(state_id and message.sender_state_id == state_id),
    )


def awaiting_acknowledgement(prefix: str = "") -> Q:
    """Receipt.awaits_acknowledgement as a query (over Receipt, or with ``prefix="receipts__"``
    over Message): an acknowledgement deadline, and no acknowledgement yet."""
    return Q(**{f"{prefix}ack_due_at__isnull": False, f"{prefix}acknowledged_at__isnull": True})


def unacknowledged_count(user: object) -> int:
    """Messages to the user's state still waiting for an acknowledgement (the inbox badge):
    the rows that show an acknowledgement deadline, the messages with an Acknowledge button.
    Exercise messages are not real traffic: they are not counted (the inbox still lists them,
    marked EXERCISE, for the players to acknowledge)."""
    state_id = roles.state_id_of(user)
    if not state_id:
        return 0
    return Receipt.objects.filter(
        awaiting_acknowledgement(),
        state_id=state_id,
        message__is_exercise=False,
        message__in=visible_messages(user),
    ).count()


# --- communication checks -------------------------------------------------------------------


def check_scope(
    *,
    organisation: Organisation,
    state_ids: set[int] | None = None,
    levels: list[str] | None = None,
) -> list[PointOfContact]:
    """The points of contact a check of `organisation` asks: the active ones of its taking-part
    states (or of those of `state_ids` that take part) at `levels` (every level by default).
    What the start form confirms and what ``check_start`` asks are this one list."""
    members = permissions.member_state_ids(organisation)
    wanted = members if state_ids is None else members & state_ids
    level_list = levels if levels is not None else Level.escalation_order()
    return [
        poc
        for poc in point_of_contact_list(organisation=organisation)
        if poc.state_id in wanted and poc.level in level_list
    ]


@dataclass(frozen=True)
class CheckCandidate:
    """A state with a membership of the organisation, and why a check cannot ask it (if so)."""

    state: State
    reason: str  # empty: it can be asked


def check_candidates(organisations: list[Organisation]) -> list[CheckCandidate]:
    """Every state with a membership of `organisations`, by name: those a check can ask (taking
    part today, with an active point of contact) and the others with the reason why not, so
    the start form offers only the first and says why the others are missing."""
    asked: set[int] = set()
    for organisation in organisations:
        asked |= {poc.state_id for poc in check_scope(organisation=organisation)}
    taking_part = set(
        participating_memberships()
        .filter(organisation__in=organisations)
        .values_list("state_id", flat=True)
    )
    memberships = (
        Membership.objects.filter(organisation__in=organisations)
        .select_related("state", "organisation")
        .order_by("state__name", "organisation__acronym")
    )
    reasons: dict[int, CheckCandidate] = {}
    for membership in memberships:
        state = membership.state
        if state.pk in asked:
            reason = ""
        elif state.pk in taking_part:
            reason = _("no active point of contact")
        else:
            reason = _("%(status)s of %(organisation)s, not taking part in its checks") % {
                "status": membership.get_status_display(),
                "organisation": membership.organisation.acronym,
            }
        if state.pk not in reasons or not reason:
            reasons[state.pk] = CheckCandidate(state=state, reason=reason)
    return list(reasons.values())


def check_in_progress(check: CommunicationCheck, *, now: datetime | None = None) -> bool:
    """Answers are still due: not closed and its deadline not passed. Its figures are partial
    and an unanswered point of contact is "awaited", not "no answer"."""
    return check.closed_at is None and (now or timezone.now()) <= check.deadline


def check_list(user: object) -> QuerySet[CommunicationCheck]:
    """Checks the user may see: a secretariat its organisation's, a state user those that asked
    one of its state's points of contact, an operator all."""
    checks = CommunicationCheck.objects.select_related("organisation", "started_by")
    if roles.is_operator(user):
        return checks
    if roles.is_secretariat(user):
        organisation_id = roles.organisation_id_of(user)
        return checks.filter(organisation_id=organisation_id) if organisation_id else checks.none()
    if state_id := roles.state_id_of(user):
        return checks.filter(targets__state_id=state_id).distinct()
    return checks.none()


def access_check(user: object, check_id: int | str) -> CommunicationCheck:
    check = check_list(user).filter(pk=int_or_404(check_id)).first()
    if check is None:
        raise Http404("No such communication check.")
    return check


def _check_target_rows() -> QuerySet[CheckTarget]:
    return CheckTarget.objects.select_related("point_of_contact", "state", "answered_by").order_by(
        "state__name", "level", "id"
    )


# Where check_list_with_targets leaves a check's prefetched targets: every target (for users who
# see them all) or the user's own state's only. check_statistics trusts the first one alone.
_ALL_TARGETS = "prefetched_all_targets"
_OWN_STATE_TARGETS = "prefetched_own_state_targets"


def check_list_with_targets(user: object) -> QuerySet[CommunicationCheck]:
    """``check_list`` with the targets the user may see prefetched for every check in one query,
    so that ``check_targets`` and ``check_statistics`` read those rows instead of querying once
    per check (a list of checks costs the same number of queries however long it is)."""
    rows = _check_target_rows()
    own_state = _own_state_only(user)
    if own_state is not None:
        prefetch = Prefetch(
            "targets", queryset=rows.filter(state_id=own_state), to_attr=_OWN_STATE_TARGETS
        )
    else:
        prefetch = Prefetch("targets", queryset=rows, to_attr=_ALL_TARGETS)
    return check_list(user).prefetch_related(prefetch)


def check_targets(user: object, check: CommunicationCheck) -> list[CheckTarget]:
    """The check's targets the user may see: all for the secretariat, their state's otherwise.
    Uses the rows ``check_list_with_targets`` prefetched when there are some."""
    own_state = _own_state_only(user)
    rows: list[CheckTarget] | None = getattr(check, _ALL_TARGETS, None)
    if rows is None and own_state is not None:
        rows = getattr(check, _OWN_STATE_TARGETS, None)
    if rows is None:
        targets = check.targets.select_related("point_of_contact", "state", "answered_by")
        if own_state is not None:
            targets = targets.filter(state_id=own_state)
        return list(targets)
    # Filtered again: prefetched rows never widen what this user sees.
    return [t for t in rows if own_state is None or t.state_id == own_state]


def _own_state_only(user: object) -> int | None:
    """The state whose check targets alone the user sees; None when they see every state's."""
    return roles.state_id_of(user) if permissions.sees_own_state_targets_only(user) else None


def pending_check_targets(user: object) -> QuerySet[CheckTarget]:
    """Open checks waiting for this user's confirmation (targets whose POC is this user)."""
    if not roles.is_signed_in(user):
        return CheckTarget.objects.none()
    # The organisation too: a check is shown by its name ("CICA check 2025-…").
    return CheckTarget.objects.filter(
        point_of_contact__user=roles.user_or_none(user),
        answered_at__isnull=True,
        communication_check__closed_at__isnull=True,
    ).select_related("communication_check__organisation")


def _summary(targets: list[CheckTarget], check: CommunicationCheck) -> dict[str, Any]:
    """The figures of some of ``check``'s targets (every target was asked when it started)."""
    answered_at = [t.answered_at for t in targets if t.answered_at]
    in_time = [at for at in answered_at if at <= check.deadline]
    seconds = sorted(int((at - check.started_at).total_seconds()) for at in answered_at)
    return {
        "targets": len(targets),
        "answered": len(answered_at),
        "answered_in_time": len(in_time),
        "response_rate": (len(in_time) / len(targets)) if targets else 0.0,
        "response_seconds": seconds,
        "median_seconds": int(statistics.median(seconds)) if seconds else None,
        "max_seconds": seconds[-1] if seconds else None,
    }


def _statistics_targets() -> QuerySet[CheckTarget]:
    return CheckTarget.objects.select_related("state").order_by("state__name", "level", "id")


def check_statistics(check: CommunicationCheck) -> dict[str, Any]:
    """Response rate (answered within the deadline / asked) and response times (seconds), for
    the whole check, per state (by ISO3) and per level — what a results page and CSV show.
    Uses every target prefetched by ``check_list_with_targets`` when there are some."""
    targets = getattr(check, _ALL_TARGETS, None)
    if targets is None:
        targets = list(_statistics_targets().filter(communication_check=check))
    return _statistics(check, list(targets))


def _statistics(check: CommunicationCheck, targets: list[CheckTarget]) -> dict[str, Any]:
    by_state: dict[str, list[CheckTarget]] = {}
    by_level: dict[str, list[CheckTarget]] = {level: [] for level in Level.escalation_order()}
    for target in targets:
        by_state.setdefault(target.state.iso3, []).append(target)
        by_level.setdefault(target.level, []).append(target)
    return {
        "overall": _summary(targets, check),
        "by_state": {k: _summary(v, check) for k, v in by_state.items()},
        "by_level": {k: _summary(v, check) for k, v in by_level.items() if v},
    }


def check_history(organisation: Organisation) -> list[tuple[CommunicationCheck, dict[str, Any]]]:
    """Every real check of an organisation, oldest first, with its overall figures (an
    exercise's checks are not the organisation's real response rates)."""
    # One query for every check's targets, not one per check.
    checks = (
        CommunicationCheck.objects.filter(organisation=organisation, is_exercise=False)
        .order_by("started_at")
        .prefetch_related(Prefetch("targets", queryset=_statistics_targets()))
    )
    return [(check, _statistics(check, list(check.targets.all()))["overall"]) for check in checks]


# --- the inbox, sorted by urgency -------------------------------------------------------------

_PRIORITY_RANK = {"flash": 0, "urgent": 1, "routine": 2}


@dataclass(frozen=True)
class InboxItem:
    """A message as an inbox row: ``due_at`` is the next deadline that waits on someone (for a
    recipient, on their own state; for the sender state, on any recipient), ``due_kind`` says
    which ("ack" or "reply"), and ``action`` is True when the user's own state owes it."""

    message: Message
    receipt: Receipt | None
    due_at: Any
    due_kind: str
    action: bool

    def overdue(self, now) -> bool:
        return bool(self.due_at and self.due_at < now)


def _next_due(receipt: Receipt) -> tuple[Any, str]:
    if receipt.awaits_acknowledgement:
        return receipt.ack_due_at, "ack"
    if receipt.replied_at is None and receipt.reply_due_at is not None:
        return receipt.reply_due_at, "reply"
    return None, ""


def _next_due_expression() -> Case:
    """_next_due in SQL, over Receipt: the acknowledgement deadline while it waits, then the
    reply deadline while that waits, else NULL."""
    return Case(
        When(awaiting_acknowledgement(), then=F("ack_due_at")),
        When(replied_at__isnull=True, reply_due_at__isnull=False, then=F("reply_due_at")),
        default=None,
        output_field=DateTimeField(),
    )


def inbox_queryset(user: object, *, box: str = "all", channel: Channel | None = None):
    """Every message `user` may see (message_list), ordered by urgency in the database, so that
    a page of it is a slice: complete (offset/limit reach every message) and stable (the order
    depends on the data only, with the id as the last tie-breaker). The order: first what the
    user's state owes (an acknowledgement or a reply), earliest deadline first (so overdue on
    top), then messages waiting on a recipient, earliest deadline first, then the rest; within a
    deadline, by priority (flash first), then newest first."""
    state_id = roles.state_id_of(user)
    by_message = Receipt.objects.filter(message=OuterRef("pk"))
    # A user of no state owes nothing: state_id None is IS NULL, which no receipt is.
    own = by_message.filter(Q(state_id=state_id))
    earliest = (
        by_message.annotate(due=_next_due_expression())
        .filter(due__isnull=False)
        .order_by("due")
        .values("due")[:1]
    )
    messages = message_list(user, box=box, channel=channel).annotate(
        inbox_own=Exists(own) if state_id else Value(False),
        inbox_own_due=Subquery(own.annotate(due=_next_due_expression()).values("due")[:1])
        if state_id
        else Value(None, output_field=DateTimeField()),
        inbox_others_due=Subquery(earliest),
    )
    messages = messages.annotate(
        inbox_group=Case(
            When(inbox_own=True, inbox_own_due__isnull=False, then=Value(0)),
            When(inbox_own=True, then=Value(2)),
            When(inbox_others_due__isnull=False, then=Value(1)),
            default=Value(2),
        ),
    )
    messages = messages.annotate(
        inbox_due=Case(
            When(inbox_group=0, then=F("inbox_own_due")),
            When(inbox_group=1, then=F("inbox_others_due")),
            default=None,
            output_field=DateTimeField(),
        ),
        inbox_rank=Case(
            When(inbox_group=2, then=Value(0)),
            *(When(priority=p, then=Value(rank)) for p, rank in _PRIORITY_RANK.items()),
            default=Value(9),
        ),
    )
    return messages.order_by("inbox_group", "inbox_due", "inbox_rank", "-sent_at", "-id")


def inbox_items(user: object, messages: Iterable[Message]) -> list[InboxItem]:
    """Inbox rows for messages of inbox_queryset (their receipts prefetched), in their order."""
    state_id = roles.state_id_of(user)
    items = []
    for message in messages:
        receipts = list(message.receipts.all())
        own = next((r for r in receipts if state_id and r.state_id == state_id), None)
        if own is not None:
            due_at, due_kind = _next_due(own)
            action = due_at is not None
        else:
            pending = [d for d in map(_next_due, receipts) if d[0] is not None]
            due_at, due_kind = min(pending, key=lambda d: d[0]) if pending else (None, "")
            action = False
        items.append(InboxItem(message, own, due_at, due_kind, action))
    return items


def inbox_list(user: object, *, box: str = "all", channel: Channel | None = None, limit: int = 100):
    """The inbox page: everything the user's state owes, however old, then the ``limit`` first
    of the rest, in inbox_queryset's order (the API pages through all of it instead)."""
    messages = inbox_queryset(user, box=box, channel=channel)
    owed = list(messages.filter(inbox_group=0))
    rest = list(messages.exclude(inbox_group=0)[:limit])
    return inbox_items(user, owed + rest)


@dataclass(frozen=True)
class HomeItems:
    """What waits for the user now, for the home page."""

    to_acknowledge: list[InboxItem]  # the user's state owes an acknowledgement
    replies_overdue: list[InboxItem]  # a reply past its deadline, owed by or to the state
    pending_checks: list[CheckTarget]  # checks waiting for the user's own confirmation
    open_checks: list[CommunicationCheck]  # checks in progress the user follows (secretariat)

    def __bool__(self) -> bool:
        return bool(
            self.to_acknowledge or self.replies_overdue or self.pending_checks or self.open_checks
        )


def home_items(user: object, *, now: datetime | None = None) -> HomeItems:
    """Messages awaiting the user's state's acknowledgement (earliest deadline first), replies
    overdue either way, checks waiting for the user's confirmation and, for those who see
    every target, checks still in progress."""
    now = now or timezone.now()
    items = inbox_list(user, limit=50)
    open_checks: list[CommunicationCheck] = []
    if permissions.sees_all_check_targets(user):
        open_checks = [
            c
            for c in check_list(user).filter(closed_at__isnull=True, deadline__gte=now)
            if check_in_progress(c, now=now)
        ]
    return HomeItems(
        to_acknowledge=[i for i in items if i.action and i.due_kind == "ack"],
        replies_overdue=[i for i in items if i.due_kind == "reply" and i.overdue(now)],
        pending_checks=list(pending_check_targets(user)),
        open_checks=open_checks,
    )


def check_target_for_token(token: str) -> CheckTarget:
    """The target an e-mailed confirmation link stands for (the token is the secret)."""
    target = (
        CheckTarget.objects.select_related(
            "communication_check__organisation", "point_of_contact", "state"
        )
        .filter(token=token)
        .first()
        if token
        else None
    )
    if target is None:
        raise Http404("This confirmation link is not valid.")
    return target


# --- the worker -----------------------------------------------------------------------------

# No pass finished by any worker for this long: deliveries and escalations have stopped.
WORKER_STALE_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class WorkerAlert:
    """Why the page frame warns that the hotline worker is down: ``last_beat`` is when a worker
    last finished a pass (None: never), ``last_error`` the last error a worker recorded (for
    operators only; empty for the secretariat)."""

    last_beat: datetime | None
    last_error: str
    last_error_at: datetime | None


def worker_alert(user: object, *, now: datetime | None = None) -> WorkerAlert | None:
    """A WorkerAlert for the secretariat and operators when no worker has finished a pass for
    WORKER_STALE_AFTER (or none ever has); None when all is well or the user need not know."""
    if not permissions.sees_worker_health(user):
        return None
    now = now or timezone.now()
    last_beat = WorkerHeartbeat.objects.aggregate(last=Max("beat_at"))["last"]
    if last_beat is not None and now - last_beat < WORKER_STALE_AFTER:
        return None
    # The error text names infrastructure (hosts, paths): for operators, not the secretariat.
    failing = (
        WorkerHeartbeat.objects.filter(last_error_at__isnull=False)
        .order_by("-last_error_at")
        .first()
        if roles.is_operator(user)
        else None
    )
    return WorkerAlert(
        last_beat=last_beat,
        last_error=failing.last_error if failing else "",
        last_error_at=failing.last_error_at if failing else None,
    )


def organisation_channel(*, organisation_id: int, level: str) -> Channel | None:
    """The organisation's active multilateral channel at `level` (the oldest, when there are
    several), on which its secretariat sends for it (another app's circulation: meetings'
    notes verbales go on the diplomatic one); None when it has none."""
    return (
        Channel.objects.filter(
            scope=Scope.MULTILATERAL, organisation_id=organisation_id, level=level, is_active=True
        )
        .order_by("id")
        .first()
    )


def message_receipts(user: object, message_id: int) -> list[Receipt]:
    """The receipts (delivered, acknowledged, replied per recipient state) of a message `user`
    may see, in one query; empty when the user may not see the message."""
    return list(
        Receipt.objects.filter(
            message_id=message_id, message__in=visible_messages(user).values("pk")
        )
        .select_related("state")
        .order_by("state__name")
    )
