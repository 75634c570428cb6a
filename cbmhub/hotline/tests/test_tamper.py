"""Tampering with the stored record is detected, in the database and in an exported bundle.

Rows are changed with raw SQL (and a file on disk overwritten), as an operator with database
and server access would, bypassing the ORM and the services. ``cbmhub hotline verify`` must
fail and name the first broken entry. Issue 8, item 5: every fact the pages show or act upon is
covered by the chain or derived from it — the 26 operator edits below (13 of which went unseen
before) are each caught. Item 6: a bundle is checked against its signed head, offline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from cbmhub.hotline import chain, services
from cbmhub.hotline.models import Attachment, Event
from cbmhub.hotline.permissions import SYSTEM

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def record(settings, tmp_path, alice, anna, bob, bert, link, send):
    """Two messages A→B (the first with an attachment), delivered; the first acknowledged:
    seq 1 sent, 2 sent, 3 and 4 delivered, 5 acknowledged."""
    settings.MEDIA_ROOT = tmp_path / "media"
    upload = SimpleUploadedFile("log.txt", b"scan log\n", content_type="text/plain")
    first = send(anna, link, subject="First", attachments=[upload]).message
    send(anna, link, subject="Second")
    call_command("hotline", "worker", "--once", stdout=StringIO())
    services.message_acknowledge(actor=bert, message=first)
    assert list(Event.objects.filter(channel=link).values_list("seq", "kind")) == [
        (1, "sent"),
        (2, "sent"),
        (3, "delivered"),
        (4, "delivered"),
        (5, "acknowledged"),
    ]
    return first


def sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        assert cursor.rowcount == 1, statement


def verify(*args: str) -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("hotline", "verify", *args, stdout=out)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


def event(channel, seq: int) -> Event:
    return Event.objects.get(channel=channel, seq=seq)


def test_untouched_record_verifies(record, link):
    ok, out = verify()
    assert ok and "OK: 5 entries" in out


# --- the 26 operator edits (issue 8, item 5) -------------------------------------------------


def _payload_edit(ctx):
    sql(
        "UPDATE hotline_event SET payload = REPLACE(payload, %s, %s) WHERE id = %s",
        ['"state":"MNG"', '"state":"THA"', event(ctx["link"], 3).pk],
    )


def _payload_rehashed(ctx):
    row = event(ctx["link"], 4)
    payload = row.payload.replace('"kind":"delivered"', '"kind":"acknowledged"')
    sql(
        "UPDATE hotline_event SET payload = %s, hash = %s WHERE id = %s",
        [payload, chain.entry_hash(payload), row.pk],
    )


def _reorder(ctx):
    third, fourth = event(ctx["link"], 3), event(ctx["link"], 4)
    sql("UPDATE hotline_event SET seq = 100 WHERE id = %s", [third.pk])
    sql("UPDATE hotline_event SET seq = 3 WHERE id = %s", [fourth.pk])
    sql("UPDATE hotline_event SET seq = 4 WHERE id = %s", [third.pk])


def _message(column, value):
    def edit(ctx):
        sql(f"UPDATE hotline_message SET {column} = %s WHERE id = %s", [value(ctx), ctx["first"]])

    return edit


def _event_column(column, value, seq=4):
    def edit(ctx):
        sql(
            f"UPDATE hotline_event SET {column} = %s WHERE id = %s",
            [value(ctx), event(ctx["link"], seq).pk],
        )

    return edit


def _receipt(column, value, message="first"):
    def edit(ctx):
        sql(
            f"UPDATE hotline_receipt SET {column} = %s WHERE message_id = %s",
            [value(ctx), ctx[message]],
        )

    return edit


def _attachment_row(column, value):
    def edit(ctx):
        sql(
            f"UPDATE hotline_attachment SET {column} = %s WHERE message_id = %s",
            [value, ctx["first"]],
        )

    return edit


def _third_state_receipt(ctx):
    sql(
        "INSERT INTO hotline_receipt (message_id, state_id, escalation_level, escalation_count,"
        " escalation_unreachable) VALUES (%s, %s, %s, %s, %s)",
        [ctx["first"], ctx["state_c"].pk, "technical", 0, ""],
    )


def _party_changed(ctx):
    sql(
        "UPDATE hotline_channel SET state_b_id = %s WHERE id = %s",
        [ctx["state_c"].pk, ctx["link"].pk],
    )


def _file_replaced(ctx):
    path = Path(Attachment.objects.get(message_id=ctx["first"]).file.path)
    path.write_bytes(b"nothing to see\n")


def _delete_last(ctx):
    sql("DELETE FROM hotline_event WHERE id = %s", [event(ctx["link"], 5).pk])


def _delete_last_and_move_head(ctx):
    fourth = event(ctx["link"], 4)
    _delete_last(ctx)
    sql(
        "UPDATE hotline_channel SET last_seq = 4, last_hash = %s WHERE id = %s",
        [fourth.hash, ctx["link"].pk],
    )


NOW = timezone.now

EDITS = {
    # Caught before this change too.
    "1 event payload edited": (_payload_edit, 3, "hash does not match"),
    "2 event rewritten and rehashed": (_payload_rehashed, 4, "signature is not valid"),
    "3 event deleted in the middle": (
        lambda ctx: sql("DELETE FROM hotline_event WHERE id = %s", [event(ctx["link"], 3).pk]),
        4,
        "sequence number",
    ),
    "4 events reordered": (_reorder, 3, "sequence number"),
    "5 event row's kind changed": (
        _event_column("kind", lambda ctx: "acknowledged"),
        4,
        "event row's kind",
    ),
    "6 event row's time changed": (_event_column("at", lambda ctx: NOW()), 4, "event row's time"),
    "7 message body": (_message("body", lambda ctx: "Nothing was asked."), 1, "content differs"),
    "8 message subject": (_message("subject", lambda ctx: "Routine"), 1, "content differs"),
    "9 message language": (_message("language", lambda ctx: "ru"), 1, "content differs"),
    "10 message sending time": (_message("sent_at", lambda ctx: NOW()), 1, "sending time"),
    "11 attachment hash row": (_attachment_row("sha256", "0" * 64), 1, "content differs"),
    "12 delivered time": (_receipt("delivered_at", lambda ctx: NOW()), 3, "delivered time"),
    "13 last event deleted": (_delete_last, 5, "entries are missing after the last one"),
    # Unseen before (the list).
    "14 message priority": (_message("priority", lambda ctx: "routine"), 1, "priority differs"),
    "15 message TLP": (_message("tlp", lambda ctx: "CLEAR"), 1, "tlp differs"),
    "16 message kind": (_message("kind", lambda ctx: "free_text"), 1, "kind differs"),
    "17 message instrument": (
        _message("instrument", lambda ctx: "OSCE CBM 3"),
        1,
        "instrument differs",
    ),
    "18 message sender state": (
        _message("sender_state_id", lambda ctx: ctx["state_c"].pk),
        1,
        "sender state differs",
    ),
    "19 message sender user": (
        _message("sender_id", lambda ctx: ctx["alice"].pk),
        1,
        "the sender differs",
    ),
    "20 acknowledged_by": (
        _receipt("acknowledged_by_id", lambda ctx: ctx["bob"].pk),
        5,
        "acknowledging account",
    ),
    "21 acknowledged_at forged, no event": (
        _receipt("acknowledged_at", lambda ctx: NOW(), message="second"),
        2,
        "acknowledged time of message",
    ),
    "22 replied_at forged, no event": (
        _receipt("replied_at", lambda ctx: NOW()),
        1,
        "replied time of message",
    ),
    "23 receipt added for a third state": (
        _third_state_receipt,
        1,
        "has a receipt for THA the record never addressed",
    ),
    "24 channel party changed": (_party_changed, 1, "parties differ"),
    "25 attachment bytes replaced on disk": (
        _file_replaced,
        1,
        "file differs from its recorded SHA-256",
    ),
    "26 last event deleted, head moved back": (
        _delete_last_and_move_head,
        1,
        "acknowledged time of message",
    ),
    # More of what the pages show or act upon.
    "event row's previous hash": (
        _event_column("prev_hash", lambda ctx: "1" * 64),
        4,
        "previous hash",
    ),
    "event row's message": (
        _event_column("message_id", lambda ctx: ctx["second"], seq=1),
        1,
        "event row's message",
    ),
    "attachment name": (_attachment_row("name", "other.txt"), 1, "content differs"),
    "acknowledgement deadline": (
        _receipt("ack_due_at", lambda ctx: NOW()),
        1,
        "acknowledgement deadline",
    ),
    "escalation count": (_receipt("escalation_count", lambda ctx: 2), 1, "escalation count"),
    "reply deadline of the instrument": (
        _message("reply_deadline", lambda ctx: NOW()),
        1,
        "reply deadline differs",
    ),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_operator_edit_is_caught(record, link, alice, bob, state_c, name):
    edit, seq, reason = EDITS[name]
    second = event(link, 2).message_id
    ctx = {
        "link": link,
        "first": record.pk,
        "second": second,
        "alice": alice,
        "bob": bob,
        "state_c": state_c,
    }
    edit(ctx)
    ok, out = verify("--channel", str(link.pk))
    assert not ok, out
    assert f"BROKEN at seq {seq} " in out and reason in out, out


def test_edited_event_payload_is_named_first(record, link):
    third, fifth = event(link, 3), event(link, 5)
    for row in (fifth, third):
        sql(
            "UPDATE hotline_event SET payload = REPLACE(payload, %s, %s) WHERE id = %s",
            ['"state":"MNG"', '"state":"THA"', row.pk],
        )
    ok, out = verify("--channel", str(link.pk))
    assert not ok
    assert f"BROKEN at seq 3 (entry event id {third.pk}): hash does not match" in out


def test_clean_rollback_is_caught_by_a_head_a_party_kept(record, link, tmp_path):
    """The last entry and everything it described removed, the head moved back: the database
    alone tells a shorter history; the head a party kept (its exported bundle) does not fit."""
    kept = tmp_path / "kept.json"
    call_command("hotline", "export", "--channel", str(link.pk), "-o", str(kept), stdout=StringIO())
    assert verify("--head", str(kept))[0]
    _delete_last_and_move_head({"link": link})
    sql(
        "UPDATE hotline_receipt SET acknowledged_at = NULL, acknowledged_by_id = NULL "
        "WHERE message_id = %s AND acknowledged_at IS NOT NULL",
        [record.pk],
    )
    ok, out = verify("--channel", str(link.pk))
    assert ok, "without an anchor, a clean rollback reads as a shorter history"
    ok, out = verify("--channel", str(link.pk), "--head", str(kept))
    assert not ok
    assert "BROKEN at seq 5 (entry kept head): the record was cut or rewritten" in out


def test_kept_head_that_is_malformed_is_one_line_status_2(record, link, tmp_path):
    kept = tmp_path / "kept.json"
    kept.write_text('{"head": 5}')
    with pytest.raises(CommandError) as raised:
        call_command("hotline", "verify", "--head", str(kept), stdout=StringIO())
    assert raised.value.returncode == 2 and str(raised.value).startswith("MALFORMED: ")


# --- exported bundles (issue 8, item 6) -----------------------------------------------------


@pytest.fixture
def bundle(record, link, tmp_path):
    path, key = tmp_path / "record.json", tmp_path / "platform.pem"
    call_command("hotline", "export", "--channel", str(link.pk), "-o", str(path), stdout=StringIO())
    key_out = StringIO()
    call_command("hotline", "public-key", stdout=key_out)
    key.write_text(key_out.getvalue())
    return path, key


def offline(path: Path, key: Path) -> subprocess.CompletedProcess:
    """``python -m cbmhub.hotline.chain``: no Django settings, no database."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-m", "cbmhub.hotline.chain", str(path), str(key)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def rewrite(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_exported_bundle_verifies_offline(bundle):
    path, key = bundle
    done = offline(path, key)
    assert done.returncode == 0 and "OK: 5 entries" in done.stdout
    ok, out = verify("--bundle", str(path), "--public-key", str(key))
    assert ok and "OK: 5 entries" in out


def test_edited_bundle_fails_offline(bundle):
    path, key = bundle
    rewrite(
        path,
        lambda d: d["entries"][2].update(
            payload=d["entries"][2]["payload"].replace(
                '"kind":"delivered"', '"kind":"acknowledged"'
            )
        ),
    )
    done = offline(path, key)
    assert done.returncode == 1
    assert "BROKEN at seq 3 (entry #2): hash does not match" in done.stdout
    ok, out = verify("--bundle", str(path), "--public-key", str(key))
    assert not ok and "BROKEN at seq 3" in out


def test_bundle_with_a_dropped_entry_fails(bundle):
    path, key = bundle
    rewrite(path, lambda d: d["entries"].pop(1))
    done = offline(path, key)
    assert done.returncode == 1 and "BROKEN at seq 3 (entry #1)" in done.stdout


@pytest.mark.parametrize("keep", [4, 2, 0])
def test_bundle_cut_short_fails(bundle, keep):
    """Dropping the last entries, or all of them, breaks no link: the signed head tells."""
    path, key = bundle
    rewrite(path, lambda d: d["entries"].__delitem__(slice(keep, None)))
    done = offline(path, key)
    assert done.returncode == 1
    assert f"entries {keep + 1} to 5 are missing: the signed head ends at seq 5" in done.stdout
    assert not verify("--bundle", str(path), "--public-key", str(key))[0]


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["channel"].update(name="Another channel"),
        lambda d: d["channel"].update(states=["KAZ", "THA"]),
        lambda d: d["head"]["channel"].update(states=["KAZ", "THA"]),
        lambda d: d.update(head_signature=d["entries"][0]["signature"]),
    ],
)
def test_bundle_header_edit_fails(bundle, change):
    path, key = bundle
    rewrite(path, change)
    done = offline(path, key)
    assert done.returncode == 1 and "BROKEN" in done.stdout


