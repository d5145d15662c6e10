"""The leaderboard scores honest submissions and rejects hostile ones with a clear reason."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from propos.cli import app
from propos.leaderboard import markdown_text

from .conftest import ROOT, load_json

runner = CliRunner()
SPLITS = load_json(ROOT / "annotations" / "splits.json")["assignments"]
TEST_DOCS = sorted(d for d, s in SPLITS.items() if s == "test")


def meta(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "authors": "Test suite", "description": "A toy submission.",
            "date": "2026-11-23", "trained_on_train_split": False, **extra}  # fmt: skip


def pass_documents(which: str) -> list[dict[str, Any]]:
    return [load_json(ROOT / "annotations" / "passes" / which / f"{d}.json") for d in TEST_DOCS]


def write_submission(
    root: Path, system: str, metadata: Any, documents: list[dict[str, Any]]
) -> Path:
    folder = root / "benchmark" / "submissions" / system
    folder.mkdir(parents=True)
    text = metadata if isinstance(metadata, str) else json.dumps(metadata)
    (folder / "meta.json").write_text(text, encoding="utf-8")
    lines = [json.dumps(d, ensure_ascii=False) for d in documents]
    (folder / "predictions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def weakened(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for document in documents:
        kept = document["entities"][::3]
        ids = {e["id"] for e in kept}
        events = [
            {**e, "arguments": [a for a in e["arguments"] if a["entity"] in ids]}
            for e in document["events"]
        ]
        result.append(
            {**document, "entities": kept, "events": events[::2], "quotes": document["quotes"][::2]}
        )
    return result


HOSTILE_NAME = "<script>alert(1)</script> | ![pwn](http://evil.example/x.png)\n# Owned"


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("board")
    for folder in ("corpus/clean", "annotations"):
        os.makedirs(root / folder, exist_ok=True)
    import shutil

    shutil.copytree(ROOT / "corpus" / "clean", root / "corpus" / "clean", dirs_exist_ok=True)
    shutil.copytree(ROOT / "annotations", root / "annotations", dirs_exist_ok=True)
    write_submission(
        root, "pass-a", meta("Pass A", url="https://example.org/a"), pass_documents("a")
    )
    write_submission(
        root,
        "weak",
        meta(HOSTILE_NAME, description="desc | with `code` and\n## heading"),
        weakened(pass_documents("b")),
    )
    write_submission(root, "ner-only", meta("NER only", tasks=["ner"]), pass_documents("b"))
    traversal = pass_documents("a")
    traversal[0] = {**traversal[0], "doc_id": "../../etc/passwd"}
    write_submission(root, "traversal", meta("Traversal"), traversal)
    write_submission(root, "missing", meta("Missing"), pass_documents("a")[:1])
    write_submission(root, "bad-meta", "{not json", pass_documents("a"))
    write_submission(root, "js-url", meta("JS", url="javascript:alert(1)"), pass_documents("a"))
    huge = write_submission(root, "huge", meta("Huge"), pass_documents("a"))
    with (huge / "predictions.jsonl").open("r+b") as handle:
        handle.truncate(51 * 1024 * 1024)
    linked = write_submission(root, "linked", meta("Linked"), [])
    (linked / "predictions.jsonl").unlink()
    (linked / "predictions.jsonl").symlink_to(ROOT / "README.md")
    write_submission(root, "Bad Name", meta("Bad"), pass_documents("a"))
    result = runner.invoke(app, ["leaderboard", "--root", str(root), "--resamples", "200"])
    assert result.exit_code == 0, result.stderr
    return {
        "stderr": result.stderr,
        "markdown": (root / "benchmark" / "LEADERBOARD.md").read_text(encoding="utf-8"),
        "json": json.loads((root / "benchmark" / "leaderboard.json").read_text(encoding="utf-8")),
    }


def test_honest_submissions_are_ranked(board: dict[str, Any]) -> None:
    tasks = board["json"]["tasks"]
    assert tasks["ner"][0]["system"] in {"pass-a", "ner-only"}
    assert {row["system"] for row in tasks["ner"]} == {"pass-a", "weak", "ner-only"}
    assert {row["system"] for row in tasks["quotes"]} == {"pass-a", "weak"}
    weak = next(row for row in tasks["events"] if row["system"] == "weak")
    assert (
        weak["rank"] == 2 and weak["p_value_vs_best"] < 0.05 and not weak["not_significantly_worse"]
    )
    for rows in tasks.values():
        for row in rows:
            assert row["low"] <= row["value"] <= row["high"]


@pytest.mark.parametrize(
    ("system", "reason"),
    [
        ("traversal", "does not match"),
        ("missing", "of the split is missing"),
        ("bad-meta", "invalid JSON"),
        ("js-url", "'url' should be a web address"),
        ("huge", "too large"),
        ("linked", "symbolic link"),
        ("Bad Name", "folder name"),
    ],
)
def test_hostile_submissions_are_rejected_with_a_reason(
    board: dict[str, Any], system: str, reason: str
) -> None:
    rejected = {r["system"]: r["reason"] for r in board["json"]["rejected"]}
    assert reason in rejected[system]
    assert system not in {row["system"] for rows in board["json"]["tasks"].values() for row in rows}


def test_metadata_cannot_inject_markup(board: dict[str, Any]) -> None:
    text = board["markdown"]
    assert "<script>" not in text
    assert "![pwn]" not in text
    assert "\n# Owned" not in text and "\n## heading" not in text
    for line in text.splitlines():
        if line.startswith("| ") and "alert" in line:
            assert line.count(" | ") == 7, line  # the name's pipe did not add a column
    assert "[Pass A](<https://example.org/a>)" in text


def test_markdown_text_escapes() -> None:
    assert markdown_text("a|b") == "a\\|b"
    assert markdown_text("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert markdown_text("line\nbreak") == "line break"
