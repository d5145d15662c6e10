"""What the Hugging Face ``evaluate`` modules of benchmark/metrics/ share.

Each module (``propos_ner``, ``propos_quotes``, ``propos_events``) is a thin ``evaluate.Metric``
whose inputs are documents as JSON strings; the scoring is :func:`propos.metrics.score`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from propos.metrics.common import pair_documents
from propos.metrics.report import score


def metric_info(description: str, citation: str, inputs_description: str) -> Any:
    import datasets
    import evaluate

    return evaluate.MetricInfo(
        description=description,
        citation=citation,
        inputs_description=inputs_description,
        features=datasets.Features(
            {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
        ),
    )


def compute(
    layer: str,
    headline_key: str,
    predictions: list[str],
    references: list[str],
    paragraphs: Mapping[str, Iterable[Any]] | None = None,
    resamples: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """One layer's headline (under ``headline_key``), its interval, the unit and the report."""
    gold, pred = pair_documents(predictions, references)
    result = score(
        gold, pred, paragraphs=paragraphs, resamples=resamples, seed=seed, layers=(layer,)
    )
    headline = result["headline"][layer]
    return {
        headline_key: headline["value"],
        "low": headline["low"],
        "high": headline["high"],
        "bootstrap_unit": result["bootstrap"]["unit"],
        "details": result[layer],
    }
