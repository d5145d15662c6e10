"""Tokens with character offsets, and BIO tags for entity spans.

Tokenisation is spaCy's French tokenizer (``spacy.blank("fr")``, no model needed): it splits
elisions (l’, qu’), inverted clitics (a -t -il) and guillemets, which is what the ``ner``
configuration of the dataset and the CoNLL export use. A text is tokenised by one call and
its offsets read with ``Doc.to_array`` (`token_offsets`), not token by token.

spaCy strips prefixes and suffixes off a word one at a time, searching the rest of the word
each time: a word of n characters made of affixes (l'l'l'… or a run of apostrophes) takes time
in n². A run of more than ``MAX_RUN`` characters without white space (a base64 blob, a CJK
paragraph; no word of a natural language) is therefore tokenised in pieces of ``MAX_RUN``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import numpy as np

MAX_RUN = 128
# A run longer than MAX_RUN; it may only start where white space ends, so that finding it is
# linear too.
LONG_RUN = re.compile(rf"(?<!\S)\S{{{MAX_RUN + 1},}}")


class Token(NamedTuple):
    start: int
    end: int
    text: str


@cache
def _french_tokenizer() -> Any:
    import spacy

    return spacy.blank("fr").tokenizer


def _offsets(text: str, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the tokens of ``text`` but white space, read from one spaCy call."""
    from spacy.attrs import IDX, IS_SPACE, LENGTH

    table = _french_tokenizer()(text).to_array([IDX, LENGTH, IS_SPACE]).astype("int64")
    kept = table[table[:, 2] == 0]
    starts = kept[:, 0] + offset
    return starts, starts + kept[:, 1]


def token_offsets(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends (character offsets, end exclusive) of the tokens of ``text``: one spaCy
    call for the whole text, or one per stretch between runs longer than MAX_RUN."""
    import numpy as np

    pieces = []
    position = 0
    for run in LONG_RUN.finditer(text):
        pieces.append(_offsets(text[position : run.start()], position))
        for piece in range(run.start(), run.end(), MAX_RUN):
            pieces.append(_offsets(text[piece : min(piece + MAX_RUN, run.end())], piece))
        position = run.end()
    pieces.append(_offsets(text[position:], position))
    if len(pieces) == 1:
        return pieces[0]
    return np.concatenate([p[0] for p in pieces]), np.concatenate([p[1] for p in pieces])


def tokenize(text: str) -> list[Token]:
    starts, ends = token_offsets(text)
    return [Token(s, e, text[s:e]) for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]


def bio_tags(tokens: Sequence[Token], spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """IOB2 tags: a token is inside a span when it overlaps it; the first such token gets B-.

    Spans must not overlap (the validator guarantees it for entity layers). Tokens come in text
    order without overlapping, so each span's tokens are found by bisection (linear overall).
    """
    tags = ["O"] * len(tokens)
    ends = [tok.end for tok in tokens]
    for start, end, label in sorted(spans):
        index = bisect_right(ends, start)  # the first token ending after the span starts
        position = 0
        while index < len(tokens) and tokens[index].start < end:
            tags[index] = f"{'B' if position == 0 else 'I'}-{label}"
            position += 1
            index += 1
    return tags


def spans_from_bio(tokens: Sequence[Token], tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Character spans of IOB2 chunks (an I- without its B- starts a chunk, as conlleval does)."""
    spans: list[tuple[int, int, str]] = []
    current: list[Any] | None = None
    for token, tag in zip(tokens, tags, strict=True):
        prefix, _, label = tag.partition("-")
        if prefix == "I" and current is not None and current[2] == label:
            current[1] = token.end
            continue
        if current is not None:
            spans.append((current[0], current[1], current[2]))
            current = None
        if prefix in ("B", "I"):
            current = [token.start, token.end, label]
    if current is not None:
        spans.append((current[0], current[1], current[2]))
    return spans
