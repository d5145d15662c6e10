"""`propos validate`: a valid file passes; each kind of mistake gets its own message."""

from __future__ import annotations

import copy
import io
import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from propos.cli import app
from propos.engine import Engine
from propos.validate import bounded_lines

from .conftest import DOC_IDS, ROOT, load_json

runner = CliRunner()
CLEAN_DIR = ROOT / "corpus" / "clean"
SPLITS_FILE = ROOT / "annotations" / "splits.json"
DOC = DOC_IDS[0]  # the first press article
CLEAN = load_json(ROOT / "corpus" / "clean" / f"{DOC}.json")
TEXT = CLEAN["text"]


def span(surface: str, occurrence: int = 0, after: int = 0) -> dict[str, Any]:
    start = after
    for _ in range(occurrence + 1):
        start = TEXT.index(surface, start if _ == 0 else start + 1)
    return {"start": start, "end": start + len(surface), "text": surface}


def entity(ident: str, surface: str, kind: str, entity_id: str, occurrence: int = 0) -> dict:
    return {"id": ident, **span(surface, occurrence), "type": kind, "entity_id": entity_id}


def valid_annotation() -> dict[str, Any]:
    """A small, correct annotation of the first article (title and lead)."""
    lead = TEXT.index("Le président russe")
    return {
        "doc_id": DOC,
        "text_sha256": CLEAN["text_sha256"],
        "entities": [
            entity("T1", "Vladimir Poutine", "PER", "E-poutine"),
            entity("T2", "Joe Biden", "PER", "E-biden"),
            entity("T3", "Genève", "GPE", "E-geneve"),
            entity("T4", "Vladimir Poutine", "PER", "E-poutine", occurrence=1),
        ],
        "quotes": [
            {
                "id": "Q1",
                "content": span("Il n’y avait aucune animosité"),
                "kind": "direct",
                "cue": None,
                "speaker": None,
                "speaker_entity_id": "E-poutine",
                "utterance_id": "U-animosity",
            },
            {
                "id": "Q2",
                "content": span("sa première rencontre avec son homologue", after=lead),
                "kind": "indirect",
                "cue": span("indiqué"),
                "speaker": span("Vladimir Poutine", after=lead),
                "speaker_entity_id": "E-poutine",
                "utterance_id": "U-constructive",
            },
        ],
        "events": [
            {
                "id": "V1",
                "trigger": span("se sont rencontrés"),
                "type": "Contact:Meet",
                "realis": "actual",
                "event_id": "EV-summit",
                "arguments": [
                    {"entity": "T1", "role": "participant"},
                    {"entity": "T2", "role": "participant"},
                    {"entity": "T3", "role": "place"},
                ],
            }
        ],
    }


def valid_inventory() -> dict[str, Any]:
    return {
        "entities": [
            {"id": "E-poutine", "name": "Vladimir Poutine", "type": "PER"},
            {"id": "E-biden", "name": "Joe Biden", "type": "PER"},
            {"id": "E-geneve", "name": "Genève", "type": "GPE"},
        ],
        "events": [{"id": "EV-summit", "type": "Contact:Meet", "description": "Geneva summit"}],
        "utterances": [
            {"id": "U-animosity", "speaker_entity_id": "E-poutine", "description": "no animosity"},
            {
                "id": "U-constructive",
                "speaker_entity_id": "E-poutine",
                "description": "constructive",
            },
        ],
    }


def edit(change: Callable[[dict[str, Any]], None]) -> bytes:
    document = copy.deepcopy(valid_annotation())
    change(document)
    return json.dumps(document, ensure_ascii=False).encode()


