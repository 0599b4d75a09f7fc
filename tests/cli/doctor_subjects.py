"""Plugins and tool entry points that tests/cli/test_doctor_checks.py installs into a site
folder as the module ``doctor_subjects`` (kept here so that they are linted like code)."""

from __future__ import annotations

from plux import PluginSpec, plugin


@plugin(namespace="doc.fn")
def greet() -> str:
    return "hello"


greet_spec = PluginSpec("doc.fn", "greet", greet)
"""A spec whose factory is an ``@plugin`` function: the function's own plugin is made."""


def main() -> int:
    """A console script."""
    return 0


class Command:
    """A setuptools command (a class: callable)."""


VERSION = "1.0"
"""Not callable: a console script pointing here is broken."""
