"""plux.testing: in-memory plugins for a namespace, reaching every manager, undone on exit."""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]

NS = "iso.cmds"

APP = """
from plux import PluginManager

MANAGER = PluginManager("iso.cmds")
OTHER = PluginManager("iso.other")
NAMES_AT_IMPORT = MANAGER.list_names()
"""

INSTALLED = """
from plux import Plugin

class Real(Plugin):
    namespace = "iso.cmds"
    name = "real"
    def load(self):
        return "real"

class Keep(Plugin):
    namespace = "iso.other"
    name = "keep"
"""

FAKES = """
import gc, json, weakref
from plux import Plugin, PluginSpec, PluginManager, PluginLifecycleListener, plugin
from plux.testing import plugins
from app import MANAGER, OTHER, NAMES_AT_IMPORT

class Fake(Plugin):
    namespace = "iso.cmds"
    name = "fake"

class Real(Plugin):  # an in-memory plugin of an installed plugin's name
    namespace = "iso.cmds"
    name = "real"
    origin = "memory"

@plugin(namespace="iso.cmds")
def hello():
    return "hello"

class Obj(Plugin):
    name = "obj"

def view(manager=MANAGER):
    return {n: manager.get_container(n).is_loaded for n in manager.list_names()}
"""


@pytest.fixture
def app(site_builder):
    site_builder.add_distribution(
        "iso-app",
        entry_points={NS: {"real": "iso_plugins:Real"}, "iso.other": {"keep": "iso_plugins:Keep"}},
        modules={"app.py": APP, "iso_plugins.py": INSTALLED},
    )
    return site_builder


def run(python, body: str) -> object:
    return python.json(FAKES + textwrap.dedent(body))


def test_reaches_a_manager_made_at_import_time_and_restores_it(app, python) -> None:
    """A manager made (and listed) at import time serves the in-memory plugins in the block;
    afterwards it is as it was: what it loaded before is still loaded, what it loaded in the
    block is forgotten, and no in-memory plugin survives."""
    result = run(
        python,
        """
        MANAGER.load("real")
        before = MANAGER.load("real")
        with plugins("iso.cmds", [Fake, hello, PluginSpec("iso.cmds", "spec", Fake)]):
            inside = view()
            fake = weakref.ref(MANAGER.load("fake"))
            called = MANAGER.load("hello")()
            new_manager = PluginManager("iso.cmds").list_names()
            other = OTHER.list_names()
        after = view()
        gc.collect()
        print(json.dumps([NAMES_AT_IMPORT, inside, called, new_manager, other, after,
                          MANAGER.load("real") is before, fake() is None]))
        """,
    )
    assert result == [
        ["real"],
        {"fake": False, "hello": False, "spec": False},
        "hello",
        ["fake", "hello", "spec"],
        ["keep"],
        {"real": True},
        True,
        True,
    ]


def test_teardown_in_and_after_a_block_sees_only_its_own_loads(app, python) -> None:
    """Inside a block, ``unload_all`` tears down the block's plugins; after it, the manager
    tears down only what it loaded outside (the load order is kept aside with the rest)."""
    result = run(
        python,
        """
        torn = []
        class Fake(Plugin):
            namespace, name = "iso.cmds", "fake"
            def unload(self):
                torn.append("fake")
        MANAGER.load("real")
        with plugins("iso.cmds", [Fake]):
            loaded = [p.name for p in MANAGER.load_all()]
            MANAGER.unload_all()
        after = MANAGER.is_loaded("real")
        MANAGER.unload_all()
        print(json.dumps([loaded, torn, after, MANAGER.is_loaded("real")]))
        """,
    )
    assert result == [["fake"], ["fake"], True, False]


def test_merged_with_installed_in_memory_wins_and_on_conflict_fires(app, python) -> None:
    """``hide_installed=False`` adds the plugins to the installed ones; an in-memory plugin of
    an installed name wins it, and listeners hear of the conflict."""
    result = run(
        python,
        """
        heard = []
        class Heard(PluginLifecycleListener):
            def on_conflict(self, namespace, name, chosen, ignored):
                heard.append([name, chosen.value, ignored.distribution])
        MANAGER.add_listener(Heard())
        with plugins("iso.cmds", [Real(), Fake], hide_installed=False):
            names = MANAGER.list_names()
            origin = MANAGER.load("real").origin
        print(json.dumps([names, origin, heard, MANAGER.load("real").load()]))
        """,
    )
    names, origin, heard, restored = result  # type: ignore[misc]
    assert (names, origin, restored) == (["real", "fake"], "memory", "real")
    assert heard == [["real", None, "iso-app"]]


