"""Splits: which document belongs to train, dev or test (annotations/splits.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from propos import paths
from propos.errors import ProposError
from propos.fileio import read_json

ALL = "all"


def load_splits(path: Path | None = None) -> dict[str, Any]:
    location = path or paths.splits_file()
    if not location.exists():
        raise ProposError(f"{location}: no splits file (run `propos split`)", exit_code=2)
    return read_json(location)


def split_doc_ids(name: str, path: Path | None = None) -> list[str]:
    """The documents of one split; ``all`` is every cleaned document."""
    if name == ALL:
        return sorted(p.stem for p in paths.clean_dir().glob("*.json"))
    assignments = load_splits(path).get("assignments", {})
    known = sorted(set(assignments.values()))
    if name not in known:
        raise ProposError(
            f"unknown split '{name}' (known: {', '.join([*known, ALL])})", exit_code=2
        )
    return sorted(doc_id for doc_id, split in assignments.items() if split == name)
