"""The scale benchmark: every stage beside its floor and its peers, at several corpus sizes.

    python benchmark/perf/run.py [--sizes 1000 10000 100000] [--sweep 1000 2000 4000 8000 16000]
                                 [--text winer|gold] [--repeat 3] [--least-cpu 3]
                                 [--work DIR] [--out FILE]

builds a synthetic corpus per size (make_corpus.py, WiNER-fr text by default), runs each stage
in its own process (stages.py) to read its wall and CPU seconds and peak memory (ru_maxrss of
that process alone), keeping the run of least CPU of ``--repeat`` runs or more (one run for a
stage whose first takes over a minute of CPU; a quick stage runs until it has spent
``--least-cpu`` seconds, at most 15 times; a stage and its floor take turns), checks that the
figures of our entity scorer equal seqeval's and nervaluate's on the same data, and writes its
sections of benchmark/PERFORMANCE.md:

- ``--sizes``: the stages and their floors at each corpus size, and time per document;
- ``--sweep``: one document of each number of paragraphs, cost per paragraph (linearity).

Each section is written between its markers and names the command that made it; the other
sections of the file (and the Dask section of dask_workers.py) are kept. With neither option,
both run at their default sizes. ``--sizes ... --stages A B --update`` measures stages A and B
again, keeping the other stages' figures from WORK/results.json; the section then names both
commands. A run that would replace saved figures it does not measure again (other stages, or
other sizes) stops before measuring and says so.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from propos.fileio import MAX_JSON_BYTES

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
DEFAULT_SIZES = [1000, 10000, 100000]
DEFAULT_SWEEP = [1000, 2000, 4000, 8000, 16000]
DEFAULT_WORK = Path("/tmp/propos-perf")  # where the corpora and results.json are kept
FLAT = 1.5  # per-unit cost "flat": the largest size within this factor of the smallest
REPEAT_UNDER = 60.0  # CPU seconds: a stage whose first run takes longer is not repeated
LEAST_CPU = 3.0  # CPU seconds a quick group's slowest stage spends in all its runs (--least-cpu)
MAX_ROUNDS = 15  # runs of a quick stage, at most

# (stage, what it is, whether it is one of ours, a peer or a floor)
STAGES: list[tuple[str, str, str]] = [
    ("clean", "propos clean (raw text -> cleaned JSON)", "ours"),
    ("floor_clean_read", "read + NFC + one pass of the furniture patterns + write JSON, and the"
     " text hash each gold file anchors checked (every file clean reads)", "floor"),
    ("floor_clean", "read + NFC + one pass of the furniture patterns + write JSON", "floor"),
    ("validate", "propos validate on the gold files (schema + semantic checks)", "ours"),
    ("validate_submission", "propos validate on the submission (JSON Lines)", "ours"),
    ("json_loads_read", "json.loads of every file validate reads (gold files and their cleaned"
     " texts)", "floor"),
    ("json_loads", "json.loads of the gold files", "floor"),
    ("jsonschema", "jsonschema validation alone (annotation schema)", "peer"),
    ("build", "propos build (Parquet, 4 configs)", "ours"),
    ("floor_build", "decode the files + spaCy tokenizer on whole documents + write Parquet",
     "floor"),
    ("evaluate", "propos evaluation, streamed, headline F1 + 1,000-resample intervals", "ours"),
    ("decode", "json.loads of the gold files and the submission lines", "floor"),
    ("bootstrap", "bootstrap intervals alone: 1,000 resamples, every figure streamed", "ours"),
    ("entities_ours", "our entity scorer: 4 SemEval schemes, micro + per type, fine + coarse",
     "ours"),
    ("entities_seqeval", "seqeval strict IOB2 classification report (scoring only)", "peer"),
    ("entities_nervaluate", "nervaluate 4 schemes on span lists", "peer"),
]  # fmt: skip

# stage -> (its floor, the target: the stage's throughput at least this share of the floor's)
FLOORS: dict[str, tuple[str, float]] = {
    "clean": ("floor_clean_read", 0.5),
    "validate": ("json_loads_read", 0.5),
    "build": ("floor_build", 0.5),
    "evaluate": ("decode", 0.25),
}
# stage -> a floor without part of the stage's reading, also set beside it in the findings
ALSO_AGAINST: dict[str, str] = {"clean": "floor_clean", "validate": "json_loads"}
SWEEP_STAGES = ["clean", "validate", "build", "evaluate"]

SECTIONS = ("scale", "sweep")


def markers(name: str) -> tuple[str, str]:
    return f"<!-- perf-{name}:start -->", f"<!-- perf-{name}:end -->"


HEADER = """# Performance

