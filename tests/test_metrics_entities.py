"""Entity metrics: randomised agreement with seqeval and nervaluate, and hand-computed cases."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nervaluate import Evaluator
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from propos.corpus import Corpus
from propos.metrics import entity_scores
from propos.metrics.entities import Mentions, evaluate_mentions
from propos.schema import COARSE_TYPE, ENTITY_TYPES
from propos.tokenize import Token, bio_tags, tokenize

CORPUS = Corpus.at(Path(__file__).resolve().parents[1])

NERVALUATE_NAME = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}
COUNT_NAMES = ("correct", "incorrect", "partial", "missed", "spurious")
WINDOW = 120  # tokens of real text per generated document


@cache
def corpus_tokens() -> tuple[tuple[Token, ...], ...]:
    files = sorted(CORPUS.clean_dir.glob("*.json"))
    assert files, "no cleaned documents"
    return tuple(tuple(tokenize(json.loads(f.read_text("utf-8"))["text"])) for f in files)


@pytest.fixture(scope="module", autouse=True)
def _load_corpus() -> None:
    corpus_tokens()  # load spaCy outside hypothesis (it uses `random` when it starts)


# --- strategies ------------------------------------------------------------------------------

token_span = st.tuples(st.integers(0, WINDOW - 1), st.integers(1, 4), st.sampled_from(ENTITY_TYPES))


def flat(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Keep a non-overlapping subset of token spans (i, j, type), sorted."""
    out: list[tuple[int, int, str]] = []
    last = -1
    for i, j, t in sorted(set(spans)):
        if i >= last:
            out.append((i, j, t))
            last = j
    return out


@st.composite
def documents(draw: st.DrawFn) -> tuple[list[Token], list, list]:
    """A window of real tokens, gold token spans, and predictions derived from them (kept,
    retyped, resized, dropped) plus random extra spans; both sides flat."""
    texts = corpus_tokens()
    tokens = texts[draw(st.integers(0, len(texts) - 1))]
    offset = draw(st.integers(0, max(0, len(tokens) - WINDOW)))
    window = list(tokens[offset : offset + WINDOW])
    n = len(window)

    def clip(i: int, length: int, t: str) -> tuple[int, int, str]:
        i = min(i, n - 1)
        return (i, min(n, i + max(1, length)), t)

    gold = flat([clip(*s) for s in draw(st.lists(token_span, max_size=12))])
    pred = []
    for i, j, t in gold:
        action = draw(st.sampled_from(["keep", "keep", "type", "left", "right", "drop"]))
        if action == "keep":
            pred.append((i, j, t))
        elif action == "type":
            pred.append((i, j, draw(st.sampled_from(ENTITY_TYPES))))
        elif action == "left":
            pred.append(clip(max(0, i + draw(st.integers(-2, 2))), j - i, t))
        elif action == "right":
            pred.append(clip(i, j - i + draw(st.integers(-2, 2)), t))
    pred += [clip(*s) for s in draw(st.lists(token_span, max_size=4))]
    pred = flat(pred)

    def chars(spans: list) -> list[tuple[int, int, str]]:
        return [(window[i].start, window[j - 1].end, t) for i, j, t in spans]

    return window, chars(gold), chars(pred)


corpora = st.lists(documents(), min_size=1, max_size=3)
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def report(gold: list, pred: list) -> dict:
    return evaluate_mentions(Mentions.from_spans(gold), Mentions.from_spans(pred), len(gold)).report


# --- agreement with seqeval ------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # seqeval's averages of empty reports
@SETTINGS
@given(corpora)
def test_strict_equals_seqeval(corpus: list) -> None:
    gold = [g for _, g, _ in corpus]
    pred = [p for _, _, p in corpus]
    y_true = [bio_tags(tokens, g) for tokens, g, _ in corpus]
    y_pred = [bio_tags(tokens, p) for tokens, _, p in corpus]
    expected = classification_report(
        y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0
    )
    ours = report(gold, pred)["fine"]
    micro = ours["micro"]["strict"]
    assert micro["precision"] == pytest.approx(expected["micro avg"]["precision"], abs=1e-12)
    assert micro["recall"] == pytest.approx(expected["micro avg"]["recall"], abs=1e-12)
    assert micro["f1"] == pytest.approx(expected["micro avg"]["f1-score"], abs=1e-12)
    for label in ENTITY_TYPES:
        row = ours["per_type"][label]["strict"]
        if label in expected:
            assert row["precision"] == pytest.approx(expected[label]["precision"], abs=1e-12)
            assert row["recall"] == pytest.approx(expected[label]["recall"], abs=1e-12)
            assert row["f1"] == pytest.approx(expected[label]["f1-score"], abs=1e-12)
            assert row["possible"] == expected[label]["support"]
        else:
            assert row["possible"] == row["actual"] == 0


