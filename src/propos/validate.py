"""Validation of annotation files, the inventory, cleaned documents and system submissions.

Every check reports a Problem (file, JSON path, message) and validation goes on: the user sees
all problems at once. Nothing here raises on bad input; only a missing path is a usage error.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema.exceptions import ValidationError

from propos import paths, schema
from propos.errors import ProposError
from propos.fileio import JSONDefect, decode_json, sha256_text
from propos.sentences import sentence_index

MAX_JSON_BYTES = 10 * 1024 * 1024
MAX_SUBMISSION_LINE_BYTES = 10 * 1024 * 1024
MAX_SUBMISSION_BYTES = 512 * 1024 * 1024
FINAL_PUNCTUATION = ",;:!?…"
OPENING_MARKS = "«“„‹"
CLOSING_MARKS = "»”›"
STRAIGHT_MARKS = '"'


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.path}: {self.message}"


@dataclass
class Report:
    files: int = 0
    problems: list[Problem] = field(default_factory=list)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)


# ---------------------------------------------------------------- the corpus the files refer to


class Corpus:
    """Cleaned documents, loaded on demand and kept (they are small, and shared by many files)."""

    def __init__(self, clean_dir: Path) -> None:
        self.clean_dir = clean_dir
        self._texts: dict[str, tuple[str, str] | None] = {}

    def doc_ids(self) -> list[str]:
        return sorted(p.stem for p in self.clean_dir.glob("*.json"))

    def text(self, doc_id: str) -> tuple[str, str] | None:
        """(text, text_sha256) of a cleaned document, or None when it does not exist."""
        if doc_id not in self._texts:
            path = self.clean_dir / f"{doc_id}.json"
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
                self._texts[doc_id] = (document["text"], document["text_sha256"])
            except (OSError, ValueError, KeyError, TypeError):
                self._texts[doc_id] = None
        return self._texts[doc_id]


class Inventory:
    def __init__(self, data: dict[str, Any] | None) -> None:
        data = data if isinstance(data, dict) else {}
        self.entities = _index(data.get("entities"))
        self.events = _index(data.get("events"))
        self.utterances = _index(data.get("utterances"))


def _index(items: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {item["id"]: item for item in items if isinstance(item, dict) and "id" in item}


# ---------------------------------------------------------------- helpers over raw JSON


def schema_problems(where: str, name: str, value: Any, prefix: str = "$") -> list[Problem]:
    problems = []
    for error in schema.validator(name).iter_errors(value):
        problems.append(Problem(where, _json_path(prefix, error), _schema_message(error)))
    return problems


def _json_path(prefix: str, error: ValidationError) -> str:
    path = prefix
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _schema_message(error: ValidationError) -> str:
    if error.validator == "oneOf" and error.context:
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        return f"schema: {deepest.message}"
    if error.validator == "additionalProperties":
        return f"schema: unknown field ({error.message})"
    return f"schema: {error.message}"


def as_span(value: Any) -> tuple[int, int, str] | None:
    if not isinstance(value, dict):
        return None
    start, end, text = value.get("start"), value.get("end"), value.get("text")
    if type(start) is not int or type(end) is not int or not isinstance(text, str):
        return None
    return start, end, text


def items(document: dict[str, Any], layer: str) -> list[tuple[int, dict[str, Any]]]:
    values = document.get(layer)
    if not isinstance(values, list):
        return []
    return [(i, item) for i, item in enumerate(values) if isinstance(item, dict)]


def spans_of(document: dict[str, Any]) -> Iterator[tuple[str, tuple[int, int, str]]]:
    """Every span of a document with its JSON path."""
    for i, entity in items(document, "entities"):
        span = as_span(entity)
        if span:
            yield f"$.entities[{i}]", span
    for i, quote in items(document, "quotes"):
        for part in ("content", "cue", "speaker"):
            span = as_span(quote.get(part))
            if span:
                yield f"$.quotes[{i}].{part}", span
    for i, event in items(document, "events"):
        span = as_span(event.get("trigger"))
        if span:
            yield f"$.events[{i}].trigger", span


# ---------------------------------------------------------------- span checks


def _paired_marks(text: str) -> bool:
    balance = 0
    for char in text:
        if char in OPENING_MARKS:
            balance += 1
        elif char in CLOSING_MARKS:
            balance -= 1
    return balance == 0 and text.count(STRAIGHT_MARKS) % 2 == 0


def span_problem(text: str, span: tuple[int, int, str]) -> str | None:
    start, end, stored = span
    if not 0 <= start < end <= len(text):
        return f"offsets {start}..{end} outside the text (length {len(text)}) or empty"
    actual = text[start:end]
    if actual != stored:
        return f"text {stored!r} differs from the document's {actual!r} at {start}..{end}"
    if actual[0].isspace() or actual[-1].isspace():
        return f"span {actual!r} begins or ends with white space"
    marks = schema.QUOTATION_MARKS
    if (actual[0] in marks or actual[-1] in marks) and not _paired_marks(actual):
        return f"span {actual!r} includes a quotation mark at its edge"
    if actual[-1] in FINAL_PUNCTUATION or (actual[-1] == "." and not _is_abbreviation(actual)):
        return f"span {actual!r} ends with punctuation"
    return None


def _is_abbreviation(span_text: str) -> bool:
    words = span_text.split()
    last = words[-1] if words else ""
    return last.count(".") > 1 or (len(last) == 2 and last[0].isupper()) or last == "..."


def quoted_depth_at(text: str, offset: int) -> bool:
    """Is ``offset`` inside quotation marks, counting from the start of its paragraph?"""
    paragraph_start = text.rfind("\n\n", 0, offset) + 1
    depth = 0
    straight_open = False
    for char in text[paragraph_start:offset]:
        if char in OPENING_MARKS:
            depth += 1
        elif char in CLOSING_MARKS:
            depth = max(0, depth - 1)
        elif char in STRAIGHT_MARKS:
            straight_open = not straight_open
    return depth > 0 or straight_open


def quote_kind_problem(text: str, kind: Any, content: tuple[int, int, str]) -> str | None:
    start, end, _ = content
    inside = quoted_depth_at(text, start)
    has_marks = any(char in schema.QUOTATION_MARKS for char in text[start:end])
    if kind == "direct" and (not inside or not quoted_depth_at(text, end)):
        return "direct quotation whose content is not enclosed in quotation marks"
    if kind == "indirect" and (inside or has_marks):
        return "indirect quotation whose content holds or sits inside quotation marks"
    if kind == "mixed" and not (has_marks or inside):
        return "mixed quotation without any quoted fragment"
    return None


# ---------------------------------------------------------------- document checks


def document_problems(
    where: str,
    document: Any,
    corpus: Corpus,
    inventory: Inventory | None,
    schema_name: str,
) -> list[Problem]:
    problems = schema_problems(where, schema_name, document)
    if not isinstance(document, dict):
        return problems
    doc_id = document.get("doc_id")
    source = corpus.text(doc_id) if isinstance(doc_id, str) else None
    if isinstance(doc_id, str) and source is None:
        problems.append(Problem(where, "$.doc_id", f"no cleaned document '{doc_id}' in corpus"))
    text = source[0] if source else None
    stored_hash = document.get("text_sha256")
    if source and isinstance(stored_hash, str) and stored_hash != source[1]:
        problems.append(
            Problem(
                where,
                "$.text_sha256",
                "the document text changed since this file was made"
                f" (hash {stored_hash[:12]}… vs {source[1][:12]}…); re-anchor the annotations",
            )
        )
        text = None  # offsets cannot be trusted against another text
    problems += id_problems(where, document)
    if text is not None:
        for path, span in spans_of(document):
            message = span_problem(text, span)
            if message:
                problems.append(Problem(where, path, message))
        problems += quote_problems(where, document, text)
        problems += argument_problems(where, document, text)
    problems += overlap_problems(where, document)
    if inventory is not None:
        problems += inventory_reference_problems(where, document, inventory)
    return problems


def id_problems(where: str, document: dict[str, Any]) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for layer in ("entities", "quotes", "events"):
        for i, item in items(document, layer):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            path = f"$.{layer}[{i}].id"
            if ident in seen:
                problems.append(
                    Problem(where, path, f"duplicate id '{ident}' (first at {seen[ident]})")
                )
            else:
                seen[ident] = path
    return problems


def overlap_problems(where: str, document: dict[str, Any]) -> list[Problem]:
    mentions = sorted(
        (span[0], span[1], i)
        for i, entity in items(document, "entities")
        if (span := as_span(entity))
    )
    problems = []
    furthest_end, furthest_index = -1, -1
    for start, end, index in mentions:
        if start < furthest_end:
            problems.append(
                Problem(
                    where,
                    f"$.entities[{index}]",
                    f"entity mention {start}..{end} overlaps $.entities[{furthest_index}]",
                )
            )
        if end > furthest_end:
            furthest_end, furthest_index = end, index
    return problems


def quote_problems(where: str, document: dict[str, Any], text: str) -> list[Problem]:
    problems = []
    for i, quote in items(document, "quotes"):
        content = as_span(quote.get("content"))
        if content and span_problem(text, content) is None:
            message = quote_kind_problem(text, quote.get("kind"), content)
            if message:
                problems.append(Problem(where, f"$.quotes[{i}].kind", message))
    return problems


def argument_problems(where: str, document: dict[str, Any], text: str) -> list[Problem]:
    mentions = {e.get("id"): as_span(e) for _, e in items(document, "entities")}
    problems = []
    for i, event in items(document, "events"):
        trigger = as_span(event.get("trigger"))
        arguments = event.get("arguments") if isinstance(event.get("arguments"), list) else []
        for j, argument in enumerate(arguments):
            if not isinstance(argument, dict):
                continue
            path = f"$.events[{i}].arguments[{j}].entity"
            target = argument.get("entity")
            if target not in mentions:
                problems.append(
                    Problem(where, path, f"argument points to no entity mention '{target}'")
                )
                continue
            mention = mentions[target]
            in_text = trigger and mention and trigger[0] < len(text) and mention[0] < len(text)
            if in_text and sentence_index(text, trigger[0]) != sentence_index(text, mention[0]):
                problems.append(
                    Problem(
                        where,
                        path,
                        f"argument '{target}' ({mention[2]!r}) is not in the"
                        f" sentence of the trigger {trigger[2]!r}",
                    )
                )
    return problems


def inventory_reference_problems(
    where: str, document: dict[str, Any], inventory: Inventory
) -> list[Problem]:
    problems = []
    for i, entity in items(document, "entities"):
        entry = inventory.entities.get(entity.get("entity_id"))
        path = f"$.entities[{i}].entity_id"
        if entry is None:
            problems.append(
                Problem(
                    where, path, f"entity_id '{entity.get('entity_id')}' is not in the inventory"
                )
            )
        elif entry.get("type") != entity.get("type"):
            problems.append(
                Problem(
                    where,
                    path,
                    f"mention type {entity.get('type')} but inventory entity"
                    f" '{entry['id']}' is {entry.get('type')}",
                )
            )
    for i, event in items(document, "events"):
        entry = inventory.events.get(event.get("event_id"))
        path = f"$.events[{i}].event_id"
        if entry is None:
            problems.append(
                Problem(where, path, f"event_id '{event.get('event_id')}' is not in the inventory")
            )
        elif entry.get("type") != event.get("type"):
            problems.append(
                Problem(
                    where,
                    path,
                    f"mention type {event.get('type')} but inventory event"
                    f" '{entry['id']}' is {entry.get('type')}",
                )
            )
    for i, quote in items(document, "quotes"):
        speaker = quote.get("speaker_entity_id")
        if speaker is not None and speaker not in inventory.entities:
            problems.append(
                Problem(
                    where,
                    f"$.quotes[{i}].speaker_entity_id",
                    f"speaker_entity_id '{speaker}' is not in the inventory",
                )
            )
        utterance = inventory.utterances.get(quote.get("utterance_id"))
        path = f"$.quotes[{i}].utterance_id"
        if utterance is None:
            problems.append(
                Problem(
                    where,
                    path,
                    f"utterance_id '{quote.get('utterance_id')}' is not in the inventory",
                )
            )
        elif utterance.get("speaker_entity_id") != speaker:
            problems.append(
                Problem(
                    where,
                    path,
                    f"utterance '{utterance['id']}' has speaker"
                    f" '{utterance.get('speaker_entity_id')}' but this quotation '{speaker}'",
                )
            )
    return problems


def inventory_problems(where: str, data: Any) -> list[Problem]:
    problems = schema_problems(where, "inventory", data)
    if not isinstance(data, dict):
        return problems
    seen: dict[str, str] = {}
    for layer in ("entities", "events", "utterances"):
        for i, item in items(data, layer):
            ident = item.get("id")
            if isinstance(ident, str):
                if ident in seen:
                    problems.append(
                        Problem(
                            where,
                            f"$.{layer}[{i}].id",
                            f"duplicate id '{ident}' (first at {seen[ident]})",
                        )
                    )
                seen.setdefault(ident, f"$.{layer}[{i}]")
    entities = _index(data.get("entities"))
    for i, utterance in items(data, "utterances"):
        speaker = utterance.get("speaker_entity_id")
        if speaker is not None and speaker not in entities:
            problems.append(
                Problem(
                    where,
                    f"$.utterances[{i}].speaker_entity_id",
                    f"speaker '{speaker}' is not an inventory entity",
                )
            )
    return problems


def clean_document_problems(where: str, data: Any) -> list[Problem]:
    problems = schema_problems(where, "clean-document", data)
    text = data.get("text") if isinstance(data, dict) else None
    if isinstance(text, str) and data.get("text_sha256") != sha256_text(text):
        problems.append(Problem(where, "$.text_sha256", "does not match the SHA-256 of the text"))
    return problems


# ---------------------------------------------------------------- files and folders


def mebibytes(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def read_bounded(path: Path, limit: int) -> tuple[bytes | None, Problem | None]:
    size = path.stat().st_size
    if size > limit:
        return None, Problem(
            str(path), "$", f"file too large ({mebibytes(size)} > {mebibytes(limit)} limit)"
        )
    return path.read_bytes(), None


def load_json_file(path: Path) -> tuple[Any, list[Problem]]:
    data, problem = read_bounded(path, MAX_JSON_BYTES)
    if problem:
        return None, [problem]
    try:
        return decode_json(data or b""), []
    except JSONDefect as exc:
        return None, [Problem(str(path), exc.location, exc.message)]


def file_kind(path: Path, data: Any) -> str:
    if path.suffix == ".jsonl":
        return "submission"
    if path.name == "inventory.json":
        return "inventory"
    if isinstance(data, dict) and "offset_map" in data:
        return "clean-document"
    if isinstance(data, dict) and "utterances" in data and "doc_id" not in data:
        return "inventory"
    return "annotation"


def find_inventory(path: Path) -> Path | None:
    for folder in path.resolve().parents:
        candidate = folder / "inventory.json"
        if candidate.exists():
            return candidate
        if folder == paths.project_root():
            break
    return None


SKIPPED_NAMES = frozenset({"splits.json"})
SKIPPED_FOLDERS = frozenset({"schema", "mappings"})  # configuration, not annotations


def collect_files(targets: list[Path]) -> list[Path]:
    files: list[Path] = []
    for target in targets:
        if not target.exists():
            raise ProposError(f"{target}: no such file or folder", exit_code=2)
        if target.is_dir():
            found = sorted(p for p in target.rglob("*") if p.suffix in (".json", ".jsonl"))
            files += [
                p
                for p in found
                if not SKIPPED_FOLDERS & set(p.relative_to(target).parts)
                and p.name not in SKIPPED_NAMES
            ]
        else:
            files.append(target)
    return files


@dataclass
class Context:
    corpus: Corpus
    inventory_override: Path | None = None
    split_doc_ids: list[str] | None = None
    _inventories: dict[Path, Inventory] = field(default_factory=dict)

    def inventory_for(self, path: Path) -> tuple[Inventory | None, list[Problem]]:
        location = self.inventory_override or find_inventory(path)
        if location is None:
            return None, [
                Problem(str(path), "$", "no inventory.json found beside or above this file")
            ]
        if location not in self._inventories:
            data, problems = load_json_file(location)
            self._inventories[location] = Inventory(data)
            if problems:
                return self._inventories[location], problems
        return self._inventories[location], []


def validate_file(path: Path, context: Context) -> list[Problem]:
    if path.suffix == ".jsonl":
        return submission_problems(path, context)
    data, problems = load_json_file(path)
    if problems:
        return problems
    kind = file_kind(path, data)
    if kind == "inventory":
        return inventory_problems(str(path), data)
    if kind == "clean-document":
        return clean_document_problems(str(path), data)
    inventory, inventory_errors = context.inventory_for(path)
    return inventory_errors + document_problems(
        str(path), data, context.corpus, inventory, "annotation"
    )


def submission_problems(path: Path, context: Context) -> list[Problem]:
    where = str(path)
    size = path.stat().st_size
    if size > MAX_SUBMISSION_BYTES:
        return [
            Problem(
                where,
                "$",
                f"file too large ({mebibytes(size)} > {mebibytes(MAX_SUBMISSION_BYTES)} limit)",
            )
        ]
    if size == 0:
        return [Problem(where, "$", "empty file")]
    problems: list[Problem] = []
    seen: Counter[str] = Counter()
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            line_where = f"{where}:{number}"
            if len(line) > MAX_SUBMISSION_LINE_BYTES:
                problems.append(Problem(line_where, "$", "line too large"))
                continue
            if not line.strip():
                continue
            try:
                document = decode_json(line)
            except JSONDefect as exc:
                problems.append(Problem(line_where, exc.location, exc.message))
                continue
            if isinstance(document, dict) and isinstance(document.get("doc_id"), str):
                seen[document["doc_id"]] += 1
                if seen[document["doc_id"]] == 2:
                    problems.append(
                        Problem(
                            line_where,
                            "$.doc_id",
                            f"document '{document['doc_id']}' appears more than once",
                        )
                    )
            problems += document_problems(line_where, document, context.corpus, None, "submission")
    if context.split_doc_ids is not None:
        expected = set(context.split_doc_ids)
        for doc_id in sorted(expected - set(seen)):
            problems.append(Problem(where, "$", f"document '{doc_id}' of the split is missing"))
        for doc_id in sorted(set(seen) - expected):
            if context.corpus.text(doc_id) is not None:
                problems.append(
                    Problem(where, "$", f"document '{doc_id}' is not in the requested split")
                )
    return problems


def validate_paths(
    targets: list[Path],
    clean_dir: Path | None = None,
    inventory: Path | None = None,
    split_doc_ids: list[str] | None = None,
) -> Report:
    context = Context(Corpus(clean_dir or paths.clean_dir()), inventory, split_doc_ids)
    report = Report()
    for path in collect_files(targets):
        report.files += 1
        report.extend(validate_file(path, context))
    return report
