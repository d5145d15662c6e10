"""`propos evaluate`, `propos leaderboard` and `propos ood`: scoring systems."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from propos.cli._common import (
    RootOption,
    SchedulerOption,
    TableCsvFormat,
    engine_of,
    open_corpus,
    reports_errors,
    say,
    workers_option,
)
from propos.errors import ProposError

DEFAULT_CHUNK = 1000  # evaluation.DOCUMENTS_PER_CHUNK; propos.evaluation loads lazily


class Breakdown(StrEnum):
    type = "type"
    document = "document"


@reports_errors
def evaluate(
    pred: Annotated[Path, typer.Option(help="Submission file (JSON Lines, one document a line).")],
    gold: Annotated[
        Path | None,
        typer.Option(
            help="A built dataset folder (what `propos build` writes and `datasets` loads) to"
            " score against; default: the gold annotations of the corpus (--root)."
        ),
    ] = None,
    root: RootOption = None,
    split: Annotated[str, typer.Option(help="Split to score on: test, train or all.")] = "test",
    output: Annotated[
        TableCsvFormat, typer.Option("--format", help="table, json or csv.")
    ] = TableCsvFormat.table,
    by: Annotated[
        Breakdown | None,
        typer.Option(help="Also break the scores down per type or per document."),
    ] = None,
    errors: Annotated[
        bool,
        typer.Option(
            "--errors",
            help="List every error instead (missed, spurious, wrong type, wrong boundary),"
            " with context.",
        ),
    ] = False,
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples for the intervals.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    stream: Annotated[
        bool,
        typer.Option(
            "--stream",
            help="Score the headlines a chunk of documents at a time, for corpora too large to"
            " hold (memory: one chunk); no coreference, the document as resampling unit.",
        ),
    ] = False,
    chunk: Annotated[int, typer.Option(help="With --stream: documents per task.")] = DEFAULT_CHUNK,
    workers: Annotated[int, workers_option()] = 1,
    scheduler: SchedulerOption = None,
) -> None:
    """Validate a submission, then score it on a split, with 95% bootstrap intervals.

    The resampling unit (document, or paragraph below 30 documents) is printed with the
    intervals. With --stream, the tasks run on --workers or on a Dask --scheduler.
    """
    from propos import evaluation

    if not pred.is_file():
        raise ProposError(f"{pred}: no such submission file", exit_code=2)
    if resamples < 1:
        raise ProposError("--resamples must be at least 1", exit_code=2)
    if stream:
        streamed(pred, root, split, output, resamples, seed, chunk, workers, scheduler,
                 refused=(("--gold", gold is not None), ("--by", by is not None),
                          ("--errors", errors)))  # fmt: skip
        return
    if (workers, scheduler, chunk) != (1, None, DEFAULT_CHUNK):
        raise ProposError("--workers, --scheduler and --chunk apply to --stream", exit_code=2)
    gold_set = (
        evaluation.gold_from_dataset(gold, split)
        if gold is not None
        else evaluation.gold_from_corpus(open_corpus(root), split)
    )
    if errors:
        frame = evaluation.error_frame(pred, gold_set)
        typer.echo(evaluation.render_frame(frame, output.value), nl=False)
        return
    if by is not None:
        frame = evaluation.breakdown_frame(pred, gold_set, by.value)
        typer.echo(evaluation.render_frame(frame, output.value), nl=False)
        return
    result = evaluation.evaluate_file(pred, gold_set, resamples, seed)
    echo_scores(result, output, evaluation.table)


def streamed(
    pred: Path, root: Path | None, split: str, output: TableCsvFormat, resamples: int, seed: int,
    chunk: int, workers: int, scheduler: str | None, refused: tuple[tuple[str, bool], ...],
) -> None:  # fmt: skip
    """`propos evaluate --stream`: the headlines of a submission, scored in tasks."""
    from propos import evaluation

    given = [option for option, present in refused if present]
    if given:
        raise ProposError(f"{', '.join(given)} cannot be combined with --stream", exit_code=2)
    if chunk < 1:
        raise ProposError(f"--chunk must be at least 1, not {chunk}", exit_code=2)
    engine = engine_of(workers, scheduler)
    result = evaluation.stream_file(
        pred, open_corpus(root), split, resamples, seed, chunk, engine, sys.stderr.isatty()
    )
    echo_scores(result, output, evaluation.stream_table)


def echo_scores(
    result: dict[str, Any], output: TableCsvFormat, table: Callable[[dict[str, Any]], str]
) -> None:
    """Print scores as JSON, as the CSV headline table, or as ``table`` renders them."""
    from propos import evaluation

    if output is TableCsvFormat.json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    elif output is TableCsvFormat.csv:
        typer.echo(evaluation.render_frame(evaluation.headline_frame(result), "csv"), nl=False)
    else:
        typer.echo(table(result), nl=False)


@reports_errors
def leaderboard(
    root: RootOption = None,
    submissions: Annotated[
        Path | None, typer.Option(help="Folder of submissions (default: benchmark/submissions).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for LEADERBOARD.md and leaderboard.json (default: benchmark)."),
    ] = None,
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples.")] = 1000,
) -> None:
    """Validate every submission, score it on the test split, write the ranked tables.

    Submissions are untrusted: nothing in them runs, sizes are bounded, a bad one is listed as
    rejected with its reason while the others are scored.
    """
    from propos.fileio import write_atomic
    from propos.leaderboard import build_leaderboard, render_json, render_markdown

    corpus = open_corpus(root)
    folder = submissions or corpus.submissions_dir
    target = out or corpus.benchmark_dir
    board = build_leaderboard(corpus, folder, resamples=resamples)
    write_atomic(target / "LEADERBOARD.md", render_markdown(board, "propos leaderboard"))
    write_atomic(target / "leaderboard.json", render_json(board))
    ranked = sum(len(rows) for rows in board.tables.values())
    cross_validated = sum(len(rows) for rows in board.cv_tables.values())
    say(
        f"leaderboard: {ranked} ranked rows, {cross_validated} cross-validated rows,"
        f" {len(board.rejections)} rejected -> {target}"
    )
    for rejection in board.rejections:
        say(f"rejected {rejection.system}: {rejection.reason}")


@reports_errors
def ood(
    root: RootOption = None,
    external: Annotated[
        Path | None,
        typer.Option(help="The external brat corpus (default: <external>/winer-fr of the corpus)."),
    ] = None,
    work: Annotated[
        Path | None, typer.Option(help="Corpus folder to import into (default: dist/winer).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Results file (default: benchmark/out_of_domain.json for the default external"
            " corpus, else out_of_domain.json beside the external folder)."
        ),
    ] = None,
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples.")] = 1000,
    system: Annotated[
        list[str] | None,
        typer.Option(
            help="A baseline to evaluate (repeat the option for several; default: spacy-fr-md,"
            " spacy-fr-md-ft, spacy-fr-md-winer, crf, crf-winer, gazetteer)."
        ),
    ] = None,
) -> None:
    """Out-of-domain NER: import an external brat corpus (WiNER-fr), validate it, score the
    NER baselines trained on the train split on it.

    Prints the table and writes the results (rendered in BASELINES.md by
    `propos baseline --report` when written to benchmark/out_of_domain.json).
    """
    from propos import ood as ood_module
    from propos.fileio import write_json

    corpus = open_corpus(root)
    default_external = corpus.external_dir / "winer-fr"
    source = external or default_external
    if not source.is_dir():
        raise ProposError(f"{source}: no such external corpus", exit_code=2)
    results = ood_module.run(
        corpus,
        source,
        work or corpus.dist_dir / "winer",
        resamples,
        tuple(system) if system else ood_module.OOD_BASELINES,
    )
    if out is not None:
        target = out
    elif source.resolve() == default_external.resolve():
        target = corpus.benchmark_dir / ood_module.RESULTS_FILE
    else:  # beside the input folder, never over the published results
        target = source.resolve().parent / ood_module.RESULTS_FILE
    write_json(target, results)
    typer.echo(ood_module.markdown(results), nl=False)
    say(f"ood: results -> {target}")


def register(app: typer.Typer) -> None:
    app.command()(evaluate)
    app.command()(leaderboard)
    app.command()(ood)
