"""The analysis is computed once per revision and kept; the revision page and the API read
what was kept, a page at a time, so neither grows with the text (issue 8, item 8)."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cbmhub.core.roles import SYSTEM
from cbmhub.negotiations import notation, services
from cbmhub.negotiations.models import Revision, RevisionParagraph

from .conftest import SHORT_TEXT

pytestmark = pytest.mark.django_db

# Bounds on what one page weighs, whatever the text: 50 paragraphs or 20,000 characters of
# source, each character at most one shaded span.
MAX_PAGE_BYTES = 1_500_000


def _url(revision, **query):
    url = reverse("negotiations:revision", args=[revision.document_id, revision.pk])
    return url + ("?" + urlencode(query) if query else "")


def _import(document, text, number=2):
    return services.revision_import(
        actor=SYSTEM, document=document, data=text, kind="rev", number=number
    ).revision


@pytest.fixture
def calls(monkeypatch):
    """Every text the engine parses and every analysis it makes, recorded."""
    seen: dict[str, Any] = {"parse": [], "analyse": 0}
    parse, analyse = notation.parse, notation.analyse

    def counting_parse(text):
        seen["parse"].append(len(text))
        return parse(text)

    def counting_analyse(*args, **kwargs):
        seen["analyse"] += 1
        return analyse(*args, **kwargs)

    monkeypatch.setattr(notation, "parse", counting_parse)
    monkeypatch.setattr(notation, "analyse", counting_analyse)
    return seen


def test_import_keeps_one_row_per_paragraph_and_the_analysis(revision):
    expected = notation.analysis_to_json(notation.analyse(notation.parse(SHORT_TEXT)))
    rows = list(RevisionParagraph.objects.filter(revision=revision))
    assert [row.key for row in rows] == [p["key"] for p in expected["paragraphs"]]
    assert [row.positions for row in rows] == [p["positions"] for p in expected["paragraphs"]]
    assert revision.analysis["format"] == services.ANALYSIS_FORMAT
    assert revision.analysis["totals"] == expected["totals"] == revision.totals
    assert rows[1].codes == " KAZ MNG CHAIR THA "


def test_the_page_never_parses_the_whole_text_again(client_for, anna, revision, calls):
    for query in ({}, {"delegation": "KAZ"}, {"delegation": "KAZ", "only": "1"}):
        response = client_for(anna).get(_url(revision, **query))
        assert response.status_code == 200
    assert calls["analyse"] == 0  # before: parsed and analysed in full for every reader
    assert all(length < len(SHORT_TEXT) for length in calls["parse"])  # one paragraph each


def test_clean_text_is_kept_and_served_without_parsing(client_for, anna, revision, calls):
    assert revision.clean_text == notation.clean_text(notation.parse(SHORT_TEXT))
    calls["parse"].clear()
    url = reverse("negotiations:revision_text", args=[revision.document_id, revision.pk, "clean"])
    response = client_for(anna).get(url)
    assert response.content.decode() == revision.clean_text
    assert calls == {"parse": [], "analyse": 0}  # before: parsed for every download


def test_a_revision_kept_before_is_analysed_once_on_first_reading(client_for, anna, revision,
                                                                  calls):  # fmt: skip
    Revision.objects.filter(pk=revision.pk).update(analysis={})
    RevisionParagraph.objects.filter(revision=revision).delete()
    client_for(anna).get(_url(revision))
    client_for(anna).get(_url(revision))
    assert calls["analyse"] == 1
    assert RevisionParagraph.objects.filter(revision=revision).count() == 4


def test_a_long_text_is_paginated_by_paragraphs(client_for, anna, document, corpus_004):
    text = corpus_004.decode("utf-8")
    revision = _import(document, text)
    analysis = notation.analyse(notation.parse(text))
    keys = [p.key for p in analysis.paragraphs]
    pages = revision.analysis["pages"]
    assert pages > 1
    seen = []
    for page in range(1, pages + 1):
        body = client_for(anna).get(_url(revision, page=page)).content.decode()
        seen += [k for k in _keys(body)]
        assert f"Page {page} of {pages}" in body
    assert seen == keys  # every paragraph once, in order
    last = keys[-1]
    body = client_for(anna).get(_url(revision, paragraph=last)).content.decode()
    assert f"Page {pages} of {pages}" in body and last in _keys(body)
    for bad in ("0", str(pages + 1), "x"):
        assert client_for(anna).get(_url(revision, page=bad)).status_code == 404


def _keys(body):
    import re

    return re.findall(r'data-testid="paragraph" data-key="([^"]*)"', body)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,  # a 57 MB page before
        "PP1. " + "[]" * 50_000,
        "(+A)" * 25_000,
        "PP1.\n" * 20_000,
    ],
    ids=["open-brackets", "bracket-pairs", "tags", "short-paragraphs"],
)
def test_hostile_texts_give_pages_of_bounded_size(client_for, anna, document, text):
    revision = _import(document, text)
    response = client_for(anna).get(_url(revision))
    assert response.status_code == 200
    assert len(response.content) < MAX_PAGE_BYTES
    last = client_for(anna).get(_url(revision, page=revision.analysis["pages"]))
    assert last.status_code == 200 and len(last.content) < MAX_PAGE_BYTES


def test_a_paragraph_longer_than_a_page_is_shown_in_parts(client_for, anna, document):
    text = "PP1. " + "word " * 10_000  # 50,005 characters: three parts of 20,000
    revision = _import(document, text)
    assert revision.analysis["pages"] == 3
    words = 0
    for page in (1, 2, 3):
        body = client_for(anna).get(_url(revision, page=page)).content.decode()
        assert f"part {page} of 3" in body
        assert _keys(body) == ["PP1"]
        words += body.count("word")
    assert 9_998 <= words <= 10_000  # every part shown once (a word may be cut between parts)


def test_the_only_filter_is_paginated(client_for, anna, document):
    text = "\n\n".join(f"PP{i}. text (+KAZ)" for i in range(1, 121))
    revision = _import(document, text)
    body = client_for(anna).get(_url(revision, delegation="KAZ", only=1, page=3)).content.decode()
    assert _keys(body) == [f"PP{i}" for i in range(101, 121)]
    assert "Page 3 of 3" in body


def test_diagnostics_beyond_the_limit_are_counted_on_the_page(client_for, anna, document):
    revision = _import(document, "PP1. " + "]" * (notation.MAX_DIAGNOSTICS + 7))
    body = client_for(anna).get(_url(revision)).content.decode()
    assert body.count('data-testid="diagnostic"') == notation.MAX_DIAGNOSTICS
    assert "Problems not listed here: 7" in body


def test_other_state_gets_404_on_every_page(client_for, carol, asean_document):
    revision = asean_document.revisions.get()
    for query in ({}, {"page": 1}, {"page": 2, "delegation": "KAZ", "only": 1}):
        assert client_for(carol).get(_url(revision, **query)).status_code == 404


# --- the API --------------------------------------------------------------------------------


def test_api_analysis_comes_from_storage_a_page_at_a_time(api_for, anna, document, calls):
    text = "\n\n".join(f"PP{i}. text [x] (-MNG)" for i in range(1, 251))
    revision = _import(document, text)
    full = notation.analysis_to_json(notation.analyse(notation.parse(text)))
    calls["analyse"] = 0
    calls["parse"].clear()
    url = reverse("api:negotiations-revision-analysis", args=[document.pk, revision.pk])
    data = api_for(anna).get(url).json()
    assert calls == {"parse": [], "analyse": 0}
    assert data["paragraphs_total"] == 250 and data["limit"] == 100 and data["offset"] == 0
    assert data["paragraphs"] == full["paragraphs"][:100]
    page = api_for(anna).get(url, {"offset": 245, "limit": 10}).json()
    assert page["paragraphs"] == full["paragraphs"][245:]
    assert data["totals"] == full["totals"] and data["consensus"] == full["consensus"]
    assert api_for(anna).get(url, {"limit": 5000}).status_code == 400
    assert api_for(anna).get(url, {"offset": -1}).status_code == 400


def test_api_resolves_codes_now(api_for, anna, revision):
    url = reverse("api:negotiations-revision-analysis", args=[revision.document_id, revision.pk])
    data = api_for(anna).get(url).json()
    assert data["resolved"] is True
    assert data["delegations"]["KAZ"]["state"] is not None
    assert "XYZ" in data["unknown_codes"]


# --- the size cap ---------------------------------------------------------------------------


def test_the_command_refuses_a_file_over_the_cap_saying_the_cap(document, tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"PP1. x\n" * (services.MAX_SOURCE_BYTES // 7 + 2))
    with pytest.raises(CommandError) as caught:
        call_command(
            "revision_import", "--document", str(document.pk), str(path), "--kind", "draft",
            stdout=io.StringIO(),
        )  # fmt: skip
    assert f"more than the {services.MAX_SOURCE_BYTES} bytes a revision may have" in str(
        caught.value
    )
    assert not Revision.objects.exists()


def test_the_service_refuses_text_over_the_cap_saying_the_cap(document):
    with pytest.raises(services.NegotiationsError) as caught:
        services.revision_import(
            actor=SYSTEM, document=document, data="x" * (services.MAX_SOURCE_BYTES + 1),
            kind="draft",
        )  # fmt: skip
    assert caught.value.code == "too_large"
    assert str(services.MAX_SOURCE_BYTES) in caught.value.message
