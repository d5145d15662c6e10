"""Shared pieces of the metrics: document alignment, precision/recall/F1, resampling units.

Conventions used by every metric of the package:

- Gold and predictions are ``dict`` mappings ``doc_id -> document`` (the annotation format of
  annotations/GUIDELINES.md section 2). The evaluated documents are the gold ones, in sorted
  ``doc_id`` order; a gold document without a prediction is scored against an empty
  prediction, and predicted documents absent from the gold are ignored (and listed in the
  report of :func:`propos.metrics.score`).
- Precision, recall and F1 are 0 when their denominator is 0 (as seqeval with
  ``zero_division=0`` and nervaluate do).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

Document = Mapping[str, Any]
Documents = Mapping[str, Document]

MIN_DOCUMENTS_FOR_DOCUMENT_UNIT = 30
"""With at least this many gold documents the resampling unit is the document, else the
paragraph."""

_STRIDE = 1 << 31  # > any character offset; doc_index * _STRIDE + offset fits in int64

_EMPTY_DOCUMENT: dict[str, Any] = {"entities": [], "quotes": [], "events": []}


def safe_div(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator else 0.0


def prf(correct: float, actual: float, possible: float) -> dict[str, float]:
    """Precision = correct / actual (predicted items), recall = correct / possible (gold items),
    F1 = their harmonic mean; each is 0 when its denominator is 0."""
    precision = safe_div(correct, actual)
    recall = safe_div(correct, possible)
    f1 = safe_div(2 * precision * recall, precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1}


def count_report(correct: int, predicted: int, gold: int) -> dict[str, Any]:
    """The counts of one figure with its precision, recall and F1."""
    return {
        "correct": correct,
        "predicted": predicted,
        "gold": gold,
        **prf(correct, predicted, gold),
    }


def f1_from_counts(correct: float, actual: float, possible: float) -> float:
    """F1 written with counts only: 2 * correct / (actual + possible) (0 when both are 0).

    Equal to the harmonic mean of precision and recall as :func:`prf` computes them.
    """
    return safe_div(2 * correct, actual + possible)


def align(
    gold_docs: Documents, pred_docs: Documents | None
) -> tuple[list[str], list[Any], list[Any]]:
    """The evaluated doc ids (sorted gold ids), and the gold and predicted documents in that
    order; a missing prediction becomes an empty document."""
    pred_docs = pred_docs or {}
    doc_ids = sorted(gold_docs)
    gold = [gold_docs[d] for d in doc_ids]
    pred = [pred_docs.get(d) or _EMPTY_DOCUMENT for d in doc_ids]
    return doc_ids, gold, pred


def ignored_predictions(gold_docs: Documents, pred_docs: Documents | None) -> list[str]:
    """Predicted doc ids that are not gold documents (they are not scored)."""
    return sorted(set(pred_docs or {}) - set(gold_docs))


def span_key(span: Mapping[str, Any] | None) -> tuple[int, int] | None:
    if not span:
        return None
    return (int(span["start"]), int(span["end"]))


def cluster_label(value: Any) -> Any:
    """A cluster id as given, with a missing or empty one normalised to ``None``."""
    return value if value not in (None, "") else None


def _paragraph_starts(paragraphs: Iterable[Any]) -> list[int]:
    starts = []
    for paragraph in paragraphs:
        if isinstance(paragraph, Mapping):
            starts.append(int(paragraph["start"]))
        else:
            starts.append(int(paragraph[0]))
    return sorted(set(starts))


@dataclass
class Units:
    """The resampling units of the bootstrap, and which unit a mention belongs to.

    ``kind`` is ``"document"`` when there are at least 30 gold documents, else
    ``"paragraph"``: then a mention belongs to the paragraph containing its start (more
    precisely the last paragraph that starts at or before it, so that a position between two
    paragraphs goes to the preceding one, and one before the first paragraph to the first). A
    document without paragraphs is a single unit. Without paragraphs for a small corpus the
    unit falls back to the document, and ``reason`` says so.
    """

    kind: str
    n_documents: int
    reason: str
    _doc_first_unit: list[int] = field(default_factory=list)
    _starts: list[list[int]] = field(default_factory=list)
    n_units: int = 0
    _keys: np.ndarray | None = None

    def unit_of(self, doc_index: int, start: int) -> int:
        if self.kind == "document":
            return doc_index
        starts = self._starts[doc_index]
        position = bisect_right(starts, start) - 1
        return self._doc_first_unit[doc_index] + max(position, 0)

    def units_of(self, doc_index: np.ndarray, start: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`unit_of` (int64 arrays in, int64 array out)."""
        doc_index = np.asarray(doc_index, dtype=np.int64)
        if self.kind == "document":
            return doc_index
        start = np.asarray(start, dtype=np.int64)
        if self._keys is None:
            self._keys = np.array(
                [d * _STRIDE + s for d, starts in enumerate(self._starts) for s in starts],
                dtype=np.int64,
            )
        first = np.asarray(self._doc_first_unit, dtype=np.int64)
        position = np.searchsorted(self._keys, doc_index * _STRIDE + start, side="right") - 1
        return np.maximum(position, first[doc_index]) if len(doc_index) else position

    def describe(self) -> dict[str, Any]:
        return {
            "unit": self.kind,
            "n_units": self.n_units,
            "n_documents": self.n_documents,
            "reason": self.reason,
        }


