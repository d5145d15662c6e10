"""Build the Hugging Face dataset folder: Parquet files per config and split, and the card.

Configs: ``documents`` (text, metadata, every layer nested), ``ner`` (one row per sentence:
spaCy French tokens with offsets, fine and coarse IOB2 tags), ``quotes`` (one row per
quotation), ``events`` (one row per event mention). The build writes into a temporary folder
beside the target and swaps it in at the end, so a failed build never leaves half a dataset;
the same inputs give the same bytes.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from propos import schema, workdir
from propos.corpus import Corpus
from propos.dataset_reader import data_file
from propos.errors import ProposError
from propos.fileio import naming, read_json, write_atomic
from propos.sentences import sentence_spans
from propos.tokenize import bio_tags, tokenize

CONFIGS = ("documents", "ner", "quotes", "events")
METADATA_FIELDS = (
    "title",
    "published",
    "modified",
    "date_stamp",
    "scrape_date",
    "credit",
    "byline",
)
SOURCE_FIELDS = ("outlet", "country", "language", "machine_translated")
# Every config's rows carry these, so that one collection or story can be selected alone.
ORIGIN_FIELDS = ("collection", "story", "license")


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
    origin = {name: text for name in ORIGIN_FIELDS}
    if config == "documents":
        return Features(
            {
                "doc_id": text,
                **origin,
                "attribution": text,
                "url": text,
                "date": text,
                "text": text,
                **{name: text for name in METADATA_FIELDS},
                **{name: text for name in SOURCE_FIELDS},
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


def document_rows(document: Document, inputs: Inputs) -> list[dict[str, Any]]:
    clean, gold = document.clean, document.gold
    source = inputs.sources.get(document.doc_id, {})
    found = inputs.origins.get(document.doc_id, {})
    metadata = clean["metadata"]
    return [
        {
            "doc_id": document.doc_id,
            **origin(document, inputs),
            "attribution": found.get("attribution"),
            "url": found.get("url"),
            "date": found.get("date"),
            "text": clean["text"],
            **{name: metadata.get(name) for name in METADATA_FIELDS},
            **{name: source.get(name) or None for name in SOURCE_FIELDS},
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


# ---------------------------------------------------------------- inputs


def load_inputs(
    clean_dir: Path, gold_dir: Path, inventory_path: Path, splits_path: Path, sources_path: Path,
    origins: dict[str, dict[str, Any]],
) -> Inputs:  # fmt: skip
    from propos.split import load_splits, read_sources

    assignments: dict[str, str] = load_splits(splits_path)["assignments"]
    return Inputs(
        clean_dir, gold_dir, read_json(inventory_path), assignments, read_sources(sources_path),
        origins,
    )  # fmt: skip


# ---------------------------------------------------------------- writing

ROWS_PER_GROUP = 2000
_WORKER_INPUTS: Inputs | None = None  # set before forking; read by the workers


def _rows_of(doc_id: str) -> tuple[str, dict[str, list[dict[str, Any]]]]:
    assert _WORKER_INPUTS is not None
    document = read_document(doc_id, _WORKER_INPUTS)
    return doc_id, {config: ROW_MAKERS[config](document, _WORKER_INPUTS) for config in CONFIGS}


def _all_rows(
    doc_ids: list[str], workers: int
) -> Iterator[tuple[str, dict[str, list[dict[str, Any]]]]]:
    if workers <= 1 or len(doc_ids) < 2:
        yield from map(_rows_of, doc_ids)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_rows_of, doc_ids, chunksize=32)


# ClassLabel fields are stored as class ids; this is datasets' encoding, done with a dict
# lookup per label instead of its generic recursive encoder (half of the build time).
_INDEX = {
    "entity_type": {label: i for i, label in enumerate(schema.ENTITY_TYPES)},
    "event_type": {label: i for i, label in enumerate(schema.EVENT_TYPES)},
    "realis": {label: i for i, label in enumerate(schema.REALIS_VALUES)},
    "kind": {label: i for i, label in enumerate(schema.QUOTE_KINDS)},
    "role": {label: i for i, label in enumerate(schema.ARGUMENT_ROLES)},
    "fine": {label: i for i, label in enumerate(FINE_TAGS)},
    "coarse": {label: i for i, label in enumerate(COARSE_TAGS)},
}


def _entity_ids(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**e, "type": _INDEX["entity_type"][e["type"]]} for e in entities]


def _quote_ids(quote: dict[str, Any]) -> dict[str, Any]:
    return {**quote, "kind": _INDEX["kind"][quote["kind"]]}


def _event_ids(event: dict[str, Any]) -> dict[str, Any]:
    arguments = [{**a, "role": _INDEX["role"][a["role"]]} for a in event["arguments"]]
    return {**event, "type": _INDEX["event_type"][event["type"]],
            "realis": _INDEX["realis"][event["realis"]], "arguments": arguments}  # fmt: skip


def encode_labels(config: str, row: dict[str, Any]) -> dict[str, Any]:
    if config == "documents":
        return {**row, "entities": _entity_ids(row["entities"]),
                "quotes": [_quote_ids(q) for q in row["quotes"]],
                "events": [_event_ids(v) for v in row["events"]]}  # fmt: skip
    if config == "ner":
        return {**row, "ner_tags": [_INDEX["fine"][t] for t in row["ner_tags"]],
                "coarse_tags": [_INDEX["coarse"][t] for t in row["coarse_tags"]]}  # fmt: skip
    if config == "quotes":
        return _quote_ids(row)
    return _event_ids(row)


class ParquetSink:
    """One Parquet file per config and split, written in row groups as rows arrive."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.buffers: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.writers: dict[tuple[str, str], Any] = {}
        self.counts: dict[tuple[str, str], int] = {}

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
            rows = [encode_labels(config, row) for row in self.buffers.get(key, [])]
            self.writers[key].write_table(pa.Table.from_pylist(rows, schema=arrow_schema))
        self.buffers[key] = []

    def close(self) -> None:
        for key in sorted(self.buffers):
            if self.buffers[key] or key not in self.writers:
                self.flush(key)
        for (config, split), writer in self.writers.items():
            with naming(self.root / data_file(config, split)):
                writer.close()


