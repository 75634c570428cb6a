"""Findings of the security review of negotiations: the import endpoint read a whole upload
into memory before checking who sends it and how large it is (each test failed before its fix).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import (
    InMemoryUploadedFile,
    SimpleUploadedFile,
    TemporaryUploadedFile,
)
from django.urls import reverse

from cbmhub.negotiations import services
from cbmhub.negotiations.models import Revision

pytestmark = pytest.mark.django_db


@pytest.fixture
def unread(monkeypatch):
    """Uploads that must not be read: reading one fails the test."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("the upload was read before the request was checked")

    monkeypatch.setattr(InMemoryUploadedFile, "chunks", refuse)
    monkeypatch.setattr(TemporaryUploadedFile, "chunks", refuse)


def _url(document):
    return reverse("api:negotiations-revision-list", args=[document.pk])


def test_a_state_may_not_make_the_server_read_an_import(api_for, anna, document, unread):
    # Anna's state is a member of CICA, so she may read the document, but not import into it:
    # her upload is refused before it is read (it could be gigabytes).
    response = api_for(anna).post(
        _url(document),
        {"file": SimpleUploadedFile("r.txt", b"PP1. text"), "kind": "rev", "number": 2},
        format="multipart",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Revision.objects.filter(document=document).exists()


def test_oversized_import_is_refused_before_it_is_read(api_for, sam, document, unread):
    big = SimpleUploadedFile("big.txt", b"x" * (services.MAX_SOURCE_BYTES + 1))
    response = api_for(sam).post(
        _url(document), {"file": big, "kind": "rev", "number": 2}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_large"
