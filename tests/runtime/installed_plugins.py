"""Plugins that tests/runtime/test_manager_in_process.py installs into a site folder, as the
module ``lcm_plugins`` of real distributions (kept here so that they are linted like code)."""

from __future__ import annotations

import threading
from typing import Any

from plux import Plugin, PluginManager

NS = "lcm.plugins"

MANAGERS: list[PluginManager[Plugin]] = []
"""The manager under test, for plugins that load other plugins through it."""

STARTED = {"p": threading.Event(), "q": threading.Event()}
"""Set when p or q begins loading: each waits for the other, so two threads hold one each."""


class Hello(Plugin):
    namespace, name = NS, "hello"

    def load(self, *args: Any, **kwargs: Any) -> str:
        return "hello loaded"


class Computed(Plugin):
    namespace = NS
    name = "Computed" + "::Name"  # not a literal: only importing the module tells this name


class LoadsAnother(Plugin):
    namespace = NS
    needs = ""

    def load(self, *args: Any, **kwargs: Any) -> Plugin:
        if self.name in STARTED:
            STARTED[self.name].set()
            STARTED[self.needs].wait(10)
        return MANAGERS[-1].load(self.needs)


class X(LoadsAnother):
    name, needs = "x", "y"


class Y(LoadsAnother):
    name, needs = "y", "x"


class P(LoadsAnother):
    name, needs = "p", "q"


class Q(LoadsAnother):
    name, needs = "q", "p"
