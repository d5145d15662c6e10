"""The pages of the corpus explorer as HTML strings: documents, clusters, stories, the index.

Every value from the corpus, the inventory, sources.csv or a submission goes through
:func:`e` (``html.escape`` with ``quote=True``) or through :mod:`propos.view.spans`, which
escapes too. Cluster pages are named by :func:`propos.view.model.safe_name`, never by an id.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from propos import schema
from propos.sentences import sentence_spans
from propos.view import assets
from propos.view.assets import css_ident
from propos.view.diff import closest, diff_html, similarity
from propos.view.model import (
    LAYERS,
    STATUSES,
    Document,
    Item,
    Mention,
    SiteCorpus,
    Story,
    safe_name,
    span_of,
)
from propos.view.spans import Mark, layout, render_text

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none';"
    " form-action 'none'"
)
RANK = {"quote": 0, "speaker": 1, "cue": 2, "entity": 3, "event": 4}
LAYER_NAMES = {"entities": "entity mentions", "quotes": "quotations", "events": "event mentions"}
MARKER_FILE = ".propos-view"


def e(value: Any) -> str:
    return escape(str(value), quote=True)


def cluster_path(layer: str, cluster_id: str) -> str:
    return f"{layer}/{safe_name(cluster_id)}.html"


def doc_path(document: Document) -> str:
    return f"doc/{document.stem}.html"


def story_path(story: Story) -> str:
    return f"stories/{story.stem}.html"


class Links:
    """Relative links from a page ``depth`` folders below the site root."""

    def __init__(self, corpus: SiteCorpus, depth: int) -> None:
        self.corpus = corpus
        self.prefix = "../" * depth

    def root(self, path: str) -> str:
        return self.prefix + path

    def doc(self, doc_id: str, anchor: str | None = None) -> str:
        target = self.root(doc_path(self.corpus.documents[doc_id]))
        return f"{target}#{anchor}" if anchor else target

    def story(self, story_id: str | None) -> str | None:
        story = self.corpus.stories.get(story_id) if story_id else None
        return self.root(story_path(story)) if story else None

    def cluster(self, layer: str, cluster_id: str | None) -> str | None:
        if not self.corpus.has_page(layer, cluster_id):
            return None
        assert cluster_id is not None
        return self.root(cluster_path(layer, cluster_id))


def link(href: str | None, label: str, **attrs: str) -> str:
    """An escaped link, or the escaped label alone when there is no target."""
    extra = "".join(f' {name.replace("_", "-")}="{e(value)}"' for name, value in attrs.items())
    if href is None:
        return f"<span{extra}>{e(label)}</span>"
    return f'<a href="{e(href)}"{extra}>{e(label)}</a>'


def cluster_link(links: Links, layer: str, cluster_id: str | None) -> str:
    return link(links.cluster(layer, cluster_id), cluster_id or "—")


def mention_link(links: Links, doc_id: str, item: Item, label: str) -> str:
    return link(links.doc(doc_id, f"m-{item['id']}"), label)


def speaker_link(corpus: SiteCorpus, links: Links, speaker_id: str | None) -> str:
    if not speaker_id:
        return "<em>unnamed source</em>"
    return link(links.cluster("entity", speaker_id), corpus.entity_name(speaker_id) or speaker_id)


def type_square(event_type: str) -> str:
    return f'<span class="evc-{css_ident(assets.event_category(event_type))}">■</span>'


def tally(counts: Counter[str]) -> str:
    return ", ".join(f"{key} ×{n}" for key, n in sorted(counts.items()))


# ---------------------------------------------------------------- page frame


def shell(title: str, depth: int, header: str, body: str) -> str:
    prefix = "../" * depth
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)} · Propos</title>\n"
        f'<link rel="stylesheet" href="{prefix}style.css">\n'
        "</head>\n<body>\n"
        f"{header}\n{body}\n"
        "<footer>Propos corpus explorer: static pages written by <code>propos view</code>."
        "</footer>\n</body>\n</html>\n"
    )


def top(
    links: Links,
    crumbs: Sequence[tuple[str, str | None]],
    title: str,
    sub: str = "",
    credit: str = "",
) -> str:
    """The page header; ``sub`` and ``credit`` (an attribution line) are HTML, escaped."""
    trail = " › ".join(
        [link(links.root("index.html"), "Propos corpus"), *(link(h, t) for t, h in crumbs)]
    )
    subline = f'\n<p class="sub">{sub}</p>' if sub else ""
    creditline = f'\n<p class="attribution">{credit}</p>' if credit else ""
    return (
        f'<header class="top">\n<nav>{trail}</nav>\n<h1>{e(title)}</h1>{subline}{creditline}'
        "\n</header>"
    )


def table(
    headers: Sequence[str], rows: Iterable[str], table_id: str = "", numeric: Iterable[int] = ()
) -> str:
    numeric = set(numeric)
    head = "".join(
        ('<th class="num">' if i in numeric else "<th>") + f"{e(h)}</th>"
        for i, h in enumerate(headers)
    )
    ident = f' id="{e(table_id)}"' if table_id else ""
    return f'<table class="tbl"{ident}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n' + (
        "\n".join(rows) + "\n</tbody>\n</table>"
    )


def num(value: int | str, key: str = "") -> str:
    data = f' data-count="{e(key)}"' if key else ""
    return f'<td class="num"{data}>{e(value)}</td>'


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


# ---------------------------------------------------------------- contexts


def context_html(document: Document, start: int, end: int, limit: int = 420) -> str:
    """The sentence(s) around text[start:end], escaped, with the span in <mark>."""
    text = document.text
    spans = sentence_spans(text)
    left = max((s for s, _ in spans if s <= start), default=0)
    right = min((t for _, t in spans if t >= end), default=len(text))
    cut_left = cut_right = False
    if right - left > limit:
        if start - limit // 3 > left:
            left, cut_left = start - limit // 3, True
        if max(end + limit // 3, start + limit) < right:
            right, cut_right = max(end + limit // 3, start + limit), True
    before = text[left:start].lstrip()
    after = text[end:right].rstrip()
    dots_left = "… " if cut_left else ""
    dots_right = " …" if cut_right else ""
    return (
        f'<span class="ctx">{dots_left}{e(before)}<mark>{e(text[start:end])}</mark>'
        f"{e(after)}{dots_right}</span>"
    )


# ---------------------------------------------------------------- document pages


def paragraph_blocks(document: Document) -> list[tuple[int, int, str]]:
    """(start, end, role) of each block of the text: the paragraphs, and any text they miss."""
    text = document.text
    blocks: list[tuple[int, int, str]] = []
    position = 0
    for paragraph in document.paragraphs:
        start, end = int(paragraph["start"]), int(paragraph["end"])
        start, end = max(start, position), min(end, len(text))
        if start >= end:
            continue
        blocks += _loose_blocks(text, position, start)
        blocks.append((start, end, str(paragraph.get("role") or "paragraph")))
        position = end
    blocks += _loose_blocks(text, position, len(text))
    return blocks


# Text between two blank lines, trimmed (what stands outside the recorded paragraphs).
LOOSE_BLOCK = re.compile(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*$)", re.DOTALL)


def _loose_blocks(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    blocks = []
    for found in LOOSE_BLOCK.finditer(text[start:end]):
        blocks.append((start + found.start(), start + found.end(), "paragraph"))
    return blocks


BLOCK_TAGS = {"title": "h2", "subheading": "h3"}


class MarkMaker:
    """Marks for one document's annotations, gold or predicted, with their statuses."""

    def __init__(self, corpus: SiteCorpus, document: Document, links: Links) -> None:
        self.corpus = corpus
        self.document = document
        self.links = links
        self.marks: list[Mark] = []
        self.roles: dict[tuple[str, int, int, str], list[tuple[Item, bool]]] = {}

    def status_attrs(
        self, item: Item, spurious: bool, status: str | None, pred_id: str | None
    ) -> list[tuple[str, str]]:
        attrs: list[tuple[str, str]] = []
        if spurious:
            attrs.append(("data-pred-id", str(item["id"])))
        else:
            attrs += [("data-id", str(item["id"])), ("id", f"m-{item['id']}")]
            if pred_id is not None:
                attrs.append(("data-pred-id", pred_id))
        if status:
            attrs.append(("data-status", status))
        return attrs

    def cluster_line(self, layer: str, cluster_id: Any, spurious: bool) -> str:
        if spurious:
            return f"predicted {layer} cluster: {cluster_id or '(none)'}"
        entry = self.corpus.inventory_entry(layer, cluster_id)
        label = (entry or {}).get("name") or (entry or {}).get("description") or ""
        return f"{layer} {cluster_id}: {label}" if label else f"{layer} {cluster_id or '(none)'}"

    def entity(
        self, item: Item, spurious: bool = False, status: str | None = None, pred: str | None = None
    ) -> None:
        entity_type = str(item["type"])
        lines = [
            f"{entity_type} mention {item['id']}",
            self.cluster_line("entity", item.get("entity_id"), spurious),
        ]
        if status:
            lines.append(assets.STATUS_LABELS[status])
        href = None if spurious else self.links.cluster("entity", item.get("entity_id"))
        attrs = [
            ("class", f"ent c-{css_ident(entity_type)}"),
            ("data-layer", "entity"),
            ("data-type", entity_type),
            *self.status_attrs(item, spurious, status, pred),
            *([("href", href)] if href else []),
            ("title", "\n".join(lines)),
        ]
        tag = "a" if href else "span"
        self.marks.append(Mark(item["start"], item["end"], RANK["entity"], tag, tuple(attrs)))

    def speaker_name(self, quote: Item, spurious: bool) -> str:
        if not spurious:
            name = self.corpus.entity_name(quote.get("speaker_entity_id"))
            if name:
                return name
            if quote.get("speaker_entity_id"):
                return str(quote["speaker_entity_id"])
        if quote.get("speaker"):
            return str(quote["speaker"]["text"])
        return "unnamed source" if not spurious else "no speaker"

    def quote(
        self, item: Item, spurious: bool = False, status: str | None = None, pred: str | None = None
    ) -> None:
        kind = str(item["kind"])
        speaker = self.speaker_name(item, spurious)
        cue = item.get("cue")
        lines = [
            f"{kind} quotation {item['id']}",
            f"speaker: {speaker}",
            f"cue: {cue['text'] if cue else '(none)'}",
            self.cluster_line("utterance", item.get("utterance_id"), spurious),
        ]
        if status:
            lines.append(assets.STATUS_LABELS[status])
        href = None if spurious else self.links.cluster("utterance", item.get("utterance_id"))
        label = f"{kind} · {speaker}"
        badge: list[tuple[str, str]] = [("class", f"qbadge k-{css_ident(kind)}")]
        if href:
            badge.append(("href", href))
        badge += [
            ("data-label", label),
            ("aria-label", f"{label}: open the statement across outlets" if href else label),
            ("title", "\n".join(lines)),
        ]
        attrs = [
            ("class", f"quote q-{css_ident(kind)}"),
            ("data-layer", "quote"),
            ("data-kind", kind),
            *self.status_attrs(item, spurious, status, pred),
            ("title", "\n".join(lines)),
        ]
        content = item["content"]
        self.marks.append(
            Mark(
                content["start"], content["end"], RANK["quote"], "span", tuple(attrs), tuple(badge)
            )
        )
        for role in ("cue", "speaker"):
            span = item.get(role)
            if span:
                # cues and speakers carry a status only when the whole quotation is spurious
                shown = "spurious" if status == "spurious" else ""
                key = (role, span["start"], span["end"], shown)
                self.roles.setdefault(key, []).append((item, spurious))

    def role_marks(self) -> None:
        for (role, start, end, status), quotes in sorted(self.roles.items()):
            ids = " ".join(str(q["id"]) for q, _ in quotes)
            lines = [
                f"{role} of the {q['kind']} quotation {q['id']}"
                f" (speaker: {self.speaker_name(q, s)})"
                for q, s in quotes
            ]
            attrs = [("class", role), ("data-layer", "quote"), ("data-role", role)]
            attrs.append(("data-of", ids))
            if any(s for _, s in quotes):
                attrs.append(("data-pred", "1"))
            if status:
                attrs.append(("data-status", status))
            attrs.append(("title", "\n".join(lines)))
            self.marks.append(Mark(start, end, RANK[role], "span", tuple(attrs)))

    def event(
        self, item: Item, spurious: bool = False, status: str | None = None, pred: str | None = None
    ) -> None:
        event_type = str(item["type"])
        realis = str(item.get("realis") or "unknown")
        comparison = self.document.comparison
        source = comparison.predicted if spurious and comparison else self.document.gold
        mentions = {m["id"]: m for m in (source or {}).get("entities", [])}
        arguments = ", ".join(
            f"{mentions[a['entity']]['text']} ({a['role']})"
            if a["entity"] in mentions
            else f"{a['entity']} ({a['role']})"
            for a in item.get("arguments", [])
        )
        lines = [
            f"{event_type} · realis {realis}",
            f"event mention {item['id']}; "
            + self.cluster_line("event", item.get("event_id"), spurious),
            f"arguments: {arguments or '(none)'}",
        ]
        if status:
            lines.append(assets.STATUS_LABELS[status])
        href = None if spurious else self.links.cluster("event", item.get("event_id"))
        category = assets.event_category(event_type)
        attrs = [
            ("class", f"trig ev-{css_ident(category)} r-{css_ident(realis)}"),
            ("data-layer", "event"),
            ("data-type", event_type),
            ("data-realis", realis),
            *self.status_attrs(item, spurious, status, pred),
            *([("href", href)] if href else []),
            ("title", "\n".join(lines)),
        ]
        trigger = item["trigger"]
        tag = "a" if href else "span"
        self.marks.append(Mark(trigger["start"], trigger["end"], RANK["event"], tag, tuple(attrs)))

    def build(self) -> list[Mark]:
        document = self.document
        comparison = document.comparison
        makers = {"entities": self.entity, "quotes": self.quote, "events": self.event}
        for layer in LAYERS:
            for item in document.layer(layer):
                if comparison is None:
                    makers[layer](item)
                else:
                    status = comparison.gold_status[layer].get(item["id"], "missed")
                    pred = comparison.matched_pred[layer].get(item["id"])
                    makers[layer](item, False, status, pred)
            if comparison is not None:
                for item in comparison.spurious[layer]:
                    makers[layer](item, True, "spurious", None)
        self.role_marks()
        return self.marks


