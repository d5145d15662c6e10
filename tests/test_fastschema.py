"""The fast schema path (msgspec types generated from the JSON Schemas) agrees with jsonschema."""

from __future__ import annotations

import copy
import json
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propos import schema
from propos.fastschema import fast_problem, fast_type, to_type

from .conftest import DOC_IDS, ROOT, load_json

GOLD = [load_json(ROOT / "annotations" / "gold" / f"{d}.json") for d in DOC_IDS]
CLEAN = load_json(ROOT / "corpus" / "clean" / f"{DOC_IDS[0]}.json")
WEIRD_VALUES = [
    None,
    "",
    "x",
    "PERSON",
    -1,
    0,
    7,
    1.5,
    True,
    [],
    {},
    {"start": 1},
    "a" * 70,
    "E-x",
    "T1",
]


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths_of(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:3]):
            found += paths_of(child, (*prefix, index))
    return found


def jsonschema_accepts(name: str, value: Any) -> bool:
    return not any(True for _ in schema.validator(name).iter_errors(value))


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    name = draw(st.sampled_from(["annotation", "submission"]))
    document = copy.deepcopy(draw(st.sampled_from(GOLD)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths_of(document)))
        parent: Any = document
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["set", "delete", "add"]))
        if action == "set":
            # A copy: the shared [] and {} of WEIRD_VALUES would otherwise be mutated across
            # examples, and could end up holding themselves (a cycle, then RecursionError).
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(WEIRD_VALUES)))
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "entites", "span"]))] = 1
    return name, document


@settings(max_examples=400, deadline=None)
@given(mutated())
def test_fast_path_and_jsonschema_agree(case: tuple[str, Any]) -> None:
    name, document = case
    assert (fast_problem(name, document) is None) == jsonschema_accepts(name, document)


@pytest.mark.parametrize("name", ["annotation", "submission", "inventory", "clean-document"])
def test_real_files_pass_both(name: str) -> None:
    samples = {
        "annotation": GOLD,
        "submission": GOLD,
        "inventory": [load_json(ROOT / "annotations" / "inventory.json")],
        "clean-document": [CLEAN],
    }[name]
    for value in samples:
        assert fast_problem(name, value) is None
        assert jsonschema_accepts(name, value)
        msgspec.json.decode(json.dumps(value).encode(), type=fast_type(name))


def test_integral_floats_are_rejected_by_the_fast_path_only() -> None:
    document = copy.deepcopy(GOLD[0])
    document["entities"][0]["start"] = float(document["entities"][0]["start"])
    assert jsonschema_accepts("annotation", document)
    assert (
        fast_problem("annotation", document)
        == "Expected `int`, got `float` - at `$.entities[0].start`"
    )


def test_unsupported_keywords_fail_loudly() -> None:
    with pytest.raises(NotImplementedError, match="uniqueItems"):
        to_type({"type": "array", "items": {"type": "string"}, "uniqueItems": True}, {})
