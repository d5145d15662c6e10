"""The parallel engine: the same bytes and reports on a Dask cluster as in one process.

One local Dask cluster of 2 workers (threads of this process, processes=False: quick to start
on a loaded 2-core machine) is started for the module; the commands reach it through
``--scheduler``, as they would reach a cluster on Kubernetes or Slurm. A second local cluster
of 2 worker *processes* started with ``spawn`` (as on macOS and Windows) is started and stopped
by the tests that need separate processes: the stages' library functions run on it and write
the same bytes and scores as in one process. `test_a_stage_runs_in_a_spawned_process` runs a
whole stage in a process started with spawn.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from propos.engine import Engine, partitions, run_tasks
from propos.errors import ProposError

from .conftest import ROOT, ok, shown

PROPOS = str(Path(sys.executable).parent / "propos")
# This checkout's code, whichever copy of propos the environment has installed.
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200", "NO_COLOR": "1"}


def propos(*args: object, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PROPOS, *map(str, args)], cwd=ROOT, env={**ENV, **env},
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", dashboard_address=":0"
    ) as cluster:
        yield cluster.scheduler_address


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_build_on_a_dask_cluster_writes_the_same_bytes(
    scheduler: str, release_folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "propos"
    result = ok(propos("build", "--root", ROOT, "--out", out, "--scheduler", scheduler))
    assert f"-> {out}" in result.stderr, shown(result)
    serial = tree(release_folder)
    assert {"README.md", "croissant.json"} <= set(serial)
    assert tree(out) == serial


def test_clean_on_a_dask_cluster_writes_the_same_bytes(scheduler: str, tmp_path: Path) -> None:
    raw = ROOT / "corpus" / "raw"
    one, many = tmp_path / "serial", tmp_path / "dask"
    ok(propos("clean", "--root", ROOT, "--raw-dir", raw, "--out-dir", one, "--workers", "1"))
    result = ok(
        propos("clean", "--root", ROOT, "--raw-dir", raw, "--out-dir", many,
               "--scheduler", scheduler)
    )  # fmt: skip
    written = tree(one)
    assert len(written) == len(list(raw.glob("*.txt"))) > 0
    assert f"{len(written)} written" in result.stderr, shown(result)
    assert tree(many) == written


def test_validate_on_a_dask_cluster_reports_the_same(scheduler: str, tmp_path: Path) -> None:
    bad = tmp_path / "annotations" / "gold"
    bad.mkdir(parents=True)
    (tmp_path / "annotations" / "inventory.json").write_bytes(
        (ROOT / "annotations" / "inventory.json").read_bytes()
    )
    (bad / "broken.json").write_text('{"doc_id": ', encoding="utf-8")
    (bad / "empty.json").write_text("{}", encoding="utf-8")
    targets = [ROOT / "annotations" / "gold", tmp_path / "annotations"]
    serial = propos("validate", *targets, "--root", ROOT, "--format", "json")
    parallel = propos("validate", *targets, "--root", ROOT, "--format", "json",
                      "--scheduler", scheduler)  # fmt: skip
    assert serial.returncode == parallel.returncode == 1, shown(parallel)
    assert "broken.json" in serial.stdout and "empty.json" in serial.stdout
    assert parallel.stdout == serial.stdout
    assert "Traceback" not in parallel.stderr


def long_submission(folder: Path) -> tuple[Path, list[int]]:
    """Three runs of LINES_PER_PARTITION lines: the CRF's lines, then blank lines, a problem
    or two in each later run (a document again, a truncated line, a line too large), the last
    line without its line break; and the numbers of the lines with a problem."""
    from propos.validate import LINES_PER_PARTITION as RUN

    crf = (ROOT / "benchmark" / "submissions" / "crf" / "predictions.jsonl").read_bytes()
    lines = crf.splitlines(keepends=True)
    body = lines + [b"\n"] * (RUN + 2 - len(lines))
    body += [lines[5], b'{"doc_id": \n']  # lines RUN + 3 and RUN + 4
    body += [b"\n"] * (2 * RUN - len(body))
    body += [b'{"doc_id": "' + b"x" * (1 << 20) + b'"}\n', b"  \n", lines[0].rstrip(b"\n")]
    submission = folder / "long.jsonl"
    submission.write_bytes(b"".join(body))
    return submission, [RUN + 3, RUN + 4, 2 * RUN + 1, len(body)]


def test_a_submissions_lines_on_a_dask_cluster_report_the_same(
    scheduler: str, tmp_path: Path
) -> None:
    """Validated alone and scored streamed: the runs of lines checked as tasks give the
    problems, in the same order, of the check in one process."""
    submission, numbers = long_submission(tmp_path)
    arguments = ["validate", submission, "--root", ROOT, "--split", "test", "--max-mib", "1",
                 "--format", "json"]  # fmt: skip
    serial = propos(*arguments)
    parallel = propos(*arguments, "--scheduler", scheduler)
    assert serial.returncode == parallel.returncode == 1, shown(parallel)
    assert parallel.stdout == serial.stdout
    problems = json.loads(serial.stdout)["problems"]
    assert [int(problem["file"].rsplit(":", 1)[1]) for problem in problems] == numbers
    assert "appears more than once" in problems[0]["message"]
    assert "truncated" in problems[1]["message"]
    assert "line too large" in problems[2]["message"]
    evaluate = ["evaluate", "--pred", submission, "--stream", "--resamples", "5"]
    one = propos(*evaluate)
    clustered = propos(*evaluate, "--scheduler", scheduler)
    assert one.returncode == clustered.returncode == 1
    assert clustered.stderr == one.stderr
    assert f"line {numbers[0]}, $.doc_id: document" in one.stderr, one.stderr


def test_an_error_in_a_task_names_its_file(scheduler: str, project: Path, tmp_path: Path) -> None:
    missing = sorted((project / "annotations" / "gold").glob("*.json"))[-1]
    missing.unlink()
    result = propos("build", "--root", project, "--out", tmp_path / "out", "--scheduler", scheduler)
    assert result.returncode == 1, shown(result)
    assert "Traceback" not in result.stderr, shown(result)
    assert f"error: {missing}: document of the splits has no gold annotation" in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_unreachable_scheduler_is_one_line() -> None:
    # dask's own setting for how long to wait, shortened for the test
    wait = {"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    result = propos("validate", ROOT / "annotations" / "gold", "--root", ROOT,
                    "--scheduler", "tcp://127.0.0.1:9", **wait)  # fmt: skip
    assert result.returncode == 1, shown(result)
    assert "Traceback" not in result.stderr, shown(result)
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr


def count_words(part: list[str], suffix: str) -> list[str]:
    if part == ["fail"]:
        raise ValueError("cannot count")
    return [word + suffix for word in part]


def test_results_come_in_partition_order_and_errors_name_the_partition(scheduler: str) -> None:
    words = [f"w{i}" for i in range(23)]
    parts = partitions(words, 4)
    assert [len(p) for p in parts] == [4, 4, 4, 4, 4, 3]
    engine = Engine(scheduler=scheduler)
    found = [w for r in run_tasks(count_words, parts, ("!",), engine) for w in r]
    assert found == [w + "!" for w in words]
    with pytest.raises(ProposError, match=r"fail \(partition of 1\): ValueError: cannot count"):
        list(run_tasks(count_words, [["a"], ["fail"]], ("!",), engine))


def test_a_task_runs_in_a_spawned_process() -> None:
    from propos.validate import validate_partition

    files = sorted((ROOT / "annotations" / "gold").glob("*.json"))[:3]
    arguments = (files, ROOT / "corpus" / "clean", None, None)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        spawned = pool.apply(validate_partition, arguments)
    assert spawned == validate_partition(*arguments)
    assert len(spawned) == 3


def test_evaluate_stream_on_a_dask_cluster_prints_the_same_bytes(scheduler: str) -> None:
    crf = ROOT / "benchmark" / "submissions" / "crf" / "predictions.jsonl"
    stream = ["evaluate", "--pred", crf, "--stream", "--chunk", "8", "--resamples", "200",
              "--format", "json"]  # fmt: skip
    serial = ok(propos(*stream))
    clustered = ok(propos(*stream, "--scheduler", scheduler))
    assert clustered.stdout == serial.stdout
    scores = json.loads(serial.stdout)
    assert scores["documents"]["n_gold"] > 8  # several tasks
    assert 0 < scores["headline"]["entities"]["value"] < 1


@pytest.fixture(scope="module")
def spawned_workers() -> Iterator[str]:
    """A local cluster of 2 single-threaded worker processes started with spawn."""
    import dask
    from distributed import LocalCluster

    with (
        dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}),
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                     dashboard_address=":0") as cluster,
    ):  # fmt: skip
        assert len(cluster.workers) == 2
        yield cluster.scheduler_address


def test_clean_and_build_on_spawned_workers_write_the_same_bytes(
    spawned_workers: str, release_folder: Path, tmp_path: Path
) -> None:
    from propos.build import build_dataset, corpus_inputs
    from propos.clean import clean_corpus
    from propos.corpus import Corpus

    engine = Engine(scheduler=spawned_workers)
    raw, gold = ROOT / "corpus" / "raw", ROOT / "annotations" / "gold"
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    clean_corpus(raw, serial, gold, ROOT)
    clean_corpus(raw, parallel, gold, ROOT, engine=engine)
    written = tree(serial)
    assert len(written) == len(list(raw.glob("*.txt"))) > 0
    assert tree(parallel) == written
    out = tmp_path / "propos"
    build_dataset(corpus_inputs(Corpus.at(ROOT)), out, show_progress=False, engine=engine)
    assert tree(out) == tree(release_folder)


def _streamed_serial_and_on(scheduler: str, chunk: int) -> tuple[dict, dict, int]:
    """The crf submission's streamed headlines in this process and on the cluster."""
    from propos.evaluation import stream_headlines
    from propos.split import split_doc_ids

    doc_ids = split_doc_ids("test", ROOT / "annotations" / "splits.json", ROOT / "corpus" / "clean")
    gold_dir = ROOT / "annotations" / "gold"
    predictions = ROOT / "benchmark" / "submissions" / "crf" / "predictions.jsonl"
    serial = stream_headlines(gold_dir, predictions, doc_ids, resamples=200, chunk=chunk)
    parallel = stream_headlines(gold_dir, predictions, doc_ids, resamples=200, chunk=chunk,
                                engine=Engine(scheduler=scheduler))  # fmt: skip
    return serial, parallel, len(doc_ids)


