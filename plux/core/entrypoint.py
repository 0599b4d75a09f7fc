"""Entry points as plain values, and how plugin specs become entry points.

This is where the build side (which finds specs) and the run-time side (which reads entry points)
meet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from .plugin import PluginFinder, PluginSpec

__all__ = [
    "EntryPoint",
    "EntryPointDict",
    "spec_to_entry_point",
    "to_entry_point_dict",
    "discover_entry_points",
]


class EntryPoint(NamedTuple):
    """One entry point: ``name = value`` in ``group``.

    >>> EntryPoint("s3", "pkg.services:s3", "localstack.plugins.services")
    EntryPoint(name='s3', value='pkg.services:s3', group='localstack.plugins.services')
    """

    name: str
    value: str
    group: str


EntryPointDict = dict[str, list[str]]
"""Entry points as ``setup(entry_points=...)`` takes them: group -> ``["name=value"]``."""


def spec_to_entry_point(spec: PluginSpec) -> EntryPoint:
    """Return the entry point that lets the run time find ``spec`` again.

    The value names the module-level attribute that holds the plugin
    (:meth:`PluginSpec.find_location`).

    >>> from plux.core.plugin import Plugin
    >>> class Hello(Plugin):
    ...     namespace, name = "demo", "hello"
    >>> Hello.__module__ = "pkg.mod"
    >>> spec_to_entry_point(PluginSpec("demo", "hello", Hello))
    EntryPoint(name='hello', value='pkg.mod:Hello', group='demo')

    :raises ValueError: if the factory is not reachable by a module-level name (a closure) and no
        finder recorded where the spec lives.
    """
    location = spec.find_location()
    if location is None:
        raise ValueError(
            f"plugin {spec.namespace}:{spec.name}: factory {spec.factory!r} has no module-level "
            "name; assign the PluginSpec to a module-level variable so build-time discovery can "
            "point the entry point at it"
        )
    return EntryPoint(spec.name, location, spec.namespace)


def to_entry_point_dict(eps: Iterable[EntryPoint]) -> EntryPointDict:
    """Group entry points into an :data:`EntryPointDict` (``name=value`` strings per group).

    >>> to_entry_point_dict([EntryPoint("s3", "pkg.services:s3", "services")])["services"]
    ['s3=pkg.services:s3']

    A group without entry points reads as an empty list, as in plux 1.16.

    :raises ValueError: if a name occurs twice in one group
        (``Duplicate entry point GROUP NAME: VALUE and VALUE``).
    """
    result: EntryPointDict = defaultdict(list)
    seen: dict[tuple[str, str], str] = {}
    for ep in eps:
        key = (ep.group, ep.name)
        if key in seen:
            # plux 1.16's wording, which callers match on, then both values
            raise ValueError(
                f"Duplicate entry point {ep.group} {ep.name}: {seen[key]} and {ep.value}"
            )
        seen[key] = ep.value
        result[ep.group].append(f"{ep.name}={ep.value}")
    return result


def discover_entry_points(finder: PluginFinder) -> EntryPointDict:
    """Find the plugins with ``finder`` and return their entry points.

    :raises ValueError: on a duplicate name in a namespace, or a spec without a module-level name.
    """
    return to_entry_point_dict(spec_to_entry_point(spec) for spec in finder.find_plugins())
