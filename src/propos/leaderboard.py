"""The leaderboard: untrusted submissions in, ranked tables out.

A submission is a folder ``benchmark/submissions/<system>/`` with ``meta.json`` and
``predictions.jsonl``. Nothing in it is executed or unpickled: both files are read as bounded
JSON, validated like any submission (schema, offsets, every test document present once), and
every piece of text from ``meta.json`` is escaped before it reaches Markdown. A rejected
submission is listed with its reason; the others are still scored.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from propos import schema
from propos.fileio import JSONDefect, decode_json
from propos.validate import Context, Corpus, submission_problems

SYSTEM_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MAX_META_BYTES = 64 * 1024
MAX_PREDICTIONS_BYTES = 50 * 1024 * 1024
META_FILE = "meta.json"
PREDICTIONS_FILE = "predictions.jsonl"
TASKS = ("ner", "quotes", "events")
TASK_LAYER = {"ner": "entities", "quotes": "quotes", "events": "events"}
SIGNIFICANCE_LEVEL = 0.05


@dataclass
class Submission:
    system: str
    folder: Path
    meta: dict[str, Any]
    predictions: dict[str, dict[str, Any]]
    tasks: list[str]


@dataclass
class Rejection:
    system: str
    reason: str


@dataclass
class Entry:
    submission: Submission
    scores: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- reading untrusted folders


def discover(submissions_dir: Path) -> list[Path]:
    if not submissions_dir.is_dir():
        return []
    return sorted(path for path in submissions_dir.iterdir() if not path.name.startswith("."))


def _bounded_json(path: Path, limit: int) -> Any:
    if path.is_symlink():
        raise ValueError(f"{path.name} is a symbolic link")
    if not path.is_file():
        raise ValueError(f"{path.name} is missing")
    size = path.stat().st_size
    if size > limit:
        raise ValueError(f"{path.name} is too large ({size / 1e6:.1f} MB > {limit / 1e6:.1f} MB)")
    try:
        return decode_json(path.read_bytes())
    except JSONDefect as exc:
        raise ValueError(f"{path.name}: {exc.location}: {exc.message}") from exc


def _tasks_of(meta: dict[str, Any], predictions: dict[str, dict[str, Any]]) -> list[str]:
    declared = meta.get("tasks")
    if declared:
        return [task for task in TASKS if task in declared]
    return [
        task for task in TASKS
        if any(document.get(TASK_LAYER[task]) for document in predictions.values())
    ]  # fmt: skip


def load_submission(
    folder: Path, corpus: Corpus, test_doc_ids: list[str]
) -> Submission | Rejection:
    system = folder.name
    if folder.is_symlink() or not folder.is_dir():
        return Rejection(system, "not a plain folder")
    if not SYSTEM_NAME.fullmatch(system):
        return Rejection(system, "folder name must be lower-case letters, digits, '.', '_' or '-'")
    try:
        meta = _bounded_json(folder / META_FILE, MAX_META_BYTES)
    except ValueError as exc:
        return Rejection(system, str(exc))
    meta_errors = [error.message for error in schema.validator("submission-meta").iter_errors(meta)]
    if meta_errors:
        return Rejection(system, f"meta.json: {meta_errors[0]}")
    predictions_path = folder / PREDICTIONS_FILE
    try:
        if predictions_path.is_symlink():
            raise ValueError(f"{PREDICTIONS_FILE} is a symbolic link")
        if not predictions_path.is_file():
            raise ValueError(f"{PREDICTIONS_FILE} is missing")
        size = predictions_path.stat().st_size
        if size > MAX_PREDICTIONS_BYTES:
            raise ValueError(
                f"{PREDICTIONS_FILE} is too large ({size / 1e6:.1f} MB > "
                f"{MAX_PREDICTIONS_BYTES / 1e6:.0f} MB)"
            )
    except ValueError as exc:
        return Rejection(system, str(exc))
    problems = submission_problems(predictions_path, Context(corpus, split_doc_ids=test_doc_ids))
    if problems:
        first = problems[0]
        location = first.file.removeprefix(str(predictions_path)).lstrip(":")
        place = f"line {location}, " if location else ""
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        return Rejection(system, f"{PREDICTIONS_FILE}: {place}{first.path}: {first.message}{more}")
    predictions = {}
    for line in predictions_path.read_bytes().splitlines():
        if line.strip():
            document = json.loads(line)
            predictions[document["doc_id"]] = document
    return Submission(system, folder, meta, predictions, _tasks_of(meta, predictions))


# ---------------------------------------------------------------- safe Markdown

MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def markdown_text(value: Any, limit: int = 200) -> str:
    """Plain text for a Markdown table cell: one line, HTML-escaped, Markdown specials escaped."""
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text, quote=True))


def markdown_link(name: str, url: str | None) -> str:
    label = markdown_text(name, 80)
    if not url or not re.fullmatch(r"https?://[^\s<>\"()\[\]|]+", url):
        return label
    return f"[{label}](<{url}>)"


# ---------------------------------------------------------------- ranking


Scorer = Callable[[dict[str, dict[str, Any]]], dict[str, Any]]
Comparer = Callable[[dict[str, dict[str, Any]], dict[str, dict[str, Any]], str], float]


def rank(
    entries: list[Entry], task: str, headline: Callable[[dict[str, Any]], dict[str, Any]],
    compare: Comparer,
) -> list[dict[str, Any]]:  # fmt: skip
    """Rows of one task's table, best first, each marked when not significantly worse."""
    scored = [
        (headline(entry.scores[task]), entry) for entry in entries if task in entry.submission.tasks
    ]
    scored.sort(key=lambda item: (-item[0]["value"], item[1].submission.system))
    rows = []
    best = scored[0][1] if scored else None
    for position, (figure, entry) in enumerate(scored, start=1):
        if best is None or entry is best:
            p_value = None
            tied = True
        else:
            p_value = compare(best.submission.predictions, entry.submission.predictions, task)
            tied = p_value >= SIGNIFICANCE_LEVEL
        rows.append(
            {"rank": position, "system": entry.submission.system, "figure": figure,
             "p_value_vs_best": p_value, "not_significantly_worse": tied, "entry": entry}
        )  # fmt: skip
    return rows
