"""The people around the benchmark, annotators: Label Studio exports with several annotators,
brat spans drawn without notes, the disagreement list for adjudication, imported folders
without an inventory. Every command runs through the real `propos` console script, on the
landed gold, the two annotation passes and exports written the way the tools write them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, load_json, ok, one_error, shown

PASSES = ROOT / "annotations" / "passes"
GOLD = ROOT / "annotations" / "gold"
PRESS = ["000_5637744c8eac245a", "001_d86c8409a0c5958b", "002_6b5d0b1d5408cf43"]
PREDICTED_ONLY = "003_a5c7406991160b2b"
ANNA = {"id": 1, "email": "anna@example.org", "first_name": "Anna", "last_name": "A."}
BEN = {"id": 2, "email": "ben@example.org", "first_name": "Ben", "last_name": "B."}
CARL = {"id": 3, "email": "carl@example.org", "first_name": "Carl", "last_name": "C."}
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200", "NO_COLOR": "1"}


def propos(*args: Any) -> subprocess.CompletedProcess[str]:
    command = [str(Path(os.sys.executable).parent / "propos"), *(str(a) for a in args)]
    return subprocess.run(
        command, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300, check=False
    )


# ------------------------------------------------------------------ Label Studio exports


def studio_tasks(tmp_path: Path, folder: Path, doc_ids: list[str]) -> list[dict[str, Any]]:
    """Tasks of the pass in ``folder``, written by `propos convert to-labelstudio`."""
    out = tmp_path / f"{folder.name}-tasks.json"
    ok(propos("convert", "to-labelstudio", *(folder / f"{d}.json" for d in doc_ids), "--out", out))
    return load_json(out)


def studio_annotation(number: int, user: dict[str, Any], result: list[Any], cancelled: bool):
    """One annotation as Label Studio's JSON export writes it (completed_by: the user)."""
    return {
        "id": number,
        "completed_by": user,
        "result": [{**item, "origin": "manual"} for item in result],
        "was_cancelled": cancelled,
        "ground_truth": False,
        "created_at": "2026-03-02T10:00:00.000000Z",
        "updated_at": "2026-03-02T10:20:00.000000Z",
        "draft_created_at": None,
        "lead_time": 812.4,
        "prediction": {},
        "result_count": 0,
        "unique_id": f"00000000-0000-0000-0000-{number:012d}",
        "import_id": None,
        "last_action": None,
        "task": number // 10,
        "project": 7,
        "updated_by": user["id"],
        "parent_prediction": None,
        "parent_annotation": None,
        "last_created_by": None,
    }


def studio_task(number: int, data: dict[str, Any], annotations: list[Any], predictions: list[Any]):
    return {
        "id": number,
        "annotations": annotations,
        "file_upload": "4b1e2c0f-tasks.json",
        "drafts": [],
        "predictions": predictions,
        "data": data,
        "meta": {},
        "created_at": "2026-03-01T09:00:00.000000Z",
        "updated_at": "2026-03-02T10:20:00.000000Z",
        "inner_id": number,
        "total_annotations": sum(not a["was_cancelled"] for a in annotations),
        "cancelled_annotations": sum(a["was_cancelled"] for a in annotations),
        "total_predictions": len(predictions),
        "comment_count": 0,
        "unresolved_comment_count": 0,
        "last_comment_updated_at": None,
        "project": 7,
        "updated_by": 1,
        "comment_authors": [],
    }


def studio_prediction(task_number: int, result: list[Any]) -> dict[str, Any]:
    return {
        "id": 100 + task_number,
        "model_version": "rules-2026-03",
        "created_ago": "2 days",
        "result": [{**item, "origin": "prediction"} for item in result],
        "score": 0.5,
        "cluster": None,
        "neighbors": None,
        "mislabeling": 0.0,
        "created_at": "2026-02-28T09:00:00.000000Z",
        "updated_at": "2026-02-28T09:00:00.000000Z",
        "model": None,
        "model_run": None,
        "task": task_number,
        "project": 7,
    }


