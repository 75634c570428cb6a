"""The negotiations API: read endpoints, the analysis JSON, compare, and import; an observer
is refused, another state's document is a 404, a state may not import."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cbmhub.negotiations import services
from cbmhub.negotiations.models import Revision

from .conftest import SHORT_TEXT

pytestmark = pytest.mark.django_db


def _import_url(document):
    return reverse("api:negotiations-revision-list", args=[document.pk])


def test_documents_lists_only_visible_ones(api_for, alice, bob, document, asean_document):
    symbols = [
        d["symbol"]
        for d in api_for(alice).get(reverse("api:negotiations-document-list")).json()["results"]
    ]
    assert symbols == ["SWG/OI/9001"]
    symbols = [
        d["symbol"]
        for d in api_for(bob).get(reverse("api:negotiations-document-list")).json()["results"]
    ]
    assert symbols == ["ARF/ISM/1", "SWG/OI/9001"]


def test_observer_is_refused_with_the_error_format(api_for, olga, document):
    response = api_for(olga).get(reverse("api:negotiations-document-list"))
    assert response.status_code == 403
    assert set(response.json()["error"]) == {"code", "message", "details"}
    url = reverse("api:negotiations-document", args=[document.pk])
    assert api_for(olga).get(url).status_code == 403


def test_unauthenticated_is_refused(api_for, document):
    assert api_for().get(reverse("api:negotiations-document-list")).status_code == 401


def test_document_detail_with_revisions(api_for, anna, revision):
    data = (
        api_for(anna).get(reverse("api:negotiations-document", args=[revision.document_id])).json()
    )
    assert data["organisation"] == "CICA" and data["body"] == "Special Working Group"
    assert [r["label"] for r in data["revisions"]] == ["Rev.1"]
    assert "source_text" not in data["revisions"][0]


def test_revision_has_its_source_and_analysis(api_for, carol, revision):
    args = [revision.document_id, revision.pk]
    data = api_for(carol).get(reverse("api:negotiations-revision", args=args)).json()
    assert data["source_text"] == SHORT_TEXT and data["imported_by"] == "sam"
    analysis = api_for(carol).get(reverse("api:negotiations-revision-analysis", args=args)).json()
    assert analysis["version"] == 1 and analysis["resolved"] is True
    assert analysis["delegations"]["MNG"]["state"]["name"] == "Mongolia"
    assert analysis["delegations"]["CHAIR"]["actor"] is True
    assert analysis["unknown_codes"] == ["XYZ"]
    assert analysis["diagnostics"][0]["line"] == 7
    # MNG objects in PP2 and in OP1 (with reservation); CHAIR, KAZ and XYZ only support.
    assert analysis["consensus"] == {
        "blockers": [{"delegation": "MNG", "oppose": 2, "paragraphs": ["PP2", "OP1"]}]
    }


def test_analysis_schema_describes_what_is_returned(api_for, carol, revision):
    args = [revision.document_id, revision.pk]
    analysis = api_for(carol).get(reverse("api:negotiations-revision-analysis", args=args)).json()
    schema = api_for(carol).get(reverse("api:schema"), {"format": "json"}).json()
    components = schema["components"]["schemas"]

    def properties(ref: dict) -> dict:
        return components[ref["$ref"].rsplit("/", 1)[-1]]["properties"]

    path = "/api/v1/negotiations/documents/{document_id}/revisions/{revision_id}/analysis/"
    response = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    described = properties(response["schema"])
    assert set(described) == set(analysis)
    blockers = properties(described["consensus"])["blockers"]
    assert blockers["type"] == "array"
    assert set(properties(blockers["items"])) == set(analysis["consensus"]["blockers"][0])


def test_other_state_gets_404_everywhere(api_for, alice, asean_document):
    revision = asean_document.revisions.get()
    api = api_for(alice)
    urls = [
        reverse("api:negotiations-document", args=[asean_document.pk]),
        reverse("api:negotiations-revision-list", args=[asean_document.pk]),
        reverse("api:negotiations-revision", args=[asean_document.pk, revision.pk]),
        reverse("api:negotiations-revision-analysis", args=[asean_document.pk, revision.pk]),
        reverse("api:negotiations-compare", args=[asean_document.pk])
        + f"?old={revision.pk}&new={revision.pk}",
    ]
    for url in urls:
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"


def test_import_multipart_keeps_the_bytes(api_for, sam, document):
    data = "PP1. [á] (+KAZ)\r\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api_for(sam).post(
        _import_url(document),
        {"file": SimpleUploadedFile("r.txt", data), "kind": "rev", "number": 4},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["source_text"].encode() == data
    assert response["Location"].endswith(f"/revisions/{response.json()['id']}/")


def test_import_json_text_and_retry(api_for, sam, document):
    body = {"text": SHORT_TEXT, "kind": "podium", "date": "2026-02-03"}
    first = api_for(sam).post(_import_url(document), body, format="json")
    again = api_for(sam).post(_import_url(document), body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and first.json()["label"] == "Podium version"


def test_import_errors_use_the_error_format(api_for, sam, document):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api_for(sam).post(
        _import_url(document),
        {"file": SimpleUploadedFile("r.txt", b"\x80abc"), "kind": "draft"},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_utf8"
    assert "offset 0" in response.json()["error"]["message"]
    neither = api_for(sam).post(_import_url(document), {"kind": "draft"}, format="json")
    assert neither.status_code == 400 and neither.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("persona", ["alice", "anna", "carol"])
def test_a_state_may_not_import(api_for, document, persona, request):
    response = api_for(request.getfixturevalue(persona)).post(
        _import_url(document), {"text": SHORT_TEXT, "kind": "draft"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Revision.objects.exists()


def test_compare(api_for, alice, revision, sam):
    new = services.revision_import(
        actor=sam,
        document=revision.document,
        data=SHORT_TEXT + "\nOP3. New.\n",
        kind="rev",
        number=2,
    ).revision
    url = reverse("api:negotiations-compare", args=[revision.document_id])
    data = api_for(alice).get(url, {"old": revision.pk, "new": new.pk}).json()
    assert [p["key"] for p in data["added"]] == ["OP3"]
    missing = api_for(alice).get(url)
    assert missing.status_code == 400
    assert {d["field"] for d in missing.json()["error"]["details"]} == {"old", "new"}


def test_schema_builds(api_for, sam):
    response = api_for(sam).get(reverse("api:schema"))
    assert response.status_code == 200
    assert b"negotiations_import" in response.content


def test_compare_aligns_by_content_and_lists_every_pair(api_for, alice, document, sam):
    from cbmhub.negotiations.demo import REV_1, REV_2

    old, new = (
        services.revision_import(
            actor=sam, document=document, data=text.encode(), kind="rev", number=n
        ).revision
        for n, text in ((1, REV_1), (2, REV_2))
    )
    url = reverse("api:negotiations-compare", args=[document.pk])
    data = api_for(alice).get(url, {"old": old.pk, "new": new.pk}).json()
    assert data["counts"]["moved"] == 1
    pairs = {(p["old_label"], p["new_label"]): p["change"] for p in data["paragraphs"]}
    assert pairs[("OP5.", "OP6.")] == "moved"
    assert pairs[(None, "OP5.")] == "added"
    assert len(data["paragraphs"]) == sum(data["counts"].values())
