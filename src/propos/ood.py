"""Out-of-domain evaluation: the NER baselines, trained on the Propos train split, on an
imported external corpus (WiNER-fr), scored on coarse types with intervals over documents.

The external corpus is imported with the importer of `propos import brat` into a work folder
outside the repository (nothing of it is committed). The articles that are in the benchmark
(the Wikinews collection's manifest names their source files) are skipped with their reason,
an article that cannot be imported is listed as failed with its reason, and every imported
article is listed: the results say exactly which articles were scored. `propos ood` writes
the results to benchmark/out_of_domain.json for the default external corpus (rendered in
BASELINES.md by `propos baseline --report`), and beside its input folder for any other.

Caveat written with every figure: the ``wikinews`` cleaning profile (page-furniture rules)
was developed on the 2016 WiNER-fr articles, so cleaning is in-sample on them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from propos.corpus import Corpus
from propos.engine import Engine
from propos.errors import ProposError
from propos.fileio import read_json

OOD_BASELINES = (
    "spacy-fr-md",
    "spacy-fr-md-ft",
    "spacy-fr-md-winer",
    "crf",
    "crf-winer",
    "gazetteer",
)
RESULTS_FILE = "out_of_domain.json"
DEFAULT_EXTERNAL = "winer-fr"
BENCHMARK_COLLECTION = "wikinews"
CROSS_FIT_HALVES = (frozenset(f"{m:02d}" for m in range(1, 7)), frozenset())
"""The systems of :data:`CROSS_FITTED` train on external articles, so on them they are
cross-fitted: the articles of January to June are predicted by a model trained on the others,
then the rest by a model trained on January to June (halves of the year keep most stories on
one side)."""

CROSS_FITTED = ("crf-winer", "spacy-fr-md-winer")
"""The systems that train on external articles as well as the train split."""

REFERENCE_POINTS = (
    (
        "HIPE-2020, French NERC coarse, strict micro F1: best system",
        0.840,
        "Ehrmann et al. 2020, Extended Overview of CLEF HIPE 2020, CEUR-WS Vol-2696, paper 255"
        " (https://ceur-ws.org/Vol-2696/paper_255.pdf), NERC-Coarse French results;"
        " historical newspapers, OCR text",
    ),
    (
        "HIPE-2020, French NERC coarse, strict micro F1: organisers' CRF baseline",
        0.646,
        "the same overview (the organisers' CRF baseline)",
    ),
)
"""Published figures of French news NER that the tables are set beside (other corpora, other
conventions: orders of magnitude, not comparisons)."""


def benchmark_articles(corpus: Corpus) -> dict[str, str]:
    """External document id (the source file's stem) -> why it is not out of domain, for
    every article of the benchmark's Wikinews collection."""
    manifest = corpus.collections_dir / f"{BENCHMARK_COLLECTION}.json"
    if not manifest.exists():
        return {}
    skipped = {}
    for document in read_json(manifest).get("documents", []):
        stem = Path(document["source_file"]).stem
        skipped[stem] = (
            f"in the benchmark as {document['doc_id']} (story {document.get('story', '?')},"
            f" {manifest.relative_to(corpus.root)})"
        )
    return skipped


def external_doc_ids(root: Path) -> list[str]:
    ids = sorted(p.stem for p in (root / "annotations" / "gold").glob("*.json"))
    if not ids:
        raise ProposError(
            f"{root}: no imported documents (run `propos import brat ... --out {root}`)"
        )
    return ids


def cross_fit_halves(doc_ids: Sequence[str]) -> list[list[str]]:
    """The two halves of the year (WiNER ids begin YYYY_MM_DD)."""
    first = [d for d in doc_ids if d[5:7] in CROSS_FIT_HALVES[0]]
    second = [d for d in doc_ids if d[5:7] not in CROSS_FIT_HALVES[0]]
    return [half for half in (first, second) if half]


def predict(
    name: str, corpus: Corpus, external: Corpus, doc_ids: list[str]
) -> dict[str, dict[str, Any]]:
    """A baseline trained on ``corpus``'s train split, applied to ``external``'s documents."""
    from propos.baselines import ner_crf, ner_gazetteer, ner_spacy, ner_spacy_ft
    from propos.split import split_doc_ids

    train_ids = split_doc_ids("train", corpus.splits_file, corpus.clean_dir)
    if name in CROSS_FITTED:
        documents = []
        halves = cross_fit_halves(doc_ids)
        for number, half in enumerate(halves):
            others = [d for other in halves[:number] + halves[number + 1 :] for d in other]
            documents += train_and_apply(name, corpus, train_ids, external, others, half)
    elif name == "crf":
        model, gazetteer = ner_crf.train(corpus, train_ids)
        documents = ner_crf.apply(external, model, gazetteer, doc_ids)
    elif name == "gazetteer":
        gazetteer = ner_gazetteer.Gazetteer(corpus, train_ids)
        documents = ner_gazetteer.apply(external, gazetteer, doc_ids)
    elif name == "spacy-fr-md":
        documents = ner_spacy.predict(external, [], doc_ids)
    elif name == "spacy-fr-md-ft":
        documents = ner_spacy_ft.apply(external, ner_spacy_ft.train(corpus, train_ids), doc_ids)
    else:
        raise ProposError(f"no out-of-domain evaluation for baseline '{name}'", exit_code=2)
    return {document["doc_id"]: document for document in documents}


def train_and_apply(
    name: str,
    corpus: Corpus,
    train_ids: Sequence[str],
    external: Corpus,
    external_ids: Sequence[str],
    doc_ids: Sequence[str],
) -> list[dict[str, Any]]:
    """A system of :data:`CROSS_FITTED` trained on ``corpus``'s ``train_ids`` and
    ``external``'s ``external_ids``, applied to ``external``'s ``doc_ids`` (none of them)."""
    from propos.baselines import ner_crf, ner_crf_winer, ner_spacy_ft, ner_spacy_winer

    assert not set(external_ids) & set(doc_ids), "cross-fitting scores no training article"
    if name == "crf-winer":
        model, gazetteer = ner_crf_winer.train(corpus, train_ids, external, external_ids)
        return ner_crf.apply(external, model, gazetteer, doc_ids)
    nlp = ner_spacy_winer.train(corpus, train_ids, external, external_ids)
    documents: list[dict[str, Any]] = ner_spacy_ft.apply(external, nlp, doc_ids)
    return documents


def evaluate(
    corpus: Corpus,
    external: Corpus,
    resamples: int = 1000,
    systems: Sequence[str] = OOD_BASELINES,
) -> dict[str, Any]:
    from propos.evaluation import load_gold, score_task

    doc_ids = external_doc_ids(external.root)
    gold = load_gold(doc_ids, external.gold_dir)
    results: dict[str, Any] = {
        "documents": len(doc_ids),
        "mentions": sum(len(g["entities"]) for g in gold.values()),
        "systems": {},
    }
    for name in systems:
        started = time.perf_counter()
        predictions = predict(name, corpus, external, doc_ids)
        predict_seconds = time.perf_counter() - started
        started = time.perf_counter()
        scored = score_task("ner-coarse", gold, predictions, {}, resamples)
        micro = scored["entities"]["fine"]["micro"]
        per_type = scored["entities"]["fine"].get("per_type", {})
        results["systems"][name] = {
            "f1": scored["headline"]["entities"]["value"],
            "low": scored["headline"]["entities"]["low"],
            "high": scored["headline"]["entities"]["high"],
            "precision": micro["strict"]["precision"],
            "recall": micro["strict"]["recall"],
            "partial_f1": micro["partial"]["f1"],
            "per_type": {
                kind: {key: figures["strict"][key] for key in ("precision", "recall", "f1")}
                for kind, figures in sorted(per_type.items())
            },
            "error_kinds": error_kinds(external, predictions),
            "unit": scored["bootstrap"]["unit"],
            "n_units": scored["bootstrap"]["n_units"],
            "predict_seconds": round(predict_seconds, 1),
            "score_seconds": round(time.perf_counter() - started, 1),
        }
    return results


ERROR_KINDS_KEPT = 8


def error_kinds(external: Corpus, predictions: dict[str, dict[str, Any]]) -> dict[str, int]:
    """The most frequent kinds of error on coarse types (counts only: the external texts are
    not copied into the repository)."""
    from propos.baselines.evaluation import entity_errors

    counts = entity_errors(external, list(predictions.values()), coarse=True).counts
    ranked = sorted(counts, key=lambda kind: (-counts[kind], kind))[:ERROR_KINDS_KEPT]
    return {kind: counts[kind] for kind in ranked}


def describe_source(corpus: Corpus, external: Path) -> str:
    """The external folder as written in the results: relative to the corpus when it can be."""
    resolved = external.resolve()
    try:
        return os.path.relpath(resolved, corpus.root.resolve())
    except ValueError:  # another drive
        return str(resolved)


def run(
    corpus: Corpus,
    external: Path,
    work: Path,
    resamples: int = 1000,
    systems: Sequence[str] = OOD_BASELINES,
) -> dict[str, Any]:
    """Import (less the benchmark's articles), clean, validate and evaluate an external brat
    corpus, timing each stage."""
    import shutil

    from propos.clean import clean_corpus
    from propos.importer import Mapping, import_brat
    from propos.validate import validate_paths

    for name in systems:
        if name not in OOD_BASELINES:
            known = ", ".join(OOD_BASELINES)
            raise ProposError(f"no out-of-domain evaluation for '{name}' (known: {known})", 2)
    mapping = Mapping.load(corpus.mappings_dir / "winer-fr.json")
    shutil.rmtree(work, ignore_errors=True)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    report = import_brat(external, work, mapping, exclude=benchmark_articles(corpus))
    timings["import (read, map, clean, project)"] = time.perf_counter() - started
    if not report.imported_documents:
        raise ProposError(f"{external}: no article could be imported (see {work})")
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
    results = evaluate(corpus, imported, resamples, systems)
    timings["evaluate (predict and score)"] = time.perf_counter() - started
    summary = report.as_dict()
    years = sorted({doc_id[:4] for doc_id in report.imported_documents if doc_id[:4].isdigit()})
    default = external.resolve() == (corpus.external_dir / DEFAULT_EXTERNAL).resolve()
    command = "propos ood" + ("" if default else f" --external {describe_source(corpus, external)}")
    return {
        "corpus": mapping.name,
        "source": describe_source(corpus, external),
        "years": years,
        "command": command,
        "cleaning_profile": mapping.profile,
        "articles": {
            "imported": summary["imported_documents"],
            "failed": summary["failed_documents"],
            "skipped": summary["skipped_documents"],
        },
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


# ---------------------------------------------------------------- the report


def markdown(results: dict[str, Any]) -> str:
    years = ", ".join(results.get("years", [])) or "?"
    articles = results.get("articles", {})
    failed, skipped = articles.get("failed", []), articles.get("skipped", [])
    lines = [
        f"## Out-of-domain: {results['corpus']} (French Wikinews, {years})",
        "",
        f"Reproduce with `{results['command']}` (imports `{results.get('source', '?')}` into"
        " `dist/winer/`, which is not committed, and writes the results file,"
        " `benchmark/out_of_domain.json` for the default corpus).",
        f"{results['documents']} articles, {results['mentions']} entity mentions after mapping"
        " (Person -> PER, Organization -> ORG, Location -> LOC, Product and Event -> MISC;"
        " Date and Hour dropped; nested mentions flattened to the outermost);"
        f" {len(skipped)} articles skipped because they are in the benchmark (the Wikinews"
        f" collection), {len(failed)} failed to import"
        + (": " + "; ".join(f"{f['doc_id']} ({f['reason']})" for f in failed) if failed else "")
        + ". Strict micro F1 on the coarse types PER, ORG, LOC, MISC, with 95% bootstrap"
        " intervals over documents. Every system learns from the Propos train split only"
        " (`spacy-fr-md` is zero-shot), except `crf-winer` and `spacy-fr-md-winer`, which also"
        " train on WiNER-fr articles: their figures here are cross-fitted (the articles of"
        " January to June predicted by a model trained on those of July to December, and the"
        " other way round).",
        "",
        f"**Caveat:** the `{results.get('cleaning_profile', 'wikinews')}` cleaning profile (the"
        " rules that remove Wikinews page furniture) was developed on the 2016 WiNER-fr articles,"
        " so the cleaning is in-sample on them; the systems and their settings were not.",
        "",
        "| system | strict F1 (coarse) | 95% interval | precision | recall | partial F1 |"
        " PER F1 | ORG F1 | LOC F1 | MISC F1 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, figures in results["systems"].items():
        per_type = figures.get("per_type", {})
        type_cells = " | ".join(
            f"{per_type[kind]['f1']:.3f}" if kind in per_type else "-"
            for kind in ("PER", "ORG", "LOC", "MISC")
        )
        lines.append(
            f"| {name} | {figures['f1']:.3f} | [{figures['low']:.3f}, {figures['high']:.3f}] |"
            f" {figures['precision']:.3f} | {figures['recall']:.3f} | {figures['partial_f1']:.3f} |"
            f" {type_cells} |"
        )
    references = REFERENCE_POINTS
    lines += [f"| *{label}* | {value:.3f} | | | | | | | | |" for label, value, _ in references]
    lines += ["", "Reference points (other corpora; orders of magnitude only):"]
    lines += [f"- {label}: {value:.3f}. Source: {where}." for label, value, where in references]
    lines += ["", *error_analysis(results["systems"])]
    imported = results["import"]
    lines += [
        "",
        f"Import: {imported['documents']} documents; kept"
        f" {sum(imported['kept_mentions'].values())} mentions; dropped by type"
        f" {imported['dropped_types']}; nested {imported['dropped_nested']}; partly overlapping"
        f" {imported['dropped_overlapping']}; unmappable {imported['unmappable']}; validation"
        f" problems after projection: {results['validation_problems']}; files that are not"
        f" documents (no .ann): {imported.get('skipped_files', [])}. The imported, failed and"
        " skipped articles are listed, with reasons, in the results file.",
        "",
        "Throughput on the real articles (wall time, 2 cores shared):",
        "",
        "| stage | seconds | articles/s |",
        "| --- | --- | --- |",
    ]
    for stage, seconds in results["timings_seconds"].items():
        lines.append(
            f"| {stage} | {seconds:.1f} | {results['documents'] / seconds if seconds else 0:,.0f} |"
        )
    return "\n".join(lines) + "\n"


def error_analysis(systems: dict[str, Any]) -> list[str]:
    """Per system, its most frequent kinds of error on the external articles (coarse types)."""
    lines = [
        "Error analysis (the most frequent kinds of error of each system on these articles,"
        " coarse types; a boundary error is a prediction that overlaps a gold mention with other"
        " edges):",
        "",
    ]
    for name, figures in systems.items():
        kinds = figures.get("error_kinds", {})
        if kinds:
            shown = "; ".join(f"{kind} {count}" for kind, count in kinds.items())
            lines.append(f"- `{name}`: {shown}.")
    return lines
