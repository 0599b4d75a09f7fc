"""The suite's own rules: property tests give the same answer on every run of every checkout, and
a patch of plux's internals fails when what it patches is gone."""

from __future__ import annotations

import runpy

import pytest
from hypothesis import given, settings, strategies as st

from .conftest import METADATA_READS


def test_hypothesis_examples_are_the_same_on_every_run() -> None:
    """Every property test draws a fixed sequence of examples and reads no saved failures."""
    assert settings.default.derandomize is True
    assert settings.default.database is None


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
