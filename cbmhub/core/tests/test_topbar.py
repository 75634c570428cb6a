"""The top bar names what the user acts as, in the reader's language (issue 10, item 13)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _whoami(client) -> str:
    html = client.get("/").content.decode()
    return html.split('data-testid="whoami"', 1)[1].split("</a>", 1)[0]


def test_an_operator_is_not_labelled_observer(client_for, root):
    whoami = _whoami(client_for(root))
    assert "Operator" in whoami and "Observer" not in whoami


def test_the_state_is_named_in_the_readers_language(client_for, alice):
    client = client_for(alice)
    client.cookies["django_language"] = "ru"
    whoami = _whoami(client)
    assert "Казахстан" in whoami and "Kazakhstan" not in whoami
