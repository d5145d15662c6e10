"""What the Hugging Face ``evaluate`` modules of benchmark/metrics/ share.

Each module (``propos_ner``, ``propos_quotes``, ``propos_events``) is a thin ``evaluate.Metric``
and behaves as ``propos evaluate`` does: predictions (submission lines, JSON strings) pair with
references by ``doc_id`` in any order; references are JSON strings of gold documents or of
rows of the dataset's ``documents`` configuration (``json.dumps(row)``, class labels as
integers); the bootstrap resamples paragraphs below 30 documents, taken from ``paragraphs`` or
from the reference rows, and warns when it has none. The scoring is
:func:`propos.metrics.score`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from propos.metrics.common import (
    MIN_DOCUMENTS_FOR_DOCUMENT_UNIT,
    pair_documents,
    reference_paragraphs,
)
from propos.metrics.report import score


class ResamplingUnitWarning(UserWarning):
    """The bootstrap cannot use the resampling unit ``propos evaluate`` uses."""


def metric_info(description: str, citation: str, inputs_description: str) -> Any:
    import datasets
    import evaluate

    text = datasets.Value("string")
    return evaluate.MetricInfo(
        description=description,
        citation=citation,
        inputs_description=inputs_description,
        features=datasets.Features({"predictions": text, "references": text}),
    )


def warn_about_units(n_documents: int, resamples: int) -> str | None:
    """Below 30 documents ``propos evaluate`` resamples paragraphs; without them, say so."""
    if n_documents >= MIN_DOCUMENTS_FOR_DOCUMENT_UNIT or not resamples:
        return None
    message = (
        f"{n_documents} documents < {MIN_DOCUMENTS_FOR_DOCUMENT_UNIT} and no paragraphs:"
        " the interval resamples documents, not paragraphs as `propos evaluate` does, and is"
        " not comparable with it; pass paragraphs={doc_id: paragraphs} or rows of the"
        " `documents` configuration as references"
    )
    warnings.warn(message, ResamplingUnitWarning, stacklevel=3)
    return message


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
    if paragraphs is None:
        paragraphs = reference_paragraphs(gold)
    warning = None if paragraphs is not None else warn_about_units(len(gold), resamples)
    result = score(
        gold, pred, paragraphs=paragraphs, resamples=resamples, seed=seed, layers=(layer,)
    )
    headline = result["headline"][layer]
    return {
        headline_key: headline["value"],
        "low": headline["low"],
        "high": headline["high"],
        "bootstrap_unit": result["bootstrap"]["unit"],
        "bootstrap_warning": warning,
        "details": result[layer],
    }
