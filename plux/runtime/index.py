"""The entry point index: every entry point on the path, valid while its change stamps hold.

An index is built from the distributions' metadata folders and records the exact stamps
(``st_mtime_ns`` and ``st_size``) of each path entry, each ``*.dist-info``/``*.egg-info`` folder
and its ``entry_points.txt``. A process that finds the same stamps trusts the index without reading
a single metadata file; any difference (even one nanosecond, or a size with the old mtime) means a
rebuild, which re-reads only the distributions whose stamps changed.
"""

from __future__ import annotations

import marshal
import os
import stat
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import NamedTuple

    from plux.runtime.names import SourceResults

__all__ = ["INDEX_FORMAT", "EntryPointIndex", "IndexedEntryPoint", "build_index", "scan_stamps"]

INDEX_FORMAT = 1
"""Bumped whenever the layout of the file changes: an index of another format is ignored."""

_MAGIC = b"PLUXIDX" + bytes((INDEX_FORMAT,))
_HEADER_SIZE = len(_MAGIC) + 4  # magic, then the CRC-32 of the marshalled payload
_MARSHAL_VERSION = 4
_SUFFIXES = (".dist-info", ".egg-info")
_ENTRY_POINTS = os.sep + "entry_points.txt"
_LINK_FILE = "entry_points_editable.txt"


_FIELDS = ("name", "value", "group", "distribution", "version", "path", "declared_name")

if TYPE_CHECKING:

    class IndexedEntryPoint(NamedTuple):
        """One entry point of the environment, with where it comes from."""

        name: str
        value: str
        group: str
        distribution: str
        version: str
        path: str
        declared_name: str | None

else:

    class IndexedEntryPoint(tuple):
        """One entry point of the environment, with where it comes from (a named tuple).

        ``name``, ``value``, ``group``; ``distribution`` and ``version`` as the distribution's
        metadata spells them; ``path``, its ``*.dist-info``/``*.egg-info`` folder; and
        ``declared_name``, the name the plugin declares in its source when the entry point's
        name is a lower-cased copy of it (plux 1.16 wrote such names), else None.

        Written out rather than made with typing.NamedTuple, whose import would cost a warm
        process more than everything else it does.
        """

        __slots__ = ()
        _fields = _FIELDS

        def __new__(cls, name, value, group, distribution, version, path, declared_name=None):
            return tuple.__new__(
                cls, (name, value, group, distribution, version, path, declared_name)
            )

        @classmethod
        def _make(cls, iterable):
            result = tuple.__new__(cls, iterable)
            if len(result) != len(_FIELDS):
                raise TypeError(f"expected {len(_FIELDS)} fields, got {len(result)}")
            return result

        def _replace(self, **changes):
            result = self._make(map(changes.pop, _FIELDS, self))
            if changes:
                raise ValueError(f"unknown field names: {sorted(changes)}")
            return result

        def _asdict(self):
            return dict(zip(_FIELDS, self, strict=True))

        def __getnewargs__(self):
            return tuple(self)

        def __repr__(self):
            fields = ", ".join(f"{f}={v!r}" for f, v in zip(_FIELDS, self, strict=True))
            return f"IndexedEntryPoint({fields})"

    def _field(position):
        return property(lambda self: self[position], doc=f"Alias for field {position}")

    for _position, _name in enumerate(_FIELDS):
        setattr(IndexedEntryPoint, _name, _field(_position))
    del _position, _name


Row = tuple[str, str, str, str, str, str, "str | None"]
DistStamp = tuple[str, int, int, int, int]
"""A metadata folder's name, its mtime_ns and size, and those of its ``entry_points.txt``."""
EntryStamp = tuple[str, int, int, tuple[DistStamp, ...]]
"""A path entry, its own mtime_ns and size, and the stamps of the metadata folders in it."""
Stamps = tuple[EntryStamp, ...]
Link = tuple[str, int, int, str, int, int]
"""An editable install's link file and its stamp, the file it names and that file's stamp."""
DistRecord = tuple[
    DistStamp, "Link | None", str, str, str, tuple[tuple[str, str, str], ...], tuple[str, ...]
]
"""Stamp, link, name, normalised name, version, entry points (group, name, value), errors."""
Identity = tuple[int, str, str, str, tuple[str, ...]]


