"""Change stamps of the path, and the order in which ``importlib.metadata`` takes distributions.

A stamp is a file's mtime and ctime in nanoseconds, size and inode: an edit that keeps size and
mtime still moves the ctime, a replaced file its inode. :func:`scan_stamps` is the whole check a
warm process makes. Which copy of a distribution counts is decided here, once
(:func:`importlib_order`, :func:`shadowing_key`, :func:`first_copies`).
"""

from __future__ import annotations

import os
import stat

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
from plux.runtime._records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from typing import TypeVar

    T = TypeVar("T")

__all__ = [
    "MISSING",
    "DistStamp",
    "EntryStamp",
    "Link",
    "Stamp",
    "file_stamp",
    "first_copies",
    "importlib_order",
    "read_link",
    "scan_stamps",
    "shadowing_key",
]

Stamp = tuple[int, int, int, int]
"""A file's mtime_ns, ctime_ns, size and inode; :data:`MISSING` when it cannot be stat'ed."""
MISSING: Stamp = (-1, -1, -1, -1)
_ENTRY_POINTS = os.sep + ENTRY_POINTS_FILE
_new = tuple.__new__


class DistStamp(Record):
    """A metadata folder's stamps."""

    child: str
    """The folder's name as the path entry lists it."""
    stamp: Stamp
    entry_points: Stamp
    """The stamp of its ``entry_points.txt``."""


class EntryStamp(Record):
    """A path entry's stamps."""

    entry: str
    stamp: Stamp
    dists: tuple[DistStamp, ...]
    """The metadata folders in it, in listing order."""


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
            result.append(EntryStamp(entry, MISSING, ()))
            continue
        dists: list[DistStamp] = []
        if stat.S_ISDIR(st.st_mode):
            in_egg = is_egg(entry)
            try:
                with os.scandir(directory) as it:
                    for d in it:
                        if is_metadata_child(d.name, in_egg):
                            ep = file_stamp(d.path + _ENTRY_POINTS)
                            folder = file_stamp(d.path)
                            # tuple.__new__: the warm path's hottest line skips the record's
                            # argument checks (they cost a warm process a measurable 0.1 ms)
                            dists.append(_new(DistStamp, (d.name, folder, ep)))
            except OSError:
                dists = []
        stamp = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
        result.append(EntryStamp(entry, stamp, tuple(dists)))
    return tuple(result)


def read_link(dist_path: str) -> Link | None:
    """The editable link in the metadata folder ``dist_path`` with its stamps, or None."""
    file = os.path.join(dist_path, EDITABLE_LINK_FILE)
    stamp = file_stamp(file)
    if stamp == MISSING:
        return None
    target = read_editable_link(dist_path)
    return Link(file, stamp, target, file_stamp(target) if target else MISSING)


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


def first_copies(keyed: Iterable[tuple[str, T]]) -> Iterator[T]:
    """The items of ``(key, item)`` pairs whose key was not seen before: the first copy of a
    distribution on the path wins, later ones are shadowed (the one place this rule lives)."""
    seen: set[str] = set()
    for key, item in keyed:
        if key not in seen:
            seen.add(key)
            yield item
