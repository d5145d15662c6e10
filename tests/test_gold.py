"""Invariants that must hold for this corpus's gold standard."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from .conftest import ALL_DOC_IDS, DOC_IDS, ROOT, load_json

GOLD = {doc: load_json(ROOT / "annotations" / "gold" / f"{doc}.json") for doc in ALL_DOC_IDS}
INVENTORY = load_json(ROOT / "annotations" / "inventory.json")
ENTITIES = {entry["id"]: entry for entry in INVENTORY["entities"]}
EVENTS = {entry["id"]: entry for entry in INVENTORY["events"]}
WIKINEWS = load_json(ROOT / "corpus" / "collections" / "wikinews.json")
SUMMIT = "EV-geneva-summit"


def all_items(layer: str) -> list[tuple[str, dict[str, Any]]]:
    return [(doc, item) for doc, gold in GOLD.items() for item in gold[layer]]


def test_every_quotation_speaker_entity_exists() -> None:
    for doc, quote in all_items("quotes"):
        speaker = quote["speaker_entity_id"]
        assert speaker is None or speaker in ENTITIES, (doc, quote["id"])


def test_each_press_article_mentions_the_geneva_summit() -> None:
    assert EVENTS[SUMMIT]["type"] == "Contact:Meet"
    for doc, gold in GOLD.items():
        if doc in DOC_IDS:
            assert any(event["event_id"] == SUMMIT for event in gold["events"]), doc


def test_every_argument_is_an_entity_mention_of_its_document() -> None:
    for doc, gold in GOLD.items():
        mentions = {entity["id"] for entity in gold["entities"]}
        for event in gold["events"]:
            for argument in event["arguments"]:
                assert argument["entity"] in mentions, (doc, event["id"], argument)


def test_every_id_resolves_in_the_inventory() -> None:
    utterances = {entry["id"] for entry in INVENTORY["utterances"]}
    for doc, gold in GOLD.items():
        assert {e["entity_id"] for e in gold["entities"]} <= set(ENTITIES), doc
        assert {e["event_id"] for e in gold["events"]} <= set(EVENTS), doc
        assert {q["utterance_id"] for q in gold["quotes"]} <= utterances, doc


def test_recurring_entities_link_across_stories() -> None:
    stories = {d["doc_id"]: d["story"] for d in WIKINEWS["documents"]}
    seen: dict[str, set[str]] = defaultdict(set)
    for doc, entity in all_items("entities"):
        seen[entity["entity_id"]].add(stories.get(doc, "geneva-summit-2021"))
    assert {"E-manuel-valls", "E-loi-travail", "E-cgt"} <= set(seen)
    assert len(seen["E-manuel-valls"]) >= 2
    assert sum(len(found) >= 2 for found in seen.values()) >= 20


def test_every_shared_utterance_has_one_speaker() -> None:
    speakers: dict[str, set[Any]] = defaultdict(set)
    documents: dict[str, set[str]] = defaultdict(set)
    for doc, quote in all_items("quotes"):
        speakers[quote["utterance_id"]].add(quote["speaker_entity_id"])
        documents[quote["utterance_id"]].add(doc)
    shared = [u for u, docs in documents.items() if len(docs) >= 2]
    assert len(shared) >= 5
    for utterance in shared:
        assert len(speakers[utterance]) == 1, (utterance, speakers[utterance])


def test_the_no_animosity_statement_travels_across_outlets() -> None:
    reports = [
        (doc, quote["content"]["text"])
        for doc, quote in all_items("quotes")
        if quote["utterance_id"] == "U-no-animosity"
    ]
    outlets = {doc for doc, _ in reports}
    assert len(outlets) >= 3
    assert any("hostilité" in text for _, text in reports)
    assert any("animosité" in text for _, text in reports)


@pytest.mark.parametrize(
    ("layer", "minimum"), [("entities", 1000), ("quotes", 200), ("events", 450)]
)
def test_the_gold_is_exhaustive_enough(layer: str, minimum: int) -> None:
    assert len(all_items(layer)) > minimum


@pytest.mark.parametrize(("layer", "minimum"), [("quotes", 80), ("events", 300)])
def test_the_wikinews_part_is_large_enough(layer: str, minimum: int) -> None:
    assert sum(doc.startswith("wn-") for doc, _ in all_items(layer)) >= minimum


def test_every_inventory_entry_is_used() -> None:
    used_entities = {item["entity_id"] for _, item in all_items("entities")}
    # A source may be named nowhere in a document ("the Nobel committee" of a press release).
    used_entities |= {
        q["speaker_entity_id"] for _, q in all_items("quotes") if q["speaker_entity_id"]
    }
    used_events = {item["event_id"] for _, item in all_items("events")}
    used_utterances = {item["utterance_id"] for _, item in all_items("quotes")}
    assert used_entities == set(ENTITIES)
    assert used_events == set(EVENTS)
    assert used_utterances == {entry["id"] for entry in INVENTORY["utterances"]}


def test_spelling_variants_share_one_entity() -> None:
    names: dict[str, set[str]] = defaultdict(set)
    for _, entity in all_items("entities"):
        names[entity["entity_id"]].add(entity["text"])
    assert {"Anatoli Antonov", "Anatoly Antonov"} <= names["E-anatoli-antonov"]
    assert {"Antony Blinken", "Anthony Blinken"} <= names["E-antony-blinken"]
    assert {"Etats-Unis", "États-Unis"} <= names["E-etats-unis"]
