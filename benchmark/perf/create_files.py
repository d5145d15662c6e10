"""The kernel's cost of creating files: what clean and its floor both pay once per document.

    python benchmark/perf/create_files.py FOLDER [--files N] [--size BYTES] [--rounds R]

creates N files of BYTES bytes each in a new folder inside FOLDER with
``propos.fileio.write_new``, as clean writes them (one open, one write, one close each), R
rounds a few seconds apart, and prints the wall, user and system microseconds per file of each
round. The folder is removed after each
round. On a virtual machine the system time of the same loop can change several times over
from one minute to the next, which is why benchmark/PERFORMANCE.md tables the system part of
every stage's CPU seconds.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from propos.fileio import write_new


def create_round(folder: Path, files: int, size: int) -> tuple[float, float, float]:
    """Wall, user and system microseconds per file of creating ``files`` files in ``folder``."""
    payload = b"x" * size
    work = tempfile.mkdtemp(prefix="create-files-", dir=folder)
    try:
        before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        for index in range(files):
            write_new(os.path.join(work, f"doc_{index:07d}.json"), payload)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    scale = 1e6 / files
    user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    return wall * scale, user * scale, system * scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "folder", type=Path, help="where the files are created (a new folder in it)"
    )
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=4096, help="bytes per file")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pause", type=float, default=5.0, help="seconds between rounds")
    args = parser.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"error: {args.folder}: not a folder")
    if args.files < 1 or args.size < 0 or args.rounds < 1:
        sys.exit("error: --files and --rounds must be at least 1, --size at least 0")
    for round_number in range(1, args.rounds + 1):
        if round_number > 1:
            time.sleep(args.pause)
        try:
            wall, user, system = create_round(args.folder, args.files, args.size)
        except OSError as exc:
            sys.exit(f"error: {args.folder}: cannot create files ({exc.strerror})")
        print(
            f"round {round_number}: {args.files:,} files of {args.size:,} bytes:"
            f" {wall:.1f} µs wall, {user:.1f} µs user, {system:.1f} µs system per file"
        )


if __name__ == "__main__":
    main()
