"""Calling every loaded plugin of a namespace (and tearing them down): one result per plugin, and
what a failure does under each error policy.

The plugin manager's ``call_all``, ``call_first``, their ``async`` forms, ``unload`` and
``unload_all`` are these functions (imported by the first call): a process that only loads
plugins never reads them."""

from __future__ import annotations

import sys

from plux.core._typing import Generic
from plux.runtime._lifecycle import P, loading
from plux.runtime._log import logger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator, Sequence
    from typing import Any, Literal

    from plux.runtime._lifecycle import PluginContainer
    from plux.runtime.manager import PluginManager

    Target = tuple[PluginContainer[P], P, Callable[..., Any]]
    """A loaded plugin, and what a call calls of it."""

    ErrorPolicy = Literal["log", "raise", "group"]
    """``log``: log each failure, naming the plugin, and go on; ``raise``: raise the first
    failure; ``group``: run every plugin, then raise the failures together as
    :class:`PluginErrors`."""

POLICIES = ("log", "raise", "group")

if sys.version_info >= (3, 11):

    class PluginErrors(ExceptionGroup[Exception]):  # noqa: F821  # a builtin since 3.11
        """The failures of several plugins, raised together (an ``ExceptionGroup``, so
        ``except*`` takes it apart); each failure carries a note naming its plugin."""

else:

    class PluginErrors(Exception):
        """The failures of several plugins, raised together: ``message`` and ``exceptions`` as
        an ``ExceptionGroup`` has them (which Python 3.10 lacks)."""

        def __init__(self, message: str, exceptions: Sequence[Exception]) -> None:
            super().__init__(message, tuple(exceptions))
            self.message = message
            self.exceptions = tuple(exceptions)

        def __str__(self) -> str:
            count = len(self.exceptions)
            return f"{self.message} ({count} sub-exception{'s' if count > 1 else ''})"


