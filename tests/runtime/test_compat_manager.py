"""PluginManager with a custom finder behaves as plux 1.16's did where its users can tell."""

from __future__ import annotations

import logging
from typing import Any
from unittest.mock import MagicMock, Mock

import pytest

from plux import (
    Plugin,
    PluginContainer,
    PluginDisabled,
    PluginException,
    PluginFinder,
    PluginLifecycleListener,
    PluginManager,
    PluginSpec,
    plugin,
)
from plux.core.plugin import ConflictSide
from plux.runtime.resolve import MetadataPluginFinder

NS = "compat.plugins"


class Good(Plugin):
    def load(self, *args: Any, **kwargs: Any) -> str:
        return "loaded"


class Broken(Plugin):
    def load(self, *args: Any, **kwargs: Any) -> None:
        raise PluginException("broken on purpose")


class Reluctant(Plugin):
    def should_load(self) -> bool:
        return False


@plugin(namespace=NS, name="hello")
def hello() -> str:
    return "hello"


class Finder(PluginFinder):
    def __init__(self, *specs: PluginSpec) -> None:
        self.specs = list(specs)

    def find_plugins(self) -> list[PluginSpec]:
        return self.specs


def manager(*specs: PluginSpec, **kwargs: Any) -> PluginManager[Plugin]:
    specs = specs or (PluginSpec(NS, "a", Good), PluginSpec(NS, "b", Good))
    return PluginManager(NS, finder=Finder(*specs), **kwargs)


class FailOnLoadAfter(PluginLifecycleListener):
    def on_load_after(
        self, plugin_spec: PluginSpec, plugin: Plugin, load_result: Any = None
    ) -> None:
        if plugin_spec.name == "b":
            raise PluginException("listener rejects b")


class FailOnInitAfter(PluginLifecycleListener):
    def on_init_after(self, plugin_spec: PluginSpec, plugin: Plugin) -> None:
        if plugin_spec.name == "b":
            raise PluginException("listener rejects b at init")


class TestCustomFinder:
    def test_specs_of_other_namespaces_are_left_out(self) -> None:
        """A finder's specs of other namespaces are neither listed nor loaded nor resolved."""
        listener = Mock()
        m = manager(PluginSpec(NS, "a", Good), PluginSpec("other", "x", Good), listener=listener)
        assert m.list_names() == ["a"]
        assert [type(p) for p in m.load_all()] == [Good]
        assert not m.exists("x")
        assert [c.args[0].name for c in listener.on_resolve_after.call_args_list] == ["a"]

    def test_spec_naming_a_decorated_function_loads_a_function_plugin(self) -> None:
        """A spec whose factory is an @plugin function loads that function's plugin."""
        loaded = manager(PluginSpec(NS, "hello", hello)).load("hello")
        assert loaded.name == "hello"
        assert loaded() == "hello"  # type: ignore[operator]


