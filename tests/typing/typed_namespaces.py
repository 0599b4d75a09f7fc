"""Checked by mypy in test_types.py (not run): what a type checker sees of a typed namespace."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plux import CallResult, Plugin, PluginManager

if TYPE_CHECKING:
    from typing import assert_type  # Python 3.11+; this module is only imported elsewhere


class Command(Plugin):
    namespace = "app.commands"

    def run(self) -> int:
        return 0


def typed_namespace() -> None:
    manager = PluginManager.for_base(Command)
    assert_type(manager, PluginManager[Command])
    assert_type(manager.load("hello"), Command)
    assert_type(manager.load_all(), list[Command])
    assert_type(manager.load_first("a", "b"), Command)
    assert_type(manager.call_all("run"), list[CallResult[Command]])
    with manager as entered:
        assert_type(entered, PluginManager[Command])
