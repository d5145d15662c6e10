"""Bootstrap confidence intervals and the paired bootstrap test, from per-unit counts.

Every headline figure is an F1 computed from pooled counts: F1 = 2 C / (A + P) with C the
correct items, A the predicted items (actual) and P the gold items (possible). A metric is
therefore given as a ``(n_units, 3)`` array of per-unit (C, A, P) counts, the unit being the
document or the paragraph (see :func:`propos.metrics.common.make_units`).

- **Resampling**: a resample draws ``n_units`` units uniformly with replacement
  (``numpy.random.default_rng(seed)``); its F1 is computed from the counts summed over the
  drawn units. Draws are made for blocks of resamples at once and summed with array
  operations (see :func:`resample_totals`), without per-unit Python work.
- **Confidence interval**: the percentile interval, i.e. the ``(1 - confidence) / 2`` and
  ``(1 + confidence) / 2`` quantiles (NumPy's default linear interpolation) of the resampled
  F1 values; ``estimate`` is the F1 of the full data (not the resample mean).
- **Paired test** (Koehn 2004): the same resamples of units are applied to both systems (they
  are scored on the same gold units); with δ* = F1_A − F1_B on a resample,
  ``p_value = #{δ* <= 0} / resamples``: the bootstrap estimate of the probability that system
  A is not better than system B (small values mean A is better). Its resolution is
  1 / resamples. The percentile interval of δ* is given too.

Several metrics passed together share the same resamples.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

# Resamples drawn per block: bounds memory; the draws are the same whatever the block (a test
# holds it). benchmark/PERFORMANCE.md, time per document of the bootstrap stage at 10,000 and
# 100,000 documents: 11 and 14 us with blocks of 20, 6 and 7 with 16.
_BLOCK = 16


def _packing(counts: np.ndarray) -> list[list[tuple[int, int]]] | None:
    """How to pack the integer columns of ``counts`` into int64 words so that summing a word
    over any resample sums every column without carries: per word, a list of
    (column, shift). None when the counts are not non-negative integers or need more than
    two words (then the weights-matrix path is faster)."""
    if counts.size == 0 or counts.min() < 0 or not np.all(counts == np.floor(counts)):
        return None
    n = counts.shape[0]
    words: list[list[tuple[int, int]]] = [[]]
    used = 0
    for column in range(counts.shape[1]):
        width = max(1, (n * int(counts[:, column].max())).bit_length())
        if width > 62:
            return None
        if used + width > 62:
            words.append([])
            used = 0
        words[-1].append((column, used))
        used += width
    return words if len(words) <= 2 else None


def resample_totals(counts: np.ndarray, resamples: int, seed: int = 0) -> np.ndarray:
    """``(resamples, k)`` column sums of ``counts`` (``(n_units, k)``) over bootstrap
    resamples of its rows.

    The draws are ``default_rng(seed).integers(0, n_units)`` in blocks of resamples; the sums
    are exact whichever of the two paths computes them: gathering integer counts packed into
    one or two int64 words, or per-unit multiplicities (``bincount``) times the counts.
    """
    counts = np.asarray(counts, dtype=np.float64)
    n = counts.shape[0]
    out = np.zeros((resamples, counts.shape[1]), dtype=np.float64)
    if n == 0 or resamples == 0:
        return out
    rng = np.random.default_rng(seed)
    block = max(1, min(_BLOCK, resamples))
    index_type = np.int64 if n >= 2**31 else np.int32
    packing = _packing(counts)
    if packing is not None:
        words = np.zeros((len(packing), n), dtype=np.int64)
        for word, fields in zip(words, packing, strict=True):
            for column, shift in fields:
                word |= counts[:, column].astype(np.int64) << shift
        for first in range(0, resamples, block):
            size = min(block, resamples - first)
            draws = rng.integers(0, n, size=(size, n), dtype=index_type)
            for word, fields in zip(words, packing, strict=True):
                sums = word[draws].sum(axis=1)
                for position, (column, shift) in enumerate(fields):
                    end = fields[position + 1][1] if position + 1 < len(fields) else 63
                    out[first : first + size, column] = (sums >> shift) & ((1 << (end - shift)) - 1)
        return out
    weights = np.empty((block, n), dtype=np.float64)
    for first in range(0, resamples, block):
        size = min(block, resamples - first)
        draws = rng.integers(0, n, size=(size, n), dtype=index_type)
        for row in range(size):
            weights[row] = np.bincount(draws[row], minlength=n)
        out[first : first + size] = weights[:size] @ counts
    return out


def f1_values(totals: np.ndarray) -> np.ndarray:
    """F1 = 2 C / (A + P) of (C, A, P) columns, row by row (0 where A + P = 0)."""
    totals = np.asarray(totals, dtype=np.float64)
    correct, actual, possible = totals[..., 0], totals[..., 1], totals[..., 2]
    denominator = actual + possible
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, 2 * correct / denominator, 0.0)


def _interval(values: np.ndarray, confidence: float) -> tuple[float, float]:
    alpha = 1.0 - confidence
    low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def _stack(named: Mapping[str, np.ndarray]) -> tuple[list[str], np.ndarray]:
    names = list(named)
    arrays = [np.asarray(named[name], dtype=np.float64).reshape(-1, 3) for name in names]
    lengths = {len(a) for a in arrays}
    if len(lengths) > 1:
        raise ValueError(f"per-unit count arrays differ in length: {sorted(lengths)}")
    return names, np.concatenate(arrays, axis=1) if arrays else np.zeros((0, 0))


def bootstrap_intervals(
    named_counts: Mapping[str, np.ndarray],
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, dict[str, float]]:
    """Percentile intervals of F1 for each ``name -> (n_units, 3) counts`` entry, all from the
    same resamples: ``{name: {"estimate", "low", "high"}}``."""
    names, counts = _stack(named_counts)
    if not names:
        return {}
    estimates = f1_values(counts.sum(axis=0).reshape(-1, 3))
    totals = resample_totals(counts, resamples, seed).reshape(resamples, len(names), 3)
    values = f1_values(totals)
    out = {}
    for index, name in enumerate(names):
        estimate = float(estimates[index])
        if resamples and counts.shape[0]:
            low, high = _interval(values[:, index], confidence)
        else:
            low = high = estimate
        out[name] = {"estimate": estimate, "low": low, "high": high}
    return out


def bootstrap_f1(
    counts: np.ndarray, resamples: int = 1000, seed: int = 0, confidence: float = 0.95
) -> dict[str, float]:
    """Percentile interval of one F1 from its ``(n_units, 3)`` per-unit (C, A, P) counts."""
    return bootstrap_intervals({"f1": counts}, resamples, seed, confidence)["f1"]


def paired_tests(
    named_a: Mapping[str, np.ndarray],
    named_b: Mapping[str, np.ndarray],
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, dict[str, float]]:
    """Paired bootstrap of systems A and B for each metric name (same units, same resamples):
    ``{name: {"a", "b", "delta", "low", "high", "p_value"}}`` (``low``/``high``: percentile
    interval of F1_A - F1_B; ``p_value``: share of resamples where A is not better)."""
    if set(named_a) != set(named_b):
        raise ValueError("the two systems must be given the same metrics")
    names = list(named_a)
    _, counts = _stack(
        {**{f"a:{n}": named_a[n] for n in names}, **{f"b:{n}": named_b[n] for n in names}}
    )
    k = len(names)
    full = f1_values(counts.sum(axis=0).reshape(2 * k, 3))
    totals = resample_totals(counts, resamples, seed).reshape(resamples, 2 * k, 3)
    values = f1_values(totals)
    out = {}
    for index, name in enumerate(names):
        a, b = float(full[index]), float(full[k + index])
        delta = values[:, index] - values[:, k + index]
        if resamples and counts.shape[0]:
            low, high = _interval(delta, confidence)
            p_value = float(np.mean(delta <= 0))
        else:
            low = high = a - b
            p_value = float(a <= b)
        out[name] = {"a": a, "b": b, "delta": a - b, "low": low, "high": high, "p_value": p_value}
    return out


def paired_bootstrap(
    counts_a: np.ndarray,
    counts_b: np.ndarray,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Paired bootstrap test of one F1 between systems A and B (see the module docstring)."""
    return paired_tests({"f1": counts_a}, {"f1": counts_b}, resamples, seed, confidence)["f1"]
