"""Building the index: reading the distributions of the path, again only where they changed.

Which distributions count, and in which order, follows ``importlib.metadata``
(:mod:`plux.runtime._distributions`). A process whose index no longer holds rebuilds it from the
previous one: path entries whose stamps hold are not listed again, distributions whose stamps
hold are not read again, nor is what completing their groups read.
"""

from __future__ import annotations

import os

from plux.core._entry_points_text import log_malformed
from plux.runtime import _distributions as distributions
from plux.runtime._distributions import (
    EDITABLE_LINK_FILE,
    first_copies,
    importlib_order,
    is_egg,
    is_metadata_child,
    read_editable_link,
    shadowing_key,
    stem_name,
)
from plux.runtime._index import EntryPointIndex, PathEntry, WatchedFiles, identity
from plux.runtime._index_file import decode_stamps, encode_stamps
from plux.runtime._index_table import DistRecord, DistTable, decode_row, encode_row
from plux.runtime._index_write import encode_block
from plux.runtime._scan import scan_stamps
from plux.runtime._stamps import MISSING, Link, file_stamp

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from plux.runtime._distributions import DistributionInfo
    from plux.runtime._index_file import Block
    from plux.runtime._scan import EntryStamp, Stamps

    Row = tuple[str | None, ...]

__all__ = ["index_environment", "rescan"]


def rescan(path: Sequence[str], previous: EntryPointIndex | None) -> Stamps:
    """The current stamps of ``path``, listing again only the path entries whose stamps moved
    since ``previous`` was built (or that were racy then)."""
    if previous is None or previous.built_ctime_ns is not None:
        return scan_stamps(path)
    known = {
        e.entry: (e.stamp, previous.listing(e.entry))
        for e in previous.path_entries
        if e.entry not in previous.unsettled_listings
    }
    known.update(previous.relisted)  # listed after their current stamps were taken
    return scan_stamps(path, known)


def read_link(dist_path: str) -> Link | None:
    """The editable link in the metadata folder ``dist_path`` with its stamps, or None."""
    target = read_editable_link(dist_path)
    if target is None:
        return None
    file = os.path.join(dist_path, EDITABLE_LINK_FILE)
    return Link(file, file_stamp(file), target, file_stamp(target) if target else MISSING)


def _read_dist(dist_path: str, child: str) -> DistRecord:
    link = read_link(dist_path)
    target = link.target if link is not None else None
    entry_points, errors = distributions.read_distribution_entry_points(dist_path, target)
    # The name as the metadata spells it is read when a group is completed; here only where the
    # folder name does not tell which copy shadows which.
    info = distributions.distribution_info(dist_path, stem_name(child) is None)
    return _record(child, link, info, entry_points, errors)


def _record(
    child: str,
    link: Link | None,
    info: DistributionInfo,
    entry_points: Sequence[tuple[str, str, str]],
    errors: Sequence[str],
) -> DistRecord:
    log_malformed(errors)
    key = shadowing_key(child, info.name)
    return DistRecord(link, info.name, key, info.version, tuple(entry_points), tuple(errors))


def _zip_records(entry: str) -> Iterator[tuple[str, DistRecord]]:
    """The distributions in a zip file on the path, read as ``importlib.metadata`` reads them
    (the zip file's own stamp covers them)."""
    archive = distributions.ZipEntry.open(entry)
    if archive is None:
        return
    with archive:
        for child in importlib_order(
            [c for c in archive.children if is_metadata_child(c, is_egg(entry))], entry
        ):
            entry_points, errors = archive.entry_points(child)
            record = _record(child, None, archive.info(child), entry_points, errors)
            yield os.path.join(entry, child), record


