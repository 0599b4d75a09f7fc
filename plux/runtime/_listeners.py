"""How a plugin manager tells its listeners of lifecycle events, and what their errors do."""

from __future__ import annotations

from plux.core.plugin import (
    CompositePluginLifecycleListener,
    PluginException,
    PluginLifecycleListener,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

_HOOKS = tuple(name for name in vars(PluginLifecycleListener) if name.startswith("on_"))


class ListenerDispatcher(CompositePluginLifecycleListener):
    """The listeners of one manager, called through one typed method per hook.

    An ordinary exception raised by a listener is logged and ignored; a :class:`PluginException`
    (such as :class:`PluginDisabled`) reaches the manager and decides the plugin's fate.
    """

    def _call(self, hook_name: str, method: Callable[..., None], *args: Any, **kwargs: Any) -> None:
        try:
            method(*args, **kwargs)
        except PluginException:
            raise
        except Exception as e:
            from plux.runtime._log import log_error

            # plux 1.16's words, which log readers may match on
            listener = getattr(method, "__self__", method)
            log_error("error while calling %s: %s (listener %r, ignored)", hook_name, e, listener)


def as_listeners(
    listener: PluginLifecycleListener | Iterable[PluginLifecycleListener] | None,
) -> list[PluginLifecycleListener]:
    """The listeners given as ``listener``: an object with any lifecycle hook is one listener
    (a PluginLifecycleListener, or any object with the hook methods, such as a Mock)."""
    if listener is None:
        return []
    if any(hasattr(listener, hook) for hook in _HOOKS):
        return [listener]  # type: ignore[list-item]
    return list(listener)  # type: ignore[arg-type]
