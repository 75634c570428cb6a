"""The revision page for long texts (issue 10, items 4 and 16): the status filter without a
delegation, the filter kept in every link, the paragraph navigation (following the filter
through htmx), conditional paragraphs, and emphasis shown as bold or italic."""

from __future__ import annotations

import re

import pytest
from django.http import QueryDict
from django.urls import reverse

from cbmhub.conftest import search
from cbmhub.negotiations import services
from cbmhub.negotiations.views import filter_query

pytestmark = pytest.mark.django_db

TEXT = (
    "PP1. Recalling the Charter; (VIE: with PP3)\n"
    "\n"
    "PP2. Stressing the [importance] (-MNG) of replies;\n"
    "\n"
    "PP3. Noting the **common** list and the *voluntary* nature of measures;\n"
    "\n"
    "Closing words without a label.\n"
    "\n"
    "OP1. Agree to [meet] (+KAZ) (-MNG) twice a year.\n"
)


@pytest.fixture
def long_revision(document, sam):
    return services.revision_import(
        actor=sam, document=document, data=TEXT.encode(), kind="rev", number=1
    ).revision


def _url(revision):
    return reverse("negotiations:revision", args=[revision.document_id, revision.pk])


def _keys(body: str) -> list[str]:
    return re.findall(r'data-testid="paragraph" data-key="([^"]+)"', body)


def test_status_filter_needs_no_delegation(client_for, alice, long_revision):
    client = client_for(alice)
    url = _url(long_revision)
    assert _keys(client.get(url).content.decode()) == ["PP1", "PP2", "PP3", "¶4", "OP1"]
    assert _keys(client.get(url, {"status": "bracketed"}).content.decode()) == ["PP2", "OP1"]
    assert _keys(client.get(url, {"status": "conditional"}).content.decode()) == ["PP1"]
    assert _keys(client.get(url, {"status": "agreed"}).content.decode()) == ["PP3", "¶4"]
    # An unknown status is no filter, not an error.
    assert len(_keys(client.get(url, {"status": "nonsense"}).content.decode())) == 5
    # With a delegation: both apply.
    both = client.get(url, {"status": "bracketed", "delegation": "KAZ", "only": "1"})
    assert _keys(both.content.decode()) == ["OP1"]


def test_the_side_panel_links_keep_the_filter(client_for, alice, long_revision):
    body = client_for(alice).get(_url(long_revision), {"status": "bracketed"}).content.decode()
    blockers = search(r'data-testid="blockers">(.*?)</ol>', body, re.S).group(1)
    assert 'href="?delegation=MNG&amp;only=1&amp;status=bracketed"' in blockers
    table = search(r'data-testid="delegations">(.*?)</table>', body, re.S).group(1)
    assert 'href="?delegation=KAZ&amp;status=bracketed"' in table
    assert '<option value="bracketed" selected>' in body
    # "only its paragraphs" is kept when another delegation is picked from the table.
    query = {"delegation": "MNG", "only": "1", "status": "bracketed"}
    body = client_for(alice).get(_url(long_revision), query).content.decode()
    table = search(r'data-testid="delegations">(.*?)</table>', body, re.S).group(1)
    assert 'href="?delegation=KAZ&amp;only=1&amp;status=bracketed"' in table


def test_filter_query_replaces_and_removes_parameters():
    params = QueryDict("delegation=ISR&only=1&status=bracketed&page=3")
    assert filter_query(params, delegation="CHN") == "delegation=CHN&only=1&status=bracketed"
    assert filter_query(params, only="") == "delegation=ISR&status=bracketed"
    assert filter_query(QueryDict(""), delegation="A B") == "delegation=A+B"


def test_paragraph_navigation_lists_the_numbered_paragraphs_shown(client_for, alice, long_revision):
    client = client_for(alice)
    body = client.get(_url(long_revision)).content.decode()
    nav = search(r'data-testid="paragraph-nav".*?</nav>', body, re.S).group(0)
    assert re.findall(r'<a href="#p-([^"]+)"', nav) == ["PP1", "PP2", "PP3", "OP1"]
    assert 'class="neg-nav-conditional">PP1<' in nav and 'class="neg-nav-bracketed">PP2<' in nav
    # Through htmx the paragraphs come back with the navigation out of band, filtered alike.
    partial = client.get(
        _url(long_revision),
        {"status": "bracketed"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="neg-paragraphs",
    ).content.decode()
    assert partial.lstrip().startswith('<div id="neg-paragraphs"')
    nav = search(r'<nav [^>]*id="neg-nav"[^>]*>.*?</nav>', partial, re.S).group(0)
    assert 'hx-swap-oob="true"' in nav
    assert re.findall(r'<a href="#p-([^"]+)"', nav) == ["PP2", "OP1"]
    full = client.get(_url(long_revision)).content.decode()
    assert full.count('id="neg-nav"') == 1 and "hx-swap-oob" not in full


def test_conditional_paragraphs_are_counted_and_marked(client_for, alice, long_revision):
    body = client_for(alice).get(_url(long_revision)).content.decode()
    assert 'data-testid="agreed-count">2<' in body
    assert 'data-testid="bracketed-count">2<' in body
    assert 'data-testid="conditional-count">1<' in body
    pp1 = search(r'<article id="p-PP1".*?</article>', body, re.S).group(0)
    assert 'data-status="conditional"' in pp1 and ">conditional</span>" in pp1
    document = client_for(alice).get(
        reverse("negotiations:document", args=[long_revision.document_id])
    )
    assert "1 conditional" in " ".join(document.content.decode().split())


def test_bold_and_italic_are_shown_as_such(client_for, alice, long_revision):
    body = client_for(alice).get(_url(long_revision)).content.decode()
    pp3 = search(r'<article id="p-PP3".*?</article>', body, re.S).group(0)
    assert '<span class="neg-text neg-strong">common</span>' in pp3
    assert '<span class="neg-text neg-em">voluntary</span>' in pp3
    # The asterisks are kept (the page holds every character) but not displayed.
    markers = re.findall(
        r'<span class="neg-marker neg-em-marker" aria-hidden="true">(\*+)</span>', pp3
    )
    assert markers == ["**", "**", "*", "*"]


def test_another_states_revision_page_is_refused(client_for, alice, asean_document):
    revision = asean_document.revisions.first()
    response = client_for(alice).get(_url(revision), {"status": "bracketed"})
    assert response.status_code == 404


def test_the_new_panels_are_in_russian(client_for, alice, long_revision, sam):
    from cbmhub.core.tests.test_i18n import english_left_over

    client = client_for(alice)
    body = client.get(_url(long_revision), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Перейти к пункту" in body and "только в квадратных скобках" in body
    assert ">условно<" in body
    assert english_left_over(body) == []
    services.revision_import(
        actor=sam, document=long_revision.document, data=b"OP1. Other.\n", kind="rev", number=2
    )
    compare = reverse("negotiations:compare", args=[long_revision.document_id])
    body = client.get(compare, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "перемещено или перенумеровано" in body
    assert english_left_over(body) == []
