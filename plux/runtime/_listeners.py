"""How a plugin manager tells its listeners of lifecycle events, and what their errors do; the
listener that tells several (public as ``plux.core.plugin.CompositePluginLifecycleListener``)."""

from __future__ import annotations

from plux.core.plugin import PluginException, PluginLifecycleListener

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from importlib.metadata import EntryPoint
    from typing import Any, Concatenate, ParamSpec

    from plux.core.plugin import Plugin, PluginSpec
    from plux.runtime._conflicts import ConflictSide

    HookArgs = ParamSpec("HookArgs")

_HOOKS = tuple(name for name in vars(PluginLifecycleListener) if name.startswith("on_"))


class CompositePluginLifecycleListener(PluginLifecycleListener):
    """Fans every hook out to several listeners, in the order they were added.

    A listener lacking a hook (one of no PluginLifecycleListener class) is skipped for it.
    """

    __module__ = "plux.core.plugin"  # where plux 1.16 defines it, and its public name

    def __init__(self, initial: Iterable[PluginLifecycleListener] | None = None) -> None:
        self.listeners: list[PluginLifecycleListener] = list(initial or ())

    def add_listener(self, listener: PluginLifecycleListener) -> None:
        """Append ``listener``; it sees every event from now on."""
        self.listeners.append(listener)

    def _dispatch(
        self,
        hook: Callable[Concatenate[PluginLifecycleListener, HookArgs], None],
        *args: HookArgs.args,
        **kwargs: HookArgs.kwargs,
    ) -> None:
        """Call ``hook`` (a method of PluginLifecycleListener, so arguments are type-checked) on
        every listener that has it; a listener of no PluginLifecycleListener class may lack it."""
        for listener in self.listeners:
            method = getattr(listener, hook.__name__, None)
            if method is not None:
                self._call(hook.__name__, method, *args, **kwargs)

    def _call(self, hook_name: str, method: Callable[..., None], *args: Any, **kwargs: Any) -> None:
        """Call one listener's hook; errors reach the caller."""
        method(*args, **kwargs)

    def on_resolve_exception(
        self, namespace: str, entrypoint: EntryPoint, exception: Exception
    ) -> None:
        self._dispatch(
            PluginLifecycleListener.on_resolve_exception, namespace, entrypoint, exception
        )

    def on_resolve_after(self, plugin_spec: PluginSpec) -> None:
        self._dispatch(PluginLifecycleListener.on_resolve_after, plugin_spec)

    def on_init_exception(self, plugin_spec: PluginSpec, exception: Exception) -> None:
        self._dispatch(PluginLifecycleListener.on_init_exception, plugin_spec, exception)

    def on_init_after(self, plugin_spec: PluginSpec, plugin: Plugin) -> None:
        self._dispatch(PluginLifecycleListener.on_init_after, plugin_spec, plugin)

    def on_load_before(
        self,
        plugin_spec: PluginSpec,
        plugin: Plugin,
        load_args: list[Any] | tuple[Any, ...],
        load_kwargs: dict[str, Any],
    ) -> None:
        self._dispatch(
            PluginLifecycleListener.on_load_before, plugin_spec, plugin, load_args, load_kwargs
        )

    def on_load_after(
        self, plugin_spec: PluginSpec, plugin: Plugin, load_result: Any = None
    ) -> None:
        self._dispatch(PluginLifecycleListener.on_load_after, plugin_spec, plugin, load_result)

    def on_load_exception(
        self, plugin_spec: PluginSpec, plugin: Plugin, exception: Exception
    ) -> None:
        self._dispatch(PluginLifecycleListener.on_load_exception, plugin_spec, plugin, exception)

    def on_conflict(
        self, namespace: str, name: str, chosen: ConflictSide, ignored: ConflictSide
    ) -> None:
        self._dispatch(PluginLifecycleListener.on_conflict, namespace, name, chosen, ignored)

    def on_call_exception(
        self, plugin_spec: PluginSpec, plugin: Plugin, method: str | None, exception: Exception
    ) -> None:
        self._dispatch(
            PluginLifecycleListener.on_call_exception, plugin_spec, plugin, method, exception
        )

    def on_unload_after(self, plugin_spec: PluginSpec, plugin: Plugin) -> None:
        self._dispatch(PluginLifecycleListener.on_unload_after, plugin_spec, plugin)

    def on_unload_exception(
        self, plugin_spec: PluginSpec, plugin: Plugin, exception: Exception
    ) -> None:
        self._dispatch(PluginLifecycleListener.on_unload_exception, plugin_spec, plugin, exception)


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
