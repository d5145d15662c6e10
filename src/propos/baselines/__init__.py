"""Baseline systems of the Propos benchmark, and how to run them.

Each system is one module with ``predict(corpus, train_ids, test_ids, label_prefix="")``,
which trains on the gold annotations of ``train_ids`` (when it learns anything) and returns one
submission document per test document (GUIDELINES.md section 2; layers of other tasks are empty
lists). ``label_prefix`` keeps the free cluster labels of separate runs apart (cross-validation
folds). Every entry point is handed the :class:`~propos.corpus.Corpus` whose documents, gold,
inventory and splits it reads.

Everything is deterministic and offline. ``propos baseline NAME`` writes
``<corpus>/benchmark/submissions/<NAME>/`` (``meta.json`` and ``predictions.jsonl``);
:mod:`propos.baselines.evaluation` cross-validates, scores and writes the report.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from propos.baselines.common import Document, dumps_line
from propos.corpus import Corpus
from propos.errors import ProposError
from propos.fileio import write_atomic, write_json
from propos.split import split_doc_ids

AUTHORS = "Propos project (baseline systems)"
BASELINE_DATE = "2026-11-23"
"""The date written in every baseline's meta.json (fixed: rerunning changes no byte)."""
TRAIN_SPLIT = "train"
DEFAULT_SPLIT = "test"
META_FILE = "meta.json"
PREDICTIONS_FILE = "predictions.jsonl"
CV_PREDICTIONS_FILE = "predictions.cv.jsonl"


@dataclass(frozen=True)
class Baseline:
    name: str
    task: str
    module: str
    trained: bool
    description: str
    url: str | None = None
    cross_validated: bool = True
    """False for a baseline whose every training takes minutes (the report's CV table leaves
    it out and says so)."""
    ranked_as: str | None = None
    """The task its meta.json declares when not ``task`` (``ner-coarse`` for coarse types)."""

    def predict(
        self,
        corpus: Corpus,
        train_ids: Sequence[str],
        test_ids: Sequence[str],
        label_prefix: str = "",
    ) -> list[Document]:
        module = importlib.import_module(f"propos.baselines.{self.module}")
        documents: list[Document] = module.predict(
            corpus, sorted(train_ids), sorted(test_ids), label_prefix=label_prefix
        )
        return documents

    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "name": self.name,
            "authors": AUTHORS,
            "description": self.description,
        }
        if self.url:
            meta["url"] = self.url
        meta.update(
            {
                "date": BASELINE_DATE,
                "trained_on_train_split": self.trained,
                "tasks": [self.ranked_as or self.task],
            }
        )
        return meta


