"""Negotiations: a process, the documents it negotiates, and their revisions as circulated."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cbmhub.core.models import TimeStampedModel
from cbmhub.directory.models import Body, Organisation

from .choices import RevisionKind


class Negotiation(TimeStampedModel):
    """A negotiating process under an organisation: delegations of its member states working
    by consensus towards texts (a summit declaration, a plan of action), usually in one body
    such as a special working group."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="negotiations"
    )
    body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="negotiations",
        help_text=_("The body that negotiates, e.g. the Special Working Group."),
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "title"], name="negotiation_title_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.acronym}: {self.title}"


class Document(TimeStampedModel):
    """A text under negotiation (a draft statement, a concept paper) as the secretariat
    circulates it under a symbol such as SWG/OI/1262; its successive versions are revisions."""

    negotiation = models.ForeignKey(Negotiation, on_delete=models.PROTECT, related_name="documents")
    # Denormalised from the negotiation so that access filters need no join.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="negotiation_documents"
    )
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    symbol = models.CharField(
        max_length=80, help_text=_("The document symbol as circulated, e.g. SWG/OI/1262.")
    )
    title = models.CharField(max_length=300)
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en")

    class Meta:
        ordering = ["symbol", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "symbol"], name="document_symbol_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.symbol} {self.title}"


class Revision(models.Model):
    """One version of a document as circulated (Rev.3, the podium version ...). ``source_text``
    is exactly what was imported, decoded from UTF-8 and nothing else: every view, the analysis
    and the comparison are derived from it, and ``source_sha256`` (of the bytes received)
    proves it unchanged."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="revisions")
    kind = models.CharField(max_length=16, choices=RevisionKind.choices)
    number = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("The N of Rev.N; only for revisions.")
    )
    label = models.CharField(max_length=80, help_text=_('As written on the cover, e.g. "Rev.3".'))
    date = models.DateField(default=timezone.localdate)
    source_text = models.TextField()
    source_sha256 = models.CharField(max_length=64)
    source_name = models.CharField(max_length=255, blank=True, help_text=_("The file imported."))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when imported from the command line."),
    )
    imported_at = models.DateTimeField(default=timezone.now)
    # A cache of the analysis totals at import, for lists; the source text is the truth.
    totals = models.JSONField(default=dict, blank=True)
    # The analysis of the whole text as computed once (services.revision_analysis_store):
    # the JSON of docs/notation.md without its paragraphs (those are RevisionParagraph rows),
    # delegation codes not yet resolved (pages resolve them against the directory as it is
    # now), plus "format" and "pages". Empty until computed.
    analysis = models.JSONField(default=dict, blank=True)
    # The agreed-only text (clean.txt), made with the analysis: a download reads it, it does
    # not parse the source again.
    clean_text = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["date", "imported_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=RevisionKind.REV) & Q(number__isnull=False))
                | (~Q(kind=RevisionKind.REV) & Q(number__isnull=True)),
                name="revision_number_only_for_rev",
            ),
            models.UniqueConstraint(
                fields=["document", "number"],
                condition=Q(kind=RevisionKind.REV),
                name="revision_rev_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.symbol} {self.label}"


class RevisionParagraph(models.Model):
    """One paragraph of a revision as the analysis found it, kept so that a page or an API call
    reads the paragraphs it shows rather than parsing the whole text again. ``start`` and
    ``end`` are offsets (in characters) into the revision's source text; ``page_first`` and
    ``page_last`` are the pages of the revision view it appears on (a paragraph longer than
    a page spans several)."""

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="paragraphs")
    index = models.PositiveIntegerField()
    key = models.CharField(max_length=200)
    label = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=16)
    status = models.CharField(max_length=16)
    line = models.PositiveIntegerField()
    end_line = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    brackets = models.PositiveIntegerField(default=0)
    max_depth = models.PositiveIntegerField(default=0)
    struck = models.PositiveIntegerField(default=0)
    positions = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    # " CHN ISR " (each code once, between spaces): the delegation filter finds a code's
    # paragraphs with one LIKE on every database.
    codes = models.TextField(blank=True, default="")
    page_first = models.PositiveIntegerField()
    page_last = models.PositiveIntegerField()

    class Meta:
        ordering = ["revision", "index"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "index"], name="revision_paragraph_index_unique"
            )
        ]
        indexes = [
            # Rows of page N: the first ones (by index) with page_last >= N.
            models.Index(fields=["revision", "page_last", "index"], name="revision_paragraph_page"),
        ]

    def __str__(self) -> str:
        return f"{self.revision} {self.key}"


class RevisionVersion(models.Model):
    """A language version of a revision (the Russian text of Rev.3 ...), imported as text in
    the notation. ``alignment`` pairs its paragraphs with the revision's, in reading order:
    ``[{"left": i|null, "right": j|null, "score": s, "how": h}, ...]`` (``left``: the
    revision's paragraph, ``right``: this version's; null on one side: missing or extra),
    made by ``core.alignment`` at import and correctable by a person (``how`` = ``person``)."""

    revision = models.ForeignKey(
        Revision, on_delete=models.CASCADE, related_name="language_versions"
    )
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    source_text = models.TextField()
    source_sha256 = models.CharField(max_length=64)
    source_name = models.CharField(max_length=255, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    alignment = models.JSONField(default=list, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["revision", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "language"], name="revision_version_language_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.revision} [{self.language}]"
