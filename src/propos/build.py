"""Build the Hugging Face dataset folder: Parquet files per config and split, and the card.

Configs: ``documents`` (text, metadata, every layer nested), ``ner`` (one row per sentence:
spaCy French tokens with offsets, fine and coarse IOB2 tags), ``quotes`` (one row per
quotation), ``events`` (one row per event mention), each with the splits ``train`` and
``test`` and the cross-validation splits ``fold<k>_train`` / ``fold<k>_test``; and
``inventory`` (the corpus's entities, events and utterances; one split, ``full``). Beside the
data: the card (``README.md``, see `propos.card`), ``croissant.json`` (`propos.croissant`) and
``DATASHEET.md``. The build writes into a temporary folder beside the target and swaps it in
at the end, so a failed build never leaves half a dataset; the same inputs give the same bytes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from propos import schema, workdir
from propos.corpus import Corpus
from propos.dataset_reader import data_file
from propos.engine import SERIAL, Engine, partitions, run_tasks
from propos.errors import ProposError
from propos.fileio import naming, read_json, write_atomic
from propos.sentences import sentence_spans
from propos.tokenize import bio_tags, tokenize

DOCUMENT_CONFIGS = ("documents", "ner", "quotes", "events")
INVENTORY = "inventory"
CONFIGS = (*DOCUMENT_CONFIGS, INVENTORY)
INVENTORY_SPLIT = "full"  # "all" is datasets' name for the union of splits
INVENTORY_KINDS = ("entity", "event", "utterance")
# Closed sets: a document of another collection or licence is refused (see `_class_index`).
COLLECTIONS = ("press", "wikinews")
LICENSES = ("research-only", "CC BY 2.5")
LICENSE_URLS = {"CC BY 2.5": "https://creativecommons.org/licenses/by/2.5/"}
MACHINE_TRANSLATED = ("no", "likely", "yes")
# Values the sources table uses for "not known"; they become nulls.
UNKNOWN = ("", "unknown")
METADATA_FIELDS = (
    "published",
    "modified",
    "date_stamp",
    "scrape_date",
    "credit",
    "byline",
)
SOURCE_FIELDS = ("outlet", "country", "language")
# Every config's rows carry these, so that one collection or story can be selected alone.
ORIGIN_FIELDS = ("collection", "story", "license")
# What each collection's documents say of their source when the sources table has no row.
COLLECTION_SOURCES = {"wikinews": {"outlet": "Wikinews (fr)", "language": "fr"}}


def bio_names(types: Iterable[str]) -> list[str]:
    return ["O"] + [f"{prefix}-{label}" for label in types for prefix in ("B", "I")]


FINE_TAGS = bio_names(schema.ENTITY_TYPES)
COARSE_TAGS = bio_names(schema.COARSE_TYPES)


# ---------------------------------------------------------------- features


@cache
def features(config: str) -> Any:
    from datasets import ClassLabel, Features, List, Value

    text = Value("string")
    integer = Value("int32")
    span = {"start": integer, "end": integer, "text": text}
    entity_type = ClassLabel(names=list(schema.ENTITY_TYPES))
    event_type = ClassLabel(names=list(schema.EVENT_TYPES))
    realis = ClassLabel(names=list(schema.REALIS_VALUES))
    kind = ClassLabel(names=list(schema.QUOTE_KINDS))
    role = ClassLabel(names=list(schema.ARGUMENT_ROLES))
    argument = {
        "entity": text,
        "role": role,
        "start": integer,
        "end": integer,
        "text": text,
        "entity_id": text,
    }
    entity = {
        "id": text,
        "start": integer,
        "end": integer,
        "text": text,
        "type": entity_type,
        "entity_id": text,
    }
    quote = {
        "id": text, "content": span, "kind": kind, "cue": span, "speaker": span,
        "speaker_entity_id": text, "utterance_id": text,
    }  # fmt: skip
    event = {
        "id": text, "trigger": span, "type": event_type, "realis": realis, "event_id": text,
        "arguments": List(argument),
    }  # fmt: skip
    origin = {
        "collection": ClassLabel(names=list(COLLECTIONS)),
        "story": text,
        "license": ClassLabel(names=list(LICENSES)),
    }
    if config == "documents":
        return Features(
            {
                "doc_id": text,
                **origin,
                "license_url": text,
                "attribution": text,
                "url": text,
                "date": text,
                "text": text,
                "title": text,
                "has_title": Value("bool"),
                **{name: text for name in METADATA_FIELDS},
                **{name: text for name in SOURCE_FIELDS},
                "machine_translated": ClassLabel(names=list(MACHINE_TRANSLATED)),
                "quality_flags": List(text),
                "paragraphs": List({"start": integer, "end": integer, "role": text}),
                "entities": List(entity),
                "quotes": List(quote),
                "events": List(event),
            }
        )
    if config == "ner":
        return Features(
            {
                "id": text,
                "doc_id": text,
                **origin,
                "sentence": integer,
                "start": integer,
                "tokens": List(text),
                "token_starts": List(integer),
                "token_ends": List(integer),
                "ner_tags": List(ClassLabel(names=FINE_TAGS)),
                "coarse_tags": List(ClassLabel(names=COARSE_TAGS)),
            }
        )
    if config == "quotes":
        return Features({"doc_id": text, **origin, **quote, "speaker_name": text})
    if config == "events":
        return Features({"doc_id": text, **origin, **event})
    if config == INVENTORY:
        return Features(
            {
                "id": text,
                "kind": ClassLabel(names=list(INVENTORY_KINDS)),
                "name": text,
                "type": ClassLabel(names=[*schema.ENTITY_TYPES, *schema.EVENT_TYPES]),
                "description": text,
                "speaker_entity_id": text,
                "aliases": List(text),
                "wikidata": text,
                "doc_ids": List(text),
                "mentions": integer,
            }
        )
    raise ValueError(config)


# ---------------------------------------------------------------- rows


@dataclass
class Inputs:
    """What every document's rows need; documents themselves are read one at a time."""

    clean_dir: Path
    gold_dir: Path
    inventory: dict[str, Any]
    assignments: dict[str, str]
    sources: dict[str, dict[str, str]]
    origins: dict[str, dict[str, Any]]
    # Every split a document belongs to (train or test, then one per fold), in card order.
    splits_of: dict[str, list[str]] = field(default_factory=dict)
    split_names: list[str] = field(default_factory=list)
    datasheet: Path | None = None


