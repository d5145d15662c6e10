"""The leaderboard and the competition hosts, through the real `propos` entry point, on the
landed gold and baseline submissions: display names that are taken or look taken, meta.json
problems in plain words, the cross-validation track, and the Codabench bundle scored as the
platform scores it."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from propos.confusables import look_alikes, name_key

from .conftest import ROOT, load_json, ok, shown

SUBMISSIONS = ROOT / "benchmark" / "submissions"
RESAMPLES = "50"
FOLDS = load_json(ROOT / "annotations" / "splits.json")["folds"]
FOLD_DOCS = sorted({doc_id for fold in FOLDS for doc_id in fold["test"]})
# The landed baselines with predictions.cv.jsonl: their leaderboard task and headline layer.
CV_SYSTEMS = {"crf": ("ner", "entities"), "gazetteer": ("ner", "entities"),
              "lexicon": ("events", "events")}  # fmt: skip
# This worktree's code, whichever copy of propos the environment has installed.
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200", "NO_COLOR": "1"}


def propos(*args: Any) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from propos.cli import app; app()", *map(str, args)]
    return subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True,
                          timeout=600, check=False)  # fmt: skip


def copy_submission(system: str, into: Path, folder_name: str | None = None, **meta: Any) -> Path:
    """A landed baseline submission copied as ``folder_name``, its meta.json fields overridden."""
    folder = into / (folder_name or system)
    shutil.copytree(SUBMISSIONS / system, folder)
    if meta:
        fields = load_json(folder / "meta.json") | meta
        (folder / "meta.json").write_text(json.dumps(fields, ensure_ascii=False), encoding="utf-8")
    return folder


def leaderboard(submissions: Path, out: Path) -> tuple[subprocess.CompletedProcess[str], Any]:
    result = ok(propos("leaderboard", "--submissions", submissions, "--out", out,
                       "--resamples", RESAMPLES))  # fmt: skip
    return result, load_json(out / "leaderboard.json")


# ---------------------------------------------------------------- display names and meta.json


@pytest.fixture(scope="module")
def named_board(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("names")
    submissions = tmp / "submissions"
    copy_submission("crf", submissions)
    copy_submission("gazetteer", submissions)
    # The same predictions under a taken name, a look-alike one, and one only the case differs.
    copy_submission("crf", submissions, "crf-again", name="crf", date="2026-11-24")
    copy_submission("crf", submissions, "crf-cyrillic", name="\u0441rf", date="2026-11-25")
    copy_submission("gazetteer", submissions, "gazetteer-caps", name="GAZETTEER",
                    date="2026-11-25")  # fmt: skip
    copy_submission("gazetteer", submissions, "gazetteer-hidden", name="gaz\u200betteer",
                    date="2026-11-26")  # fmt: skip
    bad = copy_submission("crf", submissions, "bad-meta")
    fields = load_json(bad / "meta.json")
    del fields["authors"], fields["description"]
    fields |= {"name": "Bad meta", "date": "23/11/2026", "url": "javascript:alert(1)",
               "tasks": ["ner", "pos"], "team": "x", "trained_on_train_split": "yes"}  # fmt: skip
    (bad / "meta.json").write_text(json.dumps(fields), encoding="utf-8")
    result, board = leaderboard(submissions, tmp / "out")
    return {"stderr": result.stderr, "json": board,
            "markdown": (tmp / "out" / "LEADERBOARD.md").read_text(encoding="utf-8")}  # fmt: skip


def rejection(board: dict[str, Any], system: str) -> str:
    reasons = {row["system"]: row["reason"] for row in board["json"]["rejected"]}
    assert system in reasons, board["json"]["rejected"]
    return reasons[system]


def test_a_taken_display_name_is_rejected(named_board: dict[str, Any]) -> None:
    assert rejection(named_board, "crf-again") == (
        "display name 'crf' is already used by submission 'crf'"
    )
    assert "rejected crf-again: display name 'crf' is already used" in named_board["stderr"]
    ranked = {row["system"] for row in named_board["json"]["tasks"]["ner"]}
    assert ranked == {"crf", "gazetteer"}


def test_a_look_alike_display_name_is_rejected_naming_the_letter(
    named_board: dict[str, Any],
) -> None:
    assert rejection(named_board, "crf-cyrillic") == (
        "display name '\u0441rf' looks like 'crf', the name of submission 'crf' (CYRILLIC SMALL"
        " LETTER ES (U+0441) for LATIN SMALL LETTER C (U+0063))"
    )
    assert "looks like 'gazetteer'" in rejection(named_board, "gazetteer-caps")
    assert "the invisible ZERO WIDTH SPACE (U+200B)" in rejection(named_board, "gazetteer-hidden")
    assert "crf-cyrillic" in named_board["markdown"].split("## Rejected submissions")[1]


def test_a_bad_meta_json_lists_every_problem_in_plain_words(named_board: dict[str, Any]) -> None:
    reason = rejection(named_board, "bad-meta")
    assert reason.startswith("meta.json: 7 problems: "), reason
    assert reason.count("'description' is missing: what the system is") == 1, reason
    for sentence in (
        "'authors' is missing: who built the system",
        "'url' should be a web address (http:// or https://, no spaces) for the system or its"
        " paper; it is 'javascript:alert(1)'",
        "'date' should be the date of the submission, written YYYY-MM-DD (for example"
        " 2026-11-23); it is '23/11/2026'",
        "'trained_on_train_split' should be true or false, not text",
        "item 2 of 'tasks' is 'pos', which is none of ner, ner-coarse, quotes, events",
        "'team' is not a field of meta.json (its fields: name, authors, description, url,"
        " date, trained_on_train_split, tasks)",
    ):
        assert sentence in reason, reason
    assert not re.search(r"\^|\$'|\[0-9\]|\\s", reason), reason  # no regular expression


def test_name_keys() -> None:
    assert name_key("Spacy-FR-md") == name_key("spacy-fr-md")
    assert name_key("spacy-fr-rnd") == name_key("spacy-fr-md")  # "rn" looks like "m"
    assert name_key("Kévin") != name_key("Kevin") and name_key("crf") != name_key("cfr")
    assert look_alikes("\u0441rf", "crf") == [
        "CYRILLIC SMALL LETTER ES (U+0441) for LATIN SMALL LETTER C (U+0063)"
    ]


# ---------------------------------------------------------------- cross-validation track


@pytest.fixture(scope="module")
def cv_board(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("cv")
    submissions = tmp / "submissions"
    for system in CV_SYSTEMS:
        copy_submission(system, submissions)
    # A CV file that misses a document: its test entry is kept, its CV entry rejected.
    broken = copy_submission("crf", submissions, "crf-short", name="crf short")
    lines = (broken / "predictions.cv.jsonl").read_text(encoding="utf-8").splitlines()
    (broken / "predictions.cv.jsonl").write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    result, board = leaderboard(submissions, tmp / "out")
    return {"stderr": result.stderr, "json": board, "missing": json.loads(lines[0])["doc_id"],
            "markdown": (tmp / "out" / "LEADERBOARD.md").read_text(encoding="utf-8")}  # fmt: skip


def test_the_landed_cv_files_cover_every_fold_document_once() -> None:
    for system in CV_SYSTEMS:
        lines = (SUBMISSIONS / system / "predictions.cv.jsonl").read_text().splitlines()
        assert sorted(json.loads(line)["doc_id"] for line in lines) == FOLD_DOCS


def test_cv_figure_is_the_pooled_score_of_the_fold_predictions(
    cv_board: dict[str, Any], project: Path, tmp_path: Path
) -> None:
    system = "crf"
    cv = cv_board["json"]["cross_validation"]
    assert (cv["folds"], cv["documents"]) == (len(FOLDS), len(FOLD_DOCS))
    task, layer = CV_SYSTEMS[system]
    row = next(r for r in cv["tasks"][task] if r["system"] == system)
    # The same file scored by `propos evaluate` on every document (the folds cover them all).
    cv_file = SUBMISSIONS / system / "predictions.cv.jsonl"
    evaluated = json.loads(ok(propos("evaluate", "--pred", cv_file, "--split", "all", "--format",
                                     "json", "--resamples", RESAMPLES)).stdout)  # fmt: skip
    assert evaluated["documents"]["n_gold"] == len(FOLD_DOCS)
    assert row["value"] == pytest.approx(evaluated["headline"][layer]["value"])
    assert row["unit"]["unit"] == "document" and row["low"] <= row["value"] <= row["high"]
    # The spread: one figure per fold, the first checked by `propos evaluate` on a corpus copy
    # whose test split is that fold's test part.
    assert len(row["folds"]) == len(FOLDS)
    assert row["fold_mean"] == pytest.approx(statistics.fmean(row["folds"]))
    assert row["fold_sd"] == pytest.approx(statistics.stdev(row["folds"]))
    first = set(FOLDS[0]["test"])
    splits = load_json(project / "annotations" / "splits.json")
    splits["assignments"] = {d: "test" if d in first else "train" for d in splits["assignments"]}
    (project / "annotations" / "splits.json").write_text(json.dumps(splits), encoding="utf-8")
    fold_file = tmp_path / "fold0.jsonl"
    fold_file.write_text("".join(
        line + "\n" for line in cv_file.read_text(encoding="utf-8").splitlines()
        if json.loads(line)["doc_id"] in first
    ), encoding="utf-8")  # fmt: skip
    on_fold = json.loads(ok(propos("evaluate", "--pred", fold_file, "--root", project,
                                   "--format", "json", "--resamples", "1")).stdout)  # fmt: skip
    assert on_fold["documents"]["n_gold"] == len(first)
    assert row["folds"][0] == pytest.approx(on_fold["headline"][layer]["value"])


def test_cv_track_ranks_and_renders(cv_board: dict[str, Any]) -> None:
    ner = cv_board["json"]["cross_validation"]["tasks"]["ner"]
    assert [r["system"] for r in ner] == ["crf", "gazetteer"]  # crf-short's CV file is rejected
    assert ner[0]["value"] > ner[1]["value"] and ner[1]["p_value_vs_best"] < 0.05
    tasks = cv_board["json"]["cross_validation"]["tasks"]
    assert [r["system"] for r in tasks["events"]] == ["lexicon"] and tasks["quotes"] == []
    test_rows = {r["system"]: r for r in cv_board["json"]["tasks"]["ner"]}
    assert test_rows["crf"]["cv_value"] == pytest.approx(ner[0]["value"])
    assert test_rows["crf-short"]["cv_value"] is None  # still ranked on the test split
    markdown = cv_board["markdown"]
    assert "## Cross-validation (5 folds)" in markdown
    assert "### Named entities (fine types), cross-validated" in markdown
    fold_range = f"{min(ner[0]['folds']):.3f}–{max(ner[0]['folds']):.3f}"
    assert f"| 1 | crf | {ner[0]['value']:.3f} |" in markdown and fold_range in markdown
    assert f"| {ner[0]['fold_mean']:.3f} ± {ner[0]['fold_sd']:.3f} |" in markdown
    reason = rejection(cv_board, "crf-short")
    assert reason.startswith("predictions.cv.jsonl: ") and cv_board["missing"] in reason, reason


def test_baseline_cv_writes_the_landed_cv_file(tmp_path: Path) -> None:
    result = ok(propos("baseline", "gazetteer", "--cv", "--out", tmp_path))
    assert "cross-validated predictions" in result.stderr
    written = (tmp_path / "predictions.cv.jsonl").read_text(encoding="utf-8")
    assert written == (SUBMISSIONS / "gazetteer" / "predictions.cv.jsonl").read_text("utf-8")


def test_baseline_cv_alone_is_a_usage_error() -> None:
    result = propos("baseline", "--report", "--cv")
    assert result.returncode == 2, shown(result)
    assert result.stderr.strip() == "error: --cv goes with a baseline NAME or --all"


# ---------------------------------------------------------------- Codabench bundle


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("bundle")
    result = ok(propos("bundle", "codabench", "--out", tmp / "folder", "--zip",
                       tmp / "bundle.zip", "--start", "2026-12-01",
                       "--docker-image", "example.org/propos-scoring:0.1"))  # fmt: skip
    assert f"-> {tmp / 'folder'} and {tmp / 'bundle.zip'}" in result.stderr
    unpacked = tmp / "unpacked"
    with zipfile.ZipFile(tmp / "bundle.zip") as archive:
        archive.extractall(unpacked)
    assert sorted(p.relative_to(unpacked).as_posix() for p in unpacked.rglob("*") if p.is_file()) \
        == sorted(p.relative_to(tmp / "folder").as_posix()
                  for p in (tmp / "folder").rglob("*") if p.is_file())  # fmt: skip
    return unpacked


def run_as_the_platform(bundle: Path, submission: Path, work: Path) -> subprocess.CompletedProcess:
    """Codabench's layout: input/ref (reference data), input/res (the unzipped submission),
    program (the scoring program), output; then the command of metadata.yaml. The image's
    python3 has propos installed; here this interpreter with this worktree's code does."""
    competition = yaml.safe_load((bundle / "competition.yaml").read_text(encoding="utf-8"))
    task = competition["tasks"][0]
    shutil.copytree(bundle / task["reference_data"], work / "input" / "ref")
    shutil.copytree(bundle / task["scoring_program"], work / "program")
    with zipfile.ZipFile(work / "submission.zip", "w") as archive:
        archive.write(submission, "predictions.jsonl")
    with zipfile.ZipFile(work / "submission.zip") as archive:
        archive.extractall(work / "input" / "res")
    (work / "output").mkdir()
    command = yaml.safe_load((work / "program" / "metadata.yaml").read_text())["command"]
    for variable in ("program", "input", "output"):
        command = command.replace(f"${variable}", str(work / variable))
    argv = shlex.split(command)
    assert argv[0] == "python3"
    return subprocess.run([sys.executable, *argv[1:]], cwd=work, env=ENV, capture_output=True,
                          text=True, timeout=600, check=False)  # fmt: skip


