"""The revision page's status filter and paragraph navigation on the analysis kept per
revision (merge of h-engine, issue 8 item 8, with issue 10 items 4 and 16): the filter reads
``RevisionParagraph.status`` (which knows "conditional"), the navigation reaches paragraphs on
other pages, and the kept analysis agrees with the recount of migration 0002."""

from __future__ import annotations

import importlib
import re
from urllib.parse import urlencode

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from cbmhub.conftest import search
from cbmhub.core.roles import SYSTEM
from cbmhub.negotiations import notation, selectors, services
from cbmhub.negotiations.models import Revision, RevisionParagraph

pytestmark = pytest.mark.django_db

# 120 numbered paragraphs: every third bracketed, every third conditional (a note names
# another paragraph), the rest agreed; 50 a page, so three pages.
LINES = []
for n in range(1, 121):
    if n % 3 == 1:
        LINES.append(f"PP{n}. Noting [the] (-MNG) measure {n};")
    elif n % 3 == 2:
        LINES.append(f"PP{n}. Recalling measure {n}; (VIE: with PP{n - 1})")
    else:
        LINES.append(f"PP{n}. Welcoming measure {n};")
TEXT = "\n\n".join(LINES) + "\n"


def _url(revision, **query):
    url = reverse("negotiations:revision", args=[revision.document_id, revision.pk])
    return url + ("?" + urlencode(query) if query else "")


def _keys(body: str) -> list[str]:
    return re.findall(r'data-testid="paragraph" data-key="([^"]+)"', body)


def _nav(body: str) -> list[tuple[str, str]]:
    nav = search(r'data-testid="paragraph-nav".*?</nav>', body, re.S).group(0)
    return re.findall(r'<a href="([^"]+)" class="neg-nav-[a-z]+">([^<]+)</a>', nav)


@pytest.fixture
def long_revision(document, sam):
    return services.revision_import(
        actor=sam, document=document, data=TEXT.encode(), kind="rev", number=7
    ).revision


def test_the_kept_rows_and_totals_know_conditional(long_revision):
    statuses = dict(
        RevisionParagraph.objects.filter(revision=long_revision).values_list("key", "status")
    )
    assert statuses["PP1"] == "bracketed"
    assert statuses["PP2"] == "conditional"
    assert statuses["PP3"] == "agreed"
    totals = long_revision.totals
    assert (totals["agreed"], totals["bracketed"], totals["conditional"]) == (40, 40, 40)
    assert long_revision.analysis["totals"] == totals
    assert long_revision.analysis["pages"] == 3


def test_the_recount_migration_agrees_with_the_kept_analysis(long_revision):
    """0002_recount_totals_conditional recomputes the cached totals from the source; on a
    revision whose analysis is kept it must find what the kept analysis says."""
    recount = importlib.import_module(
        "cbmhub.negotiations.migrations.0002_recount_totals_conditional"
    ).recount
    # The totals as counted before "conditional": those paragraphs counted as agreed.
    stale = dict(long_revision.totals)
    stale["agreed"] += stale.pop("conditional")
    Revision.objects.filter(pk=long_revision.pk).update(totals=stale)
    recount(django_apps, None)
    long_revision.refresh_from_db()
    assert long_revision.totals == long_revision.analysis["totals"]
    assert long_revision.totals["conditional"] == 40


def test_an_analysis_kept_before_conditional_is_made_again(client_for, alice, long_revision):
    """A kept analysis of format 1 came from an engine without "conditional": its rows said
    "agreed"; the first reading analyses the text again."""
    RevisionParagraph.objects.filter(revision=long_revision, status="conditional").update(
        status="agreed"
    )
    analysis = dict(long_revision.analysis, format=1)
    Revision.objects.filter(pk=long_revision.pk).update(analysis=analysis)
    body = client_for(alice).get(_url(long_revision, status="conditional")).content.decode()
    assert _keys(body)[:3] == ["PP2", "PP5", "PP8"]
    assert (
        RevisionParagraph.objects.filter(revision=long_revision, status="conditional").count() == 40
    )


def test_the_status_filter_pages_over_the_kept_rows(client_for, alice, long_revision, monkeypatch):
    client = client_for(alice)
    parsed: list[int] = []
    parse = notation.parse

    def counting_parse(text: str) -> notation.Document:
        parsed.append(len(text))
        return parse(text)

    monkeypatch.setattr(notation, "parse", counting_parse)
    first = client.get(_url(long_revision, status="bracketed")).content.decode()
    assert _keys(first) == [f"PP{n}" for n in range(1, 121, 3)]  # 40: one page
    conditional = client.get(_url(long_revision, status="conditional")).content.decode()
    assert _keys(conditional) == [f"PP{n}" for n in range(2, 121, 3)]
    # Only the paragraphs shown are parsed, never the whole text.
    assert parsed and max(parsed) < 100
    # With a delegation too: VIE's notes are on the conditional paragraphs only.
    both = client.get(_url(long_revision, status="bracketed", delegation="VIE", only="1"))
    assert _keys(both.content.decode()) == []
    both = client.get(_url(long_revision, status="conditional", delegation="VIE", only="1"))
    assert len(_keys(both.content.decode())) == 40


