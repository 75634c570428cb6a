"""Negotiation documents on the pages and in the API: downloads with the access of reading,
import of Word and Akoma Ntoso files where text is imported, bad files refused with nothing
stored."""

from __future__ import annotations

import io
import zipfile

import docx as python_docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cbmhub.conftest import SHARED_DIR
from cbmhub.core.roles import SYSTEM
from cbmhub.negotiations import notation, services
from cbmhub.negotiations.documents.akn import read_akn, validate_akn
from cbmhub.negotiations.documents.docx import DocMeta, compare_docx, export_docx, import_docx
from cbmhub.negotiations.models import Revision

from .conftest import SHORT_TEXT

pytestmark = pytest.mark.django_db

NEW_TEXT = SHORT_TEXT.replace("twice a year", "once a year") + "\nOP3. Decide to report.\n"
UN_FILE = SHARED_DIR / "data/unsc/2024/English/S_RES_2722-2400437E.xml"


@pytest.fixture
def second(revision, sam):
    return services.revision_import(
        actor=sam, document=revision.document, data=NEW_TEXT, kind="rev", number=2
    ).revision


def _download(document, revision, fmt):
    return reverse("negotiations:revision_download", args=[document.pk, revision.pk, fmt])


def _compare(document, fmt, old, new):
    url = reverse("negotiations:compare_download", args=[document.pk, fmt])
    return f"{url}?old={old.pk}&new={new.pk}"


def _api_export(document, revision, fmt):
    return reverse("api:negotiations-revision-export", args=[document.pk, revision.pk, fmt])


def _api_compare(document, fmt, old, new):
    url = reverse("api:negotiations-compare-export", args=[document.pk, fmt])
    return f"{url}?old={old.pk}&new={new.pk}"


