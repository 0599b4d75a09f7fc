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
from plux.runtime._index import (
    DistRecord,
    EntryPointIndex,
    PathEntry,
    identity,
    plain_record,
)
from plux.runtime._index_format import encode_block
from plux.runtime._stamps import (
    MISSING,
    DistStamp,
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
    from plux.runtime._stamps import Link, Stamps

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


def _entry_records(
    entry: str,
    dist_stamps: tuple[DistStamp, ...],
    old: dict[str, DistRecord],
    reread: set[str],
) -> Iterator[tuple[str, DistRecord]]:
    """The distributions of one path entry in ``importlib.metadata``'s order, each read again
    only when its stamps differ from ``old`` (or it is in ``reread``)."""
    by_child = {dist_stamp.child: dist_stamp for dist_stamp in dist_stamps}
    for child in importlib_order(list(by_child), entry):
        dist_path = os.path.join(entry or ".", child)
        record = old.get(dist_path)
        current = by_child[child]
        # A distribution with an editable link is read again: the link's target may have moved.
        if (
            record is None
            or record.link is not None
            or record.stamp != current
            or dist_path in reread
        ):
            record = _read_dist(dist_path, current)
        yield dist_path, record


def index_environment(
    path: Sequence[str], stamps: Stamps, previous: EntryPointIndex | None = None
) -> EntryPointIndex:
    """Index the distributions on ``path``, whose current stamps are ``stamps`` (scanned before
    any file is read, so that a change during the build makes the next check fail rather than be
    missed).

    Distributions whose stamps equal those in ``previous`` (exactly: a record is never reused on
    a stamp it could not verify) are not read again, nor is what completing their groups read.
    """
    old, _ = previous.dists() if previous is not None else ({}, ())
    reread = set(previous.unsettled_distributions) if previous is not None else set()
    records: dict[str, DistRecord] = {}
    zipped: set[str] = set()
    path_entries: list[PathEntry] = []
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
            found: dict[str, DistRecord] = {}
        elif not scanned.dists and not os.path.isdir(entry or "."):
            found = dict(_zip_records(entry))
            zipped.update(found)
        else:
            found = dict(_entry_records(entry, scanned.dists, old, reread))
        records.update(found)
        path_entries.append(PathEntry(entry, scanned.stamp, bool(found)))
    visible = tuple(first_copies((record.key, path) for path, record in records.items()))
    rows: dict[str, list[tuple[str | None, ...]]] = {}
    for dist_path in visible:
        record = records[dist_path]
        for group, ep_name, value in record.entry_points:
            row = (ep_name, value, group, record.name, record.version, dist_path, None)
            rows.setdefault(group, []).append(row)
    groups: dict[str, Block] = {group: encode_block(r) for group, r in rows.items()}
    index = EntryPointIndex(
        identity=identity(path),
        path_entries=tuple(path_entries),
        unsettled_listings=unsettled_listings,
        distribution_stamps=tuple(
            (watched_file(p, record.stamp.entry_points), record.stamp.stamp)
            for p, record in records.items()
            if p not in zipped
        ),
        unsettled_distributions=tuple(unsettled),
        links=tuple(record.link for record in records.values() if record.link is not None),
        groups=groups,
        completed={},
        distributions=encode_block(({p: plain_record(r) for p, r in records.items()}, visible)),
        details=encode_block(({}, {})),
        listings=encode_block(listings),
    )
    index.dirty = True
    if previous is not None:
        from plux.runtime._index_completion import complete_group

        sources, names = previous.details()
        kept = {
            p: name
            for p, name in names.items()
            if p in old and p in records and old[p][1:] == records[p][1:]
        }
        index.set_details(sources, kept)
        for group in previous.completed:
            complete_group(index, group)
    return index
