"""Cleaning: raw scraped articles -> article text, metadata, quality flags and an offset map.

A cleaned document keeps the article's title, standfirst, subheadings and paragraphs in order,
separated by blank lines. Normalisation is minimal (NFC, white-space runs collapsed, lines
trimmed) and every character of the cleaned text maps back to a character of the raw text, so
an annotation can always be traced to the page it came from.
"""

from __future__ import annotations

import os
import unicodedata
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from propos import clean_rules as rules
from propos import schema, textnorm, workdir
from propos.engine import SERIAL, Engine, partitions, run_tasks
from propos.errors import ProposError
from propos.fileio import dump_json, naming, read_json, sha256_bytes, sha256_text

NO_BREAK_SPACES = "\u00a0\u202f\u2007"
RAW_SUFFIXES = (".txt", ".html", ".htm")
PARAGRAPH_SEPARATOR = "\n\n"


@dataclass
class Line:
    """One line of the source text, normalised, with the source offset of each character."""

    number: int
    source: str
    text: str
    offsets: list[int]
    newline_at: int | None
    status: str = "kept"  # kept | blank | removed | metadata
    rule: str = ""
    role: str = "paragraph"
    rewrites: list[str] = field(default_factory=list)

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass
class CleanResult:
    document: dict[str, Any]
    lines: list[Line] = field(default_factory=list)


# ---------------------------------------------------------------- decoding and line splitting


def decode_raw(data: bytes, where: str) -> tuple[str, bool]:
    """Decode UTF-8 strictly: the text (a BOM stays as character 0) and whether it had one."""
    if not data.strip():
        raise ProposError(f"{where}: empty file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProposError(
            f"{where}: not UTF-8 (invalid byte 0x{data[exc.start]:02x} at byte {exc.start})"
        ) from exc
    return text, text.startswith("\ufeff")


def line_endings(text: str) -> str:
    crlf = text.count("\r\n")
    lone_lf = text.count("\n") - crlf
    lone_cr = text.count("\r") - crlf
    kinds = [name for name, count in (("CRLF", crlf), ("LF", lone_lf), ("CR", lone_cr)) if count]
    return "+".join(kinds) if kinds else "none"


def split_lines(text: str, first: int = 0) -> Iterable[tuple[int, int, int | None]]:
    """Yield (start, end, newline position) for each line; the newline is \\n, \\r\\n or \\r."""
    start = first
    length = len(text)
    while start < length:
        end = start
        while end < length and text[end] not in "\r\n":
            end += 1
        if end >= length:
            yield start, end, None
            return
        newline_at = end + 1 if text.startswith("\r\n", end) else end
        yield start, end, newline_at
        start = newline_at + 1


# ---------------------------------------------------------------- normalisation with offsets


# A merged cluster never grows past this: natural compositions (Hangul L+V+T, a base and its
# marks) are a few characters long, and a cap keeps the pairwise check below linear.
MAX_CLUSTER = 4 * textnorm.MAX_NON_STARTERS


def _nfc_clusters(chars: str) -> list[tuple[int, int]]:
    """Split into runs that NFC can normalise independently (a starter and what follows it).

    A run of more than 30 marks is cut after every 30th (the stream-safe format of UAX #15):
    normalising one long run is quadratic in CPython.
    """
    cuts = set(textnorm.stream_safe_cuts(chars)) if textnorm.has_long_mark_run(chars) else set()
    bounds = [
        i for i, ch in enumerate(chars) if i == 0 or i in cuts or unicodedata.combining(ch) == 0
    ]
    runs = [(a, b) for a, b in zip(bounds, [*bounds[1:], len(chars)], strict=True)]
    merged: list[tuple[int, int]] = []
    for run in runs:
        if merged and run[0] not in cuts and run[1] - merged[-1][0] <= MAX_CLUSTER:
            prev = merged[-1]
            left, right = chars[prev[0] : prev[1]], chars[run[0] : run[1]]
            separate = unicodedata.normalize("NFC", left) + unicodedata.normalize("NFC", right)
            if separate != unicodedata.normalize("NFC", left + right):
                merged[-1] = (prev[0], run[1])
                continue
        merged.append(run)
    return merged