def make_units(
    doc_ids: Sequence[str],
    paragraphs: Mapping[str, Iterable[Any]] | None = None,
    min_documents: int = MIN_DOCUMENTS_FOR_DOCUMENT_UNIT,
) -> Units:
    """Choose the resampling unit: the document with ``len(doc_ids) >= min_documents``, else
    the paragraph (``paragraphs`` maps doc_id to ``(start, end)`` pairs or to the cleaned
    document's ``{"start", "end", ...}`` objects)."""
    n = len(doc_ids)
    if n >= min_documents:
        return Units("document", n, f"{n} documents >= {min_documents}: unit = document", n_units=n)
    if paragraphs is None:
        return Units(
            "document",
            n,
            f"{n} documents < {min_documents} but no paragraphs given: unit = document",
            n_units=n,
        )
    first_units: list[int] = []
    all_starts: list[list[int]] = []
    total = 0
    for doc_id in doc_ids:
        starts = _paragraph_starts(paragraphs.get(doc_id) or [])
        if not starts:
            starts = [0]
        first_units.append(total)
        all_starts.append(starts)
        total += len(starts)
    return Units(
        "paragraph",
        n,
        f"{n} documents < {min_documents}: unit = paragraph",
        _doc_first_unit=first_units,
        _starts=all_starts,
        n_units=total,
    )


def unit_counts(
    n_units: int,
    correct_units: np.ndarray,
    actual_units: np.ndarray,
    possible_units: np.ndarray,
    correct_weights: np.ndarray | None = None,
) -> np.ndarray:
    """A ``(n_units, 3)`` float array of per-unit (correct, actual, possible) counts."""
    out = np.zeros((n_units, 3), dtype=np.float64)
    if len(correct_units):
        out[:, 0] = np.bincount(correct_units, weights=correct_weights, minlength=n_units)
    if len(actual_units):
        out[:, 1] = np.bincount(actual_units, minlength=n_units)
    if len(possible_units):
        out[:, 2] = np.bincount(possible_units, minlength=n_units)
    return out


def plain(value: Any) -> Any:
    """A JSON-serialisable copy: numpy scalars and arrays become Python numbers and lists."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _loaded(item: Any) -> dict[str, Any]:
    import json

    return json.loads(item) if isinstance(item, str | bytes) else dict(item)


@cache
def _label_names() -> dict[str, dict[str, tuple[str, ...]]]:
    """Class-label fields of the dataset's ``documents`` rows (layer -> field -> names), stored
    as integers in the order of the schema's label sets (see ``propos.build.features``)."""
    from propos import schema

    return {
        "entities": {"type": schema.ENTITY_TYPES},
        "quotes": {"kind": schema.QUOTE_KINDS},
        "events": {"type": schema.EVENT_TYPES, "realis": schema.REALIS_VALUES},
    }


def _named(value: Any, names: tuple[str, ...], where: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    if not 0 <= value < len(names):
        raise ValueError(f"{where}: class label {value} is not one of 0..{len(names) - 1}")
    return names[value]


def document_of_row(row: Any) -> dict[str, Any]:
    """A document in the annotation format from a JSON string or mapping: a submission line,
    a gold annotation, or a row of the dataset's ``documents`` configuration, whose class labels
    (entity and event types, quotation kinds, realis, argument roles) are integers."""
    from propos import schema

    document = _loaded(row)
    doc_id = document.get("doc_id")
    for layer, fields in _label_names().items():
        annotations = []
        for item in document.get(layer) or []:
            item = dict(item)
            for name, names in fields.items():
                if name in item:
                    item[name] = _named(item[name], names, f"{doc_id}: {layer} {name}")
            if layer == "events" and item.get("arguments"):
                item["arguments"] = [
                    {**argument, "role": _named(argument.get("role"), schema.ARGUMENT_ROLES,
                                                f"{doc_id}: argument role")}
                    for argument in item["arguments"]
                ]  # fmt: skip
            annotations.append(item)
        document[layer] = annotations
    return document


def pair_documents(
    predictions: Iterable[Any], references: Iterable[Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Gold and predicted ``doc_id -> document`` mappings from two lists (as the Hugging Face
    ``evaluate`` wrappers receive them) of documents, their JSON strings, or rows of the
    dataset's ``documents`` configuration (see :func:`document_of_row`).

    Predictions pair with references by ``doc_id``, in any order, as ``propos evaluate`` pairs
    a submission with the gold; a prediction without ``doc_id`` takes its reference's position.
    A reference given twice, or a prediction of a document given twice or absent from the
    references, is an error (``propos evaluate`` refuses such a submission).
    """
    references = [document_of_row(reference) for reference in references]
    predictions = [document_of_row(prediction) for prediction in predictions]
    if len(predictions) != len(references):
        raise ValueError(
            f"{len(predictions)} predictions for {len(references)} references: give one"
            " predicted document for each reference document"
        )
    gold: dict[str, Any] = {}
    for reference in references:
        doc_id = reference["doc_id"]
        if doc_id in gold:
            raise ValueError(f"reference document {doc_id!r} given twice")
        gold[doc_id] = reference
    pred: dict[str, Any] = {}
    for position, prediction in enumerate(predictions):
        doc_id = prediction.get("doc_id") or references[position]["doc_id"]
        if doc_id not in gold:
            raise ValueError(f"prediction for {doc_id!r}, which is not a reference document")
        if doc_id in pred:
            raise ValueError(f"prediction for {doc_id!r} given twice")
        pred[doc_id] = prediction
    return gold, pred


def reference_paragraphs(references: Mapping[str, Any]) -> dict[str, Any] | None:
    """The paragraphs that reference documents carry (rows of the ``documents`` config do),
    or None when some do not."""
    found = {doc_id: document.get("paragraphs") for doc_id, document in references.items()}
    return found if found and all(value for value in found.values()) else None
