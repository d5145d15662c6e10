"""Build a synthetic scale corpus from the real annotated paragraphs.

    python benchmark/perf/make_corpus.py N OUT [--seed 0] [--noise 0.1]

writes, under OUT (a Propos data root: run other commands on it with --root OUT):

- corpus/raw/<doc_id>.txt: N articles, each a random selection of distinct real paragraphs
  between a share button and a comment prompt (furniture that cleaning removes);
- corpus/clean/<doc_id>.json: those articles cleaned by `propos clean`'s own code;
- annotations/gold/<doc_id>.json: the real paragraphs' gold annotations, offsets shifted and
  ids renamed; annotations/inventory.json (the real inventory: cluster ids stay meaningful);
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
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from propos import schema
from propos.clean import clean_text
from propos.corpus import Corpus
from propos.fileio import sha256_text

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


def annotate(text: str, chosen: list[Block], doc_id: str) -> dict[str, Any]:
    """Place each block's annotations where its paragraph stands in the cleaned text."""
    entities, quotes, events = [], [], []
    cursor = 0
    for block in chosen:
        offset = text.find(block.text, cursor)
        if offset < 0 or (offset > 0 and text[offset - 2 : offset] != "\n\n"):
            continue  # the paragraph did not survive cleaning intact: leave its annotations out
        cursor = offset + len(block.text)
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


def make_corpus(
    count: int, out: Path, seed: int = 0, noise: float = 0.1, source: Corpus | None = None
) -> None:
    blocks, inventory = real_blocks(source or Corpus.at(REPOSITORY))
    rng = random.Random(seed)
    for folder in ("corpus/raw", "corpus/clean", "annotations/gold"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    assignments = {}
    width = len(str(count))
    with (out / "submission.jsonl").open("w", encoding="utf-8") as submission:
        for number in range(count):
            doc_id = f"syn_{number:0{width}d}"
            chosen = rng.sample(blocks, k=min(len(blocks), rng.randint(4, 12)))
            raw = "\n\n".join([FURNITURE_TOP, *(b.text for b in chosen), FURNITURE_BOTTOM]) + "\n"
            (out / "corpus/raw" / f"{doc_id}.txt").write_text(raw, encoding="utf-8")
            cleaned = clean_text(raw, doc_id, doc_id).document
            source = {
                "file": f"corpus/raw/{doc_id}.txt",
                "format": "txt",
                "raw_sha256": sha256_text(raw),
                "bom": False,
                "line_endings": "LF",
                "offsets_refer_to": "raw text",
            }
            document = {
                "doc_id": doc_id,
                "source": source,
                **{k: v for k, v in cleaned.items() if k != "doc_id"},
            }
            (out / "corpus/clean" / f"{doc_id}.json").write_text(
                json.dumps(document, ensure_ascii=False), encoding="utf-8"
            )
            gold = annotate(cleaned["text"], chosen, doc_id)
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
        json.dumps(inventory, ensure_ascii=False), encoding="utf-8"
    )
    splits = {"version": 1, "assignments": assignments, "groups": {}, "folds": []}
    (out / "annotations/splits.json").write_text(json.dumps(splits), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="number of documents")
    parser.add_argument("out", type=Path, help="output data root")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--noise", type=float, default=0.1, help="rate of each kind of error")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("count must be at least 1")
    make_corpus(args.count, args.out, args.seed, args.noise)


if __name__ == "__main__":
    main()
