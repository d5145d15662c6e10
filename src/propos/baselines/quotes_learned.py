"""`quote-crf`: quotations learned from the train split: a CRF for contents and kinds, logistic
regressions for cues and speakers.

1. **Content and kind.** A linear-chain CRF (sklearn-crfsuite, L-BFGS, deterministic) labels
   the tokens of each paragraph ``B-<kind>`` / ``I-<kind>`` / ``O`` (kinds: direct, indirect,
   mixed). Features (:func:`token_features`): the word, its folded lemma, part of speech and
   dependency relation; quotation marks (opening, closing) and whether the token lies between
   a pair of them (:func:`quotes_rules.find_segments`); whether it is a reporting verb of the
   rules' lexicon, whether its syntactic head is one, whether a reporting verb precedes it in
   the sentence, whether it is "que" after a reporting verb; the paragraph's role (title,
   standfirst); the same for the two tokens on each side.
2. **Cue.** Each predicted content's candidates are the verbs (and "selon") of its paragraph
   outside it, within one sentence of it; a logistic regression scores each pair (the lemma,
   whether it is in the lexicon, before or after the content, the distance in tokens, whether
   a content token depends on it, its dependency relation, a comma or colon between) and the
   best candidate is the cue when its probability reaches :data:`MIN_PROBABILITY`.
3. **Speaker.** Candidates are the nouns, proper nouns and pronouns of the same sentences and
   the one before, outside the content; a logistic regression scores each (its part of speech
   and relation, whether it is the subject of the cue or depends on it, a PER entity, a name,
   its position and distance to the cue and to the content); the best one, when its
   probability reaches the same least value, gives the speaker mention (the name, noun phrase
   or pronoun around it, as the rules build it).
4. **Speaker entity and utterances** as in `rules` (:func:`quotes_rules.resolve`: names linked
   by the name-matching linker, pronouns and descriptions to the most recent compatible
   person; utterances by TF-IDF similarity with a threshold chosen on the train split). These
   two steps are not learned.

Every model sees only the gold of ``train_ids``. Logistic regressions use
``random_state=0`` (lbfgs is deterministic anyway).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from propos.baselines.common import (
    Document,
    Parsed,
    Tok,
    empty_prediction,
    fold,
    load_gold,
    make_span,
    number_ids,
    parse,
    sanitize,
)
from propos.baselines.quotes_rules import (
    CLOSING_MARKS,
    OPENING_MARKS,
    QUE_WORDS,
    STRAIGHT_MARK,
    Found,
    State,
    _descriptor_table,
    _mention_of,
    assign_utterances,
    choose_threshold,
    cue_lemma,
    find_segments,
    namelike,
    resolve,
)
from propos.corpus import Corpus

KINDS = ("direct", "indirect", "mixed")
OUTSIDE = "O"
CRF_PARAMETERS: dict[str, Any] = {
    "algorithm": "lbfgs",
    "c1": 0.1,
    "c2": 0.05,
    "max_iterations": 150,
    "all_possible_transitions": True,
}
LOGREG_PARAMETERS: dict[str, Any] = {
    "C": 1.0,
    "max_iter": 2000,
    "solver": "lbfgs",
    "random_state": 0,
}
MIN_PROBABILITY = 0.05
"""The least probability of the best cue or speaker candidate; chosen among 0.5, 0.2 and 0.05 by
cross-validation inside the train split (the folds of splits.json restricted to train
documents): attribution F1 0.236, 0.445, 0.464."""
CUE_POS = frozenset({"VERB", "AUX"})
SPEAKER_POS = frozenset({"NOUN", "PROPN", "PRON"})


# ---------------------------------------------------------------- token features


@cache
def _inside_marks(corpus: Corpus, doc_id: str) -> frozenset[int]:
    """Indices of the tokens strictly between a pair of quotation marks."""
    parsed = parse(corpus, doc_id)
    segments = find_segments(parsed.text, parsed.paragraphs)
    return frozenset(
        t.i for t in parsed.tokens if any(s.open < t.start < s.close for s in segments)
    )


def _mark(tok: Tok) -> str:
    if tok.text in OPENING_MARKS:
        return "open"
    if tok.text in CLOSING_MARKS:
        return "close"
    return "straight" if tok.text == STRAIGHT_MARK else "-"


def _cue_before(parsed: Parsed, tok: Tok) -> bool:
    for other in reversed(parsed.tokens[max(0, tok.i - 12) : tok.i]):
        if other.sentence != tok.sentence:
            return False
        if cue_lemma(other):
            return True
    return False


def _word_features(parsed: Parsed, tok: Tok, inside: frozenset[int]) -> dict[str, Any]:
    head = parsed.tokens[tok.head]
    que = fold(tok.text) in QUE_WORDS
    return {
        "lower": tok.lower,
        "lemma": fold(tok.lemma),
        "pos": tok.pos,
        "dep": tok.dep,
        "mark": _mark(tok),
        "inside": tok.i in inside,
        "cue": cue_lemma(tok) is not None,
        "head_cue": cue_lemma(head) is not None,
        "cue_before": _cue_before(parsed, tok),
        "que_after_cue": que and _cue_before(parsed, tok),
        "punct": tok.text if tok.pos == "PUNCT" else "-",
    }


def token_features(corpus: Corpus, parsed: Parsed, indices: Sequence[int]) -> list[dict[str, Any]]:
    """CRF features of a paragraph's tokens (see the module docstring)."""
    inside = _inside_marks(corpus, parsed.doc_id)
    own = [_word_features(parsed, parsed.tokens[i], inside) for i in indices]
    role = parsed.paragraphs[parsed.tokens[indices[0]].paragraph][2] if indices else "-"
    rows = []
    for position, values in enumerate(own):
        row = {
            **values,
            "role": role,
            "first_in_sentence": _sentence_first(parsed, indices, position),
        }
        for offset in (-2, -1, 1, 2):
            j = position + offset
            if 0 <= j < len(own):
                for name in ("lower", "pos", "mark", "cue", "inside"):
                    row[f"{offset:+d}:{name}"] = own[j][name]
            else:
                row[f"{offset:+d}:edge"] = True
        rows.append({k: (str(v) if not isinstance(v, bool) else v) for k, v in row.items()})
    return rows


