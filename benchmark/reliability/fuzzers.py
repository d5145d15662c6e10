"""Fuzzers over every entry point of Propos that reads outside input.

Each fuzzer mutates real files (the landed gold, the baseline submissions, brat and Label Studio
exports of the gold, WiNER-fr brat documents, the raw press articles) and hands the result to
the library function the command calls. An input may be accepted or refused; it must never

- crash: any exception but ProposError/OSError (which the command turns into one `error:` line);
- hang: take longer than :func:`time_bound` of its size (linear in the input);
- be wrongly accepted: an importer's output, or a cleaned document, that validation refuses; an
  annotation or submission that ``propos validate`` passes but the JSON Schema refuses.

``tests/test_fuzz.py`` runs these with a few examples each (and a few through the real
``propos`` console script); ``benchmark/reliability/fuzz.py`` runs them at a larger count and
writes benchmark/RELIABILITY.md.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from propos import schema
from propos.corpus import Corpus
from propos.errors import ProposError

ROOT = Path(__file__).resolve().parents[2]
PROPOS = Path(sys.executable).with_name("propos")
WINER = ROOT.parent / "shared" / "external" / "winer-fr"
SEED_GOLD = (
    "000_5637744c8eac245a",
    "003_a5c7406991160b2b",
    "wn-2016_05_26-002",
    "wn-2016_07_14-001",
    "wn-2016_10_13-004",
)
WINER_SEEDS = 4
FIXED_SECONDS = 5.0
SECONDS_PER_BYTE = 50e-6
COMMAND_STARTUP_SECONDS = 20.0
COMMAND_ENV = {
    **{key: value for key, value in os.environ.items() if key != "PYTHONPATH"},
    "PYTHONPATH": str(ROOT / "src"),  # this checkout's code, even in a worktree
    "COLUMNS": "200",
    "NO_COLOR": "1",
}


def time_bound(size: int) -> float:
    """The longest an input of ``size`` bytes may take: linear in its size."""
    return FIXED_SECONDS + SECONDS_PER_BYTE * size


class Hang(AssertionError):
    pass


class WronglyAccepted(AssertionError):
    pass


@dataclass
class Tally:
    """What happened to the inputs of one entry point (for the report)."""

    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def tried(self) -> int:
        return sum(self.outcomes.values())


TALLIES: dict[str, Tally] = {}


def record(entry: str, outcome: str) -> None:
    TALLIES.setdefault(entry, Tally()).outcomes[outcome] += 1


def bounded(
    entry: str, size: int, call: Callable[[], Any], accepts: Callable[[Any], bool] = bool
) -> Any:
    """Run ``call``: a ProposError or OSError is a refusal (None is returned), any other exception
    propagates (a crash), and a run over the time bound raises Hang. ``accepts`` tells a result
    that accepts the input from one that lists its problems (both are counted)."""
    start = time.perf_counter()
    try:
        result = call()
        outcome = "accepted" if accepts(result) else "refused"
    except (ProposError, OSError):
        result, outcome = None, "refused"
    except BaseException:
        record(entry, "crash")
        raise
    elapsed = time.perf_counter() - start
    if elapsed > time_bound(size):
        record(entry, "hang")
        raise Hang(f"{entry}: {elapsed:.1f} s for {size} bytes (bound {time_bound(size):.1f} s)")
    record(entry, outcome)
    return result


def wrongly_accepted(entry: str, message: str) -> WronglyAccepted:
    record(entry, "wrongly accepted")
    return WronglyAccepted(f"{entry}: {message}")


# ---------------------------------------------------------------- seeds (real files)


@cache
def corpus() -> Corpus:
    return Corpus.at(ROOT)


@cache
def gold_values() -> list[dict[str, Any]]:
    return [
        json.loads((corpus().gold_dir / f"{doc_id}.json").read_text(encoding="utf-8"))
        for doc_id in SEED_GOLD
    ]


@cache
def clean_values() -> list[dict[str, Any]]:
    return [
        json.loads(corpus().clean_path(doc_id).read_text(encoding="utf-8")) for doc_id in SEED_GOLD
    ]


@cache
def inventory_value() -> Any:
    return json.loads(corpus().inventory_file.read_text(encoding="utf-8"))


@cache
def inventory_bytes() -> bytes:
    """The corpus inventory, copied beside an import's output so that validation finds it."""
    return corpus().inventory_file.read_bytes()