def test_bundle_declares_a_codabench_competition(bundle: Path) -> None:
    competition = yaml.safe_load((bundle / "competition.yaml").read_text(encoding="utf-8"))
    assert competition["version"] == 2
    assert competition["docker_image"] == "example.org/propos-scoring:0.1"
    for key in ("image", "terms"):
        assert (bundle / competition[key]).is_file()
    assert all((bundle / page["file"]).is_file() for page in competition["pages"])
    assert competition["phases"][0]["tasks"] == [0] and competition["phases"][0]["start"] == (
        "2026-12-01"
    )
    keys = [c["key"] for c in competition["leaderboards"][0]["columns"]]
    assert keys == ["ner_f1", "ner_coarse_f1", "quotes_f1", "events_f1"]
    for name in ("metadata.yaml", "metadata"):
        text = (bundle / "scoring_program" / name).read_text()
        assert "command: python3 $program/score.py $input $output" in text
    assert "propos==" in (bundle / "docker" / "Dockerfile").read_text()
    rows = [json.loads(line) for line in (bundle / "reference_data" / "gold.jsonl").open()]
    splits = load_json(ROOT / "annotations" / "splits.json")["assignments"]
    assert sorted(r["doc_id"] for r in rows) == sorted(d for d, s in splits.items() if s == "test")
    first = rows[0]
    assert first["entities"] == load_json(ROOT / "annotations" / "gold" /
                                          f"{first['doc_id']}.json")["entities"]  # fmt: skip
    assert first["license"] and first["attribution"].startswith("Wikinews contributors")


