"""The meetings pages: what each user sees and may do, refusals, query counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from cbmhub.core.roles import SYSTEM
from cbmhub.meetings import services
from cbmhub.meetings.models import Delegation, Meeting, Note

from .conftest import CORPUS_004, HEAD, PARTS

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"meetings:{name}", args=args)


def test_list_shows_visible_meetings_only(client_for, meeting, bilateral, alice, carol, olga):
    page = client_for(alice).get(url("list")).content.decode()
    assert "Special Working Group meeting" in page and "Bilateral consultation" in page
    page = client_for(carol).get(url("list")).content.decode()
    assert "Special Working Group meeting" in page and "Bilateral consultation" not in page


def test_observer_is_refused_the_pages(client_for, meeting, olga):
    client = client_for(olga)
    assert client.get(url("list")).status_code == 403
    assert client.get(url("detail", meeting.pk)).status_code == 403


def test_bilateral_meeting_page_is_404_for_a_third_state(client_for, bilateral, carol, bob):
    assert client_for(bob).get(url("detail", bilateral.pk)).status_code == 200
    assert client_for(carol).get(url("detail", bilateral.pk)).status_code == 404
    assert client_for(carol).get(url("ics", bilateral.pk)).status_code == 404


def test_other_organisation_secretariat_gets_404(client_for, meeting, sara):
    assert client_for(sara).get(url("detail", meeting.pk)).status_code == 404


def test_convene_through_the_form(client_for, sam, swg, alice):
    data = {
        "body": swg.pk,
        "title": "SWG autumn session",
        "kind": "session",
        "time_zone": "Asia/Almaty",
        "part1_start": "2030-09-28T10:00",
        "part1_end": "2030-09-28T18:00",
        "part1_venue": "Astana",
    }
    assert client_for(alice).post(url("create"), data).status_code == 403
    response = client_for(sam).post(url("create"), data)
    meeting = Meeting.objects.get(title="SWG autumn session")
    assert response.status_code == 302
    part = meeting.parts.get()
    # Kazakhstan has kept UTC+5 since 2024: 10:00 in Astana is 05:00 UTC.
    assert part.starts_at.isoformat() == "2030-09-28T05:00:00+00:00"


def test_convene_form_names_the_bad_part(client_for, sam, swg):
    data = {
        "body": swg.pk,
        "title": "x",
        "kind": "session",
        "time_zone": "Asia/Almaty",
        "part1_start": "2030-09-28T10:00",
        "part1_end": "2030-09-28T18:00",
    }
    response = client_for(sam).post(url("create"), data)
    assert response.status_code == 400
    assert "needs a venue or an online link" in response.content.decode()


def test_nominate_and_accept_through_pages(client_for, meeting, alice, bob, sam):
    data = {"name1": "Aidos Bekov", "function1": "Ambassador", "email1": "a@example.org"}
    assert client_for(alice).post(url("nominate", meeting.pk), data).status_code == 302
    delegation = Delegation.objects.get(meeting=meeting)
    assert delegation.state == alice.state and delegation.status == "nominated"
    # Bob (another state's focal point) can only nominate his own state's delegation.
    client_for(bob).post(url("nominate", meeting.pk), {"name1": "Bataa"})
    assert Delegation.objects.get(pk=delegation.pk).members.get().name == "Aidos Bekov"
    assert client_for(bob).post(url("accept", delegation.pk)).status_code == 403
    assert client_for(sam).post(url("accept", delegation.pk)).status_code == 302
    delegation.refresh_from_db()
    assert delegation.status == "accepted"


def test_point_of_contact_cannot_nominate(client_for, meeting, anna):
    response = client_for(anna).post(url("nominate", meeting.pk), {"name1": "X"})
    assert response.status_code == 403


def test_agenda_outcome_and_document_page_stage(
    client_for, meeting, sam, alice, document, revision, soc
):
    client = client_for(sam)
    client.post(url("agenda_add", meeting.pk), {"title": "Statement", "document": document.pk})
    item = meeting.agenda.get()
    assert item.revision == revision
    response = client.post(
        url("outcome_add", item.pk),
        {
            "kind": "recommendation",
            "wording": "Recommended for approval by the SOC.",
            "effect": "recommend_approval",
            "target_body": soc.pk,
        },
    )
    assert response.status_code == 302
    assert client_for(alice).post(url("outcome_add", item.pk), {}).status_code == 403
    page = client_for(alice).get(reverse("negotiations:document", args=[document.pk]))
    assert "Recommended by SWG for approval by SOC" in page.content.decode()


def test_outcome_form_error_is_shown(client_for, meeting, sam, document):
    item = services.agenda_item_add(actor=SYSTEM, meeting=meeting, title="D", document=document)
    response = client_for(sam).post(
        url("outcome_add", item.pk),
        {"kind": "recommendation", "wording": "x", "effect": "recommend_approval"},
    )
    assert response.status_code == 400
    assert "Name the body the text is recommended to." in response.content.decode()


def test_agenda_move(client_for, meeting, sam):
    a = services.agenda_item_add(actor=SYSTEM, meeting=meeting, title="A")
    services.agenda_item_add(actor=SYSTEM, meeting=meeting, title="B")
    client_for(sam).post(url("agenda_move", a.pk), {"position": 2})
    assert list(meeting.agenda.values_list("title", flat=True)) == ["B", "A"]


def test_participants_list_and_attendance(client_for, meeting, alice, sam, bob):
    delegation = services.delegation_nominate(
        actor=alice, meeting=meeting, state=alice.state, members=HEAD
    )
    services.delegation_accept(actor=sam, delegation=delegation)
    member = delegation.members.get()
    part = meeting.parts.first()
    assert client_for(bob).post(url("attendance", meeting.pk), {}).status_code == 403
    client_for(sam).post(url("attendance", meeting.pk), {f"p{member.pk}-{part.pk}": "on"})
    assert list(member.attended.all()) == [part]
    page = client_for(bob).get(url("participants", meeting.pk)).content.decode()
    assert "Aidos Bekov" in page and "Ambassador" in page


def test_minutes_and_action_points_pages(client_for, meeting, sam, alice):
    client = client_for(sam)
    client.post(url("minutes_add", meeting.pk), {"text": "Draft record."})
    client.post(url("minutes_approve", meeting.pk, 1))
    assert meeting.minutes.get().status == "approved"
    client.post(url("action_add", meeting.pk), {"text": "Circulate", "owner": "Secretariat"})
    assert meeting.action_points.count() == 1
    assert client_for(alice).post(url("minutes_add", meeting.pk), {"text": "x"}).status_code == 403


def test_status_and_invitations(
    client_for, meeting, sam, alice, django_capture_on_commit_callbacks
):
    delegation = services.delegation_nominate(
        actor=alice, meeting=meeting, state=alice.state, members=HEAD
    )
    services.delegation_accept(actor=sam, delegation=delegation)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(sam).post(url("invitations", meeting.pk))
    assert [m.to for m in mail.outbox] == [["aidos@example.org"]]
    name, content, mimetype = mail.outbox[0].attachments[0]
    assert "METHOD:REQUEST" in (content if isinstance(content, str) else content.decode())
    assert client_for(alice).post(url("invitations", meeting.pk)).status_code == 403
    client_for(sam).post(url("status", meeting.pk), {"status": "convened"})
    meeting.refresh_from_db()
    assert meeting.status == "convened"


def test_ics_download_and_feed(client_for, meeting, alice, carol, bilateral):
    response = client_for(alice).get(url("ics", meeting.pk))
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VTIMEZONE" in response.content
    token = services.calendar_token_issue(actor=carol)
    feed = client_for(carol).get(url("feed", token.token)).content.decode()
    assert "Special Working Group meeting" in feed and "Bilateral consultation" not in feed
    services.calendar_token_revoke(actor=carol)
    assert client_for(carol).get(url("feed", token.token)).status_code == 404


def test_feed_token_page(client_for, alice):
    client = client_for(alice)
    client.post(url("feed_token"), {"action": "issue"})
    page = client.get(url("list")).content.decode()
    assert "/meetings/feed/" in page
    client.post(url("feed_token"), {"action": "revoke"})
    assert "/meetings/feed/" not in client.get(url("list")).content.decode()


def test_calendar_month(client_for, meeting, alice):
    page = client_for(alice).get(url("calendar") + "?month=2022-09").content.decode()
    assert "Special Working Group meeting" in page
    assert client_for(alice).get(url("calendar") + "?month=bad").status_code == 200


def test_notes_only_the_secretariat_writes_and_issues(client_for, note, sam, alice):
    assert client_for(alice).get(url("note_create")).status_code == 403
    assert client_for(alice).post(url("note_issue", note.pk)).status_code == 404  # a draft
    client_for(sam).post(url("note_issue", note.pk))
    note.refresh_from_db()
    assert note.symbol == "SWG/OI/1262"
    assert client_for(alice).post(url("note_issue", note.pk)).status_code == 403
    page = client_for(alice).get(url("note", note.pk)).content.decode()
    assert "SWG/OI/1262" in page and "Документы заседания" in page


def test_note_create_form(client_for, series, sam):
    response = client_for(sam).post(
        url("note_create"),
        {
            "series": series.pk,
            "subject": "Invitation",
            "place": "Astana",
            "date": "2026-11-01",
            "language": "en",
            "body": "The Secretariat invites.",
        },
    )
    assert response.status_code == 302
    note = Note.objects.get(subject="Invitation")
    client_for(sam).post(
        url("note_version", note.pk), {"language": "ru", "status": "translation", "body": "Текст."}
    )
    client_for(sam).post(url("note_enclosure", note.pk), {"title": "Agenda", "pages": 2})
    assert note.versions.count() == 2 and note.enclosures.get().pages == 2


def test_note_files(client_for, note, sam, alice, carol, state_a):
    services.note_issue(actor=sam, note=note)
    response = client_for(alice).get(url("note_file", note.pk, "en", "pdf"))
    assert response["Content-Type"] == "application/pdf" and response.content[:4] == b"%PDF"
    response = client_for(alice).get(url("note_file", note.pk, "ru", "docx"))
    assert response.content[:2] == b"PK"
    assert client_for(alice).get(url("note_file", note.pk, "zz", "pdf")).status_code == 404


def test_named_note_is_refused_to_others(client_for, series, sam, state_a, carol, alice):
    note = services.note_create(
        actor=sam,
        series=series,
        subject="To Kazakhstan",
        place="Astana",
        date=date(2022, 1, 1),
        addressees="named",
        states=[state_a],
        versions=[services.VersionInput("en", "Text.", "original")],
    )
    services.note_issue(actor=sam, note=note)
    assert client_for(alice).get(url("note", note.pk)).status_code == 200
    assert client_for(carol).get(url("note", note.pk)).status_code == 404
    assert client_for(carol).get(url("note_file", note.pk, "en", "pdf")).status_code == 404


def test_package_import_preview_then_confirm(client_for, sam, alice, cica, corpus_004):
    assert client_for(alice).get(url("package_import")).status_code == 403
    client = client_for(sam)
    with CORPUS_004.open("rb") as handle:
        response = client.post(url("package_import"), {"file": handle})
    page = response.content.decode()
    assert "SWG/OI/1262" in page and page.count('data-testid="preview-enclosure"') == 6
    assert not Note.objects.exists()
    response = client.post(url("package_import"), {"confirm": "1", "title3": "Concept paper"})
    note = Note.objects.get()
    assert response.status_code == 302 and note.enclosures.count() == 6
    assert note.enclosures.get(position=3).title == "Concept paper"


def test_formulas_page(client_for, sam, alice, cica):
    assert client_for(alice).get(url("formulas")).status_code == 403
    response = client_for(sam).post(
        url("formulas"),
        {
            "language": "en",
            "sender": "CICA Secretariat",
            "opening": "The {sender} greets {addressees}.",
            "closing": "Regards.",
            "addressees_members": "the Member States",
        },
    )
    assert response.status_code == 302


def _more_meetings(swg, n: int) -> None:
    for index in range(n):
        meeting = services.meeting_create(
            actor=SYSTEM, body=swg, title=f"M{index}", kind="session", parts=PARTS
        )
        services.agenda_item_add(actor=SYSTEM, meeting=meeting, title="Item")


def _more_notes(series, n: int) -> None:
    for index in range(n):
        note = services.note_create(
            actor=SYSTEM,
            series=series,
            subject=f"N{index}",
            place="Astana",
            date=date(2022, 1, 1),
            versions=[services.VersionInput("en", "Text.", "original")],
        )
        services.note_issue(actor=SYSTEM, note=note)


def _count(client, path, django_assert_num_queries_counter) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["list", "calendar", "notes"])
def test_list_query_counts_are_constant(client_for, alice, swg, series, page):
    client = client_for(alice)
    path = url(page) + ("?month=2022-09" if page == "calendar" else "")
    _more_meetings(swg, 2)
    _more_notes(series, 2)
    few = _count(client, path, None)
    _more_meetings(swg, 10)
    _more_notes(series, 10)
    many = _count(client, path, None)
    assert few == many


def test_admin_is_for_staff_and_read_only(client_for, meeting, root, alice, sam):
    assert client_for(alice).get("/admin/meetings/meeting/").status_code == 302  # to the login
    client = client_for(root)
    page = client.get("/admin/meetings/meeting/")
    assert page.status_code == 200 and "Special Working Group meeting" in page.content.decode()
    assert client.get("/admin/meetings/meeting/add/").status_code == 403


def test_named_note_and_document_enclosure_through_the_forms(
    client_for, series, sam, state_b, document, revision, bob, carol
):
    client = client_for(sam)
    client.post(
        url("note_create"),
        {
            "series": series.pk,
            "subject": "To Mongolia",
            "place": "Astana",
            "date": "2026-11-01",
            "addressees": "named",
            "states": [state_b.pk],
            "language": "en",
            "body": "Text.",
        },
    )
    note = Note.objects.get(subject="To Mongolia")
    response = client.post(url("note_enclosure", note.pk), {"pages": 3})
    assert response.status_code == 400  # neither a title nor a document
    client.post(url("note_enclosure", note.pk), {"document": document.pk, "pages": 3})
    enclosure = note.enclosures.get()
    assert (enclosure.title, enclosure.revision) == (document.title, revision)
    client.post(url("note_issue", note.pk))
    assert client_for(bob).get(url("note", note.pk)).status_code == 200
    assert client_for(carol).get(url("note", note.pk)).status_code == 404


def test_agenda_item_on_a_note(client_for, meeting, note, sam):
    client_for(sam).post(url("agenda_add", meeting.pk), {"title": "The note", "note": note.pk})
    assert meeting.agenda.get().note == note


def test_package_upload_refuses_what_is_not_utf8_text(client_for, sam, cica):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("p.txt", b"\xff\xfe not utf-8")
    response = client_for(sam).post(url("package_import"), {"file": upload})
    assert response.status_code == 400 and "not UTF-8 text" in response.content.decode()
    upload = SimpleUploadedFile("p.txt", b"Just a note.")
    response = client_for(sam).post(url("package_import"), {"file": upload})
    assert response.status_code == 400 and "not a package" in response.content.decode()
