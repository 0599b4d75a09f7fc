"""The plugin index: discovered specs as entry points, and its files ``plux.json``/``plux.ini``."""

from __future__ import annotations

import json
from typing import IO

from plux.core.entrypoint import EntryPoint, EntryPointDict, spec_to_entry_point
from plux.core.plugin import PluginFinder, PluginSpec

from .discovery import DiscoveryError


class DuplicatePluginError(DiscoveryError, ValueError):
    """Two plugins of one project share a name in one namespace."""


class PluginIndexBuilder:
    """Turns the specs a finder discovers into a deterministic entry point index."""

    def __init__(self, plugin_finder: PluginFinder) -> None:
        self.plugin_finder = plugin_finder

    def find_entry_points(self) -> EntryPointDict:
        """Discover the plugins and return ``{namespace: ["name = module:attr", ...]}``, sorted.

        :raises DuplicatePluginError: if a name is defined twice in one namespace (naming both).
        :raises DiscoveryError: if discovery itself fails.
        """
        return build_index(self.plugin_finder.find_plugins())

    def write(self, fp: IO[str], output_format: str = "json") -> EntryPointDict:
        """Discover the plugins and write the index to ``fp`` as ``json`` or ``ini``."""
        index = self.find_entry_points()
        fp.write(render_index(index, output_format))
        return index


def build_index(specs: list[PluginSpec]) -> EntryPointDict:
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
            + " and ".join(sorted(_describe(spec) for spec in found))
            for (group, name), found in sorted(clashes.items())
        ]
        raise DuplicatePluginError("\n".join(lines) + "\nrename one of them or exclude its module")
    index: EntryPointDict = {}
    for group, name in sorted(seen):
        index.setdefault(group, []).append(f"{name} = {seen[(group, name)][0].value}")
    return index


def _describe(spec: PluginSpec) -> str:
    describe = getattr(spec, "describe", None)
    return str(describe()) if callable(describe) else str(spec_to_entry_point(spec).value)


def render_index(index: EntryPointDict, output_format: str = "json") -> str:
    """The text of an index file: ``json`` (``plux.json``) or ``ini`` (``plux.ini``).

    Both are sorted and end with a newline, so the same plugins always give the same bytes; names
    are written exactly as declared.
    """
    normalized = normalize_index(index)
    if output_format == "json":
        return json.dumps(normalized, indent=2, sort_keys=True) + "\n"
    if output_format == "ini":
        sections = ["\n".join([f"[{group}]", *entries]) for group, entries in normalized.items()]
        return "\n\n".join(sections) + "\n" if sections else ""
    raise ValueError(f"unknown index format {output_format!r}; use 'json' or 'ini'")


def normalize_index(index: EntryPointDict) -> EntryPointDict:
    """``index`` with entries as ``name = value``, sorted by group and name, without repeats."""
    result: EntryPointDict = {}
    for group in sorted(index):
        entries: dict[str, str] = {}
        for entry in index[group]:
            name, _, value = entry.partition("=")
            entries[name.strip()] = value.strip()
        if entries:
            result[group] = [f"{name} = {entries[name]}" for name in sorted(entries)]
    return result


def parse_index(text: str, output_format: str = "json") -> EntryPointDict:
    """Read the text of an index file written by :func:`render_index`.

    :raises ValueError: if the text is not an index.
    """
    if output_format == "json":
        data = json.loads(text or "{}")
        if not isinstance(data, dict) or not all(
            isinstance(group, str)
            and isinstance(entries, list)
            and all(isinstance(e, str) and "=" in e for e in entries)
            for group, entries in data.items()
        ):
            raise ValueError("not a plux index: expected {group: ['name = module:attr', ...]}")
        return normalize_index(data)
    if output_format == "ini":
        index: EntryPointDict = {}
        group: str | None = None
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("[") and line.endswith("]"):
                group = line[1:-1].strip()
                index.setdefault(group, [])
            elif group is not None and "=" in line:
                index[group].append(line)
            else:
                raise ValueError(f"line {number} is not an entry point or a [group]: {raw!r}")
        return normalize_index(index)
    raise ValueError(f"unknown index format {output_format!r}; use 'json' or 'ini'")
