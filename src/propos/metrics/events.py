"""Event metrics: triggers, realis, arguments.

All counts are pooled over the documents (micro averages). Definitions:

- **Trigger identification** (``trigger_identification``): a predicted event mention is
  correct when its trigger span (start, end) equals the trigger span of a gold event mention
  of the same document, one to one. Precision = correct / predicted mentions, recall =
  correct / gold mentions, F1 their harmonic mean.
- **Trigger classification** (``trigger_classification``, the headline): the same with span
  and ``type`` equal.
- **Matched triggers**: the one-to-one pairs of identification. Within a group of mentions
  sharing a span, pairs of equal type are formed first (so that the number of equal-type pairs
  is the classification count), then the rest in list order.
- **Realis accuracy** (``realis_accuracy``): among matched triggers, the share with equal
  ``realis`` (a missing predicted realis is wrong).
- **Arguments** (``arguments``): a predicted argument is correct when its event mention is a
  matched trigger, its ``role`` equals that of an argument of the gold event mention, and the
  span of the entity mention it points to (resolved through the ``id`` of the predicted
  document's entities) equals the span of that gold argument's entity mention; one to one
  within a pair of events. Precision = correct / all predicted arguments (of every predicted
  event, matched or not; an argument pointing to an unknown mention is wrong), recall =
  correct / all gold arguments.
- **Argument identification** (``argument_identification``): the same without the role.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from propos.metrics.common import (
    Documents,
    Units,
    align,
    count_report,
    prf,
    safe_div,
    span_key,
    unit_counts,
)


def pair_triggers(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, predicted index) of event mentions with equal trigger
    spans, equal types first (see the module docstring)."""
    by_span: dict[tuple[int, int] | None, list[int]] = defaultdict(list)
    for i, event in enumerate(gold):
        by_span[span_key(event["trigger"])].append(i)
    pred_by_span: dict[tuple[int, int] | None, list[int]] = defaultdict(list)
    for j, event in enumerate(pred):
        pred_by_span[span_key(event["trigger"])].append(j)
    pairs = []
    for span, gold_indices in by_span.items():
        pred_indices = pred_by_span.get(span)
        if not pred_indices:
            continue
        free_gold = list(gold_indices)
        free_pred = []
        for j in pred_indices:
            same = next((i for i in free_gold if gold[i].get("type") == pred[j].get("type")), None)
            if same is None:
                free_pred.append(j)
            else:
                free_gold.remove(same)
                pairs.append((same, j))
        pairs.extend(zip(free_gold, free_pred, strict=False))
    return sorted(pairs)


def _arguments(event: dict[str, Any], spans: dict[str, tuple[int, int]]) -> list[tuple[Any, str]]:
    out = []
    for k, argument in enumerate(event.get("arguments") or []):
        # an unresolvable mention id gets a key no gold argument has
        span = spans.get(argument.get("entity"), ("unresolved", id(event), k))
        out.append((span, argument.get("role")))
    return out


@dataclass
class EventEvaluation:
    report: dict[str, Any]
    _correct: list[tuple[int, int]] = field(default_factory=list)
    _pred: list[tuple[int, int]] = field(default_factory=list)
    _gold: list[tuple[int, int]] = field(default_factory=list)

    def unit_counts(self, units: Units) -> np.ndarray:
        """Per-unit (correct, predicted, gold) of the headline (trigger classification F1): a
        correct pair belongs to the unit of its gold trigger, a prediction to its own."""

        def where(items: list[tuple[int, int]]) -> np.ndarray:
            array = np.asarray(items, dtype=np.int64).reshape(-1, 2)
            return units.units_of(array[:, 0], array[:, 1])

        return unit_counts(
            units.n_units, where(self._correct), where(self._pred), where(self._gold)
        )


def evaluate_events(gold_docs: list[Any], pred_docs: list[Any]) -> EventEvaluation:
    """Event scores of aligned document lists (see :func:`event_scores`)."""
    n_gold = n_pred = identified = classified = realis_equal = 0
    arg_gold = arg_pred = arg_correct = arg_identified = 0
    evaluation = EventEvaluation({})
    for index, (gold_doc, pred_doc) in enumerate(zip(gold_docs, pred_docs, strict=True)):
        gold = gold_doc.get("events") or []
        pred = pred_doc.get("events") or []
        n_gold += len(gold)
        n_pred += len(pred)
        evaluation._gold.extend((index, int(e["trigger"]["start"])) for e in gold)
        evaluation._pred.extend((index, int(e["trigger"]["start"])) for e in pred)
        gold_spans = {e["id"]: span_key(e) for e in gold_doc.get("entities") or []}
        pred_spans = {e["id"]: span_key(e) for e in pred_doc.get("entities") or []}
        gold_args = [_arguments(e, gold_spans) for e in gold]  # type: ignore[arg-type]
        pred_args = [_arguments(e, pred_spans) for e in pred]  # type: ignore[arg-type]
        arg_gold += sum(map(len, gold_args))
        arg_pred += sum(map(len, pred_args))
        for i, j in pair_triggers(gold, pred):
            identified += 1
            g, p = gold[i], pred[j]
            if g.get("type") == p.get("type"):
                classified += 1
                evaluation._correct.append((index, int(g["trigger"]["start"])))
            realis_equal += g.get("realis") is not None and g.get("realis") == p.get("realis")
            arg_correct += sum((Counter(gold_args[i]) & Counter(pred_args[j])).values())
            arg_identified += sum(
                (Counter(s for s, _ in gold_args[i]) & Counter(s for s, _ in pred_args[j])).values()
            )

    evaluation.report = {
        "headline": {
            "name": "trigger classification F1 (span and type)",
            "value": prf(classified, n_pred, n_gold)["f1"],
        },
        "trigger_identification": count_report(identified, n_pred, n_gold),
        "trigger_classification": count_report(classified, n_pred, n_gold),
        "realis_accuracy": {
            "correct": realis_equal,
            "matched": identified,
            "accuracy": safe_div(realis_equal, identified),
        },
        "arguments": count_report(arg_correct, arg_pred, arg_gold),
        "argument_identification": count_report(arg_identified, arg_pred, arg_gold),
    }
    return evaluation


def event_scores(gold_docs: Documents, pred_docs: Documents) -> dict[str, Any]:
    """Event scores: ``trigger_identification``, ``trigger_classification`` (headline),
    ``arguments`` and ``argument_identification`` (precision, recall, F1 with counts) and
    ``realis_accuracy`` on matched triggers. Definitions in the module docstring."""
    _, gold, pred = align(gold_docs, pred_docs)
    return evaluate_events(gold, pred).report
