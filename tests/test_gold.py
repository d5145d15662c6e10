"""Invariants that must hold for this corpus's gold standard."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from .conftest import DOC_IDS, ROOT, load_json

GOLD = {doc: load_json(ROOT / "annotations" / "gold" / f"{doc}.json") for doc in DOC_IDS}
INVENTORY = load_json(ROOT / "annotations" / "inventory.json")
ENTITIES = {entry["id"]: entry for entry in INVENTORY["entities"]}
EVENTS = {entry["id"]: entry for entry in INVENTORY["events"]}
SUMMIT = "EV-geneva-summit"


def all_items(layer: str) -> list[tuple[str, dict[str, Any]]]:
    return [(doc, item) for doc, gold in GOLD.items() for item in gold[layer]]


def test_every_quotation_speaker_entity_exists() -> None:
    for doc, quote in all_items("quotes"):
        speaker = quote["speaker_entity_id"]
        assert speaker is None or speaker in ENTITIES, (doc, quote["id"])


def test_each_article_mentions_the_geneva_summit() -> None:
    assert EVENTS[SUMMIT]["type"] == "Contact:Meet"
    for doc, gold in GOLD.items():
        assert any(event["event_id"] == SUMMIT for event in gold["events"]), doc


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


@pytest.mark.parametrize(("layer", "minimum"), [("entities", 100), ("quotes", 36), ("events", 100)])
def test_the_gold_is_exhaustive_enough(layer: str, minimum: int) -> None:
    assert len(all_items(layer)) > minimum


def test_every_inventory_entry_is_used() -> None:
    used_entities = {item["entity_id"] for _, item in all_items("entities")}
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
