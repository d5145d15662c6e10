"""Splits: group-aware, stable assignment of documents to train and test, and CV folds.

Documents that share text (syndicated copy, near-duplicates: word 5-shingle Jaccard at or above
the threshold) or that credit the same agency form one group, and a group never straddles two
splits. ``annotations/splits.json`` is committed; an assignment, once made, never moves. New
groups go to the split furthest below its target share, ties broken in split order, so the
result depends only on the corpus, not on the run.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from propos.corpus import Corpus
from propos.errors import ProposError
from propos.fileio import read_json, write_json

ALL = "all"
SPLITS_VERSION = 2
SPLIT_TARGETS: dict[str, float] = {"train": 0.6, "test": 0.4}
# A fresh assignment gives test at least this share of each, and of the documents.
BALANCED_LAYERS = ("quotes", "events")
TEST_MIN_SHARE = 1 / 3
TEST_MIN_GROUPS = 5
FOLDS = 5
EXHAUSTIVE_GROUPS = 20  # up to this many groups every train/test partition is tried
SHINGLE_WORDS = 5
SIMILARITY_THRESHOLD = 0.05
MINHASH_PERMUTATIONS = 128
EXACT_PAIRS_LIMIT = 2000  # up to this many documents every pair is compared exactly
WORD = re.compile(r"\w+")


# ---------------------------------------------------------------- similarity


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    words = WORD.findall(text.lower())
    return {" ".join(words[i : i + size]) for i in range(max(1, len(words) - size + 1))}


def jaccard(left: set[str], right: set[str]) -> float:
    union = left | right
    return len(left & right) / len(union) if union else 0.0


def candidate_pairs(shingle_sets: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Pairs worth comparing: all of them for a small corpus, MinHash LSH candidates beyond."""
    ids = sorted(shingle_sets)
    if len(ids) <= EXACT_PAIRS_LIMIT:
        return list(itertools.combinations(ids, 2))
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=SIMILARITY_THRESHOLD, num_perm=MINHASH_PERMUTATIONS)
    pairs: set[tuple[str, str]] = set()
    for doc_id in ids:
        signature = MinHash(num_perm=MINHASH_PERMUTATIONS, seed=1)
        signature.update_batch([s.encode("utf-8") for s in shingle_sets[doc_id]])
        for other in lsh.query(signature):
            pairs.add((min(other, doc_id), max(other, doc_id)))
        lsh.insert(doc_id, signature)
    return sorted(pairs)


def similarities(texts: dict[str, str]) -> dict[tuple[str, str], float]:
    shingle_sets = {doc_id: shingles(text) for doc_id, text in texts.items()}
    return {
        (a, b): jaccard(shingle_sets[a], shingle_sets[b]) for a, b in candidate_pairs(shingle_sets)
    }


# ---------------------------------------------------------------- groups


def _find(parent: dict[str, str], item: str) -> str:
    while parent[item] != item:
        parent[item] = parent[parent[item]]
        item = parent[item]
    return item


