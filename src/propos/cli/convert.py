"""`propos convert ...`: annotation files to and from brat, Label Studio and CoNLL.

Commands parse their arguments and call :mod:`propos.interchange`; bad input is a ProposError,
reported as one line. Imports read every input first and write nothing if one file fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from propos.cli._common import RootOption, open_corpus, reports_errors, say
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
        help="Annotation files (<doc_id>.json), or folders of them.", show_default=False
    ),
]


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
    root: RootOption = None,
) -> None:
    """Import every <doc_id>.ann (with its .txt) of a folder as <out>/<doc_id>.json."""
    from propos.interchange import write_imported
    from propos.interchange.brat import read_brat_folder

    written = write_imported(read_brat_folder(directory), out, open_corpus(root).clean_dir)
    say(f"from-brat: {len(written)} document(s) -> {out}")


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
    root: RootOption = None,
) -> None:
    """Import each task of a Label Studio JSON export as <out>/<doc_id>.json."""
    from propos.interchange import write_imported
    from propos.interchange.labelstudio import read_tasks

    written = write_imported(read_tasks(tasks_file), out, open_corpus(root).clean_dir)
    say(f"from-labelstudio: {len(written)} document(s) -> {out}")


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
