"""Splits: groups never straddle splits, assignments are stable, --check catches drift."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from propos import split as splits
from propos.cli import app

from .conftest import DOC_IDS, ROOT, load_json

runner = CliRunner()
TEXTS = {doc: load_json(ROOT / "corpus" / "clean" / f"{doc}.json")["text"] for doc in DOC_IDS}
SOURCES = splits.read_sources(ROOT / "corpus" / "sources.csv")


def test_committed_splits_are_what_the_command_makes() -> None:
    committed = load_json(ROOT / "annotations" / "splits.json")
    made, warnings = splits.make_splits(TEXTS, SOURCES, committed)
    assert warnings == []
    assert made == committed
    assert splits.check_splits(committed, TEXTS, SOURCES) == []


def test_syndicated_pair_shares_a_group_and_no_group_straddles_splits() -> None:
    made, _ = splits.make_splits(TEXTS, SOURCES, None)
    afp_pair = {"000_5637744c8eac245a", "001_d86c8409a0c5958b"}
    assert any(set(docs) == afp_pair for docs in made["groups"].values())
    for docs in made["groups"].values():
        assert len({made["assignments"][d] for d in docs}) == 1
    assert made["max_cross_split_similarity"]["value"] < splits.SIMILARITY_THRESHOLD
    assert set(made["assignments"].values()) == set(splits.SPLIT_TARGETS)


def test_adding_documents_never_moves_an_assignment() -> None:
    first, _ = splits.make_splits(TEXTS, SOURCES, None)
    grown = dict(TEXTS)
    # A near-duplicate of a test article (light edit) and an unrelated new article.
    near = TEXTS["002_6b5d0b1d5408cf43"].replace("historique", "très attendue")
    grown["900_near_duplicate"] = near
    grown["901_unrelated"] = (
        "Le Parlement européen a adopté mardi une directive sur la protection des sols, après "
        "des mois de négociations entre les groupes politiques et les États membres."
    )
    second, warnings = splits.make_splits(grown, SOURCES, first)
    assert warnings == []
    for doc, split in first["assignments"].items():
        assert second["assignments"][doc] == split
    assert (
        second["assignments"]["900_near_duplicate"] == first["assignments"]["002_6b5d0b1d5408cf43"]
    )
    assert second["assignments"]["901_unrelated"] in splits.SPLIT_TARGETS
    again, _ = splits.make_splits(grown, SOURCES, first)
    assert again == second


def test_folds_leave_one_group_out() -> None:
    made, _ = splits.make_splits(TEXTS, SOURCES, None)
    assert len(made["folds"]) == len(made["groups"])
    tested = sorted(doc for fold in made["folds"] for doc in fold["test"])
    assert tested == sorted(DOC_IDS)
    for fold in made["folds"]:
        assert not set(fold["test"]) & set(fold["train"])
        assert sorted(fold["test"] + fold["train"]) == sorted(DOC_IDS)


def test_check_fails_on_a_leak_and_on_drift(project: Path) -> None:
    location = project / "annotations" / "splits.json"
    data = json.loads(location.read_text(encoding="utf-8"))
    data["assignments"]["001_d86c8409a0c5958b"] = (
        "test" if data["assignments"]["000_5637744c8eac245a"] == "train" else "train"
    )
    del data["assignments"]["004_7d1862074b0c649d"]
    location.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["split", "--check"])
    assert result.exit_code == 1
    assert "leak: group g-000_5637744c8eac245a" in result.stdout
    assert "document 004_7d1862074b0c649d is in the corpus but has no split" in result.stdout
    assert "Traceback" not in result.stderr


def test_split_command_keeps_the_committed_file(project: Path) -> None:
    location = project / "annotations" / "splits.json"
    before = location.read_bytes()
    result = runner.invoke(app, ["split"])
    assert result.exit_code == 0, result.stderr
    assert location.read_bytes() == before
    assert "highest similarity across splits" in result.stderr
