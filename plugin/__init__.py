"""Legacy import path: ``plugin`` is what plux was imported as before it was renamed."""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from plux import (
        CompositePluginLifecycleListener,
        FunctionPlugin,
        Plugin,
        PluginContainer,
        PluginDisabled,
        PluginException,
        PluginFactory,
        PluginFinder,
        PluginLifecycleListener,
        PluginManager,
        PluginSpec,
        PluginSpecResolver,
        PluginType,
        __version__,
        plugin,
    )

import plux

__all__ = plux.__all__


def __getattr__(name: str) -> object:
    return getattr(plux, name)


def __dir__() -> list[str]:
    return sorted(__all__)
