"""Installed plugin namespaces as the reporting commands see them: which groups, which plugins.

Which entry point groups are plugin namespaces? Entry point metadata does not say, so ``list``
and ``doctor`` take every group except the well-known groups of packaging and developer tools
(:data:`TOOL_GROUPS`: ``console_scripts``, ``setuptools.*``, ``pytest11``...). ``--all`` takes
every group; NAMESPACE arguments (shell-style patterns, e.g. ``'localstack.*'``) select groups
explicitly, tool groups included.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase
from typing import Any

from plux.runtime.cache import IndexedEntryPoint

TOOL_GROUPS = (
    "console_scripts",
    "gui_scripts",
    "distutils.*",
    "setuptools.*",
    "egg_info.*",
    "hatch",
    "pytest11",
    "pipx.*",
    "flake8.*",
    "pygments.*",
    "sphinx.*",
    "babel.*",
    "paste.*",
    "mypy.*",
    "pylint.*",
    "jupyter*",
)
"""Groups of packaging and developer tools: not listed unless asked for by name or ``--all``."""


def add_namespace_selection(parser: argparse.ArgumentParser) -> None:
    """The NAMESPACE patterns and ``--all`` that ``list`` and ``doctor`` share."""
    parser.add_argument(
        "namespace",
        nargs="*",
        metavar="NAMESPACE",
        help="entry point groups to look at (shell-style patterns); default: every group "
        "except those of packaging and developer tools",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="include the groups of packaging and developer tools (console_scripts, ...)",
    )


def select_groups(groups: Iterable[str], patterns: Sequence[str], everything: bool) -> list[str]:
    """The groups to report, sorted: those matching ``patterns``, else all but tool groups.

    >>> select_groups(["console_scripts", "demo.cli"], [], False)
    ['demo.cli']
    >>> select_groups(["console_scripts", "demo.cli"], ["console_*"], False)
    ['console_scripts']
    """
    if patterns:
        return sorted(g for g in groups if any(fnmatchcase(g, p) for p in patterns))
    if everything:
        return sorted(groups)
    return sorted(g for g in groups if not any(fnmatchcase(g, p) for p in TOOL_GROUPS))


def plugin_name(entry_point: IndexedEntryPoint) -> str:
    """The name the manager knows a plugin by: the declared one for lower-cased entry points."""
    return entry_point.declared_name or entry_point.name


def by_plugin_name(
    entry_points: Iterable[IndexedEntryPoint],
) -> dict[str, list[IndexedEntryPoint]]:
    """The entry points of one namespace grouped by plugin name, in order: the first of each name
    is the one the plugin manager uses, the others are shadowed.

    This is the rule ``PluginManager`` applies to the plugins of its namespace, not
    :func:`plux.runtime._stamps.first_copies` (which of several copies of one *distribution* on
    the path counts, the others being invisible): here different distributions register one
    plugin name, all stay installed and are listed, and only the manager ignores the later ones.
    """
    grouped: dict[str, list[IndexedEntryPoint]] = {}
    for entry_point in entry_points:
        grouped.setdefault(plugin_name(entry_point), []).append(entry_point)
    return grouped


def entry_point_document(entry_point: IndexedEntryPoint) -> dict[str, Any]:
    """The fields every JSON document gives for an installed entry point."""
    return {
        "name": plugin_name(entry_point),
        "entry_point": entry_point.name,
        "value": entry_point.value,
        "distribution": entry_point.distribution or None,
        "version": entry_point.version or None,
    }


def origin(entry_point: IndexedEntryPoint) -> str:
    """``demo-addon 1.0``: the distribution an entry point comes from, for text output."""
    return f"{entry_point.distribution or '?'} {entry_point.version or '?'}"
