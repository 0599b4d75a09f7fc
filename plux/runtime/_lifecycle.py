"""A plugin's lifecycle in a manager: the state it is in, the container that holds that state,
and who takes it through its load.

- :class:`PluginState`: the phase a plugin is in, and the step and error (or reason) that ended it;
- :class:`PluginContainer`: one plugin of a manager, its name, entry point and state, and a spec
  that resolves on first use;
- :class:`LoadTracker`: each plugin is loaded by one thread at a time, and a load cycle (within one
  thread or across several) is an error instead of a deadlock.
"""

from __future__ import annotations

import _thread

from plux.core._typing import Generic, TypeVar
from plux.core.plugin import Plugin, PluginException, PluginSpec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from importlib.metadata import Distribution
    from types import TracebackType
    from typing import Any, Literal

    from plux.core.plugin import PluginFactory
    from plux.runtime._index import IndexedEntryPoint

    Phase = Literal["listed", "resolved", "initialised", "loaded", "disabled", "failed"]
    """``listed``: known from entry point metadata only; ``resolved``: its spec is made;
    ``initialised``: the factory returned; ``loaded``: ``load`` returned; ``disabled`` and
    ``failed`` end the lifecycle at the state's ``step``."""

    Step = Literal["resolve", "filter", "init", "should_load", "load"]
    """The steps of a load, in order. A listener that raises a PluginException fails or
    disables the plugin at the step its hook belongs to (``on_init_after``: init)."""

__all__ = ["LoadTracker", "P", "PluginContainer", "PluginState", "loading"]

P = TypeVar("P", bound=Plugin)


class PluginState:
    """Where one plugin is in its lifecycle. Never changed: each step makes a new state.

    ``spec`` once resolved, ``plugin`` once the factory returned (kept when a later step fails),
    ``load_value`` while loaded; ``step`` with ``error`` (failed) or ``reason`` (disabled).
    """

    __slots__ = ("phase", "spec", "plugin", "load_value", "step", "error", "reason")

    def __init__(
        self,
        phase: Phase,
        spec: PluginSpec | None = None,
        plugin: Plugin | None = None,
        load_value: Any = None,
        step: Step | None = None,
        error: Exception | None = None,
        reason: str | None = None,
    ) -> None:
        self.phase: Phase = phase
        self.spec = spec
        self.plugin = plugin
        self.load_value = load_value
        self.step: Step | None = step
        self.error = error
        self.reason = reason

    @classmethod
    def start(cls, spec: PluginSpec | None) -> PluginState:
        """The state of a plugin known by its spec (resolved), or by metadata alone (listed)."""
        return cls("listed") if spec is None else cls("resolved", spec)

    def resolved(self, spec: PluginSpec) -> PluginState:
        return PluginState("resolved", spec)

    def initialised(self, plugin: Plugin) -> PluginState:
        return PluginState("initialised", self.spec, plugin)

    def loaded(self, load_value: Any) -> PluginState:
        return PluginState("loaded", self.spec, self.plugin, load_value)

    def unloaded(self) -> PluginState:
        """The state after teardown: resolved again, so that a load makes a new plugin."""
        return PluginState("resolved", self.spec)

    def disabled(self, step: Step, reason: str | None) -> PluginState:
        return PluginState("disabled", self.spec, self.plugin, step=step, reason=reason)

    def failed(self, step: Step, error: Exception) -> PluginState:
        return PluginState("failed", self.spec, self.plugin, step=step, error=error)

    @property
    def is_final(self) -> bool:
        """Whether a load must not run again: disabled, or failed at any step but ``filter``.

        Filters are the application's configuration, which it may fix (e.g.
        ``global_plugin_filter.exclusions.clear()``): the next load consults them again.
        """
        return self.phase == "disabled" or (self.phase == "failed" and self.step != "filter")

    def error_of(self, *steps: Step) -> Exception | None:
        """The error the plugin failed with, if it failed at one of ``steps``."""
        return self.error if self.phase == "failed" and self.step in steps else None

    def __repr__(self) -> str:
        ended = f" at {self.step}: {self.error or self.reason}" if self.step else ""
        return f"<{self.phase}{ended}>"


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


class LoadTracker:
    """Guards plugin loads with each container's lock and keeps the wait-for graph of threads."""

    def __init__(self) -> None:
        self._graph_lock = _thread.allocate_lock()
        self._owner: dict[int, int] = {}  # id(container) -> thread loading it
        self._waiting: dict[int, PluginContainer[Any]] = {}  # thread -> container it waits for
        self._stacks: dict[int, list[PluginContainer[Any]]] = {}  # thread -> loads in progress

    def loading(self, container: PluginContainer[Any]) -> _Loading:
        """A context in which the calling thread alone loads ``container``.

        :raises PluginException: if entering would close a cycle of loads, naming the cycle.
        """
        return _Loading(self, container)

    def _enter(self, container: PluginContainer[Any]) -> None:
        me = _thread.get_ident()
        with self._graph_lock:
            chain = [container]
            owner = self._owner.get(id(container))
            while owner is not None:
                if owner == me:
                    raise self._cycle_error(me, chain)
                waited_for = self._waiting.get(owner)
                if waited_for is None:
                    break
                chain.append(waited_for)
                owner = self._owner.get(id(waited_for))
            self._waiting[me] = container
        try:
            container.lock.acquire()
        finally:
            with self._graph_lock:
                del self._waiting[me]
        with self._graph_lock:
            self._owner[id(container)] = me
            self._stacks.setdefault(me, []).append(container)

    def _exit(self, container: PluginContainer[Any]) -> None:
        me = _thread.get_ident()
        with self._graph_lock:
            del self._owner[id(container)]
            stack = self._stacks[me]
            stack.pop()
            if not stack:
                del self._stacks[me]
        container.lock.release()

    def _cycle_error(self, me: int, chain: list[PluginContainer[Any]]) -> Exception:
        # The loads this thread has in progress, from the one the cycle starts at, then the chain
        # of plugins other threads hold that leads back here.
        stack = self._stacks.get(me, [])
        start = next((i for i, c in enumerate(stack) if c in chain), len(stack))
        names = [c.name for c in stack[start:]] + [c.name for c in chain]
        if names[0] != names[-1]:
            names.append(names[0])
        return PluginException("plugin load cycle: " + " -> ".join(names), name=chain[0].name)


class _Loading:
    def __init__(self, tracker: LoadTracker, container: PluginContainer[Any]) -> None:
        self._tracker = tracker
        self._container = container

    def __enter__(self) -> None:
        self._tracker._enter(self._container)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._tracker._exit(self._container)


_tracker = LoadTracker()
"""One for the process: a load cycle may run through several managers."""


def loading(container: PluginContainer[Any]) -> _Loading:
    """A context in which the calling thread alone loads ``container`` (:meth:`LoadTracker.loading`
    of the process's tracker)."""
    return _tracker.loading(container)
