"""Accounts: people who sign in to CBM Hub, each acting for one state or one secretariat."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from cbmhub.directory.validators import validate_time_zone

from .choices import STATE_ROLES, TWO_FACTOR_ROLES, Role


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
        from django.utils.translation import gettext

        from cbmhub.directory.names import state_name

        if self.is_superuser and self.role == Role.OBSERVER:
            return gettext("Operator")
        label = str(self.get_role_display())
        if self.state_id:
            return f"{label}, {state_name(self.state)}"
        return f"{label}, {self.organisation}" if self.organisation_id else label

    def point_of_contact_time_zone(self) -> str:
        """The time zone of the user's own active point-of-contact record, for a user who set
        none in the profile: times are then shown where the user actually works."""
        from cbmhub.directory.models import PointOfContact

        zones = (
            PointOfContact.objects.active()
            .filter(user=self)
            .exclude(time_zone="")
            .order_by("id")
            .values_list("time_zone", flat=True)
        )
        return zones.first() or ""
