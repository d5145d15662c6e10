"""The scale benchmark on small synthetic corpora of both generators: the outputs are right and
the report says what the figures say (speed is measured by benchmark/perf/run.py, never by a
test)."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from .conftest import ROOT, load_script

PERF = ROOT / "benchmark" / "perf"
WINER = ROOT.parent / "shared" / "external" / "winer-fr" / "2016"
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def load(name: str) -> ModuleType:
    return load_script(PERF / f"{name}.py", f"perf_{name}")


@pytest.fixture(scope="module")
def make_corpus() -> ModuleType:
    return load("make_corpus")  # once: the module reads the WiNER-fr articles once


@pytest.fixture(scope="module", params=["winer", "gold"])
def corpus(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
    make_corpus: ModuleType,
) -> Path:  # fmt: skip
    if request.param == "winer" and not WINER.is_dir():
        pytest.skip(f"{WINER} is not here")
    root = tmp_path_factory.mktemp(f"scale-{request.param}") / "n60"
    make_corpus.make_corpus(60, root, seed=3, noise=0.1, text=request.param)
    return root


@pytest.fixture(scope="module")
def stages() -> ModuleType:
    return load("stages")


def stage(stages: ModuleType, name: str, root: Path) -> dict[str, Any]:
    result: dict[str, Any] = stages.STAGES[name](root, 1, 50)
    assert result["seconds"] >= 0 and result["cpu_seconds"] >= 0
    return result


def gold_of(root: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_bytes()) for p in sorted((root / "annotations" / "gold").iterdir())]


def test_synthetic_corpus_and_submission_validate(corpus: Path, stages: ModuleType) -> None:
    assert len(gold_of(corpus)) == 60
    assert stage(stages, "validate", corpus)["problems"] == 0
    assert stage(stages, "validate_submission", corpus)["problems"] == 0


def test_every_layer_has_mentions(corpus: Path) -> None:
    gold = gold_of(corpus)
    for layer in ("entities", "quotes", "events"):
        assert sum(len(g[layer]) for g in gold) > 0, layer


def test_winer_text_varies_where_the_gold_text_repeats(
    tmp_path: Path, make_corpus: ModuleType
) -> None:
    if not WINER.is_dir():
        pytest.skip(f"{WINER} is not here")
    distinct = {}
    for text in ("winer", "gold"):
        root = tmp_path / text
        make_corpus.make_corpus(100, root, seed=1, text=text)
        paragraphs = [
            document["text"][paragraph["start"] : paragraph["end"]]
            for document in map(json.loads, map(Path.read_bytes, (root / "corpus/clean").iterdir()))
            for paragraph in document["paragraphs"]
        ]
        distinct[text] = len(set(paragraphs)) / len(paragraphs)
    # about 800 paragraphs: the committed articles have about 400 distinct ones
    assert distinct["winer"] > 0.98 and distinct["gold"] < 0.6


def test_paragraphs_fixes_the_length_of_a_document(tmp_path: Path, make_corpus: ModuleType) -> None:
    for text, paragraphs in (("gold", 80), ("winer", 30)):
        if text == "winer" and not WINER.is_dir():
            continue
        root = tmp_path / text
        make_corpus.make_corpus(1, root, text=text, paragraphs=paragraphs)
        clean = json.loads(next((root / "corpus" / "clean").iterdir()).read_bytes())
        # the first paragraph may become the title; the furniture lines are removed
        assert len(clean["paragraphs"]) in (paragraphs - 1, paragraphs)


def test_a_missing_winer_folder_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "no-winer"
    result = subprocess.run(
        [sys.executable, str(PERF / "make_corpus.py"), "3", str(tmp_path / "out"),
         "--winer", str(missing)],
        capture_output=True, text=True, env=ENV, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == f"error: {missing}: no such folder (the WiNER-fr articles)"


def test_parallel_cleaning_reproduces_the_corpus(corpus: Path, stages: ModuleType) -> None:
    result = stage(stages, "clean", corpus)
    assert result["documents"] == 60 and result["errors"] == 0 and result["same_as_corpus"]


def test_floors_do_the_work_of_their_stage(corpus: Path, stages: ModuleType) -> None:
    clean = stage(stages, "floor_clean", corpus)
    assert clean["files"] == 60
    # the two furniture lines of every raw file are dropped, the paragraphs kept
    raw_lines = sum(
        len(p.read_text("utf-8").split("\n")) for p in (corpus / "corpus" / "raw").iterdir()
    )
    assert clean["kept_lines"] == raw_lines - 2 * 60
    assert "anchors" not in clean
    checked = stage(stages, "floor_clean_read", corpus)
    assert checked["kept_lines"] == clean["kept_lines"]
    assert checked["anchors"] == len(list((corpus / "annotations" / "gold").glob("*.json")))
    assert 0 <= checked["differing"] <= checked["anchors"]
    decode = stage(stages, "decode", corpus)
    assert decode["files"] == decode["lines"] == 60
    build = stage(stages, "floor_build", corpus)
    import spacy

    tokenizer = spacy.blank("fr").tokenizer
    texts = [json.loads(p.read_bytes())["text"] for p in (corpus / "corpus" / "clean").iterdir()]
    assert build["tokens"] == sum(len(tokenizer(t)) for t in texts)  # whole documents, all


def test_entity_scores_equal_seqeval_and_nervaluate(corpus: Path, stages: ModuleType) -> None:
    ours = stage(stages, "entities_ours", corpus)
    seqeval = stage(stages, "entities_seqeval", corpus)
    nervaluate = stage(stages, "entities_nervaluate", corpus)
    for key in ("precision", "recall", "f1"):
        assert ours["strict"][key] == pytest.approx(seqeval["strict"][key], abs=1e-12)
    for theirs, mine in {
        "strict": "strict",
        "exact": "exact",
        "partial": "partial",
        "ent_type": "type",
    }.items():
        assert ours["schemes"][mine]["f1"] == pytest.approx(
            nervaluate["schemes"][theirs]["f1"], abs=1e-12
        )
    assert 0.5 < ours["strict"]["f1"] < 0.99  # the controlled noise is visible


def test_streamed_evaluation_equals_the_full_score(corpus: Path, stages: ModuleType) -> None:
    from propos.metrics import score

    streamed = stage(stages, "evaluate", corpus)["headline"]
    gold, predictions = stages.load_pairs(corpus)
    full = score(gold, predictions, resamples=1000, layers=("entities", "quotes", "events"))[
        "headline"
    ]
    for layer in ("entities", "quotes", "events"):
        for key in ("value", "low", "high"):
            assert streamed[layer][key] == pytest.approx(full[layer][key], abs=1e-12), (layer, key)


def test_build_writes_every_row(corpus: Path, stages: ModuleType) -> None:
    rows = stage(stages, "build", corpus)["rows"]
    gold = gold_of(corpus)
    assert rows["documents"]["test"] == 60
    assert rows["quotes"]["test"] == sum(len(g["quotes"]) for g in gold)
    assert rows["events"]["test"] == sum(len(g["events"]) for g in gold)


# ---------------------------------------------------------------- run.py end to end

# Stages of light imports, so that a process per stage stays quick; the others are run in
# this process above, and their report is checked from their results below.
REPORT_STAGES = [
    "clean", "floor_clean_read", "floor_clean", "validate", "json_loads_read", "json_loads",
]  # fmt: skip
FLOORED = [("clean", "floor_clean_read", 0.5), ("validate", "json_loads_read", 0.5)]


@pytest.fixture(scope="module")
def perf_work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the run of ``report``: its corpora and results."""
    return tmp_path_factory.mktemp("run")


