"""The admin (read-only, scoped to the organisation) and the demo data."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cbmhub.conftest import make_user
from cbmhub.measures.models import Catalogue, CycleTally, Submission

from .conftest import submit


@pytest.fixture
def staff_sam(sam):
    sam.is_staff = True
    sam.save()
    return sam


def test_the_secretariat_reads_its_own_organisations_records(
    client_for, staff_sam, alice, state_a, cycle, measure, asean
):
    submit(alice, cycle, measure, state_a)
    other = Catalogue.objects.create(organisation=asean, code="asean-x", title="ASEAN catalogue")
    page = client_for(staff_sam).get("/admin/measures/catalogue/").content.decode()
    assert "cica-cbm" in page and other.code not in page
    assert client_for(staff_sam).get("/admin/measures/submission/").status_code == 200
    assert client_for(staff_sam).get("/admin/measures/catalogue/add/").status_code == 403


@pytest.mark.parametrize("who", ["alice", "olga"])
def test_others_have_no_measures_admin(client_for, request, who, catalogue):
    user = request.getfixturevalue(who)
    user.is_staff = True
    user.save()
    assert client_for(user).get("/admin/measures/catalogue/").status_code in (302, 403)


def test_operators_see_everything(client_for, root, catalogue):
    assert "cica-cbm" in client_for(root).get("/admin/measures/catalogue/").content.decode()


@pytest.mark.slow
def test_the_demo_loads_once(db):
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "measures demo: cica-demo-cbm" in out.getvalue()
    submissions = Submission.objects.filter(cycle__catalogue__code="cica-demo-cbm")
    assert submissions.count() == 6
    assert submissions.filter(kind="nil_return").count() == 1
    assert CycleTally.objects.filter(cycle__catalogue__code="cica-demo-cbm").exists()
    again = io.StringIO()
    call_command("demo", stdout=again)
    assert "measures demo: already loaded" in again.getvalue()
    assert submissions.count() == 6


def test_demo_users_are_not_needed(db):
    make_user("nobody")
    from cbmhub.measures import demo

    assert demo.load(stdout=None) == {}  # no directory demo data: skipped, nothing written
