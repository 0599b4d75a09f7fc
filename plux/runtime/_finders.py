"""Distributions that finders on ``sys.meta_path`` other than the path finder provide, and
``importlib.metadata`` objects for indexed entry points.

Such distributions cannot be stamped, so they are not indexed: the cache asks their finders once
per check (which finders provide distributions is :func:`~._stamps.distribution_finders`).
Everything here imports ``importlib.metadata``.
"""

from __future__ import annotations

import os

from plux.runtime._distributions import first_copies, normalize_name
from plux.runtime._index import IndexedEntryPoint
from plux.runtime._stamps import PATH_FINDER

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from importlib.metadata import Distribution, EntryPoint

    from plux.core._entry_points_text import NamedEntryPoint
    from plux.runtime._index import EntryPointIndex

__all__ = [
    "FoundDistribution",
    "bind_entry_point",
    "distribution_at",
    "find_distributions",
    "with_found",
]


class FoundDistribution:
    """A distribution that a finder other than the path finder provides (not indexed)."""

    __slots__ = ("finder", "distribution", "key", "path", "_rows")

    def __init__(self, finder: object, distribution: Distribution) -> None:
        self.finder = finder
        self.distribution = distribution
        name = distribution.metadata["Name"] or ""
        # importlib.metadata tells copies apart by this key (the normalised name, or for a path
        # distribution the one in its folder name).
        self.key = normalize_name(getattr(distribution, "_normalized_name", None) or name)
        self.path = str(getattr(distribution, "_path", ""))
        version = distribution.metadata["Version"] or ""
        self._rows: dict[str, list[IndexedEntryPoint]] = {}
        entry_points: Iterable[EntryPoint] = distribution.entry_points
        for ep in entry_points:
            row = IndexedEntryPoint(ep.name, ep.value, ep.group, name, version, self.path)
            self._rows.setdefault(ep.group, []).append(row)

    def rows(self, group: str) -> list[IndexedEntryPoint]:
        """This distribution's entry points in ``group``."""
        return self._rows.get(group, [])

    def groups(self) -> list[str]:
        return list(self._rows)


def find_distributions(finders: Sequence[object], path: Sequence[str]) -> list[FoundDistribution]:
    """The distributions that ``finders`` other than the path finder provide for ``path``, in
    order. A finder that fails is logged and skipped (``importlib.metadata`` would raise)."""
    import logging
    from importlib.metadata import DistributionFinder

    found: list[FoundDistribution] = []
    for finder in finders:
        if finder is PATH_FINDER:
            continue
        try:
            context = DistributionFinder.Context(path=list(path))
            # all or nothing: a finder that fails half way gives none of its distributions
            dists = list(finder.find_distributions(context))  # type: ignore[attr-defined]
            found.extend(FoundDistribution(finder, d) for d in dists)
        except Exception:
            # the logger of plux 1.16's metadata module, where users already look
            logging.getLogger("plux.runtime.metadata").warning(
                "distribution finder %r failed; its distributions are left out",
                finder,
                exc_info=True,
            )
    return found


def with_found(
    index: EntryPointIndex,
    group: str,
    finders: Sequence[object],
    found: Sequence[FoundDistribution],
) -> list[IndexedEntryPoint]:
    """``group``'s entries when ``finders`` other than the path finder provide distributions too
    (``found``): each finder's in ``sys.meta_path`` order, the first copy of a distribution
    counting."""
    table = index.table()
    keys, visible = dict(zip(table.paths, table.keys, strict=True)), table.visible()
    by_path: dict[str, list[IndexedEntryPoint]] = {}
    for row in index.rows(group):
        by_path.setdefault(row.path, []).append(row)
    keyed: list[tuple[str, list[IndexedEntryPoint]]] = []
    for finder in finders:
        if finder is PATH_FINDER:
            keyed.extend((keys[p], by_path.get(p, [])) for p in visible)
        else:
            keyed.extend((f.key, f.rows(group)) for f in found if f.finder is finder)
    return [row for rows in first_copies(keyed) for row in rows]


def distribution_at(path: str) -> Distribution:
    """``importlib.metadata``'s distribution for the metadata folder ``path`` (which may be in a
    zip file on the path)."""
    from importlib.metadata import Distribution, PathDistribution

    archive, child = os.path.split(path)
    if os.path.isfile(archive):
        import zipfile

        return PathDistribution(zipfile.Path(archive).joinpath(child))
    return Distribution.at(path)


def bind_entry_point(ep: NamedEntryPoint, dist: Distribution | None) -> EntryPoint:
    """An ``importlib.metadata.EntryPoint`` for ``ep`` whose ``dist`` is ``dist``."""
    from importlib.metadata import EntryPoint

    result = EntryPoint(ep.name, ep.value, ep.group)
    # _for is how importlib.metadata itself binds the distribution (3.10 to 3.13).
    bind = getattr(result, "_for", None)
    if dist is not None and bind is not None:
        result = bind(dist)
    return result