@pytest.fixture(scope="module")
def report(perf_work: Path) -> tuple[str, dict[str, Any], str]:
    """run.py on the gold generator, 5 and 10 documents and a sweep of 3 and 6 paragraphs,
    into a report that already holds a Dask section."""
    work = perf_work
    out = work / "PERFORMANCE.md"
    dask = "<!-- dask-workers:start -->\nDask figures, kept as they are\n<!-- dask-workers:end -->"
    out.write_text("# Performance\n\nan old table\n\n" + dask + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(PERF / "run.py"), "--text", "gold", "--sizes", "5", "10",
         "--sweep", "3", "6", "--work", str(work), "--out", str(out), "--repeat", "2",
         "--least-cpu", "0", "--stages", *REPORT_STAGES],
        capture_output=True, text=True, env=ENV, check=False, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    saved = json.loads((work / "results.json").read_text())
    return out.read_text(encoding="utf-8"), saved, dask


def rows_of(markdown: str, first_cell: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in markdown.splitlines()
        if line.startswith(f"| {first_cell}")
    ]


def test_the_report_keeps_the_dask_section_and_names_its_commands(
    report: tuple[str, dict[str, Any], str],
) -> None:
    text, _, dask = report
    assert text.startswith("# Performance\n") and "an old table" not in text
    assert text.rstrip().endswith(dask)
    for marker in ("perf-scale", "perf-sweep"):
        assert text.count(f"<!-- {marker}:start -->") == text.count(f"<!-- {marker}:end -->") == 1
    stages = " ".join(REPORT_STAGES)
    for option in ("--sizes 5 10", "--sweep 3 6"):
        command = (
            f"python benchmark/perf/run.py {option} --text gold --repeat 2 --least-cpu 0"
            f" --stages {stages}"
        )
        assert text.count(f"Measured by `{command}`") == 1
    assert "`python benchmark/perf/dask_workers.py" in text


