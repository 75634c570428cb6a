"""A revision's source.txt and clean.txt are named through the one Content-Disposition builder
(cbmhub/core/http.py): a label typed with a line break, a quote or Cyrillic letters used to
break the header for every reader (issue 8, item 13)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from cbmhub.core.roles import SYSTEM
from cbmhub.negotiations import services

from .conftest import SHORT_TEXT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("label", "exact"),
    [
        ("Rev.3\nCorr.1", "SWG_OI_9001-Rev.3 Corr.1"),  # answered 500 (BadHeaderError)
        ("Rev.3\"; filename*=UTF-8''x.exe", "SWG_OI_9001-Rev.3\";_filename*=UTF-8''x.exe"),
        ("Ред. 3", "SWG_OI_9001-Ред._3"),  # a header MIME-encoded as =?utf-8?...
    ],
)
@pytest.mark.parametrize("form", ["source", "clean"])
def test_any_label_gives_a_valid_download(client_for, anna, document, label, exact, form):
    revision = services.revision_import(
        actor=SYSTEM, document=document, data=SHORT_TEXT, kind="draft", label=label
    ).revision
    assert revision.label == label.strip()
    url = reverse("negotiations:revision_text", args=[document.pk, revision.pk, form])
    response = client_for(anna).get(url)
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header.isascii() and header.isprintable()
    assert header.startswith('inline; filename="')
    encoded = re.findall(r"filename\*=UTF-8''([^;\s\"]+)", header)
    assert len(encoded) == 1 and header.count("filename*=") == 1
    assert unquote(encoded[0]) == f"{exact}-{form}.txt"