Figures of `benchmark/perf/` (see its scripts' docstrings). One command per section, each
written above its section:

- *Stages, floors and peers* and *time per document*: `python benchmark/perf/run.py --sizes
  1000 10000 100000`
- *One document, growing*: `python benchmark/perf/run.py --sweep 1000 2000 4000 8000 16000`
- *Dask workers: 1 against 2*: `python benchmark/perf/dask_workers.py --synthetic 2000
  10000 100000`

The corpora are synthetic (`make_corpus.py`): by default the sentences of the WiNER-fr 2016
articles recombined into paragraphs of 1 to 4 sentences (varied text: caches keyed on text miss
as on real input), with WiNER's entity mentions and synthetic quotation and event layers, and a
submission with controlled noise. Each stage runs in its own process after its imports are
warmed (import time is reported apart); the machine is shared, so stages are compared with
their floors on CPU seconds measured in the same run, each the least of 3 runs (of 1 for a
stage whose first run takes over a minute of CPU; a quick stage and its floor run as many
times as make about 3 CPU seconds for the slower of them, at most 15), a stage and its floor
taking turns.
"""


def replace_between(current: str, start: str, end: str) -> str | None:
    """The block from ``start`` to ``end`` in ``current``, or None."""
    if start in current and end in current.split(start, 1)[1]:
        return start + current.split(start, 1)[1].split(end, 1)[0] + end
    return None


def write_report(path: Path, fresh: dict[str, str]) -> None:
    """Write the header, then each section: ``fresh`` ones as given, the others as they stand
    in the file (the Dask section of dask_workers.py included), or a line saying how to make
    them."""
    from dask_workers import END, START

    current = path.read_text(encoding="utf-8") if path.exists() else ""
    parts = [HEADER]
    for name in SECTIONS:
        start, end = markers(name)
        if name in fresh:
            parts.append(f"{start}\n{fresh[name].strip()}\n{end}")
        else:
            kept = replace_between(current, start, end)
            parts.append(kept or f"{start}\n*Section {name}: not measured yet.*\n{end}")
    parts.append(replace_between(current, START, END) or f"{START}\n*Not measured yet.*\n{END}")
    path.write_text("\n\n".join(part.strip("\n") for part in parts) + "\n", encoding="utf-8")


def run_stage(stage: str, root: Path, workers: int, sample: int) -> dict[str, Any]:
    import tempfile

    command = [PYTHON, str(HERE / "stages.py"), stage, str(root), "--workers", str(workers),
               "--sample", str(sample)]  # fmt: skip
    started = time.perf_counter()
    # Files, not pipes: the process is waited for with os.wait4 to read its own peak memory.
    with tempfile.TemporaryFile() as output, tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=output, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        output.seek(0)
        errors.seek(0)
        printed, complaint = output.read().decode(), errors.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"error: stage {stage} failed on {root}:\n{complaint[-2000:]}")
    result = json.loads(printed.strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux
    result["load_average"] = os.getloadavg()[0]
    result["process_seconds"] = wall
    return result


def best_runs(
    stages: list[str], root: Path, args: argparse.Namespace, workers: int
) -> dict[str, dict[str, Any]]:
    """Each stage's run of least CPU seconds of its runs (the machine may be shared: the least
    disturbed run is the closest to the stage's own cost). The stages take turns, round by
    round, so that a stage and its floor meet the same conditions: creating files, which clean
    and its floor spend most of their CPU on, costs the kernel several times more at one
    moment than at another on this machine. Each round starts with the next stage (clean
    first, then its floor first, ...), so that none always runs right after another's files
    were written and removed. How many rounds: see `rounds_after_first`."""
    runs = {stage: [run_stage(stage, root, workers, args.sample)] for stage in stages}
    first_runs = [made[0]["cpu_seconds"] for made in runs.values()]
    for round_number in range(1, rounds_after_first(first_runs, args.repeat, args.least_cpu)):
        for stage in rotated(stages, round_number):
            runs[stage].append(run_stage(stage, root, workers, args.sample))
    best = {}
    for stage, made in runs.items():
        best[stage] = min(made, key=lambda result: result["cpu_seconds"])
        best[stage]["runs"] = len(made)
    return best


def rounds_after_first(first_runs: list[float], repeat: int, least_cpu: float) -> int:
    """The rounds a group of stages runs, given the CPU seconds of their first runs: one when
    every first run took over REPEAT_UNDER seconds; else ``repeat``, or more for a quick group,
    so that its slowest stage spends about ``least_cpu`` seconds in all (at most MAX_ROUNDS):
    the least of 3 runs of a tenth of a second is a coarse figure on a shared machine (timeit's
    autorange does the same). Every stage of the group runs as many times."""
    if all(seconds > REPEAT_UNDER for seconds in first_runs):
        return 1
    slowest = max(first_runs)
    if least_cpu <= 0 or slowest <= 0:
        return repeat
    return max(repeat, min(MAX_ROUNDS, math.ceil(least_cpu / slowest)))


def rotated(stages: list[str], round_number: int) -> list[str]:
    """The order of one round: the stages from the round's first on, then the ones before."""
    first = round_number % len(stages)
    return stages[first:] + stages[:first]


def measurement_groups(stages: list[str]) -> list[list[str]]:
    """The stages in their order, each measured in turns with its floors (when asked for),
    the floors then taken out of their own places."""
    grouped = {floor for stage in stages for floor in floors_of(stage) if floor in stages}
    return [
        [stage, *(floor for floor in floors_of(stage) if floor in stages)]
        for stage in stages
        if stage not in grouped
    ]


def floors_of(stage: str) -> list[str]:
    """The floor a stage's verdict is read against, then the one it is also set beside."""
    return [floor for floor in (FLOORS.get(stage, ("",))[0], ALSO_AGAINST.get(stage)) if floor]


def ensure_corpus(
    size: int, work: Path, text: str, paragraphs: int | None = None
) -> tuple[Path, float]:
    """The corpus of ``size`` documents (of ``paragraphs`` paragraphs each, if given), made
    once under ``work``; the seconds its generation took (0 if it was there)."""
    name = f"{text}-n{size}" + (f"-p{paragraphs}" if paragraphs else "")
    root = work / name
    if (root / "annotations" / "splits.json").exists():  # written last
        return root, 0.0
    command = [PYTHON, str(HERE / "make_corpus.py"), str(size), str(root), "--text", text]
    if paragraphs:
        command += ["--paragraphs", str(paragraphs)]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return root, time.perf_counter() - started


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = "unknown memory"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kib / 2**20:.0f} GiB"
    python = platform.python_version()
    return f"{os.cpu_count()} cores ({model}), {memory}, Python {python}, {platform.system()}"


