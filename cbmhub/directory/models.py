"""The directory: who is who in confidence-building — organisations, their bodies, states,
memberships, and the points of contact that states designate, with a history of every change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from cbmhub.core.codes import normalise_code
from cbmhub.core.models import TimeStampedModel

from . import choices, validators


class StorableText:
    """Refuses a NUL character in any text field, in ``full_clean``, so that the forms, the API,
    the import and the admin all give the same clear error (PostgreSQL cannot store one)."""

    def clean_fields(self, exclude: Any = None) -> None:
        errors: dict[str, list[ValidationError]] = {}
        try:
            # A mixin: the Model after it in the MRO has clean_fields; mypy sees only object.
            super().clean_fields(exclude=exclude)  # type: ignore[misc]  # see above
        except ValidationError as exc:
            errors = exc.error_dict
        for name, found in validators.nul_character_errors(self).items():
            if not exclude or name not in exclude:
                errors.setdefault(name, []).extend(found)
        if errors:
            raise ValidationError(errors)


class Organisation(StorableText, TimeStampedModel):
    """An organisation, forum or arrangement under which states agree and run CBMs.

    A regional organisation (CICA, ASEAN, OSCE), a forum (ARF), the UN, or a bilateral
    arrangement such as the 2013 US–Russia ICT arrangement, whose parties are its members.
    """

    acronym = models.CharField(max_length=32, unique=True, validators=[validators.validate_acronym])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=choices.OrganisationKind.choices)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    headquarters = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["acronym"]
        constraints = [
            # Two organisations with one name (in any case) could not be told apart in the
            # directory or in the hotline's check e-mails.
            models.UniqueConstraint(
                Lower("name"),
                name="organisation_unique_name",
                violation_error_message=_("Another organisation already has this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.acronym


class Body(StorableText, TimeStampedModel):
    """An organ of an organisation in which states meet: the Summit, a Council of Ministers,
    the Senior Officials Committee, a Special Working Group, a working or expert group."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="bodies")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="The body this one reports to (a working group to the SOC).",
    )
    name = models.CharField(max_length=200)
    acronym = models.CharField(max_length=32, blank=True)
    kind = models.CharField(max_length=32, choices=choices.BodyKind.choices)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["organisation__acronym", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="body_unique_name"),
        ]
        verbose_name_plural = "bodies"

    def __str__(self) -> str:
        return f"{self.organisation.acronym} {self.acronym or self.name}"


class State(StorableText, TimeStampedModel):
    """A sovereign state (or a participant such as Palestine) that takes part in CBMs.

    Identified by its ISO 3166-1 codes; negotiation texts name it by delegation codes
    (CHN, IRAN, PAL, РФ), kept as aliases so any module can resolve them.
    """

    name = models.CharField(max_length=120, unique=True)
    official_name = models.CharField(max_length=200, blank=True)
    iso2 = models.CharField("ISO 3166-1 alpha-2", max_length=2, unique=True)
    iso3 = models.CharField("ISO 3166-1 alpha-3", max_length=3, unique=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(iso2__regex=r"^[A-Z]{2}$"), name="state_iso2_upper_alpha"
            ),
            models.CheckConstraint(
                condition=Q(iso3__regex=r"^[A-Z]{3}$"), name="state_iso3_upper_alpha"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StateAlias(StorableText, models.Model):
    """A code or name by which a delegation is written in negotiation texts (IRAN, PAL, BANGL,
    РФ). Stored normalised (see core.codes.normalise_code); unique across all states."""

    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="aliases")
    code = models.CharField(max_length=40, unique=True)
    note = models.CharField(max_length=120, blank=True, help_text="Where the code is used.")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "state aliases"

    def __str__(self) -> str:
        return f"{self.code} → {self.state.name}"

    def clean(self) -> None:
        self.code = normalise_code(self.code)


class Membership(StorableText, TimeStampedModel):
    """A state's standing in an organisation over a period: member, observer, dialogue partner,
    chair, or party to a bilateral arrangement."""

    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    status = models.CharField(max_length=20, choices=choices.MembershipStatus.choices)
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__acronym", "state__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "organisation", "status"], name="membership_unique_status"
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True)
                | Q(since__isnull=True)
                | Q(until__gte=models.F("since")),
                name="membership_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state} — {self.organisation} ({self.status})"


class PointOfContactQuerySet(models.QuerySet):
    def active(self) -> PointOfContactQuerySet:
        return self.filter(is_active=True)


