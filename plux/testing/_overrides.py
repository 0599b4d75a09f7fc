"""One ``plux.testing.plugins`` block in force: its in-memory plugins and the managers it took.

A manager follows the block of its namespace (``plux.runtime.manager._overrides``) the next time
it lists its plugins: it puts its own state aside and serves fresh containers from here. At the
end of the block each manager gets back the state it put aside, as it was.
"""

from __future__ import annotations

from plux.runtime._conflicts import provider, spec_side
from plux.runtime.manager import PluginContainer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from plux.core.plugin import PluginSpec
    from plux.runtime.manager import PluginManager, _Conflict

    Collected = tuple[dict[str, PluginContainer[Any]], list[_Conflict]]


class Override:
    """The plugins one block gives ``namespace``, hiding the installed ones or merged with them."""

    def __init__(self, namespace: str, specs: Sequence[PluginSpec], hide_installed: bool) -> None:
        self.namespace = namespace
        self.specs = list(specs)
        self.hide_installed = hide_installed
        self._adopted: list[tuple[PluginManager[Any], tuple[Any, ...]]] = []
        self._in_memory: dict[int, PluginContainer[Any]] = {}

    def adopt(self, manager: PluginManager[Any]) -> None:
        """Make ``manager`` serve this block's plugins, keeping its own state for the end."""
        with manager._index_lock:
            if manager._view is not self:
                self._adopted.append((manager, manager._swap_state(view=self)))

    def collect(self, manager: PluginManager[Any], installed: Callable[[], Collected]) -> Collected:
        """The plugins ``manager`` serves in the block: the in-memory ones, after the installed
        ones unless they are hidden; an in-memory plugin wins a name over an installed one."""
        by_name, conflicts = installed() if not self.hide_installed else ({}, [])
        for spec in self.specs:
            container: PluginContainer[Any] = PluginContainer(spec.name, plugin_spec=spec)
            self._in_memory[id(container)] = container
            taken = by_name.get(spec.name)
            if taken is not None:
                ignored = provider(taken.entry_point) if taken.entry_point else None
                conflicts.append(
                    (spec.name, spec_side(spec), ignored or spec_side(taken.plugin_spec))
                )
            by_name[spec.name] = container
        return by_name, conflicts

    def owns(self, container: PluginContainer[Any]) -> bool:
        """Whether ``container`` holds one of the block's in-memory plugins."""
        return self._in_memory.get(id(container)) is container

    def restore(self) -> None:
        """Give every manager the block took over its state back; forget the plugins."""
        for manager, state in reversed(self._adopted):
            manager._swap_state(state)
        self._adopted.clear()
        self._in_memory.clear()
        self.specs.clear()
