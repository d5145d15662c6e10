"""Unicode normalisation in linear time, whatever the input.

CPython's ``unicodedata.normalize`` sorts a run of combining marks with a quadratic algorithm:
an "a" followed by 100,000 accents takes half a minute. Unicode's own answer is the
Stream-Safe Text Format (UAX #15, section 13): no more than 30 non-starters in a row, a longer
run being cut by a combining grapheme joiner. Here a longer run is cut the same way, without
inserting anything: each piece is normalised alone. Text with shorter runs (every natural
language) is normalised exactly as ``unicodedata.normalize`` does.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from itertools import pairwise

MAX_NON_STARTERS = 30  # UAX #15 stream-safe limit
# Every character with a non-zero canonical combining class lies below this code point.
_LAST_MARK_PLANE_END = 0x20000


@cache
def _non_starter_class() -> str:
    """A regular-expression class of every non-starter (canonical combining class > 0)."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x300, _LAST_MARK_PLANE_END):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    parts = (
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return "[" + "".join(parts) + "]"


@cache
def _long_run() -> re.Pattern[str]:
    return re.compile(f"{_non_starter_class()}{{{MAX_NON_STARTERS + 1}}}")


@cache
def _marks() -> re.Pattern[str]:
    return re.compile(f"{_non_starter_class()}+")


# Every non-starter is at or above U+0300, so a run of 31 of them lies inside a run of 31
# characters from U+0300 up. A one-range class scans ~20 times faster than the exact class of
# several hundred ranges; spelt [X][X]{30,} rather than [X]{31,}, sre skips ahead to a first X.
_HIGH_RUN = re.compile(f"[\u0300-\U0010ffff][\u0300-\U0010ffff]{{{MAX_NON_STARTERS},}}")


def has_long_mark_run(text: str) -> bool:
    """Whether more than 30 non-starters follow each other somewhere in ``text``."""
    if text.isascii():
        return False
    # Every non-starter lies outside Latin-1, so a text with at most 30 characters outside it
    # holds no run of 31; encoding with "ignore" counts them at C speed.
    if len(text) - len(text.encode("latin-1", "ignore")) <= MAX_NON_STARTERS:
        return False
    exact = _long_run()
    return any(exact.search(text, *run.span()) for run in _HIGH_RUN.finditer(text))


def stream_safe_cuts(text: str) -> list[int]:
    """Positions after every 30th non-starter of a run: where normalisation is cut."""
    cuts: list[int] = []
    for run in _marks().finditer(text):
        cuts.extend(range(run.start() + MAX_NON_STARTERS, run.end(), MAX_NON_STARTERS))
    return cuts


def normalize(form: str, text: str) -> str:
    """``unicodedata.normalize(form, text)``, each run of marks cut after 30 (stream-safe)."""
    if not has_long_mark_run(text):
        return unicodedata.normalize(form, text)  # type: ignore[arg-type]
    bounds = [0, *stream_safe_cuts(text), len(text)]
    return "".join(
        unicodedata.normalize(form, text[a:b])  # type: ignore[arg-type]
        for a, b in pairwise(bounds)
    )
