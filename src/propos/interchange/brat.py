"""brat standoff export and import (for annotating in brat or INCEpTION).

A document is two files: ``<doc_id>.txt``, the cleaned text written byte for byte (UTF-8, no
newline translation), and ``<doc_id>.ann``. Import gives back exactly the annotation dict that
was exported, ids included. The ``.ann`` lines::

    T1  PER 33 49   Vladimir Poutine       entity mention (type PER, ORG, GPE, LOC, FAC, MISC)
    #1  AnnotatorNotes T1   id=T1 entity_id=E-vladimir-poutine
    T7  Quotation 1 30  Il n’y avait ...   a quotation's content
    A1  Kind T7 direct                     its kind (direct, indirect, mixed)
    #4  AnnotatorNotes T7   id=Q1 utterance_id=U-no-animosity speaker_entity_id=E-vladimir-poutine
    T8  Cue 120 123 dit                    its cue, linked by   R1  QuoteCue Arg1:T7 Arg2:T8
    T9  Speaker 113 115 il                 its speaker, linked by   R2  QuoteSpeaker Arg1:T7 Arg2:T9
    T10 Contact__Meet 63 81 se sont ...    an event trigger
    E1  Contact__Meet:T10 participant:T1 participant2:T2     the event mention and its arguments
    A2  Realis E1 actual
    #5  AnnotatorNotes E1   id=V1 event_id=EV-geneva-summit

Decisions:

- Event types are encoded for brat type names, which may not contain ':' (the ``E`` line
  separator) and where INCEpTION also dislikes '-': ':' becomes ``__`` and '-' becomes ``_``
  ("Justice:Arrest-Jail" -> ``Justice__Arrest_Jail``). Decoding looks the name up in the
  encodings of ``schema.EVENT_TYPES`` (checked to be one-to-one), so it is exact.
- A role used twice in one event gets brat's numeric suffix (``participant``,
  ``participant2``, ...); the digits are dropped on import. Arguments keep their order.
- A null cue or speaker is simply absent (no ``Cue``/``Speaker`` span, no relation). A
  ``Cue`` or ``Speaker`` span is a span of its own even when it coincides with an entity
  mention, so that each side can be edited independently.
- Free-text values go in the one AnnotatorNotes of the annotation as space-separated
  ``key=value`` fields (inventory ids contain no spaces): ``id`` (the annotation id, always
  written), ``entity_id``, ``utterance_id``, ``speaker_entity_id`` (absent when null) and
  ``event_id``. brat ids (``T<n>``, ``E<n>``, ...) are numbered afresh on export; the
  annotation ids travel in ``id=``. An annotation created in brat without ``id=`` gets an
  id of the project's convention (``T<n>``, ``Q<n>``, ``V<n>``) numbered after the highest
  of the file and of the previous version, so a deleted annotation's id is never reused.
- A span drawn in brat without notes has no inventory id: on import (with placeholders
  asked for) it gets a placeholder (``E-todo-<doc_id>-T12``, ``U-todo-...``,
  ``EV-todo-...``) and a matching inventory stub, reported for the annotator to complete.
- Offsets are character offsets as brat's server counts them: Unicode code points, the same
  as Python string indices (an emoji counts one). Every span's text is checked against the
  ``.txt`` on import; a tool counting UTF-16 units would be caught there.
- A span containing a line break (brat cannot display one) is written as brat fragments
  split at the line breaks (``12 20;21 30``, text joined by one space, as brat does); on
  import fragments are accepted only when nothing but line breaks separates them.

Entities come first in the file, then quotations, then events; import keeps the order of
the ``T`` (entities, quotations) and ``E`` (events) lines.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from propos.errors import ProposError
from propos.fileio import write_atomic
from propos.interchange import (
    ID_PREFIX,
    Annotation,
    Span,
    assemble_annotation,
    check_annotation,
    ids_after,
    make_span,
    one_line,
)
from propos.schema import ARGUMENT_ROLES, ENTITY_TYPES, EVENT_TYPES, QUOTE_KINDS, REALIS_VALUES

QUOTATION = "Quotation"
CUE = "Cue"
SPEAKER = "Speaker"
CUE_RELATION = "QuoteCue"
SPEAKER_RELATION = "QuoteSpeaker"
KIND_ATTRIBUTE = "Kind"
REALIS_ATTRIBUTE = "Realis"
NOTES = "AnnotatorNotes"

NOTE_KEYS = {
    "entity": ("id", "entity_id"),
    "quote": ("id", "utterance_id", "speaker_entity_id"),
    "event": ("id", "event_id"),
}

_LINE_BREAKS = "\n\r"
_BETWEEN_BREAKS = re.compile(f"[^{_LINE_BREAKS}]+")
_BRAT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_BRAT_ID = re.compile(r"[TERAMN]\d+|#\d+|\*")


def encode_event_type(event_type: str) -> str:
    """``Contact:Meet`` -> ``Contact__Meet``, ``Justice:Arrest-Jail`` -> ``Justice__Arrest_Jail``.

    brat type names may not contain ':' (the separator of ``E`` lines) and INCEpTION maps them
    to identifiers, so ':' becomes ``__`` and '-' becomes ``_``.
    """
    return event_type.replace(":", "__").replace("-", "_")


_EVENT_TYPE_BY_NAME = {encode_event_type(event_type): event_type for event_type in EVENT_TYPES}


def decode_event_type(name: str) -> str | None:
    """The event type a brat type name encodes, or None."""
    return _EVENT_TYPE_BY_NAME.get(name)


def _check_encoding() -> None:
    names = list(_EVENT_TYPE_BY_NAME)
    span_types = [*ENTITY_TYPES, QUOTATION, CUE, SPEAKER]
    if (
        len(names) != len(EVENT_TYPES)
        or not all(_BRAT_NAME.fullmatch(name) for name in [*names, *span_types])
        or set(names) & set(span_types)
        or len(set(span_types)) != len(span_types)
    ):
        raise RuntimeError("the schema's label sets no longer have a one-to-one brat encoding")


_check_encoding()


# --------------------------------------------------------------------------- export


class _AnnWriter:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: list[str] = []
        self.counts: Counter[str] = Counter()

    def new_id(self, prefix: str) -> str:
        self.counts[prefix] += 1
        return f"{prefix}{self.counts[prefix]}"

    def textbound(self, type_name: str, span: Span) -> str:
        fragments = _fragments(self.text, span["start"], span["end"])
        offsets = ";".join(f"{start} {end}" for start, end in fragments)
        covered = " ".join(self.text[start:end] for start, end in fragments)
        bid = self.new_id("T")
        self.lines.append(f"{bid}\t{type_name} {offsets}\t{covered}")
        return bid

    def event(self, type_name: str, trigger: str, arguments: list[str]) -> str:
        bid = self.new_id("E")
        self.lines.append(f"{bid}\t{' '.join([f'{type_name}:{trigger}', *arguments])}")
        return bid

    def relation(self, type_name: str, arg1: str, arg2: str) -> None:
        self.lines.append(f"{self.new_id('R')}\t{type_name} Arg1:{arg1} Arg2:{arg2}")

    def attribute(self, name: str, target: str, value: str) -> None:
        self.lines.append(f"{self.new_id('A')}\t{name} {target} {value}")

    def note(self, target: str, fields: dict[str, str | None]) -> None:
        body = " ".join(f"{key}={value}" for key, value in fields.items() if value is not None)
        self.lines.append(f"{self.new_id('#')}\t{NOTES} {target}\t{body}")


def _fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The parts of [start, end) between line breaks (one part for an ordinary span)."""
    fragments = [
        (start + match.start(), start + match.end())
        for match in _BETWEEN_BREAKS.finditer(text[start:end])
    ]
    if not fragments:
        raise ProposError(f"span {start}-{end} holds nothing but line breaks")
    return fragments


