"""What the record shows to those who may not read a message (issue 8, items 10 and 15).

Item 10: the unsalted ``content_sha256`` let the secretariat recover the subject and body of a
withheld TLP:RED message by hashing guesses. Now the record and every page, API answer and export
a withheld reader gets carry only a commitment keyed with a salt they never see. Item 15: the
record named the sending (and acknowledging) account, which the API withholds from the same
reader.
"""

from __future__ import annotations

import itertools
import json

import pytest

from cbmhub.hotline import chain, services
from cbmhub.hotline.models import Message

URL = "/api/v1/hotline/"
SUBJECTS = ["Scanning", "Intrusion", "Outage", "Phishing", "DDoS", "Malware"]
BODIES = ["Please look into it.", "Please confirm.", "Urgent.", "For information.", "Stop it.",
          "We see traffic from your network.", "Please advise.", "Investigating.", "Resolved.",
          "Please call."]  # fmt: skip


@pytest.fixture
def secret(anna, bert, link, send):
    """A TLP:RED request A→B, acknowledged by bert: its subject and body are among the 60
    guesses the secretariat would try."""
    message = send(anna, link, subject="Intrusion", body="Please advise.", tlp="RED").message
    services.message_acknowledge(actor=bert, message=message)
    return message


def _unsalted(subject: str, body: str) -> str:
    return services.message_content_sha256(
        subject=subject, body=body, language="en", attachment_hashes=[]
    )


def _what_they_see(client_for, api_for, user, message) -> str:
    """Everything a user gets about the message: API read and inbox, the page, the bundle."""
    api = api_for(user)
    parts = [
        api.get(f"{URL}messages/{message.pk}/").content.decode(),
        api.get(f"{URL}messages/").content.decode(),
    ]
    client = client_for(user)
    parts.append(client.get(f"/hotline/messages/{message.pk}/").content.decode())
    parts.append(client.get(f"/hotline/channels/{message.channel_id}/record.json").content.decode())
    return "\n".join(parts)


@pytest.mark.parametrize("reader", ["sam", "root"])
def test_withheld_reader_cannot_test_guesses_of_the_content(
    client_for, api_for, request, secret, sam, root, reader
):
    seen = _what_they_see(client_for, api_for, request.getfixturevalue(reader), secret)
    guesses = [_unsalted(s, b) for s, b in itertools.product(SUBJECTS, BODIES)]
    assert len(guesses) == 60 and _unsalted("Intrusion", "Please advise.") in guesses
    assert not [g for g in guesses if g in seen]
    assert secret.content_salt and secret.content_salt not in seen
    detail = api_for(request.getfixturevalue(reader)).get(f"{URL}messages/{secret.pk}/").json()
    assert detail["content_withheld"] and detail["content_salt"] is None


def test_a_party_verifies_the_commitment_with_the_salt(api_for, bert, secret):
    detail = api_for(bert).get(f"{URL}messages/{secret.pk}/").json()
    assert detail["content_sha256"] == services.message_content_commitment(
        salt=detail["content_salt"],
        subject=detail["subject"],
        body=detail["body"],
        language=detail["language"],
        attachments=detail["attachments"],
    )
    # The same commitment is what the signed record holds.
    sent = json.loads(secret.events.get(kind="sent").payload)["data"]
    assert sent["content_commitment"] == detail["content_sha256"]


def test_an_old_unsalted_hash_is_shown_to_readers_only(api_for, sam, bert, secret):
    """A message sent before commitments (format 1) keeps its plain hash: its readers see it,
    the secretariat gets null rather than an oracle."""
    plain = _unsalted("Intrusion", "Please advise.")
    Message.objects.filter(pk=secret.pk).update(content_salt="", content_sha256=plain)
    assert api_for(sam).get(f"{URL}messages/{secret.pk}/").json()["content_sha256"] is None
    assert api_for(bert).get(f"{URL}messages/{secret.pk}/").json()["content_sha256"] == plain


@pytest.mark.parametrize("reader", ["sam", "root"])
def test_record_names_no_account_to_a_withheld_reader(
    client_for, api_for, request, secret, anna, bert, sam, root, reader
):
    user = request.getfixturevalue(reader)
    detail = api_for(user).get(f"{URL}messages/{secret.pk}/").json()
    assert detail["sender"] is None
    bundle = client_for(user).get(f"/hotline/channels/{secret.channel_id}/record.json")
    for name in (anna.username, bert.username):
        assert f'"{name}"' not in bundle.content.decode()
    page = client_for(user).get(f"/hotline/messages/{secret.pk}/").content.decode()
    assert "· bert" not in page


def test_the_record_still_binds_the_accounts(secret, anna, bert):
    """The commitments are checked by verify: a different account gives a different value."""
    sent = json.loads(secret.events.get(kind="sent").payload)["data"]
    ack = json.loads(secret.events.get(kind="acknowledged").payload)["data"]
    salt = secret.content_salt
    assert sent["sender_commitment"] == services.user_commitment(
        salt=salt, role="sender", username="anna"
    )
    assert ack["by_commitment"] == services.user_commitment(
        salt=salt, role="acknowledged_by", username="bert", state="MNG"
    )
    assert ack["by_commitment"] != services.user_commitment(
        salt=salt, role="acknowledged_by", username="bob", state="MNG"
    )
    assert "sender" not in sent and "by" not in ack
    assert (
        chain.commitment(salt, {"role": "sender", "user": "anna", "state": ""})
        == (sent["sender_commitment"])
    )


def test_a_party_sees_who_acknowledged_on_the_timeline(client_for, anna, secret):
    page = client_for(anna).get(f"/hotline/messages/{secret.pk}/").content.decode()
    assert "· bert" in page