@pytest.mark.parametrize(
    "content",
    ["", "{", "[]", '{"format": "cbmhub-hotline-record/2"}', '{"format": 1, "entries": 5}'],
)
def test_malformed_bundle_is_one_line_status_2(bundle, content):
    path, key = bundle
    path.write_text(content)
    done = offline(path, key)
    assert done.returncode == 2 and not done.stderr
    assert done.stdout.startswith("MALFORMED: ") and done.stdout.count("\n") == 1
    with pytest.raises(CommandError) as raised:
        call_command(
            "hotline", "verify", "--bundle", str(path), "--public-key", str(key), stdout=StringIO()
        )
    assert raised.value.returncode == 2 and "\n" not in str(raised.value)


# --- escalations, and records written before format 2 -------------------------------------------


def test_escalated_receipt_verifies_and_its_level_is_covered(anna, bert, link, send):
    from datetime import timedelta

    message = send(anna, link, priority="flash").message
    assert services.escalations_run(now=message.sent_at + timedelta(minutes=16), actor=SYSTEM) == 1
    assert verify("--channel", str(link.pk))[0]
    # Whatever level the escalation reached (it falls back to the highest level that has a
    # point of contact), an operator's edit to another level must be caught.
    reached = message.receipts.get().escalation_level
    forged = "high_level" if reached != "high_level" else "diplomatic"
    sql(
        "UPDATE hotline_receipt SET escalation_level = %s WHERE message_id = %s",
        [forged, message.pk],
    )
    ok, out = verify("--channel", str(link.pk))
    assert not ok and "BROKEN at seq 2 " in out and "escalation level" in out


