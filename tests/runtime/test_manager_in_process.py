"""The default manager over real installed distributions, in this process: lazy resolution,
resolve failures, declared names, conflicts and load cycles, as the lifecycle state shows them."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from plux import (
    Plugin,
    PluginException,
    PluginLifecycleListener,
    PluginManager,
    PluginSpec,
)
from plux.core.plugin import ConflictSide
from plux.runtime.cache import EntryPointsCache

NS = "lcm.plugins"
PLUGINS = (Path(__file__).parent / "installed_plugins.py").read_text()


class Recorder(PluginLifecycleListener):
    def __init__(self) -> None:
        self.heard: list[tuple[Any, ...]] = []

    def on_resolve_exception(
        self, namespace: str, entrypoint: EntryPoint, exception: Exception
    ) -> None:
        self.heard.append(("on_resolve_exception", entrypoint.name, type(exception).__name__))

    def on_resolve_after(self, plugin_spec: PluginSpec) -> None:
        self.heard.append(("on_resolve_after", plugin_spec.name))

    def on_conflict(
        self, namespace: str, name: str, chosen: ConflictSide, ignored: ConflictSide
    ) -> None:
        self.heard.append(("on_conflict", name, chosen, ignored))


@pytest.fixture
def install(
    site_builder: Any, make_cache: Callable[..., EntryPointsCache], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., None]]:
    """Installs distributions whose entry points point into module ``lcm_plugins``, and makes
    this process see them (on sys.path, in the process-wide entry point index)."""
    site_builder.add_module("lcm_plugins.py", PLUGINS)
    monkeypatch.syspath_prepend(str(site_builder.path))
    monkeypatch.setattr(EntryPointsCache, "_instance", make_cache())

    def install(name: str, entry_points: dict[str, str], group: str = NS) -> None:
        site_builder.add_distribution(name, entry_points={group: entry_points})

    yield install
    sys.modules.pop("lcm_plugins", None)


def manager(**kwargs: Any) -> PluginManager[Plugin]:
    return PluginManager(NS, **kwargs)


def test_plugin_is_listed_until_its_first_load(install: Callable[..., None]) -> None:
    """Listing imports nothing; the first load resolves, creates and loads the plugin."""
    install("lcm-hello", {"hello": "lcm_plugins:Hello"})
    m = manager()
    container = m.get_container("hello")
    assert (container.state.phase, container.is_resolved) == ("listed", False)
    assert "not yet resolved" in str(container.plugin_spec)
    assert "lcm_plugins" not in sys.modules
    assert m.load("hello").load() == "hello loaded"
    assert (container.state.phase, container.load_value) == ("loaded", "hello loaded")
    assert container.distribution is not None
    assert container.distribution.metadata["Name"] == "lcm-hello"
    assert "loaded" in repr(container)


def test_lazy_spec_factory_resolves_the_plugin(install: Callable[..., None]) -> None:
    """Reading a listed plugin's spec factory imports it, and listeners hear of the resolve."""
    install("lcm-hello", {"hello": "lcm_plugins:Hello"})
    recorder = Recorder()
    m = manager(listener=recorder)
    spec = m.list_plugin_specs()[0]
    assert spec.factory.__name__ == "Hello"
    assert m.get_container("hello").state.phase == "resolved"
    assert recorder.heard == [("on_resolve_after", "hello")]


def test_unresolvable_entry_point_fails_at_the_resolve_step(install: Callable[..., None]) -> None:
    """An entry point that does not import fails at resolve, is reported once, raised again."""
    install("lcm-broken", {"broken": "lcm_missing_module:Thing", "hello": "lcm_plugins:Hello"})
    recorder = Recorder()
    m = manager(listener=recorder)
    with pytest.raises(PluginException, match="lcm_missing_module.*distribution lcm-broken 1.0"):
        m.load("broken")
    container = m.get_container("broken")
    assert (container.state.phase, container.state.step) == ("failed", "resolve")
    with pytest.raises(PluginException) as again:
        m.load("broken")
    assert again.value is container.resolve_error
    assert [type(p).__name__ for p in m.load_all()] == ["Hello"]
    assert recorder.heard[0] == ("on_resolve_exception", "broken", "ModuleNotFoundError")


def test_plugin_named_in_code_loads_by_its_declared_name(install: Callable[..., None]) -> None:
    """An entry point lower-casing a name the index cannot read statically still loads by the
    declared name (confirmed after import); the entry point name stays an alias."""
    install("lcm-computed", {"computed::name": "lcm_plugins:Computed"})
    m = manager()
    assert m.list_names() == ["computed::name"]
    assert m.load("Computed::Name").name == "Computed::Name"
    assert m.list_names() == ["Computed::Name"]
    assert m.exists("computed::name") and m.is_loaded("Computed::Name")
    assert not m.exists("computed::other")


def test_conflict_sides_name_both_distributions(install: Callable[..., None]) -> None:
    """Two distributions registering one name: on_conflict gets a ConflictSide for each, with
    distribution and version; the first is used."""
    install("lcm-one", {"hello": "lcm_plugins:Hello"})
    install("lcm-two", {"hello": "lcm_plugins:Computed"})
    recorder = Recorder()
    m = manager(listener=recorder)
    assert m.list_names() == ["hello"]
    [(hook, name, chosen, ignored)] = recorder.heard
    assert (hook, name) == ("on_conflict", "hello")
    assert {chosen.distribution, ignored.distribution} == {"lcm-one", "lcm-two"}
    assert chosen.version == ignored.version == "1.0"
    assert m.get_container("hello").entry_point.value == chosen.value  # type: ignore[union-attr]
    assert str(chosen) == f"distribution {chosen.distribution} 1.0"


def test_load_cycle_in_one_thread_fails_both_plugins(install: Callable[..., None]) -> None:
    """x loads y, which loads x: a PluginException names the cycle, at the load step."""
    install("lcm-cycle", {"x": "lcm_plugins:X", "y": "lcm_plugins:Y"})
    m = manager()
    import lcm_plugins  # type: ignore[import-not-found]

    lcm_plugins.MANAGERS.append(m)
    with pytest.raises(PluginException, match=r"plugin load cycle: x -> y -> x"):
        m.load("x")
    assert [m.get_container(n).state.step for n in "xy"] == ["load", "load"]


def test_load_cycle_across_threads_is_an_error_not_a_deadlock(
    install: Callable[..., None],
) -> None:
    """Two threads each holding one plugin of a cycle: one gets the cycle error, none hangs."""
    install("lcm-cycle", {"p": "lcm_plugins:P", "q": "lcm_plugins:Q"})
    m = manager()
    import lcm_plugins

    lcm_plugins.MANAGERS.append(m)
    errors: dict[str, Exception] = {}

    def load(name: str) -> None:
        try:
            m.load(name)
        except Exception as e:
            errors[name] = e

    threads = [threading.Thread(target=load, args=(n,)) for n in "pq"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not any(t.is_alive() for t in threads)
    assert sorted(errors) == ["p", "q"]
    assert any("plugin load cycle" in str(e) for e in errors.values())
