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


# ---------------------------------------------------------------- parts and ner rows


def parquet_rows(folder: Path, config: str) -> dict[str, list[dict[str, Any]]]:
    """Each split's rows, read straight from its Parquet parts in name order."""
    import pyarrow.parquet as pq

    from propos.dataset_reader import split_parts

    return {
        split: [row for path in paths for row in pq.read_table(path).to_pylist()]
        for split, paths in split_parts(folder, config).items()
    }


def test_smaller_partitions_give_more_parts_and_the_same_rows(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "DOCUMENTS_PER_PARTITION", 8)
    inputs = build.corpus_inputs(Corpus.at(ROOT))
    out = tmp_path / "propos"
    build.build_dataset(inputs, out, show_progress=False)
    doc_ids = sorted(inputs.assignments)
    groups = [doc_ids[start : start + 8] for start in range(0, len(doc_ids), 8)]
    for split in inputs.split_names:
        # One part per group of 8 documents that has a document of the split, named after it.
        expected = [
            f"{split}-{index:05d}.parquet"
            for index, group in enumerate(groups)
            if any(split in inputs.splits_of[doc_id] for doc_id in group)
        ]
        for config in build.DOCUMENT_CONFIGS:
            names = sorted(p.name for p in (out / "data" / config).glob(f"{split}-*.parquet"))
            if config == "documents":
                assert names == expected, (config, split)
            assert len(names) > 1 and set(names) <= set(expected), (config, split)
    for config in build.CONFIGS:
        assert parquet_rows(out, config) == parquet_rows(built, config), config
        small = load(out, config, tmp_path / "cache-small")
        whole = load(built, config, tmp_path / "cache-whole")
        assert list(small) == list(whole)
        for split in whole:
            assert small[split].to_list() == whole[split].to_list(), (config, split)


def sentence_by_sentence(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The `ner` rows as first specified: each sentence tokenised alone, its tags from the
    entities that start in it."""
    from propos.sentences import sentence_spans
    from propos.tokenize import bio_tags, tokenize

    rows = []
    for index, (start, end) in enumerate(sentence_spans(text)):
        tokens = [Token(start + t.start, start + t.end, t.text) for t in tokenize(text[start:end])]
        if not tokens:
            continue
        inside = [(e["start"], e["end"], e["type"]) for e in entities if start <= e["start"] < end]
        coarse = [(s, e, schema.COARSE_TYPE[t]) for s, e, t in inside]
        rows.append(
            {
                "sentence": index,
                "start": start,
                "tokens": [t.text for t in tokens],
                "token_starts": [t.start for t in tokens],
                "token_ends": [t.end for t in tokens],
                "ner_tags": bio_tags(tokens, inside),
                "coarse_tags": bio_tags(tokens, coarse),
            }
        )
    return rows


def ner_rows_of(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    inputs = build.Inputs(Path(), Path(), {}, {}, {}, {})
    document = build.Document("doc", {"text": text}, {"entities": entities})
    kept = ("sentence", "start", "tokens", "token_starts", "token_ends", "ner_tags", "coarse_tags")
    return [{key: row[key] for key in kept} for row in build.ner_rows(document, inputs)]


def entity(text: str, words: str, label: str, after: int = 0) -> dict[str, Any]:
    start = text.index(words, after)
    return {"id": f"T{start}", "start": start, "end": start + len(words), "type": label}


def test_ner_rows_from_one_tokenizer_call_equal_the_sentence_by_sentence_rows() -> None:
    for doc_id in sorted(p.stem for p in (ROOT / "annotations" / "gold").glob("*.json")):
        text = load_json(ROOT / "corpus" / "clean" / f"{doc_id}.json")["text"]
        entities = load_json(ROOT / "annotations" / "gold" / f"{doc_id}.json")["entities"]
        assert ner_rows_of(text, entities) == sentence_by_sentence(text, entities), doc_id


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        # An entity running over a sentence end is tagged up to the end of its sentence.
        ("Il a vu Jean Dupont. Marie Curie est venue.", [("Dupont. Marie", "PER")]),
        # Sentence ends before narrow and plain no-break spaces, guillemets and elisions.
        ("Fin ici.\u202f« L’Élysée » a dit qu’il viendra !\u00a0Oui. M. Macron aussi.",
         [("L’Élysée", "GPE"), ("M. Macron", "PER")]),
        # Blank paragraphs: sentences without a token; the text ends in white space.
        ("Paris\n\n\n\n  \n\nLyon brille.   ", [("Paris", "GPE"), ("Lyon", "GPE")]),
        # A run longer than MAX_RUN, cut in pieces, with an entity inside and one after.
        ("Code " + "x" * 300 + " puis l’ONU. Fin " + "😀" * 200 + " Nice.",
         [("x" * 40, "MISC"), ("ONU", "ORG"), ("Nice", "GPE")]),
        # Characters outside the BMP before entities: offsets count code points.
        ("🇫🇷 La France et 𝔘𝔑 à Genève. L’OTAN", [("France", "GPE"), ("Genève", "GPE"),
                                                  ("L’OTAN", "ORG")]),
        # Adjacent entities, one inside a token, and one at the very end of the text.
        ("Biden-Poutine à l’ONU", [("Biden", "PER"), ("Poutine", "PER"), ("l’O", "ORG"),
                                     ("ONU", "ORG")]),
        ("", []),
    ],
)  # fmt: skip
def test_ner_rows_equal_the_sentence_by_sentence_rows_on_hostile_texts(
    text: str, spans: list[tuple[str, str]]
) -> None:
    entities = [entity(text, words, label) for words, label in spans]
    expected = sentence_by_sentence(text, entities)
    assert ner_rows_of(text, entities) == expected
    assert sum(tag.startswith("B-") for row in expected for tag in row["ner_tags"]) >= min(
        1, len(spans)
    )
