"""Reads of the negotiations app, and who may see and change what.

- **Read** a negotiation, its documents and revisions: superusers; secretariat officers of the
  organisation it runs under; focal points and points of contact of a state that currently
  takes part in that organisation (member, chair or party). Observers and users of other
  states see nothing (a document outside a user's view is a 404, so that its existence is
  not revealed); observers are refused the negotiations pages altogether.
- **Open negotiations, add documents, import revisions**: superusers and secretariat officers
  of the organisation. Delegations do not import: a revision is the text the secretariat (on
  behalf of the chair) circulates, and there is one official record of it. Proposals from
  delegations arrive as positions and notes inside that text. See docs/negotiations.md.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cbmhub.directory.models import Organisation
from cbmhub.directory.selectors import participating_memberships, states_for_codes

from . import notation
from .models import Document, Negotiation, Revision


def _participating_organisation_ids(state_id: int) -> QuerySet:
    return participating_memberships().filter(state_id=state_id).values("organisation_id")


def may_use(user: Any) -> bool:
    """Whether the user has any business with negotiations (observers have none)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if getattr(user, "is_secretariat", False):
        return bool(user.organisation_id)
    return bool(getattr(user, "is_state_user", False) and user.state_id)


def visible_organisation_filter(user: Any, *, field: str = "organisation") -> Q:
    """A Q keeping rows whose ``field`` (an organisation FK) the user may read under."""
    if not may_use(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    if getattr(user, "is_secretariat", False):
        return Q(**{f"{field}_id": user.organisation_id})
    return Q(**{f"{field}_id__in": _participating_organisation_ids(user.state_id)})


def can_manage(user: Any, organisation: Organisation | None) -> bool:
    """Open negotiations and add documents under ``organisation`` (any, when None)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if not getattr(user, "is_secretariat", False) or not user.organisation_id:
        return False
    return organisation is None or user.organisation_id == organisation.pk


def can_import(user: Any, document: Document) -> bool:
    return can_manage(user, document.organisation)


def manageable_organisations(user: Any) -> QuerySet[Organisation]:
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.order_by("acronym")
    if getattr(user, "is_secretariat", False) and user.organisation_id:
        return Organisation.objects.filter(pk=user.organisation_id)
    return Organisation.objects.none()


def _require_use(user: Any) -> None:
    if not may_use(user):
        raise PermissionDenied(_("Negotiations are open to member states and the secretariat."))


# --- lists and access helpers ----------------------------------------------------------------


def negotiation_list(user: Any) -> QuerySet[Negotiation]:
    """The negotiations the user may read, each with its documents and their revision count."""
    _require_use(user)
    documents = Document.objects.select_related("body").annotate(revision_count=Count("revisions"))
    return (
        Negotiation.objects.filter(visible_organisation_filter(user))
        .select_related("organisation", "body")
        .prefetch_related(Prefetch("documents", queryset=documents.order_by("symbol", "id")))
        .order_by("organisation__acronym", "title", "id")
    )


def document_list(user: Any, *, negotiation: Negotiation | None = None) -> QuerySet[Document]:
    _require_use(user)
    documents = Document.objects.filter(visible_organisation_filter(user)).select_related(
        "negotiation", "organisation", "body"
    )
    if negotiation is not None:
        documents = documents.filter(negotiation=negotiation)
    return documents.order_by("organisation__acronym", "symbol", "id")


def access_negotiation(user: Any, negotiation_id: Any) -> Negotiation:
    _require_use(user)
    negotiation = (
        Negotiation.objects.filter(visible_organisation_filter(user))
        .select_related("organisation", "body")
        .filter(pk=_int(negotiation_id))
        .first()
    )
    if negotiation is None:
        raise Http404("No such negotiation.")
    return negotiation


def access_document(user: Any, document_id: Any) -> Document:
    _require_use(user)
    document = (
        Document.objects.filter(visible_organisation_filter(user))
        .select_related("negotiation", "organisation", "body")
        .filter(pk=_int(document_id))
        .first()
    )
    if document is None:
        raise Http404("No such document.")
    return document


def document_for_reference(reference: str) -> Document:
    """The document a command line names: its id, or its symbol (unique or qualified by the
    organisation as ``CICA:SWG/OI/1262``). Raises LookupError saying what did not match."""
    reference = reference.strip()
    if reference.isdigit():
        document = Document.objects.filter(pk=int(reference)).first()
        if document is not None:
            return document
    acronym, _, symbol = reference.rpartition(":") if ":" in reference else ("", "", reference)
    documents = Document.objects.filter(symbol=symbol).select_related("organisation")
    if acronym:
        documents = documents.filter(organisation__acronym__iexact=acronym)
    found = list(documents[:2])
    if not found:
        raise LookupError(f"no document with id or symbol {reference!r}")
    if len(found) > 1:
        raise LookupError(
            f"symbol {reference!r} is used by more than one organisation; write it as "
            f"ACRONYM:{symbol} (e.g. {found[0].organisation.acronym}:{symbol})"
        )
    return found[0]


def revision_list(document: Document) -> QuerySet[Revision]:
    """A document's revisions, oldest first, without their source text (lists do not need it)."""
    return (
        Revision.objects.filter(document=document)
        .select_related("imported_by")
        .defer("source_text")
        .order_by("date", "imported_at", "id")
    )


def access_revision(document: Document, revision_id: Any) -> Revision:
    """A revision of a document already obtained through ``access_document``."""
    revision = Revision.objects.filter(document=document, pk=_int(revision_id)).first()
    if revision is None:
        raise Http404("No such revision of this document.")
    return revision


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Not a valid id.") from None


# --- analysis --------------------------------------------------------------------------------


def resolver_for(doc: notation.Document):  # noqa: ANN201 - a notation resolver
    """Delegation codes resolved to directory states through its aliases, in one lookup for
    the whole text; actors (CHAIR ...) are never looked up."""
    found = states_for_codes(notation.delegation_codes(doc))

    def resolve(code: str) -> tuple[int, str] | None:
        state = found.get(code)
        return (state.pk, state.name) if state is not None else None

    return resolve


def revision_analysis(revision: Revision) -> notation.Analysis:
    """The analysis of a revision, from its source text, with codes resolved now (the
    directory may have learnt an alias since the import)."""
    doc = notation.parse(revision.source_text)
    return notation.analyse(doc, resolve=resolver_for(doc))
