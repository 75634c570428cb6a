"""Who may see and do what in the exchange: the rules, in one place (docs/exchange.md has the
table). Selectors, services, the TAXII views, the pages, the API, the admin and the template
filters ask these functions; none of them restates a rule.

A state's **CERT** is its users who are technical-level points of contact (``PointOfContact``
with ``level=technical`` linked to the account). For each arrangement a user has a
**clearance**, the most restrictive TLP level they may read in its collections:

- CERT of a participating state with the read right: TLP:AMBER+STRICT (the CERT itself);
- another user of such a state (focal point, policy contact): TLP:AMBER (the CERT's clients);
- CERT of a state that is a current member of a network arrangement's organisation but not a
  participant: TLP:GREEN (the community);
- a participant without the read right, another user of a member state: TLP:CLEAR only;
- the arrangement's secretariat (its organisation's officers) and operators: no content at all,
  not even TLP:CLEAR (the same need-to-know as the hotline): they see that the arrangement and
  its collections exist and administer them;
- anyone else (observers, states outside, anonymous callers): nothing, not even the collection.

TLP:RED goes further than any clearance: only the arrangement's named recipients and the user
who shared the object read it. Granular markings above the reader's clearance remove the
properties they select (``tlp.redact``). Writing needs the CERT of a participant with the write
right, or ``SYSTEM`` (subscriptions, the demo). Everything fails closed: an unknown level, a
missing marking after normalisation or an unknown reader reads nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.core.errors import Forbidden
from cbmhub.directory.choices import Level
from cbmhub.directory.models import PointOfContact
from cbmhub.directory.selectors import participating_memberships

from . import tlp
from .choices import ArrangementKind
from .models import Arrangement, Collection, Participant


@dataclass(frozen=True)
class Access:
    """A user's rights in the exchange, computed once per request (``access_of``)."""

    clearance: dict[int, str] = field(default_factory=dict)  # arrangement id → max TLP level
    red: frozenset[int] = frozenset()  # arrangements where the user is a named RED recipient
    writable: frozenset[int] = frozenset()  # arrangements the user may write to
    administers: frozenset[int] = frozenset()  # arrangements seen as metadata only
    user_id: int | None = None
    # Exercise collections whose states include the user's: the only exercise ones it sees.
    exercise: frozenset[str] = frozenset()

    def level(self, arrangement_id: int) -> str | None:
        return self.clearance.get(arrangement_id)

    def may_read(self, arrangement_id: int, level: str, *, added_by_id: int | None = None) -> bool:
        if level == tlp.RED:
            return arrangement_id in self.clearance and (
                arrangement_id in self.red
                or (self.user_id is not None and added_by_id == self.user_id)
            )
        return tlp.may_read(self.clearance.get(arrangement_id), level)


NO_ACCESS = Access()


def is_cert(user: Any) -> bool:
    """A technical-level point of contact of the user's state: acts for its CERT."""
    state_id = roles.state_id_of(user)
    if state_id is None:
        return False
    cached = getattr(user, "_exchange_is_cert", None)
    if cached is None:
        cached = PointOfContact.objects.filter(
            user=user, state_id=state_id, level=Level.TECHNICAL, is_active=True
        ).exists()
        user._exchange_is_cert = cached
    return bool(cached)


def _state_access(user: Any, state_id: int) -> Access:
    cert = is_cert(user)
    clearance: dict[int, str] = {}
    writable: set[int] = set()
    for arrangement_id, can_read, can_write in Participant.objects.filter(
        state_id=state_id, arrangement__is_active=True
    ).values_list("arrangement_id", "can_read", "can_write"):
        if can_read:
            clearance[arrangement_id] = tlp.AMBER_STRICT if cert else tlp.AMBER
        else:
            clearance[arrangement_id] = tlp.CLEAR
        if can_write and cert:
            writable.add(arrangement_id)
    organisation_ids = (
        participating_memberships().filter(state_id=state_id).values("organisation_id")
    )
    community = Arrangement.objects.filter(
        kind=ArrangementKind.NETWORK, is_active=True, organisation_id__in=organisation_ids
    ).values_list("pk", flat=True)
    for arrangement_id in community:
        clearance.setdefault(arrangement_id, tlp.GREEN if cert else tlp.CLEAR)
    red = set(
        Arrangement.red_recipients.through.objects.filter(user_id=user.pk).values_list(
            "arrangement_id", flat=True
        )
    )
    exercise = Collection.exercise_states.through.objects.filter(
        state_id=state_id, collection__arrangement_id__in=sorted(clearance)
    ).values_list("collection_id", flat=True)
    return Access(
        clearance=clearance,
        red=frozenset(red & set(clearance)),
        writable=frozenset(writable),
        user_id=user.pk,
        exercise=frozenset(str(pk) for pk in exercise),
    )


