"""Time the cleaning path, the tokenizer and the sentence splitter on long lines without a space.

    PYTHONPATH=src python benchmark/reliability/long_lines.py \
        --out benchmark/reliability/LONG_LINES.md

Each kind of line is cleaned (`propos.clean.clean_text`, the whole rule set) at 100,000,
400,000 and 1,600,000 characters, then split into sentences and each sentence tokenised, as the
build does. Each figure is the best of three runs.
Linear time shows as a ratio near 4 between one size and the next (4 times the input); the
quadratic code gave 16 (100,000 letters: 17 to 30 s, 400,000: 220 s).
"""

from __future__ import annotations

import argparse
import base64
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from propos.clean import clean_text
from propos.sentences import sentence_spans, sentence_starts
from propos.tokenize import _french_tokenizer, tokenize

SIZES = (100_000, 400_000, 1_600_000)
KINDS: dict[str, tuple[str, Callable[[int], str]]] = {
    "letters": ("a single letter repeated", lambda n: "a" * n),
    "cjk": ("CJK ideographs", lambda n: "".join(chr(0x4E00 + i % 5000) for i in range(n))),
    "base64": ("a base64 blob", lambda n: base64.b64encode(random.randbytes(n)).decode()[:n]),
    "xnum": ("words holding the MT placeholder XNUM", lambda n: ("deXNUMux" * (n // 8 + 1))[:n]),
    "marks": ("a letter and n accents", lambda n: "a" + "\u0301\u0327" * (n // 2)),
    "dots": ("full stops", lambda n: "." * n),
    "elisions": ("l' repeated (spaCy's affix loop)", lambda n: "l'" * (n // 2)),
    "lines": ("distinct short lines", lambda n: "\n".join(f"Ligne {i}." for i in range(n // 10))),
}  # fmt: skip


def seconds(step: Callable[[], object], repeats: int = 3) -> float:
    """The best of three runs: the machine is shared, a slower run measures the neighbours.

    spaCy's tokenizer caches what it has seen; each run gets a new one (made before the clock
    starts), so that a repeat does not time the cache.
    """
    best = float("inf")
    for _ in range(repeats):
        _french_tokenizer.cache_clear()
        _french_tokenizer()
        started = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - started)
    return best


def measure(kind: str, size: int) -> dict[str, float]:
    line = KINDS[kind][1](size)
    raw = f"Un titre\n\n{line}.\n"
    text = clean_text(raw, "long", "long").document["text"]
    return {
        "clean": seconds(lambda: clean_text(raw, "long", "long")),
        "tokenize": seconds(lambda: [tokenize(text[a:b]) for a, b in sentence_spans(text)]),
        "sentences": seconds(lambda: sentence_starts.__wrapped__(text)),  # past the cache
    }


def table() -> str:
    tokenize("amorce")  # load spaCy's tokenizer before timing
    rows = []
    for kind, (what, _) in KINDS.items():
        figures = [measure(kind, size) for size in SIZES]
        cells = []
        for step in ("clean", "tokenize", "sentences"):
            times = [f[step] for f in figures]
            ratio = times[-1] / max(times[-2], 1e-4)
            cells.append(" / ".join(f"{t:.3f}" for t in times) + f" (x{ratio:.1f})")
        rows.append(f"| {kind}: {what} | " + " | ".join(cells) + " |")
        print(rows[-1], file=sys.stderr, flush=True)
    header = " / ".join(f"{size:,}" for size in SIZES)
    return "\n".join(
        [
            "# Long lines without a space: time against length",
            "",
            "Measured by `PYTHONPATH=src python benchmark/reliability/long_lines.py --out"
            " benchmark/reliability/LONG_LINES.md`"
            f" (Python {platform.python_version()}, {platform.machine()}, shared 2-core machine;"
            " best of three runs).",
            f"Seconds at {header} characters; in brackets the ratio of the last two (4 is linear,"
            " 16 quadratic).",
            "",
            "| line | clean | tokenize | sentences |",
            "| --- | --- | --- | --- |",
            *rows,
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="Markdown file to write (default: stdout).")
    args = parser.parse_args()
    report = table()
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    else:
        print(report)


if __name__ == "__main__":
    main()
