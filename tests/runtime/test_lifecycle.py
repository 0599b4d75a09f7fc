"""A plugin's lifecycle as one state: where a plugin is, and the step and error it failed at."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest.mock import Mock

import pytest

from plux import Plugin, PluginDisabled, PluginFinder, PluginManager, PluginSpec
from plux.runtime.filter import global_plugin_filter

NS = "lifecycle.plugins"


class Good(Plugin):
    def load(self, *args: Any, **kwargs: Any) -> str:
        return "loaded"


class FailsInit(Plugin):
    def __init__(self) -> None:
        raise RuntimeError("cannot create")


class FailsLoad(Plugin):
    def load(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("cannot load")


class Reluctant(Plugin):
    def should_load(self) -> bool:
        return False


class Finder(PluginFinder):
    def __init__(self, *specs: PluginSpec) -> None:
        self.specs = list(specs)

    def find_plugins(self) -> list[PluginSpec]:
        return self.specs


def manager(factory: Any = Good, **kwargs: Any) -> PluginManager[Plugin]:
    return PluginManager(NS, finder=Finder(PluginSpec(NS, "p", factory)), **kwargs)


def broken_filter(spec: PluginSpec) -> bool:
    raise TypeError("filter is broken")


@pytest.fixture
def clean_global_filter() -> Iterator[None]:
    yield
    global_plugin_filter.exclusions.clear()


class TestState:
    @pytest.mark.parametrize(
        ("factory", "phase", "step"),
        [
            (Good, "loaded", None),
            (FailsInit, "failed", "init"),
            (FailsLoad, "failed", "load"),
            (Reluctant, "disabled", "should_load"),
        ],
        ids=["loaded", "init-fails", "load-fails", "should-load-false"],
    )
    def test_state_says_the_phase_and_the_step_it_ended_at(
        self, factory: Any, phase: str, step: str | None
    ) -> None:
        """After a load, the container's state names its phase and the step that ended it."""
        m = manager(factory)
        m.load_all()
        state = m.get_container("p").state
        assert (state.phase, state.step) == (phase, step)

    def test_listed_plugin_is_resolved_before_its_first_load(self) -> None:
        """A plugin from a finder is resolved; after load it is loaded, with its load value."""
        m = manager()
        container = m.get_container("p")
        assert container.state.phase == "resolved"
        m.load("p")
        assert (container.state.phase, container.load_value, container.is_init) == (
            "loaded",
            "loaded",
            True,
        )

    def test_failure_keeps_the_exception_where_it_failed(self) -> None:
        """A load failure is the state's error and the container's load_error; init stays."""
        m = manager(FailsLoad)
        with pytest.raises(RuntimeError) as e:
            m.load("p")
        container = m.get_container("p")
        assert container.state.error is e.value is container.load_error
        assert (container.is_init, container.init_error, container.is_loaded) == (True, None, False)

    def test_container_fields_are_read_only(self) -> None:
        """The public fields are views of the state: assigning one is refused."""
        container = manager().get_container("p")
        with pytest.raises(AttributeError):
            container.is_loaded = True  # type: ignore[misc]


class TestRaisingFilter:
    def test_raising_filter_fails_the_filter_step_not_init(self) -> None:
        """A filter that raises: load raises its error; no factory ran, so no init error and
        no on_init_exception; the plugin is neither disabled nor kept failed."""
        listener = Mock()
        m = manager(listener=listener, filters=[broken_filter])
        with pytest.raises(TypeError, match="filter is broken"):
            m.load("p")
        container = m.get_container("p")
        assert (container.state.phase, container.state.step) == ("failed", "filter")
        assert (container.init_error, container.load_error, container.is_init) == (
            None,
            None,
            False,
        )
        assert not container.is_disabled
        listener.on_init_exception.assert_not_called()
        listener.on_init_after.assert_not_called()

    def test_plugin_loads_once_the_global_filter_is_fixed(self, clean_global_filter: None) -> None:
        """After global_plugin_filter.exclusions.clear(), the next load consults filters again."""
        global_plugin_filter.add_exclusion(name=1)  # type: ignore[arg-type]
        m = manager()
        with pytest.raises(TypeError):
            m.load("p")
        assert m.load_all() == []
        global_plugin_filter.exclusions.clear()
        assert m.load("p").load() == "loaded"
        assert m.get_container("p").state.phase == "loaded"

    def test_filter_that_disables_keeps_the_plugin_disabled(self) -> None:
        """A filter returning True disables the plugin at the filter step, for good."""
        m = manager(filters=[lambda spec: True])
        with pytest.raises(PluginDisabled):
            m.load("p")
        state = m.get_container("p").state
        assert (state.phase, state.step) == ("disabled", "filter")
        with pytest.raises(PluginDisabled):
            m.load("p")


class TestListeners:
    def test_listeners_set_after_creation_hear_events(self) -> None:
        """Replacing manager.listeners (a plain list in plux 1.16) replaces who hears events."""
        m = manager()
        first, second = Mock(), Mock()
        m.listeners = [first]
        m.listeners.append(second)
        m.load("p")
        assert first.on_load_after.call_count == second.on_load_after.call_count == 1
