"""Quotation metrics: hand-computed cases."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propos.metrics import quote_scores
from propos.metrics.quotes import _overlapping, match_quotes

TEXT = "« Il n’y avait aucune animosité », a-t-il dit lors d’une conférence de presse."


def span(text: str, occurrence: int = 0) -> dict:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(text, start + 1)
    return {"start": start, "end": start + len(text), "text": text}


def quote(id_: str, content: dict, speaker: str | None = "E-poutine", **extra: object) -> dict:
    return {
        "id": id_,
        "content": content,
        "kind": extra.pop("kind", "direct"),
        "cue": extra.pop("cue", span("dit")),
        "speaker": None,
        "speaker_entity_id": speaker,
        "utterance_id": "U-x",
        **extra,
    }


def scores(gold: list, pred: list) -> dict:
    return quote_scores({"d": {"quotes": gold}}, {"d": {"quotes": pred}})


def test_token_overlap_uses_content_tokens() -> None:
    # gold tokens: Il, n’, y, avait, aucune, animosité (6); predicted: avait, aucune,
    # animosité (3), all in the gold content
    gold = [quote("Q1", span("Il n’y avait aucune animosité"))]
    pred = [quote("Q1", span("avait aucune animosité"))]
    result = scores(gold, pred)
    tokens = result["content_tokens"]
    assert (tokens["correct"], tokens["predicted"], tokens["gold"]) == (3, 3, 6)
    assert tokens["precision"] == 1.0 and tokens["recall"] == 0.5
    assert tokens["f1"] == pytest.approx(2 / 3)
    assert result["content_exact"]["f1"] == 0.0
    # matched by overlap, speaker right: attribution counts it
    assert result["attribution"]["f1"] == 1.0
    assert result["speaker_accuracy"]["accuracy"] == 1.0


def test_token_overlap_partial_word_matches_nothing() -> None:
    gold = [quote("Q1", span("aucune animosité"))]
    pred = [quote("Q1", span("aucune animo"))]  # cuts a word: "animo" is not a gold token
    tokens = scores(gold, pred)["content_tokens"]
    assert (tokens["correct"], tokens["predicted"], tokens["gold"]) == (1, 2, 2)


def test_content_exact_and_attribution() -> None:
    gold = [
        quote("Q1", span("Il n’y avait aucune animosité"), "E-poutine"),
        quote("Q2", span("conférence de presse"), None),
        quote("Q3", span("lors"), "E-biden"),
    ]
    pred = [
        quote("Q1", span("Il n’y avait aucune animosité"), "E-biden"),  # exact, wrong speaker
        quote("Q2", span("conférence de presse"), None),  # exact, null == null
        quote("Q3", span("de presse"), None),  # overlaps Q2 only, which is taken: unmatched
    ]
    result = scores(gold, pred)
    assert result["content_exact"]["correct"] == 2
    assert result["content_exact"]["precision"] == pytest.approx(2 / 3)
    assert result["content_exact"]["recall"] == pytest.approx(2 / 3)
    assert result["matched"] == 2
    assert result["speaker_accuracy"] == {"correct": 1, "matched": 2, "accuracy": 0.5}
    attribution = result["attribution"]
    assert (attribution["correct"], attribution["predicted"], attribution["gold"]) == (1, 3, 3)
    assert attribution["f1"] == pytest.approx(1 / 3)
    assert result["headline"]["value"] == attribution["f1"]


def test_missing_speaker_id_is_null() -> None:
    gold = [quote("Q1", span("aucune animosité"), None)]
    pred = [quote("Q1", span("aucune animosité"), None)]
    del pred[0]["speaker_entity_id"]
    assert scores(gold, pred)["attribution"]["f1"] == 1.0


def test_matching_takes_the_largest_overlap_first() -> None:
    # gold: [0, 10) and [10, 30); predictions: [5, 25) shares 5 and 15; [0, 8) shares 8 and 0
    pairs = match_quotes([(0, 10), (10, 30)], [(5, 25), (0, 8)])
    assert sorted(pairs) == [(0, 1, 8), (1, 0, 15)]
    # one gold quotation, two candidates: the larger overlap wins, the other stays unmatched
    assert match_quotes([(0, 10)], [(0, 4), (2, 10)]) == [(0, 1, 8)]
    assert match_quotes([(0, 10)], [(10, 20)]) == []


def test_cue_f1_counts_distinct_spans() -> None:
    # an interrupted quotation: two gold quotations share one cue
    gold = [
        quote("Q1", span("Il n’y avait"), cue=span("dit")),
        quote("Q2", span("aucune animosité"), cue=span("dit")),
    ]
    pred = [
        quote("Q1", span("Il n’y avait"), cue=span("dit")),
        quote("Q2", span("aucune animosité"), cue=span("lors")),
        quote("Q3", span("presse"), cue=None),
    ]
    cue = scores(gold, pred)["cue"]
    assert (cue["correct"], cue["predicted"], cue["gold"]) == (1, 2, 1)
    assert cue["precision"] == 0.5 and cue["recall"] == 1.0


def test_kind_accuracy_and_empty() -> None:
    gold = [quote("Q1", span("aucune animosité"), kind="direct")]
    pred = [quote("Q1", span("aucune animosité"), kind="mixed")]
    assert scores(gold, pred)["kind_accuracy"]["accuracy"] == 0.0
    empty = scores([], [])
    assert empty["attribution"]["f1"] == 0.0 and empty["speaker_accuracy"]["accuracy"] == 0.0
    missing = quote_scores({"d": {"quotes": gold}}, {})
    assert missing["attribution"]["recall"] == 0.0 and missing["attribution"]["gold"] == 1


def _every_pair_matching(
    gold: list[tuple[int, int]], pred: list[tuple[int, int]]
) -> list[tuple[int, int, int]]:
    """The matching by its definition: every pair tested, greedy by shared characters."""
    candidates = []
    for i, (gs, ge) in enumerate(gold):
        for j, (ps, pe) in enumerate(pred):
            shared = min(ge, pe) - max(gs, ps)
            if shared > 0:
                candidates.append((-shared, gs, ge, ps, pe, i, j))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for negative_shared, *_, i, j in sorted(candidates):
        if i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
            pairs.append((i, j, -negative_shared))
    return pairs


spans = st.lists(
    st.tuples(st.integers(0, 40), st.integers(-3, 12)).map(lambda s: (s[0], s[0] + s[1])),
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(gold=spans, pred=spans)
def test_matching_by_bisection_equals_testing_every_pair(
    gold: list[tuple[int, int]], pred: list[tuple[int, int]]
) -> None:
    # nested, equal, touching, empty and reversed spans included
    assert match_quotes(gold, pred) == _every_pair_matching(gold, pred)


def test_matching_looks_only_at_overlapping_pairs() -> None:
    """One long document's quotations cost pairs linear in their number, not quadratic."""
    gold = [(10 * k, 10 * k + 6) for k in range(5000)]
    pred = [(10 * k + 3, 10 * k + 8) for k in range(5000)]
    assert sum(1 for _ in _overlapping(gold, pred)) == 5000
    assert match_quotes(gold, pred) == [(k, k, 3) for k in range(5000)]
