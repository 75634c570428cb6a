"""JSON parsing with bounds, for every JSON that comes from outside (API bodies, import files).

Python's ``json`` recurses once per nesting level (deep input raises ``RecursionError``) and
turns every digit string into an ``int`` (past 4,300 digits a ``ValueError``; below that,
quadratic time). Both escape as 500s. ``loads`` first scans the text once, linearly, for
nesting and number tokens outside strings, and refuses a document nested deeper than
``max_depth`` or with a number longer than ``max_number_length`` characters before the real
parser sees it. The same scan refuses what Python accepts but JSON does not (``NaN``,
``Infinity``), numbers that overflow to infinity (``1e999``), and the NUL character
(``\u0000``) in a string, which no database column can store.

Every refusal is a ``JSONBoundError``, a ``json.JSONDecodeError``: callers that already report
a decode error's line and column report these the same way. No Django imports.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 32
MAX_NUMBER_LENGTH = 64

# Outside strings only brackets and number characters matter; a string is skipped whole
# (possessive quantifiers: no backtracking, so the scan stays linear).
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[{]|[\]}]|[-+0-9.eE]++|[A-Za-z]++')
_NOT_JSON = {"NaN", "Infinity"}


class JSONBoundError(json.JSONDecodeError):
    """A document refused by a bound (depth, number length) or as not JSON (NaN, Infinity)."""


def check_bounds(
    text: str,
    *,
    max_depth: int = MAX_DEPTH,
    max_number_length: int = MAX_NUMBER_LENGTH,
    refuse_nul: bool = True,
) -> None:
    """Raise ``JSONBoundError`` at the first place where ``text`` exceeds a bound.

    ``refuse_nul=False`` is for a caller that refuses NUL itself with a more precise place
    (the directory import names the row and field)."""
    depth = 0
    for match in _TOKENS.finditer(text):
        first = text[match.start()]
        if first == '"':
            if refuse_nul and "u0000" in match.group():
                _check_string(match.group(), text, match.start())
            continue
        if first in "[{":
            depth += 1
            if depth > max_depth:
                raise JSONBoundError(
                    f"Nested more than {max_depth} levels deep", text, match.start()
                )
        elif first in "]}":
            depth -= 1
        else:
            _check_scalar(match.group(), text, match.start(), max_number_length)


# ``\u0000`` preceded by an even number of backslashes: an escaped NUL, not an escaped
# backslash followed by the letters "u0000".
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def _check_string(token: str, text: str, position: int) -> None:
    found = _NUL_ESCAPE.search(token)
    if found:
        # No database column can store it (PostgreSQL refuses NUL in text), so no record may
        # hold one: refused here, with its place, rather than as a database error later.
        raise JSONBoundError(
            "A NUL character (\\u0000) in a string", text, position + found.end() - 6
        )


def _check_scalar(token: str, text: str, position: int, max_number_length: int) -> None:
    if token in _NOT_JSON:
        raise JSONBoundError(f"{token} is not a JSON value", text, position)
    if token[0].isalpha():
        return  # true, false, null, or a typo the parser reports
    if len(token) > max_number_length:
        raise JSONBoundError(f"A number longer than {max_number_length} characters", text, position)
    try:
        finite = math.isfinite(float(token))
    except ValueError:
        return  # not a number at all: the parser reports it
    if not finite:
        raise JSONBoundError(f"The number {token} is too large", text, position)


def _refuse_constant(name: str) -> Any:
    # check_bounds has refused these already, with their position; this only makes sure.
    raise ValueError(f"{name} is not a JSON value")


def loads(
    text: str | bytes,
    *,
    max_depth: int = MAX_DEPTH,
    max_number_length: int = MAX_NUMBER_LENGTH,
    refuse_nul: bool = True,
) -> Any:
    """``json.loads`` within the bounds; any refusal is a ``json.JSONDecodeError``."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    check_bounds(
        text, max_depth=max_depth, max_number_length=max_number_length, refuse_nul=refuse_nul
    )
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # from the hook above, which has no position to give
        raise JSONBoundError(str(exc), text, 0) from None