def identity(path: Sequence[str]) -> Identity:
    """What an index belongs to: format, interpreter, its prefix (the venv), version, path list."""
    return (INDEX_FORMAT, sys.executable, sys.prefix, sys.version, tuple(path))


def _stamp(path: str) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return -1, -1
    return st.st_mtime_ns, st.st_size


def scan_stamps(path: Sequence[str]) -> Stamps:
    """The current stamps of ``path``'s entries and the distribution metadata folders in them.

    This is the whole warm-path check: one ``scandir`` per entry and two ``stat`` calls per
    distribution; no file is opened.
    """
    result: list[EntryStamp] = []
    for entry in path:
        directory = entry or "."
        try:
            st = os.stat(directory)
        except OSError:
            result.append((entry, -1, -1, ()))
            continue
        dists: list[DistStamp] = []
        if stat.S_ISDIR(st.st_mode):
            try:
                with os.scandir(directory) as it:
                    for d in it:
                        if d.name.lower().endswith(_SUFFIXES) and d.is_dir():
                            ds = d.stat()
                            ep = _stamp(d.path + _ENTRY_POINTS)
                            dists.append((d.name, ds.st_mtime_ns, ds.st_size, ep[0], ep[1]))
            except OSError:
                dists = []
            dists.sort()
        result.append((entry, st.st_mtime_ns, st.st_size, tuple(dists)))
    return tuple(result)


def _link(dist_path: str) -> Link | None:
    link_file = os.path.join(dist_path, _LINK_FILE)
    link_ns, link_size = _stamp(link_file)
    if link_size < 0:
        return None
    try:
        with open(link_file, encoding="utf-8") as fh:
            target = fh.read().strip()
    except (OSError, ValueError):
        target = ""
    target_ns, target_size = _stamp(target) if target else (-1, -1)
    return (link_file, link_ns, link_size, target, target_ns, target_size)


def _link_holds(link: Link) -> bool:
    return _stamp(link[0]) == link[1:3] and (not link[3] or _stamp(link[3]) == link[4:6])


