"""The entity baselines that train for minutes, trained here on a few documents: the fine-tuned
spaCy recogniser (seeded: the same training gives the same predictions) and the CRF trained on
the train split plus external articles (coarse types); the leave-one-out gazetteer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from propos.baselines import ner_crf, ner_crf_winer, ner_spacy_ft
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


@pytest.mark.skipif(not WINER.is_dir(), reason=f"the external corpus is absent ({WINER})")
def test_crf_on_train_and_external_articles_predicts_coarse_types(tmp_path: Path) -> None:
    source = tmp_path / "brat"
    source.mkdir()
    for doc_id in ("2016_01_01-001", "2016_01_03-001"):
        for suffix in (".txt", ".ann"):
            shutil.copy(WINER / "2016" / "01" / f"{doc_id}{suffix}", source)
    mapping = Mapping.load(CORPUS.mappings_dir / "winer-fr.json")
    report = import_brat(source, tmp_path / "winer", mapping)
    external = Corpus.at(tmp_path / "winer")
    model, gazetteer = ner_crf_winer.train(CORPUS, FEW, external, report.imported_documents)
    documents = ner_crf.apply(CORPUS, model, gazetteer, [TEST_DOC])
    kinds = {e["type"] for e in documents[0]["entities"]}
    assert kinds and kinds <= {"PER", "ORG", "LOC", "MISC"}
    assert set(model.classes_) <= {"O"} | {f"{p}-{k}" for p in "BI" for k in COARSE_TYPE.values()}
    _validates(documents, tmp_path)
    json.dumps(documents)  # plain data


def test_crf_winer_needs_the_external_corpus(tmp_path: Path) -> None:
    from propos.errors import ProposError

    corpus = Corpus.at(ROOT, external_dir=tmp_path / "nowhere")
    with pytest.raises(ProposError, match="needs the external WiNER-fr corpus"):
        ner_crf_winer.predict(corpus, FEW, [TEST_DOC])
