"""Orchestration over real installed distributions: the order plugins load and run in, calling
every plugin under an error policy, fallbacks, teardown, typed namespaces, and threads."""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from plux import (
    CallResult,
    Plugin,
    PluginErrors,
    PluginException,
    PluginLifecycleListener,
    PluginManager,
    PluginSpec,
    plugin,
)
from plux.runtime.cache import EntryPointsCache

NS = "orch.plugins"
MODULE = "orch_plugins"
ALL = {
    "low": "Low",
    "default": "Default",
    "default2": "Default2",
    "high": "High",
    "hook": "hook",
    "made": "made",
    "first": "First",
    "last": "Last",
    "cycle_a": "CycleA",
    "cycle_b": "CycleB",
    "cycle_c": "CycleC",
    "start_fails": "StartFails",
    "start_fails_too": "StartFailsToo",
    "load_fails": "LoadFails",
    "off": "Off",
    "unload_fails": "UnloadFails",
    "silent": "Silent",
    "async_start": "AsyncStart",
    "stranger": "Stranger",
    "slow": "Slow",
}


@pytest.fixture
def install(
    site_builder: Any, make_cache: Callable[..., EntryPointsCache], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., PluginManager[Any]]]:
    """Installs a distribution whose entry points are the named plugins of ``orch_plugins`` (in
    the order given), makes this process see it, and returns a manager of the namespace."""
    source = (Path(__file__).parent / "orchestrated_plugins.py").read_text()
    site_builder.add_module(f"{MODULE}.py", source)
    monkeypatch.syspath_prepend(str(site_builder.path))
    monkeypatch.setattr(EntryPointsCache, "_instance", make_cache())

    def install(*names: str, **kwargs: Any) -> PluginManager[Any]:
        entry_points = {name: f"{MODULE}:{ALL[name]}" for name in names}
        site_builder.add_distribution("orch-plugins", entry_points={NS: entry_points})
        return PluginManager(NS, **kwargs)

    yield install
    sys.modules.pop(MODULE, None)


def module() -> Any:
    """The installed plugin module (imported by the first load)."""
    return importlib.import_module(MODULE)


def events() -> list[str]:
    return list(module().EVENTS)


def names(plugins: list[Any]) -> list[str]:
    return [p.name for p in plugins]


class Recorder(PluginLifecycleListener):
    def __init__(self) -> None:
        self.heard: list[tuple[str, ...]] = []

    def on_init_after(self, plugin_spec: PluginSpec, plugin: Plugin) -> None:
        self.heard.append(("init", plugin_spec.name))

    def on_call_exception(
        self, plugin_spec: PluginSpec, plugin: Plugin, method: str | None, exception: Exception
    ) -> None:
        self.heard.append(("call failed", plugin_spec.name, str(method), str(exception)))

    def on_unload_after(self, plugin_spec: PluginSpec, plugin: Plugin) -> None:
        self.heard.append(("unloaded", plugin_spec.name))

    def on_unload_exception(
        self, plugin_spec: PluginSpec, plugin: Plugin, exception: Exception
    ) -> None:
        self.heard.append(("unload failed", plugin_spec.name, str(exception)))