class _Previous:
    """What a rebuild takes from the previous index: its table, and the stamps its path entries'
    watched files had."""

    def __init__(self, index: EntryPointIndex | None) -> None:
        self.index = index
        self.table: DistTable | None = index.table() if index is not None else None
        table = self.table or DistTable((), (), (), ())
        self.rows: dict[str, bytes] = dict(zip(table.paths, table.rows, strict=True))
        self.keys: dict[str, str] = dict(zip(table.paths, table.keys, strict=True))
        self.watched = {w.entry: w for w in index.watched_files} if index is not None else {}
        # read again whatever their stamps: read while changing, or linked (the link's target
        # may have moved)
        self.stale = set(index.unsettled_distributions) if index is not None else set()
        if index is not None:
            self.stale.update(os.path.dirname(link.file) for link in index.links)

    def unchanged(self, now: WatchedFiles, scanned: EntryStamp) -> set[str]:
        """Which of a path entry's metadata folders (``scanned``, whose watched files are
        ``now``) have the watched file and stamp they had."""
        before = self.watched.get(now.entry)
        if before is None:
            return set()
        if before.stamps == now.stamps and before.names == now.names:
            return set(scanned.children)
        old_names = before.names.split("\0") if before.names else []
        old = dict(zip(old_names, decode_stamps(before.stamps, len(old_names)), strict=True))
        columns = zip(scanned.children, scanned.watched, scanned.stamps, strict=True)
        return {child for child, name, stamp in columns if old.get(name) == stamp}


def _entry_dists(
    entry: str,
    children: tuple[str, ...],
    same: set[str],
    previous: _Previous,
    fresh: dict[str, DistRecord],
) -> Iterator[tuple[str, str, bytes]]:
    """(path, key, row) of each distribution of one path entry in ``importlib.metadata``'s
    order: the previous row of those whose watched files are the ``same``, the others read
    again (into ``fresh``)."""
    folder = os.path.join(entry or ".", "")
    for child in importlib_order(children, entry):
        dist_path = folder + child
        row = previous.rows.get(dist_path)
        if row is None or child not in same or dist_path in previous.stale:
            record = fresh[dist_path] = _read_dist(dist_path, child)
            yield dist_path, record.key, encode_row(record)
        else:
            yield dist_path, previous.keys[dist_path], row


def _rows(dist_path: str, record: DistRecord, group: str) -> list[Row]:
    """The rows of ``group`` that the distribution ``record`` at ``dist_path`` gives."""
    return [
        (ep_name, value, group, record.name, record.version, dist_path, None)
        for ep_group, ep_name, value in record.entry_points
        if ep_group == group
    ]


def _group_blocks(
    previous: _Previous, table: DistTable, fresh: dict[str, DistRecord]
) -> tuple[dict[str, Block], set[str]]:
    """Each group's block, and the groups made again: those of the distributions read again,
    added, removed, shadowed or no longer shadowed (every group when the others changed order).
    The other groups' blocks are carried over from the previous index undecoded."""
    old_visible = previous.table.visible() if previous.table is not None else []
    old_groups = previous.index.groups if previous.index is not None else {}
    visible = table.visible()
    shown, shown_before = set(visible), set(old_visible)
    moved = fresh.keys() | (shown ^ shown_before)
    if [p for p in old_visible if p in shown and p not in fresh] != [
        p for p in visible if p in shown_before and p not in fresh
    ]:
        moved = shown | shown_before  # another order: every group is made again
    rows = dict(zip(table.paths, table.rows, strict=True))
    groups_of: dict[str, set[str]] = {}  # the groups of each moved distribution, now and before
    for p in moved:
        now = fresh.get(p) or (decode_row(rows[p]) if p in rows else None)
        was = None
        if p in previous.rows and (p in fresh or now is None):
            was = decode_row(previous.rows[p])
        groups_of[p] = set().union(*(r.groups() for r in (now, was) if r is not None))
    affected = set().union(*groups_of.values()) if groups_of else set()
    blocks = {group: block for group, block in old_groups.items() if group not in affected}
    position = dict(zip(visible, range(len(visible)), strict=True))
    for group in affected:
        by_path: dict[str, list[Row]] = {}
        if previous.index is not None and group in old_groups:
            for row in previous.index.rows(group):
                if row.path not in fresh:
                    by_path.setdefault(row.path, []).append(tuple(row))
        for p in moved:
            if p in position and p not in by_path and group in groups_of[p]:
                record = fresh.get(p) or decode_row(rows[p])  # read now, or shown again
                by_path[p] = _rows(p, record, group)
        paths = sorted((p for p in by_path if p in position), key=position.__getitem__)
        if paths:
            blocks[group] = encode_block([row for p in paths for row in by_path[p]])
    return blocks, affected