@dataclass
class Document:
    doc_id: str
    clean: dict[str, Any]
    gold: dict[str, Any]


def read_document(doc_id: str, inputs: Inputs) -> Document:
    clean_path = inputs.clean_dir / f"{doc_id}.json"
    gold_path = inputs.gold_dir / f"{doc_id}.json"
    if not clean_path.exists():
        raise ProposError(f"{clean_path}: document of the splits not cleaned (run `propos clean`)")
    if not gold_path.exists():
        raise ProposError(f"{gold_path}: document of the splits has no gold annotation")
    clean, gold = read_json(clean_path), read_json(gold_path)
    if gold.get("text_sha256") != clean["text_sha256"]:
        raise ProposError(
            f"{gold_path}: annotations were made on another text (run `propos validate`)"
        )
    return Document(doc_id, clean, gold)


def _arguments(event: dict[str, Any], mentions: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for argument in event.get("arguments", []):
        mention = mentions[argument["entity"]]
        rows.append(
            {"entity": argument["entity"], "role": argument["role"], "start": mention["start"],
             "end": mention["end"], "text": mention["text"], "entity_id": mention["entity_id"]}
        )  # fmt: skip
    return rows


def _events(gold: dict[str, Any]) -> list[dict[str, Any]]:
    mentions = {entity["id"]: entity for entity in gold["entities"]}
    return [{**event, "arguments": _arguments(event, mentions)} for event in gold["events"]]


def origin(document: Document, inputs: Inputs) -> dict[str, Any]:
    found = inputs.origins.get(document.doc_id, {})
    return {name: found.get(name) for name in ORIGIN_FIELDS}


def known(value: str | None) -> str | None:
    """A value of the sources table, or None where it says the value is not known."""
    return None if value is None or value.strip().lower() in UNKNOWN else value


def source_fields(document: Document, inputs: Inputs) -> dict[str, Any]:
    """Outlet, country, language and machine translation: a null where not known."""
    collection = inputs.origins.get(document.doc_id, {}).get("collection")
    source = inputs.sources.get(document.doc_id) or COLLECTION_SOURCES.get(collection or "", {})
    outlet = source.get("outlet") or ""
    return {
        # "unknown (a Mauritian site)": the outlet is not known; the country says the rest.
        "outlet": None if outlet.lower().startswith("unknown") else known(outlet),
        "country": known(source.get("country")),
        "language": known(source.get("language")),
        "machine_translated": known(source.get("machine_translated")),
    }


def attribution(document: Document, inputs: Inputs) -> str:
    """The credit to show with the text; for a press article, its outlet and agency if known."""
    found = inputs.origins.get(document.doc_id, {})
    if found.get("collection") != "press":
        return found.get("attribution") or ""
    source = inputs.sources.get(document.doc_id, {})
    outlet = source_fields(document, inputs)["outlet"] or "publisher not identified"
    agency = (source.get("agency_credit") or "").strip()
    return f"{outlet} ({agency})" if agency else outlet


def document_rows(document: Document, inputs: Inputs) -> list[dict[str, Any]]:
    clean, gold = document.clean, document.gold
    found = inputs.origins.get(document.doc_id, {})
    metadata = clean["metadata"]
    title = metadata.get("title") or ""
    return [
        {
            "doc_id": document.doc_id,
            **origin(document, inputs),
            "license_url": LICENSE_URLS.get(found.get("license") or ""),
            "attribution": attribution(document, inputs),
            "url": found.get("url"),
            "date": found.get("date"),
            "text": clean["text"],
            "title": title,
            "has_title": bool(title),
            **{name: metadata.get(name) or None for name in METADATA_FIELDS},
            **source_fields(document, inputs),
            "quality_flags": sorted({flag["flag"] for flag in clean["quality_flags"]}),
            "paragraphs": clean["paragraphs"],
            "entities": gold["entities"],
            "quotes": gold["quotes"],
            "events": _events(gold),
        }
    ]


def ner_rows(document: Document, inputs: Inputs) -> list[dict[str, Any]]:
    doc_id, text = document.doc_id, document.clean["text"]
    entities = document.gold["entities"]
    rows = []
    for index, (start, end) in enumerate(sentence_spans(text)):
        tokens = tokenize(text[start:end])
        if not tokens:
            continue
        inside = [e for e in entities if start <= e["start"] < end]
        fine = [(e["start"] - start, e["end"] - start, e["type"]) for e in inside]
        coarse = [(s, e, schema.COARSE_TYPE[t]) for s, e, t in fine]
        rows.append(
            {
                "id": f"{doc_id}-{index}",
                "doc_id": doc_id,
                **origin(document, inputs),
                "sentence": index,
                "start": start,
                "tokens": [t.text for t in tokens],
                "token_starts": [start + t.start for t in tokens],
                "token_ends": [start + t.end for t in tokens],
                "ner_tags": bio_tags(tokens, fine),
                "coarse_tags": bio_tags(tokens, coarse),
            }
        )
    return rows


def quote_rows(document: Document, inputs: Inputs) -> list[dict[str, Any]]:
    names = {entry["id"]: entry["name"] for entry in inputs.inventory.get("entities", [])}
    return [
        {
            "doc_id": document.doc_id,
            **origin(document, inputs),
            **quote,
            "speaker_name": names.get(quote["speaker_entity_id"] or ""),
        }
        for quote in document.gold["quotes"]
    ]


def event_rows(document: Document, inputs: Inputs) -> list[dict[str, Any]]:
    return [
        {"doc_id": document.doc_id, **origin(document, inputs), **event}
        for event in _events(document.gold)
    ]


ROW_MAKERS: dict[str, Callable[[Document, Inputs], list[dict[str, Any]]]] = {
    "documents": document_rows,
    "ner": ner_rows,
    "quotes": quote_rows,
    "events": event_rows,
}


def inventory_rows(inputs: Inputs) -> list[dict[str, Any]]:
    """One row per inventory entry, with the documents that mention it and how often."""
    mentioned: dict[str, list[str]] = {}
    for doc_id in sorted(inputs.assignments):
        gold = read_json(inputs.gold_dir / f"{doc_id}.json")
        ids = [entity.get("entity_id") for entity in gold["entities"]]
        ids += [event.get("event_id") for event in gold["events"]]
        ids += [quote.get("utterance_id") for quote in gold["quotes"]]
        for entry_id in ids:
            if entry_id:
                mentioned.setdefault(entry_id, []).append(doc_id)
    rows = []
    for kind, key in (("entity", "entities"), ("event", "events"), ("utterance", "utterances")):
        for entry in sorted(inputs.inventory.get(key, []), key=lambda e: e["id"]):
            found = mentioned.get(entry["id"], [])
            rows.append(
                {
                    "id": entry["id"],
                    "kind": kind,
                    "name": entry.get("name"),
                    "type": entry.get("type"),
                    "description": entry.get("description"),
                    "speaker_entity_id": entry.get("speaker_entity_id"),
                    "aliases": entry.get("aliases", []),
                    "wikidata": entry.get("wikidata"),
                    "doc_ids": sorted(set(found)),
                    "mentions": len(found),
                }
            )
    return rows


# ---------------------------------------------------------------- inputs


def fold_splits(splits: dict[str, Any], location: Path) -> dict[str, list[str]]:
    """Each document's cross-validation splits, ``fold<k>_train`` or ``fold<k>_test``."""
    assignments: dict[str, str] = splits["assignments"]
    found: dict[str, list[str]] = {doc_id: [] for doc_id in assignments}
    for fold in splits.get("folds", []):
        for part in ("train", "test"):
            for doc_id in fold.get(part, []):
                if doc_id in found:
                    found[doc_id].append(f"fold{fold['fold']}_{part}")
    for doc_id, names in found.items():
        if len(names) != len(splits.get("folds", [])):
            raise ProposError(
                f"{location}: document {doc_id} is not in exactly one part of every fold"
                " (run `propos split`)"
            )
    return found


def check_origins(origins: dict[str, dict[str, Any]], doc_ids: Iterable[str]) -> None:
    """Refuse, before building, a collection or licence outside the label sets."""
    for doc_id in sorted(doc_ids):
        found = origins.get(doc_id, {})
        for name, allowed in (("collection", COLLECTIONS), ("license", LICENSES)):
            value = found.get(name)
            if value is not None and value not in allowed:
                raise ProposError(
                    f"{doc_id}: {name} '{value}' is not one of {', '.join(allowed)}"
                    f" (corpus/collections/{found.get('collection')}.json; a new {name} needs"
                    " its label, licence terms and card row in propos.build and propos.card)"
                )


def load_inputs(
    clean_dir: Path, gold_dir: Path, inventory_path: Path, splits_path: Path, sources_path: Path,
    origins: dict[str, dict[str, Any]], datasheet: Path | None = None,
) -> Inputs:  # fmt: skip
    from propos.split import SPLIT_TARGETS, load_splits, read_sources

    splits = load_splits(splits_path)
    assignments: dict[str, str] = splits["assignments"]
    folds = fold_splits(splits, splits_path)
    check_origins(origins, assignments)
    splits_of = {doc_id: [split, *folds[doc_id]] for doc_id, split in assignments.items()}
    order = {split: index for index, split in enumerate(SPLIT_TARGETS)}
    main = sorted(set(assignments.values()), key=lambda x: (order.get(x, len(order)), x))
    fold_names = [
        f"fold{f['fold']}_{p}" for f in splits.get("folds", []) for p in ("train", "test")
    ]
    return Inputs(
        clean_dir, gold_dir, read_json(inventory_path), assignments, read_sources(sources_path),
        origins, splits_of, [*main, *fold_names], datasheet,
    )  # fmt: skip


# ---------------------------------------------------------------- writing

ROWS_PER_GROUP = 2000
DOCUMENTS_PER_PARTITION = 32  # fixed: the output never depends on the number of workers


def build_partition(
    doc_ids: list[str], inputs: Inputs
) -> list[tuple[str, dict[str, list[dict[str, Any]]]]]:
    """A task: every document's rows of each config, labels encoded as class ids."""
    found = []
    for doc_id in doc_ids:
        document = read_document(doc_id, inputs)
        rows = {
            config: [encode_labels(config, row) for row in ROW_MAKERS[config](document, inputs)]
            for config in DOCUMENT_CONFIGS
        }
        found.append((doc_id, rows))
    return found


def _all_rows(
    doc_ids: list[str], inputs: Inputs, engine: Engine, show_progress: bool
) -> Iterator[tuple[str, dict[str, list[dict[str, Any]]]]]:
    parts = partitions(doc_ids, DOCUMENTS_PER_PARTITION)
    for found in run_tasks(build_partition, parts, (inputs,), engine, "build", show_progress):
        yield from found


# ClassLabel fields are stored as class ids; this is datasets' encoding, done with a dict
# lookup per label instead of its generic recursive encoder (half of the build time).
_INDEX = {
    "entity_type": {label: i for i, label in enumerate(schema.ENTITY_TYPES)},
    "event_type": {label: i for i, label in enumerate(schema.EVENT_TYPES)},
    "realis": {label: i for i, label in enumerate(schema.REALIS_VALUES)},
    "quote_kind": {label: i for i, label in enumerate(schema.QUOTE_KINDS)},
    "role": {label: i for i, label in enumerate(schema.ARGUMENT_ROLES)},
    "fine": {label: i for i, label in enumerate(FINE_TAGS)},
    "coarse": {label: i for i, label in enumerate(COARSE_TAGS)},
    "collection": {label: i for i, label in enumerate(COLLECTIONS)},
    "license": {label: i for i, label in enumerate(LICENSES)},
    "machine_translated": {label: i for i, label in enumerate(MACHINE_TRANSLATED)},
    "kind": {label: i for i, label in enumerate(INVENTORY_KINDS)},
    "inventory_type": {
        label: i for i, label in enumerate([*schema.ENTITY_TYPES, *schema.EVENT_TYPES])
    },
}


def _class_index(name: str, value: str | None, where: str) -> int | None:
    """A class label's id; None stays None (a missing value), an unknown value is refused."""
    if value is None:
        return None
    index = _INDEX[name].get(value)
    if index is None:
        raise ProposError(
            f"{where}: {name} '{value}' is not one of {', '.join(_INDEX[name])}"
            " (add it to propos.build's label sets)"
        )
    return index


def _origin_ids(row: dict[str, Any]) -> dict[str, Any]:
    where = row.get("doc_id") or row.get("id") or "?"
    return {**row, "collection": _class_index("collection", row["collection"], where),
            "license": _class_index("license", row["license"], where)}  # fmt: skip


def _entity_ids(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**e, "type": _INDEX["entity_type"][e["type"]]} for e in entities]


