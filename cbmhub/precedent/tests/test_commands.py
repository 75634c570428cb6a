"""``cbmhub precedent index`` and ``cbmhub precedent search``."""

import json
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cbmhub.precedent.models import Paragraph, Source, Text

from .conftest import UNSC


@pytest.fixture
def folder(tmp_path):
    """Two English resolutions, one Russian, a file that is not well-formed, a notation text."""
    for name in ["2023/English/S_RES_2672_E.xml", "2023/English/S_RES_2677_E.xml",
                 "2023/Russian/S_RES_2677_R.xml"]:  # fmt: skip
        shutil.copy(UNSC / name, tmp_path / name.split("/")[-1])
    (tmp_path / "broken.xml").write_text("<akomaNtoso><statement>", encoding="utf-8")
    (tmp_path / "declaration.txt").write_text(
        "PP1. Reaffirming the purposes and principles of the Charter;\n\n"
        "OP1. Decide to hold the next summit in Astana.\n",
        encoding="utf-8",
    )
    return tmp_path


def _index(folder, capsys, *extra):
    with pytest.raises(CommandError) as caught:
        call_command("precedent", "index", str(folder), "--date", "2022-10-13", *extra)
    return caught.value, capsys.readouterr()


@pytest.mark.django_db
def test_index_reads_a_folder_reports_unreadable_files_and_resumes(folder, capsys):
    error, out = _index(folder, capsys)
    assert error.returncode == 1 and "1 files could not be indexed" in str(error)
    assert "4 added, 0 replaced, 0 unchanged, 1 not readable" in out.out
    assert "broken.xml" in out.err and "not well-formed" in out.err
    assert Text.objects.count() == 4
    un = Source.objects.get(slug="unsc")
    assert un.acknowledgement == "Source: United Nations" and "acknowledge" in un.terms
    assert Text.objects.filter(source=un, language="ru").count() == 1
    declaration = Text.objects.get(symbol="declaration")
    assert [p.kind for p in declaration.paragraphs.all()] == ["preamble", "operative"]
    # Incremental: a second run skips what it has (and a resumed run carries on from there).
    count = Paragraph.objects.count()
    error, out = _index(folder, capsys)
    assert "0 added, 0 replaced, 4 unchanged, 1 not readable" in out.out
    assert Paragraph.objects.count() == count


@pytest.mark.django_db
def test_index_refuses_a_missing_path(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("precedent", "index", str(tmp_path / "nowhere"))


@pytest.mark.django_db
def test_search_json_has_exactly_the_fields_of_the_issue_best_first(folder, capsys):
    _index(folder, capsys)
    call_command(
        "precedent", "search", "--json", "--limit", "2", "Decides to remain seized of the matter"
    )
    results = json.loads(capsys.readouterr().out)
    assert len(results) == 2
    assert {"symbol", "date", "paragraph", "text", "score"} <= set(results[0])
    assert results[0]["text"] == "Decides to remain actively seized of the matter."
    assert results[0]["score"] >= results[1]["score"]
    assert results[0]["symbol"] in ("S/RES/2672 (2023)", "S/RES/2677 (2023)")


@pytest.mark.django_db
def test_phrase_search_with_language_and_plain_output(folder, capsys):
    _index(folder, capsys)
    call_command("precedent", "search", "--phrase", "--lang", "ru", "активно заниматься")
    out = capsys.readouterr().out
    assert "S/RES/2677 (2023)" in out and "Source: United Nations" in out
    assert "2672" not in out  # English only in 2672 here


@pytest.mark.django_db
def test_queries_file_prints_one_json_line_per_query(folder, tmp_path, capsys):
    _index(folder, capsys)
    queries = tmp_path / "queries.txt"
    queries.write_text("Decides to remain seized of the matter\n\n安全理事会\n", encoding="utf-8")
    call_command("precedent", "search", "--json", "--queries", str(queries))
    lines = capsys.readouterr().out.strip().split("\n")
    assert len(lines) == 3
    assert json.loads(lines[0])[0]["paragraph"]
    assert json.loads(lines[1])["code"] == "empty"
    assert json.loads(lines[2]) == []


@pytest.mark.django_db
def test_bad_queries_exit_2_with_the_reason(un_texts):
    with pytest.raises(CommandError, match="empty") as caught:
        call_command("precedent", "search", "")
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="characters long"):
        call_command("precedent", "search", "x" * 1_000_000)


@pytest.mark.django_db
def test_an_unseen_script_says_so(un_texts, capsys):
    call_command("precedent", "search", "安全理事会决定继续积极处理此案")
    assert "none of its words is in the index" in capsys.readouterr().out


@pytest.mark.django_db
def test_adopted_revisions_are_indexed_and_drafts_are_not(draft, capsys):
    call_command("precedent", "search", "--json", "--limit", "1",
                 "Agree to designate national points of contact")  # fmt: skip
    assert json.loads(capsys.readouterr().out)[0]["symbol"] == "SWG/ICT/1 Adopted text"
    assert not Text.objects.filter(revision=draft).exists()
