"""The leaderboard: untrusted submissions in, ranked tables out.

A submission is a folder ``benchmark/submissions/<system>/`` with ``meta.json`` and
``predictions.jsonl``. Nothing in it is executed or unpickled: both files are read as bounded
JSON, validated like any submission (schema, offsets, every test document present once), and
every piece of text from ``meta.json`` is escaped before it reaches Markdown. A rejected
submission is listed with its reason (every problem of a bad ``meta.json``, in plain words;
a display name already held, or only looking like one held, by an earlier submission); the
others are still scored.

Cross-validation track: a submission may also hold ``predictions.cv.jsonl``, one prediction for
each document of the folds of ``annotations/splits.json``, each made by the system trained on
the training part of the fold that tests it. Those predictions are pooled and scored once (micro
counts, as the CV figures of ``BASELINES.md``), ranked in their own tables, with each fold's own
figure for the spread.
"""

from __future__ import annotations

import html
import json
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propos.corpus import Corpus
from propos.errors import ProposError
from propos.fileio import JSONDefect, decode_json, read_json, read_jsonl_documents
from propos.split import load_splits
from propos.submission_meta import meta_problems, name_clashes
from propos.validate import CleanTexts, Context, mebibytes, submission_problems

if TYPE_CHECKING:
    from propos.evaluation import GoldSet

SYSTEM_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MAX_META_BYTES = 64 * 1024
MAX_PREDICTIONS_BYTES = 50 * 1024 * 1024
META_FILE = "meta.json"
PREDICTIONS_FILE = "predictions.jsonl"
CV_PREDICTIONS_FILE = "predictions.cv.jsonl"
DECLARED_TASKS = ("ner", "ner-coarse", "quotes", "events")
TASK_LAYER = {"ner": "entities", "ner-coarse": "entities", "quotes": "quotes", "events": "events"}
SIGNIFICANCE_LEVEL = 0.05


@dataclass
class Submission:
    system: str
    folder: Path
    meta: dict[str, Any]
    predictions: dict[str, dict[str, Any]]
    tasks: list[str]
    # Cross-validation: one prediction per document of the folds, each document predicted by
    # the system trained on the training part of the fold that tests it.
    cv_predictions: dict[str, dict[str, Any]] | None = None
    cv_problem: str | None = None

    def on_folds(self) -> Submission:
        """The same system, its cross-validated predictions in place of its test ones."""
        return Submission(self.system, self.folder, self.meta, self.cv_predictions or {},
                          self.tasks)  # fmt: skip


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
        tasks = [task for task in DECLARED_TASKS if task in declared]
    else:
        tasks = [
            task for task in DECLARED_TASKS if task != "ner-coarse"
            and any(document.get(TASK_LAYER[task]) for document in predictions.values())
        ]  # fmt: skip
    if "ner" in tasks and "ner-coarse" in tasks:
        tasks.remove("ner-coarse")  # ner already ranks the coarse types
    return tasks


@dataclass
class Scope:
    """The documents a predictions file must cover, with their texts for validation."""

    texts: CleanTexts
    doc_ids: list[str]


def predictions_problem(path: Path, scope: Scope) -> str | None:
    """Why a predictions file of a submission cannot be scored, or None."""
    try:
        _check_plain_file(path, MAX_PREDICTIONS_BYTES)
    except ValueError as exc:
        return str(exc)
    problems = submission_problems(path, Context(scope.texts, split_doc_ids=scope.doc_ids))
    if not problems:
        return None
    first = problems[0]
    location = first.file.removeprefix(str(path)).lstrip(":")
    place = f"line {location}, " if location else ""
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return f"{path.name}: {place}{first.path}: {first.message}{more}"


