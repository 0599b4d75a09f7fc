"""Names and texts of the plugin vocabulary that plux 1.16 users rely on."""

from __future__ import annotations

import pytest

from plux import Plugin, PluginSpec, PluginSpecResolver


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
