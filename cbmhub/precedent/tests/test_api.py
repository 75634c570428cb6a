"""The API: search (closest and phrase), a paragraph; refusals and bad input."""

import pytest

from cbmhub.precedent.models import Text

from .test_views import ASEAN_OP1

URL = "/api/v1/precedent/search/"


@pytest.mark.django_db
def test_closest_search_returns_ranked_results_with_difference_and_source(api_for, alice, un_texts):
    response = api_for(alice).post(
        URL, {"q": "Decides to remain seized of the matter.", "limit": 3}, format="json"
    )
    assert response.status_code == 200
    data = response.json()
    assert 1 <= data["count"] <= 3
    first = data["results"][0]
    assert first["text"] == "Decides to remain actively seized of the matter."
    assert first["acknowledgement"] == "Source: United Nations"
    assert {"op": "delete", "text": "actively "} in first["diff"] or any(
        op["op"] == "delete" and "actively" in op["text"] for op in first["diff"]
    )
    assert first["score"] >= first["similarity"] > 0.8


@pytest.mark.django_db
def test_phrase_search_pages_through_every_result(api_for, sam, un_texts):
    everything = api_for(sam).post(URL, {"q": "Security Council", "phrase": True, "limit": 1000},
                                   format="json").json()  # fmt: skip
    assert everything["count"] == len(everything["results"]) > 2
    page = (
        api_for(sam)
        .post(
            URL, {"q": "Security Council", "phrase": True, "limit": 2, "offset": 1}, format="json"
        )
        .json()
    )
    assert [r["id"] for r in page["results"]] == [r["id"] for r in everything["results"][1:3]]
    dates = [r["date"] for r in everything["results"]]
    assert dates == sorted(dates)


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["alice", "carol", "sam"])
def test_the_api_never_shows_a_precedent_the_user_may_not_read(
    api_for, request, user, asean_adopted
):
    api = api_for(request.getfixturevalue(user))
    data = api.post(URL, {"q": ASEAN_OP1}, format="json").json()
    assert all(r["symbol"] != "ARF/ISM/7 Adopted text" for r in data["results"])
    phrase = api.post(URL, {"q": "submarine communication cables", "phrase": True}, format="json")
    assert phrase.json()["count"] == 0
    hidden = Text.objects.get(revision=asean_adopted).paragraphs.get()
    assert api.get(f"/api/v1/precedent/paragraphs/{hidden.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_reader_of_the_text_gets_it(api_for, bob, asean_adopted):
    data = api_for(bob).post(URL, {"q": ASEAN_OP1}, format="json").json()
    assert data["results"][0]["symbol"] == "ARF/ISM/7 Adopted text"
    found = api_for(bob).get(f"/api/v1/precedent/paragraphs/{data['results'][0]['id']}/")
    assert found.status_code == 200 and found.json()["label"] == "OP1."


@pytest.mark.django_db
def test_observers_and_anonymous_callers_are_refused(api_for, olga, un_texts):
    assert api_for(olga).post(URL, {"q": "matter"}, format="json").status_code == 403
    assert api_for().post(URL, {"q": "matter"}, format="json").status_code in (401, 403)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"q": ""}, 400, "empty"),
        ({"q": "word " * 3000}, 400, "too_long"),
        ({"q": "x" * 1_000_000}, 400, None),
        ({"q": "matter", "kind": "heading"}, 400, "invalid"),
        ({}, 400, "invalid"),
    ],
)
def test_bad_input_is_a_clear_400(api_for, alice, un_texts, body, status, code):
    response = api_for(alice).post(URL, body, format="json")
    assert response.status_code == status
    error = response.json()["error"]
    assert error["message"]
    if code:
        assert error["code"] == code


@pytest.mark.django_db
def test_an_unseen_script_is_an_empty_answer_with_a_note(api_for, alice, un_texts):
    data = api_for(alice).post(URL, {"q": "安全理事会决定继续积极处理此案"}, format="json").json()
    assert data["results"] == [] and "None of the query's words" in data["note"]