def document_text(corpus: SiteCorpus, document: Document, links: Links) -> str:
    marks = MarkMaker(corpus, document, links).build()
    blocks = paragraph_blocks(document)
    pieces = layout(marks, [(start, end) for start, end, _ in blocks])
    html = []
    for start, end, role in blocks:
        tag = BLOCK_TAGS.get(role, "p")
        body = render_text(document.text, start, end, pieces)
        html.append(f'<{tag} class="para r-{css_ident(role)}" data-role="{e(role)}">{body}</{tag}>')
    return '<article class="text" lang="fr">\n' + "\n".join(html) + "\n</article>"


def toggles(pred: bool) -> tuple[str, str]:
    """The hidden checkboxes (before main) and their labels (in the aside)."""
    names = dict(assets.LAYER_TOGGLES)
    if pred:
        names.update({status: status for status in STATUSES})
    inputs = "\n".join(
        f'<input type="checkbox" class="toggle" id="t-{key}" checked>' for key in names
    )
    layer_labels = " ".join(
        f'<label class="tg" for="t-{key}">{e(name)}</label>'
        for key, name in assets.LAYER_TOGGLES.items()
    )
    section = f"<section><h2>Layers</h2>\n<div>{layer_labels}</div>"
    if pred:
        status_labels = " ".join(
            f'<label class="tg" for="t-{status}">{e(status)}</label>' for status in STATUSES
        )
        section += f"\n<div>{status_labels}</div>"
    return inputs, section + "\n</section>"


