"""jsonbounds: JSON within bounds, with the place of every refusal (no Django needed)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cbmhub.core import jsonbounds

# Any text but NUL, which is refused on purpose (test_refusals_are_decode_errors_with_their_place).
TEXT = st.text(st.characters(blacklist_characters="\x00"))
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(st.characters(blacklist_characters="\x00"), max_size=5), children, max_size=4
        )
    ),
    max_leaves=30,
)


@given(JSON_VALUES)
@settings(max_examples=200, derandomize=True)
def test_any_document_within_the_bounds_reads_as_json_reads_it(value):
    text = json.dumps(value)
    assert jsonbounds.loads(text) == json.loads(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}',  # brackets inside a string
        '["\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\\"]',  # and after escaped quotes
        '{"n": "' + "9" * 500 + '"}',  # a long digit string is a string, not a number
        "[" * 32 + "]" * 32,
        "[" + "9" * 64 + "]",
        '["a\\\\u0000"]',  # an escaped backslash, then the letters u0000: no NUL
    ],
)
def test_what_looks_like_a_bound_inside_strings_or_at_the_bound_is_accepted(text):
    assert jsonbounds.loads(text) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("[" * 33 + "]" * 33, "Nested more than 32 levels deep", 1, 33),
        ('{\n  "a": [[' + "[" * 40, "Nested more than 32", 2, 39),
        ('{"a":\n ' + "1" * 65 + "}", "A number longer than 64 characters", 2, 2),
        ('{"a": -Infinity}', "Infinity is not a JSON value", 1, 8),
        ("[1, NaN]", "NaN is not a JSON value", 1, 5),
        ("[2e400]", "The number 2e400 is too large", 1, 2),
        ('{"k": "a\\u0000"}', "A NUL character", 1, 9),
        ('["\\\\\\u0000"]', "A NUL character", 1, 5),
    ],
)
def test_refusals_are_decode_errors_with_their_place(text, message, line, column):
    with pytest.raises(json.JSONDecodeError) as caught:
        jsonbounds.loads(text)
    assert caught.value.msg.startswith(message)
    assert (caught.value.lineno, caught.value.colno) == (line, column)


def test_a_million_open_brackets_are_refused_at_the_bound_not_by_recursion():
    with pytest.raises(jsonbounds.JSONBoundError) as caught:
        jsonbounds.loads("[" * 1_000_000)
    assert caught.value.pos == 32


def test_invalid_json_is_still_the_decoders_error():
    with pytest.raises(json.JSONDecodeError) as caught:
        jsonbounds.loads('{"a": tru}')
    assert not isinstance(caught.value, jsonbounds.JSONBoundError)
