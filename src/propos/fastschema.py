"""A fast path for schema validation: msgspec types generated from the JSON Schemas.

jsonschema walks Python objects in Python (about 50 ms for one annotation file here); msgspec
checks the same constraints in C while decoding. The types are *generated* from the package's
JSON Schemas (propos/schemas/), so the schemas stay the single source of truth. A document the fast
path accepts is valid; a document it rejects goes to jsonschema, which lists every problem with
its JSON path. Only the subset of JSON Schema that the project's schemas use is supported, and
an unsupported keyword is an error at start-up, not a silent gap.

msgspec checks a ``pattern`` by calling Python's ``re.search`` on every string, which took over
half of the decoding of an annotation file. :func:`lean_decoder` therefore decodes into types
without the patterns, and :class:`LeanDecoder` checks them afterwards, one ``re.search`` of the
same pattern per string mapped in C over all the strings of a document that it constrains: the
same verdict (msgspec and jsonschema both use ``re.search``) at a third of the cost.
"""

from __future__ import annotations

import itertools
import keyword
import re
from collections.abc import Callable
from functools import cache
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec
from msgspec import UNSET

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


Path = tuple[str, ...]  # attribute names from the root struct; "*" steps into a list
PatternPaths = dict[str, list[Path]]  # pattern -> where its strings are


class _Lean:
    """While translating without patterns: where each left-out pattern applies."""

    def __init__(self) -> None:
        self.paths: PatternPaths = {}


def _constraints(
    node: dict[str, Any], base: Any, lean: _Lean | None = None, path: Path | None = None
) -> Any:
    meta: dict[str, Any] = {}
    if "pattern" in node:
        if lean is not None and path is not None:
            lean.paths.setdefault(node["pattern"], []).append(path)
        else:
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


def to_type(
    node: dict[str, Any], root: dict[str, Any], lean: _Lean | None = None, path: Path | None = ()
) -> Any:
    """The msgspec type of a schema ``node``; with ``lean``, string patterns are left out of
    the type and recorded there with their ``path`` (None: a place no path reaches, such as
    the values of a mapping, where the pattern stays in the type)."""
    unknown = set(node) - SUPPORTED
    if unknown:
        raise NotImplementedError(f"fast schema path: unsupported keywords {sorted(unknown)}")
    if "$ref" in node:
        target, target_root = _resolve(node["$ref"], root)
        return to_type(target, target_root, lean, path)
    if "oneOf" in node:
        options = [to_type(option, root, lean, path) for option in node["oneOf"]]
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
        return _struct(node, root, lean, path)
    if kind == "array":
        inner = None if path is None else (*path, "*")
        item = to_type(node["items"], root, lean, inner) if "items" in node else Any
        return _constraints(node, list[item])  # type: ignore[valid-type]
    if kind == "string":
        return _constraints(node, str, lean, path)
    if kind == "integer":
        return _constraints(node, int)
    if kind == "boolean":
        return bool
    if kind == "null":
        return type(None)
    raise NotImplementedError(f"fast schema path: cannot translate {node}")


def _struct(
    node: dict[str, Any], root: dict[str, Any], lean: _Lean | None, path: Path | None
) -> Any:
    properties = node.get("properties", {})
    if node.get("additionalProperties") not in (False, None) or not properties:
        value = (
            to_type(node["additionalProperties"], root, lean, None)
            if isinstance(node.get("additionalProperties"), dict)
            else Any
        )
        return dict[str, value]  # type: ignore[valid-type]
    required = set(node.get("required", []))
    fields = []
    for name, child in properties.items():
        annotation = to_type(child, root, lean, None if path is None else (*path, name))
        if name in required:
            fields.append((name, annotation))
        else:
            fields.append((name, annotation | msgspec.UnsetType, msgspec.UNSET))
    fields.sort(key=lambda field: len(field) == 3)  # required fields first
    return msgspec.defstruct(
        f"Generated{next(_names)}",
        fields,
        forbid_unknown_fields=node.get("additionalProperties") is False,
        gc=False,  # decoded JSON holds no cycles: no collector work for its many structs
    )


@cache
def fast_type(name: str) -> Any:
    root = schema.load_schema(name)
    return to_type(root, root)


