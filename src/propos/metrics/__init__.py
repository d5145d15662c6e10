"""Evaluation metrics of the Propos benchmark.

Plain functions over plain records: gold and predictions are ``dict`` mappings
``doc_id -> document`` in the annotation format (annotations/GUIDELINES.md, section 2).

- :func:`score` / :func:`compare`: every figure with bootstrap intervals, and the paired test
  between two systems (:mod:`propos.metrics.report`).
- :func:`entity_scores` (:mod:`propos.metrics.entities`): SemEval-2013 strict / exact /
  partial / type schemes, micro and per type, fine and coarse types.
- :func:`quote_scores` (:mod:`propos.metrics.quotes`): content, cue, speaker attribution.
- :func:`event_scores` (:mod:`propos.metrics.events`): triggers, realis, arguments.
- :func:`coreference_scores` (:mod:`propos.metrics.coref`): MUC, B-cubed, CEAF-e, CoNLL F1,
  LEA over cross-document clusters.
- :mod:`propos.metrics.bootstrap`: percentile intervals and paired bootstrap from per-unit
  counts.

Every metric's definition is in the docstring of its module.
"""

from propos.metrics.bootstrap import (
    bootstrap_f1,
    bootstrap_intervals,
    paired_bootstrap,
    paired_tests,
)
from propos.metrics.common import make_units
from propos.metrics.coref import b_cubed, ceaf_e, coreference_metrics, coreference_scores, lea, muc
from propos.metrics.entities import SCHEMES, entity_scores
from propos.metrics.events import event_scores
from propos.metrics.quotes import quote_scores
from propos.metrics.report import HEADLINES, LAYERS, compare, score

__all__ = [
    "HEADLINES",
    "LAYERS",
    "SCHEMES",
    "b_cubed",
    "bootstrap_f1",
    "bootstrap_intervals",
    "ceaf_e",
    "compare",
    "coreference_metrics",
    "coreference_scores",
    "entity_scores",
    "event_scores",
    "lea",
    "make_units",
    "muc",
    "paired_bootstrap",
    "paired_tests",
    "quote_scores",
    "score",
]
