"""Label Studio task JSON export and import.

One task per document::

    {"data": {"text": ..., "doc_id": ..., "text_sha256": ...},
     "annotations": [{"result": [ ...regions, per-region fields, relations... ]}]}

Result items (all with ``"to_name": "text"``; the labeling config is :func:`labeling_config`):

- Regions (``"type": "labels"``), each with ``value.start``, ``value.end``, ``value.text`` and
  one label in ``value.labels``:
  ``from_name "entity"`` with the entity type, region id = the entity mention id;
  ``from_name "quote"`` with ``Quotation`` (region id = the quotation id), ``Cue`` and
  ``Speaker`` (region ids ``<quotation id>-cue`` and ``<quotation id>-speaker``);
  ``from_name "event"`` with the event type as is (``Contact:Meet``), region id = event id.
- Per-region fields, carried by results with the id of their region: ``textarea`` results
  ``entity_id``, ``utterance_id``, ``speaker_entity_id`` (absent when null) and ``event_id``
  (``value.text`` is a one-element list, as Label Studio writes it); ``choices`` results
  ``kind`` and ``realis`` (``value.choices``).
- Relations (``"type": "relation"``): quotation -> cue labelled ``cue``, quotation ->
  speaker labelled ``speaker``, event -> entity mention labelled with the argument role.
  Arguments keep the order of their relations; on import a relation may point either way.

Offsets: Label Studio counts UTF-16 code units (JavaScript string indices), Python counts
code points; a character outside the Basic Multilingual Plane (an emoji) counts two in Label
Studio and one in Python. Export converts code points to UTF-16 units, import converts back,
refuses an offset that falls inside a surrogate pair, and checks every region's text.

Import (:func:`read_export`) takes the task's one annotation that was not cancelled, or
with several annotators per task one folder per annotator (``completed_by``), or one chosen
annotator's. Cancelled annotations (``was_cancelled``) are skipped and counted; a task that
holds only model predictions is left out unless predictions are asked for.

Region ids that are valid annotation ids are kept; a region Label Studio
created (random id such as ``0gpIsb7s27``) gets the next free id of the project's convention
(``T<n>``, ``Q<n>``, ``V<n>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from propos.errors import ProposError
from propos.fileio import read_json, sha256_text
from propos.interchange import (
    ANNOTATION_ID,
    ID_PREFIX,
    Annotation,
    Span,
    assemble_annotation,
    check_annotation,
    fresh_ids,
    make_span,
    one_line,
)
from propos.schema import (
    ARGUMENT_ROLES,
    ENTITY_TYPES,
    EVENT_TYPES,
    QUOTE_KINDS,
    REALIS_VALUES,
    doc_id_problem,
)

TEXT = "text"
ENTITY_CONTROL = "entity"
QUOTE_CONTROL = "quote"
EVENT_CONTROL = "event"
QUOTATION = "Quotation"
CUE = "Cue"
SPEAKER = "Speaker"
CUE_RELATION = "cue"
SPEAKER_RELATION = "speaker"

TEXT_FIELDS = {
    "entity": ("entity_id",),
    "quote": ("utterance_id", "speaker_entity_id"),
    "event": ("event_id",),
}
CHOICE_FIELDS = {"quote": {"kind": QUOTE_KINDS}, "event": {"realis": REALIS_VALUES}}


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_label_sets() -> None:
    relation_labels = [*ARGUMENT_ROLES, CUE_RELATION, SPEAKER_RELATION]
    if len(set(relation_labels)) != len(relation_labels):
        raise RuntimeError("argument roles collide with the cue/speaker relation labels")


_check_label_sets()


def utf16_offsets(text: str) -> list[int]:
    """``table[i]`` is the UTF-16 offset of code point offset ``i`` (``len(text) + 1`` items)."""
    table = [0]
    for char in text:
        table.append(table[-1] + (2 if ord(char) > 0xFFFF else 1))
    return table


# --------------------------------------------------------------------------- export


def _region(rid: str, control: str, label: str, span: Span, table: list[int]) -> dict[str, Any]:
    return {
        "id": rid,
        "from_name": control,
        "to_name": TEXT,
        "type": "labels",
        "value": {
            "start": table[span["start"]],
            "end": table[span["end"]],
            "text": span["text"],
            "labels": [label],
        },
    }


def _text_field(rid: str, name: str, span: Span, table: list[int], value: str) -> dict[str, Any]:
    return {
        "id": rid,
        "from_name": name,
        "to_name": TEXT,
        "type": "textarea",
        "value": {"start": table[span["start"]], "end": table[span["end"]], "text": [value]},
    }


def _choice(rid: str, name: str, span: Span, table: list[int], value: str) -> dict[str, Any]:
    return {
        "id": rid,
        "from_name": name,
        "to_name": TEXT,
        "type": "choices",
        "value": {"start": table[span["start"]], "end": table[span["end"]], "choices": [value]},
    }


def _relation(from_id: str, to_id: str, label: str) -> dict[str, Any]:
    return {
        "type": "relation",
        "from_id": from_id,
        "to_id": to_id,
        "direction": "right",
        "labels": [label],
    }


def annotation_to_task(annotation: Annotation, text: str, where: str | None = None) -> dict:
    """The Label Studio task of one annotation (checked against ``text`` first)."""
    check_annotation(annotation, text, where or str(annotation.get("doc_id")))
    table = utf16_offsets(text)
    used = {item["id"] for layer in ("entities", "quotes", "events") for item in annotation[layer]}

    def part_id(quote_id: str, part: str) -> str:
        candidate, number = f"{quote_id}-{part}", 1
        while candidate in used:
            number += 1
            candidate = f"{quote_id}-{part}{number}"
        used.add(candidate)
        return candidate

    result: list[dict[str, Any]] = []
    for entity in annotation["entities"]:
        rid = entity["id"]
        result.append(_region(rid, ENTITY_CONTROL, entity["type"], entity, table))
        if entity["entity_id"] is not None:  # a submission may leave cluster ids out
            result.append(_text_field(rid, "entity_id", entity, table, entity["entity_id"]))
    for quote in annotation["quotes"]:
        rid, content = quote["id"], quote["content"]
        result.append(_region(rid, QUOTE_CONTROL, QUOTATION, content, table))
        result.append(_choice(rid, "kind", content, table, quote["kind"]))
        if quote["utterance_id"] is not None:
            result.append(_text_field(rid, "utterance_id", content, table, quote["utterance_id"]))
        if quote["speaker_entity_id"] is not None:
            result.append(
                _text_field(rid, "speaker_entity_id", content, table, quote["speaker_entity_id"])
            )
        for part, label, relation in (
            ("cue", CUE, CUE_RELATION),
            ("speaker", SPEAKER, SPEAKER_RELATION),
        ):
            if quote[part] is not None:
                pid = part_id(rid, part)
                result.append(_region(pid, QUOTE_CONTROL, label, quote[part], table))
                result.append(_relation(rid, pid, relation))
    for event in annotation["events"]:
        rid, trigger = event["id"], event["trigger"]
        result.append(_region(rid, EVENT_CONTROL, event["type"], trigger, table))
        if event["realis"] is not None:
            result.append(_choice(rid, "realis", trigger, table, event["realis"]))
        if event["event_id"] is not None:
            result.append(_text_field(rid, "event_id", trigger, table, event["event_id"]))
        for argument in event["arguments"]:
            result.append(_relation(rid, argument["entity"], argument["role"]))
    return {
        "data": {
            "text": text,
            "doc_id": annotation["doc_id"],
            "text_sha256": annotation["text_sha256"],
        },
        "annotations": [{"result": result}],
    }


def labeling_config() -> str:
    """The Label Studio labeling configuration (XML) matching the exported tasks."""

    def labels(name: str, values: list[str] | tuple[str, ...]) -> list[str]:
        return [
            f"  <Labels name={quoteattr(name)} toName={quoteattr(TEXT)}>",
            *(f"    <Label value={quoteattr(value)}/>" for value in values),
            "  </Labels>",
        ]

    def textarea(name: str) -> str:
        return (
            f'    <TextArea name={quoteattr(name)} toName={quoteattr(TEXT)} perRegion="true"'
            f' maxSubmissions="1" editable="true" placeholder={quoteattr(name)}/>'
        )

    def choices(name: str, values: tuple[str, ...]) -> list[str]:
        return [
            f'    <Choices name={quoteattr(name)} toName={quoteattr(TEXT)} perRegion="true"'
            ' choice="single" showInline="true">',
            *(f"      <Choice value={quoteattr(value)}/>" for value in values),
            "    </Choices>",
        ]

    def when(control: str, label: str | None, body: list[str]) -> list[str]:
        condition = f" whenLabelValue={quoteattr(label)}" if label else ""
        return [
            f'  <View visibleWhen="region-selected" whenTagName={quoteattr(control)}{condition}>',
            *body,
            "  </View>",
        ]

    lines = [
        "<View>",
        "  <Style>.htx-text { white-space: pre-wrap; }</Style>",
        *labels(ENTITY_CONTROL, ENTITY_TYPES),
        *labels(QUOTE_CONTROL, (QUOTATION, CUE, SPEAKER)),
        *labels(EVENT_CONTROL, EVENT_TYPES),
        "  <Relations>",
        *(
            f"    <Relation value={quoteattr(value)}/>"
            for value in (*ARGUMENT_ROLES, CUE_RELATION, SPEAKER_RELATION)
        ),
        "  </Relations>",
        f'  <Text name={quoteattr(TEXT)} value="$text"/>',
        *when(ENTITY_CONTROL, None, [textarea("entity_id")]),
        *when(
            QUOTE_CONTROL,
            QUOTATION,
            [
                *choices("kind", QUOTE_KINDS),
                textarea("utterance_id"),
                textarea("speaker_entity_id"),
            ],
        ),
        *when(EVENT_CONTROL, None, [*choices("realis", REALIS_VALUES), textarea("event_id")]),
        "</View>",
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- import


@dataclass
class _Region:
    rid: str
    kind: str  # entity, quote, cue, speaker, event
    label: str
    start: int
    end: int


def _kind_of(control: Any, label: str) -> str | None:
    if control == ENTITY_CONTROL and label in ENTITY_TYPES:
        return "entity"
    if control == QUOTE_CONTROL:
        return {QUOTATION: "quote", CUE: "cue", SPEAKER: "speaker"}.get(label)
    if control == EVENT_CONTROL and label in EVENT_TYPES:
        return "event"
    return None


def _pick_result(task: dict[str, Any], fail: Any) -> list[Any]:
    def listed(key: str) -> list[Any]:
        value = task.get(key)
        if value is not None and not isinstance(value, list):
            raise fail(f"'{key}' must be a list, is {type(value).__name__}")
        return [item for item in value or [] if isinstance(item, dict)]

    annotations = [item for item in listed("annotations") if not item.get("was_cancelled")]
    candidates = annotations or listed("predictions")
    if len(candidates) != 1:
        raise fail(
            f"has {len(candidates)} usable annotations (or predictions); keep exactly one per task"
        )
    result = candidates[0].get("result")
    if not isinstance(result, list):
        raise fail("its annotation has no 'result' list")
    return result


def task_to_annotation(
    task: Any, where: str = "task", result: list[Any] | None = None
) -> tuple[Annotation, str]:
    """The annotation dict (and the text) of one Label Studio task; every region verified.

    ``result`` is the result list of one of its annotations (see :func:`read_export`); without
    it the task must hold exactly one usable annotation (or prediction).
    """
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise ProposError(f"{where}: not a Label Studio task (no 'data' object)")
    data = task["data"]
    text, doc_id = data.get("text"), data.get("doc_id")
    if not isinstance(text, str) or not isinstance(doc_id, str) or not doc_id:
        raise ProposError(f"{where}: the task's data needs the string fields 'text' and 'doc_id'")
    bad_id = doc_id_problem(doc_id)
    if bad_id:
        raise ProposError(f"{where}: data.doc_id {bad_id}")
    where = f"{where} ({doc_id})"
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        raise ProposError(
            f"{where}: data.text holds a lone surrogate ({surrogate.group()!r}) at character"
            f" {surrogate.start()}: not Unicode text"
        )

    def fail(message: str) -> ProposError:
        return ProposError(one_line(f"{where}: {message}"))

    if "text_sha256" in data and data["text_sha256"] != sha256_text(text):
        raise fail("data.text_sha256 does not match data.text (the task text was changed)")
    if result is None:
        result = _pick_result(task, fail)
    table = utf16_offsets(text)
    back = {unit: index for index, unit in enumerate(table)}

    def offsets(item_id: str, value: dict[str, Any]) -> tuple[int, int]:
        start, end = value.get("start"), value.get("end")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise fail(f"region {item_id}: value.start and value.end must be integers")
        for offset in (start, end):
            if offset not in back:
                raise fail(
                    f"region {item_id}: UTF-16 offset {offset} is not a character boundary of"
                    f" the text (inside a surrogate pair or beyond its {table[-1]} units)"
                )
        if back[start] >= back[end]:
            raise fail(f"region {item_id}: empty or reversed offsets {start}-{end}")
        return back[start], back[end]

    regions: dict[str, _Region] = {}
    others: list[tuple[int, dict[str, Any]]] = []
    for position, item in enumerate(result):
        if not isinstance(item, dict):
            raise fail(f"result item {position} is not an object")
        if item.get("type") != "labels":
            others.append((position, item))
            continue
        rid, value = item.get("id"), item.get("value")
        if not isinstance(rid, str) or not rid or not isinstance(value, dict):
            raise fail(f"result item {position}: a region needs an 'id' and a 'value'")
        if rid in regions:
            raise fail(f"region id {rid} is used twice")
        labels = value.get("labels")
        if not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str):
            raise fail(f"region {rid}: needs exactly one label, has {labels!r}")
        kind = _kind_of(item.get("from_name"), labels[0])
        if kind is None:
            raise fail(
                f"region {rid}: unknown label {labels[0]!r} for from_name"
                f" {item.get('from_name')!r} (entity: {', '.join(ENTITY_TYPES)}; quote:"
                f" {QUOTATION}, {CUE}, {SPEAKER}; event: an event type such as {EVENT_TYPES[0]})"
            )
        start, end = offsets(rid, value)
        covered = value.get("text")
        if not isinstance(covered, str):
            raise fail(f"region {rid}: no value.text to verify the offsets against")
        if covered != text[start:end]:
            raise fail(
                f"region {rid}: text {covered!r} does not match the task text at UTF-16 offsets"
                f" {value['start']}-{value['end']} ({text[start:end]!r})"
            )
        regions[rid] = _Region(rid, kind, labels[0], start, end)

    fields: dict[str, dict[str, str]] = {}
    parts: dict[str, dict[str, _Region]] = {}
    arguments: dict[str, list[dict[str, str]]] = {}
    linked: set[str] = set()
    for position, item in others:
        kind = item.get("type")
        if kind == "relation":
            _read_relation(item, position, regions, parts, arguments, linked, fail)
        elif kind in ("textarea", "choices"):
            _read_field(item, position, regions, fields, fail)
        else:
            raise fail(
                f"result item {position}: unexpected result type {kind!r} (expected labels,"
                " textarea, choices or relation)"
            )
    for region in regions.values():
        if region.kind in ("cue", "speaker") and region.rid not in linked:
            raise fail(f"{region.label} region {region.rid} is not linked to a quotation")

    used = {
        rid
        for rid, region in regions.items()
        if region.kind in ID_PREFIX and ANNOTATION_ID.fullmatch(rid)
    }
    generators = {kind: fresh_ids(prefix, used) for kind, prefix in ID_PREFIX.items()}
    ids = {
        rid: rid if ANNOTATION_ID.fullmatch(rid) else next(generators[region.kind])
        for rid, region in regions.items()
        if region.kind in ID_PREFIX
    }

    def required(rid: str, name: str) -> str:
        value = fields.get(rid, {}).get(name)
        if value is None:
            raise fail(f"region {rid}: no {name}")
        return value

    def span_of(region: _Region | None) -> Span | None:
        return None if region is None else make_span(text, region.start, region.end)

    entities, quotes, events = [], [], []
    for rid, region in regions.items():
        if region.kind == "entity":
            entities.append(
                {
                    "id": ids[rid],
                    **make_span(text, region.start, region.end),
                    "type": region.label,
                    "entity_id": required(rid, "entity_id"),
                }
            )
        elif region.kind == "quote":
            quote_parts = parts.get(rid, {})
            quotes.append(
                {
                    "id": ids[rid],
                    "content": span_of(region),
                    "kind": required(rid, "kind"),
                    "cue": span_of(quote_parts.get("cue")),
                    "speaker": span_of(quote_parts.get("speaker")),
                    "speaker_entity_id": fields.get(rid, {}).get("speaker_entity_id"),
                    "utterance_id": required(rid, "utterance_id"),
                }
            )
        elif region.kind == "event":
            events.append(
                {
                    "id": ids[rid],
                    "trigger": span_of(region),
                    "type": region.label,
                    "realis": required(rid, "realis"),
                    "event_id": required(rid, "event_id"),
                    "arguments": [
                        {"entity": ids[argument["entity"]], "role": argument["role"]}
                        for argument in arguments.get(rid, [])
                    ],
                }
            )
    annotation = assemble_annotation(doc_id, text, (entities, quotes, events), where)
    return annotation, text


def _read_field(
    item: dict[str, Any],
    position: int,
    regions: dict[str, _Region],
    fields: dict[str, dict[str, str]],
    fail: Any,
) -> None:
    rid, name, value = item.get("id"), item.get("from_name"), item.get("value")
    region = regions.get(rid) if isinstance(rid, str) else None
    if not isinstance(name, str):
        raise fail(f"result item {position}: 'from_name' must be a string, is {name!r}")
    if region is None:
        raise fail(f"result item {position} ({name}): no region with id {rid!r}")
    if not isinstance(value, dict):
        raise fail(f"result item {position} ({name}) of region {rid}: no 'value'")
    if item["type"] == "textarea":
        allowed = TEXT_FIELDS.get(region.kind, ())
        raw = value.get("text")
        single = isinstance(raw, list) and len(raw) == 1 and isinstance(raw[0], str)
        values = [raw[0].strip()] if single and raw[0].strip() else []
        if name in allowed and not values:
            raise fail(f"region {rid}: {name} must hold exactly one value, has {raw!r}")
    else:
        allowed = tuple(CHOICE_FIELDS.get(region.kind, {}))
        values = value.get("choices")
        if name in allowed and (
            not isinstance(values, list)
            or len(values) != 1
            or values[0] not in CHOICE_FIELDS[region.kind][name]
        ):
            raise fail(
                f"region {rid}: {name} must be one of"
                f" {', '.join(CHOICE_FIELDS[region.kind][name])}, is {values!r}"
            )
    if name not in allowed:
        raise fail(
            f"region {rid} ({region.label}): unexpected {item['type']} {name!r}"
            f" (expected {', '.join(allowed) or 'none'})"
        )
    if name in fields.setdefault(rid, {}):
        raise fail(f"region {rid}: {name} is given twice")
    fields[rid][name] = values[0]


def _read_relation(
    item: dict[str, Any],
    position: int,
    regions: dict[str, _Region],
    parts: dict[str, dict[str, _Region]],
    arguments: dict[str, list[dict[str, str]]],
    linked: set[str],
    fail: Any,
) -> None:
    ends = [
        regions.get(end) if isinstance(end, str) else None
        for end in (item.get("from_id"), item.get("to_id"))
    ]
    described = f"relation {item.get('from_id')!r} -> {item.get('to_id')!r}"
    if None in ends:
        raise fail(f"{described}: no region with that id")
    kinds = {region.kind: region for region in ends}
    labels = item.get("labels") or []
    if not isinstance(labels, list) or len(labels) > 1:
        raise fail(f"{described}: needs at most one label, has {labels!r}")
    label = labels[0] if labels else None
    for part, relation in (("cue", CUE_RELATION), ("speaker", SPEAKER_RELATION)):
        if set(kinds) == {"quote", part}:
            if label not in (None, relation):
                raise fail(f"{described}: a quotation-{part} relation is labelled {label!r}")
            quote = kinds["quote"].rid
            if part in parts.setdefault(quote, {}):
                raise fail(f"quotation {quote} has a second {part}")
            parts[quote][part] = kinds[part]
            linked.add(kinds[part].rid)
            return
    if set(kinds) == {"event", "entity"}:
        if label not in ARGUMENT_ROLES:
            raise fail(
                f"{described}: an argument needs one role label ({', '.join(ARGUMENT_ROLES)}),"
                f" has {labels!r}"
            )
        arguments.setdefault(kinds["event"].rid, []).append(
            {"entity": kinds["entity"].rid, "role": label}
        )
        return
    raise fail(
        f"{described}: relations go from a quotation to its cue or speaker, or from an event"
        f" to an entity mention, not between {' and '.join(r.kind for r in ends)}"
    )


def tasks_to_annotations(tasks: Any, where: str) -> list[tuple[Annotation, str]]:
    """Every task of a Label Studio JSON export (a list of tasks, or one task)."""
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise ProposError(f"{where}: expected a list of Label Studio tasks")
    documents = [
        task_to_annotation(task, f"{where}: task {index}") for index, task in enumerate(tasks)
    ]
    seen: set[str] = set()
    for index, (annotation, _) in enumerate(documents):
        if annotation["doc_id"] in seen:
            raise ProposError(
                f"{where}: task {index}: document {annotation['doc_id']} appears twice"
            )
        seen.add(annotation["doc_id"])
    return documents


def read_tasks(path: Path) -> list[tuple[Annotation, str]]:
    return tasks_to_annotations(read_json(path), str(path))


# --------------------------------------------------------------------------- exports


PREDICTIONS_FOLDER = "predictions"
"""The annotator name of model predictions taken with ``predictions=True``."""

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9@._+-]")


def annotator_of(annotation: dict[str, Any]) -> tuple[str, set[str]]:
    """The folder name of an annotation's annotator and the names that select it.

    Label Studio's JSON export writes ``completed_by`` as the user object (``id``, ``email``,
    ``first_name``, ``last_name``); its task format and the API write the user id alone.
    The folder is named after the e-mail when there is one, else ``user-<id>``.
    """
    completed_by = annotation.get("completed_by")
    user = completed_by if isinstance(completed_by, dict) else {"id": completed_by}
    email, user_id = user.get("email"), user.get("id")
    names = {str(value) for value in (email, user_id) if value not in (None, "")}
    if isinstance(email, str) and email:
        folder = email
    elif user_id not in (None, ""):
        folder = f"user-{user_id}"
    else:
        folder = "unknown-annotator"
    folder = _UNSAFE_NAME.sub("_", folder).lstrip(".") or "unknown-annotator"
    return folder, names | {folder}


@dataclass
class ExportReading:
    """What :func:`read_export` took from a Label Studio export, and what it left out."""

    by_annotator: dict[str, list[tuple[Annotation, str]]]  # annotator -> (annotation, text)
    cancelled: int = 0  # cancelled annotations skipped
    prediction_only: list[str] = field(default_factory=list)  # doc_ids left out
    predictions_taken: list[str] = field(default_factory=list)  # doc_ids taken from a model
    unannotated: list[str] = field(default_factory=list)  # doc_ids with nothing to take
    without_annotator: list[str] = field(default_factory=list)  # doc_ids, with ``annotator``

    def summary(self) -> str:
        parts = []
        if self.cancelled:
            parts.append(f"{self.cancelled} cancelled annotation(s) skipped")
        if self.prediction_only:
            parts.append(
                f"{len(self.prediction_only)} task(s) holding only model predictions left out"
                f" ({', '.join(self.prediction_only)}; --predictions takes them)"
            )
        if self.predictions_taken:
            parts.append(
                f"{len(self.predictions_taken)} document(s) taken from model predictions"
                f" ({', '.join(self.predictions_taken)})"
            )
        if self.unannotated:
            parts.append(f"{len(self.unannotated)} task(s) without annotation left out")
        if self.without_annotator:
            parts.append(
                f"{len(self.without_annotator)} task(s) not annotated by this annotator left out"
            )
        return "; ".join(parts)


def _task_doc_id(task: Any, where: str) -> str:
    data = task.get("data") if isinstance(task, dict) else None
    doc_id = data.get("doc_id") if isinstance(data, dict) else None
    if not isinstance(doc_id, str) or not doc_id:
        raise ProposError(f"{where}: the task's data needs the string fields 'text' and 'doc_id'")
    return doc_id


def _listed(task: dict[str, Any], key: str, where: str) -> list[Any]:
    """A task's ``annotations`` or ``predictions``: absent is empty, anything but a list is
    refused."""
    value = task.get(key)
    if value is not None and not isinstance(value, list):
        raise ProposError(f"{where}: '{key}' must be a list, is {type(value).__name__}")
    return value or []


def _prediction(task: dict[str, Any], where: str) -> list[Any] | None:
    predictions = [item for item in _listed(task, "predictions", where) if isinstance(item, dict)]
    if not predictions:
        return None
    if len(predictions) > 1:
        versions = ", ".join(str(item.get("model_version")) for item in predictions)
        raise ProposError(
            f"{where}: {len(predictions)} predictions (model versions {versions}); keep one"
        )
    return predictions[0].get("result")


def _results_of(
    task: dict[str, Any], where: str, annotator: str | None, by_annotator: bool
) -> tuple[dict[str, list[Any]], int]:
    """annotator -> result of the task's kept annotations, and the number cancelled."""
    usable: list[dict[str, Any]] = []
    cancelled = 0
    for annotation in _listed(task, "annotations", where):
        if not isinstance(annotation, dict):
            raise ProposError(f"{where}: an annotation is not an object")
        if annotation.get("was_cancelled"):
            cancelled += 1
        else:
            usable.append(annotation)
    if annotator is None and not by_annotator and len(usable) > 1:
        names = ", ".join(annotator_of(item)[0] for item in usable)
        raise ProposError(
            f"{where}: {len(usable)} annotations ({names}); import them with --by-annotator"
            " (one folder per annotator) or choose one with --annotator NAME"
        )
    kept: dict[str, list[Any]] = {}
    for item in usable:
        folder, names = annotator_of(item)
        if annotator is not None and annotator not in names:
            continue
        if folder in kept:
            raise ProposError(
                f"{where}: annotator {folder} has two annotations of this task; delete one"
                " in Label Studio"
            )
        kept[folder] = item.get("result")  # type: ignore[assignment]
    return kept, cancelled


