"""`propos bundle codabench`: the test split as a Codabench (and CodaLab) competition bundle."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from propos.cli._common import RootOption, open_corpus, reports_errors, say
from propos.errors import ProposError

app = typer.Typer(
    help="Competition bundles for hosting the benchmark on a platform.", no_args_is_help=True
)


@app.command()
@reports_errors
def codabench(
    out: Annotated[Path, typer.Option(help="Folder to write the bundle in.")],
    root: RootOption = None,
    zip_file: Annotated[
        Path | None,
        typer.Option(
            "--zip", help="Also write the bundle as this zip (what the platform uploads)."
        ),
    ] = None,
    docker_image: Annotated[
        str,
        typer.Option(
            help="Image the scoring program runs in: Python >= 3.11 with propos installed (build"
            " it from the bundle's docker/Dockerfile)."
        ),
    ] = "propos-scoring:latest",
    start: Annotated[
        str | None, typer.Option(help="Start date of the phase, YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Write a Codabench competition bundle: competition.yaml (version 2), the reference data of
    the test split, and a scoring program that runs the Propos scorer on input/res against
    input/ref and writes scores.json (Codabench) and scores.txt (CodaLab).
    """
    from propos.bundle import write_codabench

    try:
        first_day = date.fromisoformat(start) if start else date.today()
    except ValueError as exc:
        raise ProposError(f"--start {start}: not a date written YYYY-MM-DD", 2) from exc
    written = write_codabench(open_corpus(root), out, docker_image, first_day, zip_file)
    say(
        f"bundle codabench: {len(written)} files -> {out}"
        + (f" and {zip_file}" if zip_file else "")
    )


def register(app_: typer.Typer) -> None:
    app_.add_typer(app, name="bundle")
