"""`propos validate`, `agreement`, `source-agreement`, `stats`: checking annotations."""

from __future__ import annotations

import json
from enum import StrEnum
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
from propos.errors import ProposError
from propos.fileio import MAX_JSON_BYTES


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


@reports_errors
def validate(
    targets: Annotated[
        list[Path],
        typer.Argument(
            help="Annotation files, folders (searched recursively), inventory.json, cleaned"
            " documents, or a submission (.jsonl).",
            show_default=False,
            metavar="PATH...",
        ),
    ],
    root: RootOption = None,
    output: Annotated[
        ValidateFormat,
        typer.Option("--format", help="text: one line per problem; json: for machines."),
    ] = ValidateFormat.text,
    inventory: Annotated[
        Path | None,
        typer.Option(
            help="Inventory to check ids against (default: the nearest inventory.json above"
            " each file)."
        ),
    ] = None,
    split: Annotated[
        str | None,
        typer.Option(
            help="For submissions: every document of this split (train, test or all) must be"
            " present once."
        ),
    ] = None,
    max_mib: Annotated[
        int,
        typer.Option(
            "--max-mib",
            help="Refuse, unread, a file or a submission line larger than this many MiB"
            " (a bound against runaway input; raise it for very long documents).",
        ),
    ] = MAX_JSON_BYTES // 2**20,
    workers: Annotated[int, workers_option()] = 1,
    scheduler: SchedulerOption = None,
) -> None:
    """Check annotation files, the inventory and submissions; report every problem.

    Each problem is one line, FILE:JSON-PATH: MESSAGE, followed by a summary. Exit status: 0
    when clean, 1 when problems were found, 2 for usage errors.

    A .json file is gold, checked against every annotation convention; a .jsonl file is a
    submission, refused only for what makes it unscorable (not JSON, unknown labels, an unknown
    or duplicated document, a span outside the text or not the document's text): a prediction
    that breaks a convention is scored as a wrong one (README, "What is checked").
    """
    from propos.split import split_doc_ids
    from propos.validate import is_over_limit, validate_paths

    if max_mib < 1:
        raise ProposError(f"--max-mib must be at least 1, not {max_mib}", exit_code=2)
    engine = engine_of(workers, scheduler)
    corpus = open_corpus(root)
    doc_ids = split_doc_ids(split, corpus.splits_file, corpus.clean_dir) if split else None
    report = validate_paths(
        targets,
        corpus.clean_dir,
        inventory=inventory,
        split_doc_ids=doc_ids,
        engine=engine,
        max_bytes=max_mib * 2**20,
    )
    if output is ValidateFormat.json:
        payload = {"files": report.files, "problems": [vars(p) for p in report.problems]}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for problem in report.problems:
            typer.echo(str(problem))
        status = "clean" if not report.problems else f"{len(report.problems)} problem(s)"
        say(f"validate: {report.files} file(s) checked, {status}")
        if any(map(is_over_limit, report.problems)):
            say(f"validate: --max-mib N raises the limit ({max_mib} MiB) on a file or line")
    if report.problems:
        raise typer.Exit(1)


class AgreementFormat(StrEnum):
    markdown = "markdown"
    json = "json"


@reports_errors
def agreement(
    first: Annotated[Path, typer.Argument(help="Folder of the first annotation set.")],
    second: Annotated[Path, typer.Argument(help="Folder of the second set (same documents).")],
    root: RootOption = None,
    output: Annotated[
        AgreementFormat, typer.Option("--format", help="markdown (a table) or json.")
    ] = AgreementFormat.markdown,
    collection: Annotated[
        str | None,
        typer.Option(help="Only the documents of this collection (press, wikinews)."),
    ] = None,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            help="List every disagreement instead (document, layer, what differs, both"
            " versions, context): what an adjudicator works from.",
        ),
    ] = False,
) -> None:
    """Inter-annotator agreement between two annotation sets, per layer.

    Strict and overlap F1 for entities (with type), quotation content, cue and speaker entity,
    event triggers (with type) and realis; token-level Cohen's kappa for entities; MUC,
    B-cubed, CEAF-e, CoNLL F1 and LEA for the cross-document entity, event and utterance ids.
    With --diff, every disagreement instead of the figures.
    """
    from propos import agreement as agreement_module

    corpus = open_corpus(root)
    sets = [agreement_module.load_annotation_set(folder) for folder in (first, second)]
    if collection is not None:
        sets = [agreement_module.of_collection(s, corpus, collection) for s in sets]
    texts = agreement_module.texts_of(corpus.clean_dir, sets[0])
    if diff:
        from propos import disagreements

        rows, renamed = disagreements.disagreements(*agreement_module.same_documents(*sets), texts)
        listed = (
            disagreements.markdown(rows, renamed, str(first), str(second))
            if output is AgreementFormat.markdown
            else disagreements.as_json(rows, renamed)
        )
        typer.echo(listed, nl=False)
        return
    result = agreement_module.agreement(sets[0], sets[1], texts)
    render = (
        agreement_module.markdown
        if output is AgreementFormat.markdown
        else agreement_module.as_json
    )
    typer.echo(render(result), nl=False)


@reports_errors
def source_agreement(
    root: RootOption = None,
    output: Annotated[
        AgreementFormat, typer.Option("--format", help="markdown (a table) or json.")
    ] = AgreementFormat.markdown,
    collection: Annotated[
        str, typer.Option(help="A collection imported from an annotated external corpus.")
    ] = "wikinews",
) -> None:
    """How far the final gold moved from the external entity annotation it started from.

    Projects the source annotation (WiNER-fr for wikinews) onto the cleaned texts as the import
    does, and scores it against the gold per coarse type (strict span and type).
    """
    from propos import source_agreement as source_module

    result = source_module.source_agreement(open_corpus(root), collection)
    render = source_module.markdown if output is AgreementFormat.markdown else source_module.as_json
    typer.echo(render(result), nl=False)


class StatsFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"


@reports_errors
def stats(
    root: RootOption = None,
    output: Annotated[
        StatsFormat, typer.Option("--format", help="table, markdown or json.")
    ] = StatsFormat.table,
    plots: Annotated[
        Path | None,
        typer.Option(help="Also write PNG plots (entity types, speakers, events, realis) here."),
    ] = None,
    datasheet: Annotated[
        Path | None, typer.Option(help="Rewrite the statistics block of this datasheet (Markdown).")
    ] = None,
) -> None:
    """Counts per collection, layer, type, document and split, from the gold annotations."""
    from propos import stats as stats_module

    corpus = open_corpus(root)
    figures = stats_module.load_and_compute(corpus)
    rendered = {
        StatsFormat.table: stats_module.plain_table,
        StatsFormat.markdown: stats_module.markdown,
        StatsFormat.json: stats_module.as_json,
    }[output](figures)
    typer.echo(rendered, nl=False)
    if plots:
        for path in stats_module.plot(figures, plots):
            say(f"stats: wrote {path}")
    if datasheet:
        if not datasheet.is_file():
            raise ProposError(f"{datasheet}: no such datasheet", exit_code=2)
        changed = stats_module.replace_datasheet_block(datasheet, stats_module.markdown(figures))
        say(f"stats: {datasheet} {'updated' if changed else 'already up to date'}")


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(agreement)
    app.command("source-agreement")(source_agreement)
    app.command()(stats)
