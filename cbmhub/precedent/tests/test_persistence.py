"""The search index is saved once and read by every process, brought up to date
incrementally when texts are added, replaced or deleted, and never rebuilt per process."""

from __future__ import annotations

import multiprocessing

import pytest
from django.core.management import call_command

from cbmhub.core.roles import SYSTEM
from cbmhub.negotiations import services as negotiations
from cbmhub.precedent import engine, selectors, services
from cbmhub.precedent.models import Paragraph, Text
from cbmhub.precedent.sources import UnParagraph, UnText

from .test_engine import INDEX, entry

pytestmark = pytest.mark.django_db


def _forget():
    """As a new server process: nothing in memory."""
    selectors._cache.update(stamp=None, index=None, versions=None, database=None)


def _text(key, paragraphs, *, date="2021-03-04", sha="x"):
    return UnText(
        key=key,
        symbol=key.upper(),
        date=date,
        language="en",
        title="",
        body="Council",
        sha256=sha,
        paragraphs=[UnParagraph("operative", "", p) for p in paragraphs],
    )


def _add(key, paragraphs, **kwargs):
    source = services.source_ensure(actor=SYSTEM, **services.UPLOADS_SOURCE)
    return services.text_index(actor=SYSTEM, source=source, text=_text(key, paragraphs, **kwargs))


def _closest_keys(query):
    return [hit.entry.key for hit in selectors.search_index().closest(query)]


# --- the engine: save, load, add, remove -------------------------------------------------------


def test_a_saved_index_loads_with_the_same_answers(tmp_path):
    path = tmp_path / "index.npz"
    INDEX.save(path, {"stamp": "s"})
    found = engine.Index.load(path)
    assert found is not None
    loaded, meta = found
    assert meta == {"stamp": "s"}
    assert list(loaded.entries) == list(INDEX.entries)
    for query in ["Decides to remain seized of the matter.", "comply with the embargo", "еще"]:
        assert loaded.closest(query) == INDEX.closest(query)
        assert loaded.phrase(query) == INDEX.phrase(query)
    assert loaded.unknown("安全理事会") and not loaded.unknown("matter")


def test_a_missing_or_broken_file_is_no_index(tmp_path):
    assert engine.Index.load(tmp_path / "none.npz") is None
    (tmp_path / "broken.npz").write_bytes(b"PK\x03\x04 not a zip")
    assert engine.Index.load(tmp_path / "broken.npz") is None
    assert engine.Index.read_meta(tmp_path / "broken.npz") is None


def test_add_and_remove_give_what_a_fresh_build_gives(tmp_path):
    first = [entry(1, "Calls upon all States to comply fully with the arms embargo;")]
    later = [
        entry(2, "Decides to remain actively seized of the matter.", text_key=20),
        entry(3, "Calls upon all States to comply with the arms embargo;", text_key=30),
    ]
    grown = engine.Index(first)
    grown.add(later)
    fresh = engine.Index(first + later)
    for query in ["comply fully with the arms embargo", "remain seized of the matter"]:
        assert grown.closest(query) == fresh.closest(query)
        assert grown.phrase(query) == fresh.phrase(query)
    # Removed rows are never returned, by either search.
    grown.remove([30])
    assert grown.dead == 1 and len(grown) == 2
    assert 3 not in [h.entry.key for h in grown.closest("comply with the arms embargo")]
    assert [e.key for e in grown.phrase("comply")] == [1]
    # ... and stay removed once saved and loaded again.
    grown.save(tmp_path / "i.npz")
    found = engine.Index.load(tmp_path / "i.npz")
    assert found is not None
    loaded = found[0]
    assert [e.key for e in loaded.phrase("comply")] == [1]
    # A copy grows without changing the original (another thread may be searching it).
    copied = loaded.copy()
    copied.add([entry(4, "Welcomes the new zebra accord;", text_key=40)])
    assert copied.phrase("zebra") and not loaded.phrase("zebra") and loaded.unknown("zebra")


# --- the selectors: persisted, loaded, updated ---------------------------------------------------


def test_the_index_is_built_once_saved_and_loaded_by_a_new_process(index_dir):
    _add("a", ["Calls upon all States to comply fully with the arms embargo;"])
    assert selectors.refresh_index().how == "built"
    assert selectors.index_path().is_file()
    assert selectors.refresh_index().how == "memory"
    _forget()
    done = selectors.refresh_index()
    assert done.how == "loaded"
    assert _closest_keys("comply fully with the arms embargo") == list(
        Paragraph.objects.values_list("id", flat=True)
    )


