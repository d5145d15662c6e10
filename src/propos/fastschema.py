"""A fast path for schema validation: msgspec types generated from the JSON Schemas.

jsonschema walks Python objects in Python (about 50 ms for one annotation file here); msgspec
checks the same constraints in C while decoding. The types are *generated* from the package's
JSON Schemas (propos/schemas/), so the schemas stay the single source of truth. A document the fast
path accepts is valid; a document it rejects goes to jsonschema, which lists every problem with
its JSON path. Only the subset of JSON Schema that the project's schemas use is supported, and
an unsupported keyword is an error at start-up, not a silent gap.
"""

from __future__ import annotations

import itertools
from functools import cache
from typing import Annotated, Any, Literal

import msgspec

from propos import schema

SUPPORTED = {
    "$schema", "$id", "title", "version", "description", "$defs", "$ref", "type", "properties",
    "required", "additionalProperties", "items", "enum", "const", "pattern", "minLength",
    "maxLength", "minimum", "minItems", "maxItems", "oneOf", "x-coarse",
}  # fmt: skip
_names = itertools.count()


def _resolve(reference: str, current: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(target schema, root it belongs to) of a $ref such as urn:...#/$defs/x or #/$defs/x."""
    document, _, pointer = reference.partition("#")
    root = current
    if document:
        root = next(
            schema.load_schema(name)
            for name in schema.SCHEMA_FILES
            if schema.load_schema(name)["$id"] == document
        )
    target: Any = root
    for part in pointer.strip("/").split("/"):
        if part:
            target = target[part]
    return target, root


def _constraints(node: dict[str, Any], base: Any) -> Any:
    meta: dict[str, Any] = {}
    if "pattern" in node:
        meta["pattern"] = node["pattern"]
    if "minLength" in node:
        meta["min_length"] = node["minLength"]
    if "maxLength" in node:
        meta["max_length"] = node["maxLength"]
    if "minimum" in node:
        meta["ge"] = node["minimum"]
    if "minItems" in node:
        meta["min_length"] = node["minItems"]
    if "maxItems" in node:
        meta["max_length"] = node["maxItems"]
    return Annotated[base, msgspec.Meta(**meta)] if meta else base


def to_type(node: dict[str, Any], root: dict[str, Any]) -> Any:
    unknown = set(node) - SUPPORTED
    if unknown:
        raise NotImplementedError(f"fast schema path: unsupported keywords {sorted(unknown)}")
    if "$ref" in node:
        target, target_root = _resolve(node["$ref"], root)
        return to_type(target, target_root)
    if "oneOf" in node:
        options = [to_type(option, root) for option in node["oneOf"]]
        if len(options) == 2 and type(None) in options:
            other = next(o for o in options if o is not type(None))
            return other | None
        raise NotImplementedError("fast schema path: oneOf other than X-or-null")
    if "enum" in node:
        return Literal[tuple(node["enum"])]  # type: ignore[valid-type]
    if "const" in node:
        return Literal[node["const"]]  # type: ignore[valid-type]
    kind = node.get("type")
    if kind == "object":
        return _struct(node, root)
    if kind == "array":
        item = to_type(node["items"], root) if "items" in node else Any
        return _constraints(node, list[item])  # type: ignore[valid-type]
    if kind == "string":
        return _constraints(node, str)
    if kind == "integer":
        return _constraints(node, int)
    if kind == "boolean":
        return bool
    if kind == "null":
        return type(None)
    raise NotImplementedError(f"fast schema path: cannot translate {node}")


def _struct(node: dict[str, Any], root: dict[str, Any]) -> Any:
    properties = node.get("properties", {})
    if node.get("additionalProperties") not in (False, None) or not properties:
        value = (
            to_type(node["additionalProperties"], root)
            if isinstance(node.get("additionalProperties"), dict)
            else Any
        )
        return dict[str, value]  # type: ignore[valid-type]
    required = set(node.get("required", []))
    fields = []
    for name, child in properties.items():
        annotation = to_type(child, root)
        if name in required:
            fields.append((name, annotation))
        else:
            fields.append((name, annotation | msgspec.UnsetType, msgspec.UNSET))
    fields.sort(key=lambda field: len(field) == 3)  # required fields first
    return msgspec.defstruct(
        f"Generated{next(_names)}",
        fields,
        forbid_unknown_fields=node.get("additionalProperties") is False,
    )


@cache
def fast_type(name: str) -> Any:
    root = schema.load_schema(name)
    return to_type(root, root)


def fast_problem(name: str, value: Any) -> str | None:
    """None when ``value`` satisfies schema ``name``; else msgspec's message with its path."""
    try:
        msgspec.convert(value, fast_type(name), strict=True)
    except msgspec.ValidationError as exc:
        return str(exc)
    return None
