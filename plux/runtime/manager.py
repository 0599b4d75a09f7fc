"""The plugin manager: knows the plugins of one namespace and takes each through its lifecycle.

By default plugins are known from installed entry point metadata alone; a plugin's module is
imported when that plugin is first loaded (or its spec's factory first read).
"""

from __future__ import annotations

import _thread
import sys

from plux.core.generic import Generic
from plux.core.plugin import (
    PluginDisabled,
    PluginException,
    PluginLifecycleListener,
    PluginSpec,
    PluginSpecResolver,
)
from plux.runtime.container import P, PluginContainer
from plux.runtime.filter import PluginFilter, global_plugin_filter
from plux.runtime.locking import LoadTracker
from plux.runtime.resolve import import_entry_point_value

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from collections.abc import Iterable
    from typing import Any

    from plux.core.plugin import PluginFinder
    from plux.runtime.index import IndexedEntryPoint

__all__ = ["PluginContainer", "PluginManager"]

_tracker = LoadTracker()

_HOOKS = tuple(name for name in vars(PluginLifecycleListener) if name.startswith("on_"))

FILTERED = "A plugin filter disabled this plugin before it was initialized"
"""The reason a plugin disabled by a filter gives (as plux 1.16 words it)."""
SHOULD_NOT_LOAD = "Load condition for plugin was false"
"""The reason a plugin whose ``should_load()`` returned False gives (as plux 1.16 words it)."""


def _logger() -> logging.Logger:
    # logging costs more to import than the rest of a warm start; only problems need it.
    import logging

    return logging.getLogger(__name__)


