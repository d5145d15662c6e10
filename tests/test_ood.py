"""Out-of-domain evaluation on a few real WiNER-fr articles."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from propos import ood
from propos.corpus import Corpus
from propos.importer import Mapping, import_brat
from propos.validate import CleanTexts, check_document_bytes

from .conftest import ROOT

WINER = ROOT.parent / "shared" / "external" / "winer-fr"
pytestmark = pytest.mark.skipif(
    not WINER.is_dir(), reason=f"the external WiNER-fr corpus is absent ({WINER})"
)
SAMPLE = ["2016_01_01-001", "2016_01_01-002", "2016_01_03-001"]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("winer") / "2016" / "01"
    source.mkdir(parents=True)
    for doc_id in SAMPLE:
        for suffix in (".txt", ".ann"):
            shutil.copy(WINER / "2016" / "01" / f"{doc_id}{suffix}", source)
    out = tmp_path_factory.mktemp("root")
    import_brat(
        source.parent.parent, out, Mapping.load(ROOT / "annotations" / "mappings" / "winer-fr.json")
    )
    return out


FAST = ("spacy-fr-md", "crf", "crf-winer", "gazetteer")
"""The out-of-domain systems cheap enough to run here (spacy-fr-md-ft fine-tunes for minutes;
tests/test_baselines_ner.py trains it on two documents)."""


@pytest.mark.parametrize("name", FAST)
def test_baselines_predict_valid_documents_on_external_text(imported: Path, name: str) -> None:
    import json

    predictions = ood.predict(name, Corpus.at(ROOT), Corpus.at(imported), SAMPLE)
    assert sorted(predictions) == SAMPLE
    texts = CleanTexts(imported / "corpus" / "clean")
    for document in predictions.values():
        _, problems = check_document_bytes(
            name, json.dumps(document).encode(), "submission", texts, None
        )
        assert problems == []
    assert any(document["entities"] for document in predictions.values())


def test_scores_are_coarse_with_document_intervals(imported: Path) -> None:
    results = ood.evaluate(Corpus.at(ROOT), Corpus.at(imported), resamples=100, systems=FAST)
    assert results["documents"] == len(SAMPLE)
    for figures in results["systems"].values():
        assert 0.0 < figures["f1"] <= 1.0
        assert figures["low"] <= figures["f1"] <= figures["high"]
    imported_summary = {
        "documents": 3,
        "kept_mentions": {},
        "dropped_types": {},
        "dropped_nested": 0,
        "dropped_overlapping": 0,
        "unmappable": {},
    }
    context = {
        "corpus": "WiNER-fr",
        "command": "propos ood",
        "import": imported_summary,
        "validation_problems": 0,
    }
    markdown = ood.markdown({**results, **context, "timings_seconds": {}})
    assert "| crf |" in markdown and "| spacy-fr-md |" in markdown and "| gazetteer |" in markdown
    assert "HIPE-2020" in markdown and "ceur-ws.org/Vol-2696" in markdown
    assert "- `crf`: " in markdown  # its most frequent kinds of error


def test_crf_winer_is_cross_fitted_by_halves_of_the_year() -> None:
    ids = ["2016_01_02-001", "2016_06_30-001", "2016_07_01-001", "2016_12_31-002"]
    assert ood.cross_fit_halves(ids) == [ids[:2], ids[2:]]
    assert ood.cross_fit_halves(ids[:2]) == [ids[:2]]


def test_the_benchmark_articles_are_left_out() -> None:
    skipped = ood.benchmark_articles(Corpus.at(ROOT))
    assert len(skipped) == 64
    assert skipped["2016_05_11-001"].startswith("in the benchmark as wn-2016_05_11-001")


def test_a_cross_fitted_system_refuses_to_score_an_article_it_trained_on(imported: Path) -> None:
    with pytest.raises(AssertionError, match="cross-fitting scores no training article"):
        ood.train_and_apply(
            "spacy-fr-md-winer", Corpus.at(ROOT), [], Corpus.at(imported), SAMPLE[:2], SAMPLE[1:]
        )


def test_spacy_winer_is_cross_fitted_and_predicts_coarse_types(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One article of each half of the year: each is predicted by the model trained on the
    other (and the train split), with a one-epoch setting so that the test stays short."""
    from propos.baselines import ner_spacy_winer

    source = tmp_path / "brat"
    source.mkdir()
    halves = ["2016_01_01-001", "2016_07_01-001"]
    for doc_id in halves:
        for suffix in (".txt", ".ann"):
            shutil.copy(WINER / "2016" / doc_id[5:7] / f"{doc_id}{suffix}", source)
    mapping = Mapping.load(ROOT / "annotations" / "mappings" / "winer-fr.json")
    import_brat(source, tmp_path / "winer", mapping)
    monkeypatch.setitem(ner_spacy_winer.TRAINING, "epochs", 1)
    predictions = ood.predict(
        "spacy-fr-md-winer", Corpus.at(ROOT), Corpus.at(tmp_path / "winer"), halves
    )
    assert sorted(predictions) == halves
    kinds = {e["type"] for document in predictions.values() for e in document["entities"]}
    assert kinds and kinds <= {"PER", "ORG", "LOC", "MISC"}, kinds
