"""Reads of the negotiations app. Who may see and change what is in ``permissions.py``; every
list and access helper here applies it."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from cbmhub.core import roles
from cbmhub.core.selectors import int_or_404
from cbmhub.directory.models import Organisation
from cbmhub.directory.selectors import states_for_codes

from . import notation
from .models import Document, Negotiation, Revision
from .permissions import require_use, visible_organisation_filter


def manageable_organisations(user: Any) -> QuerySet[Organisation]:
    if roles.is_operator(user):
        return Organisation.objects.order_by("acronym")
    if (organisation_id := roles.organisation_id_of(user)) is not None:
        return Organisation.objects.filter(pk=organisation_id)
    return Organisation.objects.none()


# --- lists and access helpers ----------------------------------------------------------------


def negotiation_list(user: Any) -> QuerySet[Negotiation]:
    """The negotiations the user may read, each with its documents and their revision count."""
    require_use(user)
    documents = Document.objects.select_related("body").annotate(revision_count=Count("revisions"))
    return (
        Negotiation.objects.filter(visible_organisation_filter(user))
        .select_related("organisation", "body")
        .prefetch_related(Prefetch("documents", queryset=documents.order_by("symbol", "id")))
        .order_by("organisation__acronym", "title", "id")
    )


def document_list(user: Any, *, negotiation: Negotiation | None = None) -> QuerySet[Document]:
    require_use(user)
    documents = Document.objects.filter(visible_organisation_filter(user)).select_related(
        "negotiation", "organisation", "body"
    )
    if negotiation is not None:
        documents = documents.filter(negotiation=negotiation)
    return documents.order_by("organisation__acronym", "symbol", "id")


def access_negotiation(user: Any, negotiation_id: Any) -> Negotiation:
    require_use(user)
    negotiation = (
        Negotiation.objects.filter(visible_organisation_filter(user))
        .select_related("organisation", "body")
        .filter(pk=int_or_404(negotiation_id))
        .first()
    )
    if negotiation is None:
        raise Http404("No such negotiation.")
    return negotiation


def access_document(user: Any, document_id: Any) -> Document:
    require_use(user)
    document = (
        Document.objects.filter(visible_organisation_filter(user))
        .select_related("negotiation", "organisation", "body")
        .filter(pk=int_or_404(document_id))
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
    revision = Revision.objects.filter(document=document, pk=int_or_404(revision_id)).first()
    if revision is None:
        raise Http404("No such revision of this document.")
    return revision


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
