"""Propos named entities: a Hugging Face ``evaluate`` wrapper around ``propos.metrics`` (entities).

Load it offline with ``evaluate.load("/abs/path/benchmark/metrics/propos_ner")``. The real
work is done by :func:`propos.metrics.score` (``layers=("entities",)``); the definitions of
every figure are in the docstrings of ``propos.metrics.entities``.
"""

import datasets
import evaluate

from propos.metrics import score
from propos.metrics.common import pair_documents

_CITATION = """\
@misc{propos,
  title = {Propos: a French news benchmark for entities, quotations and events},
}
"""

_DESCRIPTION = """\
Named-entity scores of the Propos benchmark: the SemEval-2013 task 9.1 schemes
(strict, exact, partial, type) micro-averaged and per type, on fine and coarse types.
Headline: strict micro F1 on fine types.
"""

_KWARGS_DESCRIPTION = """\
Args:
    predictions: one predicted document per item, as a JSON string in the Propos submission
        format (one line of the JSON Lines submission file).
    references: the gold documents, as JSON strings in the annotation format, in the same
        order (pairs are keyed by the reference's doc_id).
    paragraphs: optional dict doc_id -> list of (start, end) pairs (or the cleaned document's
        paragraph objects); used as bootstrap units when there are fewer than 30 documents.
    resamples: bootstrap resamples for the confidence interval (default 1000; 0 for none).
    seed: seed of the bootstrap (default 0).
Returns:
    strict_f1: strict micro F1 on fine entity types (the headline).
    low, high: the 95% bootstrap percentile interval of the headline figure.
    bootstrap_unit: "document" or "paragraph", the resampling unit used.
    details: the full report of propos.metrics.entity_scores.
Examples:
    >>> metric = evaluate.load("benchmark/metrics/propos_ner")
    >>> result = metric.compute(predictions=[json_line], references=[gold_json_line])
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class ProposNer(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {
                    "predictions": datasets.Value("string"),
                    "references": datasets.Value("string"),
                }
            ),
        )

    def _compute(self, predictions, references, paragraphs=None, resamples=1000, seed=0):
        gold, pred = pair_documents(predictions, references)
        result = score(
            gold, pred, paragraphs=paragraphs, resamples=resamples, seed=seed, layers=("entities",)
        )
        headline = result["headline"]["entities"]
        return {
            "strict_f1": headline["value"],
            "low": headline["low"],
            "high": headline["high"],
            "bootstrap_unit": result["bootstrap"]["unit"],
            "details": result["entities"],
        }
