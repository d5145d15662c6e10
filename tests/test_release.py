"""The built dataset folder as a release: its card renders and its links resolve, its Croissant
metadata validates offline and reads the same rows as `datasets`, every config has the fold
splits, the metadata is typed and every document carries its licence."""

from __future__ import annotations

import hashlib
import json
import re
import socket
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from datasets import ClassLabel, List, load_dataset
from markdown_it import MarkdownIt

from propos import build, card

from .conftest import ROOT, load_json

SPLITS = load_json(ROOT / "annotations" / "splits.json")
INVENTORY = load_json(ROOT / "annotations" / "inventory.json")
FOLD_SPLITS = [f"fold{f['fold']}_{part}" for f in SPLITS["folds"] for part in ("train", "test")]


def refuse_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection attempt fails the test: mlcroissant and datasets must work offline."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network access attempted: {args[:2]}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_network(monkeypatch)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hf-cache")


def load(folder: Path, config: str, cache: Path) -> Any:
    return load_dataset(str(folder), config, cache_dir=str(cache))


def card_body(folder: Path) -> str:
    return (folder / "README.md").read_text(encoding="utf-8").split("\n---\n", 1)[1]


def card_header(folder: Path) -> dict[str, Any]:
    text = (folder / "README.md").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text.split("---\n")[1]))


def gold_count(split_docs: set[str], layer: str) -> int:
    gold = ROOT / "annotations" / "gold"
    return sum(len(load_json(gold / f"{doc_id}.json")[layer]) for doc_id in split_docs)


# ---------------------------------------------------------------- the card


