"""The fast checks of the validator give exactly what the plain ones give: the pattern checks
after decoding, the local sentence and quotation-state reads, the whole-layer span test, the
overlap shortcut and the inventory found once per folder."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import shutil
import threading
from bisect import bisect_left
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propos import schema
from propos.fastschema import StringsCheck, fast_type, lean_decoder
from propos.fileio import read_file, read_whole, write_new
from propos.sentences import sentence_index
from propos.validate import (
    LOCAL_QUOTE_WINDOW,
    LOCAL_SENTENCE_WINDOW,
    SKIPPED_FOLDERS,
    SKIPPED_NAMES,
    SpanView,
    _plain_span,
    _quote_states,
    all_plain,
    argument_problems,
    collect_files,
    overlap_problems,
    quote_kind_problem,
    quoted_depth_at,
    same_sentence,
    span_problem,
    validate_paths,
    view_of_dict,
)

from .conftest import ALL_DOC_IDS, ROOT, load_json

GOLD = [load_json(ROOT / "annotations" / "gold" / f"{d}.json") for d in ALL_DOC_IDS]
# The characters sentence ends, paragraph breaks and quotation states are made of, and others.
PIECES = [*'.!?…»”"«“ \u00a0\u202fMAaZé,É', "\n", "\n\n", "M. ", "etc. ", "Dr. "]
TRICKY = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(TRICKY, st.data())
def test_same_sentence_is_sentence_index_equality(text: str, data: st.DataObject) -> None:
    if not text:
        return
    first = data.draw(st.integers(0, len(text) - 1))
    second = data.draw(st.integers(0, len(text) - 1))
    expected = sentence_index(text, first) == sentence_index(text, second)
    assert same_sentence(text, first, second) == expected


def test_same_sentence_far_apart_uses_the_whole_text() -> None:
    text = "Il dit. " + "mot " * LOCAL_SENTENCE_WINDOW + "Fin. Elle part."
    for first, second in ((0, len(text) - 3), (9, len(text) - 12), (len(text) - 3, 0)):
        expected = sentence_index(text, first) == sentence_index(text, second)
        assert same_sentence(text, first, second) == expected


def reference_argument_paths(document: dict[str, Any], text: str) -> list[str]:
    """The argument check as it reads: each argument against its trigger, one at a time."""
    starts = {e["id"]: e["start"] for e in document["entities"]}
    found = []
    for index, event in enumerate(document["events"]):
        for j, argument in enumerate(event["arguments"]):
            path = f"$.events[{index}].arguments[{j}].entity"
            start = starts.get(argument["entity"])
            if start is None or not same_sentence(text, event["trigger"]["start"], start):
                found.append(path)
    return found


@settings(max_examples=500, deadline=None)
@given(TRICKY, st.data())
def test_one_look_per_event_finds_what_one_per_argument_finds(
    text: str, data: st.DataObject
) -> None:
    if not text:
        return
    offsets = st.integers(0, len(text) - 1)
    entities = [
        {"id": f"T{k}", "start": data.draw(offsets), "end": len(text), "text": "x"}
        for k in range(data.draw(st.integers(0, 4)))
    ]
    targets = st.sampled_from([*(e["id"] for e in entities), "T-none"])
    events = [
        {"id": f"V{k}", "trigger": {"start": data.draw(offsets), "end": len(text), "text": "x"},
         "arguments": [{"entity": data.draw(targets), "role": "agent"}
                       for _ in range(data.draw(st.integers(0, 4)))]}
        for k in range(data.draw(st.integers(1, 3)))
    ]  # fmt: skip
    document = {"entities": entities, "quotes": [], "events": events}
    found = [p.path for p in argument_problems("f", view_of_dict(document), text)]
    assert found == reference_argument_paths(document, text)


def test_arguments_of_the_committed_gold_stand_in_their_triggers_sentence() -> None:
    misplaced = 0
    for document in GOLD:
        text = load_json(ROOT / "corpus" / "clean" / f"{document['doc_id']}.json")["text"]
        assert argument_problems("f", view_of_dict(document), text) == []
        assert reference_argument_paths(document, text) == []
        moved = copy.deepcopy(document)
        events = [e for e in moved["events"] if e["arguments"]]
        if not events:
            continue
        # The first argued event's trigger moved to the first or the last sentence, whichever
        # its first argument is not in: that argument now stands elsewhere, found by both.
        starts = {e["id"]: e["start"] for e in moved["entities"]}
        argued = sentence_index(text, starts[events[0]["arguments"][0]["entity"]])
        elsewhere = 0 if argued != 0 else len(text) - 2
        if sentence_index(text, elsewhere) == argued:
            continue  # a text of one sentence
        events[0]["trigger"]["start"] = elsewhere
        found = [p.path for p in argument_problems("f", view_of_dict(moved), text)]
        assert found and found == reference_argument_paths(moved, text)
        misplaced += 1
    assert misplaced >= 30  # 40 of the 69 documents when written


def whole_text_state(text: str, offset: int) -> bool:
    positions, open_after = _quote_states(text)
    index = bisect_left(positions, offset) - 1
    return index >= 0 and open_after[index]


@settings(max_examples=500, deadline=None)
@given(TRICKY, st.data())
def test_quoted_depth_at_reads_the_same_state_locally(text: str, data: st.DataObject) -> None:
    offset = data.draw(st.integers(0, len(text)))
    assert quoted_depth_at(text, offset) == whole_text_state(text, offset)


def test_quoted_depth_far_from_a_paragraph_break() -> None:
    text = "« " + "mot " * LOCAL_QUOTE_WINDOW + "» puis « encore"
    for offset in (1, len(text) - 20, len(text) - 3, len(text)):
        assert quoted_depth_at(text, offset) == whole_text_state(text, offset)


def reference_kind_problem(text: str, kind: str, start: int, end: int) -> str | None:
    """The kind check as the guidelines read: the state at both ends, the marks inside."""
    inside = quoted_depth_at(text, start)
    has_marks = any(char in schema.QUOTATION_MARKS for char in text[start:end])
    if kind == "direct" and (not inside or not quoted_depth_at(text, end)):
        return "direct quotation whose content is not enclosed in quotation marks"
    if kind == "indirect" and (inside or has_marks):
        return "indirect quotation whose content holds or sits inside quotation marks"
    if kind == "mixed" and not (has_marks or inside):
        return "mixed quotation without any quoted fragment"
    return None


@settings(max_examples=800, deadline=None)
@given(TRICKY, st.sampled_from(schema.QUOTE_KINDS), st.data())
def test_quote_kind_problem_reads_the_state_at_both_ends(
    text: str, kind: str, data: st.DataObject
) -> None:
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    content = SpanView(start, end, text[start:end])
    assert quote_kind_problem(text, kind, content) == reference_kind_problem(text, kind, start, end)


def test_quote_kind_far_from_a_paragraph_break() -> None:
    filler = "mot " * LOCAL_QUOTE_WINDOW
    for text in (f"« {filler}« dit-il » et « encore", f"« {filler}» dit-il « et » encore",
                 f"a\n\n« {filler}dit-il\n\n« et » encore"):  # fmt: skip
        for start in (len(text) - 16, len(text) - 12, len(text) - 7):
            for end in (start + 3, len(text)):
                content = SpanView(start, end, text[start:end])
                for kind in schema.QUOTE_KINDS:
                    expected = reference_kind_problem(text, kind, start, end)
                    assert quote_kind_problem(text, kind, content) == expected


@settings(max_examples=500, deadline=None)
@given(TRICKY, st.lists(st.tuples(st.integers(-2, 90), st.integers(-2, 90), TRICKY), max_size=5))
def test_all_plain_is_plain_span_of_each(text: str, raw: list[tuple[int, int, str]]) -> None:
    spans = [SpanView(start, end, stored) for start, end, stored in raw]
    plain = [_plain_span(text, span) for span in spans]
    assert all_plain(text, spans) == all(plain)
    for span, is_plain in zip(spans, plain, strict=True):
        if is_plain:
            assert span_problem(text, span) is None
            assert span_problem(text, span, name=True) is None


def test_real_spans_are_plain_as_a_whole() -> None:
    for document in GOLD:
        text = load_json(ROOT / "corpus" / "clean" / f"{document['doc_id']}.json")["text"]
        view = view_of_dict(document)
        entities = [e for e in view.entities if e.start is not None]
        assert all_plain(text, entities) == all(_plain_span(text, e) for e in entities)
        broken = [*entities, SpanView(0, 3, text[1:4])]
        assert not all_plain(text, broken)


def reference_overlaps(document: dict[str, Any]) -> list[str]:
    """The overlap check as it reads: sorted mentions, one problem per late starter."""
    mentions = sorted((e["start"], e["end"], i) for i, e in enumerate(document["entities"]))
    problems, furthest_end = [], -1
    for start, end, index in mentions:
        if start < furthest_end:
            problems.append(f"$.entities[{index}]")
        furthest_end = max(furthest_end, end)
    return problems


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 30)), max_size=6))
def test_overlap_shortcut_misses_nothing(offsets: list[tuple[int, int]]) -> None:
    document = {"entities": [{"start": s, "end": e, "text": "x"} for s, e in offsets]}
    found = [p.path for p in overlap_problems("f", view_of_dict(document))]
    assert found == reference_overlaps(document)


IDS = st.text(alphabet=list("aZ09_-:.\n\x00 é"), max_size=8)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(sorted({"^[A-Za-z][A-Za-z0-9_-]{0,63}$", "^[0-9a-f]{64}$",
                               "^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$", "^Q[1-9][0-9]*$",
                               "^(a|b)+$"})), st.lists(IDS, max_size=5))  # fmt: skip
def test_strings_check_is_re_search_of_each(pattern: str, strings: list[str]) -> None:
    expected = all(re.search(pattern, value) for value in strings)
    assert StringsCheck(pattern).all_match(strings) == expected


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted({"^[A-Za-z][A-Za-z0-9_-]{0,63}$", "^Q[1-9][0-9]*$", "^(a|b)+$"})),
       st.lists(st.lists(IDS, max_size=5), max_size=8))  # fmt: skip
def test_a_check_that_remembers_matches_is_re_search_of_each(
    pattern: str, batches: list[list[str]]
) -> None:
    check = StringsCheck(pattern)
    check.REMEMBERED = 6  # small, so that forgetting happens too
    for strings in batches:
        expected = all(re.search(pattern, value) for value in strings)
        assert check.all_match(strings) == expected
        assert len(check._matched) <= max(6, len(strings))


def test_a_pattern_the_join_cannot_serve_is_searched_string_by_string() -> None:
    check = StringsCheck("^(a|b)+$")
    assert check._joined is None
    assert check.all_match(["ab", "b"]) and not check.all_match(["ab", "c"])


def decodes(decoder: Any, data: bytes) -> bool:
    try:
        decoder.decode(data)
    except msgspec.ValidationError:
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(GOLD), st.sampled_from(["id", "entity_id", "doc_id", "text_sha256"]), IDS)
def test_lean_decoder_accepts_what_the_patterned_types_accept(
    document: dict[str, Any], field: str, value: str
) -> None:
    changed = copy.deepcopy(document)
    if field in ("doc_id", "text_sha256"):
        changed[field] = value
    elif changed["entities"]:
        changed["entities"][-1][field] = value
    data = json.dumps(changed).encode()
    for name in ("annotation", "submission"):
        patterned = msgspec.json.Decoder(fast_type(name))
        assert decodes(lean_decoder(name), data) == decodes(patterned, data)


def test_ids_with_a_final_newline_pass_as_jsonschema_lets_them() -> None:
    document = copy.deepcopy(GOLD[0])
    document["entities"][0]["id"] += "\n"
    assert not list(schema.validator("annotation").iter_errors(document))
    lean_decoder("annotation").decode(json.dumps(document).encode())


def test_inventory_is_found_from_a_linked_files_target(tmp_path: Path) -> None:
    """One look-up per folder, except for a link: its inventory is the target's."""
    project = tmp_path / "project"
    (project / "gold").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(ROOT / "annotations" / "inventory.json", project / "inventory.json")
    (elsewhere / "inventory.json").write_text('{"entities": [], "events": [], "utterances": []}')
    names = ALL_DOC_IDS[:2]
    shutil.copy(ROOT / "annotations" / "gold" / f"{names[0]}.json", project / "gold")
    shutil.copy(ROOT / "annotations" / "gold" / f"{names[1]}.json", elsewhere)
    (project / "gold" / f"{names[1]}.json").symlink_to(elsewhere / f"{names[1]}.json")
    report = validate_paths([project / "gold"], ROOT / "corpus" / "clean")
    places = {Path(p.file).name for p in report.problems}
    assert places == {f"{names[1]}.json"}  # its ids are not in the empty inventory
    assert all("not in the inventory" in p.message for p in report.problems)


