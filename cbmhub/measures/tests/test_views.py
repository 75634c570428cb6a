"""Pages: every view against a member, another state's focal point, an observer, the
secretariat (and another organisation's)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cbmhub.core.roles import SYSTEM
from cbmhub.measures import services
from cbmhub.measures.models import Submission

from .conftest import submit


@pytest.fixture
def world(alice, bob, sam, state_a, state_b, cycle, measure, plan):
    services.initiative_save(
        actor=SYSTEM,
        plan=plan,
        kind="workshop",
        title="Online workshop",
        year=2022,
        status="held",
        lead_state=state_a,
        participants=[state_a, state_b],
    )
    services.initiative_save(
        actor=SYSTEM,
        plan=plan,
        kind="seminar",
        title="Seminar",
        year=2023,
    )
    secret = submit(alice, cycle, measure, state_a, visibility="secretariat", text="Secret text")
    return {"secret": secret}


def get(client_for, user, name, *args, **query):
    client = client_for(user)
    url = reverse(name, args=args)
    return client.get(url, query)


def test_index_and_catalogue_for_any_signed_in_user(client_for, olga, catalogue, world):
    assert get(client_for, olga, "measures:index").status_code == 200
    page = get(client_for, olga, "measures:catalogue", catalogue.code)
    assert page.status_code == 200
    assert b'data-code="1.1"' in page.content


def test_anonymous_is_sent_to_sign_in(client, catalogue):
    response = client.get(reverse("measures:index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "code"), [("alice", 200), ("bob", 200), ("sam", 200), ("olga", 403), ("sara", 403)]
)
def test_matrix_access(client_for, request, who, code, cycle, world):
    response = get(client_for, request.getfixturevalue(who), "measures:matrix", cycle=cycle.pk)
    if who == "sara":
        # Another organisation's secretariat: the CICA cycle is not hers to analyse.
        assert response.status_code == 403
    else:
        assert response.status_code == code


def test_matrix_cells(client_for, sam, cycle, world, state_a, state_b):
    page = get(client_for, sam, "measures:matrix", cycle=cycle.pk)
    html = page.content.decode()
    assert 'data-state="KAZ"' in html and 'data-state="MNG"' in html
    assert html.count('data-status="submitted"') == 1


def test_matrix_overdue_after_the_deadline(client_for, sam, catalogue, world):
    late = services.cycle_create(
        actor=SYSTEM,
        catalogue=catalogue,
        instrument="Old",
        year=2020,
        deadline=datetime.date(2020, 4, 15),
    )
    html = get(client_for, sam, "measures:matrix", cycle=late.pk).content.decode()
    assert 'data-status="overdue"' in html and 'data-status="none"' not in html


def test_matrix_filter_by_dimension(client_for, sam, cycle, world):
    html = get(
        client_for, sam, "measures:matrix", cycle=cycle.pk, dimension="new_threats"
    ).content.decode()
    assert '<th title="Security of ICTs">2.1</th>' in html and ">1.1</th>" not in html


def test_matrix_htmx_partial(client_for, sam, cycle, world):
    client = client_for(sam)
    response = client.get(reverse("measures:matrix"), {"cycle": cycle.pk}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b'data-testid="matrix"' in response.content


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("alice", 200),
        ("anna", 200),
        ("sam", 200),
        ("root", 200),
        ("bob", 404),
        ("carol", 404),
        ("olga", 404),
        ("sara", 404),
    ],
)
def test_secretariat_only_submission_page(client_for, request, who, code, world):
    response = get(
        client_for, request.getfixturevalue(who), "measures:submission", world["secret"].pk
    )
    assert response.status_code == code


def test_a_focal_point_files_through_the_page(client_for, bob, state_b, cycle, measure):
    client = client_for(bob)
    response = client.post(
        reverse("measures:submission_edit", args=[cycle.pk]),
        {
            "measure": measure.pk,
            "kind": "nil_return",
            "nil_since_year": 2024,
            "language": "en",
            "visibility": "members",
            "submit": "1",
        },
    )
    assert response.status_code == 302
    filed = Submission.objects.get(state=state_b)
    assert (filed.kind, filed.status, filed.submitted_by) == ("nil_return", "submitted", bob)


def test_the_form_shows_a_missing_year_beside_its_field(client_for, bob, cycle, measure):
    client = client_for(bob)
    response = client.post(
        reverse("measures:submission_edit", args=[cycle.pk]),
        {
            "measure": measure.pk,
            "kind": "nil_return",
            "language": "en",
            "visibility": "members",
            "submit": "1",
        },
    )
    assert response.status_code == 200
    assert b'data-testid="field-error-nil_since_year"' in response.content


@pytest.mark.parametrize("who", ["sam", "olga"])
def test_no_filing_without_a_state(client_for, request, who, cycle):
    response = get(client_for, request.getfixturevalue(who), "measures:submission_edit", cycle.pk)
    assert response.status_code == 403


def test_acknowledge_by_the_secretariat_only(client_for, alice, bob, sam, world):
    secret = world["secret"]
    url = reverse("measures:submission_acknowledge", args=[secret.pk])
    assert client_for(bob).post(url).status_code == 404  # not visible to B
    client_for(alice).post(url)
    secret.refresh_from_db()
    assert secret.status == "submitted"
    client_for(sam).post(url)
    secret.refresh_from_db()
    assert secret.status == "acknowledged"


@pytest.mark.parametrize(
    ("who", "code"), [("alice", 200), ("sam", 200), ("olga", 403), ("sara", 403)]
)
def test_progress_report_download(client_for, request, who, code, plan, world):
    response = get(
        client_for, request.getfixturevalue(who), "measures:plan_report", plan.pk, "docx"
    )
    assert response.status_code == code


def test_import_preview_and_apply(client_for, sam, catalogue):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(sam)
    url = reverse("measures:catalogue_import", args=[catalogue.code])
    upload = SimpleUploadedFile("o.txt", b"3. Third\n3.1 Sub\n  wrapped\n9.9. Orphan\n")
    preview = client.post(url, {"format": "outline", "file": upload})
    html = preview.content.decode()
    assert 'data-testid="preview"' in html and "Line 4: The code 9.9 has no parent" in html
    assert not catalogue.measures.filter(code="3").exists()
    applied = client.post(url, {"format": "outline", "text": "3. Third\n3.1 Sub\n  wrapped\n"})
    assert applied.status_code == 302
    assert catalogue.measures.get(code="3.1").text == "Sub wrapped"


@pytest.mark.parametrize("who", ["alice", "olga", "sara"])
def test_import_refused_to_others(client_for, request, who, catalogue):
    response = get(
        client_for, request.getfixturevalue(who), "measures:catalogue_import", catalogue.code
    )
    assert response.status_code == 403


def test_state_profile(client_for, bob, alice, state_a, world):
    html = get(client_for, bob, "measures:state", "KAZ").content.decode()
    assert 'data-testid="profile-submission"' not in html  # A's only one is secretariat-only
    html = get(client_for, alice, "measures:state", "KAZ").content.decode()
    assert html.count('data-testid="profile-submission"') == 1


def test_state_profile_refused_to_observers(client_for, olga, state_a):
    assert get(client_for, olga, "measures:state", "KAZ").status_code == 403


def test_inventory_add_and_search(client_for, alice, bob):
    client = client_for(alice)
    response = client.post(
        reverse("measures:inventory"),
        {
            "kind": "C-130 aircraft",
            "quantity": 2,
            "readiness": "ready",
            "contact": "Air HQ",
            "visibility": "members",
        },
    )
    assert response.status_code == 302
    found = get(client_for, bob, "measures:inventory", q="c-130").content.decode()
    assert found.count('data-testid="capability"') == 1
    assert (
        get(client_for, bob, "measures:inventory", q="tank")
        .content.decode()
        .count('data-testid="capability"')
        == 0
    )


def test_attachment_download_follows_the_submission(
    client_for, alice, bob, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    attachment = services.submission_attach(
        actor=alice, submission=world["secret"], name="paper.txt", content=b"hello"
    )
    assert get(client_for, alice, "measures:attachment", attachment.pk).content == b"hello"
    assert get(client_for, bob, "measures:attachment", attachment.pk).status_code == 404


def test_bad_ids_are_404(client_for, sam):
    assert get(client_for, sam, "measures:submission", "abc").status_code == 404
    assert get(client_for, sam, "measures:plan", "99999").status_code == 404
    assert get(client_for, sam, "measures:matrix", cycle="x").status_code == 404


def test_the_secretariat_creates_a_catalogue_opens_a_cycle_and_adds_a_plan(client_for, sam, cica):
    client = client_for(sam)
    made = client.post(reverse("measures:catalogue_create"), {"code": "new-cat", "title": "New"})
    assert made.status_code == 302 and made["Location"].endswith("/catalogues/new-cat/import/")
    from cbmhub.measures.models import Catalogue

    catalogue = Catalogue.objects.get(code="new-cat")
    assert catalogue.organisation == cica
    services.measure_create(actor=sam, catalogue=catalogue, code="1", text="One")
    url = reverse("measures:catalogue", args=["new-cat"])
    opened = client.post(
        url, {"form": "cycle", "instrument": "Annual", "year": 2026, "deadline": "2026-04-15"}
    )
    assert opened.status_code == 302 and catalogue.cycles.count() == 1
    bad = client.post(
        url,
        {
            "form": "plan",
            "measure": catalogue.measures.get().pk,
            "title": "P",
            "from_year": 2024,
            "to_year": 2022,
        },
    )
    assert bad.status_code == 200 and b'data-testid="form-errors"' in bad.content
    assert catalogue.measures.get().plans.count() == 0
    good = client.post(
        url,
        {
            "form": "plan",
            "measure": catalogue.measures.get().pk,
            "title": "P",
            "from_year": 2022,
            "to_year": 2023,
        },
    )
    assert good.status_code == 302 and catalogue.measures.get().plans.count() == 1


@pytest.mark.parametrize("who", ["alice", "olga", "bob"])
def test_others_may_not_create_catalogues_cycles_or_plans(client_for, request, who, catalogue):
    client = client_for(request.getfixturevalue(who))
    assert (
        client.post(reverse("measures:catalogue_create"), {"code": "x", "title": "X"}).status_code
        == 403
    )
    url = reverse("measures:catalogue", args=[catalogue.code])
    response = client.post(
        url, {"form": "cycle", "instrument": "A", "year": 2026, "deadline": "2026-01-01"}
    )
    assert response.status_code == 403 and catalogue.cycles.count() == 0


def test_another_organisations_secretariat_may_not_open_a_cycle(client_for, sara, catalogue):
    url = reverse("measures:catalogue", args=[catalogue.code])
    response = client_for(sara).post(
        url, {"form": "cycle", "instrument": "A", "year": 2026, "deadline": "2026-01-01"}
    )
    assert response.status_code == 403
