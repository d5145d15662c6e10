"""`propos agreement`: hand-computed cases, and AGREEMENT.md is what the command prints."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from typer.testing import CliRunner

from propos import agreement
from propos.cli import app

from .conftest import DOC_IDS, ROOT, load_json

runner = CliRunner()
GOLD = {d: load_json(ROOT / "annotations" / "gold" / f"{d}.json") for d in DOC_IDS}
TEXTS = {d: load_json(ROOT / "corpus" / "clean" / f"{d}.json")["text"] for d in DOC_IDS}
N_ENTITIES = sum(len(g["entities"]) for g in GOLD.values())
N_QUOTES = sum(len(g["quotes"]) for g in GOLD.values())


def modified(change: Any) -> dict[str, Any]:
    documents = copy.deepcopy(GOLD)
    change(documents[DOC_IDS[0]])
    return documents


def test_a_set_agrees_perfectly_with_itself() -> None:
    result = agreement.agreement(GOLD, copy.deepcopy(GOLD), TEXTS)
    for layer in ("entities", "quotes", "events"):
        assert all(value == pytest.approx(1.0) for value in result[layer].values()), layer
    for figures in result["clusters"].values():
        assert all(value == pytest.approx(1.0) for value in figures.values())


def test_one_missing_entity_lowers_f1_by_the_hand_computed_amount() -> None:
    other = modified(lambda d: d.update(entities=d["entities"][1:], events=[
        {**e, "arguments": [a for a in e["arguments"] if a["entity"] != d["entities"][0]["id"]]}
        for e in d["events"]
    ]))  # fmt: skip
    result = agreement.agreement(GOLD, other, TEXTS)
    assert result["entities"]["strict_f1"] == pytest.approx(
        2 * (N_ENTITIES - 1) / (2 * N_ENTITIES - 1)
    )
    assert result["entities"]["token_kappa"] < 1.0


def test_retyped_entity_counts_against_strict_but_not_overlap() -> None:
    def retype(document: dict[str, Any]) -> None:
        document["entities"][0]["type"] = "ORG"

    result = agreement.agreement(GOLD, modified(retype), TEXTS)
    assert result["entities"]["strict_f1"] == pytest.approx((N_ENTITIES - 1) / N_ENTITIES)
    assert result["entities"]["overlap_f1"] == pytest.approx(1.0)


def test_quotation_overlap_f1_counts_matched_pairs() -> None:
    def shorten_and_drop(document: dict[str, Any]) -> None:
        first = document["quotes"][1]["content"]
        first["end"] -= 3
        first["text"] = first["text"][:-3]
        del document["quotes"][0]

    result = agreement.agreement(GOLD, modified(shorten_and_drop), TEXTS)
    assert result["quotes"]["content_overlap_f1"] == pytest.approx(
        2 * (N_QUOTES - 1) / (2 * N_QUOTES - 1)
    )
    assert result["quotes"]["content_strict_f1"] == pytest.approx(
        2 * (N_QUOTES - 2) / (2 * N_QUOTES - 1)
    )


@pytest.mark.parametrize("collection", [None, "press", "wikinews"])
def test_agreement_md_shows_what_the_command_prints(collection: str | None) -> None:
    passes = [str(ROOT / "annotations/passes/a"), str(ROOT / "annotations/passes/b")]
    extra = ["--collection", collection] if collection else []
    result = runner.invoke(app, ["agreement", *passes, *extra])
    assert result.exit_code == 0, result.stderr
    document = (ROOT / "annotations" / "AGREEMENT.md").read_text(encoding="utf-8")
    marker = f"agreement {collection}" if collection else "agreement"
    block = document.split(f"<!-- {marker}: begin -->\n", 1)[1].split(f"<!-- {marker}: end", 1)[0]
    assert block == result.stdout, f"AGREEMENT.md ({marker}) is stale: rerun propos agreement"


def test_an_unknown_collection_is_a_usage_error() -> None:
    passes = [str(ROOT / "annotations/passes/a"), str(ROOT / "annotations/passes/b")]
    result = runner.invoke(app, ["agreement", *passes, "--collection", "tabloids"])
    assert result.exit_code == 2
    assert "unknown collection 'tabloids'" in result.stderr


def test_json_output_and_help() -> None:
    result = runner.invoke(
        app,
        [
            "agreement",
            str(ROOT / "annotations/passes/a"),
            str(ROOT / "annotations/gold"),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0
    assert '"token_kappa"' in result.stdout
    help_text = " ".join(runner.invoke(app, ["agreement", "--help"]).stdout.split())
    for phrase in ("Cohen's kappa", "CoNLL F1", "--format"):
        assert phrase in help_text


def test_different_document_sets_are_a_clear_error(tmp_path: Any) -> None:
    (tmp_path / "one.json").write_text(
        (ROOT / "annotations/gold" / f"{DOC_IDS[0]}.json").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["agreement", str(tmp_path), str(ROOT / "annotations/gold")])
    assert result.exit_code == 1
    assert "different documents" in result.stderr
    assert "Traceback" not in result.stderr


def test_agreement_md_shows_what_source_agreement_prints() -> None:
    result = runner.invoke(app, ["source-agreement", "--collection", "wikinews"])
    assert result.exit_code == 0, result.stderr
    document = (ROOT / "annotations" / "AGREEMENT.md").read_text(encoding="utf-8")
    marker = "source-agreement wikinews"
    block = document.split(f"<!-- {marker}: begin -->\n", 1)[1].split(f"<!-- {marker}: end", 1)[0]
    assert block == result.stdout, "AGREEMENT.md is stale: rerun propos source-agreement"