@pytest.fixture
def format_1(anna, bert, link, state_a, state_b):
    """A message recorded as before format 2: no salt, the plain content hash and account
    names in the clear on the record."""
    from django.db import transaction

    from cbmhub.hotline.models import Message, Receipt
    from cbmhub.hotline.services.events import NewEvent, events_append

    now = timezone.now()
    plain = services.message_content_sha256(
        subject="Old", body="Sent last year.", language="en", attachment_hashes=[]
    )
    with transaction.atomic():
        message = Message.objects.create(
            channel=link,
            sender_state=state_a,
            sender=anna,
            kind="free_text",
            priority="routine",
            subject="Old",
            body="Sent last year.",
            sent_at=now,
            content_sha256=plain,
        )
        receipt = Receipt.objects.create(
            message=message, state=state_b, escalation_level="technical", acknowledged_at=now,
            acknowledged_by=bert,
        )  # fmt: skip
        events_append(
            channel_id=link.pk,
            entries=[
                NewEvent(
                    "sent",
                    now,
                    {
                        "message": message.pk,
                        "kind": "free_text",
                        "priority": "routine",
                        "tlp": "AMBER",
                        "instrument": "",
                        "sender_state": "KAZ",
                        "sender": "anna",
                        "in_reply_to": None,
                        "content_sha256": plain,
                        "recipients": {"MNG": {"ack_due": None, "reply_due": None}},
                    },
                    message=message,
                ),  # fmt: skip
                NewEvent(
                    "acknowledged",
                    now,
                    {"message": message.pk, "state": "MNG", "by": "bert"},
                    message=message,
                    receipt=receipt,
                ),
            ],
        )
    return message


