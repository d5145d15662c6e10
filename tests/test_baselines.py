"""The baselines: valid and deterministic output, the rules and the linker on known cases, the
command line's errors, the error analysis."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from propos import baselines, schema
from propos.baselines import evaluation, linker
from propos.baselines.common import dumps_line, load_gold, make_span
from propos.cli import baseline as cli_baseline
from propos.corpus import Corpus
from propos.split import split_doc_ids
from propos.validate import validate_paths

from .conftest import ROOT

CORPUS = Corpus.at(ROOT)
DOC = "002_6b5d0b1d5408cf43"  # a test-split document
TRAIN = split_doc_ids("train", CORPUS.splits_file, CORPUS.clean_dir)
POUTINE = "E-vladimir-poutine"
RETRAINED = ("spacy-fr-md-ft", "crf-winer", "spacy-fr-md-winer")
"""Baselines whose training takes minutes (fine-tuned networks, a CRF on 500 external
articles): tests/test_baselines_ner.py trains them on a few documents instead."""
QUICK = [name for name in baselines.BASELINES if name not in RETRAINED]


@pytest.fixture(scope="module")
def predictions() -> dict[str, list[dict[str, Any]]]:
    """Each baseline trained on the train split (when it learns), run on one test document."""
    out = {}
    for name in QUICK:
        baseline = baselines.BASELINES[name]
        out[name] = baseline.predict(CORPUS, TRAIN if baseline.trained else [], [DOC])
    return out


def _write_jsonl(path: Path, documents: list[dict[str, Any]]) -> Path:
    path.write_text("".join(dumps_line(d) + "\n" for d in documents), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", QUICK)
def test_each_baseline_output_validates(
    name: str, predictions: dict[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    documents = predictions[name]
    assert [d["doc_id"] for d in documents] == [DOC]
    task = baselines.BASELINES[name].task
    layer = evaluation.TASK_LAYER[task]
    assert documents[0][layer], f"{name} predicted nothing"
    for other in {"entities", "quotes", "events"} - {layer}:
        assert documents[0][other] == []
    path = _write_jsonl(tmp_path / "predictions.jsonl", documents)
    report = validate_paths([path], clean_dir=CORPUS.clean_dir, split_doc_ids=[DOC])
    assert [str(p) for p in report.problems] == []


@pytest.mark.parametrize("name", QUICK)
def test_each_baseline_is_deterministic(
    name: str, predictions: dict[str, list[dict[str, Any]]]
) -> None:
    baseline = baselines.BASELINES[name]
    again = baseline.predict(CORPUS, TRAIN if baseline.trained else [], [DOC])
    assert [dumps_line(d) for d in again] == [dumps_line(d) for d in predictions[name]]


def test_meta_follows_the_leaderboard_schema() -> None:
    meta_schema = schema.load_schema("submission-meta")
    for baseline in baselines.BASELINES.values():
        meta = baseline.meta()
        assert list(Draft202012Validator(meta_schema).iter_errors(meta)) == []
        assert meta["tasks"] == [baseline.ranked_as or baseline.task]
        assert baseline.ranked_as in (None, "ner-coarse")
    assert "gold" not in baselines.BASELINES


def test_rules_find_the_no_animosity_quotation_of_poutine() -> None:
    doc = "000_5637744c8eac245a"
    rules = baselines.get("rules")
    [document] = rules.predict(CORPUS, [d for d in TRAIN if d != doc], [doc])
    found = [
        q for q in document["quotes"] if q["content"]["text"] == "Il n’y avait aucune animosité"
    ]
    assert len(found) == 2  # the headline and the body
    assert all(q["kind"] == "direct" and q["speaker_entity_id"] == POUTINE for q in found)
    body = [q for q in found if q["cue"] is not None]
    assert [(q["cue"]["text"], q["speaker"]["text"]) for q in body] == [("dit", "il")]
    assert found[0]["utterance_id"] == found[1]["utterance_id"]


def test_rules_attribute_quotations_to_named_and_unnamed_sources() -> None:
    doc = "004_7d1862074b0c649d"
    [document] = baselines.get("rules").predict(CORPUS, ["000_5637744c8eac245a"], [doc])
    by_content = {q["content"]["text"][:30]: q for q in document["quotes"]}
    experts = by_content["il est peu probable que cela c"]
    assert (experts["kind"], experts["speaker"]["text"]) == ("indirect", "les experts")
    assert experts["speaker_entity_id"] is None
    assert by_content["la Russie est plus une victime"]["speaker_entity_id"] == POUTINE


def test_linker_clusters_surnames_and_spelling_variants() -> None:
    mentions = [
        ("Vladimir Poutine", "PER"),
        ("Poutine", "PER"),
        ("Anatoly Antonov", "PER"),
        ("Anatoli Antonov", "PER"),
        ("Joe Biden", "PER"),
        ("Etats-Unis", "GPE"),
        ("États-Unis", "GPE"),
    ]
    clusters = linker.cluster_names(mentions)
    assert clusters[0] == clusters[1]
    assert clusters[2] == clusters[3]
    assert clusters[4] not in (clusters[0], clusters[2])
    assert clusters[5] == clusters[6]
    ids = linker.link_mentions(CORPUS, mentions)
    assert ids[0] == ids[1] == POUTINE
    assert ids[4] == "E-joe-biden"
    assert linker.link_mentions(CORPUS, [("Jean Inconnu", "PER")]) == ["E-sys-per-jean-inconnu"]


def test_spans_are_trimmed_to_the_span_rules() -> None:
    text = "« Il n’y avait aucune animosité », a-t-il dit."
    span = make_span(text, 1, text.index(","))  # unpaired closing mark, edge white space
    assert span is not None and span["text"] == "Il n’y avait aucune animosité"
    tail = make_span(text, text.index(",") + 1, len(text))  # final punctuation
    assert tail is not None and tail["text"] == "a-t-il dit"
    assert make_span(text, 0, 2) is None


def test_entity_error_analysis_names_each_kind() -> None:
    gold = load_gold(CORPUS, DOC)
    first, second, *rest = gold["entities"]
    predicted = {
        "doc_id": DOC,
        "entities": [{**first, "type": "ORG"}, {**second, "end": second["end"] - 1}, *rest[1:]],
        "quotes": [],
        "events": [],
    }
    errors = evaluation.entity_errors(CORPUS, [predicted])
    assert errors.counts[f"wrong type: {first['type']} predicted ORG"] == 1
    assert errors.counts[f"boundary error on {second['type']}"] == 1
    assert errors.counts[f"missed {rest[0]['type']}"] == 1
    assert sum(errors.counts.values()) == 3


# ---------------------------------------------------------------- the command line


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    application = typer.Typer(pretty_exceptions_enable=False, add_completion=False)

    @application.callback()
    def root() -> None:
        """Test application."""

    cli_baseline.register(application)
    return application


def _one_line_error(result: Any) -> str:
    output = result.output
    assert result.exit_code != 0
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1, output
    return output


@pytest.mark.parametrize(
    "arguments",
    [["no-such-baseline"], ["crf", "--split", "train"], ["--table", "nope"], []],
)
def test_cli_errors_are_one_line(
    app: typer.Typer, arguments: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the command line's corpus is the one containing the folder
    result = CliRunner().invoke(app, ["baseline", *arguments])
    output = _one_line_error(result)
    assert output.startswith("error: ")
    if arguments[:1] == ["no-such-baseline"]:
        assert "unknown baseline 'no-such-baseline'" in output
        assert "spacy-fr-md" in output


def test_cli_lists_and_writes_a_submission(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the command line's corpus is the one containing the folder
    runner = CliRunner()
    listed = runner.invoke(app, ["baseline", "--list"])
    assert listed.exit_code == 0
    assert [line.split("\t")[0] for line in listed.output.splitlines()] == list(baselines.BASELINES)
    out = tmp_path / "gazetteer"
    result = runner.invoke(app, ["baseline", "gazetteer", "--out", str(out)])
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["name"] == "gazetteer" and meta["trained_on_train_split"] is True
    test_ids = split_doc_ids("test", CORPUS.splits_file, CORPUS.clean_dir)
    report = validate_paths(
        [out / "predictions.jsonl"], clean_dir=CORPUS.clean_dir, split_doc_ids=test_ids
    )
    assert [str(p) for p in report.problems] == []
    first = (out / "predictions.jsonl").read_bytes()
    assert runner.invoke(app, ["baseline", "gazetteer", "--out", str(out)]).exit_code == 0
    assert (out / "predictions.jsonl").read_bytes() == first
