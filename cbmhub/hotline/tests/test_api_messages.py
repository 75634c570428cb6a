"""API: send (with Idempotency-Key), inbox, read, acknowledge, reply, channels, and the schema."""

from __future__ import annotations

import pytest

from cbmhub.hotline.models import Message, Receipt

BODY = "Port scans from 198.51.100.0/24 since 02:00 UTC."
URL = "/api/v1/hotline/"


@pytest.fixture
def bilateral(world, link, send, anna):
    return send(anna, link, subject="Scans", body=BODY).message


def _payload(channel, **overrides):
    data = {
        "channel": channel.pk,
        "kind": "request_information",
        "priority": "flash",
        "subject": "Scans",
        "body": BODY,
        "tlp": "AMBER",
    }
    data.update(overrides)
    return data


# --- send -------------------------------------------------------------------------------------


def test_send_then_retry_with_the_same_key_creates_one_message(api_for, world, link, anna):
    api = api_for(anna)
    first = api.post(URL + "messages/", _payload(link), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    retry = api.post(URL + "messages/", _payload(link), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and retry.status_code == 200
    assert first.json()["id"] == retry.json()["id"] == Message.objects.get().pk
    assert first["Location"] == f"{URL}messages/{first.json()['id']}/"
    body = first.json()
    assert body["body"] == BODY and body["content_withheld"] is False
    assert [r["state"] for r in body["receipts"]] == ["MNG"]
    assert body["receipts"][0]["ack_due_at"]


def test_same_key_with_another_request_is_a_conflict(api_for, world, link, anna):
    api = api_for(anna)
    api.post(URL + "messages/", _payload(link), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = api.post(
        URL + "messages/", _payload(link, body="Other"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 409 and Message.objects.count() == 1
    error = response.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert error["details"][0]["field"] == "Idempotency-Key"


def test_without_key_each_post_is_a_new_message(api_for, world, link, anna):
    api = api_for(anna)
    api.post(URL + "messages/", _payload(link), format="json")
    api.post(URL + "messages/", _payload(link), format="json")
    assert Message.objects.count() == 2


def test_send_validation_errors_name_the_field(api_for, world, link, anna):
    response = api_for(anna).post(
        URL + "messages/", _payload(link, subject="", priority="asap"), format="json"
    )
    assert response.status_code == 400
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert fields == {"subject", "priority"}


def test_send_with_attachment_multipart(api_for, world, link, anna, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    data = _payload(link)
    data["attachments"] = [SimpleUploadedFile("ioc.csv", b"ip\n198.51.100.7\n")]
    response = api_for(anna).post(URL + "messages/", data, format="multipart")
    assert response.status_code == 201
    assert response.json()["attachments"][0]["name"] == "ioc.csv"


@pytest.mark.parametrize("who,status", [("carol", 404), ("olga", 404), ("sam", 403)])
def test_send_refused(api_for, world, link, who, status):
    response = api_for(world[who]).post(URL + "messages/", _payload(link), format="json")
    assert response.status_code == status and not Message.objects.exists()
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_send_needs_authentication(api_for, world, link):
    response = api_for().post(URL + "messages/", _payload(link), format="json")
    assert response.status_code == 401 and not Message.objects.exists()


# --- inbox and read ---------------------------------------------------------------------------


def test_inbox_of_the_recipient(api_for, bert, bilateral):
    body = api_for(bert).get(URL + "messages/?box=in").json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["message"]["id"] == bilateral.pk and item["action"] is True
    assert item["due_kind"] == "ack" and item["due_at"]


def test_inbox_query_count_does_not_grow_with_messages(api_for, world, link, send, anna, bert):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def fetch() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = api_for(bert).get(f"{URL}messages/")
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    send(anna, link)
    fetch()  # the first request fills per-process caches
    one = fetch()
    for _ in range(4):
        send(anna, link)
    five = fetch()
    assert (one[1], five[1]) == (1, 5)
    assert one[0] == five[0], "one query per message crept in"


@pytest.mark.parametrize("who", ["carol", "olga"])
def test_inbox_of_third_state_and_outsider_is_empty(api_for, world, bilateral, who):
    assert api_for(world[who]).get(URL + "messages/").json()["count"] == 0


def test_inbox_rejects_an_unknown_box(api_for, bert, bilateral):
    response = api_for(bert).get(URL + "messages/?box=trash")
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "box"


@pytest.mark.parametrize("who", ["alice", "anna", "bob", "bert"])
def test_parties_read_the_body(api_for, world, bilateral, who):
    body = api_for(world[who]).get(f"{URL}messages/{bilateral.pk}/").json()
    assert body["body"] == BODY and body["subject"] == "Scans"


@pytest.mark.parametrize("who", ["carol", "olga"])
def test_third_state_and_outsider_get_404(api_for, world, bilateral, who):
    response = api_for(world[who]).get(f"{URL}messages/{bilateral.pk}/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("who", ["sam", "root"])
def test_secretariat_and_operator_get_metadata_never_the_body(api_for, world, bilateral, who):
    response = api_for(world[who]).get(f"{URL}messages/{bilateral.pk}/")
    body = response.json()
    assert response.status_code == 200 and body["content_withheld"] is True
    assert body["body"] is None and body["subject"] is None and body["attachments"] is None
    assert BODY not in response.content.decode()
    assert body["receipts"][0]["state"] == "MNG" and body["sent_at"]
    listed = api_for(world[who]).get(URL + "messages/")
    assert BODY not in listed.content.decode() and listed.json()["count"] == 1


# --- acknowledge and reply --------------------------------------------------------------------


def test_recipient_acknowledges(api_for, bert, bilateral):
    response = api_for(bert).post(f"{URL}messages/{bilateral.pk}/acknowledge/")
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"
    assert Receipt.objects.get(message=bilateral).acknowledged_by == bert


@pytest.mark.parametrize("who,status", [("carol", 404), ("olga", 404), ("sam", 403), ("anna", 403)])
def test_acknowledge_refused(api_for, world, bilateral, who, status):
    response = api_for(world[who]).post(f"{URL}messages/{bilateral.pk}/acknowledge/")
    assert response.status_code == status
    assert Receipt.objects.get(message=bilateral).acknowledged_at is None


def test_reply_with_idempotency_key(api_for, bert, bilateral):
    api = api_for(bert)
    url = f"{URL}messages/{bilateral.pk}/reply/"
    first = api.post(url, {"body": "Blocked."}, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    retry = api.post(url, {"body": "Blocked."}, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert (first.status_code, retry.status_code) == (201, 200)
    reply = Message.objects.get(in_reply_to=bilateral)
    assert first.json()["id"] == retry.json()["id"] == reply.pk and reply.kind == "response"
    assert first.json()["receipts"][0]["state"] == "KAZ"
    assert Receipt.objects.get(message=bilateral).replied_at is not None


@pytest.mark.parametrize("who,status", [("carol", 404), ("olga", 404), ("sam", 403), ("anna", 403)])
def test_reply_refused(api_for, world, bilateral, who, status):
    response = api_for(world[who]).post(
        f"{URL}messages/{bilateral.pk}/reply/", {"body": "x"}, format="json"
    )
    assert response.status_code == status
    assert not Message.objects.filter(in_reply_to=bilateral).exists()


# --- channels and schema ----------------------------------------------------------------------


def test_channels(api_for, world, link):
    assert [c["name"] for c in api_for(world["anna"]).get(URL + "channels/").json()] == [link.name]
    assert api_for(world["carol"]).get(URL + "channels/").json() == []


def test_schema_documents_every_endpoint_and_the_idempotency_header(api_for, anna):
    schema = api_for(anna).get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    operations = {
        op["operationId"]: op
        for path, item in paths.items()
        if path.startswith("/api/v1/hotline/")
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert {
        "hotline_inbox",
        "hotline_send",
        "hotline_read",
        "hotline_acknowledge",
        "hotline_reply",
        "hotline_check_start",
        "hotline_check_answer",
        "hotline_check_confirm",
    } <= set(operations)
    for name in ("hotline_send", "hotline_reply"):
        headers = [p["name"] for p in operations[name]["parameters"] if p["in"] == "header"]
        assert headers == ["Idempotency-Key"]
        assert {"200", "201", "409"} <= set(operations[name]["responses"])