def test_format_1_record_still_verifies(format_1, link):
    ok, out = verify("--channel", str(link.pk))
    assert ok and "OK: 2 entries" in out


@pytest.mark.parametrize(
    "statement, reason",
    [
        ("UPDATE hotline_message SET body = 'Edited.' WHERE id = %s", "content differs"),
        ("UPDATE hotline_message SET sender_id = NULL WHERE id = %s", "the sender differs"),
        (
            "UPDATE hotline_receipt SET acknowledged_by_id = NULL WHERE message_id = %s",
            "acknowledging account",
        ),
    ],
)
def test_format_1_record_edits_are_caught(format_1, link, statement, reason):
    sql(statement, [format_1.pk])
    ok, out = verify("--channel", str(link.pk))
    assert not ok and reason in out


# --- a head fetched from the API, kept by a party ----------------------------------------------


def test_head_from_the_api_anchors_the_record(api_for, bert, carol, record, link, tmp_path):
    response = api_for(bert).get(f"/api/v1/hotline/channels/{link.pk}/head/")
    assert response.status_code == 200 and response.json()["head"]["seq"] == 5
    kept = tmp_path / "head.json"
    kept.write_text(response.content.decode())
    assert verify("--head", str(kept))[0]
    _delete_last_and_move_head({"link": link})
    sql(
        "UPDATE hotline_receipt SET acknowledged_at = NULL, acknowledged_by_id = NULL "
        "WHERE message_id = %s AND acknowledged_at IS NOT NULL",
        [record.pk],
    )
    ok, out = verify("--head", str(kept))
    assert not ok and "the record was cut or rewritten" in out


