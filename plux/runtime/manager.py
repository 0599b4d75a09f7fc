"""The plugin manager: knows the plugins of one namespace and takes each through its lifecycle.

By default plugins are known from installed entry point metadata alone; a plugin's module is
imported when that plugin is first loaded (or its spec's factory first read).
"""

from __future__ import annotations

import _thread

from plux.core._generic import Generic
from plux.core.plugin import (
    ConflictSide,
    PluginDisabled,
    PluginException,
    PluginLifecycleListener,
    PluginSpec,
    PluginSpecResolver,
    make_plugin,
)
from plux.runtime._container import P, PluginContainer
from plux.runtime._listeners import ListenerDispatcher, as_listeners
from plux.runtime._locking import LoadTracker
from plux.runtime._log import debug, log_error, logger
from plux.runtime.filter import PluginFilter, global_plugin_filter
from plux.runtime.resolve import describe_failure, import_entry_point_value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from plux.core.plugin import PluginFinder
    from plux.runtime._index import IndexedEntryPoint
    from plux.runtime._lifecycle import Step

__all__ = ["PluginContainer", "PluginManager"]

_tracker = LoadTracker()

FILTERED = "A plugin filter disabled this plugin before it was initialized"
"""The reason a plugin disabled by a filter gives (as plux 1.16 words it)."""
SHOULD_NOT_LOAD = "Load condition for plugin was false"
"""The reason a plugin whose ``should_load()`` returned False gives (as plux 1.16 words it)."""


