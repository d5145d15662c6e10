"""The JSON Schemas (package data, ``propos/schemas/``), and the label sets read from them.

The schemas are the single source of truth for every label set: code that needs entity types,
event types, realis values, quotation kinds, argument roles or quotation marks imports them
from here.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMA_FILES = {
    "common": "common.schema.json",
    "annotation": "annotation.schema.json",
    "submission": "submission.schema.json",
    "inventory": "inventory.schema.json",
    "clean-document": "clean-document.schema.json",
    "submission-meta": "submission-meta.schema.json",
}


@cache
def load_schema(name: str) -> dict[str, Any]:
    resource = resources.files("propos") / "schemas" / SCHEMA_FILES[name]
    return json.loads(resource.read_text(encoding="utf-8"))


@cache
def registry() -> Registry:
    resources = [
        (load_schema(name)["$id"], Resource.from_contents(load_schema(name)))
        for name in SCHEMA_FILES
    ]
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name), registry=registry())


def _definition(name: str) -> dict[str, Any]:
    return load_schema("common")["$defs"][name]


ENTITY_TYPES: tuple[str, ...] = tuple(_definition("entity_type")["enum"])
COARSE_TYPE: dict[str, str] = dict(_definition("entity_type")["x-coarse"])
COARSE_TYPES: tuple[str, ...] = tuple(dict.fromkeys(COARSE_TYPE.values()))
EVENT_TYPES: tuple[str, ...] = tuple(_definition("event_type")["enum"])
REALIS_VALUES: tuple[str, ...] = tuple(_definition("realis")["enum"])
QUOTE_KINDS: tuple[str, ...] = tuple(_definition("quote_kind")["enum"])
ARGUMENT_ROLES: tuple[str, ...] = tuple(_definition("argument_role")["enum"])
QUOTATION_MARKS: str = _definition("quotation_marks")["const"]
DOC_ID: re.Pattern[str] = re.compile(_definition("doc_id")["pattern"])


def doc_id_problem(doc_id: str) -> str | None:
    """Why ``doc_id`` (often a file name) cannot be a document id, or None."""
    if DOC_ID.fullmatch(doc_id):
        return None
    return (
        f"{doc_id!r} is not a valid document id (a letter or digit, then letters, digits,"
        " '_', '.' or '-'; at most 128 characters)"
    )
