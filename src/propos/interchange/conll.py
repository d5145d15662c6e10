"""CoNLL-2003 style BIO export of the entity layer.

Format, for each document::

    -DOCSTART- O
    <blank line>
    Le O
    président O
    russe O
    Vladimir B-PER
    Poutine I-PER
    ...
    <blank line>          (one between paragraphs)

- One token per line: the token, one space, its tag. Tags are IOB2 (``B-`` on the first token
  of every mention, ``I-`` inside, ``O`` outside), the fine entity types by default or the
  coarse CoNLL types with ``coarse=True`` (``schema.COARSE_TYPE``: GPE/LOC/FAC -> LOC).
- Tokens are those of :func:`propos.tokenize.tokenize` (spaCy's blank French tokenizer, the
  tokenisation of the dataset's ``ner`` configuration); tags come from
  :func:`propos.tokenize.bio_tags` (a token is inside a mention when it overlaps it).
- The unit between blank lines is the paragraph (the cleaned text's blocks separated by a
  blank line: title, standfirst, subheadings, paragraphs), not the sentence: paragraphs are
  defined exactly by the cleaned text, so the export needs no sentence splitter and is
  reproducible; a mention never crosses one. Each document opens with ``-DOCSTART- O`` and
  a blank line, as in CoNLL-2003.
- A mention whose boundaries are not token boundaries (or that crosses a paragraph, or overlaps
  another mention, as a submission's may) cannot be written exactly: the export still tags the
  tokens and returns a warning.
- The input is annotation files or a submission (``.jsonl``), so predictions can be scored by
  token-level tools (seqeval); :mod:`propos.interchange.from_conll` reads such columns back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from propos.errors import ProposError
from propos.interchange import Annotation, check_annotation
from propos.schema import COARSE_TYPE
from propos.tokenize import Token, bio_tags, tokenize

DOCSTART = "-DOCSTART- O"


def paragraph_groups(text: str, tokens: Sequence[Token]) -> list[list[int]]:
    """Token indices grouped by paragraph: a blank line (two line breaks) starts a new one."""
    groups: list[list[int]] = []
    previous_end: int | None = None
    for index, token in enumerate(tokens):
        if previous_end is None or text.count("\n", previous_end, token.start) >= 2:
            groups.append([])
        groups[-1].append(index)
        previous_end = token.end
    return groups


def entity_label(entity_type: str, coarse: bool = False) -> str:
    return COARSE_TYPE[entity_type] if coarse else entity_type


def bio_paragraphs(
    annotation: Annotation, text: str, coarse: bool = False
) -> tuple[list[list[tuple[str, str]]], list[str]]:
    """(paragraphs of (token, tag) pairs, warnings) for one annotated document."""
    doc_id = annotation["doc_id"]
    check_annotation(annotation, text, doc_id)
    tokens = tokenize(text)
    for token in tokens:
        if any(char.isspace() for char in token.text):
            raise ProposError(
                f"{doc_id}: token {token.text!r} at {token.start} contains white space and"
                " cannot be written as a CoNLL column"
            )
    groups = paragraph_groups(text, tokens)
    paragraph_of = {index: number for number, group in enumerate(groups) for index in group}
    starts = {token.start for token in tokens}
    ends = {token.end for token in tokens}
    warnings = []
    for entity in annotation["entities"]:
        inside = [
            index
            for index, token in enumerate(tokens)
            if token.start < entity["end"] and token.end > entity["start"]
        ]
        if entity["start"] not in starts or entity["end"] not in ends:
            warnings.append(
                f"{doc_id}: {entity['id']} {entity['text']!r} ({entity['start']}-{entity['end']})"
                " does not fall on token boundaries; its BIO tags cover the overlapping tokens"
                f" {' '.join(tokens[i].text for i in inside)!r}"
            )
        elif inside and paragraph_of[inside[0]] != paragraph_of[inside[-1]]:
            warnings.append(f"{doc_id}: {entity['id']} {entity['text']!r} crosses a paragraph")
    warnings += overlap_warnings(doc_id, annotation["entities"])
    tags = bio_tags(
        tokens,
        [
            (entity["start"], entity["end"], entity_label(entity["type"], coarse))
            for entity in annotation["entities"]
        ],
    )
    paragraphs = [[(tokens[index].text, tags[index]) for index in group] for group in groups]
    return paragraphs, warnings


def overlap_warnings(doc_id: str, entities: list[dict]) -> list[str]:
    """Overlapping mentions (a submission may have them) cannot all be written in one BIO
    column: the later mention's tags replace the earlier one's where they overlap."""
    warnings, furthest = [], None
    for entity in sorted(entities, key=lambda e: (e["start"], e["end"])):
        if furthest is not None and entity["start"] < furthest["end"]:
            warnings.append(f"{doc_id}: {entity['id']} overlaps {furthest['id']}; BIO keeps one")
        if furthest is None or entity["end"] > furthest["end"]:
            furthest = entity
    return warnings


def document_to_conll(
    annotation: Annotation, text: str, coarse: bool = False
) -> tuple[str, list[str]]:
    """One document in CoNLL form (starting with ``-DOCSTART- O``), and the warnings."""
    paragraphs, warnings = bio_paragraphs(annotation, text, coarse)
    blocks = [DOCSTART + "\n"]
    blocks.extend("".join(f"{token} {tag}\n" for token, tag in group) for group in paragraphs)
    return "\n".join(blocks) + "\n", warnings


def to_conll(
    documents: Iterable[tuple[Annotation, str]], coarse: bool = False
) -> tuple[str, list[str]]:
    """Several documents in one CoNLL file, and the warnings of all of them."""
    parts, warnings = [], []
    for annotation, text in documents:
        part, found = document_to_conll(annotation, text, coarse)
        parts.append(part)
        warnings.extend(found)
    return "".join(parts), warnings
