"""The project a build-time command works on (``-i``/``-e``) and the entry points found in it."""

from __future__ import annotations

import argparse

from plux.build.index import PluginIndexBuilder
from plux.build.project import Project
from plux.core._entry_points_text import EntryPointTable


def add_pattern_options(parser: argparse.ArgumentParser) -> None:
    """``-e/--exclude`` and ``-i/--include``, as ``entrypoints`` and ``discover`` take them."""
    parser.add_argument(
        "-e",
        "--exclude",
        action="append",
        default=[],
        metavar="PATTERNS",
        help="packages or modules not to scan (comma-separated shell-style patterns, repeatable)",
    )
    parser.add_argument(
        "-i",
        "--include",
        action="append",
        default=[],
        metavar="PATTERNS",
        help="packages to scan (comma-separated shell-style patterns, repeatable; default: all)",
    )


def split_patterns(values: list[str]) -> list[str]:
    """The patterns of repeated, comma-separated option values.

    >>> split_patterns(["a.*, b", "c"])
    ['a.*', 'b', 'c']
    """
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def project_from(args: argparse.Namespace, path: str | None = None) -> Project:
    """The project in the working directory, its configuration narrowed by the options."""
    project = Project(".")
    project.config = project.config.merge(
        path=path, include=split_patterns(args.include), exclude=split_patterns(args.exclude)
    )
    return project


def discover_index(project: Project) -> EntryPointTable:
    """The entry points of the plugins discovery finds in ``project`` now, sorted.

    :raises plux.build.config.ConfigError: for a configuration the project cannot be scanned with.
    :raises plux.build.discovery.DiscoveryError: when discovery fails (a duplicate plugin name
        included).
    """
    return PluginIndexBuilder(project.plugin_finder()).find_index()