def test_each_stage_stands_beside_its_floor_with_the_right_ratio(
    report: tuple[str, dict[str, Any], str],
) -> None:
    text, saved, _ = report
    scale = saved["scale"]["results"]
    for size in ("5", "10"):
        section = text.split(f"### {size} documents", 1)[1].split("\n\n", 2)[1]
        assert len(rows_of(section, "`")) == len(REPORT_STAGES)
        for stage, floor, target in FLOORED:
            (row,) = rows_of(section, f"`{stage}`")
            figures = scale[size]
            share = figures[floor]["cpu_seconds"] / figures[stage]["cpu_seconds"]
            assert row[2] == f"{figures[stage]['seconds']:.2f}"
            assert row[3] == f"{figures[stage]['cpu_seconds']:.2f}"
            system = figures[stage]["system_seconds"]
            assert row[4] == f"{system:.2f}" and 0 <= system <= figures[stage]["cpu_seconds"]
            assert row[6] == f"{int(size) / figures[stage]['cpu_seconds']:,.0f}"
            assert row[8] == f"{figures[floor]['cpu_seconds']:.2f} ({floor})"
            assert row[9] == f"{math.floor(share * 100) / 100:.2f}" and row[10] == f"≥ {target}"
            assert row[11] == ("met" if share >= target else "**missed**")
            assert row[12] == str(figures[stage]["runs"])
        # Each stage ran twice (--repeat 2; all are quick here), and the run kept is saved.
        assert all(result["runs"] == 2 for result in scale[size].values())