def test_blocks_nest_and_a_plugin_object_is_served_as_is(app, python) -> None:
    """An inner block replaces the outer one's plugins until it ends; the outer block's loaded
    plugins are kept through it. A plugin object is the instance the manager returns."""
    result = run(
        python,
        """
        obj = Obj()
        with plugins("iso.cmds", [Fake]):
            outer = MANAGER.load("fake")
            with plugins("iso.cmds", [obj]):
                inner = [MANAGER.list_names(), MANAGER.load("obj") is obj]
            back = [MANAGER.list_names(), MANAGER.load("fake") is outer]
        print(json.dumps([inner, back, MANAGER.list_names()]))
        """,
    )
    assert result == [[["obj"], True], [["fake"], True], ["real"]]


def test_works_as_a_decorator_each_call_afresh(app, python) -> None:
    """As a decorator, each call of the function runs in a block of its own; a coroutine
    function's block lasts until the coroutine ends."""
    result = run(
        python,
        """
        @plugins("iso.cmds", [Fake])
        def under_test():
            loaded = MANAGER.get_container("fake").is_loaded
            MANAGER.load("fake")
            return [MANAGER.list_names(), loaded]
        @plugins("iso.cmds", [Fake])
        async def under_async_test():
            await asyncio.sleep(0)
            return MANAGER.list_names()
        import asyncio
        print(json.dumps([under_test(), under_test(), asyncio.run(under_async_test()),
                          MANAGER.list_names()]))
        """,
    )
    assert result == [[["fake"], False], [["fake"], False], ["fake"], ["real"]]


def test_switches_never_apply_to_in_memory_plugins(app, python) -> None:
    """PLUX_DISABLE switches installed plugins off, never the test's own."""
    python.env["PLUX_DISABLE"] = NS
    result = run(
        python,
        """
        from plux import PluginDisabled
        with plugins("iso.cmds", [Fake], hide_installed=False):
            try:
                MANAGER.load("real")
                real = "loaded"
            except PluginDisabled as e:
                real = e.reason
            print(json.dumps([real, MANAGER.load("fake").name]))
        """,
    )
    assert result == ["disabled by PLUX_DISABLE pattern 'iso.cmds'", "fake"]


def test_an_item_of_another_namespace_is_refused(python) -> None:
    """A plugin of another namespace is an error naming both namespaces."""
    proc = python.run(
        """
        from plux import Plugin
        from plux.testing import plugins
        class Elsewhere(Plugin):
            namespace, name = "else.where", "x"
        plugins("iso.cmds", [Elsewhere]).__enter__()
        """,
        check=False,
    )
    assert "is a plugin of namespace else.where, not of iso.cmds" in proc.stderr


PYTEST_FILE = """
from plux import Plugin, PluginManager
from plux.testing import plugins

pytest_plugins = ["plux.testing.pytest"]

MANAGER = PluginManager("iso.cmds")

class Fake(Plugin):
    namespace = "iso.cmds"
    name = "fake"

def test_fixture_gives_fakes(plux_plugins):
    plux_plugins("iso.cmds", [Fake])
    assert MANAGER.list_names() == ["fake"]
    MANAGER.load("fake")

def test_fixture_undone_after_the_test():
    assert MANAGER.list_names() == ["real"]

@plugins("iso.cmds", [Fake], hide_installed=False)
def test_decorated():
    assert MANAGER.list_names() == ["real", "fake"]
"""


def test_pytest_fixture_is_opt_in_and_undone_after_each_test(
    app, python, pytester, monkeypatch
) -> None:
    """``pytest_plugins = ["plux.testing.pytest"]`` gives the ``plux_plugins`` fixture; a
    decorated test works too; without opting in the fixture does not exist."""
    pytester.makepyfile(test_fakes=PYTEST_FILE)
    pytester.makepyfile(test_no_opt_in="def test_missing(plux_plugins):\n    pass\n")
    for key, value in python.environ().items():
        if key.startswith(("PLUX_", "PYTHON")):  # the site on the path, the test's cache
            monkeypatch.setenv(key, value)
    opted_in = pytester.runpytest_subprocess("-p", "no:cacheprovider", "test_fakes.py")
    opted_in.assert_outcomes(passed=3)
    # a file's pytest_plugins holds for the whole session: the other file runs alone
    without = pytester.runpytest_subprocess("-p", "no:cacheprovider", "test_no_opt_in.py")
    without.assert_outcomes(errors=1)
    without.stdout.fnmatch_lines(["*fixture 'plux_plugins' not found*"])
