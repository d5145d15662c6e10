"""Bootstrap intervals, the paired test and resampling units: hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from propos.metrics import bootstrap_f1, make_units, paired_bootstrap, score
from propos.metrics.bootstrap import bootstrap_intervals, f1_values, resample_totals


def random_counts(n: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, 20, size=n)
    pred = rng.integers(0, 20, size=n)
    correct = np.minimum(gold, pred) - rng.integers(0, 3, size=n).clip(0, None)
    return np.stack([correct.clip(0, None), pred, gold], axis=1).astype(float)


def test_f1_values() -> None:
    assert f1_values(np.array([2.0, 4.0, 4.0])) == 0.5
    assert f1_values(np.array([0.0, 0.0, 0.0])) == 0.0
    assert list(f1_values(np.array([[1.0, 1.0, 1.0], [0.0, 1.0, 0.0]]))) == [1.0, 0.0]


def test_deterministic_with_a_seed() -> None:
    counts = random_counts(200)
    first = bootstrap_f1(counts, resamples=500, seed=7)
    assert bootstrap_f1(counts, resamples=500, seed=7) == first
    assert bootstrap_f1(counts, resamples=500, seed=8) != first
    np.testing.assert_array_equal(resample_totals(counts, 50, 3), resample_totals(counts, 50, 3))


def test_interval_contains_the_estimate() -> None:
    counts = random_counts(300)
    result = bootstrap_f1(counts, resamples=1000, seed=0)
    estimate = 2 * counts[:, 0].sum() / (counts[:, 1].sum() + counts[:, 2].sum())
    assert result["estimate"] == pytest.approx(estimate)
    assert result["low"] < result["estimate"] < result["high"]
    assert result["high"] - result["low"] < 0.2


def test_two_units_by_hand() -> None:
    # units (1, 1, 1) and (0, 1, 1): a resample of two units has F1 1, 0.5 or 0 with
    # probabilities 1/4, 1/2, 1/4, so the 95% percentile interval is [0, 1]
    counts = np.array([[1.0, 1.0, 1.0], [0.0, 1.0, 1.0]])
    totals = resample_totals(counts, 4000, seed=0)
    values = f1_values(totals)
    assert set(np.round(values, 6)) == {0.0, 0.5, 1.0}
    assert np.mean(values == 0.5) == pytest.approx(0.5, abs=0.03)
    result = bootstrap_f1(counts, resamples=1000, seed=0)
    assert (result["low"], result["estimate"], result["high"]) == (0.0, 0.5, 1.0)
    # a single unit: every resample is the data
    single = bootstrap_f1(counts[:1], resamples=100)
    assert single == {"estimate": 1.0, "low": 1.0, "high": 1.0}


def test_resampled_totals_are_unbiased() -> None:
    counts = random_counts(1000)
    totals = resample_totals(counts, 2000, seed=0)
    np.testing.assert_allclose(totals.mean(axis=0), counts.sum(axis=0), rtol=0.01)


def test_paired_bootstrap() -> None:
    a = np.array([[5.0, 5.0, 5.0], [3.0, 4.0, 5.0], [4.0, 5.0, 5.0], [2.0, 3.0, 4.0]])
    b = a.copy()
    b[:, 0] -= 1  # B is worse on every unit
    result = paired_bootstrap(a, b, resamples=1000, seed=0)
    assert result["delta"] == pytest.approx(result["a"] - result["b"]) and result["delta"] > 0
    assert result["p_value"] == 0.0
    assert 0 < result["low"] <= result["delta"] <= result["high"]
    assert paired_bootstrap(b, a, resamples=1000, seed=0)["p_value"] == 1.0
    assert paired_bootstrap(a, a, resamples=100, seed=0)["p_value"] == 1.0  # not better
    # mixed: A better on two units, worse on two
    c = a.copy()
    c[:2, 0] -= 2
    c[2:, 0] = c[2:, 1]
    mixed = paired_bootstrap(a, c, resamples=2000, seed=0)
    assert 0.05 < mixed["p_value"] < 0.95


def test_shared_resamples_across_metrics() -> None:
    counts = random_counts(100)
    together = bootstrap_intervals({"x": counts, "y": counts}, resamples=300, seed=4)
    assert together["x"] == together["y"] == bootstrap_f1(counts, resamples=300, seed=4)


# --- units -----------------------------------------------------------------------------------


def test_unit_switch_at_thirty_documents() -> None:
    paragraphs = {f"d{i:02d}": [(0, 10), (12, 30)] for i in range(30)}
    units = make_units(sorted(paragraphs)[:29], paragraphs)
    assert units.kind == "paragraph" and units.n_units == 58
    units = make_units(sorted(paragraphs), paragraphs)
    assert units.kind == "document" and units.n_units == 30
    units = make_units(sorted(paragraphs)[:5], None)
    assert units.kind == "document" and "no paragraphs" in units.reason


def test_mentions_belong_to_the_paragraph_of_their_start() -> None:
    paragraphs = {
        "a": [{"start": 0, "end": 10, "role": "title"}, {"start": 12, "end": 30}],
        "b": [(5, 20), (0, 3)],  # unsorted on purpose
        "c": [],
    }
    units = make_units(["a", "b", "c"], paragraphs)
    assert units.kind == "paragraph" and units.n_units == 5
    doc = np.array([0, 0, 0, 1, 1, 1, 2])
    start = np.array([0, 11, 12, 0, 4, 19, 50])
    assert units.units_of(doc, start).tolist() == [0, 0, 1, 2, 2, 3, 4]
    assert [units.unit_of(d, s) for d, s in zip(doc, start, strict=True)] == [0, 0, 1, 2, 2, 3, 4]


def entity(start: int, end: int) -> dict:
    return {"id": f"T{start}", "start": start, "end": end, "type": "PER", "entity_id": "E-x"}


def test_score_reports_the_unit_and_interval() -> None:
    gold = {
        "a": {"entities": [entity(0, 5), entity(20, 25)], "quotes": [], "events": []},
        "b": {"entities": [entity(0, 5)], "quotes": [], "events": []},
    }
    pred = {"a": {"entities": [entity(0, 5)], "quotes": [], "events": []}}
    paragraphs = {"a": [(0, 10), (15, 30)], "b": [(0, 10)]}
    result = score(gold, pred, paragraphs=paragraphs, resamples=200, seed=1)
    assert result["bootstrap"]["unit"] == "paragraph" and result["bootstrap"]["n_units"] == 3
    headline = result["headline"]["entities"]
    assert headline["value"] == pytest.approx(2 * 1 / (1 + 3))
    assert headline["low"] <= headline["value"] <= headline["high"]
    assert score(gold, pred, resamples=200, seed=1)["bootstrap"]["unit"] == "document"
    many = {f"d{i:02d}": gold["a"] for i in range(30)}
    assert score(many, {}, paragraphs=paragraphs, resamples=10)["bootstrap"]["unit"] == "document"


@pytest.mark.parametrize("units", [1, 999, 1000, 10_001])
@pytest.mark.parametrize("whole", [True, False])
def test_the_draws_do_not_depend_on_the_block_size(
    monkeypatch: pytest.MonkeyPatch, units: int, whole: bool
) -> None:
    """Whole counts take the packed path, fractional ones the weights path; blocks of odd and
    even sizes, one resample to all of them."""
    counts = random_counts(units) + (0 if whole else 0.5)
    from propos.metrics import bootstrap

    found = {}
    for block in (1, 3, 16, 20, 1000):
        monkeypatch.setattr(bootstrap, "_BLOCK", block)
        found[block] = resample_totals(counts, 203, seed=7)
    for block in (1, 3, 20, 1000):
        np.testing.assert_array_equal(found[block], found[16])
