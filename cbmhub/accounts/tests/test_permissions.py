"""accounts/permissions.py: only operators administer accounts, tokens and authenticators."""

from django.contrib.auth.models import AnonymousUser

from cbmhub.accounts import permissions
from cbmhub.core.roles import SYSTEM


def test_only_operators_administer_accounts(alice, anna, bob, carol, sam, olga, root):
    assert permissions.can_administer_accounts(root)
    for user in (alice, anna, bob, carol, sam, olga, AnonymousUser(), SYSTEM, None):
        assert not permissions.can_administer_accounts(user), user


def test_staff_secretariat_is_still_refused(sam):
    sam.is_staff = True
    assert not permissions.can_administer_accounts(sam)
