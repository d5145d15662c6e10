"""What every `propos` command shares: the corpus option, one-line errors, messages on stderr."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from propos.corpus import Corpus
from propos.engine import Engine
from propos.errors import ProposError

F = TypeVar("F", bound=Callable[..., Any])

RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="The corpus folder (corpus/, annotations/, benchmark/); default: the one that"
        " contains the current folder.",
        show_default=False,
    ),
]


SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Run the tasks on the existing Dask cluster at this address (tcp://HOST:8786);"
        " the workers must see the corpus at the same path (docs/scaling.md).",
        show_default=False,
    ),
]


def workers_option() -> Any:
    return typer.Option(
        help="Dask worker processes started on this machine for the run; 1 runs in this"
        " process, which is the quicker on small corpora (docs/scaling.md)."
    )


def engine_of(workers: int, scheduler: str | None) -> Engine:
    """Where a stage's tasks run; the library takes this, never the options themselves."""
    if workers < 1:
        raise ProposError(f"--workers must be at least 1, not {workers}", exit_code=2)
    return Engine(workers=workers, scheduler=scheduler)


class TableCsvFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def open_corpus(root: Path | None) -> Corpus:
    return Corpus.open(root)


def os_error_line(exc: OSError) -> str:
    """An operating-system error as one line naming the file ("permission denied", ...)."""
    reason = exc.strerror or exc.__class__.__name__
    where = exc.filename if exc.filename is not None else ""
    target = f" -> {exc.filename2}" if exc.filename2 is not None else ""
    return f"{where}{target}: {reason.lower()}" if where else reason.lower()


def reports_errors(command: F) -> F:
    """Turn a ProposError or an OSError into one line on stderr and an exit code, never a
    traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ProposError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            typer.echo(f"error: {os_error_line(exc)}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def say(message: str) -> None:
    """Progress and summaries go to stderr, so that stdout stays machine-readable."""
    typer.echo(message, err=True)
