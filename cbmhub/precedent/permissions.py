"""Who may see and do what in the precedent search (docs/precedent.md).

- **Search**: whoever may use the negotiations (superusers, secretariat officers, focal points
  and points of contact of states); observers are refused.
- **Which texts a user's results come from**: public texts (a source without an organisation:
  the UN's resolutions) for every user who may search; a text of an organisation (an adopted
  revision of its negotiations, or a text its secretariat uploaded) only for those who may read
  that organisation's negotiations (``negotiations.permissions.visible_organisation_filter``).
  A precedent from a text the user may not read is never shown, counted or hinted at.
- **Index texts** (upload, import): the system (``cbmhub precedent index``), operators, and
  secretariat officers (into their organisation's texts).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.core.errors import Forbidden
from cbmhub.negotiations import permissions as negotiations


def may_search(user: Any) -> bool:
    """The system (``cbmhub precedent search``) searches every text."""
    return roles.is_system(user) or negotiations.may_use(user)


def require_search(user: Any) -> None:
    if not may_search(user):
        raise Forbidden(_("The precedent search is open to member states and the secretariat."))


def visible_text_filter(user: Any) -> Q:
    """A Q keeping the texts (``precedent.Text``) the user may read."""
    if roles.is_system(user) or roles.is_operator(user):
        return Q()  # (an empty Q would vanish from the "or" below)
    if not may_search(user):
        return Q(pk__in=[])
    return Q(organisation__isnull=True) | negotiations.visible_organisation_filter(user)


def can_index(actor: Any) -> bool:
    return (
        roles.is_system(actor)
        or roles.is_operator(actor)
        or roles.organisation_id_of(actor) is not None
    )


def require_index(actor: Any) -> None:
    if not can_index(actor):
        raise Forbidden(_("Only the secretariat may add texts to the precedent index."))
