"""`propos build`: the dataset loads offline, typed, with the gold's counts; builds are atomic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from datasets import load_dataset
from typer.testing import CliRunner

from propos import build, schema
from propos.cli import app
from propos.corpus import Corpus
from propos.tokenize import Token, spans_from_bio

from .conftest import ROOT, load_json

runner = CliRunner()


@pytest.fixture(scope="module")
def built(release_folder: Path) -> Path:
    return release_folder


def load(folder: Path, config: str, cache: Path) -> Any:
    return load_dataset(str(folder), config, cache_dir=str(cache))


def gold_by_split() -> dict[str, list[dict[str, Any]]]:
    assignments = load_json(ROOT / "annotations" / "splits.json")["assignments"]
    grouped: dict[str, list[dict[str, Any]]] = {}
    for doc_id, split in assignments.items():
        grouped.setdefault(split, []).append(
            load_json(ROOT / "annotations" / "gold" / f"{doc_id}.json")
        )
    return grouped


def test_every_config_loads_offline_with_the_gold_counts(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    gold = gold_by_split()
    for split, documents in gold.items():
        docs = load(built, "documents", tmp_path)[split]
        assert sorted(docs["doc_id"]) == sorted(d["doc_id"] for d in documents)
        assert sum(len(row) for row in docs["entities"]) == sum(
            len(d["entities"]) for d in documents
        )
        quotes = load(built, "quotes", tmp_path)[split]
        assert quotes.num_rows == sum(len(d["quotes"]) for d in documents)
        events = load(built, "events", tmp_path)[split]
        assert events.num_rows == sum(len(d["events"]) for d in documents)
        ner = load(built, "ner", tmp_path)[split]
        names = ner.features["ner_tags"].feature.names
        chunks = 0
        for row in ner:
            tokens = [
                Token(s, e, t)
                for s, e, t in zip(
                    row["token_starts"], row["token_ends"], row["tokens"], strict=True
                )
            ]
            chunks += len(spans_from_bio(tokens, [names[i] for i in row["ner_tags"]]))
        assert chunks == sum(len(d["entities"]) for d in documents)


def test_features_come_back_typed(built: Path, tmp_path: Path) -> None:
    ner = load(built, "ner", tmp_path)["train"]
    assert ner.features["ner_tags"].feature.names == build.FINE_TAGS
    assert ner.features["coarse_tags"].feature.names == build.COARSE_TAGS
    assert {tag[2:] for tag in build.FINE_TAGS[1:]} == set(schema.ENTITY_TYPES)
    events = load(built, "events", tmp_path)["train"]
    assert events.features["type"].names == list(schema.EVENT_TYPES)
    assert events.features["realis"].names == list(schema.REALIS_VALUES)
    quotes = load(built, "quotes", tmp_path)["train"]
    assert quotes.features["kind"].names == list(schema.QUOTE_KINDS)
    documents = load(built, "documents", tmp_path)["train"]
    first = documents[0]
    entity = first["entities"][0]
    assert first["text"][entity["start"] : entity["end"]] == entity["text"]


def test_two_builds_are_byte_identical(built: Path, tmp_path: Path) -> None:
    again = tmp_path / "propos"
    build.build_dataset(build.corpus_inputs(Corpus.at(ROOT)), again, show_progress=False)
    files = sorted(p.relative_to(built) for p in built.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    # The card and the Croissant metadata too: sizes and hashes, no path or date of the build.
    assert {Path("README.md"), Path("croissant.json"), Path("DATASHEET.md")} <= set(files)
    for name in files:
        assert (built / name).read_bytes() == (again / name).read_bytes(), name


def test_a_failed_build_leaves_the_previous_dataset_untouched(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "propos"
    build.build_dataset(build.corpus_inputs(Corpus.at(ROOT)), target, show_progress=False)
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    calls = {"n": 0}
    real_write = build.write_part

    def failing_write(path: Path, table: Any) -> tuple[int, int, int]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real_write(path, table)

    monkeypatch.setattr(build, "write_part", failing_write)
    with pytest.raises(OSError, match="disk full"):
        build.build_dataset(build.corpus_inputs(Corpus.at(ROOT)), target, show_progress=False)
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_card_header_is_what_datasets_reads(built: Path) -> None:
    card = (built / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\npretty_name: Propos\nlanguage:\n- fr\n")
    for config in build.CONFIGS:
        assert f"config_name: {config}" in card


def test_build_refuses_gold_made_on_another_text(project: Path) -> None:
    gold_file = sorted((project / "annotations" / "gold").glob("*.json"))[0]
    gold_file.write_text(
        gold_file.read_text(encoding="utf-8").replace('"text_sha256": "', '"text_sha256": "0', 1)[
            :-1
        ],
        encoding="utf-8",
    )
    result = runner.invoke(app, ["build", "--root", str(project), "--out", str(project / "dist")])
    assert result.exit_code == 1
    assert gold_file.name in result.stderr
    assert "Traceback" not in result.stderr


def test_build_refuses_a_fold_that_leaves_a_document_out(project: Path) -> None:
    splits_file = project / "annotations" / "splits.json"
    splits = load_json(splits_file)
    dropped = splits["folds"][1]["test"].pop()
    splits_file.write_text(json.dumps(splits), encoding="utf-8")
    result = runner.invoke(app, ["build", "--root", str(project), "--out", str(project / "dist")])
    assert result.exit_code == 1
    assert "splits.json" in result.stderr and dropped in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "dist").exists()


def test_build_refuses_a_licence_it_has_no_terms_for(project: Path) -> None:
    manifest_file = project / "corpus" / "collections" / "wikinews.json"
    manifest = load_json(manifest_file)
    manifest["license"] = "CC BY-SA 3.0"
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    result = runner.invoke(app, ["build", "--root", str(project), "--out", str(project / "dist")])
    assert result.exit_code == 1
    assert "license 'CC BY-SA 3.0'" in result.stderr and "wikinews.json" in result.stderr
    assert "Traceback" not in result.stderr
