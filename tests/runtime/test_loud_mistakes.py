"""Mistakes made at run time are loud: unknown names and namespaces get close-match suggestions,
and filters that match on namespace, name or value decide before a plugin's module is imported."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from plux import Plugin, PluginDisabled, PluginException, PluginManager, PluginSpec
from plux.runtime.cache import EntryPointsCache
from plux.runtime.filter import MatchingPluginFilter, global_plugin_filter

NS = "greetings.plugins"

GREETERS = """
from plux import Plugin

class Hello(Plugin):
    namespace, name = "greetings.plugins", "Hello"

class Upper(Plugin):
    namespace = "greetings.plugins"
    name = "Up" + "per"  # not a literal: the index cannot read it without importing
"""

BROKEN = """
raise RuntimeError("broken_mod must never be imported")
"""

MODULES = ("greeters", "broken_mod")


@pytest.fixture
def installed(
    site_builder: Any, make_cache: Callable[..., EntryPointsCache], monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """A distribution with plugins Hello and upper (declared Upper), and one whose module raises
    on import, seen by this process."""
    site_builder.add_distribution(
        "greeters",
        entry_points={
            NS: {"Hello": "greeters:Hello", "upper": "greeters:Upper", "broken": "broken_mod:X"}
        },
        modules={"greeters.py": GREETERS, "broken_mod.py": BROKEN},
    )
    monkeypatch.syspath_prepend(str(site_builder.path))
    monkeypatch.setattr(EntryPointsCache, "_instance", make_cache())
    yield
    global_plugin_filter.exclusions.clear()
    for module in MODULES:
        sys.modules.pop(module, None)


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The manager's log, from WARNING up."""
    caplog.set_level(logging.WARNING, logger="plux.runtime.manager")
    return caplog


@pytest.mark.parametrize("call", ["load", "get_container"])
def test_unknown_name_suggests_close_names(installed: None, call: str) -> None:
    """load("Helo") keeps plux 1.16's message and adds the close names of the namespace."""
    with pytest.raises(ValueError) as info:
        getattr(PluginManager(NS), call)("Helo")
    assert str(info.value) == f"no plugin named Helo in namespace {NS}; did you mean Hello?"


def test_unknown_name_suggests_names_whatever_their_case(installed: None) -> None:
    """A name typed in another case with a typo still finds the name it is close to."""
    with pytest.raises(ValueError, match=r"; did you mean Hello\?$"):
        PluginManager(NS).load("helo")


def test_unknown_name_suggests_entry_point_names(installed: None) -> None:
    """Entry point names a plugin also answers to are suggested too."""
    manager = PluginManager[Plugin](NS)
    manager.load("Upper")  # known by its declared name from now on; "upper" stays an alias
    with pytest.raises(ValueError, match=r"; did you mean Upper or upper\?$"):
        manager.load("uper")


def test_unknown_name_without_close_names_keeps_the_plain_message(installed: None) -> None:
    """With nothing close, the message is exactly plux 1.16's."""
    with pytest.raises(ValueError) as info:
        PluginManager(NS).load("zzz")
    assert str(info.value) == f"no plugin named zzz in namespace {NS}"


def test_unknown_name_found_in_a_namespace_one_edit_away_names_that_namespace(
    installed: None, site_builder: Any, make_cache: Callable[..., EntryPointsCache]
) -> None:
    """A plugin registered under a mistyped namespace (greetings.plugin) is pointed at when the
    application asks for it in the right one."""
    site_builder.add_distribution(
        "typo", entry_points={"greetings.plugin": {"Bye": "greeters:Hello"}}
    )
    EntryPointsCache._instance = make_cache()
    with pytest.raises(ValueError) as info:
        PluginManager(NS).load("Bye")
    assert str(info.value) == (
        f"no plugin named Bye in namespace {NS}; a plugin Bye is installed in namespace "
        "greetings.plugin: is one mistyped?"
    )


def test_namespace_typo_lists_nothing_and_warns_once(
    installed: None, log: pytest.LogCaptureFixture
) -> None:
    """A namespace close to an installed one lists [] and logs one warning naming it."""
    manager = PluginManager("greetings.plugin")
    assert manager.list_names() == []
    assert manager.load_all() == []
    assert not manager.exists("Hello")
    assert [r.getMessage() for r in log.records] == [
        "no plugins in namespace greetings.plugin; did you mean greetings.plugins?"
    ]


def test_load_all_of_namespace_typo_warns(installed: None, log: pytest.LogCaptureFixture) -> None:
    """load_all() on a mistyped namespace loads nothing and says which namespace was meant."""
    assert PluginManager("greeting.plugins").load_all() == []
    assert "did you mean greetings.plugins?" in log.text


@pytest.mark.parametrize("namespace", ["nothing.here", NS])
def test_namespace_without_close_names_is_quiet(
    installed: None, log: pytest.LogCaptureFixture, namespace: str
) -> None:
    """An empty namespace nothing resembles, or one with plugins, logs no warning."""
    PluginManager(namespace).list_names()
    assert log.records == []


EXCLUSIONS = [
    pytest.param({"value": "broken_mod:*"}, id="value"),
    pytest.param({"name": "broken"}, id="name"),
    pytest.param({"namespace": "greetings.*", "name": "bro*"}, id="namespace-and-name"),
]


@pytest.mark.parametrize("exclusion", EXCLUSIONS)
def test_excluded_plugin_is_never_imported(
    installed: None, log: pytest.LogCaptureFixture, exclusion: dict[str, str]
) -> None:
    """An exclusion by value, name or namespace disables a broken plugin without importing it."""
    global_plugin_filter.add_exclusion(**exclusion)
    manager = PluginManager[Plugin](NS)
    assert sorted(p.name for p in manager.load_all()) == ["Hello", "Upper"]
    assert log.records == []
    with pytest.raises(PluginDisabled, match="plugin greetings.plugins:broken is disabled"):
        manager.load("broken")
    assert "broken_mod" not in sys.modules


def test_filter_sees_the_declared_name_the_index_could_not_read(installed: None) -> None:
    """A plugin whose entry point name is not its declared name is filtered by the declared name
    once imported."""
    exclude_upper = MatchingPluginFilter()
    exclude_upper.add_exclusion(name="Upper")
    manager = PluginManager[Plugin](NS, filters=[exclude_upper])
    assert [p.name for p in manager.load_all()] == ["Hello"]
    assert manager.get_container("Upper").is_disabled


def test_filter_reading_the_factory_resolves_the_plugin(installed: None) -> None:
    """A custom filter may read a spec's factory: the plugin's module is imported then."""
    seen: list[str] = []

    def by_factory(spec: PluginSpec) -> bool:
        seen.append(spec.factory.__name__)
        return spec.factory.__name__ == "Hello"

    manager = PluginManager[Plugin](NS, filters=[by_factory])
    with pytest.raises(PluginDisabled):
        manager.load("Hello")
    assert seen == ["Hello"]
    with pytest.raises(PluginException, match="cannot resolve plugin greetings.plugins:broken"):
        manager.load("broken")
    container = manager.get_container("broken")
    assert isinstance(container.resolve_error, PluginException)
    assert container.state.step == "resolve"


def test_listing_a_namespace_with_plugins_looks_for_no_suggestions(
    installed: None, python: Any
) -> None:
    """Suggestions cost nothing when nothing is wrong: difflib is not even imported."""
    imported = python.json(
        f"""
        import json, sys
        from plux import PluginManager
        names = PluginManager("{NS}").list_names()
        print(json.dumps([names, "difflib" in sys.modules]))
        """
    )
    assert imported == [["Hello", "upper", "broken"], False]
