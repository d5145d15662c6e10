"""Write the whole site: render every page in memory, write a temporary folder, swap it in.

The output is a function of the inputs only (no dates, no absolute paths, sorted order), so
two runs give the same bytes. The target is replaced only if it is empty or was written by
``propos view`` (it holds the marker file), never an unrelated folder.
"""

from __future__ import annotations

from pathlib import Path

from propos import workdir
from propos.errors import ProposError
from propos.fileio import naming
from propos.view import assets, pages
from propos.view.model import CLUSTER_LAYERS, SiteCorpus

MARKER_TEXT = "Written by `propos view`; this folder is replaced as a whole on the next run.\n"
PAGE_RENDERERS = {
    "entity": pages.entity_page,
    "event": pages.event_page,
    "utterance": pages.utterance_page,
}


def render_site(corpus: SiteCorpus) -> dict[str, bytes]:
    """Every file of the site, by path relative to the site root."""
    files: dict[str, str] = {
        pages.MARKER_FILE: MARKER_TEXT,
        "style.css": assets.stylesheet(),
        "index.html": pages.index_page(corpus),
    }
    for document in corpus.documents.values():
        files[pages.doc_path(document)] = pages.document_page(corpus, document)
    for story_id, story in corpus.stories.items():
        files[pages.story_path(story)] = pages.story_page(corpus, story_id)
    for layer in CLUSTER_LAYERS:
        for cluster_id in sorted(corpus.clusters[layer]):
            path = pages.cluster_path(layer, cluster_id)
            if path in files:
                raise ProposError(f"two {layer} clusters map to the page {path}")
            files[path] = PAGE_RENDERERS[layer](corpus, cluster_id)
    return {path: files[path].encode("utf-8") for path in sorted(files)}


def check_target(target: Path) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise ProposError(f"{target}: exists and is not a folder; choose another --out", 2)
    if target.is_dir() and any(target.iterdir()) and not (target / pages.MARKER_FILE).exists():
        raise ProposError(
            f"{target}: folder exists and was not written by `propos view`; refusing to replace"
            " it (choose another --out, or remove it)",
            2,
        )


def write_site(files: dict[str, bytes], target: Path) -> None:
    target = target.absolute()
    check_target(target)
    work = workdir.create(target, "view")
    try:
        root = work.resolve()
        for relative, data in files.items():
            path = root / relative
            if root not in path.resolve().parents:  # paths are ours, but never leave the folder
                raise ProposError(f"refusing to write {relative} outside the site folder")
            path.parent.mkdir(parents=True, exist_ok=True)
            with naming(path):
                path.write_bytes(data)
        workdir.swap_in(work, target)
    except BaseException:
        workdir.discard(work)
        raise


def build_site(corpus: SiteCorpus, target: Path) -> list[str]:
    """Render and write the site; return the paths written, relative to the target."""
    files = render_site(corpus)
    write_site(files, target)
    return list(files)
