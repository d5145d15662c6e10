"""Collections: groups of documents with one origin, one licence and their stories.

``press`` is the seed articles, whose raw files live in ``corpus/raw`` (their metadata in
``corpus/sources.csv``). A collection whose texts may not be copied into the project, such as
``wikinews`` (French Wikinews through WiNER-fr), is a manifest in ``corpus/collections/``: for
each article its story, title, date, licence, attribution, where its text comes from in the
external corpus, and the hashes that pin the raw and the cleaned text. The texts are read from
the external corpus when the corpus is cleaned, never committed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from propos.clean import (
    CleanRun,
    Staged,
    Staging,
    clean_text,
    commit_cleaned,
    decode_raw,
    line_endings,
    stage_cleaned,
    staged_by,
)
from propos.corpus import Corpus
from propos.engine import SERIAL, Engine, partitions
from propos.errors import ProposError
from propos.fileio import read_json, sha256_bytes, write_json

WIKINEWS = {
    "collection": "wikinews",
    "license": "CC BY 2.5",
    "license_url": "https://creativecommons.org/licenses/by/2.5/",
    "attribution": "Wikinews contributors",
    "external": "winer-fr",
    "profile": "wikinews",
    "doc_prefix": "wn-",
}
# The seed articles: one story told by five outlets, their texts the publishers'.
PRESS = {
    "collection": "press",
    "story": "geneva-summit-2021",
    "story_title": "Sommet Biden-Poutine à Genève (16 juin 2021)",
    "license": "research-only",
    "attribution": "the publishers (see corpus/sources.csv)",
}
DATE_IN_ID = re.compile(r"(?P<year>\d{4})_(?P<month>\d{2})_(?P<day>\d{2})")


def manifest_path(corpus: Corpus, collection: str) -> Path:
    return corpus.collections_dir / f"{collection}.json"


def load_manifests(corpus: Corpus) -> list[dict[str, Any]]:
    folder = corpus.collections_dir
    return [read_json(path) for path in sorted(folder.glob("*.json"))] if folder.is_dir() else []


def document_metadata(corpus: Corpus) -> dict[str, dict[str, Any]]:
    """collection, story, licence and attribution of every document the corpus knows."""
    found: dict[str, dict[str, Any]] = {}
    for manifest in load_manifests(corpus):
        for entry in manifest["documents"]:
            found[entry["doc_id"]] = {
                "collection": manifest["collection"],
                "story": entry["story"],
                "license": manifest["license"],
                "attribution": entry["attribution"],
                "title": entry["title"],
                "date": entry["date"],
                "url": entry.get("url"),
            }
    for path in sorted(corpus.clean_dir.glob("*.json")) if corpus.clean_dir.is_dir() else []:
        if path.stem not in found:
            found[path.stem] = {
                "collection": PRESS["collection"], "story": PRESS["story"],
                "license": PRESS["license"], "attribution": PRESS["attribution"],
                "title": None, "date": None, "url": None,
            }  # fmt: skip
    return found


def story_titles(corpus: Corpus) -> dict[str, str]:
    titles = {PRESS["story"]: PRESS["story_title"]}
    for manifest in load_manifests(corpus):
        titles.update({story["id"]: story["title"] for story in manifest.get("stories", [])})
    return titles


# ---------------------------------------------------------------- registering Wikinews stories


def _iso_date(doc: str) -> str | None:
    found = DATE_IN_ID.search(doc)
    return f"{found['year']}-{found['month']}-{found['day']}" if found else None


def _urls(external_root: Path) -> dict[str, str]:
    urls: dict[str, str] = {}
    for path in sorted(external_root.rglob("*-urls.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            doc, _, url = line.partition("\t")
            if doc.strip() and url.strip():
                urls[doc.strip()] = url.strip()
    return urls


def import_stories(corpus: Corpus, stories_file: Path) -> tuple[dict[str, Any], Path]:
    """Write the wikinews manifest from a stories file; every text is read and pinned."""
    if not stories_file.is_file():
        raise ProposError(f"{stories_file}: no such stories file", exit_code=2)
    stories = read_json(stories_file)
    groups = stories.get("groups") if isinstance(stories, dict) else None
    if not isinstance(groups, list) or not groups:
        raise ProposError(f"{stories_file}: expected {{'groups': [...]}} with at least one story")
    external_root = corpus.external_dir / WIKINEWS["external"]
    if not external_root.is_dir():
        raise ProposError(f"{external_root}: the external corpus is not there", exit_code=2)
    urls = _urls(external_root)
    documents = []
    for index, group in enumerate(groups):
        for article in group.get("articles", []):
            documents.append(_register(corpus, external_root, group, article, urls, index))
    manifest = {
        **{key: WIKINEWS[key] for key in ("collection", "license", "license_url", "external",
                                         "profile")},
        "text_license": "Wikinews: CC BY 2.5; WiNER-fr entity annotation: CC BY 4.0",
        "stories": [
            {key: group.get(key) for key in ("id", "title", "domain", "link")} for group in groups
        ],
        "documents": documents,
    }  # fmt: skip
    path = manifest_path(corpus, WIKINEWS["collection"])
    write_json(path, manifest)
    return manifest, path


def _register(
    corpus: Corpus, external_root: Path, group: dict[str, Any], article: dict[str, Any],
    urls: dict[str, str], index: int,
) -> dict[str, Any]:  # fmt: skip
    where = f"story {group.get('id', index)}, article {article.get('doc')}"
    if not isinstance(article.get("doc"), str) or not isinstance(article.get("path"), str):
        raise ProposError(f"{where}: an article needs 'doc' and 'path'")
    source = external_root / article["path"]
    document = _clean_external(source, WIKINEWS["doc_prefix"] + article["doc"], where)
    title = article.get("title") or document["metadata"].get("title", "")
    date = _iso_date(article["doc"])
    return {
        "doc_id": document["doc_id"],
        "story": group["id"],
        "title": title,
        "date": date,
        "url": urls.get(article["doc"]),
        "attribution": f"Wikinews contributors, « {title} », {date}",
        "source_file": article["path"],
        "raw_sha256": document["source"]["raw_sha256"],
        "text_sha256": document["text_sha256"],
    }


def _clean_external(source: Path, doc_id: str, where: str) -> dict[str, Any]:
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise ProposError(f"{source}: cannot read the text of {where} ({exc.strerror})") from exc
    raw, has_bom = decode_raw(data, str(source))
    result = clean_text(raw, doc_id, str(source), 1 if has_bom else 0, WIKINEWS["profile"])
    document = result.document
    document["source"] = {
        "collection": WIKINEWS["collection"],
        "external": WIKINEWS["external"],
        "format": "txt",
        "raw_sha256": sha256_bytes(data),
        "bom": has_bom,
        "line_endings": line_endings(raw),
        "offsets_refer_to": "raw text",
        "profile": WIKINEWS["profile"],
    }
    return document


# ---------------------------------------------------------------- cleaning external collections


def _clean_entry(
    task: tuple[Path, dict[str, Any], str],
) -> tuple[str, dict[str, Any] | None, str | None]:
    external_root, entry, collection = task
    doc_id = entry["doc_id"]
    source = external_root / entry["source_file"]
    try:
        document = _clean_external(source, doc_id, f"article {doc_id}")
    except ProposError as exc:
        return doc_id, None, str(exc)
    if document["source"]["raw_sha256"] != entry["raw_sha256"]:
        found, pinned = document["source"]["raw_sha256"][:12], entry["raw_sha256"][:12]
        return (
            doc_id,
            None,
            (
                f"{source}: the source text of article {doc_id} ({entry['title']}) changed"
                f" since it was registered (sha256 {found}… vs {pinned}… in"
                f" {collection}.json); its annotations are anchored to the registered text"
            ),
        )
    document["source"]["file"] = entry["source_file"]
    return doc_id, {"doc_id": doc_id, "source": document.pop("source"), **document}, None


ENTRIES_PER_PARTITION = 16


def clean_entries(tasks: list[tuple[Path, dict[str, Any], str]], staging: Staging) -> list[Staged]:
    """A task: clean a partition of a collection's articles and stage them."""
    return [stage_cleaned(_clean_entry(task), staging) for task in tasks]


def _cleaned(
    corpus: Corpus, manifest: dict[str, Any], engine: Engine = SERIAL
) -> Callable[[Staging], Iterator[Staged]]:
    """What stages the cleaned documents of a collection, in manifest order, whatever the
    engine."""
    external_root = corpus.external_dir / manifest["external"]
    tasks = [(external_root, entry, manifest["collection"]) for entry in manifest["documents"]]
    return staged_by(clean_entries, partitions(tasks, ENTRIES_PER_PARTITION), engine)


def clean_collections(
    corpus: Corpus, out_dir: Path, force: bool = False, engine: Engine = SERIAL
) -> CleanRun:
    """Clean the documents of every external collection into ``out_dir`` (on ``engine``; the
    bytes written do not depend on it)."""
    run = CleanRun()
    for manifest in load_manifests(corpus):
        if "external" not in manifest:
            continue
        total = len(manifest["documents"])
        cleaned = _cleaned(corpus, manifest, engine)
        run.merge(commit_cleaned(cleaned, total, out_dir, corpus.gold_dir, force))
    return run