def combined_submission(path: Path) -> Path:
    """One submission with every layer: the entities of the crf baseline, the quotations of
    the rules baseline, the events of the lexicon baseline (all landed, test split)."""

    def documents(system: str) -> dict[str, dict[str, Any]]:
        lines = (SUBMISSIONS / system / "predictions.jsonl").read_text(encoding="utf-8")
        return {(d := json.loads(line))["doc_id"]: d for line in lines.splitlines()}

    quotes, events = documents("rules"), documents("lexicon")
    path.write_text("".join(
        json.dumps(doc | {"quotes": quotes[doc_id]["quotes"], "events": events[doc_id]["events"]},
                   ensure_ascii=False) + "\n"
        for doc_id, doc in sorted(documents("crf").items())
    ), encoding="utf-8")  # fmt: skip
    return path


def test_scoring_program_gives_the_figures_of_propos_evaluate(bundle: Path, tmp_path: Path) -> None:
    predictions = combined_submission(tmp_path / "predictions.jsonl")
    result = run_as_the_platform(bundle, predictions, tmp_path / "platform")
    assert result.returncode == 0, shown(result)
    output = tmp_path / "platform" / "output"
    scores = load_json(output / "scores.json")
    evaluated = json.loads(ok(propos("evaluate", "--pred", predictions, "--format", "json",
                                     "--resamples", RESAMPLES)).stdout)  # fmt: skip
    headline = evaluated["headline"]
    assert scores == pytest.approx({
        "ner_f1": headline["entities"]["value"],
        "ner_coarse_f1": evaluated["entities_coarse"]["value"],
        "quotes_f1": headline["quotes"]["value"],
        "events_f1": headline["events"]["value"],
    })  # fmt: skip
    assert min(scores.values()) > 0.2, scores
    text = (output / "scores.txt").read_text()
    assert text.splitlines()[0] == f"ner_f1: {scores['ner_f1']:.6f}"
    assert (output / "detailed_results.html").read_text().startswith("<!doctype")