def test_texts_added_replaced_and_deleted_update_the_index_incrementally(index_dir):
    _add("a", ["Calls upon all States to comply fully with the arms embargo;"])
    _add("b", ["Decides to remain actively seized of the matter."])
    selectors.refresh_index()
    # Added: only the new text's paragraphs are read.
    _add("c", ["Welcomes the ceasefire agreement signed in the capital;"])
    done = selectors.refresh_index()
    assert (done.how, done.added, done.removed) == ("updated", 1, 0)
    assert selectors.search_index().phrase("ceasefire agreement")
    # Replaced: the old paragraphs are never found again, the new ones are.
    _add("a", ["Calls upon all States to respect the zebra embargo;"], sha="y")
    done = selectors.refresh_index()
    assert (done.how, done.added, done.removed) == ("updated", 1, 1)
    assert selectors.search_index().phrase("arms embargo") == []
    assert selectors.search_index().phrase("zebra embargo")
    # Deleted.
    Text.objects.get(key="b").delete()
    # Two of the four rows are now dead (a's old paragraph, b's): over MAX_DEAD_SHARE, so the
    # index is built again from the table (and the dead rows dropped).
    done = selectors.refresh_index()
    assert done.how == "built" and selectors.search_index().dead == 0
    assert selectors.search_index().phrase("actively seized") == []
    # Another process starting now reads the saved, updated index: the same answers.
    _forget()
    assert selectors.refresh_index().how == "loaded"
    assert selectors.search_index().phrase("actively seized") == []
    assert selectors.search_index().phrase("zebra embargo")


def test_a_process_with_an_older_index_catches_up_with_the_saved_one(index_dir):
    _add("a", ["Calls upon all States to comply fully with the arms embargo;"])
    selectors.refresh_index()
    # An adopted revision (or upload) is indexed, and another process searched since.
    cached = dict(selectors._cache)
    _add("b", ["Decides to remain actively seized of the matter."])
    assert selectors.refresh_index().how == "updated"
    selectors._cache.update(cached)  # this process still holds the older one
    assert selectors.refresh_index().how == "loaded"
    assert selectors.search_index().phrase("actively seized")


def test_an_adopted_revision_is_found_after_the_index_command(index_dir, capsys, cica, swg):
    call_command("precedent", "index", str(index_dir.parent), "--no-revisions")
    assert "search index built" in capsys.readouterr().out
    negotiation = negotiations.negotiation_create(
        actor=SYSTEM, organisation=cica, body=swg, title="T"
    )
    document = negotiations.document_create(
        actor=SYSTEM, negotiation=negotiation, symbol="S/1", title="A"
    )
    negotiations.revision_import(
        actor=SYSTEM,
        document=document,
        data=b"OP1. Agree to exchange information on zebra migration.\n",
        kind="adopted",
        number=None,
    )
    call_command("precedent", "index", str(index_dir.parent))
    out = capsys.readouterr().out
    assert "1 adopted revisions indexed" in out and "search index updated: 1 paragraphs" in out
    _forget()
    assert selectors.refresh_index().how == "loaded"
    assert selectors.search_index().phrase("zebra migration")


def test_a_folder_that_cannot_be_written_keeps_the_index_in_memory(settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    settings.PRECEDENT_INDEX_DIR = blocker / "precedent"
    _add("a", ["Calls upon all States to comply fully with the arms embargo;"])
    assert selectors.refresh_index().how == "built"
    assert selectors.search_index().phrase("arms embargo")


def _worker(path, queue):
    """Another process (as a gunicorn worker): loads the saved index, never builds it."""
    loaded = engine.Index.load(path)
    queue.put(None if loaded is None else [e.key for e in loaded[0].phrase("arms embargo")])


def test_several_processes_read_the_file_while_it_is_replaced(index_dir):
    _add("a", ["Calls upon all States to comply fully with the arms embargo;"])
    selectors.refresh_index()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [
        context.Process(target=_worker, args=(selectors.index_path(), queue)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for number in range(5):  # the file is replaced (atomically) while they read it
        _add(f"n{number}", [f"Welcomes agreement number {number} on the arms embargo;"])
        selectors.refresh_index()
    results = [queue.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert all(result is not None and len(result) >= 1 for result in results)
    assert not list(index_dir.glob("*.tmp"))


def _hold_lock(path, ready, seconds):
    """Another process (as a worker bringing the index up to date) holding the file lock."""
    import fcntl
    import time

    with open(path.with_name(path.name + ".lock"), "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        ready.set()
        time.sleep(seconds)


def test_a_process_waits_while_another_updates_the_index(index_dir):
    import time

    _add("a", ["Calls upon all States to comply fully with the arms embargo;"])
    path = selectors.index_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    holder = context.Process(target=_hold_lock, args=(path, ready, 1.5))
    holder.start()
    assert ready.wait(30)
    started = time.monotonic()
    done = selectors.refresh_index()
    waited = time.monotonic() - started
    holder.join(30)
    assert waited >= 1.0  # it waited for the other process's lock, then did its work
    assert done.how == "built" and path.is_file()