def test_head_of_a_bilateral_channel_is_refused_to_a_third_state(api_for, carol, olga, link):
    for user in (carol, olga):
        assert api_for(user).get(f"/api/v1/hotline/channels/{link.pk}/head/").status_code == 404
    assert api_for().get(f"/api/v1/hotline/channels/{link.pk}/head/").status_code in (401, 403)


# --- communication checks ----------------------------------------------------------------------


@pytest.fixture
def check(sam, cica, anna, bert, carol, network):
    """A CICA check answered by anna and bert, then closed."""
    from datetime import timedelta

    t0 = timezone.now() - timedelta(hours=3)
    check = services.check_start(actor=sam, organisation=cica, now=t0, channel=network)
    for user in (anna, bert):
        services.check_answer(actor=user, communication_check=check, now=t0 + timedelta(minutes=5))
    assert services.checks_close_due(now=t0 + timedelta(hours=2), actor=SYSTEM) == 1
    return check


def _target(check, user):
    return check.targets.get(point_of_contact__user=user).pk


CHECK_EDITS = {
    "answer forged, no event": (
        "UPDATE hotline_checktarget SET answered_at = %s WHERE id = %s",
        lambda c, u: [timezone.now(), _target(c, u["carol"])],
        "the answer of point of contact",
    ),
    "answer time moved": (
        "UPDATE hotline_checktarget SET answered_at = %s WHERE id = %s",
        lambda c, u: [timezone.now(), _target(c, u["anna"])],
        "the answer of point of contact",
    ),
    "target's level changed": (
        "UPDATE hotline_checktarget SET level = %s WHERE id = %s",
        lambda c, u: ["high_level", _target(c, u["bert"])],
        "targets differ",
    ),
    "deadline moved": (
        "UPDATE hotline_communicationcheck SET deadline = %s WHERE id = %s",
        lambda c, u: [timezone.now(), c.pk],
        "start, deadline or starter differs",
    ),
    "closing time moved": (
        "UPDATE hotline_communicationcheck SET closed_at = %s WHERE id = %s",
        lambda c, u: [timezone.now(), c.pk],
        "closing time differs",
    ),
}


@pytest.mark.parametrize("name", list(CHECK_EDITS))
def test_check_edits_are_caught(check, network, anna, bert, carol, name):
    assert verify("--channel", str(network.pk))[0]
    statement, params, reason = CHECK_EDITS[name]
    sql(statement, params(check, {"anna": anna, "bert": bert, "carol": carol}))
    ok, out = verify("--channel", str(network.pk))
    assert not ok and reason in out, out
