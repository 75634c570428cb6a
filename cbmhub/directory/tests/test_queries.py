"""The directory list pages run a fixed number of queries however many states there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cbmhub.conftest import make_poc
from cbmhub.directory.models import ChangeRecord, ContactChannel, Membership, State

pytestmark = pytest.mark.django_db


def add_states(count: int, organisation, start: int = 0) -> None:
    """`count` member states, each with a point of contact at every level and two channels."""
    for index in range(start, start + count):
        letters = chr(65 + index // 26) + chr(65 + index % 26)
        state = State.objects.create(name=f"State {index:03d}", iso2=letters, iso3=f"Q{letters}")
        Membership.objects.create(state=state, organisation=organisation, status="member")
        for level in ("technical", "diplomatic", "high_level"):
            poc = make_poc(state, level, f"Office {level}", organisation=organisation)
            ContactChannel.objects.create(point_of_contact=poc, kind="phone", value="+1 555 0100")
        ChangeRecord.objects.create(
            action="create",
            model="state",
            object_id=state.pk,
            object_repr=state.name,
            changes={"name": [None, state.name]},
            state=state,
            organisation=organisation,
        )


def count_queries(client, url, params=None, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {}, **headers)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("url", "params", "headers"),
    [
        ("/directory/", {}, {}),
        ("/directory/", {"q": "State"}, {"HTTP_HX_REQUEST": "true"}),
        ("/directory/", {"organisation": "CICA", "level": "technical", "language": "en"}, {}),
        ("/directory/organisations/CICA/", {}, {}),
        ("/directory/states/", {}, {}),
        ("/directory/history/", {}, {}),
    ],
)
def test_same_number_of_queries_for_5_and_50_states(
    client_for,
    alice,
    cica,
    django_assert_num_queries,
    django_assert_max_num_queries,
    url,
    params,
    headers,
):
    client = client_for(alice)
    add_states(5, cica)
    small = count_queries(client, url, params, **headers)
    add_states(45, cica, start=5)
    with django_assert_num_queries(small):
        client.get(url, params, **headers)
    # And the fixed number is small: session, user, the page's own reads, the pager's count.
    with django_assert_max_num_queries(12):
        client.get(url, params, **headers)


def test_state_page_queries_do_not_grow_with_its_points_of_contact(
    client_for, olga, state_a, django_assert_num_queries
):
    client = client_for(olga)
    make_poc(state_a, "technical", "One")
    small = count_queries(client, "/directory/states/KAZ/")
    for index in range(30):
        make_poc(state_a, "diplomatic", f"Office {index}")
    with django_assert_num_queries(small):
        client.get("/directory/states/KAZ/")
