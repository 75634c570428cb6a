"""Fixtures of the directory tests: a point of contact of state A and of state B."""

from __future__ import annotations

import pytest

from cbmhub.conftest import make_poc


@pytest.fixture
def poc_a(state_a):
    """A technical point of contact of state A (Kazakhstan), with no account of its own."""
    return make_poc(state_a, "technical", "National CERT A")


@pytest.fixture
def poc_b(state_b):
    return make_poc(state_b, "technical", "National CERT B")


def poc_post_data(poc=None, **overrides) -> dict:
    """The POST body of the point-of-contact form: the fields of `poc` (or defaults) and one
    e-mail channel, with `overrides` applied."""
    data = {
        "level": getattr(poc, "level", "technical"),
        "organisation": "",
        "office": getattr(poc, "office", "New office"),
        "function": getattr(poc, "function", ""),
        "person_name": getattr(poc, "person_name", ""),
        "languages": getattr(poc, "languages", "en"),
        "time_zone": getattr(poc, "time_zone", "UTC"),
        "pgp_fingerprint": "",
        "last_verified": "",
        "is_active": "on",
        "notes": "",
        "channels-TOTAL_FORMS": "1",
        "channels-INITIAL_FORMS": "0",
        "channels-MIN_NUM_FORMS": "0",
        "channels-MAX_NUM_FORMS": "1000",
        "channels-0-kind": "email",
        "channels-0-value": "desk@example.org",
        "channels-0-is_primary": "on",
        "channels-0-note": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
