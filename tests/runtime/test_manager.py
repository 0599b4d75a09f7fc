"""PluginManager over real installed distributions: the run-time table of the spec, row by row."""

from __future__ import annotations

import pytest

NS = "demo.plugins"

GREETER = """
from plux import Plugin

LOADS = []

class Greeter(Plugin):
    namespace = "demo.plugins"
    name = "greeter"

    def load(self, *args, **kwargs):
        LOADS.append((args, kwargs))
        return "hello " + " ".join(map(str, args))
"""


@pytest.fixture
def greeter_site(site_builder):
    site_builder.add_distribution(
        "greeter-dist",
        "1.2",
        entry_points={NS: {"greeter": "greeter_pkg.plugins:Greeter"}},
        modules={"greeter_pkg/plugins.py": GREETER},
    )
    return site_builder


def test_load_returns_the_plugin_and_calls_load_with_the_load_args(greeter_site, python):
    """load(name) returns the Plugin instance whose load got load_args and load_kwargs."""
    result = python.json(
        """
        import json
        from plux import PluginManager
        from greeter_pkg import plugins
        manager = PluginManager("demo.plugins", load_args=("world",), load_kwargs={"x": 1})
        plugin = manager.load("greeter")
        container = manager.get_container("greeter")
        print(json.dumps([type(plugin).__name__, plugins.LOADS, container.load_value]))
        """
    )
    assert result == ["Greeter", [[["world"], {"x": 1}]], "hello world"]


def test_load_returns_same_instance_without_loading_again(greeter_site, python):
    """A second load(name) returns the same instance and does not call load again."""
    result = python.json(
        """
        import json
        from plux import PluginManager
        from greeter_pkg import plugins
        manager = PluginManager("demo.plugins")
        first, second = manager.load("greeter"), manager.load("greeter")
        print(json.dumps([first is second, len(plugins.LOADS)]))
        """
    )
    assert result == [True, 1]


def test_load_of_unknown_name_raises_value_error(greeter_site, python):
    """load() of a name the namespace does not have raises ValueError naming both."""
    result = python.json(
        """
        import json
        from plux import PluginManager
        try:
            PluginManager("demo.plugins").load("nope")
        except ValueError as e:
            print(json.dumps(str(e)))
        """
    )
    assert result == "no plugin named nope in namespace demo.plugins"


def test_container_tracks_state_and_distribution(greeter_site, python):
    """A container knows its name, spec, states and the distribution the plugin comes from."""
    result = python.json(
        """
        import json
        from plux import PluginManager
        manager = PluginManager("demo.plugins")
        before = manager.get_container("greeter")
        states = [before.is_init, before.is_loaded]
        manager.load("greeter")
        c = manager.get_container("greeter")
        print(json.dumps(states + [
            c.name, c.plugin_spec.name, c.plugin_spec.namespace, c.is_init, c.is_loaded,
            c.init_error, c.load_error, c.is_disabled, c.disabled_reason,
            c.distribution.metadata["Name"], c.distribution.version,
        ]))
        """
    )
    assert result == [
        False,
        False,
        "greeter",
        "greeter",
        NS,
        True,
        True,
        None,
        None,
        False,
        None,
        "greeter-dist",
        "1.2",
    ]


def test_inspection_calls_neither_factory_nor_load(site_builder, python):
    """list_names, list_containers, get_container, exists and is_loaded create no plugin."""
    site_builder.add_distribution(
        "loud",
        entry_points={NS: {"loud": "loud_pkg:Loud"}},
        modules={
            "loud_pkg/__init__.py": """
                from plux import Plugin
                class Loud(Plugin):
                    namespace = "demo.plugins"
                    name = "loud"
                    def __init__(self):
                        raise AssertionError("factory called")
                    def load(self):
                        raise AssertionError("load called")
                """
        },
    )
    result = python.json(
        """
        import json
        from plux import PluginManager
        m = PluginManager("demo.plugins")
        print(json.dumps([m.list_names(), [c.name for c in m.list_containers()],
                          m.get_container("loud").is_init, m.exists("loud"), m.exists("quiet"),
                          m.is_loaded("loud"), [s.name for s in m.list_plugin_specs()]]))
        """
    )
    assert result == [["loud"], ["loud"], False, True, False, False, ["loud"]]


def test_load_all_loads_in_entry_point_order_and_returns_the_loaded(site_builder, python):
    """load_all() loads every plugin in entry point order and returns those that loaded."""
    modules = {
        "many/__init__.py": """
            from plux import Plugin, PluginSpec, plugin

            ORDER = []

            class Base(Plugin):
                namespace = "demo.plugins"
                def load(self):
                    ORDER.append(self.name)

            class First(Base):
                name = "first"

            class Second(Base):
                name = "second"

            class Broken(Base):
                name = "broken"
                def load(self):
                    raise RuntimeError("broken on purpose")

            class Off(Base):
                name = "off"
                def should_load(self):
                    return False
            """
    }
    site_builder.add_distribution(
        "many",
        entry_points={
            NS: {
                "second": "many:Second",
                "broken": "many:Broken",
                "off": "many:Off",
                "first": "many:First",
            }
        },
        modules=modules,
    )
    result = python.json(
        """
        import json
        import many
        from plux import PluginManager
        loaded = PluginManager("demo.plugins").load_all()
        print(json.dumps([[p.name for p in loaded], many.ORDER]))
        """
    )
    assert result == [["second", "first"], ["second", "first"]]


def test_load_all_propagates_exceptions_when_asked(site_builder, python):
    """load_all(propagate_exceptions=True) raises the first failure."""
    site_builder.add_distribution(
        "bad",
        entry_points={NS: {"bad": "bad_pkg:Bad"}},
        modules={
            "bad_pkg/__init__.py": """
                from plux import Plugin
                class Bad(Plugin):
                    namespace, name = "demo.plugins", "bad"
                    def load(self):
                        raise KeyError("boom")
                """
        },
    )
    result = python.json(
        """
        import json
        from plux import PluginManager
        try:
            PluginManager("demo.plugins").load_all(propagate_exceptions=True)
        except KeyError as e:
            print(json.dumps(repr(e)))
        """
    )
    assert result == "KeyError('boom')"


def test_manager_is_generic_in_the_plugin_type(greeter_site, python):
    """PluginManager[SomePlugin] is a valid expression and constructs a manager."""
    python.run(
        """
        from plux import PluginManager, Plugin
        manager: "PluginManager[Plugin]" = PluginManager[Plugin]("demo.plugins")
        assert manager.list_names() == ["greeter"]
        """
    )


def test_custom_finder_is_resolved_eagerly(python):
    """With finder=, the specs come from the finder and are all resolved up front."""
    result = python.json(
        """
        import json
        from plux import PluginManager, PluginFinder, PluginSpec, Plugin, PluginLifecycleListener

        class P(Plugin):
            namespace, name = "x", "p"
            def load(self):
                return 42

        class Finder(PluginFinder):
            def find_plugins(self):
                return [PluginSpec("x", "p", P)]

        class Recorder(PluginLifecycleListener):
            resolved = []
            def on_resolve_after(self, spec):
                self.resolved.append(spec.name)

        m = PluginManager("x", finder=Finder(), listener=Recorder())
        names = m.list_names()
        print(json.dumps([names, Recorder.resolved, m.load("p").load()]))
        """
    )
    assert result == [["p"], ["p"], 42]
