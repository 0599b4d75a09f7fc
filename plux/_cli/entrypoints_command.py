"""``plux entrypoints``: write (or ``--check``) the project's entry point index, update its
editable installs."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from plux.build._editable import editable_installs, update_editable_install
from plux.build.config import ConfigError, EntrypointBuildMode
from plux.build.discovery import DiscoveryError
from plux.build.index import read_index_file, render_index
from plux.build.project import INDEX_FILE, Project
from plux.core._entry_points_text import EntryPointTable

from .index_diff import report_check
from .output import print_error
from .project_discovery import add_pattern_options, discover_index, project_from


def add_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``entrypoints`` (see :mod:`plux._cli`)."""
    entrypoints = subparsers.add_parser(
        "entrypoints",
        parents=[common],
        help="discover the project's plugins and write its entry point index",
        description="Discover the project's plugins and write them where the build uses them: "
        "plux.ini (manual mode) or <name>.egg-info/plux.json (build-hook mode). Editable "
        "installs of the project in this interpreter's environment are updated too.",
    )
    add_pattern_options(entrypoints)
    entrypoints.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1, naming the differences, if the index file is out of date",
    )
    entrypoints.add_argument(
        "--json", action="store_true", help="with --check: print the differences as JSON"
    )
    entrypoints.set_defaults(handler=run_entrypoints)


def run_entrypoints(args: argparse.Namespace) -> int:
    """Write (or check) the project's index file and update its editable installs."""
    try:
        project = project_from(args)
        index = discover_index(project)
        if project.config.entrypoint_build_mode is EntrypointBuildMode.MANUAL:
            target, fmt = project.root / project.config.entrypoint_static_file, "ini"
        elif project.backend == "hatchling":
            return _hatchling_build_hook(args, project, index)
        else:
            target, fmt = project.egg_info_dir() / INDEX_FILE, "json"
    except (ConfigError, DiscoveryError, ValueError) as e:
        return print_error(str(e))
    text = render_index(index, fmt)
    old_text = target.read_text() if target.is_file() else None
    shown = os.path.relpath(target)
    if args.check:
        return _check(shown, target if old_text is not None else None, index, args.json)
    previous = read_index_file(target) if old_text else None
    if old_text != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    count = sum(len(entries) for entries in index.values())
    print(f"{shown}: {count} entry point(s) in {len(index)} namespace(s)")
    if fmt == "json" and project.backend == "setuptools":
        _write_egg_info(project, index)
    _update_editable_installs(project, index, previous)
    return 0


def _write_egg_info(project: Project, index: EntryPointTable) -> None:
    # As a build would (and plux 1.16 did): the egg-info's entry_points.txt holds the plugins.
    try:
        from plux.build.setuptools import write_egg_info
    except ImportError:
        print("setuptools is not installed here: entry_points.txt is written by the next build")
        return
    write_egg_info(project, index)


def _hatchling_build_hook(
    args: argparse.Namespace, project: Project, index: EntryPointTable
) -> int:
    # hatchling's hook discovers during every build and keeps no index file: there is nothing to
    # write or to check, only editable installs to bring up to date.
    print("hatchling discovers the plugins during every build: no index file to write or check")
    if not args.check:
        _update_editable_installs(project, index, None)
    return 0


def _update_editable_installs(
    project: Project, index: EntryPointTable, previous: EntryPointTable | None
) -> None:
    for dist_info in editable_installs(project.root, sys.path):
        if update_editable_install(dist_info, index, previous):
            print(f"updated editable install {dist_info}")


def _check(shown: str, target: Path | None, index: EntryPointTable, as_json: bool) -> int:
    try:
        old = read_index_file(target) if target is not None else None
    except ValueError as e:
        return print_error(f"{shown} cannot be read: {e}")
    return report_check(shown, old, index, as_json)