def _sentence_first(parsed: Parsed, indices: Sequence[int], position: int) -> bool:
    if position == 0:
        return True
    return (
        parsed.tokens[indices[position - 1]].sentence != parsed.tokens[indices[position]].sentence
    )


def paragraphs(parsed: Parsed) -> list[list[int]]:
    grouped: dict[int, list[int]] = {}
    for tok in parsed.tokens:
        grouped.setdefault(tok.paragraph, []).append(tok.i)
    return [grouped[p] for p in sorted(grouped)]


def _content_labels(parsed: Parsed, quotes: Sequence[dict[str, Any]]) -> dict[int, str]:
    labels: dict[int, str] = {}
    for quote in quotes:
        content = quote["content"]
        inside = [
            t.i for t in parsed.tokens if content["start"] <= t.start and t.end <= content["end"]
        ]
        for position, i in enumerate(inside):
            if i not in labels:
                labels[i] = f"{'B' if position == 0 else 'I'}-{quote['kind']}"
    return labels


def train_content(corpus: Corpus, train_ids: Sequence[str]) -> Any:
    import sklearn_crfsuite

    xs, ys = [], []
    for doc_id in train_ids:
        parsed = parse(corpus, doc_id)
        labels = _content_labels(parsed, load_gold(corpus, doc_id)["quotes"])
        for indices in paragraphs(parsed):
            xs.append(token_features(corpus, parsed, indices))
            ys.append([labels.get(i, OUTSIDE) for i in indices])
    model = sklearn_crfsuite.CRF(**CRF_PARAMETERS)
    model.fit(xs, ys)
    return model


def predict_contents(corpus: Corpus, parsed: Parsed, model: Any) -> list[tuple[int, int, str]]:
    """(first token, last token, kind) of each predicted content."""
    found: list[tuple[int, int, str]] = []
    for indices in paragraphs(parsed):
        labels = [
            str(label) for label in model.predict_single(token_features(corpus, parsed, indices))
        ]
        current: list[Any] | None = None
        for i, label in zip(indices, labels, strict=True):
            tag, _, kind = label.partition("-")
            if tag == "B" or (tag == "I" and (current is None or current[2] != kind)):
                if current is not None:
                    found.append((current[0], current[1], current[2]))
                current = [i, i, kind]
            elif tag == "I" and current is not None:
                current[1] = i
            elif current is not None:
                found.append((current[0], current[1], current[2]))
                current = None
        if current is not None:
            found.append((current[0], current[1], current[2]))
    return found


# ---------------------------------------------------------------- cues and speakers


