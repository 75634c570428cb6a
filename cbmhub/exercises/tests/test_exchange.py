"""Exchange injects and the "share indicators" expectation, read from the exchange's records.

The CICA CERT network holds A (the sending state), B (plays) and C (takes part in the network
but not in the exercise). An exchange inject is shared once, as A, in the run's exercise
collection: B sees it; C, observers and other secretariats never do, in any list, and the
early warning never counts it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cbmhub.conftest import api_key_for
from cbmhub.core.roles import SYSTEM
from cbmhub.exchange import selectors as exchange_selectors
from cbmhub.exchange import services as exchange
from cbmhub.exchange.models import Collection, StixObject
from cbmhub.exercises import selectors, services
from cbmhub.exercises.models import RunDelivery
from cbmhub.exercises.services import ExercisesError, InjectSpec
from cbmhub.measures import warning

TAXII = "application/taxii+json;version=2.1"


@pytest.fixture
def network(state_a, state_b, state_c, cica, sam):
    return exchange.arrangement_create(
        actor=sam,
        name="CICA CERT network",
        kind="network",
        organisation=cica,
        states=[state_a, state_b, state_c],
        collection_title="CICA incidents",
        default_tlp="green",
    )


@pytest.fixture
def stix_inject(scenario, network, sam):
    return services.inject_add(
        actor=sam,
        scenario=scenario,
        spec=InjectSpec(
            offset=timedelta(0),
            kind="exchange",
            subject="Wiper at the grid operator",
            body="Hosts wiped since 06:00.\n198.51.100.7\nevil.example.com",
            tlp="amber",
            expectations=[("share_indicators", timedelta(hours=1))],
        ),
    )


def started(scenario, sam, *, speed: int = 1):
    run = services.run_create(actor=sam, scenario=scenario, speed=speed)
    now = timezone.now()
    services.run_start(actor=sam, run=run, now=now)
    services.runs_step(actor=SYSTEM, now=now)
    return run


def share(actor, collection, value="203.0.113.9"):
    return exchange.incident_report_file(
        actor=actor,
        collection=collection,
        title="What we see",
        description="",
        severity="critical",
        sectors=[],
        indicators_text=value,
        level="green",
    )


def share_outcomes(run):
    return [
        (outcome.state.iso3, met)
        for outcome in selectors.run_outcomes(run)
        if outcome.item.inject.kind == "exchange"
        for expectation, met in outcome.expectations
        if expectation.kind == "share_indicators"
    ]


def test_without_an_arrangement_the_exchange_kind_is_refused(scenario, sam):
    with pytest.raises(ExercisesError) as caught:
        services.inject_add(
            actor=sam,
            scenario=scenario,
            spec=InjectSpec(offset=timedelta(0), kind="exchange", subject="STIX bundle"),
        )
    assert caught.value.field == "kind" and "arrangement" in caught.value.message


def test_an_exchange_inject_is_shared_once_in_an_exercise_collection(
    scenario, stix_inject, sam, state_a, state_b, network
):
    run = started(scenario, sam)
    assert services.runs_step(actor=SYSTEM, now=timezone.now()) == 0  # once
    collection = Collection.objects.get(is_exercise=True)
    assert collection.arrangement == network
    assert set(collection.exercise_states.all()) == {state_a, state_b}
    incidents = StixObject.objects.filter(collection=collection, type="incident")
    assert incidents.count() == 1
    incident = incidents.get()
    assert incident.tlp == "amber" and incident.source_state == state_a
    assert incident.name.startswith("EXERCISE") and incident.added_by is None
    indicators = StixObject.objects.filter(collection=collection, type="indicator")
    assert sorted(indicators.values_list("name", flat=True)) == [
        "198.51.100.7",
        "evil.example.com",
    ]
    delivery = RunDelivery.objects.get(run_inject__run=run, run_inject__inject=stix_inject)
    assert delivery.state == state_b and delivery.stix_collection == collection
    assert delivery.stix_id.startswith("report--")
    # A second run shares in a collection of its own.
    started(scenario, sam)
    assert Collection.objects.filter(is_exercise=True).count() == 2


def test_a_players_shared_indicator_meets_the_expectation(scenario, stix_inject, sam, bert):
    run = started(scenario, sam)
    assert share_outcomes(run) == [("MNG", False)]
    drill = Collection.objects.get(is_exercise=True)
    share(bert, drill)
    assert share_outcomes(run) == [("MNG", True)]


def test_a_share_in_the_real_collection_of_the_arrangement_counts_too(
    scenario, stix_inject, sam, bert, network
):
    run = started(scenario, sam)
    share(bert, network.collections.get(is_exercise=False))
    assert share_outcomes(run) == [("MNG", True)]


def test_an_outsider_states_indicator_does_not_meet_it(
    scenario, stix_inject, sam, carol, anna, network
):
    run = started(scenario, sam)
    share(carol, network.collections.get(is_exercise=False))
    share(anna, network.collections.get(is_exercise=False))  # the sending state, not B
    assert share_outcomes(run) == [("MNG", False)]
    drill = Collection.objects.get(is_exercise=True)
    with pytest.raises(exchange.permissions.Forbidden):
        share(carol, drill)  # C does not play: it cannot write to the exercise collection


def test_a_share_after_the_expectation_ran_out_is_late(scenario, stix_inject, sam, bert):
    run = started(scenario, sam, speed=3600)  # one hour of the run's clock is a real second
    item = run.run_injects.get(inject=stix_inject)
    item.sent_at = timezone.now() - timedelta(seconds=5)
    item.save(update_fields=["sent_at"])
    share(bert, Collection.objects.get(is_exercise=True))
    assert share_outcomes(run) == [("MNG", False)]


def test_exercise_objects_stay_out_of_real_lists_of_non_participants(
    scenario, stix_inject, sam, bert, carol, olga, sara, client, client_for, api_for
):
    started(scenario, sam)
    drill = Collection.objects.get(is_exercise=True)
    exercise_ids = set(StixObject.objects.filter(collection=drill).values_list("pk", flat=True))
    assert exercise_ids
    # B plays: it sees them.
    seen_by_b = exchange_selectors.visible_objects(bert).values_list("pk", flat=True)
    assert exercise_ids <= set(seen_by_b)
    for outsider in (carol, olga, sara):
        assert not exercise_ids & set(
            exchange_selectors.search_objects(outsider).values_list("pk", flat=True)
        )
        assert not exchange_selectors.visible_collections(outsider).filter(pk=drill.pk).exists()
        api = api_for(outsider).get("/api/v1/exchange/objects/")
        assert api.status_code in (200, 403)
        if api.status_code == 200:
            assert not exercise_ids & {row["id"] for row in api.json()["results"]}
    carol_api = api_for(carol).get("/api/v1/exchange/objects/")
    assert carol_api.status_code == 200 and carol_api.json()["results"] == []
    # C's list page, and its TAXII server: neither the collection nor its objects.
    html = client_for(carol).get(reverse("exchange:list")).content.decode()
    assert "Wiper at the grid operator" not in html
    token = api_key_for(carol, name="taxii")
    headers = {"HTTP_ACCEPT": TAXII, "HTTP_AUTHORIZATION": f"Token {token}"}
    listing = client.get("/taxii2/api/collections/", **headers).json()
    assert str(drill.pk) not in {c["id"] for c in listing.get("collections", [])}
    objects = client.get(f"/taxii2/api/collections/{drill.pk}/objects/", **headers)
    assert objects.status_code == 404
    # B's list page shows it.
    html = client_for(bert).get(reverse("exchange:list")).content.decode()
    assert "Wiper at the grid operator" in html


def test_exercise_objects_never_raise_the_early_warning(scenario, stix_inject, sam, bert, cica):
    started(scenario, sam)
    share(bert, Collection.objects.get(is_exercise=True))  # critical, by a player, in the drill
    board = warning.dashboard(sam, cica)
    assert board.totals["incident_severity"] == 0
    assert "incident_severity" not in board.breaches


def test_an_exchange_inject_fails_when_its_arrangement_is_gone(scenario, stix_inject, sam, network):
    exchange.arrangement_update(actor=sam, arrangement=network, is_active=False)
    run = started(scenario, sam)
    item = run.run_injects.get(inject=stix_inject)
    assert item.status == "failed" and "arrangement" in item.note
    assert not Collection.objects.filter(is_exercise=True).exists()
    assert not StixObject.objects.exists()
