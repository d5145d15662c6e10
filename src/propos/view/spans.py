"""Annotated text as properly nested HTML: overlapping spans split at each other's boundaries.

A :class:`Mark` is one span to render (an entity mention, a quotation, a cue, a trigger ...)
with its element name and attributes. :func:`layout` cuts marks into pieces that nest (a mark
crossing the end of an enclosing one continues in a second piece after it; paragraphs cut
every mark), and :func:`render_text` writes the pieces as elements around escaped text. Text
and attribute values are escaped here and nowhere else.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    rank: int  # for equal extents: lower ranks enclose higher ones
    tag: str  # "a" or "span"
    attrs: tuple[tuple[str, str], ...] = ()
    badge: tuple[tuple[str, str], ...] | None = None  # attributes of an empty <a> at the start
    key: str = ""  # identifies the mark among its pieces


@dataclass(frozen=True)
class Piece:
    start: int
    end: int
    mark: Mark
    index: int = 0
    total: int = 1


def attributes(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f' {name}="{escape(value, quote=True)}"' for name, value in pairs)


def layout(marks: Sequence[Mark], bounds: Sequence[tuple[int, int]]) -> list[Piece]:
    """Cut marks into pieces that nest inside each other and inside one of ``bounds`` each."""
    heap: list[tuple[int, int, int, int, Mark]] = []
    for order, mark in enumerate(marks):
        for start, end in bounds:
            low, high = max(mark.start, start), min(mark.end, end)
            if low < high:
                heapq.heappush(heap, (low, -high, mark.rank, order, mark))
    raw: list[tuple[int, int, int, Mark]] = []
    stack: list[int] = []  # ends of the open pieces, innermost last
    while heap:
        start, negative_end, _rank, order, mark = heapq.heappop(heap)
        end = -negative_end
        while stack and stack[-1] <= start:
            stack.pop()
        if stack and end > stack[-1]:
            heapq.heappush(heap, (stack[-1], -end, mark.rank, order, mark))
            end = stack[-1]
        raw.append((start, end, order, mark))
        stack.append(end)
    counts: dict[int, int] = {}
    for _, _, order, _ in raw:
        counts[order] = counts.get(order, 0) + 1
    seen: dict[int, int] = {}
    pieces = []
    for start, end, order, mark in raw:
        index = seen.get(order, 0)
        seen[order] = index + 1
        pieces.append(Piece(start, end, mark, index, counts[order]))
    return pieces


def _open_tag(piece: Piece, inside_link: bool) -> tuple[str, bool]:
    mark = piece.mark
    attrs = list(mark.attrs)
    tag = mark.tag
    if tag == "a" and inside_link:  # links cannot nest: keep the target as data
        tag = "span"
        attrs = [("data-href", value) if name == "href" else (name, value) for name, value in attrs]
    if piece.total > 1:
        attrs.append(("data-part", f"{piece.index + 1}/{piece.total}"))
        if piece.index > 0:  # an id belongs to the first piece only
            attrs = [(name, value) for name, value in attrs if name != "id"]
    html = f"<{tag}{attributes(attrs)}>"
    if mark.badge is not None and piece.index == 0 and not inside_link and tag != "a":
        html += f"<a{attributes(mark.badge)}></a>"
    return html, tag == "a"


def render_text(text: str, start: int, end: int, pieces: Sequence[Piece]) -> str:
    """HTML for text[start:end] with the pieces that fall inside it, escaped."""
    inside = sorted(
        (p for p in pieces if start <= p.start and p.end <= end),
        key=lambda p: (p.start, -p.end, p.mark.rank),
    )
    out: list[str] = []
    stack: list[tuple[Piece, str, bool]] = []
    position = start

    def close() -> None:
        nonlocal position
        piece, tag, _ = stack.pop()
        out.append(escape(text[position : piece.end], quote=False))
        position = piece.end
        out.append(f"</{tag}>")

    for piece in inside:
        while stack and stack[-1][0].end <= piece.start:
            close()
        out.append(escape(text[position : piece.start], quote=False))
        position = piece.start
        inside_link = any(is_link for _, _, is_link in stack)
        html, is_link = _open_tag(piece, inside_link)
        out.append(html)
        tag = "a" if is_link else "span" if piece.mark.tag == "a" else piece.mark.tag
        stack.append((piece, tag, is_link))
    while stack:
        close()
    out.append(escape(text[position:end], quote=False))
    return "".join(out)
