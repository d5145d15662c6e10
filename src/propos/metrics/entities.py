"""Named-entity metrics: the four SemEval-2013 task 9.1 schemes, micro and per type.

Definitions (Segura-Bedmar et al. 2013, as nervaluate implements them). Each predicted mention
is matched to at most one gold mention of the same document, and each gold mention to at most
one prediction; every prediction then counts as one of

- COR (correct), INC (incorrect), PAR (partial) when it is matched, SPU (spurious) when not;

and every unmatched gold mention as MIS (missing). POSSIBLE = COR + INC + PAR + MIS (the number
of gold mentions), ACTUAL = COR + INC + PAR + SPU (the number of predictions).

=========  ===========================================  ==============================
scheme     COR when the matched pair has                otherwise, an overlapping pair
=========  ===========================================  ==============================
strict     the same span and the same type              INC
exact      the same span (any type)                     INC
partial    the same span (any type)                     PAR
type       the same type and any overlap                INC (overlap, other type)
=========  ===========================================  ==============================

- strict, exact: precision = COR / ACTUAL, recall = COR / POSSIBLE.
- partial, type: precision = (COR + 0.5 PAR) / ACTUAL, recall = (COR + 0.5 PAR) / POSSIBLE
  (PAR is always 0 in ``type``, so it reduces to the strict formula; nervaluate calls this
  scheme ``ent_type``).
- F1 is the harmonic mean of precision and recall; every ratio is 0 when its denominator is 0.

How pairs are formed, in each document (documented because the counts depend on it):

1. Exact pairs first: predictions identical to a gold mention (same span, and same type for
   strict and type; same span for exact and partial) are paired one to one.
2. The remaining predictions, in text order (start, end, type), each take the first remaining
   gold mention (in the same order) that overlaps them by at least one character. In the
   ``type`` scheme a remaining prediction takes, among the overlapping remaining gold mentions
   of its own type, the one with the closest boundaries (smallest
   ``|start difference| + |end difference|``, first on ties) and is then COR; only when there
   is none does it take the first overlapping gold mention of another type, as INC.

Per type, as in nervaluate, gold and predicted mentions are first restricted to that type and
the scheme is run again: a PER prediction on an ORG gold span is INC in the micro strict
scheme, but a SPU of PER and a MIS of ORG per type.

Relation to nervaluate 1.2.1. nervaluate processes the predictions in list order, each taking
the first matching gold mention in list order, without an exact-pairs-first step. When no two
predictions of a document overlap (always the case for predictions decoded from BIO tags),
step 1 cannot take a gold mention that an earlier prediction would have taken, and the counts
are equal to nervaluate's run on mentions sorted by (start, end, type). Deliberate
differences:

- Overlapping predictions: a prediction identical to a gold mention is COR even when an
  earlier, overlapping prediction would have consumed that gold mention in nervaluate (whose
  result then depends on the order of the list).
- Overlap: any common character counts. nervaluate requires the common part to cover at least
  ``min_overlap_percentage`` = 1% of the gold span (its minimum setting), which differs only
  for gold mentions longer than 100 characters.

Coarse types map the fine ones through :data:`propos.schema.COARSE_TYPE` before scoring.

The implementation is vectorised with NumPy: exact pairs are found by sorting packed integer
keys; of the remaining mentions, documents where each prediction overlaps at most one gold
mention and each gold mention at most one prediction are resolved in bulk, and only the
others run the greedy loop above in Python.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate, chain
from operator import itemgetter
from typing import Any

import numpy as np

from propos.metrics.common import Documents, Units, align, prf, unit_counts
from propos.schema import COARSE_TYPE, COARSE_TYPES, ENTITY_TYPES

SCHEMES: tuple[str, ...] = ("strict", "exact", "partial", "type")
"""The four schemes, in report order (nervaluate calls ``type`` ``ent_type``)."""

_FINE_INDEX = {label: i for i, label in enumerate(ENTITY_TYPES)}
_COARSE_OF_FINE = np.array(
    [COARSE_TYPES.index(COARSE_TYPE[label]) for label in ENTITY_TYPES], dtype=np.int64
)
_STRIDE = 1 << 31

NONE, CORRECT, INCORRECT = 0, 1, 2
"""Statuses of a mention after matching (INCORRECT reads PARTIAL in the partial scheme)."""


@dataclass
class Mentions:
    """Entity mentions of a list of documents, as parallel int64 arrays sorted by
    (document, start, end, label)."""

    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray

    def __len__(self) -> int:
        return len(self.doc)

    @classmethod
    def from_documents(cls, docs: list[Any]) -> Mentions:
        lists = [document.get("entities") or () for document in docs]
        entities = list(chain.from_iterable(lists))
        doc = np.repeat(np.arange(len(lists), dtype=np.int64), [len(x) for x in lists])
        start = np.fromiter(map(itemgetter("start"), entities), np.int64, len(entities))
        end = np.fromiter(map(itemgetter("end"), entities), np.int64, len(entities))
        try:
            label = np.fromiter(
                map(_FINE_INDEX.__getitem__, map(itemgetter("type"), entities)),
                np.int64,
                len(entities),
            )
        except KeyError as exc:
            raise ValueError(
                f"unknown entity type {exc.args[0]!r}; expected one of {ENTITY_TYPES}"
            ) from None
        if len(entities) and min(int(start.min()), int(end.min())) < 0:
            raise ValueError("negative entity offset")
        arrays = [doc, start, end, label]
        order = _sort_order(*arrays)
        if order is not None:
            arrays = [a[order] for a in arrays]
        return cls(*arrays)

    @classmethod
    def from_spans(cls, spans: list[list[tuple[int, int, str]]]) -> Mentions:
        """Mentions from per-document lists of ``(start, end, type)`` (a test helper)."""
        docs = [
            {"entities": [{"start": s, "end": e, "type": t} for s, e, t in doc]} for doc in spans
        ]
        return cls.from_documents(docs)


# ---------------------------------------------------------------------------------------------
# Matching machinery


def _pack(*columns: np.ndarray) -> np.ndarray:
    """int64 keys that order the rows of ``columns`` lexicographically (equal keys exactly for
    equal rows); ``columns`` are non-negative int64 arrays."""
    if len(columns[0]) == 0:
        return np.zeros(0, dtype=np.int64)
    widths = [int(c.max()).bit_length() for c in columns]
    if sum(widths) <= 62:
        key = columns[0].copy()
        for column, width in zip(columns[1:], widths[1:], strict=True):
            key <<= width
            key |= column
        return key
    _, inverse = np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64)


def _is_sorted(keys: np.ndarray) -> bool:
    return bool(np.all(keys[1:] >= keys[:-1]))


def _sort_order(*columns: np.ndarray) -> np.ndarray | None:
    """The stable order sorting the rows of ``columns``, or None when they already are."""
    keys = _pack(*columns)
    return None if _is_sorted(keys) else np.argsort(keys, kind="stable")


def _run_ranks(ordered: np.ndarray) -> np.ndarray:
    """Rank of each element of a sorted array within its run of equal values."""
    n = len(ordered)
    index = np.arange(n)
    starts = np.ones(n, dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    return index - np.maximum.accumulate(np.where(starts, index, 0))


def _ranks(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rank of each element among the elements with the same key (in index order), and the
    sorted keys."""
    if _is_sorted(keys):
        return _run_ranks(keys), keys
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    ranks = np.empty(len(keys), dtype=np.int64)
    ranks[order] = _run_ranks(ordered)
    return ranks, ordered