def groups_of(doc_ids: list[str], linked_pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Connected components; each group is named after its smallest document id."""
    parent = {doc_id: doc_id for doc_id in doc_ids}
    for a, b in linked_pairs:
        root_a, root_b = _find(parent, a), _find(parent, b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    members: dict[str, list[str]] = {}
    for doc_id in sorted(doc_ids):
        members.setdefault(_find(parent, doc_id), []).append(doc_id)
    return {f"g-{root}": sorted(docs) for root, docs in sorted(members.items())}


def agency_pairs(sources: dict[str, dict[str, str]], doc_ids: list[str]) -> list[tuple[str, str]]:
    by_agency: dict[str, list[str]] = {}
    for doc_id in doc_ids:
        agency = sources.get(doc_id, {}).get("agency_credit", "").strip()
        if agency:
            by_agency.setdefault(agency, []).append(doc_id)
    return [pair for docs in by_agency.values() for pair in itertools.combinations(sorted(docs), 2)]


def read_sources(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["doc_id"]: row for row in csv.DictReader(handle)}


@dataclass
class CorpusGroups:
    groups: dict[str, list[str]]
    similarity: dict[tuple[str, str], float]


def story_pairs(sources: dict[str, dict[str, str]], doc_ids: list[str]) -> list[tuple[str, str]]:
    """Documents reporting the same story are one group: a story never straddles splits."""
    by_story: dict[str, list[str]] = {}
    for doc_id in doc_ids:
        story = sources.get(doc_id, {}).get("story", "")
        if story:
            by_story.setdefault(story, []).append(doc_id)
    return [(docs[0], other) for docs in by_story.values() for other in docs[1:]]


def find_groups(texts: dict[str, str], sources: dict[str, dict[str, str]]) -> CorpusGroups:
    similarity = similarities(texts)
    linked = [pair for pair, value in similarity.items() if value >= SIMILARITY_THRESHOLD]
    linked += agency_pairs(sources, sorted(texts))
    linked += story_pairs(sources, sorted(texts))
    return CorpusGroups(groups_of(sorted(texts), linked), similarity)


def corpus_sources(corpus: Corpus) -> dict[str, dict[str, str]]:
    """What grouping needs of each document: its agency credit and its story."""
    from propos.collection import document_metadata

    sources = read_sources(corpus.sources_file)
    for doc_id, metadata in document_metadata(corpus).items():
        sources.setdefault(doc_id, {})["story"] = metadata["story"]
    return sources


def layer_counts(gold_dir: Path, doc_ids: list[str]) -> dict[str, dict[str, int]]:
    """Quotations and event mentions per document (0 for a document without gold)."""
    counts = {}
    for doc_id in doc_ids:
        path = gold_dir / f"{doc_id}.json"
        gold = read_json(path) if path.exists() else {}
        counts[doc_id] = {layer: len(gold.get(layer, [])) for layer in BALANCED_LAYERS}
    return counts


# ---------------------------------------------------------------- assignment


def _stable_key(group_id: str) -> str:
    return hashlib.sha256(group_id.encode("utf-8")).hexdigest()


def assign(
    groups: dict[str, list[str]], previous: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Keep every previous assignment; give each new group the neediest split.

    Returns the assignments and warnings (a new document linking groups already in two splits).
    """
    assignments = {doc: split for doc, split in previous.items()}
    warnings: list[str] = []
    counts = {split: 0 for split in SPLIT_TARGETS}
    for split in assignments.values():
        counts[split] = counts.get(split, 0) + 1
    new_groups = []
    for group_id, docs in groups.items():
        known = sorted({assignments[d] for d in docs if d in assignments})
        if len(known) > 1:
            warnings.append(f"group {group_id} spans splits {', '.join(known)}: {', '.join(docs)}")
        if known:
            for doc in docs:
                if doc not in assignments:
                    assignments[doc] = known[0]
                    counts[known[0]] += 1
        else:
            new_groups.append(group_id)
    for group_id in sorted(new_groups, key=lambda g: (groups[g][0], _stable_key(g))):
        total = sum(counts.values()) + len(groups[group_id])
        deficits = {s: target * total - counts[s] for s, target in SPLIT_TARGETS.items()}
        chosen = max(
            SPLIT_TARGETS, key=lambda s: (round(deficits[s], 9), -list(SPLIT_TARGETS).index(s))
        )
        for doc in groups[group_id]:
            assignments[doc] = chosen
        counts[chosen] += len(groups[group_id])
    return dict(sorted(assignments.items())), warnings


def fold_sets(groups: dict[str, list[str]], n_folds: int = FOLDS) -> list[list[str]]:
    """Groups dealt into ``n_folds`` sets of about equal size (largest group first)."""
    sets: list[list[str]] = [[] for _ in range(min(n_folds, len(groups)))]
    sizes = [0] * len(sets)
    ordered = sorted(groups, key=lambda g: (-len(groups[g]), _stable_key(g)))
    for group_id in ordered:
        smallest = min(range(len(sets)), key=lambda i: (sizes[i], i))
        sets[smallest].append(group_id)
        sizes[smallest] += len(groups[group_id])
    return [sorted(found) for found in sets]


def folds(groups: dict[str, list[str]], n_folds: int = FOLDS) -> list[dict[str, Any]]:
    """Leave one set of groups (of stories) out: each set is the test part of one fold."""
    every = sorted(doc for docs in groups.values() for doc in docs)
    found = []
    for index, group_ids in enumerate(fold_sets(groups, n_folds)):
        test = sorted(doc for group_id in group_ids for doc in groups[group_id])
        found.append({"fold": index, "groups": group_ids, "test": test,
                      "train": [d for d in every if d not in set(test)]})  # fmt: skip
    return found


def balanced_assignment(
    groups: dict[str, list[str]], counts: dict[str, dict[str, int]]
) -> dict[str, str]:
    """The train/test partition of whole groups closest to the targets that gives test at
    least a third of the documents, quotations and event mentions, from enough groups.

    Every partition is tried (groups are few); ties break on a stable hash, so the same corpus
    always gives the same split.
    """
    names = sorted(groups, key=_stable_key)
    if len(names) > EXHAUSTIVE_GROUPS:
        return assign(groups, {})[0]
    columns = ("documents", *BALANCED_LAYERS)
    totals = {c: 0 for c in columns}
    per_group = []
    for name in names:
        row = {"documents": len(groups[name])}
        row.update(
            {layer: sum(counts[d][layer] for d in groups[name]) for layer in BALANCED_LAYERS}
        )
        per_group.append(row)
        for column in columns:
            totals[column] += row[column]
    target = SPLIT_TARGETS["test"]
    best: tuple[float, int] | None = None
    for mask in range(1, 2 ** len(names) - 1):
        chosen = [i for i in range(len(names)) if mask >> i & 1]
        shares = {c: sum(per_group[i][c] for i in chosen) / (totals[c] or 1) for c in columns}
        if len(chosen) < min(TEST_MIN_GROUPS, len(names) - 1) or any(
            totals[c] and shares[c] < TEST_MIN_SHARE for c in columns
        ):
            continue
        distance = sum((shares[c] - target) ** 2 for c in columns)
        if best is None or distance < best[0] - 1e-12:
            best = (distance, mask)
    if best is None:
        return assign(groups, {})[0]
    return {
        doc: ("test" if best[1] >> index & 1 else "train")
        for index, name in enumerate(names)
        for doc in groups[name]
    }


def max_cross_split(
    similarity: dict[tuple[str, str], float], assignments: dict[str, str]
) -> dict[str, Any]:
    crossing = [
        (value, pair)
        for pair, value in similarity.items()
        if assignments.get(pair[0]) != assignments.get(pair[1])
    ]
    if not crossing:
        return {"value": 0.0, "pair": []}
    value, pair = max(crossing)
    return {"value": round(value, 4), "pair": list(pair)}


def corpus_texts(clean_dir: Path) -> dict[str, str]:
    texts = {}
    for path in sorted(clean_dir.glob("*.json")):
        texts[path.stem] = read_json(path)["text"]
    if not texts:
        raise ProposError(f"{clean_dir}: no cleaned documents (run `propos clean`)")
    return texts


def make_splits(
    texts: dict[str, str],
    sources: dict[str, dict[str, str]],
    previous: dict[str, Any] | None,
    counts: dict[str, dict[str, int]] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Assign groups to splits. Assignments of a previous version-2 file never move (new groups
    go to the neediest split); without one, the balanced partition is chosen."""
    found = find_groups(texts, sources)
    earlier = (previous or {}).get("assignments", {})
    stable = (previous or {}).get("version") == SPLITS_VERSION
    kept = {doc: split for doc, split in earlier.items() if doc in texts} if stable else {}
    if kept:
        assignments, warnings = assign(found.groups, kept)
    else:
        balance = counts or {doc: {layer: 0 for layer in BALANCED_LAYERS} for doc in texts}
        assignments, warnings = dict(sorted(balanced_assignment(found.groups, balance).items())), []
    splits = {
        "version": SPLITS_VERSION,
        "method": {
            "shingle_words": SHINGLE_WORDS,
            "similarity": "Jaccard of word shingles (MinHash LSH candidates beyond"
            f" {EXACT_PAIRS_LIMIT} documents)",
            "threshold": SIMILARITY_THRESHOLD,
            "also_grouped": "documents of the same story, and documents crediting the same"
            " agency (corpus/sources.csv)",
            "targets": SPLIT_TARGETS,
            "test_minimum": {
                "share": round(TEST_MIN_SHARE, 4),
                "of": ["documents", *BALANCED_LAYERS],
                "groups": TEST_MIN_GROUPS,
            },
            "folds": f"{FOLDS} folds, each leaving one set of story groups out",
        },
        "assignments": assignments,
        "groups": found.groups,
        "folds": folds(found.groups),
        "max_cross_split_similarity": max_cross_split(found.similarity, assignments),
        "linked_pairs": [
            {"pair": list(pair), "similarity": round(value, 4)}
            for pair, value in sorted(found.similarity.items())
            if value >= SIMILARITY_THRESHOLD
        ],
    }
    return splits, warnings


def summary(result: dict[str, Any], location: Path) -> str:
    sizes = {
        name: sum(1 for s in result["assignments"].values() if s == name) for name in SPLIT_TARGETS
    }
    crossing = result["max_cross_split_similarity"]
    return (
        f"split: {', '.join(f'{k} {v}' for k, v in sizes.items())} documents in"
        f" {len(result['groups'])} groups, {len(result['folds'])} folds; highest similarity"
        f" across splits {crossing['value']} {tuple(crossing['pair'])} -> {location}"
    )


def check_splits(
    splits: dict[str, Any], texts: dict[str, str], sources: dict[str, dict[str, str]]
) -> list[str]:
    """Every way the committed file disagrees with the corpus or leaks."""
    problems = []
    assignments: dict[str, str] = splits.get("assignments", {})
    for doc in sorted(set(texts) - set(assignments)):
        problems.append(f"document {doc} is in the corpus but has no split")
    for doc in sorted(set(assignments) - set(texts)):
        problems.append(f"document {doc} has a split but is not in the corpus")
    found = find_groups(texts, sources)
    for group_id, docs in found.groups.items():
        used = sorted({assignments[d] for d in docs if d in assignments})
        if len(used) > 1:
            problems.append(f"leak: group {group_id} ({', '.join(docs)}) spans {', '.join(used)}")
    if found.groups != splits.get("groups"):
        problems.append("the groups recorded in the file differ from the corpus's groups")
    for (a, b), value in found.similarity.items():
        if value >= SIMILARITY_THRESHOLD and assignments.get(a) != assignments.get(b):
            problems.append(f"leak: {a} and {b} are {value:.3f} similar but in different splits")
    return problems


def write_splits(path: Path, splits: dict[str, Any]) -> None:
    write_json(path, splits)


# ---------------------------------------------------------------- reading


def load_splits(location: Path) -> dict[str, Any]:
    if not location.exists():
        raise ProposError(f"{location}: no splits file (run `propos split`)", exit_code=2)
    return read_json(location)


def split_names(splits_file: Path) -> list[str]:
    return sorted(set(load_splits(splits_file).get("assignments", {}).values()))


def split_doc_ids(name: str, splits_file: Path, clean_dir: Path) -> list[str]:
    """The documents of one split; ``all`` is every cleaned document."""
    if name == ALL:
        return sorted(p.stem for p in clean_dir.glob("*.json"))
    assignments = load_splits(splits_file).get("assignments", {})
    known = sorted(set(assignments.values()))
    if name not in known:
        raise ProposError(
            f"unknown split '{name}' (known: {', '.join([*known, ALL])})", exit_code=2
        )
    return sorted(doc_id for doc_id, split in assignments.items() if split == name)