def verdict(a: float, b: float) -> str:
    return "equal" if abs(a - b) < 1e-9 else "DIFFERENT"


def checks(results: dict[str, Any]) -> list[str]:
    """The correctness checks of one size: our entity figures equal the peers'."""
    ours, seqeval_figures = results["entities_ours"], results["entities_seqeval"]
    found = []
    for key in ("precision", "recall", "f1"):
        found.append(
            f"strict {key}: ours {ours['strict'][key]:.6f},"
            f" seqeval {seqeval_figures['strict'][key]:.6f} -> "
            + verdict(ours["strict"][key], seqeval_figures["strict"][key])
        )
    mapping = {"strict": "strict", "exact": "exact", "partial": "partial", "ent_type": "type"}
    for theirs, mine in mapping.items():
        a = results["entities_nervaluate"]["schemes"][theirs]["f1"]
        b = ours["schemes"][mine]["f1"]
        found.append(f"{mine} F1: ours {b:.6f}, nervaluate {a:.6f} -> {verdict(a, b)}")
    return found


def per_unit(result: dict[str, Any], units: int) -> float:
    """CPU microseconds per unit (document or paragraph)."""
    return result["cpu_seconds"] / units * 1e6


def flatness(values: list[float]) -> str:
    if len(values) < 2 or not values[0]:
        return "—"
    ratio = values[-1] / values[0]
    return f"{ratio:.2f}x: " + ("flat" if ratio <= FLAT else "**NOT flat**")


def floor_cells(results: dict[str, Any], stage: str) -> list[str]:
    """Floor CPU s, throughput as a share of the floor's, target, verdict."""
    if stage not in FLOORS or FLOORS[stage][0] not in results:
        return ["—", "—", "—", "—"]
    floor, target = FLOORS[stage]
    share = results[floor]["cpu_seconds"] / results[stage]["cpu_seconds"]
    met = "met" if share >= target else "**missed**"
    # Rounded down, so that a share printed as the target has met it.
    shown = f"{math.floor(share * 100) / 100:.2f}"
    return [f"{results[floor]['cpu_seconds']:.2f} ({floor})", shown, f"≥ {target}", met]