BASELINES: dict[str, Baseline] = {
    b.name: b
    for b in (
        Baseline(
            "spacy-fr-md",
            "ner",
            "ner_spacy",
            False,
            "Zero-shot spaCy fr_core_news_md 3.8.0 entity recogniser, paragraph by paragraph;"
            " PER/ORG/MISC kept, LOC mapped to GPE (coarse type LOC); leading articles and"
            " titles cut off; mentions clustered across documents by the name-matching linker."
            " Scored on coarse types.",
            "https://spacy.io/models/fr#fr_core_news_md",
        ),
        Baseline(
            "spacy-fr-md-ft",
            "ner",
            "ner_spacy_ft",
            True,
            "spaCy fr_core_news_md's entity recogniser (its own tok2vec with the md static"
            " vectors) fine-tuned on the train split with the six Propos fine types, paragraph"
            " by paragraph; seeded, CPU, 10 epochs (settings in"
            " propos.baselines.ner_spacy_ft.TRAINING); retrained on every run, the model is not"
            " shipped; name-matching linker.",
            "https://spacy.io/models/fr#fr_core_news_md",
        ),
        Baseline(
            "crf",
            "ner",
            "ner_crf",
            True,
            "Linear-chain CRF (sklearn-crfsuite, L-BFGS) over propos.tokenize tokens, IOB2"
            " with fine types; word, shape, affix, casing, neighbour and training-gazetteer"
            " features; trained on the train split; name-matching linker.",
        ),
        Baseline(
            "crf-winer",
            "ner",
            "ner_crf_winer",
            True,
            "The crf model trained on coarse types (PER, ORG, LOC, MISC) on the train split plus"
            " the WiNER-fr 2016 articles outside the benchmark (imported at run time through"
            " annotations/mappings/winer-fr.json; the benchmark's Wikinews articles left out);"
            " name-matching linker. Scored on coarse types.",
            cross_validated=False,
            ranked_as="ner-coarse",
        ),
        Baseline(
            "spacy-fr-md-winer",
            "ner",
            "ner_spacy_winer",
            True,
            "spaCy fr_core_news_md's entity recogniser fine-tuned on coarse types (PER, ORG, LOC,"
            " MISC) on the train split plus the WiNER-fr 2016 articles outside the benchmark"
            " (imported at run time through annotations/mappings/winer-fr.json; the benchmark's"
            " Wikinews articles left out), paragraph by paragraph; seeded, CPU, 8 epochs"
            " (settings in propos.baselines.ner_spacy_winer.TRAINING); retrained on every run,"
            " the model is not shipped; name-matching linker. Scored on coarse types.",
            "https://spacy.io/models/fr#fr_core_news_md",
            cross_validated=False,
            ranked_as="ner-coarse",
        ),
        Baseline(
            "gazetteer",
            "ner",
            "ner_gazetteer",
            True,
            "Exact, case-sensitive match of the entity names of the train split (longest"
            " match first, no overlaps), each with its most frequent type; name-matching"
            " linker.",
        ),
        Baseline(
            "rules",
            "quotes",
            "quotes_rules",
            True,
            "Hand-written rules: quotation marks, a reporting-verb lexicon, que/infinitive"
            " clauses and incises, speakers from the spaCy fr_core_news_md dependency parse,"
            " pronouns and noun phrases resolved to the most recent compatible person,"
            " speakers linked to the inventory by name; utterances clustered by TF-IDF cosine"
            " similarity with a threshold chosen on the train split. The rules were revised on"
            " the train split alone (issue 18) and frozen before the test split was scored;"
            " their cross-validation figures are optimistic (every fold's test documents were"
            " in their development set).",
        ),
        Baseline(
            "quote-crf",
            "quotes",
            "quotes_learned",
            True,
            "Learned on the train split: a linear-chain CRF (sklearn-crfsuite) labels content"
            " tokens with their kind (B/I-direct, -indirect, -mixed) from word, lemma, part of"
            " speech, dependency, quotation-mark and reporting-verb features; logistic"
            " regressions (scikit-learn) choose the cue among nearby verbs and the speaker among"
            " nearby nouns, names and pronouns; speaker entities and utterances as in `rules`"
            " (name linker, most recent person; TF-IDF threshold chosen on train).",
        ),
        Baseline(
            "lexicon",
            "events",
            "events_lexicon",
            True,
            "Trigger patterns (lemmas) seen in the train split plus a seed lexicon for each of"
            " the 38 types of version 2; longest match first; realis from cues (future,"
            " conditional, negation, modal and planning verbs, 'éventuel', 'possible', purpose)"
            " or the training prior; event ids by topic (TF-IDF document clusters), same"
            " pattern and type, and compatible arguments (names of the sentence), threshold and"
            " argument check chosen on the train split. The seeds of the first fifteen types"
            " come from the version-1 guidelines, whose examples quote the five press articles"
            " (train split); the others from the ACE 2005 definitions.",
        ),
        Baseline(
            "logreg",
            "events",
            "events_logreg",
            True,
            "Logistic-regression trigger classifier (scikit-learn) over lemma, part-of-speech,"
            " morphology, dependency and context features of spaCy fr_core_news_md, trained on"
            " the train split (the 38-type seed lexicon's type is a feature); spans extended to"
            " lexicon patterns; realis and event ids as in the lexicon baseline.",
        ),
    )
}
"""Every baseline, in report order. A gold oracle is deliberately not one of them."""


def get(name: str) -> Baseline:
    if name not in BASELINES:
        known = ", ".join(BASELINES)
        raise ProposError(f"unknown baseline '{name}' (known: {known})", exit_code=2)
    return BASELINES[name]


@dataclass
class Run:
    baseline: Baseline
    split: str
    documents: list[Document]
    seconds: float


def run(corpus: Corpus, name: str, split: str = DEFAULT_SPLIT) -> Run:
    """Train on the train split of ``corpus`` (when the baseline learns) and predict every
    document of ``split``."""
    baseline = get(name)
    test_ids = split_doc_ids(split, corpus.splits_file, corpus.clean_dir)
    train_ids = (
        split_doc_ids(TRAIN_SPLIT, corpus.splits_file, corpus.clean_dir) if baseline.trained else []
    )
    started = time.perf_counter()
    documents = baseline.predict(corpus, train_ids, test_ids)
    return Run(baseline, split, documents, time.perf_counter() - started)


def submission_dir(corpus: Corpus, name: str) -> Path:
    return corpus.submissions_dir / name


def write_submission(corpus: Corpus, result: Run, out_dir: Path | None = None) -> Path:
    """Write meta.json and predictions.jsonl (one document per line, in doc_id order) in
    ``out_dir``, by default the baseline's folder of ``corpus.submissions_dir``."""
    folder = out_dir or submission_dir(corpus, result.baseline.name)
    lines = "".join(
        dumps_line(d) + "\n" for d in sorted(result.documents, key=lambda d: d["doc_id"])
    )
    write_atomic(folder / PREDICTIONS_FILE, lines)
    write_json(folder / META_FILE, result.baseline.meta())
    return folder


def write_cv_predictions(corpus: Corpus, name: str, out_dir: Path | None = None) -> Path:
    """Write ``predictions.cv.jsonl``: every document of the folds, each predicted by the
    baseline trained on the training part of the fold that tests it (the leaderboard's
    cross-validation track; the same predictions as the CV figures of the report)."""
    from propos.baselines.evaluation import cross_validate

    documents = cross_validate(corpus, get(name))
    folder = out_dir or submission_dir(corpus, name)
    lines = "".join(dumps_line(d) + "\n" for d in sorted(documents, key=lambda d: d["doc_id"]))
    write_atomic(folder / CV_PREDICTIONS_FILE, lines)
    return folder / CV_PREDICTIONS_FILE