@pytest.fixture(scope="module")
def two_annotator_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three press articles annotated by Anna (pass a) and Ben (pass b), one annotation Carl
    cancelled, and a fourth article holding only a model's prediction."""
    tmp_path = tmp_path_factory.mktemp("studio")
    first = studio_tasks(tmp_path, PASSES / "a", PRESS)
    second = studio_tasks(tmp_path, PASSES / "b", PRESS)
    tasks = []
    for number, (a, b) in enumerate(zip(first, second, strict=True), start=1):
        annotations = [
            studio_annotation(10 * number + 1, ANNA, a["annotations"][0]["result"], False),
            studio_annotation(10 * number + 2, CARL, [], True),
            studio_annotation(10 * number + 3, BEN, b["annotations"][0]["result"], False),
        ]
        tasks.append(studio_task(number, a["data"], annotations, []))
    [predicted] = studio_tasks(tmp_path, GOLD, [PREDICTED_ONLY])
    prediction = studio_prediction(4, predicted["annotations"][0]["result"])
    tasks.append(studio_task(4, predicted["data"], [], [prediction]))
    export = tmp_path / "project-7-at-2026-03-02-10-30.json"
    export.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return export


def test_labelstudio_by_annotator_gives_one_folder_each_ready_for_agreement(
    two_annotator_export: Path, tmp_path: Path
) -> None:
    out = tmp_path / "imported"
    result = ok(propos("convert", "from-labelstudio", two_annotator_export, "--out", out,
                       "--by-annotator"))  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == ["anna@example.org", "ben@example.org"]
    for name, source in (("anna@example.org", "a"), ("ben@example.org", "b")):
        assert sorted(p.stem for p in (out / name).glob("*.json")) == PRESS
        for doc_id in PRESS:
            assert load_json(out / name / f"{doc_id}.json") == load_json(
                PASSES / source / f"{doc_id}.json"
            ), (name, doc_id)
        assert f"3 document(s) -> {out / name}" in result.stderr
    assert "3 cancelled annotation(s) skipped" in result.stderr
    assert f"1 task(s) holding only model predictions left out ({PREDICTED_ONLY};" in result.stderr
    assert not (out / "predictions").exists()
    # The two folders are what `propos agreement` compares: the same figures as the passes.
    passes = {}
    for source in ("a", "b"):
        passes[source] = tmp_path / f"pass-{source}"
        passes[source].mkdir()
        for doc_id in PRESS:
            shutil.copy(PASSES / source / f"{doc_id}.json", passes[source])
    imported = ok(propos("agreement", out / "anna@example.org", out / "ben@example.org",
                         "--format", "json"))  # fmt: skip
    original = ok(propos("agreement", passes["a"], passes["b"], "--format", "json"))
    figures = json.loads(imported.stdout)
    assert figures == json.loads(original.stdout)
    assert figures["documents"] == 3 and figures["events"]["argument_f1"] < 1.0


def test_labelstudio_several_annotators_need_a_choice(
    two_annotator_export: Path, tmp_path: Path
) -> None:
    out = tmp_path / "imported"
    one_error(
        propos("convert", "from-labelstudio", two_annotator_export, "--out", out),
        "task 0 (000_5637744c8eac245a): 2 annotations (anna@example.org, ben@example.org)",
        "--by-annotator",
        "--annotator",
    )
    assert not out.exists()
    one_error(
        propos("convert", "from-labelstudio", two_annotator_export, "--out", out,
               "--by-annotator", "--annotator", "2"),
        "exclude each other",
    )  # fmt: skip


@pytest.mark.parametrize("chosen", ["ben@example.org", "2"])
def test_labelstudio_one_chosen_annotator(
    two_annotator_export: Path, tmp_path: Path, chosen: str
) -> None:
    out = tmp_path / "imported"
    result = ok(propos("convert", "from-labelstudio", two_annotator_export, "--out", out,
                       "--annotator", chosen))  # fmt: skip
    assert sorted(p.stem for p in out.glob("*.json")) == PRESS
    for doc_id in PRESS:
        assert load_json(out / f"{doc_id}.json") == load_json(PASSES / "b" / f"{doc_id}.json")
    assert "3 cancelled annotation(s) skipped" in result.stderr


def test_labelstudio_by_annotator_with_predictions_and_a_duplicate(
    two_annotator_export: Path, tmp_path: Path
) -> None:
    out = tmp_path / "imported"
    result = ok(propos("convert", "from-labelstudio", two_annotator_export, "--out", out,
                       "--by-annotator", "--predictions"))  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == [
        "anna@example.org", "ben@example.org", "predictions"
    ]  # fmt: skip
    assert [p.stem for p in (out / "predictions").glob("*.json")] == [PREDICTED_ONLY]
    assert f"1 document(s) taken from model predictions ({PREDICTED_ONLY})" in result.stderr
    tasks = load_json(two_annotator_export)
    tasks[1]["annotations"].append({**tasks[1]["annotations"][0], "id": 999})
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps(tasks), encoding="utf-8")
    one_error(
        propos("convert", "from-labelstudio", twice, "--out", tmp_path / "t", "--by-annotator"),
        "task 1 (001_d86c8409a0c5958b): annotator anna@example.org has two annotations",
    )
    assert not (tmp_path / "t").exists()


