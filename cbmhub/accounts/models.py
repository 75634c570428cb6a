"""Accounts: people who sign in to CBM Hub, each acting for one state or one secretariat."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from cbmhub.directory.models import PointOfContact
from cbmhub.directory.names import state_name
from cbmhub.directory.validators import validate_time_zone

from .choices import STATE_ROLES, TWO_FACTOR_ROLES, Role, TokenRevocation


class User(AbstractUser):
    """A person with a login. A focal point or point of contact acts for exactly one state;
    a secretariat officer for exactly one organisation's secretariat; an observer for neither.
    Superusers are platform operators and are not a role."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.OBSERVER)
    state = models.ForeignKey(
        "directory.State", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="secretariat_users",
    )
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    # Set by set_password(); part of credential_stamp, so that a new password by any path
    # (reset, change, admin, `cbmhub changepassword`) ends the API tokens issued before it.
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="user_role_scope",
                condition=(
                    Q(
                        role__in=sorted(r.value for r in STATE_ROLES),
                        state__isnull=False,
                        organisation__isnull=True,
                    )
                    | Q(role=Role.SECRETARIAT, organisation__isnull=False, state__isnull=True)
                    | Q(role=Role.OBSERVER, state__isnull=True, organisation__isnull=True)
                ),
            ),
        ]

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        # Django's silent rehash on login (a stronger hasher after an upgrade) also calls
        # set_password() but saves only the ``password`` field, so it changes no stamp.
        self.password_changed_at = timezone.now()

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self.password_changed_at = timezone.now()

    @property
    def credential_stamp(self) -> str:
        """A digest of what an API token's rights rest on: the password's date and who the
        account acts for. A token carries the stamp of its issue and works only while it
        matches (``accounts.authentication``)."""
        parts = [
            self.password_changed_at.isoformat() if self.password_changed_at else "",
            str(self.role),
            str(self.state_id or ""),
            str(self.organisation_id or ""),
            str(self.is_superuser),
            str(self.is_staff),
            str(self.is_active),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    @property
    def is_state_user(self) -> bool:
        return self.role in STATE_ROLES

    @property
    def is_focal_point(self) -> bool:
        return self.role == Role.FOCAL_POINT

    @property
    def is_secretariat(self) -> bool:
        return self.role == Role.SECRETARIAT

    @property
    def needs_two_factor(self) -> bool:
        return self.role in TWO_FACTOR_ROLES or self.is_superuser

    @property
    def role_label(self) -> str:
        """What the top bar says the user acts as, in the reader's language: the role and the
        state (its name in that language) or the organisation; "Operator" for a superuser
        without a role's scope (not the default role, Observer)."""
        if self.is_superuser and self.role == Role.OBSERVER:
            return gettext("Operator")
        label = str(self.get_role_display())
        if self.state_id:
            return f"{label}, {state_name(self.state)}"
        return f"{label}, {self.organisation}" if self.organisation_id else label

    def point_of_contact_time_zone(self) -> str:
        """The time zone of the user's own active point-of-contact record, for a user who set
        none in the profile: times are then shown where the user actually works."""
        zones = (
            PointOfContact.objects.active()
            .filter(user=self)
            .exclude(time_zone="")
            .order_by("id")
            .values_list("time_zone", flat=True)
        )
        return zones.first() or ""


class ApiToken(models.Model):
    """A key that lets a program call the API as one person, with that person's rights.

    Only a SHA-256 digest of the key is stored, so neither the database nor the admin can give
    a key back: it is shown once, when it is issued. ``prefix`` is the public part of the key,
    used to find the row and to name the token on the profile page and in the history.
    A revoked token is kept (with when and why) rather than deleted, for the audit trail.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=64)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    credential_stamp = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_reason = models.CharField(
        max_length=24, choices=TokenRevocation.choices, blank=True, editable=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="api_token_name_unique_while_active",
            ),
            models.CheckConstraint(name="api_token_named", condition=~Q(name="")),
            models.CheckConstraint(
                name="api_token_revoked_with_reason",
                condition=Q(revoked_at__isnull=True, revoked_reason="")
                | Q(revoked_at__isnull=False) & ~Q(revoked_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