def nfc_with_offsets(chars: str, offsets: list[int]) -> tuple[str, list[int]]:
    if not textnorm.has_long_mark_run(chars) and unicodedata.is_normalized("NFC", chars):
        return chars, list(offsets)
    out_chars: list[str] = []
    out_offsets: list[int] = []
    for start, end in _nfc_clusters(chars):
        # Each output character takes the offset of the first unused source character equal
        # to it, or the cluster's start (a composed character).
        unused: dict[str, deque[int]] = {}
        for position in range(start, end):
            unused.setdefault(chars[position], deque()).append(position)
        for ch in unicodedata.normalize("NFC", chars[start:end]):
            positions = unused.get(ch)
            out_chars.append(ch)
            out_offsets.append(offsets[positions.popleft() if positions else start])
    return "".join(out_chars), out_offsets


def collapse_spaces(chars: str, offsets: list[int]) -> tuple[str, list[int]]:
    """Collapse each run of white space to one character and trim the ends.

    A run that holds a no-break space keeps that character (the source's typography stays);
    any other run becomes one ordinary space.
    """
    out_chars: list[str] = []
    out_offsets: list[int] = []
    i = 0
    while i < len(chars):
        if not chars[i].isspace():
            out_chars.append(chars[i])
            out_offsets.append(offsets[i])
            i += 1
            continue
        j = i
        while j < len(chars) and chars[j].isspace():
            j += 1
        if i > 0 and j < len(chars):
            keep = next((k for k in range(i, j) if chars[k] in NO_BREAK_SPACES), None)
            out_chars.append(chars[keep] if keep is not None else " ")
            out_offsets.append(offsets[keep if keep is not None else i])
        i = j
    return "".join(out_chars), out_offsets


def normalise_line(source: str, start: int) -> tuple[str, list[int]]:
    offsets = list(range(start, start + len(source)))
    text, offsets = nfc_with_offsets(source, offsets)
    return collapse_spaces(text, offsets)


def normalise_key(text: str) -> str:
    """The comparison key for repeated lines: case and every kind of white space folded."""
    return " ".join(textnorm.normalize("NFC", text).split()).casefold()


# ---------------------------------------------------------------- line classification


def read_lines(text: str, first: int) -> list[Line]:
    lines = []
    for number, (start, end, newline_at) in enumerate(split_lines(text, first), start=1):
        source = text[start:end]
        normalised, offsets = normalise_line(source, start)
        line = Line(number, source, normalised, offsets, newline_at)
        if not normalised:
            line.status = "blank"
            line.rule = "blank_line" if source else ""
        lines.append(line)
    return lines


def kept(lines: list[Line]) -> list[Line]:
    return [line for line in lines if line.status == "kept"]


def blocks(lines: list[Line]) -> list[list[Line]]:
    """Runs of non-blank lines."""
    found: list[list[Line]] = [[]]
    for line in lines:
        if line.status == "blank":
            if found[-1]:
                found.append([])
        else:
            found[-1].append(line)
    return [block for block in found if block]


def drop(line: Line, status: str, rule: str) -> None:
    line.status = status
    line.rule = rule


def apply_weather_banners(lines: list[Line], metadata: dict[str, Any]) -> None:
    for block in blocks(lines):
        if not rules.WEATHER_BANNER_OPENER.fullmatch(block[0].text):
            continue
        for line in block:
            date = rules.BANNER_DATE.fullmatch(line.text)
            if date:
                metadata["scrape_date"] = line.text
                drop(line, "metadata", "weather_banner_scrape_date")
            else:
                drop(line, "removed", "weather_banner")


def apply_related_blocks(lines: list[Line], profile: rules.Profile) -> None:
    found = blocks(lines)
    for index, block in enumerate(found):
        if not rules.RELATED_BLOCK_OPENER.fullmatch(block[0].text):
            continue
        removed = list(block)
        if profile.related_list_follows and len(block) == 1 and index + 1 < len(found):
            following = found[index + 1]
            if not any(is_sentence(line) for line in following):
                removed.extend(following)
        for line in removed:
            drop(line, "removed", "related_links_block")


