"""The comparison page with paragraphs aligned by content (issue 10, item 3): the demo's
renumbering OP5 -> OP6 is a move, not a change of OP5 and an added OP6."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cbmhub.conftest import search
from cbmhub.negotiations import services
from cbmhub.negotiations.demo import REV_1, REV_2

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_revisions(document, sam):
    return [
        services.revision_import(
            actor=sam, document=document, data=text.encode(), kind="rev", number=number
        ).revision
        for number, text in ((1, REV_1), (2, REV_2))
    ]


def test_the_demo_renumbering_is_shown_as_a_move(client_for, alice, demo_revisions):
    old, new = demo_revisions
    url = reverse("negotiations:compare", args=[old.document_id])
    body = client_for(alice).get(url, {"old": old.pk, "new": new.pk}).content.decode()
    assert 'data-testid="moved-count">1<' in body
    assert 'data-testid="added-count">2<' in body  # PP5 and the new OP5
    assert 'data-testid="removed-count">1<' in body  # OP4 altern.
    moved = search(r'<li data-testid="moved".*?</li>', body, re.S).group(0)
    assert 'data-key="OP6" data-old-key="OP5"' in moved
    assert ">OP5</a> → <a" in moved and ">OP6</a>" in moved
    changed = re.findall(r'data-testid="changed" data-key="([^"]+)"', body)
    assert "OP5" not in changed and "OP6" not in changed
    added = re.findall(r'data-testid="added" data-key="([^"]+)"', body)
    assert added == ["PP5", "OP5"]


def test_a_renumbered_and_edited_paragraph_shows_old_and_new_labels(
    client_for, alice, document, sam
):
    old_text = (
        "PP1. Recalling the charter;\n\nPP2. Gone entirely now;\n\n"
        "PP3. Stressing replies to requests for information;\n"
    )
    new_text = (
        "PP1. Recalling the charter;\n\n"
        "PP2. Stressing timely replies to requests for information;\n"
    )
    old, new = (
        services.revision_import(
            actor=sam, document=document, data=text.encode(), kind="rev", number=n
        ).revision
        for n, text in ((1, old_text), (2, new_text))
    )
    url = reverse("negotiations:compare", args=[document.pk])
    body = client_for(alice).get(url, {"old": old.pk, "new": new.pk}).content.decode()
    card = search(r'<article class="card neg-change".*?</article>', body, re.S).group(0)
    assert 'data-key="PP2" data-old-key="PP3"' in card
    assert ">PP3</a> → <a" in card
    assert '<ins class="diff-ins"> timely</ins>' in card
    assert re.findall(r'data-testid="removed" data-key="([^"]+)"', body) == ["PP2"]
