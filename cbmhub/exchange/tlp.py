"""TLP 2.0 for STIX 2.1 objects: the five canonical marking definitions, normalisation of the
ids other tools write, and granular-marking redaction. No Django here: the store, the TAXII
server, the client and the benchmark all use these functions, and they are tested alone.

Levels are ordered: CLEAR < GREEN < AMBER < AMBER+STRICT < RED; an object marked with several
takes the strictest (a marking can only narrow who may read).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, Final

CLEAR: Final = "clear"
GREEN: Final = "green"
AMBER: Final = "amber"
AMBER_STRICT: Final = "amber+strict"
RED: Final = "red"

#: Least to most restrictive.
LEVELS: Final = (CLEAR, GREEN, AMBER, AMBER_STRICT, RED)
RANK: Final = {level: rank for rank, level in enumerate(LEVELS)}

#: The OASIS TLP 2.0 marking definitions (STIX 2.1 extension-definition for TLP 2.0).
TLP2_IDS: Final = {
    CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP2_NAMES: Final = {
    CLEAR: "TLP:CLEAR",
    GREEN: "TLP:GREEN",
    AMBER: "TLP:AMBER",
    AMBER_STRICT: "TLP:AMBER+STRICT",
    RED: "TLP:RED",
}
#: The colours of the FIRST TLP 2.0 standard (text colour on a black background).
COLOURS: Final = {
    CLEAR: "#FFFFFF",
    GREEN: "#33FF00",
    AMBER: "#FFC000",
    AMBER_STRICT: "#FFC000",
    RED: "#FF2B2B",
}

_TLP2_EXTENSION: Final = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

#: Ids other tools write for the same levels, mapped on input.
OTHER_IDS: Final = {
    # TLP 1.0, as defined in STIX 2.1 section 7.2.1.4 (WHITE is now CLEAR).
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": RED,
    # OpenCTI's own TLP:AMBER+STRICT (its other levels reuse the TLP 1.0 ids above).
    "marking-definition--826578e1-40ad-459f-bc73-ede076f81f37": AMBER_STRICT,
}
CANONICAL_IDS: Final = {marking_id: level for level, marking_id in TLP2_IDS.items()}
KNOWN_IDS: Final = {**OTHER_IDS, **CANONICAL_IDS}

_NAMES: Final = {
    "clear": CLEAR,
    "white": CLEAR,
    "green": GREEN,
    "amber": AMBER,
    "amber+strict": AMBER_STRICT,
    "amber strict": AMBER_STRICT,
    "red": RED,
}


def level_from_name(name: str) -> str | None:
    """``TLP:AMBER+STRICT``, ``tlp:white``, ``amber`` → a level; anything else → None."""
    text = name.strip().lower()
    if text.startswith("tlp:"):
        text = text[4:]
    return _NAMES.get(text.strip())


def definition_level(obj: Mapping[str, Any]) -> str | None:
    """The TLP level a marking-definition object stands for, from its content (name, TLP 1.0
    ``definition``, TLP 2.0 extension), whatever its id: how OpenCTI's and MISP's own ids are
    recognised when the definition travels with the objects."""
    if obj.get("type") != "marking-definition":
        return None
    if obj.get("id") in KNOWN_IDS:
        return KNOWN_IDS[obj["id"]]
    definition = obj.get("definition")
    if obj.get("definition_type") == "tlp" and isinstance(definition, Mapping):
        level = level_from_name(str(definition.get("tlp", "")))
        if level:
            return level
    extensions = obj.get("extensions")
    if isinstance(extensions, Mapping) and _TLP2_EXTENSION in extensions:
        name = obj.get("name")
        return level_from_name(name) if isinstance(name, str) else None
    name = obj.get("name")
    if isinstance(name, str) and name.strip().lower().startswith("tlp:"):
        return level_from_name(name)
    return None


def strictest(levels: Iterable[str]) -> str | None:
    found = [level for level in levels if level in RANK]
    return max(found, key=RANK.__getitem__) if found else None


def may_read(reader_max: str | None, level: str) -> bool:
    """Whether a reader cleared up to ``reader_max`` may read ``level`` (None: nothing)."""
    return reader_max is not None and RANK[level] <= RANK[reader_max]


def normalise(
    obj: dict[str, Any], *, default: str, known: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], str]:
    """The object with its TLP markings written as the canonical TLP 2.0 ids, and its level.

    ``known`` maps further marking-definition ids to levels (definitions seen in the same
    envelope or already stored). An object without any TLP marking gets ``default`` added to
    its ``object_marking_refs``, so that it keeps the restriction wherever it is pulled to.
    Marking-definition objects carry no markings and are returned as they are (CLEAR).
    Granular markings' refs are rewritten the same way. The input is not changed.
    """
    if obj.get("type") == "marking-definition":
        return obj, CLEAR
    ids = {**(known or {}), **KNOWN_IDS}
    result = obj
    refs = obj.get("object_marking_refs")
    levels: list[str] = []
    if isinstance(refs, list):
        new_refs: list[Any] = []
        for ref in refs:
            level = ids.get(ref) if isinstance(ref, str) else None
            if level is not None:
                levels.append(level)
                ref = TLP2_IDS[level]
            if ref not in new_refs:
                new_refs.append(ref)
        if new_refs != refs:
            result = dict(obj)
            result["object_marking_refs"] = new_refs
    level = strictest(levels)
    if level is None:
        level = default
        result = dict(result)
        result["object_marking_refs"] = [
            *(refs if isinstance(refs, list) else []),
            TLP2_IDS[default],
        ]
    granular = obj.get("granular_markings")
    if isinstance(granular, list):
        rewritten = [_canonical_granular(marking, ids) for marking in granular]
        if rewritten != granular:
            result = dict(result)
            result["granular_markings"] = rewritten
    return result, level


def _canonical_granular(marking: Any, ids: Mapping[str, str]) -> Any:
    if isinstance(marking, Mapping) and marking.get("marking_ref") in ids:
        return {**marking, "marking_ref": TLP2_IDS[ids[marking["marking_ref"]]]}
    return marking


def granular_levels(obj: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """(level, selectors) of each TLP granular marking of the object (canonical ids)."""
    found = []
    for marking in obj.get("granular_markings") or []:
        if not isinstance(marking, Mapping):
            continue
        level = CANONICAL_IDS.get(str(marking.get("marking_ref")))
        selectors = marking.get("selectors")
        if level and isinstance(selectors, list):
            found.append((level, [s for s in selectors if isinstance(s, str)]))
    return found


def strictest_granular(obj: Mapping[str, Any]) -> str | None:
    return strictest(level for level, _ in granular_levels(obj))


def redact(obj: Mapping[str, Any], reader_max: str | None) -> dict[str, Any]:
    """The object without the properties a granular marking puts above ``reader_max``.

    A selector names a property (``description``), a nested one
    (``external_references.[0].url``) or a list item; whatever it selects is removed, and the
    granular marking that named it goes too (so the reader learns nothing from its selectors).
    """
    hidden = [
        (level, selectors)
        for level, selectors in granular_levels(obj)
        if not may_read(reader_max, level)
    ]
    if not hidden:
        return dict(obj)
    result = copy.deepcopy(dict(obj))
    removals: list[list[str]] = []
    for _level, selectors in hidden:
        removals.extend(selector.split(".") for selector in selectors)
    # Longest paths and highest list indexes first, so earlier removals do not shift later ones.
    for path in sorted(removals, key=_removal_order, reverse=True):
        _remove(result, path)
    hidden_refs = {TLP2_IDS[level] for level, _ in hidden}
    kept = [
        marking
        for marking in result.get("granular_markings") or []
        if not (isinstance(marking, Mapping) and marking.get("marking_ref") in hidden_refs)
    ]
    if kept:
        result["granular_markings"] = kept
    else:
        result.pop("granular_markings", None)
    return result


def _removal_order(path: list[str]) -> tuple[int, list[int]]:
    indexes = [_index(part) for part in path]
    return len(path), [-1 if index is None else index for index in indexes]


def _index(part: str) -> int | None:
    if part.startswith("[") and part.endswith("]") and part[1:-1].isdigit():
        return int(part[1:-1])
    return None


def _remove(node: Any, path: list[str]) -> None:
    for part in path[:-1]:
        node = _step(node, part)
        if node is None:
            return
    last = path[-1]
    index = _index(last)
    if index is not None and isinstance(node, list) and index < len(node):
        del node[index]
    elif isinstance(node, dict):
        node.pop(last, None)


def _step(node: Any, part: str) -> Any:
    index = _index(part)
    if index is not None:
        return node[index] if isinstance(node, list) and index < len(node) else None
    return node.get(part) if isinstance(node, dict) else None


def marking_definitions() -> list[dict[str, Any]]:
    """The five TLP 2.0 marking-definition objects, as OASIS publishes them."""
    return [
        {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": TLP2_IDS[level],
            "created": "2022-10-01T00:00:00.000Z",
            "name": TLP2_NAMES[level],
            "extensions": {
                _TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level}
            },
        }
        for level in LEVELS
    ]
