"""Hostile input through the real `propos` console script: one clear refusal, never a traceback.

Regressions of the robustness issue, part A: ids of the wrong JSON type in annotations and
submissions; undecodable or odd characters in imports; importers that wrote files validation
then refused. tests/test_fuzz.py looks for the rest of the class.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, load_json, shown

GOLD_DOC = "000_5637744c8eac245a"
GOLD_FILE = ROOT / "annotations" / "gold" / f"{GOLD_DOC}.json"
INVENTORY = ROOT / "annotations" / "inventory.json"
SUBMISSIONS = ROOT / "benchmark" / "submissions"
WINER = ROOT.parent / "shared" / "external" / "winer-fr"
PROPOS = str(Path(sys.executable).with_name("propos"))
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
ENV.update({"PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200", "NO_COLOR": "1"})


def propos(*args: Any, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PROPOS, *(str(a) for a in args)],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def refused(result: subprocess.CompletedProcess[str], status: int = 1) -> str:
    """The command refused its input with ``status`` and no traceback; its stderr."""
    assert result.returncode == status, shown(result)
    assert "Traceback" not in result.stdout + result.stderr, shown(result)
    return result.stderr


def write_json(path: Path, value: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


# ---------------------------------------------------------------- 1. ids of the wrong JSON type

HOSTILE_IDS = [
    ("entities", 0, "id", ["T1"]),
    ("entities", 0, "entity_id", {"a": 1}),
    ("events", 0, "event_id", {"a": 1}),
    ("quotes", 0, "speaker_entity_id", {"a": 1}),
    ("quotes", 0, "utterance_id", [1]),
]


def hostile_gold(layer: str, index: int, key: str, value: Any) -> dict[str, Any]:
    annotation = load_json(GOLD_FILE)
    annotation[layer][index][key] = value
    return annotation


@pytest.mark.parametrize(("layer", "index", "key", "value"), HOSTILE_IDS)
def test_validate_reports_an_id_of_the_wrong_type_as_one_schema_problem(
    tmp_path: Path, layer: str, index: int, key: str, value: Any
) -> None:
    path = write_json(tmp_path / f"{GOLD_DOC}.json", hostile_gold(layer, index, key, value))
    result = propos("validate", path, "--inventory", INVENTORY)
    refused(result)
    assert result.stdout.splitlines() == [
        f"{path}:$.{layer}[{index}].{key}: schema: {value!r} is not of type 'string'"
    ], shown(result)


def hostile_submission(tmp_path: Path, system: str = "crf") -> Path:
    """A baseline submission whose first entity has an object as entity_id."""
    lines = (SUBMISSIONS / system / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    number, document = next(
        (n, json.loads(line)) for n, line in enumerate(lines) if json.loads(line)["entities"]
    )
    document["entities"][0]["entity_id"] = {"a": 1}
    lines[number] = json.dumps(document, ensure_ascii=False)
    path = tmp_path / "predictions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_evaluate_refuses_a_submission_with_an_object_as_id(tmp_path: Path) -> None:
    path = hostile_submission(tmp_path)
    stderr = refused(propos("evaluate", "--pred", path, "--resamples", "1"))
    assert f"error: {path}: invalid submission:" in stderr
    assert "line 1, $.entities[0].entity_id: schema: {'a': 1} is not of type 'string'" in stderr
    assert len(stderr.splitlines()) == 1, stderr


def test_a_hostile_submission_is_one_rejected_row_of_the_leaderboard(tmp_path: Path) -> None:
    submissions, out = tmp_path / "submissions", tmp_path / "board"
    shutil.copytree(SUBMISSIONS / "gazetteer", submissions / "gazetteer")
    (submissions / "hostile").mkdir()
    shutil.copy(SUBMISSIONS / "crf" / "meta.json", submissions / "hostile" / "meta.json")
    shutil.move(hostile_submission(tmp_path), submissions / "hostile" / "predictions.jsonl")
    result = propos("leaderboard", "--submissions", submissions, "--out", out, "--resamples", "10")
    assert result.returncode == 0, shown(result)
    assert "Traceback" not in result.stderr, shown(result)
    board = json.loads((out / "leaderboard.json").read_text(encoding="utf-8"))
    assert [row["system"] for row in board["rejected"]] == ["hostile"]
    assert "entity_id: schema:" in board["rejected"][0]["reason"]
    assert any(row["system"] == "gazetteer" for rows in board["tasks"].values() for row in rows)
    assert "hostile" in (out / "LEADERBOARD.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------- 3. encodings and odd characters


def winer_pairs(count: int) -> list[Path]:
    texts = sorted(p for p in WINER.rglob("*.txt") if p.with_suffix(".ann").is_file())
    return texts[:count]


def brat_corpus(folder: Path, names: list[str]) -> Path:
    """WiNER-fr pairs copied under the given document names."""
    for name, text in zip(names, winer_pairs(len(names)), strict=True):
        shutil.copy(text, folder / f"{name}.txt")
        shutil.copy(text.with_suffix(".ann"), folder / f"{name}.ann")
    return folder


def test_import_brat_reports_a_non_utf8_ann_and_imports_the_others(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    brat_corpus(source, ["good", "latin1"])
    bad = source / "latin1.ann"
    bad.write_bytes(bad.read_bytes() + "T99\tPerson 0 1\t\xe9\n".encode("latin-1"))
    out = tmp_path / "out"
    stderr = refused(propos("import", "brat", source, "--out", out))
    assert f"error: {bad}: not UTF-8 (invalid byte at offset" in stderr
    assert (out / "annotations" / "gold" / "good.json").is_file()
    assert not (out / "annotations" / "gold" / "latin1.json").exists()
    assert propos("validate", "--root", out, out / "annotations").returncode == 0


def labelstudio_tasks(tmp_path: Path, annotation: dict[str, Any] | None = None) -> Path:
    """The tasks file `propos convert to-labelstudio` writes for the gold document."""
    source = write_json(tmp_path / "in" / f"{GOLD_DOC}.json", annotation or load_json(GOLD_FILE))
    tasks = tmp_path / "tasks.json"
    result = propos("convert", "to-labelstudio", source, "--out", tasks)
    assert result.returncode == 0, shown(result)
    return tasks


def test_from_labelstudio_refuses_a_lone_surrogate_in_the_text(tmp_path: Path) -> None:
    tasks_file = labelstudio_tasks(tmp_path)
    tasks = load_json(tasks_file)
    tasks[0]["data"]["text"] = "\ud800" + tasks[0]["data"]["text"]
    del tasks[0]["data"]["text_sha256"]
    tasks_file.write_text(json.dumps(tasks), encoding="ascii")  # \ud800 as a JSON escape
    out = tmp_path / "out"
    stderr = refused(propos("convert", "from-labelstudio", tasks_file, "--out", out))
    assert "data.text holds a lone surrogate ('\\ud800') at character 0" in stderr, stderr
    assert not out.exists()


def test_from_labelstudio_refuses_a_relation_whose_from_id_is_a_list(tmp_path: Path) -> None:
    tasks_file = labelstudio_tasks(tmp_path)
    tasks = load_json(tasks_file)
    relation = next(r for r in tasks[0]["annotations"][0]["result"] if r["type"] == "relation")
    relation["from_id"] = [relation["from_id"]]
    write_json(tasks_file, tasks)
    out = tmp_path / "out"
    stderr = refused(propos("convert", "from-labelstudio", tasks_file, "--out", out))
    assert "relation [" in stderr and "no region with that id" in stderr, stderr
    assert not out.exists()


@pytest.mark.parametrize(("key", "value"), [("annotations", 3), ("predictions", "model")])
def test_from_labelstudio_refuses_annotations_or_predictions_that_are_no_list(
    tmp_path: Path, key: str, value: Any
) -> None:
    """Found by the fuzzer after the per-annotator reader landed: `'int' object is not iterable`."""
    tasks_file = labelstudio_tasks(tmp_path)
    tasks = load_json(tasks_file)
    tasks[0][key] = value
    if key == "predictions":
        del tasks[0]["annotations"]
    write_json(tasks_file, tasks)
    out = tmp_path / "out"
    stderr = refused(
        propos("convert", "from-labelstudio", tasks_file, "--out", out, "--predictions")
    )
    assert f"'{key}' must be a list, is {type(value).__name__}" in stderr, stderr
    assert not out.exists()


# ---------------------------------------------------------------- 5. importers write what validates


def test_import_brat_refuses_a_file_name_that_is_no_document_id(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    brat_corpus(source, ["good", "a b"])
    out = tmp_path / "out"
    stderr = refused(propos("import", "brat", source, "--out", out))
    assert f"error: {source / 'a b.txt'}: file name 'a b' is not a valid document id" in stderr
    assert sorted(p.name for p in (out / "annotations" / "gold").iterdir()) == ["good.json"]
    assert propos("validate", "--root", out, out / "annotations").returncode == 0


def test_clean_refuses_a_file_name_that_is_no_document_id(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(ROOT / "corpus" / "raw" / f"{GOLD_DOC}.txt", raw / "a b.txt")
    out = tmp_path / "clean"
    stderr = refused(propos("clean", "--raw-dir", raw, "--out-dir", out, "--workers", "1"))
    assert f"error: {raw / 'a b.txt'}: file name 'a b' is not a valid document id" in stderr
    assert not list(out.glob("*.json"))


INVALID = ["argument in another sentence", "indirect quotation marked direct"]


def invalid_gold(case: str) -> tuple[dict[str, Any], str]:
    """The gold document made invalid in a way the schema cannot see, and what `propos
    validate` says about it."""
    annotation = load_json(GOLD_FILE)
    if case == INVALID[0]:
        annotation["events"][0]["arguments"][0]["entity"] = annotation["entities"][-1]["id"]
        return annotation, "$.events[0].arguments[0].entity: argument"
    indirect = next(i for i, q in enumerate(annotation["quotes"]) if q["kind"] == "indirect")
    annotation["quotes"][indirect]["kind"] = "direct"
    return annotation, f"$.quotes[{indirect}].kind: direct quotation whose content is not enclosed"


def test_the_invalid_gold_of_these_tests_is_refused_by_validate(tmp_path: Path) -> None:
    for case in INVALID:
        annotation, expected = invalid_gold(case)
        path = write_json(tmp_path / case / f"{GOLD_DOC}.json", annotation)
        result = propos("validate", path, "--inventory", INVENTORY)
        refused(result)
        assert result.stdout.startswith(f"{path}:{expected}"), shown(result)
        assert len(result.stdout.splitlines()) == 1, shown(result)


@pytest.mark.parametrize("case", INVALID)
def test_from_brat_writes_nothing_that_validation_refuses(tmp_path: Path, case: str) -> None:
    annotation, expected = invalid_gold(case)
    source = write_json(tmp_path / "in" / f"{GOLD_DOC}.json", annotation)
    brat, out = tmp_path / "brat", tmp_path / "out"
    assert propos("convert", "to-brat", source, "--out", brat).returncode == 0
    stderr = refused(propos("convert", "from-brat", brat, "--out", out))
    assert stderr.startswith("error: not imported, nothing written: "), stderr
    assert f"{GOLD_DOC}.txt: {expected}" in stderr, stderr
    assert not out.exists()


@pytest.mark.parametrize("case", INVALID)
def test_from_labelstudio_writes_nothing_that_validation_refuses(tmp_path: Path, case: str) -> None:
    annotation, expected = invalid_gold(case)
    tasks = labelstudio_tasks(tmp_path, annotation)
    out = tmp_path / "out"
    stderr = refused(propos("convert", "from-labelstudio", tasks, "--out", out))
    assert stderr.startswith("error: not imported, nothing written: "), stderr
    assert f"tasks.json: {GOLD_DOC}: {expected}" in stderr, stderr
    assert not out.exists()


def test_an_import_beside_the_inventory_checks_its_ids(tmp_path: Path) -> None:
    """Written under a folder with an inventory.json, the files must also match its ids, as
    `propos validate` would check them there."""
    annotation = load_json(GOLD_FILE)
    annotation["entities"][0]["entity_id"] = "E-nobody-knows"
    tasks = labelstudio_tasks(tmp_path, annotation)
    shutil.copy(INVENTORY, tmp_path / "inventory.json")
    out = tmp_path / "pass"
    stderr = refused(propos("convert", "from-labelstudio", tasks, "--out", out))
    assert "$.entities[0].entity_id: entity_id 'E-nobody-knows' is not in the inventory" in stderr
    (tmp_path / "inventory.json").unlink()
    result = propos("convert", "from-labelstudio", tasks, "--out", out)
    assert result.returncode == 0, shown(result)


@pytest.mark.parametrize("doc_id", ["../../annotations/inventory", "wn\u0000x"])
def test_a_doc_id_that_is_no_file_name_is_a_schema_problem(tmp_path: Path, doc_id: str) -> None:
    """Never looked up as a cleaned document (no path out of corpus/clean, no NUL in a path)."""
    lines = (SUBMISSIONS / "gazetteer" / "predictions.jsonl").read_text("utf-8").splitlines()
    document = json.loads(lines[0])
    document["doc_id"] = doc_id
    path = tmp_path / "predictions.jsonl"
    path.write_text(json.dumps(document) + "\n", encoding="utf-8")
    result = propos("validate", path)
    refused(result)
    assert result.stdout.splitlines() == [
        f"{path}:1:$.doc_id: schema: {doc_id!r} does not match"
        " '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$'"
    ], shown(result)
