"""The entry point index: every entry point on the path, valid while its change stamps hold.

An index is built from the distributions' metadata (:mod:`plux.runtime._distributions`) and
records the stamps (:mod:`plux.runtime._stamps`) of each path entry, each metadata folder found in
it and its ``entry_points.txt``. A process that finds the same stamps trusts the index without
reading a single metadata file; any difference means a rebuild, which re-reads only the
distributions whose stamps changed. Which distributions count, and in which order, follows
``importlib.metadata``.
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
    read_link,
    shadowing_key,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from plux.core.entrypoint import EntryPoint
    from plux.runtime._distributions import DistributionInfo
    from plux.runtime._names import SourceResults
    from plux.runtime._stamps import Stamp, Stamps

__all__ = [
    "INDEX_FORMAT",
    "DistRecord",
    "EntryPointIndex",
    "Identity",
    "IndexedEntryPoint",
    "index_environment",
    "identity",
]

INDEX_FORMAT = 2
"""Bumped whenever the layout of the file changes: an index of another format is ignored."""

_MAGIC = b"PLUXIDX" + bytes((INDEX_FORMAT,))
_HEADER_SIZE = len(_MAGIC) + 4  # magic, then the CRC-32 of the marshalled payload
_MARSHAL_VERSION = 4


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
    key: str
    """The name it shadows later copies under (:func:`~plux.runtime._stamps.shadowing_key`)."""
    version: str
    entry_points: tuple[tuple[str, str, str], ...]
    """(group, name, value) of each entry point, in file order."""
    errors: tuple[str, ...]


def identity(path: Sequence[str]) -> Identity:
    """The identity of an index of ``path`` made by this interpreter."""
    return Identity(INDEX_FORMAT, sys.executable, sys.prefix, sys.version, tuple(path))


def _plain(value: Any) -> Any:
    """``value`` with every record (a tuple subclass) made a plain tuple, as marshal needs."""
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _dist_record(plain: Sequence[Any]) -> DistRecord:
    """A :class:`DistRecord` from its plain form in the file."""
    stamp, link, name, key, version, entry_points, errors = plain
    link = Link._make(link) if link is not None else None
    return DistRecord(DistStamp._make(stamp), link, name, key, version, entry_points, errors)


class EntryPointIndex:
    """An index in memory. Each group's entries are decoded on first use (a process that manages
    one namespace decodes only that one)."""

    def __init__(
        self,
        ident: Identity,
        stamps: Stamps,
        links: tuple[Link, ...],
        groups: dict[str, bytes],
        declared: dict[str, tuple[tuple[str, Stamp], ...]],
        dists_blob: bytes,
        sources_blob: bytes,
    ) -> None:
        self.identity = ident
        self._stamps = stamps
        self.links = links
        self.groups = groups
        self.declared = declared
        """Groups whose declared names were read: the stamps of the sources read for them."""
        self._dists_blob = dists_blob
        self._sources_blob = sources_blob
        self._rows: dict[str, list[IndexedEntryPoint]] = {}
        self.dirty = False
        """Whether this index differs from the file it came from (and should be written)."""

    def holds(self, stamps: Stamps) -> bool:
        """Whether the environment still is what this index was built from."""
        return self._stamps == stamps and all(link.holds() for link in self.links)

    def rows(self, group: str) -> list[IndexedEntryPoint]:
        """The entries of ``group`` in path order (shared: copy before handing out)."""
        rows = self._rows.get(group)
        if rows is None:
            blob = self.groups.get(group)
            decoded: list[tuple[str, ...]] = marshal.loads(blob) if blob else []
            rows = self._rows[group] = [IndexedEntryPoint._make(row) for row in decoded]
        return rows

    def set_rows(self, group: str, rows: list[IndexedEntryPoint]) -> None:
        self._rows[group] = rows
        self.groups[group] = marshal.dumps([tuple(r) for r in rows], _MARSHAL_VERSION)
        self.dirty = True

    def dists(self) -> tuple[dict[str, DistRecord], tuple[str, ...]]:
        """Per metadata folder, what was read from it (for incremental rebuilds and errors); and
        the folders that count (shadowed copies left out), in path order."""
        records, visible = marshal.loads(self._dists_blob)
        return {path: _dist_record(plain) for path, plain in records.items()}, visible

    def sources(self) -> SourceResults:
        """The declared names read from source files, with those files' stamps."""
        decoded: SourceResults = marshal.loads(self._sources_blob) if self._sources_blob else {}
        return decoded

    def set_sources(self, sources: SourceResults) -> None:
        self._sources_blob = marshal.dumps(sources, _MARSHAL_VERSION)
        self.dirty = True

    def errors(self) -> list[str]:
        """The malformed lines (file and line number) of the visible distributions' entry points."""
        records, visible = self.dists()
        return [error for dist_path in visible for error in records[dist_path].errors]

    def to_bytes(self) -> bytes:
        payload = marshal.dumps(
            (
                _plain(self.identity),
                _plain(self._stamps),
                _plain(self.links),
                self.declared,
                self.groups,
                self._dists_blob,
                self._sources_blob,
            ),
            _MARSHAL_VERSION,
        )
        return _MAGIC + _crc32(payload).to_bytes(4, "big") + payload

    @classmethod
    def from_bytes(cls, data: bytes, ident: Identity) -> EntryPointIndex | None:
        """The index in ``data`` if it is intact and belongs to ``ident``, else None."""
        if len(data) < _HEADER_SIZE or not data.startswith(_MAGIC):
            return None
        view = memoryview(data)[_HEADER_SIZE:]
        if _crc32(view) != int.from_bytes(data[len(_MAGIC) : _HEADER_SIZE], "big"):
            return None  # truncated or corrupt
        try:
            fields = marshal.loads(view)
            stored, stamps, links, declared, groups, dists_blob, sources_blob = fields
            if stored != ident:
                return None
            if not (isinstance(groups, dict) and isinstance(declared, dict)):
                return None
            # The stamps are only ever compared: they stay plain tuples.
            links = tuple(Link._make(link) for link in links)
            return cls(ident, stamps, links, groups, declared, dists_blob, sources_blob)
        except (EOFError, ValueError, TypeError):
            return None


