"""The dataset card (`README.md` of the built folder): YAML header that `datasets` reads, then
the configurations, splits, loading examples, licences, known limits and citation.

Everything in it is computed from the build (row counts, Arrow and Parquet sizes) or stated
once here; its relative links point to files the build writes beside it.
"""

from __future__ import annotations

from typing import NamedTuple

from propos.dataset_reader import data_files

VERSION = "0.1.0"  # the release; equals pyproject's version (tests/test_release.py checks)
RELEASE_DATE = "2026-11-30"  # of VERSION; fixed, so that two builds give the same bytes
CITATION = f"""@misc{{propos,
  title        = {{Propos: a French news benchmark for named entities, quotations and events}},
  author       = {{{{The Propos project}}}},
  howpublished = {{Hugging Face dataset folder built by `propos build`}},
  note         = {{Version {VERSION}; texts: press articles (research only) and French
                  Wikinews (CC BY 2.5, Wikinews contributors); annotations CC BY 4.0}}
}}"""
# What a user may do with each part of the release (the licence table of the card).
LICENCE_PARTS = [
    ("part", "rights holder", "licence", "what you may do"),
    ("annotations (all layers, inventory)", "the Propos project", "CC BY 4.0",
     "share and adapt, crediting Propos"),
    ("`wikinews` texts", "Wikinews contributors",
     "CC BY 2.5 (https://creativecommons.org/licenses/by/2.5/)",
     'share and adapt, crediting "Wikinews contributors", the article\'s title and date (the'
     " `attribution` field) and linking the licence"),
    ("`press` texts", "their publishers (and AFP)", "none held (`research-only`)",
     "non-commercial research on the annotations only; do not republish the texts"),
]  # fmt: skip
ROW_UNITS = {
    "documents": "article",
    "ner": "sentence",
    "quotes": "quotation",
    "events": "event mention",
    "inventory": "entity, event or utterance of the corpus inventory",
}


MAIN = ("train", "test")  # the splits that partition the corpus (the folds do too, each)


class SplitSize(NamedTuple):
    rows: int
    num_bytes: int  # Arrow bytes of the split, as `datasets` reports them
    file_bytes: int  # bytes of its Parquet parts


Sizes = dict[str, dict[str, SplitSize]]


def card_yaml(sizes: Sizes, licence_page: str) -> str:
    import yaml
    from datasets.info import DatasetInfo
    from datasets.splits import SplitDict, SplitInfo

    from propos.build import features

    infos = []
    for config, split_sizes in sizes.items():
        split_dict = SplitDict()
        for split, size in split_sizes.items():
            split_dict.add(SplitInfo(name=split, num_bytes=size.num_bytes, num_examples=size.rows))
        info = DatasetInfo(
            features=features(config), splits=split_dict, config_name=config,
            download_size=sum(size.file_bytes for size in split_sizes.values()),
            dataset_size=sum(size.num_bytes for size in split_sizes.values()),
        )  # fmt: skip
        infos.append({"config_name": config, **info._to_yaml_dict()})
    header = {
        "pretty_name": "Propos",
        "language": ["fr"],
        "license": "other",
        "license_name": "propos-mixed-licences",
        "license_link": licence_page,
        "multilinguality": "monolingual",
        "size_categories": ["n<1K"],
        "source_datasets": ["original"],
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["named-entity-recognition"],
        "tags": ["quotation-attribution", "event-extraction", "coreference", "news", "french"],
        "configs": [
            {
                "config_name": config,
                "data_files": [{"split": s, "path": data_files(config, s)} for s in split_sizes],
                **({"default": True} if config == "documents" else {}),
            }
            for config, split_sizes in sizes.items()
        ],
        "dataset_info": infos,
    }
    return yaml.safe_dump(header, sort_keys=False, allow_unicode=True, width=100)


def table_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def licence_table() -> str:
    header, *rows = LICENCE_PARTS
    lines = [table_row(list(header)), table_row(["---"] * len(header))]
    return "\n".join(lines + [table_row(list(row)) for row in rows])


def configurations_table(sizes: Sizes) -> str:
    """One row per config: rows in train, test, each fold's test part, and in all."""
    folds = sorted(
        {s for counts in sizes.values() for s in counts if s.startswith("fold")},
        key=lambda s: (int(s[4:].split("_")[0]), s),
    )
    fold_tests = [s for s in folds if s.endswith("_test")]
    header = ["config", "one row per", "train", "test", *fold_tests, "all rows"]
    lines = [table_row(header), table_row(["---"] * len(header))]
    for config, counts in sizes.items():
        rows = {split: str(size.rows) for split, size in counts.items()}
        total = sum(counts[s].rows for s in MAIN if s in counts) or sum(
            size.rows for size in counts.values()
        )
        cells = [f"`{config}`", ROW_UNITS.get(config, "row")]
        cells += [rows.get(split, "—") for split in ("train", "test", *fold_tests)]
        lines.append(table_row([*cells, str(total)]))
    return "\n".join(lines)


