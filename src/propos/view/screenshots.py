"""Screenshots of the explorer with headless Chromium: `python -m propos.view.screenshots`.

Writes docs/screenshots/<doc_id>.png for every document and docs/screenshots/cross-outlet.png
for the statement reported by the most documents. The site is rendered into a temporary
folder first; Chromium opens file:// URLs with networking features off.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from propos.corpus import Corpus
from propos.errors import ProposError
from propos.view import pages
from propos.view.model import SiteCorpus, corpus_site
from propos.view.site import build_site

WINDOW = (1200, 1600)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_command(
    chromium: str, url: str, png: Path, profile: Path, window: tuple[int, int] = WINDOW
) -> list[str]:
    return [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--screenshot={png}",
        f"--window-size={window[0]},{window[1]}",
        url,
    ]


def screenshot(page: Path, png: Path, chromium: str | None = None, timeout: float = 120) -> Path:
    """Open a local page in headless Chromium and save a PNG of the window."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise ProposError("no Chromium found (apt-get install chromium)")
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="propos-chromium-") as profile:
        command = chromium_command(chromium, page.resolve().as_uri(), png.resolve(), Path(profile))
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise ProposError(f"chromium took more than {timeout:.0f} s on {page}") from exc
    if not png.exists():
        raise ProposError(f"chromium wrote no screenshot of {page} (exit {run.returncode})")
    return png


def most_reported_utterance(corpus: SiteCorpus) -> str:
    """The utterance reported in the most documents (then with the most versions, then by id)."""
    clusters = corpus.clusters["utterance"]
    if not clusters:
        raise ProposError("the corpus has no utterance to show across outlets")
    return min(
        clusters,
        key=lambda uid: (
            -len({m.doc_id for m in clusters[uid]}),
            -len(clusters[uid]),
            uid,
        ),
    )


def take_all(out_dir: Path, corpus: SiteCorpus) -> list[Path]:
    chromium = find_chromium()
    if chromium is None:
        raise ProposError("no Chromium found (apt-get install chromium)")
    written = []
    with tempfile.TemporaryDirectory(prefix="propos-site-") as folder:
        site = Path(folder) / "site"
        build_site(corpus, site)
        for document in corpus.documents.values():
            page = site / pages.doc_path(document)
            written.append(screenshot(page, out_dir / f"{document.stem}.png", chromium))
        utterance = most_reported_utterance(corpus)
        page = site / pages.cluster_path("utterance", utterance)
        written.append(screenshot(page, out_dir / "cross-outlet.png", chromium))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder for the PNG files (default: docs/screenshots of the corpus)",
    )
    parser.add_argument(
        "--root", type=Path, default=None, help="corpus root (default: the one containing .)"
    )
    args = parser.parse_args(argv)
    try:
        corpus = Corpus.open(args.root)
        out_dir = args.out or corpus.root / "docs" / "screenshots"
        for path in take_all(out_dir, corpus_site(corpus)):
            print(path)
    except ProposError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