def build_dataset(
    inputs: Inputs, out_dir: Path, show_progress: bool | None = None, workers: int = 1
) -> dict[str, dict[str, int]]:
    """Write the dataset folder; returns the number of rows per config and split."""
    global _WORKER_INPUTS
    from tqdm import tqdm

    from propos.split import SPLIT_TARGETS

    work = workdir.create(out_dir, "build")
    visible = sys.stderr.isatty() if show_progress is None else show_progress
    doc_ids = sorted(inputs.assignments)
    sink = ParquetSink(work)
    _WORKER_INPUTS = inputs
    try:
        for split in sorted(set(inputs.assignments.values())):
            for config in CONFIGS:
                sink.add(config, split, [])
        rows_iter = _all_rows(doc_ids, workers)
        for doc_id, rows in tqdm(
            rows_iter, total=len(doc_ids), desc="build", unit="doc", disable=not visible
        ):
            for config in CONFIGS:
                sink.add(config, inputs.assignments[doc_id], rows[config])
        sink.close()
        order = {split: index for index, split in enumerate(SPLIT_TARGETS)}
        split_names = sorted(
            {split for _, split in sink.counts}, key=lambda x: (order.get(x, len(order)), x)
        )
        sizes = {
            config: {split: sink.counts[(config, split)] for split in split_names}
            for config in CONFIGS
        }
        write_atomic(work / "README.md", card_text(sizes))
        workdir.swap_in(work, out_dir)
    except BaseException:
        workdir.discard(work)
        raise
    finally:
        _WORKER_INPUTS = None
    return sizes


