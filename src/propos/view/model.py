"""What the corpus explorer renders: documents, their gold and predicted layers, the clusters.

Everything here is plain records read from the project files; nothing is HTML yet. A
submission is validated with :func:`propos.validate.validate_paths` before it is read, and
matched against the gold layer by layer (exact span and label, for the colours) and scored
with the official headline measures of `propos evaluate`.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from propos import collection, textnorm
from propos.corpus import Corpus
from propos.errors import ProposError
from propos.fileio import read_json, read_jsonl_documents

LAYERS = ("entities", "quotes", "events")
CLUSTER_LAYERS = ("entity", "event", "utterance")
CLUSTER_FIELD = {"entity": "entity_id", "event": "event_id", "utterance": "utterance_id"}
INVENTORY_KEY = {"entity": "entities", "event": "events", "utterance": "utterances"}
STATUSES = ("ok", "missed", "spurious")
# The outlet named for a document of a collection that sources.csv does not describe.
COLLECTION_OUTLETS = {"wikinews": "Wikinews"}

Item = dict[str, Any]


# ---------------------------------------------------------------- safe names


_SAFE_DOC_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,127}")
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def slug(value: str, limit: int = 48) -> str:
    ascii_text = textnorm.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return _SLUG_JUNK.sub("-", ascii_text.lower()).strip("-")[:limit].strip("-") or "x"


def safe_name(identifier: str) -> str:
    """A file name stem for any identifier: a readable slug and a short hash of the original.

    Only ``[a-z0-9-]`` survive, so no separator, dot or case-folding collision can reach the
    file system; the hash keeps identifiers apart that slug to the same text.
    """
    digest = hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:10]
    return f"{slug(identifier)}-{digest}"


def doc_file_stem(doc_id: str) -> str:
    return doc_id if _SAFE_DOC_ID.fullmatch(doc_id) else safe_name(doc_id)


def story_file_stem(story_id: str) -> str:
    return story_id if _SAFE_DOC_ID.fullmatch(story_id) else safe_name(story_id)


# ---------------------------------------------------------------- records


@dataclass
class Comparison:
    """Gold against prediction for one document: a status per gold item, the spurious items."""

    gold_status: dict[str, dict[str, str]]  # layer -> gold id -> "ok" | "missed"
    matched_pred: dict[str, dict[str, str]]  # layer -> gold id -> predicted id
    spurious: dict[str, list[Item]]  # layer -> predicted items matching no gold item
    predicted: dict[str, Any] | None  # the submission's document, None when absent
    # layer -> the official headline row (propos.evaluation.headline_rows): f1, precision, ...
    official: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def present(self) -> bool:
        return self.predicted is not None

    def counts(self, layer: str) -> dict[str, int]:
        statuses = list(self.gold_status[layer].values())
        return {
            "ok": statuses.count("ok"),
            "missed": statuses.count("missed"),
            "spurious": len(self.spurious[layer]),
        }


@dataclass
class Document:
    doc_id: str
    text: str
    paragraphs: list[dict[str, Any]]
    metadata: dict[str, Any]
    quality_flags: list[dict[str, Any]]
    source: dict[str, str]
    gold: dict[str, Any] | None
    comparison: Comparison | None = None
    # collection, story, license, attribution, title, date, url (propos.collection)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        return doc_file_stem(self.doc_id)

    def about(self, key: str) -> str:
        """One field of the collection metadata, "" when absent."""
        value = self.info.get(key)
        return str(value).strip() if value is not None else ""

    @property
    def collection(self) -> str:
        return self.about("collection")

    @property
    def story(self) -> str:
        return self.about("story")

    @property
    def date(self) -> str:
        published = (self.source.get("published") or "").strip()
        return self.about("date") or ("" if published.startswith("unknown") else published)

    def layer(self, name: str) -> list[Item]:
        return list(self.gold.get(name, [])) if self.gold else []

    @property
    def outlet(self) -> str:
        """The outlet named by sources.csv, or "" when unknown."""
        outlet = (self.source.get("outlet") or "").strip()
        if not outlet:
            return COLLECTION_OUTLETS.get(self.collection, "")
        return "" if outlet.startswith("unknown") else outlet

    @property
    def outlet_note(self) -> str:
        """What sources.csv says of the outlet, "unknown ..." included."""
        outlet = (self.source.get("outlet") or "").strip()
        return outlet or COLLECTION_OUTLETS.get(self.collection, "") or "unknown"

    @property
    def outlet_label(self) -> str:
        """The outlet if sources.csv knows it, else the document id: a name for a column."""
        return self.outlet or self.doc_id

    @property
    def title(self) -> str:
        title = self.metadata.get("title") or self.info.get("title")
        if isinstance(title, str) and title.strip():
            return title.strip()
        for paragraph in self.paragraphs:
            if paragraph.get("role") == "title":
                return self.text[paragraph["start"] : paragraph["end"]]
        first = self.text.strip().split("\n", 1)[0]
        return first[:90] + ("…" if len(first) > 90 else "")


@dataclass
class Mention:
    """One mention of a cluster: the document and the annotation item (entity, quote, event)."""

    doc_id: str
    item: Item


@dataclass
class Story:
    """Documents telling one story, all of one collection (the documents sorted by date, id)."""

    story_id: str
    title: str
    doc_ids: list[str]
    collections: list[str]
    licenses: list[str]

    @property
    def stem(self) -> str:
        return story_file_stem(self.story_id)


@dataclass
class SiteCorpus:
    documents: dict[str, Document]
    inventory: dict[str, Any]
    submission_name: str | None = None
    clusters: dict[str, dict[str, list[Mention]]] = field(default_factory=dict)
    story_titles: dict[str, str] = field(default_factory=dict)
    stories: dict[str, Story] = field(default_factory=dict)
    # what each version of a statement is compared with: "closest" or "earliest" (canonical)
    compare_with: str = "closest"

    def __post_init__(self) -> None:
        self.clusters = cluster_mentions(self.documents, self.inventory)
        self.stories = group_stories(self.documents, self.story_titles)

    def story_of(self, document: Document) -> Story | None:
        return self.stories.get(document.story) if document.story else None

    def shared_in_story(self, story: Story, layer: str) -> list[tuple[str, list[Mention]]]:
        """The clusters of a layer mentioned in two or more of the story's documents, with
        their mentions in the story, the most widely shared first."""
        members = set(story.doc_ids)
        found = []
        for cluster_id, mentions in self.clusters[layer].items():
            inside = [m for m in mentions if m.doc_id in members]
            if len({m.doc_id for m in inside}) >= 2:
                found.append((cluster_id, inside))
        return sorted(found, key=lambda x: (-len({m.doc_id for m in x[1]}), -len(x[1]), x[0]))

    def inventory_entry(self, layer: str, cluster_id: str | None) -> dict[str, Any] | None:
        if cluster_id is None:
            return None
        for entry in self.inventory.get(INVENTORY_KEY[layer], []) or []:
            if isinstance(entry, dict) and entry.get("id") == cluster_id:
                return entry
        return None

    def entity_name(self, entity_id: str | None) -> str | None:
        entry = self.inventory_entry("entity", entity_id)
        name = entry.get("name") if entry else None
        return name if isinstance(name, str) else None

    def has_page(self, layer: str, cluster_id: str | None) -> bool:
        return cluster_id is not None and cluster_id in self.clusters[layer]

    def shared_utterances(self) -> list[str]:
        """Utterance ids reported in two or more documents."""
        return [
            cluster_id
            for cluster_id, mentions in self.clusters["utterance"].items()
            if len({m.doc_id for m in mentions}) >= 2
        ]


def cluster_mentions(
    documents: dict[str, Document], inventory: dict[str, Any]
) -> dict[str, dict[str, list[Mention]]]:
    """Gold mentions by cluster id, for every id in the inventory or used by the gold."""
    clusters: dict[str, dict[str, list[Mention]]] = {layer: {} for layer in CLUSTER_LAYERS}
    for layer in CLUSTER_LAYERS:
        for entry in inventory.get(INVENTORY_KEY[layer], []) or []:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                clusters[layer].setdefault(entry["id"], [])
    sources = {"entity": "entities", "event": "events", "utterance": "quotes"}
    for doc_id, document in documents.items():
        for layer, items in sources.items():
            for item in document.layer(items):
                cluster_id = item.get(CLUSTER_FIELD[layer])
                if isinstance(cluster_id, str):
                    clusters[layer].setdefault(cluster_id, []).append(Mention(doc_id, item))
    for layer in CLUSTER_LAYERS:
        for mentions in clusters[layer].values():
            mentions.sort(key=lambda m: (m.doc_id, span_of(m.item)[0], str(m.item.get("id"))))
    return clusters


def group_stories(documents: dict[str, Document], titles: dict[str, str]) -> dict[str, Story]:
    """The stories of the documents that have one, by story id (sorted)."""
    members: dict[str, list[Document]] = {}
    for document in documents.values():
        if document.story:
            members.setdefault(document.story, []).append(document)
    stories = {}
    for story_id in sorted(members):
        group = sorted(members[story_id], key=lambda d: (d.date, d.doc_id))
        stories[story_id] = Story(
            story_id=story_id,
            title=titles.get(story_id) or story_id,
            doc_ids=[d.doc_id for d in group],
            collections=sorted({d.collection for d in group if d.collection}),
            licenses=sorted({d.about("license") for d in group if d.about("license")}),
        )
    stems = [story.stem for story in stories.values()]
    if len(set(stems)) != len(stems):
        raise ProposError("two stories map to the same page name")
    return stories


def span_of(item: Item) -> tuple[int, int]:
    """The main span of an entity mention, a quotation (content) or an event (trigger)."""
    span = item.get("content") or item.get("trigger") or item
    return int(span["start"]), int(span["end"])


# ---------------------------------------------------------------- matching


def _entity_key(item: Item) -> Hashable:
    return (item["start"], item["end"], item["type"])


def _quote_key(item: Item) -> Hashable:
    return (item["content"]["start"], item["content"]["end"], item["kind"])


def _event_key(item: Item) -> Hashable:
    return (item["trigger"]["start"], item["trigger"]["end"], item["type"])


MATCH_KEYS: dict[str, Callable[[Item], Hashable]] = {
    "entities": _entity_key,
    "quotes": _quote_key,
    "events": _event_key,
}


def compare(gold: dict[str, Any] | None, pred: dict[str, Any] | None) -> Comparison:
    """Exact matching per layer: same span and same label (entity type, quote kind, event type)."""
    gold_status: dict[str, dict[str, str]] = {}
    matched: dict[str, dict[str, str]] = {}
    spurious: dict[str, list[Item]] = {}
    for layer in LAYERS:
        key = MATCH_KEYS[layer]
        waiting: dict[Hashable, list[Item]] = {}
        for item in (pred or {}).get(layer, []):
            waiting.setdefault(key(item), []).append(item)
        gold_status[layer], matched[layer] = {}, {}
        for item in (gold or {}).get(layer, []):
            candidates = waiting.get(key(item))
            if candidates:
                matched[layer][item["id"]] = candidates.pop(0)["id"]
                gold_status[layer][item["id"]] = "ok"
            else:
                gold_status[layer][item["id"]] = "missed"
        left = [item for items in waiting.values() for item in items]
        spurious[layer] = sorted(left, key=lambda item: (span_of(item), str(item["id"])))
    return Comparison(gold_status, matched, spurious, pred)


def official_scores(gold: dict[str, Any], pred: dict[str, Any] | None) -> dict[str, Any]:
    """The headline measure of each layer for one document, as `propos evaluate` computes it
    (a document missing from the submission counts as predicting nothing)."""
    from propos.evaluation import headline_rows

    doc_id = str(gold["doc_id"])
    empty = {"doc_id": doc_id, "entities": [], "quotes": [], "events": []}
    rows = headline_rows({doc_id: gold}, {doc_id: pred or empty}, doc_id)
    return {row["layer"]: row for row in rows}


# ---------------------------------------------------------------- loading


def read_sources(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return {row["doc_id"]: row for row in csv.DictReader(handle) if row.get("doc_id")}
    except (OSError, UnicodeDecodeError, KeyError, csv.Error) as exc:
        raise ProposError(f"{path}: cannot read the sources table ({exc})") from exc


def _check_spans(where: str, text: str, annotation: dict[str, Any]) -> None:
    """Refuse an annotation whose spans do not fit its text (it would render misplaced)."""
    spans: list[tuple[str, Any]] = [(e.get("id", "?"), e) for e in annotation.get("entities", [])]
    for quote in annotation.get("quotes", []):
        for part in ("content", "cue", "speaker"):
            if quote.get(part):
                spans.append((f"{quote.get('id', '?')}.{part}", quote[part]))
    for event in annotation.get("events", []):
        spans.append((f"{event.get('id', '?')}.trigger", event.get("trigger") or {}))
    for name, span in spans:
        start, end = span.get("start"), span.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise ProposError(f"{where}: span {name} is outside the text (run `propos validate`)")
        if text[start:end] != span.get("text"):
            raise ProposError(
                f"{where}: span {name} does not match the text at {start}..{end}"
                " (run `propos validate`)"
            )


def read_submission(path: Path, clean_dir: Path) -> dict[str, dict[str, Any]]:
    """Validate a submission (JSON Lines), then read it: documents by doc_id."""
    from propos.validate import validate_paths

    if path.suffix != ".jsonl":
        raise ProposError(f"{path}: a submission is a JSON Lines file ending in .jsonl", 2)
    report = validate_paths([path], clean_dir=clean_dir)
    if report.problems:
        first = report.problems[0]
        raise ProposError(
            f"{path}: invalid submission, {len(report.problems)} problem(s), first: {first}"
            f" (see `propos validate {path}`)"
        )
    return read_jsonl_documents(path)


def load_corpus(
    clean_dir: Path,
    gold_dir: Path,
    inventory_path: Path,
    sources_path: Path,
    submission: Path | None = None,
    metadata: dict[str, dict[str, Any]] | None = None,
    story_titles: dict[str, str] | None = None,
    compare_with: str = "closest",
) -> SiteCorpus:
    """Documents, gold, clusters; ``metadata`` (by doc_id) and ``story_titles`` are the
    collections' (see :func:`propos.collection.document_metadata`)."""
    if not clean_dir.is_dir():
        raise ProposError(f"{clean_dir}: no cleaned corpus (run `propos clean`)")
    predictions = read_submission(submission, clean_dir) if submission else None
    sources = read_sources(sources_path)
    inventory = read_json(inventory_path) if inventory_path.exists() else {}
    if not isinstance(inventory, dict):
        raise ProposError(f"{inventory_path}: not an inventory (run `propos validate`)")
    documents: dict[str, Document] = {}
    for path in sorted(clean_dir.glob("*.json")):
        clean = read_json(path)
        if not isinstance(clean, dict) or not isinstance(clean.get("text"), str):
            raise ProposError(f"{path}: not a cleaned document (run `propos clean`)")
        doc_id = str(clean.get("doc_id") or path.stem)
        text = clean["text"]
        gold_path = gold_dir / f"{path.stem}.json"
        gold = read_json(gold_path) if gold_path.exists() else None
        if gold is not None:
            if not isinstance(gold, dict):
                raise ProposError(f"{gold_path}: not an annotation file (run `propos validate`)")
            if gold.get("text_sha256") != clean.get("text_sha256"):
                raise ProposError(
                    f"{gold_path}: annotations were made on another text (run `propos validate`)"
                )
            _check_spans(str(gold_path), text, gold)
        document = Document(
            doc_id=doc_id,
            text=text,
            paragraphs=sorted(clean.get("paragraphs") or [], key=lambda p: p["start"]),
            metadata=clean.get("metadata") or {},
            quality_flags=clean.get("quality_flags") or [],
            source=sources.get(doc_id, {}),
            gold=gold,
            info=dict((metadata or {}).get(doc_id) or {}),
        )
        if predictions is not None:
            document.comparison = compare(gold, predictions.get(doc_id))
            if gold is not None:
                document.comparison.official = official_scores(gold, predictions.get(doc_id))
        documents[doc_id] = document
    stems = [document.stem for document in documents.values()]
    if len(set(stems)) != len(stems):
        raise ProposError(f"{clean_dir}: two documents map to the same page name")
    return SiteCorpus(
        documents,
        inventory,
        submission.name if submission else None,
        story_titles=dict(story_titles or {}),
        compare_with=compare_with,
    )


COMPARE_WITH = ("closest", "earliest")
"""How the cross-outlet pages compare versions: each with the version closest to it, or each
with the canonical wording (the version of the earliest report)."""


def corpus_site(
    corpus: Corpus, submission: Path | None = None, compare_with: str = "closest"
) -> SiteCorpus:
    """The explorer's view of a corpus, optionally with a submission against its gold."""
    if compare_with not in COMPARE_WITH:
        raise ProposError(
            f"unknown --compare-with {compare_with!r} (expected {', '.join(COMPARE_WITH)})",
            exit_code=2,
        )
    return load_corpus(
        corpus.clean_dir,
        corpus.gold_dir,
        corpus.inventory_file,
        corpus.sources_file,
        submission,
        metadata=collection.document_metadata(corpus),
        story_titles=collection.story_titles(corpus),
        compare_with=compare_with,
    )
