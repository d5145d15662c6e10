"""Coreference metrics: randomised agreement with scorch (MUC, B-cubed, CEAF-e), LEA by hand."""

from __future__ import annotations

import statistics
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scorch import scores as scorch

from propos.metrics import b_cubed, ceaf_e, coreference_metrics, coreference_scores, lea, muc


@st.composite
def clusterings(draw: st.DrawFn) -> tuple[list[set[int]], list[set[int]]]:
    """Key and response partitions of two overlapping random subsets of mentions 0..n-1."""
    n = draw(st.integers(1, 25))

    def partition(universe: list[int]) -> list[set[int]]:
        labels = draw(st.lists(st.integers(0, 5), min_size=len(universe), max_size=len(universe)))
        out: dict[int, set[int]] = {}
        for mention, label in zip(universe, labels, strict=True):
            out.setdefault(label, set()).add(mention)
        return list(out.values())

    in_key = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    in_response = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    key = partition([m for m in range(n) if in_key[m]])
    response = partition([m for m in range(n) if in_response[m]])
    return key, response


def harmonic_mean(values: tuple[float, float]) -> float:
    """statistics.harmonic_mean, except that scorch passes NumPy zeros for CEAF-e with no
    common mention, which makes it raise instead of returning 0."""
    return 0.0 if min(values) <= 0 else statistics.harmonic_mean([float(v) for v in values])


@settings(max_examples=300, deadline=None)
@given(clusterings())
def test_muc_bcubed_ceafe_equal_scorch(pair: tuple[list[set[int]], list[set[int]]]) -> None:
    key, response = pair
    with mock.patch.object(scorch, "harmonic_mean", harmonic_mean):
        compare_with_scorch(key, response)


def compare_with_scorch(key: list[set[int]], response: list[set[int]]) -> None:
    for ours, theirs in ((muc, scorch.muc), (b_cubed, scorch.b_cubed), (ceaf_e, scorch.ceaf_e)):
        recall, precision, f1 = theirs(key, response)
        result = ours(key, response)
        assert result["recall"] == pytest.approx(recall, abs=1e-12), ours.__name__
        assert result["precision"] == pytest.approx(precision, abs=1e-12), ours.__name__
        assert result["f1"] == pytest.approx(f1, abs=1e-12), ours.__name__
    conll = coreference_metrics(key, response)["conll_f1"]
    assert conll == pytest.approx(scorch.conll2012(key, response), abs=1e-12)


# Moosavi & Strube (2016), section 4: key {a,b,c} {d,e,f,g}; response {a,b} {c,d} {f,g,h,i}.
PAPER_KEY = [set("abc"), set("defg")]
PAPER_RESPONSE = [set("ab"), set("cd"), set("fghi")]


def test_lea_paper_example() -> None:
    # recall = (3 * link({a,b})/link(k1) + 4 * (link({f,g}))/link(k2)) / 7 = (3/3 + 4/6) / 7
    # precision = (2 * 1 + 2 * 0 + 4 * link({f,g})/link(r3)) / 8 = (2 + 4/6) / 8
    result = lea(PAPER_KEY, PAPER_RESPONSE)
    recall = (3 * (1 / 3) + 4 * (1 / 6)) / 7
    precision = (2 * 1 + 2 * 0 + 4 * (1 / 6)) / 8
    assert result["recall"] == pytest.approx(recall)
    assert result["precision"] == pytest.approx(precision)
    assert result["f1"] == pytest.approx(2 * recall * precision / (recall + precision))
    assert round(result["recall"], 2) == 0.24 and round(result["precision"], 2) == 0.33


def test_muc_paper_example_by_hand() -> None:
    # k1 split in 2 parts, k2 in 3 ({d}, {e} missing, {f,g}): recall (1 + 1) / (2 + 3)
    # r1 whole, r2 split in 2, r3 in 3 ({f,g}, {h}, {i}): precision (1 + 0 + 1) / (1 + 1 + 3)
    result = muc(PAPER_KEY, PAPER_RESPONSE)
    assert result["recall"] == pytest.approx(0.4) and result["precision"] == pytest.approx(0.4)


def test_lea_singletons() -> None:
    assert lea([{"a"}], [{"a"}])["f1"] == 1.0
    merged = lea([{"a"}], [{"a", "b"}])  # the singleton is not resolved: its cluster grew
    assert merged["recall"] == 0.0 and merged["precision"] == 0.0
    result = lea([{"a"}, {"b"}], [{"a"}, {"c"}])
    assert result["recall"] == 0.5 and result["precision"] == 0.5
    # a missing mention leaves its key entity unresolved
    result = lea([{"a", "b", "c"}], [{"a", "b"}])
    assert result["recall"] == pytest.approx(3 * (1 / 3) / 3)
    assert result["precision"] == 1.0


