"""Interchange formats: brat, Label Studio and CoNLL round trips, offsets, and bad input."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from propos.cli import app
from propos.corpus import Corpus
from propos.errors import ProposError
from propos.fileio import sha256_text
from propos.interchange import validate_annotation
from propos.interchange.brat import (
    ann_to_annotation,
    annotation_conf,
    annotation_to_ann,
    decode_event_type,
    encode_event_type,
    read_brat_document,
    write_brat_document,
)
from propos.interchange.conll import DOCSTART, bio_paragraphs, document_to_conll
from propos.interchange.labelstudio import (
    annotation_to_task,
    labeling_config,
    task_to_annotation,
    tasks_to_annotations,
)
from propos.schema import ARGUMENT_ROLES, ENTITY_TYPES, EVENT_TYPES, QUOTE_KINDS, REALIS_VALUES

CLEAN_DIR = Corpus.at(Path(__file__).resolve().parents[1]).clean_dir
CLEAN_FILES = sorted(CLEAN_DIR.glob("*.json"))
# The mechanical annotation below knows the press story's names; the gold covers every document.
PRESS_FILES = [path for path in CLEAN_FILES if not path.stem.startswith("wn-")]
GOLD_FILES = sorted((CLEAN_DIR.parents[1] / "annotations" / "gold").glob("*.json"))
REAL_DOC = "000_5637744c8eac245a"


# --------------------------------------------------------------------------- fixtures


def find(text: str, needle: str, occurrence: int = 1, within: str | None = None) -> dict:
    """The span of the n-th occurrence of ``needle`` (inside the first ``within``, if given)."""
    base = text.index(within) if within else 0
    scope = text[base : base + len(within)] if within else text
    start = -1
    for _ in range(occurrence):
        start = scope.index(needle, start + 1)
    start += base
    return {"start": start, "end": start + len(needle), "text": needle}


SYNTHETIC_TEXT = (
    "🇫🇷 Sommet : « Il n’y avait aucune animosité » : Poutine et Biden à Genève\n\n"
    "Le président russe Vladimir Poutine a déclaré mercredi que sa rencontre avec Joe Biden à"
    " la Villa La Grange, au bord du Léman, avait été « constructive ». 😀 « Nous ferons de"
    " notre mieux », a-t-il dit.\n\n"
    "Selon des experts, les cyberattaques viennent de Russie et frappent les États-Unis. Le"
    " Kremlin a répété que le traité New Start restait en vigueur.\n\n"
    "Paul Whelan, emprisonné à Moscou, pourrait faire l’objet d’un échange entre Moscou et"
    " Washington 🙂, a indiqué la Maison Blanche."
)


def synthetic_annotation() -> dict:
    """Every field used: all entity types, quote kinds and realis values, null cue/speaker and
    speaker_entity_id, repeated roles, an event without arguments; emoji before most spans."""
    t = SYNTHETIC_TEXT
    p2 = t.split("\n\n")[1]
    p4 = t.split("\n\n")[3]

    def entity(eid: str, span: dict, etype: str, entity_id: str) -> dict:
        return {"id": eid, **span, "type": etype, "entity_id": entity_id}

    entities = [
        entity("T1", find(t, "Poutine"), "PER", "E-vladimir-poutine"),
        entity("T2", find(t, "Biden"), "PER", "E-joe-biden"),
        entity("T3", find(t, "Genève"), "GPE", "E-geneve"),
        entity("T4", find(t, "Vladimir Poutine"), "PER", "E-vladimir-poutine"),
        entity("T5", find(t, "Joe Biden"), "PER", "E-joe-biden"),
        entity("T6", find(t, "Villa La Grange"), "FAC", "E-villa-la-grange"),
        entity("T7", find(t, "Léman"), "LOC", "E-leman"),
        entity("T8", find(t, "Russie"), "GPE", "E-russie"),
        entity("T9", find(t, "États-Unis"), "GPE", "E-etats-unis"),
        entity("T10", find(t, "Kremlin"), "ORG", "E-kremlin"),
        entity("T11", find(t, "New Start"), "MISC", "E-new-start"),
        entity("T12", find(t, "Paul Whelan"), "PER", "E-paul-whelan"),
        entity("T13", find(t, "Moscou"), "GPE", "E-moscou"),
        entity("T14", find(t, "Moscou", 2), "GPE", "E-moscou"),
        entity("T15", find(t, "Washington"), "GPE", "E-washington"),
        entity("T16", find(t, "Maison Blanche"), "ORG", "E-maison-blanche"),
    ]
    il = find(t, "-il dit", within=p2)
    quotes = [
        {
            "id": "Q1",
            "content": find(t, "Il n’y avait aucune animosité"),
            "kind": "direct",
            "cue": None,
            "speaker": None,
            "speaker_entity_id": "E-vladimir-poutine",
            "utterance_id": "U-no-animosity",
        },
        {
            "id": "Q2",
            "content": find(
                t,
                "sa rencontre avec Joe Biden à la Villa La Grange, au bord du Léman, avait été"
                " « constructive »",
            ),
            "kind": "mixed",
            "cue": find(t, "déclaré"),
            "speaker": find(t, "Vladimir Poutine"),
            "speaker_entity_id": "E-vladimir-poutine",
            "utterance_id": "U-constructive",
        },
        {
            "id": "Q3",
            "content": find(t, "Nous ferons de notre mieux"),
            "kind": "direct",
            "cue": find(t, "dit", within=p2[p2.index("a-t-il") :]),
            "speaker": {"start": il["start"] + 1, "end": il["start"] + 3, "text": "il"},
            "speaker_entity_id": "E-vladimir-poutine",
            "utterance_id": "U-best",
        },
        {
            "id": "Q4",
            "content": find(t, "les cyberattaques viennent de Russie et frappent les États-Unis"),
            "kind": "indirect",
            "cue": find(t, "Selon"),
            "speaker": find(t, "des experts"),
            "speaker_entity_id": None,
            "utterance_id": "U-experts-cyber",
        },
        {
            "id": "Q5",
            "content": find(t, "le traité New Start restait en vigueur"),
            "kind": "indirect",
            "cue": find(t, "répété"),
            "speaker": find(t, "Le Kremlin"),
            "speaker_entity_id": "E-kremlin",
            "utterance_id": "U-new-start",
        },
        {
            "id": "Q6",
            "content": find(
                t,
                "Paul Whelan, emprisonné à Moscou, pourrait faire l’objet d’un échange entre"
                " Moscou et Washington",
                within=p4,
            ),
            "kind": "indirect",
            "cue": find(t, "indiqué"),
            "speaker": find(t, "la Maison Blanche"),
            "speaker_entity_id": "E-maison-blanche",
            "utterance_id": "U-whelan-exchange",
        },
    ]

    def event(vid, trigger, etype, realis, event_id, arguments) -> dict:
        return {
            "id": vid,
            "trigger": trigger,
            "type": etype,
            "realis": realis,
            "event_id": event_id,
            "arguments": [{"entity": e, "role": r} for e, r in arguments],
        }

    events = [
        event("V1", find(t, "Sommet"), "Contact:Meet", "actual", "EV-geneva-summit", []),
        event(
            "V2",
            find(t, "rencontre"),
            "Contact:Meet",
            "actual",
            "EV-geneva-summit",
            [("T4", "participant"), ("T5", "participant"), ("T6", "place")],
        ),
        event(
            "V3",
            find(t, "cyberattaques"),
            "Conflict:Attack",
            "generic",
            "EV-cyberattacks",
            [("T8", "agent"), ("T9", "patient")],
        ),
        event(
            "V4",
            find(t, "emprisonné"),
            "Justice:Arrest-Jail",
            "actual",
            "EV-whelan-jail",
            [("T12", "patient"), ("T13", "place")],
        ),
        event(
            "V5",
            find(t, "échange"),
            "Transaction:Exchange",
            "other",
            "EV-prisoner-exchange",
            [("T14", "participant"), ("T12", "patient"), ("T15", "participant")],
        ),
    ]
    return {
        "doc_id": "999_synthetic",
        "text_sha256": sha256_text(t),
        "entities": entities,
        "quotes": quotes,
        "events": events,
    }


ENTITY_NAMES = {
    "PER": ["Vladimir Poutine", "Joe Biden", "Poutine", "Biden", "Alexeï Navalny", "Navalny",
            "Paul Whelan", "Anatoli Antonov", "Anatoly Antonov", "Antony Blinken"],
    "GPE": ["Genève", "Russie", "États-Unis", "Etats-Unis", "Moscou", "Washington", "Ukraine"],
    "ORG": ["Kremlin", "Maison Blanche", "Colonial Pipeline", "DarkSide"],
    "FAC": ["Villa La Grange"],
    "MISC": ["New Start", "New START", "Novichok"],
}  # fmt: skip
TRIGGERS = {
    "sommet": "Contact:Meet",
    "rencontre": "Contact:Meet",
    "consultations": "Contact:Negotiate",
    "échange": "Transaction:Exchange",
    "sanctions": "Conflict:Sanction",
    "cyberattaques": "Conflict:Attack",
    "retour": "Movement:Transport",
}
QUOTE_RE = re.compile(r"«\s*([^«»]+?)\s*»|“([^“”]+)”|\"([^\"]+)\"")
CUES = ("dit", "déclaré", "indiqué", "ajoutant", "souligné", "affirmé")


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def corpus_annotation(path: Path) -> tuple[dict, str]:
    """A (mechanical, not gold) annotation of a real cleaned document using every layer."""
    document = json.loads(path.read_text(encoding="utf-8"))
    text = document["text"]
    type_of = {name: etype for etype, names in ENTITY_NAMES.items() for name in names}
    names = sorted(type_of, key=len, reverse=True)
    name_re = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, names)) + r")(?!\w)")
    entities = [
        {
            "id": f"T{n}",
            "start": m.start(),
            "end": m.end(),
            "text": m.group(),
            "type": type_of[m.group()],
            "entity_id": "E-" + slug(m.group()),
        }
        for n, m in enumerate(name_re.finditer(text), start=1)
    ]
    paragraphs = [(p["start"], p["end"]) for p in document["paragraphs"]]

    def paragraph(offset: int) -> tuple[int, int]:
        return next(p for p in paragraphs if p[0] <= offset < p[1])

    quotes = []
    for n, m in enumerate(QUOTE_RE.finditer(text), start=1):
        group = next(g for g in (1, 2, 3) if m.group(g) is not None)
        start, end = m.start(group), m.end(group)
        while text[end - 1].isspace():
            end -= 1
        p_start, p_end = paragraph(start)
        cue = speaker = speaker_entity_id = None
        cue_match = re.compile(r"\b(" + "|".join(CUES) + r")\b").search(text, end, p_end)
        before = [e for e in entities if p_start <= e["start"] and e["end"] <= start]
        if n % 2 and cue_match:
            cue = {"start": cue_match.start(), "end": cue_match.end(), "text": cue_match.group()}
        if n % 3 and before:
            speaker = {k: before[-1][k] for k in ("start", "end", "text")}
            speaker_entity_id = before[-1]["entity_id"]
        quotes.append(
            {
                "id": f"Q{n}",
                "content": {"start": start, "end": end, "text": text[start:end]},
                "kind": QUOTE_KINDS[n % len(QUOTE_KINDS)],
                "cue": cue,
                "speaker": speaker,
                "speaker_entity_id": speaker_entity_id,
                "utterance_id": f"U-{path.stem[:3]}-{n}",
            }
        )
    trigger_re = re.compile(r"(?<!\w)(" + "|".join(TRIGGERS) + r")(?!\w)", re.IGNORECASE)
    events = []
    for n, m in enumerate(trigger_re.finditer(text), start=1):
        p_start, p_end = paragraph(m.start())
        nearby = [e for e in entities if p_start <= e["start"] < p_end][:3]
        events.append(
            {
                "id": f"V{n}",
                "trigger": {"start": m.start(), "end": m.end(), "text": m.group()},
                "type": TRIGGERS[m.group().lower()],
                "realis": REALIS_VALUES[n % len(REALIS_VALUES)],
                "event_id": f"EV-{path.stem[:3]}-{n}",
                "arguments": [
                    {"entity": e["id"], "role": ARGUMENT_ROLES[(n + i) % len(ARGUMENT_ROLES)]}
                    for i, e in enumerate(nearby)
                ],
            }
        )
    annotation = {
        "doc_id": document["doc_id"],
        "text_sha256": document["text_sha256"],
        "entities": entities,
        "quotes": quotes,
        "events": events,
    }
    validate_annotation(annotation, str(path))
    return annotation, text


def one_line_error(excinfo: pytest.ExceptionInfo[ProposError]) -> str:
    message = str(excinfo.value)
    assert "\n" not in message and message.strip() == message and message
    return message


# --------------------------------------------------------------------------- fixture sanity


def test_synthetic_annotation_uses_every_field() -> None:
    annotation = synthetic_annotation()
    validate_annotation(annotation, "synthetic")
    text = SYNTHETIC_TEXT
    assert {e["type"] for e in annotation["entities"]} == set(ENTITY_TYPES)
    assert {q["kind"] for q in annotation["quotes"]} == set(QUOTE_KINDS)
    assert {e["realis"] for e in annotation["events"]} == set(REALIS_VALUES)
    roles = {a["role"] for e in annotation["events"] for a in e["arguments"]}
    assert roles == set(ARGUMENT_ROLES)
    assert any(q["cue"] is None and q["speaker"] is None for q in annotation["quotes"])
    assert any(q["speaker_entity_id"] is None for q in annotation["quotes"])
    assert any(not e["arguments"] for e in annotation["events"])
    assert any(":" in e["type"] and "-" in e["type"] for e in annotation["events"])
    assert any(ord(c) > 0xFFFF for c in text[: annotation["entities"][0]["start"]])
    for span in [
        *annotation["entities"],
        *(q[p] for q in annotation["quotes"] for p in ("content", "cue", "speaker") if q[p]),
        *(e["trigger"] for e in annotation["events"]),
    ]:
        assert text[span["start"] : span["end"]] == span["text"]


def test_corpus_is_there() -> None:
    assert len(CLEAN_FILES) >= 5


# --------------------------------------------------------------------------- brat


def test_brat_event_type_encoding_is_reversible_and_brat_safe() -> None:
    names = [encode_event_type(t) for t in EVENT_TYPES]
    assert len(set(names)) == len(EVENT_TYPES)
    for event_type, name in zip(EVENT_TYPES, names, strict=True):
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name)
        assert decode_event_type(name) == event_type
    assert encode_event_type("Justice:Arrest-Jail") == "Justice__Arrest_Jail"
    assert decode_event_type("Contact:Meet") is None
    conf = annotation_conf()
    assert all(f"\n{name} " in conf for name in names)


def test_brat_round_trip_synthetic(tmp_path: Path) -> None:
    annotation = synthetic_annotation()
    text = SYNTHETIC_TEXT
    txt_path, ann_path = write_brat_document(annotation, text, tmp_path)
    # The .txt holds the text byte for byte.
    assert txt_path.read_bytes() == text.encode("utf-8")
    # brat offsets are code points: each T line's offsets select its text in the Python string.
    ann = ann_path.read_text(encoding="utf-8")
    t_lines = [line for line in ann.splitlines() if line.startswith("T")]
    assert len(t_lines) == 16 + 6 + 5 + 5 + 5  # entities, contents, cues, speakers, triggers
    for line in t_lines:
        _, middle, covered = line.split("\t")
        start, end = map(int, middle.split(" ")[1:])
        assert text[start:end] == covered
    assert "\tJustice__Arrest_Jail " in ann
    assert re.search(r"participant:T\d+ participant2:T\d+ place:T\d+", ann)
    back, back_text = read_brat_document(ann_path)
    assert back_text == text
    assert back == annotation


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.stem)
def test_brat_round_trip_gold(path: Path) -> None:
    annotation = json.loads(path.read_text(encoding="utf-8"))
    text = json.loads((CLEAN_DIR / path.name).read_text(encoding="utf-8"))["text"]
    ann = annotation_to_ann(annotation, text)
    assert ann_to_annotation(annotation["doc_id"], text, ann) == annotation


@pytest.mark.parametrize("path", PRESS_FILES, ids=lambda p: p.stem)
def test_brat_round_trip_corpus(path: Path, tmp_path: Path) -> None:
    annotation, text = corpus_annotation(path)
    assert annotation["entities"] and annotation["quotes"] and annotation["events"]
    ann = annotation_to_ann(annotation, text)
    assert ann_to_annotation(annotation["doc_id"], text, ann) == annotation
    _, ann_path = write_brat_document(annotation, text, tmp_path)
    assert read_brat_document(ann_path)[0] == annotation


def test_brat_span_with_line_break_round_trips() -> None:
    text = "😀 Il a dit : « bonjour\nà tous » hier."
    content = find(text, "bonjour\nà tous")
    annotation = {
        "doc_id": "998_multiline",
        "text_sha256": sha256_text(text),
        "entities": [],
        "quotes": [
            {
                "id": "Q1",
                "content": content,
                "kind": "direct",
                "cue": find(text, "dit"),
                "speaker": find(text, "Il"),
                "speaker_entity_id": None,
                "utterance_id": "U-hello",
            }
        ],
        "events": [],
    }
    ann = annotation_to_ann(annotation, text)
    s = content["start"]
    assert f"Quotation {s} {s + 7};{s + 8} {s + 14}\tbonjour à tous" in ann
    assert ann_to_annotation("998_multiline", text, ann) == annotation


def test_brat_import_assigns_ids_when_notes_have_none() -> None:
    text = "Poutine rencontre Biden."
    ann = (
        "T1\tPER 0 7\tPoutine\n"
        "#1\tAnnotatorNotes T1\tentity_id=E-vladimir-poutine\n"
        "T2\tPER 18 23\tBiden\n"
        "#2\tAnnotatorNotes T2\tid=T1b entity_id=E-joe-biden\n"
        "T3\tContact__Meet 8 17\trencontre\n"
        "E1\tContact__Meet:T3 participant:T1 participant2:T2\n"
        "A1\tRealis E1 actual\n"
        "#3\tAnnotatorNotes E1\tevent_id=EV-x\n"
    )
    annotation = ann_to_annotation("d", text, ann)
    assert [e["id"] for e in annotation["entities"]] == ["T1", "T1b"]
    assert annotation["events"][0]["id"] == "V1"
    assert annotation["events"][0]["arguments"] == [
        {"entity": "T1", "role": "participant"},
        {"entity": "T1b", "role": "participant"},
    ]


def exported_ann() -> tuple[str, list[str]]:
    annotation = synthetic_annotation()
    return SYNTHETIC_TEXT, annotation_to_ann(annotation, SYNTHETIC_TEXT).splitlines()


def import_lines(tmp_path: Path, lines: list[str]) -> None:
    (tmp_path / "999_synthetic.txt").write_bytes(SYNTHETIC_TEXT.encode("utf-8"))
    ann_path = tmp_path / "999_synthetic.ann"
    ann_path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    read_brat_document(ann_path)


def line_of(lines: list[str], pattern: str) -> int:
    return next(i for i, line in enumerate(lines) if re.search(pattern, line))


def test_brat_import_rejects_span_text_mismatch(tmp_path: Path) -> None:
    _, lines = exported_ann()
    index = line_of(lines, r"\tPER \d+ \d+\tVladimir Poutine$")
    lines[index] = lines[index].replace("\tVladimir Poutine", "\tVladimir Poutin")
    with pytest.raises(ProposError) as excinfo:
        import_lines(tmp_path, lines)
    message = one_line_error(excinfo)
    assert f"999_synthetic.ann:{index + 1}:" in message
    assert "does not match the .txt" in message and "'Vladimir Poutin'" in message


def test_brat_import_rejects_utf16_offsets(tmp_path: Path) -> None:
    """Offsets counted in UTF-16 units (two per emoji) are caught by the text check."""
    _, lines = exported_ann()
    index = line_of(lines, r"\tPER \d+ \d+\tPoutine$")
    _, middle, covered = lines[index].split("\t")
    start, end = map(int, middle.split(" ")[1:])
    utf16_start = len(SYNTHETIC_TEXT[:start].encode("utf-16-le")) // 2
    assert utf16_start != start
    lines[index] = f"T1\tPER {utf16_start} {utf16_start + end - start}\t{covered}"
    with pytest.raises(ProposError, match=rf"999_synthetic\.ann:{index + 1}: .*does not match"):
        import_lines(tmp_path, lines)


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        ("T99\tPER 33\tVladimir", "malformed offsets"),
        ("T99 PER 0 2 🇫🇷", "malformed line"),
        ("this is not brat", "malformed line"),
        ("E99\tContact__Meet", "malformed event"),
        ("R99\tQuoteCue Arg1:T17", "malformed relation"),
        ("T1\tPER 2 9\tPoutine", "id T1 already used on line 1"),
        ("N1\tReference T1 Wikidata:Q7747\tPoutine", "normalization annotations are not part"),
    ],
)
def test_brat_import_rejects_malformed_lines(tmp_path: Path, bad_line: str, expected: str) -> None:
    _, lines = exported_ann()
    lines.insert(3, bad_line)
    with pytest.raises(ProposError) as excinfo:
        import_lines(tmp_path, lines)
    message = one_line_error(excinfo)
    assert "999_synthetic.ann:4:" in message and expected in message


@pytest.mark.parametrize(
    ("pattern", "old", "new", "expected"),
    [
        (r"\tPER \d+ \d+\tBiden$", "\tPER ", "\tPERSON ", "unknown type 'PERSON'"),
        (r"\tContact__Meet \d+ \d+\tSommet$", "Contact__Meet", "Contact:Meet", "unknown type"),
        (r"^E\d+\tConflict__Attack", "Conflict__Attack:", "Conflict__Hack:", "unknown event type"),
        (r"^A\d+\tRealis E\d+ generic$", " generic", " maybe", "unknown Realis value 'maybe'"),
        (r"^A\d+\tKind T\d+ mixed$", " mixed", " partial", "unknown Kind value 'partial'"),
        (r"participant2:", "participant2:", "witness:", "unknown role 'witness'"),
        (r"^R\d+\tQuoteCue", "QuoteCue", "Cause", "unknown relation type 'Cause'"),
        (r"entity_id=E-joe-biden$", "entity_id=", "wikidata=", "unknown field 'wikidata'"),
        (r"id=T2 entity_id=E-joe-biden$", " entity_id=E-joe-biden", "", "no entity_id"),
        (r"^#\d+\tAnnotatorNotes E1\t", "id=V1 ", "id=T1 ", "id T1 is used twice"),
    ],
)
def test_brat_import_rejects_unknown_labels(
    tmp_path: Path, pattern: str, old: str, new: str, expected: str
) -> None:
    _, lines = exported_ann()
    index = line_of(lines, pattern)
    assert old in lines[index]
    lines[index] = lines[index].replace(old, new, 1)
    with pytest.raises(ProposError) as excinfo:
        import_lines(tmp_path, lines)
    message = one_line_error(excinfo)
    assert re.match(r".*999_synthetic\.ann:\d+: ", message), message
    assert expected in message


def test_brat_export_rejects_stale_annotation() -> None:
    annotation = synthetic_annotation()
    with pytest.raises(ProposError, match="text_sha256 does not match"):
        annotation_to_ann(annotation, SYNTHETIC_TEXT + " ")
    annotation["entities"][0]["text"] = "Poutin"
    with pytest.raises(ProposError, match=r"T1: text 'Poutin' does not match"):
        annotation_to_ann(annotation, SYNTHETIC_TEXT)


# --------------------------------------------------------------------------- Label Studio


def utf16(text: str, index: int) -> int:
    """Independent UTF-16 offset: the number of UTF-16 code units before code point ``index``."""
    return len(text[:index].encode("utf-16-le")) // 2


def test_labelstudio_offsets_are_utf16() -> None:
    annotation = synthetic_annotation()
    text = SYNTHETIC_TEXT
    task = annotation_to_task(annotation, text)
    expected = {e["id"]: e for e in annotation["entities"]}
    expected.update({q["id"]: q["content"] for q in annotation["quotes"]})
    expected.update({f"{q['id']}-cue": q["cue"] for q in annotation["quotes"] if q["cue"]})
    expected.update(
        {f"{q['id']}-speaker": q["speaker"] for q in annotation["quotes"] if q["speaker"]}
    )
    expected.update({e["id"]: e["trigger"] for e in annotation["events"]})
    units = text.encode("utf-16-le")
    regions = [item for item in task["annotations"][0]["result"] if item["type"] == "labels"]
    assert {item["id"] for item in regions} == set(expected)
    shifts = set()
    for item in regions:
        span, value = expected[item["id"]], item["value"]
        assert value["start"] == utf16(text, span["start"])
        assert value["end"] == utf16(text, span["end"])
        # What JavaScript's text.substring(start, end) gives:
        assert units[2 * value["start"] : 2 * value["end"]].decode("utf-16-le") == value["text"]
        shifts.add(value["start"] - span["start"])
    # Every span follows the flag (two astral code points), some also 😀 and 🙂.
    assert shifts == {2, 3, 4}
    assert task["data"] == {
        "text": text,
        "doc_id": "999_synthetic",
        "text_sha256": annotation["text_sha256"],
    }


def test_labelstudio_round_trip_synthetic() -> None:
    annotation = synthetic_annotation()
    task = json.loads(json.dumps(annotation_to_task(annotation, SYNTHETIC_TEXT)))
    back, text = task_to_annotation(task)
    assert text == SYNTHETIC_TEXT
    assert back == annotation


@pytest.mark.parametrize("path", CLEAN_FILES, ids=lambda p: p.stem)
def test_labelstudio_round_trip_corpus(path: Path) -> None:
    annotation, text = corpus_annotation(path)
    tasks = json.loads(json.dumps([annotation_to_task(annotation, text)]))
    [(back, back_text)] = tasks_to_annotations(tasks, "tasks.json")
    assert back_text == text
    assert back == annotation


def test_labelstudio_import_of_studio_made_regions() -> None:
    """Random region ids become conventional ids; relations may point either way."""
    text = "😀 Poutine a rencontré Biden."
    task = {
        "data": {"text": text, "doc_id": "d1"},
        "annotations": [
            {"was_cancelled": True, "result": []},
            {
                "result": [
                    {"id": "0gpIsb7s27", "from_name": "entity", "to_name": "text",
                     "type": "labels",
                     "value": {"start": 3, "end": 10, "text": "Poutine", "labels": ["PER"]}},
                    {"id": "0gpIsb7s27", "from_name": "entity_id", "to_name": "text",
                     "type": "textarea", "value": {"start": 3, "end": 10,
                                                   "text": ["E-vladimir-poutine"]}},
                    {"id": "_x9", "from_name": "event", "to_name": "text", "type": "labels",
                     "value": {"start": 13, "end": 22, "text": "rencontré",
                               "labels": ["Contact:Meet"]}},
                    {"id": "_x9", "from_name": "realis", "to_name": "text", "type": "choices",
                     "value": {"start": 13, "end": 22, "choices": ["actual"]}},
                    {"id": "_x9", "from_name": "event_id", "to_name": "text",
                     "type": "textarea", "value": {"start": 13, "end": 22, "text": ["EV-m"]}},
                    {"type": "relation", "from_id": "0gpIsb7s27", "to_id": "_x9",
                     "direction": "left", "labels": ["participant"]},
                ]
            },
        ],
    }  # fmt: skip
    annotation, _ = task_to_annotation(task)
    assert annotation["entities"] == [
        {"id": "T1", "start": 2, "end": 9, "text": "Poutine", "type": "PER",
         "entity_id": "E-vladimir-poutine"}
    ]  # fmt: skip
    assert annotation["events"][0]["id"] == "V1"
    assert annotation["events"][0]["trigger"] == {"start": 12, "end": 21, "text": "rencontré"}
    assert annotation["events"][0]["arguments"] == [{"entity": "T1", "role": "participant"}]


def ls_task() -> dict:
    return json.loads(json.dumps(annotation_to_task(synthetic_annotation(), SYNTHETIC_TEXT)))


def region(task: dict, rid: str, from_name: str | None = None) -> dict:
    return next(
        item
        for item in task["annotations"][0]["result"]
        if item.get("id") == rid and (from_name is None or item["from_name"] == from_name)
    )


def test_labelstudio_import_rejects_code_point_offsets() -> None:
    task = ls_task()
    entity = synthetic_annotation()["entities"][3]  # Vladimir Poutine, after the emoji flag
    value = region(task, "T4", "entity")["value"]
    value["start"], value["end"] = entity["start"], entity["end"]
    with pytest.raises(ProposError) as excinfo:
        task_to_annotation(task, "tasks.json: task 0")
    message = one_line_error(excinfo)
    assert message.startswith("tasks.json: task 0 (999_synthetic): region T4: text")
    assert "does not match the task text at UTF-16 offsets" in message


def test_labelstudio_import_rejects_offset_inside_surrogate_pair() -> None:
    task = ls_task()
    region(task, "T1", "entity")["value"]["start"] = 1  # between the two halves of 🇫
    with pytest.raises(ProposError, match=r"region T1: UTF-16 offset 1 .*surrogate pair"):
        task_to_annotation(task)


@pytest.mark.parametrize(
    ("rid", "from_name", "change", "expected"),
    [
        ("T2", "entity", {"labels": ["PERSON"]}, "unknown label 'PERSON'"),
        ("V1", "event", {"labels": ["Contact__Meet"]}, "unknown label 'Contact__Meet'"),
        ("V1", "realis", {"choices": ["maybe"]}, "realis must be one of actual, generic, other"),
        ("Q1", "kind", {"choices": []}, "kind must be one of direct, indirect, mixed"),
        ("T2", "entity_id", {"text": []}, "entity_id must hold exactly one value"),
        ("T2", "entity", {"text": "Bidon"}, "text 'Bidon' does not match"),
    ],
)
def test_labelstudio_import_rejects_bad_regions(
    rid: str, from_name: str, change: dict, expected: str
) -> None:
    task = ls_task()
    region(task, rid, from_name)["value"].update(change)
    with pytest.raises(ProposError) as excinfo:
        task_to_annotation(task, "tasks.json: task 0")
    message = one_line_error(excinfo)
    assert f"region {rid}" in message and expected in message


def test_labelstudio_import_rejects_bad_relations() -> None:
    task = ls_task()
    relation = next(
        item
        for item in task["annotations"][0]["result"]
        if item["type"] == "relation" and item["labels"] == ["place"]
    )
    relation["labels"] = ["location"]
    with pytest.raises(ProposError, match=r"an argument needs one role label"):
        task_to_annotation(task)
    task = ls_task()
    task["annotations"][0]["result"] = [
        item for item in task["annotations"][0]["result"] if item.get("from_id") != "Q2"
    ]
    with pytest.raises(ProposError, match=r"Cue region Q2-cue is not linked to a quotation"):
        task_to_annotation(task)


def test_labelstudio_config_names_every_label() -> None:
    config = labeling_config()
    for value in [*ENTITY_TYPES, *EVENT_TYPES, *ARGUMENT_ROLES, *QUOTE_KINDS, *REALIS_VALUES]:
        assert f'value="{value}"' in config
    for name in ("entity_id", "utterance_id", "speaker_entity_id", "event_id", "kind", "realis"):
        assert f'name="{name}"' in config


# --------------------------------------------------------------------------- CoNLL


def real_sentence_annotation() -> tuple[dict, str]:
    document = json.loads((CLEAN_DIR / f"{REAL_DOC}.json").read_text(encoding="utf-8"))
    text = document["text"]
    sentence = text.split("\n\n")[1]
    assert sentence.startswith("Le président russe Vladimir Poutine a indiqué mercredi")
    names = [("Vladimir Poutine", "PER"), ("Joe Biden", "PER"), ("Genève", "GPE")]
    entities = [
        {"id": f"T{n}", **find(text, name, within=sentence), "type": etype,
         "entity_id": "E-" + slug(name)}
        for n, (name, etype) in enumerate(names, start=1)
    ]  # fmt: skip
    annotation = {
        "doc_id": REAL_DOC,
        "text_sha256": document["text_sha256"],
        "entities": entities,
        "quotes": [],
        "events": [],
    }
    return annotation, text


EXPECTED_SENTENCE = """\
Le O
président O
russe O
Vladimir B-PER
Poutine I-PER
a O
indiqué O
mercredi O
que O
sa O
première O
rencontre O
avec O
son O
homologue O
américain O
Joe B-PER
Biden I-PER
à O
Genève B-GPE
avait O
été O
« O
constructive O
» O
, O
sur O
fond O
de O
tensions O
bilatérales O
. O
"""


def test_conll_bio_on_a_real_sentence() -> None:
    annotation, text = real_sentence_annotation()
    conll, warnings = document_to_conll(annotation, text)
    assert warnings == []
    blocks = conll.split("\n\n")
    assert blocks[0] == DOCSTART
    assert blocks[2] + "\n" == EXPECTED_SENTENCE
    # One block per paragraph of the cleaned document (its own paragraph list).
    document = json.loads((CLEAN_DIR / f"{REAL_DOC}.json").read_text(encoding="utf-8"))
    assert len([b for b in blocks[1:] if b.strip()]) == len(document["paragraphs"])
    assert conll.endswith(" O\n\n")
    assert all(
        re.fullmatch(r"\S+ (O|[BI]-(PER|ORG|GPE|LOC|FAC|MISC))", line)
        for line in conll.splitlines()[2:]
        if line
    )
    coarse, _ = document_to_conll(annotation, text, coarse=True)
    coarse_block = coarse.split("\n\n")[2] + "\n"
    assert coarse_block == EXPECTED_SENTENCE.replace("B-GPE", "B-LOC")


def test_conll_warns_about_mentions_off_token_boundaries() -> None:
    annotation, text = real_sentence_annotation()
    annotation["entities"][0]["end"] -= 3  # "Vladimir Pout"
    annotation["entities"][0]["text"] = annotation["entities"][0]["text"][:-3]
    paragraphs, warnings = bio_paragraphs(annotation, text)
    assert len(warnings) == 1 and "T1 'Vladimir Pout'" in warnings[0]
    assert ("Poutine", "I-PER") in paragraphs[1]


# --------------------------------------------------------------------------- command line


def invoke(*args: str):
    return CliRunner().invoke(app, ["convert", *(str(a) for a in args)])


def write_annotation(path: Path, annotation: dict) -> Path:
    path.write_text(json.dumps(annotation, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def synthetic_corpus(tmp_path: Path) -> Path:
    """A corpus folder holding the synthetic document: the commands get it as --root."""
    clean = tmp_path / "corpus" / "clean"
    clean.mkdir(parents=True)
    document = {"doc_id": "999_synthetic", "text": SYNTHETIC_TEXT,
                "text_sha256": sha256_text(SYNTHETIC_TEXT)}  # fmt: skip
    (clean / "999_synthetic.json").write_text(json.dumps(document), encoding="utf-8")
    return tmp_path


def test_cli_brat_round_trip_real_document(tmp_path: Path) -> None:
    # The landed gold: an import writes only what validates, which the mechanical
    # corpus_annotation (quotation kinds in turn, arguments across sentences) does not.
    gold = CLEAN_DIR.parents[1] / "annotations" / "gold" / f"{REAL_DOC}.json"
    annotation = json.loads(gold.read_text(encoding="utf-8"))
    source = write_annotation(tmp_path / f"{REAL_DOC}.json", annotation)
    result = invoke("to-brat", source, "--out", tmp_path / "brat")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "brat" / "annotation.conf").is_file()
    result = invoke("from-brat", tmp_path / "brat", "--out", tmp_path / "back")
    assert result.exit_code == 0, result.output
    back = json.loads((tmp_path / "back" / f"{REAL_DOC}.json").read_text(encoding="utf-8"))
    assert back == annotation


def test_cli_labelstudio_round_trip(synthetic_corpus: Path) -> None:
    tmp = synthetic_corpus
    source = write_annotation(tmp / "999_synthetic.json", synthetic_annotation())
    result = invoke(
        "to-labelstudio",
        "--root",
        tmp,
        source,
        "--out",
        tmp / "tasks.json",
        "--config",
        tmp / "config.xml",
    )
    assert result.exit_code == 0, result.output
    assert "<Labels" in (tmp / "config.xml").read_text(encoding="utf-8")
    result = invoke("from-labelstudio", "--root", tmp, tmp / "tasks.json", "--out", tmp / "back")
    assert result.exit_code == 0, result.output
    back = json.loads((tmp / "back" / "999_synthetic.json").read_text(encoding="utf-8"))
    assert back == synthetic_annotation()


def test_cli_to_conll(tmp_path: Path) -> None:
    annotation, _ = real_sentence_annotation()
    source = write_annotation(tmp_path / "a.json", annotation)
    result = invoke("to-conll", source, "--coarse", "--out", tmp_path / "out.conll")
    assert result.exit_code == 0, result.output
    conll = (tmp_path / "out.conll").read_text(encoding="utf-8")
    assert "Genève B-LOC\n" in conll and conll.startswith(DOCSTART + "\n\n")
    result = invoke("to-conll", source)
    assert result.exit_code == 0 and "Genève B-GPE\n" in result.stdout


def test_cli_reports_bad_ann_as_one_line(synthetic_corpus: Path) -> None:
    tmp = synthetic_corpus
    source = write_annotation(tmp / "999_synthetic.json", synthetic_annotation())
    assert invoke("to-brat", "--root", tmp, source, "--out", tmp / "brat").exit_code == 0
    ann_path = tmp / "brat" / "999_synthetic.ann"
    lines = ann_path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("\tPER ", "\tPERSON ")
    ann_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("from-brat", "--root", tmp, tmp / "brat", "--out", tmp / "back")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: {ann_path}:1: T1: unknown type 'PERSON'")
    assert not (tmp / "back").exists()


def test_cli_refuses_text_that_is_not_the_cleaned_text(synthetic_corpus: Path) -> None:
    tmp = synthetic_corpus
    source = write_annotation(tmp / "999_synthetic.json", synthetic_annotation())
    assert invoke("to-brat", "--root", tmp, source, "--out", tmp / "brat").exit_code == 0
    txt = tmp / "brat" / "999_synthetic.txt"
    txt.write_bytes(txt.read_bytes() + b"\n")
    result = invoke("from-brat", "--root", tmp, tmp / "brat", "--out", tmp / "back")
    assert result.exit_code == 1
    assert "text differs from the cleaned document" in result.stderr


def test_cli_rejects_invalid_annotation_file(synthetic_corpus: Path) -> None:
    tmp = synthetic_corpus
    annotation = copy.deepcopy(synthetic_annotation())
    annotation["events"][0]["type"] = "Contact:Greet"
    source = write_annotation(tmp / "bad.json", annotation)
    result = invoke("to-labelstudio", "--root", tmp, source, "--out", tmp / "tasks.json")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {source}: events[0].type: 'Contact:Greet' is not")
    assert result.stderr.count("\n") == 1
