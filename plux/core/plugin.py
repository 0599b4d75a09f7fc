"""The plugin vocabulary: plugins, specs, finders, resolvers, lifecycle listeners and exceptions;
and the way from an entry point's value to a plugin (import what it names, make its spec, make
the plugin), which the plugin manager, ``plux resolve`` and ``plux doctor`` all take.

This module is imported by both the run-time and the build side, and by every application at
start-up, so it imports only what a bare interpreter has already loaded (no ``typing``,
``functools``, ``inspect`` or ``importlib.metadata``).
"""

from __future__ import annotations

import abc

# collections.abc would import the collections package; its implementation is already loaded.
from _collections_abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from importlib.metadata import EntryPoint
    from typing import Any

    from plux.runtime._conflicts import ConflictSide as ConflictSide
    from plux.runtime._listeners import (
        CompositePluginLifecycleListener as CompositePluginLifecycleListener,
    )

    Names = tuple[str, ...] | list[str] | set[str] | frozenset[str]

__all__ = [
    "Plugin",
    "PluginSpec",
    "PluginFactory",
    "PluginType",
    "plugin",
    "FunctionPlugin",
    "PluginFinder",
    "PluginSpecResolver",
    "PluginLifecycleListener",
    "CompositePluginLifecycleListener",
    "ConflictSide",
    "PluginException",
    "PluginDisabled",
]

# Part of this vocabulary, defined beside the code that uses them and imported on first use: a
# run without listeners or conflicts needs neither.
_ELSEWHERE = {
    "CompositePluginLifecycleListener": "plux.runtime._listeners",
    "ConflictSide": "plux.runtime._conflicts",
}