def annotation_to_ann(annotation: Annotation, text: str, where: str | None = None) -> str:
    """The ``.ann`` file of one annotation (checked against ``text`` first)."""
    where = where or str(annotation.get("doc_id"))
    check_annotation(annotation, text, where)
    writer = _AnnWriter(text)
    entity_bid: dict[str, str] = {}
    for entity in annotation["entities"]:
        bid = writer.textbound(entity["type"], entity)
        writer.note(bid, {"id": entity["id"], "entity_id": entity["entity_id"]})
        entity_bid[entity["id"]] = bid
    for quote in annotation["quotes"]:
        bid = writer.textbound(QUOTATION, quote["content"])
        writer.attribute(KIND_ATTRIBUTE, bid, quote["kind"])
        writer.note(
            bid,
            {
                "id": quote["id"],
                "utterance_id": quote["utterance_id"],
                "speaker_entity_id": quote["speaker_entity_id"],
            },
        )
        if quote["cue"] is not None:
            writer.relation(CUE_RELATION, bid, writer.textbound(CUE, quote["cue"]))
        if quote["speaker"] is not None:
            writer.relation(SPEAKER_RELATION, bid, writer.textbound(SPEAKER, quote["speaker"]))
    for event in annotation["events"]:
        name = encode_event_type(event["type"])
        trigger = writer.textbound(name, event["trigger"])
        uses: Counter[str] = Counter()
        arguments = []
        for argument in event["arguments"]:
            uses[argument["role"]] += 1
            suffix = str(uses[argument["role"]]) if uses[argument["role"]] > 1 else ""
            arguments.append(f"{argument['role']}{suffix}:{entity_bid[argument['entity']]}")
        bid = writer.event(name, trigger, arguments)
        if event["realis"] is not None:  # a submission may leave it out
            writer.attribute(REALIS_ATTRIBUTE, bid, event["realis"])
        writer.note(bid, {"id": event["id"], "event_id": event["event_id"]})
    return "".join(f"{line}\n" for line in writer.lines)