def test_time_per_document_and_per_paragraph_are_tabled(
    report: tuple[str, dict[str, Any], str],
) -> None:
    text, saved, _ = report
    per_document = text.split("## Time per document", 1)[1].split("## Checks", 1)[0]
    (validate,) = rows_of(per_document, "`validate`")
    figures = saved["scale"]["results"]
    expected = [figures[n]["validate"]["cpu_seconds"] / int(n) * 1e6 for n in ("5", "10")]
    assert validate[1:3] == [f"{v:,.0f}" for v in expected]
    assert validate[3].startswith(f"{expected[1] / expected[0]:.2f}x: ")
    floor = [figures[n]["json_loads_read"]["cpu_seconds"] / int(n) * 1e6 for n in ("5", "10")]
    over = [f"{v / f:.2f}x" for v, f in zip(expected, floor, strict=True)]
    assert validate[4] == f"{over[0]} -> {over[1]}"
    (floorless,) = rows_of(per_document, "`json_loads_read`")
    assert floorless[4] == "—"
    sweep = text.split("## One document, growing", 1)[1]
    swept = saved["sweep"]["results"]
    for stage in ("clean", "validate"):
        (row,) = rows_of(sweep, f"`{stage}`")
        per_paragraph = [swept[p][stage]["cpu_seconds"] / int(p) * 1e6 for p in ("3", "6")]
        assert row[1:3] == [f"{v:,.1f}" for v in per_paragraph]
        assert re.fullmatch(r"[\d.]+x: (flat|\*\*NOT flat\*\*)", row[3])
    assert not rows_of(sweep, "`build`")  # not among the stages asked for
    limit = swept["6"]["validate"]["max_mib"]
    assert (
        f"Validate reads files up to {limit} MiB, as `propos validate --max-mib {limit}`" in sweep
    )


def test_a_stage_and_its_floor_are_measured_in_turns() -> None:
    run = load("run")
    asked = ["clean", "floor_clean", "floor_clean_read", "validate", "json_loads",
             "json_loads_read", "build"]  # fmt: skip
    assert run.measurement_groups(asked) == [
        ["clean", "floor_clean_read", "floor_clean"],
        ["validate", "json_loads_read", "json_loads"],
        ["build"],
    ]
    assert run.measurement_groups(["clean", "floor_clean", "build"]) == [
        ["clean", "floor_clean"],
        ["build"],
    ]
    # A floor asked for without its stage is measured alone, in its place.
    assert run.measurement_groups(["floor_clean", "json_loads"]) == [
        ["floor_clean"],
        ["json_loads"],
    ]


@pytest.mark.parametrize(
    ("stage", "also", "finding"),
    [
        ("validate", "json_loads", "- validate against json.loads of the gold files alone (not"
         " of the cleaned texts it must read too): "),
        ("clean", "floor_clean", "- clean against floor_clean, the raw files alone (not the gold"
         " files whose anchored text hashes it must check too): "),
    ],
)  # fmt: skip
def test_a_stage_is_also_set_beside_a_floor_that_reads_less(
    report: tuple[str, dict[str, Any], str], stage: str, also: str, finding: str
) -> None:
    """The verdict reads a stage against the floor that reads every file it reads; the
    findings also set it beside the floor that reads less, and say what is left out."""
    text, saved, _ = report
    floor = load("run").FLOORS[stage][0]
    for size in ("5", "10"):
        figures = saved["scale"]["results"][size]
        share = figures[also]["cpu_seconds"] / figures[stage]["cpu_seconds"]
        findings = text.split(f"**{int(size):,} documents**", 1)[1].split("\n\n", 2)[1]
        assert f"{finding}{math.floor(share * 100) / 100:.2f} of its throughput" in findings
        table = text.split(f"### {int(size):,} documents", 1)[1].split("\n\n", 2)[1]
        (row,) = rows_of(table, f"`{stage}`")
        assert row[8] == f"{figures[floor]['cpu_seconds']:.2f} ({floor})"


def test_the_report_says_ours_equal_the_peers(corpus: Path, stages: ModuleType) -> None:
    run = load("run")
    peers = ("entities_ours", "entities_seqeval", "entities_nervaluate")
    results = {
        name: {**stage(stages, name, corpus), "peak_mb": 1.0, "load_average": 0.0} for name in peers
    }
    text = run.render_scale({60: results}, "python benchmark/perf/run.py", {60: 0.0}, 1)
    assert re.findall(r"-> (\w+)$", text, flags=re.MULTILINE) == ["equal"] * 7
    results["entities_nervaluate"]["schemes"]["exact"]["f1"] += 0.01
    text = run.render_scale({60: results}, "python benchmark/perf/run.py", {60: 0.0}, 1)
    assert "exact F1" in text and text.count("-> DIFFERENT") == 1


