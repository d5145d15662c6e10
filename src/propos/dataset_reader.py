"""Reading a built dataset folder back as plain records, without the `datasets` cache.

A submitter who has the released dataset and `pip install propos`, not the repository, scores
against it: the rows of the ``documents`` config carry the text, paragraphs and every layer.
Class labels are stored as integers; their names come from the features that `datasets` wrote
into each Parquet file, so a folder is read the way it was built.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from propos.errors import ProposError


def part_file(config: str, split: str, index: int) -> str:
    """Where a config's split keeps the rows of partition ``index`` (from 0) of the build."""
    return f"data/{config}/{split}-{index:05d}.parquet"


def data_files(config: str, split: str) -> str:
    """The glob of a config's split, as the card's ``data_files`` give it."""
    return f"data/{config}/{split}-*.parquet"


def data_file(config: str, split: str) -> str:
    """A split written as one file (folders built before the parts, or by hand); read too."""
    return f"data/{config}/{split}.parquet"


def split_parts(folder: Path, config: str) -> dict[str, list[Path]]:
    """Every split of a config in the folder and its Parquet parts, in order."""
    found: dict[str, list[Path]] = {}
    for path in sorted((folder / "data" / config).glob("*.parquet")):
        split, _, index = path.stem.rpartition("-")
        is_part = split and len(index) == 5 and index.isdigit()  # see `part_file`
        found.setdefault(split if is_part else path.stem, []).append(path)
    return found


def read_rows(folder: Path, config: str, split: str) -> list[dict[str, Any]]:
    """Rows of one config and split, with class labels turned back into their names."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    known = split_parts(folder, config)
    if split not in known:
        hint = f" (splits there: {', '.join(sorted(known))})" if known else ""
        raise ProposError(
            f"{folder}: no split '{split}' of config '{config}' ({data_files(config, split)}"
            f" missing){hint}; is this a dataset folder written by `propos build`?",
            exit_code=2,
        )
    tables = []
    for path in known[split]:
        try:
            tables.append(pq.read_table(path))
        except (OSError, pa.ArrowException) as exc:
            raise ProposError(f"{path}: not a readable Parquet file ({exc})") from exc
    features = _features(tables[0].schema.metadata or {})
    return [_decode(row, features) for table in tables for row in table.to_pylist()]


def read_documents(folder: Path, split: str) -> list[dict[str, Any]]:
    return read_rows(folder, "documents", split)


def _features(metadata: dict[bytes, bytes]) -> dict[str, Any]:
    raw = metadata.get(b"huggingface")
    if raw is None:
        return {}
    return json.loads(raw).get("info", {}).get("features", {})


def _decode(value: Any, feature: Any) -> Any:
    if value is None or not feature:
        return value
    if isinstance(feature, dict) and feature.get("_type") == "ClassLabel":
        return feature["names"][value] if isinstance(value, int) else value
    if isinstance(feature, dict) and feature.get("_type") in ("List", "Sequence"):
        return [_decode(item, feature.get("feature")) for item in value]
    if isinstance(feature, list) and feature:
        return [_decode(item, feature[0]) for item in value]
    if isinstance(feature, dict) and isinstance(value, dict):
        return {key: _decode(item, feature.get(key)) for key, item in value.items()}
    return value
