"""One broken plugin never takes the application down: each fault, what load() raises, who hears.

Every case installs a distribution with one good plugin and one faulty one, then checks that
``load`` of the faulty one raises a clear error (again on a second call), that the right listener
hook heard of it, and that ``load_all`` still loads the good one.
"""

from __future__ import annotations

import json

import pytest

NS = "fault.plugins"

GOOD = """
from plux import Plugin

class Good(Plugin):
    namespace, name = "fault.plugins", "good"
"""

PROBE = """
import json
from plux import PluginManager, PluginLifecycleListener

heard = []

class Recorder(PluginLifecycleListener):
    def on_resolve_exception(self, namespace, entrypoint, exception):
        heard.append(["on_resolve_exception", entrypoint.name, type(exception).__name__])
    def on_init_exception(self, spec, exception):
        heard.append(["on_init_exception", spec.name, type(exception).__name__])
    def on_load_exception(self, spec, plugin, exception):
        heard.append(["on_load_exception", spec.name, type(exception).__name__])

manager = PluginManager("fault.plugins", listener=Recorder())
errors = []
for _ in range(2):
    try:
        manager.load("faulty")
        errors.append(None)
    except Exception as e:
        errors.append([type(e).__name__, str(e)])
loaded = [p.name for p in manager.load_all()]
print(json.dumps({"errors": errors, "heard": heard, "loaded": loaded}))
"""

CASES = [
    pytest.param(
        "faulty_mod.missing:Thing",
        {},
        ("PluginException", "No module named 'faulty_mod'"),
        ["on_resolve_exception", "faulty", "ModuleNotFoundError"],
        id="missing-module",
    ),
    pytest.param(
        "faulty_mod:Nothing",
        {"faulty_mod/__init__.py": ""},
        ("PluginException", "has no attribute 'Nothing'"),
        ["on_resolve_exception", "faulty", "AttributeError"],
        id="missing-attribute",
    ),
    pytest.param(
        "faulty_mod:Thing",
        {"faulty_mod/__init__.py": "raise RuntimeError('cannot import me')\n"},
        ("PluginException", "RuntimeError: cannot import me"),
        ["on_resolve_exception", "faulty", "RuntimeError"],
        id="module-raises-on-import",
    ),
    pytest.param(
        "faulty_mod:Thing",
        {"faulty_mod/__init__.py": "def broken(:\n"},
        ("PluginException", "SyntaxError"),
        ["on_resolve_exception", "faulty", "SyntaxError"],
        id="syntax-error",
    ),
    pytest.param(
        "faulty_mod:THING",
        {"faulty_mod/__init__.py": "THING = 42\n"},
        ("PluginException", "cannot resolve plugin specification from 42"),
        ["on_resolve_exception", "faulty", "ValueError"],
        id="not-a-plugin",
    ),
    pytest.param(
        "faulty mod::Thing",
        {},
        ("PluginException", "malformed entry point value 'faulty mod::Thing'"),
        ["on_resolve_exception", "faulty", "ValueError"],
        id="malformed-value",
    ),
    pytest.param(
        "faulty_mod:Faulty",
        {
            "faulty_mod/__init__.py": """
                from plux import Plugin
                class Faulty(Plugin):
                    namespace, name = "fault.plugins", "faulty"
                    def __init__(self):
                        raise OSError("factory failed")
                """
        },
        ("OSError", "factory failed"),
        ["on_init_exception", "faulty", "OSError"],
        id="factory-raises",
    ),
    pytest.param(
        "faulty_mod:Faulty",
        {
            "faulty_mod/__init__.py": """
                from plux import Plugin
                class Faulty(Plugin):
                    namespace, name = "fault.plugins", "faulty"
                    def load(self):
                        raise ValueError("load failed")
                """
        },
        ("ValueError", "load failed"),
        ["on_load_exception", "faulty", "ValueError"],
        id="load-raises",
    ),
    pytest.param(
        "faulty_mod:Faulty",
        {
            "faulty_mod/__init__.py": """
                from plux import Plugin
                class Faulty(Plugin):
                    namespace, name = "fault.plugins", "faulty"
                    def should_load(self):
                        raise LookupError("should_load failed")
                """
        },
        ("LookupError", "should_load failed"),
        ["on_load_exception", "faulty", "LookupError"],
        id="should-load-raises",
    ),
]