class TestDeliberateDifferences:
    """Where this manager answers differently from plux 1.16, on purpose (docs/migrating.md)."""

    def test_duplicate_names_from_a_finder_keep_the_first_and_are_reported(self) -> None:
        """Two specs of one name from a finder: the first is used, on_conflict hears of both
        as ConflictSide records (name and module:attr value; no distribution)."""
        first, second = PluginSpec(NS, "a", Good), PluginSpec(NS, "a", Reluctant)
        listener = Mock()
        m = manager(first, second, listener=listener)
        assert m.list_plugin_specs() == [first]
        listener.on_conflict.assert_called_once_with(
            NS,
            "a",
            ConflictSide("a", f"{__name__}:Good"),
            ConflictSide("a", f"{__name__}:Reluctant"),
        )

    def test_is_loaded_of_an_unknown_name_is_false(self) -> None:
        """is_loaded() answers False for a name the namespace does not have (1.16 raised)."""
        assert manager().is_loaded("nope") is False

    def test_empty_filters_opt_out_of_the_global_filter(self) -> None:
        """filters=[] means no filter at all; the global filter applies only without filters."""
        from plux.runtime.filter import global_plugin_filter

        global_plugin_filter.add_exclusion(namespace=NS)
        try:
            assert len(manager(filters=[]).load_all()) == 2
            assert manager().load_all() == []
        finally:
            global_plugin_filter.exclusions.clear()

    def test_exclusion_without_pattern_is_refused(self) -> None:
        """add_exclusion() with no pattern raises ValueError instead of disabling every plugin."""
        from plux.runtime.filter import MatchingPluginFilter

        with pytest.raises(ValueError, match="at least one of namespace, name or value"):
            MatchingPluginFilter().add_exclusion()

    def test_without_finder_the_manager_has_none(self) -> None:
        """Without finder=, manager.finder is None: the installed entry points are read lazily."""
        assert PluginManager(NS).finder is None

    def test_container_needs_a_name_and_its_spec_is_read_only(self) -> None:
        """PluginContainer(name, ...) needs a name and its plugin_spec cannot be set (1.16:
        PluginContainer() took no arguments and plugin_spec was a plain attribute)."""
        with pytest.raises(TypeError):
            PluginContainer()  # type: ignore[call-arg]
        spec = PluginSpec(NS, "a", Good)
        assert PluginContainer("a", spec).plugin_spec is spec
        container = manager(spec).get_container("a")
        with pytest.raises(AttributeError):
            container.plugin_spec = PluginSpec(NS, "a", Reluctant)  # type: ignore[misc]
        assert container.plugin_spec is spec

    def test_metadata_finder_without_callback_logs_resolve_errors(
        self,
        site_builder: Any,
        make_cache: Any,
        monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """MetadataPluginFinder with no callback logs an entry point it cannot import at ERROR,
        naming the error and the line that raised it, and leaves it out (1.16 logged it only when
        DEBUG was enabled)."""
        site_builder.add_distribution(
            "resolve-fails",
            entry_points={NS: {"bad": "compat_resolve_fails:Bad"}},
            modules={"compat_resolve_fails.py": "raise RuntimeError('cannot import me')"},
        )
        monkeypatch.syspath_prepend(str(site_builder.path))
        finder = MetadataPluginFinder(NS, entry_points_resolver=make_cache())
        assert finder.find_plugins() == []
        (record,) = [r for r in caplog.records if r.name == "plux.runtime.resolve"]
        assert record.levelno == logging.ERROR
        module = site_builder.path / "compat_resolve_fails.py"
        assert record.getMessage() == (
            f"cannot resolve entry point bad = compat_resolve_fails:Bad in {NS}: "
            f"RuntimeError: cannot import me (at {module}:1)"
        )


class TestListenerArgument:
    @pytest.mark.parametrize("listener", [Mock(), MagicMock()], ids=["Mock", "MagicMock"])
    def test_object_with_hook_methods_is_one_listener(self, listener: Mock) -> None:
        """Any object with the hook methods (a Mock too) is one listener, not an iterable."""
        m = manager(listener=listener)
        m.load_all()
        assert listener.on_load_after.call_count == 2
        container = m.get_container("b")
        listener.on_load_after.assert_called_with(container.plugin_spec, container.plugin, "loaded")

    def test_iterable_of_listeners_are_all_called(self) -> None:
        """A list of listeners: each hears every event."""
        first, second = Mock(), Mock()
        manager(listener=[first, second]).load_all()
        assert first.on_init_after.call_count == second.on_init_after.call_count == 2

    def test_hooks_a_listener_lacks_are_skipped(self) -> None:
        """A listener of no PluginLifecycleListener class hears the hooks it has, and no error."""

        class OnlyLoads:
            def __init__(self) -> None:
                self.loaded: list[str] = []

            def on_load_after(self, spec: PluginSpec, plugin: Plugin, result: Any) -> None:
                self.loaded.append(spec.name)

        listener = OnlyLoads()
        assert len(manager(listener=listener).load_all()) == 2
        assert listener.loaded == ["a", "b"]

    def test_load_args_default_to_an_empty_list(self) -> None:
        """Without load_args, listeners see [] as the load arguments, as in plux 1.16."""
        listener = Mock()
        manager(listener=listener).load("a")
        assert listener.on_load_before.call_args.args[2:] == ([], {})


class TestListenerFailures:
    def test_plugin_exception_from_on_load_after_fails_the_plugin(self) -> None:
        """on_load_after raising PluginException: load_all leaves the plugin out, load re-raises."""
        listener = Mock(wraps=FailOnLoadAfter())
        m = manager(listener=listener)
        assert m.load_all() == [m.load("a")]
        assert m.load_all() == [m.load("a")]  # b stays out of later calls too
        with pytest.raises(PluginException, match="listener rejects b") as first:
            m.load("b")
        with pytest.raises(PluginException) as again:
            m.load("b")
        assert again.value is first.value
        container = m.get_container("b")
        assert (container.is_loaded, container.load_value, container.load_error) == (
            False,
            None,
            first.value,
        )
        assert listener.on_load_exception.call_args.args[2] is first.value

    def test_plugin_exception_from_on_init_after_fails_the_plugin(self) -> None:
        """on_init_after raising PluginException is the plugin's init error, reported as one."""
        listener = Mock(wraps=FailOnInitAfter())
        m = manager(listener=listener)
        assert len(m.load_all()) == 1
        with pytest.raises(PluginException, match="listener rejects b at init") as e:
            m.load("b")
        assert m.get_container("b").init_error is e.value
        assert not m.is_loaded("b")
        assert listener.on_init_exception.call_args.args[1] is e.value

    def test_plugin_exception_from_load_is_reported_to_on_load_exception(self) -> None:
        """A PluginException raised by the plugin's load reaches on_load_exception like any."""
        listener = Mock()
        with pytest.raises(PluginException, match="broken on purpose") as e:
            manager(PluginSpec(NS, "broken", Broken), listener=listener).load("broken")
        assert listener.on_load_exception.call_args.args[2] is e.value

    def test_plain_listener_error_is_logged_in_plux_1_16_words(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """An ordinary listener error is logged as 'error while calling HOOK: ERROR', ignored."""
        listener = Mock()
        listener.on_load_after.side_effect = RuntimeError("oops")
        assert len(manager(listener=listener).load_all()) == 2
        assert "error while calling on_load_after: oops" in caplog.text


class TestMessages:
    def test_filtered_plugin_reason_reads_as_in_plux_1_16(self) -> None:
        """A filter disables a plugin 'before it was initialized', in plux 1.16's words."""
        with pytest.raises(PluginDisabled) as e:
            manager(filters=[lambda spec: spec.name == "a"]).load("a")
        assert str(e.value) == (
            f"plugin {NS}:a is disabled, reason: "
            "A plugin filter disabled this plugin before it was initialized"
        )

    def test_should_load_false_reason_reads_as_in_plux_1_16(self) -> None:
        """should_load() returning False gives 'Load condition for plugin was false'."""
        m = manager(PluginSpec(NS, "shy", Reluctant))
        assert m.load_all() == []
        with pytest.raises(PluginDisabled) as e:
            m.load("shy")
        assert e.value.reason == "Load condition for plugin was false"
        assert str(e.value) == f"plugin {NS}:shy is disabled, reason: {e.value.reason}"

    def test_load_all_logs_a_failure_in_plux_1_16_words(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """load_all logs 'exception while loading plugin NS:NAME: ERROR' and goes on."""
        m = manager(PluginSpec(NS, "broken", Broken), PluginSpec(NS, "a", Good))
        assert len(m.load_all()) == 1
        assert f"exception while loading plugin {NS}:broken: broken on purpose" in caplog.text

    def test_load_all_logs_a_skipped_disabled_plugin_at_debug(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """load_all skips a disabled plugin quietly, saying why at DEBUG level only."""
        caplog.set_level(logging.DEBUG, logger="plux.runtime.manager")
        manager(PluginSpec(NS, "shy", Reluctant)).load_all()
        assert [r.levelname for r in caplog.records] == ["DEBUG"]
        assert "Load condition for plugin was false" in caplog.text


def test_str_of_a_listed_spec_imports_nothing(site_builder: Any, python: Any) -> None:
    """str() and repr() of a spec the default manager lists show it without importing it."""
    site_builder.add_distribution(
        "lazy-str", entry_points={NS: {"far": "far_away.mod:Far"}}, modules={"far_away/mod.py": ""}
    )
    result = python.json(
        """
        import json, sys
        from plux import PluginManager
        (spec,) = PluginManager("compat.plugins").list_plugin_specs()
        print(json.dumps([str(spec), repr(spec) == str(spec), "far_away.mod" in sys.modules]))
        """
    )
    assert result == [
        "PluginSpec(compat.plugins.far = far_away.mod:Far (not yet resolved))",
        True,
        False,
    ]
