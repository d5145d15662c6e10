"""Look-alike names: the skeleton of Unicode Technical Standard #39.

Two strings are confusable when their skeletons are equal: each character is decomposed (NFD),
replaced by its prototype from the UTS #39 table (``data/confusables.txt``: Cyrillic "с" ->
Latin "c", capital "I" -> "l", "0" -> "O" ...), and the result decomposed again. A display name
is compared case-insensitively and without invisible format characters (zero-width spaces,
joiners) or runs of white space, so "CRF", "crf" and "с\u200brf" have one key.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources


@cache
def prototypes() -> dict[str, str]:
    """Source character -> prototype string, from the UTS #39 table shipped with the package."""
    table: dict[str, str] = {}
    text = resources.files("propos").joinpath("data/confusables.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        source, target = line.split(";")
        table[chr(int(source, 16))] = "".join(chr(int(code, 16)) for code in target.split())
    return table


def skeleton(text: str) -> str:
    """The UTS #39 skeleton of ``text``: NFD, every character mapped to its prototype, NFD."""
    table = prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(table.get(char, char) for char in decomposed))


def name_key(name: str) -> str:
    """What two display names must not share: the skeleton of the case-folded, visible name."""
    visible = "".join(char for char in name if unicodedata.category(char) != "Cf")
    return skeleton(" ".join(visible.casefold().split()))


def describe_char(char: str) -> str:
    return f"{unicodedata.name(char, 'an unnamed character')} (U+{ord(char):04X})"


def look_alikes(name: str, other: str) -> list[str]:
    """Plain words for the characters of ``name`` that stand in for different ones in ``other``:
    e.g. "CYRILLIC SMALL LETTER ES (U+0441) for LATIN SMALL LETTER C (U+0063)"."""
    table = prototypes()
    found: list[str] = []
    other_chars = set(unicodedata.normalize("NFD", other.casefold()))
    for char in dict.fromkeys(unicodedata.normalize("NFD", name.casefold())):
        if char in other_chars:
            continue
        if unicodedata.category(char) == "Cf":
            found.append(f"the invisible {describe_char(char)}")
            continue
        prototype = table.get(char)
        if prototype is None:
            continue
        matches = [c for c in other_chars if table.get(c, c) == prototype]
        stands_for = describe_char(matches[0]) if len(matches) == 1 else f"'{prototype}'"
        found.append(f"{describe_char(char)} for {stands_for}")
    return found
