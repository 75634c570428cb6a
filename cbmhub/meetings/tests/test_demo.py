"""The meetings demo: loads after the apps below it, moves the demo document to the SOC,
and a second run adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest

from cbmhub.meetings import selectors
from cbmhub.meetings.models import Meeting, Note

pytestmark = pytest.mark.django_db


def test_demo_loads_once():
    from django.core.management import call_command

    call_command("demo", stdout=StringIO())
    meetings = Meeting.objects.count()
    assert meetings == 4
    note = Note.objects.get()
    assert sorted(note.versions.values_list("language", flat=True)) == ["en", "kk", "ru"]
    assert note.symbol == "SWG/OI/1401" and note.enclosures.count() == 1
    document = note.enclosures.get().document
    assert document is not None
    from cbmhub.accounts.models import User

    user = User.objects.get(username="kaz-focal")
    stage = selectors.document_stage(selectors.document_path(user, document))
    assert stage is not None and stage.label == "Recommended by SWG for approval by SOC"
    # One agenda item discusses the measures demo's plan of implementation (and its measure).
    from cbmhub.measures.models import Plan
    from cbmhub.meetings.models import AgendaItem

    linked = AgendaItem.objects.get(plan__isnull=False)
    assert linked.plan == Plan.objects.get(title="Plan of implementation on ICT security")
    assert linked.measure is not None and linked.measure.code == "2.1"
    assert linked.meeting.organisation.acronym == "CICA"
    assert (
        not selectors.meeting_list(User.objects.get(username="tha-cert"))
        .filter(restricted=True)
        .exists()
    )
    # Circulated through the hotline: delivered to every member state, read by Kazakhstan.
    message = note.circulated_message
    assert message is not None and message.kind == "note_verbale"
    assert (
        message.attachments.count() == 3 and message.sender_organisation_id == note.organisation_id
    )
    receipts = selectors.note_circulation(user, note)
    assert receipts and all(r.delivered_at for r in receipts)
    assert [r.state.iso3 for r in receipts if r.acknowledged_at] == ["KAZ"]
    from cbmhub.hotline import record

    assert record.record_verify(message.channel).ok
    call_command("demo", stdout=StringIO())
    assert Meeting.objects.count() == meetings and Note.objects.count() == 1
    assert Note.objects.get().circulated_message_id == message.pk
    assert AgendaItem.objects.filter(plan__isnull=False).count() == 1
