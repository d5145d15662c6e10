"""The fast paths of cleaning give exactly what the plain definitions give.

Each oracle below is the definition the cleaner used to run, one character at a time: the
line splitter, white-space collapsing with an offset per character, the offset map, the
furniture rules tried one by one. The fast code must agree with them on the real articles and
on inputs built to reach every branch (every kind of white space, marks, line breaks).
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propos import clean_rules, textnorm
from propos.clean import (
    KEY_PREFIX,
    NO_BREAK_SPACES,
    Line,
    clean_corpus,
    clean_text,
    compress_offsets,
    expand_offsets,
    frozen_hash,
    has_single_spaces,
    nfc_with_offsets,
    normalise_key,
    normalise_line,
    relative_posix,
    split_lines,
    without_positions,
)
from propos.collection import clean_collections
from propos.corpus import Corpus
from propos.errors import ProposError
from propos.fileio import dump_json, dump_json_bytes

from .conftest import ROOT, SEEDS

WHITE_SPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
# Letters, accents that compose and that do not, every white space, line breaks, a BOM.
LINE_SPACES = WHITE_SPACE.replace("\n", "").replace("\r", "")
LINE_ALPHABET = st.sampled_from(
    [*"ab é", "e\u0301", "\u0327", "\u0301", "\u00a0\u00a0", "  ", " \t ", "ß", "SS", "\ufeff",
     *LINE_SPACES]
)  # fmt: skip
TEXT_ALPHABET = st.one_of(LINE_ALPHABET, st.sampled_from(["\n", "\r", "\r\n", "\n\n"]))


def seed_texts() -> list[str]:
    return [path.read_text("utf-8") for path in sorted(SEEDS.glob("*.txt"))]


def seed_lines() -> list[str]:
    return [line for text in seed_texts() for line in re.split(r"\r\n|\r|\n", text)]


# ---------------------------------------------------------------- the oracles


def oracle_split_lines(text: str, first: int = 0) -> list[tuple[int, int, int | None]]:
    found: list[tuple[int, int, int | None]] = []
    start = first
    while start < len(text):
        end = start
        while end < len(text) and text[end] not in "\r\n":
            end += 1
        if end >= len(text):
            found.append((start, end, None))
            break
        newline_at = end + 1 if text.startswith("\r\n", end) else end
        found.append((start, end, newline_at))
        start = newline_at + 1
    return found


def oracle_collapse(chars: str, offsets: list[int]) -> tuple[str, list[int]]:
    out_chars: list[str] = []
    out_offsets: list[int] = []
    i = 0
    while i < len(chars):
        if not chars[i].isspace():
            out_chars.append(chars[i])
            out_offsets.append(offsets[i])
            i += 1
            continue
        j = i
        while j < len(chars) and chars[j].isspace():
            j += 1
        if i > 0 and j < len(chars):
            keep = next((k for k in range(i, j) if chars[k] in NO_BREAK_SPACES), None)
            out_chars.append(chars[keep] if keep is not None else " ")
            out_offsets.append(offsets[keep if keep is not None else i])
        i = j
    return "".join(out_chars), out_offsets


def oracle_normalise_line(source: str, start: int) -> tuple[str, list[int]]:
    text, offsets = nfc_with_offsets(source, list(range(start, start + len(source))))
    return oracle_collapse(text, offsets)


def oracle_runs(offsets: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for clean_index, raw_index in enumerate(offsets):
        if runs and runs[-1][1] + runs[-1][2] == raw_index:
            runs[-1][2] += 1
        else:
            runs.append([clean_index, raw_index, 1])
    return runs


# ---------------------------------------------------------------- lines and white space


def line_spans(text: str, first: int = 0) -> list[tuple[int, int, int | None]]:
    """split_lines as the oracle gives them: (start, end, the break's last character)."""
    spans: list[tuple[int, int, int | None]] = []
    start = first
    for line, width in zip(*split_lines(text, first), strict=True):
        end = start + len(line)
        assert text[start:end] == line
        spans.append((start, end, end + width - 1 if width else None))
        start = end + width
    return spans


@settings(max_examples=400, deadline=None)
@given(st.lists(TEXT_ALPHABET, max_size=40).map("".join), st.integers(0, 2))
def test_split_lines_agrees_with_the_character_loop(text: str, first: int) -> None:
    assert line_spans(text, first) == oracle_split_lines(text, first)


def test_split_lines_agrees_on_the_seeds_with_lf_and_with_crlf() -> None:
    for text in seed_texts():
        for variant in (text, text.replace("\n", "\r\n"), text.replace("\n", "\r")):
            assert line_spans(variant) == oracle_split_lines(variant)


@settings(max_examples=600, deadline=None)
@given(st.lists(LINE_ALPHABET, max_size=30).map("".join), st.integers(0, 50))
def test_a_normalised_line_and_its_runs_agree_with_the_character_loop(
    source: str, start: int
) -> None:
    expected_text, expected_offsets = oracle_normalise_line(source, start)
    for known_nfc in (False, True) if unicodedata.is_normalized("NFC", source) else (False,):
        text, runs = normalise_line(source, start, known_nfc)
        assert text == expected_text
        assert runs == oracle_runs(expected_offsets)


def test_every_white_space_character_collapses_as_the_loop_collapses_it() -> None:
    for space in WHITE_SPACE:
        for source in (f"a{space}b", f"a {space}b", f"{space}a{space}", f"a{space}\u00a0{space}b"):
            text, runs = normalise_line(source, 7)
            expected_text, expected_offsets = oracle_normalise_line(source, 7)
            assert (text, expand_offsets(runs)) == (expected_text, expected_offsets), source


def test_the_seed_lines_normalise_as_the_loop_normalises_them() -> None:
    lines = seed_lines()
    assert any("\u00a0" in line for line in lines)  # the slow path is exercised too
    for line in lines:
        text, runs = normalise_line(line, 3, unicodedata.is_normalized("NFC", line))
        expected_text, expected_offsets = oracle_normalise_line(line, 3)
        assert text == expected_text and runs == oracle_runs(expected_offsets)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE_ALPHABET, min_size=1, max_size=30).map("".join), st.data())