def __getattr__(name: str) -> object:
    module = _ELSEWHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(__import__(module, fromlist=[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_ELSEWHERE])


class PluginException(Exception):
    """Raised by the plugin manager; carries the namespace and name of the plugin it is about."""

    def __init__(self, message: str, namespace: str | None = None, name: str | None = None) -> None:
        super().__init__(message)
        self.namespace = namespace
        self.name = name


class PluginDisabled(PluginException):
    """Signals that a plugin must not be loaded (raised by filters, ``should_load`` or listeners).

    Once a plugin is disabled, every later ``PluginManager.load`` of it raises this again.
    """

    def __init__(self, namespace: str, name: str, reason: str | None = None) -> None:
        message = f"plugin {namespace}:{name} is disabled"
        if reason:
            message = f"{message}, reason: {reason}"
        super().__init__(message, namespace, name)
        self.reason = reason


class Plugin(abc.ABC):
    """A unit of code that is loaded at run time.

    Subclasses with both ``namespace`` and ``name`` set are discovered at build time; a subclass
    without a ``name`` is an abstract base for a family of plugins. The manager creates plugins
    without constructor arguments and passes its ``load_args``/``load_kwargs`` to ``load``; keep
    expensive imports inside ``load`` so that resolving the plugin stays cheap.

    ``priority`` (higher runs earlier) and ``after``/``before`` (names of plugins of the same
    namespace) order ``load_all`` and the manager's calls; a subclass that sets them wrongly
    fails at its definition (:func:`order_of`).
    """

    namespace: str
    name: str
    requirements: list[str]
    priority: int = 0
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    __pluginorder__: Order  # the three above, checked when the class is defined

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if _ORDER_ATTRIBUTES.intersection(vars(cls)):  # else the base's order, checked already
            where = f"plugin class {cls.__module__}.{cls.__qualname__}"
            cls.__pluginorder__ = _checked_order(where, cls.priority, cls.after, cls.before)

    def should_load(self) -> bool:
        """Whether the manager should load this plugin; ``False`` disables it."""
        return True

    def load(self, *args: Any, **kwargs: Any) -> Any | None:
        """Do the plugin's work; the return value is stored as the container's ``load_value``."""
        return None

    def unload(self) -> None:
        """Undo what ``load`` did; the manager calls it once per load, in reverse load order."""
        return None


Order = tuple[int, tuple[str, ...], tuple[str, ...]]
"""A plugin's ``(priority, after, before)``."""

NO_ORDER: Order = (0, (), ())
_ORDER_ATTRIBUTES = frozenset(("priority", "after", "before"))
Plugin.__pluginorder__ = NO_ORDER


def order_of(source: object) -> Order:
    """The ``(priority, after, before)`` that ``source`` declares: a Plugin class or instance, or
    a function decorated with ``@plugin`` (or the factory of its spec). Anything else declares
    none.

    :raises TypeError: naming the plugin, if ``priority`` is not an int or ``after``/``before``
        is not a tuple, list or set of plugin names.
    """
    # Classes and @plugin functions carry their order, checked when they were defined; an object
    # whose own attributes say otherwise (set by a factory) is checked here.
    own = getattr(source, "__dict__", None)
    if isinstance(source, Plugin) and own and "__pluginorder__" not in own:
        if _ORDER_ATTRIBUTES.intersection(own):
            where = f"plugin {getattr(source, 'namespace', '?')}:{getattr(source, 'name', '?')}"
            return _checked_order(where, source.priority, source.after, source.before)
    declared = getattr(source, "__pluginorder__", None)
    return NO_ORDER if declared is None else declared


def declared_order(spec: PluginSpec) -> Order:
    """The order a plugin declares before it is made (``order_of`` its class or its ``@plugin``
    function): what orders ``load_all``'s loads. Reads the spec's factory."""
    return order_of(_maker(spec))


def _checked_order(where: str, priority: object, after: object, before: object) -> Order:
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise TypeError(f"{where}: priority must be an int, not {priority!r}")
    return priority, _checked_names(where, "after", after), _checked_names(where, "before", before)


def _checked_names(where: str, attribute: str, names: object) -> tuple[str, ...]:
    if isinstance(names, (tuple, list, set, frozenset)) and all(isinstance(n, str) for n in names):
        return tuple(sorted(names)) if isinstance(names, (set, frozenset)) else tuple(names)
    raise TypeError(f"{where}: {attribute} must be a tuple of plugin names, not {names!r}")


PluginType = type[Plugin]
PluginFactory = Callable[[], Plugin]


class PluginSpec:
    """Describes a plugin: its namespace, its unique name in that namespace, and a factory.

    ``factory()`` returns the :class:`Plugin`; in the simplest case the factory is the plugin class.
    Equality compares namespace, name and factory.
    """

    location: str | None = None
    """``module:attr`` of the module-level name that holds this plugin, set by build-time finders
    (a spec whose factory is a closure can only be reached through that name)."""

    def __init__(self, namespace: str, name: str, factory: PluginFactory) -> None:
        self.namespace = namespace
        self.name = name
        self.factory = factory

    def __repr__(self) -> str:
        return f"PluginSpec({self.namespace}.{self.name} = {self.factory})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PluginSpec):
            return NotImplemented
        return (self.namespace, self.name, self.factory) == (
            other.namespace,
            other.name,
            other.factory,
        )

    def __hash__(self) -> int:
        return hash((self.namespace, self.name))

    def find_location(self) -> str | None:
        """The ``module:attr`` that holds this plugin, or None if it is not known.

        That is :attr:`location` when a finder recorded it, else the factory's own module and name
        when the factory is a module-level class or function (not a closure).
        """
        if self.location:
            return self.location
        module = getattr(self.factory, "__module__", None)
        qualname = getattr(self.factory, "__qualname__", None)
        if not module or not qualname or "<locals>" in qualname:
            return None
        return f"{module}:{qualname}"


def make_plugin(spec: PluginSpec) -> Plugin:
    """Make the plugin ``spec`` describes: call its factory (the init step), as the plugin manager
    and ``plux doctor`` both do."""
    return _maker(spec)()


def _maker(spec: PluginSpec) -> PluginFactory:
    """What makes the spec's plugin: its factory, except that a factory which is itself an
    ``@plugin`` function stands for that function's plugin, made by its own spec's factory
    (calling the function would run it instead)."""
    factory = spec.factory
    decorated = getattr(factory, "__pluginspec__", None)
    return decorated.factory if isinstance(decorated, PluginSpec) else factory


class PluginFinder(abc.ABC):
    """Finds plugins: at build time by scanning a project, at run time by reading entry points."""

    @abc.abstractmethod
    def find_plugins(self) -> list[PluginSpec]:
        """Return the specs of every plugin this finder knows of."""


def entry_point_reference(value: str) -> tuple[str, list[str]]:
    """The module and attribute path an entry point value names: ``module``, ``module:attr`` or
    ``module:attr.sub``, optionally followed by extras in brackets, which are ignored here.

    :raises ValueError: if ``value`` is not of that form.
    """
    reference = value.split("[", 1)[0].strip()
    module_name, _, attrs = reference.partition(":")
    module_name = module_name.strip()
    attr_path = attrs.strip().split(".") if attrs.strip() else []
    parts = [*module_name.split("."), *attr_path]
    if (
        not module_name
        or not all(part.isidentifier() for part in parts)
        or (":" in reference and not attr_path)
    ):
        raise ValueError(
            f"malformed entry point value {value!r}: expected 'module.path:attr' "
            "(a dotted module path, optionally ':' and a dotted attribute path)"
        )
    return module_name, attr_path


def import_entry_point_value(value: str) -> object:
    """Import the object an entry point value names (:func:`entry_point_reference`).

    :raises ValueError: if ``value`` is malformed.
    :raises ImportError: if the module cannot be imported (any error the module raises on import
        propagates as is).
    :raises AttributeError: if the module has no such attribute.
    """
    module_name, attr_path = entry_point_reference(value)
    # importlib is loaded by every interpreter at start-up; import_module is cheap.
    from importlib import import_module

    obj: object = import_module(module_name)
    for attr in attr_path:
        obj = getattr(obj, attr)
    return obj


class PluginSpecResolver:
    """Makes a :class:`PluginSpec` out of whatever an entry point or a module attribute holds."""

    def resolve(self, source: Any) -> PluginSpec:
        """Return the spec that ``source`` describes.

        A spec is returned as is; a Plugin subclass with ``namespace`` and ``name`` becomes a spec
        with the class as factory; a function decorated with ``@plugin`` yields its spec.

        :raises ValueError: if ``source`` describes no plugin.
        """
        if isinstance(source, PluginSpec):
            return source
        if isinstance(source, type) and issubclass(source, Plugin):
            namespace = getattr(source, "namespace", None)
            name = getattr(source, "name", None)
            if namespace and name:
                return PluginSpec(namespace, name, source)
            raise ValueError(
                f"plugin class {source.__module__}.{source.__qualname__} needs both a namespace "
                "and a name to be a plugin"
            )
        spec = getattr(source, "__pluginspec__", None)
        if callable(source) and isinstance(spec, PluginSpec):
            return spec
        # plux 1.16's wording first, which callers may match on
        raise ValueError(
            f"cannot resolve plugin specification from {source!r}: expected a PluginSpec, a "
            "Plugin subclass with namespace and name, or a function decorated with @plugin"
        )


class PluginLifecycleListener:
    """Hooks into the life of plugins managed by a ``PluginManager``.

    A plugin is *resolved* (its entry point was imported and a spec made), *init* (the factory was
    called) and *loaded* (``load`` returned). Every hook does nothing by default. An ordinary
    exception raised by a hook is logged and ignored; a :class:`PluginException` (such as
    :class:`PluginDisabled`) decides the plugin's fate.
    """

    def on_resolve_exception(
        self, namespace: str, entrypoint: EntryPoint, exception: Exception
    ) -> None:
        """The entry point could not be turned into a spec (import failed, not a plugin, ...)."""

    def on_resolve_after(self, plugin_spec: PluginSpec) -> None:
        """The entry point was imported and ``plugin_spec`` made from it."""

    def on_init_exception(self, plugin_spec: PluginSpec, exception: Exception) -> None:
        """Calling the spec's factory raised ``exception``."""

    def on_init_after(self, plugin_spec: PluginSpec, plugin: Plugin) -> None:
        """The spec's factory returned ``plugin``."""

    def on_load_before(
        self,
        plugin_spec: PluginSpec,
        plugin: Plugin,
        load_args: list[Any] | tuple[Any, ...],
        load_kwargs: dict[str, Any],
    ) -> None:
        """``plugin.load(*load_args, **load_kwargs)`` is about to be called."""

    def on_load_after(
        self, plugin_spec: PluginSpec, plugin: Plugin, load_result: Any = None
    ) -> None:
        """``plugin.load`` returned ``load_result``."""

    def on_load_exception(
        self, plugin_spec: PluginSpec, plugin: Plugin, exception: Exception
    ) -> None:
        """``plugin.load`` raised ``exception``."""

    def on_conflict(
        self, namespace: str, name: str, chosen: ConflictSide, ignored: ConflictSide
    ) -> None:
        """Two entry points (or specs of a custom finder) register ``name`` in ``namespace``;
        ``chosen`` is used, ``ignored`` is not."""

    def on_call_exception(
        self, plugin_spec: PluginSpec, plugin: Plugin, method: str | None, exception: Exception
    ) -> None:
        """Calling ``method`` of the loaded ``plugin`` (the plugin itself, if None) raised
        ``exception`` in ``PluginManager.call_all`` or a call like it."""

    def on_unload_after(self, plugin_spec: PluginSpec, plugin: Plugin) -> None:
        """``plugin.unload()`` returned; the plugin is no longer loaded."""

    def on_unload_exception(
        self, plugin_spec: PluginSpec, plugin: Plugin, exception: Exception
    ) -> None:
        """``plugin.unload()`` raised ``exception``; the plugin is no longer loaded all the same."""


class FunctionPlugin(Plugin):
    """A plugin made from a function by ``@plugin``; calling it calls the function."""

    def __init__(
        self,
        fn: Callable[..., Any],
        should_load: bool | Callable[[], bool] | None = None,
        load: Callable[..., Any] | None = None,
    ) -> None:
        self.fn = fn
        self._should_load = should_load
        self._load = load

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def should_load(self) -> bool:
        if self._should_load is None:
            return True
        if isinstance(self._should_load, bool):
            return self._should_load
        return bool(self._should_load())

    def load(self, *args: Any, **kwargs: Any) -> Any | None:
        if self._load is None:
            return None
        return self._load(*args, **kwargs)


def plugin(
    namespace: str,
    name: str | None = None,
    should_load: bool | Callable[[], bool] | None = None,
    load: Callable[..., Any] | None = None,
    *,
    priority: int = 0,
    after: Names = (),
    before: Names = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Expose the decorated function as a plugin in ``namespace``.

    The plugin is named ``name``, or after the function. The function itself is returned
    unchanged (so it stays callable and discoverable at module level) and carries its spec as
    ``__pluginspec__``; the manager hands out a :class:`FunctionPlugin` that calls it.
    ``priority``, ``after`` and ``before`` order it as the same attributes of a Plugin class do.

    :raises TypeError: if applied bare (``@plugin`` without arguments), which would otherwise
        replace the function and declare nothing; or if ``priority``, ``after`` or ``before``
        has the wrong type.
    """
    if callable(namespace):
        where = getattr(namespace, "__qualname__", repr(namespace))
        raise TypeError(
            f"@plugin applied directly to {where}: write @plugin(namespace=...) to declare it"
        )

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        plugin_name = name or fn.__name__
        order = _checked_order(
            f"@plugin function {fn.__module__}.{fn.__qualname__}", priority, after, before
        )

        def factory() -> FunctionPlugin:
            fn_plugin = FunctionPlugin(fn, should_load=should_load, load=load)
            fn_plugin.namespace = namespace
            fn_plugin.name = plugin_name
            fn_plugin.priority, fn_plugin.after, fn_plugin.before = order
            fn_plugin.__pluginorder__ = order
            return fn_plugin

        # The factory reports the function's module and name (as functools.wraps would, without
        # importing functools), so entry points made from the spec point at the decorated function.
        factory.__module__ = fn.__module__
        factory.__name__ = fn.__name__
        factory.__qualname__ = fn.__qualname__
        factory.__doc__ = fn.__doc__
        factory.__wrapped__ = fn  # type: ignore[attr-defined]
        # known before the plugin is made: the manager orders loads by it
        factory.__pluginorder__ = fn.__pluginorder__ = order  # type: ignore[attr-defined]

        fn.__pluginspec__ = PluginSpec(namespace, plugin_name, factory)  # type: ignore[attr-defined]
        return fn

    return decorate
