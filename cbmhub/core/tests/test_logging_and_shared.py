"""A 403 is one log line, not a traceback; a checkout without ../shared says what it needs
(issue 10, item 19)."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from cbmhub.conftest import SHARED_MISSING

REPO = Path(__file__).resolve().parents[3]


def _console_output(client, url) -> str:
    """What the configured console handler writes while `client` gets `url`."""
    console = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler))
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        client.get(url)
    finally:
        console.setStream(previous)
    return stream.getvalue()


@pytest.mark.django_db
def test_a_refused_request_is_one_log_line_without_a_traceback(client_for, alice):
    output = _console_output(client_for(alice), "/directory/states/add/")
    assert "Forbidden" in output and "/directory/states/add/" in output
    assert "Traceback" not in output and "PermissionDenied" not in output


def test_a_server_error_keeps_its_traceback():
    from cbmhub.core.logging import ClientErrorWithoutTraceback

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("django.request", logging.ERROR, "", 0, "x", (), sys.exc_info())
    record.status_code = 500
    assert ClientErrorWithoutTraceback().filter(record) and record.exc_info is not None
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["client_error_without_traceback"]


def test_without_the_shared_data_every_test_fails_with_the_readmes_sentence(tmp_path):
    assert SHARED_MISSING in " ".join((REPO / "README.md").read_text().split())
    env = {**os.environ, "CBMHUB_SHARED_DIR": str(tmp_path / "no-shared"), "CBMHUB_TESTING": "1"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:xdist",
            "-q",
            "-p",
            "no:cacheprovider",
            "cbmhub/core/tests/test_format.py::test_content_lang_gives_content_its_own_direction",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode != 0
    assert SHARED_MISSING in " ".join(run.stdout.split())
