"""Every disagreement between two annotation sets of the same documents, for adjudication.

Within a document and a layer, the annotations of the two sets are paired by their span
(entity mention, quotation content, event trigger): identical spans first, then the largest
overlap. A pair that differs in anything compared (span, label, the other fields below) is a
disagreement listing what differs; an annotation paired with nothing is "only in" its set.

Compared fields: entities ``start``/``end``, ``type``, ``entity_id``; quotations the content
span, ``kind``, ``cue``, ``speaker``, ``speaker_entity_id``, ``utterance_id``; events the
trigger span, ``type``, ``realis``, ``event_id`` and the arguments (role and entity span).
The two sets may name one cross-document cluster differently (each pass has its own
inventory): such renamings (:func:`renamings`) are listed apart, not as disagreements.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

Item = dict[str, Any]
Documents = dict[str, dict[str, Any]]
CONTEXT_CHARS = 60
LONG_TEXT = 120


def _span(layer: str, item: Item) -> tuple[int, int]:
    span = item if layer == "entities" else item["content" if layer == "quotes" else "trigger"]
    return int(span["start"]), int(span["end"])


def _optional_span(span: Item | None) -> tuple[int, int] | None:
    return None if span is None else (int(span["start"]), int(span["end"]))


def _arguments(item: Item, entities: dict[str, Item]) -> list[tuple[str, int, int]]:
    found = []
    for argument in item["arguments"]:
        entity = entities.get(argument["entity"])
        start, end = (entity["start"], entity["end"]) if entity else (-1, -1)
        found.append((argument["role"], start, end))
    return sorted(found)


FIELDS: dict[str, list[tuple[str, Callable[[Item, dict[str, Item]], Any]]]] = {
    "entities": [
        ("span", lambda item, _: _span("entities", item)),
        ("type", lambda item, _: item["type"]),
        ("entity_id", lambda item, _: item["entity_id"]),
    ],
    "quotes": [
        ("span", lambda item, _: _span("quotes", item)),
        ("kind", lambda item, _: item["kind"]),
        ("cue", lambda item, _: _optional_span(item["cue"])),
        ("speaker", lambda item, _: _optional_span(item["speaker"])),
        ("speaker_entity_id", lambda item, _: item["speaker_entity_id"]),
        ("utterance_id", lambda item, _: item["utterance_id"]),
    ],
    "events": [
        ("span", lambda item, _: _span("events", item)),
        ("type", lambda item, _: item["type"]),
        ("realis", lambda item, _: item["realis"]),
        ("event_id", lambda item, _: item["event_id"]),
        ("arguments", _arguments),
    ],
}
LAYERS = tuple(FIELDS)


def _shorten(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= LONG_TEXT else f"{flat[: LONG_TEXT // 2]} … {flat[-40:]}"


def describe(layer: str, item: Item, entities: dict[str, Item]) -> str:
    """One annotation as the adjudicator reads it: its text, offsets and fields."""
    start, end = _span(layer, item)
    if layer == "entities":
        return (
            f"{item['id']} “{_shorten(item['text'])}” {start}-{end} {item['type']}"
            f" {item['entity_id']}"
        )
    if layer == "quotes":
        parts = [f"{item['id']} “{_shorten(item['content']['text'])}” {start}-{end} {item['kind']}"]
        for part in ("cue", "speaker"):
            span = item[part]
            parts.append(
                f"{part} “{span['text']}” {span['start']}-{span['end']}" if span else f"no {part}"
            )
        parts.append(f"speaker_entity_id {item['speaker_entity_id'] or 'null'}")
        parts.append(item["utterance_id"])
        return ", ".join(parts)
    arguments = "; ".join(
        f"{argument['role']} “{entities[argument['entity']]['text']}”"
        if argument["entity"] in entities
        else f"{argument['role']} {argument['entity']}"
        for argument in item["arguments"]
    )
    return (
        f"{item['id']} “{item['trigger']['text']}” {start}-{end} {item['type']} {item['realis']}"
        f" {item['event_id']}, arguments: {arguments or 'none'}"
    )


def _label(layer: str, item: Item) -> str:
    return str(item["kind"] if layer == "quotes" else item["type"])


def _pairs(
    first: list[Item], second: list[Item], layer: str
) -> list[tuple[Item | None, Item | None]]:
    """Pair annotations by identical span and label, then identical span, then largest
    overlap; the rest stay alone."""
    left, right = list(first), list(second)
    pairs: list[tuple[Item | None, Item | None]] = []
    for key in (
        lambda item: (_span(layer, item), _label(layer, item)),
        lambda item: _span(layer, item),
    ):
        waiting: dict[Any, list[Item]] = {}
        for item in right:
            waiting.setdefault(key(item), []).append(item)
        for item in list(left):
            same = waiting.get(key(item))
            if same:
                match = same.pop(0)
                pairs.append((item, match))
                left.remove(item)
                right.remove(match)
    overlaps = []
    for a in left:
        a_start, a_end = _span(layer, a)
        for b in right:
            b_start, b_end = _span(layer, b)
            overlap = min(a_end, b_end) - max(a_start, b_start)
            if overlap > 0:
                overlaps.append((-overlap, a_start, b_start, id(a), id(b), a, b))
    taken: set[int] = set()
    for *_, a, b in sorted(overlaps, key=lambda entry: entry[:5]):
        if id(a) not in taken and id(b) not in taken:
            taken |= {id(a), id(b)}
            pairs.append((a, b))
    pairs += [(a, None) for a in left if id(a) not in taken]
    pairs += [(None, b) for b in right if id(b) not in taken]
    return pairs


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    return " ".join(f"…{before}[{_shorten(text[start:end])}]{after}…".split())


ID_FIELDS = {
    "entity_id": "entity",
    "speaker_entity_id": "entity",
    "utterance_id": "utterance",
    "event_id": "event",
}
Renamings = dict[str, dict[str, str]]  # namespace -> first set's id -> second set's id


def _paired(first: Documents, second: Documents) -> list[tuple[str, str, Item | None, Item | None]]:
    return [
        (doc_id, layer, a, b)
        for doc_id in sorted(first)
        for layer in LAYERS
        for a, b in _pairs(first[doc_id][layer], second[doc_id][layer], layer)
    ]


def renamings(pairs: list[tuple[str, str, Item | None, Item | None]]) -> Renamings:
    """Cross-document ids the two sets name differently but use for the same mentions.

    Each set has its own inventory, so the same cluster may have two names: a first-set id and
    a second-set id that are each other's most frequent partner over the paired annotations
    are one cluster renamed, not a disagreement.
    """
    together: dict[str, Counter[tuple[str, str]]] = {}
    for _, _, a, b in pairs:
        if a is None or b is None:
            continue
        for name, namespace in ID_FIELDS.items():
            if a.get(name) and b.get(name):
                together.setdefault(namespace, Counter())[(a[name], b[name])] += 1
    result: Renamings = {}
    for namespace, counts in together.items():
        best_a: dict[str, tuple[int, str]] = {}
        best_b: dict[str, tuple[int, str]] = {}
        for (a_id, b_id), count in sorted(counts.items()):
            if count > best_a.get(a_id, (0, ""))[0]:
                best_a[a_id] = (count, b_id)
            if count > best_b.get(b_id, (0, ""))[0]:
                best_b[b_id] = (count, a_id)
        result[namespace] = {
            a_id: b_id
            for a_id, (_, b_id) in best_a.items()
            if a_id != b_id and best_b[b_id][1] == a_id
        }
    return result


def _same(name: str, value_a: Any, value_b: Any, renamed: Renamings) -> bool:
    if value_a == value_b:
        return True
    namespace = ID_FIELDS.get(name)
    return namespace is not None and renamed.get(namespace, {}).get(value_a) == value_b


def _row(
    doc_id: str, layer: str, a: Item | None, b: Item | None, documents: tuple[Any, Any],
    text: str, renamed: Renamings,
) -> dict[str, Any] | None:  # fmt: skip
    entities = [{e["id"]: e for e in document["entities"]} for document in documents]
    if a is not None and b is not None:
        differs = [
            name
            for name, value in FIELDS[layer]
            if not _same(name, value(a, entities[0]), value(b, entities[1]), renamed)
        ]
        if not differs:
            return None
    else:
        differs = ["only in the first set" if b is None else "only in the second set"]
    spans = [_span(layer, item) for item in (a, b) if item is not None]
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    return {
        "doc_id": doc_id,
        "layer": layer,
        "start": start,
        "end": end,
        "differs": differs,
        "first": None if a is None else describe(layer, a, entities[0]),
        "second": None if b is None else describe(layer, b, entities[1]),
        "context": _context(text, start, end),
    }


def disagreements(
    first: Documents, second: Documents, texts: dict[str, str]
) -> tuple[list[dict[str, Any]], Renamings]:
    """Every disagreement, by document, layer and position, and the ids renamed from the
    first set to the second (each document schema-checked first)."""
    from propos.interchange import validate_annotation

    for doc_id in sorted(first):
        validate_annotation(first[doc_id], f"{doc_id} (first set)")
        validate_annotation(second[doc_id], f"{doc_id} (second set)")
    pairs = _paired(first, second)
    renamed = renamings(pairs)
    rows = []
    for doc_id, layer, a, b in pairs:
        row = _row(doc_id, layer, a, b, (first[doc_id], second[doc_id]), texts[doc_id], renamed)
        if row is not None:
            rows.append(row)
    rows.sort(key=lambda row: (row["doc_id"], LAYERS.index(row["layer"]), row["start"], row["end"]))
    return rows, renamed


def _cell(value: str | None) -> str:
    return "—" if value is None else value.replace("|", "\\|")


def markdown(
    rows: list[dict[str, Any]], renamed: Renamings, first_name: str, second_name: str
) -> str:
    counts = {layer: sum(row["layer"] == layer for row in rows) for layer in LAYERS}
    summary = ", ".join(f"{layer} {count}" for layer, count in counts.items())
    lines = [
        f"{len(rows)} disagreement(s) between {first_name} (first) and {second_name} (second):"
        f" {summary}.",
        "",
        "| document | layer | differs | first | second | context |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row['doc_id']} | {row['layer']} | {', '.join(row['differs'])} |"
            f" {_cell(row['first'])} | {_cell(row['second'])} | {_cell(row['context'])} |"
        )
    renamings_count = sum(len(pairs) for pairs in renamed.values())
    lines += [
        "",
        f"{renamings_count} cross-document id(s) named differently for the same mentions (not"
        " counted as disagreements; the inventories must agree on one name):",
        "",
        "| namespace | first | second |",
        "| --- | --- | --- |",
    ]
    for namespace, pairs in sorted(renamed.items()):
        lines += [f"| {namespace} | {a} | {b} |" for a, b in sorted(pairs.items())]
    return "\n".join(lines) + "\n"


def as_json(rows: list[dict[str, Any]], renamed: Renamings) -> str:
    payload = {"disagreements": rows, "renamed_ids": renamed}
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
