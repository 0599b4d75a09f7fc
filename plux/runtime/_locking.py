"""Who is loading which plugin: each plugin is loaded by one thread at a time, and a load cycle
(within one thread or across several) is an error instead of a deadlock."""

from __future__ import annotations

import _thread

from plux.core.plugin import PluginException

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType
    from typing import Any

    from plux.runtime._container import PluginContainer


class LoadTracker:
    """Guards plugin loads with each container's lock and keeps the wait-for graph of threads."""

    def __init__(self) -> None:
        self._graph_lock = _thread.allocate_lock()
        self._owner: dict[int, int] = {}  # id(container) -> thread loading it
        self._waiting: dict[int, PluginContainer[Any]] = {}  # thread -> container it waits for
        self._stacks: dict[int, list[PluginContainer[Any]]] = {}  # thread -> loads in progress

    def loading(self, container: PluginContainer[Any]) -> _Loading:
        """A context in which the calling thread alone loads ``container``.

        :raises PluginException: if entering would close a cycle of loads, naming the cycle.
        """
        return _Loading(self, container)

    def _enter(self, container: PluginContainer[Any]) -> None:
        me = _thread.get_ident()
        with self._graph_lock:
            chain = [container]
            owner = self._owner.get(id(container))
            while owner is not None:
                if owner == me:
                    raise self._cycle_error(me, chain)
                waited_for = self._waiting.get(owner)
                if waited_for is None:
                    break
                chain.append(waited_for)
                owner = self._owner.get(id(waited_for))
            self._waiting[me] = container
        try:
            container.lock.acquire()
        finally:
            with self._graph_lock:
                del self._waiting[me]
        with self._graph_lock:
            self._owner[id(container)] = me
            self._stacks.setdefault(me, []).append(container)

    def _exit(self, container: PluginContainer[Any]) -> None:
        me = _thread.get_ident()
        with self._graph_lock:
            del self._owner[id(container)]
            stack = self._stacks[me]
            stack.pop()
            if not stack:
                del self._stacks[me]
        container.lock.release()

    def _cycle_error(self, me: int, chain: list[PluginContainer[Any]]) -> Exception:
        # The loads this thread has in progress, from the one the cycle starts at, then the chain
        # of plugins other threads hold that leads back here.
        stack = self._stacks.get(me, [])
        start = next((i for i, c in enumerate(stack) if c in chain), len(stack))
        names = [c.name for c in stack[start:]] + [c.name for c in chain]
        if names[0] != names[-1]:
            names.append(names[0])
        return PluginException("plugin load cycle: " + " -> ".join(names), name=chain[0].name)


class _Loading:
    def __init__(self, tracker: LoadTracker, container: PluginContainer[Any]) -> None:
        self._tracker = tracker
        self._container = container

    def __enter__(self) -> None:
        self._tracker._enter(self._container)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._tracker._exit(self._container)


_tracker = LoadTracker()
"""One for the process: a load cycle may run through several managers."""


def loading(container: PluginContainer[Any]) -> _Loading:
    """A context in which the calling thread alone loads ``container`` (:meth:`LoadTracker.loading`
    of the process's tracker)."""
    return _tracker.loading(container)
