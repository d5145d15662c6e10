"""Scoring a submission against the gold of a split: the glue between files and metrics."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from propos import schema
from propos.corpus import Corpus
from propos.engine import SERIAL, Engine, partitions, run_tasks, shared_cluster
from propos.errors import ProposError
from propos.fileio import read_json, read_jsonl_documents, sha256_text
from propos.split import split_doc_ids
from propos.validate import CleanTexts, Context, submission_problems

Documents = dict[str, dict[str, Any]]

# A leaderboard task: the annotation layer it scores and whether entity types are coarsened.
TASKS: dict[str, dict[str, Any]] = {
    "ner": {"layer": "entities", "coarse": False, "title": "Named entities (fine types)"},
    "ner-coarse": {
        "layer": "entities",
        "coarse": True,
        "title": "Named entities (coarse CoNLL types)",
    },
    "quotes": {"layer": "quotes", "coarse": False, "title": "Quotations"},
    "events": {"layer": "events", "coarse": False, "title": "Events"},
}
COARSE_HEADLINE = "strict micro F1, coarse types (SemEval-2013 strict scheme)"
DOCUMENTS_PER_CHUNK = 1000  # documents a streamed scoring task reads
TASK_OF_DECLARED = {
    "ner": ("ner", "ner-coarse"),
    "ner-coarse": ("ner-coarse",),  # a system that predicts coarse types only
    "quotes": ("quotes",),
    "events": ("events",),
}


def load_gold(doc_ids: list[str], gold_dir: Path) -> Documents:
    return {doc_id: read_json(gold_dir / f"{doc_id}.json") for doc_id in doc_ids}


def load_paragraphs(doc_ids: list[str], clean_dir: Path) -> dict[str, list[Any]]:
    return {doc_id: read_json(clean_dir / f"{doc_id}.json")["paragraphs"] for doc_id in doc_ids}


def coarsened(documents: Documents) -> Documents:
    """The same documents with entity types mapped onto the coarse set (GPE, FAC -> LOC)."""
    result = copy.deepcopy(documents)
    for document in result.values():
        for entity in document.get("entities") or []:
            entity["type"] = schema.COARSE_TYPE.get(entity["type"], entity["type"])
    return result


@dataclass
class GoldSet:
    """The gold of one split: annotations, paragraphs and texts, from wherever they came."""

    split: str
    source: str
    documents: Documents
    paragraphs: dict[str, list[Any]]
    texts: dict[str, str]
    # Where a submission's documents are looked up: the whole corpus when there is one, so that
    # a document of another split is named as such.
    clean_dir: Path | None = None

    @property
    def doc_ids(self) -> list[str]:
        return sorted(self.documents)


def gold_from_corpus(corpus: Corpus, split: str) -> GoldSet:
    doc_ids = split_doc_ids(split, corpus.splits_file, corpus.clean_dir)
    cleaned = {doc_id: read_json(corpus.clean_path(doc_id)) for doc_id in doc_ids}
    return GoldSet(
        split,
        str(corpus.root),
        load_gold(doc_ids, corpus.gold_dir),
        {doc_id: document["paragraphs"] for doc_id, document in cleaned.items()},
        {doc_id: document["text"] for doc_id, document in cleaned.items()},
        corpus.clean_dir,
    )


def gold_from_dataset(folder: Path, split: str) -> GoldSet:
    """The gold of a split from a built dataset folder (what `propos build` writes)."""
    from propos.dataset_reader import read_documents

    rows = read_documents(folder, split)
    documents = {
        row["doc_id"]: {
            "doc_id": row["doc_id"],
            "text_sha256": sha256_text(row["text"]),
            "entities": row["entities"],
            "quotes": row["quotes"],
            "events": row["events"],
        }
        for row in rows
    }
    return GoldSet(
        split,
        str(folder),
        documents,
        {row["doc_id"]: row["paragraphs"] for row in rows},
        {row["doc_id"]: row["text"] for row in rows},
    )


def read_predictions(path: Path, gold: GoldSet) -> Documents:
    """A validated submission file; every problem is reported in one ProposError."""
    texts = CleanTexts(gold.clean_dir) if gold.clean_dir else CleanTexts.from_texts(gold.texts)
    check_submission(path, texts, gold.doc_ids)
    return read_jsonl_documents(path)


def check_submission(
    path: Path, texts: CleanTexts, doc_ids: list[str], engine: Engine = SERIAL
) -> None:
    """Raise one ProposError naming the first problems of a submission for these documents;
    the file is read a line at a time (runs of lines as tasks on ``engine``)."""
    problems = submission_problems(path, Context(texts, split_doc_ids=doc_ids), engine)
    if problems:
        listed = "; ".join(_place(problem, path) for problem in problems[:3])
        more = f" (and {len(problems) - 3} more; `propos validate` lists all)"
        raise ProposError(
            f"{path}: invalid submission: {listed}{more if len(problems) > 3 else ''}"
        )


def _place(problem: Any, path: Path) -> str:
    """A problem of ``path`` without the file name repeated: ``line 3, $.entities[0]: ...``."""
    line = problem.file.removeprefix(str(path)).lstrip(":")
    where = problem.path if problem.path != "$" or not line else ""
    return ", ".join(part for part in (f"line {line}" if line else "", where) if part) + (
        f": {problem.message}"
    )


def score_task(
    task: str, gold: Documents, predictions: Documents, paragraphs: dict[str, list[Any]],
    resamples: int = 1000, seed: int = 0,
) -> dict[str, Any]:  # fmt: skip
    from propos.metrics import score

    spec = TASKS[task]
    if spec["coarse"]:
        gold, predictions = coarsened(gold), coarsened(predictions)
    return score(gold, predictions, paragraphs, resamples, seed, layers=(spec["layer"],))


def compare_task(
    task: str, gold: Documents, first: Documents, second: Documents,
    paragraphs: dict[str, list[Any]], resamples: int = 1000, seed: int = 0,
) -> float:  # fmt: skip
    """p-value of the paired bootstrap that ``first`` is not better than ``second``."""
    from propos.metrics import compare

    spec = TASKS[task]
    if spec["coarse"]:
        gold, first, second = coarsened(gold), coarsened(first), coarsened(second)
    result = compare(gold, first, second, paragraphs, resamples, seed, layers=(spec["layer"],))
    return float(result["headline"][spec["layer"]]["p_value"])


def evaluate_file(
    path: Path, gold: GoldSet, resamples: int = 1000, seed: int = 0
) -> dict[str, Any]:
    from propos.metrics import score

    predictions = read_predictions(path, gold)
    result = score(gold.documents, predictions, gold.paragraphs, resamples, seed)
    coarse = score_task("ner-coarse", gold.documents, predictions, gold.paragraphs, resamples, seed)
    result["entities_coarse"] = {**coarse["headline"]["entities"], "name": COARSE_HEADLINE}
    result["split"] = gold.split
    result["gold"] = gold.source
    return result


def headline_lines(headline: dict[str, Any]) -> list[str]:
    """The header and one aligned row per headline figure: layer, F1, interval, metric."""
    width = max(len(name) for name in headline)
    lines = [f"{'layer':<{width}}  {'F1':>6}  {'95% interval':>15}  metric"]
    for layer, figure in headline.items():
        interval = f"[{figure['low']:.3f}, {figure['high']:.3f}]"
        lines.append(f"{layer:<{width}}  {figure['value']:>6.3f}  {interval:>15}  {figure['name']}")
    return lines


def table(result: dict[str, Any]) -> str:
    bootstrap = result["bootstrap"]
    headline = dict(result["headline"])
    headline["entities (coarse)"] = result["entities_coarse"]
    lines = [
        f"split {result['split']}: {result['documents']['n_gold']} documents; 95% intervals from"
        f" {bootstrap['resamples']} bootstrap resamples over {bootstrap['n_units']}"
        f" {bootstrap['unit']}s (seed {bootstrap['seed']})",
        "",
        *headline_lines(headline),
    ]
    quotes, events = result["quotes"], result["events"]
    lines += [
        "",
        f"quotes: content exact F1 {quotes['content_exact']['f1']:.3f}, token F1"
        f" {quotes['content_tokens']['f1']:.3f}, cue F1 {quotes['cue']['f1']:.3f}, speaker"
        f" accuracy {quotes['speaker_accuracy']['accuracy']:.3f}",
        f"events: trigger identification F1 {events['trigger_identification']['f1']:.3f}, realis"
        f" accuracy {events['realis_accuracy']['accuracy']:.3f}, argument F1"
        f" {events['arguments']['f1']:.3f}",
    ]
    for layer, report in result.get("coreference", {}).items():
        lines.append(
            f"coreference {layer}: CoNLL F1 {report['predicted_mentions']['conll_f1']:.3f}"
            f" (gold mentions {report['gold_mentions']['conll_f1']:.3f})"
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- streaming, for large corpora


class _DocId(msgspec.Struct):
    doc_id: str


def prediction_index(path: Path) -> dict[str, tuple[int, int]]:
    """doc_id -> (byte offset, length) of each line of a submission, read once."""
    decoder = msgspec.json.Decoder(_DocId)
    index: dict[str, tuple[int, int]] = {}
    offset = 0
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                index[decoder.decode(line).doc_id] = (offset, len(line))
            offset += len(line)
    return index


Located = tuple[str, int | None, int]  # doc_id, byte offset of its prediction line, length


def unit_counts_partition(part: list[Located], gold_dir: Path, pred_path: Path) -> dict[str, Any]:
    """A task: the (correct, predicted, gold) counts of each headline for a chunk of documents,
    one row per document in doc_id order (a missing prediction counts as predicting nothing).

    Only the fields the counts need are decoded, and no report is built
    (:mod:`propos.metrics.streamed`); a chunk with a document of another shape is scored by the
    full evaluators, which give the same counts or say what is wrong."""
    from propos.metrics.report import unit_counts
    from propos.metrics.streamed import headline_unit_counts

    gold = {d: (gold_dir / f"{d}.json").read_bytes() for d, _, _ in part}
    predictions = {}
    with pred_path.open("rb") as handle:
        for doc_id, offset, length in part:
            if offset is not None:
                handle.seek(offset)
                predictions[doc_id] = handle.read(length)
    counts = headline_unit_counts(gold, predictions)
    if counts is not None:
        return counts
    decode = msgspec.json.decode
    gold_documents = {d: decode(data) for d, data in gold.items()}
    predicted = {d: decode(data) for d, data in predictions.items()}
    counts = unit_counts(gold_documents, predicted)
    coarse = unit_counts(coarsened(gold_documents), coarsened(predicted), layers=("entities",))
    return {**counts, "entities_coarse": coarse["entities"]}


def stream_unit_counts(
    gold_dir: Path, pred_path: Path, doc_ids: list[str], chunk: int = DOCUMENTS_PER_CHUNK,
    engine: Engine = SERIAL, show_progress: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """Per-document (correct, predicted, gold) counts of each headline, read chunk by chunk:
    the chunks are mapped to count arrays (on ``engine``) and concatenated here, in order."""
    import numpy as np

    from propos.metrics.streamed import COUNTED

    index = prediction_index(pred_path)
    located = [(d, *index.get(d, (None, 0))) for d in doc_ids]
    parts: dict[str, list[Any]] = {}
    chunks = partitions(located, chunk)
    arguments = (gold_dir, pred_path)
    for found in run_tasks(
        unit_counts_partition, chunks, arguments, engine, "evaluate", show_progress
    ):
        for layer, counts in found.items():
            parts.setdefault(layer, []).append(counts)
    return {
        layer: np.concatenate(parts[layer]) if layer in parts else np.zeros((0, 3))
        for layer in COUNTED
    }


def stream_headlines(
    gold_dir: Path,
    pred_path: Path,
    doc_ids: list[str],
    resamples: int = 1000,
    seed: int = 0,
    chunk: int = DOCUMENTS_PER_CHUNK,
    engine: Engine = SERIAL,
    show_progress: bool = False,
) -> dict[str, Any]:
    """Headline F1 (and the coarse entity figure) with bootstrap intervals over documents,
    reading a chunk of documents at a time: memory holds one chunk plus one row of counts per
    document, whatever the corpus size. Coreference (clusters span the whole corpus) is left to
    :func:`propos.metrics.score`."""
    from propos.metrics import HEADLINES
    from propos.metrics.bootstrap import bootstrap_intervals
    from propos.metrics.common import prf

    counts = stream_unit_counts(gold_dir, pred_path, doc_ids, chunk, engine, show_progress)
    intervals = bootstrap_intervals(counts, resamples, seed)
    names = {**HEADLINES, "entities_coarse": COARSE_HEADLINE}
    headline = {
        layer: {
            "name": names[layer],
            # as the reports compute it (harmonic mean of P and R), to the last bit
            "value": prf(*(int(total) for total in counts[layer].sum(axis=0)))["f1"],
            "low": intervals[layer]["low"],
            "high": intervals[layer]["high"],
        }
        for layer in counts
    }
    coarse = headline.pop("entities_coarse")
    return {
        "headline": headline,
        "entities_coarse": coarse,
        "bootstrap": streamed_bootstrap_record(len(doc_ids), resamples, seed),
        "coreference": "not computed when streaming",
    }


def streamed_bootstrap_record(n_documents: int, resamples: int, seed: int) -> dict[str, Any]:
    """The ``bootstrap`` record of :func:`propos.metrics.score`, for document units."""
    from propos.metrics.common import MIN_DOCUMENTS_FOR_DOCUMENT_UNIT, Units
    from propos.metrics.report import bootstrap_record

    reason = f"streamed: unit = document ({n_documents} documents"
    if n_documents < MIN_DOCUMENTS_FOR_DOCUMENT_UNIT:
        reason += (
            f"; without streaming, below {MIN_DOCUMENTS_FOR_DOCUMENT_UNIT} documents the unit is"
            " the paragraph"
        )
    units = Units("document", n_documents, reason + ")", n_units=n_documents)
    return bootstrap_record(units, resamples, seed, confidence=0.95)


def stream_file(
    path: Path, corpus: Corpus, split: str, resamples: int = 1000, seed: int = 0,
    chunk: int = DOCUMENTS_PER_CHUNK, engine: Engine = SERIAL, show_progress: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """:func:`evaluate_file`'s headlines for a corpus of any size: the submission is validated
    (runs of its lines as tasks), then scored by :func:`stream_headlines` in tasks of ``chunk``
    documents, on ``engine``'s one cluster. Coreference (its clusters span the split) is not
    computed."""
    doc_ids = split_doc_ids(split, corpus.splits_file, corpus.clean_dir)
    with shared_cluster(engine) as engine:
        check_submission(path, CleanTexts(corpus.clean_dir), doc_ids, engine)
        result = stream_headlines(
            corpus.gold_dir, path, doc_ids, resamples, seed, chunk, engine, show_progress
        )
    return {
        **result,
        "split": split,
        "gold": str(corpus.root),
        "documents": {"n_gold": len(doc_ids), "missing_predictions": []},
    }


def stream_table(result: dict[str, Any]) -> str:
    """:func:`table` for a :func:`stream_file` result."""
    from propos.metrics.common import MIN_DOCUMENTS_FOR_DOCUMENT_UNIT

    bootstrap = result["bootstrap"]
    lines = [
        f"split {result['split']}: {result['documents']['n_gold']} documents, streamed; 95%"
        f" intervals from {bootstrap['resamples']} bootstrap resamples over"
        f" {bootstrap['n_units']} documents (seed {bootstrap['seed']})",
        "",
        *headline_lines({**result["headline"], "entities (coarse)": result["entities_coarse"]}),
        "",
        "coreference: not computed when streaming",
    ]
    if bootstrap["n_units"] < MIN_DOCUMENTS_FOR_DOCUMENT_UNIT:
        lines.append(
            f"below {MIN_DOCUMENTS_FOR_DOCUMENT_UNIT} documents, `propos evaluate` without"
            " --stream resamples paragraphs instead: its intervals are the ones to report"
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- tables people work with

HEADLINE_COLUMNS = ["layer", "metric", "f1", "low", "high"]
COUNT_COLUMNS = ["precision", "recall", "f1", "correct", "predicted", "gold"]
CONTEXT_CHARS = 40


def headline_frame(result: dict[str, Any]) -> Any:
    """The headline figures of :func:`evaluate_file` (or :func:`stream_file`) as a DataFrame,
    one row per layer."""
    import pandas as pd

    headline = {**result["headline"], "entities (coarse)": result["entities_coarse"]}
    rows = [
        {"layer": layer, "metric": figure["name"],
         "f1": figure["value"], "low": figure["low"], "high": figure["high"]}
        for layer, figure in headline.items()
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


def _count_row(layer: str, group: str, counts: dict[str, Any]) -> dict[str, Any]:
    if "possible" in counts:  # an entity scheme: SemEval counts
        correct, predicted, gold = counts["correct"], counts["actual"], counts["possible"]
    else:
        correct, predicted, gold = counts["correct"], counts["predicted"], counts["gold"]
    return {"layer": layer, "group": group, "precision": counts["precision"],
            "recall": counts["recall"], "f1": counts["f1"], "correct": correct,
            "predicted": predicted, "gold": gold}  # fmt: skip


def _only(documents: Documents, layer: str, key: str, label: str) -> Documents:
    return {
        doc_id: {**document, layer: [a for a in document.get(layer, []) if a.get(key) == label]}
        for doc_id, document in documents.items()
    }


def headline_rows(gold: Documents, predictions: Documents, group: str) -> list[dict[str, Any]]:
    """The headline measure of each layer (precision, recall, F1 and counts), one row each;
    what `propos evaluate --by document` prints and `propos view --pred` shows per document."""
    from propos.metrics.entities import entity_scores
    from propos.metrics.events import event_scores
    from propos.metrics.quotes import quote_scores

    entities = entity_scores(gold, predictions)["fine"]["micro"]["strict"]
    return [
        _count_row("entities", group, entities),
        _count_row("quotes", group, quote_scores(gold, predictions)["attribution"]),
        _count_row("events", group, event_scores(gold, predictions)["trigger_classification"]),
    ]


def breakdown_frame(path: Path, gold: GoldSet, by: str) -> Any:
    """Scores per type (entity types, quotation kinds, event types) or per document."""
    import pandas as pd

    from propos.metrics.entities import entity_scores
    from propos.metrics.events import event_scores
    from propos.metrics.quotes import quote_scores

    predictions = {d: p for d, p in read_predictions(path, gold).items() if d in gold.documents}
    for doc_id in gold.documents:
        predictions.setdefault(doc_id, {"doc_id": doc_id, "entities": [], "quotes": [],
                                        "events": []})  # fmt: skip
    rows: list[dict[str, Any]] = []
    if by == "document":
        for doc_id in gold.doc_ids:
            rows += headline_rows({doc_id: gold.documents[doc_id]},
                                {doc_id: predictions[doc_id]}, doc_id)  # fmt: skip
        return pd.DataFrame(rows, columns=["layer", "group", *COUNT_COLUMNS])
    fine = entity_scores(gold.documents, predictions)["fine"]["per_type"]
    rows += [_count_row("entities", label, schemes["strict"]) for label, schemes in fine.items()]
    for kind in schema.QUOTE_KINDS:
        scores = quote_scores(
            *(_only(d, "quotes", "kind", kind) for d in (gold.documents, predictions))
        )
        rows.append(_count_row("quotes", kind, scores["attribution"]))
    present = {e["type"] for d in (*gold.documents.values(), *predictions.values())
               for e in d.get("events", [])}  # fmt: skip
    for event_type in [t for t in schema.EVENT_TYPES if t in present]:
        scores = event_scores(
            *(_only(d, "events", "type", event_type) for d in (gold.documents, predictions))
        )
        rows.append(_count_row("events", event_type, scores["trigger_classification"]))
    return pd.DataFrame(rows, columns=["layer", "group", *COUNT_COLUMNS])


ERROR_COLUMNS = ["doc_id", "layer", "error", "start", "end", "gold_text", "gold_label",
                 "pred_text", "pred_label", "context"]  # fmt: skip
# Per layer: the annotation's span field (None: the annotation is the span) and its label.
ERROR_LAYERS = {"entities": (None, "type"), "quotes": ("content", "kind"),
                "events": ("trigger", "type")}  # fmt: skip


def _spans(annotations: list[dict[str, Any]], span_key: str | None, label_key: str) -> list[Any]:
    found = []
    for annotation in annotations:
        span = annotation if span_key is None else annotation.get(span_key)
        if isinstance(span, dict):
            found.append((span["start"], span["end"], span["text"], annotation.get(label_key)))
    return sorted(found)


def _context(text: str, start: int, end: int) -> str:
    left = text[max(0, start - CONTEXT_CHARS) : start].replace("\n", " ")
    right = text[end : end + CONTEXT_CHARS].replace("\n", " ")
    return f"…{left}[{text[start:end]}]{right}…"


def _document_errors(doc_id: str, text: str, gold: Documents, pred: Documents) -> list[Any]:
    rows = []
    for layer, (span_key, label_key) in ERROR_LAYERS.items():
        gold_spans = _spans(gold.get(layer, []), span_key, label_key)
        pred_spans = _spans(pred.get(layer, []), span_key, label_key)
        exact = {(s, e): label for s, e, _, label in pred_spans}
        matched_pred: set[tuple[int, int]] = set()
        for start, end, surface, label in gold_spans:
            if (start, end) in exact:
                matched_pred.add((start, end))
                predicted_label = exact[(start, end)]
                if predicted_label != label:
                    context = _context(text, start, end)
                    rows.append([doc_id, layer, "wrong type", start, end, surface, label,
                                 surface, predicted_label, context])  # fmt: skip
                continue
            overlapping = [p for p in pred_spans if p[0] < end and start < p[1]]
            if overlapping:
                first = overlapping[0]
                matched_pred.update((p[0], p[1]) for p in overlapping)
                rows.append([doc_id, layer, "wrong boundary", start, end, surface, label,
                             first[2], first[3], _context(text, start, end)])  # fmt: skip
            else:
                rows.append([doc_id, layer, "missed", start, end, surface, label, "", "",
                             _context(text, start, end)])  # fmt: skip
        for start, end, surface, label in pred_spans:
            if (start, end) not in matched_pred:
                rows.append([doc_id, layer, "spurious", start, end, "", "", surface, label,
                             _context(text, start, end)])  # fmt: skip
    return rows


def error_frame(path: Path, gold: GoldSet) -> Any:
    """Every span error of a submission: missed, spurious, wrong type, wrong boundary."""
    import pandas as pd

    predictions = read_predictions(path, gold)
    rows = []
    for doc_id in gold.doc_ids:
        empty: dict[str, Any] = {}
        rows += _document_errors(doc_id, gold.texts[doc_id], gold.documents[doc_id],
                                 predictions.get(doc_id, empty))  # fmt: skip
    return pd.DataFrame(rows, columns=ERROR_COLUMNS)


def render_frame(frame: Any, output: str) -> str:
    """A DataFrame as an aligned text table, JSON records or CSV."""
    if output == "csv":
        return str(frame.to_csv(index=False))
    if output == "json":
        return str(frame.to_json(orient="records", force_ascii=False, indent=2)) + "\n"
    if frame.empty:
        return "(no rows)\n"
    return str(frame.to_string(index=False, float_format=lambda x: f"{x:.3f}")) + "\n"