def _quote_ids(quote: dict[str, Any]) -> dict[str, Any]:
    return {**quote, "kind": _INDEX["quote_kind"][quote["kind"]]}


def _event_ids(event: dict[str, Any]) -> dict[str, Any]:
    arguments = [{**a, "role": _INDEX["role"][a["role"]]} for a in event["arguments"]]
    return {**event, "type": _INDEX["event_type"][event["type"]],
            "realis": _INDEX["realis"][event["realis"]], "arguments": arguments}  # fmt: skip


def encode_labels(config: str, row: dict[str, Any]) -> dict[str, Any]:
    if config == INVENTORY:
        return {**row, "kind": _INDEX["kind"][row["kind"]],
                "type": _class_index("inventory_type", row["type"], row["id"])}  # fmt: skip
    row = _origin_ids(row)
    if config == "documents":
        translated = _class_index("machine_translated", row["machine_translated"], row["doc_id"])
        return {**row, "machine_translated": translated,
                "entities": _entity_ids(row["entities"]),
                "quotes": [_quote_ids(q) for q in row["quotes"]],
                "events": [_event_ids(v) for v in row["events"]]}  # fmt: skip
    if config == "ner":
        return {**row, "ner_tags": [_INDEX["fine"][t] for t in row["ner_tags"]],
                "coarse_tags": [_INDEX["coarse"][t] for t in row["coarse_tags"]]}  # fmt: skip
    if config == "quotes":
        return _quote_ids(row)
    return _event_ids(row)


