"""Language versions of a revision: import, alignment (missing/extra flagged), the side-by-side
page, a person's correction; who may do what; bad files."""

import pytest
from django.urls import reverse

from cbmhub.core.errors import Forbidden
from cbmhub.core.roles import SYSTEM
from cbmhub.negotiations import services, versions
from cbmhub.negotiations.models import RevisionVersion

EN = (
    "PP1. Recalling resolution 2231 (2015) and our commitments;\n\n"
    "PP2. Noting the report of 10 June 2024;\n\n"
    "OP1. Agree to meet twice a year;\n\n"
    "OP2. Decide to review the measures in 2026.\n"
)
RU = (
    "PP1. ссылаясь на резолюцию 2231 (2015) и наши обязательства;\n\n"
    "OP1. соглашаются встречаться два раза в год;\n\n"
    "OP2. постановляют рассмотреть меры в 2026 году;\n\n"
    "OP3. призывают все государства участвовать.\n"
)


@pytest.fixture
def en_revision(document):
    return services.revision_import(
        actor=SYSTEM, document=document, data=EN.encode(), kind="draft", number=None
    ).revision


@pytest.fixture
def ru_version(en_revision):
    return services.revision_version_import(
        actor=SYSTEM, revision=en_revision, language="ru", data=RU.encode(), source_name="ru.txt"
    )


@pytest.mark.django_db
def test_versions_are_aligned_and_missing_and_extra_flagged(ru_version):
    rows = [(row["left"], row["right"], row["how"]) for row in ru_version.alignment]
    assert rows == [
        (0, 0, "structure"),
        (1, None, "left-only"),  # PP2 is missing in Russian
        (2, 1, "structure"),
        (3, 2, "structure"),
        (None, 3, "right-only"),  # OP3 is extra
    ]


@pytest.mark.django_db
def test_side_by_side_page_shows_both_and_flags(client_for, alice, ru_version, en_revision):
    url = reverse("negotiations:version", args=[en_revision.document_id, en_revision.pk, "ru"])
    page = client_for(alice).get(url).content.decode()
    assert page.count('data-testid="pair"') == 5
    assert 'data-testid="missing"' in page and 'data-testid="extra"' in page
    assert "соглашаются встречаться два раза в год" in page and "Agree to meet twice a year" in page
    assert "<form" not in page.split('data-testid="side-by-side"')[1]  # Alice may not correct
    listing = client_for(alice).get(
        reverse("negotiations:versions", args=[en_revision.document_id, en_revision.pk])
    )
    assert 'data-testid="version-ru"' in listing.content.decode()
    assert 'data-testid="version-form"' not in listing.content.decode()


@pytest.mark.django_db
def test_the_secretariat_corrects_an_alignment_and_it_is_kept(
    client_for, sam, ru_version, en_revision
):
    url = reverse("negotiations:version", args=[en_revision.document_id, en_revision.pk, "ru"])
    response = client_for(sam).post(url, {"right": 3, "left": 1})
    assert response.status_code == 302
    ru_version.refresh_from_db()
    assert {"left": 1, "right": 3, "score": 1.0, "how": "person"} in ru_version.alignment
    assert ru_version.corrected_by == sam
    lefts = [row["left"] for row in ru_version.alignment if row["left"] is not None]
    rights = [row["right"] for row in ru_version.alignment if row["right"] is not None]
    assert sorted(lefts) == [0, 1, 2, 3] and sorted(rights) == [0, 1, 2, 3]
    # Unpairing: OP2 (right 2) has no counterpart; OP2 of the revision becomes left-only.
    client_for(sam).post(url, {"right": 2, "left": ""})
    ru_version.refresh_from_db()
    assert {"left": 3, "right": None, "score": 0.0, "how": "left-only"} in ru_version.alignment
    bad = client_for(sam).post(url, {"right": 99, "left": 0})
    assert bad.status_code == 400 and "is not in this version" in bad.content.decode()


@pytest.mark.django_db
def test_who_may_import_and_correct(client_for, alice, carol, olga, sara, en_revision, ru_version):
    url = reverse("negotiations:versions", args=[en_revision.document_id, en_revision.pk])
    upload = {"language": "kk", "file": _file("OP1. Жылына екі рет кездесуге келіседі;\n")}
    assert client_for(alice).post(url, upload).status_code == 403  # a delegation reads only
    assert client_for(olga).get(url).status_code == 403
    assert client_for(sara).get(url).status_code == 404  # another organisation's text
    with pytest.raises(Forbidden, match="secretariat"):
        services.revision_version_correct(actor=alice, version=ru_version, right=0, left=0)
    assert not RevisionVersion.objects.filter(language="kk").exists()


def _file(text: str | bytes, name: str = "version.txt"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text)


@pytest.mark.django_db
def test_upload_by_the_secretariat_and_bad_files(client_for, sam, en_revision):
    url = reverse("negotiations:versions", args=[en_revision.document_id, en_revision.pk])
    ok = client_for(sam).post(url, {"language": "kk", "file": _file("OP1. Жылына екі рет;\n")})
    assert ok.status_code == 302 and RevisionVersion.objects.filter(language="kk").exists()
    same = client_for(sam).post(url, {"language": "en", "file": _file("OP1. Again.\n")})
    assert same.status_code == 400 and "needs another language" in same.content.decode()
    binary = client_for(sam).post(url, {"language": "fr", "file": _file(b"\xff\xfe\x00bad")})
    assert binary.status_code == 400 and "not UTF-8" in binary.content.decode()
    empty = client_for(sam).post(url, {"language": "fr", "file": _file("   \n")})
    assert empty.status_code == 400


@pytest.mark.django_db
def test_a_person_unpairs_and_every_paragraph_stays_once():
    rows = versions.aligned(versions.paragraph_items(EN), versions.paragraph_items(RU))
    fixed = versions.corrected(rows, right=0, left=None)
    assert sorted(r["left"] for r in fixed if r["left"] is not None) == [0, 1, 2, 3]
    assert sorted(r["right"] for r in fixed if r["right"] is not None) == [0, 1, 2, 3]
