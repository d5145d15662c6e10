"""The `propos` command line: each command parses its arguments and calls library code."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from propos import cli_baseline, cli_interchange, cli_view, paths
from propos.cli_support import reports_errors, say
from propos.errors import ProposError

app = typer.Typer(
    help="Propos: a French news benchmark for named entities, quotations and events.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

app.add_typer(cli_interchange.app, name="convert")
cli_view.register(app)
cli_baseline.register(app)
import_app = typer.Typer(help="Import external corpora.", no_args_is_help=True)
app.add_typer(import_app, name="import")


@app.callback()
def root() -> None:
    """Propos: a French news benchmark for named entities, quotations and events."""


@app.command()
@reports_errors
def clean(
    raw_dir: Annotated[
        Path | None, typer.Option(help="Folder of raw articles (.txt or .html).")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option(help="Where cleaned documents are written.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rewrite texts that gold annotations are anchored to.")
    ] = False,
    profile: Annotated[
        str,
        typer.Option(
            help="Optional rule set: news (default, keeps the source's spacing) or wikinews"
            " (also repairs wiki-link spacing such as 'Fillon , le' and \"l' AFP\")."
        ),
    ] = "news",
    workers: Annotated[int, typer.Option(help="Processes to clean with.")] = max(
        1, os.cpu_count() or 1
    ),
) -> None:
    """Clean every raw article into corpus/clean/<doc_id>.json (text, metadata, offset map)."""
    from propos.clean import clean_corpus
    from propos.clean_rules import PROFILES

    if profile not in PROFILES:
        raise ProposError(
            f"unknown profile '{profile}' (known: {', '.join(PROFILES)})", exit_code=2
        )

    raw = raw_dir or paths.raw_dir()
    out = out_dir or paths.clean_dir()
    if not raw.is_dir():
        raise ProposError(f"{raw}: no such folder of raw articles", exit_code=2)
    run = clean_corpus(
        raw, out, paths.gold_dir(), paths.project_root(), force=force, profile=profile
    )
    for message in run.errors:
        typer.echo(f"error: {message}", err=True)
    if run.refused and not force:
        names = ", ".join(run.refused)
        raise ProposError(
            f"cleaning would change the text of {len(run.refused)} annotated document(s): {names};"
            " their gold offsets would break. Nothing was written. Use --force to rewrite anyway."
        )
    if run.refused:
        say(f"warning: rewrote annotated document(s) {', '.join(run.refused)} (--force)")
    say(
        f"clean: {len(run.written)} written, {len(run.unchanged)} unchanged, "
        f"{len(run.errors)} failed -> {out}"
    )
    if run.errors:
        raise typer.Exit(1)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
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
    output: Annotated[
        OutputFormat,
        typer.Option("--format", help="text: one line per problem; json: for machines."),
    ] = OutputFormat.text,
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
            help="For submissions: every document of this split (train, dev, test, all) must"
            " be present once."
        ),
    ] = None,
    workers: Annotated[int, typer.Option(help="Processes to validate files with.")] = 1,
) -> None:
    """Check annotation files, the inventory and submissions; report every problem.

    Each problem is one line, FILE:JSON-PATH: MESSAGE, followed by a summary. Exit status: 0
    when clean, 1 when problems were found, 2 for usage errors.
    """
    from propos.split import split_doc_ids
    from propos.validate import validate_paths

    doc_ids = split_doc_ids(split) if split else None
    report = validate_paths(targets, inventory=inventory, split_doc_ids=doc_ids, workers=workers)
    if output is OutputFormat.json:
        payload = {
            "files": report.files,
            "problems": [vars(problem) for problem in report.problems],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for problem in report.problems:
            typer.echo(str(problem))
        status = "clean" if not report.problems else f"{len(report.problems)} problem(s)"
        say(f"validate: {report.files} file(s) checked, {status}")
    if report.problems:
        raise typer.Exit(1)


@app.command()
@reports_errors
def split(
    check: Annotated[
        bool,
        typer.Option("--check", help="Only check the committed file: fail on a leak or drift."),
    ] = False,
) -> None:
    """Assign documents to train/test by group (shared text, same agency) and write CV folds.

    Existing assignments never move; new documents are assigned deterministically. Writes
    annotations/splits.json and reports the highest similarity across splits.
    """
    from propos import split as splits_module

    texts = splits_module.corpus_texts(paths.clean_dir())
    sources = splits_module.read_sources(paths.sources_file())
    location = paths.splits_file()
    if check:
        problems = splits_module.check_splits(splits_module.load_splits(location), texts, sources)
        for problem in problems:
            typer.echo(f"{location}: {problem}")
        if problems:
            raise ProposError(f"{location}: {len(problems)} problem(s); run `propos split`")
        say(f"split --check: {location} agrees with the corpus, no leak")
        return
    previous = splits_module.load_splits(location) if location.exists() else None
    result, warnings = splits_module.make_splits(texts, sources, previous)
    for warning in warnings:
        say(f"warning: {warning}")
    splits_module.write_splits(location, result)
    sizes = {
        name: sum(1 for s in result["assignments"].values() if s == name)
        for name in splits_module.SPLIT_TARGETS
    }
    crossing = result["max_cross_split_similarity"]
    say(
        f"split: {', '.join(f'{k} {v}' for k, v in sizes.items())} documents in"
        f" {len(result['groups'])} groups, {len(result['folds'])} folds; highest similarity"
        f" across splits {crossing['value']} {tuple(crossing['pair'])} -> {location}"
    )


@app.command()
@reports_errors
def build(
    out: Annotated[
        Path | None, typer.Option(help="Dataset folder to write (default: dist/propos).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Processes to build with.")] = max(
        1, os.cpu_count() or 1
    ),
) -> None:
    """Build the Hugging Face dataset folder (Parquet per config and split, and its card).

    Loads offline with datasets.load_dataset(FOLDER, CONFIG); configs: documents, ner, quotes,
    events. The folder is replaced atomically; two builds give identical bytes.
    """
    from propos.build import build_dataset, default_inputs

    target = out or paths.dist_dir()
    sizes = build_dataset(default_inputs(), target, workers=workers)
    summary = "; ".join(
        f"{config} " + ", ".join(f"{split} {n}" for split, n in counts.items())
        for config, counts in sizes.items()
    )
    say(f"build: {summary} -> {target}")


class StatsFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"


@app.command()
@reports_errors
def stats(
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
    """Counts per layer, type, document and split, from the gold annotations."""
    from propos import stats as stats_module

    figures = stats_module.load_and_compute(
        paths.gold_dir(), paths.clean_dir(), paths.inventory_file(), paths.splits_file()
    )
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
        changed = stats_module.replace_datasheet_block(datasheet, stats_module.markdown(figures))
        say(f"stats: {datasheet} {'updated' if changed else 'already up to date'}")


@import_app.command("brat")
@reports_errors
def import_brat_corpus(
    source: Annotated[Path, typer.Argument(help="Folder of a brat corpus (searched recursively).")],
    out: Annotated[Path, typer.Option(help="Data root to write (corpus/, annotations/).")],
    mapping: Annotated[
        Path, typer.Option(help="Type mapping file (JSON: name, types, dropped, clean_profile).")
    ] = paths.CODE_ROOT / "annotations" / "mappings" / "winer-fr.json",
) -> None:
    """Import a brat corpus: map types, flatten nesting, clean, project onto the cleaned text.

    Writes OUT/corpus/raw, OUT/corpus/clean, OUT/annotations/gold, OUT/annotations/inventory.json
    and OUT/import-report.json; validate with PROPOS_ROOT=OUT propos validate OUT/annotations.
    """
    from propos.importer import Mapping, import_brat

    def progress(done: int, total: int) -> None:
        if done % 100 == 0 or done == total:
            say(f"import: {done}/{total} documents")

    report = import_brat(source, out, Mapping.load(mapping), progress)
    summary = report.as_dict()
    say(
        f"import: {summary['documents']} documents, {sum(summary['kept_mentions'].values())}"
        f" mentions kept; dropped {summary['dropped_types']} by type, {summary['dropped_nested']}"
        f" nested, {summary['dropped_overlapping']} overlapping; unmappable"
        f" {sum(summary['unmappable'].values())}; report -> {out / 'import-report.json'}"
    )
    for failure in report.failed_documents:
        typer.echo(f"error: {failure}", err=True)
    if report.failed_documents:
        raise typer.Exit(1)


class AgreementFormat(StrEnum):
    markdown = "markdown"
    json = "json"


@app.command()
@reports_errors
def agreement(
    first: Annotated[Path, typer.Argument(help="Folder of the first annotation set.")],
    second: Annotated[Path, typer.Argument(help="Folder of the second set (same documents).")],
    output: Annotated[
        AgreementFormat, typer.Option("--format", help="markdown (a table) or json.")
    ] = AgreementFormat.markdown,
) -> None:
    """Inter-annotator agreement between two annotation sets, per layer.

    Strict and overlap F1 for entities (with type), quotation content, cue and speaker entity,
    event triggers (with type) and realis; token-level Cohen's kappa for entities; MUC,
    B-cubed, CEAF-e, CoNLL F1 and LEA for the cross-document entity, event and utterance ids.
    """
    from propos import agreement as agreement_module
    from propos.fileio import read_json

    sets = [agreement_module.load_annotation_set(folder) for folder in (first, second)]
    texts = {doc_id: read_json(paths.clean_dir() / f"{doc_id}.json")["text"] for doc_id in sets[0]}
    result = agreement_module.agreement(sets[0], sets[1], texts)
    render = (
        agreement_module.markdown
        if output is AgreementFormat.markdown
        else agreement_module.as_json
    )
    typer.echo(render(result), nl=False)


@app.command()
@reports_errors
def evaluate(
    pred: Annotated[Path, typer.Option(help="Submission file (JSON Lines, one document a line).")],
    split: Annotated[str, typer.Option(help="Split to score on: test, train or all.")] = "test",
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.text,
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples for the intervals.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
) -> None:
    """Validate a submission, then score it on a split, with 95% bootstrap intervals.

    The resampling unit (document, or paragraph below 30 documents) is printed with the
    intervals.
    """
    from propos.evaluation import evaluate_file, table

    if not pred.is_file():
        raise ProposError(f"{pred}: no such submission file", exit_code=2)
    result = evaluate_file(pred, split, resamples, seed)
    if output is StatsFormat.json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    elif output is StatsFormat.table:
        typer.echo(table(result), nl=False)
    else:
        raise ProposError("--format must be table or json for evaluate", exit_code=2)


@app.command()
@reports_errors
def leaderboard(
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

    folder = submissions or paths.submissions_dir()
    target = out or paths.benchmark_dir()
    tables, rejections = build_leaderboard(folder, resamples=resamples)
    write_atomic(
        target / "LEADERBOARD.md", render_markdown(tables, rejections, "propos leaderboard")
    )
    write_atomic(target / "leaderboard.json", render_json(tables, rejections))
    ranked = sum(len(rows) for rows in tables.values())
    say(f"leaderboard: {ranked} ranked rows, {len(rejections)} rejected -> {target}")
    for rejection in rejections:
        say(f"rejected {rejection.system}: {rejection.reason}")


@app.command()
@reports_errors
def ood(
    external: Annotated[
        Path, typer.Option(help="The external brat corpus.")
    ] = paths.CODE_ROOT.parent / "shared" / "external" / "winer-fr",
    work: Annotated[
        Path, typer.Option(help="Data root to import into (not committed).")
    ] = paths.CODE_ROOT / "dist" / "winer",
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples.")] = 1000,
) -> None:
    """Out-of-domain NER: import WiNER-fr, validate it, score spacy-fr-md and crf on it.

    Writes benchmark/out_of_domain.json (rendered in BASELINES.md by `propos baseline --report`)
    and prints the table.
    """
    from propos import ood as ood_module
    from propos.fileio import write_json

    if not external.is_dir():
        raise ProposError(f"{external}: no such external corpus", exit_code=2)
    results = ood_module.run(external, work, resamples)
    write_json(ood_module.results_path(), results)
    typer.echo(ood_module.markdown(results), nl=False)
