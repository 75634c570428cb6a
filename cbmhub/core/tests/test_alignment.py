"""core/alignment.py: the paragraph aligner of language versions (pure, no database)."""

import random

from cbmhub.core.alignment import AlignedPair, AlignItem, align, label_key, similarity

EN = [
    AlignItem("preamble", "", "Recalling its resolutions 2231 (2015) and 2402 (2018),"),
    AlignItem("preamble", "", "Expressing concern at the situation in the region,"),
    AlignItem(
        "preamble",
        "",
        "Welcoming the report of the Secretary-General of 10 June 2024 (S/2024/451),",
    ),
    AlignItem("operative", "1.", "Decides to extend the mandate until 15 March 2025;"),
    AlignItem("operative", "2.", "Requests the Secretary-General to report every 90 days;"),
    AlignItem("operative", "3.", "Decides to remain seized of the matter."),
]
RU = [
    AlignItem("preamble", "", "ссылаясь на свои резолюции 2231 (2015) и 2402 (2018),"),
    AlignItem("preamble", "", "выражая обеспокоенность положением в регионе,"),
    AlignItem(
        "preamble",
        "",
        "приветствуя доклад Генерального секретаря от 10 июня 2024 года (S/2024/451),",
    ),
    AlignItem("operative", "1.", "постановляет продлить мандат до 15 марта 2025 года;"),
    AlignItem(
        "operative", "2.", "просит Генерального секретаря представлять доклады каждые 90 дней;"
    ),
    AlignItem("operative", "3.", "постановляет продолжать заниматься этим вопросом."),
]


def pairs_of(result: list[AlignedPair]) -> list[tuple[int | None, int | None]]:
    return [(pair.left, pair.right) for pair in result]


def test_parallel_versions_pair_one_to_one_by_structure_and_order():
    result = align(EN, RU)
    assert pairs_of(result) == [(i, i) for i in range(6)]
    assert [pair.how for pair in result] == ["order"] * 3 + ["structure"] * 3
    assert all(0.5 < pair.score <= 1 for pair in result)


def test_a_paragraph_missing_on_the_right_is_flagged_and_the_rest_stays_paired():
    right = RU[:1] + RU[2:]
    result = align(EN, right)
    assert pairs_of(result) == [(0, 0), (1, None), (2, 1), (3, 2), (4, 3), (5, 4)]
    assert result[1].how == "left-only"


def test_an_extra_paragraph_on_the_right_is_flagged():
    extra = AlignItem("operative", "4.", "постановляет рассмотреть вопрос 1 января 2026 года;")
    result = align(EN, [*RU, extra])
    assert result[-1] == AlignedPair(None, 6, 0.0, "right-only")
    assert pairs_of(result)[:6] == [(i, i) for i in range(6)]


def test_numbers_in_the_text_find_the_gap_when_order_alone_cannot():
    # Preamble paragraphs have no labels: the numbers decide which one is missing.
    left = [
        AlignItem("preamble", "", "Recalling resolution 1540 (2004) on weapons,"),
        AlignItem("preamble", "", "Recalling resolution 1977 (2011) on weapons,"),
        AlignItem("preamble", "", "Recalling resolution 2325 (2016) on weapons,"),
    ]
    right = [
        AlignItem("preamble", "", "ссылаясь на резолюцию 1540 (2004) об оружии,"),
        AlignItem("preamble", "", "ссылаясь на резолюцию 2325 (2016) об оружии,"),
    ]
    assert pairs_of(align(left, right)) == [(0, 0), (1, None), (2, 1)]


def test_labels_are_compared_across_alphabets_and_ids_are_never_used():
    assert label_key("(b)") == label_key("б)") == "a:2"
    assert label_key("1.") == label_key("1") == "n:1"
    assert label_key("(iv)") == "r:4"
    assert label_key("") == ""
    assert label_key("...") == ""


def test_numbers_survive_thousands_separators_of_both_languages():
    left = AlignItem("text", "", "Up to 1,000 observers")
    right = AlignItem("text", "", "до 1 000 наблюдателей")
    other = AlignItem("text", "", "до 2 000 наблюдателей")
    assert similarity(left, right) > similarity(left, other)


def test_different_kinds_pair_only_on_strong_content():
    left = AlignItem("preamble", "", "Text of some length here, 2020")
    right = AlignItem("operative", "1.", "Text of some length here, 2020")
    assert similarity(left, right) < similarity(left, AlignItem("preamble", "", right.text))


def test_empty_sides():
    assert align([], []) == []
    assert align(EN[:2], []) == [
        AlignedPair(0, None, 0.0, "left-only"),
        AlignedPair(1, None, 0.0, "left-only"),
    ]
    assert align([], RU[:1]) == [AlignedPair(None, 0, 0.0, "right-only")]


def test_every_paragraph_appears_once_in_order_on_random_long_versions():
    rng = random.Random(7)
    left = [
        AlignItem("operative", f"{i + 1}.", f"Paragraph {i} " + "word " * rng.randint(3, 60))
        for i in range(2000)
    ]
    right = [item for item in left if rng.random() > 0.05]
    right += [AlignItem("operative", "", "extra " * 5) for _ in range(3)]
    result = align(left, right)
    lefts = [pair.left for pair in result if pair.left is not None]
    rights = [pair.right for pair in result if pair.right is not None]
    assert lefts == list(range(len(left)))
    assert rights == list(range(len(right)))
    # Every kept paragraph is paired with itself (same label, same numbers, same length).
    kept = {id(item): j for j, item in enumerate(right)}
    for pair in result:
        if pair.left is not None and id(left[pair.left]) in kept:
            assert pair.right == kept[id(left[pair.left])]