def legend(document: Document, pred: bool) -> str:
    entity_counts = Counter(str(item["type"]) for item in document.layer("entities"))
    kind_counts = Counter(str(item["kind"]) for item in document.layer("quotes"))
    events = document.layer("events")
    event_counts = Counter(str(item["type"]) for item in events)
    realis_counts = Counter(str(item.get("realis")) for item in events)
    entities = "\n".join(
        f'<li><span class="sw c-{css_ident(t)}">{e(t)}</span>{e(assets.ENTITY_NAMES.get(t, t))}'
        f' <span class="count">{entity_counts.get(t, 0)}</span></li>'
        for t in schema.ENTITY_TYPES
    )
    kinds = "\n".join(
        f'<li><span class="sw q-{css_ident(k)}">&nbsp;</span>{e(k)}'
        f' <span class="count">{kind_counts.get(k, 0)}</span></li>'
        for k in schema.QUOTE_KINDS
    )
    kinds += (
        '\n<li><span class="sw"><span class="cue">cue</span></span>reporting cue</li>'
        '\n<li><span class="sw"><span class="speaker">who</span></span>speaker mention</li>'
    )
    categories = dict.fromkeys(assets.event_category(t) for t in schema.EVENT_TYPES)
    present = "\n".join(
        f'<li><span class="evc-{css_ident(assets.event_category(t))}">■</span> {e(t)}'
        f' <span class="count">{n}</span></li>'
        for t, n in sorted(event_counts.items())
    )
    category_items = " ".join(
        f'<span class="sw line ev-{css_ident(c)}">{e(c)}</span>' for c in categories
    )
    realis = "\n".join(
        f'<li><span class="sw line ev-Contact r-{css_ident(r)}">abc</span>{e(r)}'
        f' <span class="count">{realis_counts.get(r, 0)}</span></li>'
        for r in schema.REALIS_VALUES
    )
    html = (
        '<section class="legend"><h2>Entity types</h2>\n<ul>\n' + entities + "\n</ul></section>\n"
        '<section class="legend"><h2>Quotations</h2>\n<ul>\n' + kinds + "\n</ul></section>\n"
        '<section class="legend"><h2>Event triggers</h2>\n'
        f'<p class="note">Colour by type family: {category_items}</p>\n'
        "<ul>\n" + realis + "\n</ul>\n"
        '<p class="note">Types in this document (hover a trigger for type, realis and'
        " arguments):</p>\n<ul>\n" + present + "\n</ul></section>"
    )
    if pred:
        statuses = "\n".join(
            f'<li><span class="sw st-{s}">{e(s)}</span>{e(assets.STATUS_LABELS[s])}</li>'
            for s in STATUSES
        )
        html += (
            '\n<section class="legend"><h2>Submission</h2>\n<ul>\n' + statuses + "\n</ul></section>"
        )
    return html


