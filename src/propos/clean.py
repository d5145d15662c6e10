"""Cleaning: raw scraped articles -> article text, metadata, quality flags and an offset map.

A cleaned document keeps the article's title, standfirst, subheadings and paragraphs in order,
separated by blank lines. Normalisation is minimal (NFC, white-space runs collapsed, lines
trimmed) and every character of the cleaned text maps back to a character of the raw text, so
an annotation can always be traced to the page it came from.
"""

from __future__ import annotations

import errno
import os
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from propos import clean_rules as rules
from propos import schema, textnorm, workdir
from propos.engine import SERIAL, Engine, partitions, run_tasks
from propos.errors import ProposError
from propos.fileio import (
    dump_json_bytes,
    naming,
    parse_json_bytes,
    read_file,
    read_json,
    read_whole,
    sha256_bytes,
    sha256_text,
    write_new,
)

NO_BREAK_SPACES = "\u00a0\u202f\u2007"
NO_BREAK_SPACE = re.compile(f"[{NO_BREAK_SPACES}]")
# Inside a line, the white space that collapsing changes: a run of two or more, or one
# character that is neither an ordinary nor a no-break space (each stays as it is). The
# pattern opens with \s alone so that sre skips ahead from one white-space character to the next.
WHITE_SPACE_TO_COLLAPSE = re.compile(f"\\s(?:\\s+|(?<=[^\\S {NO_BREAK_SPACES}]))")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
RAW_SUFFIXES = (".txt", ".html", ".htm")
PARAGRAPH_SEPARATOR = "\n\n"  # two characters: see assemble
KEY_PREFIX = 24  # characters of a comparison key that are compared before the whole key


@dataclass(slots=True)
class Line:
    """One line of the source text, normalised, with the source offsets of its characters.

    ``runs`` are [line position, raw offset, length]: stretches of the line whose characters
    come from consecutive raw characters (the offset map's format, relative to the line).
    """

    number: int
    source: str
    text: str
    runs: list[list[int]]
    newline_at: int | None
    status: str = "kept"  # kept | blank | removed | metadata
    rule: str = ""
    role: str = "paragraph"
    rewrites: tuple[str, ...] = ()  # the spacing rules that rewrote it

    nfc: bool = False  # the source line was NFC, so the text is
    plain: bool = False  # the text is the source: NFC, its only white space single spaces
    block: int = -1  # index of its run of non-blank lines (read_lines sets it; see blocks)
    key: str | None = None  # normalise_key(text), computed once when first asked for
    key_start: str | None = None  # its first KEY_PREFIX characters

    def has_at_most_words(self, limit: int) -> bool:
        """``word_count <= limit``, splitting no further than the limit."""
        return len(self.text.split(None, limit)) <= limit

    def comparison_key(self) -> str:
        if self.key is None:
            self.key = normalise_key(self.text, self.nfc)
        return self.key

    def key_prefix(self) -> str:
        """``comparison_key()[:KEY_PREFIX]``, from the first characters alone when it can be:
        casefolding maps each character on its own and never shortens the text."""
        if self.key_start is None:
            if self.key is None and self.plain:
                self.key_start = self.text[:KEY_PREFIX].casefold()[:KEY_PREFIX]
            else:
                self.key_start = self.comparison_key()[:KEY_PREFIX]
        return self.key_start


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
    if "\r" not in text:  # the usual text: one scan instead of three counts
        return "LF" if "\n" in text else "none"
    crlf = text.count("\r\n")
    lone_lf = text.count("\n") - crlf
    lone_cr = text.count("\r") - crlf
    kinds = [name for name, count in (("CRLF", crlf), ("LF", lone_lf), ("CR", lone_cr)) if count]
    return "+".join(kinds) if kinds else "none"


