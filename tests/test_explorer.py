"""The people around the benchmark, the explorer: `propos view --pred` scores with the official
measures of `propos evaluate`, and the cross-outlet pages compare each version with the one it
is closest to (or the canonical wording), never striking a quotation mark on its own. Every
site is written by the real `propos` console script, from the landed gold and a baseline
submission."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from propos.corpus import Corpus
from propos.metrics import HEADLINES
from propos.view.diff import diff_html, similarity
from propos.view.model import corpus_site

from .conftest import ROOT, load_json, ok, shown

CRF = ROOT / "benchmark" / "submissions" / "crf" / "predictions.jsonl"
RULES = ROOT / "benchmark" / "submissions" / "rules" / "predictions.jsonl"
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200", "NO_COLOR": "1"}
MARKS = "«»“”„‹›\"'’‘.,;:!?…()[] \u00a0\u202f\n"
LAYERS = ("entities", "quotes", "events")


def propos(*args: Any) -> subprocess.CompletedProcess[str]:
    command = [str(Path(os.sys.executable).parent / "propos"), *(str(a) for a in args)]
    return subprocess.run(
        command, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300, check=False
    )


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def score_box(page: str) -> dict[str, dict[str, str]]:
    """layer -> {ok, missed, spurious, f1} as the document page's side box shows them."""
    rows = {}
    for layer, cells in re.findall(r'<tr data-layer="(\w+)">(.*?)</tr>', page):
        rows[layer] = dict(re.findall(r'data-count="(\w+)">([^<]*)</td>', cells))
    return rows


def test_view_pred_scores_with_the_official_measures(tmp_path: Path) -> None:
    """The rules baseline predicts every layer; its quotations show where exact match and the
    official attribution F1 part."""
    submission = RULES
    site = tmp_path / "site"
    ok(propos("view", "--out", site, "--pred", submission))
    # CSV carries the figures unrounded (the JSON records are rounded to 10 decimals, and a
    # figure such as 0.43749999999999994 would then be shown 0.438 rather than 0.437)
    evaluated = ok(propos("evaluate", "--pred", submission, "--by", "document", "--format",
                          "csv", "--resamples", "10"))  # fmt: skip
    official = {
        (row["group"], row["layer"]): {**row, "f1": float(row["f1"])}
        for row in csv.DictReader(io.StringIO(evaluated.stdout))
    }
    documents = sorted({doc_id for doc_id, _ in official})
    assert len(documents) == 28
    exact_differs = 0
    for doc_id in documents:
        page = (site / "doc" / f"{doc_id}.html").read_text(encoding="utf-8")
        box = score_box(page)
        for layer in LAYERS:
            row = official[(doc_id, layer)]
            assert box[layer]["f1"] == f"{row['f1']:.3f}", (doc_id, layer, box[layer], row)
            found, missed, spurious = (int(box[layer][k]) for k in ("ok", "missed", "spurious"))
            exact = 2 * found / (2 * found + missed + spurious) if found else 0.0
            exact_differs += abs(exact - row["f1"]) > 0.005
        note = re.search(r'<p class="note" data-measure="official">(.*?)</p>', page)
        assert note, doc_id
        said = text_of(note.group(1))
        assert all(f"{layer}: {HEADLINES[layer]}" in said for layer in LAYERS), said
        assert "propos evaluate" in said and "exact match" in said
    # The exact-match measure the box used to show differs from the official one where the
    # official measure is not exact match (quotations: overlap and speaker entity).
    assert exact_differs > 0


def test_view_pred_box_of_a_document_missing_from_the_submission(tmp_path: Path) -> None:
    lines = CRF.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])["doc_id"]
    partial = tmp_path / "partial.jsonl"
    partial.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    site = tmp_path / "site"
    ok(propos("view", "--out", site, "--pred", partial))
    page = (site / "doc" / f"{first}.html").read_text(encoding="utf-8")
    assert "Not in the submission" in page
    gold = load_json(ROOT / "annotations" / "gold" / f"{first}.json")
    for layer, cells in score_box(page).items():
        assert cells["f1"] == "0.000" and cells["missed"] == str(len(gold[layer]))


# ------------------------------------------------------------------ cross-outlet pages


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("explorer")
    built = {}
    for mode in ("closest", "earliest"):
        built[mode] = folder / mode
        args = ["view", "--out", built[mode]]
        if mode == "earliest":
            args += ["--compare-with", "earliest"]
        result = ok(propos(*args))
        assert "statements across outlets" in result.stderr
    return built


