"""Many threads, one manager: every plugin is created once and loaded once."""

from __future__ import annotations

import pytest

SLOW_PLUGINS = """
import threading, time
from plux import Plugin

INITS = {}
LOADS = {}
_lock = threading.Lock()

def _count(table, name):
    with _lock:
        table[name] = table.get(name, 0) + 1

class Slow(Plugin):
    namespace = "race.plugins"
    def __init__(self):
        _count(INITS, self.name)
        time.sleep(0.01)  # widen the window in which a second thread could get in
    def load(self):
        _count(LOADS, self.name)
        time.sleep(0.01)
        return self.name
"""


@pytest.fixture
def race_site(site_builder):
    classes = "".join(f"\nclass Slow{i}(Slow):\n    name = 'slow{i}'\n" for i in range(8))
    site_builder.add_distribution(
        "race",
        entry_points={"race.plugins": {f"slow{i}": f"race_pkg:Slow{i}" for i in range(8)}},
        modules={"race_pkg/__init__.py": SLOW_PLUGINS + classes},
    )
    return site_builder


RACE = """
import json, threading
import race_pkg
from plux import PluginManager

manager = PluginManager("race.plugins")
barrier = threading.Barrier(32)
seen = []

def work(i):
    barrier.wait()
    if MODE == "load":
        seen.append(id(manager.load(f"slow{i % 8}")))
    else:
        seen.extend(id(p) for p in manager.load_all())

threads = [threading.Thread(target=work, args=(i,)) for i in range(32)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"inits": race_pkg.INITS, "loads": race_pkg.LOADS, "instances": len(set(seen))}))
"""


@pytest.mark.parametrize("mode", ["load", "load_all"])
def test_32_threads_create_and_load_each_plugin_once(race_site, python, mode):
    """32 threads racing on load/load_all see one instance and one load call per plugin."""
    result = python.json(f"MODE = {mode!r}\n" + RACE)
    once = {f"slow{i}": 1 for i in range(8)}
    assert result == {"inits": once, "loads": once, "instances": 8}
