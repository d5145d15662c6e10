"""`propos stats`: counts agree with the gold; the datasheet's figures are current."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from propos import stats
from propos.cli import app
from propos.corpus import Corpus

from .conftest import ALL_DOC_IDS, DOC_IDS, ROOT, load_json

runner = CliRunner()


def current_stats() -> dict:
    return stats.load_and_compute(Corpus.at(ROOT))


def test_counts_equal_the_gold() -> None:
    figures = current_stats()
    gold = [load_json(ROOT / "annotations" / "gold" / f"{d}.json") for d in ALL_DOC_IDS]
    assert figures["totals"]["entities"] == sum(len(g["entities"]) for g in gold)
    assert figures["totals"]["quotes"] == sum(len(g["quotes"]) for g in gold)
    assert figures["totals"]["events"] == sum(len(g["events"]) for g in gold)
    assert sum(figures["entity_types"].values()) == figures["totals"]["entities"]
    assert sum(figures["coarse_entity_types"].values()) == figures["totals"]["entities"]
    assert sum(figures["realis"].values()) == figures["totals"]["events"]
    assert sum(s["documents"] for s in figures["splits"].values()) == len(ALL_DOC_IDS)
    assert figures["stories"] >= 16 and figures["totals"]["documents"] >= 69
    wikinews = figures["collections"]["wikinews"]
    assert wikinews["quotes"] >= 80 and wikinews["events"] >= 300 and wikinews["stories"] == 15
    assert figures["collections"]["press"]["documents"] == len(DOC_IDS)
    assert figures["coarse_entity_types"]["LOC"] == sum(
        figures["entity_types"][t] for t in ("GPE", "LOC", "FAC")
    )


def test_datasheet_statistics_are_not_stale() -> None:
    block = stats.datasheet_block(ROOT / "DATASHEET.md")
    assert block == stats.markdown(current_stats()), (
        "DATASHEET.md is stale: run `propos stats --datasheet DATASHEET.md`"
    )


def test_json_and_markdown_output() -> None:
    as_json = runner.invoke(app, ["stats", "--format", "json"])
    assert as_json.exit_code == 0, as_json.stderr
    assert json.loads(as_json.stdout)["totals"] == current_stats()["totals"]
    as_markdown = runner.invoke(app, ["stats", "--format", "markdown"])
    assert "| Contact:Meet |" in as_markdown.stdout


def test_plots_are_written(tmp_path: Path) -> None:
    written = stats.plot(current_stats(), tmp_path)
    assert sorted(p.name for p in written) == sorted(stats.PLOTS)
    for path in written:
        assert path.read_bytes().startswith(b"\x89PNG")


def test_datasheet_without_markers_is_a_clear_error(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.md"
    sheet.write_text("# nothing here\n", encoding="utf-8")
    result = runner.invoke(app, ["stats", "--datasheet", str(sheet)])
    assert result.exit_code == 1
    assert "no statistics markers" in result.stderr
    assert sheet.read_text(encoding="utf-8") == "# nothing here\n"
