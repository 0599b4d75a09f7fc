"""Plugins that tests/runtime/test_orchestration.py installs into a site folder, as the module
``orch_plugins`` of real distributions (kept here so that they are linted like code)."""

from __future__ import annotations

import threading
from typing import Any

from plux import Plugin, PluginSpec, plugin

NS = "orch.plugins"

EVENTS: list[str] = []
"""What the plugins did, in order: ``load NAME``, ``unload NAME``, ``call NAME``."""

SLOW_STARTED = threading.Event()
"""Set when ``slow`` begins loading; it then waits for :data:`SLOW_GO`."""
SLOW_GO = threading.Event()


class Recording(Plugin):
    """The base of this namespace's plugins: each says what it did in :data:`EVENTS`."""

    namespace = NS

    def load(self, *args: Any, **kwargs: Any) -> None:
        EVENTS.append(f"load {self.name}")

    def unload(self) -> None:
        EVENTS.append(f"unload {self.name}")

    def start(self, *args: Any, **kwargs: Any) -> str:
        EVENTS.append(f"call {self.name}")
        return f"{self.name} started with {args} {kwargs}"


class Low(Recording):
    name, priority = "low", -10


class Default(Recording):
    name = "default"


class Default2(Recording):
    name = "default2"


class High(Recording):
    name, priority = "high", 10


@plugin(namespace=NS, priority=5)
def hook(*args: Any) -> str:
    EVENTS.append("call hook")
    return f"hook called with {args}"


class Made(Recording):
    name = "made"


def make_made() -> Made:
    """A factory that gives its plugin a priority of its own."""
    made = Made()
    made.priority = 7
    return made


made = PluginSpec(NS, "made", make_made)


class First(Recording):
    name, before = "first", ("default",)


class Last(Recording):
    name, after = "last", ("high", "not-installed")


class CycleA(Recording):
    name, after = "cycle_a", ("cycle_b",)


class CycleB(Recording):
    name, after = "cycle_b", ("cycle_c",)


class CycleC(Recording):
    name, after = "cycle_c", ("cycle_a",)


class StartFails(Recording):
    name = "start_fails"

    def start(self, *args: Any, **kwargs: Any) -> str:
        raise ValueError("start_fails cannot start")


class StartFailsToo(Recording):
    name, priority = "start_fails_too", -1

    def start(self, *args: Any, **kwargs: Any) -> str:
        raise KeyError("start_fails_too cannot start")


class LoadFails(Recording):
    name = "load_fails"

    def load(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("load_fails cannot load")


class Off(Recording):
    name = "off"

    def should_load(self) -> bool:
        return False


class UnloadFails(Recording):
    name = "unload_fails"

    def unload(self) -> None:
        super().unload()
        raise OSError("unload_fails cannot unload")


class Silent(Recording):
    """Returns None from ``start``: ``call_first`` passes it by."""

    name, priority = "silent", 20

    def start(self, *args: Any, **kwargs: Any) -> None:
        EVENTS.append("call silent")


class AsyncStart(Recording):
    name = "async_start"

    async def start(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
        EVENTS.append("call async_start")
        return "async_start awaited"


class Stranger(Plugin):
    """A plugin of the namespace that is no Recording."""

    namespace, name = NS, "stranger"


class Slow(Recording):
    name = "slow"

    def load(self, *args: Any, **kwargs: Any) -> None:
        SLOW_STARTED.set()
        SLOW_GO.wait(10)
        super().load()
