"""Fuzzing every entry point that reads outside input: real files mutated by hypothesis.

Each input must end accepted or refused (a ProposError, which the command prints as one line),
within a time bound linear in its size, and what an importer or `propos clean` writes must
validate (benchmark/reliability/fuzzers.py says exactly what is checked). Most examples call
the library function the command calls; a few go through the real `propos` console script and
must exit 0, 1 or 2 without a traceback. benchmark/reliability/fuzz.py runs the same fuzzers at
a larger count and writes benchmark/RELIABILITY.md.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from .conftest import ROOT, load_script

fuzzers = load_script(ROOT / "benchmark" / "reliability" / "fuzzers.py", "reliability_fuzzers")
LIBRARY_EXAMPLES = 12
COMMAND_EXAMPLES = {"evaluate": 1, "leaderboard": 1}  # the others: 2
FUZZ_SETTINGS = settings(
    deadline=None,  # the bound is fuzzers.time_bound, linear in the input
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    fuzzers.warm_up()


@pytest.mark.parametrize("fuzzer", fuzzers.FUZZERS, ids=lambda fuzzer: fuzzer.entry)
def test_library_entry_points_refuse_or_accept_in_time(fuzzer: fuzzers.Fuzzer) -> None:
    @settings(FUZZ_SETTINGS, max_examples=LIBRARY_EXAMPLES)
    @given(fuzzer.inputs())
    def run(given_input: fuzzers.Input) -> None:
        fuzzers.in_fresh_folder(lambda folder: fuzzer.run(fuzzer.entry, given_input, folder))

    run()
    tally = fuzzers.TALLIES[fuzzer.entry].outcomes
    assert tally["accepted"] + tally["refused"] >= LIBRARY_EXAMPLES, tally


@pytest.mark.parametrize("entry", sorted(fuzzers.COMMANDS))
def test_commands_exit_0_1_or_2_without_traceback(entry: str) -> None:
    @settings(FUZZ_SETTINGS, max_examples=COMMAND_EXAMPLES.get(entry, 2))
    @given(fuzzers.COMMANDS[entry]())
    def run(given_input: fuzzers.Input) -> None:
        fuzzers.in_fresh_folder(lambda folder: fuzzers.run_command(entry, given_input, folder))

    run()


def test_the_time_bound_grows_linearly_with_the_input() -> None:
    bounds = [fuzzers.time_bound(size) for size in (0, 10_000, 20_000, 40_000)]
    steps = [later - earlier for earlier, later in itertools.pairwise(bounds)]
    assert steps[0] == pytest.approx(steps[1]) == pytest.approx(steps[2] / 2)
    assert steps[0] > 0


def test_a_crash_is_not_taken_for_a_refusal(tmp_path: Path) -> None:
    """The harness itself: an exception other than ProposError/OSError propagates and is
    counted as a crash; a ProposError is a refusal."""
    from propos.errors import ProposError

    def crashes() -> None:
        raise TypeError("unhashable type: 'list'")

    def refuses() -> None:
        raise ProposError("bad input")

    with pytest.raises(TypeError):
        fuzzers.bounded("harness check", 10, crashes)
    assert fuzzers.bounded("harness check", 10, refuses) is None
    assert fuzzers.TALLIES["harness check"].outcomes == {"crash": 1, "refused": 1}
