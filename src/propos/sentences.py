"""Sentence boundaries in cleaned text: conservative rules, as a table.

A sentence ends at a paragraph break, or after final punctuation (optionally followed by a
closing quotation mark) when white space and an upper-case letter or an opening mark follow,
unless the word before the punctuation is an abbreviation. Splitting too little is preferred to
splitting too much: the validator uses sentences to check that event arguments stand in the
trigger's sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

ABBREVIATIONS = frozenset({"M", "MM", "Mme", "Mmes", "Mlle", "Dr", "Pr", "Me", "St", "Ste", "etc"})

# A match starts only at the first mark of a run: starting inside "....." again and again
# rescanned the run from each of its marks (quadratic); the run ends the same way either way.
# The pattern opens with the mark itself (the look-behind after it), so that the engine can
# skip ahead to the next mark instead of trying a look-behind at every character.
SENTENCE_END = re.compile(
    r"(?P<end>[.!?…](?<![.!?…][.!?…])[.!?…]*[»”\"]?)(?P<gap>[ \u00a0\u202f]+)"
    r"(?=[«“\"A-ZÀ-ÝŒ])|\n\n"
)
# The word before a mark, found in a short window; it starts where a word starts, so that a
# search is linear even over a long word.
WORD_BEFORE = re.compile(r"(?<!\w)(\w+)$")
ABBREVIATION_WINDOW = 12  # longer than any abbreviation of the table


def _is_abbreviation(text: str, punct_start: int) -> bool:
    # Look only at a short window: searching from 0 made sentence splitting quadratic.
    word = WORD_BEFORE.search(text, max(0, punct_start - ABBREVIATION_WINDOW), punct_start)
    if word is None:
        return False
    token = word.group(1)
    return token in ABBREVIATIONS or (len(token) == 1 and token.isupper())


@lru_cache(maxsize=4096)
def sentence_starts(text: str) -> tuple[int, ...]:
    starts = [0]
    for found in SENTENCE_END.finditer(text):
        if found.group("end") is not None:
            if text[found.start()] == "." and _is_abbreviation(text, found.start()):
                continue
            starts.append(found.end())
        else:
            starts.append(found.end())
    return tuple(starts)


def sentence_index(text: str, offset: int) -> int:
    return bisect_right(sentence_starts(text), offset) - 1


def sentence_spans(text: str) -> list[tuple[int, int]]:
    starts = sentence_starts(text)
    ends = [*starts[1:], len(text)]
    return [(start, end) for start, end in zip(starts, ends, strict=True)]
