"""plux: plugins declared in code, found at build time, loaded lazily at run time.

``import plux`` imports nothing else: each name below is imported from its module on first use,
so that applications which only import plux pay for nothing.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from plux.core.plugin import (
        CompositePluginLifecycleListener as CompositePluginLifecycleListener,
        FunctionPlugin as FunctionPlugin,
        Plugin as Plugin,
        PluginDisabled as PluginDisabled,
        PluginException as PluginException,
        PluginFactory as PluginFactory,
        PluginFinder as PluginFinder,
        PluginLifecycleListener as PluginLifecycleListener,
        PluginSpec as PluginSpec,
        PluginSpecResolver as PluginSpecResolver,
        PluginType as PluginType,
        plugin as plugin,
    )
    from plux.runtime._calls import CallResult as CallResult, PluginErrors as PluginErrors
    from plux.runtime.manager import (
        PluginContainer as PluginContainer,
        PluginManager as PluginManager,
    )

__version__ = "2.0.0.dev0"
name = "plux"  # as in plux 1.16

_EXPORTS = {
    "CompositePluginLifecycleListener": "plux.core.plugin",
    "FunctionPlugin": "plux.core.plugin",
    "Plugin": "plux.core.plugin",
    "PluginDisabled": "plux.core.plugin",
    "PluginException": "plux.core.plugin",
    "PluginFactory": "plux.core.plugin",
    "PluginFinder": "plux.core.plugin",
    "PluginLifecycleListener": "plux.core.plugin",
    "PluginSpec": "plux.core.plugin",
    "PluginSpecResolver": "plux.core.plugin",
    "PluginType": "plux.core.plugin",
    "plugin": "plux.core.plugin",
    "PluginContainer": "plux.runtime.manager",
    "PluginManager": "plux.runtime.manager",
    "CallResult": "plux.runtime._calls",
    "PluginErrors": "plux.runtime._calls",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> object:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'plux' has no attribute {name!r}")
    module = __import__(module_name, fromlist=[name])
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
