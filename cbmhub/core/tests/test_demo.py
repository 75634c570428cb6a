"""`cbmhub demo` builds a usable world and is idempotent: a second run changes nothing."""

import pytest
from django.apps import apps
from django.core.management import call_command


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"directory", "accounts", "hotline", "negotiations"}
    }


@pytest.mark.django_db
def test_demo_twice_changes_nothing():
    call_command("demo", stdout=open("/dev/null", "w"))
    first = _row_counts()
    assert first["directory.State"] >= 20
    assert first["directory.PointOfContact"] >= 40
    assert first["accounts.User"] >= 5
    call_command("demo", stdout=open("/dev/null", "w"))
    assert _row_counts() == first


@pytest.mark.django_db
def test_demo_has_one_login_per_role():
    from cbmhub.accounts.choices import Role
    from cbmhub.accounts.models import User

    call_command("demo", stdout=open("/dev/null", "w"))
    roles = set(User.objects.values_list("role", flat=True))
    assert roles >= {Role.FOCAL_POINT, Role.POINT_OF_CONTACT, Role.SECRETARIAT, Role.OBSERVER}
    assert User.objects.filter(is_superuser=True).exists()
