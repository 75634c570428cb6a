"""The engine alone (no database): normalisation, exact phrase, closest precedent, filters,
bad queries."""

import pytest

from cbmhub.precedent.engine import MAX_QUERY_CHARS, Entry, Filters, Index, QueryError, normalise


def entry(key, text, *, date="2020-01-01", language="en", kind="operative", text_key=None):
    return Entry(key, text_key or key, text, language, int(date[:4]), date, "Council", kind)


INDEX = Index(
    [
        entry(1, "Calls upon all States to comply fully with the arms embargo;", date="2019-05-01"),
        entry(2, "Calls upon Member States to comply with the “arms embargo”;", date="2015-03-01"),
        entry(3, "Decides to remain actively seized of the matter.", date="2021-02-02"),
        entry(4, "Decides to remain actively seized of the matter.", date="2023-06-06"),
        entry(5, "постановляет продолжать активно заниматься этим вопросом.", language="ru"),
        entry(6, "Приветствуя ещё одно соглашение — о прекращении огня,", language="ru"),
        entry(7, "Recalling its previous resolutions on the matter,", kind="preamble"),
    ]
)


def test_normalisation_folds_case_yo_quotes_and_dashes_without_stemming():
    assert normalise("ЕЩЁ «Да» — Call") == "еще 'да' - call"
    assert [e.key for e in INDEX.phrase("еще одно соглашение - о прекращении")] == [6]
    # No stemming: "call" is not "calls".
    assert INDEX.phrase("call upon") == []


def test_phrase_finds_every_paragraph_oldest_first_across_quotes():
    assert [e.key for e in INDEX.phrase('"arms embargo"')] == [2, 1]
    assert [e.key for e in INDEX.phrase("actively seized")] == [3, 4]
    assert [e.key for e in INDEX.phrase("seized")] == [3, 4]


def test_phrase_respects_word_order_and_filters():
    assert INDEX.phrase("embargo arms") == []
    assert [e.key for e in INDEX.phrase("arms embargo", Filters(year_from=2016))] == [1]
    assert [e.key for e in INDEX.phrase("the matter", Filters(kinds=["preamble"]))] == [7]
    assert INDEX.phrase("arms embargo", Filters(text_keys=[3, 4])) == []


def test_closest_ranks_the_edited_paragraph_first_newest_on_ties():
    hits = INDEX.closest("Decides to remain seized of the matter.")
    assert hits[0].entry.key == 4 and hits[1].entry.key == 3
    assert 0.85 < hits[0].similarity < 1
    hits = INDEX.closest("Calls upon all States to comply fully with the embargo")
    assert hits[0].entry.key == 1


def test_closest_never_returns_what_the_filter_excludes():
    hits = INDEX.closest("Decides to remain actively seized of the matter.", Filters(text_keys=[3]))
    assert [h.entry.key for h in hits] == [3]
    hits = INDEX.closest(
        "Decides to remain actively seized of the matter.", Filters(exclude_text_keys=[3, 4])
    )
    assert all(h.entry.key not in (3, 4) for h in hits)
    assert INDEX.closest("постановляет продолжать", Filters(languages=["en"])) == []


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x" * (MAX_QUERY_CHARS + 1), "too_long"),
        ("— … !", "no_words"),
    ],
)
def test_bad_queries_are_refused_with_a_reason(query, code):
    with pytest.raises(QueryError) as caught:
        INDEX.closest(query)
    assert caught.value.code == code
    with pytest.raises(QueryError):
        INDEX.phrase(query)


def test_a_script_the_index_has_not_seen_finds_nothing_and_says_so():
    assert INDEX.closest("安全理事会决定继续积极处理此案") == []
    assert INDEX.unknown("安全理事会决定继续积极处理此案")
    assert not INDEX.unknown("matter")


def test_an_empty_index_answers():
    empty = Index([])
    assert empty.closest("anything at all") == []
    assert empty.phrase("anything") == []


def test_kazakh_words_are_whole_words():
    index = Index(
        [
            entry(1, "Азия Кеңесінің мүше мемлекеттері сенім шараларын қолдайды.", language="kk"),
            entry(2, "Мүше мемлекеттер ынтымақтастықты нығайтады.", language="kk"),
        ]
    )
    assert [e.key for e in index.phrase("МҮШЕ мемлекеттері")] == [1]
    assert index.closest("мүше мемлекеттер ынтымақтастықты нығайтады")[0].entry.key == 2


def test_coverage_is_counted_on_the_candidate_not_on_the_postings_read(monkeypatch):
    """A fragment wholly inside a long paragraph is its precedent, even when the postings of
    its common word pairs were not read (only the rarest pairs are)."""
    from cbmhub.precedent import engine

    monkeypatch.setattr(engine, "POSTINGS_BUDGET", 0)  # read only the MIN_PAIRS rarest pairs
    index = Index(
        [
            entry(
                1,
                "Directs the Committee to consider requests from States concerning "
                "implementation of the measures imposed in paragraph 1 above, and to respond",
                date="2019-01-01",
            ),
            entry(2, "To monitor implementation of the measures imposed in paragraph 1;"),
        ]
    )
    hits = index.closest("concerning implementation of the measures imposed in paragraph 1 above")
    assert hits[0].entry.key == 1 and hits[0].coverage == 1.0


def test_pairs_with_unseen_words_count_against_coverage():
    """Two words replaced by words the index has never seen: the query is not wholly inside a
    paragraph that merely holds its other pairs; the closer wording wins, not the newer."""
    index = Index(
        [
            entry(1, "Decides to remain actively seized of the matter.", date="2019-01-01"),
            entry(
                2, "Decides to remain seized of the matter in Haiti and Mali.", date="2023-01-01"
            ),
        ]
    )
    hits = index.closest("Decides to remain xqzt seized of the matter")
    assert hits[0].entry.key == 1 and hits[0].coverage < 1
