"""Propos quotations: a Hugging Face ``evaluate`` wrapper around ``propos.metrics`` (quotes).

Load it offline with ``evaluate.load("/abs/path/benchmark/metrics/propos_quotes")``. The real
work is done by :func:`propos.metrics.score` (``layers=("quotes",)``); the definitions of
every figure are in the docstrings of ``propos.metrics.quotes``.
"""

import evaluate

from propos.metrics.hf import compute, metric_info

_CITATION = """\
@misc{propos,
  title = {Propos: a French news benchmark for entities, quotations and events},
}
"""

_DESCRIPTION = """\
Quotation scores of the Propos benchmark: content exact and token-overlap F1, cue F1,
speaker attribution accuracy on matched quotations, and the headline end-to-end
attribution F1 (content overlap-matched and speaker_entity_id equal).
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
    attribution_f1: end-to-end attribution F1 (the headline).
    low, high: the 95% bootstrap percentile interval of the headline figure.
    bootstrap_unit: "document" or "paragraph", the resampling unit used.
    bootstrap_warning: why the unit is not that of `propos evaluate`, or None.
    details: the full report of propos.metrics.quote_scores.
Examples:
    >>> metric = evaluate.load("benchmark/metrics/propos_quotes")
    >>> result = metric.compute(predictions=[json_line], references=[gold_json_line])
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class ProposQuotes(evaluate.Metric):
    def _info(self):
        return metric_info(_DESCRIPTION, _CITATION, _KWARGS_DESCRIPTION)

    def _compute(self, predictions, references, paragraphs=None, resamples=1000, seed=0):
        return compute(
            "quotes", "attribution_f1", predictions, references, paragraphs, resamples, seed
        )