def _crc32(data: bytes | memoryview) -> int:
    from zlib import crc32

    return crc32(data)


def _read_dist(dist_path: str, dist_stamp: DistStamp) -> DistRecord:
    entry_points, errors = distributions.read_distribution_entry_points(dist_path)
    # The exact name is read only when shown to users or needed to tell which copy shadows which.
    exact = bool(entry_points) or stem_name(dist_stamp.child) is None
    info = distributions.distribution_info(dist_path, exact_name=exact)
    return _record(dist_stamp, read_link(dist_path), info, entry_points, errors)


def _record(
    dist_stamp: DistStamp,
    link: Link | None,
    info: DistributionInfo,
    entry_points: Sequence[EntryPoint],
    errors: Sequence[str],
) -> DistRecord:
    log_malformed(errors)
    return DistRecord(
        dist_stamp,
        link,
        info.name,
        shadowing_key(dist_stamp.child, info.name),
        info.version,
        tuple((ep.group, ep.name, ep.value) for ep in entry_points),
        tuple(errors),
    )


def _zip_records(entry: str, entry_stamp: Stamp) -> Iterator[tuple[str, DistRecord]]:
    """The distributions in a zip file on the path, read as ``importlib.metadata`` reads them."""
    archive = distributions.ZipEntry.open(entry)
    if archive is None:
        return
    with archive:
        for child in importlib_order(
            [c for c in archive.children if is_metadata_child(c, is_egg(entry))], entry
        ):
            entry_points, errors = archive.entry_points(child)
            dist_stamp = DistStamp(child, entry_stamp, MISSING)
            record = _record(dist_stamp, None, archive.info(child), entry_points, errors)
            yield os.path.join(entry, child), record


