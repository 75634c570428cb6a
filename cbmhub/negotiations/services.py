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

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.core.errors import DomainError, Forbidden, full_clean_or_raise
from cbmhub.directory.models import Body, Organisation

from . import notation, permissions, selectors
from .choices import RevisionKind, revision_label
from .models import Document, Negotiation, Revision

# A negotiated text is tens of kilobytes; this bound only stops an accidental upload of
# something else.
MAX_SOURCE_BYTES = 10 * 1024 * 1024


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
    actor: Any,
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
    actor: Any,
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
    actor: Any,
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

    parsed = notation.parse(text)
    analysis = notation.analyse(parsed, resolve=selectors.resolver_for(parsed))
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
        totals=analysis.totals,
    )
    # source_text is not validated by full_clean beyond being non-blank; it is kept as is.
    _validated(revision)
    revision.save()
    return ImportResult(revision, created=True)
