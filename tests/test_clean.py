"""Cleaning: every rule on real lines from the seeds, the offset map, the corpus stage."""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from propos.clean import clean_corpus, clean_file, clean_text, expand_offsets
from propos.cli import app
from propos.errors import ProposError
from propos.fileio import read_json, write_json

from .conftest import ALL_DOC_IDS, DOC_IDS, ROOT, SEEDS

runner = CliRunner()

# A real title and a real paragraph from the seeds, around which a furniture line is set.
TITLE = "Biden-Poutine : échange d'ambassadeurs et concertation sur la cybersécurité"
BODY = (
    "Les deux présidents sont d'accord le retour des ambassadeurs aux États-Unis et en Russie. "
    "Les diplomates avaient été retirés de Moscou et de Washington suite aux tensions."
)


def rules_fired(raw: str) -> dict[str, str]:
    result = clean_text(raw, "doc", "doc.txt")
    return {entry["text"].strip(): entry["rule"] for entry in result.document["report"]}


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Partagez", "share_button"),
        ("À la Une du Soir.be", "front_page_promo"),
        ("À découvrir sur Le Soir +", "front_page_promo"),
        ("Vos réactions", "comment_furniture"),
        ("Règles de bonne conduite / Un commentaire abusif? Alertez-nous", "comment_furniture"),
        ("LEAVE A REPLY", "comment_furniture_en"),
        ("Please enter your comment!", "comment_furniture_en"),
        ("Please enter your name here", "comment_furniture_en"),
        ("Download The App:", "app_banner_en"),
        ("Read in English", "language_switch_en"),
        ("- Advertisement -spot_img", "advertisement_en"),
        ("spot_img", "template_placeholder"),
        ("Doit Lire", "related_links"),
        ("Plus D'Articles", "related_links"),
        ("Dernières Nouvelles", "related_links"),
        ("Passez en revue", "related_links"),
        ("AFP", "agency_credit"),
        ("Publié le 16 juin 2021 à 17:04 Modifié le 16 juin 2021 à 20:04", "dateline"),
        (" date 2021-06 Temps de lecture estimé : 3 minutes", "date_stamp_reading_time"),
    ],
)
def test_furniture_and_metadata_rules_on_real_lines(line: str, rule: str) -> None:
    raw = f"{TITLE}\n\n{line}\n\n{BODY}\n"
    assert rules_fired(raw)[line.strip()] == rule
    assert line.strip() not in clean_text(raw, "doc", "doc.txt").document["text"]


def test_dateline_is_parsed_into_metadata() -> None:
    raw = f"{TITLE}\n\nPublié le 16 juin 2021 à 17:04 Modifié le 16 juin 2021 à 20:04\n\n{BODY}"
    metadata = clean_text(raw, "doc", "doc.txt").document["metadata"]
    assert metadata["published"] == "16 juin 2021 à 17:04"
    assert metadata["modified"] == "16 juin 2021 à 20:04"


def test_reading_time_and_date_stamp_are_metadata() -> None:
    raw = f" date 2021-06 Temps de lecture estimé : 3 minutes\n\n{BODY}"
    metadata = clean_text(raw, "doc", "doc.txt").document["metadata"]
    assert metadata == {"date_stamp": "2021-06", "reading_time": "3 minutes"}


def test_weather_banner_date_is_a_scrape_date_not_a_publication_date() -> None:
    raw = f"28.1 C\nPort Louis\nTuesday, May 14, 2024\n\n{TITLE}\n\n{BODY}"
    document = clean_text(raw, "doc", "doc.txt").document
    assert document["metadata"]["scrape_date"] == "Tuesday, May 14, 2024"
    assert "published" not in document["metadata"]
    assert "Port Louis" not in document["text"]
    assert document["text"].startswith(TITLE)


def test_repeated_title_summary_bullet_and_repeated_paragraph() -> None:
    raw = (SEEDS / "001_d86c8409a0c5958b.txt").read_text(encoding="utf-8")
    fired = {entry["line"]: entry["rule"] for entry in clean_text(raw, "d", "d").document["report"]}
    assert fired[5] == "title_summary_bullet"
    assert fired[9] == "repeated_paragraph"  # differs from line 7 by one trailing space
    title = raw.splitlines()[0]
    raw_000 = (SEEDS / "000_5637744c8eac245a.txt").read_text(encoding="utf-8")
    fired_000 = {e["line"]: e["rule"] for e in clean_text(raw_000, "d", "d").document["report"]}
    assert fired_000[3] == "repeated_title"
    assert clean_text(raw, "d", "d").document["text"].count(title) == 1