def card_yaml(sizes: dict[str, dict[str, int]]) -> str:
    import yaml
    from datasets.info import DatasetInfo
    from datasets.splits import SplitDict, SplitInfo

    infos = []
    for config, split_sizes in sizes.items():
        split_dict = SplitDict()
        for split, count in split_sizes.items():
            split_dict.add(SplitInfo(name=split, num_examples=count))
        info = DatasetInfo(features=features(config), splits=split_dict, config_name=config)
        infos.append({"config_name": config, **info._to_yaml_dict()})
    header = {
        "pretty_name": "Propos",
        "language": ["fr"],
        "license": "other",
        "license_name": "propos-research-use",
        "license_link": "DATASHEET.md",
        "multilinguality": "monolingual",
        "size_categories": ["n<1K"],
        "source_datasets": ["original"],
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["named-entity-recognition"],
        "tags": ["quotation-attribution", "event-extraction", "coreference", "news", "french"],
        "configs": [
            {
                "config_name": config,
                "data_files": [{"split": s, "path": data_file(config, s)} for s in split_sizes],
                **({"default": True} if config == "documents" else {}),
            }
            for config, split_sizes in sizes.items()
        ],
        "dataset_info": infos,
    }
    return yaml.safe_dump(header, sort_keys=False, allow_unicode=True, width=100)


def card_text(sizes: dict[str, dict[str, int]]) -> str:
    table = "\n".join(
        f"| `{config}` | " + " | ".join(f"{split}: {n}" for split, n in counts.items()) + " |"
        for config, counts in sizes.items()
    )
    return f"""---
{card_yaml(sizes)}---

# Propos

A French news benchmark for named entities, quotations and events, annotated on three layers
with cross-document identity (the same entity, the same event, the same statement across
articles). Two collections: `press`, five articles on the Biden–Putin summit in Geneva (16 June
2021) as different outlets reported it (story `geneva-summit-2021`), and `wikinews`, 64 French
Wikinews articles of 2016 in fifteen stories. Every row of every configuration carries its
`collection`, `story` and `license`. See `DATASHEET.md` in the source repository for
provenance, cleaning, annotation, agreement figures, limits and licensing.

## Configurations

| config | rows per split |
| --- | --- |
{table}

- `documents`: one row per article: cleaned text, metadata, paragraphs, and the three layers
  as nested records (offsets are Python string indices into `text`, end exclusive).
- `ner`: one row per sentence: spaCy French tokenizer tokens with character offsets,
  `ner_tags` (IOB2 over PER, ORG, GPE, LOC, FAC, MISC) and `coarse_tags` (IOB2 over PER, ORG,
  LOC, MISC; GPE and FAC map to LOC).
- `quotes`: one row per quotation: content, kind, cue, speaker mention, speaker entity and
  utterance id (shared by quotations that report the same act of speech).
- `events`: one row per event mention: trigger, type, realis, event id, arguments.

## Loading

```python
from datasets import load_dataset

ner = load_dataset("path/to/propos", "ner")
# One collection alone (the Wikinews part may be redistributed under CC BY 2.5):
wikinews = ner.filter(lambda row: row["collection"] == "wikinews")
```

## Licence

The annotations are released under CC BY 4.0. Texts, per collection (the `license` field of
every row):

| collection | texts | what you may do |
| --- | --- | --- |
| `press` | the publishers' (`research-only`) | non-commercial research on the annotations only |
| `wikinews` | Wikinews contributors, CC BY 2.5 | share and adapt, with attribution |

The `attribution` field of each Wikinews document gives the credit to show: "Wikinews
contributors", the article's title and date.
"""


def corpus_inputs(corpus: Corpus) -> Inputs:
    from propos.collection import document_metadata

    return load_inputs(
        corpus.clean_dir, corpus.gold_dir, corpus.inventory_file, corpus.splits_file,
        corpus.sources_file, document_metadata(corpus),
    )  # fmt: skip