def card_text(
    sizes: Sizes, datasheet: bool = True, wikidata_ids: int = 0,
    example_part: str = "data/documents/test-00000.parquet",
) -> str:  # fmt: skip
    """The card; without a datasheet beside it, the card itself is where the licences are.
    ``example_part``: a Parquet part of the folder, linked as an example."""
    about = (
        "The datasheet, [DATASHEET.md](DATASHEET.md), gives provenance, cleaning,\nannotation,"
        " agreement figures, limits and licensing; the"
        if datasheet
        else "The"
    )
    verified = (
        f"{wikidata_ids} inventory entries carry a verified Wikidata id"
        if wikidata_ids
        else "No knowledge-base ids have been verified yet (`wikidata` is null)"
    )
    from propos.build import DOCUMENTS_PER_PARTITION

    documents = sum(size.rows for split, size in sizes["documents"].items() if split in MAIN)
    return f"""---
{card_yaml(sizes, "DATASHEET.md" if datasheet else "README.md")}---

# Propos

A French news benchmark for named entities, quotations and events, annotated on three layers
with cross-document identity (the same entity, the same event, the same statement across
articles). Two collections: `press`, five articles on the Biden–Putin summit in Geneva (16 June
2021) as different outlets reported it (story `geneva-summit-2021`), and `wikinews`, 64 French
Wikinews articles of 2016 in fifteen stories. Every row of the document configurations carries
its `collection`, `story` and `license`.
{about} Croissant metadata, with its Responsible-AI fields, is
[croissant.json](croissant.json).

## Configurations

{configurations_table(sizes)}

Each `fold<k>_train` split holds every row not in `fold<k>_test`. Each split is stored as
Parquet parts, `data/<config>/<split>-<k>.parquet`: part k holds the split's rows from the
k-th group of {DOCUMENTS_PER_PARTITION} documents (in `doc_id` order; a group with no row in the
split has no part), for example [{example_part}]({example_part}). `datasets` reads
a split's parts together, in name order (the card's `data_files` are globs).

- `documents`: one row per article: cleaned text, metadata, paragraphs, and the three layers
  as nested records (offsets are Python string indices into `text`, end exclusive). A missing
  metadata value is a null; an article without a title has `title` empty and `has_title`
  false. `collection`, `license` and `machine_translated` (no, likely, yes; null where not
  known) are class labels.
- `ner`: one row per sentence: spaCy French tokenizer tokens with character offsets,
  `ner_tags` (IOB2 over PER, ORG, GPE, LOC, FAC, MISC) and `coarse_tags` (IOB2 over PER, ORG,
  LOC, MISC; GPE and FAC map to LOC).
- `quotes`: one row per quotation: content, kind, cue, speaker mention, speaker entity and
  utterance id (shared by quotations that report the same act of speech).
- `events`: one row per event mention: trigger, type, realis, event id, arguments.
- `inventory`: one row per entity, event and utterance of the corpus inventory (`kind`): id,
  canonical `name` (entities), `type` (entity or event type), `description` (events and
  utterances), the utterance's `speaker_entity_id`, `aliases`, `wikidata` (only where it was
  verified; null otherwise), the documents that mention it and the number of mentions. The
  ids are those of the other configs' `entity_id`, `event_id` and `utterance_id`.

## Splits

`train` and `test` assign whole stories, so no story straddles them, and syndicated or
near-duplicate copy stays together. The five cross-validation folds each leave one set of
stories out as `fold<k>_test` and train on the rest (`fold<k>_train`). The `inventory` config
has one split, `full`.

## Loading

```python
from datasets import load_dataset

ner = load_dataset("path/to/propos", "ner")
fold0_test = load_dataset("path/to/propos", "quotes", split="fold0_test")
inventory = load_dataset("path/to/propos", "inventory", split="full")
# One collection alone (the Wikinews part may be redistributed under CC BY 2.5):
wikinews_id = ner["train"].features["collection"].str2int("wikinews")
wikinews = ner.filter(lambda row: row["collection"] == wikinews_id)
```

With `mlcroissant`, from the Croissant metadata:
`mlcroissant.Dataset("path/to/propos/croissant.json").records("quotes")`.

## Licences

What a user may do depends on the part. Every document row carries its `license` (a class
label), `license_url` and `attribution`; the rows of `ner`, `quotes` and `events` carry the
`license` of their document.

{licence_table()}

The Wikinews entity annotation the gold started from is WiNER-fr's (CC BY 4.0). The press
texts are included for non-commercial research on the annotations; whether that is allowed
depends on the jurisdiction, and anyone distributing them beyond that use should clear their
rights.

## Known limits

- Small: {documents} documents. Scores on the test split need their confidence intervals;
  it is a test bed, not training data for large models.
- The `press` collection is one story, one week, five outlets; three of its articles are
  machine-translated and kept as readers saw them. The outlets of four press articles and most
  of their dates are not known (nulls).
- The quoted speakers are overwhelmingly men and heads of state; the benchmark cannot measure
  bias across demographic groups.
- Both annotation passes were made by AI annotator sessions of one model under the same
  guidelines, then adjudicated; agreement is higher than two human annotators would reach.
- The texts are public web pages and very likely in language models' pretraining data.
- {verified}.

## Citation

```bibtex
{CITATION}
```
"""
