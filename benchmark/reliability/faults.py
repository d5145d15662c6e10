"""Run the fault tests and write what was tried and survived, per entry point.

    python benchmark/reliability/faults.py [--out benchmark/RELIABILITY.md]

The faults are those of ``tests/test_faults.py`` (all of them, the slow ones included), run
through the real `propos` console script: an output folder on a read-only tmpfs, on a full
tmpfs, under a regular file; `build` and `clean` killed with SIGKILL at three moments each,
then run twice at once. A fault is survived when the command printed one `error:` line naming
the path without a traceback (or was killed), the previous output stayed byte for byte, and no
work folder was left after the next run.
"""

from __future__ import annotations

import argparse
import platform
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FAULTS = {
    "test_a_read_only_output_folder": "output folder read-only (tmpfs remounted ro)",
    "test_a_full_output_folder": "output folder full (tmpfs filled to the last byte), then freed",
    "test_an_output_under_a_file": "output path under a regular file (ENOTDIR)",
    "test_build_killed_at_three_moments": "SIGKILL at 3 moments, then 2 runs at once",
    "test_clean_killed_at_three_moments": "SIGKILL at 3 moments, then 2 runs at once",
    "test_a_stale_work_folder_of_a_live_run": "stale work folders: dead run's removed, live kept",
}
ENTRY_OF = {
    "test_build_killed_at_three_moments": "build",
    "test_clean_killed_at_three_moments": "clean",
    "test_a_stale_work_folder_of_a_live_run": "(library: propos.workdir)",
}


def run_tests(report: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(ROOT / "tests" / "test_faults.py"), f"--junitxml={report}"],
        cwd=ROOT, check=False,
    )  # fmt: skip


def outcomes(report: Path) -> dict[str, dict[str, list[str]]]:
    """entry point -> fault -> outcome of each test ("survived", "FAILED ...", "skipped ...")."""
    table: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        name = case.get("name", "")
        base, _, param = name.partition("[")
        fault = next((FAULTS[key] for key in FAULTS if base.startswith(key)), base)
        entry = param.rstrip("]") or next(
            (value for key, value in ENTRY_OF.items() if base.startswith(key)), "?"
        )
        if case.find("skipped") is not None:
            outcome = "skipped: " + (case.find("skipped").get("message") or "")  # type: ignore[union-attr]
        elif case.find("failure") is not None or case.find("error") is not None:
            outcome = "FAILED"
        else:
            outcome = "survived"
        table[entry][fault].append(outcome)
    return table


def markdown(table: dict[str, dict[str, list[str]]]) -> str:
    lines = [
        "## Faults: operating-system errors, killed and concurrent runs",
        "",
        "Produced by `python benchmark/reliability/faults.py`, which runs"
        " `tests/test_faults.py` (slow tests included) through the real `propos` entry point"
        f" (Python {platform.python_version()},"
        " Linux, as root: read-only and full folders are tmpfs mounts).",
        "",
        "| entry point | fault | tried | survived |",
        "| --- | --- | --- | --- |",
    ]
    tried = survived = 0
    for entry in sorted(table):
        for fault, results in table[entry].items():
            ok = sum(result == "survived" for result in results)
            tried += len(results)
            survived += ok
            note = "".join(f" ({r})" for r in results if r != "survived")
            lines.append(f"| {entry} | {fault} | {len(results)} | {ok}{note} |")
    lines += ["", f"**{survived} of {tried} fault scenarios survived.**", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "RELIABILITY.md",
        help="Markdown file whose fault section is rewritten (default: benchmark/RELIABILITY.md).",
    )
    parser.add_argument("--junit", type=Path, help="Read this pytest JUnit report, run nothing.")
    args = parser.parse_args()
    if args.junit:
        table = outcomes(args.junit)
    else:
        with tempfile.TemporaryDirectory() as folder:
            report = Path(folder) / "faults.xml"
            run_tests(report)
            table = outcomes(report)
    text = markdown(table)
    if args.out:
        write_section(args.out, text)
    else:
        print(text)


START, END = "<!-- faults:start -->", "<!-- faults:end -->"


def write_section(path: Path, section: str) -> None:
    """Put ``section`` between the fault markers of ``path``; the rest is kept as it is."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Reliability\n"
    if START not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{START}\n{END}\n"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    path.write_text(pattern.sub(lambda _: f"{START}\n{section}{END}", text, count=1), "utf-8")


if __name__ == "__main__":
    main()