def is_sentence(line: Line) -> bool:
    return rules.SENTENCE_END.search(line.text) is not None


def apply_share_blocks(lines: list[Line], profile: rules.Profile) -> None:
    if not profile.share_blocks:
        return
    for block in blocks(lines):
        if rules.SHARE_BLOCK_OPENER.fullmatch(block[0].text):
            for line in block:
                drop(line, "removed", "share_button_block")


def apply_line_rules(lines: list[Line], metadata: dict[str, Any], profile: rules.Profile) -> None:
    line_rules = rules.FURNITURE_RULES + profile.furniture
    for line in kept(lines):
        furniture = next((r for r in line_rules if r.matches(line.text)), None)
        if furniture is not None:
            drop(line, "removed", furniture.name)
            continue
        for rule in rules.METADATA_RULES:
            fields = rule.extract(line.text)
            if fields is not None:
                for key, value in fields.items():
                    metadata.setdefault(key, value)
                drop(line, "metadata", rule.name)
                break


def is_title_candidate(line: Line) -> bool:
    return line.word_count <= rules.TITLE_MAX_WORDS and not line.text.endswith(".")


def apply_title_rules(lines: list[Line], metadata: dict[str, Any]) -> None:
    remaining = kept(lines)
    if not remaining or not is_title_candidate(remaining[0]):
        return
    title = remaining[0]
    title.role = "title"
    metadata["title"] = title.text
    title_key = normalise_key(title.text)
    before_repeat: list[Line] = []
    for line in remaining[1:]:
        if normalise_key(line.text) == title_key:
            drop(line, "removed", "repeated_title")
            # What stands between a title and its repetition is the standfirst.
            for standfirst in before_repeat:
                standfirst.role = "standfirst"
            before_repeat = []
            continue
        before_repeat.append(line)
        bullet = rules.BULLET_PREFIX.match(line.text)
        if bullet and normalise_key(line.text[bullet.end() :]) == title_key:
            drop(line, "removed", "title_summary_bullet")


def apply_repetition_rule(lines: list[Line]) -> None:
    seen: set[str] = set()
    for line in kept(lines):
        key = normalise_key(line.text)
        if key in seen:
            drop(line, "removed", "repeated_paragraph")
        seen.add(key)


def is_prose(line: Line) -> bool:
    return (
        line.word_count > rules.TRAILING_FURNITURE_MAX_WORDS
        or rules.SENTENCE_END.search(line.text) is not None
    )


def apply_trailing_furniture_rule(lines: list[Line]) -> None:
    """Short, unpunctuated lines in the blocks after the last line of prose are furniture.

    The block (run of lines without a blank between them) that holds the last prose line is
    kept whole: a list that ends an article ("Bonnefond (3/6)", "Villeminot") is content.
    """
    block_of = {id(line): index for index, block in enumerate(blocks(lines)) for line in block}
    remaining = kept(lines)
    last_prose = max((i for i, line in enumerate(remaining) if is_prose(line)), default=-1)
    prose_block = block_of[id(remaining[last_prose])] if last_prose >= 0 else -1
    for line in remaining[last_prose + 1 :]:
        attribution = rules.ATTRIBUTION_LINE.fullmatch(line.text) is not None
        if line.role != "title" and block_of[id(line)] != prose_block and not attribution:
            drop(line, "removed", "trailing_furniture")


def assign_roles(lines: list[Line]) -> None:
    for line in kept(lines):
        if line.role in ("title", "standfirst"):
            continue
        unpunctuated = line.text[-1] not in ".!?:;…»\"”'’)"
        if line.word_count <= rules.SUBHEADING_MAX_WORDS and unpunctuated:
            line.role = "subheading"