def versions(page: str) -> list[dict[str, str]]:
    """Each version card: its document, quotation id, compared version and shown score."""
    found = []
    for attrs, body in re.findall(
        r'<div class="version[^"]*"( data-doc="[^"]*" data-quote="[^"]*"[^>]*)>'
        r"(.*?)</details></div>",
        page,
        flags=re.S,
    ):
        fields = dict(re.findall(r'data-(\w+)="([^"]*)"', attrs))
        scores = re.findall(r'<div class="vh">([^<]*)</div>', body)
        fields["score"] = html.unescape(scores[-1]) if scores else ""
        fields["quote_html"] = re.search(r"<blockquote>(.*?)</blockquote>", body, re.S).group(1)
        found.append(fields)
    return found


def quote_texts() -> dict[str, str]:
    texts = {}
    for path in (ROOT / "annotations" / "gold").glob("*.json"):
        gold = load_json(path)
        for quote in gold["quotes"]:
            texts[f"{gold['doc_id']}:{quote['id']}"] = quote["content"]["text"]
    return texts


def shared_pages(site: Path) -> list[tuple[Path, list[dict[str, str]]]]:
    pages = []
    for path in sorted((site / "utterance").glob("*.html")):
        cards = versions(path.read_text(encoding="utf-8"))
        if len({card["doc"] for card in cards}) >= 2:
            pages.append((path, cards))
    return pages


def test_each_version_is_compared_with_the_version_closest_to_it(sites: dict[str, Path]) -> None:
    texts = quote_texts()
    pages = shared_pages(sites["closest"])
    assert len(pages) == 12
    compared_with_other_than_first = 0
    for path, cards in pages:
        keys = [f"{card['doc']}:{card['quote']}" for card in cards]
        page = path.read_text(encoding="utf-8")
        assert "compared with the version it is closest to" in page
        for key, card in zip(keys, cards, strict=True):
            others = [other for other in keys if other != key]
            best = max(similarity(texts[other], texts[key]) for other in others)
            assert card["compared"] in others, (path.name, key)
            shown_score = similarity(texts[card["compared"]], texts[key])
            assert shown_score == best, (path.name, key, card["compared"])
            assert card["score"].startswith(f"{shown_score:.0%} of words shared with the closest")
            assert card["quote_html"] == diff_html(texts[card["compared"]], texts[key])
            compared_with_other_than_first += card["compared"] != keys[0]
    assert compared_with_other_than_first > 0


def test_earliest_compares_every_version_with_the_canonical_wording(
    sites: dict[str, Path],
) -> None:
    texts = quote_texts()
    documents = corpus_site(Corpus.at(ROOT)).documents
    for path, cards in shared_pages(sites["earliest"]):
        keys = [f"{card['doc']}:{card['quote']}" for card in cards]
        dates = [documents[card["doc"]].date or "9999" for card in cards]
        canonical = keys[min(range(len(keys)), key=lambda index: (dates[index], index))]
        page = path.read_text(encoding="utf-8")
        assert "compared with the canonical wording" in page
        for key, card in zip(keys, cards, strict=True):
            if key == canonical:
                assert "compared" not in card and card["score"] == "canonical wording"
            else:
                assert card["compared"] == canonical, (path.name, key)
                assert card["quote_html"] == diff_html(texts[canonical], texts[key])


def test_unknown_compare_with_is_a_usage_error(tmp_path: Path) -> None:
    result = propos("view", "--out", tmp_path / "site", "--compare-with", "newest")
    assert result.returncode == 2 and "Traceback" not in result.stderr, shown(result)
    assert not (tmp_path / "site").exists()


def test_quotation_marks_are_never_struck_through_or_added(sites: dict[str, Path]) -> None:
    """The pages say quotation marks are ignored: no <del> or <ins> holds only marks."""
    changes = 0
    for site in sites.values():
        for path in (site / "utterance").glob("*.html"):
            page = path.read_text(encoding="utf-8")
            for change in re.findall(r"<(?:del|ins)[^>]*>(.*?)</(?:del|ins)>", page, re.S):
                changes += 1
                assert text_of(change).strip(MARKS), (path.name, change)
    assert changes > 0
    # French guillemets against English quotation marks: the same words, nothing marked.
    french = "« Il n’y avait aucune animosité », a-t-il dit"
    english = '"Il n\'y avait aucune animosité", a-t-il dit'
    assert "<del" not in diff_html(english, french) and "<ins" not in diff_html(english, french)
    assert similarity(english, french) == 1.0
    assert diff_html("il a dit « bonjour » hier", "il a dit bonjour hier") == (
        "il a dit bonjour hier"
    )