def test_deleting_positions_keeps_the_runs_of_the_characters_left(
    source: str, data: st.DataObject
) -> None:
    text, runs = normalise_line(source, 5)
    if not text:
        return
    dropped = sorted(set(data.draw(st.lists(st.integers(0, len(text) - 1), max_size=len(text)))))
    new_text, new_runs = without_positions(text, runs, dropped)
    kept_positions = [i for i in range(len(text)) if i not in set(dropped)]
    assert new_text == "".join(text[i] for i in kept_positions)
    offsets = expand_offsets(runs)
    assert new_runs == oracle_runs([offsets[i] for i in kept_positions])


def test_compress_offsets_is_the_run_oracle() -> None:
    offsets = [0, 1, 2, 2, 3, 9, 10, 4, 5, 5]
    assert compress_offsets(offsets) == oracle_runs(offsets)
    assert expand_offsets(compress_offsets(offsets)) == offsets


# ---------------------------------------------------------------- rules and keys


def rule_lines() -> list[str]:
    """The seed lines, plus every literal line the furniture and metadata tests use."""
    extra = [
        "Partagez", "Partager sur Facebook", "Share on X", "PRINT", "3 commentaires",
        "Publié le 16 juin 2021 à 17:04 Modifié le 16 juin 2021 à 20:04", "AFP", "AP",
        "date 2021-06 Temps de lecture estimé : 3 minutes", "date 2021-06-16",
        "Par Jean Dupont (AFP)", "Par", "Événements du 20 août 2016", "Fichier: a.jpg",
        "— Donald Trump, Président élu.", "Publicité", "pub", "{{ widget }}",
    ]  # fmt: skip
    return [line for line in seed_lines() if line.strip()] + extra


def test_the_furniture_alternation_names_the_first_rule_that_matches() -> None:
    for line_rules in (
        clean_rules.FURNITURE_RULES,
        clean_rules.FURNITURE_RULES + clean_rules.WIKINEWS_FURNITURE,
    ):
        pattern = clean_rules.furniture_pattern(line_rules)
        for line in rule_lines():
            expected = next((rule for rule in line_rules if rule.matches(line)), None)
            found = pattern.fullmatch(line)
            named = line_rules[int(found.lastgroup[1:])] if found and found.lastgroup else None
            assert named == expected, line


def test_the_line_screen_names_the_first_furniture_rule_else_metadata() -> None:
    """One scan a kept line: furniture first (case-insensitive), then the metadata screen."""
    for line_rules in (
        clean_rules.FURNITURE_RULES,
        clean_rules.FURNITURE_RULES + clean_rules.WIKINEWS_FURNITURE,
    ):
        screen = clean_rules.line_screen(line_rules)
        for line in [*rule_lines(), "AFP", "afp", "Par Jean Dupont", "PARTAGEZ"]:
            furniture = next((rule for rule in line_rules if rule.matches(line)), None)
            metadata = clean_rules.METADATA_SCREEN.fullmatch(line) is not None
            found = screen.fullmatch(line)
            if furniture is not None:
                assert found and found.lastgroup == f"r{line_rules.index(furniture)}", line
            elif metadata:
                assert found and found.lastgroup == "metadata", line
            else:
                assert found is None, line


