"""Annotation interchange: brat standoff, Label Studio tasks and CoNLL-style BIO.

The three formats live in their own modules (:mod:`propos.interchange.brat`,
:mod:`propos.interchange.labelstudio`, :mod:`propos.interchange.conll`); this module holds what
they share: reading an annotation file and the cleaned text it is anchored to, checking that
every span matches that text, schema validation of imported annotations, and fresh ids.

Every function raises :class:`propos.errors.ProposError` with a one-line message naming the
file (and line or region) for bad input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from jsonschema.exceptions import best_match

from propos import schema
from propos.errors import ProposError
from propos.fileio import read_json, sha256_text, write_json

Annotation = dict[str, Any]
Span = dict[str, Any]

ANNOTATION_ID = re.compile(schema.load_schema("common")["$defs"]["annotation_id"]["pattern"])
"""The pattern of annotation ids (``T1``, ``Q1``, ``V1``), read from the schema."""

ID_PREFIX = {"entity": "T", "quote": "Q", "event": "V"}
"""The id convention of GUIDELINES.md section 2, used for annotations that arrive without id."""


def one_line(message: str) -> str:
    """Messages are one line: line breaks of quoted text are shown escaped."""
    return message.replace("\r", "\\r").replace("\n", "\\n")


def make_span(text: str, start: int, end: int) -> Span:
    return {"start": start, "end": end, "text": text[start:end]}


def iter_spans(annotation: Annotation) -> Iterator[tuple[str, Span]]:
    """Every span of an annotation with a label naming it (``T1``, ``Q1.cue``, ``V1.trigger``)."""
    for entity in annotation.get("entities", []):
        yield str(entity.get("id")), entity
    for quote in annotation.get("quotes", []):
        for part in ("content", "cue", "speaker"):
            if quote.get(part) is not None:
                yield f"{quote.get('id')}.{part}", quote[part]
    for event in annotation.get("events", []):
        yield f"{event.get('id')}.trigger", event["trigger"]


def validate_annotation(annotation: Annotation, where: str) -> None:
    """Check an annotation dict against annotations/schema/annotation.schema.json."""
    error = best_match(schema.validator("annotation").iter_errors(annotation))
    if error is not None:
        location = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
        )
        raise ProposError(one_line(f"{where}: {location.lstrip('.') or '(top)'}: {error.message}"))


def check_annotation(annotation: Annotation, text: str, where: str) -> None:
    """The checks a conversion relies on: text hash, span texts, unique ids, argument ids.

    The annotation is assumed schema-valid (see :func:`validate_annotation`).
    """
    if annotation["text_sha256"] != sha256_text(text):
        raise ProposError(
            f"{where}: text_sha256 does not match the text of document {annotation['doc_id']}"
            " (the cleaned text changed since it was annotated)"
        )
    for label, span in iter_spans(annotation):
        start, end = span["start"], span["end"]
        if not 0 <= start < end <= len(text):
            raise ProposError(
                f"{where}: {label}: offsets {start}-{end} are outside the text"
                f" (length {len(text)}) or empty"
            )
        if text[start:end] != span["text"]:
            raise ProposError(
                one_line(
                    f"{where}: {label}: text {span['text']!r} does not match the document at"
                    f" {start}-{end} ({text[start:end]!r})"
                )
            )
    seen: set[str] = set()
    for layer in ("entities", "quotes", "events"):
        for item in annotation[layer]:
            if item["id"] in seen:
                raise ProposError(f"{where}: id {item['id']} is used twice")
            seen.add(item["id"])
    entity_ids = {entity["id"] for entity in annotation["entities"]}
    for event in annotation["events"]:
        for argument in event["arguments"]:
            if argument["entity"] not in entity_ids:
                raise ProposError(
                    f"{where}: {event['id']}: argument {argument['entity']} is not an entity"
                    " mention of this document"
                )


def assemble_annotation(
    doc_id: str, text: str, layers: tuple[list[Any], list[Any], list[Any]], where: str
) -> Annotation:
    """An imported annotation, checked against the schema and its text before it is returned."""
    entities, quotes, events = layers
    annotation = {
        "doc_id": doc_id,
        "text_sha256": sha256_text(text),
        "entities": entities,
        "quotes": quotes,
        "events": events,
    }
    validate_annotation(annotation, where)
    check_annotation(annotation, text, where)
    return annotation


def read_annotation(path: Path) -> Annotation:
    """Read and schema-validate one annotation file."""
    annotation = read_json(path)
    validate_annotation(annotation, str(path))
    return annotation


def clean_document_path(clean_dir: Path, doc_id: str) -> Path:
    return clean_dir / f"{doc_id}.json"


def load_clean_text(clean_dir: Path, doc_id: str) -> str:
    """The cleaned text of ``doc_id`` (corpus/clean/<doc_id>.json, field ``text``)."""
    path = clean_document_path(clean_dir, doc_id)
    if not path.is_file():
        raise ProposError(f"{path}: no cleaned document for {doc_id}")
    document = read_json(path)
    text = document.get("text") if isinstance(document, dict) else None
    if not isinstance(text, str):
        raise ProposError(f"{path}: no 'text' field")
    if document.get("text_sha256") != sha256_text(text):
        raise ProposError(f"{path}: text_sha256 does not match its own text")
    return text


def check_same_text(clean_dir: Path, doc_id: str, text: str, where: str) -> None:
    """An imported text must be the cleaned text of its doc_id, character for character."""
    clean = load_clean_text(clean_dir, doc_id)
    if clean != text:
        position = next(
            (i for i, (a, b) in enumerate(zip(clean, text, strict=False)) if a != b),
            min(len(clean), len(text)),
        )
        raise ProposError(
            f"{where}: text differs from the cleaned document"
            f" {clean_document_path(clean_dir, doc_id)}"
            f" from character {position} on; its offsets would not match"
        )


Imported = tuple[Annotation, str, str]
"""An imported document: (annotation, its text, where it came from for messages)."""


def import_problems(
    documents: list[Imported], out: Path, clean_dir: Path, inventory_data: Any = None
) -> list[str]:
    """What `propos validate` would refuse in the files an import is about to write.

    Each text must be the cleaned text of its doc_id, and each annotation must pass the checks
    of validation (spans, quotation kinds, arguments in the trigger's sentence, overlaps and,
    when an inventory.json lies beside or above ``out``, its inventory ids; ``inventory_data``
    stands for that inventory as it will be once the import has added its stubs).
    """
    from propos.validate import (
        CleanTexts,
        Inventory,
        document_problems,
        find_inventory,
        load_json_file,
        view_of_dict,
    )

    if inventory_data is None:
        inventory_file = find_inventory(out / "imported.json")
        inventory_data = load_json_file(inventory_file)[0] if inventory_file else None
    inventory = Inventory(inventory_data) if inventory_data is not None else None
    texts = CleanTexts(clean_dir)
    problems = []
    for annotation, text, where in documents:
        check_same_text(clean_dir, annotation["doc_id"], text, where)
        found = document_problems(where, view_of_dict(annotation), texts, inventory)
        problems += [one_line(f"{where}: {p.path}: {p.message}") for p in found]
    return problems


def refuse_problems(problems: list[str]) -> None:
    """Nothing is written when one imported document would not validate: the ProposError
    names the first problem and counts the others."""
    if problems:
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise ProposError(f"not imported, nothing written: {problems[0]}{more}")


def write_documents(documents: list[Imported], out: Path) -> list[Path]:
    written = []
    for annotation, _, _ in documents:
        path = out / f"{annotation['doc_id']}.json"
        write_json(path, annotation)
        written.append(path)
    return written


def write_imported(documents: list[Imported], out: Path, clean_dir: Path) -> list[Path]:
    """Write ``<out>/<doc_id>.json`` for each imported document, or nothing at all when one of
    them would not validate (the ProposError names the first problem)."""
    refuse_problems(import_problems(documents, out, clean_dir))
    return write_documents(documents, out)


def fresh_ids(prefix: str, used: set[str]) -> Iterator[str]:
    """``<prefix>1``, ``<prefix>2``, ... skipping ids in ``used`` (which it extends)."""
    number = 0
    while True:
        number += 1
        candidate = f"{prefix}{number}"
        if candidate not in used:
            used.add(candidate)
            yield candidate


def ids_after(prefix: str, used: set[str]) -> Iterator[str]:
    """``<prefix><n+1>``, ``<prefix><n+2>``, ... where ``n`` is the highest number of an id in
    ``used``: an id freed by a deletion (a gap, or the highest when the previous version's ids
    are in ``used``) is never given to a new annotation."""
    numbers = [
        int(found.group(1)) for found in map(re.compile(rf"{prefix}(\d+)").fullmatch, used) if found
    ]
    number = max(numbers, default=0)
    while True:
        number += 1
        yield f"{prefix}{number}"


def expand_annotation_paths(items: Iterable[Path]) -> list[Path]:
    """Annotation files given on the command line; a folder stands for its ``*.json`` files;
    a ``.jsonl`` file is a submission (one predicted document a line)."""
    result: list[Path] = []
    for item in items:
        if item.is_dir():
            found = sorted(item.glob("*.json"))
            if not found:
                raise ProposError(f"{item}: no .json annotation files in this folder", exit_code=2)
            result.extend(found)
        elif item.is_file():
            result.append(item)
        else:
            raise ProposError(f"{item}: no such file or folder", exit_code=2)
    return result


def load_annotated_documents(
    items: Iterable[Path], clean_dir: Path
) -> list[tuple[Path, Annotation, str]]:
    """Read annotation files with the cleaned text of each, every span checked against it."""
    documents = []
    first_file: dict[str, str] = {}
    for path in expand_annotation_paths(items):
        if path.suffix == ".jsonl":
            found = read_submission(path, clean_dir)
        else:
            annotation = read_annotation(path)
            found = [(str(path), annotation, load_clean_text(clean_dir, annotation["doc_id"]))]
        for where, annotation, text in found:
            doc_id = annotation["doc_id"]
            if doc_id in first_file:
                raise ProposError(f"{where}: document {doc_id} was already given in"
                                  f" {first_file[doc_id]}")  # fmt: skip
            first_file[doc_id] = where
            check_annotation(annotation, text, where)
            documents.append((path, annotation, text))
    return documents


# What a submission may leave out (cluster ids, cue, speaker, realis, arguments), filled in so
# that a predicted document has the annotation format; None is written as "not given".
SUBMISSION_DEFAULTS = {
    "entities": {"entity_id": None},
    "quotes": {"cue": None, "speaker": None, "speaker_entity_id": None, "utterance_id": None},
    "events": {"realis": None, "event_id": None, "arguments": []},
}


def read_submission(path: Path, clean_dir: Path) -> list[tuple[str, Annotation, str]]:
    """(place, document in the annotation format, its cleaned text) for each line of a
    submission; each line is checked against the submission schema."""
    from propos.fileio import parse_json_bytes
    from propos.validate import json_lines_shape_problem

    shape = json_lines_shape_problem(path)
    if shape is not None:
        raise ProposError(str(shape))
    found = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            document = parse_json_bytes(line, where)
            error = best_match(schema.validator("submission").iter_errors(document))
            if error is not None:
                location = "".join(f"[{p}]" if isinstance(p, int) else f".{p}"
                                   for p in error.absolute_path)  # fmt: skip
                raise ProposError(one_line(f"{where}: {location.lstrip('.') or '(top)'}:"
                                           f" {error.message[:200]}"))  # fmt: skip
            if not clean_document_path(clean_dir, document["doc_id"]).is_file():
                raise ProposError(f"{where}: no cleaned document {document['doc_id']!r}")
            text = load_clean_text(clean_dir, document["doc_id"])
            document.setdefault("text_sha256", sha256_text(text))
            for layer, defaults in SUBMISSION_DEFAULTS.items():
                document[layer] = [{**defaults, **item} for item in document[layer]]
            found.append((where, document, text))
    if not found:
        raise ProposError(f"{path}: empty submission (no document lines)")
    return found