# --- agreement with nervaluate ---------------------------------------------------------------


def nervaluate(gold: list, pred: list, coarse: bool = False) -> dict:
    def load(docs: list) -> list:
        return [
            [
                {"label": COARSE_TYPE[t] if coarse else t, "start": s, "end": e - 1}
                for s, e, t in sorted(doc, key=lambda x: (x[0], x[1], x[2]))
            ]
            for doc in docs
        ]

    tags = sorted(set(COARSE_TYPE.values())) if coarse else list(ENTITY_TYPES)
    return Evaluator(load(gold), load(pred), tags=tags, loader="dict").evaluate()


def assert_same(ours: dict, theirs: object) -> None:
    for name in COUNT_NAMES:
        assert ours[name] == getattr(theirs, name), name
    assert ours["possible"] == theirs.possible
    assert ours["actual"] == theirs.actual
    for name in ("precision", "recall", "f1"):
        assert ours[name] == pytest.approx(getattr(theirs, name), abs=1e-12), name


@SETTINGS
@given(corpora, st.booleans())
def test_four_schemes_equal_nervaluate(corpus: list, coarse: bool) -> None:
    gold = [g for _, g, _ in corpus]
    pred = [p for _, _, p in corpus]
    assert all(e - s <= 100 for doc in gold for s, e, _ in doc)  # see the 1% threshold test
    theirs = nervaluate(gold, pred, coarse)
    ours = report(gold, pred)["coarse" if coarse else "fine"]
    for scheme, name in NERVALUATE_NAME.items():
        if any(gold) or any(pred):
            assert_same(ours["micro"][scheme], theirs["overall"][name])
        for label, results in theirs["entities"].items():
            assert_same(ours["per_type"][label][scheme], results[name])


# --- hand-computed cases ---------------------------------------------------------------------


def test_hand_counts_all_schemes() -> None:
    gold = [[(0, 5, "PER"), (10, 20, "ORG"), (30, 40, "GPE"), (50, 60, "MISC")]]
    pred = [[(0, 5, "PER"), (10, 20, "PER"), (30, 35, "GPE"), (70, 75, "LOC")]]
    ours = report(gold, pred)["fine"]
    micro = ours["micro"]
    # strict: 1 COR, 2 INC (wrong type; short span), 1 MIS, 1 SPU
    assert [micro["strict"][k] for k in COUNT_NAMES] == [1, 2, 0, 1, 1]
    assert micro["strict"]["precision"] == 0.25 and micro["strict"]["recall"] == 0.25
    # exact: (10, 20) now COR
    assert [micro["exact"][k] for k in COUNT_NAMES] == [2, 1, 0, 1, 1]
    # partial: the short span is PAR, worth 0.5
    assert [micro["partial"][k] for k in COUNT_NAMES] == [2, 0, 1, 1, 1]
    assert micro["partial"]["precision"] == pytest.approx(2.5 / 4)
    # type: the short GPE span is COR, the retyped one INC
    assert [micro["type"][k] for k in COUNT_NAMES] == [2, 1, 0, 1, 1]
    # per type, the retyped mention is a PER spurious and an ORG miss
    assert [ours["per_type"]["PER"]["strict"][k] for k in COUNT_NAMES] == [1, 0, 0, 0, 1]
    assert [ours["per_type"]["ORG"]["strict"][k] for k in COUNT_NAMES] == [0, 0, 0, 1, 0]
    assert [ours["per_type"]["GPE"]["type"][k] for k in COUNT_NAMES] == [1, 0, 0, 0, 0]


def test_coarse_mapping_merges_location_types() -> None:
    gold = [[(0, 6, "GPE"), (10, 20, "FAC")]]
    pred = [[(0, 6, "LOC"), (10, 20, "FAC")]]
    ours = report(gold, pred)
    assert ours["fine"]["micro"]["strict"]["f1"] == 0.5
    assert ours["coarse"]["micro"]["strict"]["f1"] == 1.0
    assert ours["coarse"]["per_type"]["LOC"]["strict"]["correct"] == 2
    assert ours["headline"]["value"] == 0.5


def test_type_scheme_prefers_closest_same_type_gold() -> None:
    # prediction overlaps two gold mentions of its type: the one with closer boundaries wins
    gold = [[(0, 10, "PER"), (12, 30, "PER")]]
    pred = [[(5, 28, "PER")]]
    assert report(gold, pred)["fine"]["micro"]["type"]["correct"] == 1
    theirs = nervaluate(gold, pred)
    assert_same(report(gold, pred)["fine"]["micro"]["type"], theirs["overall"]["ent_type"])


