"""`propos import brat` on real WiNER-fr files: spans checked before and after cleaning."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from propos.clean import clean_text, expand_offsets
from propos.cli import app
from propos.validate import validate_paths

from .conftest import ROOT, load_json

runner = CliRunner()
WINER = ROOT.parent / "shared" / "external" / "winer-fr"
pytestmark = pytest.mark.skipif(
    not WINER.is_dir(), reason=f"the external WiNER-fr corpus is absent ({WINER})"
)
# A plain article, one with a "Sur le même sujet" navigation block, one with a quotation
# attributed by a dash line, one with nested mentions.
SAMPLE = ["2016_01_01-001", "2016_07_10-001", "2016_06_12-002", "2016_01_03-001"]


def brat_mentions(doc_id: str) -> list[tuple[str, int, int, str]]:
    month = doc_id[5:7]
    ann = (WINER / "2016" / month / f"{doc_id}.ann").read_text(encoding="utf-8")
    found = []
    for line in ann.splitlines():
        _, middle, surface = line.split("\t")
        label, start, end = middle.split(" ")
        found.append((label, int(start), int(end), surface))
    return found


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("winer") / "2016"
    for doc_id in SAMPLE:
        month = doc_id[5:7]
        (source / month).mkdir(parents=True, exist_ok=True)
        for suffix in (".txt", ".ann"):
            shutil.copy(WINER / "2016" / month / f"{doc_id}{suffix}", source / month)
    shutil.copy(WINER / "2016" / "2016-01-urls.txt", source)
    shutil.copy(WINER / "license.txt", source.parent)  # a .txt without .ann: not a document
    out = tmp_path_factory.mktemp("out")
    result = runner.invoke(app, ["import", "brat", str(source.parent), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


def test_every_kept_mention_maps_back_to_its_brat_span(imported: Path) -> None:
    for doc_id in SAMPLE:
        raw = (imported / "corpus" / "raw" / f"{doc_id}.txt").read_text(encoding="utf-8")
        assert raw == (WINER / "2016" / doc_id[5:7] / f"{doc_id}.txt").read_text(encoding="utf-8")
        clean = load_json(imported / "corpus" / "clean" / f"{doc_id}.json")
        gold = load_json(imported / "annotations" / "gold" / f"{doc_id}.json")
        offsets = expand_offsets(clean["offset_map"])
        brat = {(start, end): surface for _, start, end, surface in brat_mentions(doc_id)}
        assert gold["entities"]
        for entity in gold["entities"]:
            assert clean["text"][entity["start"] : entity["end"]] == entity["text"]
            raw_start, raw_end = offsets[entity["start"]], offsets[entity["end"] - 1] + 1
            assert (raw_start, raw_end) in brat, entity
            assert " ".join(brat[(raw_start, raw_end)].split()) == " ".join(
                entity["text"].replace(" ,", ",").split()
            )


def test_types_are_mapped_and_dates_dropped(imported: Path) -> None:
    report = load_json(imported / "import-report.json")
    source = [m for doc_id in SAMPLE for m in brat_mentions(doc_id)]
    expected_dropped = sum(label in ("Date", "Hour") for label, *_ in source)
    assert sum(report["dropped_types"].values()) == expected_dropped > 0
    assert report["dropped_nested"] > 0
    kept = sum(report["kept_mentions"].values())
    unmapped = sum(report["unmappable"].values())
    assert kept + unmapped + report["dropped_nested"] + report[
        "dropped_overlapping"
    ] + expected_dropped == len(source)
    types = {
        e["type"]
        for d in SAMPLE
        for e in load_json(imported / "annotations" / "gold" / f"{d}.json")["entities"]
    }
    assert types <= {"PER", "ORG", "LOC", "MISC"}


def test_navigation_block_mentions_are_reported_not_shifted(imported: Path) -> None:
    report = load_json(imported / "import-report.json")
    examples = [e for e in report["unmappable_examples"] if e["doc_id"] == "2016_07_10-001"]
    assert examples and all(e["reason"].startswith("not in the cleaned text") for e in examples)
    clean = load_json(imported / "corpus" / "clean" / "2016_07_10-001.json")
    assert "Sur le même sujet" not in clean["text"]
    # The list of other articles' titles under the opener goes too.
    assert "Tour de France 2016 : Michael Matthews remporte la 10e étape" not in clean["text"]
    assert any(entry["rule"] == "related_links_block" for entry in clean["report"])


def test_quote_box_stub_is_removed_and_urls_become_metadata(imported: Path) -> None:
    # WiNER dropped the quoted tweet and kept its attribution line: a stub, not content.
    clean = load_json(imported / "corpus" / "clean" / "2016_06_12-002.json")
    assert "— Christian Estrosi" not in clean["text"]
    assert "Christian Estrosi, le maire de Nice" in clean["text"]
    stubs = [entry for entry in clean["report"] if entry["rule"] == "wikinews_quote_box_stub"]
    assert [entry["text"] for entry in stubs] == ["— Christian Estrosi"]
    first = load_json(imported / "corpus" / "clean" / "2016_01_01-001.json")
    assert first["metadata"]["url"].startswith("https://fr.wikinews.org/wiki/")


def test_text_files_without_annotations_are_skipped(imported: Path) -> None:
    report = load_json(imported / "import-report.json")
    assert report["documents"] == len(SAMPLE)
    assert report["skipped_files"] == ["license.txt"]
    assert not (imported / "corpus" / "raw" / "license.txt").exists()


def test_imported_corpus_validates(imported: Path) -> None:
    report = validate_paths(
        [imported / "annotations", imported / "corpus" / "clean"], imported / "corpus" / "clean"
    )
    assert report.problems == []
    assert report.files == 2 * len(SAMPLE) + 1


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("10 juillet 2016 . –", "10 juillet 2016. –"),
        (
            "Après 184,5 kilomètres entre Vielha et Ordino-Arcalis , les coureurs",
            "Après 184,5 kilomètres entre Vielha et Ordino-Arcalis, les coureurs",
        ),
        ("selon l' AFP et d' après Reuters", "selon l'AFP et d'après Reuters"),
        ("Hansen (9/17 dont 3 pen )", "Hansen (9/17 dont 3 pen)"),
        (
            "Biden-Poutine : échange, « constructif » ; non !",
            "Biden-Poutine : échange, « constructif » ; non !",
        ),
    ],
)
def test_wikinews_spacing_rules(line: str, expected: str) -> None:
    text = clean_text(f"Titre de l'article\n\n{line}", "d", "d", profile="wikinews").document[
        "text"
    ]
    assert text.split("\n\n")[1] == expected
