"""The process-wide entry point cache: this interpreter's on-disk index, checked and kept current.

Where the index lives: ``$PLUX_CACHE_DIR`` if set, else the platform's user cache folder
(``$XDG_CACHE_HOME/plux`` or ``~/.cache/plux``; ``~/Library/Caches/plux`` on macOS;
``%LOCALAPPDATA%\\plux\\Cache`` on Windows). ``PLUX_NO_CACHE=1`` switches the file off (the
environment is then read in every process). One file per interpreter, prefix and path list.
The folder (0700) and the file (0600) are trusted only while owned by this user and not writable
by group or others; the file is written atomically.
"""

from __future__ import annotations

import os
import stat
import sys
from _thread import RLock

from plux.runtime.index import (
    EntryPointIndex,
    IndexedEntryPoint,
    build_index,
    declared_names_hold,
    first_copies,
    identity,
    read_declared_names,
    scan_stamps,
)
from plux.runtime.metadata import (
    PATH_FINDER,
    PATH_ONLY,
    EntryPointsResolver,
    distribution_finders,
    find_distributions,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.metadata import Distribution, EntryPoint
    from typing import ClassVar

    from plux.runtime.index import Identity
    from plux.runtime.metadata import FoundDistribution

__all__ = [
    "EntryPointsCache",
    "IndexedEntryPoint",
    "cache_disabled",
    "default_cache_dir",
    "read_index_file",
    "write_index_file",
]

_OFF = ("1", "true", "yes", "on")
_DAMAGED = (EOFError, ValueError, TypeError, IndexError, KeyError, AttributeError)
"""What decoding an index that is intact but not of the expected shape can raise."""


def cache_disabled() -> bool:
    """Whether ``PLUX_NO_CACHE`` switches the on-disk index off."""
    return os.environ.get("PLUX_NO_CACHE", "").strip().lower() in _OFF


def default_cache_dir() -> str:
    """The folder for the index: ``$PLUX_CACHE_DIR``, else the platform's user cache folder."""
    configured = os.environ.get("PLUX_CACHE_DIR")
    if configured:
        return configured
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser(r"~\AppData\Local")
        return os.path.join(base, "plux", "Cache")
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Caches/plux")
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says a relative value is invalid and must be ignored.
    base = xdg if os.path.isabs(xdg) else os.path.expanduser("~/.cache")
    return os.path.join(base, "plux")


_PREFIX, _SUFFIX = "entry-points-", ".index"
_MAX_AGE_NS = 30 * 24 * 3600 * 10**9
_TEMP_PREFIX, _TEMP_SUFFIX = "." + _PREFIX, ".tmp"
_TEMP_MAX_AGE_NS = 24 * 3600 * 10**9
"""A temporary file this old was left by a writer that died before renaming it."""


def index_file_name(ident: Identity) -> str:
    """A file name of its own for each interpreter, prefix, version and path list (and working
    directory, when the path has relative entries such as ``''``: processes started in different
    folders would otherwise take turns rebuilding one file)."""
    from zlib import adler32, crc32

    parts = [ident[1], ident[2], ident[3], *ident[4]]
    if any(not os.path.isabs(entry) for entry in ident[4]):
        try:
            parts.append(os.getcwd())
        except OSError:
            pass
    key = "\0".join(parts).encode("utf-8", "surrogatepass")
    return f"{_PREFIX}{crc32(key):08x}{adler32(key):08x}{_SUFFIX}"


def prune_index_files(directory: str, keep: str) -> None:
    """Remove index files not written for 30 days (of paths no longer used), except ``keep``,
    and temporary files that writers killed before renaming them left behind a day ago."""
    import time

    now = time.time_ns()
    try:
        with os.scandir(directory) as it:
            for entry in it:
                name = entry.name
                if name.startswith(_PREFIX) and name.endswith(_SUFFIX) and name != keep:
                    limit = now - _MAX_AGE_NS
                elif name.startswith(_TEMP_PREFIX) and name.endswith(_TEMP_SUFFIX):
                    limit = now - _TEMP_MAX_AGE_NS
                else:
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                    if st.st_mtime_ns < limit and trusted(st):
                        os.unlink(entry.path)
                except OSError:
                    continue  # e.g. pruned by another process at the same moment
    except OSError:
        pass


def prepare_cache_dir(directory: str) -> bool:
    """Create ``directory`` (and missing parents) with mode 0700; whether it may be used: a real
    folder owned by this user that group and others cannot write to."""
    try:
        st = os.stat(directory)
    except FileNotFoundError:
        missing: list[str] = []
        current = os.path.abspath(directory)
        while not os.path.exists(current):
            missing.append(current)
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        try:
            for folder in reversed(missing):
                try:
                    os.mkdir(folder, 0o700)
                except FileExistsError:
                    pass  # another process starting at the same moment made it: check it below
            st = os.stat(directory)
        except OSError:
            return False
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and trusted(st)


def trusted(st: os.stat_result) -> bool:
    """Whether a file or folder with status ``st`` may be trusted: owned by this user and not
    writable by group or others (where the platform has owners)."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:
        return True
    return st.st_uid == geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read_index_file(file: str, ident: Identity) -> EntryPointIndex | None:
    """The index stored in ``file`` for ``ident``; None when it is missing, unreadable, corrupt,
    truncated, of another format or interpreter, a symlink, or not :func:`trusted`."""
    # O_NONBLOCK: a FIFO in the file's place must not block the process (it is then rejected as
    # not a regular file); for regular files the flag changes nothing.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(file, flags | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not trusted(st):
            return None
        chunks = []
        while chunk := os.read(fd, max(st.st_size, 1 << 16)):
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return EntryPointIndex.from_bytes(b"".join(chunks), ident)


def write_index_file(file: str, index: EntryPointIndex) -> bool:
    """Write ``index`` to ``file`` atomically (a private temporary file in the same folder, then
    ``os.replace``), with mode 0600. An existing ``file`` that is not :func:`trusted` is left alone.
    Returns whether the index was written; failing to write is never an error."""
    try:
        st = os.lstat(file)
        if not stat.S_ISREG(st.st_mode) or not trusted(st):
            return False
    except FileNotFoundError:
        pass
    except OSError:
        return False
    data = index.to_bytes()
    directory, name = os.path.split(file)
    temp = os.path.join(directory, f".{name}.{os.getpid()}.{os.urandom(6).hex()}{_TEMP_SUFFIX}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(temp, flags | getattr(os, "O_BINARY", 0), 0o600)
    except OSError:
        return False
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(temp, file)
    except OSError:
        try:
            os.unlink(temp)
        except OSError:
            pass
        return False
    index.dirty = False
    return True


class EntryPointsCache(EntryPointsResolver):
    """The entry points of the environment, served from the on-disk index.

    ``EntryPointsCache.instance()`` is the process-wide one. It checks the index against the
    environment once, and again whenever ``sys.path`` differs from the path the index was built
    for, or when :meth:`refresh` is called (or ``_cache.clear()``, as LocalStack does after
    installing an extension). A cache directory that cannot be used or written never makes it
    fail: it then keeps the index in memory only. Distributions that finders on
    ``sys.meta_path`` other than the standard path finder provide cannot be stamped: they are
    asked for once per check, through ``importlib.metadata``.
    """

    _instance: ClassVar[EntryPointsCache | None] = None
    _instance_lock: ClassVar[RLock] = RLock()

    def __init__(
        self,
        cache_dir: str | None = None,
        path: Sequence[str] | None = None,
        use_disk: bool | None = None,
    ) -> None:
        """:param cache_dir: folder of the index file (default: :func:`default_cache_dir`)
        :param path: the path to index (default: ``sys.path`` as it is at each call)
        :param use_disk: whether to read and write the index file (default: unless
            ``PLUX_NO_CACHE`` is set)
        """
        self._cache_dir = cache_dir
        self._path = tuple(path) if path is not None else None
        self._use_disk = use_disk
        self._lock = RLock()
        self._cache: dict[tuple[str, ...], EntryPointIndex] = {}
        """The checked index of the path last asked about; clearing it makes the next call check
        the environment again (plux 1.16 kept its entry points here too)."""
        self._dir_ok: dict[str, bool] = {}
        self._derived_from: EntryPointIndex | None = None
        self._checked: set[str] = set()
        self._entry_points: dict[str, list[EntryPoint]] | None = None
        self._found: dict[tuple[object, ...], list[FoundDistribution]] = {}
        self._distributions: dict[str, Distribution] = {}

    @classmethod
    def instance(cls) -> EntryPointsCache:
        """The process-wide cache (created on first use)."""
        instance = cls._instance
        if instance is None:
            with cls._instance_lock:
                instance = cls._instance
                if instance is None:
                    instance = cls._instance = cls()
        return instance

    def entry_points_of(self, group: str) -> list[IndexedEntryPoint]:
        """The entry points of ``group`` in the order ``importlib.metadata`` gives them,
        including every distribution's entry of a name that several register (the first one is
        the one that counts)."""
        with self._lock:
            try:
                return self._entry_points_of(group)
            except _DAMAGED:
                # A file that passed its checksum but does not decode (written by hand?): start
                # afresh; a second failure is a real error and propagates.
                self._load(self._current_path(), trust_file=False)
                return self._entry_points_of(group)

    def _entry_points_of(self, group: str) -> list[IndexedEntryPoint]:
        index = self._current()
        if group not in self._checked:
            if not declared_names_hold(index, group):
                read_declared_names(index, group, index.identity[4])
            self._checked.add(group)
        self._save(index)
        finders = distribution_finders()
        if finders == PATH_ONLY:
            return list(index.rows(group))
        return self._with_found(index, group, finders)

    def _found_by(
        self, index: EntryPointIndex, finders: tuple[object, ...]
    ) -> list[FoundDistribution]:
        found = self._found.get(finders)
        if found is None:
            found = self._found[finders] = find_distributions(finders, index.identity[4])
            self._distributions.update((f.path, f.distribution) for f in found if f.path)
        return found

    def _with_found(
        self, index: EntryPointIndex, group: str, finders: tuple[object, ...]
    ) -> list[IndexedEntryPoint]:
        """``group``'s entries when other finders provide distributions too: each finder's in
        ``sys.meta_path`` order, the first copy of a distribution counting."""
        found = self._found_by(index, finders)
        records, visible = index.dists()
        by_path: dict[str, list[IndexedEntryPoint]] = {}
        for row in index.rows(group):
            by_path.setdefault(row.path, []).append(row)
        keyed: list[tuple[str, list[IndexedEntryPoint]]] = []
        for finder in finders:
            if finder is PATH_FINDER:
                keyed.extend((records[p][3], by_path.get(p, [])) for p in visible)
            else:
                keyed.extend((f.key, f.rows(group)) for f in found if f.finder is finder)
        return [row for rows in first_copies(keyed) for row in rows]

    def groups(self) -> list[str]:
        """The entry point groups present in the environment."""
        with self._lock:
            index = self._current()
            groups = set(index.groups)
            for found in self._found_by(index, distribution_finders()):
                groups.update(found.groups())
            return sorted(groups)

    def errors(self) -> list[str]:
        """The malformed lines in the visible distributions' entry points, each naming its file
        and line number (they are also logged as warnings when first read)."""
        with self._lock:
            return self._current().errors()

    def get_entry_points(self) -> dict[str, list[EntryPoint]]:
        """Every entry point of the environment as ``{group: [importlib.metadata.EntryPoint]}``,
        each bound to its distribution. Imports ``importlib.metadata``; prefer
        :meth:`entry_points_of`, which does not."""
        with self._lock:
            self._current()
            if self._entry_points is None:
                from plux.runtime.metadata import bind_entry_point

                result: dict[str, list[EntryPoint]] = {}
                for group in self.groups():
                    rows = self.entry_points_of(group)
                    if rows:
                        result[group] = [
                            bind_entry_point(row, self.distribution(row.path)) for row in rows
                        ]
                self._entry_points = result
            return {group: list(eps) for group, eps in self._entry_points.items()}

    def distribution(self, path: str) -> Distribution:
        """``importlib.metadata``'s distribution for an entry point's ``path``."""
        with self._lock:
            if path not in self._distributions:
                from plux.runtime.metadata import distribution_at

                self._distributions[path] = distribution_at(path)
            return self._distributions[path]

    def _build_and_store_index(
        self, cache_dir: str | os.PathLike[str]
    ) -> dict[str, list[EntryPoint]]:
        """Write :meth:`get_entry_points` as an ``entry_points.txt`` text into ``cache_dir``, and
        return it: plux 1.16's way of storing its index, kept for its callers (its own suite)."""
        from plux.runtime.metadata import serialize_entry_points_text

        index = self.get_entry_points()
        name = index_file_name(identity(self._current_path()))[: -len(_SUFFIX)]
        file = os.path.join(os.fspath(cache_dir), f"{name}.entry_points.txt")
        with open(file, "w", encoding="utf-8") as fh:
            fh.write(serialize_entry_points_text(index))
        return index

    def refresh(self) -> None:
        """Check the environment again now (after installing or removing distributions in this
        process, or changing an ``entry_points.txt``)."""
        with self._lock:
            self._load(self._current_path())

    @property
    def index_file(self) -> str | None:
        """The file this cache reads and writes for the current path (None when switched off)."""
        return self._index_file(identity(self._current_path()))

    def _current_path(self) -> tuple[str, ...]:
        return self._path if self._path is not None else tuple(sys.path)

    def _current(self) -> EntryPointIndex:
        path = self._current_path()
        index = self._cache.get(path)
        if index is None:
            index = self._load(path)
        if index is not self._derived_from:
            # A new check: what was derived from the previous index is forgotten.
            self._derived_from = index
            self._checked = set()
            self._entry_points = None
            self._found = {}
            self._distributions = {}
        return index

    def _load(self, path: tuple[str, ...], trust_file: bool = True) -> EntryPointIndex:
        ident = identity(path)
        file = self._index_file(ident)
        stamps = scan_stamps(path)
        stored = read_index_file(file, ident) if file is not None and trust_file else None
        previous = (stored or self._derived_from) if trust_file else None
        try:
            if stored is not None and stored.holds(stamps):
                index = stored
            else:
                index = build_index(path, stamps, previous)
        except _DAMAGED:
            index = build_index(path, stamps, None)
        self._cache.clear()
        self._cache[path] = index
        self._save(index)
        return index

    def _save(self, index: EntryPointIndex) -> None:
        if not index.dirty:
            return
        file = self._index_file(index.identity)
        if file is not None:
            created = not os.path.lexists(file)
            if write_index_file(file, index) and created:
                # a new path list: a good moment to drop the files of long unused ones
                prune_index_files(os.path.dirname(file), os.path.basename(file))
        index.dirty = False  # a failed write is not retried in this process

    def _index_file(self, ident: Identity) -> str | None:
        use_disk = self._use_disk if self._use_disk is not None else not cache_disabled()
        if not use_disk:
            return None
        directory = self._cache_dir or default_cache_dir()
        ok = self._dir_ok.get(directory)
        if ok is None:
            ok = self._dir_ok[directory] = prepare_cache_dir(directory)
        return os.path.join(directory, index_file_name(ident)) if ok else None
