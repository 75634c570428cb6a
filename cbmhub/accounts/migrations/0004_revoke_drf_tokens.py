"""Revoke the API tokens of rest_framework.authtoken, which this release no longer uses.

They cannot be carried over: their keys were stored in clear and every operator could read
them in the admin (``/admin/authtoken/tokenproxy/``), so each must be taken as known to
someone other than its owner; and some were issued to accounts that had no second factor.
Hashing them would keep such keys working. Each revocation is written into the owner's
history, and the keys are deleted from the old table (the table itself stays, empty, so
that Django's record of the authtoken migrations stays true). Owners issue new tokens on
their profile page.
"""

from django.db import migrations

OLD_TABLE = "authtoken_token"


def revoke_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return  # a database created after authtoken was removed
    User = apps.get_model("accounts", "User")
    ChangeRecord = apps.get_model("directory", "ChangeRecord")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT user_id FROM {OLD_TABLE}")  # noqa: S608 (constant)
        owners = [row[0] for row in cursor.fetchall()]
    ChangeRecord.objects.bulk_create(
        ChangeRecord(
            actor=None,
            action="update",
            model="user",
            object_id=user.pk,
            object_repr=user.username[:255],
            changes={"api_token": ["legacy token", "revoked: legacy_plaintext"]},
            state_id=user.state_id,
            organisation_id=user.organisation_id,
        )
        for user in User.objects.filter(pk__in=owners).iterator()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {OLD_TABLE}")  # noqa: S608 (constant)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_api_tokens_and_password_date"),
        ("directory", "0001_directory"),
    ]

    operations = [migrations.RunPython(revoke_drf_tokens, migrations.RunPython.noop)]
