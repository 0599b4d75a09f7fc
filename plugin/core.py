"""Legacy import path of the plugin vocabulary (``plux.core.plugin``), as plux 1.x had it."""

from plux.core.plugin import (
    FunctionPlugin,
    Plugin,
    PluginDisabled,
    PluginException,
    PluginFactory,
    PluginFinder,
    PluginLifecycleListener,
    PluginSpec,
    PluginSpecResolver,
    PluginType,
    plugin,
)

__all__ = [
    "FunctionPlugin",
    "Plugin",
    "PluginDisabled",
    "PluginException",
    "PluginFactory",
    "PluginFinder",
    "PluginLifecycleListener",
    "PluginSpec",
    "PluginSpecResolver",
    "PluginType",
    "plugin",
]
