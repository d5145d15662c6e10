"""Fuzz every entry point that reads outside input at a larger count; write the figures.

    python benchmark/reliability/fuzz.py [--examples 300] [--command-examples 10] [--seed 0]
                                         [--only ENTRY ...] [--keep DIR]
                                         [--out benchmark/RELIABILITY.md]

runs the fuzzers of fuzzers.py (the ones tests/test_fuzz.py runs with a few examples): each
library entry point with --examples inputs, each command through the real `propos` console
script with --command-examples inputs. A failing input does not stop the run: every crash,
hang and wrongly accepted input is counted, and the first message of each kind is shown. The
table goes between the fuzz markers of the output file (created if missing); anything outside
the markers (the fault figures) is kept as it is. Exit status 1 when any figure but the inputs
tried is not zero.
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fuzzers

START, END = "<!-- fuzz:start -->", "<!-- fuzz:end -->"
FAILURES = ("crash", "hang", "wrongly accepted")
NEW_REPORT = f"""# Reliability

What Propos does with hostile input and with faults. Every figure is produced by the command
written next to it.

{START}
{END}

## Faults

The fault figures (killed runs, read-only and full disks) are in this section.
"""


def run_fuzzer(
    entry: str,
    inputs: Any,
    call: Callable[[Any, Path], Any],
    examples: int,
    random_seed: int,
    failures: dict[str, list[str]],
    keep: Path | None = None,
) -> None:
    """Feed ``examples`` inputs to ``call``; failures are collected, not raised."""
    if examples < 1:
        return

    @seed(random_seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(inputs)
    def feed(given_input: fuzzers.Input) -> None:
        try:
            fuzzers.in_fresh_folder(lambda folder: call(given_input, folder))
        except Exception as exc:  # every failure is counted by the fuzzers' tally
            message = "".join(traceback.format_exception_only(exc)).strip()
            failures.setdefault(entry, []).append(message[:500])
            if keep is not None:  # the input, to reproduce the failure
                number = len(failures[entry])
                given_input.write(keep / re.sub(r"\W+", "-", entry) / str(number))

    feed()


def command_for(arguments: argparse.Namespace, entry: str) -> str:
    return (
        f"python benchmark/reliability/fuzz.py --examples {arguments.examples}"
        f" --command-examples {arguments.command_examples} --seed {arguments.seed}"
        f' --only "{entry}"'
    )


def table(arguments: argparse.Namespace, elapsed: float) -> str:
    rows = [
        "| entry point | path | inputs tried | accepted (exit 0) | refused (exit 1, 2) | crashes |"
        " hangs | wrongly accepted | command |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, tally in fuzzers.TALLIES.items():
        through_command = name.endswith(" (command)")
        entry = name.removesuffix(" (command)")
        outcomes = tally.outcomes
        accepted = outcomes["exit 0"] if through_command else outcomes["accepted"]
        refused = (
            outcomes["exit 1"] + outcomes["exit 2"] if through_command else outcomes["refused"]
        )
        path = "`propos` console script" if through_command else "library function"
        only = entry.split(" --")[0]
        rows.append(
            f"| `propos {entry}` | {path} | {tally.tried} | {accepted} | {refused} |"
            f" {outcomes['crash']} | {outcomes['hang']} | {outcomes['wrongly accepted']} |"
            f" `{command_for(arguments, only)}` |"
        )
    total = sum(tally.tried for tally in fuzzers.TALLIES.values())
    failed = sum(t.outcomes[k] for t in fuzzers.TALLIES.values() for k in FAILURES)
    return "\n".join(
        [
            "## Hostile input (fuzzing)",
            "",
            "Real files mutated by hypothesis (the landed gold and inventory, the baseline",
            "submissions, brat and Label Studio exports of the gold, WiNER-fr brat documents, the",
            "raw press articles): nodes of the JSON replaced by values of another type, deleted,",
            "duplicated or nudged; lines of brat and raw files dropped, repeated, cut or given odd",
            "characters (lone surrogates, NUL, bidi controls, BOM); bytes made invalid UTF-8;",
            "file names that are no document id. An input passes when it is accepted or refused",
            "with a one-line error (exit 0, 1 or 2, no traceback) within"
            f" {fuzzers.FIXED_SECONDS:.0f} s + {fuzzers.SECONDS_PER_BYTE * 1e6:.0f} µs per byte",
            f"(plus {fuzzers.COMMAND_STARTUP_SECONDS:.0f} s of start-up through the console"
            " script). *Wrongly accepted*: an",
            "importer's output or a cleaned document that `propos validate` refuses, or an",
            "annotation or submission that validation passes and the JSON Schema refuses.",
            "Through the console script, `propos leaderboard` exits 0 and lists a hostile",
            "submission as a rejected row (it counts as accepted here); `propos validate` also",
            "reads the inventory, cleaned documents and submissions.",
            "",
            f"All rows: `python benchmark/reliability/fuzz.py --examples {arguments.examples}"
            f" --command-examples {arguments.command_examples} --seed {arguments.seed}`"
            f" ({total} inputs, {failed} failures, {elapsed / 60:.0f} min on"
            f" {platform.machine()}, Python {platform.python_version()}).",
            "",
            *rows,
            "",
        ]
    )


def write_section(path: Path, section: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else NEW_REPORT
    if START not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{START}\n{END}\n"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    text = pattern.sub(lambda _: f"{START}\n{section}{END}", text, count=1)
    path.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=300, help="inputs per library fuzzer")
    parser.add_argument(
        "--command-examples", type=int, default=10, help="inputs per command (console script)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", nargs="*", help="entry points to fuzz (default: all)")
    parser.add_argument("--keep", type=Path, help="save each failing input under this folder")
    parser.add_argument("--out", type=Path, default=fuzzers.ROOT / "benchmark" / "RELIABILITY.md")
    arguments = parser.parse_args()
    wanted = set(arguments.only or [])
    started = time.perf_counter()
    fuzzers.warm_up()
    failures: dict[str, list[str]] = {}
    for fuzzer in fuzzers.FUZZERS:
        if wanted and fuzzer.entry.split(" --")[0] not in wanted:
            continue
        print(f"fuzz: {fuzzer.entry} ({arguments.examples} inputs)", file=sys.stderr)
        run_fuzzer(
            fuzzer.entry,
            fuzzer.inputs(),
            lambda given, folder, f=fuzzer: f.run(f.entry, given, folder),
            arguments.examples,
            arguments.seed,
            failures,
            arguments.keep,
        )
    for entry, inputs in fuzzers.COMMANDS.items():
        if wanted and entry not in wanted:
            continue
        print(f"fuzz: propos {entry} ({arguments.command_examples} inputs)", file=sys.stderr)
        run_fuzzer(
            f"{entry} (command)",
            inputs(),
            lambda given, folder, e=entry: fuzzers.run_command(e, given, folder),
            arguments.command_examples,
            arguments.seed,
            failures,
            arguments.keep,
        )
    section = table(arguments, time.perf_counter() - started)
    if not wanted:
        write_section(arguments.out, section)
        print(f"fuzz: figures -> {arguments.out}", file=sys.stderr)
    else:
        print(section)
    for entry, messages in failures.items():
        print(f"{entry}: {len(messages)} failure(s); first: {messages[0]}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