def score_table(document: Document) -> str:
    """Exact-match counts (what the colours show) and the official F1 of each layer."""
    from propos.metrics import HEADLINES

    comparison = document.comparison
    assert comparison is not None
    rows = []
    for layer in LAYERS:
        counts = comparison.counts(layer)
        official = comparison.official.get(layer)
        f1 = "—" if official is None else f"{float(official['f1']):.3f}"
        rows.append(
            f'<tr data-layer="{layer}"><td>{e(layer)}</td>'
            + num(counts["ok"], "ok")
            + num(counts["missed"], "missed")
            + num(counts["spurious"], "spurious")
            + num(f1, "f1")
            + "</tr>"
        )
    absent = (
        ""
        if comparison.present
        else '<p class="note">Not in the submission: every gold span counts as missed.</p>'
    )
    measures = "; ".join(f"{layer}: {HEADLINES[layer]}" for layer in LAYERS)
    return (
        '<section class="score"><h2>Submission against gold</h2>'
        + absent
        + table(["layer", "ok", "missed", "spur.", "F1"], rows, "score", numeric=(1, 2, 3, 4))
        + '<p class="note" data-measure="official">F1: the official measure of'
        f" <code>propos evaluate</code> ({e(measures)}), as <code>propos evaluate --by"
        " document</code> prints it for this document. ok / missed / spur. and the colours:"
        " exact match, same span and same label (type or kind).</p></section>"
    )


def source_section(document: Document) -> str:
    source = document.source
    rows = [
        ("document", document.doc_id),
        ("outlet", document.outlet_note),
        ("country", source.get("country") or "unknown"),
        ("language", source.get("language") or "unknown"),
        ("machine translated", source.get("machine_translated") or "unknown"),
        ("agency", source.get("agency_credit") or document.metadata.get("credit") or "none"),
        (
            "published",
            source.get("published")
            or document.metadata.get("published")
            or document.date
            or "unknown",
        ),
    ]
    items = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows if v)
    notes = source.get("notes")
    flags = "".join(
        f"<li>{e(flag.get('flag', ''))}: “{e(flag.get('evidence', ''))}”</li>"
        for flag in document.quality_flags
        if isinstance(flag, dict)
    )
    html = f'<section class="source"><h2>Source</h2><dl class="meta">{items}</dl>'
    if notes:
        html += f'<p class="note">{e(notes)}</p>'
    if flags:
        html += f'<p class="note">Quality flags:</p><ul class="mentions">{flags}</ul>'
    return html + "</section>"


def credit_line(document: Document) -> str:
    """Who wrote the text, under which licence, from where (the url as text: no outside link)."""
    parts = []
    if document.about("attribution"):
        parts.append(f"Text: {e(document.about('attribution'))}")
    if document.about("license"):
        parts.append(f"licence {e(document.about('license'))}")
    if document.about("url"):
        parts.append(f'source: <span class="url">{e(document.about("url"))}</span>')
    return " · ".join(parts)


def collection_section(corpus: SiteCorpus, links: Links, document: Document) -> str:
    if not document.info:
        return ""
    story = corpus.story_of(document)
    rows = [
        ("collection", e(document.collection or "unknown")),
        ("story", link(links.story(document.story), story.title) if story else "none"),
        ("licence", e(document.about("license") or "unknown")),
        ("date", e(document.date or "unknown")),
        ("attribution", e(document.about("attribution") or "none")),
    ]
    if document.about("url"):
        rows.append(("source", f'<span class="url">{e(document.about("url"))}</span>'))
    items = "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<section class="collection"><h2>Collection</h2><dl class="meta">{items}</dl></section>'


def status_cell(document: Document, layer: str, item_id: str) -> str:
    if document.comparison is None:
        return ""
    status = document.comparison.gold_status[layer].get(item_id, "missed")
    return f'<td><span class="badge st-{status}">{e(status)}</span></td>'


def annotation_tables(corpus: SiteCorpus, document: Document, links: Links) -> str:
    pred = document.comparison is not None
    status_header = ["status"] if pred else []
    mentions = {m["id"]: m for m in document.layer("entities")}
    quote_rows = []
    for quote in document.layer("quotes"):
        speaker_id = quote.get("speaker_entity_id")
        speaker = (
            link(links.cluster("entity", speaker_id), corpus.entity_name(speaker_id) or speaker_id)
            if speaker_id
            else "<em>unnamed source</em>"
        )
        kind = str(quote["kind"])
        quote_rows.append(
            f'<tr><td><a href="#m-{e(quote["id"])}">{e(quote["id"])}</a></td>'
            f'<td><span class="badge k-{css_ident(kind)}">{e(kind)}</span></td>'
            f"<td>{speaker}</td>"
            f"<td>{e(quote['cue']['text']) if quote.get('cue') else '—'}</td>"
            f"<td>{e(quote['speaker']['text']) if quote.get('speaker') else '—'}</td>"
            f"<td>{cluster_link(links, 'utterance', quote.get('utterance_id'))}</td>"
            + status_cell(document, "quotes", quote["id"])
            + "</tr>"
        )
    event_rows = []
    for event in document.layer("events"):
        arguments = ", ".join(
            link(
                links.cluster("entity", mentions[a["entity"]].get("entity_id")),
                mentions[a["entity"]]["text"],
            )
            + f' <span class="count">{e(a["role"])}</span>'
            if a["entity"] in mentions
            else e(f"{a['entity']} ({a['role']})")
            for a in event.get("arguments", [])
        )
        event_type = str(event["type"])
        event_rows.append(
            f'<tr><td><a href="#m-{e(event["id"])}">{e(event["id"])}</a></td>'
            f"<td>{e(event['trigger']['text'])}</td>"
            f'<td><span class="evc-{css_ident(assets.event_category(event_type))}">■</span>'
            f" {e(event_type)}</td><td>{e(event.get('realis'))}</td>"
            f"<td>{cluster_link(links, 'event', event.get('event_id'))}</td>"
            f"<td>{arguments or '—'}</td>" + status_cell(document, "events", event["id"]) + "</tr>"
        )
    html = (
        '<h2 class="sec">Quotations</h2>\n'
        + table(
            ["id", "kind", "speaker", "cue", "speaker mention", "statement", *status_header],
            quote_rows,
            "quotes",
        )
        + '\n<h2 class="sec">Events</h2>\n'
        + table(
            ["id", "trigger", "type", "realis", "event", "arguments", *status_header],
            event_rows,
            "events",
        )
    )
    if pred:
        html += spurious_tables(document)
    return html


