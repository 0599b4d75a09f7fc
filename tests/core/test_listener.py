"""Lifecycle listeners: the hooks, the composite that fans them out, and conflict records."""

from __future__ import annotations

from typing import Any

import pytest

from plux import CompositePluginLifecycleListener, Plugin, PluginLifecycleListener, PluginSpec
from plux.core.plugin import ConflictSide

SPEC = PluginSpec("tests.plugins", "p", Plugin)


class Recorder(PluginLifecycleListener):
    def __init__(self, tag: str, heard: list[tuple[str, ...]]) -> None:
        self.tag = tag
        self.heard = heard

    def on_resolve_after(self, plugin_spec: PluginSpec) -> None:
        self.heard.append((self.tag, "on_resolve_after", plugin_spec.name))

    def on_conflict(
        self, namespace: str, name: str, chosen: ConflictSide, ignored: ConflictSide
    ) -> None:
        self.heard.append((self.tag, "on_conflict", name, str(chosen), str(ignored)))


class OnlyInit:
    """A listener of no PluginLifecycleListener class, with one hook."""

    def __init__(self) -> None:
        self.plugins: list[Any] = []

    def on_init_after(self, plugin_spec: PluginSpec, plugin: Plugin) -> None:
        self.plugins.append(plugin)


class TestCompositeListener:
    def test_fans_each_hook_out_in_the_order_listeners_were_added(self) -> None:
        """Every listener hears the hook with its arguments, first added first."""
        heard: list[tuple[str, ...]] = []
        composite = CompositePluginLifecycleListener([Recorder("a", heard)])
        composite.add_listener(Recorder("b", heard))
        composite.on_resolve_after(SPEC)
        assert heard == [("a", "on_resolve_after", "p"), ("b", "on_resolve_after", "p")]

    def test_listener_lacking_a_hook_is_skipped_for_it(self) -> None:
        """A duck-typed listener hears the hooks it has; the others pass it by."""
        only_init = OnlyInit()
        composite = CompositePluginLifecycleListener([only_init])  # type: ignore[list-item]
        plugin = Plugin()
        composite.on_load_after(SPEC, plugin, None)
        composite.on_init_after(SPEC, plugin)
        assert only_init.plugins == [plugin]

    def test_listener_error_reaches_the_caller(self) -> None:
        """The composite does not swallow errors: the manager decides what they mean."""

        class Failing(PluginLifecycleListener):
            def on_load_exception(
                self, plugin_spec: PluginSpec, plugin: Plugin, exception: Exception
            ) -> None:
                raise RuntimeError("listener failed")

        composite = CompositePluginLifecycleListener([Failing()])
        with pytest.raises(RuntimeError, match="listener failed"):
            composite.on_load_exception(SPEC, Plugin(), ValueError())

    def test_every_hook_is_fanned_out(self) -> None:
        """Each hook of PluginLifecycleListener reaches the listeners through the composite."""
        calls: list[str] = []

        class Counter:
            def __getattr__(self, hook: str) -> Any:
                return lambda *args: calls.append(hook)

        composite = CompositePluginLifecycleListener([Counter()])  # type: ignore[list-item]
        side = ConflictSide("p", "mod:P")
        composite.on_resolve_exception("tests.plugins", None, ValueError())  # type: ignore[arg-type]
        composite.on_resolve_after(SPEC)
        composite.on_init_exception(SPEC, ValueError())
        composite.on_init_after(SPEC, Plugin())
        composite.on_load_before(SPEC, Plugin(), [], {})
        composite.on_load_after(SPEC, Plugin(), None)
        composite.on_load_exception(SPEC, Plugin(), ValueError())
        composite.on_conflict("tests.plugins", "p", side, side)
        composite.on_call_exception(SPEC, Plugin(), "start", ValueError())
        composite.on_unload_after(SPEC, Plugin())
        composite.on_unload_exception(SPEC, Plugin(), ValueError())
        hooks = [name for name in vars(PluginLifecycleListener) if name.startswith("on_")]
        assert calls == hooks


class TestConflictSide:
    def test_equal_when_all_fields_are(self) -> None:
        """Two records of one registration are equal and hash alike; another differs."""
        one = ConflictSide("p", "mod:P", "dist", "1.0")
        assert one == ConflictSide("p", "mod:P", "dist", "1.0")
        assert hash(one) == hash(ConflictSide("p", "mod:P", "dist", "1.0"))
        assert one != ConflictSide("p", "mod:P", "other", "1.0")
        assert one != ("p", "mod:P", "dist", "1.0")

    @pytest.mark.parametrize(
        ("side", "text"),
        [
            (ConflictSide("p", "mod:P", "dist", "1.0"), "distribution dist 1.0"),
            (ConflictSide("p", "mod:P"), "mod:P"),
            (ConflictSide("p", None), "p"),
        ],
        ids=["installed", "from-a-finder", "closure"],
    )
    def test_str_says_where_it_comes_from(self, side: ConflictSide, text: str) -> None:
        """str() names the distribution and version, else the value, else the name."""
        assert str(side) == text

    def test_repr_shows_every_field(self) -> None:
        """repr() reads as the constructor call."""
        assert repr(ConflictSide("p", "mod:P")) == (
            "ConflictSide(name='p', value='mod:P', distribution=None, version=None)"
        )