def test_trailing_furniture_heuristic_removes_short_lines_after_the_last_prose() -> None:
    raw = f"{TITLE}\n\n{BODY}\n\nNewsletter\n\nNos podcasts\n\nSuivez-nous"
    document = clean_text(raw, "doc", "doc.txt").document
    assert document["text"] == f"{TITLE}\n\n{BODY}"
    rules = {entry["rule"] for entry in document["report"]}
    assert rules == {"trailing_furniture"}


def test_whitespace_only_line_with_no_break_spaces_is_blank() -> None:
    raw = f"{TITLE}\n\n{BODY}\n\u00a0\n\u00a0\n\n{BODY} Encore."
    document = clean_text(raw, "doc", "doc.txt").document
    assert "\u00a0\n" not in document["text"]
    assert [e["rule"] for e in document["report"]] == ["blank_line", "blank_line"]


def test_quality_flags_on_real_lines() -> None:
    raw = (
        "Poutine Qualifie Le Sommet Avec Biden “Assez Constructif”\n\nTHAW TESTS - Le premier "
        "face-à-face entre Joe Biden et Vladimir Poutine a duré 2hXNUMX - Le président russe\n\n"
        "Read in English\n\n« Les discussions ont été assez constructives."
    )
    flags = {
        flag["flag"]: flag["evidence"]
        for flag in clean_text(raw, "d", "d").document["quality_flags"]
    }
    assert flags["mt_number_placeholder"] == "2hXNUMX"
    assert flags["english_kicker"] == "THAW TESTS"
    assert flags["english_furniture"] == "Read in English"
    assert flags["title_case_headline"].startswith("Poutine Qualifie")
    assert "unbalanced_guillemets" in flags


def test_every_placeholder_of_a_line_is_flagged_in_order() -> None:
    """The scan of a line starts from its first match: none before it, none after it, lost."""
    raw = f"{TITLE}\n\nLe sommet a duré 2hXNUMX, puis XNUMmin de plus et enfin XNUM2 heures."
    flags = clean_text(raw, "d", "d").document["quality_flags"]
    evidence = [flag["evidence"] for flag in flags if flag["flag"] == "mt_number_placeholder"]
    assert evidence == ["2hXNUMX", "XNUMmin", "XNUM2"]


def test_french_upper_case_kicker_is_not_flagged_english() -> None:
    raw = f"{TITLE}\n\nDIPLOMATIE - {BODY}"
    flags = clean_text(raw, "d", "d").document["quality_flags"]
    assert flags == []


def test_typography_is_kept_and_spaces_collapse() -> None:
    raw = f"{TITLE}\n\n« Il n’y avait  aucune\tanimosité\u00a0», a-t-il dit.  \n"
    text = clean_text(raw, "d", "d").document["text"]
    assert text.endswith("« Il n’y avait aucune animosité\u00a0», a-t-il dit.")


# ---------------------------------------------------------------- the five articles

KEPT_RAW_LINES = {
    "000_5637744c8eac245a": [1, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30],
    "001_d86c8409a0c5958b": [1, 7, 12, 15, 18, 20, 23, 25],
    "002_6b5d0b1d5408cf43": [3, 5, 9, 11, 13, 15],
    "003_a5c7406991160b2b": [3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31],
    "004_7d1862074b0c649d": [11, 15, 17, 19, 21, 23, 25, 27, 29],
}


def collapse(line: str) -> str:
    """A white-space run becomes its no-break space if it has one, else one space."""
    return re.sub(r"\s+", lambda run: "\u00a0" if "\u00a0" in run.group() else " ", line).strip()


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_seed_cleans_to_exactly_the_article_content(doc_id: str) -> None:
    path = ROOT / "corpus" / "raw" / f"{doc_id}.txt"
    raw_lines = path.read_text(encoding="utf-8").split("\n")
    document = clean_file(path, ROOT)
    expected = [collapse(raw_lines[n - 1]) for n in KEPT_RAW_LINES[doc_id]]
    assert document["text"].split("\n\n") == expected


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_committed_clean_files_are_up_to_date(doc_id: str) -> None:
    committed = read_json(ROOT / "corpus" / "clean" / f"{doc_id}.json")
    assert clean_file(ROOT / "corpus" / "raw" / f"{doc_id}.txt", ROOT) == committed


