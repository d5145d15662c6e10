"""One measured stage of the scale benchmark, run in its own process by run.py.

    python benchmark/perf/stages.py STAGE ROOT [--workers N] [--sample N]

prints one JSON line: the stage's wall time and what it computed (for the correctness checks).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import msgspec

from propos.engine import Engine


class Entity(msgspec.Struct):
    start: int
    end: int
    text: str
    type: str


class EntityDocument(msgspec.Struct):
    doc_id: str
    entities: list[Entity]


def gold_files(root: Path) -> list[Path]:
    return sorted((root / "annotations" / "gold").glob("*.json"))


def load_pairs(root: Path, entities_only: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """Gold and predicted documents; with ``entities_only`` only that layer is decoded (the
    entity scorers need nothing else, and at 100,000 documents the rest costs gigabytes)."""

    def decode(data: bytes) -> dict[str, Any]:
        if not entities_only:
            return msgspec.json.decode(data)
        return msgspec.to_builtins(msgspec.json.decode(data, type=EntityDocument))

    gold = {p.stem: decode(p.read_bytes()) for p in gold_files(root)}
    predictions = {}
    with (root / "submission.jsonl").open("rb") as handle:
        for line in handle:
            document = decode(line)
            predictions[document["doc_id"]] = document
    return gold, predictions


def stage_clean(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from propos.clean import clean_corpus

    out = root / "perf-clean"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    run = clean_corpus(
        root / "corpus" / "raw",
        out,
        root / "annotations" / "gold",
        root,
        engine=Engine(workers=workers),
    )
    seconds = time.perf_counter() - start
    reference = sorted((root / "corpus" / "clean").glob("*.json"))[:200]
    identical = all(
        json.loads((out / f.name).read_bytes()) == json.loads(f.read_bytes()) for f in reference
    )
    shutil.rmtree(out, ignore_errors=True)
    return {
        "seconds": seconds,
        "documents": len(run.written) + len(run.unchanged),
        "errors": len(run.errors),
        "same_as_corpus": identical,
    }


def stage_validate(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from propos.validate import validate_paths

    start = time.perf_counter()
    report = validate_paths(
        [root / "annotations" / "gold"], root / "corpus" / "clean", engine=Engine(workers=workers)
    )
    return {
        "seconds": time.perf_counter() - start,
        "files": report.files,
        "problems": len(report.problems),
    }


def stage_validate_submission(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from propos.validate import validate_paths

    start = time.perf_counter()
    report = validate_paths([root / "submission.jsonl"], root / "corpus" / "clean")
    return {"seconds": time.perf_counter() - start, "problems": len(report.problems)}


def stage_json_loads(root: Path, workers: int, sample: int) -> dict[str, Any]:
    files = gold_files(root)
    start = time.perf_counter()
    for path in files:
        json.loads(path.read_bytes())
    return {"seconds": time.perf_counter() - start, "files": len(files)}


def stage_jsonschema(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from propos import schema

    files = gold_files(root)
    chosen = files[:: max(1, len(files) // sample)][:sample] if len(files) > sample else files
    documents = [json.loads(p.read_bytes()) for p in chosen]
    validator = schema.validator("annotation")
    start = time.perf_counter()
    errors = sum(1 for d in documents for _ in validator.iter_errors(d))
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds * len(files) / len(chosen),
        "measured_files": len(chosen),
        "extrapolated": len(chosen) < len(files),
        "errors": errors,
    }


def stage_build(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from propos.build import build_dataset, load_inputs

    inputs = load_inputs(
        root / "corpus" / "clean",
        root / "annotations" / "gold",
        root / "annotations" / "inventory.json",
        root / "annotations" / "splits.json",
        root / "corpus" / "sources.csv",
        {},
    )
    out = root / "perf-dist" / "propos"
    start = time.perf_counter()
    sizes = build_dataset(inputs, out, show_progress=False, engine=Engine(workers=workers))
    seconds = time.perf_counter() - start
    shutil.rmtree(out.parent, ignore_errors=True)
    return {"seconds": seconds, "rows": sizes}


def stage_evaluate(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from propos.evaluation import stream_headlines

    doc_ids = [p.stem for p in gold_files(root)]
    start = time.perf_counter()
    result = stream_headlines(
        root / "annotations" / "gold", root / "submission.jsonl", doc_ids, resamples=1000
    )
    return {"seconds": time.perf_counter() - start, "headline": result["headline"]}


def stage_bootstrap(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from propos.evaluation import stream_unit_counts
    from propos.metrics.bootstrap import bootstrap_intervals

    doc_ids = [p.stem for p in gold_files(root)]
    counts = stream_unit_counts(root / "annotations" / "gold", root / "submission.jsonl", doc_ids)
    start = time.perf_counter()
    intervals = bootstrap_intervals(counts, 1000, 0)
    return {"seconds": time.perf_counter() - start, "units": len(doc_ids), "intervals": intervals}


def _bio(
    gold: dict[str, Any], predictions: dict[str, Any], root: Path
) -> tuple[list[list[str]], list[list[str]]]:
    import msgspec

    from propos.tokenize import bio_tags, tokenize

    y_true, y_pred = [], []
    for doc_id in sorted(gold):
        text = msgspec.json.decode((root / "corpus" / "clean" / f"{doc_id}.json").read_bytes())[
            "text"
        ]
        tokens = tokenize(text)
        for side, documents in ((y_true, gold), (y_pred, predictions)):
            spans = [
                (e["start"], e["end"], e["type"])
                for e in documents.get(doc_id, {}).get("entities", [])
            ]
            side.append(bio_tags(tokens, spans))
    return y_true, y_pred


def stage_entities_ours(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from propos.metrics.entities import evaluate_entities

    gold, predictions = load_pairs(root, entities_only=True)
    ids = sorted(gold)
    start = time.perf_counter()
    report = evaluate_entities(
        [gold[d] for d in ids], [predictions.get(d, {"entities": []}) for d in ids]
    ).report
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "strict": report["fine"]["micro"]["strict"],
        "schemes": report["fine"]["micro"],
    }


def stage_entities_seqeval(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    gold, predictions = load_pairs(root, entities_only=True)
    start = time.perf_counter()
    y_true, y_pred = _bio(gold, predictions, root)
    conversion = time.perf_counter() - start
    start = time.perf_counter()
    report = classification_report(
        y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0
    )
    seconds = time.perf_counter() - start
    micro = report["micro avg"]
    return {
        "seconds": seconds,
        "conversion_seconds": conversion,
        "strict": {
            "precision": micro["precision"],
            "recall": micro["recall"],
            "f1": micro["f1-score"],
        },
    }


def stage_entities_nervaluate(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from nervaluate import Evaluator

    from propos import schema

    gold, predictions = load_pairs(root, entities_only=True)
    ids = sorted(gold)

    def spans(document: dict[str, Any]) -> list[dict[str, Any]]:
        # nervaluate's counts depend on list order; ours equal its run on text order
        # (start, end, type), as documented in propos.metrics.entities.
        ordered = sorted(
            document.get("entities", []), key=lambda e: (e["start"], e["end"], e["type"])
        )
        return [{"label": e["type"], "start": e["start"], "end": e["end"] - 1} for e in ordered]

    true = [spans(gold[d]) for d in ids]
    pred = [spans(predictions.get(d, {})) for d in ids]
    start = time.perf_counter()
    evaluator = Evaluator(true, pred, tags=list(schema.ENTITY_TYPES), loader="dict")
    results = evaluator.evaluate()
    seconds = time.perf_counter() - start
    overall = (
        results["overall"] if isinstance(results, dict) and "overall" in results else results[0]
    )
    summary = {}
    for scheme in ("strict", "exact", "partial", "ent_type"):
        figures = overall[scheme]
        summary[scheme] = {
            k: getattr(figures, k, None) if not isinstance(figures, dict) else figures.get(k)
            for k in ("correct", "incorrect", "partial", "missed", "spurious", "f1")
        }
    return {"seconds": seconds, "schemes": summary}


STAGES = {
    name.removeprefix("stage_"): function
    for name, function in globals().items()
    if name.startswith("stage_")
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("root", type=Path)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sample", type=int, default=2000)
    args = parser.parse_args()
    result = STAGES[args.stage](args.root, args.workers, args.sample)
    sys.stdout.write(json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    main()
