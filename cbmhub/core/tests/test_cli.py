"""The `cbmhub` command: file-only commands run on a bare checkout without a SECRET_KEY."""

import os
import subprocess
import sys

import pytest

from cbmhub.cli import _is_offline


@pytest.mark.parametrize(
    ("args", "offline"),
    [
        (["text", "parse", "x.txt"], True),
        (["hotline", "verify", "--bundle", "r.json", "--public-key", "k.pem"], True),
        (["hotline", "verify", "--bundle=r.json", "--public-key=k.pem"], True),
        (["hotline", "verify"], False),  # the live record: needs the database and settings
        (["hotline", "worker"], False),
        (["runserver"], False),
        ([], False),
    ],
)
def test_offline_commands(args, offline):
    assert _is_offline(args) is offline


def test_text_render_runs_without_secret_key(tmp_path):
    source = tmp_path / "draft.txt"
    source.write_bytes(b"PP1. [Agreed] (+KAZ) text;\r\n")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CBMHUB_", "DJANGO_", "SECRET_KEY", "PYTEST"))
    }
    env["CBMHUB_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "cbmhub", "text", "render", str(source)],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == source.read_bytes()
