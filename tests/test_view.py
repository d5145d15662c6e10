"""`propos view`: every page renders, links resolve, counts and spans match the gold, nothing
from the data can run in a page, a submission shows against the gold, Chromium draws it."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from typer.testing import CliRunner

from propos import schema
from propos.cli import app as propos_app
from propos.collection import document_metadata, story_titles
from propos.corpus import Corpus
from propos.fileio import sha256_text
from propos.view import assets, pages
from propos.view.diff import diff_html
from propos.view.model import corpus_site, safe_name
from propos.view.screenshots import find_chromium, most_reported_utterance, screenshot
from propos.view.site import build_site, render_site
from propos.view.spans import Mark, layout, render_text

from .conftest import ALL_DOC_IDS, DOC_IDS, ROOT, load_json

HOSTILE = '<script>alert(1)</script>" onmouseover="x'
VOID = {"meta", "link", "input", "br", "img", "hr", "wbr", "source", "area", "base", "col"}
ALLOWED_ATTRIBUTES = {
    "aria-label", "charset", "checked", "class", "content", "for", "href", "http-equiv", "id",
    "lang", "name", "rel", "rowspan", "title", "type",
}  # fmt: skip


# ---------------------------------------------------------------- a small DOM


class Element:
    def __init__(self, tag: str, attrs: list[tuple[str, str | None]], parent: Element | None):
        self.tag = tag
        self.attr_names = [name for name, _ in attrs]
        self.attrs = {name: value or "" for name, value in attrs}
        self.parent = parent
        self.chunks: list[str] = []
        self.children: list[Element] = []

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class Page(HTMLParser):
    """Elements with their attributes and text, and the page's problems of structure."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", [], None)
        self.stack = [self.root]
        self.elements: list[Element] = []
        self.mismatched: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(element)
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, attrs, self.stack[-1])
        self.elements.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.stack[-1].tag != tag:
            self.mismatched.append(f"</{tag}> closes <{self.stack[-1].tag}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element.chunks.append(data)

    def find(self, **attrs: str) -> list[Element]:
        return [
            el
            for el in self.elements
            if all(el.attrs.get(name.replace("_", "-")) == v for name, v in attrs.items())
        ]

    def by_id(self) -> dict[str, Element]:
        return {el.attrs["id"]: el for el in self.elements if "id" in el.attrs}


def parse(path: Path) -> Page:
    page = Page(path.read_text(encoding="utf-8"))
    assert not page.mismatched, f"{path}: {page.mismatched[:3]}"
    assert len(page.stack) == 1, f"{path}: unclosed {[el.tag for el in page.stack[1:]]}"
    return page


def anchor_target(page_path: Path, href: str) -> tuple[Path, str]:
    parts = urlsplit(href)
    assert not parts.scheme and not parts.netloc, f"{page_path}: external link {href}"
    target = (page_path.parent / unquote(parts.path)).resolve() if parts.path else page_path
    return target, unquote(parts.fragment)


def gold(doc_id: str) -> dict[str, Any]:
    return load_json(ROOT / "annotations" / "gold" / f"{doc_id}.json")


# ---------------------------------------------------------------- the real corpus


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("view") / "site"
    build_site(corpus_site(Corpus.at(ROOT)), out)
    return out


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_page_is_written_and_every_local_link_resolves(site: Path) -> None:
    files = html_files(site)
    inventory = load_json(ROOT / "annotations" / "inventory.json")
    stories = {entry["story"] for entry in document_metadata(Corpus.at(ROOT)).values()}
    clusters = sum(len(inventory[k]) for k in ("entities", "events", "utterances"))
    assert len(files) == 1 + len(ALL_DOC_IDS) + len(stories) + clusters
    assert (site / "style.css").is_file()
    parsed = {path.resolve(): parse(path) for path in files}
    links = 0
    for path in files:
        page = parsed[path.resolve()]
        assert page.find(rel="stylesheet"), f"{path}: no stylesheet"
        for element in page.elements:
            for name in ("src", "srcset", "action", "data"):
                assert name not in element.attrs, f"{path}: <{element.tag} {name}=...>"
            href = element.attrs.get("href")
            if href is None:
                continue
            links += 1
            target, fragment = anchor_target(path, href)
            assert target.is_file(), f"{path}: link {href} to a missing file"
            assert site.resolve() in target.parents, f"{path}: link {href} leaves the site"
            if fragment:
                assert fragment in parsed[target].by_id(), f"{path}: no #{fragment} in {href}"
    assert links > 2000


def test_the_index_counts_equal_the_gold(site: Path) -> None:
    index = parse(site / "index.html")
    rows = {row.attrs["data-doc"]: row for row in index.elements if "data-doc" in row.attrs}
    assert sorted(rows) == ALL_DOC_IDS
    for doc_id, row in rows.items():
        annotation = gold(doc_id)
        cells = {
            cell.attrs["data-count"]: int(cell.text)
            for cell in row.children
            if "data-count" in cell.attrs
        }
        assert cells == {
            layer: len(annotation[layer]) for layer in ("entities", "quotes", "events")
        }
    documents_of: dict[str, set[str]] = defaultdict(set)
    for doc_id in ALL_DOC_IDS:
        for quote in gold(doc_id)["quotes"]:
            documents_of[quote["utterance_id"]].add(doc_id)
    shared = sum(1 for docs in documents_of.values() if len(docs) >= 2)
    counter = index.by_id()["shared-utterances"]
    assert int(counter.attrs["data-count"]) == int(counter.text) == shared
    table = index.by_id()["shared-table"]
    shared_rows = [el for el in index.elements if el.tag == "tr" and el.parent is not None]
    listed = [r for r in shared_rows if "data-cluster" in r.attrs and _inside(r, table)]
    assert len(listed) == shared


def _inside(element: Element, ancestor: Element) -> bool:
    node = element.parent
    while node is not None:
        if node is ancestor:
            return True
        node = node.parent
    return False


def _one(page: Page, where: str, **attrs: str) -> Element:
    found = page.find(**attrs)
    assert len(found) == 1, f"{where}: {len(found)} elements with {attrs}"
    return found[0]


def _cluster_page(site: Path, doc_page: Path, element: Element) -> Page:
    target, _ = anchor_target(doc_page, element.attrs["href"])
    return parse(target)


def test_every_gold_span_is_an_element_with_its_text_and_cluster_link(site: Path) -> None:
    inventory = load_json(ROOT / "annotations" / "inventory.json")
    names = {entry["id"]: entry["name"] for entry in inventory["entities"]}
    for doc_id in ALL_DOC_IDS:
        path = site / "doc" / f"{doc_id}.html"
        page = parse(path)
        annotation = gold(doc_id)
        for entity in annotation["entities"]:
            element = _one(page, doc_id, data_id=entity["id"], data_layer="entity")
            assert element.text == entity["text"], (doc_id, entity["id"])
            assert f"c-{entity['type']}" in element.classes
            cluster = _cluster_page(site, path, element)
            assert entity["entity_id"] in cluster.find(**{"class": "sub"})[0].text
        for quote in annotation["quotes"]:
            element = _one(page, doc_id, data_id=quote["id"], data_layer="quote")
            assert element.text == quote["content"]["text"], (doc_id, quote["id"])
            assert element.attrs["data-kind"] == quote["kind"]
            assert f"q-{quote['kind']}" in element.classes
            badge = next(child for child in element.children if "qbadge" in child.classes)
            assert (
                _cluster_page(site, path, badge)
                .find(**{"class": "sub"})[0]
                .text.count(quote["utterance_id"])
            )
            if quote["speaker_entity_id"]:
                name = names[quote["speaker_entity_id"]]
                assert name in badge.attrs["data-label"]
            for role in ("cue", "speaker"):
                if quote[role]:
                    marks = [
                        el
                        for el in page.find(data_role=role)
                        if quote["id"] in el.attrs["data-of"].split()
                    ]
                    assert [el.text for el in marks] == [quote[role]["text"]], (doc_id, role)
        for event in annotation["events"]:
            element = _one(page, doc_id, data_id=event["id"], data_layer="event")
            assert element.text == event["trigger"]["text"], (doc_id, event["id"])
            assert element.attrs["data-realis"] == event["realis"]
            assert event["type"] in element.attrs["title"]
            assert event["realis"] in element.attrs["title"]
            cluster = _cluster_page(site, path, element)
            assert event["event_id"] in cluster.find(**{"class": "sub"})[0].text
        clean = load_json(ROOT / "corpus" / "clean" / f"{doc_id}.json")
        for paragraph in clean["paragraphs"]:
            text = clean["text"][paragraph["start"] : paragraph["end"]]
            blocks = [el.text for el in page.find(data_role=paragraph["role"])]
            assert text in blocks, (doc_id, paragraph)


def test_every_entity_type_and_quote_kind_has_a_distinct_style() -> None:
    css = assets.stylesheet()
    colours = [assets.entity_colour(t) for t in schema.ENTITY_TYPES]
    assert len(set(colours)) == len(colours)
    for entity_type, colour in zip(schema.ENTITY_TYPES, colours, strict=True):
        assert f".c-{entity_type} {{ background-color: {colour}; }}" in css
    for kind in schema.QUOTE_KINDS:
        assert f".q-{kind} {{" in css
    for realis in schema.REALIS_VALUES:
        assert f".r-{realis} {{ text-decoration-style:" in css


def test_the_cross_outlet_pages_show_every_version_side_by_side(site: Path) -> None:
    corpus = corpus_site(Corpus.at(ROOT))
    sources = {row["doc_id"]: row for row in csv.DictReader((ROOT / "corpus/sources.csv").open())}
    metadata = document_metadata(Corpus.at(ROOT))
    versions: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for doc_id in ALL_DOC_IDS:
        quotes = sorted(gold(doc_id)["quotes"], key=lambda q: q["content"]["start"])
        for quote in quotes:  # in document order, then in text order
            versions[quote["utterance_id"]].append((doc_id, quote))
    shared = {uid for uid, vs in versions.items() if len({d for d, _ in vs}) >= 2}
    assert shared == set(corpus.shared_utterances())
    for uid in shared:
        page = parse(site / "utterance" / f"{safe_name(uid)}.html")
        cards = [el for el in page.elements if "version" in el.classes]
        assert [(c.attrs["data-doc"], c.attrs["data-quote"]) for c in cards] == [
            (d, q["id"]) for d, q in versions[uid]
        ]
        columns = [el for el in page.elements if "doccol" in el.classes]
        assert len(columns) == len({d for d, _ in versions[uid]})
        keys = {f"{c.attrs['data-doc']}:{c.attrs['data-quote']}" for c in cards}
        for card in cards:  # each compared with another version (see test_explorer.py)
            compared = card.attrs["data-compared"]
            assert (
                compared in keys
                and compared != f"{card.attrs['data-doc']}:{card.attrs['data-quote']}"
            )
        for card, (doc_id, quote) in zip(cards, versions[uid], strict=True):
            assert quote["kind"] in card.text
            column = card.parent
            assert column is not None and doc_id in column.text
            if doc_id in sources:  # a press article: its outlet, when known
                outlet = sources[doc_id]["outlet"]
                if not outlet.startswith("unknown"):
                    assert outlet in column.text
            else:  # an article of a collection: its title and date
                assert metadata[doc_id]["collection"] == "wikinews"
                assert metadata[doc_id]["title"] in column.text
                assert "Wikinews" in column.text and metadata[doc_id]["date"] in column.text
        if any(
            q["content"]["text"] != versions[uid][0][1]["content"]["text"] for _, q in versions[uid]
        ):
            assert any(el.tag in ("ins", "del") for el in page.elements)


def test_event_pages_list_every_mention_by_outlet_with_realis(site: Path) -> None:
    mentions: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for doc_id in ALL_DOC_IDS:
        for event in gold(doc_id)["events"]:
            mentions[event["event_id"]].append((doc_id, event))
    for event_id, items in mentions.items():
        page = parse(site / "event" / f"{safe_name(event_id)}.html")
        rows = [el for el in page.elements if el.tag == "tr" and "data-doc" in el.attrs]
        assert sorted(r.attrs["data-doc"] for r in rows) == sorted(d for d, _ in items)
        realis = sorted(
            el.text for el in page.elements if "sw" in el.classes and "line" in el.classes
        )
        assert realis == sorted(event["realis"] for _, event in items)


def _stories() -> dict[str, list[str]]:
    """The documents of each story, from the collections' metadata (not from the viewer)."""
    members: dict[str, list[str]] = defaultdict(list)
    for doc_id, entry in sorted(document_metadata(Corpus.at(ROOT)).items()):
        members[entry["story"]].append(doc_id)
    return dict(members)


def test_every_story_has_a_page_listing_exactly_its_documents(site: Path) -> None:
    corpus = Corpus.at(ROOT)
    metadata = document_metadata(corpus)
    titles = story_titles(corpus)
    stories = _stories()
    assert sorted(d for docs in stories.values() for d in docs) == ALL_DOC_IDS
    assert len(stories) == 16  # geneva-summit-2021 (press) and 15 Wikinews stories
    assert sorted(p.stem for p in (site / "stories").glob("*.html")) == sorted(stories)
    index = parse(site / "index.html")
    linked = set()
    for element in index.elements:
        if "href" in element.attrs:
            target, _ = anchor_target(site / "index.html", element.attrs["href"])
            if target.parent == (site / "stories").resolve():
                linked.add(target.stem)
    assert linked == set(stories)
    for story_id, doc_ids in stories.items():
        path = site / "stories" / f"{story_id}.html"
        page = parse(path)
        assert _one(page, story_id, id="story-documents")  # one table of documents
        assert page.find(**{"class": "sub"})
        assert [el.text for el in page.elements if el.tag == "h1"] == [titles[story_id]]
        sub = page.find(**{"class": "sub"})[0].text
        for doc_id in doc_ids:
            assert metadata[doc_id]["collection"] in sub and metadata[doc_id]["license"] in sub
        table = page.by_id()["story-documents"]
        rows = [el for el in page.elements if "data-doc" in el.attrs and _inside(el, table)]
        assert sorted(r.attrs["data-doc"] for r in rows) == doc_ids  # exactly its documents
        for row in rows:
            doc_id = row.attrs["data-doc"]
            annotation = gold(doc_id)
            cells = {
                c.attrs["data-count"]: int(c.text) for c in row.children if "data-count" in c.attrs
            }
            assert cells == {
                layer: len(annotation[layer]) for layer in ("entities", "quotes", "events")
            }
            anchors = [el for el in page.elements if el.tag == "a" and _inside(el, row)]
            targets = {anchor_target(path, a.attrs["href"])[0] for a in anchors}
            assert targets == {(site / "doc" / f"{doc_id}.html").resolve()}
            if metadata[doc_id]["title"]:
                assert metadata[doc_id]["title"] in row.text
            if metadata[doc_id]["date"]:
                assert metadata[doc_id]["date"] in row.text


def test_story_pages_list_the_clusters_their_documents_share(site: Path) -> None:
    fields = {"entity": ("entities", "entity_id"), "event": ("events", "event_id"),
              "utterance": ("quotes", "utterance_id")}  # fmt: skip
    shared_somewhere = 0
    for story_id, doc_ids in _stories().items():
        path = site / "stories" / f"{story_id}.html"
        page = parse(path)
        for layer, (key, field) in fields.items():
            documents_of: dict[str, set[str]] = defaultdict(set)
            for doc_id in doc_ids:
                for item in gold(doc_id)[key]:
                    documents_of[item[field]].add(doc_id)
            expected = sorted(c for c, docs in documents_of.items() if len(docs) >= 2)
            rows = [el for el in page.find(data_layer=layer) if el.tag == "tr"]
            assert sorted(r.attrs["data-cluster"] for r in rows) == expected, (story_id, layer)
            shared_somewhere += len(expected)
            for row in rows:
                cluster_id = row.attrs["data-cluster"]
                cells = {
                    c.attrs["data-count"]: c.text for c in row.children if "data-count" in c.attrs
                }
                assert int(cells["documents"]) == len(documents_of[cluster_id])
                anchor = next(el for el in page.elements if el.tag == "a" and _inside(el, row))
                target, _ = anchor_target(path, anchor.attrs["href"])
                assert target == (site / layer / f"{safe_name(cluster_id)}.html").resolve()
                assert target.is_file()
    assert shared_somewhere > 100


def test_document_pages_show_their_story_collection_and_attribution(site: Path) -> None:
    metadata = document_metadata(Corpus.at(ROOT))
    for doc_id in ALL_DOC_IDS:
        entry = metadata[doc_id]
        path = site / "doc" / f"{doc_id}.html"
        page = parse(path)
        header = next(el for el in page.elements if el.tag == "header")
        stories = {
            anchor_target(path, el.attrs["href"])[0]
            for el in page.elements
            if el.tag == "a" and "/stories/" in el.attrs.get("href", "")
        }
        assert stories == {(site / "stories" / f"{entry['story']}.html").resolve()}
        assert entry["collection"] in header.text
        credit = page.find(**{"class": "attribution"})
        assert len(credit) == 1
        assert entry["attribution"] in credit[0].text and entry["license"] in credit[0].text
        if entry["collection"] == "wikinews":
            assert entry["license"] == "CC BY 2.5"
            assert entry["attribution"].startswith("Wikinews contributors")
            assert entry["title"] in credit[0].text and entry["date"] in credit[0].text
            assert entry["url"] and entry["url"] in credit[0].text  # shown, not a link


def test_hostile_story_metadata_never_becomes_markup(project: Path) -> None:
    manifest_path = project / "corpus" / "collections" / "wikinews.json"
    manifest = load_json(manifest_path)
    for story in manifest["stories"]:
        story["title"] = HOSTILE
    for entry in manifest["documents"]:
        entry["title"] = entry["attribution"] = entry["url"] = entry["date"] = HOSTILE
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    out = project / "dist" / "site"
    result = invoke("--root", str(project))
    assert result.exit_code == 0, result.output
    doc_id = manifest["documents"][0]["doc_id"]
    story_id = manifest["documents"][0]["story"]
    for path in (out / "index.html", out / "doc" / f"{doc_id}.html",
                 out / "stories" / f"{story_id}.html"):  # fmt: skip
        page = parse(path)
        assert not [el for el in page.elements if el.tag == "script"], path
        assert "onmouseover" not in {n for el in page.elements for n in el.attr_names}, path
        assert HOSTILE in page.root.text, path


def test_rendering_is_deterministic(tmp_path: Path) -> None:
    first = render_site(corpus_site(Corpus.at(ROOT)))
    assert first == render_site(corpus_site(Corpus.at(ROOT)))
    build_site(corpus_site(Corpus.at(ROOT)), tmp_path / "a")
    build_site(corpus_site(Corpus.at(ROOT)), tmp_path / "b")
    build_site(corpus_site(Corpus.at(ROOT)), tmp_path / "b")  # replaces its own earlier output
    names = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    assert names == sorted(
        p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file()
    )
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert sorted(str(n) for n in names) == sorted(first)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftovers


# ---------------------------------------------------------------- units


def test_crossing_spans_are_split_into_nested_elements() -> None:
    text = "abcdefghijklmnopqrst"
    marks = [
        Mark(2, 12, 0, "span", (("data-id", "A"),)),
        Mark(8, 16, 1, "span", (("data-id", "B"),)),
        Mark(8, 16, 2, "a", (("data-id", "C"), ("href", "x.html"))),
        Mark(9, 10, 3, "a", (("data-id", "D"), ("href", "y.html"))),
    ]
    blocks = [(0, 14), (14, 20)]
    pieces = layout(marks, blocks)
    html = "".join(render_text(text, s, e, pieces) for s, e in blocks)
    page = Page(html)
    assert not page.mismatched and page.root.text == text
    a_parts = [el.text for el in page.find(data_id="A")]
    b_parts = [el.text for el in page.find(data_id="B")]
    assert a_parts == [text[2:12]]  # whole: B is cut instead
    assert b_parts == [text[8:12], text[12:14], text[14:16]]  # cut by A's end and the block
    assert [el.attrs["data-part"] for el in page.find(data_id="B")] == ["1/3", "2/3", "3/3"]
    d = page.find(data_id="D")[0]
    assert d.tag == "span" and d.attrs["data-href"] == "y.html"  # no link inside a link


def test_cluster_ids_become_safe_distinct_file_names() -> None:
    names = {safe_name(x) for x in ("../../etc/passwd", "E-a", "e-A", "E-a/", "E–a", "<b>")}
    assert len(names) == 6
    for name in names:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", name)


def test_word_diff_marks_added_and_missing_words() -> None:
    html = diff_html("Il n’y avait aucune animosité", "Il n'y avait pas d'hostilité <b>")
    assert "<del" in html and "<ins>" in html and "&lt;b&gt;" in html
    assert "<b>" not in html


# ---------------------------------------------------------------- command line


def invoke(*args: str) -> Any:
    return CliRunner().invoke(propos_app, ["view", *args])


def submission_line(doc_id: str, entities: list[dict[str, Any]], **layers: Any) -> str:
    record = {"doc_id": doc_id, "entities": entities, "quotes": [], "events": [], **layers}
    return json.dumps(record, ensure_ascii=False)


def test_a_submission_shows_correct_missed_and_spurious_spans(tmp_path: Path) -> None:
    doc_id = DOC_IDS[0]
    annotation = gold(doc_id)
    text = load_json(ROOT / "corpus" / "clean" / f"{doc_id}.json")["text"]
    correct = annotation["entities"][0]
    start = text.index("président")
    spurious = {"id": "S1", "start": start, "end": start + 9, "text": "président", "type": "PER"}
    taken = [(e["start"], e["end"]) for e in annotation["entities"]]
    assert not any(s < spurious["end"] and spurious["start"] < e for s, e in taken)
    submission = tmp_path / "run.jsonl"
    submission.write_text(submission_line(doc_id, [correct, spurious]) + "\n", encoding="utf-8")
    result = invoke("--out", str(tmp_path / "site"), "--pred", str(submission))
    assert result.exit_code == 0, result.output
    page = parse(tmp_path / "site" / "doc" / f"{doc_id}.html")
    ok = _one(page, doc_id, data_id=correct["id"], data_layer="entity")
    missed = _one(page, doc_id, data_id=annotation["entities"][1]["id"], data_layer="entity")
    extra = _one(page, doc_id, data_pred_id="S1", data_layer="entity")
    assert (ok.attrs["data-status"], missed.attrs["data-status"], extra.attrs["data-status"]) == (
        "ok",
        "missed",
        "spurious",
    )
    assert extra.text == "président" and "href" not in extra.attrs
    css = (tmp_path / "site" / "style.css").read_text(encoding="utf-8")
    styles = {
        status: re.search(rf'main \[data-status="{status}"\][^{{]*\{{([^}}]*)\}}', css)
        for status in ("ok", "missed", "spurious")
    }
    assert all(styles.values())
    assert len({m.group(1).strip() for m in styles.values() if m}) == 3
    score = {
        cell.attrs["data-count"]: cell.text
        for cell in _one(page, doc_id, data_layer="entities").children
        if "data-count" in cell.attrs
    }
    assert (score["ok"], score["missed"], score["spurious"]) == (
        "1",
        str(len(annotation["entities"]) - 1),
        "1",
    )
    other = parse(tmp_path / "site" / "doc" / f"{DOC_IDS[1]}.html")
    assert {el.attrs.get("data-status") for el in other.find(data_layer="entity")} == {"missed"}


def test_an_invalid_submission_is_refused_in_one_line(tmp_path: Path) -> None:
    submission = tmp_path / "bad.jsonl"
    submission.write_text('{"doc_id": "nope", "entities": []}\n', encoding="utf-8")
    result = invoke("--out", str(tmp_path / "site"), "--pred", str(submission))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "bad.jsonl" in lines[0]
    assert not (tmp_path / "site").exists()


def test_an_unrelated_folder_is_never_replaced(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me", encoding="utf-8")
    result = invoke("--out", str(target))
    assert result.exit_code == 2 and "not written by `propos view`" in result.output
    assert (target / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert invoke("--out", str(tmp_path / "site")).exit_code == 0
    assert invoke("--out", str(tmp_path / "site")).exit_code == 0  # its own output: replaced


def test_hostile_text_never_becomes_markup(project: Path, tmp_path: Path) -> None:
    doc_id = DOC_IDS[0]
    clean_path = project / "corpus" / "clean" / f"{doc_id}.json"
    clean = load_json(clean_path)
    clean["text"] += "\n\n" + HOSTILE  # outside any span
    clean["paragraphs"].append(
        {"start": len(clean["text"]) - len(HOSTILE), "end": len(clean["text"]), "role": HOSTILE}
    )
    clean["text"] += "\n\n" + HOSTILE + " "  # before a span, then inside the submission's spans
    start = len(clean["text"])
    clean["text"] += HOSTILE
    clean["text_sha256"] = sha256_text(clean["text"])
    paragraph_start = start - len(HOSTILE) - 1
    clean["paragraphs"].append(
        {"start": paragraph_start, "end": len(clean["text"]), "role": "paragraph"}
    )
    clean["metadata"]["title"] = HOSTILE
    clean["quality_flags"] = [{"flag": HOSTILE, "evidence": HOSTILE}]
    clean_path.write_text(json.dumps(clean, ensure_ascii=False), encoding="utf-8")
    gold_path = project / "annotations" / "gold" / f"{doc_id}.json"
    annotation = load_json(gold_path)
    annotation["text_sha256"] = clean["text_sha256"]
    # ids and cluster ids are checked by `propos validate`, not by the viewer: escape them too
    annotation["quotes"][0]["id"] = HOSTILE
    annotation["quotes"][0]["utterance_id"] = HOSTILE
    annotation["entities"][0]["entity_id"] = HOSTILE
    annotation["events"][0]["event_id"] = HOSTILE
    gold_path.write_text(json.dumps(annotation, ensure_ascii=False), encoding="utf-8")
    inventory_path = project / "annotations" / "inventory.json"
    inventory = load_json(inventory_path)
    for key, field in (
        ("entities", "name"),
        ("events", "description"),
        ("utterances", "description"),
    ):
        for entry in inventory[key]:
            entry[field] = HOSTILE
    inventory_path.write_text(json.dumps(inventory, ensure_ascii=False), encoding="utf-8")
    with (ROOT / "corpus" / "sources.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["outlet"] = row["notes"] = row["country"] = HOSTILE
    with (project / "corpus" / "sources.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    script = HOSTILE.index("</script>") + len("</script>")
    first = {
        "id": "X1",
        "start": start,
        "end": start + script,
        "text": HOSTILE[:script],
        "type": "PER",
    }
    second = {"id": "X2", "start": start + script, "end": len(clean["text"]), "type": "ORG",
              "text": HOSTILE[script:], "entity_id": "E-x"}  # fmt: skip
    event = {"id": "V1", "trigger": {k: second[k] for k in ("start", "end", "text")},
             "type": "Contact:Meet", "realis": "actual"}  # fmt: skip
    submission = tmp_path / "hostile.jsonl"
    submission.write_text(
        submission_line(doc_id, [first, second], events=[event]) + "\n", encoding="utf-8"
    )
    out = project / "dist" / "site"
    result = invoke("--root", str(project), "--pred", str(submission))
    assert result.exit_code == 0, result.output
    for path in html_files(out):
        page = parse(path)
        for element in page.elements:
            assert element.tag != "script", path
            assert set(element.attr_names) <= ALLOWED_ATTRIBUTES | {
                n for n in element.attr_names if n.startswith("data-")
            }, (path, element.attr_names)
            assert not any(n.startswith("on") for n in element.attr_names), path
        assert "onmouseover" not in {n for el in page.elements for n in el.attr_names}
    page = parse(out / "doc" / f"{doc_id}.html")
    assert page.root.text.count(HOSTILE) >= 3  # shown as text, not dropped
    assert page.find(data_id=HOSTILE, data_layer="quote")
    hostile_pages = [
        p for p in html_files(out) if HOSTILE in parse(p).find(**{"class": "sub"})[0].text
    ]
    assert len(hostile_pages) >= 3  # the hostile clusters got pages, under safe names
    assert page.find(data_pred_id="X1")[0].text == HOSTILE[:script]
    assert page.find(data_pred_id="X2")[0].text == HOSTILE[script:]
    titles = [el.attrs.get("title", "") for el in page.elements]
    assert any(HOSTILE in title for title in titles)  # an attribute value holds it, escaped
    assert HOSTILE in parse(out / "index.html").root.text


# ---------------------------------------------------------------- in a real browser


def read_png(path: Path) -> Any:
    import numpy as np

    try:
        from PIL import Image

        return np.asarray(Image.open(path).convert("RGB"), dtype=np.int32)
    except ImportError:
        from matplotlib import image

        pixels = image.imread(str(path))[:, :, :3]
        return np.rint(pixels * 255).astype(np.int32)


def pixels_of(image: Any, colour: str, tolerance: int = 2) -> int:
    import numpy as np

    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int32)
    return int((np.abs(image - rgb).max(axis=2) <= tolerance).sum())


@pytest.mark.skipif(
    find_chromium() is None,
    reason="no Chromium (/usr/bin/chromium): install it with `apt-get install chromium`",
)
def test_chromium_draws_the_highlights(tmp_path: Path) -> None:
    import numpy as np

    corpus = corpus_site(Corpus.at(ROOT))
    site = tmp_path / "site"
    build_site(corpus, site)
    document = corpus.documents[DOC_IDS[0]]
    doc_png = screenshot(site / pages.doc_path(document), tmp_path / "doc.png")
    utterance = most_reported_utterance(corpus)
    cross_png = screenshot(site / pages.cluster_path("utterance", utterance), tmp_path / "u.png")
    for png in (doc_png, cross_png):
        image = read_png(png)
        assert image.shape[:2] == (1600, 1200), png
        white = (image >= 250).all(axis=2).mean()
        assert white < 0.92, f"{png}: {white:.0%} white, looks blank"
        assert len(np.unique(image.reshape(-1, 3), axis=0)) > 100, f"{png}: too few colours"
    image = read_png(doc_png)
    # a legend swatch is ~40x18 px; highlights over the text give thousands
    for entity_type in ("PER", "GPE"):
        count = pixels_of(image, assets.entity_colour(entity_type))
        assert count > 5000, f"{entity_type}: {count} px of its colour"
    assert pixels_of(image, assets.QUOTE_COLOURS["direct"]) > 5000
    # the layer toggle is CSS only: the same page with the entity box unticked loses the colours
    page = site / pages.doc_path(document)
    checked = '<input type="checkbox" class="toggle" id="t-ent" checked>'
    html = page.read_text(encoding="utf-8")
    assert html.count(checked) == 1
    page.write_text(html.replace(checked, checked.replace(" checked", "")), encoding="utf-8")
    unticked = read_png(screenshot(page, tmp_path / "off.png"))
    for entity_type in ("PER", "GPE"):
        assert pixels_of(unticked, assets.entity_colour(entity_type)) < 1500  # the legend only
    assert pixels_of(unticked, assets.QUOTE_COLOURS["direct"]) > 5000  # other layers stay
    cross = read_png(cross_png)
    assert pixels_of(cross, "#c8f0cf") > 500  # added words
    assert pixels_of(cross, "#ffd3cf") > 500  # missing words
