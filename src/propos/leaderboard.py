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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from propos import schema
from propos.corpus import Corpus
from propos.errors import ProposError
from propos.fileio import JSONDefect, decode_json, read_jsonl_documents
from propos.validate import CleanTexts, Context, mebibytes, submission_problems

SYSTEM_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MAX_META_BYTES = 64 * 1024
MAX_PREDICTIONS_BYTES = 50 * 1024 * 1024
META_FILE = "meta.json"
PREDICTIONS_FILE = "predictions.jsonl"
DECLARED_TASKS = ("ner", "quotes", "events")
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
        raise ProposError(f"{submissions_dir}: no such folder of submissions", exit_code=2)
    return sorted(path for path in submissions_dir.iterdir() if not path.name.startswith("."))


def _check_plain_file(path: Path, limit: int) -> None:
    """A submitted file must be a plain file (no link out of the folder) within the bound."""
    if path.is_symlink():
        raise ValueError(f"{path.name} is a symbolic link")
    if not path.is_file():
        raise ValueError(f"{path.name} is missing")
    size = path.stat().st_size
    if size > limit:
        raise ValueError(f"{path.name} is too large ({mebibytes(size)} > {mebibytes(limit)})")


def _bounded_json(path: Path, limit: int) -> Any:
    _check_plain_file(path, limit)
    try:
        return decode_json(path.read_bytes())
    except JSONDefect as exc:
        raise ValueError(f"{path.name}: {exc.location}: {exc.message}") from exc


def _tasks_of(meta: dict[str, Any], predictions: dict[str, dict[str, Any]]) -> list[str]:
    declared = meta.get("tasks")
    if declared:
        return [task for task in DECLARED_TASKS if task in declared]
    return [
        task for task in DECLARED_TASKS
        if any(document.get(TASK_LAYER[task]) for document in predictions.values())
    ]  # fmt: skip


def load_submission(
    folder: Path, corpus: CleanTexts, test_doc_ids: list[str]
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
        _check_plain_file(predictions_path, MAX_PREDICTIONS_BYTES)
    except ValueError as exc:
        return Rejection(system, str(exc))
    problems = submission_problems(predictions_path, Context(corpus, split_doc_ids=test_doc_ids))
    if problems:
        first = problems[0]
        location = first.file.removeprefix(str(predictions_path)).lstrip(":")
        place = f"line {location}, " if location else ""
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        return Rejection(system, f"{PREDICTIONS_FILE}: {place}{first.path}: {first.message}{more}")
    predictions = read_jsonl_documents(predictions_path)
    return Submission(system, folder, meta, predictions, _tasks_of(meta, predictions))


# ---------------------------------------------------------------- safe Markdown

# Newlines are folded first, so only what can open a construct inside a line needs escaping.
LINKABLE_URL = re.compile(r"https?://[^\s<>\"()\[\]|]+")
MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]|~])")


def markdown_text(value: Any, limit: int = 200) -> str:
    """Plain text for a Markdown table cell: one line, HTML-escaped, Markdown specials escaped."""
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text, quote=False))


def markdown_link(name: str, url: str | None) -> str:
    label = markdown_text(name, 80)
    if not url or not LINKABLE_URL.fullmatch(url):
        return label
    return f"[{label}](<{url}>)"


# ---------------------------------------------------------------- scoring and ranking


def score_entries(
    submissions: list[Submission],
    gold: dict[str, dict[str, Any]],
    paragraphs: dict[str, list[Any]],
    resamples: int,
    seed: int,
) -> list[Entry]:
    from propos.evaluation import TASK_OF_DECLARED, TASKS, score_task

    entries = []
    for submission in submissions:
        entry = Entry(submission)
        for declared in submission.tasks:
            for task in TASK_OF_DECLARED[declared]:
                result = score_task(task, gold, submission.predictions, paragraphs, resamples, seed)
                layer = next(iter(result["headline"]))
                headline = dict(result["headline"][layer])
                if TASKS[task]["coarse"]:
                    headline["name"] = "strict micro F1, coarse types (GPE, LOC, FAC as LOC)"
                entry.scores[task] = {**headline, "unit": result["bootstrap"]}
        entries.append(entry)
    return entries