def _bucket(distance: int) -> str:
    for limit in (1, 3, 6, 12):
        if distance <= limit:
            return f"<={limit}"
    return ">12"


def _between(parsed: Parsed, a: int, b: int) -> set[str]:
    low, high = sorted((a, b))
    return {t.text for t in parsed.tokens[low + 1 : high]} & {",", ":"}


def cue_candidates(parsed: Parsed, first: int, last: int) -> list[Tok]:
    sentences = {parsed.tokens[first].sentence, parsed.tokens[last].sentence}
    near = set(sentences) | {s - 1 for s in sentences} | {s + 1 for s in sentences}
    paragraph = parsed.tokens[first].paragraph
    return [
        t
        for t in parsed.tokens
        if t.paragraph == paragraph
        and t.sentence in near
        and not first <= t.i <= last
        and (t.pos in CUE_POS or t.lower == "selon")
    ]


def cue_features(parsed: Parsed, tok: Tok, first: int, last: int) -> dict[str, Any]:
    after = tok.i > last
    distance = tok.i - last if after else first - tok.i
    governs = any(parsed.tokens[i].head == tok.i for i in range(first, last + 1))
    return {
        "lemma": fold(tok.lemma),
        "lexicon": cue_lemma(tok) is not None,
        "side": "after" if after else "before",
        "distance": _bucket(distance),
        "governs": governs,
        "dep": tok.dep,
        "between": ",".join(sorted(_between(parsed, tok.i, last if after else first))) or "-",
        "same_sentence": tok.sentence
        in (parsed.tokens[first].sentence, parsed.tokens[last].sentence),
        "selon": tok.lower == "selon",
        "aux": tok.pos == "AUX",
    }


def speaker_candidates(parsed: Parsed, first: int, last: int, cue: Tok | None) -> list[Tok]:
    sentences = {parsed.tokens[first].sentence, parsed.tokens[last].sentence}
    if cue is not None:
        sentences.add(cue.sentence)
    near = sentences | {s - 1 for s in sentences}
    paragraph = parsed.tokens[first].paragraph
    return [
        t
        for t in parsed.tokens
        if t.paragraph == paragraph
        and t.sentence in near
        and not first <= t.i <= last
        and t.pos in SPEAKER_POS
        and (cue is None or t.i != cue.i)
    ]


def _in_person(parsed: Parsed, tok: Tok) -> bool:
    return any(s <= tok.start < e and label == "PER" for s, e, label in parsed.entities)


def speaker_features(
    parsed: Parsed, tok: Tok, first: int, last: int, cue: Tok | None
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "pos": tok.pos,
        "dep": tok.dep,
        "person": _in_person(parsed, tok),
        "name": namelike(parsed, tok.i),
        "pronoun": tok.lower if tok.pos == "PRON" else "-",
        "content_side": "after" if tok.i > last else "before",
        "content_distance": _bucket(tok.i - last if tok.i > last else first - tok.i),
        "has_cue": cue is not None,
    }
    if cue is not None:
        values.update(
            {
                "subject_of_cue": tok.head == cue.i and tok.dep.startswith("nsubj"),
                "child_of_cue": tok.head == cue.i,
                "cue_side": "after" if tok.i > cue.i else "before",
                "cue_distance": _bucket(abs(tok.i - cue.i)),
                "cue_lemma": fold(cue.lemma),
            }
        )
    return values


def _overlaps(tok: Tok, span: dict[str, Any] | None) -> bool:
    return span is not None and tok.start < span["end"] and span["start"] < tok.end


def _token_range(parsed: Parsed, start: int, end: int) -> tuple[int, int] | None:
    inside = [t.i for t in parsed.tokens if t.start < end and start < t.end]
    return (inside[0], inside[-1]) if inside else None


def _cue_token(parsed: Parsed, span: dict[str, Any] | None) -> Tok | None:
    if span is None:
        return None
    found = _token_range(parsed, span["start"], span["end"])
    return parsed.tokens[found[0]] if found else None