def split_lines(text: str, first: int = 0) -> tuple[list[str], list[int]]:
    """The lines of ``text`` from ``first`` on, and the width of the line break after each:
    1 for \\n or \\r, 2 for \\r\\n, 0 after a last line that no break ends."""
    body = text[first:] if first else text
    if "\r" in body:
        lines = LINE_BREAK.split(body)
        widths = [len(found) for found in LINE_BREAK.findall(body)]
    else:  # str.split runs at memory speed; the pattern tests each character
        lines = body.split("\n")
        widths = [1] * (len(lines) - 1)
    if lines[-1]:
        widths.append(0)
    else:
        lines.pop()  # a break ends the text: no line after it
    return lines, widths


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
    if is_nfc(chars):
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


def collapse_spaces(chars: str) -> tuple[str, list[tuple[int, int]]]:
    """Collapse each run of white space to one character and trim the ends.

    A run that holds a no-break space keeps that character (the source's typography stays);
    any other run becomes one ordinary space, which stands at the run's first position. Returns
    the text and the spans of ``chars`` its characters come from, in order.
    """
    if chars.isprintable() and "  " not in chars:
        # Only ordinary spaces, never two together (see has_single_spaces): only an end changes.
        start = int(chars.startswith(" "))
        end = max(start, len(chars) - int(chars.endswith(" ")))
        return chars[start:end], [(start, end)] if end > start else []
    # str.strip and \s agree on what white space is (Py_UNICODE_ISSPACE).
    done = len(chars) - len(chars.lstrip())
    last = len(chars.rstrip())
    if done >= last:
        return "", []
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    for run in WHITE_SPACE_TO_COLLAPSE.finditer(chars, done, last):
        start, end = run.span()
        parts.append(chars[done:start])
        spans.append((done, start))
        no_break = NO_BREAK_SPACE.search(chars, start, end)
        keep = no_break.start() if no_break else start
        parts.append(chars[keep] if no_break else " ")
        spans.append((keep, keep + 1))
        done = end
    parts.append(chars[done:last])
    spans.append((done, last))
    return "".join(parts), spans


def add_run(runs: list[list[int]], clean_start: int, raw_start: int, length: int) -> None:
    """Append ``length`` characters mapped from ``raw_start`` on, merged with the last run when
    both sides continue it (so the runs are the same whatever the pieces they come in)."""
    if runs:
        last = runs[-1]
        if last[0] + last[2] == clean_start and last[1] + last[2] == raw_start:
            last[2] += length
            return
    runs.append([clean_start, raw_start, length])


def normalise_line(source: str, start: int, is_nfc: bool = False) -> tuple[str, list[list[int]]]:
    """The line normalised, and its runs; ``is_nfc`` says the line is known to be NFC."""
    if is_nfc and has_single_spaces(source):  # the common case, spelt out
        return source, [[0, start, len(source)]] if source else []
    nfc_offsets: list[int] | None = None
    chars = source
    if not is_nfc:
        chars, nfc_offsets = nfc_with_offsets(source, list(range(start, start + len(source))))
    text, spans = collapse_spaces(chars)
    runs: list[list[int]] = []
    clean_at = 0
    for span_start, span_end in spans:
        if nfc_offsets is None:
            add_run(runs, clean_at, start + span_start, span_end - span_start)
        else:
            for position in range(span_start, span_end):
                add_run(runs, clean_at + position - span_start, nfc_offsets[position], 1)
        clean_at += span_end - span_start
    return text, runs


def is_nfc(text: str) -> bool:
    """Whether NFC leaves ``text`` as it is (checked in linear time)."""
    return not textnorm.has_long_mark_run(text) and unicodedata.is_normalized("NFC", text)


def normalise_key(text: str, is_nfc: bool = False) -> str:
    """The comparison key for repeated lines: case and every kind of white space folded;
    ``is_nfc`` says the text is known to be NFC."""
    normalised = text if is_nfc else textnorm.normalize("NFC", text)
    if not has_single_spaces(normalised):
        normalised = " ".join(normalised.split())
    return normalised.casefold()


