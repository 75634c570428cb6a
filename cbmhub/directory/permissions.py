"""Who may change what in the directory. Reading the directory needs only a login.

The rules (SECURITY.md has the full matrix):
- a focal point manages the points of contact of their own state, nobody else's;
- a secretariat officer manages their organisation, its bodies and memberships;
- states and their delegation codes are kept by secretariat officers;
- an import is open to each of them, for what they manage (``can_import``);
- a superuser (platform operator) may do everything.

Users are duck-typed (role properties of accounts.User) so that the directory imports no
other domain app.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cbmhub.core import roles
from cbmhub.core.errors import Forbidden

IMPORT_REFUSED = _(
    "Only a focal point, a secretariat officer or an operator may import into the directory."
)


def can_manage_points_of_contact(user: object, state_id: int | None) -> bool:
    return roles.is_operator(user) or bool(state_id and roles.is_focal_point(user, state_id))


def can_manage_organisation(user: object, organisation_id: int | None) -> bool:
    return roles.is_operator(user) or bool(
        organisation_id and roles.is_secretariat(user, organisation_id)
    )


def can_manage_states(user: object) -> bool:
    return roles.is_operator(user) or roles.is_secretariat(user)


def can_create_organisation(user: object) -> bool:
    return roles.is_operator(user)


def can_import(user: object) -> bool:
    """Who may open the import: everyone who manages some part of the directory — a focal point
    (their own state's points of contact), a secretariat officer (states, their organisation,
    its bodies and memberships) and an operator. The import checks every record against the
    rules above and reports a refused one beside the file's data problems."""
    return roles.is_operator(user) or roles.is_secretariat(user) or roles.is_focal_point(user)


def require(allowed: bool, message: Any = "You may not change this record.") -> None:
    if not allowed:
        raise Forbidden(str(message))