def system_cell(result: dict[str, Any]) -> str:
    """The system part of a stage's CPU seconds (—: measured before it was recorded apart)."""
    system = result.get("system_seconds")
    return "—" if system is None else f"{system:.2f}"


def stage_table(results: dict[str, Any], documents: int) -> list[str]:
    lines = [
        "| stage | kind | wall s | CPU s | of it system s | imports s | docs/s (CPU) | peak MB |"
        " floor CPU s | throughput / floor's | target | verdict | runs |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for stage, description, kind in STAGES:
        result = results.get(stage)
        if result is None:
            continue
        note = " (extrapolated from a sample)" if result.get("extrapolated") else ""
        cpu = result["cpu_seconds"]
        cells = [
            f"`{stage}`: {description}{note}", kind, f"{result['seconds']:.2f}", f"{cpu:.2f}",
            system_cell(result), f"{result.get('import_seconds', 0.0):.2f}",
            f"{documents / cpu if cpu else float('inf'):,.0f}", f"{result['peak_mb']:.0f}",
            *floor_cells(results, stage), str(result.get("runs", "—")),
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def per_document_table(all_results: dict[int, dict[str, Any]]) -> list[str]:
    """CPU microseconds per document of each stage at each size, how much the largest size
    costs over the smallest, and for a stage with a floor its cost over its floor's, smallest
    size -> largest (what grows with the floor is the machine's, not the stage's)."""
    sizes = sorted(all_results)
    lines = [
        "| stage | " + " | ".join(f"{n:,} docs" for n in sizes) + " | largest / smallest"
        " | over its floor's, smallest -> largest |",
        "| --- | " + " | ".join("---" for _ in sizes) + " | --- | --- |",
    ]
    for stage, _, kind in STAGES:
        if kind == "peer" or any(stage not in all_results[n] for n in sizes):
            continue
        values = [per_unit(all_results[n][stage], n) for n in sizes]
        cells = [f"{v:,.0f}" for v in values]
        lines.append(
            f"| `{stage}` | " + " | ".join(cells) + f" | {flatness(values)}"
            f" | {over_floor(all_results, stage)} |"
        )
    return lines


def not_flat_notes(all_results: dict[int, dict[str, Any]]) -> list[str]:
    """For each stage whose CPU per document is not flat, its user and system parts apart,
    smallest size -> largest: growth in the system part alone is the kernel's (page faults of
    memory touched for the first time, files created), not the stage's Python."""
    sizes = sorted(all_results)
    notes = []
    for stage, _, kind in STAGES:
        runs = [all_results[n].get(stage) for n in sizes]
        if kind == "peer" or any(r is None or "system_seconds" not in r for r in runs):
            continue
        totals = [per_unit(r, n) for r, n in zip(runs, sizes, strict=True)]
        if len(sizes) < 2 or not totals[0] or totals[-1] / totals[0] <= FLAT:
            continue
        user = [
            t - r["system_seconds"] / n * 1e6 for t, r, n in zip(totals, runs, sizes, strict=True)
        ]
        system = [t - u for t, u in zip(totals, user, strict=True)]
        notes.append(
            f"- `{stage}`, user and system CPU apart: user {user[0]:,.0f} -> {user[-1]:,.0f} µs"
            f" per document ({flatness([user[0], user[-1]])}), system {system[0]:,.0f} ->"
            f" {system[-1]:,.0f} µs (the kernel's part: files created, memory touched for the"
            " first time)."
        )
    return [*notes, ""] if notes else []


def over_floor(all_results: dict[int, dict[str, Any]], stage: str) -> str:
    """The stage's CPU seconds over its floor's at the smallest and the largest size."""
    floor = FLOORS.get(stage, ("",))[0]
    ends = [all_results[n] for n in (min(all_results), max(all_results))]
    if not floor or len(all_results) < 2 or any(floor not in results for results in ends):
        return "—"
    ratios = [r[stage]["cpu_seconds"] / max(r[floor]["cpu_seconds"], 1e-9) for r in ends]
    return f"{ratios[0]:.2f}x -> {ratios[1]:.2f}x"


def size_findings(results: dict[str, Any], n: int) -> list[str]:
    lines = [f"**{n:,} documents**", ""]
    if all(f"entities_{s}" in results for s in ("ours", "seqeval", "nervaluate")):
        speedup = results["entities_seqeval"]["cpu_seconds"] / max(
            results["entities_ours"]["cpu_seconds"], 1e-9
        )
        lines.append(
            f"- entity scoring vs seqeval (CPU): {speedup:.1f}x faster; seqeval also needs the"
            f" BIO conversion, {results['entities_seqeval']['conversion_seconds']:.1f} s wall"
        )
        lines += [f"- {check}" for check in checks(results)]
    if "bootstrap" in results:
        lines.append(
            f"- bootstrap, 1,000 resamples over {n:,} documents,"
            f" {len(results['bootstrap']['intervals'])} figures:"
            f" {results['bootstrap']['cpu_seconds']:.2f} CPU s"
        )
    if all(stage in results for stage in ("validate", "json_loads", "json_loads_read")):
        gold_only = results["json_loads"]["cpu_seconds"] / results["validate"]["cpu_seconds"]
        lines.append(
            f"- validate against json.loads of the gold files alone (not of the cleaned texts"
            f" it must read too): {math.floor(gold_only * 100) / 100:.2f} of its throughput"
        )
    if all(stage in results for stage in ("clean", "floor_clean", "floor_clean_read")):
        raw_only = results["floor_clean"]["cpu_seconds"] / results["clean"]["cpu_seconds"]
        lines.append(
            f"- clean against floor_clean, the raw files alone (not the gold files whose anchored"
            f" text hashes it must check too): {math.floor(raw_only * 100) / 100:.2f} of its"
            " throughput"
        )
    lines += user_time_findings(results)
    if "jsonschema" in results and "json_loads" in results:
        share = results["json_loads"]["cpu_seconds"] / results["jsonschema"]["cpu_seconds"]
        lines.append(f"- jsonschema alone at {share:.3f} of json.loads throughput")
    return [*lines, ""]


def user_time_findings(results: dict[str, Any]) -> list[str]:
    """Each floored stage against its floor on user CPU alone, where both recorded their system
    part: what the verdict's figure becomes without the kernel's part, which for clean and
    its floor (creating a file per document) varies several times over between runs."""
    lines = []
    for stage, (floor, _) in FLOORS.items():
        measured = [results.get(stage), results.get(floor)]
        if any(result is None or "system_seconds" not in result for result in measured):
            continue
        ours, least = (result["cpu_seconds"] - result["system_seconds"] for result in measured)
        if ours <= 0:
            continue
        lines.append(
            f"- {stage} against {floor} on user CPU alone (system: {stage}"
            f" {results[stage]['system_seconds']:.2f} s, {floor}"
            f" {results[floor]['system_seconds']:.2f} s):"
            f" {math.floor(least / ours * 100) / 100:.2f} of its throughput"
        )
    return lines


def memory_notes(all_results: dict[int, dict[str, Any]]) -> list[str]:
    sizes = sorted(all_results)
    if len(sizes) < 2:
        return []
    found = []
    for stage in ("validate", "validate_submission", "evaluate", "clean", "build"):
        if all(stage in all_results[n] for n in sizes[-2:]):
            a, b = (all_results[n][stage]["peak_mb"] for n in sizes[-2:])
            verdict = "roughly flat" if b < 2 * a else "NOT flat"
            found.append(
                f"- Peak memory of `{stage}` from {sizes[-2]:,} to {sizes[-1]:,} documents:"
                f" {a:.0f} MB -> {b:.0f} MB ({verdict})."
            )
    return found


def load_line(results: list[dict[str, Any]]) -> str:
    loads = [r["load_average"] for r in results]
    cores = os.cpu_count() or 1
    shared = (
        "above the core count, other work shared the machine: wall times are pessimistic,"
        " and CPU seconds vary too, through the shared caches and disk: a stage and its floor"
        " measured minutes apart can swap places"
        if max(loads) > cores
        else "at most the core count"
    )
    return (
        f"One-minute load average after the stages: {min(loads):.1f} to {max(loads):.1f} on"
        f" {cores} cores ({shared})."
    )


def render_scale(
    all_results: dict[int, dict[str, Any]], command: str, generation: dict[int, float],
    workers: int, updates: list[dict[str, Any]] | None = None,
) -> str:  # fmt: skip
    sizes = sorted(all_results)
    again = "".join(
        f"; {', '.join(f'`{stage}`' for stage in update['stages'])} measured again by"
        f" `{update['command']}`"
        for update in updates or []
    )
    lines = [
        "## Stages, floors and peers",
        "",
        f"Measured by `{command}`{again}. Machine: {machine()}; {workers} worker(s) for the stages"
        " that take `--workers` (the floors run in one process). *CPU s* is user + system"
        " time; *of it system s* is the kernel's part (reading, creating and renaming files),"
        " which on this machine varies several times over from one run to the next (— in a row"
        " measured before it was recorded apart; the kernel splits a process's exact CPU time"
        " between user and system by sampling at each clock tick, so the split is approximate,"
        " see docs/scaling.md). *docs/s* is documents per CPU"
        " second; *throughput / floor's* is the floor's CPU seconds over the stage's, and the"
        " target is the issue's (build and clean within 2x their floor, validate at least 0.5"
        " of json.loads of the files it reads, streamed evaluation at least 0.25 of"
        " decoding; clean's floor, as validate's, reads every file the stage reads: the raw"
        " files and the text hashes the gold files anchor). *imports s* is the warm-up before"
        " the timed work (imports, spaCy's tokenizer, the schema decoders). *peak MB* is the"
        " stage process's maximum resident memory. *runs* is how many runs the least CPU was"
        " kept from (— in a row measured before it was recorded).",
        "",
    ]
    for n in sizes:
        lines += [f"### {n:,} documents", "", *stage_table(all_results[n], n), ""]
    lines += [
        "## Time per document",
        "",
        f"CPU microseconds per document at each size (flat: the largest within {FLAT}x of the"
        " smallest). A floor that grows as much as its stage shows a cost of the machine, not"
        " of the stage (above all the kernel's cost of creating a file, which varies from run"
        " to run). The last column sets each stage against its floor, measured in the same"
        " run. Below the table, a stage that is not flat is split into its user and system"
        " CPU.",
        "",
        *per_document_table(all_results),
        "",
        *not_flat_notes(all_results),
        "## Checks and peers",
        "",
    ]
    for n in sizes:
        lines += size_findings(all_results[n], n)
    memory = memory_notes(all_results)
    lines += [*memory, ""] if memory else []
    lines += [load_line([r for results in all_results.values() for r in results.values()])]
    lines += ["", imports_line(all_results)]
    if any(generation.values()):
        lines += ["", "Corpus generation (not a stage): " + ", ".join(
            f"{n:,} documents {generation[n]:.0f} s" for n in sizes if generation.get(n)
        ) + "."]  # fmt: skip
    return "\n".join(lines) + "\n"


def imports_line(all_results: dict[int, dict[str, Any]]) -> str:
    """Which stages imported a module inside their timed block (whose import time then counts
    as the stage's): none, when the warm-ups cover every module a stage needs."""
    late = sorted(
        {
            f"{stage} ({len(result['imported'])} modules, {result['imported'][0]}, ...)"
            for results in all_results.values()
            for stage, result in results.items()
            if result.get("imported")
        }
    )
    if not late:
        return "Imports: no stage or floor imported a module inside its timed block."
    return "Imports inside a timed block (counted as the stage's time): " + "; ".join(late) + "."


def validate_limit_sentence(sweep: dict[int, dict[str, Any]]) -> str:
    """What file size validate was let read in the sweep (stages.py records it)."""
    limits = {r["validate"].get("max_mib") for r in sweep.values() if "validate" in r}
    if len(limits) != 1 or None in limits:
        return ""
    limit = limits.pop()
    return (
        f" Validate reads files up to {limit} MiB, as `propos validate --max-mib {limit}`"
        f" (the default, {MAX_JSON_BYTES // 2**20}, refuses a file larger than that, one"
        " problem, unread)."
    )


def render_sweep(sweep: dict[int, dict[str, Any]], command: str) -> str:
    sizes = sorted(sweep)
    lines = [
        "## One document, growing",
        "",
        f"Measured by `{command}`. Machine: {machine()}. One document of each number of"
        " paragraphs (1 to 4 sentences each), every stage in one process: CPU microseconds per"
        f" paragraph (flat, that is linear cost: the largest within {FLAT}x of the smallest)."
        + validate_limit_sentence(sweep),
        "",
        "| stage | " + " | ".join(f"{p:,} paragraphs" for p in sizes) + " | largest / smallest |",
        "| --- | " + " | ".join("---" for _ in sizes) + " | --- |",
    ]
    for stage in SWEEP_STAGES:
        if any(stage not in sweep[p] for p in sizes):
            continue
        # A stage that refused the document (the validator's file-size limit) measured
        # nothing: its cell says so and the verdict covers the sizes it did process.
        refused = {p for p in sizes if sweep[p][stage].get("problems")}
        values = [per_unit(sweep[p][stage], p) for p in sizes if p not in refused]
        cells = [
            f"refused ({sweep[p][stage]['problems']} problem(s))"
            if p in refused
            else f"{per_unit(sweep[p][stage], p):,.1f}"
            for p in sizes
        ]
        lines.append(f"| `{stage}` | " + " | ".join(cells) + f" | {flatness(values)} |")
    characters = ", ".join(f"{p:,}: {sweep[p]['characters']:,}" for p in sizes)
    lines += ["", f"Characters of the document: {characters}.", ""]
    if any(result.get("problems") for r in sweep.values() for result in r.values()
           if isinstance(result, dict)):  # fmt: skip
        lines += [
            "*refused*: the validator refuses a file larger than its limit against runaway input"
            " with one problem, and checks nothing in it: that size measured nothing.",
            "",
        ]
    lines.append(load_line([r for results in sweep.values() for r in results.values()
                            if isinstance(r, dict)]))  # fmt: skip
    return "\n".join(lines) + "\n"


def measure_sizes(args: argparse.Namespace) -> tuple[dict[int, dict[str, Any]], dict[int, float]]:
    all_results: dict[int, dict[str, Any]] = {}
    generation: dict[int, float] = {}
    for size in args.sizes:
        root, generation[size] = ensure_corpus(size, args.work, args.text)
        all_results[size] = {}
        for group in measurement_groups(args.stages):
            for stage, result in best_runs(group, root, args, args.workers).items():
                all_results[size][stage] = result
                report_progress(f"[{size}] {stage}", result)
    return all_results, generation


def measure_sweep(args: argparse.Namespace) -> dict[int, dict[str, Any]]:
    sweep: dict[int, dict[str, Any]] = {}
    for paragraphs in args.sweep:
        root, _ = ensure_corpus(1, args.work, args.text, paragraphs)
        clean = next((root / "corpus" / "clean").glob("*.json"))
        sweep[paragraphs] = {"characters": len(json.loads(clean.read_bytes())["text"])}
        for stage in [s for s in SWEEP_STAGES if s in args.stages]:
            sweep[paragraphs][stage] = best_runs([stage], root, args, 1)[stage]
            report_progress(f"[1 doc, {paragraphs} paragraphs] {stage}", sweep[paragraphs][stage])
    return sweep


def report_progress(what: str, result: dict[str, Any]) -> None:
    print(f"{what}: {result['seconds']:.2f} s, {result['cpu_seconds']:.2f} CPU s,"
          f" {result['peak_mb']:.0f} MB", file=sys.stderr, flush=True)  # fmt: skip


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", help="documents per corpus")
    parser.add_argument("--sweep", type=int, nargs="+", help="paragraphs of the one document")
    parser.add_argument("--text", choices=("winer", "gold"), default="winer")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=HERE.parent / "PERFORMANCE.md")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each stage at least; the least CPU is kept"
    )
    parser.add_argument(
        "--least-cpu",
        type=float,
        default=LEAST_CPU,
        help="CPU seconds a quick stage and its floor run for in all, by more runs (at most"
        f" {MAX_ROUNDS}); 0: --repeat runs",
    )
    parser.add_argument("--sample", type=int, default=2000, help="jsonschema sample size")
    parser.add_argument(
        "--stages",
        nargs="*",
        default=[s for s, _, _ in STAGES],
        help="a subset, to try (in another --work, or with --update)",
    )
    parser.add_argument(
        "--render-only", action="store_true", help="rewrite the report from WORK/results.json"
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="measure --stages again at --sizes, keeping the other stages' figures from"
        " WORK/results.json (the report names both commands)",
    )
    args = parser.parse_args()
    if args.sizes is None and args.sweep is None:
        args.sizes, args.sweep = DEFAULT_SIZES, DEFAULT_SWEEP
    unknown = sorted(set(args.stages) - {s for s, _, _ in STAGES})
    if unknown:
        parser.error(f"unknown stage(s): {', '.join(unknown)}")
    if any(n < 1 for n in (args.sizes or []) + (args.sweep or []) + [args.repeat]):
        parser.error("sizes, paragraph counts and --repeat must be at least 1")
    if not 0 <= args.least_cpu < float("inf"):
        parser.error("--least-cpu must be a number of seconds, 0 or more")
    if args.update and (not args.sizes or args.sweep):
        parser.error("--update measures stages again at --sizes (not --sweep)")
    return args


