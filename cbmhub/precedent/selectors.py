"""Reads of the precedent app: the search index (saved under ``settings.PRECEDENT_INDEX_DIR``,
read by each process, brought up to date incrementally when texts are added, replaced or
deleted) and the searches, always limited to the texts the user may read."""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
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
_cache: dict[str, Any] = {"stamp": None, "index": None, "versions": None, "database": None}
# Rows of removed texts kept (dead) in an index before it is built again from scratch.
MAX_DEAD_SHARE = 0.25
# Texts whose paragraphs are read per query when the index is brought up to date.
_CHUNK = 500

logger = logging.getLogger(__name__)


def _database() -> str:
    """Which database the index is of (a saved index of another database is not used)."""
    return f"{connection.vendor}:{connection.settings_dict.get('NAME')}"


def _stamp() -> str:
    """Changes whenever a text or paragraph is added, replaced or deleted (a few aggregates:
    checked on every search)."""
    found = Paragraph.objects.aggregate(count=Count("id"), last=Max("id"))
    texts = Text.objects.aggregate(count=Count("id"), last=Max("indexed_at"))
    last = texts["last"].isoformat() if texts["last"] else ""
    return f"{found['count']}:{found['last']}:{texts['count']}:{last}"


def _versions() -> dict[str, str]:
    """Every text's id and the time it was (re)indexed: what the saved index is compared to."""
    rows = Text.objects.values_list("id", "indexed_at").order_by("id")
    return {str(pk): at.isoformat() for pk, at in rows.iterator(chunk_size=5000)}


def _entries(text_ids: list[int] | None = None) -> list[engine.Entry]:
    rows = Paragraph.objects.values_list(
        "id", "text_id", "content", "kind", "text__language", "text__date", "text__body"
    ).order_by("id")
    if text_ids is not None:
        out = []
        for start in range(0, len(text_ids), _CHUNK):
            out.extend(_entries_of(rows.filter(text_id__in=text_ids[start : start + _CHUNK])))
        return sorted(out, key=lambda entry: entry.key)
    return _entries_of(rows)


def _entries_of(rows: Any) -> list[engine.Entry]:
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


def index_path() -> Path:
    """Where the index is saved (``settings.PRECEDENT_INDEX_DIR``)."""
    return Path(settings.PRECEDENT_INDEX_DIR) / "index.npz"


@contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    """An exclusive lock shared by every process using ``path`` (gunicorn workers, the
    command line): one brings the saved index up to date, the others wait and read it.
    Yields False when the folder cannot be written (the index then lives in memory only)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path.with_name(path.name + ".lock"), "a+b")  # noqa: SIM115
    except OSError as exc:
        logger.warning("precedent index: cannot write %s (%s); kept in memory", path, exc)
        yield False
        return
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@dataclass
class Refresh:
    """What bringing the index up to date did (for the command line and the tests)."""

    how: str  # "memory" | "loaded" | "updated" | "built"
    added: int = 0
    removed: int = 0
    seconds: float = 0.0


def _update(
    index: engine.Index, saved: dict[str, str], versions: dict[str, str]
) -> tuple[int, int]:
    """Bring ``index`` (of the texts ``saved``) to ``versions``: the rows of texts removed or
    re-indexed are marked dead, the paragraphs of texts added or re-indexed are added."""
    changed = [pk for pk, at in versions.items() if saved.get(pk) != at]
    gone = [pk for pk in saved if versions.get(pk) != saved[pk]]
    removed = index.remove(int(pk) for pk in gone)
    added = index.add(_entries(sorted(int(pk) for pk in changed))) if changed else 0
    return added, removed


def refresh_index(*, force: bool = False) -> Refresh:
    """Bring the index up to date with the paragraphs and say what was done: nothing when
    this process's index is current; else read the saved index when it is current, or start
    from this process's index (or the saved one) and apply the texts added, replaced or
    deleted since; a full build only when there is neither, too many rows are dead, or
    ``force``. The result is saved for the other processes."""
    started = time.perf_counter()
    stamp, database = _stamp(), _database()
    with _lock:
        if not force and _cache["stamp"] == stamp and _cache["database"] == database:
            return Refresh("memory")
        path = index_path()
        with _file_lock(path) as writable:
            meta = engine.Index.read_meta(path) if writable and not force else None
            if meta is not None and meta.get("database") != database:
                meta = None
            loaded = None
            if meta is not None and (meta.get("stamp") == stamp or _cache["index"] is None):
                loaded = engine.Index.load(path)
            if loaded is not None and loaded[1].get("stamp") == stamp:
                index, meta = loaded
                versions = meta["versions"]
                _cache.update(stamp=stamp, index=index, versions=versions, database=database)
                return Refresh("loaded", seconds=time.perf_counter() - started)
            base: engine.Index | None = None
            saved: dict[str, str] = {}
            if force:
                pass
            elif _cache["index"] is not None and _cache["database"] == database:
                # A copy: searches of other threads keep using the current one meanwhile.
                base, saved = _cache["index"].copy(), _cache["versions"]
            elif loaded is not None:
                base, saved = loaded[0], loaded[1].get("versions", {})
            versions = _versions()
            added = removed = 0
            if base is not None:
                added, removed = _update(base, saved, versions)
                how = "updated"
                if base.dead > MAX_DEAD_SHARE * max(len(base.entries), 1):
                    base = None
            if base is None:
                base, how = engine.Index(_entries()), "built"
                added, removed = len(base), 0
            if writable:
                try:
                    base.save(path, {"stamp": stamp, "database": database, "versions": versions})
                except OSError as exc:
                    logger.warning("precedent index: cannot save %s (%s)", path, exc)
            _cache.update(stamp=stamp, index=base, versions=versions, database=database)
    return Refresh(how, added, removed, time.perf_counter() - started)


def search_index() -> engine.Index:
    """The index of every paragraph, brought up to date when paragraphs were added, replaced
    or deleted (``refresh_index``)."""
    refresh_index()
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