def files_by_rglob(targets: list[Path]) -> list[Path]:
    """The file list as Path.rglob and a sort by parts give it (the walk must agree)."""
    files: list[Path] = []
    for target in targets:
        if not target.is_dir():
            files.append(target)
            continue
        found = sorted(
            (p for p in target.rglob("*") if p.suffix in (".json", ".jsonl")),
            key=lambda p: p.parts,
        )
        files += [
            p
            for p in found
            if p.name not in SKIPPED_NAMES
            and not SKIPPED_FOLDERS & set(p.relative_to(target).parts)
        ]
    return files


def test_the_folder_walk_lists_what_rglob_lists(tmp_path: Path, monkeypatch: Any) -> None:
    tree = tmp_path / "tree"
    names = ["b.json", "b/c.json", "b/c/d.jsonl", "a-b.json", "a/z.json", ".json", "..json",
             ".hidden/x.json", "x.json/y.json", "schema/s.json", "deep/schema/t.json",
             "splits.json", "deep/splits.json", "notes.txt", "é.json", "E.json",
             "mappings.json", "b.json.bak", "dir.jsonl/k.json"]  # fmt: skip
    for name in names:
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        if not (tree / name).exists():
            (tree / name).write_text("{}")
    (tree / "linked").symlink_to(tree / "b", target_is_directory=True)  # not followed
    (tree / "link.json").symlink_to(tree / "b.json")
    for targets in ([tree], [tree / "b", tree / "b.json"], [tree / "schema"]):
        assert collect_files(targets) == files_by_rglob(targets)
    monkeypatch.chdir(tree)
    assert [str(p) for p in collect_files([Path(".")])] == [
        str(p) for p in files_by_rglob([Path(".")])
    ]
    assert collect_files([Path("b/")]) == files_by_rglob([Path("b/")])
    report = validate_paths(
        [tree / "b"], ROOT / "corpus" / "clean", ROOT / "annotations" / "inventory.json"
    )
    assert report.files == 2  # b/c.json, b/c/d.jsonl, found as they are validated


