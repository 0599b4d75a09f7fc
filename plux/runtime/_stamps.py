"""Change stamps of the path, and which finders ``importlib.metadata`` asks for distributions.

A stamp is a file's mtime and ctime in nanoseconds, size and inode: an edit that keeps size and
mtime still moves the ctime, a replaced file its inode. A path entry's stamp changes whenever a
distribution is installed into it, removed or replaced, so a warm process stamps each entry and
reads a folder's listing only when its stamp moved (:mod:`plux.runtime._index` says which files it
stamps besides: each distribution's :func:`~plux.runtime._distributions.watched_file`). Taking
them all, as a rebuild does, is :mod:`plux.runtime._scan`'s.
"""

from __future__ import annotations

import os
import sys
from _frozen_importlib_external import PathFinder as _PathFinder
from _operator import attrgetter

from plux.core._typing import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = [
    "MISSING",
    "PATH_FINDER",
    "PATH_ONLY",
    "RACY_NS",
    "RACY_WHOLE_SECONDS_NS",
    "STAMP_OF",
    "Link",
    "Stamp",
    "distribution_finders",
    "file_stamp",
    "is_racy",
    "same_second",
    "same_since",
    "stamps_at",
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
STAMP_OF = attrgetter("st_mtime_ns", "st_ctime_ns", "st_size", "st_ino")
"""A :data:`Stamp` from an ``os.stat_result`` (the one place that says which fields)."""
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)


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
    return STAMP_OF(st)


def stamps_at(directory: str, names: str) -> list[Stamp]:
    """The stamps of the files ``names`` (joined by NUL, as the index keeps them; relative to the
    folder ``directory``, ``''`` being the working directory), :data:`MISSING` for those that
    cannot be stat'ed. The warm check's hottest loop (one turn per installed distribution): each
    ``stat`` is relative to the open folder (a shorter walk than the absolute path), of a name
    encoded once with all the others (``os.stat`` would encode each ``str``), and ``map`` makes
    the turns."""
    if not names:
        return []
    fd = None
    if os.stat in os.supports_dir_fd:
        try:
            fd = os.open(directory or ".", _DIR_FLAGS)
        except (OSError, ValueError):
            pass
    stat_one: Callable[[str | bytes], os.stat_result] = os.stat
    files: list[str] | list[bytes]
    if fd is None:
        folder = os.path.join(directory or ".", "")
        files = [folder + name for name in names.split("\0")]
    else:
        try:
            files = os.fsencode(names).split(b"\0")
        except ValueError:  # a name no file can have: stamped MISSING below
            files = names.split("\0")

        def stat_one(name: str | bytes) -> os.stat_result:
            return os.stat(name, dir_fd=fd)

    stamps: list[Stamp] = []
    remaining: Iterator[str | bytes] = iter(files)
    try:
        while True:
            try:
                stamps.extend(map(STAMP_OF, map(stat_one, remaining)))
                return stamps
            except (OSError, ValueError):
                stamps.append(MISSING)  # the name that failed was taken from ``remaining``
    finally:
        if fd is not None:
            os.close(fd)


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


def is_racy(stamp: Stamp, now_ns: int) -> bool:
    """Whether a folder stamped ``stamp`` changed so shortly before ``now_ns`` that a further
    change could keep its stamp (:data:`RACY_NS`, :data:`RACY_WHOLE_SECONDS_NS`)."""
    # A write moves the mtime (the ctime moves alone only for metadata: chmod, utime). A
    # whole-second mtime tells a file system that keeps whole seconds.
    window = RACY_WHOLE_SECONDS_NS if stamp[0] % 1_000_000_000 == 0 else RACY_NS
    return stamp[0] >= now_ns - window


PATH_FINDER: object = _PathFinder
"""The standard path finder, whose distributions the index holds."""
PATH_ONLY = (PATH_FINDER,)


def distribution_finders() -> tuple[object, ...]:
    """The finders on ``sys.meta_path`` that provide distributions, in the order
    ``importlib.metadata`` asks them (usually only :data:`PATH_FINDER`)."""
    return tuple(f for f in sys.meta_path if getattr(f, "find_distributions", None) is not None)