def has_single_spaces(text: str) -> bool:
    """Whether the only white space of ``text`` is ordinary spaces, one between two words.

    Printable text holds no white space but the ordinary space (the others are Zs, Zl, Zp or
    Cc): a test at C speed where splitting and joining would build every word.
    """
    return (
        text.isprintable()
        and "  " not in text
        and not text.startswith(" ")
        and not text.endswith(" ")
    )


# ---------------------------------------------------------------- line classification


def read_lines(text: str, first: int) -> list[Line]:
    """The lines that hold something, numbered as in the text, each with its ``block``: the
    index of its run of lines with no blank line between them. An empty line is left out (it
    only separates blocks); a line of white space is kept as blank, for the report."""
    # Line breaks never take part in normalisation: an NFC text is NFC line by line.
    all_nfc = is_nfc(text)
    lines = []
    block = -1
    after_blank = True
    sources, break_widths = split_lines(text, first)
    next_start = first
    for number, (source, break_width) in enumerate(
        zip(sources, break_widths, strict=True), start=1
    ):
        start = next_start
        next_start = start + len(source) + break_width
        newline_at = next_start - 1 if break_width else None  # its break's last character
        if not source:
            after_blank = True
            continue
        if (  # the common line, nothing to normalise: has_single_spaces, spelt out
            all_nfc
            and source.isprintable()
            and "  " not in source
            and source[0] != " "
            and source[-1] != " "
        ):
            if after_blank:
                block += 1
                after_blank = False
            # Positional arguments: a third cheaper than keywords, for a Line made per line.
            plain = Line(number, source, source, [[0, start, len(source)]], newline_at,
                         "kept", "", "paragraph", (), True, True, block)  # fmt: skip
            lines.append(plain)
            continue
        normalised, runs = normalise_line(source, start, all_nfc)
        line = Line(number, source, normalised, runs, newline_at, nfc=all_nfc)
        if normalised:
            if after_blank:
                block += 1
                after_blank = False
            line.block = block
        else:
            line.status = "blank"
            line.rule = "blank_line"
            after_blank = True
        lines.append(line)
    return lines


def kept(lines: list[Line]) -> list[Line]:
    return [line for line in lines if line.status == "kept"]


def blocks(lines: list[Line]) -> list[list[Line]]:
    """The runs of non-blank lines, in order (``read_lines`` gave each line its run's index).

    Rules only ever remove lines, never blank them, so the runs found before classification
    hold all along it.
    """
    found: list[list[Line]] = []
    for line in lines:
        if line.block == len(found):
            found.append([line])
        elif line.block >= 0:
            found[-1].append(line)
    return found


def drop(line: Line, status: str, rule: str) -> None:
    line.status = status
    line.rule = rule


def apply_weather_banners(found: list[list[Line]], metadata: dict[str, Any]) -> None:
    for block in found:
        if not rules.WEATHER_BANNER_OPENER.fullmatch(block[0].text):
            continue
        for line in block:
            date = rules.BANNER_DATE.fullmatch(line.text)
            if date:
                metadata["scrape_date"] = line.text
                drop(line, "metadata", "weather_banner_scrape_date")
            else:
                drop(line, "removed", "weather_banner")


def apply_related_blocks(found: list[list[Line]], profile: rules.Profile) -> None:
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


def apply_share_blocks(found: list[list[Line]], profile: rules.Profile) -> None:
    if not profile.share_blocks:
        return
    for block in found:
        if rules.SHARE_BLOCK_OPENER.fullmatch(block[0].text):
            for line in block:
                drop(line, "removed", "share_button_block")


