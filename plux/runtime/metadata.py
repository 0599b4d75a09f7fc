"""plux 1.16's ``plux.runtime.metadata``: installed distributions through ``importlib.metadata``.

The public API of 1.16 at its old path (and the private calls LocalStack makes); the work is done
by :mod:`plux.runtime._distributions` (reading metadata), :mod:`plux.runtime._index` and
:mod:`plux.runtime.cache`. ``importlib.metadata`` is imported only by the functions that hand out
its objects.
"""

from __future__ import annotations

from plux.core._entry_points_text import (
    parse_entry_points_text,
    serialize_entry_points_text,
)
from plux.runtime._distributions import (
    DistributionInfo,
)
from plux.runtime._index_build import index_environment
from plux.runtime._origin import (
    metadata_packages_distributions,
    packages_distributions,
    resolve_distribution_information,
)
from plux.runtime._scan import scan_stamps
from plux.runtime.cache import EntryPointsCache, EntryPointsResolver

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from importlib.metadata import Distribution, EntryPoint

    from plux.core._entry_points_text import NamedEntryPoint


__all__ = [
    "Distribution",
    "resolve_distribution_information",
    "EntryPointsResolver",
    "MetadataEntryPointsResolver",
    "build_entry_point_index",
    "packages_distributions",
    "metadata_packages_distributions",
    "parse_entry_points_text",
    "serialize_entry_points_text",
]


def __getattr__(name: str) -> object:
    # Distribution is importlib.metadata's; importing it only on use keeps this module light.
    if name == "Distribution":
        from importlib.metadata import Distribution

        return Distribution
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def iter_distributions(path: Iterable[str]) -> Iterator[DistributionInfo]:
    """The distributions visible on ``path`` (e.g. ``sys.path``), in the order
    ``importlib.metadata`` finds them; a shadowed copy (a later one of the same name) is left
    out."""
    path = list(path)
    table = index_environment(path, scan_stamps(path)).table()
    records = table.records()
    for dist_path in table.visible():
        yield DistributionInfo(records[dist_path].name, records[dist_path].version, dist_path)


def build_entry_point_index(
    entry_points: Iterable[NamedEntryPoint] | None = None,
) -> dict[str, list[EntryPoint]]:
    """Group entry points by group: ``{group: [importlib.metadata.EntryPoint, ...]}``.

    With no argument, the entry points of every distribution visible on ``sys.path`` (shadowed
    copies excluded), each bound to its distribution (``ep.dist``). Order is kept; a name may occur
    more than once in a group when several distributions register it: the first one wins.
    """
    from importlib.metadata import EntryPoint

    if entry_points is None:
        return EntryPointsCache(use_disk=False).get_entry_points()
    index: dict[str, list[EntryPoint]] = {}
    for ep in entry_points:
        index.setdefault(ep.group, []).append(EntryPoint(ep.name, ep.value, ep.group))
    return index


class MetadataEntryPointsResolver(EntryPointsResolver):
    """Reads the entry points from the installed distributions each time it is asked (no index
    file): plux 1.16's resolver, kept at its path."""

    def get_entry_points(self) -> dict[str, list[EntryPoint]]:
        return build_entry_point_index()