def annotation_conf() -> str:
    """brat's annotation.conf for the Propos label sets (also read by INCEpTION's importer)."""
    entity_types = "|".join(ENTITY_TYPES)
    roles = ", ".join(f"{role}*:{entity_types}" for role in ARGUMENT_ROLES)
    lines = [
        "# Propos annotation types for brat (written by `propos convert to-brat`).",
        "# Event types are encoded: ':' -> '__', '-' -> '_'.",
        "# Notes (AnnotatorNotes) carry key=value fields: id, entity_id, utterance_id,",
        "# speaker_entity_id, event_id.",
        "",
        "[entities]",
        *ENTITY_TYPES,
        QUOTATION,
        CUE,
        SPEAKER,
        "",
        "[relations]",
        f"{CUE_RELATION} Arg1:{QUOTATION}, Arg2:{CUE}",
        f"{SPEAKER_RELATION} Arg1:{QUOTATION}, Arg2:{SPEAKER}",
        "<OVERLAP> Arg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
        "",
        "[events]",
        *(f"{encode_event_type(event_type)} {roles}" for event_type in EVENT_TYPES),
        "",
        "[attributes]",
        f"{KIND_ATTRIBUTE} Arg:{QUOTATION}, Value:{'|'.join(QUOTE_KINDS)}",
        f"{REALIS_ATTRIBUTE} Arg:<EVENT>, Value:{'|'.join(REALIS_VALUES)}",
    ]
    return "\n".join(lines) + "\n"


def visual_conf() -> str:
    """brat's visual.conf: event types shown under their Propos names."""
    labels = [f"{encode_event_type(t)} | {t} | {t.split(':')[1]}" for t in EVENT_TYPES]
    return "\n".join(["[labels]", *labels]) + "\n"


def write_brat_config(out_dir: Path) -> None:
    write_atomic(out_dir / "annotation.conf", annotation_conf())
    write_atomic(out_dir / "visual.conf", visual_conf())


def write_brat_document(annotation: Annotation, text: str, out_dir: Path) -> tuple[Path, Path]:
    """Write ``<doc_id>.txt`` and ``<doc_id>.ann`` into ``out_dir``."""
    ann = annotation_to_ann(annotation, text)
    txt_path = out_dir / f"{annotation['doc_id']}.txt"
    ann_path = out_dir / f"{annotation['doc_id']}.ann"
    write_atomic(txt_path, text.encode("utf-8"))
    write_atomic(ann_path, ann.encode("utf-8"))
    return txt_path, ann_path


# --------------------------------------------------------------------------- import


PLACEHOLDER_PREFIX = {"entity_id": "E", "utterance_id": "U", "event_id": "EV"}
"""Prefixes of the placeholder inventory ids (``E-todo-<doc_id>-T12``)."""
STUB_LAYER = {"entity_id": "entities", "utterance_id": "utterances", "event_id": "events"}


@dataclass
class Placeholder:
    """An inventory id the annotator left out in brat, filled with a placeholder.

    ``stub`` is the matching inventory entry (layer ``entities``, ``utterances`` or
    ``events``), to be completed by the annotator or replaced by an existing id.
    """

    doc_id: str
    annotation_id: str
    field: str
    value: str
    text: str
    layer: str
    stub: dict[str, Any]

    def describe(self) -> str:
        return (
            f"{self.doc_id} {self.annotation_id} “{one_line(self.text[:60])}”: {self.field}"
            f" {self.value}"
        )


