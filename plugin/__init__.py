"""Legacy import path: ``plugin`` is what plux was imported as before it was renamed."""

import plux

TYPE_CHECKING = False
if TYPE_CHECKING:
    from plux import (
        CallResult as CallResult,
        CompositePluginLifecycleListener as CompositePluginLifecycleListener,
        FunctionPlugin as FunctionPlugin,
        Plugin as Plugin,
        PluginContainer as PluginContainer,
        PluginDisabled as PluginDisabled,
        PluginErrors as PluginErrors,
        PluginException as PluginException,
        PluginFactory as PluginFactory,
        PluginFinder as PluginFinder,
        PluginLifecycleListener as PluginLifecycleListener,
        PluginManager as PluginManager,
        PluginSpec as PluginSpec,
        PluginSpecResolver as PluginSpecResolver,
        PluginType as PluginType,
        __version__ as __version__,
        plugin as plugin,
    )

name = "plugin"  # as in plux 1.16

__all__ = plux.__all__


def __getattr__(name: str) -> object:
    return getattr(plux, name)


def __dir__() -> list[str]:
    return sorted(__all__)
