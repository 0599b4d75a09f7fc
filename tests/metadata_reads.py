"""Counting or refusing plux's metadata reads in a test's fresh interpreter.

A test's code loads this file with ``runpy.run_path(METADATA_READS)`` (see ``tests/conftest.py``)
before it imports the plux code under test, then calls :func:`refuse` or :func:`count`. Each
patch fails at once if plux no longer has the function it replaces: a rename must not leave a
test that checks nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import plux.runtime._distributions as distributions

READERS = ("read_distribution_entry_points", "distribution_info")
"""The functions through which plux reads an installed distribution's metadata."""


def _patch(name: str, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    original = getattr(distributions, name, None)
    if original is None:
        raise AssertionError(
            f"plux.runtime._distributions.{name} does not exist: patching it would check "
            "nothing (was it renamed?)"
        )
    setattr(distributions, name, wrap(original))


def refuse(message: str, names: tuple[str, ...] = READERS) -> None:
    """Make every read through ``names`` fail with ``message``."""

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def refused(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError(message)

        return refused

    for name in names:
        _patch(name, wrap)


def count(names: tuple[str, ...] = READERS) -> list[str]:
    """Record every read through ``names``; the list returned grows with each read."""
    reads: list[str] = []

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            reads.append(original.__name__)
            return original(*args, **kwargs)

        return counted

    for name in names:
        _patch(name, wrap)
    return reads
