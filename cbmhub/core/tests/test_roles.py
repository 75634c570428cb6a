"""core/roles.py: one answer to "who is this user" for every app, anonymous users and the
system actor included; the rules built on it refuse ``None`` and name ``SYSTEM`` explicitly."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from cbmhub.core import roles
from cbmhub.core.errors import Forbidden
from cbmhub.core.roles import SYSTEM
from cbmhub.directory import permissions as directory_permissions
from cbmhub.directory import services as directory_services
from cbmhub.negotiations import permissions as negotiations_permissions
from cbmhub.negotiations.models import Document

pytestmark = pytest.mark.django_db

NOBODY = [None, AnonymousUser(), SYSTEM]


@pytest.mark.parametrize("nobody", NOBODY, ids=["none", "anonymous", "system"])
def test_nobody_holds_any_role(nobody, state_a, cica):
    assert not roles.is_signed_in(nobody)
    assert not roles.is_operator(nobody)
    assert not roles.is_secretariat(nobody)
    assert not roles.is_secretariat(nobody, cica.pk)
    assert not roles.is_state_user(nobody)
    assert not roles.is_focal_point(nobody, state_a.pk)
    assert roles.state_id_of(nobody) is None
    assert roles.organisation_id_of(nobody) is None
    assert roles.user_or_none(nobody) is None


def test_each_persona_holds_its_own_role_only(alice, anna, bob, sam, sara, olga, root):
    state_a, state_b = alice.state_id, bob.state_id
    assert roles.is_focal_point(alice, state_a) and not roles.is_focal_point(alice, state_b)
    assert roles.is_state_user(anna, state_a) and not roles.is_focal_point(anna)
    assert roles.state_id_of(anna) == state_a and roles.organisation_id_of(anna) is None
    assert roles.is_secretariat(sam, sam.organisation_id)
    assert not roles.is_secretariat(sam, sara.organisation_id)
    assert roles.organisation_id_of(sara) == sara.organisation_id
    assert not any(
        check(olga) for check in (roles.is_operator, roles.is_secretariat, roles.is_state_user)
    )
    assert roles.is_operator(root) and not roles.is_secretariat(root)
    assert roles.user_or_none(alice) == alice


def test_system_passes_only_rules_that_name_it(cica):
    document = Document(organisation=cica, symbol="S/1", title="T")
    # negotiations names SYSTEM (the command line, the demo); the directory does not, and
    # neither refuses silently: None is no actor in either.
    assert negotiations_permissions.can_import_revision(SYSTEM, document)
    assert not negotiations_permissions.can_import_revision(None, document)
    assert not directory_permissions.can_manage_states(SYSTEM)
    assert not directory_permissions.can_manage_states(None)


@pytest.mark.parametrize("actor", [None, SYSTEM], ids=["none", "system"])
def test_directory_refuses_a_missing_or_system_actor(actor, state_a):
    with pytest.raises(Forbidden):
        directory_services.state_alias_add(actor=actor, state=state_a, code="QQQ")


def test_system_is_not_a_user():
    assert roles.is_system(SYSTEM) and not roles.is_system(None)
    assert SYSTEM.pk is None and not SYSTEM.is_authenticated and not SYSTEM.is_superuser
    assert repr(SYSTEM) == "SYSTEM"