class ParquetSink:
    """One Parquet file per config and split, written in row groups as rows arrive; rows
    arrive with their labels encoded (`encode_labels`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.buffers: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.writers: dict[tuple[str, str], Any] = {}
        self.counts: dict[tuple[str, str], int] = {}
        self.nbytes: dict[tuple[str, str], int] = {}  # Arrow bytes, as `datasets` counts them

    def add(self, config: str, split: str, rows: list[dict[str, Any]]) -> None:
        key = (config, split)
        self.counts[key] = self.counts.get(key, 0) + len(rows)
        buffer = self.buffers.setdefault(key, [])
        buffer.extend(rows)
        if len(buffer) >= ROWS_PER_GROUP:
            self.flush(key)

    def flush(self, key: tuple[str, str]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        config, split = key
        arrow_schema = features(config).arrow_schema
        path = self.root / data_file(config, split)
        with naming(path):
            if key not in self.writers:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.writers[key] = pq.ParquetWriter(str(path), arrow_schema)
            table = pa.Table.from_pylist(self.buffers.get(key, []), schema=arrow_schema)
            self.nbytes[key] = self.nbytes.get(key, 0) + table.nbytes
            self.writers[key].write_table(table)
        self.buffers[key] = []

    def close(self) -> None:
        for key in sorted(self.buffers):
            if self.buffers[key] or key not in self.writers:
                self.flush(key)
        for (config, split), writer in self.writers.items():
            with naming(self.root / data_file(config, split)):
                writer.close()


def build_dataset(
    inputs: Inputs, out_dir: Path, show_progress: bool | None = None, engine: Engine = SERIAL
) -> dict[str, dict[str, int]]:
    """Write the dataset folder; returns the number of rows per config and split."""
    work = workdir.create(out_dir, "build")
    visible = sys.stderr.isatty() if show_progress is None else show_progress
    doc_ids = sorted(inputs.assignments)
    sink = ParquetSink(work)
    try:
        for split in inputs.split_names:
            for config in DOCUMENT_CONFIGS:
                sink.add(config, split, [])
        for doc_id, rows in _all_rows(doc_ids, inputs, engine, visible):
            for config in DOCUMENT_CONFIGS:
                for split in inputs.splits_of[doc_id]:
                    sink.add(config, split, rows[config])
        inventory = [encode_labels(INVENTORY, row) for row in inventory_rows(inputs)]
        sink.add(INVENTORY, INVENTORY_SPLIT, inventory)
        sink.close()
        sizes = write_release_files(work, sink, inputs)
        workdir.swap_in(work, out_dir)
    except BaseException:
        workdir.discard(work)
        raise
    return sizes


def write_release_files(work: Path, sink: ParquetSink, inputs: Inputs) -> dict[str, dict[str, int]]:
    """The card, the Croissant metadata and the datasheet beside the Parquet files."""
    from propos.card import SplitSize, card_text
    from propos.croissant import croissant_text

    splits = {config: inputs.split_names for config in DOCUMENT_CONFIGS}
    splits[INVENTORY] = [INVENTORY_SPLIT]
    sizes = {
        config: {
            split: SplitSize(
                sink.counts[(config, split)],
                sink.nbytes.get((config, split), 0),
                (work / data_file(config, split)).stat().st_size,
            )
            for split in names
        }
        for config, names in splits.items()
    }
    if inputs.datasheet is not None:
        write_atomic(work / "DATASHEET.md", inputs.datasheet.read_text(encoding="utf-8"))
    wikidata_ids = sum(1 for entry in inputs.inventory.get("entities", []) if entry.get("wikidata"))
    card = card_text(sizes, datasheet=inputs.datasheet is not None, wikidata_ids=wikidata_ids)
    write_atomic(work / "README.md", card)
    write_atomic(work / "croissant.json", croissant_text(work, sizes))
    return {
        config: {split: size.rows for split, size in split_sizes.items()}
        for config, split_sizes in sizes.items()
    }


def corpus_inputs(corpus: Corpus) -> Inputs:
    from propos.collection import document_metadata

    return load_inputs(
        corpus.clean_dir, corpus.gold_dir, corpus.inventory_file, corpus.splits_file,
        corpus.sources_file, document_metadata(corpus),
        corpus.datasheet_file if corpus.datasheet_file.is_file() else None,
    )  # fmt: skip
