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
