"""The process-wide entry point cache: this interpreter's index, checked and kept current.

The index lives in a file (:mod:`plux.runtime._index_file`; written by
:mod:`plux.runtime._index_write`) that a warm process reads instead of
scanning every installed distribution; distributions of other finders on ``sys.meta_path`` are
asked for through ``importlib.metadata`` (:mod:`plux.runtime._finders`, imported only then).
"""

from __future__ import annotations

import os
import sys
from _thread import RLock

from plux.runtime._index import EntryPointIndex, IndexedEntryPoint, identity
from plux.runtime._index_file import (
    DamagedIndex,
    cache_disabled,
    default_cache_dir,
    index_file_name,
    mark_used,
    prepare_cache_dir,
    read_trusted,
    trusted,
)
from plux.runtime._stamps import PATH_ONLY, distribution_finders

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from importlib.metadata import Distribution, EntryPoint
    from typing import ClassVar, TypeVar

    from plux.runtime._finders import FoundDistribution
    from plux.runtime._index import Identity

    T = TypeVar("T")

__all__ = [
    "EntryPointsCache",
    "IndexedEntryPoint",
]


class EntryPointsResolver:
    """Something that knows the entry points of an environment."""

    def get_entry_points(self) -> dict[str, list[EntryPoint]]:
        """Return ``{group: [importlib.metadata.EntryPoint, ...]}``."""
        raise NotImplementedError


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
        self._cwd: str | None = None
        """The working directory the current index was checked in, when the path has relative
        entries (``''``)."""
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
        return self._answer(lambda: self._entry_points_of(group))

    def _answer(self, compute: Callable[[], T]) -> T:
        """``compute()`` under the lock. The one place that handles an index file whose blocks
        do not decode (:class:`DamagedIndex`): rewritten in place by another program since it
        was opened, it is read again; damaged, the environment is indexed afresh and the file
        rewritten. Any other error propagates."""
        with self._lock:
            try:
                return compute()
            except DamagedIndex:
                pass
            try:
                self._load(self._current_path())
                return compute()
            except DamagedIndex:
                self._save(self._load(self._current_path(), trust_file=False))
                return compute()

    def _entry_points_of(self, group: str) -> list[IndexedEntryPoint]:
        # saved once, below: a first process writes its index after completing the group
        index = self._current(save=False)
        if group not in self._checked:
            if not index.completion_holds(group):
                from plux.runtime._index_completion import complete_group

                complete_group(index, group)
            self._checked.add(group)
        self._save(index)
        finders = distribution_finders()
        if finders == PATH_ONLY:
            return list(index.rows(group))
        from plux.runtime._finders import with_found

        return with_found(index, group, finders, self._found_by(index, finders))

    def _found_by(
        self, index: EntryPointIndex, finders: tuple[object, ...]
    ) -> list[FoundDistribution]:
        if finders == PATH_ONLY:
            return []  # the index holds them all: importlib.metadata is not imported
        found = self._found.get(finders)
        if found is None:
            from plux.runtime._finders import find_distributions

            found = self._found[finders] = find_distributions(finders, index.identity.path)
            self._distributions.update((f.path, f.distribution) for f in found if f.path)
        return found

    def groups(self) -> list[str]:
        """The entry point groups present in the environment."""
        return self._answer(self._groups)

    def _groups(self) -> list[str]:
        index = self._current()
        groups = set(index.groups)
        for found in self._found_by(index, distribution_finders()):
            groups.update(found.groups())
        return sorted(groups)

    def errors(self) -> list[str]:
        """The malformed lines in the visible distributions' entry points, each naming its file
        and line number (they are also logged as warnings when first read)."""
        return self._answer(lambda: self._current().errors())

    def get_entry_points(self) -> dict[str, list[EntryPoint]]:
        """Every entry point of the environment as ``{group: [importlib.metadata.EntryPoint]}``,
        each bound to its distribution. Imports ``importlib.metadata``; prefer
        :meth:`entry_points_of`, which does not."""
        from plux.runtime._finders import bind_entry_point

        with self._lock:
            self._answer(self._current)
            if self._entry_points is None:
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
                from plux.runtime._finders import distribution_at

                self._distributions[path] = distribution_at(path)
            return self._distributions[path]

    def _build_and_store_index(
        self, cache_dir: str | os.PathLike[str]
    ) -> dict[str, list[EntryPoint]]:
        """Write :meth:`get_entry_points` as an ``entry_points.txt`` text into ``cache_dir``, and
        return it: plux 1.16's way of storing its index, kept for its callers (its own suite)."""
        from plux.core._entry_points_text import serialize_entry_points_text

        index = self.get_entry_points()
        name = os.path.splitext(index_file_name(identity(self._current_path())))[0]
        file = os.path.join(os.fspath(cache_dir), f"{name}.entry_points.txt")
        with open(file, "w", encoding="utf-8") as fh:
            fh.write(serialize_entry_points_text(index))
        return index

    def refresh(self) -> None:
        """Check every installed distribution again now (after installing or removing
        distributions in this process, or editing an ``entry_points.txt``)."""
        self._answer(lambda: self._save(self._load(self._current_path())))

    @property
    def index_file(self) -> str | None:
        """The file this cache reads and writes for the current path (None when switched off)."""
        return self._index_file(identity(self._current_path()), create=True)

    def _current_path(self) -> tuple[str, ...]:
        path = self._path if self._path is not None else tuple(sys.path)
        if all(type(entry) is str for entry in path):
            return path
        # as importlib.metadata: a path-like entry is read as its string; the import system
        # ignores bytes entries (importlib.metadata raises TypeError on them): plux ignores them
        return tuple(os.fspath(entry) for entry in path if isinstance(entry, (str, os.PathLike)))

    def _current(self, save: bool = True) -> EntryPointIndex:
        path = self._current_path()
        index = self._cache.get(path)
        if index is not None and self._cwd is not None and self._cwd != _getcwd():
            index = None  # '' or another relative entry on the path now names another folder
        if index is None:
            index = self._load(path)
            if save:
                self._save(index)
        if index is not self._derived_from:
            # A new check: what was derived from the previous index is forgotten.
            self._derived_from = index
            self._checked = set()
            self._entry_points = None
            self._found = {}
            self._distributions = {}
        return index

    def _load(self, path: tuple[str, ...], trust_file: bool = True) -> EntryPointIndex:
        """Check the index of ``path`` and make it current: the user's own if its stamps hold,
        else the one that came with the environment if its stamps hold, else a rebuild from the
        user's own (or the last one checked), which reads only what changed."""
        ident = identity(path)
        self._cwd = None if all(map(os.path.isabs, path)) else _getcwd()
        file = self._index_file(ident)
        stored = read_index_file(file, ident) if file is not None and trust_file else None
        index = None
        if stored is not None and file is not None and stored.holds():
            index = stored
            if index.unsettled_listings:
                import time

                index.settle(time.time_ns())
            mark_used(file, index.last_used_ns)
        elif trust_file:
            from plux.runtime._prebuilt import read_prebuilt

            prebuilt = read_prebuilt(path, ident)
            if prebuilt is not None and prebuilt.holds():
                index = prebuilt
        if index is None:
            from plux.runtime._index_build import index_environment, rescan

            # a prebuilt index that does not hold is bypassed, not used to rebuild from
            previous = (stored or self._derived_from) if trust_file else None
            index = index_environment(path, rescan(path, previous), previous)
        self._cache.clear()
        self._cache[path] = index
        return index

    def _save(self, index: EntryPointIndex) -> None:
        if not index.dirty:
            return
        written = index
        if index.built_ctime_ns is not None:
            # A copy of the environment's own index, completed here: indexed afresh before it is
            # written as this user's (its stamps are those of the environment it was built in,
            # and a record is never copied on a stamp that could not be verified).
            from plux.runtime._index_build import index_environment, rescan

            path = index.identity.path
            written = index_environment(path, rescan(path, index), index)
        file = self._index_file(index.identity, create=True)
        if file is not None:
            from plux.runtime._index_write import prune_index_files, write_index_file

            created = not os.path.lexists(file)
            if write_index_file(file, written) and created:
                # a new path list: a good moment to drop the files of long unused ones
                prune_index_files(os.path.dirname(file), os.path.basename(file))
        index.dirty = False  # a failed write is not retried in this process

    def _index_file(self, ident: Identity, create: bool = False) -> str | None:
        """The index file of ``ident`` in a cache folder that may be used (made, with
        ``create``: a process that only reads, say from the prebuilt index, makes nothing)."""
        use_disk = self._use_disk if self._use_disk is not None else not cache_disabled()
        if not use_disk:
            return None
        directory = self._cache_dir or default_cache_dir()
        ok = self._dir_ok.get(directory)
        if ok is None:
            ok = prepare_cache_dir(directory, create)
            if ok or create:
                self._dir_ok[directory] = ok
        return os.path.join(directory, index_file_name(ident)) if ok else None


def read_index_file(file: str, ident: Identity) -> EntryPointIndex | None:
    """The index stored in ``file`` for ``ident``; None when it is missing, unreadable, corrupt,
    truncated, damaged, of another format or interpreter, a symlink, or not :func:`trusted`."""
    try:
        header, body, st = read_trusted(file)
    except OSError:
        return None
    if header is None or not trusted(st) or header.identity != ident:
        return None
    try:
        index = EntryPointIndex.from_header(header, body)
    except DamagedIndex:
        return None
    index.last_used_ns = st.st_mtime_ns
    return index


def _getcwd() -> str:
    try:
        return os.getcwd()
    except OSError:
        return ""  # removed: relative entries name nothing
