"""Every file location of the project, in one place.

The project root is the folder holding ``pyproject.toml`` (the package is installed in
editable mode from it); ``PROPOS_ROOT`` points the data folders (corpus, annotations, benchmark,
dist) elsewhere, which tests and the scale benchmark use to work on copies.
"""

from __future__ import annotations

import os
from pathlib import Path

CODE_ROOT = Path(__file__).resolve().parents[2]


def project_root() -> Path:
    override = os.environ.get("PROPOS_ROOT")
    if override:
        return Path(override).resolve()
    return CODE_ROOT


def shared_dir() -> Path:
    return project_root().parent / "shared"


def raw_dir() -> Path:
    return project_root() / "corpus" / "raw"


def clean_dir() -> Path:
    return project_root() / "corpus" / "clean"


def sources_file() -> Path:
    return project_root() / "corpus" / "sources.csv"


def annotations_dir() -> Path:
    return project_root() / "annotations"


def schema_dir() -> Path:
    """The schemas belong to the code: they do not follow PROPOS_ROOT."""
    return CODE_ROOT / "annotations" / "schema"


def gold_dir() -> Path:
    return annotations_dir() / "gold"


def inventory_file() -> Path:
    return annotations_dir() / "inventory.json"


def splits_file() -> Path:
    return annotations_dir() / "splits.json"


def benchmark_dir() -> Path:
    return project_root() / "benchmark"


def submissions_dir() -> Path:
    return benchmark_dir() / "submissions"


def dist_dir() -> Path:
    return project_root() / "dist" / "propos"
