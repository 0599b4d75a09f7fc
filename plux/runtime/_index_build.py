"""Building the index: reading the distributions of the path, again only where they changed.

Which distributions count, and in which order, follows ``importlib.metadata``
(:mod:`plux.runtime._stamps`). A process whose index no longer holds rebuilds it from the
previous one: path entries whose stamps hold are not listed again, distributions whose stamps
hold are not read again, nor is what completing their groups read.
"""

from __future__ import annotations

import os

from plux.core._entry_points_text import log_malformed
from plux.runtime import _distributions as distributions
from plux.runtime._distributions import is_egg, is_metadata_child, stem_name
from plux.runtime._index import EntryPointIndex, PathEntry, WatchedFiles, identity
from plux.runtime._index_format import encode_block, encode_stamps
from plux.runtime._index_table import DistRecord, DistSummary
from plux.runtime._stamps import (
    MISSING,
    DistStamp,
    Link,
    first_copies,
    importlib_order,
    read_link,
    scan_stamps,
    shadowing_key,
    watched_file,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from plux.runtime._distributions import DistributionInfo
    from plux.runtime._index_format import Block
    from plux.runtime._stamps import Stamps

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
    return scan_stamps(path, known)


def _read_dist(dist_path: str, dist_stamp: DistStamp) -> DistRecord:
    link = read_link(dist_path)
    target = link.target if link is not None else None
    entry_points, errors = distributions.read_distribution_entry_points(dist_path, target)
    # The name as the metadata spells it is read when a group is completed; here only where the
    # folder name does not tell which copy shadows which.
    info = distributions.distribution_info(dist_path, stem_name(dist_stamp.child) is None)
    return _record(dist_stamp, link, info, entry_points, errors)


def _record(
    dist_stamp: DistStamp,
    link: Link | None,
    info: DistributionInfo,
    entry_points: Sequence[tuple[str, str, str]],
    errors: Sequence[str],
) -> DistRecord:
    log_malformed(errors)
    return DistRecord(
        dist_stamp,
        link,
        info.name,
        shadowing_key(dist_stamp.child, info.name),
        info.version,
        tuple(entry_points),
        tuple(errors),
    )


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
            dist_stamp = DistStamp(child, True, MISSING)
            record = _record(dist_stamp, None, archive.info(child), entry_points, errors)
            yield os.path.join(entry, child), record


def _entry_dists(
    entry: str,
    dist_stamps: tuple[DistStamp, ...],
    old: dict[str, DistSummary],
    reread: set[str],
    fresh: dict[str, DistRecord],
) -> Iterator[tuple[str, DistSummary]]:
    """The distributions of one path entry in ``importlib.metadata``'s order, each read again
    (into ``fresh``) only when its stamps differ from ``old`` (or it is in ``reread``)."""
    by_child = {dist_stamp.child: dist_stamp for dist_stamp in dist_stamps}
    folder = os.path.join(entry or ".", "")
    for child in importlib_order(list(by_child), entry):
        dist_path = folder + child
        summary = old.get(dist_path)
        current = by_child[child]
        # A distribution with an editable link is read again: the link's target may have moved.
        if (
            summary is None
            or summary.link is not None
            or summary.stamp != current
            or dist_path in reread
        ):
            record = fresh[dist_path] = _read_dist(dist_path, current)
            yield dist_path, DistSummary.of(record)
        else:
            yield dist_path, summary


def _rows(dist_path: str, record: DistRecord, group: str) -> list[tuple[str | None, ...]]:
    """The rows of ``group`` that the distribution ``record`` at ``dist_path`` gives."""
    return [
        (ep_name, value, group, record.name, record.version, dist_path, None)
        for ep_group, ep_name, value in record.entry_points
        if ep_group == group
    ]


def _group_blocks(
    previous: EntryPointIndex | None,
    before: tuple[dict[str, DistSummary], tuple[str, ...]],
    summaries: dict[str, DistSummary],
    visible: tuple[str, ...],
    fresh: dict[str, DistRecord],
) -> tuple[dict[str, Block], set[str]]:
    """Each group's block, and the groups made again: those of the distributions read again,
    added, removed, shadowed or no longer shadowed (every group when the others changed order).
    The other groups' blocks are carried over from ``previous`` (whose table was ``before``)
    undecoded."""
    old, old_visible = before
    old_groups = previous.groups if previous is not None else {}
    shown, shown_before = set(visible), set(old_visible)
    affected: set[str] = set()
    if [p for p in old_visible if p in shown and p not in fresh] != [
        p for p in visible if p in shown_before and p not in fresh
    ]:
        affected.update(old_groups)
        for summary in summaries.values():
            affected.update(summary.groups)
    else:
        for p in fresh.keys() | (shown ^ shown_before):
            for either in (summaries.get(p), old.get(p)):
                if either is not None:
                    affected.update(either.groups)
    blocks = {group: block for group, block in old_groups.items() if group not in affected}
    members: dict[str, list[str]] = {group: [] for group in affected}
    for p in visible:
        for group in summaries[p].groups:
            if group in members:
                members[group].append(p)
    for group, paths in members.items():
        kept: dict[str, list[tuple[str | None, ...]]] = {}
        if previous is not None and group in old_groups:
            for row in previous.rows(group):
                kept.setdefault(row.path, []).append(tuple(row))
        rows: list[tuple[str | None, ...]] = []
        for p in paths:
            if p in fresh:
                rows += _rows(p, fresh[p], group)
            elif p in kept:
                rows += kept[p]
            else:  # shown again: a copy that shadowed it is gone
                rows += _rows(p, summaries[p].record(), group)
        if rows:
            blocks[group] = encode_block(rows)
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
    before = previous.summaries() if previous is not None else ({}, ())
    old = before[0]
    reread = set(previous.unsettled_distributions) if previous is not None else set()
    summaries: dict[str, DistSummary] = {}
    fresh: dict[str, DistRecord] = {}
    path_entries: list[PathEntry] = []
    watched: list[WatchedFiles] = []
    unsettled_listings: dict[str, tuple[str, ...]] = {}
    unsettled: list[str] = []
    listings: dict[str, tuple[str, ...]] = {}
    for scanned in stamps:
        entry = scanned.entry
        listings[entry] = tuple(dist_stamp.child for dist_stamp in scanned.dists)
        if scanned.racy:
            unsettled_listings[entry] = listings[entry]
        unsettled.extend(os.path.join(entry or ".", child) for child in scanned.unsettled)
        if scanned.stamp == MISSING:
            found: dict[str, DistSummary] = {}
        elif not scanned.dists and not os.path.isdir(entry or "."):
            zipped = dict(_zip_records(entry))  # stamped as a whole, by the path entry's stamp
            fresh.update(zipped)
            found = {p: DistSummary.of(record) for p, record in zipped.items()}
        else:
            found = dict(_entry_dists(entry, scanned.dists, old, reread, fresh))
        if scanned.dists:
            files = "\0".join(watched_file(d.child, d.entry_points) for d in scanned.dists)
            stamped = encode_stamps([d.stamp for d in scanned.dists])
            watched.append(WatchedFiles(entry, files, stamped))
        summaries.update(found)
        path_entries.append(PathEntry(entry, scanned.stamp, bool(found)))
    visible = tuple(first_copies((summary.key, p) for p, summary in summaries.items()))
    groups, affected = _group_blocks(previous, before, summaries, visible, fresh)
    index = EntryPointIndex(
        identity=identity(path),
        path_entries=tuple(path_entries),
        unsettled_listings=unsettled_listings,
        watched_files=tuple(watched),
        unsettled_distributions=tuple(unsettled),
        links=tuple(Link._make(s.link) for s in summaries.values() if s.link is not None),
        groups=groups,
        completed={},
        distributions=encode_block(({p: tuple(s) for p, s in summaries.items()}, visible)),
        details=encode_block(({}, {})),
        listings=encode_block(listings),
        body=previous.body if previous is not None else b"",
    )
    index.dirty = True
    if previous is not None:
        from plux.runtime._index_completion import complete_group

        sources, names = previous.details()
        kept = {
            p: name
            for p, name in names.items()
            if p in summaries and (p not in fresh or _same_record(old.get(p), fresh[p]))
        }
        index.set_details(sources, kept)
        for group, read in previous.completed.items():
            if group in affected or group not in groups:
                complete_group(index, group)
            else:
                index.completed[group] = read
    return index


def _same_record(summary: DistSummary | None, record: DistRecord) -> bool:
    """Whether a distribution read again holds what it held (whatever its stamp)."""
    return summary is not None and summary.record()[1:] == record[1:]