class TestOrder:
    def test_highest_priority_loads_and_runs_first_ties_in_entry_point_order(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """Class, function and spec plugins load and are returned by priority, ties in entry
        point order; a priority only the factory's object declares orders the result."""
        manager = install("low", "default", "made", "hook", "default2", "high")
        plugins = manager.load_all()
        assert names(plugins) == ["high", "made", "hook", "default", "default2", "low"]
        # made's priority is known once it is made: it loads in its declared place (0)
        assert events() == ["load high", "load default", "load made", "load default2", "load low"]

    def test_a_namespace_without_priorities_keeps_entry_point_order(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """Where no plugin declares an order, loads and results follow entry point order."""
        manager = install("default2", "start_fails", "default")
        assert names(manager.load_all()) == manager.list_names()
        assert events() == ["load default2", "load start_fails", "load default"]

    def test_a_later_load_all_reports_failures_again_and_keeps_the_order(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """A second load_all returns the same plugins in the same order and, as in plux 1.16,
        raises a stored failure again with propagate_exceptions."""
        manager = install("low", "load_fails", "high")
        first = manager.load_all()
        assert manager.load_all() == first
        with pytest.raises(RuntimeError, match="load_fails cannot load"):
            manager.load_all(propagate_exceptions=True)

    def test_listing_imports_nothing_to_learn_an_order(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """list_names and exists never import a plugin's module, priorities or not."""
        manager = install("low", "high")
        assert manager.list_names() == ["low", "high"]
        assert manager.exists("high")
        assert MODULE not in sys.modules

    def test_after_and_before_constrain_the_order_and_unknown_names_are_ignored(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """``last`` runs after ``high`` (and names a plugin that is not installed); ``first``
        runs before ``default``, whatever their priorities."""
        manager = install("last", "default", "high", "first")
        assert names(manager.load_all()) == ["high", "last", "first", "default"]

    def test_a_cycle_of_constraints_is_an_error_naming_it_and_nothing_loads(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """after/before constraints that form a cycle raise a PluginException naming it."""
        manager = install("default", "cycle_a", "cycle_b", "cycle_c")
        cycle = r"\(cycle_a -> cycle_c -> cycle_b -> cycle_a; each runs before the next\)"
        with pytest.raises(PluginException, match=cycle):
            manager.load_all()
        assert events() == []

    def test_wrongly_typed_declarations_fail_where_they_are_written(self) -> None:
        """A priority that is no int, or after/before given as one string, is a TypeError
        naming the class or function."""
        with pytest.raises(TypeError, match=r"plugin class .*Bad: priority must be an int"):

            class Bad(Plugin):
                namespace, name, priority = NS, "bad", "high"  # type: ignore[assignment]

        with pytest.raises(TypeError, match=r"@plugin function .*fn: after must be a tuple"):

            @plugin(namespace=NS, after="default")  # type: ignore[arg-type]
            def fn() -> None: ...


class TestCallAll:
    def test_each_loaded_plugin_is_called_in_run_order_with_its_result(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """call_all loads the namespace and returns name, plugin, value and error per plugin;
        disabled plugins and plugins that failed to load are skipped."""
        manager = install("default", "off", "load_fails", "high")
        results = manager.call_all("start", 1, flag=True)
        assert [(r.name, r.value, r.error) for r in results] == [
            ("high", "high started with (1,) {'flag': True}", None),
            ("default", "default started with (1,) {'flag': True}", None),
        ]
        assert results[0].plugin is manager.load("high")
        assert events()[-2:] == ["call high", "call default"]

    def test_without_a_method_each_plugin_itself_is_called(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """With no method, call_all calls each plugin: a function plugin's function."""
        manager = install("hook")
        assert [(r.name, r.value) for r in manager.call_all(None, "x")] == [
            ("hook", "hook called with ('x',)")
        ]

    def test_log_policy_logs_each_failure_once_naming_the_plugin_and_goes_on(
        self, install: Callable[..., PluginManager[Any]], caplog: pytest.LogCaptureFixture
    ) -> None:
        """errors="log" (the default): every plugin is called; each failure is logged once."""
        recorder = Recorder()
        manager = install("start_fails", "default", "hook", listener=recorder)
        with caplog.at_level(logging.ERROR):
            results = manager.call_all("start")
        assert [(r.name, type(r.error).__name__ if r.error else r.value) for r in results] == [
            ("hook", "AttributeError"),
            ("start_fails", "ValueError"),
            ("default", "default started with () {}"),
        ]
        logged = [r.getMessage() for r in caplog.records]
        assert len(logged) == 2
        assert "orch.plugins:start_fails" in logged[1] and "cannot start" in logged[1]
        assert "orch.plugins:hook" in logged[0] and "has no method 'start'" in logged[0]
        assert ("call failed", "start_fails", "start", "start_fails cannot start") in (
            recorder.heard
        )

    def test_raise_policy_stops_at_the_first_failure(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """errors="raise" raises the first failure; later plugins are not called."""
        manager = install("start_fails", "default")
        with pytest.raises(ValueError, match="start_fails cannot start"):
            manager.call_all("start", errors="raise")
        assert "call default" not in events()

    def test_group_policy_calls_all_then_raises_the_failures_together(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """errors="group" calls every plugin, then raises PluginErrors with each failure."""
        manager = install("start_fails", "default", "start_fails_too")
        with pytest.raises(PluginErrors) as raised:
            manager.call_all("start", errors="group")
        assert [type(e) for e in raised.value.exceptions] == [ValueError, KeyError]
        assert "failed for 2 of 3 plugins of namespace orch.plugins" in str(raised.value)
        assert "call default" in events()
        if sys.version_info >= (3, 11):
            assert isinstance(raised.value, ExceptionGroup)  # noqa: F821

    def test_an_unknown_policy_is_refused(self, install: Callable[..., PluginManager[Any]]) -> None:
        """An error policy other than log, raise and group is a ValueError naming them."""
        manager = install("default")
        with pytest.raises(ValueError, match="errors must be one of log, raise, group"):
            manager.call_all("start", errors="ignore")  # type: ignore[arg-type]

    def test_call_first_stops_at_the_first_value_that_is_not_none(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """call_first passes plugins that return None by and stops at the first answer."""
        manager = install("default", "silent", "high")
        result = manager.call_first("start")
        assert result is not None
        assert (result.name, result.value) == ("high", "high started with () {}")
        assert events()[-2:] == ["call silent", "call high"]

    def test_call_first_raises_the_failures_before_the_answer_with_group(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """With errors="group", call_first does not drop the failures of earlier plugins."""
        manager = install("start_fails", "default")
        with pytest.raises(PluginErrors) as raised:
            manager.call_first("start", errors="group")
        assert [type(e) for e in raised.value.exceptions] == [ValueError]
        assert "call default" in events()

    def test_call_first_gives_none_when_no_plugin_answers(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """call_first returns None when every plugin returns None."""
        assert install("silent").call_first("start") is None

    def test_async_calls_await_each_result_in_order(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """acall_all awaits awaitable results one after another; plain values pass through."""
        manager = install("async_start", "high", "start_fails")
        results = asyncio.run(manager.acall_all("start"))
        assert [(r.name, r.value) for r in results] == [
            ("high", "high started with () {}"),
            ("async_start", "async_start awaited"),
            ("start_fails", None),
        ]
        assert isinstance(results[2].error, ValueError)
        with pytest.raises(PluginErrors):
            asyncio.run(manager.acall_all("start", errors="group"))

    def test_async_call_first_awaits_until_an_answer(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """acall_first awaits each result and stops at the first that is not None."""
        first = asyncio.run(install("silent", "async_start").acall_first("start"))
        assert isinstance(first, CallResult) and first.value == "async_start awaited"


class TestLoadFirst:
    def test_gives_the_first_candidate_that_exists_is_enabled_and_loads(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """Unknown, disabled and failing candidates are passed over."""
        manager = install("off", "load_fails", "default", "high")
        assert manager.load_first("nope", "off", "load_fails", "default", "high").name == (
            "default"
        )
        assert not manager.is_loaded("high")

    def test_when_none_loads_one_error_names_each_candidate_and_why(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """The error names the unknown, the disabled (with its reason) and the failed."""
        manager = install("off", "load_fails")
        with pytest.raises(PluginException) as raised:
            manager.load_first("nope", "off", "load_fails")
        assert str(raised.value) == (
            "none of the plugins nope, off, load_fails of namespace orch.plugins could be "
            "loaded: nope: no such plugin; off: disabled (Load condition for plugin was false); "
            "load_fails: failed (RuntimeError: load_fails cannot load)"
        )


class TestTeardown:
    def test_unload_all_runs_in_reverse_of_the_order_loads_finished(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """Lazy loads in mixed order, then load_all: teardown reverses what really happened."""
        manager = install("low", "default", "high", "off")
        manager.load("low")
        manager.load("default")
        manager.load_all()  # loads high
        results = manager.unload_all()
        assert [r.name for r in results] == ["high", "default", "low"]
        assert events() == [
            "load low",
            "load default",
            "load high",
            "unload high",
            "unload default",
            "unload low",
        ]
        assert manager.unload_all() == []
        assert not manager.is_loaded("low")

    def test_every_teardown_runs_when_one_raises(
        self, install: Callable[..., PluginManager[Any]], caplog: pytest.LogCaptureFixture
    ) -> None:
        """A teardown that raises is logged and told to listeners; the others still run."""
        recorder = Recorder()
        manager = install("default", "unload_fails", "high", listener=recorder)
        manager.load_all()
        with caplog.at_level(logging.ERROR):
            results = manager.unload_all()
        assert [(r.name, type(r.error).__name__) for r in results] == [
            ("unload_fails", "OSError"),
            ("default", "NoneType"),
            ("high", "NoneType"),
        ]
        assert events()[-3:] == ["unload unload_fails", "unload default", "unload high"]
        assert "orch.plugins:unload_fails" in caplog.records[0].getMessage()
        assert ("unload failed", "unload_fails", "unload_fails cannot unload") in recorder.heard
        assert ("unloaded", "high") in recorder.heard

    @pytest.mark.parametrize("errors", ["raise", "group"])
    def test_raising_policies_raise_after_every_teardown_ran(
        self, install: Callable[..., PluginManager[Any]], errors: Any
    ) -> None:
        """With "raise" or "group", unload_all still tears every plugin down first."""
        manager = install("default", "unload_fails")
        manager.load_all()
        with pytest.raises((OSError, PluginErrors)):
            manager.unload_all(errors=errors)
        assert events()[-2:] == ["unload unload_fails", "unload default"]
        assert not manager.is_loaded("default")

    def test_unload_of_one_plugin_raises_its_error_and_does_nothing_if_not_loaded(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """unload(name) tears one plugin down; one never loaded is left alone."""
        manager = install("default", "unload_fails")
        manager.unload("default")
        manager.load("unload_fails")
        with pytest.raises(OSError, match="cannot unload"):
            manager.unload("unload_fails")
        assert not manager.is_loaded("unload_fails")
        assert events() == ["load unload_fails", "unload unload_fails"]
        with pytest.raises(ValueError, match="no plugin named nope"):
            manager.unload("nope")

    def test_a_plugin_loaded_again_after_unloading_is_made_afresh(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """After unload, a load makes a new object and runs its lifecycle again."""
        recorder = Recorder()
        manager = install("default", listener=recorder)
        first = manager.load("default")
        manager.unload("default")
        second = manager.load("default")
        assert second is not first
        assert recorder.heard == [("init", "default"), ("unloaded", "default"), ("init", "default")]
        assert events() == ["load default", "unload default", "load default"]

    def test_the_manager_as_a_context_manager_unloads_on_exit(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """Leaving ``with PluginManager(ns)`` unloads what was loaded, even on an error."""
        with pytest.raises(KeyError), install("default", "high") as manager:
            manager.load("default")
            raise KeyError("application failed")
        assert events() == ["load default", "unload default"]


class TestForBase:
    def test_a_plugin_of_the_wrong_type_fails_alone_naming_both_types(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """for_base takes the namespace from the base; a plugin that is no base fails at init."""
        install("default", "stranger", "high")
        manager = PluginManager.for_base(module().Recording)
        assert manager.namespace == NS
        assert names(manager.load_all()) == ["high", "default"]
        with pytest.raises(PluginException) as raised:
            manager.load("stranger")
        assert str(raised.value) == (
            "plugin orch.plugins:stranger is a orch_plugins.Stranger, not a "
            "orch_plugins.Recording as this manager requires (PluginManager.for_base)"
        )
        assert manager.get_container("stranger").init_error is raised.value

    def test_a_subclass_of_the_manager_makes_managers_of_its_own_class(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """for_base called on a PluginManager subclass gives an instance of that subclass."""
        install("default")

        class Services(PluginManager[Any]):
            pass

        assert type(Services.for_base(module().Recording)) is Services

    def test_a_base_without_namespace_needs_one_given(self) -> None:
        """for_base of a class without namespace and no namespace= is a ValueError."""

        class Nameless(Plugin):
            pass

        with pytest.raises(ValueError, match="Nameless has no namespace"):
            PluginManager.for_base(Nameless)
        assert PluginManager.for_base(Nameless, namespace="x").namespace == "x"


class TestThreads:
    def test_each_plugin_loads_and_unloads_once_across_threads(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """call_all, load and unload_all from several threads load and unload each plugin once."""
        manager = install("low", "default", "high")
        barrier = threading.Barrier(6)

        def run(work: Callable[[], object]) -> None:
            barrier.wait()
            work()

        works: list[Callable[[], object]] = [
            lambda: manager.call_all("start"),
            lambda: manager.load("low"),
            lambda: manager.load_all(),
        ] * 2
        threads = [threading.Thread(target=run, args=(w,)) for w in works]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        loads = [e for e in events() if e.startswith("load")]
        assert sorted(loads) == ["load default", "load high", "load low"]
        unloaders = [threading.Thread(target=manager.unload_all) for _ in range(3)]
        for t in unloaders:
            t.start()
        for t in unloaders:
            t.join()
        assert sorted(e for e in events() if e.startswith("unload")) == [
            "unload default",
            "unload high",
            "unload low",
        ]

    def test_unload_while_another_thread_loads_waits_for_that_load_then_unloads(
        self, install: Callable[..., PluginManager[Any]]
    ) -> None:
        """unload(name) during a load in another thread waits for it, then tears it down."""
        manager = install("slow")
        manager.list_names()
        loader = threading.Thread(target=manager.load, args=("slow",))
        loader.start()
        assert module().SLOW_STARTED.wait(10)
        unloader = threading.Thread(target=manager.unload, args=("slow",))
        unloader.start()
        module().SLOW_GO.set()
        loader.join()
        unloader.join()
        assert events() == ["load slow", "unload slow"]
        assert not manager.is_loaded("slow")