class PluginManager(Generic[P]):
    """Finds the plugins of ``namespace`` and loads them, each at most once.

    ``load_args``/``load_kwargs`` are passed to every plugin's ``load``. ``listener`` is one
    listener (any object with lifecycle hooks, such as a :class:`PluginLifecycleListener`) or an
    iterable of them. ``finder`` replaces the installed entry points as the source of plugins (and
    resolves them all up front; its specs of other namespaces are left out). ``filters`` replace
    the process-wide :data:`~plux.runtime.filter.global_plugin_filter`; a filter returning True
    disables a plugin.

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
        self.listeners = _as_listeners(listener)
        self.finder = finder
        self.filters: list[PluginFilter] = (
            [global_plugin_filter] if filters is None else list(filters)
        )
        self._spec_resolver = PluginSpecResolver()
        self._index_lock = _thread.RLock()
        self._by_name: dict[str, PluginContainer[P]] | None = None
        # other names a plugin answers to: entry point names that differ from the declared name
        self._aliases: dict[str, PluginContainer[P]] = {}

    def add_listener(self, listener: PluginLifecycleListener) -> None:
        """Add a listener; it hears of every lifecycle event from now on."""
        self.listeners.append(listener)

    def load(self, name: str) -> P:
        """Load the plugin ``name`` (once) and return the plugin instance.

        :raises ValueError: if the namespace has no plugin of that name.
        :raises PluginDisabled: if the plugin is disabled, now and on every later call.
        :raises PluginException: if the plugin's entry point cannot be resolved, or there is a
            load cycle.
        :raises Exception: the error its factory or ``load`` raised, now and on every later call.
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
                _debug("%s", e)
            except Exception as e:
                if propagate_exceptions:
                    raise
                _log_error(
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

        :raises ValueError: if the namespace has no plugin of that name.
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
                self._notify("on_resolve_after", container.resolved_spec)
        for chosen, ignored in conflicts:
            self._report_conflict(chosen, ignored)
        return by_name

    def _collect(self) -> tuple[dict[str, PluginContainer[P]], list[tuple[Any, Any]]]:
        by_name: dict[str, PluginContainer[P]] = {}
        conflicts: list[tuple[Any, Any]] = []
        if self.finder is not None:
            for spec in self.finder.find_plugins():
                if spec.namespace != self.namespace:
                    continue  # a finder may know several namespaces; this manager serves one
                if spec.name in by_name:
                    conflicts.append((by_name[spec.name].resolved_spec, spec))
                else:
                    by_name[spec.name] = PluginContainer(spec.name, plugin_spec=spec)
            return by_name, conflicts

        from plux.runtime.cache import EntryPointsCache

        for entry_point in EntryPointsCache.instance().entry_points_of(self.namespace):
            name = entry_point.declared_name or entry_point.name
            if name in by_name:
                conflicts.append((by_name[name].entry_point, entry_point))
                continue
            container: PluginContainer[P] = PluginContainer(
                name, entry_point=entry_point, resolve=self._resolve
            )
            by_name[name] = container
            if entry_point.name != name:
                self._aliases.setdefault(entry_point.name, container)
        return by_name, conflicts

    def _report_conflict(self, chosen: Any, ignored: Any) -> None:
        _logger().warning(
            "plugin name conflict in namespace %s: %s is registered by %s and by %s; "
            "using the first (the earlier on sys.path)",
            self.namespace,
            chosen.name,
            _describe(chosen),
            _describe(ignored),
        )
        self._notify("on_conflict", self.namespace, chosen.name, chosen, ignored)

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
            raise ValueError(f"no plugin named {name} in namespace {self.namespace}")
        return container

    def _resolve(self, container: PluginContainer[P]) -> PluginSpec:
        """Import the container's entry point and make its spec (once)."""
        with container.lock:
            if container.resolved_spec is not None:
                return container.resolved_spec
            if container.resolve_error is not None:
                raise container.resolve_error
            entry_point = container.entry_point
            assert entry_point is not None  # containers from a finder start resolved
            try:
                spec = self._spec_resolver.resolve(import_entry_point_value(entry_point.value))
            except Exception as cause:
                error = PluginException(
                    f"cannot resolve plugin {self.namespace}:{container.name} from entry point "
                    f"'{entry_point.name} = {entry_point.value}' of {_describe(entry_point)}: "
                    f"{type(cause).__name__}: {cause}",
                    self.namespace,
                    container.name,
                )
                error.__cause__ = cause
                container.resolve_error = error
                self._notify(
                    "on_resolve_exception",
                    self.namespace,
                    _metadata_entry_point(entry_point),
                    cause,
                )
                raise error from cause
            if spec.location is None:
                spec.location = entry_point.value
            container.resolved_spec = spec
        if spec.name != container.name:
            self._rename(container, spec.name)
        self._notify("on_resolve_after", spec)
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
            if container.is_loaded:
                return container.plugin  # type: ignore[return-value]
            if container.is_disabled:
                raise PluginDisabled(self.namespace, container.name, container.disabled_reason)
            for error in (container.resolve_error, container.init_error, container.load_error):
                if error is not None:
                    raise error
            try:
                return self._run_lifecycle(container)
            except PluginDisabled as e:
                container.is_disabled = True
                container.disabled_reason = e.reason
                raise

    def _run_lifecycle(self, container: PluginContainer[P]) -> P:
        """Take the plugin from its spec to loaded; each step keeps the error it ends in."""
        spec = self._resolve(container)
        if any(plugin_filter(spec) for plugin_filter in self.filters):
            raise PluginDisabled(self.namespace, container.name, FILTERED)
        plugin = container.plugin if container.is_init else self._init(container, spec)
        assert plugin is not None  # is_init means the factory returned it
        try:
            if not plugin.should_load():
                raise PluginDisabled(self.namespace, container.name, SHOULD_NOT_LOAD)
            self._notify("on_load_before", spec, plugin, self.load_args, self.load_kwargs)
            container.load_value = plugin.load(*self.load_args, **self.load_kwargs)
            # on_load_after's listeners see the plugin loaded, but may still fail or disable it
            container.is_loaded = True
            self._notify("on_load_after", spec, plugin, container.load_value)
        except Exception as e:
            container.is_loaded = False
            container.load_value = None
            if not isinstance(e, PluginDisabled):
                self._notify("on_load_exception", spec, plugin, e)
                container.load_error = e
            raise
        return plugin

    def _init(self, container: PluginContainer[P], spec: PluginSpec) -> P:
        """Call the spec's factory; listeners of on_init_after may still fail or disable it."""
        factory = spec.factory
        # a spec may name an @plugin function as its factory: its own spec makes the plugin
        decorated = getattr(factory, "__pluginspec__", None)
        if isinstance(decorated, PluginSpec):
            factory = decorated.factory
        try:
            plugin: P = factory()  # type: ignore[assignment]
            container.plugin = plugin
            container.is_init = True
            self._notify("on_init_after", spec, plugin)
        except PluginDisabled:
            raise
        except Exception as e:
            self._notify("on_init_exception", spec, e)
            container.init_error = e
            raise
        return plugin

    def _notify(self, hook: str, *args: Any) -> None:
        for listener in self.listeners:
            # a listener that is not a PluginLifecycleListener may lack hooks it does not need
            method = getattr(listener, hook, None)
            if method is None:
                continue
            try:
                method(*args)
            except PluginException:
                raise
            except Exception as e:
                _log_error("error while calling %s: %s (listener %r, ignored)", hook, e, listener)


def _as_listeners(
    listener: PluginLifecycleListener | Iterable[PluginLifecycleListener] | None,
) -> list[PluginLifecycleListener]:
    """The listeners given as ``listener``: an object with any lifecycle hook is one listener
    (a PluginLifecycleListener, or any object with the hook methods, such as a Mock)."""
    if listener is None:
        return []
    if any(hasattr(listener, hook) for hook in _HOOKS):
        return [listener]  # type: ignore[list-item]
    return list(listener)  # type: ignore[arg-type]


def _log_error(message: str, *args: Any) -> None:
    """Log an error, with the traceback of the exception being handled when DEBUG is on."""
    log = _logger()
    log.error(message, *args, exc_info=log.isEnabledFor(10))


def _debug(message: str, *args: Any) -> None:
    # An application that has not imported logging has configured no handler to show this.
    if "logging" in sys.modules:
        _logger().debug(message, *args)


def _describe(origin: Any) -> str:
    """Where an entry point or spec comes from, for messages."""
    distribution = getattr(origin, "distribution", None)
    if distribution:
        return f"distribution {distribution} {getattr(origin, 'version', '')}".rstrip()
    location = getattr(origin, "location", None) or getattr(origin, "value", None)
    return f"{location}" if location else repr(origin)


def _metadata_entry_point(entry_point: IndexedEntryPoint) -> Any:
    """The importlib.metadata form of an indexed entry point, as listeners expect it."""
    from importlib.metadata import EntryPoint

    return EntryPoint(entry_point.name, entry_point.value, entry_point.group)
