"""STIX 2.1 validation by the OASIS ``stix2-validator`` (3.3.2; 3.3.1 ships no schemas). No
Django here.

The validator reads its JSON schemas from disk and builds a new schema validator for every
object it checks, whose every ``$ref`` re-reads and re-crawls the referenced schemas (about
10 ms an object). ``_speed_up`` keeps one validator per schema for the life of the process, on
a registry that holds every schema file already crawled: about a quarter of the time, the same
schemas, checks and messages (the only change the validator makes to a loaded schema is the
same each time).
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import stix2validator.validator as _validator
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from stix2validator import ValidationError, ValidationOptions, validate_instance

# The SHOULD checks only produce warnings, which the store never uses (not strict mode: a
# warning never fails an object); ``disabled=["all"]`` leaves every MUST check and every schema
# check as it is (the MUST checks only read ``disabled`` together with "extensions-use").
_OPTIONS = ValidationOptions(version="2.1", disabled=["all"])
_CACHE_SIZE = 20_000
_cache: OrderedDict[str, tuple[str, ...]] = OrderedDict()
_cache_lock = threading.Lock()  # a threaded server's requests share the cache
POOL_THRESHOLD = 200  # distinct objects below which a process pool costs more than it saves
_pool: ProcessPoolExecutor | None = None
_pool_workers = 0


def _schema_resources(schema_dir: str) -> list[tuple[str, Any]]:
    """Every schema file of the validator's package as a resource named by its path (the URI
    a ``$ref`` resolves to: the validator names its schemas by absolute path)."""
    found = []
    for path in sorted(Path(schema_dir).rglob("*.json")):
        if "examples" not in path.parts:
            found.append((str(path), _validator.retrieve_from_filesystem(str(path), schema_dir)))
    return found


def _speed_up() -> None:
    """Build each schema validator once, on a registry that already holds every schema file
    and has been crawled: the validator's own builds a new validator per object on a registry
    with only the root schema, which every ``$ref`` then fetches and crawls again (half of the
    validation time). Same schemas, same checks, same messages."""
    if getattr(_validator, "_cbmhub_cached", False):
        return
    validators: dict[str, Any] = {}
    resources: dict[str, list[tuple[str, Any]]] = {}

    def load_validator(schema_path: str, schema: Any, schema_dir: str) -> Any:
        if schema_path in validators:
            return validators[schema_path]
        patched = _validator._PATCHED_SCHEMAS.get(schema_path)
        if patched is None:
            patched = _validator.patch_schema(schema, schema_path)
            _validator._PATCHED_SCHEMAS[schema_path] = patched
        if schema_dir not in resources:
            resources[schema_dir] = _schema_resources(schema_dir)
        registry = (
            Registry(  # type: ignore[call-arg]  # attrs' init, not seen by mypy
                retrieve=functools.partial(
                    _validator.retrieve_from_filesystem, schema_dir=schema_dir
                )
            )
            .with_resources(resources[schema_dir])
            .with_resource(schema_path, DRAFT202012.create_resource(patched))
            .crawl()
        )
        validators[schema_path] = _validator.STIXValidator(
            patched, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        return validators[schema_path]

    _validator.load_schema = functools.cache(_validator.load_schema)
    _validator.load_validator = load_validator
    _validator._cbmhub_cached = True


_speed_up()


def shape_errors(obj: Any) -> list[str]:
    """What the store itself needs of an object (used alone only by the benchmark, to measure
    what validation costs)."""
    if not isinstance(obj, dict):
        return ["not a JSON object"]
    if not isinstance(obj.get("type"), str) or not isinstance(obj.get("id"), str):
        return ["a STIX object needs a string 'type' and 'id'"]
    if obj["type"] == "bundle":
        return ["a bundle is not an object: send its objects"]
    return []


def errors(obj: Any) -> list[str]:
    """The validator's error messages for one STIX 2.1 object; empty when it is valid."""
    if shape := shape_errors(obj):
        return shape
    try:
        result = validate_instance(obj, _OPTIONS)
    except ValidationError as error:
        return [str(error)]
    except Exception as error:  # the validator itself fails on some odd input
        return [f"the validator could not check this object: {type(error).__name__}: {error}"]
    return [str(error.message) for error in result.errors]


def _key(obj: Any) -> str | None:
    """The object's bytes, compact, keys in the order received (the validator's messages
    follow that order): equal keys, equal objects, equal verdicts."""
    try:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return None


def _validate_chunk(objects: list[Any]) -> list[list[str]]:
    return [errors(obj) for obj in objects]


def _the_pool(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_workers
    if _pool is None or _pool_workers != workers:
        if _pool is not None:
            _pool.shutdown(cancel_futures=True)
        _pool, _pool_workers = ProcessPoolExecutor(max_workers=workers), workers
    return _pool


def _forget_pool() -> None:
    global _pool, _pool_workers
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
    _pool, _pool_workers = None, 0


def errors_many(objects: Sequence[Any], *, workers: int = 0) -> list[list[str]]:
    """``errors`` of each object, in order. Each distinct object (by its canonical bytes) is
    validated once, and a verdict is remembered for the last ``_CACHE_SIZE`` distinct objects
    of the process, so an exact duplicate (in the envelope or pushed again) costs a lookup.
    With ``workers`` > 1 and at least ``POOL_THRESHOLD`` objects left to check, they are
    checked in a pool of that many processes; every object is still checked by the validator."""
    keys = [_key(obj) for obj in objects]
    verdicts: dict[str, tuple[str, ...]] = {}
    todo: dict[str, Any] = {}
    for key, obj in zip(keys, objects, strict=True):
        if key is None or key in verdicts or key in todo:
            continue
        with _cache_lock:
            known = _cache.get(key)
            if known is not None:
                _cache.move_to_end(key)
        if known is not None:
            verdicts[key] = known
        else:
            todo[key] = obj
    pending = list(todo.items())
    if workers > 1 and len(pending) >= POOL_THRESHOLD:
        size = -(-len(pending) // (workers * 4))
        objs = [obj for _key, obj in pending]
        chunks = [objs[i : i + size] for i in range(0, len(objs), size)]
        try:
            results = [r for part in _the_pool(workers).map(_validate_chunk, chunks) for r in part]
        except BrokenProcessPool:  # a worker died (killed, out of memory): check here instead
            _forget_pool()
            results = [errors(obj) for obj in objs]
    else:
        results = [errors(obj) for _key, obj in pending]
    for (key, _obj), problems in zip(pending, results, strict=True):
        verdicts[key] = tuple(problems)
        with _cache_lock:
            _cache[key] = verdicts[key]
            if len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return [
        list(verdicts[key]) if key is not None else errors(obj)
        for key, obj in zip(keys, objects, strict=True)
    ]


def default_workers() -> int:
    """The machine's cores (for the setting's ``"auto"``)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