def placeholder_id(field_name: str, doc_id: str, annotation_id: str) -> str:
    return f"{PLACEHOLDER_PREFIX[field_name]}-todo-{doc_id}-{annotation_id}"


@dataclass
class _TextBound:
    bid: str
    type: str
    start: int
    end: int
    line: int
    kind: str = ""


@dataclass
class _Event:
    bid: str
    type: str
    trigger: str
    arguments: list[tuple[str, str]]
    line: int


@dataclass
class _Relation:
    bid: str
    type: str
    arg1: str
    arg2: str
    line: int


@dataclass
class _Attribute:
    bid: str
    name: str
    target: str
    value: str
    line: int


@dataclass
class _Parsed:
    textbounds: dict[str, _TextBound] = field(default_factory=dict)
    events: dict[str, _Event] = field(default_factory=dict)
    relations: list[_Relation] = field(default_factory=list)
    attributes: list[_Attribute] = field(default_factory=list)
    notes: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)
    note_lines: dict[str, int] = field(default_factory=dict)


class _Located:
    """Builds one-line errors ``<file>:<line>: <message>``."""

    def __init__(self, where: str) -> None:
        self.where = where

    def error(self, line: int, message: str) -> ProposError:
        return ProposError(one_line(f"{self.where}:{line}: {message}"))


