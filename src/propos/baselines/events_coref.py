"""Event coreference of the event baselines: topic clusters, same lemma and type, compatible
arguments (the Cluster+Lemma baseline of ECB+, Barhom et al. 2019, adapted).

1. **Topics.** The documents predicted together are grouped by single-link clustering of the
   TF-IDF cosine similarity of their texts (word unigrams and bigrams, accents and case
   folded): two documents at or above the topic threshold share a topic.
2. **Same lemma and type.** Within a topic, two event mentions can corefer when their trigger
   patterns (folded lemmas, :func:`events_common.pattern_of`) and their types are equal.
3. **Compatible arguments.** The arguments the baselines can see are the names of the
   trigger's sentence (spaCy entities of the argument labels, folded): two mentions whose
   sentences both hold such names corefer only when they share one ("attentat" in Nice and
   "attentat" in Rouen are two events). The argument labels are one of
   :data:`ARGUMENT_CHOICES` (none, places, persons, both).
4. Clusters are the connected components of the "can corefer" links (single link).

The topic threshold and the argument labels (:class:`Linking`) are the pair of
:data:`TOPIC_THRESHOLDS` x :data:`ARGUMENT_CHOICES` whose clustering of the training documents'
gold triggers (gold spans and types, the same rules) has the best CoNLL F1 against their gold
``event_id``; ties go to the highest threshold, then to the most argument labels. Nothing is
learned from the documents predicted. :func:`gold_trigger_documents` applies the same
clustering to the gold triggers of documents (the setting of the ECB+ lemma baseline, which
starts from gold mentions).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from propos.baselines.common import Document, Parsed, empty_prediction, fold, load_gold, parse
from propos.corpus import Corpus

TOPIC_THRESHOLDS = (0.0, *(round(0.05 * n, 2) for n in range(1, 20)), 1.01)
"""0.0 puts every document in one topic, 1.01 every document in a topic of its own."""
ARGUMENT_CHOICES: tuple[tuple[str, ...], ...] = ((), ("LOC",), ("PER",), ("LOC", "PER"))
"""spaCy labels of the names that stand for arguments (no argument check, places, persons,
both)."""


@dataclass(frozen=True)
class Linking:
    threshold: float
    arguments: tuple[str, ...]

    def describe(self) -> str:
        names = " and ".join({"LOC": "places", "PER": "persons"}[a] for a in self.arguments)
        check = f"compatible {names}" if names else "no argument check"
        return f"topic threshold {self.threshold:.2f}, {check}"


@dataclass(frozen=True)
class EventMention:
    doc_id: str
    start: int
    end: int
    type: str
    key: str
    sentence: int


# ---------------------------------------------------------------- topics


def _union_find(size: int) -> tuple[list[int], Any]:
    parent = list(range(size))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    return parent, find


@cache
def _similarities(corpus: Corpus, doc_ids: tuple[str, ...]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [parse(corpus, doc_id).text for doc_id in doc_ids]
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), lowercase=True, strip_accents="unicode", sublinear_tf=True
    )
    matrix = vectorizer.fit_transform(texts)
    return (matrix @ matrix.T).toarray()


def topics(corpus: Corpus, doc_ids: Sequence[str], threshold: float) -> dict[str, int]:
    """Document -> topic number (single link at ``threshold``)."""
    ordered = tuple(sorted(doc_ids))
    if not ordered:
        return {}
    similarity = _similarities(corpus, ordered)
    parent, find = _union_find(len(ordered))
    for i in range(len(ordered)):
        for j in range(i + 1, len(ordered)):
            if similarity[i, j] >= threshold:
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return {doc_id: find(i) for i, doc_id in enumerate(ordered)}


# ---------------------------------------------------------------- arguments


def _names_by_sentence(parsed: Parsed, labels: tuple[str, ...]) -> dict[int, frozenset[str]]:
    sentence_of = {tok.start: tok.sentence for tok in parsed.tokens}
    names: dict[int, set[str]] = defaultdict(set)
    for start, end, label in parsed.entities:
        if label in labels and start in sentence_of:
            names[sentence_of[start]].add(fold(parsed.text[start:end]))
    return {sentence: frozenset(found) for sentence, found in names.items()}


def compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    return not a or not b or bool(a & b)


# ---------------------------------------------------------------- clustering


def cluster(corpus: Corpus, mentions: Sequence[EventMention], linking: Linking) -> list[int]:
    """A cluster number per mention (see the module docstring)."""
    topic = topics(corpus, sorted({m.doc_id for m in mentions}), linking.threshold)
    doc_ids = {m.doc_id for m in mentions}
    places = {
        doc_id: _names_by_sentence(parse(corpus, doc_id), linking.arguments) for doc_id in doc_ids
    }
    parent, find = _union_find(len(mentions))
    groups: dict[tuple[int, str, str], list[int]] = defaultdict(list)
    for index, mention in enumerate(mentions):
        groups[(topic[mention.doc_id], mention.type, mention.key)].append(index)
    empty: frozenset[str] = frozenset()
    for members in groups.values():
        for x, i in enumerate(members):
            a_places = places[mentions[i].doc_id].get(mentions[i].sentence, empty)
            for j in members[x + 1 :]:
                b_places = places[mentions[j].doc_id].get(mentions[j].sentence, empty)
                if compatible(a_places, b_places):
                    ri, rj = find(i), find(j)
                    if ri != rj:
                        parent[max(ri, rj)] = min(ri, rj)
    return [find(i) for i in range(len(mentions))]


def cluster_labels(
    corpus: Corpus, mentions: Sequence[EventMention], linking: Linking, prefix: str
) -> list[str]:
    numbers = cluster(corpus, mentions, linking)
    names: dict[int, str] = {}
    for number in numbers:
        names.setdefault(number, f"EV-sys-{prefix}{len(names) + 1:04d}")
    return [names[number] for number in numbers]


# ---------------------------------------------------------------- gold triggers


def gold_mentions(corpus: Corpus, doc_id: str) -> list[tuple[EventMention, Any]]:
    """The gold event mentions of a document with their gold event_id."""
    from propos.baselines.events_common import pattern_of, trigger_tokens

    parsed = parse(corpus, doc_id)
    out = []
    for event in load_gold(corpus, doc_id)["events"]:
        trigger = event["trigger"]
        tokens = trigger_tokens(parsed, trigger["start"], trigger["end"])
        words = pattern_of(tokens)[0] if tokens else ()
        key = " ".join(w for w in words if w != "*") or fold(trigger["text"])
        sentence = tokens[0].sentence if tokens else -1
        mention = EventMention(
            doc_id, trigger["start"], trigger["end"], event["type"], key, sentence
        )
        out.append((mention, event.get("event_id")))
    return out


def _conll(gold: Sequence[Any], predicted: Sequence[int]) -> float:
    from propos.metrics import coreference_metrics

    def partition(labels: Sequence[Any]) -> list[set[int]]:
        grouped: dict[Any, set[int]] = defaultdict(set)
        for index, label in enumerate(labels):
            grouped[("single", index) if label is None else label].add(index)
        return list(grouped.values())

    return float(coreference_metrics(partition(gold), partition(predicted))["conll_f1"])


@cache
def choose_linking(corpus: Corpus, train_ids: tuple[str, ...]) -> Linking:
    """The topic threshold and argument labels with the best CoNLL F1 on the training gold
    triggers."""
    pairs = [pair for doc_id in train_ids for pair in gold_mentions(corpus, doc_id)]
    if len(pairs) < 2:
        return Linking(1.01, ())
    mentions = [m for m, _ in pairs]
    gold = [label for _, label in pairs]
    scored = [
        (_conll(gold, cluster(corpus, mentions, Linking(t, a))), t, len(a), a)
        for t in TOPIC_THRESHOLDS
        for a in ARGUMENT_CHOICES
    ]
    _, threshold, _, arguments = max(scored)
    return Linking(threshold, arguments)


def gold_trigger_documents(
    corpus: Corpus, train_ids: Sequence[str], test_ids: Sequence[str], label_prefix: str = ""
) -> list[Document]:
    """The gold triggers of ``test_ids`` (spans, types, realis) with event ids from the
    clustering above: the coreference step alone, as the ECB+ lemma baseline is scored."""
    linking = choose_linking(corpus, tuple(sorted(train_ids)))
    pairs = [pair for doc_id in sorted(test_ids) for pair in gold_mentions(corpus, doc_id)]
    labels = cluster_labels(corpus, [m for m, _ in pairs], linking, f"g{label_prefix}")
    by_span = {
        (m.doc_id, m.start, m.end): label for (m, _), label in zip(pairs, labels, strict=True)
    }
    documents = []
    for doc_id in sorted(test_ids):
        document = empty_prediction(corpus, doc_id)
        for event in load_gold(corpus, doc_id)["events"]:
            trigger = event["trigger"]
            document["events"].append(
                {
                    **event,
                    "event_id": by_span[(doc_id, trigger["start"], trigger["end"])],
                    "arguments": [],
                }
            )
        documents.append(document)
    return documents


def within_documents(documents: Mapping[str, Document]) -> dict[str, Document]:
    """The same documents with every event_id made local to its document (within-document
    coreference: no cluster spans two documents)."""
    out = {}
    for doc_id, document in documents.items():
        events = [
            {**e, "event_id": None if e.get("event_id") is None else f"{doc_id}/{e['event_id']}"}
            for e in document.get("events") or []
        ]
        out[doc_id] = {**document, "events": events}
    return out