def test_the_block_opener_screen_lets_through_every_opener_and_only_them() -> None:
    openers = (
        clean_rules.WEATHER_BANNER_OPENER,
        clean_rules.RELATED_BLOCK_OPENER,
        clean_rules.SHARE_BLOCK_OPENER,
    )
    lines = [
        *rule_lines(), "12 °C", "-3,5°F", "12 c", "Lire aussi", "VOIR AUSSI le reste",
        "Partager cet article :", "partager cet article", "Articles liés", "Sur le même sujet",
    ]  # fmt: skip
    opened = 0
    for line in lines:
        any_opener = any(opener.fullmatch(line) for opener in openers)
        assert (clean_rules.BLOCK_OPENERS_SCREEN.fullmatch(line) is not None) == any_opener, line
        opened += any_opener
    assert opened >= 8


def test_the_metadata_screen_rejects_only_lines_no_metadata_rule_matches() -> None:
    matched = 0
    for line in rule_lines():
        any_rule = any(rule.extract(line) is not None for rule in clean_rules.METADATA_RULES)
        assert (clean_rules.METADATA_SCREEN.fullmatch(line) is not None) == any_rule, line
        matched += any_rule
    assert matched >= 6


@pytest.mark.parametrize(
    "text",
    ["Sommet de Genève", "Straße und STRASSE", "a\u00a0b", " a", "a  b", "\u0130stanbul", "ǅ"],
)
def test_a_key_prefix_is_the_prefix_of_the_key(text: str) -> None:
    nfc = unicodedata.is_normalized("NFC", text)
    line = Line(1, text, text, [], None, nfc=nfc)
    key = normalise_key(text)
    assert line.key_prefix() == key[:KEY_PREFIX]
    assert line.comparison_key() == key
    assert has_single_spaces(text) == (" ".join(text.split()) == text and text.isprintable())


def test_repeats_that_differ_in_case_folding_and_lines_sharing_a_beginning() -> None:
    title = "La rencontre de Genève entre les deux présidents"
    shared = "Les deux présidents se sont retrouvés à Genève " + "pendant quatre heures"
    raw = (
        f"{title}\n\n{shared}, dit-on.\n\n{shared.upper()}, DIT-ON.\n\n"
        f"{shared} et la Maison-Blanche a publié un communiqué.\n\n"
        "Der Gruß der Straße blieb aus, écrit le journal.\n\n"
        "DER GRUSS DER STRASSE BLIEB AUS, ÉCRIT LE JOURNAL.\n\n"
        f"{title.upper()}\n"
    )
    report = clean_text(raw, "d", "d").document["report"]
    fired = {entry["line"]: entry["rule"] for entry in report}
    assert fired == {5: "repeated_paragraph", 11: "repeated_paragraph", 13: "repeated_title"}


def test_the_long_mark_screen_agrees_with_the_exact_pattern() -> None:
    marks = [chr(c) for c in range(0x300, 0x20000) if unicodedata.combining(chr(c))]
    exact = textnorm._long_run()
    starters_above = ["\u2019", "一", "\u0400"]  # at or above U+0300, yet starters
    for count in (29, 30, 31, 45):
        for filler in starters_above:
            for text in (
                "a" + "\u0301" * count,
                "a" + filler * 40 + "\u0301" * count + filler,
                "a" + "".join(marks[i % len(marks)] for i in range(count)) + "b",
                "a" + (filler + "\u0301" * 15) * 4,
            ):
                assert textnorm.has_long_mark_run(text) == (exact.search(text) is not None)


# ---------------------------------------------------------------- output bytes


def test_the_json_bytes_are_those_of_the_standard_encoder_on_every_cleaned_file() -> None:
    paths = sorted((ROOT / "corpus" / "clean").glob("*.json"))
    assert any(path.name.startswith("wn-") for path in paths) and len(paths) > 60
    for path in paths:
        document = json.loads(path.read_bytes())
        assert dump_json_bytes(document) == dump_json(document).encode("utf-8") == path.read_bytes()


def test_the_json_bytes_agree_on_every_character_and_on_empty_containers() -> None:
    characters = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    values = [
        {"text": characters, "nested": [[], {}, [{}], {"a": []}], "n": [0, -1, 10**20, True, None]},
        [],
        {},
        "",
        {'\u2028key"\\': ["\x00\x1f\x7f", "\u00a0\u202f"]},
    ]
    for value in values:
        assert dump_json_bytes(value) == dump_json(value).encode("utf-8")


# ---------------------------------------------------------------- the frozen-text check


