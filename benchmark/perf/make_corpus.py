"""Build a synthetic scale corpus from real French news text.

    python benchmark/perf/make_corpus.py N OUT [--text winer|gold] [--paragraphs P]
                                         [--seed 0] [--noise 0.1]

``--text winer`` (the default) recombines the sentences of the WiNER-fr 2016 articles, read at
run time from ``../shared/external/winer-fr`` (never copied into the repository): each
paragraph is 1 to 4 random sentences, so almost no paragraph repeats and caches keyed on text
miss as they would on real input. Entity mentions are WiNER's, mapped and projected onto the
cleaned text by ``propos.importer`` (as ``propos ood`` does); the quotation and event layers
are synthetic: a direct quotation for each «...» of a sentence (the speaker a person of the
sentence), and an event on a word of some sentences with an entity, its arguments the
sentence's entities. ``--text gold`` recombines the annotated paragraphs of the committed
articles with their real layers (about 400 distinct texts: at scale, caches keyed on text
almost always hit).
``--paragraphs P`` gives every document exactly P paragraphs (the one-document size sweep).

writes, under OUT (a Propos data root: run other commands on it with --root OUT):

- corpus/raw/<doc_id>.txt: N articles, each a random selection of paragraphs between a share
  button and a comment prompt (furniture that cleaning removes);
- corpus/clean/<doc_id>.json: those articles cleaned by `propos clean`'s own code;
- annotations/gold/<doc_id>.json: the paragraphs' annotations, offsets shifted and ids
  renamed; annotations/inventory.json (every entity, event and utterance they point to);
- annotations/splits.json: every document in the test split;
- submission.jsonl: the gold with controlled noise (dropped, shifted, retyped and spurious
  mentions; changed speakers and realis), a realistic system output.

Everything written passes `propos validate`.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from propos import schema
from propos.clean import clean_text
from propos.corpus import Corpus
from propos.errors import ProposError
from propos.fileio import sha256_text
from propos.sentences import sentence_spans, sentence_starts

FURNITURE_TOP = "Partagez"
FURNITURE_BOTTOM = "Vos réactions"


@dataclass
class Block:
    """One real paragraph and the annotations that lie entirely inside it (relative offsets)."""

    text: str
    entities: list[dict[str, Any]]
    quotes: list[dict[str, Any]]
    events: list[dict[str, Any]]


def _inside(span: dict[str, Any] | None, start: int, end: int) -> bool:
    return span is None or (start <= span["start"] and span["end"] <= end)


def _shift(span: dict[str, Any] | None, delta: int) -> dict[str, Any] | None:
    if span is None:
        return None
    return {**span, "start": span["start"] + delta, "end": span["end"] + delta}


def blocks_of(clean: dict[str, Any], gold: dict[str, Any]) -> list[Block]:
    result = []
    for paragraph in clean["paragraphs"]:
        start, end = paragraph["start"], paragraph["end"]
        entities = [e for e in gold["entities"] if _inside(e, start, end)]
        kept_ids = {e["id"] for e in entities}
        quotes = [
            q
            for q in gold["quotes"]
            if all(_inside(q[part], start, end) for part in ("content", "cue", "speaker"))
        ]
        events = []
        for event in gold["events"]:
            if _inside(event["trigger"], start, end):
                arguments = [a for a in event["arguments"] if a["entity"] in kept_ids]
                events.append({**event, "arguments": arguments})
        result.append(
            Block(
                clean["text"][start:end],
                [_shift(e, -start) for e in entities],  # type: ignore[misc]
                [
                    {**q, **{p: _shift(q[p], -start) for p in ("content", "cue", "speaker")}}
                    for q in quotes
                ],
                [{**v, "trigger": _shift(v["trigger"], -start)} for v in events],
            )
        )
    return result


REPOSITORY = Path(__file__).resolve().parents[2]


def real_blocks(source: Corpus) -> tuple[list[Block], dict[str, Any]]:
    blocks: list[Block] = []
    for gold_path in sorted(source.gold_dir.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        clean = json.loads(source.clean_path(gold_path.stem).read_text(encoding="utf-8"))
        blocks += blocks_of(clean, gold)
    inventory = json.loads(source.inventory_file.read_text(encoding="utf-8"))
    return blocks, inventory


# ---------------------------------------------------------------- WiNER-fr sentences

SENTENCE_OPENING = re.compile(r"[«“\"A-ZÀ-ÝŒ]")  # what propos.sentences accepts after a break
QUOTED = re.compile(r"«\s*([^«»]+?)\s*»")
TRIGGER_WORD = re.compile(r"(?<!\w)[a-zàâçéèêëîïôûù]{5,}(?!\w)")
CONTENT_TRAILING = " ,.;:!?…"


@dataclass
class Pool:
    """Sentences with their layers, and the inventory their cluster ids point to."""

    sentences: list[Block]
    inventory: dict[str, list[dict[str, Any]]]


def winer_source() -> Path:
    return Corpus.at(REPOSITORY).external_dir / "winer-fr" / "2016"


def balanced(text: str) -> bool:
    return (
        text.count("«") == text.count("»")
        and text.count("“") == text.count("”")
        and text.count('"') % 2 == 0
    )


def recombinable(piece: str) -> bool:
    """Is ``piece`` one sentence that stays one sentence, and ends one, wherever it is put?"""
    return (
        len(piece) >= 20
        and "\n" not in piece
        and SENTENCE_OPENING.match(piece) is not None
        and sentence_starts(piece) == (0,)
        and len(sentence_starts(piece + " Le")) == 2
        and balanced(piece)
    )


def synthetic_quotes(
    piece: str, entities: list[dict[str, Any]], pool: Pool
) -> list[dict[str, Any]]:
    """A direct quotation for each «...» of the sentence, said by its first person, if any."""
    speakers = [e["entity_id"] for e in entities if e["type"] == "PER"]
    quotes = []
    for found in QUOTED.finditer(piece):
        start, end = found.span(1)
        while end > start and piece[end - 1] in CONTENT_TRAILING:
            end -= 1
        if end - start < 2:
            continue
        utterance = f"U-w{len(pool.inventory['utterances']) + 1}"
        speaker = speakers[0] if speakers else None
        pool.inventory["utterances"].append(
            {"id": utterance, "speaker_entity_id": speaker, "description": "synthetic"}
        )
        quotes.append(
            {"id": f"Q{len(quotes) + 1}", "content": {"start": start, "end": end,
             "text": piece[start:end]}, "kind": "direct", "cue": None, "speaker": None,
             "speaker_entity_id": speaker, "utterance_id": utterance}
        )  # fmt: skip
    return quotes


def synthetic_event(
    piece: str, entities: list[dict[str, Any]], pool: Pool, rng: random.Random
) -> list[dict[str, Any]]:
    """One event on a word outside every mention, its arguments up to two of the entities."""
    words = [
        w for w in TRIGGER_WORD.finditer(piece)
        if all(w.end() <= e["start"] or w.start() >= e["end"] for e in entities)
    ]  # fmt: skip
    if not entities or not words:
        return []
    word = rng.choice(words)
    event_type = rng.choice(schema.EVENT_TYPES)
    event_id = f"EV-w{len(pool.inventory['events']) + 1}"
    pool.inventory["events"].append(
        {"id": event_id, "type": event_type, "description": "synthetic"}
    )
    arguments = [
        {"entity": e["id"], "role": rng.choice(schema.ARGUMENT_ROLES)}
        for e in rng.sample(entities, k=min(2, len(entities)))
    ]
    trigger = {"start": word.start(), "end": word.end(), "text": word.group()}
    return [{"id": "V1", "trigger": trigger, "type": event_type,
             "realis": rng.choice(schema.REALIS_VALUES), "event_id": event_id,
             "arguments": arguments}]  # fmt: skip


def gold_problems(piece: str, block: Block) -> list[Any]:
    from propos.validate import CleanTexts, document_problems, view_of_dict

    annotation = {"doc_id": "s", "text_sha256": sha256_text(piece), "entities": block.entities,
                  "quotes": block.quotes, "events": block.events}  # fmt: skip
    texts = CleanTexts.from_texts({"s": piece})
    return document_problems("s", view_of_dict(annotation), texts, None)


def sentence_block(
    piece: str, entities: list[dict[str, Any]], pool: Pool, rng: random.Random
) -> Block | None:
    """The sentence with its mentions and synthetic layers; without the layers if they break a
    rule of the guidelines, None if its mentions do."""
    for number, entity in enumerate(entities, start=1):
        entity["id"] = f"T{number}"
    quotes = synthetic_quotes(piece, entities, pool)
    events = synthetic_event(piece, entities, pool, rng) if rng.random() < 0.5 else []
    block = Block(piece, entities, quotes, events)
    if gold_problems(piece, block):
        block = Block(piece, entities, [], [])
        if gold_problems(piece, block):
            return None
    return block


@cache
def winer_pool(source: Path) -> Pool:
    """Every recombinable sentence of the WiNER-fr articles under ``source``, with layers
    drawn by a fixed seed: the material is the same for every corpus, its recombination is not.
    Read once per process."""
    from propos.importer import ImportReport, Mapping, brat_pairs, import_document

    if not source.is_dir():
        raise SystemExit(f"error: {source}: no such folder (the WiNER-fr articles)")
    mapping = Mapping.load(REPOSITORY / "annotations" / "mappings" / "winer-fr.json")
    rng = random.Random(0)
    pool = Pool([], {"entities": [], "events": [], "utterances": []})
    known: set[str] = set()
    report = ImportReport()
    for text_path, ann_path in brat_pairs(source)[0]:
        try:
            _, document, annotation = import_document(text_path, ann_path, mapping, report)
        except ProposError:
            continue  # listed by `propos import brat`; a benchmark needs only the good ones
        text = document["text"]
        for start, end in sentence_spans(text):
            piece = text[start:end].rstrip()
            if not recombinable(piece):
                continue
            inside = [
                _shift(e, -start)
                for e in annotation["entities"]
                if start <= e["start"] and e["end"] <= start + len(piece)
            ]
            block = sentence_block(piece, inside, pool, rng)  # type: ignore[arg-type]
            if block is None:
                continue
            pool.sentences.append(block)
            for entity in block.entities:
                if entity["entity_id"] not in known:
                    known.add(entity["entity_id"])
                    pool.inventory["entities"].append(
                        {"id": entity["entity_id"], "name": entity["text"], "type": entity["type"]}
                    )
    if not pool.sentences:
        raise SystemExit(f"error: {source}: no WiNER-fr sentence could be used")
    return pool


def paragraph_of(sentences: list[Block]) -> Block:
    """Sentences joined by a space into one paragraph, their mentions renumbered."""
    text = " ".join(s.text for s in sentences)
    entities, quotes, events = [], [], []
    offset = 0
    for sentence in sentences:
        renamed: dict[str, str] = {}
        for entity in sentence.entities:
            renamed[entity["id"]] = f"T{len(entities) + 1}"
            entities.append({**_shift(entity, offset), "id": renamed[entity["id"]]})  # type: ignore[dict-item]
        for quote in sentence.quotes:
            quotes.append({**quote, "content": _shift(quote["content"], offset)})
        for event in sentence.events:
            arguments = [{**a, "entity": renamed[a["entity"]]} for a in event["arguments"]]
            events.append(
                {**event, "trigger": _shift(event["trigger"], offset), "arguments": arguments}
            )
        offset += len(sentence.text) + 1
    return Block(text, entities, quotes, events)


PLACEMENT_WINDOW = 3  # cleaned paragraphs looked at for each block: a dropped or changed one


def placements(
    text: str, spans: list[tuple[int, int]], chosen: list[Block]
) -> list[tuple[Block, int]]:
    """Each block whose paragraph survived cleaning intact, and where it starts in ``text``:
    blocks are matched in order to the next few cleaned paragraphs, so a block that cleaning
    dropped or changed never pulls the others to a later copy of its text."""
    placed = []
    index = 0
    for block in chosen:
        for candidate in range(index, min(index + PLACEMENT_WINDOW, len(spans))):
            start, end = spans[candidate]
            if text[start:end] == block.text:
                placed.append((block, start))
                index = candidate + 1
                break
    return placed


def annotate(
    text: str, chosen: list[Block], doc_id: str, spans: list[tuple[int, int]] | None = None
) -> dict[str, Any]:
    """Place each block's annotations where its paragraph stands in the cleaned text
    (``spans``: the cleaned paragraphs, by default the text's blank-line-separated blocks)."""
    if spans is None:
        spans, start = [], 0
        for part in text.split("\n\n"):
            spans.append((start, start + len(part)))
            start += len(part) + 2
    entities, quotes, events = [], [], []
    for block, offset in placements(text, spans, chosen):
        renamed: dict[str, str] = {}
        for entity in block.entities:
            renamed[entity["id"]] = f"T{len(entities) + 1}"
            entities.append({**_shift(entity, offset), "id": renamed[entity["id"]]})  # type: ignore[dict-item]
        for quote in block.quotes:
            shifted = {p: _shift(quote[p], offset) for p in ("content", "cue", "speaker")}
            quotes.append({**quote, **shifted, "id": f"Q{len(quotes) + 1}"})
        for event in block.events:
            arguments = [{**a, "entity": renamed[a["entity"]]} for a in event["arguments"]]
            events.append(
                {
                    **event,
                    "trigger": _shift(event["trigger"], offset),
                    "arguments": arguments,
                    "id": f"V{len(events) + 1}",
                }
            )
    return {
        "doc_id": doc_id,
        "text_sha256": sha256_text(text),
        "entities": entities,
        "quotes": quotes,
        "events": events,
    }


def noisy(gold: dict[str, Any], text: str, rng: random.Random, rate: float) -> dict[str, Any]:
    """A system-like prediction: some mentions dropped, shifted, retyped or invented."""
    prediction = copy.deepcopy(gold)
    entities = []
    for entity in prediction["entities"]:
        roll = rng.random()
        if roll < rate:
            continue
        if roll < 2 * rate:
            entity["type"] = rng.choice(schema.ENTITY_TYPES)
        elif roll < 3 * rate and " " in entity["text"]:
            # A boundary error on a token boundary (the last word dropped), so that scorers
            # working on tokens (seqeval on the BIO conversion) see the same error.
            entity["end"] = entity["start"] + entity["text"].rindex(" ")
            entity["text"] = text[entity["start"] : entity["end"]]
        entities.append(entity)
    kept = {e["id"] for e in entities}
    for event in prediction["events"]:
        event["arguments"] = [a for a in event["arguments"] if a["entity"] in kept]
        if rng.random() < rate:
            event["realis"] = rng.choice(schema.REALIS_VALUES)
        if rng.random() < rate:
            event["type"] = rng.choice(schema.EVENT_TYPES)
    prediction["events"] = [e for e in prediction["events"] if rng.random() >= rate]
    for quote in prediction["quotes"]:
        if rng.random() < rate:
            quote["speaker_entity_id"] = None
    prediction["quotes"] = [q for q in prediction["quotes"] if rng.random() >= rate]
    prediction["entities"] = entities + spurious_entities(text, entities, rng, rate)
    return prediction


def spurious_entities(
    text: str, entities: list[dict[str, Any]], rng: random.Random, rate: float
) -> list[dict[str, Any]]:
    taken = [(e["start"], e["end"]) for e in entities]
    found = []
    for index, word in enumerate(text.split(" ")[: max(1, int(len(entities) * rate * 3))]):
        if not word[:1].isupper() or not word.isalpha() or rng.random() > 0.5:
            continue
        start = text.find(" " + word + " ") + 1
        end = start + len(word)
        if start > 0 and all(end <= s or start >= e for s, e in taken):
            taken.append((start, end))
            found.append(
                {
                    "id": f"S{index}",
                    "start": start,
                    "end": end,
                    "text": word,
                    "type": rng.choice(schema.ENTITY_TYPES),
                    "entity_id": f"spurious-{index}",
                }
            )
    return found


TEXTS = ("winer", "gold")


class Paragraphs:
    """Draws the paragraphs of each document from the chosen text source."""

    def __init__(self, text: str, seed: int, source: Corpus | None, winer: Path | None) -> None:
        self.rng = random.Random(seed)
        if text == "gold":
            self.blocks, self.inventory = real_blocks(source or Corpus.at(REPOSITORY))
            self.sentences: list[Block] = []
        else:
            pool = winer_pool(winer or winer_source())
            self.blocks, self.sentences, self.inventory = [], pool.sentences, pool.inventory

    def draw(self, count: int | None) -> list[Block]:
        rng = self.rng
        wanted = count if count is not None else rng.randint(4, 12)
        if self.sentences:
            # distinct paragraphs: cleaning drops a paragraph that repeats an earlier one
            drawn: dict[str, Block] = {}
            while len(drawn) < wanted:
                paragraph = paragraph_of(rng.sample(self.sentences, k=rng.randint(1, 4)))
                drawn.setdefault(paragraph.text, paragraph)
            return list(drawn.values())
        if wanted <= len(self.blocks):
            return rng.sample(self.blocks, k=wanted)
        return rng.choices(self.blocks, k=wanted)


def make_corpus(
    count: int,
    out: Path,
    seed: int = 0,
    noise: float = 0.1,
    source: Corpus | None = None,
    text: str = "winer",
    paragraphs: int | None = None,
    winer: Path | None = None,
) -> None:
    """Write ``count`` documents under ``out``: ``text`` is "winer" or "gold" (module
    docstring); ``paragraphs`` fixes the number of paragraphs of every document."""
    drawer = Paragraphs(text, seed, source, winer)
    rng = drawer.rng
    for folder in ("corpus/raw", "corpus/clean", "annotations/gold"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    assignments = {}
    width = len(str(count))
    with (out / "submission.jsonl").open("w", encoding="utf-8") as submission:
        for number in range(count):
            doc_id = f"syn_{number:0{width}d}"
            chosen = drawer.draw(paragraphs)
            raw = "\n\n".join([FURNITURE_TOP, *(b.text for b in chosen), FURNITURE_BOTTOM]) + "\n"
            (out / "corpus/raw" / f"{doc_id}.txt").write_text(raw, encoding="utf-8")
            cleaned = clean_text(raw, doc_id, doc_id).document
            origin = {
                "file": f"corpus/raw/{doc_id}.txt",
                "format": "txt",
                "raw_sha256": sha256_text(raw),
                "bom": False,
                "line_endings": "LF",
                "offsets_refer_to": "raw text",
            }
            document = {
                "doc_id": doc_id,
                "source": origin,
                **{k: v for k, v in cleaned.items() if k != "doc_id"},
            }
            (out / "corpus/clean" / f"{doc_id}.json").write_text(
                json.dumps(document, ensure_ascii=False), encoding="utf-8"
            )
            spans = [(p["start"], p["end"]) for p in cleaned["paragraphs"]]
            gold = annotate(cleaned["text"], chosen, doc_id, spans)
            (out / "annotations/gold" / f"{doc_id}.json").write_text(
                json.dumps(gold, ensure_ascii=False), encoding="utf-8"
            )
            submission.write(
                json.dumps(noisy(gold, cleaned["text"], rng, noise), ensure_ascii=False) + "\n"
            )
            assignments[doc_id] = "test"
            if count >= 1000 and (number + 1) % (count // 10) == 0:
                print(f"make_corpus: {number + 1}/{count}", file=sys.stderr)
    (out / "corpus/sources.csv").write_text(
        "doc_id,outlet,country,language,machine_translated\n", encoding="utf-8"
    )
    (out / "annotations/inventory.json").write_text(
        json.dumps(drawer.inventory, ensure_ascii=False), encoding="utf-8"
    )
    splits = {"version": 1, "assignments": assignments, "groups": {}, "folds": []}
    (out / "annotations/splits.json").write_text(json.dumps(splits), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="number of documents")
    parser.add_argument("out", type=Path, help="output data root")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--noise", type=float, default=0.1, help="rate of each kind of error")
    parser.add_argument("--text", choices=TEXTS, default="winer", help="where the text comes from")
    parser.add_argument("--paragraphs", type=int, help="paragraphs per document (default 4-12)")
    parser.add_argument("--winer", type=Path, help="WiNER-fr articles (default: shared copy)")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("count must be at least 1")
    if args.paragraphs is not None and args.paragraphs < 1:
        parser.error("--paragraphs must be at least 1")
    make_corpus(args.count, args.out, args.seed, args.noise, text=args.text,
                paragraphs=args.paragraphs, winer=args.winer)  # fmt: skip


if __name__ == "__main__":
    main()
