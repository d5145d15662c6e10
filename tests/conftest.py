"""Shared fixtures: the real corpus, and throw-away copies of the project to break things in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from propos import paths

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
DOC_IDS = sorted(p.stem for p in (ROOT / "corpus" / "raw").glob("*.txt"))


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's data folders in tmp_path, with PROPOS_ROOT pointing at it."""
    root = tmp_path / "project"
    for folder in ("corpus/raw", "corpus/clean", "annotations"):
        source = ROOT / folder
        if source.exists():
            shutil.copytree(source, root / folder)
    monkeypatch.setenv("PROPOS_ROOT", str(root))
    assert paths.project_root() == root.resolve()
    return root


@pytest.fixture(scope="session")
def clean_docs() -> dict[str, dict[str, Any]]:
    return {doc_id: load_json(ROOT / "corpus" / "clean" / f"{doc_id}.json") for doc_id in DOC_IDS}
