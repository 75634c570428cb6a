"""Who is shown the Exercises link (permissions.may_use, the template filter in the top bar)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from cbmhub.conftest import make_user
from cbmhub.exercises import permissions


def test_states_secretariat_operators_and_named_members_see_the_link(scenario, alice, sam, root):
    ella = scenario.members.get(role="evaluator").user
    for user in (alice, sam, root, ella):
        assert permissions.may_use(user), user


@pytest.mark.django_db
def test_anonymous_and_an_unnamed_observer_do_not():
    assert not permissions.may_use(AnonymousUser())
    assert not permissions.may_use(make_user("oscar", role="observer"))


def test_the_top_bar_shows_it_only_to_them(client, scenario, alice):
    client.force_login(make_user("otto", role="observer"))
    assert b'href="/exercises/"' not in client.get("/directory/").content
    client.force_login(alice)
    assert b'href="/exercises/"' in client.get("/directory/").content
