"""Database constraints of revisions: only a revision (Rev.N) has a number, and the number is
unique in its document."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from cbmhub.negotiations.choices import revision_label
from cbmhub.negotiations.models import Revision

pytestmark = pytest.mark.django_db


def _revision(document, **fields):
    defaults = {"kind": "rev", "number": 1, "label": "Rev.1", "source_text": "x"}
    return Revision(document=document, source_sha256="0" * 64, **{**defaults, **fields})


def test_rev_numbers_are_unique_per_document(document):
    _revision(document).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _revision(document).save()
    _revision(document, number=2).save()


@pytest.mark.parametrize(("kind", "number"), [("rev", None), ("draft", 1)])
def test_number_only_for_rev(document, kind, number):
    with pytest.raises(IntegrityError), transaction.atomic():
        _revision(document, kind=kind, number=number).save()


def test_several_drafts_may_exist(document):
    _revision(document, kind="draft", number=None).save()
    _revision(document, kind="draft", number=None, source_text="y").save()
    assert Revision.objects.count() == 2


def test_labels():
    assert revision_label("rev", 6) == "Rev.6"
    assert revision_label("podium", None) == "Podium version"


def test_str(revision):
    assert str(revision) == "SWG/OI/9001 Rev.1"
    assert str(revision.document.negotiation) == "CICA: Statement on ICT confidence"


def test_the_recount_migration_makes_cached_totals_count_conditional_paragraphs(revision, sam):
    """Revisions imported before the "conditional" status cached it as agreed; the data
    migration recounts them from the source."""
    import importlib

    from django.apps import apps

    from cbmhub.negotiations import services

    text = "PP1. Recalling; (VIE: with PP2)\n\nPP2. Noting.\n"
    new = services.revision_import(
        actor=sam, document=revision.document, data=text.encode(), kind="rev", number=2
    ).revision
    old_style = {"paragraphs": 2, "agreed": 2, "bracketed": 0}
    Revision.objects.filter(pk=new.pk).update(totals=old_style)
    migration = importlib.import_module(
        "cbmhub.negotiations.migrations.0002_recount_totals_conditional"
    )
    migration.recount(apps, None)
    new.refresh_from_db()
    assert (new.totals["agreed"], new.totals["conditional"]) == (1, 1)