def exact_pairs(gold_keys: np.ndarray, pred_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-to-one pairing of equal keys: the r-th gold and the r-th prediction with a key are
    paired while both exist. Returns the boolean "paired" masks of gold and predictions."""
    gold_rank, gold_sorted = _ranks(gold_keys)
    pred_rank, pred_sorted = _ranks(pred_keys)
    gold_in_pred = np.searchsorted(pred_sorted, gold_keys, "right") - np.searchsorted(
        pred_sorted, gold_keys, "left"
    )
    pred_in_gold = np.searchsorted(gold_sorted, pred_keys, "right") - np.searchsorted(
        gold_sorted, pred_keys, "left"
    )
    return gold_rank < gold_in_pred, pred_rank < pred_in_gold


def greedy_overlap(
    gold: list[tuple[int, int, int]], pred: list[tuple[int, int, int]], by_type: bool
) -> tuple[list[int], list[int]]:
    """The greedy overlap step of one document (or one document and type).

    ``gold`` and ``pred`` are ``(start, end, label)`` lists sorted by (start, end, label).
    Returns the statuses of gold and predictions (NONE, CORRECT or INCORRECT).
    """
    n = len(gold)
    gold_status = [NONE] * n
    pred_status = [NONE] * len(pred)
    ends_so_far = list(accumulate((g[1] for g in gold), max))
    for j, (start, end, label) in enumerate(pred):
        i = bisect_right(ends_so_far, start)  # gold before i all end at or before `start`
        first = best = -1
        best_distance = 0
        while i < n and gold[i][0] < end:
            g_start, g_end, g_label = gold[i]
            if gold_status[i] == NONE and g_end > start:
                if by_type and g_label == label:
                    distance = abs(g_start - start) + abs(g_end - end)
                    if best < 0 or distance < best_distance:
                        best, best_distance = i, distance
                elif first < 0:
                    first = i
            i += 1
        if best >= 0:
            gold_status[best] = pred_status[j] = CORRECT
        elif first >= 0:
            gold_status[first] = pred_status[j] = INCORRECT
    return gold_status, pred_status


def _rows(start: np.ndarray, end: np.ndarray, label: np.ndarray) -> list[tuple[int, int, int]]:
    return list(zip(start.tolist(), end.tolist(), label.tolist(), strict=True))


def _overlap_counts(
    a_group: np.ndarray, a_start: np.ndarray, a_end: np.ndarray,
    b_group: np.ndarray, b_start: np.ndarray, b_end: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """For each item of ``b``: the index of the first item of ``a`` of its group that overlaps
    it, and how many do. ``a`` must be sorted by (group, start) with no two items of a group
    overlapping (so that the ends are sorted too)."""
    end_keys = a_group * _STRIDE + a_end
    start_keys = a_group * _STRIDE + a_start
    low = np.searchsorted(end_keys, b_group * _STRIDE + b_start, side="right")
    high = np.searchsorted(start_keys, b_group * _STRIDE + b_end, side="left")
    return low, np.maximum(high - low, 0)


def _mark_nonflat(flags: np.ndarray, group: np.ndarray, start: np.ndarray, end: np.ndarray) -> None:
    same = group[1:] == group[:-1]
    flags[group[1:][same & (start[1:] < end[:-1])]] = True


@dataclass
class Side:
    """One side (gold or predictions) of a matching run: mentions, the labels used (fine or
    coarse types), their group (document, or document and type), the order sorting them by
    (group, start, end, label), and which mentions are still unpaired."""

    mentions: Mentions
    label: np.ndarray
    group: np.ndarray
    order: np.ndarray
    unpaired: np.ndarray


Matches = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def residual_match(gold: Side, pred: Side, n_groups: int, modes: tuple[bool, ...]) -> list[Matches]:
    """The greedy overlap step over the mentions left after exact pairing, for each mode of
    ``modes`` (``by_type`` False or True).

    Returns, per mode, (gold indices, gold statuses, prediction indices, prediction statuses) of
    the mentions that got paired (indices into the mention tables).
    """
    empty = np.zeros(0, dtype=np.int64)
    nothing = [(empty, empty, empty, empty) for _ in modes]
    g = gold.order[gold.unpaired[gold.order]]
    p = pred.order[pred.unpaired[pred.order]]
    if len(g) == 0 or len(p) == 0:
        return nothing
    in_gold = np.zeros(n_groups, dtype=bool)
    in_gold[gold.group[g]] = True
    in_pred = np.zeros(n_groups, dtype=bool)
    in_pred[pred.group[p]] = True
    both = in_gold & in_pred
    g = g[both[gold.group[g]]]
    p = p[both[pred.group[p]]]
    if len(g) == 0:
        return nothing
    gm, pm = gold.mentions, pred.mentions
    g_group, g_start, g_end, g_label = gold.group[g], gm.start[g], gm.end[g], gold.label[g]
    p_group, p_start, p_end, p_label = pred.group[p], pm.start[p], pm.end[p], pred.label[p]
    loop = np.zeros(n_groups, dtype=bool)  # groups left to the Python loop
    if n_groups >= _STRIDE or max(int(g_end.max()), int(p_end.max())) >= _STRIDE:
        loop[:] = True
    else:
        _mark_nonflat(loop, g_group, g_start, g_end)
        _mark_nonflat(loop, p_group, p_start, p_end)
    # Bulk: groups where no mention overlaps two mentions of the other side.
    gi = np.flatnonzero(~loop[g_group])
    pi = np.flatnonzero(~loop[p_group])
    first_gold, n_gold = _overlap_counts(
        g_group[gi], g_start[gi], g_end[gi], p_group[pi], p_start[pi], p_end[pi]
    )
    _, n_pred = _overlap_counts(
        p_group[pi], p_start[pi], p_end[pi], g_group[gi], g_start[gi], g_end[gi]
    )
    loop[p_group[pi][n_gold > 1]] = True
    loop[g_group[gi][n_pred > 1]] = True
    simple = (n_gold == 1) & ~loop[p_group[pi]]
    pair_pred = pi[simple]
    pair_gold = gi[first_gold[simple]]
    same_label = g_label[pair_gold] == p_label[pair_pred]
    groups = np.flatnonzero(loop & both)
    if len(groups):
        gc = np.flatnonzero(loop[g_group])
        pc = np.flatnonzero(loop[p_group])
        g_bounds = [*np.searchsorted(g_group[gc], groups, side="left").tolist(), len(gc)]
        p_bounds = [*np.searchsorted(p_group[pc], groups, side="left").tolist(), len(pc)]
        g_rows = _rows(g_start[gc], g_end[gc], g_label[gc])
        p_rows = _rows(p_start[pc], p_end[pc], p_label[pc])
    results = []
    for by_type in modes:
        if by_type:
            status = np.where(same_label, CORRECT, INCORRECT)
        else:
            status = np.full(len(pair_pred), INCORRECT, dtype=np.int64)
        out_gold, out_gold_status = [g[pair_gold]], [status]
        out_pred, out_pred_status = [p[pair_pred]], [status]
        if len(groups):  # Python loop for the rest
            loop_gold: list[int] = []
            loop_gold_status: list[int] = []
            loop_pred: list[int] = []
            loop_pred_status: list[int] = []
            for k in range(len(groups)):
                g0, g1 = g_bounds[k], g_bounds[k + 1]
                p0, p1 = p_bounds[k], p_bounds[k + 1]
                gold_status, pred_status = greedy_overlap(g_rows[g0:g1], p_rows[p0:p1], by_type)
                for i, s in enumerate(gold_status):
                    if s != NONE:
                        loop_gold.append(g0 + i)
                        loop_gold_status.append(s)
                for j, s in enumerate(pred_status):
                    if s != NONE:
                        loop_pred.append(p0 + j)
                        loop_pred_status.append(s)
            out_gold.append(g[gc[np.asarray(loop_gold, dtype=np.int64)]])
            out_gold_status.append(np.asarray(loop_gold_status, dtype=np.int64))
            out_pred.append(p[pc[np.asarray(loop_pred, dtype=np.int64)]])
            out_pred_status.append(np.asarray(loop_pred_status, dtype=np.int64))
        results.append(
            (
                np.concatenate(out_gold),
                np.concatenate(out_gold_status),
                np.concatenate(out_pred),
                np.concatenate(out_pred_status),
            )
        )
    return results


# ---------------------------------------------------------------------------------------------
# Scoring


@dataclass
class Run:
    """Statuses of every gold and predicted mention after one matching run."""

    gold_status: np.ndarray
    pred_status: np.ndarray

    def counts(self, gold_label: np.ndarray, pred_label: np.ndarray, n_labels: int) -> np.ndarray:
        """Per label, the (COR, INC, MIS, SPU) counts as a ``(n_labels, 4)`` array."""
        gold = np.bincount(gold_label * 3 + self.gold_status, minlength=3 * n_labels)
        gold = gold.reshape(n_labels, 3)
        out = np.zeros((n_labels, 4), dtype=np.int64)
        out[:, 0] = gold[:, CORRECT]
        out[:, 1] = gold[:, INCORRECT]
        out[:, 2] = gold[:, NONE]
        out[:, 3] = np.bincount(pred_label[self.pred_status == NONE], minlength=n_labels)
        return out


def _runs(
    gold: Mentions,
    pred: Mentions,
    labels: tuple[np.ndarray, np.ndarray],
    grouping: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int],
    paired: tuple[np.ndarray, np.ndarray],
    modes: tuple[bool, ...],
) -> list[Run]:
    """One :class:`Run` per mode (``by_type``) of the greedy overlap step."""
    gold_group, gold_order, pred_group, pred_order, n_groups = grouping
    gold_paired, pred_paired = paired
    matches = residual_match(
        Side(gold, labels[0], gold_group, gold_order, ~gold_paired),
        Side(pred, labels[1], pred_group, pred_order, ~pred_paired),
        n_groups,
        modes,
    )
    runs = []
    for gi, gs, pi, ps in matches:
        gold_status = np.where(gold_paired, CORRECT, NONE)
        pred_status = np.where(pred_paired, CORRECT, NONE)
        gold_status[gi] = gs
        pred_status[pi] = ps
        runs.append(Run(gold_status, pred_status))
    return runs


def scheme_result(cor: int, inc: int, mis: int, spu: int, scheme: str) -> dict[str, Any]:
    """The nervaluate-style record of one scheme from its counts (INC is PAR in ``partial``)."""
    par = 0
    if scheme == "partial":
        inc, par = 0, inc
    possible = cor + inc + par + mis
    actual = cor + inc + par + spu
    credit = cor + 0.5 * par
    return {
        "correct": int(cor),
        "incorrect": int(inc),
        "partial": int(par),
        "missed": int(mis),
        "spurious": int(spu),
        "possible": int(possible),
        "actual": int(actual),
        **prf(credit, actual, possible),
    }


@dataclass
class EntityEvaluation:
    """The report of :func:`entity_scores` and what the bootstrap needs of it."""

    report: dict[str, Any]
    strict_run: Run
    gold: Mentions
    pred: Mentions

    def unit_counts(self, units: Units) -> np.ndarray:
        """Per-unit (COR, ACTUAL, POSSIBLE) of the headline (strict, micro, fine types): a
        matched pair belongs to the unit of its gold mention, a prediction to its own."""
        gold_units = units.units_of(self.gold.doc, self.gold.start)
        pred_units = units.units_of(self.pred.doc, self.pred.start)
        return unit_counts(
            units.n_units,
            gold_units[self.strict_run.gold_status == CORRECT],
            pred_units,
            gold_units,
        )


def _by_document(gold: Mentions, pred: Mentions, n_docs: int) -> tuple[Any, ...]:
    return (gold.doc, np.arange(len(gold)), pred.doc, np.arange(len(pred)), n_docs)


def _by_document_and_label(
    gold: Mentions, pred: Mentions, gold_label: np.ndarray, pred_label: np.ndarray,
    n_docs: int, n_labels: int,
) -> tuple[Any, ...]:  # fmt: skip
    out: list[Any] = []
    for m, label in ((gold, gold_label), (pred, pred_label)):
        group = m.doc * n_labels + label
        order = _sort_order(group, m.start, m.end, label)
        out += [group, np.arange(len(m)) if order is None else order]
    return (*out, n_docs * n_labels)


def _score_labels(
    gold: Mentions,
    pred: Mentions,
    n_docs: int,
    gold_label: np.ndarray,
    pred_label: np.ndarray,
    names: tuple[str, ...],
    span_run: Run,
) -> tuple[dict[str, Any], Run]:
    n = len(names)
    keys = _pack(
        np.concatenate([gold.doc, pred.doc]),
        np.concatenate([gold.start, pred.start]),
        np.concatenate([gold.end, pred.end]),
        np.concatenate([gold_label, pred_label]),
    )
    label_paired = exact_pairs(keys[: len(gold)], keys[len(gold) :])
    by_doc = _by_document(gold, pred, n_docs)
    by_doc_label = _by_document_and_label(gold, pred, gold_label, pred_label, n_docs, n)
    labels = (gold_label, pred_label)
    strict, typed = _runs(gold, pred, labels, by_doc, label_paired, (False, True))
    per_type_span, per_type_typed = _runs(
        gold, pred, labels, by_doc_label, label_paired, (False, True)
    )

    def total(run: Run) -> list[int]:
        return [int(c) for c in run.counts(gold_label, pred_label, n).sum(axis=0)]

    micro = {
        "strict": scheme_result(*total(strict), "strict"),
        "exact": scheme_result(*total(span_run), "exact"),
        "partial": scheme_result(*total(span_run), "partial"),
        "type": scheme_result(*total(typed), "type"),
    }
    span_counts = per_type_span.counts(gold_label, pred_label, n).tolist()
    typed_counts = per_type_typed.counts(gold_label, pred_label, n).tolist()
    per_type = {
        name: {
            "strict": scheme_result(*span_counts[i], "strict"),
            "exact": scheme_result(*span_counts[i], "exact"),
            "partial": scheme_result(*span_counts[i], "partial"),
            "type": scheme_result(*typed_counts[i], "type"),
        }
        for i, name in enumerate(names)
    }
    return {"micro": micro, "per_type": per_type}, strict


def evaluate_entities(gold_docs: list[Any], pred_docs: list[Any]) -> EntityEvaluation:
    """Entity scores of aligned document lists (see :func:`entity_scores`)."""
    gold = Mentions.from_documents(gold_docs)
    pred = Mentions.from_documents(pred_docs)
    return evaluate_mentions(gold, pred, len(gold_docs))


def evaluate_mentions(
    gold: Mentions, pred: Mentions, n_docs: int | None = None
) -> EntityEvaluation:
    """Entity scores of two mention tables (documents numbered ``0 .. n_docs - 1``)."""
    if n_docs is None:
        n_docs = int(max(gold.doc.max(initial=-1), pred.doc.max(initial=-1))) + 1
    span_keys = _pack(
        np.concatenate([gold.doc, pred.doc]),
        np.concatenate([gold.start, pred.start]),
        np.concatenate([gold.end, pred.end]),
    )
    span_paired = exact_pairs(span_keys[: len(gold)], span_keys[len(gold) :])
    (span_run,) = _runs(
        gold,
        pred,
        (gold.label, pred.label),
        _by_document(gold, pred, n_docs),
        span_paired,
        (False,),
    )
    fine, strict_run = _score_labels(
        gold, pred, n_docs, gold.label, pred.label, ENTITY_TYPES, span_run
    )
    coarse, _ = _score_labels(
        gold,
        pred,
        n_docs,
        _COARSE_OF_FINE[gold.label],
        _COARSE_OF_FINE[pred.label],
        COARSE_TYPES,
        span_run,
    )
    report = {
        "headline": {
            "name": "strict micro F1 (fine types)",
            "value": fine["micro"]["strict"]["f1"],
        },
        "fine": fine,
        "coarse": coarse,
    }
    return EntityEvaluation(report, strict_run, gold, pred)


def entity_scores(gold_docs: Documents, pred_docs: Documents) -> dict[str, Any]:
    """Named-entity scores: for fine types (:data:`propos.schema.ENTITY_TYPES`) and coarse types
    (:data:`propos.schema.COARSE_TYPE`), the four schemes (:data:`SCHEMES`) micro-averaged
    (``micro``) and per type (``per_type``), each with its counts (correct, incorrect, partial,
    missed, spurious, possible, actual) and precision, recall, F1. Headline: strict micro F1 on
    fine types. Definitions in the module docstring."""
    _, gold, pred = align(gold_docs, pred_docs)
    return evaluate_entities(gold, pred).report