class CallResult(Generic[P]):
    """What calling one plugin gave: the plugin's ``name``, the ``plugin`` object, and the
    ``value`` it returned or the ``error`` it raised."""

    __slots__ = ("name", "plugin", "value", "error")

    def __init__(
        self, name: str, plugin: P, value: object = None, error: Exception | None = None
    ) -> None:
        self.name = name
        self.plugin = plugin
        self.value = value
        self.error = error

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CallResult):
            return NotImplemented
        return (self.name, self.plugin, self.value, self.error) == (
            other.name,
            other.plugin,
            other.value,
            other.error,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable fields, compared by value

    def __repr__(self) -> str:
        outcome = f"error={self.error!r}" if self.error is not None else f"value={self.value!r}"
        return f"CallResult({self.name!r}, {outcome})"


class CallRun(Generic[P]):
    """The results of one run over a namespace's plugins, under one error policy.

    ``what`` names the call in messages (``"call_all('start')"``). With ``stop_early`` (calls),
    ``raise`` stops at the first failure; without it (teardowns, which all run), ``raise``
    raises the first failure once every plugin had its turn, and logs the others.
    """

    def __init__(self, namespace: str, what: str, errors: str, stop_early: bool) -> None:
        if errors not in POLICIES:
            raise ValueError(f"errors must be one of {', '.join(POLICIES)}, not {errors!r}")
        self.namespace = namespace
        self.what = what
        self.errors = errors
        self.stop_early = stop_early
        self.results: list[CallResult[P]] = []
        self._failures: list[Exception] = []

    def called(
        self, name: str, plugin: P, value: object = None, error: Exception | None = None
    ) -> CallResult[P]:
        """Keep what calling plugin ``name`` gave (as :meth:`add`) and return it."""
        result = CallResult(name, plugin, value, error)
        self.add(result)
        return result

    def add(self, result: CallResult[P]) -> None:
        """Keep ``result``; a failure is logged or raised as the policy says."""
        self.results.append(result)
        error = result.error
        if error is None:
            return
        if hasattr(error, "add_note"):  # Python 3.11+: tracebacks name the plugin
            error.add_note(f"in {self.what} of plugin {self.namespace}:{result.name}")
        self._failures.append(error)
        if self.errors == "raise" and self.stop_early:
            raise error
        if self.errors == "log" or (self.errors == "raise" and len(self._failures) > 1):
            logger().error(
                "%s failed for plugin %s:%s: %s",
                self.what,
                self.namespace,
                result.name,
                error,
                exc_info=error,
            )

    def finish(self) -> list[CallResult[P]]:
        """The results, in order; raises the failures the policy keeps for the end."""
        if self._failures and self.errors == "raise":
            raise self._failures[0]
        if self._failures and self.errors == "group":
            raise PluginErrors(
                f"{self.what} failed for {len(self._failures)} of {len(self.results)} plugins "
                f"of namespace {self.namespace}",
                self._failures,
            )
        return self.results


def call_all(
    manager: PluginManager[P], method: str | None, args: Any, kwargs: Any, errors: str
) -> list[CallResult[P]]:
    """:meth:`PluginManager.call_all <plux.PluginManager.call_all>`."""
    run = _run(manager, "call_all", method, errors)
    for _ in _results(manager, run, method, args, kwargs):
        pass
    return run.finish()


def call_first(
    manager: PluginManager[P], method: str | None, args: Any, kwargs: Any, errors: str
) -> CallResult[P] | None:
    """:meth:`PluginManager.call_first <plux.PluginManager.call_first>`."""
    run = _run(manager, "call_first", method, errors)
    answer = next(
        (r for r in _results(manager, run, method, args, kwargs) if r.value is not None), None
    )
    run.finish()  # failures before the answer are raised as the policy says
    return answer


async def acall_all(
    manager: PluginManager[P], method: str | None, args: Any, kwargs: Any, errors: str
) -> list[CallResult[P]]:
    """:meth:`PluginManager.acall_all <plux.PluginManager.acall_all>`."""
    run = _run(manager, "acall_all", method, errors)
    async for _ in _aresults(manager, run, method, args, kwargs):
        pass
    return run.finish()


async def acall_first(
    manager: PluginManager[P], method: str | None, args: Any, kwargs: Any, errors: str
) -> CallResult[P] | None:
    """:meth:`PluginManager.acall_first <plux.PluginManager.acall_first>`."""
    run = _run(manager, "acall_first", method, errors)
    answer = None
    async for result in _aresults(manager, run, method, args, kwargs):
        if result.value is not None:
            answer = result
            break
    run.finish()  # failures before the answer are raised as the policy says
    return answer


def unload_all(manager: PluginManager[P], errors: str) -> list[CallResult[P]]:
    """:meth:`PluginManager.unload_all <plux.PluginManager.unload_all>`: the manager's record of
    finished loads, torn down from the last."""
    run = _run(manager, "unload_all", None, errors, stop_early=False)
    while True:
        with manager._index_lock:
            if not manager._finished:
                break
            container = manager._finished[-1]
        result = unload(manager, container)
        if result is not None:
            run.add(result)
    return run.finish()


def unload(manager: PluginManager[P], container: PluginContainer[P]) -> CallResult[P] | None:
    """Tear the plugin down if it is loaded: what its ``unload()`` gave; else None."""
    with loading(container):
        with manager._index_lock:
            if container in manager._finished:
                manager._finished.remove(container)
                manager._loads += 1
        plugin, spec = container.plugin, container.resolved_spec
        if not container.is_loaded or plugin is None or spec is None:
            return None
        container.state = container.state.unloaded()
        try:
            plugin.unload()
        except Exception as e:
            manager._listeners.on_unload_exception(spec, plugin, e)
            return CallResult(container.name, plugin, error=e)
        manager._listeners.on_unload_after(spec, plugin)
        return CallResult(container.name, plugin)


def _run(
    manager: PluginManager[P], call: str, method: str | None, errors: str, stop_early: bool = True
) -> CallRun[P]:
    what = f"{call}({method!r})" if method is not None else call
    return CallRun(manager.namespace, what, errors, stop_early)


def _results(
    manager: PluginManager[P], run: CallRun[P], method: str | None, args: Any, kwargs: Any
) -> Iterator[CallResult[P]]:
    """Call each loaded plugin in run order; each result, once ``run`` has it."""
    for container, plugin, call in _targets(manager, method):
        try:
            value = call(*args, **kwargs)
        except Exception as e:
            yield _failed(manager, run, container, plugin, method, e)
        else:
            yield run.called(container.name, plugin, value)


async def _aresults(
    manager: PluginManager[P], run: CallRun[P], method: str | None, args: Any, kwargs: Any
) -> AsyncIterator[CallResult[P]]:
    """As :func:`_results`, awaiting each awaitable value."""
    for container, plugin, call in _targets(manager, method):
        try:
            value = call(*args, **kwargs)
            if hasattr(value, "__await__"):
                value = await value
        except Exception as e:
            yield _failed(manager, run, container, plugin, method, e)
        else:
            yield run.called(container.name, plugin, value)


def _targets(manager: PluginManager[P], method: str | None) -> Iterator[Target[P]]:
    """Each loaded plugin in run order, with what to call of it."""
    for container in manager._load_all(propagate_exceptions=False):
        plugin = container.plugin
        if plugin is None:
            continue  # unloaded by another thread meanwhile
        if method is None:
            yield container, plugin, plugin  # type: ignore[misc]
        elif hasattr(plugin, method):
            yield container, plugin, getattr(plugin, method)
        else:
            yield container, plugin, _missing(manager.namespace, container.name, plugin, method)


def _failed(
    manager: PluginManager[P],
    run: CallRun[P],
    container: PluginContainer[P],
    plugin: P,
    method: str | None,
    error: Exception,
) -> CallResult[P]:
    manager._listeners.on_call_exception(container.plugin_spec, plugin, method, error)
    return run.called(container.name, plugin, error=error)


def _missing(namespace: str, name: str, plugin: object, method: str) -> Callable[..., Any]:
    """A call that fails, naming the plugin that lacks ``method``."""

    def call(*args: Any, **kwargs: Any) -> Any:
        raise AttributeError(
            f"plugin {namespace}:{name} ({type(plugin).__qualname__}) has no method {method!r}"
        )

    return call
