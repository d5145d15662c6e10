"""Propos events: a Hugging Face ``evaluate`` wrapper around ``propos.metrics`` (events).

Load it offline with ``evaluate.load("/abs/path/benchmark/metrics/propos_events")``. The real
work is done by :func:`propos.metrics.score` (``layers=("events",)``); the definitions of
every figure are in the docstrings of ``propos.metrics.events``.
"""

import evaluate

from propos.metrics.hf import compute, metric_info

_CITATION = """\
@misc{propos,
  title = {Propos: a French news benchmark for entities, quotations and events},
}
"""

_DESCRIPTION = """\
Event scores of the Propos benchmark: trigger identification and classification F1,
realis accuracy on matched triggers, argument F1. Headline: trigger classification F1.
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
    trigger_classification_f1: trigger span and type F1 (the headline).
    low, high: the 95% bootstrap percentile interval of the headline figure.
    bootstrap_unit: "document" or "paragraph", the resampling unit used.
    bootstrap_warning: why the unit is not that of `propos evaluate`, or None.
    details: the full report of propos.metrics.event_scores.
Examples:
    >>> metric = evaluate.load("benchmark/metrics/propos_events")
    >>> result = metric.compute(predictions=[json_line], references=[gold_json_line])
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class ProposEvents(evaluate.Metric):
    def _info(self):
        return metric_info(_DESCRIPTION, _CITATION, _KWARGS_DESCRIPTION)

    def _compute(self, predictions, references, paragraphs=None, resamples=1000, seed=0):
        return compute(
            "events",
            "trigger_classification_f1",
            predictions,
            references,
            paragraphs,
            resamples,
            seed,
        )