def test_scoring_program_fails_an_invalid_submission_with_one_line(
    bundle: Path, tmp_path: Path
) -> None:
    short = tmp_path / "short.jsonl"
    lines = (SUBMISSIONS / "crf" / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    short.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    work = tmp_path / "work"
    result = run_as_the_platform(bundle, short, work)
    assert result.returncode != 0, shown(result)
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: "), shown(result)
    assert json.loads(lines[0])["doc_id"] in result.stderr
    assert not (work / "output" / "scores.json").exists()


def test_bundle_bad_start_date_is_one_error_line(tmp_path: Path) -> None:
    result = propos("bundle", "codabench", "--out", tmp_path / "b", "--start", "01/12/2026")
    assert result.returncode == 2, shown(result)
    assert result.stderr.strip() == "error: --start 01/12/2026: not a date written YYYY-MM-DD"
    assert not (tmp_path / "b").exists()


def test_the_readme_documents_every_meta_field_as_the_schema_declares() -> None:
    declared = load_json(ROOT / "src" / "propos" / "schemas" / "submission-meta.schema.json")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Submitting to the leaderboard", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| (yes|no) \|", section, flags=re.M))
    assert rows == {
        key: "yes" if key in declared["required"] else "no" for key in declared["properties"]
    }
    assert "predictions.cv.jsonl" in section


