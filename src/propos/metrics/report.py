"""The top-level scoring functions: every metric of a submission, with confidence intervals,
and the paired comparison of two submissions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from propos.metrics.bootstrap import bootstrap_intervals, paired_tests
from propos.metrics.common import (
    Documents,
    Units,
    align,
    ignored_predictions,
    make_units,
    plain,
)
from propos.metrics.coref import LAYERS as COREFERENCE_LAYERS
from propos.metrics.coref import coreference_scores
from propos.metrics.entities import evaluate_entities
from propos.metrics.events import evaluate_events
from propos.metrics.quotes import evaluate_quotes

LAYERS: tuple[str, ...] = ("entities", "quotes", "events", "coreference")
"""What :func:`score` can compute; ``entities``, ``quotes`` and ``events`` have a headline."""

HEADLINES: dict[str, str] = {
    "entities": "strict micro F1, fine types (SemEval-2013 strict scheme)",
    "quotes": "attribution F1: content overlap-matched and speaker_entity_id equal",
    "events": "trigger classification F1: trigger span and type equal",
}

_EVALUATORS = {"entities": evaluate_entities, "quotes": evaluate_quotes, "events": evaluate_events}


def _check_layers(layers: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(layers)
    unknown = set(chosen) - set(LAYERS)
    if unknown:
        raise ValueError(f"unknown layers {sorted(unknown)}; expected some of {LAYERS}")
    return chosen


def _evaluate(
    gold_docs: Documents,
    pred_docs: Documents,
    units: Units,
    layers: tuple[str, ...],
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    _, gold, pred = align(gold_docs, pred_docs)
    reports: dict[str, Any] = {}
    counts: dict[str, np.ndarray] = {}
    for layer, evaluate in _EVALUATORS.items():
        if layer in layers:
            evaluation = evaluate(gold, pred)
            reports[layer] = evaluation.report
            counts[layer] = evaluation.unit_counts(units)
    return reports, counts


def bootstrap_record(units: Units, resamples: int, seed: int, confidence: float) -> dict[str, Any]:
    return {
        **units.describe(),
        "resamples": resamples,
        "seed": seed,
        "confidence": confidence,
        "method": "percentile",
    }


def score(
    gold_docs: Documents,
    pred_docs: Documents,
    paragraphs: Mapping[str, Iterable[Any]] | None = None,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    layers: Iterable[str] = LAYERS,
) -> dict[str, Any]:
    """Score a submission against the gold documents (both ``doc_id -> document``).

    Returns a JSON-serialisable dict with

    - ``headline``: per layer (entities, quotes, events) ``name``, ``value`` and the
      bootstrap percentile interval ``low``/``high`` (``None`` with ``resamples=0``);
    - ``bootstrap``: the resampling unit (``unit``: ``"document"`` with >= 30 gold documents,
      else ``"paragraph"`` when ``paragraphs`` maps doc_id to the cleaned document's
      paragraphs, ``(start, end)`` pairs or ``{"start", "end"}`` objects), ``n_units``,
      ``reason``, ``resamples``, ``seed``, ``confidence``;
    - ``entities``, ``quotes``, ``events``: the full reports of
      :func:`~propos.metrics.entities.entity_scores`,
      :func:`~propos.metrics.quotes.quote_scores`, :func:`~propos.metrics.events.event_scores`;
    - ``coreference``: per layer (entities, events, quotes) the report of
      :func:`~propos.metrics.coref.coreference_scores` (no interval: cross-document clusters do
      not decompose into per-unit counts);
    - ``documents``: the number of gold documents, the gold documents without a prediction
      (scored as empty) and the predicted documents that are not gold (ignored).

    ``layers`` restricts the computation to some of :data:`LAYERS`.
    """
    chosen = _check_layers(layers)
    doc_ids = sorted(gold_docs)
    units = make_units(doc_ids, paragraphs)
    reports, counts = _evaluate(gold_docs, pred_docs, units, chosen)
    intervals = bootstrap_intervals(counts, resamples, seed, confidence)
    result: dict[str, Any] = {
        "headline": {
            layer: {
                "name": HEADLINES[layer],
                "value": reports[layer]["headline"]["value"],
                "low": intervals[layer]["low"] if resamples else None,
                "high": intervals[layer]["high"] if resamples else None,
            }
            for layer in reports
        },
        "bootstrap": bootstrap_record(units, resamples, seed, confidence),
        **reports,
    }
    if "coreference" in chosen:
        result["coreference"] = {
            layer: coreference_scores(gold_docs, pred_docs, layer) for layer in COREFERENCE_LAYERS
        }
    result["documents"] = {
        "n_gold": len(doc_ids),
        "missing_predictions": sorted(set(doc_ids) - set(pred_docs or {})),
        "ignored_predictions": ignored_predictions(gold_docs, pred_docs),
    }
    return plain(result)


def compare(
    gold_docs: Documents,
    pred_a: Documents,
    pred_b: Documents,
    paragraphs: Mapping[str, Iterable[Any]] | None = None,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    layers: Iterable[str] = ("entities", "quotes", "events"),
) -> dict[str, Any]:
    """Paired bootstrap test of system A against system B on each headline figure.

    Returns ``{"headline": {layer: {"name", "a", "b", "delta", "low", "high", "p_value"}},
    "bootstrap": {...}}``: ``delta`` = F1_A - F1_B, ``low``/``high`` its percentile interval,
    ``p_value`` the share of resamples in which A is not better than B (see
    :mod:`propos.metrics.bootstrap`); both systems see the same resampled units.
    """
    chosen = tuple(layer for layer in _check_layers(layers) if layer in _EVALUATORS)
    units = make_units(sorted(gold_docs), paragraphs)
    _, counts_a = _evaluate(gold_docs, pred_a, units, chosen)
    _, counts_b = _evaluate(gold_docs, pred_b, units, chosen)
    tests = paired_tests(counts_a, counts_b, resamples, seed, confidence)
    return plain(
        {
            "headline": {layer: {"name": HEADLINES[layer], **tests[layer]} for layer in counts_a},
            "bootstrap": bootstrap_record(units, resamples, seed, confidence),
        }
    )


def unit_counts(
    gold_docs: Documents,
    pred_docs: Documents,
    paragraphs: Mapping[str, Iterable[Any]] | None = None,
    layers: Iterable[str] = ("entities", "quotes", "events"),
) -> dict[str, np.ndarray]:
    """Per-unit (correct, predicted, gold) counts of each headline, for callers that score a
    large corpus chunk by chunk and bootstrap the concatenated counts
    (:func:`propos.metrics.bootstrap.bootstrap_intervals`)."""
    chosen = tuple(layer for layer in _check_layers(layers) if layer in _EVALUATORS)
    units = make_units(sorted(gold_docs), paragraphs)
    _, counts = _evaluate(gold_docs, pred_docs, units, chosen)
    return counts
