"""Pages: the search, a precedent, "which of this draft is agreed language?"; who is refused;
bad input answered on the page."""

import re

import pytest
from django.urls import reverse

from cbmhub.negotiations.documents.akn import read_akn
from cbmhub.precedent.models import Text

from .conftest import UN_FILES, UNSC

SEARCH = "/precedent/"
ADOPTED_OP1 = (
    "Agree to designate national points of contact for the security of and in the use of "
    "information and communications technologies"
)


def _containing(phrase: str, folder: str) -> int:
    """Paragraphs of the indexed UN files whose text contains ``phrase`` (counted here, by
    plain lower-cased substring, independently of the engine)."""
    return sum(
        phrase in " ".join(p.text.lower().split())
        for name in UN_FILES
        if f"/{folder}/" in name
        for p in read_akn((UNSC / name).read_bytes()).paragraphs
    )


@pytest.mark.django_db
def test_closest_precedent_page_shows_similarity_difference_and_the_un_acknowledged(
    client_for, alice, un_texts
):
    page = (
        client_for(alice)
        .get(SEARCH, {"q": "Decides to remain seized of the matter."})
        .content.decode()
    )
    assert 'data-testid="result"' in page
    assert "S/RES/2677 (2023)" in page or "S/RES/2672 (2023)" in page
    assert '<del class="diff-del"' in page  # "actively" is in the precedent only
    assert "similarity" in page
    assert "Source: United Nations" in page


@pytest.mark.django_db
def test_exact_phrase_lists_every_paragraph_oldest_first_with_filters(client_for, sam, un_texts):
    expected = _containing("actively seized", "English")
    response = client_for(sam).get(SEARCH, {"q": "Actively   SEIZED", "phrase": "on"})
    page = response.content.decode()
    assert page.count('data-testid="result"') == expected > 1
    dates = re.findall(r"· (2023-\d\d-\d\d)", page)
    assert len(dates) == expected and dates == sorted(dates)
    russian = client_for(sam).get(SEARCH, {"q": "активно заниматься", "phrase": "on", "lang": "ru"})
    assert russian.content.decode().count('data-testid="result"') == _containing(
        "активно заниматься", "Russian"
    )
    preamble_only = client_for(sam).get(
        SEARCH, {"q": "actively seized", "phrase": "on", "kind": "preamble"}
    )
    assert 'data-testid="result"' not in preamble_only.content.decode()


ASEAN_OP1 = "share national strategies on the resilience of submarine communication cables"


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["bob", "sara", "root"])
def test_readers_of_asean_see_its_adopted_text_as_precedent(
    request, client_for, user, asean_adopted, un_texts
):
    client = client_for(request.getfixturevalue(user))
    assert b"ARF/ISM/7 Adopted text" in client.get(SEARCH, {"q": ASEAN_OP1}).content
    phrase = client.get(SEARCH, {"q": "submarine communication cables", "phrase": "on"})
    assert b"ARF/ISM/7 Adopted text" in phrase.content


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["alice", "carol", "sam"])
def test_a_precedent_from_a_text_the_user_may_not_read_is_never_shown(
    request, client_for, user, asean_adopted, draft
):
    """Alice and Carol's states take no part in ASEAN's negotiations, Sam is CICA's
    secretariat: the ASEAN adopted text is neither shown, nor counted, nor reachable by its
    paragraph's address, nor used to mark a CICA draft as agreed language."""
    client = client_for(request.getfixturevalue(user))
    page = client.get(SEARCH, {"q": ASEAN_OP1}).content.decode()
    assert "ARF/ISM/7" not in page
    phrase = client.get(SEARCH, {"q": "submarine communication cables", "phrase": "on"})
    assert "ARF/ISM/7" not in phrase.content.decode()
    assert "0 paragraphs found" in phrase.content.decode()
    hidden = Text.objects.get(revision=asean_adopted).paragraphs.get()
    assert client.get(reverse("precedent:paragraph", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("precedent:draft", args=[asean_adopted.pk])).status_code == 404
    # The CICA draft's page, which Alice, Carol and Sam may read, cites no ASEAN text.
    assert (
        "ARF/ISM/7" not in client.get(reverse("precedent:draft", args=[draft.pk])).content.decode()
    )


@pytest.mark.django_db
def test_observers_and_anonymous_users_are_refused(client, client_for, olga, un_texts):
    assert client.get(SEARCH).status_code == 302
    assert client_for(olga).get(SEARCH, {"q": "matter"}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "The query is empty"),
        ("x " * 500_000, "characters long"),
        ("安全理事会决定继续积极处理此案", "None of these words occurs"),
    ],
)
def test_bad_queries_get_a_clear_answer_not_an_error_page(
    client_for, alice, un_texts, query, message
):
    response = (
        client_for(alice).get(SEARCH, {"q": query})
        if len(query) < 10_000
        else (client_for(alice).get(SEARCH, {"q": query[:1_000_000]}))
    )
    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.django_db
