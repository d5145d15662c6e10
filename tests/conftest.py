"""Shared fixtures: the real corpus, and throw-away copies of the project to break things in."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from propos.corpus import Corpus

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
DOC_IDS = sorted(p.stem for p in (ROOT / "corpus" / "raw").glob("*.txt"))  # the press articles
ALL_DOC_IDS = sorted(p.stem for p in (ROOT / "annotations" / "gold").glob("*.json"))


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def load_script(path: Path, name: str) -> ModuleType:
    """A script of benchmark/ (not a package) imported as module ``name``, once per session."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's data folders in tmp_path: pass it as --root or Corpus.at()."""
    root = tmp_path / "project"
    for folder in ("corpus/raw", "corpus/clean", "corpus/collections", "annotations"):
        source = ROOT / folder
        if source.exists():
            shutil.copytree(source, root / folder, symlinks=False)
    for name in ("corpus/sources.csv",):
        shutil.copy(ROOT / name, root / name)
    # The external corpora sit beside the corpus, as ../shared does beside the repository.
    (tmp_path / "shared").symlink_to(ROOT.parent / "shared", target_is_directory=True)
    return root


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    """The repository's own corpus."""
    return Corpus.at(ROOT)


@pytest.fixture(scope="session")
def clean_docs() -> dict[str, dict[str, Any]]:
    return {doc_id: load_json(ROOT / "corpus" / "clean" / f"{doc_id}.json") for doc_id in DOC_IDS}


def shown(result: subprocess.CompletedProcess[str]) -> str:
    """A finished command, its exit status and the ends of its output, for assertion messages."""
    command = " ".join(str(part) for part in result.args)
    return (
        f"{command}: exit {result.returncode}\n--- stdout\n{result.stdout[-3000:]}"
        f"\n--- stderr\n{result.stderr[-3000:]}"
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    """The command succeeded without a traceback."""
    assert result.returncode == 0, shown(result)
    assert "Traceback" not in result.stdout + result.stderr, shown(result)
    return result


@pytest.fixture(scope="session")
def release_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's dataset folder (`dist/propos`), built once for the session."""
    from propos.build import build_dataset, corpus_inputs

    out = tmp_path_factory.mktemp("release") / "propos"
    build_dataset(corpus_inputs(Corpus.at(ROOT)), out, show_progress=False)
    return out


def one_error(
    result: subprocess.CompletedProcess[str], *fragments: str, code: int | None = None
) -> str:
    """Bad input: a non-zero exit (``code`` if given), exactly one line on stderr,
    `error: ...` holding every fragment, no traceback; that line."""
    assert result.returncode != 0, shown(result)
    if code is not None:
        assert result.returncode == code, shown(result)
    assert "Traceback" not in result.stdout + result.stderr, shown(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), shown(result)
    for fragment in fragments:
        assert fragment in lines[0], shown(result)
    return lines[0]
