"""`propos view`: the corpus as a static site (plain HTML and CSS, no script, no network).

One page per document (the three layers over the cleaned text, and a submission against the
gold), one page per entity, event and utterance cluster (the same statement as each outlet
reported it, side by side), one per story (its documents and the clusters they share), and an
index. See :func:`build_site`.
"""

from __future__ import annotations

from propos.view.model import SiteCorpus, corpus_site, load_corpus
from propos.view.site import build_site, render_site

__all__ = ["SiteCorpus", "build_site", "corpus_site", "load_corpus", "render_site"]
