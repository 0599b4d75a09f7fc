"""Test isolation: give a namespace in-memory plugins for the length of a block or a test.

``plugins(namespace, items)`` reaches every manager of the namespace, those made at import time
included, and restores them at the end. The pytest fixture ``plux_plugins`` is in
:mod:`plux.testing.pytest`, enabled with ``pytest_plugins = ["plux.testing.pytest"]``.
"""

from __future__ import annotations

import functools
import inspect
import threading
from contextlib import ContextDecorator

from plux.core.plugin import Plugin, PluginSpec, PluginSpecResolver
from plux.runtime import manager as _manager
from plux.testing._overrides import Override

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any, TypeVar

    F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["plugins"]

_lock = threading.Lock()
_stacks: dict[str, list[Override]] = {}
"""The blocks in force, innermost last, by namespace."""


class plugins(ContextDecorator):  # noqa: N801 (used like a function, as contextlib's are)
    """Give ``namespace`` exactly ``items`` (Plugin classes, ``PluginSpec``\\ s, ``@plugin``
    functions or plugin objects) while the block or the decorated function runs.

    Every manager of ``namespace`` serves them, including managers made before (at import
    time). With ``hide_installed=False`` they are added to the installed plugins and win a name
    over them (``on_conflict`` fires). ``PLUX_ENABLE``/``PLUX_DISABLE`` and a manager's
    ``enable=``/``disable=`` never switch them off. On exit every manager is as it was before:
    what it loaded in the block is forgotten. Blocks nest; other namespaces are untouched.

    :raises ValueError: for an item that is not a plugin, is one of another namespace, or
        shares its name with another item.
    """

    def __init__(
        self, namespace: str, items: Iterable[Any], *, hide_installed: bool = True
    ) -> None:
        self.namespace = namespace
        self.items = list(items)
        self.hide_installed = hide_installed
        self._entered: list[Override] = []

    def __enter__(self) -> plugins:
        override = Override(self.namespace, _specs(self.namespace, self.items), self.hide_installed)
        with _lock:
            _stacks.setdefault(self.namespace, []).append(override)
            _manager._overrides[self.namespace] = override
        self._entered.append(override)
        return self

    def __call__(self, func: F) -> F:
        """Decorate ``func``: each call runs in a block of its own (awaited, for a coroutine
        function, so that the block lasts until the coroutine ends)."""
        if not inspect.iscoroutinefunction(func):
            return super().__call__(func)

        @functools.wraps(func)
        async def in_block(*args: Any, **kwargs: Any) -> Any:
            with self:
                return await func(*args, **kwargs)

        return in_block  # type: ignore[return-value]

    def __exit__(self, *exc_info: object) -> None:
        override = self._entered.pop()
        with _lock:
            stack = _stacks[self.namespace]
            stack.remove(override)
            if stack:
                _manager._overrides[self.namespace] = stack[-1]
            else:
                del _stacks[self.namespace], _manager._overrides[self.namespace]
        override.restore()


def _specs(namespace: str, items: list[Any]) -> list[PluginSpec]:
    specs: dict[str, PluginSpec] = {}
    resolver = PluginSpecResolver()
    for item in items:
        if isinstance(item, Plugin):
            name = getattr(item, "name", None)
            if not isinstance(name, str):
                raise ValueError(f"plugin object {item!r} has no name: set its 'name'")
            spec = PluginSpec(getattr(item, "namespace", namespace), name, _returning(item))
        else:
            spec = resolver.resolve(item)
        if spec.namespace != namespace:
            raise ValueError(
                f"{item!r} is a plugin of namespace {spec.namespace}, not of {namespace}"
            )
        if spec.name in specs:
            raise ValueError(f"two plugins named {spec.name} given for namespace {namespace}")
        specs[spec.name] = spec
    return list(specs.values())


def _returning(plugin: Plugin) -> Any:
    """A factory that returns ``plugin`` itself."""
    return lambda: plugin
