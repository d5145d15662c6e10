"""Where a stage's time a paragraph goes, at two sizes of the sweep's one document.

    python benchmark/perf/profile_sweep.py STAGE SMALL LARGE [--work DIR] [--text winer|gold]
        [--repeat 3] [--top 12]

runs STAGE (a stage of stages.py that the sweep measures: clean, validate, build, evaluate)
under cProfile on the documents of SMALL and LARGE paragraphs that ``run.py --sweep`` made in
WORK (``winer-n1-pN``, or ``gold-n1-pN`` for ``--text gold``), as the sweep does: in a new
process, after stages.py's warm-up, once; REPEAT processes a size, keeping the run of least
profiled time. It prints the calls a paragraph at both sizes (the same when the stage's work
is linear in the document) and the functions whose time a paragraph grew the most. A function
called as often a paragraph but slower a call points at the memory a larger document takes,
not at the algorithm.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # stages.py, beside this script

import stages  # noqa: E402
from run import DEFAULT_WORK, SWEEP_STAGES  # noqa: E402


@dataclass
class Profiled:
    """One run's figures, a paragraph: each function's own time (µs) and calls."""

    micros: dict[str, float]
    calls: dict[str, float]

    @property
    def total(self) -> float:
        return sum(self.micros.values())


def sweep_root(work: Path, text: str, paragraphs: int) -> Path:
    root = work / f"{text}-n1-p{paragraphs}"
    if not (root / "annotations" / "gold").is_dir():
        raise SystemExit(
            f"error: {root}: no sweep document of {paragraphs} paragraphs (run `python"
            f" benchmark/perf/run.py --sweep {paragraphs} --text {text} --work {work}` first)"
        )
    return root


def function_name(key: tuple[str, int, str]) -> str:
    file, line, name = key
    return name if file == "~" else f"{name} ({Path(file).name}:{line})"


def profile_once(stage: str, root: Path, paragraphs: int) -> Profiled:
    """The stage's one profiled run in this process, warmed as stages.py warms it."""
    stages.warm(stage, root)
    profile = cProfile.Profile()
    profile.runcall(stages.STAGES[stage], root, 1, 0)
    figures = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    micros: dict[str, float] = {}
    calls: dict[str, float] = {}
    for key, (_, count, own_seconds, _, _) in figures.items():
        name = function_name(key)  # a name may stand for two functions: their sum
        micros[name] = micros.get(name, 0.0) + 1e6 * own_seconds / paragraphs
        calls[name] = calls.get(name, 0.0) + count / paragraphs
    return Profiled(micros, calls)


def least_of(stage: str, root: Path, paragraphs: int, repeat: int) -> Profiled:
    """The least profiled of ``repeat`` runs, each in a new process."""
    runs = []
    for _ in range(repeat):
        child = [sys.executable, __file__, "--child", stage, str(root), str(paragraphs)]
        done = subprocess.run(child, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"error: {stage} on {root} failed: {done.stderr.strip()[-500:]}")
        runs.append(Profiled(**json.loads(done.stdout)))
    return min(runs, key=lambda run: run.total)


def report(stage: str, sizes: tuple[int, int], runs: tuple[Profiled, Profiled], top: int) -> str:
    (small, large), (before, after) = sizes, runs
    per_paragraph = [
        f"{stage}, under cProfile: {before.total:,.1f} µs a paragraph at {small:,} paragraphs,"
        f" {after.total:,.1f} at {large:,} ({after.total / before.total:.2f}x)",
        f"calls a paragraph: {sum(before.calls.values()):,.1f} at {small:,},"
        f" {sum(after.calls.values()):,.1f} at {large:,}",
    ]
    # Functions called at least once a paragraph: those whose count could grow with the text.
    frequent = [name for name in after.calls if after.calls[name] >= 1 and name in before.calls]
    if frequent:
        most = max(frequent, key=lambda name: abs(after.calls[name] / before.calls[name] - 1))
        per_paragraph.append(
            f"the largest change in calls a paragraph among functions called once a paragraph or"
            f" more: {most}, {before.calls[most]:.2f} -> {after.calls[most]:.2f}"
        )
    grown = sorted(
        set(before.micros) | set(after.micros),
        key=lambda name: before.micros.get(name, 0.0) - after.micros.get(name, 0.0),
    )[:top]
    table = [
        "",
        f"| function | µs a paragraph, {small:,} | {large:,} | calls a paragraph, {small:,}"
        f" | {large:,} |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in grown:
        table.append(
            f"| `{name}` | {before.micros.get(name, 0.0):.2f} | {after.micros.get(name, 0.0):.2f}"
            f" | {before.calls.get(name, 0.0):.2f} | {after.calls.get(name, 0.0):.2f} |"
        )
    return "\n".join(per_paragraph + table)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        stage, root, paragraphs = sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
        print(json.dumps(vars(profile_once(stage, root, paragraphs))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stage", choices=SWEEP_STAGES)
    parser.add_argument("small", type=int, help="paragraphs of the smaller document")
    parser.add_argument("large", type=int, help="paragraphs of the larger document")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--text", choices=("winer", "gold"), default="winer")
    parser.add_argument("--repeat", type=int, default=3, help="runs a size; the least is kept")
    parser.add_argument("--top", type=int, default=12, help="functions listed")
    args = parser.parse_args()
    if min(args.small, args.large, args.repeat, args.top) < 1 or args.small >= args.large:
        parser.error("SMALL < LARGE, and every number at least 1")
    sizes = (args.small, args.large)
    roots = [sweep_root(args.work, args.text, paragraphs) for paragraphs in sizes]
    before, after = (
        least_of(args.stage, root, paragraphs, args.repeat)
        for root, paragraphs in zip(roots, sizes, strict=True)
    )
    print(report(args.stage, sizes, (before, after), args.top))


if __name__ == "__main__":
    main()
