"""`cbmhub text parse|render|clean`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cbmhub.directory.models import State, StateAlias

SAMPLE = "PP1. Agreed.\r\n\r\nPP2. We [strongly] (+CHN) (-ZZZ) (+CHAIR) support it.] \r\n"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "draft.txt"
    path.write_bytes(SAMPLE.encode("utf-8"))
    return path


def run(*args: str, stdin=None) -> str:
    out = io.StringIO()
    extra = {"stdin": stdin} if stdin is not None else {}
    call_command("text", *args, stdout=out, **extra)
    return out.getvalue()


def test_render_is_identical(sample):
    assert run("render", str(sample)) == SAMPLE


def test_clean(sample):
    assert run("clean", str(sample)) == "PP1. Agreed.\r\n\r\nPP2. We support it.\r\n"


@pytest.mark.django_db
def test_parse_resolves_codes_through_the_directory(sample):
    china = State.objects.filter(iso3="CHN").first() or State.objects.create(
        name="China", iso3="CHN", iso2="CN"
    )
    StateAlias.objects.get_or_create(code="CHN", defaults={"state": china})
    data = json.loads(run("parse", str(sample)))
    assert data["delegations"]["CHN"]["state"] == {"id": china.pk, "name": china.name}
    assert data["unknown_codes"] == ["ZZZ"]
    assert data["actors"] == ["CHAIR"]
    assert data["diagnostics"][0]["line"] == 3
    paragraph = data["paragraphs"][1]
    assert {"label", "kind", "status", "brackets", "positions", "notes"} <= paragraph.keys()
    assert paragraph["positions"][0] == {
        "delegation": "CHN",
        "stance": "support",
        "qualifier": "",
        "attaches_to": {"kind": "bracket", "bracket": 1, "excerpt": "strongly"},
        "line": 3,
        "column": 20,
    }


def test_parse_without_resolution_needs_no_database(sample):
    data = json.loads(run("parse", "--no-resolve", str(sample)))
    assert data["resolved"] is False
    assert data["delegations"]["CHN"]["support"] == 1


def test_parse_lists_the_blockers(tmp_path):
    path = tmp_path / "blocked.txt"
    path.write_text("PP1. [a] (-CHAIR) (-ZZZ) (-ZZZ)\n\nPP2. [b] (-YYY, -ZZZ)\n", encoding="utf-8")
    data = json.loads(run("parse", "--no-resolve", str(path)))
    assert data["consensus"] == {
        "blockers": [
            {"delegation": "ZZZ", "oppose": 3, "paragraphs": ["PP1", "PP2"]},
            {"delegation": "YYY", "oppose": 1, "paragraphs": ["PP2"]},
        ]
    }
    assert data["version"] == 1 and data["delegations"]["CHAIR"]["oppose"] == 1


def test_standard_input():
    stdin = io.TextIOWrapper(io.BytesIO(SAMPLE.encode("utf-8")), encoding="utf-8", newline="")
    assert run("render", "-", stdin=stdin) == SAMPLE


def test_not_utf8_is_status_2(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("café".encode("latin-1"))
    with pytest.raises(CommandError) as raised:
        run("parse", str(path))
    assert raised.value.returncode == 2
    assert "not UTF-8 text" in str(raised.value) and "offset 3" in str(raised.value)


def test_missing_file_is_status_2(tmp_path):
    with pytest.raises(CommandError) as raised:
        run("clean", str(tmp_path / "nope.txt"))
    assert raised.value.returncode == 2


def test_console_command_end_to_end(sample, tmp_path):
    env = {**os.environ, "CBMHUB_DEBUG": "1"}
    cli = [sys.executable, "-m", "cbmhub"]
    done = subprocess.run([*cli, "text", "render", str(sample)], capture_output=True, env=env)
    assert (done.returncode, done.stdout) == (0, SAMPLE.encode("utf-8"))
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\xff\xfe\x00")
    done = subprocess.run([*cli, "text", "clean", str(bad)], capture_output=True, env=env)
    assert done.returncode == 2
    assert done.stdout == b""
    assert len(done.stderr.decode().strip().splitlines()) == 1
