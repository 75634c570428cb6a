"""Downloads of a revision (Word, Akoma Ntoso, PDF podium version) and of the comparison of
two revisions (Word with tracked changes, PDF), and the messages shown after a Word or AKN
file was imported. Whoever may read the revisions may download them (the selectors' access
helpers decide); nobody else learns that they exist (404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cbmhub.core.http import attachment_response

from . import exports, selectors

MAX_COMMENTS_SHOWN = 10


@login_required
@require_GET
def revision_download(
    request: HttpRequest, document_id: int, revision_id: int, fmt: str
) -> HttpResponse:
    if fmt not in exports.REVISION_FORMATS:
        raise Http404("Ask for docx, akn or pdf.")
    document = selectors.access_document(request.user, document_id)
    revision = selectors.access_revision(document, revision_id)
    file = exports.revision_file(document, revision, fmt)
    return attachment_response(file.content, filename=file.filename, content_type=file.content_type)


@login_required
@require_GET
def compare_download(request: HttpRequest, document_id: int, fmt: str) -> HttpResponse:
    if fmt not in exports.COMPARE_FORMATS:
        raise Http404("Ask for docx or pdf.")
    document = selectors.access_document(request.user, document_id)
    revisions = [*selectors.revision_list(document)]
    if len(revisions) < 2 and not (request.GET.get("old") and request.GET.get("new")):
        raise Http404("Two revisions are needed to compare.")
    old = selectors.access_revision(document, request.GET.get("old") or revisions[-2].pk)
    new = selectors.access_revision(document, request.GET.get("new") or revisions[-1].pk)
    file = exports.comparison_file(document, old, new, fmt)
    return attachment_response(file.content, filename=file.filename, content_type=file.content_type)


def upload_messages(request: HttpRequest, upload: Any) -> None:
    """After a Word or AKN import: what was read, the tracked changes accepted, the comments
    (listed: they are not part of the text), and anything read in a way worth saying."""
    if upload.format == "akn":
        flash.info(request, _("Read from Akoma Ntoso: one paragraph per paragraph of the file."))
        return
    if upload.format != "docx":
        return
    count = len(upload.changes)
    if count:
        flash.info(
            request,
            _(
                "Read from Word: tracked changes accepted: %(count)d. Compare with the previous "
                "revision to see them."
            )
            % {"count": count},
        )
    else:
        flash.info(request, _("Read from Word: no tracked changes."))
    for comment in upload.comments[:MAX_COMMENTS_SHOWN]:
        flash.info(
            request,
            _("Comment by %(author)s on “%(anchor)s”: %(text)s")
            % {
                "author": comment.author or "?",
                "anchor": comment.anchor[:80],
                "text": comment.text[:300],
            },
        )
    if len(upload.comments) > MAX_COMMENTS_SHOWN:
        flash.info(
            request,
            _("%(count)d more comments are in the file.")
            % {"count": len(upload.comments) - MAX_COMMENTS_SHOWN},
        )
    for warning in upload.warnings:
        flash.warning(request, _("Word file: %(note)s") % {"note": warning})
