"""The pytest fixture ``plux_plugins``: opt in with ``pytest_plugins = ["plux.testing.pytest"]``.

plux registers no ``pytest11`` entry point: the fixture is never loaded unless a test suite asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from plux.testing import plugins

__all__ = ["plux_plugins"]


@pytest.fixture
def plux_plugins() -> Iterator[Callable[..., None]]:
    """``plux_plugins(namespace, items, *, hide_installed=True)`` gives ``namespace`` the
    in-memory plugins ``items`` until the end of the test (see :class:`plux.testing.plugins`)."""
    with ExitStack() as stack:

        def give(namespace: str, items: Iterable[Any], *, hide_installed: bool = True) -> None:
            stack.enter_context(plugins(namespace, items, hide_installed=hide_installed))

        yield give