class PluginManager(Generic[P]):
    """Finds the plugins of ``namespace`` and loads them, each at most once.

    ``load_args``/``load_kwargs`` are passed to every plugin's ``load``. ``listener`` is one
    listener (any object with lifecycle hooks, such as a :class:`PluginLifecycleListener`) or an
    iterable of them. ``finder`` replaces the installed entry points as the source of plugins (and
    resolves them all up front; its specs of other namespaces are left out). ``filters`` replace
    the process-wide :data:`~plux.runtime.filter.global_plugin_filter`; a filter returning True
    disables a plugin. Filters see a plugin's spec before its module is imported: one that
    matches on namespace, name or value spares a disabled plugin the import.

    A namespace without entry points lists no plugins; if installed namespaces are close to it
    (a typo), the manager logs a warning naming them, once.

    Any number of threads may load plugins at once: each plugin is created and loaded once.
    """

    def __init__(
        self,
        namespace: str,
        load_args: list[Any] | tuple[Any, ...] | None = None,
        load_kwargs: dict[str, Any] | None = None,
        listener: PluginLifecycleListener | Iterable[PluginLifecycleListener] | None = None,
        finder: PluginFinder | None = None,
        filters: list[PluginFilter] | None = None,
    ) -> None:
        self.namespace = namespace
        self.load_args: list[Any] | tuple[Any, ...] = load_args or []
        self.load_kwargs = load_kwargs or {}
        self._listeners = ListenerDispatcher(as_listeners(listener))
        self.finder = finder
        self.filters: list[PluginFilter] = (
            [global_plugin_filter] if filters is None else list(filters)
        )
        self._spec_resolver = PluginSpecResolver()
        self._index_lock = _thread.RLock()
        self._by_name: dict[str, PluginContainer[P]] | None = None
        # other names a plugin answers to: entry point names that differ from the declared name
        self._aliases: dict[str, PluginContainer[P]] = {}

    @property
    def listeners(self) -> list[PluginLifecycleListener]:
        """The listeners, in the order they hear of each event."""
        return self._listeners.listeners

    @listeners.setter
    def listeners(self, listeners: list[PluginLifecycleListener]) -> None:
        self._listeners.listeners = listeners

    def add_listener(self, listener: PluginLifecycleListener) -> None:
        """Add a listener; it hears of every lifecycle event from now on."""
        self.listeners.append(listener)

    def load(self, name: str) -> P:
        """Load the plugin ``name`` (once) and return the plugin instance.

        :raises ValueError: if the namespace has no plugin of that name (naming close ones).
        :raises PluginDisabled: if the plugin is disabled, now and on every later call.
        :raises PluginException: if the plugin's entry point cannot be resolved, or there is a
            load cycle.
        :raises Exception: the error its factory or ``load`` raised, now and on every later call;
            or the error a filter raised (the next call consults the filters again).
        """
        container = self._require(name)
        if container.is_loaded:
            return container.plugin  # type: ignore[return-value]
        return self._load(container)

    def load_all(self, propagate_exceptions: bool = False) -> list[P]:
        """Load every plugin of the namespace, in entry point order; return those that loaded.

        Disabled plugins are skipped quietly; failures are logged and skipped, or raised with
        ``propagate_exceptions``.
        """
        plugins = []
        for container in self.list_containers():
            if container.is_disabled:
                continue
            try:
                plugins.append(self._load(container))
            except PluginDisabled as e:
                debug("%s", e)
            except Exception as e:
                if propagate_exceptions:
                    raise
                log_error(
                    "exception while loading plugin %s:%s: %s", self.namespace, container.name, e
                )
        return plugins

    def list_names(self) -> list[str]:
        """The names of the namespace's plugins, in entry point order; imports no plugin."""
        return list(self._plugins())

    def list_containers(self) -> list[PluginContainer[P]]:
        """The containers of all plugins, in entry point order; imports no plugin."""
        return list(self._plugins().values())

    def list_plugin_specs(self) -> list[PluginSpec]:
        """The specs of all plugins; a spec not yet resolved resolves when its factory is read."""
        return [container.plugin_spec for container in self.list_containers()]

    def get_container(self, name: str) -> PluginContainer[P]:
        """The container of plugin ``name``.

        :raises ValueError: if the namespace has no plugin of that name (naming close ones).
        """
        return self._require(name)

    def exists(self, name: str) -> bool:
        """Whether the namespace has a plugin ``name`` (declared or entry point name)."""
        return self._find(name) is not None

    def is_loaded(self, name: str) -> bool:
        """Whether plugin ``name`` exists and has been loaded."""
        container = self._find(name)
        return container is not None and container.is_loaded

    def _plugins(self) -> dict[str, PluginContainer[P]]:
        by_name = self._by_name
        if by_name is not None:
            return by_name
        with self._index_lock:
            if self._by_name is None:
                by_name, conflicts = self._collect()
                self._by_name = by_name
            else:
                return self._by_name
        # Listeners run outside the lock: they may call back into this manager.
        for container in by_name.values():
            if container.resolved_spec is not None:
                self._listeners.on_resolve_after(container.resolved_spec)
        for name, chosen, ignored in conflicts:
            self._report_conflict(name, chosen, ignored)
        if not by_name and self.finder is None:
            self._warn_if_mistyped()
        return by_name

    def _warn_if_mistyped(self) -> None:
        """Warn that the namespace, which has no entry points, looks like a mistyped one."""
        # only an empty namespace pays for these
        from plux.runtime._suggest import NAMESPACE_CUTOFF, did_you_mean
        from plux.runtime.cache import EntryPointsCache

        groups = EntryPointsCache.instance().groups()
        suggestion = did_you_mean(self.namespace, groups, cutoff=NAMESPACE_CUTOFF)
        if suggestion:
            logger().warning("no plugins in namespace %s%s", self.namespace, suggestion)

    def _collect(self) -> tuple[dict[str, PluginContainer[P]], list[_Conflict]]:
        """The namespace's plugins by name, and the registrations of a taken name, left out."""
        by_name: dict[str, PluginContainer[P]] = {}
        conflicts: list[_Conflict] = []
        if self.finder is not None:
            for spec in self.finder.find_plugins():
                if spec.namespace != self.namespace:
                    continue  # a finder may know several namespaces; this manager serves one
                if spec.name in by_name:
                    chosen = by_name[spec.name].plugin_spec
                    conflicts.append((spec.name, _spec_side(chosen), _spec_side(spec)))
                else:
                    by_name[spec.name] = PluginContainer(spec.name, plugin_spec=spec)
            return by_name, conflicts

        from plux.runtime.cache import EntryPointsCache

        for entry_point in EntryPointsCache.instance().entry_points_of(self.namespace):
            name = entry_point.declared_name or entry_point.name
            taken = by_name.get(name)
            if taken is not None:
                assert taken.entry_point is not None  # every container made here has one
                conflicts.append(
                    (name, _entry_point_side(taken.entry_point), _entry_point_side(entry_point))
                )
                continue
            container: PluginContainer[P] = PluginContainer(
                name, entry_point=entry_point, resolve=self._resolve
            )
            by_name[name] = container
            if entry_point.name != name:
                self._aliases.setdefault(entry_point.name, container)
        return by_name, conflicts

    def _report_conflict(self, name: str, chosen: ConflictSide, ignored: ConflictSide) -> None:
        logger().warning(
            "plugin name conflict in namespace %s: %s is registered by %s and by %s; "
            "using the first (the earlier on sys.path)",
            self.namespace,
            name,
            chosen,
            ignored,
        )
        self._listeners.on_conflict(self.namespace, name, chosen, ignored)

    def _find(self, name: str) -> PluginContainer[P] | None:
        by_name = self._plugins()
        container = by_name.get(name) or self._aliases.get(name)
        if container is not None:
            return container
        # Entry points written by older tools may be lower-cased versions of the declared name:
        # try those, confirmed by the name their spec declares once imported.
        wanted = name.lower()
        for candidate in list(by_name.values()):
            entry_point = candidate.entry_point
            if candidate.is_resolved or entry_point is None or entry_point.name.lower() != wanted:
                continue
            try:
                self._resolve(candidate)
            except PluginException:
                continue
            if candidate.name == name:
                return candidate
        return None

    def _require(self, name: str) -> PluginContainer[P]:
        container = self._find(name)
        if container is None:
            from plux.runtime._suggest import did_you_mean  # only a mistake pays for it

            known = [*self._plugins(), *self._aliases]
            raise ValueError(
                f"no plugin named {name} in namespace {self.namespace}{did_you_mean(name, known)}"
            )
        return container

    def _resolve(self, container: PluginContainer[P]) -> PluginSpec:
        """Import the container's entry point and make its spec (once): the resolve step."""
        with container.lock:
            state = container.state
            if state.spec is not None:
                return state.spec
            if state.error is not None:
                raise state.error
            entry_point = container.entry_point
            assert entry_point is not None  # containers from a finder start resolved
            try:
                spec = self._spec_resolver.resolve(import_entry_point_value(entry_point.value))
            except Exception as cause:
                why = describe_failure(cause, entry_point.value)
                error = PluginException(
                    f"cannot resolve plugin {self.namespace}:{container.name} from entry point "
                    f"'{entry_point.name} = {entry_point.value}' of "
                    f"{_entry_point_side(entry_point)}: {why}",
                    self.namespace,
                    container.name,
                )
                error.__cause__ = cause
                container.state = state.failed("resolve", error)
                self._listeners.on_resolve_exception(
                    self.namespace, _metadata_entry_point(entry_point), cause
                )
                raise error from cause
            if spec.location is None:
                spec.location = entry_point.value
            container.state = state.resolved(spec)
        if spec.name != container.name:
            self._rename(container, spec.name)
        self._listeners.on_resolve_after(spec)
        return spec

    def _rename(self, container: PluginContainer[P], declared: str) -> None:
        """Know the plugin by the name its spec declares; older names stay aliases."""
        with self._index_lock:
            assert self._by_name is not None
            self._aliases[container.name] = container
            self._by_name = {
                (declared if c is container else n): c for n, c in self._by_name.items()
            }
            container.name = declared

    def _load(self, container: PluginContainer[P]) -> P:
        with _tracker.loading(container):
            state = container.state
            if state.phase == "loaded":
                return container.plugin  # type: ignore[return-value]
            if state.phase == "disabled":
                raise PluginDisabled(self.namespace, container.name, state.reason)
            if state.is_final:
                assert state.error is not None  # a failed state has its error
                raise state.error
            return self._run_lifecycle(container)

    def _run_lifecycle(self, container: PluginContainer[P]) -> P:
        """Take the plugin from its spec to loaded; the step it fails at is kept in its state."""
        step: Step = "filter"
        try:
            # Filters see what the index knows (namespace, name, value) before the plugin's
            # module is imported; one that reads the spec's factory resolves it.
            listed = container.plugin_spec
            self._filter(container, listed)
            step = "resolve"
            spec = self._resolve(container)
            if _identity(spec) != _identity(listed):
                step = "filter"  # the imported spec says otherwise: the filters decide again
                self._filter(container, spec)
            step = "init"
            plugin = self._init(spec)
            container.state = container.state.initialised(plugin)
            self._listeners.on_init_after(spec, plugin)
            step = "should_load"
            if not plugin.should_load():
                raise PluginDisabled(self.namespace, container.name, SHOULD_NOT_LOAD)
            step = "load"
            self._listeners.on_load_before(spec, plugin, self.load_args, self.load_kwargs)
            load_value = plugin.load(*self.load_args, **self.load_kwargs)
            # on_load_after's listeners see the plugin loaded, but may still fail or disable it
            container.state = container.state.loaded(load_value)
            self._listeners.on_load_after(spec, plugin, load_value)
        except PluginDisabled as e:
            container.state = container.state.disabled(step, e.reason)
            raise
        except Exception as e:
            if e is not container.resolve_error:  # resolving records its own failure
                container.state = container.state.failed(step, e)
                self._report_failure(container, step, e)
            raise
        return plugin

    def _filter(self, container: PluginContainer[P], spec: PluginSpec) -> None:
        """Disable the plugin if a filter says so."""
        if any(plugin_filter(spec) for plugin_filter in self.filters):
            raise PluginDisabled(self.namespace, container.name, FILTERED)

    def _init(self, spec: PluginSpec) -> P:
        """Make the plugin from its spec (the init step)."""
        return make_plugin(spec)  # type: ignore[return-value]

    def _report_failure(self, container: PluginContainer[P], step: Step, error: Exception) -> None:
        """Tell listeners of a failed init or load (resolve reports its own; filters, none)."""
        spec = container.plugin_spec
        if step == "init":
            self._listeners.on_init_exception(spec, error)
        elif step in ("should_load", "load"):
            assert container.plugin is not None  # these steps come after init
            self._listeners.on_load_exception(spec, container.plugin, error)


_Conflict = tuple[str, ConflictSide, ConflictSide]
"""A plugin name, the registration of it in use and one left out."""


def _identity(spec: PluginSpec) -> tuple[str, str, str | None]:
    """What a filter may match a spec on without reading its factory."""
    return spec.namespace, spec.name, spec.location


def _spec_side(spec: PluginSpec) -> ConflictSide:
    return ConflictSide(spec.name, spec.find_location())


def _entry_point_side(entry_point: IndexedEntryPoint) -> ConflictSide:
    return ConflictSide(
        entry_point.name, entry_point.value, entry_point.distribution, entry_point.version
    )


def _metadata_entry_point(entry_point: IndexedEntryPoint) -> Any:
    """The importlib.metadata form of an indexed entry point, as listeners expect it."""
    from importlib.metadata import EntryPoint

    return EntryPoint(entry_point.name, entry_point.value, entry_point.group)
