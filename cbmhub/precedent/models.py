"""Precedent: the adopted texts agreed language is searched in, paragraph by paragraph."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cbmhub.core.models import TimeStampedModel
from cbmhub.directory.models import Organisation
from cbmhub.negotiations.models import Revision

from .choices import ParagraphKind, SourceKind


class Source(TimeStampedModel):
    """A collection of adopted texts with its provenance and terms of use, e.g. "UN Security
    Council resolutions" (Akoma Ntoso files from the UN's machine-readable documents) or
    "CBM Hub adopted texts". ``acknowledgement`` is printed with every result built on it."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=SourceKind.choices, default=SourceKind.FILES)
    provenance = models.TextField(blank=True, help_text=_("Where the texts come from."))
    terms = models.TextField(blank=True, help_text=_("The terms of use of the texts."))
    acknowledgement = models.CharField(
        max_length=300,
        blank=True,
        help_text=_('Shown with every result, e.g. "Source: United Nations".'),
    )
    # Texts of a source with an organisation are read only by those who may read that
    # organisation's negotiations; a source without one is public (the UN's resolutions).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Text(models.Model):
    """One adopted text in one language: a resolution, a declaration, an adopted revision."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="texts")
    # What identifies the text within its source (the AKN expression URI, a file name, or
    # "revision:<id>"): indexing the same key again replaces the text.
    key = models.CharField(max_length=300)
    symbol = models.CharField(max_length=120)
    title = models.CharField(max_length=500, blank=True)
    date = models.DateField()
    body = models.CharField(max_length=120, blank=True, help_text=_("The body that adopted it."))
    language = models.CharField(max_length=10)
    # Denormalised access: the organisation whose negotiations' readers may read the text
    # (a revision's document's organisation, or the source's); null: public.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revision = models.OneToOneField(
        Revision, on_delete=models.CASCADE, null=True, blank=True, related_name="precedent_text"
    )
    sha256 = models.CharField(max_length=64, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)
    indexed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["date", "symbol", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="precedent_text_key_unique")
        ]
        indexes = [models.Index(fields=["language", "date"], name="precedent_text_lang_date")]

    def __str__(self) -> str:
        return f"{self.symbol} ({self.language})"


class Paragraph(models.Model):
    """One paragraph of a text, as searched: its kind, its label as written and its text."""

    text = models.ForeignKey(Text, on_delete=models.CASCADE, related_name="paragraphs")
    index = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=ParagraphKind.choices)
    label = models.CharField(max_length=60, blank=True)
    content = models.TextField()

    class Meta:
        ordering = ["text", "index"]
        constraints = [
            models.UniqueConstraint(
                fields=["text", "index"], name="precedent_paragraph_index_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.text.symbol} {self.label or f'¶{self.index + 1}'}"