def section_command(args: argparse.Namespace, option: str) -> str:
    """The command that remakes one section (``option``: "sizes" or "sweep") alone."""
    values = " ".join(str(n) for n in getattr(args, option))
    words = ["python benchmark/perf/run.py", f"--{option} {values}"]
    if args.text != "winer":
        words.append(f"--text {args.text}")
    if args.repeat != 3:
        words.append(f"--repeat {args.repeat}")
    if args.least_cpu != LEAST_CPU:
        words.append(f"--least-cpu {args.least_cpu:g}")
    if option == "sizes" and args.workers != 1:
        words.append(f"--workers {args.workers}")
    if args.stages != [s for s, _, _ in STAGES]:
        words.append("--stages " + " ".join(args.stages))
    if args.update:
        words.append("--update")
    return " ".join(words)


def check_updatable(saved: Path, previous: dict[str, Any] | None, sizes: list[int]) -> None:
    """Stop before measuring when ``saved`` holds no earlier figures at every size."""
    missing = sorted(set(sizes) - {int(n) for n in (previous or {}).get("results", {})})
    if previous is None or missing:
        raise SystemExit(
            f"error: {saved}: no earlier figures at {', '.join(map(str, missing or sizes))}"
            " documents to update; run the sizes without --update first"
        )


def dropped_figures(
    section: dict[str, Any] | None, counts: list[int], stages: list[str]
) -> list[str]:
    """What a saved ``section`` holds that a run of ``stages`` at ``counts`` (documents or
    paragraphs) would not measure again, and so would drop by replacing it: "stage at N"."""
    measured = {str(n) for n in counts}
    return [
        f"{stage} at {count}"
        for count, figures in (section or {}).get("results", {}).items()
        for stage in figures
        if stage != "characters" and (count not in measured or stage not in stages)
    ]