def test_streamed_scores_on_spawned_workers_equal_the_serial_ones(spawned_workers: str) -> None:
    serial, parallel, _ = _streamed_serial_and_on(spawned_workers, chunk=4)
    assert parallel == serial
    assert 0 < serial["headline"]["entities"]["value"] < 1


def test_a_stage_runs_in_a_spawned_process(tmp_path: Path) -> None:
    from propos.clean import clean_corpus

    raw, gold = ROOT / "corpus" / "raw", ROOT / "annotations" / "gold"
    here, spawned = tmp_path / "here", tmp_path / "spawned"
    clean_corpus(raw, here, gold, ROOT)
    process = multiprocessing.get_context("spawn").Process(
        target=clean_corpus, args=(raw, spawned, gold, ROOT)
    )
    process.start()
    process.join(timeout=300)
    assert process.exitcode == 0
    assert tree(spawned) == tree(here) != {}


def test_a_result_travels_as_one_pickled_object() -> None:
    """distributed would serialise a list result element by element (a header and frames
    for each of 256 records, slower than the task): the worker sends one bytes object."""
    import pickle

    from propos.engine import _call

    sent = _call(count_words, ["a", "b"], "!")
    assert isinstance(sent, bytes)
    assert pickle.loads(sent) == ["a!", "b!"]


