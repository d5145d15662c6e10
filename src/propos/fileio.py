"""Reading and writing files safely: atomic writes, hashes, JSON with located errors."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import msgspec

from propos.errors import ProposError

# The default bound on a JSON file, or one submission line, that validation reads, against
# runaway input; a caller with longer documents raises it (`propos validate --max-mib`).
MAX_JSON_BYTES = 10 * 1024 * 1024
ERRNO_IN_MESSAGE = re.compile(r"\[errno (\d+)\]", re.IGNORECASE)  # how pyarrow reports one


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_whole(path: str | os.PathLike[str], limit: int | None = None) -> bytes | None:
    """The bytes of a file, or None when it holds more than ``limit``: one descriptor, its
    size, then reads of that size (open() adds a buffered object, an isatty ioctl, a seek and
    a second read: a third of the cost, and half the system calls)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(descriptor).st_size
        if limit is not None and size > limit:
            return None
        data = os.read(descriptor, size + 1)  # the whole file, and nothing after it
        if len(data) != size:
            # The file grew or shrank since fstat, is a pipe, or the system capped the read
            # (Linux reads at most 2 GiB at once): read to its end, within the limit.
            pieces, total = [data], len(data)
            while pieces[-1] and (limit is None or total <= limit):
                pieces.append(os.read(descriptor, 1 << 16))
                total += len(pieces[-1])
            data = b"".join(pieces)
    finally:
        os.close(descriptor)
    return data if limit is None or len(data) <= limit else None


def read_file(path: str | os.PathLike[str]) -> bytes:
    """``read_whole`` without a limit: the file's bytes."""
    data = read_whole(path)
    assert data is not None  # only a limit gives None
    return data


def write_new(path: str | os.PathLike[str], payload: bytes) -> None:
    """Write ``payload`` to a file at ``path``, created or emptied: one descriptor and, but for
    a short write, one write (open() adds a buffered object, an fstat, an isatty ioctl and a
    seek)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


class naming:  # lower case: used as a function, `with naming(path):`
    """An operating-system error raised inside names ``path`` if it named no file (a write
    that fills the disk says only "no space left on device"). A class, not a generator: it is
    entered twice a document when cleaning, and a generator's context costs four times more."""

    __slots__ = ("path",)

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _: Any) -> None:
        if not isinstance(exc, OSError) or exc.filename is not None:
            return  # nothing raised, or not an OSError, or one that names its file: as it is
        code = exc.errno
        if code is None and (found := ERRNO_IN_MESSAGE.search(str(exc))):
            code = int(found.group(1))  # pyarrow's IO errors carry the code in their message
        reason = os.strerror(code) if code else (exc.strerror or str(exc))
        raise OSError(code or 0, reason, str(self.path)) from exc


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write to a temporary file beside ``path``, then rename: readers never see half a file."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with naming(path):
        _write_atomic(path, payload)


def _write_atomic(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); a written file gets what the umask allows.
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def dump_json_bytes(value: Any) -> bytes:
    """``dump_json(value)`` as UTF-8, encoded in C: for values without floats (msgspec writes
    1e16 where json writes 1e+16); strings, integers, lists and dicts give the same bytes."""
    return msgspec.json.format(msgspec.json.encode(value), indent=2) + b"\n"


def write_json(path: Path, value: Any) -> None:
    write_atomic(path, dump_json(value))


def read_json(path: Path) -> Any:
    """Parse a JSON file, turning every failure into a one-line ProposError naming the place."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProposError(f"{path}: cannot read ({exc.strerror})") from exc
    return parse_json_bytes(data, str(path))


class JSONDefect(ValueError):
    """Bytes that are not a JSON document, with where in them and why."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message


def decode_json(data: bytes, unit: str = "file") -> Any:
    """Parse JSON bytes strictly (UTF-8, no BOM), raising JSONDefect with a line and column;
    ``unit`` "line": the bytes are one line of a JSON Lines file (without its line break),
    placed by its column alone."""
    if not data.strip():
        raise JSONDefect("$", "empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        raise JSONDefect("$", "starts with a UTF-8 byte order mark (BOM); save it without one")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JSONDefect("$", f"not UTF-8 (invalid byte at offset {exc.start})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"invalid JSON: {exc.msg}"
        if exc.pos >= len(text.rstrip()):
            message += f" (the {unit} is truncated)"
        where = f"line {exc.lineno} column {exc.colno}"
        if unit == "line" and exc.lineno == 1:
            where = f"column {exc.colno}"
        raise JSONDefect(where, message) from exc
    except RecursionError as exc:
        raise JSONDefect("$", "invalid JSON: nested too deeply") from exc


def parse_json_bytes(data: bytes, where: str) -> Any:
    try:
        return decode_json(data)
    except JSONDefect as exc:
        raise ProposError(f"{where}:{exc.location}: {exc.message}") from exc


def read_jsonl_documents(path: Path) -> dict[str, Any]:
    """The documents of a JSON Lines file (a validated submission), keyed by doc_id."""
    documents: dict[str, Any] = {}
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                document = json.loads(line)
                documents[document["doc_id"]] = document
    return documents
