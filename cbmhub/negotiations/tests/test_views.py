"""The negotiations pages: who sees what, upload, the revision view (shading, chips, anchors,
filter, summary, diagnostics), the plain-text forms and the comparison."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cbmhub.conftest import search
from cbmhub.core.roles import SYSTEM
from cbmhub.negotiations import services
from cbmhub.negotiations.models import Document, Negotiation, Revision

from .conftest import SHORT_TEXT

pytestmark = pytest.mark.django_db


def _revision_url(revision):
    return reverse("negotiations:revision", args=[revision.document_id, revision.pk])


def _upload(client, document, data: bytes, **fields):
    post = {"kind": "rev", "number": "2", "date": "2026-05-01", "label": "", **fields}
    post["file"] = SimpleUploadedFile("rev2.txt", data, content_type="text/plain")
    return client.post(reverse("negotiations:revision_import", args=[document.pk]), post)


# --- list -------------------------------------------------------------------------------------


def test_list_shows_the_negotiations_of_the_users_organisations(
    client_for, alice, revision, asean_document, django_assert_max_num_queries
):
    client = client_for(alice)
    for n in range(3):  # more documents do not mean more queries
        services.document_create(
            actor=SYSTEM, negotiation=revision.document.negotiation, symbol=f"S/{n}", title="T"
        )
    with django_assert_max_num_queries(8):
        response = client.get(reverse("negotiations:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "SWG/OI/9001" in body
    assert "ARF/ISM/1" not in body  # state A does not take part in ASEAN
    assert "Open a negotiation" not in body


def test_list_for_the_secretariat_offers_to_open_one(client_for, sam, document):
    body = client_for(sam).get(reverse("negotiations:list")).content.decode()
    assert "SWG/OI/9001" in body and "Open a negotiation" in body


@pytest.mark.parametrize("url_name", ["negotiations:list", "negotiations:negotiation_create"])
def test_observer_is_refused(client_for, olga, document, url_name):
    assert client_for(olga).get(reverse(url_name)).status_code == 403


def test_anonymous_is_sent_to_login(client, document):
    response = client.get(reverse("negotiations:document", args=[document.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- creating ---------------------------------------------------------------------------------


def test_secretariat_opens_a_negotiation_and_adds_a_document(client_for, sam, cica, swg):
    client = client_for(sam)
    response = client.post(
        reverse("negotiations:negotiation_create"),
        {"organisation": cica.pk, "body": swg.pk, "title": "Plan of action", "description": ""},
    )
    negotiation = Negotiation.objects.get(title="Plan of action")
    assert response.status_code == 302
    response = client.post(
        reverse("negotiations:document_create", args=[negotiation.pk]),
        {"symbol": "SWG/OI/1", "title": "Plan", "body": "", "language": "ru"},
    )
    document = Document.objects.get(symbol="SWG/OI/1")
    assert response["Location"] == reverse("negotiations:document", args=[document.pk])
    assert document.language == "ru" and document.body == swg


def test_a_state_may_not_add_documents(client_for, alice, negotiation):
    client = client_for(alice)
    url = reverse("negotiations:document_create", args=[negotiation.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"symbol": "X", "title": "Y", "language": "en"}).status_code == 403
    assert not Document.objects.exists()


# --- document page and upload -----------------------------------------------------------------


def test_document_page_lists_revisions_and_offers_import_to_the_secretariat(
    client_for, sam, alice, revision
):
    url = reverse("negotiations:document", args=[revision.document_id])
    body = client_for(sam).get(url).content.decode()
    assert "Rev.1" in body and 'data-testid="import-form"' in body
    body = client_for(alice).get(url).content.decode()
    assert "Rev.1" in body and 'data-testid="import-form"' not in body


def test_other_state_and_other_secretariat_get_404(
    client_for, alice, sara, asean_document, document
):
    assert (
        client_for(alice)
        .get(reverse("negotiations:document", args=[asean_document.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(sara).get(reverse("negotiations:document", args=[document.pk])).status_code
        == 404
    )


def test_other_state_cannot_read_a_revision_or_its_text(client_for, carol, asean_document):
    revision = asean_document.revisions.get()
    client = client_for(carol)
    assert client.get(_revision_url(revision)).status_code == 404
    url = reverse("negotiations:revision_text", args=[asean_document.pk, revision.pk, "source"])
    assert client.get(url).status_code == 404


def test_a_revision_is_only_found_under_its_own_document(client_for, sam, revision, negotiation):
    other = services.document_create(actor=SYSTEM, negotiation=negotiation, symbol="S/2", title="B")
    url = reverse("negotiations:revision", args=[other.pk, revision.pk])
    assert client_for(sam).get(url).status_code == 404


def test_secretariat_uploads_a_revision(client_for, sam, document):
    data = SHORT_TEXT.replace("\n", "\r\n").encode()
    response = _upload(client_for(sam), document, data)
    revision = Revision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _revision_url(revision)
    assert revision.label == "Rev.2" and str(revision.date) == "2026-05-01"
    assert revision.source_text.encode() == data and revision.source_name == "rev2.txt"


@pytest.mark.parametrize("persona", ["alice", "anna", "bob"])
def test_a_user_who_may_not_import_is_refused_on_upload(client_for, document, persona, request):
    response = _upload(client_for(request.getfixturevalue(persona)), document, b"PP1. x")
    assert response.status_code == 403
    assert not Revision.objects.exists()


def test_observer_is_refused_on_upload(client_for, olga, document):
    assert _upload(client_for(olga), document, b"PP1. x").status_code == 403


def test_upload_that_is_not_utf8_is_refused_with_where(client_for, sam, document):
    response = _upload(client_for(sam), document, b"PP1. ok\nPP2. \xff\xfe bad\n")
    body = response.content.decode()
    assert response.status_code == 400
    assert "not UTF-8 text" in body and "0xff" in body and "line 2" in body
    assert not Revision.objects.exists()


def test_upload_form_errors(client_for, sam, document):
    response = _upload(client_for(sam), document, b"PP1. x", number="")
    assert response.status_code == 400
    assert "needs its number" in response.content.decode()


def test_uploading_the_same_text_again_opens_the_first_revision(client_for, sam, revision):
    response = _upload(client_for(sam), revision.document, SHORT_TEXT.encode(), number="1")
    assert response["Location"] == _revision_url(revision)
    assert Revision.objects.count() == 1


# --- the revision view ------------------------------------------------------------------------


def test_revision_page_shows_paragraphs_shading_chips_and_anchors(client_for, bob, revision):
    body = client_for(bob).get(_revision_url(revision)).content.decode()
    assert 'id="p-PP2"' in body and 'id="p-OP1"' in body
    pp2 = search(r'<article id="p-PP2".*?</article>', body, re.S).group(0)
    assert 'data-status="bracketed"' in pp2
    assert 'class="neg-text depth-2"' in pp2  # "of timely" inside two brackets
    assert 'data-delegation="MNG" data-stance="oppose"' in pp2
    assert 'data-delegation="KAZ" data-stance="support"' in pp2
    assert 'class="neg-note"' in pp2 and "(THA: consider PP1)" in pp2
    op1 = search(r'<article id="p-OP1".*?</article>', body, re.S).group(0)
    assert "−MNG <em>with reservation</em>" in op1
    assert 'data-status="agreed"' in search(r'<article id="p-PP1".*?</article>', body, re.S).group(
        0
    )


def test_revision_page_lists_diagnostics_and_the_consensus(client_for, alice, revision):
    body = client_for(alice).get(_revision_url(revision)).content.decode()
    diagnostics = search(r'data-testid="diagnostics".*?</section>', body, re.S).group(0)
    assert "<code>7:27</code>" in diagnostics and "unmatched" in diagnostics
    assert 'href="?page=1#p-OP2"' in diagnostics  # the paragraph's page, then its anchor
    summary = search(r'data-testid="consensus".*?</section>', body, re.S).group(0)
    assert 'data-testid="agreed-count">2<' in summary
    assert 'data-testid="bracketed-count">2<' in summary
    blockers = search(r'data-testid="blockers">(.*?)</ol>', summary, re.S).group(1)
    assert "MNG" in blockers and "CHAIR" not in blockers  # an actor is not a blocker
    assert ">MNG</a>: 2 objections (PP2, OP1)</li>" in blockers
    mng = search(r'<tr><td><a href="\?delegation=MNG">.*?</tr>', summary, re.S).group(0)
    assert "<td>0</td><td>2</td><td>0</td>" in mng  # support, oppose, notes
    assert "Mongolia" in summary  # codes resolve through the directory's aliases
    assert 'data-testid="unknown-codes">' in summary and "XYZ" in summary


def test_the_panel_names_the_five_who_block_most(client_for, alice, document, sam):
    text = "PP1. [a] (-FFF) (-EEE) (-DDD) (-CCC) (-BBB) (-AAA)\n\nPP2. [b] (-FFF) (-CHAIR)\n"
    revision = services.revision_import(
        actor=sam, document=document, data=text.encode(), kind="draft"
    ).revision
    body = client_for(alice).get(_revision_url(revision)).content.decode()
    blockers = search(r'data-testid="blockers">(.*?)</ol>', body, re.S).group(1)
    named = re.findall(r'<a href="\?delegation=(\w+)&amp;only=1">', blockers)
    assert named == ["FFF", "AAA", "BBB", "CCC", "DDD"]
    assert "(PP1, PP2)" in blockers


def test_delegation_filter_marks_where_it_supports_and_opposes(client_for, alice, revision):
    url = _revision_url(revision)
    body = client_for(alice).get(url, {"delegation": "mng"}).content.decode()
    assert 'data-testid="opposes">PP2, OP1<' in body
    assert 'data-testid="supports">—<' in body
    assert 'data-key="PP2" data-status="bracketed" data-stance="oppose"' in body
    only = client_for(alice).get(url, {"delegation": "KAZ", "only": "1"}).content.decode()
    assert re.findall(r'data-key="([^"]+)"', only) == ["PP2", "OP1"]


def test_delegation_filter_answers_htmx_with_the_paragraphs_only(client_for, alice, revision):
    response = client_for(alice).get(
        _revision_url(revision),
        {"delegation": "THA"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="neg-paragraphs",
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="neg-paragraphs"')
    assert "<html" not in body
    assert 'data-key="PP2" data-status="bracketed" data-stance="note"' in body


def test_source_text_is_served_byte_for_byte_and_clean_text_too(client_for, anna, document, sam):
    data = "\ufeffPP1. [a] (+KAZ) b\r\nPP2. c\r\n".encode()
    revision = services.revision_import(
        actor=sam, document=document, data=data, kind="draft"
    ).revision
    client = client_for(anna)
    source = client.get(
        reverse("negotiations:revision_text", args=[document.pk, revision.pk, "source"])
    )
    assert source.content == data
    assert source["Content-Type"] == "text/plain; charset=utf-8"
    clean = client.get(
        reverse("negotiations:revision_text", args=[document.pk, revision.pk, "clean"])
    )
    assert "[a]" not in clean.content.decode() and "PP2. c" in clean.content.decode()
    other = reverse("negotiations:revision_text", args=[document.pk, revision.pk, "other"])
    assert client.get(other).status_code == 404


# --- compare ----------------------------------------------------------------------------------


def test_compare_shows_added_removed_changed_brackets_and_positions(
    client_for, alice, revision, sam
):
    text = SHORT_TEXT.replace("[twice a year] (+KAZ, -MNG with reservation)", "twice a year")
    text = text.replace("PP1. Recalling our shared commitments;\n\n", "")
    text += "\nOP3. Ask the secretariat [to report] (-KAZ).\n"
    new = services.revision_import(
        actor=sam, document=revision.document, data=text, kind="rev", number=2
    ).revision
    url = reverse("negotiations:compare", args=[revision.document_id])
    body = client_for(alice).get(url, {"old": revision.pk, "new": new.pk}).content.decode()
    assert 'data-testid="added-count">1<' in body and 'data-key="OP3"' in body
    assert 'data-testid="removed-count">1<' in body
    assert 'data-testid="changed" data-key="OP1"' in body
    op1 = search(r'data-key="OP1".*?</article>', body, re.S).group(0)
    assert "bracketed → agreed" in op1
    assert "Bracket removed: [twice a year]" in op1
    assert 'data-testid="position-removed"' in op1 and "MNG" in op1
    assert '<del class="diff-del">' in op1


def test_compare_defaults_to_the_last_two_and_needs_two(client_for, alice, revision, sam):
    client = client_for(alice)
    url = reverse("negotiations:compare", args=[revision.document_id])
    assert "Two revisions are needed" in client.get(url).content.decode()
    services.revision_import(
        actor=sam, document=revision.document, data=SHORT_TEXT + "x\n", kind="rev", number=2
    )
    assert 'data-testid="changed-count">1<' in client.get(url).content.decode()


def _breadcrumb(html: str) -> str:
    return search(r'<p class="neg-crumbs" data-testid="breadcrumb">(.*?)</p>', html, re.S)[1]


@pytest.mark.parametrize("page", ["document", "revision", "compare"])
def test_breadcrumb_ends_with_the_current_page_as_text(client_for, alice, revision, page):
    document = revision.document
    document_url = reverse("negotiations:document", args=[document.pk])
    url, current = {
        "document": (document_url, document.symbol),
        "revision": (_revision_url(revision), revision.label),
        "compare": (reverse("negotiations:compare", args=[document.pk]), "Compare revisions"),
    }[page]
    crumbs = _breadcrumb(client_for(alice).get(url).content.decode())
    assert crumbs.endswith(f'<span aria-current="page">{current}</span>')
    assert f'href="{url}"' not in crumbs and crumbs.count("aria-current") == 1
    assert f'href="{reverse("negotiations:list")}"' in crumbs
    assert (f'href="{document_url}"' in crumbs) is (page != "document")


def test_compare_refuses_another_states_document(client_for, alice, asean_document):
    url = reverse("negotiations:compare", args=[asean_document.pk])
    assert client_for(alice).get(url).status_code == 404


# --- found on a walk through the demo ---------------------------------------------------------


def test_observer_sees_no_link_to_the_negotiations_they_may_not_open(client_for, olga, alice):
    url = reverse("negotiations:list")
    for path in ("/", reverse("directory:search")):
        assert f'href="{url}"' not in client_for(olga).get(path).content.decode()
    assert f'href="{url}"' in client_for(alice).get("/").content.decode()


def test_refusal_is_explained_in_the_users_language(client_for, olga):
    client = client_for(olga)
    client.cookies["django_language"] = "ru"
    response = client.get(reverse("negotiations:list"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Переговоры доступны государствам-членам и секретариату." in body
    assert "Negotiations are open" not in body


def test_import_time_names_its_time_zone(client_for, alice, revision):
    alice.time_zone = "Asia/Almaty"
    alice.save()
    response = client_for(alice).get(reverse("negotiations:document", args=[revision.document_id]))
    assert re.search(
        r'\d{4}-\d\d-\d\d \d\d:\d\d</span> <span class="muted" data-testid="imported-tz">'
        r"Asia/Almaty</span>",
        response.content.decode(),
    )
