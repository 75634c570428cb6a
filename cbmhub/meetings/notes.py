"""A note verbale as a publication (PDF and DOCX through ``core/publishing.py``) in the
customary layout: the sender's letterhead, the number, the opening formula, the text, the
enclosure line with its page count, the closing formula, place and date, the addressees."""

from __future__ import annotations

from django.utils import formats, translation
from django.utils.translation import gettext as _

from cbmhub.core.publishing import Paragraph, Publication

from .choices import Addressees
from .models import Note, NoteFormula, NoteVersion

# The formulas used until the secretariat writes its own (NoteFormula) for a language.
DEFAULT_FORMULAS = {
    "en": (
        "Secretariat of the {organisation}",
        "The {sender} presents its compliments to {addressees} and has the honour to "
        "communicate the following.",
        "The {sender} avails itself of this opportunity to renew to {addressees} the "
        "assurances of its highest consideration.",
        "the Member States",
    ),
    "ru": (
        "Секретариат {organisation}",
        "{sender} свидетельствует свое уважение {addressees} и имеет честь сообщить следующее.",
        "{sender} пользуется случаем, чтобы возобновить {addressees} уверения в своем самом "
        "высоком уважении.",
        "государствам-членам",
    ),
}


def formulas(note: Note, language: str, stored: NoteFormula | None) -> tuple[str, str, str, str]:
    """(sender, opening, closing, addressees) for ``language``, filled in."""
    if stored is not None:
        sender, opening, closing, members = (
            stored.sender,
            stored.opening,
            stored.closing,
            stored.addressees_members,
        )
    else:
        sender, opening, closing, members = DEFAULT_FORMULAS.get(language, DEFAULT_FORMULAS["en"])
        sender = sender.format(organisation=note.organisation.name)
    if note.addressees == Addressees.NAMED:
        addressees = ", ".join(state.name for state in note.states.all())
    else:
        addressees = members
    fill = {"sender": sender, "addressees": addressees}
    return sender, opening.format(**fill), closing.format(**fill), addressees


def _already_in(body: str, formula: str) -> bool:
    """An imported note's text carries its formulas; they are not written twice."""
    head = " ".join(formula.split()[:4])
    return bool(head) and head in " ".join(body.split())


def note_publication(note: Note, version: NoteVersion, stored: NoteFormula | None) -> Publication:
    language = version.language
    sender, opening, closing, addressees = formulas(note, language, stored)
    pages = sum(e.pages for e in note.enclosures.all())
    with translation.override(language):
        when = f"{note.place}, {formats.date_format(note.date, 'DATE_FORMAT')}"
        enclosure = _("Enclosure: as stated, on %(pages)d p.") % {"pages": pages} if pages else ""
        status = version.get_status_display()
    pub = Publication(title=sender.upper(), language=language, subtitle=f"№ {note.symbol}")
    pub.author = sender
    body = version.body
    if not _already_in(body, opening):
        pub.add(Paragraph(opening))
    pub.add(*(Paragraph(text) for text in body.split("\n\n") if text.strip()))
    if enclosure and not _already_in(body, enclosure):
        pub.add(Paragraph(enclosure, style="small"))
    if not _already_in(body, closing):
        pub.add(Paragraph(closing))
    pub.add(Paragraph(when, style="right"), Paragraph(addressees.upper(), style="quote"))
    pub.add(Paragraph(f"[{language}: {status}]", style="small"))
    return pub