def test_the_dask_summary_says_where_2_workers_gain_from_the_rows() -> None:
    dask_workers = load("dask_workers")
    Speedup = dask_workers.Speedup
    dask_workers.SPEEDUPS[:] = [
        Speedup("build", 69, cold=0.5, warm=2.1),
        Speedup("build", 10_000, cold=1.3, warm=1.9),
        Speedup("validate (gold)", 69, cold=0.9, warm=0.4),
        Speedup("validate (gold)", 100_000, cold=0.8, warm=1.2),
        Speedup("clean", 10_000, cold=0.9, warm=0.7),
        Speedup("clean", 69, cold=1.2, warm=1.1),  # a gain below a loss: not "from 69"
        Speedup("clean", 100_000, cold=1.8, warm=0.9),
    ]
    try:
        assert dask_workers.gains() == [
            "- build: 2 workers beat 1 from 10,000 documents when the command starts the"
            " cluster, from 69 documents on a running cluster.",
            "- validate (gold): 2 workers beat 1 at no size measured when the command starts"
            " the cluster, from 100,000 documents on a running cluster.",
            "- clean: 2 workers beat 1 from 100,000 documents when the command starts the"
            " cluster, at no size measured on a running cluster.",
        ]
    finally:
        dask_workers.SPEEDUPS.clear()


def test_no_stage_counts_an_import_as_its_work(report: tuple[str, dict[str, Any], str]) -> None:
    text, saved, _ = report
    imported = {
        (size, stage): result["imported"]
        for size, results in saved["scale"]["results"].items()
        for stage, result in results.items()
        if "imported" in result
    }
    assert {stage for _, stage in imported} == set(REPORT_STAGES)
    assert not any(imported.values()), imported
    assert "Imports: no stage or floor imported a module inside its timed block." in text


@pytest.mark.parametrize("name", ["build", "floor_build"])
def test_build_and_its_floor_import_nothing_while_timed(corpus: Path, name: str) -> None:
    command = [sys.executable, str(PERF / "stages.py"), name, str(corpus)]
    result = subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1])["imported"] == []


def test_an_update_measures_some_stages_again_and_keeps_the_others(tmp_path: Path) -> None:
    out = tmp_path / "PERFORMANCE.md"

    def run(*options: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, str(PERF / "run.py"), "--text", "gold", "--work", str(tmp_path),
                   "--out", str(out), "--repeat", "1", "--least-cpu", "0", *options]  # fmt: skip
        return subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=600)

    refused = run("--sizes", "5", "--stages", "json_loads", "--update")
    assert refused.returncode == 1 and "run the sizes without --update first" in refused.stderr
    assert run("--sizes", "5", "--stages", "validate", "json_loads").returncode == 0
    saved_bytes = (tmp_path / "results.json").read_bytes()
    before = json.loads(saved_bytes)["scale"]["results"]["5"]
    for dropping in (["--sizes", "5", "--stages", "json_loads"], ["--sizes", "6"]):
        refused = run(*dropping)
        assert refused.returncode == 1, refused.stderr[-2000:]
        assert refused.stderr.startswith(f"error: {tmp_path / 'results.json'}: this run would drop")
        assert "(validate at 5" in refused.stderr and "add --update" in refused.stderr
        assert (tmp_path / "results.json").read_bytes() == saved_bytes
    updated = run("--sizes", "5", "--stages", "json_loads", "--update")
    assert updated.returncode == 0, updated.stderr[-2000:]
    scale = json.loads((tmp_path / "results.json").read_text())["scale"]
    assert scale["results"]["5"]["validate"] == before["validate"]
    again = (
        "python benchmark/perf/run.py --sizes 5 --text gold --repeat 1 --least-cpu 0"
        " --stages json_loads"
    )
    assert scale["updates"] == [{"command": f"{again} --update", "stages": ["json_loads"]}]
    text = out.read_text(encoding="utf-8")
    assert f"; `json_loads` measured again by `{again} --update`. Machine:" in text
    table = text.split("### 5 documents", 1)[1].split("\n\n", 2)[1]
    assert [row[0].split(":")[0] for row in rows_of(table, "`")] == ["`validate`", "`json_loads`"]


