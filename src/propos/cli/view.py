"""`propos view`: render the corpus as a static site (HTML and CSS, no script, no network).

The command parses its arguments and calls :mod:`propos.view`; bad input is a ProposError,
reported as one line.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from propos.cli._common import RootOption, open_corpus, reports_errors, say


class CompareWith(StrEnum):
    closest = "closest"
    earliest = "earliest"


@reports_errors
def view(
    root: RootOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Site folder to write (default: dist/site)."),
    ] = None,
    pred: Annotated[
        Path | None,
        typer.Option(
            "--pred",
            help="A submission (.jsonl) to show against the gold: correct, missed and spurious"
            " spans per layer, and the official F1 of `propos evaluate`. Validated first.",
        ),
    ] = None,
    compare_with: Annotated[
        CompareWith,
        typer.Option(
            "--compare-with",
            help="Cross-outlet pages: compare each version of a statement with the version"
            " closest to it, or with the canonical wording (the earliest report's version).",
        ),
    ] = CompareWith.closest,
) -> None:
    """Render the corpus as a static site: documents, clusters, statements across outlets.

    One page per document (entities, quotations, events over the cleaned text, with layer
    toggles), per entity, event and utterance cluster, and an index. Plain HTML and CSS, no
    script, no network; the folder is replaced atomically and two runs give the same bytes.
    """
    from propos.view import build_site, corpus_site

    source = open_corpus(root)
    target = out or source.site_dir
    corpus = corpus_site(source, pred, compare_with.value)
    written = build_site(corpus, target)
    pages = sum(1 for name in written if name.endswith(".html"))
    shared = len(corpus.shared_utterances())
    against = f", submission {pred.name} against the gold" if pred else ""
    say(
        f"view: {pages} pages ({len(corpus.documents)} documents, {shared} statements across"
        f" outlets{against}) -> {target / 'index.html'}"
    )


def register(app: typer.Typer) -> None:
    """Add the `view` command to the main command line."""
    app.command(name="view")(view)