def access_of(user: Any) -> Access:
    """The user's clearance per arrangement (module docstring), cached on the user object, so
    once per request."""
    if not roles.is_signed_in(user):
        return NO_ACCESS
    cached = getattr(user, "_exchange_access", None)
    if cached is not None:
        return cached
    if (state_id := roles.state_id_of(user)) is not None:
        access = _state_access(user, state_id)
    elif roles.is_operator(user) or roles.organisation_id_of(user) is not None:
        ids = Arrangement.objects.filter(administrable_filter(user)).values_list("pk", flat=True)
        access = Access(administers=frozenset(ids), user_id=user.pk)
    else:
        access = NO_ACCESS
    user._exchange_access = access
    return access


def forget_access(user: Any) -> None:
    """Drop the cached rights (after the user's arrangements changed in the same request)."""
    for name in ("_exchange_access", "_exchange_is_cert"):
        if hasattr(user, name):
            delattr(user, name)


def object_filter(user: Any, *, prefix: str = "") -> Q:
    """A Q over StixObject keeping what the user may read (before granular redaction)."""
    access = access_of(user)
    by_level: dict[str, list[int]] = {}
    for arrangement_id, level in access.clearance.items():
        by_level.setdefault(level, []).append(arrangement_id)
    arrangement = f"{prefix}collection__arrangement_id__in"
    query = Q(**{f"{prefix}pk__in": []})
    for level, ids in by_level.items():
        query |= Q(**{arrangement: ids, f"{prefix}tlp_rank__lte": tlp.RANK[level]})
    if access.clearance:
        query |= Q(**{arrangement: sorted(access.red), f"{prefix}tlp": tlp.RED})
        query |= Q(
            **{
                arrangement: sorted(access.clearance),
                f"{prefix}tlp": tlp.RED,
                f"{prefix}added_by_id": access.user_id,
            }
        )
    # Exercise objects: only for the states of their exercise (never in anyone's real lists).
    return query & (
        Q(**{f"{prefix}collection__is_exercise": False})
        | Q(**{f"{prefix}collection_id__in": sorted(access.exercise)})
    )


def collection_filter(user: Any) -> Q:
    """Collections the user sees: those they may read in, and those they administer."""
    access = access_of(user)
    readable = Q(arrangement_id__in=sorted(access.clearance)) & (
        Q(is_exercise=False) | Q(pk__in=sorted(access.exercise))
    )
    return readable | Q(arrangement_id__in=sorted(access.administers))


def can_read(user: Any, collection: Collection) -> bool:
    """Whether the user reads any content of the collection (TAXII's ``can_read``)."""
    access = access_of(user)
    if collection.is_exercise and str(collection.pk) not in access.exercise:
        return False
    return collection.arrangement_id in access.clearance


def can_write(user: Any, collection: Collection) -> bool:
    if roles.is_system(user):
        return True
    access = access_of(user)
    if collection.is_exercise and str(collection.pk) not in access.exercise:
        return False
    return collection.arrangement_id in access.writable


def require_write(user: Any, collection: Collection) -> None:
    if user is None:
        raise Forbidden(_("No actor: a write needs a user or the system."))
    if not can_write(user, collection):
        raise Forbidden(
            _("Only the CERT of a state with the write right in this arrangement may add objects.")
        )


def may_share(user: Any) -> bool:
    """Whether the user may share in at least one arrangement (shows the incident form link)."""
    return bool(access_of(user).writable)


def may_use(user: Any) -> bool:
    """Whether the exchange pages are open to the user at all: state users, secretariat
    officers and operators (what each reads is ``access_of``'s). Roles only, no query: the page
    frame asks on every page."""
    return (
        roles.is_state_user(user)
        or roles.organisation_id_of(user) is not None
        or roles.is_operator(user)
    )


def require_use(user: Any) -> None:
    if not may_use(user):
        raise Forbidden(_("The exchange is open to the CERTs of participating states."))


def can_administer(user: Any, arrangement: Arrangement | None = None) -> bool:
    """Operators administer every arrangement; a secretariat officer those of their
    organisation (and creates new ones only under it)."""
    if roles.is_operator(user):
        return True
    organisation_id = roles.organisation_id_of(user)
    if organisation_id is None:
        return False
    return arrangement is None or arrangement.organisation_id == organisation_id


def require_administer(user: Any, arrangement: Arrangement | None = None) -> None:
    if user is None or not can_administer(user, arrangement):
        raise Forbidden(_("Only the secretariat of the arrangement's organisation may change it."))


def administrable_filter(user: Any) -> Q:
    if roles.is_operator(user):
        return Q()
    organisation_id = roles.organisation_id_of(user)
    if organisation_id is None:
        return Q(pk__in=[])
    return Q(organisation_id=organisation_id)


def who_can_see(level: str) -> str:
    """The line a page shows beside a TLP label."""
    lines = {
        tlp.CLEAR: _(
            "Everyone in the participating states and the organisation's member states; "
            "the source allows public disclosure."
        ),
        tlp.GREEN: _("The participating states and the CERTs of the organisation's member states."),
        tlp.AMBER: _("The participating states' CERTs and their government contacts."),
        tlp.AMBER_STRICT: _("Only the participating states' CERTs."),
        tlp.RED: _("Only the arrangement's named recipients and the person who shared it."),
    }
    return lines.get(level, _("Nobody (unknown marking)."))
