"""The migration that revokes rest_framework.authtoken's clear-text tokens."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.db import connection

from cbmhub.directory.models import ChangeRecord

migration = importlib.import_module("cbmhub.accounts.migrations.0004_revoke_drf_tokens")


class _Editor:
    connection = connection


def test_old_keys_are_deleted_and_each_owner_has_a_record(alice, bob, anna):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp "
            "with time zone, user_id bigint)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created datetime, "
            "user_id bigint)"
        )
        for key, user in (("a" * 40, alice), ("b" * 40, bob)):
            cursor.execute(
                "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
                [key, "2026-01-01 00:00:00+00:00", user.pk],
            )
    migration.revoke_drf_tokens(apps, _Editor())

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    records = ChangeRecord.objects.filter(model="user")
    assert sorted(records.values_list("object_id", flat=True)) == sorted([alice.pk, bob.pk])
    record = records.get(object_id=alice.pk)
    assert record.changes == {"api_token": ["legacy token", "revoked: legacy_plaintext"]}
    assert record.state == alice.state and record.actor is None


def test_a_database_without_the_old_table_is_left_alone(db):
    migration.revoke_drf_tokens(apps, _Editor())
    assert not ChangeRecord.objects.exists()
