"""The event coreference step of the event baselines, its scoring within documents and its
bootstrap interval, the 38-type seed lexicon, and the learned quotation baseline."""

from __future__ import annotations

import statistics
import subprocess
from typing import Any
from unittest import mock

import pytest
from scorch import scores as scorch

from propos.baselines import evaluation, events_coref
from propos.baselines.events_common import SEED_TRIGGERS
from propos.baselines.events_coref import EventMention, Linking
from propos.corpus import Corpus
from propos.errors import ProposError
from propos.schema import EVENT_TYPES

from .conftest import ROOT, shown

CORPUS = Corpus.at(ROOT)


def _doc(events: list[tuple[int, int, str | None]]) -> dict[str, Any]:
    return {
        "events": [
            {
                "trigger": {"start": s, "end": e, "text": "x"},
                "type": "Conflict:Attack",
                "event_id": i,
            }
            for s, e, i in events
        ]
    }


GOLD = {
    "a": _doc([(0, 1, "E1"), (2, 3, "E1"), (4, 5, "E2")]),
    "b": _doc([(0, 1, "E1"), (2, 3, "E3"), (4, 5, None)]),
}
PREDICTED = {
    "a": _doc([(0, 1, "S1"), (2, 3, "S2"), (4, 5, "S2")]),
    "b": _doc([(0, 1, "S1"), (2, 3, "S2"), (6, 7, "S3")]),
}


def harmonic_mean(values: tuple[float, float]) -> float:
    return 0.0 if min(values) <= 0 else statistics.harmonic_mean([float(v) for v in values])


def _scorch_clusters(documents: dict[str, Any], within: bool) -> list[set[tuple[str, int, int]]]:
    grouped: dict[Any, set[tuple[str, int, int]]] = {}
    for doc_id, document in documents.items():
        for event in document["events"]:
            mention = (doc_id, event["trigger"]["start"], event["trigger"]["end"])
            label = event["event_id"]
            key = mention if label is None else ((doc_id, label) if within else label)
            grouped.setdefault(key, set()).add(mention)
    return list(grouped.values())


@pytest.mark.parametrize("within", [False, True])
def test_event_coreference_within_and_across_documents_equal_scorch(within: bool) -> None:
    gold = events_coref.within_documents(GOLD) if within else GOLD
    predicted = events_coref.within_documents(PREDICTED) if within else PREDICTED
    ours = evaluation._coref_figures(gold, predicted)
    key, response = _scorch_clusters(GOLD, within), _scorch_clusters(PREDICTED, within)
    with mock.patch.object(scorch, "harmonic_mean", harmonic_mean):
        assert ours["muc"]["f1"] == pytest.approx(scorch.muc(key, response)[2])
        assert ours["b_cubed"]["f1"] == pytest.approx(scorch.b_cubed(key, response)[2])
        assert ours["ceaf_e"]["f1"] == pytest.approx(scorch.ceaf_e(key, response)[2])
        assert ours["conll_f1"] == pytest.approx(scorch.conll2012(key, response))
    # within documents, "E1" of a and "E1" of b are two events: fewer gold links
    if within:
        assert ours["conll_f1"] != evaluation._coref_figures(GOLD, PREDICTED)["conll_f1"]


def test_bootstrap_interval_is_seeded_and_perfect_for_identical_clusterings() -> None:
    linked = {"a": GOLD["a"], "c": GOLD["a"]}  # a link in every resample (MUC is 0 without)
    low, high = evaluation.coref_interval(linked, linked, resamples=50)
    assert (low, high) == (pytest.approx(1.0), pytest.approx(1.0))
    first = evaluation.coref_interval(GOLD, PREDICTED, resamples=50)
    assert first == evaluation.coref_interval(GOLD, PREDICTED, resamples=50)
    assert 0.0 <= first[0] <= first[1] <= 1.0


def test_every_type_of_version_2_has_seeds() -> None:
    assert len(EVENT_TYPES) == 38
    assert set(SEED_TRIGGERS) == set(EVENT_TYPES)
    assert all(SEED_TRIGGERS[kind] for kind in EVENT_TYPES)


def test_arguments_compatible_only_when_a_name_is_shared_or_missing() -> None:
    assert events_coref.compatible(frozenset(), frozenset({"nice"}))
    assert events_coref.compatible(frozenset({"nice", "paris"}), frozenset({"nice"}))
    assert not events_coref.compatible(frozenset({"rouen"}), frozenset({"nice"}))
    assert Linking(0.1, ("LOC",)).describe() == "topic threshold 0.10, compatible places"
    assert Linking(0.0, ()).describe() == "topic threshold 0.00, no argument check"


def test_clusters_need_one_topic_the_same_lemma_and_the_same_type() -> None:
    docs = sorted(CORPUS.clean_dir.glob("wn-2016_11_08-*.json"))[:2]
    a, b = (p.stem for p in docs)
    mentions = [
        EventMention(a, 0, 1, "Personnel:Elect", "election", 0),
        EventMention(b, 0, 1, "Personnel:Elect", "election", 0),
        EventMention(b, 5, 6, "Personnel:Elect", "vote", 0),
        EventMention(b, 9, 9, "Conflict:Attack", "election", 0),
    ]
    one_topic = events_coref.cluster(CORPUS, mentions, Linking(0.0, ()))
    assert one_topic[0] == one_topic[1]
    assert len(set(one_topic)) == 3
    alone = events_coref.cluster(CORPUS, mentions, Linking(1.01, ()))
    assert len(set(alone)) == 4


def test_unknown_table_lists_the_event_tables() -> None:
    with pytest.raises(ProposError) as caught:
        evaluation.render_table(CORPUS, "nope", evaluation.default_scorer())
    for name in ("events-types", "events-coref-test", "events-coref-cv", "events-coref-errors"):
        assert name in str(caught.value)


def test_command_names_the_new_tables_when_a_table_is_unknown() -> None:
    from .test_commands import PROPOS

    result = subprocess.run(
        [PROPOS, "baseline", "--table", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 2, shown(result)
    assert "Traceback" not in result.stdout + result.stderr, shown(result)
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: unknown table 'nope'")
    assert "events-coref-test" in line and "events-types" in line, line