@pytest.mark.parametrize(("value", "modules", "error", "hook"), CASES)
def test_faulty_plugin_raises_clearly_and_spares_the_others(
    site_builder, python, value, modules, error, hook
):
    """The faulty plugin's error is raised on every load; the good plugin still loads."""
    site_builder.add_distribution(
        "faulty-dist",
        entry_points={NS: {"faulty": value, "good": "good_mod:Good"}},
        modules={"good_mod/__init__.py": GOOD, **modules},
    )
    result = python.json(PROBE)
    assert [e[0] for e in result["errors"]] == [error[0], error[0]]
    assert error[1] in result["errors"][0][1]
    assert result["heard"] == [hook]
    assert result["loaded"] == ["good"]


def test_resolve_error_names_the_entry_point_and_distribution(site_builder, python):
    """A plugin that cannot be imported fails with a message naming entry point and origin."""
    site_builder.add_distribution(
        "faulty-dist", "3.1", entry_points={NS: {"faulty": "faulty_mod.missing:Thing"}}
    )
    message = python.json(PROBE)["errors"][0][1]
    assert message.startswith(
        "cannot resolve plugin fault.plugins:faulty from entry point "
        "'faulty = faulty_mod.missing:Thing' of distribution faulty-dist 3.1: ModuleNotFoundError"
    )


DISABLED_PROBE = """
import json
from plux import PluginManager, PluginDisabled
manager = PluginManager("fault.plugins", **KWARGS)
outcomes = []
for _ in range(2):
    try:
        manager.load("faulty")
        outcomes.append("loaded")
    except PluginDisabled as e:
        outcomes.append(str(e))
container = manager.get_container("faulty")
print(json.dumps({
    "outcomes": outcomes,
    "disabled": [container.is_disabled, container.disabled_reason],
    "loaded": [p.name for p in manager.load_all()],
}))
"""

FAULTY_PLUGIN = """
from plux import Plugin
class Faulty(Plugin):
    namespace, name = "fault.plugins", "faulty"
    def should_load(self):
        return SHOULD_LOAD
"""


@pytest.mark.parametrize(
    ("setup", "should_load", "reason"),
    [
        pytest.param(
            "from plux.runtime.filter import MatchingPluginFilter\n"
            "f = MatchingPluginFilter(); f.add_exclusion(name='fault*')\n"
            "KWARGS = {'filters': [f]}",
            True,
            "A plugin filter disabled this plugin before it was initialized",
            id="filter",
        ),
        pytest.param("KWARGS = {}", False, "Load condition for plugin was false", id="should-load"),
        pytest.param(
            "from plux import PluginLifecycleListener\n"
            "class Veto(PluginLifecycleListener):\n"
            "    def on_load_before(self, spec, plugin, args, kwargs):\n"
            "        if spec.name == 'faulty':\n"
            "            raise PluginDisabled(spec.namespace, spec.name, 'vetoed')\n"
            "KWARGS = {'listener': Veto()}",
            True,
            "vetoed",
            id="listener",
        ),
    ],
)
def test_disabled_plugin_raises_plugin_disabled_on_every_load(
    site_builder, python, setup, should_load, reason
):
    """A disabled plugin raises PluginDisabled now and later, and load_all skips it quietly."""
    site_builder.add_distribution(
        "faulty-dist",
        entry_points={NS: {"faulty": "faulty_mod:Faulty", "good": "good_mod:Good"}},
        modules={
            "good_mod/__init__.py": GOOD,
            "faulty_mod/__init__.py": FAULTY_PLUGIN.replace("SHOULD_LOAD", str(should_load)),
        },
    )
    probe = DISABLED_PROBE.replace(
        "manager = ", "from plux import PluginDisabled\n" + setup + "\nmanager = "
    )
    result = python.json(probe)
    message = f"plugin fault.plugins:faulty is disabled, reason: {reason}"
    assert result == {
        "outcomes": [message, message],
        "disabled": [True, reason],
        "loaded": ["good"],
    }


