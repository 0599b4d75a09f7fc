"""The entry point index: every entry point on the path, valid while its change stamps hold.

An index is built from the distributions' metadata (:mod:`plux.runtime._distributions`) and records
stamps (:mod:`plux.runtime._stamps`) so that a later process can trust it after a few ``stat``
calls, however many distributions are installed:

- each path entry: installing, removing or upgrading a distribution changes its listing;
- each metadata folder without an ``entry_points.txt`` (one may appear there), and each
  ``*.egg-info`` (``setup.py egg_info`` rewrites those in place);
- per group, checked when the group is first asked for: the ``entry_points.txt`` of each
  distribution that provides entry points in it (an edit of a plugin in use).

A difference means a rebuild that reads again only the distributions whose stamps changed. Which
distributions count, and in which order, follows ``importlib.metadata``. The file keeps each
group's entries (and the per-distribution records) in a block of its own, decoded on first use:
a warm process decodes a small header and the one group it asks for.
"""

from __future__ import annotations

import marshal
import os
import sys

from plux.core._entry_points_text import log_malformed
from plux.runtime import _distributions as distributions
from plux.runtime._distributions import is_egg, is_metadata_child, stem_name
from plux.runtime._records import Record
from plux.runtime._stamps import (
    MISSING,
    DistStamp,
    Link,
    file_stamp,
    first_copies,
    importlib_order,
    is_racy,
    metadata_children,
    read_link,
    same_second,
    same_since,
    shadowing_key,
    watched_file,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import Any

    from plux.runtime._distributions import DistributionInfo
    from plux.runtime._names import SourceResults
    from plux.runtime._stamps import Stamp, Stamps

    Reader = Callable[[int, int], bytes | memoryview]
    """Reads ``length`` bytes at ``offset`` of an index file (fewer where it ends); raises
    ValueError when the file is no longer the one the index was decoded from."""

__all__ = [
    "INDEX_FORMAT",
    "DistRecord",
    "EntryPointIndex",
    "Identity",
    "IndexedEntryPoint",
    "complete_group",
    "group_completed",
    "identity",
    "index_environment",
]

INDEX_FORMAT = 3
"""Bumped whenever the layout of the file changes: an index of another format is ignored."""

_MAGIC = b"PLUXIDX" + bytes((INDEX_FORMAT,))
_HEADER_SIZE = len(_MAGIC) + 8  # magic, then the CRC-32 and the length of the marshalled header
_MARSHAL_VERSION = 4

Watched = tuple[tuple[str, "Stamp"], ...]
"""Files (or folders) and the stamps they had when the index was built; in a group's block, the
metadata folders whose ``entry_points.txt`` had the stamp."""
Blob = bytes | tuple[int, int, int]
"""A marshalled block, or where it lies in the file it came from: (offset, length, CRC-32)."""


class IndexedEntryPoint(Record):
    """One entry point of the environment, with where it comes from."""

    name: str
    value: str
    group: str
    distribution: str
    """The distribution's name as its metadata spells it."""
    version: str
    path: str
    """The distribution's ``*.dist-info``/``*.egg-info`` folder."""
    declared_name: str | None = None
    """The name the plugin declares in its source when the entry point's name is a lower-cased
    copy of it (plux 1.16 wrote such names), else None."""


class Identity(Record):
    """What an index belongs to: only a process with the same identity may use it."""

    format: int
    executable: str
    prefix: str
    """The interpreter's prefix (its virtual environment)."""
    version: str
    path: tuple[str, ...]


class DistRecord(Record):
    """What was read from one metadata folder (kept for incremental rebuilds and errors)."""

    stamp: DistStamp
    link: Link | None
    name: str
    """The name as the folder spells it (as its metadata does once its group was completed, or
    when the folder name has none)."""
    key: str
    """The name it shadows later copies under (:func:`~plux.runtime._stamps.shadowing_key`)."""
    version: str
    entry_points: tuple[tuple[str, str, str], ...]
    """(group, name, value) of each entry point, in file order."""
    errors: tuple[str, ...]

    def plain(self) -> tuple[Any, ...]:
        """The record as plain tuples (what marshal takes)."""
        link = tuple(self.link) if self.link is not None else None
        return (tuple(self.stamp), link, *self[2:])


def identity(path: Sequence[str]) -> Identity:
    """The identity of an index of ``path`` made by this interpreter."""
    return Identity(INDEX_FORMAT, sys.executable, sys.prefix, sys.version, tuple(path))


def _dist_record(plain: Sequence[Any]) -> DistRecord:
    """A :class:`DistRecord` from its plain form in the file."""
    stamp, link, *rest = plain
    link = Link._make(link) if link is not None else None
    return DistRecord(DistStamp._make(stamp), link, *rest)


def _dumps(value: Any) -> bytes:
    return marshal.dumps(value, _MARSHAL_VERSION)


def _crc32(data: bytes | memoryview) -> int:
    from zlib import crc32

    return crc32(data)


class EntryPointIndex:
    """An index in memory. Each group's block is decoded on first use (a process that manages one
    namespace decodes only that one)."""

    def __init__(
        self,
        ident: Identity,
        entries: tuple[tuple[str, Stamp, bool], ...],
        racy: dict[str, tuple[str, ...]],
        watched: Watched,
        links: tuple[Link, ...],
        groups: dict[str, Blob],
        declared: dict[str, Watched],
        dists: Blob,
        details: Blob,
        listings: Blob,
        read: Reader | None = None,
        body_start: int = 0,
    ) -> None:
        self.identity = ident
        self.entries = entries
        """Each path entry, its stamp, and whether it holds distributions."""
        self.racy = racy
        """Path entries that changed just before they were scanned, and their metadata children:
        listed again by each check until they are older (:meth:`settle`)."""
        self.watched = watched
        """What is stamped besides the path entries, whatever group is asked for."""
        self.links = links
        self.groups = groups
        self.declared = declared
        """Completed groups (:func:`complete_group`): the stamps of the sources read for them."""
        self._dists = dists
        self._details = details
        self._listings = listings
        self._read = read
        self._body_start = body_start
        self._decoded: dict[str, tuple[list[IndexedEntryPoint], Watched]] = {}
        self._listing: dict[str, tuple[str, ...]] | None = None
        self.written_ns = 0
        """When the file it came from was written (``time.time_ns()``; 0 for one built here)."""
        self.built_ctime_ns: int | None = None
        """Set for an index that came with a copy of the environment (an unpacked image,
        :mod:`plux.runtime._prebuilt`): its stamps are compared as such a copy keeps them
        (:func:`~plux.runtime._stamps.same_since`)."""
        self.dirty = False
        """Whether this index differs from the file it came from (and should be written)."""

    def same(self, recorded: Stamp, current: Stamp) -> bool:
        """Whether a file whose stamp was ``recorded`` is unchanged, now stamped ``current``."""
        if self.built_ctime_ns is None:
            return recorded == current
        return same_since(recorded, current, self.built_ctime_ns)

    def changed(self) -> str | None:
        """The first path entry or file that changed since the index was built, if any: then a
        distribution may have been installed, removed or replaced (the check every process makes;
        each group has one of its own, :meth:`group_changed`)."""
        same = self.same
        for entry, stamp, _ in self.entries:
            current = file_stamp(entry or ".")
            if not same(stamp, current) and not self._same_listing(entry, stamp, current):
                return entry
        for entry, children in self.racy.items():
            if metadata_children(entry) != children:
                return entry
        for file, stamp in self.watched:
            current = file_stamp(file)
            if not same(stamp, current) and not self._still_without_entry_points(
                file, stamp, current
            ):
                return file
        return next((link.file for link in self.links if not link.holds()), None)

    def _same_listing(self, entry: str, recorded: Stamp, current: Stamp) -> bool:
        """In a copy of the environment, whether a path entry whose change time moved (an
        unpacked image sets its folders' times last) still lists the same distributions."""
        if self.built_ctime_ns is None or not same_second(recorded, current):
            return False
        if self._listing is None:
            self._listing = marshal.loads(self._blob(self._listings)) if self._listings else {}
        return metadata_children(entry) == self._listing.get(entry)

    def _still_without_entry_points(self, folder: str, recorded: Stamp, current: Stamp) -> bool:
        """In a copy of the environment, whether a metadata folder without entry points whose
        change time moved still has none (only a new ``entry_points.txt`` changes its answer)."""
        return (
            self.built_ctime_ns is not None
            and same_second(recorded, current)
            and file_stamp(watched_file(folder, True)) == MISSING
        )

    def holds(self) -> bool:
        """Whether nothing :meth:`changed`."""
        return self.changed() is None

    def settle(self, now_ns: int) -> None:
        """Stop listing again the path entries that are no longer racy (then the index is written
        again)."""
        stamps = {entry: stamp for entry, stamp, _ in self.entries}
        for entry in [e for e in self.racy if not is_racy(stamps[e], now_ns)]:
            del self.racy[entry]
            self.dirty = True

    def group_changed(self, group: str) -> str | None:
        """The first ``entry_points.txt`` of a distribution with entries in ``group`` that
        changed, if any."""
        same = self.same
        for dist_path, stamp in self._group(group)[1]:
            file = watched_file(dist_path, True)
            if not same(stamp, file_stamp(file)):
                return file
        return None

    def rebased(
        self, ident: Identity, entries: tuple[tuple[str, Stamp, bool], ...]
    ) -> EntryPointIndex:
        """This index for another process's path that holds the same distributions (``entries``:
        its path entries and their stamps), sharing this index's blocks."""
        index = EntryPointIndex(
            ident,
            entries,
            dict(self.racy),
            self.watched,
            self.links,
            dict(self.groups),
            dict(self.declared),
            self._dists,
            self._details,
            self._listings,
            self._read,
            self._body_start,
        )
        index.built_ctime_ns = self.built_ctime_ns
        return index

    def _blob(self, blob: Blob) -> bytes | memoryview:
        if isinstance(blob, bytes):
            return blob
        offset, length, crc = blob
        view = self._read(self._body_start + offset, length) if self._read else b""
        if len(view) != length or _crc32(view) != crc:
            raise ValueError("a block of the index file is damaged")
        return view

    def _group(self, group: str) -> tuple[list[IndexedEntryPoint], Watched]:
        decoded = self._decoded.get(group)
        if decoded is None:
            blob = self.groups.get(group)
            if blob is None:
                decoded = ([], ())
            else:
                rows, watch = marshal.loads(self._blob(blob))
                decoded = ([IndexedEntryPoint._make(row) for row in rows], watch)
            self._decoded[group] = decoded
        return decoded

    def rows(self, group: str) -> list[IndexedEntryPoint]:
        """The entries of ``group`` in path order (shared: copy before handing out)."""
        return self._group(group)[0]

    def set_rows(self, group: str, rows: list[IndexedEntryPoint]) -> None:
        watch = self._group(group)[1]
        self._decoded[group] = (rows, watch)
        self.groups[group] = _dumps(([tuple(row) for row in rows], watch))
        self.dirty = True

    def dists(self) -> tuple[dict[str, DistRecord], tuple[str, ...]]:
        """Per metadata folder, what was read from it (for incremental rebuilds and errors); and
        the folders that count (shadowed copies left out), in path order."""
        records, visible = marshal.loads(self._blob(self._dists))
        return {path: _dist_record(plain) for path, plain in records.items()}, visible

    def details(self) -> tuple[SourceResults, dict[str, str]]:
        """What completing groups read: declared names from source files (with those files'
        stamps), and distribution names from metadata (per metadata folder)."""
        if not self._details:
            return {}, {}
        sources, names = marshal.loads(self._blob(self._details))
        return sources, names

    def set_details(self, sources: SourceResults, names: dict[str, str]) -> None:
        self._details = _dumps((sources, names))
        self.dirty = True

    def errors(self) -> list[str]:
        """The malformed lines (file and line number) of the visible distributions' entry points."""
        records, visible = self.dists()
        return [error for dist_path in visible for error in records[dist_path].errors]

    def to_bytes(self) -> bytes:
        body = bytearray()

        def place(blob: Blob) -> tuple[int, int, int]:
            data = self._blob(blob)
            ref = (len(body), len(data), blob[2] if isinstance(blob, tuple) else _crc32(data))
            body.extend(data)
            return ref

        import time

        table = {group: place(blob) for group, blob in self.groups.items()}
        header = _dumps(
            (
                time.time_ns(),
                tuple(self.identity),
                self.entries,
                self.racy,
                self.watched,
                tuple(tuple(link) for link in self.links),
                self.declared,
                table,
                place(self._dists),
                place(self._details),
                place(self._listings),
                len(body),
            )
        )
        sizes = _crc32(header).to_bytes(4, "big") + len(header).to_bytes(4, "big")
        return _MAGIC + sizes + header + bytes(body)

    @classmethod
    def decode(cls, read: Reader, size: int) -> EntryPointIndex | None:
        """The index in a file of ``size`` bytes that ``read`` reads, if it is intact and of this
        format, else None. Only the header is read here; each block when first used."""
        head = read(0, _HEADER_SIZE)
        if len(head) < _HEADER_SIZE or bytes(head[: len(_MAGIC)]) != _MAGIC:
            return None
        crc = int.from_bytes(head[len(_MAGIC) : len(_MAGIC) + 4], "big")
        length = int.from_bytes(head[len(_MAGIC) + 4 : _HEADER_SIZE], "big")
        header = read(_HEADER_SIZE, length)
        if len(header) != length or _crc32(header) != crc:
            return None  # truncated or corrupt
        try:
            fields = marshal.loads(header)
            (
                written,
                stored,
                entries,
                racy,
                watched,
                links,
                declared,
                table,
                dists,
                details,
                listings,
                body,
            ) = fields
            if _HEADER_SIZE + length + body != size:
                return None  # truncated, or two writers' bytes interleaved
            if not all(isinstance(d, dict) for d in (table, declared, racy)):
                return None
            # The stamps are only ever compared: they stay plain tuples.
            ident = Identity._make(stored)
            links = tuple(Link._make(link) for link in links)
            start = _HEADER_SIZE + length
            index = cls(
                ident,
                entries,
                racy,
                watched,
                links,
                table,
                declared,
                dists,
                details,
                listings,
                read,
                start,
            )
            index.written_ns = written
            return index
        except (EOFError, ValueError, TypeError):
            return None

    @classmethod
    def from_bytes(cls, data: bytes, ident: Identity) -> EntryPointIndex | None:
        """The index in ``data`` if it is intact and belongs to ``ident``, else None."""
        view = memoryview(data)
        index = cls.decode(lambda offset, length: view[offset : offset + length], len(data))
        return index if index is not None and index.identity == ident else None


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
    same: Callable[[Stamp, Stamp], bool],
) -> Iterator[tuple[str, DistRecord]]:
    """The distributions of one path entry in ``importlib.metadata``'s order, each read again
    only when its stamps differ from ``old`` (as ``same`` compares them)."""
    by_child = {dist_stamp.child: dist_stamp for dist_stamp in dist_stamps}
    for child in importlib_order(list(by_child), entry):
        dist_path = os.path.join(entry or ".", child)
        record = old.get(dist_path)
        current = by_child[child]
        # A distribution with an editable link is read again: the link's target may have moved.
        if (
            record is None
            or record.link is not None
            or record.stamp.entry_points != current.entry_points
            or not same(record.stamp.stamp, current.stamp)
        ):
            record = _read_dist(dist_path, current)
        elif record.stamp != current:
            record = record._replace(stamp=current)
        yield dist_path, record


