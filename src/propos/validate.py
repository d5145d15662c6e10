"""Validation of annotation files, the inventory, cleaned documents and system submissions.

Every check reports a Problem (file, JSON path, message) and validation goes on: the user sees
all problems at once. Nothing here raises on bad input; only a missing path is a usage error.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter, le, lt, sub
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import msgspec
from jsonschema.exceptions import ValidationError

from propos import schema
from propos.engine import SERIAL, Engine, partitions, run_tasks, shared_cluster
from propos.errors import ProposError
from propos.fastschema import forget_matches, lean_decoder
from propos.fileio import MAX_JSON_BYTES, JSONDefect, decode_json, read_whole, sha256_text
from propos.sentences import SENTENCE_END, sentence_index
from propos.sentences import _is_abbreviation as _abbreviation_before

FINAL_PUNCTUATION = ",;:!?…"
_MARK = re.compile(f"[{re.escape(schema.QUOTATION_MARKS)}]")
_MARK_OR_BREAK = re.compile(f"\n\n|[{re.escape(schema.QUOTATION_MARKS)}]")
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


class CleanText(msgspec.Struct):
    """The two fields of a cleaned document the checks need (the rest is skipped unparsed)."""

    text: str
    text_sha256: str


_CLEAN_TEXT = msgspec.json.Decoder(CleanText)


class CleanTexts:
    """Cleaned documents, read on demand; a bounded cache keeps memory flat on large corpora."""

    CACHE_SIZE = 512

    def __init__(self, clean_dir: Path | None, max_bytes: int = MAX_JSON_BYTES) -> None:
        self.clean_dir = clean_dir
        self.max_bytes = max_bytes  # a larger cleaned document, or any file, is not read
        self._texts: OrderedDict[str, tuple[str, str] | None] = OrderedDict()
        self._held: dict[str, tuple[str, str]] = {}

    @classmethod
    def from_texts(cls, texts: dict[str, str]) -> CleanTexts:
        """Texts held in memory (a built dataset's), not read from a folder."""
        held = cls(None)
        held._held = {doc_id: (text, sha256_text(text)) for doc_id, text in texts.items()}
        return held

    def doc_ids(self) -> list[str]:
        if self.clean_dir is None:
            return sorted(self._held)
        return sorted(p.stem for p in self.clean_dir.glob("*.json"))

    def text(self, doc_id: str) -> tuple[str, str] | None:
        """(text, text_sha256) of a cleaned document, or None when it does not exist."""
        if not schema.DOC_ID.fullmatch(doc_id):
            return None  # no file name to look up ("../x", a NUL): a schema problem already
        return self.text_of_valid_id(doc_id)

    def why_absent(self, doc_id: str) -> str:
        """Why :meth:`text` found no text for ``doc_id`` (a rare path: it asks the file again)."""
        absent = f"no cleaned document {excerpt(doc_id)} in corpus"
        if self.clean_dir is None:
            return absent
        path = os.path.join(self.clean_dir, f"{doc_id}.json")
        try:
            size = os.stat(path).st_size
        except OSError:
            return absent
        if size > self.max_bytes:
            return f"cleaned document {path} too large ({over_limit(size, self.max_bytes)})"
        return f"cannot read the text of the cleaned document {path} (run `propos clean`)"

    def text_of_valid_id(self, doc_id: str) -> tuple[str, str] | None:
        """:meth:`text` of an id already matched against schema.DOC_ID."""
        if self.clean_dir is None:
            return self._held.get(doc_id)
        if doc_id in self._texts:
            self._texts.move_to_end(doc_id)
            return self._texts[doc_id]
        try:
            data = read_whole(os.path.join(self.clean_dir, f"{doc_id}.json"), self.max_bytes)
            document = _CLEAN_TEXT.decode(data) if data is not None else None
        except (OSError, msgspec.DecodeError, UnicodeDecodeError):
            document = None
        found = (document.text, document.text_sha256) if document is not None else None
        self._texts[doc_id] = found
        if len(self._texts) > self.CACHE_SIZE:
            self._texts.popitem(last=False)
        return found


class Inventory:
    def __init__(self, data: dict[str, Any] | None) -> None:
        data = data if isinstance(data, dict) else {}
        self.entities = _index(data.get("entities"))
        self.events = _index(data.get("events"))
        self.utterances = _index(data.get("utterances"))
        self.entity_types = {ident: item.get("type") for ident, item in self.entities.items()}
        self.event_types = {ident: item.get("type") for ident, item in self.events.items()}


_ABSENT: Any = object()  # no inventory entry: unequal to any type


def _index(items: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {
        item["id"]: item
        for item in items
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    }


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


EXCERPT_CHARS = 60


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str:
    """A short, one-line representation of a piece of the input: messages never dump a file."""
    shown = repr(value).replace("\n", " ")
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _bounded(error: ValidationError) -> str:
    """jsonschema's message, with the offending value (which can be a whole file) excerpted."""
    message = error.message
    whole = repr(error.instance)
    if len(whole) > EXCERPT_CHARS and whole in message:
        message = message.replace(whole, excerpt(error.instance))
    return message if len(message) <= 4 * EXCERPT_CHARS else excerpt(message, 4 * EXCERPT_CHARS)


def _schema_message(error: ValidationError) -> str:
    if error.validator == "oneOf" and error.context:
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        return f"schema: {_bounded(deepest)}"
    if error.validator == "additionalProperties":
        return f"schema: unknown field ({_bounded(error)})"
    return f"schema: {_bounded(error)}"


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


# ---------------------------------------------------------------- document views
#
# The semantic checks read documents through the attribute names of the schema (entity.start,
# quote.content.text, event.arguments[j].entity). A document that passed the fast path is the
# msgspec struct itself, read without any copy; a document with schema problems is turned into
# these views, with None wherever a part is malformed, and the rest is still checked.


class SpanView(NamedTuple):
    start: int
    end: int
    text: str


class EntityView(NamedTuple):
    id: Any
    start: int | None
    end: int | None
    text: Any
    type: Any
    entity_id: Any


class QuoteView(NamedTuple):
    id: Any
    content: SpanView | None
    kind: Any
    cue: SpanView | None
    speaker: SpanView | None
    speaker_entity_id: Any
    utterance_id: Any


class ArgumentView(NamedTuple):
    entity: Any
    role: Any


class EventView(NamedTuple):
    id: Any
    trigger: SpanView | None
    type: Any
    event_id: Any
    arguments: list[ArgumentView]


class DocumentView(NamedTuple):
    doc_id: Any
    text_sha256: Any
    entities: list[EntityView]
    quotes: list[QuoteView]
    events: list[EventView]


class _Malformed:
    """An id of the wrong JSON type (a list, an object, a number) in a document with schema
    problems: the schema check reports it, the semantic checks skip it, and being hashable it
    can never break a look-up."""

    def __repr__(self) -> str:
        return "<malformed id>"


MALFORMED: Any = _Malformed()


def _ident(value: Any) -> Any:
    """An id field as the checks read it: a string, None (absent or null) or MALFORMED."""
    return value if value is None or isinstance(value, str) else MALFORMED


def _span_view(value: Any) -> SpanView | None:
    span = as_span(value)
    return SpanView(*span) if span else None


def view_of_dict(document: dict[str, Any]) -> DocumentView:
    entities = []
    for _, e in items(document, "entities"):
        span = as_span(e) or (None, None, None)
        entities.append(
            EntityView(_ident(e.get("id")), *span, e.get("type"), _ident(e.get("entity_id")))
        )
    quotes = [
        QuoteView(
            _ident(q.get("id")), _span_view(q.get("content")), q.get("kind"),
            _span_view(q.get("cue")), _span_view(q.get("speaker")),
            _ident(q.get("speaker_entity_id")), _ident(q.get("utterance_id")),
        )
        for _, q in items(document, "quotes")
    ]  # fmt: skip
    events = []
    for _, v in items(document, "events"):
        raw_arguments = v.get("arguments") if isinstance(v.get("arguments"), list) else []
        arguments = [
            ArgumentView(_ident(a.get("entity")), a.get("role"))
            if isinstance(a, dict)
            else ArgumentView(None, None)
            for a in raw_arguments
        ]
        events.append(
            EventView(
                _ident(v.get("id")),
                _span_view(v.get("trigger")),
                v.get("type"),
                _ident(v.get("event_id")),
                arguments,
            )
        )
    return DocumentView(
        document.get("doc_id"), document.get("text_sha256"), entities, quotes, events
    )


def _given(value: Any) -> Any:
    """Optional submission fields decode as msgspec.UNSET: read them as None."""
    return None if value is msgspec.UNSET else value


def spans_of(document: Any) -> Iterator[tuple[str, Any]]:
    """Every well-formed span of a document with its JSON path."""
    for i, entity in enumerate(document.entities):
        if entity.start is not None:
            yield f"$.entities[{i}]", entity
    for i, quote in enumerate(document.quotes):
        for part in ("content", "cue", "speaker"):
            span = _given(getattr(quote, part))
            if span is not None:
                yield f"$.quotes[{i}].{part}", span
    for i, event in enumerate(document.events):
        if event.trigger is not None:
            yield f"$.events[{i}].trigger", event.trigger


# ---------------------------------------------------------------- span checks


def _paired_marks(text: str) -> bool:
    balance = 0
    for char in text:
        if char in OPENING_MARKS:
            balance += 1
        elif char in CLOSING_MARKS:
            balance -= 1
    return balance == 0 and text.count(STRAIGHT_MARKS) % 2 == 0


_MARKS = frozenset(schema.QUOTATION_MARKS)
_BAD_LAST = frozenset(FINAL_PUNCTUATION)
_NAME_FINAL = frozenset(".!?")


def anchor_problem(text: str, span: Any) -> str | None:
    """Is a span anchored in ``text`` (offsets inside it, its text the document's there)? This
    is all a submission's span must be to be scored; ``span`` is a (start, end, text) tuple or
    anything with those attributes (a decoded struct)."""
    start, end, stored = span if type(span) is tuple else (span.start, span.end, span.text)
    if not 0 <= start < end <= len(text):
        return f"offsets {start}..{end} outside the text (length {len(text)}) or empty"
    if not text.startswith(stored, start) or len(stored) != end - start:
        return (
            f"text {excerpt(stored)} differs from the document's {excerpt(text[start:end])}"
            f" at {start}..{end}"
        )
    return None


def span_problem(text: str, span: Any, name: bool = False) -> str | None:
    """What is wrong with a gold span of ``text``, or None: anchoring, then the conventions of
    the guidelines (no white space, unpaired quotation mark or final punctuation at an edge).

    A ``name`` (an entity mention) may end with punctuation that belongs to it ("Yahoo!",
    "En marche !", "Monsters, Inc."): specification version 2.
    """
    anchoring = anchor_problem(text, span)
    if anchoring:
        return anchoring
    stored = span[2] if type(span) is tuple else span.text
    first, last = stored[0], stored[-1]
    if first.isspace() or last.isspace():
        return f"span {excerpt(stored)} begins or ends with white space"
    if (first in _MARKS or last in _MARKS) and not _paired_marks(stored):
        return f"span {excerpt(stored)} includes a quotation mark at its edge"
    if name and last in _NAME_FINAL:
        return None
    if last in _BAD_LAST or (last == "." and not _is_abbreviation(stored)):
        return f"span {excerpt(stored)} ends with punctuation"
    return None


def _is_abbreviation(span_text: str) -> bool:
    words = span_text.split()
    last = words[-1] if words else ""
    return last.count(".") > 1 or (len(last) == 2 and last[0].isupper()) or last == "..."


# What may end a span without breaking a convention is checked by span_problem; every other
# character is tested here with one set look-up. No character above U+3000 is white space.
_SPACES = frozenset(char for char in map(chr, range(0x3001)) if char.isspace())
_UNPLAIN_FIRST = _SPACES | _MARKS
_UNPLAIN_LAST = _SPACES | _MARKS | _BAD_LAST | {"."}


def _plain_span(text: str, span: Any) -> bool:
    """Is a span anchored in ``text``, with edges that no convention looks at? (For these,
    :func:`span_problem` is None; for the others it says whether and what is wrong.)"""
    start, end, stored = span.start, span.end, span.text
    return (
        0 <= start < end <= len(text)
        and len(stored) == end - start
        and text.startswith(stored, start)
        and stored[0] not in _UNPLAIN_FIRST
        and stored[-1] not in _UNPLAIN_LAST
    )


# Characters a sentence end (a run of final punctuation, a closing mark, spaces) or a
# paragraph break is made of: see propos.sentences.SENTENCE_END.
_SENTENCE_END_CHARS = frozenset('.!?…»”" \u00a0\u202f\n')
# The characters a match of SENTENCE_END can begin with.
_SENTENCE_END_START = re.compile("[.!?…\n]")
LOCAL_SENTENCE_WINDOW = 4000


def same_sentence(text: str, first: int, second: int) -> bool:
    """``sentence_index(text, first) == sentence_index(text, second)``, from the text between
    the two offsets only: no sentence start falls in (low, high].

    A sentence end is found by SENTENCE_END wherever the scan starts, as long as it does not
    start inside a run of the characters such an end is made of (then it could start inside a
    run of newlines, which pair differently): the scan starts before that run. Beyond
    LOCAL_SENTENCE_WINDOW characters the sentences of the whole text (cached) are used, so the
    work per argument stays bounded.
    """
    low, high = min(first, second), max(first, second)
    scan = low
    while scan > 0 and text[scan - 1] in _SENTENCE_END_CHARS and low - scan < LOCAL_SENTENCE_WINDOW:
        scan -= 1
    if high - scan >= LOCAL_SENTENCE_WINDOW:
        return sentence_index(text, first) == sentence_index(text, second)
    if _SENTENCE_END_START.search(text, scan, high + 1) is None:
        return True  # no sentence end can start here: the common case, found 8 times faster
    for found in SENTENCE_END.finditer(text, scan, high + 1):
        end = found.end()
        if end <= low:
            continue
        if end > high:
            break
        is_period = found.group("end") is not None and text[found.start()] == "."
        if is_period and _abbreviation_before(text, found.start()):
            continue
        return False
    return True


@lru_cache(maxsize=256)
def _quote_states(text: str) -> tuple[list[int], list[bool]]:
    """Positions of quotation marks and paragraph breaks, and whether a quotation is open after
    each: one pass over the text, shared by every quotation of the document."""
    positions: list[int] = []
    open_after: list[bool] = []
    depth, straight_open = 0, False
    for found in _MARK_OR_BREAK.finditer(text):
        char = found.group()
        if char == "\n\n":
            depth, straight_open = 0, False
        elif char in OPENING_MARKS:
            depth += 1
        elif char in CLOSING_MARKS:
            depth = max(0, depth - 1)
        else:
            straight_open = not straight_open
        positions.append(found.start())
        open_after.append(depth > 0 or straight_open)
    return positions, open_after


LOCAL_QUOTE_WINDOW = 4000


def quoted_depth_at(text: str, offset: int) -> bool:
    """Is ``offset`` inside quotation marks, counting from the start of its paragraph?

    The marks between the last paragraph break before ``offset`` and ``offset`` are read
    (any two newlines there are a break, or follow one with no mark in between); when that
    break is more than LOCAL_QUOTE_WINDOW characters away, the states of the whole text
    (cached) are used, so the work per quotation stays bounded."""
    window_start = max(0, offset - LOCAL_QUOTE_WINDOW)
    last_break = text.rfind("\n\n", window_start, offset + 1)
    if last_break < 0 and window_start > 0:
        positions, open_after = _quote_states(text)
        index = bisect_left(positions, offset) - 1
        return index >= 0 and open_after[index]
    first = last_break + 2 if last_break >= 0 else 0
    return _open_after(found.group() for found in _MARK.finditer(text, first, offset))


def _open_after(marks: Iterable[str]) -> bool:
    """Is a quotation open after these marks, read from a paragraph's start?"""
    depth, straight_open = 0, False
    for char in marks:
        if char in OPENING_MARKS:
            depth += 1
        elif char in CLOSING_MARKS:
            depth = max(0, depth - 1)
        else:
            straight_open = not straight_open
    return depth > 0 or straight_open


def quote_kind_problem(text: str, kind: Any, content: Any) -> str | None:
    """Does the quotation kind fit the marks around and inside ``content`` (anchored)?

    Reads what :func:`quoted_depth_at` says at both ends of the content from one list of the
    marks of the paragraph before it and one of the marks inside it, unless a paragraph
    break falls inside the content or the paragraph's start is further than its window."""
    start, end = content.start, content.end
    window_start = max(0, start - LOCAL_QUOTE_WINDOW)
    last_break = text.rfind("\n\n", window_start, start + 1)
    if last_break < 0 and window_start > 0:
        before = None  # the paragraph starts too far away: the whole text's states say
        inside = quoted_depth_at(text, start)
    else:
        before = _MARK.findall(text, last_break + 2 if last_break >= 0 else 0, start)
        inside = bool(before) and _open_after(before)
    inner = _MARK.findall(text, start, end)
    if kind == "direct":
        if not inside:
            return "direct quotation whose content is not enclosed in quotation marks"
        if before is not None and text.find("\n\n", start, end + 1) < 0:
            open_at_end = _open_after(before + inner) if inner else inside
        else:
            open_at_end = quoted_depth_at(text, end)
        if not open_at_end:
            return "direct quotation whose content is not enclosed in quotation marks"
    if kind == "indirect" and (inside or inner):
        return "indirect quotation whose content holds or sits inside quotation marks"
    if kind == "mixed" and not (inner or inside):
        return "mixed quotation without any quoted fragment"
    return None


# ---------------------------------------------------------------- document checks


def document_problems(
    where: str, document: Any, corpus: CleanTexts, inventory: Inventory | None,
    gold: bool = True,
) -> list[Problem]:  # fmt: skip
    """Every semantic problem of one document (a struct or a DocumentView).

    ``gold`` (annotation files) adds the annotation conventions: span edges, quotation kinds,
    unique ids, arguments in the trigger's sentence, no overlapping mentions. A submission
    (``gold=False``) is only refused for what makes it unscorable; a prediction that breaks a
    convention is scored, as a wrong prediction (see README, "What is checked").
    """
    if not gold:
        return submission_document_problems(where, document, corpus)
    text, problems = _source_text(where, document, corpus)
    problems += id_problems(where, document)
    if text is not None:
        plain = all_plain(text, _spans(document))
        if not plain:
            problems += gold_span_problems(where, document, text)
        problems += quote_problems(where, document, text, plain)
        problems += argument_problems(where, document, text)
    problems += overlap_problems(where, document)
    if inventory is not None:
        problems += inventory_reference_problems(where, document, inventory)
    return problems


def _source_text(where: str, document: Any, corpus: CleanTexts) -> tuple[str | None, list[Problem]]:
    """The cleaned text a document's offsets refer to, or None with the reason."""
    doc_id = document.doc_id
    # An id the schema refuses (a NUL, "../x") is never looked up as a file.
    valid_id = isinstance(doc_id, str) and schema.DOC_ID.fullmatch(doc_id) is not None
    source = corpus.text_of_valid_id(doc_id) if valid_id else None
    if valid_id and source is None:
        return None, [Problem(where, "$.doc_id", corpus.why_absent(doc_id))]
    stored_hash = _given(document.text_sha256)
    if source and isinstance(stored_hash, str) and stored_hash != source[1]:
        return None, [
            Problem(where, "$.text_sha256", "the document text changed since this file was made"
                    f" (hash {stored_hash[:12]}… vs {source[1][:12]}…); re-anchor the annotations")
        ]  # fmt: skip
    return (source[0] if source else None), []


def submission_document_problems(where: str, document: Any, corpus: CleanTexts) -> list[Problem]:
    """What makes one predicted document unscorable: an unknown document, a text hash of
    another text, a span outside the text or whose text is not the document's there."""
    text, problems = _source_text(where, document, corpus)
    if text is not None:
        for path, span in spans_of(document):
            message = anchor_problem(text, span)
            if message:
                problems.append(Problem(where, path, message))
    return problems


def all_plain(text: str, spans: list[Any]) -> bool:
    """Is every span (a struct or view with int offsets) anchored in ``text`` with plain edges,
    as :func:`_plain_span` says of one? Decided with C-level maps over columns of the spans:
    the bounds, the lengths, each span text found where it starts (no slice of the document
    is made), and the sets of first and last characters."""
    if not spans:
        return True
    starts = [span.start for span in spans]
    ends = [span.end for span in spans]
    stored = [span.text for span in spans]
    lengths = list(map(len, stored))
    return (
        min(starts) >= 0
        and max(ends) <= len(text)
        and lengths == list(map(sub, ends, starts))
        and 0 not in lengths  # with the line above: start < end
        and all(map(text.startswith, stored, starts))
        and _UNPLAIN_FIRST.isdisjoint(map(itemgetter(0), stored))
        and _UNPLAIN_LAST.isdisjoint(map(itemgetter(-1), stored))
    )


def _given_spans(quote: Any) -> list[tuple[str, Any]]:
    parts = (("content", quote.content), ("cue", quote.cue), ("speaker", quote.speaker))
    return [(part, span) for part, span in parts if _given(span) is not None]


def _spans(document: Any) -> list[Any]:
    """Every anchored span of a document, in the order of :func:`spans_of`."""
    unset = msgspec.UNSET  # a local name: read faster in the comprehension
    spans = [e for e in document.entities if e.start is not None]
    spans += [
        span
        for quote in document.quotes
        for span in (quote.content, quote.cue, quote.speaker)
        if span is not None and span is not unset
    ]
    spans += [
        trigger for trigger in [event.trigger for event in document.events] if trigger is not None
    ]
    return spans


def gold_span_problems(where: str, document: Any, text: str) -> list[Problem]:
    """:func:`span_problem` of every span that is not plain, in the order of :func:`spans_of`
    (called when :func:`all_plain` says that some span is not)."""
    problems = []
    for index, entity in enumerate(document.entities):
        if entity.start is not None and not _plain_span(text, entity):
            message = span_problem(text, entity, name=True)
            if message:
                problems.append(Problem(where, f"$.entities[{index}]", message))
    for index, quote in enumerate(document.quotes):
        for part, span in _given_spans(quote):
            if not _plain_span(text, span):
                message = span_problem(text, span)
                if message:
                    problems.append(Problem(where, f"$.quotes[{index}].{part}", message))
    for index, event in enumerate(document.events):
        if event.trigger is not None and not _plain_span(text, event.trigger):
            message = span_problem(text, event.trigger)
            if message:
                problems.append(Problem(where, f"$.events[{index}].trigger", message))
    return problems


def id_problems(where: str, document: Any) -> list[Problem]:
    ids = [entry.id for layer in (document.entities, document.quotes, document.events)
           for entry in layer]  # fmt: skip
    if len(set(ids)) == len(ids):
        return []
    seen: dict[str, tuple[str, int]] = {}
    problems = []
    layers = (
        ("entities", document.entities),
        ("quotes", document.quotes),
        ("events", document.events),
    )
    for layer, entries in layers:
        for index, entry in enumerate(entries):
            ident = entry.id
            if not isinstance(ident, str):
                continue
            if ident in seen:
                first = "$.{}[{}].id".format(*seen[ident])
                path = f"$.{layer}[{index}].id"
                problems.append(Problem(where, path, f"duplicate id '{ident}' (first at {first})"))
            else:
                seen[ident] = (layer, index)
    return problems


def overlap_problems(where: str, document: Any) -> list[Problem]:
    starts = [e.start for e in document.entities]
    ends = [e.end for e in document.entities]
    # Mentions in text order, each non-empty and ending before the next starts: no overlap.
    if None not in starts and all(map(lt, starts, ends)) and all(map(le, ends, starts[1:])):
        return []
    mentions = sorted(
        (e.start, e.end, i) for i, e in enumerate(document.entities) if e.start is not None
    )
    problems = []
    furthest_end, furthest_index = -1, -1
    for start, end, index in mentions:
        if start < furthest_end:
            problems.append(
                Problem(where, f"$.entities[{index}]",
                        f"entity mention {start}..{end} overlaps $.entities[{furthest_index}]")
            )  # fmt: skip
        if end > furthest_end:
            furthest_end, furthest_index = end, index
    return problems


def quote_problems(where: str, document: Any, text: str, plain: bool = False) -> list[Problem]:
    """The kind of every quotation whose content is a correct span (all are when the
    document's spans are ``plain``, as :func:`all_plain` says)."""
    problems = []
    for index, quote in enumerate(document.quotes):
        content = quote.content
        if content is not None and (
            plain or _plain_span(text, content) or span_problem(text, content) is None
        ):
            message = quote_kind_problem(text, quote.kind, content)
            if message:
                problems.append(Problem(where, f"$.quotes[{index}].kind", message))
    return problems


def argument_problems(where: str, document: Any, text: str) -> list[Problem]:
    starts = {e.id: e.start for e in document.entities}
    problems: list[Problem] = []
    mentions = None  # made for the first event whose arguments are looked at one by one
    for index, event in enumerate(document.events):
        arguments = _given(event.arguments) or ()
        if not arguments or _in_one_sentence(text, event.trigger, arguments, starts):
            continue
        if mentions is None:
            mentions = {e.id: e for e in document.entities}
        problems += _event_argument_problems(where, index, event, arguments, mentions, text)
    return problems


def _event_argument_problems(
    where: str, index: int, event: Any, arguments: Any, mentions: dict[Any, Any], text: str
) -> list[Problem]:
    # A mention whose id is malformed (a schema problem) may be the one an argument meant.
    unresolvable = MALFORMED in mentions
    trigger, length = event.trigger, len(text)
    problems = []
    for j, argument in enumerate(arguments):
        target = argument.entity
        if target is MALFORMED:
            continue
        mention = mentions.get(target)
        if mention is None:
            if unresolvable:
                continue
            path = f"$.events[{index}].arguments[{j}].entity"
            problems.append(
                Problem(where, path, f"argument points to no entity mention '{target}'")
            )
            continue
        if trigger is None or mention.start is None:
            continue
        if not (0 <= trigger.start < length and 0 <= mention.start < length):
            continue
        if not same_sentence(text, trigger.start, mention.start):
            path = f"$.events[{index}].arguments[{j}].entity"
            problems.append(
                Problem(where, path, f"argument '{target}' ({mention.text!r}) is not in the"
                        f" sentence of the trigger {trigger.text!r}")
            )  # fmt: skip
    return problems


def _in_one_sentence(text: str, trigger: Any, arguments: Any, starts: dict[Any, Any]) -> bool:
    """Do the trigger and every argument's mention (each found, anchored in the text) stand in
    one sentence? Then no argument has a problem, found with one look at the text from the
    first of them to the last (the common case) instead of one per argument."""
    if trigger is None or not isinstance(trigger.start, int):
        return False
    found = [starts.get(argument.entity) for argument in arguments]
    if None in found:
        return False
    found.append(trigger.start)
    low, high = min(found), max(found)
    return low >= 0 and high < len(text) and same_sentence(text, low, high)


def _typed_references(
    where: str, entries: Any, index: dict[str, dict[str, Any]], layer: str, field_name: str,
    noun: str,
) -> list[Problem]:  # fmt: skip
    """Each entry's cluster id must be in the inventory, with the entry's type."""
    problems = []
    for position, entry in enumerate(entries):
        cluster = getattr(entry, field_name)
        if cluster is MALFORMED:
            continue
        found = index.get(cluster)
        if found is not None and found.get("type") == entry.type:
            continue
        path = f"$.{layer}[{position}].{field_name}"
        if found is None:
            message = f"{field_name} '{cluster}' is not in the inventory"
        else:
            found_type = found.get("type")
            message = (
                f"mention type {entry.type} but inventory {noun} '{found['id']}' is {found_type}"
            )
        problems.append(Problem(where, path, message))
    return problems


def inventory_reference_problems(where: str, document: Any, inventory: Inventory) -> list[Problem]:
    problems = []
    # The common case first, one comparison an entry; the loops say what is wrong, if anything.
    entity_types, event_types = inventory.entity_types, inventory.event_types
    if not all([entity_types.get(e.entity_id, _ABSENT) == e.type for e in document.entities]):
        problems += _typed_references(
            where, document.entities, inventory.entities, "entities", "entity_id", "entity"
        )
    if not all([event_types.get(v.event_id, _ABSENT) == v.type for v in document.events]):
        problems += _typed_references(
            where, document.events, inventory.events, "events", "event_id", "event"
        )
    for index, quote in enumerate(document.quotes):
        speaker = quote.speaker_entity_id
        if speaker is MALFORMED or quote.utterance_id is MALFORMED:
            continue
        if speaker is not None and speaker not in inventory.entities:
            problems.append(
                Problem(where, f"$.quotes[{index}].speaker_entity_id",
                        f"speaker_entity_id '{speaker}' is not in the inventory")
            )  # fmt: skip
        utterance = inventory.utterances.get(quote.utterance_id)
        if utterance is not None and utterance.get("speaker_entity_id") == speaker:
            continue
        path = f"$.quotes[{index}].utterance_id"
        if utterance is None:
            message = f"utterance_id '{quote.utterance_id}' is not in the inventory"
        else:
            expected = utterance.get("speaker_entity_id")
            message = (
                f"utterance '{utterance['id']}' has speaker '{expected}'"
                f" but this quotation '{speaker}'"
            )
        problems.append(Problem(where, path, message))
    return problems


# ---------------------------------------------------------------- one document, fast or slow


def check_document_bytes(
    where: str, data: bytes, schema_name: str, corpus: CleanTexts, inventory: Inventory | None
) -> tuple[Any, list[Problem]]:
    """Decode and check one document: (doc_id or None, problems). ``schema_name`` is
    "annotation" (gold, every convention checked) or "submission" (only what scoring needs).

    The fast path decodes straight into schema-checked types; a document it rejects is parsed
    again as plain JSON so that every schema problem is listed with its path.
    """
    try:
        document = lean_decoder(schema_name).decode(data)
    except (msgspec.DecodeError, UnicodeDecodeError) as fast_error:
        return _slow_document(where, data, schema_name, corpus, inventory, str(fast_error))
    gold = schema_name != "submission"
    return document.doc_id, document_problems(where, document, corpus, inventory, gold)


def _slow_document(
    where: str, data: bytes, schema_name: str, corpus: CleanTexts, inventory: Inventory | None,
    fast_message: str,
) -> tuple[Any, list[Problem]]:  # fmt: skip
    try:
        value = decode_json(data, "line" if schema_name == "submission" else "file")
    except JSONDefect as exc:
        return None, [Problem(where, exc.location, exc.message)]
    problems = schema_problems(where, schema_name, value)
    if not problems:
        # Stricter than JSON Schema on one point: 1.0 is not an integer offset.
        path, _, message = fast_message.rpartition(" - at `")
        problems = [Problem(where, message.rstrip("`") or "$", f"schema: {path or fast_message}")]
    if not isinstance(value, dict):
        return None, problems
    view = view_of_dict(value)
    gold = schema_name != "submission"
    return view.doc_id, problems + document_problems(where, view, corpus, inventory, gold)


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
        if isinstance(speaker, str) and speaker not in entities:
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


LIMIT_WORDS = " MiB limit"  # how over_limit ends; a problem's message closes it with ")"


def is_over_limit(problem: Problem) -> bool:
    """Whether ``problem`` is a file or line refused unread for its size."""
    return problem.message.endswith(f"{LIMIT_WORDS})")


def over_limit(size: int, limit: int) -> str:
    """``size`` and ``limit`` in MiB, with the decimals that tell them apart (up to bytes)."""
    for decimals in range(1, 7):
        shown, bound = (f"{value / 2**20:.{decimals}f}" for value in (size, limit))
        if shown != bound:
            break
    return f"{shown} MiB > {bound}{LIMIT_WORDS}"


def read_bounded(path: str | Path, limit: int) -> tuple[bytes | None, Problem | None]:
    data = read_whole(path, limit)
    if data is None:
        size = os.stat(path).st_size
        return None, Problem(str(path), "$", f"file too large ({over_limit(size, limit)})")
    return data, None


def load_json_file(path: Path) -> tuple[Any, list[Problem]]:
    """Bounded read and strict parse of a JSON file (used for inventories)."""
    data, problem = read_bounded(path, MAX_JSON_BYTES)
    if problem:
        return None, [problem]
    return _decoded(str(path), data or b"")


def _decoded(where: str, data: bytes) -> tuple[Any, list[Problem]]:
    """Strict parse of a JSON file's bytes, or the problem that stops it."""
    try:
        return decode_json(data), []
    except JSONDefect as exc:
        return None, [Problem(where, exc.location, exc.message)]


def inventory_at(location: Path, limit: int = MAX_JSON_BYTES) -> tuple[Inventory, list[Problem]]:
    """The inventory at ``location`` and the problems of reading it. The file is read every
    time, but a worker process keeps the last few inventories it parsed, by content: the tasks
    of a parallel run each make their own context, and parsing the inventory of a large corpus
    takes milliseconds where reading it takes a fraction of one."""
    data, problem = read_bounded(location, limit)
    if problem:
        return Inventory(None), [problem]
    return _parsed_inventory(str(location), data or b"")


def forget_remembered() -> None:
    """Forget what this process remembers from the files it validated (ids seen to match,
    parsed inventories): the next run costs what it costs in a new process after the imports.
    For measurements whose warm-up validates a file."""
    forget_matches()
    _parsed_inventory.cache_clear()


@lru_cache(maxsize=4)
def _parsed_inventory(where: str, data: bytes) -> tuple[Inventory, list[Problem]]:
    value, problems = _decoded(where, data)
    return Inventory(value), problems


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
    return _inventory_above(path.resolve().parent)


@lru_cache(maxsize=1024)
def _inventory_above(folder: Path) -> Path | None:
    """The nearest inventory.json in ``folder`` or above it."""
    for candidate_folder in (folder, *folder.parents):
        candidate = candidate_folder / "inventory.json"
        if candidate.exists():
            return candidate
    return None


SKIPPED_NAMES = frozenset({"splits.json"})
SKIPPED_FOLDERS = frozenset({"schema", "mappings"})  # configuration, not annotations


def _has_data_suffix(name: str) -> bool:
    """Is Path(name).suffix ".json" or ".jsonl"? (".json" alone is a hidden name, no suffix.)"""
    return (name.endswith(".json") and len(name) > 5) or (name.endswith(".jsonl") and len(name) > 6)


def collect_files(targets: list[Path]) -> list[Path]:
    return list(iter_files(targets))


def iter_files(targets: list[Path]) -> Iterator[Path]:
    """The files to validate: each target that is a file, and the .json and .jsonl files
    under each folder, in the order of their paths' parts (a walk of each folder's entries
    sorted by name), found as they are validated: memory holds one folder's names at a time.
    Every target is checked to exist first."""
    return (path for path, _ in _walk(targets))


def _walk(targets: list[Path]) -> Iterator[tuple[Path, bool | None]]:
    """:func:`iter_files`, each file with whether it is a link (None: not known)."""
    return ((Path(path), linked) for path, linked in _walk_names(targets))


def _walk_names(targets: list[Path]) -> Iterator[tuple[str, bool | None]]:
    """:func:`_walk` with each path as a string (a sixth of a Path's memory, for the lists a
    parallel run holds)."""
    for target in targets:
        if not target.exists():
            raise ProposError(f"{target}: no such file or folder", exit_code=2)
    for target in targets:
        if target.is_dir():
            base = str(target)
            yield from _files_under(base, "" if base == "." else base)
        else:
            yield str(target), None


def _files_under(folder: str, shown: str) -> Iterator[tuple[str, bool]]:
    """The paths of the files to validate under ``folder``, written from ``shown`` (as
    pathlib writes them: no "./" in front), each with whether it is a link (the listing
    says, without a system call). Links to folders are not followed."""
    try:
        listing = os.scandir(folder)
    except PermissionError:
        return  # as Path.rglob has it: a folder that cannot be listed holds nothing
    # The names are held while the folder is walked (100,000 of them in a large corpus): a
    # list of names, and the few links and folders apart, not one record per entry.
    names: list[str] = []
    links: set[str] = set()
    folders: set[str] = set()
    with listing:
        for entry in listing:
            names.append(entry.name)
            if entry.is_symlink():
                links.add(entry.name)
            elif entry.is_dir(follow_symlinks=False):
                folders.add(entry.name)
    names.sort()
    for name in names:
        path = os.path.join(shown, name) if shown else name
        if _has_data_suffix(name) and name not in SKIPPED_NAMES:
            yield path, name in links
        if name in folders and name not in SKIPPED_FOLDERS:
            yield from _files_under(os.path.join(folder, name), path)


@dataclass
class Context:
    corpus: CleanTexts
    inventory_override: Path | None = None
    split_doc_ids: list[str] | None = None
    _inventories: dict[Path, Inventory] = field(default_factory=dict)
    _folders: dict[str, Path | None] = field(default_factory=dict)

    @property
    def max_bytes(self) -> int:
        """The largest file, or submission line, that is read: the cleaned texts' bound."""
        return self.corpus.max_bytes

    def inventory_for(
        self, path: str | Path, linked: bool | None = None
    ) -> tuple[Inventory | None, list[Problem]]:
        """The inventory of an annotation file (``linked``: whether it is a link, if known)."""
        location = self.inventory_override or self._inventory_location(path, linked)
        if location is None:
            return None, [
                Problem(str(path), "$", "read as an annotation file (.json), but no"
                        " inventory.json is beside or above it; name one with --inventory PATH"
                        " (such as annotations/inventory.json); a submission is checked as one"
                        " when named .jsonl (one document a line)")
            ]  # fmt: skip
        if location not in self._inventories:
            self._inventories[location], problems = inventory_at(location, self.max_bytes)
            return self._inventories[location], problems  # said once, for the first file
        return self._inventories[location], []

    def _inventory_location(self, path: str | Path, linked: bool | None) -> Path | None:
        """find_inventory, resolved once per folder (a link is looked up from its target)."""
        name = os.fspath(path)
        if os.path.islink(name) if linked is None else linked:
            return find_inventory(Path(name))
        folder = os.path.dirname(name)
        if folder not in self._folders:
            self._folders[folder] = find_inventory(Path(name))
        return self._folders[folder]


def is_submission_name(where: str) -> bool:
    """A .jsonl file is a submission, one document a line."""
    return os.path.splitext(where)[1] == ".jsonl"


def validate_file(path: str | Path, context: Context, linked: bool | None = None) -> list[Problem]:
    """Every problem of one file (``linked``: whether it is a link, when the caller knows).
    A well-formed annotation is checked from its path as a string: making a Path for each file
    took about 7% of a partition's time (py-spy, 10,000 files)."""
    where = os.fspath(path)
    if is_submission_name(where):
        return submission_problems(Path(where), context)
    data, problem = read_bounded(where, context.max_bytes)
    if problem:
        return [problem]
    assert data is not None
    if os.path.basename(where) != "inventory.json":
        try:
            document = lean_decoder("annotation").decode(data)
        except (msgspec.DecodeError, UnicodeDecodeError):
            pass  # not a well-formed annotation: the slow path says why
        else:
            inventory, inventory_errors = context.inventory_for(where, linked)
            return inventory_errors + document_problems(where, document, context.corpus, inventory)
    path = Path(where)
    try:
        value = decode_json(data)
    except JSONDefect as exc:
        return [
            json_lines_in_json_file(path, data) or Problem(str(path), exc.location, exc.message)
        ]
    kind = file_kind(path, value)
    if kind == "inventory":
        return inventory_problems(str(path), value)
    if kind == "clean-document":
        return clean_document_problems(str(path), value)
    inventory, inventory_errors = context.inventory_for(path, linked)
    _, problems = check_document_bytes(str(path), data, "annotation", context.corpus, inventory)
    return inventory_errors + problems


JSON_LINES_HINT = "expected JSON Lines: one document per line, each a JSON object"


def bounded_lines(handle: BinaryIO, limit: int) -> Iterator[bytes | int]:
    """The lines of a file, each with its line break; a line of more than ``limit`` bytes as
    its length instead, read past in pieces of ``limit`` bytes at most, so memory holds
    ``limit`` bytes whatever the file (iterating a file reads a whole line, however long)."""
    while line := handle.readline(limit + 1):
        if len(line) <= limit:
            yield line
            continue
        length = len(line)
        while not line.endswith(b"\n") and (line := handle.readline(limit + 1)):
            length += len(line)
        yield length


def _first_line(path: Path, limit: int) -> tuple[bytes, bool]:
    """The first non-blank line of a file and whether anything follows it; nothing for a line
    over ``limit`` bytes (reading the lines says it is too large)."""
    with path.open("rb") as handle:
        for line in bounded_lines(handle, limit):
            if isinstance(line, int):
                return b"", True
            if line.strip():
                rest = handle.read(4096)
                return line, bool(rest.strip())
    return b"", False


def json_lines_shape_problem(path: Path, limit: int = MAX_JSON_BYTES) -> Problem | None:
    """A file that is JSON but not JSON Lines (an array; documents spread over several lines),
    named in one problem that says how to write it, instead of one problem per line."""
    first_line, more = _first_line(path, limit)
    first_line = first_line.strip()
    if first_line.startswith(b"["):
        return Problem(str(path), "$", "found a JSON array; " + JSON_LINES_HINT + " (write each"
                       " element with json.dumps(document) followed by a line break)")  # fmt: skip
    if more and first_line.startswith(b"{") and _incomplete_json(first_line):
        return Problem(str(path), "line 1", "found a document spread over several lines"
                       " (pretty-printed JSON); " + JSON_LINES_HINT + " (json.dumps without"
                       " indent)")  # fmt: skip
    return None


def _incomplete_json(line: bytes) -> bool:
    """Is ``line`` the beginning of a JSON value that goes on past the line's end?"""
    try:
        decode_json(line)
    except JSONDefect as exc:
        return "truncated" in exc.message
    return False


def json_lines_in_json_file(path: Path, data: bytes) -> Problem | None:
    """A .json file holding one JSON document per line: a submission saved under the wrong
    name, said so instead of "invalid JSON: Extra data"."""
    lines = [line for line in data.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    try:
        first, second = decode_json(lines[0]), decode_json(lines[1])
    except JSONDefect:
        return None
    if not (isinstance(first, dict) and isinstance(second, dict) and "doc_id" in first):
        return None
    return Problem(str(path), "$", f"found {len(lines)} JSON documents, one a line (JSON Lines,"
                   " a submission) in a .json file, which is read as one annotation document;"
                   " name a submission .jsonl")  # fmt: skip


def submission_problems(path: Path, context: Context, engine: Engine = SERIAL) -> list[Problem]:
    """Stream a JSON Lines submission: memory holds one line, so only lines are bounded
    (by ``context.max_bytes``; the leaderboard bounds whole submissions, which come from
    strangers). On a parallel engine, runs of lines are checked as tasks; the problems come in
    the same order as in one process."""
    where = str(path)
    size = path.stat().st_size
    if size == 0:
        return [Problem(where, "$", "empty file")]
    shape = json_lines_shape_problem(path, context.max_bytes)
    if shape:
        return [shape]
    clean_dir = context.corpus.clean_dir
    if engine.in_process or clean_dir is None:  # texts held in memory stay in this process
        checked: Iterable[Iterable[CheckedLine]] = [check_lines(path, (0, size, 1), context)]
    else:
        ranges = line_ranges(path, LINES_PER_PARTITION)
        arguments = (path, clean_dir, context.max_bytes)
        checked = run_tasks(check_lines_partition, ranges, arguments, engine, "validate")
    problems: list[Problem] = []
    seen: Counter[str] = Counter()
    for lines in checked:
        for number, doc_id, found in lines:
            problems += found
            if doc_id is not None:
                seen[doc_id] += 1
                if seen[doc_id] == 2:
                    problems.append(
                        Problem(
                            f"{where}:{number}",
                            "$.doc_id",
                            f"document '{doc_id}' appears more than once",
                        )
                    )
    return problems + split_problems(where, seen, context)


CheckedLine = tuple[int, str | None, list[Problem]]  # line number, its doc_id, its problems
LineRange = tuple[int, int, int]  # first byte, byte after the last, number of the first line

# A submission line is checked in about 70 µs: a task of 4,096 lines outweighs its cost to the
# driver (about 6 ms, docs/scaling.md) as FILES_PER_PARTITION does.
LINES_PER_PARTITION = 4096


def line_ranges(path: Path, lines_per_range: int, block: int = 1 << 20) -> list[LineRange]:
    """The file cut after every ``lines_per_range`` line breaks, read once in blocks."""
    ranges: list[LineRange] = []
    start = offset = 0
    first = number = 1
    with path.open("rb") as handle:
        while data := handle.read(block):
            at = data.find(b"\n")
            while at != -1:
                number += 1
                if number - first == lines_per_range:
                    ranges.append((start, offset + at + 1, first))
                    start, first = offset + at + 1, number
                at = data.find(b"\n", at + 1)
            offset += len(data)
    if start < offset:
        ranges.append((start, offset, first))
    return ranges


def check_lines(path: Path, line_range: LineRange, context: Context) -> Iterator[CheckedLine]:
    """Each non-blank line of a range of a submission: its number, doc_id and problems."""
    start, end, number = line_range
    where = str(path)
    with path.open("rb") as handle:
        handle.seek(start)
        offset = start
        for line in bounded_lines(handle, context.max_bytes):
            line_where = f"{where}:{number}"
            if isinstance(line, int):
                too_large = over_limit(line, context.max_bytes)
                yield number, None, [Problem(line_where, "$", f"line too large ({too_large})")]
                offset += line
            else:
                offset += len(line)
                if line.strip():  # the line break left out: a JSON error is placed in the line
                    doc_id, found = check_document_bytes(
                        line_where, line.rstrip(b"\r\n"), "submission", context.corpus, None
                    )
                    yield number, doc_id if isinstance(doc_id, str) else None, found
            if offset >= end:
                break
            number += 1


def check_lines_partition(
    line_range: LineRange, path: Path, clean_dir: Path, max_bytes: int
) -> list[CheckedLine]:
    """A task: :func:`check_lines` with a context of its own."""
    return list(check_lines(path, line_range, Context(CleanTexts(clean_dir, max_bytes))))


def split_problems(where: str, seen: Counter[str], context: Context) -> list[Problem]:
    """The split's documents a submission lacks, and the corpus's it holds from another split."""
    if context.split_doc_ids is None:
        return []
    problems = []
    expected = set(context.split_doc_ids)
    for doc_id in sorted(expected - set(seen)):
        problems.append(Problem(where, "$", f"document '{doc_id}' of the split is missing"))
    for doc_id in sorted(set(seen) - expected):
        if context.corpus.text(doc_id) is not None:
            problems.append(
                Problem(where, "$", f"document '{doc_id}' is not in the requested split")
            )
    return problems


# Checking a file takes a fraction of a millisecond; a task costs the driver (which hosts a
# local cluster's scheduler) about 6 ms of CPU whatever its size (docs/scaling.md).
FILES_PER_PARTITION = 1024


def validate_partition(
    paths: Sequence[str | Path],
    clean_dir: Path,
    inventory: Path | None,
    split_doc_ids: list[str] | None,
    links: frozenset[str] | None = None,
    max_bytes: int = MAX_JSON_BYTES,
) -> list[list[Problem]]:
    """A task: each file's problems, in the order of ``paths``; ``links``: those of the paths
    that are symbolic links, when the caller knows (else each file is asked)."""
    context = Context(CleanTexts(clean_dir, max_bytes), inventory, split_doc_ids)
    if links is None:
        return [validate_file(path, context) for path in paths]
    return [validate_file(path, context, os.fspath(path) in links) for path in paths]


def validate_paths(
    targets: list[Path],
    clean_dir: Path,
    inventory: Path | None = None,
    split_doc_ids: list[str] | None = None,
    engine: Engine = SERIAL,
    max_bytes: int = MAX_JSON_BYTES,
) -> Report:
    """Validate files and folders; on a parallel engine, files are shared among workers in
    fixed partitions and their problems reported in the same order as in one process.
    ``max_bytes`` bounds each file, or submission line, read (a larger one is one problem)."""
    report = Report()
    context = Context(CleanTexts(clean_dir, max_bytes), inventory, split_doc_ids)
    if engine.in_process:
        for path, linked in _walk_names(targets):
            report.files += 1
            report.extend(validate_file(path, context, linked))
        return report
    files: list[str] = []  # the engine takes a list to partition
    links: set[str] = set()
    with shared_cluster(engine) as engine:
        for path, linked in _walk_names(targets):
            report.files += 1
            if is_submission_name(path):  # its lines are shared out, not the file
                report.extend(validate_files_on(engine, files, frozenset(links), context))
                files, links = [], set()
                report.extend(submission_problems(Path(path), context, engine))
                continue
            files.append(path)
            if os.path.islink(path) if linked is None else linked:
                links.add(path)
        report.extend(validate_files_on(engine, files, frozenset(links), context))
    return report


def validate_files_on(
    engine: Engine, files: list[str], links: frozenset[str], context: Context
) -> Iterator[Problem]:
    """The problems of files shared among the engine's workers in fixed partitions, in order."""
    if not files:
        return
    corpus = context.corpus
    arguments = (corpus.clean_dir, context.inventory_override, context.split_doc_ids, links,
                 corpus.max_bytes)  # fmt: skip
    parts = partitions(files, FILES_PER_PARTITION)
    for found in run_tasks(validate_partition, parts, arguments, engine, "validate"):
        for problems in found:
            yield from problems
