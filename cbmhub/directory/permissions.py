"""Who may change what in the directory. Reading the directory needs only a login.

The rules (SECURITY.md has the full matrix):
- a focal point manages the points of contact of their own state, nobody else's;
- a secretariat officer manages their organisation, its bodies and memberships;
- states and their delegation codes are kept by secretariat officers;
- a superuser (platform operator) may do everything.

Users are duck-typed (role properties of accounts.User) so that the directory imports no
other domain app.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied


def can_manage_points_of_contact(user: Any, state_id: int | None) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return bool(getattr(user, "is_focal_point", False) and state_id and user.state_id == state_id)


def can_manage_organisation(user: Any, organisation_id: int | None) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return bool(
        getattr(user, "is_secretariat", False)
        and organisation_id
        and user.organisation_id == organisation_id
    )


def can_manage_states(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or getattr(user, "is_secretariat", False))


def can_create_organisation(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser)


def can_import(user: Any) -> bool:
    """A directory import may touch any record, so only operators and secretariats run one;
    the import itself still checks each row against the rules above."""
    return can_manage_states(user)


def require(allowed: bool, message: str = "You may not change this record.") -> None:
    if not allowed:
        raise PermissionDenied(message)