def rendered_tables(markdown: str) -> list[list[list[str]]]:
    """Every table of the rendered card: rows of cell texts, the header first."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    tables: list[list[list[str]]] = []
    inside = False
    for token in tokens:
        if token.type in ("table_open", "table_close"):
            inside = token.type == "table_open"
            tables += [[]] if inside else []
        elif inside and token.type == "tr_open":
            tables[-1].append([])
        elif inside and token.type == "inline":
            tables[-1][-1].append(token.content)
    return tables


def source_cells(line: str) -> int:
    return len(re.split(r"(?<!\\)\|", line.strip().strip("|")))


def test_every_card_table_has_as_many_cells_per_row_as_its_header(release_folder: Path) -> None:
    body = card_body(release_folder)
    # In the source: a row with more cells than its header would be cut when rendered.
    blocks = re.findall(r"((?:^\|.*\|\n)+)", body, flags=re.MULTILINE)
    assert len(blocks) >= 2
    for block in blocks:
        lines = block.splitlines()
        assert {source_cells(line) for line in lines} == {source_cells(lines[0])}, block
    # Rendered: no cell left empty (a row with fewer cells is padded with empty ones).
    tables = rendered_tables(body)
    assert len(tables) == len(blocks)
    for table in tables:
        assert all(len(row) == len(table[0]) and all(row) for row in table), table


def test_the_configurations_table_shows_the_counts_of_every_split(release_folder: Path) -> None:
    table = next(t for t in rendered_tables(card_body(release_folder)) if t[0][0] == "config")
    header, rows = table[0], {row[0]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert header[2:4] == ["train", "test"]
    assert set(rows) == {f"`{config}`" for config in build.CONFIGS}
    assignments = SPLITS["assignments"]
    test_docs = {doc_id for doc_id, split in assignments.items() if split == "test"}
    assert rows["`quotes`"]["test"] == str(gold_count(test_docs, "quotes"))
    assert rows["`events`"]["fold0_test"] == str(
        gold_count(set(SPLITS["folds"][0]["test"]), "events")
    )
    assert rows["`documents`"]["all rows"] == str(len(assignments))
    assert rows["`inventory`"]["all rows"] == str(sum(len(v) for v in INVENTORY.values()))


def relative_links(markdown: str) -> list[str]:
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    found = []
    for token in tokens:
        for child in token.children or []:
            href = str(child.attrs.get("href", "")) if child.type == "link_open" else ""
            if href and not re.match(r"^[a-z]+:", href) and not href.startswith("#"):
                found.append(href)
    return found


def test_every_relative_link_of_the_card_resolves_inside_the_folder(release_folder: Path) -> None:
    links = relative_links(card_body(release_folder))
    links.append(card_header(release_folder)["license_link"])
    assert {"DATASHEET.md", "croissant.json"} <= set(links)
    root = release_folder.resolve()
    for link in links:
        target = (root / link.split("#")[0]).resolve()
        assert target.is_relative_to(root) and target.is_file(), link


def test_the_card_states_real_sizes_licences_limits_and_citation(
    release_folder: Path, cache: Path
) -> None:
    infos = {info["config_name"]: info for info in card_header(release_folder)["dataset_info"]}
    for config in build.CONFIGS:
        loaded = load(release_folder, config, cache)
        for split in infos[config]["splits"]:
            assert split["num_examples"] == loaded[split["name"]].num_rows
            assert split["num_bytes"] > 0
        files = sorted((release_folder / "data" / config).glob("*.parquet"))
        assert infos[config]["download_size"] == sum(p.stat().st_size for p in files)
    body = card_body(release_folder)
    for heading in ("## Licences", "## Known limits", "## Citation"):
        assert heading in body
    assert "@misc{propos," in body and card.VERSION in body
    assert "Wikinews contributors" in body and "CC BY 2.5" in body and "research-only" in body


def test_the_card_loading_example_runs(
    release_folder: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    block = re.search(r"```python\n(.*?)```", card_body(release_folder), flags=re.DOTALL)
    assert block
    monkeypatch.setenv("HF_DATASETS_CACHE", str(cache))
    namespace: dict[str, Any] = {}
    code = block.group(1).replace("path/to/propos", str(release_folder))
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["fold0_test"].num_rows > 0 and namespace["inventory"].num_rows > 0
    wikinews = namespace["wikinews"]["train"]
    assert set(wikinews["collection"]) == {namespace["wikinews_id"]}


def test_the_release_version_is_the_package_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == card.VERSION


# ---------------------------------------------------------------- splits and configs


def test_every_document_config_has_every_fold(release_folder: Path, cache: Path) -> None:
    for config in build.DOCUMENT_CONFIGS:
        one = load_dataset(str(release_folder), config, split="fold0_test", cache_dir=str(cache))
        assert set(one["doc_id"]) <= set(SPLITS["folds"][0]["test"])
        loaded = load(release_folder, config, cache)
        assert list(loaded) == ["train", "test", *FOLD_SPLITS]
        for fold in SPLITS["folds"]:
            for part in ("train", "test"):
                rows = loaded[f"fold{fold['fold']}_{part}"]
                assert set(rows["doc_id"]) <= set(fold[part]), (config, fold["fold"], part)
                if config == "documents":
                    assert sorted(rows["doc_id"]) == sorted(fold[part])
    quotes = load(release_folder, "quotes", cache)
    assert quotes["fold2_test"].num_rows == gold_count(set(SPLITS["folds"][2]["test"]), "quotes")


def test_the_inventory_config_lists_every_entry_with_its_mentions(
    release_folder: Path, cache: Path
) -> None:
    rows = load(release_folder, "inventory", cache)["full"]
    kind, kinds = rows.features["kind"], {"entities": "entity", "events": "event"}
    by_id = {row["id"]: row for row in rows}
    assert len(by_id) == rows.num_rows == sum(len(v) for v in INVENTORY.values())
    for key, entries in INVENTORY.items():
        for entry in entries:
            row = by_id[entry["id"]]
            assert kind.int2str(row["kind"]) == kinds.get(key, "utterance")
            assert row["name"] == entry.get("name") and row["wikidata"] == entry.get("wikidata")
            if "type" in entry:
                assert rows.features["type"].int2str(row["type"]) == entry["type"]
            else:
                assert row["type"] is None
    documents = load(release_folder, "documents", cache)
    mentions = defaultdict(int)
    for split in ("train", "test"):
        for document in documents[split]:
            for entity in document["entities"]:
                mentions[entity["entity_id"]] += 1
    entity_rows = [row for row in rows if kind.int2str(row["kind"]) == "entity"]
    assert {row["id"]: row["mentions"] for row in entity_rows if row["mentions"]} == mentions


def test_metadata_is_typed_and_a_missing_value_is_null(release_folder: Path, cache: Path) -> None:
    documents = load(release_folder, "documents", cache)
    features = documents["train"].features
    for name in ("collection", "license", "machine_translated"):
        assert isinstance(features[name], ClassLabel), name
    assert features["machine_translated"].names == ["no", "likely", "yes"]
    rows = [row for split in ("train", "test") for row in documents[split]]
    for row in rows:
        for name, value in row.items():
            assert not (isinstance(value, str) and value.lower().startswith("unknown")), name
        assert row["has_title"] == bool(row["title"]) and row["title"] is not None
    untitled = [row["doc_id"] for row in rows if not row["has_title"]]
    assert untitled == ["003_a5c7406991160b2b"]  # "no title in the scraped text" (sources.csv)
    sources = {row["doc_id"]: row for row in rows}
    assert sources["004_7d1862074b0c649d"]["outlet"] is None
    assert sources["004_7d1862074b0c649d"]["country"] == "Mauritius"
    assert (
        features["machine_translated"].int2str(
            sources["004_7d1862074b0c649d"]["machine_translated"]
        )
        == "yes"
    )
    assert sources["001_d86c8409a0c5958b"]["outlet"] is None


def test_each_document_carries_its_licence_and_attribution(
    release_folder: Path, cache: Path
) -> None:
    documents = load(release_folder, "documents", cache)
    licence = documents["train"].features["license"]
    for split in ("train", "test"):
        for row in documents[split]:
            name = licence.int2str(row["license"])
            if row["doc_id"].startswith("wn-"):
                assert name == "CC BY 2.5"
                assert row["license_url"] == "https://creativecommons.org/licenses/by/2.5/"
                assert row["attribution"].startswith("Wikinews contributors, « ")
            else:
                assert name == "research-only" and row["license_url"] is None
                assert row["attribution"] and "sources.csv" not in row["attribution"]


# ---------------------------------------------------------------- Croissant


@pytest.fixture(scope="module")
def croissant(release_folder: Path) -> Any:
    import mlcroissant

    with pytest.MonkeyPatch.context() as monkeypatch:  # set up before the tests' own guard
        refuse_network(monkeypatch)
        return mlcroissant.Dataset(jsonld=str(release_folder / "croissant.json"))


def test_croissant_validates_without_errors_or_warnings(croissant: Any) -> None:
    issues = croissant.metadata.ctx.issues
    assert not issues.errors and not issues.warnings, issues.report()
    record_sets = {record_set.id for record_set in croissant.metadata.record_sets}
    assert record_sets == {"splits", *build.CONFIGS}


def test_croissant_has_the_responsible_ai_fields(release_folder: Path) -> None:
    metadata = load_json(release_folder / "croissant.json")
    for key in (
        "rai:dataCollection", "rai:dataAnnotationProtocol", "rai:annotatorDemographics",
        "rai:dataLimitations", "rai:dataBiases", "rai:personalSensitiveInformation",
        "rai:dataUseCases", "rai:dataReleaseMaintenancePlan",
    ):  # fmt: skip
        assert metadata[key], key
    files = [entry for entry in metadata["distribution"] if entry["@type"] == "cr:FileObject"]
    described = {entry["contentUrl"]: entry for entry in files}
    on_disk = {str(p.relative_to(release_folder)) for p in release_folder.rglob("*") if p.is_file()}
    assert set(described) | {"croissant.json"} == on_disk
    for name, entry in described.items():
        data = (release_folder / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert entry["contentSize"] == f"{len(data)} B", name
    assert str(release_folder) not in json.dumps(metadata)


def test_croissant_describes_every_field_of_every_config(release_folder: Path) -> None:
    metadata = load_json(release_folder / "croissant.json")
    record_sets = {record_set["@id"]: record_set for record_set in metadata["recordSet"]}

    def described(fields: list[dict[str, Any]]) -> list[str]:
        names = []
        for found in fields:
            assert found.get("description"), found["@id"]
            names += [found["@id"], *described(found.get("subField", []))]
        return names

    for config in build.CONFIGS:
        names = described(record_sets[config]["field"])
        columns = {name.split("/")[1] for name in names}
        assert columns == {"split", *build.features(config)}, config


def plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def croissant_leaves(record: dict[str, Any]) -> dict[str, Any]:
    """mlcroissant's record as leaf field id -> value; a list of records becomes one list per
    leaf, and an empty list stands for each of its leaves."""
    leaves: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            leaves.update(croissant_leaves(value))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for leaf in value[0]:
                leaves[leaf] = plain([item[leaf] for item in value])
        else:
            leaves[key] = plain(value)
    return leaves


def dataset_leaves(
    prefix: str, features: dict[str, Any], row: dict[str, Any], skipped: set[str]
) -> dict[str, Any]:
    """The same leaves from a `datasets` row; a list of records inside a record is skipped."""
    leaves: dict[str, Any] = {}
    for name, feature in features.items():
        key, value = f"{prefix}/{name}", row[name]
        if isinstance(feature, dict):
            record = value or dict.fromkeys(feature)  # a null record: each leaf null
            leaves.update(dataset_leaves(key, feature, record, skipped))
        elif isinstance(feature, List) and isinstance(feature.feature, dict):
            for sub, inner in feature.feature.items():
                if isinstance(inner, List) and isinstance(inner.feature, dict):
                    skipped.update(f"{key}/{sub}/{leaf}" for leaf in inner.feature)
                elif isinstance(inner, dict):
                    for leaf in inner:
                        leaves[f"{key}/{sub}/{leaf}"] = [
                            (item[sub] or {}).get(leaf) for item in value
                        ]
                else:
                    leaves[f"{key}/{sub}"] = [item[sub] for item in value]
        else:
            leaves[key] = value
    return leaves


def lookup(leaves: dict[str, Any], key: str) -> Any:
    while key not in leaves and "/" in key:
        key = key.rsplit("/", 1)[0]  # an empty list of records stands for its leaves
    return leaves[key]


@pytest.mark.parametrize("config", build.CONFIGS)
def test_croissant_records_are_the_rows_datasets_loads(
    config: str, croissant: Any, release_folder: Path, cache: Path
) -> None:
    by_split: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in croissant.records(config):
        leaves = croissant_leaves(record)
        by_split[leaves.pop(f"{config}/split")].append(leaves)
    loaded = load(release_folder, config, cache)
    assert sorted(by_split) == sorted(loaded)
    skipped: set[str] = set()
    for split, rows in loaded.items():
        assert len(by_split[split]) == rows.num_rows, split
        for ours, theirs in zip(by_split[split], rows, strict=True):
            expected = dataset_leaves(config, rows.features, theirs, skipped)
            assert {key: lookup(ours, key) for key in expected} == expected
    # mlcroissant 1.1.1 reads one level of lists inside records: an event's arguments inside
    # a document are checked through the events record set, where they are one level deep.
    arguments = build.features("events")["arguments"].feature
    nested = {f"documents/events/arguments/{name}" for name in arguments}
    assert skipped == (nested if config == "documents" else set())