def test_a_stage_and_its_floor_get_as_many_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    run = load("run")
    cpu = {"clean": run.REPEAT_UNDER + 1, "floor_clean": 1.0, "build": run.REPEAT_UNDER + 1}
    monkeypatch.setattr(run, "run_stage", lambda stage, *_: {"cpu_seconds": cpu[stage]})
    args = SimpleNamespace(repeat=3, sample=0, least_cpu=run.LEAST_CPU)
    pair = run.best_runs(["clean", "floor_clean"], Path("."), args, 1)
    assert pair["clean"]["runs"] == pair["floor_clean"]["runs"] == 3
    assert run.best_runs(["build"], Path("."), args, 1)["build"]["runs"] == 1


def test_a_quick_stage_and_its_floor_run_until_the_slower_spent_the_least_cpu(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = load("run")
    cpu = {"clean": 0.4, "floor_clean_read": 0.2, "validate": 0.001}
    monkeypatch.setattr(run, "run_stage", lambda stage, *_: {"cpu_seconds": cpu[stage]})
    args = SimpleNamespace(repeat=3, sample=0, least_cpu=3.0)
    pair = run.best_runs(["clean", "floor_clean_read"], Path("."), args, 1)
    # 3 CPU seconds of the slower, 0.4 s a run: 8 runs each, the floor's as many as clean's.
    assert pair["clean"]["runs"] == pair["floor_clean_read"]["runs"] == 8
    assert run.best_runs(["validate"], Path("."), args, 1)["validate"]["runs"] == run.MAX_ROUNDS
    assert run.rounds_after_first([2.0, 1.9], 3, 3.0) == 3  # --repeat stays the least
    assert run.rounds_after_first([0.4], 3, 0.0) == 3  # --least-cpu 0: --repeat runs
    assert run.rounds_after_first([run.REPEAT_UNDER + 1], 3, 3.0) == 1


def test_each_round_starts_with_the_next_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    run = load("run")
    order: list[str] = []

    def measure(stage: str, *_: Any) -> dict[str, float]:
        order.append(stage)
        return {"cpu_seconds": 1.0}

    monkeypatch.setattr(run, "run_stage", measure)
    group = ["clean", "floor_clean_read", "floor_clean"]
    args = SimpleNamespace(repeat=4, sample=0, least_cpu=0.0)
    best = run.best_runs(group, Path("."), args, 1)
    assert order == [*group, *group[1:], group[0], group[2], *group[:2], *group]
    assert all(result["runs"] == 4 for result in best.values())


def test_a_result_saved_before_system_time_was_recorded_shows_a_dash() -> None:
    run = load("run")
    assert run.system_cell({"cpu_seconds": 1.0}) == "—"
    assert run.system_cell({"cpu_seconds": 1.0, "system_seconds": 0.25}) == "0.25"


def test_each_floored_stage_is_also_set_against_its_floor_on_user_time(
    report: tuple[str, dict[str, Any], str],
) -> None:
    text, saved, _ = report
    checked = 0
    for size, figures in saved["scale"]["results"].items():
        findings = text.split(f"**{int(size):,} documents**", 1)[1].split("\n\n", 2)[1]
        for stage, floor, _ in FLOORED:
            ours, least = (
                figures[name]["cpu_seconds"] - figures[name]["system_seconds"]
                for name in (stage, floor)
            )
            line = f"- {stage} against {floor} on user CPU alone (system: "
            if ours <= 0:  # no user time recorded at all (a clock tick is 10 ms): no ratio
                assert line not in findings
                continue
            share = f"{math.floor(least / ours * 100) / 100:.2f}"
            assert any(
                row.startswith(line) and row.endswith(f"): {share} of its throughput")
                for row in findings.splitlines()
            ), (size, stage, findings)
            checked += 1
    assert checked >= 2  # clean, at least, spends user time at both sizes


def test_the_file_creation_probe_prints_a_line_a_round_and_leaves_nothing(tmp_path: Path) -> None:
    command = [sys.executable, str(PERF / "create_files.py"), str(tmp_path), "--files", "50",
               "--size", "100", "--rounds", "2", "--pause", "0"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=120)
    assert done.returncode == 0, done.stderr
    rounds = done.stdout.splitlines()
    assert len(rounds) == 2
    for number, line in enumerate(rounds, start=1):
        assert re.fullmatch(
            rf"round {number}: 50 files of 100 bytes: [\d.]+ µs wall, [\d.]+ µs user,"
            r" [\d.]+ µs system per file",
            line,
        ), line
    assert list(tmp_path.iterdir()) == []
    missing = subprocess.run([*command[:2], str(tmp_path / "nowhere")], capture_output=True,
                             text=True, env=ENV, timeout=60)  # fmt: skip
    assert missing.returncode == 1 and missing.stderr.strip().endswith("nowhere: not a folder")


def test_the_clean_ab_script_times_a_revision_against_the_working_tree(tmp_path: Path) -> None:
    script = str(PERF / "clean_ab.py")
    raw = str(ROOT / "corpus" / "raw")
    done = subprocess.run(
        [sys.executable, script, raw, "--base", "HEAD", "--files", "3", "--rounds", "1"],
        capture_output=True, text=True, env=ENV, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    base, tree, ratio = done.stdout.splitlines()
    assert re.fullmatch(r"base \(HEAD\): [\d.]+ µs a document", base)
    assert re.fullmatch(r"working tree: [\d.]+ µs a document", tree)
    assert re.fullmatch(
        r"working tree / base: [\d.]+ \(3 documents, profile news, least of 1 rounds\)", ratio
    )
    unknown = subprocess.run([sys.executable, script, raw, "--base", "no-such-revision"],
                             capture_output=True, text=True, env=ENV, timeout=120)  # fmt: skip
    assert unknown.returncode == 1 and unknown.stderr.startswith("error: git archive no-such")
    empty = subprocess.run([sys.executable, script, str(tmp_path), "--rounds", "1"],
                           capture_output=True, text=True, env=ENV, timeout=300)  # fmt: skip
    assert empty.returncode == 1 and empty.stderr.strip().endswith("no .txt file")


def test_the_profile_script_compares_two_sweep_documents(
    perf_work: Path, report: tuple[str, dict[str, Any], str]
) -> None:
    script = str(PERF / "profile_sweep.py")
    done = subprocess.run(
        [sys.executable, script, "validate", "3", "6", "--work", str(perf_work), "--text", "gold",
         "--repeat", "1", "--top", "4"],
        capture_output=True, text=True, env=ENV, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert re.fullmatch(
        r"validate, under cProfile: [\d.,]+ µs a paragraph at 3 paragraphs, [\d.,]+ at 6"
        r" \([\d.]+x\)",
        lines[0],
    )
    assert re.fullmatch(r"calls a paragraph: [\d.,]+ at 3, [\d.,]+ at 6", lines[1])
    header = "| function | µs a paragraph, 3 | 6 | calls a paragraph, 3 | 6 |"
    rows = lines[lines.index(header) + 2 :]
    assert len(rows) == 4 and all(re.fullmatch(r"\| `.+` \|( [\d.]+ \|){4}", r) for r in rows)
    missing = subprocess.run(
        [sys.executable, script, "validate", "3", "7", "--work", str(perf_work), "--text", "gold"],
        capture_output=True, text=True, env=ENV, timeout=60,
    )  # fmt: skip
    assert missing.returncode == 1
    assert missing.stderr.startswith(f"error: {perf_work}/gold-n1-p7: no sweep document of 7")


def test_a_sweep_alone_keeps_the_saved_scale_figures(
    perf_work: Path, report: tuple[str, dict[str, Any], str], tmp_path: Path
) -> None:
    """Measuring one section leaves the other's figures in results.json, for --update."""
    _, saved, _ = report
    saved = {"scale": saved["scale"]}  # a sweep saved would be dropped: see the next test
    (tmp_path / "results.json").write_text(json.dumps(saved), encoding="utf-8")
    (tmp_path / "gold-n1-p3").symlink_to(perf_work / "gold-n1-p3")
    out = tmp_path / "PERFORMANCE.md"
    done = subprocess.run(
        [sys.executable, str(PERF / "run.py"), "--text", "gold", "--sweep", "3", "--work",
         str(tmp_path), "--out", str(out), "--repeat", "1", "--least-cpu", "0", "--stages",
         "validate"],
        capture_output=True, text=True, env=ENV, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    kept = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert kept["scale"] == saved["scale"]
    assert list(kept["sweep"]["results"]) == ["3"]
    assert "## Stages, floors and peers" in out.read_text(encoding="utf-8")


def test_a_sweep_of_fewer_documents_refuses_to_drop_the_saved_ones(
    report: tuple[str, dict[str, Any], str], tmp_path: Path
) -> None:
    _, saved, _ = report
    (tmp_path / "results.json").write_text(json.dumps(saved), encoding="utf-8")
    refused = subprocess.run(
        [sys.executable, str(PERF / "run.py"), "--text", "gold", "--sweep", "3", "--work",
         str(tmp_path), "--out", str(tmp_path / "PERFORMANCE.md"), "--stages", "validate"],
        capture_output=True, text=True, env=ENV, check=False, timeout=300,
    )  # fmt: skip
    assert refused.returncode == 1
    assert " at 6" in refused.stderr and "--update" not in refused.stderr
    assert json.loads((tmp_path / "results.json").read_text(encoding="utf-8")) == saved
    assert not (tmp_path / "PERFORMANCE.md").exists()


def test_a_stage_not_flat_is_split_into_user_and_system() -> None:
    run = load("run")

    def figures(cpu: float, system: float) -> dict[str, float]:
        return {"cpu_seconds": cpu, "system_seconds": system}

    results = {
        10: {"entities_ours": figures(0.0003, 0.0), "decode": figures(0.001, 0.0)},
        1000: {"entities_ours": figures(0.06, 0.03), "decode": figures(0.1, 0.0)},
    }
    (note,) = run.not_flat_notes(results)[:-1]  # 30 -> 60 µs: decode is flat, no note
    assert note.startswith("- `entities_ours`, user and system CPU apart: user 30 -> 30 µs")
    assert "(1.00x: flat), system 0 -> 30 µs" in note
    results[1000]["entities_ours"]["system_seconds"] = 0.0  # all of it user: not flat
    (note,) = run.not_flat_notes(results)[:-1]
    assert "user 30 -> 60 µs per document (2.00x: **NOT flat**), system 0 -> 0 µs" in note
    results[1000]["entities_ours"] = figures(0.045, 0.0)  # 1.5x: flat, no note
    assert run.not_flat_notes(results) == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--least-cpu", "-1"], "--least-cpu must be a number of seconds, 0 or more"),
        (["--least-cpu", "nan"], "--least-cpu must be a number of seconds, 0 or more"),
        (["--repeat", "0"], "sizes, paragraph counts and --repeat must be at least 1"),
    ],
)
def test_run_refuses_counts_it_cannot_use(tmp_path: Path, options: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, str(PERF / "run.py"), "--sizes", "5", "--work", str(tmp_path), *options],
        capture_output=True, text=True, env=ENV, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].endswith(f"error: {message}")
    assert list(tmp_path.iterdir()) == []  # refused before anything is made
