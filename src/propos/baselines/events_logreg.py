"""`logreg`: a logistic-regression trigger classifier over lemma, part of speech and context.

Every noun, verb, proper noun and participle of a document is a candidate; in training its label
is the type of the gold trigger it heads (:func:`events_common.head_token`), else ``O``.
Features (:func:`features`): the lemma, the lower-cased word, its part of speech, suffixes,
tense, mood, verb form and number, the dependency relation, the lemma and part of speech of
its syntactic head, the lemmas and parts of speech of the two words on each side, whether a
reflexive pronoun depends on it, and the type the seed lexicon gives its lemma (so that seed
words never seen in training are not hopeless). Scikit-learn ``LogisticRegression`` (L2,
lbfgs, balanced class weights, deterministic) over one-hot features (``DictVectorizer``).

A seed word of a type that has no training example (the model cannot predict that class) takes
the seed's type, so that every type of the 38 can be predicted. A predicted trigger is extended
to the longest lexicon pattern (seeds and training triggers) that starts at it ("conférence" ->
"conférence de presse"), and to its reflexive pronoun when the pattern is pronominal. Realis as
in `lexicon` (cues, then the training prior of the pattern); event ids from
:mod:`propos.baselines.events_coref`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from propos.baselines.common import Document, Parsed, Tok, fold, load_gold, parse
from propos.baselines.events_common import (
    Lexicon,
    Mention,
    Pattern,
    _word,
    event_documents,
    has_reflexive,
    head_token,
    is_quotation_cue,
    realis_of,
    trigger_span,
    trigger_tokens,
)
from propos.corpus import Corpus

CANDIDATE_POS = frozenset({"NOUN", "VERB", "PROPN", "ADJ"})
OUTSIDE = "O"
LOGREG_PARAMETERS: dict[str, Any] = {
    "C": 5.0,
    "class_weight": "balanced",
    "max_iter": 2000,
    "solver": "lbfgs",
}
"""Chosen by leave-one-document-out cross-validation inside the train split (C in 0.3, 1, 5,
20; with and without balanced class weights)."""


def candidates(parsed: Parsed) -> list[Tok]:
    return [
        t for t in parsed.tokens
        if t.pos in CANDIDATE_POS and len(t.text) > 2 and fold(t.lemma) not in ("etre", "avoir")
    ]  # fmt: skip


def features(parsed: Parsed, tok: Tok, seeds: Lexicon) -> dict[str, Any]:
    tokens = parsed.tokens
    head = tokens[tok.head]
    seed = seeds.find(parsed, tok.i, 1)
    values: dict[str, Any] = {
        "lemma": _word(tok),
        "lower": tok.lower,
        "pos": tok.pos,
        "suffix3": tok.lower[-3:],
        "suffix4": tok.lower[-4:],
        "tense": tok.morph.get("Tense", "-"),
        "mood": tok.morph.get("Mood", "-"),
        "verbform": tok.morph.get("VerbForm", "-"),
        "number": tok.morph.get("Number", "-"),
        "dep": tok.dep,
        "head_lemma": _word(head),
        "head_pos": head.pos,
        "reflexive": has_reflexive(parsed, tok),
        "seed": seed.best_type() if seed is not None else "-",
        "title": tok.text[:1].isupper(),
    }
    for offset in (-2, -1, 1, 2):
        j = tok.i + offset
        inside = 0 <= j < len(tokens) and tokens[j].sentence == tok.sentence
        values[f"{offset:+d}:lemma"] = _word(tokens[j]) if inside else "<edge>"
        values[f"{offset:+d}:pos"] = tokens[j].pos if inside else "<edge>"
    return values


def _labels(corpus: Corpus, doc_id: str, parsed: Parsed) -> dict[int, str]:
    labels = {}
    for event in load_gold(corpus, doc_id)["events"]:
        tokens = trigger_tokens(parsed, event["trigger"]["start"], event["trigger"]["end"])
        if tokens:
            labels[head_token(tokens).i] = event["type"]
    return labels


def train(corpus: Corpus, train_ids: Sequence[str], seeds: Lexicon) -> tuple[Any, Any]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows, labels = [], []
    for doc_id in train_ids:
        parsed = parse(corpus, doc_id)
        gold = _labels(corpus, doc_id, parsed)
        for tok in candidates(parsed):
            rows.append(features(parsed, tok, seeds))
            labels.append(gold.get(tok.i, OUTSIDE))
    vectorizer = DictVectorizer(sparse=True, sort=True)
    matrix = vectorizer.fit_transform(rows)
    model = LogisticRegression(**LOGREG_PARAMETERS)
    model.fit(matrix, labels)
    return vectorizer, model


def _extend(parsed: Parsed, tok: Tok, lexicon: Lexicon) -> tuple[int, Pattern | None]:
    """The last token of the longest lexicon pattern starting at ``tok`` and the pattern."""
    for length in range(lexicon.longest, 0, -1):
        pattern = lexicon.find(parsed, tok.i, length)
        if pattern is not None:
            return tok.i + length - 1, pattern
    return tok.i, None


def _unseen_seed_type(parsed: Parsed, tok: Tok, seeds: Lexicon, known: set[str]) -> str | None:
    """The seed lexicon's type for a word whose type the model cannot predict (no training
    example of that type): so that all 38 types can be predicted."""
    seed = seeds.find(parsed, tok.i, 1)
    if seed is None:
        return None
    kind = seed.best_type()
    return kind if kind not in known else None


def predict(
    corpus: Corpus, train_ids: Sequence[str], test_ids: Sequence[str], label_prefix: str = ""
) -> list[Document]:
    seeds = Lexicon(corpus, [], seeds=True)
    lexicon = Lexicon(corpus, train_ids, seeds=True)
    vectorizer, model = train(corpus, train_ids, seeds)
    predicted: dict[str, list[Mention]] = {}
    for doc_id in test_ids:
        parsed = parse(corpus, doc_id)
        tokens = candidates(parsed)
        mentions: list[Mention] = []
        if tokens:
            labels = model.predict(
                vectorizer.transform([features(parsed, t, seeds) for t in tokens])
            )
            known = {str(c) for c in model.classes_}
            taken = -1
            for tok, label in zip(tokens, labels, strict=True):
                label = _unseen_seed_type(parsed, tok, seeds, known) or str(label)
                if label == OUTSIDE or tok.i <= taken or is_quotation_cue(parsed, tok):
                    continue
                last, pattern = _extend(parsed, tok, lexicon)
                taken = last
                pronominal = pattern.pronominal if pattern is not None else False
                start, end = trigger_span(parsed, tok.i, last, pronominal)
                key = pattern.key if pattern is not None else _word(tok)
                realis = realis_of(parsed, tok, pattern)
                mentions.append(Mention(start, end, label, realis, key))
        predicted[doc_id] = mentions
    return event_documents(corpus, predicted, train_ids, label_prefix)