@cache
def submission_lines() -> dict[str, list[bytes]]:
    return {
        folder.name: (folder / "predictions.jsonl").read_bytes().splitlines(keepends=True)
        for folder in sorted(corpus().submissions_dir.iterdir())
        if (folder / "predictions.jsonl").is_file()
    }


@cache
def submission_meta() -> dict[str, Any]:
    return {
        name: json.loads((corpus().submissions_dir / name / "meta.json").read_text("utf-8"))
        for name in submission_lines()
    }


@cache
def clean_text_of(doc_id: str) -> str:
    from propos.interchange import load_clean_text

    return load_clean_text(corpus().clean_dir, doc_id)


@cache
def brat_seeds() -> list[tuple[str, str, str]]:
    """(doc_id, .txt, .ann) of gold documents, as `propos convert to-brat` writes them."""
    from propos.interchange.brat import annotation_to_ann

    return [
        (value["doc_id"], clean_text_of(value["doc_id"]),
         annotation_to_ann(value, clean_text_of(value["doc_id"])))
        for value in gold_values()
    ]  # fmt: skip


@cache
def winer_seeds() -> list[tuple[str, bytes, bytes]]:
    """(doc_id, .txt bytes, .ann bytes) of a few WiNER-fr documents (read, never copied)."""
    pairs = []
    for text_path in sorted(WINER.rglob("*.txt")):
        ann_path = text_path.with_suffix(".ann")
        if ann_path.is_file() and len(pairs) < WINER_SEEDS:
            pairs.append((text_path.stem, text_path.read_bytes(), ann_path.read_bytes()))
    return pairs


@cache
def labelstudio_seeds() -> list[dict[str, Any]]:
    """Tasks as `propos convert to-labelstudio` writes them."""
    from propos.interchange.labelstudio import annotation_to_task

    return [annotation_to_task(value, clean_text_of(value["doc_id"])) for value in gold_values()]


@cache
def raw_seeds() -> list[tuple[str, bytes]]:
    return [(path.stem, path.read_bytes()) for path in sorted(corpus().raw_dir.glob("*.txt"))]


@cache
def test_gold() -> Any:
    from propos.evaluation import gold_from_corpus

    return gold_from_corpus(corpus(), "test")


# ---------------------------------------------------------------- mutations

HOSTILE_STRINGS = [
    "", " ", "T1", "E-x", "\ud800", "\udfff x", "\x00", "\u2028", "\u202e", "a\nb", "«", "»",
    '"', "é" * 3, "🇫🇷", "\ufeff", "\r\n", "x" * 300, "Contact:Meet", "PER", "direct", "../x",
]  # fmt: skip
HOSTILE_NAMES = ["a b", "é", "-x", "x" * 140, "a;b", "a'b", "Ünï", "a.b.c", "_x", "x\u202e"]