def test_labelstudio_predictions_are_taken_only_when_asked(tmp_path: Path) -> None:
    [task] = studio_tasks(tmp_path, GOLD, [PREDICTED_ONLY])
    result = task["annotations"][0]["result"]
    export = tmp_path / "export.json"
    export.write_text(
        json.dumps([studio_task(1, task["data"], [], [studio_prediction(1, result)])]),
        encoding="utf-8",
    )
    out = tmp_path / "imported"
    one_error(
        propos("convert", "from-labelstudio", export, "--out", out),
        "no annotated task to import",
        "holding only model predictions",
        "--predictions",
    )
    assert not out.exists()
    taken = ok(propos("convert", "from-labelstudio", export, "--out", out, "--predictions"))
    assert load_json(out / f"{PREDICTED_ONLY}.json") == load_json(GOLD / f"{PREDICTED_ONLY}.json")
    assert f"1 document(s) taken from model predictions ({PREDICTED_ONLY})" in taken.stderr


def test_labelstudio_user_id_only_and_fully_cancelled_task(tmp_path: Path) -> None:
    """The task format and the API write completed_by as the user id alone."""
    [first, second] = studio_tasks(tmp_path, PASSES / "a", PRESS[:2])
    tasks = [
        studio_task(1, first["data"], [
            studio_annotation(11, ANNA, first["annotations"][0]["result"], False)
        ], []),
        studio_task(2, second["data"], [studio_annotation(21, ANNA, [], True)], []),
    ]  # fmt: skip
    for task in tasks:
        for annotation in task["annotations"]:
            annotation["completed_by"] = annotation["completed_by"]["id"]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks), encoding="utf-8")
    out = tmp_path / "by"
    result = ok(propos("convert", "from-labelstudio", export, "--out", out, "--by-annotator"))
    assert [p.name for p in out.iterdir()] == ["user-1"]
    assert [p.stem for p in (out / "user-1").glob("*.json")] == [PRESS[0]]
    assert "1 cancelled annotation(s) skipped" in result.stderr
    assert "1 task(s) without annotation left out" in result.stderr


# ------------------------------------------------------------------ imported folders


def test_imported_folder_without_inventory_names_the_option(
    two_annotator_export: Path, tmp_path: Path
) -> None:
    out = tmp_path / "imported"
    result = ok(propos("convert", "from-labelstudio", two_annotator_export, "--out", out,
                       "--annotator", "anna@example.org"))  # fmt: skip
    assert f"note: no inventory.json beside or above {out}" in result.stderr
    assert "--inventory annotations/inventory.json" in result.stderr
    unchecked = propos("validate", out)
    assert unchecked.returncode == 1, shown(unchecked)
    assert "no inventory.json is beside or above it" in unchecked.stdout
    assert "--inventory PATH" in unchecked.stdout
    checked = ok(propos("validate", out, "--inventory", PASSES / "a" / "inventory.json"))
    assert "3 file(s) checked, clean" in checked.stderr


# ------------------------------------------------------------------ brat


BRAT_DOC = "002_6b5d0b1d5408cf43"  # its highest entity id, T27, is no event argument
DRAWN = "sommet"  # a word of it no entity mention covers


