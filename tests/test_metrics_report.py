"""score(), compare(), the evaluate wrappers, and the speed of the entity scorer."""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path

import pytest

from propos.corpus import Corpus
from propos.metrics import (
    compare,
    coreference_scores,
    entity_scores,
    event_scores,
    quote_scores,
    score,
)
from propos.metrics.common import MIN_DOCUMENTS_FOR_DOCUMENT_UNIT
from propos.metrics.entities import evaluate_entities
from propos.schema import ENTITY_TYPES, EVENT_TYPES
from propos.split import split_doc_ids
from propos.tokenize import bio_tags, tokenize

CORPUS = Corpus.at(Path(__file__).resolve().parents[1])

METRICS_DIR = CORPUS.root / "benchmark" / "metrics"


def span(text: str, tokens: list, i: int, j: int) -> dict:
    start, end = tokens[i].start, tokens[j - 1].end
    return {"start": start, "end": end, "text": text[start:end]}


@cache
def corpus() -> tuple[dict, dict, dict]:
    """Gold documents made on the real cleaned texts (token-aligned random annotations), a
    degraded prediction, and the paragraphs."""
    rng = random.Random(0)
    gold, pred, paragraphs = {}, {}, {}
    for path in sorted(CORPUS.clean_dir.glob("*.json")):
        clean = json.loads(path.read_text("utf-8"))
        text, doc_id = clean["text"], clean["doc_id"]
        tokens = tokenize(text)
        paragraphs[doc_id] = clean["paragraphs"]
        entities, quotes, events = [], [], []
        for n, i in enumerate(range(0, len(tokens) - 40, 25)):
            j = i + rng.randint(1, 3)
            entities.append(
                {"id": f"T{n}", **span(text, tokens, i, j), "type": rng.choice(ENTITY_TYPES),
                 "entity_id": f"E-{rng.randint(0, 5)}"}
            )  # fmt: skip
            if n % 3 == 0:
                quotes.append(
                    {"id": f"Q{n}", "content": span(text, tokens, j + 2, j + 12), "kind": "direct",
                     "cue": span(text, tokens, j + 13, j + 14), "speaker": None,
                     "speaker_entity_id": f"E-{rng.randint(0, 5)}", "utterance_id": f"U-{n % 4}"}
                )  # fmt: skip
            if n % 2 == 0:
                events.append(
                    {"id": f"V{n}", "trigger": span(text, tokens, j + 15, j + 16),
                     "type": rng.choice(EVENT_TYPES), "realis": "actual",
                     "event_id": f"EV-{rng.randint(0, 3)}",
                     "arguments": [{"entity": f"T{n}", "role": "participant"}]}
                )  # fmt: skip
        gold[doc_id] = {"doc_id": doc_id, "entities": entities, "quotes": quotes, "events": events}
        pred[doc_id] = {
            "doc_id": doc_id,
            "entities": [
                dict(e, type=rng.choice(ENTITY_TYPES)) if rng.random() < 0.2 else e
                for e in entities
                if rng.random() < 0.8
            ],
            "quotes": [
                dict(q, speaker_entity_id=None) if rng.random() < 0.3 else q
                for q in quotes
                if rng.random() < 0.8
            ],
            "events": [e for e in events if rng.random() < 0.7],
        }
    return gold, pred, paragraphs


def documents_of(split: str) -> tuple[dict, dict, dict]:
    """The made-up gold, prediction and paragraphs of the documents of one split."""
    gold, pred, paragraphs = corpus()
    doc_ids = split_doc_ids(split, CORPUS.splits_file, CORPUS.clean_dir)
    return tuple({d: part[d] for d in doc_ids} for part in (gold, pred, paragraphs))


def expected_units(gold: dict, paragraphs: dict) -> tuple[str, int]:
    """Documents from 30 gold documents on, paragraphs below."""
    if len(gold) >= MIN_DOCUMENTS_FOR_DOCUMENT_UNIT:
        return "document", len(gold)
    return "paragraph", sum(len(paragraphs[d]) or 1 for d in gold)


def test_both_units_are_exercised() -> None:
    """The whole corpus is resampled by document, the test split by paragraph: the tests below
    cover both units."""
    units = {expected_units(*documents_of(split)[::2])[0] for split in ("all", "test")}
    assert units == {"document", "paragraph"}


