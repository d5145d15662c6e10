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


@pytest.mark.parametrize("name", ood.OOD_BASELINES)
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
    results = ood.evaluate(Corpus.at(ROOT), Corpus.at(imported), resamples=100)
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
    context = {"command": "propos ood", "import": imported_summary, "validation_problems": 0}
    markdown = ood.markdown({**results, **context, "timings_seconds": {}})
    assert "| crf |" in markdown and "| spacy-fr-md |" in markdown