def test_perfect_and_empty() -> None:
    key = [{1, 2, 3}, {4}, {5, 6}]
    result = coreference_metrics(key, [set(c) for c in key])
    for name in ("muc", "b_cubed", "ceaf_e", "lea"):
        assert result[name]["f1"] == 1.0
    assert result["conll_f1"] == 1.0
    empty = coreference_metrics(key, [])
    assert all(empty[name]["f1"] == 0.0 for name in ("muc", "b_cubed", "ceaf_e", "lea"))


def entity(id_: str, start: int, end: int, cluster: str | None) -> dict:
    return {"id": id_, "start": start, "end": end, "type": "PER", "entity_id": cluster}


GOLD = {
    "d1": {
        "entities": [
            entity("T1", 0, 5, "E-a"),
            entity("T2", 10, 15, "E-a"),
            entity("T3", 20, 25, "E-b"),
        ]
    },
    "d2": {"entities": [entity("T1", 0, 5, "E-a")]},
}
PRED = {
    "d1": {
        "entities": [
            entity("T1", 0, 5, "x"),
            entity("T2", 10, 15, "y"),
            entity("T3", 20, 25, "x"),
            entity("T4", 30, 35, "x"),  # not a gold mention
        ]
    },
    "d2": {"entities": [entity("T9", 0, 5, "y")]},  # cross-document link with d1 T2
}


def test_cross_document_gold_and_predicted_mentions_by_hand() -> None:
    # key {A, B, D} {C}; forced response {A, C} {B, D}; predicted response {A, C, E} {B, D}
    result = coreference_scores(GOLD, PRED, "entities")
    gold_mentions, predicted = result["gold_mentions"], result["predicted_mentions"]
    assert gold_mentions["b_cubed"]["recall"] == pytest.approx((5 / 3 + 1) / 4)
    assert gold_mentions["b_cubed"]["precision"] == pytest.approx((1 + 2) / 4)
    assert gold_mentions["muc"]["recall"] == pytest.approx(1 / 2)
    assert gold_mentions["muc"]["precision"] == pytest.approx(1 / 2)
    assert predicted["b_cubed"]["recall"] == pytest.approx((5 / 3 + 1) / 4)
    assert predicted["b_cubed"]["precision"] == pytest.approx((2 / 3 + 2) / 5)
    assert predicted["muc"]["precision"] == pytest.approx(1 / 3)
    # CEAF-e: k1-r2 (2*2/5), k2-r1 (2*1/3 forced; 2*1/4 predicted)
    assert gold_mentions["ceaf_e"]["recall"] == pytest.approx((4 / 5 + 2 / 3) / 2)
    assert predicted["ceaf_e"]["precision"] == pytest.approx((4 / 5 + 2 / 4) / 2)
    assert result["n_gold_mentions"] == 4 and result["n_predicted_mentions"] == 5


def test_missing_cluster_ids_are_singletons_and_layers() -> None:
    pred = {"d1": {"entities": [entity("T1", 0, 5, None), entity("T2", 10, 15, None)]}}
    result = coreference_scores(GOLD, pred, "entities")["gold_mentions"]
    assert result["muc"]["f1"] == 0.0  # all singletons
    assert result["b_cubed"]["precision"] == 1.0
    events = {
        "d1": {
            "events": [
                {
                    "id": "V1",
                    "trigger": {"start": 1, "end": 4},
                    "type": "Contact:Meet",
                    "event_id": "EV-a",
                },
                {
                    "id": "V2",
                    "trigger": {"start": 8, "end": 9},
                    "type": "Contact:Meet",
                    "event_id": "EV-a",
                },
            ]
        }
    }
    assert coreference_scores(events, events, "events")["predicted_mentions"]["conll_f1"] == 1.0
    quotes = {
        "d1": {
            "quotes": [
                {
                    "id": "Q1",
                    "content": {"start": 1, "end": 4},
                    "kind": "direct",
                    "utterance_id": "U-a",
                },
                {
                    "id": "Q2",
                    "content": {"start": 8, "end": 9},
                    "kind": "direct",
                    "utterance_id": "U-b",
                },
            ]
        }
    }
    merged = {"d1": {"quotes": [dict(q, utterance_id="u") for q in quotes["d1"]["quotes"]]}}
    result = coreference_scores(quotes, merged, "quotes")["predicted_mentions"]
    assert result["b_cubed"]["precision"] == 0.5 and result["b_cubed"]["recall"] == 1.0
    with pytest.raises(ValueError, match="unknown layer"):
        coreference_scores(GOLD, PRED, "speakers")
