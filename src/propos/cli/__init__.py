"""The `propos` command line: one module per command group, each command parsing its arguments
and calling one library function (spaCy's ``cli/`` is the model)."""

from __future__ import annotations

import typer

from propos.cli import annotate, baseline, bundle, convert, corpus, dataset, evaluation, view

app = typer.Typer(
    help="Propos: a French news benchmark for named entities, quotations and events.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main() -> None:
    """Propos: a French news benchmark for named entities, quotations and events."""


corpus.register(app)
annotate.register(app)
dataset.register(app)
evaluation.register(app)
baseline.register(app)
view.register(app)
app.add_typer(convert.app, name="convert")
bundle.register(app)

__all__ = ["app"]
