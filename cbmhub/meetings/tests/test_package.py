"""The corpus file 004 splits into one note (three language versions) and six enclosures, each
with its own paragraph labels; the splitter is pure, the import stores what was confirmed."""

from __future__ import annotations

import pytest

from cbmhub.core.errors import Forbidden
from cbmhub.core.roles import SYSTEM
from cbmhub.meetings import package
from cbmhub.meetings.services import MeetingsError, VersionInput, package_import
from cbmhub.negotiations.models import RevisionParagraph

TITLES = [
    "RECOMMENDATIONS of the Special Working Group meeting on 28-29 September and 4 October 2022",
    "Draft CICA Leaders' Statement on Cooperation in the Field of Security of and in the Use of "
    "Information and Communication Technologies",
    "CONCEPT PAPER on Implementation of Confidence Building Measures in the Human Dimension",
    "DRAFT ASTANA STATEMENT ON CICA TRANSFORMATION",
    "Draft CICA Plan of Action on the Implementation of the United Nations Global "
    "Counter-Terrorism Strategy",
    "Draft Concept Paper and plan of implementation of the CICA confidence-building measure "
    '"Security of and in the use of ICTs" for 2022-2023',
]
ASTANA_LABELS = (
    [f"PP{n}." for n in (1, 2, 3, 4)]
    + ["PP5a.", "PP5b.", "PP5c.", "PP5d.", "PP5e.", "PP5e altern."]
    + [f"PP{n}." for n in range(6, 13)]
    + ["OP1.", "OP2.", "OP3.", "OP4.", "OP5.", "(1)", "(2)", "(3)", "(4)", "OP6.", "OP7."]
)


def test_split_of_corpus_004(corpus_004):
    result = package.split_package(corpus_004)
    assert result.symbol == "SWG/OI/1262"
    assert [v.language for v in result.versions] == ["en", "ru", "kk"]
    assert "presents its compliments" in result.versions[0].text
    assert "свидетельствует свое уважение" in result.versions[1].text
    assert "Хатшылығы" in result.versions[2].text
    assert [e.title for e in result.enclosures] == TITLES
    assert [e.kind for e in result.enclosures] == ["draft"] * 3 + ["podium"] + ["draft"] * 2
    recommendations, leaders, concept, astana, plan, ict = result.enclosures
    assert recommendations.labels == ["1.", "2.", "3.", "4.", "5."]
    assert leaders.labels == [f"{n}." for n in range(1, 8)]
    assert concept.labels == [f"{n}." for n in range(1, 10)]
    assert astana.labels == ASTANA_LABELS
    # Four pillars, each numbered from 1 (7, 13, 7, 3 paragraphs).
    assert plan.labels.count("1.") == 4 and len(plan.labels) == 30
    assert ict.labels[:7] == ["1.", "2.", "a)", "b)", "c)", "d)", "e)"]
    # The cover notes are not part of any enclosure.
    assert not any("presents its compliments" in e.text for e in result.enclosures)
    json = result.to_json()
    assert json["symbol"] == "SWG/OI/1262"
    assert [e["paragraphs"] for e in json["enclosures"]][3] >= 28


def test_language_of():
    assert package.language_of("The Secretariat presents its compliments") == "en"
    assert package.language_of("Секретариат свидетельствует свое уважение") == "ru"
    assert package.language_of("Азия Кеңесінің Хатшылығы") == "kk"
    assert package.language_of("№ SWG/OI/1262") == ""


def test_a_text_without_headings_is_all_note():
    result = package.split_package("Just a note.\n\nIn two paragraphs of English text here.")
    assert result.enclosures == [] and result.symbol == ""


@pytest.mark.django_db
def test_import_stores_note_and_documents(corpus_004, cica, negotiation, sam, alice):
    import datetime

    split = package.split_package(corpus_004)
    versions = [
        VersionInput(v.language, v.text, "original" if i == 0 else "translation")
        for i, v in enumerate(split.versions)
    ]
    enclosures = [(e.title, e.kind, e.text) for e in split.enclosures]
    kwargs = dict(
        organisation=cica,
        negotiation=negotiation,
        symbol=split.symbol,
        place="Astana",
        date=datetime.date(2022, 10, 4),
        versions=versions,
        enclosures=enclosures,
    )
    with pytest.raises(Forbidden):
        package_import(actor=alice, **kwargs)
    result = package_import(actor=sam, **kwargs)
    note = result.note
    assert (note.symbol, note.number, note.status) == ("SWG/OI/1262", 1262, "issued")
    assert sorted(note.versions.values_list("language", flat=True)) == ["en", "kk", "ru"]
    assert note.enclosures.count() == 6 and len(result.documents) == 6
    astana = result.documents[3]
    assert astana.symbol == "SWG/OI/1262/Encl.4"
    assert astana.revisions.get().kind == "podium"
    labels = list(
        RevisionParagraph.objects.filter(revision__document=astana)
        .exclude(label="")
        .order_by("index")
        .values_list("label", flat=True)
    )
    assert labels == ASTANA_LABELS
    assert note.series.last_number == 1262
    with pytest.raises(MeetingsError) as error:
        package_import(actor=SYSTEM, **kwargs)
    assert error.value.code == "duplicate"