def test_type_scheme_breaks_distance_ties_by_text_order() -> None:
    # (5, 25) is 20 away from both PER mentions: it takes the first, leaving (20, 30) to the
    # next prediction
    gold = [[(0, 10, "PER"), (20, 30, "PER")]]
    pred = [[(5, 25, "PER"), (26, 28, "PER")]]
    ours = report(gold, pred)["fine"]["micro"]["type"]
    assert (ours["correct"], ours["spurious"], ours["missed"]) == (2, 0, 0)
    assert_same(ours, nervaluate(gold, pred)["overall"]["ent_type"])


def test_greedy_takes_the_first_overlapping_gold_mention() -> None:
    # (5, 15) overlaps both gold mentions and takes the first, so (16, 18) still finds one
    gold = [[(0, 10, "PER"), (12, 20, "ORG")]]
    pred = [[(5, 15, "GPE"), (16, 18, "GPE")]]
    ours = report(gold, pred)["fine"]["micro"]
    assert (ours["strict"]["incorrect"], ours["strict"]["missed"], ours["strict"]["spurious"]) == (
        2,
        0,
        0,
    )
    theirs = nervaluate(gold, pred)["overall"]
    for scheme, name in NERVALUATE_NAME.items():
        assert_same(ours[scheme], theirs[name])


def test_deliberate_difference_overlap_below_one_percent() -> None:
    """Any common character counts as overlap; nervaluate needs 1% of the gold span."""
    gold = [[(0, 300, "MISC")]]
    pred = [[(298, 305, "MISC")]]  # 2 common characters: 0.67% of the gold span
    ours = report(gold, pred)["fine"]["micro"]
    assert [ours["strict"][k] for k in COUNT_NAMES] == [0, 1, 0, 0, 0]
    assert ours["type"]["correct"] == 1
    theirs = nervaluate(gold, pred)["overall"]
    assert (theirs["strict"].incorrect, theirs["strict"].missed, theirs["strict"].spurious) == (
        0,
        1,
        1,
    )
    # at >= 1% both agree
    pred = [[(297, 305, "MISC")]]
    assert_same(
        report(gold, pred)["fine"]["micro"]["strict"], nervaluate(gold, pred)["overall"]["strict"]
    )


def test_deliberate_difference_overlapping_predictions() -> None:
    """A prediction identical to a gold mention is COR even when an earlier overlapping
    prediction would have consumed that gold mention in nervaluate."""
    gold = [[(0, 10, "PER")]]
    pred = [[(0, 5, "PER"), (0, 10, "PER")]]
    ours = report(gold, pred)["fine"]["micro"]["strict"]
    assert [ours[k] for k in COUNT_NAMES] == [1, 0, 0, 0, 1]
    theirs = nervaluate(gold, pred)["overall"]["strict"]
    assert (theirs.correct, theirs.incorrect, theirs.spurious) == (0, 1, 1)


def test_complex_residual_groups_use_the_greedy_loop() -> None:
    # each prediction overlaps two gold mentions: the greedy goes left to right
    gold = [[(0, 10, "PER"), (12, 20, "ORG"), (22, 30, "GPE")]]
    pred = [[(5, 15, "ORG"), (16, 25, "GPE")]]
    ours = report(gold, pred)["fine"]["micro"]
    theirs = nervaluate(gold, pred)["overall"]
    for scheme, name in NERVALUATE_NAME.items():
        assert_same(ours[scheme], theirs[name])
    assert ours["type"]["correct"] == 2  # closest same-type gold mentions


def test_entity_scores_on_documents() -> None:
    gold = {
        "a": {"entities": [{"id": "T1", "start": 0, "end": 5, "type": "PER", "entity_id": "E-x"}]},
        "b": {"entities": [{"id": "T1", "start": 3, "end": 9, "type": "ORG", "entity_id": "E-y"}]},
    }
    pred = {
        "a": {"entities": [{"id": "T1", "start": 0, "end": 5, "type": "PER"}]},
        "z": {"entities": [{"id": "T1", "start": 3, "end": 9, "type": "ORG"}]},  # not gold: ignored
    }
    ours = entity_scores(gold, pred)
    assert ours["fine"]["micro"]["strict"]["correct"] == 1
    assert ours["fine"]["micro"]["strict"]["missed"] == 1
    assert ours["fine"]["micro"]["strict"]["actual"] == 1
    assert ours["headline"]["value"] == pytest.approx(2 / 3)


def test_empty_and_unknown_type() -> None:
    ours = report([[]], [[]])["fine"]["micro"]["strict"]
    assert ours["f1"] == 0.0 and ours["possible"] == 0
    with pytest.raises(ValueError, match="unknown entity type"):
        entity_scores(
            {"a": {"entities": []}}, {"a": {"entities": [{"start": 0, "end": 1, "type": "X"}]}}
        )