def test_bundle_refuses_a_test_split_holding_press_texts(project: Path, tmp_path: Path) -> None:
    """The press articles' texts are the publishers': a public bundle may not carry them."""
    press = "000_5637744c8eac245a"
    splits = load_json(project / "annotations" / "splits.json")
    splits["assignments"][press] = "test"
    (project / "annotations" / "splits.json").write_text(json.dumps(splits), encoding="utf-8")
    result = propos("bundle", "codabench", "--root", project, "--out", tmp_path / "b")
    assert result.returncode == 1, shown(result)
    assert result.stderr.strip() == (
        f"error: {press}: its text is licensed 'research-only', which a public competition"
        " bundle may not redistribute; only CC BY 2.5"
    )
    assert not (tmp_path / "b").exists()


# ---------------------------------------------------------------- coarse-only entity systems


def test_a_coarse_only_system_is_ranked_on_coarse_types_only(tmp_path: Path) -> None:
    """crf-winer predicts PER, ORG, LOC, MISC: declared `ner-coarse`, it is not ranked on the
    fine types, where its LOC would count against GPE and FAC; `ner` ranks both tables."""
    submissions = tmp_path / "submissions"
    copy_submission("crf-winer", submissions)
    copy_submission("crf-winer", submissions, "crf-winer-as-ner", name="crf-winer as ner",
                    tasks=["ner"])  # fmt: skip
    _, board = leaderboard(submissions, tmp_path / "out")
    systems = {task: [row["system"] for row in rows] for task, rows in board["tasks"].items()}
    assert systems["ner"] == ["crf-winer-as-ner"]
    assert sorted(systems["ner-coarse"]) == ["crf-winer", "crf-winer-as-ner"]
    coarse = {row["system"]: row["value"] for row in board["tasks"]["ner-coarse"]}
    assert coarse["crf-winer"] == coarse["crf-winer-as-ner"] > 0.5
