"""Out-of-domain evaluation: the NER baselines, trained on the Propos train split, on an
imported external corpus (WiNER-fr), scored on coarse types with intervals over documents.

The external corpus is imported with `propos import brat` into a data root outside the project
(nothing of it is committed); the figures are written to benchmark/out_of_domain.json, which
the baselines report (`propos baseline --report`) renders in BASELINES.md.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from propos.corpus import Corpus
from propos.engine import Engine
from propos.errors import ProposError

OOD_BASELINES = ("spacy-fr-md", "crf")
RESULTS_FILE = "out_of_domain.json"


def external_doc_ids(root: Path) -> list[str]:
    ids = sorted(p.stem for p in (root / "annotations" / "gold").glob("*.json"))
    if not ids:
        raise ProposError(
            f"{root}: no imported documents (run `propos import brat ... --out {root}`)"
        )
    return ids


def predict(
    name: str, corpus: Corpus, external: Corpus, doc_ids: list[str]
) -> dict[str, dict[str, Any]]:
    """A baseline trained on ``corpus``'s train split, applied to ``external``'s documents."""
    from propos.baselines import ner_crf, ner_spacy
    from propos.split import split_doc_ids

    if name == "crf":
        train_ids = split_doc_ids("train", corpus.splits_file, corpus.clean_dir)
        model, gazetteer = ner_crf.train(corpus, train_ids)
        documents = ner_crf.apply(external, model, gazetteer, doc_ids)
    elif name == "spacy-fr-md":
        documents = ner_spacy.predict(external, [], doc_ids)
    else:
        raise ProposError(f"no out-of-domain evaluation for baseline '{name}'")
    return {document["doc_id"]: document for document in documents}


def evaluate(corpus: Corpus, external: Corpus, resamples: int = 1000) -> dict[str, Any]:
    from propos.evaluation import load_gold, score_task

    doc_ids = external_doc_ids(external.root)
    gold = load_gold(doc_ids, external.gold_dir)
    results: dict[str, Any] = {
        "documents": len(doc_ids),
        "mentions": sum(len(g["entities"]) for g in gold.values()),
        "systems": {},
    }
    for name in OOD_BASELINES:
        started = time.perf_counter()
        predictions = predict(name, corpus, external, doc_ids)
        predict_seconds = time.perf_counter() - started
        started = time.perf_counter()
        scored = score_task("ner-coarse", gold, predictions, {}, resamples)
        micro = scored["entities"]["fine"]["micro"]
        results["systems"][name] = {
            "f1": scored["headline"]["entities"]["value"],
            "low": scored["headline"]["entities"]["low"],
            "high": scored["headline"]["entities"]["high"],
            "precision": micro["strict"]["precision"],
            "recall": micro["strict"]["recall"],
            "partial_f1": micro["partial"]["f1"],
            "unit": scored["bootstrap"]["unit"],
            "n_units": scored["bootstrap"]["n_units"],
            "predict_seconds": round(predict_seconds, 1),
            "score_seconds": round(time.perf_counter() - started, 1),
        }
    return results


def run(corpus: Corpus, external: Path, work: Path, resamples: int = 1000) -> dict[str, Any]:
    """Import, clean, validate and evaluate an external brat corpus, timing each stage."""
    import shutil

    from propos.clean import clean_corpus
    from propos.importer import Mapping, import_brat
    from propos.validate import validate_paths

    mapping = Mapping.load(corpus.mappings_dir / "winer-fr.json")
    shutil.rmtree(work, ignore_errors=True)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    report = import_brat(external, work, mapping)
    timings["import (read, map, clean, project)"] = time.perf_counter() - started
    started = time.perf_counter()
    imported = Corpus.at(work)
    clean_corpus(imported.raw_dir, work / "reclean", imported.gold_dir, work,
                 profile=mapping.profile, engine=Engine(workers=os.cpu_count() or 1))  # fmt: skip
    timings["clean alone (wikinews profile, all cores)"] = time.perf_counter() - started
    shutil.rmtree(work / "reclean", ignore_errors=True)
    started = time.perf_counter()
    validation = validate_paths([imported.annotations_dir, imported.clean_dir], imported.clean_dir)
    timings["validate (gold, inventory, cleaned documents)"] = time.perf_counter() - started
    if validation.problems:
        first = validation.problems[0]
        raise ProposError(
            f"the imported corpus has {len(validation.problems)} validation problem(s),"
            f" first: {first}"
        )
    started = time.perf_counter()
    results = evaluate(corpus, imported, resamples)
    timings["evaluate (both baselines: predict and score)"] = time.perf_counter() - started
    summary = report.as_dict()
    return {
        "corpus": mapping.name,
        "command": "propos ood",
        "import": {
            key: summary[key]
            for key in (
                "documents",
                "kept_mentions",
                "dropped_types",
                "dropped_nested",
                "dropped_overlapping",
                "unmappable",
                "skipped_files",
            )
        },
        "validation_problems": len(validation.problems),
        "timings_seconds": {key: round(value, 1) for key, value in timings.items()},
        **results,
    }


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "## Out-of-domain: WiNER-fr (French Wikinews, 2016)",
        "",
        f"Reproduce with `{results['command']}` (imports `../shared/external/winer-fr` into"
        " `dist/winer/`, which is not committed, and writes `benchmark/out_of_domain.json`).",
        f"{results['documents']} articles, {results['mentions']} entity mentions after mapping"
        " (Person -> PER, Organization -> ORG, Location -> LOC, Product and Event -> MISC;"
        " Date and Hour dropped; nested mentions flattened to the outermost). The CRF is"
        " trained on the Propos train split only, spaCy is zero-shot; strict micro F1 on the"
        " coarse types PER, ORG, LOC, MISC, with 95% bootstrap intervals over documents. Read the"
        " gap with care: spaCy's French NER was trained on WikiNER (Wikipedia text, close to"
        " Wikinews), while the CRF has seen three articles about one story, so it recognises"
        " the names it saw and little else (high precision, low recall).",
        "",
        "| system | strict F1 (coarse) | 95% interval | precision | recall | partial F1 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, figures in results["systems"].items():
        lines.append(
            f"| {name} | {figures['f1']:.3f} | [{figures['low']:.3f}, {figures['high']:.3f}] |"
            f" {figures['precision']:.3f} | {figures['recall']:.3f} | {figures['partial_f1']:.3f} |"
        )
    imported = results["import"]
    lines += [
        "",
        f"Import: {imported['documents']} documents; kept"
        f" {sum(imported['kept_mentions'].values())} mentions; dropped by type"
        f" {imported['dropped_types']}; nested {imported['dropped_nested']}; partly overlapping"
        f" {imported['dropped_overlapping']}; unmappable {imported['unmappable']}; validation"
        f" problems after projection: {results['validation_problems']}; files that are not"
        f" documents (no .ann): {imported.get('skipped_files', [])}.",
        "",
        "Throughput on the real articles (wall time, 2 cores):",
        "",
        "| stage | seconds | articles/s |",
        "| --- | --- | --- |",
    ]
    for stage, seconds in results["timings_seconds"].items():
        lines.append(
            f"| {stage} | {seconds:.1f} | {results['documents'] / seconds if seconds else 0:,.0f} |"
        )
    return "\n".join(lines) + "\n"
