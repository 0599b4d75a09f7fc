"""The plugin index: discovered specs as entry points, and its files ``plux.json``/``plux.ini``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from plux.core._entry_points_text import (
    EntryPointTable,
    entry_point_strings,
    read_entry_point_table,
    serialize_entry_point_table,
)
from plux.core.entrypoint import EntryPoint, EntryPointDict, spec_to_entry_point
from plux.core.plugin import PluginFinder, PluginSpec

from .discovery import DiscoveryError

__all__ = [
    "PluginIndexBuilder",
    "DuplicatePluginError",
]


class DuplicatePluginError(DiscoveryError, ValueError):
    """Two plugins of one project share a name in one namespace."""


class PluginIndexBuilder:
    """Turns the specs a finder discovers into a deterministic entry point index."""

    def __init__(self, plugin_finder: PluginFinder) -> None:
        self.plugin_finder = plugin_finder

    def find_index(self) -> EntryPointTable:
        """Discover the plugins and return ``{namespace: {name: "module:attr"}}``, sorted.

        :raises DuplicatePluginError: if a name is defined twice in one namespace (naming both).
        :raises DiscoveryError: if discovery itself fails.
        """
        return index_of_specs(self.plugin_finder.find_plugins())

    def find_entry_points(self) -> EntryPointDict:
        """:meth:`find_index` as ``{namespace: ["name = module:attr", ...]}`` (plux 1.16's type)."""
        return entry_point_strings(self.find_index())

    def write(self, fp: IO[str], output_format: str = "json") -> EntryPointDict:
        """Discover the plugins and write the index to ``fp`` as ``json`` or ``ini``."""
        index = self.find_index()
        fp.write(render_index(index, output_format))
        return entry_point_strings(index)


def index_of_specs(specs: list[PluginSpec]) -> EntryPointTable:
    """The sorted entry point index of ``specs``.

    :raises DuplicatePluginError: if two specs at different places share namespace and name.
    """
    seen: dict[tuple[str, str], tuple[EntryPoint, PluginSpec]] = {}
    clashes: dict[tuple[str, str], list[PluginSpec]] = {}
    for spec in specs:
        ep = spec_to_entry_point(spec)
        key = (ep.group, ep.name)
        first = seen.setdefault(key, (ep, spec))
        if first[0].value != ep.value:
            clashes.setdefault(key, [first[1]]).append(spec)
    if clashes:
        lines = [
            f"plugin {name!r} is defined more than once in namespace {group!r}: "
            + " and ".join(sorted(_location_of(spec) for spec in found))
            for (group, name), found in sorted(clashes.items())
        ]
        raise DuplicatePluginError("\n".join(lines) + "\nrename one of them or exclude its module")
    index: EntryPointTable = {}
    for group, name in sorted(seen):
        index.setdefault(group, {})[name] = seen[(group, name)][0].value
    return index


def _location_of(spec: PluginSpec) -> str:
    """Where a spec was found (file and line), or the entry point value it would get."""
    describe = getattr(spec, "describe", None)
    return str(describe()) if callable(describe) else str(spec_to_entry_point(spec).value)


def merge_tables(
    table: dict[str, dict[str, str]], found: Mapping[str, Mapping[str, str]]
) -> list[tuple[str, str, str, str]]:
    """Add ``found`` to ``table`` in place; a name already there keeps its value. Returns each
    name found with another value than it has there, as ``(group, name, there, found)``."""
    clashes: list[tuple[str, str, str, str]] = []
    for group, entries in found.items():
        target = table.setdefault(group, {})
        for name, value in entries.items():
            there = target.setdefault(name, value)
            if there != value:
                clashes.append((group, name, there, value))
    return clashes


def render_index(index: Mapping[str, Mapping[str, str]], output_format: str = "json") -> str:
    """The text of an index file: ``json`` (``plux.json``) or ``ini`` (``plux.ini``).

    Both are sorted and end with a newline, so the same plugins always give the same bytes; names
    are written exactly as declared.

    :raises ValueError: for an unknown format, or an entry point the text cannot hold.
    """
    ordered = {g: dict(sorted(index[g].items())) for g in sorted(index) if index[g]}
    if output_format == "json":
        return json.dumps(entry_point_strings(ordered), indent=2) + "\n"
    if output_format == "ini":
        return serialize_entry_point_table(ordered)
    raise ValueError(f"unknown index format {output_format!r}; use 'json' or 'ini'")


def read_index_file(path: Path) -> EntryPointTable:
    """The entry points in an index file: JSON for ``*.json``, else ini (``plux.ini``,
    ``entry_points.txt``).

    :raises OSError: if the file cannot be read.
    :raises ValueError: if it is not an index, naming each bad line.
    """
    output_format = "json" if path.suffix == ".json" else "ini"
    table, errors = read_index(path.read_text(encoding="utf-8"), output_format, str(path))
    if errors:
        raise ValueError("\n".join(errors))
    return table


def read_index(
    text: str, output_format: str = "json", source: str | None = None
) -> tuple[EntryPointTable, list[str]]:
    """Read the text of an index file (as :func:`render_index` writes it) leniently: the entry
    points, and each line that is not one (``"SOURCE:LINE: what is wrong"``).

    :raises ValueError: if the text is not an index at all (not JSON of the right shape, or an
        unknown format).
    """
    if output_format == "json":
        data = json.loads(text or "{}")
        if not isinstance(data, dict) or not all(
            isinstance(group, str)
            and isinstance(entries, list)
            and all(isinstance(e, str) for e in entries)
            for group, entries in data.items()
        ):
            raise ValueError("not a plux index: expected {group: ['name = module:attr', ...]}")
        return read_entry_point_table(data, source or "plux.json")
    if output_format == "ini":
        return read_entry_point_table(text, source or "plux.ini")
    raise ValueError(f"unknown index format {output_format!r}; use 'json' or 'ini'")