# --- downloads -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "carol", "sam"])
def test_readers_download_every_format(client_for, persona, request, revision, second):
    client = client_for(request.getfixturevalue(persona))
    document = revision.document
    docx_response = client.get(_download(document, revision, "docx"))
    assert docx_response.status_code == 200
    assert "SWG_OI_9001-Rev.1.docx" in docx_response["Content-Disposition"]
    assert import_docx(docx_response.content).text == revision.source_text
    props = python_docx.Document(io.BytesIO(docx_response.content)).core_properties
    assert (props.title, props.subject, props.version) == (
        "Draft statement",
        "SWG/OI/9001",
        "Rev.1",
    )
    assert props.author == "Special Working Group"
    akn = client.get(_download(document, revision, "akn"))
    assert akn["Content-Type"] == "application/akn+xml"
    assert validate_akn(akn.content) == []
    assert read_akn(akn.content).symbol == "SWG/OI/9001"
    pdf = client.get(_download(document, revision, "pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    tracked = client.get(_compare(document, "docx", revision, second))
    assert tracked.status_code == 200
    result = import_docx(tracked.content)
    assert {c.text for c in result.changes} >= {"twice", "once"}
    assert all(c.author == "Special Working Group" for c in result.changes)
    assert client.get(_compare(document, "pdf", revision, second)).content.startswith(b"%PDF")


def test_revision_and_compare_pages_offer_the_downloads(client_for, alice, revision, second):
    document = revision.document
    page = client_for(alice).get(reverse("negotiations:revision", args=[document.pk, revision.pk]))
    html = page.content.decode()
    for fmt in ("docx", "pdf", "akn"):
        assert _download(document, revision, fmt) in html
    compare = client_for(alice).get(
        reverse("negotiations:compare", args=[document.pk]),
        {"old": revision.pk, "new": second.pk},
    )
    html = compare.content.decode()
    assert _compare(document, "docx", revision, second).replace("&", "&amp;") in html
    assert 'data-testid="download-compare-pdf"' in html


def test_api_exports(api_for, carol, revision, second):
    api = api_for(carol)
    document = revision.document
    response = api.get(_api_export(document, revision, "docx"))
    assert response.status_code == 200
    assert import_docx(response.content).text == revision.source_text
    assert validate_akn(api.get(_api_export(document, revision, "akn")).content) == []
    assert api.get(_api_export(document, revision, "pdf")).content.startswith(b"%PDF")
    tracked = api.get(_api_compare(document, "docx", revision, second))
    assert import_docx(tracked.content).rejected_text.replace("\n", "") == (
        import_docx(export_docx(notation.parse(SHORT_TEXT), DocMeta())).text.replace("\n", "")
    )
    assert api.get(_api_export(document, revision, "odt")).status_code == 400
    missing = api.get(reverse("api:negotiations-compare-export", args=[document.pk, "docx"]))
    assert missing.status_code == 400


def test_other_state_other_secretariat_and_observer_are_refused(
    client_for, api_for, alice, sara, olga, revision, asean_document, second
):
    theirs = asean_document.revisions.get()
    ours = revision.document
    # State A does not take part in ASEAN; the ASEAN secretariat not in CICA: 404 (they do
    # not learn that the document exists), on the pages and in the API.
    for user, document, rev in ((alice, asean_document, theirs), (sara, ours, revision)):
        for fmt in ("docx", "akn", "pdf"):
            assert client_for(user).get(_download(document, rev, fmt)).status_code == 404
            assert api_for(user).get(_api_export(document, rev, fmt)).status_code == 404
        for fmt in ("docx", "pdf"):
            assert client_for(user).get(_compare(document, fmt, rev, rev)).status_code == 404
            assert api_for(user).get(_api_compare(document, fmt, rev, rev)).status_code == 404
    # An observer reads no negotiation: 403 everywhere.
    for fmt in ("docx", "akn", "pdf"):
        assert client_for(olga).get(_download(ours, revision, fmt)).status_code == 403
        assert api_for(olga).get(_api_export(ours, revision, fmt)).status_code == 403
    assert client_for(olga).get(_compare(ours, "docx", revision, second)).status_code == 403
    assert api_for(olga).get(_api_compare(ours, "docx", revision, second)).status_code == 403
    # Signed out: to the login page, and 401 in the API.
    assert api_for().get(_api_export(ours, revision, "docx")).status_code == 401


def test_unknown_format_and_a_revision_of_another_document_are_404(
    client_for, alice, revision, asean_document
):
    theirs = asean_document.revisions.get()
    client = client_for(alice)
    assert client.get(_download(revision.document, revision, "odt")).status_code == 404
    assert client.get(_download(revision.document, theirs, "docx")).status_code == 404


# --- import ----------------------------------------------------------------------------------


def _upload(client, document, name, data, **fields):
    post = {"kind": "rev", "number": "2", "date": "2026-05-01", "label": "", **fields}
    post["file"] = SimpleUploadedFile(name, data)
    return client.post(
        reverse("negotiations:revision_import", args=[document.pk]), post, follow=True
    )


def test_secretariat_imports_a_word_file_with_tracked_changes(client_for, sam, revision):
    old = notation.analyse(notation.parse(SHORT_TEXT))
    new = notation.analyse(notation.parse(NEW_TEXT))
    data = compare_docx(old, new, DocMeta(author="KAZ delegation", date="2026-05-01"))
    response = _upload(client_for(sam), revision.document, "rev2 from KAZ.docx", data)
    assert response.status_code == 200
    latest = Revision.objects.exclude(pk=revision.pk).get()
    assert latest.source_name == "rev2 from KAZ.docx"
    assert "once a year" in latest.source_text and "twice a year" not in latest.source_text
    assert "OP3. Decide to report." in latest.source_text
    messages = [str(m) for m in response.context["messages"]]
    assert any("tracked changes accepted" in m for m in messages)
    # The changes show in the compare of the two revisions.
    comparison = notation.compare(
        notation.analyse(notation.parse(revision.source_text)),
        notation.analyse(notation.parse(latest.source_text)),
    )
    assert [p.key for p in comparison.added] == ["OP3"]
    assert [c.key for c in comparison.changed] == ["OP1"]


def test_word_round_trip_through_the_pages(client_for, sam, alice, revision):
    exported = client_for(alice).get(_download(revision.document, revision, "docx")).content
    _upload(client_for(sam), revision.document, "back.docx", exported, kind="podium", number="")
    again = Revision.objects.exclude(pk=revision.pk).get()
    assert again.source_text == revision.source_text


def test_secretariat_imports_a_un_resolution(client_for, sam, revision):
    response = _upload(client_for(sam), revision.document, "S_RES_2722.xml", UN_FILE.read_bytes())
    assert response.status_code == 200
    latest = Revision.objects.exclude(pk=revision.pk).get()
    assert latest.source_text.startswith("The Security Council,\n\nPP1. Reaffirming")
    assert "\n\n1. Condemns in the strongest terms" in latest.source_text


def _renamed_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff")
    return out.getvalue()


ENCRYPTED = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    + b"\x00" * 504
    + "EncryptedPackage".encode("utf-16-le")
    + b"\x00" * 600
)
BAD_FILES = [
    ("renamed.docx", _renamed_zip(), "no word/document.xml"),
    ("corrupt.docx", b"PK\x03\x04" + b"\x00" * 100, "corrupt"),
    ("locked.docx", ENCRYPTED, "password-protected"),
    ("cut.xml", UN_FILE.read_bytes()[:4000], "not well-formed XML"),
    ("page.xml", b"<?xml version='1.0'?><html><body/></html>", "not an Akoma Ntoso 3.0 document"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_are_refused_on_the_page_with_nothing_stored(
    client_for, sam, revision, name, data, message
):
    response = _upload(client_for(sam), revision.document, name, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert name in html and message in html
    assert Revision.objects.count() == 1


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_are_refused_by_the_api_with_nothing_stored(
    api_for, sam, revision, name, data, message
):
    url = reverse("api:negotiations-revision-list", args=[revision.document_id])
    response = api_for(sam).post(
        url, {"file": SimpleUploadedFile(name, data), "kind": "draft"}, format="multipart"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unreadable" and message in error["message"]
    assert Revision.objects.count() == 1


def test_api_import_of_a_word_file_lists_changes_and_comments(api_for, sam, revision):
    old = notation.analyse(notation.parse(SHORT_TEXT))
    new = notation.analyse(notation.parse(NEW_TEXT))
    data = compare_docx(old, new, DocMeta(author="KAZ delegation", date="2026-05-01"))
    url = reverse("api:negotiations-revision-list", args=[revision.document_id])
    response = api_for(sam).post(
        url,
        {"file": SimpleUploadedFile("r.docx", data), "kind": "rev", "number": 2},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["read_from"]["format"] == "docx"
    changes = body["read_from"]["tracked_changes"]
    assert {c["author"] for c in changes} == {"KAZ delegation"}
    assert body["source_text"].startswith("PP1. Recalling")


@pytest.mark.parametrize("persona", ["alice", "carol", "sara", "olga"])
def test_only_the_secretariat_imports_a_word_file(client_for, api_for, request, revision, persona):
    user = request.getfixturevalue(persona)
    data = export_docx(notation.parse(NEW_TEXT), DocMeta())
    page = _upload(client_for(user), revision.document, "r.docx", data)
    assert page.status_code in (403, 404)
    url = reverse("api:negotiations-revision-list", args=[revision.document_id])
    api = api_for(user).post(
        url, {"file": SimpleUploadedFile("r.docx", data), "kind": "draft"}, format="multipart"
    )
    assert api.status_code in (403, 404)
    assert Revision.objects.count() == 1
    # The service refuses before it reads the file.
    with pytest.raises(Exception, match="may not import"):
        services.revision_import_upload(
            actor=user,
            document=revision.document,
            data=b"garbage",
            source_name="x.docx",
            kind="draft",
        )


def test_openapi_describes_the_exports_and_the_upload(api_for, sam):
    schema = api_for(sam).get(reverse("api:schema"), {"format": "json"}).json()
    paths = schema["paths"]
    export = paths[
        "/api/v1/negotiations/documents/{document_id}/revisions/{revision_id}/export/{fmt}/"
    ]
    content = export["get"]["responses"]["200"]["content"]
    assert set(content) >= {
        "application/pdf",
        "application/akn+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    assert "/api/v1/negotiations/documents/{document_id}/compare/export/{fmt}/" in paths
    assert (
        "Word file (.docx)"
        in paths["/api/v1/negotiations/documents/{document_id}/revisions/"]["post"]["description"]
    )


def test_system_actor_can_import_from_word(revision):
    data = export_docx(notation.parse(NEW_TEXT), DocMeta())
    upload = services.revision_import_upload(
        actor=SYSTEM, document=revision.document, data=data, source_name="n.docx", kind="draft"
    )
    assert upload.format == "docx" and upload.result.revision.source_text == NEW_TEXT