def apply_line_rules(lines: list[Line], metadata: dict[str, Any], profile: rules.Profile) -> None:
    screen = profile.line_pattern
    for line in kept(lines):
        found = screen.fullmatch(line.text)
        if found is None:
            continue
        group = found.lastgroup or ""
        if group != "metadata":  # group r<i>: the i-th furniture rule
            drop(line, "removed", profile.line_rules[int(group[1:])].name)
            continue
        for rule in rules.METADATA_RULES:
            fields = rule.extract(line.text)
            if fields is not None:
                for key, value in fields.items():
                    metadata.setdefault(key, value)
                drop(line, "metadata", rule.name)
                break


def is_title_candidate(line: Line) -> bool:
    return line.has_at_most_words(rules.TITLE_MAX_WORDS) and not line.text.endswith(".")


def apply_title_rules(lines: list[Line], metadata: dict[str, Any]) -> None:
    remaining = kept(lines)
    if not remaining or not is_title_candidate(remaining[0]):
        return
    title = remaining[0]
    title.role = "title"
    metadata["title"] = title.text
    title_key = title.comparison_key()
    title_prefix = title.key_prefix()
    before_repeat: list[Line] = []
    for line in remaining[1:]:
        if line.key_prefix() == title_prefix and line.comparison_key() == title_key:
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
    """A line whose key is an earlier line's is removed.

    Equal keys have equal prefixes, so a full key is computed only for a line whose prefix an
    earlier line has: by then every earlier line with that prefix has its key in ``seen``.
    """
    first_with_prefix: dict[str, Line] = {}
    seen: set[str] = set()
    for line in kept(lines):
        earlier = first_with_prefix.setdefault(line.key_prefix(), line)
        if earlier is line:
            continue
        seen.add(earlier.comparison_key())
        key = line.comparison_key()
        if key in seen:
            drop(line, "removed", "repeated_paragraph")
        seen.add(key)


def is_prose(line: Line) -> bool:
    return (
        not line.has_at_most_words(rules.TRAILING_FURNITURE_MAX_WORDS)
        or rules.SENTENCE_END.search(line.text) is not None
    )


def apply_trailing_furniture_rule(lines: list[Line]) -> None:
    """Short, unpunctuated lines in the blocks after the last line of prose are furniture.

    The block (run of lines without a blank between them) that holds the last prose line is
    kept whole: a list that ends an article ("Bonnefond (3/6)", "Villeminot") is content.
    """
    remaining = kept(lines)
    last_prose = next((i for i in reversed(range(len(remaining))) if is_prose(remaining[i])), -1)
    prose_block = remaining[last_prose].block if last_prose >= 0 else -1
    for line in remaining[last_prose + 1 :]:
        attribution = rules.ATTRIBUTION_LINE.fullmatch(line.text) is not None
        if line.role != "title" and line.block != prose_block and not attribution:
            drop(line, "removed", "trailing_furniture")


def assign_roles(lines: list[Line]) -> None:
    for line in kept(lines):
        if line.role in ("title", "standfirst"):
            continue
        unpunctuated = line.text[-1] not in ".!?:;…»\"”'’)"
        if unpunctuated and line.has_at_most_words(rules.SUBHEADING_MAX_WORDS):
            line.role = "subheading"


def apply_spacing_rules(kept_lines: list[Line], profile: rules.Profile) -> None:
    """Delete the spaces the profile's rules point at; the line's rules are recorded."""
    for line in kept_lines:
        for rule in profile.spacing:
            if not holds_any(line.text, rule.literals):
                continue
            dropped = sorted(
                {
                    found.start(group)
                    for found in rule.compiled.finditer(line.text)
                    for group in ("drop", "drop2")
                    if group in rule.compiled.groupindex and found.start(group) >= 0
                }
            )
            if not dropped:
                continue
            line.text, line.runs = without_positions(line.text, line.runs, dropped)
            line.plain = False
            line.rewrites = (*line.rewrites, rule.name)


