"""A revision, or the comparison of two, as a file: Word (.docx), Akoma Ntoso (.xml) and PDF,
built by the pure package ``negotiations/documents`` from the revision's source text.

Reads only: the callers (pages and API) have obtained the revisions through the selectors'
access helpers, so whoever may read a revision may download it, and nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import notation, selectors
from .documents.akn import AknMeta, write_akn
from .documents.docx import DocMeta, compare_docx, export_docx
from .models import Document, Revision

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {"docx": DOCX_TYPE, "akn": "application/akn+xml", "pdf": "application/pdf"}
EXTENSIONS = {"docx": "docx", "akn": "xml", "pdf": "pdf"}
REVISION_FORMATS = ("docx", "akn", "pdf")
COMPARE_FORMATS = ("docx", "pdf")


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


def author_of(document: Document) -> str:
    """Who the file is by, and the author of its tracked changes: the negotiating body, or
    the organisation's secretariat."""
    if document.body_id is not None and document.body is not None:
        return document.body.name
    return _("%(organisation)s secretariat") % {"organisation": document.organisation.acronym}


def language_of(document: Document, revision: Revision) -> str:
    return str(getattr(revision, "language", "") or document.language or "en")


def doc_meta(document: Document, revision: Revision) -> DocMeta:
    return DocMeta(
        title=document.title,
        symbol=document.symbol,
        revision=revision.label,
        date=revision.date.isoformat(),
        language=language_of(document, revision),
        author=author_of(document),
    )


def _name(document: Document, *parts: str, fmt: str) -> str:
    stem = "-".join([document.symbol, *parts]).replace("/", "_").replace(" ", "_")
    return f"{stem}.{EXTENSIONS[fmt]}"


def revision_file(document: Document, revision: Revision, fmt: str) -> ExportFile:
    """The revision as ``docx``, ``akn`` or ``pdf``."""
    doc = notation.parse(revision.source_text)
    meta = doc_meta(document, revision)
    if fmt == "docx":
        content = export_docx(doc, meta)
    elif fmt == "akn":
        content = write_akn(
            doc,
            AknMeta(
                title=meta.title,
                symbol=meta.symbol,
                revision=meta.revision,
                date=meta.date,
                language=meta.language,
                author=meta.author,
                organisation=document.organisation.acronym,
            ),
        )
    elif fmt == "pdf":
        from .documents.pdf import podium_pdf  # noqa: PLC0415 - WeasyPrint only when asked

        content = podium_pdf(doc, meta)
    else:
        raise ValueError(fmt)
    return ExportFile(content, _name(document, revision.label, fmt=fmt), CONTENT_TYPES[fmt])


def comparison_file(document: Document, old: Revision, new: Revision, fmt: str) -> ExportFile:
    """The later revision with the changes from the earlier: ``docx`` (Word tracked changes)
    or ``pdf`` (insertions and deletions marked)."""
    before = selectors.revision_analysis(old)
    after = selectors.revision_analysis(new)
    meta = doc_meta(document, new)
    if fmt == "docx":
        content = compare_docx(before, after, meta)
    elif fmt == "pdf":
        from .documents.pdf import comparison_pdf  # noqa: PLC0415 - WeasyPrint only when a PDF is made

        content = comparison_pdf(
            before,
            after,
            meta,
            old_label=old.label,
            legend=(_("inserted"), _("deleted")),
        )
    else:
        raise ValueError(fmt)
    name = _name(document, new.label, "vs", old.label, fmt=fmt)
    return ExportFile(content, name, CONTENT_TYPES[fmt])