def test_global_filter_applies_to_managers_without_filters(site_builder, python):
    """Exclusions on global_plugin_filter disable plugins by namespace, name and value patterns."""
    site_builder.add_distribution(
        "faulty-dist",
        entry_points={NS: {"faulty": "faulty_mod:Faulty", "good": "good_mod:Good"}},
        modules={
            "good_mod/__init__.py": GOOD,
            "faulty_mod/__init__.py": FAULTY_PLUGIN.replace("SHOULD_LOAD", "True"),
        },
    )
    result = python.json(
        """
        import json
        from plux import PluginManager
        from plux.runtime.filter import global_plugin_filter
        global_plugin_filter.add_exclusion(namespace="fault.*", value="faulty_mod:*")
        disabled = [p.name for p in PluginManager("fault.plugins").load_all()]
        global_plugin_filter.exclusions.clear()
        enabled = [p.name for p in PluginManager("fault.plugins").load_all()]
        unfiltered = PluginManager("fault.plugins", filters=[]).load_all()
        print(json.dumps([disabled, enabled, len(unfiltered)]))
        """
    )
    assert result == [["good"], ["faulty", "good"], 2]


def test_listener_plain_exception_is_logged_and_ignored(greeter_free_site, python):
    """A listener raising an ordinary exception does not stop the plugin from loading."""
    result = python.json(
        """
        import json, logging
        logging.basicConfig(level=logging.ERROR)
        from plux import PluginManager, PluginLifecycleListener
        class Clumsy(PluginLifecycleListener):
            def on_load_after(self, spec, plugin, result):
                raise RuntimeError("clumsy listener")
        m = PluginManager("fault.plugins", listener=[Clumsy()])
        print(json.dumps([p.name for p in m.load_all()]))
        """
    )
    assert result == ["good"]


def test_listener_plugin_exception_fails_the_plugin(greeter_free_site, python):
    """A PluginException raised by a listener decides the plugin's fate: it fails to load."""
    result = python.json(
        """
        import json
        from plux import PluginManager, PluginLifecycleListener, PluginException
        class Strict(PluginLifecycleListener):
            def on_init_after(self, spec, plugin):
                raise PluginException("not allowed here", spec.namespace, spec.name)
        m = PluginManager("fault.plugins", listener=Strict())
        try:
            m.load("good")
        except PluginException as e:
            print(json.dumps([str(e), m.load_all()]))
        """
    )
    assert result == ["not allowed here", []]


@pytest.fixture
def greeter_free_site(site_builder):
    site_builder.add_distribution(
        "good-dist",
        entry_points={NS: {"good": "good_mod:Good"}},
        modules={"good_mod/__init__.py": GOOD},
    )
    return site_builder


def test_every_listener_hook_fires_in_lifecycle_order(greeter_free_site, python):
    """Resolve, init and load hooks fire in order, with the spec, plugin, args and result."""
    result = python.json(
        """
        import json
        from plux import PluginManager, PluginLifecycleListener, CompositePluginLifecycleListener
        events = []
        class Recorder(PluginLifecycleListener):
            def __init__(self, tag):
                self.tag = tag
            def on_resolve_after(self, spec):
                events.append([self.tag, "resolve_after", spec.name])
            def on_init_after(self, spec, plugin):
                events.append([self.tag, "init_after", type(plugin).__name__])
            def on_load_before(self, spec, plugin, args, kwargs):
                events.append([self.tag, "load_before", list(args), kwargs])
            def on_load_after(self, spec, plugin, result):
                events.append([self.tag, "load_after", result])
        listener = CompositePluginLifecycleListener([Recorder("a")])
        listener.add_listener(Recorder("b"))
        m = PluginManager("fault.plugins", load_args=[1], load_kwargs={"k": 2}, listener=listener)
        m.load("good")
        print(json.dumps(events))
        """
    )
    assert result == [
        ["a", "resolve_after", "good"],
        ["b", "resolve_after", "good"],
        ["a", "init_after", "Good"],
        ["b", "init_after", "Good"],
        ["a", "load_before", [1], {"k": 2}],
        ["b", "load_before", [1], {"k": 2}],
        ["a", "load_after", None],
        ["b", "load_after", None],
    ]


def test_add_listener_hears_later_events(greeter_free_site, python):
    """A listener added with add_listener hears events from then on."""
    result = python.json(
        """
        import json
        from plux import PluginManager, PluginLifecycleListener
        heard = []
        class L(PluginLifecycleListener):
            def on_load_after(self, spec, plugin, result):
                heard.append(spec.name)
        m = PluginManager("fault.plugins")
        m.add_listener(L())
        m.load_all()
        print(json.dumps(heard))
        """
    )
    assert json.dumps(result) == '["good"]'
