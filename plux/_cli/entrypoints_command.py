"""``plux entrypoints``: write (or ``--check``) the project's entry point index, update its
editable installs."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .index_diff import IndexDiff, compare_index, diff_document, report_check
from .output import PROBLEM, CommandError, add_json_flag, print_json
from .project_discovery import add_pattern_options, discover_project

TYPE_CHECKING = False
if TYPE_CHECKING:
    from plux.build.project import Project
    from plux.core._entry_points_text import EntryPointTable

BUILD_HOOK_CHECK = (
    "build-hook mode: the build discovers the plugins itself, so there is no index file to "
    "check ({index} is written by builds and 'plux entrypoints', not committed); run "
    "'plux discover' to see what the build will register"
)


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
    add_json_flag(entrypoints)
    entrypoints.set_defaults(handler=run_entrypoints)


def run_entrypoints(args: argparse.Namespace) -> int:
    """Write (or check) the project's index file and update its editable installs."""
    # the build side is imported by the commands that use it: `plux list` never pays for it
    from plux.build.index import read_index_file, render_index
    from plux.build.project import manual_mode_unwired

    project, index = discover_project(args, args.path)
    manual = project.manual
    try:
        target = project.index_file()
    except ValueError as e:
        raise CommandError(str(e), PROBLEM, "project") from e
    if target is None:
        return _hatchling_build_hook(args, project, index)
    shown = os.path.relpath(target)
    exists = target.is_file()
    if args.check:
        if not manual and not exists:
            return _nothing_to_check(BUILD_HOOK_CHECK.format(index=shown), args.json)
        recorded = _read(target, shown) if exists else None
        unwired = manual_mode_unwired(project)
        if unwired:  # up to date or not, builds would install none of it
            return _unwired(unwired, shown, recorded, index, args.json)
        advice = "and commit it" if manual else "to update it"
        return report_check(shown, recorded, index, args.json, advice)
    fmt = "ini" if manual else "json"
    text = render_index(index, fmt)
    old_text = target.read_text() if exists else None
    previous = read_index_file(target) if old_text else None
    if old_text != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    notes = [w for w in [manual_mode_unwired(project)] if w]
    if not manual and project.backend == "setuptools":
        notes.extend(_write_egg_info(project, index))
    updated = _update_editable_installs(project, index, previous)
    if args.json:
        print_json(_document(shown, old_text != text, index, updated, notes))
        return 0
    count = sum(len(entries) for entries in index.values())
    print(f"{shown}: {count} entry point(s) in {len(index)} namespace(s)")
    for line in [*notes, *(f"updated editable install {folder}" for folder in updated)]:
        print(line)
    return 0


def _document(
    index_file: str | None,
    written: bool,
    index: EntryPointTable,
    updated: list[str],
    notes: list[str],
) -> dict[str, object]:
    """The ``--json`` document of ``entrypoints`` (shape in :mod:`plux._cli.output`)."""
    return {
        "index": index_file,
        "written": written,
        "entry_points": index,
        "editable_installs": updated,
        "notes": notes,
    }


def _read(target: Path, shown: str) -> EntryPointTable:
    from plux.build.index import read_index_file

    try:
        return read_index_file(target)
    except ValueError as e:
        raise CommandError(f"{shown} cannot be read: {e}", PROBLEM, "index-file") from e


def _unwired(
    message: str,
    shown: str,
    recorded: EntryPointTable | None,
    index: EntryPointTable,
    as_json: bool,
) -> int:
    if as_json:
        document = diff_document(shown, compare_index(recorded or {}, index))
        print_json({**document, "ok": False, "error": message})
    print(message, file=sys.stderr)
    return 1


def _nothing_to_check(message: str, as_json: bool) -> int:
    if as_json:
        print_json(diff_document(None, IndexDiff()))
        print(message, file=sys.stderr)
    else:
        print(message)
    return 0


def _write_egg_info(project: Project, index: EntryPointTable) -> list[str]:
    # As a build would (and plux 1.16 did): the egg-info's entry_points.txt holds the plugins.
    try:
        from plux.build.setuptools import write_egg_info
    except ImportError:
        return ["setuptools is not installed here: entry_points.txt is written by the next build"]
    write_egg_info(project, index)
    return []


def _hatchling_build_hook(
    args: argparse.Namespace, project: Project, index: EntryPointTable
) -> int:
    # hatchling's hook discovers during every build and keeps no index file: there is nothing to
    # write or to check, only editable installs to bring up to date.
    note = "hatchling discovers the plugins during every build: no index file to write or check"
    if args.check:
        return _nothing_to_check(note, args.json)
    updated = _update_editable_installs(project, index, None)
    if args.json:
        print_json(_document(None, False, index, updated, [note]))
        return 0
    print(note)
    for folder in updated:
        print(f"updated editable install {folder}")
    return 0


def _update_editable_installs(
    project: Project, index: EntryPointTable, previous: EntryPointTable | None
) -> list[str]:
    from plux.build._editable import editable_installs, update_editable_install

    return [
        str(dist_info)
        for dist_info in editable_installs(project.root, sys.path)
        if update_editable_install(dist_info, index, previous)
    ]
