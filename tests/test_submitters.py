"""The people who submit: helpful messages for common mistakes, submissions scored rather than
censored, bridges for token-level systems, and `evaluate` modules that behave like the command
line. Everything runs on the landed gold and the committed baseline submissions; commands run
through the real `propos` console script on this checkout's code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from propos.build import corpus_inputs, document_rows, encode_labels, ner_rows, read_document
from propos.corpus import Corpus
from propos.tokenize import Token, bio_tags

from .conftest import ROOT, load_json, ok, shown

SUBMISSIONS = ROOT / "benchmark" / "submissions"
CRF = SUBMISSIONS / "crf" / "predictions.jsonl"
SPLITS = load_json(ROOT / "annotations" / "splits.json")["assignments"]
TEST_DOCS = sorted(d for d, split in SPLITS.items() if split == "test")
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200", "NO_COLOR": "1"}
RESAMPLES = "20"
LONGEST_LINE = 400  # no message dumps the input


def propos(*args: Any) -> subprocess.CompletedProcess[str]:
    """The console script, importing this checkout's code (not whatever the venv points at)."""
    command = [str(Path(sys.executable).parent / "propos"), *(str(a) for a in args)]
    return subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True,
                          timeout=600, check=False)  # fmt: skip


def refused(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """A refusal: non-zero exit, no traceback, at most two short lines naming what was wrong."""
    assert result.returncode != 0, shown(result)
    output = (result.stdout + result.stderr).strip()
    assert "Traceback" not in output, shown(result)
    lines = [line for line in output.splitlines() if not line.startswith("validate: ")]
    assert 1 <= len(lines) <= 2, shown(result)
    assert all(len(line) < LONGEST_LINE for line in lines), shown(result)
    for fragment in fragments:
        assert fragment in output, shown(result)
    return output


def crf_lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CRF.read_text(encoding="utf-8").splitlines()]


def write_lines(path: Path, documents: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents), "utf-8")
    return path


def scores(path: Path) -> dict[str, Any]:
    result = ok(propos("evaluate", "--pred", path, "--resamples", RESAMPLES, "--format", "json"))
    return dict(json.loads(result.stdout))


@pytest.fixture(scope="module")
def crf_scores() -> dict[str, Any]:
    return scores(CRF)


