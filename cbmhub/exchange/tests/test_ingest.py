"""The fast ingest path: each distinct object validated once (and remembered), the same
verdicts as one-by-one validation, a process pool with the same results, and ``is_latest``
written at insert for ids new to the collection."""

from __future__ import annotations

import pytest

from cbmhub.exchange import services, validation
from cbmhub.exchange.models import StixObject

from .conftest import indicator, stix_id


def _mixed() -> list:
    good = indicator("198.51.100.1")
    bad = indicator("198.51.100.2", pattern="[not a pattern")
    no_created = {k: v for k, v in indicator("198.51.100.3").items() if k != "created"}
    return [good, bad, dict(good), no_created, "not an object", {"type": "bundle", "id": "x"}, bad]


def test_errors_many_gives_the_verdicts_of_errors_one_by_one():
    validation._cache.clear()
    objects = _mixed()
    expected = [validation.errors(obj) for obj in objects]
    assert [bool(e) for e in expected] == [False, True, False, True, True, True, True]
    assert validation.errors_many(objects) == expected
    assert validation.errors_many(objects) == expected  # now from the cache


def test_each_distinct_object_is_validated_once_and_remembered(monkeypatch):
    validation._cache.clear()
    calls: list[str] = []
    real = validation.errors

    def counting(obj):
        calls.append(obj["id"])
        return real(obj)

    monkeypatch.setattr(validation, "errors", counting)
    same = indicator("198.51.100.9")
    other = indicator("198.51.100.10")
    validation.errors_many([same, dict(same), other, dict(same)])
    assert sorted(calls) == sorted([same["id"], other["id"]])
    validation.errors_many([dict(same), dict(other)])
    assert len(calls) == 2  # an exact re-push is not validated again
    changed = {**same, "name": "changed"}
    validation.errors_many([changed])
    assert calls[-1] == same["id"] and len(calls) == 3  # one changed byte: validated again


def test_the_process_pool_gives_the_same_verdicts(monkeypatch):
    validation._cache.clear()
    monkeypatch.setattr(validation, "POOL_THRESHOLD", 2)
    objects = [*_mixed(), *(indicator(f"198.51.100.{n}") for n in range(20, 40))]
    expected = [validation.errors(obj) for obj in objects]
    validation._cache.clear()
    assert validation.errors_many(objects, workers=2) == expected


@pytest.mark.django_db
def test_duplicates_in_a_push_are_reported_each_and_stored_once(bilateral, anna):
    collection = bilateral.collections.get()
    good = indicator("198.51.100.11")
    bad = indicator("198.51.100.12", pattern="[nonsense")
    result = services.objects_add(
        actor=anna, collection=collection, objects=[good, bad, dict(good), dict(bad)]
    )
    assert result.stored == 1 and result.duplicates == 1
    assert [f["id"] for f in result.failures] == [bad["id"], bad["id"]]
    assert all(f["message"] for f in result.failures)
    assert StixObject.objects.filter(collection=collection).count() == 1


@pytest.mark.django_db
def test_is_latest_for_new_ids_repeated_ids_and_new_versions(bilateral, anna):
    collection = bilateral.collections.get()
    known, fresh, twice = stix_id("indicator"), stix_id("indicator"), stix_id("indicator")
    services.objects_add(
        actor=anna,
        collection=collection,
        objects=[indicator(object_id=known, modified="2026-01-01T00:00:00.000Z")],
    )
    services.objects_add(
        actor=anna,
        collection=collection,
        objects=[
            indicator(object_id=known, modified="2026-02-01T00:00:00.000Z"),
            indicator(object_id=fresh),
            indicator(object_id=twice, modified="2026-03-01T00:00:00.000Z"),
            indicator(object_id=twice, modified="2026-01-01T00:00:00.000Z"),
        ],
    )
    # an older version pushed after the newer one does not take "latest" from it
    services.objects_add(
        actor=anna,
        collection=collection,
        objects=[
            indicator(
                object_id=known,
                created="2025-12-01T00:00:00.000Z",
                modified="2025-12-01T00:00:00.000Z",
            )
        ],
    )
    latest = dict(
        StixObject.objects.filter(collection=collection, is_latest=True).values_list(
            "stix_id", "modified"
        )
    )
    assert latest == {
        known: "2026-02-01T00:00:00.000Z",
        fresh: "2026-01-01T00:00:00.000Z",
        twice: "2026-03-01T00:00:00.000Z",
    }
    assert StixObject.objects.filter(collection=collection).count() == 6  # every version kept


def test_without_should_checks_the_errors_are_the_validators_own():
    """``disabled=["all"]`` turns off warnings only: the errors are those of the validator run
    with its default options, message for message."""
    from stix2validator import ValidationOptions, validate_instance

    samples = [
        *_mixed()[:4],
        indicator("198.51.100.4", modified="2020-01-01T00:00:00.000Z"),  # modified < created
        indicator("198.51.100.5", badprop="x"),
        indicator("198.51.100.6", x_custom="fine"),
        {**indicator("198.51.100.7"), "type": "my-own-type", "id": stix_id("my-own-type")},
        {**indicator("198.51.100.8"), "created": "yesterday"},
        {
            **indicator("198.51.100.9"),
            "kill_chain_phases": [{"kill_chain_name": "Bad Name", "phase_name": "x"}],
        },
    ]
    defaults = ValidationOptions(version="2.1")
    for obj in samples:
        own = [str(e.message) for e in validate_instance(obj, defaults).errors]
        assert validation.errors(obj) == own, obj
    verdicts = [bool(validation.errors(obj)) for obj in samples]
    # the bad pattern, no created, modified before created, a bad timestamp are errors; a kill
    # chain name not in lower case is only a SHOULD (a warning) with or without the option
    assert verdicts == [False, True, False, True, True, False, False, False, True, False]


def test_a_broken_pool_falls_back_to_checking_here(monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    class Broken:
        def map(self, *args, **kwargs):
            raise BrokenProcessPool("a worker died")

        def shutdown(self, **kwargs):
            pass

    validation._cache.clear()
    monkeypatch.setattr(validation, "POOL_THRESHOLD", 2)
    monkeypatch.setattr(validation, "_the_pool", lambda workers: Broken())
    objects = _mixed()
    expected = [validation.errors(obj) for obj in objects]
    validation._cache.clear()
    assert validation.errors_many(objects, workers=2) == expected
