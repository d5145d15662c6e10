"""`propos clean`, `propos split` and `propos import ...`: the corpus and its splits."""

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
from propos.errors import ProposError

import_app = typer.Typer(help="Import external corpora.", no_args_is_help=True)


@reports_errors
def clean(
    root: RootOption = None,
    raw_dir: Annotated[
        Path | None, typer.Option(help="Folder of raw articles (default: corpus/raw).")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option(help="Where cleaned documents go (default: corpus/clean).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rewrite texts that gold annotations are anchored to.")
    ] = False,
    profile: Annotated[
        str,
        typer.Option(
            help="Rule set for the raw folder: news (default, keeps the source's spacing) or"
            " wikinews (also repairs wiki-link spacing such as 'Fillon , le' and removes"
            " Wikinews page furniture)."
        ),
    ] = "news",
    workers: Annotated[int, workers_option()] = 1,
    scheduler: SchedulerOption = None,
) -> None:
    """Clean the raw articles, and the collections read from external corpora, into
    corpus/clean/<doc_id>.json (text, metadata, offset map)."""
    from propos.clean import clean_corpus
    from propos.clean_rules import PROFILES
    from propos.collection import clean_collections

    if profile not in PROFILES:
        raise ProposError(
            f"unknown profile '{profile}' (known: {', '.join(PROFILES)})", exit_code=2
        )
    engine = engine_of(workers, scheduler)
    corpus = open_corpus(root)
    raw = raw_dir or corpus.raw_dir
    out = out_dir or corpus.clean_dir
    if not raw.is_dir():
        raise ProposError(f"{raw}: no such folder of raw articles", exit_code=2)
    run = clean_corpus(
        raw, out, corpus.gold_dir, corpus.root, force=force, profile=profile, engine=engine
    )
    collected = (
        clean_collections(corpus, out, force=force, engine=engine) if out_dir is None else None
    )
    if collected is not None:
        run.merge(collected)
    for message in run.errors:
        typer.echo(f"error: {message}", err=True)
    if run.refused and not force:
        names = ", ".join(run.refused)
        raise ProposError(
            f"cleaning would change the text of {len(run.refused)} annotated document(s): {names};"
            " their gold offsets would break. Nothing was written for them. Use --force to"
            " rewrite anyway."
        )
    if run.refused:
        say(f"warning: rewrote annotated document(s) {', '.join(run.refused)} (--force)")
    say(
        f"clean: {len(run.written)} written, {len(run.unchanged)} unchanged, "
        f"{len(run.errors)} failed -> {out}"
    )
    if run.errors:
        raise typer.Exit(1)


@reports_errors
def split(
    root: RootOption = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Only check the committed file: fail on a leak or drift."),
    ] = False,
) -> None:
    """Assign documents to train/test by group (story, shared text, same agency) and write
    cross-validation folds.

    Existing assignments never move; new documents are assigned deterministically. Writes
    annotations/splits.json and reports the highest similarity across splits.
    """
    from propos import split as splits_module

    corpus = open_corpus(root)
    texts = splits_module.corpus_texts(corpus.clean_dir)
    sources = splits_module.corpus_sources(corpus)
    location = corpus.splits_file
    if check:
        problems = splits_module.check_splits(splits_module.load_splits(location), texts, sources)
        for problem in problems:
            typer.echo(f"{location}: {problem}")
        if problems:
            raise ProposError(f"{location}: {len(problems)} problem(s); run `propos split`")
        say(f"split --check: {location} agrees with the corpus, no leak")
        return
    previous = splits_module.load_splits(location) if location.exists() else None
    counts = splits_module.layer_counts(corpus.gold_dir, sorted(texts))
    result, warnings = splits_module.make_splits(texts, sources, previous, counts)
    for warning in warnings:
        say(f"warning: {warning}")
    splits_module.write_splits(location, result)
    say(splits_module.summary(result, location))


@import_app.command("brat")
@reports_errors
def import_brat_corpus(
    source: Annotated[Path, typer.Argument(help="Folder of a brat corpus (searched recursively).")],
    out: Annotated[Path, typer.Option(help="Corpus folder to write (corpus/, annotations/).")],
    mapping: Annotated[
        Path | None,
        typer.Option(
            help="Type mapping file (JSON: name, types, dropped, clean_profile); default:"
            " annotations/mappings/winer-fr.json of the corpus."
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """Import a brat corpus: map types, flatten nesting, clean, project onto the cleaned text.

    Writes OUT/corpus/raw, OUT/corpus/clean, OUT/annotations/gold, OUT/annotations/inventory.json
    and OUT/import-report.json; validate with `propos validate --root OUT OUT/annotations`.
    """
    from propos.importer import Mapping, import_brat

    def progress(done: int, total: int) -> None:
        if done % 100 == 0 or done == total:
            say(f"import: {done}/{total} documents")

    mapping_file = mapping or open_corpus(root).mappings_dir / "winer-fr.json"
    report = import_brat(source, out, Mapping.load(mapping_file), progress)
    summary = report.as_dict()
    say(
        f"import: {summary['documents']} documents, {sum(summary['kept_mentions'].values())}"
        f" mentions kept; dropped {summary['dropped_types']} by type, {summary['dropped_nested']}"
        f" nested, {summary['dropped_overlapping']} overlapping; unmappable"
        f" {sum(summary['unmappable'].values())}; report -> {out / 'import-report.json'}"
    )
    for failure in report.failed_documents:
        typer.echo(f"error: {failure['reason']}", err=True)
    if report.failed_documents:
        raise typer.Exit(1)


@import_app.command("wikinews")
@reports_errors
def import_wikinews(
    stories: Annotated[
        Path, typer.Argument(help="The stories file (JSON: groups of articles, each a story).")
    ],
    root: RootOption = None,
) -> None:
    """Register Wikinews stories as the collection `wikinews`: metadata, licence, attribution
    and the hashes that pin each text, in corpus/collections/wikinews.json.

    The article texts stay in the external corpus (read at clean and build time, never
    committed); run `propos clean` afterwards to write their cleaned documents.
    """
    from propos.collection import import_stories

    corpus = open_corpus(root)
    manifest, path = import_stories(corpus, stories)
    stories_count = len({document["story"] for document in manifest["documents"]})
    say(
        f"import wikinews: {len(manifest['documents'])} articles in {stories_count} stories"
        f" -> {path}"
    )


def register(app: typer.Typer) -> None:
    app.command()(clean)
    app.command()(split)
    app.add_typer(import_app, name="import")
