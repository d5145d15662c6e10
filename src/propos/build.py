"""Build the Hugging Face dataset folder: Parquet parts per config and split, and the card.

Configs: ``documents`` (text, metadata, every layer nested), ``ner`` (one row per sentence:
spaCy French tokens with offsets, fine and coarse IOB2 tags), ``quotes`` (one row per
quotation), ``events`` (one row per event mention), each with the splits ``train`` and
``test`` and the cross-validation splits ``fold<k>_train`` / ``fold<k>_test``; and
``inventory`` (the corpus's entities, events and utterances; one split, ``full``). Beside the
data: the card (``README.md``, see `propos.card`), ``croissant.json`` (`propos.croissant`) and
``DATASHEET.md``. The build writes into a work folder beside the target and swaps it in at the
end, so a failed build never leaves half a dataset. Documents are taken in fixed partitions of
DOCUMENTS_PER_PARTITION; the task of partition k writes part k of every config's split, so the
same inputs give the same bytes whatever the number of workers.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propos import schema, workdir
from propos.corpus import Corpus
from propos.dataset_reader import part_file, split_parts
from propos.engine import SERIAL, Engine, partitions, run_tasks
from propos.errors import ProposError
from propos.fileio import current_umask, naming, read_json, write_atomic
from propos.sentences import sentence_starts
from propos.tokenize import token_offsets

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

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


@cache
def arrow_schema_of(config: str) -> Any:
    """The Arrow schema of a config, with its features in the metadata (costly to make)."""
    return features(config).arrow_schema


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

    @cached_property
    def entity_names(self) -> dict[str, str]:
        """Each inventory entity's canonical name, by id."""
        return {entry["id"]: entry["name"] for entry in self.inventory.get("entities", [])}


@dataclass
class Document:
    doc_id: str
    clean: dict[str, Any]
    gold: dict[str, Any]

    @cached_property
    def events(self) -> list[dict[str, Any]]:
        """The gold events, each argument with its mention's offsets, text and entity id."""
        return _events(self.gold, encoded=False)

    @cached_property
    def encoded(self) -> dict[str, list[dict[str, Any]]]:
        """The three layers with their class labels as ids, each record copied once: what the
        ``documents``, ``quotes`` and ``events`` rows of the build hold."""
        return {
            "entities": _entity_ids(self.gold["entities"]),
            "quotes": [_quote_ids(quote) for quote in self.gold["quotes"]],
            "events": _events(self.gold, encoded=True),
        }

    def layers(self, encoded: bool) -> dict[str, list[dict[str, Any]]]:
        if encoded:
            return self.encoded
        gold = self.gold
        return {"entities": gold["entities"], "quotes": gold["quotes"], "events": self.events}


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


def _arguments(
    event: dict[str, Any], mentions: dict[str, dict[str, Any]], roles: dict[str, int] | None
) -> list[dict[str, Any]]:
    """An event's arguments with their mentions; roles as ids when ``roles`` is given."""
    rows = []
    for argument in event.get("arguments", []):
        mention = mentions[argument["entity"]]
        role = argument["role"] if roles is None else roles[argument["role"]]
        rows.append(
            {"entity": argument["entity"], "role": role, "start": mention["start"],
             "end": mention["end"], "text": mention["text"], "entity_id": mention["entity_id"]}
        )  # fmt: skip
    return rows


def _events(gold: dict[str, Any], encoded: bool) -> list[dict[str, Any]]:
    mentions = {entity["id"]: entity for entity in gold["entities"]}
    if not encoded:
        return [{**v, "arguments": _arguments(v, mentions, None)} for v in gold["events"]]
    types, realis, roles = _INDEX["event_type"], _INDEX["realis"], _INDEX["role"]
    return [
        {**v, "type": types[v["type"]], "realis": realis[v["realis"]],
         "arguments": _arguments(v, mentions, roles)}
        for v in gold["events"]
    ]  # fmt: skip


def origin(document: Document, inputs: Inputs, encoded: bool = False) -> dict[str, Any]:
    """Collection, story and licence; the class labels as ids when ``encoded``."""
    found = inputs.origins.get(document.doc_id, {})
    values = {name: found.get(name) for name in ORIGIN_FIELDS}
    if encoded:
        for name in ("collection", "license"):
            values[name] = _class_index(name, values[name], document.doc_id)
    return values


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