def hostile_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.sampled_from(HOSTILE_STRINGS),
        st.sampled_from([None, True, False, 0, -1, 1, 2**63, -(2**70), 1.5, 1e308]),
        st.text(max_size=12),
        st.integers(-5, 5000),
    )
    return st.one_of(
        st.lists(scalars, max_size=3),
        scalars,
        st.dictionaries(st.sampled_from(["a", "id", "start", "text"]), scalars, max_size=2),
    )


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _parent(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        value = value[part]
    return value


@st.composite
def mutated_value(draw: st.DrawFn, seed: Any) -> Any:
    """``seed`` with one to three nodes replaced, deleted, duplicated or nudged."""
    value = copy.deepcopy(seed)
    for _ in range(draw(st.integers(1, 3))):
        paths = [path for path in _paths(value) if path]
        if not paths:
            return draw(hostile_values())
        # A field name first, then one of its places: every kind of field is hit as often,
        # whether the document has one of it (doc_id) or hundreds (start).
        by_field: dict[str, list[tuple[Any, ...]]] = {}
        for path in paths:
            by_field.setdefault(str(path[-1]) if isinstance(path[-1], str) else "[]", []).append(
                path
            )
        path = draw(st.sampled_from(by_field[draw(st.sampled_from(sorted(by_field)))]))
        parent, key = _parent(value, path), path[-1]
        old = parent[key]
        operation = draw(
            st.sampled_from(["replace", "replace", "delete", "duplicate", "nudge", "swap"])
        )
        if operation == "replace":
            parent[key] = draw(hostile_values())
        elif operation == "delete":
            del parent[key]
        elif operation == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(old))
        elif operation == "nudge" and type(old) is int:
            parent[key] = old + draw(st.integers(-3, 3))
        elif operation == "nudge" and isinstance(old, str) and old:
            cut = draw(st.integers(0, len(old)))
            parent[key] = old[:cut] + draw(st.sampled_from(HOSTILE_STRINGS)) + old[cut:]
        elif operation == "swap":
            other = draw(st.sampled_from(paths))
            with contextlib.suppress(KeyError, IndexError, TypeError):
                parent[key] = copy.deepcopy(_parent(value, other)[other[-1]])
    return value


