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


def data_file(config: str, split: str) -> str:
    """Where a config's split lives inside the dataset folder."""
    return f"data/{config}/{split}.parquet"


def read_rows(folder: Path, config: str, split: str) -> list[dict[str, Any]]:
    """Rows of one config and split, with class labels turned back into their names."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / data_file(config, split)
    if not path.is_file():
        known = sorted(p.stem for p in (folder / "data" / config).glob("*.parquet"))
        hint = f" (splits there: {', '.join(known)})" if known else ""
        raise ProposError(
            f"{folder}: no split '{split}' of config '{config}' ({data_file(config, split)}"
            f" missing){hint}; is this a dataset folder written by `propos build`?",
            exit_code=2,
        )
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise ProposError(f"{path}: not a readable Parquet file ({exc})") from exc
    features = _features(table.schema.metadata or {})
    return [_decode(row, features) for row in table.to_pylist()]


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
