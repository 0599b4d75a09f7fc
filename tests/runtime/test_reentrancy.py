"""Plugins and listeners that call back into the manager: work where possible, never deadlock."""

from __future__ import annotations

import pytest

CHAIN = """
from plux import Plugin, PluginManager

MANAGER = []  # the manager that loads us, set by the probe

class Chained(Plugin):
    namespace = "chain.plugins"
    needs = None
    def load(self):
        if self.needs:
            return MANAGER[0].load(self.needs).name
        return "leaf"

class A(Chained):
    name, needs = "a", "b"

class B(Chained):
    name, needs = "b", "c"

class C(Chained):
    name = "c"

class Selfish(Chained):
    name, needs = "selfish", "selfish"

class X(Chained):
    name, needs = "x", "y"

class Y(Chained):
    name, needs = "y", "x"
"""


@pytest.fixture
def chain_site(site_builder):
    site_builder.add_distribution(
        "chain",
        entry_points={
            "chain.plugins": {n: f"chain_mod:{n.capitalize()}" for n in "abcxy"}
            | {"selfish": "chain_mod:Selfish"}
        },
        modules={"chain_mod.py": CHAIN},
    )
    return site_builder


PROBE = """
import json, chain_mod
from plux import PluginManager, PluginException
manager = PluginManager("chain.plugins")
chain_mod.MANAGER.append(manager)
try:
    manager.load(NAME)
    print(json.dumps(["ok", manager.get_container(NAME).load_value]))
except PluginException as e:
    print(json.dumps(["error", str(e)]))
"""


def probe(python, name):
    return python.json(PROBE.replace("NAME", repr(name)))


def test_plugin_load_may_load_other_plugins(chain_site, python):
    """A plugin whose load calls manager.load of another plugin works."""
    assert probe(python, "a") == ["ok", "b"]


def test_plugin_loading_itself_is_a_named_cycle(chain_site, python):
    """A plugin that loads itself gets a PluginException naming the cycle."""
    assert probe(python, "selfish") == ["error", "plugin load cycle: selfish -> selfish"]


def test_cycle_through_other_plugins_is_named(chain_site, python):
    """x loads y loads x: the error names the whole cycle."""
    assert probe(python, "x") == ["error", "plugin load cycle: x -> y -> x"]


def test_listeners_may_call_back_into_the_manager(chain_site, python):
    """Listener hooks that list, inspect and load through the manager do not deadlock."""
    result = python.json(
        """
        import json, chain_mod
        from plux import PluginManager, PluginLifecycleListener
        seen = []
        class Curious(PluginLifecycleListener):
            def on_resolve_after(self, spec):
                seen.append(["resolved", spec.name, len(manager.list_names())])
            def on_load_after(self, spec, plugin, result):
                seen.append(["loaded", spec.name, manager.is_loaded(spec.name)])
                if spec.name == "c":
                    manager.load("c")
        manager = PluginManager("chain.plugins", listener=Curious())
        chain_mod.MANAGER.append(manager)
        manager.load("c")
        print(json.dumps(seen))
        """
    )
    assert result == [["resolved", "c", 6], ["loaded", "c", True]]


def test_64_threads_over_8_managers_load_each_plugin_once_per_manager(chain_site, python):
    """64 threads across 8 managers of one namespace: each manager loads each plugin once."""
    result = python.json(
        """
        import json, threading, chain_mod
        from plux import PluginManager, PluginLifecycleListener
        counts = {}
        lock = threading.Lock()
        class Count(PluginLifecycleListener):
            def __init__(self, i):
                self.i = i
            def on_init_after(self, spec, plugin):
                with lock:
                    key = f"{self.i}:{spec.name}:init"
                    counts[key] = counts.get(key, 0) + 1
            def on_load_after(self, spec, plugin, result):
                with lock:
                    key = f"{self.i}:{spec.name}:load"
                    counts[key] = counts.get(key, 0) + 1
        managers = [PluginManager("chain.plugins", listener=Count(i)) for i in range(8)]
        chain_mod.MANAGER.append(managers[0])
        barrier = threading.Barrier(64)
        def work(n):
            barrier.wait()
            managers[n % 8].load("c")
            managers[n % 8].load_all()
        threads = [threading.Thread(target=work, args=(n,)) for n in range(64)]
        for t in threads: t.start()
        for t in threads: t.join()
        print(json.dumps(sorted(set(counts.values()))))
        """
    )
    assert result == [1]