def index_environment(
    path: Sequence[str], stamps: Stamps, previous: EntryPointIndex | None = None
) -> EntryPointIndex:
    """Index the distributions on ``path``, whose current stamps are ``stamps`` (scanned before
    any file is read, so that a change during the build makes the next check fail rather than be
    missed).

    Distributions whose stamps equal those in ``previous`` (exactly: a record is never reused on
    a stamp it could not verify) are not read again, nor decoded, nor is what completing their
    groups read; groups none of whose distributions changed keep their blocks' bytes.
    """
    before = _Previous(previous)
    fresh: dict[str, DistRecord] = {}
    found: list[tuple[str, str, bytes]] = []
    path_entries: list[PathEntry] = []
    watched: list[WatchedFiles] = []
    unsettled_listings: dict[str, tuple[str, ...]] = {}
    unsettled: list[str] = []
    listings: dict[str, tuple[str, ...]] = {}
    for scanned in stamps:
        entry = scanned.entry
        listings[entry] = scanned.children
        if scanned.racy:
            unsettled_listings[entry] = listings[entry]
        unsettled.extend(os.path.join(entry or ".", child) for child in scanned.unsettled)
        count = len(found)
        if scanned.stamp == MISSING:
            pass
        elif not scanned.children and not os.path.isdir(entry or "."):
            for p, record in _zip_records(entry):  # stamped as a whole, by the entry's stamp
                fresh[p] = record
                found.append((p, record.key, encode_row(record)))
        elif scanned.children:
            stamped = encode_stamps(list(scanned.stamps))
            watched.append(WatchedFiles(entry, "\0".join(scanned.watched), stamped))
            same = before.unchanged(watched[-1], scanned)
            found += _entry_dists(entry, scanned.children, same, before, fresh)
        path_entries.append(PathEntry(entry, scanned.stamp, len(found) > count))
    paths, keys, rows = (
        (tuple(column) for column in zip(*found, strict=True)) if found else ((),) * 3
    )
    hidden: tuple[str, ...] = ()
    if len(set(keys)) != len(keys):
        shown = set(first_copies(zip(keys, paths, strict=True)))
        hidden = tuple(p for p in paths if p not in shown)
    table = DistTable(paths, keys, rows, hidden)
    groups, affected = _group_blocks(before, table, fresh)
    index = EntryPointIndex(
        identity=identity(path),
        path_entries=tuple(path_entries),
        unsettled_listings=unsettled_listings,
        watched_files=tuple(watched),
        unsettled_distributions=tuple(unsettled),
        links=tuple(r.link for r in fresh.values() if r.link is not None),
        groups=groups,
        completed={},
        distributions=encode_block(tuple(table)),
        details=encode_block(({}, {})),
        listings=encode_block(listings),
        body=previous.body if previous is not None else b"",
    )
    index.dirty = True
    if previous is not None:
        from plux.runtime._index_completion import complete_group

        sources, metadata_names = previous.details()
        present = set(paths) if metadata_names else set()
        kept = {
            p: name
            for p, name in metadata_names.items()
            if p in present and p in before.rows and _same(before.rows[p], fresh.get(p))
        }
        index.set_details(sources, kept)
        for group, read in previous.completed.items():
            if group in affected or group not in groups:
                complete_group(index, group)
            else:
                index.completed[group] = read
    return index


def _same(row: bytes, record: DistRecord | None) -> bool:
    """Whether a distribution holds what its previous ``row`` held (``record``: read again)."""
    return record is None or decode_row(row) == record
