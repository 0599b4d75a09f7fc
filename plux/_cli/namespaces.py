"""Installed plugin namespaces as the reporting commands see them: which groups, which plugins.

Which entry point groups are plugin namespaces? Entry point metadata does not say, so ``list``
and ``doctor`` take every group except the well-known groups of packaging and developer tools
(:data:`TOOL_GROUPS`: ``console_scripts``, ``setuptools.*``, ``pytest11``...). ``--all`` takes
every group; NAMESPACE arguments (shell-style patterns, e.g. ``'localstack.*'``) select groups
explicitly, tool groups included.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Callable, Iterable, Sequence
from fnmatch import fnmatchcase
from typing import Any

from plux.runtime._conflicts import describe_conflict, provider, serving_order
from plux.runtime.cache import EntryPointsCache, IndexedEntryPoint

from .output import CommandError


def checked_cache() -> EntryPointsCache:
    """The process's entry point cache, checked against every installed distribution: what the
    commands report is never stale, even after a hand edit that a warm application process does
    not look for (and the index they leave behind is current)."""
    cache = EntryPointsCache.instance()
    cache.refresh()
    return cache


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
    """The NAMESPACE patterns (``--namespace`` too, as plux 1.x's ``resolve`` took one) and
    ``--all`` that ``list``, ``doctor`` and ``resolve`` share."""
    parser.add_argument(
        "patterns",
        nargs="*",
        metavar="NAMESPACE",
        help="entry point groups to look at (shell-style patterns); default: every group "
        "except those of packaging and developer tools",
    )
    parser.add_argument(
        "--namespace",
        action="append",
        default=[],
        metavar="NAMESPACE",
        help="a NAMESPACE pattern given as an option (repeatable)",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="include the groups of packaging and developer tools (console_scripts, ...)",
    )


def nothing_installed(everything: bool) -> str:
    """What ``list``, ``doctor`` and ``resolve`` say where there is nothing to show."""
    if everything:
        return "no entry points installed"
    return (
        "no plugins installed (the entry points of packaging and developer tools are left out: "
        "--all shows them)"
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
    return sorted(g for g in groups if not is_tool_group(g))


def is_tool_group(group: str) -> bool:
    """Whether ``group`` is one of packaging and developer tools (:data:`TOOL_GROUPS`), whose
    entry points are not plugins.

    >>> is_tool_group("console_scripts"), is_tool_group("demo.cli")
    (True, False)
    """
    return any(fnmatchcase(group, pattern) for pattern in TOOL_GROUPS)


def close_namespace_pairs(groups: Sequence[str]) -> list[tuple[str, str]]:
    """The pairs of ``groups`` close enough for the run time to suggest one for the other
    (:data:`~plux.runtime._suggest.NAMESPACE_CUTOFF`, ignoring case), each pair once, sorted.

    >>> close_namespace_pairs(["app.command", "app.commands", "hooks.on_start", "hooks.on_stop"])
    [('app.command', 'app.commands')]
    """
    from plux.runtime._suggest import NAMESPACE_CUTOFF

    ordered = sorted(set(groups))
    pairs = []
    for i, group in enumerate(ordered):
        for other in ordered[i + 1 :]:
            close = difflib.SequenceMatcher(None, group.casefold(), other.casefold())
            # the cheap upper bounds first: most pairs of namespaces are far apart
            if (
                close.real_quick_ratio() >= NAMESPACE_CUTOFF
                and close.quick_ratio() >= NAMESPACE_CUTOFF
                and close.ratio() >= NAMESPACE_CUTOFF
            ):
                pairs.append((group, other))
    return pairs


def namespace_patterns(args: argparse.Namespace) -> list[str]:
    """The NAMESPACE patterns of the command line, positional and ``--namespace`` ones."""
    return [*args.patterns, *args.namespace]


def selected_groups(groups: Sequence[str], patterns: Sequence[str], everything: bool) -> list[str]:
    """:func:`select_groups`, where every pattern must match an installed namespace.

    :raises CommandError: (exit status 2) naming a pattern that matches none, with the close
        matches among ``groups``.
    """
    for pattern in patterns:
        if not any(fnmatchcase(group, pattern) for group in groups):
            matches = difflib.get_close_matches(pattern, groups, n=3)
            hint = f"; did you mean {' or '.join(matches)}?" if matches else ""
            message = f"no installed plugin namespace matches {pattern!r}{hint}"
            raise CommandError(message, kind="no-namespace", details={"matches": matches})
    return select_groups(groups, patterns, everything)


def plugin_name(entry_point: IndexedEntryPoint) -> str:
    """The name the manager knows a plugin by: the declared one for lower-cased entry points."""
    return entry_point.declared_name or entry_point.name


def by_plugin_name(
    entry_points: Iterable[IndexedEntryPoint],
) -> dict[str, list[IndexedEntryPoint]]:
    """The entry points of one namespace grouped by plugin name: the first of each name is the
    one the plugin manager serves (unless switched off), the others are shadowed
    (:func:`plux.runtime._conflicts.serving_order`).

    This is the rule ``PluginManager`` applies to the plugins of its namespace, not
    :func:`plux.runtime._distributions.first_copies` (which of several copies of one
    *distribution* on the path counts, the others being invisible): here different distributions
    register one plugin name, all stay installed and are listed, and only the manager ignores the
    later ones.
    """
    rows = list(entry_points)
    grouped: dict[str, list[IndexedEntryPoint]] = {}
    for entry_point in rows:
        grouped.setdefault(plugin_name(entry_point), []).append(entry_point)
    for name, same in grouped.items():
        if len(same) > 1:
            grouped[name] = serving_order(same, rows)
    return grouped


def conflict_message(same: Sequence[IndexedEntryPoint]) -> str | None:
    """How the manager's warning words the conflict between the entry points of one name that
    are on (None when fewer than two are); the first one serves the name."""
    if len(same) < 2:
        return None
    first, *others = same
    sides = [provider(row) for row in others]
    return describe_conflict(first.group, plugin_name(first), provider(first), sides)


def switched_off() -> Callable[[IndexedEntryPoint], str | None]:
    """Why ``PLUX_ENABLE``/``PLUX_DISABLE`` switch an entry point's plugin off (None: they do
    not), as a manager's ``PluginDisabled`` says it."""
    from plux.runtime._switches import switches

    found = switches(None, None, installed=False)
    if found is None:
        return lambda row: None
    return lambda row: found.reason(row.group, plugin_name(row))


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
