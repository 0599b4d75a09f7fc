"""The plugin manager: knows the plugins of one namespace and takes each through its lifecycle.

By default plugins are known from installed entry point metadata alone; a plugin's module is
imported when that plugin is first loaded (or its spec's factory first read).
"""

from __future__ import annotations

import _thread
import sys
from os import environ

from plux.core._typing import Generic
from plux.core.plugin import (
    NO_ORDER,
    PluginDisabled,
    PluginException,
    PluginLifecycleListener,
    PluginSpec,
    PluginSpecResolver,
    declared_order,
    import_entry_point_value,
    make_plugin,
    order_of,
)
from plux.runtime._lifecycle import P, PluginContainer, loading

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from types import TracebackType
    from typing import Any, TypeVar

    from plux.core.plugin import Order, Plugin, PluginFinder
    from plux.runtime._calls import CallResult, ErrorPolicy
    from plux.runtime._conflicts import ConflictSide
    from plux.runtime._index import IndexedEntryPoint
    from plux.runtime._lifecycle import Step
    from plux.runtime._listeners import ListenerDispatcher
    from plux.runtime._switches import Pattern, Switches
    from plux.runtime.filter import PluginFilter
    from plux.testing._overrides import Override

    B = TypeVar("B", bound=Plugin)
    _Conflict = tuple[str, ConflictSide, ConflictSide]
    """A plugin name, the registration of it in use and one left out."""

__all__ = ["PluginContainer", "PluginManager"]

_QUIET = PluginLifecycleListener()
"""What a manager without listeners tells its events to (the hooks do nothing): the listener
machinery is imported only for a manager that has listeners."""

_SEPARATORS = ", \t\n\r"
"""What separates the patterns of PLUX_ENABLE/PLUX_DISABLE."""

