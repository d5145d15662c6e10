"""End to end: every command of the README's command table, run as a user runs it.

Each test starts the real `propos` console script in a subprocess (there is no
``propos/__main__.py``, so no ``python -m propos``), on the repository's own corpus or on a copy
of it (the ``project`` fixture, passed as ``--root``), once per output format the command
offers. It asserts on what the command prints (figures, parsed JSON and CSV, table rows) and on
what it writes (files present and valid), and that bad input gives one ``error:`` line, a
non-zero exit and no traceback. Bootstraps use 50 resamples to stay fast.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from .conftest import ALL_DOC_IDS, ROOT, load_json, ok, one_error, shown

RESAMPLES = "50"
GOLD_DOC = "000_5637744c8eac245a"  # a press article, train split
GOLD_FILE = ROOT / "annotations" / "gold" / f"{GOLD_DOC}.json"
CRF = ROOT / "benchmark" / "submissions" / "crf" / "predictions.jsonl"
SPLITS = load_json(ROOT / "annotations" / "splits.json")["assignments"]
TEST_DOCS = sorted(d for d, split in SPLITS.items() if split == "test")
WIKINEWS_STORIES = ROOT.parent / "shared" / "wikinews" / "stories.json"
WINER = ROOT.parent / "shared" / "external" / "winer-fr"
HEADLINE_LAYERS = ["entities", "quotes", "events"]
ROW_KEYS = ["layer", "group", "precision", "recall", "f1", "correct", "predicted", "gold"]
ERROR_KEYS = ["doc_id", "layer", "error", "start", "end", "gold_text", "gold_label",
              "pred_text", "pred_label", "context"]  # fmt: skip
PROBLEM_LINE = re.compile(r"^(?P<file>[^:\n]+\.json):(?P<path>\$[^:\s]*): (?P<message>.+)$")
TABLE_ROW = re.compile(
    r"^(?P<layer>\S.*?)\s{2,}(?P<f1>\d\.\d{3})\s+\[(?P<low>\d\.\d{3}), (?P<high>\d\.\d{3})\]"
    r"\s+(?P<metric>\S.*)$"
)


def propos_executable() -> str:
    """The console script installed beside this interpreter (the project's venv), else PATH."""
    beside = Path(sys.executable).parent / "propos"
    if beside.is_file():
        return str(beside)
    found = shutil.which("propos")
    assert found, "no `propos` console script beside the interpreter nor on PATH"
    return found


PROPOS = propos_executable()
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
ENV.update({"COLUMNS": "200", "NO_COLOR": "1"})


def propos(*args: Any, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PROPOS, *(str(a) for a in args)],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def records(stdout: str, output: str) -> list[dict[str, str]]:
    """The rows of a `--format json|csv` frame, every value as text."""
    if output == "json":
        return [{k: str(v) for k, v in row.items()} for row in json.loads(stdout)]
    return list(csv.DictReader(io.StringIO(stdout)))


def clean_text(doc_id: str) -> str:
    return load_json(ROOT / "corpus" / "clean" / f"{doc_id}.json")["text"]


def gold(doc_id: str) -> dict[str, Any]:
    return load_json(ROOT / "annotations" / "gold" / f"{doc_id}.json")


# ---------------------------------------------------------------- shared runs


@pytest.fixture(scope="module")
def built_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`propos build --out TMP/propos`, once for the module."""
    out = tmp_path_factory.mktemp("built") / "propos"
    result = ok(propos("build", "--out", out))
    counts = Counter(SPLITS.values())
    assert f"documents train {counts['train']}, test {counts['test']}" in result.stderr
    return out


@pytest.fixture(scope="module")
def crf_scores() -> dict[str, Any]:
    """`propos evaluate --format json` of the CRF submission against the repository gold."""
    return json.loads(
        ok(propos("evaluate", "--pred", CRF, "--resamples", RESAMPLES, "--format", "json")).stdout
    )


@pytest.fixture(scope="module")
def crf_errors() -> list[dict[str, Any]]:
    result = ok(propos("evaluate", "--pred", CRF, "--errors", "--format", "json"))
    return list(json.loads(result.stdout))


@pytest.fixture(scope="module")
def stats_json() -> dict[str, Any]:
    return dict(json.loads(ok(propos("stats", "--format", "json")).stdout))


@pytest.fixture(scope="module")
def agreement_json() -> dict[str, Any]:
    a, b = ROOT / "annotations" / "passes" / "a", ROOT / "annotations" / "passes" / "b"
    return dict(json.loads(ok(propos("agreement", a, b, "--format", "json")).stdout))


# ---------------------------------------------------------------- --help, against the README


def readme_commands() -> list[tuple[list[str], list[str], list[str]]]:
    """(command words, options, --format values) of each row of the README's command table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## The command line", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        found = re.match(r"\| `propos ([^`]*)` \|", line)
        if not found:
            continue
        cell = found.group(1).replace("\\|", "|")
        options = re.findall(r"--[a-z][a-z-]*", cell)
        formats = re.findall(r"--format ([a-z|]+)", cell)
        if " / " in cell:  # `convert to-brat / from-brat / ...`: one row, several commands
            first, *others = cell.split(" / ")
            group = first.split()[0]
            commands = [first.split()[:2], *([group, other.strip()] for other in others)]
        else:
            words: list[str] = []
            for token in cell.split():
                if not re.fullmatch(r"[a-z][a-z-]*", token):
                    break
                words.append(token)
            commands = [words]
        values = formats[0].split("|") if formats else []
        rows += [(command, options, values) for command in commands]
    return rows


README_COMMANDS = readme_commands()


def test_the_readme_lists_every_command() -> None:
    listed = {command[0] for command, _, _ in README_COMMANDS}
    assert len(README_COMMANDS) >= 17, README_COMMANDS
    result = ok(propos("--help"))
    for name in listed:
        assert re.search(rf"^\W*{name}\s", result.stdout, re.M), (name, result.stdout)


@pytest.mark.parametrize(
    ("command", "options", "formats"),
    [
        pytest.param(command, options, formats, id=" ".join(command))
        for command, options, formats in [
            *README_COMMANDS,
            *(
                []
                if any(c == ["import", "wikinews"] for c, _, _ in README_COMMANDS)
                else [(["import", "wikinews"], [], [])]
            ),
        ]
    ],
)
def test_help_shows_what_the_readme_documents(
    command: list[str], options: list[str], formats: list[str]
) -> None:
    result = ok(propos(*command, "--help"))
    assert f"Usage: propos {' '.join(command)}" in result.stdout
    for option in options:
        assert option in result.stdout, (command, option)
    for value in formats:
        assert re.search(rf"<[a-z|]*\b{value}\b[a-z|]*>", result.stdout), (command, value)


# ---------------------------------------------------------------- clean


def test_clean_rewrites_missing_documents_byte_for_byte(project: Path) -> None:
    clean_dir = project / "corpus" / "clean"
    total = len(list(clean_dir.glob("*.json")))
    removed = [GOLD_DOC, "wn-2016_07_14-002"]  # one press article, one Wikinews article
    for doc_id in removed:
        (clean_dir / f"{doc_id}.json").unlink()
    result = ok(propos("clean", "--root", project, "--workers", "1"))
    assert f"clean: 2 written, {total - 2} unchanged, 0 failed" in result.stderr
    for doc_id in removed:
        written = (clean_dir / f"{doc_id}.json").read_bytes()
        assert written == (ROOT / "corpus" / "clean" / f"{doc_id}.json").read_bytes(), doc_id
    again = ok(propos("clean", "--root", project, "--profile", "news"))
    assert f"clean: 0 written, {total} unchanged, 0 failed" in again.stderr


def test_clean_refuses_to_move_annotated_text_unless_forced(project: Path) -> None:
    raw = project / "corpus" / "raw" / f"{GOLD_DOC}.txt"
    cleaned = project / "corpus" / "clean" / f"{GOLD_DOC}.json"
    before = cleaned.read_bytes()
    raw.write_text(raw.read_text(encoding="utf-8").replace("Genève", "Geneve"), encoding="utf-8")
    one_error(propos("clean", "--root", project), GOLD_DOC, "--force", code=1)
    assert cleaned.read_bytes() == before
    ok(propos("clean", "--root", project, "--force"))
    assert "Geneve" in load_json(cleaned)["text"]
    # The gold is now anchored to another text: validate says so, at the hash.
    result = propos("validate", f"annotations/gold/{GOLD_DOC}.json", cwd=project)
    assert result.returncode == 1, shown(result)
    assert f"annotations/gold/{GOLD_DOC}.json:$.text_sha256: " in result.stdout


def test_clean_bad_input() -> None:
    one_error(propos("clean", "--root", ROOT / "no-such-folder"), "no such corpus folder")
    one_error(propos("clean", "--profile", "bogus"), "bogus", code=2)


# ---------------------------------------------------------------- validate


def test_validate_the_repository_annotations_text() -> None:
    result = ok(propos("validate", "annotations"))
    assert result.stdout == ""
    found = re.search(r"validate: (\d+) file\(s\) checked, clean", result.stderr)
    assert found, shown(result)
    passes = list((ROOT / "annotations" / "passes").glob("*/*.json"))
    assert int(found.group(1)) >= len(ALL_DOC_IDS) + len(passes)


def test_validate_json_format() -> None:
    result = ok(propos("validate", "annotations/gold", "annotations/inventory.json", "--format",
                       "json"))  # fmt: skip
    report = json.loads(result.stdout)
    assert report == {"files": len(ALL_DOC_IDS) + 1, "problems": []}


def test_validate_a_submission_against_its_split() -> None:
    result = ok(propos("validate", CRF, "--split", "test"))
    assert "1 file(s) checked, clean" in result.stderr


def test_validate_places_a_json_error_in_its_submission_line(tmp_path: Path) -> None:
    """A broken line of a submission is placed by its column in that line (not at "line 2" of
    it, after its line break), with CRLF breaks too."""
    first, second = CRF.read_bytes().splitlines(keepends=True)[:2]
    submission = tmp_path / "broken.jsonl"
    submission.write_bytes(first + b'{"doc_id": \n' + b'{"doc_id": "x", }\r\n' + second)
    result = propos("validate", submission, "--format", "text")
    assert result.returncode == 1, shown(result)
    lines = result.stdout.splitlines()
    assert lines == [
        f"{submission}:2:column 12: invalid JSON: Expecting value (the line is truncated)",
        f"{submission}:3:column 17: invalid JSON: Expecting property name enclosed in double"
        " quotes",
    ]


def test_validate_a_broken_gold_copy(project: Path) -> None:
    where = f"annotations/gold/{GOLD_DOC}.json"
    document = load_json(project / where)
    document["entities"][0]["type"] = "BOGUS"
    document["entities"][1]["end"] += 1
    (project / where).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    text = propos("validate", where, cwd=project)
    assert text.returncode == 1, shown(text)
    assert "Traceback" not in text.stdout + text.stderr
    lines = text.stdout.splitlines()
    parsed = [PROBLEM_LINE.match(line) for line in lines]
    assert lines and all(parsed), lines
    assert {(m["file"], m["path"]) for m in parsed if m} >= {
        (where, "$.entities[0].type"),
        (where, "$.entities[1]"),
    }
    assert any("BOGUS" in m["message"] for m in parsed if m)
    assert f"1 file(s) checked, {len(lines)} problem(s)" in text.stderr

    machine = propos("validate", where, "--format", "json", cwd=project)
    assert machine.returncode == 1, shown(machine)
    report = json.loads(machine.stdout)
    assert report["files"] == 1
    assert [f"{p['file']}:{p['path']}: {p['message']}" for p in report["problems"]] == lines


def test_validate_max_mib_bounds_files_and_submission_lines(tmp_path: Path) -> None:
    """A real gold file and a real submission line, padded with white space past 1 MiB (JSON
    still): refused unread under `--max-mib 1`, in both formats; checked clean by default."""
    padding = " " * (1024 * 1024 + 100)
    gold = tmp_path / "gold"
    gold.mkdir()
    shutil.copy(ROOT / "annotations" / "inventory.json", tmp_path / "inventory.json")
    padded_gold = gold / GOLD_FILE.name
    padded_gold.write_text(GOLD_FILE.read_text(encoding="utf-8") + padding, encoding="utf-8")
    lines = CRF.read_text(encoding="utf-8").splitlines()
    submission = tmp_path / "predictions.jsonl"
    submission.write_text(lines[0] + padding + "\n" + "\n".join(lines[1:]) + "\n", "utf-8")

    assert "2 file(s) checked, clean" in ok(propos("validate", gold, submission)).stderr
    text = propos("validate", gold, submission, "--max-mib", "1")
    assert text.returncode == 1, shown(text)
    sizes = [padded_gold.stat().st_size, len(lines[0].encode()) + len(padding) + 1]
    found = [
        re.fullmatch(rf"{re.escape(where)}: (file|line) too large \((\d\.\d+) MiB > (1\.0+) MiB"
                     r" limit\)", line)
        for where, line in zip([f"{padded_gold}:$", f"{submission}:1:$"],
                               text.stdout.splitlines(), strict=True)
    ]  # fmt: skip
    assert all(found), shown(text)
    for size, match in zip(sizes, found, strict=True):
        assert match and match[2] != match[3]  # enough decimals to tell the size from the limit
        assert len(match[2]) == len(match[3]) and abs(float(match[2]) - size / 2**20) < 0.01
    assert text.stderr.splitlines() == [
        "validate: 2 file(s) checked, 2 problem(s)",
        "validate: --max-mib N raises the limit (1 MiB) on a file or line",
    ]
    machine = propos("validate", gold, submission, "--max-mib", "1", "--format", "json")
    assert machine.returncode == 1, shown(machine)
    problems = json.loads(machine.stdout)["problems"]
    assert [(p["file"], p["message"].split(" (")[0]) for p in problems] == [
        (str(padded_gold), "file too large"),
        (f"{submission}:1", "line too large"),
    ]
    one_error(propos("validate", gold, "--max-mib", "0"), "--max-mib", code=2)


def test_validate_says_why_a_cleaned_document_is_not_read(project: Path) -> None:
    where = f"annotations/gold/{GOLD_DOC}.json"
    cleaned = project / "corpus" / "clean" / f"{GOLD_DOC}.json"
    cleaned.write_text(cleaned.read_text(encoding="utf-8") + " " * 2**20, encoding="utf-8")
    assert "1 file(s) checked, clean" in ok(propos("validate", where, cwd=project)).stderr

    refused = propos("validate", where, "--max-mib", "1", cwd=project)
    assert refused.returncode == 1, shown(refused)
    assert re.fullmatch(
        rf"{where}:\$\.doc_id: cleaned document {re.escape(str(cleaned))} too large"
        r" \(1\.\d+ MiB > 1\.0+ MiB limit\)\n",
        refused.stdout,
    ), shown(refused)

    cleaned.write_text('{"doc_id": "', encoding="utf-8")
    broken = propos("validate", where, cwd=project)
    assert broken.returncode == 1, shown(broken)
    assert broken.stdout == (
        f"{where}:$.doc_id: cannot read the text of the cleaned document {cleaned}"
        " (run `propos clean`)\n"
    )
    cleaned.unlink()
    absent = propos("validate", where, cwd=project)
    assert absent.stdout == f"{where}:$.doc_id: no cleaned document '{GOLD_DOC}' in corpus\n"


def test_validate_bad_input() -> None:
    one_error(propos("validate", "no/such/file.json"), "no/such/file.json", code=2)


# ---------------------------------------------------------------- split


def test_split_check_on_the_repository() -> None:
    result = ok(propos("split", "--check"))
    assert "agrees with the corpus, no leak" in result.stderr


def test_split_check_finds_a_leak(project: Path) -> None:
    path = project / "annotations" / "splits.json"
    splits = load_json(path)
    moved = next(d for d, split in splits["assignments"].items() if split == "train")
    splits["assignments"][moved] = "test"
    path.write_text(json.dumps(splits, indent=2), encoding="utf-8")
    result = propos("split", "--check", "--root", project)
    one_error(result, "splits.json", "propos split", code=1)
    assert "leak" in result.stdout and moved in result.stdout


# ---------------------------------------------------------------- build


def test_build_writes_the_dataset_folder(built_dataset: Path) -> None:
    for config in ("documents", "ner", "quotes", "events"):
        for split in ("train", "test", "fold0_train", "fold4_test"):
            parts = sorted((built_dataset / "data" / config).glob(f"{split}-*.parquet"))
            assert parts, (config, split)
            for parquet in parts:
                assert parquet.read_bytes()[:4] == b"PAR1", parquet
    inventory = built_dataset / "data" / "inventory" / "full-00000.parquet"
    assert inventory.read_bytes()[:4] == b"PAR1"
    assert "configs:" in (built_dataset / "README.md").read_text(encoding="utf-8")
    croissant = json.loads((built_dataset / "croissant.json").read_text(encoding="utf-8"))
    assert croissant["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    assert (built_dataset / "DATASHEET.md").read_bytes() == (ROOT / "DATASHEET.md").read_bytes()


# ---------------------------------------------------------------- stats


def test_stats_json_counts_the_gold(stats_json: dict[str, Any]) -> None:
    for key in ("documents", "splits", "collections", "totals", "entity_types", "event_types"):
        assert key in stats_json
    rows = {row["doc_id"]: row for row in stats_json["documents"]}
    assert sorted(rows) == ALL_DOC_IDS
    for doc_id, row in rows.items():
        document = gold(doc_id)
        assert row["split"] == SPLITS[doc_id]
        for layer in ("entities", "quotes", "events"):
            assert row[layer] == len(document[layer]), (doc_id, layer)
    for layer in ("entities", "quotes", "events"):
        assert stats_json["totals"][layer] == sum(row[layer] for row in rows.values())
    assert stats_json["totals"]["documents"] == len(ALL_DOC_IDS)


def document_row(row: dict[str, Any]) -> str:
    cells = [row[k] for k in ("doc_id", "collection", "story", "split", "tokens", "entities",
                              "quotes", "events")]  # fmt: skip
    return "| " + " | ".join(str(c) for c in cells) + " |"


def test_stats_table(stats_json: dict[str, Any]) -> None:
    result = ok(propos("stats", "--format", "table"))
    assert result.stdout.startswith("Collections")
    for row in stats_json["documents"]:
        assert document_row(row) in result.stdout.splitlines(), row["doc_id"]


def test_stats_markdown_plots_and_datasheet(stats_json: dict[str, Any], tmp_path: Path) -> None:
    datasheet = tmp_path / "DATASHEET.md"
    original = (ROOT / "DATASHEET.md").read_text(encoding="utf-8")
    stale = re.sub(r"(<!-- propos stats: begin[^\n]*\n).*?(<!-- propos stats: end -->)",
                   r"\1stale\n\2", original, flags=re.S)  # fmt: skip
    assert stale != original
    datasheet.write_text(stale, encoding="utf-8")
    plots = tmp_path / "plots"
    result = ok(propos("stats", "--format", "markdown", "--plots", plots, "--datasheet",
                       datasheet))  # fmt: skip
    lines = result.stdout.splitlines()
    assert lines[0] == "**Collections**"
    assert "| collection | stories | documents | tokens | entities | quotes | events |" in lines
    for row in stats_json["documents"]:
        assert document_row(row) in lines, row["doc_id"]
    pngs = sorted(plots.glob("*.png"))
    assert len(pngs) >= 4
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    assert datasheet.read_text(encoding="utf-8") == original


def test_stats_bad_input() -> None:
    one_error(propos("stats", "--root", ROOT / "no-such-folder"), "no such corpus folder")


# ---------------------------------------------------------------- agreement


def test_agreement_json(agreement_json: dict[str, Any]) -> None:
    assert agreement_json["documents"] == len(ALL_DOC_IDS)
    for layer in ("entities", "quotes", "events"):
        assert agreement_json[layer]
        for name, value in agreement_json[layer].items():
            assert 0.5 <= value <= 1.0, (layer, name, value)
        first, second = agreement_json["counts"][layer]
        assert first > 0 and second > 0
    assert set(agreement_json["clusters"]) == {"entity_id", "event_id", "utterance_id"}


def test_agreement_markdown_shows_the_json_figures(agreement_json: dict[str, Any]) -> None:
    a, b = ROOT / "annotations" / "passes" / "a", ROOT / "annotations" / "passes" / "b"
    result = ok(propos("agreement", a, b, "--format", "markdown"))
    lines = result.stdout.splitlines()
    counts = agreement_json["counts"]
    assert lines[0].startswith(f"Documents: {agreement_json['documents']}. ")
    assert f"entities {counts['entities'][0]} / {counts['entities'][1]}" in lines[0]
    layer_rows = [line for line in lines if re.match(r"\| (entities|quotes|events) \|", line)]
    shown_figures = sorted(line.rsplit("|", 2)[1].strip() for line in layer_rows)
    expected = sorted(f"{v:.3f}" for layer in ("entities", "quotes", "events")
                      for v in agreement_json[layer].values())  # fmt: skip
    assert shown_figures == expected
    for name, scores in agreement_json["clusters"].items():
        figures = " | ".join(f"{scores[k]:.3f}" for k in ("muc", "b_cubed", "ceaf_e", "conll_f1",
                                                           "lea"))  # fmt: skip
        assert f"| `{name}` | {figures} |" in lines, name


def test_agreement_bad_input(tmp_path: Path) -> None:
    a = ROOT / "annotations" / "passes" / "a"
    one_error(propos("agreement", a, tmp_path), str(tmp_path), "no annotation files")
    one_error(propos("agreement", tmp_path / "nope", a), "no such folder", code=2)


def _winer_pairs() -> dict[str, Path]:
    manifest = load_json(ROOT / "corpus" / "collections" / "wikinews.json")
    return {entry["doc_id"]: WINER / entry["source_file"] for entry in manifest["documents"]}


@pytest.fixture(scope="module")
def source_agreement_json() -> dict[str, Any]:
    return dict(json.loads(ok(propos("source-agreement", "--format", "json")).stdout))


def test_source_agreement_counts_what_an_import_of_the_same_articles_keeps(
    source_agreement_json: dict[str, Any], tmp_path: Path
) -> None:
    """Kept mentions per coarse type = exact (start, end, type) matches between the gold and a
    `propos import brat` of the 64 source articles, counted here with plain sets."""
    brat = tmp_path / "brat"
    brat.mkdir()
    stems = {}
    for doc_id, text in _winer_pairs().items():
        shutil.copy(text, brat / text.name)
        shutil.copy(text.with_suffix(".ann"), brat / text.with_suffix(".ann").name)
        stems[text.stem] = doc_id
    ok(propos("import", "brat", brat, "--out", tmp_path / "imported"))
    coarse = {"PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "MISC": "MISC"}
    source, gold = Counter(), Counter()
    kept = Counter()
    for stem, doc_id in stems.items():
        imported = load_json(tmp_path / "imported" / "annotations" / "gold" / f"{stem}.json")
        reference = load_json(ROOT / "annotations" / "gold" / f"{doc_id}.json")
        assert imported["text_sha256"] == reference["text_sha256"], doc_id
        theirs = {(e["start"], e["end"], e["type"]) for e in imported["entities"]}
        ours = {(e["start"], e["end"], coarse[e["type"]]) for e in reference["entities"]}
        source.update(label for _, _, label in theirs)
        gold.update(label for _, _, label in ours)
        kept.update(label for _, _, label in theirs & ours)
    rows = {row["type"]: row for row in source_agreement_json["per_type"]}
    assert source_agreement_json["documents"] == len(stems) == 64
    for label in ("PER", "ORG", "LOC", "MISC"):
        assert (rows[label]["source"], rows[label]["gold"], rows[label]["kept"]) == (
            source[label], gold[label], kept[label]), label  # fmt: skip
        assert rows[label]["kept"] + rows[label]["changed"] + rows[label]["added"] == gold[label]
    micro = source_agreement_json["micro"]
    assert micro["kept"] == sum(kept.values())
    assert 0.5 < micro["f1"] < 1.0  # review moved the gold, but not far


def test_source_agreement_markdown_shows_the_json_figures(
    source_agreement_json: dict[str, Any],
) -> None:
    lines = ok(propos("source-agreement")).stdout.splitlines()
    assert lines[0].startswith("Documents: 64.")
    for row in [*source_agreement_json["per_type"], source_agreement_json["micro"]]:
        name = "**all**" if row["type"] == "all" else row["type"]
        cells = [name, row["source"], row["gold"], row["kept"], row["changed"], row["added"],
                 row["removed"], f"{row['precision']:.3f}", f"{row['recall']:.3f}",
                 f"{row['f1']:.3f}"]  # fmt: skip
        assert "| " + " | ".join(str(c) for c in cells) + " |" in lines, name


def test_source_agreement_bad_input(project: Path) -> None:
    one_error(propos("source-agreement", "--collection", "press"), "press", "wikinews", code=2)
    # A private copy of the source articles, one with a changed text, one without its .ann.
    shared = project.parent / "shared"
    shared.unlink()
    pairs = _winer_pairs()
    for text in pairs.values():
        target = shared / "external" / "winer-fr" / text.relative_to(WINER)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(text, target)
        shutil.copy(text.with_suffix(".ann"), target.with_suffix(".ann"))
    first, second = sorted(pairs)[:2]
    changed = shared / "external" / "winer-fr" / pairs[first].relative_to(WINER)
    changed.write_text(changed.read_text(encoding="utf-8") + "\nUne ligne de plus.\n", "utf-8")
    one_error(propos("source-agreement", "--root", project), first, "differs")
    shutil.copy(pairs[first], changed)
    missing = shared / "external" / "winer-fr" / pairs[second].relative_to(WINER)
    missing.with_suffix(".ann").unlink()
    one_error(propos("source-agreement", "--root", project), second, "missing")


# ---------------------------------------------------------------- evaluate


def test_evaluate_json(crf_scores: dict[str, Any]) -> None:
    assert set(crf_scores["headline"]) == set(HEADLINE_LAYERS)
    for figure in [*crf_scores["headline"].values(), crf_scores["entities_coarse"]]:
        assert 0.0 <= figure["low"] <= figure["value"] <= figure["high"] <= 1.0, figure
    assert crf_scores["headline"]["entities"]["value"] > 0.2  # the CRF tags entities
    assert crf_scores["split"] == "test"
    assert crf_scores["documents"]["n_gold"] == len(TEST_DOCS)
    assert crf_scores["documents"]["missing_predictions"] == []
    assert crf_scores["bootstrap"]["resamples"] == int(RESAMPLES)
    assert crf_scores["bootstrap"]["confidence"] == 0.95
    strict = crf_scores["entities"]["fine"]["micro"]["strict"]
    assert strict["f1"] == pytest.approx(crf_scores["headline"]["entities"]["value"])


def test_evaluate_table(crf_scores: dict[str, Any]) -> None:
    result = ok(propos("evaluate", "--pred", CRF, "--resamples", RESAMPLES, "--format", "table"))
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"split test: {len(TEST_DOCS)} documents; 95% intervals from"
                               f" {RESAMPLES} bootstrap resamples")  # fmt: skip
    rows = {m["layer"]: m for m in map(TABLE_ROW.match, lines) if m}
    assert set(rows) == {*HEADLINE_LAYERS, "entities (coarse)"}
    figures = {**crf_scores["headline"], "entities (coarse)": crf_scores["entities_coarse"]}
    for layer, figure in figures.items():
        for key, column in (("value", "f1"), ("low", "low"), ("high", "high")):
            assert rows[layer][column] == f"{figure[key]:.3f}", (layer, key)
    assert "coarse types" in rows["entities (coarse)"]["metric"]


def test_evaluate_csv(crf_scores: dict[str, Any]) -> None:
    result = ok(propos("evaluate", "--pred", CRF, "--resamples", RESAMPLES, "--format", "csv"))
    assert result.stdout.splitlines()[0] == "layer,metric,f1,low,high"
    rows = {row["layer"]: row for row in records(result.stdout, "csv")}
    figures = {**crf_scores["headline"], "entities (coarse)": crf_scores["entities_coarse"]}
    assert set(rows) == set(figures)
    for layer, figure in figures.items():
        assert float(rows[layer]["f1"]) == pytest.approx(figure["value"])
        assert float(rows[layer]["low"]) == pytest.approx(figure["low"])
        assert float(rows[layer]["high"]) == pytest.approx(figure["high"])
    for layer in HEADLINE_LAYERS:
        assert rows[layer]["metric"] == figures[layer]["name"]


def test_evaluate_coarse_row_is_named_coarse_in_every_format(crf_scores: dict[str, Any]) -> None:
    """The table calls the coarse headline 'strict micro F1, coarse types'; JSON and CSV must
    not call the same figure 'fine types'."""
    assert "fine types" not in crf_scores["entities_coarse"]["name"]
    result = ok(propos("evaluate", "--pred", CRF, "--resamples", "5", "--format", "csv"))
    coarse = next(r for r in records(result.stdout, "csv") if r["layer"] == "entities (coarse)")
    assert "coarse" in coarse["metric"] and "fine types" not in coarse["metric"], coarse


def frame_rows(stdout: str, output: str, keys: list[str]) -> list[dict[str, str]]:
    if output != "table":
        rows = records(stdout, output)
        if output == "csv":
            assert stdout.splitlines()[0] == ",".join(keys)
        assert rows and all(list(row) == keys for row in rows)
        return rows
    header, *lines = stdout.splitlines()
    assert header.split() == keys
    rows = [dict(zip(keys, line.split(), strict=True)) for line in lines]
    assert rows
    return rows


@pytest.mark.parametrize("output", ["table", "json", "csv"])
def test_evaluate_by_type(output: str, crf_scores: dict[str, Any]) -> None:
    result = ok(propos("evaluate", "--pred", CRF, "--by", "type", "--format", output))
    rows = frame_rows(result.stdout, output, ROW_KEYS)
    entities = [row for row in rows if row["layer"] == "entities"]
    assert [row["group"] for row in entities] == ["PER", "ORG", "GPE", "LOC", "FAC", "MISC"]
    strict = crf_scores["entities"]["fine"]["micro"]["strict"]
    assert sum(int(row["correct"]) for row in entities) == strict["correct"]
    assert sum(int(row["gold"]) for row in entities) == strict["possible"]
    assert {row["group"] for row in rows if row["layer"] == "quotes"} == {
        "direct",
        "indirect",
        "mixed",
    }
    assert {row["layer"] for row in rows} == set(HEADLINE_LAYERS)


@pytest.mark.parametrize("output", ["table", "json", "csv"])
def test_evaluate_by_document(output: str, crf_scores: dict[str, Any]) -> None:
    result = ok(propos("evaluate", "--pred", CRF, "--by", "document", "--format", output))
    rows = frame_rows(result.stdout, output, ROW_KEYS)
    assert sorted({row["group"] for row in rows}) == TEST_DOCS
    assert len(rows) == 3 * len(TEST_DOCS)
    strict = crf_scores["entities"]["fine"]["micro"]["strict"]
    entities = [row for row in rows if row["layer"] == "entities"]
    assert sum(int(row["correct"]) for row in entities) == strict["correct"]
    assert sum(int(row["predicted"]) for row in entities) == strict["actual"]


def test_evaluate_errors_json_points_at_the_text(crf_errors: list[dict[str, Any]]) -> None:
    assert crf_errors and all(list(row) == ERROR_KEYS for row in crf_errors)
    assert {row["error"] for row in crf_errors} <= {
        "missed",
        "spurious",
        "wrong type",
        "wrong boundary",
    }
    assert {row["layer"] for row in crf_errors} <= set(HEADLINE_LAYERS)
    assert {row["doc_id"] for row in crf_errors} <= set(TEST_DOCS)
    texts = {doc_id: clean_text(doc_id) for doc_id in TEST_DOCS}
    for row in crf_errors:
        surface = texts[row["doc_id"]][row["start"] : row["end"]]
        shown_text = row["pred_text"] if row["error"] == "spurious" else row["gold_text"]
        assert shown_text == surface, row
        assert f"[{surface}]" in row["context"], row
    # Every gold event of the test split is missed: the CRF predicts entities only.
    missed_events = sum(1 for r in crf_errors if r["layer"] == "events" and r["error"] == "missed")
    assert missed_events == sum(len(gold(doc_id)["events"]) for doc_id in TEST_DOCS)


@pytest.mark.parametrize("output", ["table", "csv"])
def test_evaluate_errors_other_formats(output: str, crf_errors: list[dict[str, Any]]) -> None:
    result = ok(propos("evaluate", "--pred", CRF, "--errors", "--format", output))
    if output == "csv":
        rows = records(result.stdout, "csv")
        assert result.stdout.splitlines()[0] == ",".join(ERROR_KEYS)
        assert [(r["doc_id"], r["layer"], r["error"], int(r["start"])) for r in rows] == [
            (r["doc_id"], r["layer"], r["error"], r["start"]) for r in crf_errors
        ]
    else:
        header, *lines = result.stdout.splitlines()
        assert header.split() == ERROR_KEYS
        assert len(lines) == len(crf_errors)
        for line, row in zip(lines, crf_errors, strict=True):
            assert line.split()[:2] == [row["doc_id"], row["layer"]]
            assert f" {row['error']} " in line


def test_evaluate_against_a_built_dataset_gives_the_same_figures(
    built_dataset: Path, crf_scores: dict[str, Any]
) -> None:
    result = ok(propos("evaluate", "--pred", CRF, "--gold", built_dataset, "--resamples",
                       RESAMPLES, "--format", "json"))  # fmt: skip
    scores = json.loads(result.stdout)
    assert Path(scores.pop("gold")) == built_dataset
    expected = {key: value for key, value in crf_scores.items() if key != "gold"}
    assert scores["headline"] == expected["headline"]
    assert scores == expected


def test_evaluate_bad_input(tmp_path: Path, built_dataset: Path) -> None:
    truncated = tmp_path / "truncated.jsonl"
    truncated.write_text('{"doc_id": \n', encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    one_error(propos("evaluate", "--pred", tmp_path / "nope.jsonl"), "nope.jsonl", code=2)
    one_error(propos("evaluate", "--pred", truncated), "truncated.jsonl", "invalid JSON", code=1)
    one_error(propos("evaluate", "--pred", CRF, "--gold", empty), str(empty), code=2)
    one_error(propos("evaluate", "--pred", CRF, "--split", "bogus"), "bogus", code=2)
    one_error(propos("evaluate", "--pred", CRF, "--resamples", "0"), "--resamples", code=2)
    # A built dataset has no 'all' split to give: said in one line too.
    one_error(propos("evaluate", "--pred", CRF, "--gold", built_dataset, "--split", "nope"))


def test_evaluate_names_a_document_outside_the_split_as_such(tmp_path: Path) -> None:
    """A train document in a test submission: the message must say it is not in the split (as
    `propos validate --split test` does), not that the corpus has no such cleaned document."""
    submission = tmp_path / "extra.jsonl"
    extra = json.dumps(gold(GOLD_DOC), ensure_ascii=False)
    submission.write_text(CRF.read_text(encoding="utf-8") + extra + "\n", encoding="utf-8")
    line = one_error(propos("evaluate", "--pred", submission, "--resamples", "5"), GOLD_DOC)
    assert "no cleaned document" not in line
    assert "split" in line


CRF_CV = ROOT / "benchmark" / "submissions" / "crf" / "predictions.cv.jsonl"


@pytest.fixture(scope="module")
def crf_cv_scores() -> dict[str, Any]:
    """`propos evaluate` (not streamed) of the CRF's cross-validated predictions of every
    document: 69 documents, so the document is the resampling unit, as when streaming."""
    result = ok(propos("evaluate", "--pred", CRF_CV, "--split", "all", "--resamples", RESAMPLES,
                       "--format", "json"))  # fmt: skip
    scores = dict(json.loads(result.stdout))
    assert scores["bootstrap"]["unit"] == "document"
    return scores


@pytest.mark.parametrize("output", ["table", "json", "csv"])
def test_evaluate_stream_gives_the_full_headlines(
    output: str, crf_cv_scores: dict[str, Any]
) -> None:
    result = ok(propos("evaluate", "--pred", CRF_CV, "--split", "all", "--resamples", RESAMPLES,
                       "--stream", "--chunk", "16", "--format", output))  # fmt: skip
    full = {**crf_cv_scores["headline"], "entities (coarse)": crf_cv_scores["entities_coarse"]}
    assert 0.3 < full["entities"]["value"] < full["entities (coarse)"]["value"] < 1
    if output == "json":
        streamed = json.loads(result.stdout)
        assert streamed["headline"] == crf_cv_scores["headline"]
        assert streamed["entities_coarse"] == crf_cv_scores["entities_coarse"]
        assert streamed["documents"] == {"n_gold": len(SPLITS), "missing_predictions": []}
        assert streamed["coreference"] == "not computed when streaming"
        expected = {key: crf_cv_scores["bootstrap"][key] for key in ("unit", "n_units", "seed")}
        assert expected.items() <= streamed["bootstrap"].items()
    elif output == "csv":  # the very bytes of the full evaluation's headline table
        unstreamed = ok(propos("evaluate", "--pred", CRF_CV, "--split", "all", "--resamples",
                               RESAMPLES, "--format", "csv"))  # fmt: skip
        assert result.stdout == unstreamed.stdout
        rows = records(result.stdout, "csv")
        assert [row["layer"] for row in rows] == [*HEADLINE_LAYERS, "entities (coarse)"]
    else:
        lines = result.stdout.splitlines()
        assert lines[0] == (
            f"split all: {len(SPLITS)} documents, streamed; 95% intervals from {RESAMPLES}"
            f" bootstrap resamples over {len(SPLITS)} documents (seed 0)"
        )
        rows = {m["layer"]: m for m in map(TABLE_ROW.match, lines) if m}
        assert list(rows) == [*HEADLINE_LAYERS, "entities (coarse)"]
        for layer, figure in full.items():
            assert rows[layer]["f1"] == f"{figure['value']:.3f}"
            assert rows[layer]["low"] == f"{figure['low']:.3f}"
            assert rows[layer]["metric"] == figure["name"]
        assert "coreference: not computed when streaming" in lines
        assert not any("resamples paragraphs" in line for line in lines)


def test_evaluate_stream_on_two_workers_prints_the_same_bytes() -> None:
    """Two Dask worker processes started for the run, 6 tasks of 5 documents: the same output
    as in one process, and the note that below 30 documents the intervals to report are the
    unstreamed ones."""
    stream = ["evaluate", "--pred", CRF, "--stream", "--chunk", "5", "--resamples", RESAMPLES]
    one = ok(propos(*stream, "--format", "json"))
    two = ok(propos(*stream, "--workers", "2", "--format", "json"))
    assert two.stdout == one.stdout
    assert json.loads(one.stdout)["documents"]["n_gold"] == len(TEST_DOCS) < 30
    table = ok(propos(*stream, "--workers", "2")).stdout
    assert "without --stream resamples paragraphs instead" in table


def test_a_task_failing_on_a_worker_is_one_line(project: Path) -> None:
    """A gold file that cannot be read, met by a task on one of 2 Dask worker processes: the
    error names it, and the worker's own log of the failure (a traceback) is not printed."""
    gold_file = project / "annotations" / "gold" / f"{TEST_DOCS[0]}.json"
    gold_file.unlink()
    gold_file.mkdir()
    result = propos("evaluate", "--root", project, "--pred", CRF, "--stream", "--chunk", "5",
                    "--workers", "2")  # fmt: skip
    one_error(result, f"{gold_file}: is a directory", code=1)
    assert "Compute Failed" not in result.stderr


def test_evaluate_stream_bad_input(tmp_path: Path) -> None:
    stream = ["evaluate", "--pred", CRF, "--stream"]
    one_error(propos(*stream, "--by", "type"), "--by cannot be combined with --stream", code=2)
    one_error(propos(*stream, "--errors", "--gold", tmp_path), "--gold, --errors", code=2)
    one_error(propos(*stream, "--chunk", "0"), "--chunk must be at least 1", code=2)
    one_error(propos(*stream, "--workers", "0"), "--workers must be at least 1", code=2)
    one_error(propos(*stream, "--split", "bogus"), "bogus", code=2)
    one_error(propos("evaluate", "--pred", CRF, "--workers", "2"), "apply to --stream", code=2)
    # Cross-validated predictions of every document, scored on the test split: invalid.
    line = one_error(propos("evaluate", "--pred", CRF_CV, "--stream"), "invalid submission")
    assert "not in the requested split" in line
    truncated = tmp_path / "truncated.jsonl"
    truncated.write_text('{"doc_id": \n', encoding="utf-8")
    one_error(propos("evaluate", "--pred", truncated, "--stream"), "truncated.jsonl", code=1)


# ---------------------------------------------------------------- convert


def test_convert_to_brat_and_back(tmp_path: Path) -> None:
    out = tmp_path / "brat"
    result = ok(propos("convert", "to-brat", GOLD_FILE, "--out", out))
    assert "to-brat: 1 document(s)" in result.stderr
    text = (out / f"{GOLD_DOC}.txt").read_text(encoding="utf-8")
    assert text == clean_text(GOLD_DOC)
    assert (out / "annotation.conf").is_file() and (out / "visual.conf").is_file()
    document = gold(GOLD_DOC)
    entities = {e["id"]: e for e in document["entities"]}
    seen = 0
    for line in (out / f"{GOLD_DOC}.ann").read_text(encoding="utf-8").splitlines():
        ident, body, surface = [*line.split("\t"), "", ""][:3]
        if ident in entities:
            label, start, end = body.split(" ")
            assert (label, int(start), int(end)) == (
                entities[ident]["type"],
                entities[ident]["start"],
                entities[ident]["end"],
            )
            assert surface == text[int(start) : int(end)]
            seen += 1
    assert seen == len(entities)
    back = tmp_path / "back"
    ok(propos("convert", "from-brat", out, "--out", back))
    assert load_json(back / f"{GOLD_DOC}.json") == document


def test_convert_to_conll(tmp_path: Path) -> None:
    result = ok(propos("convert", "to-conll", GOLD_FILE))
    lines = result.stdout.splitlines()
    assert lines[0] == "-DOCSTART- O"
    tags = [line.rsplit(" ", 1)[1] for line in lines[1:] if line]
    assert {tag.split("-", 1)[-1] for tag in tags} <= {"O", "PER", "ORG", "GPE", "LOC", "FAC",
                                                       "MISC"}  # fmt: skip
    assert all(re.fullmatch(r"O|[BI]-[A-Z]+", tag) for tag in tags)
    assert sum(tag.startswith("B-") for tag in tags) == len(gold(GOLD_DOC)["entities"])
    coarse = tmp_path / "coarse.conll"
    ok(propos("convert", "to-conll", GOLD_FILE, "--coarse", "--out", coarse))
    coarse_tags = [ln.rsplit(" ", 1)[1] for ln in coarse.read_text(encoding="utf-8").splitlines()
                   if ln and not ln.startswith("-DOCSTART-")]  # fmt: skip
    assert len(coarse_tags) == len(tags)
    assert {tag.split("-", 1)[-1] for tag in coarse_tags} <= {"O", "PER", "ORG", "LOC", "MISC"}


def test_convert_to_labelstudio_and_back(tmp_path: Path) -> None:
    tasks_file, config = tmp_path / "tasks.json", tmp_path / "config.xml"
    ok(propos("convert", "to-labelstudio", GOLD_FILE, "--out", tasks_file, "--config", config))
    tasks = load_json(tasks_file)
    assert len(tasks) == 1
    task = tasks[0]
    text = task["data"]["text"]
    assert text == clean_text(GOLD_DOC) and task["data"]["doc_id"] == GOLD_DOC
    results = task["annotations"][0]["result"]
    labels = [r for r in results if r["type"] == "labels" and r["from_name"] == "entity"]
    assert len(labels) == len(gold(GOLD_DOC)["entities"])
    utf16 = text.encode("utf-16-le")
    for r in labels:  # offsets in UTF-16 code units
        value = r["value"]
        assert utf16[2 * value["start"] : 2 * value["end"]].decode("utf-16-le") == value["text"]
    root = ET.parse(config).getroot()
    entity_labels = [label.get("value") for labels_tag in root.iter("Labels")
                     if labels_tag.get("name") == "entity" for label in labels_tag]  # fmt: skip
    assert entity_labels == ["PER", "ORG", "GPE", "LOC", "FAC", "MISC"]
    back = tmp_path / "back"
    ok(propos("convert", "from-labelstudio", tasks_file, "--out", back))
    assert load_json(back / f"{GOLD_DOC}.json") == gold(GOLD_DOC)


@pytest.mark.parametrize("command", ["to-brat", "to-labelstudio", "to-conll", "from-labelstudio"])
def test_convert_bad_input(command: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("not json\n", encoding="utf-8")
    out = ["--out", tmp_path / ("out.json" if command == "to-labelstudio" else "out")]
    one_error(propos("convert", command, bad, *out), "bad.json", "invalid JSON", code=1)


# ---------------------------------------------------------------- leaderboard


def test_leaderboard_on_a_copy(project: Path, tmp_path: Path, crf_scores: dict[str, Any]) -> None:
    submissions = tmp_path / "submissions"
    shutil.copytree(ROOT / "benchmark" / "submissions", submissions)
    broken = submissions / "broken"
    broken.mkdir()
    (broken / "predictions.jsonl").write_text('{"doc_id": "nope"}\n', encoding="utf-8")
    shutil.copy(submissions / "crf" / "meta.json", broken / "meta.json")
    out = tmp_path / "out"
    result = ok(propos("leaderboard", "--root", project, "--submissions", submissions, "--out",
                       out, "--resamples", RESAMPLES))  # fmt: skip
    assert "1 rejected" in result.stderr and "rejected broken: " in result.stderr
    board = load_json(out / "leaderboard.json")
    assert set(board["tasks"]) == {"ner", "ner-coarse", "quotes", "events"}
    assert [r["system"] for r in board["rejected"]] == ["broken"]
    ner = {row["system"]: row for row in board["tasks"]["ner"]}
    assert ner["crf"]["value"] == pytest.approx(crf_scores["headline"]["entities"]["value"])
    assert [row["rank"] for row in board["tasks"]["ner"]] == list(range(1, len(ner) + 1))
    markdown = (out / "LEADERBOARD.md").read_text(encoding="utf-8")
    for heading in ("# Leaderboard", "## Named entities (fine types)", "## Quotations",
                    "## Events"):  # fmt: skip
        assert heading in markdown
    assert f"| crf | {crf_scores['headline']['entities']['value']:.3f} |" in markdown
    assert "broken" in markdown


def test_leaderboard_bad_input(tmp_path: Path) -> None:
    """A submissions folder that does not exist is an error, not an empty leaderboard."""
    out = tmp_path / "out"
    one_error(propos("leaderboard", "--submissions", tmp_path / "nope", "--out", out), "nope")
    assert not (out / "LEADERBOARD.md").exists()


# ---------------------------------------------------------------- view


def test_view_writes_the_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = ok(propos("view", "--out", out))
    assert f"({len(ALL_DOC_IDS)} documents" in result.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.lstrip().lower().startswith("<!doctype html")
    for doc_id in ALL_DOC_IDS:
        page = (out / "doc" / f"{doc_id}.html").read_text(encoding="utf-8")
        assert "<script" not in page.lower(), doc_id
        assert doc_id in index, doc_id
    page = (out / "doc" / f"{GOLD_DOC}.html").read_text(encoding="utf-8")
    assert "Vladimir Poutine" in page


def test_view_with_a_submission(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = ok(propos("view", "--out", out, "--pred", CRF))
    assert "submission predictions.jsonl" in result.stderr
    page = (out / "doc" / f"{TEST_DOCS[0]}.html").read_text(encoding="utf-8").lower()
    assert "missed" in page and "spurious" in page


def test_view_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc_id": \n', encoding="utf-8")
    one_error(propos("view", "--out", tmp_path / "site", "--pred", bad), "bad.jsonl")
    assert not (tmp_path / "site").exists()


# ---------------------------------------------------------------- baseline


def test_baseline_list() -> None:
    result = ok(propos("baseline", "--list"))
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows and all(len(row) == 3 for row in rows)
    names = [row[0] for row in rows]
    assert "crf" in names and "spacy-fr-md" in names
    assert {row[1] for row in rows} == {"ner", "quotes", "events"}
    for name in names:  # every baseline has its committed submission
        assert (ROOT / "benchmark" / "submissions" / name / "predictions.jsonl").is_file(), name


def test_baseline_bad_input() -> None:
    one_error(propos("baseline", "no-such-baseline"), "no-such-baseline", code=2)


def _table_rows(stdout: str) -> dict[str, str]:
    return {line.split("|")[1].strip(): line for line in stdout.splitlines() if "| `" in line}


def test_baseline_table_reports_the_committed_submissions(project: Path) -> None:
    """The report scores the submissions the leaderboard ranks; a baseline without one is run."""
    shutil.copytree(ROOT / "benchmark" / "submissions", project / "benchmark" / "submissions")
    committed = _table_rows(ok(propos("baseline", "--table", "ner-test")).stdout)
    gazetteer = project / "benchmark" / "submissions" / "gazetteer" / "predictions.jsonl"
    emptied = [
        {**json.loads(line), "entities": []} for line in gazetteer.read_text("utf-8").splitlines()
    ]
    gazetteer.write_text("".join(json.dumps(d) + "\n" for d in emptied), encoding="utf-8")
    changed = _table_rows(ok(propos("baseline", "--table", "ner-test", "--root", project)).stdout)
    assert changed.keys() == committed.keys()
    assert "**0.0**" in changed["`gazetteer`"]
    assert {k: v for k, v in changed.items() if k != "`gazetteer`"} == {
        k: v for k, v in committed.items() if k != "`gazetteer`"
    }
    gazetteer.unlink()  # run afresh: the same figures as the committed submission's
    rerun = _table_rows(ok(propos("baseline", "--table", "ner-test", "--root", project)).stdout)
    assert rerun == committed
    gazetteer.write_text('[]\n{"doc_id": 7}\n', encoding="utf-8")  # lines that are no documents
    rerun = _table_rows(ok(propos("baseline", "--table", "ner-test", "--root", project)).stdout)
    assert rerun == committed
    gazetteer.write_text("{not json\n", encoding="utf-8")
    one_error(propos("baseline", "--table", "ner-test", "--root", project), "not JSON Lines")


# ---------------------------------------------------------------- import, ood


@pytest.mark.skipif(not WIKINEWS_STORIES.is_file(), reason=f"no {WIKINEWS_STORIES}")
def test_import_wikinews_on_a_copy_then_clean(project: Path) -> None:
    manifest = project / "corpus" / "collections" / "wikinews.json"
    manifest.unlink()
    wikinews_docs = sorted((project / "corpus" / "clean").glob("wn-*.json"))
    assert wikinews_docs
    for path in wikinews_docs:
        path.unlink()
    stories = project.parent / "shared" / "wikinews" / "stories.json"
    result = ok(propos("import", "wikinews", stories, "--root", project))
    assert f"import wikinews: {len(wikinews_docs)} articles in" in result.stderr
    assert load_json(manifest) == load_json(ROOT / "corpus" / "collections" / "wikinews.json")
    cleaned = ok(propos("clean", "--root", project))
    assert f"clean: {len(wikinews_docs)} written" in cleaned.stderr
    for path in wikinews_docs:
        assert path.read_bytes() == (ROOT / "corpus" / "clean" / path.name).read_bytes()
    ok(propos("validate", "annotations/gold", cwd=project))


def test_import_wikinews_bad_input(project: Path, tmp_path: Path) -> None:
    bad = tmp_path / "stories.json"
    bad.write_text("not json\n", encoding="utf-8")
    one_error(propos("import", "wikinews", bad, "--root", project), "stories.json", code=1)
    one_error(propos("import", "wikinews", tmp_path / "nope.json", "--root", project), "nope")


@pytest.mark.skipif(not WINER.is_dir(), reason=f"no external corpus at {WINER}")
def test_import_brat_a_few_winer_articles(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for ann in sorted(WINER.rglob("*.ann"))[:5]:
        shutil.copy(ann, source)
        shutil.copy(ann.with_suffix(".txt"), source)
    out = tmp_path / "out"
    result = ok(propos("import", "brat", source, "--out", out))
    assert "import: 5 documents" in result.stderr
    assert len(list((out / "annotations" / "gold").glob("*.json"))) == 5
    assert load_json(out / "import-report.json")["documents"] == 5
    ok(propos("validate", "--root", out, out / "annotations"))


def test_import_brat_and_ood_bad_input(tmp_path: Path) -> None:
    one_error(propos("import", "brat", tmp_path / "nope", "--out", tmp_path / "o"), "nope")
    one_error(propos("ood", "--external", tmp_path / "nope"), "nope", code=2)


# ---------------------------------------------------------------- what every written file shares


def test_written_files_honour_the_umask(built_dataset: Path, tmp_path: Path) -> None:
    """What propos writes is readable as the umask allows, like any file a program creates (the
    atomic writes must not leave their temporary file's 0600 mode behind)."""
    umask = os.umask(0)
    os.umask(umask)
    out = tmp_path / "brat"
    ok(propos("convert", "to-brat", GOLD_FILE, "--out", out))
    written = [
        built_dataset,
        built_dataset / "README.md",
        built_dataset / "croissant.json",
        built_dataset / "DATASHEET.md",
        built_dataset / "data" / "ner" / "test-00000.parquet",
        out / f"{GOLD_DOC}.ann",
        out / "annotation.conf",
    ]
    modes = {}
    for path in written:
        expected = (0o777 if path.is_dir() else 0o666) & ~umask
        modes[str(path)] = (oct(stat.S_IMODE(path.stat().st_mode)), oct(expected))
    assert all(mode == expected for mode, expected in modes.values()), modes
