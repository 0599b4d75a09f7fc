"""The plugin vocabulary: specs, resolution, function plugins, exceptions and entry points."""

from __future__ import annotations

import pytest

from plux import (
    FunctionPlugin,
    Plugin,
    PluginDisabled,
    PluginException,
    PluginFinder,
    PluginSpec,
    PluginSpecResolver,
    plugin,
)
from plux.core.entrypoint import (
    EntryPoint,
    discover_entry_points,
    spec_to_entry_point,
    to_entry_point_dict,
)


class Abstract(Plugin):
    namespace = "tests.plugins"


class Concrete(Abstract):
    name = "concrete"


@plugin(namespace="tests.functions")
def greet(who: str) -> str:
    return f"hello {who}"


@plugin(namespace="tests.functions", name="off", should_load=lambda: False, load=lambda x: x * 2)
def switched_off() -> None:
    pass


def closure_factory() -> Plugin:
    def create() -> Plugin:
        return Concrete()

    return create  # type: ignore[return-value]


class TestPluginSpec:
    def test_equality_compares_namespace_name_and_factory(self) -> None:
        """Specs are equal when namespace, name and factory are."""
        assert PluginSpec("a", "b", Concrete) == PluginSpec("a", "b", Concrete)
        assert PluginSpec("a", "b", Concrete) != PluginSpec("a", "c", Concrete)
        assert PluginSpec("a", "b", Concrete) != PluginSpec("a", "b", Abstract)

    def test_repr_shows_namespace_name_and_factory(self) -> None:
        """The repr says which plugin the spec describes."""
        assert repr(PluginSpec("a", "b", Concrete)).startswith("PluginSpec(a.b = <class")


class TestPluginSpecResolver:
    def test_spec_is_returned_as_is(self) -> None:
        """A PluginSpec resolves to itself."""
        spec = PluginSpec("a", "b", Concrete)
        assert PluginSpecResolver().resolve(spec) is spec

    def test_plugin_class_becomes_a_spec_with_the_class_as_factory(self) -> None:
        """A Plugin subclass with namespace and name resolves to a spec of itself."""
        assert PluginSpecResolver().resolve(Concrete) == PluginSpec(
            "tests.plugins", "concrete", Concrete
        )

    def test_decorated_function_yields_its_spec(self) -> None:
        """A @plugin function resolves to the spec the decorator attached."""
        spec = PluginSpecResolver().resolve(greet)
        assert (spec.namespace, spec.name) == ("tests.functions", "greet")

    @pytest.mark.parametrize(
        "source",
        [42, "text", Abstract, lambda: None, object()],
        ids=["int", "str", "abstract-class", "function", "object"],
    )
    def test_anything_else_raises_value_error(self, source: object) -> None:
        """Objects that describe no plugin, abstract plugins included, raise ValueError."""
        with pytest.raises(ValueError):
            PluginSpecResolver().resolve(source)


class TestFunctionPlugin:
    def test_decorated_function_stays_a_callable_function(self) -> None:
        """@plugin returns the function itself."""
        assert greet("you") == "hello you"

    def test_factory_makes_a_callable_plugin(self) -> None:
        """The spec's factory makes a FunctionPlugin that calls the function."""
        fn_plugin = greet.__pluginspec__.factory()  # type: ignore[attr-defined]
        assert isinstance(fn_plugin, FunctionPlugin)
        assert (fn_plugin.namespace, fn_plugin.name) == ("tests.functions", "greet")
        assert fn_plugin("them") == "hello them"
        assert fn_plugin.should_load() is True
        assert fn_plugin.load() is None

    def test_should_load_and_load_are_taken_from_the_decorator(self) -> None:
        """should_load may be a callable; load is called with the load arguments."""
        fn_plugin = switched_off.__pluginspec__.factory()  # type: ignore[attr-defined]
        assert fn_plugin.name == "off"
        assert fn_plugin.should_load() is False
        assert fn_plugin.load(21) == 42

    def test_should_load_may_be_a_bool(self) -> None:
        """should_load=False disables the plugin without a callable."""
        assert FunctionPlugin(greet, should_load=False).should_load() is False


