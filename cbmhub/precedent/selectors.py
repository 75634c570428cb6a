"""Reads of the precedent app: the search index (built in process from the paragraphs, rebuilt
when they change) and the searches, always limited to the texts the user may read."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max
from django.http import Http404

from cbmhub.negotiations import notation
from cbmhub.negotiations.models import Revision

from . import engine
from .models import Paragraph, Text
from .permissions import require_search, visible_text_filter
from .sources import UnParagraph, notation_paragraphs

# A paragraph this close (word similarity) to a precedent is agreed language; this close,
# it partly reuses one.
AGREED = 0.9
PARTLY = 0.6
MAX_PHRASE_RESULTS = 5_000
MAX_DRAFT_PARAGRAPHS = 400

_lock = threading.Lock()
_cache: dict[str, Any] = {"generation": None, "index": None}


def _generation() -> tuple[Any, ...]:
    found = Paragraph.objects.aggregate(count=Count("id"), last=Max("id"))
    texts = Text.objects.aggregate(count=Count("id"), last=Max("indexed_at"))
    return (found["count"], found["last"], texts["count"], texts["last"])


def _entries() -> list[engine.Entry]:
    rows = Paragraph.objects.values_list(
        "id", "text_id", "content", "kind", "text__language", "text__date", "text__body"
    ).order_by("id")
    return [
        engine.Entry(
            key=pk,
            text_key=text_id,
            text=content,
            language=language,
            year=day.year,
            date=day.isoformat(),
            body=body,
            kind=kind,
        )
        for pk, text_id, content, kind, language, day, body in rows.iterator(chunk_size=5000)
    ]


def search_index() -> engine.Index:
    """The index of every paragraph, rebuilt when paragraphs were added or replaced."""
    generation = _generation()
    with _lock:
        if _cache["generation"] != generation or _cache["index"] is None:
            _cache["index"] = engine.Index(_entries())
            _cache["generation"] = generation
        index: engine.Index = _cache["index"]
    return index


def visible_text_ids(user: Any) -> list[int]:
    return list(Text.objects.filter(visible_text_filter(user)).values_list("id", flat=True))


@dataclass
class SearchFilters:
    language: str = ""
    body: str = ""
    year_from: int | None = None
    year_to: int | None = None
    kind: str = ""


def _engine_filters(
    user: Any, filters: SearchFilters, exclude: tuple[int, ...] = ()
) -> engine.Filters:
    return engine.Filters(
        languages=[filters.language] if filters.language else None,
        bodies=[filters.body] if filters.body else None,
        year_from=filters.year_from,
        year_to=filters.year_to,
        kinds=[filters.kind] if filters.kind else None,
        text_keys=visible_text_ids(user),
        exclude_text_keys=exclude,
    )


@dataclass
class Result:
    """One precedent paragraph as shown: its text's metadata, similarity and difference."""

    paragraph: Paragraph
    score: float = 1.0
    similarity: float = 1.0
    diff: list[notation.DiffOp] = field(default_factory=list)

    @property
    def text(self) -> Text:
        return self.paragraph.text

    @property
    def number(self) -> str:
        return self.paragraph.label or f"¶{self.paragraph.index + 1}"


def _paragraphs(keys: list[int]) -> dict[int, Paragraph]:
    rows = Paragraph.objects.filter(pk__in=keys).select_related("text__source")
    return {row.pk: row for row in rows}


def phrase_search(user: Any, query: str, filters: SearchFilters) -> tuple[list[Result], int]:
    """Every paragraph containing the phrase (oldest first); at most MAX_PHRASE_RESULTS rows
    with the total count."""
    require_search(user)
    entries = search_index().phrase(query, _engine_filters(user, filters))
    rows = _paragraphs([entry.key for entry in entries[:MAX_PHRASE_RESULTS]])
    results = [Result(rows[e.key]) for e in entries[:MAX_PHRASE_RESULTS] if e.key in rows]
    return results, len(entries)


def closest_search(
    user: Any, query: str, filters: SearchFilters, *, limit: int = 10, exclude: tuple[int, ...] = ()
) -> list[Result]:
    """The closest precedents of ``query``, best first, each with its word difference."""
    require_search(user)
    return _closest(search_index(), _engine_filters(user, filters, exclude), query, limit)


def _closest(index: engine.Index, filters: engine.Filters, query: str, limit: int) -> list[Result]:
    hits = index.closest(query, filters, limit=limit)
    rows = _paragraphs([hit.entry.key for hit in hits])
    return [
        Result(
            rows[hit.entry.key],
            hit.score,
            hit.similarity,
            notation.word_diff(rows[hit.entry.key].content, query),
        )
        for hit in hits
        if hit.entry.key in rows
    ]


def unknown_words(query: str) -> bool:
    """Whether none of the query's words occurs anywhere in the index (another script ...)."""
    return search_index().unknown(query)


def access_paragraph(user: Any, paragraph_id: int) -> Paragraph:
    require_search(user)
    found = (
        Paragraph.objects.filter(
            pk=paragraph_id, text__in=Text.objects.filter(visible_text_filter(user))
        )
        .select_related("text__source")
        .first()
    )
    if found is None:
        raise Http404
    return found


def bodies() -> list[str]:
    return sorted(b for b in Text.objects.values_list("body", flat=True).distinct() if b)


def languages() -> list[str]:
    return sorted(Text.objects.values_list("language", flat=True).distinct())


# --- which of a draft is agreed language ------------------------------------------------------


@dataclass
class DraftParagraph:
    index: int
    paragraph: UnParagraph
    best: Result | None

    @property
    def status(self) -> str:
        if self.best is None or self.best.similarity < PARTLY:
            return "new"
        return "agreed" if self.best.similarity >= AGREED else "partly"


@dataclass
class DraftReport:
    paragraphs: list[DraftParagraph]
    agreed_share: float
    partly_share: float
    truncated: bool


def draft_report(user: Any, revision: Revision, filters: SearchFilters) -> DraftReport:
    """Each paragraph of the revision with its closest precedent (never the revision itself),
    and the share of the draft (in characters) that is agreed, and partly agreed, language."""
    require_search(user)
    own = tuple(Text.objects.filter(revision=revision).values_list("id", flat=True))
    paragraphs = notation_paragraphs(revision.source_text)
    truncated = len(paragraphs) > MAX_DRAFT_PARAGRAPHS
    out = []
    # The index and the user's texts once for the whole draft.
    index, allowed = search_index(), _engine_filters(user, filters, own)
    for number, paragraph in enumerate(paragraphs[:MAX_DRAFT_PARAGRAPHS]):
        try:
            found = _closest(index, allowed, paragraph.text, 1)
        except engine.QueryError:
            found = []
        out.append(DraftParagraph(number, paragraph, found[0] if found else None))
    total = sum(len(item.paragraph.text) for item in out) or 1
    agreed = sum(len(item.paragraph.text) for item in out if item.status == "agreed")
    partly = sum(len(item.paragraph.text) for item in out if item.status == "partly")
    return DraftReport(out, agreed / total, partly / total, truncated)


def draft_paragraph(revision: Revision, index: int) -> UnParagraph:
    paragraphs = notation_paragraphs(revision.source_text)
    if not 0 <= index < len(paragraphs):
        raise Http404
    return paragraphs[index]