@pytest.mark.parametrize("split", ["all", "test"])
def test_score_is_complete_and_json_serialisable(split: str) -> None:
    gold, pred, paragraphs = documents_of(split)
    result = score(gold, pred, paragraphs=paragraphs, resamples=300, seed=0)
    assert json.loads(json.dumps(result)) == result
    unit, n_units = expected_units(gold, paragraphs)
    assert result["bootstrap"]["unit"] == unit
    assert result["bootstrap"]["n_units"] == n_units
    assert result["bootstrap"]["n_documents"] == len(gold)
    assert result["entities"] == entity_scores(gold, pred)
    assert result["quotes"] == quote_scores(gold, pred)
    assert result["events"] == event_scores(gold, pred)
    for layer in ("entities", "quotes", "events"):
        headline = result["headline"][layer]
        assert headline["value"] == result[layer]["headline"]["value"]
        assert 0 < headline["value"] < 1
        assert headline["low"] <= headline["value"] <= headline["high"]
        assert headline["low"] < headline["high"]
    assert result["coreference"]["entities"] == coreference_scores(gold, pred, "entities")
    assert set(result["coreference"]) == {"entities", "events", "quotes"}
    assert result["documents"]["n_gold"] == len(gold)
    # same seed, same figures
    assert score(gold, pred, paragraphs=paragraphs, resamples=300, seed=0) == result
    only = score(gold, pred, resamples=0, layers=("entities",))
    assert set(only) == {"headline", "bootstrap", "entities", "documents"}
    assert only["headline"]["entities"]["low"] is None
    with pytest.raises(ValueError, match="unknown layers"):
        score(gold, pred, layers=("speakers",))


@pytest.mark.parametrize("split", ["all", "test"])
def test_compare(split: str) -> None:
    gold, pred, paragraphs = documents_of(split)
    same = compare(gold, pred, pred, paragraphs=paragraphs, resamples=200)
    for layer in ("entities", "quotes", "events"):
        assert same["headline"][layer]["delta"] == 0.0
        assert same["headline"][layer]["p_value"] == 1.0
    better = compare(gold, gold, pred, paragraphs=paragraphs, resamples=500)
    assert better["bootstrap"]["unit"] == expected_units(gold, paragraphs)[0]
    for layer in ("entities", "quotes", "events"):
        assert better["headline"][layer]["a"] == 1.0
        assert better["headline"][layer]["p_value"] < 0.05


@pytest.mark.parametrize(
    ("name", "layer", "key"),
    [
        ("propos_ner", "entities", "strict_f1"),
        ("propos_quotes", "quotes", "attribution_f1"),
        ("propos_events", "events", "trigger_classification_f1"),
    ],
)
@pytest.mark.parametrize("split", ["all", "test"])
def test_evaluate_modules_wrap_the_library(name: str, layer: str, key: str, split: str) -> None:
    evaluate = pytest.importorskip("evaluate")
    gold, pred, paragraphs = documents_of(split)
    metric = evaluate.load(str(METRICS_DIR / name))
    doc_ids = sorted(gold)
    result = metric.compute(
        predictions=[json.dumps(pred[d]) for d in doc_ids],
        references=[json.dumps(gold[d]) for d in doc_ids],
        paragraphs=paragraphs,
        resamples=100,
    )
    expected = score(gold, pred, paragraphs=paragraphs, resamples=100, layers=(layer,))
    assert result[key] == expected["headline"][layer]["value"]
    assert (result["low"], result["high"]) == (
        expected["headline"][layer]["low"],
        expected["headline"][layer]["high"],
    )
    assert result["bootstrap_unit"] == expected_units(gold, paragraphs)[0]
    assert result["details"] == expected[layer]


def test_entity_scorer_agrees_with_seqeval_on_a_thousand_documents() -> None:
    """Same figures as seqeval at scale (the speed ratio is measured by benchmark/perf/run.py)."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    gold, pred, _ = corpus()
    texts = {
        json.loads(p.read_text("utf-8"))["doc_id"]: json.loads(p.read_text("utf-8"))["text"]
        for p in CORPUS.clean_dir.glob("*.json")
    }
    tokens = {d: tokenize(t) for d, t in texts.items()}
    doc_ids = (sorted(gold) * (1000 // len(gold) + 1))[:1000]  # 1,000 documents
    gold_list = [gold[d] for d in doc_ids]
    pred_list = [pred[d] for d in doc_ids]

    def tags(doc_id: str, doc: dict) -> list[str]:
        return bio_tags(
            tokens[doc_id], [(e["start"], e["end"], e["type"]) for e in doc["entities"]]
        )

    y_true = [tags(d, gold[d]) for d in doc_ids]
    y_pred = [tags(d, pred[d]) for d in doc_ids]
    expected = classification_report(
        y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0
    )
    ours = evaluate_entities(gold_list, pred_list).report
    micro = ours["fine"]["micro"]["strict"]
    assert micro["precision"] == pytest.approx(expected["micro avg"]["precision"])
    assert micro["recall"] == pytest.approx(expected["micro avg"]["recall"])
    assert micro["f1"] == pytest.approx(expected["micro avg"]["f1-score"])
