"""``plux list``: the installed plugins by namespace, read from metadata alone (no import)."""

from __future__ import annotations

import argparse
from typing import Any

from plux.runtime.cache import IndexedEntryPoint

from .namespaces import (
    add_namespace_selection,
    by_plugin_name,
    checked_cache,
    conflict_message,
    entry_point_document,
    namespace_patterns,
    nothing_installed,
    origin,
    selected_groups,
    switched_off,
)
from .output import add_json_flag, plural, print_json, table


def add_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``list`` (see :mod:`plux._cli`)."""
    listing = subparsers.add_parser(
        "list",
        parents=[common],
        help="list the installed plugins by namespace (imports nothing)",
        description="List the installed plugins by namespace, with the distribution and "
        "version each comes from, read from metadata alone: no plugin module is imported.",
    )
    add_namespace_selection(listing)
    add_json_flag(listing)
    listing.set_defaults(handler=run_list)


def run_list(args: argparse.Namespace) -> int:
    """``plux list``: installed plugins by namespace, read from metadata only (nothing imported)."""
    cache = checked_cache()
    patterns = namespace_patterns(args)
    groups = selected_groups(cache.groups(), patterns, args.all)
    reason = switched_off()
    listed: list[tuple[str, list[IndexedEntryPoint], list[dict[str, Any]]]] = []
    for group in groups:
        grouped = by_plugin_name(cache.entry_points_of(group))
        rows, plugins = [], []
        # by name, so that the listing does not follow the file system's order of a folder; the
        # entry point in use comes first among those of one name
        for name in sorted(grouped):
            on = [row for row in grouped[name] if not reason(row)]
            conflict = conflict_message(on)
            for row in grouped[name]:
                rows.append(row)
                document = entry_point_document(row)
                active = bool(on) and row is on[0]
                plugins.append(
                    {**document, "active": active, "disabled": reason(row), "conflict": conflict}
                )
        listed.append((group, rows, plugins))
    if args.json:
        shown = [{"namespace": group, "plugins": plugins} for group, _, plugins in listed]
        print_json({"namespaces": shown})
        return 0
    if not listed:
        print(nothing_installed(args.all))
        return 0
    for group, rows, plugins in listed:
        print(f"{group} ({plural(len(rows), 'plugin')})")
        cells = []
        for row, plugin in zip(rows, plugins, strict=True):
            notes = []
            if row.declared_name and row.declared_name != row.name:
                notes.append(f"entry point {row.name!r}")
            if plugin["disabled"]:
                notes.append(plugin["disabled"])
            elif not plugin["active"]:
                notes.append("shadowed: see the conflict below")
            note = f"  ({'; '.join(notes)})" if notes else ""
            cells.append([plugin["name"], origin(row), row.value + note])
        for line in table(cells):
            print(line)
        for conflict in dict.fromkeys(p["conflict"] for p in plugins if p["conflict"]):
            print(f"  {conflict}")
    return 0