def test_the_frozen_hash_is_read_wherever_the_field_stands(tmp_path: Path) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    late = {"doc_id": "a", "entities": [{"text": '"text_sha256": "no"'}] * 50, "text_sha256": "h1"}
    (gold / "a.json").write_text(json.dumps(late), "utf-8")
    (gold / "b.json").write_text(json.dumps(["text_sha256", "h2"]), "utf-8")
    (gold / "c.json").write_text(json.dumps({"doc_id": "c", "text_sha256": 5}), "utf-8")
    assert frozen_hash(gold, "a") == "h1"
    assert frozen_hash(gold, "b") is None  # not an object: nothing anchors the text
    assert frozen_hash(gold, "c") is None
    assert frozen_hash(gold, "missing") is None


def test_a_broken_gold_file_is_named_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"doc_id": "a",\n "text_sha256": "h1"', "utf-8")
    with pytest.raises(ProposError, match=r"a\.json:line 2 column \d+: invalid JSON"):
        frozen_hash(tmp_path, "a")


def test_a_cleaned_file_changed_in_place_is_rewritten_and_the_others_left(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in sorted((ROOT / "corpus" / "raw").glob("*.txt"))[:3]:
        (raw / path.name).write_bytes(path.read_bytes())
    out, gold = tmp_path / "clean", tmp_path / "gold"
    first = clean_corpus(raw, out, gold, tmp_path)
    assert len(first.written) == 3
    tampered = out / f"{first.written[1]}.json"
    expected = tampered.read_bytes()
    tampered.write_bytes(expected.replace(b'"text"', b'"TEXT"', 1))  # same size, other bytes
    again = clean_corpus(raw, out, gold, tmp_path)
    assert again.written == [first.written[1]]
    assert again.unchanged == [first.written[0], first.written[2]]
    assert tampered.read_bytes() == expected


SPACING_ALPHABET = st.sampled_from([*" ,.'’()l", "qu", "a", "\u00a0", "\n"])


@settings(max_examples=500, deadline=None)
@given(st.lists(SPACING_ALPHABET, max_size=14).map("".join))
def test_a_line_a_spacing_rule_matches_holds_one_of_its_literals(line: str) -> None:
    for rule in clean_rules.SPACING_RULES:
        if rule.compiled.search(line):
            assert any(literal in line for literal in rule.literals), (rule.name, line)


QUALITY_ALPHABET = st.sampled_from([*"AB' -–—x1", "XNUM", "THAW", " - ", "\u00a0"])


@settings(max_examples=500, deadline=None)
@given(st.lists(QUALITY_ALPHABET, max_size=16).map("".join))
def test_a_line_a_quality_pattern_matches_holds_one_of_its_literals(line: str) -> None:
    for name, pattern, _ in clean_rules.QUALITY_PATTERNS:
        literals = clean_rules.QUALITY_LITERALS.get(name, ("",))
        if pattern.search(line):
            assert any(literal in line for literal in literals), (name, line)


def test_the_wikinews_collection_cleans_to_its_pinned_hashes_with_every_spacing_rule(
    tmp_path: Path,
) -> None:
    """The screens let every rule through where it applies: the collection cleaned now gives
    the text hashes its manifest pins, and rewrites by all three spacing rules."""
    manifest = json.loads((ROOT / "corpus" / "collections" / "wikinews.json").read_bytes())
    run = clean_collections(Corpus.at(ROOT), tmp_path)
    assert sorted(run.written) == sorted(entry["doc_id"] for entry in manifest["documents"])
    rewrites = set()
    for entry in manifest["documents"]:
        document = json.loads((tmp_path / f"{entry['doc_id']}.json").read_bytes())
        assert document["text_sha256"] == entry["text_sha256"], entry["doc_id"]
        for line in document["report"]:
            rewrites.update(line["rule"].split("+")[1:] if line["action"] == "rewritten" else [])
    assert rewrites == {rule.name for rule in clean_rules.SPACING_RULES}


@pytest.mark.parametrize(
    ("path", "root"),
    [
        ("/a/b/corpus/raw/x.txt", "/a/b"),
        ("/a/b/corpus/raw/x.txt", "/a/b/"),
        ("corpus/raw/x.txt", "."),
        ("/other/x.txt", "/a/b"),
        ("/a/bc/x.txt", "/a/b"),  # a longer name, not a folder of the root
        ("/x/y.txt", "/"),
        ("rel/x.txt", "rel"),
        ("/a/b/x.txt", None),
    ],
)
def test_relative_posix_is_pathlibs_relative_to(path: str, root: str | None) -> None:
    expected = Path(path).as_posix()
    if root is not None:
        with contextlib.suppress(ValueError):
            expected = Path(path).relative_to(root).as_posix()
    assert relative_posix(Path(path), None if root is None else Path(root)) == expected
