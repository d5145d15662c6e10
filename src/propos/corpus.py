"""Where the files of one Propos corpus live.

A corpus is a folder (its root) laid out like this repository: ``corpus/`` (raw articles,
``sources.csv``, cleaned documents, the collection manifests), ``annotations/`` (gold,
inventory, splits, passes), ``benchmark/`` (submissions, reports) and ``dist/`` (built
artefacts). Every stage is handed a ``Corpus`` (or plain records): nothing in the package finds
data through a global, an environment variable or its own source location.

External corpora that are read but never copied into the project (WiNER-fr) live in
``external_dir``, by default ``<root>/../shared/external``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from propos.errors import ProposError

# A folder is a corpus root when it holds one of these.
ROOT_MARKERS = ("annotations", "corpus")


@dataclass(frozen=True)
class Corpus:
    root: Path
    external_dir: Path

    @classmethod
    def at(cls, root: Path, external_dir: Path | None = None) -> Corpus:
        """The corpus rooted at ``root`` (which must exist)."""
        resolved = root.resolve()
        if not resolved.is_dir():
            raise ProposError(f"{root}: no such corpus folder", exit_code=2)
        external = external_dir if external_dir else resolved.parent / "shared" / "external"
        return cls(resolved, external.resolve())

    @classmethod
    def find(cls, start: Path, external_dir: Path | None = None) -> Corpus:
        """The corpus that contains ``start`` (the nearest folder above with a marker)."""
        start = start.resolve()
        for folder in (start, *start.parents):
            if any((folder / marker).is_dir() for marker in ROOT_MARKERS):
                return cls.at(folder, external_dir)
        raise ProposError(
            f"{start}: not inside a Propos corpus (no annotations/ or corpus/ folder here or"
            " above); pass --root DIR",
            exit_code=2,
        )

    @classmethod
    def open(cls, root: Path | None, external_dir: Path | None = None) -> Corpus:
        """``--root`` when given, else the corpus containing the current folder."""
        if root is not None:
            return cls.at(root, external_dir)
        return cls.find(Path.cwd(), external_dir)

    # ------------------------------------------------------------ corpus/
    @property
    def raw_dir(self) -> Path:
        return self.root / "corpus" / "raw"

    @property
    def clean_dir(self) -> Path:
        return self.root / "corpus" / "clean"

    @property
    def datasheet_file(self) -> Path:
        return self.root / "DATASHEET.md"

    @property
    def sources_file(self) -> Path:
        return self.root / "corpus" / "sources.csv"

    @property
    def collections_dir(self) -> Path:
        """Manifests of collections whose texts are read from an external corpus."""
        return self.root / "corpus" / "collections"

    def clean_path(self, doc_id: str) -> Path:
        return self.clean_dir / f"{doc_id}.json"

    # ------------------------------------------------------------ annotations/
    @property
    def annotations_dir(self) -> Path:
        return self.root / "annotations"

    @property
    def gold_dir(self) -> Path:
        return self.annotations_dir / "gold"

    @property
    def inventory_file(self) -> Path:
        return self.annotations_dir / "inventory.json"

    @property
    def splits_file(self) -> Path:
        return self.annotations_dir / "splits.json"

    @property
    def passes_dir(self) -> Path:
        return self.annotations_dir / "passes"

    @property
    def mappings_dir(self) -> Path:
        return self.annotations_dir / "mappings"

    # ------------------------------------------------------------ benchmark/ and dist/
    @property
    def benchmark_dir(self) -> Path:
        return self.root / "benchmark"

    @property
    def submissions_dir(self) -> Path:
        return self.benchmark_dir / "submissions"

    @property
    def dist_dir(self) -> Path:
        return self.root / "dist"

    @property
    def dataset_dir(self) -> Path:
        return self.dist_dir / "propos"

    @property
    def site_dir(self) -> Path:
        return self.dist_dir / "site"