_overrides: dict[str, Override] = {}
"""In-memory plugins that ``plux.testing`` gives a namespace, by namespace (empty unless a test
put some): every manager of the namespace follows them."""

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

    ``enable`` and ``disable`` take ``NAMESPACE[:NAME]`` patterns (one string, comma- or
    space-separated, or several strings), as the ``PLUX_ENABLE``/``PLUX_DISABLE`` variables do;
    both those and these apply to installed plugins, whatever the filters.

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
        *,
        enable: str | Iterable[str] | None = None,
        disable: str | Iterable[str] | None = None,
    ) -> None:
        self.namespace = namespace
        self.load_args: list[Any] | tuple[Any, ...] = load_args or []
        self.load_kwargs = load_kwargs or {}
        self._listeners: PluginLifecycleListener = _QUIET
        if listener is not None:
            from plux.runtime._listeners import as_listeners

            self._dispatcher().listeners = as_listeners(listener)
        self.finder = finder
        self._filters: list[PluginFilter] | None = None if filters is None else list(filters)
        self._spec_resolver = PluginSpecResolver()
        self._index_lock = _thread.RLock()
        self._by_name: dict[str, PluginContainer[P]] | None = None
        # other names a plugin answers to: entry point names that differ from the declared name
        self._aliases: dict[str, PluginContainer[P]] = {}
        self._base: type[Plugin] | None = None
        # loaded plugins in the order their loads finished: teardown runs it backwards
        self._finished: list[PluginContainer[P]] = []
        self._loads = 0  # counts loads and unloads: the run order below holds while it stays
        self._run_order: tuple[int, object, list[PluginContainer[P]]] | None = None
        self._enable: list[Pattern] | None = None
        self._disable: list[Pattern] | None = None
        if enable is not None or disable is not None:
            from plux.runtime._switches import parse_patterns

            self._enable = parse_patterns(enable, "enable=")
            self._disable = parse_patterns(disable, "disable=")
        self._switches: Switches | None = None
        self._view: Override | None = None
        """The plux.testing override whose plugins the manager serves (None: the installed)."""

    @classmethod
    def for_base(
        cls, base: type[B], *, namespace: str | None = None, **kwargs: Any
    ) -> PluginManager[B]:
        """A manager of the plugins of ``base.namespace`` (or ``namespace``), each of which must
        be a ``base``: a plugin whose factory makes anything else fails alone, at init, with a
        PluginException naming both types. ``kwargs`` are the constructor's.

        :raises ValueError: if neither ``namespace`` nor ``base.namespace`` is given.
        """
        namespace = namespace or getattr(base, "namespace", None)
        if not namespace:
            raise ValueError(
                f"{base.__module__}.{base.__qualname__} has no namespace: give "
                "PluginManager.for_base a namespace=..."
            )
        manager: PluginManager[B] = cls(namespace, **kwargs)  # type: ignore[assignment]
        manager._base = base
        return manager

    def __enter__(self) -> PluginManager[P]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.unload_all()

    @property
    def listeners(self) -> list[PluginLifecycleListener]:
        """The listeners, in the order they hear of each event."""
        return self._dispatcher().listeners

    @listeners.setter
    def listeners(self, listeners: list[PluginLifecycleListener]) -> None:
        self._dispatcher().listeners = listeners

    def _dispatcher(self) -> ListenerDispatcher:
        """What tells the listeners of events (made on first use: until then events go nowhere)."""
        from plux.runtime._listeners import ListenerDispatcher

        if not isinstance(self._listeners, ListenerDispatcher):
            self._listeners = ListenerDispatcher([])
        return self._listeners

    @property
    def filters(self) -> list[PluginFilter]:
        """The filters a plugin's spec must pass (by default the process-wide
        :data:`~plux.runtime.filter.global_plugin_filter`); a filter returning True disables it."""
        if self._filters is None:
            from plux.runtime.filter import global_plugin_filter

            self._filters = [global_plugin_filter]
        return self._filters

    @filters.setter
    def filters(self, filters: list[PluginFilter]) -> None:
        self._filters = filters

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
        """Load every plugin of the namespace; return those that loaded, in run order.

        Run order is highest ``priority`` first, ties in entry point order, under the plugins'
        ``after``/``before`` constraints; where no plugin declares any, it is entry point order.
        Every plugin's module is imported (filters first decide which) before any plugin is
        made, so that loads run in that order too; a priority that only the object a factory
        makes declares orders the result, not the loads. Disabled plugins are skipped quietly;
        failures are logged and skipped, or raised with ``propagate_exceptions``.

        :raises PluginException: if the plugins' constraints form a cycle (naming it), before
            any plugin is loaded.
        """
        return [container.plugin for container in self._load_all(propagate_exceptions)]  # type: ignore[misc]

    def _load_all(self, propagate_exceptions: bool) -> list[PluginContainer[P]]:
        """The loaded plugins in run order, loading the others first."""
        loads, plugins = self._loads, self._plugins()
        known = self._run_order
        if (
            known is not None
            and known[0] == loads
            and known[1] is plugins
            and all(c.is_loaded or c.state.is_final for c in plugins.values())
        ):
            for container in plugins.values():
                if container.state.phase == "failed":  # reported again, as on every load_all
                    self._attempt(self._prepared, container, propagate_exceptions)
            return known[2]
        prepared = []
        for container in plugins.values():
            if not container.is_disabled:
                spec = self._attempt(self._prepared, container, propagate_exceptions)
                if spec is not None:
                    prepared.append((container, spec))
        order = self._arrange(
            [container.name for container, _ in prepared],
            [declared_order(spec) for _, spec in prepared],
        )
        loaded = []
        for container, spec in (prepared[i] for i in order):
            if self._attempt(self._load, container, propagate_exceptions, spec) is not None:
                loaded.append(container)
        # the objects may declare an order of their own (a factory's choice)
        order = self._arrange(
            [container.name for container in loaded],
            [order_of(container.plugin) for container in loaded],
        )
        self._run_order = (loads, plugins, [loaded[i] for i in order])
        return self._run_order[2]

    def _arrange(self, names: list[str], orders: list[Order]) -> list[int]:
        """The positions of ``names`` in run order (:func:`~plux.runtime._order.arrange`)."""
        if all(order == NO_ORDER for order in orders):
            return list(range(len(names)))  # nobody declares an order: entry point order
        from plux.runtime._order import arrange

        return arrange(self.namespace, names, orders)

    def _attempt(
        self,
        step: Callable[..., Any],
        container: PluginContainer[P],
        propagate_exceptions: bool,
        *args: Any,
    ) -> Any:
        """``step(container, *args)``; None if the plugin is disabled or fails (logged)."""
        try:
            return step(container, *args)
        except PluginDisabled as e:
            from plux.runtime._log import debug

            debug("%s", e)
        except Exception as e:
            if propagate_exceptions:
                raise
            from plux.runtime._log import log_error

            log_error("exception while loading plugin %s:%s: %s", self.namespace, container.name, e)
        return None

    def load_first(self, *names: str) -> P:
        """The first of ``names`` that exists, is enabled and loads (loading it, once).

        :raises PluginException: if none does, naming each candidate and why it was not used.
        """
        if not names:
            raise ValueError("load_first needs at least one plugin name")
        reasons = []
        for name in names:
            if self._find(name) is None:
                reasons.append(f"{name}: no such plugin")
                continue
            try:
                return self.load(name)
            except PluginDisabled as e:
                reasons.append(f"{name}: disabled ({e.reason or 'no reason given'})")
            except Exception as e:
                reasons.append(f"{name}: failed ({type(e).__name__}: {e})")
        raise PluginException(
            f"none of the plugins {', '.join(names)} of namespace {self.namespace} could be "
            f"loaded: {'; '.join(reasons)}",
            self.namespace,
        )

    def call_all(
        self, method: str | None = None, /, *args: Any, errors: ErrorPolicy = "log", **kwargs: Any
    ) -> list[CallResult[P]]:
        """Load the namespace (as :meth:`load_all`), then call ``method`` of each loaded plugin
        in run order (the plugin itself, if None: a function plugin's function) with ``args`` and
        ``kwargs``; return one :class:`~plux.CallResult` per plugin, in that order.

        Disabled plugins and plugins that failed to load are skipped (they were reported when
        they failed). A call that raises is told to listeners (``on_call_exception``) and then
        handled as ``errors`` says: ``"log"`` logs it, naming the plugin, and goes on;
        ``"raise"`` raises it at once; ``"group"`` calls every plugin, then raises the failures
        together as :class:`~plux.PluginErrors` (an ``ExceptionGroup``).
        """
        from plux.runtime._calls import call_all

        return call_all(self, method, args, kwargs, errors)

    def call_first(
        self, method: str | None = None, /, *args: Any, errors: ErrorPolicy = "log", **kwargs: Any
    ) -> CallResult[P] | None:
        """As :meth:`call_all`, but stop at the first plugin that returns something other than
        None and return its result; None if no plugin does. With ``errors="group"``, failures
        of the plugins called before it are raised together instead."""
        from plux.runtime._calls import call_first

        return call_first(self, method, args, kwargs, errors)

    async def acall_all(
        self, method: str | None = None, /, *args: Any, errors: ErrorPolicy = "log", **kwargs: Any
    ) -> list[CallResult[P]]:
        """As :meth:`call_all`, awaiting each awaitable result before the next plugin is
        called; the values in the results are what was awaited."""
        from plux.runtime._calls import acall_all

        return await acall_all(self, method, args, kwargs, errors)

    async def acall_first(
        self, method: str | None = None, /, *args: Any, errors: ErrorPolicy = "log", **kwargs: Any
    ) -> CallResult[P] | None:
        """As :meth:`call_first`, awaiting each awaitable result before the next plugin is
        called."""
        from plux.runtime._calls import acall_first

        return await acall_first(self, method, args, kwargs, errors)

    def unload(self, name: str) -> None:
        """Tear down plugin ``name`` if it is loaded: call its ``unload()`` and forget the
        object, so that a later load makes it afresh. Does nothing if it is not loaded. While
        another thread loads it, waits for that load to finish, then unloads it.

        :raises ValueError: if the namespace has no plugin of that name.
        :raises Exception: what its ``unload()`` raised (it is unloaded all the same).
        """
        from plux.runtime._calls import unload

        result = unload(self, self._require(name))
        if result is not None and result.error is not None:
            raise result.error

    def unload_all(self, errors: ErrorPolicy = "log") -> list[CallResult[P]]:
        """Tear down every loaded plugin, in the reverse of the order their loads finished;
        return one result per plugin torn down. Every teardown runs even if one raises;
        failures are handled as :meth:`call_all` handles them, except that ``"raise"`` raises
        the first failure after every teardown ran (and logs the others). A second call does
        nothing."""
        from plux.runtime._calls import unload_all

        return unload_all(self, errors)

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
        if _overrides:
            view = _overrides.get(self.namespace)
            if view is not self._view and view is not None:
                view.adopt(self)
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
        if not by_name and self.finder is None and self._view is None:
            from plux.runtime._suggest import warn_if_mistyped  # only an empty namespace pays

            warn_if_mistyped(self.namespace)
        return by_name

    def _swap_state(
        self, state: tuple[Any, ...] | None = None, view: Override | None = None
    ) -> tuple[Any, ...]:
        """Take ``state`` back (one this returned), or start afresh serving ``view``'s plugins;
        return the state put aside. A ``plux.testing`` block keeps what the manager knew and
        loaded for after the block."""
        with self._index_lock:
            aside = (self._by_name, self._aliases, self._finished, self._run_order, self._view)
            if state is None:
                state = (None, {}, [], None, view)
            (self._by_name, self._aliases, self._finished, self._run_order, self._view) = state
            return aside

    def _collect(self) -> tuple[dict[str, PluginContainer[P]], list[_Conflict]]:
        """The namespace's plugins by name, and the registrations of a taken name, left out."""
        self._switches = self._read_switches()
        if self._view is not None:
            return self._view.collect(self, self._collect_installed)
        return self._collect_installed()

    def _read_switches(self) -> Switches | None:
        """The enable/disable patterns that apply (None, importing nothing, when none do)."""
        if self._enable is None and self._disable is None:
            # separators alone set no switch
            variables = environ.get("PLUX_ENABLE", "") + environ.get("PLUX_DISABLE", "")
            if not variables.strip(_SEPARATORS):
                return None
        from plux.runtime._switches import switches

        return switches(self._enable, self._disable, installed=self.finder is None)

    def _collect_installed(self) -> tuple[dict[str, PluginContainer[P]], list[_Conflict]]:
        by_name: dict[str, PluginContainer[P]] = {}
        conflicts: list[_Conflict] = []
        if self.finder is not None:
            for spec in self.finder.find_plugins():
                if spec.namespace != self.namespace:
                    continue  # a finder may know several namespaces; this manager serves one
                if spec.name in by_name:
                    from plux.runtime._conflicts import spec_side

                    chosen = by_name[spec.name].plugin_spec
                    conflicts.append((spec.name, spec_side(chosen), spec_side(spec)))
                else:
                    by_name[spec.name] = PluginContainer(spec.name, plugin_spec=spec)
            return by_name, conflicts

        from plux.runtime.cache import EntryPointsCache

        entry_points = EntryPointsCache.instance().entry_points_of(self.namespace)
        shared: dict[str, list[IndexedEntryPoint]] = {}
        for entry_point in entry_points:
            name = entry_point.declared_name or entry_point.name
            taken = by_name.get(name)
            if taken is not None:
                assert taken.entry_point is not None  # every container made here has one
                shared.setdefault(name, [taken.entry_point]).append(entry_point)
                continue
            by_name[name] = self._container(name, entry_point)
        if shared:
            conflicts = self._settle(by_name, shared, entry_points)
        return by_name, conflicts

    def _container(self, name: str, entry_point: IndexedEntryPoint) -> PluginContainer[P]:
        """A container for the entry point serving ``name``; its own name becomes an alias."""
        container: PluginContainer[P] = PluginContainer(
            name, entry_point=entry_point, resolve=self._resolve
        )
        if entry_point.name != name:
            self._aliases.setdefault(entry_point.name, container)
        return container

    def _settle(
        self,
        by_name: dict[str, PluginContainer[P]],
        shared: dict[str, list[IndexedEntryPoint]],
        entry_points: list[IndexedEntryPoint],
    ) -> list[_Conflict]:
        """Serve each name that several distributions register from the first provider in
        :func:`~plux.runtime._conflicts.serving_order` that switches and filters leave on; the
        conflicts left to report are those between providers that are on."""
        from plux.runtime._conflicts import provider, serving_order

        conflicts = []
        for name, providers in shared.items():
            ordered = serving_order(providers, entry_points)
            candidates: list[PluginContainer[P]] = [
                PluginContainer(name, entry_point=e, resolve=self._resolve) for e in ordered
            ]
            enabled = [c for c in candidates if not self._switched_off(c, quiet=True)]
            chosen = (enabled or candidates)[0].entry_point
            assert chosen is not None  # every candidate has its entry point
            replaced = by_name[name]
            if chosen is not replaced.entry_point:
                self._aliases = {a: c for a, c in self._aliases.items() if c is not replaced}
                by_name[name] = self._container(name, chosen)
            conflicts += [
                (name, provider(chosen), provider(c.entry_point))
                for c in enabled[1:]
                if c.entry_point is not None
            ]
        return conflicts

    def _report_conflict(self, name: str, chosen: ConflictSide, ignored: ConflictSide) -> None:
        from plux.runtime._conflicts import describe_conflict
        from plux.runtime._log import logger

        logger().warning("%s", describe_conflict(self.namespace, name, chosen, [ignored]))
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
            from plux.runtime._suggest import did_you_mean, installed_nearby  # only a mistake pays

            known = [*self._plugins(), *self._aliases]
            nearby = "" if self.finder is not None else installed_nearby(self.namespace, name)
            raise ValueError(
                f"no plugin named {name} in namespace {self.namespace}"
                f"{did_you_mean(name, known)}{nearby}"
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
                from plux.runtime._conflicts import provider
                from plux.runtime.resolve import describe_failure

                why = describe_failure(cause, entry_point.value)
                error = PluginException(
                    f"cannot resolve plugin {self.namespace}:{container.name} from entry point "
                    f"'{entry_point.name} = {entry_point.value}' of "
                    f"{provider(entry_point)}: {why}",
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

    def _load(self, container: PluginContainer[P], spec: PluginSpec | None = None) -> P:
        """Load the plugin once; ``spec``, if :meth:`_prepare` already made it."""
        with loading(container):
            if container.is_loaded:
                return container.plugin  # type: ignore[return-value]
            self._raise_if_ended(container)
            return self._run_lifecycle(container, spec or self._prepare(container))

    def _prepared(self, container: PluginContainer[P]) -> PluginSpec:
        """The plugin's spec, through the filter and resolve steps if it is not loaded yet."""
        with loading(container):
            if container.is_loaded:
                return container.plugin_spec
            self._raise_if_ended(container)
            return self._prepare(container)

    def _raise_if_ended(self, container: PluginContainer[P]) -> None:
        """Raise again what ended the plugin's lifecycle, if it ended."""
        state = container.state
        if state.phase == "disabled":
            raise PluginDisabled(self.namespace, container.name, state.reason)
        if state.is_final:
            assert state.error is not None  # a failed state has its error
            raise state.error

    def _prepare(self, container: PluginContainer[P]) -> PluginSpec:
        """The filter and resolve steps: the plugin's spec, if the filters let it through."""
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
        except Exception as e:
            self._end(container, step, e)
            raise
        return spec

    def _run_lifecycle(self, container: PluginContainer[P], spec: PluginSpec) -> P:
        """Take the plugin from its spec to loaded; the step it fails at is kept in its state."""
        step: Step = "init"
        try:
            plugin = self._init(spec)
            self._check_made(container, plugin)
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
        except Exception as e:
            self._end(container, step, e)
            raise
        with self._index_lock:
            self._finished.append(container)
            self._loads += 1
        return plugin

    def _end(self, container: PluginContainer[P], step: Step, error: Exception) -> None:
        """Record that ``error`` ended the plugin's lifecycle at ``step``, and report it."""
        if isinstance(error, PluginDisabled):
            container.state = container.state.disabled(step, error.reason)
        elif error is not container.resolve_error:  # resolving records its own failure
            container.state = container.state.failed(step, error)
            self._report_failure(container, step, error)

    def _check_made(self, container: PluginContainer[P], plugin: Plugin) -> None:
        """The init step's checks of what the factory made: its type, and the order it declares."""
        base = self._base
        if base is not None and not isinstance(plugin, base):
            made = type(plugin)
            raise PluginException(
                f"plugin {self.namespace}:{container.name} is a {made.__module__}."
                f"{made.__qualname__}, not a {base.__module__}.{base.__qualname__} as this "
                "manager requires (PluginManager.for_base)",
                self.namespace,
                container.name,
            )
        order_of(plugin)

    def _filter(self, container: PluginContainer[P], spec: PluginSpec) -> None:
        """Disable the plugin if a switch or a filter says so."""
        reason = self._switched_off(container, spec)
        if reason:
            raise PluginDisabled(self.namespace, container.name, reason)

    def _switched_off(
        self, container: PluginContainer[P], spec: PluginSpec | None = None, quiet: bool = False
    ) -> str | None:
        """Why a switch or a filter disables the plugin (None if none does). ``quiet``: a filter
        that raises leaves the decision to the plugin's load."""
        switches = self._switches
        if switches is not None and not (self._view is not None and self._view.owns(container)):
            reason = switches.reason(self.namespace, container.name)
            if reason:
                return reason
        if spec is None:
            spec = container.plugin_spec
        try:
            filters = self._filters_in_use()
            return FILTERED if any(plugin_filter(spec) for plugin_filter in filters) else None
        except Exception:
            if quiet:
                return None
            raise

    def _filters_in_use(self) -> list[PluginFilter]:
        """The filters to apply: the global filter only once its module is imported (before, no
        one can have given it an exclusion, and it disables nothing)."""
        if self._filters is None and "plux.runtime.filter" not in sys.modules:
            return []
        return self.filters

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


def _identity(spec: PluginSpec) -> tuple[str, str, str | None]:
    """What a filter may match a spec on without reading its factory."""
    return spec.namespace, spec.name, spec.location


def _metadata_entry_point(entry_point: IndexedEntryPoint) -> Any:
    """The importlib.metadata form of an indexed entry point, as listeners expect it."""
    from importlib.metadata import EntryPoint

    return EntryPoint(entry_point.name, entry_point.value, entry_point.group)
