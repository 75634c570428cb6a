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
from pathlib import Path
from typing import Any

import stix2validator.validator as _validator
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from stix2validator import ValidationError, ValidationOptions, validate_instance

_OPTIONS = ValidationOptions(version="2.1")


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
    if not isinstance(obj, dict):
        return ["not a JSON object"]
    if not isinstance(obj.get("type"), str) or not isinstance(obj.get("id"), str):
        return ["a STIX object needs a string 'type' and 'id'"]
    if obj["type"] == "bundle":
        return ["a bundle is not an object: send its objects"]
    try:
        result = validate_instance(obj, _OPTIONS)
    except ValidationError as error:
        return [str(error)]
    except Exception as error:  # the validator itself fails on some odd input
        return [f"the validator could not check this object: {type(error).__name__}: {error}"]
    return [str(error.message) for error in result.errors]
