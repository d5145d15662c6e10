"""Shared pieces of the entity baselines: the training gazetteer, finishing predictions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from propos.baselines.common import (
    Document,
    empty_prediction,
    load_clean,
    load_gold,
    make_span,
    number_ids,
    sanitize,
)
from propos.baselines.linker import link_documents
from propos.corpus import Corpus
from propos.schema import ENTITY_TYPES
from propos.tokenize import Token, tokenize

NameCounts = dict[tuple[str, ...], Counter[str]]
"""Entity names (token texts) with the count of each type they were annotated with."""


def name_counts(
    corpus: Corpus, doc_ids: Iterable[str], type_map: Mapping[str, str] | None = None
) -> NameCounts:
    """The names of the gold entities of ``doc_ids``, types mapped through ``type_map``."""
    counts: NameCounts = {}
    for doc_id in doc_ids:
        for entity in load_gold(corpus, doc_id)["entities"]:
            words = tuple(t.text for t in tokenize(entity["text"]))
            if words:
                kind = type_map[entity["type"]] if type_map else entity["type"]
                counts.setdefault(words, Counter())[kind] += 1
    return counts


class Gazetteer:
    """Names seen in training, as token sequences, each with its most frequent fine type."""

    def __init__(self, corpus: Corpus | None, doc_ids: Iterable[str] = ()) -> None:
        self.counts: NameCounts = name_counts(corpus, doc_ids) if corpus else {}
        self.names: dict[tuple[str, ...], str] = {
            words: _most_frequent(kinds) for words, kinds in self.counts.items()
        }
        self.longest = max((len(words) for words in self.names), default=0)

    @classmethod
    def from_counts(cls, counts: NameCounts) -> Gazetteer:
        gazetteer = cls(None)
        gazetteer.counts = counts
        gazetteer.names = {words: _most_frequent(kinds) for words, kinds in counts.items()}
        gazetteer.longest = max((len(words) for words in gazetteer.names), default=0)
        return gazetteer

    def without(self, own: NameCounts) -> Gazetteer:
        """This gazetteer less the names of one document (``own``): what the other training
        documents know, computed without rebuilding the whole gazetteer."""
        gazetteer = Gazetteer(None)
        gazetteer.counts = self.counts
        gazetteer.names = dict(self.names)
        for words, kinds in own.items():
            left = self.counts[words] - kinds
            if left:
                gazetteer.names[words] = _most_frequent(left)
            else:
                del gazetteer.names[words]
        gazetteer.longest = self.longest
        return gazetteer

    def matches(self, tokens: Sequence[Token]) -> list[tuple[int, int, str]]:
        """Exact, case-sensitive matches as (first token, last token + 1, type): longest
        first, then leftmost; a match never overlaps one already taken."""
        found = []
        texts = [t.text for t in tokens]
        for length in range(self.longest, 0, -1):
            for first in range(len(tokens) - length + 1):
                kind = self.names.get(tuple(texts[first : first + length]))
                if kind:
                    found.append((first, first + length, kind))
        taken = [False] * len(tokens)
        kept = []
        for first, last, kind in found:
            if not any(taken[first:last]):
                kept.append((first, last, kind))
                for i in range(first, last):
                    taken[i] = True
        return sorted(kept)


def _most_frequent(kinds: Counter[str]) -> str:
    return sorted(kinds, key=lambda k: (-kinds[k], ENTITY_TYPES.index(k)))[0]


def gazetteer_tags(gazetteer: Gazetteer, tokens: Sequence[Token]) -> list[str]:
    tags = ["O"] * len(tokens)
    for first, last, kind in gazetteer.matches(tokens):
        for i in range(first, last):
            tags[i] = f"{'B' if i == first else 'I'}-{kind}"
    return tags


def entity_documents(
    corpus: Corpus, predicted: dict[str, list[tuple[int, int, str]]]
) -> list[Document]:
    """Submission documents from character spans per document of ``corpus``, linked across
    documents."""
    documents = []
    for doc_id in sorted(predicted):
        text = load_clean(corpus, doc_id)["text"]
        document = empty_prediction(corpus, doc_id)
        for start, end, kind in sorted(set(predicted[doc_id])):
            span = make_span(text, start, end)
            if span is not None:
                document["entities"].append({"id": "T0", **span, "type": kind})
        documents.append(sanitize(corpus, number_ids(document)))
    link_documents(corpus, documents)
    return documents


def as_spans(tokens: Sequence[Token], matches: Iterable[tuple[int, int, str]]) -> list[Any]:
    return [(tokens[first].start, tokens[last - 1].end, kind) for first, last, kind in matches]
