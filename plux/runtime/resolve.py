"""Turning entry points into plugin specs: the eager finder of plux 1.16, and where resolving an
entry point failed. Importing what an entry point names is :mod:`plux.core.plugin`'s
(:func:`~plux.core.plugin.import_entry_point_value`), which the warm path has loaded already."""

from __future__ import annotations

from plux.core.plugin import PluginFinder, PluginSpec, PluginSpecResolver, import_entry_point_value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from importlib.metadata import EntryPoint

    from plux.runtime.cache import EntryPointsResolver

    ResolveExceptionCallback = Callable[[str, EntryPoint, Exception], None]

__all__ = [
    "MetadataPluginFinder",
]


def failure_location(error: BaseException, value: str) -> str | None:
    """``FILE:LINE`` where resolving the entry point ``value`` failed, or None if not known.

    That is the place of a syntax error, else the deepest line of the traceback in the plugin's
    own package (the top-level package of the value's module), else the deepest line outside
    importlib and plux (a library the plugin called).
    """
    if isinstance(error, SyntaxError) and error.filename and error.lineno:
        return f"{error.filename}:{error.lineno}"
    package = value.split("[", 1)[0].partition(":")[0].strip().partition(".")[0]
    own = outside = None
    tb = error.__traceback__
    while tb is not None:
        code, module = tb.tb_frame.f_code, tb.tb_frame.f_globals.get("__name__", "")
        where = f"{code.co_filename}:{tb.tb_lineno}"
        if module == package or module.startswith(package + "."):
            own = where
        if not code.co_filename.startswith("<") and not module.startswith(("importlib", "plux.")):
            outside = where
        tb = tb.tb_next
    return own or outside


def describe_failure(error: BaseException, value: str) -> str:
    """``Type: message (at FILE:LINE)``: why resolving the entry point ``value`` failed, and
    where (:func:`failure_location`), on one line."""
    text = " ".join(str(error).split())
    described = f"{type(error).__name__}: {text}" if text else type(error).__name__
    location = failure_location(error, value)
    return f"{described} (at {location})" if location else described


class MetadataPluginFinder(PluginFinder):
    """Finds the plugins of a namespace in the installed distributions' entry points, eagerly.

    Every entry point of the namespace is imported. One that cannot be imported or does not
    describe a plugin is reported to ``on_resolve_exception_callback`` and left out.
    """

    def __init__(
        self,
        namespace: str,
        on_resolve_exception_callback: ResolveExceptionCallback | None = None,
        spec_resolver: PluginSpecResolver | None = None,
        entry_points_resolver: EntryPointsResolver | None = None,
    ) -> None:
        self.namespace = namespace
        self.on_resolve_exception_callback = on_resolve_exception_callback
        self.spec_resolver = spec_resolver or PluginSpecResolver()
        if entry_points_resolver is None:
            from plux.runtime.cache import EntryPointsCache

            entry_points_resolver = EntryPointsCache.instance()
        self.entry_points_resolver: EntryPointsResolver = entry_points_resolver

    def find_plugins(self) -> list[PluginSpec]:
        specs = []
        for entry_point in self.entry_points_resolver.get_entry_points().get(self.namespace, []):
            spec = self.to_plugin_spec(entry_point)
            if spec is not None:
                specs.append(spec)
        return specs

    def to_plugin_spec(self, entry_point: EntryPoint) -> PluginSpec | None:
        """The spec the entry point describes, or None after reporting why there is none."""
        try:
            return self.spec_resolver.resolve(import_entry_point_value(entry_point.value))
        except Exception as e:
            if self.on_resolve_exception_callback is not None:
                self.on_resolve_exception_callback(self.namespace, entry_point, e)
            else:
                import logging

                logging.getLogger(__name__).error(
                    "cannot resolve entry point %s = %s in %s: %s",
                    entry_point.name,
                    entry_point.value,
                    self.namespace,
                    describe_failure(e, entry_point.value),
                )
            return None
