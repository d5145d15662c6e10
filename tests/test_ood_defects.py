"""Regression tests for the defects of the out-of-domain evaluation found on WiNER-fr articles.

Each test builds a small brat corpus in tmp (copies of real WiNER-fr articles, or an article
with one defect) and runs the real `propos` console script on it, with this worktree's code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, load_json, ok, shown

WINER = ROOT.parent / "shared" / "external" / "winer-fr"
pytestmark = pytest.mark.skipif(
    not WINER.is_dir(), reason=f"the external WiNER-fr corpus is absent ({WINER})"
)
PROPOS = str(Path(sys.executable).parent / "propos")
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200", "NO_COLOR": "1"}
RLM = "\u200f"
BENCHMARK_ARTICLE = "2016_05_11-001"  # wn-2016_05_11-001 in the benchmark
OUTSIDE_ARTICLE = "2016_01_01-001"
SHARE_BLOCK_ARTICLE = "2016_11_20-004"  # its share-button list ends "Yahoo!"


def propos(*args: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PROPOS, *(str(a) for a in args)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def copy_article(doc_id: str, folder: Path) -> None:
    for suffix in (".txt", ".ann"):
        shutil.copy(WINER / "2016" / doc_id[5:7] / f"{doc_id}{suffix}", folder)


def write_article(folder: Path, doc_id: str, text: str, mentions: list[tuple[str, str]]) -> None:
    """A brat pair whose mentions are (type, annotated text), found in ``text`` in order; an
    annotated text may differ from the .txt (a right-to-left mark the annotation lacks)."""
    lines, position = [], 0
    for number, (label, annotated) in enumerate(mentions, start=1):
        start = text.index(annotated.replace(RLM, ""), position)
        end = start + len(annotated.replace(RLM, ""))
        if text[end : end + 1] == RLM:
            end += 1  # the span covers the mark, its text does not
        lines.append(f"T{number}\t{label} {start} {end}\t{annotated.replace(RLM, '')}")
        position = end
    (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    (folder / f"{doc_id}.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")


RLM_TEXT = (
    "Titre de l'article\n\nMahmoud Abbas\u200f a rencontré Barack Obama à Washington, selon"
    " Yahoo! et le parti En marche ! de Monsters, Inc. et Adrien Duvillard sr. hier.\n"
)
RLM_MENTIONS = [
    ("Person", "Mahmoud Abbas" + RLM),
    ("Person", "Barack Obama"),
    ("Location", "Washington"),
    ("Organization", "Yahoo!"),
    ("Organization", "En marche !"),
    ("Organization", "Monsters, Inc."),
    ("Person", "Adrien Duvillard sr."),
]


def test_a_mention_over_an_invisible_mark_is_unmappable_not_the_whole_article(
    tmp_path: Path,
) -> None:
    source = tmp_path / "brat"
    source.mkdir()
    write_article(source, "2016_02_02-001", RLM_TEXT, RLM_MENTIONS)
    out = tmp_path / "out"
    result = ok(propos("import", "brat", source, "--out", out))
    assert "import: 1 documents" in result.stderr, shown(result)
    report = load_json(out / "import-report.json")
    assert report["failed_documents"] == []
    assert report["imported_documents"] == ["2016_02_02-001"]
    assert report["unmappable"] == {
        "annotation text differs from the .txt (invisible character U+200F)": 1
    }
    kept = [e["text"] for e in load_json(out / "annotations/gold/2016_02_02-001.json")["entities"]]
    # names that end in punctuation belong to the name (specification version 2)
    assert kept == [
        "Barack Obama",
        "Washington",
        "Yahoo!",
        "En marche !",
        "Monsters, Inc.",
        "Adrien Duvillard sr.",
    ]
    ok(propos("validate", "--root", out, out / "annotations"))


def test_share_button_block_leaves_no_gold_mention(tmp_path: Path) -> None:
    source = tmp_path / "brat"
    source.mkdir()
    copy_article(SHARE_BLOCK_ARTICLE, source)
    raw = (source / f"{SHARE_BLOCK_ARTICLE}.txt").read_text(encoding="utf-8")
    assert "Partager cet article" in raw and raw.endswith("Yahoo!")
    out = tmp_path / "out"
    ok(propos("import", "brat", source, "--out", out))
    clean = load_json(out / "corpus" / "clean" / f"{SHARE_BLOCK_ARTICLE}.json")
    assert "Partager cet article" not in clean["text"] and "Yahoo!" not in clean["text"]
    gold = load_json(out / "annotations" / "gold" / f"{SHARE_BLOCK_ARTICLE}.json")
    buttons = {"Courriel", "Facebook", "Twitter", "Google+", "Reddit", "Digg", "Yahoo!"}
    assert gold["entities"] and not buttons & {e["text"] for e in gold["entities"]}


@pytest.fixture(scope="module")
def ood_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str]:
    """`propos ood --external` on a folder of four articles: one outside the benchmark, one in
    it, one with a right-to-left mark in a span, one whose .ann is broken."""
    base = tmp_path_factory.mktemp("ood")
    source = base / "my-articles"
    source.mkdir()
    copy_article(OUTSIDE_ARTICLE, source)
    copy_article(BENCHMARK_ARTICLE, source)
    write_article(source, "2017_02_02-001", RLM_TEXT, RLM_MENTIONS)
    write_article(source, "2017_03_03-001", "Un texte de Paris.\n", [("Location", "Paris")])
    broken = source / "2017_03_03-001.ann"
    broken.write_text("T1\tLocation 12 99\tParis\n", encoding="utf-8")
    published = (ROOT / "benchmark" / "out_of_domain.json").read_bytes()
    work = base / "work"
    options = ["--work", work, "--system", "gazetteer", "--resamples", "20"]
    result = ok(propos("ood", "--external", source, *options))
    assert (ROOT / "benchmark" / "out_of_domain.json").read_bytes() == published
    return base, load_json(base / "out_of_domain.json"), result.stdout


def test_ood_external_writes_beside_its_input_and_names_it(
    ood_run: tuple[Path, dict[str, Any], str],
) -> None:
    _, results, printed = ood_run
    assert results["source"].endswith("my-articles")
    assert results["years"] == ["2016", "2017"]
    assert "--external" in results["command"]
    assert "(French Wikinews, 2016, 2017)" in printed
    assert "winer-fr" not in printed.split("\n")[2]
    assert list(results["systems"]) == ["gazetteer"]


def test_ood_lists_imported_failed_and_skipped_articles(
    ood_run: tuple[Path, dict[str, Any], str],
) -> None:
    _, results, printed = ood_run
    articles = results["articles"]
    assert articles["imported"] == [OUTSIDE_ARTICLE, "2017_02_02-001"]
    assert [f["doc_id"] for f in articles["failed"]] == ["2017_03_03-001"]
    assert "outside the text" in articles["failed"][0]["reason"]
    assert [s["doc_id"] for s in articles["skipped"]] == [BENCHMARK_ARTICLE]
    assert "in the benchmark as wn-2016_05_11-001" in articles["skipped"][0]["reason"]
    assert results["documents"] == 2
    assert "1 failed to import: 2017_03_03-001" in printed
    assert "cleaning is in-sample" in printed


def test_ood_refuses_an_unknown_system(tmp_path: Path) -> None:
    source = tmp_path / "brat"
    source.mkdir()
    copy_article(OUTSIDE_ARTICLE, source)
    result = propos("ood", "--external", source, "--work", tmp_path / "w", "--system", "nope")
    assert result.returncode == 2, shown(result)
    assert result.stderr.strip().splitlines() == [
        "error: no out-of-domain evaluation for 'nope' (known: spacy-fr-md, spacy-fr-md-ft,"
        " spacy-fr-md-winer, crf, crf-winer, gazetteer)"
    ]
