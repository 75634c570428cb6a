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


# -- cbmhub text compare OLD NEW [--json] -----------------------------------------------------

OLD_REV = "PP1. Agreed text;\n\nOP5. Decide to remain seized of the matter.\n"
NEW_REV = (
    "PP1. Agreed text;\n\nOP5. [Decide to hold an exercise.] (-ISR)\n\n"
    "OP6. Decide to remain seized of the matter.\n"
)


@pytest.fixture
def revisions(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "rev1.txt", tmp_path / "rev2.txt"
    old.write_text(OLD_REV, encoding="utf-8")
    new.write_text(NEW_REV, encoding="utf-8")
    return old, new


def test_compare_prints_the_edits(revisions):
    old, new = revisions
    assert run("compare", str(old), str(new)).splitlines() == [
        "1 added, 0 removed, 0 changed, 1 moved, 1 unchanged",
        "added     OP5                      line 3",
        "moved     OP5 -> OP6               lines 3 -> 5",
    ]


def test_compare_json_lists_every_pair(revisions):
    old, new = revisions
    data = json.loads(run("compare", str(old), str(new), "--json"))
    assert data["version"] == 1
    assert data["counts"] == {"added": 1, "removed": 0, "changed": 0, "moved": 1, "unchanged": 1}
    assert [(p["old_label"], p["new_label"], p["change"]) for p in data["paragraphs"]] == [
        ("PP1.", "PP1.", "unchanged"),
        (None, "OP5.", "added"),
        ("OP5.", "OP6.", "moved"),
    ]
    assert data["paragraphs"][2]["old_line"] == 3 and data["paragraphs"][2]["new_line"] == 5


def test_compare_reads_one_side_from_standard_input(revisions):
    old, _ = revisions
    stdin = io.TextIOWrapper(io.BytesIO(NEW_REV.encode("utf-8")), encoding="utf-8", newline="")
    assert run("compare", str(old), "-", stdin=stdin).startswith("1 added, 0 removed")


def test_compare_errors_are_status_2(revisions, tmp_path):
    old, _ = revisions
    with pytest.raises(CommandError) as raised:
        run("compare", str(old), str(tmp_path / "missing.txt"))
    assert raised.value.returncode == 2 and "missing.txt: no such file" in str(raised.value)
    with pytest.raises(CommandError) as raised:
        run("compare", "-", "-")
    assert raised.value.returncode == 2


def test_compare_needs_no_database(revisions):
    # A database URL that cannot be reached: the comparison never asks for it.
    old, new = revisions
    env = {**os.environ, "CBMHUB_DEBUG": "1", "DATABASE_URL": "postgres://nobody@127.0.0.1:9/no"}
    env.pop("CBMHUB_TESTING", None)
    cli = [sys.executable, "-m", "cbmhub", "text", "compare", str(old), str(new), "--json"]
    done = subprocess.run(cli, capture_output=True, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["counts"]["moved"] == 1