def test_draft_page_marks_agreed_language_and_gives_the_share(client_for, alice, draft):
    response = client_for(alice).get(reverse("precedent:draft", args=[draft.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    # OP1 is verbatim the adopted text, OP3 the UN's; PP1 adds one word; OP2 is new.
    assert page.count('data-status="agreed"') == 3
    assert page.count('data-status="new"') == 1
    assert 'data-testid="share"' in page
    detail = client_for(alice).get(reverse("precedent:draft_paragraph", args=[draft.pk, 0]))
    assert '<ins class="diff-ins"' in detail.content.decode()  # "serious" is the draft's own


@pytest.mark.django_db
def test_the_revision_page_offers_the_agreed_language_panel(client_for, alice, olga, draft):
    url = reverse("negotiations:revision", args=[draft.document_id, draft.pk])
    page = client_for(alice).get(url).content.decode()
    assert 'data-testid="precedent-panel"' in page
    assert reverse("precedent:draft", args=[draft.pk]) in page


@pytest.mark.django_db
def test_a_draft_is_never_its_own_precedent(client_for, sam, adopted, un_texts):
    page = client_for(sam).get(reverse("precedent:draft", args=[adopted.pk])).content.decode()
    assert "SWG/ICT/1 Adopted text" not in page.split("<h1>")[1]


@pytest.mark.django_db
def test_the_admin_of_the_index_is_for_operators_only(client_for, root, sam, un_texts):
    assert client_for(root).get("/admin/precedent/text/").status_code == 200
    assert client_for(root).get("/admin/precedent/source/").status_code == 200
    sam.is_staff = True  # even a staff secretariat officer
    sam.save()
    assert client_for(sam).get("/admin/precedent/text/").status_code in (302, 403)


UPLOADED = (
    "PP1. Welcoming the exchange of national cyber incident taxonomies among members;\n\n"
    "OP1. Agree to hold a tabletop exercise on undersea data infrastructure every year.\n"
)


def _upload(data: bytes, name: str = "declaration.txt"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "file": SimpleUploadedFile(name, data),
        "date": "2022-10-13",
        "language": "en",
        "body": "CICA Summit",
    }


@pytest.mark.django_db
def test_a_secretariat_upload_is_precedent_for_its_organisation_only(
    client_for, sam, alice, sara, un_texts
):
    response = client_for(sam).post(reverse("precedent:upload"), _upload(UPLOADED.encode()))
    assert response.status_code == 302
    query = {"q": "tabletop exercise on undersea data infrastructure", "phrase": "on"}
    assert "declaration" in client_for(alice).get(SEARCH, query).content.decode()
    assert "declaration" not in client_for(sara).get(SEARCH, query).content.decode()


@pytest.mark.django_db
def test_only_the_secretariat_uploads_and_bad_files_are_explained(client_for, alice, olga, sam):
    url = reverse("precedent:upload")
    assert client_for(alice).post(url, _upload(UPLOADED.encode())).status_code == 403
    assert client_for(olga).get(url).status_code == 403
    broken = client_for(sam).post(url, _upload(b"<akomaNtoso><statement>", "broken.xml"))
    assert broken.status_code == 400 and "not well-formed" in broken.content.decode()
    latin1 = client_for(sam).post(url, _upload("Déclaration".encode("latin-1")))
    assert latin1.status_code == 400 and "not UTF-8" in latin1.content.decode()
    assert not Text.objects.exists()