@pytest.fixture(scope="module")
def crf_conll(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`propos convert to-conll` of the CRF submission."""
    conll = tmp_path_factory.mktemp("conll") / "crf.conll"
    ok(propos("convert", "to-conll", CRF, "--out", conll))
    return conll


def same_entities(submission: Path, coarse: bool = False) -> None:
    """The submission's entities are the CRF's, document by document (coarse types: GPE and
    FAC as LOC)."""
    mapping = {"GPE": "LOC", "FAC": "LOC"} if coarse else {}
    original = {d["doc_id"]: d for d in crf_lines()}
    converted = [json.loads(line) for line in submission.read_text("utf-8").splitlines()]
    assert sorted(d["doc_id"] for d in converted) == TEST_DOCS
    for document in converted:
        spans = {(e["start"], e["end"], e["type"]) for e in document["entities"]}
        expected = {(e["start"], e["end"], mapping.get(e["type"], e["type"]))
                    for e in original[document["doc_id"]]["entities"]}  # fmt: skip
        assert spans == expected, document["doc_id"]


# ---------------------------------------------------------------- common mistakes


def test_a_json_array_saved_as_jsonl_is_named_in_one_short_line(tmp_path: Path) -> None:
    array = tmp_path / "array.jsonl"
    array.write_text(json.dumps(crf_lines(), ensure_ascii=False), encoding="utf-8")
    refused(propos("validate", array, "--split", "test"), "array.jsonl", "JSON array",
            "one document per line")  # fmt: skip
    refused(propos("evaluate", "--pred", array), "array.jsonl", "JSON array")


def test_pretty_printed_json_lines_are_one_problem_with_the_fix(tmp_path: Path) -> None:
    pretty = tmp_path / "pretty.jsonl"
    pretty.write_text("".join(json.dumps(d, indent=2) + "\n" for d in crf_lines()), "utf-8")
    output = refused(propos("validate", pretty, "--split", "test"), "pretty.jsonl",
                     "several lines", "one document per line")  # fmt: skip
    assert "1 problem(s)" in output
    refused(propos("evaluate", "--pred", pretty), "pretty.jsonl", "several lines")


def test_a_submission_saved_as_json_is_named_as_such(tmp_path: Path) -> None:
    several = tmp_path / "predictions.json"
    several.write_text(CRF.read_text(encoding="utf-8"), encoding="utf-8")
    refused(propos("validate", several), "predictions.json", f"found {len(TEST_DOCS)} JSON"
            " documents, one a line", ".jsonl")  # fmt: skip
    one = tmp_path / "one.json"
    one.write_text(CRF.read_text(encoding="utf-8").splitlines()[0], encoding="utf-8")
    refused(propos("validate", one), "one.json", "no inventory.json", ".jsonl")


def test_schema_messages_quote_an_excerpt_only(tmp_path: Path) -> None:
    documents = crf_lines()
    documents[0]["entities"] = "x" * 20_000  # a field of the wrong type, as big as a file
    documents[1]["entities"][0]["type"] = "PERSON " * 3_000
    path = write_lines(tmp_path / "wrong.jsonl", documents)
    result = propos("validate", path, "--split", "test")
    assert result.returncode == 1, shown(result)
    problems = result.stdout.strip().splitlines()
    assert len(problems) == 2 and all(len(p) < LONGEST_LINE for p in problems), shown(result)
    assert "wrong.jsonl:1:$.entities: schema:" in problems[0]
    assert "wrong.jsonl:2:$.entities[0].type: schema:" in problems[1]


def test_the_leaderboard_lists_a_refused_submission_in_one_short_line(tmp_path: Path) -> None:
    submissions = tmp_path / "submissions"
    for system in ("crf", "array"):
        (submissions / system).mkdir(parents=True)
        meta = load_json(SUBMISSIONS / "crf" / "meta.json") | {"name": system}
        (submissions / system / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    (submissions / "crf" / "predictions.jsonl").write_bytes(CRF.read_bytes())
    array = json.dumps(crf_lines(), ensure_ascii=False)
    (submissions / "array" / "predictions.jsonl").write_text(array, encoding="utf-8")
    out = tmp_path / "out"
    ok(propos("leaderboard", "--submissions", submissions, "--out", out, "--resamples", "5"))
    [rejected] = load_json(out / "leaderboard.json")["rejected"]
    assert rejected["system"] == "array" and "JSON array" in rejected["reason"]
    assert len(rejected["reason"]) < LONGEST_LINE
    markdown = (out / "LEADERBOARD.md").read_text(encoding="utf-8")
    assert "JSON array" in markdown and "text_sha256" not in markdown


# ---------------------------------------------------------------- scored, not censored


def first_correct_entity_before(char: str) -> tuple[int, int]:
    """(line, entity index) of a correct CRF prediction that the text follows with ``char``."""
    documents = crf_lines()
    for line, document in enumerate(documents):
        text = load_json(ROOT / "corpus" / "clean" / f"{document['doc_id']}.json")["text"]
        gold = load_json(ROOT / "annotations" / "gold" / f"{document['doc_id']}.json")
        spans = {(e["start"], e["end"], e["type"]) for e in gold["entities"]}
        for index, entity in enumerate(document["entities"]):
            correct = (entity["start"], entity["end"], entity["type"]) in spans
            if correct and text[entity["end"] : entity["end"] + 1] == char:
                return line, index
    raise AssertionError(f"no correct CRF entity followed by {char!r}")


def test_a_span_breaking_a_convention_is_a_wrong_prediction(
    tmp_path: Path, crf_scores: dict[str, Any]
) -> None:
    """Final punctuation and an overlapping mention: validated, scored, counted as wrong."""
    documents = crf_lines()
    line, index = first_correct_entity_before(",")
    entity = documents[line]["entities"][index]
    entity["end"] += 1
    entity["text"] += ","
    overlapping = {**documents[line]["entities"][0], "id": "T999"}
    overlapping["end"] -= 1
    overlapping["text"] = overlapping["text"][:-1]
    documents[line]["entities"].append(overlapping)
    path = write_lines(tmp_path / "conventions.jsonl", documents)
    checked = ok(propos("validate", path, "--split", "test"))
    assert "clean" in checked.stderr, shown(checked)
    before = crf_scores["entities"]["fine"]["micro"]["strict"]
    after = scores(path)["entities"]["fine"]["micro"]["strict"]
    assert after["correct"] == before["correct"] - 1
    assert after["actual"] == before["actual"] + 1
    assert after["f1"] < before["f1"]


def unknown_document(documents: list[dict[str, Any]]) -> str:
    documents[0]["doc_id"] = "999_nowhere"
    return "'999_nowhere'"


def duplicated_document(documents: list[dict[str, Any]]) -> str:
    documents.append(dict(documents[0]))
    return "appears more than once"


def offsets_outside(documents: list[dict[str, Any]]) -> str:
    documents[0]["entities"][0].update(start=10**6, end=10**6 + 6)
    return "outside the text"


def different_text(documents: list[dict[str, Any]]) -> str:
    documents[0]["entities"][0]["text"] = "Allemagne"
    return "differs from the document's"


def unknown_label(documents: list[dict[str, Any]]) -> str:
    documents[0]["entities"][0]["type"] = "PERSON"
    return "PERSON"


@pytest.mark.parametrize(
    "mutate", [unknown_document, duplicated_document, offsets_outside, different_text,
               unknown_label],
)  # fmt: skip
def test_a_submission_is_refused_only_when_unscorable(tmp_path: Path, mutate: Any) -> None:
    documents = crf_lines()
    expected = mutate(documents)
    path = write_lines(tmp_path / "broken.jsonl", documents)
    refused(propos("evaluate", "--pred", path, "--resamples", "5"), "broken.jsonl", expected)


# ---------------------------------------------------------------- bridges


def test_from_conll_round_trips_a_baseline_through_to_conll(
    tmp_path: Path, crf_conll: Path
) -> None:
    back = tmp_path / "back.jsonl"
    result = ok(propos("convert", "from-conll", crf_conll, "--out", back))
    assert f"{len(TEST_DOCS)} document(s), split test" in result.stderr
    same_entities(back)  # hence the same scores: `propos evaluate` reads only the entities


def test_from_conll_reads_iob1_coarse_columns_in_any_document_order(
    tmp_path: Path, crf_conll: Path
) -> None:
    """A CoNLL-2003 style file: four columns, IOB1 tags, coarse types, documents reordered."""
    blocks = crf_conll.read_text(encoding="utf-8").split("-DOCSTART- O\n")[1:]
    coarse = {"B-GPE": "B-LOC", "I-GPE": "I-LOC", "B-FAC": "B-LOC", "I-FAC": "I-LOC"}
    rewritten = []
    for block in reversed(blocks):
        lines, previous = [], "O"
        for line in block.splitlines():
            if not line:
                lines.append("")
                continue
            token, tag = line.rsplit(" ", 1)
            tag = coarse.get(tag, tag)
            if tag.startswith("B-") and previous[2:] != tag[2:]:
                tag = "I-" + tag[2:]  # IOB1: B- only between two chunks of one type
            lines.append(f"{token} X X {tag}")
            previous = tag
        rewritten.append("-DOCSTART- -X- -X- O\n" + "\n".join(lines) + "\n")
    iob1 = tmp_path / "iob1.conll"
    iob1.write_text("".join(rewritten), encoding="utf-8")
    back = tmp_path / "back.jsonl"
    ok(propos("convert", "from-conll", iob1, "--out", back))
    same_entities(back, coarse=True)


def test_from_conll_reads_predicted_tags_on_the_ner_configuration(tmp_path: Path) -> None:
    """A token classifier's output: the `ner` rows of the test split with predicted ner_tags
    (class ids, as `datasets` gives them); here the CRF's entities laid on those tokens."""
    from propos.build import FINE_TAGS

    corpus = Corpus.at(ROOT)
    inputs = corpus_inputs(corpus)
    predicted = {d["doc_id"]: d for d in crf_lines()}
    rows = []
    for doc_id in TEST_DOCS:
        for row in ner_rows(read_document(doc_id, inputs), inputs):
            offsets = zip(row["token_starts"], row["token_ends"], row["tokens"], strict=True)
            tokens = [Token(start, end, token) for start, end, token in offsets]
            spans = [(e["start"], e["end"], e["type"]) for e in predicted[doc_id]["entities"]
                     if row["token_starts"][0] <= e["start"] < row["token_ends"][-1]]  # fmt: skip
            tags = [FINE_TAGS.index(tag) for tag in bio_tags(tokens, spans)]
            rows.append({**row, "ner_tags": tags, "coarse_tags": None})
    path = write_lines(tmp_path / "ner-predictions.jsonl", rows[::-1])
    back = tmp_path / "back.jsonl"
    ok(propos("convert", "from-conll", path, "--out", back))
    same_entities(back)


def test_from_conll_reads_the_texts_of_a_released_dataset(tmp_path: Path, crf_conll: Path) -> None:
    """Without the repository: `--gold` names the dataset folder the texts come from (here one
    holding the test split of the `documents` configuration, as `propos build` writes it)."""
    import datasets

    from propos.build import features
    from propos.dataset_reader import data_file

    folder = tmp_path / "propos"
    rows = [json.loads(row) for row in documents_config_rows()]
    table = datasets.Dataset.from_list(rows, features=features("documents"))
    (folder / data_file("documents", "test")).parent.mkdir(parents=True)
    table.to_parquet(str(folder / data_file("documents", "test")))
    back = tmp_path / "back.jsonl"
    ok(propos("convert", "from-conll", crf_conll, "--gold", folder, "--out", back))
    same_entities(back)


def test_from_conll_bad_input_is_one_line(tmp_path: Path, crf_conll: Path) -> None:
    stranger = tmp_path / "stranger.conll"
    stranger.write_text("-DOCSTART- O\n\nBonjour O\nle O\nmonde O\n", encoding="utf-8")
    refused(propos("convert", "from-conll", stranger, "--out", tmp_path / "x.jsonl"),
            "stranger.conll:1", "not a document of the split")  # fmt: skip
    conll = tmp_path / "crf.conll"
    conll.write_text(crf_conll.read_text("utf-8").replace("B-GPE", "B-COUNTRY", 1), "utf-8")
    refused(propos("convert", "from-conll", conll, "--out", tmp_path / "x.jsonl"),
            "crf.conll:", "'B-COUNTRY'")  # fmt: skip
    assert not (tmp_path / "x.jsonl").exists()


def test_to_brat_and_to_labelstudio_show_a_submission(tmp_path: Path) -> None:
    """The rules baseline has quotations without cluster ids, realis-free events included."""
    for system in ("crf", "rules", "lexicon"):
        submission = SUBMISSIONS / system / "predictions.jsonl"
        documents = [json.loads(line) for line in submission.read_text("utf-8").splitlines()]
        brat = tmp_path / system / "brat"
        ok(propos("convert", "to-brat", submission, "--out", brat))
        for document in documents:
            ann = (brat / f"{document['doc_id']}.ann").read_text(encoding="utf-8")
            assert "None" not in ann
            textbounds = [line for line in ann.splitlines() if line.startswith("T")]
            spans = sum(1 + (q.get("cue") is not None) + (q.get("speaker") is not None)
                        for q in document["quotes"])  # fmt: skip
            assert len(textbounds) == len(document["entities"]) + spans + len(document["events"])
        tasks_file = tmp_path / system / "tasks.json"
        ok(propos("convert", "to-labelstudio", submission, "--out", tasks_file))
        tasks = load_json(tasks_file)
        assert sorted(t["data"]["doc_id"] for t in tasks) == TEST_DOCS
        assert "None" not in json.dumps(tasks) and "null" not in json.dumps(tasks)


def conll_tags(path: Path) -> list[list[str]]:
    """The tag sequences of a CoNLL file, one per paragraph."""
    sequences: list[list[str]] = [[]]
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("-DOCSTART-"):
            if sequences[-1]:
                sequences.append([])
            continue
        sequences[-1].append(line.rsplit(" ", 1)[1])
    return [s for s in sequences if s]


def test_seqeval_on_to_conll_agrees_with_propos_evaluate(
    tmp_path: Path, crf_conll: Path, crf_scores: dict[str, Any]
) -> None:
    """A token-based system: every predicted mention sits on token boundaries, so seqeval's
    strict IOB2 F1 on the CoNLL exports equals the SemEval strict figure of `propos evaluate`.
    (The same holds for the spacy-fr-md and gazetteer baselines.)"""
    from seqeval.metrics import f1_score
    from seqeval.scheme import IOB2

    gold_files = [ROOT / "annotations" / "gold" / f"{d}.json" for d in TEST_DOCS]
    ok(propos("convert", "to-conll", *gold_files, "--out", tmp_path / "gold.conll"))
    gold, pred = conll_tags(tmp_path / "gold.conll"), conll_tags(crf_conll)
    assert [len(s) for s in gold] == [len(s) for s in pred]
    seqeval_f1 = f1_score(gold, pred, mode="strict", scheme=IOB2)
    assert seqeval_f1 == pytest.approx(crf_scores["headline"]["entities"]["value"], abs=1e-12)


# ---------------------------------------------------------------- the evaluate modules


@pytest.fixture(scope="module")
def ner_metric() -> Any:
    evaluate = pytest.importorskip("evaluate")
    return evaluate.load(str(ROOT / "benchmark" / "metrics" / "propos_ner"))


def documents_config_rows() -> list[str]:
    """Rows of the `documents` configuration of the test split as `datasets` gives them (class
    labels as integers), as JSON strings."""
    inputs = corpus_inputs(Corpus.at(ROOT))
    rows = [
        encode_labels("documents", row)
        for doc_id in TEST_DOCS
        for row in document_rows(read_document(doc_id, inputs), inputs)
    ]
    assert isinstance(rows[0]["entities"][0]["type"], int)
    return [json.dumps(row, ensure_ascii=False) for row in rows]


def test_the_evaluate_module_scores_as_the_command_line(
    ner_metric: Any, crf_scores: dict[str, Any]
) -> None:
    predictions = CRF.read_text(encoding="utf-8").splitlines()
    references = documents_config_rows()
    shuffled = predictions[1::2] + predictions[::2]  # any order: pairs by doc_id
    result = ner_metric.compute(predictions=shuffled, references=references,
                                resamples=int(RESAMPLES))  # fmt: skip
    headline = crf_scores["headline"]["entities"]
    assert result["strict_f1"] == headline["value"]
    assert (result["low"], result["high"]) == (headline["low"], headline["high"])
    assert result["bootstrap_unit"] == crf_scores["bootstrap"]["unit"] == "paragraph"
    assert result["bootstrap_warning"] is None


def test_the_evaluate_module_refuses_what_the_command_line_refuses(ner_metric: Any) -> None:
    predictions = CRF.read_text(encoding="utf-8").splitlines()
    references = documents_config_rows()
    stranger = json.dumps({**json.loads(predictions[0]), "doc_id": "999_nowhere"})
    with pytest.raises(ValueError, match="'999_nowhere', which is not a reference document"):
        ner_metric.compute(predictions=[stranger, *predictions[1:]], references=references)
    with pytest.raises(ValueError, match="given twice"):
        ner_metric.compute(predictions=[predictions[1], *predictions[1:]], references=references)


def test_the_evaluate_module_says_when_it_cannot_resample_paragraphs(ner_metric: Any) -> None:
    predictions = CRF.read_text(encoding="utf-8").splitlines()[:2]
    gold = [(ROOT / "annotations" / "gold" / f"{json.loads(p)['doc_id']}.json").read_text("utf-8")
            for p in predictions]  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = ner_metric.compute(predictions=predictions, references=gold, resamples=10)
    said = [str(w.message) for w in caught if w.category.__name__ == "ResamplingUnitWarning"]
    assert len(said) == 1 and "2 documents < 30 and no paragraphs" in said[0]
    assert result["bootstrap_unit"] == "document" and result["bootstrap_warning"] == said[0]


def test_to_commands_name_the_line_of_a_bad_submission(tmp_path: Path) -> None:
    documents = crf_lines()
    documents[2]["doc_id"] = "999_nowhere"
    unknown = write_lines(tmp_path / "unknown.jsonl", documents)
    refused(propos("convert", "to-brat", unknown, "--out", tmp_path / "brat"),
            "unknown.jsonl:3", "'999_nowhere'")  # fmt: skip
    array = tmp_path / "array.jsonl"
    array.write_text(json.dumps(crf_lines(), ensure_ascii=False), encoding="utf-8")
    refused(propos("convert", "to-conll", array, "--out", tmp_path / "out.conll"),
            "array.jsonl", "JSON array")  # fmt: skip
    assert not (tmp_path / "brat").exists() and not (tmp_path / "out.conll").exists()
