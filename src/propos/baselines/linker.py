"""A name-matching entity linker: clusters predicted mentions across documents.

Names are compared on a normalised key: accents and case folded, apostrophes and hyphens
turned into spaces, leading articles and honorifics dropped, and transliteration variants
made equal by the spelling rules below ("Anatoly" ~ "Anatoli", "Anthony" ~ "Antony",
"Alexey" ~ "Alexeï"). Then, in order:

1. mentions with the same key and the same type form one cluster;
2. surname rule: a one-word PER name joins the PER cluster of a longer name ending with that
   word ("Poutine" ~ "Vladimir Poutine"; the cluster with most mentions when several do);
3. alias rules: an upper-case acronym joins the cluster whose name's initials it spells
   ("UE" ~ "Union européenne"); two names of the same type whose last words are equal and whose
   other words differ by at most one letter each join ("Alexei Navalny" ~ "Alexey Navalny");
4. each cluster is named after the inventory entity its longest name matches (the inventory is
   public: systems may use it to name clusters), preferring the entity of the same type; a
   cluster that matches none gets ``E-sys-<type>-<name>``.

Clusters are free labels in a submission: only the grouping is scored.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from propos.baselines.common import fold, load_inventory, slug
from propos.corpus import Corpus

SPELLING_RULES: tuple[tuple[str, str], ...] = (
    ("th", "t"),
    ("ph", "f"),
    ("ck", "k"),
    ("y", "i"),
)
"""Substitutions applied to every folded word, in this order (transliteration variants)."""

DROPPED_WORDS = frozenset(
    {"le", "la", "les", "l", "du", "des", "m", "mme", "mm", "dr", "president", "presidente"}
)
"""Leading words left out of a key: articles, honorifics, titles."""

NON_WORD = re.compile(r"[^\w]+")
REPEATED_CHARACTER = re.compile(r"(.)\1+")


def without_parentheses(name: str) -> str:
    """Each "(...)" replaced by a space, as ``re.sub(r"\\([^)]*\\)", " ", name)`` does, in
    linear time (the pattern rescans to the end from each "(" that no ")" follows)."""
    parts: list[str] = []
    position = 0
    while (opening := name.find("(", position)) >= 0:
        closing = name.find(")", opening)
        if closing < 0:
            break
        parts += [name[position:opening], " "]
        position = closing + 1
    return "".join([*parts, name[position:]])


def word_key(word: str) -> str:
    value = fold(word)
    for old, new in SPELLING_RULES:
        value = value.replace(old, new)
    return REPEATED_CHARACTER.sub(r"\1", value)


def name_key(name: str) -> tuple[str, ...]:
    words = [w for w in NON_WORD.split(without_parentheses(name)) if w]
    while words and fold(words[0]) in DROPPED_WORDS and len(words) > 1:
        words = words[1:]
    return tuple(word_key(w) for w in words)


def _close(a: str, b: str) -> bool:
    """Equal, or one substitution, insertion or deletion apart (and not one-letter words)."""
    if a == b:
        return True
    if min(len(a), len(b)) < 3 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _acronym(surface: str) -> str | None:
    letters = surface.replace(".", "")
    if 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper():
        return letters.lower()
    return None


@dataclass
class _Node:
    key: tuple[str, ...]
    type: str
    count: int
    surfaces: Counter[str]


class _Clusters:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class InventoryIndex:
    """Inventory entities by name key (and PER entities by surname when it is unambiguous)."""

    def __init__(self, entities: Sequence[Mapping[str, Any]]) -> None:
        self.by_key: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
        surnames: dict[str, list[Mapping[str, Any]]] = {}
        for entity in entities:
            key = name_key(entity["name"])
            self.by_key.setdefault(key, []).append(entity)
            if entity.get("type") == "PER" and len(key) > 1:
                surnames.setdefault(key[-1], []).append(entity)
        self.surnames = {k: v[0] for k, v in surnames.items() if len(v) == 1}

    def lookup(self, name: str, kind: str | None = None) -> str | None:
        key = name_key(name)
        if not key:
            return None
        candidates = list(self.by_key.get(key, []))
        if not candidates and len(key) > 1:
            candidates = [
                entity
                for other, entities in self.by_key.items()
                if len(other) == len(key)
                and other[-1] == key[-1]
                and all(_close(a, b) for a, b in zip(other, key, strict=True))
                for entity in entities
            ]
        if not candidates and len(key) == 1 and key[0] in self.surnames:
            candidates = [self.surnames[key[0]]]
        if not candidates:
            return None
        same_type = [entity for entity in candidates if entity.get("type") == kind]
        return str(sorted(same_type or candidates, key=lambda e: str(e["id"]))[0]["id"])


def inventory_index(corpus: Corpus) -> InventoryIndex:
    """The index of the inventory of ``corpus`` (cached per inventory file)."""
    return _inventory_index(corpus, str(corpus.inventory_file))


@cache
def _inventory_index(corpus: Corpus, location: str) -> InventoryIndex:
    del location  # the cache key: load_inventory reads the same file
    return InventoryIndex(load_inventory(corpus).get("entities", []))


def cluster_names(mentions: Sequence[tuple[str, str]]) -> list[int]:
    """Cluster (surface, type) mentions; returns a cluster number per mention."""
    nodes: list[_Node] = []
    node_of: dict[tuple[tuple[str, ...], str], int] = {}
    mention_node: list[int] = []
    for surface, kind in mentions:
        key = name_key(surface) or (fold(surface),)
        ident = (key, kind)
        if ident not in node_of:
            node_of[ident] = len(nodes)
            nodes.append(_Node(key, kind, 0, Counter()))
        node = nodes[node_of[ident]]
        node.count += 1
        node.surfaces[surface] += 1
        mention_node.append(node_of[ident])
    clusters = _Clusters(len(nodes))
    order = sorted(
        range(len(nodes)), key=lambda n: (-len(nodes[n].key), nodes[n].key, nodes[n].type)
    )
    for n in order:
        node = nodes[n]
        if node.type == "PER" and len(node.key) == 1:
            longer = [
                m
                for m in order
                if nodes[m].type == "PER"
                and len(nodes[m].key) > 1
                and nodes[m].key[-1] == node.key[0]
            ]
            if longer:
                best = sorted(longer, key=lambda m: (-nodes[m].count, nodes[m].key))[0]
                clusters.join(n, best)
        acronym = next((a for s in node.surfaces if (a := _acronym(s))), None)
        if acronym and len(node.key) == 1:
            for m in order:
                other = nodes[m]
                initials = "".join(w[0] for w in other.key if w not in DROPPED_WORDS and len(w) > 2)
                if len(other.key) > 1 and initials == acronym:
                    clusters.join(n, m)
                    break
        for m in order:
            other = nodes[m]
            if (
                m != n
                and other.type == node.type
                and len(other.key) == len(node.key) > 1
                and other.key[-1] == node.key[-1]
                and all(_close(a, b) for a, b in zip(other.key, node.key, strict=True))
            ):
                clusters.join(n, m)
    return [clusters.find(node) for node in mention_node]


def link_mentions(corpus: Corpus, mentions: Sequence[tuple[str, str]]) -> list[str]:
    """Cluster ids for (surface, type) mentions from any number of documents, named after the
    entities of the inventory of ``corpus``."""
    numbers = cluster_names(mentions)
    index = inventory_index(corpus)
    members: dict[int, list[tuple[str, str]]] = {}
    for number, mention in zip(numbers, mentions, strict=True):
        members.setdefault(number, []).append(mention)
    names: dict[int, str] = {}
    for number, items in members.items():
        surfaces = Counter(items)
        ranked = sorted(surfaces, key=lambda m: (-len(name_key(m[0])), -surfaces[m], m))
        kinds = Counter(kind for _, kind in items)
        kind = sorted(kinds, key=lambda k: (-kinds[k], k))[0]
        found = None
        for surface, mention_kind in ranked:
            found = index.lookup(surface, mention_kind)
            if found:
                break
        names[number] = found or f"E-sys-{kind.lower()}-{slug(ranked[0][0])}"
    return [names[number] for number in numbers]


def link_documents(corpus: Corpus, documents: Sequence[dict[str, Any]]) -> None:
    """Set ``entity_id`` on every entity mention of the documents, in place."""
    mentions = [(e["text"], e["type"]) for d in documents for e in d["entities"]]
    ids = iter(link_mentions(corpus, mentions))
    for document in documents:
        for entity in document["entities"]:
            entity["entity_id"] = next(ids)
