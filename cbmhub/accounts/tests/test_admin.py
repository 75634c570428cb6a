from __future__ import annotations


def test_user_admin_lists_and_edits_role_scope(client_for, root, alice):
    client = client_for(root)
    response = client.get("/admin/accounts/user/?role__exact=focal_point")
    assert response.status_code == 200
    assert "alice" in response.content.decode()
    response = client.get(f"/admin/accounts/user/{alice.pk}/change/")
    assert response.status_code == 200
    assert 'name="role"' in response.content.decode()
    assert 'name="state"' in response.content.decode()


def test_user_admin_is_refused_to_non_staff(client_for, sam):
    assert client_for(sam).get("/admin/accounts/user/").status_code == 302


def test_moving_an_account_to_another_state_is_in_the_history(client_for, root, alice, state_b):
    """Moving alice to state B would give her B's traffic: the change must leave a record."""
    from cbmhub.directory.models import ChangeRecord

    client = client_for(root)
    page = client.get(f"/admin/accounts/user/{alice.pk}/change/")
    form = page.context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and not isinstance(value, (list, tuple))
    }
    data.update(
        username="alice",
        role="focal_point",
        state=state_b.pk,
        organisation="",
        date_joined_0=alice.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=alice.date_joined.strftime("%H:%M:%S"),
        is_active="on",
    )
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(f"/admin/accounts/user/{alice.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    alice.refresh_from_db()
    assert alice.state == state_b
    record = ChangeRecord.objects.get(model="user", object_id=alice.pk)
    assert record.actor == root
    assert record.changes == {"state": ["Kazakhstan", "Mongolia"]}
    assert record.state == state_b


def test_secretariat_staff_cannot_open_the_user_admin(client_for, sam):
    sam.is_staff = True
    sam.save(update_fields=["is_staff"])
    assert client_for(sam).get("/admin/accounts/user/").status_code == 403
