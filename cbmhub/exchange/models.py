"""The exchange: CERT-to-CERT sharing arrangements between states, their TAXII collections, the
STIX 2.1 objects shared in them (kept verbatim, with the fields a query needs indexed), the
status of each push, and subscriptions to other TAXII servers."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from cbmhub.core.models import TimeStampedModel

from . import choices


class Arrangement(TimeStampedModel):
    """A named information-sharing arrangement between national CERTs: bilateral (two states'
    CERTs, as in the 2013 US–Russia statement) or an organisation's CERT network (an ASEAN or
    CICA network). Its participants and their rights are ``Participant`` rows; ``red_recipients``
    are the people named to receive TLP:RED; the organisation's secretariat administers it."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=choices.ArrangementKind.choices)
    organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchange_arrangements",
        help_text="Network: whose CERTs form the community. Bilateral: the framework, if any.",
    )
    description = models.TextField(blank=True)
    red_recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="exchange_red_arrangements"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="bilateral") | Q(organisation__isnull=False),
                name="exchange_network_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    """A state taking part in an arrangement, with its rights: read the collections, write to
    them. The state's technical-level points of contact act for its CERT."""

    arrangement = models.ForeignKey(
        Arrangement, on_delete=models.CASCADE, related_name="participants"
    )
    state = models.ForeignKey(
        "directory.State", on_delete=models.PROTECT, related_name="exchange_participations"
    )
    can_read = models.BooleanField(default=True)
    can_write = models.BooleanField(default=True)

    class Meta:
        ordering = ["arrangement", "state__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "state"], name="exchange_participant_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.arrangement}: {self.state}"


class Collection(TimeStampedModel):
    """A TAXII 2.1 collection of an arrangement: where its CERTs push and pull STIX objects.
    ``default_tlp`` marks an object that arrives without a TLP marking. ``last_added`` is the
    date added of its newest object: each new one is later, so cursors over it are stable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    arrangement = models.ForeignKey(
        Arrangement, on_delete=models.CASCADE, related_name="collections"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    default_tlp = models.CharField(
        max_length=16, choices=choices.Tlp.choices, default=choices.Tlp.AMBER
    )
    last_added = models.DateTimeField(null=True, blank=True, editable=False)
    is_exercise = models.BooleanField(
        default=False,
        help_text="An exercise collection: seen only by its exercise states, never counted.",
    )
    exercise_states = models.ManyToManyField(
        "directory.State",
        blank=True,
        related_name="exchange_exercise_collections",
        help_text="Exercise collection: the states that play (the only ones who see it).",
    )

    class Meta:
        ordering = ["arrangement__name", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "title"], name="exchange_collection_unique_title"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.arrangement}: {self.title}"


class StixObject(models.Model):
    """One version of a STIX 2.1 object in a collection. ``raw`` is the object's JSON as
    received (TLP refs normalised to TLP 2.0, the collection's default added when none), served
    as is; the other fields are copies of it for queries. A version is (id, ``version``): its
    ``modified``, else its ``created``, else empty; the same version twice is stored once."""

    collection = models.ForeignKey(
        Collection, on_delete=models.CASCADE, related_name="stix_objects"
    )
    stix_id = models.CharField(max_length=300)
    type = models.CharField(max_length=250)
    spec_version = models.CharField(max_length=8, default="2.1")
    created = models.CharField(max_length=40, blank=True)
    modified = models.CharField(max_length=40, blank=True)
    version = models.CharField(max_length=40, blank=True)
    date_added = models.DateTimeField()
    created_by_ref = models.CharField(max_length=300, blank=True)
    markings = models.TextField(blank=True, help_text="object_marking_refs, space-separated.")
    tlp = models.CharField(max_length=16, choices=choices.Tlp.choices)
    tlp_rank = models.PositiveSmallIntegerField()
    granular_rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The strictest granular TLP marking, if any."
    )
    is_latest = models.BooleanField(default=True)
    name = models.CharField(max_length=300, blank=True)
    raw = models.TextField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_state = models.ForeignKey(
        "directory.State", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["date_added", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "stix_id", "version"], name="exchange_object_unique_version"
            ),
        ]
        indexes = [
            models.Index(fields=["collection", "date_added", "id"], name="exchange_obj_cursor"),
            models.Index(fields=["collection", "type", "date_added"], name="exchange_obj_type"),
            models.Index(fields=["collection", "stix_id"], name="exchange_obj_id"),
        ]

    def __str__(self) -> str:
        return f"{self.stix_id} @ {self.version}"


class Status(models.Model):
    """The TAXII status resource of one POST of an envelope: how many objects, which were
    stored and which refused (each with its id and the reason)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="statuses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    request_timestamp = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=16, choices=choices.StatusState.choices, default=choices.StatusState.COMPLETE
    )
    total_count = models.PositiveIntegerField(default=0)
    successes = models.JSONField(default=list)
    failures = models.JSONField(default=list)

    class Meta:
        verbose_name_plural = "statuses"

    def __str__(self) -> str:
        return str(self.id)


class HotlineReference(models.Model):
    """A hotline message's reference to shared objects: the receiving state opens them from the
    message, each subject to its TLP. Kept here because the hotline does not know the exchange."""

    message = models.ForeignKey(
        "hotline.Message", on_delete=models.CASCADE, related_name="exchange_references"
    )
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="+")
    stix_id = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "collection", "stix_id"], name="exchange_reference_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.stix_id


class Subscription(TimeStampedModel):
    """A remote TAXII 2.1 collection (another national CERT's server, a MISP feed pushed to a
    TAXII server) pulled into one of our collections by the worker. ``added_after`` and
    ``next_token`` are where the last pull stopped, saved after each page, so a crash resumes
    there; the error of the last failed pull is kept until a pull succeeds."""

    name = models.CharField(max_length=200)
    collection = models.ForeignKey(
        Collection, on_delete=models.CASCADE, related_name="subscriptions"
    )
    url = models.URLField(max_length=500, help_text="The remote collection's URL.")
    username = models.CharField(max_length=150, blank=True)
    password = models.CharField(max_length=300, blank=True)
    interval_seconds = models.PositiveIntegerField(default=3600)
    is_active = models.BooleanField(default=True)
    added_after = models.CharField(max_length=40, blank=True)
    next_token = models.CharField(max_length=500, blank=True)
    state = models.CharField(
        max_length=16,
        choices=choices.SubscriptionState.choices,
        default=choices.SubscriptionState.NEW,
    )
    last_error = models.TextField(blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    objects_pulled = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
