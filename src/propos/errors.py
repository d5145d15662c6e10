"""The one error type the command line turns into a one-line message and an exit code."""

from __future__ import annotations


class ProposError(Exception):
    """A problem with the user's input, reported as one line without a traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def __reduce__(self) -> tuple[type[ProposError], tuple[str, int]]:
        # Raised in a Dask worker and re-raised here: the exit code travels with the message.
        return (ProposError, (str(self), self.exit_code))
