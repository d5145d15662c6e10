"""1 against 2 Dask workers for `propos clean`, `build`, `validate` and `evaluate --stream`,
through the real command.

    python benchmark/perf/dask_workers.py [--synthetic N ...] [--text winer|gold] [--work DIR]
                                          [--out FILE]

runs each stage on the committed corpus and on synthetic ones of N documents each
(make_corpus.py, WiNER-fr text by default), with ``--workers 1`` (in this process, no Dask) and
``--workers 2`` (a local Dask cluster of 2 worker processes, started by the command), checks
that the two cleanings and the two builds are byte-identical and the two validations (of the
gold files, of the submission alone) and the two streamed evaluations print the same, and
writes the figures into FILE (benchmark/PERFORMANCE.md) between the markers below, leaving the
rest of it as it is.
"""

from __future__ import annotations

import argparse
import filecmp
import logging
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from propos.build import DOCUMENTS_PER_PARTITION
from propos.clean import RAW_FILES_PER_PARTITION
from propos.evaluation import DOCUMENTS_PER_CHUNK
from propos.validate import FILES_PER_PARTITION, LINES_PER_PARTITION

assert RAW_FILES_PER_PARTITION == FILES_PER_PARTITION  # the report states one size for both

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent.parent
START = "<!-- dask-workers:start -->"
END = "<!-- dask-workers:end -->"
PROPOS = [sys.executable, "-c", "from propos.cli import app; app()"]


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the command and every process it started
    output: str
    status: int
    system: float = 0.0  # the system (kernel) share of cpu


def propos(arguments: list[str]) -> Run:
    return measured([*PROPOS, *arguments])


# Start a local cluster as `--workers 2` does, run one trivial task on it, stop it.
CLUSTER_START = """
import logging
from distributed import Client, LocalCluster
if __name__ == "__main__":
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        assert client.submit(sum, [1, 2]).result() == 3
"""


def cluster_start() -> Run:
    """What starting and stopping a local cluster of 2 worker processes costs, alone."""
    return measured([sys.executable, "-c", CLUSTER_START])


def measured(command: list[str]) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    system = after.ru_stime - before.ru_stime
    cpu = (after.ru_utime - before.ru_utime) + system
    return Run(wall, cpu, done.stdout + done.stderr, done.returncode, system)


FINDINGS: list[str] = []
TEXT = ["winer"]  # the generator's text source, set by main
STARTS: list[Run] = []  # the cluster's start and stop alone, measured by main
CONNECTS: list[Run] = []  # a client's import and connection alone, measured by main


@dataclass
class Speedup:
    stage: str
    documents: int
    cold: float  # 1 worker's wall time over 2 workers' (the cluster started by the command)
    warm: float  # over 2 running workers'


SPEEDUPS: list[Speedup] = []


def row(name: str, stage: str, one: Run, two: Run, warm: Run, verdict: str, documents: int) -> str:
    speedup = Speedup(stage, documents, one.wall / two.wall, one.wall / warm.wall)
    SPEEDUPS.append(speedup)
    if max(speedup.cold, speedup.warm) < 1:
        beyond = two.cpu - one.cpu - (STARTS[0].cpu if STARTS else 0.0)
        FINDINGS.append(
            f"{name}, {stage}: 2 workers slower than 1 (cold {speedup.cold:.2f}x, warm"
            f" {speedup.warm:.2f}x); CPU {one.cpu:.1f} s -> {two.cpu:.1f} s, of which"
            f" {max(beyond, 0.0):.1f} s beyond the cluster's start; system CPU"
            f" {one.system:.1f} s -> {two.system:.1f} s"
        )
    return (
        f"| {name} | {stage} | {one.wall:.1f} / {one.cpu:.1f} | {two.wall:.1f} / {two.cpu:.1f} |"
        f" {warm.wall:.1f} | {speedup.cold:.2f}x / {speedup.warm:.2f}x | {verdict} |"
    )


# Import distributed and connect a client to a running scheduler, as every `--scheduler` run
# does before its first task (a `--workers 1` run imports nothing of Dask).
CLIENT_CONNECT = """
import sys
from distributed import Client
Client(sys.argv[1]).close()
"""


def client_connect(address: str) -> Run:
    """What a command pays to reach a running cluster, alone (the second of two runs)."""
    measured([sys.executable, "-c", CLIENT_CONNECT, address])
    return measured([sys.executable, "-c", CLIENT_CONNECT, address])


def first_gain(stage: str, attribute: str) -> str:
    """The smallest corpus from which 2 workers beat 1 for ``stage`` (cold or warm) at every
    larger size measured: a gain at one size and a loss at a larger one is noise."""
    rows = sorted((s.documents, getattr(s, attribute) > 1) for s in SPEEDUPS if s.stage == stage)
    sizes: list[int] = []
    for documents, gains in reversed(rows):
        if not gains:
            break
        sizes.append(documents)
    return f"from {sizes[-1]:,} documents" if sizes else "at no size measured"