class PointOfContact(StorableText, TimeStampedModel):
    """A person or office that a state designates to receive and answer communications at one
    level — technical (national CERT/CSIRT), diplomatic/policy (foreign ministry, risk-reduction
    centre) or high-level — for one organisation, or for all when no organisation is set."""

    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="points_of_contact")
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_of_contact",
        help_text="Empty: for every organisation.",
    )
    level = models.CharField(max_length=16, choices=choices.Level.choices)
    office = models.CharField(max_length=200, help_text="Ministry, agency or CERT.")
    function = models.CharField(max_length=200, blank=True, help_text="Position or role.")
    person_name = models.CharField(max_length=200, blank=True)
    languages = models.CharField(
        max_length=100,
        blank=True,
        validators=[validators.validate_languages],
        help_text="ISO 639 codes, comma-separated (en,ru).",
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validators.validate_time_zone]
    )
    available_24_7 = models.BooleanField("available 24/7", default=False)
    pgp_fingerprint = models.CharField(
        "OpenPGP fingerprint",
        max_length=64,
        blank=True,
        validators=[validators.validate_fingerprint],
    )
    last_verified = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="point_of_contact",
        help_text="The account this point of contact signs in with, if any.",
    )

    objects = PointOfContactQuerySet.as_manager()

    class Meta:
        ordering = ["state__name", "level", "office"]
        verbose_name = "point of contact"
        verbose_name_plural = "points of contact"
        indexes = [models.Index(fields=["state", "level"], name="poc_state_level")]

    def __str__(self) -> str:
        who = self.person_name or self.function or self.office
        # The level's label (as get_level_display), without rebuilding the choices each time:
        # an import names thousands of records in the history.
        level = (
            choices.Level(self.level).label if self.level in choices.Level.values else self.level
        )
        return f"{self.state.iso3} {level}: {who}"

    def clean(self) -> None:
        self.pgp_fingerprint = validators.normalise_fingerprint(self.pgp_fingerprint)
        self.languages = validators.normalise_languages(self.languages)

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def primary_email(self) -> str:
        channels = list(self.channels.all())
        for kind in (choices.ChannelKind.EMAIL, choices.ChannelKind.SECURE_EMAIL):
            for channel in sorted(channels, key=lambda c: not c.is_primary):
                if channel.kind == kind:
                    return channel.value
        return ""


class ContactChannel(StorableText, models.Model):
    """One way to reach a point of contact: an e-mail address, a phone number, a secure line."""

    point_of_contact = models.ForeignKey(
        PointOfContact, on_delete=models.CASCADE, related_name="channels"
    )
    kind = models.CharField(max_length=16, choices=choices.ChannelKind.choices)
    value = models.CharField(max_length=255)
    is_primary = models.BooleanField(default=False)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-is_primary", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["point_of_contact", "kind", "value"], name="channel_unique_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self) -> None:
        # Checked against its kind, because the hotline e-mails an e-mail channel and a page
        # links it as mailto: (an invalid value would be sent or shown as if it worked).
        if self.kind and self.value:
            try:
                validators.validate_channel_value(self.kind, self.value)
            except ValidationError as exc:
                raise ValidationError({"value": exc.messages}) from None


class ChangeRecord(models.Model):
    """One change to a directory record: who made it, when, and each field's old and new value.

    Written by the services in the same transaction as the change itself, so the history is
    complete: there is no way to change the directory through CBM Hub without leaving one.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(max_length=8, choices=choices.ChangeAction.choices)
    model = models.CharField(max_length=40, help_text="e.g. pointofcontact")
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=255)
    changes = models.JSONField(default=dict, help_text="{field: [old, new]}")
    # Denormalised scope, so a state's or an organisation's history is one indexed query.
    state = models.ForeignKey(
        State, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id"], name="change_target")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


# Every column of a history entry but its id, in the order declared: what the admin shows
# (read-only) and what a directory import writes in bulk.
CHANGE_RECORD_FIELDS: tuple[str, ...] = tuple(
    field.name for field in ChangeRecord._meta.concrete_fields if not field.primary_key
)


__all__ = [
    "CHANGE_RECORD_FIELDS",
    "Body",
    "ChangeRecord",
    "ContactChannel",
    "Membership",
    "Organisation",
    "PointOfContact",
    "State",
    "StateAlias",
]