def brat_edit(tmp_path: Path) -> tuple[Path, dict[str, Any], tuple[int, int, str]]:
    """The gold of BRAT_DOC exported to brat, its highest entity deleted and a span drawn
    without notes, as brat writes them (new T number after the file's highest)."""
    brat = tmp_path / "brat"
    ok(propos("convert", "to-brat", GOLD / f"{BRAT_DOC}.json", "--out", brat))
    gold = load_json(GOLD / f"{BRAT_DOC}.json")
    deleted = max(gold["entities"], key=lambda entity: int(entity["id"][1:]))
    lines = (brat / f"{BRAT_DOC}.ann").read_text(encoding="utf-8").splitlines()
    note = next(line for line in lines if f"\tid={deleted['id']} " in line)
    target = note.split("\t")[1].split()[1]
    lines = [line for line in lines if line != note and not line.startswith(f"{target}\t")]
    text = (brat / f"{BRAT_DOC}.txt").read_text(encoding="utf-8")
    start = text.index(DRAWN)
    end = start + len(DRAWN)
    assert not any(e["start"] < end and start < e["end"] for e in gold["entities"])
    highest = max(int(line.split("\t")[0][1:]) for line in lines if line.startswith("T"))
    lines.append(f"T{highest + 1}\tMISC {start} {end}\t{text[start:end]}")
    (brat / f"{BRAT_DOC}.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return brat, deleted, (start, end, text[start:end])


def test_brat_span_without_notes_gets_placeholder_and_stub(project: Path, tmp_path: Path) -> None:
    brat, deleted, (start, end, surface) = brat_edit(tmp_path)
    gold_dir = project / "annotations" / "gold"
    result = ok(propos("convert", "from-brat", brat, "--out", gold_dir, "--root", project))
    imported = load_json(gold_dir / f"{BRAT_DOC}.json")
    ids = [entity["id"] for entity in imported["entities"]]
    assert deleted["id"] not in ids
    [drawn] = [e for e in imported["entities"] if (e["start"], e["end"]) == (start, end)]
    assert drawn["id"] == f"T{int(deleted['id'][1:]) + 1}"  # never the deleted one's id
    placeholder = f"E-todo-{BRAT_DOC}-{drawn['id']}"
    assert drawn["entity_id"] == placeholder and drawn["type"] == "MISC"
    inventory = load_json(project / "annotations" / "inventory.json")
    assert {"id": placeholder, "name": surface, "type": "MISC"} in inventory["entities"]
    before = load_json(ROOT / "annotations" / "inventory.json")
    assert len(inventory["entities"]) == len(before["entities"]) + 1
    assert f"stubs added to {project / 'annotations' / 'inventory.json'}" in result.stderr
    assert f"{BRAT_DOC} {drawn['id']} “{surface}”: entity_id {placeholder}" in result.stderr
    assert "note:" not in result.stderr
    checked = ok(propos("validate", gold_dir / f"{BRAT_DOC}.json", "--root", project))
    assert "1 file(s) checked, clean" in checked.stderr
    # Imported again: the stub is there already, the inventory is not written twice.
    again = ok(propos("convert", "from-brat", brat, "--out", gold_dir, "--root", project))
    assert load_json(project / "annotations" / "inventory.json") == inventory
    assert "1 annotation(s) drawn without an inventory id" in again.stderr


def test_brat_import_elsewhere_takes_an_inventory_option(tmp_path: Path) -> None:
    brat, _, (start, _, _) = brat_edit(tmp_path)
    out = tmp_path / "imported"
    plain = ok(propos("convert", "from-brat", brat, "--out", out))
    assert "no inventory to add their stubs to" in plain.stderr
    assert f"note: no inventory.json beside or above {out}" in plain.stderr
    # A quotation and an event drawn over the same word, without notes either.
    ann = brat / f"{BRAT_DOC}.ann"
    ann.write_text(
        ann.read_text(encoding="utf-8")
        + f"T900\tQuotation {start} {start + len(DRAWN)}\t{DRAWN}\nA900\tKind T900 indirect\n"
        + f"T901\tContact__Meet {start} {start + len(DRAWN)}\t{DRAWN}\n"
        + "E900\tContact__Meet:T901\nA901\tRealis E900 actual\n",
        encoding="utf-8",
    )
    inventory = tmp_path / "inventory.json"
    shutil.copy(ROOT / "annotations" / "inventory.json", inventory)
    shutil.rmtree(out)
    stubbed = ok(propos("convert", "from-brat", brat, "--out", out, "--inventory", inventory))
    assert "note:" not in stubbed.stderr
    imported = load_json(out / f"{BRAT_DOC}.json")
    [drawn] = [e for e in imported["entities"] if e["start"] == start]
    [quote] = [q for q in imported["quotes"] if q["content"]["start"] == start]
    gold_events = {v["id"] for v in load_json(GOLD / f"{BRAT_DOC}.json")["events"]}
    [event] = [v for v in imported["events"] if v["id"] not in gold_events]
    assert event["trigger"]["start"] == start
    stubs = load_json(inventory)
    assert any(entry["id"] == drawn["entity_id"] for entry in stubs["entities"])
    assert quote["utterance_id"] == f"U-todo-{BRAT_DOC}-{quote['id']}"
    assert {"id": quote["utterance_id"], "speaker_entity_id": None,
            "description": f"TODO: what “{DRAWN}” says"} in stubs["utterances"]  # fmt: skip
    assert event["event_id"] == f"EV-todo-{BRAT_DOC}-{event['id']}"
    assert {"id": event["event_id"], "type": "Contact:Meet",
            "description": f"TODO: the event “{DRAWN}” refers to"} in stubs["events"]  # fmt: skip
    assert "3 annotation(s) drawn without an inventory id" in stubbed.stderr
    ok(propos("validate", out, "--inventory", inventory))
    one_error(
        propos("convert", "from-brat", brat, "--out", out, "--inventory", tmp_path / "none.json"),
        "none.json: no such inventory",
    )


# ------------------------------------------------------------------ adjudication


def test_agreement_diff_lists_every_disagreement(tmp_path: Path) -> None:
    first, second = PASSES / "a", PASSES / "b"
    listed = ok(propos("agreement", first, second, "--collection", "press", "--diff",
                       "--format", "json"))  # fmt: skip
    payload = json.loads(listed.stdout)
    rows = payload["disagreements"]
    assert {row["doc_id"] for row in rows} <= set(PRESS) | {PREDICTED_ONLY, "004_7d1862074b0c649d"}
    for row in rows:
        assert set(row) == {"doc_id", "layer", "start", "end", "differs", "first", "second",
                            "context"}  # fmt: skip
        text = load_json(ROOT / "corpus" / "clean" / f"{row['doc_id']}.json")["text"]
        assert " ".join(text[row["start"] : row["end"]].split())[:40] in row["context"]
    # Each disagreement is a real difference of the two files.
    whelan = [
        r
        for r in rows
        if r["doc_id"] == PRESS[1] and r["first"] and "Justice:Convict" in r["first"]
    ]
    assert (
        whelan and whelan[0]["differs"] == ["only in the first set"] and whelan[0]["second"] is None
    )
    # Where the passes agree, nothing is listed: a folder against itself has no disagreement.
    same = ok(propos("agreement", first, first, "--collection", "press", "--diff",
                     "--format", "json"))  # fmt: skip
    itself = json.loads(same.stdout)
    assert itself["disagreements"] == [] and not any(itself["renamed_ids"].values())
    # A changed type in a copy is listed with both versions.
    changed = tmp_path / "changed"
    shutil.copytree(first, changed)
    document = load_json(changed / f"{PRESS[0]}.json")
    entity = document["entities"][0]
    entity["type"] = "ORG" if entity["type"] != "ORG" else "PER"
    (changed / f"{PRESS[0]}.json").write_text(json.dumps(document), encoding="utf-8")
    markdown = ok(propos("agreement", first, changed, "--collection", "press", "--diff"))
    lines = [line for line in markdown.stdout.splitlines() if line.startswith(f"| {PRESS[0]} ")]
    assert len(lines) == 1, markdown.stdout
    assert f"| entities | type | {entity['id']} “{entity['text']}”" in lines[0]
    assert markdown.stdout.startswith(f"1 disagreement(s) between {first} (first) and {changed}")


def test_agreement_diff_counts_match_the_passes() -> None:
    """Every entity only one pass has is listed: the counts of the two sides add up."""
    listed = json.loads(ok(propos("agreement", PASSES / "a", PASSES / "b", "--diff",
                                  "--format", "json")).stdout)  # fmt: skip
    figures = json.loads(ok(propos("agreement", PASSES / "a", PASSES / "b",
                                   "--format", "json")).stdout)  # fmt: skip
    rows = listed["disagreements"]
    for layer in ("entities", "quotes", "events"):
        first, second = figures["counts"][layer]
        only_first = sum(r["layer"] == layer and r["second"] is None for r in rows)
        only_second = sum(r["layer"] == layer and r["first"] is None for r in rows)
        assert first - only_first == second - only_second, layer
    assert listed["renamed_ids"]["event"], "the passes name some event clusters differently"
    # AGREEMENT.md states these counts: they are what the command lists.
    stated = " ".join((ROOT / "annotations" / "AGREEMENT.md").read_text(encoding="utf-8").split())
    counts = {
        layer: sum(r["layer"] == layer for r in rows) for layer in ("entities", "quotes", "events")
    }
    renamed = sum(len(pairs) for pairs in listed["renamed_ids"].values())
    expected = (
        f"({len(rows)} disagreements: {counts['entities']} entity, {counts['quotes']} quotation"
        f" and {counts['events']} event annotations; {renamed} cross-document ids"
    )
    assert expected in stated, "AGREEMENT.md's disagreement counts are stale"
