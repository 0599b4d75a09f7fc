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
    declared_order,
    make_plugin,
    order_of,
)
from plux.runtime._container import P, PluginContainer
from plux.runtime._listeners import ListenerDispatcher, as_listeners
from plux.runtime._locking import LoadTracker
from plux.runtime._log import debug, log_error, logger
from plux.runtime.filter import PluginFilter, global_plugin_filter
from plux.runtime.resolve import describe_failure, import_entry_point_value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from types import TracebackType
    from typing import Any, TypeVar

    from plux.core.plugin import Plugin, PluginFinder
    from plux.runtime._calls import CallResult, CallRun, ErrorPolicy
    from plux.runtime._index import IndexedEntryPoint
    from plux.runtime._lifecycle import Step

    B = TypeVar("B", bound=Plugin)

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
        self._base: type[Plugin] | None = None
        # loaded plugins in the order their loads finished: teardown runs it backwards
        self._finished: list[PluginContainer[P]] = []
        self._loads = 0  # counts loads and unloads: the run order below holds while it stays
        self._run_order: tuple[int, object, list[PluginContainer[P]]] | None = None

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
        from plux.runtime._order import arrange

        prepared = []
        for container in plugins.values():
            if not container.is_disabled:
                spec = self._attempt(self._prepared, container, propagate_exceptions)
                if spec is not None:
                    prepared.append((container, spec))
        order = arrange(
            self.namespace,
            [container.name for container, _ in prepared],
            [declared_order(spec) for _, spec in prepared],
        )
        loaded = []
        for container, spec in (prepared[i] for i in order):
            if self._attempt(self._load, container, propagate_exceptions, spec) is not None:
                loaded.append(container)
        # the objects may declare an order of their own (a factory's choice)
        order = arrange(
            self.namespace,
            [container.name for container in loaded],
            [order_of(container.plugin) for container in loaded],
        )
        self._run_order = (loads, plugins, [loaded[i] for i in order])
        return self._run_order[2]

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
            debug("%s", e)
        except Exception as e:
            if propagate_exceptions:
                raise
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
        run = self._call_run("call_all", method, errors, stop_early=True)
        for container, plugin, call in self._calls(method):
            try:
                value = call(*args, **kwargs)
            except Exception as e:
                self._call_failed(run, container, plugin, method, e)
            else:
                run.called(container.name, plugin, value)
        return run.finish()

    def call_first(
        self, method: str | None = None, /, *args: Any, errors: ErrorPolicy = "log", **kwargs: Any
    ) -> CallResult[P] | None:
        """As :meth:`call_all`, but stop at the first plugin that returns something other than
        None and return its result; None if no plugin does. With ``errors="group"``, failures
        of the plugins called before it are raised together instead."""
        run = self._call_run("call_first", method, errors, stop_early=True)
        for container, plugin, call in self._calls(method):
            try:
                value = call(*args, **kwargs)
            except Exception as e:
                self._call_failed(run, container, plugin, method, e)
                continue
            result = run.called(container.name, plugin, value)
            if value is not None:
                run.finish()  # failures of the plugins before it are raised as the policy says
                return result
        run.finish()
        return None

    async def acall_all(
        self, method: str | None = None, /, *args: Any, errors: ErrorPolicy = "log", **kwargs: Any
    ) -> list[CallResult[P]]:
        """As :meth:`call_all`, awaiting each awaitable result before the next plugin is
        called; the values in the results are what was awaited."""
        run = self._call_run("acall_all", method, errors, stop_early=True)
        for container, plugin, call in self._calls(method):
            try:
                value = await _awaited(call(*args, **kwargs))
            except Exception as e:
                self._call_failed(run, container, plugin, method, e)
            else:
                run.called(container.name, plugin, value)
        return run.finish()

    async def acall_first(
        self, method: str | None = None, /, *args: Any, errors: ErrorPolicy = "log", **kwargs: Any
    ) -> CallResult[P] | None:
        """As :meth:`call_first`, awaiting each awaitable result before the next plugin is
        called."""
        run = self._call_run("acall_first", method, errors, stop_early=True)
        for container, plugin, call in self._calls(method):
            try:
                value = await _awaited(call(*args, **kwargs))
            except Exception as e:
                self._call_failed(run, container, plugin, method, e)
                continue
            result = run.called(container.name, plugin, value)
            if value is not None:
                run.finish()  # failures of the plugins before it are raised as the policy says
                return result
        run.finish()
        return None

    def _call_run(self, call: str, method: str | None, errors: str, stop_early: bool) -> CallRun[P]:
        from plux.runtime._calls import CallRun

        what = f"{call}({method!r})" if method is not None else call
        return CallRun(self.namespace, what, errors, stop_early)

    def _calls(self, method: str | None) -> Iterable[_Target[P]]:
        """Each loaded plugin in run order, with what to call of it."""
        for container in self._load_all(propagate_exceptions=False):
            plugin = container.plugin
            if plugin is None:
                continue  # unloaded by another thread meanwhile
            if method is None:
                yield container, plugin, plugin  # type: ignore[misc]
            elif hasattr(plugin, method):
                yield container, plugin, getattr(plugin, method)
            else:
                yield container, plugin, _missing(self.namespace, container.name, plugin, method)

    def _call_failed(
        self,
        run: CallRun[P],
        container: PluginContainer[P],
        plugin: P,
        method: str | None,
        error: Exception,
    ) -> None:
        self._listeners.on_call_exception(container.plugin_spec, plugin, method, error)
        run.called(container.name, plugin, error=error)

    def unload(self, name: str) -> None:
        """Tear down plugin ``name`` if it is loaded: call its ``unload()`` and forget the
        object, so that a later load makes it afresh. Does nothing if it is not loaded. While
        another thread loads it, waits for that load to finish, then unloads it.

        :raises ValueError: if the namespace has no plugin of that name.
        :raises Exception: what its ``unload()`` raised (it is unloaded all the same).
        """
        result = self._unload(self._require(name))
        if result is not None and result.error is not None:
            raise result.error

    def unload_all(self, errors: ErrorPolicy = "log") -> list[CallResult[P]]:
        """Tear down every loaded plugin, in the reverse of the order their loads finished;
        return one result per plugin torn down. Every teardown runs even if one raises;
        failures are handled as :meth:`call_all` handles them, except that ``"raise"`` raises
        the first failure after every teardown ran (and logs the others). A second call does
        nothing."""
        run = self._call_run("unload_all", None, errors, stop_early=False)
        while True:
            with self._index_lock:
                if not self._finished:
                    break
                container = self._finished[-1]
            result = self._unload(container)
            if result is not None:
                run.add(result)
        return run.finish()

    def _unload(self, container: PluginContainer[P]) -> CallResult[P] | None:
        """Tear the plugin down if it is loaded: what its ``unload()`` gave; else None."""
        from plux.runtime._calls import CallResult

        with _tracker.loading(container):
            with self._index_lock:
                if container in self._finished:
                    self._finished.remove(container)
                    self._loads += 1
            plugin, spec = container.plugin, container.resolved_spec
            if not container.is_loaded or plugin is None or spec is None:
                return None
            container.state = container.state.unloaded()
            try:
                plugin.unload()
            except Exception as e:
                self._listeners.on_unload_exception(spec, plugin, e)
                return CallResult(container.name, plugin, error=e)
            self._listeners.on_unload_after(spec, plugin)
            return CallResult(container.name, plugin)

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

    def _load(self, container: PluginContainer[P], spec: PluginSpec | None = None) -> P:
        """Load the plugin once; ``spec``, if :meth:`_prepare` already made it."""
        with _tracker.loading(container):
            if container.is_loaded:
                return container.plugin  # type: ignore[return-value]
            self._raise_if_ended(container)
            return self._run_lifecycle(container, spec or self._prepare(container))

    def _prepared(self, container: PluginContainer[P]) -> PluginSpec:
        """The plugin's spec, through the filter and resolve steps if it is not loaded yet."""
        with _tracker.loading(container):
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


_Target = tuple[PluginContainer[P], P, "Callable[..., Any]"]
"""A loaded plugin, and what a call calls of it."""

_Conflict = tuple[str, ConflictSide, ConflictSide]
"""A plugin name, the registration of it in use and one left out."""


async def _awaited(value: object) -> object:
    """``value``, awaited if it is awaitable."""
    if hasattr(value, "__await__"):
        return await value
    return value


def _missing(namespace: str, name: str, plugin: object, method: str) -> Callable[..., Any]:
    """A call that fails, naming the plugin that lacks ``method``."""

    def call(*args: Any, **kwargs: Any) -> Any:
        raise AttributeError(
            f"plugin {namespace}:{name} ({type(plugin).__qualname__}) has no method {method!r}"
        )

    return call


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
