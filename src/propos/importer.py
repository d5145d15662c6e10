"""Import an external brat corpus: raw texts, cleaning, and annotations projected onto them.

`propos import brat DIR --out OUT` reads every ``.txt``/``.ann`` pair under DIR (and the
``*-urls.txt`` side files that map document ids to their pages), maps entity types through a
declared mapping file, flattens nested mentions to the outermost, cleans the texts with the
mapping's cleaning profile, and projects every mention through the offset map onto the cleaned
text. A mention that does not map cleanly (its line was removed, it straddles a removed
character, or its projected span breaks a span rule) is counted and listed, never shifted; so
is a mention whose annotation text differs from the .txt at its offsets (an invisible
right-to-left mark covered by the span), and the rest of its document is imported. A document
that cannot be read at all is listed as failed with its reason; documents the caller excludes
(``exclude``: the benchmark's own articles) are listed as skipped with theirs.
OUT becomes a Propos data root: corpus/raw, corpus/clean, annotations/gold,
annotations/inventory.json, and import-report.json.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from propos import textnorm
from propos.clean import clean_text, decode_raw, expand_offsets
from propos.clean_rules import PROFILES
from propos.errors import ProposError
from propos.fileio import read_json, sha256_bytes, sha256_text, write_atomic, write_json
from propos.interchange.brat import text_bound_spans
from propos.schema import ENTITY_TYPES, doc_id_problem
from propos.validate import CleanTexts, SpanView, document_problems, span_problem, view_of_dict

URL_FILE = re.compile(r".*-urls\.txt$")
SLUG_JUNK = re.compile(r"[^a-z0-9]+")
EXAMPLES_KEPT = 20


@dataclass
class Mapping:
    name: str
    types: dict[str, str]
    dropped: set[str]
    profile: str

    @classmethod
    def load(cls, path: Path) -> Mapping:
        data = read_json(path)
        try:
            mapping = cls(
                data["name"], dict(data["types"]), set(data["dropped"]), data["clean_profile"]
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ProposError(
                f"{path}: a mapping needs name, types, dropped, clean_profile"
            ) from exc
        unknown = sorted(str(t) for t in mapping.types.values() if t not in ENTITY_TYPES)
        if unknown:
            raise ProposError(f"{path}: types map onto unknown entity types {', '.join(unknown)}")
        if mapping.profile not in PROFILES:
            raise ProposError(f"{path}: unknown clean_profile {mapping.profile!r}")
        return mapping


@dataclass
class ImportReport:
    documents: int = 0
    source_mentions: Counter[str] = field(default_factory=Counter)
    kept_mentions: Counter[str] = field(default_factory=Counter)
    dropped_types: Counter[str] = field(default_factory=Counter)
    dropped_nested: int = 0
    dropped_overlapping: int = 0
    trimmed: int = 0
    unmapped: Counter[str] = field(default_factory=Counter)
    unmapped_examples: list[dict[str, Any]] = field(default_factory=list)
    imported_documents: list[str] = field(default_factory=list)
    failed_documents: list[dict[str, str]] = field(default_factory=list)
    skipped_documents: list[dict[str, str]] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)

    def unmappable(self, reason: str, doc_id: str, span: tuple[int, int], text: str) -> None:
        self.unmapped[reason] += 1
        if len(self.unmapped_examples) < EXAMPLES_KEPT:
            self.unmapped_examples.append(
                {"doc_id": doc_id, "raw_span": list(span), "text": text, "reason": reason}
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "source_mentions": dict(sorted(self.source_mentions.items())),
            "kept_mentions": dict(sorted(self.kept_mentions.items())),
            "dropped_types": dict(sorted(self.dropped_types.items())),
            "dropped_nested": self.dropped_nested,
            "dropped_overlapping": self.dropped_overlapping,
            "trimmed_edges": self.trimmed,
            "unmappable": dict(sorted(self.unmapped.items())),
            "unmappable_examples": self.unmapped_examples,
            "imported_documents": self.imported_documents,
            "failed_documents": self.failed_documents,
            "skipped_documents": self.skipped_documents,
            "skipped_files": self.skipped_files,
        }


# ---------------------------------------------------------------- reading the brat corpus


def read_urls(source: Path) -> dict[str, str]:
    urls = {}
    for path in sorted(source.rglob("*-urls.txt")):
        for line in _utf8(path).splitlines():
            doc_id, _, url = line.partition("\t")
            if doc_id and url:
                urls[doc_id.strip()] = url.strip()
    return urls


def _utf8(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProposError(f"{path}: not UTF-8 (invalid byte at offset {exc.start})") from exc


def brat_pairs(source: Path) -> tuple[list[tuple[Path, Path]], list[Path]]:
    """(.txt, .ann) pairs of a brat corpus, and the .txt files without annotations (a licence,
    a readme), which are not documents."""
    pairs, skipped = [], []
    for text_path in sorted(source.rglob("*.txt")):
        if URL_FILE.fullmatch(text_path.name):
            continue
        ann_path = text_path.with_suffix(".ann")
        if ann_path.exists():
            pairs.append((text_path, ann_path))
        else:
            skipped.append(text_path)
    return pairs, skipped


# ---------------------------------------------------------------- mentions

_TEXT_BOUND = re.compile(r"(T\S*)\t(\S+) (\d+) (\d+)\t(.*)")


def drop_mismatched_mentions(ann: str, raw: str, doc_id: str, report: ImportReport) -> str:
    """``ann`` without the one-fragment text-bound lines whose text is not the .txt's at their
    offsets (an invisible character such as a right-to-left mark, U+200F, covered by the span
    but missing from the annotation's text): each such mention is counted as unmappable, and
    the rest of the document is imported. Other malformed lines are left for the brat reader,
    which refuses the document."""
    kept = []
    for line in ann.split("\n"):
        found = _TEXT_BOUND.fullmatch(line.rstrip("\r"))
        if found:
            start, end, covered = int(found[3]), int(found[4]), found[5]
            actual = raw[start:end]
            if start < end <= len(raw) and covered != actual:
                report.unmappable(
                    f"annotation text differs from the .txt ({_differences(covered, actual)})",
                    doc_id,
                    (start, end),
                    actual,
                )
                continue
        kept.append(line)
    return "\n".join(kept)


def _differences(covered: str, actual: str) -> str:
    extra = sorted(set(actual) - set(covered)) or sorted(set(covered) - set(actual))
    names = [f"U+{ord(c):04X}" for c in extra if unicodedata.category(c) in ("Cf", "Zs", "Cc")]
    return "invisible character " + ", ".join(names) if names else "other text"


def flatten(spans: list[tuple[int, int, str]], report: ImportReport) -> list[tuple[int, int, str]]:
    """Keep outermost mentions; of two partly overlapping ones keep the earlier (then longer)."""
    ordered = sorted(spans, key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for start, end, label in ordered:
        if kept and start < kept[-1][1]:
            if end <= kept[-1][1]:
                report.dropped_nested += 1
            else:
                report.dropped_overlapping += 1
            continue
        kept.append((start, end, label))
    return kept


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def project(
    raw_to_clean: dict[int, int], clean_offsets: list[int], start: int, end: int
) -> tuple[int, int] | None:
    """The cleaned span covering exactly the raw span's surviving characters, or None."""
    first, last = raw_to_clean.get(start), raw_to_clean.get(end - 1)
    if first is None or last is None or last < first:
        return None
    if any(not start <= clean_offsets[i] < end for i in range(first, last + 1)):
        return None
    return first, last + 1


def entity_id_for(label: str, surface: str) -> str:
    """WiNER has no identity layer: one id per (type, normalised surface), not gold identity."""
    folded = textnorm.normalize("NFKD", surface.casefold())
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    slug = SLUG_JUNK.sub("-", ascii_only).strip("-")[:48] or "x"
    digest = hashlib.sha256(f"{label}\t{surface.casefold()}".encode()).hexdigest()[:8]
    return f"E-{label.lower()}-{slug}-{digest}"


SPAN_RULES = ("white space", "quotation mark", "punctuation")


def span_rule_broken(problem: str) -> str:
    rule = next((name for name in SPAN_RULES if name in problem), "offsets")
    return f"projected span breaks the span rules ({rule} at its edge)"


# ---------------------------------------------------------------- one document


def import_document(
    text_path: Path, ann_path: Path, mapping: Mapping, report: ImportReport
) -> tuple[bytes, dict[str, Any], dict[str, Any]]:
    """(raw bytes, cleaned document, projected annotation) of one brat pair."""
    doc_id = text_path.stem
    bad_name = doc_id_problem(doc_id)
    if bad_name:
        raise ProposError(f"{text_path}: file name {bad_name}")
    data = text_path.read_bytes()
    raw, has_bom = decode_raw(data, str(text_path))
    ann = drop_mismatched_mentions(_utf8(ann_path), raw, doc_id, report)
    spans = []
    for _, label, start, end in text_bound_spans(ann, raw, str(ann_path)):
        report.source_mentions[label] += 1
        if label in mapping.dropped:
            report.dropped_types[label] += 1
            continue
        if label not in mapping.types:
            raise ProposError(
                f"{ann_path}: type '{label}' is neither mapped nor dropped in {mapping.name}"
            )
        trimmed = trim(raw, start, end)
        report.trimmed += trimmed != (start, end)
        if trimmed[0] < trimmed[1]:
            spans.append((*trimmed, mapping.types[label]))
    result = clean_text(raw, doc_id, str(text_path), 1 if has_bom else 0, mapping.profile)
    document = result.document
    text = document["text"]
    clean_offsets = expand_offsets(document["offset_map"])
    raw_to_clean: dict[int, int] = {}
    for clean_index, raw_index in enumerate(clean_offsets):
        if text[clean_index] != "\n":
            raw_to_clean.setdefault(raw_index, clean_index)
    entities = []
    for start, end, label in flatten(spans, report):
        projected = project(raw_to_clean, clean_offsets, start, end)
        if projected is None:
            report.unmappable(
                "not in the cleaned text or split by cleaning", doc_id, (start, end), raw[start:end]
            )
            continue
        surface = text[projected[0] : projected[1]]
        problem = span_problem(text, SpanView(*projected, surface), name=True)
        if problem:
            report.unmappable(span_rule_broken(problem), doc_id, (start, end), surface)
            continue
        report.kept_mentions[label] += 1
        entities.append(
            {"id": f"T{len(entities) + 1}", "start": projected[0], "end": projected[1],
             "text": surface, "type": label, "entity_id": entity_id_for(label, surface)}
        )  # fmt: skip
    annotation = {"doc_id": doc_id, "text_sha256": sha256_text(text), "entities": entities,
                  "quotes": [], "events": []}  # fmt: skip
    refused = document_problems(
        str(ann_path), view_of_dict(annotation), CleanTexts.from_texts({doc_id: text}), None
    )
    if refused:
        raise ProposError(f"{refused[0]} (not imported)")
    return data, document, annotation


def write_document(
    out: Path,
    mapping: Mapping,
    urls: dict[str, str],
    imported: tuple[bytes, dict[str, Any], dict[str, Any]],
    inventory: dict[str, dict[str, Any]],
) -> None:
    """Write one imported document (raw, cleaned, gold) and add its entities to ``inventory``."""
    data, document, annotation = imported
    doc_id = document["doc_id"]
    write_atomic(out / "corpus" / "raw" / f"{doc_id}.txt", data)
    document["source"] = {
        "file": f"corpus/raw/{doc_id}.txt", "format": "txt", "raw_sha256": sha256_bytes(data),
        "bom": data.startswith(b"\xef\xbb\xbf"), "line_endings": "LF",
        "offsets_refer_to": "raw text", "profile": mapping.profile,
    }  # fmt: skip
    if doc_id in urls:
        document["metadata"]["url"] = urls[doc_id]
    ordered = {"doc_id": doc_id, "source": document.pop("source"), **document}
    write_json(out / "corpus" / "clean" / f"{doc_id}.json", ordered)
    write_json(out / "annotations" / "gold" / f"{doc_id}.json", annotation)
    for entity in annotation["entities"]:
        inventory.setdefault(
            entity["entity_id"],
            {"id": entity["entity_id"], "name": entity["text"], "type": entity["type"]},
        )


def import_brat(
    source: Path,
    out: Path,
    mapping: Mapping,
    progress: Callable[[int, int], None] | None = None,
    exclude: dict[str, str] | None = None,
) -> ImportReport:
    """Import every brat pair under ``source`` into ``out``, except the documents of
    ``exclude`` (document id -> reason), which are listed as skipped with their reason."""
    if not source.is_dir():
        raise ProposError(f"{source}: no such folder", exit_code=2)
    pairs, skipped = brat_pairs(source)
    if not pairs:
        raise ProposError(f"{source}: no brat .txt/.ann pairs found")
    urls = read_urls(source)
    report = ImportReport()
    report.skipped_files = [str(path.relative_to(source)) for path in skipped]
    inventory: dict[str, dict[str, Any]] = {}
    imported_from: dict[str, Path] = {}
    for number, (text_path, ann_path) in enumerate(pairs, start=1):
        if exclude and text_path.stem in exclude:
            report.skipped_documents.append(
                {"doc_id": text_path.stem, "reason": exclude[text_path.stem]}
            )
        else:
            try:
                if text_path.stem in imported_from:
                    raise ProposError(
                        f"{text_path}: document id {text_path.stem} was already imported from"
                        f" {imported_from[text_path.stem]}"
                    )
                imported = import_document(text_path, ann_path, mapping, report)
            except ProposError as exc:
                report.failed_documents.append({"doc_id": text_path.stem, "reason": str(exc)})
            else:
                imported_from[text_path.stem] = text_path
                write_document(out, mapping, urls, imported, inventory)
                report.documents += 1
                report.imported_documents.append(imported[1]["doc_id"])
        if progress:
            progress(number, len(pairs))
    entries = [inventory[key] for key in sorted(inventory)]
    write_json(
        out / "annotations" / "inventory.json",
        {"entities": entries, "events": [], "utterances": []},
    )
    write_json(out / "import-report.json", {"mapping": mapping.name, **report.as_dict()})
    return report
