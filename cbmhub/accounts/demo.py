"""Demo logins, one per role. Idempotent; passwords are reset to the demo password each run."""

from __future__ import annotations

from django.db import transaction

from cbmhub.directory.models import Organisation, PointOfContact, State

from .choices import Role
from .models import User

DEMO_PASSWORD = "demo-cbmhub-2026"

# username, role, state iso3 / organisation acronym, level of the POC record it signs in for
DEMO_USERS: list[tuple[str, str, str, str, str]] = [
    ("secretariat", Role.SECRETARIAT, "", "CICA", "CICA Secretariat officer"),
    ("kaz-focal", Role.FOCAL_POINT, "KAZ", "", "diplomatic"),
    ("kaz-cert", Role.POINT_OF_CONTACT, "KAZ", "", "technical"),
    ("kaz-high", Role.POINT_OF_CONTACT, "KAZ", "", "high_level"),
    ("mng-focal", Role.FOCAL_POINT, "MNG", "", "diplomatic"),
    ("mng-cert", Role.POINT_OF_CONTACT, "MNG", "", "technical"),
    ("tha-cert", Role.POINT_OF_CONTACT, "THA", "", "technical"),
    ("rus-focal", Role.FOCAL_POINT, "RUS", "", "diplomatic"),
    ("usa-focal", Role.FOCAL_POINT, "USA", "", "diplomatic"),
    ("observer", Role.OBSERVER, "", "", ""),
]


@transaction.atomic
def load(*, stdout=None) -> list[tuple[str, str]]:
    logins = []
    for username, role, iso3, acronym, level in DEMO_USERS:
        state = State.objects.filter(iso3=iso3).first() if iso3 else None
        organisation = Organisation.objects.filter(acronym=acronym).first() if acronym else None
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "state": state,
                "organisation": organisation,
                "email": f"{username}@demo.invalid",
                "time_zone": "Asia/Almaty" if iso3 in ("KAZ", "") else "",
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        if state is not None and level:
            poc = (
                PointOfContact.objects.filter(state=state, level=level, user__isnull=True)
                .order_by("id")
                .first()
            )
            if poc is not None and not PointOfContact.objects.filter(user=user).exists():
                poc.user = user
                poc.save(update_fields=["user"])
        logins.append((username, str(user.role_label)))
    admin, _ = User.objects.get_or_create(
        username="admin",
        defaults={"is_superuser": True, "is_staff": True, "email": "admin@demo.invalid"},
    )
    admin.set_password(DEMO_PASSWORD)
    admin.save(update_fields=["password"])
    logins.append(("admin", "Platform operator (superuser)"))
    return logins