def without_positions(
    text: str, runs: list[list[int]], dropped: list[int]
) -> tuple[str, list[list[int]]]:
    """``text`` and its runs with the characters at the sorted positions ``dropped`` deleted."""
    bounds = [-1, *dropped, len(text)]
    kept_spans = [(after + 1, before) for after, before in pairwise(bounds) if before > after + 1]
    new_runs: list[list[int]] = []
    clean_at = 0
    index = 0
    for span_start, span_end in kept_spans:
        position = span_start
        while position < span_end:
            run_start, raw_start, length = runs[index]
            if run_start + length <= position:
                index += 1
                continue
            piece_end = min(span_end, run_start + length)
            add_run(new_runs, clean_at, raw_start + position - run_start, piece_end - position)
            clean_at += piece_end - position
            position = piece_end
    return "".join(text[a:b] for a, b in kept_spans), new_runs


def classify(lines: list[Line], metadata: dict[str, Any], profile: rules.Profile) -> None:
    found = blocks(lines)
    for block in found:
        if rules.BLOCK_OPENERS_SCREEN.fullmatch(block[0].text):
            apply_weather_banners(found, metadata)
            apply_related_blocks(found, profile)
            apply_share_blocks(found, profile)
            break
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


def quality_flags(
    lines: list[Line], kept_lines: list[Line], document_text: str
) -> list[dict[str, Any]]:
    """The flags of a document: its English furniture (removed), then the flags of its kept
    lines, whose ``document_text`` tells which patterns can match at all."""
    flags: list[dict[str, Any]] = [
        {
            "flag": "english_furniture",
            "line": line.number,
            "evidence": line.text,
            "note": "untranslated English page furniture (removed)",
        }
        for line in lines
        if line.rule in rules.ENGLISH_FURNITURE
    ]
    # A pattern none of whose literals the text holds matches none of its lines.
    scans = [scan for scan in QUALITY_SCANS if holds_any(document_text, scan[3])]
    for line in kept_lines:
        text = line.text
        for name, pattern, note, literals in scans:
            if not holds_any(text, literals):
                continue
            first = pattern.search(text)  # the usual line: one search, no iterator built
            if first is None:
                continue
            for found in pattern.finditer(text, first.start()):
                evidence = found.groupdict().get("kicker") or found.group(0)
                if name == "english_kicker" and english_share(evidence) < 0.5:
                    continue
                flags.append(
                    {"flag": name, "line": line.number, "evidence": evidence, "note": note}
                )
        if line.role == "title" and is_title_case(text):
            flags.append(
                {
                    "flag": "title_case_headline",
                    "line": line.number,
                    "evidence": text,
                    "note": "English-style Title Case, a sign of machine translation",
                }
            )
        has_guillemets = "«" in text or "»" in text  # far cheaper than counting
        if has_guillemets and text.count("«") != text.count("»"):
            flags.append(
                {
                    "flag": "unbalanced_guillemets",
                    "line": line.number,
                    "evidence": text[:80],
                    "note": "« and » do not pair up in this paragraph",
                }
            )
    return flags


def holds_any(text: str, literals: tuple[str, ...]) -> bool:
    """``any(literal in text for literal in literals)``, without a generator's cost."""
    for literal in literals:  # noqa: SIM110 (a generator costs more than the searches)
        if literal in text:
            return True
    return False


# (name, pattern, note, literals): a pattern without literals is tried on every line.
QUALITY_SCANS = tuple(
    (name, pattern, note, rules.QUALITY_LITERALS.get(name, ("",)))
    for name, pattern, note in rules.QUALITY_PATTERNS
)


# ---------------------------------------------------------------- assembly


def compress_offsets(offsets: list[int]) -> list[list[int]]:
    """[[clean_start, raw_start, length], ...]: runs where both sides advance together."""
    runs: list[list[int]] = []
    for clean_index, raw_index in enumerate(offsets):
        add_run(runs, clean_index, raw_index, 1)
    return runs


