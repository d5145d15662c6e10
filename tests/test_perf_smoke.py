"""The scale benchmark on 100 synthetic documents: the outputs are right (speed is measured by
benchmark/perf/run.py, never by a test)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from .conftest import ROOT

PERF = ROOT / "benchmark" / "perf"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"perf_{name}", PERF / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scale") / "n100"
    load("make_corpus").make_corpus(100, root, seed=3, noise=0.1)
    return root


@pytest.fixture(scope="module")
def stages() -> ModuleType:
    return load("stages")


def stage(
    stages: ModuleType, name: str, root: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    return stages.STAGES[name](root, 2, 50)


def test_synthetic_corpus_and_submission_validate(
    corpus: Path, stages: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(list((corpus / "annotations" / "gold").glob("*.json"))) == 100
    assert stage(stages, "validate", corpus, monkeypatch)["problems"] == 0
    assert stage(stages, "validate_submission", corpus, monkeypatch)["problems"] == 0


def test_parallel_cleaning_reproduces_the_corpus(
    corpus: Path, stages: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = stage(stages, "clean", corpus, monkeypatch)
    assert result["documents"] == 100 and result["errors"] == 0 and result["same_as_corpus"]


def test_entity_scores_equal_seqeval_and_nervaluate(
    corpus: Path, stages: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = stage(stages, "entities_ours", corpus, monkeypatch)
    seqeval = stage(stages, "entities_seqeval", corpus, monkeypatch)
    nervaluate = stage(stages, "entities_nervaluate", corpus, monkeypatch)
    for key in ("precision", "recall", "f1"):
        assert ours["strict"][key] == pytest.approx(seqeval["strict"][key], abs=1e-12)
    for theirs, mine in {
        "strict": "strict",
        "exact": "exact",
        "partial": "partial",
        "ent_type": "type",
    }.items():
        assert ours["schemes"][mine]["f1"] == pytest.approx(
            nervaluate["schemes"][theirs]["f1"], abs=1e-12
        )
    assert 0.5 < ours["strict"]["f1"] < 0.99  # the controlled noise is visible


def test_streamed_evaluation_equals_the_full_score(
    corpus: Path, stages: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    from propos.metrics import score

    streamed = stage(stages, "evaluate", corpus, monkeypatch)["headline"]
    gold, predictions = stages.load_pairs(corpus)
    full = score(gold, predictions, resamples=1000, layers=("entities", "quotes", "events"))[
        "headline"
    ]
    for layer in ("entities", "quotes", "events"):
        for key in ("value", "low", "high"):
            assert streamed[layer][key] == pytest.approx(full[layer][key], abs=1e-12), (layer, key)


def test_build_writes_every_row(
    corpus: Path, stages: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = stage(stages, "build", corpus, monkeypatch)["rows"]
    gold = [
        json.loads(p.read_text("utf-8")) for p in (corpus / "annotations" / "gold").glob("*.json")
    ]
    assert rows["documents"]["test"] == 100
    assert rows["quotes"]["test"] == sum(len(g["quotes"]) for g in gold)
    assert rows["events"]["test"] == sum(len(g["events"]) for g in gold)
