"""`crf`: a linear-chain CRF (sklearn-crfsuite) over propos.tokenize tokens, IOB2, fine types.

One sequence per sentence (propos.sentences). Classic features (:func:`token_features`): the
word, lower-cased and accent-folded; its shape; prefixes and suffixes of 1 to 3 characters;
casing, digits, hyphen and apostrophe flags; the same for the two words on each side; and the
gazetteer tag (IOB2 and type) of the word and of its neighbours.

Gazetteer hits on a training document come from the names of the *other* training documents
(on a test document, from all of them): built from the document itself, the feature would be
always right in training and the model would learn to trust nothing else.

Training: L-BFGS with L1 and L2 penalties (:data:`CRF_PARAMETERS`), which is deterministic.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from propos.baselines.common import Document, fold, load_clean, load_gold
from propos.baselines.ner_common import Gazetteer, entity_documents, gazetteer_tags, name_counts
from propos.corpus import Corpus
from propos.sentences import sentence_index
from propos.tokenize import Token, bio_tags, spans_from_bio, tokenize

CRF_PARAMETERS: dict[str, Any] = {
    "algorithm": "lbfgs",
    "c1": 0.05,
    "c2": 0.05,
    "max_iterations": 200,
    "all_possible_transitions": True,
}

_SHAPE_UPPER = re.compile(r"[A-ZÀ-ÝŒ]")
_SHAPE_LOWER = re.compile(r"[a-zß-ÿœ]")
_SHAPE_DIGIT = re.compile(r"[0-9]")
_REPEATED_CHARACTER = re.compile(r"(.)\1+")


def shape(word: str) -> str:
    value = _SHAPE_DIGIT.sub("d", _SHAPE_LOWER.sub("x", _SHAPE_UPPER.sub("X", word)))
    return _REPEATED_CHARACTER.sub(r"\1", value)


def _word_features(word: str, gaz: str, prefix: str) -> dict[str, Any]:
    return {
        f"{prefix}lower": word.lower(),
        f"{prefix}shape": shape(word),
        f"{prefix}title": word[:1].isupper(),
        f"{prefix}upper": word.isupper(),
        f"{prefix}gaz": gaz,
    }


def token_features(words: Sequence[str], gaz: Sequence[str], i: int) -> dict[str, Any]:
    word = words[i]
    features: dict[str, Any] = {
        "bias": 1.0,
        "word": word,
        "fold": fold(word),
        "shape": shape(word),
        "title": word[:1].isupper(),
        "upper": word.isupper(),
        "digit": any(c.isdigit() for c in word),
        "hyphen": "-" in word,
        "apostrophe": any(c in "'’" for c in word),
        "length": min(len(word), 8),
        "gaz": gaz[i],
        "gaz_type": gaz[i][2:] if gaz[i] != "O" else "O",
    }
    for n in (1, 2, 3):
        features[f"prefix{n}"] = word[:n]
        features[f"suffix{n}"] = word[-n:]
    for offset in (-2, -1, 1, 2):
        j = i + offset
        if 0 <= j < len(words):
            features.update(_word_features(words[j], gaz[j], f"{offset:+d}:"))
        else:
            features[f"{offset:+d}:edge"] = True
    if i == 0:
        features["first"] = True
    return features


def _sentences(text: str, tokens: Sequence[Token]) -> list[list[int]]:
    groups: dict[int, list[int]] = {}
    for index, token in enumerate(tokens):
        groups.setdefault(sentence_index(text, token.start), []).append(index)
    return [groups[key] for key in sorted(groups)]


def document_sequences(
    corpus: Corpus, doc_id: str, gazetteer: Gazetteer
) -> list[tuple[list[Token], list[dict[str, Any]]]]:
    text = load_clean(corpus, doc_id)["text"]
    tokens = tokenize(text)
    gaz = gazetteer_tags(gazetteer, tokens)
    sequences = []
    for indices in _sentences(text, tokens):
        words = [tokens[i].text for i in indices]
        tags = [gaz[i] for i in indices]
        features = [token_features(words, tags, k) for k in range(len(indices))]
        sequences.append(([tokens[i] for i in indices], features))
    return sequences


def train(corpus: Corpus, train_ids: Sequence[str]) -> tuple[Any, Gazetteer]:
    return train_on([(corpus, train_ids)])


def train_on(
    sources: Sequence[tuple[Corpus, Sequence[str]]],
    type_map: Mapping[str, str] | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> tuple[Any, Gazetteer]:
    """A CRF trained on the documents of one or more corpora, gold types mapped through
    ``type_map`` (coarse types for a corpus annotated with them), and the gazetteer of all
    their names. A training document's gazetteer feature comes from the other documents."""
    import sklearn_crfsuite

    counts: dict[Any, Counter[str]] = {}
    own: dict[tuple[int, str], Any] = {}
    for number, (corpus, doc_ids) in enumerate(sources):
        for doc_id in doc_ids:
            own[number, doc_id] = name_counts(corpus, [doc_id], type_map)
            for words, kinds in own[number, doc_id].items():
                counts.setdefault(words, Counter()).update(kinds)
    everything = Gazetteer.from_counts(counts)
    features, labels = [], []
    for number, (corpus, doc_ids) in enumerate(sources):
        for doc_id in doc_ids:
            others = everything.without(own[number, doc_id])
            gold = [
                (e["start"], e["end"], type_map[e["type"]] if type_map else e["type"])
                for e in load_gold(corpus, doc_id)["entities"]
            ]
            for tokens, sequence in document_sequences(corpus, doc_id, others):
                features.append(sequence)
                labels.append(bio_tags(tokens, gold))
    model = sklearn_crfsuite.CRF(**(parameters or CRF_PARAMETERS))
    model.fit(features, labels)
    return model, everything


def predict(
    corpus: Corpus, train_ids: Sequence[str], test_ids: Sequence[str], label_prefix: str = ""
) -> list[Document]:
    del label_prefix  # entity ids are names
    model, gazetteer = train(corpus, train_ids)
    return apply(corpus, model, gazetteer, test_ids)


def apply(
    corpus: Corpus, model: Any, gazetteer: Gazetteer, test_ids: Sequence[str]
) -> list[Document]:
    """Label documents of ``corpus`` with a trained model (trained on the same corpus or, for
    out-of-domain evaluation, on another one: documents and the inventory that names the
    clusters are read from ``corpus``)."""
    predicted = {}
    for doc_id in test_ids:
        spans = []
        sequences = document_sequences(corpus, doc_id, gazetteer)
        # predict() returns a NumPy object array: make plain lists of tag strings
        tag_sequences = [list(s) for s in model.predict([f for _, f in sequences])]
        for (tokens, _), tags in zip(sequences, tag_sequences, strict=True):
            spans += spans_from_bio(tokens, [str(t) for t in tags])
        predicted[doc_id] = spans
    return entity_documents(corpus, predicted)