def spurious_tables(document: Document) -> str:
    comparison = document.comparison
    assert comparison is not None
    rows = []
    for layer in LAYERS:
        for item in comparison.spurious[layer]:
            start, end = span_of(item)
            label = item.get("type") or item.get("kind") or ""
            rows.append(
                f'<tr><td>{e(layer)}</td><td>{e(item["id"])}</td><td class="ctx">'
                f"{e(document.text[start:end])}</td><td>{e(label)}</td>"
                f'<td class="num">{start}–{end}</td></tr>'
            )
    if not rows:
        return '\n<h2 class="sec">Spurious predictions</h2>\n<p class="note">None.</p>'
    return '\n<h2 class="sec">Spurious predictions</h2>\n' + table(
        ["layer", "id", "text", "label", "offsets"], rows, "spurious", numeric=(4,)
    )


def document_page(corpus: SiteCorpus, document: Document) -> str:
    links = Links(corpus, 1)
    pred = document.comparison is not None
    inputs, toggle_section = toggles(pred)
    counts = " · ".join(
        plural(len(document.layer(layer)), LAYER_NAMES[layer][:-1]) for layer in LAYERS
    )
    story = corpus.story_of(document)
    crumbs: list[tuple[str, str | None]] = [("documents", links.root("index.html#documents"))]
    if story:
        crumbs.append((story.title, links.story(story.story_id)))
    where = [e(document.outlet_note)]
    if story:
        where.append(f"story {link(links.story(story.story_id), story.title)}")
    if document.collection:
        where.append(f"collection {e(document.collection)}")
    if document.date:
        where.append(e(document.date))
    header = top(
        links,
        [*crumbs, (document.doc_id, None)],
        document.title,
        " · ".join([*where, e(counts)])
        + ("" if document.gold else " · <strong>not annotated</strong>"),
        credit_line(document),
    )
    aside = [toggle_section]
    if pred:
        aside.append(score_table(document))
    aside += [legend(document, pred), collection_section(corpus, links, document)]
    aside.append(source_section(document))
    body = (
        '<div class="page">\n'
        + inputs
        + "\n<main>\n"
        + document_text(corpus, document, links)
        + "\n"
        + annotation_tables(corpus, document, links)
        + "\n</main>\n<aside>\n"
        + "\n".join(aside)
        + "\n</aside>\n</div>"
    )
    return shell(document.title, 1, header, body)


# ---------------------------------------------------------------- cluster pages


def by_document(mentions: Sequence[Mention]) -> dict[str, list[Mention]]:
    grouped: dict[str, list[Mention]] = {}
    for mention in mentions:
        grouped.setdefault(mention.doc_id, []).append(mention)
    return grouped


def doc_heading(corpus: SiteCorpus, links: Links, doc_id: str) -> str:
    document = corpus.documents[doc_id]
    source = document.source
    details = [
        doc_id if document.outlet else f"outlet: {document.outlet_note}",
        source.get("country") or "",
        f"machine translated: {source['machine_translated']}"
        if source.get("machine_translated")
        else "",
    ]
    label = document.outlet_label
    if document.about("title") and not source:  # a collection's article: its title names it
        label = document.title
        details = [document.outlet or document.collection, doc_id, document.date]
    extra = " · ".join(d for d in details if d and d != "unknown")
    return f'<h3>{link(links.doc(doc_id), label)}</h3><p class="src">{e(extra)}</p>'


def entity_page(corpus: SiteCorpus, entity_id: str) -> str:
    links = Links(corpus, 1)
    entry = corpus.inventory_entry("entity", entity_id) or {}
    mentions = corpus.clusters["entity"][entity_id]
    name = str(entry.get("name") or entity_id)
    grouped = by_document(mentions)
    entity_type = str(entry.get("type") or (mentions[0].item["type"] if mentions else "?"))
    sub = (
        f'<span class="sw c-{css_ident(entity_type)}">{e(entity_type)}</span> {e(entity_id)} · '
        f"{e(plural(len(mentions), 'mention'))} in {e(plural(len(grouped), 'document'))}"
    )
    if entry.get("wikidata"):
        sub += f" · Wikidata {e(entry['wikidata'])}"
    if not entry:
        sub += " · <strong>not in the inventory</strong>"
    forms = Counter(str(m.item["text"]) for m in mentions)
    form_list = ", ".join(
        f"“{e(f)}” ×{n}" for f, n in sorted(forms.items(), key=lambda x: (-x[1], x[0]))
    )
    sections = [f'<h2 class="sec">Spellings</h2><p>{form_list or "none"}</p>']
    sections.append('<h2 class="sec">Mentions by document</h2>')
    for doc_id, group in grouped.items():
        document = corpus.documents[doc_id]
        items = "".join(
            f'<li><a href="{e(links.doc(doc_id, "m-" + str(m.item["id"])))}">{e(m.item["id"])}</a> '
            f"{context_html(document, m.item['start'], m.item['end'])}</li>"
            for m in group
        )
        heading = doc_heading(corpus, links, doc_id)
        sections.append(f'<div class="doccol">{heading}<ul class="mentions">{items}</ul></div>')
    spoken = [
        (uid, ms)
        for uid, ms in corpus.clusters["utterance"].items()
        if any(m.item.get("speaker_entity_id") == entity_id for m in ms)
        or (corpus.inventory_entry("utterance", uid) or {}).get("speaker_entity_id") == entity_id
    ]
    if spoken:
        items = "".join(
            f"<li>{link(links.cluster('utterance', uid), utterance_label(corpus, uid))}"
            f' <span class="count">{e(plural(len({m.doc_id for m in ms}), "document"))}</span></li>'
            for uid, ms in spoken
        )
        sections.append(
            f'<h2 class="sec">Statements (as speaker)</h2><ul class="mentions">{items}</ul>'
        )
    roles: dict[str, Counter[str]] = {}
    for event_id, event_mentions in corpus.clusters["event"].items():
        for mention in event_mentions:
            document = corpus.documents[mention.doc_id]
            ids = {m["id"] for m in document.layer("entities") if m.get("entity_id") == entity_id}
            for argument in mention.item.get("arguments", []):
                if argument["entity"] in ids:
                    roles.setdefault(event_id, Counter())[str(argument["role"])] += 1
    if roles:
        items = "".join(
            f"<li>{link(links.cluster('event', event_id), event_label(corpus, event_id))} "
            f'<span class="count">{e(tally(c))}</span></li>'
            for event_id, c in sorted(roles.items())
        )
        sections.append(
            f'<h2 class="sec">Events (as argument)</h2><ul class="mentions">{items}</ul>'
        )
    header = top(
        links, [("entities", links.root("index.html#entities")), (entity_id, None)], name, sub
    )
    return shell(name, 1, header, '<div class="wrap">' + "\n".join(sections) + "</div>")


