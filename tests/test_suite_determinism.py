"""The suite's own rules: property tests give the same answer on every run of every checkout."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st


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