def test_the_filtered_pages_keep_the_filter_in_their_links(client_for, alice, document, sam):
    # 130 bracketed paragraphs: three filtered pages.
    text = "\n\n".join(f"OP{n}. Agree [to act] (+KAZ) {n}." for n in range(1, 131)) + "\n"
    revision = services.revision_import(
        actor=sam, document=document, data=text.encode(), kind="rev", number=8
    ).revision
    client = client_for(alice)
    body = client.get(_url(revision, status="bracketed")).content.decode()
    assert len(_keys(body)) == selectors.PAGE_PARAGRAPHS
    assert 'href="?status=bracketed&amp;page=2"' in body
    assert '<input type="hidden" name="status" value="bracketed">' in body  # "go to" keeps it
    second = client.get(_url(revision, status="bracketed", page=2)).content.decode()
    assert _keys(second)[0] == "OP51"
    # The filter form keeps the page it was on, within the pages the filter has.
    beyond = client.get(_url(revision, status="bracketed", page=9)).content.decode()
    assert _keys(beyond)[0] == "OP101"
    # ?paragraph=KEY under a filter opens the filtered page it is on.
    jump = client.get(_url(revision, status="bracketed", paragraph="OP77")).content.decode()
    assert "OP77" in _keys(jump) and _keys(jump)[0] == "OP51"


def test_the_navigation_reaches_paragraphs_on_other_pages(client_for, alice, long_revision):
    client = client_for(alice)
    body = client.get(_url(long_revision)).content.decode()
    links = dict((key, href) for href, key in _nav(body))
    assert len(links) == 120  # every numbered paragraph, not only those on this page
    assert links["PP1"] == "#p-PP1"  # on this page: a jump within it
    assert links["PP77"] == "?paragraph=PP77#p-PP77"  # on page 2: opens that page
    page = client.get(_url(long_revision, paragraph="PP77")).content.decode()
    assert "PP77" in _keys(page) and 'aria-current="page">2<' in page
    links = {key: href for href, key in _nav(page)}
    assert links["PP77"] == "#p-PP77" and links["PP1"] == "?paragraph=PP1#p-PP1"
    # Under a filter the navigation lists what the filter keeps, and its links keep it.
    filtered = client.get(_url(long_revision, status="conditional", delegation="VIE", only="1"))
    nav = _nav(filtered.content.decode())
    assert [key for _, key in nav] == [f"PP{n}" for n in range(2, 121, 3)]
    assert all(href == f"#p-{key}" for href, key in nav)  # 40: all on the one filtered page


def test_the_navigation_lists_a_bounded_window_around_the_page(
    client_for, alice, long_revision, monkeypatch
):
    monkeypatch.setattr(selectors, "MAX_NAV", 10)
    client = client_for(alice)
    body = client.get(_url(long_revision, page=2)).content.decode()
    keys = [key for _, key in _nav(body)]
    assert keys == [f"PP{n}" for n in range(46, 56)]  # page 2 starts at PP51
    assert 'data-testid="nav-window"' in body and "(120)" in body
    last = client.get(_url(long_revision, page=3)).content.decode()
    assert [key for _, key in _nav(last)] == [f"PP{n}" for n in range(96, 106)]  # from PP101


def test_the_comparison_links_open_the_page_of_the_paragraph(client_for, alice, long_revision):
    text = TEXT.replace("Welcoming measure 99;", "Welcoming measure ninety-nine;")
    services.revision_import(
        actor=SYSTEM, document=long_revision.document, data=text.encode(), kind="rev", number=9
    )
    url = reverse("negotiations:compare", args=[long_revision.document_id])
    body = client_for(alice).get(url).content.decode()
    assert "?paragraph=PP99#p-PP99" in body


@pytest.mark.parametrize(("name", "value"), [("offset", " 1"), ("offset", "1.5"), ("limit", "")])
def test_the_analysis_api_reads_its_paging_as_strictly_as_every_list(
    api_for, alice, long_revision, name, value
):
    url = reverse(
        "api:negotiations-revision-analysis", args=[long_revision.document_id, long_revision.pk]
    )
    response = api_for(alice).get(url, {name: value})
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["error"]["details"]] == [name]
    # The bounds are those of every list (offset up to 2**31 - 1; it was 10**9 here).
    beyond = api_for(alice).get(url, {"offset": str(2**31 - 1)})
    assert beyond.status_code == 200 and beyond.json()["paragraphs"] == []
    assert api_for(alice).get(url, {"offset": str(2**31)}).status_code == 400
    page = api_for(alice).get(url, {"offset": "118"}).json()
    assert [p["key"] for p in page["paragraphs"]] == ["PP119", "PP120"]
    assert page["paragraphs"][0]["status"] == "conditional"
    assert page["paragraphs"][0]["notes"][0]["conditional"] is True