def check_replaceable(saved: Path, results: dict[str, Any], args: argparse.Namespace) -> None:
    """Stop before measuring when the run would replace saved figures it does not measure
    again (a try of some stages would otherwise lose the rest of a long run)."""
    for name, counts in (("scale", args.sizes), ("sweep", args.sweep)):
        if not counts or (name == "scale" and args.update):
            continue
        dropped = dropped_figures(results.get(name), counts, args.stages)
        if not dropped:
            continue
        more = len(dropped) - 4
        shown = ", ".join(dropped[:4]) + (f" and {more} more" if more > 0 else "")
        remedies = ["give another --work", "remove the file to start anew"]
        if name == "scale":
            remedies.insert(0, "add --update to measure these stages again and keep the rest")
        raise SystemExit(
            f"error: {saved}: this run would drop saved figures it does not measure again"
            f" ({shown}); {', or '.join(remedies)}"
        )


def updated_scale(
    previous: dict[str, Any], scale: dict[int, dict[str, Any]], command: str, stages: list[str]
) -> dict[str, Any]:
    """The sizes section ``previous`` with ``stages`` measured again (``scale``, by
    ``command``): the other stages keep their figures, and the section lists the update."""
    for size, results in scale.items():
        previous["results"][str(size)].update(results)
    previous.setdefault("updates", []).append({"command": command, "stages": stages})
    return previous


