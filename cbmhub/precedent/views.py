"""Precedent pages: the search (exact phrase or closest precedent, with filters), a precedent
paragraph, and "which of this draft is agreed language?" for a revision of a negotiation.

Every result goes through the selectors, which keep only the texts the user may read.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cbmhub.core.forms import add_domain_error
from cbmhub.core.roles import SYSTEM
from cbmhub.core.selectors import int_or_404
from cbmhub.negotiations import selectors as negotiations
from cbmhub.negotiations.models import Revision

from . import selectors, services
from .engine import MAX_QUERY_CHARS, MAX_QUERY_WORDS, QueryError
from .forms import SearchForm, UploadForm
from .permissions import can_index, may_search, require_index, require_search

PAGE_SIZE = 50
MIN_SHOWN = 0.3  # closest precedents scoring less are left off the page (API: all, by limit)


def _acknowledgements(results: list[selectors.Result]) -> list[str]:
    return sorted({r.text.source.acknowledgement for r in results} - {""})


def query_error_message(error: QueryError, query: str) -> str:
    """The engine's refusal in the reader's language."""
    if error.code == "empty":
        return _("The query is empty: type a phrase or a paragraph.")
    if error.code == "no_words":
        return _("The query has no words (letters or digits) to search for.")
    return _(
        "The query is %(length)s characters long; at most %(limit)s are searched (about "
        "%(words)s words). Search one paragraph or sentence at a time."
    ) % {"length": f"{len(query):,}", "limit": f"{MAX_QUERY_CHARS:,}", "words": MAX_QUERY_WORDS}


def _run(form: SearchForm, request: HttpRequest) -> dict[str, Any]:
    """The search the valid form asks for, or its error beside the text field."""
    query = form.cleaned_data.get("q") or ""
    filters = form.filters()
    try:
        if form.cleaned_data.get("phrase"):
            results, total = selectors.phrase_search(request.user, query, filters)
            page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
            return {"results": list(page), "total": total, "page_obj": page, "ran": True}
        results = selectors.closest_search(request.user, query, filters, limit=20)
        # The page lists precedents, not every paragraph sharing a word pair with the query.
        results = [result for result in results if result.score >= MIN_SHOWN]
    except QueryError as exc:
        form.add_error("q", query_error_message(exc, query))
        return {"results": [], "ran": False}
    return {"results": results, "total": len(results), "ran": True}


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    require_search(request.user)
    services.revisions_sync(actor=SYSTEM)
    form = SearchForm(
        request.GET or None, languages=selectors.languages(), bodies=selectors.bodies()
    )
    context: dict[str, Any] = {"form": form, "results": [], "ran": False}
    if form.is_bound and form.is_valid() and (form.cleaned_data.get("q") or "").strip():
        context.update(_run(form, request))
        context["unknown"] = (
            not context["results"]
            and context["ran"]
            and (selectors.unknown_words(form.cleaned_data["q"]))
        )
    elif form.is_bound and form.is_valid():
        form.add_error("q", _("The query is empty: type a phrase or a paragraph."))
    context["phrase"] = form.is_bound and form.is_valid() and form.cleaned_data.get("phrase")
    context["acknowledgements"] = _acknowledgements(context["results"])
    context["can_upload"] = can_index(request.user)
    return render(request, "precedent/search.html", context)


@login_required
@require_GET
def paragraph(request: HttpRequest, paragraph_id: int) -> HttpResponse:
    found = selectors.access_paragraph(request.user, int_or_404(paragraph_id))
    siblings = found.text.paragraphs.order_by("index")
    return render(
        request,
        "precedent/paragraph.html",
        {"paragraph": found, "text": found.text, "siblings": siblings},
    )


def _access_revision(request: HttpRequest, revision_id: int) -> Revision:
    require_search(request.user)
    document_id = (
        Revision.objects.filter(pk=int_or_404(revision_id))
        .values_list("document_id", flat=True)
        .first()
    )
    document = negotiations.access_document(request.user, document_id or 0)
    return negotiations.access_revision(document, revision_id)


@login_required
@require_GET
def draft(request: HttpRequest, revision_id: int) -> HttpResponse:
    revision = _access_revision(request, revision_id)
    services.revisions_sync(actor=SYSTEM)
    report = selectors.draft_report(request.user, revision, selectors.SearchFilters())
    return render(
        request,
        "precedent/draft.html",
        {"revision": revision, "document": revision.document, "report": report},
    )


@login_required
@require_GET
def draft_paragraph(request: HttpRequest, revision_id: int, index: int) -> HttpResponse:
    revision = _access_revision(request, revision_id)
    services.revisions_sync(actor=SYSTEM)
    item = selectors.draft_paragraph(revision, index)
    own = tuple(selectors.Text.objects.filter(revision=revision).values_list("id", flat=True))
    results = selectors.closest_search(
        request.user, item.text, selectors.SearchFilters(), limit=5, exclude=own
    )
    return render(
        request,
        "precedent/draft_paragraph.html",
        {
            "revision": revision,
            "document": revision.document,
            "item": item,
            "index": index,
            "results": results,
            "acknowledgements": _acknowledgements(results),
        },
    )


def revision_panel(request: HttpRequest, revision: Revision) -> str:
    """The card on a negotiations revision page (asked for through the app config)."""
    if not may_search(request.user):
        return ""
    return render_to_string("precedent/_revision_panel.html", {"revision": revision}, request)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """The secretariat adds an adopted text to the index (its organisation's readers see it)."""
    require_index(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                outcome = services.text_upload(
                    actor=request.user,
                    data=b"".join(upload.chunks()),
                    name=upload.name,
                    date=form.cleaned_data["date"].isoformat(),
                    language=form.cleaned_data["language"],
                    body=form.cleaned_data["body"],
                )
            except services.PrecedentError as error:
                add_domain_error(form, error)
            else:
                flash.success(
                    request,
                    _("%(symbol)s: %(count)s paragraphs indexed.")
                    % {"symbol": outcome.text.symbol, "count": outcome.text.paragraphs.count()},
                )
                return redirect("precedent:upload")
    return render(request, "precedent/upload.html", {"form": form}, status=status)