def train_rankers(corpus: Corpus, train_ids: Sequence[str]) -> tuple[Any, Any]:
    """The cue and speaker classifiers (each a DictVectorizer and a LogisticRegression)."""
    cue_rows: list[dict[str, Any]] = []
    cue_labels: list[int] = []
    speaker_rows: list[dict[str, Any]] = []
    speaker_labels: list[int] = []
    for doc_id in train_ids:
        parsed = parse(corpus, doc_id)
        for quote in load_gold(corpus, doc_id)["quotes"]:
            found = _token_range(parsed, quote["content"]["start"], quote["content"]["end"])
            if found is None:
                continue
            first, last = found
            for tok in cue_candidates(parsed, first, last):
                cue_rows.append(cue_features(parsed, tok, first, last))
                cue_labels.append(int(_overlaps(tok, quote.get("cue"))))
            cue = _cue_token(parsed, quote.get("cue"))
            for tok in speaker_candidates(parsed, first, last, cue):
                speaker_rows.append(speaker_features(parsed, tok, first, last, cue))
                speaker_labels.append(int(_overlaps(tok, quote.get("speaker"))))
    return _fit(cue_rows, cue_labels), _fit(speaker_rows, speaker_labels)


def _fit(rows: list[dict[str, Any]], labels: list[int]) -> Any:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    if len(set(labels)) < 2:
        return None
    vectorizer = DictVectorizer(sparse=True, sort=True)
    model = LogisticRegression(**LOGREG_PARAMETERS)
    model.fit(vectorizer.fit_transform(rows), labels)
    return vectorizer, model


def _best(ranker: Any, candidates: Sequence[Tok], rows: list[dict[str, Any]]) -> Tok | None:
    if ranker is None or not candidates:
        return None
    vectorizer, model = ranker
    probabilities = model.predict_proba(vectorizer.transform(rows))[:, 1]
    best = max(range(len(candidates)), key=lambda k: (probabilities[k], -k))
    return candidates[best] if probabilities[best] >= MIN_PROBABILITY else None


# ---------------------------------------------------------------- documents


def quotes_of(
    corpus: Corpus, doc_id: str, models: tuple[Any, Any, Any], descriptors: dict[str, str]
) -> list[dict[str, Any]]:
    content_model, cue_ranker, speaker_ranker = models
    parsed = parse(corpus, doc_id)
    state = State(parsed, [])
    for first, last, kind in predict_contents(corpus, parsed, content_model):
        candidates = cue_candidates(parsed, first, last)
        cue = _best(
            cue_ranker, candidates, [cue_features(parsed, t, first, last) for t in candidates]
        )
        speakers = speaker_candidates(parsed, first, last, cue)
        rows = [speaker_features(parsed, t, first, last, cue) for t in speakers]
        speaker = _best(speaker_ranker, speakers, rows)
        quote = Found(
            parsed.tokens[first].start,
            parsed.tokens[last].end,
            kind,
            cue.i if cue is not None else None,
            _mention_of(parsed, speaker.i) if speaker is not None else None,
        )
        state.found.append(quote)
    return _documents_quotes(corpus, state, descriptors)


def _documents_quotes(
    corpus: Corpus, state: State, descriptors: dict[str, str]
) -> list[dict[str, Any]]:
    parsed = state.parsed
    earlier: list[tuple[int, str]] = []
    quotes = []
    previous: str | None = None
    for quote in state.found:
        source = resolve(corpus, state, quote, descriptors, earlier)
        if source and quote.speaker is not None:
            earlier.append((quote.speaker[0], source))
        if quote.speaker is None and source is None:
            source = previous
        previous = source or previous
        content = make_span(parsed.text, quote.start, quote.end)
        if content is None:
            continue
        cue = None
        if quote.cue is not None:
            tok = parsed.tokens[quote.cue]
            cue = make_span(parsed.text, tok.start, tok.end)
        quotes.append(
            {
                "id": "Q0",
                "content": content,
                "kind": quote.kind,
                "cue": cue,
                "speaker": make_span(parsed.text, *quote.speaker) if quote.speaker else None,
                "speaker_entity_id": source,
                "utterance_id": None,
            }
        )
    return quotes


def predict(
    corpus: Corpus, train_ids: Sequence[str], test_ids: Sequence[str], label_prefix: str = ""
) -> list[Document]:
    models = (train_content(corpus, train_ids), *train_rankers(corpus, train_ids))
    descriptors = _descriptor_table(corpus, tuple(sorted({*train_ids, *test_ids})))
    documents = []
    for doc_id in sorted(test_ids):
        document = empty_prediction(corpus, doc_id)
        document["quotes"] = quotes_of(corpus, doc_id, models, descriptors)
        documents.append(sanitize(corpus, number_ids(document)))
    threshold = choose_threshold(corpus, tuple(sorted(train_ids)))
    assign_utterances(documents, threshold, f"sys-{label_prefix}")
    return documents
