"""`propos clean --workers N`: the press articles and the Wikinews collection are cleaned by N
processes, and the files written are the same bytes as with one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, ok

PROPOS = str(Path(sys.executable).parent / "propos")
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def clean(project: Path, workers: int) -> dict[str, bytes]:
    clean_dir = project / "corpus" / "clean"
    for path in clean_dir.glob("*.json"):
        path.unlink()
    command = [PROPOS, "clean", "--root", str(project), "--workers", str(workers)]
    result = ok(subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=600))
    written = {path.name: path.read_bytes() for path in sorted(clean_dir.glob("*.json"))}
    assert f"clean: {len(written)} written, 0 unchanged, 0 failed" in result.stderr
    return written


def test_two_workers_write_the_same_bytes_as_one(project: Path) -> None:
    serial = clean(project, 1)
    assert len(serial) == len(list((ROOT / "corpus" / "clean").glob("*.json")))
    assert any(name.startswith("wn-") for name in serial)  # the collection is cleaned too
    assert clean(project, 2) == serial
    assert {name: (ROOT / "corpus" / "clean" / name).read_bytes() for name in serial} == serial