class TestExceptions:
    def test_plugin_disabled_message_names_plugin_and_reason(self) -> None:
        """PluginDisabled says which plugin is disabled and why."""
        e = PluginDisabled("ns", "name", "reason")
        assert str(e) == "plugin ns:name is disabled, reason: reason"
        assert (e.namespace, e.name, e.reason) == ("ns", "name", "reason")
        assert str(PluginDisabled("ns", "name")) == "plugin ns:name is disabled"

    def test_plugin_exception_carries_namespace_and_name(self) -> None:
        """PluginException keeps the message, namespace and name."""
        e = PluginException("boom", namespace="ns", name="n")
        assert (str(e), e.namespace, e.name) == ("boom", "ns", "n")


class TestEntryPoints:
    def test_class_plugin_points_at_its_class(self) -> None:
        """A class plugin's entry point names its module and class."""
        assert spec_to_entry_point(PluginSpec("tests.plugins", "concrete", Concrete)) == EntryPoint(
            "concrete", f"{__name__}:Concrete", "tests.plugins"
        )

    def test_function_plugin_points_at_the_function(self) -> None:
        """A @plugin function's entry point names the decorated function."""
        spec = greet.__pluginspec__  # type: ignore[attr-defined]
        assert spec_to_entry_point(spec).value == f"{__name__}:greet"

    def test_spec_from_closure_points_at_its_recorded_location(self) -> None:
        """A spec whose factory is a closure uses the module-level name a finder recorded."""
        spec = PluginSpec("tests.plugins", "s3", closure_factory())
        with pytest.raises(ValueError, match="no module-level name"):
            spec_to_entry_point(spec)
        spec.location = "pkg.mod:s3"
        assert spec_to_entry_point(spec) == EntryPoint("s3", "pkg.mod:s3", "tests.plugins")

    def test_entry_point_dict_groups_by_namespace(self) -> None:
        """to_entry_point_dict gives 'name=value' strings per group, in order (as plux 1.16)."""
        eps = [
            EntryPoint("a", "m:A", "g1"),
            EntryPoint("b", "m:B", "g2"),
            EntryPoint("c", "m:C", "g1"),
        ]
        assert to_entry_point_dict(eps) == {"g1": ["a=m:A", "c=m:C"], "g2": ["b=m:B"]}

    def test_duplicate_name_in_a_group_raises_naming_both(self) -> None:
        """A name twice in one group is a ValueError in plux 1.16's words, naming both values."""
        eps = [EntryPoint("a", "m:A", "g"), EntryPoint("a", "n:B", "g")]
        with pytest.raises(ValueError, match="^Duplicate entry point g a: m:A and n:B$"):
            to_entry_point_dict(eps)

    def test_group_without_entry_points_reads_as_empty_list(self) -> None:
        """The entry point dict answers [] for a group it has no entry for, as in plux 1.16."""
        assert to_entry_point_dict([EntryPoint("a", "m:A", "g")])["other"] == []

    def test_discover_entry_points_uses_the_finder(self) -> None:
        """discover_entry_points turns what a finder finds into an entry point dict."""

        class Finder(PluginFinder):
            def find_plugins(self) -> list[PluginSpec]:
                return [PluginSpec("tests.plugins", "concrete", Concrete)]

        assert discover_entry_points(Finder()) == {
            "tests.plugins": [f"concrete={__name__}:Concrete"]
        }


def test_bare_plugin_decorator_raises_saying_to_pass_a_namespace() -> None:
    """``@plugin`` without parentheses fails at decoration time instead of hiding the function."""
    with pytest.raises(TypeError, match=r"write @plugin\(namespace=\.\.\.\)"):

        @plugin  # type: ignore[arg-type]
        def forgotten() -> None:
            pass