def event_label(corpus: SiteCorpus, event_id: str) -> str:
    entry = corpus.inventory_entry("event", event_id) or {}
    return str(entry.get("description") or event_id)


def utterance_label(corpus: SiteCorpus, utterance_id: str) -> str:
    entry = corpus.inventory_entry("utterance", utterance_id) or {}
    return str(entry.get("description") or utterance_id)


def event_page(corpus: SiteCorpus, event_id: str) -> str:
    links = Links(corpus, 1)
    entry = corpus.inventory_entry("event", event_id) or {}
    mentions = corpus.clusters["event"][event_id]
    grouped = by_document(mentions)
    event_type = str(entry.get("type") or (mentions[0].item["type"] if mentions else "?"))
    category = assets.event_category(event_type)
    sub = (
        f'<span class="evc-{css_ident(category)}">■</span> {e(event_type)} · {e(event_id)} · '
        f"{e(plural(len(mentions), 'mention'))} in {e(plural(len(grouped), 'document'))}"
    )
    if not entry:
        sub += " · <strong>not in the inventory</strong>"
    rows = []
    for doc_id, group in grouped.items():
        document = corpus.documents[doc_id]
        entities = {m["id"]: m for m in document.layer("entities")}
        realis = Counter(str(m.item.get("realis")) for m in group)
        summary = ", ".join(f"{r} ×{n}" for r, n in sorted(realis.items()))
        first = True
        for mention in group:
            item = mention.item
            arguments = ", ".join(
                link(
                    links.cluster("entity", entities[a["entity"]].get("entity_id")),
                    entities[a["entity"]]["text"],
                )
                + f' <span class="count">{e(a["role"])}</span>'
                if a["entity"] in entities
                else e(f"{a['entity']} ({a['role']})")
                for a in item.get("arguments", [])
            )
            doc_cell = (
                f'<td rowspan="{len(group)}">{doc_heading(corpus, links, doc_id)}'
                f'<p class="src">realis: {e(summary)}</p></td>'
                if first
                else ""
            )
            first = False
            trigger = item["trigger"]
            realis_value = str(item.get("realis"))
            rows.append(
                f'<tr data-doc="{e(doc_id)}">{doc_cell}'
                f"<td>{mention_link(links, doc_id, item, trigger['text'])}</td>"
                f"<td>{e(item['type'])}</td>"
                f'<td><span class="sw line ev-{css_ident(category)} r-{css_ident(realis_value)}">'
                f"{e(realis_value)}</span></td>"
                f"<td>{arguments or '—'}</td>"
                f"<td>{context_html(document, trigger['start'], trigger['end'])}</td></tr>"
            )
    body = '<h2 class="sec">Mentions by outlet</h2>\n' + (
        table(["document", "trigger", "type", "realis", "arguments", "context"], rows, "mentions")
        if rows
        else '<p class="note">No mention in the gold annotations.</p>'
    )
    title = event_label(corpus, event_id)
    header = top(links, [("events", links.root("index.html#events")), (event_id, None)], title, sub)
    return shell(title, 1, header, f'<div class="wrap">{body}</div>')


def canonical_version(corpus: SiteCorpus, mentions: list[Mention]) -> int:
    """The index of the canonical wording: the version of the earliest-dated document (an
    undated document comes last; ties keep the mention order)."""
    dates = [corpus.documents[m.doc_id].date or "9999" for m in mentions]
    return min(range(len(mentions)), key=lambda index: (dates[index], index))


def utterance_page(corpus: SiteCorpus, utterance_id: str) -> str:
    links = Links(corpus, 1)
    entry = corpus.inventory_entry("utterance", utterance_id) or {}
    mentions = corpus.clusters["utterance"][utterance_id]
    grouped = by_document(mentions)
    speaker_id = entry.get("speaker_entity_id") or next(
        (m.item.get("speaker_entity_id") for m in mentions if m.item.get("speaker_entity_id")), None
    )
    speaker = (
        link(links.cluster("entity", speaker_id), corpus.entity_name(speaker_id) or speaker_id)
        if speaker_id
        else "unnamed source"
    )
    kinds = Counter(str(m.item["kind"]) for m in mentions)
    sub = (
        f"said by {speaker} · {e(utterance_id)} · {e(plural(len(mentions), 'version'))} in "
        f"{e(plural(len(grouped), 'document'))} · "
        + ", ".join(
            f'<span class="badge k-{css_ident(k)}">{e(k)} ×{n}</span>'
            for k, n in sorted(kinds.items())
        )
    )
    if not entry:
        sub += " · <strong>not in the inventory</strong>"
    texts = [str(m.item["content"]["text"]) for m in mentions]
    canonical = canonical_version(corpus, mentions) if corpus.compare_with == "earliest" else None
    columns = []
    for doc_id, group in grouped.items():
        document = corpus.documents[doc_id]
        cards = []
        for mention in group:
            item = mention.item
            index = mentions.index(mention)
            content = texts[index]
            kind = str(item["kind"])
            if len(mentions) < 2 or index == canonical:
                text, score, against = (
                    e(content),
                    "canonical wording" if canonical is not None else "",
                    "",
                )
            else:
                other = canonical if canonical is not None else closest(texts, index)[0]
                text = diff_html(texts[other], content)
                compared = mentions[other]
                shared = similarity(texts[other], content)
                score = f"{shared:.0%} of words shared with the " + (
                    "canonical wording" if canonical is not None else "closest version"
                )
                against = f" ({compared.doc_id} {compared.item['id']})"
            cue = item.get("cue")
            said = item.get("speaker")
            context = context_html(document, item["content"]["start"], item["content"]["end"], 600)
            compared_attr = (
                f' data-compared="{e(mentions[other].doc_id)}:{e(mentions[other].item["id"])}"'
                if against
                else ""
            )
            cards.append(
                f'<div class="version{" ref" if index == canonical else ""}" data-doc="{e(doc_id)}"'
                f' data-quote="{e(item["id"])}"{compared_attr}>'
                f'<div class="vh"><span class="badge k-{css_ident(kind)}">{e(kind)}</span> '
                f"{mention_link(links, doc_id, item, str(item['id']))}"
                f" · cue: {e(cue['text']) if cue else '—'}"
                f" · speaker: {e(said['text']) if said else '—'}</div>"
                f"<blockquote>{text}</blockquote>"
                f'<div class="vh">{e(score + against)}</div>'
                f"<details><summary>context</summary>{context}</details></div>"
            )
        heading = doc_heading(corpus, links, doc_id)
        columns.append(f'<section class="doccol">{heading}{"".join(cards)}</section>')
    against_what = (
        "the canonical wording, the version of the earliest report (marked)"
        if canonical is not None
        else "the version it is closest to (the most words in common)"
    )
    note = (
        '<p class="note">The same statement as each outlet reported it, one column per document.'
        f" Each version's words are compared with {against_what}: <ins>added</ins> words and"
        " <del>missing</del> ones, ignoring case, quotation marks and punctuation at word"
        " edges.</p>"
        if len(grouped) >= 2
        else '<p class="note">Reported in one document only.</p>'
    )
    body = f'<h2 class="sec">Versions</h2>\n{note}\n<div class="versions">{"".join(columns)}</div>'
    title = utterance_label(corpus, utterance_id)
    header = top(
        links,
        [("statements", links.root("index.html#utterances")), (utterance_id, None)],
        title,
        sub,
    )
    return shell(title, 1, header, f'<div class="wrap">{body}</div>')