def rank(
    entries: list[Entry], task: str, gold: dict[str, dict[str, Any]],
    paragraphs: dict[str, list[Any]], resamples: int, seed: int,
) -> list[dict[str, Any]]:  # fmt: skip
    """Rows of one task's table, best first; each is tested against the best by paired bootstrap."""
    from propos.evaluation import compare_task

    scored = sorted(
        (entry for entry in entries if task in entry.scores),
        key=lambda entry: (-entry.scores[task]["value"], entry.submission.system),
    )
    rows = []
    for position, entry in enumerate(scored, start=1):
        p_value = None
        if position > 1:
            p_value = compare_task(
                task, gold, scored[0].submission.predictions, entry.submission.predictions,
                paragraphs, resamples, seed,
            )  # fmt: skip
        rows.append(
            {"rank": position, "system": entry.submission.system, **entry.scores[task],
             "p_value_vs_best": p_value,
             "not_significantly_worse": p_value is None or p_value >= SIGNIFICANCE_LEVEL,
             "meta": entry.submission.meta}
        )  # fmt: skip
    return rows


# ---------------------------------------------------------------- rendering


def render_markdown(
    tables: dict[str, list[dict[str, Any]]], rejections: list[Rejection], command: str
) -> str:
    from propos.evaluation import TASKS

    lines = [
        "# Leaderboard",
        "",
        f"Generated by `{command}` from `benchmark/submissions/`; do not edit by hand.",
        "Scores are on the test split with 95% bootstrap intervals. A mark (≈) flags systems not",
        f"significantly worse than the best (paired bootstrap, p ≥ {SIGNIFICANCE_LEVEL}).",
    ]
    for task, rows in tables.items():
        lines += ["", f"## {TASKS[task]['title']}", ""]
        if not rows:
            lines.append("No submission for this task yet.")
            continue
        unit = rows[0]["unit"]
        lines += [
            f"Headline: {markdown_text(rows[0]['name'])}. Intervals over {unit['n_units']}"
            f" {unit['unit']}s, {unit['resamples']} resamples.",
            "",
            "| rank | system | F1 | 95% interval | ≈ best | p vs best | trained on train"
            " | authors |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for row in rows:
            meta = row["meta"]
            p_value = "" if row["p_value_vs_best"] is None else f"{row['p_value_vs_best']:.3f}"
            lines.append(
                f"| {row['rank']} | {markdown_link(meta['name'], meta.get('url'))} |"
                f" {row['value']:.3f} | [{row['low']:.3f}, {row['high']:.3f}] |"
                f" {'≈' if row['not_significantly_worse'] else ''} | {p_value} |"
                f" {'yes' if meta['trained_on_train_split'] else 'no'} |"
                f" {markdown_text(meta['authors'], 80)} |"
            )
    lines += ["", "## Systems", ""]
    described = {row["system"]: row["meta"] for rows in tables.values() for row in rows}
    for _, meta in sorted(described.items()):
        lines.append(f"- **{markdown_text(meta['name'], 80)}** ({markdown_text(meta['date'], 10)}):"
                     f" {markdown_text(meta['description'], 600)}")  # fmt: skip
    if rejections:
        lines += ["", "## Rejected submissions", ""]
        for rejection in rejections:
            lines.append(
                f"- `{markdown_text(rejection.system, 64)}`: {markdown_text(rejection.reason, 300)}"
            )
    return "\n".join(lines) + "\n"


def render_json(tables: dict[str, list[dict[str, Any]]], rejections: list[Rejection]) -> str:
    payload = {
        "tasks": {
            task: [
                {key: value for key, value in row.items() if key != "meta"}
                | {"name": row["meta"]["name"]}
                for row in rows
            ]
            for task, rows in tables.items()
        },
        "rejected": [{"system": r.system, "reason": r.reason} for r in rejections],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def build_leaderboard(
    corpus: Corpus, submissions_dir: Path, split: str = "test", resamples: int = 1000,
    seed: int = 0,
) -> tuple[dict[str, list[dict[str, Any]]], list[Rejection]]:  # fmt: skip
    from propos.evaluation import TASKS, gold_from_corpus

    gold = gold_from_corpus(corpus, split)
    texts = CleanTexts.from_texts(gold.texts)
    accepted: list[Submission] = []
    rejections: list[Rejection] = []
    for folder in discover(submissions_dir):
        loaded = load_submission(folder, texts, gold.doc_ids)
        (accepted if isinstance(loaded, Submission) else rejections).append(loaded)  # type: ignore[arg-type]
    entries = score_entries(accepted, gold.documents, gold.paragraphs, resamples, seed)
    tables = {
        task: rank(entries, task, gold.documents, gold.paragraphs, resamples, seed)
        for task in TASKS
    }
    return tables, rejections