def gains() -> list[str]:
    """Where 2 workers beat 1, stage by stage, read from the rows above."""
    stages = list(dict.fromkeys(s.stage for s in SPEEDUPS))
    return [
        f"- {stage}: 2 workers beat 1 {first_gain(stage, 'cold')} when the command starts"
        f" the cluster, {first_gain(stage, 'warm')} on a running cluster."
        for stage in stages
    ]


def on_running_cluster(arguments: list[str], address: str) -> Run:
    """The second of two runs on an already running cluster: its workers are warm."""
    propos([*arguments, "--scheduler", address])
    return propos([*arguments, "--scheduler", address])


def same_tree(left: Path, right: Path) -> bool:
    files = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
    if files != sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file()):
        return False
    return all(filecmp.cmp(left / f, right / f, shallow=False) for f in files)


def measure_clean(name: str, documents: int, root: Path, work: Path, address: str) -> str:
    outputs = {}
    for workers in ("1", "2", "cluster"):
        out = work / f"clean-{workers}"
        shutil.rmtree(out, ignore_errors=True)
        arguments = ["clean", "--root", str(root), "--raw-dir", str(root / "corpus" / "raw"),
                     "--out-dir", str(out)]  # fmt: skip
        if workers == "cluster":
            outputs[workers] = on_running_cluster(arguments, address)
        else:
            outputs[workers] = propos([*arguments, "--workers", workers])
        if outputs[workers].status != 0:
            raise SystemExit(f"clean failed: {outputs[workers].output}")
    identical = same_tree(work / "clean-1", work / "clean-2") and same_tree(
        work / "clean-1", work / "clean-cluster"
    )
    verdict = "byte-identical" if identical else "DIFFER"
    return row(name, "clean", outputs["1"], outputs["2"], outputs["cluster"], verdict, documents)


def measure(name: str, documents: int, root: Path, work: Path, address: str) -> list[str]:
    builds = {}
    for workers in (1, 2):
        out = work / f"build-{workers}"
        shutil.rmtree(out, ignore_errors=True)
        run = propos(["build", "--root", str(root), "--out", str(out), "--workers", str(workers)])
        if run.status != 0:
            raise SystemExit(f"build failed: {run.output}")
        builds[workers] = run
    out = work / "build-cluster"
    warm_build = on_running_cluster(["build", "--root", str(root), "--out", str(out)], address)
    identical = same_tree(work / "build-1", work / "build-2") and same_tree(work / "build-1", out)
    gold = str(root / "annotations" / "gold")
    validations = three_runs(["validate", gold, "--root", str(root)], address)
    same = validations["1"].output == validations["2"].output == validations["cluster"].output
    checks = three_runs(["validate", str(submission_of(root)), "--root", str(root)], address)
    same_check = checks["1"].output == checks["2"].output == checks["cluster"].output
    return [
        measure_clean(name, documents, root, work, address),
        row(name, "build", builds[1], builds[2], warm_build,
            "byte-identical" if identical else "DIFFER", documents),
        row(name, "validate (gold)", validations["1"], validations["2"], validations["cluster"],
            "same report" if same else "DIFFER", documents),
        row(name, "validate (submission)", checks["1"], checks["2"], checks["cluster"],
            "same report" if same_check else "DIFFER", documents),
        measure_evaluate(name, documents, root, address),
    ]  # fmt: skip


def three_runs(arguments: list[str], address: str) -> dict[str, Run]:
    """The command on 1 worker, on 2 started for it, and on the running cluster."""
    runs = {workers: propos([*arguments, "--workers", workers]) for workers in ("1", "2")}
    runs["cluster"] = on_running_cluster(arguments, address)
    return runs


def submission_of(root: Path) -> Path:
    """A submission of every document: the synthetic corpus's, or the committed CRF's
    cross-validated predictions."""
    synthetic = root / "submission.jsonl"
    if synthetic.is_file():
        return synthetic
    return root / "benchmark" / "submissions" / "crf" / "predictions.cv.jsonl"


def measure_evaluate(name: str, documents: int, root: Path, address: str) -> str:
    arguments = ["evaluate", "--root", str(root), "--pred", str(submission_of(root)),
                 "--split", "all", "--stream", "--format", "json"]  # fmt: skip
    runs = three_runs(arguments, address)
    for run in runs.values():
        if run.status != 0:
            raise SystemExit(f"evaluate failed: {run.output}")
    same = runs["1"].output == runs["2"].output == runs["cluster"].output
    return row(name, "evaluate --stream", runs["1"], runs["2"], runs["cluster"],
               "same scores" if same else "DIFFER", documents)  # fmt: skip


