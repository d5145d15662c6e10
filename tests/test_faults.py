"""Faults through the real entry point: an output folder that is read-only, full or under a
file; a run killed (SIGKILL) part-way; two runs at once.

Each asserts one `error:` line naming the path and no traceback, the previous output intact
(byte for byte), and no work folder left once the next run is over. A read-only and a full
folder are small tmpfs mounts (chmod does not stop root); the tests that need them are skipped
where `mount` is not permitted.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import ROOT, ok, one_error

PROPOS = str(Path(sys.executable).parent / "propos")
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200", "NO_COLOR": "1"}

# Each entry point and the arguments that make it write into OUT, reading the repository only.
COMMANDS: dict[str, Callable[[Path], list[str | Path]]] = {
    "build": lambda out: ["build", "--root", ROOT, "--out", out / "propos", "--workers", "1"],
    "view": lambda out: ["view", "--root", ROOT, "--out", out / "site"],
    "leaderboard": lambda out: [
        "leaderboard", "--root", ROOT, "--out", out / "bench", "--resamples", "50",
    ],
    "clean": lambda out: [
        "clean", "--root", ROOT, "--raw-dir", ROOT / "corpus" / "raw", "--out-dir", out / "clean",
        "--workers", "1",
    ],
    "convert to-brat": lambda out: [
        "convert", "to-brat", ROOT / "annotations" / "gold", "--root", ROOT, "--out", out / "brat",
    ],
}  # fmt: skip
OUTPUT = {"build": "propos", "view": "site", "leaderboard": "bench", "clean": "clean",
          "convert to-brat": "brat"}  # fmt: skip
SLOW = ("build", "leaderboard")  # a build takes half a minute; the leaderboard scores first
ENTRY_POINTS = [
    pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name for name in COMMANDS
]


def propos(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PROPOS, *map(str, args)], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=600
    )


def start(*args: str | Path) -> subprocess.Popen[str]:
    """A run in its own process group, so that a kill reaches its workers too."""
    return subprocess.Popen(
        [PROPOS, *map(str, args)], cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def strays(parent: Path) -> list[str]:
    """Work folders (hidden entries) left beside the outputs."""
    return sorted(entry.name for entry in parent.iterdir() if entry.name.startswith("."))


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The output of one successful run of each entry point (made on first use)."""
    made: dict[str, Path] = {}

    def output(name: str) -> Path:
        if name not in made:
            out = tmp_path_factory.mktemp(name.replace(" ", "-"))
            ok(propos(*COMMANDS[name](out)))
            made[name] = out / OUTPUT[name]
        return made[name]

    return output


@contextmanager
def tmpfs(size: str) -> Iterator[Path]:
    mount_point = Path("/tmp") / f"propos-fault-{uuid.uuid4().hex[:12]}"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        mount_point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()})")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)
        mount_point.rmdir()


def fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` to the last byte."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as handle:
        for size in (1 << 20, 4096, 1):
            try:
                while True:
                    handle.write(b"\0" * size)
            except OSError:
                pass
    return filler


# ---------------------------------------------------------------- read-only, full, under a file


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_a_read_only_output_folder_is_one_line_and_keeps_the_previous_output(
    name: str, previous: Callable[[str], Path]
) -> None:
    with tmpfs("256m") as mount_point:
        target = mount_point / OUTPUT[name]
        shutil.copytree(previous(name), target)
        before = snapshot(target)
        subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)
        line = one_error(propos(*COMMANDS[name](mount_point)), str(mount_point))
        assert "read-only file system" in line
        assert snapshot(target) == before


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_a_full_output_folder_is_one_line_and_keeps_the_previous_output(
    name: str, previous: Callable[[str], Path]
) -> None:
    with tmpfs("256m") as mount_point:
        target = mount_point / OUTPUT[name]
        shutil.copytree(previous(name), target)
        if name == "clean":  # clean writes only what changed: make it write them all again
            for path in target.glob("*.json"):
                path.write_text("{}\n")
        before = snapshot(target)
        filler = fill(mount_point)
        line = one_error(propos(*COMMANDS[name](mount_point)), str(mount_point))
        assert "no space left on device" in line
        assert snapshot(target) == before
        assert strays(mount_point) == []
        filler.unlink()
        ok(propos(*COMMANDS[name](mount_point)))
        assert snapshot(target) == snapshot(previous(name))
        assert strays(mount_point) == []


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_an_output_under_a_file_is_one_line(name: str, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder\n")
    one_error(propos(*COMMANDS[name](tmp_path / "a-file")), str(tmp_path / "a-file"))
    assert (tmp_path / "a-file").read_text() == "not a folder\n"


# ---------------------------------------------------------------- killed runs, concurrent runs


def kill_when(process: subprocess.Popen[str], ready: Callable[[], bool], limit: float) -> bool:
    """Kill the run's process group with SIGKILL once ``ready()``; False if it ended first."""
    deadline = time.monotonic() + limit
    while process.poll() is None and time.monotonic() < deadline:
        if ready():
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.005)
    process.wait()
    return False


def work_folders(parent: Path, kind: str) -> list[Path]:
    return [entry for entry in parent.glob(f".*.{kind}-*") if entry.is_dir()]


def holding(parent: Path, kind: str, pattern: str) -> Callable[[], bool]:
    def holds() -> bool:
        try:
            return any(any(work.rglob(pattern)) for work in work_folders(parent, kind))
        except FileNotFoundError:  # the run removed its work folder between the two looks
            return False

    return holds


@pytest.mark.slow
def test_build_killed_at_three_moments_then_run_twice_at_once(
    tmp_path: Path, previous: Callable[[str], Path]
) -> None:
    dist = tmp_path / "dist"
    target = dist / "propos"
    shutil.copytree(previous("build"), target)
    before = snapshot(target)
    moments = {
        "work folder made": lambda: bool(work_folders(dist, "build")),
        "first Parquet file": holding(dist, "build", "*.parquet"),
        "card written, before the swap": holding(dist, "build", "README.md"),
    }
    killed = []
    for moment, ready in moments.items():
        process = start("build", "--root", ROOT, "--out", target, "--workers", "2")
        killed.append((moment, kill_when(process, ready, 300)))
        # Whatever the moment, the dataset is there, whole (the old bytes equal the new ones).
        assert snapshot(target) == before, moment
    # The first two moments last long enough to be caught every time; the last may be missed.
    assert [was_killed for _, was_killed in killed][:2] == [True, True], killed
    runs = [start("build", "--root", ROOT, "--out", target, "--workers", "1") for _ in range(2)]
    for run in runs:
        assert run.wait(timeout=600) == 0, run.stderr.read() if run.stderr else ""
        assert "Traceback" not in (run.stderr.read() if run.stderr else "")
    assert snapshot(target) == before
    assert strays(dist) == []


def test_clean_killed_at_three_moments_then_run_twice_at_once(project: Path) -> None:
    clean_dir = project / "corpus" / "clean"
    before = snapshot(clean_dir)
    moments = {
        "work folder made": lambda: bool(work_folders(project / "corpus", "clean")),
        "first document staged": holding(project / "corpus", "clean", "*.json"),
        "first Wikinews document in place": lambda: any(clean_dir.glob("wn-*.json")),
    }
    killed = []
    for moment, ready in moments.items():
        for path in clean_dir.glob("*.json"):
            path.unlink()
        process = start("clean", "--root", project, "--workers", "2")
        killed.append((moment, kill_when(process, ready, 120)))
        # Every document present is whole: the old bytes (which the new run reproduces).
        assert all(before[name] == data for name, data in snapshot(clean_dir).items()), moment
    # The first two moments last long enough to be caught every time; the last may be missed.
    assert [was_killed for _, was_killed in killed][:2] == [True, True], killed
    runs = [start("clean", "--root", project, "--workers", "1") for _ in range(2)]
    for run in runs:
        assert run.wait(timeout=600) == 0, run.stderr.read() if run.stderr else ""
    assert snapshot(clean_dir) == before
    assert strays(project / "corpus") == []


def test_a_stale_work_folder_of_a_live_run_is_kept(tmp_path: Path) -> None:
    """The sweep removes a dead run's folder, never one whose run still holds its lock."""
    from propos import workdir

    target = tmp_path / "propos"
    live = workdir.create(target, "build")  # held by this process
    dead = tmp_path / ".propos.build-999999999-abc"
    dead.mkdir()
    legacy = tmp_path / ".propos.build-x1y2z3"
    legacy.mkdir()
    assert workdir.remove_stale(target, "build") == [dead, legacy]
    assert live.is_dir() and not dead.exists() and not legacy.exists()
    workdir.discard(live)
    assert strays(tmp_path) == []
