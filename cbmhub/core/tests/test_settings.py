"""Start-up guards in settings.py: a typo in a boolean stops start-up; testing mode is explicit."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Import cbmhub.settings in a fresh interpreter with exactly these CBMHUB_* variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CBMHUB_", "SECRET_KEY"))}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    code = "import pytest, cbmhub.settings as s; print('TESTING', s.TESTING, 'DEBUG', s.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "name", ["CBMHUB_REQUIRE_2FA", "CBMHUB_HTTPS", "CBMHUB_DEBUG", "CBMHUB_DEMO_MODE"]
)
def test_a_typo_in_a_boolean_stops_start_up_naming_the_variable(name):
    result = _import_settings(CBMHUB_TESTING="1", **{name: "ture"})
    assert result.returncode != 0
    assert f"{name}='ture' is not a boolean" in result.stderr


@pytest.mark.parametrize("word, expected", [("yes", True), ("ON", True), ("0", False), ("", False)])
def test_boolean_words_are_read(word, expected):
    result = _import_settings(CBMHUB_TESTING="1", CBMHUB_DEBUG=word)
    assert result.returncode == 0, result.stderr
    assert f"DEBUG {expected}" in result.stdout


def test_testing_mode_is_not_switched_on_by_pytest_being_importable():
    # pytest is imported first, as it would be in a production image that has it installed:
    # without CBMHUB_TESTING (and without a SECRET_KEY) start-up must refuse the development key.
    result = _import_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_test_runner_switches_testing_mode_on(settings):
    assert settings.TESTING is True
    assert os.environ["CBMHUB_TESTING"] == "1"
