"""Fixed vocabularies of the precedent app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    """Where a source's texts come from: imported files (the UN's Akoma Ntoso resolutions, texts
    a secretariat uploads) or the adopted revisions of CBM Hub's own negotiations."""

    FILES = "files", _("Imported files")
    REVISIONS = "revisions", _("Adopted texts in CBM Hub")


class ParagraphKind(models.TextChoices):
    PREAMBLE = "preamble", _("Preambular")
    OPERATIVE = "operative", _("Operative")
    HEADING = "heading", _("Heading")
    TEXT = "text", _("Other")


# The two kinds a filter offers (headings and other text are found without a filter).
FILTER_KINDS = (ParagraphKind.PREAMBLE, ParagraphKind.OPERATIVE)
