"""One measured stage of the scale benchmark, run in its own process by run.py.

    python benchmark/perf/stages.py STAGE ROOT [--workers N] [--sample N]

prints one JSON line: the stage's wall and CPU seconds and what it computed (for the
correctness checks). The stage's imports (and what it builds once: spaCy's tokenizer, the
schema decoders) are warmed first and timed apart (``import_seconds``), so ``seconds`` is the
work on the corpus alone. CPU seconds are this process's and its reaped children's (the Dask
workers of ``--workers 2``), user + system; ``system_seconds`` is the system part.

The *floors* are the least any implementation of a stage must do, measured the same way:
floor_clean_read (read + NFC + one pass of the furniture patterns + write JSON, with the text
hash each gold file anchors read and set against the text's: every file clean reads; the floor
of clean), floor_clean (the same without the gold files), floor_build (decode the files +
spaCy's tokenizer over whole documents + write Parquet), json_loads_read (every file validate
reads, the floor of validate), json_loads (the gold files alone) and decode (the gold files and
the submission, the floor of streamed evaluation).
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import os
import resource
import shutil
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from propos.engine import Engine

# validate's bound on a file, as `propos validate --max-mib 64`: the sweep's document of
# 16,000 paragraphs has a gold file of 12 MiB, over the default 10.
VALIDATE_MAX_MIB = 64


class Entity(msgspec.Struct):
    start: int
    end: int
    text: str
    type: str


class EntityDocument(msgspec.Struct):
    doc_id: str
    entities: list[Entity]


class Clock:
    """Wall and CPU seconds of a block (CPU: this process and its reaped children)."""

    def __enter__(self) -> Clock:
        self.modules = set(sys.modules)
        self.wall, (self.user, self.system) = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *_: object) -> None:
        user, system = cpu_seconds()
        self.wall = time.perf_counter() - self.wall
        self.user, self.system = user - self.user, system - self.system
        self.cpu = self.user + self.system  # never less than the system part alone
        # Modules first imported inside the block: their import time counts as the stage's.
        self.imported = sorted(set(sys.modules) - self.modules)

    def figures(self) -> dict[str, Any]:
        return {
            "seconds": self.wall,
            "cpu_seconds": self.cpu,
            "system_seconds": self.system,
            "imported": self.imported,
        }


def cpu_seconds() -> tuple[float, float]:
    """User and system CPU seconds so far, of this process and its reaped children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + children.ru_utime, own.ru_stime + children.ru_stime


def gold_names(root: Path) -> list[str]:
    """The gold files' names, sorted: names, not Paths, whose memory at 100,000 documents
    (36 MB) would count in the peak of every stage that lists them."""
    names = os.listdir(root / "annotations" / "gold")
    return sorted(name for name in names if name.endswith(".json"))


