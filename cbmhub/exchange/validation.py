"""STIX 2.1 validation by the OASIS ``stix2-validator`` (3.3.2; 3.3.1 ships no schemas). No
Django here.

The validator reads its JSON schemas from disk and builds a new schema validator for every
object it checks (about 10 ms an object); ``_speed_up`` keeps the loaded schemas and validators
for the life of the process, which halves that and changes no result (the schemas are files
of the package; the only change the validator makes to a loaded schema is the same each time).
"""

from __future__ import annotations

import functools
from typing import Any

import stix2validator.validator as _validator
from stix2validator import ValidationError, ValidationOptions, validate_instance

_OPTIONS = ValidationOptions(version="2.1")


def _speed_up() -> None:
    if getattr(_validator, "_cbmhub_cached", False):
        return
    original_load_validator = _validator.load_validator
    validators: dict[str, Any] = {}

    def load_validator(schema_path: str, schema: Any, schema_dir: str) -> Any:
        if schema_path not in validators:
            validators[schema_path] = original_load_validator(schema_path, schema, schema_dir)
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
