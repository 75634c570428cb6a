"""Agenda items that discuss a measure or a plan of implementation (the measures app): the
service's check, the agenda form on the meeting page, the API and its schema, the refusals and
the meeting page's query count."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cbmhub.core.errors import Forbidden
from cbmhub.core.roles import SYSTEM
from cbmhub.measures import services as measures
from cbmhub.meetings import services
from cbmhub.meetings.models import AgendaItem
from cbmhub.meetings.services import MeetingsError

from .conftest import PARTS

pytestmark = pytest.mark.django_db
BASE = "/api/v1/meetings"


def _catalogue(organisation, code: str):
    catalogue = measures.catalogue_create(
        actor=SYSTEM, organisation=organisation, code=code, title=f"Catalogue {code}"
    )
    items = [
        measures.ItemSpec(code="1", text="Military-political dimension"),
        measures.ItemSpec(code="1.1", parent="1", text="Exchange of information"),
        measures.ItemSpec(code="2", text="New challenges and threats"),
        measures.ItemSpec(code="2.1", parent="2", text="Security of ICTs"),
    ]
    measures.catalogue_import_items(actor=SYSTEM, catalogue=catalogue, items=items)
    return catalogue


def _plan(measure, title: str = "Plan on ICT security"):
    return measures.plan_create(
        actor=SYSTEM, measure=measure, title=title, from_year=2022, to_year=2023
    )


@pytest.fixture
def cica_measure(cica):
    return _catalogue(cica, "cica-cbm").measures.get(code="2.1")


@pytest.fixture
def cica_plan(cica_measure):
    return _plan(cica_measure)


@pytest.fixture
def asean_measure(asean):
    return _catalogue(asean, "asean-wp").measures.get(code="1.1")


@pytest.fixture
def asean_plan(asean_measure):
    return _plan(asean_measure, "ASEAN plan")


def url(name: str, *args) -> str:
    return reverse(f"meetings:{name}", args=args)


# --- service -----------------------------------------------------------------------------------


def test_service_links_a_measure_and_a_plan(meeting, sam, cica_measure, cica_plan):
    item = services.agenda_item_add(
        actor=sam, meeting=meeting, title="Measure 2.1", measure=cica_measure
    )
    assert item.measure == cica_measure and item.plan is None
    item = services.agenda_item_add(actor=sam, meeting=meeting, title="Plan", plan=cica_plan)
    # The plan brings its measure with it.
    assert item.plan == cica_plan and item.measure == cica_measure
    both = services.agenda_item_add(
        actor=sam, meeting=meeting, title="Both", measure=cica_measure, plan=cica_plan
    )
    assert [i.position for i in meeting.agenda.all()] == [1, 2, 3] and both.position == 3


@pytest.mark.parametrize("what", ["measure", "plan"])
def test_service_refuses_another_organisations_measure_or_plan(
    meeting, sam, asean_measure, asean_plan, what
):
    subject = {"measure": asean_measure, "plan": asean_plan}[what]
    with pytest.raises(MeetingsError) as raised:
        services.agenda_item_add(actor=sam, meeting=meeting, title="Foreign", **{what: subject})
    assert raised.value.field == what
    assert "another organisation" in raised.value.message
    assert not AgendaItem.objects.exists()


def test_service_refuses_a_plan_of_another_measure(meeting, sam, cica_measure, cica_plan):
    other = cica_measure.catalogue.measures.get(code="1.1")
    with pytest.raises(MeetingsError) as raised:
        services.agenda_item_add(
            actor=sam, meeting=meeting, title="Mismatch", measure=other, plan=cica_plan
        )
    assert raised.value.field == "plan"
    assert not AgendaItem.objects.exists()


def test_service_refuses_states_and_other_secretariats(
    meeting, alice, carol, olga, sara, cica_measure
):
    for user in (alice, carol, olga, sara):
        with pytest.raises(Forbidden):
            services.agenda_item_add(actor=user, meeting=meeting, title="X", measure=cica_measure)
    assert not AgendaItem.objects.exists()


# --- page --------------------------------------------------------------------------------------


def test_agenda_form_offers_the_organisations_measures_and_plans_only(
    client_for, meeting, sam, cica_measure, cica_plan, asean_measure, asean_plan
):
    page = client_for(sam).get(url("detail", meeting.pk)).content.decode()
    form = page[page.index('data-testid="agenda-form"') :]
    assert f'<option value="{cica_measure.pk}">cica-cbm 2.1 Security of ICTs</option>' in form
    assert f'<option value="{cica_plan.pk}">2.1 Plan on ICT security (2022–2023)</option>' in form
    assert "asean-wp" not in form and "ASEAN plan" not in form


def test_agenda_form_links_a_plan_and_the_page_shows_the_links(
    client_for, meeting, sam, alice, cica_measure, cica_plan
):
    client = client_for(sam)
    response = client.post(
        url("agenda_add", meeting.pk), {"title": "ICT security", "plan": cica_plan.pk}
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get()
    assert item.plan == cica_plan and item.measure == cica_measure
    page = client_for(alice).get(url("detail", meeting.pk)).content.decode()
    measure_href = reverse("measures:catalogue", args=["cica-cbm"]) + "#measure-2.1"
    assert f'href="{measure_href}" data-testid="agenda-measure"' in page
    plan_href = reverse("measures:plan", args=[cica_plan.pk])
    assert f'href="{plan_href}" data-testid="agenda-plan"' in page
    # The anchor the measure link points at exists on the catalogue page.
    catalogue = client_for(alice).get(measure_href.split("#")[0]).content.decode()
    assert 'id="measure-2.1"' in catalogue


def test_agenda_form_refuses_another_organisations_measure(
    client_for, meeting, sam, asean_measure, asean_plan
):
    client = client_for(sam)
    for field, value in (("measure", asean_measure.pk), ("plan", asean_plan.pk)):
        response = client.post(url("agenda_add", meeting.pk), {"title": "X", field: value})
        assert response.status_code == 400
        assert f'data-testid="field-error-{field}"' in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_agenda_form_refuses_a_plan_of_another_measure(
    client_for, meeting, sam, cica_measure, cica_plan
):
    other = cica_measure.catalogue.measures.get(code="1.1")
    response = client_for(sam).post(
        url("agenda_add", meeting.pk),
        {"title": "X", "measure": other.pk, "plan": cica_plan.pk},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The plan is not one of the measure" in page
    assert not AgendaItem.objects.exists()


def test_agenda_form_is_refused_to_states_observers_and_other_secretariats(
    client_for, meeting, bilateral, alice, carol, olga, sara, cica_measure
):
    data = {"title": "X", "measure": cica_measure.pk}
    assert client_for(alice).post(url("agenda_add", meeting.pk), data).status_code == 403
    assert client_for(olga).post(url("agenda_add", meeting.pk), data).status_code == 403
    assert client_for(sara).post(url("agenda_add", meeting.pk), data).status_code in (403, 404)
    assert client_for(carol).post(url("agenda_add", bilateral.pk), data).status_code == 404
    assert not AgendaItem.objects.exists()
    # A state sees the agenda but not the form.
    page = client_for(alice).get(url("detail", meeting.pk)).content.decode()
    assert 'data-testid="agenda-form"' not in page


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["sam", "alice"])
def test_meeting_page_query_count_unchanged_by_the_links(
    client_for, meeting, sam, alice, cica_measure, who
):
    """Two meetings with as many agenda items, one without links and one whose every item
    links a measure (and half of them a plan, each of another measure): the same queries."""
    client = client_for({"sam": sam, "alice": alice}[who])
    linked = services.meeting_create(
        actor=SYSTEM, body=meeting.body, title="Linked", kind="session", parts=PARTS
    )
    for measure in cica_measure.catalogue.measures.all():
        plan = _plan(measure, f"Plan {measure.code}")
        services.agenda_item_add(
            actor=SYSTEM, meeting=linked, title=f"On {measure.code}", plan=plan
        )
        services.agenda_item_add(
            actor=SYSTEM, meeting=linked, title=f"Measure {measure.code}", measure=measure
        )
    for n in range(8):
        services.agenda_item_add(actor=SYSTEM, meeting=meeting, title=f"Plain {n}")
    page = client.get(url("detail", linked.pk)).content.decode()
    assert page.count('data-testid="agenda-plan"') == 4
    assert page.count('data-testid="agenda-measure"') == 8
    assert _count(client, url("detail", linked.pk)) == _count(client, url("detail", meeting.pk))


# --- API ---------------------------------------------------------------------------------------


def test_api_links_a_measure_and_a_plan(api_for, meeting, sam, alice, cica_measure, cica_plan):
    response = api_for(sam).post(
        f"{BASE}/meetings/{meeting.pk}/agenda/",
        {"title": "ICT security", "plan": cica_plan.pk},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["plan"] == cica_plan.pk and body["measure"] == cica_measure.pk
    detail = api_for(alice).get(f"{BASE}/meetings/{meeting.pk}/").json()
    assert detail["agenda"][0]["measure"] == cica_measure.pk
    assert detail["agenda"][0]["plan"] == cica_plan.pk


@pytest.mark.parametrize("what", ["measure", "plan"])
def test_api_refuses_another_organisations_measure_or_plan(
    api_for, meeting, sam, asean_measure, asean_plan, what
):
    subject = {"measure": asean_measure, "plan": asean_plan}[what]
    response = api_for(sam).post(
        f"{BASE}/meetings/{meeting.pk}/agenda/",
        {"title": "Foreign", what: subject.pk},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert [d["field"] for d in error["details"]] == [what]
    assert not AgendaItem.objects.exists()


def test_api_bad_ids_name_the_field(api_for, meeting, sam):
    for bad in (999999, "x"):
        response = api_for(sam).post(
            f"{BASE}/meetings/{meeting.pk}/agenda/",
            {"title": "X", "measure": bad},
            format="json",
        )
        assert response.status_code == 400
        assert [d["field"] for d in response.json()["error"]["details"]] == ["measure"]
    assert not AgendaItem.objects.exists()


def test_api_is_refused_to_states_observers_and_other_secretariats(
    api_for, meeting, bilateral, alice, carol, olga, sara, cica_measure
):
    data = {"title": "X", "measure": cica_measure.pk}
    path = f"{BASE}/meetings/{meeting.pk}/agenda/"
    assert api_for(alice).post(path, data, format="json").status_code == 403
    assert api_for(olga).post(path, data, format="json").status_code == 403
    assert api_for(sara).post(path, data, format="json").status_code in (403, 404)
    path = f"{BASE}/meetings/{bilateral.pk}/agenda/"
    assert api_for(carol).post(path, data, format="json").status_code == 404
    assert not AgendaItem.objects.exists()


def test_openapi_describes_the_measure_and_plan_fields():
    out = io.StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    schemas = json.loads(out.getvalue())["components"]["schemas"]
    for name in ("AgendaItem", "AgendaInputRequest"):
        properties = schemas[name]["properties"]
        assert properties["measure"]["nullable"] is True, name
        assert properties["plan"]["nullable"] is True, name
    assert "catalogues" in schemas["AgendaInputRequest"]["properties"]["measure"]["description"]
