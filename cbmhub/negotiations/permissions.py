"""Who may see and do what in the negotiations (docs/negotiations.md has the matrix).

- **Read** a negotiation, its documents and revisions: superusers; secretariat officers of the
  organisation it runs under; focal points and points of contact of a state that currently
  takes part in that organisation (member, chair or party). Observers and users of other
  states see nothing (a document outside a user's view is a 404, so that its existence is
  not revealed); observers are refused the negotiations pages altogether.
- **Open negotiations, add documents, import revisions**: superusers and secretariat officers
  of the organisation. Delegations do not import: a revision is the text the secretariat (on
  behalf of the chair) circulates, and there is one official record of it. Proposals from
  delegations arrive as positions and notes inside that text.
- **The system** (``core.roles.SYSTEM``: the ``revision_import`` command without ``--user``,
  the demo) may open, add and import; ``None`` is no actor and is refused.

Selectors, services, views, the API and the template filters ask these functions; none of them
restates a rule.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.core.errors import Forbidden
from cbmhub.directory.models import Organisation
from cbmhub.directory.selectors import participating_memberships

from .models import Document


def _participating_organisation_ids(state_id: int) -> QuerySet:
    return participating_memberships().filter(state_id=state_id).values("organisation_id")


def may_use(user: object) -> bool:
    """Whether the user has any business with negotiations (observers have none)."""
    return (
        roles.is_operator(user)
        or roles.organisation_id_of(user) is not None
        or roles.is_state_user(user)
    )


def require_use(user: object) -> None:
    if not may_use(user):
        raise Forbidden(_("Negotiations are open to member states and the secretariat."))


def visible_organisation_filter(user: object, *, field: str = "organisation") -> Q:
    """A Q keeping rows whose ``field`` (an organisation FK) the user may read under."""
    if not may_use(user):
        return Q(pk__in=[])
    if roles.is_operator(user):
        return Q()
    if (organisation_id := roles.organisation_id_of(user)) is not None:
        return Q(**{f"{field}_id": organisation_id})
    state_id = roles.state_id_of(user)  # may_use: a state user with a state
    if state_id is None:
        return Q(pk__in=[])
    return Q(**{f"{field}_id__in": _participating_organisation_ids(state_id)})


def can_manage(actor: object, organisation: Organisation | None) -> bool:
    """Open negotiations and add documents under ``organisation`` (any, when None)."""
    if roles.is_system(actor) or roles.is_operator(actor):
        return True
    if organisation is None:
        return roles.organisation_id_of(actor) is not None
    return roles.is_secretariat(actor, organisation.pk)


def can_import_revision(actor: object, document: Document) -> bool:
    """Import a revision of ``document`` (its organisation's secretariat; named apart from the
    directory's ``can_import``, which is about directory files)."""
    return can_manage(actor, document.organisation)
