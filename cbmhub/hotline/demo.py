"""Demo traffic: channels and messages in every state (delivered, acknowledged, overdue and
escalated, replied) and one finished communication check. Runs after the directory and accounts
demos and goes through the same services as the product, so the demo record verifies.
Idempotent: nothing is added when the demo channels exist. Invented content only."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from cbmhub.accounts.models import User
from cbmhub.directory.selectors import organisation_detail, state_for_code

from . import services, worker
from .choices import MessageKind, Priority, Scope, Tlp
from .models import Channel, CheckTarget
from .permissions import SYSTEM

BILATERAL = "KAZ–MNG CERT-to-CERT link"
MULTILATERAL = "CICA technical network"


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


@transaction.atomic
def load(*, stdout=None) -> dict[str, int]:
    if Channel.objects.filter(name=BILATERAL).exists():
        _say(stdout, "hotline demo: already loaded")
        return {}
    kaz, mng = state_for_code("KAZ"), state_for_code("MNG")
    cica = organisation_detail(acronym="CICA")
    kaz_cert, mng_cert, mng_focal = _user("kaz-cert"), _user("mng-cert"), _user("mng-focal")
    secretariat, admin = _user("secretariat"), _user("admin")
    if (
        kaz is None
        or mng is None
        or cica is None
        or not all([kaz_cert, mng_cert, mng_focal, secretariat, admin])
    ):
        _say(stdout, "hotline demo: skipped (directory or accounts demo data missing)")
        return {}
    dummy = get_connection("django.core.mail.backends.dummy.EmailBackend")
    now = timezone.now()

    def deliver(at) -> None:
        while worker.deliveries_process(batch=100, now=at, connection=dummy):
            pass

    link = services.channel_create(
        actor=admin,
        name=BILATERAL,
        scope=Scope.BILATERAL,
        state_a=kaz,
        state_b=mng,
        organisation=cica,
        arrangement="Demo bilateral CERT cooperation arrangement",
    )
    network = services.channel_create(
        actor=admin,
        name=MULTILATERAL,
        scope=Scope.MULTILATERAL,
        organisation=cica,
    )

    def send(user, when, kind, priority, subject, body, channel=link, **extra):
        message = services.message_send(
            actor=user,
            channel=channel,
            kind=kind,
            priority=priority,
            subject=subject,
            body=body,
            tlp=extra.pop("tlp", Tlp.AMBER),
            now=when,
            **extra,
        ).message
        deliver(when + timedelta(seconds=3))
        return message

    # Overdue and escalated: a flash request nobody acknowledged.
    t0 = now - timedelta(hours=3)
    send(
        kaz_cert,
        t0,
        MessageKind.REQUEST_ASSISTANCE,
        Priority.FLASH,
        "Demo: scanning from a hosting range",
        "Demo text. Please help identify the operator of the addresses listed.",
    )
    services.escalations_run(now=t0 + timedelta(minutes=16), actor=SYSTEM)
    services.escalations_run(now=t0 + timedelta(minutes=32), actor=SYSTEM)
    deliver(t0 + timedelta(minutes=33))

    # Replied: a request answered within its deadline.
    t1 = now - timedelta(hours=2)
    asked = send(
        mng_cert,
        t1,
        MessageKind.REQUEST_INFORMATION,
        Priority.URGENT,
        "Demo: certificate misuse report",
        "Demo text. Have you seen this certificate?",
        instrument="Demo CBM 3",
        tlp=Tlp.GREEN,
    )
    services.message_acknowledge(actor=kaz_cert, message=asked, now=t1 + timedelta(minutes=9))
    services.message_reply(
        actor=kaz_cert,
        message=asked,
        body="Demo text. Not seen here.",
        now=t1 + timedelta(minutes=50),
    )
    deliver(t1 + timedelta(minutes=51))

    # Acknowledged, reply outstanding.
    t2 = now - timedelta(minutes=70)
    notified = send(
        kaz_cert,
        t2,
        MessageKind.INCIDENT_NOTIFICATION,
        Priority.ROUTINE,
        "Demo: outage of a national portal",
        "Demo text. Service restored.",
    )
    services.message_acknowledge(actor=mng_focal, message=notified, now=t2 + timedelta(minutes=20))

    # Delivered only, just now.
    send(
        mng_cert,
        now - timedelta(minutes=5),
        MessageKind.REQUEST_INFORMATION,
        Priority.URGENT,
        "Demo: phishing wave",
        "Demo text. Are your users seeing the same lure?",
    )

    # Multilateral message to the organisation's members.
    send(
        kaz_cert,
        now - timedelta(minutes=40),
        MessageKind.FREE_TEXT,
        Priority.ROUTINE,
        "Demo: exercise next month",
        "Demo text. Dates for the regional exercise.",
        channel=network,
        tlp=Tlp.CLEAR,
    )

    # A finished communication check: most answered in time, some late, some never.
    start = now - timedelta(days=2)
    check = services.check_start(
        actor=secretariat,
        organisation=cica,
        channel=network,
        deadline=timedelta(hours=2),
        note="Demo quarterly check",
        now=start,
    )
    deliver(start + timedelta(seconds=5))
    targets = list(CheckTarget.objects.filter(communication_check=check).order_by("id"))
    for index, target in enumerate(targets):
        if index % 5 == 4:
            continue  # never answered
        minutes = 2 + (index * 7) % 90 if index % 5 != 3 else 150  # one in five is late
        services.check_answer(
            token=target.token, now=start + timedelta(minutes=minutes), actor=AnonymousUser()
        )
    services.checks_close_due(now=start + timedelta(hours=2, minutes=1), actor=SYSTEM)
    services.checks_close_due(now=start + timedelta(hours=3), actor=SYSTEM)
    counts = {
        "channels": 2,
        "messages": link.messages.count() + network.messages.count(),
        "check_targets": len(targets),
    }
    _say(
        stdout,
        f"hotline demo: {counts['messages']} messages, one check of "
        f"{len(targets)} points of contact",
    )
    return counts
