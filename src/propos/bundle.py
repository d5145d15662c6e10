"""Competition bundles: the Propos test split as a Codabench (and CodaLab) competition.

``write_codabench`` writes a folder (and optionally its zip, what the platform uploads):

- ``competition.yaml``: a Codabench version-2 competition, one task and one phase on the test
  split, a leaderboard whose column keys are the keys of ``scores.json``;
- ``reference_data/gold.jsonl``: one line per test document, its text, paragraphs and gold
  layers (the platform unpacks it as ``input/ref``);
- ``scoring_program/``: ``score.py`` and its ``metadata.yaml`` (Codabench) and ``metadata``
  (CodaLab), both ``command: python3 $program/score.py $input $output``; ``score.py`` scores the
  participant's ``predictions.jsonl`` found under ``input/res`` with the Propos scorer (the same
  validation and figures as ``propos evaluate``) and writes ``scores.json`` (Codabench),
  ``scores.txt`` (CodaLab) and ``detailed_results.html``;
- ``docker/Dockerfile``: the image the scoring program runs in (Python 3.11 with this version
  of ``propos`` installed), named in the YAML by ``--docker-image``;
- ``pages/`` (overview, data, evaluation, terms) and ``logo.png``.

The test texts are Wikinews articles (CC BY 2.5); the bundle carries their attribution.
"""

from __future__ import annotations

import html
import json
import sys
import zipfile
from dataclasses import dataclass
from datetime import date
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

from propos.corpus import Corpus
from propos.errors import ProposError
from propos.fileio import read_json, sha256_text, write_atomic

REFERENCE_DIR = "reference_data"
REFERENCE_FILE = "gold.jsonl"
PROGRAM_DIR = "scoring_program"
PREDICTIONS_FILE = "predictions.jsonl"
COMMAND = "python3 $program/score.py $input $output"
DEFAULT_RESAMPLES = 1000
# Licences whose texts the reference data may carry (the press articles' may not).
REDISTRIBUTABLE = ("CC BY 2.5",)


@dataclass(frozen=True)
class Column:
    key: str
    title: str


# The leaderboard columns, in order (the first ranks); each key is written to scores.json.
COLUMNS = (
    Column("ner_f1", "Entities: strict micro F1, fine types"),
    Column("ner_coarse_f1", "Entities: strict micro F1, coarse types"),
    Column("quotes_f1", "Quotations: attribution F1"),
    Column("events_f1", "Events: trigger classification F1"),
)


def propos_version() -> str:
    try:
        return package_metadata.version("propos")
    except package_metadata.PackageNotFoundError:
        return "0"


# ---------------------------------------------------------------- scoring, on the platform


def platform_scores(result: dict[str, Any]) -> dict[str, float]:
    """The leaderboard figures of one ``evaluate_file`` result, keyed by column."""
    headline = result["headline"]
    return {
        "ner_f1": headline["entities"]["value"],
        "ner_coarse_f1": result["entities_coarse"]["value"],
        "quotes_f1": headline["quotes"]["value"],
        "events_f1": headline["events"]["value"],
    }


def read_reference(ref_dir: Path) -> Any:
    """The gold of the bundle's reference data, as a GoldSet."""
    from propos.evaluation import GoldSet
    from propos.fileio import read_jsonl_documents

    path = ref_dir / REFERENCE_FILE
    if not path.is_file():
        raise ProposError(f"{path}: no reference data (is this the bundle's input/ref?)", 2)
    rows = read_jsonl_documents(path)
    documents = {
        doc_id: {key: row[key] for key in ("doc_id", "text_sha256", "entities", "quotes", "events")}
        for doc_id, row in rows.items()
    }
    paragraphs = {doc_id: row["paragraphs"] for doc_id, row in rows.items()}
    texts = {doc_id: row["text"] for doc_id, row in rows.items()}
    return GoldSet(str(next(iter(rows.values()), {}).get("split", "test")), str(ref_dir),
                   documents, paragraphs, texts)  # fmt: skip


def find_predictions(res_dir: Path) -> Path:
    """The participant's predictions under ``input/res``: ``predictions.jsonl`` at any depth
    (a zip of a folder unpacks one level down), else the only ``.jsonl`` file."""
    named = sorted(p for p in res_dir.rglob(PREDICTIONS_FILE) if p.is_file())
    if len(named) == 1:
        return named[0]
    candidates = named or sorted(p for p in res_dir.rglob("*.jsonl") if p.is_file())
    if len(candidates) == 1:
        return candidates[0]
    found = ", ".join(str(p.relative_to(res_dir)) for p in candidates) or "none"
    raise ProposError(
        f"{res_dir}: the submission must hold one {PREDICTIONS_FILE} (JSON Lines files found:"
        f" {found})",
        2,
    )


