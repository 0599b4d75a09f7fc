"""The project a build-time command works on (found as git finds its repository, narrowed by
``-i``/``-e``) and the entry points found in it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .output import PROBLEM, CommandError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from plux.build.project import Project
    from plux.core._entry_points_text import EntryPointTable

PROJECT_FILES = ("pyproject.toml", "setup.cfg", "setup.py")


def add_pattern_options(parser: argparse.ArgumentParser) -> None:
    """``-p/--path``, ``-e/--exclude`` and ``-i/--include``, as ``entrypoints`` and ``discover``
    take them."""
    parser.add_argument(
        "-p",
        "--path",
        metavar="PATH",
        help="directory holding the packages to scan (default: [tool.plux] path)",
    )
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


def find_project_root(start: str | Path = ".") -> Path | None:
    """The nearest folder from ``start`` upwards that holds a project file (``pyproject.toml``,
    ``setup.cfg`` or ``setup.py``), or None."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if any((folder / name).is_file() for name in PROJECT_FILES):
            return folder
    return None


def find_project(bare: bool = False) -> Project:
    """The project the working directory belongs to; with ``bare``, where there is none, the
    working directory as a folder of packages (``discover`` scans any folder, as plux 1.x did).

    :raises CommandError: (exit status 2) where there is none and not ``bare``.
    """
    # the build side is imported once a command asks for the project: `plux list` never does
    from plux.build.config import ConfigError
    from plux.build.project import Project

    root = find_project_root() or (Path.cwd() if bare else None)
    if root is None:
        message = f"no project here: no {', '.join(PROJECT_FILES[:-1])} or {PROJECT_FILES[-1]}"
        raise CommandError(f"{message} in {Path.cwd()} or above", kind="no-project")
    try:
        return Project(root)
    except ConfigError as e:
        raise CommandError(str(e), PROBLEM, "project") from e


def project_from(args: argparse.Namespace, path: str | None = None, bare: bool = False) -> Project:
    """The project the working directory belongs to (see :func:`find_project`), its
    configuration narrowed by the options (``path`` is relative to the working directory, as the
    user typed it)."""
    project = find_project(bare)
    if path is not None:
        path = os.path.relpath(Path(path).resolve(), project.root)
    project.config = project.config.merge(
        path=path, include=split_patterns(args.include), exclude=split_patterns(args.exclude)
    )
    return project


def discover_project(
    args: argparse.Namespace, path: str | None = None, bare: bool = False
) -> tuple[Project, EntryPointTable]:
    """:func:`project_from` and :func:`discover_index`, a failure of either a
    :class:`CommandError` (exit status 1)."""
    from plux.build.config import ConfigError
    from plux.build.discovery import DiscoveryError

    try:
        project = project_from(args, path, bare)
        mistake = project.missing_build_requirement()
        if mistake is not None:
            print(f"plux: warning: {mistake}", file=sys.stderr)
        return project, discover_index(project)
    except (ConfigError, DiscoveryError) as e:
        raise CommandError(str(e), PROBLEM, "project") from e


def discover_index(project: Project) -> EntryPointTable:
    """The entry points of the plugins discovery finds in ``project`` now, sorted.

    :raises plux.build.config.ConfigError: for a configuration the project cannot be scanned with.
    :raises plux.build.discovery.DiscoveryError: when discovery fails (a duplicate plugin name
        included).
    """
    from plux.build.index import PluginIndexBuilder

    return PluginIndexBuilder(project.plugin_finder()).find_index()
