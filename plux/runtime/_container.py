"""The state a plugin manager keeps for each plugin, and specs that resolve on first use."""

from __future__ import annotations

import _thread

from plux.core._typing import Generic, TypeVar
from plux.core.plugin import Plugin, PluginSpec
from plux.runtime._lifecycle import PluginState

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from importlib.metadata import Distribution
    from typing import Any

    from plux.core.plugin import PluginFactory
    from plux.runtime._index import IndexedEntryPoint

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
    """One plugin of a manager: its name, spec and lifecycle :attr:`state`.

    The other fields (``plugin``, ``load_value``, ``is_init``, ``is_loaded``, ``init_error``,
    ``load_error``, ``resolve_error``, ``is_disabled``, ``disabled_reason``) are read-only views
    of the state, as plux 1.16 users read them. ``is_init`` means the factory returned,
    ``is_loaded`` that ``load`` returned; errors are raised again by later loads.
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
        self.state = PluginState.start(plugin_spec)
        """Where the plugin is in its lifecycle; the manager replaces it at each step."""
        self._resolve = resolve
        self._lazy_spec: LazyPluginSpec | None = None
        self.lock = _thread.RLock()
        self._distribution: Distribution | None = None

    @property
    def resolved_spec(self) -> PluginSpec | None:
        """The plugin's spec once its entry point was imported, else None."""
        return self.state.spec

    @property
    def plugin(self) -> P | None:
        """The plugin instance, once its factory returned."""
        return self.state.plugin  # type: ignore[return-value]

    @property
    def load_value(self) -> Any:
        """What the plugin's ``load`` returned, while it is loaded."""
        return self.state.load_value

    @property
    def is_init(self) -> bool:
        """Whether the factory returned (true also when a later step failed or disabled it)."""
        return self.state.plugin is not None

    @property
    def is_loaded(self) -> bool:
        """Whether ``load`` returned (and no listener of ``on_load_after`` undid it)."""
        return self.state.phase == "loaded"

    @property
    def is_disabled(self) -> bool:
        """Whether a filter, ``should_load()`` or a listener disabled the plugin."""
        return self.state.phase == "disabled"

    @property
    def disabled_reason(self) -> str | None:
        """Why the plugin is disabled, if it is and a reason was given."""
        return self.state.reason

    @property
    def resolve_error(self) -> Exception | None:
        """The PluginException resolving the entry point ended in."""
        return self.state.error_of("resolve")

    @property
    def init_error(self) -> Exception | None:
        """The error the factory (or a listener of ``on_init_after``) raised."""
        return self.state.error_of("init")

    @property
    def load_error(self) -> Exception | None:
        """The error ``should_load``, ``load`` (or a listener of a load hook) raised."""
        return self.state.error_of("should_load", "load")

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
        return self.state.spec is not None

    @property
    def distribution(self) -> Distribution | None:
        """The installed distribution the plugin comes from, or None if it is not installed."""
        if self._distribution is None:
            from plux.runtime._origin import distribution_of

            self._distribution = distribution_of(self.entry_point, self.resolved_spec)
        return self._distribution

    def __repr__(self) -> str:
        return f"PluginContainer({self.name!r}, {self.state!r})"
