"""Texts for the precedent index, read from files (no Django): Akoma Ntoso (the UN's
resolutions, or any AKN 3.0 file, through ``negotiations.documents.akn.read_akn``) and texts in
the bracket notation (``negotiations.notation``)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from cbmhub.negotiations import versions
from cbmhub.negotiations.documents.akn import AknError, read_akn

# ISO 639-2 (AKN's FRBRlanguage) to the codes CBM Hub uses.
LANGUAGES = {"eng": "en", "rus": "ru", "kaz": "kk", "fra": "fr", "spa": "es", "ara": "ar",
             "zho": "zh", "chi": "zh"}  # fmt: skip
_WORK_NUMBER = re.compile(r"/(\d+)-(\d{4})/?$")


@dataclass
class UnParagraph:
    kind: str
    label: str
    text: str
    eid: str = ""


@dataclass
class UnText:
    """A text read from a file: its identity, metadata and paragraphs."""

    key: str
    symbol: str
    date: str
    language: str
    title: str = ""
    body: str = ""
    sha256: str = ""
    paragraphs: list[UnParagraph] = field(default_factory=list)


class SourceFileError(ValueError):
    """A file that cannot be indexed; the message names the file and says why."""


def _symbol(uri: str, symbol: str) -> str:
    if symbol:
        return symbol
    match = _WORK_NUMBER.search(uri)
    return f"S/RES/{match.group(1)} ({match.group(2)})" if match else uri.rstrip("/")


def read_akn_text(data: bytes, *, name: str) -> UnText:
    """An Akoma Ntoso file as a text (``SourceFileError`` when it cannot be read)."""
    try:
        doc = read_akn(data)
    except AknError as exc:
        raise SourceFileError(f"{name}: {exc}") from None
    if not doc.date:
        raise SourceFileError(f"{name}: no date (FRBRdate or docDate) in the file")
    language = LANGUAGES.get(doc.language, doc.language[:2] or "en")
    symbol = _symbol(doc.work_uri, doc.symbol)
    return UnText(
        key=doc.expression_uri or f"{symbol}@{language}",
        symbol=symbol,
        date=doc.date,
        language=language,
        title=doc.title,
        body="UN Security Council" if "/unsc/" in doc.work_uri else "",
        sha256=hashlib.sha256(data).hexdigest(),
        paragraphs=[
            UnParagraph(p.kind, p.num, p.text, p.eid) for p in doc.paragraphs if p.text.strip()
        ],
    )


def read_un_file(path: Path) -> UnText | None:
    """A UN resolution file, or None when it cannot be read (the bench counts those)."""
    try:
        return read_akn_text(path.read_bytes(), name=str(path))
    except (OSError, SourceFileError):
        return None


def notation_paragraphs(source: str) -> list[UnParagraph]:
    """The paragraphs of a text in the notation: kind, label and the agreed-only text (the
    same reading as a revision's language versions: ``negotiations.versions``)."""
    return [UnParagraph(i.kind, i.label, i.text) for i in versions.paragraph_items(source)]


def read_notation_text(data: bytes, *, name: str, date: str, language: str, body: str) -> UnText:
    """A text in the notation (UTF-8) as a text of the index."""
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceFileError(f"{name}: not UTF-8 (byte {exc.start})") from None
    return UnText(
        key=name,
        symbol=Path(name).stem,
        date=date,
        language=language,
        body=body,
        sha256=hashlib.sha256(data).hexdigest(),
        paragraphs=notation_paragraphs(source),
    )
