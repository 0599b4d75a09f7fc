"""Names and texts of the plugin vocabulary that plux 1.16 users rely on."""

from __future__ import annotations

import pytest

from plux import FunctionPlugin, Plugin, PluginFinder, PluginSpec, PluginSpecResolver


class Named(Plugin):
    namespace, name = "compat.core", "named"


def test_resolver_error_starts_with_plux_1_16_wording() -> None:
    """What describes no plugin raises 'cannot resolve plugin specification from ...'."""
    with pytest.raises(ValueError, match="^cannot resolve plugin specification from 42: "):
        PluginSpecResolver().resolve(42)


def test_spec_str_shows_the_factory_as_str() -> None:
    """str(spec) is 'PluginSpec(NS.NAME = FACTORY)' with the factory's own str, as in plux 1.16."""

    class Factory:
        def __call__(self) -> Plugin:
            return Named()

        def __str__(self) -> str:
            return "my-factory"

    assert str(PluginSpec("compat.core", "named", Factory())) == (
        "PluginSpec(compat.core.named = my-factory)"
    )


def test_plugin_filter_type_is_importable_at_run_time() -> None:
    """plux.runtime.filter.PluginFilter exists at run time, for annotating filters."""
    from plux.runtime.filter import PluginFilter

    def no_named(spec: PluginSpec) -> bool:
        return spec.name == "named"

    checked: PluginFilter = no_named
    assert checked(PluginSpec("compat.core", "named", Named))


def test_specs_are_hashable_and_unequal_to_other_objects() -> None:
    """Specs are hashable and compare unequal to a non-spec (1.16: unhashable, AttributeError)."""
    spec = PluginSpec("compat.core", "named", Named)
    assert {spec, PluginSpec("compat.core", "named", Named)} == {spec}
    assert {spec: "found"}[PluginSpec("compat.core", "named", Named)] == "found"
    assert (spec == object()) is False
    assert spec != "compat.core.named"


@pytest.mark.parametrize(
    ("condition", "expected"), [(lambda: "yes", True), (lambda: [], False)], ids=["truthy", "falsy"]
)
def test_function_plugin_should_load_returns_a_bool(condition: object, expected: bool) -> None:
    """should_load() gives bool() of what the condition returns (1.16: the value itself)."""
    fn_plugin = FunctionPlugin(lambda: None, should_load=condition)  # type: ignore[arg-type]
    assert fn_plugin.should_load() is expected


def test_plugin_finder_is_abstract() -> None:
    """PluginFinder and a subclass without find_plugins cannot be made (1.16: they could)."""

    class Incomplete(PluginFinder):
        pass

    with pytest.raises(TypeError, match="find_plugins"):
        PluginFinder()  # type: ignore[abstract]
    with pytest.raises(TypeError, match="find_plugins"):
        Incomplete()  # type: ignore[abstract]
