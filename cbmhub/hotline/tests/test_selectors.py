import pytest
from django.http import Http404

from cbmhub.hotline import permissions, selectors


@pytest.fixture
def bilateral(world, link, send, anna):
    return send(anna, link).message


@pytest.mark.parametrize("who", ["alice", "anna", "bob", "bert"])
def test_bilateral_parties_read_everything(world, bilateral, who):
    access = selectors.access_message(world[who], bilateral.pk)
    assert access.message == bilateral and access.can_read_content


@pytest.mark.parametrize("who", ["carol", "olga"])
def test_third_state_and_outsider_do_not_see_it_exists(world, bilateral, who):
    assert not selectors.message_list(world[who]).exists()
    with pytest.raises(Http404):
        selectors.access_message(world[who], bilateral.pk)


@pytest.mark.parametrize("who", ["sam", "root"])
def test_secretariat_and_operator_see_metadata_never_the_body(world, bilateral, who):
    access = selectors.access_message(world[who], bilateral.pk)
    assert not access.can_read_content
    assert access.receipt is None and not access.can_acknowledge


def test_receipt_and_rights_of_the_recipient_state(world, bilateral, bert, anna):
    access = selectors.access_message(bert, bilateral.pk)
    assert access.receipt is not None
    assert access.receipt.state_id == bert.state_id and access.can_acknowledge
    sender = selectors.access_message(anna, bilateral.pk)
    assert sender.is_sender_state and sender.receipt is None and not sender.can_reply


def test_boxes(world, bilateral, anna, bert):
    assert list(selectors.message_list(bert, box="in")) == [bilateral]
    assert not selectors.message_list(bert, box="out").exists()
    assert list(selectors.message_list(anna, box="out")) == [bilateral]
    assert selectors.unacknowledged_count(bert) == 1 and selectors.unacknowledged_count(anna) == 0


def test_multilateral_is_visible_to_members_and_own_secretariat(world, network, send, anna):
    message = send(anna, network).message
    for who in ("carol", "bert", "sam"):
        assert selectors.access_message(world[who], message.pk).can_read_content
    with pytest.raises(Http404):
        selectors.access_message(world["olga"], message.pk)


def test_other_organisations_secretariat_sees_nothing(world, bilateral, sara):
    with pytest.raises(Http404):
        selectors.access_message(sara, bilateral.pk)


def test_channels_and_garbage_ids(world, link, carol, anna):
    assert selectors.access_channel(anna, link.pk) == link
    with pytest.raises(Http404):
        selectors.access_channel(carol, link.pk)
    with pytest.raises(Http404):
        selectors.access_message(anna, "1; drop table")
    assert permissions.channels_for_sending(anna) == [link]
    assert permissions.channels_for_sending(world["sam"]) == []


def test_message_list_query_count_is_flat(
    world, link, send, anna, bert, django_assert_max_num_queries
):
    for _ in range(5):
        send(anna, link)
    with django_assert_max_num_queries(4):
        for message in selectors.message_list(bert):
            [r.state.name for r in message.receipts.all()]


def test_checks_visible_to_secretariat_and_targeted_states(world, cica, sam, state_b):
    from cbmhub.hotline import services

    check = services.check_start(actor=sam, organisation=cica, states=[state_b])
    assert selectors.access_check(sam, check.pk) == check
    assert selectors.access_check(world["bert"], check.pk) == check
    assert len(selectors.check_targets(world["bert"], check)) == 2
    with pytest.raises(Http404):
        selectors.access_check(world["carol"], check.pk)
    pending = list(selectors.pending_check_targets(world["bert"]))
    assert [t.point_of_contact.user for t in pending] == [world["bert"]]
    assert pending[0].communication_check == check
    services.check_answer(actor=world["bert"], communication_check=check)
    assert not selectors.pending_check_targets(world["bert"]).exists()


def test_check_history_query_count_does_not_grow_with_checks(world, cica, sam):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cbmhub.hotline import services

    def queries() -> tuple[int, list]:
        with CaptureQueriesContext(connection) as captured:
            history = selectors.check_history(cica)
        return len(captured), history

    services.check_start(actor=sam, organisation=cica)
    one, _ = queries()
    for _ in range(3):
        services.check_start(actor=sam, organisation=cica)
    four, history = queries()
    assert one == four
    assert len(history) == 4 and all(overall["targets"] > 0 for _, overall in history)


def test_inbox_audience_of_a_secretariat_officer_who_is_also_superuser(sam, root, olga, anna):
    """Such a user reads their organisation's multilateral messages in full, so the inbox must
    not tell them they see metadata only, as it tells the platform operator."""
    from cbmhub.hotline import permissions

    sam.is_superuser = True
    assert permissions.inbox_audience(sam) == "secretariat"
    assert permissions.inbox_audience(root) == "operator"
    assert permissions.inbox_audience(olga) == "observer"
    assert permissions.inbox_audience(anna) == "state"
