"""The entry point index in memory, and the check that says whether it still holds.

An index is built from the distributions' metadata (:mod:`plux.runtime._index_build`) and
records stamps (:mod:`plux.runtime._stamps`) so that a later process can trust it after one
``stat`` per path entry and one per installed distribution:

- each path entry: installing, removing or upgrading a distribution changes its listing; when
  its stamp moved, its listing is compared (a file written beside a script changes nothing);
- each distribution's ``entry_points.txt`` (or its metadata folder, where one may appear):
  ``pip install -I``, ``installer --overwrite-existing`` and hand edits rewrite it in place;
- what was read while it was changing (within the racy window of :func:`~._stamps.is_racy`,
  two seconds on a file system that keeps whole seconds) is read again by the next process.

Its file format is :mod:`plux.runtime._index_file`'s.
"""

from __future__ import annotations

import os
import sys

from plux.core._typing import Record
from plux.runtime._index_file import (
    INDEX_FORMAT,
    DamagedIndex,
    Header,
    decode_block,
    decode_file,
    decode_stamps,
    encode_stamps,
)
from plux.runtime._stamps import MISSING, Link, file_stamp, same_second, same_since, stamps_at

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from plux.runtime._index_file import Block, Body
    from plux.runtime._index_table import DistTable
    from plux.runtime._names import SourceResults
    from plux.runtime._stamps import Stamp

__all__ = [
    "EntryPointIndex",
    "Identity",
    "IndexedEntryPoint",
    "PathEntry",
    "WatchedFiles",
    "identity",
]

Stamped = tuple[tuple[str, "Stamp"], ...]  # files (or folders) and their stamps when built
_EMPTY = memoryview(b"")


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


class PathEntry(Record):
    """A path entry as the index saw it."""

    entry: str
    stamp: Stamp
    holds_distributions: bool


class WatchedFiles(Record):
    """The files that stamp a path entry's distributions (:func:`~._distributions.watched_file`), as
    the warm check reads them: one ``stat`` each, compared as bytes."""

    entry: str
    names: str
    """Their names relative to the path entry, joined by NUL (which no file name holds)."""
    stamps: bytes
    """Their stamps when the index was built (:func:`~._index_file.encode_stamps`)."""


def identity(path: Sequence[str]) -> Identity:
    """The identity of an index of ``path`` made by this interpreter (however it was started:
    ``../venv/bin/python`` and its absolute path are one interpreter)."""
    executable = os.path.realpath(sys.executable)
    return Identity(INDEX_FORMAT, executable, sys.prefix, sys.version, tuple(path))