def score_platform(
    input_dir: Path, output_dir: Path, resamples: int = DEFAULT_RESAMPLES
) -> dict[str, float]:
    """What the platform runs: score ``input/res`` against ``input/ref``, write the scores."""
    from propos.evaluation import evaluate_file, table

    gold = read_reference(input_dir / "ref")
    predictions = find_predictions(input_dir / "res")
    result = evaluate_file(predictions, gold, resamples)
    scores = platform_scores(result)
    output_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(output_dir / "scores.json", json.dumps(scores, indent=2) + "\n")
    write_atomic(
        output_dir / "scores.txt", "".join(f"{key}: {value:.6f}\n" for key, value in scores.items())
    )
    write_atomic(
        output_dir / "detailed_results.html",
        "<!doctype html><meta charset='utf-8'><title>Propos scores</title>"
        f"<pre>{html.escape(table(result))}</pre>\n",
    )
    write_atomic(output_dir / "result.json", json.dumps(result, ensure_ascii=False, indent=2))
    return scores


def main(argv: list[str]) -> int:
    """``score.py INPUT OUTPUT``: the scoring program's entry point; errors as one line."""
    if len(argv) != 2:
        print("usage: score.py INPUT_DIR OUTPUT_DIR", file=sys.stderr)
        return 2
    try:
        scores = score_platform(Path(argv[0]), Path(argv[1]))
    except ProposError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code or 1
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for key, value in scores.items():
        print(f"{key}: {value:.4f}")
    return 0


# ---------------------------------------------------------------- writing the bundle

SCORE_PY = '''#!/usr/bin/env python3
"""Propos scoring program (Codabench, CodaLab): python3 score.py INPUT_DIR OUTPUT_DIR.

Scores INPUT_DIR/res/predictions.jsonl against INPUT_DIR/ref/gold.jsonl with the Propos scorer
and writes OUTPUT_DIR/scores.json, scores.txt and detailed_results.html. Needs Python >= 3.11
with propos {version} installed (the image of docker/Dockerfile).
"""

import sys

try:
    from propos.bundle import main
except ImportError:
    sys.exit("score.py needs the propos package: run it in an image with `pip install"
             " propos=={version}` (see docker/Dockerfile in the bundle)")

sys.exit(main(sys.argv[1:]))
'''

DOCKERFILE = """# The image the Propos scoring program runs in; build and push it, then give its
# name to `propos bundle codabench --docker-image NAME` (docker_image in competition.yaml).
FROM python:3.11-slim
RUN pip install --no-cache-dir "propos=={version}"
"""


def reference_rows(corpus: Corpus, split: str) -> list[dict[str, Any]]:
    from propos.collection import document_metadata
    from propos.split import split_doc_ids

    rights = document_metadata(corpus)
    rows = []
    for doc_id in split_doc_ids(split, corpus.splits_file, corpus.clean_dir):
        cleaned = read_json(corpus.clean_path(doc_id))
        gold = read_json(corpus.gold_dir / f"{doc_id}.json")
        known = rights.get(doc_id, {})
        if known.get("license") not in REDISTRIBUTABLE:
            raise ProposError(
                f"{doc_id}: its text is licensed '{known.get('license')}', which a public"
                f" competition bundle may not redistribute; only {', '.join(REDISTRIBUTABLE)}",
                1,
            )
        rows.append({
            "doc_id": doc_id, "split": split, "text": cleaned["text"],
            "text_sha256": sha256_text(cleaned["text"]), "paragraphs": cleaned["paragraphs"],
            "license": known.get("license"), "attribution": known.get("attribution"),
            "entities": gold.get("entities", []), "quotes": gold.get("quotes", []),
            "events": gold.get("events", []),
        })  # fmt: skip
    return rows


