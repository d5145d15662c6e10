"""The README cannot rot: its quick start and its loading examples are checked here."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from typer.main import get_command

from propos import build
from propos.cli import app
from propos.corpus import Corpus

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
def dataset_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("readme")
    build.build_dataset(
        build.corpus_inputs(Corpus.at(ROOT)), root / "dist" / "propos", show_progress=False
    )
    return root


@pytest.mark.parametrize("block", code_blocks("python"), ids=lambda b: b.splitlines()[1][:30])
def test_loading_examples_run(
    block: str,
    dataset_folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert len(block.strip().splitlines()) == 3
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
    rows = namespace["wikinews"]
    assert len(rows) > 0  # type: ignore[arg-type]
    assert set(rows["collection"]) == {"wikinews"}  # type: ignore[index]
    assert set(rows["license"]) == {"CC BY 2.5"}  # type: ignore[index]
    assert "CC BY 2.5" in capsys.readouterr().out
