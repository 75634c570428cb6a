"""Split a circulated package into its note and its enclosures (plain Python, no Django).

A package is what the secretariat circulates as one text: a note verbale in one or more
languages (each version opening with the secretariat's letterhead, or simply written in the
next language), then the texts it forwards. ``split_package(text)`` finds:

- the note's symbol (``№ SWG/OI/1262``) and its language versions, told apart by script
  (Latin: English; Cyrillic: Russian, or Kazakh where Kazakh's own letters appear);
- the enclosures, each beginning at a heading group the text shows: "Secretariat" over
  "RECOMMENDATIONS", "Chairmanship of …", "PODIUM VERSION AS OF …", "CONCEPT PAPER",
  "Draft …" (a short line that is not a sentence). Consecutive heading paragraphs belong to the
  same enclosure; its title is the group's headings less the issuer and the podium line.

Each enclosure's paragraph labels are those the negotiations notation finds in its own text
(``PP1``, ``OP5``, ``1``), so that they no longer run on from the cover note.
Nothing is stored here: the result is a preview the secretariat confirms or adjusts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cbmhub.negotiations.notation import analyse, parse

_SYMBOL = re.compile(r"№\s*([A-Z][A-Z0-9.-]*(?:/[A-Z0-9.-]+)+)")
_LETTERHEAD = re.compile(r"^\**\s*(SECRETARIAT OF |СЕКРЕТАРИАТ )")
_ISSUER = re.compile(r"^\**\s*(Secretariat|Chairmanship of [^\n]+)\s*\**$")
_PODIUM = re.compile(r"^\**\s*PODIUM VERSION AS OF\b(?P<rest>[^\n]*)", re.IGNORECASE)
_HEADING = re.compile(r"^\**\s*(RECOMMENDATIONS\b|CONCEPT PAPER\b|Draft\b|DRAFT\b)")
_PLACE_DATE = re.compile(
    r"^\**\s*(?P<place>[A-Z][\w .-]{1,60}),\s+(?P<day>\d{1,2}) (?P<month>[A-Z][a-z]+) "
    r"(?P<year>\d{4})\s*\**$",
    re.MULTILINE,
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        "January February March April May June July August September October November "
        "December".split(),
        start=1,
    )
}
_KAZAKH = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_MAX_HEADING = 300
_MIN_LETTERS = 20


@dataclass(frozen=True)
class NoteVersionPart:
    language: str
    text: str


@dataclass(frozen=True)
class EnclosurePart:
    title: str
    kind: str  # "draft" | "podium"
    text: str
    labels: list[str] = field(default_factory=list)

    @property
    def paragraphs(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class Package:
    symbol: str
    versions: list[NoteVersionPart]
    enclosures: list[EnclosurePart]
    place: str = ""
    date: str = ""  # ISO 8601, from the English version's "Astana, 4 October 2022"

    def to_json(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "place": self.place,
            "date": self.date,
            "versions": [
                {"language": v.language, "characters": len(v.text)} for v in self.versions
            ],
            "enclosures": [
                {
                    "title": e.title,
                    "kind": e.kind,
                    "paragraphs": e.paragraphs,
                    "labels": e.labels,
                }
                for e in self.enclosures
            ],
        }


def blocks(text: str) -> list[str]:
    """The text's paragraphs: runs of lines between blank lines, stripped."""
    return [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]


def language_of(text: str) -> str:
    """ "en", "ru", "kk", or "" when the text has too few letters to tell."""
    latin = cyrillic = 0
    for char in text:
        if char in _KAZAKH:
            return "kk"
        if "a" <= char.lower() <= "z":
            latin += 1
        elif "\u0400" <= char <= "\u04ff":
            cyrillic += 1
    if latin + cyrillic < _MIN_LETTERS:
        return ""
    return "ru" if cyrillic > latin else "en"


def _is_heading(block: str) -> bool:
    if _ISSUER.match(block) or _PODIUM.match(block):
        return True
    if not _HEADING.match(block) or len(block) > _MAX_HEADING:
        return False
    # "Draft …" opens an enclosure only as a title line, never as a sentence of the text.
    return not block.rstrip("*").rstrip().endswith((".", ";", ",", ":"))


def _title(group: list[str]) -> str:
    lines = [b for b in group if not _ISSUER.match(b) and not _PODIUM.match(b)]
    text = " ".join(" ".join(lines).split())
    return text.replace("**", "").strip()


def _enclosure(group: list[str], body: list[str]) -> EnclosurePart:
    text = "\n\n".join(body)
    analysis = analyse(parse(text))
    kind = "podium" if any(_PODIUM.match(b) for b in group) else "draft"
    return EnclosurePart(
        title=_title(group) or _title(body[:1]),
        kind=kind,
        text=text,
        labels=[p.label for p in analysis.paragraphs if p.label],
    )


def _split_enclosures(parts: list[str]) -> list[EnclosurePart]:
    enclosures: list[EnclosurePart] = []
    group: list[str] = []
    body: list[str] = []
    for block in parts:
        if _is_heading(block):
            if body:
                enclosures.append(_enclosure(group, body))
                group, body = [], []
            group.append(block)
        else:
            body.append(block)
    if group or body:
        enclosures.append(_enclosure(group, body))
    return enclosures


def _split_versions(parts: list[str]) -> list[NoteVersionPart]:
    versions: list[tuple[str, list[str]]] = []
    language, has_body = "", False
    current: list[str] = []
    for block in parts:
        found = "" if _LETTERHEAD.match(block) else language_of(block)
        starts = (bool(_LETTERHEAD.match(block)) and has_body) or (
            bool(found) and bool(language) and found != language
        )
        if starts:
            versions.append((language, current))
            language, has_body, current = "", False, []
        current.append(block)
        if found and not language:
            language = found
        has_body = has_body or bool(found)
    if current:
        versions.append((language, current))
    return [NoteVersionPart(lang or "en", "\n\n".join(text)) for lang, text in versions]


def split_package(text: str) -> Package:
    """The package's note (symbol, language versions) and its enclosures."""
    parts = blocks(text)
    first = next((i for i, b in enumerate(parts) if _is_heading(b)), len(parts))
    note, rest = parts[:first], parts[first:]
    match = _SYMBOL.search("\n\n".join(note))
    place, when = _place_date("\n\n".join(note))
    return Package(
        symbol=match.group(1) if match else "",
        versions=_split_versions(note),
        enclosures=_split_enclosures(rest),
        place=place,
        date=when,
    )


def _place_date(text: str) -> tuple[str, str]:
    for match in _PLACE_DATE.finditer(text):
        month = _MONTHS.get(match["month"])
        if month:
            day, year = int(match["day"]), int(match["year"])
            return match["place"].strip(), f"{year:04d}-{month:02d}-{day:02d}"
    return "", ""