# ---------------------------------------------------------------- index


def cluster_order(corpus: SiteCorpus, layer: str) -> list[tuple[str, list[Mention]]]:
    return sorted(
        corpus.clusters[layer].items(),
        key=lambda item: (-len(item[1]), -len({m.doc_id for m in item[1]}), item[0]),
    )


def index_page(corpus: SiteCorpus) -> str:
    links = Links(corpus, 0)
    documents = corpus.documents.values()
    totals = {layer: sum(len(d.layer(layer)) for d in documents) for layer in LAYERS}
    pred = corpus.submission_name is not None
    doc_rows = []
    for document in documents:
        story = corpus.story_of(document)
        cells = [
            f"<td>{link(links.doc(document.doc_id), document.doc_id)}</td>",
            f"<td>{e(document.title)}</td>",
            f"<td>{link(links.story(story.story_id), story.story_id) if story else '—'}</td>",
            f"<td>{e(document.outlet_note)}</td>",
            f"<td>{e(document.source.get('country') or 'unknown')}</td>",
            f"<td>{e(document.source.get('machine_translated') or 'unknown')}</td>",
            *(num(len(document.layer(layer)), layer) for layer in LAYERS),
        ]
        if pred and document.comparison is not None:
            for layer in LAYERS:
                c = document.comparison.counts(layer)
                cells.append(
                    f'<td class="num" data-layer="{layer}"><span class="st-ok">{c["ok"]}</span> / '
                    f'<span class="st-missed">{c["missed"]}</span> / '
                    f'<span class="st-spurious">{c["spurious"]}</span></td>'
                )
        doc_rows.append(f'<tr data-doc="{e(document.doc_id)}">' + "".join(cells) + "</tr>")
    doc_headers = [
        "document", "title", "story", "outlet", "country", "MT", "entities", "quotes", "events"
    ]  # fmt: skip
    if pred:
        doc_headers += [f"{layer}: ok / missed / spur." for layer in LAYERS]
    shared = corpus.shared_utterances()

    def utterance_rows(ids: Iterable[tuple[str, list[Mention]]]) -> list[str]:
        rows = []
        for uid, ms in ids:
            entry = corpus.inventory_entry("utterance", uid) or {}
            speaker_id = entry.get("speaker_entity_id")
            kinds = Counter(str(m.item["kind"]) for m in ms)
            rows.append(
                f'<tr data-cluster="{e(uid)}">'
                f"<td>{link(links.cluster('utterance', uid), utterance_label(corpus, uid))}</td>"
                f"<td>{speaker_link(corpus, links, speaker_id)}</td>"
                + num(len({m.doc_id for m in ms}), "documents")
                + num(len(ms), "mentions")
                + f"<td>{e(', '.join(f'{k} {n}' for k, n in sorted(kinds.items())))}</td></tr>"
            )
        return rows

    ordered = cluster_order(corpus, "utterance")
    shared_rows = utterance_rows((uid, ms) for uid, ms in ordered if uid in set(shared))
    event_rows = []
    for event_id, ms in cluster_order(corpus, "event"):
        entry = corpus.inventory_entry("event", event_id) or {}
        event_type = str(entry.get("type") or (ms[0].item["type"] if ms else ""))
        realis = Counter(str(m.item.get("realis")) for m in ms)
        event_rows.append(
            f'<tr data-cluster="{e(event_id)}">'
            f"<td>{link(links.cluster('event', event_id), event_label(corpus, event_id))}</td>"
            f"<td>{type_square(event_type)} {e(event_type)}</td>"
            + num(len({m.doc_id for m in ms}), "documents")
            + num(len(ms), "mentions")
            + f"<td>{e(', '.join(f'{r} {n}' for r, n in sorted(realis.items())))}</td></tr>"
        )
    entity_rows = []
    for entity_id, ms in cluster_order(corpus, "entity"):
        entry = corpus.inventory_entry("entity", entity_id) or {}
        entity_type = str(entry.get("type") or (ms[0].item["type"] if ms else ""))
        forms = sorted({str(m.item["text"]) for m in ms})
        entity_rows.append(
            f'<tr data-cluster="{e(entity_id)}">'
            f"<td>{link(links.cluster('entity', entity_id), entry.get('name') or entity_id)}</td>"
            f'<td><span class="sw c-{css_ident(entity_type)}">{e(entity_type)}</span></td>'
            + num(len({m.doc_id for m in ms}), "documents")
            + num(len(ms), "mentions")
            + f"<td>{e(', '.join(forms))}</td></tr>"
        )
    sub = (
        f"{e(plural(len(corpus.documents), 'document'))} in "
        f"{len(corpus.stories)} {'story' if len(corpus.stories) == 1 else 'stories'} · "
        f"{e(plural(totals['entities'], 'entity mention'))} · "
        f"{e(plural(totals['quotes'], 'quotation'))} · "
        f"{e(plural(totals['events'], 'event mention'))}"
    )
    if pred:
        sub += f" · submission {e(corpus.submission_name)} against the gold"
    body = [
        '<h2 class="sec" id="stories">Stories</h2>',
        table(
            ["story", "title", "collection", "licence", "documents", *LAYERS],
            story_rows(corpus, links),
            "stories-table",
            numeric=range(4, 8),
        ),
        '<h2 class="sec" id="documents">Documents</h2>',
        table(doc_headers, doc_rows, "documents-table", numeric=range(6, len(doc_headers))),
        '<h2 class="sec" id="shared">The same statement across outlets</h2>',
        f'<p><strong id="shared-utterances" data-count="{len(shared)}">{len(shared)}</strong>'
        " statements are reported by two or more documents. Each page shows the versions side"
        " by side, with a word-level difference.</p>",
        table(
            ["statement", "speaker", "documents", "versions", "kinds"],
            shared_rows,
            "shared-table",
            numeric=(2, 3),
        ),
        '<h2 class="sec" id="utterances">All statements (utterances), by size</h2>',
        table(
            ["statement", "speaker", "documents", "versions", "kinds"],
            utterance_rows(ordered),
            "utterances-table",
            numeric=(2, 3),
        ),
        '<h2 class="sec" id="events">Events, by size</h2>',
        table(
            ["event", "type", "documents", "mentions", "realis"],
            event_rows,
            "events-table",
            numeric=(2, 3),
        ),
        '<h2 class="sec" id="entities">Entities, by size</h2>',
        table(
            ["entity", "type", "documents", "mentions", "spellings"],
            entity_rows,
            "entities-table",
            numeric=(2, 3),
        ),
    ]
    header = top(links, [], "Propos corpus explorer", sub)
    return shell("Corpus explorer", 0, header, '<div class="wrap">' + "\n".join(body) + "</div>")


