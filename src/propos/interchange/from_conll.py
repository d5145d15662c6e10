"""Token-level IOB predictions to a submission: the bridge for systems that are not span-based.

Two inputs are read:

- **CoNLL columns** (what ``propos convert to-conll`` writes, or CoNLL-2003 files): one token
  a line, its tag in the last column (IOB2, IOB1 or IOBES, fine or coarse types), blank lines
  between sentences or paragraphs, ``-DOCSTART-`` lines between documents. The lines carry no
  offsets and no doc_id, so each document is found by its tokens: the document of the split
  whose text, white space removed, is the concatenation of the block's tokens. The tokens are
  then laid on that text in order, which gives their offsets whatever the tokenizer was.
- **Rows of the dataset's ``ner`` configuration** (JSON Lines or a JSON array, ``.json`` or
  ``.jsonl``), with the predicted tags in ``ner_tags`` (or another field): each row has its
  ``doc_id`` and ``token_starts``/``token_ends``; integer tags are class ids of that field's
  names (``propos.build.FINE_TAGS`` or ``COARSE_TAGS``).

Chunks are decoded as conlleval does (:func:`propos.tokenize.spans_from_bio`: an ``I-`` after
another type starts a chunk; ``E-``/``S-`` read as ``I-``/``B-``). Coarse types (PER, ORG, LOC,
MISC) are fine types too, so a coarse system is scored on the fine task with LOC for GPE and
FAC, and on the coarse task exactly. Every document of the split gets a line; a document with
no prediction gets no entities, and the caller is told which.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from propos import schema
from propos.errors import ProposError
from propos.fileio import sha256_text
from propos.tokenize import Token, spans_from_bio

DOCSTART = "-DOCSTART-"
_SPACE = re.compile(r"\s+")


@dataclass
class Block:
    """The tokens and tags of one document of a CoNLL file, with their line numbers."""

    first_line: int
    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def read_conll(path: Path) -> list[Block]:
    """The documents of a CoNLL file, split at ``-DOCSTART-`` lines."""
    blocks = [Block(1)]
    with path.open(encoding="utf-8") as handle:
        try:
            for number, line in enumerate(handle, start=1):
                columns = line.split()
                if not columns:
                    continue
                if columns[0] == DOCSTART:
                    blocks.append(Block(number))
                    continue
                if len(columns) < 2:
                    raise ProposError(
                        f"{path}:{number}: expected a token and its tag (columns separated by"
                        f" white space), found {_short(line.strip())}"
                    )
                block = blocks[-1]
                block.tokens.append(columns[0])
                block.tags.append(columns[-1])
                block.lines.append(number)
        except UnicodeDecodeError as exc:
            raise ProposError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    found = [block for block in blocks if block.tokens]
    if not found:
        raise ProposError(f"{path}: no token lines (expected `token tag` lines)", exit_code=1)
    return found


def _short(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def entity_label(tag: str, where: str) -> str:
    """The IOB2 form of one tag, its type checked against the schema's entity types."""
    if tag == "O":
        return tag
    prefix, dash, label = tag.partition("-")
    if not dash or prefix not in ("B", "I", "E", "S") or label not in schema.ENTITY_TYPES:
        raise ProposError(
            f"{where}: tag {_short(tag)} is not O or B-/I-/E-/S- and an entity type"
            f" ({', '.join(schema.ENTITY_TYPES)})"
        )
    return f"{'B' if prefix == 'S' else 'I' if prefix == 'E' else prefix}-{label}"


def _squeezed(text: str) -> str:
    return _SPACE.sub("", text)


def locate_block(
    path: Path, block: Block, by_content: Mapping[str, list[str]], taken: Collection[str]
) -> str:
    """The doc_id of the document of the split whose text holds exactly the block's tokens."""
    candidates = [d for d in by_content.get("".join(block.tokens), []) if d not in taken]
    if not candidates:
        first = " ".join(block.tokens[:8])
        raise ProposError(
            f"{path}:{block.first_line}: the document starting {_short(first)} is not a document"
            " of the split (its tokens, joined, are no document's text without white space)"
        )
    return candidates[0]


def lay_tokens(path: Path, block: Block, text: str) -> list[Token]:
    """The tokens' offsets in ``text``, each token found after the previous one."""
    tokens, position = [], 0
    for token, number in zip(block.tokens, block.lines, strict=True):
        while position < len(text) and text[position].isspace():
            position += 1
        if not text.startswith(token, position):
            raise ProposError(
                f"{path}:{number}: token {_short(token)} is not the document's text at"
                f" {position} ({_short(text[position : position + len(token)])})"
            )
        tokens.append(Token(position, position + len(token), token))
        position += len(token)
    return tokens


