"""`propos baseline`: run the baseline systems, write their submissions and the report.

The command parses its arguments and calls :mod:`propos.baselines`; bad input (an unknown
baseline, split or table) is a ProposError, reported as one line.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from propos.cli._common import RootOption, open_corpus
from propos.cli._common import reports_errors as _reports_errors
from propos.cli._common import say as _say
from propos.corpus import Corpus
from propos.errors import ProposError


def baseline(
    name: Annotated[
        str | None,
        typer.Argument(help="The baseline to run (see --list).", show_default=False),
    ] = None,
    split: Annotated[
        str, typer.Option(help="The split to predict (trained baselines train on 'train').")
    ] = "test",
    out: Annotated[
        Path | None,
        typer.Option(
            help="Folder for meta.json and predictions.jsonl (default:"
            " benchmark/submissions/NAME; required for a split other than test)."
        ),
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the baselines and exit.")] = False,
    all_: Annotated[
        bool, typer.Option("--all", help="Write the test submission of every baseline.")
    ] = False,
    cv: Annotated[
        bool,
        typer.Option(
            "--cv",
            help="Also write predictions.cv.jsonl (every document of the folds, predicted by the"
            " baseline trained on the rest of its fold) for the leaderboard's cross-validation"
            " track; with NAME or --all.",
        ),
    ] = False,
    report: Annotated[
        bool,
        typer.Option(
            "--report", help="Write benchmark/BASELINES.md (test and CV figures, error analysis)."
        ),
    ] = False,
    table: Annotated[
        str | None,
        typer.Option(
            help="Print one table of the report (ner-test, ner-cv, ner-errors,"
            " quotes-test, quotes-cv, quotes-errors, events-test, events-cv, events-errors,"
            " events-types, events-coref-test, events-coref-cv, events-coref-errors)."
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """Run a baseline: train on the train split, predict a split, write its submission.

    Writes benchmark/submissions/NAME/meta.json and predictions.jsonl. Deterministic and
    offline. --report regenerates benchmark/BASELINES.md; --table prints one of its tables.
    """
    from propos import baselines

    if list_:
        for entry in baselines.BASELINES.values():
            trained = "trained on train" if entry.trained else "zero-shot"
            typer.echo(f"{entry.name}\t{entry.task}\t{trained}")
        return
    if name is None and not (all_ or report or table):
        raise ProposError("give a baseline NAME, or --list, --all, --report or --table", 2)
    if cv and name is None and not all_:
        raise ProposError("--cv goes with a baseline NAME or --all", 2)
    if name is not None and (all_ or report or table):
        raise ProposError("give either a baseline NAME or --all/--report/--table, not both", 2)
    corpus = open_corpus(root)
    if name is not None:
        baselines.get(name)
        if split != baselines.DEFAULT_SPLIT and out is None:
            raise ProposError(
                f"benchmark/submissions/ holds test-split submissions: give --out to write"
                f" predictions for the '{split}' split",
                exit_code=2,
            )
        _write(corpus, name, split, out)
        if cv:
            _write_cv(corpus, name, out)
        return
    if all_:
        for entry in baselines.BASELINES:
            _write(corpus, entry, baselines.DEFAULT_SPLIT, None)
            if cv:
                _write_cv(corpus, entry, None)
    if table:
        from propos.baselines import evaluation

        typer.echo(evaluation.render_table(corpus, table, evaluation.default_scorer()), nl=False)
    if report:
        from propos.baselines import evaluation
        from propos.fileio import write_atomic

        text = evaluation.build_report(corpus, evaluation.default_scorer())
        target = evaluation.report_path(corpus)
        write_atomic(target, text)
        _say(f"baseline: wrote {target}")


def _write(corpus: Corpus, name: str, split: str, out: Path | None) -> None:
    from propos import baselines

    result = baselines.run(corpus, name, split)
    folder = baselines.write_submission(corpus, result, out)
    _say(
        f"baseline {name}: {len(result.documents)} document(s) of split '{split}' in"
        f" {result.seconds:.1f} s -> {folder}"
    )


def _write_cv(corpus: Corpus, name: str, out: Path | None) -> None:
    from propos import baselines

    started = time.perf_counter()
    path = baselines.write_cv_predictions(corpus, name, out)
    _say(f"baseline {name}: cross-validated predictions in {time.perf_counter() - started:.1f} s"
         f" -> {path}")  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add the `baseline` command to the main application."""
    app.command("baseline")(_reports_errors(baseline))