def apply_spacing_rules(lines: list[Line], profile: rules.Profile) -> None:
    """Delete the spaces the profile's rules point at; the line's rules are recorded."""
    for line in kept(lines):
        for rule in profile.spacing:
            drops = sorted(
                found.start(group)
                for found in rule.compiled.finditer(line.text)
                for group in ("drop", "drop2")
                if group in rule.compiled.groupindex and found.start(group) >= 0
            )
            if not drops:
                continue
            dropped = set(drops)
            keep = [i for i in range(len(line.text)) if i not in dropped]
            line.text = "".join(line.text[i] for i in keep)
            line.offsets = [line.offsets[i] for i in keep]
            line.rewrites.append(rule.name)


def classify(lines: list[Line], metadata: dict[str, Any], profile: rules.Profile) -> None:
    apply_weather_banners(lines, metadata)
    apply_related_blocks(lines, profile)
    apply_share_blocks(lines, profile)
    apply_line_rules(lines, metadata, profile)
    apply_title_rules(lines, metadata)
    apply_repetition_rule(lines)
    apply_trailing_furniture_rule(lines)
    assign_roles(lines)


# ---------------------------------------------------------------- quality flags


def english_share(text: str) -> float:
    words = [w.strip(".,:;!?'’\"").lower() for w in text.split()]
    words = [w for w in words if w]
    if not words:
        return 0.0
    return sum(w in rules.ENGLISH_MARKERS for w in words) / len(words)


def is_title_case(text: str) -> bool:
    words = [w for w in text.split() if len(w) > 3 and w[0].isalpha()]
    return len(words) >= 4 and all(w[0].isupper() for w in words)


def quality_flags(lines: list[Line]) -> list[dict[str, Any]]:
    flags: list[dict[str, Any]] = []
    english_lines = [line for line in lines if rules.FURNITURE_LANGUAGE.get(line.rule) == "en"]
    for line in english_lines:
        flags.append(
            {
                "flag": "english_furniture",
                "line": line.number,
                "evidence": line.text,
                "note": "untranslated English page furniture (removed)",
            }
        )
    for line in kept(lines):
        for name, pattern, note in rules.QUALITY_PATTERNS:
            for found in pattern.finditer(line.text):
                evidence = found.groupdict().get("kicker") or found.group(0)
                if name == "english_kicker" and english_share(evidence) < 0.5:
                    continue
                flags.append(
                    {"flag": name, "line": line.number, "evidence": evidence, "note": note}
                )
        if line.role == "title" and is_title_case(line.text):
            flags.append(
                {
                    "flag": "title_case_headline",
                    "line": line.number,
                    "evidence": line.text,
                    "note": "English-style Title Case, a sign of machine translation",
                }
            )
        if line.text.count("«") != line.text.count("»"):
            flags.append(
                {
                    "flag": "unbalanced_guillemets",
                    "line": line.number,
                    "evidence": line.text[:80],
                    "note": "« and » do not pair up in this paragraph",
                }
            )
    return flags


# ---------------------------------------------------------------- assembly


def compress_offsets(offsets: list[int]) -> list[list[int]]:
    """[[clean_start, raw_start, length], ...]: runs where both sides advance together."""
    runs: list[list[int]] = []
    for clean_index, raw_index in enumerate(offsets):
        if runs:
            run = runs[-1]
            if run[1] + run[2] == raw_index and run[0] + run[2] == clean_index:
                run[2] += 1
                continue
        runs.append([clean_index, raw_index, 1])
    return runs


def expand_offsets(runs: list[list[int]]) -> list[int]:
    offsets: list[int] = []
    for _clean_start, raw_start, length in runs:
        offsets.extend(range(raw_start, raw_start + length))
    return offsets


def assemble(lines: list[Line]) -> tuple[str, list[int], list[dict[str, Any]]]:
    parts: list[str] = []
    offsets: list[int] = []
    paragraphs: list[dict[str, Any]] = []
    previous: Line | None = None
    start = 0
    for line in kept(lines):
        if previous is not None:
            # The blank line between two paragraphs maps onto the newline ending the first.
            assert previous.newline_at is not None
            parts.append(PARAGRAPH_SEPARATOR)
            offsets.extend([previous.newline_at] * len(PARAGRAPH_SEPARATOR))
            start += len(PARAGRAPH_SEPARATOR)
        parts.append(line.text)
        offsets.extend(line.offsets)
        paragraphs.append({"start": start, "end": start + len(line.text), "role": line.role})
        start += len(line.text)
        previous = line
    return "".join(parts), offsets, paragraphs


