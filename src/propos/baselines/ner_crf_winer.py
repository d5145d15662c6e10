"""`crf-winer`: the `crf` model trained on coarse types, on the train split plus the WiNER-fr
articles outside the benchmark.

WiNER-fr (the external corpus, ``<external>/winer-fr``) is imported at run time into a
temporary folder with `propos import brat`'s importer and the declared mapping
(annotations/mappings/winer-fr.json: Person -> PER, Organization -> ORG, Location -> LOC,
Product and Event -> MISC), leaving out every article that is in the benchmark (the Wikinews
collection's manifest names them), so that no test document is seen in training. WiNER has
coarse types only, so the Propos gold is mapped to its coarse types too (GPE, LOC, FAC -> LOC)
and the model predicts PER, ORG, LOC and MISC: it is scored on coarse types. Features, training
algorithm and the leave-one-document-out gazetteer feature are those of :mod:`ner_crf`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from propos.baselines.common import Document
from propos.baselines.ner_common import Gazetteer
from propos.corpus import Corpus
from propos.errors import ProposError
from propos.schema import COARSE_TYPE

EXTERNAL = "winer-fr"


def import_winer(
    corpus: Corpus, work: Path, baseline: str = "crf-winer"
) -> tuple[Corpus, list[str]]:
    """The WiNER-fr articles outside the benchmark, imported into ``work`` for ``baseline``."""
    from propos.importer import Mapping, import_brat
    from propos.ood import benchmark_articles

    source = corpus.external_dir / EXTERNAL
    if not source.is_dir():
        raise ProposError(f"{source}: the {baseline} baseline needs the external WiNER-fr corpus")
    mapping = Mapping.load(corpus.mappings_dir / "winer-fr.json")
    report = import_brat(source, work, mapping, exclude=benchmark_articles(corpus))
    return Corpus.at(work), sorted(report.imported_documents)


def train(
    corpus: Corpus, train_ids: Sequence[str], external: Corpus, external_ids: Sequence[str]
) -> tuple[Any, Gazetteer]:
    """A coarse-type CRF on ``corpus``'s ``train_ids`` and ``external``'s ``external_ids``."""
    from propos.baselines import ner_crf

    return ner_crf.train_on([(corpus, train_ids), (external, external_ids)], type_map=COARSE_TYPE)


def predict(
    corpus: Corpus, train_ids: Sequence[str], test_ids: Sequence[str], label_prefix: str = ""
) -> list[Document]:
    from propos.baselines import ner_crf

    del label_prefix  # entity ids are names
    with tempfile.TemporaryDirectory(prefix="propos-winer-") as work:
        external, external_ids = import_winer(corpus, Path(work))
        model, gazetteer = train(corpus, train_ids, external, external_ids)
    return ner_crf.apply(corpus, model, gazetteer, test_ids)
