"""Long lines without a space (letters, CJK, base64, accents) are cleaned right and in linear time.

The bounds are generous (the quadratic code took 220 s on 400,000 letters); the scaling figures
come from benchmark/reliability/long_lines.py, not from these tests.
"""

from __future__ import annotations

import base64
import cProfile
import importlib
import json
import pkgutil
import pstats
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import propos
from propos import clean_rules, importer, leaderboard, schema, textnorm
from propos.baselines import ner_spacy
from propos.clean import clean_text, expand_offsets
from propos.fileio import dump_json_bytes
from propos.sentences import sentence_spans
from propos.tokenize import MAX_RUN, tokenize

from .conftest import ROOT, ok

SIZES = (100_000, 400_000)
LINE_KINDS: dict[str, Callable[[int], str]] = {
    "letters": lambda n: "a" * n,
    "cjk": lambda n: "".join(chr(0x4E00 + i % 5000) for i in range(n)),
    "base64": lambda n: base64.b64encode(random.Random(n).randbytes(n)).decode()[:n],
    "xnum": lambda n: ("deXNUMux" * (n // 8 + 1))[:n],
}


def propos_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env_python = Path(sys.executable).parent / "propos"
    return subprocess.run(
        [str(env_python), *map(str, args)], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, dict]]:
    """Each kind of long line at each size, cleaned through `propos clean`, with its raw line."""
    raw = tmp_path_factory.mktemp("raw")
    out = tmp_path_factory.mktemp("clean")
    lines = {}
    for kind, make in LINE_KINDS.items():
        for size in SIZES:
            line = make(size)
            lines[f"{kind}-{size}"] = line
            (raw / f"long-{kind}-{size}.txt").write_text(f"Un titre\n\n{line}.\n", "utf-8")
    # An "a" carrying 100,000 accents: CPython's own normalisation is quadratic on it.
    marks = "a" + "\u0301\u0327" * 50_000
    lines["marks-100000"] = marks
    (raw / "long-marks-100000.txt").write_text(f"Un titre\n\n{marks}.\n", "utf-8")
    started = time.monotonic()
    ok(propos_cli("clean", "--root", ROOT, "--raw-dir", raw, "--out-dir", out, "--workers", "1"))
    elapsed = time.monotonic() - started
    # 9 files, 2.1 million characters: a few seconds; the quadratic code needed over 15 minutes.
    assert elapsed < 120, f"cleaning the long lines took {elapsed:.0f} s"
    return {
        name: (line, json.loads((out / f"long-{name}.json").read_text("utf-8")))
        for name, line in lines.items()
    }


@pytest.mark.parametrize("kind", sorted(LINE_KINDS))
@pytest.mark.parametrize("size", SIZES)
def test_a_long_line_is_kept_whole_and_maps_back(
    cleaned: dict[str, tuple[str, dict]], kind: str, size: int
) -> None:
    line, document = cleaned[f"{kind}-{size}"]
    raw = f"Un titre\n\n{line}.\n"
    assert document["text"] == f"Un titre\n\n{line}."
    assert [p["role"] for p in document["paragraphs"]] == ["title", "paragraph"]
    offsets = expand_offsets(document["offset_map"])
    assert len(offsets) == len(document["text"])
    assert all(raw[offsets[i]] == ch for i, ch in enumerate(document["text"]) if ch != "\n")
    flags = [flag for flag in document["quality_flags"] if flag["flag"] == "mt_number_placeholder"]
    if kind == "xnum":  # the whole word holding the placeholder, once
        assert [flag["evidence"] for flag in flags] == [line]
    else:
        assert flags == []


def test_a_letter_with_a_hundred_thousand_accents_is_normalised_stream_safe(
    cleaned: dict[str, tuple[str, dict]],
) -> None:
    line, document = cleaned["marks-100000"]
    paragraph = document["text"].split("\n\n")[1]
    # Runs of 30 marks are normalised alone (UAX #15): each puts its cedillas first, and the
    # first acute composes with the "a".
    assert paragraph == textnorm.normalize("NFC", line) + "."
    assert paragraph.startswith("\u00e1\u0327") and paragraph.count("\u0327") == 50_000
    assert len(expand_offsets(document["offset_map"])) == len(document["text"])


@pytest.mark.parametrize("kind", ["letters", "cjk", "base64", "elisions"])
def test_tokens_and_sentences_of_a_long_run_cover_it(kind: str) -> None:
    text = "l'" * 20_000 if kind == "elisions" else LINE_KINDS[kind](SIZES[-1])
    started = time.monotonic()
    tokens = tokenize(text)
    spans = sentence_spans(text)
    assert time.monotonic() - started < 30
    assert "".join(token.text for token in tokens) == text
    assert all(token.end - token.start <= MAX_RUN for token in tokens)
    assert spans == [(0, len(text))]


def test_the_articles_are_tokenised_exactly_as_spacy_does() -> None:
    import spacy

    spacy_tokenizer = spacy.blank("fr").tokenizer
    for path in sorted((ROOT / "corpus" / "clean").glob("*.json"))[:20]:
        text = json.loads(path.read_text("utf-8"))["text"]
        expected = [(t.idx, t.text) for t in spacy_tokenizer(text) if not t.is_space]
        assert [(t.start, t.text) for t in tokenize(text)] == expected, path.name


# ---------------------------------------------------------------- one long document, by counts


def profiled_calls(action: Callable[..., object], *arguments: object) -> int:
    """Python and built-in function calls made by ``action(*arguments)``: a count, so nothing
    can flake."""
    profiler = cProfile.Profile()
    profiler.enable()
    action(*arguments)
    profiler.disable()
    return pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def seed_paragraphs() -> list[str]:
    paragraphs = []
    for path in sorted((ROOT / "corpus" / "clean").glob("[0-9]*.json")):
        paragraphs.extend(json.loads(path.read_text("utf-8"))["text"].split("\n\n"))
    return [paragraph for paragraph in paragraphs if len(paragraph.split()) > 12]


def long_document(paragraphs: list[str], count: int) -> str:
    """``count`` distinct real paragraphs, every third with white space to collapse, and the
    furniture, repeated and spaced lines the rules remove or rewrite."""
    lines = ["Sommet de Genève : les deux présidents se rencontrent"]
    for index in range(count):
        paragraph = f"{paragraphs[index % len(paragraphs)]} ({index})"
        if index % 3 == 0:
            paragraph = paragraph.replace(" ", "  ", 2).replace(" ", "\t", 1) + " \u00a0!"
        lines.append(paragraph)
        if index % 50 == 0:
            lines.extend(["Partagez", "AFP", lines[-1], "Fillon , le 14 juin ( Drôme )."])
    return "\n\n".join(lines) + "\n"


def clean_and_encode(raw: str, profile: str) -> None:
    dump_json_bytes(clean_text(raw, "d", "d.txt", 0, profile).document)


@pytest.mark.parametrize("profile", sorted(clean_rules.PROFILES))
def test_a_long_document_costs_the_same_calls_for_every_paragraph(
    seed_paragraphs: list[str], profile: str
) -> None:
    """Four times the paragraphs, four times the calls: no step walks the paragraphs before it
    (assemble once measured the text for every line: 69 µs a paragraph at 1,000, 471 at 16,000)."""
    clean_and_encode(long_document(seed_paragraphs, 10), profile)  # compile the patterns
    small, large = (
        profiled_calls(clean_and_encode, long_document(seed_paragraphs, n), profile)
        for n in (1_000, 4_000)
    )
    assert 3.9 * small <= large <= 4.02 * small, (small, large)


def test_a_longer_line_costs_no_more_calls() -> None:
    """Collapsing white space, splitting lines, mapping offsets and writing JSON make no call per
    character: a paragraph fifty times as long costs the same calls."""

    def document(words: int) -> str:
        body = " ".join(f"mot{index % 97}" for index in range(words))
        return f"Un titre\r\n\r\nLe  sommet\t de Genève, {body} ,\u00a0fin .\n\nAFP\n"

    for profile in sorted(clean_rules.PROFILES):
        clean_and_encode(document(10), profile)
        short, long = (
            profiled_calls(clean_and_encode, document(words), profile) for words in (2_000, 100_000)
        )
        assert long == short, (profile, short, long)


# ---------------------------------------------------------------- every pattern, adversarially

# Patterns that their code only ever applies anchored at the start (fullmatch or match); all
# others are also scanned with finditer, which tries every position.
ANCHORED = (
    {
        pattern
        for rule in (*clean_rules.FURNITURE_RULES, *clean_rules.WIKINEWS_FURNITURE)
        for pattern in rule.patterns
    }
    | {rule.pattern for rule in clean_rules.METADATA_RULES}
    | {
        clean_rules.WEATHER_BANNER_OPENER.pattern,
        clean_rules.BANNER_DATE.pattern,
        clean_rules.RELATED_BLOCK_OPENER.pattern,
        clean_rules.ATTRIBUTION_LINE.pattern,
        clean_rules.SHARE_BLOCK_OPENER.pattern,
        clean_rules.BULLET_PREFIX.pattern,
        clean_rules.METADATA_SCREEN.pattern,
        clean_rules.BLOCK_OPENERS_SCREEN.pattern,
        importer.URL_FILE.pattern,  # on a file name
        leaderboard.LINKABLE_URL.pattern,
        ner_spacy._LEADING.pattern,
    }
)
SEEDS = (
    "a", "A", "1", ".", " ", "\n", "'", "’", "-", "—", "(", ")", "«", "»", '"', "X", "é", "一",
    "\u0301", "_", "{", ",", "/", ":", "°", "\u00a0", "l'", ". ", "a ", "1,", "a-", "XNUM", "aXNUM",
    "Par A", "Publié le x", "date 2016-01-01 ", "http://a", "{{ a", "— A", "1 °C ", "\n \n",
    ". A", "Mme. ", "!?", "qu’ ", "( a ", "a ,",
)  # fmt: skip
N = 20_000


def all_patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled pattern of the package, the cleaning rules' and the schemas'."""
    found: dict[str, re.Pattern[str]] = {}
    for module_info in pkgutil.walk_packages(propos.__path__, "propos."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found[f"{module_info.name}.{name}"] = value
    for rule in (*clean_rules.FURNITURE_RULES, *clean_rules.WIKINEWS_FURNITURE):
        for index, compiled in enumerate(rule.compiled):
            found[f"rule {rule.name}[{index}]"] = compiled
    for rule in (*clean_rules.METADATA_RULES, *clean_rules.SPACING_RULES):
        found[f"rule {rule.name}"] = rule.compiled
    for name, compiled, _ in clean_rules.QUALITY_PATTERNS:
        found[f"quality {name}"] = compiled
    for schema_name in schema.SCHEMA_FILES:
        text = json.dumps(schema.load_schema(schema_name))
        for index, pattern in enumerate(re.findall(r'"pattern": ("(?:[^"\\]|\\.)*")', text)):
            found[f"schema {schema_name} pattern {index}"] = re.compile(json.loads(pattern))
    return found


def scan_seconds(pattern: re.Pattern[str], text: str) -> float:
    started = time.perf_counter()
    if pattern.pattern in ANCHORED:
        pattern.fullmatch(text)
        pattern.match(text)
    else:
        for _ in pattern.finditer(text):
            pass
    return time.perf_counter() - started


def adversarial(seed: str, size: int) -> list[str]:
    return [(seed * (size // len(seed) + 1))[:size], seed + "x" * size + seed]


@pytest.mark.parametrize("name", sorted(all_patterns()))
def test_every_pattern_scans_long_input_in_linear_time(name: str) -> None:
    pattern = all_patterns()[name]
    for seed in SEEDS:
        for index, text in enumerate(adversarial(seed, N)):
            if scan_seconds(pattern, text) < 0.05:
                continue
            # Slow once may be a busy machine: quadratic means four times the time for twice
            # the input.
            half = scan_seconds(pattern, adversarial(seed, N // 2)[index])
            full = scan_seconds(pattern, text)
            assert full < 0.05 or full < 3 * half, (
                f"{name} /{pattern.pattern}/ on {seed!r} x {N}: {full:.2f} s, {half:.2f} s at"
                f" half the size"
            )


def test_the_pattern_sweep_catches_the_quadratic_patterns_it_replaced() -> None:
    """The two patterns this sweep exists for: it must fail them."""
    old_xnum = re.compile(r"\w*XNUM\w*")
    old_sentence_end = re.compile(r"(?P<end>[.!?…]+[»”\"]?)(?P<gap>[ ]+)(?=[A-Z])")
    assert scan_seconds(old_xnum, "a" * 20_000) > 4 * scan_seconds(old_xnum, "a" * 5_000)
    assert scan_seconds(old_sentence_end, "." * 4_000) > 4 * scan_seconds(
        old_sentence_end, "." * 1_000
    )


def test_the_sweep_sees_the_rules_and_the_modules() -> None:
    names = all_patterns()
    assert "quality mt_number_placeholder" in names and "propos.sentences.SENTENCE_END" in names
    assert any(name.startswith("schema ") for name in names)
    assert len(names) > 50  # every rule of clean_rules is in the table
