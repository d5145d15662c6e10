"""How far a collection's final gold moved from the entity annotation it started from.

The Wikinews entities began as WiNER-fr's gold, projected onto the cleaned texts through
``annotations/mappings/winer-fr.json``, and were then reviewed to Propos's rules (GPE/LOC/FAC,
MISC, missed mentions, names that end in punctuation, entity ids). This module projects the
source annotation again, exactly as the import does, and scores it against the final gold with
the official entity scorer, gold as the reference. WiNER has one ``Location`` type, so the
comparison is on the coarse types (GPE, LOC and FAC count as LOC).

Per coarse type: the source's mentions, the gold's, those kept unchanged (strict match), the
share of the source that was kept (precision), the share of the gold that the source already
had (recall) and their F1. In the strict scheme's terms, "changed" mentions overlap a gold
mention but differ in span or type (incorrect), "added" ones are gold mentions no source mention
overlaps (missed), "removed" ones are source mentions no gold mention overlaps (spurious).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from propos.agreement import load_annotation_set, of_collection
from propos.collection import load_manifests
from propos.corpus import Corpus
from propos.errors import ProposError
from propos.importer import ImportReport, Mapping, import_document
from propos.metrics.entities import entity_scores
from propos.schema import COARSE_TYPES

Documents = dict[str, dict[str, Any]]


def _manifest(corpus: Corpus, collection: str) -> dict[str, Any]:
    external = [m for m in load_manifests(corpus) if "external" in m]
    for manifest in external:
        if manifest["collection"] == collection:
            return manifest
    known = ", ".join(m["collection"] for m in external) or "none"
    raise ProposError(
        f"collection '{collection}' was not imported from an annotated external corpus"
        f" (those that were: {known})",
        exit_code=2,
    )


def _mapping_file(corpus: Corpus, external: str) -> Path:
    path = corpus.mappings_dir / f"{external}.json"
    if not path.is_file():
        raise ProposError(f"{path}: no type mapping for the external corpus '{external}'")
    return path


def source_projections(corpus: Corpus, collection: str) -> tuple[Documents, ImportReport]:
    """The source's entity annotation of every document of ``collection``, projected onto the
    cleaned texts as the import projects it, keyed by the collection's document ids."""
    manifest = _manifest(corpus, collection)
    mapping = Mapping.load(_mapping_file(corpus, manifest["external"]))
    external_root = corpus.external_dir / manifest["external"]
    report = ImportReport()
    projections: Documents = {}
    for entry in manifest["documents"]:
        text_path = external_root / entry["source_file"]
        ann_path = text_path.with_suffix(".ann")
        if not ann_path.is_file():
            raise ProposError(f"{ann_path}: the source annotation of {entry['doc_id']} is missing")
        _, _, annotation = import_document(text_path, ann_path, mapping, report)
        if annotation["text_sha256"] != entry["text_sha256"]:
            raise ProposError(
                f"{text_path}: the cleaned text of {entry['doc_id']} differs from the registered"
                " one; run `propos clean` and check the source"
            )
        projections[entry["doc_id"]] = {**annotation, "doc_id": entry["doc_id"]}
        report.documents += 1
    return projections, report


def _type_row(label: str, block: dict[str, Any]) -> dict[str, Any]:
    strict = block["strict"]
    return {
        "type": label,
        "source": strict["actual"],
        "gold": strict["possible"],
        "kept": strict["correct"],
        "changed": strict["incorrect"],
        "added": strict["missed"],
        "removed": strict["spurious"],
        "precision": strict["precision"],
        "recall": strict["recall"],
        "f1": strict["f1"],
    }


def source_agreement(corpus: Corpus, collection: str = "wikinews") -> dict[str, Any]:
    """Coarse per-type agreement between ``collection``'s final gold and its source annotation."""
    manifest = _manifest(corpus, collection)
    gold = of_collection(load_annotation_set(corpus.gold_dir), corpus, collection)
    projections, report = source_projections(corpus, collection)
    missing = sorted(set(projections) - set(gold))
    if missing:
        raise ProposError(f"{corpus.gold_dir}: no gold for {', '.join(missing[:3])}")
    scores = entity_scores({d: gold[d] for d in projections}, projections)
    coarse = scores["coarse"]
    rows = [_type_row(label, coarse["per_type"][label]) for label in COARSE_TYPES]
    return {
        "collection": collection,
        "source": manifest["external"],
        "documents": len(projections),
        "per_type": rows,
        "micro": _type_row("all", coarse["micro"]),
        "type_scheme_f1": coarse["micro"]["type"]["f1"],
        "unmappable_source_mentions": sum(report.unmapped.values()),
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"Documents: {result['documents']}. Reference: the final gold; compared: {result['source']}"
        " projected through its mapping (coarse types, strict span and type).",
        "",
        "| type | source | gold | kept | changed | added | removed | precision | recall | F1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in [*result["per_type"], result["micro"]]:
        name = "**all**" if row["type"] == "all" else row["type"]
        lines.append(
            f"| {name} | {row['source']} | {row['gold']} | {row['kept']} | {row['changed']}"
            f" | {row['added']} | {row['removed']} | {row['precision']:.3f} | {row['recall']:.3f}"
            f" | {row['f1']:.3f} |"
        )
    lines += [
        "",
        f"Type-only F1 (any overlap, same coarse type): {result['type_scheme_f1']:.3f}."
        f" Source mentions that could not be projected (on lines that cleaning removes or splits,"
        f" such as the related-article lists): {result['unmappable_source_mentions']}.",
    ]
    return "\n".join(lines) + "\n"


def as_json(result: dict[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2) + "\n"
