"""Work folders beside an output, swapped in whole, and the leftovers of killed runs removed.

A stage that writes a folder (``build``, ``view``) or a set of files (``clean``) writes into a
work folder ``.<target>.<kind>-<pid>-<random>`` beside the target. While the run lives it
holds an exclusive ``flock`` on the folder, which the kernel releases when the process dies,
however it dies. The next run of the stage removes every such folder whose lock it can take
and whose process is gone; a folder of a run still going is never touched, so concurrent runs
do not delete each other's work.

The swap exchanges the work folder and the target in one ``renameat2(RENAME_EXCHANGE)`` call
(Linux): at every moment the target is the old folder or the new one, never missing. Where the
call is unavailable, the old folder is renamed aside and the new one renamed in (a moment
without the target, as the rename of a folder over a non-empty folder is not possible).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

from propos.fileio import current_umask

RENAME_EXCHANGE = 2
AT_FDCWD = -100
_LOCKS: dict[Path, int] = {}  # work folder -> the descriptor that holds its lock


def prefix(target: Path, kind: str) -> str:
    return f".{target.name}.{kind}-"


def legacy_prefixes(target: Path, kind: str) -> tuple[str, ...]:
    """Names earlier versions gave their work folders (without a process id, never locked)."""
    return (prefix(target, kind), f".{target.name}-", f".{target.name}.old")


def create(target: Path, kind: str) -> Path:
    """A new, locked work folder beside ``target``, after removing the stale ones."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target, kind)
    work = Path(tempfile.mkdtemp(prefix=f"{prefix(target, kind)}{os.getpid()}-", dir=target.parent))
    try:
        work.chmod(0o777 & ~current_umask())  # mkdtemp makes it private; the result is not
        _LOCKS[work] = _lock(work, blocking=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return work


def discard(work: Path) -> None:
    """Remove a work folder of this run (after a failure, or the old folder after a swap)."""
    shutil.rmtree(work, ignore_errors=True)
    release(work)


def release(work: Path) -> None:
    descriptor = _LOCKS.pop(work, None)
    if descriptor is not None:
        os.close(descriptor)


def _lock(folder: Path, blocking: bool) -> int:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _owner(name: str, start: str) -> int | None:
    head = name[len(start) :].split("-", 1)[0]
    return int(head) if head.isdigit() else None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own folders are created after the sweep: this one is a dead run's
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_folders(target: Path, kind: str) -> list[Path]:
    """Work folders of ``kind`` beside ``target`` whose run is over (killed or crashed)."""
    parent = target.parent
    if not parent.is_dir():
        return []
    found = []
    for entry in sorted(parent.iterdir()):
        start = next((p for p in legacy_prefixes(target, kind) if entry.name.startswith(p)), None)
        if start is None or not entry.is_dir() or entry.is_symlink() or entry == target:
            continue
        owner = _owner(entry.name, start) if start == prefix(target, kind) else None
        if owner is not None and _alive(owner):
            continue
        try:
            descriptor = _lock(entry, blocking=False)
        except OSError:
            continue  # a live run holds it (or it vanished meanwhile)
        os.close(descriptor)
        found.append(entry)
    return found


def remove_stale(target: Path, kind: str) -> list[Path]:
    removed = []
    for folder in stale_folders(target, kind):
        try:
            descriptor = _lock(folder, blocking=False)
        except OSError:
            continue
        try:
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            os.close(descriptor)
        removed.append(folder)
    return removed


@cache
def _renameat2() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    library = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    function = getattr(library, "renameat2", None)
    if function is not None:
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
        function.argtypes.append(ctypes.c_uint)
        function.restype = ctypes.c_int
    return function


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically; False when the system cannot (then nothing happened)."""
    function = _renameat2()
    if function is None:
        return False
    result = function(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def swap_in(built: Path, target: Path) -> None:
    """Replace ``target`` by ``built``: a reader sees the old folder or the new one, always."""
    for _ in range(3):  # another run may make the target between the check and the rename
        if target.exists():
            if not exchange(built, target):
                break
            discard(built)  # it now holds the old folder
            return
        try:
            os.replace(built, target)
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
            continue
        release(built)
        return
    # No atomic exchange here: rename the old folder aside, the new one in, then delete the old.
    aside = Path(tempfile.mkdtemp(prefix=f"{prefix(target, 'old')}{os.getpid()}-",
                                  dir=target.parent))  # fmt: skip
    os.replace(target, aside / target.name)
    os.replace(built, target)
    release(built)
    shutil.rmtree(aside, ignore_errors=True)
