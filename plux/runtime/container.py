"""The state a plugin manager keeps for each plugin, and specs that resolve on first use."""

from __future__ import annotations

import _thread

from plux.core.generic import Generic, TypeVar
from plux.core.plugin import Plugin, PluginSpec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from plux.core.plugin import PluginFactory
    from plux.runtime.index import IndexedEntryPoint
    from plux.runtime.metadata import Distribution

P = TypeVar("P", bound=Plugin)


class LazyPluginSpec(PluginSpec):
    """A spec known by namespace and name from entry point metadata alone.

    Reading ``factory`` imports the entry point (through the manager, so listeners hear of it)
    and may raise the :class:`~plux.core.plugin.PluginException` that resolution ended in.
    """

    def __init__(self, namespace: str, name: str, location: str, resolve: Callable[[], PluginSpec]):
        # PluginSpec.__init__ is skipped on purpose: it would assign ``factory``.
        self.namespace = namespace
        self.name = name
        self.location = location
        self._resolve = resolve

    @property
    def factory(self) -> PluginFactory:  # type: ignore[override]
        return self._resolve().factory

    def __repr__(self) -> str:
        return f"PluginSpec({self.namespace}.{self.name} = {self.location} (not yet resolved))"

    __str__ = __repr__  # PluginSpec's would read ``factory``, importing the plugin


class PluginContainer(Generic[P]):
    """One plugin of a manager: its spec, the plugin instance, and where in its lifecycle it is.

    ``is_init`` means the factory returned, ``is_loaded`` that ``load`` returned. Errors of each
    step are kept (``resolve_error``, ``init_error``, ``load_error``) and raised again by later
    loads; a disabled plugin has ``is_disabled`` and ``disabled_reason``.
    """

    def __init__(
        self,
        name: str,
        plugin_spec: PluginSpec | None = None,
        entry_point: IndexedEntryPoint | None = None,
        resolve: Callable[[PluginContainer[P]], PluginSpec] | None = None,
    ) -> None:
        self.name = name
        self.entry_point = entry_point
        """The installed entry point this plugin was found at (None with a custom finder)."""
        self.resolved_spec: PluginSpec | None = plugin_spec
        self._resolve = resolve
        self._lazy_spec: LazyPluginSpec | None = None
        self.plugin: P | None = None
        self.load_value: Any = None
        self.is_init = False
        self.is_loaded = False
        self.is_disabled = False
        self.disabled_reason: str | None = None
        self.resolve_error: Exception | None = None
        self.init_error: Exception | None = None
        self.load_error: Exception | None = None
        self.lock = _thread.RLock()
        self._distribution: Distribution | None = None

    @property
    def plugin_spec(self) -> PluginSpec:
        """The plugin's spec; for a plugin not yet resolved, one whose ``factory`` resolves it."""
        if self.resolved_spec is not None:
            return self.resolved_spec
        if self._lazy_spec is None:
            entry_point, resolve = self.entry_point, self._resolve
            # only containers made from entry points start unresolved, and they get a resolver
            assert entry_point is not None and resolve is not None
            self._lazy_spec = LazyPluginSpec(
                entry_point.group, self.name, entry_point.value, lambda: resolve(self)
            )
        return self._lazy_spec

    @property
    def is_resolved(self) -> bool:
        """Whether the plugin's entry point was imported and its spec made."""
        return self.resolved_spec is not None

    @property
    def distribution(self) -> Distribution | None:
        """The installed distribution the plugin comes from, or None if it is not installed."""
        if self._distribution is None:
            from plux.runtime.metadata import Distribution, resolve_distribution_information

            if self.entry_point is not None:
                self._distribution = Distribution.at(self.entry_point.path)
            elif self.resolved_spec is not None:
                self._distribution = resolve_distribution_information(self.resolved_spec)
        return self._distribution

    def __repr__(self) -> str:
        state = (
            "disabled"
            if self.is_disabled
            else "loaded"
            if self.is_loaded
            else "init"
            if self.is_init
            else "resolved"
            if self.is_resolved
            else "known"
        )
        return f"PluginContainer({self.name!r}, {state})"
