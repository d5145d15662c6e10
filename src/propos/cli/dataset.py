"""`propos build`: the Hugging Face dataset folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from propos.cli._common import (
    RootOption,
    SchedulerOption,
    engine_of,
    open_corpus,
    reports_errors,
    say,
    workers_option,
)


@reports_errors
def build(
    root: RootOption = None,
    out: Annotated[
        Path | None, typer.Option(help="Dataset folder to write (default: dist/propos).")
    ] = None,
    workers: Annotated[int, workers_option()] = 1,
    scheduler: SchedulerOption = None,
) -> None:
    """Build the Hugging Face dataset folder: Parquet per config and split, its card,
    croissant.json (Croissant metadata) and the datasheet.

    Loads offline with datasets.load_dataset(FOLDER, CONFIG); configs: documents, ner, quotes,
    events (splits train, test, fold0_train ... fold4_test) and inventory (split full). The
    folder is replaced atomically; two builds give identical bytes.
    """
    from propos.build import build_dataset, corpus_inputs

    corpus = open_corpus(root)
    target = out or corpus.dataset_dir
    engine = engine_of(workers, scheduler)
    sizes = build_dataset(corpus_inputs(corpus), target, engine=engine)
    summary = "; ".join(
        f"{config} "
        + ", ".join(f"{split} {n}" for split, n in counts.items() if not split.startswith("fold"))
        + (
            f" (+{folds} fold splits)"
            if (folds := sum(s.startswith("fold") for s in counts))
            else ""
        )
        for config, counts in sizes.items()
    )
    say(f"build: {summary} -> {target}")


def register(app: typer.Typer) -> None:
    app.command()(build)
