"""Who a user is, in one place for every app: "is this user a focal point / a state's user /
secretariat / an operator (of X)". Anonymous users answer False to everything, so a caller
never needs ``getattr(user, "is_…", False)``.

``core`` imports no domain app, so users are described by the ``RoleHolder`` protocol
(``accounts.User`` fits it; Django's ``AnonymousUser`` is recognised by ``is_authenticated``).

``SYSTEM`` is the caller of a service run by the worker, a management command or the demo: an
explicit actor, never ``None``. It is not a user and holds no role here: a permission rule lets
it through only where it names it (``is_system``), so it cannot pass a check by accident.
"""

from __future__ import annotations

from typing import Any, Final, Protocol, runtime_checkable


@runtime_checkable
class RoleHolder(Protocol):
    """What the role helpers read from a signed-in user (``accounts.User``)."""

    is_authenticated: bool
    is_superuser: bool
    is_state_user: bool
    is_focal_point: bool
    is_secretariat: bool
    state_id: int | None
    organisation_id: int | None


class SystemActor:
    """The platform itself acting (worker, command line, demo); see the module docstring."""

    pk = None
    is_authenticated = False
    is_superuser = False
    # The role attributes a user has, all empty, so that rules that read them refuse SYSTEM
    # without special-casing it.
    is_state_user = False
    is_secretariat = False
    state_id = None
    organisation_id = None

    def __repr__(self) -> str:
        return "SYSTEM"

    def __str__(self) -> str:
        return "system"


SYSTEM: Final = SystemActor()


def is_system(actor: object) -> bool:
    return actor is SYSTEM


def _signed_in(user: object) -> RoleHolder | None:
    """The user as a role holder when signed in, else None (anonymous, SYSTEM, None)."""
    if user is None or user is SYSTEM or not getattr(user, "is_authenticated", False):
        return None
    return user  # type: ignore[return-value]  # accounts.User, duck-typed (see above)


def is_signed_in(user: object) -> bool:
    return _signed_in(user) is not None


def is_operator(user: object) -> bool:
    """A platform operator (superuser)."""
    holder = _signed_in(user)
    return bool(holder and holder.is_superuser)


def is_state_user(user: object, state_id: int | None = None) -> bool:
    """A focal point or point of contact acting for a state (``state_id``'s, when given)."""
    holder = _signed_in(user)
    if holder is None or not holder.is_state_user or not holder.state_id:
        return False
    return state_id is None or holder.state_id == state_id


def is_focal_point(user: object, state_id: int | None = None) -> bool:
    """A focal point of a state (``state_id``'s, when given)."""
    holder = _signed_in(user)
    return bool(holder and holder.is_focal_point) and is_state_user(user, state_id)


def is_secretariat(user: object, organisation_id: int | None = None) -> bool:
    """A secretariat officer (of ``organisation_id``, when given; then one with an
    organisation). Without ``organisation_id`` any officer, with or without an organisation."""
    holder = _signed_in(user)
    if holder is None or not holder.is_secretariat:
        return False
    return organisation_id is None or (
        bool(holder.organisation_id) and holder.organisation_id == organisation_id
    )


def state_id_of(user: object) -> int | None:
    """The state a state user acts for; None for everyone else."""
    holder = _signed_in(user)
    return holder.state_id if holder is not None and holder.is_state_user else None


def organisation_id_of(user: object) -> int | None:
    """The organisation a secretariat officer acts for; None for everyone else."""
    holder = _signed_in(user)
    return holder.organisation_id if holder is not None and holder.is_secretariat else None


def user_or_none(actor: Any) -> Any:
    """The signed-in user to record as the author of a change (history, imports); None for the
    system and for anonymous callers."""
    return actor if is_signed_in(actor) else None