def submission_line(doc_id: str, text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    entities = [
        {"id": f"T{number}", "start": start, "end": end, "text": text[start:end], "type": label}
        for number, (start, end, label) in enumerate(sorted(set(spans)), start=1)
    ]
    document = {"doc_id": doc_id, "text_sha256": sha256_text(text), "entities": entities,
                "quotes": [], "events": []}  # fmt: skip
    return json.dumps(document, ensure_ascii=False) + "\n"


def conll_spans(path: Path, texts: Mapping[str, str]) -> dict[str, list[tuple[int, int, str]]]:
    """doc_id -> predicted entity spans, from a CoNLL file."""
    by_content: dict[str, list[str]] = {}
    for doc_id in sorted(texts):
        by_content.setdefault(_squeezed(texts[doc_id]), []).append(doc_id)
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for block in read_conll(path):
        doc_id = locate_block(path, block, by_content, spans.keys())
        tokens = lay_tokens(path, block, texts[doc_id])
        tags = [
            entity_label(tag, f"{path}:{line}")
            for tag, line in zip(block.tags, block.lines, strict=True)
        ]
        spans[doc_id] = spans_from_bio(tokens, tags)
    return spans


# ---------------------------------------------------------------- the ner configuration's rows


def _rows(path: Path) -> Iterator[tuple[str, Any]]:
    """(place, row) of a JSON Lines file or of a JSON array."""
    data = path.read_bytes()
    if data.lstrip().startswith(b"["):
        try:
            rows = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ProposError(f"{path}: invalid JSON ({exc})") from exc
        for index, row in enumerate(rows):
            yield f"{path}:$[{index}]", row
        return
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            try:
                yield f"{path}:{number}", json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise ProposError(
                    f"{path}:{number}: invalid JSON ({exc}); expected one `ner` row a line"
                ) from exc


def _tag_names(field_name: str) -> list[str]:
    from propos.build import COARSE_TAGS, FINE_TAGS

    return COARSE_TAGS if field_name == "coarse_tags" else FINE_TAGS


def ner_row_spans(
    path: Path, texts: Mapping[str, str], field_name: str = "ner_tags"
) -> dict[str, list[tuple[int, int, str]]]:
    """doc_id -> predicted entity spans, from rows of the ``ner`` configuration."""
    names = _tag_names(field_name)
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for where, row in _rows(path):
        if not isinstance(row, dict) or not {"doc_id", "token_starts", "token_ends"} <= set(row):
            raise ProposError(
                f"{where}: expected a row of the `ner` configuration (doc_id, token_starts,"
                f" token_ends, {field_name})"
            )
        doc_id = row["doc_id"]
        if doc_id not in texts:
            raise ProposError(f"{where}: document {_short(str(doc_id))} is not in the split")
        tags = row.get(field_name)
        if not isinstance(tags, list) or len(tags) != len(row["token_starts"]):
            raise ProposError(
                f"{where}: field {field_name!r} must list one tag per token"
                f" ({len(row['token_starts'])} tokens)"
            )
        text = texts[doc_id]
        offsets = list(zip(row["token_starts"], row["token_ends"], strict=False))
        if len(offsets) != len(tags) or not all(
            isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)
            for s, e in offsets
        ):
            raise ProposError(f"{where}: token_starts/token_ends are not offsets in the document")
        tokens = [Token(start, end, text[start:end]) for start, end in offsets]
        labels = [
            entity_label(names[tag] if isinstance(tag, int) and 0 <= tag < len(names)
                         else str(tag), where)
            for tag in tags
        ]  # fmt: skip
        spans.setdefault(doc_id, []).extend(spans_from_bio(tokens, labels))
    return spans


def iob_to_submission(
    path: Path, texts: Mapping[str, str], field_name: str = "ner_tags"
) -> tuple[str, list[str]]:
    """(the submission's JSON Lines, doc_ids of the split that had no prediction)."""
    if path.suffix in (".json", ".jsonl"):
        spans = ner_row_spans(path, texts, field_name)
    else:
        spans = conll_spans(path, texts)
    lines = [
        submission_line(doc_id, texts[doc_id], spans.get(doc_id, [])) for doc_id in sorted(texts)
    ]
    return "".join(lines), sorted(set(texts) - set(spans))
