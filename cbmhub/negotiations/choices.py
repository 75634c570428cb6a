"""Fixed vocabularies of the negotiations app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RevisionKind(models.TextChoices):
    """Where a text stands in its negotiation: a first draft, a numbered revision circulated
    between rounds (Rev.3), the podium version read out in the room, the text agreed ad
    referendum, and the text as adopted."""

    DRAFT = "draft", _("Draft")
    REV = "rev", _("Revision")
    PODIUM = "podium", _("Podium version")
    AGREED = "agreed", _("Agreed text")
    ADOPTED = "adopted", _("Adopted text")


def revision_label(kind: str, number: int | None) -> str:
    """The label people write on the cover: "Rev.3", "Draft", "Podium version" ..."""
    if kind == RevisionKind.REV:
        return f"Rev.{number}"
    # Labels are stored data and stay in English, like document symbols; the UI translates
    # the kind itself where it shows it.
    return {
        RevisionKind.DRAFT: "Draft",
        RevisionKind.PODIUM: "Podium version",
        RevisionKind.AGREED: "Agreed text",
        RevisionKind.ADOPTED: "Adopted text",
    }[RevisionKind(kind)]