def load_submission(
    folder: Path, test: Scope, folds: Scope | None = None
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
    problems = meta_problems(meta)
    if problems:
        count = f"{len(problems)} problems: " if len(problems) > 1 else ""
        return Rejection(system, f"{META_FILE}: {count}{'; '.join(problems)}")
    predictions_path = folder / PREDICTIONS_FILE
    problem = predictions_problem(predictions_path, test)
    if problem:
        return Rejection(system, problem)
    predictions = read_jsonl_documents(predictions_path)
    submission = Submission(system, folder, meta, predictions, _tasks_of(meta, predictions))
    cv_path = folder / CV_PREDICTIONS_FILE
    if folds is not None and (cv_path.exists() or cv_path.is_symlink()):
        submission.cv_problem = predictions_problem(cv_path, folds)
        if submission.cv_problem is None:
            submission.cv_predictions = read_jsonl_documents(cv_path)
    return submission


def unique_names(submissions: list[Submission]) -> tuple[list[Submission], list[Rejection]]:
    """Keep the first holder of each display name (earliest ``date``, then folder name); every
    later submission whose name is the same or looks the same is rejected with the reason."""
    ordered = sorted(submissions, key=lambda s: (s.meta["date"], s.system))
    clashes = name_clashes([(s.system, s.meta["name"]) for s in ordered])
    kept = [s for s in submissions if s.system not in clashes]
    return kept, [Rejection(system, reason) for system, reason in sorted(clashes.items())]


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


def fold_figures(
    entry: Entry, task: str, gold: GoldSet, folds: list[dict[str, Any]]
) -> dict[str, Any]:
    """The task's headline on each fold's test documents alone: its spread over the folds."""
    from propos.evaluation import score_task

    values = []
    for fold in folds:
        ids = fold["test"]
        predicted = entry.submission.predictions
        result = score_task(
            task, {d: gold.documents[d] for d in ids},
            {d: predicted[d] for d in ids if d in predicted},
            {d: gold.paragraphs[d] for d in ids}, resamples=0,
        )  # fmt: skip
        values.append(float(next(iter(result["headline"].values()))["value"]))
    mean = statistics.fmean(values)
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return {"folds": values, "fold_mean": mean, "fold_sd": spread}


def score_cv_entries(
    submissions: list[Submission], gold: GoldSet, folds: list[dict[str, Any]], resamples: int,
    seed: int,
) -> list[Entry]:  # fmt: skip
    """Cross-validated entries: predictions pooled over the folds and scored once against the
    gold of every document (micro counts, as in BASELINES.md), with the per-fold spread."""
    on_folds = [s.on_folds() for s in submissions if s.cv_predictions is not None]
    entries = score_entries(on_folds, gold.documents, gold.paragraphs, resamples, seed)
    for entry in entries:
        for task, scores in entry.scores.items():
            scores.update(fold_figures(entry, task, gold, folds))
    return entries


def folds_gold(corpus: Corpus) -> tuple[GoldSet, list[dict[str, Any]]] | None:
    """The gold of every document the folds test, and the folds; None without folds."""
    from propos.evaluation import GoldSet, load_gold

    folds = load_splits(corpus.splits_file).get("folds", [])
    if not folds:
        return None
    doc_ids = sorted({doc_id for fold in folds for doc_id in fold["test"]})
    cleaned = {doc_id: read_json(corpus.clean_path(doc_id)) for doc_id in doc_ids}
    gold = GoldSet(
        "cv", str(corpus.root), load_gold(doc_ids, corpus.gold_dir),
        {doc_id: document["paragraphs"] for doc_id, document in cleaned.items()},
        {doc_id: document["text"] for doc_id, document in cleaned.items()}, corpus.clean_dir,
    )  # fmt: skip
    return gold, folds


@dataclass
class Board:
    """Ranked rows per task on the test split and cross-validated, and the rejections."""

    tables: dict[str, list[dict[str, Any]]]
    cv_tables: dict[str, list[dict[str, Any]]]
    rejections: list[Rejection]
    n_folds: int = 0
    n_fold_documents: int = 0


# ---------------------------------------------------------------- rendering


def _task_table(rows: list[dict[str, Any]], cv_values: dict[str, float] | None) -> list[str]:
    """The Markdown lines of one test table; ``cv_values`` adds the cross-validated column."""
    unit = rows[0]["unit"]
    cv_head, cv_rule = (" CV F1 |", " --- |") if cv_values is not None else ("", "")
    lines = [
        f"Headline: {markdown_text(rows[0]['name'])}. Intervals over {unit['n_units']}"
        f" {unit['unit']}s, {unit['resamples']} resamples.",
        "",
        f"| rank | system | F1 | 95% interval | ≈ best | p vs best |{cv_head} trained on train"
        " | authors |",
        f"| --- | --- | --- | --- | --- | --- |{cv_rule} --- | --- |",
    ]
    for row in rows:
        meta = row["meta"]
        p_value = "" if row["p_value_vs_best"] is None else f"{row['p_value_vs_best']:.3f}"
        cv_cell = ""
        if cv_values is not None:
            value = cv_values.get(row["system"])
            cv_cell = f" {value:.3f} |" if value is not None else " – |"
        lines.append(
            f"| {row['rank']} | {markdown_link(meta['name'], meta.get('url'))} |"
            f" {row['value']:.3f} | [{row['low']:.3f}, {row['high']:.3f}] |"
            f" {'≈' if row['not_significantly_worse'] else ''} | {p_value} |{cv_cell}"
            f" {'yes' if meta['trained_on_train_split'] else 'no'} |"
            f" {markdown_text(meta['authors'], 80)} |"
        )
    return lines


def _cv_table(rows: list[dict[str, Any]]) -> list[str]:
    unit = rows[0]["unit"]
    lines = [
        f"Headline: {markdown_text(rows[0]['name'])}, pooled over the folds. Intervals over"
        f" {unit['n_units']} {unit['unit']}s, {unit['resamples']} resamples.",
        "",
        "| rank | system | CV F1 | 95% interval | ≈ best | p vs best | per fold: mean ± sd"
        " | per fold: range |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        meta = row["meta"]
        p_value = "" if row["p_value_vs_best"] is None else f"{row['p_value_vs_best']:.3f}"
        lines.append(
            f"| {row['rank']} | {markdown_link(meta['name'], meta.get('url'))} |"
            f" {row['value']:.3f} | [{row['low']:.3f}, {row['high']:.3f}] |"
            f" {'≈' if row['not_significantly_worse'] else ''} | {p_value} |"
            f" {row['fold_mean']:.3f} ± {row['fold_sd']:.3f} |"
            f" {min(row['folds']):.3f}–{max(row['folds']):.3f} |"
        )
    return lines


def render_markdown(board: Board, command: str) -> str:
    from propos.evaluation import TASKS

    lines = [
        "# Leaderboard",
        "",
        f"Generated by `{command}` from `benchmark/submissions/`; do not edit by hand.",
        "Scores are on the test split with 95% bootstrap intervals. A mark (≈) flags systems not",
        f"significantly worse than the best (paired bootstrap, p ≥ {SIGNIFICANCE_LEVEL}).",
        "A CV F1 column, where there is one, gives the cross-validated figure of the systems that",
        f"also submit `{CV_PREDICTIONS_FILE}` (see the cross-validation tables below).",
    ]
    for task, rows in board.tables.items():
        lines += ["", f"## {TASKS[task]['title']}", ""]
        if not rows:
            lines.append("No submission for this task yet.")
            continue
        cv_values = {row["system"]: row["value"] for row in board.cv_tables.get(task, [])}
        lines += _task_table(rows, cv_values or None)
    lines += [
        "",
        f"## Cross-validation ({board.n_folds} folds)",
        "",
        f"The test split alone is small, so systems may also submit `{CV_PREDICTIONS_FILE}`: one"
        f" prediction for each of the {board.n_fold_documents} documents of the folds of",
        "`annotations/splits.json`, each made by the system trained on the training part of the"
        " fold that tests it.",
        "The predictions are pooled and scored once against the gold of every document (micro"
        " counts, as the CV figures of",
        "`benchmark/BASELINES.md`), ranked by that figure; the mean ± standard deviation and the"
        " range of the folds' own",
        "figures show the spread. Documents of the test split are in the folds too: a system"
        " tuned on the test split",
        "scores too high here.",
    ]
    for task, rows in board.cv_tables.items():
        lines += ["", f"### {TASKS[task]['title']}, cross-validated", ""]
        lines += _cv_table(rows) if rows else ["No cross-validated submission for this task yet."]
    lines += ["", "## Systems", ""]
    described = {row["system"]: row["meta"] for rows in board.tables.values() for row in rows}
    for _, meta in sorted(described.items()):
        lines.append(f"- **{markdown_text(meta['name'], 80)}** ({markdown_text(meta['date'], 10)}):"
                     f" {markdown_text(meta['description'], 600)}")  # fmt: skip
    if board.rejections:
        lines += ["", "## Rejected submissions", ""]
        for rejection in board.rejections:
            lines.append(
                f"- `{markdown_text(rejection.system, 64)}`: {markdown_text(rejection.reason, 600)}"
            )
    return "\n".join(lines) + "\n"


def _json_rows(tables: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return {
        task: [
            {key: value for key, value in row.items() if key != "meta"}
            | {"name": row["meta"]["name"]}
            for row in rows
        ]
        for task, rows in tables.items()
    }


def render_json(board: Board) -> str:
    tasks = _json_rows(board.tables)
    for task, rows in tasks.items():
        cv_values = {row["system"]: row["value"] for row in board.cv_tables.get(task, [])}
        for row in rows:
            row["cv_value"] = cv_values.get(row["system"])
    payload = {
        "tasks": tasks,
        "cross_validation": {
            "folds": board.n_folds,
            "documents": board.n_fold_documents,
            "pooling": "micro counts of the pooled fold predictions",
            "tasks": _json_rows(board.cv_tables),
        },
        "rejected": [{"system": r.system, "reason": r.reason} for r in board.rejections],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def build_leaderboard(
    corpus: Corpus, submissions_dir: Path, split: str = "test", resamples: int = 1000,
    seed: int = 0,
) -> Board:  # fmt: skip
    from propos.evaluation import TASKS, gold_from_corpus

    gold = gold_from_corpus(corpus, split)
    test = Scope(CleanTexts.from_texts(gold.texts), gold.doc_ids)
    on_folds = folds_gold(corpus)
    folds = (
        Scope(CleanTexts.from_texts(on_folds[0].texts), on_folds[0].doc_ids) if on_folds else None
    )
    loaded: list[Submission] = []
    rejections: list[Rejection] = []
    for folder in discover(submissions_dir):
        found = load_submission(folder, test, folds)
        (loaded if isinstance(found, Submission) else rejections).append(found)  # type: ignore[arg-type]
    accepted, clashes = unique_names(loaded)
    rejections += clashes
    rejections += [Rejection(s.system, s.cv_problem) for s in accepted if s.cv_problem]
    rejections.sort(key=lambda rejection: rejection.system)
    entries = score_entries(accepted, gold.documents, gold.paragraphs, resamples, seed)
    tables = {
        task: rank(entries, task, gold.documents, gold.paragraphs, resamples, seed)
        for task in TASKS
    }
    cv_tables: dict[str, list[dict[str, Any]]] = {}
    if on_folds:
        cv_gold, fold_list = on_folds
        cv_entries = score_cv_entries(accepted, cv_gold, fold_list, resamples, seed)
        cv_tables = {
            task: rank(cv_entries, task, cv_gold.documents, cv_gold.paragraphs, resamples, seed)
            for task in TASKS
        }
    n_folds = len(on_folds[1]) if on_folds else 0
    n_documents = len(on_folds[0].doc_ids) if on_folds else 0
    return Board(tables, cv_tables, rejections, n_folds, n_documents)
