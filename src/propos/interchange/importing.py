"""`propos convert from-brat` and `from-labelstudio`: what an annotation tool wrote, read,
checked as `propos validate` checks it, and written only when every document passes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from propos.errors import ProposError
from propos.fileio import write_atomic
from propos.interchange import Imported, import_problems, refuse_problems, write_documents
from propos.interchange.brat import Placeholder, previous_ids, read_brat_document
from propos.interchange.inventory_stubs import add_stubs, previous_version
from propos.interchange.labelstudio import ExportReading, read_export
from propos.validate import find_inventory


@dataclass
class BratImport:
    written: list[Path]
    placeholders: list[Placeholder] = field(default_factory=list)
    inventory: Path | None = None  # where the placeholders' stubs went


def import_brat_folder(
    directory: Path, out: Path, clean_dir: Path, inventory: Path | None = None
) -> BratImport:
    """Every ``<doc_id>.ann`` (with its ``.txt``) of ``directory`` as ``<out>/<doc_id>.json``.

    A span drawn without notes gets a placeholder inventory id and a stub in ``inventory``
    (default: the nearest inventory.json beside or above ``out``); new annotation ids follow
    the highest of the file and of the version already in ``out``.
    """
    if not directory.is_dir():
        raise ProposError(f"{directory}: no such folder", exit_code=2)
    ann_files = sorted(directory.glob("*.ann"))
    if not ann_files:
        raise ProposError(f"{directory}: no .ann files in this folder", exit_code=2)
    placeholders: list[Placeholder] = []
    documents: list[Imported] = []
    for path in ann_files:
        previous = previous_ids(previous_version(out / f"{path.stem}.json"))
        annotation, text = read_brat_document(path, placeholders, previous)
        documents.append((annotation, text, str(path.with_name(f"{path.name[:-4]}.txt"))))
    target = inventory or find_inventory(out / "x.json")
    stubbed = add_stubs(target, [(p.layer, p.stub) for p in placeholders]) if target else None
    inventory_data = json.loads(stubbed) if stubbed is not None else None
    refuse_problems(import_problems(documents, out, clean_dir, inventory_data))
    written = write_documents(documents, out)
    if target is not None and stubbed is not None:
        write_atomic(target, stubbed)
    return BratImport(written, placeholders, target)


def import_labelstudio(
    tasks_file: Path,
    out: Path,
    clean_dir: Path,
    annotator: str | None = None,
    by_annotator: bool = False,
    predictions: bool = False,
) -> tuple[ExportReading, dict[str, Path]]:
    """Each task of a Label Studio JSON export as ``<out>/<doc_id>.json`` (with
    ``by_annotator``, ``<out>/<annotator>/<doc_id>.json``): the reading and the folders."""
    if by_annotator and annotator is not None:
        raise ProposError("--by-annotator and --annotator exclude each other", exit_code=2)
    reading = read_export(tasks_file, annotator, by_annotator, predictions)
    if not reading.by_annotator:
        detail = reading.summary()
        raise ProposError(
            f"{tasks_file}: no annotated task to import{f' ({detail})' if detail else ''}"
        )
    folders = {name: out / name if name else out for name in reading.by_annotator}
    batches = [
        ([(a, text, f"{tasks_file}: {a['doc_id']}") for a, text in documents], folders[name])
        for name, documents in reading.by_annotator.items()
    ]
    refuse_problems(
        [
            problem
            for docs, folder in batches
            for problem in import_problems(docs, folder, clean_dir)
        ]
    )
    for docs, folder in batches:
        write_documents(docs, folder)
    return reading, folders
