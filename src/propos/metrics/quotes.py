"""Quotation metrics: content detection, cues, speaker attribution.

All counts are pooled over the documents (micro averages). Definitions:

- **Content exact** (``content_exact``): a predicted quotation is correct when its content span
  (start, end) equals the content span of a gold quotation of the same document, one to one
  (a span predicted twice is correct once). Precision = correct / predicted quotations,
  recall = correct / gold quotations, F1 their harmonic mean.
- **Content token overlap** (``content_tokens``): token-level precision, recall and F1 over
  the tokens covered by quotation content. The tokens of a content span are those of
  :func:`propos.tokenize.tokenize` applied to the span's ``text``, shifted by its ``start``
  (so no document text is needed); a token is identified by (document, start, end), and each
  side's tokens form a set per document (a token inside two overlapping quotations counts
  once). Precision = |predicted ∩ gold tokens| / |predicted tokens|, recall = the same over
  |gold tokens|. A predicted span cutting a word in two produces a partial token that matches
  no gold token.
- **Cue** (``cue``): exact-span F1 over the distinct non-null cue spans of each document (a
  cue shared by the two halves of an interrupted quotation counts once), whatever quotation
  they belong to.
- **Matching** of quotations (used by the speaker metrics): in each document, all (gold,
  predicted) pairs whose content spans share at least one character are taken in decreasing
  order of shared characters (ties: gold start, gold end, predicted start, predicted end) and
  a pair is kept when neither quotation is already matched. Each prediction so ends up with the
  best-overlapping gold quotation still unmatched, one to one.
- **Speaker attribution accuracy** (``speaker_accuracy``): among matched pairs, the share whose
  ``speaker_entity_id`` is equal. A missing id is null, and null equals null (an unnamed source
  predicted as unnamed is right).
- **Attribution** (``attribution``, the headline): end-to-end F1 where a predicted quotation
  is correct when it is matched and its ``speaker_entity_id`` equals its gold quotation's.
  Precision = correct / predicted quotations, recall = correct / gold quotations.
- **Kind accuracy** (``kind_accuracy``): among matched pairs, the share with equal ``kind``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from propos.metrics.common import (
    Documents,
    Units,
    align,
    cluster_label,
    count_report,
    prf,
    safe_div,
    span_key,
    unit_counts,
)


@lru_cache(maxsize=65536)
def _relative_tokens(text: str) -> tuple[tuple[int, int], ...]:
    from propos.tokenize import tokenize

    return tuple((t.start, t.end) for t in tokenize(text))


def span_tokens(span: dict[str, Any]) -> set[tuple[int, int]]:
    """Token offsets (absolute) of a span object, tokenising its ``text``."""
    start = int(span["start"])
    return {(start + a, start + b) for a, b in _relative_tokens(span["text"])}


def match_quotes(
    gold: list[tuple[int, int]], pred: list[tuple[int, int]]
) -> list[tuple[int, int, int]]:
    """Overlap matching of content spans (see the module docstring).

    Returns ``(gold index, predicted index, shared characters)`` triples.
    """
    candidates = []
    for i, j in _overlapping(gold, pred):
        (gs, ge), (ps, pe) = gold[i], pred[j]
        shared = (ge if ge < pe else pe) - (gs if gs > ps else ps)
        if shared > 0:
            candidates.append((-shared, gs, ge, ps, pe, i, j))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for negative_shared, _, _, _, _, i, j in candidates:
        if i in used_gold or j in used_pred:
            continue
        used_gold.add(i)
        used_pred.add(j)
        pairs.append((i, j, -negative_shared))
    return pairs


def _overlapping(
    gold: list[tuple[int, int]], pred: list[tuple[int, int]]
) -> Iterator[tuple[int, int]]:
    """Every (gold index, predicted index) whose spans may share characters, found by
    bisection rather than by testing every pair: of two overlapping spans, the one that starts
    later starts inside the other (a predicted start in [gold start, gold end), or a gold start
    in (predicted start, predicted end)); cost linear in the spans and the pairs found."""
    pred_order = sorted(range(len(pred)), key=lambda j: pred[j][0])
    pred_starts = [pred[j][0] for j in pred_order]
    gold_order = sorted(range(len(gold)), key=lambda i: gold[i][0])
    gold_starts = [gold[i][0] for i in gold_order]
    for i, (gs, ge) in enumerate(gold):
        first, last = bisect_left(pred_starts, gs), bisect_left(pred_starts, ge)
        for j in pred_order[first:last]:
            yield i, j
    for j, (ps, pe) in enumerate(pred):
        first, last = bisect_right(gold_starts, ps), bisect_left(gold_starts, pe)
        for i in gold_order[first:last]:
            yield i, j


@dataclass
class QuoteEvaluation:
    report: dict[str, Any]
    # for the bootstrap: (doc index, start) of correct attributions (gold side), predictions,
    # gold quotations
    _correct: list[tuple[int, int]] = field(default_factory=list)
    _pred: list[tuple[int, int]] = field(default_factory=list)
    _gold: list[tuple[int, int]] = field(default_factory=list)

    def unit_counts(self, units: Units) -> np.ndarray:
        """Per-unit (correct, predicted, gold) of the headline (attribution F1): a correct pair
        belongs to the unit of its gold quotation, a prediction to the unit of its content
        start."""

        def where(items: list[tuple[int, int]]) -> np.ndarray:
            array = np.asarray(items, dtype=np.int64).reshape(-1, 2)
            return units.units_of(array[:, 0], array[:, 1])

        return unit_counts(
            units.n_units, where(self._correct), where(self._pred), where(self._gold)
        )


def evaluate_quotes(gold_docs: list[Any], pred_docs: list[Any]) -> QuoteEvaluation:
    """Quotation scores of aligned document lists (see :func:`quote_scores`)."""
    exact_correct = token_correct = token_pred = token_gold = 0
    cue_correct = cue_pred = cue_gold = 0
    matched = speaker_equal = kind_equal = 0
    n_pred = n_gold = 0
    evaluation = QuoteEvaluation({})
    for index, (gold_doc, pred_doc) in enumerate(zip(gold_docs, pred_docs, strict=True)):
        gold = gold_doc.get("quotes") or []
        pred = pred_doc.get("quotes") or []
        n_gold += len(gold)
        n_pred += len(pred)
        gold_spans = [span_key(q["content"]) for q in gold]
        pred_spans = [span_key(q["content"]) for q in pred]
        evaluation._gold.extend((index, s[0]) for s in gold_spans)
        evaluation._pred.extend((index, s[0]) for s in pred_spans)
        exact_correct += sum((Counter(gold_spans) & Counter(pred_spans)).values())

        gold_tokens: set[tuple[int, int]] = set()
        for q in gold:
            gold_tokens |= span_tokens(q["content"])
        pred_tokens: set[tuple[int, int]] = set()
        for q in pred:
            pred_tokens |= span_tokens(q["content"])
        token_correct += len(gold_tokens & pred_tokens)
        token_gold += len(gold_tokens)
        token_pred += len(pred_tokens)

        gold_cues = {span_key(q.get("cue")) for q in gold} - {None}
        pred_cues = {span_key(q.get("cue")) for q in pred} - {None}
        cue_correct += len(gold_cues & pred_cues)
        cue_gold += len(gold_cues)
        cue_pred += len(pred_cues)

        for i, j, _ in match_quotes(gold_spans, pred_spans):  # type: ignore[arg-type]
            matched += 1
            g, p = gold[i], pred[j]
            kind_equal += g.get("kind") == p.get("kind")
            if cluster_label(g.get("speaker_entity_id")) == cluster_label(
                p.get("speaker_entity_id")
            ):
                speaker_equal += 1
                evaluation._correct.append((index, gold_spans[i][0]))  # type: ignore[index]

    evaluation.report = {
        "headline": {
            "name": "attribution F1 (content matched and speaker entity right)",
            "value": prf(speaker_equal, n_pred, n_gold)["f1"],
        },
        "attribution": count_report(speaker_equal, n_pred, n_gold),
        "content_exact": count_report(exact_correct, n_pred, n_gold),
        "content_tokens": count_report(token_correct, token_pred, token_gold),
        "cue": count_report(cue_correct, cue_pred, cue_gold),
        "speaker_accuracy": {
            "correct": speaker_equal,
            "matched": matched,
            "accuracy": safe_div(speaker_equal, matched),
        },
        "kind_accuracy": {
            "correct": kind_equal,
            "matched": matched,
            "accuracy": safe_div(kind_equal, matched),
        },
        "matched": matched,
    }
    return evaluation


def quote_scores(gold_docs: Documents, pred_docs: Documents) -> dict[str, Any]:
    """Quotation scores: ``content_exact``, ``content_tokens``, ``cue`` (precision, recall, F1
    with counts), ``speaker_accuracy`` and ``kind_accuracy`` on matched quotations, and the
    headline ``attribution`` F1. Definitions in the module docstring."""
    _, gold, pred = align(gold_docs, pred_docs)
    return evaluate_quotes(gold, pred).report
