"""`propos convert ...`: annotation files and submissions to and from brat, Label Studio and
CoNLL.

Commands parse their arguments and call :mod:`propos.interchange`; bad input is a ProposError,
reported as one line. Imports read every input first and write nothing if one file fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from propos.cli._common import RootOption, open_corpus, reports_errors, say
from propos.errors import ProposError
from propos.fileio import write_atomic

app = typer.Typer(
    help="Convert annotation files to and from brat, Label Studio and CoNLL.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

AnnotationFiles = Annotated[
    list[Path],
    typer.Argument(
        help="Annotation files (<doc_id>.json), folders of them, or a submission (.jsonl).",
        show_default=False,
    ),
]


def _hint_inventory(folder: Path) -> None:
    """An imported folder with no inventory.json beside or above it cannot have its ids
    checked by `propos validate` unless it is told which inventory to use."""
    from propos.validate import find_inventory

    if find_inventory(folder / "x.json") is None:
        say(
            f"note: no inventory.json beside or above {folder}; check its ids against one with"
            f" `propos validate {folder} --inventory annotations/inventory.json`"
        )


@app.command("to-brat")
@reports_errors
def to_brat(
    files: AnnotationFiles,
    out: Annotated[Path, typer.Option("--out", help="Folder for the .txt/.ann files.")],
    root: RootOption = None,
) -> None:
    """Write <doc_id>.txt and <doc_id>.ann for each annotation file, with annotation.conf."""
    from propos.interchange import load_annotated_documents
    from propos.interchange.brat import write_brat_config, write_brat_document

    documents = load_annotated_documents(files, open_corpus(root).clean_dir)
    for _, annotation, text in documents:
        write_brat_document(annotation, text, out)
    write_brat_config(out)
    say(f"to-brat: {len(documents)} document(s) -> {out}")


@app.command("from-brat")
@reports_errors
def from_brat(
    directory: Annotated[Path, typer.Argument(help="Folder of brat .ann/.txt pairs.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the <doc_id>.json files.")],
    inventory: Annotated[
        Path | None,
        typer.Option(
            help="Inventory to add the stubs of placeholder ids to (default: the nearest"
            " inventory.json beside or above --out)."
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """Import every <doc_id>.ann (with its .txt) of a folder as <out>/<doc_id>.json.

    A span drawn without notes gets a placeholder inventory id (E-todo-<doc_id>-T12) and a
    stub in the inventory, listed for the annotator to complete. New annotation ids follow
    the highest of the file and of the version in --out, so deleted ids are not reused.
    Nothing is written when one document would not validate.
    """
    from propos.interchange.importing import import_brat_folder

    result = import_brat_folder(directory, out, open_corpus(root).clean_dir, inventory)
    say(f"from-brat: {len(result.written)} document(s) -> {out}")
    if result.placeholders:
        where = (
            f"stubs added to {result.inventory}"
            if result.inventory
            else "no inventory to add their stubs to"
        )
        say(
            f"from-brat: {len(result.placeholders)} annotation(s) drawn without an inventory id"
            f" got a placeholder ({where}); replace each by the right inventory id or complete"
            " its stub:"
        )
        for placeholder in result.placeholders:
            say(f"  {placeholder.describe()}")
    if inventory is None:
        _hint_inventory(out)


@app.command("to-labelstudio")
@reports_errors
def to_labelstudio(
    files: AnnotationFiles,
    out: Annotated[Path, typer.Option("--out", help="The Label Studio tasks file (.json).")],
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Also write the matching labeling config (XML) here."),
    ] = None,
    root: RootOption = None,
) -> None:
    """Write one Label Studio task per annotation file (offsets in UTF-16 code units)."""
    from propos.fileio import dump_json
    from propos.interchange import load_annotated_documents
    from propos.interchange.labelstudio import annotation_to_task, labeling_config

    documents = load_annotated_documents(files, open_corpus(root).clean_dir)
    tasks = [
        annotation_to_task(annotation, text, str(path)) for path, annotation, text in documents
    ]
    write_atomic(out, dump_json(tasks))
    if config is not None:
        write_atomic(config, labeling_config())
    say(f"to-labelstudio: {len(tasks)} task(s) -> {out}")


@app.command("from-labelstudio")
@reports_errors
def from_labelstudio(
    tasks_file: Annotated[Path, typer.Argument(help="A Label Studio JSON export (list of tasks).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the <doc_id>.json files.")],
    by_annotator: Annotated[
        bool,
        typer.Option(
            "--by-annotator",
            help="Several annotators per task: one folder per annotator, <out>/<annotator>/"
            " (their e-mail, or user-<id>), ready for `propos agreement`.",
        ),
    ] = False,
    annotator: Annotated[
        str | None,
        typer.Option(help="Take only this annotator's annotations (e-mail or user id)."),
    ] = None,
    predictions: Annotated[
        bool,
        typer.Option(
            "--predictions",
            help="Also take a task's model prediction when it has no annotation (left out"
            " by default: predictions are not gold).",
        ),
    ] = False,
    root: RootOption = None,
) -> None:
    """Import each task of a Label Studio JSON export as <out>/<doc_id>.json.

    Cancelled annotations are skipped and counted. A task with several annotations needs
    --by-annotator or --annotator. Nothing is written when one document would not validate.
    """
    from propos.interchange.importing import import_labelstudio

    reading, folders = import_labelstudio(
        tasks_file, out, open_corpus(root).clean_dir, annotator, by_annotator, predictions
    )
    for name, documents in sorted(reading.by_annotator.items()):
        say(f"from-labelstudio: {len(documents)} document(s) -> {folders[name]}")
    if reading.summary():
        say(f"from-labelstudio: {reading.summary()}")
    for folder in folders.values():
        _hint_inventory(folder)


@app.command("to-conll")
@reports_errors
def to_conll(
    files: AnnotationFiles,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output file; standard output when omitted.")
    ] = None,
    coarse: Annotated[
        bool, typer.Option("--coarse", help="Coarse CoNLL types (GPE/LOC/FAC -> LOC).")
    ] = False,
    root: RootOption = None,
) -> None:
    """Write the entity layer as CoNLL-2003 style BIO (token and tag per line).

    Paragraphs are separated by a blank line; each document opens with "-DOCSTART- O".
    """
    from propos.interchange import load_annotated_documents
    from propos.interchange.conll import to_conll as conll_text

    documents = load_annotated_documents(files, open_corpus(root).clean_dir)
    text, warnings = conll_text(
        ((annotation, text) for _, annotation, text in documents), coarse=coarse
    )
    for warning in warnings:
        say(f"warning: {warning}")
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_atomic(out, text)
        say(f"to-conll: {len(documents)} document(s) -> {out}")


@app.command("from-conll")
@reports_errors
def from_conll(
    predictions: Annotated[
        Path,
        typer.Argument(
            help="Token-level IOB predictions: CoNLL columns (token ... tag), or rows of the"
            " dataset's `ner` configuration (.json/.jsonl) with predicted tags.",
            show_default=False,
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="The submission file to write (.jsonl).")],
    split: Annotated[
        str, typer.Option(help="Split the predictions are for: test, train or all.")
    ] = "test",
    gold: Annotated[
        Path | None,
        typer.Option(
            help="A built dataset folder to read the texts from; default: the corpus (--root)."
        ),
    ] = None,
    tags: Annotated[
        str,
        typer.Option(
            help="Field of the `ner` rows holding the predicted tags (ner_tags or coarse_tags)."
        ),
    ] = "ner_tags",
    root: RootOption = None,
) -> None:
    """Turn token-level IOB predictions into a submission (entities; every document of the split).

    A CoNLL file's documents (separated by -DOCSTART- lines) are found by their tokens, so it
    needs no offsets; tags may be IOB2, IOB1 or IOBES, fine or coarse types.
    """
    from propos import evaluation
    from propos.interchange.from_conll import iob_to_submission

    if not predictions.is_file():
        raise ProposError(f"{predictions}: no such file", exit_code=2)
    gold_set = (
        evaluation.gold_from_dataset(gold, split)
        if gold is not None
        else evaluation.gold_from_corpus(open_corpus(root), split)
    )
    lines, missing = iob_to_submission(predictions, gold_set.texts, tags)
    if missing:
        say(
            f"warning: {len(missing)} document(s) of the split had no predictions and are written"
            f" without entities: {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}"
        )
    write_atomic(out, lines)
    say(f"from-conll: {len(gold_set.texts)} document(s), split {split} -> {out}")