def _parse_ann(ann: str, text: str, where: str) -> _Parsed:
    loc = _Located(where)
    parsed = _Parsed()
    seen: dict[str, int] = {}
    for number, raw in enumerate(ann.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        fields = line.split("\t")
        bid = fields[0]
        if not _BRAT_ID.fullmatch(bid) or len(fields) < 2:
            raise loc.error(
                number,
                f"malformed line {line[:60]!r}: expected an id (T1, E1, R1, A1, #1), a tab"
                " and the annotation",
            )
        if bid in seen:
            raise loc.error(number, f"id {bid} already used on line {seen[bid]}")
        seen[bid] = number
        kind = bid[0]
        if kind == "T":
            _parse_textbound(loc, number, line, text, parsed)
        elif kind == "E":
            _parse_event(loc, number, fields, parsed)
        elif kind == "R":
            _parse_relation(loc, number, fields, parsed)
        elif kind in "AM":
            _parse_attribute(loc, number, fields, parsed)
        else:
            _parse_note(loc, number, line, parsed)
    return parsed


def _parse_textbound(loc: _Located, number: int, line: str, text: str, parsed: _Parsed) -> None:
    fields = line.split("\t", 2)
    shape = "expected 'T<n><TAB>TYPE START END<TAB>TEXT'"
    if len(fields) != 3:
        raise loc.error(number, f"malformed text-bound annotation: {shape}")
    bid, middle, covered = fields
    type_name, _, offsets = middle.partition(" ")
    if not type_name or not offsets:
        raise loc.error(number, f"malformed text-bound annotation {bid}: {shape}")
    fragments: list[tuple[int, int]] = []
    for part in offsets.split(";"):
        numbers = part.split()
        if len(numbers) != 2 or not all(n.isdecimal() for n in numbers):
            raise loc.error(number, f"{bid}: malformed offsets {offsets!r}: {shape}")
        start, end = int(numbers[0]), int(numbers[1])
        if not 0 <= start < end <= len(text):
            raise loc.error(
                number, f"{bid}: offsets {start}-{end} outside the text (length {len(text)})"
            )
        previous_end = fragments[-1][1] if fragments else None
        if previous_end is not None and (
            start <= previous_end or text[previous_end:start].strip(_LINE_BREAKS)
        ):
            raise loc.error(
                number,
                f"{bid}: discontinuous span {offsets!r}: Propos spans are contiguous (fragments"
                " may only be separated by line breaks)",
            )
        fragments.append((start, end))
    expected = " ".join(text[start:end] for start, end in fragments)
    if covered != expected:
        raise loc.error(
            number,
            f"{bid}: text {covered!r} does not match the .txt at {offsets} ({expected!r})",
        )
    parsed.textbounds[bid] = _TextBound(bid, type_name, fragments[0][0], fragments[-1][1], number)


def _parse_event(loc: _Located, number: int, fields: list[str], parsed: _Parsed) -> None:
    bid = fields[0]
    parts = fields[1].split()
    shape = "expected 'E<n><TAB>TYPE:T<k> ROLE:T<i> ...'"
    if any(extra.strip() for extra in fields[2:]) or not parts:
        raise loc.error(number, f"malformed event {bid}: {shape}")
    type_name, sep, trigger = parts[0].partition(":")
    if not sep or not type_name or not trigger:
        raise loc.error(number, f"malformed event {bid}: {shape}")
    arguments = []
    for part in parts[1:]:
        role, sep, target = part.partition(":")
        if not sep or not role or not target:
            raise loc.error(number, f"malformed argument {part!r} of event {bid}: {shape}")
        arguments.append((role, target))
    parsed.events[bid] = _Event(bid, type_name, trigger, arguments, number)


def _parse_relation(loc: _Located, number: int, fields: list[str], parsed: _Parsed) -> None:
    bid = fields[0]
    parts = fields[1].split()
    shape = "expected 'R<n><TAB>TYPE Arg1:T<i> Arg2:T<j>'"
    if any(extra.strip() for extra in fields[2:]) or len(parts) != 3:
        raise loc.error(number, f"malformed relation {bid}: {shape}")
    arguments = dict(part.partition(":")[::2] for part in parts[1:])
    if set(arguments) != {"Arg1", "Arg2"} or not all(arguments.values()):
        raise loc.error(number, f"malformed relation {bid}: {shape}")
    parsed.relations.append(_Relation(bid, parts[0], arguments["Arg1"], arguments["Arg2"], number))


def _parse_attribute(loc: _Located, number: int, fields: list[str], parsed: _Parsed) -> None:
    bid = fields[0]
    parts = fields[1].split()
    if any(extra.strip() for extra in fields[2:]) or len(parts) not in (2, 3):
        raise loc.error(number, f"malformed attribute {bid}: expected 'A<n><TAB>NAME ID VALUE'")
    if len(parts) == 2:
        raise loc.error(number, f"attribute {bid} ({parts[0]}) has no value")
    parsed.attributes.append(_Attribute(bid, parts[0], parts[1], parts[2], number))


def _parse_note(loc: _Located, number: int, line: str, parsed: _Parsed) -> None:
    fields = line.split("\t", 2)
    bid = fields[0]
    if bid[0] != "#":
        raise loc.error(
            number,
            f"{bid}: brat {'normalization' if bid[0] == 'N' else 'equivalence'} annotations are"
            " not part of the Propos format",
        )
    head = fields[1].split()
    if len(head) != 2 or head[0] != NOTES:
        raise loc.error(
            number, f"malformed note {bid}: expected '#<n><TAB>{NOTES} ID<TAB>key=value ...'"
        )
    target = head[1]
    note = parsed.notes.setdefault(target, {})
    parsed.note_lines.setdefault(target, number)
    for item in (fields[2] if len(fields) > 2 else "").split():
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise loc.error(number, f"note {bid}: {item!r} is not a key=value field")
        if key in note:
            raise loc.error(number, f"note {bid}: {key} given twice for {target}")
        note[key] = (value, number)


def _classify(loc: _Located, textbound: _TextBound) -> str:
    if textbound.type in ENTITY_TYPES:
        return "entity"
    if textbound.type == QUOTATION:
        return "quote"
    if textbound.type == CUE:
        return "cue"
    if textbound.type == SPEAKER:
        return "speaker"
    if decode_event_type(textbound.type) is not None:
        return "trigger"
    raise loc.error(
        textbound.line,
        f"{textbound.bid}: unknown type {textbound.type!r} (expected an entity type"
        f" {'/'.join(ENTITY_TYPES)}, {QUOTATION}, {CUE}, {SPEAKER} or an encoded event type"
        f" such as {encode_event_type(EVENT_TYPES[0])})",
    )


def ann_to_annotation(
    doc_id: str,
    text: str,
    ann: str,
    where: str | None = None,
    placeholders: list[Placeholder] | None = None,
    previous: dict[tuple[str, int, int, str], str] | None = None,
) -> Annotation:
    """The annotation dict of a brat ``.ann`` over ``text``; every span checked against it.

    With ``placeholders``, an entity, quotation or event drawn without its inventory id (no
    ``entity_id=``, ``utterance_id=``, ``event_id=`` note) gets a placeholder id, recorded
    there with its inventory stub; without, it is an error. New annotation ids are numbered
    after the highest id of the file and of ``previous`` (the version the import replaces:
    ``(kind, start, end, label) -> id``, see :func:`previous_ids`), so a deleted annotation's
    id is never reused; an annotation at the same span with the same label as one of
    ``previous`` keeps its id (importing the same files twice gives the same ids).
    """
    where = where or f"{doc_id}.ann"
    loc = _Located(where)
    parsed = _parse_ann(ann, text, where)
    textbounds = parsed.textbounds
    for textbound in textbounds.values():
        textbound.kind = _classify(loc, textbound)

    def target(line: int, bid: str, kinds: tuple[str, ...], what: str) -> _TextBound:
        found = textbounds.get(bid)
        if found is None or found.kind not in kinds:
            wanted = " or ".join(kinds)
            article = "an" if wanted[0] in "aeiou" else "a"
            raise loc.error(line, f"{what} ({bid}) is not {article} {wanted} span of this file")
        return found

    # Events: trigger, type, arguments.
    triggered: set[str] = set()
    for event in parsed.events.values():
        if decode_event_type(event.type) is None:
            raise loc.error(
                event.line,
                f"{event.bid}: unknown event type {event.type!r} (expected an encoded event type"
                f" such as {encode_event_type(EVENT_TYPES[0])})",
            )
        trigger = target(event.line, event.trigger, ("trigger",), f"trigger of {event.bid}")
        if trigger.type != event.type:
            raise loc.error(
                event.line, f"{event.bid} is a {event.type} but its trigger is a {trigger.type}"
            )
        triggered.add(trigger.bid)
        for role, argument in event.arguments:
            base = role.rstrip("0123456789")
            if base not in ARGUMENT_ROLES:
                raise loc.error(
                    event.line,
                    f"{event.bid}: unknown role {role!r} (expected {', '.join(ARGUMENT_ROLES)},"
                    " with an optional number)",
                )
            target(event.line, argument, ("entity",), f"argument {role} of {event.bid}")
    for textbound in textbounds.values():
        if textbound.kind == "trigger" and textbound.bid not in triggered:
            raise loc.error(
                textbound.line, f"trigger {textbound.bid} has no event (E line) using it"
            )

    # Relations: quotation -> cue, quotation -> speaker.
    parts: dict[str, dict[str, _TextBound]] = {}
    linked: set[str] = set()
    for relation in parsed.relations:
        part = {CUE_RELATION: "cue", SPEAKER_RELATION: "speaker"}.get(relation.type)
        if part is None:
            raise loc.error(
                relation.line,
                f"{relation.bid}: unknown relation type {relation.type!r} (expected"
                f" {CUE_RELATION} or {SPEAKER_RELATION})",
            )
        quote = target(relation.line, relation.arg1, ("quote",), f"Arg1 of {relation.bid}")
        span = target(relation.line, relation.arg2, (part,), f"Arg2 of {relation.bid}")
        if part in parts.setdefault(quote.bid, {}):
            raise loc.error(relation.line, f"quotation {quote.bid} has a second {part}")
        parts[quote.bid][part] = span
        linked.add(span.bid)
    for textbound in textbounds.values():
        if textbound.kind in ("cue", "speaker") and textbound.bid not in linked:
            raise loc.error(
                textbound.line,
                f"{textbound.type} {textbound.bid} is not linked to a quotation (relation"
                f" {CUE_RELATION if textbound.kind == 'cue' else SPEAKER_RELATION})",
            )

    # Attributes: Kind of quotations, Realis of events.
    attributes: dict[str, str] = {}
    for attribute in parsed.attributes:
        if attribute.name == KIND_ATTRIBUTE:
            target(attribute.line, attribute.target, ("quote",), f"target of {attribute.bid}")
            values = QUOTE_KINDS
        elif attribute.name == REALIS_ATTRIBUTE:
            if attribute.target not in parsed.events:
                raise loc.error(
                    attribute.line, f"target {attribute.target} of {attribute.bid} is not an event"
                )
            values = REALIS_VALUES
        else:
            raise loc.error(
                attribute.line,
                f"{attribute.bid}: unknown attribute {attribute.name!r} (expected"
                f" {KIND_ATTRIBUTE} or {REALIS_ATTRIBUTE})",
            )
        if attribute.value not in values:
            raise loc.error(
                attribute.line,
                f"{attribute.bid}: unknown {attribute.name} value {attribute.value!r} (expected"
                f" {', '.join(values)})",
            )
        if attribute.target in attributes:
            raise loc.error(
                attribute.line, f"{attribute.target} has a second {attribute.name} attribute"
            )
        attributes[attribute.target] = attribute.value

    # Notes: ids and inventory ids.
    kind_of = {bid: textbound.kind for bid, textbound in textbounds.items()}
    kind_of.update({bid: "event" for bid in parsed.events})
    for bid, note in parsed.notes.items():
        kind = kind_of.get(bid)
        line = parsed.note_lines[bid]
        if kind not in NOTE_KEYS:
            raise loc.error(
                line, f"note on {bid}: notes belong to entity mentions, quotations and events"
            )
        for key, (_, key_line) in note.items():
            if key not in NOTE_KEYS[kind]:
                raise loc.error(
                    key_line,
                    f"note on {bid}: unknown field {key!r} for a{'n' if kind[0] in 'ae' else ''}"
                    f" {kind} (expected {', '.join(NOTE_KEYS[kind])})",
                )

    def note_value(bid: str, key: str) -> str | None:
        value = parsed.notes.get(bid, {}).get(key)
        return None if value is None else value[0]

    def required(bid: str, key: str, line: int, annotation_id: str, stub: dict[str, Any]) -> str:
        """The note's value of ``key``, or a placeholder with the inventory ``stub``."""
        value = note_value(bid, key)
        if value is None and placeholders is not None:
            value = placeholder_id(key, doc_id, annotation_id)
            entry = {"id": value, **stub}
            layer = STUB_LAYER[key]
            placeholders.append(
                Placeholder(doc_id, annotation_id, key, value, spans[bid], layer, entry)
            )
        if value is None:
            raise loc.error(line, f"{bid} has no {key} (add '{key}=...' to its {NOTES})")
        return value

    spans = {bid: text[t.start : t.end] for bid, t in textbounds.items()}
    spans.update({bid: spans[event.trigger] for bid, event in parsed.events.items()})

    # Ids: those of the notes, then fresh ones of the project's convention.
    used: set[str] = set()
    for bid, note in parsed.notes.items():
        if "id" in note:
            value, line = note["id"]
            if value in used:
                raise loc.error(line, f"note on {bid}: id {value} is used twice")
            used.add(value)
    earlier = {key: value for key, value in (previous or {}).items() if value not in used}
    numbering = used | set((previous or {}).values())
    generators = {kind: ids_after(prefix, numbering) for kind, prefix in ID_PREFIX.items()}

    def annotation_id(bid: str, kind: str) -> str:
        noted = note_value(bid, "id")
        if noted:
            return noted
        textbound = textbounds[parsed.events[bid].trigger if kind == "event" else bid]
        label = parsed.events[bid].type if kind == "event" else textbound.type
        kept = earlier.pop((kind, textbound.start, textbound.end, label), None)
        return kept or next(generators[kind])

    entities, quotes, events = [], [], []
    entity_ids: dict[str, str] = {}
    for bid, textbound in textbounds.items():
        if textbound.kind == "entity":
            entity_ids[bid] = annotation_id(bid, "entity")
            entity_stub = {"name": spans[bid], "type": textbound.type}
            entities.append(
                {
                    "id": entity_ids[bid],
                    **make_span(text, textbound.start, textbound.end),
                    "type": textbound.type,
                    "entity_id": required(
                        bid,
                        "entity_id",
                        textbound.line,
                        entity_ids[bid],
                        entity_stub,
                    ),
                }
            )
        elif textbound.kind == "quote":
            if bid not in attributes:
                raise loc.error(
                    textbound.line, f"quotation {bid} has no {KIND_ATTRIBUTE} attribute"
                )
            quote_parts = parts.get(bid, {})
            cue, speaker = quote_parts.get("cue"), quote_parts.get("speaker")
            quote_id = annotation_id(bid, "quote")
            utterance_stub = {
                "speaker_entity_id": note_value(bid, "speaker_entity_id"),
                "description": f"TODO: what “{one_line(spans[bid][:80])}” says",
            }
            quotes.append(
                {
                    "id": quote_id,
                    "content": make_span(text, textbound.start, textbound.end),
                    "kind": attributes[bid],
                    "cue": None if cue is None else make_span(text, cue.start, cue.end),
                    "speaker": None
                    if speaker is None
                    else make_span(text, speaker.start, speaker.end),
                    "speaker_entity_id": note_value(bid, "speaker_entity_id"),
                    "utterance_id": required(
                        bid,
                        "utterance_id",
                        textbound.line,
                        quote_id,
                        utterance_stub,
                    ),
                }
            )
    for bid, event in parsed.events.items():
        if bid not in attributes:
            raise loc.error(event.line, f"event {bid} has no {REALIS_ATTRIBUTE} attribute")
        trigger = textbounds[event.trigger]
        event_id = annotation_id(bid, "event")
        event_stub = {
            "type": decode_event_type(event.type),
            "description": f"TODO: the event “{spans[bid]}” refers to",
        }
        events.append(
            {
                "id": event_id,
                "trigger": make_span(text, trigger.start, trigger.end),
                "type": decode_event_type(event.type),
                "realis": attributes[bid],
                "event_id": required(
                    bid,
                    "event_id",
                    event.line,
                    event_id,
                    event_stub,
                ),
                "arguments": [
                    {"entity": entity_ids[argument], "role": role.rstrip("0123456789")}
                    for role, argument in event.arguments
                ],
            }
        )
    annotation = assemble_annotation(doc_id, text, (entities, quotes, events), where)
    return annotation


def _read_text(path: Path) -> str:
    """A UTF-8 file exactly as stored: no newline translation, no BOM."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProposError(f"{path}: cannot read ({exc.strerror})") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        raise ProposError(f"{path}: starts with a UTF-8 byte order mark; offsets would shift")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProposError(f"{path}: not UTF-8 (invalid byte at offset {exc.start})") from exc


def read_brat_document(
    ann_path: Path,
    placeholders: list[Placeholder] | None = None,
    previous: dict[tuple[str, int, int, str], str] | None = None,
) -> tuple[Annotation, str]:
    """Import ``<doc_id>.ann`` with the ``<doc_id>.txt`` beside it: (annotation, text).

    ``placeholders`` and ``previous`` are those of :func:`ann_to_annotation`.
    """
    if not ann_path.name.endswith(".ann"):
        raise ProposError(f"{ann_path}: not a brat .ann file")
    doc_id = ann_path.name[: -len(".ann")]
    txt_path = ann_path.with_name(f"{doc_id}.txt")
    if not txt_path.is_file():
        raise ProposError(f"{ann_path}: no {txt_path.name} beside it")
    text = _read_text(txt_path)
    ann = _read_text(ann_path)
    return ann_to_annotation(doc_id, text, ann, str(ann_path), placeholders, previous), text


def _previous_key(kind: str, item: dict[str, Any]) -> tuple[str, int, int, str]:
    if kind == "entity":
        return kind, int(item["start"]), int(item["end"]), str(item["type"])
    if kind == "quote":
        return kind, int(item["content"]["start"]), int(item["content"]["end"]), QUOTATION
    trigger = item["trigger"]
    return kind, int(trigger["start"]), int(trigger["end"]), encode_event_type(item["type"])


def previous_ids(annotation: Any) -> dict[tuple[str, int, int, str], str]:
    """``(kind, start, end, brat label) -> id`` of each annotation of a previous version
    (an unreadable item is passed over: it only narrows which ids are kept)."""
    if not isinstance(annotation, dict):
        return {}
    found: dict[tuple[str, int, int, str], str] = {}
    for layer, kind in (("entities", "entity"), ("quotes", "quote"), ("events", "event")):
        for item in annotation.get(layer) or []:
            try:
                found.setdefault(_previous_key(kind, item), str(item["id"]))
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
    return found


def read_brat_folder(directory: Path) -> list[tuple[Annotation, str, str]]:
    """Every ``<doc_id>.ann`` of a folder with its ``.txt``: (annotation, text, where)."""
    if not directory.is_dir():
        raise ProposError(f"{directory}: no such folder", exit_code=2)
    ann_files = sorted(directory.glob("*.ann"))
    if not ann_files:
        raise ProposError(f"{directory}: no .ann files in this folder", exit_code=2)
    return [
        (*read_brat_document(path), str(path.with_name(f"{path.name[:-4]}.txt")))
        for path in ann_files
    ]


def text_bound_spans(ann: str, text: str, where: str) -> list[tuple[str, str, int, int]]:
    """(brat id, type, start, end) of every text-bound annotation of any brat corpus.

    Each span is checked against the text (a mismatch is a one-line ProposError naming the file
    and line); other kinds of lines are parsed and ignored.
    """
    parsed = _parse_ann(ann, text, where)
    return [(t.bid, t.type, t.start, t.end) for t in parsed.textbounds.values()]