def _entry_records(
    entry: str, entry_stamp: Stamp, dist_stamps: tuple[DistStamp, ...], old: dict[str, DistRecord]
) -> Iterator[tuple[str, DistRecord]]:
    """The distributions of one path entry in ``importlib.metadata``'s order, each read again
    only when its stamps differ from ``old``."""
    if entry_stamp == MISSING:
        return
    if not dist_stamps and not os.path.isdir(entry or "."):
        yield from _zip_records(entry, entry_stamp)
        return
    by_child = {dist_stamp.child: dist_stamp for dist_stamp in dist_stamps}
    for child in importlib_order(list(by_child), entry):
        dist_path = os.path.join(entry or ".", child)
        record = old.get(dist_path)
        # A distribution with an editable link is read again: the link's target may have moved.
        if record is None or record.stamp != by_child[child] or record.link is not None:
            record = _read_dist(dist_path, by_child[child])
        yield dist_path, record


def index_environment(
    path: Sequence[str], stamps: Stamps, previous: EntryPointIndex | None = None
) -> EntryPointIndex:
    """Index the distributions on ``path``, whose current stamps are ``stamps`` (scanned before
    any file is read, so that a change during the build makes the next check fail rather than be
    missed).

    Distributions whose stamps equal those in ``previous`` are not read again, nor are the source
    files of declared names whose stamps are unchanged.
    """
    old, _ = previous.dists() if previous is not None else ({}, ())
    records: dict[str, DistRecord] = {}
    for entry, entry_stamp, dist_stamps in stamps:
        records.update(_entry_records(entry, entry_stamp, dist_stamps, old))
    visible = tuple(first_copies((record.key, path) for path, record in records.items()))
    rows: dict[str, list[tuple[str | None, ...]]] = {}
    for dist_path in visible:
        record = records[dist_path]
        for group, ep_name, value in record.entry_points:
            row = IndexedEntryPoint(ep_name, value, group, record.name, record.version, dist_path)
            rows.setdefault(group, []).append(tuple(row))
    links = tuple(record.link for record in records.values() if record.link is not None)
    index = EntryPointIndex(
        identity(path),
        stamps,
        links,
        {group: marshal.dumps(group_rows, _MARSHAL_VERSION) for group, group_rows in rows.items()},
        {},
        marshal.dumps(_plain((records, visible)), _MARSHAL_VERSION),
        previous._sources_blob if previous is not None else b"",
    )
    index.dirty = True
    if previous is not None:
        for group in previous.declared:
            read_declared_names(index, group)
    return index


def declared_names_hold(index: EntryPointIndex, group: str) -> bool:
    """Whether ``group``'s declared names were read and every source read for them (whether or
    not it declared a differing name) is unchanged."""
    sources = index.declared.get(group)
    if sources is None:
        return False
    return all(file_stamp(file) == stamp for file, stamp in sources)


def read_declared_names(index: EntryPointIndex, group: str) -> None:
    """Read the declared names of ``group``'s lower-cased entry points from their sources."""
    # Imported here: reading declared names is rare, and a warm process never does it.
    from plux.runtime._names import DeclaredNameReader

    reader = DeclaredNameReader(index.identity.path, index.sources())
    rows: list[IndexedEntryPoint] = []
    # Every source read is stamped, not only those that declared a differing name: an edit can
    # make a source declare one.
    stamps: dict[str, Stamp] = {}
    for row in index.rows(group):
        declared, file, stamp = reader.read(row.name, row.value)
        if file is not None:
            stamps[file] = stamp
        rows.append(row._replace(declared_name=declared))
    if group in index.groups:
        index.set_rows(group, rows)
    previous_sources = index.sources()
    previous_sources.update(reader.results)
    index.set_sources(previous_sources)
    index.declared[group] = tuple(stamps.items())
    index.dirty = True