def test_an_error_names_the_first_raw_file_of_a_clean_partition() -> None:
    from propos.clean import RawFiles
    from propos.engine import _first

    part = RawFiles(Path("corpus/raw"), ["a.txt", "b.txt"], ROOT, "default")
    assert _first(part) == "corpus/raw/a.txt (partition of 2)"
    assert _first(["x.json", "y.json"]) == "x.json (partition of 2)"


def test_a_local_cluster_runs_its_workers_without_the_profiler() -> None:
    import dask
    import distributed  # noqa: F401  (loads its configuration defaults)

    from propos.engine import _client

    def profiling() -> bool:
        return bool(dask.config.get("distributed.worker.profile.enabled"))

    assert profiling()  # Dask's default, in this process
    with _client(Engine(workers=2), "test") as client:
        settings = client.run(profiling)
    assert list(settings.values()) == [False, False]


def describe_arguments(part: list[str], empty: frozenset[str], names: set[str]) -> list[object]:
    return [part, type(empty).__name__, len(empty), sorted(names)]


def test_a_collection_reaches_a_task_whole_even_empty(scheduler: str) -> None:
    arguments = (frozenset(), {"b", "a"})
    found = list(
        run_tasks(describe_arguments, [["x"], ["y"]], arguments, Engine(scheduler=scheduler))
    )
    assert found == [[["x"], "frozenset", 0, ["a", "b"]], [["y"], "frozenset", 0, ["a", "b"]]]
