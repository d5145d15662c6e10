"""The README cannot rot: its quick start and its loading examples are checked here."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command

from propos.cli import app

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert block, "the quick start has a sh block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_is_exactly_two_make_commands() -> None:
    commands = quick_start_commands()
    assert commands == ["make run", "make test"]


@pytest.mark.parametrize("target", ["run", "test"])
def test_quick_start_targets_set_up_and_call_existing_commands(target: str) -> None:
    dry = subprocess.run(
        ["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=True,
        env={**os.environ, "MAKEFLAGS": ""},
    )  # fmt: skip
    lines = dry.stdout.splitlines()
    registered = set(get_command(app).commands)
    for line in lines:
        found = re.search(r"\.venv/bin/propos (\S+)", line)
        if found:
            assert found.group(1) in registered, line
    if target == "run":
        used = [m.group(1) for line in lines if (m := re.search(r"\.venv/bin/propos (\S+)", line))]
        assert used[:2] == ["clean", "validate"]
        assert "build" in used


@pytest.fixture(scope="module")
def dataset_folder(release_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding ``dist/propos`` (the session's build), where the examples run."""
    root = tmp_path_factory.mktemp("readme")
    (root / "dist").mkdir()
    (root / "dist" / "propos").symlink_to(release_folder, target_is_directory=True)
    return root


@pytest.mark.parametrize("block", code_blocks("python"), ids=lambda b: b.splitlines()[1][:30])
def test_loading_examples_run(
    block: str,
    dataset_folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert len(block.strip().splitlines()) in (3, 4)  # a configuration in three lines
    monkeypatch.chdir(dataset_folder)
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(dataset_folder / "cache"))
    exec(compile(block, "README.md", "exec"), {})
    assert capsys.readouterr().out.strip()


def test_the_collection_example_keeps_one_collection(
    dataset_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    block = next(b for b in code_blocks("python") if '"collection"' in b)
    monkeypatch.chdir(dataset_folder)
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(dataset_folder / "cache"))
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    rows: Any = namespace["wikinews"]
    assert len(rows) > 0
    collection, license_ = rows.features["collection"], rows.features["license"]
    assert {collection.int2str(i) for i in rows["collection"]} == {"wikinews"}
    assert {license_.int2str(i) for i in rows["license"]} == {"CC BY 2.5"}
    assert str(len(rows)) in capsys.readouterr().out


def test_the_fold_and_inventory_examples_load_what_they_say(
    dataset_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(dataset_folder)
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(dataset_folder / "cache"))
    fold_block = next(b for b in code_blocks("python") if 'split="fold0_test"' in b)
    inventory_block = next(b for b in code_blocks("python") if '"inventory"' in b)
    namespace: dict[str, Any] = {}
    exec(compile(fold_block + inventory_block, "README.md", "exec"), namespace)
    splits = json.loads((ROOT / "annotations" / "splits.json").read_text(encoding="utf-8"))
    fold0 = set(splits["folds"][0]["test"])
    assert set(namespace["fold"]["doc_id"]) <= fold0
    inventory = json.loads((ROOT / "annotations" / "inventory.json").read_text(encoding="utf-8"))
    assert namespace["inventory"].num_rows == sum(len(entries) for entries in inventory.values())
