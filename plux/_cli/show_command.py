"""``plux show``: the project's plux configuration and the entry points its index holds.

The index is the file the build uses: ``plux.ini`` (``entrypoint_static_file``) in manual mode,
the egg-info's ``plux.json`` in build-hook mode with setuptools. Where there is no such file yet
(or a hatchling project in build-hook mode, which keeps none), the entry points are discovered
from the source instead and ``index`` is ``null``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from .output import PROBLEM, CommandError, add_json_flag, plural, print_json
from .project_discovery import discover_index, find_project

TYPE_CHECKING = False
if TYPE_CHECKING:
    from plux.build.project import Project
    from plux.core._entry_points_text import EntryPointTable


def add_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``show`` (see :mod:`plux._cli`)."""
    show = subparsers.add_parser(
        "show",
        parents=[common],
        help="show the project's plux configuration and its entry points",
        description="Show the project's [tool.plux] configuration, its build backend, and the "
        "entry points of its index file (discovered from source when there is none).",
    )
    add_json_flag(show)
    show.set_defaults(handler=run_show)


def index_file(project: Project) -> Path | None:
    """The index file the build reads, if the project has one."""
    try:
        path = project.index_file()
    except ValueError:  # no name: setuptools' egg-info folder cannot be told, nor found
        return None
    return path if path is not None and path.is_file() else None


def read_index(path: Path) -> EntryPointTable:
    """The entry points of an index file (``ini`` or ``json`` by its suffix), sorted as
    discovery gives them.

    :raises CommandError: if it cannot be read or is not an index.
    """
    from plux.build.index import read_index_file

    try:
        table = read_index_file(path)
    except (OSError, ValueError) as e:
        raise CommandError(f"cannot read {path}: {e}", PROBLEM, "index-file") from e
    return {group: dict(sorted(table[group].items())) for group in sorted(table)}


def run_show(args: argparse.Namespace) -> int:
    """``plux show``."""
    # the build side is imported by the commands that use it: `plux list` never pays for it
    from plux.build.config import ConfigError
    from plux.build.discovery import DiscoveryError
    from plux.build.project import manual_mode_unwired

    project = find_project()
    try:
        backend = project.backend
        found = index_file(project)
        # relative to the working directory, as the user names files (errors name it too)
        index_path = Path(os.path.relpath(found)) if found is not None else None
        if index_path is not None:
            index = read_index(index_path)
        else:
            index = discover_index(project)
    except (ConfigError, DiscoveryError) as e:
        raise CommandError(str(e), PROBLEM, "project") from e
    config = project.config
    shown_index = str(index_path) if index_path is not None else None
    # an index the build never reads is no truth about what gets installed
    warnings = [w for w in [manual_mode_unwired(project)] if w]
    document: dict[str, Any] = {
        "project": str(project.root),
        "backend": backend,
        "config": {
            "path": config.path,
            "include": list(config.include),
            "exclude": list(config.exclude),
            "entrypoint_build_mode": config.entrypoint_build_mode.value,
            "entrypoint_static_file": config.entrypoint_static_file,
        },
        "index": shown_index,
        "entry_points": index,
        "warnings": warnings,
    }
    if args.json:
        print_json(document)
        return 0
    print(f"project: {document['project']} (backend: {backend or 'unknown'})")
    print(f"mode: {config.entrypoint_build_mode.value}")
    print(f"path: {config.path}")
    print(f"include: {', '.join(config.include) or '(all)'}")
    print(f"exclude: {', '.join(config.exclude) or '(none)'}")
    source = shown_index or "(no index file: discovered from source)"
    count = sum(len(entries) for entries in index.values())
    print(f"index: {source}, {plural(count, 'entry point')}")
    for group, entries in index.items():
        print(f"[{group}]")
        for name, value in entries.items():
            print(f"{name} = {value}")
    for warning in warnings:
        print(f"warning: {warning.removeprefix('plux: ')}", file=sys.stderr)
    return 0
