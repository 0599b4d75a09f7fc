"""Completing a group of the index: what its entries show beyond their ``entry_points.txt``.

Each distribution's name as its metadata spells it (folder names escape it), and the names that
plugins declare in their source where an entry point's name is a lower-cased copy of one (plux
1.16 wrote such names). Done once per group, when the group is first asked for; the sources read
are stamped (:meth:`~plux.runtime._index.EntryPointIndex.completion_holds`).
"""

from __future__ import annotations

from plux.runtime import _distributions as distributions

TYPE_CHECKING = False
if TYPE_CHECKING:
    from plux.runtime._index import EntryPointIndex, IndexedEntryPoint
    from plux.runtime._stamps import Stamp

__all__ = ["complete_group"]


def complete_group(index: EntryPointIndex, group: str) -> None:
    """Read what ``group``'s entries show beyond their ``entry_points.txt``: each distribution's
    name as its metadata spells it, and the declared names of lower-cased entry points."""
    from plux.runtime._names import DeclaredNameReader

    sources, names = index.details()
    reader = DeclaredNameReader(index.identity.path, sources)
    rows: list[IndexedEntryPoint] = []
    # Every source read is stamped, not only those that declared a differing name: an edit can
    # make a source declare one.
    stamps: dict[str, Stamp] = {}
    for row in index.rows(group):
        declared, file, stamp = reader.read(row.name, row.value)
        if file is not None:
            stamps[file] = stamp
        name = names.get(row.path)
        if name is None:
            name = names[row.path] = distributions.metadata_name(row.path) or row.distribution
        rows.append(row._replace(declared_name=declared, distribution=name))
    if group in index.groups:
        index.set_rows(group, rows)
    sources.update(reader.results)
    index.set_details(sources, names)
    index.completed[group] = tuple(stamps.items())
    index.dirty = True
