"""Cross-document coreference metrics: MUC, B-cubed, CEAF-e, CoNLL F1 and LEA.

A *mention* is keyed by ``(doc_id, start, end)``: the entity mention span for ``entity_id``
clusters, the trigger span for ``event_id`` clusters, the content span for ``utterance_id``
clusters. A *cluster* is the set of mentions sharing a cluster id over the whole corpus (ids
are compared across documents, which makes the scores cross-document). A mention with no
cluster id (missing or null) is a singleton. Predicted ids are free labels: only the grouping
matters. When two mentions of one side share a key, the first (in document order) is kept.

Key K = gold clusters, response R = predicted clusters; for a cluster k, |k| is its size and
k ∩ r the mentions it shares with r. Every metric gives recall R, precision P and
F1 = 2PR / (P + R) (0 when P + R = 0; a ratio with a zero denominator is 0).

- **MUC** (Vilain et al. 1995): R = Σ_k (|k| − |p(k, R)|) / Σ_k (|k| − 1), where p(k, R) is
  the partition of k by the response clusters, each mention of k absent from the response
  counting as a part of its own; P symmetric (swap K and R).
- **B-cubed** (Bagga & Baldwin 1998): R = Σ_k Σ_r |k ∩ r|² / |k| / Σ_k |k|; P symmetric.
- **CEAF-e** (Luo 2005): φ(k, r) = 2 |k ∩ r| / (|k| + |r|); with the one-to-one alignment of
  key and response clusters maximising Σ φ (Hungarian algorithm, solved per connected
  component of the "share a mention" graph), R = Σ φ / |K| and P = Σ φ / |R|.
- **CoNLL F1**: the mean of the MUC, B-cubed and CEAF-e F1 (Pradhan et al. 2014).
- **LEA** (Moosavi & Strube 2016): R = Σ_k |k| · resolved(k) / Σ_k |k| with
  resolved(k) = Σ_r link(k ∩ r) / link(k) and link(n) = n (n − 1) / 2; a singleton k has
  one self-link, resolved when the response holds exactly that singleton. P symmetric.

Mentions that one side has and the other lacks are handled as the reference CoNLL scorer
(v8.01, Pradhan et al. 2014) does: the formulas above are applied as they are, singletons
included, with no removal or addition of mentions.

Two settings are scored:

- ``predicted_mentions``: K over the gold mentions, R over the predicted mentions.
- ``gold_mentions``: R is forced onto the gold mentions: a gold mention keeps the cluster id
  of the predicted mention with the same key, a gold mention that no prediction has becomes a
  singleton, and predicted mentions that are not gold mentions are dropped. Only the
  clustering is then evaluated.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from propos.metrics.common import Documents, cluster_label, safe_div

LAYERS: dict[str, tuple[str, str, str | None]] = {
    # layer -> (list in the document, cluster id field, span field or None for the item itself)
    "entities": ("entities", "entity_id", None),
    "events": ("events", "event_id", "trigger"),
    "quotes": ("quotes", "utterance_id", "content"),
}

Mention = tuple[str, int, int]


def _f1(recall: float, precision: float) -> dict[str, float]:
    return {
        "precision": precision,
        "recall": recall,
        "f1": safe_div(2 * precision * recall, precision + recall),
    }


class _Partition:
    """Two clusterings over mention ids, with their intersections."""

    def __init__(
        self, key: Sequence[Collection[Hashable]], response: Sequence[Collection[Hashable]]
    ):
        self.key_sizes = [len(set(k)) for k in key]
        self.response_sizes = [len(set(r)) for r in response]
        response_of: dict[Hashable, int] = {}
        for index, cluster in enumerate(response):
            for mention in cluster:
                response_of[mention] = index
        # overlap[(k, r)] = |k ∩ r|; missing_in_response[k] = mentions of k not in the response
        self.overlap: Counter[tuple[int, int]] = Counter()
        self.missing_in_response = [0] * len(key)
        key_of: dict[Hashable, int] = {}
        for index, cluster in enumerate(key):
            for mention in set(cluster):
                key_of[mention] = index
                r = response_of.get(mention)
                if r is None:
                    self.missing_in_response[index] += 1
                else:
                    self.overlap[(index, r)] += 1
        self.missing_in_key = [0] * len(response)
        for mention, r in response_of.items():
            if mention not in key_of:
                self.missing_in_key[r] += 1


def _muc_side(sizes: list[int], parts: list[int]) -> float:
    return safe_div(
        sum(s - p for s, p in zip(sizes, parts, strict=True)), sum(s - 1 for s in sizes)
    )


def muc(
    key: Sequence[Collection[Hashable]], response: Sequence[Collection[Hashable]]
) -> dict[str, float]:
    """MUC precision, recall, F1 (see the module docstring)."""
    part = _Partition(key, response)
    key_parts = list(part.missing_in_response)
    response_parts = list(part.missing_in_key)
    for k, r in part.overlap:
        key_parts[k] += 1
        response_parts[r] += 1
    recall = _muc_side(part.key_sizes, key_parts)
    precision = _muc_side(part.response_sizes, response_parts)
    return _f1(recall, precision)


def b_cubed(
    key: Sequence[Collection[Hashable]], response: Sequence[Collection[Hashable]]
) -> dict[str, float]:
    """B-cubed precision, recall, F1 (see the module docstring)."""
    part = _Partition(key, response)
    recall = sum(n * n / part.key_sizes[k] for (k, _), n in part.overlap.items())
    precision = sum(n * n / part.response_sizes[r] for (_, r), n in part.overlap.items())
    return _f1(safe_div(recall, sum(part.key_sizes)), safe_div(precision, sum(part.response_sizes)))


def _components(
    overlap: Mapping[tuple[int, int], int], n_key: int
) -> dict[int, list[tuple[int, int]]]:
    """Connected components of the bipartite "share a mention" graph, as lists of edges."""
    parent = list(range(n_key))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_key_of_response: dict[int, int] = {}
    for k, r in overlap:
        other = first_key_of_response.setdefault(r, k)
        a, b = find(k), find(other)
        if a != b:
            parent[a] = b
    groups: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for k, r in overlap:
        groups[find(k)].append((k, r))
    return groups


def ceaf_e(
    key: Sequence[Collection[Hashable]], response: Sequence[Collection[Hashable]]
) -> dict[str, float]:
    """CEAF-e precision, recall, F1 (see the module docstring)."""
    part = _Partition(key, response)
    total = 0.0
    for edges in _components(part.overlap, len(key)).values():
        if len(edges) == 1:
            ((k, r),) = edges
            total += 2 * part.overlap[(k, r)] / (part.key_sizes[k] + part.response_sizes[r])
            continue
        keys = sorted({k for k, _ in edges})
        responses = sorted({r for _, r in edges})
        row = {k: i for i, k in enumerate(keys)}
        column = {r: j for j, r in enumerate(responses)}
        similarity = np.zeros((len(keys), len(responses)))
        for k, r in edges:
            similarity[row[k], column[r]] = (
                2 * part.overlap[(k, r)] / (part.key_sizes[k] + part.response_sizes[r])
            )
        rows, columns = linear_sum_assignment(similarity, maximize=True)
        total += float(similarity[rows, columns].sum())
    recall = safe_div(total, len(part.key_sizes))
    precision = safe_div(total, len(part.response_sizes))
    return _f1(recall, precision)


def _lea_side(
    sizes: list[int], overlap: Iterable[tuple[int, int, int]], other_sizes: list[int]
) -> float:
    """Σ |k| resolved(k) / Σ |k| with (k, other cluster, |k ∩ other|) triples."""
    resolved = [0.0] * len(sizes)
    for k, other, n in overlap:
        if sizes[k] == 1:
            resolved[k] = 1.0 if other_sizes[other] == 1 else 0.0
        else:
            resolved[k] += n * (n - 1) / (sizes[k] * (sizes[k] - 1))
    return safe_div(sum(s * x for s, x in zip(sizes, resolved, strict=True)), sum(sizes))


def lea(
    key: Sequence[Collection[Hashable]], response: Sequence[Collection[Hashable]]
) -> dict[str, float]:
    """LEA precision, recall, F1 (see the module docstring)."""
    part = _Partition(key, response)
    recall = _lea_side(
        part.key_sizes, ((k, r, n) for (k, r), n in part.overlap.items()), part.response_sizes
    )
    precision = _lea_side(
        part.response_sizes, ((r, k, n) for (k, r), n in part.overlap.items()), part.key_sizes
    )
    return _f1(recall, precision)


def coreference_metrics(
    key: Sequence[Collection[Hashable]], response: Sequence[Collection[Hashable]]
) -> dict[str, Any]:
    """All metrics of two clusterings: ``muc``, ``b_cubed``, ``ceaf_e``, ``lea`` (precision,
    recall, f1 each) and ``conll_f1``."""
    out: dict[str, Any] = {
        "muc": muc(key, response),
        "b_cubed": b_cubed(key, response),
        "ceaf_e": ceaf_e(key, response),
        "lea": lea(key, response),
    }
    out["conll_f1"] = (out["muc"]["f1"] + out["b_cubed"]["f1"] + out["ceaf_e"]["f1"]) / 3
    return out


def layer_mentions(docs: Documents, layer: str) -> dict[Mention, Any]:
    """Mention key -> cluster id (``None`` for none) of one layer, first mention of a key kept."""
    items, id_field, span_field = LAYERS[layer]
    out: dict[Mention, Any] = {}
    for doc_id in sorted(docs):
        for item in docs[doc_id].get(items) or []:
            span = item[span_field] if span_field else item
            mention = (doc_id, int(span["start"]), int(span["end"]))
            if mention not in out:
                out[mention] = cluster_label(item.get(id_field))
    return out


def clusters(mentions: Mapping[Mention, Any]) -> list[list[Mention]]:
    """Group mentions by cluster id; a ``None`` id makes a singleton."""
    grouped: dict[Any, list[Mention]] = defaultdict(list)
    out: list[list[Mention]] = []
    for mention, label in mentions.items():
        if label is None:
            out.append([mention])
        else:
            grouped[label].append(mention)
    return list(grouped.values()) + out


def coreference_scores(
    gold_docs: Documents, pred_docs: Documents, layer: str = "entities"
) -> dict[str, Any]:
    """Coreference scores of one layer (``entities``, ``events`` or ``quotes``) in both settings:
    ``{"gold_mentions": {...}, "predicted_mentions": {...}}`` (see the module docstring).
    Predicted documents that are not gold documents are ignored."""
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; expected one of {tuple(LAYERS)}")
    pred_docs = {d: doc for d, doc in (pred_docs or {}).items() if d in gold_docs}
    gold = layer_mentions(gold_docs, layer)
    pred = layer_mentions(pred_docs, layer)
    key = clusters(gold)
    forced = {m: pred.get(m) for m in gold}
    return {
        "gold_mentions": coreference_metrics(key, clusters(forced)),
        "predicted_mentions": coreference_metrics(key, clusters(pred)),
        "n_gold_mentions": len(gold),
        "n_predicted_mentions": len(pred),
    }
