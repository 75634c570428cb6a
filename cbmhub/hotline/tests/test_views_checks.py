"""Communication checks: start, results page with chart and history, CSV, answering."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cbmhub.conftest import make_user
from cbmhub.core.spreadsheet import spreadsheet_unquote
from cbmhub.directory.models import Organisation, PointOfContact
from cbmhub.hotline import services, worker
from cbmhub.hotline.models import CheckTarget, CommunicationCheck


@pytest.fixture
def finished(world, cica, sam, anna, bert, carol):
    """A check of every CICA POC an hour long: anna after 5 min, bert after 30, carol 2 h late,
    alice and bob silent."""
    t0 = timezone.now() - timedelta(hours=3)
    check = services.check_start(actor=sam, organisation=cica, now=t0, note="Quarterly")
    for user, minutes in ((anna, 5), (bert, 30), (carol, 120)):
        services.check_answer(
            actor=user, communication_check=check, now=t0 + timedelta(minutes=minutes)
        )
    return check


def _detail(check) -> str:
    return reverse("hotline:check_detail", args=[check.pk])


def test_secretariat_starts_a_check_and_targets_are_emailed(
    client_for, world, cica, sam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(sam).post(
            reverse("hotline:check_start"),
            {
                "organisation": cica.pk,
                "deadline_minutes": 30,
                "note": "Ping",
                "levels": ["technical"],
                "confirmed": "on",
            },
        )
    check = CommunicationCheck.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(check)
    assert sorted(check.targets.values_list("state__iso3", flat=True)) == ["KAZ", "MNG", "THA"]
    assert check.deadline - check.started_at == timedelta(minutes=30)
    worker.deliveries_process()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "technical.kaz@example.org",
        "technical.mng@example.org",
        "technical.tha@example.org",
    ]
    token = check.targets.get(state__iso3="MNG").token
    sent = "".join(str(m.body) for m in mail.outbox)
    assert reverse("hotline:check_confirm", args=[token]) in sent


def test_start_form_lists_states_in_the_readers_language(client_for, world, cica, sam):
    html = client_for(sam).get(reverse("hotline:check_list"), HTTP_ACCEPT_LANGUAGE="kk")
    checkbox = r'<input type="checkbox" name="states"[^>]*>\s*Қазақстан</label>'
    assert re.search(checkbox, html.content.decode())


def test_start_form_errors_are_named(client_for, world, cica, sam):
    response = client_for(sam).post(
        reverse("hotline:check_start"), {"organisation": cica.pk, "deadline_minutes": 0}
    )
    assert response.status_code == 400 and not CommunicationCheck.objects.exists()
    assert "greater than or equal to 1" in response.content.decode()


@pytest.mark.parametrize("who", ["alice", "carol", "olga"])
def test_only_the_secretariat_starts_checks(client_for, world, cica, who):
    client = client_for(world[who])
    response = client.post(
        reverse("hotline:check_start"), {"organisation": cica.pk, "deadline_minutes": 60}
    )
    assert response.status_code == 403 and not CommunicationCheck.objects.exists()
    assert "check-form" not in client.get(reverse("hotline:check_list")).content.decode()


def test_other_organisations_secretariat_cannot_start_a_cica_check(client_for, world, cica):
    osce = Organisation.objects.create(acronym="OSCE", name="OSCE", kind="regional")
    otto = make_user("otto", role="secretariat", organisation=osce)
    response = client_for(otto).post(
        reverse("hotline:check_start"), {"organisation": cica.pk, "deadline_minutes": 60}
    )
    assert response.status_code == 400 and not CommunicationCheck.objects.exists()
    assert "Select a valid choice" in response.content.decode()


def test_results_page_shows_rates_chart_and_history(client_for, sam, cica, finished):
    earlier = services.check_start(
        actor=sam, organisation=cica, now=timezone.now() - timedelta(days=30)
    )
    html = client_for(sam).get(_detail(finished)).content.decode()
    assert "Response rate 40% (2 of 5 within the deadline)" in html
    assert '<svg class="hotline-chart" data-testid="chart"' in html
    # One dot per answer in its state's row and in its level's row.
    assert html.count('class="in-time"') == 4 and html.count('class="late"') == 2
    assert 'data-testid="history-chart"' in html and f"#{earlier.pk}" in html
    assert 'data-testid="by-state"' in html and "MNG" in html and "THA" in html


def test_results_in_russian_draw_the_chart_with_decimal_points_and_russian_units(
    client_for, sam, cica, finished
):
    services.check_start(actor=sam, organisation=cica, now=timezone.now() - timedelta(days=30))
    client = client_for(sam)
    client.cookies["django_language"] = "ru"
    html = client.get(_detail(finished)).content.decode()
    svg = html[html.index('<svg class="hotline-chart"') :]
    # A decimal comma in an SVG coordinate breaks the chart: the browser drops the element.
    coordinates = re.findall(r'\b(?:x1?|x2|y1?|y2|cx|cy|height)="([^"]*)"', svg)
    assert coordinates and not [c for c in coordinates if "," in c]
    # Durations in the results table and on the axis use Russian units.
    assert "2 ч 00 мин" in html and "30 мин 00 с" in html
    assert " min" not in html and " h " not in html


def test_a_state_sees_only_its_own_targets_and_no_statistics(client_for, alice, anna, finished):
    html = client_for(alice).get(_detail(finished)).content.decode()
    assert 'data-state="KAZ"' in html
    assert 'data-state="MNG"' not in html and 'data-testid="results"' not in html


@pytest.mark.parametrize("who", ["olga"])
def test_outsider_gets_404(client_for, world, finished, who):
    assert client_for(world[who]).get(_detail(finished)).status_code == 404


def test_other_organisations_secretariat_gets_404(client_for, finished):
    osce = Organisation.objects.create(acronym="OSCE", name="OSCE", kind="regional")
    otto = make_user("otto", role="secretariat", organisation=osce)
    assert client_for(otto).get(_detail(finished)).status_code == 404
    assert (
        client_for(otto).get(reverse("hotline:check_export", args=[finished.pk])).status_code == 404
    )


def test_csv_export(client_for, sam, finished):
    PointOfContact.objects.filter(level="technical", state__iso3="THA").update(
        office="=cmd|' /C calc'!A0"
    )
    response = client_for(sam).get(reverse("hotline:check_export", args=[finished.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    overall = rows[0]
    assert overall["section"] == "overall" and overall["targets"] == "5"
    assert overall["answered_in_time"] == "2" and overall["response_rate"] == "0.4000"
    mng = next(r for r in rows if r["section"] == "state" and r["state"] == "MNG")
    assert mng["answered_in_time"] == "1" and mng["median_seconds"] == "1800"
    late = next(r for r in rows if r["section"] == "target" and r["state"] == "THA")
    assert late["response_seconds"] == "7200" and late["in_time"] == "no"
    assert late["point_of_contact"].startswith("'=")  # no formula runs in a spreadsheet


def test_csv_export_quotes_a_formula_already_quoted_by_hand(client_for, sam, finished):
    # The export uses the one guard of every export (core.spreadsheet): a value that starts
    # with apostrophes before a formula gets one more, so the round trip keeps the value.
    office = '\'=HYPERLINK("http://evil.example")'
    PointOfContact.objects.filter(level="technical", state__iso3="THA").update(
        person_name="", function="", office=office
    )
    response = client_for(sam).get(reverse("hotline:check_export", args=[finished.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    late = next(r for r in rows if r["section"] == "target" and r["state"] == "THA")
    assert late["point_of_contact"] == "'" + office
    assert spreadsheet_unquote(late["point_of_contact"]) == office


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_states_cannot_export(client_for, world, finished, who):
    assert (
        client_for(world[who]).get(reverse("hotline:check_export", args=[finished.pk])).status_code
        == 403
    )


def test_point_of_contact_answers_in_the_app(client_for, world, cica, sam, bob):
    check = services.check_start(actor=sam, organisation=cica)
    client = client_for(bob)
    assert "pending-checks" in client.get(reverse("hotline:inbox")).content.decode()
    response = client.post(reverse("hotline:check_answer", args=[check.pk]))
    assert response.status_code == 302
    target = CheckTarget.objects.get(communication_check=check, point_of_contact__user=bob)
    assert target.answered_by == bob and target.in_time
    assert "pending-checks" not in client.get(reverse("hotline:inbox")).content.decode()


def test_answer_refused_to_those_not_asked(client_for, world, cica, sam):
    check = services.check_start(actor=sam, organisation=cica, levels=["technical"])
    assert (
        client_for(world["olga"]).post(reverse("hotline:check_answer", args=[check.pk])).status_code
        == 404
    )
    # Alice's state was asked (through anna), but alice herself was not: refused.
    assert (
        client_for(world["alice"])
        .post(reverse("hotline:check_answer", args=[check.pk]))
        .status_code
        == 403
    )
    assert not CheckTarget.objects.filter(answered_at__isnull=False).exists()


def test_emailed_link_confirms_only_on_post_and_without_login(client, world, cica, sam):
    check = services.check_start(actor=sam, organisation=cica)
    target = check.targets.get(point_of_contact__user=world["carol"])
    url = reverse("hotline:check_confirm", args=[target.token])
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="confirm"' in page.content.decode()
    target.refresh_from_db()
    assert target.answered_at is None  # a mail scanner following the link confirms nothing
    response = client.post(url)
    target.refresh_from_db()
    assert response.status_code == 200 and target.answered_at is not None
    assert 'data-testid="confirmed"' in response.content.decode()


def test_unknown_token_is_404(client, world, cica, sam):
    services.check_start(actor=sam, organisation=cica)
    url = reverse("hotline:check_confirm", args=["not-a-token"])
    assert client.get(url).status_code == 404 and client.post(url).status_code == 404


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: the session and what a first request caches are not measured
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("who", ["sam", "bob"])
def test_check_list_query_count_does_not_grow_with_checks(client_for, world, answered_checks, who):
    """bob is asked in every check and has not answered: each is listed as waiting for him."""
    client = client_for(world[who])
    url = reverse("hotline:check_list")
    counts = []
    for count in (2, 6):
        answered_checks(count)
        queries, page = _queries(client, url)
        counts.append(queries)
        assert page.count('data-testid="check-row"') == count
        if who == "bob":
            pending = page.split('data-testid="pending-checks"', 1)[1].split("</ul>", 1)[0]
            assert pending.count('<li data-testid="pending-check">') == count
            # Named by organisation and number, not the model's __str__ with a bare UTC time.
            assert "Communication check CICA #" in pending and "CICA check 20" not in pending
    assert counts[0] == counts[1]


@pytest.mark.parametrize("who", ["sam", "bob"])
def test_check_results_query_count_does_not_grow_with_history(
    client_for, world, answered_checks, who
):
    client = client_for(world[who])
    counts = []
    for count in (2, 6):
        answered_checks(count)
        latest = CommunicationCheck.objects.order_by("-started_at", "-id").first()
        queries, page = _queries(client, _detail(latest))
        counts.append(queries)
        if who == "sam":
            history = page.split('data-testid="history"', 1)[1]
            assert history.count("<tr") == 1 + count  # the heading row and one per check
        else:
            assert 'data-testid="history"' not in page
            assert {"MNG"} == {part.split('"', 1)[0] for part in page.split('data-state="')[1:]}
    assert counts[0] == counts[1]


# --- issue 10, item 8: who can be asked, a confirmed scope, open checks in progress -----------


@pytest.fixture
def japan_observer(cica):
    """Japan: an observer of CICA with an active point of contact; a check cannot ask it."""
    from cbmhub.conftest import _state, make_poc
    from cbmhub.directory.models import Membership

    japan = _state("Japan", "JP", "JPN")
    Membership.objects.create(state=japan, organisation=cica, status="observer")
    make_poc(japan, "technical", "JPCERT/CC")
    return japan


def test_start_form_offers_only_states_a_check_can_ask_and_says_why_not(
    client_for, world, cica, sam, japan_observer
):
    from cbmhub.conftest import _state
    from cbmhub.directory.models import Membership

    silent = _state("Bhutan", "BT", "BTN")
    Membership.objects.create(state=silent, organisation=cica, status="member")
    form = client_for(sam).get(reverse("hotline:check_list")).context["form"]
    offered = {state.iso3 for state in form.fields["states"].queryset}
    assert offered == {"KAZ", "MNG", "THA"}
    reasons = {c.state.iso3: c.reason for c in form.not_askable}
    assert reasons == {
        "JPN": "Observer of CICA, not taking part in its checks",
        "BTN": "no active point of contact",
    }
    html = client_for(sam).get(reverse("hotline:check_list")).content.decode()
    assert 'data-testid="not-askable"' in html and "JPCERT" not in html
    assert 'class="checkbox-grid"' in html  # checkboxes, not a Ctrl-click multi-select


def test_an_observer_is_refused_by_name_not_silently_dropped(
    client_for, world, cica, sam, japan_observer, state_b
):
    with pytest.raises(services.HotlineError) as refused:
        services.check_start(actor=sam, organisation=cica, states=[japan_observer, state_b])
    assert "JPN" in refused.value.message and not CommunicationCheck.objects.exists()
    response = client_for(sam).post(
        reverse("hotline:check_start"),
        {"organisation": cica.pk, "deadline_minutes": 60, "states": [japan_observer.pk]},
    )
    assert response.status_code == 400 and not CommunicationCheck.objects.exists()


def test_an_untouched_form_shows_the_scope_and_starts_nothing_until_confirmed(
    client_for, world, cica, sam, state_b
):
    client = client_for(sam)
    data = {"organisation": cica.pk, "deadline_minutes": 60}
    response = client.post(reverse("hotline:check_start"), data)
    html = response.content.decode()
    assert response.status_code == 200 and not CommunicationCheck.objects.exists()
    assert "will ask 5 points of contact" in html
    assert html.count('data-testid="scope-state"') == 3
    assert 'name="confirmed" value="on"' in html
    # Choosing one state narrows the scope shown.
    html = client.post(reverse("hotline:check_start"), {**data, "states": [state_b.pk]}).content
    assert "will ask 2 points of contact" in html.decode()
    response = client.post(
        reverse("hotline:check_start"), {**data, "states": [state_b.pk], "confirmed": "on"}
    )
    check = CommunicationCheck.objects.get()
    assert response.status_code == 302 and check.targets.count() == 2


def test_an_open_check_reads_in_progress_not_zero_percent(client_for, world, cica, sam, bert):
    check = services.check_start(actor=sam, organisation=cica)
    services.check_answer(actor=bert, communication_check=check)
    html = client_for(sam).get(_detail(check)).content.decode()
    assert "1 of 5 answered so far" in html and "Response rate 0%" not in html
    assert html.count('data-testid="awaited"') == 4 and "no answer" not in html
    assert 'data-testid="open-bar"' in html and ">0%<" not in html
    # Closed, the same check reads as a result.
    CommunicationCheck.objects.filter(pk=check.pk).update(closed_at=timezone.now())
    html = client_for(sam).get(_detail(check)).content.decode()
    assert "Response rate 20% (1 of 5 within the deadline)" in html
    assert html.count("no answer") == 4 and 'data-testid="open-bar"' not in html


@pytest.mark.django_db(transaction=True)
def test_check_start_opens_its_own_transaction(cica, sam, bert):
    """Outside any transaction (as a real request is), check_start must open one itself."""
    check = services.check_start(actor=sam, organisation=cica)
    assert check.targets.count() == 1


# --- a confirmation link is not signed by whoever is signed in (security review) -----------


def test_confirm_link_used_by_another_states_user_is_not_attributed_to_them(
    client_for, sam, alice, bob, cica
):
    check = services.check_start(actor=sam, organisation=cica)
    target = CheckTarget.objects.get(communication_check=check, point_of_contact__user=alice)
    # Bob (state B) is signed in and opens a link forwarded from Kazakhstan.
    response = client_for(bob).post(reverse("hotline:check_confirm", args=[target.token]))
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.answered_at is not None  # the token is the secret: the answer counts
    assert target.answered_by_id is None  # but the record does not say Bob answered for KAZ
    event = check.channel.events.filter(kind="check_answered").get()
    assert '"by":"bob"' not in event.payload


def test_confirm_link_used_by_its_own_point_of_contact_names_them(client_for, sam, alice, cica):
    check = services.check_start(actor=sam, organisation=cica)
    target = CheckTarget.objects.get(communication_check=check, point_of_contact__user=alice)
    client_for(alice).post(reverse("hotline:check_confirm", args=[target.token]))
    target.refresh_from_db()
    assert target.answered_by_id == alice.pk
