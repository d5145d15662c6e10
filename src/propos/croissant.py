"""Croissant 1.0 metadata (`croissant.json`) for the built dataset folder, with the RAI fields.

Written as plain JSON-LD from the same `datasets` features that type the Parquet files, so one
declaration drives both; `mlcroissant` validates it in the tests, not at build time. Each
config is a record set read from a file set (its Parquet files); its ``split`` field comes from
the file name and references the ``splits`` record set. A class label is an integer field
whose description lists the names. Nested records are sub-fields read by JSON path.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from propos.card import CITATION, RELEASE_DATE, ROW_UNITS, VERSION, Sizes
from propos.dataset_reader import split_parts

CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
LICENSES = [
    "https://creativecommons.org/licenses/by/4.0/",  # the annotations
    "https://creativecommons.org/licenses/by/2.5/",  # the Wikinews texts
    "research-only: the press texts belong to their publishers (see DATASHEET.md)",
]
SPLITS = "splits"
DESCRIPTION = (
    "A French news benchmark for named entities, quotations and events, annotated on three"
    " layers with cross-document identity. Two collections: press (five articles on the"
    " Biden-Putin summit in Geneva, 16 June 2021, research use only) and wikinews (64 French"
    " Wikinews articles of 2016 in fifteen stories, CC BY 2.5, Wikinews contributors)."
    " Configurations: documents, ner, quotes, events (splits train, test and five"
    " cross-validation folds) and inventory."
)
# The Responsible-AI fields (http://mlcommons.org/croissant/RAI/), from DATASHEET.md.
RAI: dict[str, Any] = {
    "rai:dataCollection": (
        "press: five French news web pages about the Biden-Putin summit of 16 June 2021,"
        " scraped as plain text with their page furniture before the project started; how they"
        " were chosen is not recorded. wikinews: 64 French Wikinews articles of May to December"
        " 2016, grouped into fifteen stories, read from WiNER-fr's text with each article's"
        " source hash pinned. Both are cleaned by rules (furniture removed, metadata parsed,"
        " repetitions removed, Unicode NFC), every removal reported."
    ),
    "rai:dataCollectionType": ["Web Scraping", "Secondary Data Analysis"],
    "rai:dataCollectionMissingData": (
        "The outlets of four press articles and the dates of three are not in their pages;"
        " they are nulls, never guessed."
    ),
    "rai:dataCollectionRawData": (
        "The press pages are kept byte-identical in the source repository (corpus/raw); the"
        " Wikinews texts come from WiNER-fr."
    ),
    "rai:dataCollectionTimeframe": ["2016-05-01", "2021-06-30"],
    "rai:dataPreprocessingProtocol": [
        "Rule-based cleaning (propos clean): named line rules remove page furniture; metadata"
        " lines (datelines, agency credits, bylines) are parsed; repeated titles and paragraphs"
        " removed; minimal normalisation; every cleaned character maps back to the raw text."
    ],
    "rai:dataAnnotationProtocol": (
        "Three layers (named entities with six types and inventory ids; quotations with"
        " content, cue, speaker and utterance id; events of 38 ACE-based types with realis and"
        " arguments) under the project's annotation guidelines: two independent passes, then"
        " adjudication of every disagreement with a guideline decision per disagreement class."
        " The Wikinews entities started from WiNER-fr's gold (CC BY 4.0), mapped and reviewed."
    ),
    "rai:dataAnnotationPlatform": ["JSON annotation files checked by propos validate"],
    "rai:dataAnnotationAnalysis": [
        "Inter-annotator agreement per layer before adjudication (annotations/AGREEMENT.md"
        " in the source repository, by propos agreement)."
    ],
    "rai:annotationsPerItem": "Two independent passes and one adjudicating pass per document.",
    "rai:annotatorDemographics": [
        "AI annotator sessions of one language model (two passes) and a third, adjudicating"
        " session; no human annotator demographics apply. This inflates agreement compared"
        " with two human annotators."
    ],
    "rai:machineAnnotationTools": [
        "AI annotator sessions (large language model) working from the written guidelines;"
        " spaCy's French tokenizer for the ner config's tokens."
    ],
    "rai:dataUseCases": [
        "Evaluating French NER (fine and coarse), quotation extraction and attribution, event"
        " detection and realis, and cross-document coreference of entities, events and"
        " statements on news text, as a small test bed with confidence intervals.",
        "Not for: training large models, claims about French news in general, bias or fairness"
        " measurement, or republishing the press texts outside research on the annotations.",
    ],
    "rai:dataBiases": [
        "One press story (one week, five outlets, three machine-translated articles) and"
        " fifteen Wikinews stories of 2016 chosen across domains; sport stories hold few events"
        " and politics most quotations. The quoted speakers are overwhelmingly men and heads of"
        " state."
    ],
    "rai:dataLimitations": [
        "Small (69 documents in 16 stories): scores need their intervals. Machine-translation"
        " artefacts are kept as published. Annotations by AI sessions, adjudicated. The texts"
        " are public web pages likely present in language models' pretraining data."
    ],
    "rai:dataSocialImpact": (
        "Measures how systems attribute statements to speakers across outlets and"
        " translations, where misattribution can mislead readers."
    ),
    "rai:personalSensitiveInformation": [
        "Public news about public figures. Private individuals who appear in the news"
        " (detained Americans, an opposition figure) are named as the articles named them;"
        " nothing beyond what was published. No sensitive categories were collected."
    ],
    "rai:dataReleaseMaintenancePlan": (
        "Maintained by the Propos project through its issue tracker: errata are fixed in the"
        " gold files and released in a new version; splits never move existing documents when"
        " the corpus grows; the annotation schema and guidelines carry a version."
    ),
}


# What each column holds (a column of the same name means the same in every config).
DESCRIPTIONS = {
    "doc_id": "The document's id.",
    "collection": "The collection: press or wikinews.",
    "story": "The news story the document belongs to.",
    "license": "The licence of the document's text (research-only or CC BY 2.5).",
    "license_url": "The licence's address; null for research-only texts.",
    "attribution": "The credit to show with the text.",
    "url": "The article's address; null where not known.",
    "date": "The article's date (YYYY-MM-DD); null where not known.",
    "text": "The cleaned text; every offset is a Python string index into it, end exclusive.",
    "title": "The title; empty when the article has none.",
    "has_title": "Whether the article has a title.",
    "published": "The publication date as printed; null where not printed.",
    "modified": "The modification date as printed; null where not printed.",
    "date_stamp": "A date stamp printed in the page; null where none.",
    "scrape_date": "The date the page was scraped, where the page shows it.",
    "credit": "An agency credit printed in the page (AFP...); null where none.",
    "byline": "The byline; null where none.",
    "outlet": "The outlet; null where not known.",
    "country": "The outlet's country; null where not known.",
    "language": "The text's language.",
    "machine_translated": "Whether the text is machine-translated; null where not known.",
    "quality_flags": "Cleaning's quality flags (machine-translation artefacts, furniture).",
    "paragraphs": "The text's paragraphs with their role (title, standfirst, paragraph...).",
    "entities": "Named entity mentions with type and inventory entity id.",
    "quotes": "Quotations: content, kind, cue, speaker, speaker entity, utterance id.",
    "events": "Event mentions: trigger, type, realis, event id, arguments.",
    "id": "The row's id (mention id, or inventory id in the inventory).",
    "sentence": "The sentence's index in its document.",
    "start": "The start offset in the document's text.",
    "tokens": "spaCy French tokenizer tokens.",
    "token_starts": "Each token's start offset in the document's text.",
    "token_ends": "Each token's end offset in the document's text.",
    "ner_tags": "IOB2 tags over the fine types PER, ORG, GPE, LOC, FAC, MISC.",
    "coarse_tags": "IOB2 tags over the coarse types PER, ORG, LOC, MISC.",
    "content": "What was said: the quoted or reported span.",
    "kind": "The kind of the row (quotation kind, or inventory entry kind).",
    "cue": "The reporting verb or cue; null where none.",
    "speaker": "The speaker's mention; null where not named in the text.",
    "speaker_entity_id": "The speaker's inventory entity id; null where not known.",
    "utterance_id": "The inventory utterance id shared by reports of one act of speech.",
    "speaker_name": "The speaker entity's canonical name.",
    "trigger": "The event's trigger span.",
    "type": "The event or entity type.",
    "realis": "The event's realis: actual, generic or other.",
    "event_id": "The inventory event id shared by mentions of one event.",
    "arguments": "The event's arguments: entity mention, role and span.",
    "name": "The entity's canonical name; null for events and utterances.",
    "description": "The event's or utterance's description; null for entities.",
    "aliases": "Other names of the entity.",
    "wikidata": "The Wikidata id, only where verified; null otherwise.",
    "doc_ids": "The documents that mention the entry.",
    "mentions": "How many mentions point to the entry.",
}

# Inside a nested record, where a name means something narrower than as a column.
SUB_DESCRIPTIONS = {
    "id": "The mention's id within its document.",
    "start": "The start offset in the document's text.",
    "end": "The end offset in the document's text (exclusive).",
    "text": "The span's text.",
    "role": "The paragraph's role, or the argument's role.",
    "entity": "The argument's entity mention id.",
    "entity_id": "The inventory entity id.",
}


def describe(column: str, path: list[str]) -> str:
    if not path:
        return DESCRIPTIONS.get(column, "")
    name = path[-1].removesuffix("[*]")
    return SUB_DESCRIPTIONS.get(name) or DESCRIPTIONS.get(name, "")


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def data_type(feature: Any) -> str:
    from datasets import ClassLabel, Value

    if isinstance(feature, ClassLabel):
        return "sc:Integer"
    assert isinstance(feature, Value), feature
    if feature.dtype == "string":
        return "sc:Text"
    if feature.dtype == "bool":
        return "sc:Boolean"
    return "sc:Integer"


def class_note(feature: Any) -> str:
    from datasets import ClassLabel

    if not isinstance(feature, ClassLabel):
        return ""
    return " Class label: " + ", ".join(f"{i} = {n}" for i, n in enumerate(feature.names)) + "."


def field(record_set: str, path: list[str], feature: Any, column: str, file_set: str) -> Any:
    """The Croissant field of one feature; ``path`` is its JSON path below ``column``."""
    from datasets import List

    field_id = "/".join([record_set, column, *path])
    repeated = isinstance(feature, List)
    inner = feature.feature if repeated else feature
    source: dict[str, Any] = {"fileSet": {"@id": file_set}, "extract": {"column": column}}
    if path:
        source["transform"] = {"jsonPath": ".".join(path)}
    found: dict[str, Any] = {"@type": "cr:Field", "@id": field_id, "name": field_id}
    if isinstance(inner, dict):
        shape = f"{'List' if repeated else 'Record'} of {', '.join(inner)}."
        found["description"] = f"{describe(column, path)} {shape}".strip()
        # Sub-fields of a column's list are read from each of its items; of a list inside an
        # item, from each element of that list.
        prefix = ([*path[:-1], f"{path[-1]}[*]"] if path else []) if repeated else path
        found["subField"] = [
            nested(record_set, column, [*prefix, name], sub, file_set, field_id)
            for name, sub in inner.items()
        ]
    else:
        found["description"] = (describe(column, path) + class_note(inner)).strip()
        found["dataType"] = data_type(inner)
    found["source"] = source
    if repeated:
        found["repeated"] = True
    if not found["description"]:
        del found["description"]
    return found


def nested(
    record_set: str, column: str, path: list[str], feature: Any, file_set: str, parent: str
) -> Any:
    sub = field(record_set, path, feature, column, file_set)
    sub["@id"] = sub["name"] = f"{parent}/{path[-1]}"
    return sub


def record_set(config: str, features: Any) -> dict[str, Any]:
    file_set = f"parquet-{config}"
    split = {
        "@type": "cr:Field",
        "@id": f"{config}/split",
        "name": f"{config}/split",
        "description": "The split, from the name of the Parquet part.",
        "dataType": "sc:Text",
        "source": {
            "fileSet": {"@id": file_set},
            "extract": {"fileProperty": "fullpath"},
            "transform": {"regex": rf"^(?:(?:.*/)?data/{config}/)?(\w+)-\d+(?:\.parquet)?$"},
        },
        "references": {"field": {"@id": f"{SPLITS}/name"}},
    }
    return {
        "@type": "cr:RecordSet",
        "@id": config,
        "name": config,
        "description": f"The {config} configuration: one record per {ROW_UNITS[config]}.",
        "field": [split, *(field(config, [], f, name, file_set) for name, f in features.items())],
    }


def splits_record_set(sizes: Sizes) -> dict[str, Any]:
    names = list(dict.fromkeys(split for counts in sizes.values() for split in counts))
    return {
        "@type": "cr:RecordSet",
        "@id": SPLITS,
        "name": SPLITS,
        "description": "The splits: train, test, fold<k>_train, fold<k>_test; full (inventory).",
        "dataType": "cr:Split",
        "key": {"@id": f"{SPLITS}/name"},
        "field": [
            {
                "@type": "cr:Field",
                "@id": f"{SPLITS}/name",
                "name": f"{SPLITS}/name",
                "description": "The split's name.",
                "dataType": "sc:Text",
            }
        ],
        "data": [{f"{SPLITS}/name": name} for name in names],
    }


def file_object(folder: Path, path: str, encoding: str) -> dict[str, Any]:
    return {
        "@type": "cr:FileObject",
        "@id": path,
        "name": path,
        "contentUrl": path,
        "contentSize": f"{(folder / path).stat().st_size} B",
        "encodingFormat": encoding,
        "sha256": sha256_file(folder / path),
    }


def distribution(folder: Path, sizes: Sizes) -> list[dict[str, Any]]:
    """Every file of the folder but this one (the card and datasheet first), and a file set
    per config that its record set reads."""
    documents = [name for name in ("README.md", "DATASHEET.md") if (folder / name).is_file()]
    files = [file_object(folder, name, "text/markdown") for name in documents] + [
        file_object(folder, str(path.relative_to(folder)), "application/x-parquet")
        for config, counts in sizes.items()
        for parts in [split_parts(folder, config)]
        for split in counts
        for path in parts.get(split, [])
    ]
    file_sets = [
        {
            "@type": "cr:FileSet",
            "@id": f"parquet-{config}",
            "name": f"parquet-{config}",
            "description": f"The Parquet parts of the {config} configuration's splits.",
            "encodingFormat": "application/x-parquet",
            "includes": f"data/{config}/*.parquet",
        }
        for config in sizes
    ]
    return [*files, *file_sets]


def croissant(folder: Path, sizes: Sizes) -> dict[str, Any]:
    from propos.build import features

    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": "propos",
        "description": DESCRIPTION,
        "version": VERSION,
        "datePublished": RELEASE_DATE,
        "license": LICENSES,
        "citeAs": CITATION,
        "url": "README.md",
        "inLanguage": "fr",
        "keywords": ["named entities", "quotations", "events", "coreference", "news", "French"],
        "creator": {"@type": "sc:Organization", "name": "The Propos project"},
        "isAccessibleForFree": True,
        **RAI,
        "distribution": distribution(folder, sizes),
        "recordSet": [
            splits_record_set(sizes),
            *(record_set(config, features(config)) for config in sizes),
        ],
    }


def croissant_text(folder: Path, sizes: Sizes) -> str:
    return json.dumps(croissant(folder, sizes), ensure_ascii=False, indent=2) + "\n"
