"""Who may see and do what in the measures app (docs/measures.md has the matrix).

- **Catalogues, measures, plans, cycles** are read by every signed-in user (the catalogue of an
  organisation is a public commitment); they are written by the secretariat of the catalogue's
  organisation, operators and ``SYSTEM`` (commands, the demo).
- **Submissions and capability records** are filed by a state's focal point (points of contact
  of the state may prepare a draft), only for their own state; the secretariat of the
  organisation acknowledges. They are read by their own state, the secretariat of the
  organisation and operators always; by others by their visibility once submitted: *members*
  (states taking part in the organisation), *named states*, *public* (every signed-in user,
  observers included); *secretariat only* by nobody else.
- **The implementation matrix, profiles, outputs**: the secretariat of the organisation,
  operators and states taking part in the organisation (cells show only a status, never text;
  compiled publications contain only what the reader may read). Observers are refused.
- **Early warning**: the secretariat (every figure, by state) and member states (aggregate
  figures and their own state's); thresholds and alerts are the secretariat's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.core.errors import Forbidden
from cbmhub.directory.selectors import participating_memberships

from .choices import SubmissionStatus, Visibility
from .models import Capability, Submission


def participating_organisation_ids(state_id: int) -> QuerySet:
    return participating_memberships().filter(state_id=state_id).values("organisation_id")


def takes_part(state_id: int | None, organisation_id: int) -> bool:
    if state_id is None:
        return False
    return (
        participating_memberships()
        .filter(state_id=state_id, organisation_id=organisation_id)
        .exists()
    )


def can_manage(actor: Any, organisation_id: int | None) -> bool:
    """Write catalogues, plans, cycles; acknowledge; set thresholds (the organisation's
    secretariat; any secretariat officer when ``organisation_id`` is None)."""
    if roles.is_system(actor) or roles.is_operator(actor):
        return True
    if organisation_id is None:
        return roles.organisation_id_of(actor) is not None
    return roles.is_secretariat(actor, organisation_id)


def require_manage(actor: Any, organisation_id: int | None) -> None:
    if actor is None:
        raise Forbidden(_("No actor: a change needs a user or the system."))
    if not can_manage(actor, organisation_id):
        raise Forbidden(_("Only the secretariat of the organisation may do this."))


def may_read_catalogue(user: Any) -> bool:
    return roles.is_signed_in(user)


def can_file(actor: Any, state_id: int) -> bool:
    """File (submit) for ``state_id``: its focal point, or the system."""
    return roles.is_system(actor) or roles.is_focal_point(actor, state_id)


def can_draft(actor: Any, state_id: int) -> bool:
    """Prepare a draft for ``state_id``: any of its users (the focal point files it)."""
    return roles.is_system(actor) or roles.is_state_user(actor, state_id)


def require_draft(actor: Any, state_id: int) -> None:
    if actor is None:
        raise Forbidden(_("No actor: a change needs a user or the system."))
    if not can_draft(actor, state_id):
        raise Forbidden(_("You may file only for your own state."))


def require_file(actor: Any, state_id: int) -> None:
    require_draft(actor, state_id)
    if not can_file(actor, state_id):
        raise Forbidden(_("Only the focal point of the state may submit."))


def may_use_matrix(user: Any, organisation_id: int) -> bool:
    """See the matrix, profiles and outputs of an organisation's catalogues."""
    if roles.is_operator(user) or roles.is_secretariat(user, organisation_id):
        return True
    return takes_part(roles.state_id_of(user), organisation_id)


def require_matrix(user: Any, organisation_id: int) -> None:
    if not may_use_matrix(user, organisation_id):
        raise Forbidden(
            _("The implementation matrix is open to member states and the secretariat.")
        )


def may_use_measures(user: Any) -> bool:
    """Any business with matrices and early warning (observers have none)."""
    return (
        roles.is_operator(user)
        or roles.organisation_id_of(user) is not None
        or roles.is_state_user(user)
    )


def require_use(user: Any) -> None:
    if not may_use_measures(user):
        raise Forbidden(_("This page is open to member states and the secretariat."))


def visible_filter(user: Any, model: type[Submission] | type[Capability]) -> Q:
    """A Q keeping the submissions (or capability records) the user may read; see the module
    docstring. Named states are matched by a subquery, so the filter adds no duplicate rows."""
    if roles.is_operator(user):
        return Q()
    if not roles.is_signed_in(user):
        return Q(pk__in=[])
    is_submission = model is Submission
    organisation_field = "cycle__catalogue__organisation_id" if is_submission else "organisation_id"
    published = ~Q(status=SubmissionStatus.DRAFT) if is_submission else Q()
    public = published & Q(visibility=Visibility.PUBLIC)
    if (organisation_id := roles.organisation_id_of(user)) is not None:
        return Q(**{organisation_field: organisation_id}) | public
    state_id = roles.state_id_of(user)
    if state_id is None:
        return public
    through = model.named_states.through
    named_ids = through.objects.filter(state_id=state_id).values(
        "submission_id" if is_submission else "capability_id"
    )
    members = Q(visibility=Visibility.MEMBERS) & Q(
        **{f"{organisation_field}__in": participating_organisation_ids(state_id)}
    )
    named = Q(visibility=Visibility.NAMED) & Q(pk__in=named_ids)
    return Q(state_id=state_id) | public | published & (members | named)


def may_read(user: Any, record: Submission | Capability) -> bool:
    return type(record).objects.filter(visible_filter(user, type(record)), pk=record.pk).exists()


def sees_state_figures(user: Any, organisation_id: int) -> bool:
    """Early warning by named state: the secretariat and operators only."""
    return roles.is_operator(user) or roles.is_secretariat(user, organisation_id)
