"""API: start a communication check, read its results, answer it (as a user or by token)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cbmhub.conftest import make_user
from cbmhub.directory.models import Organisation
from cbmhub.hotline import services
from cbmhub.hotline.models import CheckTarget, CommunicationCheck

URL = "/api/v1/hotline/checks/"


def test_secretariat_starts_a_check_of_a_subset(api_for, world, sam):
    response = api_for(sam).post(
        URL,
        {
            "organisation": "CICA",
            "states": ["MNG", "THA"],
            "levels": ["technical"],
            "deadline_minutes": 15,
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert sorted(t["state"] for t in body["targets"]) == ["MNG", "THA"]
    assert body["statistics"]["overall"]["targets"] == 2
    check = CommunicationCheck.objects.get()
    assert check.deadline - check.started_at == timedelta(minutes=15)


def test_start_names_a_bad_level(api_for, world, sam):
    response = api_for(sam).post(URL, {"organisation": "CICA", "levels": ["cosmic"]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "levels"


@pytest.mark.parametrize("who", ["alice", "carol", "olga"])
def test_start_refused_to_others(api_for, world, who):
    response = api_for(world[who]).post(URL, {"organisation": "CICA"}, format="json")
    assert response.status_code == 403 and not CommunicationCheck.objects.exists()


def test_start_refused_to_another_organisations_secretariat(api_for, world):
    osce = Organisation.objects.create(acronym="OSCE", name="OSCE", kind="regional")
    otto = make_user("otto", role="secretariat", organisation=osce)
    response = api_for(otto).post(URL, {"organisation": "CICA"}, format="json")
    assert response.status_code == 403 and not CommunicationCheck.objects.exists()


@pytest.fixture
def check(world, cica, sam, anna):
    t0 = timezone.now() - timedelta(minutes=30)
    check = services.check_start(actor=sam, organisation=cica, now=t0)
    services.check_answer(actor=anna, communication_check=check, now=t0 + timedelta(minutes=2))
    return check


def test_results_for_the_secretariat(api_for, sam, check):
    body = api_for(sam).get(f"{URL}{check.pk}/").json()
    assert body["statistics"]["overall"]["answered_in_time"] == 1
    assert body["statistics"]["by_state"]["KAZ"]["response_seconds"] == [120]
    assert len(body["targets"]) == 5


def test_a_state_sees_its_own_targets_and_no_statistics(api_for, bob, check):
    body = api_for(bob).get(f"{URL}{check.pk}/").json()
    assert {t["state"] for t in body["targets"]} == {"MNG"} and body["statistics"] is None


@pytest.mark.parametrize("who", ["olga"])
def test_outsider_gets_404(api_for, world, check, who):
    assert api_for(world[who]).get(f"{URL}{check.pk}/").status_code == 404
    assert api_for(world[who]).get(URL).json() == []


def test_point_of_contact_answers(api_for, bert, check):
    response = api_for(bert).post(f"{URL}{check.pk}/answer/")
    assert response.status_code == 200 and response.json()[0]["in_time"] is True
    assert CheckTarget.objects.get(point_of_contact__user=bert).answered_by == bert


@pytest.mark.parametrize("who,status", [("olga", 404), ("sam", 403)])
def test_answer_refused_to_those_not_asked(api_for, world, check, who, status):
    assert api_for(world[who]).post(f"{URL}{check.pk}/answer/").status_code == status
    assert CheckTarget.objects.filter(answered_at__isnull=False).count() == 1


def test_answer_by_token_without_login(api_for, world, check):
    target = check.targets.get(point_of_contact__user=world["carol"])
    response = api_for().post(URL + "confirm/", {"token": target.token}, format="json")
    target.refresh_from_db()
    assert response.status_code == 200 and target.answered_at is not None
    bad = api_for().post(URL + "confirm/", {"token": "nope"}, format="json")
    assert bad.status_code == 404 and bad.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("who", ["sam", "bob"])
def test_check_list_query_count_does_not_grow_with_checks(api_for, world, answered_checks, who):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_for(world[who])

    def list_checks(count):
        answered_checks(count)
        api.get(URL)  # the token's first use is not what is measured
        with CaptureQueriesContext(connection) as captured:
            response = api.get(URL)
        assert response.status_code == 200 and len(response.json()) == count
        return len(captured), response.json()

    two, _ = list_checks(2)
    six, body = list_checks(6)
    assert two == six
    # The need-to-know rules hold in the list as in a check's own page.
    if who == "sam":
        assert all(len(c["targets"]) == 5 for c in body)
        assert all(c["statistics"]["overall"]["answered"] == 1 for c in body)
        assert all(c["statistics"]["by_state"]["KAZ"]["answered_in_time"] == 1 for c in body)
    else:
        assert all({t["state"] for t in c["targets"]} == {"MNG"} for c in body)
        assert all(c["statistics"] is None for c in body)
