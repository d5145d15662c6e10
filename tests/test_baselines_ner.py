"""The entity baselines that train for minutes, trained here on a few documents: the fine-tuned
spaCy recognisers (seeded: the same training gives the same predictions) and the CRF trained on
the train split plus external articles (coarse types); the leave-one-out gazetteer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from propos.baselines import ner_crf, ner_crf_winer, ner_spacy_ft, ner_spacy_winer
from propos.baselines.common import dumps_line
from propos.baselines.ner_common import Gazetteer, name_counts
from propos.corpus import Corpus
from propos.importer import Mapping, import_brat
from propos.schema import COARSE_TYPE
from propos.split import split_doc_ids
from propos.validate import validate_paths

from .conftest import ROOT

CORPUS = Corpus.at(ROOT)
TRAIN = split_doc_ids("train", CORPUS.splits_file, CORPUS.clean_dir)
TEST_DOC = "wn-2016_10_13-001"
FEW = TRAIN[:3]
WINER = ROOT.parent / "shared" / "external" / "winer-fr"


def _validates(documents: list[dict[str, object]], tmp_path: Path) -> None:
    path = tmp_path / "predictions.jsonl"
    path.write_text("".join(dumps_line(d) + "\n" for d in documents), encoding="utf-8")
    report = validate_paths([path], clean_dir=CORPUS.clean_dir, split_doc_ids=[TEST_DOC])
    assert [str(p) for p in report.problems] == []


def test_fine_tuned_spacy_is_reproducible_and_valid(tmp_path: Path) -> None:
    settings = {**ner_spacy_ft.TRAINING, "epochs": 1}
    runs = [
        ner_spacy_ft.apply(CORPUS, ner_spacy_ft.train(CORPUS, FEW, settings), [TEST_DOC])
        for _ in range(2)
    ]
    assert [dumps_line(d) for d in runs[0]] == [dumps_line(d) for d in runs[1]]
    assert runs[0][0]["entities"], "the fine-tuned recogniser found nothing"
    assert {e["type"] for e in runs[0][0]["entities"]} <= set(COARSE_TYPE)
    _validates(runs[0], tmp_path)


def test_the_training_settings_are_committed_and_seeded() -> None:
    assert ner_spacy_ft.TRAINING["seed"] == 0
    assert set(ner_spacy_ft.TRAINING) == {"seed", "epochs", "batch_size", "dropout", "learn_rate"}


def test_leave_one_out_gazetteer_equals_one_built_from_the_others() -> None:
    everything = Gazetteer(CORPUS, FEW)
    for doc_id in FEW:
        others = Gazetteer(CORPUS, [d for d in FEW if d != doc_id])
        assert everything.without(name_counts(CORPUS, [doc_id])).names == others.names


def _import_external(tmp_path: Path, doc_ids: tuple[str, ...]) -> tuple[Corpus, list[str]]:
    """A few real WiNER-fr articles imported as the baselines import them."""
    source = tmp_path / "brat"
    source.mkdir()
    for doc_id in doc_ids:
        for suffix in (".txt", ".ann"):
            shutil.copy(WINER / "2016" / doc_id[5:7] / f"{doc_id}{suffix}", source)
    mapping = Mapping.load(CORPUS.mappings_dir / "winer-fr.json")
    report = import_brat(source, tmp_path / "winer", mapping)
    return Corpus.at(tmp_path / "winer"), sorted(report.imported_documents)


@pytest.mark.skipif(not WINER.is_dir(), reason=f"the external corpus is absent ({WINER})")
def test_crf_on_train_and_external_articles_predicts_coarse_types(tmp_path: Path) -> None:
    external, external_ids = _import_external(tmp_path, ("2016_01_01-001", "2016_01_03-001"))
    model, gazetteer = ner_crf_winer.train(CORPUS, FEW, external, external_ids)
    documents = ner_crf.apply(CORPUS, model, gazetteer, [TEST_DOC])
    kinds = {e["type"] for e in documents[0]["entities"]}
    assert kinds and kinds <= {"PER", "ORG", "LOC", "MISC"}
    assert set(model.classes_) <= {"O"} | {f"{p}-{k}" for p in "BI" for k in COARSE_TYPE.values()}
    _validates(documents, tmp_path)
    json.dumps(documents)  # plain data


@pytest.mark.parametrize(
    ("name", "module"), [("crf-winer", ner_crf_winer), ("spacy-fr-md-winer", ner_spacy_winer)]
)
def test_winer_baselines_need_the_external_corpus(tmp_path: Path, name: str, module: Any) -> None:
    from propos.errors import ProposError

    corpus = Corpus.at(ROOT, external_dir=tmp_path / "nowhere")
    with pytest.raises(ProposError, match=f"the {name} baseline needs the external WiNER-fr"):
        module.predict(corpus, FEW, [TEST_DOC])


TINY_WINER = {**ner_spacy_winer.TRAINING, "epochs": 1, "external_every": 1, "train_repeats": 1}


@pytest.mark.skipif(not WINER.is_dir(), reason=f"the external corpus is absent ({WINER})")
def test_spacy_on_train_and_external_articles_is_coarse_reproducible_and_valid(
    tmp_path: Path,
) -> None:
    external, external_ids = _import_external(tmp_path, ("2016_01_01-001", "2016_07_01-001"))
    runs = [
        ner_spacy_ft.apply(
            CORPUS,
            ner_spacy_winer.train(CORPUS, FEW[:2], external, external_ids, TINY_WINER),
            [TEST_DOC],
        )
        for _ in range(2)
    ]
    assert [dumps_line(d) for d in runs[0]] == [dumps_line(d) for d in runs[1]]
    kinds = {e["type"] for e in runs[0][0]["entities"]}
    assert kinds and kinds <= {"PER", "ORG", "LOC", "MISC"}, kinds
    _validates(runs[0], tmp_path)


@pytest.mark.skipif(not WINER.is_dir(), reason=f"the external corpus is absent ({WINER})")
def test_spacy_winer_learns_from_the_external_articles(tmp_path: Path) -> None:
    """Trained on an external article alone (no Propos document), the recogniser changes: the
    external gold does reach the loss, through the coarse mapping."""
    external, external_ids = _import_external(tmp_path, ("2016_01_01-001", "2016_01_03-001"))
    settings = {**TINY_WINER, "epochs": 3}
    with_external = ner_spacy_winer.train(CORPUS, [], external, external_ids, settings)
    without = ner_spacy_winer.train(CORPUS, [], external, [], settings)
    predicted = [
        ner_spacy_ft.apply(external, nlp, external_ids) for nlp in (with_external, without)
    ]
    assert [dumps_line(d) for d in predicted[0]] != [dumps_line(d) for d in predicted[1]]


def test_the_external_subset_takes_every_nth_article_in_id_order() -> None:
    ids = ["2016_12_01-001", "2016_01_01-001", "2016_06_01-001", "2016_03_01-002"]
    assert ner_spacy_winer.external_subset(ids, 1) == sorted(ids)
    assert ner_spacy_winer.external_subset(ids, 2) == ["2016_01_01-001", "2016_06_01-001"]
    assert ner_spacy_winer.external_subset([], 3) == []


def test_the_winer_training_settings_are_committed_and_seeded() -> None:
    assert ner_spacy_winer.TRAINING["seed"] == 0
    assert set(ner_spacy_winer.TRAINING) == {
        "seed",
        "epochs",
        "batch_size",
        "dropout",
        "learn_rate",
        "external_every",
        "train_repeats",
    }
    assert ner_spacy_winer.LABELS == ("LOC", "MISC", "ORG", "PER")