def _kinds(annotation: Any) -> list[Any]:
    """The types a value of ``annotation`` may decode as (Annotated constraints left aside)."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, UnionType):
        return [kind for member in get_args(annotation) for kind in _kinds(member)]
    return [annotation]


def _comprehension(path: Path, root: Any) -> str:
    """Python source of a list of the strings found along ``path`` from ``document`` (a
    ``root`` struct). Where a struct is expected, None (nullable) and UNSET (optional) are
    skipped; nothing else decodes there. A step whose type admits one kind of value only (a
    required list, a required string) is read without any test. Written out as code: an
    attribute read is ten times faster than attrgetter on a struct, and one comprehension per
    path has no per-step call."""
    clauses: list[str] = []
    value, kinds = "document", [root]
    for k, step in enumerate((*path, None)):
        wanted = list if step == "*" else str if step is None else msgspec.Struct
        main = [kind for kind in kinds if kind not in (type(None), msgspec.UnsetType)]
        certain = len(kinds) == 1 and (get_origin(main[0]) or main[0]) is list
        certain = certain if wanted is list else len(kinds) == 1 and (
            main[0] is str if wanted is str else isinstance(main[0], type)
            and issubclass(main[0], msgspec.Struct)
        )  # fmt: skip
        if not certain:
            clauses.append(f"for v{k} in ({value},)")
            value = f"v{k}"
            clauses.append(
                f"if type({value}) is list" if wanted is list
                else f"if type({value}) is str" if wanted is str
                else f"if {value} is not None and {value} is not UNSET"
            )  # fmt: skip
        if step is None:
            break
        if step == "*":
            clauses.append(f"for i{k} in {value}")
            value = f"i{k}"
            kinds = _kinds(get_args(main[0])[0]) if len(main) == 1 and get_args(main[0]) else [Any]
            continue
        plain = step.isidentifier() and not keyword.iskeyword(step)
        value = f"{value}.{step}" if plain else f"getattr({value}, {step!r})"
        fields = {f.name: f for f in msgspec.structs.fields(main[0])} if len(main) == 1 else {}
        kinds = _kinds(fields[step].type) if step in fields else [Any]
    return f"[{' '.join((value, *clauses))}]"


def _collector(places: list[list[Path]], root: Any) -> Callable[[Any], tuple[list[str], ...]]:
    """A function of a document: for each list of paths, the strings found along them."""
    lists = [" + ".join(_comprehension(path, root) for path in paths) for paths in places]
    source = f"lambda document: ({', '.join(lists)},)"
    # Generated from schema field names, each an identifier or quoted with repr: no injection.
    return eval(source, {"UNSET": UNSET})  # type: ignore[no-any-return]


class LeanDecoder:
    """Decodes documents of one schema into its types without patterns, then checks the
    patterns: :meth:`decode` accepts exactly what a decoder of :func:`fast_type` accepts."""

    def __init__(self, name: str) -> None:
        lean = _Lean()
        root = schema.load_schema(name)
        lean_type = to_type(root, root, lean)
        self._decoder = msgspec.json.Decoder(lean_type)
        self._checks = [StringsCheck(pattern) for pattern in lean.paths]
        self._collect = _collector(list(lean.paths.values()), lean_type)

    def forget_matches(self) -> None:
        for check in self._checks:
            check.forget_matches()

    def decode(self, data: bytes) -> Any:
        """The decoded document; msgspec.ValidationError when a string breaks its pattern."""
        document = self._decoder.decode(data)
        for check, strings in zip(self._checks, self._collect(document), strict=True):
            if not check.all_match(strings):
                raise msgspec.ValidationError(
                    f"a string does not match the pattern {check.pattern!r}"
                )
        return document


# A pattern "^BODY$" whose BODY is only sets of printable ASCII characters and letters, digits,
# "_", ":" or "-", each maybe repeated: BODY then never matches a NUL, so strings joined by NULs
# match BODY one by one exactly when the joined string matches "BODY(NUL BODY)*".
_JOINABLE_BODY = re.compile(
    r"(?:(?:\[(?!\^)[ -\[^-~]*\]|[A-Za-z0-9_:-])(?:\{\d+(?:,\d+)?\}|[*+?])?)+"
)


class StringsCheck:
    """Do all strings match a pattern as JSON Schema (``re.search``) has it? One regex run
    over the strings joined, when the pattern allows it (see _JOINABLE_BODY), else, or when
    that fails (a string with a final newline, which "$" accepts), one search per string."""

    REMEMBERED = 100_000  # strings known to match, at most

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._search = re.compile(pattern).search
        body = pattern[1:-1]
        joinable = pattern[:1] == "^" and pattern[-1:] == "$" and _JOINABLE_BODY.fullmatch(body)
        self._joined = re.compile(f"(?:{body})(?:\x00(?:{body}))*").fullmatch if joinable else None
        self._matched: set[str] = set()

    def all_match(self, strings: list[str]) -> bool:
        # Ids recur from document to document (T1, the inventory's ids): those seen to match
        # are answered by one set look-up each.
        if len(strings) < 2:  # a document's own id or hash: unique, not worth remembering
            return all(map(self._search, strings))
        if self._matched.issuperset(strings):
            return True
        if not self._all_match(strings):
            return False
        if len(self._matched) + len(strings) > self.REMEMBERED:
            self._matched.clear()  # memory stays bounded on a corpus of unique ids
        self._matched.update(strings)
        return True

    def forget_matches(self) -> None:
        self._matched.clear()

    def _all_match(self, strings: list[str]) -> bool:
        if self._joined is not None:
            joined = "\x00".join(strings)
            if joined.count("\x00") == len(strings) - 1 and self._joined(joined):
                return True
        return all(map(self._search, strings))


_LEAN_DECODERS: dict[str, LeanDecoder] = {}


def lean_decoder(name: str) -> LeanDecoder:
    """The lean decoder of schema ``name``, made once a process."""
    if name not in _LEAN_DECODERS:
        _LEAN_DECODERS[name] = LeanDecoder(name)
    return _LEAN_DECODERS[name]


def forget_matches() -> None:
    """Forget the strings every lean decoder has seen match, as a new process knows none: a
    warm-up that decodes a document to build the decoders then leaves no memory of it."""
    for decoder in _LEAN_DECODERS.values():
        decoder.forget_matches()


def fast_problem(name: str, value: Any) -> str | None:
    """None when ``value`` satisfies schema ``name``; else msgspec's message with its path."""
    try:
        msgspec.convert(value, fast_type(name), strict=True)
    except msgspec.ValidationError as exc:
        return str(exc)
    return None