def report(lines: list[Line]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for line in lines:
        if line.status in ("removed", "metadata") or (line.status == "blank" and line.rule):
            action = "metadata" if line.status == "metadata" else "removed"
            entries.append(
                {"line": line.number, "action": action, "rule": line.rule, "text": line.source}
            )
        elif line.status == "kept" and line.text != line.source:
            entries.append(
                {
                    "line": line.number,
                    "action": "rewritten",
                    "rule": "+".join(["normalise", *line.rewrites]),
                    "text": line.source,
                    "result": line.text,
                }
            )
    return entries


def clean_text(
    source_text: str, doc_id: str, where: str, first: int = 0, profile: str = rules.DEFAULT_PROFILE
) -> CleanResult:
    """Clean one decoded source text; ``first`` skips a byte order mark."""
    metadata: dict[str, Any] = {}
    lines = read_lines(source_text, first)
    rule_set = rules.PROFILES[profile]
    classify(lines, metadata, rule_set)
    apply_spacing_rules(lines, rule_set)
    text, offsets, paragraphs = assemble(lines)
    if not text:
        removed = sum(line.status in ("removed", "metadata") for line in lines)
        raise ProposError(f"{where}: nothing left after cleaning ({removed} lines removed)")
    document = {
        "doc_id": doc_id,
        "text_sha256": sha256_text(text),
        "text": text,
        "paragraphs": paragraphs,
        "metadata": metadata,
        "quality_flags": quality_flags(lines),
        "report": report(lines),
        "offset_map": compress_offsets(offsets),
    }
    return CleanResult(document, lines)


def extract_html(html: str, where: str) -> tuple[str, dict[str, Any]]:
    """Main content of an HTML page with trafilatura: (title + text, page metadata)."""
    import trafilatura

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if extracted is None or not (extracted.text or "").strip():
        raise ProposError(f"{where}: no article content found in the HTML page")
    page_metadata = {
        key: value
        for key in ("title", "author", "date", "sitename", "hostname", "url", "description")
        if (value := getattr(extracted, key, None))
    }
    title = (extracted.title or "").strip()
    body = extracted.text.strip()
    source_text = f"{title}\n\n{body}" if title and not body.startswith(title) else body
    return source_text, page_metadata


def clean_file(
    path: Path, project_root: Path | None = None, profile: str = rules.DEFAULT_PROFILE
) -> dict[str, Any]:
    where = str(path)
    data = path.read_bytes()
    raw_text, has_bom = decode_raw(data, where)
    doc_id = path.stem
    bad_name = schema.doc_id_problem(doc_id)
    if bad_name:
        raise ProposError(f"{where}: file name {bad_name}")
    source_format = "html" if path.suffix.lower() in (".html", ".htm") else "txt"
    page_metadata: dict[str, Any] = {}
    if source_format == "html":
        source_text, page_metadata = extract_html(raw_text.lstrip("\ufeff"), where)
        first = 0
    else:
        source_text, first = raw_text, 1 if has_bom else 0
    result = clean_text(source_text, doc_id, where, first, profile)
    document = result.document
    relative = (
        path.relative_to(project_root)
        if project_root and path.is_relative_to(project_root)
        else path
    )
    source = {
        "file": relative.as_posix(),
        "format": source_format,
        "raw_sha256": sha256_bytes(data),
        "bom": has_bom,
        "line_endings": line_endings(raw_text),
        "offsets_refer_to": "raw text" if source_format == "txt" else "extracted text",
    }
    if profile != rules.DEFAULT_PROFILE:
        source["profile"] = profile
    if source_format == "html":
        source["extracted_text"] = source_text
        document["metadata"].update({f"page_{k}": v for k, v in page_metadata.items()})
    return {
        "doc_id": doc_id,
        "source": source,
        **{k: v for k, v in document.items() if k != "doc_id"},
    }


# ---------------------------------------------------------------- the corpus stage


def raw_files(raw_dir: Path) -> list[Path]:
    return sorted(p for p in raw_dir.iterdir() if p.is_file() and p.suffix.lower() in RAW_SUFFIXES)


def frozen_hash(gold_dir: Path, doc_id: str) -> str | None:
    gold_file = gold_dir / f"{doc_id}.json"
    if not gold_file.exists():
        return None
    gold = read_json(gold_file)
    value = gold.get("text_sha256") if isinstance(gold, dict) else None
    return value if isinstance(value, str) else None


@dataclass
class CleanRun:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def merge(self, other: CleanRun) -> None:
        for name in ("written", "unchanged", "errors", "refused"):
            getattr(self, name).extend(getattr(other, name))


def _clean_one(task: tuple[Path, Path, str]) -> tuple[str, dict[str, Any] | None, str | None]:
    path, project_root, profile = task
    try:
        return path.stem, clean_file(path, project_root, profile), None
    except ProposError as exc:
        return path.stem, None, str(exc)


RAW_FILES_PER_PARTITION = 64


def clean_partition(
    tasks: list[tuple[Path, Path, str]],
) -> list[tuple[str, dict[str, Any] | None, str | None]]:
    """A task: clean a partition of raw files, each with its project root and profile."""
    return [_clean_one(task) for task in tasks]


def _results(
    tasks: list[tuple[Path, Path, str]], engine: Engine
) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
    parts = partitions(tasks, RAW_FILES_PER_PARTITION)
    for found in run_tasks(clean_partition, parts, (), engine, "clean"):
        yield from found


def clean_corpus(
    raw_dir: Path,
    out_dir: Path,
    gold_dir: Path,
    project_root: Path,
    force: bool = False,
    profile: str = rules.DEFAULT_PROFILE,
    engine: Engine = SERIAL,
    show_progress: bool = False,
) -> CleanRun:
    """Clean every raw file; refuse to change a text that gold annotations are anchored to."""
    tasks = [(path, project_root, profile) for path in raw_files(raw_dir)]
    return commit_cleaned(
        _results(tasks, engine), len(tasks), out_dir, gold_dir, force, show_progress
    )


def commit_cleaned(
    results: Iterable[tuple[str, dict[str, Any] | None, str | None]],
    total: int,
    out_dir: Path,
    gold_dir: Path,
    force: bool = False,
    show_progress: bool = False,
) -> CleanRun:
    """Write cleaned documents, refusing to change a text that gold annotations anchor to.

    Results stream into a staging folder beside ``out_dir``; only when no anchored text would
    change (or with ``force``) are they renamed into place, so a refusal writes nothing and
    memory does not grow with the corpus.
    """
    from tqdm import tqdm

    run = CleanRun()
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = workdir.create(out_dir, "clean")
    staged: list[str] = []
    try:
        for doc_id, document, error in tqdm(
            results, total=total, desc="clean", unit="doc", disable=not show_progress
        ):
            if error is not None or document is None:
                run.errors.append(error or doc_id)
                continue
            anchored = frozen_hash(gold_dir, doc_id)
            if anchored is not None and anchored != document["text_sha256"]:
                run.refused.append(doc_id)
            payload = dump_json(document).encode("utf-8")
            target = out_dir / f"{doc_id}.json"
            if target.exists() and target.read_bytes() == payload:
                run.unchanged.append(doc_id)
                continue
            with naming(staging / f"{doc_id}.json"):
                (staging / f"{doc_id}.json").write_bytes(payload)
            staged.append(doc_id)
        if run.refused and not force:
            return run
        for doc_id in staged:
            os.replace(staging / f"{doc_id}.json", out_dir / f"{doc_id}.json")
            run.written.append(doc_id)
        return run
    finally:
        workdir.discard(staging)


def load_clean(clean_dir: Path, doc_id: str) -> dict[str, Any]:
    path = clean_dir / f"{doc_id}.json"
    if not path.exists():
        raise ProposError(f"{path}: no cleaned document '{doc_id}' (run `propos clean`)")
    return read_json(path)
