"""Writes of the negotiations app: negotiations, documents and imported revisions.

Each function takes ``actor=`` and checks that the actor may do what it asks
(``permissions.py``): a user, or ``core.roles.SYSTEM`` for the command line and the demo;
``None`` is refused. A refusal is ``core.errors.Forbidden``; anything else wrong is
``NegotiationsError`` with a message that says what is wrong and where (``field=``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date as Date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.core.errors import DomainError, Forbidden, full_clean_or_raise
from cbmhub.directory.models import Body, Organisation

from . import notation, permissions, selectors, versions
from .choices import RevisionKind, revision_label
from .documents.akn import AknError, import_akn
from .documents.docx import DocxError, import_docx
from .models import Document, Negotiation, Revision, RevisionParagraph, RevisionVersion

# A negotiated text is tens of kilobytes (the longest seen, 42 KB); this bound stops an
# accidental upload of something else and bounds the memory of the one analysis made at import
# (docs/notation.md: at most 400 bytes per input byte, about 13 for a real text).
MAX_SOURCE_BYTES = 2 * 1024 * 1024
# The version of what services.revision_analysis_store keeps; a revision kept under another is
# analysed again on its next reading. 2: paragraph statuses and totals include "conditional"
# (a kept analysis of format 1 was made by an engine that did not know it).
ANALYSIS_FORMAT = 2
_BATCH = 1000


class NegotiationsError(DomainError):
    """A request the negotiations domain refuses; ``field`` names the input it is about, so a
    form can show the message beside that field and the API lists it in ``details``."""


def _validated(instance: Any) -> None:
    full_clean_or_raise(instance, NegotiationsError)


def _check_body(body: Body | None, organisation: Organisation) -> None:
    if body is not None and body.organisation_id != organisation.pk:
        raise NegotiationsError(
            _("%(body)s is not a body of %(organisation)s.")
            % {"body": body.name, "organisation": organisation.acronym},
            code="invalid",
            field="body",
        )


@transaction.atomic
def negotiation_create(
    *,
    actor: object,
    organisation: Organisation,
    title: str,
    body: Body | None = None,
    description: str = "",
) -> Negotiation:
    if not permissions.can_manage(actor, organisation):
        raise Forbidden(
            _("Only the %(organisation)s secretariat may open a negotiation under it.")
            % {"organisation": organisation.acronym}
        )
    _check_body(body, organisation)
    negotiation = Negotiation(
        organisation=organisation, body=body, title=title.strip(), description=description
    )
    _validated(negotiation)
    negotiation.save()
    return negotiation


@transaction.atomic
def document_create(
    *,
    actor: object,
    negotiation: Negotiation,
    symbol: str,
    title: str,
    body: Body | None = None,
    language: str = "en",
) -> Document:
    organisation = negotiation.organisation
    if not permissions.can_manage(actor, organisation):
        raise Forbidden(
            _("Only the %(organisation)s secretariat may add documents.")
            % {"organisation": organisation.acronym}
        )
    body = body or negotiation.body
    _check_body(body, organisation)
    document = Document(
        negotiation=negotiation,
        organisation=organisation,
        body=body,
        symbol=symbol.strip(),
        title=title.strip(),
        language=language,
    )
    _validated(document)
    document.save()
    return document


def decode_source(data: bytes, *, name: str = "the text") -> str:
    """UTF-8 bytes to text, strictly: nothing replaced, nothing dropped (a byte-order mark and
    every line ending stay as they are). Anything else is refused with the place of the
    first bad byte."""
    if len(data) > MAX_SOURCE_BYTES:
        raise NegotiationsError(
            _("%(name)s: %(size)d bytes is more than the %(limit)d bytes a revision may have.")
            % {"name": name, "size": len(data), "limit": MAX_SOURCE_BYTES},
            code="too_large",
            field="file",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise NegotiationsError(
            _(
                "%(name)s is not UTF-8 text: byte 0x%(byte)02x at offset %(offset)d (line "
                "%(line)d, byte %(column)d of the line) cannot be decoded. Save the file as "
                "UTF-8 and import it again."
            )
            % {
                "name": name,
                "byte": data[error.start],
                "offset": error.start,
                "line": line,
                "column": column,
            },
            code="not_utf8",
            field="file",
            details=[{"field": "file", "line": line, "offset": error.start}],
        ) from None
    return check_source(text, name=name)


def check_source(text: str, *, name: str = "the text") -> str:
    if "\x00" in text:
        # Not text, and PostgreSQL cannot store it; refusing is better than dropping it.
        offset = text.index("\x00")
        raise NegotiationsError(
            _("%(name)s is not a text file: NUL character at offset %(offset)d (line %(line)d).")
            % {"name": name, "offset": offset, "line": text.count("\n", 0, offset) + 1},
            code="not_text",
            field="file",
        )
    if not text.strip():
        raise NegotiationsError(
            _("%(name)s is empty.") % {"name": name}, code="empty", field="file"
        )
    return text


@dataclass(frozen=True)
class ImportResult:
    revision: Revision
    created: bool


@transaction.atomic
def revision_import(
    *,
    actor: object,
    document: Document,
    data: bytes | str,
    kind: str,
    number: int | None = None,
    date: Date | None = None,
    label: str = "",
    source_name: str = "",
) -> ImportResult:
    """Keep a text as a new revision of ``document``.

    ``data`` is the bytes received (decoded strictly as UTF-8) or text already decoded (the
    API's JSON); ``source_sha256`` is over the UTF-8 bytes. Importing the same text again
    with the same kind and number returns the revision made the first time (a retry never
    duplicates); a Rev.N that exists with a different text is refused.
    """
    if not permissions.can_import_revision(actor, document):
        raise Forbidden(
            _(
                "You may not import revisions of %(symbol)s: only the %(organisation)s "
                "secretariat imports the texts it circulates."
            )
            % {"symbol": document.symbol, "organisation": document.organisation.acronym}
        )
    name = source_name or _("the text")
    if isinstance(data, str):
        text = check_source(data, name=name)
        raw = text.encode("utf-8")
        if len(raw) > MAX_SOURCE_BYTES:
            decode_source(raw, name=name)  # raises the size error
    else:
        raw = bytes(data)
        text = decode_source(raw, name=name)
    if kind not in RevisionKind.values:
        raise NegotiationsError(
            _("%(kind)r is not one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(RevisionKind.values)},
            code="invalid",
            field="kind",
        )
    if kind == RevisionKind.REV and number is None:
        raise NegotiationsError(
            _("A revision (Rev.N) needs its number N."), code="invalid", field="number"
        )
    if kind != RevisionKind.REV and number is not None:
        raise NegotiationsError(
            _("Only a revision (Rev.N) has a number, not a %(kind)s.") % {"kind": kind},
            code="invalid",
            field="number",
        )
    sha256 = hashlib.sha256(raw).hexdigest()

    # Imports into one document are serialised, so two uploads of Rev.3 cannot both pass the
    # check below; the unique constraint is the last word.
    Document.objects.select_for_update().filter(pk=document.pk).first()
    same = Revision.objects.filter(document=document, kind=kind, number=number)
    existing = same.filter(source_sha256=sha256).first()
    if existing is not None:
        return ImportResult(existing, created=False)
    if kind == RevisionKind.REV and same.exists():
        raise NegotiationsError(
            _(
                "%(symbol)s already has Rev.%(number)d with a different text; import the new "
                "text under the next number."
            )
            % {"symbol": document.symbol, "number": number},
            code="conflict",
            field="number",
        )

    revision = Revision(
        document=document,
        kind=kind,
        number=number,
        label=(label.strip() or revision_label(kind, number)),
        date=date or timezone.localdate(),
        source_text=text,
        source_sha256=sha256,
        source_name=source_name[:255],
        imported_by=roles.user_or_none(actor),
        imported_at=timezone.now(),
    )
    # source_text is not validated by full_clean beyond being non-blank; it is kept as is.
    _validated(revision)
    revision.save()
    revision_analysis_store(revision=revision)
    return ImportResult(revision, created=True)


def _pages(lengths: list[int]) -> list[tuple[int, int]]:
    """(first page, last page) of each paragraph, from their lengths in characters: a page
    takes paragraphs until PAGE_PARAGRAPHS or PAGE_CHARS; a paragraph longer than PAGE_CHARS
    has pages of its own, one per PAGE_CHARS characters."""
    out: list[tuple[int, int]] = []
    page, count, chars = 1, 0, 0
    PAGE_PARAGRAPHS, PAGE_CHARS = selectors.PAGE_PARAGRAPHS, selectors.PAGE_CHARS  # noqa: N806
    for length in lengths:
        if count and (count == PAGE_PARAGRAPHS or chars + length > PAGE_CHARS):
            page, count, chars = page + 1, 0, 0
        parts = max(1, -(-length // PAGE_CHARS))
        out.append((page, page + parts - 1))
        if parts > 1:
            page, count, chars = page + parts, 0, 0
        else:
            count, chars = count + 1, chars + length
    return out


def _codes(info: notation.ParagraphInfo) -> str:
    codes = dict.fromkeys(p.delegation for p in info.positions)
    for note in info.notes:
        codes.update(dict.fromkeys(note.delegations))
    return f" {' '.join(codes)} " if codes else ""


@transaction.atomic
def revision_analysis_store(*, revision: Revision) -> Revision:
    """Analyse a revision's text once and keep it: one RevisionParagraph per paragraph and the
    rest of the analysis JSON (docs/notation.md) in ``revision.analysis``, codes unresolved.
    Pages and the API read these; the text is not parsed again for a reader. Replaces what
    was kept before (an older ``ANALYSIS_FORMAT``)."""
    analysis = notation.analyse(notation.parse(revision.source_text))
    data = notation.analysis_to_json(analysis, paragraphs=False)
    del data["paragraphs"]
    pages = _pages([p.node.end - p.node.start for p in analysis.paragraphs])
    RevisionParagraph.objects.filter(revision=revision).delete()
    batch: list[RevisionParagraph] = []
    for info, (first, last) in zip(analysis.paragraphs, pages, strict=True):
        row = notation.paragraph_to_json(info)
        batch.append(
            RevisionParagraph(
                revision=revision,
                index=info.node.index,
                key=info.key[:200],
                label=info.label[:200],
                kind=info.kind,
                status=info.status,
                line=info.line,
                end_line=info.end_line,
                start=info.node.start,
                end=info.node.end,
                brackets=info.brackets,
                max_depth=info.max_depth,
                struck=info.struck,
                positions=row["positions"],
                notes=row["notes"],
                codes=_codes(info),
                page_first=first,
                page_last=last,
            )
        )
        if len(batch) == _BATCH:
            RevisionParagraph.objects.bulk_create(batch)
            batch = []
    RevisionParagraph.objects.bulk_create(batch)
    # Each listed diagnostic with the key and page of its paragraph (paragraphs never share a
    # line), found once here rather than on every page.
    where = {}
    lines = [
        (info.line, info.end_line, info.key, first)
        for info, (first, _) in zip(analysis.paragraphs, pages, strict=True)
    ]
    wanted = sorted({d["line"] for d in data["diagnostics"]})
    position = 0
    for line in wanted:
        while position < len(lines) and lines[position][1] < line:
            position += 1
        if position < len(lines) and lines[position][0] <= line:
            where[line] = lines[position][2:]
    for diagnostic in data["diagnostics"]:
        key, page = where.get(diagnostic["line"], (None, None))
        diagnostic["paragraph"], diagnostic["page"] = key, page
    data["format"] = ANALYSIS_FORMAT
    data["pages"] = pages[-1][1] if pages else 1
    revision.analysis = data
    revision.totals = analysis.totals
    revision.clean_text = analysis.clean_text
    revision.save(update_fields=["analysis", "totals", "clean_text"])
    return revision


def revision_analysis_ensure(*, revision: Revision) -> Revision:
    """The revision with its analysis kept: computed now if it never was (a revision imported
    before analyses were kept) or was kept in an older format; otherwise untouched."""
    if revision.analysis.get("format") != ANALYSIS_FORMAT:
        if "source_text" in revision.get_deferred_fields():
            revision.refresh_from_db(fields=["source_text"])
        revision_analysis_store(revision=revision)
    return revision


# --- language versions -----------------------------------------------------------------------


@transaction.atomic
def revision_version_import(
    *, actor: Any, revision: Revision, language: str, data: bytes, source_name: str = ""
) -> RevisionVersion:
    """Add (or replace) the ``language`` version of a revision and align its paragraphs with
    the revision's (``core.alignment``: structure, order and content, never ids)."""
    if actor is None:
        raise Forbidden(_("No actor: a write needs a user or the system."))
    if not permissions.can_import_revision(actor, revision.document):
        raise Forbidden(_("Only the secretariat imports revisions."))
    if language == revision.document.language:
        raise NegotiationsError(
            _("The revision itself is in %(language)s; a version needs another language.")
            % {"language": language},
            field="language",
        )
    if language not in dict(settings.LANGUAGES):
        raise NegotiationsError(
            _("%(language)s is not a language of CBM Hub.") % {"language": language},
            field="language",
        )
    text = decode_source(data, name=source_name or _("the text"))
    items = versions.paragraph_items(text)
    if not items:
        raise NegotiationsError(_("The text has no paragraphs."), field="file")
    alignment = versions.aligned(versions.paragraph_items(revision.source_text), items)
    version, _created = RevisionVersion.objects.update_or_create(
        revision=revision,
        language=language,
        defaults={
            "source_text": text,
            "source_sha256": hashlib.sha256(data).hexdigest(),
            "source_name": source_name[:255],
            "imported_by": None if roles.is_system(actor) else actor,
            "imported_at": timezone.now(),
            "alignment": alignment,
            "corrected_by": None,
            "corrected_at": None,
        },
    )
    return version


@transaction.atomic
def revision_version_correct(
    *, actor: Any, version: RevisionVersion, right: int, left: int | None
) -> RevisionVersion:
    """A person's correction of the alignment: the version's paragraph ``right`` is the
    counterpart of the revision's paragraph ``left`` (None: it has none)."""
    if actor is None or not permissions.can_import_revision(actor, version.revision.document):
        raise Forbidden(_("Only the secretariat corrects the alignment of a language version."))
    version = RevisionVersion.objects.select_for_update().get(pk=version.pk)
    rights = {row["right"] for row in version.alignment if row["right"] is not None}
    lefts = {row["left"] for row in version.alignment if row["left"] is not None}
    if right not in rights:
        raise NegotiationsError(
            _("Paragraph %(number)s is not in this version.") % {"number": right + 1},
            field="right",
        )
    if left is not None and left not in lefts:
        raise NegotiationsError(
            _("Paragraph %(number)s is not in the revision.") % {"number": left + 1},
            field="left",
        )
    version.alignment = versions.corrected(version.alignment, right=right, left=left)
    version.corrected_by = None if roles.is_system(actor) else actor
    version.corrected_at = timezone.now()
    version.save(update_fields=["alignment", "corrected_by", "corrected_at"])
    return version


# --- a revision from a Word or Akoma Ntoso file ------------------------------------------------


@dataclass(frozen=True)
class UploadImport:
    """What ``revision_import_upload`` did: the import itself, the format read (``text``,
    ``docx``, ``akn``), and from a Word file the tracked changes accepted, the comments and
    what was read in a way worth saying."""

    result: ImportResult
    format: str
    changes: list[Any]
    comments: list[Any]
    warnings: list[str]


def upload_format(data: bytes, name: str) -> str:
    """``docx`` for a Word file (a ZIP package, or an OLE file: an encrypted .docx or a .doc,
    refused with a clear message), ``akn`` for XML, ``text`` otherwise."""
    lower = name.lower()
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if lower.endswith((".docx", ".docm", ".doc")) or data[:2] == b"PK":
        return "docx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "docx"
    if lower.endswith((".xml", ".akn")) or head.startswith((b"<?xml", b"<akomaNtoso")):
        return "akn"
    return "text"


def revision_import_upload(
    *,
    actor: Any,
    document: Document,
    data: bytes,
    source_name: str,
    kind: str,
    number: int | None = None,
    date: Any = None,
    label: str = "",
) -> UploadImport:
    """Import an uploaded file as a revision: a text in the notation as it is; a Word file
    as its text with every tracked change accepted (the changes then show in the revision
    compare; comments are listed, not stored); an Akoma Ntoso file (a UN resolution) as its
    text in the notation. A file that cannot be read is refused with a clear message and
    nothing is stored."""
    if not permissions.can_import_revision(actor, document):  # before reading the file
        raise Forbidden(
            _(
                "You may not import revisions of %(symbol)s: only the %(organisation)s "
                "secretariat imports the texts it circulates."
            )
            % {"symbol": document.symbol, "organisation": document.organisation.acronym}
        )
    name = source_name or "file"
    fmt = upload_format(data, name)
    if len(data) > MAX_SOURCE_BYTES * 16:  # a .docx is about ten times its text
        raise NegotiationsError(
            _("%(name)s: %(size)d bytes is more than a document may have.")
            % {"name": name, "size": len(data)},
            code="too_large",
            field="file",
        )
    changes: list[Any] = []
    comments: list[Any] = []
    warnings: list[str] = []
    text: bytes | str = data
    if fmt == "docx":
        try:
            parsed = import_docx(data)
        except DocxError as error:
            raise NegotiationsError(
                _("%(name)s cannot be read as a Word document: %(reason)s")
                % {"name": name, "reason": error},
                code="unreadable",
                field="file",
            ) from None
        text, changes, comments, warnings = (
            parsed.text,
            parsed.changes,
            parsed.comments,
            parsed.warnings,
        )
    elif fmt == "akn":
        try:
            _doc, text = import_akn(data)
        except AknError as error:
            raise NegotiationsError(
                _("%(name)s cannot be read as Akoma Ntoso: %(reason)s")
                % {"name": name, "reason": error},
                code="unreadable",
                field="file",
            ) from None
    if isinstance(text, str) and len(text.encode("utf-8")) > MAX_SOURCE_BYTES:
        raise NegotiationsError(
            _("%(name)s: %(size)d bytes is more than the %(limit)d bytes a revision may have.")
            % {"name": name, "size": len(text.encode("utf-8")), "limit": MAX_SOURCE_BYTES},
            code="too_large",
            field="file",
        )
    result = revision_import(
        actor=actor,
        document=document,
        data=text,
        kind=kind,
        number=number,
        date=date,
        label=label,
        source_name=source_name,
    )
    return UploadImport(result, fmt, changes, comments, warnings)


# ISO 639-2 (Akoma Ntoso's FRBRlanguage) to the languages of settings.LANGUAGES.
_AKN_LANGUAGES = {
    "eng": "en",
    "rus": "ru",
    "zho": "zh-hans",
    "chi": "zh-hans",
    "fra": "fr",
    "fre": "fr",
    "spa": "es",
    "ara": "ar",
    "kaz": "kk",
}


@transaction.atomic
def document_import_akn(
    *, actor: Any, negotiation: Negotiation, data: bytes, source_name: str = ""
) -> ImportResult:
    """An Akoma Ntoso file (a UN resolution) as a document of ``negotiation`` and its
    revision: the document is found by the file's symbol (``docNumber``) in the negotiation's
    organisation or made with it, its title and language; the revision is the adopted text
    (``draft`` for a draft resolution) of the file's date, its text in the notation. A file
    that cannot be read is refused and nothing is stored."""
    organisation = negotiation.organisation
    if not permissions.can_manage(actor, organisation):
        raise Forbidden(
            _("Only the %(organisation)s secretariat may add documents.")
            % {"organisation": organisation.acronym}
        )
    name = source_name or "file"
    try:
        akn, text = import_akn(bytes(data))
    except AknError as error:
        raise NegotiationsError(
            _("%(name)s cannot be read as Akoma Ntoso: %(reason)s")
            % {"name": name, "reason": error},
            code="unreadable",
            field="file",
        ) from None
    symbol = akn.symbol.strip()
    if not symbol:
        raise NegotiationsError(
            _("%(name)s has no document number (docNumber) to file it under.") % {"name": name},
            code="invalid",
            field="file",
        )
    document = Document.objects.filter(organisation=organisation, symbol=symbol).first()
    if document is None:
        document = document_create(
            actor=actor,
            negotiation=negotiation,
            symbol=symbol,
            title=(akn.title or symbol)[:300],
            language=_AKN_LANGUAGES.get(akn.language.lower(), "en"),
        )
    kind = RevisionKind.DRAFT if "draft" in akn.name.lower() else RevisionKind.ADOPTED
    try:
        date = Date.fromisoformat(akn.date) if akn.date else None
    except ValueError:
        date = None
    return revision_import(
        actor=actor, document=document, data=text, kind=kind, date=date, source_name=source_name
    )
