"""The entry point index: every entry point on the path, valid while its change stamps hold.

An index is built from the distributions' metadata and records the exact stamps (mtime and
ctime in nanoseconds, size and inode) of each path entry, each metadata folder found in it and
its ``entry_points.txt``. A process that finds the same stamps trusts the index without reading
a single metadata file; any difference (an edit that keeps size and mtime still moves the ctime,
a replaced file its inode) means a rebuild, which re-reads only the distributions whose stamps
changed. Which distributions count, and in which order, follows ``importlib.metadata``
(:func:`importlib_order`, :func:`first_copies`).
"""

from __future__ import annotations

import marshal
import os
import stat
import sys

from plux.runtime.metadata import EDITABLE_LINK_FILE, ENTRY_POINTS_FILE, METADATA_SUFFIXES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from typing import NamedTuple, TypeVar

    from plux.core.entrypoint import EntryPoint as _EntryPoint
    from plux.runtime.metadata import DistributionInfo
    from plux.runtime.names import SourceResults

    T = TypeVar("T")

__all__ = [
    "INDEX_FORMAT",
    "EntryPointIndex",
    "IndexedEntryPoint",
    "build_index",
    "first_copies",
    "importlib_order",
    "scan_stamps",
]

INDEX_FORMAT = 2
"""Bumped whenever the layout of the file changes: an index of another format is ignored."""

_MAGIC = b"PLUXIDX" + bytes((INDEX_FORMAT,))
_HEADER_SIZE = len(_MAGIC) + 4  # magic, then the CRC-32 of the marshalled payload
_MARSHAL_VERSION = 4
_ENTRY_POINTS = os.sep + ENTRY_POINTS_FILE


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
Stamp = tuple[int, int, int, int]
"""A file's mtime_ns, ctime_ns, size and inode; :data:`MISSING` when it cannot be stat'ed."""
MISSING: Stamp = (-1, -1, -1, -1)
DistStamp = tuple[str, Stamp, Stamp]
"""A metadata folder's name (as listed), its stamp and that of its ``entry_points.txt``."""
EntryStamp = tuple[str, Stamp, tuple[DistStamp, ...]]
"""A path entry, its own stamp, and the stamps of the metadata folders in it in listing order."""
Stamps = tuple[EntryStamp, ...]
Link = tuple[str, Stamp, str, Stamp]
"""An editable install's link file and its stamp, the file it names and that file's stamp."""
DistRecord = tuple[
    DistStamp, "Link | None", str, str, str, tuple[tuple[str, str, str], ...], tuple[str, ...]
]
"""Stamp, link, name, shadowing key, version, entry points (group, name, value), errors."""
Identity = tuple[int, str, str, str, tuple[str, ...]]


def identity(path: Sequence[str]) -> Identity:
    """What an index belongs to: format, interpreter, its prefix (the venv), version, path list."""
    return (INDEX_FORMAT, sys.executable, sys.prefix, sys.version, tuple(path))


