"""The "Verify this record" section of the channel page, and the public key download.

The page runs the same verification as ``cbmhub hotline verify``; a row changed with raw SQL is
named; a third state cannot verify (or learn of) a bilateral channel; and the two downloads are
enough to verify offline with the pure ``chain`` module.
"""

from __future__ import annotations

import hashlib
import json
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from cbmhub.hotline import chain, services
from cbmhub.hotline.models import Event

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def record(anna, bert, link, send):
    """Two messages A→B, delivered, the first acknowledged: five entries."""
    first = send(anna, link, subject="First").message
    send(anna, link, subject="Second")
    call_command("hotline", "worker", "--once", stdout=StringIO())
    services.message_acknowledge(actor=bert, message=first)
    assert Event.objects.filter(channel=link).count() == 5
    return first


def verify_url(channel) -> str:
    return reverse("hotline:channel_verify", args=[channel.pk])


@pytest.mark.parametrize("who", ["anna", "bert", "sam"])
def test_participant_sees_ok(client_for, world, link, record, who):
    response = client_for(world[who]).post(verify_url(link), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "hotline/_verify_result.html"
    last = Event.objects.get(channel=link, seq=5)
    assert 'data-verify="ok"' in html
    assert "OK: 5 entries, chain and signatures valid," in html
    assert "last entry #5 at" in html
    assert last.at.strftime("%Y-%m-%d %H:%M:%S UTC") in html


def test_empty_record_is_ok(client_for, anna, link):
    html = client_for(anna).post(verify_url(link), **HTMX).content.decode()
    assert 'data-verify="ok"' in html and "no entries yet" in html


def test_without_htmx_the_whole_page_shows_the_result(client_for, anna, link, record):
    response = client_for(anna).post(verify_url(link))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>" in html and "OK: 5 entries" in html


def test_page_offers_keys_downloads_and_offline_command(client_for, anna, link, record):
    client = client_for(anna)
    html = client.get(reverse("hotline:channel_detail", args=[link.pk])).content.decode()
    record_response = client.get(reverse("hotline:channel_record", args=[link.pk]))
    key = client.get(reverse("hotline:public_key")).content
    assert f'hx-post="{verify_url(link)}"' in html
    assert 'id="record-verify-result"' in html
    assert reverse("hotline:public_key") in html
    assert reverse("hotline:channel_record", args=[link.pk]) in html
    assert hashlib.sha256(key).hexdigest() in html
    # The command names the files as they are downloaded, so it can be copied as is.
    filename = f"hotline-channel-{link.pk}.json"
    assert f'filename="{filename}"' in record_response["Content-Disposition"]
    assert f"cbmhub hotline verify --bundle {filename} --public-key cbmhub-public-key.pem" in html
    assert "needs no account and no database" in html


def sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        assert cursor.rowcount == 1


def test_tampered_row_names_the_first_broken_entry(client_for, bert, link, record):
    third, fifth = (Event.objects.get(channel=link, seq=seq) for seq in (3, 5))
    for row in (fifth, third):
        sql(
            "UPDATE hotline_event SET payload = REPLACE(payload, %s, %s) WHERE id = %s",
            ['"state":"MNG"', '"state":"THA"', row.pk],
        )
    html = client_for(bert).post(verify_url(link), **HTMX).content.decode()
    assert 'data-verify="broken"' in html and 'data-verify="ok"' not in html
    assert f"The first broken entry is #3 (event id {third.pk})." in html
    assert "hash does not match the payload" in html


def test_edited_message_row_is_named(client_for, anna, link, record):
    """The page also runs the row checks of ``cbmhub hotline verify``, not the chain only."""
    sql("UPDATE hotline_message SET body = %s WHERE id = %s", ["Nothing was asked.", record.pk])
    sent = Event.objects.get(channel=link, seq=1)
    html = client_for(anna).post(verify_url(link), **HTMX).content.decode()
    assert f"#1 (event id {sent.pk})" in html
    assert f"message {record.pk} content differs" in html


@pytest.mark.parametrize("who", ["carol", "olga"])
def test_third_state_and_outsider_get_404(client_for, world, link, record, who):
    client = client_for(world[who])
    assert client.post(verify_url(link), **HTMX).status_code == 404
    assert client.post(verify_url(link)).status_code == 404


def test_verify_needs_login_and_post(client, client_for, anna, link):
    response = client.post(verify_url(link))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client_for(anna).get(verify_url(link)).status_code == 405


def test_public_key_is_public_pem(client):
    response = client.get(reverse("hotline:public_key"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-pem-file"
    assert 'filename="cbmhub-public-key.pem"' in response["Content-Disposition"]
    assert response.content.startswith(b"-----BEGIN PUBLIC KEY-----")
    chain.load_public_key(response.content)  # an Ed25519 key


def test_downloaded_bundle_verifies_offline_with_downloaded_key(client_for, bob, link, record):
    """The offline path: what a party downloads is enough, with the pure chain module."""
    bundle = json.loads(
        client_for(bob).get(reverse("hotline:channel_record", args=[link.pk])).content
    )
    # The key from the platform, fetched separately from the bundle (no account needed).
    key = chain.load_public_key(Client().get(reverse("hotline:public_key")).content)

    result = chain.verify_bundle(bundle, key)
    assert result.ok and result.checked == 5

    other_key = Ed25519PrivateKey.generate().public_key()
    assert not chain.verify_bundle(bundle, other_key).ok
    payload = bundle["entries"][3]["payload"]
    bundle["entries"][3]["payload"] = payload.replace('"delivered"', '"acknowledged"')
    broken = chain.verify_bundle(bundle, key)
    assert not broken.ok and broken.bad_seq == 4 and "hash does not match" in broken.reason
