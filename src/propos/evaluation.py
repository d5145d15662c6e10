"""Scoring a submission against the gold of a split: the glue between files and metrics."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import msgspec

from propos import paths, schema
from propos.errors import ProposError
from propos.fileio import read_json, read_jsonl_documents
from propos.split import split_doc_ids
from propos.validate import Context, Corpus, submission_problems

Documents = dict[str, dict[str, Any]]

# A leaderboard task: the annotation layer it scores and whether entity types are coarsened.
TASKS: dict[str, dict[str, Any]] = {
    "ner": {"layer": "entities", "coarse": False, "title": "Named entities (fine types)"},
    "ner-coarse": {
        "layer": "entities",
        "coarse": True,
        "title": "Named entities (coarse CoNLL types)",
    },
    "quotes": {"layer": "quotes", "coarse": False, "title": "Quotations"},
    "events": {"layer": "events", "coarse": False, "title": "Events"},
}
TASK_OF_DECLARED = {"ner": ("ner", "ner-coarse"), "quotes": ("quotes",), "events": ("events",)}


def load_gold(doc_ids: list[str], gold_dir: Path | None = None) -> Documents:
    folder = gold_dir or paths.gold_dir()
    return {doc_id: read_json(folder / f"{doc_id}.json") for doc_id in doc_ids}


def load_paragraphs(doc_ids: list[str], clean_dir: Path | None = None) -> dict[str, list[Any]]:
    folder = clean_dir or paths.clean_dir()
    return {doc_id: read_json(folder / f"{doc_id}.json")["paragraphs"] for doc_id in doc_ids}


def coarsened(documents: Documents) -> Documents:
    """The same documents with entity types mapped onto the coarse set (GPE, FAC -> LOC)."""
    result = copy.deepcopy(documents)
    for document in result.values():
        for entity in document.get("entities", []):
            entity["type"] = schema.COARSE_TYPE.get(entity["type"], entity["type"])
    return result


def read_predictions(path: Path, doc_ids: list[str]) -> Documents:
    """A validated submission file; every problem is reported in one ProposError."""
    problems = submission_problems(path, Context(Corpus(paths.clean_dir()), split_doc_ids=doc_ids))
    if problems:
        listed = "; ".join(str(p) for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise ProposError(f"{path}: invalid submission: {listed}{more}; run `propos validate`")
    return read_jsonl_documents(path)


def score_task(
    task: str, gold: Documents, predictions: Documents, paragraphs: dict[str, list[Any]],
    resamples: int = 1000, seed: int = 0,
) -> dict[str, Any]:  # fmt: skip
    from propos.metrics import score

    spec = TASKS[task]
    if spec["coarse"]:
        gold, predictions = coarsened(gold), coarsened(predictions)
    return score(gold, predictions, paragraphs, resamples, seed, layers=(spec["layer"],))


def compare_task(
    task: str, gold: Documents, first: Documents, second: Documents,
    paragraphs: dict[str, list[Any]], resamples: int = 1000, seed: int = 0,
) -> float:  # fmt: skip
    """p-value of the paired bootstrap that ``first`` is not better than ``second``."""
    from propos.metrics import compare

    spec = TASKS[task]
    if spec["coarse"]:
        gold, first, second = coarsened(gold), coarsened(first), coarsened(second)
    result = compare(gold, first, second, paragraphs, resamples, seed, layers=(spec["layer"],))
    return float(result["headline"][spec["layer"]]["p_value"])


def evaluate_file(path: Path, split: str, resamples: int = 1000, seed: int = 0) -> dict[str, Any]:
    from propos.metrics import score

    doc_ids = split_doc_ids(split)
    predictions = read_predictions(path, doc_ids)
    gold = load_gold(doc_ids)
    paragraphs = load_paragraphs(doc_ids)
    result = score(gold, predictions, paragraphs, resamples, seed)
    result["entities_coarse"] = score_task(
        "ner-coarse", gold, predictions, paragraphs, resamples, seed
    )["headline"]["entities"]
    result["split"] = split
    return result


def table(result: dict[str, Any]) -> str:
    bootstrap = result["bootstrap"]
    headline = dict(result["headline"])
    headline["entities (coarse)"] = {
        **result["entities_coarse"],
        "name": "strict micro F1, coarse types",
    }
    width = max(len(name) for name in headline)
    lines = [
        f"split {result['split']}: {result['documents']['n_gold']} documents; 95% intervals from"
        f" {bootstrap['resamples']} bootstrap resamples over {bootstrap['n_units']}"
        f" {bootstrap['unit']}s (seed {bootstrap['seed']})",
        "",
        f"{'layer':<{width}}  {'F1':>6}  {'95% interval':>15}  metric",
    ]
    for layer, figure in headline.items():
        interval = f"[{figure['low']:.3f}, {figure['high']:.3f}]"
        lines.append(f"{layer:<{width}}  {figure['value']:>6.3f}  {interval:>15}  {figure['name']}")
    quotes, events = result["quotes"], result["events"]
    lines += [
        "",
        f"quotes: content exact F1 {quotes['content_exact']['f1']:.3f}, token F1"
        f" {quotes['content_tokens']['f1']:.3f}, cue F1 {quotes['cue']['f1']:.3f}, speaker"
        f" accuracy {quotes['speaker_accuracy']['accuracy']:.3f}",
        f"events: trigger identification F1 {events['trigger_identification']['f1']:.3f}, realis"
        f" accuracy {events['realis_accuracy']['accuracy']:.3f}, argument F1"
        f" {events['arguments']['f1']:.3f}",
    ]
    for layer, report in result.get("coreference", {}).items():
        lines.append(
            f"coreference {layer}: CoNLL F1 {report['predicted_mentions']['conll_f1']:.3f}"
            f" (gold mentions {report['gold_mentions']['conll_f1']:.3f})"
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- streaming, for large corpora


class _DocId(msgspec.Struct):
    doc_id: str


def prediction_index(path: Path) -> dict[str, tuple[int, int]]:
    """doc_id -> (byte offset, length) of each line of a submission, read once."""
    decoder = msgspec.json.Decoder(_DocId)
    index: dict[str, tuple[int, int]] = {}
    offset = 0
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                index[decoder.decode(line).doc_id] = (offset, len(line))
            offset += len(line)
    return index


def stream_unit_counts(
    gold_dir: Path, pred_path: Path, doc_ids: list[str], chunk: int = 1000
) -> dict[str, Any]:
    """Per-document (correct, predicted, gold) counts of each headline, read chunk by chunk."""
    import numpy as np

    from propos.metrics.report import unit_counts

    index = prediction_index(pred_path)
    parts: dict[str, list[Any]] = {}
    with pred_path.open("rb") as handle:
        for first in range(0, len(doc_ids), chunk):
            block = doc_ids[first : first + chunk]
            gold = {d: msgspec.json.decode((gold_dir / f"{d}.json").read_bytes()) for d in block}
            predictions = {}
            for doc_id in block:
                if doc_id in index:
                    offset, length = index[doc_id]
                    handle.seek(offset)
                    predictions[doc_id] = msgspec.json.decode(handle.read(length))
            for layer, counts in unit_counts(gold, predictions).items():
                parts.setdefault(layer, []).append(counts)
    return {layer: np.concatenate(arrays) for layer, arrays in parts.items()}


def stream_headlines(
    gold_dir: Path,
    pred_path: Path,
    doc_ids: list[str],
    resamples: int = 1000,
    seed: int = 0,
    chunk: int = 1000,
) -> dict[str, Any]:
    """Headline F1 with bootstrap intervals over documents, reading a chunk of documents at a
    time: memory holds one chunk plus one row of counts per document, whatever the corpus size.
    Coreference (clusters span the whole corpus) is left to :func:`propos.metrics.score`."""
    from propos.metrics import HEADLINES
    from propos.metrics.bootstrap import bootstrap_intervals, f1_values

    counts = stream_unit_counts(gold_dir, pred_path, doc_ids, chunk)
    intervals = bootstrap_intervals(counts, resamples, seed)
    headline = {
        layer: {
            "name": HEADLINES[layer],
            "value": float(f1_values(counts[layer].sum(axis=0))),
            "low": intervals[layer]["low"],
            "high": intervals[layer]["high"],
        }
        for layer in counts
    }
    bootstrap = {"unit": "document", "n_units": len(doc_ids), "resamples": resamples, "seed": seed}
    return {
        "headline": headline,
        "bootstrap": bootstrap,
        "coreference": "not computed when streaming",
    }