def main() -> None:
    args = parse_arguments()
    saved = args.work / "results.json"
    if args.render_only:
        results = json.loads(saved.read_text())
    else:
        args.work.mkdir(parents=True, exist_ok=True)
        # The section not measured this time keeps its saved figures, as the report keeps it.
        results = json.loads(saved.read_text()) if saved.exists() else {}
        if args.update:
            check_updatable(saved, results.get("scale"), args.sizes)
        check_replaceable(saved, results, args)
        if args.sizes:
            scale, generation = measure_sizes(args)
            command = section_command(args, "sizes")
            if args.update:
                results["scale"] = updated_scale(results["scale"], scale, command, args.stages)
            else:
                results["scale"] = {"command": command, "workers": args.workers, "results": scale,
                                    "generation": generation}  # fmt: skip
        if args.sweep:
            command = section_command(args, "sweep")
            results["sweep"] = {"command": command, "results": measure_sweep(args)}
        saved.write_text(json.dumps(results, indent=1, default=str))
    fresh = {}
    if "scale" in results:
        scale = results["scale"]
        figures = {int(n): r for n, r in scale["results"].items()}
        generation = {int(n): float(s) for n, s in scale["generation"].items()}
        fresh["scale"] = render_scale(
            figures, scale["command"], generation, scale["workers"], scale.get("updates", [])
        )
    if "sweep" in results:
        sweep = {int(p): r for p, r in results["sweep"]["results"].items()}
        fresh["sweep"] = render_sweep(sweep, results["sweep"]["command"])
    write_report(args.out, fresh)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