def first_gold_file(root: Path) -> Path:
    """The first gold file by name, found without holding the listing."""
    with os.scandir(root / "annotations" / "gold") as entries:
        return Path(min(entry.path for entry in entries if entry.name.endswith(".json")))


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def load_pairs(root: Path, entities_only: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """Gold and predicted documents; with ``entities_only`` only that layer is decoded (the
    entity scorers need nothing else, and at 100,000 documents the rest costs gigabytes)."""

    def decode(data: bytes) -> dict[str, Any]:
        if not entities_only:
            return msgspec.json.decode(data)
        return msgspec.to_builtins(msgspec.json.decode(data, type=EntityDocument))

    folder = root / "annotations" / "gold"
    gold = {name[:-5]: decode(read_bytes(f"{folder}/{name}")) for name in gold_names(root)}
    predictions = {}
    with (root / "submission.jsonl").open("rb") as handle:
        for line in handle:
            document = decode(line)
            predictions[document["doc_id"]] = document
    return gold, predictions


def stage_clean(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from propos.clean import clean_corpus

    out = root / "perf-clean"
    shutil.rmtree(out, ignore_errors=True)
    with Clock() as clock:
        run = clean_corpus(
            root / "corpus" / "raw",
            out,
            root / "annotations" / "gold",
            root,
            engine=Engine(workers=workers),
        )
    with os.scandir(root / "corpus" / "clean") as entries:
        reference = heapq.nsmallest(200, (entry.name for entry in entries))
    clean = root / "corpus" / "clean"
    identical = all(
        json.loads((out / name).read_bytes()) == json.loads((clean / name).read_bytes())
        for name in reference
    )
    shutil.rmtree(out, ignore_errors=True)
    return {
        **clock.figures(),
        "documents": len(run.written) + len(run.unchanged),
        "errors": len(run.errors),
        "same_as_corpus": identical,
    }


def furniture_pattern() -> Any:
    """One alternation of every furniture line pattern of propos.clean_rules."""
    import re

    from propos import clean_rules

    patterns = [
        pattern
        for rule in (*clean_rules.FURNITURE_RULES, *clean_rules.WIKINEWS_FURNITURE)
        for pattern in rule.patterns
    ]
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def stage_floor_clean(root: Path, workers: int, sample: int) -> dict[str, Any]:
    return floor_clean(root, check_anchors=False)


def stage_floor_clean_read(root: Path, workers: int, sample: int) -> dict[str, Any]:
    return floor_clean(root, check_anchors=True)


class AnchoredText(msgspec.Struct):
    """The one field of a gold file that the frozen-text check reads; the rest is skipped."""

    text_sha256: Any = None


def floor_clean(root: Path, check_anchors: bool) -> dict[str, Any]:
    """Read each raw file, NFC, one pass of the furniture patterns, write JSON; with
    ``check_anchors``, also read every file clean reads: the text hash its gold file anchors,
    set against the hash of the text written (clean refuses to change an anchored text)."""
    furniture = furniture_pattern()
    anchored_text = msgspec.json.Decoder(AnchoredText)
    raw = root / "corpus" / "raw"
    gold = root / "annotations" / "gold"
    raw_files = sorted(name for name in os.listdir(raw) if name.endswith(".txt"))
    out = root / "perf-floor-clean"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    kept_lines = anchors = differing = 0
    with Clock() as clock:
        for name in raw_files:
            text = unicodedata.normalize("NFC", read_bytes(f"{raw}/{name}").decode("utf-8"))
            lines = [line for line in text.split("\n") if not furniture.fullmatch(line.strip())]
            kept_lines += len(lines)
            doc_id = name.removesuffix(".txt")
            document = {"doc_id": doc_id, "text": "\n".join(lines).strip("\n")}
            if check_anchors:
                written = hashlib.sha256(document["text"].encode("utf-8")).hexdigest()
                document["text_sha256"] = written
                anchor = read_anchor(f"{gold}/{doc_id}.json", anchored_text)
                anchors += anchor is not None
                differing += anchor is not None and anchor != written
            (out / f"{doc_id}.json").write_text(
                json.dumps(document, ensure_ascii=False), encoding="utf-8"
            )
    shutil.rmtree(out, ignore_errors=True)
    figures = {"files": len(raw_files), "kept_lines": kept_lines}
    if check_anchors:
        figures.update(anchors=anchors, differing=differing)
    return {**clock.figures(), **figures}


def read_anchor(gold_file: str, anchored_text: msgspec.json.Decoder[AnchoredText]) -> Any:
    try:
        return anchored_text.decode(read_bytes(gold_file)).text_sha256
    except FileNotFoundError:
        return None


def stage_validate(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from propos.validate import validate_paths

    with Clock() as clock:
        report = validate_paths(
            [root / "annotations" / "gold"],
            root / "corpus" / "clean",
            engine=Engine(workers=workers),
            max_bytes=VALIDATE_MAX_MIB * 2**20,
        )
    return {
        **clock.figures(),
        "files": report.files,
        "problems": len(report.problems),
        "max_mib": VALIDATE_MAX_MIB,
    }


def stage_validate_submission(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from propos.validate import validate_paths

    with Clock() as clock:
        report = validate_paths([root / "submission.jsonl"], root / "corpus" / "clean")
    return {**clock.figures(), "problems": len(report.problems)}


def stage_json_loads(root: Path, workers: int, sample: int) -> dict[str, Any]:
    files = gold_names(root)
    gold = root / "annotations" / "gold"
    with Clock() as clock:
        for name in files:
            json.loads(read_bytes(f"{gold}/{name}"))
    return {**clock.figures(), "files": len(files)}


def stage_json_loads_read(root: Path, workers: int, sample: int) -> dict[str, Any]:
    """json.loads of every file validate reads: each gold file and the cleaned document its
    offsets refer to (the spans are checked against that text)."""
    files = gold_names(root)
    gold, clean = root / "annotations" / "gold", root / "corpus" / "clean"
    with Clock() as clock:
        for name in files:
            document = json.loads(read_bytes(f"{gold}/{name}"))
            json.loads(read_bytes(f"{clean}/{document['doc_id']}.json"))
    return {**clock.figures(), "files": len(files)}


def stage_decode(root: Path, workers: int, sample: int) -> dict[str, Any]:
    """json.loads of every gold file and every submission line: what streamed evaluation reads."""
    files = gold_names(root)
    gold = root / "annotations" / "gold"
    lines = 0
    with Clock() as clock:
        for name in files:
            json.loads(read_bytes(f"{gold}/{name}"))
        with (root / "submission.jsonl").open("rb") as handle:
            for line in handle:
                json.loads(line)
                lines += 1
    return {**clock.figures(), "files": len(files), "lines": lines}


def stage_jsonschema(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from propos import schema

    files = gold_names(root)
    chosen = files[:: max(1, len(files) // sample)][:sample] if len(files) > sample else files
    gold = root / "annotations" / "gold"
    documents = [json.loads(read_bytes(f"{gold}/{name}")) for name in chosen]
    validator = schema.validator("annotation")
    with Clock() as clock:
        errors = sum(1 for d in documents for _ in validator.iter_errors(d))
    share = len(files) / len(chosen)
    return {
        "seconds": clock.wall * share,
        "cpu_seconds": clock.cpu * share,
        "system_seconds": clock.system * share,
        "measured_files": len(chosen),
        "extrapolated": len(chosen) < len(files),
        "errors": errors,
    }


def build_inputs(root: Path) -> Any:
    from propos.build import load_inputs

    return load_inputs(
        root / "corpus" / "clean",
        root / "annotations" / "gold",
        root / "annotations" / "inventory.json",
        root / "annotations" / "splits.json",
        root / "corpus" / "sources.csv",
        {},
    )


def stage_build(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from propos.build import build_dataset

    out = root / "perf-dist" / "propos"
    with Clock() as clock:
        sizes = build_dataset(
            build_inputs(root), out, show_progress=False, engine=Engine(workers=workers)
        )
    shutil.rmtree(out.parent, ignore_errors=True)
    return {**clock.figures(), "rows": sizes}


FLOOR_BATCH = 1000  # documents per Parquet row group: memory stays flat with the corpus


def stage_floor_build(root: Path, workers: int, sample: int) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq
    import spacy

    tokenizer = spacy.blank("fr").tokenizer  # what propos.tokenize runs
    out = root / "perf-floor-build"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    schema = pa.schema([("doc_id", pa.string()), ("tokens", pa.list_(pa.string())),
                        ("starts", pa.list_(pa.int32())), ("entities", pa.int32())])  # fmt: skip
    tokens = 0
    with Clock() as clock, pq.ParquetWriter(out / "floor.parquet", schema) as writer:
        rows: list[dict[str, Any]] = []
        gold_dir, clean = root / "annotations" / "gold", root / "corpus" / "clean"
        for name in gold_names(root):
            gold = json.loads(read_bytes(f"{gold_dir}/{name}"))
            text = json.loads(read_bytes(f"{clean}/{name}"))["text"]
            words = tokenizer(text)
            tokens += len(words)
            rows.append(
                {"doc_id": name[:-5], "tokens": [w.text for w in words],
                 "starts": [w.idx for w in words], "entities": len(gold["entities"])}
            )  # fmt: skip
            if len(rows) == FLOOR_BATCH:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows = []
        if rows:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
    shutil.rmtree(out, ignore_errors=True)
    return {**clock.figures(), "tokens": tokens}


def stage_evaluate(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from propos.evaluation import stream_headlines

    doc_ids = [name[:-5] for name in gold_names(root)]
    with Clock() as clock:
        result = stream_headlines(
            root / "annotations" / "gold", root / "submission.jsonl", doc_ids, resamples=1000
        )
    return {**clock.figures(), "headline": result["headline"]}


def stage_bootstrap(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from propos.evaluation import stream_unit_counts
    from propos.metrics.bootstrap import bootstrap_intervals

    doc_ids = [name[:-5] for name in gold_names(root)]
    counts = stream_unit_counts(root / "annotations" / "gold", root / "submission.jsonl", doc_ids)
    with Clock() as clock:
        intervals = bootstrap_intervals(counts, 1000, 0)
    return {**clock.figures(), "units": len(doc_ids), "intervals": intervals}


def _bio(
    gold: dict[str, Any], predictions: dict[str, Any], root: Path
) -> tuple[list[list[str]], list[list[str]]]:
    import msgspec

    from propos.tokenize import bio_tags, tokenize

    y_true, y_pred = [], []
    for doc_id in sorted(gold):
        text = msgspec.json.decode((root / "corpus" / "clean" / f"{doc_id}.json").read_bytes())[
            "text"
        ]
        tokens = tokenize(text)
        for side, documents in ((y_true, gold), (y_pred, predictions)):
            spans = [
                (e["start"], e["end"], e["type"])
                for e in documents.get(doc_id, {}).get("entities", [])
            ]
            side.append(bio_tags(tokens, spans))
    return y_true, y_pred


def stage_entities_ours(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from propos.metrics.entities import evaluate_entities

    gold, predictions = load_pairs(root, entities_only=True)
    ids = sorted(gold)
    with Clock() as clock:
        report = evaluate_entities(
            [gold[d] for d in ids], [predictions.get(d, {"entities": []}) for d in ids]
        ).report
    return {
        **clock.figures(),
        "strict": report["fine"]["micro"]["strict"],
        "schemes": report["fine"]["micro"],
    }


def stage_entities_seqeval(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    gold, predictions = load_pairs(root, entities_only=True)
    with Clock() as conversion:
        y_true, y_pred = _bio(gold, predictions, root)
    with Clock() as clock:
        report = classification_report(
            y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0
        )
    micro = report["micro avg"]
    return {
        **clock.figures(),
        "conversion_seconds": conversion.wall,
        "strict": {
            "precision": micro["precision"],
            "recall": micro["recall"],
            "f1": micro["f1-score"],
        },
    }


def stage_entities_nervaluate(root: Path, workers: int, sample: int) -> dict[str, Any]:
    from nervaluate import Evaluator

    from propos import schema

    gold, predictions = load_pairs(root, entities_only=True)
    ids = sorted(gold)

    def spans(document: dict[str, Any]) -> list[dict[str, Any]]:
        # nervaluate's counts depend on list order; ours equal its run on text order
        # (start, end, type), as documented in propos.metrics.entities.
        ordered = sorted(
            document.get("entities", []), key=lambda e: (e["start"], e["end"], e["type"])
        )
        return [{"label": e["type"], "start": e["start"], "end": e["end"] - 1} for e in ordered]

    true = [spans(gold[d]) for d in ids]
    pred = [spans(predictions.get(d, {})) for d in ids]
    with Clock() as clock:
        evaluator = Evaluator(true, pred, tags=list(schema.ENTITY_TYPES), loader="dict")
        results = evaluator.evaluate()
    overall = (
        results["overall"] if isinstance(results, dict) and "overall" in results else results[0]
    )
    summary = {}
    for scheme in ("strict", "exact", "partial", "ent_type"):
        figures = overall[scheme]
        summary[scheme] = {
            k: getattr(figures, k, None) if not isinstance(figures, dict) else figures.get(k)
            for k in ("correct", "incorrect", "partial", "missed", "spurious", "f1")
        }
    return {**clock.figures(), "schemes": summary}


STAGES = {
    name.removeprefix("stage_"): function
    for name, function in globals().items()
    if name.startswith("stage_")
}

# What each stage imports, warmed before it is timed.
IMPORTS: dict[str, tuple[str, ...]] = {
    "clean": ("propos.clean", "tqdm"),
    "floor_clean": ("propos.clean_rules",),
    "floor_clean_read": ("propos.clean_rules",),
    "validate": ("propos.validate",),
    "validate_submission": ("propos.validate",),
    "jsonschema": ("propos.schema", "jsonschema"),
    "build": (
        "propos.build",
        "propos.card",
        "propos.croissant",
        "propos.split",
        "propos.tokenize",
        "pyarrow.parquet",
        "spacy",
        "datasets",
        "tqdm",
    ),
    "floor_build": (
        "pyarrow.parquet",
        "pyarrow.pandas_compat",
        "pyarrow.vendored.version",
        "pandas",
        "spacy",
    ),
    "evaluate": ("propos.evaluation",),
    "bootstrap": ("propos.evaluation", "propos.metrics.bootstrap"),
    "entities_ours": ("propos.metrics.entities",),
    "entities_seqeval": ("seqeval.metrics", "propos.tokenize"),
    "entities_nervaluate": ("nervaluate",),
}


def warm_validate(root: Path) -> None:
    from propos.validate import forget_remembered, validate_paths

    validate_paths([first_gold_file(root)], root / "corpus" / "clean")  # compiles the decoders
    # What that file taught the process (its ids match, its inventory) would make the timed run
    # cheaper than a real one wherever the file is much of the corpus: the sweep's one document.
    forget_remembered()


def warm_tokenizer(root: Path) -> None:
    from propos.tokenize import tokenize

    tokenize("Le tokenizer de spaCy est chargé une fois.")


def warm_progress() -> None:
    """tqdm's first bar makes its lock, importing multiprocessing: once a process, not a run."""
    from tqdm import tqdm

    tqdm.get_lock()


def warm_clean(root: Path) -> None:
    from propos.clean import clean_text

    clean_text("Titre\n\nUn paragraphe.\n", "warm", "warm")
    warm_progress()


def warm_build(root: Path) -> None:
    warm_tokenizer(root)
    warm_progress()


def warm_evaluate(root: Path) -> None:
    """Streamed evaluation of one document: the lazy imports of the scorers are done."""
    from propos.evaluation import stream_headlines

    first = first_gold_file(root)
    stream_headlines(root / "annotations" / "gold", root / "submission.jsonl", [first.stem], 10)


WARM_UPS: dict[str, Callable[[Path], None]] = {
    "evaluate": warm_evaluate,
    "clean": warm_clean,
    "validate": warm_validate,
    "validate_submission": warm_validate,
    "build": warm_build,
    "entities_seqeval": warm_tokenizer,
}


def warm(stage: str, root: Path) -> None:
    import importlib

    for module in IMPORTS.get(stage, ()):
        importlib.import_module(module)
    if stage in WARM_UPS:
        WARM_UPS[stage](root)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("root", type=Path)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--sample", type=int, default=2000)
    args = parser.parse_args()
    with Clock() as imports:
        warm(args.stage, args.root)
    result = STAGES[args.stage](args.root, args.workers, args.sample)
    result["import_seconds"] = imports.wall
    sys.stdout.write(json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    main()