def encode(value: Any, ascii_escapes: bool) -> bytes:
    """JSON bytes; a lone surrogate becomes a \\ud800 escape or an invalid UTF-8 sequence."""
    return json.dumps(value, ensure_ascii=ascii_escapes).encode("utf-8", "surrogatepass")


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with one to three byte-level edits (invalid UTF-8, truncation, repetition)."""
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(data)))
        operation = draw(st.sampled_from(["insert", "delete", "truncate", "repeat", "flip"]))
        if operation == "insert":
            junk = draw(
                st.one_of(
                    st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\r", b"\t"]),
                    st.binary(max_size=6),
                )
            )
            data = data[:position] + junk + data[position:]
        elif operation == "delete":
            data = data[:position] + data[position + draw(st.integers(1, 40)) :]
        elif operation == "truncate":
            data = data[:position]
        elif operation == "repeat":
            data = data[:position] + data[position : position + 60] * draw(st.integers(2, 50))
        elif data:
            index = min(position, len(data) - 1)
            data = (
                data[:index] + bytes([data[index] ^ draw(st.integers(1, 255))]) + data[index + 1 :]
            )
    return data


@st.composite
def mutated_json(draw: st.DrawFn, seeds: list[Any]) -> bytes:
    seed = draw(st.sampled_from(seeds))
    if draw(st.integers(0, 4)) == 0:
        return draw(mutated_bytes(encode(seed, False)))
    return encode(draw(mutated_value(seed)), draw(st.booleans()))


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> str:
    """A line-based text with lines dropped, repeated or cut, odd characters inserted."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 3))):
        lines = lines or [""]
        index = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["drop", "repeat", "insert", "cut", "tab", "token"]))
        if operation == "drop":
            del lines[index]
        elif operation == "repeat":
            lines.insert(index, lines[index])
        elif operation == "insert":
            line = lines[index]
            cut = draw(st.integers(0, len(line)))
            lines[index] = line[:cut] + draw(st.sampled_from(HOSTILE_STRINGS)) + line[cut:]
        elif operation == "cut":
            lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
        elif operation == "tab":
            lines[index] = lines[index].replace(" ", "\t", 1)
        else:  # a word of the line replaced by a word of the file: still parses, means otherwise
            parts = re.split(r"([\t ])", lines[index])
            vocabulary = sorted({word for line in lines for word in re.split(r"[\t ]", line)})
            parts[2 * draw(st.integers(0, len(parts) // 2))] = draw(st.sampled_from(vocabulary))
            lines[index] = "".join(parts)
    return "\n".join(lines)


def text_bytes(draw: st.DrawFn, text: str) -> bytes:
    """A mutated text as bytes: lines edited, then sometimes byte-level damage."""
    data = draw(mutated_text(text)).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 3)) == 0:
        data = draw(mutated_bytes(data))
    return data


def file_stem(draw: st.DrawFn, stem: str) -> str:
    return draw(st.sampled_from(HOSTILE_NAMES)) if draw(st.integers(0, 5)) == 0 else stem


# ---------------------------------------------------------------- inputs


@dataclass
class Input:
    """Files to write into a fresh folder (relative path -> bytes) and what to run on them."""

    files: dict[str, bytes]
    main: str  # the file or folder the command is given

    @property
    def size(self) -> int:
        return sum(len(data) for data in self.files.values())

    def write(self, folder: Path) -> Path:
        for name, data in self.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return folder / self.main


@st.composite
def annotation_inputs(draw: st.DrawFn) -> Input:
    """What `propos validate` reads: annotation files mostly, else the inventory, a cleaned
    document or a submission."""
    kind = draw(st.sampled_from(["annotation"] * 5 + ["inventory", "clean", "submission"]))
    if kind == "inventory":
        return Input({"inventory.json": draw(mutated_json([inventory_value()]))}, "inventory.json")
    if kind == "clean":
        return Input({"clean.json": draw(mutated_json(clean_values()))}, "clean.json")
    if kind == "submission":
        return Input(draw(submission_inputs()).files, "predictions.jsonl")
    value = draw(mutated_json(gold_values()))
    return Input({"annotation.json": value}, "annotation.json")


@st.composite
def submission_inputs(draw: st.DrawFn) -> Input:
    lines = list(draw(st.sampled_from(sorted(submission_lines().values()))))
    for _ in range(draw(st.integers(1, 2))):
        index = draw(st.integers(0, len(lines) - 1))
        if draw(st.integers(0, 3)) == 0:
            lines[index] = draw(mutated_bytes(lines[index]))
        else:
            try:
                value = json.loads(lines[index])
            except ValueError:  # already damaged by an earlier edit
                continue
            lines[index] = encode(draw(mutated_value(value)), draw(st.booleans())) + b"\n"
    return Input({"predictions.jsonl": b"".join(lines)}, "predictions.jsonl")


@st.composite
def leaderboard_inputs(draw: st.DrawFn) -> Input:
    system = draw(st.sampled_from(sorted(submission_lines())))
    predictions = b"".join(submission_lines()[system])
    meta = encode(submission_meta()[system], False)
    if draw(st.booleans()):
        meta = draw(mutated_json([submission_meta()[system]]))
    else:
        predictions = draw(submission_inputs()).files["predictions.jsonl"]
    name = system if draw(st.integers(0, 5)) else draw(st.sampled_from(HOSTILE_NAMES))
    return Input(
        {
            f"submissions/{name}/meta.json": meta,
            f"submissions/{name}/predictions.jsonl": predictions,
        },
        "submissions",
    )


def _brat_pair(draw: st.DrawFn, stem: str, text: bytes, ann: bytes) -> dict[str, bytes]:
    name = file_stem(draw, stem)
    part = draw(st.sampled_from(["ann", "ann", "txt", "both"]))
    if part in ("ann", "both"):
        ann = text_bytes(draw, ann.decode("utf-8"))
    if part in ("txt", "both"):
        text = text_bytes(draw, text.decode("utf-8"))
    return {f"brat/{name}.txt": text, f"brat/{name}.ann": ann}


@st.composite
def from_brat_inputs(draw: st.DrawFn) -> Input:
    doc_id, text, ann = draw(st.sampled_from(brat_seeds()))
    files = _brat_pair(draw, doc_id, text.encode(), ann.encode())
    return Input({**files, "inventory.json": inventory_bytes()}, "brat")


FUZZ_MAPPING = {
    "name": "fuzz",
    "types": {**{t: t for t in schema.ENTITY_TYPES}, "Person": "PER", "Location": "LOC",
              "Organization": "ORG", "Product": "MISC", "Event": "MISC"},
    "dropped": ["Quotation", "Cue", "Speaker", "Date", "Hour",
                *(t.replace(":", "__").replace("-", "_") for t in schema.EVENT_TYPES)],
    "clean_profile": "wikinews",
}  # fmt: skip
"""Maps both the brat export of the gold and WiNER-fr onto Propos entity types."""


@st.composite
def import_brat_inputs(draw: st.DrawFn) -> Input:
    seeds = [(d, t.encode(), a.encode()) for d, t, a in brat_seeds()] + winer_seeds()
    files: dict[str, bytes] = {"mapping.json": json.dumps(FUZZ_MAPPING).encode()}
    for _ in range(draw(st.integers(1, 2))):
        files.update(_brat_pair(draw, *draw(st.sampled_from(seeds))))
    return Input(files, "brat")


@st.composite
def labelstudio_inputs(draw: st.DrawFn) -> Input:
    tasks = [draw(st.sampled_from(labelstudio_seeds()))]
    if draw(st.integers(0, 4)) == 0:
        tasks.append(draw(st.sampled_from(labelstudio_seeds())))
    data = draw(mutated_json([tasks]))
    return Input({"tasks.json": data, "inventory.json": inventory_bytes()}, "tasks.json")


@st.composite
def raw_inputs(draw: st.DrawFn) -> Input:
    stem, data = draw(st.sampled_from(raw_seeds()))
    return Input({f"raw/{file_stem(draw, stem)}.txt": text_bytes(draw, data.decode())}, "raw")


# ---------------------------------------------------------------- the library calls


def run_validate(entry: str, given: Input, folder: Path) -> None:
    from propos.validate import validate_paths

    path = given.write(folder)
    report = bounded(
        entry,
        given.size,
        lambda: validate_paths([path], corpus().clean_dir, inventory=corpus().inventory_file),
        lambda report: not report.problems,
    )
    if report is None or report.problems or path.name in ("inventory.json", "clean.json"):
        return  # these two kinds are checked by jsonschema itself
    if path.suffix == ".jsonl":
        _submission_lines_match_schema(entry, path)
        return
    value = json.loads(path.read_bytes())
    errors = list(schema.validator("annotation").iter_errors(value))
    if errors:
        raise wrongly_accepted(entry, f"validate passes what the schema refuses: {errors[0]}")


def run_evaluate(entry: str, given: Input, folder: Path, mode: str) -> None:
    from propos import evaluation

    path = given.write(folder)

    def call() -> Any:
        if mode == "errors":
            return evaluation.render_frame(evaluation.error_frame(path, test_gold()), "csv")
        if mode == "by":
            return evaluation.render_frame(
                evaluation.breakdown_frame(path, test_gold(), "type"), "csv"
            )
        return evaluation.table(evaluation.evaluate_file(path, test_gold(), 1, 0))

    if bounded(entry, given.size, call) is not None:
        _submission_lines_match_schema(entry, path)


def _submission_lines_match_schema(entry: str, path: Path) -> None:
    # Lines end at \n only, as a submission is read (a \r inside a line is JSON white space).
    for number, line in enumerate(path.read_bytes().split(b"\n"), start=1):
        if line.strip():
            errors = list(schema.validator("submission").iter_errors(json.loads(line)))
            if errors:
                raise wrongly_accepted(entry, f"line {number} accepted but {errors[0].message}")


def run_leaderboard(entry: str, given: Input, folder: Path) -> None:
    """What build_leaderboard does on the test split, with the test gold read once for all
    examples (the cross-validation track is left out: it reads the whole corpus per call)."""
    from propos.evaluation import TASKS
    from propos.leaderboard import (
        Board,
        Scope,
        Submission,
        discover,
        load_submission,
        rank,
        render_json,
        render_markdown,
        score_entries,
        unique_names,
    )
    from propos.validate import CleanTexts

    submissions = given.write(folder)
    gold = test_gold()

    def call() -> Any:
        loaded, rejections = [], []
        scope = Scope(CleanTexts.from_texts(gold.texts), gold.doc_ids)
        for found in discover(submissions):
            result = load_submission(found, scope)
            (loaded if isinstance(result, Submission) else rejections).append(result)
        accepted, clashes = unique_names(loaded)
        rejections += clashes
        entries = score_entries(accepted, gold.documents, gold.paragraphs, 1, 0)
        tables = {t: rank(entries, t, gold.documents, gold.paragraphs, 1, 0) for t in TASKS}
        board = Board(tables, {}, rejections)
        render_markdown(board, "fuzz"), render_json(board)
        return rejections

    bounded(entry, given.size, call, lambda rejections: not rejections)


def _validates(entry: str, targets: list[Path], clean_dir: Path, inventory: Path | None) -> None:
    from propos.validate import validate_paths

    report = validate_paths(targets, clean_dir, inventory=inventory)
    if report.problems:
        raise wrongly_accepted(entry, f"its output fails validation: {report.problems[0]}")


def run_import_brat(entry: str, given: Input, folder: Path) -> None:
    from propos.importer import Mapping, import_brat

    source = given.write(folder)
    out = folder / "out"
    mapping = Mapping.load(folder / "mapping.json")
    report = bounded(
        entry,
        given.size,
        lambda: import_brat(source, out, mapping),
        lambda report: not report.failed_documents,
    )
    if report is not None and report.documents:
        _validates(entry, [out / "annotations"], out / "corpus" / "clean", None)


def run_from_brat(entry: str, given: Input, folder: Path) -> None:
    from propos.interchange.importing import import_brat_folder

    source = given.write(folder)
    out = folder / "out"
    clean_dir = corpus().clean_dir
    result = bounded(
        entry,
        given.size,
        lambda: import_brat_folder(source, out, clean_dir),
        lambda imported: bool(imported.written),
    )
    if result and result.written:
        _validates(entry, result.written, clean_dir, None)


def run_from_labelstudio(entry: str, given: Input, folder: Path) -> None:
    from propos.interchange.importing import import_labelstudio

    path = given.write(folder)
    out = folder / "out"
    clean_dir = corpus().clean_dir
    result = bounded(entry, given.size, lambda: import_labelstudio(path, out, clean_dir))
    if result:
        _validates(entry, sorted(out.glob("*.json")), clean_dir, None)


def run_clean(entry: str, given: Input, folder: Path, profile: str) -> None:
    from propos.clean import clean_corpus
    from propos.fileio import read_json
    from propos.validate import clean_document_problems

    raw = given.write(folder)
    out = folder / "clean"
    run = bounded(
        entry,
        given.size,
        lambda: clean_corpus(raw, out, corpus().gold_dir, folder, profile=profile),
        lambda run: not run.errors and not run.refused,
    )
    for doc_id in run.written if run is not None else []:
        path = out / f"{doc_id}.json"
        problems = clean_document_problems(str(path), read_json(path))
        if problems:
            raise wrongly_accepted(entry, f"its output fails validation: {problems[0]}")


# ---------------------------------------------------------------- the real commands


def command_line(entry: str, target: Path, folder: Path) -> list[str]:
    root = ["--root", str(ROOT)]
    inventory = ["--inventory", str(corpus().inventory_file)]
    return {
        "validate": ["validate", str(target), *root, *inventory],
        "evaluate": ["evaluate", "--pred", str(target), "--resamples", "1", *root],
        "leaderboard": [
            "leaderboard", "--submissions", str(target), "--out", str(folder / "board"),
            "--resamples", "1", *root,
        ],
        "import brat": [
            "import", "brat", str(target), "--out", str(folder / "out"),
            "--mapping", str(folder / "mapping.json"), *root,
        ],
        "convert from-brat": [
            "convert", "from-brat", str(target), "--out", str(folder / "out"), *root,
        ],
        "convert from-labelstudio": [
            "convert", "from-labelstudio", str(target), "--out", str(folder / "out"), *root,
        ],
        "clean": ["clean", "--raw-dir", str(target), "--out-dir", str(folder / "clean"),
                  "--workers", "1", *root],
    }[entry]  # fmt: skip


def run_command(entry: str, given: Input, folder: Path) -> subprocess.CompletedProcess[str]:
    """The real `propos` console script on the input: exit 0, 1 or 2, no traceback, in time."""
    target = given.write(folder)
    bound = COMMAND_STARTUP_SECONDS + time_bound(given.size)
    start = time.perf_counter()
    try:
        result = subprocess.run(
            [str(PROPOS), *command_line(entry, target, folder)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=bound,
            cwd=folder,
            env=COMMAND_ENV,
        )
    except subprocess.TimeoutExpired as exc:
        record(f"{entry} (command)", "hang")
        raise Hang(f"{entry}: over {bound:.0f} s") from exc
    elapsed = time.perf_counter() - start
    crashed = result.returncode not in (0, 1, 2) or "Traceback" in result.stderr + result.stdout
    record(f"{entry} (command)", "crash" if crashed else f"exit {result.returncode}")
    if crashed:
        raise AssertionError(
            f"propos {entry}: exit {result.returncode} after {elapsed:.1f} s\n"
            f"{result.stderr[-3000:]}"
        )
    return result


# ---------------------------------------------------------------- the table of fuzzers


@dataclass(frozen=True)
class Fuzzer:
    entry: str  # the command, as the report names it
    inputs: Callable[[], st.SearchStrategy[Input]]
    run: Callable[[str, Input, Path], None]


FUZZERS: list[Fuzzer] = [
    Fuzzer("validate", annotation_inputs, run_validate),
    Fuzzer("evaluate", submission_inputs, lambda e, g, f: run_evaluate(e, g, f, "scores")),
    Fuzzer("evaluate --by type", submission_inputs, lambda e, g, f: run_evaluate(e, g, f, "by")),
    Fuzzer("evaluate --errors", submission_inputs, lambda e, g, f: run_evaluate(e, g, f, "errors")),
    Fuzzer("leaderboard", leaderboard_inputs, run_leaderboard),
    Fuzzer("import brat", import_brat_inputs, run_import_brat),
    Fuzzer("convert from-brat", from_brat_inputs, run_from_brat),
    Fuzzer("convert from-labelstudio", labelstudio_inputs, run_from_labelstudio),
    Fuzzer("clean", raw_inputs, lambda e, g, f: run_clean(e, g, f, "news")),
    Fuzzer("clean --profile wikinews", raw_inputs, lambda e, g, f: run_clean(e, g, f, "wikinews")),
]
COMMANDS: dict[str, Callable[[], st.SearchStrategy[Input]]] = {
    "validate": annotation_inputs,
    "evaluate": submission_inputs,
    "leaderboard": leaderboard_inputs,
    "import brat": import_brat_inputs,
    "convert from-brat": from_brat_inputs,
    "convert from-labelstudio": labelstudio_inputs,
    "clean": raw_inputs,
}


def warm_up() -> None:
    """Load what the first scoring loads (the metrics, the test gold), so that the time bound
    measures the input, not the import of a library."""
    from propos.evaluation import evaluate_file

    system = min(submission_lines(), key=lambda name: len(b"".join(submission_lines()[name])))
    evaluate_file(corpus().submissions_dir / system / "predictions.jsonl", test_gold(), 1, 0)
    brat_seeds(), labelstudio_seeds(), winer_seeds(), raw_seeds()


def in_fresh_folder(call: Callable[[Path], Any]) -> Any:
    folder = Path(tempfile.mkdtemp(prefix="propos-fuzz-"))
    try:
        return call(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