class EntryPointIndex:
    """An index in memory. Each group's block is decoded on first use (a process that manages one
    namespace decodes only that one)."""

    def __init__(
        self,
        *,
        identity: Identity,
        path_entries: tuple[PathEntry, ...],
        unsettled_listings: dict[str, tuple[str, ...]],
        watched_files: tuple[WatchedFiles, ...],
        unsettled_distributions: tuple[str, ...],
        links: tuple[Link, ...],
        groups: dict[str, Block],
        completed: dict[str, Stamped],
        distributions: Block,
        details: Block,
        listings: Block,
        body: Body = _EMPTY,
    ) -> None:
        self.identity = identity
        self.path_entries = path_entries
        self.unsettled_listings = unsettled_listings
        """Path entries that changed just before they were listed, and their metadata children:
        listed again by each check until they are older (:meth:`settle`)."""
        self.watched_files = watched_files
        self.unsettled_distributions = unsettled_distributions
        """Metadata folders read while they changed: the next check reads them again."""
        self.links = links
        self.groups = groups
        """Each group's block: its entries in path order."""
        self.completed = completed
        """Completed groups (:mod:`plux.runtime._index_completion`): the stamps of the sources
        read for them."""
        self._distributions = distributions
        self._details = details
        self._listings = listings
        self.body = body
        """The body of the file it came from (a rebuild carries blocks over from it)."""
        self._rows: dict[str, list[IndexedEntryPoint]] = {}
        self._listed: dict[str, tuple[str, ...]] | None = None
        self.relisted: dict[str, tuple[Stamp, tuple[str, ...]]] = {}
        """Path entries whose stamps moved, listed again by :meth:`changed` (for a rebuild)."""
        self.written_ns = 0
        """When the file it came from was written (``time.time_ns()``; 0 for one built here)."""
        self.last_used_ns = 0
        """When the file it came from was last used (its mtime, :func:`~._index_file.mark_used`)."""
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
        """The first path entry, distribution or file that changed since the index was built, if
        any: then a distribution may have been installed, removed or replaced. A path entry whose
        stamp moved but whose distributions did not (a file written beside a script) is stamped
        afresh (and the index written again)."""
        same = self.same
        moved: dict[str, Stamp] = {}
        for entry, stamp, _ in self.path_entries:
            current = file_stamp(entry or ".")
            if not same(stamp, current):
                # a zip file has no listing to compare: read again
                if not os.path.isdir(entry or "."):
                    return entry
                from plux.runtime._distributions import metadata_children  # a folder changed

                self.relisted[entry] = (current, metadata_children(entry))
                if self.relisted[entry][1] != self.listing(entry):
                    return entry
                moved[entry] = current
        if self.unsettled_listings:
            from plux.runtime._distributions import metadata_children  # listed while changing

            for entry, children in self.unsettled_listings.items():
                if metadata_children(entry) != children:
                    return entry
        for entry, names, recorded in self.watched_files:
            stamps = stamps_at(entry, names)
            if encode_stamps(stamps) != recorded:
                files = names.split("\0") if names else []
                file = self._changed_file(entry, files, stamps, recorded)
                if file is not None:
                    return file
        if self.unsettled_distributions:
            return self.unsettled_distributions[0]
        changed = next((link.file for link in self.links if not link.holds()), None)
        if changed is None and moved:
            self._restamp(moved)
        return changed

    def _restamp(self, moved: dict[str, Stamp]) -> None:
        """Take the new stamps of path entries whose listings are unchanged."""
        if self.built_ctime_ns is not None:
            return  # a copy's stamps are kept as its image keeps them: listed again each time
        import time

        from plux.runtime._stamps import is_racy

        now = time.time_ns()
        for entry, stamp in moved.items():
            if is_racy(stamp, now):
                self.unsettled_listings[entry] = self.listing(entry) or ()
        self.path_entries = tuple(
            e._replace(stamp=moved[e.entry]) if e.entry in moved else e for e in self.path_entries
        )
        self.dirty = True

    def _changed_file(
        self, entry: str, files: list[str], current: list[Stamp], recorded: bytes
    ) -> str | None:
        """The first of path entry ``entry``'s watched ``files`` whose ``current`` stamp is not
        the ``recorded`` one, as this index compares stamps (:meth:`same`)."""
        recorded_stamps = decode_stamps(recorded, len(files))
        for name, stamp, now in zip(files, recorded_stamps, current, strict=True):
            file = os.path.join(entry or ".", name)
            if now != stamp and not (
                self.same(stamp, now) or self._still_without_entry_points(file, stamp, now)
            ):
                return file
        return None

    def _still_without_entry_points(self, folder: str, recorded: Stamp, current: Stamp) -> bool:
        """In a copy of the environment, whether a metadata folder without entry points whose
        change time moved still has none (only a new ``entry_points.txt`` changes its answer)."""
        if self.built_ctime_ns is None or not same_second(recorded, current):
            return False
        from plux.runtime._distributions import ENTRY_POINTS_FILE, watched_file

        return os.path.basename(folder) != ENTRY_POINTS_FILE and (
            file_stamp(watched_file(folder, True)) == MISSING
        )

    def holds(self) -> bool:
        """Whether nothing :meth:`changed`."""
        return self.changed() is None

    def listing(self, entry: str) -> tuple[str, ...] | None:
        """The metadata children path entry ``entry`` listed when the index was built."""
        if self._listed is None:
            self._listed = decode_block(self._listings, self.body)
        return self._listed.get(entry)

    def settle(self, now_ns: int) -> None:
        """Stop listing again the path entries that are no longer racy (then the index is written
        again)."""
        from plux.runtime._stamps import is_racy

        stamps = {e.entry: e.stamp for e in self.path_entries}
        for entry in [e for e in self.unsettled_listings if not is_racy(stamps[e], now_ns)]:
            del self.unsettled_listings[entry]
            self.dirty = True

    def completion_holds(self, group: str) -> bool:
        """Whether ``group`` has no entries, or was completed and every source read for it
        (whether or not it declared a differing name) is unchanged."""
        sources = self.completed.get(group)
        if sources is None:
            return group not in self.groups
        return all(self.same(stamp, file_stamp(file)) for file, stamp in sources)

    def rebased(self, ident: Identity, path_entries: tuple[PathEntry, ...]) -> EntryPointIndex:
        """This index for another process's path that holds the same distributions
        (``path_entries``: its path entries and their stamps), sharing this index's blocks."""
        index = EntryPointIndex(
            identity=ident,
            path_entries=path_entries,
            unsettled_listings=dict(self.unsettled_listings),
            watched_files=self.watched_files,
            unsettled_distributions=self.unsettled_distributions,
            links=self.links,
            groups=dict(self.groups),
            completed=dict(self.completed),
            distributions=self._distributions,
            details=self._details,
            listings=self._listings,
            body=self.body,
        )
        index.built_ctime_ns = self.built_ctime_ns
        return index

    def rows(self, group: str) -> list[IndexedEntryPoint]:
        """The entries of ``group`` in path order (shared: copy before handing out)."""
        rows = self._rows.get(group)
        if rows is None:
            block = self.groups.get(group)
            plain = decode_block(block, self.body) if block is not None else ()
            rows = self._rows[group] = [IndexedEntryPoint._make(row) for row in plain]
        return rows

    def set_rows(self, group: str, rows: list[IndexedEntryPoint]) -> None:
        from plux.runtime._index_write import encode_block

        self._rows[group] = rows
        self.groups[group] = encode_block([tuple(row) for row in rows])
        self.dirty = True

    def table(self) -> DistTable:
        """The table of distributions (:mod:`plux.runtime._index_table`)."""
        from plux.runtime._index_table import DistTable

        try:
            return DistTable._make(decode_block(self._distributions, self.body))
        except TypeError as e:
            raise DamagedIndex(f"the table of distributions is not one: {e}") from e

    def details(self) -> tuple[SourceResults, dict[str, str]]:
        """What completing groups read: declared names from source files (with those files'
        stamps), and distribution names from metadata (per metadata folder)."""
        sources, names = decode_block(self._details, self.body)
        return sources, names

    def set_details(self, sources: SourceResults, names: dict[str, str]) -> None:
        from plux.runtime._index_write import encode_block

        self._details = encode_block((sources, names))
        self.dirty = True

    def errors(self) -> list[str]:
        """The malformed lines (file and line number) of the visible distributions' entry points."""
        table = self.table()
        records = table.records()
        return [error for p in table.visible() for error in records[p].errors]

    def to_parts(self) -> list[bytes | memoryview]:
        """The bytes of the index's file, in parts (:func:`~._index_write.encode_file`)."""
        import time

        from plux.runtime._index_write import BodyWriter, encode_file

        body = BodyWriter()
        groups = {group: body.place(block, self.body) for group, block in self.groups.items()}
        header = Header(
            written_ns=time.time_ns(),
            identity=tuple(self.identity),
            path_entries=tuple(tuple(e) for e in self.path_entries),
            unsettled_listings=self.unsettled_listings,
            watched_files=tuple((w.entry, w.names, w.stamps) for w in self.watched_files),
            unsettled_distributions=self.unsettled_distributions,
            links=tuple(tuple(link) for link in self.links),
            completed=self.completed,
            groups=groups,
            distributions=body.place(self._distributions, self.body),
            details=body.place(self._details, self.body),
            listings=body.place(self._listings, self.body),
            body_length=body.length,
        )
        return encode_file(header, body.parts)

    @classmethod
    def from_bytes(cls, data: bytes, ident: Identity | None) -> EntryPointIndex | None:
        """The index in the bytes of a file, if they are a whole file of this format and belong
        to ``ident`` (None: to any interpreter and path), else None. Raises
        :class:`~._index_file.DamagedIndex` when they pass the checks but do not decode."""
        decoded = decode_file(data)
        if decoded is None or (ident is not None and decoded[0].identity != ident):
            return None
        return cls.from_header(*decoded)

    @classmethod
    def from_header(cls, header: Header, body: Body) -> EntryPointIndex:
        """The index of a file with ``header`` whose blocks lie in ``body``. Raises
        :class:`~._index_file.DamagedIndex` when the header's fields are not an index's."""
        try:
            index = cls(
                identity=Identity._make(header.identity),
                path_entries=tuple(PathEntry._make(e) for e in header.path_entries),
                unsettled_listings=dict(header.unsettled_listings),
                watched_files=tuple(WatchedFiles._make(w) for w in header.watched_files),
                unsettled_distributions=header.unsettled_distributions,
                links=tuple(Link._make(link) for link in header.links),
                groups=dict(header.groups),
                completed=dict(header.completed),
                distributions=header.distributions,
                details=header.details,
                listings=header.listings,
                body=body,
            )
        except (TypeError, ValueError) as e:
            raise DamagedIndex(f"the index file's header is not an index: {e}") from e
        index.written_ns = header.written_ns
        return index
