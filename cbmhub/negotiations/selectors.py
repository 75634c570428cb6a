"""Reads of the negotiations app. Who may see and change what is in ``permissions.py``; every
list and access helper here applies it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from cbmhub.core import roles
from cbmhub.core.selectors import int_or_404
from cbmhub.directory.models import Organisation
from cbmhub.directory.selectors import states_for_codes

from . import notation, versions
from .models import Document, Negotiation, Revision, RevisionParagraph, RevisionVersion
from .permissions import require_use, visible_organisation_filter


def manageable_organisations(user: object) -> QuerySet[Organisation]:
    if roles.is_operator(user):
        return Organisation.objects.order_by("acronym")
    if (organisation_id := roles.organisation_id_of(user)) is not None:
        return Organisation.objects.filter(pk=organisation_id)
    return Organisation.objects.none()


# --- lists and access helpers ----------------------------------------------------------------


def negotiation_list(user: object) -> QuerySet[Negotiation]:
    """The negotiations the user may read, each with its documents and their revision count."""
    require_use(user)
    documents = Document.objects.select_related("body").annotate(revision_count=Count("revisions"))
    return (
        Negotiation.objects.filter(visible_organisation_filter(user))
        .select_related("organisation", "body")
        .prefetch_related(Prefetch("documents", queryset=documents.order_by("symbol", "id")))
        .order_by("organisation__acronym", "title", "id")
    )


def document_list(user: object, *, negotiation: Negotiation | None = None) -> QuerySet[Document]:
    require_use(user)
    documents = Document.objects.filter(visible_organisation_filter(user)).select_related(
        "negotiation", "organisation", "body"
    )
    if negotiation is not None:
        documents = documents.filter(negotiation=negotiation)
    return documents.order_by("organisation__acronym", "symbol", "id")


def access_negotiation(user: object, negotiation_id: Any) -> Negotiation:
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


def access_document(user: object, document_id: Any) -> Document:
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


# --- the analysis kept per revision (services.revision_analysis_store) ----------------------

# The revision page shows at most this many paragraphs, and at most this many characters of
# source (a longer paragraph is shown over several pages): its size does not grow with the
# text. services.revision_analysis_store assigns the pages at import with these.
PAGE_PARAGRAPHS = 50
PAGE_CHARS = 20_000


@dataclass(frozen=True)
class StoredParagraph:
    """A paragraph row with the part of its source shown: ``text`` is source[window]."""

    row: RevisionParagraph
    text: str
    window: tuple[int, int]  # offsets into the paragraph's own text
    part: int  # 1-based part of a paragraph longer than a page
    parts: int


def revision_summary(revision: Revision) -> dict[str, Any]:
    """The kept analysis of a revision without its paragraphs (the JSON of docs/notation.md),
    with each delegation's state and the unknown codes looked up in the directory now: it may
    have learnt an alias since the import. Reads one row per state named, never the text."""
    data = dict(revision.analysis)
    delegations = {code: dict(entry) for code, entry in data.get("delegations", {}).items()}
    codes = [code for code, entry in delegations.items() if not entry.get("actor")]
    found = states_for_codes(codes)
    unknown = []
    for code in codes:
        state = found.get(code)
        delegations[code]["state"] = {"id": state.pk, "name": state.name} if state else None
        if state is None:
            unknown.append(code)
    data.update(delegations=delegations, unknown_codes=sorted(unknown), resolved=True)
    return data


def _part(revision: Revision, start: int, end: int) -> str:
    """source_text[start:end] read in the database, not the whole text."""
    found = (
        Revision.objects.filter(pk=revision.pk)
        .annotate(part=Substr("source_text", start + 1, max(end - start, 0)))
        .values_list("part", flat=True)
        .first()
    )
    return found or ""


def _with_text(
    revision: Revision, rows: list[RevisionParagraph], windows: list[tuple[int, int, int, int]]
) -> list[StoredParagraph]:
    """Rows with their shown text; ``windows`` are (from, to, part, parts) per row, offsets
    into each paragraph. One read of the source between the first and the last shown."""
    if not rows:
        return []
    first = rows[0].start + windows[0][0]
    last = max(row.start + window[1] for row, window in zip(rows, windows, strict=True))
    text = _part(revision, first, last)
    out = []
    for row, (begin, end, part, parts) in zip(rows, windows, strict=True):
        out.append(
            StoredParagraph(
                row,
                text[row.start + begin - first : row.start + end - first],
                (begin, end),
                part,
                parts,
            )
        )
    return out


def revision_page(
    revision: Revision, page: int, *, page_chars: int = PAGE_CHARS
) -> list[StoredParagraph]:
    """The paragraphs on page ``page`` of the revision view (pages as kept at import), each
    with the part of its text that belongs on this page."""
    rows = [
        row
        for row in RevisionParagraph.objects.filter(revision=revision, page_last__gte=page)
        .defer("revision")
        .order_by("page_last", "index")[:PAGE_PARAGRAPHS]
        if row.page_first <= page
    ]
    windows = []
    for row in rows:
        length = row.end - row.start
        part = page - row.page_first
        windows.append(
            (part * page_chars, min(length, (part + 1) * page_chars), part + 1,
             row.page_last - row.page_first + 1)
        )  # fmt: skip
    return _with_text(revision, rows, windows)


def revision_paragraph_page(revision: Revision, key: str) -> int | None:
    """The page of the revision view where the paragraph ``key`` starts; None if none has it."""
    return (
        RevisionParagraph.objects.filter(revision=revision, key=key)
        .values_list("page_first", flat=True)
        .first()
    )


def _filtered(revision: Revision, *, code: str, status: str) -> QuerySet[RevisionParagraph]:
    """The rows the revision page's filter keeps: where delegation ``code`` has a position or
    a note (one LIKE on ``codes``), and of ``status`` ("" for any)."""
    rows = RevisionParagraph.objects.filter(revision=revision)
    if code:
        rows = rows.filter(codes__contains=f" {code} ")
    if status:
        rows = rows.filter(status=status)
    return rows


def revision_paragraphs_filtered_count(revision: Revision, *, code: str, status: str) -> int:
    """How many paragraphs the filter (``code``, ``status``) keeps."""
    return _filtered(revision, code=code, status=status).count()


def revision_paragraphs_filtered(
    revision: Revision, *, code: str, status: str, offset: int, limit: int, page_chars: int
) -> list[StoredParagraph]:
    """The paragraphs the filter keeps, ``limit`` from ``offset``, each with at most its first
    ``page_chars`` characters."""
    rows = _filtered(revision, code=code, status=status)
    chosen = list(rows.order_by("index")[offset : offset + limit])
    windows = [
        (0, min(row.end - row.start, page_chars), 1,
         row.page_last - row.page_first + 1)
        for row in chosen
    ]  # fmt: skip
    return _with_text(revision, chosen, windows)


def revision_paragraph_filtered_position(
    revision: Revision, key: str, *, code: str, status: str
) -> int | None:
    """Where the paragraph ``key`` stands (0-based) among those the filter keeps; None if the
    filter does not keep it."""
    rows = _filtered(revision, code=code, status=status)
    index = rows.filter(key=key).values_list("index", flat=True).first()
    return None if index is None else rows.filter(index__lt=index).count()


# The paragraph navigation lists at most this many keys (those around the page shown): a text
# of 20,000 numbered paragraphs does not make every page list them all.
MAX_NAV = 400


def revision_nav(
    revision: Revision, *, code: str, status: str, around: int | None
) -> tuple[list[dict[str, Any]], int]:
    """The paragraph navigation under the filter: the numbered paragraphs it keeps (all it
    keeps when none is numbered), at most MAX_NAV of them centred on the paragraph of index
    ``around``; with how many there are in all. Reads keys, never text."""
    rows = _filtered(revision, code=code, status=status)
    labelled = rows.exclude(label="")
    if labelled.exists():
        rows = labelled
    total = rows.count()
    start = 0
    if around is not None and total > MAX_NAV:
        before = rows.filter(index__lt=around).count()
        start = max(0, min(before - MAX_NAV // 2, total - MAX_NAV))
    window = rows.order_by("index").values_list("key", "status")[start : start + MAX_NAV]
    # Plain dicts: the view adds each entry's link.
    items: list[dict[str, Any]] = [{"key": key, "status": state} for key, state in window]
    return items, total


def revision_paragraph_rows(
    revision: Revision, *, offset: int, limit: int
) -> tuple[list[StoredParagraph], int]:
    """``limit`` paragraphs from ``offset`` with their whole text (the API's pages)."""
    rows = RevisionParagraph.objects.filter(revision=revision)
    total = rows.count()
    chosen = list(rows.order_by("index")[offset : offset + limit])
    windows = [(0, row.end - row.start, 1, 1) for row in chosen]
    return _with_text(revision, chosen, windows), total


def revision_stances(revision: Revision, code: str, *, limit: int = 100) -> tuple[list, list]:
    """Keys of the paragraphs where delegation ``code`` supports something and where it opposes
    something (a paragraph where it does both is in both), at most ``limit`` of each, in text
    order; read from the rows kept at import that name the code."""
    supports: list[str] = []
    opposes: list[str] = []
    rows = (
        RevisionParagraph.objects.filter(revision=revision, codes__contains=f" {code} ")
        .order_by("index")
        .values_list("key", "positions")
    )
    for key, positions in rows.iterator(chunk_size=500):
        stances = {p["stance"] for p in positions if p["delegation"] == code}
        if "support" in stances and len(supports) < limit:
            supports.append(key)
        if "oppose" in stances and len(opposes) < limit:
            opposes.append(key)
        if len(supports) >= limit and len(opposes) >= limit:
            break
    return supports, opposes


# --- language versions -----------------------------------------------------------------------


def revision_versions(revision: Revision) -> QuerySet[RevisionVersion]:
    """The language versions of a revision the caller already may read."""
    return RevisionVersion.objects.filter(revision=revision).order_by("language")


def access_revision_version(revision: Revision, language: str) -> RevisionVersion:
    found = RevisionVersion.objects.filter(revision=revision, language=language).first()
    if found is None:
        raise Http404
    return found


def revision_version_items(
    revision: Revision, version: RevisionVersion
) -> tuple[list[Any], list[Any]]:
    """The paragraphs of the revision and of the version, as aligned."""
    return versions.paragraph_items(revision.source_text), versions.paragraph_items(
        version.source_text
    )