def file_stamp(path: str) -> Stamp:
    """The stamp of ``path`` (following links), or :data:`MISSING`."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return MISSING
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


def is_egg(entry: str) -> bool:
    """Whether path entry ``entry`` is an ``.egg`` (whose ``EGG-INFO`` holds its metadata)."""
    return os.path.basename(entry).lower().endswith(".egg")


def is_metadata_child(name: str, in_egg: bool) -> bool:
    """Whether ``importlib.metadata`` takes the child ``name`` of a path entry for a
    distribution's metadata: any ``*.dist-info``/``*.egg-info`` (folder, file or dangling link),
    and the ``EGG-INFO`` of an ``.egg``."""
    low = name.lower()
    return low.endswith(METADATA_SUFFIXES) or (in_egg and low == "egg-info")


def scan_stamps(path: Sequence[str]) -> Stamps:
    """The current stamps of ``path``'s entries and the distribution metadata in them.

    This is the whole warm-path check: one ``scandir`` per entry and two ``stat`` calls per
    distribution; no file is opened. A zip file on the path is stamped as a whole.
    """
    result: list[EntryStamp] = []
    for entry in path:
        directory = entry or "."
        try:
            st = os.stat(directory)
        except (OSError, ValueError):
            result.append((entry, MISSING, ()))
            continue
        dists: list[DistStamp] = []
        if stat.S_ISDIR(st.st_mode):
            in_egg = is_egg(entry)
            try:
                with os.scandir(directory) as it:
                    for d in it:
                        if is_metadata_child(d.name, in_egg):
                            ep = file_stamp(d.path + _ENTRY_POINTS)
                            dists.append((d.name, file_stamp(d.path), ep))
            except OSError:
                dists = []
        stamp = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
        result.append((entry, stamp, tuple(dists)))
    return tuple(result)


def importlib_order(children: Sequence[str], entry: str) -> list[str]:
    """The metadata children of path entry ``entry`` (listed in ``children``' order) in the
    order ``importlib.metadata`` takes them: by listing order of each name's first copy, the
    copies of one name together, then an ``.egg``'s ``EGG-INFO``."""
    from plux.runtime.metadata import normalize_name

    by_name: dict[str, list[str]] = {}
    eggs: list[str] = []
    in_egg = is_egg(entry)
    for child in children:
        low = child.lower()
        if low.endswith(METADATA_SUFFIXES):
            key = normalize_name(low.rpartition(".")[0].partition("-")[0])
            by_name.setdefault(key, []).append(child)
        elif in_egg and low == "egg-info":
            eggs.append(child)
    return [child for copies in by_name.values() for child in copies] + eggs


def stem_name(child: str) -> str | None:
    """The distribution name in a metadata folder name ``name-version.dist-info`` (or
    ``.egg-info``, suffix in exactly that case), or None (``EGG-INFO``)."""
    stem, dot, suffix = child.rpartition(".")
    return stem.partition("-")[0] if dot and "." + suffix in METADATA_SUFFIXES else None


def shadowing_key(child: str, metadata_name: str) -> str:
    """The name under which a distribution shadows later copies, as ``importlib.metadata``
    decides: its :func:`stem_name`, else the ``Name`` in its metadata; normalised."""
    from plux.runtime.metadata import normalize_name

    return normalize_name(stem_name(child) or metadata_name)


def first_copies(keyed: Iterable[tuple[str, T]]) -> Iterator[T]:
    """The items of ``(key, item)`` pairs whose key was not seen before: the first copy of a
    distribution on the path wins, later ones are shadowed (the one place this rule lives)."""
    seen: set[str] = set()
    for key, item in keyed:
        if key not in seen:
            seen.add(key)
            yield item


def _link(dist_path: str) -> Link | None:
    link_file = os.path.join(dist_path, EDITABLE_LINK_FILE)
    link_stamp = file_stamp(link_file)
    if link_stamp == MISSING:
        return None
    try:
        with open(link_file, encoding="utf-8") as fh:
            target = fh.read().strip()
    except (OSError, ValueError):
        target = ""
    return (link_file, link_stamp, target, file_stamp(target) if target else MISSING)


def _link_holds(link: Link) -> bool:
    return file_stamp(link[0]) == link[1] and (not link[2] or file_stamp(link[2]) == link[3])


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
        self.stamps = stamps
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

    def dists(self) -> tuple[dict[str, DistRecord], tuple[str, ...]]:
        """Per metadata folder, what was read from it (for incremental rebuilds and errors); and
        the folders that count (shadowed copies left out), in path order."""
        records, visible = marshal.loads(self._dists_blob)
        return records, visible

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
        return [error for dist_path in visible for error in records[dist_path][6]]

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
    # The exact name is read only when shown to users or needed to tell which copy shadows which.
    exact = bool(entry_points) or stem_name(dist_stamp[0]) is None
    info = metadata.distribution_info(dist_path, exact_name=exact)
    return _record(dist_stamp, _link(dist_path), info, entry_points, errors)


def _record(
    dist_stamp: DistStamp,
    link: Link | None,
    info: DistributionInfo,
    entry_points: Sequence[_EntryPoint],
    errors: Sequence[str],
) -> DistRecord:
    from plux.runtime import metadata

    metadata.log_malformed(errors)
    return (
        dist_stamp,
        link,
        info.name,
        shadowing_key(dist_stamp[0], info.name),
        info.version,
        tuple((ep.group, ep.name, ep.value) for ep in entry_points),
        tuple(errors),
    )


def _zip_records(entry: str, entry_stamp: Stamp) -> Iterator[tuple[str, DistRecord]]:
    """The distributions in a zip file on the path, read as ``importlib.metadata`` reads them."""
    from plux.runtime.metadata import ZipEntry

    archive = ZipEntry.open(entry)
    if archive is None:
        return
    with archive:
        for child in importlib_order(
            [c for c in archive.children if is_metadata_child(c, is_egg(entry))], entry
        ):
            entry_points, errors = archive.entry_points(child)
            dist_stamp: DistStamp = (child, entry_stamp, MISSING)
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
    by_child = {dist_stamp[0]: dist_stamp for dist_stamp in dist_stamps}
    for child in importlib_order(list(by_child), entry):
        dist_path = os.path.join(entry or ".", child)
        record = old.get(dist_path)
        if record is None or record[0] != by_child[child] or record[1] is not None:
            record = _read_dist(dist_path, by_child[child])
        yield dist_path, record


def build_index(
    path: Sequence[str], stamps: Stamps, previous: EntryPointIndex | None = None
) -> EntryPointIndex:
    """Build the index of ``path`` whose current stamps are ``stamps`` (scanned before any file is
    read, so that a change during the build makes the next check fail rather than be missed).

    Distributions whose stamps equal those in ``previous`` are not read again, nor are the source
    files of declared names whose stamps are unchanged.
    """
    old = previous.dists()[0] if previous is not None else {}
    records: dict[str, DistRecord] = {}
    for entry, entry_stamp, dist_stamps in stamps:
        records.update(_entry_records(entry, entry_stamp, dist_stamps, old))
    visible = tuple(first_copies((record[3], path) for path, record in records.items()))
    rows: dict[str, list[Row]] = {}
    for dist_path in visible:
        _, _, name, _, version, entry_points, _ = records[dist_path]
        for group, ep_name, value in entry_points:
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
        marshal.dumps((records, visible), _MARSHAL_VERSION),
        previous._sources_blob if previous is not None else b"",
    )
    index.dirty = True
    if previous is not None:
        for group in previous.declared:
            read_declared_names(index, group, path)
    return index


def declared_names_hold(index: EntryPointIndex, group: str) -> bool:
    """Whether ``group``'s declared names were read and every source read for them (whether or
    not it declared a differing name) is unchanged."""
    sources = index.declared.get(group)
    if sources is None:
        return False
    return all(file_stamp(file) == stamp for file, stamp in sources)


def read_declared_names(index: EntryPointIndex, group: str, path: Sequence[str]) -> None:
    """Read the declared names of ``group``'s lower-cased entry points from their sources."""
    from plux.runtime.names import DeclaredNameReader

    reader = DeclaredNameReader(path, index.sources())
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
