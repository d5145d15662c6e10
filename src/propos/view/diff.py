"""Word-level differences between two reports of the same statement (difflib over words)."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from html import escape

EDGE_PUNCTUATION = "«»“”„‹›\"'’‘.,;:!?…()[]"
WORD_AND_SPACE = re.compile(r"\S+\s*")
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


def _mark_only(token: str) -> bool:
    return not token.strip().strip(EDGE_PUNCTUATION)


def words(text: str) -> list[str]:
    """Whitespace-separated words, each with the white space that follows it.

    A token made only of quotation marks or punctuation (French « and » stand apart, between
    spaces) is joined to the next word (the last one to the word before), so that it is
    shown but never compared on its own.
    """
    tokens = [match.group() for match in WORD_AND_SPACE.finditer(text)]
    joined: list[str] = []
    pending = ""
    for token in tokens:
        if _mark_only(token):
            pending += token
        else:
            joined.append(pending + token)
            pending = ""
    if pending:
        if joined:
            joined[-1] += pending
        else:
            joined.append(pending)
    return joined


def word_key(word: str) -> str:
    """What two words must share to count as the same: case, quotation marks, punctuation
    at the edges and apostrophes ignored."""
    bare = word.translate(APOSTROPHES).casefold()
    stripped = re.sub(r"\s+", " ", bare).strip().strip(EDGE_PUNCTUATION).strip()
    return stripped.strip(EDGE_PUNCTUATION)


def similarity(reference: str, version: str) -> float:
    a = [word_key(w) for w in words(reference)]
    b = [word_key(w) for w in words(version)]
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def closest(texts: list[str], index: int) -> tuple[int, float]:
    """The other version most similar to ``texts[index]`` and the similarity: the most words
    in common, then (on a tie, such as no word in common) the most characters in common,
    then the earliest."""
    ranked = []
    for other, text in enumerate(texts):
        if other != index:
            words_shared = similarity(text, texts[index])
            characters = SequenceMatcher(None, text.casefold(), texts[index].casefold(), False)
            ranked.append((-words_shared, -characters.ratio(), other))
    words_shared, _, best = min(ranked)
    return best, -words_shared


def _deleted(removed: list[str], limit: int = 6) -> str:
    """Words of the reference missing from the version; a long run is shortened (full on hover)."""
    full = "".join(removed).strip()
    if len(removed) <= limit:
        return f'<del title="only in the first version">{escape(full)}</del>'
    head, tail = "".join(removed[:3]).strip(), "".join(removed[-2:]).strip()
    title = f"{len(removed)} words only in the first version: {full}"
    return f'<del title="{escape(title)}">{escape(head)} … {escape(tail)}</del>'


def diff_html(reference: str, version: str) -> str:
    """The version's words, with words absent from the reference in <ins> and the reference's
    words it lacks in <del>, all escaped."""
    a, b = words(reference), words(version)
    matcher = SequenceMatcher(None, [word_key(w) for w in a], [word_key(w) for w in b], False)
    out: list[str] = []
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if operation == "equal":
            out.append(escape("".join(b[b_start:b_end])))
            continue
        if a_end > a_start:
            out.append(_deleted(a[a_start:a_end]) + " ")
        if b_end > b_start:
            added = "".join(b[b_start:b_end])
            body, tail = added.rstrip(), added[len(added.rstrip()) :]
            out.append(f"<ins>{escape(body)}</ins>{escape(tail)}")
    return "".join(out).rstrip()