def test_raw_corpus_is_byte_identical_to_the_seeds() -> None:
    for seed in SEEDS.glob("*.txt"):
        assert (ROOT / "corpus" / "raw" / seed.name).read_bytes() == seed.read_bytes()


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_offset_map_sends_each_character_to_the_same_raw_character(doc_id: str) -> None:
    path = ROOT / "corpus" / "raw" / f"{doc_id}.txt"
    raw = path.read_text(encoding="utf-8")
    document = clean_file(path, ROOT)
    offsets = expand_offsets(document["offset_map"])
    assert len(offsets) == len(document["text"])
    for char, offset in zip(document["text"], offsets, strict=True):
        assert char == raw[offset] or (char.isspace() and raw[offset].isspace())


# ---------------------------------------------------------------- properties

RAW_ALPHABET = st.sampled_from(
    [
        *"abcAZé ",
        "e\u0301",
        "\u0301",
        "\u00a0",
        "\t",
        "\n",
        "\r\n",
        "\r",
        "«",
        "»",
        "’",
        "\u212b",
        "\u1100\u1161",
        "  ",
        ".",
        "Ω",
        "\U0001f600",
        "\ufeff",
    ]
)


def same_after_normalisation(clean_char: str, raw_char: str) -> bool:
    if clean_char.isspace():
        return raw_char.isspace()
    return unicodedata.normalize("NFD", clean_char)[0] in unicodedata.normalize("NFD", raw_char)


@settings(max_examples=300, deadline=None)
@given(st.lists(RAW_ALPHABET, min_size=1, max_size=60).map("".join))
def test_offset_map_property(raw: str) -> None:
    try:
        document = clean_text(raw, "doc", "doc.txt").document
    except ProposError:
        assume(False)
        return
    offsets = expand_offsets(document["offset_map"])
    assert len(offsets) == len(document["text"])
    for char, offset in zip(document["text"], offsets, strict=True):
        assert same_after_normalisation(char, raw[offset]), (char, raw[offset])
    assert unicodedata.is_normalized("NFC", document["text"])


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_cleaning_is_idempotent(doc_id: str, clean_docs: dict) -> None:
    text = clean_docs[doc_id]["text"]
    assert clean_text(text, doc_id, doc_id).document["text"] == text


def test_two_runs_write_identical_bytes(tmp_path: Path) -> None:
    for name in ("one", "two"):
        run = clean_corpus(ROOT / "corpus" / "raw", tmp_path / name, tmp_path / "gold", ROOT)
        assert len(run.written) == len(DOC_IDS)
    for doc_id in DOC_IDS:
        first = (tmp_path / "one" / f"{doc_id}.json").read_bytes()
        assert first == (tmp_path / "two" / f"{doc_id}.json").read_bytes()


# ---------------------------------------------------------------- frozen text and bad input


def test_clean_refuses_to_change_annotated_text_unless_forced(project: Path) -> None:
    doc_id = DOC_IDS[0]
    clean_path = project / "corpus" / "clean" / f"{doc_id}.json"
    before = clean_path.read_bytes()
    gold = project / "annotations" / "gold"
    gold.mkdir(parents=True, exist_ok=True)
    write_json(
        gold / f"{doc_id}.json",
        {"doc_id": doc_id, "text_sha256": read_json(clean_path)["text_sha256"]},
    )
    raw = project / "corpus" / "raw" / f"{doc_id}.txt"
    raw.write_text(
        raw.read_text(encoding="utf-8").replace("animosité", "hostilité"), encoding="utf-8"
    )

    result = runner.invoke(app, ["clean", "--root", str(project)])
    assert result.exit_code == 1
    assert doc_id in result.stderr and "--force" in result.stderr
    assert "Traceback" not in result.stderr
    assert clean_path.read_bytes() == before

    forced = runner.invoke(app, ["clean", "--root", str(project), "--force"])
    assert forced.exit_code == 0, forced.stderr
    assert "hostilité" in read_json(clean_path)["text"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Titre\n\nUn paragraphe \xe9crit en Latin-1.\n", "not UTF-8"),
        (b"", "empty file"),
        (b"  \n\n", "empty file"),
        ("Partagez\n\nVos réactions\n\nLEAVE A REPLY\n".encode(), "nothing left after cleaning"),
    ],
)
def test_bad_raw_file_is_reported_and_others_still_processed(
    project: Path, content: bytes, message: str
) -> None:
    bad = project / "corpus" / "raw" / "zzz_bad.txt"
    bad.write_bytes(content)
    for existing in (project / "corpus" / "clean").glob("*.json"):
        existing.unlink()
    result = runner.invoke(app, ["clean", "--root", str(project)])
    assert result.exit_code == 1
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1
    assert "zzz_bad.txt" in error_lines[0] and message in error_lines[0]
    assert "Traceback" not in result.stderr
    assert sorted(p.stem for p in (project / "corpus" / "clean").glob("*.json")) == ALL_DOC_IDS


