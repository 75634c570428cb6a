"""Fan-out phases of bench/hotline.py: one flash message on a multilateral channel to every
point of contact of an organisation (50, 200, 1,000 of them), and a communication check of
1,000 points of contact, with the hotline workers of the bench running.

The world (made once, kept in the bench database): 200 states (user-assigned codes QMA…),
each with ``POCS_PER_STATE`` technical points of contact with an e-mail address; organisations
HLFAN50, HLFAN200 and HLFAN1000 of state XXA (the bench's sender) and the first 10, 40 and
200 of them; a secretariat officer of HLFAN1000 who starts the checks.

A recipient point of contact "has" the message when both its state's in-app inbox row and its
own e-mail row are sent (``Delivery.sent_at``; the dummy e-mail backend, so the SMTP server is
not what is measured); its latency is that time minus ``Message.sent_at`` (for a check: its
e-mail row minus ``CommunicationCheck.started_at``). Each size is sent ``repeats`` times, one
after the other; p50/p99 are over every recipient of every repeat, "all" is the median over
the repeats of the time until the last recipient has it.
"""

from __future__ import annotations

import itertools
import statistics
import string
import time

POCS_PER_STATE = 5
SIZES = (50, 200, 1000)
CHECK_SIZE = 1000


def world(a):
    """The organisations by size and the secretariat officer of the largest (see above)."""
    from cbmhub.accounts.models import User
    from cbmhub.directory.models import Membership, Organisation

    states = _states(max(SIZES) // POCS_PER_STATE)
    orgs = {}
    for size in SIZES:
        org, _ = Organisation.objects.get_or_create(
            acronym=f"HLFAN{size}", defaults={"name": f"Fan-out {size}", "kind": "regional"}
        )
        for state in [a, *states[: size // POCS_PER_STATE]]:
            Membership.objects.get_or_create(state=state, organisation=org, status="member")
        orgs[size] = org
    officer, _ = User.objects.get_or_create(
        username="bench-secretariat",
        defaults={"role": "secretariat", "organisation": orgs[CHECK_SIZE]},
    )
    return orgs, officer


def _states(count: int) -> list:
    """`count` bench states with their points of contact, made once."""
    from cbmhub.directory.models import ContactChannel, PointOfContact, State

    codes3 = ["Q" + a + b for a, b in itertools.product("MNOPQRSTUVWXYZ", string.ascii_uppercase)]
    wanted = codes3[:count]
    existing = {s.iso3: s for s in State.objects.filter(iso3__in=wanted)}
    taken = set(State.objects.values_list("iso2", flat=True))
    free2 = (
        "".join(p)
        for p in itertools.product(string.ascii_uppercase, repeat=2)
        if "".join(p) not in taken
    )
    new = [
        State(name=f"Fan-out {code}", iso3=code, iso2=next(free2))
        for code in wanted
        if code not in existing
    ]
    for state in State.objects.bulk_create(new):
        existing[state.iso3] = state
        pocs = PointOfContact.objects.bulk_create(
            [
                PointOfContact(state=state, level="technical", office=f"CERT {n}", time_zone="UTC")
                for n in range(POCS_PER_STATE)
            ]
        )
        ContactChannel.objects.bulk_create(
            [
                ContactChannel(
                    point_of_contact=poc,
                    kind="email",
                    is_primary=True,
                    value=f"cert{n}@{state.iso3.lower()}.bench.invalid",
                )
                for n, poc in enumerate(pocs)
            ]
        )
    return [existing[code] for code in wanted]


def _wait_sent(rows, limit: float = 300) -> None:
    from cbmhub.hotline.choices import DeliveryStatus

    end = time.monotonic() + limit
    while rows.exclude(status=DeliveryStatus.SENT).exists():
        if time.monotonic() > end:
            raise SystemExit(f"fan-out not delivered within {limit:.0f} s")
        time.sleep(0.02)


def message_once(org, sender) -> list[float]:
    """One flash message to every point of contact of `org`: each one's latency (seconds)."""
    from cbmhub.hotline import services
    from cbmhub.hotline.models import Channel, Delivery

    channel = Channel.objects.create(
        name=f"fan-out {org.acronym} {time.strftime('%H:%M:%S')}",
        scope="multilateral",
        level="technical",
        organisation=org,
        escalation_max_count=0,
    )
    message = services.message_send(
        actor=sender,
        channel=channel,
        kind="incident_notification",
        priority="flash",
        subject="Flash: indicators of an ongoing incident",
        body="Indicators and timeline of a benchmark incident.",
        tlp="AMBER",
    ).message
    rows = Delivery.objects.filter(message=message)
    _wait_sent(rows)
    inbox = dict(rows.filter(kind="inbox").values_list("receipt__state_id", "sent_at"))
    return [
        (max(sent, inbox[state_id]) - message.sent_at).total_seconds()
        for state_id, sent in rows.filter(kind="email").values_list("receipt__state_id", "sent_at")
    ]


def check_once(org, officer) -> list[float]:
    """One communication check of every point of contact of `org`: each one's latency."""
    from datetime import timedelta

    from cbmhub.hotline import services
    from cbmhub.hotline.models import Delivery

    check = services.check_start(
        actor=officer, organisation=org, deadline=timedelta(minutes=10), note="bench"
    )
    rows = Delivery.objects.filter(check_target__communication_check=check)
    _wait_sent(rows)
    return [
        (sent - check.started_at).total_seconds() for sent in rows.values_list("sent_at", flat=True)
    ]


def summary(runs: list[list[float]], percentile) -> dict:
    pooled = sorted(x for run in runs for x in run)
    return {
        "recipients": len(runs[0]) if runs else 0,
        "p50": percentile(pooled, 50),
        "p99": percentile(pooled, 99),
        "all": statistics.median(max(run) for run in runs),
    }


def run(a, sender, repeats: int, percentile) -> dict:
    """Every size `repeats` times, then the check; {label: summary}."""
    orgs, officer = world(a)
    message_once(orgs[SIZES[0]], sender)  # warm-up: first use of this world by the workers
    results = {}
    for size in SIZES:
        runs = [message_once(orgs[size], sender) for _ in range(repeats)]
        results[f"flash message to {size}"] = summary(runs, percentile)
    runs = [check_once(orgs[CHECK_SIZE], officer) for _ in range(repeats)]
    results[f"communication check of {CHECK_SIZE}"] = summary(runs, percentile)
    return results