def load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def section(rows: list[str], command: str) -> str:
    return "\n".join(
        [
            START,
            "## Dask workers: 1 against 2 on this machine",
            "",
            f"Measured by `{command}`. Wall time in seconds of the real command (process start,"
            " and for 2 workers the start of a local Dask cluster of 2 worker processes,"
            " included) / CPU seconds (user + system, of the command and of every process it"
            " started); `--workers 1` runs in the command's process without Dask. The"
            f" synthetic corpora are made by `make_corpus.py --text {TEXT[0]}`. Machine: 2"
            f" cores shared with other work (load average after the runs: {load_average()}), so"
            " the speed-ups are pessimistic. Each worker process pays a warm-up on its first"
            " partition (imports, spaCy's French tokenizer, the schemas), which a small corpus"
            " does not repay. CPU seconds show the work done: when 2 workers use"
            " about the CPU of 1 plus the warm-ups but take longer, the cores were busy with"
            " other work. The *running workers* column gives the same stage to a local cluster"
            " of 2 worker processes started beforehand and already warm (`--scheduler`, the"
            " second of two runs), as a long-lived cluster would be; its CPU is in the"
            " cluster's processes, not measured here. A stage whose input makes one partition"
            f" (clean and validate: up to {FILES_PER_PARTITION:,} files; build: up to"
            f" {DOCUMENTS_PER_PARTITION} documents; a submission: up to"
            f" {LINES_PER_PARTITION:,} lines; evaluate --stream: up to {DOCUMENTS_PER_CHUNK:,}"
            " documents) runs in the command's process whatever `--workers` says, as clean,"
            " validate and evaluate of the committed corpus do here. The submission validated"
            " and scored is the synthetic corpus's, or the CRF's cross-validated predictions"
            " of the committed documents; evaluate scores it on every document (`--split"
            " all`).",
            "",
            *(
                [
                    f"Starting and stopping a local cluster of 2 worker processes alone (one"
                    f" trivial task, no Propos): {STARTS[0].wall:.1f} s wall /"
                    f" {STARTS[0].cpu:.1f} s CPU, measured by the same script.",
                    "",
                ]
                if STARTS
                else []
            ),
            *(
                [
                    f"Importing `distributed` and connecting a client to the running cluster"
                    f" alone, as every `--scheduler` run does first: {CONNECTS[0].wall:.1f} s"
                    f" wall / {CONNECTS[0].cpu:.1f} s CPU, measured by the same script.",
                    "",
                ]
                if CONNECTS
                else []
            ),
            "| corpus | stage | 1 worker: wall s / CPU s | 2 workers: wall s / CPU s |"
            " 2 running workers (`--scheduler`): wall s | speed-up: 2 workers / running |"
            " output |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            *rows,
            "",
            "Where 2 workers beat 1 (read from the table):",
            "",
            *gains(),
            "",
            *(
                ["**Missed: 2 Dask workers do not beat 1 here**, where:", ""]
                + [f"- {finding}" for finding in FINDINGS]
                + [
                    "",
                    "Each line gives the CPU that 2 workers spend beyond 1 worker's and the"
                    " cluster's start, and the system CPU. On 2 cores, a `--workers 2` run pays"
                    " the cluster's start, a `--scheduler` run the client's import and"
                    " connection (both above), and the command, the scheduler and the 2 workers"
                    " share the 2 cores.",
                ]
                if FINDINGS
                else ["2 Dask workers beat 1 for every stage and size measured."]
            ),
            END,
        ]
    )


def write_section(path: Path, text: str) -> None:
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in current and END in current:
        before, rest = current.split(START, 1)
        after = rest.split(END, 1)[1]
        updated = before + text + after
    else:
        updated = current.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(updated, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, nargs="*", default=[2000])
    parser.add_argument("--text", choices=("winer", "gold"), default="winer")
    parser.add_argument("--work", type=Path, default=Path("/tmp/propos-dask"))
    parser.add_argument("--out", type=Path, default=REPOSITORY / "benchmark" / "PERFORMANCE.md")
    args = parser.parse_args()
    TEXT[0] = args.text
    from distributed import LocalCluster

    args.work.mkdir(parents=True, exist_ok=True)
    STARTS.append(cluster_start())
    if STARTS[0].status != 0:
        raise SystemExit(f"a local cluster did not start: {STARTS[0].output[-2000:]}")
    with LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=":0", silence_logs=logging.ERROR
    ) as cluster:
        CONNECTS.append(client_connect(cluster.scheduler_address))
        rows = measure_all(args, cluster.scheduler_address)
    command = "python benchmark/perf/dask_workers.py --synthetic " + " ".join(
        str(size) for size in args.synthetic
    )
    if args.text != "winer":
        command += f" --text {args.text}"
    write_section(args.out, section(rows, command))
    print("\n".join(rows))


def measure_all(args: argparse.Namespace, address: str) -> list[str]:
    committed = len(list((REPOSITORY / "annotations" / "gold").glob("*.json")))
    rows = measure(f"committed ({committed} docs)", committed, REPOSITORY, args.work, address)
    for size in args.synthetic:
        synthetic = args.work / f"corpus-{args.text}-{size}"
        if not (synthetic / "annotations" / "splits.json").is_file():  # written last
            subprocess.run(
                [sys.executable, str(HERE / "make_corpus.py"), str(size), str(synthetic),
                 "--text", args.text],
                check=True,
            )  # fmt: skip
        rows += measure(f"synthetic ({size:,} docs)", size, synthetic, args.work, address)
    return rows


if __name__ == "__main__":
    main()
