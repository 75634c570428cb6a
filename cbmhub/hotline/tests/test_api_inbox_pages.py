"""The paginated inbox API reaches every message the reader may see (issue 8, item 16).

Before, the inbox was cut to everything owed plus the 100 newest of the rest, then paginated:
``count`` said 100, older readable messages never appeared and ``offset=100`` was empty.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cbmhub.hotline import selectors, services
from cbmhub.hotline.models import Message

URL = "/api/v1/hotline/messages/"
PRIORITIES = ["routine", "urgent", "flash"]
TOTAL = 150


@pytest.fixture
def busy(anna, bert, link, network, send):
    """150 messages on two channels, sent a minute apart: A→B requests (some acknowledged by B,
    some answered), B→A notifications, multilateral free text; all three priorities."""
    start = timezone.now() - timedelta(days=30)
    for i in range(TOTAL):
        sender, channel, kind = [
            (anna, link, "request_information"),
            (bert, link, "incident_notification"),
            (anna, network, "free_text"),
        ][i % 3]
        message = services.message_send(
            actor=sender,
            channel=channel,
            kind=kind,
            priority=PRIORITIES[i % 3 if i % 7 else 0],
            subject=f"Message {i}",
            body="Body.",
            now=start + timedelta(minutes=i),
        ).message
        if i % 5 == 0 and sender == anna and channel == link:
            services.message_acknowledge(actor=bert, message=message, now=message.sent_at)
        if i % 4 == 0 and sender == anna and channel == link:
            services.message_reply(actor=bert, message=message, body="Done.", now=message.sent_at)


def _reference_order(user):
    """The inbox order as the pages computed it in Python before (the urgency key)."""
    rank = {"flash": 0, "urgent": 1, "routine": 2}
    items = selectors.inbox_items(user, selectors.message_list(user))

    def urgency(item):
        group = 0 if item.action else (1 if item.due_at else 2)
        due = item.due_at.timestamp() if item.due_at else 0.0
        return (group, due, rank[item.message.priority] if group < 2 else 0,
                -item.message.sent_at.timestamp(), -item.message.pk)  # fmt: skip

    return [item.message.pk for item in sorted(items, key=urgency)]


@pytest.mark.parametrize("reader", ["bert", "anna", "sam"])
def test_pages_reach_every_readable_message_once_in_order(
    api_for, request, busy, bert, anna, sam, reader
):
    user = request.getfixturevalue(reader)
    visible = list(selectors.visible_messages(user).values_list("pk", flat=True))
    assert len(visible) > 100
    api, seen, offset = api_for(user), [], 0
    while True:
        page = api.get(URL, {"limit": 40, "offset": offset}).json()
        assert page["count"] == len(visible)
        if not page["results"]:
            break
        seen += [row["message"]["id"] for row in page["results"]]
        offset += 40
    assert len(seen) == len(set(seen)) == len(visible)
    assert set(seen) == set(visible)
    assert seen == _reference_order(user)
    assert api.get(URL, {"offset": 100}).json()["results"]


def test_a_third_state_pages_through_nothing_of_a_bilateral_link(api_for, busy, carol):
    page = api_for(carol).get(URL, {"limit": 500}).json()
    ids = {row["message"]["id"] for row in page["results"]}
    assert (
        page["count"] == len(ids) == Message.objects.filter(channel__scope="multilateral").count()
    )


def test_limit_is_capped(api_for, busy, bert, monkeypatch):
    from cbmhub.hotline import api

    monkeypatch.setattr(api.InboxPagination, "max_limit", 50)
    page = api_for(bert).get(URL, {"limit": 50}).json()
    assert page["count"] > 50 and len(page["results"]) == 50
    refused = api_for(bert).get(URL, {"limit": 10_000})
    assert refused.status_code == 400 and refused.json()["error"]["details"][0]["field"] == "limit"
