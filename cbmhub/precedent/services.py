"""Writes of the precedent app: sources, texts and their paragraphs, the sync of adopted
revisions. Every write names its actor (a user or ``core.roles.SYSTEM``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.core.errors import DomainError, Forbidden
from cbmhub.directory.models import Organisation
from cbmhub.negotiations.choices import RevisionKind
from cbmhub.negotiations.models import Revision

from .choices import SourceKind
from .models import Paragraph, Source, Text
from .permissions import require_index
from .sources import (
    SourceFileError,
    UnText,
    notation_paragraphs,
    read_akn_text,
    read_notation_text,
)

UN_SOURCE = {
    "slug": "unsc",
    "name": "UN Security Council resolutions",
    "provenance": (
        "Machine-readable Security Council resolutions (Akoma Ntoso, AKN4UN), unofficial copies "
        "prepared by the UN Department for General Assembly and Conference Management from the "
        "official electronic files: https://www.un.org/dgacm/en/content/"
        "visualizations-and-machine-readability"
    ),
    "terms": (
        "Made available by the United Nations without warranty of any kind; use is at the "
        "user's sole risk; the United Nations must be acknowledged as the source of the "
        "information."
    ),
    "acknowledgement": "Source: United Nations",
}
REVISIONS_SOURCE = {
    "slug": "cbmhub",
    "name": "CBM Hub adopted texts",
    "kind": SourceKind.REVISIONS,
    "provenance": "Revisions marked as adopted in CBM Hub's negotiations.",
    "terms": "",
    "acknowledgement": "",
}
UPLOADS_SOURCE = {
    "slug": "uploads",
    "name": "Uploaded texts",
    "provenance": "Texts uploaded by a secretariat.",
    "terms": "",
    "acknowledgement": "",
}


class PrecedentError(DomainError):
    """What the precedent app refuses."""


def _require_actor(actor: Any) -> None:
    if actor is None:
        raise Forbidden(_("No actor: a write needs a user or the system."))


def source_ensure(*, actor: Any, slug: str, **fields: Any) -> Source:
    """The source with ``slug``, made with ``fields`` when missing."""
    _require_actor(actor)
    source, _created = Source.objects.get_or_create(slug=slug, defaults=fields)
    return source


@dataclass
class IndexOutcome:
    text: Text
    action: str  # "added" | "replaced" | "unchanged"


@transaction.atomic
def text_index(
    *,
    actor: Any,
    source: Source,
    text: UnText,
    organisation: Any = None,
    revision: Revision | None = None,
) -> IndexOutcome:
    """Add a text (or replace the one with the same key when it changed)."""
    _require_actor(actor)
    require_index(actor)
    if organisation is None and not roles.is_system(actor) and not roles.is_operator(actor):
        organisation = source.organisation
    found = Text.objects.filter(source=source, key=text.key).first()
    if found is not None and found.sha256 == text.sha256 and text.sha256:
        return IndexOutcome(found, "unchanged")
    try:
        day = date.fromisoformat(text.date[:10])
    except ValueError:
        raise PrecedentError(
            _("The date %(date)s of %(name)s is not a date (YYYY-MM-DD).")
            % {"date": text.date, "name": text.key},
            field="date",
        ) from None
    fields = {
        "symbol": text.symbol[:120],
        "title": text.title[:500],
        "date": day,
        "body": text.body[:120],
        "language": text.language[:10],
        "organisation": organisation,
        "revision": revision,
        "sha256": text.sha256,
        "indexed_by": None if roles.is_system(actor) else actor,
    }
    if found is None:
        found = Text.objects.create(source=source, key=text.key[:300], **fields)
        action = "added"
    else:
        for name, value in fields.items():
            setattr(found, name, value)
        found.save()
        found.paragraphs.all().delete()
        action = "replaced"
    Paragraph.objects.bulk_create(
        Paragraph(text=found, index=i, kind=p.kind, label=p.label[:60], content=p.text)
        for i, p in enumerate(text.paragraphs)
    )
    return IndexOutcome(found, action)


def _revision_text(revision: Revision) -> UnText:
    document = revision.document
    return UnText(
        key=f"revision:{revision.pk}",
        symbol=f"{document.symbol} {revision.label}",
        date=revision.date.isoformat(),
        language=document.language,
        title=document.title,
        body=document.body.name if document.body else document.organisation.acronym,
        sha256=revision.source_sha256,
        paragraphs=notation_paragraphs(revision.source_text),
    )


def revisions_sync(*, actor: Any) -> int:
    """Index every adopted revision not yet indexed; the number indexed."""
    _require_actor(actor)
    pending = (
        Revision.objects.filter(kind=RevisionKind.ADOPTED, precedent_text__isnull=True)
        .select_related("document__organisation", "document__body")
        .order_by("id")
    )
    if not pending.exists():
        return 0
    source = source_ensure(actor=roles.SYSTEM, **REVISIONS_SOURCE)
    count = 0
    for revision in pending:
        text_index(
            actor=roles.SYSTEM,
            source=source,
            text=_revision_text(revision),
            organisation=revision.document.organisation,
            revision=revision,
        )
        count += 1
    return count


# --- files ------------------------------------------------------------------------------------


def files_under(paths: Iterable[Path]) -> list[Path]:
    """The files to index: each file named, and the .xml / .txt files under each folder."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".xml", ".txt"))
            )
        elif path.is_file():
            out.append(path)
        else:
            raise PrecedentError(
                _("%(path)s: no such file or folder.") % {"path": path}, field="paths"
            )
    return out


@dataclass
class FileOptions:
    source: Source
    date: str
    language: str
    body: str


def read_file(path: Path, options: FileOptions) -> UnText:
    """A file as a text: Akoma Ntoso when it is XML, else the notation."""
    data = path.read_bytes()
    head = data[:2048].lstrip()
    if path.suffix.lower() == ".xml" or head.startswith(b"<"):
        return read_akn_text(data, name=str(path))
    return read_notation_text(
        data, name=str(path), date=options.date, language=options.language, body=options.body
    )


def file_index(
    *, actor: Any, path: Path, options: FileOptions, un_source: Callable[[], Source]
) -> IndexOutcome:
    """Index one file (in its own transaction: a run that stops can be resumed)."""
    text = read_file(path, options)
    source = un_source() if text.key.startswith("/akn/un/") else options.source
    if not text.paragraphs:
        raise SourceFileError(f"{path}: no paragraphs found")
    return text_index(actor=actor, source=source, text=text)


def text_upload(
    *, actor: Any, data: bytes, name: str, date: str, language: str, body: str
) -> IndexOutcome:
    """A text a secretariat uploads (Akoma Ntoso or the notation): readable by those who may
    read its organisation's negotiations (an operator's upload is public)."""
    _require_actor(actor)
    require_index(actor)
    organisation_id = roles.organisation_id_of(actor)
    organisation = Organisation.objects.get(pk=organisation_id) if organisation_id else None
    options = FileOptions(source_ensure(actor=actor, **UPLOADS_SOURCE), date, language, body)
    try:
        if data[:2048].lstrip().startswith(b"<"):
            text = read_akn_text(data, name=name)
        else:
            text = read_notation_text(
                data, name=name, date=options.date, language=language, body=body
            )
    except SourceFileError as exc:
        raise PrecedentError(str(exc), field="file") from None
    if not text.paragraphs:
        raise PrecedentError(_("The text has no paragraphs."), field="file")
    text.key = f"upload:{organisation_id or 0}:{name}"
    return text_index(actor=actor, source=options.source, text=text, organisation=organisation)