def _without_annotation(
    task: dict[str, Any], where: str, doc_id: str, predictions: bool, reading: ExportReading
) -> dict[str, list[Any]]:
    """A task none of whose annotations was kept: its prediction when asked for (as annotator
    :data:`PREDICTIONS_FOLDER`), else nothing; ``reading`` records why."""
    annotated = any(
        isinstance(item, dict) and not item.get("was_cancelled")
        for item in _listed(task, "annotations", where)
    )
    prediction = None if annotated else _prediction(task, where)
    if annotated:
        reading.without_annotator.append(doc_id)
    elif prediction is None:
        reading.unannotated.append(doc_id)
    elif not predictions:
        reading.prediction_only.append(doc_id)
    else:
        reading.predictions_taken.append(doc_id)
        return {PREDICTIONS_FOLDER: prediction}
    return {}


def read_export(
    path: Path,
    annotator: str | None = None,
    by_annotator: bool = False,
    predictions: bool = False,
) -> ExportReading:
    """The documents of a Label Studio JSON export, per annotator.

    By default each task must hold one annotation that was not cancelled (its annotator is
    ``""``); ``by_annotator`` keeps every annotator's, ``annotator`` (an e-mail, a user id or
    a folder name) one annotator's. Cancelled annotations are skipped and counted. A task
    holding only model predictions is left out unless ``predictions``, which imports its
    prediction as annotator :data:`PREDICTIONS_FOLDER` (``""`` without ``by_annotator``).
    """
    tasks = read_json(path)
    where = str(path)
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise ProposError(f"{where}: expected a list of Label Studio tasks")
    single = not by_annotator
    reading = ExportReading(by_annotator={})
    seen: dict[tuple[str, str], int] = {}
    for index, task in enumerate(tasks):
        task_where = f"{where}: task {index}"
        if not isinstance(task, dict):
            raise ProposError(f"{task_where}: not a Label Studio task (no 'data' object)")
        doc_id = _task_doc_id(task, task_where)
        task_where = f"{task_where} ({doc_id})"
        results, cancelled = _results_of(task, task_where, annotator, by_annotator)
        reading.cancelled += cancelled
        if not results:
            results = _without_annotation(task, task_where, doc_id, predictions, reading)
        for folder, result in results.items():
            name = "" if single else folder
            if not isinstance(result, list):
                raise ProposError(f"{task_where}: the annotation of {folder} has no 'result' list")
            if (name, doc_id) in seen:
                raise ProposError(
                    f"{task_where}: document {doc_id} appears twice (also task"
                    f" {seen[(name, doc_id)]})"
                )
            seen[(name, doc_id)] = index
            document = task_to_annotation(task, f"{where}: task {index}", result)
            reading.by_annotator.setdefault(name, []).append(document)
    return reading