def test_a_file_written_anew_holds_the_payload_alone(tmp_path: Path) -> None:
    """write_new empties a longer file it replaces; read_file gives back every byte."""
    target = tmp_path / "doc.json"
    target.write_bytes(b"x" * 100_000)
    payload = "«\u00a0é»\n".encode() * 1_000
    write_new(str(target), payload)
    assert target.read_bytes() == payload
    assert read_file(target) == payload
    with pytest.raises(IsADirectoryError):
        write_new(tmp_path, payload)


def test_a_file_is_read_whole_when_the_system_caps_a_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linux reads at most 2 GiB at once: a read shorter than the file is not its end."""
    target = tmp_path / "big.txt"
    payload = bytes(range(256)) * 40
    target.write_bytes(payload)
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: real_read(fd, min(n, 1000)))
    assert read_file(target) == payload
    assert read_whole(target, len(payload)) == payload
    assert read_whole(target, len(payload) - 1) is None


def test_a_file_is_read_whole_even_past_its_size_at_open(tmp_path: Path) -> None:
    """A file that grows after its size is taken (here a pipe, of size 0) is read to its end,
    and refused once it holds more than the limit."""
    exact = tmp_path / "exact.json"
    exact.write_bytes(b'{"a": 1}')
    assert read_whole(str(exact), 8) == b'{"a": 1}'
    assert read_whole(str(exact), 7) is None
    for limit, expected in ((10**6, b"x" * 200_000), (100_000, None)):
        pipe = tmp_path / f"pipe-{limit}"
        os.mkfifo(pipe)
        writer = threading.Thread(target=write_until_the_reader_leaves, args=(pipe,))
        writer.start()
        assert read_whole(str(pipe), limit) == expected
        writer.join(timeout=10)
        assert not writer.is_alive()


def write_until_the_reader_leaves(pipe: Path) -> None:
    with contextlib.suppress(BrokenPipeError):  # a refused file is closed before its end
        pipe.write_bytes(b"x" * 200_000)


def test_forgetting_the_matches_leaves_no_string_remembered() -> None:
    """The benchmark's warm-up validates a file, then forgets it: no check remembers a string."""
    from propos.fastschema import _LEAN_DECODERS, forget_matches

    gold = sorted((ROOT / "annotations" / "gold").glob("*.json"))[0].read_bytes()
    first = lean_decoder("annotation").decode(gold)
    remembered = [check._matched for check in _LEAN_DECODERS["annotation"]._checks]
    assert any(remembered)
    forget_matches()
    assert not any(check._matched for check in _LEAN_DECODERS["annotation"]._checks)
    assert lean_decoder("annotation").decode(gold) == first
