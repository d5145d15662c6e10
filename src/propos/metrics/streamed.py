"""The per-document counts of the three headline figures, straight from the JSON of the
documents: what a streamed evaluation of a large corpus needs, without the full reports.

For each document, (correct, predicted, gold) of

- entities: strict micro F1, fine types. In the strict scheme a prediction is correct only
  when it is exactly paired with a gold mention of the same span and type (the greedy overlap
  step only ever gives INC), so correct is the size of the multiset intersection of the
  (start, end, type) of the two sides;
- quotes: attribution F1: the pairs of :func:`propos.metrics.quotes.match_quotes` whose
  speaker_entity_id are equal (a missing or empty id is null);
- events: trigger classification F1. :func:`propos.metrics.events.pair_triggers` pairs equal
  types first on each span, so the pairs of equal type number the multiset intersection of the
  (start, end, type) of the triggers;
- entities_coarse: the entities' counts with types mapped onto the coarse set (GPE, FAC ->
  LOC), the coarse headline of `propos evaluate`.

These are the counts the evaluators of the full report give with the document as the unit
(``tests/test_metrics_streamed.py`` holds them equal on every committed submission). Only the
fields the counts read are decoded; a document whose fields do not have the expected types is
left to the full evaluation, which says what is wrong with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import msgspec
import numpy as np

from propos.metrics.common import cluster_label
from propos.metrics.quotes import match_quotes
from propos.schema import COARSE_TYPE, ENTITY_TYPES

HEADLINE_LAYERS = ("entities", "quotes", "events")
COUNTED = (*HEADLINE_LAYERS, "entities_coarse")
_COARSE = {fine: COARSE_TYPE.get(fine, fine) for fine in ENTITY_TYPES}


class _Span(msgspec.Struct, gc=False):
    start: int
    end: int


# What the full evaluation refuses (an unknown type, a negative offset) fails the decoding.
_Offset = Annotated[int, msgspec.Meta(ge=0)]
_FineType = Literal[ENTITY_TYPES]  # type: ignore[valid-type]


class _Entity(msgspec.Struct, gc=False):
    start: _Offset
    end: _Offset
    type: _FineType


class _Quote(msgspec.Struct, gc=False):
    content: _Span
    speaker_entity_id: str | None = None


class _Event(msgspec.Struct, gc=False):
    trigger: _Span
    type: str | None = None


class HeadlineFields(msgspec.Struct, gc=False):
    """The fields of a document (gold or predicted) that the headline counts read."""

    entities: list[_Entity] | None = None
    quotes: list[_Quote] | None = None
    events: list[_Event] | None = None


_DECODER = msgspec.json.Decoder(HeadlineFields)
_NOTHING = HeadlineFields()


def _shared(gold: list[Any], pred: list[Any]) -> int:
    """Size of the multiset intersection of two lists of hashable keys."""
    gold_set, pred_set = set(gold), set(pred)
    if len(gold_set) == len(gold) and len(pred_set) == len(pred):
        return len(gold_set & pred_set)
    return sum((Counter(gold) & Counter(pred)).values())


def document_counts(gold: HeadlineFields, pred: HeadlineFields) -> list[int]:
    """(correct, predicted, gold) of entities, quotes, events and coarse entities: twelve
    numbers."""
    gold_entities = [(e.start, e.end, e.type) for e in gold.entities or ()]
    pred_entities = [(e.start, e.end, e.type) for e in pred.entities or ()]
    gold_coarse = [(start, end, _COARSE[fine]) for start, end, fine in gold_entities]
    pred_coarse = [(start, end, _COARSE[fine]) for start, end, fine in pred_entities]
    gold_quotes, pred_quotes = gold.quotes or [], pred.quotes or []
    gold_spans = [(q.content.start, q.content.end) for q in gold_quotes]
    pred_spans = [(q.content.start, q.content.end) for q in pred_quotes]
    attributed = sum(
        1
        for i, j, _ in match_quotes(gold_spans, pred_spans)
        if cluster_label(gold_quotes[i].speaker_entity_id)
        == cluster_label(pred_quotes[j].speaker_entity_id)
    )
    gold_triggers = [(v.trigger.start, v.trigger.end, v.type) for v in gold.events or ()]
    pred_triggers = [(v.trigger.start, v.trigger.end, v.type) for v in pred.events or ()]
    return [
        _shared(gold_entities, pred_entities), len(pred_entities), len(gold_entities),
        attributed, len(pred_quotes), len(gold_quotes),
        _shared(gold_triggers, pred_triggers), len(pred_triggers), len(gold_triggers),
        _shared(gold_coarse, pred_coarse), len(pred_entities), len(gold_entities),
    ]  # fmt: skip


def headline_unit_counts(
    gold: Mapping[str, bytes], predictions: Mapping[str, bytes]
) -> dict[str, np.ndarray] | None:
    """Per-document (correct, predicted, gold) counts of each headline, documents in sorted
    doc_id order, from the JSON of the gold documents and of the predictions (a missing
    prediction predicts nothing): ``{layer: (n_documents, 3) float array}``, or None when a
    document is not in the expected shape (then the full evaluation must be run)."""
    rows = []
    try:
        for doc_id in sorted(gold):
            data = predictions.get(doc_id)
            pred = _DECODER.decode(data) if data is not None else _NOTHING
            rows.append(document_counts(_DECODER.decode(gold[doc_id]), pred))
    except (msgspec.DecodeError, UnicodeDecodeError):
        return None
    table = np.array(rows, dtype=np.float64).reshape(len(rows), 3 * len(COUNTED))
    return {layer: table[:, 3 * k : 3 * k + 3] for k, layer in enumerate(COUNTED)}