def document_rows(
    document: Document, inputs: Inputs, encoded: bool = False
) -> list[dict[str, Any]]:
    """The document's one row; class labels as names, or as ids when ``encoded``."""
    clean, layers = document.clean, document.layers(encoded)
    found = inputs.origins.get(document.doc_id, {})
    metadata = clean["metadata"]
    title = metadata.get("title") or ""
    row = {
        "doc_id": document.doc_id,
        **origin(document, inputs, encoded),
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
        **layers,
    }
    if encoded:
        translated = row["machine_translated"]
        row["machine_translated"] = _class_index("machine_translated", translated, document.doc_id)
    return [row]


@dataclass
class NerColumns:
    """One document's ``ner`` rows as columns: one entry per sentence that has tokens, and the
    tokens of all those sentences end to end (every token lies in one sentence)."""

    sentences: list[int]  # the index of each row's sentence in the document
    starts: list[int]  # where each row's sentence starts
    counts: list[int]  # tokens per row
    tokens: list[str]
    token_starts: np.ndarray
    token_ends: np.ndarray
    fine: np.ndarray  # class ids of FINE_TAGS, one per token
    coarse: np.ndarray  # class ids of COARSE_TAGS


# The class id of B-<type>; I-<type> is the next one (see `bio_names`).
FINE_BEGIN = {label: FINE_TAGS.index(f"B-{label}") for label in schema.ENTITY_TYPES}
COARSE_BEGIN = {
    label: COARSE_TAGS.index(f"B-{schema.COARSE_TYPE[label]}") for label in schema.ENTITY_TYPES
}


def ner_columns(document: Document) -> NerColumns:
    """Tokens of the whole text from one tokenizer call, cut into sentences by their offsets.

    Sentences end at white space, where spaCy splits too, so the tokens are those of each
    sentence tokenised alone; an entity's tags stop at the end of the sentence it starts in.
    """
    import numpy as np

    text = document.clean["text"]
    starts, ends = token_offsets(text)
    sentence_start = np.array(sentence_starts(text), dtype=np.int64)
    bounds = np.append(np.searchsorted(starts, sentence_start), len(starts))
    counts = np.diff(bounds)
    rows = np.flatnonzero(counts)
    fine, coarse = entity_tags(document.gold["entities"], starts, ends, sentence_start, bounds)
    return NerColumns(
        rows.tolist(),
        sentence_start[rows].tolist(),
        counts[rows].tolist(),
        [text[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)],
        starts,
        ends,
        fine,
        coarse,
    )


