"""A submission's ``meta.json`` in plain words: every problem listed, and display names unique.

The schema (``schemas/submission-meta.schema.json``) drives both the check and the words: each
field's ``description`` says what it should hold, so a problem reads "'date' should be the date
of the submission, written YYYY-MM-DD (for example 2026-11-23); it is '23/11/2026'", never a
regular expression. Display names are compared by their UTS #39 skeleton
(:func:`propos.confusables.name_key`), so a name that only differs by case, invisible
characters or look-alike letters (a Cyrillic "с" for a Latin "c") counts as the same name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from propos import schema
from propos.confusables import look_alikes, name_key

SCHEMA_NAME = "submission-meta"
TYPE_WORDS = {
    "string": "text in quotes",
    "boolean": "true or false",
    "array": "a list in square brackets",
    "object": "an object in braces",
    "integer": "a whole number",
    "number": "a number",
    "null": "null",
}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    return "a number"


def _shown(value: Any, limit: int = 60) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _field_name(path: Iterable[Any]) -> str:
    """How a problem names its place: 'date', or item 2 of 'tasks'."""
    parts = list(path)
    if not parts:
        return "meta.json"
    name = f"'{parts[0]}'"
    for part in parts[1:]:
        name = f"item {part + 1} of {name}" if isinstance(part, int) else f"{name}.{part}"
    return name


def _words(error: Any, properties: dict[str, Any]) -> list[str]:
    """One or more plain sentences for one schema error."""
    field = _field_name(error.absolute_path)
    top = str(error.absolute_path[0]) if error.absolute_path else ""
    wanted = properties.get(top, {}).get("description", "")
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "required":
        return [
            f"'{key}' is missing: {properties[key]['description']}"
            for key in expected
            if isinstance(value, dict) and key not in value
        ]
    if kind == "additionalProperties":
        extra = sorted(set(value) - set(properties)) if isinstance(value, dict) else []
        return [
            f"'{key}' is not a field of meta.json (its fields: {', '.join(properties)})"
            for key in extra
        ]
    if kind == "type":
        expected_words = TYPE_WORDS.get(str(expected), str(expected))
        return [f"{field} should be {expected_words}, not {_kind(value)}"]
    if kind == "minLength":
        return [f"{field} is empty: it should be {wanted}"]
    if kind == "maxLength":
        return [f"{field} is too long ({len(value)} characters, at most {expected})"]
    if kind in ("pattern", "format"):
        return [f"{field} should be {wanted}; it is {_shown(value)}"]
    if kind == "enum":
        allowed = ", ".join(str(item) for item in expected)
        return [f"{field} is {_shown(value)}, which is none of {allowed}"]
    if kind == "minItems":
        return [f"{field} is an empty list: it should be {wanted}"]
    if kind == "uniqueItems":
        return [f"{field} lists the same value more than once"]
    return [f"{field}: {error.message}"]


def meta_problems(meta: Any) -> list[str]:
    """Every problem of a parsed ``meta.json``, in plain words, in field order."""
    declared = schema.load_schema(SCHEMA_NAME)
    properties: dict[str, Any] = declared["properties"]
    if not isinstance(meta, dict):
        return [f"meta.json should be one JSON object in braces, not {_kind(meta)}"]
    order = {key: index for index, key in enumerate(properties)}
    errors = sorted(
        schema.validator(SCHEMA_NAME).iter_errors(meta),
        key=lambda e: (order.get(str(e.absolute_path[0]), -1) if e.absolute_path else -1,
                       list(map(str, e.absolute_path)), e.validator),
    )  # fmt: skip
    # One error per missing field, each knowing all of them: the sentences are deduplicated.
    return list(dict.fromkeys(s for error in errors for s in _words(error, properties)))


def name_clashes(named: list[tuple[str, str]]) -> dict[str, str]:
    """Systems whose display name is taken: ``(system, name)`` pairs in order of precedence in,
    ``system -> reason`` out for every pair after the first with the same name key."""
    holders: dict[str, tuple[str, str]] = {}
    clashes: dict[str, str] = {}
    for system, name in named:
        key = name_key(name)
        if key not in holders:
            holders[key] = (system, name)
            continue
        holder, held = holders[key]
        if name == held:
            clashes[system] = f"display name '{name}' is already used by submission '{holder}'"
            continue
        differences = look_alikes(name, held)
        why = f" ({'; '.join(differences)})" if differences else ""
        clashes[system] = (
            f"display name '{name}' looks like '{held}', the name of submission '{holder}'{why}"
        )
    return clashes
