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
        scope = self.state or self.organisation
        label = str(self.get_role_display())
        return f"{label}, {scope}" if scope else label