# ---------------------------------------------------------------- story pages


def story_rows(corpus: SiteCorpus, links: Links) -> list[str]:
    rows = []
    for story_id, story in corpus.stories.items():
        documents = [corpus.documents[doc_id] for doc_id in story.doc_ids]
        rows.append(
            f'<tr data-story="{e(story_id)}">'
            f"<td>{link(links.story(story_id), story_id)}</td>"
            f"<td>{e(story.title)}</td>"
            f"<td>{e(', '.join(story.collections) or 'unknown')}</td>"
            f"<td>{e(', '.join(story.licenses) or 'unknown')}</td>"
            + num(len(documents), "documents")
            + "".join(num(sum(len(d.layer(layer)) for d in documents), layer) for layer in LAYERS)
            + "</tr>"
        )
    return rows


SHARED_HEADINGS = {
    "entity": ("Entities", "entity"),
    "event": ("Events", "event"),
    "utterance": ("Statements", "statement"),
}


def cluster_name(corpus: SiteCorpus, layer: str, cluster_id: str) -> str:
    if layer == "entity":
        return corpus.entity_name(cluster_id) or cluster_id
    if layer == "event":
        return event_label(corpus, cluster_id)
    return utterance_label(corpus, cluster_id)


def story_page(corpus: SiteCorpus, story_id: str) -> str:
    """A story: its documents with their counts, and the clusters two or more of them share."""
    links = Links(corpus, 1)
    story = corpus.stories[story_id]
    documents = [corpus.documents[doc_id] for doc_id in story.doc_ids]
    collections = ", ".join(story.collections) or "unknown"
    licences = ", ".join(story.licenses) or "unknown"
    sub = (
        f"{e(story_id)} · collection {e(collections)} · licence {e(licences)} · "
        f"{e(plural(len(documents), 'document'))}"
    )
    doc_rows = []
    for document in documents:
        doc_rows.append(
            f'<tr data-doc="{e(document.doc_id)}">'
            f"<td>{link(links.doc(document.doc_id), document.title)}</td>"
            f"<td>{e(document.date or 'unknown')}</td>"
            f"<td>{e(document.doc_id)}</td>"
            f"<td>{e(document.outlet_note)}</td>"
            + "".join(num(len(document.layer(layer)), layer) for layer in LAYERS)
            + "</tr>"
        )
    body = [
        '<h2 class="sec" id="documents">Documents</h2>',
        table(
            ["title", "date", "document", "outlet", *LAYERS],
            doc_rows,
            "story-documents",
            numeric=(4, 5, 6),
        ),
    ]
    credits = [credit_line(d) for d in documents if d.about("url")]
    if credits:
        items = "".join(f"<li>{line}</li>" for line in credits)
        body.append('<h2 class="sec" id="credits">Texts and licences</h2>')
        body.append(f'<ul class="mentions credits">{items}</ul>')
    for layer, (heading, word) in SHARED_HEADINGS.items():
        shared = corpus.shared_in_story(story, layer)
        body.append(
            f'<h2 class="sec" id="shared-{layer}">{e(heading)} shared by two or more documents'
            f' <span class="count" data-count="{len(shared)}">{len(shared)}</span></h2>'
        )
        if not shared:
            body.append(f'<p class="note">No {e(word)} is shared by two of its documents.</p>')
            continue
        rows = [
            f'<tr data-cluster="{e(cluster_id)}" data-layer="{e(layer)}">'
            f"<td>{link(links.cluster(layer, cluster_id), cluster_name(corpus, layer, cluster_id))}"
            f"</td><td>{e(cluster_id)}</td>"
            + num(len({m.doc_id for m in mentions}), "documents")
            + num(len(mentions), "mentions")
            + "</tr>"
            for cluster_id, mentions in shared
        ]
        body.append(
            table(
                [word, "id", "documents", "mentions"], rows, f"shared-{layer}-table", numeric=(2, 3)
            )
        )
    header = top(
        links, [("stories", links.root("index.html#stories")), (story_id, None)], story.title, sub
    )
    return shell(story.title, 1, header, '<div class="wrap">' + "\n".join(body) + "</div>")
