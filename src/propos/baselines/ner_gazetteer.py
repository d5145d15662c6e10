"""`gazetteer`: exact match of the names seen in the training documents.

Every entity mention of the training gold becomes a name (its propos.tokenize tokens) with its
most frequent fine type. Test documents are matched token by token, case-sensitively, longest
names first and then leftmost; a match never overlaps one already taken. Mentions are then
clustered across documents by the name-matching linker.
"""

from __future__ import annotations

from collections.abc import Sequence

from propos.baselines.common import Document, load_clean
from propos.baselines.ner_common import Gazetteer, as_spans, entity_documents
from propos.corpus import Corpus
from propos.tokenize import tokenize


def predict(
    corpus: Corpus, train_ids: Sequence[str], test_ids: Sequence[str], label_prefix: str = ""
) -> list[Document]:
    del label_prefix  # entity ids are names
    return apply(corpus, Gazetteer(corpus, train_ids), test_ids)


def apply(corpus: Corpus, gazetteer: Gazetteer, test_ids: Sequence[str]) -> list[Document]:
    """Match a gazetteer (of this corpus or, out of domain, of another) in ``corpus``'s
    documents."""
    predicted = {}
    for doc_id in test_ids:
        tokens = tokenize(load_clean(corpus, doc_id)["text"])
        predicted[doc_id] = as_spans(tokens, gazetteer.matches(tokens))
    return entity_documents(corpus, predicted)