def competition(docker_image: str, start: date, n_documents: int) -> dict[str, Any]:
    return {
        "version": 2,
        "title": "Propos: French news entities, quotations and events",
        "description": "Named entities, quotations (who said what) and events in French news"
        f" articles; scored on the Propos test split ({n_documents} Wikinews articles).",
        "image": "logo.png",
        "registration_auto_approve": True,
        "enable_detailed_results": True,
        # The scoring program needs Python >= 3.11 with propos installed (docker/Dockerfile).
        "docker_image": docker_image,
        "terms": "pages/terms.md",
        "pages": [
            {"title": "Overview", "file": "pages/overview.md"},
            {"title": "Data", "file": "pages/data.md"},
            {"title": "Evaluation", "file": "pages/evaluation.md"},
        ],
        "tasks": [
            {
                "index": 0,
                "name": "Propos test split",
                "description": "Predict the entities, quotations and events of the test"
                " documents; submit a zip holding predictions.jsonl.",
                "reference_data": f"{REFERENCE_DIR}/",
                "scoring_program": f"{PROGRAM_DIR}/",
            }
        ],
        "solutions": [],
        "phases": [
            {
                "index": 0,
                "name": "Test",
                "description": "Submit predictions for every test document; scored by the"
                " Propos scorer (propos evaluate).",
                "start": start.isoformat(),
                "max_submissions_per_day": 5,
                "max_submissions": 100,
                "execution_time_limit": 600,
                "tasks": [0],
            }
        ],
        "leaderboards": [
            {
                "index": 0,
                "title": "Results",
                "key": "main",
                "submission_rule": "Force_Last",
                "columns": [
                    {"title": column.title, "key": column.key, "index": index, "sorting": "desc"}
                    for index, column in enumerate(COLUMNS)
                ],
            }
        ],
    }


def pages(n_documents: int, version: str) -> dict[str, str]:
    return {
        "overview.md": "# Propos\n\nPropos is a French news benchmark: named entities (PER, ORG,"
        " GPE, LOC, FAC, MISC, linked across documents), quotations (content, cue, speaker) and"
        " events (ACE 2005 types plus the Propos additions, realis, arguments). This competition"
        f" scores systems on its test split, {n_documents} French Wikinews articles.\n",
        "data.md": "# Data\n\nThe texts and the training data are the Propos dataset (`propos"
        " build`, or the released Hugging Face dataset). The test texts are Wikinews articles,"
        ' CC BY 2.5 ("Wikinews contributors"); the annotations are CC BY 4.0.\n',
        "evaluation.md": "# Evaluation\n\nSubmit a zip holding `predictions.jsonl`: one line per"
        " test document, in the Propos annotation format (the submission schema of the `propos`"
        " package), cleaned-text character offsets. Check it first with `propos validate"
        " predictions.jsonl --split test`. The scoring program runs the Propos scorer"
        f" (`propos evaluate`, propos {version}): entity strict micro F1 on fine and coarse"
        " types, quotation attribution F1, event trigger classification F1. An invalid"
        " submission fails with the list of its problems.\n",
        "terms.md": "# Terms\n\nThe annotations are CC BY 4.0; the Wikinews texts CC BY 2.5"
        ' ("Wikinews contributors"). Train only on the train split of Propos.\n',
    }


def logo_png() -> bytes:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(2, 2), dpi=100)
    figure.text(0.5, 0.5, "Propos", ha="center", va="center", fontsize=24)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def bundle_files(
    corpus: Corpus, docker_image: str, start: date, split: str = "test"
) -> dict[str, bytes]:
    """Every file of the bundle, by its path inside the bundle."""
    import yaml

    rows = reference_rows(corpus, split)
    version = propos_version()
    files: dict[str, str | bytes] = {
        "competition.yaml": yaml.safe_dump(
            competition(docker_image, start, len(rows)), sort_keys=False, allow_unicode=True
        ),
        f"{REFERENCE_DIR}/{REFERENCE_FILE}": "".join(
            json.dumps(row, ensure_ascii=False) + "\n" for row in rows
        ),
        f"{PROGRAM_DIR}/score.py": SCORE_PY.format(version=version),
        f"{PROGRAM_DIR}/metadata.yaml": f"command: {COMMAND}\n",
        f"{PROGRAM_DIR}/metadata": f"command: {COMMAND}\ndescription: Propos scorer\n",
        "docker/Dockerfile": DOCKERFILE.format(version=version),
        "logo.png": logo_png(),
        **{f"pages/{name}": text for name, text in pages(len(rows), version).items()},
    }
    return {path: v.encode("utf-8") if isinstance(v, str) else v for path, v in files.items()}


def write_codabench(
    corpus: Corpus, out: Path, docker_image: str, start: date, zip_path: Path | None = None
) -> list[str]:
    """Write the bundle folder ``out`` (and its zip); returns the paths written, in order."""
    if out.exists() and not out.is_dir():
        raise ProposError(f"{out}: exists and is not a folder", 2)
    files = bundle_files(corpus, docker_image, start)
    for path, content in files.items():
        write_atomic(out / path, content)
    if zip_path is not None:
        partial = zip_path.with_name(zip_path.name + ".part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for path, content in files.items():
                entry = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o644 << 16
                archive.writestr(entry, content)
        partial.replace(zip_path)
    return list(files)