def entity_tags(
    entities: list[dict[str, Any]], starts: np.ndarray, ends: np.ndarray,
    sentence_start: np.ndarray, bounds: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """IOB2 class ids, fine and coarse: a token is inside an entity when it overlaps it and
    lies in the sentence where the entity starts; the first such token gets B-. Each entity's
    tokens are found by bisection (linear overall); entities in (start, end, type) order, a
    later one overwriting an earlier one's tokens (`tokenize.bio_tags` does the same)."""
    import numpy as np

    fine = np.zeros(len(starts), dtype=np.int64)
    coarse = np.zeros(len(starts), dtype=np.int64)
    ordered = sorted(entities, key=lambda e: (e["start"], e["end"], e["type"]))
    entity_starts = np.array([e["start"] for e in ordered], dtype=np.int64)
    entity_ends = np.array([e["end"] for e in ordered], dtype=np.int64)
    first = np.searchsorted(ends, entity_starts, side="right")
    sentence = np.searchsorted(sentence_start, entity_starts, side="right") - 1
    stop = np.minimum(np.searchsorted(starts, entity_ends), bounds[sentence + 1])
    tagged = first < stop
    first, stop = first[tagged], stop[tagged]
    types = [e["type"] for e, keep in zip(ordered, tagged.tolist(), strict=True) if keep]
    for tags, begin in ((fine, FINE_BEGIN), (coarse, COARSE_BEGIN)):
        labels = np.array([begin[label] for label in types], dtype=np.int64)
        if (stop[:-1] > first[1:]).any():  # entities sharing a token: in order, one by one
            spans = zip(first.tolist(), stop.tolist(), labels.tolist(), strict=True)
            for position, end, label in spans:
                tags[position] = label
                tags[position + 1 : end] = label + 1
            continue
        tags[first] = labels
        inside = stop - first - 1  # tokens after the first, per entity
        offsets = np.repeat(first + 1 - (np.cumsum(inside) - inside), inside)
        tags[np.arange(int(inside.sum())) + offsets] = np.repeat(labels + 1, inside)
    return fine, coarse


def ner_rows(document: Document, inputs: Inputs) -> list[dict[str, Any]]:
    """The ``ner`` rows of a document as records, tags as names (what `encode_labels` takes)."""
    doc_id, columns = document.doc_id, ner_columns(document)
    rows, position = [], 0
    for sentence, start, count in zip(
        columns.sentences, columns.starts, columns.counts, strict=True
    ):
        end = position + count
        rows.append(
            {
                "id": f"{doc_id}-{sentence}",
                "doc_id": doc_id,
                **origin(document, inputs),
                "sentence": sentence,
                "start": start,
                "tokens": columns.tokens[position:end],
                "token_starts": columns.token_starts[position:end].tolist(),
                "token_ends": columns.token_ends[position:end].tolist(),
                "ner_tags": [FINE_TAGS[i] for i in columns.fine[position:end].tolist()],
                "coarse_tags": [COARSE_TAGS[i] for i in columns.coarse[position:end].tolist()],
            }
        )
        position = end
    return rows


def quote_rows(document: Document, inputs: Inputs, encoded: bool = False) -> list[dict[str, Any]]:
    names, found = inputs.entity_names, origin(document, inputs, encoded)
    return [
        {
            "doc_id": document.doc_id,
            **found,
            **quote,
            "speaker_name": names.get(quote["speaker_entity_id"] or ""),
        }
        for quote in document.layers(encoded)["quotes"]
    ]


def event_rows(document: Document, inputs: Inputs, encoded: bool = False) -> list[dict[str, Any]]:
    found = origin(document, inputs, encoded)
    return [
        {"doc_id": document.doc_id, **found, **event}
        for event in document.layers(encoded)["events"]
    ]


# Each takes (document, inputs, encoded): class labels as names, or as ids when encoded.
ROW_MAKERS: dict[str, Callable[..., list[dict[str, Any]]]] = {
    "documents": document_rows,
    "quotes": quote_rows,
    "events": event_rows,
}


def mentioned_ids(gold: dict[str, Any]) -> list[str]:
    """The inventory ids a document's annotations point to, one per mention."""
    ids = [entity.get("entity_id") for entity in gold["entities"]]
    ids += [event.get("event_id") for event in gold["events"]]
    ids += [quote.get("utterance_id") for quote in gold["quotes"]]
    return [entry_id for entry_id in ids if entry_id]


@dataclass
class InventoryMentions:
    """Each inventory id's mentions: how many, and in which documents. Folded in a document at
    a time, it holds one entry per (id, document) pair instead of one string per mention (at
    100,000 documents, the difference between tens and hundreds of megabytes)."""

    counts: Counter[str] = field(default_factory=Counter)
    documents: dict[str, list[str]] = field(default_factory=dict)

    def add(self, doc_id: str, ids: list[str]) -> None:
        """Fold in one document's `mentioned_ids`."""
        self.counts.update(ids)
        for entry_id in dict.fromkeys(ids):
            self.documents.setdefault(entry_id, []).append(doc_id)


def inventory_rows(inputs: Inputs, mentions: InventoryMentions) -> list[dict[str, Any]]:
    """One row per inventory entry, with the documents that mention it and how often."""
    rows = []
    for kind, key in (("entity", "entities"), ("event", "events"), ("utterance", "utterances")):
        for entry in sorted(inputs.inventory.get(key, []), key=lambda e: e["id"]):
            entry_id = entry["id"]
            rows.append(
                {
                    "id": entry_id,
                    "kind": kind,
                    "name": entry.get("name"),
                    "type": entry.get("type"),
                    "description": entry.get("description"),
                    "speaker_entity_id": entry.get("speaker_entity_id"),
                    "aliases": entry.get("aliases", []),
                    "wikidata": entry.get("wikidata"),
                    "doc_ids": sorted(mentions.documents.get(entry_id, [])),
                    "mentions": mentions.counts[entry_id],
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
DOCUMENTS_PER_PARTITION = 64  # fixed: the output never depends on the number of workers


@dataclass(frozen=True)
class Partition:
    """Consecutive documents whose rows one task writes, as part ``index`` of every config's
    splits (of ``count`` partitions in all)."""

    index: int
    count: int
    doc_ids: list[str]

    def __str__(self) -> str:  # how the engine names a failing task
        first = self.doc_ids[0] if self.doc_ids else "no document"
        return f"{first} (partition {self.index + 1} of {self.count})"


@dataclass
class Written:
    """What a task wrote: rows, Arrow bytes and file bytes per (config, split) of each part it
    wrote, and each document's inventory mentions (for the inventory, written by the driver)."""

    sizes: dict[tuple[str, str], tuple[int, int, int]]
    mentions: dict[str, list[str]]


def build_partition(partition: Partition, inputs: Inputs, work: Path) -> Written:
    """A task: read the partition's documents and write its part of every config and split
    into the work folder, under a name fixed by the partition alone. No part is written for a
    split without rows here (`datasets` refuses an empty Parquet file)."""
    with collector_paused():
        documents = [read_document(doc_id, inputs) for doc_id in partition.doc_ids]
        in_split = {split: [split in inputs.splits_of[d.doc_id] for d in documents]
                    for split in inputs.split_names}  # fmt: skip
        sizes = {}
        for config in DOCUMENT_CONFIGS:
            made = [config_rows(config, document, inputs) for document in documents]
            for split in inputs.split_names:
                chosen = [rows for rows, keep in zip(made, in_split[split], strict=True) if keep]
                table = config_table(config, chosen)
                if table.num_rows:
                    path = work / part_file(config, split, partition.index)
                    sizes[(config, split)] = write_part(path, table)
        return Written(sizes, {d.doc_id: mentioned_ids(d.gold) for d in documents})


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a partition is built, as it was after.

    A partition's decoded documents and rows are many containers and no reference cycles (they
    are freed by reference counting); the collector rescanning them took a tenth of the build.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def config_rows(config: str, document: Document, inputs: Inputs) -> Any:
    """A document's rows of one config: `NerColumns` for ``ner``, encoded records otherwise."""
    if config == "ner":
        return document.doc_id, origin(document, inputs, encoded=True), ner_columns(document)
    return ROW_MAKERS[config](document, inputs, encoded=True)


def config_table(config: str, documents: list[Any]) -> pa.Table:
    """One Arrow table of the rows of some documents (`config_rows`), in document order."""
    import pyarrow as pa

    arrow_schema = arrow_schema_of(config)
    if config != "ner":
        return pa.Table.from_pylist([row for rows in documents for row in rows], arrow_schema)
    return ner_table(documents, arrow_schema)


def ner_table(documents: list[Any], arrow_schema: pa.Schema) -> pa.Table:
    """The ``ner`` table built column by column: the token lists share one offsets array."""
    import numpy as np
    import pyarrow as pa

    ids, doc_ids, collections, stories, licenses, sentences, starts = ([] for _ in range(7))
    counts, tokens = [], []
    for doc_id, found, columns in documents:
        rows = len(columns.sentences)
        ids += [f"{doc_id}-{sentence}" for sentence in columns.sentences]
        doc_ids += [doc_id] * rows
        collections += [found["collection"]] * rows
        stories += [found["story"]] * rows
        licenses += [found["license"]] * rows
        sentences += columns.sentences
        starts += columns.starts
        counts += columns.counts
        tokens += columns.tokens
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts, dtype=np.int64)]), pa.int32())

    def flat(name: str, dtype: type) -> np.ndarray:
        parts = [getattr(columns, name) for _, _, columns in documents]
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

    def listed(values: Any, column: str) -> pa.Array:
        list_type = arrow_schema.field(column).type
        return pa.ListArray.from_arrays(offsets, pa.array(values, list_type.value_type), list_type)

    by_name = {
        "id": ids, "doc_id": doc_ids, "collection": collections, "story": stories,
        "license": licenses, "sentence": sentences, "start": starts,
        "tokens": listed(tokens, "tokens"),
        "token_starts": listed(flat("token_starts", np.int32), "token_starts"),
        "token_ends": listed(flat("token_ends", np.int32), "token_ends"),
        "ner_tags": listed(flat("fine", np.int64), "ner_tags"),
        "coarse_tags": listed(flat("coarse", np.int64), "coarse_tags"),
    }  # fmt: skip
    arrays = [
        value if isinstance(value, pa.Array) else pa.array(value, arrow_schema.field(name).type)
        for name, value in by_name.items()
    ]
    return pa.Table.from_arrays(arrays, schema=arrow_schema)


