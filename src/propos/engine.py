"""Run a stage's tasks: in this process, on a local Dask cluster, or on an existing one.

A task is a module-level function called with one partition (a list of documents or files)
and the stage's explicit arguments; it reads nothing from globals, so it runs the same under
fork, spawn or on another machine. `run_tasks` yields one result per partition, in the order
of the partitions whatever the engine, so the driver writes the same bytes with 1 worker or
50. With ``workers`` 1 and no scheduler (or a single partition and no scheduler), the tasks
run in this process and Dask is not imported; with ``workers`` > 1 they run on a
`distributed.LocalCluster` of that many single-threaded worker processes (started with
spawn) for the run; with a scheduler address they run on that existing cluster
(`docs/scaling.md`). At most IN_FLIGHT_PER_WORKER partitions per worker are in flight, so
results do not pile up on the driver faster than it commits them.
"""

from __future__ import annotations

import logging
import pickle
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from propos.errors import ProposError

Item = TypeVar("Item")
Result = TypeVar("Result")

IN_FLIGHT_PER_WORKER = 4


@dataclass(frozen=True)
class Engine:
    """Where tasks run: ``workers`` local processes, or the Dask cluster at ``scheduler``."""

    workers: int = 1
    scheduler: str | None = None
    # Set by `shared_cluster`: one client for every run_tasks call of a stage.
    cluster: SharedCluster | None = field(default=None, compare=False, repr=False)

    @property
    def in_process(self) -> bool:
        return self.scheduler is None and self.workers <= 1


SERIAL = Engine()


class SharedCluster:
    """A client started on first use and kept for several run_tasks calls: a stage that runs
    two kinds of task (check the lines, then score them) starts one local cluster, not two."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._client: Any = None

    def client(self, engine: Engine, desc: str) -> Any:
        if self._client is None:
            self._client = self._stack.enter_context(_client(engine, desc))
        return self._client

    def close(self) -> None:
        self._stack.close()


@contextmanager
def shared_cluster(engine: Engine) -> Iterator[Engine]:
    """``engine``, whose run_tasks calls share one cluster, started only if a call needs it."""
    if engine.in_process or engine.cluster is not None:
        yield engine
        return
    cluster = SharedCluster()
    try:
        yield replace(engine, cluster=cluster)
    finally:
        cluster.close()


def partitions(items: Sequence[Item], size: int) -> list[list[Item]]:
    """Consecutive slices of ``size`` items: fixed by the input alone, not by the engine."""
    if size < 1:
        raise ValueError("partition size must be at least 1")
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def run_tasks(
    task: Callable[..., Result],
    parts: Sequence[Any],
    arguments: tuple[Any, ...] = (),
    engine: Engine = SERIAL,
    desc: str = "",
    show_progress: bool = False,
) -> Iterator[Result]:
    """``task(part, *arguments)`` for every part, yielded in the order of ``parts``.

    An error inside a task comes back as the ProposError or OSError it raised (naming its
    file); any other failure, in the task or in the cluster, as a ProposError naming the stage.
    """
    from tqdm import tqdm

    progress = tqdm(total=len(parts), desc=desc, unit="part", disable=not show_progress)
    try:
        if engine.in_process or (engine.scheduler is None and len(parts) < 2):
            for part in parts:
                yield task(part, *arguments)
                progress.update()
            return
        with ExitStack() as stack:
            if engine.cluster is not None:
                client = engine.cluster.client(engine, desc)
            else:
                client = stack.enter_context(_client(engine, desc))
            for result in _distributed(client, task, parts, arguments, desc):
                yield result
                progress.update()
    finally:
        progress.close()


@contextmanager
def _client(engine: Engine, desc: str) -> Iterator[Any]:
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ProposError(f"{desc}: parallel runs need dask and distributed ({exc})") from exc
    for name in ("distributed", "tornado"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if engine.scheduler is not None:
        try:
            # The wait is dask's distributed.comm.timeouts.connect (30 s unless configured).
            client = Client(engine.scheduler)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise ProposError(
                f"{desc}: cannot reach the Dask scheduler at {engine.scheduler} ({exc})"
            ) from exc
        with client:
            yield client
        return
    try:
        # A worker samples its task's stack every 10 ms for the dashboard's profile, which no
        # one reads during a command: a quarter more CPU for a validate worker (docs/scaling.md).
        with dask.config.set({"distributed.worker.profile.enabled": False}):
            cluster = LocalCluster(
                n_workers=engine.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                # A failed task comes back to the command as its one error line; the workers'
                # own ERROR log of it would print the task's traceback as well.
                silence_logs=logging.CRITICAL,
            )
    except (OSError, RuntimeError) as exc:  # a library caller without a __main__ guard, ...
        raise ProposError(
            f"{desc}: could not start a local Dask cluster of {engine.workers} workers ({exc});"
            " a script that runs stages with several workers needs"
            " `if __name__ == '__main__':` (worker processes are spawned)"
        ) from exc
    with cluster, Client(cluster) as client:
        yield client


def _distributed(
    client: Any, task: Callable[..., Any], parts: Sequence[Any], arguments: tuple[Any, ...],
    desc: str,
) -> Iterator[Any]:  # fmt: skip
    # One list of the arguments, each its own item: scatter would spread a collection given
    # alone (a set, a list) item by item, and fails on an empty one.
    shared = client.scatter(list(arguments), broadcast=True) if arguments else []
    workers = max(1, len(client.nthreads()))
    window = IN_FLIGHT_PER_WORKER * workers
    pending: deque[Any] = deque()
    next_part = 0
    while next_part < len(parts) or pending:
        while next_part < len(parts) and len(pending) < window:
            pending.append(
                client.submit(_call, task, parts[next_part], *shared, pure=False, retries=0)
            )
            next_part += 1
        future = pending.popleft()
        yield _result(future, desc)
        future.release()


def _result(future: Any, desc: str) -> Any:
    try:
        return pickle.loads(future.result())
    except (ProposError, OSError):
        raise
    except Exception as exc:  # the cluster's own failures: a lost worker, a cancelled task
        raise ProposError(f"{desc}: the Dask cluster failed: {type(exc).__name__}: {exc}") from exc


def _call(task: Callable[..., Any], part: Any, *arguments: Any) -> bytes:
    """Run one task on a worker; an unexpected error becomes a ProposError naming the part.

    The result goes back pickled, as one bytes object: distributed serialises a list element
    by element (a header and frames for each), which for a list of 256 small records took
    longer than the task itself."""
    try:
        result = task(part, *arguments)
    except (ProposError, OSError):
        raise
    except Exception as exc:
        raise ProposError(f"{_first(part)}: {type(exc).__name__}: {exc}") from exc
    return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)


def _first(part: Any) -> str:
    if isinstance(part, list) and part:
        first = part[0][0] if isinstance(part[0], tuple) and part[0] else part[0]
        return f"{first} (partition of {len(part)})"
    return str(part)