def _equal(recorded: Stamp, current: Stamp) -> bool:
    return recorded == current


def _always_watched(dist_stamp: DistStamp) -> bool:
    """Whether a distribution's stamp is checked whatever group is asked for: a folder without
    entry points (they may appear), or an ``*.egg-info`` (``setup.py egg_info`` edits in place)."""
    low = dist_stamp.child.lower()
    return not dist_stamp.entry_points or low.endswith(".egg-info") or low == "egg-info"


def index_environment(
    path: Sequence[str], stamps: Stamps, previous: EntryPointIndex | None = None
) -> EntryPointIndex:
    """Index the distributions on ``path``, whose current stamps are ``stamps`` (scanned before
    any file is read, so that a change during the build makes the next check fail rather than be
    missed).

    Distributions whose stamps equal those in ``previous`` are not read again, nor is what
    completing their groups read (:func:`complete_group`).
    """
    old, _ = previous.dists() if previous is not None else ({}, ())
    same = previous.same if previous is not None else _equal
    records: dict[str, DistRecord] = {}
    zipped: set[str] = set()
    entries: list[tuple[str, Stamp, bool]] = []
    racy: dict[str, tuple[str, ...]] = {}
    listings: dict[str, tuple[str, ...]] = {}
    for entry, entry_stamp, dist_stamps, changed_just_before in stamps:
        listings[entry] = tuple(dist_stamp.child for dist_stamp in dist_stamps)
        if changed_just_before:
            racy[entry] = listings[entry]
        if entry_stamp == MISSING:
            found: dict[str, DistRecord] = {}
        elif not dist_stamps and not os.path.isdir(entry or "."):
            found = dict(_zip_records(entry))
            zipped.update(found)
        else:
            found = dict(_entry_records(entry, dist_stamps, old, same))
        records.update(found)
        entries.append((entry, entry_stamp, bool(found)))
    visible = tuple(first_copies((record.key, path) for path, record in records.items()))
    rows: dict[str, list[tuple[str | None, ...]]] = {}
    providers: dict[str, dict[str, None]] = {}
    for dist_path in visible:
        record = records[dist_path]
        for group, ep_name, value in record.entry_points:
            row = (ep_name, value, group, record.name, record.version, dist_path, None)
            rows.setdefault(group, []).append(row)
            providers.setdefault(group, {})[dist_path] = None
    stamped = {p: records[p].stamp for p in visible if p not in zipped}
    always = {p for p, dist_stamp in stamped.items() if _always_watched(dist_stamp)}
    # the providers' own paths (not copies): marshal stores each once per block
    groups: dict[str, Blob] = {
        group: _dumps(
            (
                group_rows,
                tuple(
                    (p, stamped[p].stamp)
                    for p in providers[group]
                    if p in stamped and p not in always
                ),
            )
        )
        for group, group_rows in rows.items()
    }
    index = EntryPointIndex(
        identity(path),
        tuple(entries),
        racy,
        tuple(
            (watched_file(p, dist_stamp.entry_points), dist_stamp.stamp)
            for p, dist_stamp in stamped.items()
            if p in always
        ),
        tuple(record.link for record in records.values() if record.link is not None),
        groups,
        {},
        _dumps(({p: record.plain() for p, record in records.items()}, visible)),
        b"",
        _dumps(listings),
    )
    index.dirty = True
    if previous is not None:
        sources, names = previous.details()
        kept = {
            p: name
            for p, name in names.items()
            if p in old and p in records and old[p][1:] == records[p][1:]
        }
        index.set_details(sources, kept)
        for group in previous.declared:
            complete_group(index, group)
    return index


def group_completed(index: EntryPointIndex, group: str) -> bool:
    """Whether ``group`` was completed and every source read for it (whether or not it declared
    a differing name) is unchanged."""
    sources = index.declared.get(group)
    if sources is None:
        return False
    return all(index.same(stamp, file_stamp(file)) for file, stamp in sources)


def complete_group(index: EntryPointIndex, group: str) -> None:
    """Read what ``group``'s entries show beyond their ``entry_points.txt``: each distribution's
    name as its metadata spells it, and the declared names of lower-cased entry points."""
    # Imported here: completing a group is rare, and a warm process never does it.
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
    index.declared[group] = tuple(stamps.items())
    index.dirty = True
