"""Inter-annotator agreement between two annotation sets of the same documents.

F1 between two annotators is symmetric, so agreement is the metrics of :mod:`propos.metrics`
with one set in the role of the key; on top of them come token-level Cohen's kappa for
entities and the cluster agreement of the cross-document ids.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from propos import schema
from propos.corpus import Corpus
from propos.errors import ProposError
from propos.fileio import read_json
from propos.tokenize import bio_tags, tokenize

Documents = dict[str, dict[str, Any]]
CLUSTER_LAYERS = {"entities": "entity_id", "events": "event_id", "quotes": "utterance_id"}


def load_annotation_set(folder: Path) -> Documents:
    if not folder.is_dir():
        raise ProposError(f"{folder}: no such folder of annotation files", exit_code=2)
    documents = {}
    for path in sorted(folder.glob("*.json")):
        data = read_json(path)
        if isinstance(data, dict) and "doc_id" in data:
            documents[data["doc_id"]] = data
    if not documents:
        raise ProposError(f"{folder}: no annotation files")
    return documents


def of_collection(documents: Documents, corpus: Corpus, collection: str) -> Documents:
    """The documents of one collection; an unknown collection is a usage error."""
    from propos.collection import document_metadata

    origins = document_metadata(corpus)
    known = sorted({origin["collection"] for origin in origins.values()})
    if collection not in known:
        raise ProposError(
            f"unknown collection '{collection}' (known: {', '.join(known)})", exit_code=2
        )
    kept = {
        d: a for d, a in documents.items() if origins.get(d, {}).get("collection") == collection
    }
    if not kept:
        raise ProposError(f"no document of collection '{collection}' in this annotation set")
    return kept


def texts_of(clean_dir: Path, documents: Documents) -> dict[str, str]:
    """The cleaned text of every document of an annotation set."""
    texts = {}
    for doc_id in documents:
        path = clean_dir / f"{doc_id}.json"
        if not path.is_file():
            raise ProposError(f"{path}: no cleaned document for {doc_id} (run `propos clean`)")
        texts[doc_id] = read_json(path)["text"]
    return texts


def entity_kappa(first: Documents, second: Documents, texts: dict[str, str]) -> float:
    """Cohen's kappa over the fine IOB2 tags of every token of every document."""
    from sklearn.metrics import cohen_kappa_score

    tags_a: list[str] = []
    tags_b: list[str] = []
    for doc_id in sorted(first):
        tokens = tokenize(texts[doc_id])
        for documents, tags in ((first, tags_a), (second, tags_b)):
            spans = [(e["start"], e["end"], e["type"]) for e in documents[doc_id]["entities"]]
            tags.extend(bio_tags(tokens, spans))
    labels = ["O"] + [f"{p}-{t}" for t in schema.ENTITY_TYPES for p in "BI"]
    return float(cohen_kappa_score(tags_a, tags_b, labels=labels))


def _f1(block: dict[str, Any]) -> float:
    return float(block["f1"])


def same_documents(first: Documents, second: Documents) -> tuple[Documents, Documents]:
    """The two sets, refused unless they annotate the same documents."""
    if set(first) != set(second):
        only = sorted(set(first) ^ set(second))
        raise ProposError(f"the two sets annotate different documents: {', '.join(only)}")
    return first, second


def agreement(first: Documents, second: Documents, texts: dict[str, str]) -> dict[str, Any]:
    from propos.metrics import coreference_scores, entity_scores, event_scores, quote_scores

    same_documents(first, second)
    entities = entity_scores(first, second)
    quotes = quote_scores(first, second)
    events = event_scores(first, second)
    n_first = sum(len(d["quotes"]) for d in first.values())
    n_second = sum(len(d["quotes"]) for d in second.values())
    matched = quotes["matched"]
    clusters = {}
    for layer, field_name in CLUSTER_LAYERS.items():
        result = coreference_scores(first, second, layer)["predicted_mentions"]
        clusters[field_name] = {
            "muc": _f1(result["muc"]), "b_cubed": _f1(result["b_cubed"]),
            "ceaf_e": _f1(result["ceaf_e"]), "conll_f1": float(result["conll_f1"]),
            "lea": _f1(result["lea"]),
        }  # fmt: skip
    return {
        "documents": len(first),
        "counts": {
            layer: [sum(len(d[layer]) for d in side.values()) for side in (first, second)]
            for layer in ("entities", "quotes", "events")
        },
        "entities": {
            "strict_f1": _f1(entities["fine"]["micro"]["strict"]),
            "overlap_f1": _f1(entities["fine"]["micro"]["partial"]),
            "coarse_strict_f1": _f1(entities["coarse"]["micro"]["strict"]),
            "token_kappa": entity_kappa(first, second, texts),
        },
        "quotes": {
            "content_strict_f1": _f1(quotes["content_exact"]),
            "content_overlap_f1": 2 * matched / (n_first + n_second) if n_first + n_second else 0.0,
            "content_token_f1": _f1(quotes["content_tokens"]),
            "cue_f1": _f1(quotes["cue"]),
            "speaker_entity_accuracy": float(quotes["speaker_accuracy"]["accuracy"]),
            "kind_accuracy": float(quotes["kind_accuracy"]["accuracy"]),
        },
        "events": {
            "trigger_f1": _f1(events["trigger_identification"]),
            "trigger_type_f1": _f1(events["trigger_classification"]),
            "realis_accuracy": float(events["realis_accuracy"]["accuracy"]),
            "argument_f1": _f1(events["arguments"]),
        },
        "clusters": clusters,
    }


ROWS = {
    "entities": [
        ("strict_f1", "strict F1 (span and fine type)"),
        ("overlap_f1", "overlap F1 (SemEval partial scheme)"),
        ("coarse_strict_f1", "strict F1, coarse types"),
        ("token_kappa", "token-level Cohen's kappa (fine IOB2)"),
    ],
    "quotes": [
        ("content_strict_f1", "content, exact span F1"),
        ("content_overlap_f1", "content, overlap-matched F1"),
        ("content_token_f1", "content, token F1"),
        ("cue_f1", "cue F1"),
        ("speaker_entity_accuracy", "speaker entity accuracy (matched quotations)"),
        ("kind_accuracy", "kind accuracy (matched quotations)"),
    ],
    "events": [
        ("trigger_f1", "trigger span F1"),
        ("trigger_type_f1", "trigger span and type F1"),
        ("realis_accuracy", "realis accuracy (matched triggers)"),
        ("argument_f1", "argument F1 (role and entity span)"),
    ],
}


def markdown(result: dict[str, Any]) -> str:
    counts = ", ".join(f"{k} {a} / {b}" for k, (a, b) in result["counts"].items())
    lines = [f"Documents: {result['documents']}. Counts (first / second set): {counts}.", ""]
    lines += ["| layer | measure | agreement |", "| --- | --- | --- |"]
    for layer, rows in ROWS.items():
        for key, label in rows:
            lines.append(f"| {layer} | {label} | {result[layer][key]:.3f} |")
    lines += [
        "",
        "| cross-document ids | MUC | B-cubed | CEAF-e | CoNLL F1 | LEA |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, figures in result["clusters"].items():
        lines.append(
            f"| `{name}` | {figures['muc']:.3f} | {figures['b_cubed']:.3f} |"
            f" {figures['ceaf_e']:.3f} | {figures['conll_f1']:.3f} | {figures['lea']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def as_json(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2) + "\n"
