"""Change stamps of the path, and the order in which ``importlib.metadata`` takes distributions.

A stamp is a file's mtime and ctime in nanoseconds, size and inode: an edit that keeps size and
mtime still moves the ctime, a replaced file its inode. A path entry's stamp changes whenever a
distribution is installed into it, removed or replaced, so a warm process stamps each entry and
reads a folder's listing only when its stamp moved (:mod:`plux.runtime._index` says which files it
stamps besides). Which copy of a distribution counts is decided here, once
(:func:`importlib_order`, :func:`shadowing_key`, :func:`first_copies`).
"""

from __future__ import annotations

import os
import stat
import sys
from _frozen_importlib_external import PathFinder as _PathFinder

from plux.core._typing import Record
from plux.runtime._distributions import (
    EDITABLE_LINK_FILE,
    ENTRY_POINTS_FILE,
    METADATA_SUFFIXES,
    is_egg,
    is_metadata_child,
    normalize_name,
    read_editable_link,
    stem_name,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from typing import TypeVar

    T = TypeVar("T")

__all__ = [
    "MISSING",
    "PATH_FINDER",
    "PATH_ONLY",
    "RACY_NS",
    "RACY_WHOLE_SECONDS_NS",
    "DistStamp",
    "EntryStamp",
    "Link",
    "Stamp",
    "distribution_finders",
    "file_stamp",
    "first_copies",
    "importlib_order",
    "is_racy",
    "metadata_children",
    "read_link",
    "same_second",
    "same_since",
    "scan_entry",
    "scan_stamps",
    "shadowing_key",
    "watched_file",
]

Stamp = tuple[int, int, int, int]
"""A file's mtime_ns, ctime_ns, size and inode; :data:`MISSING` when it cannot be stat'ed."""
MISSING: Stamp = (-1, -1, -1, -1)
RACY_NS = 20_000_000
"""A folder changed this shortly before it was scanned may change again without its stamp
moving (the kernel stamps files with a clock that ticks every few milliseconds): its listing is
compared as well until it is older (:func:`is_racy`)."""
RACY_WHOLE_SECONDS_NS = 2_000_000_000
"""The same for a stamp in whole seconds: a file system that keeps no finer times."""
_ENTRY_POINTS = os.sep + ENTRY_POINTS_FILE
_new = tuple.__new__


class DistStamp(Record):
    """A metadata folder's stamp: of its ``entry_points.txt`` when it has one (an edit of it is what
    changes the distribution's answer), else of the folder itself (where one would appear)."""

    child: str
    """The folder's name as the path entry lists it."""
    entry_points: bool
    """Whether it has an ``entry_points.txt``."""
    stamp: Stamp


class EntryStamp(Record):
    """A path entry's stamps."""

    entry: str
    stamp: Stamp
    dists: tuple[DistStamp, ...]
    """The metadata folders in it, in listing order."""
    racy: bool
    """Whether it changed just before it was scanned (:data:`RACY_NS`)."""
    unsettled: tuple[str, ...] = ()
    """The metadata folders among ``dists`` that changed just before they were scanned: what
    is read from them now may be half-written, and is read again by the next process."""


Stamps = tuple[EntryStamp, ...]


class Link(Record):
    """An editable install's link file (plux 1.x) and the file it names, with their stamps."""

    file: str
    stamp: Stamp
    target: str
    target_stamp: Stamp

    def holds(self) -> bool:
        """Whether neither file changed since the link was read."""
        return file_stamp(self.file) == self.stamp and (
            not self.target or file_stamp(self.target) == self.target_stamp
        )


def file_stamp(path: str) -> Stamp:
    """The stamp of ``path`` (following links), or :data:`MISSING`."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return MISSING
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


def same_second(recorded: Stamp, current: Stamp) -> bool:
    """Whether two stamps have the same modification time in whole seconds (all an image keeps)
    and neither is :data:`MISSING`."""
    return MISSING not in (recorded, current) and (
        current[0] // 1_000_000_000 == recorded[0] // 1_000_000_000
    )


def same_since(recorded: Stamp, current: Stamp, built_ctime_ns: int) -> bool:
    """Whether ``current`` is ``recorded`` as far as a copy of the environment keeps stamps: an
    image's layers keep a file's mtime in whole seconds only, and give it a new inode and ctime
    when unpacked. A file that changed after the index was written (``built_ctime_ns``, that
    file's own ctime) has a later ctime; one that changed before has another mtime."""
    return current == recorded or (same_second(recorded, current) and current[1] <= built_ctime_ns)


def watched_file(dist_path: str, entry_points: bool) -> str:
    """The file whose stamp :class:`DistStamp` records for the metadata folder ``dist_path``
    (``entry_points``: whether it has an ``entry_points.txt``)."""
    return dist_path + _ENTRY_POINTS if entry_points else dist_path


def is_racy(stamp: Stamp, now_ns: int) -> bool:
    """Whether a folder stamped ``stamp`` changed so shortly before ``now_ns`` that a further
    change could keep its stamp (:data:`RACY_NS`, :data:`RACY_WHOLE_SECONDS_NS`)."""
    # A write moves the mtime (the ctime moves alone only for metadata: chmod, utime). A
    # whole-second mtime tells a file system that keeps whole seconds.
    window = RACY_WHOLE_SECONDS_NS if stamp[0] % 1_000_000_000 == 0 else RACY_NS
    return stamp[0] >= now_ns - window


def metadata_children(entry: str) -> tuple[str, ...]:
    """The names of the distribution metadata in path entry ``entry``, in listing order."""
    in_egg = is_egg(entry)
    try:
        with os.scandir(entry or ".") as it:
            return tuple(d.name for d in it if is_metadata_child(d.name, in_egg))
    except OSError:
        return ()


def scan_entry(
    entry: str, scan_start_ns: int, known: tuple[Stamp, tuple[str, ...] | None] | None = None
) -> EntryStamp:
    """The stamps of path entry ``entry`` and of the distribution metadata in it (one ``stat``
    per distribution, and one ``scandir`` unless ``known`` gives the entry's stamp and listing
    when it was last listed and that stamp holds; no file is opened). A zip file is stamped as a
    whole. ``scan_start_ns`` is when the scan began (``time.time_ns()``)."""
    directory = entry or "."
    try:
        st = os.stat(directory)
    except (OSError, ValueError):
        return EntryStamp(entry, MISSING, (), False)
    stamp = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
    dists: list[DistStamp] = []
    if stat.S_ISDIR(st.st_mode):
        folder = os.path.join(directory, "")
        children = known[1] if known is not None and known[0] == stamp else None
        if children is None:
            children = metadata_children(entry)
        dists = [_dist_stamp(child, folder + child) for child in children]
    # the widest window first: a cheap comparison that all but the newest distributions fail
    recent = scan_start_ns - RACY_WHOLE_SECONDS_NS
    unsettled = tuple(
        d.child for d in dists if d.stamp[0] >= recent and is_racy(d.stamp, scan_start_ns)
    )
    return EntryStamp(entry, stamp, tuple(dists), is_racy(stamp, scan_start_ns), unsettled)


def _dist_stamp(child: str, path: str) -> DistStamp:
    try:
        st = os.stat(path + _ENTRY_POINTS)
        has_entry_points = True
    except (OSError, ValueError):
        has_entry_points = False
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            return _new(DistStamp, (child, False, MISSING))
    # tuple.__new__: the scan's hottest line skips the record's argument checks
    stamp = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
    return _new(DistStamp, (child, has_entry_points, stamp))


def scan_stamps(
    path: Sequence[str], known: dict[str, tuple[Stamp, tuple[str, ...] | None]] | None = None
) -> Stamps:
    """The current stamps of every entry of ``path`` (:func:`scan_entry`; ``known``: per entry,
    its stamp and listing when last listed)."""
    import time

    start = time.time_ns()
    known = known or {}
    return tuple(scan_entry(entry, start, known.get(entry)) for entry in path)


def read_link(dist_path: str) -> Link | None:
    """The editable link in the metadata folder ``dist_path`` with its stamps, or None."""
    target = read_editable_link(dist_path)
    if target is None:
        return None
    file = os.path.join(dist_path, EDITABLE_LINK_FILE)
    return Link(file, file_stamp(file), target, file_stamp(target) if target else MISSING)


def importlib_order(children: Sequence[str], entry: str) -> list[str]:
    """The metadata children of path entry ``entry`` (listed in ``children``' order) in the
    order ``importlib.metadata`` takes them: by listing order of each name's first copy, the
    copies of one name together, then an ``.egg``'s ``EGG-INFO``."""
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


def shadowing_key(child: str, metadata_name: str) -> str:
    """The name under which a distribution shadows later copies, as ``importlib.metadata``
    decides: its :func:`stem_name`, else the ``Name`` in its metadata; normalised."""
    return normalize_name(stem_name(child) or metadata_name)


PATH_FINDER: object = _PathFinder
"""The standard path finder, whose distributions the index holds."""
PATH_ONLY = (PATH_FINDER,)


def distribution_finders() -> tuple[object, ...]:
    """The finders on ``sys.meta_path`` that provide distributions, in the order
    ``importlib.metadata`` asks them (usually only :data:`PATH_FINDER`)."""
    return tuple(f for f in sys.meta_path if getattr(f, "find_distributions", None) is not None)


def first_copies(keyed: Iterable[tuple[str, T]]) -> Iterator[T]:
    """The items of ``(key, item)`` pairs whose key was not seen before: the first copy of a
    distribution on the path wins, later ones are shadowed (the one place this rule lives)."""
    seen: set[str] = set()
    for key, item in keyed:
        if key not in seen:
            seen.add(key)
            yield item
