"""Event metrics: hand-computed cases."""

from __future__ import annotations

import pytest

from propos.metrics import event_scores
from propos.metrics.events import pair_triggers


def entity(id_: str, start: int, end: int) -> dict:
    return {"id": id_, "start": start, "end": end, "type": "PER", "entity_id": "E-x"}


def event(
    id_: str, start: int, end: int, type_: str, realis: str | None = "actual", args=()
) -> dict:
    out = {
        "id": id_,
        "trigger": {"start": start, "end": end, "text": "x" * (end - start)},
        "type": type_,
        "event_id": "EV-x",
        "arguments": [{"entity": e, "role": r} for e, r in args],
    }
    if realis is not None:
        out["realis"] = realis
    return out


GOLD = {
    "d": {
        "entities": [entity("T1", 0, 5), entity("T2", 10, 17), entity("T3", 40, 46)],
        "events": [
            event(
                "V1",
                20,
                28,
                "Contact:Meet",
                "actual",
                [("T1", "participant"), ("T2", "participant")],
            ),
            event("V2", 50, 60, "Conflict:Sanction", "other", [("T3", "agent")]),
            event("V3", 70, 75, "Movement:Expel", "actual"),
        ],
    }
}
PRED = {
    "d": {
        # different mention ids, same spans: arguments are compared by span
        "entities": [entity("A", 0, 5), entity("B", 10, 17), entity("C", 40, 46)],
        "events": [
            # span and type right, realis wrong; one argument right, one with a wrong role
            event("W1", 20, 28, "Contact:Meet", "other", [("A", "participant"), ("B", "agent")]),
            # span right, type wrong, realis right; argument right (trigger matched by span)
            event("W2", 50, 60, "Conflict:Attack", "other", [("C", "agent")]),
            # spurious trigger with an argument; and an argument to an unknown mention
            event("W3", 80, 85, "Movement:Expel", "actual", [("A", "patient")]),
            event("W4", 90, 95, "Movement:Expel", "actual", [("ZZ", "agent")]),
        ],
    }
}


def test_triggers_realis_arguments_by_hand() -> None:
    result = event_scores(GOLD, PRED)
    identification = result["trigger_identification"]
    assert (identification["correct"], identification["predicted"], identification["gold"]) == (
        2,
        4,
        3,
    )
    assert identification["f1"] == pytest.approx(2 * 2 / (4 + 3))
    classification = result["trigger_classification"]
    assert classification["correct"] == 1
    assert classification["precision"] == 0.25
    assert classification["recall"] == pytest.approx(1 / 3)
    assert result["headline"]["value"] == pytest.approx(2 * 1 / (4 + 3))
    assert result["realis_accuracy"] == {"correct": 1, "matched": 2, "accuracy": 0.5}
    # gold arguments: 3; predicted: 2 + 1 + 1 + 1 = 5; right: (A, participant), (C, agent)
    arguments = result["arguments"]
    assert (arguments["correct"], arguments["predicted"], arguments["gold"]) == (2, 5, 3)
    assert arguments["f1"] == pytest.approx(2 * 2 / (5 + 3))
    # without roles, (B, agent) also matches gold (T2, participant)
    assert result["argument_identification"]["correct"] == 3


def test_missing_predicted_realis_is_wrong() -> None:
    gold = {"d": {"entities": [], "events": [event("V1", 0, 4, "Contact:Meet", "actual")]}}
    pred = {"d": {"entities": [], "events": [event("W1", 0, 4, "Contact:Meet", None)]}}
    assert event_scores(gold, pred)["realis_accuracy"]["accuracy"] == 0.0


def test_pairing_prefers_equal_types_on_a_shared_span() -> None:
    gold = [event("V1", 0, 4, "Contact:Meet"), event("V2", 0, 4, "Contact:Agree")]
    pred = [event("W1", 0, 4, "Contact:Agree"), event("W2", 0, 4, "Movement:Expel")]
    assert pair_triggers(gold, pred) == [(0, 1), (1, 0)]
    result = event_scores({"d": {"events": gold}}, {"d": {"events": pred}})
    assert result["trigger_identification"]["correct"] == 2
    assert result["trigger_classification"]["correct"] == 1


def test_duplicate_prediction_counts_once() -> None:
    gold = {"d": {"events": [event("V1", 0, 4, "Contact:Meet")]}}
    pred = {"d": {"events": [event("W1", 0, 4, "Contact:Meet"), event("W2", 0, 4, "Contact:Meet")]}}
    result = event_scores(gold, pred)["trigger_classification"]
    assert (result["correct"], result["predicted"], result["gold"]) == (1, 2, 1)


def test_empty() -> None:
    result = event_scores({"d": {"events": []}}, {})
    assert result["trigger_classification"]["f1"] == 0.0
    assert result["realis_accuracy"]["accuracy"] == 0.0