def setitem(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target: Any = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def shifted_entity(document: dict[str, Any]) -> None:
    document["entities"][0]["start"] += 1


def overlapping(document: dict[str, Any]) -> None:
    document["entities"].append(entity("T9", "Poutine", "PER", "E-poutine"))


def argument_elsewhere(document: dict[str, Any]) -> None:
    document["events"][0]["arguments"].append({"entity": "T4", "role": "participant"})


def leading_space(document: dict[str, Any]) -> None:
    item = document["entities"][0]
    item["start"] -= 1
    item["text"] = TEXT[item["start"] : item["end"]]


def with_quote_mark(document: dict[str, Any]) -> None:
    content = document["quotes"][0]["content"]
    content["start"] -= 1
    content["text"] = TEXT[content["start"] : content["end"]]


def with_final_punctuation(document: dict[str, Any]) -> None:
    content = document["quotes"][0]["content"]
    content["end"] += 2
    content["text"] = TEXT[content["start"] : content["end"]]


def duplicated(document: dict[str, Any]) -> None:
    document["events"][0]["id"] = "T1"


MALFORMED: dict[str, tuple[bytes, str]] = {
    "bad_json": (b'{"doc_id": "x", "entities": [,]}', "invalid JSON"),
    "truncated": (json.dumps(valid_annotation()).encode()[:200], "truncated"),
    "empty": (b"", "empty file"),
    "whitespace_only": (b"  \n ", "empty file"),
    "bom": (b"\xef\xbb\xbf" + edit(lambda d: None), "byte order mark"),
    "not_utf8": (b'{"doc_id": "\xe9"}', "not UTF-8"),
    "top_level_array": (b"[1, 2]", "is not of type 'object'"),
    "nested_too_deep": (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
    "float_offset": (edit(setitem(["entities", 0, "start"], 33.0)), "Expected `int`, got `float`"),
    "wrong_offsets": (edit(setitem(["entities", 0, "end"], 10**6)), "outside the text"),
    "negative_offset": (edit(setitem(["entities", 1, "start"], -3)), "less than the minimum"),
    "text_mismatch": (edit(shifted_entity), "differs from the document's"),
    "changed_source_text": (edit(setitem(["text_sha256"], "0" * 64)), "document text changed"),
    "unknown_entity_label": (
        edit(setitem(["entities", 0, "type"], "PERSON")),
        "'PERSON' is not one of",
    ),
    "unknown_event_type": (
        edit(setitem(["events", 0, "type"], "Contact:Hug")),
        "'Contact:Hug' is not one of",
    ),
    "unknown_realis": (
        edit(setitem(["events", 0, "realis"], "hypothetical")),
        "'hypothetical' is not one of",
    ),
    "unknown_quote_kind": (
        edit(setitem(["quotes", 0, "kind"], "reported")),
        "'reported' is not one of",
    ),
    "wrong_type": (edit(setitem(["entities", 0, "start"], "12")), "'12' is not of type 'integer'"),
    "unknown_field": (edit(setitem(["entites"], [])), "unknown field"),
    "missing_field": (edit(lambda d: d.pop("events")), "'events' is a required property"),
    "duplicate_id": (edit(duplicated), "duplicate id 'T1'"),
    "dangling_argument": (
        edit(setitem(["events", 0, "arguments", 0, "entity"], "T99")),
        "points to no entity mention 'T99'",
    ),
    "argument_other_sentence": (edit(argument_elsewhere), "is not in the sentence of the trigger"),
    "overlapping_entities": (edit(overlapping), "overlaps"),
    "missing_inventory_entity": (
        edit(setitem(["entities", 2, "entity_id"], "E-nowhere")),
        "entity_id 'E-nowhere' is not in the inventory",
    ),
    "inventory_type_mismatch": (
        edit(setitem(["entities", 2, "type"], "LOC")),
        "but inventory entity 'E-geneve' is GPE",
    ),
    "missing_inventory_event": (
        edit(setitem(["events", 0, "event_id"], "EV-nowhere")),
        "event_id 'EV-nowhere' is not in the inventory",
    ),
    "missing_utterance": (
        edit(setitem(["quotes", 0, "utterance_id"], "U-nowhere")),
        "utterance_id 'U-nowhere' is not in the inventory",
    ),
    "unknown_speaker_entity": (
        edit(setitem(["quotes", 1, "speaker_entity_id"], "E-ghost")),
        "speaker_entity_id 'E-ghost' is not in the inventory",
    ),
    "utterance_speaker_mismatch": (
        edit(setitem(["quotes", 1, "speaker_entity_id"], "E-biden")),
        "has speaker 'E-poutine' but this quotation 'E-biden'",
    ),
    "direct_without_marks": (
        edit(setitem(["quotes", 1, "kind"], "direct")),
        "not enclosed in quotation marks",
    ),
    "indirect_inside_marks": (
        edit(setitem(["quotes", 0, "kind"], "indirect")),
        "indirect quotation",
    ),
    "span_with_space": (edit(leading_space), "begins or ends with white space"),
    "span_with_quote_mark": (edit(with_quote_mark), "quotation mark at its edge"),
    "span_with_final_punctuation": (edit(with_final_punctuation), "ends with punctuation"),
    "unknown_document": (
        edit(setitem(["doc_id"], "999_nowhere")),
        "no cleaned document '999_nowhere'",
    ),
    "bad_doc_id": (edit(setitem(["doc_id"], "../../etc/passwd")), "does not match"),
}


def write_case(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "inventory.json").write_text(json.dumps(valid_inventory()), encoding="utf-8")
    path = folder / f"{name}.json"
    path.write_bytes(content)
    return path


def run_validate(*args: str) -> Any:
    return runner.invoke(app, ["validate", *args])


def test_valid_annotation_passes(tmp_path: Path) -> None:
    path = write_case(tmp_path, "valid", edit(lambda d: None))
    result = run_validate(str(path))
    assert result.exit_code == 0, result.stdout
    assert "clean" in result.stderr


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_each_mistake_has_its_own_message(tmp_path: Path, name: str) -> None:
    content, expected = MALFORMED[name]
    path = write_case(tmp_path, name, content)
    result = run_validate(str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{path}:") and expected in line for line in lines), lines


def test_a_folder_of_malformed_files_reports_every_file(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    for name, (content, _) in MALFORMED.items():
        write_case(folder, name, content)
    big = folder / "huge.json"
    with big.open("wb") as handle:
        handle.write(b'{"doc_id": "x", "pad": "')
        handle.write(b"a" * (50 * 1024 * 1024))
        handle.write(b'"}')
    result = run_validate(str(folder), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    reported_files = {Path(problem["file"]).stem for problem in report["problems"]}
    assert reported_files == set(MALFORMED) | {"huge"}
    assert len(MALFORMED) + 1 >= 30
    huge = [p for p in report["problems"] if p["file"].endswith("huge.json")]
    assert huge == [
        {
            "file": str(big),
            "path": "$",
            "message": "file too large (50.0 MiB > 10.0 MiB limit)",
        }
    ]


# ---------------------------------------------------------------- inventory and submissions


def test_inventory_problems(tmp_path: Path) -> None:
    inventory = valid_inventory()
    inventory["entities"].append({"id": "E-biden", "name": "Biden", "type": "PER"})
    inventory["utterances"][0]["speaker_entity_id"] = "E-nobody"
    inventory["events"][0]["type"] = "Party"
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(inventory), encoding="utf-8")
    result = run_validate(str(path))
    assert result.exit_code == 1
    out = result.stdout
    assert "duplicate id 'E-biden'" in out
    assert "speaker 'E-nobody' is not an inventory entity" in out
    assert "'Party' is not one of" in out


def test_an_inventory_rewritten_between_runs_is_read_again(tmp_path: Path) -> None:
    """A process keeps the inventories it parsed (the tasks of a parallel run share them), as
    long as the file stays the same: an inventory changed in place is read again."""
    from propos.validate import validate_paths

    path = write_case(tmp_path, "valid", edit(lambda d: None))
    assert validate_paths([path], CLEAN_DIR).problems == []
    inventory = valid_inventory()
    inventory["entities"][2]["type"] = "LOC"  # Genève, a GPE in the annotation
    (tmp_path / "inventory.json").write_text(json.dumps(inventory), encoding="utf-8")
    messages = [problem.message for problem in validate_paths([path], CLEAN_DIR).problems]
    assert messages == ["mention type GPE but inventory entity 'E-geneve' is LOC"]
    (tmp_path / "inventory.json").write_text("{not json", encoding="utf-8")
    first = validate_paths([path], CLEAN_DIR).problems[0]
    assert first.file == str(tmp_path / "inventory.json") and "JSON" in first.message


def submission_line(doc_id: str, **extra: Any) -> str:
    return json.dumps({"doc_id": doc_id, "entities": [], "quotes": [], "events": [], **extra})


@pytest.mark.parametrize("split", ["all", "test"])
def test_submission_checks_documents_of_the_split(tmp_path: Path, split: str) -> None:
    from propos.split import split_doc_ids

    doc_ids = split_doc_ids(split, SPLITS_FILE, CLEAN_DIR)
    others = sorted({p.stem for p in CLEAN_DIR.glob("*.json")} - set(doc_ids))
    first, missing, *rest = doc_ids
    path = tmp_path / "predictions.jsonl"
    lines = [submission_line(first), submission_line(first), submission_line("999_ghost")]
    lines += [submission_line(d) for d in [*rest, *others[:1]]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_validate(str(path), "--split", split, "--root", str(ROOT))
    assert result.exit_code == 1
    out = result.stdout
    assert f"document '{first}' appears more than once" in out
    assert f"document '{missing}' of the split is missing" in out
    assert out.count("of the split is missing") == 1, out
    assert "no cleaned document '999_ghost'" in out
    if others:  # a document of another split
        assert f"document '{others[0]}' is not in the requested split" in out
        assert out.count("is not in the requested split") == 1, out


def test_a_complete_submission_of_the_split_passes(tmp_path: Path) -> None:
    from propos.split import split_doc_ids

    doc_ids = split_doc_ids("test", SPLITS_FILE, CLEAN_DIR)
    path = tmp_path / "predictions.jsonl"
    path.write_text("".join(submission_line(d) + "\n" for d in doc_ids), encoding="utf-8")
    result = run_validate(str(path), "--split", "test", "--root", str(ROOT))
    assert result.exit_code == 0, result.stdout


def test_submission_line_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "predictions.jsonl"
    good = valid_annotation()
    del good["text_sha256"]
    for item in good["entities"]:
        item.pop("entity_id")
    bad_entity = {**good["entities"][0], "type": "PERSON"}
    lines = [
        json.dumps(good),
        '{"doc_id": ',
        json.dumps({**good, "doc_id": DOC_IDS[1], "entities": [bad_entity]}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_validate(str(path))
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert any(line.startswith(f"{path}:2:") and "truncated" in line for line in out), out
    assert any(line.startswith(f"{path}:3:$.entities[0].type") for line in out), out
    assert not any(line.startswith(f"{path}:1:") for line in out), out


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = run_validate(str(tmp_path / "nowhere"))
    assert missing.exit_code == 2
    assert "no such file or folder" in missing.stderr
    no_args = run_validate()
    assert no_args.exit_code == 2


def test_help_reads_well() -> None:
    result = runner.invoke(app, ["validate", "--help"])
    assert result.exit_code == 0
    for phrase in ("FILE:JSON-PATH: MESSAGE", "--format", "--split", "--inventory", "Exit status"):
        assert phrase in " ".join(result.stdout.split())


def test_committed_corpus_and_annotations_validate() -> None:
    result = run_validate(str(CLEAN_DIR), str(ROOT / "annotations"), "--root", str(ROOT))
    assert result.exit_code == 0, result.stdout
    documents = {p.stem for p in CLEAN_DIR.glob("*.json")}
    gold = {p.stem for p in (ROOT / "annotations" / "gold").glob("*.json")}
    assert gold <= documents
    checked = re.search(r"(\d+) file\(s\) checked", result.stderr)
    assert checked, result.stderr
    assert int(checked.group(1)) >= len(documents) + len(gold)


def test_parallel_validation_reports_the_same_problems_in_the_same_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two spawned Dask worker processes, several partitions: the report of one process."""
    from propos import validate
    from propos.validate import validate_paths

    folder = tmp_path / "bad"
    for name, (content, _) in MALFORMED.items():
        write_case(folder, name, content)
    monkeypatch.setattr(validate, "FILES_PER_PARTITION", 8)
    serial = validate_paths([folder], CLEAN_DIR)
    parallel = validate_paths([folder], CLEAN_DIR, engine=Engine(workers=2))
    assert parallel.files == serial.files
    assert parallel.problems == serial.problems
    assert len(serial.problems) >= len(MALFORMED)


class _ReadRecorder(io.BytesIO):
    """A file that records the longest piece it was asked to read at once."""

    longest = 0

    def readline(self, size: int | None = -1) -> bytes:
        piece = super().readline(size)
        self.longest = max(self.longest, len(piece))
        return piece


@pytest.mark.parametrize("line_break", [b"\n", b""])
def test_a_long_line_is_measured_without_being_held(line_break: bytes) -> None:
    limit = 1000
    long_line = b"{" + b" " * (3 * limit + 7) + b"}" + line_break
    lines = [b"{}\n", b"x" * limit + b"\n", b"y" * (limit - 1) + b"\n", long_line]
    if line_break:
        lines.append(b'{"doc_id": "after"}\n')
    handle = _ReadRecorder(b"".join(lines))
    found = list(bounded_lines(handle, limit))
    # A line is bounded with its line break: one of limit bytes and a break is too long.
    expected: list[bytes | int] = [lines[0], limit + 1, lines[2], len(long_line)]
    assert found == expected + lines[4:]
    assert handle.longest == limit + 1


@pytest.mark.parametrize("lines_per_range", [1, 2, 3, 1000])
def test_runs_of_lines_check_as_the_whole_file(tmp_path: Path, lines_per_range: int) -> None:
    """Cut after every N line breaks, the runs cover the file exactly, and checking them one
    after the other gives the lines, numbers and problems of checking the file whole: with
    blank lines, CRLF breaks, a line too large and no final line break."""
    from propos.validate import CleanTexts, Context, check_lines, line_ranges

    crf = (ROOT / "benchmark" / "submissions" / "crf" / "predictions.jsonl").read_bytes()
    first, second = crf.splitlines()[:2]
    data = b"\n".join([b"", first, b"  ", b'{"doc_id": ', b"[" * 300, second + b"\r", first])
    path = tmp_path / "cut.jsonl"
    path.write_bytes(data)
    ranges = line_ranges(path, lines_per_range, block=7)  # blocks cut lines too
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    assert all(left[1] == right[0] for left, right in itertools.pairwise(ranges))
    assert [r[2] for r in ranges] == list(range(1, 8, lines_per_range))
    context = Context(CleanTexts(ROOT / "corpus" / "clean", max_bytes=200))
    whole = list(check_lines(path, (0, len(data), 1), context))
    assert [number for number, _, _ in whole] == [2, 4, 5, 6, 7]  # line 3 is blank
    assert "line too large" in whole[2][2][0].message
    assert [line for r in ranges for line in check_lines(path, r, context)] == whole