def write_part(path: Path, table: pa.Table) -> tuple[int, int, int]:
    """Write one Parquet part: to a temporary name beside it, then renamed (a reader of the
    work folder never sees half a part). Returns its rows, Arrow bytes and file bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with naming(path):
        buffer = pa.BufferOutputStream()
        pq.write_table(table, buffer, row_group_size=ROWS_PER_GROUP)
        data = buffer.getvalue()
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as output:
                os.fchmod(output.fileno(), 0o666 & ~current_umask())  # mkstemp makes it private
                output.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return table.num_rows, table.nbytes, data.size


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


def build_dataset(
    inputs: Inputs, out_dir: Path, show_progress: bool | None = None, engine: Engine = SERIAL
) -> dict[str, dict[str, int]]:
    """Write the dataset folder; returns the number of rows per config and split.

    Each task writes its partition's parts into the work folder (which a remote cluster's
    workers must therefore see, as they see the corpus); the folder is swapped in whole."""
    work = workdir.create(out_dir, "build")
    visible = sys.stderr.isatty() if show_progress is None else show_progress
    doc_ids = sorted(inputs.assignments)
    parts = partitions(doc_ids, DOCUMENTS_PER_PARTITION) or [[]]
    jobs = [Partition(index, len(parts), part) for index, part in enumerate(parts)]
    totals: dict[tuple[str, str], list[int]] = {}
    mentions = InventoryMentions()
    try:
        for written in run_tasks(build_partition, jobs, (inputs, work), engine, "build", visible):
            for key, size in written.sizes.items():
                total = totals.setdefault(key, [0, 0, 0])
                for position, amount in enumerate(size):
                    total[position] += amount
            for doc_id, ids in written.mentions.items():
                mentions.add(doc_id, ids)
        inventory = [encode_labels(INVENTORY, row) for row in inventory_rows(inputs, mentions)]
        path = work / part_file(INVENTORY, INVENTORY_SPLIT, 0)
        totals[(INVENTORY, INVENTORY_SPLIT)] = list(
            write_part(path, config_table(INVENTORY, [inventory]))
        )
        for config in DOCUMENT_CONFIGS:
            for split in inputs.split_names:
                if (config, split) not in totals:  # a split with no row at all: one empty part
                    path = work / part_file(config, split, 0)
                    totals[(config, split)] = list(write_part(path, config_table(config, [])))
        sizes = write_release_files(work, totals, inputs)
        workdir.swap_in(work, out_dir)
    except BaseException:
        workdir.discard(work)
        raise
    return sizes


def write_release_files(
    work: Path, totals: dict[tuple[str, str], list[int]], inputs: Inputs
) -> dict[str, dict[str, int]]:
    """The card, the Croissant metadata and the datasheet beside the Parquet files."""
    from propos.card import SplitSize, card_text
    from propos.croissant import croissant_text

    splits = {config: inputs.split_names for config in DOCUMENT_CONFIGS}
    splits[INVENTORY] = [INVENTORY_SPLIT]
    sizes = {
        config: {split: SplitSize(*totals[(config, split)]) for split in names}
        for config, names in splits.items()
    }
    if inputs.datasheet is not None:
        write_atomic(work / "DATASHEET.md", inputs.datasheet.read_text(encoding="utf-8"))
    wikidata_ids = sum(1 for entry in inputs.inventory.get("entities", []) if entry.get("wikidata"))
    first = inputs.split_names[0] if inputs.split_names else INVENTORY_SPLIT
    config = "documents" if inputs.split_names else INVENTORY
    example = min(split_parts(work, config)[first]).relative_to(work).as_posix()
    card = card_text(sizes, inputs.datasheet is not None, wikidata_ids, example)
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