class EntryPointIndex:
    """An index in memory. Each group's entries are decoded on first use (a process that manages
    one namespace decodes only that one)."""

    def __init__(
        self,
        ident: Identity,
        stamps: Stamps,
        links: tuple[Link, ...],
        groups: dict[str, bytes],
        declared: dict[str, tuple[tuple[str, int, int], ...]],
        dists_blob: bytes,
        sources_blob: bytes,
    ) -> None:
        self.identity = ident
        self.stamps = stamps
        self.links = links
        self.groups = groups
        self.declared = declared
        """Groups whose declared names were read: the source stamps of those that declare one."""
        self._dists_blob = dists_blob
        self._sources_blob = sources_blob
        self._rows: dict[str, list[IndexedEntryPoint]] = {}
        self.dirty = False
        """Whether this index differs from the file it came from (and should be written)."""

    def holds(self, stamps: Stamps) -> bool:
        """Whether the environment still is what this index was built from."""
        return self.stamps == stamps and all(_link_holds(link) for link in self.links)

    def rows(self, group: str) -> list[IndexedEntryPoint]:
        """The entries of ``group`` in path order (shared: copy before handing out)."""
        rows = self._rows.get(group)
        if rows is None:
            blob = self.groups.get(group)
            decoded: list[Row] = marshal.loads(blob) if blob else []
            rows = self._rows[group] = [IndexedEntryPoint._make(row) for row in decoded]
        return rows

    def set_rows(self, group: str, rows: list[IndexedEntryPoint]) -> None:
        self._rows[group] = rows
        self.groups[group] = marshal.dumps([tuple(r) for r in rows], _MARSHAL_VERSION)
        self.dirty = True

    def dists(self) -> dict[str, DistRecord]:
        """Per metadata folder: what was read from it (for incremental rebuilds and errors)."""
        decoded: dict[str, DistRecord] = marshal.loads(self._dists_blob)
        return decoded

    def sources(self) -> SourceResults:
        """The declared names read from source files, with those files' stamps."""
        decoded: SourceResults = marshal.loads(self._sources_blob) if self._sources_blob else {}
        return decoded

    def set_sources(self, sources: SourceResults) -> None:
        self._sources_blob = marshal.dumps(sources, _MARSHAL_VERSION)
        self.dirty = True

    def errors(self) -> list[str]:
        """The malformed lines (file and line number) of the visible distributions' entry points."""
        records = self.dists()
        seen: set[str] = set()
        errors: list[str] = []
        for entry, _, _, dist_stamps in self.stamps:
            for dist_stamp in dist_stamps:
                record = records.get(os.path.join(entry or ".", dist_stamp[0]))
                if record is not None and record[3] not in seen:
                    seen.add(record[3])
                    errors.extend(record[6])
        return errors

    def to_bytes(self) -> bytes:
        payload = marshal.dumps(
            (
                self.identity,
                self.stamps,
                self.links,
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
            return cls(stored, stamps, links, groups, declared, dists_blob, sources_blob)
        except (EOFError, ValueError, TypeError):
            return None


def _crc32(data: bytes | memoryview) -> int:
    from zlib import crc32

    return crc32(data)


def _read_dist(dist_path: str, dist_stamp: DistStamp) -> DistRecord:
    from plux.runtime import metadata

    entry_points, errors = metadata.read_distribution_entry_points(dist_path)
    # Only a distribution with entry points is ever named to users: read its exact name then.
    info = metadata.distribution_info(dist_path, exact_name=bool(entry_points))
    normalized = metadata.normalize_name(info.name)
    metadata.log_malformed(errors)
    return (
        dist_stamp,
        _link(dist_path),
        info.name,
        normalized,
        info.version,
        tuple((ep.group, ep.name, ep.value) for ep in entry_points),
        tuple(errors),
    )


def build_index(
    path: Sequence[str], stamps: Stamps, previous: EntryPointIndex | None = None
) -> EntryPointIndex:
    """Build the index of ``path`` whose current stamps are ``stamps`` (scanned before any file is
    read, so that a change during the build makes the next check fail rather than be missed).

    Distributions whose stamps equal those in ``previous`` are not read again, nor are the source
    files of declared names whose stamps are unchanged.
    """
    old = previous.dists() if previous is not None else {}
    records: dict[str, DistRecord] = {}
    rows: dict[str, list[Row]] = {}
    seen: set[str] = set()
    for entry, _, _, dist_stamps in stamps:
        for dist_stamp in dist_stamps:
            dist_path = os.path.join(entry or ".", dist_stamp[0])
            record = old.get(dist_path)
            if record is None or record[0] != dist_stamp or record[1] is not None:
                record = _read_dist(dist_path, dist_stamp)
            records[dist_path] = record
            if record[3] in seen:
                continue  # shadowed by a distribution of the same name earlier on the path
            seen.add(record[3])
            name, version = record[2], record[4]
            for group, ep_name, value in record[5]:
                rows.setdefault(group, []).append(
                    (ep_name, value, group, name, version, dist_path, None)
                )
    links = tuple(r[1] for r in records.values() if r[1] is not None)
    index = EntryPointIndex(
        identity(path),
        stamps,
        links,
        {group: marshal.dumps(group_rows, _MARSHAL_VERSION) for group, group_rows in rows.items()},
        {},
        marshal.dumps(records, _MARSHAL_VERSION),
        previous._sources_blob if previous is not None else b"",
    )
    index.dirty = True
    if previous is not None:
        for group in previous.declared:
            read_declared_names(index, group, path)
    return index


def declared_names_hold(index: EntryPointIndex, group: str) -> bool:
    """Whether ``group``'s declared names were read and every source that declares one is
    unchanged (sources without a declared name are not checked)."""
    sources = index.declared.get(group)
    if sources is None:
        return False
    return all(_stamp(file) == (ns, size) for file, ns, size in sources)


def read_declared_names(index: EntryPointIndex, group: str, path: Sequence[str]) -> None:
    """Read the declared names of ``group``'s lower-cased entry points from their sources."""
    from plux.runtime.names import DeclaredNameReader

    reader = DeclaredNameReader(path, index.sources())
    rows: list[IndexedEntryPoint] = []
    stamps: list[tuple[str, int, int]] = []
    for row in index.rows(group):
        declared, file, ns, size = reader.read(row.name, row.value)
        if declared is not None and file is not None:
            stamps.append((file, ns, size))
        rows.append(row._replace(declared_name=declared))
    if group in index.groups:
        index.set_rows(group, rows)
    previous_sources = index.sources()
    previous_sources.update(reader.results)
    index.set_sources(previous_sources)
    index.declared[group] = tuple(stamps)
    index.dirty = True