def expand_offsets(runs: list[list[int]]) -> list[int]:
    offsets: list[int] = []
    for _clean_start, raw_start, length in runs:
        offsets.extend(range(raw_start, raw_start + length))
    return offsets


def assemble(kept_lines: list[Line]) -> tuple[str, list[list[int]], list[dict[str, Any]]]:
    """The text of the kept lines, its offset map and its paragraphs: each line's runs are
    added once, so the cost is linear in the number of runs, whatever the number of paragraphs."""
    parts: list[str] = []
    offset_map: list[list[int]] = []
    paragraphs: list[dict[str, Any]] = []
    previous: Line | None = None
    start = 0
    for line in kept_lines:
        if previous is not None:
            # Both characters of the blank line between two paragraphs map onto the newline
            # ending the first (add_run spelt out: two calls a paragraph showed). The first
            # continues the paragraph's last run if that run ends at the newline; the second
            # comes back to the same raw character, so it always opens a run.
            newline_at = previous.newline_at
            assert newline_at is not None
            parts.append(PARAGRAPH_SEPARATOR)
            last = offset_map[-1]
            if last[0] + last[2] == start and last[1] + last[2] == newline_at:
                last[2] += 1
            else:
                offset_map.append([start, newline_at, 1])
            offset_map.append([start + 1, newline_at, 1])
            start += len(PARAGRAPH_SEPARATOR)
        text = line.text
        parts.append(text)
        runs = line.runs  # a kept line has text, so runs
        # Only a line's first run can continue the map's last one: its others start where
        # the line's previous run stopped short of continuing it.
        first_start, raw_start, length = runs[0]
        add_run(offset_map, start + first_start, raw_start, length)
        if len(runs) > 1:
            offset_map.extend([start + at, raw, size] for at, raw, size in runs[1:])
        paragraphs.append({"start": start, "end": start + len(text), "role": line.role})
        start += len(text)
        previous = line
    return "".join(parts), offset_map, paragraphs


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
    kept_lines = kept(lines)
    apply_spacing_rules(kept_lines, rule_set)
    text, offset_map, paragraphs = assemble(kept_lines)
    if not text:
        removed = sum(line.status in ("removed", "metadata") for line in lines)
        raise ProposError(f"{where}: nothing left after cleaning ({removed} lines removed)")
    document = {
        "doc_id": doc_id,
        "text_sha256": sha256_text(text),
        "text": text,
        "paragraphs": paragraphs,
        "metadata": metadata,
        "quality_flags": quality_flags(lines, kept_lines, text),
        "report": report(lines),
        "offset_map": offset_map,
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


def relative_posix(path: str | os.PathLike[str], root: Path | None) -> str:
    """``path`` relative to ``root`` (a file outside it, or no root: the path itself), with
    "/" between parts. The common case, a path that starts with the root's, is read from the
    strings: Path.relative_to took a sixth of the time of cleaning a short article."""
    whole = os.fspath(path)
    if root is not None:
        prefix = os.path.join(str(root), "")
        if whole.startswith(prefix) and prefix != os.sep:
            return whole[len(prefix) :].replace(os.sep, "/")
        with suppress(ValueError):
            return Path(whole).relative_to(root).as_posix()
    return Path(whole).as_posix()


def clean_file(
    path: str | os.PathLike[str],
    project_root: Path | None = None,
    profile: str = rules.DEFAULT_PROFILE,
) -> dict[str, Any]:
    # Strings, not Paths: at a few hundred microseconds a document, building Paths showed.
    where = os.fspath(path)
    with naming(where):
        data = read_file(where)
    raw_text, has_bom = decode_raw(data, where)
    doc_id, suffix = os.path.splitext(os.path.basename(where))
    bad_name = schema.doc_id_problem(doc_id)
    if bad_name:
        raise ProposError(f"{where}: file name {bad_name}")
    source_format = "html" if suffix.lower() in (".html", ".htm") else "txt"
    page_metadata: dict[str, Any] = {}
    if source_format == "html":
        source_text, page_metadata = extract_html(raw_text.lstrip("\ufeff"), where)
        first = 0
    else:
        source_text, first = raw_text, 1 if has_bom else 0
    result = clean_text(source_text, doc_id, where, first, profile)
    document = result.document
    source = {
        "file": relative_posix(where, project_root),
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


def raw_names(raw_dir: Path) -> list[str]:
    """The names of the raw files in ``raw_dir``, sorted: names, not paths, because a corpus
    of 100,000 files holds them all until the run is committed (a Path costs six times more)."""
    # A directory entry knows whether it is a file: no stat per file, as Path.is_file makes.
    with os.scandir(raw_dir) as entries:
        names = [
            entry.name
            for entry in entries
            if entry.is_file() and os.path.splitext(entry.name)[1].lower() in RAW_SUFFIXES
        ]
    return sorted(names)


class _AnchoredText(msgspec.Struct):
    """The one field of a gold file the frozen-text check needs; the rest is skipped."""

    text_sha256: Any = None


def frozen_hash(gold_dir: Path, doc_id: str) -> str | None:
    """The text hash a gold file anchors ``doc_id`` to, if there is one."""
    gold_file = os.path.join(gold_dir, f"{doc_id}.json")
    try:
        data = read_file(gold_file)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ProposError(f"{gold_file}: cannot read ({exc.strerror})") from exc
    try:
        value = msgspec.json.decode(data, type=_AnchoredText).text_sha256
    except (msgspec.DecodeError, msgspec.ValidationError):
        # Not a JSON object: the strict parser says where the JSON breaks, if it does.
        gold = parse_json_bytes(data, gold_file)
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


Cleaned = tuple[str, dict[str, Any] | None, str | None]  # (doc_id, document, error)


@dataclass(frozen=True)
class Staging:
    """Where the tasks of one clean run put their documents: ``folder``, the run's staging
    folder beside ``out_dir``, which the driver renames them from; ``gold_dir``, whose
    annotations anchor texts that must not change; whether ``out_dir`` existed when the run
    began (if not, it holds no document to compare with)."""

    folder: Path
    out_dir: Path
    gold_dir: Path
    out_dir_existed: bool = True


class Staged(NamedTuple):
    """What a task did with one document: ``error``, or whether it is ``unchanged`` in
    ``out_dir`` (else written into the staging folder) and whether it changes a text that a
    gold file anchors (``refused``). A tuple: one per document travels back from a task."""

    doc_id: str
    error: str | None = None
    unchanged: bool = False
    refused: bool = False


def stage_cleaned(cleaned: Cleaned, staging: Staging) -> Staged:
    """Write one cleaned document into the staging folder (in the task, so that only this
    small record, not the document, goes back to the driver), unless ``out_dir`` holds it."""
    doc_id, document, error = cleaned
    if error is not None or document is None:
        return Staged(doc_id, error=error or doc_id)
    anchored = frozen_hash(staging.gold_dir, doc_id)
    refused = anchored is not None and anchored != document["text_sha256"]
    name = f"{doc_id}.json"
    payload = dump_json_bytes(document)
    if staging.out_dir_existed and holds(os.path.join(staging.out_dir, name), payload):
        return Staged(doc_id, unchanged=True, refused=refused)
    staged_file = os.path.join(staging.folder, name)
    with naming(staged_file):
        write_new(staged_file, payload)
    return Staged(doc_id, refused=refused)


class RawFiles(NamedTuple):
    """A partition of the raw files: their folder, their names, and how to clean them."""

    folder: Path
    names: list[str]
    project_root: Path
    profile: str

    def __str__(self) -> str:
        """How an error names the partition (as the engine names a list's first item)."""
        first = self.folder / self.names[0] if self.names else self.folder
        return f"{first} (partition of {len(self.names)})"


def _clean_one(part: RawFiles, name: str) -> Cleaned:
    try:
        document = clean_file(os.path.join(part.folder, name), part.project_root, part.profile)
        return document["doc_id"], document, None
    except ProposError as exc:
        return os.path.splitext(name)[0], None, str(exc)


RAW_FILES_PER_PARTITION = 1024  # as validate.FILES_PER_PARTITION: tasks worth sending


def clean_partition(part: RawFiles, staging: Staging) -> list[Staged]:
    """A task: clean a partition of raw files and stage them."""
    return [stage_cleaned(_clean_one(part, name), staging) for name in part.names]


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
    names = raw_names(raw_dir)
    parts = [
        RawFiles(raw_dir, chunk, project_root, profile)
        for chunk in partitions(names, RAW_FILES_PER_PARTITION)
    ]
    stage = staged_by(clean_partition, parts, engine)
    return commit_cleaned(stage, len(names), out_dir, gold_dir, force, show_progress)


def staged_by(
    task: Callable[[Any, Staging], list[Staged]], parts: list[Any], engine: Engine
) -> Callable[[Staging], Iterator[Staged]]:
    """What `commit_cleaned` calls to run ``task`` on every partition into its staging folder:
    the tasks' records, one per document, in partition order."""

    def staged(staging: Staging) -> Iterator[Staged]:
        for found in run_tasks(task, parts, (staging,), engine, "clean"):
            yield from found

    return staged


def commit_cleaned(
    stage: Callable[[Staging], Iterable[Staged]],
    total: int,
    out_dir: Path,
    gold_dir: Path,
    force: bool = False,
    show_progress: bool = False,
) -> CleanRun:
    """Write cleaned documents, refusing to change a text that gold annotations anchor to.

    ``stage`` runs the tasks, which write into a staging folder beside ``out_dir``; only when
    no anchored text would change (or with ``force``) are the files renamed into place, so a
    refusal writes nothing and memory holds one small record per document. An ``out_dir``
    that did not exist is the staging folder renamed: one rename, not one a document.
    """
    from tqdm import tqdm

    run = CleanRun()
    new_folder = not os.path.lexists(out_dir)
    staging = Staging(workdir.create(out_dir, "clean"), out_dir, gold_dir, not new_folder)
    staged: list[str] = []
    try:
        for found in tqdm(
            stage(staging), total=total, desc="clean", unit="doc", disable=not show_progress
        ):
            if found.error is not None:
                run.errors.append(found.error)
                continue
            if found.refused:
                run.refused.append(found.doc_id)
            if found.unchanged:
                run.unchanged.append(found.doc_id)
            else:
                staged.append(found.doc_id)
        if run.refused and not force:
            return run
        if not (new_folder and _renamed_whole(staging.folder, out_dir)):
            out_dir.mkdir(parents=True, exist_ok=True)
            for doc_id in staged:
                os.replace(staging.folder / f"{doc_id}.json", out_dir / f"{doc_id}.json")
        run.written.extend(staged)
        return run
    finally:
        workdir.discard(staging.folder)


def _renamed_whole(folder: Path, target: Path) -> bool:
    """Rename ``folder`` to ``target``, unless ``target`` has appeared meanwhile (another run
    wrote into it: its files are then replaced one by one, as in a folder that existed)."""
    try:
        os.rename(folder, target)
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR):
            return False
        raise
    return True


def holds(path: str | os.PathLike[str], payload: bytes) -> bool:
    """Whether the file at ``path`` exists and holds exactly ``payload``."""
    try:
        return read_whole(path, len(payload)) == payload  # None for a larger file
    except FileNotFoundError:
        return False


def load_clean(clean_dir: Path, doc_id: str) -> dict[str, Any]:
    path = clean_dir / f"{doc_id}.json"
    if not path.exists():
        raise ProposError(f"{path}: no cleaned document '{doc_id}' (run `propos clean`)")
    return read_json(path)
