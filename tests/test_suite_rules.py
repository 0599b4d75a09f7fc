"""The suite's own rules: property tests give the same answer on every run of every checkout, and
a patch of plux's internals fails when what it patches is gone."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from property_support import FULL, QUICK, examples

from .conftest import METADATA_READS


@pytest.mark.parametrize("profile", [FULL, QUICK])
def test_hypothesis_examples_are_the_same_on_every_run(profile: str) -> None:
    """Every property test draws a fixed sequence of examples and reads no saved failures, in
    ``make test`` and in ``make unit``."""
    assert settings.get_profile(profile).derandomize is True
    assert settings.get_profile(profile).database is None


def test_this_run_draws_fixed_examples() -> None:
    """The profile this run loaded is deterministic too (conftest loads one before any test)."""
    assert settings.default.derandomize is True
    assert settings.default.database is None


def test_make_test_draws_each_propertys_own_count_and_make_unit_a_third() -> None:
    """A property's count is what the full run draws; the quick profile draws a third of it, and
    never fewer than 10."""
    assert examples(300, FULL).max_examples == 300
    assert examples(300, QUICK).max_examples == 102
    assert examples(20, QUICK).max_examples == 10


def test_only_the_inner_loop_loads_the_quick_profile() -> None:
    """``make unit`` passes the quick profile; ``make test``, which CI runs, draws in full."""
    makefile = (Path(__file__).parent.parent / "Makefile").read_text()
    recipes = [line for line in makefile.splitlines() if "pytest" in line and "\t" in line]
    assert [r for r in recipes if QUICK in r] == [r for r in recipes if "not integration" in r]


def test_a_property_draws_the_same_examples_twice() -> None:
    """A property run twice in one process (as in two runs) draws the same examples, even with
    its own ``@settings``."""
    seen: list[int] = []

    @settings(max_examples=5)
    @given(st.integers())
    def draw(n: int) -> None:
        seen.append(n)

    draw()
    first = list(seen)
    seen.clear()
    draw()
    assert seen == first


def test_patching_a_metadata_reader_that_does_not_exist_fails() -> None:
    """tests/metadata_reads.py refuses to patch a name plux no longer has (a rename would
    otherwise leave a test that checks nothing)."""
    reads = runpy.run_path(METADATA_READS)
    with pytest.raises(AssertionError, match="read_it_all does not exist"):
        reads["refuse"]("never", names=("read_it_all",))
    with pytest.raises(AssertionError, match="read_it_all does not exist"):
        reads["count"](names=("read_it_all",))
