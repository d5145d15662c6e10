"""Propos named entities: a Hugging Face ``evaluate`` wrapper around ``propos.metrics`` (entities).

Load it offline with ``evaluate.load("/abs/path/benchmark/metrics/propos_ner")``. The real
work is done by :func:`propos.metrics.score` (``layers=("entities",)``); the definitions of
every figure are in the docstrings of ``propos.metrics.entities``.
"""

import evaluate

from propos.metrics.hf import compute, metric_info

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
    references: the gold documents, as JSON strings: annotation files or rows of the dataset's
        `documents` configuration (class labels as integers); predictions pair with them by
        doc_id, in any order.
    paragraphs: optional dict doc_id -> list of (start, end) pairs (or the cleaned document's
        paragraph objects); bootstrap units below 30 documents. Default: the references'
        own paragraphs (rows of the `documents` configuration have them); without any, a
        ResamplingUnitWarning says the interval resamples documents instead.
    resamples: bootstrap resamples for the confidence interval (default 1000; 0 for none).
    seed: seed of the bootstrap (default 0).
Returns:
    strict_f1: strict micro F1 on fine entity types (the headline).
    low, high: the 95% bootstrap percentile interval of the headline figure.
    bootstrap_unit: "document" or "paragraph", the resampling unit used.
    bootstrap_warning: why the unit is not that of `propos evaluate`, or None.
    details: the full report of propos.metrics.entity_scores.
Examples:
    >>> metric = evaluate.load("benchmark/metrics/propos_ner")
    >>> result = metric.compute(predictions=[json_line], references=[gold_json_line])
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class ProposNer(evaluate.Metric):
    def _info(self):
        return metric_info(_DESCRIPTION, _CITATION, _KWARGS_DESCRIPTION)

    def _compute(self, predictions, references, paragraphs=None, resamples=1000, seed=0):
        return compute(
            "entities", "strict_f1", predictions, references, paragraphs, resamples, seed
        )
