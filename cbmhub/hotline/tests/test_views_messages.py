"""The inbox and message pages: who sees what, acknowledgement, reply, attachments."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cbmhub.conftest import make_user
from cbmhub.directory.models import Organisation
from cbmhub.hotline import services
from cbmhub.hotline.choices import Priority
from cbmhub.hotline.models import Message, Receipt

BODY = "Traffic from 203.0.113.7 keeps probing port 443."


@pytest.fixture
def bilateral(world, link, send, anna):
    return send(anna, link, subject="Probe from your network", body=BODY).message


def _detail(pk: int) -> str:
    return reverse("hotline:message_detail", args=[pk])


# --- inbox ------------------------------------------------------------------------------------


def test_inbox_lists_received_message_with_countdown_and_polls(client_for, bert, bilateral):
    response = client_for(bert).get(reverse("hotline:inbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Probe from your network" in html
    assert 'hx-trigger="every 10s"' in html
    assert 'data-testid="countdown"' in html and "due in" in html
    assert "1 message waits for your acknowledgement" in html


def test_inbox_partial_for_htmx_polling(client_for, bert, bilateral):
    response = client_for(bert).get(reverse("hotline:inbox"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Probe from your network" in html
    assert "<html" not in html and "every 10s" not in html


def test_inbox_sorts_by_urgency(client_for, link, send, anna, bert):
    now = timezone.now()
    routine = send(anna, link, priority=Priority.ROUTINE, subject="Routine one").message
    flash = send(anna, link, priority=Priority.FLASH, subject="Flash one").message
    overdue = send(
        anna, link, priority=Priority.ROUTINE, subject="Old one", now=now - timedelta(days=3)
    ).message
    services.message_acknowledge(actor=bert, message=routine)  # still owes a reply
    outgoing = send(bert, link, subject="From B").message
    html = client_for(bert).get(reverse("hotline:inbox")).content.decode()
    order = [html.index(f'data-message="{m.pk}"') for m in (overdue, flash, routine, outgoing)]
    assert order == sorted(order)
    assert "overdue by" in html


def test_inbox_of_third_state_and_outsider_is_empty(client_for, world, bilateral):
    for who in ("carol", "olga"):
        html = client_for(world[who]).get(reverse("hotline:inbox")).content.decode()
        assert (
            "Probe from your network" not in html and f'data-message="{bilateral.pk}"' not in html
        )


def test_inbox_shows_secretariat_the_message_without_its_subject(client_for, sam, bilateral):
    html = client_for(sam).get(reverse("hotline:inbox")).content.decode()
    assert f'data-message="{bilateral.pk}"' in html
    assert "Probe from your network" not in html and "content withheld" in html


@pytest.mark.parametrize(("who", "offered"), [("anna", True), ("sam", False), ("olga", False)])
def test_compose_is_in_the_menu_only_for_those_who_may_send(client_for, world, link, who, offered):
    for url in (reverse("hotline:inbox"), reverse("hotline:channel_list")):
        html = client_for(world[who]).get(url).content.decode()
        assert (f'href="{reverse("hotline:compose")}"' in html) is offered


def test_inbox_marks_the_current_page_and_folder(client_for, anna, link):
    client = client_for(anna)
    client.cookies["django_language"] = "ru"
    html = client.get(reverse("hotline:inbox") + "?box=out").content.decode()
    assert f'<a href="{reverse("hotline:inbox")}" aria-current="page">' in html
    assert '<a href="?box=out" aria-current="page">Отправленные</a>' in html


def _inbox(client, box: str = "all") -> tuple[str, str]:
    """The inbox page and the text of its empty state ("" when the list has rows)."""
    html = client.get(reverse("hotline:inbox") + f"?box={box}").content.decode()
    empty = re.search(r'<p class="muted" data-testid="inbox-empty">(.*?)</p>', html, re.S)
    return html, (" ".join(empty[1].split()) if empty else "")


def test_observer_inbox_says_observers_take_part_in_no_channel(client_for, olga, bilateral):
    html, empty = _inbox(client_for(olga))
    assert "Observers take part in no hotline channel" in empty
    # Nothing to acknowledge ever, nothing received or sent: no counter, no folders.
    assert 'data-testid="unacknowledged"' not in html and "acknowledgement" not in html
    assert "?box=in" not in html and 'data-testid="inbox-scope"' not in html


@pytest.mark.parametrize(
    ("who", "scope", "empty_text"),
    [
        ("sam", "bilateral messages as metadata only", "No messages on your organisation's"),
        ("root", "every channel as metadata only", "No messages on any channel yet."),
    ],
)
def test_secretariat_and_operator_are_told_what_they_see_and_never_asked_to_acknowledge(
    client_for, world, link, send, anna, who, scope, empty_text
):
    client = client_for(world[who])
    html, empty = _inbox(client)
    assert scope in html and empty_text in empty
    assert 'data-testid="unacknowledged"' not in html and "?box=in" not in html
    message = send(anna, link).message
    html, empty = _inbox(client)
    assert f'data-message="{message.pk}"' in html and not empty
    assert scope in html and 'data-testid="unacknowledged"' not in html


def test_state_inbox_without_messages_says_how_to_send_one(client_for, bert, link):
    html, empty = _inbox(client_for(bert))
    assert "0 messages wait for your acknowledgement" in html and "?box=in" in html
    compose = reverse("hotline:compose")
    assert empty == f'No messages yet. To send one, choose <a href="{compose}">New message</a>.'
    assert _inbox(client_for(bert), "in")[1].startswith("Your state has received no messages yet.")
    assert _inbox(client_for(bert), "out")[1].startswith("Your state has sent no messages yet.")


def test_state_inbox_without_a_channel_says_it_cannot_send(client_for, carol, link):
    html, empty = _inbox(client_for(carol))
    assert empty == (
        "No messages yet. Your state takes part in no active channel yet, so you cannot send one."
    )
    assert f'href="{reverse("hotline:compose")}"' not in html


def test_inbox_needs_login(client):
    response = client.get(reverse("hotline:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_inbox_query_count_is_flat(
    client_for, link, send, anna, bert, django_assert_max_num_queries
):
    for index in range(3):
        send(anna, link, subject=f"m{index}")
    client = client_for(bert)
    client.get(reverse("hotline:inbox"))
    for index in range(3, 12):
        send(anna, link, subject=f"m{index}")
    # 15: bert has no time zone of his own; the middleware reads his point of contact's.
    with django_assert_max_num_queries(15):
        assert client.get(reverse("hotline:inbox")).status_code == 200


def test_inbox_names_the_sender_state_in_the_readers_language(client_for, bert, bilateral):
    html = client_for(bert).get(reverse("hotline:inbox"), HTTP_ACCEPT_LANGUAGE="ru")
    assert '<abbr title="Казахстан">KAZ</abbr>' in html.content.decode()
    english = client_for(bert).get(reverse("hotline:inbox")).content.decode()
    assert '<abbr title="Kazakhstan">KAZ</abbr>' in english


def test_message_page_names_states_in_the_readers_language(client_for, bert, bilateral):
    html = client_for(bert).get(_detail(bilateral.pk), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'data-testid="sender-state">Казахстан</a>' in html
    assert ">Монголия</a>" in html  # the receipt of state B


# --- one message --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "anna", "bob", "bert"])
def test_parties_read_the_message_and_its_timeline(client_for, world, bilateral, who):
    html = client_for(world[who]).get(_detail(bilateral.pk)).content.decode()
    assert BODY in html and "Probe from your network" in html
    assert 'data-kind="sent"' in html and " UTC" in html


@pytest.mark.parametrize("who", ["carol", "olga"])
def test_third_state_and_outsider_get_404(client_for, world, bilateral, who):
    assert client_for(world[who]).get(_detail(bilateral.pk)).status_code == 404


def test_other_organisations_secretariat_gets_404(client_for, bilateral):
    osce = Organisation.objects.create(acronym="OSCE", name="OSCE", kind="regional")
    other = make_user("otto", role="secretariat", organisation=osce)
    assert client_for(other).get(_detail(bilateral.pk)).status_code == 404


@pytest.mark.parametrize("who", ["sam", "root"])
def test_secretariat_and_operator_never_read_a_bilateral_body(client_for, world, bilateral, who):
    response = client_for(world[who]).get(_detail(bilateral.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert BODY not in html and "Probe from your network" not in html
    assert 'data-testid="content-withheld"' in html
    assert 'data-kind="sent"' in html  # the record (hashes and times) is theirs to see


def test_secretariat_reads_multilateral_messages_of_its_organisation(
    client_for, sam, network, send, anna
):
    message = send(anna, network, body="To all members.").message
    assert "To all members." in client_for(sam).get(_detail(message.pk)).content.decode()


def test_times_are_shown_in_utc_and_the_viewers_time_zone(client_for, bert, bilateral):
    bert.time_zone = "Asia/Ulaanbaatar"
    bert.save()
    html = client_for(bert).get(_detail(bilateral.pk)).content.decode()
    sent = bilateral.sent_at
    assert f"{sent:%Y-%m-%d %H:%M:%S} UTC" in html
    local = sent.astimezone(timezone.get_fixed_timezone(8 * 60))
    assert f"{local:%Y-%m-%d %H:%M} Asia/Ulaanbaatar" in html


def test_garbage_id_is_404(client_for, bert):
    assert client_for(bert).get("/hotline/messages/999999/").status_code == 404


# --- acknowledge ----------------------------------------------------------------------------------


def _ack(pk: int) -> str:
    return reverse("hotline:message_acknowledge", args=[pk])


def test_recipient_acknowledges(
    client_for, bert, bilateral, announced, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(bert).post(_ack(bilateral.pk))
    assert response.status_code == 302 and response["Location"] == _detail(bilateral.pk)
    receipt = Receipt.objects.get(message=bilateral)
    assert receipt.acknowledged_by == bert and receipt.next_escalation_at is None
    assert announced == ["acknowledged"]  # the live inbox's push, sent after commit
    html = client_for(bert).get(_detail(bilateral.pk)).content.decode()
    assert 'data-kind="acknowledged"' in html and 'data-testid="acknowledge"' not in html


def test_acknowledge_with_htmx_returns_the_receipts(client_for, bert, bilateral):
    response = client_for(bert).post(_ack(bilateral.pk), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="receipts"' in html and "<html" not in html
    assert "acknowledged" in html


@pytest.mark.parametrize("who,status", [("carol", 404), ("olga", 404), ("sam", 403), ("anna", 403)])
def test_acknowledge_refused(client_for, world, bilateral, who, status):
    assert client_for(world[who]).post(_ack(bilateral.pk)).status_code == status
    assert not Receipt.objects.filter(acknowledged_at__isnull=False).exists()


def test_acknowledge_needs_post(client_for, bert, bilateral):
    assert client_for(bert).get(_ack(bilateral.pk)).status_code == 405


# --- reply ----------------------------------------------------------------------------------------


def _reply(pk: int) -> str:
    return reverse("hotline:message_reply", args=[pk])


def test_recipient_replies_once_even_when_the_form_is_sent_twice(client_for, bert, bilateral):
    client = client_for(bert)
    form = {"body": "We blocked it.", "idempotency_key": "form-1"}
    first = client.post(_reply(bilateral.pk), form)
    second = client.post(_reply(bilateral.pk), form)
    reply = Message.objects.get(in_reply_to=bilateral)
    assert first["Location"] == second["Location"] == _detail(reply.pk)
    assert reply.subject == "Re: Probe from your network"
    assert Receipt.objects.get(message=bilateral).replied_at is not None


def test_empty_reply_is_refused_with_the_field_named(client_for, bert, bilateral):
    response = client_for(bert).post(_reply(bilateral.pk), {"body": " "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Message.objects.filter(in_reply_to=bilateral).exists()


def test_reply_form_has_one_visible_heading_and_a_label_for_screen_readers(
    client_for, bert, bilateral
):
    html = client_for(bert).get(_detail(bilateral.pk)).content.decode()
    form = html[html.index("<h2>Reply</h2>") :]
    assert '<label for="id_body" class="visually-hidden">Reply</label>' in form
    assert '<label for="id_attachments">Attachments</label>' in form


@pytest.mark.parametrize("who,status", [("carol", 404), ("olga", 404), ("sam", 403), ("anna", 403)])
def test_reply_refused(client_for, world, bilateral, who, status):
    response = client_for(world[who]).post(_reply(bilateral.pk), {"body": "x"})
    assert response.status_code == status
    assert not Message.objects.filter(in_reply_to=bilateral).exists()


# --- attachments ----------------------------------------------------------------------------------


@pytest.fixture
def with_file(link, send, anna, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    upload = SimpleUploadedFile("log.txt", b"evidence", content_type="text/plain")
    return send(anna, link, attachments=[upload]).message


def test_parties_download_attachments(client_for, bert, with_file):
    attachment = with_file.attachments.get()
    url = reverse("hotline:attachment_download", args=[with_file.pk, attachment.pk])
    response = client_for(bert).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"evidence"


@pytest.mark.parametrize("name", ['notes\nday 2 "final".txt', 'отчёт "итог".txt'])
def test_attachment_names_give_a_valid_header(
    client_for, link, send, anna, bert, settings, tmp_path, name
):
    # Named through core/http.py's one builder (issue 8, item 13): a line break in the name
    # made the download answer 500; the header is RFC 6266 with the exact name in filename*.
    settings.MEDIA_ROOT = tmp_path / "media"
    upload = SimpleUploadedFile(name, b"evidence", content_type="text/plain")
    message = send(anna, link, attachments=[upload]).message
    attachment = message.attachments.get()
    url = reverse("hotline:attachment_download", args=[message.pk, attachment.pk])
    response = client_for(bert).get(url)
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header.isascii() and header.isprintable() and header.startswith("attachment;")
    encoded = re.findall(r"filename\*=UTF-8''([^;\s\"]+)", header)
    assert len(encoded) == 1
    assert unquote(encoded[0]) == " ".join(attachment.name.split())


@pytest.mark.parametrize("who,status", [("carol", 404), ("olga", 404), ("sam", 403), ("root", 403)])
def test_attachment_refused(client_for, world, with_file, who, status):
    attachment = with_file.attachments.get()
    url = reverse("hotline:attachment_download", args=[with_file.pk, attachment.pk])
    assert client_for(world[who]).get(url).status_code == status