def test_bom_and_crlf_are_handled_and_recorded(tmp_path: Path) -> None:
    seed = (SEEDS / "000_5637744c8eac245a.txt").read_text(encoding="utf-8")
    variant = tmp_path / "000_bom_crlf.txt"
    variant.write_bytes(b"\xef\xbb\xbf" + seed.replace("\n", "\r\n").encode("utf-8"))
    document = clean_file(variant)
    original = clean_file(SEEDS / "000_5637744c8eac245a.txt")
    assert document["text"] == original["text"]
    assert document["source"]["bom"] is True
    assert document["source"]["line_endings"] == "CRLF"
    raw = variant.read_bytes().decode("utf-8")
    offsets = expand_offsets(document["offset_map"])
    for char, offset in zip(document["text"], offsets, strict=True):
        assert char == raw[offset] or (char.isspace() and raw[offset].isspace())


def test_html_page_is_extracted_then_cleaned() -> None:
    document = clean_file(ROOT / "tests" / "fixtures" / "article.html")
    paragraphs = document["text"].split("\n\n")
    assert paragraphs[0] == "Sommet de Genève : Poutine salue une rencontre « constructive »"
    assert "Retour des ambassadeurs" in paragraphs
    assert [p["role"] for p in document["paragraphs"]][:4] == [
        "title",
        "paragraph",
        "paragraph",
        "subheading",
    ]
    for furniture in ("Accueil", "Partagez", "Lire aussi", "Mentions légales", "Cornouailles"):
        assert furniture not in document["text"]
    assert document["metadata"]["page_author"] == "Claire Martin"
    assert document["metadata"]["page_date"] == "2021-06-16"
    assert document["source"]["format"] == "html"
    extracted = document["source"]["extracted_text"]
    offsets = expand_offsets(document["offset_map"])
    for char, offset in zip(document["text"], offsets, strict=True):
        assert char == extracted[offset] or (char.isspace() and extracted[offset].isspace())


def test_a_changed_wikinews_source_is_refused_naming_the_article(tmp_path: Path) -> None:
    """The texts stay in the external corpus; a source that changed is refused, not re-anchored."""
    manifest = json.loads((ROOT / "corpus/collections/wikinews.json").read_text(encoding="utf-8"))
    shared = ROOT.parent / "shared" / "external" / "winer-fr"
    external = tmp_path / "shared" / "external" / "winer-fr"
    for entry in manifest["documents"]:
        target = external / entry["source_file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shared / entry["source_file"], target)
    changed = manifest["documents"][3]
    source = external / changed["source_file"]
    source.write_text(source.read_text(encoding="utf-8").replace("2016", "2017", 1), "utf-8")
    root = tmp_path / "project"
    for folder in ("corpus/raw", "corpus/collections", "annotations/gold"):
        shutil.copytree(ROOT / folder, root / folder)
    result = runner.invoke(app, ["clean", "--root", str(root)])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert changed["doc_id"] in errors[0] and changed["title"] in errors[0]
    assert "changed since it was registered" in errors[0]
    assert not (root / "corpus" / "clean" / f"{changed['doc_id']}.json").exists()
    written = sorted(p.stem for p in (root / "corpus" / "clean").glob("wn-*.json"))
    assert len(written) == len(manifest["documents"]) - 1


def test_a_new_output_folder_is_the_staging_folder_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, gold = ROOT / "corpus" / "raw", ROOT / "annotations" / "gold"
    new, existing = tmp_path / "new", tmp_path / "existing"
    existing.mkdir()
    (existing / "notes.txt").write_text("kept", encoding="utf-8")
    replaced: list[str] = []
    replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (replaced.append(str(b)), replace(a, b)))
    into_new = clean_corpus(raw, new, gold, ROOT)
    assert replaced == []  # one rename of the folder, no file renamed
    into_existing = clean_corpus(raw, existing, gold, ROOT)
    assert len(replaced) == len(into_existing.written) == len(into_new.written) == 5

    def written(folder: Path) -> dict[str, bytes]:
        return {path.name: path.read_bytes() for path in folder.glob("*.json")}

    committed = ROOT / "corpus" / "clean"
    assert written(new) == written(existing)
    assert written(new) == {name: (committed / name).read_bytes() for name in written(new)}
    assert (existing / "notes.txt").read_text(encoding="utf-8") == "kept"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["existing", "new"]
