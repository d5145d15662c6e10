"""Cleaning's Python, before and after a change: clean_text at a git revision against the
working tree, on the same raw files, in turns.

    python benchmark/perf/clean_ab.py RAW_FOLDER [--base REV] [--files N] [--rounds R]
        [--profile news|wikinews]

extracts ``src/propos`` at REV (default HEAD) with ``git archive``, then runs R rounds; in each,
one process per side decodes the first N raw files of RAW_FOLDER, cleans each once to warm up,
then times ``clean_text`` over all of them. It prints each side's least time per document and
the ratio. The files are read before the clock starts and nothing is written, so the figure is
the Python of cleaning alone, without the kernel's part that the scale benchmark also counts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in each side's process: its PYTHONPATH says which propos it imports.
TIMER = """
import json, os, sys, time
from propos.clean import clean_text
folder, files, profile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
names = sorted(n for n in os.listdir(folder) if n.endswith(".txt"))[:files]
texts = []
for name in names:
    with open(os.path.join(folder, name), "rb") as handle:
        texts.append((handle.read().decode("utf-8"), name[:-4]))
for text, doc_id in texts:
    clean_text(text, doc_id, doc_id, 0, profile)
started = time.process_time()
for text, doc_id in texts:
    clean_text(text, doc_id, doc_id, 0, profile)
print(json.dumps({"documents": len(texts), "seconds": time.process_time() - started}))
"""


def extract_source(revision: str, into: Path) -> Path:
    """``src/propos`` at ``revision``, written under ``into``; the folder to put on the path."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision, "src/propos"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        sys.exit(f"error: git archive {revision}: {archive.stderr.decode().strip()}")
    with tempfile.TemporaryFile() as tar_file:
        tar_file.write(archive.stdout)
        tar_file.seek(0)
        with tarfile.open(fileobj=tar_file) as tar:
            tar.extractall(into, filter="data")
    return into / "src"


def time_side(source: Path, folder: Path, files: int, profile: str) -> tuple[int, float]:
    """(documents, CPU seconds of cleaning them) in a process importing propos from ``source``."""
    done = subprocess.run(
        [sys.executable, "-c", TIMER, str(folder), str(files), profile],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(source)},
    )
    if done.returncode != 0:
        sys.exit(f"error: timing clean_text from {source}:\n{done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures["documents"], figures["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw_folder", type=Path, help="a folder of raw .txt articles")
    parser.add_argument("--base", default="HEAD", help="the git revision to compare with")
    parser.add_argument("--files", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", default="news", choices=["news", "wikinews"])
    args = parser.parse_args()
    if not args.raw_folder.is_dir():
        sys.exit(f"error: {args.raw_folder}: not a folder")
    if args.files < 1 or args.rounds < 1:
        sys.exit("error: --files and --rounds must be at least 1")
    sides = {"base": Path(), "working tree": ROOT / "src"}
    best = {side: float("inf") for side in sides}
    documents = 0
    with tempfile.TemporaryDirectory() as work:
        sides["base"] = extract_source(args.base, Path(work))
        for _ in range(args.rounds):
            for side, source in sides.items():
                documents, seconds = time_side(source, args.raw_folder, args.files, args.profile)
                best[side] = min(best[side], seconds)
    if documents == 0:
        sys.exit(f"error: {args.raw_folder}: no .txt file")
    for side in sides:
        label = f"{side} ({args.base})" if side == "base" else side
        print(f"{label}: {best[side] / documents * 1e6:.1f} µs a document")
    print(
        f"working tree / base: {best['working tree'] / best['base']:.2f}"
        f" ({documents:,} documents, profile {args.profile}, least of {args.rounds} rounds)"
    )


if __name__ == "__main__":
    main()
