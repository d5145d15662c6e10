"""The streamed headline counts (propos.metrics.streamed) equal those of the full evaluators, on
the committed submissions, on a synthetic corpus and on predictions built to break them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from propos.engine import Engine
from propos.evaluation import coarsened, stream_headlines, stream_unit_counts
from propos.metrics import score
from propos.metrics.report import unit_counts
from propos.metrics.streamed import headline_unit_counts

from .conftest import ALL_DOC_IDS, ROOT, load_script

GOLD_DIR = ROOT / "annotations" / "gold"
SUBMISSIONS = sorted((ROOT / "benchmark" / "submissions").glob("*/predictions*.jsonl"))


def load_make_corpus() -> ModuleType:
    return load_script(ROOT / "benchmark" / "perf" / "make_corpus.py", "perf_make_corpus")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("streamed") / "n120"
    load_make_corpus().make_corpus(120, root, seed=5, noise=0.2)
    return root


def gold_bytes(gold_dir: Path, doc_ids: list[str]) -> dict[str, bytes]:
    return {d: (gold_dir / f"{d}.json").read_bytes() for d in doc_ids}


def prediction_bytes(path: Path) -> dict[str, bytes]:
    lines = [line for line in path.read_bytes().splitlines() if line.strip()]
    return {json.loads(line)["doc_id"]: line for line in lines}


def full_counts(gold: dict[str, bytes], predictions: dict[str, bytes]) -> dict[str, Any]:
    """The full evaluators' counts of the three headlines, and of the entities with coarse types
    (what `propos evaluate` scores for its coarse headline)."""
    gold_documents = {d: json.loads(b) for d, b in gold.items()}
    predicted = {d: json.loads(b) for d, b in predictions.items()}
    counts = unit_counts(gold_documents, predicted)
    coarse = unit_counts(coarsened(gold_documents), coarsened(predicted), layers=("entities",))
    return {**counts, "entities_coarse": coarse["entities"]}


def assert_same_counts(streamed: dict[str, Any] | None, full: dict[str, Any]) -> None:
    assert streamed is not None
    assert list(streamed) == list(full)
    for layer, counts in full.items():
        np.testing.assert_array_equal(streamed[layer], counts)


@pytest.mark.parametrize("submission", SUBMISSIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_counts_equal_the_full_evaluation_on_committed_submissions(submission: Path) -> None:
    gold = gold_bytes(GOLD_DIR, ALL_DOC_IDS)
    predictions = prediction_bytes(submission)
    full = full_counts(gold, predictions)
    assert sum(counts[:, 2].sum() for counts in full.values()) > 0  # gold items were counted
    assert_same_counts(headline_unit_counts(gold, predictions), full)


@pytest.mark.parametrize("submission", SUBMISSIONS[:4], ids=lambda p: p.parent.name)
def test_streamed_headlines_equal_propos_score(submission: Path) -> None:
    """>= 30 documents: the full score resamples documents too, so every figure is equal."""
    streamed = stream_headlines(GOLD_DIR, submission, ALL_DOC_IDS, resamples=300, chunk=16)
    gold = {d: json.loads(b) for d, b in gold_bytes(GOLD_DIR, ALL_DOC_IDS).items()}
    predictions = {d: json.loads(b) for d, b in prediction_bytes(submission).items()}
    full = score(gold, predictions, resamples=300, layers=("entities", "quotes", "events"))
    assert full["bootstrap"]["unit"] == "document"
    for layer, figure in full["headline"].items():
        assert streamed["headline"][layer]["value"] == figure["value"]
        assert streamed["headline"][layer]["low"] == figure["low"]
        assert streamed["headline"][layer]["high"] == figure["high"]


def test_counts_equal_the_full_evaluation_on_a_synthetic_corpus(synthetic: Path) -> None:
    doc_ids = sorted(p.stem for p in (synthetic / "annotations" / "gold").glob("*.json"))
    gold = gold_bytes(synthetic / "annotations" / "gold", doc_ids)
    predictions = prediction_bytes(synthetic / "submission.jsonl")
    assert_same_counts(headline_unit_counts(gold, predictions), full_counts(gold, predictions))


def test_same_figures_whatever_the_chunks_and_workers(synthetic: Path) -> None:
    gold_dir, submission = synthetic / "annotations" / "gold", synthetic / "submission.jsonl"
    doc_ids = sorted(p.stem for p in gold_dir.glob("*.json"))
    one = stream_unit_counts(gold_dir, submission, doc_ids, chunk=1000)
    for chunk, engine in ((7, Engine()), (25, Engine(workers=2))):
        other = stream_unit_counts(gold_dir, submission, doc_ids, chunk=chunk, engine=engine)
        assert_same_counts(other, one)


def broken_predictions() -> list[tuple[str, dict[str, Any]]]:
    """(what, a prediction for the first gold document) pairs that stress the counting."""
    gold = json.loads((GOLD_DIR / f"{ALL_DOC_IDS[0]}.json").read_bytes())
    cases = []
    doubled = copy.deepcopy(gold)
    doubled["entities"] += copy.deepcopy(gold["entities"])  # every mention predicted twice
    doubled["events"] += copy.deepcopy(gold["events"])
    cases.append(("duplicates", doubled))
    overlapping = copy.deepcopy(gold)
    for quote in overlapping["quotes"]:  # contents shifted: overlap matching, not equality
        quote["content"]["start"] += 1
        quote["speaker_entity_id"] = quote["speaker_entity_id"] or ""
    overlapping["quotes"] += copy.deepcopy(overlapping["quotes"])
    cases.append(("overlapping quotes, empty speaker ids", overlapping))
    retyped = copy.deepcopy(gold)
    for entity in retyped["entities"][::2]:
        entity["type"] = "ORG" if entity["type"] != "ORG" else "PER"
    for event in retyped["events"]:
        event.pop("type")  # a missing type is None, as in the full evaluation
    cases.append(("other types", retyped))
    floats = copy.deepcopy(gold)
    floats["entities"][0]["start"] = float(floats["entities"][0]["start"])
    cases.append(("a float offset (left to the full evaluation)", floats))
    cases.append(("nothing", {"doc_id": gold["doc_id"], "entities": None}))
    return cases


@pytest.mark.parametrize("case", broken_predictions(), ids=lambda case: case[0])
def test_counts_equal_on_predictions_built_to_break_them(
    tmp_path: Path, case: tuple[str, Any]
) -> None:
    what, prediction = case
    gold = gold_bytes(GOLD_DIR, ALL_DOC_IDS[:3])
    line = json.dumps(prediction).encode()
    full = full_counts(gold, {ALL_DOC_IDS[0]: line})
    assert full["entities"][0, 2] > 0
    streamed = headline_unit_counts(gold, {ALL_DOC_IDS[0]: line})
    if what.startswith("a float"):
        assert streamed is None
    else:
        assert_same_counts(streamed, full)
    submission = tmp_path / "predictions.jsonl"
    submission.write_bytes(line + b"\n")
    assert_same_counts(stream_unit_counts(GOLD_DIR, submission, ALL_DOC_IDS[:3]), full)


@pytest.mark.parametrize(
    ("change", "message"),
    [({"type": "PERSON"}, "unknown entity type"), ({"start": -1}, "negative entity offset")],
)
def test_what_the_full_evaluation_refuses_is_still_refused(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    gold = json.loads((GOLD_DIR / f"{ALL_DOC_IDS[0]}.json").read_bytes())
    gold["entities"][0].update(change)
    submission = tmp_path / "predictions.jsonl"
    submission.write_text(json.dumps(gold) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        stream_unit_counts(GOLD_DIR, submission, ALL_DOC_IDS[:2])
